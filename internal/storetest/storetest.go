// Package storetest opens real stores for tests: a SQLite file in the test's
// temporary folder, and, when REFUNDDESK_TEST_POSTGRES holds a DSN, a fresh
// PostgreSQL schema that is dropped when the test ends. Each returns its own
// database, so tests run side by side and never see each other's data.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"refunddesk/tickets"
	"refunddesk/tickets/sqlstore"
)

// EnvPostgres names the variable holding the PostgreSQL DSN for tests.
const EnvPostgres = "REFUNDDESK_TEST_POSTGRES"

// EnvReport, when set, names a file each store test appends its dialect
// to, so CI can say which databases the store tests ran on.
const EnvReport = "REFUNDDESK_TEST_REPORT"

// Dialects returns the dialects the tests run on: sqlite always, postgres
// when configured.
func Dialects() []string {
	if os.Getenv(EnvPostgres) != "" {
		return []string{sqlstore.SQLite, sqlstore.Postgres}
	}
	return []string{sqlstore.SQLite}
}

// Each runs fn once per dialect, as subtests named after the dialect.
func Each(t *testing.T, fn func(t *testing.T, dialect string)) {
	t.Helper()
	for _, d := range Dialects() {
		t.Run(d, func(t *testing.T) { fn(t, d) })
	}
}

// DSN returns a DSN for a new, empty database of the dialect, removed when
// the test ends.
func DSN(t testing.TB, dialect string) string {
	t.Helper()
	report(t, dialect)
	if dialect == sqlstore.SQLite {
		return t.TempDir() + "/refunddesk.db"
	}
	base := os.Getenv(EnvPostgres)
	if base == "" {
		t.Skip(EnvPostgres + " is not set")
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "rdtest_" + hex.EncodeToString(b[:])
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("postgres: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if _, err := admin.ExecContext(ctx, `CREATE SCHEMA `+schema); err != nil {
		admin.Close()
		t.Fatalf("postgres (%s is set, so the server must answer): %v", EnvPostgres, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		if _, err := admin.ExecContext(ctx, `DROP SCHEMA `+schema+` CASCADE`); err != nil {
			t.Errorf("drop test schema %s: %v", schema, err)
		}
		admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("%s: %v", EnvPostgres, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Open returns a migrated store of the dialect on a new database.
func Open(t testing.TB, dialect string, clock tickets.Clock) *sqlstore.DB {
	t.Helper()
	db, err := sqlstore.Open(context.Background(), DSN(t, dialect), sqlstore.Options{Clock: clock})
	if err != nil {
		t.Fatalf("open %s store: %v", dialect, err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

var reportMu sync.Mutex

func report(t testing.TB, dialect string) {
	path := os.Getenv(EnvReport)
	if path == "" {
		return
	}
	reportMu.Lock()
	defer reportMu.Unlock()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return
	}
	defer f.Close()
	fmt.Fprintf(f, "%s %s\n", dialect, t.Name())
}

// Clock is a clock tests move by hand.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a clock stopped at now.
func NewClock(now time.Time) *Clock { return &Clock{now: now.UTC().Truncate(time.Microsecond)} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t.UTC().Truncate(time.Microsecond)
}
