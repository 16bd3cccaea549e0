package tickets

import (
	"fmt"
	"strings"
	"testing"
)

// benchQueryTexts are what agents type: single fields, the common
// combinations, free text, quoted phrases and times.
var benchQueryTexts = []string{
	"status:in_review",
	"status:open kind:refund reason:under_delivery verdict:eligible",
	"assignee:me,none status:in_review,needs_info sort:-updated",
	"account:@ayu.creator order:7301234567890123456,7301* ref:RD-500000",
	"channel:email language:id flag:account_mismatch -flag:dm_closed",
	"older:2d updated:>2026-11-01 created:2026-06-01..2026-06-03",
	`overdue -status:closed,resolved "money back" jangkauan -"no refund" view*`,
	`created:>=2026-11-01T08:00:00+07:00 "a \"quoted\" phrase" café`,
}

// BenchmarkParseQuery parses each of benchQueryTexts once per iteration.
func BenchmarkParseQuery(b *testing.B) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		for _, q := range benchQueryTexts {
			if _, err := ParseQuery(q, queryNow, "ayu"); err != nil {
				b.Fatalf("%q: %v", q, err)
			}
		}
	}
}

// BenchmarkPromotionRows reads a CSV export of 1,000 promotion rows.
func BenchmarkPromotionRows(b *testing.B) {
	row := "7301234567890%06d,@ayu.creator,7299000000000000001,views,150000,IDR,wallet,2026-11-01T10:00:00Z," +
		"2026-11-01T12:00:00Z,2026-11-10T12:00:00Z,,completed,10000,3000,150000,false,0\n"
	var sb strings.Builder
	sb.WriteString(strings.Join(PromotionColumns, ",") + "\n")
	for i := 0; i < 1000; i++ {
		fmt.Fprintf(&sb, row, i)
	}
	data := sb.String()
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for i := 0; i < b.N; i++ {
		src, err := NewPromotionSource(strings.NewReader(data), ImportOptions{File: "f.csv"})
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for src.Next() {
			n++
		}
		if err := src.Err(); err != nil || n != 1000 {
			b.Fatalf("%d rows, %v", n, err)
		}
	}
}
