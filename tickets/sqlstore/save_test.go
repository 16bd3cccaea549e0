package sqlstore_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"refunddesk/internal/storetest"
	"refunddesk/tickets"
)

// A ticket saved again in the transaction that wrote it writes only the
// columns that changed since; whatever the order of the saves, and after
// an undone change in a group, what is read back is what was saved last.
func TestSaveAgainWritesWhatChanged(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		ctx, clock, db, _ := groupStore(t, dialect)
		at := clock.Now()
		want := &tickets.Ticket{Kind: tickets.KindRefund, Status: tickets.StatusNew, Channel: tickets.ChannelEmail,
			Requester: tickets.Requester{Email: "Ana@Example.com", Name: "Ana"}, Order: "7301001", Account: "ana.shop",
			Details: "first words", Language: "id", Flags: []string{}, CreatedAt: at, UpdatedAt: at, StatusChangedAt: at, WaitingSince: &at}
		err := db.Update(ctx, func(tx tickets.Tx) error {
			if err := tx.CreateTicket(want); err != nil {
				return err
			}
			// Changed, then changed back: both saves must reach the row.
			want.Status, want.Details, want.WaitingSince = tickets.StatusInReview, "second words", nil
			want.UpdatedAt = at.Add(time.Minute)
			if err := tx.SaveTicket(want); err != nil {
				return err
			}
			want.Status, want.Assignee = tickets.StatusNew, "agent1"
			want.SetFlag(tickets.FlagUnverifiedSender)
			if err := tx.SaveTicket(want); err != nil {
				return err
			}
			// Nothing changed: no statement needed, and no error.
			return tx.SaveTicket(want)
		})
		if err != nil {
			t.Fatal(err)
		}
		got := mustTicket(t, db, want.ID)
		if got.Status != tickets.StatusNew || got.Details != "second words" || got.WaitingSince != nil ||
			got.Assignee != "agent1" || !got.HasFlag(tickets.FlagUnverifiedSender) || !got.UpdatedAt.Equal(want.UpdatedAt) {
			t.Fatalf("read back %+v", got)
		}

		// In a group, a change that fails after saving is undone; the next
		// change that saves the same value must write it again. (The group
		// may run twice: what counts is its last run.)
		boom := errors.New("boom")
		var failed error
		var undone string
		err = db.Group(ctx, func(st tickets.Store) error {
			failed = st.Update(ctx, func(tx tickets.Tx) error {
				tk, err := tx.Ticket(want.ID)
				if err != nil {
					return err
				}
				tk.Assignee = "agent2"
				if err := tx.SaveTicket(tk); err != nil {
					return err
				}
				return boom
			})
			return st.Update(ctx, func(tx tickets.Tx) error {
				tk, err := tx.Ticket(want.ID)
				if err != nil {
					return err
				}
				undone = tk.Assignee
				tk.Assignee, tk.Details = "agent2", "third words"
				return tx.SaveTicket(tk)
			})
		})
		if err != nil {
			t.Fatal(err)
		}
		if !errors.Is(failed, boom) {
			t.Errorf("failed change: %v", failed)
		}
		if undone != "agent1" {
			t.Errorf("after the undone change the assignee is %q", undone)
		}
		got = mustTicket(t, db, want.ID)
		if got.Assignee != "agent2" || got.Details != "third words" {
			t.Fatalf("after the group: assignee %q, details %q", got.Assignee, got.Details)
		}
	})
}

func mustTicket(t *testing.T, db tickets.Store, id int64) *tickets.Ticket {
	t.Helper()
	var tk *tickets.Ticket
	if err := db.View(context.Background(), func(tx tickets.Tx) error {
		var err error
		tk, err = tx.Ticket(id)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return tk
}
