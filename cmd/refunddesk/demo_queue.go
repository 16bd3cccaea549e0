package main

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"refunddesk/internal/sample"
	"refunddesk/tickets"
)

// demoQueueSize is how many sample tickets the demo files at its start
// unless --sample-tickets says otherwise.
const demoQueueSize = 40

// demoClock is the demo's past: each sample ticket is filed, and acted on,
// at its own time over the last two weeks.
type demoClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *demoClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *demoClock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t.UTC().Truncate(time.Microsecond)
}

// demoStep is an agent's action on a sample ticket, after it was filed.
type demoStep struct {
	after  time.Duration
	action tickets.Action
	text   string
}

// demoScripts are what agents did to the sample tickets, by turn: left
// waiting, answered, approved and paid, denied, asked, approved and closed
// unpaid, denied and reopened, claimed and answered late.
var demoScripts = [][]demoStep{
	{},
	{{3 * time.Hour, tickets.ActionReply, "Thanks, we are looking at your order."}},
	{{5 * time.Hour, tickets.ActionApprove, ""}, {26 * time.Hour, tickets.ActionResolve, "Refund paid to the wallet."}},
	{{30 * time.Hour, tickets.ActionDeny, "The promotion delivered what it promised."}},
	{{2 * time.Hour, tickets.ActionAsk, "Could you send a screenshot of the results page?"}},
	{{2 * time.Hour, tickets.ActionApprove, ""}, {50 * time.Hour, tickets.ActionClose, ""}},
	{{4 * time.Hour, tickets.ActionDeny, "Outside the refund window."}, {28 * time.Hour, tickets.ActionReopen, "Checked again."}},
	{{time.Hour, tickets.ActionClaim, ""}, {27 * time.Hour, tickets.ActionReply, "Sorry for the wait, checking now."}},
}

// demoQueue fills the queue at the demo's start with sample tickets filed
// over the last two weeks from the demo's records: refunds and revocations,
// every reason, by mail, Discord and agents, in English and Indonesian, some
// with a screenshot, and agents' actions on most. Each has an idempotency
// key (demo-queue-N), and only a ticket filed now is acted on: a second
// start adds nothing. It returns how many tickets it filed.
func (m *Main) demoQueue(ctx context.Context, svc *tickets.Service, records, size int, opt sample.Options, requesters []string) (int, error) {
	if size <= 0 {
		return 0, nil
	}
	now := svc.Now()
	clock := &demoClock{now: now}
	past := tickets.NewService(m.db, tickets.Options{Policy: svc.Policy(), SLA: svc.SLA(), Limits: svc.Limits(), Clock: clock,
		AutoRepliesPerHour: 1 << 20, Logger: m.log})
	var orders []tickets.Promotion
	_ = sample.Promotions(records, opt, func(i int, p *tickets.Promotion) error {
		if i%(records/size+1) == 3 && len(orders) < size {
			orders = append(orders, *p)
		}
		return nil
	})
	filed := 0
	for i, p := range orders {
		at := now.Add(-14*24*time.Hour + time.Duration(i)*14*24*time.Hour/time.Duration(len(orders)+1))
		clock.set(at)
		res, err := past.Intake.Submit(ctx, demoRequest(i, p, requesters))
		if err != nil {
			return filed, fmt.Errorf("sample ticket %d: %w", i+1, err)
		}
		if res.Outcome != tickets.OutcomeCreated {
			continue
		}
		filed++
		for _, s := range demoScripts[i%len(demoScripts)] {
			if at.Add(s.after).After(now) {
				break
			}
			clock.set(at.Add(s.after))
			if _, err := past.Desk.Act(ctx, tickets.ActionRequest{Ref: res.Ticket.Ref, Actor: "demo-agent", Action: s.action, Text: s.text,
				Amount: demoAmount(s.action, p)}); err != nil {
				m.log.Debug("demo: a sample action was refused", slog.String("ref", res.Ticket.Ref), slog.Any("error", err))
				break
			}
		}
	}
	return filed, nil
}

// demoRequest is sample request i about order p.
func demoRequest(i int, p tickets.Promotion, requesters []string) tickets.SubmitRequest {
	r := tickets.SubmitRequest{Kind: tickets.KindRefund, Account: p.Account, Order: p.OrderNumber,
		Reason: tickets.Reasons[i%len(tickets.Reasons)], IdempotencyKey: fmt.Sprintf("demo-queue-%d", i+1)}
	switch i % 3 {
	case 0:
		r.Channel, r.Requester = tickets.ChannelEmail, tickets.Requester{Email: requesters[i%len(requesters)]}
	case 1:
		r.Channel, r.Requester = tickets.ChannelDiscord, tickets.Requester{DiscordID: fmt.Sprintf("4%017d", 1000+i), Name: fmt.Sprintf("creator%d", i)}
	default:
		r.Channel, r.Actor, r.Requester = tickets.ChannelAgent, "demo-agent", tickets.Requester{Email: requesters[i%len(requesters)]}
	}
	r.Details = "The promotion of my video reached far fewer people than promised. Please refund the rest."
	if i%2 == 0 {
		r.Details = "Halo kak, promosi video saya jangkauannya jauh di bawah perkiraan. Mohon dibantu pengembalian dananya."
	}
	if i%6 == 5 {
		r.Kind, r.Order, r.Reason = tickets.KindRevocation, "", ""
		r.Account = sample.Account(100000 + i)
		r.Details = "Saya ingin mencabut izin penggunaan konten saya untuk promosi."
	}
	if i%4 == 0 {
		r.Evidence = []tickets.File{{Name: fmt.Sprintf("results-%d.png", i+1), Data: screenshot(i + 20)}}
	}
	return r
}

// demoAmount is what a sample approval grants: half the order, at least 1.
func demoAmount(a tickets.Action, p tickets.Promotion) *int64 {
	if a != tickets.ActionApprove || p.Amount <= 0 {
		return nil
	}
	n := max(p.Amount/2-p.Refunded, 1)
	return &n
}

// fillDemoQueue files the demo's sample tickets, from the requesters whose
// mailboxes the demo's mail system keeps, and says how many it filed.
func (m *Main) fillDemoQueue(ctx context.Context, svc *tickets.Service, records, size int, opt sample.Options, picks demoPicks) error {
	var requesters []string
	for _, d := range demoMails(picks) {
		requesters = append(requesters, d.from)
	}
	n, err := m.demoQueue(ctx, svc, records, size, opt, requesters)
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "sample tickets over the last two weeks: %d filed (a second start files none)\n\n", n)
	return nil
}
