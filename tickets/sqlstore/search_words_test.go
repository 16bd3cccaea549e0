package sqlstore_test

import (
	"context"
	"testing"
	"time"

	"refunddesk/internal/storetest"
	"refunddesk/tickets"
	"refunddesk/tickets/sqlstore"
)

// A word is found however its accents are written, on both stores, and
// on PostgreSQL also in search text written before the words were folded
// (migration 0004 folds it).
func TestSearchFoldsAccents(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		ctx := context.Background()
		clock := storetest.NewClock(time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC))
		dsn := storetest.DSN(t, dialect)
		db, err := sqlstore.Open(ctx, dsn, sqlstore.Options{Clock: clock})
		if err != nil {
			t.Fatal(err)
		}
		svc := tickets.NewService(db, tickets.Options{Clock: clock})
		if _, err := svc.Intake.Submit(ctx, tickets.SubmitRequest{Kind: tickets.KindRefund, Channel: tickets.ChannelEmail,
			Requester: tickets.Requester{Email: "jose@example.com"}, Order: "7301",
			Details: "José paid at the Café Müller, then ελλάδα"}); err != nil {
			t.Fatal(err)
		}
		want := func(db *sqlstore.DB, when string) {
			t.Helper()
			svc := tickets.NewService(db, tickets.Options{Clock: clock})
			for _, q := range []string{"cafe", "CAFÉ", "café", "jose", "josé", `"cafe muller"`, "mül*", "mul*", "ελλάδα"} {
				res, err := svc.Records.Search(ctx, q, "", 10, "")
				if err != nil || len(res.Tickets) != 1 {
					t.Errorf("%s: %q finds %d tickets (%v)", when, q, len(res.Tickets), err)
				}
			}
			// Accents on letters of other scripts are kept, as SQLite keeps them.
			if res, err := svc.Records.Search(ctx, "ελλαδα", "", 10, ""); err != nil || len(res.Tickets) != 0 {
				t.Errorf("%s: ελλαδα finds %d tickets (%v)", when, len(res.Tickets), err)
			}
		}
		want(db, "new text")
		if dialect != sqlstore.Postgres {
			db.Close()
			return
		}
		// The text as it was written before 0004, accents and all.
		exec(t, db, before0006...)
		for _, q := range []string{
			`UPDATE tickets SET search = to_tsvector('simple', 'RD 1 José paid at the Café Müller then ελλάδα')`,
			`DELETE FROM schema_migrations WHERE version >= 4`, // 0004 and what came after it
		} {
			if _, err := db.SQL().ExecContext(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
		db.Close()
		db, err = sqlstore.Open(ctx, dsn, sqlstore.Options{Clock: clock})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		want(db, "text folded by the migration")
	})
}
