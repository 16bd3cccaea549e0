package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"refunddesk/tickets"
)

// What the dashboard's figures are counted from (migration 0008): facts on
// each ticket (its first answer, decision and payment, written with the
// audit entry that makes them) and four tables of counts, stats_hours,
// stats_days, stats_refunds and stats_delays. A write transaction notes what each ticket
// it changes counted as before its first change (statsBefore); before the
// commit, flushStats reads what each counts as now and moves the counts by
// the difference, in the same transaction: a ticket is counted once,
// whatever runs beside it, and a change undone takes its counts with it.

// statsBucketLo are the lower bounds, in microseconds, of the buckets of
// delays in stats_delays (and in stats_buckets, which the migration fills
// with the same list): 5 minutes wide up to an hour, 15 up to 4 hours,
// hourly up to 48 hours, 6-hourly up to a week, daily up to 30 days, then
// 30 days wide. Bucket 0 holds delays below zero.
var statsBucketLo = func() []int64 {
	lo := []int64{math.MinInt64 + 1, 0}
	s := int64(0)
	for _, step := range []struct{ step, until time.Duration }{{5 * time.Minute, time.Hour}, {15 * time.Minute, 4 * time.Hour},
		{time.Hour, 48 * time.Hour}, {6 * time.Hour, 7 * 24 * time.Hour}, {24 * time.Hour, 30 * 24 * time.Hour},
		{30 * 24 * time.Hour, 360 * 24 * time.Hour}} {
		for s+step.step.Microseconds() <= step.until.Microseconds() {
			s += step.step.Microseconds()
			lo = append(lo, s)
		}
	}
	return lo
}()

// bucketOf is the bucket of a delay in microseconds.
func bucketOf(us int64) int {
	return sort.Search(len(statsBucketLo), func(i int) bool { return statsBucketLo[i] > us }) - 1
}

// bucketHi is the first delay past bucket b.
func bucketHi(b int) int64 {
	if b+1 < len(statsBucketLo) {
		return statsBucketLo[b+1]
	}
	return math.MaxInt64
}

// statsRow is what a ticket counts as.
type statsRow struct {
	CreatedAt      time.Time     `db:"created_at"`
	Channel        string        `db:"channel"`
	Kind           string        `db:"kind"`
	Verdict        string        `db:"verdict"`
	Reason         string        `db:"reason"`
	Currency       string        `db:"currency"`
	Status         string        `db:"status"`
	Flags          string        `db:"flags"`
	ApprovedAmount sql.NullInt64 `db:"approved_amount"`
	PaidAt         sql.NullTime  `db:"paid_at"`
	ResponseUS     sql.NullInt64 `db:"response_us"`
	DecisionUS     sql.NullInt64 `db:"decision_us"`
}

const statsRowColumns = `created_at, channel, kind, verdict, reason, currency, status, flags, approved_amount, paid_at,
	response_us, decision_us`

// readStats reads what a ticket counts as now (nil: no such ticket, as
// after a change of a group undone); on PostgreSQL it locks the row, so
// that nothing changes it before this transaction ends.
func (t *Tx) readStats(id int64) (*statsRow, error) {
	q := `SELECT ` + statsRowColumns + ` FROM tickets WHERE id = ?`
	if t.db.dialect == Postgres {
		q += ` FOR UPDATE`
	}
	var r statsRow
	if err := t.get(&r, q, id); errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("figures of ticket %d: %w", id, err)
	}
	return &r, nil
}

// statsBefore notes what a ticket counted as before this transaction first
// changes it; created says it is new here and counted as nothing.
func (t *Tx) statsBefore(id int64, created bool) error {
	if t.statsWas == nil {
		t.statsWas = map[int64]*statsRow{}
	}
	if _, ok := t.statsWas[id]; ok {
		return nil
	}
	var was *statsRow
	if !created {
		var err error
		if was, err = t.readStats(id); err != nil {
			return err
		}
	}
	t.statsWas[id] = was
	return nil
}

// noteFacts keeps on the ticket the earliest time of each fact an audit
// entry tells (tickets.AuditFacts), with its delay since the ticket's
// creation for the answer and the decision.
func (t *Tx) noteFacts(id int64, e tickets.AuditEntry) error {
	answers, decides, pays := tickets.AuditFacts(e)
	if !answers && !decides && !pays {
		return nil
	}
	if err := t.statsBefore(id, false); err != nil {
		return err
	}
	var f struct {
		Created  time.Time    `db:"created_at"`
		Answered sql.NullTime `db:"first_response_at"`
		Decided  sql.NullTime `db:"first_decision_at"`
		Paid     sql.NullTime `db:"paid_at"`
	}
	if err := t.get(&f, `SELECT created_at, first_response_at, first_decision_at, paid_at FROM tickets WHERE id = ?`, id); err != nil {
		return fmt.Errorf("facts of ticket %d: %w", id, err)
	}
	at := e.At.UTC()
	earlier := func(n sql.NullTime) bool { return !n.Valid || at.Before(n.Time) }
	delay := at.Sub(f.Created).Microseconds()
	var set []string
	var args []any
	if answers && earlier(f.Answered) {
		set, args = append(set, "first_response_at = ?", "response_us = ?"), append(args, at, delay)
	}
	if decides && earlier(f.Decided) {
		set, args = append(set, "first_decision_at = ?", "decision_us = ?"), append(args, at, delay)
	}
	if pays && earlier(f.Paid) {
		set, args = append(set, "paid_at = ?"), append(args, at)
	}
	if len(set) == 0 {
		return nil
	}
	if _, err := t.exec(`UPDATE tickets SET `+strings.Join(set, ", ")+` WHERE id = ?`, append(args, id)...); err != nil {
		return fmt.Errorf("facts of ticket %d: %w", id, err)
	}
	return nil
}

// The keys and values of the four tables of counts.
type (
	hourKey struct {
		hour          int64
		channel, kind string
	}
	dayKey struct {
		day           int64
		kind, verdict string
	}
	dayVals   struct{ n, finished, reopened, answered, decided int64 }
	refundKey struct {
		day              int64
		reason, currency string
	}
	refundVals struct{ approved, amount, paid, paidAmount int64 }
	delayKey   struct {
		day    int64
		what   string
		bucket int
	}
)

// statsDelta is how a transaction moves the counts.
type statsDelta struct {
	hours   map[hourKey]int64
	days    map[dayKey]dayVals
	refunds map[refundKey]refundVals
	delays  map[delayKey]int64
}

func newStatsDelta() *statsDelta {
	return &statsDelta{hours: map[hourKey]int64{}, days: map[dayKey]dayVals{}, refunds: map[refundKey]refundVals{},
		delays: map[delayKey]int64{}}
}

// add counts r (sign 1) or takes it off (sign -1).
func (d *statsDelta) add(r *statsRow, sign int64) {
	if r == nil {
		return
	}
	sec := r.CreatedAt.Unix()
	day := floorDiv(sec, 86400)
	d.hours[hourKey{floorDiv(sec, 3600), r.Channel, r.Kind}] += sign
	var reopened, finished int64
	if slices.Contains(strings.Split(r.Flags, ","), tickets.FlagReopened) {
		reopened = 1
	}
	switch tickets.Status(r.Status) {
	case tickets.StatusDenied, tickets.StatusResolved, tickets.StatusClosed:
		finished = 1
	}
	k := dayKey{day, r.Kind, r.Verdict}
	v := d.days[k]
	v.n += sign
	v.finished += sign * max(finished, reopened)
	v.reopened += sign * reopened
	if r.ResponseUS.Valid {
		v.answered += sign
		d.delays[delayKey{day, "response", bucketOf(r.ResponseUS.Int64)}] += sign
	}
	if r.DecisionUS.Valid {
		v.decided += sign
		d.delays[delayKey{day, "decision", bucketOf(r.DecisionUS.Int64)}] += sign
	}
	d.days[k] = v
	if r.Kind == string(tickets.KindRefund) && r.ApprovedAmount.Valid {
		rk := refundKey{day, r.Reason, r.Currency}
		rv := d.refunds[rk]
		rv.approved += sign
		rv.amount += sign * r.ApprovedAmount.Int64
		if r.Status == string(tickets.StatusResolved) || (r.Status == string(tickets.StatusClosed) && r.PaidAt.Valid) {
			rv.paid += sign
			rv.paidAmount += sign * r.ApprovedAmount.Int64
		}
		d.refunds[rk] = rv
	}
}

// floorDiv divides rounding down, as the day and hour of a time before
// 1970 are.
func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}

// flushStats moves the counts by what the tickets this transaction changed
// count as now, less what they counted as before.
func (t *Tx) flushStats() error {
	defer clear(t.statsWas)
	d := newStatsDelta()
	for id, was := range t.statsWas {
		now, err := t.readStats(id)
		if err != nil {
			return err
		}
		d.add(was, -1)
		d.add(now, 1)
	}
	return t.applyStats(d)
}

// applyStats writes a delta, each table's keys in order (two transactions
// of PostgreSQL moving the same rows wait for each other, not in a circle).
func (t *Tx) applyStats(d *statsDelta) error {
	for _, k := range sortedKeys(d.hours, func(a, b hourKey) bool {
		return a.hour < b.hour || a.hour == b.hour && (a.channel < b.channel || a.channel == b.channel && a.kind < b.kind)
	}) {
		if n := d.hours[k]; n != 0 {
			if _, err := t.exec(`INSERT INTO stats_hours (hour, channel, kind, n) VALUES (?, ?, ?, ?)
				ON CONFLICT (hour, channel, kind) DO UPDATE SET n = stats_hours.n + excluded.n`, k.hour, k.channel, k.kind, n); err != nil {
				return fmt.Errorf("count tickets by hour: %w", err)
			}
		}
	}
	for _, k := range sortedKeys(d.days, func(a, b dayKey) bool { return fmt.Sprint(a) < fmt.Sprint(b) }) {
		if v := d.days[k]; v != (dayVals{}) {
			if _, err := t.exec(`INSERT INTO stats_days (day, kind, verdict, n, finished, reopened, answered, decided)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (day, kind, verdict) DO UPDATE SET
				n = stats_days.n + excluded.n, finished = stats_days.finished + excluded.finished,
				reopened = stats_days.reopened + excluded.reopened, answered = stats_days.answered + excluded.answered,
				decided = stats_days.decided + excluded.decided`, k.day, k.kind, k.verdict, v.n, v.finished, v.reopened,
				v.answered, v.decided); err != nil {
				return fmt.Errorf("count tickets by day: %w", err)
			}
		}
	}
	for _, k := range sortedKeys(d.refunds, func(a, b refundKey) bool { return fmt.Sprint(a) < fmt.Sprint(b) }) {
		if v := d.refunds[k]; v != (refundVals{}) {
			if _, err := t.exec(`INSERT INTO stats_refunds (day, reason, currency, approved, amount, paid, paid_amount)
				VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (day, reason, currency) DO UPDATE SET
				approved = stats_refunds.approved + excluded.approved, amount = stats_refunds.amount + excluded.amount,
				paid = stats_refunds.paid + excluded.paid, paid_amount = stats_refunds.paid_amount + excluded.paid_amount`,
				k.day, k.reason, k.currency, v.approved, v.amount, v.paid, v.paidAmount); err != nil {
				return fmt.Errorf("count refunds by day: %w", err)
			}
		}
	}
	for _, k := range sortedKeys(d.delays, func(a, b delayKey) bool { return fmt.Sprint(a) < fmt.Sprint(b) }) {
		if n := d.delays[k]; n != 0 {
			if _, err := t.exec(`INSERT INTO stats_delays (day, what, bucket, n) VALUES (?, ?, ?, ?)
				ON CONFLICT (day, what, bucket) DO UPDATE SET n = stats_delays.n + excluded.n`, k.day, k.what, k.bucket, n); err != nil {
				return fmt.Errorf("count delays: %w", err)
			}
		}
	}
	return nil
}

func sortedKeys[K comparable, V any](m map[K]V, less func(a, b K) bool) []K {
	keys := make([]K, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return less(keys[i], keys[j]) })
	return keys
}

// RecountStats counts every ticket again from its columns, in one
// transaction: the counts as the changes would have kept them. For a store
// written by other means than the store's own changes (a bulk load), or to
// check the kept counts.
func (d *DB) RecountStats(ctx context.Context) error {
	return d.Update(ctx, func(txi tickets.Tx) error {
		t := txi.(*Tx)
		for _, table := range []string{"stats_hours", "stats_days", "stats_refunds", "stats_delays"} {
			if _, err := t.exec(`DELETE FROM ` + table); err != nil {
				return fmt.Errorf("recount: %w", err)
			}
		}
		rows, err := t.tx.QueryxContext(t.ctx, `SELECT `+statsRowColumns+` FROM tickets`)
		if err != nil {
			return fmt.Errorf("recount: %w", err)
		}
		defer rows.Close()
		delta := newStatsDelta()
		for rows.Next() {
			var r statsRow
			if err := rows.StructScan(&r); err != nil {
				return fmt.Errorf("recount: %w", err)
			}
			delta.add(&r, 1)
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("recount: %w", err)
		}
		rows.Close()
		return t.applyStats(delta)
	})
}
