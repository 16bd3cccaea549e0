package tickets

import (
	"cmp"
	"context"
	"errors"
	"net/mail"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Intake takes requests and answers from requesters, whatever channel
// they come by, and keeps what the intakes need besides tickets: where
// they stopped (cursors), the items they could not take in, the ids of
// earlier messages.
type Intake struct{ *core }

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
	// NewPerHour, when more than 0, is how many new tickets the requester
	// may open in an hour (the email intake's new_tickets_per_hour): past
	// it the request opens none and comes back OutcomeLimited. A request
	// that joins an open ticket, a duplicate and an answer are not new.
	NewPerHour int
	// Sources says where the channel found each field (mail: text,
	// signature, forwarded); a field not in it is the requester's own words.
	// An account the channel took from the order's record (record) is not
	// the requester's: the desk drops it, and takes the record's itself for
	// a refund (accountFromRecord).
	Sources Sources
	// carried: where the fields a follow-up takes from the closed ticket
	// it follows came from there (followUpRequest); the desk's own.
	carried Sources
}

// Submit outcomes.
const (
	OutcomeCreated   = "created"
	OutcomeJoined    = "joined"    // added to the ticket already open for the order
	OutcomeDuplicate = "duplicate" // the idempotency key was seen before
	// OutcomeReceived: the order (or account) has an open ticket of
	// someone else's; the request was kept there as a note for the agents
	// (FlagOtherRequester), and the result's Ticket holds only what the
	// request gave (no ID or Ref) unless an agent filed it.
	OutcomeReceived = "received"
	// OutcomeLimited: the requester went past NewPerHour; no ticket was
	// opened and nothing was kept (the channel keeps the request aside).
	// The result's Ticket holds only what the request gave.
	OutcomeLimited = "limited"
)

// SubmitResult says what became of a request.
type SubmitResult struct {
	Ticket  *Ticket `json:"ticket"`
	Outcome string  `json:"outcome"`
	// Rejected lists evidence files that were refused, with the reason; the
	// request itself went through. (Empty when files were all fine.)
	Rejected []string `json:"rejected,omitempty"`
}

// given is what a requester writes, in a first request or in an answer:
// the fields they may fill and their own words. check is the one
// validation of it, for Submit and RequesterReply alike.
type given struct {
	Account string
	Order   string
	Reason  Reason
	Text    string
}

// check validates what a requester gave and normalizes it in place: the
// account and order in their canonical forms, the reason's code, the text
// trimmed. Every problem names its field; the text's is textField.
func (c *core) check(g *given, textField string) ValidationErrors {
	var errs ValidationErrors
	acc, err := NormalizeAccount(g.Account)
	errs.collect(err)
	order, err := NormalizeOrder(g.Order)
	errs.collect(err)
	reason, err := ParseReason(strings.ToLower(strings.TrimSpace(string(g.Reason))))
	errs.collect(err)
	text := strings.TrimSpace(g.Text)
	if !utf8.ValidString(text) {
		errs.add(textField, "text.not_utf8")
	} else if len(text) > c.limits.MaxDetailsBytes {
		errs.add(textField, "text.too_long", "Size", len(text), "Max", c.limits.MaxDetailsBytes)
	}
	if len(errs) == 0 {
		*g = given{Account: acc, Order: order, Reason: reason, Text: text}
	}
	return errs
}

// normalize validates a request in place; every problem names its field.
func (c *core) normalize(r *SubmitRequest) error {
	var errs ValidationErrors
	if r.Kind == "" {
		errs.add("kind", "kind.missing")
	} else {
		_, err := ParseKind(string(r.Kind))
		errs.collect(err)
	}
	_, err := ParseChannel(string(r.Channel))
	errs.collect(err)
	errs = append(errs, checkRequester(r)...)
	g := given{Account: r.Account, Order: r.Order, Reason: r.Reason, Text: r.Details}
	if gerrs := c.check(&g, "details"); len(gerrs) > 0 {
		errs = append(errs, gerrs...)
	} else {
		r.Account, r.Order, r.Reason, r.Details = g.Account, g.Order, g.Reason, g.Text
	}
	if r.Kind == KindRevocation && r.Reason != "" && r.Reason != ReasonOther {
		// A revocation carries no refund reason; keep the requester's words.
		r.Reason = ""
	}
	if r.Language == "" {
		r.Language = DetectLanguage(r.Details)
	} else if lang, err := ParseLanguage(r.Language, c.languages); err != nil {
		errs.collect(err)
	} else {
		r.Language = lang
	}
	errs = append(errs, checkSources(r.Sources)...)
	if r.Sources.Of(FieldSourceAccount) == SourceRecord {
		r.Account = ""
	}
	if len(r.IdempotencyKey) > 512 || slices.ContainsFunc(r.PreviousKeys, func(k string) bool { return len(k) > 512 }) {
		errs.add("key", "key.too_long")
	}
	for _, f := range r.Flags {
		if !isKnownFlag(f) {
			errs.add("flags", "flags.unknown", "Value", string(f))
		}
	}
	return errs.err()
}

// checkRequester checks that a request says who sent it, as its channel
// knows them, and normalizes the mail address.
func checkRequester(r *SubmitRequest) ValidationErrors {
	var errs ValidationErrors
	if r.Requester.Email != "" {
		addr, err := mail.ParseAddress(r.Requester.Email)
		if err != nil {
			errs.add("email", "email.invalid", "Value", r.Requester.Email)
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
			errs.add("email", "email.missing")
		}
	case ChannelDiscord:
		if r.Requester.DiscordID == "" {
			errs.add("discord_id", "discord_id.missing")
		}
	case ChannelAgent:
		if strings.TrimSpace(r.Actor) == "" {
			errs.add("agent", "agent.missing_as")
		}
	}
	return errs
}

func isKnownFlag(f string) bool {
	return slices.Contains(Flags, f)
}

// checkFiles checks every file and drops repeats of the same bytes.
func (c *core) checkFiles(files []File) ([]EvidenceBlob, error) {
	var errs ValidationErrors
	var out []EvidenceBlob
	seen := map[string]bool{}
	for _, f := range files {
		b, err := c.limits.CheckEvidence(f)
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
	if len(out) > c.limits.MaxEvidenceFiles {
		errs.add("evidence", "evidence.too_many", "Count", len(out), "Max", c.limits.MaxEvidenceFiles)
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
	return 0, ErrNotFound // no key was used before: not a user's error
}

// openFor finds the open ticket of kind for an order (refunds) or an
// account (revocations); ErrNotFound when there is none, or nothing to
// look it up by.
func openFor(tx Tx, kind Kind, order, account string) (int64, error) {
	switch {
	case kind == KindRefund && order != "":
		return tx.OpenTicket(KindRefund, order, "")
	case kind == KindRevocation && account != "":
		return tx.OpenTicket(KindRevocation, "", AccountKey(account))
	}
	return 0, ErrNotFound
}

// Submit turns a request into a ticket, or adds it to the ticket already
// open for the same order (or, for a revocation, the same account). The same
// idempotency key again returns the same ticket and changes nothing. Bad
// input changes nothing and the error names every bad field.
func (in *Intake) Submit(ctx context.Context, req SubmitRequest) (*SubmitResult, error) {
	if err := in.normalize(&req); err != nil {
		return nil, err
	}
	if req.Channel == ChannelAgent {
		if err := in.checkAgent(req.Actor); err != nil {
			return nil, err
		}
	}
	blobs, err := in.checkFiles(req.Evidence)
	if err != nil {
		return nil, err
	}
	var res *SubmitResult
	err = in.update(ctx, func(tx *writeTx) error {
		var err error
		res, err = in.take(tx, &req, blobs)
		return err
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// take files a checked request: a duplicate of one seen before, joined to
// the ticket open for its order (or account), or a new ticket.
func (in *Intake) take(tx *writeTx, req *SubmitRequest, blobs []EvidenceBlob) (*SubmitResult, error) {
	if id, err := seenKey(tx, req.IdempotencyKey, req.PreviousKeys); err == nil {
		t, err := tx.Ticket(id)
		if err != nil {
			return nil, err
		}
		if !mayShow(t, req) {
			// Kept on someone else's ticket (other): it stays unseen.
			return &SubmitResult{Ticket: givenTicket(req, in.clock.Now()), Outcome: OutcomeReceived}, nil
		}
		return &SubmitResult{Ticket: t, Outcome: OutcomeDuplicate}, nil
	} else if !errors.Is(err, ErrNotFound) {
		return nil, err
	}
	var res *SubmitResult
	openID, err := openFor(tx, req.Kind, req.Order, req.Account)
	switch {
	case err == nil:
		res, err = in.join(tx, openID, req, blobs)
	case errors.Is(err, ErrNotFound):
		var over bool
		if over, err = in.overLimit(tx, req); err == nil && over {
			return in.limited(tx, req)
		} else if err == nil {
			res, err = in.create(tx, req, blobs)
		}
	}
	if err != nil {
		return nil, err
	}
	if req.IdempotencyKey != "" {
		if err := tx.PutKey(req.IdempotencyKey, cmp.Or(res.Ticket.ID, openID)); err != nil {
			return nil, err
		}
	}
	return res, nil
}

func requesterActor(req *SubmitRequest) string {
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

func (in *Intake) create(tx *writeTx, req *SubmitRequest, blobs []EvidenceBlob) (*SubmitResult, error) {
	now := in.clock.Now()
	t := &Ticket{Kind: req.Kind, Status: StatusNew, Channel: req.Channel, Requester: req.Requester, Account: req.Account,
		Order: req.Order, Reason: req.Reason, Details: req.Details, Language: req.Language, Flags: []string{},
		ParentRef: req.ParentRef, CreatedAt: now, UpdatedAt: now, StatusChangedAt: now, WaitingSince: &now}
	requestSources(t, req)
	for _, f := range req.Flags {
		t.SetFlag(f)
	}
	if err := tx.CreateTicket(t); err != nil {
		return nil, err
	}
	actor := requesterActor(req)
	if err := tx.AddAudit(t.ID, AuditEntry{At: now, Actor: actor, Action: "created", ToStatus: StatusNew, Code: AuditCreated,
		Params: AuditParams{Kind: t.Kind, Channel: t.Channel}}); err != nil {
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
	if err := in.evaluate(tx, t, ActorSystem, "", false); err != nil {
		return nil, err
	}
	if err := tx.AddAudit(t.ID, AuditEntry{At: now, Actor: ActorSystem, Action: "status", FromStatus: StatusNew, ToStatus: t.Status,
		Code: AuditVerdict, Params: AuditParams{Verdict: t.Eligibility.Verdict}}); err != nil {
		return nil, err
	}
	if err := in.notifyAuto(tx, t, TemplateAcknowledgement, "ack:"+t.Ref, in.messageData(t)); err != nil {
		return nil, err
	}
	// Auto-approval after the acknowledgement, so the messages go in order.
	if err := in.autoApprove(tx, t); err != nil {
		return nil, err
	}
	if err := tx.SaveTicket(t); err != nil {
		return nil, err
	}
	if err := in.changed(tx, t); err != nil {
		return nil, err
	}
	return &SubmitResult{Ticket: t, Outcome: OutcomeCreated}, nil
}

// join adds a request to the ticket already open for its order: the words
// become a message, the files evidence, missing fields are filled, and the
// verdict is computed again. A request from someone who is not the
// ticket's requester goes to other instead.
func (in *Intake) join(tx *writeTx, id int64, req *SubmitRequest, blobs []EvidenceBlob) (*SubmitResult, error) {
	t, err := tx.Ticket(id)
	if err != nil {
		return nil, err
	}
	if err := in.roomFor(t, blobs); err != nil {
		return nil, err
	}
	if !ownedBy(t, req.Requester) && !(req.Channel == ChannelAgent && req.Requester == (Requester{})) {
		return in.other(tx, t, req, blobs)
	}
	now := in.clock.Now()
	actor := requesterActor(req)
	filled := joinFill(t, req)
	if err := tx.AddAudit(t.ID, AuditEntry{At: now, Actor: actor, Action: "joined", Code: AuditJoined,
		Params: AuditParams{Kind: req.Kind, Channel: req.Channel, Fields: filled}}); err != nil {
		return nil, err
	}
	// An empty body is a request without text; the edges write it in words.
	if err := tx.AddMessage(t.ID, &Message{Kind: MessageIn, Channel: req.Channel, Author: actor, Body: req.Details,
		ExternalID: req.ExternalID, CreatedAt: now}); err != nil {
		return nil, err
	}
	added, err := in.addBlobs(tx, t, blobs, actor)
	if err != nil {
		return nil, err
	}
	answered := (len(filled) > 0 || added > 0 || req.Details != "") && req.Channel != ChannelAgent
	if err := in.reevaluate(tx, t, ActorSystem, CauseRequestJoined, answered); err != nil {
		return nil, err
	}
	t.UpdatedAt = now
	if err := tx.SaveTicket(t); err != nil {
		return nil, err
	}
	if err := in.acknowledgeJoin(tx, t, req); err != nil {
		return nil, err
	}
	if err := in.changed(tx, t); err != nil {
		return nil, err
	}
	return &SubmitResult{Ticket: t, Outcome: OutcomeJoined}, nil
}

// other keeps a request about an order (or account) whose open ticket is
// someone else's. Knowing an order number is no way into another person's
// ticket, and their words are not the requester's: the ticket is flagged
// other_requester and audited so, the words become an internal note under
// the writer's contact (never sent to anyone), their files evidence
// audited under them, and the verdict is not computed again on their word.
// The writer is told only that their message was received (TemplateReceived,
// on no ticket); the ticket's requester is told nothing.
func (in *Intake) other(tx *writeTx, t *Ticket, req *SubmitRequest, blobs []EvidenceBlob) (*SubmitResult, error) {
	now := in.clock.Now()
	actor := requesterActor(req)
	t.SetFlag(FlagOtherRequester)
	if err := tx.AddAudit(t.ID, AuditEntry{At: now, Actor: actor, Action: "other_requester", Code: AuditOtherRequester,
		Params: AuditParams{Kind: req.Kind, Channel: req.Channel, Requester: contact(req.Requester)}}); err != nil {
		return nil, err
	}
	if err := tx.AddMessage(t.ID, &Message{Kind: MessageNote, Channel: req.Channel, Author: actor, Body: req.Details,
		ExternalID: req.ExternalID, CreatedAt: now}); err != nil {
		return nil, err
	}
	if _, err := in.addBlobs(tx, t, blobs, actor); err != nil {
		return nil, err
	}
	t.UpdatedAt = now
	if err := tx.SaveTicket(t); err != nil {
		return nil, err
	}
	if ch, rcpt, ok := routeTo(req.Channel, req.Requester, false, false); ok {
		key := ""
		if req.IdempotencyKey != "" {
			key = "received:" + req.IdempotencyKey
		}
		n, err := in.enqueueAlone(tx, ch, rcpt, req.Language, TemplateReceived, key, MessageData{Kind: req.Kind})
		if err != nil {
			return nil, err
		}
		if n >= in.autoPerHour {
			if err := tx.AddAudit(t.ID, AuditEntry{At: now, Actor: ActorSystem, Action: "held_back", Code: AuditHeldBack,
				Params: AuditParams{Template: TemplateReceived, Recipient: rcpt, Count: n, Max: in.autoPerHour}}); err != nil {
				return nil, err
			}
		}
	}
	if err := in.changed(tx, t); err != nil {
		return nil, err
	}
	res := &SubmitResult{Ticket: t, Outcome: OutcomeReceived}
	if !mayShow(t, req) {
		res.Ticket = givenTicket(req, now)
	}
	return res, nil
}

// mayShow reports whether whoever sent req may see ticket t: its
// requester, or an agent.
func mayShow(t *Ticket, req *SubmitRequest) bool {
	return req.Channel == ChannelAgent || ownedBy(t, req.Requester)
}

// contact is how a requester can be reached, for the agents.
func contact(r Requester) string {
	return firstNonEmpty(r.Email, "discord:"+r.DiscordID, r.Name)
}

// givenTicket is what a result may show someone of a request that opened
// no ticket of theirs: what they gave, nothing of the desk's.
func givenTicket(req *SubmitRequest, now time.Time) *Ticket {
	t := &Ticket{Kind: req.Kind, Channel: req.Channel, Account: req.Account, Order: req.Order, Reason: req.Reason,
		Language: req.Language, Evidence: []Evidence{}, Flags: []string{}, Eligibility: Eligibility{Rules: []RuleStep{}},
		CreatedAt: now, UpdatedAt: now}
	requestSources(t, req)
	return t
}

// requestSources sets where the fields of a ticket made from req came
// from: as the channel says (carried from the ticket it follows for a
// follow-up), the requester's words when it says nothing.
func requestSources(t *Ticket, req *SubmitRequest) {
	of := func(field string) Source { return cmp.Or(req.carried[field], req.Sources.Of(field)) }
	t.Sources = Sources{}
	t.setSource(FieldSourceKind, string(t.Kind), of(FieldSourceKind))
	t.setSource(FieldSourceAccount, t.Account, of(FieldSourceAccount))
	t.setSource(FieldSourceOrder, t.Order, of(FieldSourceOrder))
	t.setSource(FieldSourceReason, string(t.Reason), of(FieldSourceReason))
}

// overLimit reports whether a request that would open a new ticket is past
// its requester's NewPerHour.
func (in *Intake) overLimit(tx *writeTx, req *SubmitRequest) (bool, error) {
	if req.NewPerHour <= 0 {
		return false, nil
	}
	n, err := tx.CountCreated(req.Requester, in.clock.Now().Add(-time.Hour))
	if err != nil {
		return false, err
	}
	return n >= req.NewPerHour, nil
}

// limited answers a request past its requester's hourly limit of new
// tickets: no ticket, and one answer (TemplateReceived with the limit) per
// address and clock hour, within the hourly cap on automatic mail, so a
// robot writing in a loop gets one answer, not one per mail.
func (in *Intake) limited(tx *writeTx, req *SubmitRequest) (*SubmitResult, error) {
	now := in.clock.Now()
	if ch, rcpt, ok := routeTo(req.Channel, req.Requester, false, false); ok {
		key := "limited:" + string(ch) + ":" + strings.ToLower(rcpt) + ":" + now.UTC().Truncate(time.Hour).Format(time.RFC3339)
		if _, err := in.enqueueAlone(tx, ch, rcpt, req.Language, TemplateReceived, key,
			MessageData{Kind: req.Kind, Limit: req.NewPerHour}); err != nil {
			return nil, err
		}
	}
	return &SubmitResult{Ticket: givenTicket(req, now), Outcome: OutcomeLimited}, nil
}

// joinFill fills the ticket's fields a joining request gives and it had
// left empty, sets the channel's flags, and names what it filled.
//
// An account the desk took from the order's record is not the requester's:
// one the request names takes its place (the verdict then compares it with
// the record).
func joinFill(t *Ticket, req *SubmitRequest) []string {
	var filled []string
	if (t.Account == "" || t.Sources.Of(FieldSourceAccount) == SourceRecord) && req.Account != "" {
		t.Account = req.Account
		t.setSource(FieldSourceAccount, t.Account, req.Sources.Of(FieldSourceAccount))
		filled = append(filled, "account")
	}
	if t.Reason == "" && req.Reason != "" {
		t.Reason = req.Reason
		t.setSource(FieldSourceReason, string(t.Reason), req.Sources.Of(FieldSourceReason))
		filled = append(filled, "reason")
	}
	for _, f := range req.Flags {
		t.SetFlag(f)
	}
	return filled
}

// acknowledgeJoin acknowledges a request that joined its requester's
// ticket, on the channel they used.
func (in *Intake) acknowledgeJoin(tx *writeTx, t *Ticket, req *SubmitRequest) error {
	data := in.messageData(t)
	data.Joined = true
	key := ""
	if req.IdempotencyKey != "" {
		key = "ack:" + t.Ref + ":" + req.IdempotencyKey
	}
	ch, rcpt, ok := routeTo(req.Channel, req.Requester, false, false)
	if !ok {
		return nil
	}
	return in.enqueue(tx, t, ch, rcpt, TemplateAcknowledgement, key, data, true)
}

// roomFor refuses files that would take a ticket past the files it keeps.
func (c *core) roomFor(t *Ticket, blobs []EvidenceBlob) error {
	if len(t.Evidence)+countNew(t, blobs) > c.limits.MaxEvidenceFiles {
		return Invalid("evidence", "evidence.ticket_full", "Ref", t.Ref, "Count", len(t.Evidence), "Max", c.limits.MaxEvidenceFiles)
	}
	return nil
}

func countNew(t *Ticket, blobs []EvidenceBlob) int {
	n := 0
	for _, b := range blobs {
		if !slices.ContainsFunc(t.Evidence, func(e Evidence) bool { return e.SHA256 == b.SHA256 }) {
			n++
		}
	}
	return n
}

// addBlobs stores files for t and audits each new one.
func (c *core) addBlobs(tx Tx, t *Ticket, blobs []EvidenceBlob, actor string) (int, error) {
	now := c.clock.Now()
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
		if err := tx.AddAudit(t.ID, AuditEntry{At: now, Actor: actor, Action: "evidence", Code: AuditEvidence,
			Params: AuditParams{Name: b.Name, ContentType: b.ContentType, Size: b.Size}}); err != nil {
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
	// Sources: as SubmitRequest's, for the fields the answer gives.
	Sources Sources
}

// RequesterReply adds a requester's answer to their own ticket: the text
// becomes a message, files evidence, missing fields are filled, the verdict
// is computed again, and a needs_info ticket goes back to in_review. A closed
// ticket reopens within the reopen window; later, a new ticket pointing to
// it is opened. Someone else's ticket is not found.
func (in *Intake) RequesterReply(ctx context.Context, u RequesterUpdate) (*SubmitResult, error) {
	id, err := ParseRef(u.Ref)
	if err != nil {
		return nil, err
	}
	g, blobs, err := in.checkReply(u)
	if err != nil {
		return nil, err
	}
	var res *SubmitResult
	var followUp *SubmitRequest
	err = in.update(ctx, func(tx *writeTx) error {
		res, followUp = nil, nil
		t, outcome, err := replyTo(tx, id, u)
		switch {
		case err != nil:
			return err
		case outcome == OutcomeDuplicate:
			res = &SubmitResult{Ticket: t, Outcome: OutcomeDuplicate}
			return nil
		case !t.Status.Open() && in.clock.Now().Sub(t.StatusChangedAt) > in.sla.ReopenWindow:
			// Too old to reopen: the answer starts a new ticket that points here.
			followUp = followUpRequest(t, u, g)
			return nil
		}
		if err := in.answer(tx, t, u, g, blobs); err != nil {
			return err
		}
		res = &SubmitResult{Ticket: t, Outcome: OutcomeJoined}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if followUp != nil {
		return in.Submit(ctx, *followUp)
	}
	return res, nil
}

// checkReply validates an answer, as Submit validates a request, and its
// files; an answer must give something.
func (in *Intake) checkReply(u RequesterUpdate) (given, []EvidenceBlob, error) {
	var errs ValidationErrors
	_, err := ParseChannel(string(u.Channel))
	errs.collect(err)
	g := given{Account: u.Account, Order: u.Order, Reason: u.Reason, Text: u.Text}
	errs = append(errs, in.check(&g, "text")...)
	errs = append(errs, checkSources(u.Sources)...)
	if err := errs.err(); err != nil {
		return given{}, nil, err
	}
	if u.Sources.Of(FieldSourceAccount) == SourceRecord {
		g.Account = "" // the channel's look-up, not the requester's (SubmitRequest.Sources)
	}
	blobs, err := in.checkFiles(u.Evidence)
	if err != nil {
		return given{}, nil, err
	}
	if g == (given{}) && len(blobs) == 0 {
		return given{}, nil, Invalid("text", "text.empty_reply")
	}
	return g, blobs, nil
}

// replyTo finds the ticket an answer goes to: the one its key was used for
// already (the outcome is then duplicate), or the one it names; only a
// ticket of the requester's own.
func replyTo(tx Tx, id int64, u RequesterUpdate) (*Ticket, string, error) {
	target, outcome := id, ""
	if u.IdempotencyKey != "" || len(u.PreviousKeys) > 0 {
		seen, err := seenKey(tx, u.IdempotencyKey, u.PreviousKeys)
		switch {
		case err == nil:
			target, outcome = seen, OutcomeDuplicate
		case !errors.Is(err, ErrNotFound):
			return nil, "", err
		}
	}
	t, err := tx.Ticket(target)
	if err != nil {
		return nil, "", err
	}
	if !ownedBy(t, u.Requester) {
		// A key, or a reference, is no way into someone else's ticket.
		return nil, "", NotFound("ticket.not_found", "Ref", FormatRef(id))
	}
	return t, outcome, nil
}

// followUpRequest is the new ticket an answer to a ticket closed too long
// ago starts: it points to the old one and keeps what the answer does not
// give.
//
// Each field keeps where it came from: the answer's source for what the
// answer gives, the old ticket's for what it keeps. An account the desk
// took from the old order's record is not kept: the new ticket takes it
// from the record again, as the record is now.
func followUpRequest(t *Ticket, u RequesterUpdate, g given) *SubmitRequest {
	account := t.Account
	if t.Sources.Of(FieldSourceAccount) == SourceRecord {
		account = ""
	}
	carried := Sources{FieldSourceKind: t.Sources[FieldSourceKind]}
	for _, f := range []struct {
		field, answer string
	}{{FieldSourceAccount, g.Account}, {FieldSourceOrder, g.Order}, {FieldSourceReason, string(g.Reason)}} {
		if f.answer == "" {
			carried[f.field] = t.Sources[f.field]
		}
	}
	return &SubmitRequest{Kind: t.Kind, Channel: u.Channel, Requester: u.Requester, Account: firstNonEmpty(g.Account, account),
		Order: firstNonEmpty(g.Order, t.Order), Reason: Reason(firstNonEmpty(string(g.Reason), string(t.Reason))), Details: g.Text,
		Language: t.Language, Evidence: u.Evidence, IdempotencyKey: u.IdempotencyKey, PreviousKeys: u.PreviousKeys,
		ExternalID: u.ExternalID, ParentRef: t.Ref, Flags: u.Flags, Sources: u.Sources, carried: carried}
}

// answer adds a requester's answer to their ticket, open or closed within
// the reopen window.
func (in *Intake) answer(tx *writeTx, t *Ticket, u RequesterUpdate, g given, blobs []EvidenceBlob) error {
	now := in.clock.Now()
	actor := firstNonEmpty(u.Requester.Email, u.Requester.Name, "discord:"+u.Requester.DiscordID)
	if err := in.roomFor(t, blobs); err != nil {
		return err
	}
	if err := in.reopenOnAnswer(tx, t, actor, now); err != nil {
		return err
	}
	filled, err := fillAnswer(tx, t, g, u.Sources, u.Flags)
	if err != nil {
		return err
	}
	if g.Text != "" || u.ExternalID != "" {
		// An empty body is an answer with files or fields only; the edges
		// write it in words.
		if err := tx.AddMessage(t.ID, &Message{Kind: MessageIn, Channel: u.Channel, Author: actor, Body: g.Text, ExternalID: u.ExternalID, CreatedAt: now}); err != nil {
			return err
		}
	}
	if len(filled) > 0 {
		if err := tx.AddAudit(t.ID, AuditEntry{At: now, Actor: actor, Action: "edit", Code: AuditGave, Params: AuditParams{Fields: filled}}); err != nil {
			return err
		}
	}
	if _, err := in.addBlobs(tx, t, blobs, actor); err != nil {
		return err
	}
	if err := in.reevaluate(tx, t, ActorSystem, CauseRequesterAnswered, true); err != nil {
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
	return in.changed(tx, t)
}

// reopenOnAnswer puts a resolved, closed (within the reopen window) or
// denied ticket back in front of the agents when its requester writes
// again (with more evidence, say); not when its order or account has a
// newer open ticket.
func (in *Intake) reopenOnAnswer(tx Tx, t *Ticket, actor string, now time.Time) error {
	if t.Status.Open() && t.Status != StatusDenied {
		return nil
	}
	if !t.Status.Open() {
		if other, err := otherOpen(tx, t); err != nil {
			return err
		} else if other != "" {
			return conflict("ticket.newer_open", "Ref", t.Ref, "Other", other)
		}
	}
	from := t.Status
	setStatus(t, StatusInReview, now)
	t.SetFlag(FlagReopened)
	return tx.AddAudit(t.ID, AuditEntry{At: now, Actor: actor, Action: string(ActionReopen), FromStatus: from, ToStatus: t.Status,
		Code: AuditRequesterWrote})
}

// fillAnswer sets the fields an answer gives (an order another open ticket
// has, or an account another open revocation has, is refused), where they
// came from, and the channel's flags, and names what changed. An account
// the answer names takes the place of the one the desk took from the
// order's record, even when it is the same.
func fillAnswer(tx Tx, t *Ticket, g given, src Sources, flags []string) ([]string, error) {
	var filled []string
	if g.Account != "" && (g.Account != t.Account || t.Sources.Of(FieldSourceAccount) == SourceRecord) {
		t.Account = g.Account
		t.setSource(FieldSourceAccount, t.Account, src.Of(FieldSourceAccount))
		filled = append(filled, "account")
	}
	if g.Order != "" && g.Order != t.Order && t.Kind == KindRefund {
		if other, err := tx.OpenTicket(KindRefund, g.Order, ""); err == nil && other != t.ID {
			return nil, conflict("order.open_ticket", "Order", g.Order, "Other", FormatRef(other))
		}
		t.Order = g.Order
		t.setSource(FieldSourceOrder, t.Order, src.Of(FieldSourceOrder))
		filled = append(filled, "order")
	}
	if g.Account != "" && t.Kind == KindRevocation && t.Status.Open() {
		if other, err := tx.OpenTicket(KindRevocation, "", AccountKey(g.Account)); err == nil && other != t.ID {
			return nil, conflict("account.open_revocation", "Account", g.Account, "Other", FormatRef(other))
		} else if err != nil && !errors.Is(err, ErrNotFound) {
			return nil, err
		}
	}
	if g.Reason != "" && g.Reason != t.Reason && t.Kind == KindRefund {
		t.Reason = g.Reason
		t.setSource(FieldSourceReason, string(t.Reason), src.Of(FieldSourceReason))
		filled = append(filled, "reason")
	}
	for _, f := range flags {
		if isKnownFlag(f) && t.SetFlag(f) {
			filled = append(filled, "flag "+f)
		}
	}
	return filled, nil
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" && v != "discord:" {
			return v
		}
	}
	return ""
}

// Missing lists what the requester still has to give: order, order_unknown
// (given but not on record), account, reason, evidence.
func (in *Intake) Missing(t *Ticket) []string { return in.missing(t) }

// RecentRequests counts the requests a requester filed since a time, for a
// per-user limit.
func (in *Intake) RecentRequests(ctx context.Context, r Requester, since time.Time) (int, error) {
	from := since.UTC()
	q := &Query{Sort: DefaultSort, Terms: []Term{{Field: FieldCreated, From: &from}}}
	res, err := in.store.Search(ctx, q, SearchOptions{Limit: 100, Now: in.clock.Now(), FirstResponse: in.sla.FirstResponse, Requester: &r})
	if err != nil {
		return 0, err
	}
	return len(res.Tickets), nil
}

// TicketForExternalID finds the ticket a message id (a requester's earlier
// Message-ID) belongs to.
func (in *Intake) TicketForExternalID(ctx context.Context, externalID string) (*Ticket, error) {
	var t *Ticket
	err := in.store.View(ctx, func(tx Tx) error {
		id, err := tx.TicketByExternalID(externalID)
		if err != nil {
			return err
		}
		t, err = tx.Ticket(id)
		return err
	})
	return t, err
}

// RecordFailure keeps an inbound item that could not be taken in, for agents.
func (in *Intake) RecordFailure(ctx context.Context, f InboundFailure) error {
	if f.CreatedAt.IsZero() {
		f.CreatedAt = in.clock.Now()
	}
	return in.store.RecordFailure(ctx, f)
}

// Failures lists the inbound items that could not be taken in.
func (in *Intake) Failures(ctx context.Context, limit int) ([]InboundFailure, error) {
	if limit <= 0 || limit > MaxPageSize {
		limit = DefaultPageSize
	}
	return in.store.Failures(ctx, limit)
}

// Cursor returns where an intake stopped (ErrNotFound before its first run).
func (in *Intake) Cursor(ctx context.Context, name string) (Cursor, error) {
	return in.store.Cursor(ctx, name)
}

// SetCursor records where an intake stopped.
func (in *Intake) SetCursor(ctx context.Context, name string, c Cursor) error {
	c.UpdatedAt = in.clock.Now()
	return in.store.SetCursor(ctx, name, c)
}
