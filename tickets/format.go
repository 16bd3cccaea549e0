package tickets

import (
	"strconv"
	"strings"
)

// currencyExponent gives the minor-unit exponent of a currency. IDR has
// minor units on paper but none in practice, so amounts are whole rupiah.
var currencyExponent = map[string]int{
	"IDR": 0, "JPY": 0, "KRW": 0, "VND": 0, "CLP": 0, "ISK": 0,
	"KWD": 3, "BHD": 3, "JOD": 3, "OMR": 3, "TND": 3,
}

// CurrencyExponent returns how many decimals a currency's minor units have.
func CurrencyExponent(currency string) int {
	if e, ok := currencyExponent[strings.ToUpper(currency)]; ok {
		return e
	}
	return 2
}

// PlainMoney writes an amount in minor units in the desk's own notation, the
// one its audit trail, its errors and the agents' tools use: the currency's
// code, a comma between thousands and a point before the decimals
// ("IDR 150,000", "USD -12.50", "12.50" without a currency). What
// requesters read is written by the message catalog, in their language.
func PlainMoney(amount int64, currency string) string {
	currency = strings.ToUpper(currency)
	plain := FormatAmount(amount, currency) // "-1234.50": right for math.MinInt64 too
	sign := ""
	if rest, ok := strings.CutPrefix(plain, "-"); ok {
		sign, plain = "-", rest
	}
	whole, frac, hasFrac := strings.Cut(plain, ".")
	s := GroupDigits(whole, ",")
	if hasFrac {
		s += "." + frac
	}
	if currency == "" {
		return sign + s
	}
	return currency + " " + sign + s
}

// PlainCount writes a whole number in the desk's own notation, with a comma
// between thousands ("12,500").
func PlainCount(n int64) string {
	s := strconv.FormatInt(n, 10)
	if rest, ok := strings.CutPrefix(s, "-"); ok {
		return "-" + GroupDigits(rest, ",")
	}
	return GroupDigits(s, ",")
}

// GroupDigits puts sep between each group of three digits of a run of
// digits, from the right: GroupDigits("1234567", ".") is "1.234.567".
func GroupDigits(digits, sep string) string {
	if len(digits) <= 3 {
		return digits
	}
	var b strings.Builder
	pre := len(digits) % 3
	if pre > 0 {
		b.WriteString(digits[:pre])
	}
	for i := pre; i < len(digits); i += 3 {
		if b.Len() > 0 {
			b.WriteString(sep)
		}
		b.WriteString(digits[i : i+3])
	}
	return b.String()
}
