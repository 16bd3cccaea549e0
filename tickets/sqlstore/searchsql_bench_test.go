package sqlstore

import (
	"testing"
	"time"

	"refunddesk/tickets"
)

// BenchmarkSearchSQL writes the statements of a few parsed queries, on each
// dialect, without running them: compile and searchSQL alone.
func BenchmarkSearchSQL(b *testing.B) {
	now := time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)
	var queries []*tickets.Query
	for _, s := range []string{
		"status:in_review kind:refund reason:under_delivery",
		"assignee:me,none status:open sort:-updated",
		"account:@ayu.creator order:7301234567890123456,7301* ref:RD-500000 -flag:dm_closed",
		"flag:account_mismatch older:2d created:2026-06-01..2026-06-03 overdue",
		`jangkauan "money back" -"no refund" view* channel:email language:id`,
	} {
		q, err := tickets.ParseQuery(s, now, "ayu")
		if err != nil {
			b.Fatal(err)
		}
		queries = append(queries, q)
	}
	opt := tickets.SearchOptions{Now: now, FirstResponse: 4 * time.Hour,
		Requester: &tickets.Requester{Email: "Ayu@example.com", DiscordID: "42"}}
	for _, dialect := range []string{SQLite, Postgres} {
		d := &DB{dialect: dialect, clock: tickets.SystemClock{}}
		b.Run(dialect, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				for _, q := range queries {
					if _, _, _, _, err := d.searchSQL(q, opt); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}
