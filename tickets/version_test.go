package tickets_test

import (
	"errors"
	"testing"

	"refunddesk/internal/storetest"
	"refunddesk/tickets"
)

// A ticket's version starts at 1 and moves on by one with each change that
// saves it, however many saves the change makes; a refused change leaves it.
func TestTicketVersionMoves(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newSvcActFixture(t, dialect)
		ref := f.open(svcActOrder(1))
		v := f.detail(ref).Version
		if v != 1 {
			t.Fatalf("a new ticket (created and saved in one transaction) is at version %d, want 1", v)
		}
		tk, err := f.svc.Desk.Act(f.ctx, tickets.ActionRequest{Ref: ref, Actor: "ayu", Action: tickets.ActionNote, Text: "one"})
		if err != nil {
			t.Fatal(err)
		}
		if tk.Version != 2 || f.detail(ref).Version != 2 {
			t.Fatalf("after a note: returned version %d, stored %d, want 2", tk.Version, f.detail(ref).Version)
		}
		order := svcActOrder(2)
		if tk, err = f.svc.Desk.Edit(f.ctx, ref, "ayu", tickets.Fields{Order: &order}); err != nil {
			t.Fatal(err)
		}
		if tk.Version != 3 || f.detail(ref).Version != 3 {
			t.Fatalf("after an edit: returned version %d, stored %d, want 3", tk.Version, f.detail(ref).Version)
		}
		f.refused(tickets.ActionRequest{Ref: ref, Actor: "ayu", Action: tickets.ActionResolve}, svcIsConflict, "a conflict")
		if got := f.detail(ref).Version; got != 3 {
			t.Fatalf("a refused action moved the version to %d", got)
		}
	})
}

// An action or an edit that names the version its agent saw goes through
// when the ticket is still at it, and is refused (ticket.changed, with the
// two versions) with nothing changed when another change landed first.
func TestExpectVersion(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newSvcActFixture(t, dialect)
		ref := f.open(svcActOrder(1))
		seen := f.detail(ref).Version

		// budi's note lands after ayu's page was read.
		if _, err := f.svc.Desk.Act(f.ctx, tickets.ActionRequest{Ref: ref, Actor: "budi", Action: tickets.ActionNote, Text: "mine"}); err != nil {
			t.Fatal(err)
		}
		for _, a := range []tickets.ActionRequest{
			{Ref: ref, Actor: "ayu", Action: tickets.ActionReply, Text: "hello", ExpectVersion: seen},
			{Ref: ref, Actor: "ayu", Action: tickets.ActionClaim, ExpectVersion: seen},
			{Ref: ref, Actor: "ayu", Action: tickets.ActionApprove, ExpectVersion: seen},
			{Ref: ref, Actor: "ayu", Action: tickets.ActionDeny, Text: "no", ExpectVersion: seen},
			{Ref: ref, Actor: "ayu", Action: tickets.ActionAssign, Assignee: "citra", ExpectVersion: seen},
		} {
			f.refused(a, isChanged(ref, seen, seen+1), "ticket.changed")
		}
		before := f.detail(ref)
		order := svcActOrder(2)
		_, err := f.svc.Desk.Edit(f.ctx, ref, "ayu", tickets.Fields{Order: &order, ExpectVersion: seen})
		if !isChanged(ref, seen, seen+1)(err) {
			t.Fatalf("edit on version %d: %v", seen, err)
		}
		svcSameDetail(t, before, f.detail(ref))

		// On the version as it is now, both go through.
		now := before.Version
		tk, err := f.svc.Desk.Act(f.ctx, tickets.ActionRequest{Ref: ref, Actor: "ayu", Action: tickets.ActionClaim, ExpectVersion: now})
		if err != nil || tk.Assignee != "ayu" || tk.Version != now+1 {
			t.Fatalf("claim on the current version: %v %+v", err, tk)
		}
		if tk, err = f.svc.Desk.Edit(f.ctx, ref, "ayu", tickets.Fields{Order: &order, ExpectVersion: now + 1}); err != nil || tk.Order != order {
			t.Fatalf("edit on the current version: %v", err)
		}
		// A version below 1 is not one.
		f.refused(tickets.ActionRequest{Ref: ref, Actor: "ayu", Action: tickets.ActionNote, Text: "x", ExpectVersion: -1},
			svcIsInvalid("version"), "a version refused")
	})
}

// isChanged checks err is ref's ticket.changed conflict, saying the version
// expected and the one the ticket is at.
func isChanged(ref string, expected, now int64) func(error) bool {
	return func(err error) bool {
		var ce *tickets.ConflictError
		return errors.As(err, &ce) && ce.Code == "ticket.changed" && ce.Params["Ref"] == ref &&
			ce.Params["Expected"] == expected && ce.Params["Version"] == now
	}
}

// Two agents acting at once on the same version: exactly one goes through,
// the other is told the ticket changed, on both stores.
func TestExpectVersionConcurrent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		agents := []string{"a1", "a2", "a3", "a4", "a5", "a6"}
		f := newSvcFixture(t, dialect, tickets.Options{Agents: agents})
		f.importPromos(svcPromotion(svcOrderA, svcAccountA, 5000))
		ref := f.open(svcOrderA)
		for round := 0; round < 3; round++ {
			seen := f.detail(ref).Version
			errs := make([]error, len(agents))
			done := make(chan struct{})
			for i, a := range agents {
				go func() {
					defer func() { done <- struct{}{} }()
					// Notes: without the version, every one would go through.
					_, errs[i] = f.svc.Desk.Act(f.ctx, tickets.ActionRequest{Ref: ref, Actor: a, Action: tickets.ActionNote,
						Text: "note by " + a, ExpectVersion: seen})
				}()
			}
			for range agents {
				<-done
			}
			won := 0
			for i, err := range errs {
				switch {
				case err == nil:
					won++
				case !isChanged(ref, seen, seen+1)(err):
					t.Fatalf("round %d, %s: %v", round, agents[i], err)
				}
			}
			d := f.detail(ref)
			if won != 1 || d.Version != seen+1 || len(d.Messages) != round+2 {
				t.Fatalf("round %d: %d went through, version %d (was %d), %d messages", round, won, d.Version, seen, len(d.Messages))
			}
		}
	})
}
