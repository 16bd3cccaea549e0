package sqlstore_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"refunddesk/internal/storetest"
	"refunddesk/tickets"
	"refunddesk/tickets/sqlstore"
)

const day = 24 * time.Hour

// before0010 takes a store back to schema version 9: retention's indexes
// and log go (see before0008).
var before0010 = []string{
	`DROP TABLE retention_log`, `DROP INDEX tickets_status_changed`, `DROP INDEX ticket_evidence_sha256`,
	`DROP INDEX intake_keys_ticket`, `DROP INDEX tickets_parent`, `DELETE FROM schema_migrations WHERE version >= 10`,
}

// retentionFixture is a store, a service and retention by rules over it,
// on a clock the test moves.
type retentionFixture struct {
	t     *testing.T
	ctx   context.Context
	clock *storetest.Clock
	db    *sqlstore.DB
	svc   *tickets.Service
	ret   *tickets.Retention
}

func newRetentionFixture(t *testing.T, dialect string, rules tickets.RetentionRules) *retentionFixture {
	ctx, clock, db, svc := groupStore(t, dialect)
	return &retentionFixture{t: t, ctx: ctx, clock: clock, db: db, svc: svc, ret: tickets.NewRetention(db, clock, rules, nil)}
}

func retentionPNG(seed string) tickets.File {
	return tickets.File{Name: seed + ".png", Data: append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), []byte(seed)...)}
}

// submit opens a ticket by mail with the files and the details' words.
func (f *retentionFixture) submit(email, order, details string, files ...tickets.File) *tickets.Ticket {
	f.t.Helper()
	res, err := f.svc.Intake.Submit(f.ctx, tickets.SubmitRequest{Kind: tickets.KindRefund, Channel: tickets.ChannelEmail,
		Requester: tickets.Requester{Email: email, Name: "Nama " + strings.Split(email, "@")[0]}, Order: order,
		Details: details, Evidence: files, ExternalID: "<" + order + "@mail.example>"})
	if err != nil {
		f.t.Fatalf("submit %s: %v", order, err)
	}
	return res.Ticket
}

func (f *retentionFixture) act(ref string, a tickets.Action, text string) {
	f.t.Helper()
	if _, err := f.svc.Desk.Act(f.ctx, tickets.ActionRequest{Ref: ref, Actor: "ayu", Action: a, Text: text}); err != nil {
		f.t.Fatalf("%s %s: %v", a, ref, err)
	}
}

func (f *retentionFixture) detail(ref string) *tickets.TicketDetail {
	f.t.Helper()
	d, err := f.svc.Records.Detail(f.ctx, ref)
	if err != nil {
		f.t.Fatalf("detail %s: %v", ref, err)
	}
	return d
}

func (f *retentionFixture) run() *tickets.RetentionRun {
	f.t.Helper()
	run, err := f.ret.Run(f.ctx, "test", nil)
	if err != nil {
		f.t.Fatalf("retention: %v", err)
	}
	return run
}

// search returns the refs a query finds.
func (f *retentionFixture) search(q string) []string {
	f.t.Helper()
	res, err := f.svc.Records.Search(f.ctx, q, "ayu", 50, "")
	if err != nil {
		f.t.Fatalf("search %q: %v", q, err)
	}
	var refs []string
	for _, tk := range res.Tickets {
		refs = append(refs, tk.Ref)
	}
	slices.Sort(refs)
	return refs
}

func retentionCodes(d *tickets.TicketDetail) []string {
	var out []string
	for _, e := range d.Audit {
		if e.Code == tickets.AuditRetention || e.Code == tickets.AuditRetentionMessages {
			out = append(out, fmt.Sprintf("%s:%d:%d", e.Code, e.Params.Count, e.Params.Size))
		}
	}
	return out
}

func (f *retentionFixture) count(q string, args ...any) int {
	f.t.Helper()
	var n int
	if err := f.db.SQL().Get(&n, f.db.SQL().Rebind(q), args...); err != nil {
		f.t.Fatalf("%s: %v", q, err)
	}
	return n
}

// A closed ticket's evidence goes once its time is up, its messages stay;
// a file another ticket still links stays for it; an open ticket and one
// closed more recently keep theirs. A second run finds nothing to do.
func TestRetentionRemovesEvidence(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newRetentionFixture(t, dialect, tickets.RetentionRules{Evidence: 180 * day, Batch: 2})
		shared := retentionPNG("shared")
		own := retentionPNG("own-of-a")
		a := f.submit("ana@example.com", "7301001", "first request", own, shared)
		b := f.submit("budi@example.com", "7301002", "second request", shared)
		c := f.submit("citra@example.com", "7301003", "still open", retentionPNG("open"))
		old := make([]*tickets.Ticket, 3) // a full batch and one more
		for i := range old {
			old[i] = f.submit(fmt.Sprintf("old%d@example.com", i), fmt.Sprintf("730110%d", i), "old", retentionPNG(fmt.Sprintf("old%d", i)))
		}
		f.act(a.Ref, tickets.ActionReply, "we are looking into it")
		f.act(a.Ref, tickets.ActionClose, "")
		for _, o := range old {
			f.act(o.Ref, tickets.ActionClose, "")
		}
		f.clock.Advance(100 * day)
		f.act(b.Ref, tickets.ActionClose, "")
		f.clock.Advance(81 * day) // a closed 181 days ago, b 81
		msgsBefore := len(f.detail(a.Ref).Messages)

		run := f.run()
		got := run.Part(tickets.RetainEvidence)
		if got.Tickets != 4 || got.Evidence != 5 || got.Blobs != 4 || got.Messages != 0 || run.Batches != 2 {
			t.Fatalf("removed %+v in %d batches, want 4 tickets, 5 links, 4 files (the shared one stays) in 2", got, run.Batches)
		}
		if got.Bytes != int64(len(own.Data)+3*len(retentionPNG("old0").Data)) {
			t.Errorf("bytes %d", got.Bytes)
		}
		da := f.detail(a.Ref)
		if len(da.Evidence) != 0 || len(da.Messages) != msgsBefore || msgsBefore == 0 {
			t.Errorf("a: %d files, %d messages (had %d)", len(da.Evidence), len(da.Messages), msgsBefore)
		}
		if codes := retentionCodes(da); len(codes) != 1 || codes[0] != fmt.Sprintf("retention:2:%d", len(own.Data)+len(shared.Data)) {
			t.Errorf("a's audit: %v", codes)
		}
		// b still has the shared file, and its bytes.
		db := f.detail(b.Ref)
		if len(db.Evidence) != 1 || len(retentionCodes(db)) != 0 {
			t.Fatalf("b: %+v %v", db.Evidence, retentionCodes(db))
		}
		if _, data, err := f.svc.Records.EvidenceFile(f.ctx, b.Ref, db.Evidence[0].Name); err != nil || string(data) != string(shared.Data) {
			t.Errorf("b's shared file: %q %v", data, err)
		}
		if len(f.detail(c.Ref).Evidence) != 1 {
			t.Errorf("the open ticket lost its evidence")
		}
		if n := f.count(`SELECT COUNT(*) FROM evidence_blobs`); n != 2 {
			t.Errorf("%d files kept, want 2 (shared, open)", n)
		}
		if again := f.run(); again.Batches != 0 || !again.Part(tickets.RetainEvidence).Empty() {
			t.Errorf("a second run: %+v", again)
		}
		// b's time comes: the shared file goes with its last link.
		f.clock.Advance(100 * day)
		if got := f.run().Part(tickets.RetainEvidence); got.Tickets != 1 || got.Blobs != 1 {
			t.Errorf("b's turn: %+v", got)
		}
		log, err := f.ret.Log(f.ctx, 10)
		if err != nil || len(log) != 3 || log[0].Tickets != 1 || log[2].Tickets != 2 || log[1].Tickets != 2 {
			t.Errorf("log: %+v %v", log, err)
		}
	})
}

// A closed ticket's conversation goes once its time is up: its messages,
// its details (the first message's words), what was sent to the requester
// (not what is still to be sent), and the search no longer finds their
// words; the ticket, its evidence and its other fields stay and are still
// found.
func TestRetentionRemovesMessages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newRetentionFixture(t, dialect, tickets.RetentionRules{Messages: 365 * day, Evidence: 730 * day, Tickets: 730 * day})
		a := f.submit("ana@example.com", "7302001", "order seven", retentionPNG("a"))
		keep := f.submit("budi@example.com", "7302002", "order eight")
		f.act(a.Ref, tickets.ActionReply, "the kangaroo report says otherwise")
		f.act(keep.Ref, tickets.ActionReply, "the kangaroo team will check")
		if got := f.search("kangaroo"); len(got) != 2 {
			t.Fatalf("before: %v", got)
		}
		f.db.SQL().MustExec(f.db.SQL().Rebind(`UPDATE outbox SET status = 'sent' WHERE ticket_id = ? AND id = (SELECT MIN(id) FROM outbox WHERE ticket_id = ?)`), a.ID, a.ID)
		sent := f.count(`SELECT COUNT(*) FROM outbox WHERE ticket_id = ? AND status IN ('sent', 'failed')`, a.ID)
		msgs := len(f.detail(a.Ref).Messages)
		f.act(a.Ref, tickets.ActionClose, "")
		pending := f.count(`SELECT COUNT(*) FROM outbox WHERE ticket_id = ? AND status NOT IN ('sent', 'failed')`, a.ID)
		f.clock.Advance(366 * day)

		got := f.run().Part(tickets.RetainMessages)
		if got.Tickets != 1 || got.Messages != msgs || got.Outbox != sent || sent != 1 || msgs < 2 {
			t.Fatalf("removed %+v, want 1 ticket, %d messages, %d sent items", got, msgs, sent)
		}
		d := f.detail(a.Ref)
		if len(d.Messages) != 0 || len(d.Evidence) != 1 || d.Details != "" || d.Order != "7302001" || d.Requester.Email != "ana@example.com" {
			t.Errorf("after: %d messages, %d files, details %q, order %q, requester %+v", len(d.Messages), len(d.Evidence), d.Details,
				d.Order, d.Requester)
		}
		if n := f.count(`SELECT COUNT(*) FROM tickets WHERE LOWER(details) LIKE '%seven%'`); n != 0 {
			t.Errorf("%d tickets keep the details' words", n)
		}
		if n := f.count(`SELECT COUNT(*) FROM outbox WHERE ticket_id = ?`, a.ID); n != pending {
			t.Errorf("%d outbox items left, want the %d unsent", n, pending)
		}
		if codes := retentionCodes(d); len(codes) != 1 || codes[0] != fmt.Sprintf("retention_messages:%d:0", msgs) {
			t.Errorf("audit: %v", codes)
		}
		if got := f.search("kangaroo"); len(got) != 1 || got[0] != keep.Ref {
			t.Errorf("kangaroo finds %v, want only %s", got, keep.Ref)
		}
		if got := f.search("seven"); len(got) != 0 {
			t.Errorf("its details' words find %v", got)
		}
		if got := f.search("ana@example.com"); len(got) != 1 || got[0] != a.Ref {
			t.Errorf("its requester finds %v", got)
		}
		if got := f.search("7302001"); len(got) != 1 || got[0] != a.Ref {
			t.Errorf("its order finds %v", got)
		}
		if again := f.run(); again.Batches != 0 {
			t.Errorf("a second run: %+v", again)
		}
	})
}

// tableRows dumps every row of every table (SQLite's search index's own
// tables included), as text, for comparing a store before and after.
func tableRows(t *testing.T, db *sqlstore.DB, skip ...string) map[string][]string {
	t.Helper()
	var tables []string
	q := `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT IN ('ticket_search', 'sqlite_sequence', 'sqlite_stat1', 'sqlite_stat4')`
	if db.Dialect() == sqlstore.Postgres {
		q = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`
	}
	if err := db.SQL().Select(&tables, q); err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, table := range tables {
		if slices.Contains(skip, table) {
			continue
		}
		rows, err := db.SQL().Queryx(`SELECT * FROM ` + table)
		if err != nil {
			t.Fatal(table, err)
		}
		var list []string
		for rows.Next() {
			vals, err := rows.SliceScan()
			if err != nil {
				t.Fatal(table, err)
			}
			for i, v := range vals {
				if b, ok := v.([]byte); ok {
					vals[i] = string(b)
				}
			}
			list = append(list, fmt.Sprint(vals...))
		}
		if err := rows.Close(); err != nil {
			t.Fatal(err)
		}
		sort.Strings(list)
		out[table] = list
	}
	return out
}

// columns lists every table's columns.
func columns(t *testing.T, db *sqlstore.DB) map[string][]string {
	t.Helper()
	var rows []struct {
		Table  string `db:"t"`
		Column string `db:"c"`
	}
	q := `SELECT m.name AS t, p.name AS c FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table'`
	if db.Dialect() == sqlstore.Postgres {
		q = `SELECT table_name AS t, column_name AS c FROM information_schema.columns WHERE table_schema = current_schema()`
	}
	if err := db.SQL().Select(&rows, q); err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, r := range rows {
		out[r.Table] = append(out[r.Table], r.Column)
	}
	return out
}

// traces finds a ticket anywhere in the store: rows that point to its id,
// and any column whose text holds one of the words (its reference, its
// requester's address, name and words).
func traces(t *testing.T, db *sqlstore.DB, id int64, words ...string) []string {
	t.Helper()
	var found []string
	for table, cols := range columns(t, db) {
		if strings.HasPrefix(table, "ticket_search") || table == "schema_migrations" {
			continue
		}
		for _, c := range cols {
			var n int
			if c == "ticket_id" || c == "parent_id" || (table == "tickets" && c == "id") {
				if err := db.SQL().Get(&n, db.SQL().Rebind(`SELECT COUNT(*) FROM `+table+` WHERE `+c+` = ?`), id); err != nil {
					t.Fatal(table, c, err)
				}
				if n > 0 {
					found = append(found, fmt.Sprintf("%s.%s = %d (%d rows)", table, c, id, n))
				}
			}
			for _, w := range words {
				if err := db.SQL().Get(&n, db.SQL().Rebind(`SELECT COUNT(*) FROM `+table+` WHERE LOWER(CAST(`+c+` AS TEXT)) LIKE ?`),
					"%"+strings.ToLower(w)+"%"); err != nil {
					t.Fatal(table, c, err)
				}
				if n > 0 {
					found = append(found, fmt.Sprintf("%s.%s has %q (%d rows)", table, c, w, n))
				}
			}
		}
	}
	sort.Strings(found)
	return found
}

// A closed ticket goes whole once its time is up, with everything that
// hangs on it: no table holds its id or its requester's words after, the
// search does not find it, its own file goes and a file another ticket
// has stays; a ticket that followed it stays and no longer points to it;
// the dashboard's counts do not move.
func TestRetentionRemovesWholeTickets(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newRetentionFixture(t, dialect, tickets.RetentionRules{Evidence: 180 * day, Messages: 365 * day, Tickets: 730 * day})
		shared := retentionPNG("shared")
		a := f.submit("wombat.requester@example.com", "7303001", "quokka words of the requester", retentionPNG("a-own"), shared)
		f.act(a.Ref, tickets.ActionReply, "platypus answer")
		f.act(a.Ref, tickets.ActionNote, "numbat note")
		f.db.SQL().MustExec(f.db.SQL().Rebind(`INSERT INTO agent_cards (ticket_id, channel_id, message_id, updated_at) VALUES (?, 'c1', 'm1', ?)`),
			a.ID, f.clock.Now())
		f.db.SQL().MustExec(f.db.SQL().Rebind(`INSERT INTO intake_keys (key, ticket_id, created_at) VALUES ('key-of-a', ?, ?)`), a.ID, f.clock.Now())
		f.act(a.Ref, tickets.ActionClose, "")
		f.clock.Advance(20 * day)
		child, err := f.svc.Intake.Submit(f.ctx, tickets.SubmitRequest{Kind: tickets.KindRefund, Channel: tickets.ChannelEmail,
			Requester: tickets.Requester{Email: "other@example.com"}, Order: "7303002", Details: "later", ParentRef: a.Ref,
			Evidence: []tickets.File{shared}})
		if err != nil || child.Ticket.ParentRef != a.Ref {
			t.Fatalf("child: %v %+v", err, child)
		}
		open := f.submit("open@example.com", "7303003", "open one")
		var statsBefore map[string][]string
		stats := func() map[string][]string {
			all := tableRows(t, f.db)
			out := map[string][]string{}
			for k, v := range all {
				if strings.HasPrefix(k, "stats_") {
					out[k] = v
				}
			}
			return out
		}
		statsBefore = stats()
		if len(statsBefore["stats_hours"]) == 0 {
			t.Fatalf("no counts: %v", statsBefore)
		}
		period := func() *tickets.PeriodStats {
			ps, err := f.svc.Records.PeriodStats(f.ctx, tickets.StatsQuery{From: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC),
				To: time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC)})
			if err != nil {
				t.Fatal(err)
			}
			return ps
		}
		f.clock.Advance(711 * day) // a closed 731 days ago
		dashBefore := fmt.Sprintf("%+v", period())

		run := f.run()
		got := run.Part(tickets.RetainTickets)
		if got.Tickets != 1 || got.Evidence != 2 || got.Blobs != 1 || got.Messages < 1 || got.Outbox < 1 {
			t.Fatalf("removed %+v", got)
		}
		if ev := run.Part(tickets.RetainEvidence); ev.Tickets != 0 {
			t.Errorf("a ticket removed whole lost its evidence first too: %+v", ev)
		}
		if found := traces(t, f.db, a.ID, "wombat.requester", "quokka", "platypus", "numbat", "key-of-a", "Nama wombat"); len(found) != 0 {
			t.Errorf("traces of the ticket:\n%s", strings.Join(found, "\n"))
		}
		if _, err := f.svc.Records.Ticket(f.ctx, a.Ref); !errors.Is(err, tickets.ErrNotFound) {
			t.Errorf("the ticket: %v", err)
		}
		for _, w := range []string{"quokka", "wombat", "platypus", a.Ref} {
			if got := f.search(w); len(got) != 0 {
				t.Errorf("%s finds %v", w, got)
			}
		}
		dc := f.detail(child.Ticket.Ref)
		if dc.ParentRef != "" || len(dc.Evidence) != 1 {
			t.Errorf("the child: parent %q, %d files", dc.ParentRef, len(dc.Evidence))
		}
		if _, data, err := f.svc.Records.EvidenceFile(f.ctx, dc.Ref, dc.Evidence[0].Name); err != nil || string(data) != string(shared.Data) {
			t.Errorf("the shared file: %v", err)
		}
		if d := f.detail(open.Ref); d.Status.Open() == false {
			t.Errorf("open ticket: %s", d.Status)
		}
		after := stats()
		for k, v := range statsBefore {
			if strings.Join(after[k], "\n") != strings.Join(v, "\n") {
				t.Errorf("%s moved:\n%v\n%v", k, v, after[k])
			}
		}
		if dash := fmt.Sprintf("%+v", period()); dash != dashBefore {
			t.Errorf("the dashboard moved:\n%s\n%s", dashBefore, dash)
		}
		log, err := f.ret.Log(f.ctx, 10)
		if err != nil || len(log) == 0 || log[len(log)-1].Part != tickets.RetainTickets || log[len(log)-1].Tickets != 1 {
			t.Errorf("log: %+v %v", log, err)
		}
	})
}

// A ticket reopened after closing keeps everything, however long ago it
// was first closed; closed again, its time starts again.
func TestRetentionLeavesReopenedTickets(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newRetentionFixture(t, dialect, tickets.RetentionRules{Evidence: 30 * day, Messages: 30 * day, Tickets: 60 * day})
		reopened := f.submit("ana@example.com", "7304001", "reopened", retentionPNG("r"))
		again := f.submit("budi@example.com", "7304002", "closed again", retentionPNG("g"))
		f.act(reopened.Ref, tickets.ActionClose, "")
		f.act(again.Ref, tickets.ActionClose, "")
		f.clock.Advance(10 * day)
		f.act(reopened.Ref, tickets.ActionReopen, "")
		f.act(again.Ref, tickets.ActionReopen, "")
		f.clock.Advance(5 * day)
		f.act(again.Ref, tickets.ActionClose, "")
		f.clock.Advance(20 * day) // first closed 35 days ago, again closed 20 days ago
		before := tableRows(t, f.db)
		if run := f.run(); run.Batches != 0 {
			t.Errorf("removed: %+v", run)
		}
		if after := tableRows(t, f.db); fmt.Sprint(after) != fmt.Sprint(before) {
			t.Errorf("the store changed")
		}
		f.clock.Advance(400 * day)
		run := f.run()
		if got := run.Part(tickets.RetainTickets); got.Tickets != 1 {
			t.Errorf("later: %+v", run)
		}
		if d := f.detail(reopened.Ref); len(d.Evidence) != 1 || len(retentionCodes(d)) != 0 {
			t.Errorf("the reopened ticket: %d files, %v", len(d.Evidence), retentionCodes(d))
		}
	})
}

// Two instances over one store: the lease lets one at a time run, and
// each ticket loses its evidence once, counted once, however the two
// overlap. Side by side without the lease (two batches at once), no ticket
// is taken twice either.
func TestRetentionTwoWorkersNeverDouble(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		clock := storetest.NewClock(time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC))
		dsn := storetest.DSN(t, dialect)
		var dbs []*sqlstore.DB
		for range 2 {
			db, err := sqlstore.Open(context.Background(), dsn, sqlstore.Options{Clock: clock})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			dbs = append(dbs, db)
		}
		f := &retentionFixture{t: t, ctx: context.Background(), clock: clock, db: dbs[0], svc: tickets.NewService(dbs[0], tickets.Options{Clock: clock})}
		const n = 30
		for i := range n {
			tk := f.submit(fmt.Sprintf("r%d@example.com", i), fmt.Sprintf("73050%02d", i), "x", retentionPNG(fmt.Sprintf("f%d", i)))
			f.act(tk.Ref, tickets.ActionClose, "")
		}
		f.clock.Advance(200 * day)
		rules := tickets.RetentionRules{Evidence: 180 * day, Batch: 4}

		// The lease: a holder's run makes the other's refuse, untouched.
		if ok, err := dbs[0].AcquireLease(f.ctx, tickets.RetentionLease, "other", clock.Now(), time.Minute); !ok || err != nil {
			t.Fatal(ok, err)
		}
		run, err := tickets.NewRetention(dbs[1], clock, rules, nil).Run(f.ctx, "mine", nil)
		if !errors.Is(err, tickets.ErrConflict) || run.Batches != 0 {
			t.Fatalf("while another holds the lease: %+v %v", run, err)
		}
		if err := dbs[0].ReleaseLease(f.ctx, tickets.RetentionLease, "other"); err != nil {
			t.Fatal(err)
		}

		var mu sync.Mutex
		counted := 0
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, db := range dbs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := tickets.NewRetention(db, clock, rules, nil)
				for range 5 {
					_, err := r.Run(f.ctx, fmt.Sprintf("instance-%d", i), func(got tickets.RetentionRemoved) {
						mu.Lock()
						counted += got.Evidence
						mu.Unlock()
					})
					if err != nil && !errors.Is(err, tickets.ErrConflict) {
						errs[i] = err
					}
				}
			}()
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			t.Fatal(err)
		}
		if counted != n {
			t.Errorf("counted %d files removed, want %d", counted, n)
		}
		if got := f.count(`SELECT COUNT(*) FROM ticket_audit WHERE code = 'retention'`); got != n {
			t.Errorf("%d audit entries, want %d", got, n)
		}
		if got := f.count(`SELECT COUNT(DISTINCT ticket_id) FROM ticket_audit WHERE code = 'retention'`); got != n {
			t.Errorf("%d tickets with an entry, want %d", got, n)
		}
		if got := f.count(`SELECT CAST(COALESCE(SUM(evidence), 0) AS INTEGER) FROM retention_log`); got != n {
			t.Errorf("the log says %d", got)
		}

		// Batches side by side, no lease: each ticket is taken by one.
		for i := range n {
			tk := f.submit(fmt.Sprintf("s%d@example.com", i), fmt.Sprintf("73060%02d", i), "y", retentionPNG(fmt.Sprintf("g%d", i)))
			f.act(tk.Ref, tickets.ActionClose, "")
		}
		f.clock.Advance(200 * day)
		var total int
		for i := range 3 {
			results := make([]tickets.RetentionRemoved, 2)
			for j, db := range dbs {
				wg.Add(1)
				go func() {
					defer wg.Done()
					var err error
					for {
						results[j], err = db.RemoveRetained(f.ctx, tickets.RetentionBatch{Part: tickets.RetainEvidence,
							ClosedBefore: clock.Now().Add(-180 * day), Limit: 7, Now: clock.Now()})
						if !errors.Is(err, tickets.ErrConcurrent) {
							break
						}
					}
					if err != nil {
						errs[j] = err
					}
				}()
			}
			wg.Wait()
			if err := errors.Join(errs...); err != nil {
				t.Fatal(i, err)
			}
			total += results[0].Evidence + results[1].Evidence
		}
		if rest := f.count(`SELECT COUNT(*) FROM ticket_evidence`); total+rest != n || f.count(`SELECT COUNT(*) FROM ticket_audit WHERE code = 'retention'`) != n+total {
			t.Errorf("side by side: %d removed, %d left, of %d", total, rest, n)
		}
	})
}

// A batch whose transaction fails leaves the store as it was, every
// table and the search index; the next run does the whole of it, once.
func TestRetentionFailedBatchChangesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newRetentionFixture(t, dialect, tickets.RetentionRules{Evidence: 10 * day, Messages: 20 * day, Tickets: 30 * day})
		var refs []string
		var msgs []int
		for i := range 3 {
			tk := f.submit(fmt.Sprintf("e%d@example.com", i), fmt.Sprintf("73070%02d", i), "echidna words", retentionPNG(fmt.Sprintf("e%d", i)))
			f.act(tk.Ref, tickets.ActionReply, "dingo reply")
			f.act(tk.Ref, tickets.ActionClose, "")
			refs = append(refs, tk.Ref)
			msgs = append(msgs, len(f.detail(tk.Ref).Messages))
			f.clock.Advance(10 * day)
		}
		f.clock.Advance(5 * day) // closed 35, 25 and 15 days ago: one of each part
		boom := []string{`CREATE TRIGGER boom BEFORE DELETE ON evidence_blobs BEGIN SELECT RAISE(ABORT, 'boom'); END`}
		unboom := []string{`DROP TRIGGER boom`}
		if dialect == sqlstore.Postgres {
			boom = []string{`CREATE FUNCTION boom() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'boom'; END $$`,
				`CREATE TRIGGER boom BEFORE DELETE ON evidence_blobs FOR EACH ROW EXECUTE FUNCTION boom()`}
			unboom = []string{`DROP TRIGGER boom ON evidence_blobs`}
		}
		before := tableRows(t, f.db)
		searchBefore := [2][]string{f.search("echidna"), f.search("dingo")}
		exec(t, f.db, boom...)
		for _, part := range []tickets.RetentionRules{{Tickets: 30 * day}, {Evidence: 10 * day}} {
			if _, err := tickets.NewRetention(f.db, f.clock, part, nil).Run(f.ctx, "test", nil); err == nil || !strings.Contains(err.Error(), "boom") {
				t.Fatalf("%+v: %v", part, err)
			}
		}
		if _, err := f.ret.Run(f.ctx, "test", nil); err == nil {
			t.Fatal("no error")
		}
		after := tableRows(t, f.db, "leases")
		delete(before, "leases")
		for k, v := range before {
			if strings.Join(v, "\n") != strings.Join(after[k], "\n") {
				t.Errorf("%s changed by a failed batch", k)
			}
		}
		if got := [2][]string{f.search("echidna"), f.search("dingo")}; fmt.Sprint(got) != fmt.Sprint(searchBefore) || len(got[1]) != 3 {
			t.Errorf("search: %v, was %v", got, searchBefore)
		}
		exec(t, f.db, unboom...)
		run := f.run()
		// The first goes whole, the second loses its messages and its
		// evidence, the third its evidence.
		if fmt.Sprint(run.Part(tickets.RetainTickets).Tickets, run.Part(tickets.RetainMessages).Tickets, run.Part(tickets.RetainEvidence).Tickets) != "1 1 2" {
			t.Errorf("then: %+v", run)
		}
		if got := f.search("dingo"); len(got) != 1 || got[0] != refs[2] {
			t.Errorf("dingo finds %v", got)
		}
		size := len(retentionPNG("e1").Data)
		if d := f.detail(refs[1]); fmt.Sprint(retentionCodes(d)) != fmt.Sprintf("[retention_messages:%d:0 retention:1:%d]", msgs[1], size) || len(d.Evidence) != 0 {
			t.Errorf("%s: %v, %d files", refs[1], retentionCodes(d), len(d.Evidence))
		}
		if d := f.detail(refs[2]); len(retentionCodes(d)) != 1 || len(d.Evidence) != 0 {
			t.Errorf("%s: %v", refs[2], retentionCodes(d))
		}
	})
}

// What a dry run counts is what a run then removes.
func TestRetentionDueCountsWhatARunRemoves(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newRetentionFixture(t, dialect, tickets.RetentionRules{Evidence: 10 * day, Messages: 20 * day, Tickets: 30 * day,
			SetAside: 15 * day, Batch: 2})
		shared := retentionPNG("shared")
		for i := range 6 {
			order := fmt.Sprintf("73080%02d", i)
			tk := f.submit(fmt.Sprintf("d%d@example.com", i), order, "x", retentionPNG(fmt.Sprintf("d%d", i)), shared)
			f.act(tk.Ref, tickets.ActionReply, "a reply")
			f.submit(fmt.Sprintf("other%d@example.com", i), order, "on someone else's ticket") // answered on no ticket
			f.db.SQL().MustExec(f.db.SQL().Rebind(`UPDATE outbox SET status = 'sent', sent_at = ? WHERE status = 'pending'`), f.clock.Now())
			f.act(tk.Ref, tickets.ActionClose, "")
			if err := f.db.RecordFailure(f.ctx, tickets.InboundFailure{Channel: tickets.ChannelEmail, Key: "<f" + order + "@x>", Source: "INBOX",
				Reason: "unreadable", CreatedAt: f.clock.Now()}); err != nil {
				t.Fatal(err)
			}
			f.clock.Advance(7 * day)
		}
		before := tableRows(t, f.db)
		due, err := f.ret.Due(f.ctx)
		if err != nil {
			t.Fatal(err)
		}
		if after := tableRows(t, f.db); fmt.Sprint(after) != fmt.Sprint(before) {
			t.Errorf("counting changed the store")
		}
		run := f.run()
		for _, p := range tickets.RetentionParts {
			if d, r := due.Part(p), run.Part(p); d != r || d.Empty() {
				t.Errorf("%s: due %+v, removed %+v", p, d, r)
			}
		}
		if again, err := f.ret.Due(f.ctx); err != nil || fmt.Sprint(again.Parts) != fmt.Sprint(emptyParts(again.Parts)) {
			t.Errorf("due after the run: %+v %v", again, err)
		}
	})
}

// emptyParts are parts with nothing to remove.
func emptyParts(parts []tickets.RetentionRemoved) []tickets.RetentionRemoved {
	var out []tickets.RetentionRemoved
	for _, p := range parts {
		out = append(out, tickets.RetentionRemoved{Part: p.Part})
	}
	return out
}

// The dashboard over a period whose decided tickets retention removed
// still answers, with the same counts; the median time to a decision is
// then the middle of its bucket.
func TestRetentionKeepsTheDashboardAnswering(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newRetentionFixture(t, dialect, tickets.RetentionRules{Tickets: 30 * day})
		for i, o := range []string{"7309901", "7309902", "7309903"} {
			tk := f.submit(fmt.Sprintf("m%d@example.com", i), o, "x")
			if i < 2 {
				f.clock.Advance(3 * time.Hour)
				f.act(tk.Ref, tickets.ActionDeny, "not eligible")
			}
			f.act(tk.Ref, tickets.ActionClose, "")
		}
		f.clock.Advance(40 * day)
		q := tickets.StatsQuery{From: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)}
		before, err := f.svc.Records.PeriodStats(f.ctx, q)
		if err != nil || before.Decisions.Decided != 2 || before.Tickets != 3 {
			t.Fatalf("before: %+v %v", before, err)
		}
		if got := f.run().Part(tickets.RetainTickets); got.Tickets != 3 {
			t.Fatalf("removed %+v", got)
		}
		after, err := f.svc.Records.PeriodStats(f.ctx, q)
		if err != nil {
			t.Fatalf("after: %v", err)
		}
		if after.Tickets != before.Tickets || after.Decisions.Decided != 2 || fmt.Sprint(after.Verdicts) != fmt.Sprint(before.Verdicts) ||
			fmt.Sprint(after.Days) != fmt.Sprint(before.Days) || after.Reopens != before.Reopens {
			t.Errorf("the counts moved:\n%+v\n%+v", before, after)
		}
		// The first decision came 3 h and 6 h after creation: the median
		// (4.5 h) is now the middle of each one's bucket.
		if m := after.Decisions.Median; m < 3*time.Hour || m > 6*time.Hour+30*time.Minute {
			t.Errorf("median %s (was %s)", m, before.Decisions.Median)
		}
	})
}

// On SQLite a removal overwrites what it removes: once the write-ahead
// log is checkpointed, the database file holds none of a removed ticket's
// words or file bytes in the pages the removal wrote. (A copy that normal
// work left in a page's free space before, when a page split or a row
// changed size, stays until the page is used again or the file is
// vacuumed: see docs/personal-data.md.)
func TestRetentionLeavesNoBytesOnSQLite(t *testing.T) {
	clock := storetest.NewClock(time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC))
	path := storetest.DSN(t, sqlstore.SQLite)
	db, err := sqlstore.Open(context.Background(), path, sqlstore.Options{Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	f := &retentionFixture{t: t, ctx: context.Background(), clock: clock, db: db, svc: tickets.NewService(db, tickets.Options{Clock: clock}),
		ret: tickets.NewRetention(db, clock, tickets.RetentionRules{Tickets: 30 * day}, nil)}
	marks := []string{"zq-details-mark-zq", "zq-reply-mark-zq", "zq-blob-mark-zq"}
	tk := f.submit("zq@example.com", "7310001", marks[0], tickets.File{Name: "r.png",
		Data: append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), []byte(strings.Repeat(marks[2], 300))...)})
	f.act(tk.Ref, tickets.ActionReply, marks[1])
	f.act(tk.Ref, tickets.ActionClose, "")
	f.clock.Advance(31 * day)
	file := func() string {
		t.Helper()
		// A checkpoint that a reader or the store's own checkpointer holds
		// up says so (busy) instead of failing: try again until it is whole.
		for deadline := time.Now().Add(10 * time.Second); ; {
			var busy, logged, moved int
			if err := db.SQL().QueryRow(`PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &logged, &moved); err != nil {
				t.Fatal(err)
			}
			if busy == 0 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("the checkpoint stayed busy for 10 s")
			}
			time.Sleep(20 * time.Millisecond)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	before := file()
	for _, m := range marks {
		if !strings.Contains(before, m) {
			t.Fatalf("%s is not in the file before", m)
		}
	}
	if got := f.run().Part(tickets.RetainTickets); got.Tickets != 1 {
		t.Fatalf("removed %+v", got)
	}
	after := file()
	for _, m := range marks {
		if strings.Contains(after, m) {
			t.Errorf("%s is still in the database file", m)
		}
	}
}

// On SQLite a run that removed words merges the search index: the index's
// segments no longer hold a removed conversation's words (FTS5 only marks
// a removed row, and keeps its words in a segment until it is merged).
func TestRetentionMergesTheSearchIndex(t *testing.T) {
	f := newRetentionFixture(t, sqlstore.SQLite, tickets.RetentionRules{Messages: 30 * day})
	tk := f.submit("zq@example.com", "7310001", "plain words")
	f.act(tk.Ref, tickets.ActionReply, "zqreplywordzq")
	f.act(tk.Ref, tickets.ActionClose, "")
	// More tickets after it, each in its own transaction: the index merges
	// its words into larger segments, which a removal then only marks.
	for i := range 40 {
		f.submit(fmt.Sprintf("later%d@example.com", i), fmt.Sprintf("73101%02d", i), fmt.Sprintf("later words number%d", i))
	}
	inIndex := func() int {
		return f.count(`SELECT COUNT(*) FROM ticket_search_data WHERE instr(block, CAST('replywordzq' AS BLOB)) > 0`)
	}
	if inIndex() == 0 {
		t.Fatal("the word is not in the index before")
	}
	f.clock.Advance(31 * day)
	if got := f.run().Part(tickets.RetainMessages); got.Tickets != 1 {
		t.Fatalf("removed %+v", got)
	}
	if n := inIndex(); n != 0 {
		t.Errorf("the word is in %d of the index's blocks", n)
	}
	if got := f.search("zqreplywordzq"); len(got) != 0 {
		t.Errorf("found %v", got)
	}
}

// A batch whose tickets have more files than one statement may name
// (SQLite takes 32,766 values) removes them all.
func TestRetentionManyFiles(t *testing.T) {
	f := newRetentionFixture(t, sqlstore.SQLite, tickets.RetentionRules{Evidence: 30 * day})
	tk := f.submit("many@example.com", "7311001", "many files")
	f.act(tk.Ref, tickets.ActionClose, "")
	const n = 33000
	tx := f.db.SQL().MustBegin()
	for i := range n {
		sum := fmt.Sprintf("%064x", i)
		tx.MustExec(`INSERT INTO evidence_blobs (sha256, content_type, size, data, created_at) VALUES (?, 'image/png', 1, x'00', ?)`, sum, f.clock.Now())
		tx.MustExec(`INSERT INTO ticket_evidence (ticket_id, sha256, name, content_type, size, added_at) VALUES (?, ?, ?, 'image/png', 1, ?)`,
			tk.ID, sum, fmt.Sprintf("f%d.png", i), f.clock.Now())
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(31 * day)
	if got := f.run().Part(tickets.RetainEvidence); got.Evidence != n || got.Blobs != n || got.Bytes != n {
		t.Errorf("removed %+v", got)
	}
	if left := f.count(`SELECT COUNT(*) FROM evidence_blobs`); left != 0 {
		t.Errorf("%d files left", left)
	}
}

// A ticket whose conversation went, and whose answer still waiting then
// was sent, loses that copy at the next run without being taken again: no
// second audit entry, not counted as a ticket; once nothing is left, no
// run picks it.
func TestRetentionCopySentLaterIsNotCountedAgain(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newRetentionFixture(t, dialect, tickets.RetentionRules{Messages: 30 * day})
		a := f.submit("ana@example.com", "7312001", "the wallaby words")
		f.act(a.Ref, tickets.ActionReply, "an answer")
		f.act(a.Ref, tickets.ActionClose, "")
		waiting := f.count(`SELECT COUNT(*) FROM outbox WHERE ticket_id = ? AND status = 'pending'`, a.ID)
		if waiting == 0 {
			t.Fatal("nothing waits to be sent")
		}
		f.clock.Advance(31 * day)
		if got := f.run().Part(tickets.RetainMessages); got.Tickets != 1 || got.Messages < 2 || got.Outbox != 0 {
			t.Fatalf("first run: %+v", got)
		}
		// The answers waiting are sent now.
		f.db.SQL().MustExec(f.db.SQL().Rebind(`UPDATE outbox SET status = 'sent', sent_at = ? WHERE ticket_id = ?`), f.clock.Now(), a.ID)
		due, err := f.ret.Due(f.ctx)
		if err != nil {
			t.Fatal(err)
		}
		run := f.run()
		got := run.Part(tickets.RetainMessages)
		if got.Tickets != 0 || got.Messages != 0 || got.Outbox != waiting || run.Batches != 1 {
			t.Errorf("second run: %+v in %d batches, want only the %d copies sent since", got, run.Batches, waiting)
		}
		if d := due.Part(tickets.RetainMessages); d != got {
			t.Errorf("due %+v, removed %+v", d, got)
		}
		if codes := retentionCodes(f.detail(a.Ref)); len(codes) != 1 {
			t.Errorf("audit: %v", codes)
		}
		if n := f.count(`SELECT COUNT(*) FROM outbox WHERE ticket_id = ?`, a.ID); n != 0 {
			t.Errorf("%d outbox items left", n)
		}
		log, err := f.ret.Log(f.ctx, 10)
		if err != nil || len(log) != 2 || log[0].Tickets != 0 || log[0].Outbox != waiting {
			t.Errorf("log: %+v %v", log, err)
		}
		if again := f.run(); again.Batches != 0 || !again.Part(tickets.RetainMessages).Empty() {
			t.Errorf("a third run: %+v", again)
		}
	})
}

// What the desk sent on no ticket (the "received" answer to a request
// filed on someone else's ticket) goes once the messages' time has passed
// since it was sent, or, failed, since it was last tried; what is still to
// be sent, or was sent since, stays. The ticket the request was filed on
// is not touched.
func TestRetentionRemovesWhatWasSentOnNoTicket(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newRetentionFixture(t, dialect, tickets.RetentionRules{Messages: 30 * day})
		a := f.submit("ana@example.com", "7313001", "first")
		alone := func() []int64 {
			var ids []int64
			if err := f.db.SQL().Select(&ids, `SELECT id FROM outbox WHERE ticket_id IS NULL ORDER BY id`); err != nil {
				t.Fatal(err)
			}
			return ids
		}
		other := func(email string) int64 {
			t.Helper()
			before := len(alone())
			f.submit(email, "7313001", "me too")
			ids := alone()
			if len(ids) != before+1 {
				t.Fatalf("%s: %d items on no ticket, want %d", email, len(ids), before+1)
			}
			return ids[len(ids)-1]
		}
		set := func(id int64, status string) {
			f.db.SQL().MustExec(f.db.SQL().Rebind(`UPDATE outbox SET status = ?, sent_at = ?, next_attempt_at = ? WHERE id = ?`),
				status, map[bool]any{true: f.clock.Now(), false: nil}[status == "sent"], f.clock.Now(), id)
		}
		sent := other("budi@example.com")
		set(sent, "sent")
		f.clock.Advance(20 * day)
		failed := other("citra@example.com")
		set(failed, "failed")
		waiting := other("dewi@example.com")
		msgs := len(f.detail(a.Ref).Messages)
		f.clock.Advance(11 * day) // sent 31 days ago, failed 11, waiting since 11

		due, err := f.ret.Due(f.ctx)
		if err != nil {
			t.Fatal(err)
		}
		run := f.run()
		got := run.Part(tickets.RetainOutbox)
		if got.Outbox != 1 || got.Tickets != 0 || run.Batches != 1 {
			t.Errorf("removed %+v in %d batches, want the one sent 31 days ago", got, run.Batches)
		}
		if d := due.Part(tickets.RetainOutbox); d != got {
			t.Errorf("due %+v, removed %+v", d, got)
		}
		if ids := alone(); fmt.Sprint(ids) != fmt.Sprint([]int64{failed, waiting}) {
			t.Errorf("left %v, want %v", ids, []int64{failed, waiting})
		}
		if n := f.count(`SELECT COUNT(*) FROM outbox WHERE recipient = 'budi@example.com'`); n != 0 {
			t.Errorf("budi's answer is still there")
		}
		f.clock.Advance(20 * day)
		if got := f.run().Part(tickets.RetainOutbox); got.Outbox != 1 {
			t.Errorf("the failed one: %+v", got)
		}
		if ids := alone(); fmt.Sprint(ids) != fmt.Sprint([]int64{waiting}) {
			t.Errorf("left %v, want the one still to be sent", ids)
		}
		if d := f.detail(a.Ref); len(d.Messages) != msgs || len(retentionCodes(d)) != 0 {
			t.Errorf("the open ticket: %d messages (had %d), %v", len(d.Messages), msgs, retentionCodes(d))
		}
		log, err := f.ret.Log(f.ctx, 10)
		if err != nil || len(log) != 2 || log[0].Part != tickets.RetainOutbox || log[0].Outbox != 1 || log[0].Tickets != 0 {
			t.Errorf("log: %+v %v", log, err)
		}
	})
}

// The records of mails set aside go retention.set_aside after they were
// set aside, counted in the run and the log; the later ones stay. With no
// time (0) they stay for ever.
func TestRetentionRemovesSetAside(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newRetentionFixture(t, dialect, tickets.RetentionRules{SetAside: 30 * day})
		record := func(n int) {
			t.Helper()
			if err := f.db.RecordFailure(f.ctx, tickets.InboundFailure{Channel: tickets.ChannelEmail, Key: fmt.Sprintf("<set-aside-%d@mail.example>", n),
				Source: "INBOX", Sender: fmt.Sprintf("sender%d@example.com", n), Subject: "Refund please", Size: 100,
				Reason: "unreadable", SetAside: "Failed", CreatedAt: f.clock.Now()}); err != nil {
				t.Fatal(err)
			}
		}
		for i := range 3 {
			record(i)
		}
		f.clock.Advance(20 * day)
		record(3)
		f.clock.Advance(11 * day) // three set aside 31 days ago, one 11
		if run, err := tickets.NewRetention(f.db, f.clock, tickets.RetentionRules{Evidence: 30 * day}, nil).Run(f.ctx, "test", nil); err != nil ||
			run.Batches != 0 || f.count(`SELECT COUNT(*) FROM inbound_failures`) != 4 {
			t.Fatalf("kept for ever: %+v %v", run, err)
		}
		f.ret = tickets.NewRetention(f.db, f.clock, tickets.RetentionRules{SetAside: 30 * day, Batch: 2}, nil)
		due, err := f.ret.Due(f.ctx)
		if err != nil {
			t.Fatal(err)
		}
		run := f.run()
		got := run.Part(tickets.RetainSetAside)
		if got.SetAside != 3 || got.Tickets != 0 || run.Batches != 2 || len(run.Parts) != 1 {
			t.Errorf("removed %+v in %d batches (%+v), want 3 in 2", got, run.Batches, run.Parts)
		}
		if d := due.Part(tickets.RetainSetAside); d != got {
			t.Errorf("due %+v, removed %+v", d, got)
		}
		list, err := f.svc.Intake.Failures(f.ctx, 10)
		if err != nil || len(list) != 1 || list[0].Sender != "sender3@example.com" {
			t.Errorf("left: %+v %v", list, err)
		}
		log, err := f.ret.Log(f.ctx, 10)
		if err != nil || len(log) != 2 || log[0].Part != tickets.RetainSetAside || log[0].SetAside+log[1].SetAside != 3 {
			t.Errorf("log: %+v %v", log, err)
		}
		if again := f.run(); again.Batches != 0 {
			t.Errorf("again: %+v", again)
		}
	})
}
