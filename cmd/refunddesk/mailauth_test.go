package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"refunddesk/tickets/sqlstore"
)

// mail.authserv_id decides which Authentication-Results the desk believes:
// none without it; the configured server's with it, from the file (a list)
// or the environment (comma-separated); a bad id is refused, by its key.
func TestCLIMailAuthServID(t *testing.T) {
	c := newCLI(t, sqlstore.SQLite)
	eml := c.file("spoof.eml", "Authentication-Results: mx.refunddesk.example; spf=fail smtp.mailfrom=example.id; dmarc=fail header.from=example.id\r\n"+
		"From: Rani <rani@example.id>\r\nTo: support@desk.example\r\nSubject: refund\r\nMessage-ID: <s1@example.id>\r\n\r\nMohon refund promosi.\r\n")
	parse := func() (unverified bool, auth map[string]any) {
		t.Helper()
		var p struct {
			Unverified bool           `json:"unverified_sender"`
			Auth       map[string]any `json:"authentication"`
		}
		if err := json.Unmarshal([]byte(c.ok("mail", "parse", eml, "--json")), &p); err != nil {
			t.Fatal(err)
		}
		return p.Unverified, p.Auth
	}
	if unverified, auth := parse(); unverified || auth["present"] != false || !strings.Contains(auth["note"].(string), "authserv_id") {
		t.Fatalf("believed with no authserv_id: %v %v", unverified, auth)
	}

	c.env["REFUNDDESK_CONFIG"] = c.file("rd.toml", "[mail]\nauthserv_id = [\"*.prod.outlook.com\", \"mx.refunddesk.example\"]\nverify_dkim = true\ndkim_timeout = \"2s\"\n")
	if unverified, auth := parse(); !unverified || auth["authserv_id"] != "mx.refunddesk.example" || auth["header"] != 1.0 {
		t.Fatalf("the configured server's field: %v %v", unverified, auth)
	}

	c.env["REFUNDDESK_CONFIG"] = filepath.Join(c.dir, "none.toml")
	c.env["REFUNDDESK_MAIL_AUTHSERV_ID"] = "mx.other.example, mx.refunddesk.example"
	if unverified, auth := parse(); !unverified || auth["source"] != "authentication-results" {
		t.Fatalf("from the environment: %v %v", unverified, auth)
	}

	c.env["REFUNDDESK_MAIL_AUTHSERV_ID"] = "*.com"
	if errs := c.fails(exitUsage, "mail", "parse", eml); !strings.Contains(errs, "mail.authserv_id") {
		t.Fatalf("a bad authserv_id: %s", errs)
	}
}
