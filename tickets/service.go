package tickets

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"
)

// Service is what every channel calls: intake, agent actions, queries and
// imports. It holds the domain's rules; the store only keeps data.
type Service struct {
	store  Store
	policy *Policy
	clock  Clock
	limits Limits
	sla    SLA
	agents []string
	// autoPerHour caps the automatic mails to one address in an hour.
	autoPerHour int
	// watchers hear of every change of a ticket; alerts take the desk's
	// alerts to the agents (Options.Watchers, Options.Alerts).
	watchers  []Channel
	alerts    []Channel
	followups FollowupRules
	log       *slog.Logger
	// signals wake this process's senders when outbox items are committed;
	// group, in a Group's copy, holds them until the Group commits.
	signals *outboxSignals
	group   *groupQueued
}

// SLA holds the desk's time targets.
type SLA struct {
	// FirstResponse: a ticket waiting on agents longer than this is overdue.
	FirstResponse time.Duration
	// ReopenWindow: a requester writing to a closed ticket within this long
	// reopens it; later, a new ticket that points to it is opened.
	ReopenWindow time.Duration
}

// DefaultSLA is 24 hours to a first response and 14 days to reopen.
func DefaultSLA() SLA { return SLA{FirstResponse: 24 * time.Hour, ReopenWindow: 14 * 24 * time.Hour} }

// Options configure a Service; zero fields take the defaults.
type Options struct {
	Policy *Policy
	Limits Limits
	SLA    SLA
	// Agents, when not empty, are the only names that may act as agents.
	Agents []string
	// AutoRepliesPerHour caps the automatic mails (acknowledgements,
	// reminders) to one address in an hour, so two robots answering each
	// other stop; 0 means 5.
	AutoRepliesPerHour int
	// Watchers are channels that keep a view of every ticket for the
	// agents (a board of ticket cards in a chat channel, say): whenever a
	// ticket is created or changed, an outbox item of template "card" is
	// queued on each, in the same transaction. The channel that registers
	// one delivers its items (DeliverOutbox) and keeps what it needs to
	// find its view again in a store of its own.
	Watchers []Channel
	// Alerts are channels that take the desk's alerts to the agents (a
	// ticket past its first-response target, a platform that has not
	// answered, a refund not marked paid): an outbox item of template
	// "alert" on each. Without one, the alert is only in the audit trail.
	Alerts []Channel
	// Followups say when reminders, escalations and auto-close come due.
	Followups FollowupRules
	Clock     Clock
	Logger    *slog.Logger
}

// NewService returns a service over store.
func NewService(store Store, opt Options) *Service {
	s := &Service{store: store, policy: opt.Policy, clock: opt.Clock, limits: opt.Limits, sla: opt.SLA, agents: opt.Agents,
		autoPerHour: opt.AutoRepliesPerHour, watchers: slices.Clone(opt.Watchers), alerts: slices.Clone(opt.Alerts), followups: opt.Followups, log: opt.Logger,
		signals: newOutboxSignals()}
	s.followups.fill()
	if s.autoPerHour <= 0 {
		s.autoPerHour = 5
	}
	if s.policy == nil {
		s.policy = DefaultPolicy()
	}
	if s.clock == nil {
		s.clock = SystemClock{}
	}
	def := DefaultLimits()
	if s.limits.MaxEvidenceBytes <= 0 {
		s.limits.MaxEvidenceBytes = def.MaxEvidenceBytes
	}
	if s.limits.MaxEvidenceFiles <= 0 {
		s.limits.MaxEvidenceFiles = def.MaxEvidenceFiles
	}
	if s.limits.MaxDetailsBytes <= 0 {
		s.limits.MaxDetailsBytes = def.MaxDetailsBytes
	}
	defSLA := DefaultSLA()
	if s.sla.FirstResponse <= 0 {
		s.sla.FirstResponse = defSLA.FirstResponse
	}
	if s.sla.ReopenWindow <= 0 {
		s.sla.ReopenWindow = defSLA.ReopenWindow
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	return s
}

// Policy returns the policy in force.
func (s *Service) Policy() *Policy { return s.policy }

// Limits returns the intake limits.
func (s *Service) Limits() Limits { return s.limits }

// FollowupRules returns when follow-ups come due.
func (s *Service) FollowupRules() FollowupRules { return s.followups }

// SLA returns the time targets.
func (s *Service) SLA() SLA { return s.sla }

// Now is the service's clock.
func (s *Service) Now() time.Time { return s.clock.Now() }

// update runs fn in a write transaction, again when a concurrent writer won a
// uniqueness race (fn must be safe to run twice: it is, since a failed
// transaction leaves nothing behind).
func (s *Service) update(ctx context.Context, fn func(Tx) error) error {
	// queued: the outbox channels the last run of fn queued items on.
	var queued map[Channel]bool
	fn = s.withChanges(fn, &queued)
	var err error
	for attempt := 0; attempt < 4; attempt++ {
		err = s.store.Update(ctx, fn)
		if err == nil {
			s.queued(queued)
		}
		if !errors.Is(err, ErrConcurrent) {
			return err
		}
		s.log.Debug("transaction raced another writer; running it again", slog.Int("attempt", attempt+1))
	}
	s.log.Warn("gave up after concurrent changes", slog.Any("error", err))
	return conflictf("other changes to the same tickets kept winning; try again")
}

// Group runs fn with a Service whose changes and reads all go into one
// transaction of the store, committed when fn returns nil: a batch of
// intake pays for one commit instead of one each. A change that fails
// inside it is undone alone and returns its error as usual, but nothing is
// committed until fn returns, and then only if the commit succeeds, so a
// caller acknowledges its input (moves a mail, advances a cursor) only
// after Group has returned nil. fn may use the Service from several
// goroutines; inside fn, changes must go through the Service fn is given.
func (s *Service) Group(ctx context.Context, fn func(*Service) error) error {
	q := &groupQueued{chs: map[Channel]bool{}}
	err := s.store.Group(ctx, func(st Store) error {
		g := *s
		g.store = st
		g.group = q
		return fn(&g)
	})
	if err == nil {
		s.queued(q.chs)
	}
	return err
}

// CheckAgent checks that name may act as an agent.
func (s *Service) CheckAgent(name string) error {
	if strings.TrimSpace(name) == "" {
		return Invalid("agent", "who is acting is not known (give --as AGENT)")
	}
	if len(s.agents) > 0 && !slices.Contains(s.agents, name) {
		return fmt.Errorf("%q is not one of the desk's agents: %w", name, ErrForbidden)
	}
	return nil
}

// Agents lists the configured agents (empty: anyone may act).
func (s *Service) Agents() []string { return s.agents }

// Ticket returns a ticket by reference.
func (s *Service) Ticket(ctx context.Context, ref string) (*Ticket, error) {
	id, err := ParseRef(ref)
	if err != nil {
		return nil, err
	}
	var t *Ticket
	err = s.store.View(ctx, func(tx Tx) error {
		t, err = tx.Ticket(id)
		return err
	})
	return t, err
}

// Detail returns the whole story of a ticket: fields, evidence, messages,
// audit trail, outbox and the promotion record.
func (s *Service) Detail(ctx context.Context, ref string) (*TicketDetail, error) {
	id, err := ParseRef(ref)
	if err != nil {
		return nil, err
	}
	var d *TicketDetail
	err = s.store.View(ctx, func(tx Tx) error {
		d, err = tx.Detail(id)
		return err
	})
	return d, err
}

// Search runs a query for an agent (who is "me").
func (s *Service) Search(ctx context.Context, query, agent string, limit int, after string) (*SearchResult, error) {
	q, err := ParseQuery(query, s.clock.Now(), agent)
	if err != nil {
		return nil, err
	}
	if limit < 0 || limit > MaxPageSize {
		return nil, Invalid("limit", "must be between 1 and %d (0 for the default page of %d), got %d", MaxPageSize, DefaultPageSize, limit)
	}
	return s.store.Search(ctx, q, SearchOptions{Limit: limit, After: after, Now: s.clock.Now(), FirstResponse: s.sla.FirstResponse})
}

// RequesterTickets lists a requester's own tickets, newest first, and only theirs.
func (s *Service) RequesterTickets(ctx context.Context, r Requester, limit int) ([]Ticket, error) {
	if r.Email == "" && r.DiscordID == "" {
		return nil, Invalid("requester", "no email address or Discord id to look tickets up by")
	}
	q := &Query{Sort: DefaultSort}
	res, err := s.store.Search(ctx, q, SearchOptions{Limit: limit, Now: s.clock.Now(), FirstResponse: s.sla.FirstResponse, Requester: &r})
	if err != nil {
		return nil, err
	}
	return res.Tickets, nil
}

// RequesterTicket returns one of a requester's own tickets; someone else's
// ticket is not found, the same as one that does not exist.
func (s *Service) RequesterTicket(ctx context.Context, r Requester, ref string) (*Ticket, error) {
	t, err := s.Ticket(ctx, ref)
	if err != nil {
		return nil, err
	}
	if !ownedBy(t, r) {
		return nil, notFoundf("ticket %s", strings.ToUpper(strings.TrimSpace(ref)))
	}
	return t, nil
}

func ownedBy(t *Ticket, r Requester) bool {
	if r.DiscordID != "" && t.Requester.DiscordID == r.DiscordID {
		return true
	}
	return r.Email != "" && strings.EqualFold(t.Requester.Email, r.Email)
}

// PromotionDetail returns an order's record and the tickets linked to it.
func (s *Service) PromotionDetail(ctx context.Context, order string) (*PromotionDetail, error) {
	o, err := NormalizeOrder(order)
	if err != nil {
		return nil, err
	}
	if o == "" {
		return nil, Invalid("order", "an order number is needed")
	}
	var d *PromotionDetail
	err = s.store.View(ctx, func(tx Tx) error {
		p, err := tx.Promotion(o)
		if err != nil {
			return err
		}
		ts, err := tx.PromotionTickets(o)
		if err != nil {
			return err
		}
		d = &PromotionDetail{Promotion: *p, Tickets: ts}
		return nil
	})
	return d, err
}

// setStatus moves a ticket and keeps the clocks that depend on its status.
func setStatus(t *Ticket, to Status, now time.Time) {
	if t.Status == to {
		return
	}
	t.Status = to
	t.StatusChangedAt = now
	if to.WaitingOnAgents() {
		t.WaitingSince = &now
	} else {
		t.WaitingSince = nil
	}
}

// route says where messages to the requester go: the channel they came
// from, or the other one when that one failed (the chat channel refuses
// the desk's messages, mail bounced).
func route(t *Ticket) (Channel, string, bool) {
	return routeTo(t.Channel, t.Requester, t.HasFlag(FlagUnreachable), t.HasFlag(FlagUndeliverable))
}

func routeTo(ch Channel, r Requester, unreachable, undeliverable bool) (Channel, string, bool) {
	discord := r.DiscordID != "" && !unreachable
	email := r.Email != "" && !undeliverable
	switch {
	case ch == ChannelDiscord && discord:
		return ChannelDiscord, r.DiscordID, true
	case email:
		return ChannelEmail, r.Email, true
	case discord:
		return ChannelDiscord, r.DiscordID, true
	}
	return "", "", false
}

// notify queues a message an agent's action sends to the requester, when
// there is a way to reach them.
func (s *Service) notify(tx Tx, t *Ticket, template, key string, data MessageData) error {
	ch, rcpt, ok := route(t)
	if !ok {
		return nil
	}
	return s.enqueue(tx, t, ch, rcpt, template, key, data, false)
}

// notifyAuto queues a message the desk sends by itself (an acknowledgement,
// an automatic approval, a reminder).
func (s *Service) notifyAuto(tx Tx, t *Ticket, template, key string, data MessageData) error {
	ch, rcpt, ok := route(t)
	if !ok {
		return nil
	}
	return s.enqueue(tx, t, ch, rcpt, template, key, data, true)
}

// enqueue queues a message for one recipient on one channel. Automatic mail
// to an address that had its hourly share already is held back (and the
// audit trail says so): two robots must not answer each other forever.
func (s *Service) enqueue(tx Tx, t *Ticket, ch Channel, rcpt, template, key string, data MessageData, automatic bool) error {
	now := s.clock.Now()
	if automatic && ch == ChannelEmail {
		n, err := tx.CountAutomatic(rcpt, now.Add(-time.Hour))
		if err != nil {
			return err
		}
		if n >= s.autoPerHour {
			return tx.AddAudit(t.ID, AuditEntry{At: now, Actor: ActorSystem, Action: "held_back",
				Detail: fmt.Sprintf("%s to %s not sent: %d automatic mails to that address in the last hour (the limit is %d)", template, rcpt, n, s.autoPerHour)})
		}
	}
	item := &OutboxItem{TicketID: t.ID, TicketRef: t.Ref, Channel: ch, Recipient: rcpt, Template: template,
		Language: t.Language, Data: data, Status: OutboxPending, CreatedAt: now, NextAttemptAt: now, Key: key, Automatic: automatic}
	if err := tx.Enqueue(item); err != nil {
		return fmt.Errorf("queue %s for %s: %w", template, t.Ref, err)
	}
	return nil
}

// messageData is the snapshot a template writes from.
func (s *Service) messageData(t *Ticket) MessageData {
	d := MessageData{Ref: t.Ref, Kind: t.Kind, Status: t.Status, Account: t.Account, Order: t.Order, Reason: t.Reason,
		Verdict: t.Eligibility.Verdict, Amount: t.Eligibility.RefundAmount, Currency: t.Eligibility.Currency,
		Missing: s.Missing(t)}
	if t.ApprovedAmount != nil {
		d.Amount = *t.ApprovedAmount
	}
	for _, r := range t.Eligibility.Rules {
		if r.Outcome != OutcomePass {
			d.Explanation = append(d.Explanation, r)
		}
	}
	return d
}

// Missing lists what the requester still has to give: order, order_unknown
// (given but not on record), account, reason, evidence.
func (s *Service) Missing(t *Ticket) []string {
	var out []string
	if t.Kind == KindRevocation {
		if t.Account == "" {
			out = append(out, "account")
		}
		return out
	}
	if t.Order == "" {
		out = append(out, "order")
	} else {
		for _, r := range t.Eligibility.Rules {
			if r.Rule == RuleOrderOnRecord && r.Outcome == string(VerdictNeedsInfo) {
				out = append(out, "order_unknown")
			}
		}
	}
	if t.Account == "" {
		out = append(out, "account")
	}
	if t.Reason == "" {
		out = append(out, "reason")
	}
	if len(t.Evidence) == 0 && s.evidenceRequired(t.Reason) {
		out = append(out, "evidence")
	}
	return out
}

func (s *Service) evidenceRequired(r Reason) bool {
	switch r {
	case ReasonUnderDelivery:
		return s.policy.UnderDelivery.RequireEvidence
	case ReasonTechnicalError:
		return s.policy.TechnicalError.RequireEvidence
	case ReasonDuplicateCharge:
		return s.policy.DuplicateCharge.RequireEvidence
	}
	return false
}

// Promotion returns an order's record.
func (s *Service) Promotion(ctx context.Context, order string) (*Promotion, error) {
	var p *Promotion
	err := s.store.View(ctx, func(tx Tx) error {
		var err error
		p, err = tx.Promotion(order)
		return err
	})
	return p, err
}

// changeTx notes the tickets a transaction creates or changes, as last
// saved, and the outbox channels it queues items on.
type changeTx struct {
	Tx
	changed map[int64]Ticket
	queued  map[Channel]bool
}

func (c *changeTx) Enqueue(item *OutboxItem) error {
	err := c.Tx.Enqueue(item)
	if err == nil {
		c.queued[item.Channel] = true
	}
	return err
}

func (c *changeTx) RequeueOutbox(id int64, now time.Time) error {
	it, err := c.Tx.OutboxItem(id)
	if err != nil {
		return err
	}
	if err := c.Tx.RequeueOutbox(id, now); err != nil {
		return err
	}
	c.queued[it.Channel] = true
	return nil
}

func (c *changeTx) CreateTicket(t *Ticket) error {
	err := c.Tx.CreateTicket(t)
	if err == nil {
		c.changed[t.ID] = *t
	}
	return err
}

func (c *changeTx) SaveTicket(t *Ticket) error {
	err := c.Tx.SaveTicket(t)
	if err == nil {
		c.changed[t.ID] = *t
	}
	return err
}

// withChanges keeps, in the same transaction, what depends on every ticket
// fn creates or changes: its follow-ups are scheduled again (what no longer
// applies is cancelled), and every watcher is told (an item of template
// "card"; a watcher's view shows the ticket as it is when the item is sent).
// queued is set to the channels the run queued items on.
func (s *Service) withChanges(fn func(Tx) error, queued *map[Channel]bool) func(Tx) error {
	return func(tx Tx) error {
		ct := &changeTx{Tx: tx, changed: map[int64]Ticket{}, queued: map[Channel]bool{}}
		*queued = ct.queued
		if err := fn(ct); err != nil {
			return err
		}
		now := s.clock.Now()
		for id, t := range ct.changed {
			if err := tx.ScheduleFollowups(id, s.Schedule(&t), now); err != nil {
				return fmt.Errorf("schedule follow-ups of %s: %w", t.Ref, err)
			}
			for _, ch := range s.watchers {
				if err := ct.Enqueue(&OutboxItem{TicketID: id, TicketRef: t.Ref, Channel: ch, Template: TemplateCard,
					Data: MessageData{Ref: t.Ref}, Status: OutboxPending, CreatedAt: now, NextAttemptAt: now, Automatic: true}); err != nil {
					return err
				}
			}
		}
		return nil
	}
}
