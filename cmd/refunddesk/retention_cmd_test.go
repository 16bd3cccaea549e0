package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"refunddesk/internal/storetest"
	"refunddesk/tickets"
	"refunddesk/tickets/sqlstore"
)

// [retention] refuses what cannot be meant, naming the key, before any
// command runs; 0 (the default) keeps everything.
func TestCLIRetentionConfig(t *testing.T) {
	c := newCLI(t, sqlstore.SQLite)
	if out := c.ok("retention", "run"); !strings.Contains(out, "retention is off") {
		t.Errorf("by default: %s", out)
	}
	for _, tt := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"REFUNDDESK_RETENTION_EVIDENCE": "-5d"}, `REFUNDDESK_RETENTION_EVIDENCE: duration.unreadable (Value="-5d")`},
		{map[string]string{"REFUNDDESK_RETENTION_TICKETS": "-48h"}, `REFUNDDESK_RETENTION_TICKETS: duration.negative (Value="-48h")`},
		{map[string]string{"REFUNDDESK_RETENTION_EVIDENCE": "800d", "REFUNDDESK_RETENTION_TICKETS": "730d"},
			"retention.evidence: 800d is longer than retention.tickets (730d)"},
		{map[string]string{"REFUNDDESK_RETENTION_MESSAGES": "3y"}, "REFUNDDESK_RETENTION_MESSAGES"},
		{map[string]string{"REFUNDDESK_RETENTION_MESSAGES": "1000d", "REFUNDDESK_RETENTION_TICKETS": "730d"},
			"retention.messages: 1000d is longer than retention.tickets (730d)"},
		{map[string]string{"REFUNDDESK_RETENTION_EVIDENCE": "2d"}, "retention.evidence: 2d is shorter than sla.reopen_window (14d)"},
		{map[string]string{"REFUNDDESK_RETENTION_BATCH": "0"}, "retention.batch: must be from 1 to 10000"},
		{map[string]string{"REFUNDDESK_RETENTION_BATCH": "20000"}, "retention.batch: must be from 1 to 10000"},
		{map[string]string{"REFUNDDESK_RETENTION_INTERVAL": "0s"}, "retention.interval: must be longer than 0"},
		{map[string]string{"REFUNDDESK_RETENTION_SET_ASIDE": "-1d"}, `REFUNDDESK_RETENTION_SET_ASIDE: duration.unreadable (Value="-1d")`},
		{map[string]string{"REFUNDDESK_RETENTION_SET_ASIDE": "12h"}, "retention.set_aside: 12h0m0s is shorter than a day"},
	} {
		for k, v := range tt.env {
			c.env[k] = v
		}
		if errs := c.fails(exitUsage, "tickets", "list"); !strings.Contains(errs, tt.want) {
			t.Errorf("%v: %s", tt.env, errs)
		}
		for k := range tt.env {
			delete(c.env, k)
		}
	}
	// A negative time in the file is refused too.
	c.env["REFUNDDESK_CONFIG"] = c.file("neg.toml", "[retention]\ntickets = \"-100h\"\n")
	if errs := c.fails(exitUsage, "tickets", "list"); !strings.Contains(errs, `"retention.tickets"): duration.negative`) {
		t.Errorf("negative in the file: %s", errs)
	}
	// Evidence kept for ever while tickets go is fine: it goes with them.
	c.env["REFUNDDESK_CONFIG"] = c.file("ok.toml", "[retention]\ntickets = \"730d\"\nmessages = \"365d\"\nbatch = 50\ninterval = \"30m\"\n")
	c.ok("tickets", "list")
	// Only mails set aside: retention is on, set aside records go.
	c.env["REFUNDDESK_CONFIG"] = c.file("sa.toml", "[retention]\nset_aside = \"90d\"\n")
	if out := c.ok("retention", "run"); !regexp.MustCompile(`(?m)^set_aside\s+90d\s+0\s+0\s+0\s+0\s+0\s+0\s+0\s*$`).MatchString(out) {
		t.Errorf("set aside only:\n%s", out)
	}
}

// retention run --dry-run says what is due and changes nothing; run then
// removes just that, once; the log says it in counts; while another
// instance holds the lease, run removes nothing and exits 4.
func TestCLIRetentionRun(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		c := newCLI(t, dialect)
		c.env["REFUNDDESK_SLA_REOPEN_WINDOW"] = "1d"
		png := c.file("shot.png", "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR one")
		c.ok("tickets", "submit", "--kind", "refund", "--account", "@rani", "--order", "7301000000000000009",
			"--reason", "under_delivery", "--email", "rani@example.com", "--evidence", png, "--as", "ayu")
		c.ok("tickets", "reply", "RD-1", "we are on it", "--as", "ayu")
		c.ok("tickets", "close", "RD-1", "--as", "ayu")
		c.ok("tickets", "submit", "--kind", "refund", "--account", "@budi", "--order", "7301000000000000010",
			"--reason", "under_delivery", "--email", "budi@example.com", "--evidence", c.file("b.png", "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR two"), "--as", "ayu")
		c.clock.Advance(40 * 24 * time.Hour)
		c.env["REFUNDDESK_RETENTION_EVIDENCE"] = "30d"
		c.env["REFUNDDESK_RETENTION_MESSAGES"] = "60d"
		c.env["REFUNDDESK_RETENTION_SET_ASIDE"] = "30d"

		db, err := sqlstore.Open(context.Background(), c.env["REFUNDDESK_STORE_DSN"], sqlstore.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		// Two mails set aside: 31 days ago and now.
		for i, at := range []time.Time{c.clock.Now().Add(-31 * 24 * time.Hour), c.clock.Now()} {
			if err := db.RecordFailure(context.Background(), tickets.InboundFailure{Channel: tickets.ChannelEmail, Key: fmt.Sprintf("<sa%d@x>", i),
				Source: "INBOX", Sender: "someone@example.com", Reason: "unreadable", SetAside: "Failed", CreatedAt: at}); err != nil {
				t.Fatal(err)
			}
		}
		rows := func() string {
			var parts []string
			for _, table := range []string{"tickets", "ticket_evidence", "evidence_blobs", "ticket_messages", "ticket_audit", "outbox", "retention_log",
				"inbound_failures"} {
				var n int
				if err := db.SQL().Get(&n, `SELECT COUNT(*) FROM `+table); err != nil {
					t.Fatal(err)
				}
				parts = append(parts, fmt.Sprintf("%s=%d", table, n))
			}
			return strings.Join(parts, " ")
		}
		show := func() string { return c.ok("tickets", "show", "RD-1", "--json") }
		before, shown := rows(), show()
		out := c.ok("retention", "run", "--dry-run")
		if !regexp.MustCompile(`(?m)^evidence\s+30d\s+1\s+1\s+1\s+\d+\s+0\s+0\s+0\s*$`).MatchString(out) ||
			!regexp.MustCompile(`(?m)^messages\s+60d\s+0\s+`).MatchString(out) ||
			!regexp.MustCompile(`(?m)^set_aside\s+30d\s+0\s+0\s+0\s+0\s+0\s+0\s+1\s*$`).MatchString(out) ||
			!strings.Contains(out, "dry run, nothing changed") {
			t.Errorf("dry run:\n%s", out)
		}
		if rows() != before || show() != shown {
			t.Errorf("the dry run changed the store:\n%s\n%s", before, rows())
		}
		// Another instance at it: nothing removed, exit 4.
		if ok, err := db.AcquireLease(context.Background(), tickets.RetentionLease, "serve-elsewhere", c.clock.Now(), time.Hour); !ok || err != nil {
			t.Fatal(ok, err)
		}
		if errs := c.fails(exitConflict, "retention", "run"); !strings.Contains(errs, "another instance") || rows() != before {
			t.Errorf("busy: %s", errs)
		}
		if err := db.ReleaseLease(context.Background(), tickets.RetentionLease, "serve-elsewhere"); err != nil {
			t.Fatal(err)
		}
		var res tickets.RetentionRun
		if err := json.Unmarshal([]byte(c.ok("retention", "run", "--json")), &res); err != nil {
			t.Fatal(err)
		}
		if ev := res.Part(tickets.RetainEvidence); ev.Tickets != 1 || ev.Evidence != 1 || ev.Blobs != 1 || res.Part(tickets.RetainMessages).Tickets != 0 ||
			res.Part(tickets.RetainSetAside).SetAside != 1 {
			t.Errorf("run: %+v", res)
		}
		var d tickets.TicketDetail
		if err := json.Unmarshal([]byte(show()), &d); err != nil {
			t.Fatal(err)
		}
		if len(d.Evidence) != 0 || len(d.Messages) == 0 || d.Audit[len(d.Audit)-1].Code != tickets.AuditRetention {
			t.Errorf("after: %d files, %d messages, %+v", len(d.Evidence), len(d.Messages), d.Audit[len(d.Audit)-1])
		}
		if out := c.ok("tickets", "show", "RD-2"); !strings.Contains(out, "b.png") {
			t.Errorf("the open ticket: %s", out)
		}
		if out := c.ok("retention", "run"); !regexp.MustCompile(`(?m)^evidence\s+30d\s+0\s+0\s+0\s+0\s+0\s+0\s+0\s*$`).MatchString(out) ||
			!regexp.MustCompile(`(?m)^set_aside\s+30d\s+0\s+0\s+0\s+0\s+0\s+0\s+0\s*$`).MatchString(out) {
			t.Errorf("again:\n%s", out)
		}
		if out := c.ok("retention", "log"); !regexp.MustCompile(`(?m)^\S+ \S+\s+evidence\s+\S+ \S+\s+1\s+1\s+1\s+\d+\s+0\s+0\s+0\s*$`).MatchString(out) ||
			!regexp.MustCompile(`(?m)^\S+ \S+\s+set_aside\s+\S+ \S+\s+0\s+0\s+0\s+0\s+0\s+0\s+1\s*$`).MatchString(out) || strings.Count(out, "\n") != 3 {
			t.Errorf("log:\n%s", out)
		}
		if out := c.ok("mail", "failed"); strings.Count(out, "someone@example.com") != 1 {
			t.Errorf("mail failed after:\n%s", out)
		}
		c.fails(exitUsage, "retention", "log", "--limit", "0")
	})
}

// serve runs retention by itself and counts it in /metrics; the
// component is listed and healthy.
func TestServeRetention(t *testing.T) {
	c := newCLI(t, sqlstore.SQLite)
	c.clock.Set(time.Now().Add(-30 * 24 * time.Hour)) // serve runs on the system clock
	c.env["REFUNDDESK_SLA_REOPEN_WINDOW"] = "1d"
	for i, order := range []string{"7301000000000000009", "7301000000000000010"} {
		c.ok("tickets", "submit", "--kind", "refund", "--account", "@rani", "--order", order, "--reason", "under_delivery",
			"--email", "rani@example.com", "--evidence", c.file(fmt.Sprintf("s%d.png", i), fmt.Sprintf("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR %d", i)), "--as", "ayu")
		c.ok("tickets", "close", fmt.Sprintf("RD-%d", i+1), "--as", "ayu")
	}
	c.env["REFUNDDESK_RETENTION_EVIDENCE"] = "20d"
	c.env["REFUNDDESK_RETENTION_SET_ASIDE"] = "20d"
	c.env["REFUNDDESK_RETENTION_BATCH"] = "1"
	c.env["REFUNDDESK_HTTP_ADDRESS"] = "127.0.0.1:0"
	db, err := sqlstore.Open(context.Background(), c.env["REFUNDDESK_STORE_DSN"], sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.RecordFailure(context.Background(), tickets.InboundFailure{Channel: tickets.ChannelEmail, Key: "<sa@x>", Source: "INBOX",
		Reason: "unreadable", CreatedAt: c.clock.Now()}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	srv := c.start("serve")
	srv.waitOut(t, `retention\s+closed tickets' evidence 20d, messages kept, tickets kept; mails set aside 20d; every 1h`)
	addr := srv.waitOut(t, `http://(127\.0\.0\.1:\d+)/api/tickets`)[1]
	get := func(path string) string {
		resp, err := http.Get("http://" + addr + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	eventually(t, "two files removed, counted", func() bool {
		return strings.Contains(get("/metrics"), `refunddesk_retention_removed_total{what="evidence"} 2`)
	})
	m := get("/metrics")
	eventually(t, "the mail set aside removed, counted", func() bool {
		return strings.Contains(get("/metrics"), `refunddesk_retention_removed_total{what="set_aside"} 1`)
	})
	for _, want := range []string{`refunddesk_retention_removed_total{what="messages"} 0`, `refunddesk_retention_removed_total{what="tickets"} 0`,
		`refunddesk_retention_removed_total{what="outbox"} 0`} {
		if !strings.Contains(m, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if regexp.MustCompile(`(?m)^refunddesk_retention_last_run_timestamp_seconds 0$`).MatchString(m) {
		eventually(t, "the run's end", func() bool {
			return !regexp.MustCompile(`(?m)^refunddesk_retention_last_run_timestamp_seconds 0$`).MatchString(get("/metrics"))
		})
	}
	if h := get("/healthz"); !strings.Contains(h, `"retention":{"state":"running"`) {
		t.Errorf("healthz: %s", h)
	}
	if code := srv.stop(t); code != 0 {
		t.Fatalf("serve: exit %d: %s", code, srv.errs)
	}
	if out := c.ok("tickets", "show", "RD-2"); strings.Contains(out, "s1.png") {
		t.Errorf("RD-2 keeps its file:\n%s", out)
	}
}
