package tickets

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Who a person is, for their erasure and their export: the contacts that
// name them and how they are found in text. See docs/personal-data.md.

// CheckDiscordID checks a Discord id given to name a person (an erasure,
// an export): a snowflake, 17 to 20 digits (every id since 2015). A
// shorter number would be found whole in too many places (counts,
// amounts, orders), and would name nobody.
func CheckDiscordID(id string) error {
	if len(id) < 17 || len(id) > 20 {
		return Invalid("discord_id", "discord_id.invalid", "Value", id)
	}
	for i := 0; i < len(id); i++ {
		if !isDigit(id[i]) {
			return Invalid("discord_id", "discord_id.invalid", "Value", id)
		}
	}
	return nil
}

// Identity is a matcher for what names the person in free text and
// actors: their mail addresses in any case, their Discord ids, and, as a
// whole actor or author, their names; in free text (Scrub), also their
// names and account handles.
type Identity struct {
	Emails     []string // lower case
	DiscordIDs []string
	Names      []string
	// Accounts are the account handles they gave (@name), not ones the
	// desk took from an order's record.
	Accounts []string

	scrub []mention // built by Scrub on first use
}

// IdentityOf is the person f found.
func IdentityOf(f *ErasureFound) Identity {
	return Identity{Emails: f.Emails, DiscordIDs: f.DiscordIDs, Names: f.Names, Accounts: f.Accounts}
}

// Mentions reports whether s holds one of the person's addresses (any
// case) or Discord ids, whole: ayu@example.com is not in
// kayu@example.com or ayu@example.com.au, nor is the id 1234 in 91234.
func (id Identity) Mentions(s string) bool {
	if s == "" {
		return false
	}
	low := strings.ToLower(s)
	for _, e := range id.Emails {
		if e != "" && containsWhole(low, e, isAddressByte) {
			return true
		}
	}
	for _, d := range id.DiscordIDs {
		if d != "" && containsWhole(s, d, isDigit) {
			return true
		}
	}
	return false
}

// containsWhole reports whether word is in s with no byte of the same
// kind (part) right before or after it; a dot after it ends it unless
// part of a longer name follows (a sentence's full stop).
func containsWhole(s, word string, part func(byte) bool) bool {
	for from := 0; ; {
		i := strings.Index(s[from:], word)
		if i < 0 {
			return false
		}
		i += from
		end := i + len(word)
		before := i == 0 || !part(s[i-1]) && s[i-1] != '.'
		after := end == len(s) || !part(s[end]) && (s[end] != '.' || end+1 == len(s) || !part(s[end+1]))
		if before && after {
			return true
		}
		from = i + 1
	}
}

func isDigit(b byte) bool { return b >= '0' && b <= '9' }

// isAddressByte: a byte that may be part of a mail address, besides a dot.
func isAddressByte(b byte) bool {
	return isDigit(b) || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b == '-' || b == '_' || b == '+' || b == '%' || b >= 0x80
}

// IsActor reports whether an actor or a message's author is the person:
// one of their addresses (any case), discord:ID, or one of their names.
func (id Identity) IsActor(actor string) bool {
	if actor == "" {
		return false
	}
	low := strings.ToLower(actor)
	for _, e := range id.Emails {
		if low == e {
			return true
		}
	}
	for _, d := range id.DiscordIDs {
		if actor == "discord:"+d || actor == d {
			return true
		}
	}
	for _, n := range id.Names {
		if actor == n {
			return true
		}
	}
	return false
}

// mention is one way the person is written in text: a pattern found in
// any case, whole (no rune of its kind, part, right before or after it).
type mention struct {
	re   *regexp.Regexp
	part func(rune) bool
}

// SearchTerms are the words a search index finds the person's mentions
// by (each a phrase): every address, Discord id, account handle and name
// Scrub looks for. A ticket the index does not find by one of them has no
// mention of the person in its searchable text.
func (id *Identity) SearchTerms() []string {
	var out []string
	out = append(out, id.Emails...)
	out = append(out, id.DiscordIDs...)
	for _, a := range id.Accounts {
		if bare := strings.TrimPrefix(a, "@"); bare != "" {
			out = append(out, bare)
		}
	}
	for _, n := range id.Names {
		if distinctiveName(n) {
			out = append(out, n)
		}
	}
	return out
}

// distinctiveName reports whether a name is told apart from ordinary
// words well enough to be looked for in other people's text: two words or
// more, or a single word of four letters or more. "Ayu" alone is not.
func distinctiveName(n string) bool {
	words := strings.Fields(n)
	switch {
	case len(words) >= 2:
		return true
	case len(words) == 1:
		return utf8.RuneCountInString(words[0]) >= 4
	}
	return false
}

// mentions builds the patterns Scrub looks for: addresses (any case),
// Discord ids, account handles with their @ and without it (four
// characters or more), and distinctive names (their words apart by any
// space).
func (id *Identity) mentions() []mention {
	if id.scrub != nil {
		return id.scrub
	}
	quote := func(s string) string { return "(?i)" + regexp.QuoteMeta(s) }
	addr := func(r rune) bool { return r < utf8.RuneSelf && isAddressByte(byte(r)) || r >= utf8.RuneSelf }
	digit := func(r rune) bool { return r >= '0' && r <= '9' }
	word := func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }
	handle := func(r rune) bool { return word(r) || r == '_' || r == '@' }
	out := []mention{}
	for _, e := range id.Emails {
		if e != "" {
			out = append(out, mention{regexp.MustCompile(quote(e)), addr})
		}
	}
	for _, d := range id.DiscordIDs {
		if d != "" {
			out = append(out, mention{regexp.MustCompile(regexp.QuoteMeta(d)), digit})
		}
	}
	for _, a := range id.Accounts {
		bare := strings.TrimPrefix(a, "@")
		if bare == "" {
			continue
		}
		out = append(out, mention{regexp.MustCompile(quote("@" + bare)), handle})
		if utf8.RuneCountInString(bare) >= 4 {
			out = append(out, mention{regexp.MustCompile(quote(bare)), handle})
		}
	}
	for _, n := range id.Names {
		if !distinctiveName(n) {
			continue
		}
		words := strings.Fields(n)
		for i, w := range words {
			words[i] = regexp.QuoteMeta(w)
		}
		out = append(out, mention{regexp.MustCompile("(?i)" + strings.Join(words, `\s+`)), word})
	}
	id.scrub = out
	return out
}

// Scrub returns s with every whole mention of the person (an address in
// any case, a Discord id, an account handle, a distinctive name) replaced
// by Erased, and whether there was one. What is around a mention stays:
// it is someone else's text.
func (id *Identity) Scrub(s string) (string, bool) {
	if s == "" {
		return s, false
	}
	changed := false
	for _, m := range id.mentions() {
		if out, ok := scrubWhole(s, m); ok {
			s, changed = out, true
		}
	}
	return s, changed
}

// scrubWhole replaces the whole matches of m in s: a match with a rune of
// its kind right before it, or right after it (a dot after it ends it
// unless one of its kind follows: a sentence's full stop), is part of a
// longer word and stays.
func scrubWhole(s string, m mention) (string, bool) {
	var b strings.Builder
	last, from := 0, 0
	for from <= len(s) {
		loc := m.re.FindStringIndex(s[from:])
		if loc == nil {
			break
		}
		i, end := from+loc[0], from+loc[1]
		prev, _ := utf8.DecodeLastRuneInString(s[:i])
		next, size := utf8.DecodeRuneInString(s[end:])
		after, _ := utf8.DecodeRuneInString(s[min(end+size, len(s)):])
		before := i == 0 || !m.part(prev) && prev != '.'
		behind := end == len(s) || !m.part(next) && (next != '.' || end+size == len(s) || !m.part(after))
		if !before || !behind || end == i {
			_, n := utf8.DecodeRuneInString(s[i:])
			from = i + max(n, 1)
			continue
		}
		b.WriteString(s[last:i])
		b.WriteString(Erased)
		last, from = end, end
	}
	if last == 0 {
		return s, false
	}
	b.WriteString(s[last:])
	return b.String(), true
}
