package tickets_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"
	"testing"
	"time"

	"refunddesk/internal/storetest"
	"refunddesk/tickets"
)

// emailRequest files a request by mail from its own address, so that it
// queues one acknowledgement.
func (f *svcFixture) emailRequest(i int) *tickets.SubmitResult {
	f.t.Helper()
	return f.submit(tickets.SubmitRequest{Kind: tickets.KindRefund, Channel: tickets.ChannelEmail,
		Requester: tickets.Requester{Email: fmt.Sprintf("r%d@example.com", i)}, Order: fmt.Sprintf("73010000000001%05d", i), Details: "hello"})
}

func (f *svcFixture) outbox(status string) []tickets.OutboxItem {
	f.t.Helper()
	items, err := f.svc.Delivery.Outbox(f.ctx, tickets.OutboxFilter{Status: status, Limit: 1000})
	if err != nil {
		f.t.Fatal(err)
	}
	return items
}

// A sender whose channel is down defers: the run stops, the item it was on
// and the rest of the batch go back to the queue untried — not charged an
// attempt, not failed, due as before, the reason kept as their last error.
func TestServiceOutboxDeferredWhenTheChannelIsDown(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newSvcFixture(t, dialect, tickets.Options{})
		for i := range 4 {
			f.emailRequest(i)
		}
		cause := errors.New("smtp greeting: 421 4.3.2 busy")
		calls := 0
		send := func(_ context.Context, it tickets.OutboxItem) tickets.OutboxResult {
			calls++
			if calls == 2 {
				return tickets.OutboxResult{Deferred: true, Err: cause.Error(), Cause: cause}
			}
			return tickets.OutboxResult{Sent: true, ExternalID: fmt.Sprintf("<m%d@desk>", it.ID)}
		}
		st, err := f.svc.Delivery.DeliverOutbox(f.ctx, tickets.ChannelEmail, 10, time.Minute, send)
		if !errors.Is(err, tickets.ErrChannelDown) || !errors.Is(err, cause) {
			t.Fatalf("error %v, want one that says the channel is down, and why", err)
		}
		if st.Sent != 1 || st.Deferred != 3 || st.Retried+st.Failed != 0 || calls != 2 {
			t.Fatalf("stats %+v after %d sends", st, calls)
		}
		pending := f.outbox(tickets.OutboxPending)
		if len(pending) != 3 || len(f.outbox(tickets.OutboxFailed)) != 0 || len(f.outbox(tickets.OutboxSending)) != 0 {
			t.Fatalf("pending %+v", pending)
		}
		for _, it := range pending {
			if it.Attempts != 0 || it.LastError != cause.Error() || it.NextAttemptAt.After(f.clock.Now()) {
				t.Fatalf("a deferred item was charged or moved: %+v", it)
			}
		}
		// Due at once: the next run takes them, as first attempts.
		items, err := f.svc.Delivery.ClaimOutbox(f.ctx, tickets.ChannelEmail, 10, time.Minute)
		if err != nil || len(items) != 3 {
			t.Fatalf("claim after the deferral: %d %v", len(items), err)
		}
		for _, it := range items {
			if it.Attempts != 1 {
				t.Fatalf("attempts %d after a deferral, want 1", it.Attempts)
			}
			// A deferral without a reason keeps the last error.
			if err := f.svc.Delivery.FinishOutbox(f.ctx, it, tickets.OutboxResult{Deferred: true}); err != nil {
				t.Fatal(err)
			}
		}
		for _, it := range f.outbox(tickets.OutboxPending) {
			if it.Attempts != 0 || it.LastError != cause.Error() {
				t.Fatalf("after a second deferral: %+v", it)
			}
		}
	})
}

// Agents put failed messages back: by id or every failed one (of a
// channel); recorded in the audit trail under the agent; an unknown id, an
// item that has not failed or someone who is not an agent changes nothing.
func TestServiceOutboxRetry(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newSvcFixture(t, dialect, tickets.Options{Agents: []string{"ayu"}})
		var refs []string
		for i := range 3 {
			refs = append(refs, f.emailRequest(i).Ticket.Ref)
		}
		discord := f.submit(tickets.SubmitRequest{Kind: tickets.KindRefund, Channel: tickets.ChannelDiscord,
			Requester: tickets.Requester{DiscordID: "99"}, Order: "7301000000000200001", Details: "d"})
		fail := func(ch tickets.Channel) []tickets.OutboxItem {
			items, err := f.svc.Delivery.ClaimOutbox(f.ctx, ch, 10, time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			for _, it := range items {
				if err := f.svc.Delivery.FinishOutbox(f.ctx, it, tickets.OutboxResult{Err: "550 5.1.1 no such user", Permanent: true}); err != nil {
					t.Fatal(err)
				}
			}
			return items
		}
		mails := fail(tickets.ChannelEmail)
		dms := fail(tickets.ChannelDiscord)
		if len(mails) != 3 || len(dms) != 1 {
			t.Fatalf("%d mails, %d DMs", len(mails), len(dms))
		}
		before := f.rowCounts()
		refused := []struct {
			name  string
			agent string
			r     tickets.OutboxRetry
			check func(error) bool
		}{
			{"unknown id", "ayu", tickets.OutboxRetry{IDs: []int64{mails[0].ID, 999999}}, func(err error) bool { return errors.Is(err, tickets.ErrNotFound) }},
			{"not an agent", "eve", tickets.OutboxRetry{IDs: []int64{mails[0].ID}}, func(err error) bool { return errors.Is(err, tickets.ErrForbidden) }},
			{"nothing named", "ayu", tickets.OutboxRetry{}, tickets.IsValidation},
			{"both", "ayu", tickets.OutboxRetry{IDs: []int64{mails[0].ID}, Failed: true}, tickets.IsValidation},
			{"bad id", "ayu", tickets.OutboxRetry{IDs: []int64{0}}, tickets.IsValidation},
			{"bad channel", "ayu", tickets.OutboxRetry{Failed: true, Channel: "fax"}, tickets.IsValidation},
			{"channel with ids", "ayu", tickets.OutboxRetry{IDs: []int64{mails[0].ID}, Channel: tickets.ChannelEmail}, tickets.IsValidation},
		}
		for _, c := range refused {
			if _, err := f.svc.Delivery.RetryOutbox(f.ctx, c.agent, c.r); !c.check(err) {
				t.Fatalf("%s: %v", c.name, err)
			}
		}
		if len(f.outbox(tickets.OutboxFailed)) != 4 || !maps.Equal(before, f.rowCounts()) {
			t.Fatal("a refused retry changed something")
		}

		// By id: due now, attempts from zero, in the audit trail.
		f.clock.Advance(time.Hour)
		res, err := f.svc.Delivery.RetryOutbox(f.ctx, "ayu", tickets.OutboxRetry{IDs: []int64{mails[1].ID, mails[1].ID}})
		got := res.Requeued
		if err != nil || len(got) != 1 || got[0].ID != mails[1].ID || got[0].Status != tickets.OutboxPending {
			t.Fatalf("retry by id: %+v %v", got, err)
		}
		a := svcLastAudit(t, f.detail(refs[1]))
		if a.Actor != "ayu" || a.Action != "outbox_retry" || !strings.Contains(auditText(t, a), "550 5.1.1") {
			t.Fatalf("audit %+v", a)
		}
		// A pending item is not failed: refused, and the failed one with it is left alone.
		if _, err := f.svc.Delivery.RetryOutbox(f.ctx, "ayu", tickets.OutboxRetry{IDs: []int64{mails[0].ID, mails[1].ID}}); !errors.Is(err, tickets.ErrConflict) {
			t.Fatalf("retry of a pending item: %v", err)
		}
		if len(f.outbox(tickets.OutboxFailed)) != 3 {
			t.Fatal("a refused retry put something back")
		}
		items, err := f.svc.Delivery.ClaimOutbox(f.ctx, tickets.ChannelEmail, 10, time.Minute)
		if err != nil || len(items) != 1 || items[0].ID != mails[1].ID || items[0].Attempts != 1 {
			t.Fatalf("claim after the retry: %+v %v", items, err)
		}

		// Every failed mail, not the DM.
		res, err = f.svc.Delivery.RetryOutbox(f.ctx, "ayu", tickets.OutboxRetry{Failed: true, Channel: tickets.ChannelEmail})
		got = res.Requeued
		if err != nil || len(got) != 2 || got[0].ID != mails[0].ID || got[1].ID != mails[2].ID {
			t.Fatalf("retry --failed --channel email: %+v %v", got, err)
		}
		if failed := f.outbox(tickets.OutboxFailed); len(failed) != 1 || failed[0].ID != dms[0].ID {
			t.Fatalf("still failed: %+v", failed)
		}
		// Every failed item of both channels; then there is none left.
		if res, err = f.svc.Delivery.RetryOutbox(f.ctx, "ayu", tickets.OutboxRetry{Failed: true}); err != nil || len(res.Requeued) != 1 || res.Requeued[0].TicketRef != discord.Ticket.Ref || len(res.Skipped) != 0 {
			t.Fatalf("retry --failed: %+v %v", got, err)
		}
		if res, err = f.svc.Delivery.RetryOutbox(f.ctx, "ayu", tickets.OutboxRetry{Failed: true}); err != nil || len(res.Requeued)+len(res.Skipped) != 0 {
			t.Fatalf("nothing failed: %+v %v", got, err)
		}
	})
}

// A sender of this process hears of outbox items once they are committed:
// after the transaction, after a Group's commit (not before), and not for a
// transaction that failed or another channel's items.
func TestServiceOutboxQueuedSignal(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newSvcFixture(t, dialect, tickets.Options{})
		mail, stopMail := f.svc.Delivery.OutboxQueued(tickets.ChannelEmail)
		defer stopMail()
		dm, stopDM := f.svc.Delivery.OutboxQueued(tickets.ChannelDiscord)
		defer stopDM()
		signalled := func(c <-chan struct{}) bool {
			select {
			case <-c:
				return true
			default:
				return false
			}
		}
		f.emailRequest(1)
		if !signalled(mail) || signalled(dm) {
			t.Fatal("a committed acknowledgement by mail was not signalled to the mail sender alone")
		}
		// A refused request writes nothing and wakes nobody.
		if _, err := f.svc.Intake.Submit(f.ctx, tickets.SubmitRequest{Kind: "bogus", Channel: tickets.ChannelEmail,
			Requester: tickets.Requester{Email: "x@example.com"}}); err == nil {
			t.Fatal("a bogus request was taken")
		}
		if signalled(mail) {
			t.Fatal("signalled without a commit")
		}
		// In a group: only once the group has committed.
		err := f.svc.Group(f.ctx, func(g *tickets.Service) error {
			for i := 2; i < 4; i++ {
				if _, err := g.Intake.Submit(f.ctx, tickets.SubmitRequest{Kind: tickets.KindRefund, Channel: tickets.ChannelEmail,
					Requester: tickets.Requester{Email: fmt.Sprintf("g%d@example.com", i)}, Order: fmt.Sprintf("73010000000003%05d", i), Details: "g"}); err != nil {
					return err
				}
			}
			if signalled(mail) {
				t.Error("signalled before the group committed")
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if !signalled(mail) || signalled(mail) {
			t.Fatal("a group's commit was not signalled once")
		}
		// A group that fails commits nothing and signals nothing.
		_ = f.svc.Group(f.ctx, func(g *tickets.Service) error {
			if _, err := g.Intake.Submit(f.ctx, tickets.SubmitRequest{Kind: tickets.KindRefund, Channel: tickets.ChannelEmail,
				Requester: tickets.Requester{Email: "rolled@example.com"}, Order: "7301000000000400001", Details: "r"}); err != nil {
				return err
			}
			return errors.New("give up")
		})
		if signalled(mail) {
			t.Fatal("a group that was rolled back signalled")
		}
		// A failed message put back wakes the sender too.
		items, _ := f.svc.Delivery.ClaimOutbox(f.ctx, tickets.ChannelEmail, 1, time.Minute)
		if err := f.svc.Delivery.FinishOutbox(f.ctx, items[0], tickets.OutboxResult{Err: "550", Permanent: true}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Delivery.RetryOutbox(f.ctx, "ayu", tickets.OutboxRetry{IDs: []int64{items[0].ID}}); err != nil {
			t.Fatal(err)
		}
		if !signalled(mail) {
			t.Fatal("a retried mail was not signalled")
		}
		// After the subscription ends, nothing is sent to it.
		stopMail()
		f.emailRequest(9)
		if signalled(mail) {
			t.Fatal("signalled after the subscription ended")
		}
	})
}

// A Discord message that went by mail because the requester's DMs were
// closed is not put back: --failed skips it and says why, by id it is
// refused (nothing changes); Unreachable queues the mail once however often it
// is told. The agents' cards are not the requesters' messages: refused.
func TestServiceOutboxRetryReroutedAndAgentItems(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newSvcFixture(t, dialect, tickets.Options{Agents: []string{"ayu"}, Watchers: []tickets.Channel{cardChannel}, Alerts: []tickets.Channel{alertChannel}})
		res := f.submit(tickets.SubmitRequest{Kind: tickets.KindRefund, Channel: tickets.ChannelDiscord,
			Requester: tickets.Requester{DiscordID: "77", Email: "dm@example.com"}, Order: "7301000000000300001", Details: "d"})
		dms, err := f.svc.Delivery.ClaimOutbox(f.ctx, tickets.ChannelDiscord, 10, time.Minute)
		if err != nil || len(dms) != 1 {
			t.Fatalf("claim DMs: %+v %v", dms, err)
		}
		for range 2 {
			if rerouted, err := f.svc.Delivery.Unreachable(f.ctx, dms[0], "closed (50007)"); err != nil || !rerouted {
				t.Fatalf("Unreachable: %v %v", rerouted, err)
			}
		}
		if err := f.svc.Delivery.FinishOutbox(f.ctx, dms[0], tickets.OutboxResult{Err: "direct messages closed (50007)", Permanent: true}); err != nil {
			t.Fatal(err)
		}
		mails := f.outbox(tickets.OutboxPending)
		var byMail []tickets.OutboxItem
		for _, m := range mails {
			if m.Channel == tickets.ChannelEmail {
				byMail = append(byMail, m)
			}
		}
		if len(byMail) != 1 || byMail[0].Recipient != "dm@example.com" || byMail[0].Template != dms[0].Template {
			t.Fatalf("the DM goes by mail once: %+v", byMail)
		}
		cards, err := f.svc.Delivery.ClaimOutbox(f.ctx, cardChannel, 10, time.Minute)
		if err != nil || len(cards) == 0 {
			t.Fatalf("claim cards: %+v %v", cards, err)
		}
		if err := f.svc.Delivery.FinishOutbox(f.ctx, cards[0], tickets.OutboxResult{Err: "403 missing access", Permanent: true}); err != nil {
			t.Fatal(err)
		}
		before := f.rowCounts()
		audit := len(f.detail(res.Ticket.Ref).Audit)

		_, err = f.svc.Delivery.RetryOutbox(f.ctx, "ayu", tickets.OutboxRetry{IDs: []int64{dms[0].ID}})
		var ce *tickets.ConflictError
		if !errors.As(err, &ce) || ce.Code != "outbox.rerouted" || ce.Params["Recipient"] != "dm@example.com" ||
			!strings.Contains(words(t).Error(tickets.LangEnglish, err), "would send it twice") {
			t.Fatalf("retry of a re-routed DM by id: %v", err)
		}
		_, err = f.svc.Delivery.RetryOutbox(f.ctx, "ayu", tickets.OutboxRetry{IDs: []int64{cards[0].ID}})
		if ve := (*tickets.ValidationError)(nil); !errors.As(err, &ve) || ve.Code != "ids.agents_item" {
			t.Fatalf("retry of an agent card: %v", err)
		}
		got, err := f.svc.Delivery.RetryOutbox(f.ctx, "ayu", tickets.OutboxRetry{Failed: true})
		if len(got.Skipped) == 1 && (got.Skipped[0].Code != "outbox.rerouted" || got.Skipped[0].Why != "") {
			t.Fatalf("skipped: code %q and why %q; want outbox.rerouted, and the words left to the edges", got.Skipped[0].Code, got.Skipped[0].Why)
		}
		words(t).Explain(&got)
		if err != nil || len(got.Requeued) != 0 || len(got.Skipped) != 1 || got.Skipped[0].ID != dms[0].ID ||
			!strings.Contains(got.Skipped[0].Why, fmt.Sprintf("by email to dm@example.com instead (outbox %d", byMail[0].ID)) {
			t.Fatalf("retry --failed: %+v %v", got, err)
		}
		if !maps.Equal(before, f.rowCounts()) || len(f.detail(res.Ticket.Ref).Audit) != audit {
			t.Fatal("a refused or skipped retry changed something")
		}
		if failed := f.outbox(tickets.OutboxFailed); len(failed) != 2 {
			t.Fatalf("failed: %+v", failed)
		}
	})
}
