package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"refunddesk/internal/mailtest"
	"refunddesk/internal/storetest"
	"refunddesk/tickets"
)

// An agent puts a failed mail back once the address works again; bad ids,
// other states and other people change nothing, with the exit
// codes of docs/cli.md. The SMTP server is the strict peer, so a refused recipient fails
// its mail alone.
func TestCLIOutboxRetry(t *testing.T) {
	for _, dialect := range storetest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			c := newCLI(t, dialect)
			peer := mailtest.StartStrictSMTP(t, mailtest.StrictOptions{})
			for k, v := range map[string]string{"REFUNDDESK_MAIL_ADDRESS": "support@desk.example", "REFUNDDESK_MAIL_SMTP_ADDRESS": peer.Addr,
				"REFUNDDESK_MAIL_SMTP_TLS": "none", "REFUNDDESK_TICKETS_AGENTS": "ayu,budi"} {
				c.env[k] = v
			}
			c.ok("tickets", "submit", "--kind", "revocation", "--account", "@rani", "--email", "rani@example.id", "--as", "ayu")
			c.ok("tickets", "submit", "--kind", "revocation", "--account", "@budi", "--email", "budi@example.com", "--as", "ayu")
			peer.RefuseRcpt("rani@example.id", "550 5.2.1 Mailbox disabled")
			if out := c.ok("outbox", "send", "--once"); !strings.Contains(out, "1 sent") || !strings.Contains(out, "1 failed") {
				t.Fatalf("send: %s", out)
			}
			var failed []tickets.OutboxItem
			if err := json.Unmarshal([]byte(c.ok("outbox", "list", "--failed", "--json")), &failed); err != nil || len(failed) != 1 {
				t.Fatalf("failed: %v %v", failed, err)
			}
			id := fmt.Sprint(failed[0].ID)
			c.ok("tickets", "submit", "--kind", "revocation", "--account", "@sari", "--email", "sari@example.id", "--as", "ayu")
			var pending []tickets.OutboxItem
			if err := json.Unmarshal([]byte(c.ok("outbox", "list", "--status", "pending", "--json")), &pending); err != nil || len(pending) != 1 {
				t.Fatalf("pending: %v %v", pending, err)
			}
			before := c.ok("outbox", "list")

			for _, f := range []struct {
				code int
				args []string
				says string
			}{
				{exitUsage, []string{"outbox", "retry", "--as", "ayu"}, "ids: no message named"},
				{exitUsage, []string{"outbox", "retry", "seven", "--as", "ayu"}, `"seven" is not an outbox id`},
				{exitUsage, []string{"outbox", "retry", id, "--failed", "--as", "ayu"}, "not both"},
				{exitUsage, []string{"outbox", "retry", "--failed", "--channel", "fax", "--as", "ayu"}, `"fax" is not an outbox channel`},
				{exitNotFound, []string{"outbox", "retry", id, "999999", "--as", "ayu"}, "outbox item 999999: not found"},
				{exitConflict, []string{"outbox", "retry", id, fmt.Sprint(pending[0].ID), "--as", "ayu"}, "is pending, not failed"},
				{exitForbidden, []string{"outbox", "retry", id, "--as", "eve"}, "not one of the desk's agents"},
			} {
				if errs := c.fails(f.code, f.args...); !strings.Contains(errs, f.says) {
					t.Errorf("%s: %s", strings.Join(f.args, " "), errs)
				}
			}
			if after := c.ok("outbox", "list"); after != before {
				t.Fatalf("a refused retry changed the outbox:\n%s\n%s", before, after)
			}

			out := c.ok("outbox", "retry", id, "--as", "budi")
			if !strings.Contains(out, "1 message(s) put back") || !strings.Contains(out, "rani@example.id") {
				t.Fatalf("retry: %s", out)
			}
			var d tickets.TicketDetail
			if err := json.Unmarshal([]byte(c.ok("tickets", "show", failed[0].TicketRef, "--json")), &d); err != nil {
				t.Fatal(err)
			}
			if a := d.Audit[len(d.Audit)-1]; a.Actor != "budi" || a.Action != "outbox_retry" || !strings.Contains(a.Detail, "550 5.2.1") {
				t.Fatalf("audit %+v", a)
			}
			peer.RefuseRcpt("rani@example.id", "")
			if out := c.ok("outbox", "send", "--once"); !strings.Contains(out, "2 sent") {
				t.Fatalf("send after the retry: %s", out)
			}
			if out := c.ok("outbox", "retry", "--failed", "--as", "ayu"); !strings.Contains(out, "no failed messages") {
				t.Fatalf("nothing failed: %s", out)
			}
			if out := c.ok("outbox", "retry", "--failed", "--channel", "email", "--json", "--as", "ayu"); strings.Join(strings.Fields(out), "") != `{"requeued":[],"skipped":[]}` {
				t.Fatalf("nothing failed, JSON: %s", out)
			}
			if n := len(peer.Messages()); n != 3 {
				t.Fatalf("%d mails delivered", n)
			}
		})
	}
}
