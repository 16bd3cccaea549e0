package bot

import (
	"github.com/bwmarrin/discordgo"
)

// lang is the catalog's language for a Discord client's locale ("id",
// "en-US", "pt-BR"): the same language, else its base language ("es" for
// "es-419"), when the catalog speaks it; English otherwise.
func (b *Bot) lang(locale discordgo.Locale) string {
	return b.tpl.Catalog().Language(string(locale))
}

// say returns one of the bot's phrases (bot.<key> in the message catalog)
// in a language; kv are its values as name, value pairs:
// b.say(language, "not_found", "Ref", "RD-7").
func (b *Bot) say(language, key string, kv ...any) string {
	return b.tpl.Catalog().Text(language, "bot."+key, kv...)
}
