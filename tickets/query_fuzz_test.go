package tickets

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParseQuery: whatever an agent types, the query language answers with
// a query or a validation error that names the query — never a panic —
// and a parsed query is made of its terms as written: each term's Raw is
// the text at its Pos, holds no control character, and the terms written
// out again parse to the same query.
func FuzzParseQuery(f *testing.F) {
	for _, s := range []string{
		"status:in_review kind:refund older:2d", "-status:closed,resolved overdue", `"free text" word*`,
		"created:2026-01-01..9999-12-31", "updated:>=2026-11-01T08:00:00+07:00 sort:-updated", "assignee:me,none account:@ayu",
		"order:7301* ref:RD-12", `account:"@a b"`, `"a\"b" -"c\\d"`, "flag:account_mismatch -overdue sort:updated",
		"views\x00", "-", ":x", `"`, "status:open,new,,", "created:..2026-01-01", "older:99999d", "\u00a0status:new",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := ParseQuery(s, queryNow, "ayu")
		if err != nil {
			var ve *ValidationError
			if !errors.As(err, &ve) || ve.Field != "query" {
				t.Fatalf("ParseQuery(%q): %v (%T), want a validation error of the query", s, err, err)
			}
			if q != nil {
				t.Fatalf("ParseQuery(%q) returned a query with its error", s)
			}
			return
		}
		if len(q.Terms) > maxQueryTerms {
			t.Fatalf("%d terms", len(q.Terms))
		}
		raws := make([]string, 0, len(q.Terms)+1)
		for _, tm := range q.Terms {
			if tm.Pos < 0 || tm.Pos+len(tm.Raw) > len(s) || s[tm.Pos:tm.Pos+len(tm.Raw)] != tm.Raw {
				t.Fatalf("term %q is not at %d of %q", tm.Raw, tm.Pos, s)
			}
			if strings.ContainsFunc(tm.Raw, isControl) || !utf8.ValidString(tm.Raw) {
				t.Fatalf("term %q holds a control character or bad UTF-8", tm.Raw)
			}
			if len(tm.Values) > maxTermValues {
				t.Fatalf("term %q has %d values", tm.Raw, len(tm.Values))
			}
			if tm.Field == FieldText && (len(tm.Values) != 1 || tm.Values[0] == "") {
				t.Fatalf("free text %q has values %q", tm.Raw, tm.Values)
			}
			if tm.From != nil && tm.To != nil && tm.Field != FieldOlder && tm.From.After(*tm.To) && !strings.Contains(tm.Raw, "..") {
				t.Fatalf("term %q: from %v after to %v", tm.Raw, tm.From, tm.To)
			}
			raws = append(raws, tm.Raw)
		}
		if q.Sort != DefaultSort {
			sort := "sort:" + q.Sort.Field
			if q.Sort.Desc {
				sort = "sort:-" + q.Sort.Field
			}
			raws = append(raws, sort)
		}
		again, err := ParseQuery(strings.Join(raws, " "), queryNow, "ayu")
		if err != nil {
			t.Fatalf("%q parsed, but its terms written out again do not: %q: %v", s, strings.Join(raws, " "), err)
		}
		if again.Sort != q.Sort || len(again.Terms) != len(q.Terms) {
			t.Fatalf("%q and %q parse differently", s, strings.Join(raws, " "))
		}
		for i := range q.Terms {
			a, b := q.Terms[i], again.Terms[i]
			a.Pos, b.Pos = 0, 0
			if !reflect.DeepEqual(a, b) {
				t.Fatalf("term %d of %q: %+v, written out again %+v", i, s, a, b)
			}
		}
	})
}
