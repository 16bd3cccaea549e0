package tickets

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

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
}

// Act does an agent action: checked against the agent list and the state
// machine, recorded in the audit trail, and with the message to the
// requester (if any) queued in the same transaction.
func (s *Service) Act(ctx context.Context, a ActionRequest) (*Ticket, error) {
	if err := s.CheckAgent(a.Actor); err != nil {
		return nil, err
	}
	id, err := ParseRef(a.Ref)
	if err != nil {
		return nil, err
	}
	if _, err := ParseAction(string(a.Action)); err != nil {
		return nil, err
	}
	a.Text = strings.TrimSpace(a.Text)
	if !utf8.ValidString(a.Text) {
		return nil, Invalid("text", "not valid UTF-8 text")
	}
	if len(a.Text) > s.limits.MaxDetailsBytes {
		return nil, Invalid("text", "%d bytes, more than the %d allowed", len(a.Text), s.limits.MaxDetailsBytes)
	}
	switch a.Action {
	case ActionNote, ActionReply:
		if a.Text == "" {
			return nil, Invalid("text", "%s needs a text", a.Action)
		}
	case ActionAsk:
		if a.Text == "" {
			return nil, Invalid("question", "ask needs the question for the requester")
		}
	case ActionDeny:
		if a.Text == "" {
			return nil, Invalid("reason", "deny needs a reason; the requester is told it")
		}
	case ActionAssign:
		a.Assignee = strings.TrimSpace(a.Assignee)
		if a.Assignee == "" {
			return nil, Invalid("assignee", "assign needs an agent's name, or none")
		}
		if strings.EqualFold(a.Assignee, "none") {
			a.Assignee = ""
		} else if strings.EqualFold(a.Assignee, "me") {
			a.Assignee = a.Actor
		} else if err := s.CheckAgent(a.Assignee); err != nil {
			return nil, Invalid("assignee", "%v", err)
		}
	}
	if a.Amount != nil && a.Action != ActionApprove {
		return nil, Invalid("amount", "only approve takes an amount")
	}
	if a.Amount != nil && *a.Amount <= 0 {
		return nil, Invalid("amount", "must be more than zero, got %d", *a.Amount)
	}
	var t *Ticket
	err = s.update(ctx, func(tx Tx) error {
		var err error
		t, err = tx.Ticket(id)
		if err != nil {
			return err
		}
		return s.act(tx, t, a)
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

func (s *Service) act(tx Tx, t *Ticket, a ActionRequest) error {
	now := s.clock.Now()
	from := t.Status
	to, err := Transition(t.Kind, t.Status, a.Action)
	if err != nil {
		return fmt.Errorf("%s: %w", t.Ref, err)
	}
	detail := a.Text
	template := ""
	switch a.Action {
	case ActionClaim:
		switch t.Assignee {
		case a.Actor:
			return nil // already theirs: nothing to do
		case "":
		default:
			return conflictf("%s is assigned to %s; use assign to take it over", t.Ref, t.Assignee)
		}
		t.Assignee = a.Actor
	case ActionAssign:
		if t.Assignee == a.Assignee {
			return nil
		}
		detail = fmt.Sprintf("%s → %s", orNone(t.Assignee), orNone(a.Assignee))
		t.Assignee = a.Assignee
	case ActionNote:
		if err := tx.AddMessage(t.ID, &Message{Kind: MessageNote, Channel: ChannelAgent, Author: a.Actor, Body: a.Text, CreatedAt: now}); err != nil {
			return err
		}
		detail = ""
	case ActionReply:
		if err := s.requireRoute(t); err != nil {
			return err
		}
		if err := tx.AddMessage(t.ID, &Message{Kind: MessageOut, Channel: ChannelAgent, Author: a.Actor, Body: a.Text, CreatedAt: now}); err != nil {
			return err
		}
		template, detail = TemplateReply, ""
	case ActionAsk:
		if err := s.requireRoute(t); err != nil {
			return err
		}
		if err := tx.AddMessage(t.ID, &Message{Kind: MessageOut, Channel: ChannelAgent, Author: a.Actor, Body: a.Text, CreatedAt: now}); err != nil {
			return err
		}
		t.InfoRequested = true
		template = TemplateRequestInfo
		if from == StatusNeedsInfo {
			// Asking again restarts the reminders and the auto-close.
			t.StatusChangedAt = now
		}
	case ActionApprove:
		if t.Kind == KindRevocation {
			template = TemplateRevocationForwarded
			break
		}
		amount, err := s.approvalAmount(tx, t, a.Amount)
		if err != nil {
			return err
		}
		t.ApprovedAmount = &amount
		t.Decision = a.Text
		detail = PlainMoney(amount, t.Eligibility.Currency)
		if a.Text != "" {
			detail += ": " + a.Text
		}
		template = TemplateApproved
	case ActionDeny:
		t.Decision = a.Text
		t.ApprovedAmount = nil
		template = TemplateDenied
	case ActionForward:
		if t.Kind == KindRevocation {
			template = TemplateRevocationForwarded
		}
	case ActionResolve:
		if t.Kind == KindRevocation {
			template = TemplateRevocationDone
		}
	case ActionReopen:
		if !from.Open() {
			if other, err := s.otherOpen(tx, t); err != nil {
				return err
			} else if other != "" {
				return conflictf("%s: order %s already has an open ticket, %s; work there", t.Ref, t.Order, other)
			}
		}
		if err := s.reopenVerdict(tx, t, a.Actor); err != nil {
			return err
		}
		t.SetFlag(FlagReopened)
		t.InfoRequested = false
	case ActionClose:
		t.InfoRequested = false
	}
	setStatus(t, to, now)
	if to.WaitingOnAgents() {
		// Any agent action restarts the first-response clock.
		t.WaitingSince = &now
	}
	t.UpdatedAt = now
	entry := AuditEntry{At: now, Actor: a.Actor, Action: string(a.Action), Detail: detail}
	if from != to {
		entry.FromStatus, entry.ToStatus = from, to
	}
	if err := tx.AddAudit(t.ID, entry); err != nil {
		return err
	}
	if err := tx.SaveTicket(t); err != nil {
		return err
	}
	if template == "" {
		return nil
	}
	data := s.messageData(t)
	data.Text = a.Text
	return s.notify(tx, t, template, "", data)
}

// otherOpen names another open ticket for t's order (refunds) or account
// (revocations), if there is one: reopening t would make two.
func (s *Service) otherOpen(tx Tx, t *Ticket) (string, error) {
	var id int64
	var err error
	switch {
	case t.Kind == KindRefund && t.Order != "":
		id, err = tx.OpenTicket(KindRefund, t.Order, "")
	case t.Kind == KindRevocation && t.Account != "":
		id, err = tx.OpenTicket(KindRevocation, "", AccountKey(t.Account))
	default:
		return "", nil
	}
	if errors.Is(err, ErrNotFound) || (err == nil && id == t.ID) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return FormatRef(id), nil
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// requireRoute refuses a message to a requester the desk cannot reach.
func (s *Service) requireRoute(t *Ticket) error {
	if _, _, ok := route(t); !ok {
		return conflictf("%s has no mail address or Discord user to write to; add a note instead", t.Ref)
	}
	return nil
}

// approvalAmount is the amount an approval grants: the one given, or the
// computed refund; never more than what is left of the order.
func (s *Service) approvalAmount(tx Tx, t *Ticket, given *int64) (int64, error) {
	p, err := tx.Promotion(t.Order)
	if errors.Is(err, ErrNotFound) || t.Order == "" {
		return 0, conflictf("%s: order %q is not in the promotion records; import the record before approving", t.Ref, t.Order)
	}
	if err != nil {
		return 0, err
	}
	if given == nil {
		if t.Eligibility.Verdict != VerdictEligible || t.Eligibility.RefundAmount <= 0 {
			return 0, Invalid("amount", "the verdict is %s, so there is no computed refund; give the amount to approve", t.Eligibility.Verdict)
		}
		return min(t.Eligibility.RefundAmount, p.Remaining()), nil
	}
	if *given > p.Remaining() {
		return 0, Invalid("amount", "%s is more than what is left of order %s (%s paid, %s refunded)",
			PlainMoney(*given, p.Currency), p.OrderNumber, PlainMoney(p.Amount, p.Currency), PlainMoney(p.Refunded, p.Currency))
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
}

// Edit corrects a ticket's fields and computes the verdict again.
func (s *Service) Edit(ctx context.Context, ref, actor string, f Fields) (*Ticket, error) {
	if err := s.CheckAgent(actor); err != nil {
		return nil, err
	}
	id, err := ParseRef(ref)
	if err != nil {
		return nil, err
	}
	var errs ValidationErrors
	var acc, order, lang string
	var reason Reason
	if f.Account != nil {
		if acc, err = NormalizeAccount(*f.Account); err != nil {
			errs = append(errs, err.(*ValidationError))
		}
	}
	if f.Order != nil {
		if order, err = NormalizeOrder(*f.Order); err != nil {
			errs = append(errs, err.(*ValidationError))
		}
	}
	if f.Reason != nil {
		if reason, err = ParseReason(strings.ToLower(strings.TrimSpace(*f.Reason))); err != nil {
			errs = append(errs, err.(*ValidationError))
		}
	}
	if f.Language != nil {
		if lang, err = ParseLanguage(*f.Language); err != nil {
			errs = append(errs, err.(*ValidationError))
		}
	}
	if err := errs.err(); err != nil {
		return nil, err
	}
	if f == (Fields{}) {
		return nil, Invalid("fields", "nothing to change (give --account, --order, --reason or --language)")
	}
	var t *Ticket
	err = s.update(ctx, func(tx Tx) error {
		var err error
		if t, err = tx.Ticket(id); err != nil {
			return err
		}
		if t.Status == StatusClosed {
			return conflictf("%s is closed; reopen it before changing it", t.Ref)
		}
		var changes []string
		if f.Account != nil && acc != t.Account && acc != "" && t.Kind == KindRevocation && t.Status.Open() {
			if other, err := tx.OpenTicket(KindRevocation, "", AccountKey(acc)); err == nil && other != t.ID {
				return conflictf("account %s already has an open revocation, %s", acc, FormatRef(other))
			} else if err != nil && !errors.Is(err, ErrNotFound) {
				return err
			}
		}
		if f.Account != nil && acc != t.Account {
			changes = append(changes, fmt.Sprintf("account %s → %s", orNone(t.Account), orNone(acc)))
			t.Account = acc
		}
		if f.Order != nil && order != t.Order {
			if t.Kind == KindRefund && order != "" && t.Status.Open() {
				if other, err := tx.OpenTicket(KindRefund, order, ""); err == nil && other != t.ID {
					return conflictf("order %s already has an open ticket, %s", order, FormatRef(other))
				} else if err != nil && !errors.Is(err, ErrNotFound) {
					return err
				}
			}
			changes = append(changes, fmt.Sprintf("order %s → %s", orNone(t.Order), orNone(order)))
			t.Order = order
		}
		if f.Reason != nil && reason != t.Reason {
			changes = append(changes, fmt.Sprintf("reason %s → %s", orNone(string(t.Reason)), orNone(string(reason))))
			t.Reason = reason
		}
		if f.Language != nil && lang != t.Language {
			changes = append(changes, fmt.Sprintf("language %s → %s", t.Language, lang))
			t.Language = lang
		}
		if len(changes) == 0 {
			return nil
		}
		now := s.clock.Now()
		if err := tx.AddAudit(t.ID, AuditEntry{At: now, Actor: actor, Action: "edit", Detail: strings.Join(changes, "; ")}); err != nil {
			return err
		}
		if err := s.reevaluate(tx, t, actor, "fields changed", false); err != nil {
			return err
		}
		if t.Status.WaitingOnAgents() {
			t.WaitingSince = &now
		}
		t.UpdatedAt = now
		return tx.SaveTicket(t)
	})
	return t, err
}

// AddEvidence attaches files to a ticket for an agent (a requester's files
// come through RequesterReply) and computes the verdict again.
func (s *Service) AddEvidence(ctx context.Context, ref, actor string, files []File) (*Ticket, error) {
	if err := s.CheckAgent(actor); err != nil {
		return nil, err
	}
	id, err := ParseRef(ref)
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, Invalid("evidence", "no files given")
	}
	blobs, err := s.checkFiles(files)
	if err != nil {
		return nil, err
	}
	var t *Ticket
	err = s.update(ctx, func(tx Tx) error {
		var err error
		if t, err = tx.Ticket(id); err != nil {
			return err
		}
		if t.Status == StatusClosed {
			return conflictf("%s is closed; reopen it before adding evidence", t.Ref)
		}
		if len(t.Evidence)+countNew(t, blobs) > s.limits.MaxEvidenceFiles {
			return Invalid("evidence", "%s already has %d files; at most %d are kept per ticket", t.Ref, len(t.Evidence), s.limits.MaxEvidenceFiles)
		}
		added, err := s.addBlobs(tx, t, blobs, actor)
		if err != nil || added == 0 {
			return err
		}
		if err := s.reevaluate(tx, t, actor, "evidence added", false); err != nil {
			return err
		}
		t.UpdatedAt = s.clock.Now()
		return tx.SaveTicket(t)
	})
	return t, err
}

// EvidenceFile returns the bytes of one of a ticket's files, by name or hash.
func (s *Service) EvidenceFile(ctx context.Context, ref, nameOrHash string) (Evidence, []byte, error) {
	id, err := ParseRef(ref)
	if err != nil {
		return Evidence{}, nil, err
	}
	var ev Evidence
	var data []byte
	err = s.store.View(ctx, func(tx Tx) error {
		t, err := tx.Ticket(id)
		if err != nil {
			return err
		}
		for _, e := range t.Evidence {
			if e.SHA256 == nameOrHash || e.Name == nameOrHash || (len(nameOrHash) >= 8 && strings.HasPrefix(e.SHA256, nameOrHash)) {
				ev = e
				data, err = tx.EvidenceData(e.SHA256)
				return err
			}
		}
		return notFoundf("%s has no evidence %q", t.Ref, nameOrHash)
	})
	return ev, data, err
}
