package templates

import (
	"fmt"
	"slices"
	"strings"
	texttemplate "text/template"
	"time"

	"refunddesk/tickets"
)

// funcMap is the helpers a template of one language and flavour sees; the
// language is bound here, so templates write {{money .Amount .Currency}}.
// Every word they produce comes from the catalog.
func funcMap(c *Catalog, lang, flavour string) texttemplate.FuncMap {
	m := texttemplate.FuncMap{
		"money":   func(amount int64, currency string) string { return c.Money(amount, currency, lang) },
		"count":   func(n any) (string, error) { return formatCount(c, n, lang) },
		"date":    func(t time.Time) string { return c.Date(t, lang) },
		"reason":  func(r tickets.Reason) string { return c.ReasonName(r, lang) },
		"status":  func(s tickets.Status) string { return c.StatusName(s, lang) },
		"kind":    func(k tickets.Kind) string { return c.KindName(k, lang) },
		"missing": func(code string) string { return c.MissingName(code, lang) },
		// plural writes a counted unit of the catalog in the form n takes:
		// {{plural "unit.day" .ReopenDays}} is "1 day" or "14 days".
		"plural": func(id string, n int) string { return c.Plural(lang, id, int64(n)) },
		// paragraphs splits a text on blank lines, and each paragraph into
		// its lines, for HTML that keeps the writer's line breaks.
		"paragraphs": paragraphs,
		"has":        slices.Contains[[]string],
		// closePromotionSteps are the steps without their lead-in ("To stop
		// a running promotion:"), for a message that introduces them itself.
		"closePromotionSteps": func() string { return c.ClosePromotionSteps(lang) },
	}
	if flavour == FlavourDiscord {
		m["md"] = escapeMarkdown
		m["quote"] = quote
	}
	return m
}

func formatCount(c *Catalog, n any, lang string) (string, error) {
	switch n := n.(type) {
	case int:
		return c.Count(int64(n), lang), nil
	case int64:
		return c.Count(n, lang), nil
	case int32:
		return c.Count(int64(n), lang), nil
	}
	return "", fmt.Errorf("count: %T is not a whole number", n)
}

func paragraphs(text string) [][]string {
	var out [][]string
	var cur []string
	for _, l := range strings.Split(strings.ReplaceAll(strings.TrimSpace(text), "\r\n", "\n"), "\n") {
		l = strings.TrimRight(l, " \t\r")
		if l == "" {
			if len(cur) > 0 {
				out = append(out, cur)
				cur = nil
			}
			continue
		}
		cur = append(cur, l)
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

// quote makes a text a Discord block quote, line by line.
func quote(text string) string {
	lines := strings.Split(strings.TrimSpace(strings.ReplaceAll(text, "\r\n", "\n")), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight("> "+l, " \t\r")
	}
	return strings.Join(lines, "\n")
}

// escapeMarkdown makes a requester-supplied value (a name, an account)
// print as itself in Discord Markdown: no formatting, no masked links, no
// @everyone or @here.
func escapeMarkdown(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '\\', '*', '_', '~', '`', '|', '>', '#', '[', ']', '(', ')', '<', ':', '-':
			b.WriteByte('\\')
		case '\n', '\r':
			r = ' '
		}
		b.WriteRune(r)
	}
	out := b.String()
	for _, m := range []string{"@everyone", "@here"} {
		out = strings.ReplaceAll(out, m, "@\u200b"+m[1:])
	}
	return out
}
