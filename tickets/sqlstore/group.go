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
	g := &group{DB: d, tx: newTx(ctx, d, sqltx, true), searchLater: map[int64]bool{}}
	err = fn(g)
	g.mu.Lock()
	defer g.mu.Unlock()
	g.ended = true
	switch {
	case err != nil:
		return err
	case g.broken != nil:
		// A failed change could not be undone: none of the group is kept.
		return g.broken
	}
	if err := g.tx.flushStats(); err != nil {
		return mapError(err)
	}
	g.tx.dirty = g.searchLater
	if err := g.tx.flushSearch(); err != nil {
		return mapError(err)
	}
	if err := sqltx.Commit(); err != nil {
		return mapError(fmt.Errorf("commit: %w", err))
	}
	d.written.Add(int64(g.updates))
	return nil
}

// group is a store whose Update and View run in one open transaction.
type group struct {
	*DB
	mu sync.Mutex
	tx *Tx
	// searchLater: the tickets of the kept changes, whose search text is
	// rebuilt once, when the group ends. SQLite's full-text index writes
	// out what it holds at every savepoint's end: rebuilt per change, each
	// ticket's text became an index segment of its own, to be merged.
	searchLater map[int64]bool
	updates     int   // committed changes
	ended       bool  // fn returned: no more calls
	broken      error // a failed change that could not be undone
}

var errGroupEnded = errors.New("the group of changes has ended")

// Update runs fn under a savepoint of the group's transaction: when fn
// fails, what fn wrote is undone and the group goes on. The search text of
// the tickets it changed is rebuilt when the group ends, for all its
// changes at once; should that fail (the store gone away), none of the
// group is kept, as when its commit fails. (A text too long for PostgreSQL's
// tsvector is cut rather than refused: see maxSearchWords.)
func (g *group) Update(_ context.Context, fn func(tickets.Tx) error) error {
	return g.savepoint(true, func() error {
		if err := fn(g.tx); err != nil {
			return err
		}
		for id := range g.tx.dirty {
			g.searchLater[id] = true
		}
		clear(g.tx.dirty)
		return nil
	})
}

// View runs fn in the group's transaction, so it sees the group's changes.
// On PostgreSQL it too runs under a savepoint: a failed statement spoils
// the transaction there until it is rolled back to one. SQLite's failed
// read spoils nothing, and a read needs nothing undone: there it runs
// without (the mail intake reads a promotion record a mail, and the
// savepoint's two statements cost more than the read).
func (g *group) View(_ context.Context, fn func(tickets.Tx) error) error {
	if g.dialect == SQLite {
		g.mu.Lock()
		defer g.mu.Unlock()
		if g.ended || g.broken != nil {
			return errGroupEnded
		}
		return mapError(fn(g.tx))
	}
	return g.savepoint(false, func() error { return fn(g.tx) })
}

// savepoint runs fn, in turn with the group's other calls, under a
// savepoint that undoes it when it fails; a write that succeeds is counted.
func (g *group) savepoint(write bool, fn func() error) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.ended || g.broken != nil {
		return errGroupEnded
	}
	// One savepoint at a time (the group's calls take turns), so it has the
	// same name each time and its statements stay prepared.
	if _, err := g.tx.exec("SAVEPOINT change"); err != nil {
		g.broken = mapError(fmt.Errorf("savepoint: %w", err))
		return g.broken
	}
	if err := fn(); err != nil {
		// The caches describe what the undone writes left: start them again.
		g.tx.forget()
		for _, q := range []string{"ROLLBACK TO SAVEPOINT change", "RELEASE SAVEPOINT change"} {
			if _, rerr := g.tx.exec(q); rerr != nil {
				g.broken = fmt.Errorf("undo a failed change (%w): %w", err, rerr)
				return g.broken
			}
		}
		return mapError(err)
	}
	if _, err := g.tx.exec("RELEASE SAVEPOINT change"); err != nil {
		g.broken = mapError(fmt.Errorf("release savepoint: %w", err))
		return g.broken
	}
	if write {
		g.updates++
	}
	return nil
}

// Group inside a group is the same group.
func (g *group) Group(_ context.Context, fn func(tickets.Store) error) error { return fn(g) }

var _ tickets.Store = (*group)(nil)

// newTx wraps an open transaction.
func newTx(ctx context.Context, d *DB, tx *sqlx.Tx, write bool) *Tx {
	t := &Tx{tx: tx, db: d, ctx: ctx, write: write, stmts: map[string]*sqlx.Stmt{}}
	t.forget()
	return t
}

// forget drops what the transaction remembers of its writes, after they
// were undone.
func (t *Tx) forget() {
	t.dirty, t.flags, t.written, t.fresh = map[int64]bool{}, map[int64]string{}, map[int64][]any{}, map[int64]*searchParts{}
}
