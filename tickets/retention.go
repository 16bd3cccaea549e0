package tickets

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// Retention removes what closed tickets keep once its time is up
// ([retention] in the config): a closed ticket's evidence files, then its
// conversation, then the ticket itself, each so long after the ticket was
// closed. It goes a batch of tickets per transaction, and one instance at a
// time does it (the store's lease RetentionLease): what a batch removed is
// gone, counted and written down together, or not at all.
//
// A ticket is closed when its status is one of ClosedStatuses, and its time
// runs from when it entered that status (Ticket.StatusChangedAt). A ticket
// reopened since is not closed, and keeps everything; closed again, its
// time starts again.
//
// Two more parts are on no ticket: what the desk sent on no ticket (the
// "received" answers, RetainOutbox) goes the messages' time after it was
// sent, and the records of mails set aside (RetainSetAside) go their own
// time after they were set aside.

// RetentionStore removes what closed tickets keep once its time is up.
type RetentionStore interface {
	// RemoveRetained removes, in one transaction, one part (b.Part) of up
	// to b.Limit tickets that entered a closed status before b.ClosedBefore
	// and still have something of that part, in ticket order, and says
	// what it removed:
	//   - RetainEvidence: the tickets' links to their evidence files, and
	//     the files no other ticket links to any more; an audit entry
	//     AuditRetention on each ticket;
	//   - RetainMessages: the tickets' messages, their details (the first
	//     message's words, Ticket.Details) and the copies of what was sent
	//     (the outbox's sent and failed items), the search text written
	//     again from what remains; an audit entry AuditRetentionMessages
	//     on each ticket that lost messages or details, and only those
	//     count in Tickets: a ticket whose conversation went before, and
	//     that since only had a copy of something sent, loses that copy
	//     (Outbox) and is not counted or written on again;
	//   - RetainTickets: the tickets and everything that hangs on them
	//     (flags, evidence links and the files no other ticket has,
	//     messages, audit trail, intake keys, outbox, cards, follow-ups,
	//     search text); tickets that followed one (Ticket.ParentRef) no
	//     longer point to it. The dashboard's kept counts stay as they are;
	//   - RetainOutbox: up to b.Limit outbox items on no ticket, sent (or,
	//     failed, last tried) before b.ClosedBefore, in id order;
	//   - RetainSetAside: up to b.Limit records of inbound items set aside
	//     before b.ClosedBefore (the mails themselves are not the store's).
	// Every batch that removed something is recorded, in counts only, in
	// the store's retention log (RetentionLog). On PostgreSQL the tickets
	// are locked, and those another transaction holds are left for the
	// next batch, so two removals side by side never take the same ticket.
	RemoveRetained(ctx context.Context, b RetentionBatch) (RetentionRemoved, error)
	// RetentionDue counts what removing b.Part of every ticket closed in
	// [b.ClosedAfter, b.ClosedBefore) would remove (b.Limit is not used),
	// and changes nothing. Blobs counts the files only those tickets link.
	RetentionDue(ctx context.Context, b RetentionBatch) (RetentionRemoved, error)
	// RetentionLog lists the retention log, newest first.
	RetentionLog(ctx context.Context, limit int) ([]RetentionRecord, error)
	// CompactRetained is done after a run that removed words (messages or
	// whole tickets): what the store still keeps of them outside any row
	// (SQLite's search index segments, its write-ahead log) goes too. It
	// may take a while on a large store, holding the write lock.
	CompactRetained(ctx context.Context) error
}

// RetentionPart is what retention removes from a closed ticket.
type RetentionPart string

const (
	RetainEvidence RetentionPart = "evidence" // its evidence files
	RetainMessages RetentionPart = "messages" // its conversation
	RetainTickets  RetentionPart = "tickets"  // the ticket itself, with all it holds
	// RetainOutbox is what was sent on no ticket (the "received" answers,
	// TemplateReceived): it goes RetentionRules.Messages after it was sent.
	RetainOutbox RetentionPart = "outbox"
	// RetainSetAside is the records of inbound items set aside
	// (InboundFailure): they go RetentionRules.SetAside after.
	RetainSetAside RetentionPart = "set_aside"
)

// RetentionParts are the parts in the order a run removes them: whole
// tickets first, so that what goes with them is not removed piece by piece
// before; then what is on no ticket.
var RetentionParts = []RetentionPart{RetainTickets, RetainMessages, RetainEvidence, RetainOutbox, RetainSetAside}

// onTickets says whether a part is taken from closed tickets (its time
// runs from their closing).
func (p RetentionPart) onTickets() bool {
	return p == RetainTickets || p == RetainMessages || p == RetainEvidence
}

// ClosedStatuses are the statuses a ticket's retention time runs in: the
// final ones (Status.Open is false). A denied ticket is not among them: its
// requester's next request on the order joins it, and an agent closes it
// when the matter is over.
var ClosedStatuses = []Status{StatusResolved, StatusClosed}

// The audit codes retention writes on a ticket (in AuditCodes): counts
// only, never what was removed.
const (
	AuditRetention         = "retention"          // removed by retention: Count evidence files, Size bytes
	AuditRetentionMessages = "retention_messages" // removed by retention: Count messages, and what was sent
)

// RetentionLease is the name of the lease that lets one instance at a time
// run retention.
const RetentionLease = "retention"

// RetentionRules say how long a closed ticket keeps what it holds, from
// when it was closed; 0 keeps it for ever.
type RetentionRules struct {
	Evidence time.Duration // its evidence files
	Messages time.Duration // its conversation
	Tickets  time.Duration // the ticket itself, and everything with it
	// SetAside is how long the record of an inbound item set aside is
	// kept, from when it was set aside.
	SetAside time.Duration
	// Batch is how many tickets (or items on no ticket) one transaction
	// takes (default 100).
	Batch int
	// Lease is how long a run holds the retention lease without renewing
	// it (default 5 minutes); it renews it before every batch.
	Lease time.Duration
}

// DefaultRetentionBatch is RetentionRules.Batch's default.
const DefaultRetentionBatch = 100

// MaxRetentionBatch is the most tickets one transaction may take.
const MaxRetentionBatch = 10000

// Enabled says whether the rules remove anything at all.
func (r RetentionRules) Enabled() bool {
	return r.Evidence > 0 || r.Messages > 0 || r.Tickets > 0 || r.SetAside > 0
}

// Age is how long after closing a part goes (0: never); for the parts on
// no ticket, how long after it was sent or set aside.
func (r RetentionRules) Age(p RetentionPart) time.Duration {
	switch p {
	case RetainEvidence:
		return r.Evidence
	case RetainMessages, RetainOutbox:
		return r.Messages
	case RetainTickets:
		return r.Tickets
	case RetainSetAside:
		return r.SetAside
	}
	return 0
}

// RetentionBatch is one removal (see RetentionStore).
type RetentionBatch struct {
	Part RetentionPart
	// ClosedBefore: the tickets that entered a closed status before this
	// (RetainOutbox: the items sent before it; RetainSetAside: the records
	// set aside before it).
	ClosedBefore time.Time
	// ClosedAfter, when set, leaves out the tickets closed before it
	// (RetentionDue: those a later part of the same run takes whole).
	ClosedAfter time.Time
	Limit       int
	// Now is when it happens: the audit entries' and the log's time.
	Now time.Time
}

// RetentionRemoved says what a removal removed (or, from RetentionDue,
// would remove).
type RetentionRemoved struct {
	Part RetentionPart `json:"part"`
	// Tickets are the tickets it took: whole tickets for RetainTickets,
	// the tickets that lost their evidence, or their messages and details,
	// otherwise.
	Tickets  int `json:"tickets"`
	Evidence int `json:"evidence"` // links of tickets to evidence files
	// Blobs are the stored files removed, Bytes their size: a file another
	// ticket still links to stays for it.
	Blobs    int   `json:"blobs"`
	Bytes    int64 `json:"bytes"`
	Messages int   `json:"messages"`
	Outbox   int   `json:"outbox"`    // outbox items: what was sent
	SetAside int   `json:"set_aside"` // records of inbound items set aside
}

// Empty says whether nothing was removed.
func (r RetentionRemoved) Empty() bool {
	return r.Tickets == 0 && r.Evidence == 0 && r.Blobs == 0 && r.Messages == 0 && r.Outbox == 0 && r.SetAside == 0
}

// add adds o's counts to r's.
func (r *RetentionRemoved) add(o RetentionRemoved) {
	r.Tickets += o.Tickets
	r.Evidence += o.Evidence
	r.Blobs += o.Blobs
	r.Bytes += o.Bytes
	r.Messages += o.Messages
	r.Outbox += o.Outbox
	r.SetAside += o.SetAside
}

// Count is the figure the metrics count a part by: evidence files,
// messages, whole tickets, outbox items on no ticket, or records of mails
// set aside.
func (r RetentionRemoved) Count() int {
	switch r.Part {
	case RetainEvidence:
		return r.Evidence
	case RetainMessages:
		return r.Messages
	case RetainOutbox:
		return r.Outbox
	case RetainSetAside:
		return r.SetAside
	}
	return r.Tickets
}

// RetentionRecord is one row of the retention log: a batch, in counts.
type RetentionRecord struct {
	At           time.Time `json:"at"`
	ClosedBefore time.Time `json:"closed_before"`
	RetentionRemoved
}

// RetentionRun is what one run removed (or, dry, would remove), part by
// part in RetentionParts' order; parts the rules keep for ever are left
// out.
type RetentionRun struct {
	Parts []RetentionRemoved `json:"parts"`
	// Batches counts the transactions that removed something.
	Batches int `json:"batches"`
}

// Part returns the counts of one part (zero when it was not run).
func (r *RetentionRun) Part(p RetentionPart) RetentionRemoved {
	for _, x := range r.Parts {
		if x.Part == p {
			return x
		}
	}
	return RetentionRemoved{Part: p}
}

// RetentionEntry is the audit entry retention writes on a ticket that lost
// its evidence (count files of size bytes) or its messages (count of
// them): counts only.
func RetentionEntry(p RetentionPart, count int, size int64, at time.Time) AuditEntry {
	if p == RetainMessages {
		return AuditEntry{At: at, Actor: ActorSystem, Action: AuditRetention, Code: AuditRetentionMessages,
			Params: AuditParams{Count: count}}
	}
	return AuditEntry{At: at, Actor: ActorSystem, Action: AuditRetention, Code: AuditRetention,
		Params: AuditParams{Count: count, Size: size}}
}

// Retention runs the rules over a store.
type Retention struct {
	store Store
	clock Clock
	rules RetentionRules
	log   *slog.Logger
}

// NewRetention returns retention by rules over store; a nil clock is the
// system's, a nil logger logs nothing.
func NewRetention(store Store, clock Clock, rules RetentionRules, log *slog.Logger) *Retention {
	if clock == nil {
		clock = SystemClock{}
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if rules.Batch <= 0 {
		rules.Batch = DefaultRetentionBatch
	}
	if rules.Lease <= 0 {
		rules.Lease = 5 * time.Minute
	}
	return &Retention{store: store, clock: clock, rules: rules, log: log}
}

// Rules are the rules in force.
func (r *Retention) Rules() RetentionRules { return r.rules }

// cutoff is the time before which a ticket's closing makes a part due,
// as of now.
func (r *Retention) cutoff(p RetentionPart, now time.Time) time.Time {
	return now.Add(-r.rules.Age(p))
}

// Run removes everything that is due, part by part (RetentionParts), a
// batch per transaction, while holder holds the retention lease: it takes
// the lease, renews it before each batch, and gives it up at the end.
// Each batch runs with a deadline at its lease's end, so no batch commits
// after another instance could have taken the lease over. onBatch, when
// set, hears of each batch that removed something, once it has committed.
// When another instance holds the lease, Run removes nothing and returns a
// conflict (retention.busy). When ctx ends, the batch in hand is finished
// and Run returns what was committed, with ctx's error.
func (r *Retention) Run(ctx context.Context, holder string, onBatch func(RetentionRemoved)) (*RetentionRun, error) {
	run := &RetentionRun{}
	if !r.rules.Enabled() {
		return run, nil
	}
	now := r.clock.Now()
	ok, err := r.store.AcquireLease(ctx, RetentionLease, holder, now, r.rules.Lease)
	if err != nil {
		return run, fmt.Errorf("retention: %w", err)
	}
	if !ok {
		return run, conflict("retention.busy")
	}
	defer func() {
		if err := r.store.ReleaseLease(context.WithoutCancel(ctx), RetentionLease, holder); err != nil {
			r.log.Warn("retention: give up the lease", slog.Any("error", err))
		}
	}()
	// However the run ends, words it removed leave what the store still
	// keeps of them outside the rows.
	finish := func(err error) (*RetentionRun, error) {
		if run.Part(RetainMessages).Messages == 0 && run.Part(RetainTickets).Tickets == 0 {
			return run, err
		}
		if cerr := r.store.CompactRetained(context.WithoutCancel(ctx)); cerr != nil {
			err = errors.Join(err, fmt.Errorf("retention: compact: %w", cerr))
		}
		return run, err
	}
	for _, p := range RetentionParts {
		if r.rules.Age(p) <= 0 {
			continue
		}
		total := RetentionRemoved{Part: p}
		before := r.cutoff(p, now)
		for {
			if err := ctx.Err(); err != nil {
				run.Parts = append(run.Parts, total)
				return finish(fmt.Errorf("retention: %w", err))
			}
			renewed := r.clock.Now()
			ok, err := r.store.AcquireLease(ctx, RetentionLease, holder, renewed, r.rules.Lease)
			if err == nil && !ok {
				err = conflict("retention.busy")
			}
			if err != nil {
				run.Parts = append(run.Parts, total)
				return finish(fmt.Errorf("retention: renew the lease: %w", err))
			}
			got, err := r.batch(ctx, RetentionBatch{Part: p, ClosedBefore: before, Limit: r.rules.Batch, Now: renewed},
				renewed.Add(r.rules.Lease))
			if err != nil {
				run.Parts = append(run.Parts, total)
				return finish(fmt.Errorf("retention of %s: %w", p, err))
			}
			if !got.Empty() {
				total.add(got)
				run.Batches++
				r.log.Info("retention removed", slog.String("part", string(p)), slog.Int("tickets", got.Tickets),
					slog.Int("evidence", got.Evidence), slog.Int("blobs", got.Blobs), slog.Int64("bytes", got.Bytes),
					slog.Int("messages", got.Messages), slog.Int("outbox", got.Outbox), slog.Int("set_aside", got.SetAside))
				if onBatch != nil {
					onBatch(got)
				}
			}
			// A batch takes only what still has something to remove, so
			// one that removed nothing was the last.
			if got.Empty() {
				break
			}
		}
		run.Parts = append(run.Parts, total)
	}
	return finish(nil)
}

// batch runs one removal with a deadline at the lease's end. A batch
// begun is finished when ctx ends (a shutdown): it is short, and the lease
// still bounds it.
func (r *Retention) batch(ctx context.Context, b RetentionBatch, leaseEnd time.Time) (RetentionRemoved, error) {
	bctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), leaseEnd.Sub(r.clock.Now()))
	defer cancel()
	got, err := r.store.RemoveRetained(bctx, b)
	if err != nil && errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
		err = fmt.Errorf("the batch outlasted the lease (%s), and was undone: %w", r.rules.Lease, err)
	}
	got.Part = b.Part
	return got, err
}

// Due says what a run now would remove, part by part, and changes nothing.
func (r *Retention) Due(ctx context.Context) (*RetentionRun, error) {
	run := &RetentionRun{}
	now := r.clock.Now()
	var after time.Time // the tickets a part before takes whole
	for _, p := range RetentionParts {
		age := r.rules.Age(p)
		if age <= 0 {
			continue
		}
		b := RetentionBatch{Part: p, ClosedBefore: r.cutoff(p, now), Now: now}
		if p.onTickets() && p != RetainTickets {
			b.ClosedAfter = after
		}
		got, err := r.store.RetentionDue(ctx, b)
		if err != nil {
			return run, fmt.Errorf("retention due of %s: %w", p, err)
		}
		got.Part = p
		run.Parts = append(run.Parts, got)
		if p == RetainTickets {
			after = b.ClosedBefore
		}
	}
	return run, nil
}

// RunEvery runs retention (Run) every interval until ctx ends; onRun hears
// how each run went. A run another instance holds the lease for is
// reported with its conflict (retention.busy) and tried again after the
// interval.
func (r *Retention) RunEvery(ctx context.Context, holder string, interval time.Duration, onBatch func(RetentionRemoved),
	onRun func(*RetentionRun, error)) {
	for ctx.Err() == nil {
		run, err := r.Run(ctx, holder, onBatch)
		if onRun != nil && ctx.Err() == nil {
			onRun(run, err)
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

// Log lists the retention log, newest first.
func (r *Retention) Log(ctx context.Context, limit int) ([]RetentionRecord, error) {
	if limit <= 0 || limit > MaxPageSize {
		return nil, Invalid("limit", "limit.out_of_range", "Max", MaxPageSize, "Default", DefaultPageSize, "Value", limit)
	}
	return r.store.RetentionLog(ctx, limit)
}
