package tickets_test

import (
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"refunddesk/internal/storetest"
	"refunddesk/tickets"
)

func TestServiceSubmitValidation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newSvcFixture(t, dialect, tickets.Options{Limits: tickets.Limits{MaxEvidenceBytes: 1024, MaxEvidenceFiles: 3, MaxDetailsBytes: 200}})
		f.importPromos(svcPromotion(svcOrderA, svcAccountA, 5000))
		good := func() tickets.SubmitRequest {
			r := svcRefund(svcOrderA, svcAccountA)
			r.IdempotencyKey = "key-of-a-refused-request"
			return r
		}
		big := svcPNG("big.png", strings.Repeat("x", 2000))
		cases := []struct {
			name   string
			change func(r *tickets.SubmitRequest)
			fields []string
		}{
			{"bad order", func(r *tickets.SubmitRequest) { r.Order = "7301-12ab" }, []string{"order"}},
			{"order too long", func(r *tickets.SubmitRequest) { r.Order = strings.Repeat("7", 33) }, []string{"order"}},
			{"bad account", func(r *tickets.SubmitRequest) { r.Account = "@ayu shop" }, []string{"account"}},
			{"unknown reason", func(r *tickets.SubmitRequest) { r.Reason = "refund_please" }, []string{"reason"}},
			{"no kind", func(r *tickets.SubmitRequest) { r.Kind = "" }, []string{"kind"}},
			{"unknown kind", func(r *tickets.SubmitRequest) { r.Kind = "complaint" }, []string{"kind"}},
			{"unknown channel", func(r *tickets.SubmitRequest) { r.Channel = "fax" }, []string{"channel"}},
			{"bad email", func(r *tickets.SubmitRequest) { r.Requester.Email = "ayu at example dot com" }, []string{"email"}},
			{"email channel without an address", func(r *tickets.SubmitRequest) { r.Requester = tickets.Requester{DiscordID: "4242"} }, []string{"email"}},
			{"discord channel without an id", func(r *tickets.SubmitRequest) {
				r.Channel = tickets.ChannelDiscord
				r.Requester = tickets.Requester{Name: "ayu"}
			}, []string{"discord_id"}},
			{"agent channel without the agent", func(r *tickets.SubmitRequest) {
				r.Channel = tickets.ChannelAgent
				r.Requester = tickets.Requester{}
				r.Actor = "  "
			}, []string{"agent"}},
			{"oversized details", func(r *tickets.SubmitRequest) { r.Details = strings.Repeat("a", 201) }, []string{"details"}},
			{"details not UTF-8", func(r *tickets.SubmitRequest) { r.Details = "bad \xff bytes" }, []string{"details"}},
			{"unknown language", func(r *tickets.SubmitRequest) { r.Language = "fr" }, []string{"language"}},
			{"unknown flag", func(r *tickets.SubmitRequest) { r.Flags = []string{"vip"} }, []string{"flags"}},
			{"key too long", func(r *tickets.SubmitRequest) { r.IdempotencyKey = strings.Repeat("k", 513) }, []string{"key"}},
			{"every bad field named", func(r *tickets.SubmitRequest) {
				r.Order = "abc"
				r.Account = "a b"
				r.Reason = "nope"
			}, []string{"account", "order", "reason"}},
			{"too many files", func(r *tickets.SubmitRequest) {
				r.Evidence = []tickets.File{svcPNG("1.png", "1"), svcPNG("2.png", "2"), svcPNG("3.png", "3"), svcPNG("4.png", "4")}
			}, []string{"evidence"}},
			{"too big a file", func(r *tickets.SubmitRequest) { r.Evidence = []tickets.File{svcPNG("ok.png", "ok"), big} }, []string{"evidence big.png"}},
			{"not an evidence type", func(r *tickets.SubmitRequest) {
				r.Evidence = []tickets.File{{Name: "dir/archive.zip", Data: []byte("PK\x03\x04\x14\x00\x00\x00\x08\x00payload")}}
			}, []string{"evidence archive.zip"}},
			{"binary that is not an image", func(r *tickets.SubmitRequest) {
				r.Evidence = []tickets.File{{Name: "blob.bin", Data: []byte{0x00, 0x01, 0x02, 0xfe, 0xff}}}
			}, []string{"evidence blob.bin"}},
			{"empty file", func(r *tickets.SubmitRequest) { r.Evidence = []tickets.File{{Name: "empty.png"}} }, []string{"evidence empty.png"}},
		}
		empty := f.rowCounts()
		for _, c := range cases {
			req := good()
			c.change(&req)
			res, err := f.svc.Intake.Submit(f.ctx, req)
			if res != nil {
				t.Errorf("%s: got a result %+v with the error", c.name, res)
			}
			if err == nil {
				t.Fatalf("%s: accepted", c.name)
			}
			if !tickets.IsValidation(err) {
				t.Fatalf("%s: %v is not a validation error", c.name, err)
			}
			if got := svcFields(err); !slices.Equal(got, c.fields) {
				t.Errorf("%s: error %q names %q, want %q", c.name, err, got, c.fields)
			}
			if got := f.rowCounts(); !maps.Equal(got, empty) {
				t.Fatalf("%s: something was written: %v", c.name, got)
			}
		}
		// The refusals did not use up the idempotency key; the same files
		// twice count once.
		req := good()
		req.Evidence = []tickets.File{svcPNG("a.png", "same"), svcPNG("b.png", "same"), svcPNG("c.png", "c"), svcPNG("d.png", "d")}
		res := f.submit(req)
		if res.Outcome != tickets.OutcomeCreated {
			t.Fatalf("valid request after refusals: outcome %s", res.Outcome)
		}
		if len(res.Ticket.Evidence) != 3 {
			t.Fatalf("evidence %d files, want 3 (two were the same bytes)", len(res.Ticket.Evidence))
		}
	})
}

func TestServiceSubmitCreates(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newSvcFixture(t, dialect, tickets.Options{})
		f.importPromos(svcPromotion(svcOrderA, svcAccountA, 5000), svcPromotion(svcOrderB, svcAccountB, 9000))

		t.Run("eligible email request waits on agents", func(t *testing.T) {
			f := f.with(t)
			req := svcRefund(svcOrderA, "AYU_SHOP")
			req.Requester = tickets.Requester{Email: "Ayu Lestari <Ayu@Example.com>"}
			req.Order = "7301 0000-0000 0000 011"
			req.Reason = " Under_Delivery "
			req.ExternalID = "<m1@example.com>"
			res := f.submit(req)
			tk := res.Ticket
			if res.Outcome != tickets.OutcomeCreated || !regexp.MustCompile(`^RD-[1-9][0-9]*$`).MatchString(tk.Ref) {
				t.Fatalf("outcome %s ref %q", res.Outcome, tk.Ref)
			}
			d := f.detail(tk.Ref)
			if d.Status != tickets.StatusInReview || d.Kind != tickets.KindRefund || d.Channel != tickets.ChannelEmail {
				t.Fatalf("ticket %s", svcSummary(d))
			}
			if d.Account != "@AYU_SHOP" || d.Order != svcOrderA || d.Reason != tickets.ReasonUnderDelivery || d.Language != "en" {
				t.Fatalf("fields: account %q order %q reason %q language %q", d.Account, d.Order, d.Reason, d.Language)
			}
			if d.Requester != (tickets.Requester{Email: "Ayu@Example.com", Name: "Ayu Lestari"}) {
				t.Fatalf("requester %+v", d.Requester)
			}
			el := d.Eligibility
			if el.Verdict != tickets.VerdictEligible || el.RefundAmount != 50000 || el.Currency != "IDR" || !el.EvaluatedAt.Equal(svcStart) {
				t.Fatalf("eligibility %+v", el)
			}
			if step, _ := el.Deciding(); step.Rule != tickets.RuleUnderDelivery {
				t.Fatalf("deciding rule %q", step.Rule)
			}
			if d.WaitingSince == nil || !d.WaitingSince.Equal(svcStart) || !d.CreatedAt.Equal(svcStart) {
				t.Fatalf("waiting since %v, created %v", d.WaitingSince, d.CreatedAt)
			}
			if len(d.Evidence) != 1 || d.Evidence[0].ContentType != "image/png" || d.Evidence[0].Name != "results.png" {
				t.Fatalf("evidence %+v", d.Evidence)
			}
			if len(d.Messages) != 1 {
				t.Fatalf("messages %+v", d.Messages)
			}
			m := d.Messages[0]
			if m.Kind != tickets.MessageIn || m.Channel != tickets.ChannelEmail || m.Author != "Ayu@Example.com" ||
				m.Body != req.Details || m.ExternalID != "<m1@example.com>" {
				t.Fatalf("message %+v", m)
			}
			if got := svcAuditActions(d); !slices.Equal(got, []string{"created", "evaluated", "status"}) {
				t.Fatalf("audit %v", got)
			}
			if a := d.Audit[0]; a.Actor != "Ayu@Example.com" || a.ToStatus != tickets.StatusNew {
				t.Fatalf("created entry %+v", a)
			}
			if a := d.Audit[2]; a.Actor != tickets.ActorSystem || a.FromStatus != tickets.StatusNew || a.ToStatus != tickets.StatusInReview {
				t.Fatalf("status entry %+v", a)
			}
			if len(d.Outbox) != 1 {
				t.Fatalf("outbox %v", svcTemplates(d))
			}
			o := d.Outbox[0]
			if o.Template != tickets.TemplateAcknowledgement || o.Channel != tickets.ChannelEmail || o.Recipient != "Ayu@Example.com" ||
				o.Status != tickets.OutboxPending || o.TicketRef != tk.Ref || o.Language != "en" || o.Attempts != 0 {
				t.Fatalf("outbox item %+v", o)
			}
			if o.Data.Ref != tk.Ref || o.Data.Verdict != tickets.VerdictEligible || o.Data.Amount != 50000 || o.Data.Currency != "IDR" ||
				o.Data.Status != tickets.StatusInReview || len(o.Data.Missing) != 0 || o.Data.Joined {
				t.Fatalf("outbox data %+v", o.Data)
			}
		})

		t.Run("unknown order from discord needs info", func(t *testing.T) {
			f := f.with(t)
			req := svcRefund(svcOrderC, svcAccountA)
			req.Channel = tickets.ChannelDiscord
			req.Requester = tickets.Requester{DiscordID: "4242", Name: "ayu#1"}
			req.Details = "saya belum menerima dana, mohon bantu"
			d := f.detail(f.submit(req).Ticket.Ref)
			if d.Status != tickets.StatusNeedsInfo || d.Eligibility.Verdict != tickets.VerdictNeedsInfo || d.WaitingSince != nil {
				t.Fatalf("ticket %s", svcSummary(d))
			}
			if step, _ := d.Eligibility.Deciding(); step.Rule != tickets.RuleOrderOnRecord {
				t.Fatalf("deciding rule %q", step.Rule)
			}
			if d.Language != "id" {
				t.Fatalf("language %q, want id", d.Language)
			}
			if got := svcAuditActions(d); !slices.Equal(got, []string{"created", "evaluated", "status"}) || d.Audit[2].ToStatus != tickets.StatusNeedsInfo {
				t.Fatalf("audit %+v", d.Audit)
			}
			if d.Audit[0].Actor != "ayu#1" {
				t.Fatalf("created by %q", d.Audit[0].Actor)
			}
			if len(d.Outbox) != 1 {
				t.Fatalf("outbox %v", svcTemplates(d))
			}
			o := d.Outbox[0]
			if o.Template != tickets.TemplateAcknowledgement || o.Channel != tickets.ChannelDiscord || o.Recipient != "4242" || o.Language != "id" {
				t.Fatalf("outbox item %+v", o)
			}
			if !slices.Equal(o.Data.Missing, []string{"order_unknown"}) {
				t.Fatalf("missing %v", o.Data.Missing)
			}
		})

		t.Run("ineligible request still waits on agents", func(t *testing.T) {
			f := f.with(t)
			d := f.detail(f.submit(svcRefund(svcOrderB, svcAccountB)).Ticket.Ref)
			if d.Status != tickets.StatusInReview || d.Eligibility.Verdict != tickets.VerdictIneligible || d.Eligibility.RefundAmount != 0 {
				t.Fatalf("ticket %s", svcSummary(d))
			}
		})

		t.Run("missing fields needs info and lists them", func(t *testing.T) {
			f := f.with(t)
			req := svcRefund("", "")
			req.Reason = ""
			req.Evidence = nil
			req.Requester = tickets.Requester{Email: "no-order@example.com"}
			d := f.detail(f.submit(req).Ticket.Ref)
			if d.Status != tickets.StatusNeedsInfo || d.Eligibility.Verdict != tickets.VerdictNeedsInfo {
				t.Fatalf("ticket %s", svcSummary(d))
			}
			if got := d.Outbox[0].Data.Missing; !slices.Equal(got, []string{"order", "account", "reason"}) {
				t.Fatalf("missing %v", got)
			}
		})

		t.Run("agent-filed ticket without an address gets no acknowledgement", func(t *testing.T) {
			f := f.with(t)
			req := svcRefund("7301000000000000044", "@walkin")
			req.Channel = tickets.ChannelAgent
			req.Actor = "budi"
			req.Requester = tickets.Requester{Name: "walk-in customer"}
			d := f.detail(f.submit(req).Ticket.Ref)
			if len(d.Outbox) != 0 {
				t.Fatalf("outbox %+v", d.Outbox)
			}
			if d.Channel != tickets.ChannelAgent || d.Audit[0].Actor != "budi" || d.Messages[0].Author != "budi" {
				t.Fatalf("channel %s, created by %q, message by %q", d.Channel, d.Audit[0].Actor, d.Messages[0].Author)
			}
		})

		t.Run("agent-filed ticket with an address is acknowledged by mail", func(t *testing.T) {
			f := f.with(t)
			req := svcRefund("7301000000000000055", "@phoned")
			req.Channel = tickets.ChannelAgent
			req.Actor = "budi"
			req.Requester = tickets.Requester{Email: "caller@example.com"}
			d := f.detail(f.submit(req).Ticket.Ref)
			if len(d.Outbox) != 1 || d.Outbox[0].Channel != tickets.ChannelEmail || d.Outbox[0].Recipient != "caller@example.com" ||
				d.Outbox[0].Template != tickets.TemplateAcknowledgement {
				t.Fatalf("outbox %+v", d.Outbox)
			}
		})

		t.Run("a revocation carries no refund reason", func(t *testing.T) {
			f := f.with(t)
			req := tickets.SubmitRequest{Kind: tickets.KindRevocation, Channel: tickets.ChannelEmail,
				Requester: tickets.Requester{Email: "rev@example.com"}, Account: "@rev_only", Reason: tickets.ReasonUnderDelivery,
				Details: "please stop promoting my videos"}
			d := f.detail(f.submit(req).Ticket.Ref)
			if d.Reason != "" || d.Order != "" || d.Status != tickets.StatusInReview || d.Eligibility.Verdict != tickets.VerdictNeedsReview {
				t.Fatalf("ticket reason %q: %s", d.Reason, svcSummary(d))
			}
		})
	})
}

func TestServiceSubmitIdempotency(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newSvcFixture(t, dialect, tickets.Options{})
		f.importPromos(svcPromotion(svcOrderA, svcAccountA, 5000))
		req := svcRefund(svcOrderA, svcAccountA)
		req.IdempotencyKey = "<first@example.com>"
		first := f.submit(req)
		if first.Outcome != tickets.OutcomeCreated {
			t.Fatalf("outcome %s", first.Outcome)
		}
		before := f.detail(first.Ticket.Ref)
		counts := f.rowCounts()

		// The same key again, even with other words and files, changes nothing.
		f.clock.Advance(time.Minute)
		again := req
		again.Details = "retrying the same mail"
		again.Evidence = []tickets.File{svcPNG("other.png", "other")}
		res := f.submit(again)
		if res.Outcome != tickets.OutcomeDuplicate || res.Ticket.Ref != first.Ticket.Ref {
			t.Fatalf("again: outcome %s ref %s, want duplicate %s", res.Outcome, res.Ticket.Ref, first.Ticket.Ref)
		}
		if res.Ticket.Status != tickets.StatusInReview || len(res.Ticket.Evidence) != 1 {
			t.Fatalf("duplicate returned %s with %d files", res.Ticket, len(res.Ticket.Evidence))
		}
		after := f.detail(first.Ticket.Ref)
		if len(after.Messages) != len(before.Messages) || len(after.Audit) != len(before.Audit) || len(after.Outbox) != len(before.Outbox) {
			t.Fatalf("messages %d→%d audit %d→%d outbox %d→%d", len(before.Messages), len(after.Messages),
				len(before.Audit), len(after.Audit), len(before.Outbox), len(after.Outbox))
		}
		svcSameDetail(t, before, after)
		if got := f.rowCounts(); !maps.Equal(got, counts) {
			t.Fatalf("rows %v, want %v", got, counts)
		}

		// A key that joined a ticket is remembered too.
		join := svcRefund(svcOrderA, svcAccountA)
		join.Requester = tickets.Requester{DiscordID: "4242", Email: "ayu@example.com"}
		join.Channel = tickets.ChannelDiscord
		join.Details = "me again, on discord"
		join.IdempotencyKey = "interaction-77"
		if res := f.submit(join); res.Outcome != tickets.OutcomeJoined || res.Ticket.Ref != first.Ticket.Ref {
			t.Fatalf("join: %s %s", res.Outcome, res.Ticket.Ref)
		}
		before = f.detail(first.Ticket.Ref)
		counts = f.rowCounts()
		if res := f.submit(join); res.Outcome != tickets.OutcomeDuplicate || res.Ticket.Ref != first.Ticket.Ref {
			t.Fatalf("join again: %s %s", res.Outcome, res.Ticket.Ref)
		}
		svcSameDetail(t, before, f.detail(first.Ticket.Ref))
		if got := f.rowCounts(); !maps.Equal(got, counts) {
			t.Fatalf("rows %v, want %v", got, counts)
		}
		if n := f.count("tickets"); n != 1 {
			t.Fatalf("%d tickets", n)
		}
	})
}

func TestServiceSubmitJoinsOpenTicket(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newSvcFixture(t, dialect, tickets.Options{})
		f.importPromos(svcPromotion(svcOrderA, svcAccountA, 5000), svcPromotion(svcOrderB, svcAccountB, 5000))

		t.Run("refunds join by order", func(t *testing.T) {
			f := f.with(t)
			// The first request leaves out the account and the screenshot.
			req := svcRefund(svcOrderA, "")
			req.Evidence = nil
			first := f.submit(req)
			if first.Ticket.Status != tickets.StatusNeedsInfo || first.Ticket.Eligibility.Verdict != tickets.VerdictNeedsInfo {
				t.Fatalf("first: %s verdict %s", first.Ticket, first.Ticket.Eligibility.Verdict)
			}
			f.clock.Advance(time.Hour)
			// The same requester writes again (their address in other case).
			second := tickets.SubmitRequest{Kind: tickets.KindRefund, Channel: tickets.ChannelEmail,
				Requester: tickets.Requester{Email: "Ayu@Example.com"}, Account: svcAccountA, Order: "7301-0000-0000-0000-011",
				Details: "here is my account and the screenshot", Evidence: []tickets.File{svcPNG("shot.png", "shot")}, ExternalID: "<m2@example.com>"}
			res := f.submit(second)
			if res.Outcome != tickets.OutcomeJoined || res.Ticket.Ref != first.Ticket.Ref {
				t.Fatalf("second: outcome %s ref %s, want joined %s", res.Outcome, res.Ticket.Ref, first.Ticket.Ref)
			}
			d := f.detail(first.Ticket.Ref)
			if d.Account != svcAccountA || d.Reason != tickets.ReasonUnderDelivery || d.Details != req.Details {
				t.Fatalf("fields: account %q reason %q details %q", d.Account, d.Reason, d.Details)
			}
			if d.Requester.Email != "ayu@example.com" || d.Requester.DiscordID != "" {
				t.Fatalf("requester %+v", d.Requester)
			}
			if d.Status != tickets.StatusInReview || d.Eligibility.Verdict != tickets.VerdictEligible || d.Eligibility.RefundAmount != 50000 {
				t.Fatalf("after the join: %s", svcSummary(d))
			}
			if d.WaitingSince == nil || !d.WaitingSince.Equal(f.clock.Now()) || !d.UpdatedAt.Equal(f.clock.Now()) {
				t.Fatalf("waiting since %v updated %v", d.WaitingSince, d.UpdatedAt)
			}
			if len(d.Messages) != 2 {
				t.Fatalf("%d messages", len(d.Messages))
			}
			m := d.Messages[1]
			if m.Body != second.Details || m.Channel != tickets.ChannelEmail || m.Kind != tickets.MessageIn || m.Author != "Ayu@Example.com" || m.ExternalID != "<m2@example.com>" {
				t.Fatalf("joined message %+v", m)
			}
			if len(d.Evidence) != 1 || d.Evidence[0].Name != "shot.png" {
				t.Fatalf("evidence %+v", d.Evidence)
			}
			wantAudit := []string{"created", "evaluated", "status", "joined", "evidence", "evaluated", "status"}
			if got := svcAuditActions(d); !slices.Equal(got, wantAudit) {
				t.Fatalf("audit %v, want %v", got, wantAudit)
			}
			if j := d.Audit[3]; j.Actor != "Ayu@Example.com" || !strings.Contains(auditText(t, j), "filled account") || j.Params.Requester != "" {
				t.Fatalf("joined entry %+v", j)
			}
			if s := d.Audit[6]; s.FromStatus != tickets.StatusNeedsInfo || s.ToStatus != tickets.StatusInReview {
				t.Fatalf("status entry %+v", s)
			}
			if got := svcTemplates(d); !slices.Equal(got, []string{"acknowledgement", "acknowledgement"}) {
				t.Fatalf("outbox %v", got)
			}
			// The requester is told their message joined their ticket.
			if o := d.Outbox[1]; !o.Data.Joined || o.Data.Verdict != tickets.VerdictEligible || o.Channel != tickets.ChannelEmail || o.Recipient != "Ayu@Example.com" {
				t.Fatalf("joined acknowledgement %+v", o)
			}
			if refs := f.searchAll("order:"+svcOrderA, "", 0); !slices.Equal(refs, []string{first.Ticket.Ref}) {
				t.Fatalf("tickets of the order: %v", refs)
			}

			// The same file again adds no evidence; a text-less request still
			// leaves a message, with no words of the domain's in it (the
			// edges write an empty one from the catalog).
			third := second
			third.Details, third.ExternalID = "", ""
			res = f.submit(third)
			d = f.detail(first.Ticket.Ref)
			if res.Outcome != tickets.OutcomeJoined || len(d.Evidence) != 1 || len(d.Messages) != 3 || d.Messages[2].Body != "" {
				t.Fatalf("third: %s, %d files, messages %+v", res.Outcome, len(d.Evidence), d.Messages)
			}

			// Once the ticket is closed, the order gets a new ticket.
			f.act(tickets.ActionRequest{Ref: first.Ticket.Ref, Actor: "budi", Action: tickets.ActionClose})
			again := f.submit(svcRefund(svcOrderA, svcAccountA))
			if again.Outcome != tickets.OutcomeCreated || again.Ticket.Ref == first.Ticket.Ref {
				t.Fatalf("after close: %s %s", again.Outcome, again.Ticket.Ref)
			}
			if refs := f.searchAll("order:"+svcOrderA, "", 0); !slices.Equal(refs, []string{again.Ticket.Ref, first.Ticket.Ref}) {
				t.Fatalf("tickets of the order: %v", refs)
			}
			// and the new one is the one that is joined now.
			if res := f.submit(svcRefund(svcOrderA, svcAccountA)); res.Outcome != tickets.OutcomeJoined || res.Ticket.Ref != again.Ticket.Ref {
				t.Fatalf("join after close: %s %s", res.Outcome, res.Ticket.Ref)
			}
		})

		t.Run("a resolved ticket is not joined", func(t *testing.T) {
			f := f.with(t)
			first := f.submit(svcRefund(svcOrderB, svcAccountB))
			f.act(tickets.ActionRequest{Ref: first.Ticket.Ref, Actor: "budi", Action: tickets.ActionApprove})
			// While approved, the ticket is still open for the order.
			if res := f.submit(svcRefund(svcOrderB, svcAccountB)); res.Outcome != tickets.OutcomeJoined || res.Ticket.Ref != first.Ticket.Ref {
				t.Fatalf("while approved: %s %s", res.Outcome, res.Ticket.Ref)
			}
			f.act(tickets.ActionRequest{Ref: first.Ticket.Ref, Actor: "budi", Action: tickets.ActionResolve})
			res := f.submit(svcRefund(svcOrderB, svcAccountB))
			if res.Outcome != tickets.OutcomeCreated || res.Ticket.Ref == first.Ticket.Ref {
				t.Fatalf("after resolve: %s %s", res.Outcome, res.Ticket.Ref)
			}
		})

		t.Run("revocations join by account", func(t *testing.T) {
			f := f.with(t)
			f.importAuths("@rev_one,account,2026-06-01T00:00:00Z,")
			rev := func(account, email string) tickets.SubmitRequest {
				return tickets.SubmitRequest{Kind: tickets.KindRevocation, Channel: tickets.ChannelEmail,
					Requester: tickets.Requester{Email: email}, Account: account, Details: "withdraw my authorization"}
			}
			first := f.submit(rev("@rev_one", "one@example.com"))
			if first.Outcome != tickets.OutcomeCreated || first.Ticket.Eligibility.Verdict != tickets.VerdictEligible || first.Ticket.Status != tickets.StatusInReview {
				t.Fatalf("first: %s %s %s", first.Outcome, first.Ticket, first.Ticket.Eligibility.Verdict)
			}
			res := f.submit(rev("REV_ONE", "one@example.com"))
			if res.Outcome != tickets.OutcomeJoined || res.Ticket.Ref != first.Ticket.Ref {
				t.Fatalf("same account: %s %s", res.Outcome, res.Ticket.Ref)
			}
			other := f.submit(rev("@rev_two", "two@example.com"))
			if other.Outcome != tickets.OutcomeCreated || other.Ticket.Ref == first.Ticket.Ref {
				t.Fatalf("other account: %s %s", other.Outcome, other.Ticket.Ref)
			}
			// A refund by the same account is a different kind of ticket.
			refund := svcRefund("7301000000000000066", "@rev_one")
			if res := f.submit(refund); res.Outcome != tickets.OutcomeCreated || res.Ticket.Ref == first.Ticket.Ref {
				t.Fatalf("refund: %s %s", res.Outcome, res.Ticket.Ref)
			}
			// Without an account there is nothing to join on.
			a := f.submit(rev("", "anon@example.com"))
			b := f.submit(rev("", "anon@example.com"))
			if a.Ticket.Ref == b.Ticket.Ref || b.Outcome != tickets.OutcomeCreated || a.Ticket.Status != tickets.StatusNeedsInfo {
				t.Fatalf("no account: %s %s, %s %s", a.Ticket, a.Outcome, b.Ticket, b.Outcome)
			}
			if d := f.detail(first.Ticket.Ref); len(d.Messages) != 2 {
				t.Fatalf("revocation messages %d", len(d.Messages))
			}
		})
	})
}

func TestServiceSubmitJoinAcknowledgesSender(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newSvcFixture(t, dialect, tickets.Options{})
		f.importPromos(svcPromotion(svcOrderA, svcAccountA, 5000))
		first := f.submit(svcRefund(svcOrderA, svcAccountA))
		// The requester writes again by Discord, naming their address too.
		join := svcRefund(svcOrderA, svcAccountA)
		join.Channel, join.Requester, join.Details = tickets.ChannelDiscord, tickets.Requester{DiscordID: "4242", Email: "ayu@example.com"}, "asking again on discord"
		if res := f.submit(join); res.Outcome != tickets.OutcomeJoined {
			t.Fatalf("outcome %s", res.Outcome)
		}
		d := f.detail(first.Ticket.Ref)
		if got := svcTemplates(d); !slices.Equal(got, []string{"acknowledgement", "acknowledgement"}) {
			t.Fatalf("outbox %v", got)
		}
		// The acknowledgement of the joining request goes to whoever sent it,
		// on the channel they used.
		if o := d.Outbox[1]; o.Channel != tickets.ChannelDiscord || o.Recipient != "4242" {
			t.Fatalf("the acknowledgement of a request from Discord user 4242 that joined %s was queued for %s %s (the ticket's first requester)",
				d.Ref, o.Channel, o.Recipient)
		}
	})
}

func TestServiceSubmitJoinRefusedWritesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newSvcFixture(t, dialect, tickets.Options{Limits: tickets.Limits{MaxEvidenceFiles: 2}})
		f.importPromos(svcPromotion(svcOrderA, svcAccountA, 5000))
		req := svcRefund(svcOrderA, svcAccountA)
		req.Evidence = []tickets.File{svcPNG("1.png", "1"), svcPNG("2.png", "2")}
		ref := f.submit(req).Ticket.Ref
		before, counts := f.detail(ref), f.rowCounts()

		// The ticket is full: a join with a third file is refused inside the
		// transaction, and none of it (message, audit, outbox, key) is kept.
		join := svcRefund(svcOrderA, svcAccountA)
		join.Details = "a third screenshot"
		join.Evidence = []tickets.File{svcPNG("3.png", "3"), svcPNG("2-again.png", "2")}
		join.IdempotencyKey = "<third@example.com>"
		_, err := f.svc.Intake.Submit(f.ctx, join)
		svcWantFields(t, err, "evidence")
		svcSameDetail(t, before, f.detail(ref))
		if got := f.rowCounts(); !maps.Equal(got, counts) {
			t.Fatalf("rows %v, want %v", got, counts)
		}
		// The key was not used up: the same request without the extra file joins.
		join.Evidence = join.Evidence[1:]
		res := f.submit(join)
		if res.Outcome != tickets.OutcomeJoined || res.Ticket.Ref != ref || len(res.Ticket.Evidence) != 2 {
			t.Fatalf("retry: %s %s with %d files", res.Outcome, res.Ticket.Ref, len(res.Ticket.Evidence))
		}
		// The same holds for a requester's reply and an agent's files.
		_, err = f.svc.Intake.RequesterReply(f.ctx, tickets.RequesterUpdate{Ref: ref, Requester: req.Requester, Channel: tickets.ChannelEmail,
			Text: "and one more", Evidence: []tickets.File{svcPNG("4.png", "4")}})
		svcWantFields(t, err, "evidence")
		_, err = f.svc.Desk.AddEvidence(f.ctx, ref, "ayu", []tickets.File{svcPNG("5.png", "5")})
		svcWantFields(t, err, "evidence")
		if d := f.detail(ref); len(d.Messages) != 2 || len(d.Evidence) != 2 {
			t.Fatalf("%d messages, %d files", len(d.Messages), len(d.Evidence))
		}
	})
}

func TestServiceSubmitFlags(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newSvcFixture(t, dialect, tickets.Options{})
		f.importPromos(svcPromotion(svcOrderA, svcAccountA, 5000))
		req := svcRefund(svcOrderA, svcAccountA)
		req.Flags = []string{tickets.FlagUnverifiedSender}
		d := f.detail(f.submit(req).Ticket.Ref)
		// An unverified sender never gets money on the policy's word alone.
		if !d.HasFlag(tickets.FlagUnverifiedSender) || d.Eligibility.Verdict != tickets.VerdictNeedsReview || d.Status != tickets.StatusInReview {
			t.Fatalf("ticket %s", svcSummary(d))
		}
		if step, _ := d.Eligibility.Deciding(); step.Rule != tickets.RuleSenderVerified {
			t.Fatalf("deciding rule %q", step.Rule)
		}
		if got := f.searchAll("flag:unverified_sender", "", 0); !slices.Equal(got, []string{d.Ref}) {
			t.Fatalf("search %v", got)
		}
	})
}

func TestServiceSubmitConcurrent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newSvcFixture(t, dialect, tickets.Options{})
		f.importPromos(svcPromotion(svcOrderA, svcAccountA, 5000), svcPromotion(svcOrderB, svcAccountB, 5000))
		const workers = 8

		run := func(t *testing.T, n int, fn func(i int) (*tickets.SubmitResult, error)) []*tickets.SubmitResult {
			out := make([]*tickets.SubmitResult, n)
			errs := make([]error, n)
			var wg sync.WaitGroup
			for i := 0; i < n; i++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					out[i], errs[i] = fn(i)
				}()
			}
			wg.Wait()
			if err := errors.Join(errs...); err != nil {
				t.Fatalf("concurrent submits: %v", err)
			}
			return out
		}
		outcomes := func(rs []*tickets.SubmitResult) (map[string]int, map[string]bool) {
			count, refs := map[string]int{}, map[string]bool{}
			for _, r := range rs {
				count[r.Outcome]++
				refs[r.Ticket.Ref] = true
			}
			return count, refs
		}

		t.Run("same order", func(t *testing.T) {
			f := f.with(t)
			rs := run(t, workers, func(i int) (*tickets.SubmitResult, error) {
				req := svcRefund(svcOrderA, svcAccountA)
				req.Requester = tickets.Requester{Email: fmt.Sprintf("user%d@example.com", i)}
				req.Details = fmt.Sprintf("request number %d", i)
				req.IdempotencyKey = fmt.Sprintf("order-key-%d", i)
				return f.svc.Intake.Submit(f.ctx, req)
			})
			// One opens the ticket; the others are someone else's requests
			// about its order, kept as notes, and see no reference.
			count, refs := outcomes(rs)
			if count[tickets.OutcomeCreated] != 1 || count[tickets.OutcomeReceived] != workers-1 || len(refs) != 2 || !refs[""] {
				t.Fatalf("outcomes %v, refs %v", count, refs)
			}
			found := f.searchAll("order:"+svcOrderA, "", 0)
			if len(found) != 1 || !refs[found[0]] {
				t.Fatalf("open tickets for the order: %v", found)
			}
			d := f.detail(found[0])
			if len(d.Messages) != workers || strings.Count(strings.Join(svcAuditActions(d), " "), "other_requester") != workers-1 {
				t.Fatalf("%d messages, audit %v", len(d.Messages), svcAuditActions(d))
			}
		})

		t.Run("same key", func(t *testing.T) {
			f := f.with(t)
			for _, order := range []string{"", svcOrderB} {
				key := "same-key-" + order
				rs := run(t, workers, func(i int) (*tickets.SubmitResult, error) {
					req := svcRefund(order, svcAccountB)
					req.IdempotencyKey = key
					return f.svc.Intake.Submit(f.ctx, req)
				})
				count, refs := outcomes(rs)
				if count[tickets.OutcomeCreated] != 1 || count[tickets.OutcomeDuplicate] != workers-1 || len(refs) != 1 {
					t.Fatalf("order %q: outcomes %v, refs %v", order, count, refs)
				}
				for ref := range refs {
					d := f.detail(ref)
					if len(d.Messages) != 1 || len(d.Outbox) != 1 || len(d.Evidence) != 1 {
						t.Fatalf("order %q: %d messages, %d outbox, %d files", order, len(d.Messages), len(d.Outbox), len(d.Evidence))
					}
				}
			}
		})

		t.Run("references are unique", func(t *testing.T) {
			f := f.with(t)
			const perWorker = 25
			var mu sync.Mutex
			var refs []string
			var wg sync.WaitGroup
			errs := make([]error, workers)
			for w := 0; w < workers; w++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := 0; i < perWorker; i++ {
						req := svcRefund(fmt.Sprintf("8800%02d%04d", w, i), svcAccountA)
						req.Evidence = nil
						res, err := f.svc.Intake.Submit(f.ctx, req)
						if err != nil {
							errs[w] = err
							return
						}
						if res.Outcome != tickets.OutcomeCreated {
							errs[w] = fmt.Errorf("order %s: outcome %s", req.Order, res.Outcome)
							return
						}
						mu.Lock()
						refs = append(refs, res.Ticket.Ref)
						mu.Unlock()
					}
				}()
			}
			wg.Wait()
			if err := errors.Join(errs...); err != nil {
				t.Fatal(err)
			}
			seen := map[string]bool{}
			re := regexp.MustCompile(`^RD-[1-9][0-9]*$`)
			for _, r := range refs {
				if !re.MatchString(r) || seen[r] {
					t.Fatalf("reference %q malformed or handed out twice", r)
				}
				seen[r] = true
			}
			if len(seen) != workers*perWorker {
				t.Fatalf("%d references, want %d", len(seen), workers*perWorker)
			}
			found := f.searchAll("order:8800*", "", 1000)
			if len(found) != workers*perWorker || !svcSameSet(found, refs) {
				t.Fatalf("search found %d of the %d tickets", len(found), len(refs))
			}
		})
	})
}

func TestServiceRequesterReply(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newSvcFixture(t, dialect, tickets.Options{})
		f.importPromos(svcPromotion(svcOrderA, svcAccountA, 5000), svcPromotion(svcOrderB, svcAccountB, 5000),
			svcPromotion(svcOrderC, "@citra", 5000))
		ayu := tickets.Requester{Email: "ayu@example.com"}

		t.Run("an answer puts needs_info back to in_review", func(t *testing.T) {
			f := f.with(t)
			req := svcRefund(svcOrderA, svcAccountA)
			req.Evidence = nil
			tk := f.submit(req).Ticket
			if tk.Status != tickets.StatusNeedsInfo {
				t.Fatalf("before: %s", tk)
			}
			before := f.detail(tk.Ref)
			// Someone else, by mail or Discord, does not find the ticket.
			for _, other := range []tickets.Requester{{Email: "mallory@example.com"}, {DiscordID: "666"}, {Name: "Ayu"}} {
				_, err := f.svc.Intake.RequesterReply(f.ctx, tickets.RequesterUpdate{Ref: tk.Ref, Requester: other, Channel: tickets.ChannelEmail,
					Text: "let me in", Evidence: []tickets.File{svcPNG("x.png", "x")}})
				if !errors.Is(err, tickets.ErrNotFound) {
					t.Fatalf("reply by %+v: %v, want not found", other, err)
				}
			}
			svcSameDetail(t, before, f.detail(tk.Ref))
			if _, err := f.svc.Intake.RequesterReply(f.ctx, tickets.RequesterUpdate{Ref: tk.Ref, Requester: ayu, Channel: tickets.ChannelEmail, Text: "  "}); !tickets.IsValidation(err) {
				t.Fatalf("empty reply: %v", err)
			} else {
				svcWantFields(t, err, "text")
			}
			if _, err := f.svc.Intake.RequesterReply(f.ctx, tickets.RequesterUpdate{Ref: "RD-999999", Requester: ayu, Channel: tickets.ChannelEmail, Text: "hi"}); !errors.Is(err, tickets.ErrNotFound) {
				t.Fatalf("reply to no ticket: %v", err)
			}

			f.clock.Advance(time.Hour)
			up := tickets.RequesterUpdate{Ref: strings.ToLower(tk.Ref), Requester: tickets.Requester{Email: "AYU@example.com"}, Channel: tickets.ChannelEmail,
				Text: "here is the screenshot", Evidence: []tickets.File{svcPNG("proof.png", "proof")}, IdempotencyKey: "<reply-1@example.com>"}
			res, err := f.svc.Intake.RequesterReply(f.ctx, up)
			if err != nil {
				t.Fatal(err)
			}
			if res.Outcome != tickets.OutcomeJoined || res.Ticket.Ref != tk.Ref {
				t.Fatalf("reply: %s %s", res.Outcome, res.Ticket.Ref)
			}
			d := f.detail(tk.Ref)
			if d.Status != tickets.StatusInReview || d.Eligibility.Verdict != tickets.VerdictEligible || d.Eligibility.RefundAmount != 50000 || d.InfoRequested {
				t.Fatalf("after the reply: %s", svcSummary(d))
			}
			if len(d.Messages) != 2 || d.Messages[1].Body != "here is the screenshot" || d.Messages[1].Author != "AYU@example.com" || len(d.Evidence) != 1 {
				t.Fatalf("messages %+v evidence %+v", d.Messages, d.Evidence)
			}
			if a := svcLastAudit(t, d); a.Action != "status" || a.FromStatus != tickets.StatusNeedsInfo || a.ToStatus != tickets.StatusInReview {
				t.Fatalf("last audit %+v", a)
			}
			// The same reply again changes nothing.
			counts := f.rowCounts()
			again, err := f.svc.Intake.RequesterReply(f.ctx, up)
			if err != nil || again.Outcome != tickets.OutcomeDuplicate || again.Ticket.Ref != tk.Ref {
				t.Fatalf("again: %v %+v", err, again)
			}
			svcSameDetail(t, d, f.detail(tk.Ref))
			if got := f.rowCounts(); !maps.Equal(got, counts) {
				t.Fatalf("rows %v, want %v", got, counts)
			}
			// Someone else sending the same key does not get the ticket.
			mallory := tickets.RequesterUpdate{Ref: tk.Ref, Requester: tickets.Requester{Email: "mallory@example.com"}, Channel: tickets.ChannelEmail,
				Text: "what is in it?", IdempotencyKey: up.IdempotencyKey}
			res, err = f.svc.Intake.RequesterReply(f.ctx, mallory)
			if !errors.Is(err, tickets.ErrNotFound) {
				who := ""
				if res != nil && res.Ticket != nil {
					who = fmt.Sprintf("; got %s (%s) of %s with outcome %s", res.Ticket.Ref, res.Ticket.Status, res.Ticket.Requester.Email, res.Outcome)
				}
				t.Fatalf("RequesterReply answered a replayed idempotency key before checking who asks: err %v%s", err, who)
			}
		})

		t.Run("an answer fills what was missing", func(t *testing.T) {
			f := f.with(t)
			req := svcRefund("7301000000000000066", "")
			req.Evidence = nil
			f.importPromos(svcPromotion("7301000000000000066", "@fill", 5000))
			tk := f.submit(req).Ticket
			// The account is the record's, which shows nothing of who asks.
			if tk.Status != tickets.StatusNeedsInfo || tk.Account != "@fill" || tk.Sources.Of("account") != tickets.SourceRecord {
				t.Fatalf("before: %s %s %v", tk, tk.Account, tk.Sources)
			}
			// An order that has its own open ticket is refused.
			before := f.detail(tk.Ref)
			_, err := f.svc.Intake.RequesterReply(f.ctx, tickets.RequesterUpdate{Ref: tk.Ref, Requester: ayu, Channel: tickets.ChannelEmail, Order: svcOrderA})
			if !errors.Is(err, tickets.ErrConflict) {
				t.Fatalf("order of another open ticket: %v", err)
			}
			svcSameDetail(t, before, f.detail(tk.Ref))
			_, err = f.svc.Intake.RequesterReply(f.ctx, tickets.RequesterUpdate{Ref: tk.Ref, Requester: ayu, Channel: tickets.ChannelEmail, Account: "bad account"})
			svcWantFields(t, err, "account")

			res, err := f.svc.Intake.RequesterReply(f.ctx, tickets.RequesterUpdate{Ref: tk.Ref, Requester: ayu, Channel: tickets.ChannelEmail,
				Account: "fill", Evidence: []tickets.File{svcPNG("f.png", "f")}})
			if err != nil {
				t.Fatal(err)
			}
			d := f.detail(res.Ticket.Ref)
			if d.Account != "@fill" || d.Status != tickets.StatusInReview || d.Eligibility.Verdict != tickets.VerdictEligible || len(d.Messages) != 1 {
				t.Fatalf("after: %s", svcSummary(d))
			}
			var gave *tickets.AuditEntry
			for i := range d.Audit {
				if d.Audit[i].Action == "edit" {
					gave = &d.Audit[i]
				}
			}
			if gave == nil || gave.Actor != "ayu@example.com" || auditText(t, *gave) != "gave account" {
				t.Fatalf("edit entry %+v", gave)
			}
		})

		t.Run("an answer to a question clears it", func(t *testing.T) {
			f := f.with(t)
			tk := f.submit(svcRefund(svcOrderB, svcAccountB)).Ticket
			f.act(tickets.ActionRequest{Ref: tk.Ref, Actor: "budi", Action: tickets.ActionAsk, Text: "Which video was it?"})
			if d := f.detail(tk.Ref); d.Status != tickets.StatusNeedsInfo || !d.InfoRequested {
				t.Fatalf("after ask: %s", svcSummary(d))
			}
			res, err := f.svc.Intake.RequesterReply(f.ctx, tickets.RequesterUpdate{Ref: tk.Ref, Requester: ayu, Channel: tickets.ChannelEmail, Text: "the cat video"})
			if err != nil {
				t.Fatal(err)
			}
			if res.Ticket.Status != tickets.StatusInReview || res.Ticket.InfoRequested {
				t.Fatalf("after the answer: %s info requested %v", res.Ticket, res.Ticket.InfoRequested)
			}
		})

		t.Run("a closed ticket reopens within 14 days, then a new one follows it", func(t *testing.T) {
			f := f.with(t)
			tk := f.submit(svcRefund(svcOrderC, "@citra")).Ticket
			f.act(tickets.ActionRequest{Ref: tk.Ref, Actor: "budi", Action: tickets.ActionClose})
			f.clock.Advance(13 * 24 * time.Hour)
			res, err := f.svc.Intake.RequesterReply(f.ctx, tickets.RequesterUpdate{Ref: tk.Ref, Requester: ayu, Channel: tickets.ChannelEmail, Text: "I still have not got my money"})
			if err != nil {
				t.Fatal(err)
			}
			d := f.detail(tk.Ref)
			if res.Outcome != tickets.OutcomeJoined || res.Ticket.Ref != tk.Ref || d.Status != tickets.StatusInReview || !d.HasFlag(tickets.FlagReopened) {
				t.Fatalf("within the window: %s %s", res.Outcome, svcSummary(d))
			}
			var reopen *tickets.AuditEntry
			for i := range d.Audit {
				if d.Audit[i].Action == string(tickets.ActionReopen) {
					reopen = &d.Audit[i]
				}
			}
			if reopen == nil || reopen.FromStatus != tickets.StatusClosed || reopen.ToStatus != tickets.StatusInReview || reopen.Actor != "ayu@example.com" {
				t.Fatalf("reopen entry %+v", reopen)
			}

			f.act(tickets.ActionRequest{Ref: tk.Ref, Actor: "budi", Action: tickets.ActionClose})
			f.clock.Advance(15 * 24 * time.Hour)
			closed := f.detail(tk.Ref)
			res, err = f.svc.Intake.RequesterReply(f.ctx, tickets.RequesterUpdate{Ref: tk.Ref, Requester: ayu, Channel: tickets.ChannelEmail, Text: "writing again much later"})
			if err != nil {
				t.Fatal(err)
			}
			if res.Outcome != tickets.OutcomeCreated || res.Ticket.Ref == tk.Ref || res.Ticket.ParentRef != tk.Ref {
				t.Fatalf("after the window: %s %s parent %q", res.Outcome, res.Ticket.Ref, res.Ticket.ParentRef)
			}
			svcSameDetail(t, closed, f.detail(tk.Ref))
			nd := f.detail(res.Ticket.Ref)
			if nd.Order != svcOrderC || nd.Account != "@citra" || nd.Reason != tickets.ReasonUnderDelivery || nd.Requester.Email != "ayu@example.com" ||
				len(nd.Messages) != 1 || nd.Messages[0].Body != "writing again much later" || nd.ParentRef != tk.Ref {
				t.Fatalf("follow-up %s: %+v", svcSummary(nd), nd.Requester)
			}
		})

		t.Run("more evidence after a denial goes back to the agents", func(t *testing.T) {
			f := f.with(t)
			f.importPromos(svcPromotion("7301000000000000077", "@dina", 9000))
			tk := f.submit(svcRefund("7301000000000000077", "@dina")).Ticket
			f.act(tickets.ActionRequest{Ref: tk.Ref, Actor: "budi", Action: tickets.ActionDeny, Text: "delivered 90% of the promised reach"})
			_, err := f.svc.Intake.RequesterReply(f.ctx, tickets.RequesterUpdate{Ref: tk.Ref, Requester: ayu, Channel: tickets.ChannelEmail,
				Text: "the numbers on the dashboard are different, see the new screenshot", Evidence: []tickets.File{svcPNG("dash.png", "dash")}})
			if err != nil {
				t.Fatal(err)
			}
			d := f.detail(tk.Ref)
			if d.Status != tickets.StatusInReview {
				t.Fatalf("a requester's answer (with new evidence) to a denied ticket left it out of every agent queue: %s", svcSummary(d))
			}
			if !d.HasFlag(tickets.FlagReopened) || d.WaitingSince == nil {
				t.Fatalf("after the answer: %s", svcSummary(d))
			}
		})
	})
}

func TestServiceRequesterReplyNeedsChannel(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newSvcFixture(t, dialect, tickets.Options{})
		req := svcRefund(svcOrderA, svcAccountA)
		ref := f.submit(req).Ticket.Ref
		before := f.detail(ref)
		_, err := f.svc.Intake.RequesterReply(f.ctx, tickets.RequesterUpdate{Ref: ref, Requester: req.Requester, Text: "which channel am I on?"})
		if err == nil {
			d := f.detail(ref)
			t.Fatalf("a reply without a channel is taken: message %+v", d.Messages[len(d.Messages)-1])
		}
		svcWantFields(t, err, "channel")
		svcSameDetail(t, before, f.detail(ref))
	})
}

func TestServiceAutoApprove(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		p := tickets.DefaultPolicy()
		p.AutoApproveBelow = tickets.AutoApproveLimit{"IDR": "50000"} // at or below: 50,000 is approved
		f := newSvcFixture(t, dialect, tickets.Options{Policy: p})
		big := svcPromotion(svcOrderB, svcAccountB, 2000) // refund 80,000: above the limit
		usd := svcPromotion(svcOrderC, "@citra", 5000)
		usd.Currency, usd.Amount, usd.Spend = "USD", 1000, 1000
		f.importPromos(svcPromotion(svcOrderA, svcAccountA, 5000), big, usd)

		t.Run("at once on intake", func(t *testing.T) {
			f := f.with(t)
			res := f.submit(svcRefund(svcOrderA, svcAccountA))
			d := f.detail(res.Ticket.Ref)
			if d.Status != tickets.StatusApproved || d.ApprovedAmount == nil || *d.ApprovedAmount != 50000 ||
				d.Decision != "" || words(t).Decision(&d.Ticket, tickets.LangEnglish) != "approved automatically: at or below IDR 50,000" {
				t.Fatalf("ticket %s decision %q %q %+v", svcSummary(d), d.Decision, d.DecisionCode, d.DecisionParams)
			}
			if d.WaitingSince != nil {
				t.Fatalf("an approved ticket waits on agents since %v", d.WaitingSince)
			}
			if got := svcTemplates(d); !svcSameSet(got, []string{"approved", "acknowledgement"}) {
				t.Fatalf("outbox %v", got)
			}
			for _, o := range d.Outbox {
				if o.Template == tickets.TemplateApproved && (o.Data.Amount != 50000 || o.Data.Status != tickets.StatusApproved || o.Recipient != "ayu@example.com") {
					t.Fatalf("approved item %+v", o)
				}
			}
			var approve *tickets.AuditEntry
			for i := range d.Audit {
				if d.Audit[i].Action == string(tickets.ActionApprove) {
					approve = &d.Audit[i]
				}
			}
			if approve == nil || approve.Actor != tickets.ActorSystem || approve.FromStatus != tickets.StatusInReview || approve.ToStatus != tickets.StatusApproved ||
				auditText(t, *approve) != "IDR 50,000 (auto_approve_below IDR 50,000)" {
				t.Fatalf("approve entry %+v", approve)
			}
		})

		t.Run("not above the limit nor in another currency", func(t *testing.T) {
			f := f.with(t)
			for _, order := range []string{svcOrderB, svcOrderC} {
				d := f.detail(f.submit(svcRefund(order, "")).Ticket.Ref)
				if d.Status != tickets.StatusNeedsInfo {
					t.Fatalf("%s: %s", order, svcSummary(d))
				}
			}
			for _, order := range []string{svcOrderB, svcOrderC} {
				req := svcRefund(order, map[string]string{svcOrderB: svcAccountB, svcOrderC: "@citra"}[order])
				res := f.submit(req)
				d := f.detail(res.Ticket.Ref)
				if d.Status != tickets.StatusInReview || d.ApprovedAmount != nil || d.Eligibility.Verdict != tickets.VerdictEligible || slices.Contains(svcTemplates(d), "approved") {
					t.Fatalf("%s: %s", order, svcSummary(d))
				}
			}
		})

		t.Run("once the missing evidence arrives", func(t *testing.T) {
			f := f.with(t)
			f.importPromos(svcPromotion("7301000000000000088", "@eko", 5000))
			req := svcRefund("7301000000000000088", "@eko")
			req.Evidence = nil
			tk := f.submit(req).Ticket
			if tk.Status != tickets.StatusNeedsInfo {
				t.Fatalf("before: %s", tk)
			}
			res, err := f.svc.Intake.RequesterReply(f.ctx, tickets.RequesterUpdate{Ref: tk.Ref, Requester: req.Requester, Channel: tickets.ChannelEmail,
				Evidence: []tickets.File{svcPNG("late.png", "late")}})
			if err != nil {
				t.Fatal(err)
			}
			d := f.detail(res.Ticket.Ref)
			if d.Status != tickets.StatusApproved || d.ApprovedAmount == nil || *d.ApprovedAmount != 50000 || !slices.Contains(svcTemplates(d), "approved") {
				t.Fatalf("after the evidence: %s", svcSummary(d))
			}
		})

		t.Run("once the record arrives", func(t *testing.T) {
			f := f.with(t)
			tk := f.submit(svcRefund("7301000000000000089", "@eko")).Ticket
			if tk.Status != tickets.StatusNeedsInfo {
				t.Fatalf("before: %s", tk)
			}
			sum := f.importPromos(svcPromotion("7301000000000000089", "@eko", 5000))
			if sum.Inserted != 1 || sum.Reevaluated != 1 {
				t.Fatalf("import %+v", sum)
			}
			d := f.detail(tk.Ref)
			if d.Status != tickets.StatusApproved || d.ApprovedAmount == nil || *d.ApprovedAmount != 50000 {
				t.Fatalf("after the import: %s", svcSummary(d))
			}
			if o := d.Outbox[len(d.Outbox)-1]; o.Template != tickets.TemplateApproved || o.Data.Amount != 50000 || o.Recipient != "ayu@example.com" {
				t.Fatalf("approved item %+v", o)
			}
		})
	})
}

// svcSearchSet is a desk of five tickets with something different in every
// field, for the search tests.
type svcSearchSet struct {
	refund, indo, unknown, revocation, mismatch string
}

func svcSearchFixture(t *testing.T, f *svcFixture) svcSearchSet {
	t.Helper()
	f.importPromos(svcPromotion(svcOrderA, svcAccountA, 5000), svcPromotion(svcOrderB, svcAccountB, 9000),
		svcPromotion("7301000000000000055", "@eko", 5000))
	var s svcSearchSet
	// 21 Nov: an eligible refund by mail.
	s.refund = f.submit(svcRefund(svcOrderA, svcAccountA)).Ticket.Ref
	// 22 Nov: an ineligible refund in Indonesian from Discord.
	f.clock.Advance(24 * time.Hour)
	indo := svcRefund(svcOrderB, svcAccountB)
	indo.Channel, indo.Requester = tickets.ChannelDiscord, tickets.Requester{DiscordID: "5151", Name: "budi"}
	indo.Reason, indo.Details = tickets.ReasonChangedMind, "saya berubah pikiran tentang promosi ini"
	s.indo = f.submit(indo).Ticket.Ref
	// 23 Nov: an order that is not on record.
	f.clock.Advance(24 * time.Hour)
	unknown := svcRefund(svcOrderC, "@citra")
	unknown.Requester = tickets.Requester{Email: "citra@example.com"}
	unknown.Reason, unknown.Details = tickets.ReasonTechnicalError, "the ads never started, error code 500 every time"
	s.unknown = f.submit(unknown).Ticket.Ref
	// 24 Nov: a revocation from Discord.
	f.clock.Advance(24 * time.Hour)
	s.revocation = f.submit(tickets.SubmitRequest{Kind: tickets.KindRevocation, Channel: tickets.ChannelDiscord,
		Requester: tickets.Requester{DiscordID: "6161"}, Account: "@ayu_shop", Details: "please stop using my videos"}).Ticket.Ref
	// 25 Nov: an agent files a refund whose account is not the order's.
	f.clock.Advance(24 * time.Hour)
	mismatch := svcRefund("7301000000000000055", "@dewi")
	mismatch.Channel, mismatch.Actor, mismatch.Requester = tickets.ChannelAgent, "budi", tickets.Requester{Email: "dewi@example.com"}
	mismatch.Reason, mismatch.Details = tickets.ReasonOther, "customer phoned about a double charge"
	s.mismatch = f.submit(mismatch).Ticket.Ref

	// 26 Nov: agents work on them.
	f.clock.Advance(24 * time.Hour)
	f.act(tickets.ActionRequest{Ref: s.refund, Actor: "ayu", Action: tickets.ActionClaim})
	f.act(tickets.ActionRequest{Ref: s.indo, Actor: "ayu", Action: tickets.ActionAssign, Assignee: "budi"})
	f.act(tickets.ActionRequest{Ref: s.indo, Actor: "budi", Action: tickets.ActionNote, Text: "escalated to the finance zebra team"})
	f.act(tickets.ActionRequest{Ref: s.revocation, Actor: "budi", Action: tickets.ActionClose, Text: "asked on the wrong server"})
	// 27 Nov: the requester of the unknown order writes again.
	f.clock.Advance(24 * time.Hour)
	if _, err := f.svc.Intake.RequesterReply(f.ctx, tickets.RequesterUpdate{Ref: s.unknown, Requester: tickets.Requester{Email: "citra@example.com"},
		Channel: tickets.ChannelEmail, Text: "my kangaroo mascot video is the one"}); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestServiceSearch(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newSvcFixture(t, dialect, tickets.Options{})
		s := svcSearchFixture(t, f)
		all := []string{s.mismatch, s.revocation, s.unknown, s.indo, s.refund} // newest first
		if d := f.detail(s.mismatch); !d.HasFlag(tickets.FlagAccountMismatch) || d.Eligibility.Verdict != tickets.VerdictNeedsReview {
			t.Fatalf("mismatch ticket %s", svcSummary(d))
		}
		if d := f.detail(s.unknown); d.Status != tickets.StatusInReview {
			t.Fatalf("unknown-order ticket after the reply: %s", svcSummary(d))
		}
		cases := []struct {
			query string
			want  []string
		}{
			{"", all},
			{"status:in_review", []string{s.mismatch, s.unknown, s.indo, s.refund}},
			{"status:closed", []string{s.revocation}},
			{"-status:closed", []string{s.mismatch, s.unknown, s.indo, s.refund}},
			{"status:open", []string{s.mismatch, s.unknown, s.indo, s.refund}},
			{"status:closed,needs_info", []string{s.revocation}},
			{"kind:revocation", []string{s.revocation}},
			{"kind:refund", []string{s.mismatch, s.unknown, s.indo, s.refund}},
			{"reason:changed_mind", []string{s.indo}},
			{"reason:under_delivery,technical_error", []string{s.unknown, s.refund}},
			{"-reason:under_delivery", []string{s.mismatch, s.revocation, s.unknown, s.indo}},
			{"verdict:eligible", []string{s.refund}},
			{"verdict:ineligible", []string{s.indo}},
			{"verdict:needs_info", []string{s.unknown}},
			{"verdict:needs_review", []string{s.mismatch, s.revocation}},
			{"account:@ayu_shop", []string{s.revocation, s.refund}},
			{"account:AYU_SHOP", []string{s.revocation, s.refund}},
			{"account:@dewi,@budi_store", []string{s.mismatch, s.indo}},
			{"order:" + svcOrderA, []string{s.refund}},
			{"order:7301-0000-0000-0000-022", []string{s.indo}},
			{"order:" + svcOrderB + "," + svcOrderC, []string{s.unknown, s.indo}},
			{"order:73010000000000000*", []string{s.mismatch, s.unknown, s.indo, s.refund}},
			{"order:730100000000000005*", []string{s.mismatch}},
			{"-order:" + svcOrderA, []string{s.mismatch, s.revocation, s.unknown, s.indo}},
			{"channel:discord", []string{s.revocation, s.indo}},
			{"channel:agent", []string{s.mismatch}},
			{"channel:email,agent", []string{s.mismatch, s.unknown, s.refund}},
			{"assignee:me", []string{s.refund}},
			{"assignee:budi", []string{s.indo}},
			{"assignee:ayu,budi", []string{s.indo, s.refund}},
			{"assignee:none", []string{s.mismatch, s.revocation, s.unknown}},
			{"-assignee:none", []string{s.indo, s.refund}},
			{"flag:account_mismatch", []string{s.mismatch}},
			{"-flag:account_mismatch", []string{s.revocation, s.unknown, s.indo, s.refund}},
			{"language:id", []string{s.indo}},
			{"-language:id", []string{s.mismatch, s.revocation, s.unknown, s.refund}},
			{"ref:" + s.refund + "," + s.unknown, []string{s.unknown, s.refund}},
			{"-ref:" + s.refund, []string{s.mismatch, s.revocation, s.unknown, s.indo}},
			{"created:2026-11-22", []string{s.indo}},
			{"created:2026-11-22..2026-11-23", []string{s.unknown, s.indo}},
			{"created:>2026-11-23", []string{s.mismatch, s.revocation}},
			{"created:<2026-11-22", []string{s.refund}},
			{"created:<=2026-11-22", []string{s.indo, s.refund}},
			{"older:5d", []string{s.refund}}, // now is 27 Nov 08:00; the first was created 21 Nov 08:00
			{"older:4d", []string{s.indo, s.refund}},
			{"updated:2026-11-26", []string{s.revocation, s.indo, s.refund}},
			{"updated:>=2026-11-27", []string{s.unknown}},
			{"-updated:>=2026-11-26", []string{s.mismatch}},
			// Free text: the details, a later message, a note, a phrase.
			{"reach", []string{s.refund}},
			{"REACH", []string{s.refund}},
			{"far low", []string{s.refund}},
			{"kangaroo", []string{s.unknown}},
			{"zebra", []string{s.indo}},
			{"pikiran", []string{s.indo}},
			{`"error code 500"`, []string{s.unknown}},
			{`"code error"`, nil},
			{"reach kangaroo", nil},
			{"-reach", []string{s.mismatch, s.revocation, s.unknown, s.indo}},
			{"status:in_review -kangaroo videos", nil},
			{"kind:revocation videos", []string{s.revocation}},
			{"status:in_review verdict:eligible,ineligible assignee:me reach", []string{s.refund}},
			// Sorting.
			{"sort:created", []string{s.refund, s.indo, s.unknown, s.revocation, s.mismatch}},
			{"sort:-created", all},
			{"sort:-updated", []string{s.unknown, s.revocation, s.indo, s.refund, s.mismatch}},
			{"sort:updated", []string{s.mismatch, s.refund, s.indo, s.revocation, s.unknown}},
		}
		for _, c := range cases {
			got := f.searchAll(c.query, "ayu", 0)
			if !slices.Equal(got, c.want) {
				t.Errorf("search %q: got %v, want %v", c.query, got, c.want)
			}
		}
		// Every page size and sort returns each ticket once, in the order of
		// one big page.
		for _, sort := range []string{"", "sort:created", "sort:-updated", "sort:updated"} {
			whole := f.searchAll(sort, "", 1000)
			for _, limit := range []int{1, 2, 3, 4} {
				if got := f.searchAll(sort, "", limit); !slices.Equal(got, whole) {
					t.Errorf("%q by pages of %d: %v, want %v", sort, limit, got, whole)
				}
			}
		}
		// Bad queries and limits are refused and name the problem.
		for _, q := range []string{"status:bogus", "colour:red", "assignee:me", `"open quote`, "sort:size"} {
			_, err := f.svc.Records.Search(f.ctx, q, "", 10, "")
			if !tickets.IsValidation(err) || !slices.Equal(svcFields(err), []string{"query"}) {
				t.Errorf("query %q: %v", q, err)
			}
		}
		if _, err := f.svc.Records.Search(f.ctx, "", "ayu", tickets.MaxPageSize+1, ""); !tickets.IsValidation(err) {
			t.Errorf("limit too large: %v", err)
		}
		if _, err := f.svc.Records.Search(f.ctx, "sort:updated", "ayu", 2, "bm90LWEtY3Vyc29y"); !tickets.IsValidation(err) {
			t.Errorf("bad cursor: %v", err)
		}
	})
}

func TestServiceSearchWordsAlike(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newSvcFixture(t, dialect, tickets.Options{})
		s := svcSearchFixture(t, f)
		link := svcRefund("7301000000000000123", "@eko")
		link.Requester = tickets.Requester{Email: "eko@shop.example.org"}
		link.Details = "the boosted video is https://www.tiktok.com/@eko/video/7300000000000000123 and it got no views"
		linked := f.submit(link).Ticket.Ref
		// What an agent types finds the same tickets on either store: the
		// words of a mail address and of a link are words too.
		cases := []struct {
			query string
			want  []string
		}{
			{"citra@example.com", []string{s.unknown}},
			{"@ayu_shop", []string{s.revocation, s.refund}},
			{s.unknown, []string{s.unknown}},
			{svcOrderC, []string{s.unknown}},
			{"kanga*", []string{s.unknown}},
			{"-kanga* kind:refund", []string{linked, s.mismatch, s.indo, s.refund}},
			{`"mascot video"`, []string{s.unknown}},
			{"tiktok.com/@eko/video/7300000000000000123", []string{linked}},
			{"example.com", []string{s.mismatch, s.unknown, s.refund}},
			{"7300000000000000123", []string{linked}},
			{"shop.example.org", []string{linked}},
		}
		var differ []string
		for _, c := range cases {
			got := f.searchAll(c.query, "", 0)
			if !slices.Equal(got, c.want) {
				differ = append(differ, fmt.Sprintf("%q: got %v, want %v", c.query, got, c.want))
			}
		}
		if len(differ) > 0 {
			t.Fatalf("free text on %s misses words inside mail addresses and links:\n%s", dialect, strings.Join(differ, "\n"))
		}
	})
}

func TestServiceSearchPagingWithTies(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newSvcFixture(t, dialect, tickets.Options{})
		var refs []string
		for i := 0; i < 23; i++ {
			// Runs of tickets share a timestamp, some a fractional one.
			if i%4 == 0 {
				f.clock.Advance(1500 * time.Millisecond)
			}
			if i%7 == 0 {
				f.clock.Advance(123456 * time.Microsecond)
			}
			req := svcRefund(fmt.Sprintf("99%03d", i), svcAccountA)
			req.Evidence = nil
			refs = append(refs, f.submit(req).Ticket.Ref)
		}
		// A few are updated later, out of their creation order.
		for _, i := range []int{5, 17, 2} {
			f.clock.Advance(250 * time.Millisecond)
			f.act(tickets.ActionRequest{Ref: refs[i], Actor: "ayu", Action: tickets.ActionNote, Text: "looked at it"})
		}
		asc := slices.Clone(refs)
		desc := slices.Clone(refs)
		slices.Reverse(desc)
		if got := f.searchAll("sort:created", "", 1000); !slices.Equal(got, asc) {
			t.Fatalf("sort:created %v", got)
		}
		byUpdated := append(slices.DeleteFunc(slices.Clone(asc), func(r string) bool {
			return r == refs[5] || r == refs[17] || r == refs[2]
		}), refs[5], refs[17], refs[2])
		if got := f.searchAll("sort:updated", "", 1000); !slices.Equal(got, byUpdated) {
			t.Fatalf("sort:updated %v, want %v", got, byUpdated)
		}
		for _, q := range []string{"", "sort:created", "sort:updated", "sort:-updated", "order:99*"} {
			whole := f.searchAll(q, "", 1000)
			if len(whole) != len(refs) || !svcSameSet(whole, refs) {
				t.Fatalf("%q: %d tickets", q, len(whole))
			}
			for _, limit := range []int{1, 2, 3, 5, 7, 22, 23, 24} {
				if got := f.searchAll(q, "", limit); !slices.Equal(got, whole) {
					t.Errorf("%q by pages of %d: %v, want %v", q, limit, got, whole)
				}
			}
		}
		// A cursor of one sort is refused by another.
		res, err := f.svc.Records.Search(f.ctx, "sort:updated", "", 2, "")
		if err != nil || res.Next == "" {
			t.Fatalf("first page: %v", err)
		}
		if _, err := f.svc.Records.Search(f.ctx, "sort:created", "", 2, res.Next); !tickets.IsValidation(err) {
			t.Fatalf("cursor of another sort: %v", err)
		}
	})
}

func TestServiceSearchOverdue(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newSvcFixture(t, dialect, tickets.Options{})
		f.importPromos(svcPromotion(svcOrderA, svcAccountA, 5000), svcPromotion(svcOrderB, svcAccountB, 5000))
		early := f.submit(svcRefund(svcOrderA, svcAccountA)).Ticket.Ref // in_review from 0h
		waiting := svcRefund(svcOrderC, "@citra")                       // needs_info: waits on the requester
		onRequester := f.submit(waiting).Ticket.Ref
		f.clock.Advance(20 * time.Hour)
		late := f.submit(svcRefund(svcOrderB, svcAccountB)).Ticket.Ref // in_review from 20h

		f.clock.Advance(4 * time.Hour) // 24h: exactly at the target is not overdue yet
		if got := f.searchAll("overdue", "", 0); len(got) != 0 {
			t.Fatalf("at 24h: %v", got)
		}
		f.clock.Advance(time.Hour) // 25h
		if got := f.searchAll("overdue", "", 0); !slices.Equal(got, []string{early}) {
			t.Fatalf("at 25h: %v, want %v", got, []string{early})
		}
		if got := f.searchAll("-overdue", "", 0); !slices.Equal(got, []string{late, onRequester}) {
			t.Fatalf("not overdue at 25h: %v", got)
		}
		// Answering restarts the clock.
		f.act(tickets.ActionRequest{Ref: early, Actor: "ayu", Action: tickets.ActionReply, Text: "We are looking into it."})
		if got := f.searchAll("overdue", "", 0); len(got) != 0 {
			t.Fatalf("after the reply: %v", got)
		}
		f.clock.Advance(20 * time.Hour) // 45h: late waited 25h, early 20h
		if got := f.searchAll("overdue kind:refund", "", 0); !slices.Equal(got, []string{late}) {
			t.Fatalf("at 45h: %v, want %v", got, []string{late})
		}
		// A ticket waiting on the requester is never overdue for agents.
		f.clock.Advance(30 * 24 * time.Hour)
		if got := f.searchAll("overdue", "", 0); !slices.Equal(got, []string{late, early}) {
			t.Fatalf("a month later: %v", got)
		}
	})
}

func TestServiceRequesterViews(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newSvcFixture(t, dialect, tickets.Options{})
		s := svcSearchFixture(t, f)
		f.importPromos(svcPromotion("7301000000000000099", svcAccountA, 5000))
		f.clock.Advance(time.Hour)
		second := f.submit(svcRefund("7301000000000000099", svcAccountA)).Ticket.Ref // ayu's second ticket

		views := []struct {
			who  tickets.Requester
			want []string
		}{
			{tickets.Requester{Email: "ayu@example.com"}, []string{second, s.refund}},
			{tickets.Requester{Email: "AYU@EXAMPLE.COM"}, []string{second, s.refund}},
			{tickets.Requester{DiscordID: "5151"}, []string{s.indo}},
			{tickets.Requester{DiscordID: "6161"}, []string{s.revocation}},
			{tickets.Requester{Email: "citra@example.com", DiscordID: "5151"}, []string{s.unknown, s.indo}},
			{tickets.Requester{Email: "dewi@example.com"}, []string{s.mismatch}},
			{tickets.Requester{Email: "nobody@example.com"}, nil},
			{tickets.Requester{DiscordID: "0"}, nil},
		}
		for _, v := range views {
			list, err := f.svc.Records.RequesterTickets(f.ctx, v.who, 0)
			if err != nil {
				t.Fatalf("%+v: %v", v.who, err)
			}
			var got []string
			for _, tk := range list {
				got = append(got, tk.Ref)
			}
			if !slices.Equal(got, v.want) {
				t.Errorf("tickets of %+v: %v, want %v", v.who, got, v.want)
			}
			everyone := []string{s.refund, s.indo, s.unknown, s.revocation, s.mismatch, second}
			for _, ref := range everyone {
				tk, err := f.svc.Records.RequesterTicket(f.ctx, v.who, ref)
				if slices.Contains(v.want, ref) {
					if err != nil || tk.Ref != ref {
						t.Errorf("%+v reading own %s: %v", v.who, ref, err)
					}
				} else if !errors.Is(err, tickets.ErrNotFound) || tk != nil {
					t.Errorf("%+v reading %s of someone else: %v, %v", v.who, ref, tk, err)
				}
			}
		}
		if _, err := f.svc.Records.RequesterTickets(f.ctx, tickets.Requester{Name: "Ayu"}, 0); !tickets.IsValidation(err) {
			t.Fatalf("no identity: %v", err)
		}
		if _, err := f.svc.Records.RequesterTicket(f.ctx, tickets.Requester{Email: "ayu@example.com"}, "RD-999999"); !errors.Is(err, tickets.ErrNotFound) {
			t.Fatalf("no such ticket: %v", err)
		}
		if list, err := f.svc.Records.RequesterTickets(f.ctx, tickets.Requester{Email: "ayu@example.com"}, 1); err != nil || len(list) != 1 || list[0].Ref != second {
			t.Fatalf("limit 1: %v %v", list, err)
		}
	})
}
