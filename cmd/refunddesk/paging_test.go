package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"refunddesk/internal/storetest"
)

var moreRx = regexp.MustCompile(`(?m)^more: add --after (\S+)$`)

// next returns the cursor a page printed on standard error, or "".
func next(t *testing.T, stderr string) string {
	t.Helper()
	m := moreRx.FindAllStringSubmatch(stderr, -1)
	if len(m) > 1 {
		t.Fatalf("two cursors: %q", stderr)
	}
	if m == nil {
		return ""
	}
	return m[0][1]
}

// jsonLinesOf reads JSON Lines: one object a line, each with the key.
func jsonLinesOf(t *testing.T, out, key string) []string {
	t.Helper()
	var got []string
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		var v map[string]any
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			t.Fatalf("not one JSON object a line: %q: %v", sc.Text(), err)
		}
		got = append(got, fmt.Sprint(v[key]))
	}
	return got
}

// --json lists have a way through everything: the next page's cursor on
// standard error (standard output stays one JSON array), or --all, every
// match as JSON Lines.
func TestCLIJSONListsPageThroughEverything(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) { testJSONPaging(t, newCLI(t, dialect)) })
}

func testJSONPaging(t *testing.T, c *cli) {
	const n = 7
	var want []string // newest first
	for i := 1; i <= n; i++ {
		c.ok("tickets", "submit", "--account", fmt.Sprintf("@user%d", i), "--order", fmt.Sprintf("730100000000000%04d", i),
			"--reason", "other", "--details", "help", "--email", fmt.Sprintf("u%d@example.com", i), "--as", "ayu")
		want = append([]string{fmt.Sprintf("RD-%d", i)}, want...)
		c.clock.Advance(1e9)
	}

	// Pages of 3 with the cursor, as a script follows it.
	var got []string
	after, pages := "", 0
	for {
		args := []string{"tickets", "list", "--json", "--limit", "3"}
		if after != "" {
			args = append(args, "--after", after)
		}
		code, out, errs := c.run(args...)
		if code != 0 {
			t.Fatalf("list: exit %d: %s", code, errs)
		}
		var page []struct {
			Ref string `json:"ref"`
		}
		if err := json.Unmarshal([]byte(out), &page); err != nil {
			t.Fatalf("page %d is not a JSON array: %v\n%s", pages, err, out)
		}
		for _, tk := range page {
			got = append(got, tk.Ref)
		}
		pages++
		if after = next(t, errs); after == "" || pages > n {
			break
		}
	}
	if strings.Join(got, " ") != strings.Join(want, " ") || pages != 3 {
		t.Errorf("paged through %d pages: %v, want %v", pages, got, want)
	}

	// --all: every ticket, one a line, through pages of 2 (and of the default size).
	for _, args := range [][]string{{"tickets", "list", "--all", "--limit", "2"}, {"tickets", "list", "--all"}, {"tickets", "list", "--all", "--json"}} {
		code, out, errs := c.run(args...)
		if code != 0 || errs != "" {
			t.Fatalf("%v: exit %d: %s", args, code, errs)
		}
		if got := jsonLinesOf(t, out, "ref"); strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("%v: %v, want %v", args, got, want)
		}
	}
	// With a query, and from a cursor.
	_, _, errs := c.run("tickets", "list", "--json", "--limit", "2")
	out := c.ok("tickets", "list", "--all", "--after", next(t, errs), "status:open")
	if got := jsonLinesOf(t, out, "ref"); strings.Join(got, " ") != strings.Join(want[2:], " ") {
		t.Errorf("--all --after: %v, want %v", got, want[2:])
	}

	// The outbox: one acknowledgement a ticket.
	var ids []string
	after, pages = "", 0
	for {
		args := []string{"outbox", "list", "--json", "--limit", "3"}
		if after != "" {
			args = append(args, "--after", after)
		}
		code, out, errs := c.run(args...)
		if code != 0 {
			t.Fatalf("outbox list: exit %d: %s", code, errs)
		}
		var page []struct {
			ID int64 `json:"id"`
		}
		if err := json.Unmarshal([]byte(out), &page); err != nil {
			t.Fatalf("outbox page %d: %v\n%s", pages, err, out)
		}
		for _, o := range page {
			ids = append(ids, fmt.Sprint(o.ID))
		}
		pages++
		if after = next(t, errs); after == "" || pages > n {
			break
		}
	}
	wantIDs := "7 6 5 4 3 2 1"
	if strings.Join(ids, " ") != wantIDs {
		t.Errorf("outbox pages: %v, want %s", ids, wantIDs)
	}
	out = c.ok("outbox", "list", "--all")
	if got := jsonLinesOf(t, out, "id"); strings.Join(got, " ") != wantIDs {
		t.Errorf("outbox --all: %v", got)
	}
	if got := jsonLinesOf(t, c.ok("outbox", "list", "--all", "--after", "5", "--status", "pending"), "id"); strings.Join(got, " ") != "4 3 2 1" {
		t.Errorf("outbox --all --after 5: %v", got)
	}
	if errs := c.fails(exitUsage, "outbox", "list", "--after", "RD-1"); !strings.Contains(errs, `after: "RD-1" is not a cursor of outbox list`) {
		t.Errorf("a bad outbox cursor: %s", errs)
	}
}
