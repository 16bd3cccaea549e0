package tickets_test

import (
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"refunddesk/internal/storetest"
	"refunddesk/tickets"
	"refunddesk/tickets/sqlstore"
)

// The person the erasure tests erase: words no other data of the tests
// holds, so finding one anywhere is finding them.
const (
	eraseEmail   = "Zubaidah.Qorina@Contoh.ID"
	eraseName    = "Zubaidah Qorinawati"
	eraseDiscord = "918273645501928374"
	eraseAccount = "@zq_butik"
)

// eraseNeedles are what must be found nowhere after the erasure: the
// address in any case, the name's words, the Discord id.
var eraseNeedles = []string{strings.ToLower(eraseEmail), "zubaidah", "qorinawati", eraseDiscord}

// eraseFixture files, for the person, an email refund (paid), a Discord
// revocation, a note on someone else's ticket with a file, a mail set
// aside, and, for someone else (Ayu), a refund that shares a file with the
// person's: what an erasure has to find.
type eraseFixture struct {
	*svcFixture
	own, discord, ayu string // references
	shared            string // the sha256 of the file both Ayu and the person sent
}

func newEraseFixture(t *testing.T, dialect string) *eraseFixture {
	f := newSvcFixture(t, dialect, tickets.Options{Watchers: []tickets.Channel{cardChannel}})
	f.importPromos(svcPromotion(svcOrderA, eraseAccount, 5000), svcPromotion(svcOrderB, svcAccountB, 5000))
	e := &eraseFixture{svcFixture: f}

	ayu := svcRefund(svcOrderB, svcAccountB)
	ayu.Evidence = []tickets.File{svcPNG("receipt.png", "shared-receipt"), svcPNG("ayu.png", "ayu-only")}
	e.ayu = f.submit(ayu).Ticket.Ref

	mine := tickets.SubmitRequest{Kind: tickets.KindRefund, Channel: tickets.ChannelEmail,
		Requester: tickets.Requester{Email: eraseEmail, Name: eraseName}, Account: eraseAccount, Order: svcOrderA,
		Reason: tickets.ReasonUnderDelivery, Details: "Saya Zubaidah Qorinawati, jangkauannya jauh di bawah janji",
		Evidence:       []tickets.File{svcPNG("zubaidah-bukti.png", "zubaidah qorinawati screenshot"), svcPNG("receipt.png", "shared-receipt")},
		IdempotencyKey: "mail:<z1@contoh.id>:abc", ExternalID: "<z1@contoh.id>"}
	res := f.submit(mine)
	e.own = res.Ticket.Ref
	for _, ev := range res.Ticket.Evidence {
		if ev.Name == "receipt.png" {
			e.shared = ev.SHA256
		}
	}
	f.clock.Advance(time.Hour)
	f.act(tickets.ActionRequest{Ref: e.own, Actor: "budi", Action: tickets.ActionReply, Text: "Halo Zubaidah, kami cek dulu"})
	f.act(tickets.ActionRequest{Ref: e.own, Actor: "budi", Action: tickets.ActionNote, Text: "Zubaidah menelepon juga"})
	f.act(tickets.ActionRequest{Ref: e.own, Actor: "budi", Action: tickets.ActionApprove, Text: "ok untuk Zubaidah"})
	f.act(tickets.ActionRequest{Ref: e.own, Actor: "budi", Action: tickets.ActionResolve})
	// Some of the mail to her went out; the rest is still queued.
	items, err := f.svc.Delivery.ClaimOutbox(f.ctx, tickets.ChannelEmail, 2, time.Minute)
	if err != nil || len(items) == 0 {
		t.Fatalf("claim: %v %v", items, err)
	}
	for _, it := range items {
		if err := f.svc.Delivery.FinishOutbox(f.ctx, it, tickets.OutboxResult{Sent: true, ExternalID: "<sent-" + fmt.Sprint(it.ID) + "@desk>"}); err != nil {
			t.Fatal(err)
		}
	}

	// Her Discord account, on a revocation: the same person, by name.
	e.discord = f.submit(tickets.SubmitRequest{Kind: tickets.KindRevocation, Channel: tickets.ChannelDiscord,
		Requester: tickets.Requester{DiscordID: eraseDiscord, Name: eraseName}, Account: eraseAccount,
		Details: "tolong cabut izin video saya, Zubaidah", IdempotencyKey: "discord:5551", ExternalID: "interaction:5551"}).Ticket.Ref

	// She writes about Ayu's order: a note on Ayu's ticket, with a file.
	other := tickets.SubmitRequest{Kind: tickets.KindRefund, Channel: tickets.ChannelEmail,
		Requester: tickets.Requester{Email: strings.ToLower(eraseEmail), Name: eraseName}, Order: svcOrderB,
		Details: "Ini juga pesanan saya - Zubaidah", Evidence: []tickets.File{svcPNG("qorinawati.png", "zubaidah note file")},
		IdempotencyKey: "mail:<z2@contoh.id>:def", ExternalID: "<z2@contoh.id>"}
	if r := f.submit(other); r.Outcome != tickets.OutcomeReceived {
		t.Fatalf("the note: %s", r.Outcome)
	}
	// And from Discord: a note under her name, with a file.
	if r := f.submit(tickets.SubmitRequest{Kind: tickets.KindRefund, Channel: tickets.ChannelDiscord,
		Requester: tickets.Requester{DiscordID: eraseDiscord, Name: eraseName}, Order: svcOrderB,
		Details: "saya juga, Zubaidah", Evidence: []tickets.File{svcPNG("dc.png", "zubaidah discord file")},
		IdempotencyKey: "discord:5552", ExternalID: "interaction:5552"}); r.Outcome != tickets.OutcomeReceived {
		t.Fatalf("the Discord note: %s", r.Outcome)
	}
	if err := f.svc.Intake.RecordFailure(f.ctx, tickets.InboundFailure{Channel: tickets.ChannelEmail, Key: "imap:inbox:77",
		Source: "imap INBOX uid 77", Sender: eraseEmail, Subject: "Refund Zubaidah Qorinawati", Size: 1 << 20,
		Reason: "too_large", SetAside: "Refunddesk/Failed", CreatedAt: f.clock.Now()}); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(time.Hour)
	return e
}

func (e *eraseFixture) erase(r tickets.EraseRequest) *tickets.ErasureResult {
	e.t.Helper()
	if r.Actor == "" {
		r.Actor = "citra"
	}
	res, err := e.svc.Desk.Erase(e.ctx, r)
	if err != nil {
		e.t.Fatalf("erase %+v: %v", r, err)
	}
	return res
}

// dumpTables reads every row of every table of the store, each row as
// one string, sorted, by table: the tables are read from the schema, so a
// table added later is read too.
func dumpTables(t *testing.T, db *sqlstore.DB) map[string][]string {
	t.Helper()
	sq := db.SQL()
	var names []string
	q := `SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`
	if db.Dialect() == sqlstore.Postgres {
		q = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1`
	}
	if err := sq.Select(&names, q); err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, name := range names {
		var rows []string
		if db.Dialect() == sqlstore.Postgres {
			// Every column as text: a tsvector's words, a bytea in hex.
			if err := sq.Select(&rows, `SELECT row_to_json(t)::text FROM `+name+` t`); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
		} else {
			rs, err := sq.Queryx(`SELECT * FROM ` + name)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			for rs.Next() {
				cols, err := rs.SliceScan()
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				var b strings.Builder
				for _, c := range cols {
					if v, ok := c.([]byte); ok {
						b.Write(v)
					} else {
						fmt.Fprint(&b, c)
					}
					b.WriteByte('|')
				}
				rows = append(rows, b.String())
			}
			if err := rs.Err(); err != nil {
				t.Fatal(err)
			}
			rs.Close()
		}
		slices.Sort(rows)
		out[name] = rows
	}
	if len(out) < 20 {
		t.Fatalf("only %d tables: %v", len(out), names)
	}
	return out
}

// findPerson lists where a dump holds one of the needles: in any case, and
// in hex (PostgreSQL's bytea).
func findPerson(dump map[string][]string, needles []string) []string {
	var found []string
	for table, rows := range dump {
		for _, r := range rows {
			low := strings.ToLower(r)
			for _, n := range needles {
				if strings.Contains(low, n) || strings.Contains(low, hex.EncodeToString([]byte(n))) {
					found = append(found, fmt.Sprintf("%s: %q in %.200q", table, n, r))
				}
			}
		}
	}
	slices.Sort(found)
	return found
}

// After an erasure, no table, column, search or outbox holds the person:
// every table and column is read from the schema and searched for her
// address (any case), her name's words and her Discord id. Her tickets keep
// their bare facts and the dashboard's counts; Ayu's ticket keeps the file
// they both sent, and its own words; each ticket touched says who erased it.
func TestEraseRequester(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		e := newEraseFixture(t, dialect)
		f := e.svcFixture
		before := dumpTables(t, f.db)
		if found := findPerson(before, eraseNeedles); len(found) < 10 {
			t.Fatalf("the fixture should hold her in many places, found %d: %v", len(found), found)
		}
		paid := f.detail(e.own)
		ayuBefore := f.detail(e.ayu)
		stats := func() []string {
			d := dumpTables(t, f.db)
			return slices.Concat(d["stats_hours"], d["stats_days"], d["stats_refunds"], d["stats_delays"])
		}
		statsBefore := stats()

		res := e.erase(tickets.EraseRequest{Email: strings.ToLower(eraseEmail)})
		c := res.Found.Counts
		if res.Nothing || res.DryRun || c.Tickets != 1 || c.OtherTickets != 1 || c.Blobs != 2 || c.BlobsKept != 1 ||
			c.InboundFailures != 1 || c.OutboxBlanked == 0 || c.OutboxDeleted == 0 || c.Messages < 4 || c.IntakeKeys != 0 {
			t.Fatalf("erased %+v", c)
		}
		// Her Discord ticket names another contact: erased by its id.
		if res := e.erase(tickets.EraseRequest{DiscordID: eraseDiscord}); res.Found.Counts.Tickets != 1 || res.Found.Counts.OtherTickets != 1 ||
			res.Found.Counts.Blobs != 1 {
			t.Fatalf("by her Discord id: %+v", res.Found.Counts)
		}
		if len(res.Found.SetAside) != 1 || !strings.Contains(res.Found.SetAside[0], "Refunddesk/Failed") {
			t.Errorf("set aside: %v", res.Found.SetAside)
		}

		after := dumpTables(t, f.db)
		if found := findPerson(after, eraseNeedles); len(found) > 0 {
			t.Errorf("still there after the erasure:\n%s", strings.Join(found, "\n"))
		}
		if found := findPerson(map[string][]string{"tickets": after["tickets"]}, []string{"zq_butik"}); len(found) > 0 {
			t.Errorf("her account is still on her tickets: %v", found)
		}
		for _, q := range []string{"zubaidah", "qorinawati", "Zubaidah.Qorina@Contoh.ID", "contoh", "butik", "account:" + eraseAccount} {
			if refs := f.searchAll(q, "citra", 50); len(refs) > 0 {
				t.Errorf("search %q finds %v", q, refs)
			}
		}
		for _, it := range mustOutbox(t, f) {
			if it.Recipient != "" && (strings.EqualFold(it.Recipient, eraseEmail) || it.Recipient == eraseDiscord) {
				t.Errorf("outbox still to her: %+v", it)
			}
		}

		d := f.detail(e.own)
		if d.Requester != (tickets.Requester{}) || d.Account != "" || d.Order != svcOrderA || d.Status != tickets.StatusResolved ||
			d.Eligibility.Verdict != paid.Eligibility.Verdict || *d.ApprovedAmount != *paid.ApprovedAmount || d.Reason != paid.Reason ||
			!d.CreatedAt.Equal(paid.CreatedAt) || d.Assignee != paid.Assignee || len(d.Evidence) != 0 || d.Version != paid.Version+1 {
			t.Errorf("her ticket's facts: %+v", d.Ticket)
		}
		last := svcLastAudit(t, d)
		if last.Code != tickets.AuditErased || last.Actor != "citra" || !slices.Equal(last.Params.Fields,
			[]string{tickets.ErasedContact, tickets.ErasedMessages, tickets.ErasedEvidence}) {
			t.Errorf("audit %+v", last)
		}
		if !slices.Equal(stats(), statsBefore) {
			t.Errorf("the dashboard's counts moved:\n%v\n%v", statsBefore, stats())
		}

		a := f.detail(e.ayu)
		if a.Requester != ayuBefore.Requester || len(a.Evidence) != 2 || a.Details != ayuBefore.Details {
			t.Errorf("Ayu's ticket: %+v", a.Ticket)
		}
		for _, ev := range a.Evidence {
			if err := f.db.View(f.ctx, func(tx tickets.Tx) error { _, err := tx.EvidenceData(ev.SHA256); return err }); err != nil {
				t.Errorf("Ayu's file %s: %v", ev.Name, err)
			}
		}
		if !slices.ContainsFunc(a.Evidence, func(ev tickets.Evidence) bool { return ev.SHA256 == e.shared }) {
			t.Errorf("the shared file left Ayu's ticket")
		}
		if a.Messages[0].Body != ayuBefore.Messages[0].Body || a.Messages[0].Author != "ayu@example.com" {
			t.Errorf("Ayu's own words: %+v", a.Messages[0])
		}
		if l := svcLastAudit(t, a); l.Code != tickets.AuditErased || !slices.Equal(l.Params.Fields, []string{tickets.ErasedNotes}) {
			t.Errorf("Ayu's ticket's audit: %+v", l)
		}

		// An export finds nothing of her, by either contact.
		for _, who := range []tickets.Requester{{Email: eraseEmail}, {DiscordID: eraseDiscord}} {
			_, err := f.svc.Records.ExportRequester(f.ctx, who, "citra", func(*tickets.RequesterExport, tickets.OpenEvidence) error { return nil })
			if !errors.Is(err, tickets.ErrNotFound) {
				t.Errorf("export of %+v after the erasure: %v", who, err)
			}
		}
		after = dumpTables(t, f.db)

		// Again: nothing is kept, nothing is done.
		for _, r := range []tickets.EraseRequest{{Email: eraseEmail}, {DiscordID: eraseDiscord}} {
			if again := e.erase(r); !again.Nothing {
				t.Errorf("a second erasure: %+v", again.Found)
			}
		}
		if d := dumpTables(t, f.db); !sameDump(d, after) {
			t.Errorf("a second erasure changed the store")
		}
		// She writes again: a new requester.
		back := f.submit(tickets.SubmitRequest{Kind: tickets.KindRefund, Channel: tickets.ChannelEmail,
			Requester: tickets.Requester{Email: eraseEmail}, Order: svcOrderB, Account: svcAccountB, Details: "halo lagi"})
		if back.Outcome != tickets.OutcomeReceived {
			t.Errorf("she wrote again about Ayu's order: %s", back.Outcome)
		}
	})
}

func sameDump(a, b map[string][]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if !slices.Equal(v, b[k]) {
			return false
		}
	}
	return true
}

func mustOutbox(t *testing.T, f *svcFixture) []tickets.OutboxItem {
	t.Helper()
	list, err := f.db.ListOutbox(f.ctx, tickets.OutboxFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return list
}

// Erased by her Discord id: her Discord ticket, and nothing of her mail
// tickets, which name another contact.
func TestEraseRequesterByDiscordID(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		e := newEraseFixture(t, dialect)
		res := e.erase(tickets.EraseRequest{DiscordID: eraseDiscord})
		if res.Found.Counts.Tickets != 1 || res.Found.Tickets[0].Ref != e.discord {
			t.Fatalf("found %+v", res.Found)
		}
		found := findPerson(dumpTables(t, e.db), []string{eraseDiscord})
		if len(found) > 0 {
			t.Errorf("her Discord id is still there: %v", found)
		}
		if d := e.detail(e.own); d.Requester.Email != eraseEmail {
			t.Errorf("her mail ticket was erased by her Discord id: %+v", d.Requester)
		}
	})
}

// An address or an id is found whole, in any case for an address: not
// inside a longer one.
func TestIdentityMentions(t *testing.T) {
	id := tickets.Identity{Emails: []string{"ayu@example.com"}, DiscordIDs: []string{"918273645501928374"}}
	for s, want := range map[string]bool{
		"ayu@example.com": true, "AYU@Example.COM": true, "mail to Ayu@example.com.": true, "<ayu@example.com>": true,
		`{"recipient":"ayu@example.com"}`: true, "discord:918273645501928374": true, "918273645501928374": true,
		"kayu@example.com": false, "ayu@example.com.au": false, "ayu@example.community": false, "x.ayu@example.com": false,
		"9182736455019283745": false, "1918273645501928374": false, "": false, "ayu": false,
	} {
		if got := id.Mentions(s); got != want {
			t.Errorf("%q: %v, want %v", s, got, want)
		}
	}
}

// A dry run counts and changes nothing; a refund of hers approved and not
// yet paid refuses the erasure, naming it, and changes nothing; bad
// requests are refused.
func TestEraseRequesterRefusals(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		e := newEraseFixture(t, dialect)
		f := e.svcFixture
		before := dumpTables(t, f.db)
		dry := e.erase(tickets.EraseRequest{Email: eraseEmail, DryRun: true})
		if !dry.DryRun || dry.Found.Counts.Tickets != 1 || dry.Found.Counts.Blobs != 2 {
			t.Fatalf("dry run: %+v", dry.Found.Counts)
		}
		if !sameDump(dumpTables(t, f.db), before) {
			t.Fatalf("a dry run changed the store")
		}

		f.importPromos(svcPromotion(svcOrderC, eraseAccount, 5000))
		unpaid := f.submit(tickets.SubmitRequest{Kind: tickets.KindRefund, Channel: tickets.ChannelEmail,
			Requester: tickets.Requester{Email: eraseEmail}, Account: eraseAccount, Order: svcOrderC,
			Reason: tickets.ReasonUnderDelivery, Details: "satu lagi", Evidence: []tickets.File{svcPNG("lagi.png", "satu lagi")}}).Ticket.Ref
		f.act(tickets.ActionRequest{Ref: unpaid, Actor: "budi", Action: tickets.ActionApprove})
		before = dumpTables(t, f.db)
		_, err := f.svc.Desk.Erase(f.ctx, tickets.EraseRequest{Email: eraseEmail, Actor: "citra"})
		var ce *tickets.ConflictError
		if !errors.As(err, &ce) || ce.Code != "erase.unpaid" || ce.Params["Refs"] != unpaid {
			t.Fatalf("an approved refund not paid: %v", err)
		}
		if !sameDump(dumpTables(t, f.db), before) {
			t.Fatalf("a refused erasure changed the store")
		}
		// Paid, it goes.
		f.act(tickets.ActionRequest{Ref: unpaid, Actor: "budi", Action: tickets.ActionResolve})
		if res := e.erase(tickets.EraseRequest{Email: eraseEmail}); res.Found.Counts.Tickets != 2 {
			t.Fatalf("after payment: %+v", res.Found.Counts)
		}

		for _, bad := range []struct {
			r    tickets.EraseRequest
			code string
		}{
			{tickets.EraseRequest{Actor: "citra"}, "erase.no_target"},
			{tickets.EraseRequest{Email: "a@b.c", DiscordID: "1", Actor: "citra"}, "erase.both_targets"},
			{tickets.EraseRequest{Email: "not an address", Actor: "citra"}, "email.invalid"},
			{tickets.EraseRequest{DiscordID: "12ab", Actor: "citra"}, "erase.discord_id"},
			{tickets.EraseRequest{DiscordID: "4242", Actor: "citra"}, "erase.discord_id"},
			{tickets.EraseRequest{Email: "a@b.c"}, "agent.unknown_actor"},
		} {
			_, err := f.svc.Desk.Erase(f.ctx, bad.r)
			var ve *tickets.ValidationError
			if !errors.As(err, &ve) || ve.Code != bad.code {
				t.Errorf("%+v: %v, want %s", bad.r, err, bad.code)
			}
		}
	})
}
