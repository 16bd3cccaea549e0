package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/jmoiron/sqlx"
	"modernc.org/sqlite"

	"refunddesk/tickets"
)

// Group runs fn with a store whose Update and View share one write
// transaction, committed when fn returns nil (see tickets.Store). A change
// that fails is undone alone, and the others stay. Calls from several
// goroutines take turns.
//
// On SQLite the group first runs without savepoints: a savepoint makes
// SQLite copy every page a change touches, the first time it does, into a
// journal in memory, so that it can be undone (a quarter of the ticket
// core's CPU time in the mail intake, with 16 KiB pages). A change that
// fails having written nothing needs nothing undone, and the group goes
// on. One that fails after writing spoils the run: what is left of it is
// refused (errGroupAgain), nothing is committed, and fn runs again from the
// start in a new transaction, each Update under a savepoint, as on
// PostgreSQL, where a failed statement spoils the transaction until it is
// rolled back to one.
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
	careful := d.dialect != SQLite
	for {
		again, err := d.runGroup(ctx, fn, careful)
		if !again || careful {
			return err
		}
		careful = true
	}
}

// runGroup runs fn once in a transaction of its own, each Update under a
// savepoint when careful; again says that fn must run again, carefully:
// a change failed after writing, and nothing was kept.
func (d *DB) runGroup(ctx context.Context, fn func(tickets.Store) error, careful bool) (again bool, err error) {
	sqltx, err := d.db.BeginTxx(ctx, nil)
	if err != nil {
		return false, mapError(fmt.Errorf("begin: %w", err))
	}
	defer sqltx.Rollback()
	g := &group{DB: d, tx: newTx(ctx, d, sqltx, true), searchLater: map[int64]bool{}, careful: careful}
	err = fn(g)
	g.mu.Lock()
	defer g.mu.Unlock()
	g.ended = true
	switch {
	case g.spoiled:
		return true, err
	case err != nil:
		return false, err
	case g.broken != nil:
		// A failed change could not be undone: none of the group is kept.
		return false, g.broken
	}
	if err := g.tx.flushStats(); err != nil {
		return false, mapError(err)
	}
	g.tx.dirty = g.searchLater
	if err := g.tx.flushSearch(); err != nil {
		return false, mapError(err)
	}
	if err := sqltx.Commit(); err != nil {
		return false, mapError(fmt.Errorf("commit: %w", err))
	}
	d.written.Add(int64(g.updates))
	return false, nil
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
	// careful: each Update runs under a savepoint; otherwise a change
	// that fails after writing spoils the run (see DB.Group).
	careful, spoiled bool
}

var (
	errGroupEnded = errors.New("the group of changes has ended")
	// errGroupAgain: a change of the group failed after writing, with no
	// savepoint to undo it; the group runs again from the start.
	errGroupAgain = errors.New("the group of changes runs again, each change under a savepoint")
)

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
		if err := g.usable(); err != nil {
			return err
		}
		return mapError(fn(g.tx))
	}
	return g.savepoint(false, func() error { return fn(g.tx) })
}

// usable says why the group takes no more calls, if it does not.
func (g *group) usable() error {
	switch {
	case g.ended || g.broken != nil:
		return errGroupEnded
	case g.spoiled:
		return errGroupAgain
	}
	return nil
}

// savepoint runs fn, in turn with the group's other calls, under a
// savepoint that undoes it when it fails (when the group is careful); a
// write that succeeds is counted.
func (g *group) savepoint(write bool, fn func() error) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if err := g.usable(); err != nil {
		return err
	}
	if !g.careful {
		wrote := g.tx.writes
		err := fn()
		var se *sqlite.Error
		switch {
		case err == nil:
			if write {
				g.updates++
			}
			return nil
		case g.tx.writes == wrote && !errors.As(err, &se):
			// Nothing written, and not the database's own failure (after
			// some of those SQLite rolls the transaction back by itself):
			// nothing to undo.
			return mapError(err)
		}
		g.spoiled = true
		return errGroupAgain
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
	t.unscheduled = map[int64]bool{}
}
