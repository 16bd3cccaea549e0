package sqlstore

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jmoiron/sqlx"

	"refunddesk/tickets"
)

// Retention (tickets.RetentionStore): a batch of closed tickets at a time
// loses a part of what it holds, in one transaction with the audit entries
// and the log row that say so. Which tickets: those in a closed status
// (tickets.ClosedStatuses) since before the batch's time that still hold
// something of the part, so a batch done once is never done again, and a
// batch undone (a failed transaction) is done whole by the next. The parts
// on no ticket (outbox items, records of mails set aside) go the same way,
// by their own time.

// retentionDue is the WHERE of the tickets a batch may take, after the
// statuses' placeholders: closed before, and (optional) not before.
func retentionDue(b tickets.RetentionBatch) (string, []any) {
	q := `t.status IN (` + marks(len(tickets.ClosedStatuses)) + `) AND t.status_changed_at < ?`
	var args []any
	for _, st := range tickets.ClosedStatuses {
		args = append(args, string(st))
	}
	args = append(args, b.ClosedBefore.UTC())
	if !b.ClosedAfter.IsZero() {
		q += ` AND t.status_changed_at >= ?`
		args = append(args, b.ClosedAfter.UTC())
	}
	switch b.Part {
	case tickets.RetainEvidence:
		q += ` AND EXISTS (SELECT 1 FROM ticket_evidence e WHERE e.ticket_id = t.id)`
	case tickets.RetainMessages:
		q += ` AND (` + conversationLeft + `
			OR EXISTS (SELECT 1 FROM outbox o WHERE o.ticket_id = t.id AND o.status IN ('sent', 'failed')))`
	}
	return q, args
}

// conversationLeft says that a ticket t still has words of its
// conversation: messages, or its details (the first message's words).
// A ticket that has lost its conversation loses later copies of what was
// sent without being counted again (see tickets.RetentionStore).
const conversationLeft = `(t.details <> '' OR EXISTS (SELECT 1 FROM ticket_messages m WHERE m.ticket_id = t.id))`

// Outbox items on no ticket whose time is up: sent, or failed and last
// tried, before the placeholder's time.
const outboxAloneDue = `ticket_id IS NULL AND status IN ('sent', 'failed') AND COALESCE(sent_at, next_attempt_at) < ?`

func checkPart(p tickets.RetentionPart) error {
	if !slices.Contains(tickets.RetentionParts, p) {
		return fmt.Errorf("retention: no part %q", p)
	}
	return nil
}

// RemoveRetained removes one part of a batch of closed tickets (see
// tickets.RetentionStore).
func (d *DB) RemoveRetained(ctx context.Context, b tickets.RetentionBatch) (tickets.RetentionRemoved, error) {
	got := tickets.RetentionRemoved{Part: b.Part}
	if err := checkPart(b.Part); err != nil {
		return got, err
	}
	if b.Limit <= 0 {
		return got, fmt.Errorf("retention: a batch of %d tickets", b.Limit)
	}
	if b.Now.IsZero() {
		b.Now = d.clock.Now()
	}
	err := d.retentionUpdate(ctx, func(tx *Tx) error {
		got = tickets.RetentionRemoved{Part: b.Part}
		var err error
		switch b.Part {
		case tickets.RetainOutbox:
			err = tx.removeOutboxAlone(b, &got)
		case tickets.RetainSetAside:
			err = tx.removeSetAside(b, &got)
		default:
			err = tx.removeFromTickets(b, &got)
		}
		if err != nil || got.Empty() {
			return err
		}
		return tx.logRetention(b, got)
	})
	if err != nil {
		return tickets.RetentionRemoved{Part: b.Part}, fmt.Errorf("retention batch: %w", err)
	}
	return got, nil
}

// removeFromTickets removes a part of a batch of closed tickets.
func (t *Tx) removeFromTickets(b tickets.RetentionBatch, got *tickets.RetentionRemoved) error {
	ids, err := t.retentionTickets(b)
	if err != nil || len(ids) == 0 {
		return err
	}
	switch b.Part {
	case tickets.RetainEvidence:
		got.Tickets = len(ids)
		return t.removeEvidence(ids, b.Now, got)
	case tickets.RetainMessages:
		return t.removeMessages(ids, b.Now, got)
	case tickets.RetainTickets:
		got.Tickets = len(ids)
		return t.removeTickets(ids, got)
	}
	return nil
}

// pickRows picks up to limit ids of a table's rows (oldest first) for a
// removal; on PostgreSQL they are locked, and those another transaction
// holds are left for a later batch.
func (t *Tx) pickRows(table, cond string, args []any, limit int) ([]int64, error) {
	q := `SELECT id FROM ` + table + ` WHERE ` + cond + ` ORDER BY id LIMIT ?`
	if t.db.dialect == Postgres {
		q += ` FOR UPDATE SKIP LOCKED`
	}
	var ids []int64
	if err := t.sel(&ids, q, append(args, limit)...); err != nil {
		return nil, fmt.Errorf("%s due: %w", table, err)
	}
	return ids, nil
}

// removeOutboxAlone removes the outbox items on no ticket whose time is
// up (see tickets.RetainOutbox).
func (t *Tx) removeOutboxAlone(b tickets.RetentionBatch, got *tickets.RetentionRemoved) error {
	ids, err := t.pickRows("outbox", outboxAloneDue, []any{b.ClosedBefore.UTC()}, b.Limit)
	if err != nil || len(ids) == 0 {
		return err
	}
	if got.Outbox, err = t.execIn(`DELETE FROM outbox WHERE id IN (?)`, ids); err != nil {
		return fmt.Errorf("remove what was sent on no ticket: %w", err)
	}
	return nil
}

// removeSetAside removes the records of inbound items set aside before
// the batch's time (see tickets.RetainSetAside).
func (t *Tx) removeSetAside(b tickets.RetentionBatch, got *tickets.RetentionRemoved) error {
	ids, err := t.pickRows("inbound_failures", `created_at < ?`, []any{b.ClosedBefore.UTC()}, b.Limit)
	if err != nil || len(ids) == 0 {
		return err
	}
	if got.SetAside, err = t.execIn(`DELETE FROM inbound_failures WHERE id IN (?)`, ids); err != nil {
		return fmt.Errorf("remove the records of mails set aside: %w", err)
	}
	return nil
}

// retentionUpdate runs fn in one write transaction, as Update does. On
// SQLite it runs on a connection of its own with secure_delete on (as an
// erasure does, see EraseRequester): the rows and index entries it removes
// are overwritten with zeros in the pages it writes, not left in their
// free space.
func (d *DB) retentionUpdate(ctx context.Context, fn func(*Tx) error) error {
	if d.dialect != SQLite {
		return d.Update(ctx, func(txi tickets.Tx) error { return fn(txi.(*Tx)) })
	}
	_, sqltx, done, err := d.beginSecure(ctx)
	if err != nil {
		return fmt.Errorf("retention: %w", err)
	}
	defer done()
	tx := newTx(ctx, d, sqltx, true)
	if err := fn(tx); err != nil {
		return mapError(err)
	}
	if err := tx.flushStats(); err != nil {
		return mapError(err)
	}
	if err := tx.flushSearch(); err != nil {
		return mapError(err)
	}
	if err := sqltx.Commit(); err != nil {
		return mapError(fmt.Errorf("commit: %w", err))
	}
	d.written.Add(1)
	return nil
}

// CompactRetained merges SQLite's search index whole ('optimize'), with
// secure_delete on, and empties the write-ahead log into the file: FTS5
// keeps a removed row's words in its segments, under a tombstone, until
// they are merged. On PostgreSQL it does nothing: the old row versions
// wait for VACUUM (see tickets.RetentionStore).
func (d *DB) CompactRetained(ctx context.Context) error {
	if d.dialect != SQLite {
		return nil
	}
	conn, sqltx, done, err := d.beginSecure(ctx)
	if err != nil {
		return fmt.Errorf("retention: %w", err)
	}
	defer done()
	if _, err := sqltx.ExecContext(ctx, `INSERT INTO ticket_search (ticket_search) VALUES ('optimize')`); err != nil {
		return fmt.Errorf("retention: merge the search index: %w", err)
	}
	if err := sqltx.Commit(); err != nil {
		return mapError(fmt.Errorf("commit: %w", err))
	}
	d.written.Add(1)
	d.truncateWAL(ctx, conn)
	return nil
}

// retentionTickets picks the batch's tickets, in ticket order; on
// PostgreSQL they are locked, and those another transaction holds are left
// for a later batch (whose WHERE, checked again on the row as committed,
// leaves out a ticket reopened meanwhile).
func (t *Tx) retentionTickets(b tickets.RetentionBatch) ([]int64, error) {
	cond, args := retentionDue(b)
	q := `SELECT t.id FROM tickets t WHERE ` + cond + ` ORDER BY t.id LIMIT ?`
	if t.db.dialect == Postgres {
		q += ` FOR UPDATE OF t SKIP LOCKED`
	}
	var ids []int64
	if err := t.sel(&ids, q, append(args, b.Limit)...); err != nil {
		return nil, fmt.Errorf("tickets due: %w", err)
	}
	return ids, nil
}

// execIn runs a statement with one IN (?) list, unprepared: each length of
// the list is another statement.
func (t *Tx) execIn(query string, args ...any) (int, error) {
	q, a, err := sqlx.In(query, args...)
	if err != nil {
		return 0, err
	}
	res, err := t.tx.ExecContext(t.ctx, t.q(q), a...)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}

func (t *Tx) selIn(dest any, query string, args ...any) error {
	q, a, err := sqlx.In(query, args...)
	if err != nil {
		return err
	}
	return t.tx.SelectContext(t.ctx, dest, t.q(q), a...)
}

type retainedLink struct {
	TicketID int64  `db:"ticket_id"`
	SHA256   string `db:"sha256"`
	Size     int64  `db:"size"`
}

// removeEvidence unlinks the tickets' evidence, removes the files no
// other ticket links, and writes on each ticket how many files went.
func (t *Tx) removeEvidence(ids []int64, now time.Time, got *tickets.RetentionRemoved) error {
	var links []retainedLink
	if err := t.selIn(&links, `SELECT ticket_id, sha256, size FROM ticket_evidence WHERE ticket_id IN (?) ORDER BY id`, ids); err != nil {
		return fmt.Errorf("evidence of the batch: %w", err)
	}
	n, err := t.execIn(`DELETE FROM ticket_evidence WHERE ticket_id IN (?)`, ids)
	if err != nil {
		return fmt.Errorf("unlink evidence: %w", err)
	}
	got.Evidence = n
	if err := t.removeBlobs(links, got); err != nil {
		return err
	}
	type sum struct {
		n    int
		size int64
	}
	per := map[int64]*sum{}
	for _, l := range links {
		if per[l.TicketID] == nil {
			per[l.TicketID] = &sum{}
		}
		per[l.TicketID].n++
		per[l.TicketID].size += l.Size
	}
	for _, id := range ids {
		s := per[id]
		if s == nil {
			continue
		}
		if err := t.AddAudit(id, tickets.RetentionEntry(tickets.RetainEvidence, s.n, s.size, now)); err != nil {
			return err
		}
	}
	return nil
}

// removeBlobs removes the files of links that no ticket links to any more.
// On PostgreSQL the files are locked first, in order: two transactions
// that each unlinked one of a file's two tickets then see each other's
// unlinking, and the second removes it.
func (t *Tx) removeBlobs(links []retainedLink, got *tickets.RetentionRemoved) error {
	var sums []string
	for _, l := range links {
		sums = append(sums, l.SHA256)
	}
	slices.Sort(sums)
	sums = slices.Compact(sums)
	if len(sums) == 0 {
		return nil
	}
	// A batch's files may be many (tickets × files a ticket may have):
	// a thousand at a time, well within each database's bound on a
	// statement's values, in order.
	for chunk := range slices.Chunk(sums, 1000) {
		if t.db.dialect == Postgres {
			var locked []string
			if err := t.selIn(&locked, `SELECT sha256 FROM evidence_blobs WHERE sha256 IN (?) ORDER BY sha256 FOR UPDATE`, chunk); err != nil {
				return fmt.Errorf("lock evidence files: %w", err)
			}
		}
		var sizes []int64
		if err := t.selIn(&sizes, `DELETE FROM evidence_blobs WHERE sha256 IN (?)
			AND NOT EXISTS (SELECT 1 FROM ticket_evidence e WHERE e.sha256 = evidence_blobs.sha256) RETURNING size`, chunk); err != nil {
			return fmt.Errorf("remove evidence files: %w", err)
		}
		got.Blobs += len(sizes)
		for _, s := range sizes {
			got.Bytes += s
		}
	}
	return nil
}

// removeMessages removes the tickets' messages, their details and the
// copies of what was sent (sent and failed outbox items; one still to be
// sent stays), writes their search text again from what remains, and
// writes on each ticket that lost messages or details how many messages
// went. A ticket that had only a copy of something sent left (its
// conversation went before) is not counted or written on again.
func (t *Tx) removeMessages(ids []int64, now time.Time, got *tickets.RetentionRemoved) error {
	var counts []struct {
		TicketID int64 `db:"ticket_id"`
		N        int   `db:"n"`
	}
	if err := t.selIn(&counts, `SELECT ticket_id, COUNT(*) AS n FROM ticket_messages WHERE ticket_id IN (?) GROUP BY ticket_id`, ids); err != nil {
		return fmt.Errorf("messages of the batch: %w", err)
	}
	var worded []int64 // the tickets that still have details
	if err := t.selIn(&worded, `SELECT id FROM tickets WHERE id IN (?) AND details <> ''`, ids); err != nil {
		return fmt.Errorf("details of the batch: %w", err)
	}
	// The details are the first message's words: they go with it. The
	// version moves on, so an agent's change made on the ticket as it was
	// is refused (ticket.changed), not written back over.
	if len(worded) > 0 {
		if _, err := t.execIn(`UPDATE tickets SET details = '', version = version + 1 WHERE id IN (?)`, worded); err != nil {
			return fmt.Errorf("remove details: %w", err)
		}
	}
	n, err := t.execIn(`DELETE FROM ticket_messages WHERE ticket_id IN (?)`, ids)
	if err != nil {
		return fmt.Errorf("remove messages: %w", err)
	}
	got.Messages = n
	if got.Outbox, err = t.execIn(`DELETE FROM outbox WHERE ticket_id IN (?) AND status IN ('sent', 'failed')`, ids); err != nil {
		return fmt.Errorf("remove what was sent: %w", err)
	}
	per := map[int64]int{}
	lost := map[int64]bool{} // the tickets that lost words
	for _, c := range counts {
		per[c.TicketID] = c.N
		lost[c.TicketID] = true
	}
	for _, id := range worded {
		lost[id] = true
	}
	for _, id := range ids {
		if !lost[id] {
			continue // only a copy of something sent went
		}
		got.Tickets++
		t.dirty[id] = true
		if err := t.AddAudit(id, tickets.RetentionEntry(tickets.RetainMessages, per[id], 0, now)); err != nil {
			return err
		}
	}
	return nil
}

// retainedChildren are the tables whose rows hang on a ticket, removed
// before it.
var retainedChildren = []string{"ticket_flags", "ticket_messages", "ticket_audit", "intake_keys", "outbox", "agent_cards", "followups"}

// removeTickets removes whole tickets with everything that hangs on them.
// The dashboard's counts (stats_*) are not touched: the past they count
// stays as it was.
func (t *Tx) removeTickets(ids []int64, got *tickets.RetentionRemoved) error {
	var links []retainedLink
	if err := t.selIn(&links, `SELECT ticket_id, sha256, size FROM ticket_evidence WHERE ticket_id IN (?)`, ids); err != nil {
		return fmt.Errorf("evidence of the batch: %w", err)
	}
	n, err := t.execIn(`DELETE FROM ticket_evidence WHERE ticket_id IN (?)`, ids)
	if err != nil {
		return fmt.Errorf("unlink evidence: %w", err)
	}
	got.Evidence = n
	for _, table := range retainedChildren {
		n, err := t.execIn(`DELETE FROM `+table+` WHERE ticket_id IN (?)`, ids)
		if err != nil {
			return fmt.Errorf("remove %s: %w", table, err)
		}
		switch table {
		case "ticket_messages":
			got.Messages = n
		case "outbox":
			got.Outbox = n
		}
	}
	// A ticket that followed one of these (a request after the reopen
	// window) stays, and no longer points to it.
	if _, err := t.execIn(`UPDATE tickets SET parent_id = NULL WHERE parent_id IN (?)`, ids); err != nil {
		return fmt.Errorf("unlink follow-on tickets: %w", err)
	}
	if t.db.dialect == SQLite {
		if _, err := t.execIn(`DELETE FROM ticket_search WHERE rowid IN (?)`, ids); err != nil {
			return fmt.Errorf("remove search text: %w", err)
		}
	}
	if _, err := t.execIn(`DELETE FROM tickets WHERE id IN (?)`, ids); err != nil {
		return fmt.Errorf("remove tickets: %w", err)
	}
	for _, id := range ids {
		delete(t.dirty, id)
	}
	return t.removeBlobs(links, got)
}

// logRetention writes the batch in the retention log.
func (t *Tx) logRetention(b tickets.RetentionBatch, got tickets.RetentionRemoved) error {
	if _, err := t.exec(`INSERT INTO retention_log (at, part, closed_before, tickets, evidence, blobs, bytes, messages, outbox, set_aside)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, b.Now.UTC(), string(b.Part), b.ClosedBefore.UTC(), got.Tickets, got.Evidence,
		got.Blobs, got.Bytes, got.Messages, got.Outbox, got.SetAside); err != nil {
		return fmt.Errorf("retention log: %w", err)
	}
	return nil
}

// RetentionDue counts what removing a part of every ticket due would
// remove (see tickets.RetentionStore).
func (d *DB) RetentionDue(ctx context.Context, b tickets.RetentionBatch) (tickets.RetentionRemoved, error) {
	got := tickets.RetentionRemoved{Part: b.Part}
	if err := checkPart(b.Part); err != nil {
		return got, err
	}
	err := d.View(ctx, func(txi tickets.Tx) error {
		tx := txi.(*Tx)
		switch b.Part {
		case tickets.RetainOutbox:
			return tx.get(&got.Outbox, `SELECT COUNT(*) FROM outbox WHERE `+outboxAloneDue, b.ClosedBefore.UTC())
		case tickets.RetainSetAside:
			return tx.get(&got.SetAside, `SELECT COUNT(*) FROM inbound_failures WHERE created_at < ?`, b.ClosedBefore.UTC())
		}
		return tx.ticketsDue(b, &got)
	})
	if err != nil {
		return tickets.RetentionRemoved{Part: b.Part}, fmt.Errorf("retention due of %s: %w", b.Part, err)
	}
	return got, nil
}

// ticketsDue counts what removing a part of every closed ticket due would
// remove.
func (t *Tx) ticketsDue(b tickets.RetentionBatch, got *tickets.RetentionRemoved) error {
	cond, args := retentionDue(b)
	due := `SELECT t.id FROM tickets t WHERE ` + cond
	one := func(dest any, q string) error {
		return t.tx.GetContext(t.ctx, dest, t.q(q), args...)
	}
	var picked int
	if err := one(&picked, `SELECT COUNT(*) FROM (`+due+`) d`); err != nil {
		return err
	}
	if picked == 0 {
		return nil
	}
	got.Tickets = picked
	if b.Part == tickets.RetainMessages {
		// Counted: the tickets that lose words, not those that only lose
		// a copy of something sent.
		if err := one(&got.Tickets, `SELECT COUNT(*) FROM (`+due+` AND `+conversationLeft+`) d`); err != nil {
			return err
		}
	}
	if b.Part != tickets.RetainMessages {
		if err := one(&got.Evidence, `SELECT COUNT(*) FROM ticket_evidence WHERE ticket_id IN (`+due+`)`); err != nil {
			return err
		}
		// The files whose every link is on a ticket due.
		var blobs struct {
			N     int   `db:"n"`
			Bytes int64 `db:"bytes"`
		}
		q := `SELECT COUNT(*) AS n, CAST(COALESCE(SUM(b.size), 0) AS BIGINT) AS bytes FROM evidence_blobs b
			WHERE b.sha256 IN (SELECT sha256 FROM ticket_evidence WHERE ticket_id IN (` + due + `))
			AND NOT EXISTS (SELECT 1 FROM ticket_evidence e WHERE e.sha256 = b.sha256 AND e.ticket_id NOT IN (` + due + `))`
		if err := t.tx.GetContext(t.ctx, &blobs, t.q(q), append(slices.Clone(args), args...)...); err != nil {
			return err
		}
		got.Blobs, got.Bytes = blobs.N, blobs.Bytes
	}
	if b.Part == tickets.RetainEvidence {
		return nil
	}
	if err := one(&got.Messages, `SELECT COUNT(*) FROM ticket_messages WHERE ticket_id IN (`+due+`)`); err != nil {
		return err
	}
	outbox := `SELECT COUNT(*) FROM outbox WHERE ticket_id IN (` + due + `)`
	if b.Part == tickets.RetainMessages {
		outbox += ` AND status IN ('sent', 'failed')`
	}
	return one(&got.Outbox, outbox)
}

type retentionLogRow struct {
	At           time.Time `db:"at"`
	Part         string    `db:"part"`
	ClosedBefore time.Time `db:"closed_before"`
	Tickets      int       `db:"tickets"`
	Evidence     int       `db:"evidence"`
	Blobs        int       `db:"blobs"`
	Bytes        int64     `db:"bytes"`
	Messages     int       `db:"messages"`
	Outbox       int       `db:"outbox"`
	SetAside     int       `db:"set_aside"`
}

// RetentionLog lists the retention log, newest first.
func (d *DB) RetentionLog(ctx context.Context, limit int) ([]tickets.RetentionRecord, error) {
	var rows []retentionLogRow
	if err := d.db.SelectContext(ctx, &rows, d.rebind(`SELECT at, part, closed_before, tickets, evidence, blobs, bytes, messages, outbox, set_aside
		FROM retention_log ORDER BY id DESC LIMIT ?`), limit); err != nil {
		return nil, fmt.Errorf("retention log: %w", err)
	}
	out := make([]tickets.RetentionRecord, 0, len(rows))
	for _, r := range rows {
		rec := tickets.RetentionRecord{At: r.At.UTC(), ClosedBefore: r.ClosedBefore.UTC(),
			RetentionRemoved: tickets.RetentionRemoved{Part: tickets.RetentionPart(r.Part), Tickets: r.Tickets, Evidence: r.Evidence,
				Blobs: r.Blobs, Bytes: r.Bytes, Messages: r.Messages, Outbox: r.Outbox, SetAside: r.SetAside}}
		out = append(out, rec)
	}
	return out, nil
}
