package web

import (
	"net/http"
	"net/url"
	"slices"

	"refunddesk/templates"
	"refunddesk/tickets"
)

// actionsView is what the ticket page's actions need: which the ticket's
// status allows, the version the forms carry, the forms' prefilled values,
// and what the last request did (done) or why it was refused (Form).
type actionsView struct {
	Ref, Version string
	// Can says which actions the ticket's status allows (the state
	// machine's Transition); "edit" and "retry" too.
	Can map[string]bool
	// Done is what the last action did, in words (the flash).
	Done string
	// Form is the form refused, with the agent's input and the problems.
	Form *actionForm
	// Amount is the approval's amount in the order's major units with
	// its decimals (the verdict's refund), as AmountFor reads it back.
	Amount, Currency string
	Missing          []missingField
	Canned           []cannedLink
	// Reply is the reply form's text: a canned answer chosen (reply=KEY)
	// in the requester's language.
	Reply     string
	Agents    []string
	Reasons   []tickets.Reason
	Languages []string
	// Failed are the ticket's outbox items that failed: each can be retried.
	Failed []tickets.OutboxItem
}

// missingField is a field ask can ask for, checked when the verdict says it
// is missing.
type missingField struct {
	Code    string
	Checked bool
}

// cannedLink fills the reply form with a canned answer.
type cannedLink struct {
	Key, URL string
}

// cannedAnswers are the canned replies, console.canned.<key> in the
// catalog, written in the requester's language.
var cannedKeys = []string{"acknowledgement", "screenshot", "approved", "denied", "forwarded"}

// actionsOf builds the ticket page's actions for the signed-in agent; f is
// the form refused, if any.
func (s *Server) actionsOf(r *http.Request, a *Agent, d *tickets.TicketDetail, f *actionForm) *actionsView {
	v := &actionsView{Ref: d.Ref, Version: ticketVersion(d), Can: map[string]bool{}, Form: f,
		Agents: s.svc.Desk.Agents(), Reasons: tickets.Reasons, Languages: s.cat.Languages()}
	for _, act := range tickets.Actions {
		_, err := tickets.Transition(d.Kind, d.Status, act)
		v.Can[string(act)] = err == nil
	}
	if d.Assignee == a.Name {
		v.Can[string(tickets.ActionClaim)] = false
	}
	v.Can["edit"] = d.Status != tickets.StatusClosed
	if done := r.URL.Query().Get("done"); f == nil && slices.Contains(doneCodes, done) {
		v.Done = s.cat.Text(a.Language, "console.done."+done)
	}
	s.prefill(r, v, d)
	for _, o := range d.Outbox {
		if o.Status == tickets.OutboxFailed {
			v.Failed = append(v.Failed, o)
		}
	}
	return v
}

// doneCodes are what done= may say was done (console.done.<code>): every
// action, an edit, a retry.
var doneCodes = []string{"claim", "assign", "note", "reply", "ask", "approve", "deny", "forward", "resolve", "close",
	"reopen", "edit", "retry"}

// prefill fills the forms: the approval's amount from the verdict, the
// missing fields checked, the canned answers, the reply's text.
func (s *Server) prefill(r *http.Request, v *actionsView, d *tickets.TicketDetail) {
	v.Currency = d.Eligibility.Currency
	if d.Promotion != nil {
		v.Currency = d.Promotion.Currency
	}
	if amount := d.Eligibility.RefundAmount; amount > 0 && v.Currency != "" {
		if d.Promotion != nil {
			amount = min(amount, d.Promotion.Remaining())
		}
		v.Amount = tickets.FormatAmount(amount, v.Currency)
	}
	missing := s.svc.Intake.Missing(&d.Ticket)
	for _, code := range templates.MissingCodes() {
		if d.Kind == tickets.KindRevocation && code != templates.MissingAccount {
			continue
		}
		v.Missing = append(v.Missing, missingField{Code: code, Checked: slices.Contains(missing, code)})
	}
	base := "/tickets/" + url.PathEscape(d.Ref)
	for _, k := range cannedKeys {
		v.Canned = append(v.Canned, cannedLink{Key: k, URL: base + "?" + url.Values{"reply": {k}}.Encode() + "#reply"})
	}
	if k := r.URL.Query().Get("reply"); slices.Contains(cannedKeys, k) {
		v.Reply = s.canned(k, d)
	}
}

// canned is a canned answer in the requester's language: the words between
// the greeting and the signature every reply has already.
func (s *Server) canned(key string, d *tickets.TicketDetail) string {
	lang := s.cat.Language(d.Language)
	switch key {
	case "acknowledgement":
		return s.cat.Text(lang, "console.canned.acknowledgement", "Ref", d.Ref)
	case "screenshot":
		return s.cat.Text(lang, "console.canned.screenshot", "Ref", d.Ref)
	case "approved":
		return s.cat.Text(lang, "console.canned.approved", "Ref", d.Ref)
	case "denied":
		return s.cat.Text(lang, "console.canned.denied", "Ref", d.Ref)
	case "forwarded":
		return s.cat.Text(lang, "console.canned.forwarded", "Ref", d.Ref)
	}
	return ""
}

// Value is what a form's field shows: the agent's input when this form
// was refused, else def.
func (v *actionsView) Value(action, field, def string) string {
	if v.Form != nil && v.Form.Action == action && v.Form.Values != nil && !v.Form.Changed {
		return v.Form.Values.Get(field)
	}
	return def
}

// Err is the problem with a form's field, in words ("" for none).
func (v *actionsView) Err(action, field string) string {
	if v.Form == nil || v.Form.Action != action {
		return ""
	}
	return v.Form.Errors[field]
}

// Checked says whether ask's form checks a field: as sent when the form
// was refused, else as the verdict says.
func (v *actionsView) Checked(m missingField) bool {
	if v.Form != nil && v.Form.Action == string(tickets.ActionAsk) && !v.Form.Changed {
		return slices.Contains(v.Form.Values["missing"], m.Code)
	}
	return m.Checked
}

// Open says whether a form starts unfolded: the one refused.
func (v *actionsView) Open(action string) bool {
	return v.Form != nil && v.Form.Action == action
}

// Quick are the actions that take only a comment, each a button beside its
// comment: those the ticket's status allows.
func (v *actionsView) Quick() []string {
	var out []string
	for _, act := range []tickets.Action{tickets.ActionForward, tickets.ActionResolve, tickets.ActionClose, tickets.ActionReopen} {
		if v.Can[string(act)] {
			out = append(out, string(act))
		}
	}
	return out
}
