package tickets_test

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"refunddesk/internal/sample"
	"refunddesk/internal/storetest"
	"refunddesk/tickets"
)

// svcCSV writes rows under the promotion export's header.
func svcCSV(rows ...[]string) string {
	var b strings.Builder
	w := csv.NewWriter(&b)
	_ = w.Write(tickets.PromotionColumns)
	for _, r := range rows {
		_ = w.Write(r)
	}
	w.Flush()
	return b.String()
}

// svcRow is the CSV row of svcPromotion with some columns changed.
func svcRow(order, account string, delivered int64, set map[string]string) []string {
	rec := svcPromoRecord(svcPromotion(order, account, delivered))
	for col, v := range set {
		i := slices.Index(tickets.PromotionColumns, col)
		if i < 0 {
			panic("no column " + col)
		}
		rec[i] = v
	}
	return rec
}

// svcWantSummary compares an import summary, all but its duration.
func svcWantSummary(t *testing.T, got *tickets.ImportSummary, want tickets.ImportSummary) {
	t.Helper()
	if got == nil {
		t.Fatal("no summary")
	}
	g := *got
	g.Duration = 0
	if len(g.SkippedRow) == 0 {
		g.SkippedRow = nil
	}
	g.SkippedRow = slices.Clone(g.SkippedRow)
	for i := range g.SkippedRow {
		// as an agent reads it: the reason in words, as the edges write it
		g.SkippedRow[i].Reason = words(t).RowReason(tickets.LangEnglish, g.SkippedRow[i])
		g.SkippedRow[i].Problems = nil
	}
	if !reflect.DeepEqual(g, want) {
		t.Fatalf("summary %+v, want %+v", g, want)
	}
}

func (f *svcFixture) importText(text string, opt tickets.ImportOptions) (*tickets.ImportSummary, error) {
	if opt.File == "" {
		opt.File = "p.csv"
	}
	return f.svc.Records.ImportPromotions(f.ctx, strings.NewReader(text), opt)
}

func (f *svcFixture) promotion(order string) *tickets.PromotionDetail {
	f.t.Helper()
	p, err := f.svc.Records.PromotionDetail(f.ctx, order)
	if err != nil {
		f.t.Fatalf("promotion %s: %v", order, err)
	}
	return p
}

// svcWantImportErrors checks err refuses an import and lists these lines.
func svcWantImportErrors(t *testing.T, err error, file string, total int, lines ...int) *tickets.ImportErrors {
	t.Helper()
	var ie *tickets.ImportErrors
	if !errors.As(err, &ie) {
		t.Fatalf("error %v (%T), want *tickets.ImportErrors", err, err)
	}
	words(t).Explain(ie.Errors) // each row's Reason, as the edges write it
	var got []int
	for _, e := range ie.Errors {
		if e.File != file {
			t.Fatalf("error %+v names file %q, want %q", e, e.File, file)
		}
		got = append(got, e.Line)
	}
	if ie.Total != total || !slices.Equal(got, lines) {
		t.Fatalf("bad rows %v (total %d), want lines %v (total %d): %v", got, ie.Total, lines, total, err)
	}
	for _, l := range lines[:min(len(lines), 3)] {
		if !strings.Contains(err.Error(), fmt.Sprintf("%s:%d: ", file, l)) {
			t.Fatalf("message %q does not say %s:%d", err, file, l)
		}
	}
	return ie
}

func TestServiceImportCounts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newSvcFixture(t, dialect, tickets.Options{})
		a := svcPromotion(svcOrderA, svcAccountA, 5000)
		b := svcPromotion(svcOrderB, svcAccountB, 9000)
		c := svcPromotion(svcOrderC, "@citra", 0)
		c.Incident, c.Refunded, c.Currency, c.Amount = true, 250, "USD", 1999
		text := svcPromoCSV(a, b, c)

		sum, err := f.importText(text, tickets.ImportOptions{})
		if err != nil {
			t.Fatal(err)
		}
		svcWantSummary(t, sum, tickets.ImportSummary{File: "p.csv", Read: 3, Inserted: 3})
		pc := f.promotion(svcOrderC)
		want := c
		want.ImportedAt, want.UpdatedAt = svcStart, svcStart
		if !reflect.DeepEqual(pc.Promotion, want) || len(pc.Tickets) != 0 {
			t.Fatalf("record\n%+v\nwant\n%+v", pc.Promotion, want)
		}
		before := f.promotion(svcOrderA)

		// The same file again changes nothing, not even updated_at.
		f.clock.Advance(time.Hour)
		sum, err = f.importText(text, tickets.ImportOptions{})
		if err != nil {
			t.Fatal(err)
		}
		svcWantSummary(t, sum, tickets.ImportSummary{File: "p.csv", Read: 3, Unchanged: 3})
		if after := f.promotion(svcOrderA); !reflect.DeepEqual(after, before) {
			t.Fatalf("record changed:\n%+v\n%+v", before, after)
		}

		// One changed row: one update.
		f.clock.Advance(time.Hour)
		b.DeliveredReach = 9100
		sum, err = f.importText(svcPromoCSV(a, b, c), tickets.ImportOptions{})
		if err != nil {
			t.Fatal(err)
		}
		svcWantSummary(t, sum, tickets.ImportSummary{File: "p.csv", Read: 3, Updated: 1, Unchanged: 2})
		pb := f.promotion(svcOrderB)
		if pb.DeliveredReach != 9100 || !pb.UpdatedAt.Equal(f.clock.Now()) || !pb.ImportedAt.Equal(svcStart) {
			t.Fatalf("updated record: delivered %d updated %v imported %v", pb.DeliveredReach, pb.UpdatedAt, pb.ImportedAt)
		}
		if !f.promotion(svcOrderA).UpdatedAt.Equal(svcStart) {
			t.Fatal("an unchanged record got a new updated_at")
		}
		if n := f.count("promotions"); n != 3 {
			t.Fatalf("%d promotions", n)
		}
	})
}

func TestServiceImportSampleTwice(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newSvcFixture(t, dialect, tickets.Options{})
		const n = 300
		opt := sample.Options{Seed: 7, Now: f.clock.Now()}
		var csvBuf, jsonBuf bytes.Buffer
		if err := sample.WritePromotionsCSV(&csvBuf, n, opt); err != nil {
			t.Fatal(err)
		}
		if err := sample.WritePromotionsJSONL(&jsonBuf, n, opt); err != nil {
			t.Fatal(err)
		}
		sum, err := f.svc.Records.ImportPromotions(f.ctx, bytes.NewReader(csvBuf.Bytes()), tickets.ImportOptions{File: "sample.csv"})
		if err != nil {
			t.Fatal(err)
		}
		svcWantSummary(t, sum, tickets.ImportSummary{File: "sample.csv", Read: n, Inserted: n})
		first := f.promotion(sample.OrderNumber(42))
		f.clock.Advance(24 * time.Hour)
		sum, err = f.svc.Records.ImportPromotions(f.ctx, bytes.NewReader(csvBuf.Bytes()), tickets.ImportOptions{File: "sample.csv"})
		if err != nil {
			t.Fatal(err)
		}
		svcWantSummary(t, sum, tickets.ImportSummary{File: "sample.csv", Read: n, Unchanged: n})
		// The same data as JSON Lines is the same data.
		sum, err = f.svc.Records.ImportPromotions(f.ctx, bytes.NewReader(jsonBuf.Bytes()), tickets.ImportOptions{File: "sample.jsonl"})
		if err != nil {
			t.Fatal(err)
		}
		svcWantSummary(t, sum, tickets.ImportSummary{File: "sample.jsonl", Read: n, Unchanged: n})
		if again := f.promotion(sample.OrderNumber(42)); !reflect.DeepEqual(again, first) {
			t.Fatalf("record changed:\n%+v\n%+v", first, again)
		}
		if c := f.count("promotions"); c != n {
			t.Fatalf("%d promotions", c)
		}
	})
}

func TestServiceImportReevaluatesTickets(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newSvcFixture(t, dialect, tickets.Options{})
		a := svcPromotion(svcOrderA, svcAccountA, 5000)
		b := svcPromotion(svcOrderB, svcAccountB, 5000)
		f.importPromos(a, b)
		undecided := f.submit(svcRefund(svcOrderA, svcAccountA)).Ticket.Ref
		early := f.submit(svcRefund(svcOrderC, "@citra")).Ticket.Ref // not on record yet
		decided := f.submit(svcRefund(svcOrderB, svcAccountB)).Ticket.Ref
		f.act(tickets.ActionRequest{Ref: decided, Actor: "budi", Action: tickets.ActionApprove})
		if d := f.detail(undecided); d.Eligibility.Verdict != tickets.VerdictEligible || d.Status != tickets.StatusInReview {
			t.Fatalf("before: %s", svcSummary(d))
		}
		if d := f.detail(early); d.Eligibility.Verdict != tickets.VerdictNeedsInfo || d.Status != tickets.StatusNeedsInfo {
			t.Fatalf("before: %s", svcSummary(d))
		}
		decidedBefore := f.detail(decided)

		f.clock.Advance(time.Hour)
		a.DeliveredReach, b.DeliveredReach = 9000, 9000
		c := svcPromotion(svcOrderC, "@citra", 5000)
		sum := f.importPromos(a, b, c)
		svcWantSummary(t, sum, tickets.ImportSummary{File: "p.csv", Read: 3, Inserted: 1, Updated: 2, Reevaluated: 2})

		d := f.detail(undecided)
		if d.Eligibility.Verdict != tickets.VerdictIneligible || d.Eligibility.RefundAmount != 0 || d.Status != tickets.StatusInReview ||
			!d.UpdatedAt.Equal(f.clock.Now()) || !d.Eligibility.EvaluatedAt.Equal(f.clock.Now()) {
			t.Fatalf("after the import: %s", svcSummary(d))
		}
		if a := svcLastAudit(t, d); a.Actor != tickets.ActorSystem || a.Action != "evaluated" ||
			auditText(t, a) != "verdict eligible → ineligible (under_delivery); the records changed" {
			t.Fatalf("audit %+v", a)
		}
		if d.Promotion == nil || d.Promotion.DeliveredReach != 9000 {
			t.Fatalf("detail shows %+v", d.Promotion)
		}

		d = f.detail(early)
		if d.Eligibility.Verdict != tickets.VerdictEligible || d.Eligibility.RefundAmount != 50000 || d.Status != tickets.StatusInReview || d.WaitingSince == nil {
			t.Fatalf("the order arrived: %s", svcSummary(d))
		}
		if a := svcLastAudit(t, d); a.Action != "status" || a.FromStatus != tickets.StatusNeedsInfo || a.ToStatus != tickets.StatusInReview || a.Actor != tickets.ActorSystem {
			t.Fatalf("audit %+v", a)
		}

		// A decided ticket keeps its decision and its verdict.
		d = f.detail(decided)
		if !reflect.DeepEqual(d.Ticket, decidedBefore.Ticket) || !reflect.DeepEqual(d.Audit, decidedBefore.Audit) {
			t.Fatalf("decided ticket changed: %s", svcSummary(d))
		}
		if pd := f.promotion(svcOrderA); len(pd.Tickets) != 1 || pd.Tickets[0].Ref != undecided || pd.Tickets[0].Eligibility.Verdict != tickets.VerdictIneligible {
			t.Fatalf("tickets of the order: %+v", pd.Tickets)
		}

		// The same file again re-evaluates nothing.
		before := f.detail(undecided)
		f.clock.Advance(time.Hour)
		svcWantSummary(t, f.importPromos(a, b, c), tickets.ImportSummary{File: "p.csv", Read: 3, Unchanged: 3})
		svcSameDetail(t, before, f.detail(undecided))

		// Back to under-delivered: eligible again.
		a.DeliveredReach = 4000
		svcWantSummary(t, f.importPromos(a, b, c), tickets.ImportSummary{File: "p.csv", Read: 3, Updated: 1, Unchanged: 2, Reevaluated: 1})
		if d := f.detail(undecided); d.Eligibility.Verdict != tickets.VerdictEligible || d.Eligibility.RefundAmount != 60000 {
			t.Fatalf("eligible again: %s amount %d", svcSummary(d), d.Eligibility.RefundAmount)
		}
	})
}

func TestServiceImportBadRows(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newSvcFixture(t, dialect, tickets.Options{})
		text := svcCSV(
			svcRow(svcOrderA, svcAccountA, 5000, nil),                                                               // line 2
			svcRow(svcOrderB, svcAccountB, 5000, map[string]string{"amount": "12x"}),                                // line 3
			svcRow(svcOrderC, "@citra", 5000, nil),                                                                  // line 4
			svcRow("7301000000000000044", "@dewi", 5000, map[string]string{"currency": "RUPIAH", "status": "done"}), // line 5
		)
		_, err := f.importText(text, tickets.ImportOptions{})
		ie := svcWantImportErrors(t, err, "p.csv", 2, 3, 5)
		if ie.Errors[0].Reason != `amount: "12x" is not a whole number` {
			t.Fatalf("line 3: %q", ie.Errors[0].Reason)
		}
		if m := ie.Errors[1].Reason; !strings.HasPrefix(m, `currency: "RUPIAH" is not a three-letter currency code; status: "done" is not one of`) {
			t.Fatalf("line 5: %q", m)
		}
		for _, o := range []string{svcOrderA, svcOrderC} {
			if _, err := f.svc.Records.PromotionDetail(f.ctx, o); !errors.Is(err, tickets.ErrNotFound) {
				t.Fatalf("%s after a refused import: %v", o, err)
			}
		}
		if n := f.count("promotions"); n != 0 {
			t.Fatalf("%d promotions written", n)
		}

		// Skipping bad rows imports the good ones and lists the others.
		sum, err := f.importText(text, tickets.ImportOptions{SkipInvalid: true})
		if err != nil {
			t.Fatal(err)
		}
		if sum.Inserted != 2 || sum.Updated != 0 || sum.Unchanged != 0 || sum.Skipped != 2 || sum.Read != 4 || len(sum.SkippedRow) != 2 ||
			sum.SkippedRow[0].Line != 3 || sum.SkippedRow[1].Line != 5 || sum.SkippedRow[0].File != "p.csv" {
			t.Fatalf("summary %+v", sum)
		}
		f.promotion(svcOrderA)
		f.promotion(svcOrderC)
		if _, err := f.svc.Records.PromotionDetail(f.ctx, svcOrderB); !errors.Is(err, tickets.ErrNotFound) {
			t.Fatalf("skipped row was written: %v", err)
		}

		// A refused import leaves what is on record, and its tickets, alone.
		tk := f.submit(svcRefund(svcOrderA, svcAccountA)).Ticket.Ref
		before, ticketBefore := f.promotion(svcOrderA), f.detail(tk)
		f.clock.Advance(time.Hour)
		_, err = f.importText(svcCSV(svcRow(svcOrderA, svcAccountA, 9999, nil), svcRow(svcOrderB, svcAccountB, 5000, map[string]string{"created_at": "yesterday"})), tickets.ImportOptions{})
		svcWantImportErrors(t, err, "p.csv", 1, 3)
		if after := f.promotion(svcOrderA); !reflect.DeepEqual(after.Promotion, before.Promotion) {
			t.Fatalf("record changed by a refused import: delivered %d", after.DeliveredReach)
		}
		svcSameDetail(t, ticketBefore, f.detail(tk))

		// Other kinds of bad rows, each named by its line.
		short := svcRow(svcOrderB, svcAccountB, 5000, nil)[:16]
		rows := []struct {
			name  string
			text  string
			lines []int
		}{
			{"wrong number of fields", svcCSV(svcRow(svcOrderB, svcAccountB, 5000, nil), short), []int{3}},
			{"order with dashes", svcCSV(svcRow("7301-2", svcAccountB, 5000, nil)), []int{2}},
			{"negative amount", svcCSV(svcRow(svcOrderB, svcAccountB, 5000, map[string]string{"amount": "-5"})), []int{2}},
			{"empty required field", svcCSV(svcRow(svcOrderB, "", 5000, nil)), []int{2}},
			{"bad account", svcCSV(svcRow(svcOrderB, "@two words", 5000, nil)), []int{2}},
			{"bad incident", svcCSV(svcRow(svcOrderB, svcAccountB, 5000, map[string]string{"incident": "maybe"})), []int{2}},
			{"bad quoting", strings.Join(tickets.PromotionColumns, ",") + "\n" + strings.Join(svcRow(svcOrderB, svcAccountB, 5000, nil), ",") + "\n" +
				`7301000000000000077,"@x` + "\"y,1,2\n", []int{3}},
		}
		for _, r := range rows {
			_, err := f.importText(r.text, tickets.ImportOptions{})
			var ie *tickets.ImportErrors
			if !errors.As(err, &ie) {
				t.Fatalf("%s: %v", r.name, err)
			}
			svcWantImportErrors(t, err, "p.csv", len(r.lines), r.lines...)
			if _, err := f.svc.Records.PromotionDetail(f.ctx, svcOrderB); !errors.Is(err, tickets.ErrNotFound) {
				t.Fatalf("%s: written anyway: %v", r.name, err)
			}
		}

		// Many bad rows: the first 50 are listed, all are counted.
		var many [][]string
		for i := 0; i < 60; i++ {
			many = append(many, svcRow(fmt.Sprintf("66%03d", i), svcAccountB, 5000, map[string]string{"status": "lost"}))
		}
		_, err = f.importText(svcCSV(many...), tickets.ImportOptions{})
		var lines []int
		for i := 0; i < tickets.MaxListedErrors; i++ {
			lines = append(lines, i+2)
		}
		ie = svcWantImportErrors(t, err, "p.csv", 60, lines...)
		if m := words(t).Error(tickets.LangEnglish, ie); !strings.Contains(m, "60 bad row(s), nothing imported") || !strings.Contains(m, "and 10 more") {
			t.Fatalf("message %q", ie)
		}

		// Files that cannot be read at all name the file.
		for name, bad := range map[string]string{
			"no header":       "",
			"missing column":  "order_number,account,currency,created_at,status\n1,@a,IDR,2026-11-01T00:00:00Z,completed\n",
			"repeated column": strings.Join(append(slices.Clone(tickets.PromotionColumns), "amount"), ",") + "\n",
		} {
			_, err := f.importText(bad, tickets.ImportOptions{})
			if !slices.Equal(svcFields(err), []string{"p.csv"}) {
				t.Fatalf("%s: %v", name, err)
			}
		}
		if _, err := f.importText(text, tickets.ImportOptions{File: "p.txt"}); !slices.Equal(svcFields(err), []string{"format"}) {
			t.Fatalf("unknown format: %v", err)
		}
		if n := f.count("promotions"); n != 2 {
			t.Fatalf("%d promotions", n)
		}
	})
}

func TestServiceImportSkippedCounts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newSvcFixture(t, dialect, tickets.Options{})
		// Line 3 cannot even be split into the header's columns; line 4 has a
		// bad value. Both are rows of the file that were read and skipped.
		short := svcRow(svcOrderB, svcAccountB, 5000, nil)[:16]
		text := svcCSV(svcRow(svcOrderA, svcAccountA, 5000, nil), short, svcRow(svcOrderC, "@citra", 5000, map[string]string{"amount": "x"}),
			svcRow("7301000000000000044", "@dewi", 5000, nil))
		sum, err := f.importText(text, tickets.ImportOptions{SkipInvalid: true})
		if err != nil {
			t.Fatal(err)
		}
		if sum.Inserted != 2 || sum.Skipped != 2 || len(sum.SkippedRow) != 2 || sum.SkippedRow[0].Line != 3 || sum.SkippedRow[1].Line != 4 {
			t.Fatalf("summary %+v", sum)
		}
		if sum.Read != 4 {
			t.Fatalf("the summary says %d rows read, %d inserted and %d skipped: a row with the wrong number of fields was skipped but not counted as read", sum.Read, sum.Inserted, sum.Skipped)
		}
	})
}

func TestServiceImportByteOrderMark(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newSvcFixture(t, dialect, tickets.Options{})
		plain := svcPromoCSV(svcPromotion(svcOrderA, svcAccountA, 5000))
		sum, err := f.importText("\ufeff"+strings.ReplaceAll(plain, "\n", "\r\n"), tickets.ImportOptions{File: "excel.csv"})
		if err != nil {
			t.Fatal(err)
		}
		svcWantSummary(t, sum, tickets.ImportSummary{File: "excel.csv", Read: 1, Inserted: 1})
		sum, err = f.importText(plain, tickets.ImportOptions{})
		if err != nil {
			t.Fatal(err)
		}
		svcWantSummary(t, sum, tickets.ImportSummary{File: "p.csv", Read: 1, Unchanged: 1})
	})
}

func TestServiceImportRepeatedOrder(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newSvcFixture(t, dialect, tickets.Options{})
		text := svcCSV(
			svcRow(svcOrderA, svcAccountA, 5000, nil), // line 2
			svcRow(svcOrderB, svcAccountB, 5000, nil), // line 3
			svcRow(svcOrderA, svcAccountA, 6000, nil), // line 4: A again, other values
		)
		_, err := f.importText(text, tickets.ImportOptions{})
		ie := svcWantImportErrors(t, err, "p.csv", 1, 4)
		if ie.Errors[0].Reason != "order_number: repeats line 2 with different values" {
			t.Fatalf("message %q", ie.Errors[0].Reason)
		}
		if n := f.count("promotions"); n != 0 {
			t.Fatalf("%d promotions written", n)
		}

		sum, err := f.importText(text, tickets.ImportOptions{SkipInvalid: true})
		if err != nil {
			t.Fatal(err)
		}
		svcWantSummary(t, sum, tickets.ImportSummary{File: "p.csv", Read: 3, Inserted: 2, Skipped: 1,
			SkippedRow: []tickets.LineError{{File: "p.csv", Line: 4, Reason: "order_number: repeats line 2 with different values"}}})
		if p := f.promotion(svcOrderA); p.DeliveredReach != 5000 {
			t.Fatalf("kept delivered %d, want the first row's 5000", p.DeliveredReach)
		}

		// The very same row twice is fine.
		f.clock.Advance(time.Hour)
		same := svcCSV(svcRow(svcOrderC, "@citra", 5000, nil), svcRow(svcOrderA, svcAccountA, 5000, nil), svcRow(svcOrderC, "@citra", 5000, nil))
		sum, err = f.importText(same, tickets.ImportOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if sum.Read != 3 || sum.Inserted != 1 || sum.Updated != 0 || sum.Skipped != 0 || len(sum.SkippedRow) != 0 {
			t.Fatalf("summary %+v", sum)
		}
		if p := f.promotion(svcOrderC); !p.ImportedAt.Equal(f.clock.Now()) {
			t.Fatalf("C imported at %v", p.ImportedAt)
		}
	})
}

func TestServiceImportJSONL(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newSvcFixture(t, dialect, tickets.Options{})
		text := `{"order_number":"7301000000000000011","account":"@ayu_shop","video_id":"7300000000000000001","objective":"views",` +
			`"amount":100000,"currency":"idr","payment_method":"Wallet","created_at":"2026-11-01T09:00:00Z","start_at":"2026-11-01T10:00:00Z",` +
			`"end_at":"2026-11-08T10:00:00Z","closed_at":null,"status":"completed","promised_reach":10000,"delivered_reach":5000,` +
			`"spend":100000,"incident":false,"refunded":0,"extra":"ignored"}` + "\n\n" +
			`{"ORDER_NUMBER":"7301000000000000022","Account":"budi_store","amount":"2500","currency":"USD","created_at":"2026-11-02T09:00:00+07:00",` +
			`"status":"Stopped by platform","incident":true,"spend":"1000"}`
		sum, err := f.importText(text, tickets.ImportOptions{File: "export.ndjson"})
		if err != nil {
			t.Fatal(err)
		}
		svcWantSummary(t, sum, tickets.ImportSummary{File: "export.ndjson", Read: 2, Inserted: 2})
		want := svcPromotion(svcOrderA, svcAccountA, 5000)
		want.ImportedAt, want.UpdatedAt = svcStart, svcStart
		if got := f.promotion(svcOrderA).Promotion; !reflect.DeepEqual(got, want) {
			t.Fatalf("record\n%+v\nwant\n%+v", got, want)
		}
		pb := f.promotion(svcOrderB)
		if pb.Account != svcAccountB || pb.Amount != 2500 || pb.Currency != "USD" || pb.Status != tickets.PromoStoppedByPlatform || !pb.Incident ||
			pb.Spend != 1000 || !pb.CreatedAt.Equal(time.Date(2026, 11, 2, 2, 0, 0, 0, time.UTC)) || pb.EndAt != nil {
			t.Fatalf("record %+v", pb.Promotion)
		}
		// The CSV of the same record is the same record.
		f.clock.Advance(time.Hour)
		svcWantSummary(t, f.importPromos(svcPromotion(svcOrderA, svcAccountA, 5000)), tickets.ImportSummary{File: "p.csv", Read: 1, Unchanged: 1})

		bad := text + "\n" + `not json` + "\n" + `{"order_number":"7301000000000000033","account":"@c","amount":1,"currency":"IDR","created_at":"2026-11-01T09:00:00Z"}` +
			"\n" + `{"order_number":["7301"],"account":"@c","amount":1,"currency":"IDR","created_at":"2026-11-01T09:00:00Z","status":"completed"}` + "\n"
		_, err = f.importText(bad, tickets.ImportOptions{File: "stdin", Format: tickets.FormatJSONL})
		ie := svcWantImportErrors(t, err, "stdin", 3, 4, 5, 6)
		if !strings.Contains(ie.Errors[1].Reason, "status") {
			t.Fatalf("line 5: %q", ie.Errors[1].Reason)
		}
		if n := f.count("promotions"); n != 2 {
			t.Fatalf("%d promotions", n)
		}
	})
}

func TestServiceImportAuthorizations(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newSvcFixture(t, dialect, tickets.Options{})
		rows := []string{
			"@rev_a,account,2026-06-01T00:00:00Z,",
			"@rev_b,video:7300000000000000001,2026-07-01T00:00:00Z,2026-08-01T00:00:00Z",
		}
		svcWantSummary(t, f.importAuths(rows...), tickets.ImportSummary{File: "a.csv", Read: 2, Inserted: 2})
		f.clock.Advance(time.Hour)
		svcWantSummary(t, f.importAuths(rows...), tickets.ImportSummary{File: "a.csv", Read: 2, Unchanged: 2})

		rev := func(account string) string {
			return f.submit(tickets.SubmitRequest{Kind: tickets.KindRevocation, Channel: tickets.ChannelEmail,
				Requester: tickets.Requester{Email: strings.TrimPrefix(account, "@") + "@example.com"}, Account: account}).Ticket.Ref
		}
		active, revoked, none := rev("@rev_a"), rev("@REV_B"), rev("@rev_c")
		for ref, v := range map[string]tickets.Verdict{active: tickets.VerdictEligible, revoked: tickets.VerdictNeedsReview, none: tickets.VerdictNeedsReview} {
			if d := f.detail(ref); d.Eligibility.Verdict != v || d.Status != tickets.StatusInReview {
				t.Fatalf("%s: %s, want %s", ref, svcSummary(d), v)
			}
		}
		forwarded := rev("@rev_d")
		f.act(tickets.ActionRequest{Ref: forwarded, Actor: "budi", Action: tickets.ActionForward})
		fwdBefore := f.detail(forwarded)

		// rev_a revoked since, rev_c granted: both pending tickets change.
		f.clock.Advance(time.Hour)
		sum := f.importAuths("@rev_a,account,2026-06-01T00:00:00Z,2026-11-20T00:00:00Z", rows[1], "@rev_c,Account,2026-10-01T00:00:00Z,",
			"@rev_d,account,2026-10-01T00:00:00Z,")
		svcWantSummary(t, sum, tickets.ImportSummary{File: "a.csv", Read: 4, Inserted: 2, Updated: 1, Unchanged: 1, Reevaluated: 2})
		d := f.detail(active)
		if d.Eligibility.Verdict != tickets.VerdictNeedsReview || d.Status != tickets.StatusInReview {
			t.Fatalf("revoked since: %s", svcSummary(d))
		}
		if a := svcLastAudit(t, d); a.Action != "evaluated" || a.Actor != tickets.ActorSystem || !strings.HasPrefix(auditText(t, a), "verdict eligible → needs_review (authorization_active)") {
			t.Fatalf("audit %+v", a)
		}
		if d := f.detail(none); d.Eligibility.Verdict != tickets.VerdictEligible {
			t.Fatalf("granted since: %s", svcSummary(d))
		}
		// A ticket already forwarded is left alone.
		svcSameDetail(t, fwdBefore, f.detail(forwarded))

		// Bad rows refuse the whole file.
		before := f.count("authorizations")
		text := strings.Join(tickets.AuthorizationColumns, ",") + "\n@rev_e,account,2026-06-01T00:00:00Z,\n@rev_f,everything,2026-06-01T00:00:00Z,\n" +
			"@rev_g,account,last week,\n"
		_, err := f.svc.Records.ImportAuthorizations(f.ctx, strings.NewReader(text), tickets.ImportOptions{File: "a.csv"})
		ie := svcWantImportErrors(t, err, "a.csv", 2, 3, 4)
		if !strings.HasPrefix(ie.Errors[0].Reason, "scope:") || !strings.HasPrefix(ie.Errors[1].Reason, "granted_at:") {
			t.Fatalf("messages %+v", ie.Errors)
		}
		// The same authorization twice with different values too.
		text = strings.Join(tickets.AuthorizationColumns, ",") + "\n@rev_e,account,2026-06-01T00:00:00Z,\n@REV_E,account,2026-06-01T00:00:00Z,2026-07-01T00:00:00Z\n"
		_, err = f.svc.Records.ImportAuthorizations(f.ctx, strings.NewReader(text), tickets.ImportOptions{File: "a.csv"})
		svcWantImportErrors(t, err, "a.csv", 1, 3)
		if n := f.count("authorizations"); n != before {
			t.Fatalf("%d authorizations, want %d", n, before)
		}

		// JSON Lines work for authorizations too.
		jsonl := `{"account":"@rev_h","scope":"account","granted_at":"2026-09-01T00:00:00Z","revoked_at":null}` + "\n"
		sum, err = f.svc.Records.ImportAuthorizations(f.ctx, strings.NewReader(jsonl), tickets.ImportOptions{File: "a.jsonl"})
		if err != nil {
			t.Fatal(err)
		}
		svcWantSummary(t, sum, tickets.ImportSummary{File: "a.jsonl", Read: 1, Inserted: 1})
		if d := f.detail(rev("@rev_h")); d.Eligibility.Verdict != tickets.VerdictEligible {
			t.Fatalf("after a JSONL import: %s", svcSummary(d))
		}
	})
}
