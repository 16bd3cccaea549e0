package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"refunddesk/templates"
	"refunddesk/tickets"
)

// The ticket page's actions: every action of the command line as a button
// or a short form, each a POST through s.post (the session's CSRF token)
// acting as the signed-in agent, through the same use cases (Desk.Act,
// Desk.Edit, Delivery.RetryOutbox). Each form carries the ticket's version
// (tickets.Ticket.Version) as the page showed it, and the desk checks it in
// the action's own transaction: an action on a ticket changed since, even
// a moment before the action, is refused (ticket.changed) and the page
// shows the ticket as it is now (409). A problem with
// the input shows the form again with the words next to its field and the
// agent's input kept; a success goes back to the ticket (303) with what
// was done said once (done=ACTION).

// actionRoutes adds the forms' targets to the console.
func (s *Server) actionRoutes() {
	s.mux.HandleFunc("POST /tickets/{ref}/act/{action}", s.post(s.act))
	s.mux.HandleFunc("POST /tickets/{ref}/edit", s.post(s.edit))
	s.mux.HandleFunc("POST /tickets/{ref}/outbox/{id}/retry", s.post(s.retryTicketOutbox))
	s.mux.HandleFunc("GET /records", s.page(s.records))
	s.mux.HandleFunc("GET /failures", s.page(s.failures))
	s.mux.HandleFunc("POST /failures/retry", s.post(s.retryFailed))
}

// actionForm is a form that was sent and refused: which one, what the
// agent typed, and why (words next to a field, or about the whole form).
type actionForm struct {
	Action string
	Values url.Values
	// Errors are the words of each field's problem, by the field's name.
	Errors map[string]string
	// Problem is why the whole form was refused (a conflict, the state
	// machine's refusal); Changed says the ticket changed meanwhile.
	Problem string
	Changed bool
}

// ticketVersion is what a ticket's forms carry: the ticket's version, which
// moves on with every change, so that an action on a page out of date is
// refused by the desk.
func ticketVersion(d *tickets.TicketDetail) string { return strconv.FormatInt(d.Version, 10) }

// act does one action of the state machine: POST /tickets/RD-n/act/ACTION.
func (s *Server) act(w http.ResponseWriter, r *http.Request, a *Agent) error {
	action, err := tickets.ParseAction(r.PathValue("action"))
	if err != nil {
		return err // 400: the actions there are, in words
	}
	f := &actionForm{Action: string(action), Values: r.PostForm}
	d, version, err := s.current(r, f)
	if err != nil || version == 0 {
		return s.afterCheck(w, r, a, d, f, err)
	}
	req, err := s.actionRequest(r, d, action, a.Name)
	req.ExpectVersion = version
	if err == nil {
		_, err = s.svc.Desk.Act(r.Context(), req)
	}
	return s.done(w, r, a, f, d.Ref, err)
}

// current reads the ticket a form is about, and the version the form
// carries: the desk compares it with the ticket's when it acts. A form
// without one (0) is taken as out of date.
func (s *Server) current(r *http.Request, f *actionForm) (*tickets.TicketDetail, int64, error) {
	d, err := s.svc.Records.Detail(r.Context(), r.PathValue("ref"))
	if err != nil {
		return nil, 0, err
	}
	version, err := strconv.ParseInt(r.PostForm.Get("version"), 10, 64)
	if err != nil || version < 1 {
		f.Changed = true
		return d, 0, nil
	}
	return d, version, nil
}

// afterCheck answers a form refused before acting: the ticket as it is now,
// when it changed, else the error.
func (s *Server) afterCheck(w http.ResponseWriter, r *http.Request, a *Agent, d *tickets.TicketDetail, f *actionForm, err error) error {
	if err != nil {
		return err
	}
	s.log.Info("web: a form on a ticket changed since refused", "ref", d.Ref, "action", f.Action, "agent", a.Name)
	return s.showTicket(w, r, a, http.StatusConflict, f)
}

// actionRequest is the action the form asks for, its fields read as the
// command line reads its flags.
func (s *Server) actionRequest(r *http.Request, d *tickets.TicketDetail, action tickets.Action, agent string) (tickets.ActionRequest, error) {
	v := r.PostForm
	req := tickets.ActionRequest{Ref: d.Ref, Actor: agent, Action: action, Text: v.Get("text")}
	switch action {
	case tickets.ActionAssign:
		req.Assignee = v.Get("assignee")
	case tickets.ActionDeny:
		req.Text = v.Get("reason")
	case tickets.ActionAsk:
		req.Text = s.question(d, v["missing"], v.Get("question"))
	case tickets.ActionApprove:
		if typed := strings.TrimSpace(v.Get("amount")); typed != "" {
			n, err := s.svc.Desk.AmountFor(r.Context(), d.Ref, typed)
			if err != nil {
				return req, err
			}
			req.Amount = &n
		}
	}
	return req, nil
}

// question is what ask sends: the fields checked, each in the requester's
// words and language, then the agent's own words.
func (s *Server) question(d *tickets.TicketDetail, missing []string, text string) string {
	lang := s.cat.Language(d.Language)
	var b strings.Builder
	for _, code := range missing {
		if !slices.Contains(templates.MissingCodes(), code) {
			continue
		}
		if b.Len() == 0 {
			b.WriteString(s.cat.Text(lang, "console.ask.intro"))
			b.WriteString("\n")
		}
		b.WriteString("- " + s.cat.MissingName(code, lang) + "\n")
	}
	if text = strings.TrimSpace(text); text != "" {
		if b.Len() > 0 {
			b.WriteString("\n")
		}
		b.WriteString(text)
	}
	return b.String()
}

// done answers an action: back to the ticket with what was done (303), or
// the form again with why it was refused.
func (s *Server) done(w http.ResponseWriter, r *http.Request, a *Agent, f *actionForm, ref string, err error) error {
	if err == nil {
		s.log.Info("web: action", "ref", ref, "action", f.Action, "agent", a.Name)
		http.Redirect(w, r, "/tickets/"+url.PathEscape(ref)+"?"+url.Values{"done": {f.Action}}.Encode(), http.StatusSeeOther)
		return nil
	}
	status, ok := s.explainRefusal(a.Language, f, err)
	if !ok {
		return err
	}
	if f.Changed {
		s.log.Info("web: a form on a ticket changed since refused by the desk", "ref", ref, "action", f.Action, "agent", a.Name)
	}
	return s.showTicket(w, r, a, status, f)
}

// explainRefusal puts an error the agent can act on in the form's words:
// a problem with a field next to it (400), a conflict or a refusal about
// the whole form (409, 403). Anything else is not theirs to fix.
func (s *Server) explainRefusal(lang string, f *actionForm, err error) (int, bool) {
	var ve *tickets.ValidationError
	var ce *tickets.ConflictError
	switch {
	case errors.As(err, &ve):
		f.Errors = map[string]string{}
		var all tickets.ValidationErrors
		if !errors.As(err, &all) {
			all = tickets.ValidationErrors{ve}
		}
		for _, e := range all {
			field := e.Field
			if f.Action == "edit" && field == "reason" {
				field = "reason_category" // the edit form's name: "reason" is deny's
			}
			f.Errors[field] = s.problemText(lang, e)
		}
		return http.StatusBadRequest, true
	case errors.As(err, &ce) && ce.Code == "ticket.changed":
		f.Changed = true // said as the console says it: the ticket as it is now
		return http.StatusConflict, true
	case errors.As(err, &ce):
		f.Problem = s.cat.Problem(lang, ce.Code, ce.Params)
		return http.StatusConflict, true
	case errors.Is(err, tickets.ErrConflict), errors.Is(err, tickets.ErrForbidden):
		f.Problem = s.cat.Error(lang, err)
		if errors.Is(err, tickets.ErrForbidden) {
			return http.StatusForbidden, true
		}
		return http.StatusConflict, true
	}
	return 0, false
}

// problemText is a field's problem in words, without the field's name
// (the form shows it next to the field).
func (s *Server) problemText(lang string, e *tickets.ValidationError) string {
	if e.Code == "" {
		return e.Message
	}
	return s.cat.Problem(lang, e.Code, e.Params)
}

// edit corrects a ticket's fields: POST /tickets/RD-n/edit. Only the fields
// the agent changed are given to the desk.
func (s *Server) edit(w http.ResponseWriter, r *http.Request, a *Agent) error {
	f := &actionForm{Action: "edit", Values: r.PostForm}
	d, version, err := s.current(r, f)
	if err != nil || version == 0 {
		return s.afterCheck(w, r, a, d, f, err)
	}
	fields := tickets.Fields{ExpectVersion: version}
	v := r.PostForm
	for _, fld := range []struct {
		name, now string
		to        **string
	}{
		{"account", d.Account, &fields.Account}, {"order", d.Order, &fields.Order},
		{"reason_category", string(d.Reason), &fields.Reason}, {"language", d.Language, &fields.Language},
	} {
		if v.Has(fld.name) && strings.TrimSpace(v.Get(fld.name)) != fld.now {
			val := v.Get(fld.name)
			*fld.to = &val
		}
	}
	_, err = s.svc.Desk.Edit(r.Context(), d.Ref, a.Name, fields)
	return s.done(w, r, a, f, d.Ref, err)
}

// retryTicketOutbox puts one of a ticket's failed messages back in the
// queue: POST /tickets/RD-n/outbox/ID/retry, audited under the agent.
// The version its form carries is not handed to the desk, on purpose: a
// retry changes the message, not the ticket (it does not move the
// version), and what makes it right or wrong is the message's own status,
// which RetryOutbox checks in its transaction (a message no longer failed,
// sent again by another agent a moment before, is refused with
// outbox.not_failed). A ticket changed meanwhile (the requester wrote)
// does not make re-sending a failed message wrong.
func (s *Server) retryTicketOutbox(w http.ResponseWriter, r *http.Request, a *Agent) error {
	f := &actionForm{Action: "retry", Values: r.PostForm}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return fmt.Errorf("outbox item %q: %w", r.PathValue("id"), tickets.ErrNotFound)
	}
	d, err := s.svc.Records.Detail(r.Context(), r.PathValue("ref"))
	if err != nil {
		return err
	}
	if !slices.ContainsFunc(d.Outbox, func(o tickets.OutboxItem) bool { return o.ID == id }) {
		return fmt.Errorf("outbox item %d of %s: %w", id, d.Ref, tickets.ErrNotFound)
	}
	_, err = s.svc.Delivery.RetryOutbox(r.Context(), a.Name, tickets.OutboxRetry{IDs: []int64{id}})
	return s.done(w, r, a, f, d.Ref, err)
}
