package templates

import (
	"math"
	"math/big"
	"strings"
	"testing"
	"time"

	"refunddesk/tickets"
)

// The formatting tests of tickets/format.go before money, counts and dates
// moved to the catalog: the same cases, written through it.

func TestFormatMoney(t *testing.T) {
	cat := newCatalogT(t)
	cases := []struct {
		amount int64
		cur    string
		en, id string
	}{
		{150000, "IDR", "IDR 150,000", "Rp150.000"},
		{0, "IDR", "IDR 0", "Rp0"},
		{999, "IDR", "IDR 999", "Rp999"},
		{1000, "idr", "IDR 1,000", "Rp1.000"},
		{1234567890, "IDR", "IDR 1,234,567,890", "Rp1.234.567.890"},
		{-150000, "IDR", "IDR -150,000", "-Rp150.000"},
		{1250, "USD", "USD 12.50", "USD 12,50"},
		{1205, "usd", "USD 12.05", "USD 12,05"},
		{5, "USD", "USD 0.05", "USD 0,05"},
		{123456789, "USD", "USD 1,234,567.89", "USD 1.234.567,89"},
		{-1250, "USD", "USD -12.50", "USD -12,50"},
		{-5, "USD", "USD -0.05", "USD -0,05"},
		{1500, "JPY", "JPY 1,500", "JPY 1.500"},
		{-1500, "JPY", "JPY -1,500", "JPY -1.500"},
		{1234567, "KWD", "KWD 1,234.567", "KWD 1.234,567"},
		{5, "KWD", "KWD 0.005", "KWD 0,005"},
		{-1005, "KWD", "KWD -1.005", "KWD -1,005"},
		{1250, "", "12.50", "12,50"},
		{9_000_000_000_000_000, "IDR", "IDR 9,000,000,000,000,000", "Rp9.000.000.000.000.000"},
		{math.MaxInt64, "USD", "USD 92,233,720,368,547,758.07", "USD 92.233.720.368.547.758,07"},
	}
	for _, c := range cases {
		if got := cat.Money(c.amount, c.cur, tickets.LangEnglish); got != c.en {
			t.Errorf("Money(%d, %q, en) = %q, want %q", c.amount, c.cur, got, c.en)
		}
		if got := cat.Money(c.amount, c.cur, tickets.LangIndonesian); got != c.id {
			t.Errorf("Money(%d, %q, id) = %q, want %q", c.amount, c.cur, got, c.id)
		}
		// The desk's own notation (audit trail, errors) is the English one.
		if got := tickets.PlainMoney(c.amount, c.cur); got != c.en {
			t.Errorf("tickets.PlainMoney(%d, %q) = %q, want %q", c.amount, c.cur, got, c.en)
		}
	}
	if got := cat.Money(150000, "IDR", "fr"); got != "IDR 150,000" {
		t.Errorf("another language = %q, want the English form", got)
	}
}

func TestFormatMoneyMinInt64(t *testing.T) {
	cat := newCatalogT(t)
	want := "IDR -9,223,372,036,854,775,808"
	if got := cat.Money(math.MinInt64, "IDR", tickets.LangEnglish); got != want {
		t.Fatalf("Money(math.MinInt64, IDR, en) = %q, want %q (negating MinInt64 overflows)", got, want)
	}
}

func TestFormatCount(t *testing.T) {
	cat := newCatalogT(t)
	cases := []struct {
		n      int64
		en, id string
	}{
		{0, "0", "0"},
		{7, "7", "7"},
		{999, "999", "999"},
		{1000, "1,000", "1.000"},
		{10000, "10,000", "10.000"},
		{123456, "123,456", "123.456"},
		{1234567, "1,234,567", "1.234.567"},
		{-1234, "-1,234", "-1.234"},
		{-999, "-999", "-999"},
		{1_000_000_000_000, "1,000,000,000,000", "1.000.000.000.000"},
		{math.MaxInt64, "9,223,372,036,854,775,807", "9.223.372.036.854.775.807"},
	}
	for _, c := range cases {
		if got := cat.Count(c.n, tickets.LangEnglish); got != c.en {
			t.Errorf("Count(%d, en) = %q, want %q", c.n, got, c.en)
		}
		if got := cat.Count(c.n, tickets.LangIndonesian); got != c.id {
			t.Errorf("Count(%d, id) = %q, want %q", c.n, got, c.id)
		}
		if got := tickets.PlainCount(c.n); got != c.en {
			t.Errorf("tickets.PlainCount(%d) = %q, want %q", c.n, got, c.en)
		}
	}
}

func TestFormatCountMinInt64(t *testing.T) {
	cat := newCatalogT(t)
	if got, want := cat.Count(math.MinInt64, tickets.LangEnglish), "-9,223,372,036,854,775,808"; got != want {
		t.Fatalf("Count(math.MinInt64, en) = %q, want %q (negating MinInt64 overflows)", got, want)
	}
}

func TestFormatDate(t *testing.T) {
	cat := newCatalogT(t)
	wib := time.FixedZone("WIB", 7*3600)
	cases := []struct {
		t      time.Time
		en, id string
	}{
		{time.Date(2026, 11, 5, 12, 0, 0, 0, time.UTC), "5 Nov 2026", "5 November 2026"},
		{time.Date(2026, 1, 31, 0, 0, 0, 0, time.UTC), "31 Jan 2026", "31 Januari 2026"},
		{time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC), "1 May 2026", "1 Mei 2026"},
		{time.Date(2026, 8, 17, 0, 0, 0, 0, time.UTC), "17 Aug 2026", "17 Agustus 2026"},
		{time.Date(2026, 12, 25, 0, 0, 0, 0, time.UTC), "25 Dec 2026", "25 Desember 2026"},
		{time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC), "1 Feb 2026", "1 Februari 2026"},
		{time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), "1 Mar 2026", "1 Maret 2026"},
		{time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC), "1 Jun 2026", "1 Juni 2026"},
		{time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC), "1 Jul 2026", "1 Juli 2026"},
		{time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), "1 Oct 2026", "1 Oktober 2026"},
		// The day is the UTC day.
		{time.Date(2026, 11, 5, 2, 0, 0, 0, wib), "4 Nov 2026", "4 November 2026"},
		// Years before 1000 as the old code wrote them: English padded to
		// four digits (Go's "2006"), Indonesian as a number.
		{time.Time{}, "1 Jan 0001", "1 Januari 1"},
		{time.Date(999, 12, 31, 0, 0, 0, 0, time.UTC), "31 Dec 0999", "31 Desember 999"},
		{time.Date(10000, 1, 2, 0, 0, 0, 0, time.UTC), "2 Jan 10000", "2 Januari 10000"},
	}
	for _, c := range cases {
		if got := cat.Date(c.t, tickets.LangEnglish); got != c.en {
			t.Errorf("Date(%v, en) = %q, want %q", c.t, got, c.en)
		}
		if got := cat.Date(c.t, tickets.LangIndonesian); got != c.id {
			t.Errorf("Date(%v, id) = %q, want %q", c.t, got, c.id)
		}
	}
}

// Percent in integers gives what exact rational arithmetic gives (the way
// it was written before): one decimal, halves away from zero, ".0" left
// out; and the same for values the integers cannot hold.
func TestFormatPercentExact(t *testing.T) {
	cat := newCatalogT(t)
	exact := func(part, whole int64) string {
		if whole == 0 {
			return "0%"
		}
		r := new(big.Rat).SetFrac(new(big.Int).Mul(big.NewInt(part), big.NewInt(100)), big.NewInt(whole))
		return strings.TrimSuffix(r.FloatString(1), ".0") + "%"
	}
	check := func(part, whole int64) {
		t.Helper()
		if got, want := cat.Percent(part, whole, tickets.LangEnglish), exact(part, whole); got != want {
			t.Errorf("Percent(%d, %d) = %q, want %q", part, whole, got, want)
		}
	}
	for whole := int64(0); whole <= 400; whole++ {
		for part := int64(0); part <= whole+20; part++ {
			check(part, whole)
		}
	}
	for _, c := range [][2]int64{{1, 2000}, {3, 2000}, {1, 16}, {-1, 3}, {1, -3}, {-5, -8}, {math.MaxInt64, math.MaxInt64},
		{math.MaxInt64 / 1000, 7}, {math.MaxInt64/1000 + 1, 7}, {math.MaxInt64, 3}, {math.MinInt64, 3}, {7, math.MaxInt64},
		{math.MaxInt64 / 1000, math.MaxInt64}, {math.MaxInt64 / 2000, math.MaxInt64 - 1}, {math.MaxInt64/1000 - 1, math.MaxInt64/2 + 7}} {
		check(c[0], c[1])
	}
	if got := cat.Percent(1, 16, tickets.LangIndonesian); got != "6,3%" {
		t.Errorf("Percent(1, 16, id) = %q", got)
	}
}
