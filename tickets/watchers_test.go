package tickets_test

import (
	"testing"
	"time"

	"refunddesk/internal/storetest"
	"refunddesk/tickets"
)

// Every use case that changes a ticket tells every watcher, whatever the
// channel that registered it is called (the domain names none), and a
// call that leaves the ticket as it was tells none; the desk's alerts go to
// every alert channel, keyed apart. Each use case calls the change hook
// itself, so this is the test that one was not forgotten.
func TestWatchersHearEveryChange(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		watchers := []tickets.Channel{"board", "wall"}
		alerts := []tickets.Channel{"board_alert", "pager"}
		f := newSvcFixture(t, dialect, tickets.Options{Agents: []string{"ayu"}, Watchers: watchers, Alerts: alerts})
		f.importPromos(svcPromotion(svcOrderA, svcAccountA, 5000))
		items := func(ch tickets.Channel) []tickets.OutboxItem {
			t.Helper()
			list, err := f.svc.Delivery.Outbox(f.ctx, tickets.OutboxFilter{Channel: ch, Limit: 1000})
			if err != nil {
				t.Fatal(err)
			}
			return list
		}
		var ref string
		var id int64
		step := func(name string, changes bool, do func() error) {
			t.Helper()
			before := map[tickets.Channel]int{}
			for _, ch := range watchers {
				// The watcher sends the card it has: a ticket has one
				// pending card on a channel at a time (migration 0005), so
				// only a change after it queues another.
				sent, err := f.svc.Delivery.ClaimOutbox(f.ctx, ch, 100, time.Minute)
				if err != nil {
					t.Fatal(err)
				}
				for _, it := range sent {
					if err := f.svc.Delivery.FinishOutbox(f.ctx, it, tickets.OutboxResult{Sent: true}); err != nil {
						t.Fatal(err)
					}
				}
				before[ch] = len(items(ch))
			}
			if err := do(); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			for _, ch := range watchers {
				list := items(ch)
				want := before[ch]
				if changes {
					want++
				}
				if len(list) != want {
					t.Fatalf("%s: %d items on %s, want %d", name, len(list), ch, want)
				}
				if changes && (list[0].Template != tickets.TemplateCard || list[0].TicketRef != ref || !list[0].Automatic || list[0].Recipient != "") {
					t.Fatalf("%s: %s's item %+v", name, ch, list[0])
				}
			}
		}
		req := svcRefund(svcOrderA, svcAccountA)
		req.IdempotencyKey = "mail-1"
		req.Requester.DiscordID = "77"
		step("submit", true, func() error {
			res, err := f.svc.Intake.Submit(f.ctx, req)
			if err == nil {
				ref, id = res.Ticket.Ref, res.Ticket.ID
			}
			return err
		})
		step("the same request again", false, func() error { _, err := f.svc.Intake.Submit(f.ctx, req); return err })
		step("another request joins", true, func() error {
			again := req
			again.IdempotencyKey, again.Details = "mail-2", "And another thing"
			_, err := f.svc.Intake.Submit(f.ctx, again)
			return err
		})
		step("claim", true, func() error { _, err := f.svc.Desk.Act(f.ctx, claim(ref)); return err })
		step("claim again (already hers)", false, func() error { _, err := f.svc.Desk.Act(f.ctx, claim(ref)); return err })
		step("edit", true, func() error {
			lang := "id"
			_, err := f.svc.Desk.Edit(f.ctx, ref, "ayu", tickets.Fields{Language: &lang})
			return err
		})
		step("evidence from an agent", true, func() error {
			_, err := f.svc.Desk.AddEvidence(f.ctx, ref, "ayu", []tickets.File{svcPNG("more.png", "more")})
			return err
		})
		step("the records change", true, func() error {
			f.importPromos(svcPromotion(svcOrderA, svcAccountA, 4000))
			return nil
		})
		step("the requester answers", true, func() error {
			_, err := f.svc.Intake.RequesterReply(f.ctx, tickets.RequesterUpdate{Ref: ref, Requester: req.Requester,
				Channel: tickets.ChannelEmail, Text: "Here is more"})
			return err
		})
		step("a note", true, func() error {
			_, err := f.svc.Desk.Act(f.ctx, tickets.ActionRequest{Ref: ref, Actor: "ayu", Action: tickets.ActionNote, Text: "checking"})
			return err
		})

		// Past the first-response target the agents are alerted on every
		// alert channel (keyed apart: the outbox drops a repeated key); the
		// alert changes no ticket.
		step("escalation", false, func() error {
			f.clock.Set(f.clock.Now().Add(25 * time.Hour))
			_, err := f.svc.Followups.Run(f.ctx, 100)
			return err
		})
		for _, ch := range alerts {
			if list := items(ch); len(list) != 1 || list[0].Template != tickets.TemplateAlert || list[0].Data.Alert == nil || list[0].Data.Alert.Ref != ref {
				t.Fatalf("alerts on %s: %+v", ch, list)
			}
		}
		step("ask", true, func() error {
			_, err := f.svc.Desk.Act(f.ctx, tickets.ActionRequest{Ref: ref, Actor: "ayu", Action: tickets.ActionAsk, Text: "Which video?"})
			return err
		})
		step("closed after the silence", true, func() error {
			f.clock.Set(f.clock.Now().Add(8 * 24 * time.Hour))
			st, err := f.svc.Followups.Run(f.ctx, 100)
			if err == nil && st.Done != 1 {
				t.Fatalf("follow-ups: %+v", st)
			}
			return err
		})
		if d := f.detail(ref); d.Status != tickets.StatusClosed {
			t.Fatalf("status %s", d.Status)
		}
		step("mail bounces", true, func() error {
			_, err := f.svc.Delivery.Undeliverable(f.ctx, ref, "", "550 no such user")
			return err
		})
		step("the chat channel refuses", true, func() error {
			_, err := f.svc.Delivery.Unreachable(f.ctx, tickets.OutboxItem{ID: 1, TicketID: id, TicketRef: ref,
				Channel: tickets.ChannelDiscord, Recipient: "77", Template: tickets.TemplateReply}, "closed")
			return err
		})
	})
}

func claim(ref string) tickets.ActionRequest {
	return tickets.ActionRequest{Ref: ref, Actor: "ayu", Action: tickets.ActionClaim}
}
