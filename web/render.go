package web

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"refunddesk/tickets"
)

// Page is what every page's template gets: the layout's needs (language,
// agent, CSRF token, title, which navigation link is the current one) and
// the page's own Data. Its methods put words in the agent's language:
// {{.T "web.queue.title"}}, {{$.Money .Amount .Currency}}.
type Page struct {
	s     *Server
	Lang  string
	Agent *Agent
	Title string
	// Nav names the navigation link of this page ("queue").
	Nav  string
	Data any
	// days are the days Time has written on this page, in its language:
	// a long ticket's trail has hundreds of moments on a few days.
	days map[time.Time]string
}

// CSRF is the token a form of this page carries in its csrf field.
func (p *Page) CSRF() string {
	if p.Agent == nil {
		return ""
	}
	return p.Agent.CSRF
}

// T writes a catalog message; kv are its values as name, value pairs.
func (p *Page) T(id string, kv ...any) string { return p.s.cat.Text(p.Lang, id, kv...) }

// Money writes an amount in minor units in the currency's major units.
func (p *Page) Money(amount int64, currency string) string {
	return p.s.cat.Money(amount, currency, p.Lang)
}

// Count writes a whole number (int or int64) with the language's separators.
func (p *Page) Count(n any) string {
	switch v := n.(type) {
	case int:
		return p.s.cat.Count(int64(v), p.Lang)
	case int64:
		return p.s.cat.Count(v, p.Lang)
	}
	return fmt.Sprint(n)
}

// Date writes a day; Time writes a moment to the minute, in UTC.
func (p *Page) Date(t time.Time) string { return p.s.cat.Date(t, p.Lang) }

// Time writes a moment as the day and the time of day (UTC).
func (p *Page) Time(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	t = t.UTC()
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	d, ok := p.days[day]
	if !ok {
		if p.days == nil {
			p.days = map[time.Time]string{}
		}
		d = p.s.cat.Date(day, p.Lang)
		p.days[day] = d
	}
	return d + " " + t.Format("15:04") + " UTC"
}

// ISO writes a moment for a <time datetime> attribute.
func (p *Page) ISO(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// Size writes a file's size (12 KiB).
func (p *Page) Size(n int64) string { return p.s.cat.Bytes(n, p.Lang) }

// Name writes one of the console's code names: a status, a verdict, a flag,
// a kind, a reason, a channel, a language, an outbox message and its status,
// a promotion's status, objective and payment (web.<what>.<code>). A code
// with no name (data from elsewhere) is written as it is.
func (p *Page) Name(what string, code any) string {
	return p.s.cat.CodeName(p.Lang, "web."+what+".", fmt.Sprint(code))
}

// Rule writes a verdict's step in words for agents.
func (p *Page) Rule(step tickets.RuleStep) string { return p.s.cat.Rule(step, p.Lang) }

// parsePages parses every page with the layout and the parts pages share
// (ui/parts: the ticket's actions), once.
func parsePages() (map[string]*template.Template, error) {
	names, err := fs.Glob(uiFS, "ui/*.html")
	if err != nil {
		return nil, err
	}
	pages := map[string]*template.Template{}
	for _, n := range names {
		name := strings.TrimSuffix(strings.TrimPrefix(n, "ui/"), ".html")
		if name == "layout" {
			continue
		}
		t, err := template.New(name).Funcs(template.FuncMap{"add": func(a, b int) int { return a + b }}).
			ParseFS(uiFS, "ui/layout.html", "ui/parts/*.html", n)
		if err != nil {
			return nil, fmt.Errorf("web: page %s: %w", name, err)
		}
		pages[name] = t
	}
	for _, need := range []string{"signin", "queue", "ticket", "error"} {
		if pages[need] == nil {
			return nil, fmt.Errorf("web: no page %s", need)
		}
	}
	return pages, nil
}

// render writes a page with the layout: into a buffer first, so that a
// template that fails sends a 500, not half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, p *Page) {
	p.s = s
	if p.Agent == nil {
		p.Agent = AgentFrom(r.Context())
	}
	if p.Lang == "" {
		p.Lang = s.cat.Language("")
		if p.Agent != nil {
			p.Lang = p.Agent.Language
		}
	}
	buf := s.buffers.Get().(*bytes.Buffer)
	defer s.putBuffer(buf)
	if err := s.pages[name].ExecuteTemplate(buf, "layout", p); err != nil {
		s.log.Error("web: render a page", slog.String("page", name), slog.Any("error", err))
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// putBuffer gives a page's buffer back for the next page, unless it grew
// past what a page should weigh (then it is left to the collector).
func (s *Server) putBuffer(buf *bytes.Buffer) {
	if buf.Cap() > 256<<10 {
		return
	}
	buf.Reset()
	s.buffers.Put(buf)
}

// errorPage is the error page's data.
type errorPage struct {
	Status  int
	Message string
}

// fail answers an error in words: 400 for bad input, 403, 404, 409; any
// other is a 500 whose detail goes to the log only.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, a *Agent, err error) {
	lang := s.requestLanguage(r)
	if a != nil {
		lang = a.Language
	}
	status, msg := http.StatusInternalServerError, s.cat.Text(lang, "web.error.internal")
	var tooBig *http.MaxBytesError
	switch {
	case errors.Is(err, errCSRF):
		status, msg = http.StatusForbidden, s.cat.Text(lang, "web.error.csrf")
	case errors.As(err, &tooBig):
		status, msg = http.StatusRequestEntityTooLarge, s.cat.Text(lang, "web.error.too_large")
	case tickets.IsValidation(err):
		status, msg = http.StatusBadRequest, s.cat.Error(lang, err)
	case errors.Is(err, tickets.ErrForbidden):
		status, msg = http.StatusForbidden, s.cat.Error(lang, err)
	case errors.Is(err, tickets.ErrNotFound):
		status, msg = http.StatusNotFound, s.cat.Text(lang, "web.error.not_found")
	case errors.Is(err, tickets.ErrConflict):
		status, msg = http.StatusConflict, s.cat.Error(lang, err)
	default:
		name := ""
		if a != nil {
			name = a.Name
		}
		s.log.Error("web: request failed", slog.String("method", r.Method), slog.String("path", r.URL.Path),
			slog.String("agent", name), slog.Any("error", err))
	}
	s.render(w, r, status, "error", &Page{Lang: lang, Agent: a, Title: s.cat.Text(lang, "web.error.title"),
		Data: errorPage{Status: status, Message: msg}})
}
