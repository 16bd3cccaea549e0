package tickets

import (
	"math/big"
	"strings"
	"time"
)

// EvalInput is everything the policy looks at for one ticket. The service
// gathers it from the store; Evaluate itself reads nothing else.
type EvalInput struct {
	Kind    Kind
	Account string
	// AccountSource says where Account came from. One the desk took from
	// the order's record (SourceRecord) is not the requester's: it does not
	// show that the order is theirs.
	AccountSource Source
	Order         string
	Reason        Reason
	Language      string // the ticket's; the verdict is the same in every language
	EvidenceCount int
	Flags         []string
	// Promotion is the order's record, nil when it is not on record.
	Promotion *Promotion
	// Twins are other orders with the same account, video and amount
	// (the store may return more; Evaluate applies the window itself).
	Twins []Promotion
	// Authorizations are the requester account's authorizations on record.
	Authorizations []Authorization
	Now            time.Time
}

// Rule names, as they appear in a verdict.
const (
	RuleOrderGiven          = "order_given"
	RuleOrderOnRecord       = "order_on_record"
	RuleAccountGiven        = "account_given"
	RuleAccountMatches      = "account_matches"
	RuleNotRefunded         = "not_refunded"
	RuleRefundWindow        = "refund_window"
	RuleReasonGiven         = "reason_given"
	RulePromotionFinished   = "promotion_finished"
	RuleEvidence            = "evidence"
	RuleUnderDelivery       = "under_delivery"
	RuleTechnicalError      = "technical_error"
	RuleRejected            = "rejected"
	RuleStoppedByPlatform   = "stopped_by_platform"
	RuleDuplicateCharge     = "duplicate_charge"
	RuleNonRefundable       = "non_refundable"
	RuleOther               = "other"
	RuleSenderVerified      = "sender_verified"
	RuleReadingConfirmed    = "reading_confirmed"
	RuleAuthorizationActive = "authorization_active"
)

// OutcomePass is the outcome of a check that let the request through.
const OutcomePass = "pass"

// Explanation codes: what a rule step says, as RuleStep.Code. The message
// catalog (templates/locales) puts each in words; its message id is
// "rule." + the code.
const (
	CodeSenderUnverified     = "sender_unverified"
	CodeReadingGuessed       = "reading_guessed"
	CodeOrderMissing         = "order_missing"
	CodeOrderGiven           = "order_given"
	CodeOrderUnknown         = "order_unknown"
	CodeOrderOnRecord        = "order_on_record"
	CodeAccountMissing       = "account_missing"
	CodeAccountMissingRevoke = "account_missing_revocation"
	CodeAccountGiven         = "account_given"
	CodeAccountMismatch      = "account_mismatch"
	CodeAccountMatches       = "account_matches"
	CodeAccountFromRecord    = "account_from_record" // the account was taken from the order's record
	CodeAccountNotShown      = "account_not_shown"   // …so the requester has not shown the order is theirs
	CodeAlreadyRefunded      = "already_refunded"
	CodePartlyRefunded       = "partly_refunded"
	CodeNothingRefunded      = "nothing_refunded"
	CodeWindowClosed         = "window_closed"
	CodeWindowOpen           = "window_open"
	CodeNotEnded             = "not_ended"
	CodeReasonMissing        = "reason_missing"
	CodeClosedEarly          = "closed_early"
	CodeWrongVideo           = "wrong_video"
	CodeChangedMind          = "changed_mind"
	CodeNonRefundable        = "non_refundable"
	CodePromotionRunning     = "promotion_running"
	CodePromotionFinished    = "promotion_finished"
	CodeEvidenceMissing      = "evidence_missing"
	CodeEvidenceAttached     = "evidence_attached"
	CodeNoPromise            = "no_promise"
	CodeDeliveryMet          = "delivery_met"
	CodeDeliveryShort        = "delivery_short"
	CodeDeliveryShortLess    = "delivery_short_less_refunded"
	CodeDeliveryShortCovered = "delivery_short_covered"
	CodeIncident             = "incident"
	CodeNothingDelivered     = "nothing_delivered"
	CodeTechnicalReview      = "technical_review"
	CodeRejected             = "rejected"
	CodeNotRejected          = "not_rejected"
	CodeNotStopped           = "not_stopped"
	CodeStopped              = "stopped"
	CodeStoppedLess          = "stopped_less_refunded"
	CodeStoppedCovered       = "stopped_covered"
	CodeTwin                 = "twin"
	CodeNoTwin               = "no_twin"
	CodeNoRule               = "no_rule"
	CodeAuthorizationActive  = "authorization_active"
	CodeAuthorizationRevoked = "authorization_revoked"
	CodeAuthorizationNone    = "authorization_none"
)

// Codes lists every explanation code the policy gives.
var Codes = []string{
	CodeSenderUnverified, CodeReadingGuessed, CodeOrderMissing, CodeOrderGiven, CodeOrderUnknown, CodeOrderOnRecord,
	CodeAccountMissing, CodeAccountMissingRevoke, CodeAccountGiven, CodeAccountMismatch, CodeAccountMatches,
	CodeAccountFromRecord, CodeAccountNotShown,
	CodeAlreadyRefunded, CodePartlyRefunded, CodeNothingRefunded, CodeWindowClosed, CodeWindowOpen, CodeNotEnded,
	CodeReasonMissing, CodeClosedEarly, CodeWrongVideo, CodeChangedMind, CodeNonRefundable,
	CodePromotionRunning, CodePromotionFinished, CodeEvidenceMissing, CodeEvidenceAttached,
	CodeNoPromise, CodeDeliveryMet, CodeDeliveryShort, CodeDeliveryShortLess, CodeDeliveryShortCovered,
	CodeIncident, CodeNothingDelivered, CodeTechnicalReview, CodeRejected, CodeNotRejected,
	CodeNotStopped, CodeStopped, CodeStoppedLess, CodeStoppedCovered, CodeTwin, CodeNoTwin, CodeNoRule,
	CodeAuthorizationActive, CodeAuthorizationRevoked, CodeAuthorizationNone,
}

// What evidence a reason needs (RuleParams.EvidenceWhat).
const (
	EvidenceResults  = "results"  // a screenshot of the promotion's results
	EvidenceError    = "error"    // a screenshot of the error, or of the promotion not running
	EvidenceReceipts = "receipts" // the receipts of both charges
)

// EvidenceKinds lists every EvidenceWhat code.
var EvidenceKinds = []string{EvidenceResults, EvidenceError, EvidenceReceipts}

// evaluation accumulates the steps of one run.
type evaluation struct {
	steps []RuleStep
}

func (e *evaluation) add(rule, outcome, code string, p RuleParams) {
	e.steps = append(e.steps, RuleStep{Rule: rule, Outcome: outcome, Code: code, Params: p})
}

func (e *evaluation) pass(rule, code string, p RuleParams) { e.add(rule, OutcomePass, code, p) }

func (e *evaluation) decide(v Verdict, amount int64, currency, rule, code string, p RuleParams) Eligibility {
	e.add(rule, string(v), code, p)
	return Eligibility{Verdict: v, RefundAmount: amount, Currency: currency, Rules: e.steps}
}

// Evaluate applies the policy to a request: the checks run in order, the
// first that decides gives the verdict, and every check that ran is listed.
// The verdict is the same in every language: its steps are codes.
func (p *Policy) Evaluate(in EvalInput) Eligibility {
	ev := &evaluation{}
	var out Eligibility
	if in.Kind == KindRevocation {
		out = p.evaluateRevocation(ev, in)
	} else {
		out = p.evaluateRefund(ev, in)
	}
	// A sender we could not verify never gets money on the policy's word alone.
	if out.Verdict == VerdictEligible && hasFlag(in.Flags, FlagUnverifiedSender) {
		out = ev.decide(VerdictNeedsReview, out.RefundAmount, out.Currency, RuleSenderVerified, CodeSenderUnverified, RuleParams{})
	}
	// Nor a request whose kind or reason a channel guessed (FlagGuessed):
	// an agent confirms the reading before any money, and automatic
	// approval never takes it.
	if out.Verdict == VerdictEligible && hasFlag(in.Flags, FlagGuessed) {
		out = ev.decide(VerdictNeedsReview, out.RefundAmount, out.Currency, RuleReadingConfirmed, CodeReadingGuessed, RuleParams{})
	}
	out.EvaluatedAt = in.Now
	return out
}

func hasFlag(flags []string, flag string) bool {
	for _, f := range flags {
		if f == flag {
			return true
		}
	}
	return false
}

func (p *Policy) evaluateRefund(ev *evaluation, in EvalInput) Eligibility {
	if out, decided := p.refundChecks(ev, in); decided {
		return out
	}
	pr := in.Promotion
	switch {
	case in.Reason == "":
		return ev.decide(VerdictNeedsInfo, 0, pr.Currency, RuleReasonGiven, CodeReasonMissing, RuleParams{})
	case p.NonRefundableReason(in.Reason):
		return nonRefundable(ev, in.Reason, pr.Currency)
	}
	switch in.Reason {
	case ReasonUnderDelivery:
		return p.underDelivery(ev, in, pr)
	case ReasonTechnicalError:
		return p.technicalError(ev, in, pr)
	case ReasonRejected:
		return rejected(ev, pr)
	case ReasonStoppedByPlatform:
		return stoppedByPlatform(ev, pr)
	case ReasonDuplicateCharge:
		return p.duplicateCharge(ev, in, pr)
	}
	// other, and any reason the policy has no rule for.
	return ev.decide(VerdictNeedsReview, 0, pr.Currency, RuleOther, CodeNoRule, RuleParams{})
}

// refundChecks runs the checks before the reason, in order; decided is true
// when one of them gave the verdict. When none did, in.Promotion is set.
func (p *Policy) refundChecks(ev *evaluation, in EvalInput) (out Eligibility, decided bool) {
	// 1. An order number.
	if in.Order == "" {
		return ev.decide(VerdictNeedsInfo, 0, "", RuleOrderGiven, CodeOrderMissing, RuleParams{}), true
	}
	ev.pass(RuleOrderGiven, CodeOrderGiven, RuleParams{Order: in.Order})

	// 2. On record.
	pr := in.Promotion
	if pr == nil {
		return ev.decide(VerdictNeedsInfo, 0, "", RuleOrderOnRecord, CodeOrderUnknown, RuleParams{Order: in.Order}), true
	}
	cur := pr.Currency
	ev.pass(RuleOrderOnRecord, CodeOrderOnRecord, RuleParams{Order: pr.OrderNumber, Currency: cur, Paid: pr.Amount,
		OrderAccount: pr.Account, PromoStatus: pr.Status})

	// 3. An account name.
	if in.Account == "" {
		return ev.decide(VerdictNeedsInfo, 0, cur, RuleAccountGiven, CodeAccountMissing, RuleParams{}), true
	}
	if in.AccountSource == SourceRecord {
		// The desk took it from the record: it matches the record by
		// construction, and shows nothing of who is asking. Ownership is
		// shown as before: by the requester naming the account (then
		// compared below), or by an agent.
		ev.pass(RuleAccountGiven, CodeAccountFromRecord, RuleParams{Account: in.Account})
		return ev.decide(VerdictNeedsInfo, 0, cur, RuleAccountMatches, CodeAccountNotShown, RuleParams{}), true
	}
	ev.pass(RuleAccountGiven, CodeAccountGiven, RuleParams{Account: in.Account})

	// 4. The order's account.
	if AccountKey(in.Account) != AccountKey(pr.Account) {
		return ev.decide(VerdictNeedsReview, 0, cur, RuleAccountMatches, CodeAccountMismatch,
			RuleParams{Account: in.Account, OrderAccount: pr.Account}), true
	}
	ev.pass(RuleAccountMatches, CodeAccountMatches, RuleParams{})

	// 5. Nothing refunded yet (in full).
	money := RuleParams{Currency: cur, Paid: pr.Amount, Refunded: pr.Refunded, Remaining: pr.Remaining()}
	switch {
	case pr.Refunded >= pr.Amount:
		return ev.decide(VerdictIneligible, 0, cur, RuleNotRefunded, CodeAlreadyRefunded, money), true
	case pr.Refunded > 0:
		ev.pass(RuleNotRefunded, CodePartlyRefunded, money)
	default:
		ev.pass(RuleNotRefunded, CodeNothingRefunded, RuleParams{})
	}

	// 6. The refund window.
	ended, ok := pr.EndedAt()
	if !ok {
		ev.pass(RuleRefundWindow, CodeNotEnded, RuleParams{})
		return Eligibility{}, false
	}
	limit := ended.Add(time.Duration(p.WindowDays) * 24 * time.Hour)
	window := RuleParams{Ended: ended, WindowEnd: limit, WindowDays: p.WindowDays}
	if in.Now.After(limit) {
		return ev.decide(VerdictIneligible, 0, cur, RuleRefundWindow, CodeWindowClosed, window), true
	}
	ev.pass(RuleRefundWindow, CodeWindowOpen, window)
	return Eligibility{}, false
}

func (p *Policy) technicalError(ev *evaluation, in EvalInput, pr *Promotion) Eligibility {
	cur := pr.Currency
	if out, missing := p.evidence(ev, p.TechnicalError.RequireEvidence, in.EvidenceCount, cur, EvidenceError); missing {
		return out
	}
	amount := pr.Remaining()
	switch {
	case pr.Incident:
		return ev.decide(VerdictEligible, amount, cur, RuleTechnicalError, CodeIncident, RuleParams{Currency: cur, Refund: amount})
	case pr.DeliveredReach == 0:
		return ev.decide(VerdictEligible, amount, cur, RuleTechnicalError, CodeNothingDelivered, RuleParams{Currency: cur, Refund: amount})
	}
	return ev.decide(VerdictNeedsReview, 0, cur, RuleTechnicalError, CodeTechnicalReview, RuleParams{Delivered: pr.DeliveredReach})
}

func rejected(ev *evaluation, pr *Promotion) Eligibility {
	cur := pr.Currency
	if pr.Status == PromoRejected {
		amount := pr.Remaining()
		return ev.decide(VerdictEligible, amount, cur, RuleRejected, CodeRejected, RuleParams{Currency: cur, Refund: amount})
	}
	return ev.decide(VerdictNeedsReview, 0, cur, RuleRejected, CodeNotRejected, RuleParams{PromoStatus: pr.Status})
}

func stoppedByPlatform(ev *evaluation, pr *Promotion) Eligibility {
	cur := pr.Currency
	if pr.Status != PromoStoppedByPlatform {
		return ev.decide(VerdictNeedsReview, 0, cur, RuleStoppedByPlatform, CodeNotStopped, RuleParams{PromoStatus: pr.Status})
	}
	unspent := max(pr.Amount-pr.Spend, 0)
	amount := unspent - pr.Refunded
	params := RuleParams{Currency: cur, Paid: pr.Amount, Spent: pr.Spend, Unspent: unspent, Refunded: pr.Refunded}
	switch {
	case amount <= 0:
		return ev.decide(VerdictIneligible, 0, cur, RuleStoppedByPlatform, CodeStoppedCovered, params)
	case pr.Refunded > 0:
		params.Refund = amount
		return ev.decide(VerdictEligible, amount, cur, RuleStoppedByPlatform, CodeStoppedLess, params)
	}
	params.Refund = amount
	return ev.decide(VerdictEligible, amount, cur, RuleStoppedByPlatform, CodeStopped, params)
}

func (p *Policy) duplicateCharge(ev *evaluation, in EvalInput, pr *Promotion) Eligibility {
	cur := pr.Currency
	if out, missing := p.evidence(ev, p.DuplicateCharge.RequireEvidence, in.EvidenceCount, cur, EvidenceReceipts); missing {
		return out
	}
	if twin, gap, ok := p.findTwin(pr, in.Twins); ok {
		amount := pr.Remaining()
		return ev.decide(VerdictEligible, amount, cur, RuleDuplicateCharge, CodeTwin,
			RuleParams{Twin: twin.OrderNumber, Gap: gap, Currency: cur, Refund: amount})
	}
	return ev.decide(VerdictNeedsReview, 0, cur, RuleDuplicateCharge, CodeNoTwin,
		RuleParams{Window: p.DuplicateCharge.Window.Duration})
}

func (p *Policy) underDelivery(ev *evaluation, in EvalInput, pr *Promotion) Eligibility {
	cur := pr.Currency
	if pr.Status == PromoRunning {
		return ev.decide(VerdictNeedsReview, 0, cur, RulePromotionFinished, CodePromotionRunning, RuleParams{})
	}
	ev.pass(RulePromotionFinished, CodePromotionFinished, RuleParams{})
	if out, missing := p.evidence(ev, p.UnderDelivery.RequireEvidence, in.EvidenceCount, cur, EvidenceResults); missing {
		return out
	}
	promised, delivered := pr.PromisedReach, pr.DeliveredReach
	if promised <= 0 {
		return ev.decide(VerdictNeedsReview, 0, cur, RuleUnderDelivery, CodeNoPromise, RuleParams{})
	}
	t := p.UnderDelivery.ThresholdPercent
	params := RuleParams{Delivered: delivered, Promised: promised, ThresholdPercent: t}
	// delivered < t% × promised, in exact integers.
	lhs := new(big.Int).Mul(big.NewInt(delivered), big.NewInt(100))
	rhs := new(big.Int).Mul(big.NewInt(t), big.NewInt(promised))
	if lhs.Cmp(rhs) >= 0 {
		return ev.decide(VerdictIneligible, 0, cur, RuleUnderDelivery, CodeDeliveryMet, params)
	}
	short := max(promised-delivered, 0)
	share := new(big.Int).Mul(big.NewInt(pr.Amount), big.NewInt(short))
	share.Quo(share, big.NewInt(promised)) // floor: both are non-negative
	shortfall := share.Int64()
	amount := shortfall - pr.Refunded // what was refunded already counts against the shortfall
	params.Currency, params.Paid, params.Shortfall, params.Refunded = cur, pr.Amount, shortfall, pr.Refunded
	switch {
	case amount <= 0:
		return ev.decide(VerdictIneligible, 0, cur, RuleUnderDelivery, CodeDeliveryShortCovered, params)
	case pr.Refunded > 0:
		params.Refund = amount
		return ev.decide(VerdictEligible, amount, cur, RuleUnderDelivery, CodeDeliveryShortLess, params)
	}
	params.Refund = amount
	return ev.decide(VerdictEligible, amount, cur, RuleUnderDelivery, CodeDeliveryShort, params)
}

// nonRefundable refuses a reason the policy never refunds; the explanation
// also says how to close a running promotion.
func nonRefundable(ev *evaluation, r Reason, cur string) Eligibility {
	code := CodeNonRefundable
	switch r {
	case ReasonClosedEarly:
		code = CodeClosedEarly
	case ReasonWrongVideo:
		code = CodeWrongVideo
	case ReasonChangedMind:
		code = CodeChangedMind
	}
	return ev.decide(VerdictIneligible, 0, cur, RuleNonRefundable, code, RuleParams{})
}

// evidence checks that a reason that needs evidence has some; missing is true
// when the step decided (needs_info).
func (p *Policy) evidence(ev *evaluation, required bool, n int, cur, what string) (out Eligibility, missing bool) {
	if !required {
		return Eligibility{}, false
	}
	if n == 0 {
		return ev.decide(VerdictNeedsInfo, 0, cur, RuleEvidence, CodeEvidenceMissing, RuleParams{EvidenceWhat: what}), true
	}
	ev.pass(RuleEvidence, CodeEvidenceAttached, RuleParams{Evidence: n})
	return Eligibility{}, false
}

// findTwin looks for another order of the same account, video and amount
// created within the policy's window of pr, the closest first.
func (p *Policy) findTwin(pr *Promotion, candidates []Promotion) (Promotion, time.Duration, bool) {
	var best Promotion
	bestGap := time.Duration(-1)
	for _, c := range candidates {
		if c.OrderNumber == pr.OrderNumber || c.VideoID == "" || c.VideoID != pr.VideoID ||
			c.Amount != pr.Amount || !strings.EqualFold(c.Currency, pr.Currency) ||
			AccountKey(c.Account) != AccountKey(pr.Account) {
			continue
		}
		gap := c.CreatedAt.Sub(pr.CreatedAt).Abs()
		if gap > p.DuplicateCharge.Window.Duration {
			continue
		}
		if bestGap < 0 || gap < bestGap {
			best, bestGap = c, gap
		}
	}
	return best, bestGap, bestGap >= 0
}

func (p *Policy) evaluateRevocation(ev *evaluation, in EvalInput) Eligibility {
	// An account the requester did not name is no ground to withdraw
	// anything (the desk takes none from records for a revocation).
	if in.Account == "" || in.AccountSource == SourceRecord {
		return ev.decide(VerdictNeedsInfo, 0, "", RuleAccountGiven, CodeAccountMissingRevoke, RuleParams{})
	}
	ev.pass(RuleAccountGiven, CodeAccountGiven, RuleParams{Account: in.Account})
	key := AccountKey(in.Account)
	var revoked *Authorization
	for i := range in.Authorizations {
		a := &in.Authorizations[i]
		if AccountKey(a.Account) != key {
			continue
		}
		if a.Active() {
			return ev.decide(VerdictEligible, 0, "", RuleAuthorizationActive, CodeAuthorizationActive,
				RuleParams{Account: in.Account, Scope: a.Scope, Granted: a.GrantedAt})
		}
		revoked = a
	}
	if revoked != nil {
		return ev.decide(VerdictNeedsReview, 0, "", RuleAuthorizationActive, CodeAuthorizationRevoked,
			RuleParams{Account: in.Account, Revoked: *revoked.RevokedAt})
	}
	return ev.decide(VerdictNeedsReview, 0, "", RuleAuthorizationActive, CodeAuthorizationNone, RuleParams{Account: in.Account})
}
