package sqlstore_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"refunddesk/internal/storetest"
	"refunddesk/tickets"
	"refunddesk/tickets/sqlstore"
)

// exportFixture is a desk where Sari has two tickets (one filed under her
// address in capitals), messages, files (one of them the same bytes as a
// file on Budi's ticket), an agent's note, the acknowledgements sent to
// her, a note she wrote on Budi's ticket with a file, and a mail of hers
// set aside. Budi and Ayu (Discord, with a name) each wrote a note on
// Sari's ticket, with a file.
type exportFixture struct {
	svc                  *tickets.Service
	db                   *sqlstore.DB
	clock                *storetest.Clock
	sari1, sari2, budi   string
	shared, sariOnly     []byte
	sariElsewhere, budiF []byte
	ayuFile              []byte
}

var (
	sari = tickets.Requester{Email: "sari@example.com", Name: "Sari Wulandari"}
	budi = tickets.Requester{Email: "budi@example.com", Name: "Budi Santoso"}
	ayu  = tickets.Requester{DiscordID: "412345678901234567", Name: "Ayu Lestari"}
)

func newExportFixture(t *testing.T, dialect string) *exportFixture {
	t.Helper()
	ctx := context.Background()
	clock := storetest.NewClock(time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC))
	db := storetest.Open(t, dialect, clock)
	svc := tickets.NewService(db, tickets.Options{Clock: clock})
	f := &exportFixture{svc: svc, db: db, clock: clock,
		shared:        []byte("receipt of order 7301 and 7302: the same bytes on two tickets\n"),
		sariOnly:      []byte("sari's screenshot, as text\n"),
		sariElsewhere: []byte("sari's file about order 7302\n"),
		budiF:         []byte("budi's private file about order 7301\n"),
		ayuFile:       []byte("ayu's private file about order 7301\n"),
	}
	submit := func(r tickets.SubmitRequest) *tickets.SubmitResult {
		t.Helper()
		clock.Advance(time.Minute)
		res, err := svc.Intake.Submit(ctx, r)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	f.sari1 = submit(tickets.SubmitRequest{Kind: tickets.KindRefund, Channel: tickets.ChannelEmail, Requester: sari, Order: "7301",
		Reason: tickets.ReasonUnderDelivery, Details: "Promosi saya hanya dapat 2 ribu tayangan dari 50 ribu.", Language: "id",
		Evidence: []tickets.File{{Name: "../../etc/passwd", Data: f.sariOnly}, {Name: "kuitansi.txt", Data: f.shared}}}).Ticket.Ref
	f.budi = submit(tickets.SubmitRequest{Kind: tickets.KindRefund, Channel: tickets.ChannelEmail, Requester: budi, Order: "7302",
		Reason: tickets.ReasonDuplicateCharge, Details: "Budi's words: charged twice for 7302.", Language: "en",
		Evidence: []tickets.File{{Name: "receipt.txt", Data: f.shared}}}).Ticket.Ref
	// Budi and Ayu write about Sari's order: notes on her ticket.
	submit(tickets.SubmitRequest{Kind: tickets.KindRefund, Channel: tickets.ChannelEmail, Requester: budi, Order: "7301",
		Details: "Budi's note: 7301 is mine really.", Language: "en", Evidence: []tickets.File{{Name: "budi.txt", Data: f.budiF}}})
	submit(tickets.SubmitRequest{Kind: tickets.KindRefund, Channel: tickets.ChannelDiscord, Requester: ayu, Order: "7301",
		Details: "Ayu's note: I paid for 7301.", Language: "en", Evidence: []tickets.File{{Name: "ayu.txt", Data: f.ayuFile}}})
	// An agent files for Dewi about Sari's order: a note on her ticket too.
	submit(tickets.SubmitRequest{Kind: tickets.KindRefund, Channel: tickets.ChannelAgent, Actor: "ayu-agent",
		Requester: tickets.Requester{Email: "Dewi@Example.com"}, Order: "7301", Details: "Dewi called: she paid for 7301.", Language: "en"})
	// Sari writes about Budi's order: a note on his ticket.
	submit(tickets.SubmitRequest{Kind: tickets.KindRefund, Channel: tickets.ChannelEmail, Requester: sari, Order: "7302",
		Details: "Saya juga dikenai biaya dua kali.", Language: "id", Evidence: []tickets.File{{Name: "bukti.txt", Data: f.sariElsewhere}}})
	f.sari2 = submit(tickets.SubmitRequest{Kind: tickets.KindRevocation, Channel: tickets.ChannelEmail,
		Requester: tickets.Requester{Email: "SARI@Example.COM", Name: "Sari W."}, Account: "@sari", Details: "Tolong cabut izin video saya.",
		Language: "id"}).Ticket.Ref
	clock.Advance(time.Minute)
	if _, err := svc.Desk.Act(ctx, tickets.ActionRequest{Ref: f.sari1, Actor: "ayu-agent", Action: tickets.ActionNote,
		Text: "checked the dashboard with her"}); err != nil {
		t.Fatal(err)
	}
	for _, fail := range []tickets.InboundFailure{
		{Channel: tickets.ChannelEmail, Key: "mail:1", Source: "imap:INBOX", Sender: "Sari@Example.com", Subject: "lampiran terlalu besar",
			Size: 30 << 20, Reason: "too_large: 30 MiB", SetAside: "Failed", CreatedAt: clock.Now()},
		{Channel: tickets.ChannelEmail, Key: "mail:2", Source: "imap:INBOX", Sender: budi.Email, Subject: "budi's set-aside mail",
			Size: 10, Reason: "unreadable", SetAside: "Failed", CreatedAt: clock.Now()},
	} {
		if err := svc.Intake.RecordFailure(ctx, fail); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

// export runs the use case and keeps the files' bytes as the store streams them.
func export(t *testing.T, svc *tickets.Service, who tickets.Requester) (*tickets.RequesterExport, map[string][]byte, error) {
	t.Helper()
	files := map[string][]byte{}
	ex, err := svc.Records.ExportRequester(context.Background(), who, "ayu-agent", func(ex *tickets.RequesterExport, open tickets.OpenEvidence) error {
		var all []tickets.Evidence
		for _, d := range ex.Tickets {
			all = append(all, d.Evidence...)
		}
		for _, n := range ex.Elsewhere {
			all = append(all, n.Evidence...)
		}
		for _, e := range all {
			r, err := open(e.SHA256)
			if err != nil {
				return err
			}
			b, err := io.ReadAll(r)
			if err != nil {
				return err
			}
			files[e.SHA256] = b
		}
		return nil
	})
	return ex, files, err
}

func sha(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }

// A requester's export holds their two tickets (found by address in any
// case) with their messages, files, audit and the messages sent to them;
// their note on someone else's ticket with its file, and nothing else of
// that ticket; the message sent to them on no ticket; their mail set
// aside. Nothing of Budi or Ayu, who wrote on her ticket: not their words,
// files, addresses, names or ids. The files' bytes are the stored ones.
func TestExportRequester(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newExportFixture(t, dialect)
		checkSariExport(t, f)
	})
}

// Audit entries written before codes (migration 0006: no code, action
// evidence, the file's name in detail) are read as the ones after: the
// file Sari sent with her note on Budi's ticket is in her export, and the
// files Budi and Ayu sent with their notes on her ticket are not.
func TestExportRequesterPre0006Files(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newExportFixture(t, dialect)
		sq := f.db.SQL()
		var rows []struct {
			ID     int64  `db:"id"`
			Params string `db:"params"`
		}
		if err := sq.Select(&rows, sq.Rebind(`SELECT id, params FROM ticket_audit WHERE code = ?`), tickets.AuditEvidence); err != nil {
			t.Fatal(err)
		}
		if len(rows) != 3 { // Budi's, Ayu's and Sari's files sent with their notes
			t.Fatalf("%d evidence entries, want 3", len(rows))
		}
		for _, r := range rows {
			var p tickets.AuditParams
			if err := json.Unmarshal([]byte(r.Params), &p); err != nil {
				t.Fatal(err)
			}
			detail := fmt.Sprintf("%s (%s, %d B)", p.Name, p.ContentType, p.Size)
			if _, err := sq.Exec(sq.Rebind(`UPDATE ticket_audit SET code = '', params = '', detail = ? WHERE id = ?`), detail, r.ID); err != nil {
				t.Fatal(err)
			}
		}
		checkSariExport(t, f)
	})
}

// checkSariExport exports Sari by her address and checks all of it.
func checkSariExport(t *testing.T, f *exportFixture) {
	t.Helper()
	ex, files, err := export(t, f.svc, tickets.Requester{Email: "Sari@example.COM"})
	if err != nil {
		t.Fatal(err)
	}
	var refs []string
	for _, d := range ex.Tickets {
		refs = append(refs, d.Ref)
	}
	if !slices.Equal(refs, []string{f.sari1, f.sari2}) {
		t.Fatalf("tickets %v, want %v", refs, []string{f.sari1, f.sari2})
	}
	if ex.Language != "id" {
		t.Errorf("language %q, want id (her tickets')", ex.Language)
	}
	t1 := ex.Tickets[0]
	var bodies []string
	for _, m := range t1.Messages {
		bodies = append(bodies, m.Body)
	}
	if !slices.Equal(bodies, []string{"Promosi saya hanya dapat 2 ribu tayangan dari 50 ribu.", "checked the dashboard with her"}) {
		t.Errorf("messages of %s: %q", t1.Ref, bodies)
	}
	var sums []string
	for _, e := range t1.Evidence {
		sums = append(sums, e.SHA256)
	}
	if !slices.Equal(sums, []string{sha(f.sariOnly), sha(f.shared)}) {
		t.Errorf("evidence of %s: %v", t1.Ref, t1.Evidence)
	}
	if len(t1.Audit) == 0 || t1.Audit[0].Code != tickets.AuditCreated {
		t.Errorf("audit of %s: %+v", t1.Ref, t1.Audit)
	}
	if len(t1.Outbox) == 0 || t1.Outbox[0].Template != tickets.TemplateAcknowledgement || !strings.EqualFold(t1.Outbox[0].Recipient, sari.Email) {
		t.Errorf("outbox of %s: %+v", t1.Ref, t1.Outbox)
	}
	if len(ex.Elsewhere) != 1 || ex.Elsewhere[0].Message.Body != "Saya juga dikenai biaya dua kali." ||
		len(ex.Elsewhere[0].Evidence) != 1 || ex.Elsewhere[0].Evidence[0].SHA256 != sha(f.sariElsewhere) {
		t.Errorf("elsewhere: %+v", ex.Elsewhere)
	}
	if len(ex.Outbox) != 1 || ex.Outbox[0].Template != tickets.TemplateReceived || ex.Outbox[0].TicketRef != "" {
		t.Errorf("outbox on no ticket: %+v", ex.Outbox)
	}
	if len(ex.SetAside) != 1 || ex.SetAside[0].Subject != "lampiran terlalu besar" {
		t.Errorf("set aside: %+v", ex.SetAside)
	}
	for sum, want := range map[string][]byte{sha(f.sariOnly): f.sariOnly, sha(f.shared): f.shared, sha(f.sariElsewhere): f.sariElsewhere} {
		if !bytes.Equal(files[sum], want) {
			t.Errorf("file %s: %q, want %q", sum, files[sum], want)
		}
	}
	if len(files) != 3 {
		t.Errorf("%d files read, want 3", len(files))
	}
	// Nothing of anyone else, anywhere in it.
	all, err := json.Marshal(ex)
	if err != nil {
		t.Fatal(err)
	}
	text := strings.ToLower(string(all))
	for _, other := range []string{"budi", "ayu lestari", ayu.DiscordID, "7302", "dewi", strings.ToLower(f.budi), "other_requester",
		sha(f.budiF), sha(f.ayuFile), "i paid for 7301", "ayu.txt"} {
		if strings.Contains(text, strings.ToLower(other)) {
			t.Errorf("the export shows %q", other)
		}
	}
}

// A Discord requester with a name is found by their id: their own ticket,
// and their note on Sari's ticket with its file, nothing else of hers.
func TestExportRequesterDiscord(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newExportFixture(t, dialect)
		ex, files, err := export(t, f.svc, tickets.Requester{DiscordID: ayu.DiscordID})
		if err != nil {
			t.Fatal(err)
		}
		if len(ex.Tickets) != 0 {
			t.Errorf("tickets: %d, want none", len(ex.Tickets))
		}
		if len(ex.Elsewhere) != 1 || ex.Elsewhere[0].Message.Body != "Ayu's note: I paid for 7301." ||
			len(ex.Elsewhere[0].Evidence) != 1 || !bytes.Equal(files[sha(f.ayuFile)], f.ayuFile) {
			t.Errorf("elsewhere: %+v", ex.Elsewhere)
		}
		if len(ex.Outbox) != 1 || ex.Outbox[0].Recipient != ayu.DiscordID {
			t.Errorf("outbox: %+v", ex.Outbox)
		}
		all, _ := json.Marshal(ex)
		for _, other := range []string{"sari", f.sari1, "Promosi", sha(f.shared)} {
			if strings.Contains(strings.ToLower(string(all)), strings.ToLower(other)) {
				t.Errorf("the export shows %q", other)
			}
		}
	})
}

// Each exported ticket's audit trail records who exported it, once the
// archive was written; a failed write records nothing. A person of whom
// nothing is kept is not found, and changes nothing.
func TestExportRequesterAudit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newExportFixture(t, dialect)
		ctx := context.Background()
		exported := func(ref string) []tickets.AuditEntry {
			d, err := f.svc.Records.Detail(ctx, ref)
			if err != nil {
				t.Fatal(err)
			}
			var out []tickets.AuditEntry
			for _, e := range d.Audit {
				if e.Code == tickets.AuditExported {
					out = append(out, e)
				}
			}
			return out
		}
		boom := errors.New("disk full")
		_, err := f.svc.Records.ExportRequester(ctx, sari, "ayu-agent", func(*tickets.RequesterExport, tickets.OpenEvidence) error { return boom })
		if !errors.Is(err, boom) {
			t.Fatalf("err %v, want %v", err, boom)
		}
		if n := len(exported(f.sari1)); n != 0 {
			t.Fatalf("a failed export recorded %d entries", n)
		}
		if _, _, err := export(t, f.svc, sari); err != nil {
			t.Fatal(err)
		}
		for _, ref := range []string{f.sari1, f.sari2} {
			es := exported(ref)
			if len(es) != 1 || es[0].Actor != "ayu-agent" || !reflect.DeepEqual(es[0].Params, tickets.AuditParams{}) {
				t.Errorf("%s: exported entries %+v", ref, es)
			}
		}
		if n := len(exported(f.budi)); n != 0 {
			t.Errorf("Budi's ticket, where Sari only wrote a note, records %d exports", n)
		}
		_, _, err = export(t, f.svc, tickets.Requester{Email: "nobody@example.com"})
		var nf *tickets.NotFoundError
		if !errors.As(err, &nf) || nf.Code != "requester.not_found" {
			t.Errorf("nobody: %v, want requester.not_found", err)
		}
		for _, bad := range []tickets.Requester{{}, {Email: "not an address"}, {DiscordID: "4123"}, {DiscordID: "ayu#1234"},
			{DiscordID: "123456789012345678901"}} {
			if _, _, err := export(t, f.svc, bad); !tickets.IsValidation(err) {
				t.Errorf("%+v: %v, want a validation error", bad, err)
			}
		}
		// A Discord id is checked as erasure checks it.
		for _, id := range []string{"4123", "41234567890123456", "12345678901234567890", "123456789012345678901", "4123456789012345x"} {
			_, _, exportErr := export(t, f.svc, tickets.Requester{DiscordID: id})
			_, eraseErr := f.svc.Desk.Erase(ctx, tickets.EraseRequest{DiscordID: id, Actor: "ayu-agent", DryRun: true})
			if tickets.IsValidation(exportErr) != tickets.IsValidation(eraseErr) {
				t.Errorf("%s: export %v, erasure %v", id, exportErr, eraseErr)
			}
		}
	})
}

// A note an agent filed for someone on another person's ticket is theirs:
// found by the address the audit names, though the agent wrote it.
func TestExportRequesterFiledByAgent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newExportFixture(t, dialect)
		ex, _, err := export(t, f.svc, tickets.Requester{Email: "dewi@example.com"})
		if err != nil {
			t.Fatal(err)
		}
		if len(ex.Tickets) != 0 || len(ex.Elsewhere) != 1 || ex.Elsewhere[0].Message.Body != "Dewi called: she paid for 7301." {
			t.Fatalf("tickets %d, elsewhere %+v", len(ex.Tickets), ex.Elsewhere)
		}
		all, _ := json.Marshal(ex)
		for _, other := range []string{"sari", f.sari1, "Promosi", "budi"} {
			if strings.Contains(strings.ToLower(string(all)), strings.ToLower(other)) {
				t.Errorf("the export shows %q", other)
			}
		}
	})
}

// A file larger than a piece of the stream (1 MiB) comes back whole, byte
// for byte, across the pieces' edges.
func TestExportRequesterLargeFile(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		ctx := context.Background()
		clock := storetest.NewClock(time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC))
		db := storetest.Open(t, dialect, clock)
		svc := tickets.NewService(db, tickets.Options{Clock: clock})
		var big bytes.Buffer
		for i := 0; big.Len() < 5<<19+7; i++ {
			fmt.Fprintf(&big, "line %d of a long text file\n", i)
		}
		if _, err := svc.Intake.Submit(ctx, tickets.SubmitRequest{Kind: tickets.KindRefund, Channel: tickets.ChannelEmail, Requester: sari,
			Order: "7301", Details: "a big file", Evidence: []tickets.File{{Name: "big.txt", Data: big.Bytes()}}}); err != nil {
			t.Fatal(err)
		}
		_, files, err := export(t, svc, sari)
		if err != nil {
			t.Fatal(err)
		}
		if got := files[sha(big.Bytes())]; !bytes.Equal(got, big.Bytes()) {
			t.Errorf("%d bytes back of %d", len(got), big.Len())
		}
	})
}

// The person is the same for their export and their erasure: asked for by
// one contact, a ticket of theirs that gives another (a Discord request
// with her address) makes that one hers too, and so on. Sari's export by
// address holds her Discord-only ticket, the Discord messages sent to her,
// her note by Discord on Budi's ticket and the answer to it; by her
// Discord id it holds the same. A dry-run erasure finds the same tickets
// and contacts.
func TestExportRequesterOtherContacts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newExportFixture(t, dialect)
		ctx := context.Background()
		const discord = "512345678901234567"
		submit := func(r tickets.SubmitRequest) *tickets.SubmitResult {
			t.Helper()
			f.clock.Advance(time.Minute)
			res, err := f.svc.Intake.Submit(ctx, r)
			if err != nil {
				t.Fatal(err)
			}
			return res
		}
		both := submit(tickets.SubmitRequest{Kind: tickets.KindRevocation, Channel: tickets.ChannelDiscord,
			Requester: tickets.Requester{Email: "sari@example.com", DiscordID: discord, Name: "sari_w"}, Account: "@sari_discord",
			Details: "cabut izin video saya", Language: "id"}).Ticket.Ref
		only := submit(tickets.SubmitRequest{Kind: tickets.KindRefund, Channel: tickets.ChannelDiscord,
			Requester: tickets.Requester{DiscordID: discord, Name: "sari_w"}, Order: "7304", Reason: tickets.ReasonUnderDelivery,
			Details: "views kurang", Language: "id"}).Ticket.Ref
		if r := submit(tickets.SubmitRequest{Kind: tickets.KindRefund, Channel: tickets.ChannelDiscord,
			Requester: tickets.Requester{DiscordID: discord, Name: "sari_w"}, Order: "7302", Details: "lewat Discord: 7302 juga",
			Language: "id"}); r.Outcome != tickets.OutcomeReceived {
			t.Fatalf("her note by Discord on Budi's ticket: outcome %s", r.Outcome)
		}
		// By Discord about the order of her ticket by address: the desk
		// does not know it is her, and keeps it as someone else's note.
		if r := submit(tickets.SubmitRequest{Kind: tickets.KindRefund, Channel: tickets.ChannelDiscord,
			Requester: tickets.Requester{DiscordID: discord, Name: "sari_w"}, Order: "7301", Details: "ini juga saya, lewat Discord",
			Language: "id", Evidence: []tickets.File{{Name: "dari-discord.txt", Data: []byte("her file, sent by Discord\n")}}}); r.Outcome != tickets.OutcomeReceived {
			t.Fatalf("her note by Discord on her own ticket: outcome %s", r.Outcome)
		}
		want := []string{f.sari1, f.sari2, both, only}
		for _, who := range []tickets.Requester{{Email: "sari@example.com"}, {DiscordID: discord}} {
			ex, _, err := export(t, f.svc, who)
			if err != nil {
				t.Fatal(err)
			}
			var refs []string
			toDiscord := 0
			for _, d := range ex.Tickets {
				refs = append(refs, d.Ref)
				for _, it := range d.Outbox {
					if it.Recipient == discord {
						toDiscord++
					}
				}
			}
			if !slices.Equal(refs, want) {
				t.Errorf("%+v: tickets %v, want %v", who, refs, want)
			}
			if toDiscord < 2 {
				t.Errorf("%+v: %d messages to her Discord id on her tickets, want the acknowledgements of both", who, toDiscord)
			}
			// Her note on her own ticket is hers: there, with its file.
			if len(ex.Tickets) > 0 {
				var bodies, names []string
				for _, m := range ex.Tickets[0].Messages {
					bodies = append(bodies, m.Body)
				}
				for _, e := range ex.Tickets[0].Evidence {
					names = append(names, e.Name)
				}
				if !slices.Contains(bodies, "ini juga saya, lewat Discord") || !slices.Contains(names, "dari-discord.txt") {
					t.Errorf("%+v: her note by Discord on %s is not in it: %q, files %q", who, ex.Tickets[0].Ref, bodies, names)
				}
				if slices.Contains(bodies, "Budi's note: 7301 is mine really.") || slices.Contains(names, "budi.txt") {
					t.Errorf("%+v: Budi's note on %s is in it", who, ex.Tickets[0].Ref)
				}
			}
			var notes []string
			for _, n := range ex.Elsewhere {
				notes = append(notes, n.Message.Body)
			}
			if !slices.Equal(notes, []string{"Saya juga dikenai biaya dua kali.", "lewat Discord: 7302 juga"}) {
				t.Errorf("%+v: notes elsewhere %q", who, notes)
			}
			var rcpts []string
			for _, it := range ex.Outbox {
				rcpts = append(rcpts, strings.ToLower(it.Recipient))
			}
			if !slices.Equal(rcpts, []string{"sari@example.com", discord, discord}) {
				t.Errorf("%+v: messages on no ticket to %q", who, rcpts)
			}
			if len(ex.SetAside) != 1 {
				t.Errorf("%+v: %d mails set aside, want 1", who, len(ex.SetAside))
			}
			if !slices.Equal(ex.Identity.Emails, []string{"sari@example.com"}) || !slices.Equal(ex.Identity.DiscordIDs, []string{discord}) {
				t.Errorf("%+v: identity %+v", who, ex.Identity)
			}
			all, _ := json.Marshal(ex)
			for _, other := range []string{"budi", "ayu lestari", ayu.DiscordID, "dewi", "i paid for 7301"} {
				if strings.Contains(strings.ToLower(string(all)), strings.ToLower(other)) {
					t.Errorf("%+v: the export shows %q", who, other)
				}
			}

			// The erasure takes the same person.
			res, err := f.svc.Desk.Erase(ctx, tickets.EraseRequest{Email: who.Email, DiscordID: who.DiscordID, Actor: "ayu-agent", DryRun: true})
			if err != nil {
				t.Fatal(err)
			}
			var erased []string
			for _, et := range res.Found.Tickets {
				erased = append(erased, et.Ref)
			}
			if !slices.Equal(erased, refs) || !slices.Equal(res.Found.Emails, ex.Identity.Emails) ||
				!slices.Equal(res.Found.DiscordIDs, ex.Identity.DiscordIDs) {
				t.Errorf("%+v: the erasure finds %v %v %v, the export %v %+v", who, erased, res.Found.Emails, res.Found.DiscordIDs,
					refs, ex.Identity)
			}
		}
	})
}
