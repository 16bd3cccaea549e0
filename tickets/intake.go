package tickets

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"unicode/utf8"
)

// SubmitRequest is a request as a channel understood it.
type SubmitRequest struct {
	Kind      Kind
	Channel   Channel
	Requester Requester
	Account   string
	Order     string
	Reason    Reason
	Details   string
	// Language of the requester: en or id; empty: worked out from Details.
	Language string
	Evidence []File
	// IdempotencyKey makes a retry safe: the same key returns the same
	// ticket (email: Message-ID or a hash of the raw mail; Discord: the
	// interaction id; CLI: --key).
	IdempotencyKey string
	// PreviousKeys are keys the same request had under an earlier scheme
	// (a mail taken in by an older version of the desk): one of them seen
	// makes the request a duplicate too.
	PreviousKeys []string
	// ExternalID identifies the inbound message on its channel.
	ExternalID string
	// Actor is the agent filing it for channel agent; empty otherwise.
	Actor string
	// Flags the channel sets (unverified_sender).
	Flags []string
	// ParentRef: the closed ticket this request follows.
	ParentRef string
}

// Submit outcomes.
const (
	OutcomeCreated   = "created"
	OutcomeJoined    = "joined"    // added to the ticket already open for the order
	OutcomeDuplicate = "duplicate" // the idempotency key was seen before
)

// SubmitResult says what became of a request.
type SubmitResult struct {
	Ticket  *Ticket `json:"ticket"`
	Outcome string  `json:"outcome"`
	// Rejected lists evidence files that were refused, with the reason; the
	// request itself went through. (Empty when files were all fine.)
	Rejected []string `json:"rejected,omitempty"`
}

// normalize validates a request in place; every problem names its field.
func (s *Service) normalize(r *SubmitRequest) error {
	var errs ValidationErrors
	if r.Kind == "" {
		errs.add("kind", "missing (refund or revocation)")
	} else if _, err := ParseKind(string(r.Kind)); err != nil {
		errs = append(errs, err.(*ValidationError))
	}
	if _, err := ParseChannel(string(r.Channel)); err != nil {
		errs = append(errs, err.(*ValidationError))
	}
	if r.Requester.Email != "" {
		addr, err := mail.ParseAddress(r.Requester.Email)
		if err != nil {
			errs.add("email", "%q is not a mail address", r.Requester.Email)
		} else {
			r.Requester.Email = addr.Address
			if r.Requester.Name == "" {
				r.Requester.Name = addr.Name
			}
		}
	}
	switch r.Channel {
	case ChannelEmail:
		if r.Requester.Email == "" {
			errs.add("email", "a mail request needs the sender's address")
		}
	case ChannelDiscord:
		if r.Requester.DiscordID == "" {
			errs.add("discord_id", "a Discord request needs the user's id")
		}
	case ChannelAgent:
		if strings.TrimSpace(r.Actor) == "" {
			errs.add("agent", "a request filed by an agent needs the agent's name (--as)")
		}
	}
	if acc, err := NormalizeAccount(r.Account); err != nil {
		errs = append(errs, err.(*ValidationError))
	} else {
		r.Account = acc
	}
	if o, err := NormalizeOrder(r.Order); err != nil {
		errs = append(errs, err.(*ValidationError))
	} else {
		r.Order = o
	}
	if reason, err := ParseReason(strings.ToLower(strings.TrimSpace(string(r.Reason)))); err != nil {
		errs = append(errs, err.(*ValidationError))
	} else {
		r.Reason = reason
	}
	if r.Kind == KindRevocation && r.Reason != "" && r.Reason != ReasonOther {
		// A revocation carries no refund reason; keep the requester's words.
		r.Reason = ""
	}
	r.Details = strings.TrimSpace(r.Details)
	if !utf8.ValidString(r.Details) {
		errs.add("details", "not valid UTF-8 text")
	} else if len(r.Details) > s.limits.MaxDetailsBytes {
		errs.add("details", "%d bytes, more than the %d allowed", len(r.Details), s.limits.MaxDetailsBytes)
	}
	if r.Language == "" {
		r.Language = DetectLanguage(r.Details)
	} else if lang, err := ParseLanguage(r.Language); err != nil {
		errs = append(errs, err.(*ValidationError))
	} else {
		r.Language = lang
	}
	if len(r.IdempotencyKey) > 512 || slices.ContainsFunc(r.PreviousKeys, func(k string) bool { return len(k) > 512 }) {
		errs.add("key", "longer than 512 bytes")
	}
	for _, f := range r.Flags {
		if !isKnownFlag(f) {
			errs.add("flags", "%q is not a flag", f)
		}
	}
	return errs.err()
}

func isKnownFlag(f string) bool {
	for _, k := range Flags {
		if k == f {
			return true
		}
	}
	return false
}

// checkFiles checks every file and drops repeats of the same bytes.
func (s *Service) checkFiles(files []File) ([]EvidenceBlob, error) {
	var errs ValidationErrors
	var out []EvidenceBlob
	seen := map[string]bool{}
	for _, f := range files {
		b, err := s.limits.CheckEvidence(f)
		if err != nil {
			var ve *ValidationError
			if errors.As(err, &ve) {
				errs = append(errs, ve)
				continue
			}
			return nil, err
		}
		if seen[b.SHA256] {
			continue
		}
		seen[b.SHA256] = true
		out = append(out, b)
	}
	if len(out) > s.limits.MaxEvidenceFiles {
		errs.add("evidence", "%d files, more than the %d allowed per request", len(out), s.limits.MaxEvidenceFiles)
	}
	return out, errs.err()
}

// seenKey finds the ticket a request's key, or one of its previous keys,
// was used for; ErrNotFound when none was.
func seenKey(tx Tx, key string, previous []string) (int64, error) {
	for _, k := range append([]string{key}, previous...) {
		if k == "" {
			continue
		}
		id, err := tx.TicketByKey(k)
		if err == nil || !errors.Is(err, ErrNotFound) {
			return id, err
		}
	}
	return 0, notFoundf("idempotency key")
}

// Submit turns a request into a ticket, or adds it to the ticket already
// open for the same order (or, for a revocation, the same account). The same
// idempotency key again returns the same ticket and changes nothing. Bad
// input changes nothing and the error names every bad field.
func (s *Service) Submit(ctx context.Context, req SubmitRequest) (*SubmitResult, error) {
	if err := s.normalize(&req); err != nil {
		return nil, err
	}
	if req.Channel == ChannelAgent {
		if err := s.CheckAgent(req.Actor); err != nil {
			return nil, err
		}
	}
	blobs, err := s.checkFiles(req.Evidence)
	if err != nil {
		return nil, err
	}
	var res *SubmitResult
	err = s.update(ctx, func(tx Tx) error {
		res = nil
		if id, err := seenKey(tx, req.IdempotencyKey, req.PreviousKeys); err == nil {
			t, err := tx.Ticket(id)
			if err != nil {
				return err
			}
			res = &SubmitResult{Ticket: t, Outcome: OutcomeDuplicate}
			return nil
		} else if !errors.Is(err, ErrNotFound) {
			return err
		}
		var openID int64
		var err error
		switch {
		case req.Kind == KindRefund && req.Order != "":
			openID, err = tx.OpenTicket(KindRefund, req.Order, "")
		case req.Kind == KindRevocation && req.Account != "":
			openID, err = tx.OpenTicket(KindRevocation, "", AccountKey(req.Account))
		default:
			err = ErrNotFound
		}
		switch {
		case err == nil:
			res, err = s.join(tx, openID, &req, blobs)
		case errors.Is(err, ErrNotFound):
			res, err = s.create(tx, &req, blobs)
		}
		if err != nil {
			return err
		}
		if req.IdempotencyKey != "" {
			return tx.PutKey(req.IdempotencyKey, res.Ticket.ID)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

func (s *Service) requesterActor(req *SubmitRequest) string {
	switch {
	case req.Channel == ChannelAgent:
		return req.Actor
	case req.Requester.Email != "":
		return req.Requester.Email
	case req.Requester.Name != "":
		return req.Requester.Name
	}
	return "discord:" + req.Requester.DiscordID
}

func (s *Service) create(tx Tx, req *SubmitRequest, blobs []EvidenceBlob) (*SubmitResult, error) {
	now := s.clock.Now()
	t := &Ticket{Kind: req.Kind, Status: StatusNew, Channel: req.Channel, Requester: req.Requester, Account: req.Account,
		Order: req.Order, Reason: req.Reason, Details: req.Details, Language: req.Language, Flags: []string{},
		ParentRef: req.ParentRef, CreatedAt: now, UpdatedAt: now, StatusChangedAt: now, WaitingSince: &now}
	for _, f := range req.Flags {
		t.SetFlag(f)
	}
	if err := tx.CreateTicket(t); err != nil {
		return nil, err
	}
	actor := s.requesterActor(req)
	if err := tx.AddAudit(t.ID, AuditEntry{At: now, Actor: actor, Action: "created", ToStatus: StatusNew,
		Detail: fmt.Sprintf("%s request by %s", t.Kind, t.Channel)}); err != nil {
		return nil, err
	}
	if req.Details != "" {
		if err := tx.AddMessage(t.ID, &Message{Kind: MessageIn, Channel: req.Channel, Author: actor, Body: req.Details,
			ExternalID: req.ExternalID, CreatedAt: now}); err != nil {
			return nil, err
		}
	}
	for _, b := range blobs {
		b.AddedAt = now
		if _, err := tx.AddEvidence(t.ID, b); err != nil {
			return nil, err
		}
		t.Evidence = append(t.Evidence, b.Evidence)
	}
	if err := s.evaluate(tx, t, ActorSystem, "", false); err != nil {
		return nil, err
	}
	if err := tx.AddAudit(t.ID, AuditEntry{At: now, Actor: ActorSystem, Action: "status", FromStatus: StatusNew, ToStatus: t.Status,
		Detail: "verdict " + string(t.Eligibility.Verdict)}); err != nil {
		return nil, err
	}
	if err := s.notifyAuto(tx, t, TemplateAcknowledgement, "ack:"+t.Ref, s.messageData(t)); err != nil {
		return nil, err
	}
	// Auto-approval after the acknowledgement, so the messages go in order.
	if err := s.autoApprove(tx, t); err != nil {
		return nil, err
	}
	if err := tx.SaveTicket(t); err != nil {
		return nil, err
	}
	return &SubmitResult{Ticket: t, Outcome: OutcomeCreated}, nil
}

// join adds a request to the ticket already open for its order: the words
// become a message, the files evidence, missing fields are filled, and the
// verdict is computed again.
func (s *Service) join(tx Tx, id int64, req *SubmitRequest, blobs []EvidenceBlob) (*SubmitResult, error) {
	t, err := tx.Ticket(id)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	actor := s.requesterActor(req)
	if len(t.Evidence)+countNew(t, blobs) > s.limits.MaxEvidenceFiles {
		return nil, Invalid("evidence", "%s already has %d files; at most %d are kept per ticket", t.Ref, len(t.Evidence), s.limits.MaxEvidenceFiles)
	}
	var filled []string
	if t.Account == "" && req.Account != "" {
		t.Account = req.Account
		filled = append(filled, "account")
	}
	if t.Reason == "" && req.Reason != "" {
		t.Reason = req.Reason
		filled = append(filled, "reason")
	}
	// The joiner's identity is not added to the ticket: knowing an order
	// number is no way into someone else's ticket. Agents see who wrote.
	sameRequester := ownedBy(t, req.Requester) || (req.Channel == ChannelAgent && req.Requester == (Requester{}))
	for _, f := range req.Flags {
		t.SetFlag(f)
	}
	detail := fmt.Sprintf("another %s request by %s joined this ticket", req.Kind, req.Channel)
	if !sameRequester {
		detail += fmt.Sprintf(" from a different requester (%s)", actor)
	}
	if len(filled) > 0 {
		detail += "; filled " + strings.Join(filled, ", ")
	}
	if err := tx.AddAudit(t.ID, AuditEntry{At: now, Actor: actor, Action: "joined", Detail: detail}); err != nil {
		return nil, err
	}
	body := req.Details
	if body == "" {
		body = "(a new request without text)"
	}
	if err := tx.AddMessage(t.ID, &Message{Kind: MessageIn, Channel: req.Channel, Author: actor, Body: body,
		ExternalID: req.ExternalID, CreatedAt: now}); err != nil {
		return nil, err
	}
	added, err := s.addBlobs(tx, t, blobs, actor)
	if err != nil {
		return nil, err
	}
	answered := sameRequester && (len(filled) > 0 || added > 0 || req.Details != "") && req.Channel != ChannelAgent
	if err := s.evaluate(tx, t, ActorSystem, "a new request joined", answered); err != nil {
		return nil, err
	}
	if err := s.autoApprove(tx, t); err != nil {
		return nil, err
	}
	t.UpdatedAt = now
	if err := tx.SaveTicket(t); err != nil {
		return nil, err
	}
	// The acknowledgement goes to whoever sent this request, on the channel
	// they used; someone other than the ticket's requester only learns the
	// reference, not the ticket's verdict.
	data := MessageData{Ref: t.Ref, Kind: t.Kind, Status: t.Status, Order: t.Order, Joined: true}
	if sameRequester {
		data = s.messageData(t)
		data.Joined = true
	}
	key := ""
	if req.IdempotencyKey != "" {
		key = "ack:" + t.Ref + ":" + req.IdempotencyKey
	}
	if ch, rcpt, ok := routeTo(req.Channel, req.Requester, false, false); ok {
		if err := s.enqueue(tx, t, ch, rcpt, TemplateAcknowledgement, key, data, true); err != nil {
			return nil, err
		}
	}
	res := &SubmitResult{Ticket: t, Outcome: OutcomeJoined}
	if !sameRequester {
		res.Ticket = &Ticket{ID: t.ID, Ref: t.Ref, Kind: t.Kind, Status: t.Status, Channel: req.Channel, Order: t.Order,
			Evidence: []Evidence{}, Flags: []string{}, Eligibility: Eligibility{Rules: []RuleStep{}}, CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt}
	}
	return res, nil
}

func countNew(t *Ticket, blobs []EvidenceBlob) int {
	n := 0
	for _, b := range blobs {
		dup := false
		for _, e := range t.Evidence {
			if e.SHA256 == b.SHA256 {
				dup = true
			}
		}
		if !dup {
			n++
		}
	}
	return n
}

// addBlobs stores files for t and audits each new one.
func (s *Service) addBlobs(tx Tx, t *Ticket, blobs []EvidenceBlob, actor string) (int, error) {
	now := s.clock.Now()
	added := 0
	for _, b := range blobs {
		b.AddedAt = now
		ok, err := tx.AddEvidence(t.ID, b)
		if err != nil {
			return added, err
		}
		if !ok {
			continue
		}
		added++
		t.Evidence = append(t.Evidence, b.Evidence)
		if err := tx.AddAudit(t.ID, AuditEntry{At: now, Actor: actor, Action: "evidence",
			Detail: fmt.Sprintf("%s (%s, %s)", b.Name, b.ContentType, humanBytes(b.Size))}); err != nil {
			return added, err
		}
	}
	return added, nil
}

// RequesterUpdate is a requester writing again about their ticket: an
// answer, more evidence, a field they had left out.
type RequesterUpdate struct {
	Ref       string
	Requester Requester
	Channel   Channel
	Text      string
	Evidence  []File
	Account   string
	Order     string
	Reason    Reason
	// IdempotencyKey: the same key again changes nothing.
	IdempotencyKey string
	// PreviousKeys: as SubmitRequest's.
	PreviousKeys []string
	ExternalID   string
	// Flags the channel sets (unverified_sender).
	Flags []string
}

// RequesterReply adds a requester's answer to their own ticket: the text
// becomes a message, files evidence, missing fields are filled, the verdict
// is computed again, and a needs_info ticket goes back to in_review. A closed
// ticket reopens within the reopen window; later, a new ticket pointing to
// it is opened. Someone else's ticket is not found.
func (s *Service) RequesterReply(ctx context.Context, u RequesterUpdate) (*SubmitResult, error) {
	id, err := ParseRef(u.Ref)
	if err != nil {
		return nil, err
	}
	var errs ValidationErrors
	if _, err := ParseChannel(string(u.Channel)); err != nil {
		errs = append(errs, err.(*ValidationError))
	}
	acc, err := NormalizeAccount(u.Account)
	if err != nil {
		errs = append(errs, err.(*ValidationError))
	}
	order, err := NormalizeOrder(u.Order)
	if err != nil {
		errs = append(errs, err.(*ValidationError))
	}
	reason, err := ParseReason(strings.ToLower(strings.TrimSpace(string(u.Reason))))
	if err != nil {
		errs = append(errs, err.(*ValidationError))
	}
	text := strings.TrimSpace(u.Text)
	if !utf8.ValidString(text) {
		errs.add("text", "not valid UTF-8 text")
	} else if len(text) > s.limits.MaxDetailsBytes {
		errs.add("text", "%d bytes, more than the %d allowed", len(text), s.limits.MaxDetailsBytes)
	}
	if err := errs.err(); err != nil {
		return nil, err
	}
	blobs, err := s.checkFiles(u.Evidence)
	if err != nil {
		return nil, err
	}
	if text == "" && len(blobs) == 0 && acc == "" && order == "" && reason == "" {
		return nil, Invalid("text", "the reply is empty")
	}
	var res *SubmitResult
	var followUp *SubmitRequest
	err = s.update(ctx, func(tx Tx) error {
		res, followUp = nil, nil
		if u.IdempotencyKey != "" || len(u.PreviousKeys) > 0 {
			if seen, err := seenKey(tx, u.IdempotencyKey, u.PreviousKeys); err == nil {
				t, err := tx.Ticket(seen)
				if err != nil {
					return err
				}
				if !ownedBy(t, u.Requester) {
					// A key is no way into someone else's ticket.
					return notFoundf("ticket %s", FormatRef(id))
				}
				res = &SubmitResult{Ticket: t, Outcome: OutcomeDuplicate}
				return nil
			} else if !errors.Is(err, ErrNotFound) {
				return err
			}
		}
		t, err := tx.Ticket(id)
		if err != nil {
			return err
		}
		if !ownedBy(t, u.Requester) {
			return notFoundf("ticket %s", FormatRef(id))
		}
		now := s.clock.Now()
		if !t.Status.Open() && now.Sub(t.StatusChangedAt) > s.sla.ReopenWindow {
			// Too old to reopen: the answer starts a new ticket that points here.
			followUp = &SubmitRequest{Kind: t.Kind, Channel: u.Channel, Requester: u.Requester, Account: firstNonEmpty(acc, t.Account),
				Order: firstNonEmpty(order, t.Order), Reason: Reason(firstNonEmpty(string(reason), string(t.Reason))), Details: text,
				Language: t.Language, Evidence: u.Evidence, IdempotencyKey: u.IdempotencyKey, PreviousKeys: u.PreviousKeys, ExternalID: u.ExternalID, ParentRef: t.Ref,
				Flags: u.Flags}
			return nil
		}
		actor := firstNonEmpty(u.Requester.Email, u.Requester.Name, "discord:"+u.Requester.DiscordID)
		if len(t.Evidence)+countNew(t, blobs) > s.limits.MaxEvidenceFiles {
			return Invalid("evidence", "%s already has %d files; at most %d are kept per ticket", t.Ref, len(t.Evidence), s.limits.MaxEvidenceFiles)
		}
		if !t.Status.Open() || t.Status == StatusDenied {
			// Resolved, closed (within the reopen window) or denied: the
			// requester writing again (with more evidence, say) puts the
			// ticket back in front of the agents.
			if !t.Status.Open() {
				if other, err := s.otherOpen(tx, t); err != nil {
					return err
				} else if other != "" {
					return conflictf("%s has a newer open ticket, %s; write there", t.Ref, other)
				}
			}
			from := t.Status
			setStatus(t, StatusInReview, now)
			t.SetFlag(FlagReopened)
			if err := tx.AddAudit(t.ID, AuditEntry{At: now, Actor: actor, Action: string(ActionReopen), FromStatus: from, ToStatus: t.Status,
				Detail: "the requester wrote again"}); err != nil {
				return err
			}
		}
		var filled []string
		if acc != "" && acc != t.Account {
			t.Account = acc
			filled = append(filled, "account")
		}
		if order != "" && order != t.Order && t.Kind == KindRefund {
			if other, err := tx.OpenTicket(KindRefund, order, ""); err == nil && other != t.ID {
				return conflictf("order %s already has an open ticket, %s", order, FormatRef(other))
			}
			t.Order = order
			filled = append(filled, "order")
		}
		if acc != "" && t.Kind == KindRevocation && t.Status.Open() {
			if other, err := tx.OpenTicket(KindRevocation, "", AccountKey(acc)); err == nil && other != t.ID {
				return conflictf("account %s already has an open revocation, %s", acc, FormatRef(other))
			} else if err != nil && !errors.Is(err, ErrNotFound) {
				return err
			}
		}
		if reason != "" && reason != t.Reason && t.Kind == KindRefund {
			t.Reason = reason
			filled = append(filled, "reason")
		}
		for _, f := range u.Flags {
			if isKnownFlag(f) && t.SetFlag(f) {
				filled = append(filled, "flag "+f)
			}
		}
		if text != "" || u.ExternalID != "" {
			body := text
			if body == "" {
				body = "(no text)"
			}
			if err := tx.AddMessage(t.ID, &Message{Kind: MessageIn, Channel: u.Channel, Author: actor, Body: body, ExternalID: u.ExternalID, CreatedAt: now}); err != nil {
				return err
			}
		}
		if len(filled) > 0 {
			if err := tx.AddAudit(t.ID, AuditEntry{At: now, Actor: actor, Action: "edit", Detail: "gave " + strings.Join(filled, ", ")}); err != nil {
				return err
			}
		}
		if _, err := s.addBlobs(tx, t, blobs, actor); err != nil {
			return err
		}
		if err := s.reevaluate(tx, t, ActorSystem, "the requester answered", true); err != nil {
			return err
		}
		t.UpdatedAt = now
		if err := tx.SaveTicket(t); err != nil {
			return err
		}
		if u.IdempotencyKey != "" {
			if err := tx.PutKey(u.IdempotencyKey, t.ID); err != nil {
				return err
			}
		}
		res = &SubmitResult{Ticket: t, Outcome: OutcomeJoined}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if followUp != nil {
		return s.Submit(ctx, *followUp)
	}
	return res, nil
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" && v != "discord:" {
			return v
		}
	}
	return ""
}
