package sqlstore_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"refunddesk/internal/storetest"
	"refunddesk/tickets"
	"refunddesk/tickets/sqlstore"
)

// The person these tests erase: words no other data of the tests holds,
// none sharing its first letters with another word of the search index
// (FTS5 writes a term after the one before it as the letters they do not
// share, so a word is found whole in the index's bytes only then).
var (
	eraseWho   = tickets.Requester{Email: "Qorina.Zubaidah@Contoh.ID", Name: "Qorina Xaverina"}
	eraseWords = []string{"qorina", "zubaidah", "xaverina"}
	eraseFile  = []byte("\x89PNG\r\n\x1a\nscreenshot of qorina xaverina's wallet")
)

// eraseStore files a request for the person on a store of its own (a
// SQLite file at dsn) and answers it, so her words are in every place a
// ticket keeps them: the ticket, the messages, the audit trail, the
// outbox, the search index, the evidence.
func eraseStore(t *testing.T, dsn string) (*sqlstore.DB, *tickets.Service) {
	t.Helper()
	ctx := context.Background()
	clock := storetest.NewClock(time.Date(2026, 11, 21, 8, 0, 0, 0, time.UTC))
	db, err := sqlstore.Open(ctx, dsn, sqlstore.Options{Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	svc := tickets.NewService(db, tickets.Options{Clock: clock})
	for i, who := range []tickets.Requester{{Email: "ayu@example.com", Name: "Ayu"}, eraseWho, {Email: "budi@example.com"}} {
		req := tickets.SubmitRequest{Kind: tickets.KindRevocation, Channel: tickets.ChannelEmail, Requester: who,
			Account: fmt.Sprintf("@shop_%d", i), Details: "please revoke the authorization of my video, " + who.Name}
		if who == eraseWho {
			req.Evidence = []tickets.File{{Name: "wallet.png", Data: eraseFile}}
		}
		res, err := svc.Intake.Submit(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Desk.Act(ctx, tickets.ActionRequest{Ref: res.Ticket.Ref, Actor: "ayu", Action: tickets.ActionReply,
			Text: "Dear " + who.Name + ", we are on it"}); err != nil {
			t.Fatal(err)
		}
	}
	return db, svc
}

// has reports which of words are in b, in any case.
func has(b []byte, words []string) []string {
	low := bytes.ToLower(b)
	var out []string
	for _, w := range words {
		if bytes.Contains(low, []byte(w)) {
			out = append(out, w)
		}
	}
	return out
}

// The search index keeps no word of an erased person, on SQLite: not in
// what the index lists (an fts5vocab table over it), and not in the bytes
// of its segments either. FTS5 only marks a deleted row of a contentless
// index with a tombstone: fts5vocab no longer lists its words, but the
// segments hold them until they are merged, which the erasure does.
func TestEraseSearchIndexKeepsNoWord(t *testing.T) {
	db, svc := eraseStore(t, storetest.DSN(t, sqlstore.SQLite))
	sq := db.SQL()
	if _, err := sq.Exec(`CREATE VIRTUAL TABLE temp.search_terms USING fts5vocab(main, ticket_search, 'instance')`); err != nil {
		t.Fatal(err)
	}
	terms := func() []string {
		var out []string
		if err := sq.Select(&out, `SELECT DISTINCT term FROM temp.search_terms ORDER BY term`); err != nil {
			t.Fatal(err)
		}
		return out
	}
	segments := func() []byte {
		var blocks [][]byte
		if err := sq.Select(&blocks, `SELECT block FROM ticket_search_data`); err != nil {
			t.Fatal(err)
		}
		return bytes.Join(blocks, nil)
	}
	if got := has([]byte(strings.Join(terms(), " ")), eraseWords); len(got) != len(eraseWords) {
		t.Fatalf("before: the index lists %v of %v", got, eraseWords)
	}
	if got := has(segments(), eraseWords); len(got) != len(eraseWords) {
		t.Fatalf("before: the segments hold %v of %v", got, eraseWords)
	}
	if _, err := svc.Desk.Erase(context.Background(), tickets.EraseRequest{Email: eraseWho.Email, Actor: "citra"}); err != nil {
		t.Fatal(err)
	}
	if got := has([]byte(strings.Join(terms(), " ")), eraseWords); len(got) > 0 {
		t.Errorf("the index lists %v", got)
	}
	if got := has(segments(), eraseWords); len(got) > 0 {
		t.Errorf("the index's segments hold %v", got)
	}
	if got := has([]byte(strings.Join(terms(), " ")), []string{"ayu", "budi", "revoke"}); len(got) != 3 {
		t.Errorf("the others' words went too: %v", got)
	}
}

// A copy of a SQLite store's files made after an erasure holds nothing of
// the person: the rows it deleted or rewrote were overwritten with zeros
// (secure_delete), and the write-ahead log was copied into the file and
// emptied.
func TestEraseLeavesNothingInTheFiles(t *testing.T) {
	dsn := storetest.DSN(t, sqlstore.SQLite)
	_, svc := eraseStore(t, dsn)
	files := func() []byte {
		var all []byte
		for _, suffix := range []string{"", "-wal"} {
			b, err := os.ReadFile(dsn + suffix)
			if err != nil && !os.IsNotExist(err) {
				t.Fatal(err)
			}
			all = append(all, b...)
		}
		return all
	}
	needles := append([]string{strings.ToLower(eraseWho.Email), "wallet.png", "qorina xaverina's wallet"}, eraseWords...)
	if got := has(files(), needles); len(got) != len(needles) {
		t.Fatalf("before: the files hold %v of %v", got, needles)
	}
	if _, err := svc.Desk.Erase(context.Background(), tickets.EraseRequest{Email: eraseWho.Email, Actor: "citra"}); err != nil {
		t.Fatal(err)
	}
	if got := has(files(), needles); len(got) > 0 {
		t.Errorf("the files still hold %v", got)
	}
	if st, err := os.Stat(dsn + "-wal"); err == nil && st.Size() != 0 {
		t.Errorf("the write-ahead log holds %d bytes", st.Size())
	}
	if got := has(files(), []string{"ayu@example.com", "budi@example.com"}); len(got) != 2 {
		t.Errorf("the others are gone too: %v", got)
	}
}

// BenchmarkEraseRequester erases one requester of the seeded store a run
// (a creator with a few tickets; REFUNDDESK_BENCH_ROWS sets its size), the
// whole erasure: find, rewrite, the search index merged, the commit, the
// log emptied. BenchmarkSearchOptimize times the merge alone.
func BenchmarkEraseRequester(b *testing.B) {
	db, svc := storetest.Seeded(b, storetest.BenchRows(b), true)
	ctx := context.Background()
	var emails []string
	if err := db.SQL().Select(&emails, `SELECT requester_email_key FROM tickets WHERE requester_email_key <> ''
		GROUP BY requester_email_key ORDER BY min(id) LIMIT ?`, b.N); err != nil || len(emails) < b.N {
		b.Fatalf("%d requesters: %v", len(emails), err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		res, err := svc.Desk.Erase(ctx, tickets.EraseRequest{Email: emails[i], Actor: "citra"})
		if err != nil {
			b.Fatal(err)
		}
		if res.Nothing {
			b.Fatalf("%s has nothing", emails[i])
		}
	}
}

func BenchmarkSearchOptimize(b *testing.B) {
	db, _ := storetest.Seeded(b, storetest.BenchRows(b), true)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		// A ticket's text written again, as an erasure does, then the merge.
		if _, err := db.SQL().Exec(`DELETE FROM ticket_search WHERE rowid = ?`, i+1); err != nil {
			b.Fatal(err)
		}
		if _, err := db.SQL().Exec(`INSERT INTO ticket_search (ticket_search) VALUES ('optimize')`); err != nil {
			b.Fatal(err)
		}
	}
}

// Inside a group of changes an erasure is refused at once: it is a
// transaction of its own, and would wait for the group's write lock.
func TestEraseNotInAGroup(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		db := storetest.Open(t, dialect, storetest.NewClock(time.Date(2026, 11, 21, 8, 0, 0, 0, time.UTC)))
		err := db.Group(context.Background(), func(st tickets.Store) error {
			return st.EraseRequester(context.Background(), tickets.ErasureTarget{Email: "ayu@example.com"},
				func(tickets.Tx, tickets.Eraser) error { t.Error("ran inside a group"); return nil })
		})
		if err == nil || !strings.Contains(err.Error(), "outside a group") {
			t.Fatalf("erase in a group: %v", err)
		}
	})
}

// On PostgreSQL ids are handed out before the commit, not in its order:
// an audit entry naming the person whose id is below the newest one when
// the erasure starts may commit after that. The erasure still finds it
// (here, committed after the erasure's pre-scan would have run, before its
// transaction reads). On SQLite a single writer numbers entries in commit
// order.
func TestEraseFindsEntriesCommittedLate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		if dialect != sqlstore.Postgres {
			t.Skip("SQLite numbers entries in commit order")
		}
		ctx := context.Background()
		clock := storetest.NewClock(time.Date(2026, 11, 21, 8, 0, 0, 0, time.UTC))
		db := storetest.Open(t, dialect, clock)
		svc := tickets.NewService(db, tickets.Options{Clock: clock})
		res, err := svc.Intake.Submit(ctx, tickets.SubmitRequest{Kind: tickets.KindRevocation, Channel: tickets.ChannelEmail,
			Requester: tickets.Requester{Email: "ayu@example.com"}, Account: "@ayu", Details: "revoke"})
		if err != nil {
			t.Fatal(err)
		}
		ayu := res.Ticket.ID
		sq := db.SQL()
		// Her request on Ayu's ticket takes its id, and has not committed
		// when a later entry does.
		late, err := sq.Beginx()
		if err != nil {
			t.Fatal(err)
		}
		defer late.Rollback()
		if _, err := late.Exec(`INSERT INTO ticket_audit (ticket_id, at, actor, action, code, params) VALUES ($1, $2, 'zub@contoh.id',
			'other_requester', 'other_requester', '{"kind":"refund","channel":"email","requester":"zub@contoh.id"}')`, ayu, clock.Now()); err != nil {
			t.Fatal(err)
		}
		if _, err := sq.Exec(`INSERT INTO ticket_audit (ticket_id, at, actor, action) VALUES ($1, $2, 'system', 'x')`, ayu, clock.Now()); err != nil {
			t.Fatal(err)
		}
		stop := errors.New("stop")
		var others []tickets.ErasedTicket
		err = db.EraseRequester(ctx, tickets.ErasureTarget{Email: "zub@contoh.id"}, func(_ tickets.Tx, e tickets.Eraser) error {
			if err := late.Commit(); err != nil {
				t.Fatal(err)
			}
			f, err := e.Find()
			if err != nil {
				return err
			}
			others = f.Others
			return stop
		})
		if !errors.Is(err, stop) {
			t.Fatal(err)
		}
		if len(others) != 1 || others[0].ID != ayu {
			t.Errorf("her entry on Ayu's ticket, committed late, is not found: %+v", others)
		}
	})
}

// On PostgreSQL, a file's last link and the file removed (by an erasure,
// by retention) while a request links the same bytes to another ticket:
// the link's foreign key waits for the removal, then finds the file gone.
// The request is run again and stores the file anew; it does not fail.
func TestEvidenceLinkedWhileRemoved(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		if dialect != sqlstore.Postgres {
			t.Skip("one writer at a time on SQLite")
		}
		ctx := context.Background()
		clock := storetest.NewClock(time.Date(2026, 11, 21, 8, 0, 0, 0, time.UTC))
		db := storetest.Open(t, dialect, clock)
		svc := tickets.NewService(db, tickets.Options{Clock: clock})
		file := []tickets.File{{Name: "a.png", Data: []byte("\x89PNG\r\n\x1a\nsame bytes")}}
		res, err := svc.Intake.Submit(ctx, tickets.SubmitRequest{Kind: tickets.KindRevocation, Channel: tickets.ChannelEmail,
			Requester: tickets.Requester{Email: "ayu@example.com"}, Account: "@ayu", Details: "revoke", Evidence: file})
		if err != nil {
			t.Fatal(err)
		}
		sq := db.SQL()
		remove, err := sq.Beginx()
		if err != nil {
			t.Fatal(err)
		}
		defer remove.Rollback()
		var sum, xid string
		if err := remove.Get(&sum, `SELECT sha256 FROM evidence_blobs FOR UPDATE`); err != nil {
			t.Fatal(err)
		}
		if err := remove.Get(&xid, `SELECT pg_current_xact_id()::text`); err != nil {
			t.Fatal(err)
		}
		if _, err := remove.Exec(`DELETE FROM ticket_evidence WHERE ticket_id = $1`, res.Ticket.ID); err != nil {
			t.Fatal(err)
		}
		done := make(chan error)
		go func() {
			_, err := svc.Intake.Submit(ctx, tickets.SubmitRequest{Kind: tickets.KindRevocation, Channel: tickets.ChannelEmail,
				Requester: tickets.Requester{Email: "budi@example.com"}, Account: "@budi", Details: "revoke", Evidence: file})
			done <- err
		}()
		// Until Budi's link waits on the file's row lock.
		for waiting := 0; waiting == 0; {
			if err := sq.Get(&waiting, `SELECT count(*) FROM pg_locks WHERE locktype = 'transactionid' AND NOT granted
				AND transactionid::text = $1`, xid); err != nil {
				t.Fatal(err)
			}
			runtime.Gosched()
		}
		if _, err := remove.Exec(`DELETE FROM evidence_blobs WHERE sha256 = $1`, sum); err != nil {
			t.Fatal(err)
		}
		if err := remove.Commit(); err != nil {
			t.Fatal(err)
		}
		if err := <-done; err != nil {
			t.Fatalf("Budi's request failed: %v", err)
		}
		var n int
		if err := sq.Get(&n, `SELECT count(*) FROM evidence_blobs WHERE sha256 = $1`, sum); err != nil || n != 1 {
			t.Errorf("the file stored anew: %d, %v", n, err)
		}
	})
}
