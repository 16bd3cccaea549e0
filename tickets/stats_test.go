package tickets_test

import (
	"context"
	"errors"
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
