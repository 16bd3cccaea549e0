package tickets_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"refunddesk/internal/storetest"
	"refunddesk/tickets"
)

// leaseStore is a store whose retention lease is granted a number of
// times, then refused (another instance took it over); it counts the
// asks.
type leaseStore struct {
	tickets.Store
	mu     sync.Mutex
	grants int
	asked  int
}

func (s *leaseStore) AcquireLease(ctx context.Context, name, holder string, now time.Time, ttl time.Duration) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.asked++
	if s.asked > s.grants {
		return false, nil
	}
	return s.Store.AcquireLease(ctx, name, holder, now, ttl)
}

// retentionDesk files closed tickets with a file each, closed long ago.
func retentionDesk(t *testing.T, dialect string, n int) *svcFixture {
	f := newSvcFixture(t, dialect, tickets.Options{})
	for i := range n {
		res := f.submit(svcRefund(fmt.Sprintf("73090%02d", i), "@rani"))
		if _, err := f.svc.Desk.Act(f.ctx, tickets.ActionRequest{Ref: res.Ticket.Ref, Actor: "ayu", Action: tickets.ActionClose}); err != nil {
			t.Fatal(err)
		}
	}
	f.clock.Advance(400 * 24 * time.Hour)
	return f
}

// A run renews its lease before every batch, and stops at the first
// renewal refused: what it had removed stays removed, nothing more is,
// and it says another instance has it.
func TestRetentionStopsWhenTheLeaseIsLost(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := retentionDesk(t, dialect, 3)
		st := &leaseStore{Store: f.db, grants: 2} // the run's, and the first batch's
		r := tickets.NewRetention(st, f.clock, tickets.RetentionRules{Evidence: 180 * 24 * time.Hour, Batch: 1}, nil)
		var heard int
		run, err := r.Run(f.ctx, "me", func(got tickets.RetentionRemoved) { heard += got.Evidence })
		if !errors.Is(err, tickets.ErrConflict) {
			t.Fatalf("error %v", err)
		}
		if got := run.Part(tickets.RetainEvidence); got.Tickets != 1 || got.Evidence != 1 || heard != 1 || run.Batches != 1 {
			t.Errorf("removed %+v (heard %d) in %d batches, want one ticket's file", got, heard, run.Batches)
		}
		due, err := r.Due(f.ctx)
		if err != nil || due.Part(tickets.RetainEvidence).Tickets != 2 {
			t.Errorf("left: %+v %v", due, err)
		}
		// With the lease, the rest goes, once.
		run, err = tickets.NewRetention(f.db, f.clock, r.Rules(), nil).Run(f.ctx, "me", nil)
		if err != nil || run.Part(tickets.RetainEvidence).Tickets != 2 {
			t.Errorf("the rest: %+v %v", run, err)
		}
	})
}

// Rules that keep everything take no lease and touch nothing; the parts
// a run does are those with a time, whole tickets first.
func TestRetentionRules(t *testing.T) {
	f := retentionDesk(t, "sqlite", 1)
	st := &leaseStore{Store: f.db, grants: 100}
	run, err := tickets.NewRetention(st, f.clock, tickets.RetentionRules{}, nil).Run(f.ctx, "me", nil)
	if err != nil || len(run.Parts) != 0 || st.asked != 0 {
		t.Errorf("off: %+v %v, %d lease asks", run, err, st.asked)
	}
	rules := tickets.RetentionRules{Evidence: 10 * 24 * time.Hour, Tickets: 700 * 24 * time.Hour}
	if !rules.Enabled() || rules.Age(tickets.RetainMessages) != 0 || rules.Age(tickets.RetainTickets) != 700*24*time.Hour {
		t.Errorf("rules: %+v", rules)
	}
	run, err = tickets.NewRetention(f.db, f.clock, rules, nil).Run(f.ctx, "me", nil)
	if err != nil || len(run.Parts) != 2 || run.Parts[0].Part != tickets.RetainTickets || run.Parts[1].Part != tickets.RetainEvidence ||
		run.Parts[1].Evidence != 1 {
		t.Errorf("run: %+v %v", run, err)
	}
	// What is on no ticket: sent answers go by the messages' time, the
	// records of mails set aside by their own; either alone turns it on.
	other := tickets.RetentionRules{Messages: 30 * 24 * time.Hour, SetAside: 90 * 24 * time.Hour}
	if other.Age(tickets.RetainOutbox) != other.Messages || other.Age(tickets.RetainSetAside) != other.SetAside ||
		!(tickets.RetentionRules{SetAside: time.Hour}).Enabled() {
		t.Errorf("rules on no ticket: %+v", other)
	}
	if c := (tickets.RetentionRemoved{Part: tickets.RetainSetAside, SetAside: 3}); c.Count() != 3 || c.Empty() {
		t.Errorf("set aside counted %d", c.Count())
	}
	if c := (tickets.RetentionRemoved{Part: tickets.RetainOutbox, Outbox: 2}); c.Count() != 2 {
		t.Errorf("outbox counted %d", c.Count())
	}
	e := tickets.RetentionEntry(tickets.RetainMessages, 4, 99, f.clock.Now())
	if e.Code != tickets.AuditRetentionMessages || e.Actor != tickets.ActorSystem || e.Params.Count != 4 || e.Params.Size != 0 {
		t.Errorf("entry: %+v", e)
	}
	if _, err := tickets.NewRetention(f.db, f.clock, rules, nil).Log(f.ctx, 0); !tickets.IsValidation(err) {
		t.Errorf("log limit 0: %v", err)
	}
}
