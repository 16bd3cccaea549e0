package mail_test

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"refunddesk/internal/storetest"
	"refunddesk/tickets"
	"refunddesk/tickets/sqlstore"
)

// TestMain removes the migrated store the tests copy (openSQLiteCopy).
func TestMain(m *testing.M) {
	code := m.Run()
	migrated.remove()
	os.Exit(code)
}

// migratedStore is an empty SQLite store with every migration applied,
// written once per test binary. Opening a new store migrates it, which
// took 1.5-2.2 s under -race on the loaded 2-core machine; the tests that
// need a fresh store for each of many cases (TestAutomaticMailIsNeverAnswered
// has 60), and the mail fixtures, open a copy of this one instead. The copy is the same file a new
// store would be (same schema, page size and journal mode); what the
// migrations do is the store's tests' to show, not the intake's.
type migratedStore struct {
	once sync.Once
	dir  string
	path string
	err  error
}

var migrated migratedStore

func (s *migratedStore) file() (string, error) {
	s.once.Do(func() {
		if s.dir, s.err = os.MkdirTemp("", "refunddesk-mail-store-"); s.err != nil {
			return
		}
		s.path = filepath.Join(s.dir, "refunddesk.db")
		db, err := sqlstore.Open(context.Background(), s.path, sqlstore.Options{})
		if err != nil {
			s.err = err
			return
		}
		s.err = db.Close()
	})
	return s.path, s.err
}

func (s *migratedStore) remove() {
	if s.dir != "" {
		os.RemoveAll(s.dir)
	}
}

// openStore is storetest.Open, on a copy of the migrated store for SQLite.
func openStore(t *testing.T, dialect string, clock tickets.Clock) *sqlstore.DB {
	t.Helper()
	if dialect != sqlstore.SQLite {
		return storetest.Open(t, dialect, clock)
	}
	return openSQLiteCopyClock(t, clock)
}

// openSQLiteCopy is storetest.Open(t, "sqlite", nil) on a copy of the
// migrated store.
func openSQLiteCopy(t *testing.T) *sqlstore.DB {
	t.Helper()
	return openSQLiteCopyClock(t, nil)
}

func openSQLiteCopyClock(t *testing.T, clock tickets.Clock) *sqlstore.DB {
	t.Helper()
	src, err := migrated.file()
	if err != nil {
		t.Fatalf("migrated store: %v", err)
	}
	dsn := storetest.DSN(t, "sqlite")
	for _, suffix := range []string{"", "-wal"} {
		raw, err := os.ReadFile(src + suffix)
		if errors.Is(err, fs.ErrNotExist) && suffix != "" {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dsn+suffix, raw, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	db, err := sqlstore.Open(context.Background(), dsn, sqlstore.Options{Clock: clock})
	if err != nil {
		t.Fatalf("open sqlite store: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}
