package bot

import (
	"github.com/bwmarrin/discordgo"

	"refunddesk/tickets"
)

// lang is the desk language of a Discord locale: Indonesian for "id",
// English otherwise.
func lang(locale discordgo.Locale) string {
	if locale == "id" {
		return tickets.LangIndonesian
	}
	return tickets.LangEnglish
}

// say returns one of the bot's phrases (bot.<key> in the message catalog)
// in a language; kv are its values as name, value pairs:
// b.say(language, "not_found", "Ref", "RD-7").
func (b *Bot) say(language, key string, kv ...any) string {
	return b.tpl.Catalog().Text(language, "bot."+key, kv...)
}
