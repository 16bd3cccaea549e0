package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"refunddesk/tickets"
)

// CreateSession records a new session of an enabled agent: tokenHash is the
// SHA-256 (hex) of the cookie's token, csrf the secret its forms' tokens are
// made from, and it ends at expires unless touched. A disabled or unknown
// agent gets none (tickets.ErrForbidden). In the same transaction it deletes
// up to expiredSweep sessions that have expired, so that sessions nobody
// signs out of do not pile up.
func (d *DB) CreateSession(ctx context.Context, tokenHash, agent, csrf string, expires time.Time) error {
	now := d.clock.Now().UTC()
	return d.agentTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, d.rebind(`DELETE FROM agent_sessions WHERE token_hash IN
			(SELECT token_hash FROM agent_sessions WHERE expires_at <= ? LIMIT ?)`), now, expiredSweep); err != nil {
			return fmt.Errorf("sweep expired sessions: %w", err)
		}
		res, err := tx.ExecContext(ctx, d.rebind(`INSERT INTO agent_sessions (token_hash, agent, csrf, created_at, last_seen, expires_at)
			SELECT ?, name, ?, ?, ?, ? FROM agents WHERE name = ? AND disabled = ?`),
			tokenHash, csrf, now, now, expires.UTC(), agent, false)
		if err != nil {
			return fmt.Errorf("create session: %w", err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return fmt.Errorf("create session: %w", err)
		}
		if n == 0 {
			return fmt.Errorf("agent %q may not sign in: %w", agent, tickets.ErrForbidden)
		}
		return nil
	})
}

// expiredSweep bounds the expired sessions one new session deletes: each
// sign-in deletes more than it adds, and none waits on a long delete.
const expiredSweep = 100

// Session returns a live session's agent, the agent's language, its CSRF
// secret, when it was created and when it ends; an unknown or expired
// session, or one of an agent disabled since, is tickets.ErrNotFound.
func (d *DB) Session(ctx context.Context, tokenHash string) (agent, language, csrf string, created, expires time.Time, err error) {
	var r struct {
		Agent    string    `db:"agent"`
		Language string    `db:"language"`
		CSRF     string    `db:"csrf"`
		Created  time.Time `db:"created_at"`
		Expires  time.Time `db:"expires_at"`
	}
	err = d.db.GetContext(ctx, &r, d.rebind(`SELECT s.agent, a.language, s.csrf, s.created_at, s.expires_at
		FROM agent_sessions s JOIN agents a ON a.name = s.agent
		WHERE s.token_hash = ? AND s.expires_at > ? AND a.disabled = ?`), tokenHash, d.clock.Now().UTC(), false)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", "", time.Time{}, time.Time{}, fmt.Errorf("session: %w", tickets.ErrNotFound)
	}
	if err != nil {
		return "", "", "", time.Time{}, time.Time{}, fmt.Errorf("session: %w", err)
	}
	return r.Agent, r.Language, r.CSRF, r.Created.UTC(), r.Expires.UTC(), nil
}

// TouchSession moves a session's end to expires and notes it was seen now.
func (d *DB) TouchSession(ctx context.Context, tokenHash string, expires time.Time) error {
	if _, err := d.exec(ctx, `UPDATE agent_sessions SET last_seen = ?, expires_at = ? WHERE token_hash = ?`,
		d.clock.Now().UTC(), expires.UTC(), tokenHash); err != nil {
		return fmt.Errorf("touch session: %w", err)
	}
	return nil
}

// EndSession ends a session (signing out), and with it the sessions that
// have expired.
func (d *DB) EndSession(ctx context.Context, tokenHash string) error {
	if _, err := d.exec(ctx, `DELETE FROM agent_sessions WHERE token_hash = ? OR expires_at <= ?`,
		tokenHash, d.clock.Now().UTC()); err != nil {
		return fmt.Errorf("end session: %w", err)
	}
	return nil
}

// SweepSessions deletes every session that has expired, and the sign-in
// failures whose window (window long) has ended, and says how many
// sessions went: serve's console runs it every hour, so that sessions
// nobody signs out of do not stay when nobody signs in either.
func (d *DB) SweepSessions(ctx context.Context, window time.Duration) (int64, error) {
	now := d.clock.Now().UTC()
	res, err := d.exec(ctx, `DELETE FROM agent_sessions WHERE expires_at <= ?`, now)
	if err != nil {
		return 0, fmt.Errorf("sweep sessions: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("sweep sessions: %w", err)
	}
	if _, err := d.exec(ctx, `DELETE FROM signin_failures WHERE window_start <= ?`, now.Add(-window)); err != nil {
		return n, fmt.Errorf("sweep sign-in failures: %w", err)
	}
	return n, nil
}

// SignInFailures counts the failed sign-ins under key (a name's, an
// address's) in the window running now: 0 when the last window has ended.
func (d *DB) SignInFailures(ctx context.Context, key string, window time.Duration) (int, error) {
	var n int
	err := d.db.GetContext(ctx, &n, d.rebind(`SELECT failures FROM signin_failures WHERE key = ? AND window_start > ?`),
		key, d.clock.Now().UTC().Add(-window))
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("sign-in failures: %w", err)
	}
	return n, nil
}

// AddSignInFailure counts a failed sign-in under each key, in the window
// running (a new one starts when the last has ended), and forgets the
// windows that have ended; it returns the counts, in the keys' order.
func (d *DB) AddSignInFailure(ctx context.Context, window time.Duration, keys ...string) ([]int, error) {
	now := d.clock.Now().UTC()
	out := make([]int, len(keys))
	err := d.agentTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, d.rebind(`DELETE FROM signin_failures WHERE window_start <= ?`), now.Add(-window)); err != nil {
			return fmt.Errorf("forget old sign-in failures: %w", err)
		}
		for i, key := range keys {
			if err := tx.GetContext(ctx, &out[i], d.rebind(`INSERT INTO signin_failures (key, window_start, failures) VALUES (?, ?, 1)
				ON CONFLICT (key) DO UPDATE SET failures = signin_failures.failures + 1 RETURNING failures`), key, now); err != nil {
				return fmt.Errorf("count a sign-in failure: %w", err)
			}
		}
		return nil
	})
	return out, err
}

// ClearSignInFailures forgets the failures under key (a name's, once its
// agent has signed in), and gives back one under each of giveBack (the
// address's attempt, counted before the password was checked, that turned
// out right), in one transaction.
func (d *DB) ClearSignInFailures(ctx context.Context, key string, giveBack ...string) error {
	return d.agentTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, d.rebind(`DELETE FROM signin_failures WHERE key = ?`), key); err != nil {
			return fmt.Errorf("clear sign-in failures: %w", err)
		}
		for _, k := range giveBack {
			if _, err := tx.ExecContext(ctx, d.rebind(`UPDATE signin_failures SET failures = failures - 1
				WHERE key = ? AND failures > 0`), k); err != nil {
				return fmt.Errorf("give back a sign-in attempt: %w", err)
			}
		}
		return nil
	})
}
