package main

import (
	"encoding/json"
	"strings"
	"testing"

	"refunddesk/internal/storetest"
	"refunddesk/tickets"
)

// stats prints the figures of a period for a terminal, as JSON and as CSV;
// a bad date or zone is a usage error naming it.
func TestCLIStats(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		c := newCLI(t, dialect)
		c.ok("tickets", "submit", "--kind", "refund", "--account", "@rani", "--order", "7301000000000000009",
			"--reason", "under_delivery", "--email", "rani@example.com", "--as", "ayu")
		out := c.ok("stats", "--from", "2026-11-15", "--to", "2026-11-21")
		for _, want := range []string{"Tickets created 2026-11-15 to 2026-11-21 (UTC): 1", "by channel: discord 0, email 0, agent 1",
			"First response within 24h0m0s: 0 of 0, 1 still inside the target", "2026-11-21      1"} {
			if !strings.Contains(out, want) {
				t.Errorf("stats lacks %q:\n%s", want, out)
			}
		}
		var st tickets.PeriodStats
		if err := json.Unmarshal([]byte(c.ok("stats", "--json", "--tz", "Asia/Jakarta")), &st); err != nil ||
			st.Tickets != 1 || len(st.Days) != 30 || st.Zone != "Asia/Jakarta" {
			t.Errorf("--json: %+v %v", st, err)
		}
		if out := c.ok("stats", "--csv", "--to", "2026-11-21"); !strings.HasPrefix(out, "section,date,key,count,amount,currency\n") ||
			!strings.Contains(out, "day_channel,2026-11-21,agent,1,,\n") {
			t.Errorf("--csv:\n%s", out)
		}
		if errs := c.fails(exitUsage, "stats", "--from", "21/11/2026"); !strings.Contains(errs, "from") {
			t.Errorf("bad --from: %s", errs)
		}
		if errs := c.fails(exitUsage, "stats", "--tz", "Mars/Olympus"); !strings.Contains(errs, "time zone") {
			t.Errorf("bad --tz: %s", errs)
		}
	})
}
