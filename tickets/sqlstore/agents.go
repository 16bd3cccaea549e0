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

// The web console's agents, sessions and sign-in throttle (migration 0007).
// The console declares what it needs (web.Store); these implement it, and
// the command line's `agents` commands use them too.

// Agent is an agent with a sign-in of their own, as `agents list` shows it.
type Agent struct {
	Name      string    `db:"name" json:"name"`
	Language  string    `db:"language" json:"language"`
	Disabled  bool      `db:"disabled" json:"disabled"`
	CreatedAt time.Time `db:"created_at" json:"created_at"`
	UpdatedAt time.Time `db:"updated_at" json:"updated_at"`
	// Sessions counts the agent's sessions that have not expired.
	Sessions int `db:"sessions" json:"sessions"`
}

// AddAgent adds an enabled agent; a name already taken is a conflict.
func (d *DB) AddAgent(ctx context.Context, name, passwordHash, language string) error {
	now := d.clock.Now().UTC()
	res, err := d.exec(ctx, `INSERT INTO agents (name, password_hash, language, disabled, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO NOTHING`, name, passwordHash, language, false, now, now)
	if err != nil {
		return fmt.Errorf("add agent %s: %w", name, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("add agent %s: %w", name, err)
	}
	if n == 0 {
		return fmt.Errorf("agent %q already exists: %w", name, tickets.ErrConflict)
	}
	return nil
}

// SetAgentPassword changes an agent's password hash and ends the agent's
// sessions: whoever signed in with the old password is signed out.
func (d *DB) SetAgentPassword(ctx context.Context, name, passwordHash string) error {
	return d.agentTx(ctx, func(tx *sqlx.Tx) error {
		if err := d.updateAgent(ctx, tx, name, `password_hash = ?`, passwordHash); err != nil {
			return err
		}
		return d.endSessions(ctx, tx, name)
	})
}

// UpgradeAgentHash replaces an agent's password hash by one of the same
// password made with other parameters (the console does it at a sign-in,
// when the hash's parameters are not the current ones). Unlike a new
// password it ends no session, and it changes nothing when the hash is no
// longer oldHash (a new password set meanwhile wins): that is not an error.
func (d *DB) UpgradeAgentHash(ctx context.Context, name, oldHash, newHash string) error {
	if _, err := d.exec(ctx, `UPDATE agents SET password_hash = ?, updated_at = ? WHERE name = ? AND password_hash = ?`,
		newHash, d.clock.Now().UTC(), name, oldHash); err != nil {
		return fmt.Errorf("agent %s: upgrade the password hash: %w", name, err)
	}
	return nil
}

// SetAgentLanguage changes the language the console speaks to an agent.
func (d *DB) SetAgentLanguage(ctx context.Context, name, language string) error {
	return d.agentTx(ctx, func(tx *sqlx.Tx) error { return d.updateAgent(ctx, tx, name, `language = ?`, language) })
}

// SetAgentDisabled disables an agent (their sessions end, they cannot sign
// in, and the desk no longer takes the name as an agent's) or enables them.
func (d *DB) SetAgentDisabled(ctx context.Context, name string, disabled bool) error {
	return d.agentTx(ctx, func(tx *sqlx.Tx) error {
		if err := d.updateAgent(ctx, tx, name, `disabled = ?`, disabled); err != nil || !disabled {
			return err
		}
		return d.endSessions(ctx, tx, name)
	})
}

// agentTx runs fn in a write transaction of its own, in its turn.
func (d *DB) agentTx(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	release, err := d.lockWrites(ctx)
	if err != nil {
		return err
	}
	defer release()
	tx, err := d.db.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	d.written.Add(1)
	return nil
}

// updateAgent sets one column (set is "column = ?", written here, never
// from input) of an agent and its updated_at.
func (d *DB) updateAgent(ctx context.Context, tx *sqlx.Tx, name, set string, value any) error {
	res, err := tx.ExecContext(ctx, d.rebind(`UPDATE agents SET `+set+`, updated_at = ? WHERE name = ?`),
		value, d.clock.Now().UTC(), name)
	if err != nil {
		return fmt.Errorf("agent %s: %w", name, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("agent %s: %w", name, err)
	}
	if n == 0 {
		return fmt.Errorf("agent %q: %w", name, tickets.ErrNotFound)
	}
	return nil
}

func (d *DB) endSessions(ctx context.Context, tx *sqlx.Tx, name string) error {
	if _, err := tx.ExecContext(ctx, d.rebind(`DELETE FROM agent_sessions WHERE agent = ?`), name); err != nil {
		return fmt.Errorf("end the sessions of %s: %w", name, err)
	}
	return nil
}

// Agents lists the agents by name, with their live sessions.
func (d *DB) Agents(ctx context.Context) ([]Agent, error) {
	var out []Agent
	err := d.db.SelectContext(ctx, &out, d.rebind(`SELECT a.name, a.language, a.disabled, a.created_at, a.updated_at,
			(SELECT count(*) FROM agent_sessions s WHERE s.agent = a.name AND s.expires_at > ?) AS sessions
		FROM agents a ORDER BY a.name`), d.clock.Now().UTC())
	if err != nil {
		return nil, fmt.Errorf("agents: %w", err)
	}
	for i := range out {
		out[i].CreatedAt, out[i].UpdatedAt = out[i].CreatedAt.UTC(), out[i].UpdatedAt.UTC()
	}
	return out, nil
}

// IsAgent reports whether name is an enabled agent (tickets.AgentDirectory,
// with a context).
func (d *DB) IsAgent(ctx context.Context, name string) (bool, error) {
	var n int
	err := d.db.GetContext(ctx, &n, d.rebind(`SELECT count(*) FROM agents WHERE name = ? AND disabled = ?`), name, false)
	if err != nil {
		return false, fmt.Errorf("agent %s: %w", name, err)
	}
	return n > 0, nil
}

// AgentCredentials returns what signing in checks: an agent's password
// hash, language and whether they are disabled (tickets.ErrNotFound for no
// such agent).
func (d *DB) AgentCredentials(ctx context.Context, name string) (passwordHash, language string, disabled bool, err error) {
	var r struct {
		Hash     string `db:"password_hash"`
		Language string `db:"language"`
		Disabled bool   `db:"disabled"`
	}
	err = d.db.GetContext(ctx, &r, d.rebind(`SELECT password_hash, language, disabled FROM agents WHERE name = ?`), name)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", false, fmt.Errorf("agent %q: %w", name, tickets.ErrNotFound)
	}
	if err != nil {
		return "", "", false, fmt.Errorf("agent %s: %w", name, err)
	}
	return r.Hash, r.Language, r.Disabled, nil
}
