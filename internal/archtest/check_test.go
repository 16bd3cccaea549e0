package archtest

import (
	"strings"
	"testing"
)

// A picture of the arrows allowed in the cases below.
const testPicture = "# t\n\n```mermaid\ngraph TD\n" +
	`  tickets["tickets"]
  sqlstore["tickets/sqlstore"]
  templates["templates"]
  bot["bot"]
  mail["mail"]
  api["api"]
  cmd["cmd/refunddesk"]
  devmail["internal/devmail"]
  storetest["internal/storetest"]
  sqlstore --> tickets
  templates --> tickets
  bot --> tickets
  bot --> templates
  mail --> tickets
  api --> tickets
  cmd --> bot
  cmd -.-> devmail
  storetest --> sqlstore
` + "```\n\nafter the picture: `a --> b` is prose\n"

func mod(paths ...string) []string {
	out := make([]string, len(paths))
	for i, p := range paths {
		out[i] = module + "/" + p
	}
	return out
}

func p(path string, imports ...string) pkg {
	return pkg{ImportPath: module + "/" + path, GoFiles: []string{"x.go"}, Imports: imports}
}

func TestParsePicture(t *testing.T) {
	pic, err := parsePicture(strings.NewReader(testPicture))
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range []arrow{{"tickets/sqlstore", "tickets"}, {"cmd/refunddesk", "internal/devmail"}, {"bot", "templates"}} {
		if !pic.arrows[a] {
			t.Errorf("arrow %s not read", a)
		}
	}
	if len(pic.arrows) != 9 || len(pic.nodes) != 9 {
		t.Errorf("read %d arrows and %d nodes, want 9 and 9: %v", len(pic.arrows), len(pic.nodes), pic.arrows)
	}
	for _, bad := range []string{
		"no picture here",
		"```mermaid\ngraph TD\n  a[\"x\"]\n",                  // not closed
		"```mermaid\ngraph TD\n  a[\"x\"]\n  a --> b\n```\n",  // b undeclared
		"```mermaid\ngraph TD\n  a[\"x\"]\n  a[\"y\"]\n```\n", // one id, two paths
	} {
		if _, err := parsePicture(strings.NewReader(bad)); err == nil {
			t.Errorf("parsePicture(%q) took it", bad)
		}
	}
}

// Each case breaks one arrow; the check must say so, naming it.
func TestCheckNamesEachWrongArrow(t *testing.T) {
	pic, err := parsePicture(strings.NewReader(testPicture))
	if err != nil {
		t.Fatal(err)
	}
	good := []pkg{
		p("tickets", "context", "net/mail"),
		p("tickets/sqlstore", append(mod("tickets"), "github.com/jmoiron/sqlx")...),
		p("templates", mod("tickets")...),
		p("bot", append(mod("tickets", "templates"), "github.com/bwmarrin/discordgo")...),
		p("mail", mod("tickets")...),
		p("api", mod("tickets")...),
		p("cmd/refunddesk", mod("bot", "internal/devmail")...),
		p("internal/devmail"),
		p("internal/storetest", mod("tickets/sqlstore")...),
		{ImportPath: module + "/internal/archtest"}, // tests only
		{ImportPath: "other.example/x", GoFiles: []string{"x.go"}, Imports: mod("bot", "mail")},
	}
	if got := check(good, pic); len(got) != 0 {
		t.Fatalf("the allowed arrows were refused: %q", got)
	}
	cases := []struct {
		name string
		pkg  pkg
		want []string // each must be in one message
	}{
		{"domain imports a channel", p("tickets", mod("bot")...), []string{"tickets → bot", "the domain imports no channel", "the channel bot"}},
		{"store imports the words", p("tickets/sqlstore", mod("tickets", "templates")...), []string{"tickets/sqlstore → templates", "the words"}},
		{"domain imports a program", p("tickets", mod("cmd/refunddesk")...), []string{"tickets → cmd/refunddesk", "nothing imports a program"}},
		{"domain imports the api", p("tickets", mod("api")...), []string{"tickets → api", "the channel api"}},
		{"domain imports mail", p("tickets", mod("mail")...), []string{"tickets → mail", "the channel mail"}},
		{"domain imports a Discord library", p("tickets", "github.com/bwmarrin/discordgo"), []string{"tickets → github.com/bwmarrin/discordgo", "no channel library"}},
		{"domain imports an i18n library", p("tickets", "github.com/nicksnyder/go-i18n/v2/i18n"), []string{"no channel library"}},
		{"bot imports mail", p("bot", mod("tickets", "mail")...), []string{"bot → mail", "a channel imports no other channel", "does not draw"}},
		{"mail imports bot", p("mail", mod("bot")...), []string{"mail → bot", "a channel imports no other channel"}},
		{"templates import a channel", p("templates", mod("tickets", "bot")...), []string{"templates → bot", "import only tickets"}},
		{"a channel imports a test helper", p("api", mod("tickets", "internal/storetest")...), []string{"api → internal/storetest", "test and demo helpers"}},
		{"the demo imports a test helper", p("cmd/refunddesk", mod("internal/storetest")...), []string{"cmd/refunddesk → internal/storetest", "test and demo helpers"}},
		{"an arrow not drawn", p("mail", mod("tickets", "templates")...), []string{"mail → templates", "does not draw"}},
		{"a package not drawn", p("web", mod("tickets")...), []string{"web is not in the picture"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			pkgs := append([]pkg{}, good...)
			replaced := false
			for i := range pkgs {
				if pkgs[i].ImportPath == c.pkg.ImportPath {
					pkgs[i], replaced = c.pkg, true
				}
			}
			if !replaced {
				pkgs = append(pkgs, c.pkg)
			}
			got := check(pkgs, pic)
			if len(got) == 0 {
				t.Fatalf("no complaint")
			}
			all := strings.Join(got, "\n")
			for _, w := range c.want {
				if !strings.Contains(all, w) {
					t.Errorf("no message says %q:\n%s", w, all)
				}
			}
		})
	}
}

// The house rules hold even where a picture would draw the arrow.
func TestHouseRulesIgnoreThePicture(t *testing.T) {
	for _, a := range []arrow{{"tickets", "bot"}, {"bot", "mail"}, {"mail", "bot"}, {"api", "web"},
		{"tickets/sqlstore", "templates"}, {"bot", "internal/discordtest"}, {"templates", "mail"}} {
		if len(houseRules(a)) == 0 {
			t.Errorf("%s passed the house rules", a)
		}
	}
	for _, a := range []arrow{{"tickets/sqlstore", "tickets"}, {"bot", "templates"}, {"cmd/refunddesk", "internal/sample"},
		{"internal/storetest", "internal/sample"}, {"api", "tickets"}} {
		if why := houseRules(a); len(why) != 0 {
			t.Errorf("%s refused: %q", a, why)
		}
	}
}
