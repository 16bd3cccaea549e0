package archive

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"refunddesk/templates"
	"refunddesk/tickets"
)

func catalog(t *testing.T) *templates.Catalog {
	t.Helper()
	cat, err := templates.NewCatalog(slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	return cat
}

func sum(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }

// sample is an export with hostile file names, two files of the same name
// and one file on two tickets, and the bytes behind them.
func sample() (*tickets.RequesterExport, map[string][]byte) {
	at := time.Date(2026, 11, 21, 9, 30, 0, 0, time.UTC)
	blobs := map[string][]byte{}
	ev := func(name, body string) tickets.Evidence {
		b := []byte(body)
		blobs[sum(b)] = b
		return tickets.Evidence{Name: name, ContentType: "text/plain", Size: int64(len(b)), SHA256: sum(b), AddedAt: at}
	}
	approved := int64(1_250_050)
	t1 := tickets.TicketDetail{Ticket: tickets.Ticket{ID: 7, Ref: "RD-7", Kind: tickets.KindRefund, Status: tickets.StatusApproved,
		Channel: tickets.ChannelEmail, Requester: tickets.Requester{Email: "sari@example.com", Name: "Sari"}, Order: "7301", Account: "@sari",
		Sources: tickets.Sources{tickets.FieldSourceAccount: tickets.SourceSignature, tickets.FieldSourceOrder: tickets.SourceForwarded,
			tickets.FieldSourceKind: tickets.SourceText},
		Reason: tickets.ReasonUnderDelivery, Details: "hanya 2 ribu tayangan", Language: "id", ApprovedAmount: &approved,
		Eligibility: tickets.Eligibility{Verdict: tickets.VerdictEligible, RefundAmount: 1_250_050, Currency: "usd",
			Rules: []tickets.RuleStep{{Rule: "under_delivery", Outcome: "eligible"}}},
		Evidence: []tickets.Evidence{ev("../../etc/passwd", "one"), ev(`C:\Users\sari\Desktop\shot.txt`, "two"),
			ev("shot.txt", "three"), ev("SHOT.txt", "four"), ev("..", "five"), ev("con.txt", "six"), ev(".hidden", "seven"),
			ev(strings.Repeat("é", 120)+".txt", "eight"), ev("a\x00b\nc.txt", "nine"), ev("kuitansi.txt", "shared")},
		CreatedAt: at, UpdatedAt: at},
		Messages: []tickets.Message{{ID: 1, Kind: tickets.MessageIn, Channel: tickets.ChannelEmail, Author: "sari@example.com",
			Body: "Promosi saya gagal", CreatedAt: at}},
		Audit: []tickets.AuditEntry{{At: at, Actor: "sari@example.com", Action: "created", Code: tickets.AuditCreated,
			Params: tickets.AuditParams{Kind: tickets.KindRefund, Channel: tickets.ChannelEmail}}},
		Outbox: []tickets.OutboxItem{{ID: 3, TicketRef: "RD-7", Channel: tickets.ChannelEmail, Recipient: "sari@example.com",
			Template: tickets.TemplateAcknowledgement, Language: "id", Status: "sent", CreatedAt: at, SentAt: &at}}}
	t2 := tickets.TicketDetail{Ticket: tickets.Ticket{ID: 9, Ref: "RD-9", Kind: tickets.KindRevocation, Status: tickets.StatusClosed,
		Channel: tickets.ChannelEmail, Language: "id", Evidence: []tickets.Evidence{ev("kuitansi.txt", "shared")}, CreatedAt: at, UpdatedAt: at}}
	ex := &tickets.RequesterExport{Requester: tickets.Requester{Email: "sari@example.com"}, Language: "id",
		RequesterRecords: tickets.RequesterRecords{Tickets: []tickets.TicketDetail{t1, t2},
			Elsewhere: []tickets.ForeignNote{{Message: tickets.Message{Kind: tickets.MessageNote, Body: "saya juga"},
				Evidence: []tickets.Evidence{ev("/abs/bukti.txt", "ten")}}},
			SetAside: []tickets.InboundFailure{{Channel: tickets.ChannelEmail, Sender: "sari@example.com", Subject: "besar", CreatedAt: at,
				Reason: tickets.SetAsideNoSender + ": the mail has no sender address to answer"}}}}
	return ex, blobs
}

func opener(blobs map[string][]byte) tickets.OpenEvidence {
	return func(s string) (io.Reader, error) {
		b, ok := blobs[s]
		if !ok {
			return nil, fmt.Errorf("no blob %s: %w", s, tickets.ErrNotFound)
		}
		return bytes.NewReader(b), nil
	}
}

// The archive opens; data.json parses and lists each file where it is;
// the files are the stored bytes under safe, distinct names; README.txt is
// in the requester's language; and the same data gives the same bytes.
func TestWrite(t *testing.T) {
	cat := catalog(t)
	ex, blobs := sample()
	var buf bytes.Buffer
	if err := Write(&buf, cat, ex, opener(blobs)); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	entries := map[string][]byte{}
	var names []string
	for _, f := range zr.File {
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(r)
		if err != nil {
			t.Fatal(f.Name, err)
		}
		entries[f.Name] = b
		names = append(names, f.Name)
		if !f.Modified.Equal(modified) {
			t.Errorf("%s: modified %v", f.Name, f.Modified)
		}
	}
	want := []string{"README.txt", "data.json",
		"tickets/RD-7/evidence/passwd", "tickets/RD-7/evidence/shot.txt", "tickets/RD-7/evidence/shot-2.txt",
		"tickets/RD-7/evidence/SHOT-3.txt", "tickets/RD-7/evidence/file", "tickets/RD-7/evidence/_con.txt",
		"tickets/RD-7/evidence/hidden", "tickets/RD-7/evidence/" + strings.Repeat("é", 48) + ".txt",
		"tickets/RD-7/evidence/a_b_c.txt", "tickets/RD-7/evidence/kuitansi.txt",
		"tickets/RD-9/evidence/kuitansi.txt", "elsewhere/evidence/bukti.txt"}
	if strings.Join(names, "\n") != strings.Join(want, "\n") {
		t.Errorf("entries:\n%s\nwant:\n%s", strings.Join(names, "\n"), strings.Join(want, "\n"))
	}
	var doc Document
	if err := json.Unmarshal(entries["data.json"], &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.SetAside) == 1 && (strings.Contains(doc.SetAside[0].Reason, "no_sender") || doc.SetAside[0].Reason == "") {
		t.Errorf("a mail set aside says why in its code, not in the person's language: %q", doc.SetAside[0].Reason)
	}
	if doc.Format != Format || doc.Language != "id" || len(doc.Tickets) != 2 || len(doc.Elsewhere) != 1 || len(doc.SetAside) != 1 {
		t.Fatalf("data.json: %+v", doc)
	}
	all := append(append([]File{}, doc.Tickets[0].Evidence...), doc.Tickets[1].Evidence...)
	all = append(all, doc.Elsewhere[0].Evidence...)
	for _, f := range all {
		if got, ok := entries[f.File]; !ok || !bytes.Equal(got, blobs[f.SHA256]) || sum(got) != f.SHA256 {
			t.Errorf("%s (%q): %q, want the bytes of %s", f.File, f.Name, got, f.SHA256)
		}
	}
	if doc.Tickets[0].Evidence[0].Name != "../../etc/passwd" {
		t.Errorf("the name as sent is kept in data.json: %q", doc.Tickets[0].Evidence[0].Name)
	}
	tk := doc.Tickets[0]
	if tk.Approved == nil || tk.Approved.Amount != "12500.50" || tk.Approved.Currency != "USD" || tk.Refund.Amount != "12500.50" {
		t.Errorf("money: %+v %+v", tk.Approved, tk.Refund)
	}
	if tk.Audit[0].Code != tickets.AuditCreated || tk.Audit[0].Text == "" || tk.Audit[0].Params.Kind != tickets.KindRefund {
		t.Errorf("audit: %+v", tk.Audit)
	}
	if !strings.Contains(string(entries["data.json"]), `"created_at": "2026-11-21T09:30:00Z"`) {
		t.Errorf("times are not RFC 3339 in UTC")
	}
	readme := string(entries["README.txt"])
	if got := tk.Sources; len(got) != 2 || got[0] != (FieldSource{Field: "account", Source: tickets.SourceSignature, Text: "dari tanda tangan"}) ||
		got[1] != (FieldSource{Field: "order", Source: tickets.SourceForwarded, Text: "dari email yang diteruskan"}) {
		t.Errorf("sources: %+v", got)
	}
	for _, s := range []string{"Data Anda di layanan bantuan", "RD-7", "pesanan 7301", "21 November 2026", "RD-9", "10 berkas", "sari@example.com",
		"Akun (@sari) bukan kata-kata Anda sendiri: dari tanda tangan.",
		"Nomor pesanan (7301) bukan kata-kata Anda sendiri: dari email yang diteruskan."} {
		if !strings.Contains(readme, s) {
			t.Errorf("README.txt has no %q:\n%s", s, readme)
		}
	}
	// Deterministic.
	var again bytes.Buffer
	if err := Write(&again, cat, ex, opener(blobs)); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), again.Bytes()) {
		t.Error("the same data gave another archive")
	}
}

// English README for an English requester, with nothing of their own,
// naming the contacts of theirs besides the one asked for.
func TestReadmeEnglish(t *testing.T) {
	cat := catalog(t)
	doc := Build(cat, &tickets.RequesterExport{Requester: tickets.Requester{DiscordID: "412345678901234567"}, Language: "en",
		RequesterRecords: tickets.RequesterRecords{
			Identity: tickets.Identity{Emails: []string{"sari@example.com"}, DiscordIDs: []string{"412345678901234567", "512345678901234567"}},
			Outbox:   []tickets.OutboxItem{{Template: tickets.TemplateReceived, Recipient: "412345678901234567"}}}})
	r := Readme(cat, doc)
	for _, s := range []string{"Your data at the support desk", "Discord 412345678901234567", "You have no request of your own with us.",
		"We sent you 1 message outside your requests",
		"Your requests also name these contacts of yours, so what we keep about them is here too: sari@example.com, Discord 512345678901234567."} {
		if !strings.Contains(r, s) {
			t.Errorf("README has no %q:\n%s", s, r)
		}
	}
	if strings.Contains(r, "evidence/") {
		t.Errorf("README names folders that are not there:\n%s", r)
	}
}

func TestSafeName(t *testing.T) {
	for in, want := range map[string]string{
		"shot.png": "shot.png", "../x.png": "x.png", `..\..\boot.ini`: "boot.ini", "": "file", "...": "file", "/": "file",
		"nul": "_nul", "COM1.txt": "_COM1.txt", "a b.png": "a_b.png", "bukti–transfer.jpg": "bukti_transfer.jpg",
	} {
		if got := safeName(in); got != want {
			t.Errorf("safeName(%q) = %q, want %q", in, got, want)
		}
	}
}
