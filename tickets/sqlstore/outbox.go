package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"refunddesk/tickets"
)

// ClaimOutbox leases due items to one sender (see tickets.Store). The
// "status IN" condition is outbox_claim's: the claim walks only unsent items,
// however many have been sent. On
// PostgreSQL, instances claim side by side: rows another sender is claiming
// are skipped, not waited for.
func (d *DB) ClaimOutbox(ctx context.Context, ch tickets.Channel, limit int, now, leaseUntil time.Time) ([]tickets.OutboxItem, error) {
	lock := ""
	if d.dialect == Postgres {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	q := `UPDATE outbox SET status = 'sending', lease_until = ?, attempts = attempts + 1
		WHERE id IN (SELECT o.id FROM outbox o
			WHERE o.channel = ? AND o.status IN ('pending', 'sending') AND ((o.status = 'pending' AND o.next_attempt_at <= ?) OR (o.status = 'sending' AND o.lease_until < ?))
			AND NOT EXISTS (SELECT 1 FROM outbox e WHERE e.ticket_id = o.ticket_id AND e.channel = o.channel AND e.id < o.id
				AND e.status IN ('pending', 'sending'))
			ORDER BY o.id LIMIT ?` + lock + `)
		RETURNING ` + outboxColumns + `, lease_until`
	var rows []claimedRow
	err := d.Update(ctx, func(txi tickets.Tx) error {
		tx := txi.(*Tx)
		return tx.sel(&rows, q, leaseUntil.UTC(), string(ch), now.UTC(), now.UTC(), limit)
	})
	if err != nil {
		return nil, fmt.Errorf("claim outbox: %w", err)
	}
	// RETURNING gives no order; the sender sends in queue order.
	slices.SortFunc(rows, func(a, b claimedRow) int { return cmp.Compare(a.ID, b.ID) })
	out := make([]tickets.OutboxItem, 0, len(rows))
	for i := range rows {
		it, err := rows[i].item()
		if err != nil {
			return nil, err
		}
		// The lease as stored (PostgreSQL keeps microseconds): the token
		// FinishOutbox compares.
		it.LeaseUntil = rows[i].LeaseUntil.UTC()
		out = append(out, it)
	}
	return out, nil
}

// claimedRow is an outbox row as a claim returns it, with its lease. The
// lease's end is its token: a claim takes an item that is pending, or whose
// lease ended before now, and gives it a lease ending after now, so every
// claim of an item writes a later lease_until than the one before.
type claimedRow struct {
	outboxRow
	LeaseUntil time.Time `db:"lease_until"`
}

func outboxItems(rows []outboxRow) ([]tickets.OutboxItem, error) {
	out := make([]tickets.OutboxItem, 0, len(rows))
	for i := range rows {
		it, err := rows[i].item()
		if err != nil {
			return nil, err
		}
		out = append(out, it)
	}
	return out, nil
}

// FinishOutbox records a delivery attempt on an item the caller holds:
// each update is conditional on the item being still sending under the
// lease the caller's claim gave it (lease_until as claimed), so a sender
// whose lease another claim replaced changes nothing (see tickets.Store).
func (d *DB) FinishOutbox(ctx context.Context, id int64, lease time.Time, r tickets.OutboxResult, now time.Time) error {
	var q string
	var args []any
	switch {
	case r.Sent:
		q = `UPDATE outbox SET status = 'sent', sent_at = ?, external_id = ?, last_error = '', lease_until = NULL
			WHERE id = ? AND status = 'sending' AND lease_until = ?`
		args = []any{now.UTC(), r.ExternalID, id, lease.UTC()}
	case r.Deferred:
		// Not tried: the claim's attempt is taken back and the item is due
		// as before; the reason it waits is its last error.
		q = `UPDATE outbox SET status = 'pending', last_error = COALESCE(NULLIF(?, ''), last_error),
			attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END, lease_until = NULL
			WHERE id = ? AND status = 'sending' AND lease_until = ?`
		args = []any{r.Err, id, lease.UTC()}
	case r.Permanent:
		q = `UPDATE outbox SET status = 'failed', last_error = ?, lease_until = NULL
			WHERE id = ? AND status = 'sending' AND lease_until = ?`
		args = []any{r.Err, id, lease.UTC()}
	default:
		retry := r.RetryAt
		if retry.IsZero() {
			retry = now.Add(time.Minute)
		}
		q = `UPDATE outbox SET status = 'pending', last_error = ?, next_attempt_at = ?, lease_until = NULL
			WHERE id = ? AND status = 'sending' AND lease_until = ?`
		args = []any{r.Err, retry.UTC(), id, lease.UTC()}
	}
	return d.Update(ctx, func(txi tickets.Tx) error {
		res, err := txi.(*Tx).exec(q, args...)
		if err != nil {
			return fmt.Errorf("finish outbox %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return fmt.Errorf("outbox %d is not held under this lease (it ran out and another sender claimed the item, or it was finished): %w",
				id, tickets.ErrConflict)
		}
		return nil
	})
}

// OutboxItem loads one outbox item.
func (t *Tx) OutboxItem(id int64) (*tickets.OutboxItem, error) {
	var r outboxRow
	err := t.get(&r, `SELECT `+outboxColumns+` FROM outbox WHERE id = ?`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, tickets.NotFound("outbox.not_found", "ID", id)
	}
	if err != nil {
		return nil, fmt.Errorf("outbox item %d: %w", id, err)
	}
	it, err := r.item()
	if err != nil {
		return nil, err
	}
	return &it, nil
}

// OutboxByKey loads the outbox item queued with an idempotency key.
func (t *Tx) OutboxByKey(key string) (*tickets.OutboxItem, error) {
	var r outboxRow
	err := t.get(&r, `SELECT `+outboxColumns+` FROM outbox WHERE dedupe_key = ?`, key)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("outbox item with key %q: %w", key, tickets.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("outbox item with key %q: %w", key, err)
	}
	it, err := r.item()
	if err != nil {
		return nil, err
	}
	return &it, nil
}

// FailedOutbox lists the ids of a channel's failed items, oldest first.
func (t *Tx) FailedOutbox(ch tickets.Channel) ([]int64, error) {
	var ids []int64
	if err := t.sel(&ids, `SELECT id FROM outbox WHERE status = 'failed' AND channel = ? ORDER BY id`, string(ch)); err != nil {
		return nil, fmt.Errorf("failed outbox items: %w", err)
	}
	return ids, nil
}

// RequeueOutbox puts a failed item back in the queue, due at now.
func (t *Tx) RequeueOutbox(id int64, now time.Time) error {
	res, err := t.exec(`UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = ?, lease_until = NULL
		WHERE id = ? AND status = 'failed'`, now.UTC(), id)
	if err != nil {
		return fmt.Errorf("requeue outbox %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return fmt.Errorf("outbox item %d is not failed: %w", id, tickets.ErrConflict)
	}
	return nil
}

// ListOutbox lists outbox items, newest first.
func (d *DB) ListOutbox(ctx context.Context, f tickets.OutboxFilter) ([]tickets.OutboxItem, error) {
	var conds []string
	var args []any
	if f.Status != "" {
		conds, args = append(conds, "status = ?"), append(args, f.Status)
	}
	if f.Channel != "" {
		conds, args = append(conds, "channel = ?"), append(args, string(f.Channel))
	}
	if f.Before > 0 {
		conds, args = append(conds, "id < ?"), append(args, f.Before)
	}
	q := `SELECT ` + outboxColumns + ` FROM outbox`
	if len(conds) > 0 {
		q += ` WHERE ` + strings.Join(conds, " AND ")
	}
	q += ` ORDER BY id DESC LIMIT ?`
	args = append(args, f.Limit)
	var rows []outboxRow
	if err := d.db.SelectContext(ctx, &rows, d.rebind(q), args...); err != nil {
		return nil, fmt.Errorf("list outbox: %w", err)
	}
	return outboxItems(rows)
}

// Cursor returns where an intake stopped.
func (d *DB) Cursor(ctx context.Context, name string) (tickets.Cursor, error) {
	var r struct {
		UIDValidity int64     `db:"uidvalidity"`
		LastUID     int64     `db:"last_uid"`
		UpdatedAt   time.Time `db:"updated_at"`
	}
	err := d.db.GetContext(ctx, &r, d.rebind(`SELECT uidvalidity, last_uid, updated_at FROM intake_cursors WHERE name = ?`), name)
	if errors.Is(err, sql.ErrNoRows) {
		return tickets.Cursor{}, fmt.Errorf("cursor %s: %w", name, tickets.ErrNotFound)
	}
	if err != nil {
		return tickets.Cursor{}, err
	}
	return tickets.Cursor{UIDValidity: uint32(r.UIDValidity), LastUID: uint32(r.LastUID), UpdatedAt: r.UpdatedAt.UTC()}, nil
}

// SetCursor records where an intake stopped.
func (d *DB) SetCursor(ctx context.Context, name string, c tickets.Cursor) error {
	_, err := d.exec(ctx, `INSERT INTO intake_cursors (name, uidvalidity, last_uid, updated_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET uidvalidity = excluded.uidvalidity, last_uid = excluded.last_uid, updated_at = excluded.updated_at`,
		name, int64(c.UIDValidity), int64(c.LastUID), c.UpdatedAt.UTC())
	if err != nil {
		return fmt.Errorf("set cursor %s: %w", name, err)
	}
	return nil
}

// Card returns where a ticket's agent card is.
func (d *DB) Card(ctx context.Context, ticketID int64) (channelID, messageID string, err error) {
	var r struct {
		Channel string `db:"channel_id"`
		Message string `db:"message_id"`
	}
	err = d.db.GetContext(ctx, &r, d.rebind(`SELECT channel_id, message_id FROM agent_cards WHERE ticket_id = ?`), ticketID)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", fmt.Errorf("card of %d: %w", ticketID, tickets.ErrNotFound)
	}
	return r.Channel, r.Message, err
}

// SetCard records where a ticket's agent card is.
func (d *DB) SetCard(ctx context.Context, ticketID int64, channelID, messageID string) error {
	_, err := d.exec(ctx, `INSERT INTO agent_cards (ticket_id, channel_id, message_id, updated_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (ticket_id) DO UPDATE SET channel_id = excluded.channel_id, message_id = excluded.message_id, updated_at = excluded.updated_at`,
		ticketID, channelID, messageID, d.clock.Now())
	return err
}

// RecordFailure keeps an inbound item that could not be taken in.
func (d *DB) RecordFailure(ctx context.Context, f tickets.InboundFailure) error {
	_, err := d.exec(ctx, `INSERT INTO inbound_failures (channel, item_key, source, sender, subject, size, reason, set_aside, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (item_key) DO NOTHING`,
		string(f.Channel), f.Key, f.Source, f.Sender, f.Subject, f.Size, f.Reason, f.SetAside, f.CreatedAt.UTC())
	if err != nil {
		return fmt.Errorf("record failure: %w", err)
	}
	return nil
}

// Failures lists inbound failures, newest first.
func (d *DB) Failures(ctx context.Context, limit int) ([]tickets.InboundFailure, error) {
	var rows []struct {
		ID        int64     `db:"id"`
		Channel   string    `db:"channel"`
		Key       string    `db:"item_key"`
		Source    string    `db:"source"`
		Sender    string    `db:"sender"`
		Subject   string    `db:"subject"`
		Size      int64     `db:"size"`
		Reason    string    `db:"reason"`
		SetAside  string    `db:"set_aside"`
		CreatedAt time.Time `db:"created_at"`
	}
	if err := d.db.SelectContext(ctx, &rows, d.rebind(`SELECT id, channel, item_key, source, sender, subject, size, reason, set_aside, created_at
		FROM inbound_failures ORDER BY id DESC LIMIT ?`), limit); err != nil {
		return nil, fmt.Errorf("failures: %w", err)
	}
	out := make([]tickets.InboundFailure, len(rows))
	for i, r := range rows {
		out[i] = tickets.InboundFailure{ID: r.ID, Channel: tickets.Channel(r.Channel), Key: r.Key, Source: r.Source, Sender: r.Sender,
			Subject: r.Subject, Size: r.Size, Reason: r.Reason, SetAside: r.SetAside, CreatedAt: r.CreatedAt.UTC()}
	}
	return out, nil
}
