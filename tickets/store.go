package tickets

import (
	"context"
	"time"
)

// Store keeps tickets and records. Implementations: tickets/sqlstore
// (SQLite and PostgreSQL).
type Store interface {
	// A requester's personal data: export (export.go), erasure (erase.go),
	// and the removal of old closed tickets' data (retention.go).
	ExportStore
	EraseStore
	RetentionStore

	// Update runs fn in one write transaction: everything fn writes is
	// committed together, or nothing when fn (or the commit) fails. A
	// uniqueness race with another writer comes back as ErrConflict, and the
	// caller may run fn again.
	Update(ctx context.Context, fn func(Tx) error) error
	// View runs fn in a read-only transaction.
	View(ctx context.Context, fn func(Tx) error) error
	// Group runs fn with a Store whose Update and View share one write
	// transaction, committed when fn returns nil; when fn or the commit
	// fails, none of it is. Each Update in it is undone alone when it fails.
	// Many small changes so pay for one commit. fn may call from several
	// goroutines; the calls take turns. Inside fn, writes must go through
	// the Store fn is given. The store may run fn a second time, from the
	// start and with nothing of the first run kept (a store that undoes a
	// failed change by running the group again): fn must be safe to run
	// twice, and what it returns is the last run's.
	Group(ctx context.Context, fn func(Store) error) error
	// Search returns a page of the tickets a query matches.
	Search(ctx context.Context, q *Query, opt SearchOptions) (*SearchResult, error)
	// ImportPromotions loads an export in one transaction: rows that are new
	// are inserted, changed ones updated, equal ones left alone, and the
	// undecided tickets of changed orders marked for re-evaluation. When
	// src.Err() reports bad rows, nothing is written.
	ImportPromotions(ctx context.Context, src *RowSource[PromotionRow]) (*ImportSummary, error)
	// ImportAuthorizations does the same for authorizations.
	ImportAuthorizations(ctx context.Context, src *RowSource[AuthorizationRow]) (*ImportSummary, error)
	// OlderKeys reports whether an idempotency key beginning with prefix
	// may have been recorded under an earlier scheme of its channel's keys
	// (see SubmitRequest.PreviousKeys): whether one was recorded before
	// the store reached the schema that came with today's schemes. A store
	// created since holds none, and the answer never changes from false.
	OlderKeys(ctx context.Context, prefix string) (bool, error)
	// StaleTickets returns up to limit tickets whose verdict must be computed again.
	StaleTickets(ctx context.Context, limit int) ([]int64, error)

	// ClaimOutbox leases up to limit due items of a channel to one sender
	// until leaseUntil: pending items whose time has come, and items whose
	// sender's lease ran out (it stopped mid-way). An item waits while an
	// earlier item of its ticket is unsent, so messages arrive in order.
	ClaimOutbox(ctx context.Context, channel Channel, limit int, now, leaseUntil time.Time) ([]OutboxItem, error)
	// FinishOutbox records what became of a claimed item, in one
	// conditional update: only while the item is still held under the
	// lease that claim gave it (lease, the claim's LeaseUntil); otherwise
	// (another sender claimed it since, or it was finished) it changes
	// nothing and returns ErrConflict. A deferred item (r.Deferred) goes
	// back to pending with its attempt uncounted and its next try unchanged.
	FinishOutbox(ctx context.Context, id int64, lease time.Time, r OutboxResult, now time.Time) error
	// ListOutbox lists outbox items, newest first.
	ListOutbox(ctx context.Context, f OutboxFilter) ([]OutboxItem, error)

	// Cursor returns where an intake stopped (ErrNotFound before its first run).
	Cursor(ctx context.Context, name string) (Cursor, error)
	// SetCursor records where an intake stopped.
	SetCursor(ctx context.Context, name string, c Cursor) error
	// RecordFailure keeps an inbound item that could not be taken in; the
	// same key again changes nothing.
	RecordFailure(ctx context.Context, f InboundFailure) error
	// Failures lists them, newest first.
	Failures(ctx context.Context, limit int) ([]InboundFailure, error)
	// ClaimFollowups leases up to limit due follow-ups (pending, due by now,
	// and not leased to another worker) to one worker until leaseUntil,
	// soonest first.
	ClaimFollowups(ctx context.Context, limit int, now, leaseUntil time.Time) ([]Followup, error)
	// TicketIDs lists, in ticket order, up to limit tickets in one of the
	// statuses whose id is above after.
	TicketIDs(ctx context.Context, statuses []Status, after int64, limit int) ([]int64, error)
	// ListFollowups lists follow-ups: pending ones soonest first, the
	// others newest first.
	ListFollowups(ctx context.Context, f FollowupFilter) ([]Followup, error)
	// Stats counts what the metrics show.
	Stats(ctx context.Context, now time.Time, firstResponse time.Duration) (*Stats, error)
	// PeriodStats counts the dashboard's figures over the tickets created
	// in a period (see StatsFilter), in a few grouped queries.
	PeriodStats(ctx context.Context, f StatsFilter) (*StatsCounts, error)
	// AcquireLease takes or renews the lease called name for holder until
	// now+ttl, and says whether holder has it: granted when nobody holds
	// it, holder already does, or the last holder's time ran out.
	AcquireLease(ctx context.Context, name, holder string, now time.Time, ttl time.Duration) (bool, error)
	// ReleaseLease gives up holder's lease.
	ReleaseLease(ctx context.Context, name, holder string) error
}

// Tx is what the domain does inside one transaction.
type Tx interface {
	// Ticket loads a ticket with its evidence and flags; in Update it is
	// locked until the transaction ends.
	Ticket(id int64) (*Ticket, error)
	// Detail loads the whole story of a ticket.
	Detail(id int64) (*TicketDetail, error)
	// TicketByKey finds the ticket an idempotency key was used for.
	TicketByKey(key string) (int64, error)
	// OpenTicket finds the open ticket of kind for an order (refunds) or an
	// account key (revocations).
	OpenTicket(kind Kind, order, accountKey string) (int64, error)
	// CreateTicket inserts t and sets its ID and Ref.
	CreateTicket(t *Ticket) error
	// SaveTicket writes every mutable field of t, its flags included.
	SaveTicket(t *Ticket) error
	// PutKey records that an idempotency key made (or joined) a ticket.
	PutKey(key string, ticketID int64) error
	// AddEvidence stores a file for a ticket; added is false when the ticket
	// already had the same bytes.
	AddEvidence(ticketID int64, blob EvidenceBlob) (added bool, err error)
	// EvidenceData returns the bytes of a stored file.
	EvidenceData(sha256 string) ([]byte, error)
	// AddMessage appends to a ticket's conversation and sets m.ID.
	AddMessage(ticketID int64, m *Message) error
	// AddAudit appends to a ticket's audit trail.
	AddAudit(ticketID int64, e AuditEntry) error
	// Enqueue puts a message in the outbox; an item whose Key was queued
	// before is dropped.
	Enqueue(item *OutboxItem) error
	// Promotion returns the record of an order.
	Promotion(order string) (*Promotion, error)
	// Twins returns the other orders of the same account, video and amount
	// created within window of p.
	Twins(p *Promotion, window time.Duration) ([]Promotion, error)
	// Authorizations returns an account's authorizations.
	Authorizations(accountKey string) ([]Authorization, error)
	// PromotionTickets lists the tickets linked to an order, newest first.
	PromotionTickets(order string) ([]Ticket, error)
	// OutboxItem loads one outbox item (ErrNotFound when there is none).
	OutboxItem(id int64) (*OutboxItem, error)
	// OutboxByKey loads the outbox item queued with an idempotency key
	// (ErrNotFound when there is none).
	OutboxByKey(key string) (*OutboxItem, error)
	// FailedOutbox lists the ids of a channel's failed items, oldest first.
	FailedOutbox(channel Channel) ([]int64, error)
	// RequeueOutbox puts a failed item back in the queue: pending, due at
	// now, its attempts counted from zero again. An item that is not failed
	// gives ErrConflict.
	RequeueOutbox(id int64, now time.Time) error
	// CountAutomatic counts the automatic messages queued for a recipient since a time.
	CountAutomatic(recipient string, since time.Time) (int, error)
	// CountCreated counts the tickets a requester (by mail address, any
	// case, or Discord id) opened since a time.
	CountCreated(r Requester, since time.Time) (int, error)
	// TicketByExternalID finds the ticket a message (by its id on its
	// channel, such as a Message-ID) belongs to.
	TicketByExternalID(externalID string) (int64, error)
	// ExternalIDs lists the ids of a ticket's inbound messages on a channel, oldest first.
	ExternalIDs(ticketID int64, channel Channel) ([]string, error)
	// TicketsByRequesterEmail lists the open tickets of a mail address.
	TicketsByRequesterEmail(email string) ([]int64, error)
	// ScheduleFollowups makes want the ticket's pending follow-ups: pending
	// ones not in it are cancelled, missing ones added; one already done
	// (same kind, same time) is not added again.
	ScheduleFollowups(ticketID int64, want []Followup, now time.Time) error
	// FinishFollowup marks a pending follow-up done or cancelled, with what
	// was done or why not (Followup.Code and Params); one that is no longer
	// pending gives ErrFollowupTaken.
	FinishFollowup(id int64, status, code string, p AuditParams, now time.Time) error
}

// Stats are the store's counts for the metrics.
type Stats struct {
	TicketsByStatus map[Status]int `json:"tickets_by_status"`
	// Overdue tickets have waited on agents past the first-response target.
	Overdue int `json:"overdue"`
	// Outbox counts unsent and failed items by channel and status.
	Outbox map[Channel]map[string]int `json:"outbox"`
	// FollowupsDue counts pending follow-ups whose time has come, by kind;
	// OldestDue is when the oldest of them was due (zero: none).
	FollowupsDue map[FollowupKind]int `json:"followups_due"`
	OldestDue    time.Time            `json:"oldest_due,omitzero"`
	// Failures counts inbound items set aside.
	Failures int `json:"inbound_failures"`
}

// SearchOptions bound a search.
type SearchOptions struct {
	Limit int    // page size; 0: DefaultPageSize
	After string // the Next cursor of the previous page
	Now   time.Time
	// FirstResponse is the target for agents' first response: overdue
	// tickets have waited longer.
	FirstResponse time.Duration
	// Requester, when set, keeps only this requester's tickets.
	Requester *Requester
}

// Page sizes.
const (
	DefaultPageSize = 50
	MaxPageSize     = 1000
)

// SearchResult is one page of tickets.
type SearchResult struct {
	Tickets []Ticket `json:"tickets"`
	Next    string   `json:"next,omitempty"` // cursor for the next page; empty on the last
}

// ImportSummary says what an import did.
type ImportSummary struct {
	File       string      `json:"file"`
	Read       int         `json:"read"`
	Inserted   int         `json:"inserted"`
	Updated    int         `json:"updated"`
	Unchanged  int         `json:"unchanged"`
	Skipped    int         `json:"skipped"`
	SkippedRow []LineError `json:"skipped_rows,omitempty"`
	// Reevaluated counts the tickets whose verdict was computed again.
	Reevaluated int           `json:"reevaluated"`
	Duration    time.Duration `json:"-"`
}

// Clock tells the time; tests move it.
type Clock interface{ Now() time.Time }

// SystemClock is the real time, in UTC to the microsecond (what both
// databases keep).
type SystemClock struct{}

// Now returns the current time.
func (SystemClock) Now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }
