package mail

import (
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"
)

// A pattern is a regular expression for lower-cased text, with the words
// any match must contain. Most patterns match nothing in a given mail, and a
// pattern that begins with an alternation ("(tidak|gak) jadi") is tried at
// every position of the text; looking for its words first (a fast
// substring search) skips it in a few nanoseconds.
type pattern struct {
	re     *regexp.Regexp
	weight int
	// words: a match contains one word of each set ("(tidak|ga)\s+(mau|
	// ingin)\s+lagi" one of tidak and ga, one of mau and ingin, and lagi);
	// nil when nothing is known.
	words [][]string
	// starts: when every match begins with one of these strings (after a
	// leading \b, wordStart), the pattern is tried only where one of them
	// is, anchored there (at), instead of at every position of the text.
	starts    []string
	wordStart bool
	at        *regexp.Regexp
	// table and ids: when the pattern is one of a group whose words are
	// numbered (a wordTable), its sets of words by number, so that a text
	// searched once for the whole group's words answers mayMatchIn.
	table *wordTable
	ids   [][]uint16
}

func newPattern(expr string, weight int) pattern {
	p := pattern{re: regexp.MustCompile(expr), weight: weight}
	if re, err := syntax.Parse(expr, syntax.Perl); err == nil {
		p.words = mustContainAll(re.Simplify())
		p.starts, p.wordStart = matchStarts(re)
		if p.starts != nil {
			p.at = regexp.MustCompile(`^(?:` + expr + `)`)
		}
	}
	return p
}

// matchStarts returns strings one of which begins every match of re, and
// whether a \b comes before them; nil when it cannot tell. After a leading
// \b every string begins with an ASCII word character, so that the \b
// holds at a string's position exactly when the character before it is not
// one.
func matchStarts(re *syntax.Regexp) ([]string, bool) {
	if re.Op == syntax.OpAlternate {
		// "\bset\s+…|\btarget\s+…": each branch's starts, when every
		// branch has some, and a \b before all of them or before none.
		var out []string
		wb := false
		for i, b := range re.Sub {
			s, w := matchStarts(b)
			if s == nil || i > 0 && w != wb {
				return nil, false
			}
			out, wb = append(out, s...), w
		}
		slices.Sort(out)
		return slices.Compact(out), wb
	}
	seq, wb := []*syntax.Regexp{re}, false
	if re.Op == syntax.OpConcat && len(re.Sub) > 1 && re.Sub[0].Op == syntax.OpWordBoundary {
		seq, wb = re.Sub[1:], true
	}
	starts := startsOf(seq)
	if wb {
		for _, s := range starts {
			if !isASCIIWord(s[0]) {
				return nil, false
			}
		}
	}
	if starts == nil {
		return nil, false
	}
	return starts, wb
}

// startsOf returns strings one of which begins every match of the
// sequence seq, or nil: when a match may begin with anything else, with an
// assertion, or be empty.
func startsOf(seq []*syntax.Regexp) []string {
	if len(seq) == 0 {
		return nil
	}
	first, rest := seq[0], seq[1:]
	with := func(sub ...*syntax.Regexp) []*syntax.Regexp {
		return append(append([]*syntax.Regexp{}, sub...), rest...)
	}
	var out []string
	switch first.Op {
	case syntax.OpLiteral, syntax.OpCharClass:
		e := exactOpt(first)
		if e == nil || slices.Contains(e, "") {
			return nil
		}
		out = e
		for _, sub := range rest { // longer strings turn away more positions
			e := exactOpt(sub)
			if e == nil || len(out)*len(e) > 16 {
				break
			}
			out = product(out, e)
		}
	case syntax.OpCapture:
		return startsOf(with(first.Sub[0]))
	case syntax.OpConcat:
		return startsOf(with(first.Sub...))
	case syntax.OpAlternate:
		for _, b := range first.Sub {
			s := startsOf(with(b))
			if s == nil {
				return nil
			}
			out = append(out, s...)
		}
	case syntax.OpQuest:
		a, b := startsOf(with(first.Sub[0])), startsOf(rest)
		if a == nil || b == nil {
			return nil
		}
		out = append(a, b...)
	case syntax.OpPlus:
		return startsOf(first.Sub[:1])
	case syntax.OpRepeat:
		if first.Min < 1 {
			return nil
		}
		return startsOf(first.Sub[:1])
	default:
		return nil
	}
	slices.Sort(out)
	out = slices.Compact(out)
	if len(out) > 32 {
		return nil
	}
	for _, s := range out {
		if s == "" {
			return nil
		}
	}
	return out
}

// exactOpt is exact with optional parts ("ak?" is "a" or "ak"; "" for
// an optional part alone).
func exactOpt(re *syntax.Regexp) []string { return exactStrings(re, true) }

func isASCIIWord(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
}

// first returns where the leftmost match of p in text begins, or -1: the
// least position where one of p's starts is (after a word boundary when
// p has one) and p matches anchored. Only a leading \b looks at what
// comes before a match, so p matches there exactly when it matches the
// text from there.
func (p pattern) first(text string, x *textIndex) int {
	best := -1
	for _, s := range p.starts {
		if !x.mayHave(s) {
			continue
		}
		for from := 0; ; {
			i := strings.Index(text[from:], s)
			if i < 0 {
				break
			}
			i += from
			if best >= 0 && i >= best {
				break
			}
			if (!p.wordStart || i == 0 || !isASCIIWord(text[i-1])) && p.at.MatchString(text[i:]) {
				best = i
				break
			}
			from = i + 1
		}
	}
	return best
}

// FindAllStringIndex is p.re.FindAllStringIndex, begun at the leftmost
// match.
func (p pattern) FindAllStringIndex(text string, n int) [][]int {
	if p.at == nil {
		return p.re.FindAllStringIndex(text, n)
	}
	at := p.first(text, nil)
	if at < 0 {
		return nil
	}
	locs := p.re.FindAllStringIndex(text[at:], n)
	for _, loc := range locs {
		loc[0] += at
		loc[1] += at
	}
	return locs
}

// mayMatch is false when text cannot match: it lacks every word of one of
// the sets.
func (p pattern) mayMatch(text string) bool { return p.mayMatchIn(text, nil) }

// mayMatchIn is mayMatch with text's index (nil for none).
func (p pattern) mayMatchIn(text string, x *textIndex) bool {
	if x != nil && p.table != nil && x.table == p.table {
		for _, set := range p.ids {
			if !x.found.hasAny(set) {
				return false
			}
		}
		return true
	}
	for _, set := range p.words {
		if !containsAny(text, set, x) {
			return false
		}
	}
	return true
}

func containsAny(text string, words []string, x *textIndex) bool {
	for _, w := range words {
		if x.mayHave(w) && strings.Contains(text, w) {
			return true
		}
	}
	return false
}

// A textIndex is the bytes and pairs of bytes a text has: a word with one
// the text lacks is not in it, which is found without scanning the text.
// Many patterns tried on one text share it.
type textIndex struct {
	bytes [4]uint64
	pairs [1 << 16 / 64]uint64
	built bool // bytes and pairs are the text's (else anything may be)
	// found: the words of table the text holds (withWords).
	table *wordTable
	found wordsFound
}

// indexed returns x built for text, or nil when text is too short for an
// index to pay.
func (x *textIndex) indexed(text string) *textIndex {
	if len(text) < 32 {
		return nil
	}
	x.built = true
	for i := range len(text) {
		c := uint(text[i])
		x.bytes[c>>6] |= 1 << (c & 63)
		if i+1 < len(text) {
			k := c<<8 | uint(text[i+1])
			x.pairs[k>>6] |= 1 << (k & 63)
		}
	}
	return x
}

// mayHave is false when w is not in the text (true without an index).
func (x *textIndex) mayHave(w string) bool {
	if x == nil || !x.built {
		return true
	}
	if len(w) == 1 {
		c := uint(w[0])
		return x.bytes[c>>6]&(1<<(c&63)) != 0
	}
	for i := 0; i+1 < len(w); i++ {
		k := uint(w[i])<<8 | uint(w[i+1])
		if x.pairs[k>>6]&(1<<(k&63)) == 0 {
			return false
		}
	}
	return true
}

// MatchString reports whether text matches, looking for the words first.
func (p pattern) MatchString(text string) bool { return p.matchIn(text, nil) }

// matchIn is MatchString with text's index (nil for none).
func (p pattern) matchIn(text string, x *textIndex) bool {
	if !p.mayMatchIn(text, x) {
		return false
	}
	if p.at != nil {
		return p.first(text, x) >= 0
	}
	return p.re.MatchString(text)
}

// mustContainAll returns sets of strings such that every match of re
// contains one of each set, the set mustContain gives first (it filters
// best); nil when nothing is known. A short word seldom turns a text away
// alone ("ga" is in "sanggar"), but rarely is every set of a phrase in a
// text that does not say it.
func mustContainAll(re *syntax.Regexp) [][]string {
	best := mustContain(re)
	if best == nil {
		return nil
	}
	out := [][]string{best}
	for _, set := range allParts(re) {
		if !slices.Equal(set, best) {
			out = append(out, set)
		}
	}
	return out
}

// allParts returns every set of strings a match of re must contain one
// of, found through concatenations (each run of exact parts, as
// mustContain reads them, and each other part), captures and repeats.
func allParts(re *syntax.Regexp) [][]string {
	switch re.Op {
	case syntax.OpCapture, syntax.OpPlus:
		return allParts(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return allParts(re.Sub[0])
		}
		return nil
	case syntax.OpConcat:
		var out [][]string
		var run []string
		end := func() {
			if run != nil {
				out = append(out, run)
			}
			run = nil
		}
		for _, sub := range re.Sub {
			e := exact(sub)
			if e != nil && len(run)*len(e) <= 16 {
				run = product(run, e)
				continue
			}
			end()
			run = e
			if e == nil {
				out = append(out, allParts(sub)...)
			}
		}
		end()
		return out
	}
	if w := mustContain(re); w != nil {
		return [][]string{w}
	}
	return nil
}

// mustContain returns strings one of which every match of re contains, or
// nil when it cannot tell. Case-folded literals give nil: the patterns are
// written for lower-cased text and carry no (?i).
func mustContain(re *syntax.Regexp) []string {
	if e := exact(re); e != nil {
		return e
	}
	switch re.Op {
	case syntax.OpCapture:
		return mustContain(re.Sub[0])
	case syntax.OpPlus:
		return mustContain(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return mustContain(re.Sub[0])
		}
		return nil
	case syntax.OpAlternate:
		var out []string
		for _, sub := range re.Sub {
			w := mustContain(sub)
			if w == nil {
				return nil // one branch needs no word: nothing is known
			}
			out = append(out, w...)
		}
		return out
	case syntax.OpConcat:
		// Runs of parts that match a few exact strings ("do" then "bel" or
		// "uble") give their products; any run, or any other part's words,
		// will do, and the set whose shortest word is longest filters best.
		var best, run []string
		consider := func(w []string) {
			if w != nil && shortest(w) > shortest(best) {
				best = w
			}
		}
		for _, sub := range re.Sub {
			e := exact(sub)
			if e != nil && len(run)*len(e) <= 16 {
				run = product(run, e)
				continue
			}
			consider(run)
			run = e // a new run, or none
			if e == nil {
				consider(mustContain(sub))
			}
		}
		consider(run)
		return best
	}
	return nil
}

// exact returns the few strings re matches, or nil when they are many or
// not known.
func exact(re *syntax.Regexp) []string { return exactStrings(re, false) }

// exactStrings is exact, and with opt exactOpt: optional parts and the
// empty match count too.
func exactStrings(re *syntax.Regexp, opt bool) []string {
	switch re.Op {
	case syntax.OpEmptyMatch:
		if opt {
			return []string{""}
		}
		return nil
	case syntax.OpQuest:
		if !opt {
			return nil
		}
		if e := exactStrings(re.Sub[0], true); e != nil && len(e) < 16 {
			return append(e, "")
		}
		return nil
	case syntax.OpLiteral:
		if re.Flags&syntax.FoldCase != 0 {
			return nil
		}
		return []string{string(re.Rune)}
	case syntax.OpCharClass:
		// A few characters ("g[ak]" from "ga|gk"); \d and the like are
		// too many.
		var out []string
		for i := 0; i+1 < len(re.Rune); i += 2 {
			for r := re.Rune[i]; r <= re.Rune[i+1]; r++ {
				if len(out) == 4 {
					return nil
				}
				out = append(out, string(r))
			}
		}
		return out
	case syntax.OpCapture:
		return exactStrings(re.Sub[0], opt)
	case syntax.OpAlternate:
		var out []string
		for _, sub := range re.Sub {
			e := exactStrings(sub, opt)
			if e == nil || len(out)+len(e) > 16 {
				return nil
			}
			out = append(out, e...)
		}
		return out
	case syntax.OpConcat:
		out := []string{""}
		for _, sub := range re.Sub {
			e := exactStrings(sub, opt)
			if e == nil || len(out)*len(e) > 16 {
				return nil
			}
			out = product(out, e)
		}
		return out
	}
	return nil
}

// product is every a followed by every b (b alone when a is empty).
func product(a, b []string) []string {
	if len(a) == 0 {
		return b
	}
	out := make([]string, 0, len(a)*len(b))
	for _, x := range a {
		for _, y := range b {
			out = append(out, x+y)
		}
	}
	return out
}

// shortest is the length of the shortest word (0 for none).
func shortest(words []string) int {
	if len(words) == 0 {
		return 0
	}
	n := len(words[0])
	for _, w := range words[1:] {
		n = min(n, len(w))
	}
	return n
}

// A wordTable numbers the words of a group of patterns tried on the same
// texts (the reasons' several hundred) and finds in one pass over a text
// which of them it holds: each pattern then asks the pass, instead of
// searching the text for each of its words.
type wordTable struct {
	words []string
	// heads: the pairs of bytes some word of two bytes or more begins
	// with; byHead, those words by their first two bytes; single, the
	// one-byte words by their byte.
	heads  [1 << 16 / 64]uint64
	byHead map[uint16][]uint16
	single [256][]uint16
}

// newWordTable numbers the words of the patterns of groups, and gives
// each pattern its table and its sets of words by number (in place: the
// groups are the tables the patterns are tried from).
func newWordTable(groups ...[]pattern) *wordTable {
	t := &wordTable{byHead: map[uint16][]uint16{}}
	ids := map[string]uint16{}
	for _, g := range groups {
		for i := range g {
			p := &g[i]
			if p.words == nil {
				continue
			}
			p.table, p.ids = t, make([][]uint16, len(p.words))
			for j, set := range p.words {
				for _, w := range set {
					id, ok := ids[w]
					if !ok {
						id = uint16(len(t.words))
						ids[w] = id
						t.words = append(t.words, w)
						if len(w) == 1 {
							t.single[w[0]] = append(t.single[w[0]], id)
						} else {
							k := uint16(w[0])<<8 | uint16(w[1])
							t.heads[k>>6] |= 1 << (k & 63)
							t.byHead[k] = append(t.byHead[k], id)
						}
					}
					p.ids[j] = append(p.ids[j], id)
				}
			}
		}
	}
	if len(t.words) > 1<<16 {
		panic("wordTable: more than 65,536 words") // the tables are the package's own
	}
	return t
}

// withWords returns x holding the words of t that text holds (x may be
// an index not built, for a short text).
func (x *textIndex) withWords(t *wordTable, text string) *textIndex {
	x.table, x.found = t, t.find(text)
	return x
}

// find returns the words text holds, exactly: every position where one
// may begin is checked.
func (t *wordTable) find(text string) wordsFound {
	found := make(wordsFound, (len(t.words)+63)/64)
	for i := 0; i < len(text); i++ {
		for _, id := range t.single[text[i]] {
			found[id>>6] |= 1 << (id & 63)
		}
		if i+1 == len(text) {
			break
		}
		k := uint16(text[i])<<8 | uint16(text[i+1])
		if t.heads[k>>6]&(1<<(k&63)) == 0 {
			continue
		}
		rest := text[i:]
		for _, id := range t.byHead[k] {
			if strings.HasPrefix(rest, t.words[id]) {
				found[id>>6] |= 1 << (id & 63)
			}
		}
	}
	return found
}

// wordsFound is a set of a wordTable's words, by number.
type wordsFound []uint64

// hasAny reports whether one of ids is in f.
func (f wordsFound) hasAny(ids []uint16) bool {
	for _, id := range ids {
		if f[id>>6]&(1<<(id&63)) != 0 {
			return true
		}
	}
	return false
}
