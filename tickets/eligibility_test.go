// The eligibility tests read the verdicts through the message catalog, as
// the channels do; templates imports tickets, so they are outside the
// package (and import it with a dot, as the tests inside did).
package tickets_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"refunddesk/templates"
	. "refunddesk/tickets"
)

// words is the message catalog the tests read verdicts with; a message
// missing from it (or one that does not render) fails the test.
func words(t *testing.T) *templates.Catalog {
	t.Helper()
	cat, err := templates.NewCatalog(slog.New(failOnLog{t}))
	if err != nil {
		t.Fatal(err)
	}
	return cat
}

// failOnLog fails the test on any record logged: the catalog logs only a
// message missing or broken.
type failOnLog struct{ t *testing.T }

func (h failOnLog) Enabled(context.Context, slog.Level) bool { return true }
func (h failOnLog) Handle(_ context.Context, r slog.Record) error {
	var attrs []string
	r.Attrs(func(a slog.Attr) bool { attrs = append(attrs, a.String()); return true })
	h.t.Errorf("catalog: %s %s", r.Message, strings.Join(attrs, " "))
	return nil
}
func (h failOnLog) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h failOnLog) WithGroup(string) slog.Handler      { return h }

// evalNow is the fixed "now" of every eligibility test.
var evalNow = time.Date(2026, 11, 21, 8, 0, 0, 0, time.UTC)

const (
	evalOrder = "7301234567890123456"
	evalTwin  = "7301234567890123457"
	evalTwin2 = "7301234567890123458"
)

func evalTimePtr(t time.Time) *time.Time { return &t }

// basePromotion is a completed promotion that ended 11 days before evalNow and
// delivered 30 % of its promised reach.
func basePromotion() Promotion {
	return Promotion{
		OrderNumber:    evalOrder,
		Account:        "@ayu.creator",
		VideoID:        "7299000000000000001",
		Objective:      "views",
		Amount:         150000,
		Currency:       "IDR",
		PaymentMethod:  "wallet",
		CreatedAt:      time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC),
		StartAt:        evalTimePtr(time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)),
		EndAt:          evalTimePtr(time.Date(2026, 11, 10, 12, 0, 0, 0, time.UTC)),
		Status:         PromoCompleted,
		PromisedReach:  10000,
		DeliveredReach: 3000,
		Spend:          150000,
	}
}

// baseInput is a refund request for basePromotion with one evidence file.
func baseInput(reason Reason) EvalInput {
	pr := basePromotion()
	return EvalInput{
		Kind:          KindRefund,
		Account:       "@ayu.creator",
		Order:         evalOrder,
		Reason:        reason,
		Language:      LangEnglish,
		EvidenceCount: 1,
		Promotion:     &pr,
		Now:           evalNow,
	}
}

// twinOf returns a copy of the base promotion created d later (or earlier).
func twinOf(order string, d time.Duration) Promotion {
	tw := basePromotion()
	tw.OrderNumber = order
	tw.CreatedAt = tw.CreatedAt.Add(d)
	return tw
}

// ruleList writes the steps of a verdict as "rule:outcome".
func ruleList(e Eligibility) []string {
	out := make([]string, len(e.Rules))
	for i, r := range e.Rules {
		out[i] = r.Rule + ":" + r.Outcome
	}
	return out
}

// refundPasses are the checks that run before the reason when all pass.
var refundPasses = []string{
	"order_given:pass", "order_on_record:pass", "account_given:pass",
	"account_matches:pass", "not_refunded:pass", "refund_window:pass",
}

// passed returns the refund checks that all passed, then more.
func passed(more ...string) []string {
	return append(slices.Clone(refundPasses), more...)
}

type evalCase struct {
	name     string
	policy   func(*Policy)
	in       func(*EvalInput)
	verdict  Verdict
	amount   int64
	currency string
	rules    []string
	// detail, when set, is the exact English sentence of the deciding step.
	detail string
	// contains, when set, must be part of the deciding step's English
	// sentence.
	contains []string
	// bug, when set, names a known defect: the case asserts the correct
	// behaviour and is skipped (not failed) while the code gets it wrong.
	bug string
}

func runEvalCases(t *testing.T, cases []evalCase, base func() EvalInput) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cat := words(t)
			p := DefaultPolicy()
			if c.policy != nil {
				c.policy(p)
			}
			in := base()
			if c.in != nil {
				c.in(&in)
			}
			got := p.Evaluate(in)
			var problems []string
			if got.Verdict != c.verdict {
				problems = append(problems, fmt.Sprintf("verdict = %s, want %s", got.Verdict, c.verdict))
			}
			if got.RefundAmount != c.amount {
				problems = append(problems, fmt.Sprintf("refund amount = %d, want %d", got.RefundAmount, c.amount))
			}
			if got.Currency != c.currency {
				problems = append(problems, fmt.Sprintf("currency = %q, want %q", got.Currency, c.currency))
			}
			if rl := ruleList(got); !slices.Equal(rl, c.rules) {
				problems = append(problems, fmt.Sprintf("rules =\n  %s\nwant\n  %s", strings.Join(rl, "\n  "), strings.Join(c.rules, "\n  ")))
			}
			if !got.EvaluatedAt.Equal(in.Now) {
				problems = append(problems, fmt.Sprintf("evaluated at %v, want %v", got.EvaluatedAt, in.Now))
			}
			last, ok := got.Deciding()
			if !ok {
				problems = append(problems, "no deciding step")
			} else {
				if last.Outcome != string(got.Verdict) {
					problems = append(problems, fmt.Sprintf("deciding step outcome %q differs from the verdict %q", last.Outcome, got.Verdict))
				}
				detail := cat.Rule(last, LangEnglish)
				if c.detail != "" && detail != c.detail {
					problems = append(problems, fmt.Sprintf("detail =\n  %q\nwant\n  %q", detail, c.detail))
				}
				for _, s := range c.contains {
					if !strings.Contains(detail, s) {
						problems = append(problems, fmt.Sprintf("detail %q does not contain %q", detail, s))
					}
				}
			}
			for i, r := range got.Rules {
				if r.Code == "" || cat.Rule(r, LangEnglish) == "" || cat.Rule(r, in.Language) == "" {
					problems = append(problems, fmt.Sprintf("step %d (%s) has no sentence", i, r.Rule))
				}
				// Only the last step decides; an unverified sender or a
				// guessed reading may overrule an eligible verdict in one
				// more step.
				next := ""
				if i == len(got.Rules)-2 {
					next = got.Rules[i+1].Rule
				}
				overruled := (next == RuleSenderVerified || next == RuleReadingConfirmed) && r.Outcome == string(VerdictEligible)
				if i < len(got.Rules)-1 && r.Outcome != OutcomePass && !overruled {
					problems = append(problems, fmt.Sprintf("step %d (%s) is %q but is not the last step", i, r.Rule, r.Outcome))
				}
			}
			if len(problems) == 0 {
				return
			}
			msg := strings.Join(problems, "\n")
			if c.bug != "" {
				t.Fatalf("%s\n%s", c.bug, msg)
			}
			t.Error(msg)
		})
	}
}

// TestEvaluateRefundChecks covers the checks that run before the reason, in
// their order: each one decides when it fails and lists those before it.
func TestEvaluateRefundChecks(t *testing.T) {
	cases := []evalCase{
		{
			name:     "no order number",
			in:       func(in *EvalInput) { in.Order = ""; in.Promotion = nil },
			verdict:  VerdictNeedsInfo,
			rules:    []string{"order_given:needs_info"},
			detail:   "No order number was given; it is needed to find the promotion.",
			currency: "",
		},
		{
			name:    "no order number, even with a record and no account",
			in:      func(in *EvalInput) { in.Order = ""; in.Account = "" },
			verdict: VerdictNeedsInfo,
			rules:   []string{"order_given:needs_info"},
		},
		{
			name:    "order not on record",
			in:      func(in *EvalInput) { in.Promotion = nil },
			verdict: VerdictNeedsInfo,
			rules:   []string{"order_given:pass", "order_on_record:needs_info"},
			detail:  "Order 7301234567890123456 is not in the promotion records; the number needs checking.",
		},
		{
			name:     "no account",
			in:       func(in *EvalInput) { in.Account = "" },
			verdict:  VerdictNeedsInfo,
			currency: "IDR",
			rules:    []string{"order_given:pass", "order_on_record:pass", "account_given:needs_info"},
			detail:   "No account name was given.",
		},
		{
			name:     "account differs from the order's",
			in:       func(in *EvalInput) { in.Account = "@someone.else" },
			verdict:  VerdictNeedsReview,
			currency: "IDR",
			rules:    []string{"order_given:pass", "order_on_record:pass", "account_given:pass", "account_matches:needs_review"},
			detail:   "The account @someone.else differs from the order's account @ayu.creator; an agent will check who owns the order.",
		},
		{
			name:     "account differs only by a suffix",
			in:       func(in *EvalInput) { in.Account = "@ayu.creator2" },
			verdict:  VerdictNeedsReview,
			currency: "IDR",
			rules:    []string{"order_given:pass", "order_on_record:pass", "account_given:pass", "account_matches:needs_review"},
		},
		{
			name:     "account matches without @ and in another case",
			in:       func(in *EvalInput) { in.Account = "AYU.Creator" },
			verdict:  VerdictEligible,
			amount:   105000,
			currency: "IDR",
			rules:    passed("promotion_finished:pass", "evidence:pass", "under_delivery:eligible"),
		},
		{
			name:     "account matches with surrounding spaces",
			in:       func(in *EvalInput) { in.Account = "  @Ayu.Creator " },
			verdict:  VerdictEligible,
			amount:   105000,
			currency: "IDR",
			rules:    passed("promotion_finished:pass", "evidence:pass", "under_delivery:eligible"),
		},
		{
			name: "record's account without @",
			in: func(in *EvalInput) {
				in.Promotion.Account = "ayu.creator"
			},
			verdict:  VerdictEligible,
			amount:   105000,
			currency: "IDR",
			rules:    passed("promotion_finished:pass", "evidence:pass", "under_delivery:eligible"),
		},
		{
			name:     "refunded in full already",
			in:       func(in *EvalInput) { in.Promotion.Refunded = 150000 },
			verdict:  VerdictIneligible,
			currency: "IDR",
			rules:    []string{"order_given:pass", "order_on_record:pass", "account_given:pass", "account_matches:pass", "not_refunded:ineligible"},
			detail:   "This order has already been refunded (IDR 150,000 of IDR 150,000).",
		},
		{
			name:     "refunded more than the amount",
			in:       func(in *EvalInput) { in.Promotion.Refunded = 150001 },
			verdict:  VerdictIneligible,
			currency: "IDR",
			rules:    []string{"order_given:pass", "order_on_record:pass", "account_given:pass", "account_matches:pass", "not_refunded:ineligible"},
		},
		{
			name:     "a wrong account is reported before a full refund",
			in:       func(in *EvalInput) { in.Account = "@other"; in.Promotion.Refunded = 150000 },
			verdict:  VerdictNeedsReview,
			currency: "IDR",
			rules:    []string{"order_given:pass", "order_on_record:pass", "account_given:pass", "account_matches:needs_review"},
		},
		{
			name: "ended more than 30 days ago",
			in: func(in *EvalInput) {
				in.Promotion.EndAt = evalTimePtr(evalNow.Add(-30*24*time.Hour - time.Second))
			},
			verdict:  VerdictIneligible,
			currency: "IDR",
			rules:    []string{"order_given:pass", "order_on_record:pass", "account_given:pass", "account_matches:pass", "not_refunded:pass", "refund_window:ineligible"},
			detail:   "The promotion ended on 22 Oct 2026, more than 30 days ago: the refund window closed on 21 Nov 2026.",
		},
		{
			name: "ended exactly 30 days ago is still inside",
			in: func(in *EvalInput) {
				in.Promotion.EndAt = evalTimePtr(evalNow.Add(-30 * 24 * time.Hour))
			},
			verdict:  VerdictEligible,
			amount:   105000,
			currency: "IDR",
			rules:    passed("promotion_finished:pass", "evidence:pass", "under_delivery:eligible"),
		},
		{
			name: "closed early before its end: the close counts",
			in: func(in *EvalInput) {
				in.Promotion.EndAt = evalTimePtr(evalNow.Add(-5 * 24 * time.Hour))
				in.Promotion.ClosedAt = evalTimePtr(evalNow.Add(-31 * 24 * time.Hour))
				in.Promotion.Status = PromoClosed
			},
			verdict:  VerdictIneligible,
			currency: "IDR",
			rules:    []string{"order_given:pass", "order_on_record:pass", "account_given:pass", "account_matches:pass", "not_refunded:pass", "refund_window:ineligible"},
		},
		{
			name: "closed after its end: the end counts",
			in: func(in *EvalInput) {
				in.Promotion.EndAt = evalTimePtr(evalNow.Add(-31 * 24 * time.Hour))
				in.Promotion.ClosedAt = evalTimePtr(evalNow.Add(-5 * 24 * time.Hour))
			},
			verdict:  VerdictIneligible,
			currency: "IDR",
			rules:    []string{"order_given:pass", "order_on_record:pass", "account_given:pass", "account_matches:pass", "not_refunded:pass", "refund_window:ineligible"},
		},
		{
			name: "closed only, long ago",
			in: func(in *EvalInput) {
				in.Promotion.EndAt = nil
				in.Promotion.ClosedAt = evalTimePtr(evalNow.Add(-40 * 24 * time.Hour))
				in.Promotion.Status = PromoClosed
			},
			verdict:  VerdictIneligible,
			currency: "IDR",
			rules:    []string{"order_given:pass", "order_on_record:pass", "account_given:pass", "account_matches:pass", "not_refunded:pass", "refund_window:ineligible"},
		},
		{
			name: "closed only, recently",
			in: func(in *EvalInput) {
				in.Promotion.EndAt = nil
				in.Promotion.ClosedAt = evalTimePtr(evalNow.Add(-2 * 24 * time.Hour))
				in.Promotion.Status = PromoClosed
			},
			verdict:  VerdictEligible,
			amount:   105000,
			currency: "IDR",
			rules:    passed("promotion_finished:pass", "evidence:pass", "under_delivery:eligible"),
		},
		{
			name: "rejected: the window runs from creation",
			in: func(in *EvalInput) {
				in.Reason = ReasonRejected
				in.Promotion.Status = PromoRejected
				in.Promotion.CreatedAt = evalNow.Add(-31 * 24 * time.Hour)
				in.Promotion.EndAt = evalTimePtr(evalNow.Add(-1 * 24 * time.Hour))
			},
			verdict:  VerdictIneligible,
			currency: "IDR",
			rules:    []string{"order_given:pass", "order_on_record:pass", "account_given:pass", "account_matches:pass", "not_refunded:pass", "refund_window:ineligible"},
		},
		{
			name: "rejected recently, no end",
			in: func(in *EvalInput) {
				in.Reason = ReasonRejected
				in.Promotion.Status = PromoRejected
				in.Promotion.CreatedAt = evalNow.Add(-29 * 24 * time.Hour)
				in.Promotion.StartAt, in.Promotion.EndAt = nil, nil
			},
			verdict:  VerdictEligible,
			amount:   150000,
			currency: "IDR",
			rules:    passed("rejected:eligible"),
		},
		{
			name: "not ended: the window is open",
			in: func(in *EvalInput) {
				in.Reason = ReasonTechnicalError
				in.Promotion.Status = PromoRunning
				in.Promotion.EndAt = nil
				in.Promotion.Incident = true
			},
			verdict:  VerdictEligible,
			amount:   150000,
			currency: "IDR",
			rules:    passed("evidence:pass", "technical_error:eligible"),
		},
		{
			name:   "a policy with a 7-day window",
			policy: func(p *Policy) { p.WindowDays = 7 },
			in: func(in *EvalInput) {
				in.Promotion.EndAt = evalTimePtr(evalNow.Add(-8 * 24 * time.Hour))
			},
			verdict:  VerdictIneligible,
			currency: "IDR",
			rules:    []string{"order_given:pass", "order_on_record:pass", "account_given:pass", "account_matches:pass", "not_refunded:pass", "refund_window:ineligible"},
			contains: []string{"more than 7 days ago"},
		},
		{
			name: "the window is checked before the reason",
			in: func(in *EvalInput) {
				in.Reason = ""
				in.Promotion.EndAt = evalTimePtr(evalNow.Add(-60 * 24 * time.Hour))
			},
			verdict:  VerdictIneligible,
			currency: "IDR",
			rules:    []string{"order_given:pass", "order_on_record:pass", "account_given:pass", "account_matches:pass", "not_refunded:pass", "refund_window:ineligible"},
		},
		{
			name:     "no reason",
			in:       func(in *EvalInput) { in.Reason = "" },
			verdict:  VerdictNeedsInfo,
			currency: "IDR",
			rules:    passed("reason_given:needs_info"),
			detail:   "No reason was given for the refund.",
		},
	}
	runEvalCases(t, cases, func() EvalInput { return baseInput(ReasonUnderDelivery) })
}

func TestEvaluateUnderDelivery(t *testing.T) {
	cases := []evalCase{
		{
			name:     "delivered 30% of promised",
			verdict:  VerdictEligible,
			amount:   105000, // 150000 × 7000 / 10000
			currency: "IDR",
			rules:    passed("promotion_finished:pass", "evidence:pass", "under_delivery:eligible"),
			detail:   "Delivered 3,000 of the 10,000 promised (30%), below the 80% minimum: the missing 70% of IDR 150,000 is refunded, IDR 105,000.",
		},
		{
			name:     "still running",
			in:       func(in *EvalInput) { in.Promotion.Status = PromoRunning; in.Promotion.EndAt = nil },
			verdict:  VerdictNeedsReview,
			currency: "IDR",
			rules:    passed("promotion_finished:needs_review"),
			detail:   "The promotion is still running, so its final reach is not known yet; an agent will review.",
		},
		{
			name:     "still running, without evidence: running decides first",
			in:       func(in *EvalInput) { in.Promotion.Status = PromoRunning; in.EvidenceCount = 0 },
			verdict:  VerdictNeedsReview,
			currency: "IDR",
			rules:    passed("promotion_finished:needs_review"),
		},
		{
			name:     "no evidence",
			in:       func(in *EvalInput) { in.EvidenceCount = 0 },
			verdict:  VerdictNeedsInfo,
			currency: "IDR",
			rules:    passed("promotion_finished:pass", "evidence:needs_info"),
			detail:   "Evidence is needed for this reason: a screenshot of the promotion's results.",
		},
		{
			name:     "evidence not required by the policy",
			policy:   func(p *Policy) { p.UnderDelivery.RequireEvidence = false },
			in:       func(in *EvalInput) { in.EvidenceCount = 0 },
			verdict:  VerdictEligible,
			amount:   105000,
			currency: "IDR",
			rules:    passed("promotion_finished:pass", "under_delivery:eligible"),
		},
		{
			name:     "exactly 80% is not eligible",
			in:       func(in *EvalInput) { in.Promotion.DeliveredReach = 8000 },
			verdict:  VerdictIneligible,
			currency: "IDR",
			rules:    passed("promotion_finished:pass", "evidence:pass", "under_delivery:ineligible"),
			detail:   "Delivered 8,000 of the 10,000 promised (80%), not below the 80% minimum.",
		},
		{
			name:     "just below 80%",
			in:       func(in *EvalInput) { in.Promotion.DeliveredReach = 7999 },
			verdict:  VerdictEligible,
			amount:   30015, // 150000 × 2001 / 10000
			currency: "IDR",
			rules:    passed("promotion_finished:pass", "evidence:pass", "under_delivery:eligible"),
		},
		{
			name:     "more than promised",
			in:       func(in *EvalInput) { in.Promotion.DeliveredReach = 12000 },
			verdict:  VerdictIneligible,
			currency: "IDR",
			rules:    passed("promotion_finished:pass", "evidence:pass", "under_delivery:ineligible"),
		},
		{
			name:     "delivered nothing: the whole amount",
			in:       func(in *EvalInput) { in.Promotion.DeliveredReach = 0 },
			verdict:  VerdictEligible,
			amount:   150000,
			currency: "IDR",
			rules:    passed("promotion_finished:pass", "evidence:pass", "under_delivery:eligible"),
		},
		{
			name: "the share is rounded down",
			in: func(in *EvalInput) {
				in.Promotion.Amount, in.Promotion.Currency = 100, "USD"
				in.Promotion.PromisedReach, in.Promotion.DeliveredReach = 3, 1
			},
			verdict:  VerdictEligible,
			amount:   66, // floor(100 × 2 / 3)
			currency: "USD",
			rules:    passed("promotion_finished:pass", "evidence:pass", "under_delivery:eligible"),
		},
		{
			name:     "the share is rounded down (odd amount)",
			in:       func(in *EvalInput) { in.Promotion.Amount = 150001 },
			verdict:  VerdictEligible,
			amount:   105000, // floor(150001 × 0.7) = floor(105000.7)
			currency: "IDR",
			rules:    passed("promotion_finished:pass", "evidence:pass", "under_delivery:eligible"),
		},
		{
			name:     "no promised reach on record",
			in:       func(in *EvalInput) { in.Promotion.PromisedReach = 0 },
			verdict:  VerdictNeedsReview,
			currency: "IDR",
			rules:    passed("promotion_finished:pass", "evidence:pass", "under_delivery:needs_review"),
			detail:   "The record has no promised reach to compare the delivery with; an agent will review.",
		},
		{
			name:     "a policy threshold of 50%: 30% is still eligible",
			policy:   func(p *Policy) { p.UnderDelivery.ThresholdPercent = 50 },
			verdict:  VerdictEligible,
			amount:   105000,
			currency: "IDR",
			rules:    passed("promotion_finished:pass", "evidence:pass", "under_delivery:eligible"),
		},
		{
			name:     "a policy threshold of 50%: 60% is not",
			policy:   func(p *Policy) { p.UnderDelivery.ThresholdPercent = 50 },
			in:       func(in *EvalInput) { in.Promotion.DeliveredReach = 6000 },
			verdict:  VerdictIneligible,
			currency: "IDR",
			rules:    passed("promotion_finished:pass", "evidence:pass", "under_delivery:ineligible"),
			contains: []string{"not below the 50% minimum"},
		},
		{
			name:     "part refunded already: the shortfall less the refund",
			in:       func(in *EvalInput) { in.Promotion.Refunded = 20000 },
			verdict:  VerdictEligible,
			amount:   85000, // 105000 − 20000
			currency: "IDR",
			rules:    passed("promotion_finished:pass", "evidence:pass", "under_delivery:eligible"),
			detail:   "Delivered 3,000 of the 10,000 promised (30%), below the 80% minimum: the missing 70% of IDR 150,000 is refunded, IDR 105,000, less IDR 20,000 already refunded = IDR 85,000.",
			bug:      "eligibility.go underDelivery: refund is min(shortfall, amount−refunded) instead of shortfall−refunded",
		},
		{
			name:     "refunded more than the shortfall: nothing left",
			in:       func(in *EvalInput) { in.Promotion.Refunded = 140000 },
			verdict:  VerdictIneligible,
			amount:   0, // 105000 − 140000 < 0
			currency: "IDR",
			rules:    passed("promotion_finished:pass", "evidence:pass", "under_delivery:ineligible"),
			bug:      "eligibility.go underDelivery: refund is min(shortfall, amount−refunded) instead of max(shortfall−refunded, 0)",
		},
		{
			name: "big numbers do not overflow",
			in: func(in *EvalInput) {
				in.Promotion.Amount, in.Promotion.Currency = 9_000_000_000_000_000, "USD"
				in.Promotion.Spend = 0
				in.Promotion.PromisedReach, in.Promotion.DeliveredReach = 1_000_000_000_000, 100_000_000_000
			},
			verdict:  VerdictEligible,
			amount:   8_100_000_000_000_000, // 9e15 × 0.9
			currency: "USD",
			rules:    passed("promotion_finished:pass", "evidence:pass", "under_delivery:eligible"),
		},
		{
			name: "big numbers: exact to the last unit",
			in: func(in *EvalInput) {
				in.Promotion.Amount, in.Promotion.Currency = 9_000_000_000_000_000, "USD"
				in.Promotion.PromisedReach, in.Promotion.DeliveredReach = 1_000_000_000_000, 799_999_999_999
			},
			verdict:  VerdictEligible,
			amount:   1_800_000_000_009_000, // 9e15 × 200000000001 / 1e12
			currency: "USD",
			rules:    passed("promotion_finished:pass", "evidence:pass", "under_delivery:eligible"),
		},
		{
			name: "big numbers: exactly 80% of a huge reach",
			in: func(in *EvalInput) {
				in.Promotion.Amount = 9_000_000_000_000_000
				in.Promotion.PromisedReach, in.Promotion.DeliveredReach = 1_000_000_000_000, 800_000_000_000
			},
			verdict:  VerdictIneligible,
			currency: "IDR",
			rules:    passed("promotion_finished:pass", "evidence:pass", "under_delivery:ineligible"),
		},
	}
	runEvalCases(t, cases, func() EvalInput { return baseInput(ReasonUnderDelivery) })
}

func TestEvaluateTechnicalError(t *testing.T) {
	cases := []evalCase{
		{
			name:     "no evidence",
			in:       func(in *EvalInput) { in.EvidenceCount = 0; in.Promotion.Incident = true },
			verdict:  VerdictNeedsInfo,
			currency: "IDR",
			rules:    passed("evidence:needs_info"),
			detail:   "Evidence is needed for this reason: a screenshot of the error, or of the promotion not running.",
		},
		{
			name:     "incident on record",
			in:       func(in *EvalInput) { in.Promotion.Incident = true },
			verdict:  VerdictEligible,
			amount:   150000,
			currency: "IDR",
			rules:    passed("evidence:pass", "technical_error:eligible"),
			detail:   "The platform recorded a technical incident on this promotion: full refund of IDR 150,000.",
		},
		{
			name:     "delivered nothing",
			in:       func(in *EvalInput) { in.Promotion.DeliveredReach = 0 },
			verdict:  VerdictEligible,
			amount:   150000,
			currency: "IDR",
			rules:    passed("evidence:pass", "technical_error:eligible"),
			detail:   "The promotion delivered nothing: full refund of IDR 150,000.",
		},
		{
			name:     "delivered something, no incident",
			verdict:  VerdictNeedsReview,
			currency: "IDR",
			rules:    passed("evidence:pass", "technical_error:needs_review"),
			detail:   "No incident is on record and the promotion delivered 3,000; an agent will review the evidence.",
		},
		{
			name:     "incident, part refunded already",
			in:       func(in *EvalInput) { in.Promotion.Incident = true; in.Promotion.Refunded = 50000 },
			verdict:  VerdictEligible,
			amount:   100000,
			currency: "IDR",
			rules:    passed("evidence:pass", "technical_error:eligible"),
		},
		{
			name:     "evidence not required by the policy",
			policy:   func(p *Policy) { p.TechnicalError.RequireEvidence = false },
			in:       func(in *EvalInput) { in.EvidenceCount = 0; in.Promotion.Incident = true },
			verdict:  VerdictEligible,
			amount:   150000,
			currency: "IDR",
			rules:    passed("technical_error:eligible"),
		},
		{
			name:     "big amount in full",
			in:       func(in *EvalInput) { in.Promotion.Amount = 9_000_000_000_000_000; in.Promotion.DeliveredReach = 0 },
			verdict:  VerdictEligible,
			amount:   9_000_000_000_000_000,
			currency: "IDR",
			rules:    passed("evidence:pass", "technical_error:eligible"),
		},
	}
	runEvalCases(t, cases, func() EvalInput { return baseInput(ReasonTechnicalError) })
}

func TestEvaluateRejected(t *testing.T) {
	rejected := func(in *EvalInput) {
		in.Promotion.Status = PromoRejected
		in.Promotion.StartAt, in.Promotion.EndAt = nil, nil
		in.Promotion.Spend, in.Promotion.DeliveredReach = 0, 0
	}
	cases := []evalCase{
		{
			name:     "rejected in review",
			in:       rejected,
			verdict:  VerdictEligible,
			amount:   150000,
			currency: "IDR",
			rules:    passed("rejected:eligible"),
			detail:   "The promotion was rejected in review after payment: full refund of IDR 150,000.",
		},
		{
			name:     "rejected, without evidence (none needed)",
			in:       func(in *EvalInput) { rejected(in); in.EvidenceCount = 0 },
			verdict:  VerdictEligible,
			amount:   150000,
			currency: "IDR",
			rules:    passed("rejected:eligible"),
		},
		{
			name:     "rejected, part refunded already",
			in:       func(in *EvalInput) { rejected(in); in.Promotion.Refunded = 50000 },
			verdict:  VerdictEligible,
			amount:   100000,
			currency: "IDR",
			rules:    passed("rejected:eligible"),
		},
		{
			name:     "the record says completed",
			verdict:  VerdictNeedsReview,
			currency: "IDR",
			rules:    passed("rejected:needs_review"),
			detail:   "The record says the promotion is completed, not rejected; an agent will review.",
		},
		{
			name:     "the record says in review",
			in:       func(in *EvalInput) { in.Promotion.Status = PromoInReview; in.Promotion.EndAt = nil },
			verdict:  VerdictNeedsReview,
			currency: "IDR",
			rules:    passed("rejected:needs_review"),
		},
	}
	runEvalCases(t, cases, func() EvalInput { return baseInput(ReasonRejected) })
}

func TestEvaluateStoppedByPlatform(t *testing.T) {
	stopped := func(spend int64) func(*EvalInput) {
		return func(in *EvalInput) {
			in.Promotion.Status = PromoStoppedByPlatform
			in.Promotion.Spend = spend
		}
	}
	cases := []evalCase{
		{
			name:     "unspent part",
			in:       stopped(40000),
			verdict:  VerdictEligible,
			amount:   110000,
			currency: "IDR",
			rules:    passed("stopped_by_platform:eligible"),
			detail:   "The platform stopped the promotion: the unspent part is refunded, IDR 150,000 paid − IDR 40,000 spent = IDR 110,000.",
		},
		{
			name:     "nothing spent",
			in:       stopped(0),
			verdict:  VerdictEligible,
			amount:   150000,
			currency: "IDR",
			rules:    passed("stopped_by_platform:eligible"),
		},
		{
			name:     "everything spent",
			in:       stopped(150000),
			verdict:  VerdictIneligible,
			currency: "IDR",
			rules:    passed("stopped_by_platform:ineligible"),
		},
		{
			name:     "more than everything spent",
			in:       stopped(200000),
			verdict:  VerdictIneligible,
			currency: "IDR",
			rules:    passed("stopped_by_platform:ineligible"),
		},
		{
			name:     "part refunded already: unspent less the refund",
			in:       func(in *EvalInput) { stopped(40000)(in); in.Promotion.Refunded = 20000 },
			verdict:  VerdictEligible,
			amount:   90000, // 150000 − 40000 − 20000
			currency: "IDR",
			rules:    passed("stopped_by_platform:eligible"),
			detail:   "The platform stopped the promotion: the unspent part is refunded, IDR 150,000 paid − IDR 40,000 spent = IDR 110,000, less IDR 20,000 already refunded = IDR 90,000.",
			bug:      "eligibility.go Evaluate (stopped_by_platform): refund is min(amount−spend, amount−refunded) instead of amount−spend−refunded",
		},
		{
			name:     "refunded more than the unspent part: nothing left",
			in:       func(in *EvalInput) { stopped(40000)(in); in.Promotion.Refunded = 120000 },
			verdict:  VerdictIneligible,
			amount:   0, // 110000 − 120000 < 0
			currency: "IDR",
			rules:    passed("stopped_by_platform:ineligible"),
			bug:      "eligibility.go Evaluate (stopped_by_platform): refund is min(amount−spend, amount−refunded) instead of max(amount−spend−refunded, 0)",
		},
		{
			name:     "the record says completed",
			verdict:  VerdictNeedsReview,
			currency: "IDR",
			rules:    passed("stopped_by_platform:needs_review"),
			detail:   "The record says the promotion is completed, not stopped by the platform; an agent will review.",
		},
		{
			name: "big numbers",
			in: func(in *EvalInput) {
				stopped(1_000_000_000_000_000)(in)
				in.Promotion.Amount = 9_000_000_000_000_000
			},
			verdict:  VerdictEligible,
			amount:   8_000_000_000_000_000,
			currency: "IDR",
			rules:    passed("stopped_by_platform:eligible"),
		},
	}
	runEvalCases(t, cases, func() EvalInput { return baseInput(ReasonStoppedByPlatform) })
}

func TestEvaluateDuplicateCharge(t *testing.T) {
	withTwins := func(tw ...Promotion) func(*EvalInput) {
		return func(in *EvalInput) { in.Twins = tw }
	}
	different := func(d time.Duration, change func(*Promotion)) func(*EvalInput) {
		return func(in *EvalInput) {
			tw := twinOf(evalTwin, d)
			change(&tw)
			in.Twins = []Promotion{tw}
		}
	}
	eligible := passed("evidence:pass", "duplicate_charge:eligible")
	review := passed("evidence:pass", "duplicate_charge:needs_review")
	cases := []evalCase{
		{
			name:     "no evidence",
			in:       func(in *EvalInput) { withTwins(twinOf(evalTwin, 5*time.Minute))(in); in.EvidenceCount = 0 },
			verdict:  VerdictNeedsInfo,
			currency: "IDR",
			rules:    passed("evidence:needs_info"),
			detail:   "Evidence is needed for this reason: the receipts of both charges.",
		},
		{
			name:     "twin 5 minutes later",
			in:       withTwins(twinOf(evalTwin, 5*time.Minute)),
			verdict:  VerdictEligible,
			amount:   150000,
			currency: "IDR",
			rules:    eligible,
			detail:   "Order 7301234567890123457 is a twin of this one (same account, video and amount, created 5 minutes apart): refund of IDR 150,000.",
		},
		{
			name:     "twin 5 minutes earlier",
			in:       withTwins(twinOf(evalTwin, -5*time.Minute)),
			verdict:  VerdictEligible,
			amount:   150000,
			currency: "IDR",
			rules:    eligible,
		},
		{
			name:     "twin exactly 10 minutes apart",
			in:       withTwins(twinOf(evalTwin, -10*time.Minute)),
			verdict:  VerdictEligible,
			amount:   150000,
			currency: "IDR",
			rules:    eligible,
		},
		{
			name:     "twin at the same instant",
			in:       withTwins(twinOf(evalTwin, 0)),
			verdict:  VerdictEligible,
			amount:   150000,
			currency: "IDR",
			rules:    eligible,
			contains: []string{"under a second apart"},
		},
		{
			name:     "twin 11 minutes later",
			in:       withTwins(twinOf(evalTwin, 11*time.Minute)),
			verdict:  VerdictNeedsReview,
			currency: "IDR",
			rules:    review,
			detail:   "No twin order (same account, video and amount within 10 minutes) is on record; an agent will review the receipts.",
		},
		{
			name:     "twin 11 minutes earlier",
			in:       withTwins(twinOf(evalTwin, -11*time.Minute)),
			verdict:  VerdictNeedsReview,
			currency: "IDR",
			rules:    review,
		},
		{
			name:     "different video",
			in:       different(time.Minute, func(p *Promotion) { p.VideoID = "7299000000000000002" }),
			verdict:  VerdictNeedsReview,
			currency: "IDR",
			rules:    review,
		},
		{
			name:     "different amount",
			in:       different(time.Minute, func(p *Promotion) { p.Amount = 150001 }),
			verdict:  VerdictNeedsReview,
			currency: "IDR",
			rules:    review,
		},
		{
			name:     "different currency",
			in:       different(time.Minute, func(p *Promotion) { p.Currency = "USD" }),
			verdict:  VerdictNeedsReview,
			currency: "IDR",
			rules:    review,
		},
		{
			name:     "different account",
			in:       different(time.Minute, func(p *Promotion) { p.Account = "@someone.else" }),
			verdict:  VerdictNeedsReview,
			currency: "IDR",
			rules:    review,
		},
		{
			name:     "same account written differently",
			in:       different(time.Minute, func(p *Promotion) { p.Account = "AYU.CREATOR" }),
			verdict:  VerdictEligible,
			amount:   150000,
			currency: "IDR",
			rules:    eligible,
		},
		{
			name: "empty video id on both",
			in: func(in *EvalInput) {
				in.Promotion.VideoID = ""
				tw := twinOf(evalTwin, time.Minute)
				tw.VideoID = ""
				in.Twins = []Promotion{tw}
			},
			verdict:  VerdictNeedsReview,
			currency: "IDR",
			rules:    review,
		},
		{
			name:     "the order itself is no twin",
			in:       withTwins(basePromotion()),
			verdict:  VerdictNeedsReview,
			currency: "IDR",
			rules:    review,
		},
		{
			name:     "no candidates",
			verdict:  VerdictNeedsReview,
			currency: "IDR",
			rules:    review,
		},
		{
			name:     "the closest twin is named",
			in:       withTwins(twinOf(evalTwin, 9*time.Minute), twinOf(evalTwin2, -3*time.Minute), twinOf("7301234567890123459", 30*time.Minute)),
			verdict:  VerdictEligible,
			amount:   150000,
			currency: "IDR",
			rules:    eligible,
			detail:   "Order 7301234567890123458 is a twin of this one (same account, video and amount, created 3 minutes apart): refund of IDR 150,000.",
		},
		{
			name:     "part refunded already",
			in:       func(in *EvalInput) { withTwins(twinOf(evalTwin, time.Minute))(in); in.Promotion.Refunded = 50000 },
			verdict:  VerdictEligible,
			amount:   100000,
			currency: "IDR",
			rules:    eligible,
		},
		{
			name:     "a policy window of 15 minutes",
			policy:   func(p *Policy) { p.DuplicateCharge.Window = Duration{15 * time.Minute} },
			in:       withTwins(twinOf(evalTwin, 11*time.Minute)),
			verdict:  VerdictEligible,
			amount:   150000,
			currency: "IDR",
			rules:    eligible,
		},
		{
			name:     "evidence not required by the policy",
			policy:   func(p *Policy) { p.DuplicateCharge.RequireEvidence = false },
			in:       func(in *EvalInput) { withTwins(twinOf(evalTwin, time.Minute))(in); in.EvidenceCount = 0 },
			verdict:  VerdictEligible,
			amount:   150000,
			currency: "IDR",
			rules:    passed("duplicate_charge:eligible"),
		},
	}
	runEvalCases(t, cases, func() EvalInput { return baseInput(ReasonDuplicateCharge) })
}

func TestEvaluateNonRefundableAndOther(t *testing.T) {
	howTo := "To stop a running promotion: Inbox → System notifications → the promotion's approval notice → View more → ⋯ → Close Promotion."
	cases := []evalCase{
		{
			name:     "closed early",
			in:       func(in *EvalInput) { in.Reason = ReasonClosedEarly },
			verdict:  VerdictIneligible,
			currency: "IDR",
			rules:    passed("non_refundable:ineligible"),
			detail:   "Money paid for a promotion is not returned when the creator closes it early. " + howTo,
		},
		{
			name:     "wrong video",
			in:       func(in *EvalInput) { in.Reason = ReasonWrongVideo },
			verdict:  VerdictIneligible,
			currency: "IDR",
			rules:    passed("non_refundable:ineligible"),
			detail:   "Money paid for a promotion is not returned when the wrong video was boosted. " + howTo,
		},
		{
			name:     "changed mind",
			in:       func(in *EvalInput) { in.Reason = ReasonChangedMind },
			verdict:  VerdictIneligible,
			currency: "IDR",
			rules:    passed("non_refundable:ineligible"),
			detail:   "Money paid for a promotion is not returned when the creator changes their mind. " + howTo,
		},
		{
			name: "changed mind on a running promotion, without evidence",
			in: func(in *EvalInput) {
				in.Reason = ReasonChangedMind
				in.Promotion.Status = PromoRunning
				in.EvidenceCount = 0
			},
			verdict:  VerdictIneligible,
			currency: "IDR",
			rules:    passed("non_refundable:ineligible"),
		},
		{
			name:     "other",
			in:       func(in *EvalInput) { in.Reason = ReasonOther },
			verdict:  VerdictNeedsReview,
			currency: "IDR",
			rules:    passed("other:needs_review"),
			detail:   "This reason has no automatic rule; an agent will review the request.",
		},
		{
			name:     "a reason the policy has no rule for",
			in:       func(in *EvalInput) { in.Reason = "cosmic_rays" },
			verdict:  VerdictNeedsReview,
			currency: "IDR",
			rules:    passed("other:needs_review"),
		},
		{
			name:     "a policy that makes other non-refundable",
			policy:   func(p *Policy) { p.NonRefundable.Reasons = []Reason{ReasonOther} },
			in:       func(in *EvalInput) { in.Reason = ReasonOther },
			verdict:  VerdictIneligible,
			currency: "IDR",
			rules:    passed("non_refundable:ineligible"),
			detail:   "The policy does not refund promotions for this reason. " + howTo,
		},
		{
			name:     "a policy where closed_early is not listed goes to review",
			policy:   func(p *Policy) { p.NonRefundable.Reasons = nil },
			in:       func(in *EvalInput) { in.Reason = ReasonClosedEarly },
			verdict:  VerdictNeedsReview,
			currency: "IDR",
			rules:    passed("other:needs_review"),
		},
	}
	runEvalCases(t, cases, func() EvalInput { return baseInput(ReasonOther) })
}

func TestEvaluateRevocation(t *testing.T) {
	granted := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
	revoked := time.Date(2026, 9, 3, 9, 0, 0, 0, time.UTC)
	active := Authorization{Account: "@ayu.creator", Scope: "account", GrantedAt: granted}
	gone := Authorization{Account: "@ayu.creator", Scope: "video:7299000000000000001", GrantedAt: granted, RevokedAt: &revoked}
	base := func() EvalInput {
		return EvalInput{Kind: KindRevocation, Account: "@ayu.creator", Language: LangEnglish, Now: evalNow,
			Authorizations: []Authorization{active}}
	}
	cases := []evalCase{
		{
			name:    "active authorization",
			verdict: VerdictEligible,
			rules:   []string{"account_given:pass", "authorization_active:eligible"},
			detail:  "@ayu.creator has an active authorization (account, granted 1 Jun 2026): the revocation is forwarded to the platform, which takes a few days.",
		},
		{
			name:    "no account",
			in:      func(in *EvalInput) { in.Account = "" },
			verdict: VerdictNeedsInfo,
			rules:   []string{"account_given:needs_info"},
			detail:  "No account name was given; it is needed to find the authorization.",
		},
		{
			name:    "account written differently",
			in:      func(in *EvalInput) { in.Account = "AYU.creator" },
			verdict: VerdictEligible,
			rules:   []string{"account_given:pass", "authorization_active:eligible"},
		},
		{
			name:    "revoked already",
			in:      func(in *EvalInput) { in.Authorizations = []Authorization{gone} },
			verdict: VerdictNeedsReview,
			rules:   []string{"account_given:pass", "authorization_active:needs_review"},
			detail:  "The authorization of @ayu.creator on record was already revoked on 3 Sep 2026; an agent will review.",
		},
		{
			name:    "none on record",
			in:      func(in *EvalInput) { in.Authorizations = nil },
			verdict: VerdictNeedsReview,
			rules:   []string{"account_given:pass", "authorization_active:needs_review"},
			detail:  "No authorization of @ayu.creator is on record; an agent will review.",
		},
		{
			name: "only another account's authorization",
			in: func(in *EvalInput) {
				in.Authorizations = []Authorization{{Account: "@someone.else", Scope: "account", GrantedAt: granted}}
			},
			verdict: VerdictNeedsReview,
			rules:   []string{"account_given:pass", "authorization_active:needs_review"},
			detail:  "No authorization of @ayu.creator is on record; an agent will review.",
		},
		{
			name:    "one revoked and one active",
			in:      func(in *EvalInput) { in.Authorizations = []Authorization{gone, active} },
			verdict: VerdictEligible,
			rules:   []string{"account_given:pass", "authorization_active:eligible"},
		},
		{
			name:    "order, reason and missing evidence do not matter",
			in:      func(in *EvalInput) { in.Order = ""; in.Reason = ""; in.EvidenceCount = 0 },
			verdict: VerdictEligible,
			rules:   []string{"account_given:pass", "authorization_active:eligible"},
		},
		{
			name:    "unverified sender",
			in:      func(in *EvalInput) { in.Flags = []string{FlagUnverifiedSender} },
			verdict: VerdictNeedsReview,
			rules:   []string{"account_given:pass", "authorization_active:eligible", "sender_verified:needs_review"},
		},
	}
	runEvalCases(t, cases, base)
}

// A guessed kind or reason (FlagGuessed) never gets money on the policy's
// word alone either: eligible becomes needs_review, the amount kept; the
// rest stays as it was.
func TestEvaluateGuessedReading(t *testing.T) {
	guessed := func(in *EvalInput) { in.Flags = []string{FlagGuessed} }
	cases := []evalCase{
		{
			name:     "eligible becomes needs_review, the amount is kept for the agent",
			in:       guessed,
			verdict:  VerdictNeedsReview,
			amount:   105000,
			currency: "IDR",
			rules:    passed("promotion_finished:pass", "evidence:pass", "under_delivery:eligible", "reading_confirmed:needs_review"),
			detail:   "What this request asks for, or why, was read from its words without a clear statement of it: an agent will confirm it before anything is refunded.",
		},
		{
			name:     "ineligible stays ineligible",
			in:       func(in *EvalInput) { guessed(in); in.Promotion.DeliveredReach = 9000 },
			verdict:  VerdictIneligible,
			currency: "IDR",
			rules:    passed("promotion_finished:pass", "evidence:pass", "under_delivery:ineligible"),
		},
		{
			name:     "unverified and guessed: the sender's check decides",
			in:       func(in *EvalInput) { in.Flags = []string{FlagGuessed, FlagUnverifiedSender} },
			verdict:  VerdictNeedsReview,
			amount:   105000,
			currency: "IDR",
			rules:    passed("promotion_finished:pass", "evidence:pass", "under_delivery:eligible", "sender_verified:needs_review"),
		},
	}
	runEvalCases(t, cases, func() EvalInput { return baseInput(ReasonUnderDelivery) })
}

func TestEvaluateUnverifiedSender(t *testing.T) {
	unverified := func(in *EvalInput) { in.Flags = []string{FlagReopened, FlagUnverifiedSender} }
	cases := []evalCase{
		{
			name:     "eligible becomes needs_review, the amount is kept for the agent",
			in:       unverified,
			verdict:  VerdictNeedsReview,
			amount:   105000,
			currency: "IDR",
			rules:    passed("promotion_finished:pass", "evidence:pass", "under_delivery:eligible", "sender_verified:needs_review"),
			detail:   "The sender's address could not be verified (DMARC, DKIM or SPF failed): an agent will confirm the request before anything is refunded.",
		},
		{
			name:     "ineligible stays ineligible",
			in:       func(in *EvalInput) { unverified(in); in.Promotion.DeliveredReach = 9000 },
			verdict:  VerdictIneligible,
			currency: "IDR",
			rules:    passed("promotion_finished:pass", "evidence:pass", "under_delivery:ineligible"),
		},
		{
			name:     "needs_info stays needs_info",
			in:       func(in *EvalInput) { unverified(in); in.EvidenceCount = 0 },
			verdict:  VerdictNeedsInfo,
			currency: "IDR",
			rules:    passed("promotion_finished:pass", "evidence:needs_info"),
		},
		{
			name:     "other flags change nothing",
			in:       func(in *EvalInput) { in.Flags = []string{FlagReopened, FlagAccountMismatch, FlagUnreachable} },
			verdict:  VerdictEligible,
			amount:   105000,
			currency: "IDR",
			rules:    passed("promotion_finished:pass", "evidence:pass", "under_delivery:eligible"),
		},
	}
	runEvalCases(t, cases, func() EvalInput { return baseInput(ReasonUnderDelivery) })
}

// TestEvaluateLanguage checks the requester's sentences: Indonesian for "id",
// the English sentence otherwise.
func TestEvaluateLanguage(t *testing.T) {
	p := DefaultPolicy()
	inputs := map[string]func() EvalInput{
		"under_delivery eligible": func() EvalInput { return baseInput(ReasonUnderDelivery) },
		"under_delivery partly refunded": func() EvalInput {
			in := baseInput(ReasonUnderDelivery)
			in.Promotion.Refunded = 20000
			return in
		},
		"no order":      func() EvalInput { in := baseInput(ReasonUnderDelivery); in.Order = ""; return in },
		"not on record": func() EvalInput { in := baseInput(ReasonUnderDelivery); in.Promotion = nil; return in },
		"no account":    func() EvalInput { in := baseInput(ReasonUnderDelivery); in.Account = ""; return in },
		"other account": func() EvalInput { in := baseInput(ReasonUnderDelivery); in.Account = "@x"; return in },
		"refunded":      func() EvalInput { in := baseInput(ReasonUnderDelivery); in.Promotion.Refunded = 150000; return in },
		"window": func() EvalInput {
			in := baseInput(ReasonUnderDelivery)
			in.Promotion.EndAt = evalTimePtr(evalNow.AddDate(0, -3, 0))
			return in
		},
		"no reason":    func() EvalInput { return baseInput("") },
		"running":      func() EvalInput { in := baseInput(ReasonUnderDelivery); in.Promotion.Status = PromoRunning; return in },
		"no evidence":  func() EvalInput { in := baseInput(ReasonUnderDelivery); in.EvidenceCount = 0; return in },
		"80%":          func() EvalInput { in := baseInput(ReasonUnderDelivery); in.Promotion.DeliveredReach = 8000; return in },
		"no promise":   func() EvalInput { in := baseInput(ReasonUnderDelivery); in.Promotion.PromisedReach = 0; return in },
		"technical":    func() EvalInput { return baseInput(ReasonTechnicalError) },
		"incident":     func() EvalInput { in := baseInput(ReasonTechnicalError); in.Promotion.Incident = true; return in },
		"rejected":     func() EvalInput { return baseInput(ReasonRejected) },
		"stopped":      func() EvalInput { return baseInput(ReasonStoppedByPlatform) },
		"duplicate":    func() EvalInput { return baseInput(ReasonDuplicateCharge) },
		"closed early": func() EvalInput { return baseInput(ReasonClosedEarly) },
		"wrong video":  func() EvalInput { return baseInput(ReasonWrongVideo) },
		"changed mind": func() EvalInput { return baseInput(ReasonChangedMind) },
		"other":        func() EvalInput { return baseInput(ReasonOther) },
		"unverified": func() EvalInput {
			in := baseInput(ReasonUnderDelivery)
			in.Flags = []string{FlagUnverifiedSender}
			return in
		},
		"revocation":     func() EvalInput { return EvalInput{Kind: KindRevocation, Account: "@a", Now: evalNow} },
		"revocation, no": func() EvalInput { return EvalInput{Kind: KindRevocation, Now: evalNow} },
		"stopped, unspent": func() EvalInput {
			in := baseInput(ReasonStoppedByPlatform)
			in.Promotion.Status, in.Promotion.Spend = PromoStoppedByPlatform, 40000
			return in
		},
		"twin": func() EvalInput {
			in := baseInput(ReasonDuplicateCharge)
			in.Twins = []Promotion{twinOf(evalTwin, time.Minute)}
			return in
		},
		"revocation, active": func() EvalInput {
			return EvalInput{Kind: KindRevocation, Account: "@a", Now: evalNow,
				Authorizations: []Authorization{{Account: "a", Scope: "account", GrantedAt: evalNow.AddDate(-1, 0, 0)}}}
		},
	}
	for name, mk := range inputs {
		t.Run(name, func(t *testing.T) {
			cat := words(t)
			for _, lang := range []string{LangIndonesian, LangEnglish, "", "fr"} {
				in := mk()
				in.Language = lang
				got := p.Evaluate(in)
				if len(got.Rules) == 0 {
					t.Fatalf("%s: no rules", lang)
				}
				for _, r := range got.Rules {
					detail, requester := cat.Rule(r, LangEnglish), cat.Rule(r, lang)
					if detail == "" || requester == "" {
						t.Errorf("%s: %s has an empty sentence", lang, r.Rule)
					}
					if lang == LangIndonesian && requester == detail {
						t.Errorf("%s: %s: the requester's sentence is the English one: %q", lang, r.Rule, detail)
					}
					if lang != LangIndonesian && requester != detail {
						t.Errorf("%q: %s: the requester's sentence %q differs from the English %q", lang, r.Rule, requester, detail)
					}
				}
			}
		})
	}
	cat := words(t)

	// The exact Indonesian sentences of one path.
	in := baseInput(ReasonUnderDelivery)
	in.Language = LangIndonesian
	got := p.Evaluate(in)
	want := []string{
		"Nomor pesanan 7301234567890123456 sudah diberikan.",
		"Pesanan 7301234567890123456 tercatat: Rp150.000 dibayar oleh @ayu.creator, selesai.",
		"Akun @ayu.creator sudah diberikan.",
		"Akun sesuai dengan akun pada pesanan.",
		"Belum ada dana yang dikembalikan untuk pesanan ini.",
		"Promosi berakhir pada 10 November 2026, masih dalam batas waktu pengembalian dana 30 hari.",
		"Promosi sudah tidak berjalan.",
		"1 file bukti terlampir.",
		"Jangkauan yang tercapai 3.000 dari 10.000 yang dijanjikan (30%), di bawah batas minimum 80%: bagian yang tidak tercapai (70%) dari Rp150.000 dikembalikan, Rp105.000.",
	}
	var gotID, gotEN []string
	for _, r := range got.Rules {
		gotID = append(gotID, cat.Rule(r, LangIndonesian))
		gotEN = append(gotEN, cat.Rule(r, LangEnglish))
	}
	if !slices.Equal(gotID, want) {
		t.Errorf("Indonesian sentences:\n  %s\nwant\n  %s", strings.Join(gotID, "\n  "), strings.Join(want, "\n  "))
	}
	wantEN := []string{
		"Order number 7301234567890123456 was given.",
		"Order 7301234567890123456 is on record: IDR 150,000 paid by @ayu.creator, completed.",
		"Account @ayu.creator was given.",
		"The account matches the order's.",
		"Nothing has been refunded for this order yet.",
		"The promotion ended on 10 Nov 2026, within the 30-day refund window.",
		"The promotion is no longer running.",
		"1 evidence file(s) attached.",
		"Delivered 3,000 of the 10,000 promised (30%), below the 80% minimum: the missing 70% of IDR 150,000 is refunded, IDR 105,000.",
	}
	if !slices.Equal(gotEN, wantEN) {
		t.Errorf("English sentences:\n  %s\nwant\n  %s", strings.Join(gotEN, "\n  "), strings.Join(wantEN, "\n  "))
	}

	if cat.ClosePromotionHowTo(LangIndonesian) == cat.ClosePromotionHowTo(LangEnglish) {
		t.Error("ClosePromotionHowTo: the Indonesian text is the English one")
	}
	in = baseInput(ReasonClosedEarly)
	in.Language = LangIndonesian
	last, _ := p.Evaluate(in).Deciding()
	if requester := cat.Rule(last, LangIndonesian); !strings.HasSuffix(requester, cat.ClosePromotionHowTo(LangIndonesian)) {
		t.Errorf("closed_early in Indonesian does not end with how to close: %q", requester)
	}
}

// --- the policy file ---

func writePolicy(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "policy.toml")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestPolicyDefault(t *testing.T) {
	p := DefaultPolicy()
	if p.WindowDays != 30 {
		t.Errorf("window_days = %d, want 30", p.WindowDays)
	}
	if p.UnderDelivery.ThresholdPercent != 80 || !p.UnderDelivery.RequireEvidence {
		t.Errorf("under_delivery = %+v, want 80%% with evidence", p.UnderDelivery)
	}
	if !p.TechnicalError.RequireEvidence {
		t.Error("technical_error.require_evidence = false, want true")
	}
	if p.DuplicateCharge.Window.Duration != 10*time.Minute || !p.DuplicateCharge.RequireEvidence {
		t.Errorf("duplicate_charge = %+v, want 10m with evidence", p.DuplicateCharge)
	}
	if want := []Reason{ReasonClosedEarly, ReasonWrongVideo, ReasonChangedMind}; !slices.Equal(p.NonRefundable.Reasons, want) {
		t.Errorf("non_refundable.reasons = %v, want %v", p.NonRefundable.Reasons, want)
	}
	if len(p.AutoApproveBelow) != 0 {
		t.Errorf("auto_approve_below = %v, want off", p.AutoApproveBelow)
	}
	if n, on := p.AutoApproveBelow.Limit("IDR"); on || n != 0 {
		t.Errorf("Limit(IDR) = %d, %v; want off", n, on)
	}
	if err := p.Validate(); err != nil {
		t.Errorf("the default policy is invalid: %v", err)
	}
	for _, r := range []Reason{ReasonClosedEarly, ReasonWrongVideo, ReasonChangedMind} {
		if !p.NonRefundableReason(r) {
			t.Errorf("NonRefundableReason(%s) = false", r)
		}
	}
	for _, r := range []Reason{ReasonUnderDelivery, ReasonOther, ""} {
		if p.NonRefundableReason(r) {
			t.Errorf("NonRefundableReason(%q) = true", r)
		}
	}
	// Every call gives a fresh copy.
	p.WindowDays = 1
	if DefaultPolicy().WindowDays != 30 {
		t.Error("DefaultPolicy shares its value between calls")
	}
	q, err := LoadPolicy("")
	if err != nil || !reflect.DeepEqual(q, DefaultPolicy()) {
		t.Errorf(`LoadPolicy("") = %+v, %v; want the default`, q, err)
	}
}

func TestPolicyLoadOverridesOnlyItsKeys(t *testing.T) {
	cases := []struct {
		name string
		file string
		want func(*Policy)
	}{
		{"empty file", "", func(*Policy) {}},
		{"comments only", "# nothing here\n", func(*Policy) {}},
		{"window_days", "window_days = 14\n", func(p *Policy) { p.WindowDays = 14 }},
		{"window_days 0", "window_days = 0\n", func(p *Policy) { p.WindowDays = 0 }},
		{"threshold", "[under_delivery]\nthreshold_percent = 50\n", func(p *Policy) { p.UnderDelivery.ThresholdPercent = 50 }},
		{"under_delivery evidence", "[under_delivery]\nrequire_evidence = false\n", func(p *Policy) { p.UnderDelivery.RequireEvidence = false }},
		{"dotted key", "under_delivery.threshold_percent = 60\n", func(p *Policy) { p.UnderDelivery.ThresholdPercent = 60 }},
		{"duplicate window", "[duplicate_charge]\nwindow = \"15m\"\n", func(p *Policy) { p.DuplicateCharge.Window.Duration = 15 * time.Minute }},
		{"duplicate window in days", "[duplicate_charge]\nwindow = \"2d\"\n", func(p *Policy) { p.DuplicateCharge.Window.Duration = 48 * time.Hour }},
		{"technical_error evidence", "[technical_error]\nrequire_evidence = false\n", func(p *Policy) { p.TechnicalError.RequireEvidence = false }},
		{"auto_approve_below as a number", "auto_approve_below = 50000\n", func(p *Policy) { p.AutoApproveBelow = AutoApproveLimit{"*": "50000"} }},
		{"auto_approve_below 0 is off", "auto_approve_below = 0\n", func(p *Policy) { p.AutoApproveBelow = AutoApproveLimit{} }},
		{"auto_approve_below as a table", "[auto_approve_below]\nIDR = 50000\nusd = 5\nEUR = \"2.5\"\nKWD = 1.25\n", func(p *Policy) {
			p.AutoApproveBelow = AutoApproveLimit{"IDR": "50000", "USD": "5.00", "EUR": "2.50", "KWD": "1.250"}
		}},
		{"auto_approve_below with a default", "[auto_approve_below]\n\"*\" = 100\nJPY = 0\n", func(p *Policy) {
			p.AutoApproveBelow = AutoApproveLimit{"*": "100", "JPY": "0"}
		}},
		{"non_refundable", "[non_refundable]\nreasons = [\"closed_early\"]\n", func(p *Policy) { p.NonRefundable.Reasons = []Reason{ReasonClosedEarly} }},
		{"several keys", "window_days = 45\n[under_delivery]\nthreshold_percent = 70\n[duplicate_charge]\nwindow = \"30m\"\n", func(p *Policy) {
			p.WindowDays = 45
			p.UnderDelivery.ThresholdPercent = 70
			p.DuplicateCharge.Window.Duration = 30 * time.Minute
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := LoadPolicy(writePolicy(t, c.file))
			if err != nil {
				t.Fatalf("LoadPolicy: %v", err)
			}
			want := DefaultPolicy()
			c.want(want)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("policy =\n  %+v\nwant\n  %+v", *got, *want)
			}
		})
	}
}

func TestPolicyAutoApproveLimit(t *testing.T) {
	l := AutoApproveLimit{"*": "100", "IDR": "50000", "JPY": "0", "USD": "5.50"}
	cases := []struct {
		cur  string
		n    int64 // minor units
		isOn bool
	}{
		{"IDR", 50000, true},
		{"idr", 50000, true},
		{"USD", 550, true},
		{"EUR", 10000, true}, // "*": 100 euros
		{"KWD", 100000, true},
		{"VND", 100, true},
		{"JPY", 0, false}, // its own 0 turns it off, whatever "*" says
		{"", 10000, true},
	}
	for _, c := range cases {
		if n, on := l.Limit(c.cur); n != c.n || on != c.isOn {
			t.Errorf("Limit(%q) = %d, %v; want %d, %v", c.cur, n, on, c.n, c.isOn)
		}
	}
	if n, on := (AutoApproveLimit{"*": "99999999999999999"}).Limit("USD"); !on || n != math.MaxInt64 {
		t.Errorf("Limit of a huge default = %d, %v; want the largest amount", n, on)
	}
	if n, on := (AutoApproveLimit{"USD": "500"}).Limit("IDR"); on || n != 0 {
		t.Errorf("Limit without an entry or a default = %d, %v; want off", n, on)
	}
	if _, on := AutoApproveLimit(nil).Limit("USD"); on {
		t.Error("a nil limit is on")
	}
}

func TestPolicyLoadErrors(t *testing.T) {
	cases := []struct {
		name string
		file string
		want []string // parts of the message
	}{
		{"unknown top-level key", "window_dayz = 3\n", []string{"unknown key window_dayz"}},
		{"unknown key in a table", "[under_delivery]\ntreshold_percent = 50\n", []string{"unknown key under_delivery.treshold_percent"}},
		{"unknown table", "[refund]\nwindow_days = 3\n", []string{"unknown key", "refund"}},
		{"not TOML", "window_days = = 3\n", nil},
		{"wrong type", "window_days = \"thirty\"\n", []string{"window_days"}},
		{"auto_approve_below not a number", "[auto_approve_below]\nIDR = \"lots\"\n", []string{"auto_approve_below.IDR"}},
		{"auto_approve_below a string", "auto_approve_below = \"x\"\n", []string{"auto_approve_below"}},
		{"auto_approve_below negative", "[auto_approve_below]\nIDR = -1\n", []string{"auto_approve_below.IDR", "must not be negative, got -1"}},
		{"auto_approve_below negative for every currency", "auto_approve_below = -5\n", []string{"auto_approve_below.*", "must not be negative, got -5"}},
		{"auto_approve_below with too many decimals", "[auto_approve_below]\nUSD = 5.505\n", []string{"auto_approve_below.USD", `"5.505" has 3 decimals: USD amounts have at most 2 decimals`}},
		{"auto_approve_below with a thousands separator", "[auto_approve_below]\nIDR = \"50.000\"\n", []string{"auto_approve_below.IDR", "IDR amounts are whole numbers"}},
		{"auto_approve_below decimals for every currency", "auto_approve_below = 2.5\n", []string{"auto_approve_below.*", "one amount for every currency is a whole number of units"}},
		{"auto_approve_below a boolean", "[auto_approve_below]\nUSD = true\n", []string{"auto_approve_below.USD", `"true" is not an amount`}},
		{"negative window_days", "window_days = -1\n", []string{"window_days: must not be negative, got -1"}},
		{"threshold 0", "[under_delivery]\nthreshold_percent = 0\n", []string{"under_delivery.threshold_percent: must be between 1 and 100, got 0"}},
		{"threshold 101", "[under_delivery]\nthreshold_percent = 101\n", []string{"under_delivery.threshold_percent: must be between 1 and 100, got 101"}},
		{"window 0", "[duplicate_charge]\nwindow = \"0s\"\n", []string{"duplicate_charge.window: must be longer than zero"}},
		// The TOML decoder keeps only the text of an UnmarshalText error: the
		// problem is in its log form, after the line and the key.
		{"window not a duration", "[duplicate_charge]\nwindow = \"soon\"\n", []string{`"duplicate_charge.window"`, `duration.unreadable (Value="soon")`}},
		{"window negative", "[duplicate_charge]\nwindow = \"-5m\"\n", []string{`"duplicate_charge.window"`, `duration.negative (Value="-5m")`}},
		{"unknown reason", "[non_refundable]\nreasons = [\"refunds_please\"]\n", []string{`non_refundable.reasons: "refunds_please" is not a reason (one of `}},
		{"empty reason", "[non_refundable]\nreasons = [\"\"]\n", []string{`non_refundable.reasons: "" is not a reason (one of `}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := writePolicy(t, c.file)
			p, err := LoadPolicy(path)
			if err == nil {
				t.Fatalf("LoadPolicy accepted %q: %+v", c.file, p)
			}
			if p != nil {
				t.Errorf("LoadPolicy returned a policy with its error")
			}
			msg := words(t).Error(LangEnglish, err) // as the CLI writes it at start-up
			if !strings.Contains(msg, path) {
				t.Errorf("error %q does not name the file", msg)
			}
			for _, w := range c.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q does not contain %q", msg, w)
				}
			}
		})
	}
	t.Run("missing file", func(t *testing.T) {
		_, err := LoadPolicy(filepath.Join(t.TempDir(), "nope.toml"))
		if !errors.Is(err, os.ErrNotExist) {
			t.Errorf("err = %v, want one wrapping os.ErrNotExist", err)
		}
	})
}

func TestPolicyValidate(t *testing.T) {
	cases := []struct {
		name   string
		change func(*Policy)
		fields []string
	}{
		{"default", func(*Policy) {}, nil},
		{"window_days 0", func(p *Policy) { p.WindowDays = 0 }, nil},
		{"threshold 1", func(p *Policy) { p.UnderDelivery.ThresholdPercent = 1 }, nil},
		{"threshold 100", func(p *Policy) { p.UnderDelivery.ThresholdPercent = 100 }, nil},
		{"window 1ns", func(p *Policy) { p.DuplicateCharge.Window.Duration = 1 }, nil},
		{"no non-refundable reasons", func(p *Policy) { p.NonRefundable.Reasons = nil }, nil},
		{"negative window_days", func(p *Policy) { p.WindowDays = -1 }, []string{"window_days"}},
		{"negative auto approval", func(p *Policy) { p.AutoApproveBelow = AutoApproveLimit{"USD": "-5"} }, []string{"auto_approve_below.USD"}},
		{"threshold 0", func(p *Policy) { p.UnderDelivery.ThresholdPercent = 0 }, []string{"under_delivery.threshold_percent"}},
		{"threshold 101", func(p *Policy) { p.UnderDelivery.ThresholdPercent = 101 }, []string{"under_delivery.threshold_percent"}},
		{"negative threshold", func(p *Policy) { p.UnderDelivery.ThresholdPercent = -80 }, []string{"under_delivery.threshold_percent"}},
		{"window 0", func(p *Policy) { p.DuplicateCharge.Window.Duration = 0 }, []string{"duplicate_charge.window"}},
		{"negative window", func(p *Policy) { p.DuplicateCharge.Window.Duration = -time.Minute }, []string{"duplicate_charge.window"}},
		{"unknown reason", func(p *Policy) { p.NonRefundable.Reasons = []Reason{"nope"} }, []string{"non_refundable.reasons"}},
		{"empty reason", func(p *Policy) { p.NonRefundable.Reasons = []Reason{ReasonWrongVideo, ""} }, []string{"non_refundable.reasons"}},
		{"several at once, in order", func(p *Policy) {
			p.WindowDays = -3
			p.UnderDelivery.ThresholdPercent = 0
			p.DuplicateCharge.Window.Duration = 0
			p.NonRefundable.Reasons = []Reason{"x"}
		}, []string{"window_days", "under_delivery.threshold_percent", "duplicate_charge.window", "non_refundable.reasons"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := DefaultPolicy()
			c.change(p)
			err := p.Validate()
			if c.fields == nil {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Validate accepted %+v", *p)
			}
			var ves ValidationErrors
			if !errors.As(err, &ves) {
				t.Fatalf("err %T %v is not ValidationErrors", err, err)
			}
			var fields []string
			for _, v := range ves {
				fields = append(fields, v.Field)
				if v.Code == "" {
					t.Errorf("%s: no code", v.Field)
				}
			}
			if !slices.Equal(fields, c.fields) {
				t.Errorf("fields = %v, want %v", fields, c.fields)
			}
			var ve *ValidationError
			if !errors.As(err, &ve) || ve.Field != c.fields[0] {
				t.Errorf("errors.As(*ValidationError) = %v, want field %s", ve, c.fields[0])
			}
			if !IsValidation(err) {
				t.Error("IsValidation = false")
			}
		})
	}
}

// TestPolicyTOMLRoundTrip writes the policy in force and reads it back.
func TestPolicyTOMLRoundTrip(t *testing.T) {
	for name, change := range map[string]func(*Policy){
		"default": func(*Policy) {},
		"changed": func(p *Policy) {
			p.WindowDays = 21
			p.AutoApproveBelow = AutoApproveLimit{"*": "1000", "IDR": "50000", "USD": "5.50"}
			p.UnderDelivery.ThresholdPercent = 75
			p.DuplicateCharge.Window.Duration = 36 * time.Hour
			p.TechnicalError.RequireEvidence = false
			p.NonRefundable.Reasons = []Reason{ReasonWrongVideo}
		},
	} {
		t.Run(name, func(t *testing.T) {
			p := DefaultPolicy()
			change(p)
			doc, err := p.TOML()
			if err != nil {
				t.Fatal(err)
			}
			got, err := LoadPolicy(writePolicy(t, doc))
			if err != nil {
				t.Fatalf("LoadPolicy of its own TOML:\n%s\n%v", doc, err)
			}
			if !reflect.DeepEqual(got, p) {
				t.Errorf("round trip =\n  %+v\nwant\n  %+v\nfrom\n%s", *got, *p, doc)
			}
		})
	}
}

func TestPolicyDuration(t *testing.T) {
	cases := []struct {
		in   string
		want time.Duration
		err  string
	}{
		{"30m", 30 * time.Minute, ""},
		{"36h", 36 * time.Hour, ""},
		{"1h30m", 90 * time.Minute, ""},
		{"2d", 48 * time.Hour, ""},
		{" 3d ", 72 * time.Hour, ""},
		{"0d", 0, ""},
		{"1w", 7 * 24 * time.Hour, ""},
		{"36500d", 36500 * 24 * time.Hour, ""},
		{"36501d", 0, `duration "36501d" is too long`},
		{"-5m", 0, `duration "-5m" is negative`},
		{"-1d", 0, `"-1d" is not a duration (like 30m, 36h, 2d, 1w)`},
		{"1.5d", 0, `"1.5d" is not a duration`},
		{"+2d", 0, `"+2d" is not a duration`},
		{"d", 0, `"d" is not a duration`},
		{"", 0, `"" is not a duration`},
		{"soon", 0, `"soon" is not a duration`},
	}
	for _, c := range cases {
		got, err := ParseDuration(c.in)
		switch {
		case c.err == "" && err != nil:
			t.Errorf("ParseDuration(%q): %v", c.in, err)
		case c.err != "" && (err == nil || !strings.Contains(words(t).Error(LangEnglish, err), c.err)):
			t.Errorf("ParseDuration(%q) = %v, %v; want an error containing %q", c.in, got, err, c.err)
		case c.err == "" && got != c.want:
			t.Errorf("ParseDuration(%q) = %v, want %v", c.in, got, c.want)
		}
	}
	for d, want := range map[time.Duration]string{
		48 * time.Hour:   "2d",
		10 * time.Minute: "10m0s",
		36 * time.Hour:   "36h0m0s",
		0:                "0s",
		-48 * time.Hour:  "-48h0m0s",
	} {
		if got := FormatDuration(d); got != want {
			t.Errorf("FormatDuration(%v) = %q, want %q", d, got, want)
		}
	}
	var d Duration
	if err := d.UnmarshalText([]byte("1w")); err != nil || d.Duration != 7*24*time.Hour {
		t.Errorf("UnmarshalText(1w) = %v, %v", d.Duration, err)
	}
	if err := d.UnmarshalText([]byte("nope")); err == nil {
		t.Error("UnmarshalText(nope) accepted")
	}
	if b, err := (Duration{72 * time.Hour}).MarshalText(); err != nil || string(b) != "3d" {
		t.Errorf("MarshalText(72h) = %q, %v", b, err)
	}
}
