package bot

import (
	"fmt"

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

// phrases the bot says to requesters, in both languages.
var phrases = map[string][2]string{ // en, id
	"created":      {"Your request is %s.", "Permintaan Anda tercatat sebagai %s."},
	"joined":       {"You already have a request open for this: it was added to %s.", "Permintaan untuk ini sudah ada: pesan Anda ditambahkan ke %s."},
	"duplicate":    {"This request was already filed as %s.", "Permintaan ini sudah tercatat sebagai %s."},
	"status":       {"Status: %s.", "Status: %s."},
	"missing":      {"Still needed: %s. Send it with /reply or /evidence.", "Masih diperlukan: %s. Kirimkan dengan /reply atau /evidence."},
	"review":       {"An agent will review it and you will get a message here.", "Agen kami akan meninjaunya dan Anda akan mendapat pesan di sini."},
	"refused_file": {"%s was not kept: %s", "%s tidak disimpan: %s"},
	"rate_limited": {"You have filed %d requests in the last hour. Please wait a while before filing another, or add to an open one with /reply.",
		"Anda sudah mengajukan %d permintaan dalam satu jam terakhir. Mohon tunggu sebentar sebelum mengajukan lagi, atau tambahkan ke permintaan yang ada dengan /reply."},
	"not_found":    {"You have no request %s.", "Anda tidak memiliki permintaan %s."},
	"no_tickets":   {"You have no requests yet. File one with /refund or /revoke.", "Anda belum memiliki permintaan. Ajukan dengan /refund atau /revoke."},
	"your_tickets": {"Your requests:", "Permintaan Anda:"},
	"reply_ok":     {"Your answer was added to %s.", "Jawaban Anda sudah ditambahkan ke %s."},
	"evidence_ok":  {"The file was added to %s.", "File sudah ditambahkan ke %s."},
	"evidence_dup": {"%s already has this file.", "%s sudah memiliki file ini."},
	"bad_input":    {"That did not work: %s", "Tidak dapat diproses: %s"},
	"conflict":     {"That cannot be done now: %s", "Tidak dapat dilakukan saat ini: %s"},
	"error":        {"Something went wrong on our side. Please try again in a moment.", "Terjadi kendala di sisi kami. Mohon coba lagi sebentar lagi."},
	"not_agent":    {"Only agents can do this.", "Hanya agen yang dapat melakukan ini."},
	"download":     {"the file could not be downloaded from Discord", "file tidak dapat diunduh dari Discord"},
	"verdict":      {"Verdict so far: %s", "Penilaian sementara: %s"},
}

// say returns a phrase in a language.
func say(language, key string, args ...any) string {
	p, ok := phrases[key]
	if !ok {
		return key
	}
	f := p[0]
	if language == tickets.LangIndonesian {
		f = p[1]
	}
	if len(args) == 0 {
		return f
	}
	return fmt.Sprintf(f, args...)
}
