package sqlstore

import (
	"context"
	"fmt"
	"math"
	"time"

	"refunddesk/tickets"
)

// The dashboard's figures (tickets.StatsFilter), read from the counts that
// every change keeps (statsfacts.go, migration 0008) rather than from every
// ticket of the period:
//   - new tickets by day, channel and kind from stats_hours, a span at a
//     time; a span whose offset from UTC is not whole hours is counted from
//     its tickets;
//   - the rest from stats_days, stats_refunds and stats_delays over the whole UTC days of
//     the period, and from the tickets themselves for the part of a day at
//     either end (a day in the query's zone starts inside a UTC day);
//   - the first responses kept: the delays' buckets below the target's,
//     and that bucket's tickets counted one by one; the median time to a
//     decision: the bucket where the middle falls, and the place in it.
// What comes back to Go is a few hundred rows, whatever the period.

// dayExpr is the day number of created_at with an offset, per dialect.
var dayExpr = map[string]string{
	SQLite:   "(unixepoch(created_at) + ?) / 86400",
	Postgres: "(FLOOR(EXTRACT(EPOCH FROM created_at))::bigint + ?) / 86400",
}

// statsTotals gathers the period's counts before they become StatsCounts.
type statsTotals struct {
	st                *tickets.StatsCounts
	n, answered       int
	response, decided map[int]int // delays by bucket
	refunds           map[[2]string]*tickets.RefundTotal
}

// PeriodStats counts the figures of the tickets created in [f.From, f.To).
func (d *DB) PeriodStats(ctx context.Context, f tickets.StatsFilter) (*tickets.StatsCounts, error) {
	tot := &statsTotals{st: &tickets.StatsCounts{Verdicts: map[tickets.Verdict]int{}},
		response: map[int]int{}, decided: map[int]int{}, refunds: map[[2]string]*tickets.RefundTotal{}}
	err := d.View(ctx, func(txi tickets.Tx) error {
		tx := txi.(*Tx)
		for _, span := range f.Spans {
			if err := tx.statsDays(tot.st, span); err != nil {
				return err
			}
		}
		if err := tx.statsTotals(tot, f); err != nil {
			return err
		}
		if err := tx.statsResponses(tot, f); err != nil {
			return err
		}
		return tx.statsMedianDecision(tot, f)
	})
	if err != nil {
		return nil, fmt.Errorf("period stats: %w", err)
	}
	tot.st.Refunds = tot.refundList()
	return tot.st, nil
}

// statsDays counts a span's new tickets by day, channel and kind: from the
// hours' counts when the span is whole hours in a zone whole hours off UTC,
// otherwise from the tickets.
func (t *Tx) statsDays(st *tickets.StatsCounts, span tickets.ZoneSpan) error {
	var rows []struct {
		Day     int64  `db:"day"`
		Channel string `db:"channel"`
		Kind    string `db:"kind"`
		N       int    `db:"n"`
	}
	from, to := span.From.Unix(), span.To.Unix()
	var err error
	if span.Offset%3600 == 0 && from%3600 == 0 && to%3600 == 0 && span.From.Nanosecond() == 0 && span.To.Nanosecond() == 0 {
		err = t.sel(&rows, `SELECT (hour * 3600 + ?) / 86400 AS day, channel, kind, CAST(SUM(n) AS BIGINT) AS n
			FROM stats_hours WHERE hour >= ? AND hour < ? GROUP BY day, channel, kind`, span.Offset, from/3600, to/3600)
	} else {
		err = t.sel(&rows, `SELECT `+dayExpr[t.db.dialect]+` AS day, channel, kind, COUNT(*) AS n
			FROM tickets WHERE created_at >= ? AND created_at < ? GROUP BY day, channel, kind`, span.Offset, span.From, span.To)
	}
	if err != nil {
		return fmt.Errorf("tickets by day: %w", err)
	}
	for _, r := range rows {
		if r.N != 0 {
			st.Days = append(st.Days, tickets.DayCount{Day: tickets.DayOf(r.Day), Channel: tickets.Channel(r.Channel),
				Kind: tickets.Kind(r.Kind), N: r.N})
		}
	}
	return nil
}

// statsPart is one part of the period: whole UTC days [Day, ToDay) read
// from the counts, or the tickets created in [From, To).
type statsPart struct {
	Days       bool
	Day, ToDay int64
	From, To   time.Time
}

// statsParts cuts [from, to) into its whole UTC days and what is left at
// either end.
func statsParts(from, to time.Time) []statsPart {
	first := floorDiv(from.Unix()+86399, 86400)
	if from.Unix()%86400 == 0 && from.Nanosecond() > 0 {
		first++
	}
	last := floorDiv(to.Unix(), 86400)
	if first >= last {
		return []statsPart{{From: from, To: to}}
	}
	var parts []statsPart
	if s := time.Unix(first*86400, 0).UTC(); from.Before(s) {
		parts = append(parts, statsPart{From: from, To: s})
	}
	parts = append(parts, statsPart{Days: true, Day: first, ToDay: last})
	if e := time.Unix(last*86400, 0).UTC(); e.Before(to) {
		parts = append(parts, statsPart{From: e, To: to})
	}
	return parts
}

// dayRow is what stats_days holds, summed, or the same from tickets.
type dayRow struct {
	Kind     string `db:"kind"`
	Verdict  string `db:"verdict"`
	N        int    `db:"n"`
	Finished int    `db:"finished"`
	Reopened int    `db:"reopened"`
	Answered int    `db:"answered"`
	Decided  int    `db:"decided"`
}

// refundRow is what stats_refunds holds, summed, or the same from tickets.
type refundRow struct {
	Reason     string `db:"reason"`
	Currency   string `db:"currency"`
	Approved   int    `db:"approved"`
	Amount     int64  `db:"amount"`
	Paid       int    `db:"paid"`
	PaidAmount int64  `db:"paid_amount"`
}

// The totals of whole UTC days from the counts, and of a stretch of time
// from its tickets, counted as the counts are (see migration 0008).
const (
	daysFromCounts = `SELECT kind, verdict, CAST(SUM(n) AS BIGINT) AS n, CAST(SUM(finished) AS BIGINT) AS finished,
	CAST(SUM(reopened) AS BIGINT) AS reopened, CAST(SUM(answered) AS BIGINT) AS answered,
	CAST(SUM(decided) AS BIGINT) AS decided FROM stats_days WHERE day >= ? AND day < ? GROUP BY kind, verdict`
	daysFromTickets = `SELECT kind, verdict, COUNT(*) AS n,
	CAST(SUM(CASE WHEN status IN ('denied', 'resolved', 'closed') OR r = 1 THEN 1 ELSE 0 END) AS BIGINT) AS finished,
	CAST(SUM(r) AS BIGINT) AS reopened, CAST(SUM(CASE WHEN response_us IS NOT NULL THEN 1 ELSE 0 END) AS BIGINT) AS answered,
	CAST(SUM(CASE WHEN decision_us IS NOT NULL THEN 1 ELSE 0 END) AS BIGINT) AS decided
	FROM (SELECT kind, verdict, status, response_us, decision_us,
		CASE WHEN ',' || flags || ',' LIKE '%,reopened,%' THEN 1 ELSE 0 END AS r
		FROM tickets WHERE created_at >= ? AND created_at < ?) c
	GROUP BY kind, verdict`
	refundsFromCounts = `SELECT reason, currency, CAST(SUM(approved) AS BIGINT) AS approved, CAST(SUM(amount) AS BIGINT) AS amount,
	CAST(SUM(paid) AS BIGINT) AS paid, CAST(SUM(paid_amount) AS BIGINT) AS paid_amount
	FROM stats_refunds WHERE day >= ? AND day < ? GROUP BY reason, currency`
	refundsFromTickets = `SELECT reason, currency, COUNT(*) AS approved, CAST(SUM(approved_amount) AS BIGINT) AS amount,
	CAST(SUM(p) AS BIGINT) AS paid, CAST(SUM(p * approved_amount) AS BIGINT) AS paid_amount
	FROM (SELECT reason, currency, approved_amount,
		CASE WHEN status = 'resolved' OR (status = 'closed' AND paid_at IS NOT NULL) THEN 1 ELSE 0 END AS p
		FROM tickets WHERE created_at >= ? AND created_at < ? AND kind = 'refund' AND approved_amount IS NOT NULL) c
	GROUP BY reason, currency`
)

// statsTotals adds up the verdicts, finished and reopened tickets, refunds,
// answers and decisions, and the delays by bucket, part by part.
func (t *Tx) statsTotals(tot *statsTotals, f tickets.StatsFilter) error {
	for _, p := range statsParts(f.From, f.To) {
		var days []dayRow
		var refunds []refundRow
		var err error
		if p.Days {
			if err = t.sel(&days, daysFromCounts, p.Day, p.ToDay); err == nil {
				err = t.sel(&refunds, refundsFromCounts, p.Day, p.ToDay)
			}
		} else if err = t.sel(&days, daysFromTickets, p.From, p.To); err == nil {
			err = t.sel(&refunds, refundsFromTickets, p.From, p.To)
		}
		if err != nil {
			return fmt.Errorf("period totals: %w", err)
		}
		for _, r := range days {
			tot.addDay(r)
		}
		for _, r := range refunds {
			tot.addRefund(r)
		}
		if err := t.statsDelays(tot, p); err != nil {
			return err
		}
	}
	return nil
}

func (tot *statsTotals) addDay(r dayRow) {
	st := tot.st
	if r.N != 0 {
		st.Verdicts[tickets.Verdict(r.Verdict)] += r.N
	}
	tot.n += r.N
	tot.answered += r.Answered
	st.Decisions.Decided += r.Decided
	st.Reopens.Finished += r.Finished
	st.Reopens.Reopened += r.Reopened
}

func (tot *statsTotals) addRefund(r refundRow) {
	k := [2]string{r.Reason, r.Currency}
	rt := tot.refunds[k]
	if rt == nil {
		rt = &tickets.RefundTotal{Reason: tickets.Reason(r.Reason), Amount: tickets.Money{Currency: r.Currency},
			PaidOut: tickets.Money{Currency: r.Currency}}
		tot.refunds[k] = rt
	}
	rt.Approved += r.Approved
	rt.Amount.Amount += r.Amount
	rt.Paid += r.Paid
	rt.PaidOut.Amount += r.PaidAmount
}

// refundList is the refunds by reason and currency, in that order.
func (tot *statsTotals) refundList() []tickets.RefundTotal {
	keys := sortedKeys(tot.refunds, func(a, b [2]string) bool { return a[0] < b[0] || a[0] == b[0] && a[1] < b[1] })
	var out []tickets.RefundTotal
	for _, k := range keys {
		if rt := tot.refunds[k]; rt.Approved != 0 {
			out = append(out, *rt)
		}
	}
	return out
}

// statsDelays adds a part's delays by bucket.
func (t *Tx) statsDelays(tot *statsTotals, p statsPart) error {
	if p.Days {
		var rows []struct {
			What   string `db:"what"`
			Bucket int    `db:"bucket"`
			N      int    `db:"n"`
		}
		if err := t.sel(&rows, `SELECT what, bucket, CAST(SUM(n) AS BIGINT) AS n FROM stats_delays
			WHERE day >= ? AND day < ? GROUP BY what, bucket`, p.Day, p.ToDay); err != nil {
			return fmt.Errorf("delays: %w", err)
		}
		for _, r := range rows {
			if r.What == "response" {
				tot.response[r.Bucket] += r.N
			} else {
				tot.decided[r.Bucket] += r.N
			}
		}
		return nil
	}
	var rows []struct {
		Response *int64 `db:"response_us"`
		Decision *int64 `db:"decision_us"`
	}
	if err := t.sel(&rows, `SELECT response_us, decision_us FROM tickets WHERE created_at >= ? AND created_at < ?
		AND (response_us IS NOT NULL OR decision_us IS NOT NULL)`, p.From, p.To); err != nil {
		return fmt.Errorf("delays: %w", err)
	}
	for _, r := range rows {
		if r.Response != nil {
			tot.response[bucketOf(*r.Response)]++
		}
		if r.Decision != nil {
			tot.decided[bucketOf(*r.Decision)]++
		}
	}
	return nil
}

// statsResponses counts the tickets answered within the first-response
// target (the buckets below the target's, and that bucket's tickets up to
// the target), later or never, and those still inside it, unanswered.
func (t *Tx) statsResponses(tot *statsTotals, f tickets.StatsFilter) error {
	target := f.FirstResponse.Microseconds()
	b := bucketOf(target)
	kept := 0
	for k, n := range tot.response {
		if k < b {
			kept += n
		}
	}
	var edge, pending int
	if err := t.get(&edge, `SELECT COUNT(*) FROM tickets WHERE response_us IS NOT NULL AND response_us >= ? AND response_us <= ?
		AND created_at >= ? AND created_at < ?`, statsBucketLo[b], target, f.From, f.To); err != nil {
		return fmt.Errorf("first responses: %w", err)
	}
	if since := f.Now.Add(-f.FirstResponse).UTC(); since.Before(f.To) {
		from := f.From
		if since.After(from) {
			from = since
		}
		if err := t.get(&pending, `SELECT COUNT(*) FROM tickets WHERE created_at > ? AND created_at >= ? AND created_at < ?
			AND first_response_at IS NULL`, since, from, f.To); err != nil {
			return fmt.Errorf("first responses pending: %w", err)
		}
	}
	kept += edge
	tot.st.FirstResponse = tickets.ResponseStats{Target: f.FirstResponse, Kept: kept, Pending: pending,
		Missed: tot.n - kept - pending}
	return nil
}

// statsMedianDecision finds the median time from a ticket's creation to
// its first decision: the middle one, or the mean of the middle two, each
// found in its bucket.
func (t *Tx) statsMedianDecision(tot *statsTotals, f tickets.StatsFilter) error {
	n := tot.st.Decisions.Decided
	if n == 0 {
		return nil
	}
	places := []int{(n - 1) / 2}
	if n%2 == 0 {
		places = append(places, n/2)
	}
	var sum float64
	for _, p := range places {
		b, below := 0, 0
		for ; b < len(statsBucketLo); b++ {
			if below+tot.decided[b] > p {
				break
			}
			below += tot.decided[b]
		}
		var us []int64
		if err := t.sel(&us, `SELECT decision_us FROM tickets WHERE decision_us IS NOT NULL AND decision_us >= ? AND decision_us < ?
			AND created_at >= ? AND created_at < ? ORDER BY decision_us LIMIT 1 OFFSET ?`,
			statsBucketLo[min(b, len(statsBucketLo)-1)], bucketHi(b), f.From, f.To, p-below); err != nil {
			return fmt.Errorf("median time to a decision: %w", err)
		}
		if len(us) == 0 {
			// The bucket counts more tickets than there are: retention
			// removed some (tickets.Retention keeps the counts). The
			// place is then taken as the middle of its bucket.
			lo, hi := statsBucketLo[min(b, len(statsBucketLo)-1)], bucketHi(b)
			us = []int64{lo + (hi-lo)/2}
		}
		sum += float64(us[0])
	}
	tot.st.Decisions.Median = time.Duration(math.Round(sum/float64(len(places)))) * time.Microsecond
	return nil
}
