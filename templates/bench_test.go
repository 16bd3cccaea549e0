package templates

import (
	"log/slog"
	"slices"
	"testing"
	"time"

	"refunddesk/tickets"
)

// BenchmarkNewCatalog is what loading the catalogs costs at start-up.
func BenchmarkNewCatalog(b *testing.B) {
	for b.Loop() {
		if _, err := NewCatalog(slog.New(slog.DiscardHandler)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRule writes the longest explanation (under_delivery's, with
// money, counts and shares) in Indonesian.
func BenchmarkRule(b *testing.B) {
	c, err := NewCatalog(slog.New(slog.DiscardHandler))
	if err != nil {
		b.Fatal(err)
	}
	s := tickets.RuleStep{Rule: tickets.RuleUnderDelivery, Outcome: string(tickets.VerdictEligible), Code: tickets.CodeDeliveryShortLess,
		Params: tickets.RuleParams{Currency: "IDR", Paid: 150000, Shortfall: 105000, Refunded: 20000, Refund: 85000,
			Delivered: 3000, Promised: 10000, ThresholdPercent: 80}}
	for b.Loop() {
		if c.Rule(s, tickets.LangIndonesian) == "" {
			b.Fatal("empty")
		}
	}
}

// BenchmarkRenderDenied renders a denial email with an explanation.
func BenchmarkRenderDenied(b *testing.B) {
	e, err := New(WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		b.Fatal(err)
	}
	d := sample(tickets.LangIndonesian)
	d.Verdict, d.Text = tickets.VerdictIneligible, "x"
	d.Explanation = []tickets.RuleStep{{Rule: tickets.RuleNonRefundable, Outcome: string(tickets.VerdictIneligible), Code: tickets.CodeClosedEarly}}
	for b.Loop() {
		if _, err := e.Render(FlavourEmail, tickets.TemplateDenied, d); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkExplainTicket fills in the words of a typical verdict (nine
// steps, an eligible under_delivery refund) in English and Indonesian, as
// the API and the CLI do for each ticket they show as JSON.
func BenchmarkExplainTicket(b *testing.B) {
	c, err := NewCatalog(slog.New(slog.DiscardHandler))
	if err != nil {
		b.Fatal(err)
	}
	ended := time.Date(2026, 11, 10, 12, 0, 0, 0, time.UTC)
	el := tickets.DefaultPolicy().Evaluate(tickets.EvalInput{Kind: tickets.KindRefund, Account: "@ayu", Order: "7301",
		Reason: tickets.ReasonUnderDelivery, EvidenceCount: 1, Now: ended.AddDate(0, 0, 11),
		Promotion: &tickets.Promotion{OrderNumber: "7301", Account: "@ayu", Amount: 150000, Currency: "IDR", EndAt: &ended,
			Status: tickets.PromoCompleted, PromisedReach: 10000, DeliveredReach: 3000, Spend: 150000}})
	if len(el.Rules) != 9 {
		b.Fatalf("%d steps", len(el.Rules))
	}
	for b.Loop() {
		t := tickets.Ticket{Language: tickets.LangIndonesian, Eligibility: el}
		t.Eligibility.Rules = slices.Clone(el.Rules)
		c.Explain(&t)
	}
}

// BenchmarkMoney writes an amount as a requester reads it: rupiah in
// Indonesian (a currency with a format of its own) and dollars in English.
func BenchmarkMoney(b *testing.B) {
	c, err := NewCatalog(slog.New(slog.DiscardHandler))
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if c.Money(15000000, "IDR", tickets.LangIndonesian) == "" || c.Money(14670, "USD", tickets.LangEnglish) == "" {
			b.Fatal("empty")
		}
	}
}
