package api

import (
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"refunddesk/archive"
	"refunddesk/tickets"
)

// exportRequester answers GET /api/requesters/export?email=ADDRESS or
// ?discord_id=ID (one of them) with the person's archive, as `requesters
// export` writes it: application/zip, named in Content-Disposition. Bad or
// missing parameters are 400 (a Discord id checked as erasure checks it),
// a person of whom nothing is kept 404. The
// exported tickets' audit trails record the agent once the archive is
// written whole. The answer is streamed: an error after its first bytes
// can only cut it short (the zip then has no directory and does not open).
func (s *Server) exportRequester(w http.ResponseWriter, r *http.Request, agent string) error {
	v := r.URL.Query()
	for k := range v {
		switch k {
		case "email", "discord_id":
			if len(v[k]) > 1 {
				return tickets.Invalidf(k, "given %d times; give it once", len(v[k]))
			}
		default:
			return tickets.Invalidf(k, "unknown parameter (email and discord_id are)")
		}
	}
	email, discordID := strings.TrimSpace(v.Get("email")), strings.TrimSpace(v.Get("discord_id"))
	switch {
	case email == "" && discordID == "":
		return tickets.Invalidf("email", "say who: give email or discord_id")
	case email != "" && discordID != "":
		return tickets.Invalidf("discord_id", "give email or discord_id, not both")
	}
	// A Discord id that is not one is the domain's to refuse
	// (tickets.CheckDiscordID, as erasure): 400 discord_id.invalid.
	who := tickets.Requester{Email: email, DiscordID: discordID}
	started := false
	_, err := s.svc.Records.ExportRequester(r.Context(), who, agent, func(ex *tickets.RequesterExport, open tickets.OpenEvidence) error {
		name := "requester-discord-" + discordID + ".zip"
		if email != "" {
			name = "requester-" + fileSafe(email) + ".zip"
		}
		h := w.Header()
		h.Set("Content-Type", archive.ContentType)
		h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"`, name))
		h.Set("Cache-Control", "no-store")
		h.Set("X-Content-Type-Options", "nosniff")
		started = true
		return archive.Write(w, s.cat, ex, open)
	})
	if err != nil && started {
		// The headers and part of the zip are gone: say so in the log.
		s.log.Error("requester export cut short", slog.String("agent", agent), slog.Any("error", err))
		return nil
	}
	return err
}

// fileSafe keeps letters, digits and .-_@ of s for a file name.
func fileSafe(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '-', r == '_', r == '@':
			return r
		}
		return '_'
	}, s)
}
