package sqlstore

import (
	"context"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"refunddesk/tickets"
)

// columns of the simple enumerated and exact fields.
var fieldColumn = map[string]string{
	tickets.FieldStatus:   "t.status",
	tickets.FieldKind:     "t.kind",
	tickets.FieldReason:   "t.reason",
	tickets.FieldVerdict:  "t.verdict",
	tickets.FieldChannel:  "t.channel",
	tickets.FieldLanguage: "t.language",
	tickets.FieldAccount:  "t.account_key",
	tickets.FieldAssignee: "t.assignee",
	tickets.FieldRef:      "t.id",
}

// where builds a WHERE clause from fixed fragments and ? placeholders: a
// query's values never become SQL text.
type where struct {
	conds []string
	args  []any
	// match is the positive free text as one FTS5 expression (SQLite).
	match string
	// flag is a positive one-value flag term left out of conds, for the
	// search to walk the flag index instead (SQLite).
	flag string
}

// add ANDs a condition into the WHERE clause, in parentheses: a
// condition may be an OR of its own ("order:7,73*"), which would
// otherwise bind to its neighbours.
func (w *where) add(cond string, args ...any) {
	w.conds = append(w.conds, "("+cond+")")
	w.args = append(w.args, args...)
}

func marks(n int) string { return strings.TrimSuffix(strings.Repeat("?, ", n), ", ") }

func anys[T any](vs []T) []any {
	out := make([]any, len(vs))
	for i, v := range vs {
		out[i] = v
	}
	return out
}

// not negates a condition; every condition is written to be never NULL.
func not(negate bool, cond string) string {
	if negate {
		return "NOT (" + cond + ")"
	}
	return cond
}

// cursor is where a page ended.
type cursor struct {
	sort    string
	updated time.Time
	id      int64
}

func encodeCursor(c cursor) string {
	s := c.sort + "|" + strconv.FormatInt(c.id, 10)
	if c.sort == "updated" {
		s += "|" + c.updated.UTC().Format(time.RFC3339Nano)
	}
	return base64.RawURLEncoding.EncodeToString([]byte(s))
}

func decodeCursor(s string, sort string) (cursor, error) {
	bad := tickets.Invalid("after", "query.bad_cursor")
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return cursor{}, bad
	}
	parts := strings.Split(string(b), "|")
	if len(parts) < 2 || parts[0] != sort {
		return cursor{}, bad
	}
	c := cursor{sort: parts[0]}
	if c.id, err = strconv.ParseInt(parts[1], 10, 64); err != nil {
		return cursor{}, bad
	}
	if sort == "updated" {
		if len(parts) != 3 {
			return cursor{}, bad
		}
		if c.updated, err = time.Parse(time.RFC3339Nano, parts[2]); err != nil {
			return cursor{}, bad
		}
	}
	return c, nil
}

// ftsPhrase quotes a term for an FTS5 MATCH expression: a phrase, or a
// prefix when the term ends in *.
func ftsPhrase(v string) string {
	prefix := strings.HasSuffix(v, "*")
	v = searchWords(strings.TrimSuffix(v, "*"))
	q := `"` + v + `"`
	if prefix {
		q += " *"
	}
	return q
}

// searchWords keeps only the words of a text: letters and the digits 0-9,
// in lower case, with the accents of Latin letters taken off (café is
// cafe, as SQLite's remove_diacritics reads it); every other character is a
// space. Both stores index and query what it leaves, so they split words
// alike: PostgreSQL's parser would keep mail addresses, host names and
// links whole, and SQLite's tokenizer would keep x² or a word with a
// private-use character in it whole, where the other splits them. And
// both see the letters SQLite's tokenizer sees (sqliteFolds): its Unicode
// 6.1 tables fold ς to σ and take New Tai Lue's vowels for separators,
// where PostgreSQL would keep them.
func searchWords(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			s = foldLatin(s)
			break
		}
	}
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		if !unicode.IsLetter(r) {
			return ' '
		}
		r = unicode.ToLower(r)
		if r >= utf8.RuneSelf {
			if f, ok := sqliteFolds[r]; ok {
				if f == 0 {
					return ' '
				}
				return f
			}
		}
		return r
	}, s)
}

// foldLatin takes the accents (combining marks) off Latin letters.
func foldLatin(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	latin := false
	for _, r := range norm.NFD.String(s) {
		if unicode.Is(unicode.Mn, r) {
			if !latin {
				b.WriteRune(r)
			}
			continue
		}
		latin = unicode.Is(unicode.Latin, r)
		b.WriteRune(r)
	}
	return norm.NFC.String(b.String())
}

// maxSearchWords bounds the text a ticket's tsvector is made of: PostgreSQL
// refuses a tsvector over 1 MiB, and a ticket whose text grew past it could
// not be written again. Words past it are not found by a search.
const maxSearchWords = 512 << 10

// capWords cuts s to at most n bytes, at a space.
func capWords(s string, n int) string {
	if len(s) <= n {
		return s
	}
	if i := strings.LastIndexByte(s[:n+1], ' '); i >= 0 {
		return s[:i]
	}
	return ""
}

// The times a store holds lie between these. SQLite keeps times as text,
// which sorts right only for years of four digits; PostgreSQL's reach much
// further. A query's bound outside them is written as no bound, or as a
// condition nothing meets, so both stores answer alike.
var (
	minStoredTime = time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)
	maxStoredTime = time.Date(9999, 12, 31, 23, 59, 59, 999999000, time.UTC)
)

// ceilMicro rounds t up to a whole microsecond, the precision of stored
// times (PostgreSQL would cut a finer bound down, SQLite compare it as
// written): x >= t and x < t hold for a stored x exactly when they hold
// against ceilMicro(t).
func ceilMicro(t time.Time) time.Time {
	t = t.UTC()
	c := t.Truncate(time.Microsecond)
	if c.Before(t) {
		c = c.Add(time.Microsecond)
	}
	return c
}

// timeRange writes from <= col < to (nil: unbounded) for both stores.
func timeRange(col string, from, to *time.Time) (string, []any) {
	var lo, hi time.Time
	if from != nil {
		lo = ceilMicro(*from)
		if lo.After(maxStoredTime) {
			return "1 = 0", nil
		}
		if !lo.After(minStoredTime) {
			from = nil
		}
	}
	if to != nil {
		hi = ceilMicro(*to)
		if !hi.After(minStoredTime) {
			return "1 = 0", nil
		}
		if hi.After(maxStoredTime) {
			to = nil
		}
	}
	var parts []string
	var args []any
	if from != nil {
		parts, args = append(parts, col+" >= ?"), append(args, lo)
	}
	if to != nil {
		parts, args = append(parts, col+" < ?"), append(args, hi)
	}
	if len(parts) == 0 {
		return "1 = 1", nil
	}
	return strings.Join(parts, " AND "), args
}

// prefixQuery is a tsquery for a free-text prefix term: its words in a
// row, the last one a prefix, as FTS5 reads "a-b" * (a phrase whose last
// token is a prefix).
func prefixQuery(v string) string {
	words := strings.Fields(searchWords(strings.TrimSuffix(v, "*")))
	if len(words) == 0 {
		return ""
	}
	return strings.Join(words, " <-> ") + ":*"
}

// compile turns a parsed query into a WHERE clause with its arguments.
func (d *DB) compile(q *tickets.Query, opt tickets.SearchOptions) (*where, error) {
	w := &where{}
	var match []string // positive free-text terms, ANDed into one MATCH (SQLite)
	for _, term := range q.Terms {
		if term.Field == tickets.FieldText {
			phrase, err := d.textCond(w, term)
			if err != nil {
				return nil, err
			}
			if phrase != "" {
				match = append(match, phrase)
			}
			continue
		}
		if err := d.termCond(w, term, opt); err != nil {
			return nil, err
		}
	}
	if r := opt.Requester; r != nil {
		cond, args, err := requesterCond(r)
		if err != nil {
			return nil, err
		}
		w.add(cond, args...)
	}
	w.match = strings.Join(match, " AND ")
	return w, nil
}

// textCond writes a free-text term. On SQLite a positive one is left to
// the page's one MATCH: it is returned as an FTS5 phrase, and nothing is
// added to w.
func (d *DB) textCond(w *where, term tickets.Term) (string, error) {
	v := term.Values[0]
	if strings.TrimSpace(searchWords(strings.TrimSuffix(v, "*"))) == "" {
		return "", tickets.Invalid("query", "query.no_letters", "Pos", term.Pos+1, "Raw", term.Raw)
	}
	if d.dialect == Postgres {
		return "", tsqueryCond(w, term, v)
	}
	if term.Negate {
		w.add("t.id NOT IN (SELECT rowid FROM ticket_search WHERE ticket_search MATCH ?)", ftsPhrase(v))
		return "", nil
	}
	return ftsPhrase(v), nil
}

// tsqueryCond writes a free-text term for PostgreSQL: a phrase, or words
// in a row whose last is a prefix.
func tsqueryCond(w *where, term tickets.Term, v string) error {
	if !strings.HasSuffix(v, "*") {
		w.add(not(term.Negate, "t.search @@ phraseto_tsquery('simple', ?)"), searchWords(v))
		return nil
	}
	pq := prefixQuery(v)
	if pq == "" {
		return tickets.Invalid("query", "query.nothing_to_search", "Pos", term.Pos+1, "Raw", term.Raw)
	}
	w.add(not(term.Negate, "t.search @@ to_tsquery('simple', ?)"), pq)
	return nil
}

// termCond writes a term of any field but free text.
func (d *DB) termCond(w *where, term tickets.Term, opt tickets.SearchOptions) error {
	switch term.Field {
	case tickets.FieldOverdue:
		d.overdueCond(w, term, opt.Now.Add(-opt.FirstResponse).UTC())
	case tickets.FieldOlder:
		timeCond(w, term, "t.created_at", nil, term.To)
	case tickets.FieldUpdated:
		timeCond(w, term, "t.updated_at", term.From, term.To)
	case tickets.FieldCreated:
		timeCond(w, term, "t.created_at", term.From, term.To)
	case tickets.FieldFlag:
		d.flagCond(w, term)
	case tickets.FieldOrder:
		orderCond(w, term)
	case tickets.FieldRef:
		refCond(w, term)
	default:
		col, ok := fieldColumn[term.Field]
		if !ok {
			return tickets.Invalid("query", "query.unknown_field", "Pos", term.Pos+1, "Raw", term.Raw, "Field", term.Field)
		}
		w.add(not(term.Negate, col+" IN ("+marks(len(term.Values))+")"), anys(term.Values)...)
	}
	return nil
}

// overdueCond: waiting for an agent since before at.
func (d *DB) overdueCond(w *where, term tickets.Term, at time.Time) {
	// The first two conditions are tickets_overdue's, word for word. On
	// SQLite the "+" keeps the planner off tickets_waiting: a range over
	// nearly every waiting ticket, then a sort, where walking
	// tickets_overdue newest first stops after a page.
	cond := "t.status IN ('new', 'in_review') AND t.waiting_since IS NOT NULL AND t.waiting_since < ?"
	if d.dialect == SQLite {
		cond = "t.status IN ('new', 'in_review') AND t.waiting_since IS NOT NULL AND +t.waiting_since < ?"
	}
	w.add(not(term.Negate, cond), at)
}

// timeCond: from <= col < to.
func timeCond(w *where, term tickets.Term, col string, from, to *time.Time) {
	cond, args := timeRange(col, from, to)
	w.add(not(term.Negate, cond), args...)
}

// flagCond writes a flag term. On SQLite the first positive one-value flag
// term is left to w.flag, for the page to walk the flag index.
func (d *DB) flagCond(w *where, term tickets.Term) {
	switch {
	case term.Negate:
		// A probe of the flag index per ticket: cheap however many carry the flag.
		w.add("NOT EXISTS (SELECT 1 FROM ticket_flags f WHERE f.ticket_id = t.id AND f.flag IN ("+marks(len(term.Values))+"))",
			anys(term.Values)...)
	case len(term.Values) == 1 && d.dialect == SQLite && w.flag == "":
		w.flag = term.Values[0]
	default:
		w.add("t.id IN (SELECT f.ticket_id FROM ticket_flags f WHERE f.flag IN ("+marks(len(term.Values))+"))",
			anys(term.Values)...)
	}
}

// orderCond matches order numbers, exactly or by a prefix ("7301*").
func orderCond(w *where, term tickets.Term) {
	var exact []any
	var ors []string
	var args []any
	for _, v := range term.Values {
		if p, ok := strings.CutSuffix(v, "*"); ok {
			// A digit prefix as a range: "7301" <= order < "7301:" (':' follows '9'),
			// in a subquery so the planner reads it off the order index.
			ors = append(ors, "t.id IN (SELECT p.id FROM tickets p WHERE p.order_number >= ? AND p.order_number < ?)")
			args = append(args, p, p+":")
		} else {
			exact = append(exact, v)
		}
	}
	if len(exact) > 0 {
		ors = append([]string{"t.order_number IN (" + marks(len(exact)) + ")"}, ors...)
		args = append(exact, args...)
	}
	w.add(not(term.Negate, strings.Join(ors, " OR ")), args...)
}

// refCond matches ticket ids (the parser gave them as digits).
func refCond(w *where, term tickets.Term) {
	ids := make([]any, len(term.Values))
	for i, v := range term.Values {
		n, _ := strconv.ParseInt(v, 10, 64)
		ids[i] = n
	}
	w.add(not(term.Negate, "t.id IN ("+marks(len(ids))+")"), ids...)
}

// requesterCond keeps one requester's tickets, by any identity given.
func requesterCond(r *tickets.Requester) (string, []any, error) {
	// Each identity repeats its index's "<> ''" condition: neither
	// planner can tell by itself that a bound value is not empty, and
	// without it a requester's few tickets are looked for by reading
	// every ticket.
	var ors []string
	var args []any
	if r.DiscordID != "" {
		ors, args = append(ors, "(t.requester_discord_id = ? AND t.requester_discord_id <> '')"), append(args, r.DiscordID)
	}
	if r.Email != "" {
		ors, args = append(ors, "(t.requester_email_key = ? AND t.requester_email_key <> '')"), append(args, strings.ToLower(r.Email))
	}
	if len(ors) == 0 {
		return "", nil, tickets.Invalid("requester", "requester.no_identity_store")
	}
	return "(" + strings.Join(ors, " OR ") + ")", args, nil
}

// Search returns one page of the tickets a query matches. The sort follows
// an index (the ticket id for created, updated_at for updated), and pages
// continue from a cursor rather than an offset, so a deep page costs what
// the first does. The page's ids are found first and only those rows are
// read in full.
func (d *DB) Search(ctx context.Context, q *tickets.Query, opt tickets.SearchOptions) (*tickets.SearchResult, error) {
	query, args, sort, limit, err := d.searchSQL(q, opt)
	if err != nil {
		return nil, err
	}
	res := &tickets.SearchResult{Tickets: []tickets.Ticket{}}
	err = d.View(ctx, func(txi tickets.Tx) error {
		tx := txi.(*Tx)
		var rows []ticketRow
		if err := tx.sel(&rows, query, args...); err != nil {
			return fmt.Errorf("search: %w", err)
		}
		more := len(rows) > limit
		if more {
			rows = rows[:limit]
		}
		list, err := tx.toTickets(rows)
		if err != nil {
			return err
		}
		res.Tickets = list
		if more {
			last := rows[len(rows)-1]
			res.Next = encodeCursor(cursor{sort: sort.Field, updated: last.UpdatedAt, id: last.ID})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// searchSQL writes the statement Search runs: the page's ids in an inner
// query, the rows of those ids outside.
func (d *DB) searchSQL(q *tickets.Query, opt tickets.SearchOptions) (string, []any, tickets.SortKey, int, error) {
	limit := pageLimit(opt.Limit)
	if opt.Now.IsZero() {
		opt.Now = d.clock.Now()
	}
	w, err := d.compile(q, opt)
	if err != nil {
		return "", nil, tickets.SortKey{}, 0, err
	}
	sort := q.Sort
	if sort.Field == "" {
		sort = tickets.DefaultSort
	}
	from, idCol := w.pageSource(sort)
	if opt.After != "" {
		if err := w.after(opt.After, sort, idCol); err != nil {
			return "", nil, tickets.SortKey{}, 0, err
		}
	}
	inner := `SELECT t.id FROM ` + from
	if len(w.conds) > 0 {
		inner += ` WHERE ` + strings.Join(w.conds, " AND ")
	}
	inner += ` ORDER BY ` + pageOrder(sort, idCol) + ` LIMIT ?`
	args := append(w.args, limit+1)
	query := `SELECT ` + prefixed("t.", ticketColumns) + ` FROM tickets t WHERE t.id IN (` + inner + `) ORDER BY ` + pageOrder(sort, "t.id")
	return query, args, sort, limit, nil
}

// pageLimit is the page size asked for, DefaultPageSize when none, at most MaxPageSize.
func pageLimit(n int) int {
	if n <= 0 {
		n = tickets.DefaultPageSize
	}
	return min(n, tickets.MaxPageSize)
}

// direction is a sort's SQL direction, and the comparison that finds the
// rows after a cursor in it.
func direction(sort tickets.SortKey) (dir, cmp string) {
	if sort.Desc {
		return "DESC", "<"
	}
	return "ASC", ">"
}

// pageOrder is the ORDER BY of a page: the ticket id (as idCol names it)
// when sorted by creation, updated_at then the id otherwise.
func pageOrder(sort tickets.SortKey, idCol string) string {
	dir, _ := direction(sort)
	if sort.Field == "updated" {
		return "t.updated_at " + dir + ", t.id " + dir
	}
	return idCol + " " + dir
}

// pageSource says what the page is read off, and puts the free text and
// flag conditions left out of w.conds first: the tickets in id order, or
// (SQLite, newest or oldest first) the search index or the flag index in
// ticket order, which stops after a page however common the word or the
// flag is. idCol names the ticket id in it.
func (w *where) pageSource(sort tickets.SortKey) (from, idCol string) {
	from, idCol = "tickets t", "t.id"
	var pre []string
	var preArgs []any
	switch {
	case w.match != "" && sort.Field == "created":
		from, idCol = "ticket_search s CROSS JOIN tickets t ON t.id = s.rowid", "s.rowid"
		pre, preArgs = append(pre, "s.ticket_search MATCH ?"), append(preArgs, w.match)
	case w.match != "":
		pre, preArgs = append(pre, "t.id IN (SELECT rowid FROM ticket_search WHERE ticket_search MATCH ?)"), append(preArgs, w.match)
	}
	switch {
	case w.flag != "" && sort.Field == "created" && w.match == "":
		from, idCol = "ticket_flags fd CROSS JOIN tickets t ON t.id = fd.ticket_id", "fd.ticket_id"
		pre, preArgs = append(pre, "fd.flag = ?"), append(preArgs, w.flag)
	case w.flag != "":
		pre, preArgs = append(pre, "t.id IN (SELECT f.ticket_id FROM ticket_flags f WHERE f.flag = ?)"), append(preArgs, w.flag)
	}
	w.conds, w.args = append(pre, w.conds...), append(preArgs, w.args...)
	return from, idCol
}

// after adds the condition that continues a page from the previous page's cursor.
func (w *where) after(after string, sort tickets.SortKey, idCol string) error {
	c, err := decodeCursor(after, sort.Field)
	if err != nil {
		return err
	}
	_, cmp := direction(sort)
	if sort.Field == "updated" {
		// The leading bound lets both planners start the index range at
		// the cursor; the OR alone would walk it from the start.
		w.add("t.updated_at "+cmp+"= ? AND (t.updated_at "+cmp+" ? OR (t.updated_at = ? AND t.id "+cmp+" ?))",
			c.updated.UTC(), c.updated.UTC(), c.updated.UTC(), c.id)
		return nil
	}
	w.add(idCol+" "+cmp+" ?", c.id)
	return nil
}

// ExplainSearch returns SQLite's query plan for the statement Search would
// run (one line per step, as EXPLAIN QUERY PLAN gives it, indented two
// spaces a level: the page's ids are the inner query), for tests that
// keep the hot queries on their indexes and for looking into a slow query.
func (d *DB) ExplainSearch(ctx context.Context, q *tickets.Query, opt tickets.SearchOptions) ([]string, error) {
	if d.dialect != SQLite {
		return nil, fmt.Errorf("explain: only on SQLite")
	}
	query, args, _, _, err := d.searchSQL(q, opt)
	if err != nil {
		return nil, err
	}
	rows, err := d.db.QueryContext(ctx, `EXPLAIN QUERY PLAN `+query, args...)
	if err != nil {
		return nil, fmt.Errorf("explain: %w", err)
	}
	defer rows.Close()
	var plan []string
	depth := map[int]int{0: -1}
	for rows.Next() {
		var id, parent, notused int
		var detail string
		if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
			return nil, fmt.Errorf("explain: %w", err)
		}
		depth[id] = depth[parent] + 1
		plan = append(plan, strings.Repeat("  ", depth[id])+detail)
	}
	return plan, rows.Err()
}

// prefixed qualifies a column list with a table alias.
func prefixed(alias, cols string) string {
	parts := strings.Split(cols, ",")
	for i, p := range parts {
		parts[i] = alias + strings.TrimSpace(p)
	}
	return strings.Join(parts, ", ")
}

// StaleTickets returns tickets whose verdict must be computed again.
func (d *DB) StaleTickets(ctx context.Context, limit int) ([]int64, error) {
	var ids []int64
	err := d.db.SelectContext(ctx, &ids, d.rebind(`SELECT id FROM tickets WHERE stale AND stale = TRUE ORDER BY id LIMIT ?`), limit)
	return ids, err
}
