package main

import (
	"strconv"
	"strings"
	"testing"

	"refunddesk/tickets/sqlstore"
)

// mail.smtp.sessions is 1 to 32 (4 when not set); anything else is refused
// at start with a message that names the key, and nothing is sent.
func TestConfigSMTPSessions(t *testing.T) {
	c := newCLI(t, sqlstore.SQLite)
	for k, v := range map[string]string{"REFUNDDESK_MAIL_ADDRESS": "support@desk.example", "REFUNDDESK_MAIL_SMTP_ADDRESS": "127.0.0.1:1",
		"REFUNDDESK_MAIL_SMTP_TLS": "none"} {
		c.env[k] = v
	}
	for _, bad := range []string{"0", "-1", "33", "1000"} {
		c.env["REFUNDDESK_MAIL_SMTP_SESSIONS"] = bad
		if errs := c.fails(exitUsage, "outbox", "send", "--once"); !strings.Contains(errs, "mail.smtp.sessions: "+bad+" is not between 1 and 32") {
			t.Errorf("sessions=%s: %s", bad, errs)
		}
	}
	for _, good := range []string{"1", "32"} {
		c.env["REFUNDDESK_MAIL_SMTP_SESSIONS"] = good
		cfg, err := LoadConfig(c.env["REFUNDDESK_CONFIG"], func(k string) string { return c.env[k] })
		if err != nil || strconv.Itoa(cfg.Mail.SMTP.Sessions) != good {
			t.Errorf("sessions=%s: %v", good, err)
		}
	}
	delete(c.env, "REFUNDDESK_MAIL_SMTP_SESSIONS")
	if cfg, err := LoadConfig(c.env["REFUNDDESK_CONFIG"], func(k string) string { return c.env[k] }); err != nil || cfg.Mail.SMTP.Sessions != 4 {
		t.Errorf("default: %v %v", cfg, err)
	}
}
