package main

import (
	"bytes"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"refunddesk/internal/mailtest"
	"refunddesk/tickets/sqlstore"
)

// When the SMTP session keeps failing, serve says so: /healthz shows the
// sender degraded (503) and /metrics refunddesk_smtp_session_ok 0 with the
// failures by stage; the mail waits, and once the server takes sessions
// again it goes out and the sender is running again.
func TestServeAlertsWhenSendingIsStuck(t *testing.T) {
	c := newCLI(t, sqlstore.SQLite)
	peer := mailtest.StartStrictSMTP(t, mailtest.StrictOptions{})
	for k, v := range map[string]string{"REFUNDDESK_MAIL_ADDRESS": "support@desk.example", "REFUNDDESK_MAIL_SMTP_ADDRESS": peer.Addr,
		"REFUNDDESK_MAIL_SMTP_TLS": "none", "REFUNDDESK_HTTP_ADDRESS": "127.0.0.1:0"} {
		c.env[k] = v
	}
	srv := c.start("serve")
	addr := srv.waitOut(t, `http://(127\.0\.0\.1:\d+)/api/tickets`)[1]
	peer.RefuseSessions(mailtest.StrictGreeting, "421 4.3.2 Service not available", -1)
	c.ok("tickets", "submit", "--kind", "revocation", "--account", "@rani", "--email", "rani@example.id", "--as", "ayu")

	type healthz struct {
		Status     string `json:"status"`
		Components map[string]struct {
			State  string `json:"state"`
			Detail string `json:"detail"`
		} `json:"components"`
	}
	var h healthz
	eventually(t, "the sender is reported degraded", func() bool {
		h = healthz{}
		code := apiGet(t, "http://"+addr+"/healthz", "", &h)
		return code == http.StatusServiceUnavailable && h.Components["sender"].State == "degraded"
	})
	if d := h.Components["sender"].Detail; !regexp.MustCompile(`failed \d+ times in a row .* \(last at greeting\); mail waits`).MatchString(d) {
		t.Fatalf("detail %q", d)
	}
	metrics := func() string {
		resp, err := http.Get("http://" + addr + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var b bytes.Buffer
		_, _ = b.ReadFrom(resp.Body)
		return b.String()
	}
	m := metrics()
	failures := regexp.MustCompile(`refunddesk_smtp_session_failures_total\{stage="greeting"\} (\d+)`).FindStringSubmatch(m)
	if n, _ := strconv.Atoi(failures[1]); n < 3 || !regexp.MustCompile(`(?m)^refunddesk_smtp_session_ok 0$`).MatchString(m) ||
		!regexp.MustCompile(`refunddesk_smtp_session_failures_total\{stage="auth"\} 0`).MatchString(m) {
		t.Fatalf("metrics:\n%s", m)
	}
	if out := c.ok("outbox", "list", "--status", "pending"); !regexp.MustCompile(`pending\s+0\s`).MatchString(out) {
		t.Fatalf("the mail was charged tries while the session failed:\n%s", out)
	}

	peer.AcceptSessions()
	eventually(t, "the sender recovers", func() bool {
		h = healthz{}
		return apiGet(t, "http://"+addr+"/healthz", "", &h) == http.StatusOK && h.Components["sender"].State == "running"
	})
	if n := len(peer.Messages()); n != 1 || !regexp.MustCompile(`(?m)^refunddesk_smtp_session_ok 1$`).MatchString(metrics()) {
		t.Fatalf("%d delivered; metrics:\n%s", n, metrics())
	}
	if code := srv.stop(t); code != 0 {
		t.Fatalf("exit %d: %s", code, srv.errs)
	}
}

// The SMTP keys are checked at start, and the message names the key.
func TestConfigSMTPKeys(t *testing.T) {
	c := newCLI(t, sqlstore.SQLite)
	for k, v := range map[string]string{"REFUNDDESK_MAIL_ADDRESS": "support@desk.example", "REFUNDDESK_MAIL_SMTP_ADDRESS": "127.0.0.1:2525",
		"REFUNDDESK_MAIL_SMTP_TLS": "none"} {
		c.env[k] = v
	}
	for _, bad := range []struct{ key, value, says string }{
		{"REFUNDDESK_MAIL_SMTP_HELO_NAME", "localhost", `mail.smtp.helo_name: "localhost" is not a fully qualified domain name`},
		{"REFUNDDESK_MAIL_SMTP_HELO_NAME", "desk", `mail.smtp.helo_name: "desk" is not a fully qualified domain name`},
		{"REFUNDDESK_MAIL_SMTP_AUTH", "xoauth2", "mail.smtp.token_command: xoauth2 needs a command that prints an access token"},
	} {
		c.env[bad.key] = bad.value
		if errs := c.fails(exitUsage, "outbox", "send", "--once"); !strings.Contains(errs, bad.says) {
			t.Errorf("%s=%s: %s", bad.key, bad.value, errs)
		}
		delete(c.env, bad.key)
	}
}
