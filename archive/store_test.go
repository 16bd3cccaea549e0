package archive_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"refunddesk/archive"
	"refunddesk/internal/storetest"
	"refunddesk/templates"
	"refunddesk/tickets"
)

// Through the real intake and store, on SQLite and PostgreSQL: files sent
// under hostile names land under safe, distinct names in the zip, byte
// for byte; a file whose bytes are also on Budi's ticket is there under
// Sari's ticket only; nothing of Budi is in any entry; and the archive of
// one snapshot is the same bytes each time it is written.
func TestArchiveFromStore(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		ctx := context.Background()
		clock := storetest.NewClock(time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC))
		db := storetest.Open(t, dialect, clock)
		svc := tickets.NewService(db, tickets.Options{Clock: clock})
		cat, err := templates.NewCatalog(slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatal(err)
		}
		sent := map[string][]byte{ // as sent → bytes
			"..":             []byte("dot dot\n"),
			"CON.txt":        []byte("a device name on Windows\n"),
			"Shot.txt":       []byte("the first shot\n"),
			"shot.txt":       []byte("the second shot, same name in another case\n"),
			"kuitansi.txt":   []byte("receipt: the same bytes on another person's ticket\n"),
			".bashrc":        []byte("hidden\n"),
			`a:b*?<>|".txt`:  []byte("odd characters\n"),
			"../../evil.txt": []byte("a path\n"),
		}
		files := func(names ...string) []tickets.File {
			var out []tickets.File
			for _, n := range names {
				out = append(out, tickets.File{Name: n, Data: sent[n]})
			}
			return out
		}
		submit := func(r tickets.SubmitRequest) string {
			t.Helper()
			clock.Advance(time.Minute)
			res, err := svc.Intake.Submit(ctx, r)
			if err != nil {
				t.Fatal(err)
			}
			return res.Ticket.Ref
		}
		sari := tickets.Requester{Email: "sari@example.com", Name: "Sari"}
		ref1 := submit(tickets.SubmitRequest{Kind: tickets.KindRefund, Channel: tickets.ChannelEmail, Requester: sari, Order: "7301",
			Details: "Promosi saya gagal.", Language: "id", Evidence: files("..", "CON.txt", "Shot.txt", "shot.txt", "kuitansi.txt")})
		ref2 := submit(tickets.SubmitRequest{Kind: tickets.KindRefund, Channel: tickets.ChannelEmail, Requester: sari, Order: "7303",
			Details: "Yang kedua.", Language: "id", Evidence: files(".bashrc", `a:b*?<>|".txt`, "../../evil.txt")})
		submit(tickets.SubmitRequest{Kind: tickets.KindRefund, Channel: tickets.ChannelEmail,
			Requester: tickets.Requester{Email: "budi@example.com", Name: "Budi"}, Order: "7302", Details: "Budi's words.",
			Language: "en", Evidence: []tickets.File{{Name: "budi-receipt.txt", Data: sent["kuitansi.txt"]}}})

		var first, second bytes.Buffer
		_, err = svc.Records.ExportRequester(ctx, tickets.Requester{Email: "sari@example.com"}, "ayu",
			func(ex *tickets.RequesterExport, open tickets.OpenEvidence) error {
				if err := archive.Write(&first, cat, ex, open); err != nil {
					return err
				}
				return archive.Write(&second, cat, ex, open)
			})
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(first.Bytes(), second.Bytes()) {
			t.Error("the same snapshot gave two archives")
		}
		zr, err := zip.NewReader(bytes.NewReader(first.Bytes()), int64(first.Len()))
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
			if strings.Contains(f.Name, "..") || strings.HasPrefix(f.Name, "/") || strings.ContainsAny(f.Name, `\:*?"<>|`) {
				t.Errorf("unsafe entry %q", f.Name)
			}
			if strings.Contains(strings.ToLower(string(b)), "budi") {
				t.Errorf("%s shows Budi", f.Name)
			}
		}
		want := []string{"README.txt", "data.json",
			"tickets/" + ref1 + "/evidence/file", "tickets/" + ref1 + "/evidence/_CON.txt",
			"tickets/" + ref1 + "/evidence/Shot.txt", "tickets/" + ref1 + "/evidence/shot-2.txt",
			"tickets/" + ref1 + "/evidence/kuitansi.txt",
			"tickets/" + ref2 + "/evidence/bashrc", "tickets/" + ref2 + "/evidence/a_b______.txt",
			"tickets/" + ref2 + "/evidence/evil.txt"}
		if !slices.Equal(names, want) {
			t.Errorf("entries:\n%s\nwant:\n%s", strings.Join(names, "\n"), strings.Join(want, "\n"))
		}
		var doc archive.Document
		if err := json.Unmarshal(entries["data.json"], &doc); err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, tk := range doc.Tickets {
			for _, f := range tk.Evidence {
				n++
				if got := entries[f.File]; !bytes.Equal(got, sent[f.Name]) && !bytes.Equal(got, sent["../../"+f.Name]) {
					t.Errorf("%s (sent as %q): %q", f.File, f.Name, got)
				}
			}
		}
		if n != len(sent) {
			t.Errorf("%d files in data.json, want %d", n, len(sent))
		}
	})
}

// An account the desk took from an order's record is not the requester's,
// and the desk never shows it to them: on SQLite and PostgreSQL the
// archive has it nowhere, neither on the ticket that took it nor in an
// agent's change away from it, while an account the requester gave, the
// record's too, is there. Each field not in their own words says where it
// came from, in data.json and README.txt: the signature, an agent.
func TestArchiveLeavesOutRecordAccount(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		ctx := context.Background()
		clock := storetest.NewClock(time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC))
		db := storetest.Open(t, dialect, clock)
		svc := tickets.NewService(db, tickets.Options{Clock: clock})
		cat, err := templates.NewCatalog(slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatal(err)
		}
		csv := strings.Join(tickets.PromotionColumns, ",") + "\n" +
			"7301000000000000041,@someone_elses_shop,,views,100000,IDR,wallet,2026-11-01T09:00:00Z,,,,completed,10000,500,100000,false,0\n" +
			"7301000000000000043,@another_shop,,views,100000,IDR,wallet,2026-11-01T09:00:00Z,,,,completed,10000,500,100000,false,0\n" +
			"7301000000000000042,@sari_shop,,views,100000,IDR,wallet,2026-11-01T09:00:00Z,,,,completed,10000,500,100000,false,0\n"
		if _, err := svc.Records.ImportPromotions(ctx, strings.NewReader(csv), tickets.ImportOptions{File: "p.csv"}); err != nil {
			t.Fatal(err)
		}
		sari := tickets.Requester{Email: "sari@example.com", Name: "Sari"}
		submit := func(r tickets.SubmitRequest) *tickets.Ticket {
			t.Helper()
			clock.Advance(time.Minute)
			res, err := svc.Intake.Submit(ctx, r)
			if err != nil {
				t.Fatal(err)
			}
			return res.Ticket
		}
		// No account named: the desk takes the record's.
		taken := submit(tickets.SubmitRequest{Kind: tickets.KindRefund, Channel: tickets.ChannelEmail, Requester: sari,
			Order: "7301000000000000041", Reason: tickets.ReasonUnderDelivery, Details: "refund please", Language: "en"})
		if taken.Account != "@someone_elses_shop" || taken.Sources.Of(tickets.FieldSourceAccount) != tickets.SourceRecord {
			t.Fatalf("account %q from %s, want the record's", taken.Account, taken.Sources.Of(tickets.FieldSourceAccount))
		}
		// Taken too, then an agent corrects it.
		corrected := submit(tickets.SubmitRequest{Kind: tickets.KindRefund, Channel: tickets.ChannelEmail, Requester: sari,
			Order: "7301000000000000043", Reason: tickets.ReasonUnderDelivery, Details: "and this one", Language: "en"})
		mine := "@sari_real"
		if _, err := svc.Desk.Edit(ctx, corrected.Ref, "ayu", tickets.Fields{Account: &mine}); err != nil {
			t.Fatal(err)
		}
		// Her own account, the record's, found in her signature.
		signed := submit(tickets.SubmitRequest{Kind: tickets.KindRefund, Channel: tickets.ChannelEmail, Requester: sari,
			Order: "7301000000000000042", Account: "@sari_shop", Reason: tickets.ReasonUnderDelivery, Details: "the third",
			Language: "en", Sources: tickets.Sources{tickets.FieldSourceAccount: tickets.SourceSignature}})

		var buf bytes.Buffer
		if _, err := svc.Records.ExportRequester(ctx, tickets.Requester{Email: sari.Email}, "ayu",
			func(ex *tickets.RequesterExport, open tickets.OpenEvidence) error {
				return archive.Write(&buf, cat, ex, open)
			}); err != nil {
			t.Fatal(err)
		}
		zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
		if err != nil {
			t.Fatal(err)
		}
		entries := map[string]string{}
		for _, f := range zr.File {
			r, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			b, err := io.ReadAll(r)
			if err != nil {
				t.Fatal(err)
			}
			entries[f.Name] = string(b)
			for _, acc := range []string{"someone_elses_shop", "another_shop"} {
				if strings.Contains(string(b), acc) {
					t.Errorf("%s shows the record's account %s", f.Name, acc)
				}
			}
		}
		var doc archive.Document
		if err := json.Unmarshal([]byte(entries["data.json"]), &doc); err != nil {
			t.Fatal(err)
		}
		byRef := map[string]archive.Ticket{}
		for _, tk := range doc.Tickets {
			byRef[tk.Ref] = tk
		}
		if tk := byRef[taken.Ref]; tk.Account != "" || len(tk.Sources) != 0 {
			t.Errorf("%s: account %q, sources %+v; want neither", tk.Ref, tk.Account, tk.Sources)
		}
		if tk := byRef[corrected.Ref]; tk.Account != mine ||
			!slices.Equal(tk.Sources, []archive.FieldSource{{Field: "account", Source: tickets.SourceAgent, Text: "corrected by an agent"}}) {
			t.Errorf("%s: account %q, sources %+v", tk.Ref, tk.Account, tk.Sources)
		}
		if tk := byRef[signed.Ref]; tk.Account != "@sari_shop" ||
			!slices.Equal(tk.Sources, []archive.FieldSource{{Field: "account", Source: tickets.SourceSignature, Text: "from the signature"}}) {
			t.Errorf("%s: account %q, sources %+v", tk.Ref, tk.Account, tk.Sources)
		}
		for _, s := range []string{"The account (@sari_shop) is not in your own words: from the signature.",
			"The account (@sari_real) is not in your own words: corrected by an agent."} {
			if !strings.Contains(entries["README.txt"], s) {
				t.Errorf("README.txt has no %q:\n%s", s, entries["README.txt"])
			}
		}
	})
}
