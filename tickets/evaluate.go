package tickets

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"
)

// ActorSystem is the actor of what the desk does by itself.
const ActorSystem = "system"

// evalInput gathers what the policy needs for t from the store. A refund
// whose requester named no account takes its order's record's first
// (accountFromRecord): the one change it makes to t; an erased one
// (erased) never does.
func (c *core) evalInput(tx Tx, t *Ticket, erased bool) (EvalInput, error) {
	in := EvalInput{Kind: t.Kind, Order: t.Order, Reason: t.Reason, Language: t.Language,
		EvidenceCount: len(t.Evidence), Flags: t.Flags, Now: c.clock.Now()}
	switch t.Kind {
	case KindRefund:
		if t.Order != "" {
			p, err := tx.Promotion(t.Order)
			switch {
			case err == nil:
				in.Promotion = p
			case !errors.Is(err, ErrNotFound):
				return in, err
			}
		}
		if !erased {
			accountFromRecord(t, in.Promotion)
		}
		in.Account, in.AccountSource = t.Account, t.Sources.Of(FieldSourceAccount)
		if in.Promotion != nil && t.Reason == ReasonDuplicateCharge {
			var err error
			if in.Twins, err = tx.Twins(in.Promotion, c.policy.DuplicateCharge.Window.Duration); err != nil {
				return in, err
			}
		}
	case KindRevocation:
		in.Account, in.AccountSource = t.Account, t.Sources.Of(FieldSourceAccount)
		if t.Account == "" {
			return in, nil
		}
		var err error
		if in.Authorizations, err = tx.Authorizations(AccountKey(t.Account)); err != nil {
			return in, err
		}
	}
	return in, nil
}

// accountFromRecord keeps a refund's account in step with its order's
// record when the requester named none: with no account, the ticket takes
// the record's, marked SourceRecord, so that the verdict and the agents can
// tell it from one the requester wrote; an account taken so follows the
// order (an order changed, a record corrected by an import). p is the
// ticket's order's record, nil when it is not on record.
func accountFromRecord(t *Ticket, p *Promotion) {
	if t.Kind != KindRefund {
		return
	}
	taken := t.Account != "" && t.Sources.Of(FieldSourceAccount) == SourceRecord
	if taken && (p == nil || AccountKey(p.Account) != AccountKey(t.Account)) {
		t.Account = ""
		t.setSource(FieldSourceAccount, "", "")
	}
	if t.Account != "" || p == nil {
		return
	}
	if acc, err := NormalizeAccount(p.Account); err == nil && acc != "" {
		t.Account = acc
		t.setSource(FieldSourceAccount, acc, SourceRecord)
	}
}

// wasErased reports whether t is a ticket whose requester's data was
// erased (AuditErased with ErasedContact in its trail): it keeps no
// account, and takes none from its order's record again. Only a ticket
// with no requester left is read for it.
func wasErased(tx Tx, t *Ticket) (bool, error) {
	if t.ID == 0 || t.Requester != (Requester{}) || t.Account != "" {
		return false, nil
	}
	d, err := tx.Detail(t.ID)
	if err != nil {
		return false, err
	}
	return slices.ContainsFunc(d.Audit, func(e AuditEntry) bool {
		return e.Code == AuditErased && slices.Contains(e.Params.Fields, ErasedContact)
	}), nil
}

// evaluate computes the verdict again and applies what follows from it: the
// account_mismatch flag and the status of an undecided ticket.
// Everything it changes is audited, with why (a Cause* code, or none); the
// caller saves t.
//
// requesterAnswered: the requester just added something (a field, evidence,
// a message), so a needs_info ticket goes back to the agents.
func (c *core) evaluate(tx Tx, t *Ticket, actor, why string, requesterAnswered bool) error {
	erased, err := wasErased(tx, t)
	if err != nil {
		return fmt.Errorf("evaluate %s: %w", t.Ref, err)
	}
	in, err := c.evalInput(tx, t, erased)
	if err != nil {
		return fmt.Errorf("evaluate %s: %w", t.Ref, err)
	}
	now := c.clock.Now()
	before := t.Eligibility
	el := c.policy.Evaluate(in)
	if erased {
		// The record's account was, or may have been, the erased person's.
		el.Rules = EraseRules(el.Rules)
	}
	t.Eligibility = el
	t.Stale = false

	mismatch := slices.ContainsFunc(el.Rules, func(r RuleStep) bool {
		return r.Rule == RuleAccountMatches && r.Outcome != OutcomePass && r.Code != CodeAccountNotShown
	})
	if mismatch {
		t.SetFlag(FlagAccountMismatch)
	} else if t.Order != "" && in.Promotion != nil {
		t.ClearFlag(FlagAccountMismatch) // the account now matches, or the order changed
	}
	if before.Verdict != el.Verdict || before.RefundAmount != el.RefundAmount {
		if err := tx.AddAudit(t.ID, AuditEntry{At: now, Actor: actor, Action: "evaluated", Code: AuditVerdict,
			Params: verdictAudit(AuditVerdict, before.Verdict, el, why)}); err != nil {
			return err
		}
	}
	if !t.Status.Undecided() {
		return nil
	}
	from := t.Status
	moveUndecided(t, requesterAnswered, now)
	if from != t.Status && from != StatusNew {
		if err := tx.AddAudit(t.ID, AuditEntry{At: now, Actor: actor, Action: "status", FromStatus: from, ToStatus: t.Status,
			Code: AuditCause, Params: AuditParams{Why: why}}); err != nil {
			return err
		}
	}
	return nil
}

// moveUndecided moves an undecided ticket as its new verdict says: a new
// one to needs_info or in_review, a needs_info one back to the agents when
// the requester answered or the records now hold what was missing.
func moveUndecided(t *Ticket, requesterAnswered bool, now time.Time) {
	el := t.Eligibility
	switch {
	case t.Status == StatusNew && el.Verdict == VerdictNeedsInfo:
		setStatus(t, StatusNeedsInfo, now)
	case t.Status == StatusNew:
		setStatus(t, StatusInReview, now)
	case t.Status == StatusNeedsInfo && requesterAnswered:
		setStatus(t, StatusInReview, now)
		t.InfoRequested = false
	case t.Status == StatusNeedsInfo && !t.InfoRequested && el.Verdict != VerdictNeedsInfo:
		setStatus(t, StatusInReview, now) // what was missing arrived in the records
	case t.Status == StatusInReview && requesterAnswered:
		t.InfoRequested = false
	}
}

// reevaluate computes the verdict again and then approves at once when the
// policy's auto_approve_below allows it.
func (c *core) reevaluate(tx *writeTx, t *Ticket, actor, why string, requesterAnswered bool) error {
	if err := c.evaluate(tx, t, actor, why, requesterAnswered); err != nil {
		return err
	}
	return c.autoApprove(tx, t)
}

// autoApprove approves an eligible refund at or below the policy's threshold.
func (c *core) autoApprove(tx *writeTx, t *Ticket) error {
	el := t.Eligibility
	if t.Kind != KindRefund || !t.Status.Undecided() || t.Status == StatusNew || t.InfoRequested ||
		el.Verdict != VerdictEligible || el.RefundAmount <= 0 {
		return nil
	}
	limit, on := c.policy.AutoApproveBelow.Limit(el.Currency)
	if !on || el.RefundAmount > limit {
		return nil
	}
	now := c.clock.Now()
	from := t.Status
	amount := el.RefundAmount
	t.ApprovedAmount = &amount
	t.Decision, t.DecisionCode, t.DecisionParams = "", DecisionAutoApproved, AuditParams{Limit: limit, Currency: el.Currency}
	setStatus(t, StatusApproved, now)
	if err := tx.AddAudit(t.ID, AuditEntry{At: now, Actor: ActorSystem, Action: string(ActionApprove), FromStatus: from,
		ToStatus: StatusApproved, Code: AuditAutoApproved, Params: AuditParams{Amount: amount, Limit: limit, Currency: el.Currency}}); err != nil {
		return err
	}
	return c.notifyAuto(tx, t, TemplateApproved, "", c.messageData(t))
}

// ReevaluateStale computes again the verdicts that imports marked stale and
// returns how many tickets it went through.
func (r *Records) ReevaluateStale(ctx context.Context) (int, error) {
	total := 0
	for {
		ids, err := r.store.StaleTickets(ctx, 200)
		if err != nil {
			return total, err
		}
		if len(ids) == 0 {
			return total, nil
		}
		for _, id := range ids {
			err := r.update(ctx, func(tx *writeTx) error {
				t, err := tx.Ticket(id)
				if err != nil {
					return err
				}
				if !t.Stale {
					return nil // another process got there first
				}
				if err := r.reevaluate(tx, t, ActorSystem, CauseRecordsChanged, false); err != nil {
					return err
				}
				t.UpdatedAt = r.clock.Now()
				if err := tx.SaveTicket(t); err != nil {
					return err
				}
				return r.changed(tx, t)
			})
			if err != nil {
				return total, err
			}
			total++
		}
		r.log.Debug("re-evaluated tickets", slog.Int("count", total))
	}
}
