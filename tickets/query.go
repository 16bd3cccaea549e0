package tickets

import (
	"fmt"
	"slices"
	"strconv"
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

// A query's problems are *ValidationError of the field "query", with codes
// query.*; a problem of one term names it with the params Pos (where it
// starts: 1 for the first byte of the query) and Raw (the term as written),
// so an edge can point at it (Pos-1 is its byte offset, len(Raw) its length).

// ParseQuery parses the query language. now resolves relative times; agent
// resolves assignee:me (empty: "me" is an error). language: takes the
// languages DetectLanguage tells apart; a desk's search (Records.Search)
// takes the languages it answers in.
func ParseQuery(q string, now time.Time, agent string) (*Query, error) {
	return parseQuery(q, queryEnv{now: now, agent: agent})
}

func parseQuery(q string, env queryEnv) (*Query, error) {
	toks, err := queryTokens(q)
	if err != nil {
		return nil, err
	}
	p := queryParser{env: env, out: &Query{Text: q, Sort: DefaultSort}}
	for _, tk := range toks {
		if err := p.term(tk); err != nil {
			return nil, err
		}
	}
	return p.out, nil
}

// queryTokens checks a query's length and text and splits it into terms.
func queryTokens(q string) ([]token, error) {
	if len(q) > maxQueryLen {
		return nil, Invalid("query", "query.too_long", "Length", len(q), "Max", maxQueryLen)
	}
	if !utf8.ValidString(q) {
		return nil, Invalid("query", "query.not_utf8")
	}
	toks, err := tokenize(q)
	if err != nil {
		return nil, err
	}
	for _, tk := range toks {
		if err := controlProblem(tk); err != nil {
			return nil, err
		}
	}
	if len(toks) > maxQueryTerms {
		return nil, Invalid("query", "query.too_many_terms", "Terms", len(toks), "Max", maxQueryTerms)
	}
	return toks, nil
}

// controlProblem refuses a term with a NUL or another control character:
// it is in no ticket and no store takes it as a value (PostgreSQL refuses a
// NUL outright).
func controlProblem(tk token) error {
	i := strings.IndexFunc(tk.raw, isControl)
	if i < 0 {
		return nil
	}
	r, _ := utf8.DecodeRuneInString(tk.raw[i:])
	if r == 0 {
		return Invalid("query", "query.nul", "Pos", tk.pos+1, "Raw", tk.raw)
	}
	return Invalid("query", "query.control", "Pos", tk.pos+1, "Raw", tk.raw, "Char", fmt.Sprintf("%U", r))
}

// queryEnv is what a term's value is read against: the time relative
// times count back from, the agent assignee:me names, and the languages
// language: takes (none: those DetectLanguage tells apart).
type queryEnv struct {
	now       time.Time
	agent     string
	languages []string
}

// queryParser turns tokens into a Query, one term at a time.
type queryParser struct {
	env      queryEnv
	out      *Query
	sortSeen bool
}

// term adds one token to the query: free text, the overdue keyword, a
// field's condition, or the sort order.
func (p *queryParser) term(tk token) error {
	field := strings.ToLower(tk.field)
	if !tk.quoted && field == FieldSort {
		return p.sort(tk)
	}
	// The term is read in place (a query with a bad term is dropped whole).
	p.out.Terms = append(p.out.Terms, Term{Pos: tk.pos, Raw: tk.raw, Negate: tk.negate})
	t := &p.out.Terms[len(p.out.Terms)-1]
	switch {
	case tk.quoted:
		t.Field, t.Values = FieldText, []string{tk.value}
	case tk.field == "":
		bareTerm(t, tk.value)
	default:
		return fieldTerm(t, tk, field, p.env)
	}
	return nil
}

// bareTerm reads a word without a field: the overdue keyword, or free text.
func bareTerm(t *Term, word string) {
	if strings.EqualFold(word, FieldOverdue) {
		t.Field = FieldOverdue
		return
	}
	t.Field, t.Values = FieldText, []string{word}
}

// sort reads sort:KEY, which may be given once and not negated.
func (p *queryParser) sort(tk token) error {
	if p.sortSeen {
		return Invalid("query", "query.sort_twice", "Pos", tk.pos+1, "Raw", tk.raw)
	}
	if tk.negate {
		return Invalid("query", "query.sort_negated", "Pos", tk.pos+1, "Raw", tk.raw)
	}
	p.sortSeen = true
	desc := strings.HasPrefix(tk.value, "-")
	f := strings.TrimPrefix(strings.TrimPrefix(tk.value, "-"), "+")
	if f != "created" && f != "updated" {
		return Invalid("query", "query.sort_unknown", "Pos", tk.pos+1, "Raw", tk.raw, "Value", tk.value)
	}
	p.out.Sort = SortKey{Field: f, Desc: desc}
	return nil
}

// fieldTerm reads field:value into t.
func fieldTerm(t *Term, tk token, field string, env queryEnv) error {
	if field == FieldOverdue {
		return Invalid("query", "query.overdue_value", "Pos", tk.pos+1, "Raw", tk.raw)
	}
	if tk.value == "" {
		if !slices.Contains(QueryFields, field) {
			return unknownField(tk.pos, tk.raw, tk.field)
		}
		return Invalid("query", "query.needs_value", "Pos", tk.pos+1, "Raw", tk.raw, "Field", field)
	}
	t.Field = field
	return parseFieldValue(t, tk.value, env)
}

// unknownField refuses a field the query language does not have, with
// the field it is most likely a typo of, or the list of fields.
func unknownField(pos int, raw, field string) error {
	if s := suggest(strings.ToLower(field)); s != "" {
		return Invalid("query", "query.field_misspelt", "Pos", pos+1, "Raw", raw, "Field", field, "Suggestion", s)
	}
	return Invalid("query", "query.no_such_field", "Pos", pos+1, "Raw", raw, "Field", field, "Fields", strings.Join(QueryFields, ", "))
}

// enumValues reads t's comma-separated names, each one of all (in any
// case) or an alias of several.
func enumValues[T ~string](t *Term, v string, all []T, aliases map[string][]string) ([]string, error) {
	var out []string
	for _, x := range strings.Split(v, ",") {
		x = strings.ToLower(strings.TrimSpace(x))
		if x == "" {
			return nil, emptyValue(t)
		}
		if al, ok := aliases[x]; ok {
			out = append(out, al...)
			continue
		}
		if !slices.ContainsFunc(all, func(a T) bool { return string(a) == x }) {
			return nil, Invalid("query", "query.not_one_of", "Pos", t.Pos+1, "Raw", t.Raw, "Value", x, "Field", t.Field, "Allowed", joinEnum(all))
		}
		out = append(out, x)
	}
	return out, nil
}

// emptyValue refuses an empty value in t's list ("status:new,,closed").
func emptyValue(t *Term) error {
	return Invalid("query", "query.empty_value", "Pos", t.Pos+1, "Raw", t.Raw, "Field", t.Field)
}

// termParser reads a field's value into a term.
type termParser func(t *Term, v string, env queryEnv) error

// termParsers read the value of each field but sort (see queryParser.sort).
var termParsers = map[string]termParser{
	FieldStatus:   statusTerm,
	FieldKind:     func(t *Term, v string, _ queryEnv) error { return enumTerm(t, v, Kinds) },
	FieldReason:   func(t *Term, v string, _ queryEnv) error { return enumTerm(t, v, Reasons) },
	FieldVerdict:  func(t *Term, v string, _ queryEnv) error { return enumTerm(t, v, Verdicts) },
	FieldChannel:  func(t *Term, v string, _ queryEnv) error { return enumTerm(t, v, Channels) },
	FieldFlag:     func(t *Term, v string, _ queryEnv) error { return enumTerm(t, v, Flags) },
	FieldLanguage: languageTerm,
	FieldAccount:  listTerm(accountValue),
	FieldOrder:    listTerm(orderValue),
	FieldRef:      listTerm(refValue),
	FieldAssignee: listTerm(assigneeValue),
	FieldOlder:    olderTerm,
	FieldUpdated:  rangeTerm,
	FieldCreated:  rangeTerm,
}

// parseFieldValue reads the value of t's field into t.
func parseFieldValue(t *Term, v string, env queryEnv) error {
	parse, ok := termParsers[t.Field]
	if !ok {
		return unknownField(t.Pos, t.Raw, t.Field)
	}
	if err := parse(t, v, env); err != nil {
		return err
	}
	if len(t.Values) > maxTermValues {
		return Invalid("query", "query.too_many_values", "Pos", t.Pos+1, "Raw", t.Raw, "Values", len(t.Values), "Max", maxTermValues)
	}
	return nil
}

// statusTerm reads a list of statuses, where open stands for every status
// before resolved and closed.
func statusTerm(t *Term, v string, _ queryEnv) (err error) {
	open := make([]string, len(openStatuses))
	for i, s := range openStatuses {
		open[i] = string(s)
	}
	t.Values, err = enumValues(t, v, Statuses, map[string][]string{"open": open})
	return err
}

// enumTerm reads a comma-separated list of a term's field's names.
func enumTerm[T ~string](t *Term, v string, all []T) (err error) {
	t.Values, err = enumValues(t, v, all, nil)
	return err
}

// languageTerm reads a list of languages the desk answers in, each as
// ParseLanguage takes it ("id", "ID", "id-ID", "Indonesian"), as the
// tickets store it.
func languageTerm(t *Term, v string, env queryEnv) error {
	known := env.languages
	if len(known) == 0 {
		known = detectedLanguages
	}
	for _, x := range strings.Split(v, ",") {
		if strings.TrimSpace(x) == "" {
			return emptyValue(t)
		}
		lang, err := ParseLanguage(x, known)
		if err != nil {
			return Invalid("query", "query.not_one_of", "Pos", t.Pos+1, "Raw", t.Raw, "Value", strings.TrimSpace(x), "Field", t.Field, "Allowed", strings.Join(known, ", "))
		}
		t.Values = append(t.Values, lang)
	}
	return nil
}

// listTerm reads a comma-separated list, each value read by one.
func listTerm(one func(t *Term, x string, env queryEnv) (string, error)) termParser {
	return func(t *Term, v string, env queryEnv) error {
		for _, x := range strings.Split(v, ",") {
			val, err := one(t, x, env)
			if err != nil {
				return err
			}
			t.Values = append(t.Values, val)
		}
		return nil
	}
}

// accountValue is an account's key.
func accountValue(t *Term, x string, _ queryEnv) (string, error) {
	if _, e := NormalizeAccount(x); e != nil || AccountKey(x) == "" {
		return "", Invalid("query", "query.not_account", "Pos", t.Pos+1, "Raw", t.Raw, "Value", x)
	}
	return AccountKey(x), nil
}

// orderValue is an order number's digits, with "*" after a prefix.
func orderValue(t *Term, x string, _ queryEnv) (string, error) {
	prefix := strings.HasSuffix(x, "*") || strings.HasSuffix(x, "…")
	x = strings.TrimSuffix(strings.TrimSuffix(x, "*"), "…")
	o, e := NormalizeOrder(x)
	if e != nil || o == "" {
		return "", Invalid("query", "query.not_order", "Pos", t.Pos+1, "Raw", t.Raw, "Value", x)
	}
	if prefix {
		o += "*"
	}
	return o, nil
}

// refValue is a ticket reference's id.
func refValue(t *Term, x string, _ queryEnv) (string, error) {
	id, e := ParseRef(x)
	if e != nil {
		return "", Invalid("query", "query.not_ref", "Pos", t.Pos+1, "Raw", t.Raw, "Value", x)
	}
	return strconv.FormatInt(id, 10), nil
}

// assigneeValue is an agent's name: me is the agent asking, none is "".
func assigneeValue(t *Term, x string, env queryEnv) (string, error) {
	x = strings.TrimSpace(x)
	switch strings.ToLower(x) {
	case "":
		return "", emptyValue(t)
	case "me":
		if env.agent == "" {
			return "", Invalid("query", "query.me_unknown", "Pos", t.Pos+1, "Raw", t.Raw)
		}
		return env.agent, nil
	case "none":
		return "", nil
	}
	return x, nil
}

// olderTerm reads older:DURATION: created before now less the duration.
func olderTerm(t *Term, v string, env queryEnv) error {
	d, bad := parseDuration(v)
	switch bad {
	case durationNegative:
		return Invalid("query", "query.duration_negative", "Pos", t.Pos+1, "Raw", t.Raw, "Value", strings.TrimSpace(v))
	case durationTooLong:
		return Invalid("query", "query.duration_too_long", "Pos", t.Pos+1, "Raw", t.Raw, "Value", strings.TrimSpace(v))
	case durationUnreadable:
		return Invalid("query", "query.not_duration", "Pos", t.Pos+1, "Raw", t.Raw, "Value", strings.TrimSpace(v))
	}
	t.Older = d
	at := env.now.Add(-d)
	t.To = &at
	return nil
}

// rangeTerm reads a time range of updated or created.
func rangeTerm(t *Term, v string, env queryEnv) (err error) {
	t.From, t.To, err = parseTimeRange(t, v)
	return err
}

// parseTimeRange reads >D, >=D, <D, <=D, D and D..D, where D is a date
// (2006-01-02, a whole UTC day) or an RFC 3339 time.
func parseTimeRange(t *Term, v string) (from, to *time.Time, err error) {
	if a, b, ok := strings.Cut(v, ".."); ok {
		if a != "" {
			s, _, err := parseTimeValue(t, a)
			if err != nil {
				return nil, nil, err
			}
			from = &s
		}
		if b != "" {
			_, e, err := parseTimeValue(t, b)
			if err != nil {
				return nil, nil, err
			}
			to = &e
		}
		if from == nil && to == nil {
			return nil, nil, Invalid("query", "query.range_no_end", "Pos", t.Pos+1, "Raw", t.Raw)
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
	start, end, err := parseTimeValue(t, v)
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
func parseTimeValue(t *Term, v string) (start, end time.Time, err error) {
	if d, e := time.Parse("2006-01-02", v); e == nil {
		return d, d.Add(24 * time.Hour), nil
	}
	if at, e := time.Parse(time.RFC3339, v); e == nil {
		at = at.UTC()
		return at, at.Add(time.Nanosecond), nil
	}
	return start, end, Invalid("query", "query.not_date", "Pos", t.Pos+1, "Raw", t.Raw, "Value", v)
}

// isControl reports a control character that is not a space (spaces
// separate terms, or belong to a quoted phrase).
func isControl(r rune) bool { return unicode.IsControl(r) && !unicode.IsSpace(r) }

// suggest is the field a typo is closest to, or "" when none is close.
func suggest(field string) string {
	best, bestD := "", 3
	for _, f := range append(QueryFields, FieldOverdue) {
		if d := editDistance(field, f); d < bestD {
			best, bestD = f, d
		}
	}
	return best
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
	for i := 0; i < len(q); {
		if r, w := utf8.DecodeRuneInString(q[i:]); unicode.IsSpace(r) {
			i += w
			continue
		}
		tk, next, err := readToken(q, i)
		if err != nil {
			return nil, err
		}
		out = append(out, tk)
		i = next
	}
	return out, nil
}

// readToken reads the term that starts at start (not a space), up to the
// next space outside quotes, and returns where it ends.
func readToken(q string, start int) (token, int, error) {
	tk := token{pos: start}
	i := start
	if negates(q, i) {
		tk.negate = true
		i++
	}
	var val strings.Builder
	fieldDone := false
	quotedAll := i < len(q) && q[i] == '"'
	for i < len(q) {
		r, w := utf8.DecodeRuneInString(q[i:])
		if unicode.IsSpace(r) {
			break
		}
		switch {
		case r == '"':
			end, closed := readQuoted(q, i+1, &val)
			if !closed {
				return token{}, 0, Invalid("query", "query.quote_open", "Pos", start+1, "Raw", q[start:])
			}
			i = end + 1
		case r == ':' && !fieldDone && !quotedAll:
			tk.field = val.String()
			val.Reset()
			fieldDone = true
			i += w
		default:
			val.WriteRune(r)
			i += w
		}
	}
	tk.raw = q[start:i]
	tk.value = val.String()
	if err := finishToken(&tk, fieldDone, quotedAll); err != nil {
		return token{}, 0, err
	}
	return tk, i, nil
}

// negates reports a '-' at i that negates the term it begins: one followed
// by more than a space.
func negates(q string, i int) bool {
	if q[i] != '-' || i+1 >= len(q) {
		return false
	}
	r, _ := utf8.DecodeRuneInString(q[i+1:])
	return !unicode.IsSpace(r)
}

// readQuoted copies the text of a quoted phrase that begins at from (after
// its opening quote) into val, taking \" and \\ as escapes, and returns
// where its closing quote is, and whether there is one.
func readQuoted(q string, from int, val *strings.Builder) (int, bool) {
	end := from
	for end < len(q) {
		c := q[end]
		if c == '\\' && end+1 < len(q) && (q[end+1] == '"' || q[end+1] == '\\') {
			val.WriteByte(q[end+1])
			end += 2
			continue
		}
		if c == '"' {
			return end, true
		}
		val.WriteByte(c)
		end++
	}
	return end, false
}

// finishToken marks a term that is all one quoted phrase as free text, and
// refuses empty quotes and a term that begins with ':'.
func finishToken(tk *token, fieldDone, quotedAll bool) error {
	if quotedAll && !fieldDone {
		tk.quoted = true
		tk.value = strings.TrimSpace(tk.value)
		if tk.value == "" {
			return Invalid("query", "query.quotes_empty", "Pos", tk.pos+1, "Raw", tk.raw)
		}
	}
	if fieldDone && tk.field == "" {
		return Invalid("query", "query.colon_first", "Pos", tk.pos+1, "Raw", tk.raw)
	}
	return nil
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
