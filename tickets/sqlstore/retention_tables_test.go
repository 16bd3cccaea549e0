package sqlstore

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
)

// Every table whose rows hang on a ticket is one retention removes before
// the ticket (retainedChildren, or the evidence links it handles apart):
// a new table that references tickets and is not listed would keep a
// removed ticket's rows, or make its DELETE fail.
func TestRetentionKnowsEveryTableOnATicket(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "refunddesk.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var tables []string
	if err := db.db.SelectContext(ctx, &tables, `SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`); err != nil {
		t.Fatal(err)
	}
	known := append(slices.Clone(retainedChildren), "ticket_evidence", "tickets")
	found := 0
	for _, table := range tables {
		var refs []string
		if err := db.db.SelectContext(ctx, &refs, `SELECT "table" FROM pragma_foreign_key_list(?)`, table); err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(refs, "tickets") {
			continue
		}
		found++
		if !slices.Contains(known, table) {
			t.Errorf("%s references tickets but retention does not remove its rows (retainedChildren)", table)
		}
	}
	if found < len(retainedChildren) {
		t.Fatalf("only %d tables reference tickets: the check checks little", found)
	}
}
