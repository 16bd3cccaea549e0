package web

import (
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"refunddesk/tickets"
)

// failuresData is the failure lists' page: the mail set aside and the
// outgoing messages that failed, with what the last retry did.
type failuresData struct {
	Mail    []tickets.InboundFailure
	Outbox  []tickets.OutboxItem
	Done    string
	Problem string
	// Skipped are the messages the last retry left alone, and why.
	Skipped []tickets.OutboxSkipped
}

// failuresLimit is how many of each list the page shows (newest first).
const failuresLimit = 100

// failures shows the failure lists: GET /failures (`refunddesk mail
// failed`, `refunddesk outbox list --failed`).
func (s *Server) failures(w http.ResponseWriter, r *http.Request, a *Agent) error {
	d := failuresData{}
	q := r.URL.Query()
	if q.Has("requeued") {
		n, _ := strconv.Atoi(q.Get("requeued"))
		d.Done = s.cat.Text(a.Language, "console.failures.requeued", "N", s.cat.Count(int64(max(n, 0)), a.Language))
	}
	return s.showFailures(w, r, a, http.StatusOK, d)
}

// showFailures reads both lists and shows them with d's words.
func (s *Server) showFailures(w http.ResponseWriter, r *http.Request, a *Agent, status int, d failuresData) error {
	var err error
	if d.Mail, err = s.svc.Intake.Failures(r.Context(), failuresLimit); err != nil {
		return err
	}
	for i := range d.Mail {
		d.Mail[i].Reason = s.setAsideWhy(d.Mail[i].Reason, a.Language)
	}
	f := tickets.OutboxFilter{Status: tickets.OutboxFailed, Limit: failuresLimit}
	if d.Outbox, err = s.svc.Delivery.Outbox(r.Context(), f); err != nil {
		return err
	}
	title := s.cat.Text(a.Language, "console.failures.title")
	s.render(w, r, status, "failures", &Page{Title: title, Nav: "failures", Data: d})
	return nil
}

// setAsideWhy writes why a mail was set aside in the agent's language when
// the reason begins with a code the console names ("too_big {…}: …",
// web.set_aside.<code>, tickets.SetAsideCodes); a reason recorded before
// codes is the channel's own words, shown as they are.
func (s *Server) setAsideWhy(reason, lang string) string {
	return s.cat.SetAside(lang, tickets.ParseSetAsideReason(reason))
}

// retryFailed puts failed messages back in the queue under the signed-in
// agent (each audited on its ticket): POST /failures/retry with id=N for
// one, or all=1 for every failed one (`refunddesk outbox retry`).
func (s *Server) retryFailed(w http.ResponseWriter, r *http.Request, a *Agent) error {
	var req tickets.OutboxRetry
	v := r.PostForm
	if v.Get("all") != "" {
		req.Failed = true
	} else {
		id, err := strconv.ParseInt(strings.TrimPrefix(v.Get("id"), "#"), 10, 64)
		if err != nil || id <= 0 {
			return fmt.Errorf("outbox item %q: %w", v.Get("id"), tickets.ErrNotFound)
		}
		req.IDs = []int64{id}
	}
	res, err := s.svc.Delivery.RetryOutbox(r.Context(), a.Name, req)
	if err != nil {
		f := &actionForm{}
		status, ok := s.explainRefusal(a.Language, f, err)
		if !ok {
			return err
		}
		d := failuresData{Problem: f.Problem}
		if words := firstProblem(f.Errors); words != "" {
			d.Problem = words
		}
		return s.showFailures(w, r, a, status, d)
	}
	s.log.Info("web: outbox retried", "agent", a.Name, "requeued", len(res.Requeued), "skipped", len(res.Skipped))
	if len(res.Skipped) > 0 {
		// Why each was left alone does not fit in a redirect: shown here.
		for i := range res.Skipped {
			sk := &res.Skipped[i]
			if sk.Code != "" {
				sk.Why = s.cat.Problem(a.Language, sk.Code, sk.Params)
			}
		}
		d := failuresData{Skipped: res.Skipped,
			Done: s.cat.Text(a.Language, "console.failures.requeued", "N", s.cat.Count(int64(len(res.Requeued)), a.Language))}
		return s.showFailures(w, r, a, http.StatusOK, d)
	}
	http.Redirect(w, r, "/failures?"+url.Values{"requeued": {strconv.Itoa(len(res.Requeued))}}.Encode(), http.StatusSeeOther)
	return nil
}

// firstProblem is the words of the first field's problem by the fields'
// names (the failures page has no field to show them beside): the same one
// each time, whatever order the map gives.
func firstProblem(errs map[string]string) string {
	if len(errs) == 0 {
		return ""
	}
	return errs[slices.Min(slices.Collect(maps.Keys(errs)))]
}
