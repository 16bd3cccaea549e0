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
// over a year, in SQLite. Target: a page's figures in under 100 ms.
func BenchmarkPeriodStats(b *testing.B) {
	n := storetest.BenchRows(b)
	_, svc := storetest.Seeded(b, n, false)
	ctx := context.Background()
	for _, days := range []int{30, 365} {
		b.Run(fmt.Sprintf("%dd", days), func(b *testing.B) {
			to := storetest.BenchAnchor
			q := tickets.StatsQuery{From: to.AddDate(0, 0, -days), To: to}
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
