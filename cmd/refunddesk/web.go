package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"log/slog"
	"net"
	"net/netip"
	"strings"
	"time"

	"refunddesk/templates"
	"refunddesk/tickets"
	"refunddesk/tickets/sqlstore"
	"refunddesk/web"
)

// WebConfig is the agents' web console, served at / on the [http]
// listener beside the API (/api/), /healthz and /metrics.
type WebConfig struct {
	// Disabled: no console; the listener answers the API only.
	Disabled bool `toml:"disabled"`
	// SecureCookies marks the cookies Secure although requests arrive
	// without TLS: behind a proxy that ends TLS.
	SecureCookies bool `toml:"secure_cookies"`
	// TrustProxy believes X-Forwarded-For (the client's address, for the
	// sign-in throttle) and X-Forwarded-Proto: only behind a proxy that
	// sets them.
	TrustProxy bool `toml:"trust_proxy"`
	// SessionIdle: a session ends after this long without a request (12h).
	SessionIdle tickets.Duration `toml:"session_idle"`
	// SessionMax: a session ends this long after signing in, however busy
	// (7 days).
	SessionMax tickets.Duration `toml:"session_max"`
}

// storeDirectory gives the domain the store's agents (tickets.Options.
// Directory): an enabled agent of the console acts beside tickets.agents.
type storeDirectory struct{ db *sqlstore.DB }

func (d storeDirectory) IsAgent(name string) (bool, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return d.db.IsAgent(ctx, name)
}

// console builds the web console over serve's service and store.
func (s *server) console(cat *templates.Catalog) (*web.Server, error) {
	c := s.m.config.Web
	opt := web.Options{Service: s.svc, Store: s.m.db, Catalog: cat, Logger: s.m.log, SecureCookies: c.SecureCookies,
		TrustProxy: c.TrustProxy, SessionIdle: c.SessionIdle.Duration, SessionMax: c.SessionMax.Duration}
	if s.m.Clock != nil {
		opt.Clock = s.m.Clock
	}
	if address := s.m.config.HTTP.Address; plainCookies(c, address) {
		s.m.log.Warn("web: the console's cookies are not Secure, and it listens beyond this host: "+
			"its session cookies can be read on the way unless TLS ends in front of it; "+
			"behind a proxy that ends TLS set web.trust_proxy (or web.secure_cookies)",
			slog.String("address", address))
	}
	return web.New(opt)
}

// plainCookies says whether the console may send its cookies in clear to
// other hosts: serve speaks plain HTTP, so unless a proxy ends TLS (and
// trust_proxy or secure_cookies says so), the cookies are not Secure, which
// only loopback makes harmless.
func plainCookies(c WebConfig, address string) bool {
	if c.Disabled || c.SecureCookies || c.TrustProxy {
		return false
	}
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		host = address
	}
	if strings.EqualFold(host, "localhost") {
		return false
	}
	ip, err := netip.ParseAddr(host)
	return err != nil || !ip.IsLoopback()
}

// demoAgent is the demo's console agent.
const demoAgent = "demo-agent"

// demoConsoleAgent gives the demo's agent a new random password (adding the
// agent on the first run) and returns it, for the demo to print.
func (m *Main) demoConsoleAgent(ctx context.Context) (string, error) {
	b := make([]byte, 9)
	_, _ = rand.Read(b)
	password := base64.RawURLEncoding.EncodeToString(b)
	hash, err := web.HashPassword(password, web.DefaultHashParams)
	if err != nil {
		return "", err
	}
	err = m.db.AddAgent(ctx, demoAgent, hash, tickets.LangEnglish)
	if errors.Is(err, tickets.ErrConflict) {
		if err = m.db.SetAgentPassword(ctx, demoAgent, hash); err == nil {
			err = m.db.SetAgentDisabled(ctx, demoAgent, false)
		}
	}
	return password, err
}
