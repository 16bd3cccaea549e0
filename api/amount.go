package api

import (
	"bytes"
	"context"
	"encoding/json"
	"strconv"

	"refunddesk/tickets"
)

// Amount is the amount an approval grants, as the body's "amount" gives it:
// a string in the major units of the order's currency, with its decimals
// ("146.70"; "150000" for IDR), read exactly; or a JSON number of minor
// units, as the API took it at first (kept for the scripts written then).
type Amount struct {
	Minor *int64 // a JSON number: minor units
	Text  string // a JSON string: major units
}

// UnmarshalJSON takes a string (major units) or a whole number (minor units).
func (a *Amount) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		return json.Unmarshal(b, &a.Text)
	}
	n, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil {
		return tickets.Invalid("amount", "%s is not an amount: give it as a string in the order's currency, with its decimals "+
			`("146.70"; "150000" for IDR), or as a whole number of minor units`, b)
	}
	a.Minor = &n
	return nil
}

// MarshalJSON writes the amount as it was given.
func (a Amount) MarshalJSON() ([]byte, error) {
	if a.Minor != nil {
		return []byte(strconv.FormatInt(*a.Minor, 10)), nil
	}
	return json.Marshal(a.Text)
}

// minor returns the amount in minor units for the ticket ref.
func (a *Amount) minor(ctx context.Context, svc *tickets.Service, ref string) (int64, error) {
	if a.Minor != nil {
		return *a.Minor, nil
	}
	return svc.AmountFor(ctx, ref, a.Text)
}
