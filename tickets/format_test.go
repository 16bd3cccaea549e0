package tickets

import (
	"math"
	"testing"
)

func TestCurrencyExponent(t *testing.T) {
	for cur, want := range map[string]int{"IDR": 0, "jpy": 0, "KWD": 3, "USD": 2, "EUR": 2, "": 2} {
		if got := CurrencyExponent(cur); got != want {
			t.Errorf("CurrencyExponent(%q) = %d, want %d", cur, got, want)
		}
	}
}

// The desk's own notation; every language's is tested in templates.
func TestPlainMoney(t *testing.T) {
	for _, c := range []struct {
		amount int64
		cur    string
		want   string
	}{
		{150000, "IDR", "IDR 150,000"},
		{-150000, "idr", "IDR -150,000"},
		{1205, "USD", "USD 12.05"},
		{-5, "USD", "USD -0.05"},
		{-1005, "KWD", "KWD -1.005"},
		{1250, "", "12.50"},
		{math.MinInt64, "IDR", "IDR -9,223,372,036,854,775,808"},
	} {
		if got := PlainMoney(c.amount, c.cur); got != c.want {
			t.Errorf("PlainMoney(%d, %q) = %q, want %q", c.amount, c.cur, got, c.want)
		}
	}
	if got := PlainCount(math.MinInt64); got != "-9,223,372,036,854,775,808" {
		t.Errorf("PlainCount(MinInt64) = %q", got)
	}
}
