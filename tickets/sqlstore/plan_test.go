package sqlstore_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"refunddesk/internal/storetest"
	"refunddesk/tickets"
)

// The queries agents and requesters run all the time stay on their indexes:
// none reads the whole tickets table, or sorts every match, to find a page.
// (A full scan is fast on a test database and slow on a million tickets,
// so the plan is what is checked, on the seeded store with its statistics.)
func TestHotQueriesUseTheirIndexes(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the seeded store")
	}
	db, _ := storetest.Seeded(t, 5000, false)
	ctx := context.Background()
	now := storetest.BenchAnchor
	hour := now.Add(-time.Hour)
	discord := &tickets.Requester{DiscordID: "400000000000000123"}
	email := &tickets.Requester{Email: "creator17@example.com"}
	both := &tickets.Requester{DiscordID: "400000000000000123", Email: "creator17@example.com"}
	cases := []struct {
		name  string
		query string
		who   *tickets.Requester
		page2 bool // the second page, from a cursor
	}{
		{"status", "status:in_review", nil, false},
		{"status page 2", "status:in_review", nil, true},
		{"mine", "assignee:me status:in_review", nil, false},
		{"kind and verdict", "kind:refund verdict:eligible", nil, false},
		{"overdue", "overdue", nil, false},
		{"overdue unassigned", "overdue assignee:none", nil, false},
		{"flag", "flag:account_mismatch", nil, false},
		{"word", "jangkauan", nil, false},
		{"account", "account:@acct_17", nil, false},
		{"updated page 2", "status:in_review sort:-updated", nil, true},
		{"mine by updated page 2", "assignee:me sort:updated", nil, true},
		{"requester on Discord", "", discord, false},
		{"requester by mail", "", email, false},
		{"requester on both", "", both, false},
		{"recent requests", "created:" + hour.Format(time.RFC3339) + "..", discord, false},
	}
	for _, c := range cases {
		q, err := tickets.ParseQuery(c.query, now, "ayu")
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		opt := tickets.SearchOptions{Limit: 10, Now: now, FirstResponse: 24 * time.Hour, Requester: c.who}
		if c.page2 {
			res, err := db.Search(ctx, q, opt)
			if err != nil || res.Next == "" {
				t.Fatalf("%s: no second page (%v)", c.name, err)
			}
			opt.After = res.Next
		}
		plan, err := db.ExplainSearch(ctx, q, opt)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		for _, step := range plan {
			inner := strings.HasPrefix(step, "    ") // the query that finds the page's ids
			step = strings.TrimSpace(step)
			// Sorting the page itself (outside) is cheap, and so is sorting
			// one requester's own tickets found by two indexes.
			sorts := inner && strings.Contains(step, "TEMP B-TREE FOR ORDER BY") && c.who != both
			if step == "SCAN t" || strings.HasPrefix(step, "SCAN t USING COVERING INDEX tickets_updated") || sorts {
				t.Errorf("%s (%q): %q in the plan\n%s", c.name, c.query, step, strings.Join(plan, "\n"))
			}
		}
		if testing.Verbose() {
			t.Logf("%s:\n  %s", c.name, strings.Join(plan, "\n  "))
		}
	}
}
