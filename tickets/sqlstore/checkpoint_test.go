package sqlstore_test

import (
	"context"
	"testing"
	"time"

	"refunddesk/internal/storetest"
	"refunddesk/tickets"
	"refunddesk/tickets/sqlstore"
)

// On SQLite, writes one after another keep to one connection while the
// checkpointer runs: it checkpoints on a connection of its own. (Taking one
// from the pool, it took the one the last write had given back, and the
// next write began on another, whose page cache SQLite then dropped whole,
// freeing it page by page.) A connection is told by a temporary table,
// which only it sees. The first writes are not counted: the statements the
// store prepares for the pool, after their first use, take a connection
// for a moment. The checkpoints still copy the log into the file.
func TestCheckpointerKeepsOffTheWritersConnection(t *testing.T) {
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, storetest.DSN(t, sqlstore.SQLite), sqlstore.Options{CheckpointEvery: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	pool := db.SQL()
	const warmUp, writes = 100, 1000
	conns, next := map[int64]bool{}, int64(1)
	for i := range warmUp + writes {
		tx, err := pool.BeginTxx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tx.Exec(`CREATE TEMP TABLE IF NOT EXISTS conn_id (id INTEGER NOT NULL)`); err != nil {
			t.Fatal(err)
		}
		var id int64
		if err := tx.Get(&id, `SELECT coalesce(max(id), 0) FROM temp.conn_id`); err != nil {
			t.Fatal(err)
		}
		if id == 0 {
			id, next = next, next+1
			if _, err := tx.Exec(`INSERT INTO temp.conn_id (id) VALUES (?)`, id); err != nil {
				t.Fatal(err)
			}
		}
		if i >= warmUp {
			conns[id] = true
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		// A write of the store's own, which the checkpointer counts.
		if err := db.SetCursor(ctx, "checkpoint-test", tickets.Cursor{UIDValidity: 1, LastUID: uint32(i + 1)}); err != nil {
			t.Fatal(err)
		}
	}
	if len(conns) != 1 {
		t.Errorf("%d writes one after another began on %d connections, want 1", writes, len(conns))
	}
	// The log is copied into the database file: a checkpoint of ours finds
	// nothing left to copy. (The deadline is a safety net.)
	deadline := time.Now().Add(30 * time.Second)
	for {
		var busy, log, copied int
		if err := pool.QueryRowxContext(ctx, `PRAGMA wal_checkpoint(NOOP)`).Scan(&busy, &log, &copied); err != nil {
			t.Fatal(err)
		}
		if log == copied {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the checkpointer left %d of %d frames of the log uncopied", log-copied, log)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
