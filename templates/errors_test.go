package templates

import (
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"refunddesk/tickets"
)

// Every problem the domain names (tickets.ErrorCodes) has its message in
// every shipped language.
func TestErrorCodesInEveryLanguage(t *testing.T) {
	c := newCatalogT(t)
	if len(tickets.ErrorCodes) < 60 {
		t.Fatalf("tickets.ErrorCodes has %d codes", len(tickets.ErrorCodes))
	}
	for _, lang := range c.Languages() {
		have := c.IDs(lang)
		for _, code := range tickets.ErrorCodes {
			if !slices.Contains(have, "error."+code) {
				t.Errorf("%s: no message error.%s", lang, code)
			}
		}
	}
}

// domainParams reads the params the domain gives each code, from its
// Invalid(field, code, "Name", v, …), errs.add(…), conflict(code, …),
// NotFound(code, …) and NewRowProblem(column, code, …) calls.
func domainParams(t *testing.T) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	fset := token.NewFileSet()
	for _, glob := range []string{"../tickets/*.go", "../tickets/sqlstore/*.go"} {
		files, err := filepath.Glob(glob)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			file, err := parser.ParseFile(fset, f, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			ast.Inspect(file, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok {
					return true
				}
				at := -1
				switch fn := call.Fun.(type) {
				case *ast.Ident:
					switch fn.Name {
					case "Invalid", "NewRowProblem":
						at = 1
					case "conflict", "NotFound":
						at = 0
					}
				case *ast.SelectorExpr:
					x, ok := fn.X.(*ast.Ident)
					switch {
					case !ok:
					case x.Name == "errs" && fn.Sel.Name == "add", x.Name == "tickets" && (fn.Sel.Name == "Invalid" || fn.Sel.Name == "NewRowProblem"):
						at = 1
					case x.Name == "tickets" && fn.Sel.Name == "NotFound":
						at = 0
					}
				}
				if at < 0 || len(call.Args) <= at {
					return true
				}
				lit, ok := call.Args[at].(*ast.BasicLit)
				if !ok {
					return true
				}
				code, _ := strconv.Unquote(lit.Value)
				names := []string{}
				for i := at + 1; i < len(call.Args); i += 2 {
					if k, ok := call.Args[i].(*ast.BasicLit); ok {
						name, _ := strconv.Unquote(k.Value)
						names = append(names, name)
					}
				}
				out[code] = append(out[code], strings.Join(names, ","))
				return true
			})
		}
	}
	return out
}

// Each error message names only values the domain gives with its code, in
// every language, and every value given is named by some language.
func TestErrorMessagesNameTheirParams(t *testing.T) {
	c := newCatalogT(t)
	given := domainParams(t)
	if len(given) < 60 {
		t.Fatalf("the scan found %d codes", len(given))
	}
	for code, sets := range given {
		for _, set := range sets {
			names := strings.Split(set, ",")
			if set == "" {
				names = nil
			}
			named := map[string]bool{}
			for _, lang := range c.Languages() {
				for _, f := range c.fields[lang]["error."+code] {
					named[f] = true
					if !slices.Contains(names, f) {
						t.Errorf("%s: error.%s names .%s, which the domain does not give (%v)", lang, code, f, names)
					}
				}
			}
			for _, n := range names {
				if !named[n] {
					t.Errorf("error.%s is given %s, which no language's message names", code, n)
				}
			}
		}
	}
}

// The edges write the domain's problems in words: English as the domain
// wrote them before codes, Indonesian for Indonesian requesters; what wraps
// a problem is kept.
func TestErrorWords(t *testing.T) {
	c := newCatalogT(t)
	_, order := tickets.NormalizeOrder("73a01")
	big := append([]byte("%PDF-1.4\n"), make([]byte, 10<<20)...)
	_, tooBig := tickets.DefaultLimits().CheckEvidence(tickets.File{Name: "huge.pdf", Data: big})
	lim := tickets.Limits{MaxEvidenceBytes: 1 << 20, MaxEvidenceFiles: 5, MaxDetailsBytes: 1 << 10}
	_, half := lim.CheckEvidence(tickets.File{Name: "a.txt", Data: []byte(strings.Repeat("a", 3<<19))})
	closed := fmt.Errorf("act: %w", &tickets.ConflictError{Code: "ticket.closed_change", Params: tickets.Params{"Ref": "RD-7"}})
	both := fmt.Errorf("submit: %w", tickets.ValidationErrors{
		{Field: "kind", Code: "kind.missing"},
		{Field: "email", Code: "email.invalid", Params: tickets.Params{"Value": "a b"}},
	})
	other := errors.New("disk full")
	cases := []struct {
		err    error
		en, id string
	}{
		{order, `order: "73a01" is not an order number (digits only)`, `order: "73a01" bukan nomor pesanan (hanya angka)`},
		{tooBig, "evidence huge.pdf: the file is 10 MiB, more than the 10 MiB allowed per file",
			"evidence huge.pdf: ukuran file 10 MiB, melebihi batas 10 MiB per file"},
		{half, "evidence a.txt: the file is 1.5 MiB, more than the 1 MiB allowed per file",
			"evidence a.txt: ukuran file 1,5 MiB, melebihi batas 1 MiB per file"},
		{closed, "act: RD-7 is closed; reopen it before changing it: conflict",
			"act: RD-7 sudah ditutup; buka kembali sebelum mengubahnya: conflict"},
		{both, `submit: kind: missing (refund or revocation); email: "a b" is not a mail address`,
			`submit: kind: belum diisi (pengembalian dana atau pencabutan); email: "a b" bukan alamat email yang valid`},
		{other, "disk full", "disk full"},
	}
	for _, cs := range cases {
		if got := c.Error(tickets.LangEnglish, cs.err); got != cs.en {
			t.Errorf("en: %v\n got %q\nwant %q", cs.err, got, cs.en)
		}
		if got := c.Error(tickets.LangIndonesian, cs.err); got != cs.id {
			t.Errorf("id: %v\n got %q\nwant %q", cs.err, got, cs.id)
		}
	}
	if !errors.Is(closed, tickets.ErrConflict) {
		t.Error("a ConflictError is not an ErrConflict")
	}
	for n, want := range map[int64]string{0: "0 bytes", 1023: "1023 bytes", 1024: "1 KiB", 1536: "1.5 KiB", 10 << 20: "10 MiB"} {
		if got := c.Bytes(n, tickets.LangEnglish); got != want {
			t.Errorf("Bytes(%d) = %q, want %q", n, got, want)
		}
	}
}

// Every alert has its message in every language, and the bot's English is
// the words the follow-ups wrote before codes.
func TestAlertWords(t *testing.T) {
	c := newCatalogT(t)
	for _, lang := range c.Languages() {
		for _, code := range tickets.AlertCodes {
			if !slices.Contains(c.IDs(lang), "alert."+code) {
				t.Errorf("%s: no message alert.%s", lang, code)
			}
		}
	}
	h := time.Hour
	cases := []struct {
		a      tickets.Alert
		en, id string
	}{
		{tickets.Alert{Code: tickets.AlertWaitingAgent, Ref: "RD-1", Waited: 47 * h, Target: 24 * h},
			"RD-1 has waited 47 h for an agent (the first-response target is 24 h)",
			"RD-1 sudah menunggu agen selama 47 jam (target respons pertama 24 jam)"},
		{tickets.Alert{Code: tickets.AlertWaitingPlatform, Ref: "RD-2", Waited: 60 * h},
			"RD-2 has waited 2.5 days on the platform: check on it with the platform",
			"RD-2 sudah menunggu platform selama 2,5 hari: tanyakan perkembangannya ke platform"},
		{tickets.Alert{Code: tickets.AlertNotResolved, Ref: "RD-3", Waited: 5 * 24 * h},
			"RD-3 was approved 5 days ago and is not resolved: resolve it once the refund is paid",
			"RD-3 disetujui 5 hari yang lalu dan belum diselesaikan: selesaikan setelah dananya dibayarkan"},
	}
	for _, cs := range cases {
		if got := c.Alert(tickets.LangEnglish, cs.a); got != cs.en {
			t.Errorf("en: got %q, want %q", got, cs.en)
		}
		if got := c.Alert(tickets.LangIndonesian, cs.a); got != cs.id {
			t.Errorf("id: got %q, want %q", got, cs.id)
		}
	}
	if got := c.Span(40*time.Minute, tickets.LangEnglish); got != "40 min" {
		t.Errorf("Span(40m) = %q", got)
	}
}

// The query language's problems, things not found and an import's bad rows
// are codes too: the English as before codes, and Indonesian.
func TestErrorWordsOfQueriesLookupsAndRows(t *testing.T) {
	c := newCatalogT(t)
	_, query := tickets.ParseQuery("kind:refund status:nwe", time.Now(), "")
	_, typo := tickets.ParseQuery("stauts:new", time.Now(), "")
	missing := fmt.Errorf("show: %w", tickets.NotFound("ticket.not_found", "Ref", "RD-9"))
	rows := &tickets.ImportErrors{Total: 3, Errors: []tickets.LineError{
		{File: "p.csv", Line: 3, Problems: []tickets.RowProblem{
			tickets.NewRowProblem("amount", "row.not_whole", "Value", "x"),
			tickets.NewRowProblem("currency", "row.empty"),
		}},
		{File: "p.csv", Line: 4, Problems: []tickets.RowProblem{tickets.NewRowProblem("", "row.field_count", "Fields", 2, "Header", 4)}},
	}}
	cases := []struct {
		err    error
		en, id string
	}{
		{query, `query: at 13, "status:nwe": "nwe" is not a status (one of new, needs_info, in_review, waiting_platform, approved, denied, resolved, closed)`,
			`query: pada 13, "status:nwe": "nwe" bukan nilai status yang dikenal (salah satu dari new, needs_info, in_review, waiting_platform, approved, denied, resolved, closed)`},
		{typo, `query: at 1, "stauts:new": unknown field "stauts" (did you mean status?)`,
			`query: pada 1, "stauts:new": kolom "stauts" tidak dikenal (maksud Anda status?)`},
		{missing, "show: ticket RD-9: not found", "show: tiket RD-9 tidak ditemukan"},
		{rows, "3 bad row(s), nothing imported:\n  p.csv:3: amount: \"x\" is not a whole number; currency: empty\n  p.csv:4: 2 fields, the header has 4\n  … and 1 more",
			"3 baris bermasalah, tidak ada yang diimpor:\n  p.csv:3: amount: \"x\" bukan bilangan bulat; currency: kosong\n  p.csv:4: 2 kolom, padahal baris judul memiliki 4\n  … dan 1 lainnya"},
	}
	for _, cs := range cases {
		if got := c.Error(tickets.LangEnglish, cs.err); got != cs.en {
			t.Errorf("en: %v\n got %q\nwant %q", cs.err, got, cs.en)
		}
		if got := c.Error(tickets.LangIndonesian, cs.err); got != cs.id {
			t.Errorf("id: %v\n got %q\nwant %q", cs.err, got, cs.id)
		}
	}
	if !errors.Is(missing, tickets.ErrNotFound) {
		t.Error("a NotFoundError is not an ErrNotFound")
	}
	// Explain writes a skipped row's reason, and a skipped retry's why, in English.
	sum := &tickets.ImportSummary{SkippedRow: rows.Errors[:1]}
	c.Explain(sum)
	if got, want := sum.SkippedRow[0].Reason, `amount: "x" is not a whole number; currency: empty`; got != want {
		t.Errorf("skipped row's reason %q, want %q", got, want)
	}
	retried := &tickets.OutboxRetried{Skipped: []tickets.OutboxSkipped{{OutboxItem: tickets.OutboxItem{ID: 5}, Code: "outbox.no_ticket", Params: tickets.Params{"ID": int64(5)}}}}
	c.Explain(retried)
	if got, want := retried.Skipped[0].Why, "outbox item 5 belongs to no ticket, so a retry could not be recorded in an audit trail"; got != want {
		t.Errorf("skipped retry's why %q, want %q", got, want)
	}
}
