package tickets_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"refunddesk/internal/storetest"
	"refunddesk/tickets"
)

// A send slower than its lease, under two senders: A claims the item and
// is still sending it when its lease runs out; B claims it and sends it; A
// then finishes with a temporary failure, and B with success. A's finish
// is fenced off (it no longer holds the item: nothing changes, the run
// counts it lease_lost), B's is recorded, and the item is sent once: a
// later run finds nothing to send. Unfenced, A's failure would put the
// item back in the queue, B's success would be refused, and a third run
// would deliver it again.
func TestOutboxSlowSendIsFenced(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newSvcFixture(t, dialect, tickets.Options{})
		f.submit(tickets.SubmitRequest{Kind: tickets.KindRefund, Channel: tickets.ChannelEmail,
			Requester: tickets.Requester{Email: "a@example.com"}, Order: "7301000000000000001", Details: "a"})
		ctx := context.Background()
		var delivered atomic.Int32 // sends that reached the requester and said so

		aSending, aMayFinish := make(chan struct{}), make(chan struct{})
		aDone := make(chan tickets.DeliveryStats)
		go func() {
			st, err := f.svc.Delivery.DeliverOutbox(ctx, tickets.ChannelEmail, 10, time.Minute, func(_ context.Context, it tickets.OutboxItem) tickets.OutboxResult {
				close(aSending)
				<-aMayFinish // slow: past its lease
				return tickets.OutboxResult{Err: "421 timed out waiting for the server", RetryAt: f.clock.Now().Add(5 * time.Minute)}
			})
			if err != nil {
				t.Error(err)
			}
			aDone <- st
		}()
		<-aSending
		f.clock.Advance(2 * time.Minute) // A's lease has run out

		bSending, bMayFinish := make(chan struct{}), make(chan struct{})
		bDone := make(chan tickets.DeliveryStats)
		go func() {
			st, err := f.svc.Delivery.DeliverOutbox(ctx, tickets.ChannelEmail, 10, time.Minute, func(_ context.Context, it tickets.OutboxItem) tickets.OutboxResult {
				close(bSending)
				<-bMayFinish
				delivered.Add(1)
				return tickets.OutboxResult{Sent: true, ExternalID: "<b@desk>"}
			})
			if err != nil {
				t.Error(err)
			}
			bDone <- st
		}()
		<-bSending
		close(aMayFinish)
		stA := <-aDone
		close(bMayFinish)
		stB := <-bDone
		if stA.LeaseLost != 1 || stA.Retried != 0 || stB.Sent != 1 || stB.LeaseLost != 0 {
			t.Fatalf("A %+v, B %+v", stA, stB)
		}

		// Later runs find nothing to send.
		f.clock.Advance(10 * time.Minute)
		st, err := f.svc.Delivery.DeliverOutbox(ctx, tickets.ChannelEmail, 10, time.Minute, func(context.Context, tickets.OutboxItem) tickets.OutboxResult {
			delivered.Add(1)
			return tickets.OutboxResult{Sent: true}
		})
		if err != nil || st != (tickets.DeliveryStats{}) {
			t.Fatalf("a later run: %+v %v", st, err)
		}
		if n := delivered.Load(); n != 1 {
			t.Fatalf("delivered %d times, want once", n)
		}
		items := f.outbox("")
		if len(items) != 1 || items[0].Status != tickets.OutboxSent || items[0].ExternalID != "<b@desk>" || items[0].Attempts != 2 || items[0].LastError != "" {
			t.Fatalf("outbox %+v", items)
		}
	})
}

// A finish from the claim whose lease ran out changes nothing once the
// item was claimed again, whatever it says (sent, failed, retry, given
// back); the new holder's finish goes through. An item whose lease ran out
// before its turn in a run is not sent.
func TestOutboxFinishNeedsTheLease(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newSvcFixture(t, dialect, tickets.Options{})
		f.submit(tickets.SubmitRequest{Kind: tickets.KindRefund, Channel: tickets.ChannelEmail,
			Requester: tickets.Requester{Email: "a@example.com"}, Order: "7301000000000000001", Details: "a"})
		first, err := f.svc.Delivery.ClaimOutbox(f.ctx, tickets.ChannelEmail, 10, time.Minute)
		if err != nil || len(first) != 1 {
			t.Fatalf("claim: %+v %v", first, err)
		}
		f.clock.Advance(90 * time.Second)
		second, err := f.svc.Delivery.ClaimOutbox(f.ctx, tickets.ChannelEmail, 10, time.Minute)
		if err != nil || len(second) != 1 || !second[0].LeaseUntil.After(first[0].LeaseUntil) {
			t.Fatalf("claim again: %+v %v", second, err)
		}
		for _, r := range []tickets.OutboxResult{{Sent: true, ExternalID: "<old@desk>"}, {Err: "550", Permanent: true},
			{Err: "421"}, {Deferred: true}} {
			if err := f.svc.Delivery.FinishOutbox(f.ctx, first[0], r); !errors.Is(err, tickets.ErrConflict) {
				t.Fatalf("finish %+v under the old lease: %v", r, err)
			}
		}
		if items := f.outbox(""); items[0].Status != tickets.OutboxSending || items[0].ExternalID != "" || items[0].Attempts != 2 {
			t.Fatalf("after the old lease's finishes: %+v", items[0])
		}
		if err := f.svc.Delivery.FinishOutbox(f.ctx, second[0], tickets.OutboxResult{Err: "421", RetryAt: f.clock.Now()}); err != nil {
			t.Fatal(err)
		}

		// A batch whose first send outlasts the lease: the second item's
		// lease has run out before its turn, so it is not sent then but
		// given back, and sent once on the next claim.
		f.submit(tickets.SubmitRequest{Kind: tickets.KindRefund, Channel: tickets.ChannelEmail,
			Requester: tickets.Requester{Email: "b@example.com"}, Order: "7301000000000000002", Details: "b"})
		f.clock.Advance(time.Minute)
		sent := map[int64]int{}
		st, err := f.svc.Delivery.DeliverOutbox(f.ctx, tickets.ChannelEmail, 10, time.Minute, func(_ context.Context, it tickets.OutboxItem) tickets.OutboxResult {
			if len(sent) == 0 {
				f.clock.Advance(2 * time.Minute) // a slow first send
			}
			sent[it.ID]++
			return tickets.OutboxResult{Sent: true}
		})
		if err != nil || len(sent) != 2 || st.Sent != 2 || st.LeaseLost != 1 {
			t.Fatalf("sent %v, %+v %v", sent, st, err)
		}
		for id, n := range sent {
			if n != 1 {
				t.Fatalf("item %d sent %d times", id, n)
			}
		}
	})
}
