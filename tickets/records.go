package tickets

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Import formats.
const (
	FormatCSV   = "csv"
	FormatJSONL = "jsonl"
)

// FormatFromName picks the format of an export file by its extension.
func FormatFromName(name string) (string, error) {
	switch strings.ToLower(filepath.Ext(strings.TrimSuffix(name, ".gz"))) {
	case ".csv":
		return FormatCSV, nil
	case ".jsonl", ".ndjson", ".json":
		return FormatJSONL, nil
	}
	return "", Invalid("format", "format.unknown_extension", "Name", name)
}

// LineError is one bad row of an import: file:line and its problems.
type LineError struct {
	File     string       `json:"file"`
	Line     int          `json:"line"`
	Problems []RowProblem `json:"problems"`
	// Reason is the problems in words ("column: why; …"), written by the
	// edges (templates.Catalog.Explain); empty until then.
	Reason string `json:"reason"`
}

// RowProblem is what is wrong with one column of a row (with the whole
// row when Column is empty): Code (error.<Code> in the catalog) and Params
// (the Value as written, limits, …).
type RowProblem struct {
	Column string `json:"column,omitempty"`
	Code   string `json:"code"`
	Params Params `json:"params,omitempty"`
}

// NewRowProblem returns a row's problem: code names it (one of
// ErrorCodes), kv are its params as name, value pairs.
func NewRowProblem(column, code string, kv ...any) RowProblem {
	return RowProblem{Column: column, Code: code, Params: params(kv)}
}

// String is "column: code (k=v …)", for logs.
func (p RowProblem) String() string {
	if p.Column == "" {
		return describeCode(p.Code, p.Params)
	}
	return p.Column + ": " + describeCode(p.Code, p.Params)
}

// String is "file:line: reason", the problems in their log form when no
// edge wrote the reason.
func (e LineError) String() string {
	why := e.Reason
	if why == "" {
		parts := make([]string, len(e.Problems))
		for i, p := range e.Problems {
			parts[i] = p.String()
		}
		why = strings.Join(parts, "; ")
	}
	return fmt.Sprintf("%s:%d: %s", e.File, e.Line, why)
}

// ImportErrors refuses an import as a whole and lists the bad rows (up to a
// limit; Total counts them all).
type ImportErrors struct {
	Errors []LineError
	Total  int
}

// Error is "import.refused (Total=N):" and a row a line, for logs; the
// edges write it in words (templates.Catalog.Error).
func (e *ImportErrors) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "import.refused (Total=%d):", e.Total)
	for _, le := range e.Errors {
		b.WriteString("\n  " + le.String())
	}
	if more := e.Total - len(e.Errors); more > 0 {
		fmt.Fprintf(&b, "\n  (More=%d)", more)
	}
	return b.String()
}

// MaxListedErrors is how many bad rows an import lists.
const MaxListedErrors = 50

// PromotionRow is a valid row of a promotion export.
type PromotionRow struct {
	Line      int
	Promotion Promotion
	Hash      string // of the normalised fields: equal hash, unchanged record
}

// AuthorizationRow is a valid row of an authorization export.
type AuthorizationRow struct {
	Line          int
	Authorization Authorization
	Hash          string
}

// Columns of the exports.
var (
	PromotionColumns = []string{"order_number", "account", "video_id", "objective", "amount", "currency",
		"payment_method", "created_at", "start_at", "end_at", "closed_at", "status", "promised_reach",
		"delivered_reach", "spend", "incident", "refunded"}
	promotionRequired     = []string{"order_number", "account", "amount", "currency", "created_at", "status"}
	AuthorizationColumns  = []string{"account", "scope", "granted_at", "revoked_at"}
	authorizationRequired = []string{"account", "scope", "granted_at"}
)

// RowSource streams the valid rows of an export. When a row is bad and
// skipping is off, it keeps reading only to report, yields nothing more, and
// Err returns *ImportErrors at the end; the store then writes nothing.
type RowSource[T any] struct {
	file     string
	skip     bool
	rd       rowReader
	parse    func(get func(string) string, line int) (T, []RowProblem)
	row      T
	bad      []LineError
	badTotal int
	read     int
	err      error
	progress func(rows int, bytes int64)
	counter  *countingReader
}

// Next advances to the next valid row.
func (s *RowSource[T]) Next() bool {
	for s.err == nil {
		get, line, err := s.rd.next()
		if err == io.EOF {
			break
		}
		if s.progress != nil && s.read%4096 == 0 {
			s.progress(s.read, s.counter.n)
		}
		if err != nil {
			var le *lineErr
			if errors.As(err, &le) {
				s.read++ // a row, though not a readable one
				s.reject(le.line, []RowProblem{le.problem})
				continue
			}
			s.err = fmt.Errorf("%s: %w", s.file, err)
			return false
		}
		s.read++
		row, problems := s.parse(get, line)
		if len(problems) > 0 {
			s.reject(line, problems)
			continue
		}
		if s.badTotal > 0 && !s.skip {
			continue // refused anyway: only look for more problems
		}
		s.row = row
		return true
	}
	if s.progress != nil {
		s.progress(s.read, s.counter.n)
	}
	return false
}

func (s *RowSource[T]) reject(line int, problems []RowProblem) {
	s.badTotal++
	if len(s.bad) < MaxListedErrors {
		s.bad = append(s.bad, LineError{File: s.file, Line: line, Problems: problems})
	}
}

// Row is the current row.
func (s *RowSource[T]) Row() T { return s.row }

// Err is a read error, or *ImportErrors when bad rows refuse the import.
func (s *RowSource[T]) Err() error {
	if s.err != nil {
		return s.err
	}
	if s.badTotal > 0 && !s.skip {
		return &ImportErrors{Errors: s.bad, Total: s.badTotal}
	}
	return nil
}

// Skipped lists the bad rows that were left out (with skipping on).
func (s *RowSource[T]) Skipped() ([]LineError, int) { return s.bad, s.badTotal }

// Read is how many data rows were read.
func (s *RowSource[T]) Read() int { return s.read }

// File is the name the source reports errors under.
func (s *RowSource[T]) File() string { return s.file }

// ImportOptions says how to read an export.
type ImportOptions struct {
	File        string // for messages: file:line
	Format      string // csv or jsonl; empty: from File's extension
	SkipInvalid bool
	// Progress, when set, is called now and then with rows and bytes read.
	Progress func(rows int, bytes int64)
}

// NewPromotionSource reads a promotion export.
func NewPromotionSource(r io.Reader, opt ImportOptions) (*RowSource[PromotionRow], error) {
	return newSource(r, opt, PromotionColumns, promotionRequired, parsePromotion)
}

// NewAuthorizationSource reads an authorization export.
func NewAuthorizationSource(r io.Reader, opt ImportOptions) (*RowSource[AuthorizationRow], error) {
	return newSource(r, opt, AuthorizationColumns, authorizationRequired, parseAuthorization)
}

func newSource[T any](r io.Reader, opt ImportOptions, columns, required []string,
	parse func(get func(string) string, line int) (T, []RowProblem)) (*RowSource[T], error) {
	format := opt.Format
	if format == "" {
		var err error
		if format, err = FormatFromName(opt.File); err != nil {
			return nil, err
		}
	}
	cr := &countingReader{r: r}
	s := &RowSource[T]{file: opt.File, skip: opt.SkipInvalid, parse: parse, progress: opt.Progress, counter: cr}
	br := bufio.NewReaderSize(cr, 256<<10)
	switch format {
	case FormatCSV:
		rd, err := newCSVReader(br, opt.File, columns, required)
		if err != nil {
			return nil, err
		}
		s.rd = rd
	case FormatJSONL:
		s.rd = &jsonlReader{br: br, required: required}
	default:
		return nil, Invalid("format", "format.unknown", "Value", format)
	}
	return s, nil
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// lineErr is a row the reader itself could not read (bad quoting, wrong
// number of fields, not JSON).
type lineErr struct {
	line    int
	problem RowProblem
}

func (e *lineErr) Error() string { return fmt.Sprintf("line %d: %s", e.line, e.problem) }

type rowReader interface {
	// next returns a getter for the row's columns and the row's line.
	next() (get func(string) string, line int, err error)
}

type csvReader struct {
	r     *csv.Reader
	index map[string]int
	width int
	rec   []string
}

func newCSVReader(r io.Reader, file string, columns, required []string) (*csvReader, error) {
	if br, ok := r.(*bufio.Reader); ok {
		// A byte-order mark (spreadsheets write one) is not part of the header.
		if b, err := br.Peek(3); err == nil && string(b) == "\ufeff" {
			_, _ = br.Discard(3)
		}
	}
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err == io.EOF {
		return nil, Invalid(file, "header.empty", "Columns", strings.Join(columns, ", "))
	}
	if err != nil {
		return nil, Invalid(file, "header.unreadable", "Error", err.Error())
	}
	index := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if _, dup := index[h]; dup && slices.Contains(columns, h) {
			return nil, Invalid(file, "header.duplicate", "Column", h)
		}
		index[h] = i
	}
	var missing []string
	for _, c := range required {
		if _, ok := index[c]; !ok {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		return nil, Invalid(file, "header.missing", "Missing", strings.Join(missing, ", "), "Required", strings.Join(required, ", "))
	}
	return &csvReader{r: cr, index: index, width: len(header)}, nil
}

func (c *csvReader) next() (func(string) string, int, error) {
	for {
		rec, err := c.r.Read()
		if err == io.EOF {
			return nil, 0, io.EOF
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) && pe.Err != csv.ErrFieldCount {
			return nil, 0, &lineErr{line: pe.StartLine, problem: NewRowProblem("", "row.unreadable", "Error", pe.Err.Error())}
		}
		if err != nil && !errors.Is(err, csv.ErrFieldCount) {
			return nil, 0, err
		}
		line, _ := c.r.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue // a blank line
		}
		if len(rec) != c.width {
			return nil, 0, &lineErr{line: line, problem: NewRowProblem("", "row.field_count", "Fields", len(rec), "Header", c.width)}
		}
		c.rec = rec
		return c.get, line, nil
	}
}

func (c *csvReader) get(col string) string {
	if i, ok := c.index[col]; ok {
		return strings.TrimSpace(c.rec[i])
	}
	return ""
}

type jsonlReader struct {
	br       *bufio.Reader
	line     int
	obj      map[string]any
	required []string
}

func (j *jsonlReader) next() (func(string) string, int, error) {
	for {
		raw, err := j.br.ReadBytes('\n')
		if len(raw) == 0 && err == io.EOF {
			return nil, 0, io.EOF
		}
		if err != nil && err != io.EOF {
			return nil, 0, err
		}
		j.line++
		raw = bytes.TrimSpace(raw)
		if len(raw) == 0 {
			continue
		}
		if !utf8.Valid(raw) {
			// The JSON decoder would put U+FFFD in place of the bad bytes.
			return nil, 0, &lineErr{line: j.line, problem: NewRowProblem(invalidUTF8Field(raw), "row.not_utf8")}
		}
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		obj := map[string]any{}
		if e := dec.Decode(&obj); e != nil {
			return nil, 0, &lineErr{line: j.line, problem: NewRowProblem("", "row.not_json", "Error", e.Error())}
		}
		if dec.More() {
			return nil, 0, &lineErr{line: j.line, problem: NewRowProblem("", "row.json_values")}
		}
		lower := make(map[string]any, len(obj))
		for k, v := range obj {
			lower[strings.ToLower(k)] = v
		}
		var missing []string
		for _, c := range j.required {
			if _, ok := lower[c]; !ok {
				missing = append(missing, c)
			}
		}
		if len(missing) > 0 {
			return nil, 0, &lineErr{line: j.line, problem: NewRowProblem("", "row.json_missing", "Columns", strings.Join(missing, ", "))}
		}
		for k, v := range lower {
			switch v.(type) {
			case nil, string, json.Number, bool:
			default:
				return nil, 0, &lineErr{line: j.line, problem: NewRowProblem(k, "row.json_type")}
			}
		}
		j.obj = lower
		return j.get, j.line, nil
	}
}

// invalidUTF8Field names the field of a JSON line whose bytes are not
// valid UTF-8 ("" when it cannot tell).
func invalidUTF8Field(raw []byte) string {
	var obj map[string]json.RawMessage
	if json.Unmarshal(raw, &obj) == nil {
		keys := slices.Sorted(maps.Keys(obj))
		for _, k := range keys {
			if !utf8.Valid(obj[k]) {
				if !utf8.ValidString(k) {
					break
				}
				return strings.ToLower(k)
			}
		}
	}
	return ""
}

func (j *jsonlReader) get(col string) string {
	switch v := j.obj[col].(type) {
	case string:
		return strings.TrimSpace(v)
	case json.Number:
		return v.String()
	case bool:
		return strconv.FormatBool(v)
	}
	return ""
}

// Limits on the text of an export's fields. Every field is checked before
// it is read: valid UTF-8, no NUL or other control character, at most
// maxFieldBytes; so no store ever sees a value it would refuse or cut.
const (
	maxFieldBytes = 256
	// MaxVideoIDLen is the longest video id (a platform's id, or a link).
	MaxVideoIDLen = 128
)

// fieldParser collects the problems of one row.
type fieldParser struct {
	raw      func(string) string
	problems []RowProblem
	refused  map[string]bool // columns whose text was refused
}

func (f *fieldParser) bad(p RowProblem) { f.problems = append(f.problems, p) }

// get returns a column's value, or "" when its text was refused (the
// problem is recorded once, whatever asks for the column).
func (f *fieldParser) get(col string) string {
	v, _ := f.text(col)
	return v
}

// text returns a column's value and whether its text is acceptable.
func (f *fieldParser) text(col string) (string, bool) {
	if f.refused[col] {
		return "", false
	}
	v := f.raw(col)
	if p, bad := fieldTextProblem(col, v); bad {
		if f.refused == nil {
			f.refused = map[string]bool{}
		}
		f.refused[col] = true
		f.bad(p)
		return "", false
	}
	return v, true
}

// fieldTextProblem says what is wrong with a column's text, if anything.
func fieldTextProblem(col, v string) (RowProblem, bool) {
	if len(v) > maxFieldBytes {
		return NewRowProblem(col, "row.too_long", "Length", len(v), "Max", maxFieldBytes), true
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c >= 0x80 {
			return textProblemSlow(col, v[i:])
		}
		if c == 0 {
			return NewRowProblem(col, "row.nul"), true
		}
		if c < 0x20 || c == 0x7f {
			return NewRowProblem(col, "row.control", "Char", fmt.Sprintf("%U", rune(c))), true
		}
	}
	return RowProblem{}, false
}

func textProblemSlow(col, v string) (RowProblem, bool) {
	if !utf8.ValidString(v) {
		return NewRowProblem(col, "row.not_utf8"), true
	}
	for _, r := range v {
		if r == 0 {
			return NewRowProblem(col, "row.nul"), true
		}
		if unicode.IsControl(r) {
			return NewRowProblem(col, "row.control", "Char", fmt.Sprintf("%U", r)), true
		}
	}
	return RowProblem{}, false
}

// short cuts a value to a readable length for a problem's params, with
// "…" where it was cut.
func short(v string) string {
	const max = 40
	n := 0
	for i := range v {
		if n == max {
			return v[:i] + "…"
		}
		n++
	}
	return v
}

func (f *fieldParser) required(col string) string {
	v, ok := f.text(col)
	if ok && v == "" {
		f.bad(NewRowProblem(col, "row.empty"))
	}
	return v
}

func (f *fieldParser) int(col string, required bool) int64 {
	v, ok := f.text(col)
	if v == "" {
		if required && ok {
			f.bad(NewRowProblem(col, "row.empty"))
		}
		return 0
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		f.bad(NewRowProblem(col, "row.not_whole", "Value", short(v)))
		return 0
	}
	if n < 0 {
		f.bad(NewRowProblem(col, "row.negative", "Value", n))
	}
	return n
}

func (f *fieldParser) time(col string, required bool) *time.Time {
	v, ok := f.text(col)
	if v == "" {
		if required && ok {
			f.bad(NewRowProblem(col, "row.empty"))
		}
		return nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		f.bad(NewRowProblem(col, "row.not_time", "Value", short(v)))
		return nil
	}
	t = t.UTC().Truncate(time.Microsecond)
	if t.Year() < 1 || t.Year() > 9999 {
		// A store holds the years 0001 to 9999 (SQLite's text sorts only
		// four-digit years), and RFC 3339 writes no other.
		f.bad(NewRowProblem(col, "row.time_range", "Value", short(v), "UTC", t.Format(time.RFC3339)))
		return nil
	}
	return &t
}

func (f *fieldParser) enum(col string, allowed []string, required bool) string {
	raw, ok := f.text(col)
	v := strings.ToLower(raw)
	if v == "" {
		if required && ok {
			f.bad(NewRowProblem(col, "row.empty"))
		}
		return ""
	}
	v = strings.ReplaceAll(v, " ", "_")
	if !slices.Contains(allowed, v) {
		f.bad(NewRowProblem(col, "row.not_one_of", "Value", short(raw), "Allowed", strings.Join(allowed, ", ")))
	}
	return v
}

// videoIDProblem checks a video id: printable ASCII (a platform's id, or a link),
// no spaces, at most MaxVideoIDLen characters.
func videoIDProblem(col, v string) (RowProblem, bool) {
	for i := 0; i < len(v); i++ {
		if c := v[i]; c <= ' ' || c >= 0x7f {
			return NewRowProblem(col, "row.not_video_id", "Value", short(v)), true
		}
	}
	if len(v) > MaxVideoIDLen {
		return NewRowProblem(col, "row.video_id_long", "Length", len(v), "Max", MaxVideoIDLen), true
	}
	return RowProblem{}, false
}

func parsePromotion(get func(string) string, line int) (PromotionRow, []RowProblem) {
	f := &fieldParser{raw: get}
	var p Promotion
	p.OrderNumber = f.orderNumber("order_number")
	p.Account = f.account("account")
	p.VideoID = f.videoID("video_id")
	p.Objective = f.enum("objective", Objectives, false)
	p.Amount = f.int("amount", true)
	p.Currency = f.currency("currency")
	p.PaymentMethod = f.enum("payment_method", PaymentMethods, false)
	f.promotionTimes(&p)
	p.Status = PromotionStatus(f.enum("status", promotionStatusNames(), true))
	p.PromisedReach = f.int("promised_reach", false)
	p.DeliveredReach = f.int("delivered_reach", false)
	p.Spend = f.int("spend", false)
	p.Refunded = f.int("refunded", false)
	p.Incident = f.bool("incident")
	if len(f.problems) > 0 {
		return PromotionRow{}, f.problems
	}
	return PromotionRow{Line: line, Promotion: p, Hash: promotionHash(&p)}, nil
}

// orderNumber reads a required order number, digits only as written.
func (f *fieldParser) orderNumber(col string) string {
	o := f.required(col)
	if o == "" {
		return ""
	}
	n, err := NormalizeOrder(o)
	if err != nil || n == "" || n != o {
		f.bad(NewRowProblem(col, "row.not_order", "Value", short(o)))
		return ""
	}
	return n
}

// account reads a required account name, normalised.
func (f *fieldParser) account(col string) string {
	a := f.required(col)
	if a == "" {
		return ""
	}
	n, err := NormalizeAccount(a)
	if err != nil {
		f.bad(NewRowProblem(col, "row.not_account", "Value", short(a)))
		return ""
	}
	return n
}

// videoID reads an optional video id.
func (f *fieldParser) videoID(col string) string {
	v := f.get(col)
	if v != "" {
		if p, bad := videoIDProblem(col, v); bad {
			f.bad(p)
		}
	}
	return v
}

// currency reads a required three-letter currency code, in upper case.
func (f *fieldParser) currency(col string) string {
	c := f.required(col)
	if c == "" {
		return ""
	}
	if !isCurrencyCode(c) {
		f.bad(NewRowProblem(col, "row.not_currency", "Value", short(c)))
	}
	return strings.ToUpper(c)
}

// isCurrencyCode reports three ASCII letters, in either case.
func isCurrencyCode(c string) bool {
	return len(c) == 3 && strings.ToUpper(c) == strings.Map(func(r rune) rune {
		if r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' {
			return r &^ 0x20
		}
		return -1
	}, c)
}

// promotionTimes reads a promotion's times; its end may not be before its start.
func (f *fieldParser) promotionTimes(p *Promotion) {
	if t := f.time("created_at", true); t != nil {
		p.CreatedAt = *t
	}
	p.StartAt = f.time("start_at", false)
	p.EndAt = f.time("end_at", false)
	p.ClosedAt = f.time("closed_at", false)
	if p.StartAt != nil && p.EndAt != nil && p.EndAt.Before(*p.StartAt) {
		f.bad(NewRowProblem("end_at", "row.end_before_start", "End", p.EndAt.Format(time.RFC3339), "Start", p.StartAt.Format(time.RFC3339)))
	}
}

// promotionStatusNames are PromotionStatuses as strings.
func promotionStatusNames() []string {
	statuses := make([]string, len(PromotionStatuses))
	for i, s := range PromotionStatuses {
		statuses[i] = string(s)
	}
	return statuses
}

// bool reads an optional true or false, in any case.
func (f *fieldParser) bool(col string) bool {
	v := f.get(col)
	if v == "" {
		return false
	}
	b, err := strconv.ParseBool(strings.ToLower(v))
	if err != nil {
		f.bad(NewRowProblem(col, "row.not_bool", "Value", short(v)))
	}
	return b
}

func parseAuthorization(get func(string) string, line int) (AuthorizationRow, []RowProblem) {
	f := &fieldParser{raw: get}
	var a Authorization
	a.Account = f.account("account")
	if s := strings.ToLower(f.required("scope")); s != "" {
		if id, ok := strings.CutPrefix(s, "video:"); ok && id != "" {
			if p, bad := videoIDProblem("scope", id); bad {
				f.bad(p)
			}
		} else if s != "account" && s != "video" {
			f.bad(NewRowProblem("scope", "row.not_scope", "Value", short(f.get("scope"))))
		}
		a.Scope = s
	}
	if t := f.time("granted_at", true); t != nil {
		a.GrantedAt = *t
	}
	a.RevokedAt = f.time("revoked_at", false)
	if len(f.problems) > 0 {
		return AuthorizationRow{}, f.problems
	}
	return AuthorizationRow{Line: line, Authorization: a, Hash: hashFields(a.Account, a.Scope, fmtTime(&a.GrantedAt), fmtTime(a.RevokedAt))}, nil
}

func fmtTime(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

func promotionHash(p *Promotion) string {
	return hashFields(p.OrderNumber, p.Account, p.VideoID, p.Objective, strconv.FormatInt(p.Amount, 10), p.Currency,
		p.PaymentMethod, fmtTime(&p.CreatedAt), fmtTime(p.StartAt), fmtTime(p.EndAt), fmtTime(p.ClosedAt), string(p.Status),
		strconv.FormatInt(p.PromisedReach, 10), strconv.FormatInt(p.DeliveredReach, 10), strconv.FormatInt(p.Spend, 10),
		strconv.FormatBool(p.Incident), strconv.FormatInt(p.Refunded, 10))
}

// SkipInvalid reports whether bad rows are skipped rather than refusing the import.
func (s *RowSource[T]) SkipInvalid() bool { return s.skip }
