package main

import (
	"errors"
	"fmt"
	"log/slog"
	"os/user"
	"strings"
)

// agent works out who is acting: --as, then $REFUNDDESK_AGENT, then $USER,
// then the name of the account the process runs as (cron and systemd run
// without $USER). Empty when none of them says.
func (m *Main) agent(as string) string {
	for _, v := range []string{as, m.getenv(EnvPrefix + "AGENT"), m.getenv("USER")} {
		if v = strings.TrimSpace(v); v != "" {
			return v
		}
	}
	if m.CurrentUser != nil {
		if name, err := m.CurrentUser(); err == nil {
			return strings.TrimSpace(name)
		}
	}
	return ""
}

// actor is the agent an action is done as; not knowing who it is, is a
// usage error that says how to tell. Whether the name may act is the
// service's to say (tickets.agents).
func (m *Main) actor(as string) (string, error) {
	if a := m.agent(as); a != "" {
		return a, nil
	}
	return "", usageError{errors.New("who is acting is not known: give --as AGENT, or set REFUNDDESK_AGENT")}
}

// osUserName is the name of the account the process runs as.
func osUserName() (string, error) {
	u, err := user.Current()
	if err != nil {
		return "", fmt.Errorf("current user: %w", err)
	}
	return u.Username, nil
}

// warnOpenDoors logs, at the start of serve and demo, what leaves the desk
// open or shut: without tickets.agents anyone who can run the command line
// acts as any name they give; an HTTP API without tokens answers nobody.
func warnOpenDoors(log *slog.Logger, c *Config) {
	if len(c.Tickets.Agents) == 0 {
		log.Warn("tickets.agents is empty: any name given with --as (or $REFUNDDESK_AGENT, $USER) may act as an agent; list the desk's agents to refuse the others")
	}
	if c.HTTP.Address != "" {
		if tokens, err := c.HTTP.tokens(); err == nil && len(tokens) == 0 {
			log.Warn("the HTTP API has no tokens: every request to /api/ is refused; set http.tokens or http.tokens_file",
				slog.String("address", c.HTTP.Address))
		}
	}
}
