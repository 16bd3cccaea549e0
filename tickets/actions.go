package tickets

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Desk is what agents do to tickets: the actions of the state machine,
// corrections of a ticket's fields, evidence they add, and the amounts
// they type. Every change is checked against the agent list, recorded in
// the audit trail, and sent on (to the requester, to the watchers) in the
// same transaction.
type Desk struct{ *core }

// CheckAgent checks that name may act as an agent.
func (d *Desk) CheckAgent(name string) error { return d.checkAgent(name) }

// Agents lists the configured agents (empty: anyone may act).
func (d *Desk) Agents() []string { return d.agents }

// ActionRequest is an agent acting on a ticket.
type ActionRequest struct {
	Ref    string
	Actor  string // the agent
	Action Action
	// Text: the note, the reply, the question, the reason for a denial; an
	// optional comment for approve, forward, resolve, close and reopen.
	Text string
	// Amount to approve, in minor units; nil: the computed refund amount.
	Amount *int64
	// Assignee for assign: an agent's name, or "none".
	Assignee string
	// ExpectVersion, when not 0, is the ticket's Version as the agent saw
	// it: the action is refused (ticket.changed) if the ticket changed
	// since, checked in the action's own transaction.
	ExpectVersion int64
}

// Act does an agent action: checked against the agent list and the state
// machine, recorded in the audit trail, and with the message to the
// requester (if any) queued in the same transaction.
func (d *Desk) Act(ctx context.Context, a ActionRequest) (*Ticket, error) {
	if err := d.checkAgent(a.Actor); err != nil {
		return nil, err
	}
	id, err := ParseRef(a.Ref)
	if err != nil {
		return nil, err
	}
	if err := d.checkAction(&a); err != nil {
		return nil, err
	}
	var t *Ticket
	err = d.update(ctx, func(tx *writeTx) error {
		var err error
		t, err = tx.Ticket(id)
		if err != nil {
			return err
		}
		if err := expectVersion(t, a.ExpectVersion); err != nil {
			return err
		}
		return d.act(tx, t, a)
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// checkAction validates an action's input and normalizes it in place.
func (d *Desk) checkAction(a *ActionRequest) error {
	if _, err := ParseAction(string(a.Action)); err != nil {
		return err
	}
	a.Text = strings.TrimSpace(a.Text)
	if !utf8.ValidString(a.Text) {
		return Invalid("text", "text.not_utf8")
	}
	if len(a.Text) > d.limits.MaxDetailsBytes {
		return Invalid("text", "text.too_long", "Size", len(a.Text), "Max", d.limits.MaxDetailsBytes)
	}
	switch {
	case (a.Action == ActionNote || a.Action == ActionReply) && a.Text == "":
		return Invalid("text", "action.needs_text", "Action", string(a.Action))
	case a.Action == ActionAsk && a.Text == "":
		return Invalid("question", "question.missing")
	case a.Action == ActionDeny && a.Text == "":
		return Invalid("reason", "reason.deny_missing")
	case a.Action == ActionAssign:
		if err := d.checkAssignee(a); err != nil {
			return err
		}
	}
	if a.Amount != nil && a.Action != ActionApprove {
		return Invalid("amount", "amount.only_approve")
	}
	if a.Amount != nil && *a.Amount <= 0 {
		return Invalid("amount", "amount.not_positive", "Value", *a.Amount)
	}
	if a.ExpectVersion < 0 {
		return Invalid("version", "version.invalid", "Value", a.ExpectVersion)
	}
	return nil
}

// expectVersion refuses a change to a ticket that moved on since its agent
// saw it at version (0: not checked). It runs in the change's transaction,
// after the ticket was read (and, on PostgreSQL, locked), so a change that
// landed after the agent's page is caught, and of two agents acting on the
// same version only the first goes through.
func expectVersion(t *Ticket, version int64) error {
	if version == 0 || version == t.Version {
		return nil
	}
	return conflict("ticket.changed", "Ref", t.Ref, "Expected", version, "Version", t.Version)
}

// checkAssignee reads assign's assignee: an agent, "me" (the actor), or
// "none" (kept as "").
func (d *Desk) checkAssignee(a *ActionRequest) error {
	a.Assignee = strings.TrimSpace(a.Assignee)
	switch {
	case a.Assignee == "":
		return Invalid("assignee", "assignee.missing")
	case strings.EqualFold(a.Assignee, "none"):
		a.Assignee = ""
	case strings.EqualFold(a.Assignee, "me"):
		a.Assignee = a.Actor
	default:
		if err := d.checkAgent(a.Assignee); err != nil {
			return refield("assignee", err)
		}
	}
	return nil
}

// effect is what an action does besides moving the ticket: what its audit
// entry says (its code and params) and the template of its message to the
// requester ("" for none). none: the ticket already is as the action asks;
// nothing changes.
type effect struct {
	audit    AuditEntry
	template string
	none     bool
	// payment: how the order was paid, for the message's advice.
	payment string
}

func (d *Desk) act(tx *writeTx, t *Ticket, a ActionRequest) error {
	now := d.clock.Now()
	from := t.Status
	to, err := Transition(t.Kind, t.Status, a.Action)
	if err != nil {
		return fmt.Errorf("%s: %w", t.Ref, err)
	}
	e, err := d.effectOf(tx, t, a, now)
	if err != nil || e.none {
		return err
	}
	setStatus(t, to, now)
	if to.WaitingOnAgents() {
		// Any agent action restarts the first-response clock.
		t.WaitingSince = &now
	}
	t.UpdatedAt = now
	entry := e.audit
	entry.At, entry.Actor, entry.Action = now, a.Actor, string(a.Action)
	if from != to {
		entry.FromStatus, entry.ToStatus = from, to
	}
	if err := tx.AddAudit(t.ID, entry); err != nil {
		return err
	}
	if err := tx.SaveTicket(t); err != nil {
		return err
	}
	if e.template != "" {
		data := d.messageData(t)
		data.Text = a.Text
		data.PaymentMethod = e.payment
		if err := d.notify(tx, t, e.template, "", data); err != nil {
			return err
		}
	}
	return d.changed(tx, t)
}

// effectOf carries out what is particular to an action, on t as it was
// before the action moves it.
func (d *Desk) effectOf(tx *writeTx, t *Ticket, a ActionRequest, now time.Time) (effect, error) {
	switch a.Action {
	case ActionClaim, ActionAssign:
		return assignment(t, a)
	case ActionNote, ActionReply, ActionAsk:
		return d.message(tx, t, a, now)
	case ActionApprove, ActionDeny:
		return d.decision(tx, t, a)
	case ActionReopen:
		if !t.Status.Open() {
			if other, err := otherOpen(tx, t); err != nil {
				return effect{}, err
			} else if other != "" {
				return effect{}, conflict("order.open_work_there", "Ref", t.Ref, "Order", t.Order, "Other", other)
			}
		}
		if err := d.reopenVerdict(tx, t, a.Actor); err != nil {
			return effect{}, err
		}
		t.SetFlag(FlagReopened)
		t.InfoRequested = false
	case ActionClose:
		t.InfoRequested = false
	case ActionForward:
		if t.Kind == KindRevocation {
			return effect{audit: comment(a.Text), template: TemplateRevocationForwarded}, nil
		}
	case ActionResolve:
		if t.Kind == KindRevocation {
			return effect{audit: comment(a.Text), template: TemplateRevocationDone}, nil
		}
	}
	return effect{audit: comment(a.Text)}, nil
}

// assignment claims a ticket for its actor or assigns it.
func assignment(t *Ticket, a ActionRequest) (effect, error) {
	if a.Action == ActionAssign {
		if t.Assignee == a.Assignee {
			return effect{none: true}, nil
		}
		e := effect{audit: AuditEntry{Code: AuditAssigned, Params: AuditParams{From: t.Assignee, To: a.Assignee}}}
		t.Assignee = a.Assignee
		return e, nil
	}
	switch t.Assignee {
	case a.Actor:
		return effect{none: true}, nil // already theirs
	case "":
	default:
		return effect{}, conflict("ticket.assigned", "Ref", t.Ref, "Assignee", t.Assignee)
	}
	t.Assignee = a.Actor
	return effect{audit: comment(a.Text)}, nil
}

// message adds an agent's note, reply or question to the conversation.
func (d *Desk) message(tx *writeTx, t *Ticket, a ActionRequest, now time.Time) (effect, error) {
	kind := MessageOut
	if a.Action == ActionNote {
		kind = MessageNote
	} else if err := d.requireRoute(t); err != nil {
		return effect{}, err
	}
	if err := tx.AddMessage(t.ID, &Message{Kind: kind, Channel: ChannelAgent, Author: a.Actor, Body: a.Text, CreatedAt: now}); err != nil {
		return effect{}, err
	}
	switch a.Action {
	case ActionReply:
		return effect{template: TemplateReply}, nil
	case ActionAsk:
		t.InfoRequested = true
		if t.Status == StatusNeedsInfo {
			// Asking again restarts the reminders and the auto-close.
			t.StatusChangedAt = now
		}
		return effect{audit: comment(a.Text), template: TemplateRequestInfo}, nil
	}
	return effect{}, nil
}

// decision approves or denies a ticket.
func (d *Desk) decision(tx Tx, t *Ticket, a ActionRequest) (effect, error) {
	switch {
	case a.Action == ActionDeny:
		t.Decision, t.DecisionCode, t.DecisionParams = a.Text, "", AuditParams{}
		t.ApprovedAmount = nil
		payment, err := paymentMethod(tx, t)
		if err != nil {
			return effect{}, err
		}
		return effect{audit: comment(a.Text), template: TemplateDenied, payment: payment}, nil
	case t.Kind == KindRevocation:
		return effect{audit: comment(a.Text), template: TemplateRevocationForwarded}, nil
	}
	amount, err := d.approvalAmount(tx, t, a.Amount)
	if err != nil {
		return effect{}, err
	}
	t.ApprovedAmount = &amount
	t.Decision, t.DecisionCode, t.DecisionParams = a.Text, "", AuditParams{}
	audit := AuditEntry{Code: AuditApproved, Params: AuditParams{Amount: amount, Currency: t.Eligibility.Currency, Text: a.Text}}
	return effect{audit: audit, template: TemplateApproved}, nil
}

// paymentMethod is how a refund's order was paid, as its record says; ""
// for a revocation, or an order without a record: a denial then says
// nothing of disputing the charge.
func paymentMethod(tx Tx, t *Ticket) (string, error) {
	if t.Kind != KindRefund || t.Order == "" {
		return "", nil
	}
	p, err := tx.Promotion(t.Order)
	if errors.Is(err, ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return p.PaymentMethod, nil
}

// otherOpen names another open ticket for t's order (refunds) or account
// (revocations), if there is one: reopening t would make two.
func otherOpen(tx Tx, t *Ticket) (string, error) {
	id, err := openFor(tx, t.Kind, t.Order, t.Account)
	if errors.Is(err, ErrNotFound) || (err == nil && id == t.ID) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return FormatRef(id), nil
}

// requireRoute refuses a message to a requester the desk cannot reach.
func (d *Desk) requireRoute(t *Ticket) error {
	if _, _, ok := route(t); !ok {
		return conflict("ticket.no_address", "Ref", t.Ref)
	}
	return nil
}

// approvalAmount is the amount an approval grants: the one given, or the
// computed refund; never more than what is left of the order.
func (d *Desk) approvalAmount(tx Tx, t *Ticket, given *int64) (int64, error) {
	p, err := tx.Promotion(t.Order)
	if errors.Is(err, ErrNotFound) || t.Order == "" {
		return 0, conflict("order.no_record", "Ref", t.Ref, "Order", t.Order)
	}
	if err != nil {
		return 0, err
	}
	if given == nil {
		if t.Eligibility.Verdict != VerdictEligible || t.Eligibility.RefundAmount <= 0 {
			return 0, Invalid("amount", "amount.no_computed", "Verdict", string(t.Eligibility.Verdict))
		}
		return min(t.Eligibility.RefundAmount, p.Remaining()), nil
	}
	if *given > p.Remaining() {
		return 0, Invalid("amount", "amount.over_remaining", "Amount", PlainMoney(*given, p.Currency), "Order", p.OrderNumber,
			"Paid", PlainMoney(p.Amount, p.Currency), "Refunded", PlainMoney(p.Refunded, p.Currency))
	}
	if t.Eligibility.Currency == "" {
		t.Eligibility.Currency = p.Currency
	}
	return *given, nil
}

// Fields are ticket fields an agent corrects; nil leaves a field alone.
type Fields struct {
	Account  *string
	Order    *string
	Reason   *string
	Language *string
	// ExpectVersion, when not 0, is the ticket's Version as the agent saw
	// it (see ActionRequest.ExpectVersion).
	ExpectVersion int64
}

// fieldValues are Fields checked and normalized.
type fieldValues struct {
	account, order, language string
	reason                   Reason
}

// checkFields validates the fields an agent gives; every problem names
// its field.
func checkFields(f Fields, languages []string) (fieldValues, error) {
	var errs ValidationErrors
	var v fieldValues
	var err error
	if f.Account != nil {
		v.account, err = NormalizeAccount(*f.Account)
		errs.collect(err)
	}
	if f.Order != nil {
		v.order, err = NormalizeOrder(*f.Order)
		errs.collect(err)
	}
	if f.Reason != nil {
		v.reason, err = ParseReason(strings.ToLower(strings.TrimSpace(*f.Reason)))
		errs.collect(err)
	}
	if f.Language != nil {
		v.language, err = ParseLanguage(*f.Language, languages)
		errs.collect(err)
	}
	return v, errs.err()
}

// Edit corrects a ticket's fields and computes the verdict again.
func (d *Desk) Edit(ctx context.Context, ref, actor string, f Fields) (*Ticket, error) {
	if err := d.checkAgent(actor); err != nil {
		return nil, err
	}
	id, err := ParseRef(ref)
	if err != nil {
		return nil, err
	}
	v, err := checkFields(f, d.languages)
	if err != nil {
		return nil, err
	}
	if f.Account == nil && f.Order == nil && f.Reason == nil && f.Language == nil {
		return nil, Invalid("fields", "fields.nothing")
	}
	if f.ExpectVersion < 0 {
		return nil, Invalid("version", "version.invalid", "Value", f.ExpectVersion)
	}
	var t *Ticket
	err = d.update(ctx, func(tx *writeTx) error {
		var err error
		if t, err = tx.Ticket(id); err != nil {
			return err
		}
		if err := expectVersion(t, f.ExpectVersion); err != nil {
			return err
		}
		if t.Status == StatusClosed {
			return conflict("ticket.closed_change", "Ref", t.Ref)
		}
		changes, err := editFields(tx, t, f, v)
		if err != nil || len(changes) == 0 {
			return err
		}
		now := d.clock.Now()
		if err := tx.AddAudit(t.ID, AuditEntry{At: now, Actor: actor, Action: "edit", Code: AuditEdited,
			Params: AuditParams{Changes: changes}}); err != nil {
			return err
		}
		if err := d.reevaluate(tx, t, actor, CauseFieldsChanged, false); err != nil {
			return err
		}
		if t.Status.WaitingOnAgents() {
			t.WaitingSince = &now
		}
		t.UpdatedAt = now
		if err := tx.SaveTicket(t); err != nil {
			return err
		}
		return d.changed(tx, t)
	})
	return t, err
}

// editFields sets the fields given (an account another open revocation
// has, or an order another open ticket has, is refused) and says what
// changed, from what to what. A field changed is the agent's
// (SourceAgent); one given as it is keeps its source.
func editFields(tx Tx, t *Ticket, f Fields, v fieldValues) ([]FieldChange, error) {
	var changes []FieldChange
	if f.Account != nil && v.account != t.Account && v.account != "" && t.Kind == KindRevocation && t.Status.Open() {
		if other, err := tx.OpenTicket(KindRevocation, "", AccountKey(v.account)); err == nil && other != t.ID {
			return nil, conflict("account.open_revocation", "Account", v.account, "Other", FormatRef(other))
		} else if err != nil && !errors.Is(err, ErrNotFound) {
			return nil, err
		}
	}
	if f.Account != nil && v.account != t.Account {
		changes = append(changes, FieldChange{Field: "account", From: t.Account, To: v.account})
		t.Account = v.account
		t.setSource(FieldSourceAccount, t.Account, SourceAgent)
	}
	if f.Order != nil && v.order != t.Order {
		if t.Kind == KindRefund && v.order != "" && t.Status.Open() {
			if other, err := tx.OpenTicket(KindRefund, v.order, ""); err == nil && other != t.ID {
				return nil, conflict("order.open_ticket", "Order", v.order, "Other", FormatRef(other))
			} else if err != nil && !errors.Is(err, ErrNotFound) {
				return nil, err
			}
		}
		changes = append(changes, FieldChange{Field: "order", From: t.Order, To: v.order})
		t.Order = v.order
		t.setSource(FieldSourceOrder, t.Order, SourceAgent)
	}
	if f.Reason != nil && v.reason != t.Reason {
		changes = append(changes, FieldChange{Field: "reason", From: string(t.Reason), To: string(v.reason)})
		t.Reason = v.reason
		t.setSource(FieldSourceReason, string(t.Reason), SourceAgent)
	}
	if f.Language != nil && v.language != t.Language {
		changes = append(changes, FieldChange{Field: "language", From: t.Language, To: v.language})
		t.Language = v.language
	}
	return changes, nil
}

// AddEvidence attaches files to a ticket for an agent (a requester's files
// come through Intake.RequesterReply) and computes the verdict again.
func (d *Desk) AddEvidence(ctx context.Context, ref, actor string, files []File) (*Ticket, error) {
	if err := d.checkAgent(actor); err != nil {
		return nil, err
	}
	id, err := ParseRef(ref)
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, Invalid("evidence", "evidence.none")
	}
	blobs, err := d.checkFiles(files)
	if err != nil {
		return nil, err
	}
	var t *Ticket
	err = d.update(ctx, func(tx *writeTx) error {
		var err error
		if t, err = tx.Ticket(id); err != nil {
			return err
		}
		if t.Status == StatusClosed {
			return conflict("ticket.closed_evidence", "Ref", t.Ref)
		}
		if err := d.roomFor(t, blobs); err != nil {
			return err
		}
		added, err := d.addBlobs(tx, t, blobs, actor)
		if err != nil || added == 0 {
			return err
		}
		if err := d.reevaluate(tx, t, actor, CauseEvidenceAdded, false); err != nil {
			return err
		}
		t.UpdatedAt = d.clock.Now()
		if err := tx.SaveTicket(t); err != nil {
			return err
		}
		return d.changed(tx, t)
	})
	return t, err
}
