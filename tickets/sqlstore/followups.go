package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"refunddesk/tickets"
)

const followupColumns = `id, ticket_id, kind, due_at, status, result, result_code, result_params, done_at`

type followupRow struct {
	ID       int64        `db:"id"`
	TicketID int64        `db:"ticket_id"`
	Kind     string       `db:"kind"`
	DueAt    time.Time    `db:"due_at"`
	Status   string       `db:"status"`
	Result   string       `db:"result"`
	Code     string       `db:"result_code"`
	Params   string       `db:"result_params"`
	DoneAt   sql.NullTime `db:"done_at"`
}

func followups(rows []followupRow) ([]tickets.Followup, error) {
	out := make([]tickets.Followup, 0, len(rows))
	for _, r := range rows {
		f := tickets.Followup{ID: r.ID, TicketID: r.TicketID, TicketRef: tickets.FormatRef(r.TicketID),
			Kind: tickets.FollowupKind(r.Kind), DueAt: r.DueAt.UTC(), Status: r.Status, Code: r.Code, Result: r.Result,
			DoneAt: timePtr(r.DoneAt)}
		if err := readParams(r.Params, &f.Params); err != nil {
			return nil, fmt.Errorf("follow-up %d: %w", r.ID, err)
		}
		out = append(out, f)
	}
	return out, nil
}

// ScheduleFollowups makes want a ticket's pending follow-ups (see tickets.Tx).
func (t *Tx) ScheduleFollowups(ticketID int64, want []tickets.Followup, now time.Time) error {
	var pending []followupRow
	if t.unscheduled[ticketID] {
		// Created in this transaction, and none scheduled yet: it has none.
		delete(t.unscheduled, ticketID)
	} else if err := t.sel(&pending, `SELECT `+followupColumns+` FROM followups WHERE ticket_id = ? AND status = 'pending'`, ticketID); err != nil {
		return fmt.Errorf("pending follow-ups: %w", err)
	}
	same := func(r followupRow, f tickets.Followup) bool {
		return r.Kind == string(f.Kind) && r.DueAt.Equal(f.DueAt)
	}
	for _, r := range pending {
		if slices.ContainsFunc(want, func(f tickets.Followup) bool { return same(r, f) }) {
			continue
		}
		if _, err := t.exec(`UPDATE followups SET status = 'cancelled', result = '', result_code = ?, result_params = '',
			done_at = ?, lease_until = NULL WHERE id = ?`, tickets.FollowupTicketMoved, now.UTC(), r.ID); err != nil {
			return fmt.Errorf("cancel follow-up %d: %w", r.ID, err)
		}
	}
	// The new ones in one statement. A follow-up cancelled earlier and due
	// again at the same time is pending again; one already done stays done.
	var rows []string
	var args []any
	for i, f := range want {
		if slices.ContainsFunc(pending, func(r followupRow) bool { return same(r, f) }) ||
			slices.ContainsFunc(want[:i], func(e tickets.Followup) bool { return e.Kind == f.Kind && e.DueAt.Equal(f.DueAt) }) {
			continue // (PostgreSQL refuses a row twice in one INSERT … ON CONFLICT)
		}
		rows = append(rows, "(?, ?, ?, 'pending', ?)")
		args = append(args, ticketID, string(f.Kind), f.DueAt.UTC(), now.UTC())
	}
	if len(rows) == 0 {
		return nil
	}
	if _, err := t.exec(`INSERT INTO followups (ticket_id, kind, due_at, status, created_at) VALUES `+strings.Join(rows, ", ")+`
		ON CONFLICT (ticket_id, kind, due_at) DO UPDATE SET status = 'pending', result = '', result_code = '', result_params = '', done_at = NULL
		WHERE followups.status = 'cancelled'`, args...); err != nil {
		return fmt.Errorf("schedule follow-ups: %w", err)
	}
	return nil
}

// FinishFollowup marks a pending follow-up done or cancelled, with its
// code and params.
func (t *Tx) FinishFollowup(id int64, status, code string, p tickets.AuditParams, now time.Time) error {
	params, err := writeParams(code, p)
	if err != nil {
		return fmt.Errorf("finish follow-up %d: %w", id, err)
	}
	res, err := t.exec(`UPDATE followups SET status = ?, result = '', result_code = ?, result_params = ?, done_at = ?, lease_until = NULL
		WHERE id = ? AND status = 'pending'`, status, code, params, now.UTC(), id)
	if err != nil {
		return fmt.Errorf("finish follow-up %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return fmt.Errorf("follow-up %d: %w", id, tickets.ErrFollowupTaken)
	}
	return nil
}

// ticketFollowups lists a ticket's follow-ups in the order they are due.
func (t *Tx) ticketFollowups(ticketID int64) ([]tickets.Followup, error) {
	var rows []followupRow
	if err := t.sel(&rows, `SELECT `+followupColumns+` FROM followups WHERE ticket_id = ? ORDER BY due_at, id`, ticketID); err != nil {
		return nil, fmt.Errorf("follow-ups: %w", err)
	}
	return followups(rows)
}

// ClaimFollowups leases due follow-ups to one worker (see tickets.Store).
// On PostgreSQL, rows another worker is claiming are skipped, not waited for.
func (d *DB) ClaimFollowups(ctx context.Context, limit int, now, leaseUntil time.Time) ([]tickets.Followup, error) {
	lock := ""
	if d.dialect == Postgres {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	q := `UPDATE followups SET lease_until = ?
		WHERE id IN (SELECT f.id FROM followups f
			WHERE f.status = 'pending' AND f.due_at <= ? AND (f.lease_until IS NULL OR f.lease_until < ?)
			ORDER BY f.due_at, f.id LIMIT ?` + lock + `)
		RETURNING ` + followupColumns
	var rows []followupRow
	err := d.Update(ctx, func(txi tickets.Tx) error {
		return txi.(*Tx).sel(&rows, q, leaseUntil.UTC(), now.UTC(), now.UTC(), limit)
	})
	if err != nil {
		return nil, fmt.Errorf("claim follow-ups: %w", err)
	}
	slices.SortFunc(rows, func(a, b followupRow) int {
		return cmp.Or(a.DueAt.Compare(b.DueAt), cmp.Compare(a.ID, b.ID))
	})
	return followups(rows)
}

// ListFollowups lists follow-ups: pending ones soonest first, others newest first.
func (d *DB) ListFollowups(ctx context.Context, f tickets.FollowupFilter) ([]tickets.Followup, error) {
	q := `SELECT ` + followupColumns + ` FROM followups`
	var args []any
	switch {
	case f.TicketID != 0 && f.Status != "":
		q += ` WHERE ticket_id = ? AND status = ? ORDER BY due_at, id`
		args = append(args, f.TicketID, f.Status)
	case f.TicketID != 0:
		q += ` WHERE ticket_id = ? ORDER BY due_at, id`
		args = append(args, f.TicketID)
	case f.Status == tickets.FollowupPending:
		q += ` WHERE status = 'pending' ORDER BY due_at, id`
	case f.Status != "":
		q += ` WHERE status = ? ORDER BY id DESC`
		args = append(args, f.Status)
	default:
		q += ` ORDER BY id DESC`
	}
	q += ` LIMIT ?`
	args = append(args, f.Limit)
	var rows []followupRow
	if err := d.db.SelectContext(ctx, &rows, d.rebind(q), args...); err != nil {
		return nil, fmt.Errorf("list follow-ups: %w", err)
	}
	return followups(rows)
}

// Stats counts what the metrics show. Each count walks an index: tickets by
// status the status index, the outbox only its unsent and failed items,
// follow-ups only the pending ones that are due.
func (d *DB) Stats(ctx context.Context, now time.Time, firstResponse time.Duration) (*tickets.Stats, error) {
	st := &tickets.Stats{TicketsByStatus: map[tickets.Status]int{}, Outbox: map[tickets.Channel]map[string]int{},
		FollowupsDue: map[tickets.FollowupKind]int{}}
	err := d.View(ctx, func(txi tickets.Tx) error {
		tx := txi.(*Tx)
		if err := tx.ticketsByStatus(st); err != nil {
			return err
		}
		if err := tx.overdue(st, now.Add(-firstResponse).UTC()); err != nil {
			return err
		}
		if err := tx.outboxCounts(st); err != nil {
			return err
		}
		if err := tx.followupsDue(st, now.UTC()); err != nil {
			return err
		}
		return tx.get(&st.Failures, `SELECT COUNT(*) FROM inbound_failures`)
	})
	if err != nil {
		return nil, fmt.Errorf("stats: %w", err)
	}
	return st, nil
}

func (t *Tx) ticketsByStatus(st *tickets.Stats) error {
	var rows []struct {
		Key string `db:"k"`
		N   int    `db:"n"`
	}
	if err := t.sel(&rows, `SELECT status AS k, COUNT(*) AS n FROM tickets GROUP BY status`); err != nil {
		return fmt.Errorf("tickets by status: %w", err)
	}
	for _, r := range rows {
		st.TicketsByStatus[tickets.Status(r.Key)] = r.N
	}
	return nil
}

// overdue counts the tickets waiting for an agent since before since.
func (t *Tx) overdue(st *tickets.Stats, since time.Time) error {
	// tickets_overdue's condition, word for word: the count reads that
	// small covering index. SQLite would rather range over
	// tickets_waiting and look every ticket up (12 times slower on
	// 1,000,000 tickets), hence INDEXED BY there.
	from := "tickets"
	if t.db.dialect == SQLite {
		from = "tickets INDEXED BY tickets_overdue"
	}
	if err := t.get(&st.Overdue, `SELECT COUNT(*) FROM `+from+` WHERE status IN ('new', 'in_review') AND waiting_since IS NOT NULL AND waiting_since < ?`,
		since); err != nil {
		return fmt.Errorf("overdue: %w", err)
	}
	return nil
}

// outboxCounts counts the outbox's unsent and failed items by channel and status.
func (t *Tx) outboxCounts(st *tickets.Stats) error {
	var rows []struct {
		Channel string `db:"channel"`
		Status  string `db:"status"`
		N       int    `db:"n"`
	}
	if err := t.sel(&rows, `SELECT channel, status, COUNT(*) AS n FROM outbox WHERE status IN ('pending', 'sending', 'failed')
		GROUP BY channel, status`); err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	for _, r := range rows {
		ch := tickets.Channel(r.Channel)
		if st.Outbox[ch] == nil {
			st.Outbox[ch] = map[string]int{}
		}
		st.Outbox[ch][r.Status] = r.N
	}
	return nil
}

// followupsDue counts the pending follow-ups due by now, by kind, and
// finds when the oldest was due.
func (t *Tx) followupsDue(st *tickets.Stats, now time.Time) error {
	var due []struct {
		Kind string `db:"kind"`
		N    int    `db:"n"`
	}
	if err := t.sel(&due, `SELECT kind, COUNT(*) AS n FROM followups WHERE status = 'pending' AND due_at <= ? GROUP BY kind`,
		now); err != nil {
		return fmt.Errorf("follow-ups due: %w", err)
	}
	for _, r := range due {
		st.FollowupsDue[tickets.FollowupKind(r.Kind)] = r.N
	}
	if len(due) == 0 {
		return nil
	}
	// A column, not MIN(): SQLite gives an aggregate no type.
	var oldest []time.Time
	if err := t.sel(&oldest, `SELECT due_at FROM followups WHERE status = 'pending' AND due_at <= ? ORDER BY due_at LIMIT 1`, now); err != nil {
		return fmt.Errorf("oldest follow-up due: %w", err)
	}
	if len(oldest) == 1 {
		st.OldestDue = oldest[0].UTC()
	}
	return nil
}

// AcquireLease takes or renews the lease called name for holder until
// now+ttl: it is granted when nobody holds it, holder already does, or the
// last holder's time ran out (see tickets.Store).
func (d *DB) AcquireLease(ctx context.Context, name, holder string, now time.Time, ttl time.Duration) (bool, error) {
	res, err := d.exec(ctx, `INSERT INTO leases (name, holder, until, acquired_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, until = excluded.until,
			acquired_at = CASE WHEN leases.holder = excluded.holder THEN leases.acquired_at ELSE excluded.acquired_at END
		WHERE leases.holder = excluded.holder OR leases.until < excluded.acquired_at`,
		name, holder, now.Add(ttl).UTC(), now.UTC())
	if err != nil {
		return false, fmt.Errorf("lease %s: %w", name, err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// ReleaseLease gives up holder's lease, so another instance need not wait
// for it to run out.
func (d *DB) ReleaseLease(ctx context.Context, name, holder string) error {
	if _, err := d.exec(ctx, `DELETE FROM leases WHERE name = ? AND holder = ?`, name, holder); err != nil {
		return fmt.Errorf("release lease %s: %w", name, err)
	}
	return nil
}

// TicketIDs lists tickets in some statuses, in ticket order, after a cursor.
func (d *DB) TicketIDs(ctx context.Context, statuses []tickets.Status, after int64, limit int) ([]int64, error) {
	q, args, err := sqlx.In(`SELECT id FROM tickets WHERE status IN (?) AND id > ? ORDER BY id LIMIT ?`, statuses, after, limit)
	if err != nil {
		return nil, err
	}
	var ids []int64
	if err := d.db.SelectContext(ctx, &ids, d.rebind(q), args...); err != nil {
		return nil, fmt.Errorf("ticket ids: %w", err)
	}
	return ids, nil
}
