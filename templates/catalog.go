package templates

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"math"
	"math/big"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"
	texttemplate "text/template"
	"text/template/parse"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/nicksnyder/go-i18n/v2/i18n"
	i18ntemplate "github.com/nicksnyder/go-i18n/v2/i18n/template"
	"golang.org/x/text/language"

	"refunddesk/tickets"
)

// The message files, in go-i18n's TOML format: locales/<language>.toml, one
// per language, and locales/<area>/<language>.toml for the messages of one
// area (a channel, the audit trail) kept apart. The languages the desk
// speaks are the top-level files; an area's file of a language that has no
// top-level file, and a message id in two files of one language, fail the
// load.
const localesDir = "locales"

// FallbackLanguage is the language of a message missing from another
// language's catalog, and of a language the desk does not speak.
const FallbackLanguage = tickets.LangEnglish

// Catalog is the desk's words in every language it speaks, loaded once from
// the message files. Every channel writes through it: the policy's
// explanations (tickets.RuleStep codes), names of kinds, reasons and
// statuses, money, counts and dates, Discord's phrases. A message missing
// from a language is taken from English, with a warning in the log; a
// message missing everywhere shows its id, never nothing. It is safe for
// concurrent use.
type Catalog struct {
	langs []string                   // as the files name them, sorted
	ids   map[string]map[string]bool // the message ids of each language
	// plain are the messages of each language that are plain text (no
	// value, one form): they are written without a template.
	plain map[string]map[string]string
	// split are the messages of each language that are text and values
	// ({{.Name}}), one form: they are written by joining their pieces.
	split map[string]map[string][]piece
	// formats are each language's separators, months and money formats.
	formats map[string]*formats
	// fields are the values each message names ({{.Name}}), by language.
	fields map[string]map[string][]string
	loc    map[string]*i18n.Localizer
	parser i18ntemplate.Parser
	log    *slog.Logger
	// warned are the (language, message) pairs a warning was logged for:
	// one each, not one a call.
	warned sync.Map
}

// NewCatalog loads the embedded message files; log gets the warnings about
// missing messages (slog.Default() when nil).
func NewCatalog(log *slog.Logger) (*Catalog, error) { return loadCatalog(files, log) }

// loadCatalog reads every locales/*.toml of fsys. A file that does not
// parse, a message with no "other" form or whose template does not parse,
// a file name that is not a language tag, and a missing English file all
// fail it.
func loadCatalog(fsys fs.FS, log *slog.Logger) (*Catalog, error) {
	if log == nil {
		log = slog.Default()
	}
	bundle := i18n.NewBundle(language.English)
	bundle.RegisterUnmarshalFunc("toml", toml.Unmarshal)
	c := &Catalog{ids: map[string]map[string]bool{}, plain: map[string]map[string]string{}, split: map[string]map[string][]piece{},
		fields: map[string]map[string][]string{}, formats: map[string]*formats{}, loc: map[string]*i18n.Localizer{},
		parser: &i18ntemplate.TextParser{Option: "missingkey=error"}, log: log}
	entries, err := fs.ReadDir(fsys, localesDir)
	if err != nil {
		return nil, fmt.Errorf("templates: the message catalogs: %w", err)
	}
	var errs []error
	var areas, broken []string
	for _, e := range entries {
		if e.IsDir() {
			areas = append(areas, path.Join(localesDir, e.Name()))
		}
	}
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".toml") {
			continue
		}
		lang := strings.TrimSuffix(e.Name(), ".toml")
		l, err := loadMessages(bundle, fsys, lang, areas)
		if err != nil {
			errs = append(errs, err)
			broken = append(broken, lang)
			continue
		}
		c.langs = append(c.langs, lang)
		c.ids[lang], c.plain[lang], c.split[lang], c.fields[lang] = l.ids, l.plain, l.split, l.fields
	}
	errs = append(errs, strayAreaFiles(fsys, areas, c.ids)...)
	if c.ids[FallbackLanguage] == nil && !slices.Contains(broken, FallbackLanguage) {
		errs = append(errs, fmt.Errorf("templates: the message catalogs: %s: missing file (English is every message's fallback)",
			path.Join(localesDir, FallbackLanguage+".toml")))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	slices.Sort(c.langs)
	for _, lang := range c.langs {
		c.loc[lang] = i18n.NewLocalizer(bundle, lang)
	}
	// Read once here, not at every amount and date: a format missing from
	// a language is logged now.
	for _, lang := range c.langs {
		c.formats[lang] = c.loadFormats(lang)
	}
	return c, nil
}

// messages is what a language's file holds, besides what the bundle keeps.
type messages struct {
	ids    map[string]bool
	plain  map[string]string   // the text of the messages that are plain text
	split  map[string][]piece  // the messages that are text and values, in pieces
	fields map[string][]string // the values each message names
}

// loadMessages adds one language's files to the bundle: its top-level file
// and its file in each area that has one. A rule's message (rule.*) may only
// name the values a rule has (ruleValues).
func loadMessages(bundle *i18n.Bundle, fsys fs.FS, lang string, areas []string) (messages, error) {
	p := path.Join(localesDir, lang+".toml")
	tag, err := language.Parse(lang)
	if err != nil || tag.String() != lang {
		return messages{}, fmt.Errorf("templates: %s: %q is not a language tag as BCP 47 writes it (like en, id, pt-BR)", p, lang)
	}
	l := messages{ids: map[string]bool{}, plain: map[string]string{}, split: map[string][]piece{}, fields: map[string][]string{}}
	seen := map[string]string{} // message id → the file that has it
	var errs []error
	for i, dir := range append([]string{localesDir}, areas...) {
		f := path.Join(dir, lang+".toml")
		b, err := fs.ReadFile(fsys, f)
		if i > 0 && errors.Is(err, fs.ErrNotExist) {
			continue // an area need not speak every language: English stands in
		}
		if err == nil {
			err = l.add(bundle, b, f, seen)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("templates: %s: %w", f, err))
		}
	}
	if len(errs) > 0 {
		return messages{}, errors.Join(errs...)
	}
	return l, nil
}

// strayAreaFiles are the errors for an area's file whose language has no
// top-level file (locales/web/pt.toml without locales/pt.toml).
func strayAreaFiles(fsys fs.FS, areas []string, langs map[string]map[string]bool) []error {
	var errs []error
	for _, dir := range areas {
		entries, err := fs.ReadDir(fsys, dir)
		if err != nil {
			errs = append(errs, fmt.Errorf("templates: %s: %w", dir, err))
			continue
		}
		for _, e := range entries {
			lang, ok := strings.CutSuffix(e.Name(), ".toml")
			if e.IsDir() || !ok {
				errs = append(errs, fmt.Errorf("templates: %s: only <language>.toml files belong in an area", path.Join(dir, e.Name())))
			} else if _, known := langs[lang]; !known {
				errs = append(errs, fmt.Errorf("templates: %s: no %s.toml at the top of %s for this language",
					path.Join(dir, e.Name()), lang, localesDir))
			}
		}
	}
	return errs
}

// add takes one message file of the language into the bundle and into l.
func (l *messages) add(bundle *i18n.Bundle, b []byte, p string, seen map[string]string) error {
	mf, err := bundle.ParseMessageFileBytes(b, p)
	if err != nil {
		return err
	}
	var errs []error
	for _, m := range mf.Messages {
		if other, dup := seen[m.ID]; dup {
			errs = append(errs, fmt.Errorf("message %q is in %s too", m.ID, other))
			continue
		}
		seen[m.ID] = p
		l.ids[m.ID] = true
		if m.Zero+m.One+m.Two+m.Few+m.Many == "" && !strings.Contains(m.Other, "{{") && m.LeftDelim == "" {
			l.plain[m.ID] = m.Other
		}
		if m.Other == "" {
			errs = append(errs, fmt.Errorf("message %q has no text (or no \"other\" form)", m.ID))
		}
		oneForm := m.Zero+m.One+m.Two+m.Few+m.Many == ""
		for _, src := range []string{m.Zero, m.One, m.Two, m.Few, m.Many, m.Other} {
			t, err := texttemplate.New(m.ID).Delims(m.LeftDelim, m.RightDelim).Parse(src)
			if err != nil {
				errs = append(errs, fmt.Errorf("message %q: %w", m.ID, err))
				continue
			}
			if ps, ok := pieces(t.Tree); ok && oneForm && src == m.Other && l.plain[m.ID] == "" {
				l.split[m.ID] = ps
			}
			for _, name := range fieldNames(t.Tree) {
				if _, ok := ruleValues[name]; strings.HasPrefix(m.ID, "rule.") && !ok {
					errs = append(errs, fmt.Errorf("message %q: a rule has no value %q", m.ID, name))
				}
				if _, ok := auditValues[name]; auditMessage(m.ID) && !ok {
					errs = append(errs, fmt.Errorf("message %q: an audit entry has no value %q", m.ID, name))
				}
				if !slices.Contains(l.fields[m.ID], name) {
					l.fields[m.ID] = append(l.fields[m.ID], name)
				}
			}
		}
	}
	return errors.Join(errs...)
}

// fieldNames lists the values a message's template names ({{.Name}}).
func fieldNames(tree *parse.Tree) []string {
	var out []string
	var walk func(n parse.Node)
	walk = func(n parse.Node) {
		switch n := n.(type) {
		case *parse.ListNode:
			if n != nil {
				for _, c := range n.Nodes {
					walk(c)
				}
			}
		case *parse.ActionNode:
			walk(n.Pipe)
		case *parse.PipeNode:
			if n != nil {
				for _, c := range n.Cmds {
					walk(c)
				}
			}
		case *parse.CommandNode:
			for _, a := range n.Args {
				walk(a)
			}
		case *parse.FieldNode:
			out = append(out, n.Ident[0])
		case *parse.IfNode:
			walk(n.Pipe)
			walk(n.List)
			walk(n.ElseList)
		case *parse.RangeNode:
			walk(n.Pipe)
			walk(n.List)
			walk(n.ElseList)
		case *parse.WithNode:
			walk(n.Pipe)
			walk(n.List)
			walk(n.ElseList)
		}
	}
	if tree != nil {
		walk(tree.Root)
	}
	return out
}

// Languages lists the languages of the catalog, as their files name them.
func (c *Catalog) Languages() []string { return slices.Clone(c.langs) }

// IDs lists the message ids of a language's file, sorted.
func (c *Catalog) IDs(lang string) []string {
	var out []string
	for id := range c.ids[lang] {
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}

// Language is the catalog's language for a ticket's or a user's: the same
// one in any case ("ID", "en-xa") or once canonical ("in"), else its base
// language ("id-ID", "id_ID", Discord's "en-US"), else English.
func (c *Catalog) Language(lang string) string {
	if l, ok := c.Match(lang); ok {
		return l
	}
	return FallbackLanguage
}

// Match is the catalog's language for lang as Language finds it, and
// whether the catalog speaks it (Language gives English when it does not).
func (c *Catalog) Match(lang string) (string, bool) {
	if c.ids[lang] != nil {
		return lang, true
	}
	return tickets.MatchLanguage(lang, c.langs)
}

// message writes message id in lang from data; count picks the plural form.
// A message missing from lang (or that fails to render) is taken from
// English, and a warning logged, once for each language and message; one
// missing from English too shows its id.
func (c *Catalog) message(lang, id string, v values, count any) string {
	lang = c.Language(lang)
	s, err := c.localize(lang, id, v, count)
	if err == nil {
		return s
	}
	if _, logged := c.warned.LoadOrStore(lang+"\x00"+id, true); !logged {
		c.log.Warn("catalog: a message is missing or does not render; English is used instead (logged once)",
			slog.String("id", id), slog.String("language", lang), slog.Any("error", err))
	}
	if lang != FallbackLanguage {
		if s, err := c.localize(FallbackLanguage, id, v, count); err == nil {
			return s
		}
	}
	return id
}

func (c *Catalog) localize(lang, id string, v values, count any) (string, error) {
	if !c.ids[lang][id] {
		return "", fmt.Errorf("no message %q in the %s catalog", id, lang)
	}
	if s, ok := c.plain[lang][id]; ok {
		return s, nil
	}
	if ps, ok := c.split[lang][id]; ok && v.simple() {
		return v.write(ps)
	}
	return c.loc[lang].Localize(&i18n.LocalizeConfig{MessageID: id, TemplateData: v.data(c, lang, id), PluralCount: count, TemplateParser: c.parser})
}

// Text writes message id in a language; kv are its values as name, value
// pairs: Text("en", "bot.not_found", "Ref", "RD-7").
func (c *Catalog) Text(lang, id string, kv ...any) string {
	return c.message(lang, id, values{kv: kv}, nil)
}

// Plural writes a message with plural forms for n (its .Count):
// Plural("en", "unit.day", 1) is "1 day", and 14 gives "14 days".
func (c *Catalog) Plural(lang, id string, n int64) string {
	return c.message(lang, id, values{count: strconv.FormatInt(n, 10), counted: true}, n)
}

// --- numbers, money, dates ---

// format is a language's formats (English's for one it does not speak).
func (c *Catalog) format(lang string) *formats { return c.formats[c.Language(lang)] }

// Count writes a whole number with the language's thousands separator.
func (c *Catalog) Count(n int64, lang string) string {
	s := strconv.FormatInt(n, 10)
	sign := ""
	if rest, ok := strings.CutPrefix(s, "-"); ok {
		sign, s = "-", rest
	}
	return sign + tickets.GroupDigits(s, c.format(lang).thousands)
}

// Money writes an amount in minor units for people, in the currency's
// decimals and the language's way: "Rp150.000" or "IDR 150,000".
func (c *Catalog) Money(amount int64, currency, lang string) string {
	f := c.format(lang)
	currency = strings.ToUpper(currency)
	plain := tickets.FormatAmount(amount, currency) // "-1234.50": right for math.MinInt64 too
	sign := ""
	if rest, ok := strings.CutPrefix(plain, "-"); ok {
		sign, plain = "-", rest
	}
	whole, frac, hasFrac := strings.Cut(plain, ".")
	number := tickets.GroupDigits(whole, f.thousands)
	if hasFrac {
		number += f.decimal + frac
	}
	if currency == "" {
		return sign + number
	}
	id, ok := f.money[currency]
	if !ok {
		id = "format.money"
	}
	return c.message(lang, id, values{pairs: []pair{{"Currency", currency}, {"Sign", sign}, {"Number", number}}}, nil)
}

// Percent writes part/whole as a percentage with at most one decimal,
// exactly (no floating point), rounded half away from zero.
func (c *Catalog) Percent(part, whole int64, lang string) string {
	f := c.format(lang)
	var s string
	switch {
	case whole == 0:
		s = "0"
	case part >= 0 && whole > 0 && part <= math.MaxInt64/1000:
		// In tenths of a percent, in integers.
		tenths, rest := part*1000/whole, part*1000%whole
		if rest >= whole-rest { // 2*rest >= whole, without overflowing
			tenths++
		}
		s = strconv.FormatInt(tenths/10, 10)
		if d := tenths % 10; d != 0 {
			s += f.decimal + strconv.FormatInt(d, 10)
		}
	default:
		r := new(big.Rat).SetFrac(new(big.Int).Mul(big.NewInt(part), big.NewInt(100)), big.NewInt(whole))
		s = strings.Replace(strings.TrimSuffix(r.FloatString(1), ".0"), ".", f.decimal, 1)
	}
	return c.message(lang, "format.percent", values{pairs: []pair{{"Number", s}}}, nil)
}

// Date writes a day for people, in UTC: "2 Jan 2006", "2 Januari 2006".
// The message format.date has the year twice: .Year in at least four
// digits, as Go's layouts write it ("0001"), and .YearNumber as a number
// ("1").
func (c *Catalog) Date(t time.Time, lang string) string {
	t = t.UTC()
	year := strconv.Itoa(t.Year())
	padded := year
	if y := t.Year(); y < 1000 {
		padded = t.Format("2006")
	}
	return c.message(lang, "format.date", values{pairs: []pair{{"Day", strconv.Itoa(t.Day())},
		{"Month", c.format(lang).months[t.Month()-1]}, {"Year", padded}, {"YearNumber", year}}}, nil)
}

// durationUnits are the units a span of time is written in, the largest
// that fits first.
var durationUnits = []struct {
	d  time.Duration
	id string
}{{24 * time.Hour, "unit.day"}, {time.Hour, "unit.hour"}, {time.Minute, "unit.minute"}, {time.Second, "unit.second"}}

// Duration writes a span of time in its largest whole unit: "10 minutes".
func (c *Catalog) Duration(d time.Duration, lang string) string {
	for _, u := range durationUnits {
		if d >= u.d {
			return c.Plural(lang, u.id, int64(d/u.d))
		}
	}
	return c.Text(lang, "duration.under_second")
}

// --- names ---

// KindName is a ticket kind in words.
func (c *Catalog) KindName(k tickets.Kind, lang string) string {
	return c.name(lang, "kind.", string(k))
}

// ReasonName is a refund reason in words, as a requester would say it.
func (c *Catalog) ReasonName(r tickets.Reason, lang string) string {
	return c.name(lang, "reason.", string(r))
}

// StatusName is a ticket status in words, from the requester's side.
func (c *Catalog) StatusName(s tickets.Status, lang string) string {
	return c.name(lang, "status.", string(s))
}

// MissingName says what a missing code (tickets.Service.Missing) asks the
// requester for.
func (c *Catalog) MissingName(code, lang string) string { return c.name(lang, "missing.", code) }

// MessageBody is a message of a ticket's conversation as the agents read
// it: its body, or, for a message kept with no text (a request or an
// answer that gave only files or fields), message.empty.
func (c *Catalog) MessageBody(m tickets.Message, lang string) string {
	if m.Body != "" {
		return m.Body
	}
	return c.Text(lang, "message.empty")
}

// PromotionStatusName is a promotion's status on the platform in words.
func (c *Catalog) PromotionStatusName(s tickets.PromotionStatus, lang string) string {
	return c.name(lang, "promotion_status.", string(s))
}

// CodeName is a code's name in a language, the message prefix+code (the
// console's web.status.new); a code with no message (data from elsewhere,
// a channel of the agents' own) is written as it is, never as a message id.
func (c *Catalog) CodeName(lang, prefix, code string) string { return c.name(lang, prefix, code) }

// name is a code's name under prefix; a code the desk does not know (data
// from elsewhere, not a message of ours) is shown as it is.
func (c *Catalog) name(lang, prefix, code string) string {
	if code == "" || !c.ids[FallbackLanguage][prefix+code] {
		return code
	}
	return c.Text(lang, prefix+code)
}

// ClosePromotionSteps are the steps that close a running promotion.
func (c *Catalog) ClosePromotionSteps(lang string) string {
	return c.Text(lang, "close_promotion.steps")
}

// ClosePromotionHowTo explains how a creator stops a running promotion: the
// steps with their lead-in.
func (c *Catalog) ClosePromotionHowTo(lang string) string {
	return c.Text(lang, "close_promotion.how_to", "Steps", c.ClosePromotionSteps(lang))
}

// Missing codes, as tickets.Service.Missing lists them.
const (
	MissingOrder        = "order"
	MissingOrderUnknown = "order_unknown"
	MissingAccount      = "account"
	MissingReason       = "reason"
	MissingEvidence     = "evidence"
)

// MissingCodes lists every code MissingName knows.
func MissingCodes() []string {
	return []string{MissingOrder, MissingOrderUnknown, MissingAccount, MissingReason, MissingEvidence}
}
