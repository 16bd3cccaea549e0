package sqlstore_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"refunddesk/internal/storetest"
	"refunddesk/tickets"
)

// FuzzSearch: whatever query an agent types, the store answers it or the
// desk refuses it as bad input — a query never makes the store fail (an
// FTS5 syntax error, a NUL PostgreSQL refuses, a time it cannot hold). With
// REFUNDDESK_TEST_POSTGRES set, both stores hold the same tickets and must
// give the same answer.
func FuzzSearch(f *testing.F) {
	for _, s := range []string{
		"status:in_review kind:refund older:2d", "-status:closed,resolved overdue", `"free text" word*`, "views",
		"created:2026-01-01..9999-12-31", "updated:>=2026-11-01T08:00:00+07:00 sort:-updated", "assignee:me,none account:@ayu",
		"order:7301* ref:RD-2", `"a\"b" -"c\\d"`, "café", "e-mail*", `"NEAR(a b)"`, `AND OR NOT`, "^a", "a:b:c", "x²", "٣",
		"created:<0001-01-01T03:00:00+07:00", "-updated:0001-01-01..9999-12-31", "views\x00",
	} {
		f.Add(s)
	}
	ctx := context.Background()
	type store struct {
		dialect string
		svc     *tickets.Service
	}
	var stores []store
	for _, dialect := range storetest.Dialects() {
		clock := storetest.NewClock(time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC))
		svc := tickets.NewService(storetest.Open(f, dialect, clock), tickets.Options{Clock: clock, Agents: []string{"ayu"}})
		for i, details := range []string{"only 2k views, e-mail me at ayu@example.com", "Café Müller: the boost never ran",
			"dana kembali mohon, x² ½kg", "NEAR AND OR NOT \"quoted\" * ^"} {
			if _, err := svc.Intake.Submit(ctx, tickets.SubmitRequest{Kind: tickets.KindRefund, Channel: tickets.ChannelEmail,
				Requester: tickets.Requester{Email: fmt.Sprintf("r%d@example.com", i)}, Account: "@ayu", Order: fmt.Sprintf("730100%d", i),
				Details: details}); err != nil {
				f.Fatal(err)
			}
			clock.Advance(time.Hour)
		}
		stores = append(stores, store{dialect, svc})
	}
	f.Fuzz(func(t *testing.T, q string) {
		var first []string
		var firstErr error
		for i, s := range stores {
			var refs []string
			res, err := s.svc.Records.Search(ctx, q, "ayu", tickets.MaxPageSize, "")
			if err != nil && !tickets.IsValidation(err) {
				t.Fatalf("%s: %q: %v", s.dialect, q, err)
			}
			if err == nil {
				for _, tk := range res.Tickets {
					refs = append(refs, tk.Ref)
				}
			}
			if i == 0 {
				first, firstErr = refs, err
			} else if !slices.Equal(refs, first) || fmt.Sprint(err) != fmt.Sprint(firstErr) {
				t.Fatalf("%q: %s %v (%v), %s %v (%v)", q, stores[0].dialect, first, firstErr, s.dialect, refs, err)
			}
		}
	})
}
