package tickets

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The dashboard's figures: what happened to the tickets created in a
// period. Every figure is about that cohort: how many came in each day (by
// channel and kind), the policy's verdicts on them, the refunds approved
// and paid, how many an agent answered within the first-response target,
// how long they took to a decision, and how many were reopened.

// MaxStatsDays is the longest period the figures cover.
const MaxStatsDays = 400

// DefaultStatsDays is the period when none is given: the last 30 days,
// today included.
const DefaultStatsDays = 30

// ResponseActions are the agents' actions that answer a ticket for the
// first-response figure: those the requester hears of or that decide.
// Claiming, assigning and notes are internal; a reopen comes after an
// answer.
var ResponseActions = []Action{ActionReply, ActionAsk, ActionApprove, ActionDeny, ActionForward, ActionResolve, ActionClose}

// DecisionActions decide a ticket, for the time to a decision (by an agent
// or by the desk's auto-approval).
var DecisionActions = []Action{ActionApprove, ActionDeny}

// StatsQuery asks for the figures of a period: the tickets created from
// From up to, not including, To, with days counted in Location. Zero From
// and To: the last DefaultStatsDays days, today included; nil Location: UTC.
type StatsQuery struct {
	From, To time.Time
	Location *time.Location
}

// StatsFilter is what the store counts: the tickets created in [From, To),
// days cut where Spans say (each span keeps one offset from UTC). A
// ticket's first answer, first decision and payment are the facts AuditFacts
// finds in its audit trail, which the store keeps as it writes each entry.
type StatsFilter struct {
	From, To time.Time
	Spans    []ZoneSpan
	// Now and FirstResponse: a ticket not answered yet whose target is
	// still ahead is pending, neither kept nor missed.
	Now           time.Time
	FirstResponse time.Duration
}

// AuditFacts says what an audit entry tells the figures: whether it answers
// the ticket (one of ResponseActions, by someone other than the system),
// decides it (one of DecisionActions, by anyone) or pays it (resolve). The
// store keeps the earliest time of each on the ticket, in the transaction
// that writes the entry.
func AuditFacts(e AuditEntry) (answers, decides, pays bool) {
	a := Action(e.Action)
	answers = slices.Contains(ResponseActions, a) && e.Actor != ActorSystem
	decides = slices.Contains(DecisionActions, a)
	return answers, decides, a == ActionResolve
}

// ZoneSpan is a stretch of time [From, To) over which a time zone keeps one
// offset from UTC (in seconds east), so a day there is a fixed stretch of UTC.
type ZoneSpan struct {
	From, To time.Time
	Offset   int
}

// Money is an amount in minor units of a currency (cents, whole rupiah).
type Money struct {
	Amount   int64  `json:"amount"`
	Currency string `json:"currency"`
}

// MarshalJSON adds the amount in major units, as typed and shown ("146.70").
func (m Money) MarshalJSON() ([]byte, error) {
	type plain Money
	return json.Marshal(struct {
		plain
		Text string `json:"text"`
	}{plain(m), FormatAmount(m.Amount, m.Currency)})
}

// DayCount is how many tickets of a channel and kind were created on a day
// (a date in the query's zone, at midnight UTC).
type DayCount struct {
	Day     time.Time `json:"day"`
	Channel Channel   `json:"channel"`
	Kind    Kind      `json:"kind"`
	N       int       `json:"n"`
}

// DayStats are one day's new tickets.
type DayStats struct {
	Date      string          `json:"date"` // 2026-11-21, in the query's zone
	Total     int             `json:"total"`
	ByChannel map[Channel]int `json:"by_channel"`
	ByKind    map[Kind]int    `json:"by_kind"`
}

// RefundTotal is what was approved, and paid, for one reason in one
// currency. Paid refunds are those marked resolved.
type RefundTotal struct {
	Reason   Reason `json:"reason"`
	Approved int    `json:"approved"`
	Amount   Money  `json:"amount"`
	Paid     int    `json:"paid"`
	PaidOut  Money  `json:"paid_amount"`
}

// ResponseStats say how many tickets an agent first answered (one of
// ResponseActions) within the first-response target, how many later or not
// at all, and how many are still inside their target, unanswered.
type ResponseStats struct {
	Target  time.Duration `json:"target"`
	Kept    int           `json:"kept"`
	Missed  int           `json:"missed"`
	Pending int           `json:"pending"`
}

// DecisionStats: how many tickets were decided (approved or denied), and
// the median time from their creation to the first decision.
type DecisionStats struct {
	Decided int           `json:"decided"`
	Median  time.Duration `json:"median"`
}

// ReopenStats: how many tickets were finished (denied, resolved, closed or
// reopened since) and how many of them were reopened.
type ReopenStats struct {
	Finished int `json:"finished"`
	Reopened int `json:"reopened"`
}

// StatsCounts are the store's answer to a StatsFilter.
type StatsCounts struct {
	Days          []DayCount      `json:"-"`
	Verdicts      map[Verdict]int `json:"verdicts"`
	Refunds       []RefundTotal   `json:"refunds"`
	FirstResponse ResponseStats   `json:"first_response"`
	Decisions     DecisionStats   `json:"decisions"`
	Reopens       ReopenStats     `json:"reopens"`
}

// PeriodStats are the dashboard's figures over a period.
type PeriodStats struct {
	From      time.Time       `json:"from"`
	To        time.Time       `json:"to"`
	Zone      string          `json:"zone"`
	Tickets   int             `json:"tickets"`
	Days      []DayStats      `json:"days"` // every day of the period, in order
	ByChannel map[Channel]int `json:"by_channel"`
	ByKind    map[Kind]int    `json:"by_kind"`
	StatsCounts
}

// KeptShare is the share of answered-or-overdue tickets answered in time,
// as kept and out of (0 of 0 when there were none).
func (s ResponseStats) KeptShare() (kept, of int) { return s.Kept, s.Kept + s.Missed }

// PeriodStats returns the figures of the tickets created in a period.
func (r *Records) PeriodStats(ctx context.Context, q StatsQuery) (*PeriodStats, error) {
	f, err := r.statsFilter(q)
	if err != nil {
		return nil, err
	}
	counts, err := r.store.PeriodStats(ctx, f)
	if err != nil {
		return nil, fmt.Errorf("figures: %w", err)
	}
	loc := q.Location
	if loc == nil {
		loc = time.UTC
	}
	st := &PeriodStats{From: f.From, To: f.To, Zone: loc.String(), StatsCounts: *counts}
	st.fillDays(counts.Days, f.From.In(loc), f.To.In(loc))
	return st, nil
}

// statsFilter checks a query's period and says what the store counts.
func (r *Records) statsFilter(q StatsQuery) (StatsFilter, error) {
	loc := q.Location
	if loc == nil {
		loc = time.UTC
	}
	now := r.clock.Now()
	from, to := q.From, q.To
	if to.IsZero() {
		y, m, d := now.In(loc).Date()
		to = time.Date(y, m, d+1, 0, 0, 0, 0, loc)
	}
	if from.IsZero() {
		y, m, d := to.In(loc).Date()
		from = time.Date(y, m, d-DefaultStatsDays, 0, 0, 0, 0, loc)
	}
	if !from.Before(to) {
		return StatsFilter{}, Invalid("period", "period.reversed", "From", from.In(loc).Format(time.DateOnly), "To", to.In(loc).Format(time.DateOnly))
	}
	if to.Sub(from) > MaxStatsDays*24*time.Hour+time.Hour {
		return StatsFilter{}, Invalid("period", "period.too_long", "Max", MaxStatsDays)
	}
	return StatsFilter{From: from.UTC(), To: to.UTC(), Spans: ZoneSpans(from, to, loc), Now: now,
		FirstResponse: r.sla.FirstResponse}, nil
}

// ZoneSpans cuts [from, to) where loc's offset from UTC changes.
func ZoneSpans(from, to time.Time, loc *time.Location) []ZoneSpan {
	var spans []ZoneSpan
	for t := from; t.Before(to); {
		local := t.In(loc)
		_, off := local.Zone()
		_, end := local.ZoneBounds()
		if end.IsZero() || end.After(to) {
			end = to
		}
		spans = append(spans, ZoneSpan{From: t.UTC(), To: end.UTC(), Offset: off})
		t = end
	}
	return spans
}

// DayOf returns the date of day number n (days since 1970-01-01 in a
// zone: (Unix seconds + offset) / 86400), at midnight UTC.
func DayOf(n int64) time.Time { return time.Unix(n*86400, 0).UTC() }

// fillDays lays the store's counts out as every day of [from, to), in
// order, and adds up the totals by channel and kind.
func (st *PeriodStats) fillDays(counts []DayCount, from, to time.Time) {
	st.ByChannel, st.ByKind = map[Channel]int{}, map[Kind]int{}
	index := map[string]int{}
	for d := from; d.Before(to); {
		y, m, dd := d.Date()
		date := time.Date(y, m, dd, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
		index[date] = len(st.Days)
		st.Days = append(st.Days, DayStats{Date: date, ByChannel: map[Channel]int{}, ByKind: map[Kind]int{}})
		d = time.Date(y, m, dd+1, 0, 0, 0, 0, d.Location())
	}
	for _, c := range counts {
		i, ok := index[c.Day.Format(time.DateOnly)]
		if !ok {
			continue // cannot happen: the store counts inside [from, to)
		}
		day := &st.Days[i]
		day.Total += c.N
		day.ByChannel[c.Channel] += c.N
		day.ByKind[c.Kind] += c.N
		st.ByChannel[c.Channel] += c.N
		st.ByKind[c.Kind] += c.N
		st.Tickets += c.N
	}
}

// ParseStatsQuery reads a period as people type it: the first and the last
// day (YYYY-MM-DD, both included; either may be empty for the default) and
// a time zone (an IANA name such as Asia/Jakarta; empty: UTC).
func ParseStatsQuery(from, to, zone string) (StatsQuery, error) {
	q := StatsQuery{Location: time.UTC}
	if zone = strings.TrimSpace(zone); zone != "" {
		loc, err := time.LoadLocation(zone)
		if err != nil || zone == "Local" {
			return q, Invalid("tz", "zone.unknown", "Value", zone)
		}
		q.Location = loc
	}
	day := func(field, s string) (time.Time, error) {
		d, err := time.ParseInLocation(time.DateOnly, strings.TrimSpace(s), q.Location)
		if err != nil {
			return time.Time{}, Invalid(field, "date.invalid", "Value", s)
		}
		return d, nil
	}
	var err error
	if strings.TrimSpace(from) != "" {
		if q.From, err = day("from", from); err != nil {
			return q, err
		}
	}
	if strings.TrimSpace(to) != "" {
		last, err := day("to", to)
		if err != nil {
			return q, err
		}
		q.To = last.AddDate(0, 0, 1)
		if q.From.IsZero() {
			q.From = last.AddDate(0, 0, 1-DefaultStatsDays)
		}
	}
	return q, nil
}

// WriteCSV writes the figures as CSV, one figure a row: section, date, key,
// count, and for money the amount in major units with its currency's
// decimals and the currency. Spans of time are in seconds.
func (st *PeriodStats) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	row := func(section, date, key string, count int64, amount, currency string) {
		_ = cw.Write([]string{section, date, key, strconv.FormatInt(count, 10), amount, currency})
	}
	_ = cw.Write([]string{"section", "date", "key", "count", "amount", "currency"})
	for _, d := range st.Days {
		row("day", d.Date, "total", int64(d.Total), "", "")
		for _, c := range Channels {
			row("day_channel", d.Date, string(c), int64(d.ByChannel[c]), "", "")
		}
		for _, k := range Kinds {
			row("day_kind", d.Date, string(k), int64(d.ByKind[k]), "", "")
		}
	}
	for _, v := range append(slices.Clone(Verdicts), "") {
		if n, ok := st.Verdicts[v]; ok {
			row("verdict", "", string(v), int64(n), "", "")
		}
	}
	for _, r := range st.Refunds {
		row("refund_approved", "", string(r.Reason), int64(r.Approved), FormatAmount(r.Amount.Amount, r.Amount.Currency), r.Amount.Currency)
		row("refund_paid", "", string(r.Reason), int64(r.Paid), FormatAmount(r.PaidOut.Amount, r.PaidOut.Currency), r.PaidOut.Currency)
	}
	fr := st.FirstResponse
	row("first_response", "", "target_seconds", int64(fr.Target/time.Second), "", "")
	row("first_response", "", "kept", int64(fr.Kept), "", "")
	row("first_response", "", "missed", int64(fr.Missed), "", "")
	row("first_response", "", "pending", int64(fr.Pending), "", "")
	row("decision", "", "decided", int64(st.Decisions.Decided), "", "")
	row("decision", "", "median_seconds", int64(st.Decisions.Median/time.Second), "", "")
	row("reopen", "", "finished", int64(st.Reopens.Finished), "", "")
	row("reopen", "", "reopened", int64(st.Reopens.Reopened), "", "")
	cw.Flush()
	return cw.Error()
}
