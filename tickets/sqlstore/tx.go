package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"refunddesk/tickets"
)

// Tx is one transaction of the store; it implements tickets.Tx.
type Tx struct {
	tx    *sqlx.Tx
	db    *DB
	ctx   context.Context
	write bool
	// dirty tickets get their search text rebuilt before the commit.
	dirty map[int64]bool
	// flags as last read or written, so unchanged flags are not rewritten.
	flags map[int64]string
	// written holds each ticket's columns as this transaction last wrote
	// them, so a second save writes only what changed: SQLite rewrites the
	// entries of every index on a column an UPDATE sets, changed or not.
	written map[int64][]any
	// stmts are the statements prepared in this transaction (SQLite), by
	// query: a group of changes runs the same few queries many times.
	stmts map[string]*sqlx.Stmt
	// fresh: the tickets this transaction created, with what their search
	// text is made of as last written (their columns and their messages),
	// so that it is built without reading them back.
	fresh map[int64]*searchParts
	// promotions are the promotion records read in this transaction, by
	// order (nil: not on record), on SQLite, where nothing else writes while
	// it runs and a read transaction reads one snapshot; promotions are
	// written only by imports, in transactions of their own. The mail
	// intake reads a mail's record to understand it, then again to decide.
	promotions map[string]*tickets.Promotion
	// unscheduled: the tickets this transaction created whose follow-ups
	// it has not scheduled yet (they have none, and ScheduleFollowups need
	// not look).
	unscheduled map[int64]bool
	// statsWas: what each ticket this transaction changed counted as in
	// the dashboard's counts before (nil: created here); see flushStats.
	statsWas map[int64]*statsRow
	// writes counts the statements run that may have written (all but
	// SELECTs): a group's change that failed without any has nothing to
	// undo.
	writes int
}

// searchParts are what a ticket's search text is made of, besides its
// reference: the columns, then the messages in order.
type searchParts struct {
	account, order, email, name, details string
	bodies                               []string
}

func (p *searchParts) set(tk *tickets.Ticket) {
	p.account, p.order, p.email, p.name, p.details = tk.Account, tk.Order, tk.Requester.Email, tk.Requester.Name, tk.Details
}

var _ tickets.Tx = (*Tx)(nil)

func (t *Tx) q(query string) string { return t.db.rebind(query) }

// stmt returns query prepared for this transaction. Only SQLite's are
// kept: preparing is most of the cost of a small statement there, so the
// pool keeps them across transactions (see DB.prepared), while the
// PostgreSQL driver keeps its own per connection.
func (t *Tx) stmt(query string) (*sqlx.Stmt, error) {
	if s, ok := t.stmts[query]; ok {
		return s, nil
	}
	q := t.q(query)
	var s *sqlx.Stmt
	if pooled := t.db.prepared.get(t.db.db, q); pooled != nil {
		s = t.tx.StmtxContext(t.ctx, pooled)
	} else {
		var err error
		if s, err = t.tx.PreparexContext(t.ctx, q); err != nil {
			return nil, err
		}
	}
	t.stmts[query] = s
	return s, nil
}

func (t *Tx) get(dest any, query string, args ...any) error {
	t.count(query)
	if t.db.dialect != SQLite {
		return t.tx.GetContext(t.ctx, dest, t.q(query), args...)
	}
	s, err := t.stmt(query)
	if err != nil {
		return err
	}
	return s.GetContext(t.ctx, dest, args...)
}

func (t *Tx) sel(dest any, query string, args ...any) error {
	t.count(query)
	if t.db.dialect != SQLite {
		return t.tx.SelectContext(t.ctx, dest, t.q(query), args...)
	}
	s, err := t.stmt(query)
	if err != nil {
		return err
	}
	return s.SelectContext(t.ctx, dest, args...)
}

func (t *Tx) exec(query string, args ...any) (sql.Result, error) {
	t.writes++
	if t.db.dialect != SQLite {
		return t.tx.ExecContext(t.ctx, t.q(query), args...)
	}
	s, err := t.stmt(query)
	if err != nil {
		return nil, err
	}
	return s.ExecContext(t.ctx, args...)
}

// count counts a query that may write (Tx.writes).
func (t *Tx) count(query string) {
	if !strings.HasPrefix(strings.TrimLeft(query, " \t\n"), "SELECT ") {
		t.writes++
	}
}

// insert runs an INSERT of one row and returns the row's id: on SQLite its
// rowid, on PostgreSQL through RETURNING id. (SQLite gathers the rows of a
// RETURNING in a table of its own before it returns them, and the driver
// reads them as a query: a small insert took three times as long with it.)
func (t *Tx) insert(query string, args ...any) (int64, error) {
	if t.db.dialect == Postgres {
		var id int64
		err := t.get(&id, query+` RETURNING id`, args...)
		return id, err
	}
	res, err := t.exec(query, args...)
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
}

const ticketColumns = `id, kind, status, channel, requester_email, requester_discord_id, requester_name,
	account, order_number, reason, details, language, verdict, refund_amount, currency, rules, evaluated_at,
	approved_amount, decision, decision_code, decision_params, assignee, flags, parent_id, info_requested, stale,
	created_at, updated_at, status_changed_at, waiting_since, version, sources`

// ticketRow is a tickets row as scanned.
type ticketRow struct {
	ID                 int64         `db:"id"`
	Kind               string        `db:"kind"`
	Status             string        `db:"status"`
	Channel            string        `db:"channel"`
	RequesterEmail     string        `db:"requester_email"`
	RequesterDiscordID string        `db:"requester_discord_id"`
	RequesterName      string        `db:"requester_name"`
	Account            string        `db:"account"`
	OrderNumber        string        `db:"order_number"`
	Reason             string        `db:"reason"`
	Details            string        `db:"details"`
	Language           string        `db:"language"`
	Verdict            string        `db:"verdict"`
	RefundAmount       int64         `db:"refund_amount"`
	Currency           string        `db:"currency"`
	Rules              string        `db:"rules"`
	EvaluatedAt        sql.NullTime  `db:"evaluated_at"`
	ApprovedAmount     sql.NullInt64 `db:"approved_amount"`
	Decision           string        `db:"decision"`
	DecisionCode       string        `db:"decision_code"`
	DecisionParams     string        `db:"decision_params"`
	Assignee           string        `db:"assignee"`
	Flags              string        `db:"flags"`
	ParentID           sql.NullInt64 `db:"parent_id"`
	InfoRequested      bool          `db:"info_requested"`
	Stale              bool          `db:"stale"`
	CreatedAt          time.Time     `db:"created_at"`
	UpdatedAt          time.Time     `db:"updated_at"`
	StatusChangedAt    time.Time     `db:"status_changed_at"`
	WaitingSince       sql.NullTime  `db:"waiting_since"`
	Version            int64         `db:"version"`
	Sources            string        `db:"sources"`
}

func (r *ticketRow) ticket() (tickets.Ticket, error) {
	t := tickets.Ticket{
		ID: r.ID, Ref: tickets.FormatRef(r.ID), Kind: tickets.Kind(r.Kind), Status: tickets.Status(r.Status),
		Channel:   tickets.Channel(r.Channel),
		Requester: tickets.Requester{Email: r.RequesterEmail, DiscordID: r.RequesterDiscordID, Name: r.RequesterName},
		Account:   r.Account, Order: r.OrderNumber, Reason: tickets.Reason(r.Reason), Details: r.Details, Language: r.Language,
		Eligibility: tickets.Eligibility{Verdict: tickets.Verdict(r.Verdict), RefundAmount: r.RefundAmount, Currency: r.Currency},
		Evidence:    []tickets.Evidence{}, Flags: []string{},
		Assignee: r.Assignee, Decision: r.Decision, DecisionCode: r.DecisionCode, InfoRequested: r.InfoRequested, Stale: r.Stale,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), StatusChangedAt: r.StatusChangedAt.UTC(),
		Version: r.Version,
	}
	if err := json.Unmarshal([]byte(r.Rules), &t.Eligibility.Rules); err != nil {
		return t, fmt.Errorf("ticket %d: rules: %w", r.ID, err)
	}
	if err := readParams(r.DecisionParams, &t.DecisionParams); err != nil {
		return t, fmt.Errorf("ticket %d: decision: %w", r.ID, err)
	}
	var err error
	if t.Sources, err = readSources(r.Sources); err != nil {
		return t, fmt.Errorf("ticket %d: sources: %w", r.ID, err)
	}
	if t.Eligibility.Rules == nil {
		t.Eligibility.Rules = []tickets.RuleStep{}
	}
	if r.EvaluatedAt.Valid {
		t.Eligibility.EvaluatedAt = r.EvaluatedAt.Time.UTC()
	}
	if r.ApprovedAmount.Valid {
		v := r.ApprovedAmount.Int64
		t.ApprovedAmount = &v
	}
	if r.Flags != "" {
		t.Flags = strings.Split(r.Flags, ",")
	}
	if r.ParentID.Valid {
		t.ParentRef = tickets.FormatRef(r.ParentID.Int64)
	}
	if r.WaitingSince.Valid {
		w := r.WaitingSince.Time.UTC()
		t.WaitingSince = &w
	}
	return t, nil
}

func nullTime(t *time.Time) any {
	if t == nil || t.IsZero() {
		return nil
	}
	return t.UTC()
}

func zeroNull(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC()
}

// Ticket loads a ticket with its evidence; in a write transaction on
// PostgreSQL the row stays locked until the end (SQLite's write transactions
// are exclusive already).
func (t *Tx) Ticket(id int64) (*tickets.Ticket, error) {
	q := `SELECT ` + ticketColumns + ` FROM tickets WHERE id = ?`
	if t.write && t.db.dialect == Postgres {
		q += ` FOR UPDATE`
	}
	var r ticketRow
	if err := t.get(&r, q, id); errors.Is(err, sql.ErrNoRows) {
		return nil, tickets.NotFound("ticket.not_found", "Ref", tickets.FormatRef(id))
	} else if err != nil {
		return nil, fmt.Errorf("load ticket %d: %w", id, err)
	}
	tk, err := r.ticket()
	if err != nil {
		return nil, err
	}
	t.flags[id] = r.Flags
	list := []tickets.Ticket{tk}
	if err := t.loadEvidence(list); err != nil {
		return nil, err
	}
	return &list[0], nil
}

type evidenceRow struct {
	TicketID    int64     `db:"ticket_id"`
	Name        string    `db:"name"`
	ContentType string    `db:"content_type"`
	Size        int64     `db:"size"`
	SHA256      string    `db:"sha256"`
	AddedAt     time.Time `db:"added_at"`
}

// loadEvidence fills in the evidence of a list of tickets in one query.
func (t *Tx) loadEvidence(list []tickets.Ticket) error {
	if len(list) == 0 {
		return nil
	}
	ids := make([]int64, len(list))
	pos := make(map[int64]int, len(list))
	for i := range list {
		ids[i] = list[i].ID
		pos[list[i].ID] = i
	}
	q, args, err := sqlx.In(`SELECT ticket_id, name, content_type, size, sha256, added_at FROM ticket_evidence
		WHERE ticket_id IN (?) ORDER BY id`, ids)
	if err != nil {
		return err
	}
	var rows []evidenceRow
	if err := t.sel(&rows, q, args...); err != nil {
		return fmt.Errorf("load evidence: %w", err)
	}
	for _, r := range rows {
		i := pos[r.TicketID]
		list[i].Evidence = append(list[i].Evidence, tickets.Evidence{Name: r.Name, ContentType: r.ContentType,
			Size: r.Size, SHA256: r.SHA256, AddedAt: r.AddedAt.UTC()})
	}
	return nil
}

// TicketByKey finds the ticket an idempotency key was used for.
func (t *Tx) TicketByKey(key string) (int64, error) {
	var id int64
	err := t.get(&id, `SELECT ticket_id FROM intake_keys WHERE key = ?`, key)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("key: %w", tickets.ErrNotFound)
	}
	return id, err
}

// PutKey records an idempotency key.
func (t *Tx) PutKey(key string, ticketID int64) error {
	_, err := t.exec(`INSERT INTO intake_keys (key, ticket_id, created_at) VALUES (?, ?, ?)`, key, ticketID, t.db.clock.Now())
	return err
}

// OpenTicket finds the open ticket for an order (refunds) or account (revocations).
func (t *Tx) OpenTicket(kind tickets.Kind, order, accountKey string) (int64, error) {
	var id int64
	var err error
	if kind == tickets.KindRefund {
		err = t.get(&id, `SELECT id FROM tickets WHERE kind = 'refund' AND order_number = ? AND order_number <> ''
			AND status NOT IN ('resolved', 'closed')`, order)
	} else {
		err = t.get(&id, `SELECT id FROM tickets WHERE kind = 'revocation' AND account_key = ? AND account_key <> ''
			AND status NOT IN ('resolved', 'closed')`, accountKey)
	}
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("open ticket: %w", tickets.ErrNotFound)
	}
	return id, err
}

func ticketArgs(tk *tickets.Ticket) ([]any, error) {
	rules := tk.Eligibility.Rules
	if rules == nil {
		rules = []tickets.RuleStep{}
	}
	rb, err := json.Marshal(rules)
	if err != nil {
		return nil, err
	}
	decision, err := writeParams(tk.DecisionCode, tk.DecisionParams)
	if err != nil {
		return nil, err
	}
	var approved any
	if tk.ApprovedAmount != nil {
		approved = *tk.ApprovedAmount
	}
	var parent any
	if tk.ParentRef != "" {
		id, err := tickets.ParseRef(tk.ParentRef)
		if err != nil {
			return nil, err
		}
		parent = id
	}
	sources, err := writeSources(tk.Sources)
	if err != nil {
		return nil, err
	}
	flags := append([]string(nil), tk.Flags...)
	sort.Strings(flags)
	return []any{string(tk.Kind), string(tk.Status), string(tk.Channel), tk.Requester.Email, strings.ToLower(tk.Requester.Email),
		tk.Requester.DiscordID, tk.Requester.Name, tk.Account, tickets.AccountKey(tk.Account), tk.Order, string(tk.Reason),
		tk.Details, tk.Language, string(tk.Eligibility.Verdict), tk.Eligibility.RefundAmount, tk.Eligibility.Currency,
		string(rb), zeroNull(tk.Eligibility.EvaluatedAt), approved, tk.Decision, tk.DecisionCode, decision, tk.Assignee, strings.Join(flags, ","), parent,
		tk.InfoRequested, tk.Stale, tk.UpdatedAt.UTC(), tk.StatusChangedAt.UTC(), nullTime(tk.WaitingSince), sources}, nil
}

// writeSources stores a ticket's sources as a JSON object, its keys in
// order (so an unchanged one is not written again); none is {}.
func writeSources(s tickets.Sources) (string, error) {
	if len(s) == 0 {
		return "{}", nil
	}
	b, err := json.Marshal(s)
	return string(b), err
}

// readSources reads what writeSources stored; never nil.
func readSources(text string) (tickets.Sources, error) {
	s := tickets.Sources{}
	if text == "" || text == "{}" {
		return s, nil
	}
	err := json.Unmarshal([]byte(text), &s)
	return s, err
}

const ticketWriteColumns = `kind, status, channel, requester_email, requester_email_key, requester_discord_id,
	requester_name, account, account_key, order_number, reason, details, language, verdict, refund_amount, currency,
	rules, evaluated_at, approved_amount, decision, decision_code, decision_params, assignee, flags, parent_id,
	info_requested, stale, updated_at, status_changed_at, waiting_since, sources`

// CreateTicket inserts a ticket; its number comes from the database
// (AUTOINCREMENT or an identity), never from MAX()+1.
func (t *Tx) CreateTicket(tk *tickets.Ticket) error {
	args, err := ticketArgs(tk)
	if err != nil {
		return err
	}
	args = append(args, tk.CreatedAt.UTC())
	marks := strings.TrimSuffix(strings.Repeat("?, ", len(args)), ", ")
	id, err := t.insert(`INSERT INTO tickets (`+ticketWriteColumns+`, created_at) VALUES (`+marks+`)`, args...)
	if err != nil {
		return fmt.Errorf("insert ticket: %w", err)
	}
	tk.ID, tk.Ref, tk.Version = id, tickets.FormatRef(id), 1 // the column's default
	if err := t.statsBefore(id, true); err != nil {
		return err
	}
	t.written[id] = args[:len(args)-1]
	p := &searchParts{}
	p.set(tk)
	t.fresh[id] = p
	t.flags[id] = "" // a new ticket has no flag rows yet
	t.unscheduled[id] = true
	if err := t.syncFlags(tk); err != nil {
		return err
	}
	t.dirty[id] = true
	return nil
}

// SaveTicket writes the mutable fields and the flags: every one, or, when
// this transaction wrote the ticket before, those that changed since. The
// first save of a ticket in a transaction moves its version on by one
// (tickets.Ticket.Version), in the same UPDATE.
func (t *Tx) SaveTicket(tk *tickets.Ticket) error {
	args, err := ticketArgs(tk)
	if err != nil {
		return err
	}
	cols := strings.Split(ticketWriteColumns, ",")
	var set []string
	var vals []any
	was, known := t.written[tk.ID]
	for i, c := range cols {
		if known && sameArg(was[i], args[i]) {
			continue
		}
		set = append(set, strings.TrimSpace(c)+" = ?")
		vals = append(vals, args[i])
	}
	if !known {
		set = append(set, "version = version + 1")
	}
	if len(set) > 0 {
		if err := t.statsBefore(tk.ID, false); err != nil {
			return err
		}
		res, err := t.exec(`UPDATE tickets SET `+strings.Join(set, ", ")+` WHERE id = ?`, append(vals, tk.ID)...)
		if err != nil {
			return fmt.Errorf("save ticket %s: %w", tk.Ref, err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return tickets.NotFound("ticket.not_found", "Ref", tk.Ref)
		}
		t.written[tk.ID] = args
		if !known {
			tk.Version++
		}
		if p := t.fresh[tk.ID]; p != nil {
			p.set(tk)
		}
	}
	if err := t.syncFlags(tk); err != nil {
		return err
	}
	t.dirty[tk.ID] = true
	return nil
}

// sameArg tells whether two values of ticketArgs would be stored alike.
func sameArg(a, b any) bool {
	if ta, ok := a.(time.Time); ok {
		tb, ok := b.(time.Time)
		return ok && ta.Equal(tb)
	}
	return a == b
}

func (t *Tx) syncFlags(tk *tickets.Ticket) error {
	flags := append([]string(nil), tk.Flags...)
	sort.Strings(flags)
	joined := strings.Join(flags, ",")
	if was, ok := t.flags[tk.ID]; ok && was == joined {
		return nil
	}
	t.flags[tk.ID] = joined
	if _, err := t.exec(`DELETE FROM ticket_flags WHERE ticket_id = ?`, tk.ID); err != nil {
		return err
	}
	for _, f := range tk.Flags {
		if _, err := t.exec(`INSERT INTO ticket_flags (flag, ticket_id) VALUES (?, ?)`, f, tk.ID); err != nil {
			return fmt.Errorf("flag %s: %w", f, err)
		}
	}
	return nil
}

// AddEvidence stores the bytes once per hash and links them to the ticket.
func (t *Tx) AddEvidence(ticketID int64, b tickets.EvidenceBlob) (bool, error) {
	if _, err := t.exec(`INSERT INTO evidence_blobs (sha256, content_type, size, data, created_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (sha256) DO NOTHING`, b.SHA256, b.ContentType, b.Size, b.Data, t.db.clock.Now()); err != nil {
		return false, fmt.Errorf("store evidence %s: %w", b.Name, err)
	}
	res, err := t.exec(`INSERT INTO ticket_evidence (ticket_id, sha256, name, content_type, size, added_at) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (ticket_id, sha256) DO NOTHING`, ticketID, b.SHA256, b.Name, b.ContentType, b.Size, b.AddedAt.UTC())
	if err != nil {
		return false, fmt.Errorf("link evidence %s: %w", b.Name, err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// EvidenceData returns the bytes of a stored file.
func (t *Tx) EvidenceData(sum string) ([]byte, error) {
	var data []byte
	err := t.get(&data, `SELECT data FROM evidence_blobs WHERE sha256 = ?`, sum)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("evidence %s: %w", sum, tickets.ErrNotFound)
	}
	return data, err
}

// AddMessage appends to the conversation.
func (t *Tx) AddMessage(ticketID int64, m *tickets.Message) error {
	var err error
	m.ID, err = t.insert(`INSERT INTO ticket_messages (ticket_id, kind, channel, author, body, external_id, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, ticketID, string(m.Kind), string(m.Channel), m.Author, m.Body, m.ExternalID, m.CreatedAt.UTC())
	if err != nil {
		return fmt.Errorf("add message: %w", err)
	}
	if p := t.fresh[ticketID]; p != nil {
		p.bodies = append(p.bodies, m.Body)
	}
	t.dirty[ticketID] = true
	return nil
}

// Enqueue writes an outbox item; a repeated key is dropped.
func (t *Tx) Enqueue(item *tickets.OutboxItem) error {
	data, err := json.Marshal(item.Data)
	if err != nil {
		return err
	}
	var key any
	if item.Key != "" {
		key = item.Key
	}
	var ticket any
	if item.TicketID != 0 {
		ticket = item.TicketID
	}
	_, err = t.exec(`INSERT INTO outbox (ticket_id, channel, recipient, template, language, data, dedupe_key, status,
		attempts, last_error, automatic, created_at, next_attempt_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, '', ?, ?, ?)
		ON CONFLICT DO NOTHING`, ticket, string(item.Channel), item.Recipient, item.Template, item.Language,
		string(data), key, item.Status, item.Automatic, item.CreatedAt.UTC(), item.NextAttemptAt.UTC())
	if err != nil {
		return fmt.Errorf("enqueue: %w", err)
	}
	return nil
}

const promotionColumns = `order_number, account, video_id, objective, amount, currency, payment_method, created_at,
	start_at, end_at, closed_at, status, promised_reach, delivered_reach, spend, incident, refunded, imported_at, updated_at`

type promotionRow struct {
	OrderNumber    string       `db:"order_number"`
	Account        string       `db:"account"`
	VideoID        string       `db:"video_id"`
	Objective      string       `db:"objective"`
	Amount         int64        `db:"amount"`
	Currency       string       `db:"currency"`
	PaymentMethod  string       `db:"payment_method"`
	CreatedAt      time.Time    `db:"created_at"`
	StartAt        sql.NullTime `db:"start_at"`
	EndAt          sql.NullTime `db:"end_at"`
	ClosedAt       sql.NullTime `db:"closed_at"`
	Status         string       `db:"status"`
	PromisedReach  int64        `db:"promised_reach"`
	DeliveredReach int64        `db:"delivered_reach"`
	Spend          int64        `db:"spend"`
	Incident       bool         `db:"incident"`
	Refunded       int64        `db:"refunded"`
	ImportedAt     time.Time    `db:"imported_at"`
	UpdatedAt      time.Time    `db:"updated_at"`
}

func timePtr(n sql.NullTime) *time.Time {
	if !n.Valid {
		return nil
	}
	t := n.Time.UTC()
	return &t
}

func (r *promotionRow) promotion() tickets.Promotion {
	return tickets.Promotion{OrderNumber: r.OrderNumber, Account: r.Account, VideoID: r.VideoID, Objective: r.Objective,
		Amount: r.Amount, Currency: r.Currency, PaymentMethod: r.PaymentMethod, CreatedAt: r.CreatedAt.UTC(),
		StartAt: timePtr(r.StartAt), EndAt: timePtr(r.EndAt), ClosedAt: timePtr(r.ClosedAt),
		Status: tickets.PromotionStatus(r.Status), PromisedReach: r.PromisedReach, DeliveredReach: r.DeliveredReach,
		Spend: r.Spend, Incident: r.Incident, Refunded: r.Refunded, ImportedAt: r.ImportedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
}

// Promotion returns an order's record.
func (t *Tx) Promotion(order string) (*tickets.Promotion, error) {
	if p, ok := t.promotions[order]; ok {
		if p == nil {
			return nil, tickets.NotFound("order.not_found", "Order", order)
		}
		return copyPromotion(p), nil
	}
	var r promotionRow
	err := t.get(&r, `SELECT `+promotionColumns+` FROM promotions WHERE order_number = ?`, order)
	if errors.Is(err, sql.ErrNoRows) {
		t.keepPromotion(order, nil)
		return nil, tickets.NotFound("order.not_found", "Order", order)
	}
	if err != nil {
		return nil, fmt.Errorf("load order %s: %w", order, err)
	}
	p := r.promotion()
	t.keepPromotion(order, &p)
	return &p, nil
}

// keepPromotion remembers a record read (nil: none), on SQLite (see
// Tx.promotions).
func (t *Tx) keepPromotion(order string, p *tickets.Promotion) {
	if t.db.dialect != SQLite {
		return
	}
	if t.promotions == nil {
		t.promotions = map[string]*tickets.Promotion{}
	}
	if p != nil {
		p = copyPromotion(p)
	}
	t.promotions[order] = p
}

// copyPromotion is a copy of p that shares nothing with it.
func copyPromotion(p *tickets.Promotion) *tickets.Promotion {
	c := *p
	for _, tp := range []**time.Time{&c.StartAt, &c.EndAt, &c.ClosedAt} {
		if *tp != nil {
			v := **tp
			*tp = &v
		}
	}
	return &c
}

// Twins returns the other orders of the same account, video and amount
// created within window of p.
func (t *Tx) Twins(p *tickets.Promotion, window time.Duration) ([]tickets.Promotion, error) {
	if p.VideoID == "" {
		return nil, nil
	}
	var rows []promotionRow
	err := t.sel(&rows, `SELECT `+promotionColumns+` FROM promotions
		WHERE account_key = ? AND video_id = ? AND amount = ? AND created_at >= ? AND created_at <= ? AND order_number <> ?
		ORDER BY created_at LIMIT 20`,
		tickets.AccountKey(p.Account), p.VideoID, p.Amount, p.CreatedAt.Add(-window).UTC(), p.CreatedAt.Add(window).UTC(), p.OrderNumber)
	if err != nil {
		return nil, fmt.Errorf("twins of %s: %w", p.OrderNumber, err)
	}
	out := make([]tickets.Promotion, len(rows))
	for i := range rows {
		out[i] = rows[i].promotion()
	}
	return out, nil
}

type authorizationRow struct {
	Account   string       `db:"account"`
	Scope     string       `db:"scope"`
	GrantedAt time.Time    `db:"granted_at"`
	RevokedAt sql.NullTime `db:"revoked_at"`
}

// Authorizations returns an account's authorizations, oldest first.
func (t *Tx) Authorizations(accountKey string) ([]tickets.Authorization, error) {
	var rows []authorizationRow
	if err := t.sel(&rows, `SELECT account, scope, granted_at, revoked_at FROM authorizations WHERE account_key = ?
		ORDER BY granted_at`, accountKey); err != nil {
		return nil, fmt.Errorf("authorizations: %w", err)
	}
	out := make([]tickets.Authorization, len(rows))
	for i, r := range rows {
		out[i] = tickets.Authorization{Account: r.Account, Scope: r.Scope, GrantedAt: r.GrantedAt.UTC(), RevokedAt: timePtr(r.RevokedAt)}
	}
	return out, nil
}

// PromotionTickets lists an order's tickets, newest first.
func (t *Tx) PromotionTickets(order string) ([]tickets.Ticket, error) {
	var rows []ticketRow
	if err := t.sel(&rows, `SELECT `+ticketColumns+` FROM tickets WHERE order_number = ? ORDER BY id DESC LIMIT 200`, order); err != nil {
		return nil, fmt.Errorf("tickets of order %s: %w", order, err)
	}
	return t.toTickets(rows)
}

func (t *Tx) toTickets(rows []ticketRow) ([]tickets.Ticket, error) {
	out := make([]tickets.Ticket, 0, len(rows))
	for i := range rows {
		tk, err := rows[i].ticket()
		if err != nil {
			return nil, err
		}
		out = append(out, tk)
	}
	if err := t.loadEvidence(out); err != nil {
		return nil, err
	}
	return out, nil
}

type messageRow struct {
	ID         int64     `db:"id"`
	Kind       string    `db:"kind"`
	Channel    string    `db:"channel"`
	Author     string    `db:"author"`
	Body       string    `db:"body"`
	ExternalID string    `db:"external_id"`
	CreatedAt  time.Time `db:"created_at"`
}

type outboxRow struct {
	ID            int64         `db:"id"`
	TicketID      sql.NullInt64 `db:"ticket_id"`
	Channel       string        `db:"channel"`
	Recipient     string        `db:"recipient"`
	Template      string        `db:"template"`
	Language      string        `db:"language"`
	Data          string        `db:"data"`
	Status        string        `db:"status"`
	Attempts      int           `db:"attempts"`
	LastError     string        `db:"last_error"`
	Automatic     bool          `db:"automatic"`
	ExternalID    string        `db:"external_id"`
	CreatedAt     time.Time     `db:"created_at"`
	NextAttemptAt time.Time     `db:"next_attempt_at"`
	SentAt        sql.NullTime  `db:"sent_at"`
}

func (r *outboxRow) item() (tickets.OutboxItem, error) {
	it := tickets.OutboxItem{ID: r.ID, TicketID: r.TicketID.Int64, Channel: tickets.Channel(r.Channel), Recipient: r.Recipient,
		Template: r.Template, Language: r.Language, Status: r.Status, Attempts: r.Attempts, LastError: r.LastError,
		Automatic: r.Automatic, ExternalID: r.ExternalID,
		CreatedAt: r.CreatedAt.UTC(), NextAttemptAt: r.NextAttemptAt.UTC(), SentAt: timePtr(r.SentAt)}
	if r.TicketID.Valid {
		it.TicketRef = tickets.FormatRef(r.TicketID.Int64)
	}
	if err := json.Unmarshal([]byte(r.Data), &it.Data); err != nil {
		return it, fmt.Errorf("outbox %d: %w", r.ID, err)
	}
	return it, nil
}

// Detail loads the whole story of a ticket.
func (t *Tx) Detail(id int64) (*tickets.TicketDetail, error) {
	tk, err := t.Ticket(id)
	if err != nil {
		return nil, err
	}
	d := &tickets.TicketDetail{Ticket: *tk, Messages: []tickets.Message{}, Audit: []tickets.AuditEntry{}, Outbox: []tickets.OutboxItem{}}
	if tk.Order != "" {
		p, err := t.Promotion(tk.Order)
		if err == nil {
			d.Promotion = p
		} else if !errors.Is(err, tickets.ErrNotFound) {
			return nil, err
		}
	}
	var msgs []messageRow
	if err := t.sel(&msgs, `SELECT id, kind, channel, author, body, external_id, created_at FROM ticket_messages
		WHERE ticket_id = ? ORDER BY id`, id); err != nil {
		return nil, fmt.Errorf("messages: %w", err)
	}
	for _, m := range msgs {
		d.Messages = append(d.Messages, tickets.Message{ID: m.ID, Kind: tickets.MessageKind(m.Kind), Channel: tickets.Channel(m.Channel),
			Author: m.Author, Body: m.Body, ExternalID: m.ExternalID, CreatedAt: m.CreatedAt.UTC()})
	}
	if d.Audit, err = t.auditTrail(id); err != nil {
		return nil, err
	}
	var out []outboxRow
	if err := t.sel(&out, `SELECT `+outboxColumns+` FROM outbox WHERE ticket_id = ? ORDER BY id`, id); err != nil {
		return nil, fmt.Errorf("outbox: %w", err)
	}
	if len(out) > 0 {
		if d.Outbox, err = outboxItems(out); err != nil {
			return nil, err
		}
	}
	if d.Followups, err = t.ticketFollowups(id); err != nil {
		return nil, err
	}
	return d, nil
}

// flushSearch rebuilds the search text of the tickets this transaction
// changed: reference, account, order, requester, details and every message.
// They are then clean again. A ticket this transaction created is not read
// back: all it holds was written here (and it has no search row to delete).
func (t *Tx) flushSearch() error {
	defer clear(t.dirty)
	for id := range t.dirty {
		p := t.fresh[id]
		if p == nil {
			var err error
			if p, err = t.searchParts(id); err != nil {
				return fmt.Errorf("search text of %d: %w", id, err)
			}
		}
		parts := append([]string{tickets.FormatRef(id), p.account, p.order, p.email, p.name, p.details}, p.bodies...)
		body := strings.Join(parts, "\n")
		if t.db.dialect == Postgres {
			if _, err := t.exec(`UPDATE tickets SET search = to_tsvector('simple', ?) WHERE id = ?`, capWords(searchWords(body), maxSearchWords), id); err != nil {
				return fmt.Errorf("search text of %d: %w", id, err)
			}
			continue
		}
		if t.fresh[id] == nil {
			if _, err := t.exec(`DELETE FROM ticket_search WHERE rowid = ?`, id); err != nil {
				return fmt.Errorf("search text of %d: %w", id, err)
			}
		}
		if _, err := t.exec(`INSERT INTO ticket_search (rowid, body) VALUES (?, ?)`, id, searchWords(body)); err != nil {
			return fmt.Errorf("search text of %d: %w", id, err)
		}
	}
	return nil
}

// searchParts reads what a ticket's search text is made of.
func (t *Tx) searchParts(id int64) (*searchParts, error) {
	var r struct {
		Account string `db:"account"`
		Order   string `db:"order_number"`
		Email   string `db:"requester_email"`
		Name    string `db:"requester_name"`
		Details string `db:"details"`
	}
	if err := t.get(&r, `SELECT account, order_number, requester_email, requester_name, details FROM tickets WHERE id = ?`, id); err != nil {
		return nil, err
	}
	p := &searchParts{account: r.Account, order: r.Order, email: r.Email, name: r.Name, details: r.Details}
	if err := t.sel(&p.bodies, `SELECT body FROM ticket_messages WHERE ticket_id = ? ORDER BY id`, id); err != nil {
		return nil, err
	}
	return p, nil
}

const outboxColumns = `id, ticket_id, channel, recipient, template, language, data, status, attempts, last_error,
	automatic, external_id, created_at, next_attempt_at, sent_at`

// CountAutomatic counts the automatic messages queued for a recipient since a time.
func (t *Tx) CountAutomatic(recipient string, since time.Time) (int, error) {
	var n int
	err := t.get(&n, `SELECT count(*) FROM outbox WHERE recipient = ? AND created_at >= ? AND automatic`, recipient, since.UTC())
	return n, err
}

// TicketByExternalID finds the ticket of an inbound message by its channel id.
func (t *Tx) TicketByExternalID(externalID string) (int64, error) {
	var id int64
	err := t.get(&id, `SELECT ticket_id FROM ticket_messages WHERE external_id = ? AND external_id <> '' ORDER BY id LIMIT 1`, externalID)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("message %s: %w", externalID, tickets.ErrNotFound)
	}
	return id, err
}

// ExternalIDs lists a ticket's inbound message ids on a channel, oldest first.
func (t *Tx) ExternalIDs(ticketID int64, ch tickets.Channel) ([]string, error) {
	var ids []string
	err := t.sel(&ids, `SELECT external_id FROM ticket_messages WHERE ticket_id = ? AND channel = ? AND kind = 'in'
		AND external_id <> '' ORDER BY id`, ticketID, string(ch))
	return ids, err
}

// TicketsByRequesterEmail lists the open tickets of a mail address, newest first.
func (t *Tx) TicketsByRequesterEmail(email string) ([]int64, error) {
	var ids []int64
	err := t.sel(&ids, `SELECT id FROM tickets WHERE requester_email_key = ? AND requester_email_key <> '' AND status NOT IN ('resolved', 'closed')
		ORDER BY id DESC LIMIT 100`, strings.ToLower(email))
	return ids, err
}
