package bot_test

import (
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"

	"refunddesk/tickets"
)

// The Approve form shows and takes the amount as every screen does: in the
// order's currency with its decimals, read exactly; a wrong one is refused
// with the currency's rule and changes nothing.
func TestBotApproveAmountInMajorUnits(t *testing.T) {
	t.Parallel()
	f := newBotFixture(t, "sqlite")
	usd := strings.Join(tickets.PromotionColumns, ",") + "\n" +
		"7301234567890000049,@citra,v3,views,14670,USD,card,2026-11-05T08:00:00Z,,,,rejected,0,0,0,false,0\n"
	if _, err := f.svc.Records.ImportPromotions(f.ctx, strings.NewReader(usd), tickets.ImportOptions{File: "usd.csv"}); err != nil {
		t.Fatal(err)
	}
	f.refund("111", "citra", "en-US", "@citra", "7301234567890000049", "rejected")
	f.refund("222", "rani", "en-US", "@rani.putri", "7301234567890000021", "rejected")

	cb := f.send(f.fake.Button("approve:RD-1", agent("900", "ayu")...))
	if cb.Response.Type != discordgo.InteractionResponseModal || !strings.Contains(string(cb.RawComponents), `"value":"146.70"`) ||
		!strings.Contains(string(cb.RawComponents), `"label":"Amount in USD, like 1234.50"`) {
		t.Fatalf("approve button: type %d, %s", cb.Response.Type, cb.RawComponents)
	}
	for _, bad := range []struct{ typed, says string }{
		{"12.505", "USD amounts have at most 2 decimals"},
		{"1,000", "is not an amount: USD amounts"},
		{"146.71", "USD 146.71 is more than what is left"},
	} {
		got := text(f.send(f.fake.ModalSubmit("approve:RD-1", map[string]string{"amount": bad.typed}, agent("900", "ayu")...)))
		if !strings.Contains(got, bad.says) {
			t.Errorf("approve %q: %q, want %q", bad.typed, got, bad.says)
		}
	}
	got := text(f.send(f.fake.ModalSubmit("approve:RD-2", map[string]string{"amount": "120.000"}, agent("900", "ayu")...)))
	if !strings.Contains(got, "IDR amounts are whole numbers") {
		t.Errorf("approve IDR 120.000: %q", got)
	}
	for _, ref := range []string{"RD-1", "RD-2"} {
		if d := f.ticket(ref); d.Status == tickets.StatusApproved {
			t.Fatalf("a refused amount approved %s", ref)
		}
	}

	got = text(f.send(f.fake.ModalSubmit("approve:RD-1", map[string]string{"amount": "146.7", "text": "all of it"}, agent("900", "ayu")...)))
	if !strings.Contains(got, "USD 146.70") {
		t.Errorf("approval: %q", got)
	}
	if d := f.ticket("RD-1"); d.Status != tickets.StatusApproved || *d.ApprovedAmount != 14670 {
		t.Fatalf("RD-1: %s %v", d.Status, d.ApprovedAmount)
	}
}
