package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/jmoiron/sqlx"

	"refunddesk/tickets"
)

// Group runs fn with a store whose Update and View share one write
// transaction, committed when fn returns nil (see tickets.Store). Each
// Update is a savepoint: one that fails is undone alone, and the others
// stay. Calls from several goroutines take turns.
//
// The group holds the write lock until it ends, so inside fn every write
// must go through the store fn is given: on SQLite, a write through the DB
// itself would wait for the group, which waits for it.
func (d *DB) Group(ctx context.Context, fn func(tickets.Store) error) error {
	release, err := d.lockWrites(ctx)
	if err != nil {
		return err
	}
	defer release()
	sqltx, err := d.db.BeginTxx(ctx, nil)
	if err != nil {
		return mapError(fmt.Errorf("begin: %w", err))
	}
	defer sqltx.Rollback()
	g := &group{DB: d, tx: newTx(ctx, d, sqltx, true)}
	if err := fn(g); err != nil {
		return err
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	g.ended = true
	if err := sqltx.Commit(); err != nil {
		return mapError(fmt.Errorf("commit: %w", err))
	}
	d.written.Add(int64(g.updates))
	return nil
}

// group is a store whose Update and View run in one open transaction.
type group struct {
	*DB
	mu      sync.Mutex
	tx      *Tx
	n       int  // savepoints made, for their names
	updates int  // committed changes
	ended   bool // fn returned: no more calls
}

var errGroupEnded = errors.New("the group of changes has ended")

// Update runs fn under a savepoint of the group's transaction: when fn or
// the search-text rebuild fails, what fn wrote is undone and the group goes
// on.
func (g *group) Update(_ context.Context, fn func(tickets.Tx) error) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.ended {
		return errGroupEnded
	}
	g.n++
	sp := fmt.Sprintf("change_%d", g.n)
	if _, err := g.tx.tx.ExecContext(g.tx.ctx, "SAVEPOINT "+sp); err != nil {
		return mapError(fmt.Errorf("savepoint: %w", err))
	}
	err := fn(g.tx)
	if err == nil {
		err = g.tx.flushSearch()
	}
	if err != nil {
		// The caches describe what the undone writes left: start them again.
		g.tx.dirty, g.tx.flags = map[int64]bool{}, map[int64]string{}
		if _, rerr := g.tx.tx.ExecContext(g.tx.ctx, "ROLLBACK TO SAVEPOINT "+sp); rerr != nil {
			g.ended = true // the transaction is unusable: the group fails as a whole
			return fmt.Errorf("undo a failed change (%w): %w", err, rerr)
		}
		if _, rerr := g.tx.tx.ExecContext(g.tx.ctx, "RELEASE SAVEPOINT "+sp); rerr != nil {
			g.ended = true
			return fmt.Errorf("undo a failed change (%w): %w", err, rerr)
		}
		return mapError(err)
	}
	if _, err := g.tx.tx.ExecContext(g.tx.ctx, "RELEASE SAVEPOINT "+sp); err != nil {
		g.ended = true
		return mapError(fmt.Errorf("release savepoint: %w", err))
	}
	g.updates++
	return nil
}

// View runs fn in the group's transaction, so it sees the group's changes.
func (g *group) View(_ context.Context, fn func(tickets.Tx) error) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.ended {
		return errGroupEnded
	}
	return mapError(fn(g.tx))
}

// Group inside a group is the same group.
func (g *group) Group(_ context.Context, fn func(tickets.Store) error) error { return fn(g) }

var _ tickets.Store = (*group)(nil)

// newTx wraps an open transaction.
func newTx(ctx context.Context, d *DB, tx *sqlx.Tx, write bool) *Tx {
	return &Tx{tx: tx, db: d, ctx: ctx, write: write, dirty: map[int64]bool{}, flags: map[int64]string{}, stmts: map[string]*sqlx.Stmt{}}
}
