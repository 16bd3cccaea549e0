package sqlstore_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"refunddesk/internal/storetest"
	"refunddesk/tickets"
	"refunddesk/tickets/sqlstore"
)

func groupStore(t *testing.T, dialect string) (context.Context, *storetest.Clock, *sqlstore.DB, *tickets.Service) {
	clock := storetest.NewClock(time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC))
	db := storetest.Open(t, dialect, clock)
	return context.Background(), clock, db, tickets.NewService(db, tickets.Options{Clock: clock})
}

func groupRequest(email, order string) tickets.SubmitRequest {
	return tickets.SubmitRequest{Kind: tickets.KindRefund, Channel: tickets.ChannelEmail,
		Requester: tickets.Requester{Email: email}, Order: order, Details: "views far below the estimate " + order}
}

// A group commits its changes together at its end; a change that fails in
// it is undone alone, and the transaction goes on (on PostgreSQL too, where
// an error would otherwise spoil the rest of the transaction).
func TestGroupCommitsTogetherAndUndoesAFailedChangeAlone(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		ctx, clock, db, svc := groupStore(t, dialect)
		boom := errors.New("boom")
		err := db.Group(ctx, func(st tickets.Store) error {
			g := tickets.NewService(st, tickets.Options{Clock: clock})
			a, err := g.Intake.Submit(ctx, groupRequest("a@example.com", "7301001"))
			if err != nil {
				return err
			}
			// Inside the group its changes are seen; outside, not yet.
			if _, err := g.Records.Ticket(ctx, a.Ticket.Ref); err != nil {
				return fmt.Errorf("inside the group: %w", err)
			}
			if _, err := svc.Records.Ticket(ctx, a.Ticket.Ref); !errors.Is(err, tickets.ErrNotFound) {
				return fmt.Errorf("outside the group before its commit: %v", err)
			}
			// A change that writes and then fails.
			err = st.Update(ctx, func(tx tickets.Tx) error {
				if err := tx.AddAudit(a.Ticket.ID, tickets.AuditEntry{At: clock.Now(), Actor: "test", Action: "undone"}); err != nil {
					return err
				}
				return boom
			})
			if !errors.Is(err, boom) {
				return fmt.Errorf("failed change: %v", err)
			}
			// A change the database refuses: a key that is taken.
			err = st.Update(ctx, func(tx tickets.Tx) error {
				if err := tx.PutKey("k1", a.Ticket.ID); err != nil {
					return err
				}
				return tx.PutKey("k1", a.Ticket.ID)
			})
			if !errors.Is(err, tickets.ErrConcurrent) {
				return fmt.Errorf("refused change: %v", err)
			}
			_, err = g.Intake.Submit(ctx, groupRequest("b@example.com", "7301002"))
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		res, err := svc.Records.Search(ctx, "views", "", 10, "")
		if err != nil || len(res.Tickets) != 2 {
			t.Fatalf("after the group, search finds %v (%v); want both tickets", res, err)
		}
		d, err := svc.Records.Detail(ctx, "RD-1")
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range d.Audit {
			if e.Action == "undone" {
				t.Fatal("the failed change's audit entry was committed")
			}
		}
		if err := db.View(ctx, func(tx tickets.Tx) error {
			if _, err := tx.TicketByKey("k1"); !errors.Is(err, tickets.ErrNotFound) {
				return fmt.Errorf("the refused change's first key: %v", err)
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	})
}

// On SQLite a group runs without savepoints: a change that fails having
// written nothing leaves nothing to undo, and the group runs once. One that
// fails after writing makes it run again from the start, each change under
// a savepoint: the failed change is undone alone, the others are kept once,
// and what fn saw is the second run's. On PostgreSQL every change is under
// a savepoint, and the group runs once.
func TestGroupRunsAgainOnlyForAFailedChangeThatWrote(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		ctx, clock, db, svc := groupStore(t, dialect)
		boom := errors.New("boom")
		runs := 0
		var failed error
		err := db.Group(ctx, func(st tickets.Store) error {
			runs++
			g := tickets.NewService(st, tickets.Options{Clock: clock})
			if _, err := g.Intake.Submit(ctx, groupRequest("a@example.com", "7301001")); err != nil {
				return err
			}
			failed = st.Update(ctx, func(tx tickets.Tx) error {
				if _, err := tx.Ticket(99); !errors.Is(err, tickets.ErrNotFound) {
					return fmt.Errorf("ticket 99: %v", err)
				}
				return boom
			})
			_, err := g.Intake.Submit(ctx, groupRequest("b@example.com", "7301002"))
			return err
		})
		if err != nil || !errors.Is(failed, boom) || runs != 1 {
			t.Fatalf("a change that failed having read only: group %v, change %v, %d runs; want boom and 1 run", err, failed, runs)
		}

		runs = 0
		err = db.Group(ctx, func(st tickets.Store) error {
			runs++
			g := tickets.NewService(st, tickets.Options{Clock: clock})
			if _, err := g.Intake.Submit(ctx, groupRequest("c@example.com", "7301003")); err != nil {
				return err
			}
			failed = st.Update(ctx, func(tx tickets.Tx) error {
				if err := tx.AddAudit(1, tickets.AuditEntry{At: clock.Now(), Actor: "test", Action: "undone"}); err != nil {
					return err
				}
				return boom
			})
			_, err := g.Intake.Submit(ctx, groupRequest("d@example.com", "7301004"))
			return err
		})
		want := 2
		if dialect == sqlstore.Postgres {
			want = 1
		}
		if err != nil || !errors.Is(failed, boom) || runs != want {
			t.Fatalf("a change that failed after writing: group %v, change %v, %d runs; want boom and %d", err, failed, runs, want)
		}
		res, err := svc.Records.Search(ctx, "views", "", 10, "")
		if err != nil || len(res.Tickets) != 4 {
			t.Fatalf("after both groups search finds %d tickets (%v); want 4, each once", len(res.Tickets), err)
		}
		d, err := svc.Records.Detail(ctx, "RD-1")
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range d.Audit {
			if e.Action == "undone" {
				t.Fatal("the failed change's audit entry was committed")
			}
		}
	})
}

// When the group's function fails, nothing of it is committed.
func TestGroupFailingCommitsNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		ctx, _, _, svc := groupStore(t, dialect)
		stop := errors.New("stop")
		err := svc.Group(ctx, func(g *tickets.Service) error {
			if _, err := g.Intake.Submit(ctx, groupRequest("a@example.com", "7301001")); err != nil {
				return err
			}
			return stop
		})
		if !errors.Is(err, stop) {
			t.Fatalf("group: %v", err)
		}
		if _, err := svc.Records.Ticket(ctx, "RD-1"); !errors.Is(err, tickets.ErrNotFound) {
			t.Fatalf("a ticket of a failed group: %v", err)
		}
		// The write lock is free again.
		if _, err := svc.Intake.Submit(ctx, groupRequest("a@example.com", "7301001")); err != nil {
			t.Fatal(err)
		}
	})
}

// Several goroutines share a group: their changes take turns and all land.
func TestGroupFromSeveralGoroutines(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		ctx, _, _, svc := groupStore(t, dialect)
		err := svc.Group(ctx, func(g *tickets.Service) error {
			var wg sync.WaitGroup
			errs := make(chan error, 20)
			for w := 0; w < 4; w++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := 0; i < 5; i++ {
						req := groupRequest(fmt.Sprintf("w%d@example.com", w), fmt.Sprintf("74%02d%03d", w, i))
						req.IdempotencyKey = req.Order
						if _, err := g.Intake.Submit(ctx, req); err != nil {
							errs <- err
						}
					}
				}()
			}
			wg.Wait()
			close(errs)
			return <-errs
		})
		if err != nil {
			t.Fatal(err)
		}
		res, err := svc.Records.Search(ctx, "views", "", 50, "")
		if err != nil || len(res.Tickets) != 20 {
			t.Fatalf("after the group: %d tickets (%v), want 20", len(res.Tickets), err)
		}
	})
}

// A read that fails inside a group (here PostgreSQL refuses text that is
// not UTF-8) spoils nothing: the changes around it are committed.
func TestGroupSurvivesAFailedRead(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		ctx, _, _, svc := groupStore(t, dialect)
		err := svc.Group(ctx, func(g *tickets.Service) error {
			if _, err := g.Intake.Submit(ctx, groupRequest("a@example.com", "7301001")); err != nil {
				return err
			}
			if _, err := g.Intake.TicketForExternalID(ctx, "caf\xe9@example.com"); err == nil {
				return errors.New("a ticket for an id nobody has")
			}
			_, err := g.Intake.Submit(ctx, groupRequest("b@example.com", "7301002"))
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if res, err := svc.Records.Search(ctx, "views", "", 10, ""); err != nil || len(res.Tickets) != 2 {
			t.Fatalf("after the group: %v (%v), want both tickets", res, err)
		}
	})
}

// A group rebuilds the search text of what it changed once, at its end:
// what its kept changes wrote is found, and what a failed change wrote is
// not, even for a ticket a kept change wrote before it.
func TestGroupSearchTextFollowsItsKeptChanges(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		ctx, clock, db, svc := groupStore(t, dialect)
		boom := errors.New("boom")
		message := func(st tickets.Store, id int64, body string, fail bool) error {
			return st.Update(ctx, func(tx tickets.Tx) error {
				if err := tx.AddMessage(id, &tickets.Message{Kind: tickets.MessageIn, Channel: tickets.ChannelEmail,
					Author: "a@example.com", Body: body, CreatedAt: clock.Now()}); err != nil {
					return err
				}
				if fail {
					return boom
				}
				return nil
			})
		}
		err := db.Group(ctx, func(st tickets.Store) error {
			g := tickets.NewService(st, tickets.Options{Clock: clock})
			a, err := g.Intake.Submit(ctx, groupRequest("a@example.com", "7301001"))
			if err != nil {
				return err
			}
			if err := message(st, a.Ticket.ID, "kept zebra", false); err != nil {
				return err
			}
			if err := message(st, a.Ticket.ID, "undone walrus", true); !errors.Is(err, boom) {
				return fmt.Errorf("failed change: %v", err)
			}
			// A ticket whose only change failed leaves no search text.
			err = st.Update(ctx, func(tx tickets.Tx) error {
				now := clock.Now()
				if err := tx.CreateTicket(&tickets.Ticket{Kind: tickets.KindRefund, Status: tickets.StatusNew,
					Channel: tickets.ChannelEmail, Requester: tickets.Requester{Email: "b@example.com"}, Order: "7301002",
					Details: "undone narwhal", Language: "en", Flags: []string{}, CreatedAt: now, UpdatedAt: now,
					StatusChangedAt: now}); err != nil {
					return err
				}
				return boom
			})
			if !errors.Is(err, boom) {
				return fmt.Errorf("failed ticket: %v", err)
			}
			return message(st, a.Ticket.ID, "later penguin", false)
		})
		if err != nil {
			t.Fatal(err)
		}
		for word, want := range map[string]int{"views": 1, "zebra": 1, "penguin": 1, "walrus": 0, "narwhal": 0, "7301002": 0} {
			res, err := svc.Records.Search(ctx, word, "", 10, "")
			if err != nil || len(res.Tickets) != want {
				t.Errorf("search %q finds %v (%v); want %d tickets", word, res, err, want)
			}
		}
	})
}

// The search text of a ticket the group created is built from what the
// group wrote (it is not read back): its messages of later changes and
// its fields as last saved are found, the words it no longer has are not.
func TestGroupSearchTextOfATicketItCreated(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		ctx, clock, db, svc := groupStore(t, dialect)
		err := db.Group(ctx, func(st tickets.Store) error {
			g := tickets.NewService(st, tickets.Options{Clock: clock})
			req := groupRequest("a@example.com", "7301001")
			req.Details = "first walrus"
			a, err := g.Intake.Submit(ctx, req)
			if err != nil {
				return err
			}
			if err := st.Update(ctx, func(tx tickets.Tx) error {
				return tx.AddMessage(a.Ticket.ID, &tickets.Message{Kind: tickets.MessageIn, Channel: tickets.ChannelEmail,
					Author: "a@example.com", Body: "later zebra", CreatedAt: clock.Now()})
			}); err != nil {
				return err
			}
			return st.Update(ctx, func(tx tickets.Tx) error {
				tk, err := tx.Ticket(a.Ticket.ID)
				if err != nil {
					return err
				}
				tk.Account, tk.Details = "@okapi.shop", "quokka"
				tk.Requester.Name = "Nadia Tapir"
				return tx.SaveTicket(tk)
			})
		})
		if err != nil {
			t.Fatal(err)
		}
		for word, want := range map[string]int{"walrus": 1, "zebra": 1, "okapi": 1, "quokka": 1, "tapir": 1, "7301001": 1, "rd-1": 1, "narwhal": 0} {
			res, err := svc.Records.Search(ctx, word, "", 10, "")
			if err != nil || len(res.Tickets) != want {
				t.Errorf("search %q finds %v (%v); want %d tickets", word, res, err, want)
			}
		}
		// Details no longer says "first": only the first message does.
		res, err := svc.Records.Search(ctx, "first", "", 10, "")
		if err != nil || len(res.Tickets) != 1 {
			t.Errorf("search first finds %v (%v)", res, err)
		}
	})
}

// A ticket whose text grows past what PostgreSQL takes into a tsvector (1
// MiB) can still be written: its search text is cut, and the words of its
// beginning are still found.
func TestSearchTextOfAVeryLongTicket(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		ctx, clock, db, svc := groupStore(t, dialect)
		r := rand.New(rand.NewPCG(5, 6))
		words := func(n int) string {
			var b strings.Builder
			for b.Len() < n {
				for range 3 + r.IntN(8) {
					b.WriteByte(byte('a' + r.IntN(26)))
				}
				b.WriteByte(' ')
			}
			return b.String()
		}
		err := db.Group(ctx, func(st tickets.Store) error {
			g := tickets.NewService(st, tickets.Options{Clock: clock})
			a, err := g.Intake.Submit(ctx, groupRequest("a@example.com", "7301001"))
			if err != nil {
				return err
			}
			for i := range 24 {
				body := words(64 << 10)
				if i == 0 {
					body = "firstmessage " + body
				}
				err := st.Update(ctx, func(tx tickets.Tx) error {
					return tx.AddMessage(a.Ticket.ID, &tickets.Message{Kind: tickets.MessageIn, Channel: tickets.ChannelEmail,
						Author: "a@example.com", Body: body, CreatedAt: clock.Now()})
				})
				if err != nil {
					return fmt.Errorf("message %d: %w", i, err)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, word := range []string{"views", "firstmessage"} {
			if res, err := svc.Records.Search(ctx, word, "", 10, ""); err != nil || len(res.Tickets) != 1 {
				t.Errorf("search %q finds %v (%v); want the ticket", word, res, err)
			}
		}
	})
}

// A promotion record read twice in one transaction (the mail intake reads a
// mail's record to understand it, then again to decide) is the same record
// both times, each caller's copy its own; an order not on record stays not
// on record; the next transaction reads what an import changed meanwhile.
func TestPromotionReadTwiceInATransaction(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		ctx, clock, db, svc := groupStore(t, dialect)
		const head = "order_number,account,amount,currency,created_at,start_at,status,video_id\n"
		load := func(account string) {
			csv := head + "7301001," + account + ",50000,IDR,2026-11-01T00:00:00Z,2026-11-01T01:00:00Z,completed,v\n"
			if _, err := svc.Records.ImportPromotions(ctx, strings.NewReader(csv), tickets.ImportOptions{File: "p.csv"}); err != nil {
				t.Fatal(err)
			}
		}
		load("@first")
		err := db.Group(ctx, func(st tickets.Store) error {
			g := tickets.NewService(st, tickets.Options{Clock: clock})
			p, err := g.Records.Promotion(ctx, "7301001")
			if err != nil {
				return err
			}
			start := *p.StartAt
			p.Account, *p.StartAt = "@changed", time.Time{}
			return st.Update(ctx, func(tx tickets.Tx) error {
				for range 2 {
					again, err := tx.Promotion("7301001")
					if err != nil {
						return err
					}
					if again.Account != "@first" || !again.StartAt.Equal(start) {
						return fmt.Errorf("read again: %s %v, want @first %v", again.Account, again.StartAt, start)
					}
					again.Account = "@changed too"
					if _, err := tx.Promotion("7301999"); !errors.Is(err, tickets.ErrNotFound) {
						return fmt.Errorf("an order not on record: %v", err)
					}
				}
				return nil
			})
		})
		if err != nil {
			t.Fatal(err)
		}
		load("@second")
		if p, err := svc.Records.Promotion(ctx, "7301001"); err != nil || p.Account != "@second" {
			t.Fatalf("after an import: %v (%v), want @second", p, err)
		}
	})
}
