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
}

func newPattern(expr string, weight int) pattern {
	p := pattern{re: regexp.MustCompile(expr), weight: weight}
	if re, err := syntax.Parse(expr, syntax.Perl); err == nil {
		p.words = mustContainAll(re.Simplify())
	}
	return p
}

// mayMatch is false when text cannot match: it lacks every word of one of
// the sets.
func (p pattern) mayMatch(text string) bool {
	for _, set := range p.words {
		if !containsAny(text, set) {
			return false
		}
	}
	return true
}

func containsAny(text string, words []string) bool {
	for _, w := range words {
		if strings.Contains(text, w) {
			return true
		}
	}
	return false
}

// MatchString reports whether text matches, looking for the words first.
func (p pattern) MatchString(text string) bool { return p.mayMatch(text) && p.re.MatchString(text) }

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
func exact(re *syntax.Regexp) []string {
	switch re.Op {
	case syntax.OpLiteral:
		if re.Flags&syntax.FoldCase != 0 {
			return nil
		}
		return []string{string(re.Rune)}
	case syntax.OpCapture:
		return exact(re.Sub[0])
	case syntax.OpAlternate:
		var out []string
		for _, sub := range re.Sub {
			e := exact(sub)
			if e == nil || len(out)+len(e) > 16 {
				return nil
			}
			out = append(out, e...)
		}
		return out
	case syntax.OpConcat:
		out := []string{""}
		for _, sub := range re.Sub {
			e := exact(sub)
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
