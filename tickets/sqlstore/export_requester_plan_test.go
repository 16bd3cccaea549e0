package sqlstore

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// The export's searches of the person's notes elsewhere and of the
// messages sent to them on no ticket read by index, on SQLite: no full
// scan of the audit trail or of the outbox, whose size is the store's.
func TestExportQueriesUseIndexes(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "plan.db"), Options{CheckpointEvery: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for name, q := range map[string]string{
		"notes by mail": notesQuery([]string{"lower(a.actor) = ?", "lower(a.params) LIKE ? ESCAPE '\\'"}),
		"notes by id":   notesQuery([]string{"a.params LIKE ? ESCAPE '\\'"}),
		"outbox":        noTicketOutboxQuery([]string{"(channel = 'email' AND lower(recipient) = ?)", "(channel = 'discord' AND recipient = ?)"}),
	} {
		rows, err := db.db.QueryContext(ctx, `EXPLAIN QUERY PLAN `+q, "x", "y")
		if err != nil {
			t.Fatal(name, err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, notused int
			var detail string
			if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		for _, step := range plan {
			if strings.HasPrefix(step, "SCAN") {
				t.Errorf("%s: %q in the plan\n%s", name, step, strings.Join(plan, "\n"))
			}
		}
		t.Logf("%s:\n  %s", name, strings.Join(plan, "\n  "))
	}
}
