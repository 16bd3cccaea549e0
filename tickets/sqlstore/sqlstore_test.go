package sqlstore_test

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"refunddesk/internal/storetest"
	"refunddesk/tickets"
	"refunddesk/tickets/sqlstore"
)

func TestMigrationsAreVersionedAndIdempotent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		ctx := context.Background()
		dsn := storetest.DSN(t, dialect)
		db, err := sqlstore.Open(ctx, dsn, sqlstore.Options{NoMigrate: true})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if cur, latest, err := db.Version(ctx); err != nil || cur != 0 || latest < 1 {
			t.Fatalf("fresh database: version %d of %d, %v", cur, latest, err)
		}
		applied, err := db.Migrate(ctx)
		if err != nil || len(applied) == 0 || applied[0] != "0001_init.sql" {
			t.Fatalf("migrate: %v %v", applied, err)
		}
		again, err := db.Migrate(ctx)
		if err != nil || len(again) != 0 {
			t.Fatalf("migrate again: %v %v", again, err)
		}
		cur, latest, err := db.Version(ctx)
		if err != nil || cur != latest {
			t.Fatalf("after: version %d of %d, %v", cur, latest, err)
		}
		// Opening again (as every start does) changes nothing.
		db2, err := sqlstore.Open(ctx, dsn, sqlstore.Options{})
		if err != nil {
			t.Fatal(err)
		}
		db2.Close()
	})
}

// A database at an older version is brought up to date when opened, and
// only the newer migrations run.
func TestOlderDatabaseIsUpgraded(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		ctx := context.Background()
		dsn := storetest.DSN(t, dialect)
		db, err := sqlstore.Open(ctx, dsn, sqlstore.Options{})
		if err != nil {
			t.Fatal(err)
		}
		// Back to version 1, as a database from before 0002 was.
		exec(t, db, before0006...)
		for _, q := range []string{`DROP INDEX tickets_overdue`, `DROP INDEX outbox_claim`, `DROP INDEX outbox_status`,
			`DROP TABLE followups`, `DROP TABLE leases`, `DELETE FROM schema_migrations WHERE version IN (2, 3, 4, 5)`} {
			if _, err := db.SQL().Exec(q); err != nil {
				t.Fatal(q, err)
			}
		}
		db.Close()
		db, err = sqlstore.Open(ctx, dsn, sqlstore.Options{NoMigrate: true})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		// Every migration after the first, as the folder has them.
		files, err := filepath.Glob(filepath.Join("migrations", dialect, "*.sql"))
		if err != nil || len(files) < 9 {
			t.Fatalf("migrations: %v %v", files, err)
		}
		for i := range files {
			files[i] = filepath.Base(files[i])
		}
		if cur, latest, err := db.Version(ctx); err != nil || cur != 1 || latest != len(files) {
			t.Fatalf("before: version %d of %d, %v", cur, latest, err)
		}
		applied, err := db.Migrate(ctx)
		if err != nil || strings.Join(applied, ",") != strings.Join(files[1:], ",") {
			t.Fatalf("upgrade: %v %v", applied, err)
		}
		var n int
		q := `SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name IN ('tickets_overdue', 'outbox_claim', 'outbox_status')`
		if dialect == sqlstore.Postgres {
			q = `SELECT count(*) FROM pg_indexes WHERE schemaname = current_schema() AND indexname IN ('tickets_overdue', 'outbox_claim', 'outbox_status')`
		}
		if err := db.SQL().Get(&n, q); err != nil || n != 3 {
			t.Fatalf("indexes after the upgrade: %d %v", n, err)
		}
	})
}

func TestConcurrentMigrationsOnPostgres(t *testing.T) {
	if !strings.Contains(strings.Join(storetest.Dialects(), ","), sqlstore.Postgres) {
		t.Skip("no PostgreSQL configured")
	}
	ctx := context.Background()
	dsn := storetest.DSN(t, sqlstore.Postgres)
	errs := make(chan error, 4)
	for i := 0; i < 4; i++ {
		go func() {
			db, err := sqlstore.Open(ctx, dsn, sqlstore.Options{})
			if err == nil {
				db.Close()
			}
			errs <- err
		}()
	}
	for i := 0; i < 4; i++ {
		if err := <-errs; err != nil {
			t.Errorf("instance %d: %v", i, err)
		}
	}
}

// Query values never become SQL: quotes and SQL in every kind of term are
// data, and the tables are intact afterwards.
func TestSearchValuesAreParameters(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		ctx := context.Background()
		clock := storetest.NewClock(time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC))
		db := storetest.Open(t, dialect, clock)
		svc := tickets.NewService(db, tickets.Options{Clock: clock})
		details := `it's "broken"; DROP TABLE tickets; --`
		if _, err := svc.Intake.Submit(ctx, tickets.SubmitRequest{Kind: tickets.KindRefund, Channel: tickets.ChannelEmail,
			Requester: tickets.Requester{Email: "o'brien@example.com"}, Order: "7301", Details: details}); err != nil {
			t.Fatal(err)
		}
		for _, q := range []string{
			`"DROP TABLE tickets; --"`,
			`"it's"`,
			`assignee:x'--`,
			`"' OR 1=1 --"`,
			`-"a' OR 'a'='a"`,
			`brien*`,
		} {
			if _, err := svc.Records.Search(ctx, q, "ayu", 10, ""); err != nil {
				t.Errorf("%s: %v", q, err)
			}
		}
		res, err := svc.Records.Search(ctx, `"drop table tickets"`, "", 10, "")
		if err != nil || len(res.Tickets) != 1 {
			t.Fatalf("phrase with SQL in it: %v %v", res, err)
		}
		res, err = svc.Records.Search(ctx, `"' OR 1=1 --"`, "", 10, "")
		if err != nil || len(res.Tickets) != 0 {
			t.Fatalf("an injection attempt matched: %d tickets, %v", len(res.Tickets), err)
		}
		if _, err := svc.Records.Search(ctx, `account:"@a' OR '1'='1"`, "", 10, ""); !tickets.IsValidation(err) {
			t.Fatalf("a quote in an account: %v", err)
		}
		if d, err := svc.Records.Detail(ctx, "RD-1"); err != nil || d.Details != details {
			t.Fatalf("the ticket afterwards: %v", err)
		}
	})
}

func TestSearchCursor(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		ctx := context.Background()
		clock := storetest.NewClock(time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC))
		db := storetest.Open(t, dialect, clock)
		svc := tickets.NewService(db, tickets.Options{Clock: clock})
		for i := 0; i < 5; i++ {
			if _, err := svc.Intake.Submit(ctx, tickets.SubmitRequest{Kind: tickets.KindRefund, Channel: tickets.ChannelEmail,
				Requester: tickets.Requester{Email: "a@example.com"}, Order: "73010" + string(rune('0'+i))}); err != nil {
				t.Fatal(err)
			}
			clock.Advance(time.Minute)
		}
		page, err := svc.Records.Search(ctx, "sort:updated", "", 2, "")
		if err != nil || len(page.Tickets) != 2 || page.Next == "" {
			t.Fatalf("first page: %v %v", page, err)
		}
		if _, err := svc.Records.Search(ctx, "sort:-created", "", 2, page.Next); !tickets.IsValidation(err) {
			t.Fatalf("a cursor of another sort: %v", err)
		}
		for _, bad := range []string{"!!!", "Y3wxMg", "dXw1"} {
			if _, err := svc.Records.Search(ctx, "sort:updated", "", 2, bad); !tickets.IsValidation(err) {
				t.Errorf("cursor %q: %v", bad, err)
			}
		}
	})
}

// A term of several values is an OR of its own; beside other terms it
// still narrows, never widens ("order:7301,7302* boost" found every 7302…
// ticket, boost or not, and on SQLite failed outright with "unable to use
// function MATCH").
func TestSearchManyValuedTermNarrows(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		ctx := context.Background()
		clock := storetest.NewClock(time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC))
		svc := tickets.NewService(storetest.Open(t, dialect, clock), tickets.Options{Clock: clock})
		for _, tk := range []struct{ order, details string }{
			{"7301", "the boost never ran"}, {"73020", "the boost never ran"}, {"73021", "wrong audience"}, {"7401", "the boost never ran"},
		} {
			if _, err := svc.Intake.Submit(ctx, tickets.SubmitRequest{Kind: tickets.KindRefund, Channel: tickets.ChannelEmail,
				Requester: tickets.Requester{Email: "a@example.com"}, Order: tk.order, Details: tk.details}); err != nil {
				t.Fatal(err)
			}
			clock.Advance(time.Minute)
		}
		for q, want := range map[string][]string{
			"order:7301,7302* boost":                      {"RD-2", "RD-1"},
			"order:7301,7302* boost sort:updated":         {"RD-1", "RD-2"},
			"order:7301,7302* -boost":                     {"RD-3"},
			"order:7301,7302* kind:refund,revocation":     {"RD-3", "RD-2", "RD-1"},
			"-order:7301,7302* boost":                     {"RD-4"},
			"order:7302*,7401 kind:revocation,refund ran": {"RD-4", "RD-2"},
		} {
			res, err := svc.Records.Search(ctx, q, "", 10, "")
			if err != nil {
				t.Errorf("%s: %v", q, err)
				continue
			}
			var got []string
			for _, tk := range res.Tickets {
				got = append(got, tk.Ref)
			}
			if !slices.Equal(got, want) {
				t.Errorf("%s: %v, want %v", q, got, want)
			}
		}
	})
}

func TestNotFoundIsAnError(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		db := storetest.Open(t, dialect, nil)
		err := db.View(context.Background(), func(tx tickets.Tx) error {
			if _, err := tx.Ticket(42); !errors.Is(err, tickets.ErrNotFound) {
				t.Errorf("ticket: %v", err)
			}
			if _, err := tx.Promotion("1"); !errors.Is(err, tickets.ErrNotFound) {
				t.Errorf("promotion: %v", err)
			}
			if _, err := tx.TicketByKey("k"); !errors.Is(err, tickets.ErrNotFound) {
				t.Errorf("key: %v", err)
			}
			if _, err := tx.EvidenceData("00"); !errors.Is(err, tickets.ErrNotFound) {
				t.Errorf("evidence: %v", err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

// A first import builds the twins index after the rows (faster); the index
// must be there afterwards, and a refused import leaves the schema as it was.
func TestFreshImportKeepsTheSchema(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t, sqlstore.SQLite, nil)
	svc := tickets.NewService(db, tickets.Options{})
	index := func() int {
		var n int
		if err := db.SQL().Get(&n, `SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = 'promotions_twins'`); err != nil {
			t.Fatal(err)
		}
		return n
	}
	const head = "order_number,account,amount,currency,created_at,status,video_id\n"
	bad := head + "1,@a,5,IDR,2026-11-01T00:00:00Z,completed,v\n1,@a,6,IDR,2026-11-01T00:00:00Z,completed,v\n"
	if _, err := svc.Records.ImportPromotions(ctx, strings.NewReader(bad), tickets.ImportOptions{File: "p.csv"}); err == nil {
		t.Fatal("a repeated order with other values was taken")
	}
	if index() != 1 {
		t.Fatal("a refused first import lost the twins index")
	}
	good := head + "1,@a,5,IDR,2026-11-01T00:00:00Z,completed,v\n2,@a,5,IDR,2026-11-01T00:05:00Z,completed,v\n"
	if _, err := svc.Records.ImportPromotions(ctx, strings.NewReader(good), tickets.ImportOptions{File: "p.csv"}); err != nil {
		t.Fatal(err)
	}
	if index() != 1 {
		t.Fatal("no twins index after a first import")
	}
	var plan string
	rows, err := db.SQL().Query(`EXPLAIN QUERY PLAN SELECT order_number FROM promotions WHERE account_key = 'a' AND video_id = 'v' AND amount = 5`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var a, b, c int
		var d string
		if err := rows.Scan(&a, &b, &c, &d); err != nil {
			t.Fatal(err)
		}
		plan += d
	}
	rows.Close()
	if !strings.Contains(plan, "promotions_twins") {
		t.Fatalf("twin lookups do not use the index: %s", plan)
	}
}

// One holder at a time; the holder renews; a lease that ran out is taken
// over; releasing lets the next take it at once.
func TestLeases(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		ctx := context.Background()
		db := storetest.Open(t, dialect, nil)
		now := time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)
		ttl := 30 * time.Second
		step := func(who string, at time.Duration, want bool) {
			t.Helper()
			got, err := db.AcquireLease(ctx, "imap:INBOX", who, now.Add(at), ttl)
			if err != nil || got != want {
				t.Fatalf("%s at +%s: %v %v, want %v", who, at, got, err, want)
			}
		}
		step("a", 0, true)
		step("b", time.Second, false)
		step("a", 20*time.Second, true) // renewed: now until +50s
		step("b", 40*time.Second, false)
		step("b", 51*time.Second, true) // a stopped renewing: b takes over
		step("a", 52*time.Second, false)
		if err := db.ReleaseLease(ctx, "imap:INBOX", "a"); err != nil { // not a's any more: nothing happens
			t.Fatal(err)
		}
		step("a", 53*time.Second, false)
		if err := db.ReleaseLease(ctx, "imap:INBOX", "b"); err != nil {
			t.Fatal(err)
		}
		step("a", 54*time.Second, true)
		step("b", 54*time.Second, false)
		if ok, err := db.AcquireLease(ctx, "imap:Other", "b", now, ttl); err != nil || !ok {
			t.Fatalf("another lease: %v %v", ok, err)
		}
	})
}
