package templates

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"refunddesk/tickets"
)

// Error writes err for people in a language: every problem of the domain in
// it (a *tickets.ValidationError, "field: " and its error.<code> message; a
// *tickets.ConflictError, its message and ": conflict"; a
// *tickets.NotFoundError, its message, which says what was not found; a
// *tickets.ImportErrors, its rows, one a line) in the catalog's words, and
// the rest (what wraps them, errors without a code) as the error says it.
// The English of a coded problem is the sentence the domain wrote before
// codes, so err.Error()'s shape is kept.
func (c *Catalog) Error(lang string, err error) string {
	if err == nil {
		return ""
	}
	s := err.Error()
	walkErrors(err, func(e error) bool {
		switch e := e.(type) {
		case *tickets.ValidationError:
			if e.Code != "" {
				s = strings.Replace(s, e.Error(), c.ValidationText(lang, e), 1)
			}
			return false
		case *tickets.ConflictError:
			s = strings.Replace(s, e.Error(), c.Problem(lang, e.Code, e.Params)+": "+tickets.ErrConflict.Error(), 1)
			return false
		case *tickets.NotFoundError:
			s = strings.Replace(s, e.Error(), c.Problem(lang, e.Code, e.Params), 1)
			return false
		case *tickets.ImportErrors:
			s = strings.Replace(s, e.Error(), c.ImportErrors(lang, e), 1)
			return false
		}
		return true
	})
	return s
}

// ValidationText writes one field's problem: "field: message", or the
// message alone when no field is named.
func (c *Catalog) ValidationText(lang string, e *tickets.ValidationError) string {
	why := e.Message
	if e.Code != "" {
		why = c.Problem(lang, e.Code, e.Params)
	}
	if e.Field == "" {
		return why
	}
	return e.Field + ": " + why
}

// Problem writes error.<code> with its params; sizes (tickets.Bytes) are
// written in the language's units first.
func (c *Catalog) Problem(lang, code string, p tickets.Params) string {
	kv := make([]any, 0, 2*len(p))
	for k, v := range p {
		if b, ok := v.(tickets.Bytes); ok {
			v = c.Bytes(int64(b), lang)
		}
		kv = append(kv, k, v)
	}
	return c.Text(lang, "error."+code, kv...)
}

// ImportErrors writes an import refused for its bad rows: how many, then
// file:line: reason a row, and how many more than those listed.
func (c *Catalog) ImportErrors(lang string, e *tickets.ImportErrors) string {
	var b strings.Builder
	b.WriteString(c.Text(lang, "import.refused", "Count", e.Total))
	for _, le := range e.Errors {
		fmt.Fprintf(&b, "\n  %s:%d: %s", le.File, le.Line, c.RowReason(lang, le))
	}
	if more := e.Total - len(e.Errors); more > 0 {
		b.WriteString("\n  " + c.Text(lang, "import.more", "Count", more))
	}
	return b.String()
}

// RowReason writes a bad row's problems: "column: why", or the why alone
// for the whole row, joined by "; ". A row without problems keeps the
// reason it has.
func (c *Catalog) RowReason(lang string, le tickets.LineError) string {
	if len(le.Problems) == 0 {
		return le.Reason
	}
	parts := make([]string, len(le.Problems))
	for i, p := range le.Problems {
		parts[i] = c.Problem(lang, p.Code, p.Params)
		if p.Column != "" {
			parts[i] = p.Column + ": " + parts[i]
		}
	}
	return strings.Join(parts, "; ")
}

// Bytes writes a size for people: "300 bytes", "12 KiB", "1.5 MiB" (one
// decimal, none when it is zero; the language's decimal mark).
func (c *Catalog) Bytes(n int64, lang string) string {
	id, div := "format.bytes", int64(1)
	switch {
	case n >= 1<<20:
		id, div = "format.mib", 1<<20
	case n >= 1<<10:
		id, div = "format.kib", 1<<10
	}
	num := strconv.FormatInt(n, 10)
	if div > 1 {
		num = strings.TrimSuffix(fmt.Sprintf("%.1f", float64(n)/float64(div)), ".0")
		num = strings.Replace(num, ".", c.Text(lang, "format.decimal"), 1)
	}
	return c.Text(lang, id, "Number", num)
}

// walkErrors calls visit on err and, while visit says to go on, on what it
// wraps (one error or several), depth first.
func walkErrors(err error, visit func(error) bool) {
	if err == nil || !visit(err) {
		return
	}
	switch u := err.(type) {
	case interface{ Unwrap() []error }:
		for _, e := range u.Unwrap() {
			walkErrors(e, visit)
		}
	case interface{ Unwrap() error }:
		walkErrors(u.Unwrap(), visit)
	}
}

// Alert writes why a ticket needs the agents (a follow-up's alert, queued
// with its code): alert.<code> with the ticket, how long it waited and the
// target it is past, spans as the desk speaks of them ("3 days", "26 h").
func (c *Catalog) Alert(lang string, a tickets.Alert) string {
	return c.Text(lang, "alert."+a.Code, "Ref", a.Ref, "Waited", c.Span(a.Waited, lang), "Target", c.Span(a.Target, lang))
}

// Span writes a wait as the alerts speak of it: whole days from two days
// on ("3 days", one decimal when not whole: "2.5 days"), hours from one
// hour ("26 h"), minutes below ("40 min").
func (c *Catalog) Span(d time.Duration, lang string) string {
	day := 24 * time.Hour
	switch {
	case d >= 2*day && d%day < time.Hour:
		return c.Text(lang, "span.days", "Number", strconv.FormatInt(int64(d/day), 10))
	case d >= 2*day:
		num := strings.Replace(fmt.Sprintf("%.1f", d.Hours()/24), ".", c.Text(lang, "format.decimal"), 1)
		return c.Text(lang, "span.days", "Number", num)
	case d >= time.Hour:
		return c.Text(lang, "span.hours", "Number", strconv.Itoa(int(d.Hours())))
	}
	return c.Text(lang, "span.minutes", "Number", strconv.Itoa(int(d.Minutes())))
}
