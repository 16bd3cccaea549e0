package tickets_test

import (
	"encoding/json"
	"strings"
	"testing"

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
