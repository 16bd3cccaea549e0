package tickets

import (
	"encoding/json"
	"time"
)

// The JSON of a rule step's values gives each amount twice, as a ticket's
// does (money_json.go): the integer of minor units it is stored as (paid,
// spent, …) and beside it the same amount in major units, as people write
// and type it (paid_text: "146.70"); and each span of time twice: the
// nanoseconds it is stored as (gap, window) and the span as Go writes it
// (gap_text: "3m0s", which time.ParseDuration reads). The _text values are
// only written: reading ignores them, so what was stored reads back as it
// was, and so do params stored before they were added.

// MarshalJSON writes the values as stored, each amount and span of time
// also in words a person reads (the _text fields), when it is set.
func (p RuleParams) MarshalJSON() ([]byte, error) {
	type plain RuleParams
	money := func(amount int64) string {
		if amount == 0 {
			return ""
		}
		return FormatAmount(amount, p.Currency)
	}
	span := func(d time.Duration) string {
		if d == 0 {
			return ""
		}
		return d.String()
	}
	return json.Marshal(struct {
		plain
		PaidText      string `json:"paid_text,omitempty"`
		SpentText     string `json:"spent_text,omitempty"`
		UnspentText   string `json:"unspent_text,omitempty"`
		RefundedText  string `json:"refunded_text,omitempty"`
		RemainingText string `json:"remaining_text,omitempty"`
		ShortfallText string `json:"shortfall_text,omitempty"`
		RefundText    string `json:"refund_text,omitempty"`
		GapText       string `json:"gap_text,omitempty"`
		WindowText    string `json:"window_text,omitempty"`
	}{plain(p), money(p.Paid), money(p.Spent), money(p.Unspent), money(p.Refunded), money(p.Remaining),
		money(p.Shortfall), money(p.Refund), span(p.Gap), span(p.Window)})
}
