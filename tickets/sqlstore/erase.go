package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"refunddesk/tickets"
)

// EraseRequester runs fn in one write transaction with an Eraser of who's
// data (see tickets.EraseStore).
//
// On SQLite the transaction runs on a connection of its own with
// secure_delete on, so every row and index entry it deletes or rewrites
// is overwritten with zeros in the pages it writes, not left in their free
// space. When it took words out of the search index, the index is merged
// whole ('optimize') in the same transaction: FTS5 only marks a deleted
// row of a contentless index with a tombstone, and keeps its words in the
// segments until they are merged. After the commit, the write-ahead log is
// checkpointed into the file and truncated, so neither holds the old
// pages. On PostgreSQL the old row versions stay in the data files, out of
// every query and of pg_dump, until VACUUM reclaims them.
func (d *DB) EraseRequester(ctx context.Context, who tickets.ErasureTarget, fn func(tickets.Tx, tickets.Eraser) error) error {
	pre, err := d.eraseScan(ctx, who)
	if err != nil {
		return err
	}
	release, err := d.lockWrites(ctx)
	if err != nil {
		return err
	}
	defer release()
	var sqltx *sqlx.Tx
	var conn *sqlx.Conn
	if d.dialect == SQLite {
		if conn, err = d.db.Connx(ctx); err != nil {
			return fmt.Errorf("erase: %w", err)
		}
		defer conn.Close()
		if _, err := conn.ExecContext(ctx, `PRAGMA secure_delete = ON`); err != nil {
			return fmt.Errorf("erase: secure_delete: %w", err)
		}
		defer d.plainDeletes(conn)
		sqltx, err = conn.BeginTxx(ctx, nil)
	} else {
		sqltx, err = d.db.BeginTxx(ctx, nil)
	}
	if err != nil {
		return mapError(fmt.Errorf("begin: %w", err))
	}
	defer sqltx.Rollback()
	tx := newTx(ctx, d, sqltx, true)
	e := &eraser{tx: tx, who: who, pre: pre}
	if err := fn(tx, e); err != nil {
		return mapError(err)
	}
	if err := tx.flushStats(); err != nil {
		return mapError(err)
	}
	if err := tx.flushSearch(); err != nil {
		return mapError(err)
	}
	if e.erased && d.dialect == SQLite {
		if _, err := sqltx.ExecContext(ctx, `INSERT INTO ticket_search (ticket_search) VALUES ('optimize')`); err != nil {
			return fmt.Errorf("erase: merge the search index: %w", err)
		}
	}
	if err := sqltx.Commit(); err != nil {
		return mapError(fmt.Errorf("commit: %w", err))
	}
	d.written.Add(1)
	if e.erased && conn != nil {
		d.truncateWAL(ctx, conn)
	}
	return nil
}

// eraseScan reads, before the erasure takes the write lock, which
// tickets' audit trails name the person, and up to which entry: the
// erasure's own transaction then reads only those tickets' entries and
// the entries written since, instead of every entry while writers wait.
// Entries are written once and only an erasure or retention changes them
// after, taking words out: none can name the person later unless it is
// new.
func (d *DB) eraseScan(ctx context.Context, who tickets.ErasureTarget) (*erasePrescan, error) {
	sqltx, err := d.db.BeginTxx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("begin: %w", err)
	}
	defer sqltx.Rollback()
	e := &eraser{tx: newTx(ctx, d, sqltx, false), who: who}
	if _, err := e.findOwn(); err != nil {
		return nil, err
	}
	pre := &erasePrescan{id: e.id}
	if err := sqltx.GetContext(ctx, &pre.last, `SELECT COALESCE(MAX(id), 0) FROM ticket_audit`); err != nil {
		return nil, fmt.Errorf("erase: %w", err)
	}
	cond, args := e.mentions("params", "detail")
	if err := e.sel(&pre.tickets, `SELECT DISTINCT ticket_id FROM ticket_audit WHERE id <= ? AND `+cond,
		append([]any{pre.last}, args...)...); err != nil {
		return nil, fmt.Errorf("erase: find others' tickets: %w", err)
	}
	return pre, nil
}

// erasePrescan is what eraseScan found.
type erasePrescan struct {
	id      tickets.Identity // who the person was then
	last    int64            // the last audit entry read
	tickets []int64          // the tickets whose entries up to last name them
}

// covers reports whether the scan looked for everything id names.
func (p *erasePrescan) covers(id tickets.Identity) bool {
	if p == nil {
		return false
	}
	for _, e := range id.Emails {
		if !slices.Contains(p.id.Emails, e) {
			return false
		}
	}
	for _, d := range id.DiscordIDs {
		if !slices.Contains(p.id.DiscordIDs, d) {
			return false
		}
	}
	return true
}

// plainDeletes turns secure_delete off again on a connection going back
// to the pool; one that cannot is closed instead.
func (d *DB) plainDeletes(conn *sqlx.Conn) {
	if _, err := conn.ExecContext(context.Background(), `PRAGMA secure_delete = OFF`); err != nil {
		d.log.Warn("sqlite secure_delete off", slog.Any("error", err))
		_ = conn.Raw(func(any) error { return driver.ErrBadConn })
	}
}

// truncateWAL copies the write-ahead log into the database file and
// empties it. Another checkpoint running (the checkpointer's, another
// process's) makes it busy at once: it tries again for up to two seconds.
// A reader still in a snapshot older than the erasure keeps the log from
// being emptied (SQLite waits for it as long as the busy timeout); it is
// then emptied by a later checkpoint, and the log says so.
func (d *DB) truncateWAL(ctx context.Context, conn *sqlx.Conn) {
	var busy, frames, done int
	var err error
	for try := 0; try < 100; try++ {
		err = conn.QueryRowxContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &frames, &done)
		if err != nil || busy == 0 {
			break
		}
		select {
		case <-ctx.Done():
			try = 100
		case <-time.After(20 * time.Millisecond):
		}
	}
	switch {
	case err != nil:
		d.log.Warn("erase: checkpoint the write-ahead log", slog.Any("error", err))
	case busy != 0:
		d.log.Warn("erase: the write-ahead log could not be emptied while a reader was in it; it will be at a later checkpoint",
			slog.Int("frames", frames), slog.Int("copied", done))
	}
}

// eraser finds and erases one person's data in a transaction.
type eraser struct {
	tx  *Tx
	who tickets.ErasureTarget
	id  tickets.Identity
	pre *erasePrescan
	// theirs are the person's requests on others' tickets.
	theirs []theirs
	// plan is what Find found to change, for Erase to apply.
	plan *erasePlan
	// erased: Erase ran and changed something.
	erased bool
}

// erasePlan is every row an erasure changes, and how.
type erasePlan struct {
	own, others   []int64
	tickets       []ticketEdit
	messages      []messageEdit
	links         []int64  // ticket_evidence ids
	blobs         []string // evidence_blobs to delete
	audit         []auditEdit
	followups     []followupEdit
	outboxDelete  []int64
	outboxBlank   []int64
	outboxUnkey   []int64 // dedupe keys that name them, on messages not theirs
	intakeKeys    []string
	failures      []int64
	counts        tickets.ErasureCounts
	setAside      []string
	othersTickets []tickets.ErasedTicket
}

type ticketEdit struct {
	id                       int64
	details, decision, rules string
}

type messageEdit struct {
	id                       int64
	body, author, externalID string
}

type auditEdit struct {
	id                    int64
	actor, params, detail string
}

type followupEdit struct {
	id             int64
	result, params string
}

func (e *eraser) sel(dest any, q string, args ...any) error {
	q, args, err := sqlx.In(q, args...)
	if err != nil {
		return err
	}
	return e.tx.tx.SelectContext(e.tx.ctx, dest, e.tx.q(q), args...)
}

func (e *eraser) exec(q string, args ...any) (int64, error) {
	q, args, err := sqlx.In(q, args...)
	if err != nil {
		return 0, err
	}
	res, err := e.tx.tx.ExecContext(e.tx.ctx, e.tx.q(q), args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// contains is a condition that col, in lower case, holds a placeholder's
// text.
func (e *eraser) contains(col string) string {
	if e.tx.db.dialect == Postgres {
		return "strpos(lower(" + col + "), ?) > 0"
	}
	return "instr(lower(" + col + "), ?) > 0"
}

// mentions is a condition that one of cols holds one of the person's
// addresses or ids, and its args.
func (e *eraser) mentions(cols ...string) (string, []any) {
	var conds []string
	var args []any
	for _, c := range cols {
		for _, s := range append(slices.Clone(e.id.Emails), e.id.DiscordIDs...) {
			conds = append(conds, e.contains(c))
			args = append(args, strings.ToLower(s))
		}
	}
	if len(conds) == 0 {
		return "FALSE", nil
	}
	return "(" + strings.Join(conds, " OR ") + ")", args
}

type erasedTicketRow struct {
	ID        int64  `db:"id"`
	Kind      string `db:"kind"`
	Status    string `db:"status"`
	Email     string `db:"requester_email"`
	DiscordID string `db:"requester_discord_id"`
	Name      string `db:"requester_name"`
	Details   string `db:"details"`
	Decision  string `db:"decision"`
	Rules     string `db:"rules"`
}

// Find lists what the store keeps about the person and plans its erasure.
func (e *eraser) Find() (*tickets.ErasureFound, error) {
	own, err := e.findOwn()
	if err != nil {
		return nil, err
	}
	p := &erasePlan{}
	for _, r := range own {
		p.own = append(p.own, r.ID)
	}
	steps := []func(*erasePlan, []erasedTicketRow) error{e.planTickets, e.planOthers, e.planMessages, e.planEvidence,
		e.planAudit, e.planFollowups, e.planOutbox, e.planKeys, e.planFailures}
	for _, step := range steps {
		if err := step(p, own); err != nil {
			return nil, err
		}
	}
	e.plan = p
	f := &tickets.ErasureFound{Emails: e.id.Emails, DiscordIDs: e.id.DiscordIDs, Names: e.id.Names,
		Tickets: []tickets.ErasedTicket{}, Others: p.othersTickets, SetAside: p.setAside, Counts: p.counts}
	for _, r := range own {
		f.Tickets = append(f.Tickets, tickets.ErasedTicket{ID: r.ID, Ref: tickets.FormatRef(r.ID), Kind: tickets.Kind(r.Kind),
			Status: tickets.Status(r.Status)})
	}
	if f.Others == nil {
		f.Others = []tickets.ErasedTicket{}
	}
	return f, nil
}

// findOwn finds the person's tickets: by the address or id given, then by
// every address and id those tickets give them, until no new one comes.
func (e *eraser) findOwn() ([]erasedTicketRow, error) {
	emails, ids := map[string]bool{}, map[string]bool{}
	if e.who.Email != "" {
		emails[strings.ToLower(e.who.Email)] = true
	}
	if e.who.DiscordID != "" {
		ids[e.who.DiscordID] = true
	}
	var rows []erasedTicketRow
	for {
		rows = nil
		var conds []string
		var args []any
		if len(emails) > 0 {
			conds, args = append(conds, "requester_email_key IN (?) AND requester_email_key <> ''"), append(args, keys(emails))
		}
		if len(ids) > 0 {
			conds, args = append(conds, "requester_discord_id IN (?) AND requester_discord_id <> ''"), append(args, keys(ids))
		}
		q := `SELECT id, kind, status, requester_email, requester_discord_id, requester_name, details, decision, rules
			FROM tickets WHERE ` + strings.Join(conds, " OR ") + ` ORDER BY id`
		if e.tx.write && e.tx.db.dialect == Postgres {
			// Their tickets stay as read until the erasure commits: a
			// request joining one waits for it (Tx.Ticket locks too).
			q += ` FOR UPDATE`
		}
		if err := e.sel(&rows, q, args...); err != nil {
			return nil, fmt.Errorf("find tickets: %w", err)
		}
		grew := false
		for _, r := range rows {
			if k := strings.ToLower(r.Email); k != "" && !emails[k] {
				emails[k], grew = true, true
			}
			if r.DiscordID != "" && !ids[r.DiscordID] {
				ids[r.DiscordID], grew = true, true
			}
		}
		if !grew {
			break
		}
	}
	names := map[string]bool{}
	for _, r := range rows {
		if r.Name != "" {
			names[r.Name] = true
		}
	}
	e.id = tickets.Identity{Emails: keys(emails), DiscordIDs: keys(ids), Names: keys(names)}
	return rows, nil
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func idsOr(ids []int64) []int64 {
	if len(ids) == 0 {
		return []int64{0}
	}
	return ids
}

// planTickets anonymises the person's own tickets.
func (e *eraser) planTickets(p *erasePlan, own []erasedTicketRow) error {
	for _, r := range own {
		var steps []tickets.RuleStep
		if err := json.Unmarshal([]byte(r.Rules), &steps); err != nil {
			return fmt.Errorf("ticket %d: rules: %w", r.ID, err)
		}
		rb, err := json.Marshal(tickets.EraseRules(steps))
		if err != nil {
			return err
		}
		p.tickets = append(p.tickets, ticketEdit{id: r.ID, details: tickets.EraseWords(r.Details),
			decision: tickets.EraseWords(r.Decision), rules: string(rb)})
	}
	p.counts.Tickets = len(own)
	return nil
}

// theirs is one request of the person on someone else's ticket: its
// ticket, its actor, and when.
type theirs struct {
	ticket int64
	actor  string
	at     time.Time
}

// theirWindow is how long after the audit entry of a request on someone
// else's ticket what it brought (its note, its files) may be written: the
// same transaction, which reads the clock for each.
const theirWindow = time.Minute

// planOthers finds the tickets of others the person wrote on (or whose
// trail names them), with the entries of their requests there.
func (e *eraser) planOthers(p *erasePlan, _ []erasedTicketRow) error {
	cond, args := e.mentions("params", "detail")
	var rows []mentionRow
	q := `SELECT ticket_id, actor, code, params, detail, at FROM ticket_audit WHERE ticket_id NOT IN (?) AND (` + cond + `)`
	args = append([]any{idsOr(p.own)}, args...)
	if e.pre.covers(e.id) {
		q += ` AND (ticket_id IN (?) OR id > ?)`
		args = append(args, idsOr(e.pre.tickets), e.pre.last)
	}
	if err := e.sel(&rows, q, args...); err != nil {
		return fmt.Errorf("find others' tickets: %w", err)
	}
	// The query finds the text anywhere; only an address or id whole is
	// theirs (Identity.Mentions).
	rows = slices.DeleteFunc(rows, func(r mentionRow) bool {
		return !e.id.Mentions(r.Params) && !e.id.Mentions(r.Detail)
	})
	seen := map[int64]bool{}
	for _, r := range rows {
		if !seen[r.TicketID] {
			seen[r.TicketID] = true
			p.others = append(p.others, r.TicketID)
		}
	}
	slices.Sort(p.others)
	e.theirs = nil
	for _, r := range rows {
		var ap tickets.AuditParams
		if err := readParams(r.Params, &ap); err != nil {
			return err
		}
		if (r.Code == tickets.AuditOtherRequester || r.Code == tickets.AuditJoined) && e.id.Mentions(ap.Requester) {
			e.theirs = append(e.theirs, theirs{ticket: r.TicketID, actor: r.Actor, at: r.At.UTC()})
		}
	}
	var ts []erasedTicketRow
	if err := e.sel(&ts, `SELECT id, kind, status FROM tickets WHERE id IN (?) ORDER BY id`, idsOr(p.others)); err != nil {
		return fmt.Errorf("others' tickets: %w", err)
	}
	for _, r := range ts {
		p.othersTickets = append(p.othersTickets, tickets.ErasedTicket{ID: r.ID, Ref: tickets.FormatRef(r.ID),
			Kind: tickets.Kind(r.Kind), Status: tickets.Status(r.Status)})
	}
	p.counts.OtherTickets = len(p.others)
	return nil
}

// mentionRow is an audit entry that may name the person.
type mentionRow struct {
	TicketID int64     `db:"ticket_id"`
	Actor    string    `db:"actor"`
	Code     string    `db:"code"`
	Params   string    `db:"params"`
	Detail   string    `db:"detail"`
	At       time.Time `db:"at"`
}

// isTheirs reports whether an actor's entry on someone else's ticket at
// a time belongs to one of the person's requests there.
func (e *eraser) isTheirs(ticket int64, actor string, at time.Time) bool {
	if e.id.IsActor(actor) && !isEmailLess(actor) {
		return true
	}
	for _, th := range e.theirs {
		if th.ticket == ticket && th.actor == actor && !at.Before(th.at) && at.Sub(th.at) <= theirWindow {
			return true
		}
	}
	return false
}

// isEmailLess: a bare name as an actor names the person only on their own
// tickets; on another's it may be someone else of that name.
func isEmailLess(actor string) bool {
	return !strings.Contains(actor, "@") && !strings.HasPrefix(actor, "discord:")
}

// planMessages: every message's words on their own tickets (their own
// name as the author too), and their notes on others'.
func (e *eraser) planMessages(p *erasePlan, _ []erasedTicketRow) error {
	var rows []struct {
		ID         int64     `db:"id"`
		TicketID   int64     `db:"ticket_id"`
		Author     string    `db:"author"`
		Body       string    `db:"body"`
		ExternalID string    `db:"external_id"`
		CreatedAt  time.Time `db:"created_at"`
	}
	if err := e.sel(&rows, `SELECT id, ticket_id, author, body, external_id, created_at FROM ticket_messages
		WHERE ticket_id IN (?) OR ticket_id IN (?) ORDER BY id`, idsOr(p.own), idsOr(p.others)); err != nil {
		return fmt.Errorf("find messages: %w", err)
	}
	for _, r := range rows {
		m := messageEdit{id: r.ID, body: r.Body, author: r.Author, externalID: r.ExternalID}
		mine := slices.Contains(p.own, r.TicketID)
		if !mine && !e.isTheirs(r.TicketID, r.Author, r.CreatedAt.UTC()) {
			continue
		}
		m.body = tickets.EraseWords(r.Body)
		if e.id.IsActor(r.Author) || !mine {
			m.author = tickets.Erased
		}
		if e.id.Mentions(r.ExternalID) {
			m.externalID = ""
		}
		if m.body != r.Body || m.author != r.Author || m.externalID != r.ExternalID {
			p.messages = append(p.messages, m)
		}
	}
	p.counts.Messages = len(p.messages)
	return nil
}

// planEvidence unlinks every file of their own tickets and theirs on
// others', and deletes the files no other link keeps.
func (e *eraser) planEvidence(p *erasePlan, _ []erasedTicketRow) error {
	var rows []struct {
		ID       int64     `db:"id"`
		TicketID int64     `db:"ticket_id"`
		SHA256   string    `db:"sha256"`
		Name     string    `db:"name"`
		AddedAt  time.Time `db:"added_at"`
	}
	if err := e.sel(&rows, `SELECT id, ticket_id, sha256, name, added_at FROM ticket_evidence
		WHERE ticket_id IN (?) OR ticket_id IN (?) ORDER BY id`, idsOr(p.own), idsOr(p.others)); err != nil {
		return fmt.Errorf("find evidence: %w", err)
	}
	// Their files on others' tickets: the ones their requests' audit
	// entries (evidence, by their actor, in the request's window) name.
	var added []struct {
		TicketID int64     `db:"ticket_id"`
		Actor    string    `db:"actor"`
		Params   string    `db:"params"`
		At       time.Time `db:"at"`
	}
	if len(p.others) > 0 {
		if err := e.sel(&added, `SELECT ticket_id, actor, params, at FROM ticket_audit WHERE ticket_id IN (?) AND code = ?`,
			p.others, tickets.AuditEvidence); err != nil {
			return fmt.Errorf("find evidence added: %w", err)
		}
	}
	type link struct {
		ticket int64
		name   string
		at     time.Time
	}
	var their []link
	for _, a := range added {
		if !e.isTheirs(a.TicketID, a.Actor, a.At.UTC()) {
			continue
		}
		var ap tickets.AuditParams
		if err := readParams(a.Params, &ap); err != nil {
			return err
		}
		their = append(their, link{ticket: a.TicketID, name: ap.Name, at: a.At.UTC()})
	}
	gone := map[string]int{}
	for _, r := range rows {
		mine := slices.Contains(p.own, r.TicketID)
		if !mine && !slices.ContainsFunc(their, func(l link) bool {
			return l.ticket == r.TicketID && l.name == r.Name && l.at.Equal(r.AddedAt)
		}) {
			continue
		}
		p.links = append(p.links, r.ID)
		gone[r.SHA256]++
	}
	for _, sum := range keysOfCount(gone) {
		var n int
		if err := e.tx.tx.GetContext(e.tx.ctx, &n, e.tx.q(`SELECT count(*) FROM ticket_evidence WHERE sha256 = ?`), sum); err != nil {
			return fmt.Errorf("evidence %s: %w", sum, err)
		}
		if n > gone[sum] {
			p.counts.BlobsKept++
			continue
		}
		p.blobs = append(p.blobs, sum)
	}
	p.counts.EvidenceLinks, p.counts.Blobs = len(p.links), len(p.blobs)
	return nil
}

func keysOfCount(m map[string]int) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// planAudit: on their own tickets, their name as the actor and every value
// in words or a contact; on others', the entries of their requests
// likewise and their address wherever another entry names it.
func (e *eraser) planAudit(p *erasePlan, _ []erasedTicketRow) error {
	var rows []struct {
		ID       int64     `db:"id"`
		TicketID int64     `db:"ticket_id"`
		Actor    string    `db:"actor"`
		Code     string    `db:"code"`
		Params   string    `db:"params"`
		Detail   string    `db:"detail"`
		At       time.Time `db:"at"`
	}
	if err := e.sel(&rows, `SELECT id, ticket_id, actor, code, params, detail, at FROM ticket_audit
		WHERE ticket_id IN (?) OR ticket_id IN (?) ORDER BY id`, idsOr(p.own), idsOr(p.others)); err != nil {
		return fmt.Errorf("find audit entries: %w", err)
	}
	for _, r := range rows {
		mine := slices.Contains(p.own, r.TicketID)
		all := mine || e.isTheirs(r.TicketID, r.Actor, r.At.UTC())
		ed := auditEdit{id: r.ID, actor: r.Actor, params: r.Params, detail: r.Detail}
		if all && (e.id.IsActor(r.Actor) || !mine) && r.Actor != tickets.Erased {
			ed.actor = tickets.Erased
		}
		if mine || e.id.Mentions(r.Detail) {
			ed.detail = tickets.EraseWords(r.Detail)
		}
		var ap tickets.AuditParams
		if err := readParams(r.Params, &ap); err != nil {
			return err
		}
		if np, changed := ap.Erase(e.id, all); changed {
			s, err := writeParams(r.Code, np)
			if err != nil {
				return err
			}
			ed.params = s
		}
		if ed.actor != r.Actor || ed.params != r.Params || ed.detail != r.Detail {
			p.audit = append(p.audit, ed)
		}
	}
	p.counts.AuditEntries = len(p.audit)
	return nil
}

// planFollowups: what a follow-up of their tickets did, in words or
// contacts.
func (e *eraser) planFollowups(p *erasePlan, _ []erasedTicketRow) error {
	var rows []followupRow
	if err := e.sel(&rows, `SELECT `+followupColumns+` FROM followups WHERE ticket_id IN (?) OR ticket_id IN (?) ORDER BY id`,
		idsOr(p.own), idsOr(p.others)); err != nil {
		return fmt.Errorf("find follow-ups: %w", err)
	}
	for _, r := range rows {
		mine := slices.Contains(p.own, r.TicketID)
		ed := followupEdit{id: r.ID, result: r.Result, params: r.Params}
		if mine || e.id.Mentions(r.Result) {
			ed.result = tickets.EraseWords(r.Result)
		}
		var ap tickets.AuditParams
		if err := readParams(r.Params, &ap); err != nil {
			return err
		}
		if np, changed := ap.Erase(e.id, mine); changed {
			s, err := writeParams(r.Code, np)
			if err != nil {
				return err
			}
			ed.params = s
		}
		if ed.result != r.Result || ed.params != r.Params {
			p.followups = append(p.followups, ed)
		}
	}
	p.counts.Followups = len(p.followups)
	return nil
}

// planOutbox: messages to the person (by recipient, or to the requester
// of their tickets): unsent ones go, sent and failed ones lose their
// recipient, words and error; a key that names them, on a message to
// someone else, goes.
func (e *eraser) planOutbox(p *erasePlan, _ []erasedTicketRow) error {
	cond, args := e.mentions("recipient", "dedupe_key")
	var rows []struct {
		ID        int64          `db:"id"`
		TicketID  sql.NullInt64  `db:"ticket_id"`
		Recipient string         `db:"recipient"`
		Template  string         `db:"template"`
		Data      string         `db:"data"`
		Status    string         `db:"status"`
		LastError string         `db:"last_error"`
		Key       sql.NullString `db:"dedupe_key"`
	}
	q := `SELECT id, ticket_id, recipient, template, data, status, last_error, dedupe_key FROM outbox
		WHERE ticket_id IN (?) OR ` + cond + ` ORDER BY id`
	if err := e.sel(&rows, q, append([]any{idsOr(p.own)}, args...)...); err != nil {
		return fmt.Errorf("find outbox messages: %w", err)
	}
	for _, r := range rows {
		toAgents := r.Template == tickets.TemplateCard || r.Template == tickets.TemplateAlert
		mine := r.TicketID.Valid && slices.Contains(p.own, r.TicketID.Int64)
		switch {
		case e.id.Mentions(r.Recipient) || e.id.IsActor(r.Recipient) || mine && !toAgents:
			if r.Status == tickets.OutboxPending || r.Status == tickets.OutboxSending {
				p.outboxDelete = append(p.outboxDelete, r.ID)
			} else if r.Recipient != "" || r.Data != "{}" || r.LastError != "" || r.Key.Valid {
				p.outboxBlank = append(p.outboxBlank, r.ID)
			}
		case r.Key.Valid && e.id.Mentions(r.Key.String):
			p.outboxUnkey = append(p.outboxUnkey, r.ID)
		}
	}
	p.counts.OutboxDeleted, p.counts.OutboxBlanked = len(p.outboxDelete), len(p.outboxBlank)
	return nil
}

// planKeys: idempotency keys that hold their address or id (a mail's key
// is its Message-ID and a hash, which stays: it keeps a mail delivered
// again from opening a ticket again).
func (e *eraser) planKeys(p *erasePlan, _ []erasedTicketRow) error {
	cond, args := e.mentions("key")
	var found []string
	if err := e.sel(&found, `SELECT key FROM intake_keys WHERE `+cond+` ORDER BY key`, args...); err != nil {
		return fmt.Errorf("find intake keys: %w", err)
	}
	for _, k := range found {
		if e.id.Mentions(k) {
			p.intakeKeys = append(p.intakeKeys, k)
		}
	}
	p.counts.IntakeKeys = len(p.intakeKeys)
	return nil
}

// planFailures: the records of their mails the intake set aside.
func (e *eraser) planFailures(p *erasePlan, _ []erasedTicketRow) error {
	cond, args := e.mentions("sender", "item_key")
	var rows []struct {
		ID       int64  `db:"id"`
		Sender   string `db:"sender"`
		Key      string `db:"item_key"`
		Source   string `db:"source"`
		SetAside string `db:"set_aside"`
	}
	if err := e.sel(&rows, `SELECT id, sender, item_key, source, set_aside FROM inbound_failures WHERE `+cond+` ORDER BY id`, args...); err != nil {
		return fmt.Errorf("find mail set aside: %w", err)
	}
	for _, r := range rows {
		if !e.id.Mentions(r.Sender) && !e.id.Mentions(r.Key) {
			continue
		}
		p.failures = append(p.failures, r.ID)
		where := r.SetAside
		if where == "" {
			where = "-"
		}
		p.setAside = append(p.setAside, where+" ("+r.Source+")")
	}
	p.counts.InboundFailures = len(p.failures)
	return nil
}

// Erase applies what Find planned.
func (e *eraser) Erase(f *tickets.ErasureFound) (tickets.ErasureCounts, error) {
	p := e.plan
	if p == nil {
		return tickets.ErasureCounts{}, fmt.Errorf("erase before find")
	}
	for _, t := range p.tickets {
		if _, err := e.exec(`UPDATE tickets SET requester_email = '', requester_email_key = '', requester_discord_id = '',
			requester_name = '', account = '', account_key = '', details = ?, decision = ?, rules = ?, version = version + 1
			WHERE id = ?`, t.details, t.decision, t.rules, t.id); err != nil {
			return tickets.ErasureCounts{}, fmt.Errorf("anonymise %s: %w", tickets.FormatRef(t.id), err)
		}
	}
	for _, m := range p.messages {
		if _, err := e.exec(`UPDATE ticket_messages SET body = ?, author = ?, external_id = ? WHERE id = ?`,
			m.body, m.author, m.externalID, m.id); err != nil {
			return tickets.ErasureCounts{}, fmt.Errorf("erase message %d: %w", m.id, err)
		}
	}
	if len(p.links) > 0 {
		if _, err := e.exec(`DELETE FROM ticket_evidence WHERE id IN (?)`, p.links); err != nil {
			return tickets.ErasureCounts{}, fmt.Errorf("unlink evidence: %w", err)
		}
	}
	if len(p.blobs) > 0 {
		if _, err := e.exec(`DELETE FROM evidence_blobs WHERE sha256 IN (?)`, p.blobs); err != nil {
			return tickets.ErasureCounts{}, fmt.Errorf("delete evidence: %w", err)
		}
	}
	for _, a := range p.audit {
		if _, err := e.exec(`UPDATE ticket_audit SET actor = ?, params = ?, detail = ? WHERE id = ?`,
			a.actor, a.params, a.detail, a.id); err != nil {
			return tickets.ErasureCounts{}, fmt.Errorf("erase audit entry %d: %w", a.id, err)
		}
	}
	for _, fu := range p.followups {
		if _, err := e.exec(`UPDATE followups SET result = ?, result_params = ? WHERE id = ?`, fu.result, fu.params, fu.id); err != nil {
			return tickets.ErasureCounts{}, fmt.Errorf("erase follow-up %d: %w", fu.id, err)
		}
	}
	if len(p.outboxDelete) > 0 {
		if _, err := e.exec(`DELETE FROM outbox WHERE id IN (?)`, p.outboxDelete); err != nil {
			return tickets.ErasureCounts{}, fmt.Errorf("cancel outbox messages: %w", err)
		}
	}
	if len(p.outboxBlank) > 0 {
		if _, err := e.exec(`UPDATE outbox SET recipient = '', data = '{}', last_error = '', dedupe_key = NULL WHERE id IN (?)`,
			p.outboxBlank); err != nil {
			return tickets.ErasureCounts{}, fmt.Errorf("blank outbox messages: %w", err)
		}
	}
	if len(p.outboxUnkey) > 0 {
		if _, err := e.exec(`UPDATE outbox SET dedupe_key = NULL WHERE id IN (?)`, p.outboxUnkey); err != nil {
			return tickets.ErasureCounts{}, fmt.Errorf("outbox keys: %w", err)
		}
	}
	if len(p.intakeKeys) > 0 {
		if _, err := e.exec(`DELETE FROM intake_keys WHERE key IN (?)`, p.intakeKeys); err != nil {
			return tickets.ErasureCounts{}, fmt.Errorf("intake keys: %w", err)
		}
	}
	if len(p.failures) > 0 {
		if _, err := e.exec(`DELETE FROM inbound_failures WHERE id IN (?)`, p.failures); err != nil {
			return tickets.ErasureCounts{}, fmt.Errorf("mail set aside: %w", err)
		}
	}
	for _, id := range append(slices.Clone(p.own), p.others...) {
		e.tx.dirty[id] = true
	}
	e.erased = p.counts != (tickets.ErasureCounts{})
	e.plan = nil
	return p.counts, nil
}

// EraseRequester inside a Group is refused: an erasure is a transaction of
// its own (with its own connection and settings on SQLite), and would wait
// for the group's write lock forever.
func (g *group) EraseRequester(context.Context, tickets.ErasureTarget, func(tickets.Tx, tickets.Eraser) error) error {
	return errors.New("erase a requester outside a group of changes: it is a transaction of its own")
}
