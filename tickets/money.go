package tickets

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Amounts are stored and computed in minor units (cents; whole rupiah), and
// written by people in major units with the currency's decimals: "146.70"
// dollars, "150000" rupiah. ParseAmount and FormatAmount are the one place
// where the two meet.

// ParseAmount reads an amount as a person types it, in the currency's major
// units with at most its decimals ("146.70", "146.7", "15000" for IDR), and
// returns it in minor units, exactly (no floating point on the way). A wrong
// one is refused with the currency's rule in words; a thousands separator is
// refused rather than guessed at, since "15.000" is fifteen thousand rupiah
// to an Indonesian and fifteen dollars to an American.
func ParseAmount(s, currency string) (int64, error) {
	currency = strings.ToUpper(strings.TrimSpace(currency))
	exp := CurrencyExponent(currency)
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, fmt.Errorf("no amount given: %s", AmountRule(currency))
	}
	whole, frac, hasPoint := strings.Cut(s, ".")
	if !allDigits(whole) || (hasPoint && !allDigits(frac)) {
		if strings.HasPrefix(s, "-") && allDigits(strings.ReplaceAll(strings.TrimPrefix(s, "-"), ".", "")) {
			return 0, fmt.Errorf("%q is negative: an amount is zero or more", s)
		}
		return 0, fmt.Errorf("%q is not an amount: %s", s, AmountRule(currency))
	}
	if len(frac) > exp {
		return 0, fmt.Errorf("%q has %d decimals: %s", s, len(frac), AmountRule(currency))
	}
	digits := whole + frac + strings.Repeat("0", exp-len(frac))
	n, err := strconv.ParseInt(digits, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%q is too large: at most %s", s, FormatAmount(math.MaxInt64, currency))
	}
	return n, nil
}

// AmountRule says in words how amounts of a currency are written.
func AmountRule(currency string) string {
	currency = strings.ToUpper(strings.TrimSpace(currency))
	name := currency
	if name == "" {
		name = "the order's currency"
	}
	exp := CurrencyExponent(currency)
	if exp == 0 {
		return fmt.Sprintf("%s amounts are whole numbers, without decimals or thousands separators (like 150000)", name)
	}
	example := "1250." + strings.Repeat("5", exp)
	return fmt.Sprintf("%s amounts have at most %d decimals, after a point, and no thousands separators (like 1250 or %s)",
		name, exp, example)
}

// FormatAmount writes minor units as ParseAmount reads them: major units with
// the currency's decimals, no separators ("146.70", "150000"), so a form can
// be filled with it and read back as it was.
func FormatAmount(amount int64, currency string) string {
	exp := CurrencyExponent(currency)
	neg := amount < 0
	abs := uint64(amount)
	if neg {
		abs = -abs // two's complement: right for math.MinInt64 too
	}
	s := strconv.FormatUint(abs, 10)
	if exp > 0 {
		if len(s) <= exp {
			s = strings.Repeat("0", exp-len(s)+1) + s
		}
		s = s[:len(s)-exp] + "." + s[len(s)-exp:]
	}
	if neg {
		return "-" + s
	}
	return s
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// AmountFor reads an amount typed for a ticket (the amount to approve) in
// the major units of its order's currency, and returns it in minor units
// for ActionRequest.Amount. Without the order's record, the ticket's verdict
// says the currency; approving then says what is missing.
func (d *Desk) AmountFor(ctx context.Context, ref, typed string) (int64, error) {
	id, err := ParseRef(ref)
	if err != nil {
		return 0, err
	}
	currency := ""
	err = d.store.View(ctx, func(tx Tx) error {
		t, err := tx.Ticket(id)
		if err != nil {
			return err
		}
		currency = t.Eligibility.Currency
		if t.Order == "" {
			return nil
		}
		p, err := tx.Promotion(t.Order)
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		currency = p.Currency
		return nil
	})
	if err != nil {
		return 0, err
	}
	n, err := ParseAmount(typed, currency)
	if err != nil {
		return 0, Invalid("amount", "invalid", "Error", err.Error())
	}
	return n, nil
}
