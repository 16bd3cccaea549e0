package tickets

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
	"time"
)

// --- promotion and authorization exports ---

const promoHeader = "order_number,account,video_id,objective,amount,currency,payment_method,created_at,start_at,end_at,closed_at,status,promised_reach,delivered_reach,spend,incident,refunded"

// promoFields are the values of a good CSV row, by column.
func promoFields() map[string]string {
	return map[string]string{
		"order_number":    "7301234567890123456",
		"account":         "@ayu.creator",
		"video_id":        "7299000000000000001",
		"objective":       "views",
		"amount":          "150000",
		"currency":        "IDR",
		"payment_method":  "wallet",
		"created_at":      "2026-11-01T10:00:00Z",
		"start_at":        "2026-11-01T12:00:00Z",
		"end_at":          "2026-11-10T12:00:00Z",
		"closed_at":       "",
		"status":          "completed",
		"promised_reach":  "10000",
		"delivered_reach": "3000",
		"spend":           "150000",
		"incident":        "false",
		"refunded":        "0",
	}
}

// promoRow writes a CSV row in PromotionColumns order; over replaces values
// (written as given: the caller quotes what needs quoting).
func promoRow(over map[string]string) string {
	f := promoFields()
	for k, v := range over {
		f[k] = v
	}
	vals := make([]string, len(PromotionColumns))
	for i, c := range PromotionColumns {
		vals[i] = f[c]
	}
	return strings.Join(vals, ",")
}

// promoWithOrder is a good row with its own order number.
func promoWithOrder(order string) string { return promoRow(map[string]string{"order_number": order}) }

// wantPromotion is the record the good row reads as.
func wantPromotion() Promotion {
	return Promotion{
		OrderNumber:    "7301234567890123456",
		Account:        "@ayu.creator",
		VideoID:        "7299000000000000001",
		Objective:      "views",
		Amount:         150000,
		Currency:       "IDR",
		PaymentMethod:  "wallet",
		CreatedAt:      time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC),
		StartAt:        evalTimePtr(time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)),
		EndAt:          evalTimePtr(time.Date(2026, 11, 10, 12, 0, 0, 0, time.UTC)),
		Status:         PromoCompleted,
		PromisedReach:  10000,
		DeliveredReach: 3000,
		Spend:          150000,
	}
}

// readAll drains a source: the rows it yielded, and Err.
func readAll[T any](s *RowSource[T]) ([]T, error) {
	var rows []T
	for s.Next() {
		rows = append(rows, s.Row())
	}
	return rows, s.Err()
}

func promoLines(rows []PromotionRow) []int {
	var out []int
	for _, r := range rows {
		out = append(out, r.Line)
	}
	return out
}

// readPromotions reads data with the given options, turning a panic into an
// error so that one bad input cannot stop the whole suite.
func readPromotions(data string, opt ImportOptions) (rows []PromotionRow, src *RowSource[PromotionRow], err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	src, err = NewPromotionSource(strings.NewReader(data), opt)
	if err != nil {
		return nil, nil, err
	}
	rows, err = readAll(src)
	return rows, src, err
}

func csvLines(ls ...string) string { return strings.Join(ls, "\n") + "\n" }

func TestRecordsPromotionCSVGoodRow(t *testing.T) {
	rows, src, err := readPromotions(csvLines(promoHeader, promoRow(nil)), ImportOptions{File: "p.csv"})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 {
		t.Fatalf("%d rows, want 1", len(rows))
	}
	if rows[0].Line != 2 {
		t.Errorf("Line = %d, want 2", rows[0].Line)
	}
	if !reflect.DeepEqual(rows[0].Promotion, wantPromotion()) {
		t.Errorf("promotion =\n  %+v\nwant\n  %+v", rows[0].Promotion, wantPromotion())
	}
	if len(rows[0].Hash) != 32 {
		t.Errorf("Hash = %q, want 32 hex digits", rows[0].Hash)
	}
	if src.Read() != 1 || src.File() != "p.csv" || src.SkipInvalid() {
		t.Errorf("Read, File, SkipInvalid = %d, %q, %v", src.Read(), src.File(), src.SkipInvalid())
	}
	if bad, total := src.Skipped(); len(bad) != 0 || total != 0 {
		t.Errorf("Skipped = %v, %d", bad, total)
	}
}

// TestRecordsPromotionValues covers the values a row may hold and how they
// are normalised.
func TestRecordsPromotionValues(t *testing.T) {
	cases := []struct {
		name   string
		over   map[string]string
		change func(*Promotion)
	}{
		{"lower-case currency", map[string]string{"currency": "idr"}, func(p *Promotion) {}},
		{"USD", map[string]string{"currency": "usd", "amount": "1250"}, func(p *Promotion) { p.Currency, p.Amount = "USD", 1250 }},
		{"account without @", map[string]string{"account": "ayu.creator"}, func(p *Promotion) {}},
		{"account keeps its case", map[string]string{"account": "@Ayu.Creator"}, func(p *Promotion) { p.Account = "@Ayu.Creator" }},
		{"status in capitals", map[string]string{"status": "COMPLETED"}, func(p *Promotion) {}},
		{"status with spaces", map[string]string{"status": "Stopped By Platform"}, func(p *Promotion) { p.Status = PromoStoppedByPlatform }},
		{"every status: in_review", map[string]string{"status": "in_review"}, func(p *Promotion) { p.Status = PromoInReview }},
		{"every status: rejected", map[string]string{"status": "rejected"}, func(p *Promotion) { p.Status = PromoRejected }},
		{"every status: running", map[string]string{"status": "running"}, func(p *Promotion) { p.Status = PromoRunning }},
		{"every status: closed", map[string]string{"status": "closed"}, func(p *Promotion) { p.Status = PromoClosed }},
		{"incident TRUE", map[string]string{"incident": "TRUE"}, func(p *Promotion) { p.Incident = true }},
		{"incident 1", map[string]string{"incident": "1"}, func(p *Promotion) { p.Incident = true }},
		{"incident empty", map[string]string{"incident": ""}, func(p *Promotion) {}},
		{"time with an offset is UTC", map[string]string{"created_at": "2026-11-01T17:00:00+07:00"}, func(p *Promotion) {}},
		{"time to the microsecond", map[string]string{"closed_at": "2026-11-05T01:02:03.1234567Z"}, func(p *Promotion) {
			p.ClosedAt = evalTimePtr(time.Date(2026, 11, 5, 1, 2, 3, 123456000, time.UTC))
		}},
		{"spaces around values", map[string]string{"amount": " 150000 ", "order_number": " 7301234567890123456", "currency": "IDR "}, func(p *Promotion) {}},
		{"optional values empty", map[string]string{
			"video_id": "", "objective": "", "payment_method": "", "start_at": "", "end_at": "",
			"promised_reach": "", "delivered_reach": "", "spend": "", "refunded": "",
		}, func(p *Promotion) {
			p.VideoID, p.Objective, p.PaymentMethod = "", "", ""
			p.StartAt, p.EndAt = nil, nil
			p.PromisedReach, p.DeliveredReach, p.Spend = 0, 0, 0
		}},
		{"objective and payment in capitals", map[string]string{"objective": "Profile Visits", "payment_method": "CARD"}, func(p *Promotion) {
			p.Objective, p.PaymentMethod = "profile_visits", "card"
		}},
		{"the largest amount", map[string]string{"amount": "9223372036854775807"}, func(p *Promotion) { p.Amount = math.MaxInt64 }},
		{"a quoted field with a comma", map[string]string{"video_id": `"https://example.com/v?a=1,b=2"`}, func(p *Promotion) {
			p.VideoID = "https://example.com/v?a=1,b=2"
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rows, _, err := readPromotions(csvLines(promoHeader, promoRow(c.over)), ImportOptions{File: "p.csv"})
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != 1 {
				t.Fatalf("%d rows", len(rows))
			}
			want := wantPromotion()
			c.change(&want)
			if !reflect.DeepEqual(rows[0].Promotion, want) {
				t.Errorf("promotion =\n  %+v\nwant\n  %+v", rows[0].Promotion, want)
			}
		})
	}
}

// TestRecordsPromotionBadValues: each bad value is reported as file:line:
// reason, the import is refused, and with SkipInvalid only that row is left out.
func TestRecordsPromotionBadValues(t *testing.T) {
	statuses := "in_review, rejected, running, closed, completed, stopped_by_platform"
	cases := []struct {
		name string
		over map[string]string
		msg  string
	}{
		{"bad number", map[string]string{"amount": "abc"}, `amount: "abc" is not a whole number`},
		{"decimal number", map[string]string{"amount": "1500.00"}, `amount: "1500.00" is not a whole number`},
		{"number too big", map[string]string{"amount": "9223372036854775808"}, `amount: "9223372036854775808" is not a whole number`},
		{"negative amount", map[string]string{"amount": "-5"}, `amount: -5 is negative`},
		{"empty amount", map[string]string{"amount": ""}, `amount: empty`},
		{"negative spend", map[string]string{"spend": "-1"}, `spend: -1 is negative`},
		{"negative refunded", map[string]string{"refunded": "-100"}, `refunded: -100 is negative`},
		{"bad reach", map[string]string{"promised_reach": "lots"}, `promised_reach: "lots" is not a whole number`},
		{"negative reach", map[string]string{"delivered_reach": "-3"}, `delivered_reach: -3 is negative`},
		{"bad time", map[string]string{"created_at": "2026-11-01"}, `created_at: "2026-11-01" is not an RFC 3339 time (like 2026-11-01T08:00:00Z)`},
		{"bad end time", map[string]string{"end_at": "tomorrow"}, `end_at: "tomorrow" is not an RFC 3339 time (like 2026-11-01T08:00:00Z)`},
		{"time without a zone", map[string]string{"start_at": "2026-11-01T12:00:00"}, `start_at: "2026-11-01T12:00:00" is not an RFC 3339 time (like 2026-11-01T08:00:00Z)`},
		{"empty created_at", map[string]string{"created_at": ""}, `created_at: empty`},
		{"unknown status", map[string]string{"status": "done"}, `status: "done" is not one of ` + statuses},
		{"empty status", map[string]string{"status": ""}, `status: empty`},
		{"empty order number", map[string]string{"order_number": ""}, `order_number: empty`},
		{"non-digit order number", map[string]string{"order_number": "7301ABC"}, `order_number: "7301ABC" is not an order number (digits only)`},
		{"order number with a dash", map[string]string{"order_number": "7301-2345"}, `order_number: "7301-2345" is not an order number (digits only)`},
		{"order number with a space", map[string]string{"order_number": "7301 2345"}, `order_number: "7301 2345" is not an order number (digits only)`},
		{"order number in float notation", map[string]string{"order_number": "7.301234567890124e+18"}, `order_number: "7.301234567890124e+18" is not an order number (digits only)`},
		{"empty account", map[string]string{"account": ""}, `account: empty`},
		{"bad account", map[string]string{"account": "ayu creator"}, `account: "ayu creator" is not an account name`},
		{"two-letter currency", map[string]string{"currency": "RP"}, `currency: "RP" is not a three-letter currency code`},
		{"currency with a symbol", map[string]string{"currency": "US$"}, `currency: "US$" is not a three-letter currency code`},
		{"currency as a word", map[string]string{"currency": "rupiah"}, `currency: "rupiah" is not a three-letter currency code`},
		{"empty currency", map[string]string{"currency": ""}, `currency: empty`},
		{"bad incident", map[string]string{"incident": "maybe"}, `incident: "maybe" is not true or false`},
		{"bad objective", map[string]string{"objective": "likes"}, `objective: "likes" is not one of views, followers, profile_visits, website_visits, purchases`},
		{"bad payment method", map[string]string{"payment_method": "cash"}, `payment_method: "cash" is not one of wallet, coins, card`},
		{"several problems, in column order", map[string]string{"amount": "x", "currency": "RP", "status": "done"},
			`amount: "x" is not a whole number; currency: "RP" is not a three-letter currency code; status: "done" is not one of ` + statuses},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			data := csvLines(promoHeader, promoWithOrder("1001"), promoRow(c.over), promoWithOrder("1003"))

			rows, _, err := readPromotions(data, ImportOptions{File: "p.csv"})
			var ie *ImportErrors
			if !errors.As(err, &ie) {
				t.Fatalf("err = %v, want *ImportErrors", err)
			}
			want := []LineError{{File: "p.csv", Line: 3, Reason: c.msg}}
			if got := worded(t, ie.Errors); ie.Total != 1 || !reflect.DeepEqual(got, want) {
				t.Errorf("ImportErrors = %+v, want %+v", got, want)
			}
			if got, wantS := englishImport(t, ie), "1 bad row(s), nothing imported:\n  p.csv:3: "+c.msg; got != wantS {
				t.Errorf("in words =\n%s\nwant\n%s", got, wantS)
			}
			// Nothing after the bad row is yielded.
			if got := promoLines(rows); !slices.Equal(got, []int{2}) {
				t.Errorf("rows yielded at lines %v, want [2] (none after the bad row)", got)
			}

			rows, src, err := readPromotions(data, ImportOptions{File: "p.csv", SkipInvalid: true})
			if err != nil {
				t.Fatalf("with SkipInvalid: %v", err)
			}
			if got := promoLines(rows); !slices.Equal(got, []int{2, 4}) {
				t.Errorf("with SkipInvalid: rows at lines %v, want [2 4]", got)
			}
			if bad, total := src.Skipped(); total != 1 || !reflect.DeepEqual(worded(t, bad), want) {
				t.Errorf("Skipped = %+v, %d; want %+v, 1", worded(t, bad), total, want)
			}
		})
	}
}

// TestRecordsCSVRows covers rows the CSV reader itself cannot read, and the
// line numbers of rows after multi-line quoted fields.
func TestRecordsCSVRows(t *testing.T) {
	header := promoHeader + ",note"
	row := func(order, note string) string { return promoWithOrder(order) + "," + note }
	cases := []struct {
		name  string
		data  string
		lines []int       // rows yielded with SkipInvalid
		bad   []LineError // File is always p.csv
		bug   string
	}{
		{
			name:  "multi-line quoted field",
			data:  csvLines(header, row("1", `"first line`), `second line`, `third line"`, row("2", "plain")),
			lines: []int{2, 5},
		},
		{
			name:  "a bad row after a multi-line field",
			data:  csvLines(header, row("1", `"a`), `b"`, row("x2", ""), row("3", "")),
			lines: []int{2, 5},
			bad:   []LineError{{Line: 4, Reason: `order_number: "x2" is not an order number (digits only)`}},
		},
		{
			name:  "a multi-line row that is bad is reported at its first line",
			data:  csvLines(header, row("1", ""), promoRow(map[string]string{"amount": "-1"})+`,"one`, `two`, `three"`, row("3", "")),
			lines: []int{2, 6},
			bad:   []LineError{{Line: 3, Reason: "amount: -1 is negative"}},
		},
		{
			name:  "too few fields",
			data:  csvLines(header, row("1", ""), promoWithOrder("2"), row("3", "")),
			lines: []int{2, 4},
			bad:   []LineError{{Line: 3, Reason: "17 fields, the header has 18"}},
		},
		{
			name:  "too many fields",
			data:  csvLines(header, row("1", ""), row("2", "a,b"), row("3", "")),
			lines: []int{2, 4},
			bad:   []LineError{{Line: 3, Reason: "19 fields, the header has 18"}},
		},
		{
			name:  "bad quoting after a quoted field",
			data:  csvLines(header, row("1", ""), row("2", `"quoted"junk`), row("3", "")),
			lines: []int{2, 4},
			bad:   []LineError{{Line: 3, Reason: `cannot read the row: extraneous or missing " in quoted-field`}},
		},
		{
			name:  "a bare quote in a later field",
			data:  csvLines(header, row("1", ""), promoRow(map[string]string{"account": `ay"u`})+",", row("3", "")),
			lines: []int{2, 4},
			bad:   []LineError{{Line: 3, Reason: `cannot read the row: bare " in non-quoted-field`}},
		},
		{
			name:  "a bare quote in the first field",
			data:  csvLines(header, row("1", ""), promoRow(map[string]string{"order_number": `73"01`})+",", row("3", "")),
			lines: []int{2, 4},
			bad:   []LineError{{Line: 3, Reason: `cannot read the row: bare " in non-quoted-field`}},
			bug:   "records.go csvReader.next: FieldPos(0) is called before the parse error is checked and panics when the first field is the bad one",
		},
		{
			name:  "bad quoting in the first field",
			data:  csvLines(header, row("1", ""), promoRow(map[string]string{"order_number": `"7301"x`})+",", row("3", "")),
			lines: []int{2, 4},
			bad:   []LineError{{Line: 3, Reason: `cannot read the row: extraneous or missing " in quoted-field`}},
			bug:   "records.go csvReader.next: FieldPos(0) is called before the parse error is checked and panics when the first field is the bad one",
		},
		{
			name:  "a quote never closed, in the last field",
			data:  csvLines(header, row("1", ""), row("2", `"never closed`), row("3", "")),
			lines: []int{2},
			bad:   []LineError{{Line: 3, Reason: `cannot read the row: extraneous or missing " in quoted-field`}},
			bug:   "records.go csvReader.next: a parse error is reported at csv.ParseError.Line (where the reader stopped, here the end of the file) instead of StartLine (where the bad row and its unclosed quote begin)",
		},
		{
			name:  "blank lines are skipped and counted",
			data:  csvLines(header, "", row("1", ""), "", "", row("2", ""), "   ", promoRow(map[string]string{"amount": "x"})+","),
			lines: []int{3, 6},
			bad:   []LineError{{Line: 8, Reason: `amount: "x" is not a whole number`}},
		},
		{
			name:  "CRLF line ends",
			data:  strings.ReplaceAll(csvLines(header, row("1", ""), row("x", ""), row("3", "")), "\n", "\r\n"),
			lines: []int{2, 4},
			bad:   []LineError{{Line: 3, Reason: `order_number: "x" is not an order number (digits only)`}},
		},
		{
			name:  "no final newline",
			data:  header + "\n" + row("1", "") + "\n" + row("2", ""),
			lines: []int{2, 3},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var problems []string
			rows, src, err := readPromotions(c.data, ImportOptions{File: "p.csv", SkipInvalid: true})
			if err != nil {
				problems = append(problems, fmt.Sprintf("with SkipInvalid: %v", err))
			} else {
				if got := promoLines(rows); !slices.Equal(got, c.lines) {
					problems = append(problems, fmt.Sprintf("rows at lines %v, want %v", got, c.lines))
				}
				want := slices.Clone(c.bad)
				for i := range want {
					want[i].File = "p.csv"
				}
				if bad, total := src.Skipped(); total != len(want) || !reflect.DeepEqual(worded(t, bad), want) && len(want) > 0 {
					problems = append(problems, fmt.Sprintf("Skipped = %+v (%d), want %+v", bad, total, want))
				}
			}
			_, _, err = readPromotions(c.data, ImportOptions{File: "p.csv"})
			if len(c.bad) == 0 && err != nil {
				problems = append(problems, fmt.Sprintf("refusing: err = %v, want none", err))
			}
			if len(c.bad) > 0 {
				var ie *ImportErrors
				if !errors.As(err, &ie) || ie.Total != len(c.bad) {
					problems = append(problems, fmt.Sprintf("refusing: err = %v, want *ImportErrors with %d row(s)", err, len(c.bad)))
				}
			}
			if len(problems) == 0 {
				return
			}
			msg := strings.Join(problems, "\n")
			if c.bug != "" {
				t.Fatalf("%s\n%s", c.bug, msg)
			}
			t.Error(msg)
		})
	}
}

func TestRecordsCSVHeader(t *testing.T) {
	required := "order_number, account, amount, currency, created_at, status"
	good := promoRow(nil)
	cases := []struct {
		name string
		data string
		err  string // "" = reads the good row
		bug  string
	}{
		{name: "plain", data: csvLines(promoHeader, good)},
		{name: "byte order mark", data: csvLines("\ufeff"+promoHeader, good)},
		{name: "byte order mark before a quoted header", data: csvLines("\ufeff"+`"order_number","account","video_id","objective","amount","currency","payment_method","created_at","start_at","end_at","closed_at","status","promised_reach","delivered_reach","spend","incident","refunded"`, good),
			bug: "records.go newCSVReader: the BOM is stripped from the first header field after CSV parsing, so a BOM before a quoted header is a bare-quote error"},
		{name: "upper case and spaces", data: csvLines(strings.ToUpper(strings.ReplaceAll(promoHeader, ",", " , ")), good)},
		{name: "unknown columns are ignored", data: csvLines("note,"+promoHeader+",extra,extra", "x,"+good+",y,z")},
		{name: "columns in another order", data: csvLines(
			"status,currency,amount,account,order_number,created_at,end_at,start_at,video_id,objective,payment_method,closed_at,promised_reach,delivered_reach,spend,incident,refunded",
			"completed,IDR,150000,@ayu.creator,7301234567890123456,2026-11-01T10:00:00Z,2026-11-10T12:00:00Z,2026-11-01T12:00:00Z,7299000000000000001,views,wallet,,10000,3000,150000,false,0")},
		{name: "missing required columns", data: csvLines("order_number,account,created_at,status", "1,@a,2026-11-01T10:00:00Z,completed"),
			err: fmt.Sprintf("p.csv: header.missing (Missing=%q Required=%q)", "amount, currency", required)},
		{name: "missing order_number", data: csvLines("account,amount,currency,created_at,status", "@a,1,IDR,2026-11-01T10:00:00Z,completed"),
			err: fmt.Sprintf("p.csv: header.missing (Missing=%q Required=%q)", "order_number", required)},
		{name: "a column twice", data: csvLines(promoHeader+",Amount", good+",1"),
			err: `p.csv: header.duplicate (Column="amount")`},
		{name: "empty file", data: "",
			err: fmt.Sprintf("p.csv: header.empty (Columns=%q)", strings.Join(PromotionColumns, ", "))},
		{name: "header with a bad quote", data: csvLines(`order_number,"account`, good),
			err: `p.csv: header.unreadable (Error="`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var problems []string
			rows, _, err := readPromotions(c.data, ImportOptions{File: "p.csv"})
			switch {
			case c.err == "" && err != nil:
				problems = append(problems, fmt.Sprintf("err = %v", err))
			case c.err == "" && (len(rows) != 1 || !reflect.DeepEqual(rows[0].Promotion, wantPromotion())):
				problems = append(problems, fmt.Sprintf("rows = %+v, want the good row", rows))
			case c.err != "":
				var ve *ValidationError
				if !errors.As(err, &ve) || ve.Field != "p.csv" || !strings.HasPrefix(err.Error(), c.err) {
					problems = append(problems, fmt.Sprintf("err = %v, want a validation error on p.csv: %q", err, c.err))
				}
			}
			if len(problems) == 0 {
				return
			}
			msg := strings.Join(problems, "\n")
			if c.bug != "" {
				t.Fatalf("%s\n%s", c.bug, msg)
			}
			t.Error(msg)
		})
	}
	t.Run("only the required columns", func(t *testing.T) {
		rows, _, err := readPromotions(csvLines("order_number,account,amount,currency,created_at,status", "1,ayu,5,usd,2026-11-01T10:00:00Z,running"), ImportOptions{File: "p.csv"})
		if err != nil {
			t.Fatal(err)
		}
		want := Promotion{OrderNumber: "1", Account: "@ayu", Amount: 5, Currency: "USD",
			CreatedAt: time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC), Status: PromoRunning}
		if len(rows) != 1 || !reflect.DeepEqual(rows[0].Promotion, want) {
			t.Errorf("rows = %+v, want %+v", rows, want)
		}
	})
}

func TestRecordsJSONL(t *testing.T) {
	good := `{"order_number": 7301234567890123456, "account": "@ayu.creator", "video_id": "7299000000000000001", "objective": "views", "amount": 150000, "currency": "IDR", "payment_method": "wallet", "created_at": "2026-11-01T10:00:00Z", "start_at": "2026-11-01T12:00:00Z", "end_at": "2026-11-10T12:00:00Z", "closed_at": null, "status": "completed", "promised_reach": 10000, "delivered_reach": 3000, "spend": 150000, "incident": false, "refunded": 0}`
	withOrder := func(o string) string {
		return strings.Replace(good, "7301234567890123456", o, 1)
	}
	t.Run("a good line keeps all 19 digits of a JSON number", func(t *testing.T) {
		rows, _, err := readPromotions(good+"\n", ImportOptions{File: "p.jsonl"})
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 1 || rows[0].Line != 1 {
			t.Fatalf("rows = %+v", rows)
		}
		if !reflect.DeepEqual(rows[0].Promotion, wantPromotion()) {
			t.Errorf("promotion =\n  %+v\nwant\n  %+v", rows[0].Promotion, wantPromotion())
		}
	})
	t.Run("same record, same hash as CSV", func(t *testing.T) {
		j, _, err := readPromotions(good, ImportOptions{File: "p.ndjson"})
		if err != nil {
			t.Fatal(err)
		}
		c, _, err := readPromotions(csvLines(promoHeader, promoRow(nil)), ImportOptions{File: "p.csv"})
		if err != nil {
			t.Fatal(err)
		}
		if len(j) != 1 || len(c) != 1 || j[0].Hash != c[0].Hash {
			t.Errorf("hashes differ: %+v vs %+v", j, c)
		}
		changed, _, _ := readPromotions(csvLines(promoHeader, promoRow(map[string]string{"refunded": "1"})), ImportOptions{File: "p.csv"})
		if len(changed) != 1 || changed[0].Hash == c[0].Hash {
			t.Errorf("a changed record keeps its hash")
		}
	})
	t.Run("other spellings of a line", func(t *testing.T) {
		for name, line := range map[string]string{
			"order number as a string": strings.Replace(good, "7301234567890123456", `"7301234567890123456"`, 1),
			"keys in capitals":         strings.Replace(strings.Replace(good, `"order_number"`, `"Order_Number"`, 1), `"amount"`, `"AMOUNT"`, 1),
			"unknown keys":             strings.Replace(good, "{", `{"note": "hi", "extra": 1, `, 1),
			"amount as a string":       strings.Replace(good, `"amount": 150000`, `"amount": "150000"`, 1),
			"incident as a string":     strings.Replace(good, `"incident": false`, `"incident": "false"`, 1),
			"optional keys left out":   strings.Replace(good, `"closed_at": null, `, "", 1),
			"spaces around the line":   "  \t" + good + "  ",
		} {
			rows, _, err := readPromotions(line+"\n", ImportOptions{File: "p.jsonl"})
			if err != nil {
				t.Errorf("%s: %v", name, err)
				continue
			}
			if len(rows) != 1 || !reflect.DeepEqual(rows[0].Promotion, wantPromotion()) {
				t.Errorf("%s: rows = %+v", name, rows)
			}
		}
		rows, _, err := readPromotions(strings.Replace(good, `"incident": false`, `"incident": true`, 1), ImportOptions{File: "p.jsonl"})
		if err != nil || len(rows) != 1 || !rows[0].Promotion.Incident {
			t.Errorf("incident true: %+v, %v", rows, err)
		}
	})
	bad := []struct {
		name string
		line string
		msg  string // exact, or the prefix when it ends in "…"
	}{
		{"not JSON", `{"order_number": `, "not a JSON object: …"},
		{"plain text", `order_number=1`, "not a JSON object: …"},
		{"an array", `[1, 2]`, "not a JSON object: …"},
		{"two values", `{"a": 1} {"b": 2}`, "more than one JSON value on the line"},
		{"missing keys", `{"order_number": 1, "account": "@a", "created_at": "2026-11-01T10:00:00Z", "status": "completed"}`, "missing amount, currency"},
		{"a nested value", strings.Replace(good, `"video_id": "7299000000000000001"`, `"video_id": {"id": 1}`, 1), "video_id: want a string, number or boolean"},
		{"an array value", strings.Replace(good, `"video_id": "7299000000000000001"`, `"video_id": [1]`, 1), "video_id: want a string, number or boolean"},
		{"a fraction", strings.Replace(good, `"amount": 150000`, `"amount": 1.5`, 1), `amount: "1.5" is not a whole number`},
		{"an exponent", strings.Replace(good, `"amount": 150000`, `"amount": 1.5e5`, 1), `amount: "1.5e5" is not a whole number`},
		{"null for a required value", strings.Replace(good, `"amount": 150000`, `"amount": null`, 1), `amount: empty`},
		{"order number in float notation", strings.Replace(good, "7301234567890123456", "7.301234567890124e18", 1), `order_number: "7.301234567890124e18" is not an order number (digits only)`},
		{"a negative order number", strings.Replace(good, "7301234567890123456", "-7301", 1), `order_number: "-7301" is not an order number (digits only)`},
		{"a boolean as a number", strings.Replace(good, `"spend": 150000`, `"spend": true`, 1), `spend: "true" is not a whole number`},
		{"bad incident", strings.Replace(good, `"incident": false`, `"incident": "yes"`, 1), `incident: "yes" is not true or false`},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			// line 1 good, line 2 blank, line 3 bad, line 4 good
			data := withOrder("1001") + "\n\n" + c.line + "\n" + withOrder("1004") + "\n"
			rows, _, err := readPromotions(data, ImportOptions{File: "p.jsonl"})
			var ie *ImportErrors
			if !errors.As(err, &ie) || ie.Total != 1 || len(ie.Errors) != 1 {
				t.Fatalf("err = %v, want *ImportErrors with one row", err)
			}
			le := ie.Errors[0]
			if le.File != "p.jsonl" || le.Line != 3 {
				t.Errorf("at %s:%d, want p.jsonl:3", le.File, le.Line)
			}
			reason := englishRow(t, le)
			if p, ok := strings.CutSuffix(c.msg, "…"); ok {
				if !strings.HasPrefix(reason, p) || len(reason) == len(p) {
					t.Errorf("reason = %q, want %q and the decoder's words", reason, p)
				}
			} else if reason != c.msg {
				t.Errorf("reason = %q, want %q", reason, c.msg)
			}
			if !strings.HasPrefix(le.String(), "p.jsonl:3: ") {
				t.Errorf("String() = %q", le.String())
			}
			if got := promoLines(rows); !slices.Equal(got, []int{1}) {
				t.Errorf("rows at %v, want [1]", got)
			}
			rows, _, err = readPromotions(data, ImportOptions{File: "p.jsonl", SkipInvalid: true})
			if err != nil {
				t.Fatal(err)
			}
			if got := promoLines(rows); !slices.Equal(got, []int{1, 4}) {
				t.Errorf("with SkipInvalid: rows at %v, want [1 4]", got)
			}
		})
	}
	t.Run("CRLF and no final newline", func(t *testing.T) {
		data := withOrder("1") + "\r\n\r\n" + withOrder("3")
		rows, _, err := readPromotions(data, ImportOptions{File: "p.jsonl"})
		if err != nil {
			t.Fatal(err)
		}
		if got := promoLines(rows); !slices.Equal(got, []int{1, 3}) {
			t.Errorf("rows at %v, want [1 3]", got)
		}
	})
	t.Run("empty file", func(t *testing.T) {
		rows, _, err := readPromotions("", ImportOptions{File: "p.jsonl"})
		if err != nil || len(rows) != 0 {
			t.Errorf("rows, err = %v, %v; want none", rows, err)
		}
	})
}

func TestRecordsRefuseAll(t *testing.T) {
	var ls []string
	ls = append(ls, promoHeader, promoWithOrder("1")) // line 2 good
	for i := 0; i < 60; i++ {                         // lines 3..62 bad
		ls = append(ls, promoRow(map[string]string{"order_number": fmt.Sprint(100 + i), "amount": "x"}))
	}
	ls = append(ls, promoWithOrder("2")) // line 63 good
	data := csvLines(ls...)

	rows, src, err := readPromotions(data, ImportOptions{File: "big.csv"})
	var ie *ImportErrors
	if !errors.As(err, &ie) {
		t.Fatalf("err = %v, want *ImportErrors", err)
	}
	if ie.Total != 60 || len(ie.Errors) != MaxListedErrors {
		t.Errorf("Total = %d, listed %d; want 60 and %d", ie.Total, len(ie.Errors), MaxListedErrors)
	}
	if ie.Errors[0].Line != 3 || ie.Errors[len(ie.Errors)-1].Line != 52 {
		t.Errorf("listed lines %d..%d, want 3..52", ie.Errors[0].Line, ie.Errors[len(ie.Errors)-1].Line)
	}
	msg := englishImport(t, ie)
	if !strings.HasPrefix(msg, "60 bad row(s), nothing imported:\n  big.csv:3: amount: \"x\" is not a whole number\n") {
		t.Errorf("Error() starts %q", msg[:min(len(msg), 120)])
	}
	if !strings.HasSuffix(msg, "\n  big.csv:52: amount: \"x\" is not a whole number\n  … and 10 more") {
		t.Errorf("Error() ends %q", msg[max(0, len(msg)-120):])
	}
	if got := promoLines(rows); !slices.Equal(got, []int{2}) {
		t.Errorf("rows yielded at %v, want [2]: nothing after the first bad row", got)
	}
	if src.Read() != 62 {
		t.Errorf("Read = %d, want 62 data rows", src.Read())
	}

	rows, src, err = readPromotions(data, ImportOptions{File: "big.csv", SkipInvalid: true})
	if err != nil {
		t.Fatalf("with SkipInvalid: %v", err)
	}
	if got := promoLines(rows); !slices.Equal(got, []int{2, 63}) {
		t.Errorf("with SkipInvalid: rows at %v, want [2 63]", got)
	}
	if bad, total := src.Skipped(); total != 60 || len(bad) != MaxListedErrors {
		t.Errorf("Skipped = %d listed, %d total; want %d, 60", len(bad), total, MaxListedErrors)
	}
	if !src.SkipInvalid() {
		t.Error("SkipInvalid() = false")
	}

	// Exactly MaxListedErrors bad rows: no "more" line.
	few := (&ImportErrors{Errors: make([]LineError, 2), Total: 2}).Error()
	if strings.Contains(few, "More") {
		t.Errorf("Error() with all rows listed says more: %q", few)
	}
}

func TestRecordsReadError(t *testing.T) {
	boom := errors.New("disk gone")
	for _, c := range []struct{ file, data string }{
		{"p.csv", csvLines(promoHeader, promoRow(nil))},
		{"p.jsonl", `{"order_number": "1", "account": "a", "amount": 1, "currency": "IDR", "created_at": "2026-11-01T10:00:00Z", "status": "running"}` + "\n"},
	} {
		src, err := NewPromotionSource(io.MultiReader(strings.NewReader(c.data), iotest.ErrReader(boom)), ImportOptions{File: c.file})
		if err != nil {
			t.Fatalf("%s: %v", c.file, err)
		}
		_, err = readAll(src)
		if !errors.Is(err, boom) {
			t.Errorf("%s: err = %v, want it to wrap the read error", c.file, err)
		}
		var ie *ImportErrors
		if errors.As(err, &ie) {
			t.Errorf("%s: a read error is reported as bad rows", c.file)
		}
		if err != nil && !strings.HasPrefix(err.Error(), c.file+": ") {
			t.Errorf("%s: err %q does not name the file", c.file, err)
		}
	}
}

func TestRecordsProgress(t *testing.T) {
	data := csvLines(promoHeader, promoWithOrder("1"), promoWithOrder("2"), promoWithOrder("3"))
	var calls [][2]int64
	src, err := NewPromotionSource(strings.NewReader(data), ImportOptions{File: "p.csv",
		Progress: func(rows int, bytes int64) { calls = append(calls, [2]int64{int64(rows), bytes}) }})
	if err != nil {
		t.Fatal(err)
	}
	rows, err := readAll(src)
	if err != nil || len(rows) != 3 {
		t.Fatalf("rows, err = %d, %v", len(rows), err)
	}
	if len(calls) == 0 {
		t.Fatal("Progress was never called")
	}
	if last := calls[len(calls)-1]; last != [2]int64{3, int64(len(data))} {
		t.Errorf("last progress = %v, want [3 %d]", last, len(data))
	}
}

func TestRecordsFormats(t *testing.T) {
	data := csvLines(promoHeader, promoRow(nil))
	cases := []struct {
		name string
		opt  ImportOptions
		err  string // "" = reads one row
	}{
		{"from the name", ImportOptions{File: "p.CSV"}, ""},
		{"explicit format over the name", ImportOptions{File: "p.txt", Format: FormatCSV}, ""},
		{"no format, unknown name", ImportOptions{File: "p.txt"}, `format: format.unknown_extension (Name="p.txt")`},
		{"no format, no name", ImportOptions{}, `format: format.unknown_extension (Name="")`},
		{"unknown format", ImportOptions{File: "p.csv", Format: "xml"}, `format: format.unknown (Value="xml")`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rows, _, err := readPromotions(data, c.opt)
			if c.err == "" {
				if err != nil || len(rows) != 1 {
					t.Errorf("rows, err = %d, %v", len(rows), err)
				}
				return
			}
			if err == nil || !strings.HasPrefix(err.Error(), c.err) || !IsValidation(err) {
				t.Errorf("err = %v, want a validation error %q", err, c.err)
			}
		})
	}
}

func TestFormatFromName(t *testing.T) {
	cases := map[string]string{
		"promotions.csv":     FormatCSV,
		"PROMOTIONS.CSV":     FormatCSV,
		"dir/p.csv.gz":       FormatCSV,
		"p.jsonl":            FormatJSONL,
		"p.ndjson":           FormatJSONL,
		"p.json":             FormatJSONL,
		"p.JSONL.gz":         FormatJSONL,
		"/tmp/export.v2.csv": FormatCSV,
		"p.tsv":              "",
		"p":                  "",
		"p.gz":               "",
		"csv":                "",
		"":                   "",
		"p.csv.zip":          "",
	}
	for name, want := range cases {
		got, err := FormatFromName(name)
		if want == "" {
			var ve *ValidationError
			if !errors.As(err, &ve) || ve.Field != "format" || ve.Code != "format.unknown_extension" || ve.Params["Name"] != name {
				t.Errorf("FormatFromName(%q) = %q, %v; want a validation error on format naming the file", name, got, err)
			}
			continue
		}
		if err != nil || got != want {
			t.Errorf("FormatFromName(%q) = %q, %v; want %q", name, got, err, want)
		}
	}
}

func TestRecordsAuthorizations(t *testing.T) {
	header := "account,scope,granted_at,revoked_at"
	revoked := time.Date(2026, 9, 3, 9, 0, 0, 0, time.UTC)
	granted := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
	t.Run("good rows", func(t *testing.T) {
		data := csvLines(header,
			"@ayu.creator,account,2026-06-01T09:00:00Z,",
			"budi,Video:7299,2026-06-01T16:00:00+07:00,2026-09-03T09:00:00Z",
			"@cici,VIDEO,2026-06-01T09:00:00Z,")
		src, err := NewAuthorizationSource(strings.NewReader(data), ImportOptions{File: "a.csv"})
		if err != nil {
			t.Fatal(err)
		}
		rows, err := readAll(src)
		if err != nil {
			t.Fatal(err)
		}
		want := []Authorization{
			{Account: "@ayu.creator", Scope: "account", GrantedAt: granted},
			{Account: "@budi", Scope: "video:7299", GrantedAt: granted, RevokedAt: &revoked},
			{Account: "@cici", Scope: "video", GrantedAt: granted},
		}
		if len(rows) != len(want) {
			t.Fatalf("%d rows, want %d", len(rows), len(want))
		}
		for i, r := range rows {
			if !reflect.DeepEqual(r.Authorization, want[i]) || r.Line != i+2 {
				t.Errorf("row %d = line %d %+v, want line %d %+v", i, r.Line, r.Authorization, i+2, want[i])
			}
		}
		if rows[0].Hash == rows[2].Hash || rows[0].Hash == "" {
			t.Errorf("hashes %q and %q", rows[0].Hash, rows[2].Hash)
		}
		if !rows[0].Authorization.Active() || rows[1].Authorization.Active() {
			t.Error("Active() is wrong")
		}
	})
	t.Run("same hash from JSON Lines", func(t *testing.T) {
		c, err := NewAuthorizationSource(strings.NewReader(csvLines(header, "@ayu.creator,account,2026-06-01T09:00:00Z,")), ImportOptions{File: "a.csv"})
		if err != nil {
			t.Fatal(err)
		}
		j, err := NewAuthorizationSource(strings.NewReader(`{"account": "ayu.creator", "scope": "ACCOUNT", "granted_at": "2026-06-01T09:00:00Z", "revoked_at": null}`), ImportOptions{File: "a.jsonl"})
		if err != nil {
			t.Fatal(err)
		}
		cr, err1 := readAll(c)
		jr, err2 := readAll(j)
		if err1 != nil || err2 != nil || len(cr) != 1 || len(jr) != 1 {
			t.Fatalf("%v %v %v %v", cr, err1, jr, err2)
		}
		if cr[0].Hash != jr[0].Hash || !reflect.DeepEqual(cr[0].Authorization, jr[0].Authorization) {
			t.Errorf("CSV %+v and JSONL %+v differ", cr[0], jr[0])
		}
	})
	bad := []struct {
		name, row, msg string
	}{
		{"unknown scope", "@a,channel,2026-06-01T09:00:00Z,", `scope: "channel" is not a scope (account, video, or video:<id>)`},
		{"video: without an id", "@a,video:,2026-06-01T09:00:00Z,", `scope: "video:" is not a scope (account, video, or video:<id>)`},
		{"empty scope", "@a,,2026-06-01T09:00:00Z,", `scope: empty`},
		{"empty account", ",account,2026-06-01T09:00:00Z,", `account: empty`},
		{"bad account", "a b,account,2026-06-01T09:00:00Z,", `account: "a b" is not an account name`},
		{"bad granted_at", "@a,account,June 1st,", `granted_at: "June 1st" is not an RFC 3339 time (like 2026-11-01T08:00:00Z)`},
		{"empty granted_at", "@a,account,,", `granted_at: empty`},
		{"bad revoked_at", "@a,account,2026-06-01T09:00:00Z,never", `revoked_at: "never" is not an RFC 3339 time (like 2026-11-01T08:00:00Z)`},
		{"wrong field count", "@a,account", "2 fields, the header has 4"},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			src, err := NewAuthorizationSource(strings.NewReader(csvLines(header, "@x,account,2026-06-01T09:00:00Z,", c.row)), ImportOptions{File: "a.csv"})
			if err != nil {
				t.Fatal(err)
			}
			_, err = readAll(src)
			var ie *ImportErrors
			if !errors.As(err, &ie) {
				t.Fatalf("err = %v, want *ImportErrors", err)
			}
			if want := []LineError{{File: "a.csv", Line: 3, Reason: c.msg}}; !reflect.DeepEqual(worded(t, ie.Errors), want) {
				t.Errorf("errors = %+v, want %+v", worded(t, ie.Errors), want)
			}
		})
	}
	t.Run("missing granted_at column", func(t *testing.T) {
		_, err := NewAuthorizationSource(strings.NewReader(csvLines("account,scope", "@a,account")), ImportOptions{File: "a.csv"})
		if err == nil || err.Error() != `a.csv: header.missing (Missing="granted_at" Required="account, scope, granted_at")` {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("JSON line missing a key", func(t *testing.T) {
		src, err := NewAuthorizationSource(strings.NewReader(`{"account": "@a"}`+"\n"), ImportOptions{File: "a.jsonl"})
		if err != nil {
			t.Fatal(err)
		}
		_, err = readAll(src)
		var ie *ImportErrors
		if !errors.As(err, &ie) || len(ie.Errors) != 1 || !reflect.DeepEqual(worded(t, ie.Errors), []LineError{{File: "a.jsonl", Line: 1, Reason: "missing scope, granted_at"}}) {
			t.Errorf("err = %v", err)
		}
	})
}

// --- evidence ---

func TestEvidenceCheck(t *testing.T) {
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00")
	jpeg := []byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")
	pdf := []byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n")
	gif := []byte("GIF89a\x01\x00\x01\x00\x80\x00\x00")
	webp := []byte("RIFF\x24\x00\x00\x00WEBPVP8 ")
	heic := []byte("\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic")
	heif := []byte("\x00\x00\x00\x18ftypmif1\x00\x00\x00\x00mif1heic")
	text := []byte("Order 7301234567890123456: pembayaran Rp150.000 — terima kasih")
	zip := []byte("PK\x03\x04\x14\x00\x00\x00\x08\x00")
	exe := []byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00\xb8\x00\x00\x00")
	html := []byte("<!DOCTYPE html><html><body>hi</body></html>")
	latin1 := []byte("caf\xe9 au lait")

	l := Limits{MaxEvidenceBytes: 1 << 10, MaxEvidenceFiles: 5, MaxDetailsBytes: 100}
	cases := []struct {
		name     string
		file     File
		wantName string
		wantType string // "" = refused
		msg      string // message of the refusal
	}{
		{"png", File{"shot.png", png}, "shot.png", "image/png", ""},
		{"jpeg named .png", File{"shot.png", jpeg}, "shot.png", "image/jpeg", ""},
		{"pdf", File{"receipt.pdf", pdf}, "receipt.pdf", "application/pdf", ""},
		{"gif", File{"a.gif", gif}, "a.gif", "image/gif", ""},
		{"webp", File{"a.webp", webp}, "a.webp", "image/webp", ""},
		{"heic", File{"IMG_0001.HEIC", heic}, "IMG_0001.HEIC", "image/heic", ""},
		{"heif", File{"IMG_0002.heif", heif}, "IMG_0002.heif", "image/heif", ""},
		{"text", File{"notes.txt", text}, "notes.txt", "text/plain", ""},
		{"exactly the limit", File{"big.txt", []byte(strings.Repeat("a", 1<<10))}, "big.txt", "text/plain", ""},
		{"path stripped", File{"../../etc/passwd.png", png}, "passwd.png", "image/png", ""},
		{"windows path stripped", File{`C:\Users\ayu\Desktop\shot.png`, png}, "shot.png", "image/png", ""},
		{"control characters removed", File{"sh\x00ot\n\r\t.png\x7f", png}, "shot.png", "image/png", ""},
		{"no name", File{"", png}, "evidence", "image/png", ""},
		{"only a slash", File{"/", png}, "evidence", "image/png", ""},
		{"long name cut to 200 bytes", File{strings.Repeat("a", 300) + ".png", png}, strings.Repeat("a", 200), "image/png", ""},
		{"long name cut on a rune boundary", File{"a" + strings.Repeat("é", 150), png}, "a" + strings.Repeat("é", 99), "image/png", ""},

		{"empty", File{"shot.png", nil}, "shot.png", "", "evidence.empty"},
		{"too big", File{"big.txt", []byte(strings.Repeat("a", 1<<10+1))}, "big.txt", "", "evidence.too_large (Max=1024 Size=1025)"},
		{"zip", File{"shots.zip", zip}, "shots.zip", "", "evidence.type (Type=\"application/zip\")"},
		{"zip named .png", File{"shot.png", zip}, "shot.png", "", "evidence.type (Type=\"application/zip\")"},
		{"exe", File{"setup.exe", exe}, "setup.exe", "", "evidence.type (Type=\"application/octet-stream\")"},
		{"html", File{"page.html", html}, "page.html", "", "evidence.type (Type=\"text/html\")"},
		{"text that is not UTF-8", File{"notes.txt", latin1}, "notes.txt", "", "evidence.type (Type=\"application/octet-stream\")"},
		{"the cleaned name in the error", File{"../x/evil.exe", exe}, "evil.exe", "", "evidence.type (Type=\"application/octet-stream\")"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			blob, err := l.CheckEvidence(c.file)
			if c.wantType == "" {
				var ve *ValidationError
				if !errors.As(err, &ve) {
					t.Fatalf("CheckEvidence accepted it: %+v, %v", blob.Evidence, err)
				}
				if ve.Field != "evidence "+c.wantName || describeCode(ve.Code, ve.Params) != c.msg {
					t.Errorf("err = %q / %q, want %q / %q", ve.Field, describeCode(ve.Code, ve.Params), "evidence "+c.wantName, c.msg)
				}
				if blob.Data != nil || blob.SHA256 != "" {
					t.Errorf("a refused file returned a blob: %+v", blob.Evidence)
				}
				return
			}
			if err != nil {
				t.Fatalf("CheckEvidence: %v", err)
			}
			sum := sha256.Sum256(c.file.Data)
			want := Evidence{Name: c.wantName, ContentType: c.wantType, Size: int64(len(c.file.Data)), SHA256: hex.EncodeToString(sum[:])}
			if blob.Evidence != want {
				t.Errorf("evidence = %+v, want %+v", blob.Evidence, want)
			}
			if string(blob.Data) != string(c.file.Data) {
				t.Error("the blob's data differs from the file's")
			}
		})
	}
	t.Run("default limits", func(t *testing.T) {
		d := DefaultLimits()
		if d != (Limits{MaxEvidenceBytes: 10 << 20, MaxEvidenceFiles: 5, MaxDetailsBytes: 64 << 10}) {
			t.Errorf("DefaultLimits() = %+v", d)
		}
		big := append([]byte("%PDF-1.4\n"), make([]byte, 10<<20)...)
		_, err := d.CheckEvidence(File{"huge.pdf", big})
		if err == nil || err.Error() != fmt.Sprintf("evidence huge.pdf: evidence.too_large (Max=%d Size=%d)", 10<<20, len(big)) {
			t.Errorf("err = %v", err)
		}
	})
	for _, ct := range []string{"image/png", "image/jpeg", "image/gif", "image/webp", "image/heic", "image/heif", "image/bmp", "application/pdf", "text/plain"} {
		if !IsEvidenceType(ct) {
			t.Errorf("IsEvidenceType(%s) = false", ct)
		}
	}
	for _, ct := range []string{"application/zip", "application/octet-stream", "text/html", "image/svg+xml", "", "text/plain; charset=utf-8"} {
		if IsEvidenceType(ct) {
			t.Errorf("IsEvidenceType(%s) = true", ct)
		}
	}
}

// --- language ---

func TestDetectLanguage(t *testing.T) {
	cases := []struct {
		text, want string
	}{
		{"Halo kak, saya mau refund promosi saya karena jangkauan tidak sampai", LangIndonesian},
		{"Mohon bantuan, dana saya belum kembali untuk pesanan 7301234567890123456", LangIndonesian},
		{"min, iklan saya dihentikan tapi uang sudah terpotong. tolong dong", LangIndonesian},
		{"Selamat pagi, promosi ditolak tapi saya sudah bayar Rp150.000", LangIndonesian},
		{"Hello, I want a refund for my order please", LangEnglish},
		{"My promotion was stopped and I was charged twice. Please help!", LangEnglish},
		{"Hi, the ad got rejected but the money is not back yet", LangEnglish},
		{"HELLO, MY ORDER WAS CHARGED TWICE", LangEnglish},
		{"", LangEnglish},
		{"7301234567890123456 !!!", LangEnglish},
		{"refund", LangEnglish},
		{"video", LangEnglish}, // a word of both languages: a tie is English
	}
	for _, c := range cases {
		if got := DetectLanguage(c.text); got != c.want {
			t.Errorf("DetectLanguage(%q) = %q, want %q", c.text, got, c.want)
		}
	}
}

// --- references, orders, accounts ---

func TestParseRef(t *testing.T) {
	good := map[string]int64{
		"RD-12":                  12,
		"rd-12":                  12,
		"Rd-7":                   7,
		"#12":                    12,
		"12":                     12,
		"  RD-1234  ":            1234,
		"RD-9223372036854775807": math.MaxInt64,
	}
	for in, want := range good {
		got, err := ParseRef(in)
		if err != nil || got != want {
			t.Errorf("ParseRef(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "RD-", "RD-0", "0", "RD--1", "-1", "RD-+1", "+1", "#", "##1", "RD-x", "RD-12x", "RD 12", "RD-1.5",
		"RD-9223372036854775808", "XX-12", "RD-12 13"} {
		got, err := ParseRef(in)
		var ve *ValidationError
		if !errors.As(err, &ve) || ve.Field != "ref" {
			t.Errorf("ParseRef(%q) = %d, %v; want a validation error on ref", in, got, err)
			continue
		}
		if want := fmt.Sprintf("ref.invalid (Value=%q)", in); describeCode(ve.Code, ve.Params) != want {
			t.Errorf("ParseRef(%q) problem = %q, want %q", in, describeCode(ve.Code, ve.Params), want)
		}
	}
	for _, id := range []int64{1, 42, math.MaxInt64} {
		if got, err := ParseRef(FormatRef(id)); err != nil || got != id {
			t.Errorf("ParseRef(FormatRef(%d)) = %d, %v", id, got, err)
		}
	}
	if FormatRef(42) != "RD-42" {
		t.Errorf("FormatRef(42) = %q", FormatRef(42))
	}
}

func TestNormalizeOrder(t *testing.T) {
	good := map[string]string{
		"7301234567890123456":   "7301234567890123456",
		" 7301 2345 6789 ":      "730123456789",
		"7301-2345-6789":        "730123456789",
		"7301\u00a02345":        "73012345",
		"":                      "",
		"   ":                   "",
		"--":                    "",
		strings.Repeat("9", 32): strings.Repeat("9", 32),
		"0000123":               "0000123",
	}
	for in, want := range good {
		got, err := NormalizeOrder(in)
		if err != nil || got != want {
			t.Errorf("NormalizeOrder(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	bad := map[string]string{
		"73a01":                 `order.not_digits (Value="73a01")`,
		"#7301":                 `order.not_digits (Value="#7301")`,
		"7301.5":                `order.not_digits (Value="7301.5")`,
		"७३०१":                  `order.not_digits (Value="७३०१")`,
		"7301\t2345":            `order.not_digits (Value="7301\t2345")`,
		strings.Repeat("9", 33): fmt.Sprintf("order.too_long (Value=%q)", strings.Repeat("9", 33)),
	}
	for in, msg := range bad {
		got, err := NormalizeOrder(in)
		var ve *ValidationError
		if !errors.As(err, &ve) || ve.Field != "order" || describeCode(ve.Code, ve.Params) != msg {
			t.Errorf("NormalizeOrder(%q) = %q, %v; want order: %s", in, got, err, msg)
		}
	}
}

func TestNormalizeAccount(t *testing.T) {
	good := map[string]string{
		"@ayu.creator":                "@ayu.creator",
		"ayu.creator":                 "@ayu.creator",
		"  @Ayu_Creator  ":            "@Ayu_Creator",
		"":                            "",
		"@":                           "",
		"   ":                         "",
		"@" + strings.Repeat("a", 64): "@" + strings.Repeat("a", 64),
		"ayu-99":                      "@ayu-99",
	}
	for in, want := range good {
		got, err := NormalizeAccount(in)
		if err != nil || got != want {
			t.Errorf("NormalizeAccount(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	bad := map[string]string{
		"ayu creator":           `account.invalid (Value="ayu creator")`,
		"@@ayu":                 `account.invalid (Value="@@ayu")`,
		"ayu@mail":              `account.invalid (Value="ayu@mail")`,
		"<ayu>":                 `account.invalid (Value="<ayu>")`,
		`"ayu"`:                 `account.invalid (Value="\"ayu\"")`,
		"ayu's":                 `account.invalid (Value="ayu's")`,
		"ayu\u00a0c":            `account.invalid (Value="ayu\u00a0c")`,
		"ayu\tc":                `account.invalid (Value="ayu\tc")`,
		strings.Repeat("a", 65): fmt.Sprintf("account.too_long (Value=%q)", strings.Repeat("a", 65)),
	}
	for in, msg := range bad {
		got, err := NormalizeAccount(in)
		var ve *ValidationError
		if !errors.As(err, &ve) || ve.Field != "account" || describeCode(ve.Code, ve.Params) != msg {
			t.Errorf("NormalizeAccount(%q) = %q, %v; want account: %s", in, got, err, msg)
		}
	}
	keys := map[string]string{
		"@Ayu.Creator": "ayu.creator",
		" ayu ":        "ayu",
		"AYU":          "ayu",
		"":             "",
		"@":            "",
	}
	for in, want := range keys {
		if got := AccountKey(in); got != want {
			t.Errorf("AccountKey(%q) = %q, want %q", in, got, want)
		}
	}
}
