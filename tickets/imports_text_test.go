package tickets_test

import (
	"math/rand/v2"
	"strings"
	"testing"

	"refunddesk/internal/storetest"
	"refunddesk/tickets"
)

// TestServiceImportRefusesBadText: a row whose text no store should take
// (bytes that are not UTF-8, a NUL, a value too long for an index, an end
// before the start) is refused as file:line: field: why on both stores —
// never a raw database error, never stored cut short — and --skip-invalid
// skips it.
func TestServiceImportRefusesBadText(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newSvcFixture(t, dialect, tickets.Options{})
		cases := []struct {
			name, col, value, msg string
		}{
			{"video id not UTF-8", "video_id", "73\xff\xfe01", "video_id: not valid UTF-8"},
			{"video id with a NUL", "video_id", "7300\x00000001", "video_id: contains a NUL byte"},
			{"video id of a few KB", "video_id", noise(4000), "video_id: 4000 bytes long; at most 256"},
			{"video id past its own limit", "video_id", strings.Repeat("v", 200), "video_id: 200 characters long; a video id has at most 128"},
			{"video id with spaces", "video_id", "my video", `video_id: "my video" is not a video id (letters, digits and punctuation, no spaces)`},
			{"account with a NUL", "account", "@ayu\x00shop", "account: contains a NUL byte"},
			{"account not UTF-8", "account", "@ayu\xc3", "account: not valid UTF-8"},
			{"status with a control character", "status", "completed\x07", "status: contains the control character U+0007"},
			{"payment method with a C1 control", "payment_method", "wal\u0085let", "payment_method: contains the control character U+0085"},
			{"order number of a few KB", "order_number", strings.Repeat("7", 3000), "order_number: 3000 bytes long; at most 256"},
			{"end before start", "end_at", "2026-11-01T09:30:00Z", "end_at: 2026-11-01T09:30:00Z is before start_at 2026-11-01T10:00:00Z"},
			{"a time past year 9999 in UTC", "end_at", "9999-12-31T23:00:00-05:00",
				`end_at: "9999-12-31T23:00:00-05:00" is 10000-01-01T04:00:00Z in UTC, outside the years 0001 to 9999`},
			{"a time before year 1 in UTC", "created_at", "0001-01-01T00:30:00+01:00",
				`created_at: "0001-01-01T00:30:00+01:00" is 0000-12-31T23:30:00Z in UTC, outside the years 0001 to 9999`},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				f := f.with(t)
				f.empty()
				order := svcOrderB
				if c.col == "order_number" {
					order = c.value
				}
				text := svcCSV(svcRow(svcOrderA, svcAccountA, 5000, nil), svcRow(order, svcAccountB, 5000, map[string]string{c.col: c.value}))
				_, err := f.importText(text, tickets.ImportOptions{})
				ie := svcWantImportErrors(t, err, "p.csv", 1, 3)
				if ie.Errors[0].Reason != c.msg {
					t.Fatalf("line 3: %q, want %q", ie.Errors[0].Reason, c.msg)
				}
				if n := f.count("promotions"); n != 0 {
					t.Fatalf("%d promotions written by a refused import", n)
				}
				sum, err := f.importText(text, tickets.ImportOptions{SkipInvalid: true})
				if err != nil {
					t.Fatalf("with --skip-invalid: %v", err)
				}
				words(t).Explain(sum)
				if sum.Inserted != 1 || sum.Skipped != 1 || len(sum.SkippedRow) != 1 || sum.SkippedRow[0].Line != 3 || sum.SkippedRow[0].Reason != c.msg {
					t.Fatalf("with --skip-invalid: %+v", sum)
				}
				if n := f.count("promotions"); n != 1 {
					t.Fatalf("%d promotions after skipping the bad row", n)
				}
			})
		}

		// JSON Lines: a NUL escaped, and bytes that are not UTF-8 (which the
		// JSON decoder would quietly turn into U+FFFD).
		good := `{"order_number":"7301000000000000011","account":"@ayu_shop","amount":1,"currency":"IDR","created_at":"2026-11-01T09:00:00Z","status":"completed"}`
		for name, c := range map[string]struct{ line, msg string }{
			"escaped NUL":      {strings.Replace(good, `"@ayu_shop"`, `"@ayu\u0000shop"`, 1), "account: contains a NUL byte"},
			"invalid UTF-8":    {strings.Replace(good, `"completed"`, "\"compl\xffeted\"", 1), "status: not valid UTF-8"},
			"long video id":    {strings.Replace(good, `"amount"`, `"video_id":"`+strings.Repeat("9", 5000)+`","amount"`, 1), "video_id: 5000 bytes long; at most 256"},
			"video id escaped": {strings.Replace(good, `"amount"`, `"video_id":"73\u00000","amount"`, 1), "video_id: contains a NUL byte"},
		} {
			t.Run("jsonl "+name, func(t *testing.T) {
				f := f.with(t)
				f.empty()
				text := strings.Replace(good, "0011", "0033", 1) + "\n" + c.line + "\n"
				_, err := f.importText(text, tickets.ImportOptions{File: "p.jsonl"})
				ie := svcWantImportErrors(t, err, "p.jsonl", 1, 2)
				if ie.Errors[0].Reason != c.msg {
					t.Fatalf("line 2: %q, want %q", ie.Errors[0].Reason, c.msg)
				}
				sum, err := f.importText(text, tickets.ImportOptions{File: "p.jsonl", SkipInvalid: true})
				if err != nil || sum.Inserted != 1 || sum.Skipped != 1 {
					t.Fatalf("with --skip-invalid: %+v, %v", sum, err)
				}
			})
		}

		// Authorizations: the video of a scope is a video id.
		for name, c := range map[string]struct{ scope, msg string }{
			"scope of a few KB":      {"video:" + strings.Repeat("7", 3000), "scope: 3006 bytes long; at most 256"},
			"scope's video too long": {"video:" + strings.Repeat("7", 200), "scope: 200 characters long; a video id has at most 128"},
			"scope with a NUL":       {"video:73\x00", "scope: contains a NUL byte"},
			"scope not UTF-8":        {"video:73\xff", "scope: not valid UTF-8"},
		} {
			t.Run("authorization "+name, func(t *testing.T) {
				f := f.with(t)
				f.empty()
				text := strings.Join(tickets.AuthorizationColumns, ",") + "\n@rev_a,account,2026-06-01T00:00:00Z,\n@rev_b," + c.scope + ",2026-06-01T00:00:00Z,\n"
				_, err := f.svc.Records.ImportAuthorizations(f.ctx, strings.NewReader(text), tickets.ImportOptions{File: "a.csv"})
				ie := svcWantImportErrors(t, err, "a.csv", 1, 3)
				if ie.Errors[0].Reason != c.msg {
					t.Fatalf("line 3: %q, want %q", ie.Errors[0].Reason, c.msg)
				}
				sum, err := f.svc.Records.ImportAuthorizations(f.ctx, strings.NewReader(text), tickets.ImportOptions{File: "a.csv", SkipInvalid: true})
				if err != nil || sum.Skipped != 1 {
					t.Fatalf("with --skip-invalid: %+v, %v", sum, err)
				}
			})
		}
	})
}

// noise is n digits that do not compress (a long value PostgreSQL cannot
// squeeze into an index entry).
func noise(n int) string {
	r := rand.New(rand.NewPCG(1, 2))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('0' + r.IntN(10))
	}
	return string(b)
}

// empty deletes the records, so each case starts with none.
func (f *svcFixture) empty() {
	f.t.Helper()
	for _, table := range []string{"promotions", "authorizations"} {
		if _, err := f.db.SQL().ExecContext(f.ctx, `DELETE FROM `+table); err != nil {
			f.t.Fatal(err)
		}
	}
}
