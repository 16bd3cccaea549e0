package main

import (
	"bytes"
	"context"
	"errors"
	"net"
	"os/user"
	"strings"
	"testing"

	"refunddesk/tickets/sqlstore"
)

// runAs runs one command line with no $USER or $REFUNDDESK_AGENT, as cron
// and systemd do, the process running as the account login (none when
// login is empty).
func (c *cli) runAs(login string, args ...string) (int, string, string) {
	c.t.Helper()
	var out, errb bytes.Buffer
	m := &Main{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Clock: c.clock,
		Getenv: func(k string) string { return c.env[k] }}
	if login != "" {
		m.CurrentUser = func() (string, error) { return login, nil }
	} else {
		m.CurrentUser = func() (string, error) { return "", errors.New("no such user") }
	}
	code := m.Run(context.Background(), args)
	if err := m.Close(); err != nil {
		c.t.Fatalf("close: %v", err)
	}
	return code, out.String(), errb.String()
}

// Without $USER an action is done as the account the process runs as; with
// no name at all it is refused with a message saying how to give one; and
// tickets.agents, when set, still refuses a name not in it.
func TestCLIAgentWithoutUSER(t *testing.T) {
	c := newCLI(t, sqlstore.SQLite)
	c.ok("tickets", "submit", "--account", "@rani", "--order", "7301000000000000001", "--reason", "other",
		"--details", "help", "--as", "ayu")

	if code, out, errs := c.runAs("budi", "tickets", "note", "RD-1", "checked"); code != exitOK {
		t.Fatalf("note without $USER: exit %d\n%s%s", code, out, errs)
	}
	if code, out, errs := c.runAs("budi", "tickets", "claim", "RD-1"); code != exitOK || !strings.Contains(out, "assigned to budi") {
		t.Fatalf("claim without $USER: exit %d\n%s%s", code, out, errs)
	}
	show := c.ok("tickets", "show", "RD-1", "--json")
	if !strings.Contains(show, `"actor": "budi"`) {
		t.Errorf("the audit trail does not name budi:\n%s", show)
	}

	code, _, errs := c.runAs("", "tickets", "note", "RD-1", "again")
	if code != exitUsage || !strings.Contains(errs, "who is acting is not known: give --as AGENT, or set REFUNDDESK_AGENT") {
		t.Errorf("no name at all: exit %d, %q", code, errs)
	}
	// --as and $REFUNDDESK_AGENT come first.
	c.env["REFUNDDESK_AGENT"] = "citra"
	if code, out, _ := c.runAs("budi", "tickets", "assign", "RD-1", "me"); code != exitOK || !strings.Contains(out, "assigned to citra") {
		t.Errorf("REFUNDDESK_AGENT: exit %d, %s", code, out)
	}
	delete(c.env, "REFUNDDESK_AGENT")

	c.env["REFUNDDESK_TICKETS_AGENTS"] = "ayu,citra"
	code, _, errs = c.runAs("budi", "tickets", "note", "RD-1", "not mine")
	if code != exitForbidden || !strings.Contains(errs, `"budi" is not one of the desk's agents`) {
		t.Errorf("a login not in tickets.agents: exit %d, %q", code, errs)
	}
	if strings.Count(c.ok("tickets", "show", "RD-1"), "not mine") != 0 {
		t.Error("a refused note was written")
	}
}

func TestOSUserName(t *testing.T) {
	u, err := user.Current()
	if err != nil {
		t.Skip(err)
	}
	if got, err := osUserName(); err != nil || got != u.Username {
		t.Errorf("osUserName() = %q, %v; want %q", got, err, u.Username)
	}
}

// serve and demo say at start when anyone may act as an agent and when the
// HTTP API has no token to let anyone in.
func TestServeWarnsOfOpenDoors(t *testing.T) {
	const noAgents, noTokens = "tickets.agents is empty", "the HTTP API has no tokens"
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()

	c := newCLI(t, sqlstore.SQLite)
	c.env["REFUNDDESK_HTTP_ADDRESS"] = busy.Addr().String() // serve stops at the HTTP server's start
	_, _, errs := c.run("serve")
	if !strings.Contains(errs, noAgents) || !strings.Contains(errs, noTokens) || !strings.Contains(errs, `"level":"WARN"`) {
		t.Errorf("serve with no agents and no tokens:\n%s", errs)
	}

	c.env["REFUNDDESK_TICKETS_AGENTS"] = "ayu"
	c.env["REFUNDDESK_HTTP_TOKENS"] = "ayu:0123456789abcdef-token"
	code, _, errs := c.run("serve")
	if code != exitFailure || !strings.Contains(errs, "start http:") {
		t.Fatalf("serve: exit %d\n%s", code, errs)
	}
	if strings.Contains(errs, noAgents) || strings.Contains(errs, noTokens) {
		t.Errorf("serve with agents and tokens warns:\n%s", errs)
	}

	// The demo makes a token of its own; it still has no agents.
	delete(c.env, "REFUNDDESK_TICKETS_AGENTS")
	delete(c.env, "REFUNDDESK_HTTP_TOKENS")
	_, _, errs = c.run("demo", "--records", "20", "--imap", "127.0.0.1:0", "--smtp", "127.0.0.1:0", "--http", busy.Addr().String())
	if !strings.Contains(errs, noAgents) || strings.Contains(errs, noTokens) || !strings.Contains(errs, "start http:") {
		t.Errorf("demo:\n%s", errs)
	}
}
