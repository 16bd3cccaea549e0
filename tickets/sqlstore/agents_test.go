package sqlstore_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"refunddesk/internal/storetest"
	"refunddesk/tickets"
	"refunddesk/tickets/sqlstore"
)

var agentsStart = time.Date(2026, 11, 21, 8, 0, 0, 0, time.UTC)

// Agents are added once, listed, changed and disabled; a disabled agent is
// no longer one (IsAgent), and a new password or disabling ends sessions.
func TestAgents(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		ctx := context.Background()
		clock := storetest.NewClock(agentsStart)
		db := storetest.Open(t, dialect, clock)
		if err := db.AddAgent(ctx, "ayu", "$argon2id$one", "id"); err != nil {
			t.Fatal(err)
		}
		if err := db.AddAgent(ctx, "ayu", "$argon2id$two", "en"); !errors.Is(err, tickets.ErrConflict) {
			t.Fatalf("ayu twice: %v, want a conflict", err)
		}
		if err := db.AddAgent(ctx, "budi", "$argon2id$b", "en"); err != nil {
			t.Fatal(err)
		}
		hash, lang, disabled, err := db.AgentCredentials(ctx, "ayu")
		if err != nil || hash != "$argon2id$one" || lang != "id" || disabled {
			t.Fatalf("ayu: %q %q %v %v", hash, lang, disabled, err)
		}
		if _, _, _, err := db.AgentCredentials(ctx, "nobody"); !errors.Is(err, tickets.ErrNotFound) {
			t.Fatalf("nobody: %v", err)
		}
		for _, err := range []error{db.SetAgentPassword(ctx, "nobody", "x"), db.SetAgentDisabled(ctx, "nobody", true),
			db.SetAgentLanguage(ctx, "nobody", "en")} {
			if !errors.Is(err, tickets.ErrNotFound) {
				t.Fatalf("changing nobody: %v", err)
			}
		}
		expires := agentsStart.Add(time.Hour)
		for _, tok := range []string{"s1", "s2"} {
			if err := db.CreateSession(ctx, tok, "ayu", "csrf-"+tok, expires); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.CreateSession(ctx, "b1", "budi", "csrf-b1", expires); err != nil {
			t.Fatal(err)
		}
		list, err := db.Agents(ctx)
		if err != nil || len(list) != 2 || list[0].Name != "ayu" || list[0].Sessions != 2 || list[1].Sessions != 1 ||
			!list[0].CreatedAt.Equal(agentsStart) {
			t.Fatalf("agents: %+v %v", list, err)
		}
		// A new password signs ayu out everywhere.
		clock.Advance(time.Minute)
		if err := db.SetAgentPassword(ctx, "ayu", "$argon2id$new"); err != nil {
			t.Fatal(err)
		}
		if _, _, _, _, _, err := db.Session(ctx, "s1"); !errors.Is(err, tickets.ErrNotFound) {
			t.Fatalf("s1 after a new password: %v", err)
		}
		if hash, _, _, _ := db.AgentCredentials(ctx, "ayu"); hash != "$argon2id$new" {
			t.Fatalf("hash %q", hash)
		}
		// Disabling budi ends his session, refuses new ones and IsAgent.
		if ok, err := db.IsAgent(ctx, "budi"); !ok || err != nil {
			t.Fatalf("IsAgent(budi) = %v, %v", ok, err)
		}
		if err := db.SetAgentDisabled(ctx, "budi", true); err != nil {
			t.Fatal(err)
		}
		if _, _, _, _, _, err := db.Session(ctx, "b1"); !errors.Is(err, tickets.ErrNotFound) {
			t.Fatalf("b1 after disabling: %v", err)
		}
		if err := db.CreateSession(ctx, "b2", "budi", "c", expires); !errors.Is(err, tickets.ErrForbidden) {
			t.Fatalf("a session of a disabled agent: %v", err)
		}
		if err := db.CreateSession(ctx, "n1", "nobody", "c", expires); !errors.Is(err, tickets.ErrForbidden) {
			t.Fatalf("a session of nobody: %v", err)
		}
		if ok, err := db.IsAgent(ctx, "budi"); ok || err != nil {
			t.Fatalf("IsAgent(disabled budi) = %v, %v", ok, err)
		}
		if err := db.SetAgentDisabled(ctx, "budi", false); err != nil {
			t.Fatal(err)
		}
		if ok, _ := db.IsAgent(ctx, "budi"); !ok {
			t.Fatal("budi enabled again is not an agent")
		}
		if err := db.SetAgentLanguage(ctx, "budi", "id"); err != nil {
			t.Fatal(err)
		}
		if _, lang, _, _ := db.AgentCredentials(ctx, "budi"); lang != "id" {
			t.Fatalf("budi's language %q", lang)
		}
	})
}

// A session lives until it expires, moves on when touched, and ends when
// signed out; signing out also sweeps expired sessions.
func TestSessions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		ctx := context.Background()
		clock := storetest.NewClock(agentsStart)
		db := storetest.Open(t, dialect, clock)
		if err := db.AddAgent(ctx, "ayu", "h", "en"); err != nil {
			t.Fatal(err)
		}
		if err := db.CreateSession(ctx, "tok", "ayu", "secret", agentsStart.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if err := db.CreateSession(ctx, "old", "ayu", "secret2", agentsStart.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		agent, lang, csrf, created, exp, err := db.Session(ctx, "tok")
		if err != nil || agent != "ayu" || lang != "en" || csrf != "secret" || !exp.Equal(agentsStart.Add(time.Hour)) ||
			!created.Equal(agentsStart) {
			t.Fatalf("session: %q %q %q %v %v %v", agent, lang, csrf, created, exp, err)
		}
		if _, _, _, _, _, err := db.Session(ctx, "nope"); !errors.Is(err, tickets.ErrNotFound) {
			t.Fatalf("unknown token: %v", err)
		}
		clock.Advance(59 * time.Minute)
		if err := db.TouchSession(ctx, "tok", clock.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		clock.Advance(30 * time.Minute) // past the first expiry, within the touched one
		if _, _, _, _, _, err := db.Session(ctx, "tok"); err != nil {
			t.Fatalf("touched session: %v", err)
		}
		if _, _, _, _, _, err := db.Session(ctx, "old"); !errors.Is(err, tickets.ErrNotFound) {
			t.Fatalf("expired session: %v", err)
		}
		if err := db.EndSession(ctx, "tok"); err != nil {
			t.Fatal(err)
		}
		var n int
		if err := db.SQL().Get(&n, `SELECT count(*) FROM agent_sessions`); err != nil || n != 0 {
			t.Fatalf("%d sessions left after signing out (the expired one swept too): %v", n, err)
		}
	})
}

// Failed sign-ins count per key within a window, shared through the store;
// a new window starts over, and clearing forgets a key.
func TestSignInFailures(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		ctx := context.Background()
		clock := storetest.NewClock(agentsStart)
		db := storetest.Open(t, dialect, clock)
		window := 15 * time.Minute
		for i := 1; i <= 3; i++ {
			got, err := db.AddSignInFailure(ctx, window, "name:ayu", "addr:192.0.2.1")
			if err != nil || len(got) != 2 || got[0] != i || got[1] != i {
				t.Fatalf("failure %d: %v %v", i, got, err)
			}
			clock.Advance(time.Minute)
		}
		if _, err := db.AddSignInFailure(ctx, window, "addr:192.0.2.1"); err != nil {
			t.Fatal(err)
		}
		if n, err := db.SignInFailures(ctx, "name:ayu", window); n != 3 || err != nil {
			t.Fatalf("name:ayu: %d %v", n, err)
		}
		if n, _ := db.SignInFailures(ctx, "addr:192.0.2.1", window); n != 4 {
			t.Fatalf("addr: %d", n)
		}
		if n, _ := db.SignInFailures(ctx, "name:budi", window); n != 0 {
			t.Fatalf("name:budi: %d", n)
		}
		if err := db.ClearSignInFailures(ctx, "name:ayu"); err != nil {
			t.Fatal(err)
		}
		if n, _ := db.SignInFailures(ctx, "name:ayu", window); n != 0 {
			t.Fatalf("name:ayu cleared: %d", n)
		}
		clock.Advance(window) // the address's window has ended
		if n, _ := db.SignInFailures(ctx, "addr:192.0.2.1", window); n != 0 {
			t.Fatalf("addr after its window: %d", n)
		}
		got, err := db.AddSignInFailure(ctx, window, "addr:192.0.2.1")
		if err != nil || got[0] != 1 {
			t.Fatalf("a new window: %v %v", got, err)
		}
	})
}

// A new session deletes sessions that have expired, at most expiredSweep
// (100) of them, and never a live one.
func TestCreateSessionSweepsExpired(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		ctx := context.Background()
		clock, db := expiringSessions(t, dialect, 130)
		clock.Advance(2 * time.Minute)
		count := func() int {
			var n int
			if err := db.SQL().Get(&n, `SELECT count(*) FROM agent_sessions`); err != nil {
				t.Fatal(err)
			}
			return n
		}
		if err := db.CreateSession(ctx, "new1", "ayu", "c", clock.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if n := count(); n != 130-100+2 {
			t.Fatalf("%d sessions after the first sweep, want 32", n)
		}
		if err := db.CreateSession(ctx, "new2", "ayu", "c", clock.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if n := count(); n != 3 {
			t.Fatalf("%d sessions after the second sweep, want the 3 live ones", n)
		}
		if _, _, _, _, _, err := db.Session(ctx, "live"); err != nil {
			t.Fatalf("the live session: %v", err)
		}
	})
}

// expiringSessions is a store with ayu's n sessions that end a minute
// after agentsStart, and her session "live", an hour after it.
func expiringSessions(t *testing.T, dialect string, n int) (*storetest.Clock, *sqlstore.DB) {
	t.Helper()
	ctx := context.Background()
	clock := storetest.NewClock(agentsStart)
	db := storetest.Open(t, dialect, clock)
	if err := db.AddAgent(ctx, "ayu", "h", "en"); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		if err := db.CreateSession(ctx, fmt.Sprintf("old%d", i), "ayu", "c", agentsStart.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.CreateSession(ctx, "live", "ayu", "c", agentsStart.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	return clock, db
}

// SweepSessions deletes every expired session and the failures whose
// window has ended, however many, and leaves the live ones.
func TestSweepSessions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		ctx := context.Background()
		clock, db := expiringSessions(t, dialect, 150)
		if _, err := db.AddSignInFailure(ctx, 15*time.Minute, "name:ayu", "addr:10.0.0.1"); err != nil {
			t.Fatal(err)
		}
		clock.Advance(30 * time.Minute)
		if _, err := db.AddSignInFailure(ctx, 15*time.Minute, "name:budi"); err != nil {
			t.Fatal(err)
		}
		clock.Advance(10 * time.Minute)
		n, err := db.SweepSessions(ctx, 15*time.Minute)
		if err != nil || n != 150 {
			t.Fatalf("swept %d sessions (%v), want the 150 expired", n, err)
		}
		var sessions, failures int
		if err := db.SQL().Get(&sessions, `SELECT count(*) FROM agent_sessions`); err != nil {
			t.Fatal(err)
		}
		if err := db.SQL().Get(&failures, `SELECT count(*) FROM signin_failures`); err != nil {
			t.Fatal(err)
		}
		if sessions != 1 || failures != 1 {
			t.Fatalf("%d sessions and %d failures left, want the live session and budi's window", sessions, failures)
		}
		if _, _, _, _, _, err := db.Session(ctx, "live"); err != nil {
			t.Fatalf("the live session: %v", err)
		}
	})
}

// A successful sign-in forgets its name's failures and gives back the one
// attempt it counted under its address; an address at 0 stays at 0.
func TestClearSignInFailuresGivesBack(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		ctx := context.Background()
		clock := storetest.NewClock(agentsStart)
		db := storetest.Open(t, dialect, clock)
		window := 15 * time.Minute
		for i := 0; i < 3; i++ {
			if _, err := db.AddSignInFailure(ctx, window, "name:ayu", "addr:192.0.2.1"); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.ClearSignInFailures(ctx, "name:ayu", "addr:192.0.2.1", "addr:198.51.100.7"); err != nil {
			t.Fatal(err)
		}
		if n, _ := db.SignInFailures(ctx, "name:ayu", window); n != 0 {
			t.Fatalf("name:ayu: %d", n)
		}
		if n, _ := db.SignInFailures(ctx, "addr:192.0.2.1", window); n != 2 {
			t.Fatalf("addr: %d, want 2", n)
		}
		if n, _ := db.SignInFailures(ctx, "addr:198.51.100.7", window); n != 0 {
			t.Fatalf("an address never counted: %d", n)
		}
	})
}

// A hash upgraded with other parameters ends no session, and an upgrade
// from a hash that is no longer the agent's changes nothing.
func TestUpgradeAgentHash(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		ctx := context.Background()
		clock := storetest.NewClock(agentsStart)
		db := storetest.Open(t, dialect, clock)
		if err := db.AddAgent(ctx, "ayu", "$argon2id$old", "en"); err != nil {
			t.Fatal(err)
		}
		if err := db.CreateSession(ctx, "tok", "ayu", "c", agentsStart.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if err := db.UpgradeAgentHash(ctx, "ayu", "$argon2id$old", "$argon2id$new"); err != nil {
			t.Fatal(err)
		}
		if h, _, _, _ := db.AgentCredentials(ctx, "ayu"); h != "$argon2id$new" {
			t.Fatalf("hash %q", h)
		}
		if _, _, _, _, _, err := db.Session(ctx, "tok"); err != nil {
			t.Fatalf("the session ended: %v", err)
		}
		if err := db.UpgradeAgentHash(ctx, "ayu", "$argon2id$old", "$argon2id$stale"); err != nil {
			t.Fatal(err)
		}
		if h, _, _, _ := db.AgentCredentials(ctx, "ayu"); h != "$argon2id$new" {
			t.Fatalf("a stale upgrade wrote %q", h)
		}
	})
}
