package sqlstore_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	_ "modernc.org/sqlite"

	"refunddesk/internal/storetest"
	"refunddesk/tickets"
	"refunddesk/tickets/sqlstore"
)

// pageSize reads a SQLite store's page size and journal mode.
func pageSize(t *testing.T, db *sqlstore.DB) (int, string) {
	t.Helper()
	var size int
	var mode string
	if err := db.SQL().Get(&size, `PRAGMA page_size`); err != nil {
		t.Fatal(err)
	}
	if err := db.SQL().Get(&mode, `PRAGMA journal_mode`); err != nil {
		t.Fatal(err)
	}
	return size, mode
}

// A new SQLite store has pages of 16 KiB, in WAL mode; a store made with
// another page size keeps it (WAL mode cannot change it), migrates, and
// takes tickets as before. Opened again, a new store keeps its 16 KiB.
func TestNewSQLiteStorePageSize(t *testing.T) {
	ctx := context.Background()
	path := storetest.DSN(t, sqlstore.SQLite)
	db, err := sqlstore.Open(ctx, path, sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if size, mode := pageSize(t, db); size != 16<<10 || mode != "wal" {
		t.Fatalf("a new store: page size %d, journal %s; want 16384, wal", size, mode)
	}
	db.Close()
	if db, err = sqlstore.Open(ctx, path, sqlstore.Options{}); err != nil {
		t.Fatal(err)
	}
	if size, _ := pageSize(t, db); size != 16<<10 {
		t.Fatalf("opened again: page size %d", size)
	}
	db.Close()

	// A store of an earlier version: 4 KiB pages, WAL, its first tables.
	old := filepath.Join(t.TempDir(), "old.db")
	raw, err := sql.Open("sqlite", "file:"+old+"?_pragma=journal_mode(WAL)")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`CREATE TABLE early (a INTEGER)`); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	if db, err = sqlstore.Open(ctx, old, sqlstore.Options{}); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if size, mode := pageSize(t, db); size != 4<<10 || mode != "wal" {
		t.Fatalf("an existing store: page size %d, journal %s; want 4096, wal", size, mode)
	}
	if cur, latest, err := db.Version(ctx); err != nil || cur != latest {
		t.Fatalf("an existing store: schema %d of %d (%v)", cur, latest, err)
	}
	svc := tickets.NewService(db, tickets.Options{})
	if _, err := svc.Intake.Submit(ctx, tickets.SubmitRequest{Kind: tickets.KindRefund, Channel: tickets.ChannelEmail,
		Requester: tickets.Requester{Email: "rani@example.id"}, Details: "refund please", IdempotencyKey: "k1"}); err != nil {
		t.Fatal(err)
	}
}
