package tickets_test

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"refunddesk/internal/storetest"
	"refunddesk/tickets"
)

// sources reads a ticket back from the store and returns its sources.
func (f *svcFixture) sources(ref string) tickets.Sources {
	f.t.Helper()
	return f.detail(ref).Sources
}

func srcWant(t *testing.T, what string, got tickets.Sources, want tickets.Sources) {
	t.Helper()
	if !maps.Equal(got, want) {
		t.Fatalf("%s: sources %v, want %v", what, got, want)
	}
}

// srcSteps are a verdict's steps as rule:outcome:code.
func srcSteps(el tickets.Eligibility) string {
	var out []string
	for _, r := range el.Rules {
		out = append(out, r.Rule+":"+r.Outcome+":"+r.Code)
	}
	return strings.Join(out, " ")
}

// Where each field came from is kept on the ticket, in the store, through
// a request, a request that joins it, an answer that fills a field and an
// agent's correction (issue 16).
func TestSourcesKept(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newSvcFixture(t, dialect, tickets.Options{})
		const order = "7301000000000000077"
		f.importPromos(svcPromotion(order, "@toko.dewi.id", 2000))

		t.Run("submit", func(t *testing.T) {
			f := f.with(t)
			req := svcRefund(svcOrderA, "@ayu_shop")
			req.Sources = tickets.Sources{"account": tickets.SourceSignature, "order": tickets.SourceForwarded}
			tk := f.submit(req).Ticket
			want := tickets.Sources{"kind": "text", "account": "signature", "order": "forwarded", "reason": "text"}
			srcWant(t, "the result", tk.Sources, want)
			srcWant(t, "read back", f.sources(tk.Ref), want)

			// A revocation keeps no reason, and no source for it.
			rev := tickets.SubmitRequest{Kind: tickets.KindRevocation, Channel: tickets.ChannelEmail,
				Requester: tickets.Requester{Email: "rev@example.com"}, Account: "@rev_acc", Reason: tickets.ReasonRejected,
				Sources: tickets.Sources{"reason": tickets.SourceForwarded, "account": tickets.SourceForwarded}}
			tk = f.submit(rev).Ticket
			srcWant(t, "revocation", f.sources(tk.Ref), tickets.Sources{"kind": "text", "account": "forwarded"})
		})

		t.Run("join fills a missing field with its source", func(t *testing.T) {
			f := f.with(t)
			req := svcRefund(svcOrderB, "@budi_store")
			req.Reason = ""
			tk := f.submit(req).Ticket
			srcWant(t, "before", f.sources(tk.Ref), tickets.Sources{"kind": "text", "account": "text", "order": "text"})
			join := svcRefund(svcOrderB, "")
			join.Evidence, join.Details = nil, "forwarding what the platform wrote"
			join.Reason, join.Sources = tickets.ReasonStoppedByPlatform, tickets.Sources{"reason": tickets.SourceForwarded}
			res := f.submit(join)
			if res.Outcome != tickets.OutcomeJoined || res.Ticket.Ref != tk.Ref {
				t.Fatalf("join: %s %s", res.Outcome, res.Ticket.Ref)
			}
			srcWant(t, "after", f.sources(tk.Ref),
				tickets.Sources{"kind": "text", "account": "text", "order": "text", "reason": "forwarded"})
		})

		t.Run("an answer fills a field with its source; an agent's correction is the agent's", func(t *testing.T) {
			f := f.with(t)
			req := svcRefund("7301000000000000088", "")
			req.Reason = ""
			tk := f.submit(req).Ticket // not on record: no account is taken
			if tk.Account != "" {
				t.Fatalf("an order not on record gave account %q", tk.Account)
			}
			_, err := f.svc.Intake.RequesterReply(f.ctx, tickets.RequesterUpdate{Ref: tk.Ref, Requester: req.Requester,
				Channel: tickets.ChannelEmail, Text: "Salam, Dewi (toko.dewi.id)", Account: "toko.dewi.id", Reason: tickets.ReasonTechnicalError,
				Sources: tickets.Sources{"account": tickets.SourceSignature}})
			if err != nil {
				t.Fatal(err)
			}
			srcWant(t, "answered", f.sources(tk.Ref),
				tickets.Sources{"kind": "text", "account": "signature", "order": "text", "reason": "text"})

			// The agent changes the account and the reason, gives the order as it is, and clears nothing.
			acc, order, reason := "@dewi_store", "7301000000000000088", "rejected"
			if _, err := f.svc.Desk.Edit(f.ctx, tk.Ref, "citra", tickets.Fields{Account: &acc, Order: &order, Reason: &reason}); err != nil {
				t.Fatal(err)
			}
			srcWant(t, "corrected", f.sources(tk.Ref),
				tickets.Sources{"kind": "text", "account": "agent", "order": "text", "reason": "agent"})
			// A field cleared has no source.
			empty := ""
			if _, err := f.svc.Desk.Edit(f.ctx, tk.Ref, "citra", tickets.Fields{Reason: &empty}); err != nil {
				t.Fatal(err)
			}
			srcWant(t, "cleared", f.sources(tk.Ref), tickets.Sources{"kind": "text", "account": "agent", "order": "text"})
		})

		t.Run("sources a channel may not give are refused, nothing changed", func(t *testing.T) {
			f := f.with(t)
			before := f.rowCounts()
			for _, s := range []tickets.Sources{{"account": tickets.SourceAgent}, {"order": tickets.SourceAgent},
				{"reason": "guess"}, {"amount": tickets.SourceText}} {
				req := svcRefund(svcOrderC, "@citra")
				req.Sources = s
				_, err := f.svc.Intake.Submit(f.ctx, req)
				svcWantFields(t, err, "sources")
			}
			if after := f.rowCounts(); !maps.Equal(before, after) {
				t.Fatalf("refused requests wrote: %v, then %v", before, after)
			}
			tk := f.submit(svcRefund(svcOrderC, "@citra")).Ticket
			was := f.detail(tk.Ref)
			_, err := f.svc.Intake.RequesterReply(f.ctx, tickets.RequesterUpdate{Ref: tk.Ref, Requester: tickets.Requester{Email: "ayu@example.com"},
				Channel: tickets.ChannelEmail, Text: "again", Account: "@citra2", Sources: tickets.Sources{"account": tickets.SourceAgent}})
			svcWantFields(t, err, "sources")
			svcSameDetail(t, was, f.detail(tk.Ref))
		})
	})
}

// A refund that names an order on record and no account takes the record's
// account, marked as taken from the record, whatever channel it came by;
// the verdict does not count it as the requester showing the order is
// theirs, and the requester is not told it.
func TestSourcesAccountFromRecord(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newSvcFixture(t, dialect, tickets.Options{})
		const account = "@toko.dewi.id"
		orders := []string{"7301000000000000101", "7301000000000000102", "7301000000000000103", "7301000000000000104",
			"7301000000000000105", "7301000000000000106", "7301000000000000107"}
		var promos []tickets.Promotion
		for _, o := range orders {
			promos = append(promos, svcPromotion(o, account, 2000)) // delivered 20%: eligible when shown
		}
		f.importPromos(promos...)

		for i, tc := range []struct {
			name string
			req  func(r *tickets.SubmitRequest)
		}{
			{"mail", func(r *tickets.SubmitRequest) {}},
			{"discord", func(r *tickets.SubmitRequest) {
				r.Channel, r.Requester = tickets.ChannelDiscord, tickets.Requester{DiscordID: "4242", Name: "dewi"}
			}},
			{"agent", func(r *tickets.SubmitRequest) { r.Channel, r.Actor = tickets.ChannelAgent, "citra" }},
		} {
			t.Run(tc.name, func(t *testing.T) {
				f := f.with(t)
				req := svcRefund(orders[i], "")
				tc.req(&req)
				res := f.submit(req)
				d := f.detail(res.Ticket.Ref)
				if d.Account != account || d.Sources.Of("account") != tickets.SourceRecord || res.Ticket.Sources.Of("account") != tickets.SourceRecord {
					t.Fatalf("account %q from %q (result: %v)", d.Account, d.Sources.Of("account"), res.Ticket.Sources)
				}
				want := "order_given:pass:order_given order_on_record:pass:order_on_record " +
					"account_given:pass:account_from_record account_matches:needs_info:account_not_shown"
				if got := srcSteps(d.Eligibility); got != want || d.Status != tickets.StatusNeedsInfo {
					t.Fatalf("%s, verdict:\n %s\nwant\n %s", d.Status, got, want)
				}
				if d.HasFlag(tickets.FlagAccountMismatch) {
					t.Fatal("an account taken from the record flagged as a mismatch")
				}
				// What goes to the requester asks for the account and never names the record's.
				for _, o := range d.Outbox {
					b, _ := json.Marshal(o)
					if strings.Contains(strings.ToLower(string(b)), "toko.dewi") {
						t.Fatalf("the %s message names the record's account: %s", o.Template, b)
					}
				}
				if tc.name != "agent" {
					ack := d.Outbox[0]
					if ack.Template != tickets.TemplateAcknowledgement || !strings.Contains(strings.Join(ack.Data.Missing, ","), "account") {
						t.Fatalf("the acknowledgement: %s missing %v", ack.Template, ack.Data.Missing)
					}
				}
			})
		}

		t.Run("the requester naming the account shows it", func(t *testing.T) {
			f := f.with(t)
			tk := f.submit(svcRefund(orders[3], "")).Ticket
			_, err := f.svc.Intake.RequesterReply(f.ctx, tickets.RequesterUpdate{Ref: tk.Ref, Requester: tickets.Requester{Email: "ayu@example.com"},
				Channel: tickets.ChannelEmail, Text: "akun saya toko.dewi.id", Account: "toko.dewi.id"})
			if err != nil {
				t.Fatal(err)
			}
			d := f.detail(tk.Ref)
			if d.Sources.Of("account") != tickets.SourceText || d.Eligibility.Verdict != tickets.VerdictEligible ||
				!strings.Contains(srcSteps(d.Eligibility), "account_matches:pass:account_matches") {
				t.Fatalf("after the answer: %s from %s, %s", d.Account, d.Sources.Of("account"), srcSteps(d.Eligibility))
			}
		})

		t.Run("an account a channel took from the record is the record's", func(t *testing.T) {
			f := f.with(t)
			for i, acc := range []string{account, "@stale_lookup"} {
				req := svcRefund(orders[5+i], acc)
				req.Sources = tickets.Sources{"account": tickets.SourceRecord}
				d := f.detail(f.submit(req).Ticket.Ref)
				if d.Account != account || d.Sources.Of("account") != tickets.SourceRecord || d.HasFlag(tickets.FlagAccountMismatch) ||
					!strings.HasSuffix(srcSteps(d.Eligibility), "account_matches:needs_info:account_not_shown") {
					t.Fatalf("given %s: %s from %s, %v %s", acc, d.Account, d.Sources.Of("account"), d.Flags, srcSteps(d.Eligibility))
				}
				// An answer with such an account gives nothing.
				res, err := f.svc.Intake.RequesterReply(f.ctx, tickets.RequesterUpdate{Ref: d.Ref, Requester: tickets.Requester{Email: "ayu@example.com"},
					Channel: tickets.ChannelEmail, Text: "any news?", Account: acc, Sources: tickets.Sources{"account": tickets.SourceRecord}})
				if err != nil {
					t.Fatal(err)
				}
				a := f.detail(res.Ticket.Ref)
				if a.Sources.Of("account") != tickets.SourceRecord || svcLastAudit(t, a).Action == "edit" ||
					slices.Contains(svcAuditActions(a), "edit") {
					t.Fatalf("after an answer: %s from %s, audit %v", a.Account, a.Sources.Of("account"), svcAuditActions(a))
				}
			}
		})

		t.Run("an account that disagrees with the record is as before", func(t *testing.T) {
			f := f.with(t)
			tk := f.submit(svcRefund(orders[4], "@someone_else")).Ticket
			d := f.detail(tk.Ref)
			if d.Account != "@someone_else" || d.Sources.Of("account") != tickets.SourceText || d.Status != tickets.StatusInReview ||
				!d.HasFlag(tickets.FlagAccountMismatch) || !strings.HasSuffix(srcSteps(d.Eligibility), "account_matches:needs_review:account_mismatch") {
				t.Fatalf("%s from %s, %s %v %s", d.Account, d.Sources.Of("account"), d.Status, d.Flags, srcSteps(d.Eligibility))
			}
		})
	})
}

// An account taken from a record follows the order: an agent who changes
// the order gives the ticket the new order's account (still the record's),
// one whose order is not on record has none; an agent who writes an account
// makes it theirs, and the verdict compares it with the record as always.
func TestSourcesRecordAccountFollowsOrder(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newSvcFixture(t, dialect, tickets.Options{})
		f.importPromos(svcPromotion("7301000000000000201", "@first", 2000), svcPromotion("7301000000000000202", "@second", 2000))
		tk := f.submit(svcRefund("7301000000000000201", "")).Ticket
		edit := func(fl tickets.Fields) *tickets.TicketDetail {
			t.Helper()
			if _, err := f.svc.Desk.Edit(f.ctx, tk.Ref, "citra", fl); err != nil {
				t.Fatal(err)
			}
			return f.detail(tk.Ref)
		}
		d := edit(tickets.Fields{Order: svcPtr("7301000000000000202")})
		if d.Account != "@second" || d.Sources.Of("account") != tickets.SourceRecord || d.Sources.Of("order") != tickets.SourceAgent {
			t.Fatalf("order changed: %s from %v", d.Account, d.Sources)
		}
		d = edit(tickets.Fields{Order: svcPtr("7301000000000000299")})
		if d.Account != "" || d.Sources["account"] != "" {
			t.Fatalf("order not on record: %q from %v", d.Account, d.Sources)
		}
		d = edit(tickets.Fields{Order: svcPtr("7301000000000000202"), Account: svcPtr("@wrong")})
		if d.Account != "@wrong" || d.Sources.Of("account") != tickets.SourceAgent || !d.HasFlag(tickets.FlagAccountMismatch) {
			t.Fatalf("an agent's account: %s from %v, flags %v", d.Account, d.Sources, d.Flags)
		}
		d = edit(tickets.Fields{Account: svcPtr("@second")})
		if d.Eligibility.Verdict != tickets.VerdictEligible || d.HasFlag(tickets.FlagAccountMismatch) {
			t.Fatalf("an agent's matching account: %s %v", srcSteps(d.Eligibility), d.Flags)
		}
	})
}

// Someone who is not the ticket's requester, writing about its order with no
// account, is shown nothing of the record: their result has no account.
func TestSourcesRecordAccountNotShownToOthers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newSvcFixture(t, dialect, tickets.Options{})
		const order = "7301000000000000301"
		f.importPromos(svcPromotion(order, "@owner_acc", 2000))
		f.submit(svcRefund(order, "@owner_acc"))
		other := svcRefund(order, "")
		other.Requester = tickets.Requester{Email: "mallory@example.com"}
		res := f.submit(other)
		if res.Outcome != tickets.OutcomeReceived || res.Ticket.Account != "" || res.Ticket.Sources["account"] != "" {
			t.Fatalf("%s: account %q, sources %v", res.Outcome, res.Ticket.Account, res.Ticket.Sources)
		}
	})
}

// Someone naming an order that is not theirs is told their account differs
// from the order's, never which account the order is on record for; the
// agents' verdict keeps it.
func TestOwnersAccountNotShownToAStranger(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newSvcFixture(t, dialect, tickets.Options{})
		const order = "7301000000000000302"
		f.importPromos(svcPromotion(order, "@owner_acc", 2000))
		req := svcRefund(order, "@mallory_shop")
		req.Requester = tickets.Requester{Email: "mallory@example.com"}
		res := f.submit(req)
		if !res.Ticket.HasFlag(tickets.FlagAccountMismatch) || !strings.Contains(fmt.Sprint(res.Ticket.Eligibility.Rules), "@owner_acc") {
			t.Fatalf("the agents' verdict: %+v", res.Ticket.Eligibility.Rules)
		}
		d, err := f.svc.Records.Detail(f.ctx, res.Ticket.Ref)
		if err != nil {
			t.Fatal(err)
		}
		if len(d.Outbox) == 0 {
			t.Fatal("no acknowledgement queued")
		}
		for _, it := range d.Outbox {
			if strings.Contains(fmt.Sprintf("%+v", it.Data), "owner_acc") {
				t.Fatalf("the requester's %s names the owner's account: %+v", it.Template, it.Data)
			}
		}
	})
}
