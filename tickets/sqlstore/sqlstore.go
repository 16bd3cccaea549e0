// Package sqlstore keeps refunddesk's tickets and records in SQLite (a file,
// the default) or PostgreSQL (several instances sharing one store), through
// sqlx. Queries are written once with ? placeholders and rebound for
// PostgreSQL; the schemas are embedded, versioned migrations per dialect.
package sqlstore

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
	"github.com/jmoiron/sqlx"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"refunddesk/tickets"
)

//go:embed migrations
var migrationFS embed.FS

// Dialects.
const (
	SQLite   = "sqlite"
	Postgres = "postgres"
)

// DB is the store. It implements tickets.Store.
type DB struct {
	db      *sqlx.DB
	dialect string
	dsn     string
	clock   tickets.Clock
	log     *slog.Logger
	// writer is SQLite's one write lock, taken in Go: writers of this
	// process queue here in order instead of polling the file lock with
	// SQLite's busy handler (sleeps of 1, 2, 5, 10… ms while holding a pooled
	// connection that readers then wait for). Other processes still meet at
	// the file lock and the busy timeout.
	writer chan struct{}
	// written counts committed writes; the checkpointer looks at it.
	written    atomic.Int64
	stopCkpt   context.CancelFunc
	checkpoint sync.WaitGroup
	// prepared are SQLite statements prepared once for the pool; a
	// transaction uses each on its own connection, where database/sql
	// prepares it once per connection and then reuses it.
	prepared preparedCache
}

// preparedCache holds the pool's prepared statements by query, up to
// maxPrepared of them: a query built from an agent's filters may be one of
// many shapes, and those beyond the bound are prepared per transaction.
//
// A statement is prepared for the pool in the background, after the first
// transaction that needed it prepared it for itself: preparing for the pool
// takes a connection of its own, and a transaction that waited for one
// while holding its own could wait forever with the pool full of others
// doing the same.
type preparedCache struct {
	mu     sync.Mutex
	stmts  map[string]*sqlx.Stmt // nil: being prepared, or could not be
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

const maxPrepared = 512

func (c *preparedCache) start() {
	c.stmts = map[string]*sqlx.Stmt{}
	c.ctx, c.cancel = context.WithCancel(context.Background())
}

// get returns the pool's statement for query, or nil when it is not ready
// yet, and then has it prepared unless the cache is full.
func (c *preparedCache) get(db *sqlx.DB, query string) *sqlx.Stmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	s, seen := c.stmts[query]
	if seen || c.ctx.Err() != nil || len(c.stmts) >= maxPrepared {
		return s
	}
	c.stmts[query] = nil
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		s, err := db.PreparexContext(c.ctx, query)
		if err != nil {
			return // the transactions prepare it themselves, and see the error
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		if c.ctx.Err() != nil {
			s.Close()
			return
		}
		c.stmts[query] = s
	}()
	return nil
}

func (c *preparedCache) close() {
	c.cancel()
	c.wg.Wait()
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, s := range c.stmts {
		if s != nil {
			s.Close()
		}
	}
	clear(c.stmts)
}

var _ tickets.Store = (*DB)(nil)

// Options configure Open.
type Options struct {
	Clock  tickets.Clock
	Logger *slog.Logger
	// NoMigrate opens without applying pending migrations (a database newer
	// than the binary is refused either way).
	NoMigrate bool
	// CheckpointEvery is how often, on SQLite, what was written is copied
	// from the write-ahead log into the database file by a goroutine of its
	// own, so that no writer pays for it while someone waits (default 100ms;
	// negative: only SQLite's own checkpoints, at commits).
	CheckpointEvery time.Duration
}

// IsPostgres reports whether a DSN names a PostgreSQL database.
func IsPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// sqliteDSN turns a path (or a file: URI) into a DSN with the settings that
// let several readers and writers share the file: WAL, a busy timeout,
// foreign keys, immediate write transactions, and times SQLite can read.
func sqliteDSN(dsn string) (string, error) {
	path := strings.TrimPrefix(dsn, "sqlite://")
	if strings.HasPrefix(path, "file:") {
		if strings.Contains(path, "_pragma") {
			return path, nil
		}
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		return path + sep + sqlitePragmas, nil
	}
	if path == "" {
		return "", errors.New("store.dsn is empty: give a file path or a postgres:// URL")
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return "", fmt.Errorf("create the database's folder: %w", err)
		}
	}
	u := url.URL{Path: path}
	return "file:" + u.EscapedPath() + "?" + sqlitePragmas, nil
}

// sqlitePageSize is the page size of a new SQLite store. A 200 KB
// screenshot is 13 pages of 16 KiB instead of 50 of 4: a quarter of the
// writes to the write-ahead log at the commit, and of the reads and writes
// when the checkpoint copies them into the file.
const sqlitePageSize = 16 << 10

// newSQLiteFile gives a SQLite store that does not exist yet (a path, not
// a file: URI, which is used as given) its page size. The size must be set
// before the database's first page is written, and the DSN's pragmas
// cannot do it: the driver runs them in the order of their names, and
// journal_mode(WAL) writes that page first. A store that exists keeps its
// page size (in WAL mode it cannot change).
func newSQLiteFile(ctx context.Context, dsn string) error {
	path := strings.TrimPrefix(dsn, "sqlite://")
	if strings.HasPrefix(path, "file:") || path == ":memory:" {
		return nil
	}
	if fi, err := os.Stat(path); err == nil && fi.Size() > 0 || err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil // there already, or for Open to report
	}
	u := url.URL{Path: path}
	db, err := sql.Open("sqlite", "file:"+u.EscapedPath()+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return fmt.Errorf("create the database: %w", err)
	}
	defer db.Close()
	for _, q := range []string{fmt.Sprintf(`PRAGMA page_size = %d`, sqlitePageSize), `PRAGMA journal_mode = WAL`} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("create the database %s: %w", path, err)
		}
	}
	return db.Close()
}

const sqlitePragmas = "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)" +
	"&_pragma=synchronous(NORMAL)&_pragma=temp_store(MEMORY)&_pragma=cache_size(-65536)" +
	"&_pragma=wal_autocheckpoint(8192)&_pragma=journal_size_limit(134217728)&_txlock=immediate&_time_format=sqlite"

// Open opens the store named by dsn (a SQLite file path, or a postgres://
// URL) and brings its schema up to date.
func Open(ctx context.Context, dsn string, opt Options) (*DB, error) {
	d := &DB{dsn: dsn, clock: opt.Clock, log: opt.Logger, writer: make(chan struct{}, 1)}
	d.prepared.start()
	if d.clock == nil {
		d.clock = tickets.SystemClock{}
	}
	if d.log == nil {
		d.log = slog.New(slog.DiscardHandler)
	}
	var err error
	if IsPostgres(dsn) {
		d.dialect = Postgres
		d.db, err = sqlx.Open("pgx", dsn)
		if err == nil {
			d.db.SetMaxOpenConns(16)
			d.db.SetMaxIdleConns(8)
			d.db.SetConnMaxIdleTime(5 * time.Minute)
		}
	} else {
		d.dialect = SQLite
		var sdsn string
		if sdsn, err = sqliteDSN(dsn); err == nil {
			err = newSQLiteFile(ctx, dsn)
		}
		if err == nil {
			d.db, err = sqlx.Open("sqlite", sdsn)
		}
		if err == nil {
			d.db.SetMaxOpenConns(8)
			d.db.SetMaxIdleConns(8)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	pctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := d.db.PingContext(pctx); err != nil {
		d.db.Close()
		return nil, fmt.Errorf("open store %s: %w", redact(dsn), err)
	}
	if err := d.checkVersion(ctx, !opt.NoMigrate); err != nil {
		d.db.Close()
		return nil, err
	}
	if d.dialect == SQLite && opt.CheckpointEvery >= 0 {
		every := opt.CheckpointEvery
		if every == 0 {
			every = 100 * time.Millisecond
		}
		cctx, stop := context.WithCancel(context.WithoutCancel(ctx))
		d.stopCkpt = stop
		d.checkpoint.Add(1)
		go d.checkpointer(cctx, every)
	}
	return d, nil
}

// checkpointer copies committed pages from the write-ahead log into the
// database file every so often, when something was written. A PASSIVE
// checkpoint takes no lock that writers or readers wait for; SQLite's own
// checkpoint at a commit (wal_autocheckpoint) would make that commit, and
// every writer queued behind it, wait for the copy and its fsync: half a
// second on a large store.
//
// It checkpoints on a connection of its own, held while it runs. Taken from
// the pool, that connection was the one the last writer had just given back
// (the pool hands out the most recently used), so the next writer got
// another, whose page cache was out of date since that write: SQLite drops
// such a cache whole when a transaction begins, and frees it page by page
// (up to cache_size, 64 MiB). With writers taking turns with the
// checkpoint, every write paid for that: a sixth of the mail intake's CPU
// time.
func (d *DB) checkpointer(ctx context.Context, every time.Duration) {
	defer d.checkpoint.Done()
	t := time.NewTicker(every)
	defer t.Stop()
	var conn *sql.Conn
	defer func() {
		if conn != nil {
			conn.Close()
		}
	}()
	var seen int64
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		n := d.written.Load()
		if n == seen {
			continue
		}
		var err error
		if conn == nil {
			conn, err = d.db.Conn(ctx)
		}
		if err == nil {
			if _, err = conn.ExecContext(ctx, `PRAGMA wal_checkpoint(PASSIVE)`); err != nil {
				conn.Close()
				conn = nil
			}
		}
		if err != nil {
			if ctx.Err() == nil {
				d.log.Warn("sqlite checkpoint", slog.Any("error", err))
			}
			continue
		}
		seen = n
	}
}

// redact hides a password in a DSN for messages.
func redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.User == nil {
		return dsn
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

// Dialect is "sqlite" or "postgres".
func (d *DB) Dialect() string { return d.dialect }

// SQL gives tests and tools the underlying connection pool.
func (d *DB) SQL() *sqlx.DB { return d.db }

// Close runs SQLite's optimizer and closes the pool.
func (d *DB) Close() error {
	if d.stopCkpt != nil {
		d.stopCkpt()
		d.checkpoint.Wait()
	}
	d.prepared.close()
	if d.dialect == SQLite {
		if _, err := d.db.Exec(`PRAGMA optimize`); err != nil {
			d.log.Warn("sqlite optimize", slog.Any("error", err))
		}
	}
	return d.db.Close()
}

// Analyze refreshes the planner's statistics (after a bulk load).
func (d *DB) Analyze(ctx context.Context) error {
	_, err := d.db.ExecContext(ctx, `ANALYZE`)
	return err
}

// rebind turns ? placeholders into the dialect's.
func (d *DB) rebind(q string) string {
	if d.dialect == Postgres {
		return sqlx.Rebind(sqlx.DOLLAR, q)
	}
	return q
}

// migration is one embedded schema change.
type migration struct {
	version int
	name    string
	sql     string
}

func (d *DB) migrations() ([]migration, error) {
	dir := "migrations/" + d.dialect
	entries, err := fs.ReadDir(migrationFS, dir)
	if err != nil {
		return nil, err
	}
	var out []migration
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".sql") {
			continue
		}
		num, _, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migration %s: name must start with a version number", name)
		}
		b, err := fs.ReadFile(migrationFS, dir+"/"+name)
		if err != nil {
			return nil, err
		}
		out = append(out, migration{version: v, name: name, sql: string(b)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	for i, m := range out {
		if m.version != i+1 {
			return nil, fmt.Errorf("migration %s: versions must run 1, 2, 3… without gaps", m.name)
		}
	}
	return out, nil
}

// Version reports the schema version of the database and the newest this
// binary knows.
func (d *DB) Version(ctx context.Context) (current, latest int, err error) {
	ms, err := d.migrations()
	if err != nil {
		return 0, 0, err
	}
	current, err = d.currentVersion(ctx, d.db)
	return current, len(ms), err
}

type queryer interface {
	QueryRowxContext(ctx context.Context, query string, args ...any) *sqlx.Row
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

func (d *DB) currentVersion(ctx context.Context, q queryer) (int, error) {
	var exists bool
	var err error
	if d.dialect == Postgres {
		err = q.QueryRowxContext(ctx, `SELECT to_regclass('schema_migrations') IS NOT NULL`).Scan(&exists)
	} else {
		var n int
		err = q.QueryRowxContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'`).Scan(&n)
		exists = n > 0
	}
	if err != nil || !exists {
		return 0, err
	}
	var v sql.NullInt64
	if err := q.QueryRowxContext(ctx, `SELECT max(version) FROM schema_migrations`).Scan(&v); err != nil {
		return 0, err
	}
	return int(v.Int64), nil
}

// checkVersion refuses a database newer than the binary and, when migrate
// is set, applies the pending migrations.
func (d *DB) checkVersion(ctx context.Context, migrate bool) error {
	ms, err := d.migrations()
	if err != nil {
		return err
	}
	cur, err := d.currentVersion(ctx, d.db)
	if err != nil {
		return fmt.Errorf("read the schema version: %w", err)
	}
	if cur > len(ms) {
		return fmt.Errorf("the database is at schema version %d, newer than this refunddesk knows (%d): "+
			"run a newer refunddesk, or restore a backup made for this version", cur, len(ms))
	}
	if migrate {
		_, err = d.Migrate(ctx)
	}
	return err
}

// Migrate applies the pending migrations, each in its own transaction, and
// returns the names of those it applied. On PostgreSQL an advisory lock keeps
// two instances from migrating at once.
func (d *DB) Migrate(ctx context.Context) ([]string, error) {
	ms, err := d.migrations()
	if err != nil {
		return nil, err
	}
	var applied []string
	for _, m := range ms {
		did, err := d.migrateOne(ctx, m, len(ms))
		if err != nil {
			return applied, fmt.Errorf("migration %s: %w", m.name, err)
		}
		if did {
			applied = append(applied, m.name)
			d.log.Info("applied migration", slog.String("name", m.name))
		}
	}
	return applied, nil
}

const migrationLockID = 0x7264_6573_6b // "rdesk"

func (d *DB) migrateOne(ctx context.Context, m migration, latest int) (bool, error) {
	tx, err := d.db.BeginTxx(ctx, nil)
	if err != nil {
		return false, err
	}
	defer tx.Rollback()
	if d.dialect == Postgres {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, migrationLockID); err != nil {
			return false, err
		}
	}
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMP NOT NULL)`); err != nil {
		return false, err
	}
	cur, err := d.currentVersion(ctx, tx)
	if err != nil {
		return false, err
	}
	if cur > latest {
		return false, fmt.Errorf("the database is at schema version %d, newer than this refunddesk knows (%d)", cur, latest)
	}
	if cur >= m.version {
		return false, nil
	}
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return false, err
	}
	if _, err := tx.ExecContext(ctx, d.rebind(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`),
		m.version, m.name, d.clock.Now()); err != nil {
		return false, err
	}
	return true, tx.Commit()
}

// Update runs fn in a write transaction (see tickets.Store).
func (d *DB) Update(ctx context.Context, fn func(tickets.Tx) error) error {
	return d.run(ctx, true, fn)
}

// View runs fn in a read-only transaction.
func (d *DB) View(ctx context.Context, fn func(tickets.Tx) error) error {
	return d.run(ctx, false, fn)
}

func (d *DB) run(ctx context.Context, write bool, fn func(tickets.Tx) error) error {
	if write {
		release, err := d.lockWrites(ctx)
		if err != nil {
			return err
		}
		defer release()
	}
	// On SQLite, a read-only transaction is a plain (deferred) BEGIN that
	// reads a snapshot beside the writer; any other gets _txlock's BEGIN
	// IMMEDIATE, the write lock, at once.
	opts := &sql.TxOptions{ReadOnly: !write}
	sqltx, err := d.db.BeginTxx(ctx, opts)
	if err != nil {
		return mapError(fmt.Errorf("begin: %w", err))
	}
	defer sqltx.Rollback()
	tx := newTx(ctx, d, sqltx, write)
	if err := fn(tx); err != nil {
		return mapError(err)
	}
	if !write {
		return nil
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

// lockWrites waits for this process's turn to write to a SQLite store (see
// DB.writer); on PostgreSQL writers go side by side.
func (d *DB) lockWrites(ctx context.Context) (release func(), err error) {
	if d.dialect != SQLite {
		return func() {}, nil
	}
	select {
	case d.writer <- struct{}{}:
		return func() { <-d.writer }, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("wait to write: %w", ctx.Err())
	}
}

// exec runs one writing statement outside a transaction, in its turn.
func (d *DB) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	release, err := d.lockWrites(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	defer d.written.Add(1)
	return d.db.ExecContext(ctx, d.rebind(q), args...)
}

// mapError turns a uniqueness race or a busy database into
// tickets.ErrConcurrent, so the service can run the transaction again.
func mapError(err error) error {
	if err == nil || errors.Is(err, tickets.ErrConcurrent) {
		return err
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY, sqlite3.SQLITE_BUSY, sqlite3.SQLITE_BUSY_SNAPSHOT:
			return fmt.Errorf("%w: %w", tickets.ErrConcurrent, err)
		}
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "23505", "40001", "40P01": // unique_violation, serialization_failure, deadlock_detected
			return fmt.Errorf("%w: %w", tickets.ErrConcurrent, err)
		case "23503": // foreign_key_violation
			// A file linked while another transaction (an erasure,
			// retention) deleted its last link and the file: the link's
			// check waited for it, then found the file gone. Run again,
			// the transaction stores the file anew.
			if pe.TableName == "ticket_evidence" && pe.ConstraintName == "ticket_evidence_sha256_fkey" {
				return fmt.Errorf("%w: %w", tickets.ErrConcurrent, err)
			}
		}
	}
	return err
}

// keySchemesVersion is the schema version since which every channel's
// idempotency keys have had their present form: the mail intake changed
// its keys while 0004 was the newest migration.
const keySchemesVersion = 5

// OlderKeys (see tickets.Store): a key recorded before the store was
// migrated to keySchemesVersion. It reads every key once (there is no index
// on created_at, and a range on key would depend on PostgreSQL's collation);
// callers ask once.
func (d *DB) OlderKeys(ctx context.Context, prefix string) (bool, error) {
	var n int
	err := d.db.GetContext(ctx, &n, d.rebind(`SELECT count(*) FROM (SELECT 1 FROM intake_keys
		WHERE substr(key, 1, ?) = ? AND created_at < (SELECT applied_at FROM schema_migrations WHERE version = ?) LIMIT 1) older`),
		utf8.RuneCountInString(prefix), prefix, keySchemesVersion)
	if err != nil {
		return false, fmt.Errorf("older keys: %w", err)
	}
	return n > 0, nil
}
