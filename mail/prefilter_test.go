package mail

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp/syntax"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
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

// exprTable is what the regular expressions of the reading find in the
// texts the two tests below try them on, worked out once per test binary
// and shared: finding it under -race was most of the mail package's time,
// twice over, the same text often several times (lines such as "terima
// kasih" recur across the corpora).
type exprTable struct {
	// pats is every pattern of the reading; the first nReading are the
	// refund, revocation and reason patterns (TestPrefilterNeverHidesAMatch
	// tries those), the rest the clause rules' and edge cases'.
	pats     []pattern
	nReading int
	// texts are distinct; whole[i] is a phrase written to match or a
	// mail's whole text, lower-cased as Understand does
	// (TestPrefilterNeverHidesAMatch's texts); starts[i] one of
	// TestStartsFindWhatTheExpressionFinds's: its phrases, and each mail's
	// whole text, each of its lines and each tail from a few offsets.
	texts         []string
	whole, starts []bool
	// found[i][j] is pats[j].re.FindAllStringIndex(texts[i], 4): the
	// expression matches texts[i] exactly when it is not nil.
	found [][][][]int
}

var exprAnswers = sync.OnceValues(readExprTable)

func readExprTable() (*exprTable, error) {
	x := &exprTable{}
	x.pats = append(append([]pattern{}, refundPatterns...), revocationPatterns...)
	for _, r := range reasonPatterns {
		x.pats = append(x.pats, r.ps...)
	}
	x.nReading = len(x.pats)
	x.pats = append(x.pats, keptRe, refuseRe, notUsedAgainRe, useRe, contentRe, mineRe, conditionRe, reportedRe, cancelRe, notStartedRe, stopCauseRe, targetSetRe, viewsFromRe, closedNowRe, ackRe, ackSignRe, goneRe, keptForRe, limitedRe, summonedRe)
	x.pats = append(x.pats, pats(1, `\bga\b`, `\b(ga|gak)\s+mau`, `ga(k)?\s+jadi`, `\b(i|we)\s+(stopped|ended)`, `(\bgak|tidak)\s+mau`)...)

	at := map[string]int{}
	add := func(text string, whole, starts bool) {
		i, ok := at[text]
		if !ok {
			i = len(x.texts)
			at[text] = i
			x.texts = append(x.texts, text)
			x.whole = append(x.whole, false)
			x.starts = append(x.starts, false)
		}
		x.whole[i] = x.whole[i] || whole
		x.starts[i] = x.starts[i] || starts
	}
	for _, text := range []string{
		"saya sudah bayar dua kali, tagihan ganda", "charged twice for the same promotion", "promosi saya ditolak",
		"it was removed for a policy violation", "salah pilih video", "aku hentikan promosinya sendiri",
		"i changed my mind", "gak jadi deh", "ada error, tidak berjalan", "jangkauannya cuma 2rb dari estimasi 20rb",
		"views way below the estimate", "only 1,200 views", "wrong currency", "tolong cabut izin penggunaan konten saya",
		"please stop using my videos", "withdraw my authorization", "money back please", "uang saya dikembalikan",
	} {
		add(text, true, false)
	}
	for _, text := range []string{"gak mau", "sanggar gak mau", "xga mau", "ga", "ga jadi", "gak jadi", "we stopped it, i ended it", "tidak mau gak mau"} {
		add(text, false, true)
	}
	texts, err := corpusTexts()
	if err != nil {
		return nil, err
	}
	for _, text := range texts {
		add(text, true, true)
		for _, line := range strings.Split(text, "\n") {
			add(line, false, true)
		}
		for _, k := range []int{1, 2, 3, 7, 40} {
			if k < len(text) {
				add(text[k:], false, true)
			}
		}
	}

	// The answers do not depend on each other: every core finds some.
	x.found = make([][][][]int, len(x.texts))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < len(x.texts); i = int(next.Add(1) - 1) {
				found := make([][][]int, len(x.pats))
				for j, p := range x.pats {
					found[j] = p.re.FindAllStringIndex(x.texts[i], 4)
				}
				x.found[i] = found
			}
		})
	}
	wg.Wait()
	return x, nil
}

// corpusTexts are the whole texts of the corpora's mails (subject and
// text), lower-cased as Understand reads them.
func corpusTexts() ([]string, error) {
	files, err := filepath.Glob("testdata/*/*.eml")
	if err != nil {
		return nil, err
	}
	var out []string
	for _, file := range files {
		raw, err := os.ReadFile(file)
		if err != nil {
			return nil, err
		}
		m, err := Parse(raw)
		if err != nil {
			continue
		}
		out = append(out, strings.ToLower(m.Subject+"\n"+m.Text))
	}
	return out, nil
}

// exprAnswersFor is the table, for the two tests that compare every
// pattern with its expression on it. They are pure computation, which the
// race detector makes minutes long (146 s of the package's 275 s, with
// twelve corpora) and in which it can find nothing: under -race they are
// skipped, and make test runs them again without it.
func exprAnswersFor(t *testing.T) *exprTable {
	t.Helper()
	if raceEnabled {
		t.Skip("pure computation over every corpus text: make test runs it without -race")
	}
	x, err := exprAnswers()
	if err != nil {
		t.Fatal(err)
	}
	return x
}

// The words never turn away a text its pattern matches: every pattern is
// tried on the text of every mail of the corpora, lower-cased as Understand
// does, and on phrases written to match.
func TestPrefilterNeverHidesAMatch(t *testing.T) {
	x := exprAnswersFor(t)
	texts, matched := 0, 0
	for i, text := range x.texts {
		if !x.whole[i] {
			continue
		}
		texts++
		for j, p := range x.pats[:x.nReading] {
			if x.found[i][j] != nil {
				matched++
				if !p.mayMatch(text) {
					t.Errorf("%s matches %q, but its words %q turned the text away", p.re, text, p.words)
				}
			}
		}
	}
	if matched < texts {
		t.Fatalf("only %d matches over %d texts: the check checks little", matched, texts)
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
// a word, inside one, at the very beginning). A text's index is built once
// and shared by every pattern, as Understand shares it; the texts are
// tried in parallel shards.
func TestStartsFindWhatTheExpressionFinds(t *testing.T) {
	x := exprAnswersFor(t)
	tried := 0
	for _, p := range x.pats {
		if p.at != nil {
			tried++
		}
	}
	const shards = 4
	var texts, found [shards]int
	t.Run("texts", func(t *testing.T) {
		for s := range shards {
			t.Run(fmt.Sprint(s), func(t *testing.T) {
				t.Parallel()
				for i := s; i < len(x.texts); i += shards {
					if !x.starts[i] {
						continue
					}
					text := x.texts[i]
					texts[s]++
					var ix textIndex
					in := ix.indexed(text)
					for j, p := range x.pats {
						wantAll := x.found[i][j]
						want := wantAll != nil
						if got, gotIn := p.MatchString(text), p.matchIn(text, in); got != want || gotIn != want {
							t.Errorf("%s on %q: %v (indexed %v), want %v", p.re, text, got, gotIn, want)
						}
						if want {
							found[s]++
						}
						if got := p.FindAllStringIndex(text, 4); !slices.EqualFunc(got, wantAll, slices.Equal) {
							t.Errorf("%s on %q: %v, want %v", p.re, text, got, wantAll)
						}
					}
				}
			})
		}
	})
	allTexts, allFound := 0, 0
	for s := range shards {
		allTexts += texts[s]
		allFound += found[s]
	}
	if tried < len(x.pats)/2 || allFound < allTexts {
		t.Fatalf("%d of %d patterns tried at their starts, %d matches: the check checks little", tried, len(x.pats), allFound)
	}
}

// A word table finds exactly the words strings.Contains finds, in the
// whole text of every mail of the corpora and in short ones (a word at either end, a word of
// one byte, words inside others), and a pattern of the table answers
// mayMatchIn as its words do.
func TestWordTableFindsWhatContainsFinds(t *testing.T) {
	whole, err := corpusTexts()
	if err != nil {
		t.Fatal(err)
	}
	texts := append([]string{"", "a", "ga", "dana", "refund dana", "dobel", "x dobel", "ditagih 2x", "tagihannya dua kali"}, whole...)
	for _, text := range texts {
		found := reasonTable.find(text)
		for id, w := range reasonTable.words {
			if got, want := found.hasAny([]uint16{uint16(id)}), strings.Contains(text, w); got != want {
				t.Fatalf("word %q in %q: found %v, strings.Contains %v", w, text, got, want)
			}
		}
		var ix textIndex
		ix.indexed(text)
		with := ix.withWords(reasonTable, text)
		for _, r := range reasonPatterns {
			for _, p := range r.ps {
				if p.table != reasonTable {
					t.Fatalf("%s has no word table", p.re)
				}
				if got, want := p.mayMatchIn(text, with), p.mayMatch(text); got != want {
					t.Fatalf("%s on %q: %v with the table, %v by its words", p.re, text, got, want)
				}
			}
		}
	}
}
