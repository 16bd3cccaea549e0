package bot_test

import (
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"

	"refunddesk/internal/discordtest"
	"refunddesk/templates"
	"refunddesk/tickets"
)

// wrapped says whether s comes whole from the pseudo-language's catalog
// (templates.Pseudo wraps every message in ⟦…⟧).
func wrapped(s string) bool { return strings.HasPrefix(s, "⟦") && strings.HasSuffix(s, "⟧") }

// A third language is a catalog file and its templates, and the bot speaks
// it with nothing else to change: Brazilian Portuguese here, a language no
// one speaks made from English (templates.Pseudo), since Discord has a
// locale for it. The commands' descriptions, options and reason choices
// are localized in it and in Indonesian, from the catalog; a client in
// that locale is answered in it, and files tickets in it; a locale the
// catalog does not speak gets English.
func TestBotThirdLanguage(t *testing.T) {
	t.Parallel()
	f := newBotFixture(t, "sqlite")
	files, err := templates.Pseudo(templates.Files(), "pt-BR")
	if err != nil {
		t.Fatal(err)
	}
	if f.tpl, err = templates.New(templates.WithFiles(files)); err != nil {
		t.Fatal(err)
	}
	f.svc = tickets.NewService(f.db, tickets.Options{Clock: f.clock, Languages: f.tpl.Languages()})
	f.start()
	cat := f.tpl.Catalog()

	pt, id := discordgo.Locale("pt-BR"), discordgo.Locale("id")
	check := func(where, desc string, locs map[discordgo.Locale]string) {
		t.Helper()
		if desc == "" || strings.HasPrefix(desc, "command.") || wrapped(desc) {
			t.Errorf("%s: description %q", where, desc)
		}
		if !wrapped(locs[pt]) || strings.Contains(locs[pt], "command.") {
			t.Errorf("%s: pt-BR %q", where, locs[pt])
		}
		if locs[id] == "" || wrapped(locs[id]) || locs[id] == desc && !strings.Contains(desc, "status:") {
			t.Errorf("%s: id %q (English %q)", where, locs[id], desc)
		}
		for l, s := range locs {
			if n := len([]rune(s)); n > 100 {
				t.Errorf("%s in %s: %d characters, Discord takes 100", where, l, n)
			}
		}
		if n := len([]rune(desc)); n > 100 {
			t.Errorf("%s: %d characters, Discord takes 100", where, n)
		}
		for _, l := range []discordgo.Locale{"en-US", "en-GB", "fr", "es-ES"} {
			if s, ok := locs[l]; ok {
				t.Errorf("%s: a localization for %s, which the catalog does not speak apart from English: %q", where, l, s)
			}
		}
	}
	cmds := f.fake.Commands(guild)
	if len(cmds) != 8 {
		t.Fatalf("%d commands", len(cmds))
	}
	var options func(where string, opts []*discordgo.ApplicationCommandOption)
	options = func(where string, opts []*discordgo.ApplicationCommandOption) {
		for _, o := range opts {
			check(where+" "+o.Name, o.Description, o.DescriptionLocalizations)
			for _, c := range o.Choices {
				check(where+" "+o.Name+" choice "+c.Name, c.Name, c.NameLocalizations)
				if want := cat.ReasonName(tickets.Reason(c.Value.(string)), "id"); c.NameLocalizations[id] != want {
					t.Errorf("choice %v in id: %q, want %q", c.Value, c.NameLocalizations[id], want)
				}
			}
			options(where+" "+o.Name, o.Options)
		}
	}
	for _, c := range cmds {
		if c.DescriptionLocalizations == nil {
			t.Errorf("/%s: no localizations", c.Name)
			continue
		}
		check("/"+c.Name, c.Description, *c.DescriptionLocalizations)
		options("/"+c.Name, c.Options)
	}
	if got, want := (*cmds[0].DescriptionLocalizations)[id], cat.Text("id", "command.refund"); got != want {
		t.Errorf("/refund in id: %q, want the catalog's %q", got, want)
	}

	// A client in pt-BR is answered in it, and its ticket is in it.
	cb := f.send(f.fake.Command("status", append(requester("333", "nobody"), discordtest.WithLocale("pt-BR"))...))
	if got := text(cb); !wrapped(got) {
		t.Errorf("/status in pt-BR: %q", got)
	}
	cb = f.refund("111", "rani", "pt-BR", "@rani.putri", "7301234567890000021", "under_delivery")
	for _, line := range strings.Split(text(cb), "\n") {
		if !wrapped(line) {
			t.Errorf("/refund in pt-BR: a line not from its catalog: %q", line)
		}
	}
	if d := f.ticket("RD-1"); d.Language != "pt-BR" {
		t.Errorf("the ticket's language: %q", d.Language)
	}
	// Discord's Latin American Spanish: not spoken, so English.
	cb = f.send(f.fake.Command("status", append(requester("333", "nobody"), discordtest.WithLocale("es-419"))...))
	if got := text(cb); !strings.Contains(got, "You have no requests yet") {
		t.Errorf("/status in es-419: %q", got)
	}
}
