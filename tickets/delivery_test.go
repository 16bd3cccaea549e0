package tickets_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"refunddesk/internal/storetest"
	"refunddesk/tickets"
)

// At most N automatic mails go to one address in an hour; the rest are held
// back and the audit trail says so. An agent's message is never held back.
func TestServiceAutomaticMailIsRateLimited(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newSvcFixture(t, dialect, tickets.Options{AutoRepliesPerHour: 3})
		var refs []string
		for i := 0; i < 5; i++ {
			res := f.submit(tickets.SubmitRequest{Kind: tickets.KindRefund, Channel: tickets.ChannelEmail,
				Requester: tickets.Requester{Email: "robot@example.com"}, Order: fmt.Sprintf("730100000000000%04d", i), Details: "hello"})
			refs = append(refs, res.Ticket.Ref)
		}
		acks := 0
		for i, ref := range refs {
			d := f.detail(ref)
			if len(d.Outbox) == 1 {
				acks++
				if !d.Outbox[0].Automatic {
					t.Errorf("%s: an acknowledgement not marked automatic", ref)
				}
			} else if i < 3 {
				t.Errorf("%s: no acknowledgement within the limit", ref)
			} else if a := svcLastAudit(t, d); a.Action != "held_back" {
				t.Errorf("%s: held back without saying so: %+v", ref, a)
			}
		}
		if acks != 3 {
			t.Fatalf("%d acknowledgements, want 3", acks)
		}
		// An agent writing is not automatic.
		f.act(tickets.ActionRequest{Ref: refs[4], Actor: "ayu", Action: tickets.ActionReply, Text: "we are on it"})
		if d := f.detail(refs[4]); len(d.Outbox) != 1 || d.Outbox[0].Automatic || d.Outbox[0].Template != tickets.TemplateReply {
			t.Fatalf("agent reply: %+v", d.Outbox)
		}
		// An hour later the address gets acknowledgements again.
		f.clock.Advance(61 * time.Minute)
		res := f.submit(tickets.SubmitRequest{Kind: tickets.KindRefund, Channel: tickets.ChannelEmail,
			Requester: tickets.Requester{Email: "robot@example.com"}, Order: "7301000000000009999", Details: "hello"})
		if d := f.detail(res.Ticket.Ref); len(d.Outbox) != 1 {
			t.Fatalf("after an hour: %+v", d.Outbox)
		}
	})
}

// The outbox from a sender's side: claim, finish, retry, give up; a lease
// that runs out makes the item claimable again; items of one ticket go in
// order.
func TestServiceOutboxDelivery(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newSvcFixture(t, dialect, tickets.Options{})
		a := f.submit(tickets.SubmitRequest{Kind: tickets.KindRefund, Channel: tickets.ChannelEmail,
			Requester: tickets.Requester{Email: "a@example.com"}, Order: "7301000000000000001", Details: "a"})
		f.act(tickets.ActionRequest{Ref: a.Ticket.Ref, Actor: "ayu", Action: tickets.ActionReply, Text: "first reply"})
		b := f.submit(tickets.SubmitRequest{Kind: tickets.KindRefund, Channel: tickets.ChannelDiscord,
			Requester: tickets.Requester{DiscordID: "99"}, Order: "7301000000000000002", Details: "b"})

		items, err := f.svc.Delivery.ClaimOutbox(f.ctx, tickets.ChannelEmail, 10, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		// The reply waits behind the acknowledgement of the same ticket.
		if len(items) != 1 || items[0].Template != tickets.TemplateAcknowledgement || items[0].TicketRef != a.Ticket.Ref ||
			items[0].Status != tickets.OutboxSending || items[0].Attempts != 1 {
			t.Fatalf("first claim: %+v", items)
		}
		if again, _ := f.svc.Delivery.ClaimOutbox(f.ctx, tickets.ChannelEmail, 10, time.Minute); len(again) != 0 {
			t.Fatalf("claimed twice: %+v", again)
		}
		// A temporary failure: back to pending, tried again later.
		if err := f.svc.Delivery.FinishOutbox(f.ctx, items[0], tickets.OutboxResult{Err: "421 try later", RetryAt: f.clock.Now().Add(5 * time.Minute)}); err != nil {
			t.Fatal(err)
		}
		if got, _ := f.svc.Delivery.ClaimOutbox(f.ctx, tickets.ChannelEmail, 10, time.Minute); len(got) != 0 {
			t.Fatalf("claimed before its retry time: %+v", got)
		}
		f.clock.Advance(5 * time.Minute)
		items, _ = f.svc.Delivery.ClaimOutbox(f.ctx, tickets.ChannelEmail, 10, time.Minute)
		if len(items) != 1 || items[0].Attempts != 2 || items[0].LastError != "421 try later" {
			t.Fatalf("retry claim: %+v", items)
		}
		// The sender stops mid-way: after its lease the item is taken again.
		f.clock.Advance(2 * time.Minute)
		items, _ = f.svc.Delivery.ClaimOutbox(f.ctx, tickets.ChannelEmail, 10, time.Minute)
		if len(items) != 1 || items[0].Attempts != 3 {
			t.Fatalf("after the lease: %+v", items)
		}
		if err := f.svc.Delivery.FinishOutbox(f.ctx, items[0], tickets.OutboxResult{Sent: true, ExternalID: "<m1@desk>"}); err != nil {
			t.Fatal(err)
		}
		// A second finish (a stale sender) is refused.
		if err := f.svc.Delivery.FinishOutbox(f.ctx, items[0], tickets.OutboxResult{Sent: true}); !errors.Is(err, tickets.ErrConflict) {
			t.Fatalf("finish twice: %v", err)
		}
		// Now the reply is due; a permanent failure marks it failed.
		items, _ = f.svc.Delivery.ClaimOutbox(f.ctx, tickets.ChannelEmail, 10, time.Minute)
		if len(items) != 1 || items[0].Template != tickets.TemplateReply || items[0].Data.Text != "first reply" {
			t.Fatalf("reply claim: %+v", items)
		}
		if err := f.svc.Delivery.FinishOutbox(f.ctx, items[0], tickets.OutboxResult{Err: "550 no such user", Permanent: true}); err != nil {
			t.Fatal(err)
		}
		failed, err := f.svc.Delivery.Outbox(f.ctx, tickets.OutboxFilter{Status: tickets.OutboxFailed})
		if err != nil || len(failed) != 1 || failed[0].LastError != "550 no such user" {
			t.Fatalf("failed list: %+v %v", failed, err)
		}
		sent, _ := f.svc.Delivery.Outbox(f.ctx, tickets.OutboxFilter{Status: tickets.OutboxSent})
		if len(sent) != 1 || sent[0].ExternalID != "<m1@desk>" || sent[0].SentAt == nil {
			t.Fatalf("sent list: %+v", sent)
		}
		// Discord items are not claimed by the mail sender, and the reverse.
		if d, _ := f.svc.Delivery.ClaimOutbox(f.ctx, tickets.ChannelDiscord, 10, time.Minute); len(d) != 1 || d[0].TicketRef != b.Ticket.Ref {
			t.Fatalf("discord claim: %+v", d)
		}
		if _, err := f.svc.Delivery.Outbox(f.ctx, tickets.OutboxFilter{Status: "lost"}); !tickets.IsValidation(err) {
			t.Fatalf("bad status filter: %v", err)
		}
	})
}

// Bounces flag the tickets of the address; cursors and failures keep.
func TestServiceUndeliverableCursorsFailures(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newSvcFixture(t, dialect, tickets.Options{})
		a := f.submit(tickets.SubmitRequest{Kind: tickets.KindRefund, Channel: tickets.ChannelEmail,
			Requester: tickets.Requester{Email: "Gone@Example.com", DiscordID: "77"}, Order: "7301000000000000001", Details: "a"})
		other := f.submit(tickets.SubmitRequest{Kind: tickets.KindRefund, Channel: tickets.ChannelEmail,
			Requester: tickets.Requester{Email: "here@example.com"}, Order: "7301000000000000002", Details: "b"})
		refs, err := f.svc.Delivery.Undeliverable(f.ctx, "", "gone@example.com", "550 5.1.1 user unknown")
		if err != nil || len(refs) != 1 || refs[0] != a.Ticket.Ref {
			t.Fatalf("undeliverable: %v %v", refs, err)
		}
		d := f.detail(a.Ticket.Ref)
		if !d.HasFlag(tickets.FlagUndeliverable) || svcLastAudit(t, d).Action != "undeliverable" {
			t.Fatalf("flag: %v", d.Flags)
		}
		if f.detail(other.Ticket.Ref).HasFlag(tickets.FlagUndeliverable) {
			t.Fatal("another address's ticket was flagged")
		}
		// Messages now go by Discord.
		f.act(tickets.ActionRequest{Ref: a.Ticket.Ref, Actor: "ayu", Action: tickets.ActionReply, Text: "hi"})
		if d := f.detail(a.Ticket.Ref); d.Outbox[len(d.Outbox)-1].Channel != tickets.ChannelDiscord {
			t.Fatalf("after the bounce: %+v", d.Outbox[len(d.Outbox)-1])
		}

		if _, err := f.svc.Intake.Cursor(f.ctx, "imap:INBOX"); !errors.Is(err, tickets.ErrNotFound) {
			t.Fatalf("no cursor yet: %v", err)
		}
		if err := f.svc.Intake.SetCursor(f.ctx, "imap:INBOX", tickets.Cursor{UIDValidity: 4294967295, LastUID: 17}); err != nil {
			t.Fatal(err)
		}
		if c, err := f.svc.Intake.Cursor(f.ctx, "imap:INBOX"); err != nil || c.UIDValidity != 4294967295 || c.LastUID != 17 {
			t.Fatalf("cursor: %+v %v", c, err)
		}
		fail := tickets.InboundFailure{Channel: tickets.ChannelEmail, Key: "k1", Source: "INBOX uid 5", Sender: "x@example.com",
			Subject: "hi", Size: 30 << 20, Reason: "larger than 25 MiB", SetAside: "refunddesk/unprocessed"}
		if err := f.svc.Intake.RecordFailure(f.ctx, fail); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.Intake.RecordFailure(f.ctx, fail); err != nil {
			t.Fatal(err)
		}
		list, err := f.svc.Intake.Failures(f.ctx, 10)
		if err != nil || len(list) != 1 || list[0].Reason != fail.Reason || list[0].Size != fail.Size {
			t.Fatalf("failures: %+v %v", list, err)
		}
	})
}
