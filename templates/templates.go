// Package templates holds the desk's words: one message catalog per
// language (Catalog, locales/<lang>.toml) and the messages refunddesk sends
// to requesters, as email (subject, plain text and HTML) or as one Discord
// Markdown message. The files are embedded and all parsed by New at
// start-up; a missing or broken one fails start-up, not a requester's
// message.
//
// The languages are the catalog files: a language is one catalog file plus
// its templates. Template files: email/<name>.<lang>.subject.txt,
// email/<name>.<lang>.txt (text/template), email/<name>.<lang>.html
// (html/template) and discord/<name>.<lang>.md (text/template). The
// greeting, footer and the lists every message shares are {{define}} blocks
// in <flavour>/layout.<lang>.<ext>.
package templates

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"io/fs"
	"log/slog"
	"path"
	"slices"
	"strings"
	texttemplate "text/template"

	"refunddesk/tickets"
)

// Flavours: how a message is delivered.
const (
	FlavourEmail   = "email"   // subject, plain text and HTML
	FlavourDiscord = "discord" // one Markdown text, no HTML
)

// DiscordLimit is the most characters (UTF-16 code units, as Discord counts
// them) a Discord message may hold; Render never returns more.
const DiscordLimit = 2000

// Defaults for the zero values of Data.
const (
	DefaultDeskName   = "Refund Desk"
	DefaultRefundDays = 7
	DefaultReopenDays = 14
)

// ErrUnknown is wrapped by Render's error for a flavour or template name it
// does not know: retrying cannot help.
var ErrUnknown = errors.New("templates: unknown flavour or template")

//go:embed email/*.txt email/*.html discord/*.md locales
var files embed.FS

// Data is what a template writes from: the ticket's snapshot and what the
// channel knows about the requester and the desk.
type Data struct {
	tickets.MessageData
	// Language is one of the catalog's (Catalog.Language matches it);
	// anything else renders English.
	Language      string
	DeskName      string // "Refund Desk" when empty
	RequesterName string // may be empty
	RefundDays    int    // business days a refund takes to arrive; 7 when 0
	ReopenDays    int    // days a closed ticket can be reopened by writing back; 14 when 0
}

// Message is a rendered message. Subject and HTML are empty for Discord.
type Message struct {
	Subject string
	Text    string
	HTML    string
}

// Names lists the templates the engine knows, the tickets.Template* names.
func Names() []string {
	return []string{
		tickets.TemplateAcknowledgement,
		tickets.TemplateRequestInfo,
		tickets.TemplateApproved,
		tickets.TemplateDenied,
		tickets.TemplateRevocationForwarded,
		tickets.TemplateRevocationDone,
		tickets.TemplateReply,
		tickets.TemplateReminder,
		tickets.TemplateAutoClosed,
		tickets.TemplateClosePromotion,
		tickets.TemplateStillInProgress,
		tickets.TemplateReceived,
	}
}

// Flavours lists the flavours the engine renders.
func Flavours() []string { return []string{FlavourEmail, FlavourDiscord} }

// Languages lists the languages shipped: the embedded catalogs, each with
// every template written in it.
func Languages() []string {
	var out []string
	entries, _ := fs.ReadDir(files, localesDir) // embedded: cannot fail
	for _, e := range entries {
		if lang, ok := strings.CutSuffix(e.Name(), ".toml"); ok && !e.IsDir() {
			out = append(out, lang)
		}
	}
	return out
}

// Parts of a message and the file each is parsed from. A template file is
// <flavour>/<name>.<lang><suffix>; the shared {{define}} blocks of a part
// (greeting, footer, lists) are in <flavour>/layout.<lang><suffix>.
const (
	partSubject = "subject"
	partText    = "text"
	partHTML    = "html"
)

type partSpec struct {
	part   string
	suffix string
	html   bool
	layout bool // parsed together with the part's layout file
}

var flavourParts = map[string][]partSpec{
	FlavourEmail: {
		{part: partSubject, suffix: ".subject.txt"},
		{part: partText, suffix: ".txt", layout: true},
		{part: partHTML, suffix: ".html", html: true, layout: true},
	},
	FlavourDiscord: {
		{part: partText, suffix: ".md", layout: true},
	},
}

const layoutName = "layout"

type key struct{ flavour, name, lang, part string }

// Engine holds the catalog and every template, parsed once. It is safe for
// concurrent use.
type Engine struct {
	cat  *Catalog
	text map[key]*texttemplate.Template
	html map[key]*htmltemplate.Template
}

// Option changes how New builds an Engine.
type Option func(*options)

type options struct {
	log   *slog.Logger
	files fs.FS
}

// WithLogger sends the catalog's warnings (a message missing from a
// language) to log instead of slog.Default().
func WithLogger(log *slog.Logger) Option { return func(o *options) { o.log = log } }

// New loads the embedded catalogs (or WithFiles') and parses every
// template, in each of the catalogs' languages. It fails, naming each (flavour, template,
// language, part), when a file is missing, does not parse, or cannot render
// a sample ticket; when a file belongs to no template; and when a catalog
// does not load.
func New(opts ...Option) (*Engine, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	if o.files == nil {
		o.files = files
	}
	return newEngine(o.files, o.log)
}

// Catalog is the engine's message catalog, for the words a channel writes
// outside of a template.
func (e *Engine) Catalog() *Catalog { return e.cat }

// Languages lists the languages the engine writes, its catalog's.
func (e *Engine) Languages() []string { return e.cat.Languages() }

func newEngine(fsys fs.FS, log *slog.Logger) (*Engine, error) {
	cat, err := loadCatalog(fsys, log)
	if err != nil {
		return nil, err
	}
	e := &Engine{cat: cat, text: map[key]*texttemplate.Template{}, html: map[key]*htmltemplate.Template{}}
	var errs []error
	expected := map[string]bool{}
	for _, flavour := range Flavours() {
		for _, spec := range flavourParts[flavour] {
			for _, lang := range cat.Languages() {
				base, err := e.parseLayout(fsys, flavour, lang, spec, expected)
				if err != nil {
					errs = append(errs, err)
					continue
				}
				for _, name := range Names() {
					p := path.Join(flavour, name+"."+lang+spec.suffix)
					expected[p] = true
					if err := e.parse(fsys, key{flavour, name, lang, spec.part}, p, base); err != nil {
						errs = append(errs, fmt.Errorf("templates: %s %s (%s, %s): %w", flavour, name, lang, spec.part, err))
					}
				}
			}
		}
	}
	// A file no template reads is a typo in a name: say so now.
	_ = fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() && p == localesDir {
			return fs.SkipDir // the catalogs
		}
		if err == nil && !d.IsDir() && !expected[p] {
			errs = append(errs, fmt.Errorf("templates: %s belongs to no template (names: %s; languages: %s)",
				p, strings.Join(Names(), ", "), strings.Join(cat.Languages(), ", ")))
		}
		return nil
	})
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	// Render every template once, so a field, function or block that does
	// not exist fails start-up and not a requester's message.
	failed := map[[3]string]bool{}
	for _, d := range smokeData(cat.Languages()) {
		for _, flavour := range Flavours() {
			for _, name := range Names() {
				if failed[[3]string{flavour, name, d.Language}] {
					continue // one error per template is enough
				}
				if _, err := e.Render(flavour, name, d); err != nil {
					failed[[3]string{flavour, name, d.Language}] = true
					errs = append(errs, err)
				}
			}
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return e, nil
}

// parsed is the shared start of a part's templates: its functions and, when
// the part has one, its parsed layout. Each template is parsed into a clone.
type parsed struct {
	text *texttemplate.Template
	html *htmltemplate.Template
}

func (e *Engine) parseLayout(fsys fs.FS, flavour, lang string, spec partSpec, expected map[string]bool) (parsed, error) {
	funcs := funcMap(e.cat, lang, flavour)
	var base parsed
	if spec.html {
		base.html = htmltemplate.New(layoutName).Option("missingkey=error").Funcs(htmltemplate.FuncMap(funcs))
	} else {
		base.text = texttemplate.New(layoutName).Option("missingkey=error").Funcs(funcs)
	}
	if !spec.layout {
		return base, nil
	}
	p := path.Join(flavour, layoutName+"."+lang+spec.suffix)
	expected[p] = true
	b, err := fs.ReadFile(fsys, p)
	if err != nil {
		return base, fmt.Errorf("templates: %s layout (%s, %s): missing file %s", flavour, lang, spec.part, p)
	}
	if base.html != nil {
		_, err = base.html.Parse(string(b))
	} else {
		_, err = base.text.Parse(string(b))
	}
	if err != nil {
		return base, fmt.Errorf("templates: %s layout (%s, %s): %w", flavour, lang, spec.part, err)
	}
	return base, nil
}

func (e *Engine) parse(fsys fs.FS, k key, p string, base parsed) error {
	b, err := fs.ReadFile(fsys, p)
	if err != nil {
		return fmt.Errorf("missing file %s", p)
	}
	name := path.Base(p)
	if base.html != nil {
		t, err := base.html.Clone()
		if err != nil {
			return err
		}
		if t, err = t.New(name).Parse(string(b)); err != nil {
			return err
		}
		e.html[k] = t
		return nil
	}
	t, err := base.text.Clone()
	if err != nil {
		return err
	}
	if t, err = t.New(name).Parse(string(b)); err != nil {
		return err
	}
	e.text[k] = t
	return nil
}

// view is what templates execute on: the data with its defaults applied,
// the verdict's explanation in words, and the subject for the HTML title.
type view struct {
	Data
	// Explanation is Data's, in the message's language.
	Explanation []string
	Subject     string
}

// Render writes template name in a flavour for d. An unknown flavour or
// name is an error wrapping ErrUnknown.
func (e *Engine) Render(flavour, name string, d Data) (*Message, error) {
	if _, ok := flavourParts[flavour]; !ok {
		return nil, fmt.Errorf("%w: flavour %q (flavours: %s)", ErrUnknown, flavour, strings.Join(Flavours(), ", "))
	}
	if !slices.Contains(Names(), name) {
		return nil, fmt.Errorf("%w: %q (names: %s)", ErrUnknown, name, strings.Join(Names(), ", "))
	}
	v := view{Data: e.withDefaults(d)}
	lang := v.Language
	for _, s := range v.Data.Explanation {
		v.Explanation = append(v.Explanation, e.cat.Rule(s, lang))
	}
	fail := func(part string, err error) error {
		return fmt.Errorf("templates: render %s %s (%s, %s) for %q: %w", flavour, name, lang, part, v.Ref, err)
	}
	if flavour == FlavourDiscord {
		text, err := e.renderDiscord(key{flavour, name, lang, partText}, v)
		if err != nil {
			return nil, fail(partText, err)
		}
		return &Message{Text: text}, nil
	}
	subject, err := execText(e.text[key{flavour, name, lang, partSubject}], v)
	if err != nil {
		return nil, fail(partSubject, err)
	}
	v.Subject = strings.Join(strings.Fields(subject), " ") // one line, always
	text, err := execText(e.text[key{flavour, name, lang, partText}], v)
	if err != nil {
		return nil, fail(partText, err)
	}
	var html bytes.Buffer
	if err := e.html[key{flavour, name, lang, partHTML}].Execute(&html, v); err != nil {
		return nil, fail(partHTML, err)
	}
	return &Message{Subject: v.Subject, Text: tidy(text) + "\n", HTML: strings.TrimSpace(html.String()) + "\n"}, nil
}

func execText(t *texttemplate.Template, v view) (string, error) {
	var b bytes.Buffer
	if err := t.Execute(&b, v); err != nil {
		return "", err
	}
	return b.String(), nil
}

// renderDiscord renders a Discord message and makes it fit DiscordLimit:
// first by shortening the agent's text, then the explanation, and only then
// by cutting the message itself.
func (e *Engine) renderDiscord(k key, v view) (string, error) {
	t := e.text[k]
	render := func(v view) (string, error) {
		s, err := execText(t, v)
		return tidy(s), err
	}
	out, err := render(v)
	if err != nil || discordLen(out) <= DiscordLimit {
		return out, err
	}
	note := e.cat.Text(v.Language, "discord.shortened")
	if text := []rune(v.Text); len(text) > 0 {
		// The longest prefix of the text that fits, by bisection.
		lo, hi, best := 0, len(text), ""
		for lo <= hi {
			mid := (lo + hi) / 2
			w := v
			w.Text = shorten(text, mid, note)
			s, err := render(w)
			if err != nil {
				return "", err
			}
			if discordLen(s) <= DiscordLimit {
				best, lo = s, mid+1
			} else {
				hi = mid - 1
			}
		}
		if best != "" {
			return best, nil
		}
		v.Text = note
	}
	for len(v.Explanation) > 0 {
		v.Explanation = slices.Clone(v.Explanation[:len(v.Explanation)-1])
		if s, err := render(v); err != nil || discordLen(s) <= DiscordLimit {
			return s, err
		}
	}
	out, err = render(v)
	if err != nil {
		return "", err
	}
	return cutDiscord(out, note), nil
}

// shorten keeps the first n runes of text, ending at a word when one ends
// near the cut, closes a code block left open, and adds the note.
func shorten(text []rune, n int, note string) string {
	if n >= len(text) {
		return string(text)
	}
	cut := n
	for i := n; i > 0 && i > n-40; i-- {
		if text[i] == ' ' || text[i] == '\n' {
			cut = i
			break
		}
	}
	s := strings.TrimRight(string(text[:cut]), " \t\n")
	if strings.Count(s, "```")%2 == 1 {
		s += "\n```"
	}
	return s + "…\n" + note
}

// cutDiscord cuts a message that cannot fit otherwise, on a rune boundary.
func cutDiscord(s, note string) string {
	room := DiscordLimit - discordLen("…\n"+note)
	n := 0
	for i, r := range s {
		w := 1
		if r > 0xFFFF {
			w = 2
		}
		if n+w > room {
			return strings.TrimRight(s[:i], " \t\n") + "…\n" + note
		}
		n += w
	}
	return s
}

// discordLen counts like Discord does: UTF-16 code units.
func discordLen(s string) int {
	n := 0
	for _, r := range s {
		if r > 0xFFFF {
			n += 2
		} else {
			n++
		}
	}
	return n
}

// tidy trims trailing spaces from lines, keeps at most one blank line in a
// row (templates with conditionals leave more) and trims the ends.
func tidy(s string) string {
	lines := strings.Split(s, "\n")
	out := lines[:0]
	blank := true // drops leading blank lines
	for _, l := range lines {
		l = strings.TrimRight(l, " \t\r")
		if l == "" {
			if blank {
				continue
			}
			blank = true
		} else {
			blank = false
		}
		out = append(out, l)
	}
	return strings.TrimSpace(strings.Join(out, "\n"))
}

func (e *Engine) withDefaults(d Data) Data {
	d.Language = e.cat.Language(d.Language)
	d.DeskName = strings.Join(strings.Fields(d.DeskName), " ") // one line

	if d.DeskName == "" {
		d.DeskName = DefaultDeskName
	}
	d.RequesterName = strings.Join(strings.Fields(d.RequesterName), " ")
	if d.RefundDays <= 0 {
		d.RefundDays = DefaultRefundDays
	}
	if d.ReopenDays <= 0 {
		d.ReopenDays = DefaultReopenDays
	}
	return d
}

// smokeData is rendered by New: an empty ticket, and one with every field.
func smokeData(langs []string) []Data {
	full := Data{
		MessageData: tickets.MessageData{
			Ref: "RD-1", Kind: tickets.KindRefund, Status: tickets.StatusNeedsInfo, Account: "@a", Order: "1",
			Reason: tickets.ReasonUnderDelivery, Verdict: tickets.VerdictNeedsInfo, Amount: 1, Currency: "IDR",
			Missing: []string{"order", "order_unknown", "account", "reason", "evidence"}, Text: "x",
			Explanation: []tickets.RuleStep{{Rule: tickets.RuleOther, Outcome: string(tickets.VerdictNeedsReview), Code: tickets.CodeNoRule}},
			Joined:      true,
		},
		RequesterName: "x",
	}
	var out []Data
	for _, lang := range langs {
		full.Language = lang
		out = append(out, Data{Language: lang}, full)
		rev := full
		rev.Kind, rev.Verdict = tickets.KindRevocation, tickets.VerdictEligible
		out = append(out, rev)
	}
	return out
}
