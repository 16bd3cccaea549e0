package templates

import (
	"fmt"
	"strconv"
	"strings"
	"text/template/parse"
)

// How the catalog writes a message without running a template each time.
// Most messages are text and values ("{{.Ref}} already has this file."):
// they are split once, at load, into pieces, and written by joining them.
// Those with plural forms, or anything more than {{.Name}}, go through the
// library, which runs their template.

// piece is a piece of a message: text, or the value it names.
type piece struct {
	text  string
	field string // the value's name; text is empty then
}

// pieces splits a message's template into text and {{.Name}} values; ok is
// false when it holds anything else (a pipeline, a condition, a function).
func pieces(tree *parse.Tree) (out []piece, ok bool) {
	if tree == nil || tree.Root == nil {
		return nil, false
	}
	for _, n := range tree.Root.Nodes {
		switch n := n.(type) {
		case *parse.TextNode:
			out = append(out, piece{text: string(n.Text)})
		case *parse.ActionNode:
			p := n.Pipe
			if p == nil || len(p.Decl) > 0 || len(p.Cmds) != 1 || len(p.Cmds[0].Args) != 1 {
				return nil, false
			}
			f, isField := p.Cmds[0].Args[0].(*parse.FieldNode)
			if !isField || len(f.Ident) != 1 {
				return nil, false
			}
			out = append(out, piece{field: f.Ident[0]})
		default:
			return nil, false
		}
	}
	return out, true
}

// values are what a message is written from: name, value pairs (Text, or
// pairs of strings from the catalog's own formats), a rule step's values
// (Rule), or a count (Plural).
type values struct {
	kv    []any
	pairs []pair
	// rule and how each value is written (ruleValues: a field, not named
	// here, as ruleValues's own functions write messages)
	rule   *ruleVars
	ruleFn map[string]func(v ruleVars) string
	// named writes the value called name (an audit entry's); ok is false
	// for a name it does not know.
	named func(name string) (string, bool)
	count string // Plural's .Count; counted is true then
	// counted: the values are a count.
	counted bool
}

// get is the value called name, as text; ok is false when there is none,
// or when it is of a kind only the library writes as a template would
// (anything but a string or an integer).
func (v values) get(name string) (s string, ok bool) {
	switch {
	case v.rule != nil:
		f, known := v.ruleFn[name]
		if !known {
			return "", false
		}
		return f(*v.rule), true
	case v.named != nil:
		return v.named(name)
	case v.counted:
		return v.count, name == "Count"
	case v.pairs != nil:
		for _, p := range v.pairs {
			if p.name == name {
				return p.value, true
			}
		}
		return "", false
	}
	for i := 0; i+1 < len(v.kv); i += 2 {
		if k, _ := v.kv[i].(string); k != name {
			continue
		}
		switch x := v.kv[i+1].(type) {
		case string:
			return x, true
		case int:
			return strconv.Itoa(x), true
		case int64:
			return strconv.FormatInt(x, 10), true
		}
		return "", false
	}
	return "", false
}

// simple says whether every value is one get writes as a template would.
func (v values) simple() bool {
	for i := 1; i < len(v.kv); i += 2 {
		switch v.kv[i].(type) {
		case string, int, int64:
		default:
			return false
		}
	}
	return true
}

// data is the values as the library takes them: a map of those the
// message names in lang or in English (a rule's), or of every pair given.
func (v values) data(c *Catalog, lang, id string) any {
	switch {
	case v.counted:
		return map[string]any{"Count": v.count}
	case v.rule != nil || v.named != nil:
		out := map[string]string{}
		for _, l := range []string{lang, FallbackLanguage} {
			for _, name := range c.fields[l][id] {
				if _, done := out[name]; !done {
					if s, ok := v.get(name); ok {
						out[name] = s
					}
				}
			}
		}
		return out
	case v.pairs != nil:
		out := make(map[string]string, len(v.pairs))
		for _, p := range v.pairs {
			out[p.name] = p.value
		}
		return out
	case len(v.kv) == 0:
		return nil
	}
	out := make(map[string]any, len(v.kv)/2)
	for i := 0; i+1 < len(v.kv); i += 2 {
		out[fmt.Sprint(v.kv[i])] = v.kv[i+1]
	}
	return out
}

// pair is a value of the catalog's own formats (money, dates).
type pair struct{ name, value string }

// write joins a message's pieces with its values. A value the message
// names but is not given is an error, as the library's is.
func (v values) write(ps []piece) (string, error) {
	var b strings.Builder
	n := 0
	for _, p := range ps {
		n += len(p.text) + 16
	}
	b.Grow(n)
	for _, p := range ps {
		if p.field == "" {
			b.WriteString(p.text)
			continue
		}
		s, ok := v.get(p.field)
		if !ok {
			return "", fmt.Errorf("no value %q", p.field)
		}
		b.WriteString(s)
	}
	return b.String(), nil
}

// formats are a language's ways with numbers and dates, read once from
// its catalog (English's where it has none): the separators, the names of
// the months, and the currencies that have a money format of their own.
type formats struct {
	thousands, decimal string
	months             [12]string
	money              map[string]string // currency code → message id
}

func (c *Catalog) loadFormats(lang string) *formats {
	f := &formats{thousands: c.Text(lang, "format.thousands"), decimal: c.Text(lang, "format.decimal"), money: map[string]string{}}
	for i := range f.months {
		f.months[i] = c.Text(lang, "month."+strconv.Itoa(i+1))
	}
	for id := range c.ids[lang] {
		if cur, ok := strings.CutPrefix(id, "format.money."); ok {
			f.money[cur] = id
		}
	}
	return f
}
