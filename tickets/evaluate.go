package tickets

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
)

// ActorSystem is the actor of what the desk does by itself.
const ActorSystem = "system"

// evalInput gathers what the policy needs for t from the store.
func (s *Service) evalInput(tx Tx, t *Ticket) (EvalInput, error) {
	in := EvalInput{Kind: t.Kind, Account: t.Account, Order: t.Order, Reason: t.Reason, Language: t.Language,
		EvidenceCount: len(t.Evidence), Flags: t.Flags, Now: s.clock.Now()}
	switch t.Kind {
	case KindRefund:
		if t.Order == "" {
			return in, nil
		}
		p, err := tx.Promotion(t.Order)
		if errors.Is(err, ErrNotFound) {
			return in, nil
		}
		if err != nil {
			return in, err
		}
		in.Promotion = p
		if t.Reason == ReasonDuplicateCharge {
			if in.Twins, err = tx.Twins(p, s.policy.DuplicateCharge.Window.Duration); err != nil {
				return in, err
			}
		}
	case KindRevocation:
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

// evaluate computes the verdict again and applies what follows from it: the
// account_mismatch flag and the status of an undecided ticket.
// Everything it changes is audited; the caller saves t.
//
// requesterAnswered: the requester just added something (a field, evidence,
// a message), so a needs_info ticket goes back to the agents.
func (s *Service) evaluate(tx Tx, t *Ticket, actor, why string, requesterAnswered bool) error {
	in, err := s.evalInput(tx, t)
	if err != nil {
		return fmt.Errorf("evaluate %s: %w", t.Ref, err)
	}
	now := s.clock.Now()
	before := t.Eligibility
	el := s.policy.Evaluate(in)
	t.Eligibility = el
	t.Stale = false

	mismatch := false
	for _, r := range el.Rules {
		if r.Rule == RuleAccountMatches && r.Outcome != OutcomePass {
			mismatch = true
		}
	}
	if mismatch {
		t.SetFlag(FlagAccountMismatch)
	} else if t.Order != "" && in.Promotion != nil {
		t.ClearFlag(FlagAccountMismatch) // the account now matches, or the order changed
	}

	if before.Verdict != el.Verdict || before.RefundAmount != el.RefundAmount {
		detail := fmt.Sprintf("verdict %s", el.Verdict)
		if before.Verdict != "" {
			detail = fmt.Sprintf("verdict %s → %s", before.Verdict, el.Verdict)
		}
		if step, ok := el.Deciding(); ok {
			detail += " (" + step.Rule + ")"
		}
		if el.RefundAmount > 0 {
			detail += ", refund " + PlainMoney(el.RefundAmount, el.Currency)
		}
		if why != "" {
			detail += "; " + why
		}
		if err := tx.AddAudit(t.ID, AuditEntry{At: now, Actor: actor, Action: "evaluated", Detail: detail}); err != nil {
			return err
		}
	}

	if !t.Status.Undecided() {
		return nil
	}
	from := t.Status
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
	if from != t.Status && from != StatusNew {
		if err := tx.AddAudit(t.ID, AuditEntry{At: now, Actor: actor, Action: "status", FromStatus: from, ToStatus: t.Status, Detail: why}); err != nil {
			return err
		}
	}
	return nil
}

// reevaluate computes the verdict again and then approves at once when the
// policy's auto_approve_below allows it.
func (s *Service) reevaluate(tx Tx, t *Ticket, actor, why string, requesterAnswered bool) error {
	if err := s.evaluate(tx, t, actor, why, requesterAnswered); err != nil {
		return err
	}
	return s.autoApprove(tx, t)
}

// autoApprove approves an eligible refund at or below the policy's threshold.
func (s *Service) autoApprove(tx Tx, t *Ticket) error {
	el := t.Eligibility
	if t.Kind != KindRefund || !t.Status.Undecided() || t.Status == StatusNew || t.InfoRequested ||
		el.Verdict != VerdictEligible || el.RefundAmount <= 0 {
		return nil
	}
	limit, on := s.policy.AutoApproveBelow.Limit(el.Currency)
	if !on || el.RefundAmount > limit {
		return nil
	}
	now := s.clock.Now()
	from := t.Status
	amount := el.RefundAmount
	t.ApprovedAmount = &amount
	t.Decision = "approved automatically: at or below " + PlainMoney(limit, el.Currency)
	setStatus(t, StatusApproved, now)
	if err := tx.AddAudit(t.ID, AuditEntry{At: now, Actor: ActorSystem, Action: string(ActionApprove), FromStatus: from,
		ToStatus: StatusApproved, Detail: fmt.Sprintf("%s (auto_approve_below %s)", PlainMoney(amount, el.Currency), PlainMoney(limit, el.Currency))}); err != nil {
		return err
	}
	return s.notifyAuto(tx, t, TemplateApproved, "", s.messageData(t))
}

// ReevaluateStale computes again the verdicts that imports marked stale and
// returns how many tickets it went through.
func (s *Service) ReevaluateStale(ctx context.Context) (int, error) {
	total := 0
	for {
		ids, err := s.store.StaleTickets(ctx, 200)
		if err != nil {
			return total, err
		}
		if len(ids) == 0 {
			return total, nil
		}
		for _, id := range ids {
			err := s.update(ctx, func(tx Tx) error {
				t, err := tx.Ticket(id)
				if err != nil {
					return err
				}
				if !t.Stale {
					return nil // another process got there first
				}
				if err := s.reevaluate(tx, t, ActorSystem, "the records changed", false); err != nil {
					return err
				}
				t.UpdatedAt = s.clock.Now()
				return tx.SaveTicket(t)
			})
			if err != nil {
				return total, err
			}
			total++
		}
		s.log.Debug("re-evaluated tickets", slog.Int("count", total))
	}
}
