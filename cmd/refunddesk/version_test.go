package main

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"refunddesk/internal/storetest"
)

// --expect-version: an action or an edit on a ticket that moved on since
// the version given is refused (exit 4, the conflict in words) and changes
// nothing; on the version the ticket is at, it is done.
func TestCLIExpectVersion(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		c := newCLI(t, dialect)
		c.ok("tickets", "submit", "--kind", "refund", "--account", "@rani", "--order", "7301000000000000001",
			"--reason", "under_delivery", "--details", "Only 2k of 10k views", "--email", "rani@example.com", "--as", "ayu")
		version := func() int64 {
			var d struct{ Version int64 }
			if err := json.Unmarshal([]byte(c.ok("tickets", "show", "RD-1", "--json")), &d); err != nil {
				t.Fatal(err)
			}
			return d.Version
		}
		seen := strconv.FormatInt(version(), 10)
		c.ok("tickets", "note", "RD-1", "first", "--as", "budi", "--expect-version", seen)
		errs := c.fails(exitConflict, "tickets", "claim", "RD-1", "--as", "ayu", "--expect-version", seen)
		if !strings.Contains(errs, "RD-1 changed since you saw it (version "+seen+", now") {
			t.Fatalf("claim on a stale version: %s", errs)
		}
		c.fails(exitConflict, "tickets", "edit", "RD-1", "--language", "id", "--as", "ayu", "--expect-version", seen)
		now := version()
		if now != 2 {
			t.Fatalf("refused commands moved the version to %d", now)
		}
		c.ok("tickets", "edit", "RD-1", "--language", "id", "--as", "ayu", "--expect-version", "2")
		c.ok("tickets", "claim", "RD-1", "--as", "ayu", "--expect-version", "3")
	})
}
