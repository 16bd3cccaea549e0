package tickets_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"refunddesk/internal/storetest"
	"refunddesk/tickets"
)

// svcActOrder is the i-th of the orders the action tests import: completed,
// @ayu_shop, 100,000 IDR paid, half delivered (an eligible 50,000 refund).
func svcActOrder(i int) string { return fmt.Sprintf("73020000000000000%02d", i) }

const (
	svcActIneligible = "7302000000000000900" // delivered 90%: ineligible
	svcActPartial    = "7302000000000000901" // 20,000 refunded already: 80,000 left, 30,000 due
	svcActMostly     = "7302000000000000902" // 70,000 refunded already: 30,000 left, nothing due
	svcActShort      = "7302000000000000903" // delivered 20%: an 80,000 refund
	svcActUnknown    = "7302000000000000999" // not on record
)

// newSvcActFixture is a desk with three agents and the action tests' orders.
func newSvcActFixture(t *testing.T, dialect string) *svcFixture {
	t.Helper()
	f := newSvcFixture(t, dialect, tickets.Options{Agents: []string{"ayu", "budi", "citra"}})
	var ps []tickets.Promotion
	for i := 1; i <= 40; i++ {
		ps = append(ps, svcPromotion(svcActOrder(i), svcAccountA, 5000))
	}
	partial := svcPromotion(svcActPartial, svcAccountA, 5000)
	partial.Refunded = 20000
	mostly := svcPromotion(svcActMostly, svcAccountA, 5000)
	mostly.Refunded = 70000
	ps = append(ps, svcPromotion(svcActIneligible, svcAccountA, 9000), partial, mostly, svcPromotion(svcActShort, svcAccountA, 2000))
	if sum := f.importPromos(ps...); sum.Inserted != len(ps) {
		t.Fatalf("import: %+v", sum)
	}
	return f
}

// open files an email refund for order by @ayu_shop and returns its reference.
func (f *svcFixture) open(order string) string {
	f.t.Helper()
	return f.submit(svcRefund(order, svcAccountA)).Ticket.Ref
}

// refused checks an action is refused with err and changes nothing.
func (f *svcFixture) refused(a tickets.ActionRequest, check func(error) bool, what string) {
	f.t.Helper()
	before := f.detail(a.Ref)
	f.clock.Advance(time.Second)
	tk, err := f.svc.Desk.Act(f.ctx, a)
	if err == nil || !check(err) {
		f.t.Fatalf("%s %s by %q (%s): got %v, want %s", a.Action, a.Ref, a.Actor, before.Status, err, what)
	}
	if tk != nil {
		f.t.Fatalf("%s %s: a refused action returned a ticket", a.Action, a.Ref)
	}
	svcSameDetail(f.t, before, f.detail(a.Ref))
}

func svcIsConflict(err error) bool  { return errors.Is(err, tickets.ErrConflict) }
func svcIsForbidden(err error) bool { return errors.Is(err, tickets.ErrForbidden) }
func svcIsInvalid(field string) func(error) bool {
	return func(err error) bool { return slices.Equal(svcFields(err), []string{field}) }
}

// wantAudit checks the newest audit entry.
func (f *svcFixture) wantAudit(ref, actor string, action tickets.Action, from, to tickets.Status, detail string) *tickets.TicketDetail {
	f.t.Helper()
	d := f.detail(ref)
	a := svcLastAudit(f.t, d)
	want := tickets.AuditEntry{At: f.clock.Now(), Actor: actor, Action: string(action), FromStatus: from, ToStatus: to, Detail: detail}
	if !a.At.Equal(want.At) || a.Actor != want.Actor || a.Action != want.Action || a.FromStatus != want.FromStatus || a.ToStatus != want.ToStatus || auditText(f.t, a) != want.Detail {
		f.t.Fatalf("%s: last audit entry %+v, want %+v", ref, a, want)
	}
	return d
}

func TestServiceActClaimAssign(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newSvcActFixture(t, dialect)
		ref := f.open(svcActOrder(1))
		claim := func(actor string) tickets.ActionRequest {
			return tickets.ActionRequest{Ref: ref, Actor: actor, Action: tickets.ActionClaim}
		}
		assign := func(actor, to string) tickets.ActionRequest {
			return tickets.ActionRequest{Ref: ref, Actor: actor, Action: tickets.ActionAssign, Assignee: to}
		}

		f.refused(claim("eve"), svcIsForbidden, "forbidden: not an agent")
		f.refused(claim(" "), svcIsInvalid("agent"), "who is acting is not known")
		f.refused(tickets.ActionRequest{Ref: ref, Actor: "ayu", Action: "escalate"}, svcIsInvalid("action"), "not an action")
		f.refused(tickets.ActionRequest{Ref: ref, Actor: "ayu", Action: tickets.ActionClaim, Amount: svcPtr[int64](5)}, svcIsInvalid("amount"), "only approve takes an amount")
		if _, err := f.svc.Desk.Act(f.ctx, tickets.ActionRequest{Ref: "XX-1", Actor: "ayu", Action: tickets.ActionClaim}); !slices.Equal(svcFields(err), []string{"ref"}) {
			t.Fatalf("bad ref: %v", err)
		}
		if _, err := f.svc.Desk.Act(f.ctx, tickets.ActionRequest{Ref: "RD-999999", Actor: "ayu", Action: tickets.ActionClaim}); !errors.Is(err, tickets.ErrNotFound) {
			t.Fatalf("no such ticket: %v", err)
		}

		f.clock.Advance(time.Minute)
		tk := f.act(claim("ayu"))
		if tk.Assignee != "ayu" || tk.Status != tickets.StatusInReview {
			t.Fatalf("claim: %s assignee %q", tk, tk.Assignee)
		}
		d := f.wantAudit(ref, "ayu", tickets.ActionClaim, "", "", "")
		if d.Assignee != "ayu" || !d.UpdatedAt.Equal(f.clock.Now()) {
			t.Fatalf("stored: assignee %q updated %v", d.Assignee, d.UpdatedAt)
		}
		// Claiming one's own ticket again does nothing at all.
		f.clock.Advance(time.Minute)
		if tk := f.act(claim("ayu")); tk.Assignee != "ayu" {
			t.Fatalf("claim again: assignee %q", tk.Assignee)
		}
		svcSameDetail(t, d, f.detail(ref))
		// Someone else's claim is a conflict.
		f.refused(claim("budi"), svcIsConflict, "conflict: assigned to ayu")

		f.clock.Advance(time.Minute)
		f.act(assign("budi", "budi"))
		f.wantAudit(ref, "budi", tickets.ActionAssign, "", "", "ayu → budi")
		f.act(assign("citra", "ME"))
		d = f.wantAudit(ref, "citra", tickets.ActionAssign, "", "", "budi → citra")
		if d.Assignee != "citra" {
			t.Fatalf("assign me: %q", d.Assignee)
		}
		f.refused(assign("ayu", "eve"), svcIsInvalid("assignee"), "eve is not an agent")
		f.refused(assign("ayu", "  "), svcIsInvalid("assignee"), "no assignee")
		f.refused(assign("eve", "ayu"), svcIsForbidden, "eve may not act")
		f.act(assign("ayu", "None"))
		d = f.wantAudit(ref, "ayu", tickets.ActionAssign, "", "", "citra → none")
		if d.Assignee != "" {
			t.Fatalf("assign none: %q", d.Assignee)
		}
		// Assigning to whoever has it already does nothing.
		f.act(assign("ayu", "none"))
		svcSameDetail(t, d, f.detail(ref))
		if d.Status != tickets.StatusInReview {
			t.Fatalf("claim and assign moved the ticket to %s", d.Status)
		}

		// A closed ticket is not claimed nor assigned.
		f.act(tickets.ActionRequest{Ref: ref, Actor: "ayu", Action: tickets.ActionClose})
		f.refused(claim("budi"), svcIsConflict, "conflict: closed")
		f.refused(assign("budi", "budi"), svcIsConflict, "conflict: closed")
	})
}

func TestServiceActNoteReplyAsk(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newSvcActFixture(t, dialect)
		ref := f.open(svcActOrder(2))
		act := func(action tickets.Action, text string) tickets.ActionRequest {
			return tickets.ActionRequest{Ref: ref, Actor: "ayu", Action: action, Text: text}
		}

		f.refused(act(tickets.ActionNote, " \n "), svcIsInvalid("text"), "a note needs text")
		f.refused(act(tickets.ActionReply, ""), svcIsInvalid("text"), "a reply needs text")
		f.refused(act(tickets.ActionAsk, ""), svcIsInvalid("question"), "ask needs the question")
		f.refused(act(tickets.ActionNote, strings.Repeat("n", 64<<10+1)), svcIsInvalid("text"), "too long a note")
		f.refused(act(tickets.ActionNote, "bad \xff"), svcIsInvalid("text"), "not UTF-8")

		f.clock.Advance(time.Minute)
		f.act(act(tickets.ActionNote, "  the dashboard export looks odd  "))
		d := f.wantAudit(ref, "ayu", tickets.ActionNote, "", "", "")
		m := d.Messages[len(d.Messages)-1]
		if m.Kind != tickets.MessageNote || m.Channel != tickets.ChannelAgent || m.Author != "ayu" || m.Body != "the dashboard export looks odd" {
			t.Fatalf("note %+v", m)
		}
		if got := svcTemplates(d); !slices.Equal(got, []string{"acknowledgement"}) {
			t.Fatalf("a note queued %v", got)
		}

		f.clock.Advance(time.Minute)
		f.act(act(tickets.ActionReply, "We are checking the numbers."))
		d = f.wantAudit(ref, "ayu", tickets.ActionReply, "", "", "")
		m = d.Messages[len(d.Messages)-1]
		if m.Kind != tickets.MessageOut || m.Author != "ayu" || m.Body != "We are checking the numbers." || d.Status != tickets.StatusInReview {
			t.Fatalf("reply %+v, status %s", m, d.Status)
		}
		if got := svcTemplates(d); !slices.Equal(got, []string{"acknowledgement", "reply"}) {
			t.Fatalf("outbox %v", got)
		}
		if o := d.Outbox[1]; o.Channel != tickets.ChannelEmail || o.Recipient != "ayu@example.com" || o.Data.Text != "We are checking the numbers." ||
			o.Status != tickets.OutboxPending || !o.CreatedAt.Equal(f.clock.Now()) {
			t.Fatalf("reply item %+v", o)
		}

		f.clock.Advance(time.Minute)
		f.act(act(tickets.ActionAsk, "Which video did you promote?"))
		d = f.wantAudit(ref, "ayu", tickets.ActionAsk, tickets.StatusInReview, tickets.StatusNeedsInfo, "Which video did you promote?")
		if d.Status != tickets.StatusNeedsInfo || !d.InfoRequested || d.WaitingSince != nil {
			t.Fatalf("after ask: %s waiting %v", svcSummary(d), d.WaitingSince)
		}
		if got := svcTemplates(d); !slices.Equal(got, []string{"acknowledgement", "reply", "request_info"}) {
			t.Fatalf("outbox %v", got)
		}
		if o := d.Outbox[2]; o.Data.Text != "Which video did you promote?" || o.Data.Status != tickets.StatusNeedsInfo || o.Recipient != "ayu@example.com" {
			t.Fatalf("request_info item %+v", o)
		}
		if m := d.Messages[len(d.Messages)-1]; m.Kind != tickets.MessageOut || m.Body != "Which video did you promote?" {
			t.Fatalf("question message %+v", m)
		}
		// Asking again keeps it waiting on the requester.
		f.act(act(tickets.ActionAsk, "And the date?"))
		f.wantAudit(ref, "ayu", tickets.ActionAsk, "", "", "And the date?")

		t.Run("discord requester", func(t *testing.T) {
			f := f.with(t)
			req := svcRefund(svcActOrder(3), svcAccountA)
			req.Channel, req.Requester = tickets.ChannelDiscord, tickets.Requester{DiscordID: "4242", Email: "also@example.com"}
			ref := f.submit(req).Ticket.Ref
			f.act(tickets.ActionRequest{Ref: ref, Actor: "budi", Action: tickets.ActionReply, Text: "hello"})
			d := f.detail(ref)
			if o := d.Outbox[len(d.Outbox)-1]; o.Template != tickets.TemplateReply || o.Channel != tickets.ChannelDiscord || o.Recipient != "4242" {
				t.Fatalf("reply item %+v", o)
			}
		})

		t.Run("no way to reach the requester", func(t *testing.T) {
			f := f.with(t)
			req := svcRefund(svcActOrder(4), svcAccountA)
			req.Channel, req.Actor, req.Requester = tickets.ChannelAgent, "budi", tickets.Requester{Name: "walk-in"}
			ref := f.submit(req).Ticket.Ref
			for _, a := range []tickets.Action{tickets.ActionReply, tickets.ActionAsk} {
				f.refused(tickets.ActionRequest{Ref: ref, Actor: "budi", Action: a, Text: "hello?"}, svcIsConflict, "conflict: no address")
			}
			f.act(tickets.ActionRequest{Ref: ref, Actor: "budi", Action: tickets.ActionNote, Text: "called them instead"})
			// Approving one still works; only the message is left out.
			f.act(tickets.ActionRequest{Ref: ref, Actor: "budi", Action: tickets.ActionApprove})
			d := f.wantAudit(ref, "budi", tickets.ActionApprove, tickets.StatusInReview, tickets.StatusApproved, "IDR 50,000")
			if len(d.Outbox) != 0 || len(d.Messages) != 2 {
				t.Fatalf("outbox %v, %d messages", svcTemplates(d), len(d.Messages))
			}
		})
	})
}

func TestServiceActApprove(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newSvcActFixture(t, dialect)
		approve := func(ref string, amount *int64, text string) tickets.ActionRequest {
			return tickets.ActionRequest{Ref: ref, Actor: "budi", Action: tickets.ActionApprove, Amount: amount, Text: text}
		}

		t.Run("the computed amount", func(t *testing.T) {
			f := f.with(t)
			ref := f.open(svcActOrder(5))
			f.clock.Advance(time.Minute)
			tk := f.act(approve(ref, nil, ""))
			if tk.Status != tickets.StatusApproved || tk.ApprovedAmount == nil || *tk.ApprovedAmount != 50000 {
				t.Fatalf("approve: %s %v", tk, tk.ApprovedAmount)
			}
			d := f.wantAudit(ref, "budi", tickets.ActionApprove, tickets.StatusInReview, tickets.StatusApproved, "IDR 50,000")
			if d.Status != tickets.StatusApproved || *d.ApprovedAmount != 50000 || d.WaitingSince != nil || !d.StatusChangedAt.Equal(f.clock.Now()) {
				t.Fatalf("stored: %s", svcSummary(d))
			}
			o := svcLastOutbox(t, d)
			if o.Template != tickets.TemplateApproved || o.Recipient != "ayu@example.com" || o.Data.Amount != 50000 || o.Data.Currency != "IDR" || o.Data.Status != tickets.StatusApproved {
				t.Fatalf("approved item %+v", o)
			}
		})

		t.Run("an amount of the agent's", func(t *testing.T) {
			f := f.with(t)
			ref := f.open(svcActOrder(6))
			f.refused(approve(ref, svcPtr[int64](0), ""), svcIsInvalid("amount"), "zero")
			f.refused(approve(ref, svcPtr[int64](-5), ""), svcIsInvalid("amount"), "negative")
			f.refused(approve(ref, svcPtr[int64](100001), ""), svcIsInvalid("amount"), "more than was paid")
			f.act(approve(ref, svcPtr[int64](30000), "partial, as agreed"))
			d := f.wantAudit(ref, "budi", tickets.ActionApprove, tickets.StatusInReview, tickets.StatusApproved, "IDR 30,000: partial, as agreed")
			if *d.ApprovedAmount != 30000 || d.Decision != "partial, as agreed" {
				t.Fatalf("stored: %v %q", *d.ApprovedAmount, d.Decision)
			}
			if o := svcLastOutbox(t, d); o.Template != tickets.TemplateApproved || o.Data.Amount != 30000 || o.Data.Text != "partial, as agreed" {
				t.Fatalf("approved item %+v", o)
			}
		})

		t.Run("never more than what is left", func(t *testing.T) {
			f := f.with(t)
			// What was refunded already is subtracted from the computed
			// refund: 50,000 short − 20,000 refunded.
			ref := f.open(svcActPartial)
			if tk, _ := f.svc.Records.Ticket(f.ctx, ref); tk.Eligibility.Verdict != tickets.VerdictEligible || tk.Eligibility.RefundAmount != 30000 {
				t.Fatalf("computed %s %d, want eligible 30000", tk.Eligibility.Verdict, tk.Eligibility.RefundAmount)
			}
			f.refused(approve(ref, svcPtr[int64](80001), ""), svcIsInvalid("amount"), "more than the 80,000 left")
			f.act(approve(ref, nil, ""))
			if d := f.detail(ref); *d.ApprovedAmount != 30000 {
				t.Fatalf("approved %d", *d.ApprovedAmount)
			}
			// 70,000 refunded covers the 50,000 shortfall: nothing is computed,
			// and an agent's amount is capped by the 30,000 left.
			ref = f.open(svcActMostly)
			if d := f.detail(ref); d.Eligibility.Verdict != tickets.VerdictIneligible || d.Eligibility.RefundAmount != 0 {
				t.Fatalf("computed %s %d", d.Eligibility.Verdict, d.Eligibility.RefundAmount)
			}
			f.refused(approve(ref, svcPtr[int64](30001), ""), svcIsInvalid("amount"), "more than the 30,000 left")
			f.act(approve(ref, svcPtr[int64](30000), ""))
			if d := f.detail(ref); *d.ApprovedAmount != 30000 {
				t.Fatalf("approved %d", *d.ApprovedAmount)
			}
		})

		t.Run("not eligible needs an amount", func(t *testing.T) {
			f := f.with(t)
			ref := f.open(svcActIneligible)
			if d := f.detail(ref); d.Eligibility.Verdict != tickets.VerdictIneligible {
				t.Fatalf("verdict %s", d.Eligibility.Verdict)
			}
			f.refused(approve(ref, nil, ""), svcIsInvalid("amount"), "no computed amount")
			f.act(approve(ref, svcPtr[int64](10000), "goodwill"))
			f.wantAudit(ref, "budi", tickets.ActionApprove, tickets.StatusInReview, tickets.StatusApproved, "IDR 10,000: goodwill")
		})

		t.Run("an order not on record", func(t *testing.T) {
			f := f.with(t)
			ref := f.open(svcActUnknown)
			f.refused(approve(ref, svcPtr[int64](1000), ""), svcIsConflict, "conflict: import the record first")
			f.refused(approve(ref, nil, ""), svcIsConflict, "conflict: import the record first")
		})

		t.Run("a revocation is forwarded", func(t *testing.T) {
			f := f.with(t)
			f.importAuths("@rev_ok,account,2026-06-01T00:00:00Z,")
			ref := f.submit(tickets.SubmitRequest{Kind: tickets.KindRevocation, Channel: tickets.ChannelEmail,
				Requester: tickets.Requester{Email: "rev@example.com"}, Account: "@rev_ok", Details: "please remove my authorization"}).Ticket.Ref
			if d := f.detail(ref); d.Status != tickets.StatusInReview || d.Eligibility.Verdict != tickets.VerdictEligible {
				t.Fatalf("revocation: %s", svcSummary(d))
			}
			f.clock.Advance(time.Minute)
			f.act(approve(ref, nil, ""))
			d := f.wantAudit(ref, "budi", tickets.ActionApprove, tickets.StatusInReview, tickets.StatusWaitingPlatform, "")
			if d.Status != tickets.StatusWaitingPlatform || d.ApprovedAmount != nil {
				t.Fatalf("after approve: %s", svcSummary(d))
			}
			if o := svcLastOutbox(t, d); o.Template != tickets.TemplateRevocationForwarded || o.Recipient != "rev@example.com" || o.Data.Status != tickets.StatusWaitingPlatform {
				t.Fatalf("forwarded item %+v", o)
			}
			f.refused(approve(ref, nil, ""), svcIsConflict, "conflict: already forwarded")
			f.clock.Advance(72 * time.Hour)
			f.act(tickets.ActionRequest{Ref: ref, Actor: "citra", Action: tickets.ActionResolve, Text: "platform confirmed"})
			d = f.wantAudit(ref, "citra", tickets.ActionResolve, tickets.StatusWaitingPlatform, tickets.StatusResolved, "platform confirmed")
			if got := svcTemplates(d); !slices.Equal(got, []string{"acknowledgement", "revocation_forwarded", "revocation_done"}) {
				t.Fatalf("outbox %v", got)
			}
			if o := svcLastOutbox(t, d); o.Data.Text != "platform confirmed" || o.Data.Status != tickets.StatusResolved {
				t.Fatalf("done item %+v", o)
			}
		})
	})
}

func TestServiceActDenyForwardResolveCloseReopen(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newSvcActFixture(t, dialect)
		ref := f.open(svcActOrder(7))
		do := func(actor string, action tickets.Action, text string) {
			t.Helper()
			f.clock.Advance(time.Minute)
			f.act(tickets.ActionRequest{Ref: ref, Actor: actor, Action: action, Text: text})
		}
		outbox := func() []string { return svcTemplates(f.detail(ref)) }

		f.refused(tickets.ActionRequest{Ref: ref, Actor: "ayu", Action: tickets.ActionDeny, Text: "  "}, svcIsInvalid("reason"), "deny needs a reason")
		do("ayu", tickets.ActionDeny, "The promotion delivered what it promised.")
		d := f.wantAudit(ref, "ayu", tickets.ActionDeny, tickets.StatusInReview, tickets.StatusDenied, "The promotion delivered what it promised.")
		if d.Decision != "The promotion delivered what it promised." || d.ApprovedAmount != nil || d.WaitingSince != nil {
			t.Fatalf("denied: %s decision %q", svcSummary(d), d.Decision)
		}
		if o := d.Outbox[len(d.Outbox)-1]; o.Template != tickets.TemplateDenied || o.Data.Text != d.Decision || o.Recipient != "ayu@example.com" {
			t.Fatalf("denied item %+v", o)
		}

		do("budi", tickets.ActionReopen, "second look")
		d = f.wantAudit(ref, "budi", tickets.ActionReopen, tickets.StatusDenied, tickets.StatusInReview, "second look")
		if !d.HasFlag(tickets.FlagReopened) || d.WaitingSince == nil || !d.WaitingSince.Equal(f.clock.Now()) {
			t.Fatalf("reopened: %s waiting %v", svcSummary(d), d.WaitingSince)
		}

		do("budi", tickets.ActionForward, "asking the ads team")
		f.wantAudit(ref, "budi", tickets.ActionForward, tickets.StatusInReview, tickets.StatusWaitingPlatform, "asking the ads team")
		if got := outbox(); !slices.Equal(got, []string{"acknowledgement", "denied"}) {
			t.Fatalf("forwarding a refund queued %v", got)
		}
		f.refused(tickets.ActionRequest{Ref: ref, Actor: "budi", Action: tickets.ActionResolve}, svcIsConflict, "conflict: approve or deny first")

		do("citra", tickets.ActionApprove, "")
		f.wantAudit(ref, "citra", tickets.ActionApprove, tickets.StatusWaitingPlatform, tickets.StatusApproved, "IDR 50,000")

		do("citra", tickets.ActionResolve, "paid out")
		d = f.wantAudit(ref, "citra", tickets.ActionResolve, tickets.StatusApproved, tickets.StatusResolved, "paid out")
		if *d.ApprovedAmount != 50000 {
			t.Fatalf("resolved with %v", d.ApprovedAmount)
		}
		if got := outbox(); !slices.Equal(got, []string{"acknowledgement", "denied", "approved"}) {
			t.Fatalf("outbox %v", got)
		}

		do("ayu", tickets.ActionClose, "")
		d = f.wantAudit(ref, "ayu", tickets.ActionClose, tickets.StatusResolved, tickets.StatusClosed, "")
		if d.Status != tickets.StatusClosed || d.InfoRequested || d.WaitingSince != nil {
			t.Fatalf("closed: %s", svcSummary(d))
		}
		// A note is still allowed on a closed ticket.
		do("ayu", tickets.ActionNote, "for the record")
		f.wantAudit(ref, "ayu", tickets.ActionNote, "", "", "")

		do("ayu", tickets.ActionReopen, "")
		d = f.wantAudit(ref, "ayu", tickets.ActionReopen, tickets.StatusClosed, tickets.StatusInReview, "")
		if d.Status != tickets.StatusInReview {
			t.Fatalf("reopened: %s", svcSummary(d))
		}

		t.Run("closing a ticket waiting on the requester", func(t *testing.T) {
			f := f.with(t)
			ref := f.open(svcActOrder(8))
			f.act(tickets.ActionRequest{Ref: ref, Actor: "ayu", Action: tickets.ActionAsk, Text: "which video?"})
			f.act(tickets.ActionRequest{Ref: ref, Actor: "ayu", Action: tickets.ActionClose})
			if d := f.detail(ref); d.Status != tickets.StatusClosed || d.InfoRequested {
				t.Fatalf("closed: %s", svcSummary(d))
			}
		})

		t.Run("forwarding a revocation tells the requester", func(t *testing.T) {
			f := f.with(t)
			ref := f.submit(tickets.SubmitRequest{Kind: tickets.KindRevocation, Channel: tickets.ChannelDiscord,
				Requester: tickets.Requester{DiscordID: "777"}, Account: "@not_on_record"}).Ticket.Ref
			f.act(tickets.ActionRequest{Ref: ref, Actor: "ayu", Action: tickets.ActionForward})
			d := f.wantAudit(ref, "ayu", tickets.ActionForward, tickets.StatusInReview, tickets.StatusWaitingPlatform, "")
			if got := svcTemplates(d); !slices.Equal(got, []string{"acknowledgement", "revocation_forwarded"}) || d.Outbox[1].Recipient != "777" {
				t.Fatalf("outbox %+v", d.Outbox)
			}
		})
	})
}

func TestServiceActRefusedTransitions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newSvcActFixture(t, dialect)
		cases := []struct {
			setup  []tickets.Action
			action tickets.Action
		}{
			{nil, tickets.ActionResolve},
			{nil, tickets.ActionReopen},
			{[]tickets.Action{tickets.ActionApprove}, tickets.ActionAsk},
			{[]tickets.Action{tickets.ActionApprove}, tickets.ActionForward},
			{[]tickets.Action{tickets.ActionApprove}, tickets.ActionApprove},
			{[]tickets.Action{tickets.ActionApprove}, tickets.ActionDeny},
			{[]tickets.Action{tickets.ActionApprove}, tickets.ActionReopen},
			{[]tickets.Action{tickets.ActionDeny}, tickets.ActionApprove},
			{[]tickets.Action{tickets.ActionDeny}, tickets.ActionResolve},
			{[]tickets.Action{tickets.ActionApprove, tickets.ActionResolve}, tickets.ActionDeny},
			{[]tickets.Action{tickets.ActionApprove, tickets.ActionResolve}, tickets.ActionAssign},
			{[]tickets.Action{tickets.ActionApprove, tickets.ActionResolve}, tickets.ActionResolve},
			{[]tickets.Action{tickets.ActionClose}, tickets.ActionClose},
			{[]tickets.Action{tickets.ActionClose}, tickets.ActionClaim},
			{[]tickets.Action{tickets.ActionClose}, tickets.ActionReply},
			{[]tickets.Action{tickets.ActionClose}, tickets.ActionAsk},
			{[]tickets.Action{tickets.ActionClose}, tickets.ActionApprove},
			{[]tickets.Action{tickets.ActionForward}, tickets.ActionForward},
			{[]tickets.Action{tickets.ActionForward}, tickets.ActionAsk},
		}
		for i, c := range cases {
			ref := f.open(svcActOrder(10 + i))
			for _, a := range c.setup {
				f.act(tickets.ActionRequest{Ref: ref, Actor: "ayu", Action: a, Text: "setting up", Assignee: "budi"})
			}
			f.refused(tickets.ActionRequest{Ref: ref, Actor: "budi", Action: c.action, Text: "try", Assignee: "citra"}, svcIsConflict,
				fmt.Sprintf("conflict: %s after %v", c.action, c.setup))
		}
	})
}

func TestServiceActReopenWhileAnotherIsOpen(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newSvcActFixture(t, dialect)
		old := f.open(svcActOrder(9))
		f.act(tickets.ActionRequest{Ref: old, Actor: "ayu", Action: tickets.ActionClose})
		newer := f.open(svcActOrder(9))
		if newer == old {
			t.Fatal("the closed ticket was joined")
		}
		before := f.detail(newer)
		// Two open tickets for one order cannot be: reopening the old one is a conflict.
		f.refused(tickets.ActionRequest{Ref: old, Actor: "ayu", Action: tickets.ActionReopen}, svcIsConflict, "conflict: another ticket is open")
		_, err := f.svc.Intake.RequesterReply(f.ctx, tickets.RequesterUpdate{Ref: old, Requester: tickets.Requester{Email: "ayu@example.com"},
			Channel: tickets.ChannelEmail, Text: "any news?"})
		if !errors.Is(err, tickets.ErrConflict) {
			t.Fatalf("reply to the closed one: %v", err)
		}
		svcSameDetail(t, before, f.detail(newer))
		if d := f.detail(old); d.Status != tickets.StatusClosed || len(d.Messages) != 1 {
			t.Fatalf("old: %s", svcSummary(d))
		}
	})
}

func TestServiceReevaluateOnEvidence(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newSvcActFixture(t, dialect)
		req := svcRefund(svcActOrder(30), svcAccountA)
		req.Evidence = nil
		ref := f.submit(req).Ticket.Ref
		if d := f.detail(ref); d.Status != tickets.StatusNeedsInfo || d.Eligibility.Verdict != tickets.VerdictNeedsInfo {
			t.Fatalf("before: %s", svcSummary(d))
		}
		if _, err := f.svc.Desk.AddEvidence(f.ctx, ref, "citra", nil); !slices.Equal(svcFields(err), []string{"evidence"}) {
			t.Fatalf("no files: %v", err)
		}
		if _, err := f.svc.Desk.AddEvidence(f.ctx, ref, "citra", []tickets.File{{Name: "a.zip", Data: []byte("PK\x03\x04zzzz")}}); !slices.Equal(svcFields(err), []string{"evidence a.zip"}) {
			t.Fatalf("zip: %v", err)
		}
		if _, err := f.svc.Desk.AddEvidence(f.ctx, ref, "eve", []tickets.File{svcPNG("s.png", "s")}); !errors.Is(err, tickets.ErrForbidden) {
			t.Fatalf("not an agent: %v", err)
		}
		if d := f.detail(ref); len(d.Evidence) != 0 {
			t.Fatalf("refused files were kept: %+v", d.Evidence)
		}

		f.clock.Advance(time.Hour)
		tk, err := f.svc.Desk.AddEvidence(f.ctx, ref, "citra", []tickets.File{svcPNG("from-chat.png", "chat")})
		if err != nil {
			t.Fatal(err)
		}
		if tk.Status != tickets.StatusInReview || tk.Eligibility.Verdict != tickets.VerdictEligible || tk.Eligibility.RefundAmount != 50000 {
			t.Fatalf("after evidence: %s verdict %s", tk, tk.Eligibility.Verdict)
		}
		d := f.detail(ref)
		if d.Status != tickets.StatusInReview || len(d.Evidence) != 1 || !d.Eligibility.EvaluatedAt.Equal(f.clock.Now()) || d.WaitingSince == nil {
			t.Fatalf("stored: %s", svcSummary(d))
		}
		tail := d.Audit[len(d.Audit)-3:]
		if tail[0].Action != "evidence" || tail[0].Actor != "citra" || !strings.HasPrefix(auditText(t, tail[0]), "from-chat.png (image/png") {
			t.Fatalf("evidence entry %+v", tail[0])
		}
		if tail[1].Action != "evaluated" || tail[1].Actor != "citra" || !strings.HasPrefix(auditText(t, tail[1]), "verdict needs_info → eligible") {
			t.Fatalf("evaluated entry %+v", tail[1])
		}
		if tail[2].Action != "status" || tail[2].FromStatus != tickets.StatusNeedsInfo || tail[2].ToStatus != tickets.StatusInReview {
			t.Fatalf("status entry %+v", tail[2])
		}
		// The same bytes again change nothing.
		f.clock.Advance(time.Hour)
		if _, err := f.svc.Desk.AddEvidence(f.ctx, ref, "citra", []tickets.File{svcPNG("renamed.png", "chat")}); err != nil {
			t.Fatal(err)
		}
		svcSameDetail(t, d, f.detail(ref))

		// A question to the requester keeps waiting for their answer.
		ref2 := f.submit(func() tickets.SubmitRequest { r := svcRefund(svcActOrder(31), svcAccountA); r.Evidence = nil; return r }()).Ticket.Ref
		f.act(tickets.ActionRequest{Ref: ref2, Actor: "ayu", Action: tickets.ActionAsk, Text: "send the screenshot please"})
		tk, err = f.svc.Desk.AddEvidence(f.ctx, ref2, "ayu", []tickets.File{svcPNG("x.png", "x")})
		if err != nil || tk.Status != tickets.StatusNeedsInfo || tk.Eligibility.Verdict != tickets.VerdictEligible {
			t.Fatalf("after evidence: %v %s %s", err, tk, tk.Eligibility.Verdict)
		}

		f.act(tickets.ActionRequest{Ref: ref, Actor: "ayu", Action: tickets.ActionClose})
		if _, err := f.svc.Desk.AddEvidence(f.ctx, ref, "citra", []tickets.File{svcPNG("late.png", "late")}); !errors.Is(err, tickets.ErrConflict) {
			t.Fatalf("closed: %v", err)
		}
	})
}

func TestServiceReevaluateOnEdit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newSvcActFixture(t, dialect)
		ref := f.open(svcActOrder(32))
		edit := func(actor string, fl tickets.Fields) (*tickets.Ticket, error) {
			f.clock.Advance(time.Minute)
			return f.svc.Desk.Edit(f.ctx, ref, actor, fl)
		}
		mustEdit := func(fl tickets.Fields) *tickets.TicketDetail {
			t.Helper()
			if _, err := edit("budi", fl); err != nil {
				t.Fatal(err)
			}
			return f.detail(ref)
		}

		d := mustEdit(tickets.Fields{Reason: svcPtr("changed_mind")})
		if d.Reason != tickets.ReasonChangedMind || d.Eligibility.Verdict != tickets.VerdictIneligible || d.Eligibility.RefundAmount != 0 || d.Status != tickets.StatusInReview {
			t.Fatalf("reason changed: %s", svcSummary(d))
		}
		tail := d.Audit[len(d.Audit)-2:]
		if tail[0].Action != "edit" || tail[0].Actor != "budi" || auditText(t, tail[0]) != "reason under_delivery → changed_mind" ||
			tail[1].Action != "evaluated" || !strings.HasPrefix(auditText(t, tail[1]), "verdict eligible → ineligible (non_refundable)") {
			t.Fatalf("audit %+v", tail)
		}

		d = mustEdit(tickets.Fields{Reason: svcPtr("under_delivery"), Account: svcPtr("someone_else")})
		if d.Account != "@someone_else" || d.Eligibility.Verdict != tickets.VerdictNeedsReview || !d.HasFlag(tickets.FlagAccountMismatch) {
			t.Fatalf("account changed: %s", svcSummary(d))
		}
		d = mustEdit(tickets.Fields{Account: svcPtr("@AYU_SHOP")})
		if d.Eligibility.Verdict != tickets.VerdictEligible || d.HasFlag(tickets.FlagAccountMismatch) || d.Eligibility.RefundAmount != 50000 {
			t.Fatalf("account fixed: %s", svcSummary(d))
		}

		d = mustEdit(tickets.Fields{Order: svcPtr(svcActShort)})
		if d.Order != svcActShort || d.Eligibility.Verdict != tickets.VerdictEligible || d.Eligibility.RefundAmount != 80000 ||
			d.Promotion == nil || d.Promotion.OrderNumber != svcActShort {
			t.Fatalf("order changed: %s amount %d", svcSummary(d), d.Eligibility.RefundAmount)
		}
		d = mustEdit(tickets.Fields{Order: svcPtr(svcActUnknown)})
		if d.Eligibility.Verdict != tickets.VerdictNeedsInfo || d.Status != tickets.StatusInReview {
			t.Fatalf("unknown order: %s", svcSummary(d))
		}
		d = mustEdit(tickets.Fields{Language: svcPtr("Indonesian"), Order: svcPtr(svcActOrder(32))})
		if d.Language != "id" || d.Eligibility.Verdict != tickets.VerdictEligible ||
			!strings.HasPrefix(words(t).Rule(d.Eligibility.Rules[len(d.Eligibility.Rules)-1], d.Language), "Jangkauan") {
			t.Fatalf("language: %s", svcSummary(d))
		}

		// Nothing to change, the same values, bad values, other agents.
		if _, err := edit("budi", tickets.Fields{}); !slices.Equal(svcFields(err), []string{"fields"}) {
			t.Fatalf("no fields: %v", err)
		}
		if _, err := edit("budi", tickets.Fields{Order: svcPtr("12x"), Reason: svcPtr("bogus")}); !slices.Equal(svcFields(err), []string{"order", "reason"}) {
			t.Fatalf("bad fields: %v", err)
		}
		if _, err := edit("eve", tickets.Fields{Reason: svcPtr("other")}); !errors.Is(err, tickets.ErrForbidden) {
			t.Fatalf("not an agent: %v", err)
		}
		if _, err := edit("budi", tickets.Fields{Order: svcPtr(svcActOrder(32)), Account: svcPtr("@AYU_SHOP")}); err != nil {
			t.Fatal(err)
		}
		svcSameDetail(t, d, f.detail(ref))

		// An order with its own open ticket is refused.
		other := f.open(svcActOrder(33))
		if _, err := edit("budi", tickets.Fields{Order: svcPtr(svcActOrder(33))}); !errors.Is(err, tickets.ErrConflict) {
			t.Fatalf("order of %s: %v", other, err)
		}
		svcSameDetail(t, d, f.detail(ref))

		// A needs_info ticket whose order gets fixed goes to the agents.
		req := svcRefund(svcActUnknown, svcAccountA)
		req.Requester.Email = "typo@example.com"
		typo := f.submit(req).Ticket.Ref
		if tk, _ := f.svc.Records.Ticket(f.ctx, typo); tk.Status != tickets.StatusNeedsInfo {
			t.Fatalf("typo: %s", tk)
		}
		tk, err := f.svc.Desk.Edit(f.ctx, typo, "ayu", tickets.Fields{Order: svcPtr(svcActOrder(34))})
		if err != nil || tk.Status != tickets.StatusInReview || tk.Eligibility.Verdict != tickets.VerdictEligible {
			t.Fatalf("order fixed: %v %s", err, tk)
		}

		f.act(tickets.ActionRequest{Ref: ref, Actor: "ayu", Action: tickets.ActionClose})
		before := f.detail(ref)
		if _, err := edit("budi", tickets.Fields{Reason: svcPtr("other")}); !errors.Is(err, tickets.ErrConflict) {
			t.Fatalf("closed: %v", err)
		}
		svcSameDetail(t, before, f.detail(ref))
	})
}

func TestServiceActConcurrent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		agents := []string{"a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8"}
		f := newSvcFixture(t, dialect, tickets.Options{Agents: agents})
		f.importPromos(svcPromotion(svcOrderA, svcAccountA, 5000))
		ref := f.open(svcOrderA)

		race := func(action tickets.Action) (winners []string) {
			t.Helper()
			errs := make([]error, len(agents))
			done := make(chan struct{})
			for i, a := range agents {
				go func() {
					defer func() { done <- struct{}{} }()
					_, errs[i] = f.svc.Desk.Act(f.ctx, tickets.ActionRequest{Ref: ref, Actor: a, Action: action})
				}()
			}
			for range agents {
				<-done
			}
			for i, err := range errs {
				switch {
				case err == nil:
					winners = append(winners, agents[i])
				case !errors.Is(err, tickets.ErrConflict):
					t.Fatalf("%s by %s: %v", action, agents[i], err)
				}
			}
			return winners
		}

		// Eight agents claim at once: one gets it, the others are told it is taken.
		winners := race(tickets.ActionClaim)
		d := f.detail(ref)
		if len(winners) != 1 || d.Assignee != winners[0] {
			t.Fatalf("claim winners %v, assignee %q", winners, d.Assignee)
		}
		if n := strings.Count(strings.Join(svcAuditActions(d), " "), "claim"); n != 1 {
			t.Fatalf("%d claim entries", n)
		}
		// Eight agents approve at once: one approval, one message.
		winners = race(tickets.ActionApprove)
		d = f.detail(ref)
		if len(winners) != 1 || d.Status != tickets.StatusApproved {
			t.Fatalf("approve winners %v, status %s", winners, d.Status)
		}
		if got := svcTemplates(d); !slices.Equal(got, []string{"acknowledgement", "approved"}) {
			t.Fatalf("outbox %v", got)
		}
		if a := svcLastAudit(t, d); a.Actor != winners[0] || a.Action != "approve" {
			t.Fatalf("last audit %+v", a)
		}
	})
}

func TestServiceEditRevocationAccountTaken(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newSvcFixture(t, dialect, tickets.Options{})
		rev := func(account string) string {
			return f.submit(tickets.SubmitRequest{Kind: tickets.KindRevocation, Channel: tickets.ChannelEmail,
				Requester: tickets.Requester{Email: "rev@example.com"}, Account: account}).Ticket.Ref
		}
		one, two := rev("@one"), rev("@two")
		before := f.detail(two)
		_, editErr := f.svc.Desk.Edit(f.ctx, two, "ayu", tickets.Fields{Account: svcPtr("@ONE")})
		_, replyErr := f.svc.Intake.RequesterReply(f.ctx, tickets.RequesterUpdate{Ref: two, Requester: tickets.Requester{Email: "rev@example.com"},
			Channel: tickets.ChannelEmail, Account: "one"})
		for what, err := range map[string]error{"edit": editErr, "reply": replyErr} {
			if !errors.Is(err, tickets.ErrConflict) {
				t.Fatalf("%s: %v, want a conflict", what, err)
			}
		}
		svcSameDetail(t, before, f.detail(two))
		// Like an order with an open ticket, the answer names the other ticket.
		for what, err := range map[string]error{"edit": editErr, "reply": replyErr} {
			if !strings.Contains(err.Error(), one) || strings.Contains(err.Error(), "concurrent") {
				t.Fatalf("%s of a revocation onto an account with an open revocation fails as a retried uniqueness race: %q", what, err)
			}
		}
	})
}
