package tickets_test

import (
	"errors"
	"math"
	"strings"
	"testing"

	"refunddesk/tickets"
)

func TestParseAmount(t *testing.T) {
	ok := []struct {
		in, cur string
		want    int64
	}{
		{"146.70", "USD", 14670},
		{"146.7", "USD", 14670},
		{"146", "usd", 14600},
		{" 12.50 ", "USD", 1250},
		{"0.01", "USD", 1},
		{"0", "USD", 0},
		{"007.5", "EUR", 750},
		{"15000", "IDR", 15000},
		{"1.234", "KWD", 1234},
		{"1.2", "KWD", 1200},
		{"92233720368547758.07", "USD", math.MaxInt64},
		{"9223372036854775807", "IDR", math.MaxInt64},
		{"12.5", "", 1250}, // unknown currency: two decimals
	}
	for _, c := range ok {
		got, err := tickets.ParseAmount(c.in, c.cur)
		if err != nil || got != c.want {
			t.Errorf("ParseAmount(%q, %q) = %d, %v; want %d", c.in, c.cur, got, err, c.want)
		}
	}
	bad := []struct{ in, cur, msg string }{
		{"12.505", "USD", `"12.505" has 3 decimals: USD amounts have at most 2 decimals, after a point, and no thousands separators (like 1250 or 1250.55)`},
		{"15.000", "IDR", `"15.000" has 3 decimals: IDR amounts are whole numbers, without decimals or thousands separators (like 150000)`},
		{"15000.00", "IDR", `"15000.00" has 2 decimals: IDR amounts are whole numbers`},
		{"1.000,50", "USD", `"1.000,50" is not an amount: USD amounts have at most 2 decimals`},
		{"1,000", "USD", `"1,000" is not an amount`},
		{"12,50", "EUR", `"12,50" is not an amount`},
		{"1.2345", "KWD", `KWD amounts have at most 3 decimals, after a point, and no thousands separators (like 1250 or 1250.555)`},
		{"", "USD", "no amount given: USD amounts"},
		{"  ", "IDR", "no amount given: IDR amounts are whole numbers"},
		{"-5", "USD", `"-5" is negative: an amount is zero or more`},
		{"-5.50", "USD", `"-5.50" is negative`},
		{"+5", "USD", `"+5" is not an amount`},
		{"12.", "USD", `"12." is not an amount`},
		{".5", "USD", `".5" is not an amount`},
		{"1e3", "USD", `"1e3" is not an amount`},
		{"USD 12.50", "USD", `"USD 12.50" is not an amount`},
		{"١٢", "USD", "is not an amount"},
		{"12\x00", "USD", "is not an amount"},
		{"92233720368547758.08", "USD", `"92233720368547758.08" is too large: at most 92233720368547758.07`},
		{"99999999999999999999", "IDR", "is too large"},
	}
	for _, c := range bad {
		got, err := tickets.ParseAmount(c.in, c.cur)
		if err == nil {
			t.Errorf("ParseAmount(%q, %q) = %d, want an error", c.in, c.cur, got)
			continue
		}
		var ve *tickets.ValidationError
		if !errors.As(err, &ve) || ve.Field != "amount" || !strings.HasPrefix(ve.Code, "amount.") {
			t.Errorf("ParseAmount(%q, %q): %v, want a problem of the amount", c.in, c.cur, err)
		}
		if msg := words(t).Error(tickets.LangEnglish, err); !strings.Contains(msg, c.msg) {
			t.Errorf("ParseAmount(%q, %q): %q, want it to contain %q", c.in, c.cur, msg, c.msg)
		}
	}
}

// Without the order's currency, the words say so; in Indonesian, that the
// decimals go after a point.
func TestAmountRuleWithoutCurrency(t *testing.T) {
	_, err := tickets.ParseAmount("", "")
	if msg := words(t).Error(tickets.LangEnglish, err); !strings.HasPrefix(msg, "amount: no amount given: the order's currency amounts have at most 2 decimals") {
		t.Errorf("ParseAmount(\"\", \"\") = %q", msg)
	}
	_, err = tickets.ParseAmount("12,50", "USD")
	want := `amount: "12,50" bukan jumlah uang: jumlah dalam USD ditulis dengan paling banyak 2 angka desimal setelah titik, tanpa pemisah ribuan (misalnya 1250 atau 1250.55)`
	if msg := words(t).Error(tickets.LangIndonesian, err); msg != want {
		t.Errorf("in Indonesian: %q, want %q", msg, want)
	}
}

func TestFormatAmountRoundTrips(t *testing.T) {
	cases := []struct {
		minor int64
		cur   string
		want  string
	}{
		{14670, "USD", "146.70"},
		{5, "USD", "0.05"},
		{0, "USD", "0.00"},
		{150000, "IDR", "150000"},
		{1234, "KWD", "1.234"},
		{-1250, "USD", "-12.50"},
		{math.MaxInt64, "USD", "92233720368547758.07"},
		{math.MinInt64, "IDR", "-9223372036854775808"},
	}
	for _, c := range cases {
		got := tickets.FormatAmount(c.minor, c.cur)
		if got != c.want {
			t.Errorf("FormatAmount(%d, %s) = %q, want %q", c.minor, c.cur, got, c.want)
		}
		if c.minor < 0 {
			continue
		}
		back, err := tickets.ParseAmount(got, c.cur)
		if err != nil || back != c.minor {
			t.Errorf("ParseAmount(FormatAmount(%d, %s)) = %d, %v", c.minor, c.cur, back, err)
		}
	}
}
