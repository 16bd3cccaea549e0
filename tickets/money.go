package tickets

import (
	"context"
	"errors"
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
// one is a *ValidationError of the field "amount" (amount.missing,
// .not_amount, .too_many_decimals, .negative, .too_large) whose params say
// how the currency's amounts are written (amountRule); a thousands
// separator is refused rather than guessed at, since "15.000" is fifteen
// thousand rupiah to an Indonesian and fifteen dollars to an American.
func ParseAmount(s, currency string) (int64, error) {
	currency = strings.ToUpper(strings.TrimSpace(currency))
	exp := CurrencyExponent(currency)
	ex := amountExample(exp)
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, Invalid("amount", "amount.missing", "Currency", currency, "Decimals", exp, "Example", ex)
	}
	whole, frac, hasPoint := strings.Cut(s, ".")
	if !allDigits(whole) || (hasPoint && !allDigits(frac)) {
		if strings.HasPrefix(s, "-") && allDigits(strings.ReplaceAll(strings.TrimPrefix(s, "-"), ".", "")) {
			return 0, Invalid("amount", "amount.negative", "Value", s)
		}
		return 0, Invalid("amount", "amount.not_amount", "Value", s, "Currency", currency, "Decimals", exp, "Example", ex)
	}
	if len(frac) > exp {
		return 0, Invalid("amount", "amount.too_many_decimals", "Value", s, "Given", len(frac), "Currency", currency, "Decimals", exp, "Example", ex)
	}
	digits := whole + frac + strings.Repeat("0", exp-len(frac))
	n, err := strconv.ParseInt(digits, 10, 64)
	if err != nil {
		return 0, Invalid("amount", "amount.too_large", "Value", s, "Max", FormatAmount(math.MaxInt64, currency))
	}
	return n, nil
}

// amountExample is an amount with a currency's decimals, as ParseAmount
// reads it ("1250.55" for two), for the words that say how amounts are
// written: Currency ("" for the order's, not known yet), Decimals and
// Example are the params of every problem that does.
func amountExample(exp int) string {
	if exp == 0 {
		return "150000"
	}
	return "1250." + strings.Repeat("5", exp)
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
	return ParseAmount(typed, currency)
}
