package web

import (
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"refunddesk/tickets"
)

// ticketData is a ticket page's data.
type ticketData struct {
	*tickets.TicketDetail
	Evidence []evidenceLink
	// Approved is the amount granted, in words, when there is one.
	Approved string
	// Actions are the forms of the actions (actions_view.go).
	Actions *actionsView
	// DecisionText, AuditLines and FollowupLines are the decision, the
	// audit trail and the follow-ups in the agent's language.
	DecisionText  string
	AuditLines    []auditLine
	FollowupLines []followupLine
	// SourceNotes say where a field came from when it was not the
	// requester's own words, by field ("taken from the order's record").
	SourceNotes map[string]string
}

// auditLine is an audit entry in the agent's words.
type auditLine struct {
	At                   time.Time
	Actor, Action, Text  string
	FromStatus, ToStatus tickets.Status
}

// followupLine is a follow-up in the agent's words.
type followupLine struct {
	DueAt                time.Time
	Kind, Status, Result string
}

// inWords puts the ticket's decision, audit trail and follow-ups in the
// agent's language: each entry's code through the catalog (Catalog.Audit,
// FollowupResult, Decision), the words stored before codes as they are.
func (s *Server) inWords(data *ticketData, lang string) {
	d := data.TicketDetail
	data.DecisionText = s.cat.Decision(&d.Ticket, lang)
	data.SourceNotes = s.cat.SourceNotes(&d.Ticket, lang)
	for _, e := range d.Audit {
		data.AuditLines = append(data.AuditLines, auditLine{At: e.At, Actor: e.Actor, Action: s.cat.AuditAction(e.Action, lang),
			Text: s.cat.Audit(e, lang), FromStatus: e.FromStatus, ToStatus: e.ToStatus})
	}
	for _, f := range d.Followups {
		data.FollowupLines = append(data.FollowupLines, followupLine{DueAt: f.DueAt, Kind: s.cat.FollowupName(f.Kind, lang),
			Status: s.cat.FollowupStatusName(f.Status, lang), Result: s.cat.FollowupResult(f, lang)})
	}
}

// evidenceLink is a file of the ticket: an image is shown (a thumbnail
// that links to the full size), any other file is a download.
type evidenceLink struct {
	tickets.Evidence
	URL   string
	Image bool
}

// ticket shows one ticket on one page: GET /tickets/RD-n.
func (s *Server) ticket(w http.ResponseWriter, r *http.Request, a *Agent) error {
	return s.showTicket(w, r, a, http.StatusOK, nil)
}

// showTicket shows the ticket as it is now, with status; f is an action's
// form that was refused, shown again with its input and why (actions.go).
func (s *Server) showTicket(w http.ResponseWriter, r *http.Request, a *Agent, status int, f *actionForm) error {
	d, err := s.svc.Records.Detail(r.Context(), r.PathValue("ref"))
	if err != nil {
		return err
	}
	// The stored words of steps and entries that have no code yet, and
	// each code's words where the catalog writes them (Explain).
	s.cat.Explain(d)
	data := ticketData{TicketDetail: d, Actions: s.actionsOf(r, a, d, f)}
	s.inWords(&data, a.Language)
	for _, e := range d.Evidence {
		data.Evidence = append(data.Evidence, evidenceLink{Evidence: e, Image: inlineImage(e.ContentType),
			URL: "/tickets/" + url.PathEscape(d.Ref) + "/evidence/" + url.PathEscape(e.SHA256)})
	}
	if d.ApprovedAmount != nil {
		data.Approved = s.cat.Money(*d.ApprovedAmount, d.Eligibility.Currency, a.Language)
	}
	title := s.cat.Text(a.Language, "web.ticket.title", "Ref", d.Ref)
	s.render(w, r, status, "ticket", &Page{Title: title, Nav: "queue", Data: data})
	return nil
}

// inlineImage says whether a content type is an image the console shows
// in the page: PNG, JPEG, GIF and WebP. Anything else (SVG, which can hold
// script, included) is only downloaded.
func inlineImage(contentType string) bool {
	mt, _, _ := mime.ParseMediaType(contentType)
	switch mt {
	case "image/png", "image/jpeg", "image/gif", "image/webp":
		return true
	}
	return false
}

// evidence serves one of a ticket's files, to signed-in agents only: an
// image the console shows with the type its bytes have (sniffed, never the
// type the sender claimed), anything else as an attachment to download;
// both with nosniff and a CSP that lets nothing run.
func (s *Server) evidence(w http.ResponseWriter, r *http.Request, _ *Agent) error {
	ev, data, err := s.svc.Records.EvidenceFile(r.Context(), r.PathValue("ref"), r.PathValue("sha"))
	if err != nil {
		return err
	}
	if ev.SHA256 != r.PathValue("sha") {
		return fmt.Errorf("evidence %s: %w", r.PathValue("sha"), tickets.ErrNotFound)
	}
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store") // a requester's file stays in no cache after signing out
	sniffed := http.DetectContentType(data)
	if inlineImage(sniffed) && r.URL.Query().Get("download") == "" {
		h.Set("Content-Type", sniffed)
		h.Set("Content-Disposition", mime.FormatMediaType("inline", map[string]string{"filename": ev.Name}))
	} else {
		ct := "application/octet-stream"
		if sniffed == "application/pdf" || inlineImage(sniffed) {
			ct = sniffed
		}
		h.Set("Content-Type", ct)
		h.Set("Content-Disposition", attachment(ev.Name))
	}
	h.Set("Content-Length", strconv.Itoa(len(data)))
	_, err = w.Write(data)
	return err
}

// attachment is a Content-Disposition that downloads a file under its name
// (RFC 6266: filename* for a name beyond ASCII).
func attachment(name string) string {
	if v := mime.FormatMediaType("attachment", map[string]string{"filename": name}); v != "" {
		return v
	}
	return "attachment"
}
