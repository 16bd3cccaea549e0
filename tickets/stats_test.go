package tickets_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"refunddesk/internal/storetest"
	"refunddesk/tickets"
	"refunddesk/tickets/sqlstore"
)

// A period the wrong way round or too long is refused with its code and
// changes nothing; no period is the last 30 days, today included, in the
// query's zone, every day there even when empty.
func TestPeriodStatsPeriod(t *testing.T) {
	ctx := context.Background()
	clock := storetest.NewClock(time.Date(2026, 11, 21, 20, 0, 0, 0, time.UTC)) // the 22nd in Jakarta
	svc := tickets.NewService(storetest.Open(t, sqlstore.SQLite, clock), tickets.Options{Clock: clock})
	day := time.Date(2026, 11, 10, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		q    tickets.StatsQuery
		code string
	}{
		{tickets.StatsQuery{From: day, To: day}, "period.reversed"},
		{tickets.StatsQuery{From: day, To: day.AddDate(0, 0, -1)}, "period.reversed"},
		{tickets.StatsQuery{From: day.AddDate(0, 0, -tickets.MaxStatsDays-1), To: day}, "period.too_long"},
	} {
		_, err := svc.Records.PeriodStats(ctx, c.q)
		var v *tickets.ValidationError
		if !errors.As(err, &v) || v.Code != c.code || v.Field != "period" {
			t.Errorf("%v..%v: %v, want %s", c.q.From, c.q.To, err, c.code)
		}
	}
	jakarta, err := time.LoadLocation("Asia/Jakarta")
	if err != nil {
		t.Skip("no time zone database:", err)
	}
	st, err := svc.Records.PeriodStats(ctx, tickets.StatsQuery{Location: jakarta})
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Days) != tickets.DefaultStatsDays || st.Days[0].Date != "2026-10-24" || st.Days[29].Date != "2026-11-22" ||
		st.Zone != "Asia/Jakarta" || st.Tickets != 0 {
		t.Errorf("default period: %d days, %s..%s in %s", len(st.Days), st.Days[0].Date, st.Days[len(st.Days)-1].Date, st.Zone)
	}
	if !st.To.Equal(time.Date(2026, 11, 22, 17, 0, 0, 0, time.UTC)) {
		t.Errorf("to: %v", st.To)
	}
}

// A zone with summer time is cut where its offset changes, so a day is a
// day on the wall clock, 23 or 25 hours long.
func TestZoneSpans(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Skip("no time zone database:", err)
	}
	from := time.Date(2026, 3, 1, 0, 0, 0, 0, paris)
	to := time.Date(2026, 11, 1, 0, 0, 0, 0, paris)
	spans := tickets.ZoneSpans(from, to, paris)
	if len(spans) != 3 || spans[0].Offset != 3600 || spans[1].Offset != 7200 || spans[2].Offset != 3600 {
		t.Fatalf("spans: %+v", spans)
	}
	if !spans[0].From.Equal(from) || !spans[2].To.Equal(to) || !spans[0].To.Equal(spans[1].From) ||
		!spans[1].From.Equal(time.Date(2026, 3, 29, 1, 0, 0, 0, time.UTC)) {
		t.Errorf("spans: %+v", spans)
	}
	if one := tickets.ZoneSpans(from, to, time.UTC); len(one) != 1 || one[0].Offset != 0 {
		t.Errorf("UTC: %+v", one)
	}
}

// Dates are typed as days, both included, in the zone given; a bad date or
// zone names its field.
func TestParseStatsQuery(t *testing.T) {
	q, err := tickets.ParseStatsQuery("2026-11-01", "2026-11-30", "")
	if err != nil || !q.From.Equal(time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)) || !q.To.Equal(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("%+v %v", q, err)
	}
	q, err = tickets.ParseStatsQuery("", "2026-11-30", "")
	if err != nil || !q.From.Equal(time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("30 days up to the 30th: %+v %v", q, err)
	}
	if q, err := tickets.ParseStatsQuery("", "", ""); err != nil || !q.From.IsZero() || !q.To.IsZero() {
		t.Errorf("nothing given: %+v %v", q, err)
	}
	for _, c := range []struct{ from, to, zone, field, code string }{
		{"2026-13-01", "", "", "from", "date.invalid"},
		{"", "30/11/2026", "", "to", "date.invalid"},
		{"", "", "Mars/Olympus", "tz", "zone.unknown"},
	} {
		_, err := tickets.ParseStatsQuery(c.from, c.to, c.zone)
		var v *tickets.ValidationError
		if !errors.As(err, &v) || v.Field != c.field || v.Code != c.code {
			t.Errorf("%+v: %v", c, err)
		}
	}
}

// The CSV has every day with each channel and kind, the mixes, and money in
// major units with the currency's decimals.
func TestPeriodStatsCSV(t *testing.T) {
	st := &tickets.PeriodStats{Days: []tickets.DayStats{{Date: "2026-11-10", Total: 2,
		ByChannel: map[tickets.Channel]int{tickets.ChannelEmail: 2}, ByKind: map[tickets.Kind]int{tickets.KindRefund: 2}}},
		StatsCounts: tickets.StatsCounts{Verdicts: map[tickets.Verdict]int{tickets.VerdictEligible: 2},
			Refunds: []tickets.RefundTotal{{Reason: tickets.ReasonUnderDelivery, Approved: 2, Amount: tickets.Money{Amount: 14670, Currency: "USD"},
				Paid: 1, PaidOut: tickets.Money{Amount: 150000, Currency: "IDR"}}},
			FirstResponse: tickets.ResponseStats{Target: 24 * time.Hour, Kept: 1, Missed: 1},
			Decisions:     tickets.DecisionStats{Decided: 2, Median: 90 * time.Minute}, Reopens: tickets.ReopenStats{Finished: 2, Reopened: 1}}}
	var b strings.Builder
	if err := st.WriteCSV(&b); err != nil {
		t.Fatal(err)
	}
	want := `section,date,key,count,amount,currency
day,2026-11-10,total,2,,
day_channel,2026-11-10,discord,0,,
day_channel,2026-11-10,email,2,,
day_channel,2026-11-10,agent,0,,
day_kind,2026-11-10,refund,2,,
day_kind,2026-11-10,revocation,0,,
verdict,,eligible,2,,
refund_approved,,under_delivery,2,146.70,USD
refund_paid,,under_delivery,1,150000,IDR
first_response,,target_seconds,86400,,
first_response,,kept,1,,
first_response,,missed,1,,
first_response,,pending,0,,
decision,,decided,2,,
decision,,median_seconds,5400,,
reopen,,finished,2,,
reopen,,reopened,1,,
`
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}
