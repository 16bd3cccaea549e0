package sqlstore

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/jmoiron/sqlx"

	"refunddesk/tickets"
)

// bulk is a transaction an import runs in: a plain sqlx transaction on
// SQLite, a pgx transaction on PostgreSQL (for COPY). The statements are
// the same; only the row loading differs.
type bulk interface {
	exec(q string, args ...any) (int64, error)
	query(q string, args []any, each func(scan func(dest ...any) error) error) error
	// load writes rows into a staging table.
	load(table string, cols []string, next func() ([]any, bool)) error
}

type sqliteBulk struct {
	ctx context.Context
	tx  *sqlx.Tx
}

func (b *sqliteBulk) exec(q string, args ...any) (int64, error) {
	res, err := b.tx.ExecContext(b.ctx, q, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func (b *sqliteBulk) query(q string, args []any, each func(func(...any) error) error) error {
	rows, err := b.tx.QueryContext(b.ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := each(rows.Scan); err != nil {
			return err
		}
	}
	return rows.Err()
}

func (b *sqliteBulk) load(table string, cols []string, next func() ([]any, bool)) error {
	stmt, err := b.tx.PrepareContext(b.ctx, `INSERT INTO `+table+` (`+strings.Join(cols, ", ")+`) VALUES (`+marks(len(cols))+`)`)
	if err != nil {
		return err
	}
	defer stmt.Close()
	for {
		row, ok := next()
		if !ok {
			return nil
		}
		if _, err := stmt.ExecContext(b.ctx, row...); err != nil {
			return err
		}
	}
}

type pgBulk struct {
	ctx context.Context
	tx  pgx.Tx
}

func (b *pgBulk) exec(q string, args ...any) (int64, error) {
	tag, err := b.tx.Exec(b.ctx, sqlx.Rebind(sqlx.DOLLAR, q), args...)
	return tag.RowsAffected(), err
}

func (b *pgBulk) query(q string, args []any, each func(func(...any) error) error) error {
	rows, err := b.tx.Query(b.ctx, sqlx.Rebind(sqlx.DOLLAR, q), args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := each(rows.Scan); err != nil {
			return err
		}
	}
	return rows.Err()
}

func (b *pgBulk) load(table string, cols []string, next func() ([]any, bool)) error {
	_, err := b.tx.CopyFrom(b.ctx, pgx.Identifier{table}, cols, pgx.CopyFromFunc(func() ([]any, error) {
		row, ok := next()
		if !ok {
			return nil, nil
		}
		return row, nil
	}))
	return err
}

// inBulk runs fn in one transaction suited to bulk loading.
func (d *DB) inBulk(ctx context.Context, fn func(b bulk) error) error {
	if d.dialect == SQLite {
		release, err := d.lockWrites(ctx)
		if err != nil {
			return err
		}
		defer release()
		conn, err := d.db.Connx(ctx)
		if err != nil {
			return err
		}
		defer conn.Close()
		// A big import touches every page of the records and their
		// indexes: a larger page cache for it keeps SQLite from writing
		// pages out and reading them back. The connection gets its usual
		// size back before it returns to the pool.
		if _, err := conn.ExecContext(ctx, `PRAGMA cache_size = -524288`); err != nil {
			return err
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), `PRAGMA cache_size = -65536`) //nolint:errcheck // best effort
		tx, err := conn.BeginTxx(ctx, nil)
		if err != nil {
			return err
		}
		defer tx.Rollback()
		if err := fn(&sqliteBulk{ctx: ctx, tx: tx}); err != nil {
			return err
		}
		defer d.written.Add(1)
		return tx.Commit()
	}
	conn, err := d.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		pc := dc.(*stdlib.Conn).Conn()
		tx, err := pc.Begin(ctx)
		if err != nil {
			return err
		}
		defer tx.Rollback(ctx)
		if err := fn(&pgBulk{ctx: ctx, tx: tx}); err != nil {
			return err
		}
		return tx.Commit(ctx)
	})
}

// staging tables, per dialect. On PostgreSQL they vanish at the commit; on
// SQLite they are dropped before it (the connection goes back to the pool).
var stagingDDL = map[string]map[string]string{
	SQLite: {
		"promotions": `CREATE TEMP TABLE import_promotions (line INTEGER NOT NULL, order_number TEXT NOT NULL,
			account TEXT NOT NULL, account_key TEXT NOT NULL, video_id TEXT NOT NULL, objective TEXT NOT NULL,
			amount INTEGER NOT NULL, currency TEXT NOT NULL, payment_method TEXT NOT NULL, created_at TIMESTAMP NOT NULL,
			start_at TIMESTAMP, end_at TIMESTAMP, closed_at TIMESTAMP, status TEXT NOT NULL, promised_reach INTEGER NOT NULL,
			delivered_reach INTEGER NOT NULL, spend INTEGER NOT NULL, incident BOOLEAN NOT NULL, refunded INTEGER NOT NULL,
			row_hash TEXT NOT NULL)`,
		"authorizations": `CREATE TEMP TABLE import_authorizations (line INTEGER NOT NULL, account TEXT NOT NULL,
			account_key TEXT NOT NULL, scope TEXT NOT NULL, granted_at TIMESTAMP NOT NULL, revoked_at TIMESTAMP,
			row_hash TEXT NOT NULL)`,
		"changed": `CREATE TEMP TABLE import_changed (line INTEGER PRIMARY KEY, is_new BOOLEAN NOT NULL)`,
	},
	Postgres: {
		"promotions": `CREATE TEMP TABLE import_promotions (line INTEGER NOT NULL, order_number TEXT NOT NULL,
			account TEXT NOT NULL, account_key TEXT NOT NULL, video_id TEXT NOT NULL, objective TEXT NOT NULL,
			amount BIGINT NOT NULL, currency TEXT NOT NULL, payment_method TEXT NOT NULL, created_at TIMESTAMPTZ NOT NULL,
			start_at TIMESTAMPTZ, end_at TIMESTAMPTZ, closed_at TIMESTAMPTZ, status TEXT NOT NULL, promised_reach BIGINT NOT NULL,
			delivered_reach BIGINT NOT NULL, spend BIGINT NOT NULL, incident BOOLEAN NOT NULL, refunded BIGINT NOT NULL,
			row_hash TEXT NOT NULL) ON COMMIT DROP`,
		"authorizations": `CREATE TEMP TABLE import_authorizations (line INTEGER NOT NULL, account TEXT NOT NULL,
			account_key TEXT NOT NULL, scope TEXT NOT NULL, granted_at TIMESTAMPTZ NOT NULL, revoked_at TIMESTAMPTZ,
			row_hash TEXT NOT NULL) ON COMMIT DROP`,
		"changed": `CREATE TEMP TABLE import_changed (line INTEGER PRIMARY KEY, is_new BOOLEAN NOT NULL) ON COMMIT DROP`,
	},
}

func (d *DB) createStaging(b bulk, names ...string) error {
	for _, n := range names {
		if d.dialect == SQLite {
			table := "import_" + n
			if _, err := b.exec(`DROP TABLE IF EXISTS temp.` + table); err != nil {
				return err
			}
		}
		if _, err := b.exec(stagingDDL[d.dialect][n]); err != nil {
			return fmt.Errorf("staging table %s: %w", n, err)
		}
	}
	return nil
}

func (d *DB) dropStaging(b bulk, names ...string) error {
	if d.dialect != SQLite {
		return nil
	}
	for _, n := range names {
		if _, err := b.exec(`DROP TABLE temp.import_` + n); err != nil {
			return err
		}
	}
	return nil
}

var promotionStagingCols = []string{"line", "order_number", "account", "account_key", "video_id", "objective", "amount",
	"currency", "payment_method", "created_at", "start_at", "end_at", "closed_at", "status", "promised_reach",
	"delivered_reach", "spend", "incident", "refunded", "row_hash"}

func optTime(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UTC()
}

// duplicates finds rows whose key repeats an earlier row of the file. Rows
// equal to the earlier one are dropped quietly; rows that differ refuse the
// import, or are skipped with skipInvalid.
func (d *DB) duplicates(b bulk, table, key, file string, skip bool, sum *tickets.ImportSummary) error {
	q := `SELECT i.line, f.line, i.row_hash = f.row_hash FROM ` + table + ` i
		JOIN (SELECT ` + key + `, MIN(line) AS line FROM ` + table + ` GROUP BY ` + key + ` HAVING COUNT(*) > 1) m ON ` + joinOn("m", "i", key) + `
		JOIN ` + table + ` f ON f.line = m.line
		WHERE i.line > m.line ORDER BY i.line`
	var bad []tickets.LineError
	total := 0
	var drop []int64
	err := b.query(q, nil, func(scan func(...any) error) error {
		var line, first int64
		var same bool
		if err := scan(&line, &first, &same); err != nil {
			return err
		}
		drop = append(drop, line)
		if same {
			return nil
		}
		total++
		if len(bad) < tickets.MaxListedErrors {
			bad = append(bad, tickets.LineError{File: file, Line: int(line), Problems: []tickets.RowProblem{
				tickets.NewRowProblem(strings.ReplaceAll(key, ", ", "/"), "row.repeats", "First", first)}})
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("look for repeated rows: %w", err)
	}
	if total > 0 && !skip {
		return &tickets.ImportErrors{Errors: bad, Total: total}
	}
	sum.Skipped += total
	sum.SkippedRow = append(sum.SkippedRow, bad...)
	for start := 0; start < len(drop); start += 500 {
		chunk := drop[start:min(start+500, len(drop))]
		if _, err := b.exec(`DELETE FROM `+table+` WHERE line IN (`+marks(len(chunk))+`)`, anys(chunk)...); err != nil {
			return err
		}
	}
	return nil
}

func joinOn(a, b, key string) string {
	var parts []string
	for _, k := range strings.Split(key, ",") {
		k = strings.TrimSpace(k)
		parts = append(parts, a+"."+k+" = "+b+"."+k)
	}
	return strings.Join(parts, " AND ")
}

// countChanged fills import_changed and returns inserted and updated counts.
func countChanged(b bulk, sum *tickets.ImportSummary, staged int64) error {
	var n, fresh sql.NullInt64
	if err := b.query(`SELECT COUNT(*), SUM(CASE WHEN is_new THEN 1 ELSE 0 END) FROM import_changed`, nil, func(scan func(...any) error) error {
		return scan(&n, &fresh)
	}); err != nil {
		return err
	}
	sum.Inserted = int(fresh.Int64)
	sum.Updated = int(n.Int64 - fresh.Int64)
	sum.Unchanged = int(staged - n.Int64)
	return nil
}

// ImportPromotions loads a promotion export in one transaction (see
// tickets.Store). SQLite takes the rows one by one against the unique order
// index while another goroutine parses; PostgreSQL takes them by COPY into a
// staging table and merges them in a few set-based statements.
func (d *DB) ImportPromotions(ctx context.Context, src *tickets.RowSource[tickets.PromotionRow]) (*tickets.ImportSummary, error) {
	importID := newImportID()
	var sum *tickets.ImportSummary
	var err error
	if d.dialect == SQLite {
		sum, err = d.importPromotionsRowwise(ctx, src, importID)
	} else {
		sum, err = d.importPromotionsStaged(ctx, src, importID)
	}
	if err != nil {
		return nil, mapImportError(err)
	}
	return sum, nil
}

// newImportID tags the records one import inserted or changed, so the
// tickets that depend on them can be found afterwards.
func newImportID() int64 {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return int64(binary.BigEndian.Uint64(b[:]) >> 1)
}

// markStalePromotions marks for re-evaluation the undecided refund tickets
// whose order this import inserted or changed, and duplicate-charge tickets
// whose twin it did.
func markStalePromotions(b bulk, importID int64) error {
	_, err := b.exec(`UPDATE tickets SET stale = TRUE
		WHERE kind = 'refund' AND status IN ('new', 'needs_info', 'in_review') AND NOT stale AND (
			EXISTS (SELECT 1 FROM promotions p WHERE p.order_number = tickets.order_number AND p.import_id = ?)
			OR (reason = 'duplicate_charge' AND EXISTS (
				SELECT 1 FROM promotions p JOIN promotions q
					ON q.account_key = p.account_key AND q.video_id = p.video_id AND q.amount = p.amount
				WHERE p.order_number = tickets.order_number AND p.video_id <> '' AND q.import_id = ?)))`, importID, importID)
	if err != nil {
		return fmt.Errorf("mark tickets for re-evaluation: %w", err)
	}
	return nil
}

// seenOrders remembers the line each order number of a file was first on,
// compactly: order numbers of up to 19 digits as integers.
type seenOrders struct {
	num map[uint64]int32
	str map[string]int32
}

func (s *seenOrders) firstLine(order string, line int) (int, bool) {
	if len(order) <= 19 {
		if n, err := strconv.ParseUint(order, 10, 64); err == nil {
			if first, ok := s.num[n]; ok {
				return int(first), true
			}
			s.num[n] = int32(line)
			return 0, false
		}
	}
	if first, ok := s.str[order]; ok {
		return int(first), true
	}
	s.str[order] = int32(line)
	return 0, false
}

// prefetch reads rows in a goroutine of its own, in batches, so parsing
// overlaps with writing. wait must be called before src is used again.
func prefetch[T any](src *tickets.RowSource[T]) (batches <-chan []T, stop func(), wait func()) {
	c := make(chan []T, 4)
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		defer close(c)
		batch := make([]T, 0, 512)
		for src.Next() {
			batch = append(batch, src.Row())
			if len(batch) == cap(batch) {
				select {
				case c <- batch:
				case <-done:
					return
				}
				batch = make([]T, 0, 512)
			}
		}
		if len(batch) > 0 {
			select {
			case c <- batch:
			case <-done:
			}
		}
	}()
	var once sync.Once
	stop = func() { once.Do(func() { close(done) }) }
	wait = func() {
		stop()
		for range c {
		}
		<-finished
	}
	return c, stop, wait
}

// promotionInsert is the head of an INSERT of whole promotion records (22 columns).
const promotionInsert = `INSERT INTO promotions (order_number, account, account_key, video_id, objective, amount, currency,
	payment_method, created_at, start_at, end_at, closed_at, status, promised_reach, delivered_reach, spend, incident,
	refunded, row_hash, import_id, imported_at, updated_at) VALUES `

// promotionsPerInsert is how many rows one INSERT takes into an empty table.
const promotionsPerInsert = 64

func (d *DB) importPromotionsRowwise(ctx context.Context, src *tickets.RowSource[tickets.PromotionRow], importID int64) (*tickets.ImportSummary, error) {
	sum := &tickets.ImportSummary{}
	now := d.clock.Now()
	err := d.inBulk(ctx, func(b bulk) error {
		imp := &rowwiseImport{ctx: ctx, tx: b.(*sqliteBulk).tx, file: src.File(), importID: importID, now: now, sum: sum,
			seen: &seenOrders{num: map[uint64]int32{}, str: map[string]int32{}}}
		defer imp.close()
		if err := imp.prepare(); err != nil {
			return err
		}
		if err := imp.load(src); err != nil {
			return err
		}
		if err := imp.finish(src.Err(), src.SkipInvalid()); err != nil {
			return err
		}
		return markStalePromotions(b, importID)
	})
	if err != nil {
		return nil, err
	}
	return sum, nil
}

// rowwiseImport takes promotion rows into SQLite one by one, against the
// unique order index: each row's order is looked up, then inserted,
// updated or left alone. Into an empty table every row is new: rows go in
// promotionsPerInsert to a statement, with no lookup first.
type rowwiseImport struct {
	ctx      context.Context
	tx       *sqlx.Tx
	file     string
	importID int64
	now      time.Time
	sum      *tickets.ImportSummary

	sel, ins, upd *sql.Stmt
	empty         bool      // the table was empty: rows go in by many
	many          *sql.Stmt // an INSERT of promotionsPerInsert rows
	twinsIndex    string    // the definition of the index dropped for the load
	pending       []any     // rows waiting for many, 22 values each
	pendingRows   int

	seen     *seenOrders
	dups     []tickets.LineError
	dupTotal int
}

// prepare prepares the statements the rows need and, into an empty table,
// those of the load by many.
func (imp *rowwiseImport) prepare() error {
	var err error
	if imp.sel, err = imp.tx.PrepareContext(imp.ctx, `SELECT row_hash FROM promotions WHERE order_number = ?`); err != nil {
		return err
	}
	if imp.ins, err = imp.tx.PrepareContext(imp.ctx, promotionInsert+`(`+marks(22)+`)`); err != nil {
		return err
	}
	if imp.upd, err = imp.tx.PrepareContext(imp.ctx, `UPDATE promotions SET account = ?, account_key = ?, video_id = ?,
		objective = ?, amount = ?, currency = ?, payment_method = ?, created_at = ?, start_at = ?, end_at = ?, closed_at = ?,
		status = ?, promised_reach = ?, delivered_reach = ?, spend = ?, incident = ?, refunded = ?, row_hash = ?,
		import_id = ?, updated_at = ? WHERE order_number = ?`); err != nil {
		return err
	}
	var exists bool
	if err := imp.tx.QueryRowContext(imp.ctx, `SELECT EXISTS (SELECT 1 FROM promotions)`).Scan(&exists); err != nil {
		return err
	}
	imp.empty = !exists
	if imp.empty {
		return imp.prepareEmpty()
	}
	return nil
}

// prepareEmpty drops the twins index, to be built once at the end from
// sorted keys, which is cheaper than inserting into it row by row (its
// definition is read back from the schema, so the migrations stay its only
// source), and prepares the INSERT of many rows.
func (imp *rowwiseImport) prepareEmpty() error {
	if err := imp.tx.QueryRowContext(imp.ctx, `SELECT sql FROM sqlite_master WHERE type = 'index' AND name = 'promotions_twins'`).Scan(&imp.twinsIndex); err != nil {
		return fmt.Errorf("twins index: %w", err)
	}
	if _, err := imp.tx.ExecContext(imp.ctx, `DROP INDEX promotions_twins`); err != nil {
		return err
	}
	var err error
	imp.many, err = imp.tx.PrepareContext(imp.ctx, promotionInsert+
		strings.TrimSuffix(strings.Repeat("("+marks(22)+"), ", promotionsPerInsert), ", "))
	return err
}

func (imp *rowwiseImport) close() {
	for _, s := range []*sql.Stmt{imp.many, imp.upd, imp.ins, imp.sel} {
		if s != nil {
			s.Close()
		}
	}
}

// load takes every row of src, parsed in a goroutine of its own.
func (imp *rowwiseImport) load(src *tickets.RowSource[tickets.PromotionRow]) error {
	batches, stop, wait := prefetch(src)
	defer wait()
	for batch := range batches {
		for i := range batch {
			if err := imp.row(&batch[i]); err != nil {
				stop()
				return err
			}
		}
	}
	wait()
	if err := imp.flush(); err != nil {
		return fmt.Errorf("%s: %w", imp.file, err)
	}
	return nil
}

// row takes one row: queued for the load by many when the table was empty
// and its order is new to the file; otherwise compared with the record.
func (imp *rowwiseImport) row(r *tickets.PromotionRow) error {
	first, dup := imp.seen.firstLine(r.Promotion.OrderNumber, r.Line)
	if imp.empty && !dup {
		return imp.queue(r)
	}
	if err := imp.flush(); err != nil {
		return fmt.Errorf("%s: %w", imp.file, err)
	}
	have, found, err := imp.stored(r.Promotion.OrderNumber)
	if err != nil {
		return err
	}
	if dup {
		imp.repeated(r, first, have)
		return nil
	}
	return imp.write(r, found, have)
}

// queue adds a new row to the load by many, and sends a full statement.
func (imp *rowwiseImport) queue(r *tickets.PromotionRow) error {
	p := &r.Promotion
	imp.pending = append(imp.pending, p.OrderNumber, p.Account, tickets.AccountKey(p.Account), p.VideoID, p.Objective,
		p.Amount, p.Currency, p.PaymentMethod, p.CreatedAt.UTC(), optTime(p.StartAt), optTime(p.EndAt),
		optTime(p.ClosedAt), string(p.Status), p.PromisedReach, p.DeliveredReach, p.Spend, p.Incident,
		p.Refunded, r.Hash, imp.importID, imp.now, imp.now)
	imp.pendingRows++
	imp.sum.Inserted++
	if imp.pendingRows < promotionsPerInsert {
		return nil
	}
	if err := imp.flush(); err != nil {
		return fmt.Errorf("%s: %w", imp.file, err)
	}
	return nil
}

// flush writes the queued rows: by many when there are enough for it, one
// by one otherwise.
func (imp *rowwiseImport) flush() error {
	if len(imp.pending) == 0 {
		return nil
	}
	if imp.pendingRows == promotionsPerInsert {
		if _, err := imp.many.ExecContext(imp.ctx, imp.pending...); err != nil {
			return err
		}
	} else {
		for i := 0; i < imp.pendingRows; i++ {
			if _, err := imp.ins.ExecContext(imp.ctx, imp.pending[i*22:(i+1)*22]...); err != nil {
				return err
			}
		}
	}
	imp.pending, imp.pendingRows = imp.pending[:0], 0
	return nil
}

// stored returns the row hash of an order's record, and whether there is one.
func (imp *rowwiseImport) stored(order string) (string, bool, error) {
	var have string
	err := imp.sel.QueryRowContext(imp.ctx, order).Scan(&have)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	return have, true, nil
}

// repeated notes a row whose order an earlier row of the file had: the
// record now holds that row's values, and a row that differs is listed.
func (imp *rowwiseImport) repeated(r *tickets.PromotionRow, first int, have string) {
	if have == r.Hash {
		return
	}
	imp.dupTotal++
	if len(imp.dups) < tickets.MaxListedErrors {
		imp.dups = append(imp.dups, tickets.LineError{File: imp.file, Line: r.Line, Problems: []tickets.RowProblem{
			tickets.NewRowProblem("order_number", "row.repeats", "First", first)}})
	}
}

// write inserts a row that has no record, updates one that differs from
// its record, and counts one that does not.
func (imp *rowwiseImport) write(r *tickets.PromotionRow, found bool, have string) error {
	p := &r.Promotion
	vals := []any{p.Account, tickets.AccountKey(p.Account), p.VideoID, p.Objective, p.Amount, p.Currency,
		p.PaymentMethod, p.CreatedAt.UTC(), optTime(p.StartAt), optTime(p.EndAt), optTime(p.ClosedAt),
		string(p.Status), p.PromisedReach, p.DeliveredReach, p.Spend, p.Incident, p.Refunded, r.Hash, imp.importID}
	switch {
	case !found:
		args := append(append([]any{p.OrderNumber}, vals...), imp.now, imp.now)
		if _, err := imp.ins.ExecContext(imp.ctx, args...); err != nil {
			return fmt.Errorf("%s:%d: %w", imp.file, r.Line, err)
		}
		imp.sum.Inserted++
	case have != r.Hash:
		args := append(vals, imp.now, p.OrderNumber)
		if _, err := imp.upd.ExecContext(imp.ctx, args...); err != nil {
			return fmt.Errorf("%s:%d: %w", imp.file, r.Line, err)
		}
		imp.sum.Updated++
	default:
		imp.sum.Unchanged++
	}
	return nil
}

// finish builds the twins index again, refuses the import for bad and
// repeated rows (unless they are skipped) and counts the skipped ones.
func (imp *rowwiseImport) finish(srcErr error, skip bool) error {
	if imp.twinsIndex != "" {
		if _, err := imp.tx.ExecContext(imp.ctx, imp.twinsIndex); err != nil {
			return fmt.Errorf("twins index: %w", err)
		}
	}
	if err := mergeLineErrors(srcErr, imp.dups, imp.dupTotal, skip); err != nil {
		return err
	}
	imp.sum.Skipped += imp.dupTotal
	imp.sum.SkippedRow = append(imp.sum.SkippedRow, imp.dups...)
	return nil
}

// mergeLineErrors refuses an import for the source's bad rows and the
// repeated orders together, listing them in file order.
func mergeLineErrors(srcErr error, dups []tickets.LineError, dupTotal int, skip bool) error {
	var ie *tickets.ImportErrors
	if srcErr != nil && !errors.As(srcErr, &ie) {
		return srcErr
	}
	if dupTotal == 0 || skip {
		return srcErr
	}
	if ie == nil {
		ie = &tickets.ImportErrors{}
	}
	all := append(append([]tickets.LineError(nil), ie.Errors...), dups...)
	sort.SliceStable(all, func(i, j int) bool { return all[i].Line < all[j].Line })
	if len(all) > tickets.MaxListedErrors {
		all = all[:tickets.MaxListedErrors]
	}
	return &tickets.ImportErrors{Errors: all, Total: ie.Total + dupTotal}
}

func (d *DB) importPromotionsStaged(ctx context.Context, src *tickets.RowSource[tickets.PromotionRow], importID int64) (*tickets.ImportSummary, error) {
	sum := &tickets.ImportSummary{}
	now := d.clock.Now()
	err := d.inBulk(ctx, func(b bulk) error {
		if err := d.stagePromotions(b, src); err != nil {
			return err
		}
		if err := d.duplicates(b, "import_promotions", "order_number", src.File(), src.SkipInvalid(), sum); err != nil {
			return err
		}
		if err := comparePromotions(b, sum); err != nil {
			return err
		}
		if err := mergePromotions(b, importID, now); err != nil {
			return err
		}
		if err := markStalePromotions(b, importID); err != nil {
			return err
		}
		return d.dropStaging(b, "promotions", "changed")
	})
	if err != nil {
		return nil, err
	}
	return sum, nil
}

// stagePromotions loads the rows of src into import_promotions; bad rows
// refuse the import before anything is written.
func (d *DB) stagePromotions(b bulk, src *tickets.RowSource[tickets.PromotionRow]) error {
	if err := d.createStaging(b, "promotions", "changed"); err != nil {
		return err
	}
	err := b.load("import_promotions", promotionStagingCols, func() ([]any, bool) {
		if !src.Next() {
			return nil, false
		}
		r := src.Row()
		p := &r.Promotion
		return []any{r.Line, p.OrderNumber, p.Account, tickets.AccountKey(p.Account), p.VideoID, p.Objective, p.Amount,
			p.Currency, p.PaymentMethod, p.CreatedAt.UTC(), optTime(p.StartAt), optTime(p.EndAt), optTime(p.ClosedAt),
			string(p.Status), p.PromisedReach, p.DeliveredReach, p.Spend, p.Incident, p.Refunded, r.Hash}, true
	})
	if err != nil {
		return fmt.Errorf("load rows: %w", err)
	}
	if err := src.Err(); err != nil {
		return err // bad rows: nothing is written
	}
	_, err = b.exec(`CREATE INDEX import_promotions_order ON import_promotions (order_number)`)
	return err
}

// comparePromotions lists in import_changed the staged rows that are new
// or differ from their record, and counts them.
func comparePromotions(b bulk, sum *tickets.ImportSummary) error {
	if _, err := b.exec(`INSERT INTO import_changed (line, is_new)
		SELECT i.line, p.order_number IS NULL FROM import_promotions i LEFT JOIN promotions p ON p.order_number = i.order_number
		WHERE p.order_number IS NULL OR p.row_hash <> i.row_hash`); err != nil {
		return fmt.Errorf("compare with the records: %w", err)
	}
	var staged int64
	if err := countStaged(b, "import_promotions", &staged); err != nil {
		return err
	}
	return countChanged(b, sum, staged)
}

// mergePromotions writes the changed rows into the records.
func mergePromotions(b bulk, importID int64, now time.Time) error {
	if _, err := b.exec(`INSERT INTO promotions (order_number, account, account_key, video_id, objective, amount, currency,
		payment_method, created_at, start_at, end_at, closed_at, status, promised_reach, delivered_reach, spend, incident,
		refunded, row_hash, import_id, imported_at, updated_at)
		SELECT i.order_number, i.account, i.account_key, i.video_id, i.objective, i.amount, i.currency, i.payment_method,
		i.created_at, i.start_at, i.end_at, i.closed_at, i.status, i.promised_reach, i.delivered_reach, i.spend, i.incident,
		i.refunded, i.row_hash, ?, ?, ?
		FROM import_changed c JOIN import_promotions i ON i.line = c.line WHERE TRUE
		ON CONFLICT (order_number) DO UPDATE SET account = excluded.account, account_key = excluded.account_key,
		video_id = excluded.video_id, objective = excluded.objective, amount = excluded.amount, currency = excluded.currency,
		payment_method = excluded.payment_method, created_at = excluded.created_at, start_at = excluded.start_at,
		end_at = excluded.end_at, closed_at = excluded.closed_at, status = excluded.status,
		promised_reach = excluded.promised_reach, delivered_reach = excluded.delivered_reach, spend = excluded.spend,
		incident = excluded.incident, refunded = excluded.refunded, row_hash = excluded.row_hash,
		import_id = excluded.import_id, updated_at = excluded.updated_at`, importID, now, now); err != nil {
		return fmt.Errorf("write the records: %w", err)
	}
	return nil
}

func countStaged(b bulk, table string, n *int64) error {
	return b.query(`SELECT COUNT(*) FROM `+table, nil, func(scan func(...any) error) error { return scan(n) })
}

// skipOn reports whether the source skips bad rows.
func skipOn[T any](src *tickets.RowSource[T]) bool { return src.SkipInvalid() }

func mapImportError(err error) error {
	if _, ok := err.(*tickets.ImportErrors); ok {
		return err
	}
	return mapError(err)
}

// ImportAuthorizations loads an authorization export in one transaction.
func (d *DB) ImportAuthorizations(ctx context.Context, src *tickets.RowSource[tickets.AuthorizationRow]) (*tickets.ImportSummary, error) {
	sum := &tickets.ImportSummary{}
	now := d.clock.Now()
	err := d.inBulk(ctx, func(b bulk) error {
		if err := d.createStaging(b, "authorizations", "changed"); err != nil {
			return err
		}
		err := b.load("import_authorizations", []string{"line", "account", "account_key", "scope", "granted_at", "revoked_at", "row_hash"},
			func() ([]any, bool) {
				if !src.Next() {
					return nil, false
				}
				r := src.Row()
				a := &r.Authorization
				return []any{r.Line, a.Account, tickets.AccountKey(a.Account), a.Scope, a.GrantedAt.UTC(), optTime(a.RevokedAt), r.Hash}, true
			})
		if err != nil {
			return fmt.Errorf("load rows: %w", err)
		}
		if err := src.Err(); err != nil {
			return err
		}
		if _, err := b.exec(`CREATE INDEX import_authorizations_key ON import_authorizations (account_key, scope, granted_at)`); err != nil {
			return err
		}
		if err := d.duplicates(b, "import_authorizations", "account_key, scope, granted_at", src.File(), skipOn(src), sum); err != nil {
			return err
		}
		if _, err := b.exec(`INSERT INTO import_changed (line, is_new)
			SELECT i.line, a.id IS NULL FROM import_authorizations i LEFT JOIN authorizations a
			ON a.account_key = i.account_key AND a.scope = i.scope AND a.granted_at = i.granted_at
			WHERE a.id IS NULL OR a.row_hash <> i.row_hash`); err != nil {
			return fmt.Errorf("compare with the records: %w", err)
		}
		var staged int64
		if err := countStaged(b, "import_authorizations", &staged); err != nil {
			return err
		}
		if err := countChanged(b, sum, staged); err != nil {
			return err
		}
		if _, err := b.exec(`INSERT INTO authorizations (account, account_key, scope, granted_at, revoked_at, row_hash, imported_at, updated_at)
			SELECT i.account, i.account_key, i.scope, i.granted_at, i.revoked_at, i.row_hash, ?, ?
			FROM import_changed c JOIN import_authorizations i ON i.line = c.line WHERE TRUE
			ON CONFLICT (account_key, scope, granted_at) DO UPDATE SET account = excluded.account,
			revoked_at = excluded.revoked_at, row_hash = excluded.row_hash, updated_at = excluded.updated_at`, now, now); err != nil {
			return fmt.Errorf("write the records: %w", err)
		}
		if _, err := b.exec(`UPDATE tickets SET stale = TRUE
			WHERE kind = 'revocation' AND status IN ('new', 'needs_info', 'in_review') AND NOT stale AND account_key IN (
				SELECT i.account_key FROM import_changed c JOIN import_authorizations i ON i.line = c.line)`); err != nil {
			return fmt.Errorf("mark tickets for re-evaluation: %w", err)
		}
		return d.dropStaging(b, "authorizations", "changed")
	})
	if err != nil {
		return nil, mapImportError(err)
	}
	return sum, nil
}
