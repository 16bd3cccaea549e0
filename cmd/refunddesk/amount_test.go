package main

import (
	"strings"
	"testing"

	"refunddesk/tickets/sqlstore"
)

// approve --amount is typed as every screen shows it: major units with the
// currency's decimals. A wrong one is refused with the currency's rule.
func TestCLIApproveAmountInMajorUnits(t *testing.T) {
	c := newCLI(t, sqlstore.SQLite)
	c.ok("promotions", "import", c.file("p.csv", header+
		"7301000000000000001,@rani,v1,views,14670,USD,card,2026-11-01T08:00:00Z,,,,rejected,0,0,0,false,0\n"+
		"7301000000000000002,@budi,v2,views,150000,IDR,wallet,2026-11-01T08:00:00Z,,,,rejected,0,0,0,false,0\n"))
	out := c.ok("tickets", "submit", "--account", "@rani", "--order", "7301000000000000001", "--reason", "rejected", "--details", "rejected", "--as", "ayu")
	if !strings.Contains(out, "refund USD 146.70") {
		t.Fatalf("submit: %s", out)
	}
	c.ok("tickets", "submit", "--account", "@budi", "--order", "7301000000000000002", "--reason", "rejected", "--details", "ditolak", "--as", "ayu")

	for _, bad := range []struct{ ref, amount, says string }{
		{"RD-1", "10000", "amount: USD 10,000.00 is more than what is left of order 7301000000000000001 (USD 146.70 paid"},
		{"RD-1", "12.505", `amount: "12.505" has 3 decimals: USD amounts have at most 2 decimals, after a point, and no thousands separators (like 1250 or 1250.55)`},
		{"RD-1", "12,50", `amount: "12,50" is not an amount: USD amounts`},
		{"RD-1", "-5", `amount: "-5" is negative`},
		{"RD-2", "75.000", `amount: "75.000" has 3 decimals: IDR amounts are whole numbers, without decimals or thousands separators (like 150000)`},
	} {
		errs := c.fails(exitUsage, "tickets", "approve", bad.ref, "--amount", bad.amount, "--as", "ayu")
		if !strings.Contains(errs, bad.says) {
			t.Errorf("approve %s --amount %s: %s, want %q", bad.ref, bad.amount, errs, bad.says)
		}
	}
	if out := c.ok("tickets", "list", "status:approved"); !strings.Contains(out, "no tickets match") {
		t.Fatalf("a refused amount approved something:\n%s", out)
	}
	if out := c.ok("tickets", "approve", "RD-1", "--amount", "12.5", "--as", "ayu"); !strings.Contains(out, "RD-1 approve: approved, USD 12.50") {
		t.Errorf("approve 12.5: %s", out)
	}
	if out := c.ok("tickets", "approve", "RD-2", "--amount", "75000", "--as", "ayu"); !strings.Contains(out, "RD-2 approve: approved, IDR 75,000") {
		t.Errorf("approve 75000: %s", out)
	}
	if show := c.ok("tickets", "show", "RD-1"); !strings.Contains(show, "USD 12.50") {
		t.Errorf("show:\n%s", show)
	}
}
