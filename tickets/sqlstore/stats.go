package sqlstore

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/jmoiron/sqlx"

	"refunddesk/tickets"
)

// The dashboard's figures (tickets.StatsFilter): a few grouped queries over
// the tickets created in the period, each a range of the tickets_created
// index; the answers and decisions come from the audit trail, through its
// ticket index. What comes back to Go is a row per day, channel, kind and
// verdict, a row per reason and currency, and a handful of counts.

// Seconds since 1970 of a timestamp column, per dialect: SQLite's are
// milliseconds apart at most (unixepoch's subsec), PostgreSQL's
// microseconds. dayExpr is the day number of created_at with an offset.
var (
	epochSQL = map[string]func(col string) string{
		SQLite:   func(col string) string { return "unixepoch(" + col + ", 'subsec')" },
		Postgres: func(col string) string { return "EXTRACT(EPOCH FROM " + col + ")" },
	}
	dayExpr = map[string]string{
		SQLite:   "(unixepoch(created_at) + ?) / 86400",
		Postgres: "(FLOOR(EXTRACT(EPOCH FROM created_at))::bigint + ?) / 86400",
	}
)

// PeriodStats counts the figures of the tickets created in [f.From, f.To).
func (d *DB) PeriodStats(ctx context.Context, f tickets.StatsFilter) (*tickets.StatsCounts, error) {
	st := &tickets.StatsCounts{Verdicts: map[tickets.Verdict]int{}}
	err := d.View(ctx, func(txi tickets.Tx) error {
		tx := txi.(*Tx)
		for _, span := range f.Spans {
			if err := tx.statsDays(st, span); err != nil {
				return err
			}
		}
		if err := tx.statsRefunds(st, f); err != nil {
			return err
		}
		if err := tx.statsResponses(st, f); err != nil {
			return err
		}
		return tx.statsMedianDecision(st, f)
	})
	if err != nil {
		return nil, fmt.Errorf("period stats: %w", err)
	}
	return st, nil
}

// statsDays counts a span's tickets by day, channel, kind and verdict, and
// the finished and reopened ones among them.
func (t *Tx) statsDays(st *tickets.StatsCounts, span tickets.ZoneSpan) error {
	var rows []struct {
		Day      int64  `db:"day"`
		Channel  string `db:"channel"`
		Kind     string `db:"kind"`
		Verdict  string `db:"verdict"`
		N        int    `db:"n"`
		Finished int    `db:"finished"`
		Reopened int    `db:"reopened"`
	}
	// A ticket is finished once denied, resolved or closed; one reopened
	// since (the reopened flag) was finished before.
	q := `SELECT ` + dayExpr[t.db.dialect] + ` AS day, channel, kind, verdict, COUNT(*) AS n,
		SUM(CASE WHEN status IN ('denied', 'resolved', 'closed') OR r = 1 THEN 1 ELSE 0 END) AS finished,
		SUM(r) AS reopened
		FROM (SELECT created_at, channel, kind, verdict, status,
			CASE WHEN ',' || flags || ',' LIKE '%,reopened,%' THEN 1 ELSE 0 END AS r
			FROM tickets WHERE created_at >= ? AND created_at < ?) c
		GROUP BY day, channel, kind, verdict`
	if err := t.sel(&rows, q, span.Offset, span.From, span.To); err != nil {
		return fmt.Errorf("tickets by day: %w", err)
	}
	for _, r := range rows {
		st.Days = append(st.Days, tickets.DayCount{Day: tickets.DayOf(r.Day), Channel: tickets.Channel(r.Channel),
			Kind: tickets.Kind(r.Kind), N: r.N})
		st.Verdicts[tickets.Verdict(r.Verdict)] += r.N
		st.Reopens.Finished += r.Finished
		st.Reopens.Reopened += r.Reopened
	}
	return nil
}

// statsRefunds adds up the approved refunds by reason and currency, and
// those paid: resolved, or closed after being resolved.
func (t *Tx) statsRefunds(st *tickets.StatsCounts, f tickets.StatsFilter) error {
	var rows []struct {
		Reason   string `db:"reason"`
		Currency string `db:"currency"`
		Approved int    `db:"approved"`
		Amount   int64  `db:"amount"`
		Paid     int    `db:"paid"`
		PaidOut  int64  `db:"paid_amount"`
	}
	q := `SELECT reason, currency, COUNT(*) AS approved, CAST(SUM(amount) AS BIGINT) AS amount,
		SUM(paid) AS paid, CAST(SUM(paid * amount) AS BIGINT) AS paid_amount
		FROM (SELECT reason, currency, approved_amount AS amount,
			CASE WHEN status = 'resolved' OR (status = 'closed' AND EXISTS (
				SELECT 1 FROM ticket_audit a WHERE a.ticket_id = tickets.id AND a.action = 'resolve')) THEN 1 ELSE 0 END AS paid
			FROM tickets WHERE created_at >= ? AND created_at < ? AND kind = 'refund' AND approved_amount IS NOT NULL) r
		GROUP BY reason, currency ORDER BY reason, currency`
	if err := t.sel(&rows, q, f.From, f.To); err != nil {
		return fmt.Errorf("refund totals: %w", err)
	}
	for _, r := range rows {
		st.Refunds = append(st.Refunds, tickets.RefundTotal{Reason: tickets.Reason(r.Reason), Approved: r.Approved,
			Amount: tickets.Money{Amount: r.Amount, Currency: r.Currency}, Paid: r.Paid,
			PaidOut: tickets.Money{Amount: r.PaidOut, Currency: r.Currency}})
	}
	return nil
}

// firstTimes is, for each ticket created in [?, ?), when it was created,
// first answered by an agent (one of the response actions, not the
// system) and first decided, grouped in the order of the tickets_created
// index (SQLite adds the id to it, PostgreSQL's has it), which it walks
// over the period alone. Its placeholders: the response actions, the
// decision actions, from, to.
func (t *Tx) firstTimes(f tickets.StatsFilter) (string, []any, error) {
	return sqlx.In(`SELECT t.id, t.created_at AS created,
			MIN(CASE WHEN a.action IN (?) AND a.actor <> 'system' THEN a.at END) AS answered,
			MIN(CASE WHEN a.action IN (?) THEN a.at END) AS decided
		FROM tickets t JOIN ticket_audit a ON a.ticket_id = t.id
		WHERE t.created_at >= ? AND t.created_at < ?
		GROUP BY t.created_at, t.id`, f.ResponseActions, f.DecisionActions, f.From, f.To)
}

// statsResponses counts the tickets answered within the first-response
// target, later or never, and those still inside it; and the decided ones.
func (t *Tx) statsResponses(st *tickets.StatsCounts, f tickets.StatsFilter) error {
	per, args, err := t.firstTimes(f)
	if err != nil {
		return err
	}
	epoch := epochSQL[t.db.dialect]
	waited := epoch("answered") + " - " + epoch("created")
	q := `SELECT COALESCE(SUM(CASE WHEN answered IS NOT NULL AND ` + waited + ` <= ? THEN 1 ELSE 0 END), 0) AS kept,
		COALESCE(SUM(CASE WHEN answered IS NULL AND created > ? THEN 1 ELSE 0 END), 0) AS pending,
		COUNT(*) AS n, COALESCE(SUM(CASE WHEN decided IS NOT NULL THEN 1 ELSE 0 END), 0) AS decided
		FROM (` + per + `) x`
	var row struct {
		Kept    int `db:"kept"`
		Pending int `db:"pending"`
		N       int `db:"n"`
		Decided int `db:"decided"`
	}
	args = append([]any{f.FirstResponse.Seconds(), f.Now.Add(-f.FirstResponse).UTC()}, args...)
	if err := t.get(&row, q, args...); err != nil {
		return fmt.Errorf("first responses: %w", err)
	}
	st.FirstResponse = tickets.ResponseStats{Target: f.FirstResponse, Kept: row.Kept, Pending: row.Pending,
		Missed: row.N - row.Kept - row.Pending}
	st.Decisions.Decided = row.Decided
	return nil
}

// statsMedianDecision finds the median time from a ticket's creation to
// its first decision: the middle one, or the mean of the middle two.
func (t *Tx) statsMedianDecision(st *tickets.StatsCounts, f tickets.StatsFilter) error {
	n := st.Decisions.Decided
	if n == 0 {
		return nil
	}
	per, args, err := t.firstTimes(f)
	if err != nil {
		return err
	}
	epoch := epochSQL[t.db.dialect]
	q := `SELECT ` + epoch("decided") + ` - ` + epoch("created") + ` AS s FROM (` + per + `) x
		WHERE decided IS NOT NULL ORDER BY s LIMIT ? OFFSET ?`
	var secs []float64
	if err := t.sel(&secs, q, append(args, 2-n%2, (n-1)/2)...); err != nil {
		return fmt.Errorf("median time to a decision: %w", err)
	}
	if len(secs) == 0 {
		return nil
	}
	var sum float64
	for _, s := range secs {
		sum += s
	}
	st.Decisions.Median = time.Duration(math.Round(sum/float64(len(secs))*1e6)) * time.Microsecond
	return nil
}
