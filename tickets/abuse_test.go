package tickets_test

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"refunddesk/internal/storetest"
	"refunddesk/tickets"
)

// allOutbox lists every outbox item, oldest first.
func (f *svcFixture) allOutbox() []tickets.OutboxItem {
	f.t.Helper()
	items, err := f.svc.Delivery.Outbox(f.ctx, tickets.OutboxFilter{Limit: tickets.MaxPageSize})
	if err != nil {
		f.t.Fatal(err)
	}
	slices.Reverse(items)
	return items
}

// Someone who is not the requester writing about an order that has an open
// ticket is not merged into it: the ticket is flagged other_requester and
// audited so, their words are an internal note under their own address,
// the verdict is not computed again on their word, the requester is told
// nothing, and the writer is told only that the request was received: no
// reference, status or anything else of the ticket, in their result or in
// their message. The same request again changes nothing and shows nothing.
func TestServiceOtherRequester(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newSvcFixture(t, dialect, tickets.Options{})
		f.importPromos(svcPromotion(svcOrderA, svcAccountA, 5000))
		owner := f.submit(svcRefund(svcOrderA, svcAccountA))
		before := f.detail(owner.Ticket.Ref)

		stranger := tickets.SubmitRequest{Kind: tickets.KindRefund, Channel: tickets.ChannelEmail,
			Requester: tickets.Requester{Email: "budi@example.com", Name: "Budi"}, Order: svcOrderA, Account: "@budi_store",
			Details: "Saya minta refund untuk pesanan ini, tolong kirim statusnya", Evidence: []tickets.File{svcPNG("mine.png", "budi")},
			IdempotencyKey: "<b1@example.com>", ExternalID: "<b1@example.com>"}
		res := f.submit(stranger)
		if res.Outcome != tickets.OutcomeReceived || res.Ticket.ID != 0 || res.Ticket.Ref != "" || res.Ticket.Status != "" ||
			res.Ticket.Eligibility.Verdict != "" || res.Ticket.Requester != (tickets.Requester{}) || res.Ticket.Account != "@budi_store" {
			t.Fatalf("the stranger's result shows the ticket: %s %+v", res.Outcome, res.Ticket)
		}

		d := f.detail(owner.Ticket.Ref)
		if !d.HasFlag(tickets.FlagOtherRequester) || d.Requester != before.Requester || d.Account != svcAccountA {
			t.Fatalf("flags %v, requester %+v, account %q", d.Flags, d.Requester, d.Account)
		}
		if d.Eligibility.Verdict != before.Eligibility.Verdict || d.Status != before.Status || len(d.Eligibility.Rules) != len(before.Eligibility.Rules) {
			t.Fatalf("the verdict moved on a stranger's word: %s → %s", svcSummary(before), svcSummary(d))
		}
		last := d.Messages[len(d.Messages)-1]
		if len(d.Messages) != len(before.Messages)+1 || last.Kind != tickets.MessageNote || last.Author != "budi@example.com" || last.Body != stranger.Details {
			t.Fatalf("messages %+v", d.Messages)
		}
		for _, m := range d.Messages {
			if m.Kind == tickets.MessageIn && m.Author == "budi@example.com" {
				t.Fatalf("the stranger's words are in the conversation as the requester's: %+v", m)
			}
		}
		var other *tickets.AuditEntry
		for i := range d.Audit {
			if d.Audit[i].Code == tickets.AuditOtherRequester {
				other = &d.Audit[i]
			}
			if d.Audit[i].Code == tickets.AuditJoined {
				t.Fatalf("audited as joined: %+v", d.Audit[i])
			}
		}
		if other == nil || other.Actor != "budi@example.com" || other.Params.Requester != "budi@example.com" || other.Params.Channel != tickets.ChannelEmail {
			t.Fatalf("audit %+v", d.Audit)
		}
		if len(d.Evidence) != len(before.Evidence)+1 {
			t.Fatalf("the stranger's file was lost: %+v", d.Evidence)
		}
		// Nothing was queued on the ticket: the requester hears nothing.
		if !slices.Equal(svcTemplates(d), svcTemplates(before)) {
			t.Fatalf("outbox of the ticket %v, was %v", svcTemplates(d), svcTemplates(before))
		}
		// The stranger's acknowledgement: on no ticket, nothing of it.
		items := f.allOutbox()
		ack := items[len(items)-1]
		if ack.Template != tickets.TemplateReceived || ack.Recipient != "budi@example.com" || ack.Channel != tickets.ChannelEmail ||
			ack.TicketID != 0 || ack.TicketRef != "" || !ack.Automatic {
			t.Fatalf("acknowledgement %+v", ack)
		}
		if !reflect.DeepEqual(ack.Data, tickets.MessageData{Kind: tickets.KindRefund}) {
			t.Fatalf("the acknowledgement carries the ticket's data: %+v", ack.Data)
		}
		if ack.Language != tickets.LangIndonesian {
			t.Fatalf("acknowledgement in %q, not in the stranger's language", ack.Language)
		}

		// The same request again: the same answer, nothing written.
		counts := f.rowCounts()
		if again := f.submit(stranger); again.Outcome != tickets.OutcomeReceived || again.Ticket.Ref != "" || again.Ticket.ID != 0 {
			t.Fatalf("again: %s %+v", again.Outcome, again.Ticket)
		}
		if got := f.rowCounts(); !maps.Equal(got, counts) {
			t.Fatalf("rows %v, want %v", got, counts)
		}

		// On Discord the same: a direct message saying it was received.
		dm := stranger
		dm.Channel, dm.Requester, dm.IdempotencyKey, dm.ExternalID = tickets.ChannelDiscord, tickets.Requester{DiscordID: "777"}, "discord:i9", ""
		dm.Evidence = nil
		if res := f.submit(dm); res.Outcome != tickets.OutcomeReceived || res.Ticket.Ref != "" {
			t.Fatalf("discord: %s %+v", res.Outcome, res.Ticket)
		}
		items = f.allOutbox()
		if o := items[len(items)-1]; o.Template != tickets.TemplateReceived || o.Channel != tickets.ChannelDiscord || o.Recipient != "777" || o.TicketID != 0 {
			t.Fatalf("discord acknowledgement %+v", o)
		}

		// Their direct messages closed: nothing to flag, nowhere else to go,
		// and no error (the item fails for good).
		if rerouted, err := f.svc.Delivery.Unreachable(f.ctx, items[len(items)-1], "closed (50007)"); err != nil || rerouted {
			t.Fatalf("unreachable: %v %v", rerouted, err)
		}

		// An agent filing for someone else sees the ticket; it is flagged
		// the same way.
		byAgent := tickets.SubmitRequest{Kind: tickets.KindRefund, Channel: tickets.ChannelAgent, Actor: "ayu",
			Requester: tickets.Requester{Email: "citra@example.com"}, Order: svcOrderA, Details: "called about it"}
		if res := f.submit(byAgent); res.Outcome != tickets.OutcomeReceived || res.Ticket.Ref != owner.Ticket.Ref {
			t.Fatalf("agent: %s %+v", res.Outcome, res.Ticket)
		}
		// The requester themself still joins their ticket.
		if res := f.submit(svcRefund(svcOrderA, svcAccountA)); res.Outcome != tickets.OutcomeJoined || res.Ticket.Ref != owner.Ticket.Ref {
			t.Fatalf("owner: %s %+v", res.Outcome, res.Ticket)
		}
	})
}

// A requester past NewPerHour opens no ticket: the request comes back
// limited, nothing is written but one answer (TemplateReceived with the
// limit) per address and hour, whatever the number of requests; joining
// their open ticket and answering it are not limited; an hour later they
// may open tickets again.
func TestServiceNewTicketsPerHour(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newSvcFixture(t, dialect, tickets.Options{})
		robot := tickets.Requester{Email: "Robot@Example.com"}
		req := func(i int, order string) tickets.SubmitRequest {
			return tickets.SubmitRequest{Kind: tickets.KindRefund, Channel: tickets.ChannelEmail, Requester: robot, Order: order,
				Details: fmt.Sprintf("please refund me, mail %d", i), IdempotencyKey: fmt.Sprintf("<r%d@example.com>", i), NewPerHour: 2}
		}
		first := f.submit(req(1, "7301000000000000101"))
		f.submit(req(2, ""))
		counts := f.rowCounts()
		for i := 3; i <= 6; i++ {
			res := f.submit(req(i, ""))
			if res.Outcome != tickets.OutcomeLimited || res.Ticket.ID != 0 || res.Ticket.Ref != "" {
				t.Fatalf("request %d: %s %+v", i, res.Outcome, res.Ticket)
			}
		}
		got := f.rowCounts()
		if got["tickets"] != counts["tickets"] || got["intake_keys"] != counts["intake_keys"] || got["outbox"] != counts["outbox"]+1 {
			t.Fatalf("rows %v, were %v", got, counts)
		}
		items := f.allOutbox()
		if o := items[len(items)-1]; o.Template != tickets.TemplateReceived || o.Data.Limit != 2 || o.Recipient != "Robot@Example.com" || o.TicketID != 0 {
			t.Fatalf("the answer %+v", o)
		}
		// The address in other case is the same sender.
		other := req(7, "")
		other.Requester.Email = "robot@example.com"
		if res := f.submit(other); res.Outcome != tickets.OutcomeLimited {
			t.Fatalf("other case: %s", res.Outcome)
		}
		// Not new tickets: joining their open ticket, and answering it.
		if res := f.submit(req(8, "7301000000000000101")); res.Outcome != tickets.OutcomeJoined || res.Ticket.Ref != first.Ticket.Ref {
			t.Fatalf("join: %s %s", res.Outcome, res.Ticket.Ref)
		}
		if _, err := f.svc.Intake.RequesterReply(f.ctx, tickets.RequesterUpdate{Ref: first.Ticket.Ref, Requester: robot,
			Channel: tickets.ChannelEmail, Text: "more words"}); err != nil {
			t.Fatalf("answer: %v", err)
		}
		// Someone else is not limited by the robot's count.
		if res := f.submit(tickets.SubmitRequest{Kind: tickets.KindRefund, Channel: tickets.ChannelEmail,
			Requester: tickets.Requester{Email: "ayu@example.com"}, Details: "hello", NewPerHour: 2}); res.Outcome != tickets.OutcomeCreated {
			t.Fatalf("another sender: %s", res.Outcome)
		}
		// An hour on: new tickets again, and a new answer once past the limit.
		f.clock.Advance(61 * time.Minute)
		if res := f.submit(req(9, "")); res.Outcome != tickets.OutcomeCreated {
			t.Fatalf("an hour later: %s", res.Outcome)
		}
	})
}

// A message with no text is stored empty, without words of the domain's:
// the edges write it from the catalog.
func TestServiceEmptyMessageHasNoWords(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newSvcFixture(t, dialect, tickets.Options{})
		first := f.submit(svcRefund(svcOrderA, svcAccountA))
		again := svcRefund(svcOrderA, svcAccountA)
		again.Details, again.Evidence = "", []tickets.File{svcPNG("b.png", "b")}
		f.submit(again)
		if _, err := f.svc.Intake.RequesterReply(f.ctx, tickets.RequesterUpdate{Ref: first.Ticket.Ref, Requester: again.Requester,
			Channel: tickets.ChannelEmail, Evidence: []tickets.File{svcPNG("c.png", "c")}, ExternalID: "<c@example.com>"}); err != nil {
			t.Fatal(err)
		}
		d := f.detail(first.Ticket.Ref)
		if len(d.Messages) != 3 || d.Messages[1].Body != "" || d.Messages[2].Body != "" {
			t.Fatalf("messages %+v", d.Messages)
		}
		for _, m := range d.Messages {
			if strings.Contains(m.Body, "(") {
				t.Fatalf("words in a message: %q", m.Body)
			}
		}
		w := words(t)
		if got := w.MessageBody(d.Messages[1], tickets.LangIndonesian); !strings.Contains(got, "tanpa teks") {
			t.Fatalf("Indonesian: %q", got)
		}
		w.Explain(d)
		if !strings.Contains(d.Messages[2].Body, "no text") {
			t.Fatalf("explained: %q", d.Messages[2].Body)
		}
	})
}
