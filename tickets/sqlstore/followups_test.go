package sqlstore_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"refunddesk/internal/storetest"
	"refunddesk/tickets"
)

// Scheduling makes the wanted follow-ups a ticket's pending ones: new ones
// are added (a repeat in the list once), those no longer wanted cancelled,
// and a cancelled one wanted again at the same time is pending again.
func TestScheduleFollowups(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		ctx, clock, db, svc := groupStore(t, dialect)
		a, err := svc.Intake.Submit(ctx, groupRequest("a@example.com", "7301001"))
		if err != nil {
			t.Fatal(err)
		}
		id, now := a.Ticket.ID, clock.Now()
		remind := tickets.Followup{Kind: tickets.FollowupRemind, DueAt: now.Add(time.Hour)}
		escalate := tickets.Followup{Kind: tickets.FollowupEscalate, DueAt: now.Add(2 * time.Hour)}
		closeIt := tickets.Followup{Kind: tickets.FollowupAutoClose, DueAt: now.Add(3 * time.Hour)}
		schedule := func(want ...tickets.Followup) string {
			t.Helper()
			if err := db.Update(ctx, func(tx tickets.Tx) error { return tx.ScheduleFollowups(id, want, now) }); err != nil {
				t.Fatal(err)
			}
			list, err := db.ListFollowups(ctx, tickets.FollowupFilter{TicketID: id, Limit: 50})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range list {
				if f.DueAt.Sub(now) <= 3*time.Hour { // not those the ticket had from its submission
					got = append(got, fmt.Sprintf("%s+%s:%s", f.Kind, f.DueAt.Sub(now), f.Status))
				}
			}
			slices.Sort(got)
			return strings.Join(got, " ")
		}
		if got, want := schedule(remind, escalate, remind), "escalate+2h0m0s:pending remind+1h0m0s:pending"; got != want {
			t.Errorf("first: %s, want %s", got, want)
		}
		if got, want := schedule(remind, closeIt), "auto_close+3h0m0s:pending escalate+2h0m0s:cancelled remind+1h0m0s:pending"; got != want {
			t.Errorf("second: %s, want %s", got, want)
		}
		if got, want := schedule(escalate), "auto_close+3h0m0s:cancelled escalate+2h0m0s:pending remind+1h0m0s:cancelled"; got != want {
			t.Errorf("third: %s, want %s", got, want)
		}
	})
}
