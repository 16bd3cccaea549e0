package main

import (
	"encoding/json"
	"strings"
	"testing"

	"refunddesk/internal/storetest"
)

// followups run --once --now does what is due at that time, once; list
// shows the schedule; bad flags change nothing.
func TestCLIFollowups(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		c := newCLI(t, dialect)
		// An order not on record: the ticket waits on the requester.
		out := c.ok("tickets", "submit", "--kind", "refund", "--account", "@rani", "--order", "7301000000000000009",
			"--reason", "under_delivery", "--email", "rani@example.com", "--as", "ayu")
		if !strings.Contains(out, "RD-1 created: needs_info") {
			t.Fatalf("submit: %s", out)
		}
		out = c.ok("followups", "list")
		for _, want := range []string{"RD-1    remind        2026-11-23 09:00  pending", "remind_again", "auto_close    2026-11-28 09:00"} {
			if !strings.Contains(out, want) {
				t.Fatalf("list lacks %q:\n%s", want, out)
			}
		}
		if out := c.ok("tickets", "show", "RD-1"); !strings.Contains(out, "Follow-ups: remind 2026-11-23 09:00, remind_again 2026-11-26 09:00, auto_close 2026-11-28 09:00") {
			t.Fatalf("show: %s", out)
		}
		if errs := c.fails(exitUsage, "followups", "run", "--once", "--now", "tomorrow"); !strings.Contains(errs, "--now") {
			t.Fatalf("bad --now: %s", errs)
		}
		if errs := c.fails(exitUsage, "followups", "list", "--status", "later"); !strings.Contains(errs, "status") {
			t.Fatalf("bad --status: %s", errs)
		}
		if out := c.ok("followups", "run", "--once", "--now", "2026-11-23T08:59:00Z"); !strings.HasPrefix(out, "0 done") {
			t.Fatalf("before it is due: %s", out)
		}
		// All three due at once (the runs were missed): only the close is done.
		if out := c.ok("followups", "run", "--once", "--now", "2026-11-29T00:00:00Z"); !strings.HasPrefix(out, "1 done, 2 cancelled") {
			t.Fatalf("all three due: %s", out)
		}
		if out := c.ok("followups", "run", "--once", "--now", "2026-11-29T00:00:00Z"); !strings.HasPrefix(out, "0 done") {
			t.Fatalf("again: %s", out)
		}
		var d struct {
			Status string `json:"status"`
			Outbox []struct {
				Template string `json:"template"`
			} `json:"outbox"`
			Followups []struct {
				Kind, Status, Result string
			} `json:"followups"`
		}
		if err := json.Unmarshal([]byte(c.ok("tickets", "show", "RD-1", "--json")), &d); err != nil {
			t.Fatal(err)
		}
		if d.Status != "closed" || len(d.Outbox) != 2 || d.Outbox[1].Template != "auto_closed" || len(d.Followups) != 3 || d.Followups[2].Status != "done" {
			t.Fatalf("after the run: %+v", d)
		}
		if out := c.ok("followups", "list", "--status", "cancelled", "--ticket", "RD-1"); strings.Count(out, "superseded") != 2 {
			t.Fatalf("done list: %s", out)
		}
	})
}
