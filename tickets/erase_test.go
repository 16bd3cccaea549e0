package tickets_test

import (
	"encoding/hex"
	"encoding/json"
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
			{tickets.EraseRequest{DiscordID: "12ab", Actor: "citra"}, "discord_id.invalid"},
			{tickets.EraseRequest{DiscordID: "4242", Actor: "citra"}, "discord_id.invalid"},
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

// An agent files a request for her about Ayu's order (a note on Ayu's
// ticket, with a file), then, within the minute, answers Ayu and notes
// something of Ayu's. The erasure takes out the note filed for her and its
// file, and nothing else the agent wrote: Ayu's answer and note, and the
// agent's name on them, stay.
func TestEraseAgentFiledRequestOnly(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newSvcFixture(t, dialect, tickets.Options{})
		f.importPromos(svcPromotion(svcOrderB, svcAccountB, 5000))
		ayu := f.submit(svcRefund(svcOrderB, svcAccountB)).Ticket.Ref
		f.clock.Advance(time.Hour)
		r := f.submit(tickets.SubmitRequest{Kind: tickets.KindRefund, Channel: tickets.ChannelAgent, Actor: "budi",
			Requester: tickets.Requester{Email: eraseEmail}, Order: svcOrderB, Details: "Zubaidah called about this order",
			Evidence: []tickets.File{svcPNG("zubaidah.png", "zubaidah's screenshot")}})
		if r.Outcome != tickets.OutcomeReceived {
			t.Fatalf("outcome %s", r.Outcome)
		}
		f.clock.Advance(20 * time.Second)
		f.act(tickets.ActionRequest{Ref: ayu, Actor: "budi", Action: tickets.ActionReply, Text: "Hi Ayu, your refund is on its way"})
		f.act(tickets.ActionRequest{Ref: ayu, Actor: "budi", Action: tickets.ActionNote, Text: "Ayu's bank is BCA"})
		before := f.detail(ayu)

		res, err := f.svc.Desk.Erase(f.ctx, tickets.EraseRequest{Email: eraseEmail, Actor: "citra"})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Found.Others) != 1 || res.Found.Others[0].Ref != ayu || res.Found.Counts.Messages != 1 ||
			res.Found.Counts.EvidenceLinks != 1 || res.Found.Counts.Blobs != 1 {
			t.Fatalf("found %+v %+v", res.Found.Others, res.Found.Counts)
		}
		d := f.detail(ayu)
		if len(d.Messages) != len(before.Messages) {
			t.Fatalf("messages %d, were %d", len(d.Messages), len(before.Messages))
		}
		for i, m := range d.Messages {
			was := before.Messages[i]
			if was.Body == "Zubaidah called about this order" {
				if m.Body != tickets.Erased || m.Author != "budi" {
					t.Errorf("the note filed for her: %q by %q", m.Body, m.Author)
				}
				continue
			}
			if m.Body != was.Body || m.Author != was.Author {
				t.Errorf("Ayu's conversation changed: %q by %q, was %q by %q", m.Body, m.Author, was.Body, was.Author)
			}
		}
		for _, a := range d.Audit {
			if a.Actor == tickets.Erased {
				t.Errorf("an agent's name went: %+v", a)
			}
			if a.Code == tickets.AuditOtherRequester && a.Params.Requester != tickets.Erased {
				t.Errorf("her address on Ayu's trail: %+v", a.Params)
			}
		}
		if len(d.Evidence) != 1 || d.Evidence[0].Name != "results.png" {
			t.Errorf("Ayu's files: %+v", d.Evidence)
		}
		if found := findPerson(dumpTables(t, f.db), eraseNeedles); len(found) > 0 {
			t.Errorf("still there:\n%s", strings.Join(found, "\n"))
		}
	})
}

// Audit entries written before migration 0006 keep their words in detail
// (code ”, the action alone): her request on Ayu's ticket and her file
// there, so written, are found, the file unlinked and its words erased.
func TestErasePre0006Entries(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		e := newEraseFixture(t, dialect)
		f := e.svcFixture
		old := func(q string, args ...any) {
			if f.db.Dialect() == sqlstore.Postgres {
				q = strings.ReplaceAll(strings.Replace(strings.Replace(q, "?", "$1", 1), "?", "$2", 1), "?", "$3")
			}
			if _, err := f.db.SQL().Exec(q, args...); err != nil {
				t.Fatal(err)
			}
		}
		addr := strings.ToLower(eraseEmail)
		old(`UPDATE ticket_audit SET code = '', params = '', detail = 'qorinawati.png (image/png, 30 B)'
			WHERE code = 'evidence' AND actor = ?`, addr)
		old(`UPDATE ticket_audit SET code = '', action = 'joined', params = '',
			detail = 'another refund request by email joined this ticket from a different requester (' || ? || ')'
			WHERE code = 'other_requester' AND actor = ?`, addr, addr)
		e.erase(tickets.EraseRequest{Email: eraseEmail})
		e.erase(tickets.EraseRequest{DiscordID: eraseDiscord})
		for _, ev := range f.detail(e.ayu).Evidence {
			if ev.Name == "qorinawati.png" {
				t.Errorf("her file from before 0006 is still on Ayu's ticket")
			}
		}
		if found := findPerson(dumpTables(t, f.db), eraseNeedles); len(found) > 0 {
			t.Errorf("still there:\n%s", strings.Join(found, "\n"))
		}
	})
}

// Mentions of her in other people's text (an agent's note and answer on
// Ayu's ticket, another requester's own words on a ticket she never wrote
// on) go, each replaced by the marker, the rest of their words staying:
// no search finds her by address, name or account, no table holds them,
// and the ticket that only named her says so in its trail.
func TestEraseMentionsInOthersText(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		e := newEraseFixture(t, dialect)
		f := e.svcFixture
		f.act(tickets.ActionRequest{Ref: e.ayu, Actor: "budi", Action: tickets.ActionNote,
			Text: "spoke to " + strings.ToLower(eraseEmail) + " (Zubaidah  Qorinawati) about it; her shop is zq_butik"})
		f.act(tickets.ActionRequest{Ref: e.ayu, Actor: "budi", Action: tickets.ActionReply,
			Text: "We checked with " + strings.ToUpper(eraseEmail) + ", not with kayu@example.com"})
		rina := f.submit(tickets.SubmitRequest{Kind: tickets.KindRevocation, Channel: tickets.ChannelEmail,
			Requester: tickets.Requester{Email: "rina@example.com", Name: "Rina"}, Account: "@rina_shop",
			Details: "my friend " + eraseAccount + " told me about you"}).Ticket.Ref
		// Someone else's mail set aside, whose subject names her.
		if err := f.svc.Intake.RecordFailure(f.ctx, tickets.InboundFailure{Channel: tickets.ChannelEmail, Key: "imap:inbox:91",
			Source: "imap INBOX uid 91", Sender: "kayu@example.com", Subject: "Fwd: refund for " + eraseEmail + " (zq_butik)",
			Size: 30 << 20, Reason: "too_large", SetAside: "Refunddesk/Failed", CreatedAt: f.clock.Now()}); err != nil {
			t.Fatal(err)
		}

		res := e.erase(tickets.EraseRequest{Email: eraseEmail})
		e.erase(tickets.EraseRequest{DiscordID: eraseDiscord})
		// Rina's, and her own Discord ticket, which names her by name and
		// account (her mail's erasure does not know it as hers).
		if !slices.ContainsFunc(res.Found.Mentioned, func(et tickets.ErasedTicket) bool { return et.Ref == rina }) ||
			slices.ContainsFunc(res.Found.Mentioned, func(et tickets.ErasedTicket) bool { return et.Ref == e.ayu }) ||
			res.Found.Counts.MentionTickets != len(res.Found.Mentioned) || res.Found.Counts.Mentions < 4 {
			t.Errorf("mentioned %+v, %+v", res.Found.Mentioned, res.Found.Counts)
		}
		for _, q := range []string{strings.ToLower(eraseEmail), "qorinawati", "zubaidah qorinawati", "zq_butik", "butik"} {
			if refs := f.searchAll(q, "citra", 50); len(refs) > 0 {
				t.Errorf("search %q finds %v", q, refs)
			}
		}
		dump := dumpTables(t, f.db)
		if found := findPerson(dump, eraseNeedles); len(found) > 0 {
			t.Errorf("still there:\n%s", strings.Join(found, "\n"))
		}
		delete(dump, "promotions") // the order's record is the platform's, not hers to erase
		if found := findPerson(dump, []string{"zq_butik"}); len(found) > 0 {
			t.Errorf("her account is still there:\n%s", strings.Join(found, "\n"))
		}
		a := f.detail(e.ayu)
		want := []string{"spoke to […] ([…]) about it; her shop is […]", "We checked with […], not with kayu@example.com"}
		for _, w := range want {
			if !slices.ContainsFunc(a.Messages, func(m tickets.Message) bool { return m.Body == w && m.Author == "budi" }) {
				t.Errorf("Ayu's ticket has no %q by budi: %+v", w, a.Messages)
			}
		}
		r := f.detail(rina)
		if r.Details != "my friend […] told me about you" || r.Requester.Email != "rina@example.com" || r.Account != "@rina_shop" {
			t.Errorf("Rina's ticket: %+v", r.Ticket)
		}
		if l := svcLastAudit(t, r); l.Code != tickets.AuditErased || !slices.Equal(l.Params.Fields, []string{tickets.ErasedMentions}) {
			t.Errorf("Rina's ticket's audit: %+v", l)
		}
		if !slices.ContainsFunc(mustOutbox(t, f), func(it tickets.OutboxItem) bool {
			return strings.Contains(it.Data.Text, "We checked with […], not with kayu@example.com")
		}) {
			t.Errorf("the answer to Ayu in the outbox lost more than the mention")
		}
		fails, err := f.svc.Intake.Failures(f.ctx, 10)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.ContainsFunc(fails, func(x tickets.InboundFailure) bool {
			return x.Sender == "kayu@example.com" && x.Subject == "Fwd: refund for […] ([…])"
		}) {
			t.Errorf("Kayu's mail set aside is gone or still names her: %+v", fails)
		}
	})
}

// Ayu writes about her account on her open ticket: a note and a file of
// Ayu's. They are Ayu's data, not hers: her erasure keeps them (taking the
// mention of her out of Ayu's words), and Ayu's export still has them.
func TestEraseKeepsOthersNotesOnTheirTicket(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		e := newEraseFixture(t, dialect)
		f := e.svcFixture
		r := f.submit(tickets.SubmitRequest{Kind: tickets.KindRevocation, Channel: tickets.ChannelEmail,
			Requester: tickets.Requester{Email: "ayu@example.com", Name: "Ayu"}, Account: eraseAccount,
			Details: "this video is mine too, not Zubaidah Qorinawati's", Evidence: []tickets.File{svcPNG("ayu-proof.png", "ayu's proof")}})
		if r.Outcome != tickets.OutcomeReceived {
			t.Fatalf("Ayu's note: %s", r.Outcome)
		}
		res := e.erase(tickets.EraseRequest{DiscordID: eraseDiscord})
		if res.Found.Counts.Tickets != 1 || res.Found.Tickets[0].Ref != e.discord {
			t.Fatalf("found %+v", res.Found.Tickets)
		}
		d := f.detail(e.discord)
		if !slices.ContainsFunc(d.Messages, func(m tickets.Message) bool {
			return m.Author == "ayu@example.com" && m.Body == "this video is mine too, not […]'s"
		}) {
			t.Errorf("Ayu's note on her ticket: %+v", d.Messages)
		}
		for _, m := range d.Messages {
			if m.Author != "ayu@example.com" && m.Body != tickets.Erased && m.Body != "" {
				t.Errorf("her ticket kept %q by %q", m.Body, m.Author)
			}
		}
		if len(d.Evidence) != 1 || d.Evidence[0].Name != "ayu-proof.png" {
			t.Fatalf("files on her ticket: %+v", d.Evidence)
		}
		if err := f.db.View(f.ctx, func(tx tickets.Tx) error { _, err := tx.EvidenceData(d.Evidence[0].SHA256); return err }); err != nil {
			t.Errorf("Ayu's file: %v", err)
		}
		if !slices.ContainsFunc(d.Audit, func(a tickets.AuditEntry) bool {
			return a.Code == tickets.AuditOtherRequester && a.Actor == "ayu@example.com" && a.Params.Requester == "ayu@example.com"
		}) {
			t.Errorf("Ayu's request on her trail went")
		}
		ex, err := f.svc.Records.ExportRequester(f.ctx, tickets.Requester{Email: "ayu@example.com"}, "citra",
			func(*tickets.RequesterExport, tickets.OpenEvidence) error { return nil })
		if err != nil {
			t.Fatal(err)
		}
		if b, _ := json.Marshal(ex); !strings.Contains(string(b), "this video is mine too") || !strings.Contains(string(b), "ayu-proof.png") {
			t.Errorf("Ayu's export lost her note or file on the erased ticket")
		}
		if found := findPerson(dumpTables(t, f.db), []string{eraseDiscord}); len(found) > 0 {
			t.Errorf("still there:\n%s", strings.Join(found, "\n"))
		}
	})
}

// An erased refund reopened, edited, or given a file computes its verdict
// again: it takes no account from its order's record (her handle), and
// its steps name none.
func TestEraseTakesNoAccountFromRecordAgain(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		e := newEraseFixture(t, dialect)
		f := e.svcFixture
		e.erase(tickets.EraseRequest{Email: eraseEmail})
		f.act(tickets.ActionRequest{Ref: e.own, Actor: "budi", Action: tickets.ActionReopen})
		if _, err := f.svc.Desk.AddEvidence(f.ctx, e.own, "budi", []tickets.File{svcPNG("agent.png", "agent's own")}); err != nil {
			t.Fatal(err)
		}
		d := f.detail(e.own)
		if d.Account != "" || d.Sources.Of(tickets.FieldSourceAccount) == tickets.SourceRecord {
			t.Errorf("account %q from %s", d.Account, d.Sources.Of(tickets.FieldSourceAccount))
		}
		if b, _ := json.Marshal(d.Ticket); strings.Contains(string(b), "zq_butik") {
			t.Errorf("her handle is back on her erased ticket: %s", b)
		}
		if refs := f.searchAll("zq_butik", "citra", 50); slices.Contains(refs, e.own) {
			t.Errorf("search finds %v", refs)
		}
		// A ticket never erased still takes the record's account.
		f.importPromos(svcPromotion(svcOrderC, "@sari_shop", 5000))
		r := f.submit(tickets.SubmitRequest{Kind: tickets.KindRefund, Channel: tickets.ChannelEmail,
			Requester: tickets.Requester{Email: "sari@example.com"}, Order: svcOrderC, Reason: tickets.ReasonUnderDelivery,
			Details: "refund please"})
		if got := f.detail(r.Ticket.Ref); got.Account != "@sari_shop" {
			t.Errorf("a new ticket on the order: account %q", got.Account)
		}
	})
}

// A Discord id naming a person is 17 to 20 digits.
func TestCheckDiscordID(t *testing.T) {
	for id, ok := range map[string]bool{
		"918273645501928374": true, "12345678901234567": true, "12345678901234567890": true,
		"1234567890123456": false, "123456789012345678901": false, "4242": false, "": false,
		"91827364550192837a": false, " 918273645501928374": false, "٩١٨٢٧٣٦٤٥٥٠١٩٢٨٣٧٤": false,
	} {
		err := tickets.CheckDiscordID(id)
		var ve *tickets.ValidationError
		if ok && err != nil || !ok && (!errors.As(err, &ve) || ve.Code != "discord_id.invalid") {
			t.Errorf("%q: %v", id, err)
		}
	}
}

// Identity.Scrub replaces whole mentions only: an address in any case, a
// Discord id, a handle with or without its @ (four characters or more), a
// name of two words (any space between them) or of one word of four
// letters or more.
func TestIdentityScrub(t *testing.T) {
	id := &tickets.Identity{Emails: []string{"ayu@example.com"}, DiscordIDs: []string{"918273645501928374"},
		Names: []string{"Ayu", "Siti Rahayu", "Qorinawati"}, Accounts: []string{"@zq_butik", "@ab"}}
	for in, want := range map[string]string{
		"mail AYU@Example.com.":        "mail […].",
		"kayu@example.com":             "kayu@example.com",
		"ayu@example.com.au":           "ayu@example.com.au",
		"id 918273645501928374, not 1": "id […], not 1",
		"9182736455019283745":          "9182736455019283745",
		"Ayu wrote":                    "Ayu wrote",
		"siti\n rahayu called":         "[…] called",
		"Sitirahayu":                   "Sitirahayu",
		"QORINAWATI's shop":            "[…]'s shop",
		"Qorinawatix":                  "Qorinawatix",
		"@zq_butik and zq_butik.":      "[…] and […].",
		"zq_butik2 x@zq_butik":         "zq_butik2 x@zq_butik",
		"@ab and ab":                   "[…] and ab",
		"":                             "",
	} {
		got, changed := id.Scrub(in)
		if got != want || changed != (in != want) {
			t.Errorf("%q: %q %v, want %q", in, got, changed, want)
		}
	}
}
