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
	var pre *erasePrescan
	var err error
	if d.dialect == SQLite {
		// PostgreSQL hands out ids before the commit, not in its order: an
		// entry below the scan's last id may commit after the scan. Its
		// writers do not wait for an erasure either, so the erasure reads
		// every entry in its own transaction there.
		if pre, err = d.eraseScan(ctx, who); err != nil {
			return err
		}
	}
	var sqltx *sqlx.Tx
	var conn *sqlx.Conn
	if d.dialect == SQLite {
		var done func()
		if conn, sqltx, done, err = d.beginSecure(ctx); err != nil {
			return fmt.Errorf("erase: %w", err)
		}
		defer done()
	} else {
		if sqltx, err = d.db.BeginTxx(ctx, nil); err != nil {
			return mapError(fmt.Errorf("begin: %w", err))
		}
		defer sqltx.Rollback()
	}
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

// eraseScan reads, on SQLite before the erasure takes the write lock,
// which tickets' audit trails name the person, and up to which entry: the
// erasure's own transaction then reads only those tickets' entries and
// the entries written since, instead of every entry while writers wait.
// Entries are written once and only an erasure or retention changes them
// after, taking words out: none can name the person later unless it is
// new, and SQLite's single writer numbers entries in commit order.
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
// beginSecure begins a write transaction on SQLite that overwrites what
// it deletes: it takes the write lock and a connection of its own with
// secure_delete on (an erasure, a retention batch, the search index's
// merge). done rolls back what was not committed, turns secure_delete
// off, gives the connection back and lets other writers on; conn stays
// usable until then (truncateWAL after the commit).
func (d *DB) beginSecure(ctx context.Context) (conn *sqlx.Conn, sqltx *sqlx.Tx, done func(), err error) {
	release, err := d.lockWrites(ctx)
	if err != nil {
		return nil, nil, nil, err
	}
	if conn, err = d.db.Connx(ctx); err != nil {
		release()
		return nil, nil, nil, err
	}
	if _, err := conn.ExecContext(ctx, `PRAGMA secure_delete = ON`); err != nil {
		conn.Close()
		release()
		return nil, nil, nil, fmt.Errorf("secure_delete: %w", err)
	}
	if sqltx, err = conn.BeginTxx(ctx, nil); err != nil {
		d.plainDeletes(conn)
		conn.Close()
		release()
		return nil, nil, nil, mapError(fmt.Errorf("begin: %w", err))
	}
	return conn, sqltx, func() {
		sqltx.Rollback()
		d.plainDeletes(conn)
		conn.Close()
		release()
	}, nil
}

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
	// audit and msgs are the audit entries and messages of the tickets
	// the erasure reads (their own, others' they wrote on, others' that
	// name them), in order.
	audit []eraseAuditRow
	msgs  []eraseMessageRow
	// theirs are the person's requests' rows on others' tickets (their
	// audit entries, notes and files); kept, the rows of other people's
	// requests on the person's own tickets, which stay theirs.
	theirs, kept requestRows
	// plan is what Find found to change, for Erase to apply.
	plan *erasePlan
	// erased: Erase ran and changed something.
	erased bool
}

// requestRows are the rows requests wrote on tickets not their writer's.
type requestRows struct {
	audit, msgs map[int64]bool
	files       []fileLink
}

// fileLink is a file a request linked to a ticket, as its audit entry
// names it.
type fileLink struct {
	ticket int64
	name   string
	at     time.Time
}

func (r *requestRows) has(l fileLink) bool {
	return slices.ContainsFunc(r.files, func(f fileLink) bool {
		return f.ticket == l.ticket && f.name == l.name && f.at.Equal(l.at)
	})
}

// erasePlan is every row an erasure changes, and how.
type erasePlan struct {
	own, others  []int64
	mentioned    []int64 // others' tickets found by the search index to name them
	tickets      []ticketEdit
	scrubs       []ticketEdit // others' tickets' details and decision without the mentions
	messages     []messageEdit
	links        []int64  // ticket_evidence ids
	blobs        []string // evidence_blobs to delete
	audit        []auditEdit
	followups    []followupEdit
	outboxDelete []int64
	outboxBlank  []int64
	outboxScrub  []outboxEdit
	outboxUnkey  []int64 // dedupe keys that name them, on messages not theirs
	intakeKeys   []string
	failures     []int64
	// failureSubjects: others' mails set aside, their subjects without
	// the mentions.
	failureSubjects []failureEdit
	counts          tickets.ErasureCounts
	setAside        []string
	othersTickets   []tickets.ErasedTicket
	// touched are the tickets of others a mention was taken out of.
	touched map[int64]bool
}

type ticketEdit struct {
	id                                int64
	details, decision, rules, sources string
}

type failureEdit struct {
	id      int64
	subject string
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

type outboxEdit struct {
	id              int64
	data, lastError string
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
	Account   string `db:"account"`
	Sources   string `db:"sources"`
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
	p := &erasePlan{touched: map[int64]bool{}}
	for _, r := range own {
		p.own = append(p.own, r.ID)
	}
	steps := []func(*erasePlan, []erasedTicketRow) error{e.planTickets, e.planOthers, e.planMentioned, e.planRequests,
		e.planScrubs, e.planMessages, e.planEvidence, e.planAudit, e.planFollowups, e.planOutbox, e.planKeys, e.planFailures}
	for _, step := range steps {
		if err := step(p, own); err != nil {
			return nil, err
		}
	}
	// A ticket the index found whose text named them only in part of a
	// longer word is not touched.
	p.mentioned = slices.DeleteFunc(p.mentioned, func(id int64) bool { return !p.touched[id] })
	p.counts.MentionTickets = len(p.mentioned)
	e.plan = p
	f := &tickets.ErasureFound{Emails: e.id.Emails, DiscordIDs: e.id.DiscordIDs, Names: e.id.Names, Accounts: e.id.Accounts,
		Tickets: []tickets.ErasedTicket{}, Others: p.othersTickets, Mentioned: []tickets.ErasedTicket{}, SetAside: p.setAside,
		Counts: p.counts}
	for _, r := range own {
		f.Tickets = append(f.Tickets, tickets.ErasedTicket{ID: r.ID, Ref: tickets.FormatRef(r.ID), Kind: tickets.Kind(r.Kind),
			Status: tickets.Status(r.Status)})
	}
	if f.Others == nil {
		f.Others = []tickets.ErasedTicket{}
	}
	var ts []erasedTicketRow
	if err := e.sel(&ts, `SELECT id, kind, status FROM tickets WHERE id IN (?) ORDER BY id`, idsOr(p.mentioned)); err != nil {
		return nil, fmt.Errorf("tickets that name them: %w", err)
	}
	for _, r := range ts {
		f.Mentioned = append(f.Mentioned, tickets.ErasedTicket{ID: r.ID, Ref: tickets.FormatRef(r.ID),
			Kind: tickets.Kind(r.Kind), Status: tickets.Status(r.Status)})
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
		q := `SELECT id, kind, status, requester_email, requester_discord_id, requester_name, account, sources, details,
			decision, rules FROM tickets WHERE ` + strings.Join(conds, " OR ") + ` ORDER BY id`
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
	names, accounts := map[string]bool{}, map[string]bool{}
	for _, r := range rows {
		if r.Name != "" {
			names[r.Name] = true
		}
		// An account the desk took from an order's record may be someone
		// else's: only one they gave names them.
		src, err := readSources(r.Sources)
		if err != nil {
			return nil, fmt.Errorf("ticket %d: sources: %w", r.ID, err)
		}
		if r.Account != "" && src.Of(tickets.FieldSourceAccount) != tickets.SourceRecord {
			accounts[r.Account] = true
		}
	}
	e.id = tickets.Identity{Emails: keys(emails), DiscordIDs: keys(ids), Names: keys(names), Accounts: keys(accounts)}
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
		// The account goes, and with it where it came from.
		src, err := readSources(r.Sources)
		if err != nil {
			return fmt.Errorf("ticket %d: sources: %w", r.ID, err)
		}
		delete(src, tickets.FieldSourceAccount)
		sources, err := writeSources(src)
		if err != nil {
			return err
		}
		p.tickets = append(p.tickets, ticketEdit{id: r.ID, details: tickets.EraseWords(r.Details),
			decision: tickets.EraseWords(r.Decision), rules: string(rb), sources: sources})
	}
	p.counts.Tickets = len(own)
	return nil
}

// planOthers finds the tickets of others whose trail names the person
// (they wrote on them, or an entry names their address or id).
func (e *eraser) planOthers(p *erasePlan, _ []erasedTicketRow) error {
	cond, args := e.mentions("params", "detail")
	var rows []mentionRow
	q := `SELECT ticket_id, params, detail FROM ticket_audit WHERE ticket_id NOT IN (?) AND (` + cond + `)`
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
	seen := map[int64]bool{}
	for _, r := range rows {
		if !seen[r.TicketID] && (e.id.Mentions(r.Params) || e.id.Mentions(r.Detail)) {
			seen[r.TicketID] = true
			p.others = append(p.others, r.TicketID)
		}
	}
	slices.Sort(p.others)
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
	TicketID int64  `db:"ticket_id"`
	Params   string `db:"params"`
	Detail   string `db:"detail"`
}

// planMentioned finds, through the search index, the tickets of others
// whose text (details, messages) names the person: an address, a Discord
// id, an account handle, a distinctive name (Identity.SearchTerms). The
// index finds the words in a row; the scan of each ticket's text after
// it keeps only whole mentions.
func (e *eraser) planMentioned(p *erasePlan, _ []erasedTicketRow) error {
	found := map[int64]bool{}
	for _, term := range e.id.SearchTerms() {
		words := strings.TrimSpace(searchWords(term))
		if words == "" {
			continue
		}
		var ids []int64
		var err error
		if e.tx.db.dialect == Postgres {
			err = e.sel(&ids, `SELECT id FROM tickets WHERE search @@ phraseto_tsquery('simple', ?)`, words)
		} else {
			err = e.sel(&ids, `SELECT rowid FROM ticket_search WHERE ticket_search MATCH ?`, ftsPhrase(term))
		}
		if err != nil {
			return fmt.Errorf("find the tickets that name them: %w", err)
		}
		for _, id := range ids {
			found[id] = true
		}
	}
	for id := range found {
		if !slices.Contains(p.own, id) && !slices.Contains(p.others, id) {
			p.mentioned = append(p.mentioned, id)
		}
	}
	slices.Sort(p.mentioned)
	return nil
}

// eraseAuditRow is an audit entry the erasure reads.
type eraseAuditRow struct {
	ID       int64     `db:"id"`
	TicketID int64     `db:"ticket_id"`
	Actor    string    `db:"actor"`
	Action   string    `db:"action"`
	Code     string    `db:"code"`
	Params   string    `db:"params"`
	Detail   string    `db:"detail"`
	At       time.Time `db:"at"`
}

// eraseMessageRow is a message the erasure reads.
type eraseMessageRow struct {
	ID         int64     `db:"id"`
	TicketID   int64     `db:"ticket_id"`
	Author     string    `db:"author"`
	Body       string    `db:"body"`
	ExternalID string    `db:"external_id"`
	CreatedAt  time.Time `db:"created_at"`
}

// is reports whether an entry has a code, also when it was written before
// codes (code ”, the action alone).
func (r eraseAuditRow) is(codes ...string) bool {
	return slices.Contains(codes, r.Code) || r.Code == "" && slices.Contains(codes, r.Action)
}

// fileName is the name of the file an evidence entry names: its params',
// or before codes the words up to " (type, size)".
func (r eraseAuditRow) fileName() (string, error) {
	if r.Code == "" {
		if i := strings.LastIndex(r.Detail, " ("); i >= 0 {
			return r.Detail[:i], nil
		}
		return r.Detail, nil
	}
	var ap tickets.AuditParams
	if err := readParams(r.Params, &ap); err != nil {
		return "", err
	}
	return ap.Name, nil
}

// planRequests reads the audit trails and messages of the tickets the
// erasure touches, and finds what requests wrote on tickets not their
// writer's. A request about an order whose open ticket is someone else's
// writes, in one transaction with the ticket locked, its entry
// (other_requester, or before issue 17 joined; by its writer, or the agent
// who filed it), its note (same author, same instant), and right after its
// entry one evidence entry per file (same actor) with the file linked at
// that instant. The person's requests on others' tickets are theirs to
// erase; other people's on the person's tickets stay theirs. An entry,
// note or file by the person's own address or Discord id on another's
// ticket is theirs too; a bare name as an author is not (someone else may
// bear it).
func (e *eraser) planRequests(p *erasePlan, _ []erasedTicketRow) error {
	all := slices.Concat(p.own, p.others, p.mentioned)
	if err := e.sel(&e.audit, `SELECT id, ticket_id, actor, action, code, params, detail, at FROM ticket_audit
		WHERE ticket_id IN (?) ORDER BY id`, idsOr(all)); err != nil {
		return fmt.Errorf("find audit entries: %w", err)
	}
	if err := e.sel(&e.msgs, `SELECT id, ticket_id, author, body, external_id, created_at FROM ticket_messages
		WHERE ticket_id IN (?) ORDER BY id`, idsOr(all)); err != nil {
		return fmt.Errorf("find messages: %w", err)
	}
	e.theirs = requestRows{audit: map[int64]bool{}, msgs: map[int64]bool{}}
	e.kept = requestRows{audit: map[int64]bool{}, msgs: map[int64]bool{}}
	byTicket := map[int64][]eraseAuditRow{}
	for _, r := range e.audit {
		byTicket[r.TicketID] = append(byTicket[r.TicketID], r)
	}
	claimed := map[int64]bool{}
	for _, tid := range slices.Concat(p.own, p.others) {
		own := slices.Contains(p.own, tid)
		rows := byTicket[tid]
		for i, r := range rows {
			var set *requestRows
			switch {
			case own && r.is(tickets.AuditOtherRequester):
				if named, err := e.names(r); err != nil {
					return err
				} else if !named {
					set = &e.kept
				}
			case !own && r.is(tickets.AuditOtherRequester, tickets.AuditJoined):
				if named, err := e.names(r); err != nil {
					return err
				} else if named {
					set = &e.theirs
				}
			}
			if set == nil {
				continue
			}
			set.audit[r.ID] = true
			for _, ev := range rows[i+1:] {
				if ev.Actor != r.Actor || !ev.is(tickets.AuditEvidence) {
					break
				}
				name, err := ev.fileName()
				if err != nil {
					return err
				}
				set.audit[ev.ID] = true
				set.files = append(set.files, fileLink{ticket: tid, name: name, at: ev.At.UTC()})
			}
			for _, m := range e.msgs {
				if m.TicketID == tid && !claimed[m.ID] && m.Author == r.Actor && m.CreatedAt.Equal(r.At) {
					claimed[m.ID], set.msgs[m.ID] = true, true
					break
				}
			}
		}
		if own {
			continue
		}
		// What their own address or id wrote there.
		for _, r := range rows {
			if !e.byThem(r.Actor) {
				continue
			}
			e.theirs.audit[r.ID] = true
			if r.is(tickets.AuditEvidence) {
				name, err := r.fileName()
				if err != nil {
					return err
				}
				e.theirs.files = append(e.theirs.files, fileLink{ticket: tid, name: name, at: r.At.UTC()})
			}
		}
		for _, m := range e.msgs {
			if m.TicketID == tid && e.byThem(m.Author) {
				e.theirs.msgs[m.ID] = true
			}
		}
	}
	return nil
}

// names reports whether a request's entry is from the person: its
// requester, or before codes its words, name their address or id.
func (e *eraser) names(r eraseAuditRow) (bool, error) {
	if r.Code == "" {
		return e.id.Mentions(r.Detail), nil
	}
	var ap tickets.AuditParams
	if err := readParams(r.Params, &ap); err != nil {
		return false, err
	}
	return e.id.Mentions(ap.Requester), nil
}

// byThem reports whether an actor on someone else's ticket is the person:
// their address or Discord id. A bare name names the person only on their
// own tickets; on another's it may be someone else of that name.
func (e *eraser) byThem(actor string) bool {
	return e.id.IsActor(actor) && (strings.Contains(actor, "@") || strings.HasPrefix(actor, "discord:"))
}

// scrub returns s without mentions of the person, and notes that a
// ticket of someone else's was touched.
func (e *eraser) scrub(p *erasePlan, ticket int64, s string) string {
	out, ok := e.id.Scrub(s)
	if ok {
		p.counts.Mentions++
		p.touched[ticket] = true
	}
	return out
}

// planScrubs takes the mentions of the person out of others' tickets'
// details and decisions.
func (e *eraser) planScrubs(p *erasePlan, _ []erasedTicketRow) error {
	var rows []erasedTicketRow
	if err := e.sel(&rows, `SELECT id, details, decision FROM tickets WHERE id IN (?) ORDER BY id`,
		idsOr(slices.Concat(p.others, p.mentioned))); err != nil {
		return fmt.Errorf("others' tickets: %w", err)
	}
	for _, r := range rows {
		ed := ticketEdit{id: r.ID, details: e.scrub(p, r.ID, r.Details), decision: e.scrub(p, r.ID, r.Decision)}
		if ed.details != r.Details || ed.decision != r.Decision {
			p.scrubs = append(p.scrubs, ed)
		}
	}
	return nil
}

// planMessages: every message's words on their own tickets (their own
// name as the author too) but the notes other people's requests left
// there, and their notes on others'; elsewhere, the mentions of them.
func (e *eraser) planMessages(p *erasePlan, _ []erasedTicketRow) error {
	for _, r := range e.msgs {
		m := messageEdit{id: r.ID, body: r.Body, author: r.Author, externalID: r.ExternalID}
		mine := slices.Contains(p.own, r.TicketID)
		switch {
		case mine && !e.kept.msgs[r.ID] || !mine && e.theirs.msgs[r.ID]:
			m.body = tickets.EraseWords(r.Body)
			if e.id.IsActor(r.Author) {
				m.author = tickets.Erased
			}
			if e.id.Mentions(r.ExternalID) {
				m.externalID = ""
			}
			if m.body != r.Body || m.author != r.Author || m.externalID != r.ExternalID {
				p.counts.Messages++
			}
		default:
			m.body = e.scrub(p, r.TicketID, r.Body)
		}
		if m.body != r.Body || m.author != r.Author || m.externalID != r.ExternalID {
			p.messages = append(p.messages, m)
		}
	}
	return nil
}

// planEvidence unlinks every file of their own tickets but those other
// people's requests brought, and theirs on others', and deletes the files
// no other link keeps.
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
	gone := map[string]int{}
	for _, r := range rows {
		l := fileLink{ticket: r.TicketID, name: r.Name, at: r.AddedAt.UTC()}
		if slices.Contains(p.own, r.TicketID) && e.kept.has(l) || !slices.Contains(p.own, r.TicketID) && !e.theirs.has(l) {
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
// in words or a contact, but in the entries of other people's requests
// there, which lose only the mentions of them; on others', the entries of
// their requests likewise, and elsewhere their contacts and the mentions
// of them.
func (e *eraser) planAudit(p *erasePlan, _ []erasedTicketRow) error {
	for _, r := range e.audit {
		mine := slices.Contains(p.own, r.TicketID)
		all := mine && !e.kept.audit[r.ID] || !mine && e.theirs.audit[r.ID]
		ed := auditEdit{id: r.ID, actor: r.Actor, params: r.Params, detail: r.Detail}
		if all && e.id.IsActor(r.Actor) {
			ed.actor = tickets.Erased
		}
		var ap tickets.AuditParams
		if err := readParams(r.Params, &ap); err != nil {
			return err
		}
		np, changed := ap.Erase(e.id, all)
		if all {
			ed.detail = tickets.EraseWords(r.Detail)
		} else {
			ed.detail = e.scrub(p, r.TicketID, r.Detail)
			if sp, ok := np.Scrub(&e.id); ok {
				np, changed = sp, true
				p.counts.Mentions++
				p.touched[r.TicketID] = true
			}
		}
		if changed {
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
// contacts; on others', the mentions of them.
func (e *eraser) planFollowups(p *erasePlan, _ []erasedTicketRow) error {
	var rows []followupRow
	if err := e.sel(&rows, `SELECT `+followupColumns+` FROM followups WHERE ticket_id IN (?) ORDER BY id`,
		idsOr(slices.Concat(p.own, p.others, p.mentioned))); err != nil {
		return fmt.Errorf("find follow-ups: %w", err)
	}
	for _, r := range rows {
		mine := slices.Contains(p.own, r.TicketID)
		ed := followupEdit{id: r.ID, result: r.Result, params: r.Params}
		if mine {
			ed.result = tickets.EraseWords(r.Result)
		} else {
			ed.result = e.scrub(p, r.TicketID, r.Result)
		}
		var ap tickets.AuditParams
		if err := readParams(r.Params, &ap); err != nil {
			return err
		}
		np, changed := ap.Erase(e.id, mine)
		if sp, ok := np.Scrub(&e.id); ok && !mine {
			np, changed = sp, true
			p.touched[r.TicketID] = true
		}
		if changed {
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
// someone else, goes; a message of someone else's ticket that names them
// loses the mentions.
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
		WHERE ticket_id IN (?) OR ticket_id IN (?) OR ` + cond + ` ORDER BY id`
	if err := e.sel(&rows, q, append([]any{idsOr(p.own), idsOr(slices.Concat(p.others, p.mentioned))}, args...)...); err != nil {
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
			continue
		case r.Key.Valid && e.id.Mentions(r.Key.String):
			p.outboxUnkey = append(p.outboxUnkey, r.ID)
		}
		if !r.TicketID.Valid {
			continue
		}
		data, err := scrubJSON(&e.id, r.Data)
		if err != nil {
			return fmt.Errorf("outbox message %d: %w", r.ID, err)
		}
		ed := outboxEdit{id: r.ID, data: data, lastError: r.LastError}
		if !mine {
			ed.lastError = e.scrub(p, r.TicketID.Int64, r.LastError)
		}
		if ed.data != r.Data {
			p.counts.Mentions++
			if !mine {
				p.touched[r.TicketID.Int64] = true
			}
		}
		if ed.data != r.Data || ed.lastError != r.LastError {
			p.outboxScrub = append(p.outboxScrub, ed)
		}
	}
	p.counts.OutboxDeleted, p.counts.OutboxBlanked = len(p.outboxDelete), len(p.outboxBlank)
	return nil
}

// scrubJSON returns a JSON document with the mentions of the person taken
// out of every string in it (the same text when there is none).
func scrubJSON(id *tickets.Identity, text string) (string, error) {
	if text == "" || !strings.Contains(text, `"`) {
		return text, nil
	}
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return "", err
	}
	changed := false
	var walk func(any) any
	walk = func(v any) any {
		switch x := v.(type) {
		case string:
			if out, ok := id.Scrub(x); ok {
				changed = true
				return out
			}
		case []any:
			for i := range x {
				x[i] = walk(x[i])
			}
		case map[string]any:
			for k := range x {
				x[k] = walk(x[k])
			}
		}
		return v
	}
	v = walk(v)
	if !changed {
		return text, nil
	}
	b, err := json.Marshal(v)
	return string(b), err
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

// planFailures: the records of their mails the intake set aside; and
// others' records whose subject names them ("Fwd: refund for …"), which
// stay without the mention. Every record is read: a subject may name
// them by account or name, which no SQL condition finds, and an erasure
// is rare.
func (e *eraser) planFailures(p *erasePlan, _ []erasedTicketRow) error {
	var rows []struct {
		ID       int64  `db:"id"`
		Sender   string `db:"sender"`
		Key      string `db:"item_key"`
		Source   string `db:"source"`
		SetAside string `db:"set_aside"`
		Subject  string `db:"subject"`
	}
	if err := e.sel(&rows, `SELECT id, sender, item_key, source, set_aside, subject FROM inbound_failures ORDER BY id`); err != nil {
		return fmt.Errorf("find mail set aside: %w", err)
	}
	for _, r := range rows {
		if !e.id.Mentions(r.Sender) && !e.id.Mentions(r.Key) {
			if subject, ok := e.id.Scrub(r.Subject); ok {
				p.failureSubjects = append(p.failureSubjects, failureEdit{id: r.ID, subject: subject})
				p.counts.Mentions++
			}
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
	for _, t := range p.scrubs {
		if _, err := e.exec(`UPDATE tickets SET details = ?, decision = ?, version = version + 1 WHERE id = ?`,
			t.details, t.decision, t.id); err != nil {
			return tickets.ErasureCounts{}, fmt.Errorf("%s: %w", tickets.FormatRef(t.id), err)
		}
	}
	for _, t := range p.tickets {
		if _, err := e.exec(`UPDATE tickets SET requester_email = '', requester_email_key = '', requester_discord_id = '',
			requester_name = '', account = '', account_key = '', details = ?, decision = ?, rules = ?, sources = ?,
			version = version + 1 WHERE id = ?`, t.details, t.decision, t.rules, t.sources, t.id); err != nil {
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
	for _, o := range p.outboxScrub {
		if _, err := e.exec(`UPDATE outbox SET data = ?, last_error = ? WHERE id = ?`, o.data, o.lastError, o.id); err != nil {
			return tickets.ErasureCounts{}, fmt.Errorf("outbox message %d: %w", o.id, err)
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
	for _, f := range p.failureSubjects {
		if _, err := e.exec(`UPDATE inbound_failures SET subject = ? WHERE id = ?`, f.subject, f.id); err != nil {
			return tickets.ErasureCounts{}, fmt.Errorf("mail set aside: %w", err)
		}
	}
	for _, id := range slices.Concat(p.own, p.others, p.mentioned) {
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
