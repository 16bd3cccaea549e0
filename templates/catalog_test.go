package templates

import (
	"context"
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"log/slog"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"refunddesk/internal/storetest"
	"refunddesk/tickets"
)

func TestShippedLanguages(t *testing.T) {
	c := newCatalogT(t)
	if got, want := c.Languages(), []string{"en", "id"}; !slices.Equal(got, want) || !slices.Equal(Languages(), want) {
		t.Fatalf("Languages() = %v, catalog %v; want %v", Languages(), got, want)
	}
	for in, want := range map[string]string{"id": "id", "ID": "id", "id-ID": "id", "id_ID": "id", "en": "en",
		"EN-us": "en", "": "en", "fr": "en", "english": "en", "indonesian": "en", "in": "id", "es-419": "en"} {
		if got := c.Language(in); got != want {
			t.Errorf("Language(%q) = %q, want %q", in, got, want)
		}
		// Match says whether the catalog speaks it, or English stands in.
		got, ok := c.Match(in)
		if speaks := in != "" && in != "fr" && in != "english" && in != "indonesian" && in != "es-419"; ok != speaks || ok && got != want {
			t.Errorf("Match(%q) = %q, %v", in, got, ok)
		}
	}
}

// Every shipped catalog has the same message ids as the English one.
func TestCatalogsHaveTheSameIDs(t *testing.T) {
	c := newCatalogT(t)
	en := c.IDs(FallbackLanguage)
	if len(en) < 100 {
		t.Fatalf("the English catalog has %d messages", len(en))
	}
	for _, lang := range c.Languages() {
		ids := c.IDs(lang)
		for _, id := range en {
			if !slices.Contains(ids, id) {
				t.Errorf("%s: no message %q (English has it)", lang, id)
			}
		}
		for _, id := range ids {
			if !slices.Contains(en, id) {
				t.Errorf("%s: message %q is not in the English catalog", lang, id)
			}
		}
	}
}

// usedIDs are the message ids the code asks for: those it builds from the
// domain's lists, the literal ids of Text and Plural calls and of the bot's
// say in the module's Go files, and those the templates name.
func usedIDs(t *testing.T) map[string]string {
	t.Helper()
	ids := map[string]string{} // id → where
	add := func(where string, list ...string) {
		for _, id := range list {
			ids[id] = where
		}
	}
	prefixed := func(prefix string, codes ...string) []string {
		out := make([]string, len(codes))
		for i, c := range codes {
			out[i] = prefix + c
		}
		return out
	}
	for _, k := range tickets.Kinds {
		add("tickets.Kinds", "kind."+string(k))
	}
	for _, r := range tickets.Reasons {
		add("tickets.Reasons", "reason."+string(r))
	}
	for _, s := range tickets.Statuses {
		add("tickets.Statuses", "status."+string(s))
	}
	for _, s := range tickets.PromotionStatuses {
		add("tickets.PromotionStatuses", "promotion_status."+string(s))
	}
	add("MissingCodes", prefixed("missing.", MissingCodes()...)...)
	add("tickets.Codes", prefixed("rule.", tickets.Codes...)...)
	add("tickets.EvidenceKinds", prefixed("evidence.", tickets.EvidenceKinds...)...)
	for m := 1; m <= 12; m++ {
		add("Catalog.Date", "month."+strconv.Itoa(m))
	}
	for _, u := range durationUnits {
		add("Catalog.Duration", u.id)
	}
	add("Catalog.Money", "format.money")
	for _, call := range messageCalls(t) {
		add(call.where, call.id)
	}
	// Ids the templates name: {{plural "unit.day" .N}}.
	re := regexp.MustCompile(`plural "([^"]+)"`)
	_ = fs.WalkDir(files, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && !strings.HasPrefix(p, localesDir+"/") {
			b, _ := fs.ReadFile(files, p)
			for _, m := range re.FindAllStringSubmatch(string(b), -1) {
				add(p, m[1])
			}
		}
		return nil
	})
	return ids
}

// messageCall is a call in the module's Go code that writes a message
// named by a literal id: c.Text(lang, "id", "Name", v, ...),
// c.Plural(lang, "id", n), b.say(lang, "key", "Name", v, ...) (bot.<key>).
type messageCall struct {
	id, where string
	// names are the values given (Count for Plural); known is false when
	// one of them is not a literal.
	names []string
	known bool
}

// messageCalls finds every call of Text, Plural and say with a literal id
// in the module's Go files (tests left out).
func messageCalls(t *testing.T) []messageCall {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	var out []messageCall
	fset := token.NewFileSet()
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") && p != root {
			return fs.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, p, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) < 2 {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			lit, ok := call.Args[1].(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			id, _ := strconv.Unquote(lit.Value)
			m := messageCall{id: id, where: fset.Position(lit.Pos()).String(), known: true}
			switch sel.Sel.Name {
			case "Plural":
				m.names = []string{"Count"}
			case "say":
				m.id = "bot." + id
				fallthrough
			case "Text":
				for i := 2; i < len(call.Args); i += 2 {
					name, ok := call.Args[i].(*ast.BasicLit)
					if !ok || name.Kind != token.STRING {
						m.known = false
						continue
					}
					s, _ := strconv.Unquote(name.Value)
					m.names = append(m.names, s)
				}
			default:
				return true
			}
			out = append(out, m)
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// The values a call gives a message are the ones its message names, in
// every shipped language: one it names but is not given would show the
// message's id to a requester, and one given but named nowhere is a typo.
func TestMessageValuesMatch(t *testing.T) {
	c := newCatalogT(t)
	calls := messageCalls(t)
	if len(calls) < 30 {
		t.Fatalf("the scan found %d calls", len(calls))
	}
	for _, call := range calls {
		if !call.known {
			continue
		}
		named := map[string]bool{}
		for _, lang := range c.Languages() {
			for _, f := range c.fields[lang][call.id] {
				named[f] = true
				if !slices.Contains(call.names, f) {
					t.Errorf("%s: %s names .%s in %s, which is not given (%v)", call.where, call.id, f, lang, call.names)
				}
			}
		}
		for _, n := range call.names {
			if !named[n] {
				t.Errorf("%s: %s is given %s, which no language's message names", call.where, call.id, n)
			}
		}
	}
}

// Every message id the code uses is in every shipped catalog.
func TestMessagesUsedExist(t *testing.T) {
	c := newCatalogT(t)
	ids := usedIDs(t)
	for _, want := range []string{"bot.not_found", "discord.shortened", "format.thousands", "unit.business_day", "rule.twin"} {
		if _, ok := ids[want]; !ok {
			t.Errorf("the scan of the code missed %q", want)
		}
	}
	for _, lang := range c.Languages() {
		have := c.IDs(lang)
		for id, where := range ids {
			if !slices.Contains(have, id) {
				t.Errorf("%s: message %q (used at %s) is not in the catalog", lang, id, where)
			}
		}
	}
}

// A message missing from a language is written in English, and a warning
// is logged; one missing everywhere shows its id. Never nothing.
func TestMissingMessageFallsBackToEnglish(t *testing.T) {
	m := embeddedFS(t)
	id := string(m["locales/id.toml"].Data)
	id = regexp.MustCompile(`(?m)^"bot\.not_found" = .*\n`).ReplaceAllString(id, "")
	id = regexp.MustCompile(`(?m)^"rule\.order_given" = .*\n`).ReplaceAllString(id, "")
	m["locales/id.toml"] = &fstest.MapFile{Data: []byte(id)}
	rec := &logRecorder{}
	c, err := loadCatalog(m, slog.New(rec))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := c.Text("id", "bot.not_found", "Ref", "RD-7"), "You have no request RD-7."; got != want {
		t.Errorf("missing in id: %q, want the English %q", got, want)
	}
	step := tickets.RuleStep{Rule: tickets.RuleOrderGiven, Outcome: tickets.OutcomePass, Code: tickets.CodeOrderGiven,
		Params: tickets.RuleParams{Order: "7301"}}
	if got, want := c.Rule(step, "id"), "Order number 7301 was given."; got != want {
		t.Errorf("rule missing in id: %q, want %q", got, want)
	}
	if got := c.Text("id", "bot.status", "Status", "x"); got != "Status: x." {
		t.Errorf("a message id has: %q", got)
	}
	if got := c.Text("en", "no.such.message"); got != "no.such.message" {
		t.Errorf("missing everywhere: %q, want its id", got)
	}
	// A message naming a value it is not given does not print <no value>.
	if got := c.Text("en", "bot.not_found"); strings.Contains(got, "no value") || got == "" {
		t.Errorf("a value left out: %q", got)
	}
	logs := strings.Join(rec.all(), "\n")
	for _, want := range []string{"bot.not_found", "rule.order_given", "no.such.message", "language=id"} {
		if !strings.Contains(logs, want) {
			t.Errorf("no warning names %q:\n%s", want, logs)
		}
	}
	if n := len(rec.all()); n != 4 {
		t.Errorf("%d warnings, want 4 (two missing in id, one nowhere, one without its value):\n%s", n, logs)
	}
	// Once for each language and message, not once a call.
	for range 3 {
		c.Text("id", "bot.not_found", "Ref", "RD-8")
		c.Rule(step, "id")
		c.Text("en", "no.such.message")
	}
	if n := len(rec.all()); n != 4 {
		t.Errorf("%d warnings after the same messages again, want still 4:\n%s", n, strings.Join(rec.all(), "\n"))
	}
	if got := c.Text("en", "bot.not_found", "Ref", "RD-9"); got != "You have no request RD-9." {
		t.Errorf("a message logged for another language: %q", got)
	}
}

// An area's file (locales/<area>/<language>.toml) adds its messages to the
// language's; an area need not speak every language, English stands in.
func TestCatalogAreaFiles(t *testing.T) {
	m := embeddedFS(t)
	m["locales/area/en.toml"] = &fstest.MapFile{Data: []byte("\"area.hello\" = \"Hello {{.Name}}\"\n\"area.bye\" = \"Bye\"\n")}
	m["locales/area/id.toml"] = &fstest.MapFile{Data: []byte("\"area.hello\" = \"Halo {{.Name}}\"\n")}
	c, err := loadCatalog(m, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ lang, id, want string }{
		{"en", "area.hello", "Hello Ani"}, {"id", "area.hello", "Halo Ani"},
		{"id", "area.bye", "Bye"}, {"id", "reason.other", c.Text("id", "reason.other")},
	} {
		if got := c.Text(tt.lang, tt.id, "Name", "Ani"); got != tt.want {
			t.Errorf("Text(%s, %s) = %q, want %q", tt.lang, tt.id, got, tt.want)
		}
	}
}

// A broken or missing catalog fails start-up (New), naming the file.
func TestCatalogLoadErrors(t *testing.T) {
	for _, tt := range []struct {
		name  string
		edit  func(m fstest.MapFS)
		wants []string
	}{
		{"no English", func(m fstest.MapFS) { delete(m, "locales/en.toml") }, []string{"locales/en.toml", "missing"}},
		{"no catalog", func(m fstest.MapFS) { delete(m, "locales/en.toml"); delete(m, "locales/id.toml") }, []string{"message catalogs", "locales"}},
		{"not TOML", func(m fstest.MapFS) { m["locales/id.toml"] = &fstest.MapFile{Data: []byte(`"a" = `)} }, []string{"locales/id.toml"}},
		{"broken message", func(m fstest.MapFS) {
			m["locales/id.toml"] = &fstest.MapFile{Data: append([]byte("\"x.y\" = \"{{.A\"\n"), m["locales/id.toml"].Data...)}
		}, []string{"locales/id.toml", `"x.y"`}},
		{"no other form", func(m fstest.MapFS) {
			m["locales/id.toml"] = &fstest.MapFile{Data: append(m["locales/id.toml"].Data, "\n[\"unit.week\"]\none = \"a week\"\n"...)}
		}, []string{"locales/id.toml", `"unit.week"`, "other"}},
		{"mixed keys", func(m fstest.MapFS) {
			m["locales/id.toml"] = &fstest.MapFile{Data: append(m["locales/id.toml"].Data, "\n[reason]\nother = \"x\"\nsome = \"y\"\n"...)}
		}, []string{"locales/id.toml"}},
		{"not a language", func(m fstest.MapFS) { m["locales/indonesian.toml"] = m["locales/id.toml"] }, []string{"locales/indonesian.toml", "language tag"}},
		{"an id in two files", func(m fstest.MapFS) {
			m["locales/area/id.toml"] = &fstest.MapFile{Data: []byte("\"reason.other\" = \"lain\"\n")}
		}, []string{"locales/area/id.toml", `"reason.other"`, "locales/id.toml"}},
		{"an area's language the desk does not speak", func(m fstest.MapFS) {
			m["locales/area/fr.toml"] = &fstest.MapFile{Data: []byte("\"area.x\" = \"x\"\n")}
		}, []string{"locales/area/fr.toml", "fr.toml"}},
		{"not a message file in an area", func(m fstest.MapFS) {
			m["locales/area/notes.txt"] = &fstest.MapFile{Data: []byte("x")}
		}, []string{"locales/area/notes.txt"}},
		{"an area's broken file", func(m fstest.MapFS) {
			m["locales/area/en.toml"] = &fstest.MapFile{Data: []byte(`"a" = `)}
		}, []string{"locales/area/en.toml"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m := embeddedFS(t)
			tt.edit(m)
			e, err := newEngine(m, slog.New(slog.DiscardHandler))
			if err == nil || e != nil {
				t.Fatalf("newEngine = %v, %v; want an error", e, err)
			}
			for _, w := range tt.wants {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
	// A catalog without its templates fails too: a language is both.
	m := embeddedFS(t)
	m["locales/pt-BR.toml"] = m["locales/en.toml"]
	if _, err := newEngine(m, slog.New(slog.DiscardHandler)); err == nil || !strings.Contains(err.Error(), "(pt-BR, ") {
		t.Errorf("a catalog without templates: %v", err)
	}
}

func TestPlural(t *testing.T) {
	c := newCatalogT(t)
	for _, tt := range []struct {
		lang, id string
		n        int64
		want     string
	}{
		{"en", "unit.day", 1, "1 day"}, {"en", "unit.day", 0, "0 days"}, {"en", "unit.day", 14, "14 days"},
		{"en", "unit.business_day", 1, "1 business day"}, {"en", "unit.business_day", 7, "7 business days"},
		{"id", "unit.day", 1, "1 hari"}, {"id", "unit.day", 14, "14 hari"}, {"id", "unit.business_day", 7, "7 hari kerja"},
	} {
		if got := c.Plural(tt.lang, tt.id, tt.n); got != tt.want {
			t.Errorf("Plural(%s, %s, %d) = %q, want %q", tt.lang, tt.id, tt.n, got, tt.want)
		}
	}
	for _, tt := range []struct {
		d      time.Duration
		en, id string
	}{
		{0, "under a second", "kurang dari 1 detik"}, {time.Second, "1 second", "1 detik"},
		{10 * time.Minute, "10 minutes", "10 menit"}, {time.Hour + time.Minute, "1 hour", "1 jam"},
		{49 * time.Hour, "2 days", "2 hari"},
	} {
		if got := c.Duration(tt.d, "en"); got != tt.en {
			t.Errorf("Duration(%v, en) = %q, want %q", tt.d, got, tt.en)
		}
		if got := c.Duration(tt.d, "id"); got != tt.id {
			t.Errorf("Duration(%v, id) = %q, want %q", tt.d, got, tt.id)
		}
	}
	for _, tt := range []struct {
		part, whole int64
		en, id      string
	}{{3000, 10000, "30%", "30%"}, {1, 3, "33.3%", "33,3%"}, {2, 3, "66.7%", "66,7%"}, {5, 0, "0%", "0%"}} {
		if got := c.Percent(tt.part, tt.whole, "en"); got != tt.en {
			t.Errorf("Percent(%d, %d, en) = %q, want %q", tt.part, tt.whole, got, tt.en)
		}
		if got := c.Percent(tt.part, tt.whole, "id"); got != tt.id {
			t.Errorf("Percent(%d, %d, id) = %q, want %q", tt.part, tt.whole, got, tt.id)
		}
	}
	// A code the catalog does not know (data from elsewhere) shows as it is.
	if got := c.PromotionStatusName("paused", "id"); got != "paused" {
		t.Errorf("an unknown promotion status: %q", got)
	}
}

// --- the pseudo-locale: a third language is one catalog file and templates ---

// pseudoLang is a language no one speaks: English, every message wrapped in
// ⟦…⟧, so that anything not taken from its catalog shows.
const pseudoLang = "en-XA"

// pseudoFS is the embedded files plus the pseudo-language: its catalog,
// built from the English one, and copies of the English templates.
func pseudoFS(t *testing.T) fs.FS {
	t.Helper()
	m, err := Pseudo(files, pseudoLang)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// wrapped says whether s comes whole from the pseudo-language's catalog.
func wrapped(s string) bool { return strings.HasPrefix(s, "⟦") && strings.HasSuffix(s, "⟧") }

func TestPseudoLanguage(t *testing.T) {
	rec := &logRecorder{}
	e, err := newEngine(pseudoFS(t), slog.New(rec))
	if err != nil {
		t.Fatalf("a third language, one catalog file and its templates: %v", err)
	}
	c := e.Catalog()
	if !slices.Contains(e.Languages(), pseudoLang) || c.Language("en-xa") != pseudoLang {
		t.Fatalf("languages %v", e.Languages())
	}

	// Every outcome of the policy, in words.
	steps := policySteps(t)
	for _, s := range steps {
		if got := c.Rule(s, pseudoLang); !wrapped(got) || strings.Contains(got, "no value") || strings.Contains(got, "rule.") {
			t.Errorf("rule %s (%s): %q", s.Rule, s.Code, got)
		}
	}
	// Every name, money, dates.
	var names []string
	for _, k := range tickets.Kinds {
		names = append(names, c.KindName(k, pseudoLang))
	}
	for _, r := range tickets.Reasons {
		names = append(names, c.ReasonName(r, pseudoLang))
	}
	for _, s := range tickets.Statuses {
		names = append(names, c.StatusName(s, pseudoLang))
	}
	for _, code := range MissingCodes() {
		names = append(names, c.MissingName(code, pseudoLang))
	}
	names = append(names, c.Money(150000, "IDR", pseudoLang), c.Date(time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC), pseudoLang),
		c.Text(pseudoLang, "bot.not_found", "Ref", "RD-1"), c.Plural(pseudoLang, "unit.day", 3))
	// Discord's command descriptions (the bot localizes them from every
	// language a Discord locale speaks).
	commands := 0
	for _, id := range c.IDs(pseudoLang) {
		if strings.HasPrefix(id, "command.") {
			names = append(names, c.Text(pseudoLang, id))
			commands++
		}
	}
	if commands < 30 {
		t.Errorf("%d command descriptions in %s", commands, pseudoLang)
	}
	for _, n := range names {
		if !wrapped(n) {
			t.Errorf("not from the catalog: %q", n)
		}
	}
	if got := c.Money(150000, "IDR", pseudoLang); got != "⟦IDR 150,000⟧" {
		t.Errorf("money: %q", got)
	}

	// Every template, in both flavours, from a ticket with every field and
	// every explanation, and from an empty one.
	full := sample(pseudoLang)
	full.Missing, full.Text, full.Explanation = MissingCodes(), "Question?", steps
	for _, flavour := range Flavours() {
		for _, name := range Names() {
			for _, d := range []Data{full, {MessageData: tickets.MessageData{Ref: "RD-7"}, Language: pseudoLang}} {
				m, err := e.Render(flavour, name, d)
				if err != nil {
					t.Fatalf("%s %s: %v", flavour, name, err)
				}
				for _, part := range []string{m.Subject, m.Text, m.HTML} {
					if strings.Contains(part, "no value") {
						t.Errorf("%s %s: <no value>:\n%s", flavour, name, part)
					}
				}
			}
		}
	}
	full.Verdict = tickets.VerdictIneligible
	m, err := e.Render(FlavourEmail, tickets.TemplateDenied, full)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range steps[:3] {
		if want := c.Rule(s, pseudoLang); !strings.Contains(m.Text, want) {
			t.Errorf("denied does not explain %s: %q not in\n%s", s.Code, want, m.Text)
		}
	}
	if !strings.Contains(m.Text, "⟦14 days⟧") {
		t.Errorf("denied: the reopen days not from the catalog:\n%s", m.Text)
	}
	for _, r := range rec.all() {
		t.Errorf("a message missing in %s: %s", pseudoLang, r)
	}
}

// policySteps drives the default policy through inputs that reach every
// explanation code, and returns one step of each code (failing when a code
// is not reached).
func policySteps(t *testing.T) []tickets.RuleStep {
	t.Helper()
	now := time.Date(2026, 11, 21, 8, 0, 0, 0, time.UTC)
	ended := time.Date(2026, 11, 10, 12, 0, 0, 0, time.UTC)
	promo := func(f func(p *tickets.Promotion)) *tickets.Promotion {
		p := &tickets.Promotion{OrderNumber: "7301", Account: "@ayu", VideoID: "v1", Amount: 150000, Currency: "IDR",
			CreatedAt: now.AddDate(0, 0, -20), EndAt: &ended, Status: tickets.PromoCompleted,
			PromisedReach: 10000, DeliveredReach: 3000, Spend: 150000}
		if f != nil {
			f(p)
		}
		return p
	}
	refund := func(r tickets.Reason, f func(p *tickets.Promotion), g func(in *tickets.EvalInput)) tickets.EvalInput {
		in := tickets.EvalInput{Kind: tickets.KindRefund, Account: "@ayu", Order: "7301", Reason: r, EvidenceCount: 1,
			Promotion: promo(f), Now: now}
		if g != nil {
			g(&in)
		}
		return in
	}
	twin := *promo(func(p *tickets.Promotion) { p.OrderNumber, p.CreatedAt = "7302", p.CreatedAt.Add(3*time.Minute) })
	revoked := now.AddDate(0, -1, 0)
	inputs := []tickets.EvalInput{
		refund(tickets.ReasonUnderDelivery, nil, nil),
		refund(tickets.ReasonUnderDelivery, nil, func(in *tickets.EvalInput) { in.Order, in.Promotion = "", nil }),
		refund(tickets.ReasonUnderDelivery, nil, func(in *tickets.EvalInput) { in.Promotion = nil }),
		refund(tickets.ReasonUnderDelivery, nil, func(in *tickets.EvalInput) { in.Account = "" }),
		refund(tickets.ReasonUnderDelivery, nil, func(in *tickets.EvalInput) { in.Account = "@x" }),
		refund(tickets.ReasonUnderDelivery, nil, func(in *tickets.EvalInput) { in.AccountSource = tickets.SourceRecord }),
		refund(tickets.ReasonUnderDelivery, func(p *tickets.Promotion) { p.Refunded = p.Amount }, nil),
		refund(tickets.ReasonUnderDelivery, func(p *tickets.Promotion) { p.Refunded = 20000 }, nil),
		refund(tickets.ReasonUnderDelivery, func(p *tickets.Promotion) { p.Refunded = 110000 }, nil),
		refund(tickets.ReasonUnderDelivery, func(p *tickets.Promotion) { e := now.AddDate(0, -3, 0); p.EndAt = &e }, nil),
		refund(tickets.ReasonUnderDelivery, func(p *tickets.Promotion) { p.EndAt, p.Status = nil, tickets.PromoRunning }, nil),
		refund(tickets.ReasonUnderDelivery, nil, func(in *tickets.EvalInput) { in.EvidenceCount = 0 }),
		refund(tickets.ReasonUnderDelivery, func(p *tickets.Promotion) { p.PromisedReach = 0 }, nil),
		refund(tickets.ReasonUnderDelivery, func(p *tickets.Promotion) { p.DeliveredReach = 8000 }, nil),
		refund(tickets.ReasonUnderDelivery, nil, func(in *tickets.EvalInput) { in.Flags = []string{tickets.FlagUnverifiedSender} }),
		refund(tickets.ReasonUnderDelivery, nil, func(in *tickets.EvalInput) { in.Flags = []string{tickets.FlagGuessed} }),
		refund("", nil, nil),
		refund(tickets.ReasonClosedEarly, nil, nil),
		refund(tickets.ReasonWrongVideo, nil, nil),
		refund(tickets.ReasonChangedMind, nil, nil),
		refund(tickets.ReasonOther, nil, nil),
		refund(tickets.ReasonTechnicalError, nil, nil),
		refund(tickets.ReasonTechnicalError, func(p *tickets.Promotion) { p.Incident = true }, nil),
		refund(tickets.ReasonTechnicalError, func(p *tickets.Promotion) { p.DeliveredReach = 0 }, nil),
		refund(tickets.ReasonRejected, nil, nil),
		refund(tickets.ReasonRejected, func(p *tickets.Promotion) { p.Status = tickets.PromoRejected }, nil),
		refund(tickets.ReasonStoppedByPlatform, nil, nil),
		refund(tickets.ReasonStoppedByPlatform, func(p *tickets.Promotion) { p.Status, p.Spend = tickets.PromoStoppedByPlatform, 40000 }, nil),
		refund(tickets.ReasonStoppedByPlatform, func(p *tickets.Promotion) {
			p.Status, p.Spend, p.Refunded = tickets.PromoStoppedByPlatform, 40000, 10000
		}, nil),
		refund(tickets.ReasonStoppedByPlatform, func(p *tickets.Promotion) {
			p.Status, p.Spend, p.Refunded = tickets.PromoStoppedByPlatform, 40000, 110000
		}, nil),
		refund(tickets.ReasonDuplicateCharge, nil, nil),
		refund(tickets.ReasonDuplicateCharge, nil, func(in *tickets.EvalInput) { in.Twins = []tickets.Promotion{twin} }),
		{Kind: tickets.KindRevocation, Now: now},
		{Kind: tickets.KindRevocation, Account: "@ayu", Now: now},
		{Kind: tickets.KindRevocation, Account: "@ayu", Now: now,
			Authorizations: []tickets.Authorization{{Account: "ayu", Scope: "account", GrantedAt: now.AddDate(-1, 0, 0)}}},
		{Kind: tickets.KindRevocation, Account: "@ayu", Now: now,
			Authorizations: []tickets.Authorization{{Account: "ayu", Scope: "video", GrantedAt: now.AddDate(-1, 0, 0), RevokedAt: &revoked}}},
	}
	p := tickets.DefaultPolicy()
	p.NonRefundable.Reasons = append(p.NonRefundable.Reasons, tickets.ReasonOther)
	inputs = append(inputs, refund(tickets.ReasonOther, nil, nil))
	seen := map[string]tickets.RuleStep{}
	var out []tickets.RuleStep
	for i, in := range inputs {
		pol := tickets.DefaultPolicy()
		if i == len(inputs)-1 {
			pol = p
		}
		for _, s := range pol.Evaluate(in).Rules {
			if s.Code == "" {
				t.Errorf("%s: a step without a code", s.Rule)
			}
			if _, ok := seen[s.Code]; !ok {
				seen[s.Code] = s
				out = append(out, s)
			}
		}
	}
	for _, code := range tickets.Codes {
		if _, ok := seen[code]; !ok {
			t.Errorf("no input reaches %s", code)
		}
	}
	if len(seen) != len(tickets.Codes) {
		t.Errorf("%d codes reached, tickets.Codes lists %d", len(seen), len(tickets.Codes))
	}
	// The deciding steps first: a message's explanation lists those.
	slices.SortStableFunc(out, func(a, b tickets.RuleStep) int {
		return boolInt(a.Outcome == tickets.OutcomePass) - boolInt(b.Outcome == tickets.OutcomePass)
	})
	return out
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// --- verdicts stored before codes ---

// A ticket stored before explanations became codes has only words in its
// rules column; they show as stored, in JSON and in messages, and an item
// queued then (explanation: a list of sentences) renders them.
func TestStoredVerdictWithoutCodes(t *testing.T) {
	c := newCatalogT(t)
	const row = `{"id":1,"ref":"RD-1","language":"id","eligibility":{"verdict":"needs_info","rules":[
		{"rule":"order_given","outcome":"pass","detail":"Order number 7301 was given.","detail_requester":"Nomor pesanan 7301 sudah diberikan."},
		{"rule":"order_on_record","outcome":"needs_info","detail":"Order 7301 is not in the promotion records; the number needs checking.","detail_requester":"Pesanan 7301 tidak ditemukan di catatan promosi kami; mohon periksa kembali nomornya."}]}}`
	var tk tickets.Ticket
	if err := json.Unmarshal([]byte(row), &tk); err != nil {
		t.Fatal(err)
	}
	last, _ := tk.Eligibility.Deciding()
	if last.Code != "" {
		t.Fatalf("an old step has a code: %+v", last)
	}
	if got := c.Rule(last, "en"); got != "Order 7301 is not in the promotion records; the number needs checking." {
		t.Errorf("English: %q", got)
	}
	if got := c.Rule(last, "id"); got != "Pesanan 7301 tidak ditemukan di catatan promosi kami; mohon periksa kembali nomornya." {
		t.Errorf("Indonesian: %q", got)
	}
	c.Explain(&tk)
	b, err := json.Marshal(tk.Eligibility.Rules[0])
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"rule":"order_given","outcome":"pass","detail":"Order number 7301 was given.","detail_requester":"Nomor pesanan 7301 sudah diberikan."}`; string(b) != want {
		t.Errorf("JSON of an old step:\n%s\nwant\n%s", b, want)
	}

	// The same verdict from the policy today reads the same.
	now := tk.Eligibility.EvaluatedAt
	got := tickets.DefaultPolicy().Evaluate(tickets.EvalInput{Kind: tickets.KindRefund, Order: "7301", Account: "@a", Now: now})
	c.Explain(&tickets.Ticket{Language: "id", Eligibility: got})
	for i, s := range got.Rules {
		if s.Detail != tk.Eligibility.Rules[i].Detail || s.DetailRequester != tk.Eligibility.Rules[i].DetailRequester {
			t.Errorf("step %d: %q / %q, the old words %q / %q", i, s.Detail, s.DetailRequester,
				tk.Eligibility.Rules[i].Detail, tk.Eligibility.Rules[i].DetailRequester)
		}
	}

	// An outbox item queued before codes.
	var data tickets.MessageData
	if err := json.Unmarshal([]byte(`{"ref":"RD-1","kind":"refund","status":"denied","verdict":"ineligible","explanation":["Kebijakan lama: tidak ada pengembalian."]}`), &data); err != nil {
		t.Fatal(err)
	}
	e := newEngineT(t)
	m, err := e.Render(FlavourEmail, tickets.TemplateDenied, Data{MessageData: data, Language: "id"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(m.Text, "- Kebijakan lama: tidak ada pengembalian.") {
		t.Errorf("the old explanation is not shown:\n%s", m.Text)
	}
}

// The same, through the store: a ticket row whose rules column was written
// before codes reads back with its words, and shows them.
func TestStoredVerdictWithoutCodesInTheStore(t *testing.T) {
	c := newCatalogT(t)
	storetest.Each(t, func(t *testing.T, dialect string) {
		ctx := context.Background()
		clock := storetest.NewClock(time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC))
		db := storetest.Open(t, dialect, clock)
		svc := tickets.NewService(db, tickets.Options{Clock: clock})
		res, err := svc.Intake.Submit(ctx, tickets.SubmitRequest{Kind: tickets.KindRefund, Channel: tickets.ChannelEmail,
			Requester: tickets.Requester{Email: "sari@example.com"}, Account: "@sari", Order: "7301",
			Reason: tickets.ReasonUnderDelivery, Language: "id"})
		if err != nil {
			t.Fatal(err)
		}
		const old = `[{"rule":"order_given","outcome":"pass","detail":"Order number 7301 was given.","detail_requester":"Nomor pesanan 7301 sudah diberikan."},` +
			`{"rule":"order_on_record","outcome":"needs_info","detail":"Old words: order 7301 is unknown.","detail_requester":"Kata lama: pesanan 7301 tidak dikenal."}]`
		if _, err := db.SQL().Exec(db.SQL().Rebind(`UPDATE tickets SET rules = ? WHERE id = ?`), old, res.Ticket.ID); err != nil {
			t.Fatal(err)
		}
		d, err := svc.Records.Detail(ctx, res.Ticket.Ref)
		if err != nil {
			t.Fatal(err)
		}
		last, _ := d.Eligibility.Deciding()
		if got := c.Rule(last, d.Language); got != "Kata lama: pesanan 7301 tidak dikenal." {
			t.Errorf("the requester reads %q", got)
		}
		c.Explain(d)
		b, err := json.Marshal(d.Eligibility.Rules)
		if err != nil {
			t.Fatal(err)
		}
		if string(b) != old {
			t.Errorf("rules as JSON:\n%s\nwant them as stored:\n%s", b, old)
		}
		// The policy's own steps are stored as codes now.
		if res.Ticket.Eligibility.Rules[0].Code != tickets.CodeOrderGiven {
			t.Errorf("a new step: %+v", res.Ticket.Eligibility.Rules[0])
		}
	})
}
