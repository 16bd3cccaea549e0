package sqlstore

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"refunddesk/tickets"
)

// A requester's export (tickets.ExportStore): one read-only transaction
// finds their tickets by address (requester_email_key) or Discord id,
// reads each one's story as Detail does, what they wrote on tickets that
// are not theirs, the messages queued to them on no ticket and their mails
// set aside, and streams the evidence's bytes in pieces while it is open.

// evidenceChunk is how much of a stored file one read takes.
const evidenceChunk = 1 << 20

// ExportRequester reads what the desk keeps about a requester and calls fn
// with it inside the transaction (see tickets.ExportStore).
func (d *DB) ExportRequester(ctx context.Context, who tickets.Requester, fn func(*tickets.RequesterRecords, tickets.OpenEvidence) error) error {
	// One snapshot for every query: SQLite's read transaction is one;
	// PostgreSQL's READ COMMITTED would take a new one at each statement.
	opts := &sql.TxOptions{ReadOnly: true}
	if d.dialect == Postgres {
		opts.Isolation = sql.LevelRepeatableRead
	}
	sqltx, err := d.db.BeginTxx(ctx, opts)
	if err != nil {
		return mapError(fmt.Errorf("begin: %w", err))
	}
	defer sqltx.Rollback()
	tx := newTx(ctx, d, sqltx, false)
	rec, err := tx.requesterRecords(who)
	if err != nil {
		return err
	}
	return fn(rec, tx.openEvidence)
}

// requesterRecords reads everything about who: the person as erasure
// finds them (requesterIdentity), then what each of their contacts has.
func (t *Tx) requesterRecords(who tickets.Requester) (*tickets.RequesterRecords, error) {
	rec := &tickets.RequesterRecords{Tickets: []tickets.TicketDetail{}, Elsewhere: []tickets.ForeignNote{},
		Outbox: []tickets.OutboxItem{}, SetAside: []tickets.InboundFailure{}}
	id, ids, err := t.requesterIdentity(who)
	if err != nil {
		return nil, err
	}
	rec.Identity = id

	// Their own tickets.
	own := make(map[int64]bool, len(ids))
	for _, tid := range ids {
		dt, err := t.Detail(tid)
		if err != nil {
			return nil, err
		}
		rec.Tickets = append(rec.Tickets, *dt)
		own[tid] = true
	}

	// Their words on tickets that are not theirs: each is audited as
	// other_requester, under their contact (Params.Requester: their
	// address, or discord:ID) by the actor their note is written under, at
	// the note's time; the files they sent with it are audited under the
	// same actor right after it.
	if err := t.elsewhere(id, own, rec); err != nil {
		return nil, err
	}

	// Messages queued to them on no ticket (the received message of a note
	// kept elsewhere, a mail past the limit). Those on their own tickets
	// are in each ticket's outbox.
	var rcpts []string
	var rargs []any
	for _, e := range id.Emails {
		rcpts, rargs = append(rcpts, "(channel = 'email' AND lower(recipient) = ?)"), append(rargs, e)
	}
	for _, d := range id.DiscordIDs {
		rcpts, rargs = append(rcpts, "(channel = 'discord' AND recipient = ?)"), append(rargs, d)
	}
	if len(rcpts) > 0 {
		var out []outboxRow
		if err := t.sel(&out, noTicketOutboxQuery(rcpts), rargs...); err != nil {
			return nil, fmt.Errorf("messages to the requester: %w", err)
		}
		if len(out) > 0 {
			items, err := outboxItems(out)
			if err != nil {
				return nil, err
			}
			rec.Outbox = items
		}
	}

	// Their mails set aside, by sender (any of their addresses).
	if len(id.Emails) > 0 {
		var rows []failureRow
		if err := t.sel(&rows, `SELECT `+failureColumns+` FROM inbound_failures WHERE lower(sender) IN (`+marks(len(id.Emails))+
			`) AND sender <> '' ORDER BY id`, anys(id.Emails)...); err != nil {
			return nil, fmt.Errorf("mails set aside: %w", err)
		}
		for _, r := range rows {
			rec.SetAside = append(rec.SetAside, r.failure())
		}
	}
	return rec, nil
}

// requesterIdentity finds who the person is as erasure does (eraser.findOwn
// in erase.go; TestExportAndErasureFindTheSamePerson holds the two to it):
// their tickets by the address (any case) or Discord id given, then by
// every address and id those tickets give them, until no new one comes. It
// returns the addresses (lower case), ids and names so found, and their
// tickets' ids, oldest first.
func (t *Tx) requesterIdentity(who tickets.Requester) (tickets.Identity, []int64, error) {
	emails, discord := map[string]bool{}, map[string]bool{}
	if e := strings.ToLower(who.Email); e != "" {
		emails[e] = true
	}
	if who.DiscordID != "" {
		discord[who.DiscordID] = true
	}
	var rows []struct {
		ID        int64  `db:"id"`
		Email     string `db:"requester_email"`
		DiscordID string `db:"requester_discord_id"`
		Name      string `db:"requester_name"`
	}
	for {
		rows = rows[:0]
		var ors []string
		var args []any
		if len(emails) > 0 {
			// The partial indexes' WHERE repeated, so that they are used.
			ors = append(ors, "(requester_email_key IN ("+marks(len(emails))+") AND requester_email_key <> '')")
			args = append(args, anys(slices.Sorted(maps.Keys(emails)))...)
		}
		if len(discord) > 0 {
			ors = append(ors, "(requester_discord_id IN ("+marks(len(discord))+") AND requester_discord_id <> '')")
			args = append(args, anys(slices.Sorted(maps.Keys(discord)))...)
		}
		if len(ors) == 0 {
			return tickets.Identity{}, nil, nil
		}
		if err := t.sel(&rows, `SELECT id, requester_email, requester_discord_id, requester_name FROM tickets
			WHERE `+strings.Join(ors, " OR ")+` ORDER BY id`, args...); err != nil {
			return tickets.Identity{}, nil, fmt.Errorf("tickets of the requester: %w", err)
		}
		grew := false
		for _, r := range rows {
			if k := strings.ToLower(r.Email); k != "" && !emails[k] {
				emails[k], grew = true, true
			}
			if r.DiscordID != "" && !discord[r.DiscordID] {
				discord[r.DiscordID], grew = true, true
			}
		}
		if !grew {
			break
		}
	}
	names := map[string]bool{}
	ids := make([]int64, 0, len(rows))
	for _, r := range rows {
		ids = append(ids, r.ID)
		if r.Name != "" {
			names[r.Name] = true
		}
	}
	return tickets.Identity{Emails: slices.Sorted(maps.Keys(emails)), DiscordIDs: slices.Sorted(maps.Keys(discord)),
		Names: slices.Sorted(maps.Keys(names))}, ids, nil
}

// elsewhere reads the notes the person (id: every address and Discord id
// of theirs) wrote on tickets not in own, and the files they sent with
// each, and nothing else of those tickets.
func (t *Tx) elsewhere(id tickets.Identity, own map[int64]bool, rec *tickets.RequesterRecords) error {
	var ors []string
	var args []any
	for _, e := range id.Emails {
		// Their own request (the actor is their address), or one an agent
		// filed for them (the actor is the agent; the params name them).
		ors, args = append(ors, "lower(a.actor) = ?", "lower(a.params) LIKE ? ESCAPE '\\'"),
			append(args, e, `%"requester":"`+likeEscape(e)+`"%`)
	}
	for _, d := range id.DiscordIDs {
		// The params are JSON; the row is checked exactly below.
		ors, args = append(ors, "a.params LIKE ? ESCAPE '\\'"), append(args, `%"requester":"discord:`+likeEscape(d)+`"%`)
	}
	if len(ors) == 0 {
		return nil
	}
	var rows []struct {
		ID       int64 `db:"id"`
		TicketID int64 `db:"ticket_id"`
		auditRow
	}
	if err := t.sel(&rows, notesQuery(ors), args...); err != nil {
		return fmt.Errorf("notes of the requester elsewhere: %w", err)
	}
	for _, r := range rows {
		if own[r.TicketID] {
			continue
		}
		var p tickets.AuditParams
		if err := readParams(r.Params, &p); err != nil {
			return fmt.Errorf("audit of ticket %d: %w", r.TicketID, err)
		}
		contact := p.Requester
		if contact == "" {
			contact = r.Actor // written before codes: the actor is the address
		}
		if !tickets.IsContactOf(id, contact) {
			continue
		}
		var msgs []messageRow
		if err := t.sel(&msgs, `SELECT id, kind, channel, author, body, external_id, created_at FROM ticket_messages
			WHERE ticket_id = ? AND kind = 'note' AND author = ? AND created_at = ? ORDER BY id`, r.TicketID, r.Actor, r.At.UTC()); err != nil {
			return fmt.Errorf("notes of the requester elsewhere: %w", err)
		}
		// The files: the evidence entries under the same actor right after it.
		var next []struct {
			auditRow
		}
		if err := t.sel(&next, `SELECT at, actor, action, from_status, to_status, code, params, detail FROM ticket_audit
			WHERE ticket_id = ? AND id > ? ORDER BY id LIMIT 100`, r.TicketID, r.ID); err != nil {
			return fmt.Errorf("files of the requester elsewhere: %w", err)
		}
		var files []tickets.Evidence
		for _, n := range next {
			var np tickets.AuditParams
			if err := readParams(n.Params, &np); err != nil {
				return fmt.Errorf("audit of ticket %d: %w", r.TicketID, err)
			}
			// An entry from before codes (migration 0006) has its file's
			// name in its words.
			name, ok := tickets.AuditEntry{Action: n.Action, Code: n.Code, Params: np, Detail: n.Detail}.EvidenceName()
			if !ok || n.Actor != r.Actor {
				break
			}
			var ev []evidenceRow
			if err := t.sel(&ev, `SELECT ticket_id, name, content_type, size, sha256, added_at FROM ticket_evidence
				WHERE ticket_id = ? AND name = ? AND added_at = ? ORDER BY id`, r.TicketID, name, n.At.UTC()); err != nil {
				return fmt.Errorf("files of the requester elsewhere: %w", err)
			}
			for _, e := range ev {
				files = append(files, tickets.Evidence{Name: e.Name, ContentType: e.ContentType, Size: e.Size, SHA256: e.SHA256,
					AddedAt: e.AddedAt.UTC()})
			}
		}
		for i, m := range msgs {
			note := tickets.ForeignNote{Message: tickets.Message{ID: m.ID, Kind: tickets.MessageKind(m.Kind),
				Channel: tickets.Channel(m.Channel), Author: m.Author, Body: m.Body, ExternalID: m.ExternalID,
				CreatedAt: m.CreatedAt.UTC()}, Evidence: []tickets.Evidence{}}
			if i == 0 {
				note.Evidence = append(note.Evidence, files...)
			}
			rec.Elsewhere = append(rec.Elsewhere, note)
		}
		if len(msgs) == 0 && len(files) > 0 {
			rec.Elsewhere = append(rec.Elsewhere, tickets.ForeignNote{Message: tickets.Message{Kind: tickets.MessageNote,
				Channel: tickets.Channel(p.Channel), Author: r.Actor, CreatedAt: r.At.UTC()}, Evidence: files})
		}
	}
	return nil
}

// noTicketOutboxQuery finds the messages queued on no ticket to one of
// rcpts (conditions on the recipient, ORed), by the index on ticket_id:
// the outbox's other messages (on tickets) are not read.
func noTicketOutboxQuery(rcpts []string) string {
	return `SELECT ` + outboxColumns + ` FROM outbox WHERE ticket_id IS NULL AND (` + strings.Join(rcpts, " OR ") + `) ORDER BY id`
}

// notesQuery finds the other_requester entries that may be the
// requester's (ors: conditions on the entry, ORed): on the tickets flagged
// other_requester only, by the flag's index (every such entry's ticket has
// the flag, set in the same transaction and never cleared), then by each
// ticket's audit, so it reads none of the audit trail of other tickets.
func notesQuery(ors []string) string {
	return `SELECT a.id, a.ticket_id, a.at, a.actor, a.action, a.from_status, a.to_status, a.code, a.params, a.detail
		FROM ticket_flags f JOIN ticket_audit a ON a.ticket_id = f.ticket_id
		WHERE f.flag = 'other_requester' AND a.action = 'other_requester' AND (` + strings.Join(ors, " OR ") + `) ORDER BY a.id`
}

// likeEscape escapes LIKE's wildcards (and its escape character).
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// openEvidence streams a stored file's bytes, evidenceChunk at a time.
func (t *Tx) openEvidence(sum string) (io.Reader, error) {
	var size int64
	err := t.get(&size, `SELECT length(data) FROM evidence_blobs WHERE sha256 = ?`, sum)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, tickets.NotFound("evidence.not_found", "Ref", "", "Name", sum)
	}
	if err != nil {
		return nil, fmt.Errorf("evidence %s: %w", sum, err)
	}
	return &blobReader{t: t, sum: sum, size: size}, nil
}

// blobReader reads a blob in pieces (substr, 1-based, on both stores).
type blobReader struct {
	t    *Tx
	sum  string
	size int64
	off  int64
	buf  bytes.Reader
}

func (r *blobReader) Read(p []byte) (int, error) {
	if r.buf.Len() == 0 {
		if r.off >= r.size {
			return 0, io.EOF
		}
		var chunk []byte
		if err := r.t.get(&chunk, `SELECT substr(data, ?, ?) FROM evidence_blobs WHERE sha256 = ?`, r.off+1, evidenceChunk, r.sum); err != nil {
			return 0, fmt.Errorf("evidence %s at %d: %w", r.sum, r.off, err)
		}
		if len(chunk) == 0 {
			return 0, fmt.Errorf("evidence %s: %d bytes where %d were stored: %w", r.sum, r.off, r.size, io.ErrUnexpectedEOF)
		}
		r.off += int64(len(chunk))
		r.buf.Reset(chunk)
	}
	return r.buf.Read(p)
}

// failureRow is an inbound_failures row as scanned.
type failureRow struct {
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

const failureColumns = `id, channel, item_key, source, sender, subject, size, reason, set_aside, created_at`

func (r *failureRow) failure() tickets.InboundFailure {
	return tickets.InboundFailure{ID: r.ID, Channel: tickets.Channel(r.Channel), Key: r.Key, Source: r.Source, Sender: r.Sender,
		Subject: r.Subject, Size: r.Size, Reason: r.Reason, SetAside: r.SetAside, CreatedAt: r.CreatedAt.UTC()}
}
