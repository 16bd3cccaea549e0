package api

import (
	"bytes"
	"context"
	"encoding/json"

	"refunddesk/tickets"
)

// Amount is the amount an approval grants, as the body's "amount" gives it:
// in the major units of the order's currency, with its decimals, as a
// string ("146.70"; "150000" for IDR) or a JSON number (146.7), read
// exactly from its text (never through a float) by tickets.ParseAmount.
type Amount struct {
	Text   string // as typed, in major units
	Number bool   // it came as a JSON number
}

// UnmarshalJSON takes a string or a number, both in major units.
func (a *Amount) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		a.Number = false
		return json.Unmarshal(b, &a.Text)
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return tickets.Invalidf("amount", "%s is not an amount: give it in the order's currency, with its decimals "+
			`(146.70 or "146.70"; 150000 for IDR)`, b)
	}
	a.Text, a.Number = n.String(), true
	return nil
}

// MarshalJSON writes the amount as it was given.
func (a Amount) MarshalJSON() ([]byte, error) {
	if a.Number {
		return []byte(a.Text), nil
	}
	return json.Marshal(a.Text)
}

// minor returns the amount in minor units for the ticket ref, by the
// currency's rule: 146, 146.7 and "146.70" are USD 146.70; 12.505 is
// refused, not rounded.
func (a *Amount) minor(ctx context.Context, svc *tickets.Service, ref string) (int64, error) {
	return svc.Desk.AmountFor(ctx, ref, a.Text)
}
