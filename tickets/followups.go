package tickets

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"
)

// FollowupKind names what the desk does by itself when a ticket has waited
// long enough in its status.
type FollowupKind string

const (
	// FollowupRemind and FollowupRemindAgain remind a requester who was
	// asked for information (needs_info) and has not answered.
	FollowupRemind      FollowupKind = "remind"
	FollowupRemindAgain FollowupKind = "remind_again"
	// FollowupAutoClose closes a needs_info ticket after the silence, telling
	// the requester how to reopen it.
	FollowupAutoClose FollowupKind = "auto_close"
	// FollowupEscalate tells the agents that a ticket waiting on them (new,
	// in_review) is past the first-response target.
	FollowupEscalate FollowupKind = "escalate"
	// FollowupPlatformUpdate tells the requester of a revocation waiting on
	// the platform that it is still in progress.
	FollowupPlatformUpdate FollowupKind = "platform_update"
	// FollowupPlatformEscalate tells the agents that the platform has not
	// answered a forwarded ticket.
	FollowupPlatformEscalate FollowupKind = "platform_escalate"
	// FollowupMarkPaid reminds the agents to resolve an approved refund once
	// the money is paid.
	FollowupMarkPaid FollowupKind = "mark_paid"
)

// FollowupKinds lists every kind, in the order a ticket meets them.
var FollowupKinds = []FollowupKind{FollowupRemind, FollowupRemindAgain, FollowupAutoClose, FollowupEscalate,
	FollowupPlatformUpdate, FollowupPlatformEscalate, FollowupMarkPaid}

// Follow-up states.
const (
	FollowupPending   = "pending"
	FollowupDone      = "done"
	FollowupCancelled = "cancelled" // the ticket moved before it was due
)

// Followup is one thing due on a ticket at a time. It is stored with the
// ticket, rescheduled in the same transaction as every change of the
// ticket, and done (its effect and its "done" committed together) once.
type Followup struct {
	ID        int64        `json:"id"`
	TicketID  int64        `json:"-"`
	TicketRef string       `json:"ticket"`
	Kind      FollowupKind `json:"kind"`
	DueAt     time.Time    `json:"due_at"`
	Status    string       `json:"status"`
	DoneAt    *time.Time   `json:"done_at,omitempty"`
	// Code says what was done (an audit code: AuditReminded, …) or why it
	// was cancelled (FollowupCancelCodes), Params what it speaks of. Result
	// is words the domain never writes: a follow-up finished before codes
	// has only them and keeps them; an edge that shows it fills them in
	// through the catalog (templates.Catalog.FollowupResult).
	Code   string      `json:"code,omitempty"`
	Params AuditParams `json:"params,omitzero"`
	Result string      `json:"result,omitempty"`
}

// Why a follow-up was cancelled (Followup.Code of a cancelled one;
// followup.<code> in the message catalog).
const (
	FollowupNoLongerDue = "no_longer_due" // the ticket moved, or the rules changed
	FollowupSuperseded  = "superseded"    // a later one of its chain (Params.Followup) is due too
	FollowupTicketMoved = "ticket_moved"  // rescheduled away when the ticket changed
)

// FollowupCancelCodes are every code of a cancelled follow-up, sorted.
var FollowupCancelCodes = []string{FollowupNoLongerDue, FollowupSuperseded, FollowupTicketMoved}

// FollowupRules say how long a ticket waits in a status before each
// follow-up; the first-response escalation uses SLA.FirstResponse.
type FollowupRules struct {
	Remind      time.Duration // needs_info: first reminder (48 h)
	RemindAgain time.Duration // needs_info: second reminder (5 days)
	AutoClose   time.Duration // needs_info: close (7 days)
	// PlatformUpdate: a revocation waiting on the platform; tell the
	// requester it is in progress (3 days).
	PlatformUpdate time.Duration
	// PlatformEscalate: anything waiting on the platform; tell the agents (7 days).
	PlatformEscalate time.Duration
	// MarkPaid: an approved refund not resolved; remind the agents (5 days).
	MarkPaid time.Duration
}

// DefaultFollowupRules are the desk's defaults.
func DefaultFollowupRules() FollowupRules {
	day := 24 * time.Hour
	return FollowupRules{Remind: 48 * time.Hour, RemindAgain: 5 * day, AutoClose: 7 * day,
		PlatformUpdate: 3 * day, PlatformEscalate: 7 * day, MarkPaid: 5 * day}
}

func (r *FollowupRules) fill() {
	def := DefaultFollowupRules()
	for _, p := range []struct{ v, d *time.Duration }{{&r.Remind, &def.Remind}, {&r.RemindAgain, &def.RemindAgain},
		{&r.AutoClose, &def.AutoClose}, {&r.PlatformUpdate, &def.PlatformUpdate},
		{&r.PlatformEscalate, &def.PlatformEscalate}, {&r.MarkPaid, &def.MarkPaid}} {
		if *p.v <= 0 {
			*p.v = *p.d
		}
	}
}

// Followups are what the desk does by itself when a ticket has waited
// long enough in its status: remind the requester, close after the
// silence, tell the agents, tell the requester the platform is on it.
// Every change of a ticket schedules its follow-ups again, in the same
// transaction; Run does what is due.
type Followups struct{ *core }

// Rules returns when follow-ups come due.
func (f *Followups) Rules() FollowupRules { return f.followups }

// Schedule is what is due on a ticket as it is now. Every clock starts when
// the ticket entered its status, except the first-response one, which every
// agent action restarts (WaitingSince). A ticket that moves gets a new
// schedule: what is no longer in it is cancelled.
func (f *Followups) Schedule(t *Ticket) []Followup { return f.schedule(t) }

func (c *core) schedule(t *Ticket) []Followup {
	r := c.followups
	at := func(k FollowupKind, from time.Time, d time.Duration) Followup {
		return Followup{TicketID: t.ID, TicketRef: t.Ref, Kind: k, DueAt: from.Add(d), Status: FollowupPending}
	}
	since := t.StatusChangedAt
	switch t.Status {
	case StatusNeedsInfo:
		return []Followup{at(FollowupRemind, since, r.Remind), at(FollowupRemindAgain, since, r.RemindAgain),
			at(FollowupAutoClose, since, r.AutoClose)}
	case StatusNew, StatusInReview:
		if t.WaitingSince != nil {
			return []Followup{at(FollowupEscalate, *t.WaitingSince, c.sla.FirstResponse)}
		}
	case StatusWaitingPlatform:
		out := []Followup{at(FollowupPlatformEscalate, since, r.PlatformEscalate)}
		if t.Kind == KindRevocation {
			out = append([]Followup{at(FollowupPlatformUpdate, since, r.PlatformUpdate)}, out...)
		}
		return out
	case StatusApproved:
		return []Followup{at(FollowupMarkPaid, since, r.MarkPaid)}
	}
	return nil
}

// FollowupStats counts what a run did.
type FollowupStats struct {
	Done      int `json:"done"`
	Cancelled int `json:"cancelled"` // no longer due: the ticket had moved
	Skipped   int `json:"skipped"`   // another worker did it first
}

// ErrFollowupTaken is the store's answer when a follow-up is no longer
// pending: another worker did it, or the ticket moved, first.
var ErrFollowupTaken = fmt.Errorf("follow-up no longer pending: %w", ErrConflict)

// Run does the follow-ups due now, up to limit: each in its own
// transaction, with its effect (a message in the outbox, a status change,
// an alert to the agents, an audit entry). Several workers may run side by
// side: a claim leases follow-ups to one of them, and a follow-up is marked
// done in the transaction of its effect, only if still pending, so none is
// done twice even when a lease runs out. When ctx ends, the follow-up in
// hand is finished and the rest are left for the next run (their lease runs
// out). One that fails is left for later too; the others go on.
func (f *Followups) Run(ctx context.Context, limit int) (FollowupStats, error) {
	var st FollowupStats
	now := f.clock.Now()
	due, err := f.store.ClaimFollowups(ctx, limit, now, now.Add(5*time.Minute))
	if err != nil {
		return st, err
	}
	work := context.WithoutCancel(ctx)
	var errs []error
	for _, fu := range due {
		if ctx.Err() != nil {
			break
		}
		cancelled, err := f.runOne(work, fu, now)
		switch {
		case errors.Is(err, ErrFollowupTaken):
			st.Skipped++
		case err != nil:
			f.log.Error("follow-up failed; it will be tried again", slog.String("ticket", fu.TicketRef),
				slog.String("kind", string(fu.Kind)), slog.Any("error", err))
			errs = append(errs, err)
		case cancelled:
			st.Cancelled++
		default:
			st.Done++
			f.log.Info("follow-up done", slog.String("ticket", fu.TicketRef), slog.String("kind", string(fu.Kind)))
		}
	}
	return st, errors.Join(errs...)
}

// runOne does one follow-up in its own transaction, or cancels it (and
// says so) when it is not due.
func (f *Followups) runOne(ctx context.Context, fu Followup, now time.Time) (cancelled bool, err error) {
	err = f.update(ctx, func(tx *writeTx) error {
		cancelled = false
		t, err := tx.Ticket(fu.TicketID)
		if err != nil {
			return err
		}
		if why, p, moved := f.notDue(t, fu, now); why != "" {
			// The ticket moved, the rules changed, or a later
			// follow-up of the same chain is due too (a run was
			// missed): this one is not done. The ticket's schedule is
			// written again, so that what the rules say now is there.
			cancelled = true
			if err := tx.FinishFollowup(fu.ID, FollowupCancelled, why, p, now); err != nil || !moved {
				return err
			}
			return tx.ScheduleFollowups(t.ID, f.schedule(t), now)
		}
		result, err := f.do(tx, t, fu, now)
		if err != nil {
			return fmt.Errorf("%s on %s: %w", fu.Kind, t.Ref, err)
		}
		if err := tx.FinishFollowup(fu.ID, FollowupDone, result.Code, result.Params, now); err != nil {
			return err
		}
		if fu.Kind == FollowupAutoClose {
			// The ticket was closed: once this follow-up is done, what
			// depended on the ticket follows.
			return f.changed(tx, t)
		}
		return nil
	})
	return cancelled, err
}

// RunEvery does what is due, then again every interval, until ctx ends;
// onRun hears of each run. A full batch is followed at once by the next,
// so a backlog does not wait an interval per batch.
func (f *Followups) RunEvery(ctx context.Context, interval time.Duration, onRun func(FollowupStats, error)) {
	const batch = 100
	for {
		st, err := f.Run(ctx, batch)
		if onRun != nil {
			onRun(st, err)
		}
		if st.Done+st.Cancelled+st.Skipped == batch && ctx.Err() == nil {
			continue
		}
		t := time.NewTimer(interval)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
}

// notDue says why f is not to be done on t now (a FollowupCancelCodes
// code and its params; "" when it is), and whether the ticket's schedule
// has moved away from it.
func (c *core) notDue(t *Ticket, f Followup, now time.Time) (string, AuditParams, bool) {
	sched := c.schedule(t)
	if !slices.ContainsFunc(sched, func(w Followup) bool { return w.Kind == f.Kind && w.DueAt.Equal(f.DueAt) }) {
		return FollowupNoLongerDue, AuditParams{}, true
	}
	// A reminder is not sent when a later step of its chain is due as well.
	later := map[FollowupKind][]FollowupKind{FollowupRemind: {FollowupRemindAgain, FollowupAutoClose}, FollowupRemindAgain: {FollowupAutoClose}}
	for _, w := range sched {
		if slices.Contains(later[f.Kind], w.Kind) && !w.DueAt.After(now) {
			return FollowupSuperseded, AuditParams{Followup: w.Kind}, false
		}
	}
	return "", AuditParams{}, false
}

// Reconcile writes the schedule of every ticket in a status that has
// follow-ups, as the rules say now: tickets from before follow-ups existed
// get theirs, and a change of the rules moves what is pending. Serve runs
// it at start; it goes a batch of tickets per transaction.
func (f *Followups) Reconcile(ctx context.Context) (int, error) {
	statuses := []Status{StatusNew, StatusNeedsInfo, StatusInReview, StatusWaitingPlatform, StatusApproved}
	var after int64
	n := 0
	for {
		ids, err := f.store.TicketIDs(ctx, statuses, after, 200)
		if err != nil || len(ids) == 0 {
			return n, err
		}
		now := f.clock.Now()
		err = f.store.Update(ctx, func(tx Tx) error {
			for _, id := range ids {
				t, err := tx.Ticket(id)
				if err != nil {
					return err
				}
				if err := tx.ScheduleFollowups(id, f.schedule(t), now); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return n, fmt.Errorf("schedule follow-ups: %w", err)
		}
		n += len(ids)
		after = ids[len(ids)-1]
	}
}

// do carries out one follow-up and says what it did: the code and params
// of its audit entry.
func (f *Followups) do(tx *writeTx, t *Ticket, fu Followup, now time.Time) (AuditEntry, error) {
	key := fmt.Sprintf("followup:%d", fu.ID)
	audit := func(e AuditEntry) (AuditEntry, error) {
		e.At, e.Actor = now, ActorSystem
		return e, tx.AddAudit(t.ID, e)
	}
	switch fu.Kind {
	case FollowupRemind, FollowupRemindAgain:
		return f.remind(tx, t, key, audit)
	case FollowupAutoClose:
		from, waited := t.Status, now.Sub(t.StatusChangedAt)
		setStatus(t, StatusClosed, now)
		t.InfoRequested = false
		t.UpdatedAt = now
		e, err := audit(AuditEntry{Action: "auto_close", FromStatus: from, ToStatus: StatusClosed, Code: AuditAutoClosed,
			Params: AuditParams{Waited: waited, Window: f.sla.ReopenWindow}})
		if err != nil {
			return e, err
		}
		if err := tx.SaveTicket(t); err != nil {
			return e, err
		}
		return e, f.notifyAuto(tx, t, TemplateAutoClosed, key, f.messageData(t))
	case FollowupPlatformUpdate:
		if err := f.notifyAuto(tx, t, TemplateStillInProgress, key, f.messageData(t)); err != nil {
			return AuditEntry{}, err
		}
		return audit(AuditEntry{Action: "progress_update", Code: AuditProgressUpdate})
	case FollowupEscalate, FollowupPlatformEscalate, FollowupMarkPaid:
		a := f.escalation(t, fu.Kind, now)
		e, err := audit(AuditEntry{Action: "escalated", Code: AuditEscalated, Params: AuditParams{Alert: &a}})
		if err != nil {
			return e, err
		}
		return e, f.alertAgents(tx, t, key, a, now)
	}
	return AuditEntry{}, fmt.Errorf("unknown follow-up kind %q", fu.Kind)
}

// remind reminds a requester who was asked for information; when an agent
// asked, the reminder repeats the question.
func (f *Followups) remind(tx *writeTx, t *Ticket, key string, audit func(AuditEntry) (AuditEntry, error)) (AuditEntry, error) {
	if _, _, ok := route(t); !ok {
		return audit(AuditEntry{Action: "not_reminded", Code: AuditNotReminded})
	}
	data := f.messageData(t)
	if t.InfoRequested {
		d, err := tx.Detail(t.ID)
		if err != nil {
			return AuditEntry{}, err
		}
		for _, m := range d.Messages {
			if m.Kind == MessageOut {
				data.Text = m.Body
			}
		}
	}
	if err := f.notifyAuto(tx, t, TemplateReminder, key, data); err != nil {
		return AuditEntry{}, err
	}
	return audit(AuditEntry{Action: "reminded", Code: AuditReminded, Params: AuditParams{Since: t.StatusChangedAt.UTC()}})
}

// escalation says why a ticket needs the agents.
func (c *core) escalation(t *Ticket, k FollowupKind, now time.Time) Alert {
	switch k {
	case FollowupEscalate:
		since := t.StatusChangedAt
		if t.WaitingSince != nil {
			since = *t.WaitingSince
		}
		return Alert{Code: AlertWaitingAgent, Ref: t.Ref, Waited: now.Sub(since), Target: c.sla.FirstResponse}
	case FollowupPlatformEscalate:
		return Alert{Code: AlertWaitingPlatform, Ref: t.Ref, Waited: now.Sub(t.StatusChangedAt)}
	default:
		return Alert{Code: AlertNotResolved, Ref: t.Ref, Waited: now.Sub(t.StatusChangedAt)}
	}
}

// alertAgents queues an alert on each of the agents' alert channels, in
// its code: the channel writes it at send time. Keys are unique in the
// outbox: the first channel's item takes key, the others add their
// channel's name to it.
func (c *core) alertAgents(tx *writeTx, t *Ticket, key string, a Alert, now time.Time) error {
	for i, ch := range c.alerts {
		k := key
		if i > 0 {
			k = key + ":" + string(ch)
		}
		if err := tx.queue(&OutboxItem{TicketID: t.ID, TicketRef: t.Ref, Channel: ch, Template: TemplateAlert,
			Data: MessageData{Ref: t.Ref, Status: t.Status, Alert: &a}, Status: OutboxPending, CreatedAt: now,
			NextAttemptAt: now, Key: k, Automatic: true}); err != nil {
			return err
		}
	}
	return nil
}

// FollowupFilter selects follow-ups to list.
type FollowupFilter struct {
	Status   string // pending, done, cancelled; empty: all
	TicketID int64
	Limit    int
}

// List lists follow-ups: pending ones soonest first, others newest first.
func (f *Followups) List(ctx context.Context, filter FollowupFilter) ([]Followup, error) {
	switch filter.Status {
	case "", FollowupPending, FollowupDone, FollowupCancelled:
	default:
		return nil, Invalid("status", "status.not_followup", "Value", string(filter.Status))
	}
	if filter.Limit <= 0 {
		filter.Limit = DefaultPageSize
	}
	if filter.Limit > MaxPageSize {
		return nil, Invalid("limit", "limit.too_big", "Max", MaxPageSize)
	}
	return f.store.ListFollowups(ctx, filter)
}
