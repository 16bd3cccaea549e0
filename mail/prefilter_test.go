package mail

import (
	"os"
	"path/filepath"
	"regexp/syntax"
	"slices"
	"strings"
	"testing"
)

func TestMustContain(t *testing.T) {
	for _, c := range []struct {
		expr string
		want []string // sorted; nil: nothing known
	}{
		{`refund`, []string{"refund"}},
		{`\bpaid\b`, []string{"paid"}},
		{`(tidak|gak|nggak)\s+jadi\b`, []string{"jadi"}},
		{`(dobel|double)`, []string{"dobel", "double"}},
		{`close[d]?\s+(the\s+|my\s+)?promotion`, []string{"promotion"}},
		{`\bviews?\b.{0,30}\b(low|below)\b`, []string{"view"}},
		{`(the\s+)?x`, []string{"x"}},
		{`a|b*`, nil},
		{`[a-z]+`, nil},
		{`(?i)refund`, nil}, // folded: not a plain substring
		{`(ab){2,}`, []string{"ab"}},
		{`(ab){0,2}`, nil},
	} {
		re, err := syntax.Parse(c.expr, syntax.Perl)
		if err != nil {
			t.Fatal(err)
		}
		got := mustContain(re.Simplify())
		slices.Sort(got)
		if !slices.Equal(got, c.want) {
			t.Errorf("%s: %q, want %q", c.expr, got, c.want)
		}
	}
}

// Every set of words a phrase needs is known, not only the one that
// filters best: "ga" is in "sanggar", but "mau" or "ingin" must be there too.
func TestMustContainAll(t *testing.T) {
	for _, c := range []struct {
		expr string
		want [][]string // each set sorted; nil: nothing known
	}{
		{`refund`, [][]string{{"refund"}}},
		{`(tidak|gak|nggak|ga|tdk)\s+(mau|ingin)\s+(lagi|promosi)`,
			[][]string{{"lagi", "promosi"}, {"ga", "gak", "nggak", "tdk", "tidak"}, {"ingin", "mau"}}},
		{`pengembalian\s+dana`, [][]string{{"pengembalian"}, {"dana"}}},
		{`close[d]?\s+(the\s+|my\s+)?promotion`, [][]string{{"promotion"}, {"close"}}},
		{`(di\s*bawah|jauh\s+dari)\s+(estimasi|target)`, [][]string{{"estimasi", "target"}, {"bawah", "jauh"}}},
		{`a|b*`, nil},
		{`[a-z]+`, nil},
	} {
		re, err := syntax.Parse(c.expr, syntax.Perl)
		if err != nil {
			t.Fatal(err)
		}
		got := mustContainAll(re.Simplify())
		for _, set := range got {
			slices.Sort(set)
		}
		if !slices.EqualFunc(got, c.want, slices.Equal) {
			t.Errorf("%s: %q, want %q", c.expr, got, c.want)
		}
	}
	p := newPattern(`(tidak|gak|nggak|ga|tdk)\s+(mau|ingin)\s+(lagi|promosi)`, 1)
	if p.mayMatch("akun @sanggar.tari: promosi saya") {
		t.Error("a text with ga and promosi but neither mau nor ingin is not turned away")
	}
	if !p.mayMatch("gak mau promosi lagi") || !p.MatchString("gak mau promosi lagi") {
		t.Error("the phrase itself is turned away")
	}
}

// The words never turn away a text its pattern matches: every pattern is
// tried on the text of every mail of the corpora, lower-cased as Understand
// does, and on phrases written to match.
func TestPrefilterNeverHidesAMatch(t *testing.T) {
	all := append(append([]pattern{}, refundPatterns...), revocationPatterns...)
	for _, r := range reasonPatterns {
		all = append(all, r.ps...)
	}
	texts := []string{
		"saya sudah bayar dua kali, tagihan ganda", "charged twice for the same promotion", "promosi saya ditolak",
		"it was removed for a policy violation", "salah pilih video", "aku hentikan promosinya sendiri",
		"i changed my mind", "gak jadi deh", "ada error, tidak berjalan", "jangkauannya cuma 2rb dari estimasi 20rb",
		"views way below the estimate", "only 1,200 views", "wrong currency", "tolong cabut izin penggunaan konten saya",
		"please stop using my videos", "withdraw my authorization", "money back please", "uang saya dikembalikan",
	}
	files, _ := filepath.Glob("testdata/*/*.eml")
	for _, file := range files {
		raw, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		m, err := Parse(raw)
		if err != nil {
			continue
		}
		texts = append(texts, strings.ToLower(m.Subject+"\n"+m.Text))
	}
	matched := 0
	for _, p := range all {
		for _, text := range texts {
			if p.re.MatchString(text) {
				matched++
				if !p.mayMatch(text) {
					t.Errorf("%s matches %q, but its words %q turned the text away", p.re, text, p.words)
				}
			}
		}
	}
	if matched < len(texts) {
		t.Fatalf("only %d matches over %d texts: the check checks little", matched, len(texts))
	}
}

func TestMatchStarts(t *testing.T) {
	for _, c := range []struct {
		expr string
		want []string // nil: every position is tried
		wb   bool
	}{
		{`\bcabut`, []string{"cabut"}, true},
		{`(tidak|gak|ga|gk)\s+mau`, []string{"ga", "gak", "gk", "tidak"}, false},
		{`(uang|dana)(nya)?\s+balik`, []string{"dana", "dananya", "uang", "uangnya"}, false},
		{`(di)?kembali`, []string{"dikembali", "kembali"}, false},
		{`\b(i|we)\s+stopped`, []string{"i", "we"}, true},
		{`\b(?:x|\.y)`, nil, false},   // a \b before a non-word character
		{`(?:^|\W)tidak`, nil, false}, // an assertion or a class first
		{`\w+nya`, nil, false},
		{`(a)?`, nil, false}, // the empty match
	} {
		re, err := syntax.Parse(c.expr, syntax.Perl)
		if err != nil {
			t.Fatal(err)
		}
		got, wb := matchStarts(re)
		if !slices.Equal(got, c.want) || wb != c.wb {
			t.Errorf("%s: %q %v, want %q %v", c.expr, got, wb, c.want, c.wb)
		}
	}
}

// Trying a pattern only where its starts are, and looking its words up in
// the text's index of pairs of bytes, finds exactly what the regular
// expression finds: every pattern of the reading, and a few written
// to reach the edge cases, on the text of every mail of the corpora, each
// of its lines and each tail of it from a few offsets (a start right after
// a word, inside one, at the very beginning).
func TestStartsFindWhatTheExpressionFinds(t *testing.T) {
	all := append(append([]pattern{}, refundPatterns...), revocationPatterns...)
	for _, r := range reasonPatterns {
		all = append(all, r.ps...)
	}
	all = append(all, keptRe, refuseRe, notUsedAgainRe, useRe, contentRe, mineRe, concededRe)
	all = append(all, pats(1, `\bga\b`, `\b(ga|gak)\s+mau`, `ga(k)?\s+jadi`, `\b(i|we)\s+(stopped|ended)`, `(\bgak|tidak)\s+mau`)...)
	texts := []string{"gak mau", "sanggar gak mau", "xga mau", "ga", "ga jadi", "gak jadi", "we stopped it, i ended it", "tidak mau gak mau"}
	files, _ := filepath.Glob("testdata/*/*.eml")
	for _, file := range files {
		raw, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		m, err := Parse(raw)
		if err != nil {
			continue
		}
		text := strings.ToLower(m.Subject + "\n" + m.Text)
		texts = append(texts, text)
		texts = append(texts, strings.Split(text, "\n")...)
		for _, k := range []int{1, 2, 3, 7, 40} {
			if k < len(text) {
				texts = append(texts, text[k:])
			}
		}
	}
	tried, found := 0, 0
	for _, p := range all {
		if p.at != nil {
			tried++
		}
		for _, text := range texts {
			want := p.re.MatchString(text)
			var ix textIndex
			if got, gotIn := p.MatchString(text), p.matchIn(text, ix.indexed(text)); got != want || gotIn != want {
				t.Errorf("%s on %q: %v (indexed %v), want %v", p.re, text, got, gotIn, want)
			}
			if want {
				found++
			}
			if got, want := p.FindAllStringIndex(text, 4), p.re.FindAllStringIndex(text, 4); !slices.EqualFunc(got, want, slices.Equal) {
				t.Errorf("%s on %q: %v, want %v", p.re, text, got, want)
			}
		}
	}
	if tried < len(all)/2 || found < len(texts) {
		t.Fatalf("%d of %d patterns tried at their starts, %d matches: the check checks little", tried, len(all), found)
	}
}
