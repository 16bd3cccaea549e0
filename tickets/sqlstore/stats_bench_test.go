package sqlstore_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"refunddesk/internal/storetest"
	"refunddesk/tickets"
)

// BenchmarkPeriodStats: the dashboard's figures (Records.PeriodStats) over
// the last 30 and 365 days of the seeded store, 1,000,000 tickets created
// over a year with their answers, decisions and payments, in SQLite, days
// in UTC and in Jakarta. Target: under 100 ms for 30 days, ~300 ms for 365.
func BenchmarkPeriodStats(b *testing.B) {
	n := storetest.BenchRows(b)
	_, svc := storetest.Seeded(b, n, false)
	ctx := context.Background()
	jakarta, err := time.LoadLocation("Asia/Jakarta")
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		days int
		loc  *time.Location
	}{{30, time.UTC}, {365, time.UTC}, {30, jakarta}, {365, jakarta}} {
		name := fmt.Sprintf("%dd", c.days)
		if c.loc != time.UTC {
			name += "-jakarta" // a day starts at 17:00 UTC: part-days at either end read from the tickets
		}
		b.Run(name, func(b *testing.B) {
			y, m, d := storetest.BenchAnchor.Date()
			to := time.Date(y, m, d, 0, 0, 0, 0, c.loc)
			q := tickets.StatsQuery{From: to.AddDate(0, 0, -c.days), To: to, Location: c.loc}
			lat := make([]time.Duration, 0, b.N)
			for i := 0; i < b.N; i++ {
				start := time.Now()
				st, err := svc.Records.PeriodStats(ctx, q)
				lat = append(lat, time.Since(start))
				if err != nil {
					b.Fatal(err)
				}
				if i == 0 {
					b.ReportMetric(float64(st.Tickets), "tickets")
				}
			}
			reportLatency(b, lat)
		})
	}
}

// BenchmarkMigrate0008: the upgrade of the seeded store (1,000,000 tickets
// and their audit trail, SQLite) to schema version 8: the facts from the
// audit trail, the counts, the indexes. Each run takes a copy back to
// version 7 first (not timed).
func BenchmarkMigrate0008(b *testing.B) {
	n := storetest.BenchRows(b)
	ctx := context.Background()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		db, _ := storetest.Seeded(b, n, true)
		for _, q := range before0008 {
			if _, err := db.SQL().Exec(q); err != nil {
				b.Fatal(q, err)
			}
		}
		b.StartTimer()
		start := time.Now()
		if _, err := db.Migrate(ctx); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(time.Since(start).Seconds(), "s/upgrade")
		b.StopTimer()
		db.Close()
	}
}
