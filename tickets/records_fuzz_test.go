package tickets

import (
	"encoding/csv"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
)

// promotionRecord writes a promotion as a row of the CSV export.
func promotionRecord(p *Promotion) []string {
	tm := func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.Format(time.RFC3339Nano)
	}
	i := strconv.FormatInt
	return []string{p.OrderNumber, p.Account, p.VideoID, p.Objective, i(p.Amount, 10), p.Currency, p.PaymentMethod,
		tm(&p.CreatedAt), tm(p.StartAt), tm(p.EndAt), tm(p.ClosedAt), string(p.Status), i(p.PromisedReach, 10),
		i(p.DeliveredReach, 10), i(p.Spend, 10), strconv.FormatBool(p.Incident), i(p.Refunded, 10)}
}

// FuzzPromotionRows: whatever rows follow a promotion export's header, a
// row is either taken — and then every field is text a store takes as it
// is, and the row written out again reads back the same — or refused as
// file:line: field: why; skipping the bad rows leaves exactly the good
// ones, and refusing lists exactly the bad ones.
func FuzzPromotionRows(f *testing.F) {
	good := "7301234567890123456,@ayu.creator,7299000000000000001,views,150000,IDR,wallet,2026-11-01T10:00:00Z," +
		"2026-11-01T12:00:00Z,2026-11-10T12:00:00Z,,completed,10000,3000,150000,false,0"
	for _, s := range []string{
		good,
		good + "\n" + strings.Replace(good, "7301234567890123456", "7301234567890123457", 1),
		strings.Replace(good, "7299000000000000001", "\"https://example.com/v?a=1,b=2\"", 1),
		strings.Replace(good, "7299000000000000001", "73\x0001", 1),
		strings.Replace(good, "@ayu.creator", "@ayu\xff", 1),
		strings.Replace(good, "2026-11-10T12:00:00Z", "2026-10-10T12:00:00Z", 1),
		strings.Replace(good, "2026-11-10T12:00:00Z", "9999-12-31T23:00:00-05:00", 1),
		strings.Replace(good, "150000,IDR", "-1,idr", 1),
		"1,@a,,,0,USD,,2026-11-01T10:00:00+07:00,,,,Stopped By Platform,,,,TRUE,",
		"\"unclosed,@a", "a,b", "", "\n\n", strings.Repeat("9", 300) + ",@a,,,1,IDR,,2026-11-01T10:00:00Z,,,,running,,,,,",
	} {
		f.Add(s)
	}
	header := strings.Join(PromotionColumns, ",") + "\n"
	f.Fuzz(func(t *testing.T, rows string) {
		src, err := NewPromotionSource(strings.NewReader(header+rows), ImportOptions{File: "f.csv", SkipInvalid: true})
		if err != nil {
			t.Fatalf("the header is refused: %v", err)
		}
		var good []PromotionRow
		for src.Next() {
			r := src.Row()
			p := &r.Promotion
			for i, v := range promotionRecord(p) {
				if why, bad := fieldTextProblem(PromotionColumns[i], v); bad {
					t.Fatalf("line %d: %s %q taken: %s", r.Line, PromotionColumns[i], v, why)
				}
			}
			if why, bad := videoIDProblem("video_id", p.VideoID); bad {
				t.Fatalf("line %d: video_id %q taken: %s", r.Line, p.VideoID, why)
			}
			if p.EndAt != nil && p.StartAt != nil && p.EndAt.Before(*p.StartAt) {
				t.Fatalf("line %d: end before start taken", r.Line)
			}
			if p.Amount < 0 || p.Spend < 0 || p.Refunded < 0 || p.PromisedReach < 0 || p.DeliveredReach < 0 {
				t.Fatalf("line %d: a negative number taken: %+v", r.Line, p)
			}
			if r.Hash != promotionHash(p) {
				t.Fatalf("line %d: hash", r.Line)
			}
			good = append(good, r)
		}
		if err := src.Err(); err != nil {
			t.Fatalf("with skipping: %v", err)
		}
		bad, skipped := src.Skipped()
		if src.Read() != len(good)+skipped {
			t.Fatalf("read %d rows: %d taken, %d skipped", src.Read(), len(good), skipped)
		}
		for _, le := range bad {
			if le.File != "f.csv" || le.Line < 2 || len(le.Problems) == 0 || englishRow(t, le) == "" {
				t.Fatalf("bad row reported as %+v", le)
			}
		}

		// Written out again, the rows taken read back the same.
		var b strings.Builder
		w := csv.NewWriter(&b)
		for _, r := range good {
			_ = w.Write(promotionRecord(&r.Promotion))
		}
		w.Flush()
		again, err := NewPromotionSource(strings.NewReader(header+b.String()), ImportOptions{File: "g.csv"})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for again.Next() {
			r := again.Row()
			if n >= len(good) || !reflect.DeepEqual(r.Promotion, good[n].Promotion) || r.Hash != good[n].Hash {
				t.Fatalf("row %d written out again reads back differently:\n%+v\n%+v", n, r.Promotion, good[min(n, len(good)-1)].Promotion)
			}
			n++
		}
		if err := again.Err(); err != nil || n != len(good) {
			t.Fatalf("written out again: %d of %d rows, %v", n, len(good), err)
		}

		// Without skipping, the same rows are refused, and nothing is yielded
		// after the first of them.
		src, _ = NewPromotionSource(strings.NewReader(header+rows), ImportOptions{File: "f.csv"})
		for src.Next() {
		}
		err = src.Err()
		var ie *ImportErrors
		switch {
		case skipped == 0 && err != nil:
			t.Fatalf("refused without a bad row: %v", err)
		case skipped > 0 && (!errors.As(err, &ie) || ie.Total != skipped || !reflect.DeepEqual(ie.Errors, bad)):
			t.Fatalf("refused with %v; skipping listed %d: %+v", err, skipped, bad)
		}
	})
}
