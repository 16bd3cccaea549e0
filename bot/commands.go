package bot

import (
	"maps"
	"slices"

	"github.com/bwmarrin/discordgo"

	"refunddesk/templates"
	"refunddesk/tickets"
)

// discordLocales are the locales Discord's clients have: discordgo's list,
// and Indonesian, which Discord added after that list was written.
func discordLocales() []discordgo.Locale {
	out := slices.Collect(maps.Keys(discordgo.Locales))
	out = append(out, discordgo.Locale("id"))
	slices.Sort(out)
	return slices.Compact(out)
}

// words writes the commands' descriptions: in English, the catalog's
// fallback, as a command's own description, and in each language of the
// catalog that a Discord locale speaks, as its localizations.
type words struct {
	cat *templates.Catalog
	// langs: the catalog's language of each Discord locale that has one
	// (other than English).
	langs map[discordgo.Locale]string
}

func newWords(cat *templates.Catalog) words {
	w := words{cat: cat, langs: map[discordgo.Locale]string{}}
	for _, l := range discordLocales() {
		if lang, ok := cat.Match(string(l)); ok && lang != templates.FallbackLanguage {
			w.langs[l] = lang
		}
	}
	return w
}

// text is message id in English.
func (w words) text(id string) string { return w.cat.Text(templates.FallbackLanguage, id) }

// localized is message id in every language a Discord locale speaks; nil
// when the catalog speaks none but English.
func (w words) localized(id string, name func(lang string) string) map[discordgo.Locale]string {
	if len(w.langs) == 0 {
		return nil
	}
	out := make(map[discordgo.Locale]string, len(w.langs))
	for l, lang := range w.langs {
		if name != nil {
			out[l] = name(lang)
		} else {
			out[l] = w.cat.Text(lang, id)
		}
	}
	return out
}

func (w words) str(name, id string, required bool) *discordgo.ApplicationCommandOption {
	return &discordgo.ApplicationCommandOption{Type: discordgo.ApplicationCommandOptionString, Name: name, Description: w.text(id),
		DescriptionLocalizations: w.localized(id, nil), Required: required, MaxLength: 1000}
}

func (w words) file(name, id string, required bool) *discordgo.ApplicationCommandOption {
	return &discordgo.ApplicationCommandOption{Type: discordgo.ApplicationCommandOptionAttachment, Name: name, Description: w.text(id),
		DescriptionLocalizations: w.localized(id, nil), Required: required}
}

func (w words) sub(name, id string, opts ...*discordgo.ApplicationCommandOption) *discordgo.ApplicationCommandOption {
	return &discordgo.ApplicationCommandOption{Type: discordgo.ApplicationCommandOptionSubCommand, Name: name, Description: w.text(id),
		DescriptionLocalizations: w.localized(id, nil), Options: opts}
}

// command is a slash command described by message id.
func (w words) command(name, id string, opts ...*discordgo.ApplicationCommandOption) *discordgo.ApplicationCommand {
	c := &discordgo.ApplicationCommand{Name: name, Description: w.text(id), Options: opts}
	if l := w.localized(id, nil); l != nil {
		c.DescriptionLocalizations = &l
	}
	return c
}

// reasonChoices are the refund reasons, named in every language.
func (w words) reasonChoices() []*discordgo.ApplicationCommandOptionChoice {
	var out []*discordgo.ApplicationCommandOptionChoice
	for _, r := range tickets.Reasons {
		out = append(out, &discordgo.ApplicationCommandOptionChoice{Name: w.cat.ReasonName(r, templates.FallbackLanguage),
			NameLocalizations: w.localized("", func(lang string) string { return w.cat.ReasonName(r, lang) }), Value: string(r)})
	}
	return out
}

var agentOnly = int64(discordgo.PermissionManageMessages)

// commands are the slash commands, registered with one bulk overwrite;
// their descriptions are the catalog's command.* messages. The agents'
// commands are only for agents: DefaultMemberPermissions hides them in the
// client, and the handler checks the agent role every time.
func commands(cat *templates.Catalog) []*discordgo.ApplicationCommand {
	w := newWords(cat)
	ref := func() *discordgo.ApplicationCommandOption { return w.str("ref", "command.option.ref", true) }
	reason := w.str("reason", "command.refund.reason", true)
	reason.Choices = w.reasonChoices()
	agents := func(c *discordgo.ApplicationCommand) *discordgo.ApplicationCommand {
		c.DefaultMemberPermissions = &agentOnly
		return c
	}
	return []*discordgo.ApplicationCommand{
		w.command("refund", "command.refund",
			w.str("account", "command.option.account", true),
			w.str("order", "command.refund.order", true),
			reason,
			w.str("details", "command.refund.details", false),
			w.file("evidence", "command.option.evidence", false),
			w.file("evidence2", "command.option.evidence_more", false),
			w.file("evidence3", "command.option.evidence_more", false)),
		w.command("revoke", "command.revoke",
			w.str("account", "command.option.account", true),
			w.str("reason", "command.revoke.reason", false),
			w.str("details", "command.revoke.details", false)),
		w.command("status", "command.status", w.str("ref", "command.status.ref", false)),
		w.command("evidence", "command.evidence", ref(), w.file("file", "command.evidence.file", true)),
		w.command("reply", "command.reply", ref(), w.str("text", "command.reply.text", true)),
		agents(w.command("queue", "command.queue", w.str("query", "command.queue.query", false))),
		agents(w.command("ticket", "command.ticket",
			w.sub("show", "command.ticket.show", ref()),
			w.sub("note", "command.ticket.note", ref(), w.str("text", "command.ticket.note.text", true)),
			w.sub("reply", "command.ticket.reply", ref(), w.str("text", "command.ticket.reply.text", true)),
			w.sub("assign", "command.ticket.assign", ref(), w.str("agent", "command.ticket.assign.agent", true)),
			w.sub("claim", "command.ticket.claim", ref()),
			w.sub("resolve", "command.ticket.resolve", ref()),
			w.sub("close", "command.ticket.close", ref()),
			w.sub("reopen", "command.ticket.reopen", ref()))),
		agents(w.command("promo", "command.promo", w.str("order", "command.promo.order", true))),
	}
}
