package main

import (
	"encoding/json"
	"strings"
	"testing"

	"refunddesk/internal/storetest"
)

// A request filed with the CLI naming an order on record and no account
// takes the record's account; `tickets show` says where each field came
// from, as text and as JSON ("sources"), and an agent's correction is the
// agent's (issue 16).
func TestCLITicketSources(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		c := newCLI(t, dialect)
		c.ok("promotions", "import", c.file("promos.csv", header+
			"7301000000000000001,@toko.dewi.id,v1,views,100000,IDR,wallet,2026-11-01T08:00:00Z,2026-11-01T09:00:00Z,2026-11-08T09:00:00Z,,completed,10000,2000,100000,false,0\n"))
		c.ok("tickets", "submit", "--kind", "refund", "--order", "7301000000000000001", "--reason", "under_delivery",
			"--email", "dewi@example.id", "--as", "ayu")

		out := c.ok("tickets", "show", "RD-1")
		for _, want := range []string{"@toko.dewi.id  (taken from the order's record)", "account_matches  => needs_info",
			"an account the requester did not write does not show that the order is theirs"} {
			if !strings.Contains(out, want) {
				t.Errorf("show lacks %q:\n%s", want, out)
			}
		}
		for _, line := range strings.Split(out, "\n") {
			if (strings.HasPrefix(line, "Order ") || strings.HasPrefix(line, "Reason ") || strings.HasPrefix(line, "RD-1 ")) &&
				(strings.Contains(line, "written by") || strings.Contains(line, "from the")) {
				t.Errorf("show marks the requester's own words: %q", line)
			}
		}
		var d struct {
			Account string            `json:"account"`
			Sources map[string]string `json:"sources"`
		}
		if err := json.Unmarshal([]byte(c.ok("tickets", "show", "RD-1", "--json")), &d); err != nil {
			t.Fatal(err)
		}
		if d.Account != "@toko.dewi.id" || d.Sources["account"] != "record" || d.Sources["order"] != "text" ||
			d.Sources["reason"] != "text" || d.Sources["kind"] != "text" {
			t.Fatalf("show --json: account %q, sources %v", d.Account, d.Sources)
		}

		c.ok("tickets", "edit", "RD-1", "--reason", "technical_error", "--as", "ayu")
		if out := c.ok("tickets", "show", "RD-1"); !strings.Contains(out, "technical_error  (corrected by an agent)") {
			t.Errorf("show after an edit:\n%s", out)
		}
	})
}
