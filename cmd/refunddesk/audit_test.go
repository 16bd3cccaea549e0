package main

import (
	"encoding/json"
	"strings"
	"testing"

	"refunddesk/internal/storetest"
)

// `tickets show` writes the audit trail in English from its codes, as text
// and as JSON (code, params and detail).
func TestCLIAuditInWords(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		c := newCLI(t, dialect)
		c.ok("tickets", "submit", "--kind", "refund", "--account", "@rani", "--order", "7301000000000000009",
			"--reason", "under_delivery", "--email", "rani@example.com", "--as", "ayu")
		c.ok("tickets", "edit", "RD-1", "--reason", "changed_mind", "--as", "ayu")
		out := c.ok("tickets", "show", "RD-1")
		for _, want := range []string{"refund request by agent", "verdict needs_info",
			"reason under_delivery → changed_mind"} {
			if !strings.Contains(out, want) {
				t.Errorf("show lacks %q:\n%s", want, out)
			}
		}
		var d struct {
			Audit []struct {
				Action, Code, Detail string
				Params               map[string]any
			} `json:"audit"`
		}
		if err := json.Unmarshal([]byte(c.ok("tickets", "show", "RD-1", "--json")), &d); err != nil {
			t.Fatal(err)
		}
		var edit bool
		for _, a := range d.Audit {
			if a.Action == "edit" {
				edit = a.Code == "edited" && a.Detail == "reason under_delivery → changed_mind" && a.Params["changes"] != nil
			}
		}
		if !edit {
			t.Errorf("the edit as JSON: %+v", d.Audit)
		}
	})
}
