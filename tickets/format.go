package tickets

import (
	"strconv"
	"strings"
	"time"
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

// FormatMoney writes an amount in minor units for people: "Rp150.000" or
// "IDR 150,000", "USD 12,50" or "USD 12.50", by language.
func FormatMoney(amount int64, currency, lang string) string {
	currency = strings.ToUpper(currency)
	neg := amount < 0
	abs := uint64(amount)
	if neg {
		abs = -abs // two's complement: right for math.MinInt64 too
	}
	exp := CurrencyExponent(currency)
	var div uint64 = 1
	for i := 0; i < exp; i++ {
		div *= 10
	}
	thousands, decimal := ",", "."
	if lang == LangIndonesian {
		thousands, decimal = ".", ","
	}
	s := groupDigits(abs/div, thousands)
	if exp > 0 {
		frac := strconv.FormatUint(abs%div, 10)
		s += decimal + strings.Repeat("0", exp-len(frac)) + frac
	}
	sign := ""
	if neg {
		sign = "-"
	}
	switch {
	case currency == "IDR" && lang == LangIndonesian:
		return sign + "Rp" + s
	case currency == "":
		return sign + s
	}
	return currency + " " + sign + s
}

// FormatCount writes a whole number with the language's thousands separator.
func FormatCount(n int64, lang string) string {
	sep := ","
	if lang == LangIndonesian {
		sep = "."
	}
	if n < 0 {
		return "-" + groupDigits(-uint64(n), sep)
	}
	return groupDigits(uint64(n), sep)
}

func groupDigits(n uint64, sep string) string {
	s := strconv.FormatUint(n, 10)
	if len(s) <= 3 {
		return s
	}
	var b strings.Builder
	pre := len(s) % 3
	if pre > 0 {
		b.WriteString(s[:pre])
	}
	for i := pre; i < len(s); i += 3 {
		if b.Len() > 0 {
			b.WriteString(sep)
		}
		b.WriteString(s[i : i+3])
	}
	return b.String()
}

var monthsID = [...]string{"Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli",
	"Agustus", "September", "Oktober", "November", "Desember"}

// FormatDate writes a day for people: "2 Jan 2006" or "2 Januari 2006".
func FormatDate(t time.Time, lang string) string {
	t = t.UTC()
	if lang == LangIndonesian {
		return strconv.Itoa(t.Day()) + " " + monthsID[t.Month()-1] + " " + strconv.Itoa(t.Year())
	}
	return t.Format("2 Jan 2006")
}
