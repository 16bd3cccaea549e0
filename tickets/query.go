package tickets

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// The agents' query language, one for every surface (CLI, Discord, HTTP):
//
//	status:in_review kind:refund reason:under_delivery verdict:eligible
//	account:@name order:7301… channel:email assignee:me|none|NAME
//	flag:account_mismatch language:id older:2d updated:>2026-11-01
//	created:2026-11-01..2026-11-05 overdue "free text" sort:-updated
//
// Terms are ANDed; -term negates; status:new,in_review is an OR within a
// field. A query is parsed here into a Query; the store turns it into
// parameterised SQL.

// Field names of the query language.
const (
	FieldStatus   = "status"
	FieldKind     = "kind"
	FieldReason   = "reason"
	FieldVerdict  = "verdict"
	FieldAccount  = "account"
	FieldOrder    = "order"
	FieldChannel  = "channel"
	FieldAssignee = "assignee"
	FieldFlag     = "flag"
	FieldLanguage = "language"
	FieldRef      = "ref"
	FieldOlder    = "older"
	FieldUpdated  = "updated"
	FieldCreated  = "created"
	FieldOverdue  = "overdue" // a bare keyword
	FieldText     = "text"    // free text: bare words and "quoted phrases"
	FieldSort     = "sort"
)

// QueryFields lists the fields a query may name, for help and errors.
var QueryFields = []string{FieldStatus, FieldKind, FieldReason, FieldVerdict, FieldAccount, FieldOrder,
	FieldChannel, FieldAssignee, FieldFlag, FieldLanguage, FieldRef, FieldOlder, FieldUpdated, FieldCreated, FieldSort}

// Limits of one query.
const (
	maxQueryLen   = 2000
	maxQueryTerms = 40
	maxTermValues = 50
)

// Term is one condition of a query.
type Term struct {
	Pos    int    // byte offset of the term in the query, from 0
	Raw    string // the term as written
	Field  string
	Negate bool
	// Values are the alternatives of an enumerated or exact field, already
	// normalised (accounts as keys, orders as digits). A value ending in "*"
	// on order is a prefix.
	Values []string
	// From and To bound a time field: From <= t < To; nil is unbounded.
	From, To *time.Time
	// Older: created more than this long ago.
	Older time.Duration
}

// SortKey orders results.
type SortKey struct {
	Field string `json:"field"` // "created" or "updated"
	Desc  bool   `json:"desc"`
}

// Query is a parsed query.
type Query struct {
	Text  string
	Terms []Term
	Sort  SortKey
}

// DefaultSort is newest first.
var DefaultSort = SortKey{Field: "created", Desc: true}

func queryErr(pos int, raw, format string, args ...any) error {
	where := fmt.Sprintf("at %d, %q", pos+1, raw)
	return &ValidationError{Field: "query", Message: where + ": " + fmt.Sprintf(format, args...)}
}

// ParseQuery parses the query language. now resolves relative times; agent
// resolves assignee:me (empty: "me" is an error).
func ParseQuery(q string, now time.Time, agent string) (*Query, error) {
	if len(q) > maxQueryLen {
		return nil, &ValidationError{Field: "query", Message: fmt.Sprintf("is %d characters long; at most %d", len(q), maxQueryLen)}
	}
	if !utf8.ValidString(q) {
		return nil, &ValidationError{Field: "query", Message: "is not valid UTF-8"}
	}
	toks, err := tokenize(q)
	if err != nil {
		return nil, err
	}
	for _, tk := range toks {
		// A NUL or another control character is in no ticket and no
		// store takes it as a value (PostgreSQL refuses a NUL outright).
		if i := strings.IndexFunc(tk.raw, isControl); i >= 0 {
			r, _ := utf8.DecodeRuneInString(tk.raw[i:])
			what := fmt.Sprintf("the control character %U", r)
			if r == 0 {
				what = "a NUL byte"
			}
			return nil, queryErr(tk.pos, tk.raw, "contains %s, which no query can look for", what)
		}
	}
	if len(toks) > maxQueryTerms {
		return nil, &ValidationError{Field: "query", Message: fmt.Sprintf("has %d terms; at most %d", len(toks), maxQueryTerms)}
	}
	out := &Query{Text: q, Sort: DefaultSort}
	sortSeen := false
	for _, tk := range toks {
		t := Term{Pos: tk.pos, Raw: tk.raw, Negate: tk.negate}
		switch {
		case tk.quoted:
			t.Field = FieldText
			t.Values = []string{tk.value}
		case tk.field == "":
			if strings.EqualFold(tk.value, FieldOverdue) {
				t.Field = FieldOverdue
			} else {
				t.Field = FieldText
				t.Values = []string{tk.value}
			}
		default:
			field := strings.ToLower(tk.field)
			if field == FieldSort {
				if sortSeen {
					return nil, queryErr(tk.pos, tk.raw, "sort is given twice")
				}
				if tk.negate {
					return nil, queryErr(tk.pos, tk.raw, "sort cannot be negated; use sort:-created for descending")
				}
				sortSeen = true
				s, err := parseSort(tk.value)
				if err != nil {
					return nil, queryErr(tk.pos, tk.raw, "%s", err)
				}
				out.Sort = s
				continue
			}
			if field == FieldOverdue {
				return nil, queryErr(tk.pos, tk.raw, "overdue is a word on its own, without a value (overdue, or -overdue)")
			}
			if tk.value == "" {
				if !slices.Contains(QueryFields, field) {
					return nil, queryErr(tk.pos, tk.raw, "unknown field %q%s", tk.field, suggest(field))
				}
				return nil, queryErr(tk.pos, tk.raw, "%s needs a value", field)
			}
			t.Field = field
			if err := parseFieldValue(&t, tk.value, now, agent); err != nil {
				return nil, queryErr(tk.pos, tk.raw, "%s", err)
			}
		}
		out.Terms = append(out.Terms, t)
	}
	return out, nil
}

func parseSort(v string) (SortKey, error) {
	desc := strings.HasPrefix(v, "-")
	f := strings.TrimPrefix(strings.TrimPrefix(v, "-"), "+")
	if f != "created" && f != "updated" {
		return SortKey{}, fmt.Errorf("cannot sort by %q (sort:created, sort:-created, sort:updated or sort:-updated)", v)
	}
	return SortKey{Field: f, Desc: desc}, nil
}

func enumValues[T ~string](field, v string, all []T, aliases map[string][]string) ([]string, error) {
	var out []string
	for _, x := range strings.Split(v, ",") {
		x = strings.ToLower(strings.TrimSpace(x))
		if x == "" {
			return nil, fmt.Errorf("empty value in %s list", field)
		}
		if al, ok := aliases[x]; ok {
			out = append(out, al...)
			continue
		}
		found := false
		for _, a := range all {
			if string(a) == x {
				found = true
				break
			}
		}
		if !found {
			return nil, fmt.Errorf("%q is not a %s (one of %s)", x, field, joinEnum(all))
		}
		out = append(out, x)
	}
	return out, nil
}

func parseFieldValue(t *Term, v string, now time.Time, agent string) error {
	var err error
	switch t.Field {
	case FieldStatus:
		open := make([]string, len(openStatuses))
		for i, s := range openStatuses {
			open[i] = string(s)
		}
		t.Values, err = enumValues(FieldStatus, v, Statuses, map[string][]string{"open": open})
	case FieldKind:
		t.Values, err = enumValues(FieldKind, v, Kinds, nil)
	case FieldReason:
		t.Values, err = enumValues(FieldReason, v, Reasons, nil)
	case FieldVerdict:
		t.Values, err = enumValues(FieldVerdict, v, Verdicts, nil)
	case FieldChannel:
		t.Values, err = enumValues(FieldChannel, v, Channels, nil)
	case FieldFlag:
		t.Values, err = enumValues(FieldFlag, v, Flags, nil)
	case FieldLanguage:
		t.Values, err = enumValues(FieldLanguage, v, []string{LangEnglish, LangIndonesian}, nil)
	case FieldAccount:
		for _, x := range strings.Split(v, ",") {
			if _, e := NormalizeAccount(x); e != nil || AccountKey(x) == "" {
				return fmt.Errorf("%q is not an account name", x)
			}
			t.Values = append(t.Values, AccountKey(x))
		}
	case FieldOrder:
		for _, x := range strings.Split(v, ",") {
			prefix := strings.HasSuffix(x, "*") || strings.HasSuffix(x, "…")
			x = strings.TrimSuffix(strings.TrimSuffix(x, "*"), "…")
			o, e := NormalizeOrder(x)
			if e != nil || o == "" {
				return fmt.Errorf("%q is not an order number (digits, or digits* for a prefix)", x)
			}
			if prefix {
				o += "*"
			}
			t.Values = append(t.Values, o)
		}
	case FieldRef:
		for _, x := range strings.Split(v, ",") {
			id, e := ParseRef(x)
			if e != nil {
				return fmt.Errorf("%q is not a ticket reference", x)
			}
			t.Values = append(t.Values, fmt.Sprint(id))
		}
	case FieldAssignee:
		for _, x := range strings.Split(v, ",") {
			x = strings.TrimSpace(x)
			switch strings.ToLower(x) {
			case "":
				return fmt.Errorf("empty value in assignee list")
			case "me":
				if agent == "" {
					return fmt.Errorf("assignee:me needs to know who you are (give --as AGENT)")
				}
				t.Values = append(t.Values, agent)
			case "none":
				t.Values = append(t.Values, "")
			default:
				t.Values = append(t.Values, x)
			}
		}
	case FieldOlder:
		d, e := ParseDuration(v)
		if e != nil {
			return e
		}
		t.Older = d
		at := now.Add(-d)
		t.To = &at
	case FieldUpdated, FieldCreated:
		t.From, t.To, err = parseTimeRange(v, now)
	default:
		return fmt.Errorf("unknown field %q%s", t.Field, suggest(t.Field))
	}
	if len(t.Values) > maxTermValues {
		return fmt.Errorf("has %d values; at most %d", len(t.Values), maxTermValues)
	}
	return err
}

// parseTimeRange reads >D, >=D, <D, <=D, D and D..D, where D is a date
// (2006-01-02, a whole UTC day) or an RFC 3339 time.
func parseTimeRange(v string, now time.Time) (from, to *time.Time, err error) {
	if a, b, ok := strings.Cut(v, ".."); ok {
		if a != "" {
			s, _, err := parseTimeValue(a)
			if err != nil {
				return nil, nil, err
			}
			from = &s
		}
		if b != "" {
			_, e, err := parseTimeValue(b)
			if err != nil {
				return nil, nil, err
			}
			to = &e
		}
		if from == nil && to == nil {
			return nil, nil, fmt.Errorf("a range needs at least one end (like 2026-11-01..2026-11-05)")
		}
		return from, to, nil
	}
	op := ""
	for _, p := range []string{">=", "<=", ">", "<", "="} {
		if strings.HasPrefix(v, p) {
			op, v = p, v[len(p):]
			break
		}
	}
	start, end, err := parseTimeValue(v)
	if err != nil {
		return nil, nil, err
	}
	switch op {
	case ">":
		return &end, nil, nil
	case ">=":
		return &start, nil, nil
	case "<":
		return nil, &start, nil
	case "<=":
		return nil, &end, nil
	}
	return &start, &end, nil
}

// parseTimeValue returns the span a date or time stands for: a whole day for
// a date, one instant (and the next nanosecond) for a time.
func parseTimeValue(v string) (start, end time.Time, err error) {
	if d, e := time.Parse("2006-01-02", v); e == nil {
		return d, d.Add(24 * time.Hour), nil
	}
	if t, e := time.Parse(time.RFC3339, v); e == nil {
		t = t.UTC()
		return t, t.Add(time.Nanosecond), nil
	}
	return start, end, fmt.Errorf("%q is not a date (2006-01-02) or a time (RFC 3339)", v)
}

// isControl reports a control character that is not a space (spaces
// separate terms, or belong to a quoted phrase).
func isControl(r rune) bool { return unicode.IsControl(r) && !unicode.IsSpace(r) }

// suggest proposes the closest field name for a typo.
func suggest(field string) string {
	best, bestD := "", 3
	for _, f := range append(QueryFields, FieldOverdue) {
		if d := editDistance(field, f); d < bestD {
			best, bestD = f, d
		}
	}
	if best != "" {
		return fmt.Sprintf(" (did you mean %s?)", best)
	}
	return fmt.Sprintf(" (fields: %s)", strings.Join(QueryFields, ", "))
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

type token struct {
	pos    int
	raw    string
	negate bool
	field  string
	value  string
	quoted bool // a "free text phrase"
}

// tokenize splits a query into terms: whitespace separates them, except
// inside double quotes; a leading - negates.
func tokenize(q string) ([]token, error) {
	var out []token
	i := 0
	for i < len(q) {
		r, w := utf8.DecodeRuneInString(q[i:])
		if unicode.IsSpace(r) {
			i += w
			continue
		}
		start := i
		tk := token{pos: start}
		if r == '-' && i+1 < len(q) {
			if r2, _ := utf8.DecodeRuneInString(q[i+1:]); !unicode.IsSpace(r2) {
				tk.negate = true
				i++
			}
		}
		var val strings.Builder
		fieldDone := false
		quotedAll := i < len(q) && q[i] == '"'
		for i < len(q) {
			r, w = utf8.DecodeRuneInString(q[i:])
			if unicode.IsSpace(r) {
				break
			}
			if r == '"' {
				end := i + 1
				var quoted strings.Builder
				closed := false
				for end < len(q) {
					c := q[end]
					if c == '\\' && end+1 < len(q) && (q[end+1] == '"' || q[end+1] == '\\') {
						quoted.WriteByte(q[end+1])
						end += 2
						continue
					}
					if c == '"' {
						closed = true
						break
					}
					quoted.WriteByte(c)
					end++
				}
				if !closed {
					return nil, queryErr(start, q[start:], "the quote is not closed")
				}
				val.WriteString(quoted.String())
				i = end + 1
				continue
			}
			if r == ':' && !fieldDone && !quotedAll {
				tk.field = val.String()
				val.Reset()
				fieldDone = true
				i += w
				continue
			}
			val.WriteRune(r)
			i += w
		}
		tk.raw = q[start:i]
		tk.value = val.String()
		if quotedAll && !fieldDone {
			tk.quoted = true
			tk.value = strings.TrimSpace(tk.value)
			if tk.value == "" {
				return nil, queryErr(start, tk.raw, "empty quotes")
			}
		}
		if fieldDone && tk.field == "" {
			return nil, queryErr(start, tk.raw, "a term cannot start with ':'")
		}
		out = append(out, tk)
	}
	return out, nil
}

// HasField reports whether the query names field.
func (q *Query) HasField(field string) bool {
	for _, t := range q.Terms {
		if t.Field == field {
			return true
		}
	}
	return false
}
