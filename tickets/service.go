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

// Service is the desk's domain, split by use case. Every channel reaches
// the use case it serves through one of its fields; they share one core of
// dependencies (the store, the policy, the clock, the limits, the SLA, the
// agents, the logger, the outbox signals) and hold the domain's rules: the
// store only keeps data.
type Service struct {
	// Intake takes requests and answers from requesters, and keeps the
	// intakes' own records (cursors, items set aside, message ids).
	Intake *Intake
	// Desk is what agents do: actions, corrections, evidence, amounts.
	Desk *Desk
	// Followups are what the desk does by itself when a ticket has waited.
	Followups *Followups
	// Delivery is the outbox seen from the channels' senders.
	Delivery *Delivery
	// Records are the reads (tickets, searches, promotion records, counts)
	// and the imports of promotion records.
	Records *Records

	c *core
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
	// Agents, when not empty, are the only names that may act as agents,
	// with those Directory accepts.
	Agents []string
	// Directory, when set, accepts more agents than Agents lists (the web
	// console's). It is asked only when Agents is not empty and does not
	// name the one acting: with no list, any name may act, as before.
	Directory AgentDirectory
	// AutoRepliesPerHour caps the automatic mails (acknowledgements,
	// reminders) to one address in an hour, so two robots answering each
	// other stop; 0 means 5.
	AutoRepliesPerHour int
	// Watchers are channels that keep a view of every ticket for the
	// agents (a board of ticket cards in a chat channel, say): whenever a
	// ticket is created or changed, an outbox item of template "card" is
	// queued on each, in the same transaction. The channel that registers
	// one delivers its items (Delivery.DeliverOutbox) and keeps what it
	// needs to find its view again in a store of its own.
	Watchers []Channel
	// Alerts are channels that take the desk's alerts to the agents (a
	// ticket past its first-response target, a platform that has not
	// answered, a refund not marked paid): an outbox item of template
	// "alert" on each. Without one, the alert is only in the audit trail.
	Alerts []Channel
	// Followups say when reminders, escalations and auto-close come due.
	Followups FollowupRules
	// Languages are the languages the desk answers in, as BCP 47 tags (the
	// message catalogs': templates.Languages()): a request or an edit
	// names one of them. Empty: those DetectLanguage tells apart (en, id).
	Languages []string
	Clock     Clock
	Logger    *slog.Logger
}

// NewService returns the desk's use cases over store.
func NewService(store Store, opt Options) *Service {
	c := &core{store: store, policy: opt.Policy, clock: opt.Clock, limits: opt.Limits, sla: opt.SLA,
		agents: slices.Clone(opt.Agents), directory: opt.Directory, autoPerHour: opt.AutoRepliesPerHour, watchers: slices.Clone(opt.Watchers),
		alerts: slices.Clone(opt.Alerts), followups: opt.Followups, languages: slices.Clone(opt.Languages), log: opt.Logger,
		signals: newOutboxSignals()}
	c.fill()
	return c.service()
}

// core is what every use case shares.
type core struct {
	store  Store
	policy *Policy
	clock  Clock
	limits Limits
	sla    SLA
	agents []string
	// directory knows the agents beyond the list (Options.Directory).
	directory AgentDirectory
	// autoPerHour caps the automatic mails to one address in an hour.
	autoPerHour int
	// watchers hear of every change of a ticket; alerts take the desk's
	// alerts to the agents (Options.Watchers, Options.Alerts).
	watchers  []Channel
	alerts    []Channel
	followups FollowupRules
	languages []string // Options.Languages
	log       *slog.Logger
	// signals wake this process's senders when outbox items are committed;
	// group, in a Group's copy, holds them until the Group commits.
	signals *outboxSignals
	group   *groupQueued
}

// fill puts the defaults in the fields left zero.
func (c *core) fill() {
	c.followups.fill()
	if c.autoPerHour <= 0 {
		c.autoPerHour = 5
	}
	if c.policy == nil {
		c.policy = DefaultPolicy()
	}
	if c.clock == nil {
		c.clock = SystemClock{}
	}
	def := DefaultLimits()
	if c.limits.MaxEvidenceBytes <= 0 {
		c.limits.MaxEvidenceBytes = def.MaxEvidenceBytes
	}
	if c.limits.MaxEvidenceFiles <= 0 {
		c.limits.MaxEvidenceFiles = def.MaxEvidenceFiles
	}
	if c.limits.MaxDetailsBytes <= 0 {
		c.limits.MaxDetailsBytes = def.MaxDetailsBytes
	}
	defSLA := DefaultSLA()
	if c.sla.FirstResponse <= 0 {
		c.sla.FirstResponse = defSLA.FirstResponse
	}
	if c.sla.ReopenWindow <= 0 {
		c.sla.ReopenWindow = defSLA.ReopenWindow
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
}

// service returns the use cases over c.
func (c *core) service() *Service {
	return &Service{Intake: &Intake{c}, Desk: &Desk{c}, Followups: &Followups{c}, Delivery: &Delivery{c}, Records: &Records{c}, c: c}
}

// Policy returns the policy in force.
func (s *Service) Policy() *Policy { return s.c.policy }

// Limits returns the intake limits.
func (s *Service) Limits() Limits { return s.c.limits }

// SLA returns the time targets.
func (s *Service) SLA() SLA { return s.c.sla }

// Now is the service's clock.
func (s *Service) Now() time.Time { return s.c.clock.Now() }

// Group runs fn with a Service whose changes and reads all go into one
// transaction of the store, committed when fn returns nil: a batch of
// intake pays for one commit instead of one each. A change that fails
// inside it is undone alone and returns its error as usual, but nothing is
// committed until fn returns, and then only if the commit succeeds, so a
// caller acknowledges its input (moves a mail, advances a cursor) only
// after Group has returned nil. fn may use the Service from several
// goroutines; inside fn, changes must go through the Service fn is given.
// fn may be run twice, the second time from the start with nothing of the
// first kept (see Store.Group): what it records must be what the last run
// did.
func (s *Service) Group(ctx context.Context, fn func(*Service) error) error {
	var q *groupQueued // the last run's
	err := s.c.store.Group(ctx, func(st Store) error {
		q = &groupQueued{chs: map[Channel]bool{}}
		g := *s.c
		g.store = st
		g.group = q
		return fn(g.service())
	})
	if err == nil {
		s.c.wake(q.chs)
	}
	return err
}

// AcquireLease takes or renews a lease on work one instance at a time does.
func (s *Service) AcquireLease(ctx context.Context, name, holder string, ttl time.Duration) (bool, error) {
	return s.c.store.AcquireLease(ctx, name, holder, s.c.clock.Now(), ttl)
}

// ReleaseLease gives a lease up.
func (s *Service) ReleaseLease(ctx context.Context, name, holder string) error {
	return s.c.store.ReleaseLease(ctx, name, holder)
}

// writeTx is one write transaction of a use case: the store's Tx, and the
// outbox channels it queued items on, whose senders update wakes once the
// transaction has committed. Items go in through queue and back through
// requeue, which count them; nothing calls the Tx's Enqueue directly.
type writeTx struct {
	Tx
	queued map[Channel]bool
}

// queue puts an item in the outbox.
func (tx *writeTx) queue(item *OutboxItem) error {
	if err := tx.Enqueue(item); err != nil {
		return err
	}
	tx.queued[item.Channel] = true
	return nil
}

// requeue puts a failed item back in the queue, due at now.
func (tx *writeTx) requeue(it *OutboxItem, now time.Time) error {
	if err := tx.RequeueOutbox(it.ID, now); err != nil {
		return err
	}
	tx.queued[it.Channel] = true
	return nil
}

// update runs fn in a write transaction, again when a concurrent writer won
// a uniqueness race (fn must be safe to run twice: it is, since a failed
// transaction leaves nothing behind). Once the transaction has committed,
// this process's senders of the channels fn queued items on are woken.
func (c *core) update(ctx context.Context, fn func(tx *writeTx) error) error {
	var err error
	for attempt := 0; attempt < 4; attempt++ {
		var queued map[Channel]bool
		err = c.store.Update(ctx, func(tx Tx) error {
			w := &writeTx{Tx: tx, queued: map[Channel]bool{}}
			queued = w.queued
			return fn(w)
		})
		if err == nil {
			c.wake(queued)
		}
		if !errors.Is(err, ErrConcurrent) {
			return err
		}
		c.log.Debug("transaction raced another writer; running it again", slog.Int("attempt", attempt+1))
	}
	c.log.Warn("gave up after concurrent changes", slog.Any("error", err))
	return conflict("concurrent.gave_up")
}

// changed keeps, in the same transaction, what depends on a ticket that tx
// created or changed; every use case calls it after the ticket's last save.
// The ticket's follow-ups are scheduled again (what no longer applies is
// cancelled), and every watcher is told with an item of template "card"
// (a watcher shows the ticket as it is when the item is sent).
func (c *core) changed(tx *writeTx, t *Ticket) error {
	now := c.clock.Now()
	if err := tx.ScheduleFollowups(t.ID, c.schedule(t), now); err != nil {
		return fmt.Errorf("schedule follow-ups of %s: %w", t.Ref, err)
	}
	for _, ch := range c.watchers {
		if err := tx.queue(&OutboxItem{TicketID: t.ID, TicketRef: t.Ref, Channel: ch, Template: TemplateCard,
			Data: MessageData{Ref: t.Ref}, Status: OutboxPending, CreatedAt: now, NextAttemptAt: now, Automatic: true}); err != nil {
			return err
		}
	}
	return nil
}

// checkAgent checks that name may act as an agent.
func (c *core) checkAgent(name string) error {
	if strings.TrimSpace(name) == "" {
		return Invalid("agent", "agent.unknown_actor")
	}
	if len(c.agents) == 0 || slices.Contains(c.agents, name) {
		return nil
	}
	if c.directory != nil {
		ok, err := c.directory.IsAgent(name)
		if err != nil {
			return fmt.Errorf("is %q one of the desk's agents: %w", name, err)
		}
		if ok {
			return nil
		}
	}
	return fmt.Errorf("%q is not one of the desk's agents: %w", name, ErrForbidden)
}

// ticket loads a ticket by reference in a read transaction.
func (c *core) ticket(ctx context.Context, ref string) (*Ticket, error) {
	id, err := ParseRef(ref)
	if err != nil {
		return nil, err
	}
	var t *Ticket
	err = c.store.View(ctx, func(tx Tx) error {
		t, err = tx.Ticket(id)
		return err
	})
	return t, err
}

func ownedBy(t *Ticket, r Requester) bool {
	if r.DiscordID != "" && t.Requester.DiscordID == r.DiscordID {
		return true
	}
	return r.Email != "" && strings.EqualFold(t.Requester.Email, r.Email)
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
func (c *core) notify(tx *writeTx, t *Ticket, template, key string, data MessageData) error {
	ch, rcpt, ok := route(t)
	if !ok {
		return nil
	}
	return c.enqueue(tx, t, ch, rcpt, template, key, data, false)
}

// notifyAuto queues a message the desk sends by itself (an acknowledgement,
// an automatic approval, a reminder).
func (c *core) notifyAuto(tx *writeTx, t *Ticket, template, key string, data MessageData) error {
	ch, rcpt, ok := route(t)
	if !ok {
		return nil
	}
	return c.enqueue(tx, t, ch, rcpt, template, key, data, true)
}

// enqueue queues a message for one recipient on one channel. Automatic mail
// to an address that had its hourly share already is held back (and the
// audit trail says so): two robots must not answer each other forever.
func (c *core) enqueue(tx *writeTx, t *Ticket, ch Channel, rcpt, template, key string, data MessageData, automatic bool) error {
	now := c.clock.Now()
	if automatic && ch == ChannelEmail {
		n, err := tx.CountAutomatic(rcpt, now.Add(-time.Hour))
		if err != nil {
			return err
		}
		if n >= c.autoPerHour {
			return tx.AddAudit(t.ID, AuditEntry{At: now, Actor: ActorSystem, Action: "held_back", Code: AuditHeldBack,
				Params: AuditParams{Template: template, Recipient: rcpt, Count: n, Max: c.autoPerHour}})
		}
	}
	item := &OutboxItem{TicketID: t.ID, TicketRef: t.Ref, Channel: ch, Recipient: rcpt, Template: template,
		Language: t.Language, Data: data, Status: OutboxPending, CreatedAt: now, NextAttemptAt: now, Key: key, Automatic: automatic}
	if err := tx.queue(item); err != nil {
		return fmt.Errorf("queue %s for %s: %w", template, t.Ref, err)
	}
	return nil
}

// enqueueAlone queues an automatic message to rcpt on no ticket
// (TemplateReceived), so nothing of a ticket goes with it: no reference in
// its subject, no threading under a ticket's mail, no requester's name.
// Mail is held to the hourly cap on automatic mail as any other: it
// returns how many automatic messages went to rcpt in the last hour
// before this one, and queues nothing when that is the cap already. An
// item whose key was queued before is dropped.
func (c *core) enqueueAlone(tx *writeTx, ch Channel, rcpt, language, template, key string, data MessageData) (int, error) {
	now := c.clock.Now()
	n := 0
	if ch == ChannelEmail {
		var err error
		if n, err = tx.CountAutomatic(rcpt, now.Add(-time.Hour)); err != nil {
			return 0, err
		}
		if n >= c.autoPerHour {
			return n, nil
		}
	}
	item := &OutboxItem{Channel: ch, Recipient: rcpt, Template: template, Language: language, Data: data,
		Status: OutboxPending, CreatedAt: now, NextAttemptAt: now, Key: key, Automatic: true}
	if err := tx.queue(item); err != nil {
		return 0, fmt.Errorf("queue %s for %s: %w", template, rcpt, err)
	}
	return n, nil
}

// messageData is the snapshot a template writes from. An account the desk
// took from the order's record is not written to the requester: whoever
// knows an order number does not learn its account from the desk.
func (c *core) messageData(t *Ticket) MessageData {
	d := MessageData{Ref: t.Ref, Kind: t.Kind, Status: t.Status, Account: t.Account, Order: t.Order, Reason: t.Reason,
		Verdict: t.Eligibility.Verdict, Amount: t.Eligibility.RefundAmount, Currency: t.Eligibility.Currency,
		Missing: c.missing(t)}
	if t.Sources.Of(FieldSourceAccount) == SourceRecord {
		d.Account = ""
	}
	if t.ApprovedAmount != nil {
		d.Amount = *t.ApprovedAmount
	}
	for _, r := range t.Eligibility.Rules {
		if r.Outcome != OutcomePass {
			// The requester may not be the order's owner (an account that
			// differs from the record's): the owner's account is not theirs
			// to learn from the desk.
			r.Params.OrderAccount = ""
			d.Explanation = append(d.Explanation, r)
		}
	}
	return d
}

// missing lists what the requester still has to give: order, order_unknown
// (given but not on record), account (also when the desk took it from the
// order's record: the requester has not named it), reason, evidence.
func (c *core) missing(t *Ticket) []string {
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
	if t.Account == "" || t.Sources.Of(FieldSourceAccount) == SourceRecord {
		out = append(out, "account")
	}
	if t.Reason == "" {
		out = append(out, "reason")
	}
	if len(t.Evidence) == 0 && c.evidenceRequired(t.Reason) {
		out = append(out, "evidence")
	}
	return out
}

func (c *core) evidenceRequired(r Reason) bool {
	switch r {
	case ReasonUnderDelivery:
		return c.policy.UnderDelivery.RequireEvidence
	case ReasonTechnicalError:
		return c.policy.TechnicalError.RequireEvidence
	case ReasonDuplicateCharge:
		return c.policy.DuplicateCharge.RequireEvidence
	}
	return false
}
