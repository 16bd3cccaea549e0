package tickets_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"refunddesk/tickets"
)

// jsonKeys lists the JSON keys of a struct type's fields, embedded ones
// inline, as encoding/json writes them.
func jsonKeys(t reflect.Type) []string {
	var keys []string
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" || !f.IsExported() {
			continue
		}
		if f.Anonymous && tag == "" {
			keys = append(keys, jsonKeys(f.Type)...)
			continue
		}
		keys = append(keys, strings.Split(tag, ",")[0])
	}
	return keys
}

// The JSON of a ticket gives each amount in major units beside the minor
// units it always had; a ticket's and an order's story keep every field.
func TestTicketJSONAmountsInMajorUnits(t *testing.T) {
	approved := int64(14670)
	tk := tickets.Ticket{Ref: "RD-1", ApprovedAmount: &approved,
		Eligibility: tickets.Eligibility{Verdict: tickets.VerdictEligible, RefundAmount: 7335, Currency: "USD"}}
	check := func(name string, v any, typ reflect.Type, want map[string]any) {
		t.Helper()
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		var got map[string]any
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatal(err)
		}
		for _, k := range jsonKeys(typ) {
			if _, ok := got[k]; !ok && k != "waiting_since" && k != "decision" && k != "decision_code" && k != "decision_params" && k != "parent_ref" && k != "info_requested" {
				t.Errorf("%s: no %q in %s", name, k, b)
			}
		}
		for k, w := range want {
			if !reflect.DeepEqual(got[k], w) {
				t.Errorf("%s: %s = %v, want %v", name, k, got[k], w)
			}
		}
		el, _ := got["eligibility"].(map[string]any)
		if el["refund"] != "73.35" || el["refund_amount"] != 7335.0 {
			t.Errorf("%s: eligibility %v", name, el)
		}
	}
	check("ticket", tk, reflect.TypeOf(tk), map[string]any{"ref": "RD-1", "approved": "146.70", "approved_amount": 14670.0})
	d := tickets.TicketDetail{Ticket: tk, Messages: []tickets.Message{{Body: "hi"}}}
	check("detail", d, reflect.TypeOf(d), map[string]any{"ref": "RD-1", "approved": "146.70", "approved_amount": 14670.0, "promotion": nil})
	check("detail pointer", &d, reflect.TypeOf(d), map[string]any{"approved": "146.70"})

	tk.ApprovedAmount, tk.Eligibility.Currency = nil, "IDR"
	b, _ := json.Marshal(tk)
	if strings.Contains(string(b), `"approved"`) || !strings.Contains(string(b), `"refund":"7335"`) {
		t.Errorf("IDR, not approved: %s", b)
	}

	p := tickets.PromotionDetail{Promotion: tickets.Promotion{OrderNumber: "7301", Amount: 14670, Currency: "USD"},
		Tickets: []tickets.Ticket{{Ref: "RD-1", ApprovedAmount: &approved, Eligibility: tickets.Eligibility{Currency: "USD"}}}}
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	_ = json.Unmarshal(b, &got)
	for _, k := range jsonKeys(reflect.TypeOf(p)) {
		if _, ok := got[k]; !ok {
			t.Errorf("promotion detail: no %q in %s", k, b)
		}
	}
	if !strings.Contains(string(b), `"approved":"146.70"`) {
		t.Errorf("promotion detail's tickets: %s", b)
	}
}
