package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"refunddesk/internal/storetest"
	"refunddesk/tickets"
)

// requesters erase: without --yes it only counts, and exits 2 saying how
// to erase; --dry-run counts; --yes erases, and the ticket shows no one;
// a second time says nothing is kept; export then finds nothing. Bad
// flags exit 2, a refund approved and not paid 4, a name that is not an
// agent's 5, each changing nothing.
func TestCLIRequestersErase(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		c := newCLI(t, dialect)
		c.env["REFUNDDESK_TICKETS_AGENTS"] = "ayu,citra"
		c.ok("promotions", "import", c.file("p.csv", header+
			"7301000000000000001,@wulan_shop,v1,views,150000,IDR,wallet,2026-11-01T08:00:00Z,,,,rejected,0,0,0,false,0\n"+
			"7301000000000000002,@wulan_shop,v2,views,150000,IDR,wallet,2026-11-01T08:00:00Z,,,,rejected,0,0,0,false,0\n"))
		c.ok("tickets", "submit", "--account", "@wulan_shop", "--order", "7301000000000000001", "--reason", "rejected",
			"--details", "ditolak, saya Wulan Sekarsari", "--email", "Wulan.Sekarsari@example.id", "--name", "Wulan Sekarsari", "--as", "ayu")
		c.ok("tickets", "submit", "--kind", "revocation", "--account", "@budi", "--email", "budi@example.com", "--as", "ayu",
			"--details", "my friend Wulan Sekarsari told me")

		show := func(ref string) tickets.TicketDetail {
			var d tickets.TicketDetail
			if err := json.Unmarshal([]byte(c.ok("tickets", "show", ref, "--json")), &d); err != nil {
				t.Fatal(err)
			}
			return d
		}
		before := c.ok("tickets", "show", "RD-1", "--json")
		for _, f := range []struct {
			code int
			args []string
			says string
		}{
			{exitUsage, []string{"requesters", "erase", "--as", "citra"}, "a mail address (--email) or a Discord id (--discord-id)"},
			{exitUsage, []string{"requesters", "erase", "--email", "a@b.c", "--discord-id", "1", "--as", "citra"}, "not both"},
			{exitUsage, []string{"requesters", "erase", "--discord-id", "wulan", "--as", "citra"}, `"wulan" is not a Discord id`},
			{exitUsage, []string{"requesters", "erase", "--email", "wulan.sekarsari@example.id", "--dry-run", "--yes", "--as", "citra"}, "not both"},
			{exitUsage, []string{"requesters", "erase", "--email", "wulan.sekarsari@example.id", "--as", "citra"}, "add --yes to erase"},
			{exitForbidden, []string{"requesters", "erase", "--email", "wulan.sekarsari@example.id", "--yes", "--as", "eve"}, "not one of the desk's agents"},
		} {
			if errs := c.fails(f.code, f.args...); !strings.Contains(errs, f.says) {
				t.Errorf("%s: %s", strings.Join(f.args, " "), errs)
			}
		}
		if out := c.ok("requesters", "erase", "--email", "WULAN.SEKARSARI@example.id", "--dry-run", "--as", "citra"); !strings.Contains(out, "would erase") ||
			!strings.Contains(out, "RD-1 (refund, in_review)") || !strings.Contains(out, "Nothing was changed.") {
			t.Errorf("dry run: %s", out)
		}
		c.ok("tickets", "submit", "--account", "@wulan_shop", "--order", "7301000000000000002", "--reason", "rejected",
			"--details", "satu lagi", "--email", "wulan.sekarsari@example.id", "--as", "ayu")
		c.ok("tickets", "approve", "RD-3", "--amount", "150000", "--as", "ayu")
		if errs := c.fails(exitConflict, "requesters", "erase", "--email", "wulan.sekarsari@example.id", "--yes", "--as", "citra"); !strings.Contains(errs,
			"refund RD-3 is approved but not yet paid") {
			t.Errorf("unpaid: %s", errs)
		}
		if after := c.ok("tickets", "show", "RD-1", "--json"); after != before {
			t.Fatalf("a refused erasure changed RD-1:\n%s\n%s", before, after)
		}
		c.ok("tickets", "resolve", "RD-3", "--as", "ayu")

		out := c.ok("requesters", "erase", "--email", "wulan.sekarsari@example.id", "--yes", "--as", "citra")
		if !strings.Contains(out, "erased the personal data of wulan.sekarsari@example.id") || !strings.Contains(out, "RD-1 (refund, in_review), RD-3 (refund, resolved)") {
			t.Errorf("erase: %s", out)
		}
		d := show("RD-1")
		if d.Requester != (tickets.Requester{}) || d.Account != "" || d.Order != "7301000000000000001" || d.Details != tickets.Erased ||
			d.Audit[len(d.Audit)-1].Code != tickets.AuditErased || d.Audit[len(d.Audit)-1].Actor != "citra" {
			t.Errorf("RD-1 after: %+v", d)
		}
		// The order's record names its account, @wulan_shop: the platform's, it stays.
		if text := strings.ToLower(c.ok("tickets", "show", "RD-1")); strings.Contains(text, "sekarsari") || strings.Contains(text, "wulan.") {
			t.Errorf("tickets show still names her:\n%s", text)
		}
		if d := show("RD-2"); d.Requester.Email != "budi@example.com" || d.Details != "my friend […] told me" {
			t.Errorf("Budi's ticket: %+v %q", d.Requester, d.Details)
		}
		if !strings.Contains(out, "others' tickets that named them  1  RD-2 (revocation, in_review) (2 mentions replaced)") {
			t.Errorf("erase, the mentions: %s", out)
		}
		if out := c.ok("requesters", "erase", "--email", "wulan.sekarsari@example.id", "--yes", "--as", "citra"); !strings.Contains(out, "nothing is kept about") {
			t.Errorf("again: %s", out)
		}
		var res tickets.ErasureResult
		if err := json.Unmarshal([]byte(c.ok("requesters", "erase", "--email", "wulan.sekarsari@example.id", "--yes", "--json", "--as", "citra")), &res); err != nil || !res.Nothing {
			t.Errorf("again, JSON: %+v %v", res, err)
		}
		c.fails(exitNotFound, "requesters", "export", "--email", "wulan.sekarsari@example.id", "-o", filepath.Join(c.dir, "w.zip"), "--as", "citra")
		for _, q := range []string{"sekarsari", "account:@wulan_shop"} {
			if out := c.ok("tickets", "list", q, "--as", "citra"); strings.Contains(out, "RD-1") || strings.Contains(out, "RD-3") {
				t.Errorf("list %s: %s", q, out)
			}
		}
	})
}
