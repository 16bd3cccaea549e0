package sqlstore_test

import (
	"context"
	"encoding/json"
	"maps"
	"strings"
	"testing"
	"time"

	"refunddesk/internal/storetest"
	"refunddesk/tickets"
	"refunddesk/tickets/sqlstore"
)

// before0011 takes a store back to schema version 10: the tickets lose
// their sources (0011), as a store from before they were kept.
var before0011 = []string{`ALTER TABLE tickets DROP COLUMN sources`, `DELETE FROM schema_migrations WHERE version >= 11`}

// A ticket's sources are stored and read back as they were given; a
// ticket stored before migration 0011 reads back with none ("sources": {}),
// and keeps what it is given after (issue 16).
func TestSourcesStoredAndMigrated(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		ctx := context.Background()
		dsn := storetest.DSN(t, dialect)
		clock := storetest.NewClock(time.Date(2026, 12, 4, 8, 0, 0, 0, time.UTC))
		db, err := sqlstore.Open(ctx, dsn, sqlstore.Options{Clock: clock})
		if err != nil {
			t.Fatal(err)
		}
		svc := tickets.NewService(db, tickets.Options{Clock: clock})
		submit := func(svc *tickets.Service, order string, src tickets.Sources) *tickets.Ticket {
			t.Helper()
			res, err := svc.Intake.Submit(ctx, tickets.SubmitRequest{Kind: tickets.KindRefund, Channel: tickets.ChannelEmail,
				Requester: tickets.Requester{Email: "dewi@example.id"}, Account: "@toko.dewi.id", Order: order,
				Reason: tickets.ReasonOther, Details: "tolong dicek", Sources: src})
			if err != nil {
				t.Fatal(err)
			}
			return res.Ticket
		}
		read := func(svc *tickets.Service, ref string) tickets.Sources {
			t.Helper()
			d, err := svc.Records.Detail(ctx, ref)
			if err != nil {
				t.Fatal(err)
			}
			return d.Sources
		}
		old := submit(svc, "7301000000000000001", tickets.Sources{"account": tickets.SourceSignature})
		want := tickets.Sources{"kind": "text", "account": "signature", "order": "text", "reason": "text"}
		if got := read(svc, old.Ref); !maps.Equal(got, want) {
			t.Fatalf("stored %v, read back %v", want, got)
		}
		var stored string
		if err := db.SQL().Get(&stored, db.SQL().Rebind(`SELECT sources FROM tickets WHERE id = ?`), old.ID); err != nil ||
			stored != `{"account":"signature","kind":"text","order":"text","reason":"text"}` {
			t.Fatalf("stored as %q, %v", stored, err)
		}

		// Back to before 0011, as a store that had tickets then.
		exec(t, db, before0011...)
		db.Close()
		db, err = sqlstore.Open(ctx, dsn, sqlstore.Options{Clock: clock})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		svc = tickets.NewService(db, tickets.Options{Clock: clock})
		d, err := svc.Records.Detail(ctx, old.Ref)
		if err != nil {
			t.Fatal(err)
		}
		if d.Sources == nil || len(d.Sources) != 0 {
			t.Fatalf("a ticket from before 0011: sources %#v", d.Sources)
		}
		b, _ := json.Marshal(d.Ticket)
		if !strings.Contains(string(b), `"sources":{}`) {
			t.Fatalf("JSON of a ticket from before 0011: %s", b)
		}
		// Changed after, it keeps the sources of what changed.
		acc := "@dewi_store"
		if _, err := svc.Desk.Edit(ctx, old.Ref, "citra", tickets.Fields{Account: &acc}); err != nil {
			t.Fatal(err)
		}
		if got := read(svc, old.Ref); !maps.Equal(got, tickets.Sources{"account": "agent"}) {
			t.Fatalf("edited after the migration: %v", got)
		}
		tk := submit(svc, "7301000000000000002", tickets.Sources{"reason": tickets.SourceForwarded})
		if got := read(svc, tk.Ref); !maps.Equal(got, tickets.Sources{"kind": "text", "account": "text", "order": "text", "reason": "forwarded"}) {
			t.Fatalf("a new ticket after the migration: %v", got)
		}
	})
}
