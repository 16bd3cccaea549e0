package main

import (
	"encoding/json"
	"strings"
	"testing"

	"refunddesk/internal/storetest"
)

// refs reads the references out of `tickets list --json`.
func refs(t *testing.T, out string) []string {
	t.Helper()
	var list []struct {
		Ref string `json:"ref"`
	}
	if err := json.Unmarshal([]byte(out), &list); err != nil {
		t.Fatalf("%v in %s", err, out)
	}
	var r []string
	for _, tk := range list {
		r = append(r, tk.Ref)
	}
	return r
}

// Query terms are written on the command line as in the query language:
// -status:closed and -overdue are terms, not flags, wherever they stand;
// the command's own flags still work; a bad term is exit 2.
func TestCLIQueryTermsWithADash(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		c := newCLI(t, dialect)
		for _, order := range []string{"7301000000000000001", "7301000000000000002", "7301000000000000003"} {
			c.ok("tickets", "submit", "--kind", "refund", "--account", "@rani", "--order", order, "--reason", "other",
				"--details", "please look", "--as", "ayu")
		}
		c.ok("tickets", "close", "RD-2", "--as", "ayu")
		c.ok("tickets", "claim", "RD-3", "--as", "budi")
		for _, args := range [][]string{
			{"-status:closed", "--json"},
			{"--json", "-status:closed"},
			{"--json", "--", "-status:closed"},
			{"--limit", "10", "-status:closed", "--json"},
			{"--limit=10", "--json", "-status:closed", "kind:refund"},
			{"-status:closed", "--config", c.env["REFUNDDESK_CONFIG"], "--json"},
		} {
			got := refs(t, c.ok(append([]string{"tickets", "list"}, args...)...))
			if strings.Join(got, ",") != "RD-3,RD-1" {
				t.Fatalf("tickets list %s: %v", strings.Join(args, " "), got)
			}
		}
		got := refs(t, c.ok("tickets", "list", "--as", "budi", "-assignee:me", "-status:closed", "--json"))
		if strings.Join(got, ",") != "RD-1" {
			t.Fatalf("-assignee:me for budi: %v", got)
		}
		// A flag's value is the flag's, even when it starts with a dash.
		if errs := c.fails(2, "tickets", "list", "--after", "-status:closed"); !strings.Contains(errs, "after") {
			t.Fatalf("--after -status:closed: %s", errs)
		}
		if out := c.ok("tickets", "list", "-h"); !strings.Contains(out, "-term negates a term") {
			t.Fatalf("help: %s", out)
		}
		if errs := c.fails(2, "tickets", "list", "--jsn"); !strings.Contains(errs, "unknown flag: --jsn") {
			t.Fatalf("unknown flag: %s", errs)
		}
		if errs := c.fails(2, "tickets", "list", "-stauts:closed"); !strings.Contains(errs, `at 1, "-stauts:closed": unknown field "stauts" (did you mean status?)`) {
			t.Fatalf("bad term: %s", errs)
		}
		if errs := c.fails(2, "tickets", "list", "kind:refund", "views\x00"); !strings.Contains(errs, `at 13, "views\x00": contains a NUL byte`) {
			t.Fatalf("NUL: %s", errs)
		}
	})
}
