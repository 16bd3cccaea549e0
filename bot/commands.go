package bot

import (
	"github.com/bwmarrin/discordgo"

	"refunddesk/templates"
	"refunddesk/tickets"
)

const localeID = discordgo.Locale("id")

func loc(id string) map[discordgo.Locale]string { return map[discordgo.Locale]string{localeID: id} }

func str(name, desc, descID string, required bool) *discordgo.ApplicationCommandOption {
	return &discordgo.ApplicationCommandOption{Type: discordgo.ApplicationCommandOptionString, Name: name, Description: desc,
		DescriptionLocalizations: loc(descID), Required: required, MaxLength: 1000}
}

func file(name, desc, descID string, required bool) *discordgo.ApplicationCommandOption {
	return &discordgo.ApplicationCommandOption{Type: discordgo.ApplicationCommandOptionAttachment, Name: name, Description: desc,
		DescriptionLocalizations: loc(descID), Required: required}
}

// reasonChoices are the refund reasons, named in both languages.
func reasonChoices(cat *templates.Catalog) []*discordgo.ApplicationCommandOptionChoice {
	var out []*discordgo.ApplicationCommandOptionChoice
	for _, r := range tickets.Reasons {
		out = append(out, &discordgo.ApplicationCommandOptionChoice{Name: cat.ReasonName(r, tickets.LangEnglish),
			NameLocalizations: loc(cat.ReasonName(r, tickets.LangIndonesian)), Value: string(r)})
	}
	return out
}

func sub(name, desc string, opts ...*discordgo.ApplicationCommandOption) *discordgo.ApplicationCommandOption {
	return &discordgo.ApplicationCommandOption{Type: discordgo.ApplicationCommandOptionSubCommand, Name: name, Description: desc, Options: opts}
}

var agentOnly = int64(discordgo.PermissionManageMessages)

// commands are the slash commands, registered with one bulk overwrite.
// DefaultMemberPermissions only hides the agents' commands in the client;
// the handler checks the agent role every time.
func commands(cat *templates.Catalog) []*discordgo.ApplicationCommand {
	ref := func() *discordgo.ApplicationCommandOption {
		return str("ref", "The ticket, like RD-12", "Nomor tiket, misalnya RD-12", true)
	}
	reason := str("reason", "Why you ask for the money back", "Alasan pengembalian dana", true)
	reason.Choices = reasonChoices(cat)
	return []*discordgo.ApplicationCommand{
		{Name: "refund", Description: "Ask for a refund of a paid promotion", DescriptionLocalizations: &map[discordgo.Locale]string{localeID: "Ajukan pengembalian dana promosi berbayar"},
			Options: []*discordgo.ApplicationCommandOption{
				str("account", "Your account, @handle", "Akun Anda, @nama", true),
				str("order", "The order number of the promotion", "Nomor pesanan promosi", true),
				reason,
				str("details", "What happened, in your words", "Ceritakan apa yang terjadi", false),
				file("evidence", "A screenshot or receipt", "Tangkapan layar atau bukti pembayaran", false),
				file("evidence2", "Another screenshot or receipt", "Tangkapan layar atau bukti lain", false),
				file("evidence3", "Another screenshot or receipt", "Tangkapan layar atau bukti lain", false),
			}},
		{Name: "revoke", Description: "Withdraw the authorization to promote your content", DescriptionLocalizations: &map[discordgo.Locale]string{localeID: "Cabut izin penggunaan konten Anda untuk promosi"},
			Options: []*discordgo.ApplicationCommandOption{
				str("account", "Your account, @handle", "Akun Anda, @nama", true),
				str("reason", "Why (optional)", "Alasannya (opsional)", false),
				str("details", "Anything else we should know", "Informasi lain yang perlu kami ketahui", false),
			}},
		{Name: "status", Description: "See your requests", DescriptionLocalizations: &map[discordgo.Locale]string{localeID: "Lihat permintaan Anda"},
			Options: []*discordgo.ApplicationCommandOption{str("ref", "One ticket, like RD-12", "Satu tiket, misalnya RD-12", false)}},
		{Name: "evidence", Description: "Add a screenshot or receipt to your request", DescriptionLocalizations: &map[discordgo.Locale]string{localeID: "Tambahkan tangkapan layar atau bukti ke permintaan Anda"},
			Options: []*discordgo.ApplicationCommandOption{ref(), file("file", "The file", "File-nya", true)}},
		{Name: "reply", Description: "Answer our question about your request", DescriptionLocalizations: &map[discordgo.Locale]string{localeID: "Jawab pertanyaan kami tentang permintaan Anda"},
			Options: []*discordgo.ApplicationCommandOption{ref(), str("text", "Your answer", "Jawaban Anda", true)}},
		{Name: "queue", Description: "Agents: query the queue", DefaultMemberPermissions: &agentOnly,
			Options: []*discordgo.ApplicationCommandOption{{Type: discordgo.ApplicationCommandOptionString, Name: "query",
				Description: "e.g. status:in_review kind:refund older:1d", Required: false, MaxLength: 1000}}},
		{Name: "ticket", Description: "Agents: show and act on a ticket", DefaultMemberPermissions: &agentOnly,
			Options: []*discordgo.ApplicationCommandOption{
				sub("show", "Show a ticket", ref()),
				sub("note", "Add an internal note", ref(), str("text", "The note", "Catatan", true)),
				sub("reply", "Write to the requester", ref(), str("text", "The message", "Pesan", true)),
				sub("assign", "Assign to an agent (or none)", ref(), str("agent", "The agent's name, or none", "Nama agen, atau none", true)),
				sub("claim", "Take the ticket", ref()),
				sub("resolve", "Mark done (refund paid, revocation done)", ref()),
				sub("close", "Close the ticket", ref()),
				sub("reopen", "Reopen the ticket", ref()),
			}},
		{Name: "promo", Description: "Agents: look up a promotion record", DefaultMemberPermissions: &agentOnly,
			Options: []*discordgo.ApplicationCommandOption{str("order", "The order number", "Nomor pesanan", true)}},
	}
}
