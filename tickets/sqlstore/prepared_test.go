package sqlstore_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"refunddesk/internal/storetest"
	"refunddesk/tickets"
	"refunddesk/tickets/sqlstore"
)

// Statements are kept prepared for the pool, but a transaction never waits
// for another connection to prepare one: with every connection of the
// pool held by a transaction, each running a query not seen before, all of
// them finish.
func TestPreparingNeverWaitsForTheWholePool(t *testing.T) {
	db := storetest.Open(t, sqlstore.SQLite, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	queries := []func(tickets.Tx) error{
		func(tx tickets.Tx) error { _, err := tx.TicketByKey("k"); return ignoreNotFound(err) },
		func(tx tickets.Tx) error { _, err := tx.Promotion("7301001"); return ignoreNotFound(err) },
		func(tx tickets.Tx) error { _, err := tx.CountAutomatic("a@example.com", time.Now()); return err },
		func(tx tickets.Tx) error {
			_, err := tx.TicketByExternalID("<x@example.com>")
			return ignoreNotFound(err)
		},
		func(tx tickets.Tx) error { _, err := tx.ExternalIDs(1, tickets.ChannelEmail); return err },
		func(tx tickets.Tx) error { _, err := tx.TicketsByRequesterEmail("a@example.com"); return err },
		func(tx tickets.Tx) error { _, err := tx.Ticket(1); return ignoreNotFound(err) },
		func(tx tickets.Tx) error { _, err := tx.EvidenceData("00"); return ignoreNotFound(err) },
	}
	for round := 0; round < 2; round++ { // cold, then warm
		var started, wg sync.WaitGroup
		started.Add(len(queries))
		errs := make(chan error, len(queries))
		for _, q := range queries {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs <- db.View(ctx, func(tx tickets.Tx) error {
					// Each transaction holds a connection of the pool
					// from its BEGIN: wait until all are held.
					started.Done()
					started.Wait()
					return q(tx)
				})
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatalf("round %d: %v", round, err)
			}
		}
		// The queries are then prepared for the pool, in the background.
		for sqlstore.PreparedForPool(db) < len(queries) && ctx.Err() == nil {
			time.Sleep(time.Millisecond)
		}
		if n := sqlstore.PreparedForPool(db); n < len(queries) {
			t.Fatalf("round %d: %d statements prepared for the pool, want %d", round, n, len(queries))
		}
	}
}

func ignoreNotFound(err error) error {
	if err != nil && !errors.Is(err, tickets.ErrNotFound) {
		return err
	}
	return nil
}
