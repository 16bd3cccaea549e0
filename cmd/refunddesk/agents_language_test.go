package main

import (
	"regexp"
	"strings"
	"testing"

	"refunddesk/internal/storetest"
)

// agents language changes the language the console speaks to an agent, to
// one of the catalog's (a tag it matches, id-ID, is taken as id); another
// language or an unknown agent changes nothing.
func TestCLIAgentsLanguage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		c := newCLI(t, dialect)
		want := func(code int, args ...string) string {
			t.Helper()
			got, out, errs := c.runIn("a long password\n", args...)
			if got != code {
				t.Fatalf("refunddesk %s: exit %d, want %d\n%s%s", strings.Join(args, " "), got, code, out, errs)
			}
			return out + errs
		}
		want(0, "agents", "add", "ayu")
		language := func() string {
			t.Helper()
			m := regexp.MustCompile(`(?m)^ayu\s+(\S+)\s`).FindStringSubmatch(want(0, "agents", "list"))
			if m == nil {
				t.Fatal("ayu is not listed")
			}
			return m[1]
		}
		if l := language(); l != "en" {
			t.Fatalf("added in %q", l)
		}
		if out := want(0, "agents", "language", "ayu", "id-ID"); !strings.Contains(out, "agent ayu: the console now speaks id") {
			t.Fatalf("language: %s", out)
		}
		if l := language(); l != "id" {
			t.Fatalf("after the change: %q", l)
		}
		if out := want(exitUsage, "agents", "language", "ayu", "fr"); !strings.Contains(out, `language "fr": the console speaks en, id`) {
			t.Fatalf("a language the console does not speak: %s", out)
		}
		want(exitNotFound, "agents", "language", "nobody", "en")
		want(exitUsage, "agents", "language", "ayu")
		if l := language(); l != "id" {
			t.Fatalf("refused changes changed it: %q", l)
		}
		want(0, "agents", "language", "ayu", "en")
		if l := language(); l != "en" {
			t.Fatalf("back to English: %q", l)
		}
	})
}
