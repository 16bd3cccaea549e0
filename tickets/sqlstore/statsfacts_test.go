package sqlstore_test

import (
	"context"
	"database/sql"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"refunddesk/internal/storetest"
	"refunddesk/tickets"
	"refunddesk/tickets/sqlstore"
)

// before0008 takes a store back to schema version 7: the dashboard's facts
// and counts are dropped, so that opening it again fills them from the
// audit trail.
var before0008 = append(append(append([]string(nil), before0011...), before0010...), []string{
	`ALTER TABLE tickets DROP COLUMN version`, // 0009's: a ticket's version
	`DROP INDEX tickets_response`, `DROP INDEX tickets_decision`,
	`DROP TABLE stats_delays`, `DROP TABLE stats_refunds`, `DROP TABLE stats_days`, `DROP TABLE stats_hours`, `DROP TABLE stats_buckets`,
	`ALTER TABLE tickets DROP COLUMN first_response_at`, `ALTER TABLE tickets DROP COLUMN first_decision_at`,
	`ALTER TABLE tickets DROP COLUMN paid_at`, `ALTER TABLE tickets DROP COLUMN response_us`,
	`ALTER TABLE tickets DROP COLUMN decision_us`,
	`DELETE FROM schema_migrations WHERE version >= 8`,
}...)

// statsDesk is a store with five promotion records, and helpers to file
// tickets and act on them at given times.
type statsDesk struct {
	t     *testing.T
	db    *sqlstore.DB
	svc   *tickets.Service
	clock *storetest.Clock
	mu    sync.Mutex // the clock, for tickets filed side by side
}

func newStatsDesk(t *testing.T, dialect string, records int) *statsDesk {
	clock := storetest.NewClock(time.Date(2026, 11, 9, 12, 0, 0, 0, time.UTC))
	db := storetest.Open(t, dialect, clock)
	svc := tickets.NewService(db, tickets.Options{Clock: clock})
	var b strings.Builder
	b.WriteString("order_number,account,amount,currency,created_at,start_at,status,video_id\n")
	for i := 0; i < records; i++ {
		fmt.Fprintf(&b, "74%05d,@acc%d,5000,USD,2026-11-01T00:00:00Z,2026-11-01T01:00:00Z,completed,v%d\n", i, i, i)
	}
	if _, err := svc.Records.ImportPromotions(context.Background(), strings.NewReader(b.String()), tickets.ImportOptions{File: "p.csv"}); err != nil {
		t.Fatal(err)
	}
	return &statsDesk{t: t, db: db, svc: svc, clock: clock}
}

func (d *statsDesk) submit(i int, at time.Time) string {
	d.t.Helper()
	d.clock.Set(at)
	res, err := d.svc.Intake.Submit(context.Background(), tickets.SubmitRequest{Kind: tickets.KindRefund, Channel: tickets.ChannelEmail,
		Requester: tickets.Requester{Email: fmt.Sprintf("c%d@example.com", i)}, Account: fmt.Sprintf("@acc%d", i),
		Order: fmt.Sprintf("74%05d", i), Reason: tickets.ReasonUnderDelivery, Details: "the promotion did not reach what was promised"})
	if err != nil {
		d.t.Fatal(err)
	}
	return res.Ticket.Ref
}

func (d *statsDesk) act(at time.Time, ref string, a tickets.Action, amount int64) {
	d.t.Helper()
	d.clock.Set(at)
	req := tickets.ActionRequest{Ref: ref, Actor: "ayu", Action: a, Text: "done"}
	if amount > 0 {
		req.Amount = &amount
	}
	if _, err := d.svc.Desk.Act(context.Background(), req); err != nil {
		d.t.Fatalf("%s %s: %v", a, ref, err)
	}
}

type ticketFacts struct {
	Answered sql.NullTime  `db:"first_response_at"`
	Decided  sql.NullTime  `db:"first_decision_at"`
	Paid     sql.NullTime  `db:"paid_at"`
	Response sql.NullInt64 `db:"response_us"`
	Decision sql.NullInt64 `db:"decision_us"`
}

func (d *statsDesk) facts(ref string) ticketFacts {
	d.t.Helper()
	id, _ := tickets.ParseRef(ref)
	var f ticketFacts
	if err := d.db.SQL().Get(&f, d.db.SQL().Rebind(`SELECT first_response_at, first_decision_at, paid_at, response_us, decision_us
		FROM tickets WHERE id = ?`), id); err != nil {
		d.t.Fatal(err)
	}
	return f
}

// counts is what the four tables of counts hold, their rows of nothing
// left out, in order.
func (d *statsDesk) counts() []string {
	d.t.Helper()
	var out []string
	for _, q := range []string{
		`SELECT 'h' || hour || ' ' || channel || ' ' || kind || ' ' || n FROM stats_hours WHERE n <> 0 ORDER BY hour, channel, kind`,
		`SELECT 'd' || day || ' ' || kind || ' ' || verdict || ' ' || n || ' ' || finished || ' ' || reopened || ' ' || answered ||
			' ' || decided FROM stats_days WHERE n <> 0 OR finished <> 0 OR reopened <> 0 OR answered <> 0 OR decided <> 0
			ORDER BY day, kind, verdict`,
		`SELECT 'r' || day || ' ' || reason || ' ' || currency || ' ' || approved || ' ' || amount || ' ' || paid || ' ' || paid_amount
			FROM stats_refunds WHERE approved <> 0 OR amount <> 0 OR paid <> 0 OR paid_amount <> 0 ORDER BY day, reason, currency`,
		`SELECT 'w' || day || ' ' || what || ' ' || bucket || ' ' || n FROM stats_delays WHERE n <> 0 ORDER BY day, what, bucket`,
	} {
		var rows []string
		if err := d.db.SQL().Select(&rows, q); err != nil {
			d.t.Fatal(q, err)
		}
		out = append(out, rows...)
	}
	return out
}

func at(day, hour, min int) time.Time { return time.Date(2026, 11, day, hour, min, 0, 0, time.UTC) }

// The facts are written with the audit entry that makes them: the first
// answer by an agent (not the desk's own acknowledgement), the first
// decision, the first payment; a later one changes none of them, and a
// reopen leaves them.
func TestStatsFactsWritten(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		d := newStatsDesk(t, dialect, 2)
		ref := d.submit(0, at(10, 8, 0))
		if f := d.facts(ref); f.Answered.Valid || f.Decided.Valid || f.Paid.Valid || f.Response.Valid || f.Decision.Valid {
			t.Fatalf("a new ticket has facts: %+v", f)
		}
		d.act(at(10, 8, 30), ref, tickets.ActionClaim, 0) // not an answer
		d.act(at(10, 9, 0), ref, tickets.ActionReply, 0)
		d.act(at(10, 9, 30), ref, tickets.ActionReply, 0)
		f := d.facts(ref)
		if !f.Answered.Valid || !f.Answered.Time.Equal(at(10, 9, 0)) || f.Response.Int64 != time.Hour.Microseconds() || f.Decided.Valid {
			t.Fatalf("after two replies: %+v", f)
		}
		d.act(at(10, 11, 0), ref, tickets.ActionApprove, 1250)
		d.act(at(10, 12, 0), ref, tickets.ActionResolve, 0)
		d.act(at(10, 13, 0), ref, tickets.ActionReopen, 0)
		f = d.facts(ref)
		if !f.Decided.Time.Equal(at(10, 11, 0)) || f.Decision.Int64 != (3*time.Hour).Microseconds() ||
			!f.Paid.Valid || !f.Paid.Time.Equal(at(10, 12, 0)) || !f.Answered.Time.Equal(at(10, 9, 0)) {
			t.Fatalf("after approve, resolve and reopen: %+v", f)
		}
		d.act(at(10, 14, 0), ref, tickets.ActionDeny, 0)
		if g := d.facts(ref); !reflect.DeepEqual(g.Decision, f.Decision) || !g.Decided.Time.Equal(f.Decided.Time) {
			t.Fatalf("a second decision moved the first: %+v", g)
		}
		// A ticket decided first is answered by that decision.
		other := d.submit(1, at(11, 8, 0))
		d.act(at(11, 10, 0), other, tickets.ActionDeny, 0)
		if g := d.facts(other); g.Response.Int64 != (2*time.Hour).Microseconds() || g.Decision.Int64 != g.Response.Int64 || g.Paid.Valid {
			t.Fatalf("denied at once: %+v", g)
		}
	})
}

// statsScenario files and works tickets over a few days, eight at a time
// side by side, so that the counts are moved by transactions that run
// together (on PostgreSQL, truly at once).
func statsScenario(t *testing.T, d *statsDesk, n int) {
	refs := make([]string, n)
	for i := range refs {
		refs[i] = d.submit(i, at(10+i%4, i%24, (i*7)%60))
	}
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := w; i < n; i += 8 {
				steps := []tickets.Action{tickets.ActionReply, tickets.ActionApprove, tickets.ActionResolve, tickets.ActionClose, tickets.ActionReopen}
				if i%3 == 1 {
					steps = []tickets.Action{tickets.ActionDeny, tickets.ActionReopen}
				} else if i%3 == 2 {
					steps = steps[:1+i%2]
				}
				for _, a := range steps {
					req := tickets.ActionRequest{Ref: refs[i], Actor: "ayu", Action: a, Text: "done"}
					if a == tickets.ActionApprove {
						amount := int64(100 * (1 + i))
						req.Amount = &amount
					}
					if _, err := d.svc.Desk.Act(context.Background(), req); err != nil {
						t.Errorf("%s %s: %v", a, refs[i], err)
						return
					}
				}
			}
		}(w)
	}
	wg.Wait()
}

// The counts kept change by change, with changes side by side, are the
// counts RecountStats makes from the tickets and those the migration makes
// from the audit trail of the same tickets; and the figures read from
// either are the same.
func TestStatsCountsMatchBackfill(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		ctx := context.Background()
		d := newStatsDesk(t, dialect, 40)
		statsScenario(t, d, 40)
		d.clock.Set(at(16, 0, 0))
		kept := d.counts()
		if len(kept) == 0 {
			t.Fatal("no counts kept")
		}
		if err := d.db.RecountStats(ctx); err != nil {
			t.Fatal(err)
		}
		if got := d.counts(); !reflect.DeepEqual(got, kept) {
			t.Errorf("counted again:\n%s\nkept:\n%s", strings.Join(got, "\n"), strings.Join(kept, "\n"))
		}
		jakarta, _ := time.LoadLocation("Asia/Jakarta")
		kolkata, _ := time.LoadLocation("Asia/Kolkata")
		queries := []tickets.StatsQuery{{From: at(9, 0, 0), To: at(16, 0, 0)},
			{From: time.Date(2026, 11, 10, 0, 0, 0, 0, jakarta), To: time.Date(2026, 11, 14, 0, 0, 0, 0, jakarta), Location: jakarta},
			{From: time.Date(2026, 11, 11, 0, 0, 0, 0, kolkata), To: time.Date(2026, 11, 13, 0, 0, 0, 0, kolkata), Location: kolkata}}
		var before []*tickets.PeriodStats
		for _, q := range queries {
			st, err := d.svc.Records.PeriodStats(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			before = append(before, st)
		}
		if before[0].Tickets != 40 || before[0].Decisions.Decided == 0 || len(before[0].Refunds) == 0 || before[0].Reopens.Reopened == 0 {
			t.Fatalf("the scenario counts too little: %+v", before[0])
		}
		exec(t, d.db, before0008...)
		if _, err := d.db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		if got := d.counts(); !reflect.DeepEqual(got, kept) {
			t.Errorf("counts from the audit trail:\n%s\nkept:\n%s", strings.Join(got, "\n"), strings.Join(kept, "\n"))
		}
		for i, q := range queries {
			st, err := d.svc.Records.PeriodStats(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(st, before[i]) {
				t.Errorf("query %d after the migration:\n%+v\nbefore:\n%+v", i, st, before[i])
			}
		}
	})
}

// The buckets of delays are the same in the store as in the code.
func TestStatsBuckets(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		db := storetest.Open(t, dialect, storetest.NewClock(time.Now()))
		var lo []int64
		if err := db.SQL().Select(&lo, `SELECT lo_us FROM stats_buckets ORDER BY bucket`); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(lo, sqlstore.StatsBucketLo) {
			t.Errorf("stats_buckets: %v\ncode: %v", lo, sqlstore.StatsBucketLo)
		}
	})
}
