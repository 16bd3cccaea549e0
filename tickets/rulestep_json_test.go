package tickets_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"refunddesk/tickets"
)

// A step's detail is always in its JSON, empty when no edge put it in
// words, so a consumer sees the key rather than missing it; its
// detail_requester appears only when set, as before codes.
func TestRuleStepJSONKeepsDetail(t *testing.T) {
	b, err := json.Marshal(tickets.RuleStep{Rule: tickets.RuleOrderGiven, Outcome: tickets.OutcomePass, Code: tickets.CodeOrderGiven})
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"rule":"order_given","outcome":"pass","code":"order_given","detail":""}`; string(b) != want {
		t.Errorf("JSON of a step not in words:\n%s\nwant\n%s", b, want)
	}
	if strings.Contains(string(b), "detail_requester") {
		t.Errorf("an empty detail_requester: %s", b)
	}
}

// A step's amounts are in its JSON twice, minor units and major units as
// people write them, and its spans of time twice, nanoseconds and Go's
// notation; what is written reads back as it was.
func TestRuleParamsJSON(t *testing.T) {
	p := tickets.RuleParams{Order: "7301", Currency: "USD", Paid: 14670, Spent: 5, Refunded: 100, Remaining: 14570,
		Shortfall: 7000, Refund: 6900, Unspent: 14665, Delivered: 3000, Promised: 10000, ThresholdPercent: 80,
		Gap: 3 * time.Minute, Window: 10 * time.Minute, WindowDays: 30}
	b, err := json.Marshal(tickets.RuleStep{Rule: tickets.RuleUnderDelivery, Outcome: "eligible", Code: tickets.CodeDeliveryShortLess, Params: p})
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	params := got["params"].(map[string]any)
	for k, want := range map[string]any{"paid": 14670.0, "paid_text": "146.70", "spent": 5.0, "spent_text": "0.05",
		"unspent_text": "146.65", "refunded_text": "1.00", "remaining_text": "145.70", "shortfall_text": "70.00",
		"refund": 6900.0, "refund_text": "69.00", "gap": float64(3 * time.Minute), "gap_text": "3m0s",
		"window_text": "10m0s", "delivered": 3000.0, "window_days": 30.0} {
		if params[k] != want {
			t.Errorf("params.%s = %#v, want %#v (in %s)", k, params[k], want, b)
		}
	}
	var back tickets.RuleStep
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back.Params != p {
		t.Errorf("read back:\n%+v\nwant\n%+v", back.Params, p)
	}

	// Rupiah have no decimals; a value not set has no words either.
	b, err = json.Marshal(tickets.RuleParams{Currency: "IDR", Paid: 15000000})
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"currency":"IDR","paid":15000000,"paid_text":"15000000"}`; string(b) != want {
		t.Errorf("IDR:\n%s\nwant\n%s", b, want)
	}
	// A step without values has no params at all.
	b, err = json.Marshal(tickets.RuleStep{Rule: "r", Outcome: "pass"})
	if err != nil || strings.Contains(string(b), "params") {
		t.Errorf("no values: %s %v", b, err)
	}
}
