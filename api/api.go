// Package api is the agents' HTTP API: the queue, a ticket's story, the
// agent actions and the promotion records, in the same JSON as the CLI's
// --json. Every request needs "Authorization: Bearer TOKEN", one of the
// configured tokens, each mapped to an agent; the agent acts under that name.
package api

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"refunddesk/templates"
	"refunddesk/tickets"
)

// MaxBody is the largest request body taken.
const MaxBody = 1 << 20

// Server answers the API.
type Server struct {
	svc      *tickets.Service
	channels []tickets.Channel // the outbox's, for GET /api/outbox
	cat      *templates.Catalog
	tokens   []token
	log      *slog.Logger
	mux      *http.ServeMux
}

type token struct {
	sum   [sha256.Size]byte
	agent string
}

// New returns the API over svc; tokens maps each bearer token to the agent
// it acts as. outbox lists the outbox's channels an agent may list (the
// requesters' channels, email and discord, when empty). cat puts the
// verdicts' rules in words (detail, detail_requester); without it, or
// without svc, New fails rather than a request later.
func New(svc *tickets.Service, tokens map[string]string, outbox []tickets.Channel, cat *templates.Catalog, log *slog.Logger) (*Server, error) {
	switch {
	case svc == nil:
		return nil, errors.New("api: no service to answer from")
	case cat == nil:
		return nil, errors.New("api: no message catalog (templates.NewCatalog) to put the verdicts' rules in words")
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if len(outbox) == 0 {
		outbox = []tickets.Channel{tickets.ChannelEmail, tickets.ChannelDiscord}
	}
	s := &Server{svc: svc, channels: slices.Clone(outbox), cat: cat, log: log, mux: http.NewServeMux()}
	for t, agent := range tokens {
		s.tokens = append(s.tokens, token{sum: sha256.Sum256([]byte(t)), agent: agent})
	}
	s.mux.HandleFunc("GET /api/tickets", s.auth(s.list))
	s.mux.HandleFunc("GET /api/tickets/{ref}", s.auth(s.show))
	s.mux.HandleFunc("POST /api/tickets/{ref}/{action}", s.auth(s.act))
	s.mux.HandleFunc("GET /api/promotions/{order}", s.auth(s.promotion))
	s.mux.HandleFunc("GET /api/outbox", s.auth(s.outbox))
	s.mux.HandleFunc("POST /api/outbox/retry", s.auth(s.retryOutbox))
	s.mux.HandleFunc("GET /api/stats", s.auth(s.stats))
	s.mux.HandleFunc("GET /api/requesters/export", s.auth(s.exportRequester))
	// Anything else under /api: 404 (or 405) in JSON, after the token check,
	// so that nothing is revealed without one.
	s.mux.HandleFunc("/api/", s.auth(func(w http.ResponseWriter, r *http.Request, _ string) error {
		return errNoRoute
	}))
	return s, nil
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

var (
	errNoRoute      = fmt.Errorf("no such endpoint: %w", tickets.ErrNotFound)
	errUnauthorized = errors.New("a valid bearer token is needed")
)

// handler is an endpoint: it acts as agent, and its error becomes the answer.
type handler func(w http.ResponseWriter, r *http.Request, agent string) error

// auth checks the bearer token (in constant time, against every token) and
// turns the handler's error into a JSON answer.
func (s *Server) auth(h handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		agent := s.agent(r)
		if agent == "" {
			w.Header().Set("WWW-Authenticate", `Bearer realm="refunddesk"`)
			writeError(w, http.StatusUnauthorized, errUnauthorized.Error(), "")
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, MaxBody)
		// A token whose agent is no longer one of the desk's reads nothing.
		if err := s.svc.Desk.CheckAgent(agent); err != nil {
			s.fail(w, r, agent, err)
			return
		}
		if err := h(w, r, agent); err != nil {
			s.fail(w, r, agent, err)
		}
	}
}

func (s *Server) agent(r *http.Request) string {
	scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(tok) == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(strings.TrimSpace(tok)))
	agent := ""
	for _, t := range s.tokens {
		if subtle.ConstantTimeCompare(sum[:], t.sum[:]) == 1 {
			agent = t.agent
		}
	}
	return agent
}

// Error is the body of every error answer.
type Error struct {
	Error string `json:"error"`
	// Field names the input at fault, for a validation error.
	Field string `json:"field,omitempty"`
	// Code is the problem's code (tickets.ErrorCodes: "order.not_digits",
	// "ticket.closed_change", "ticket.not_found"), for a validation error,
	// a conflict or a thing not found the domain names; Error is its
	// English words.
	Code string `json:"code,omitempty"`
	// Params are the code's values ("Value", "Ref"; a query's problem
	// has the term's Pos, from 1, and Raw, as written), as the domain
	// gives them.
	Params tickets.Params `json:"params,omitempty"`
}

func writeError(w http.ResponseWriter, status int, msg, field string) {
	writeJSON(w, status, Error{Error: msg, Field: field})
}

// writeTickets answers 200 with v, tickets or what holds them, their
// rules in words.
func (s *Server) writeTickets(w http.ResponseWriter, v any) {
	s.cat.Explain(v)
	writeJSON(w, http.StatusOK, v)
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

// fail answers an error with its status: 400 for bad input (naming the
// field), 403, 404, 409, 412 (a version in If-Match the ticket is no longer
// at), 413; anything else is 500 without its detail,
// which goes to the log.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, agent string, err error) {
	var ve *tickets.ValidationError
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("the body is larger than %d bytes", tooBig.Limit), "")
	case errors.As(err, &ve):
		writeJSON(w, http.StatusBadRequest, Error{Error: s.cat.Error(tickets.LangEnglish, err), Field: ve.Field, Code: ve.Code, Params: ve.Params})
	case errors.Is(err, errNoRoute):
		writeError(w, http.StatusNotFound, fmt.Sprintf("no endpoint %s %s", r.Method, r.URL.Path), "")
	case errors.Is(err, tickets.ErrForbidden):
		writeError(w, http.StatusForbidden, err.Error(), "")
	case errors.Is(err, tickets.ErrNotFound):
		var nf *tickets.NotFoundError
		res := Error{Error: strings.TrimSuffix(s.cat.Error(tickets.LangEnglish, err), ": not found") + ": not found"}
		if errors.As(err, &nf) {
			res.Code, res.Params = nf.Code, nf.Params
		}
		writeJSON(w, http.StatusNotFound, res)
	case errors.Is(err, tickets.ErrConflict):
		var ce *tickets.ConflictError
		res := Error{Error: strings.TrimSuffix(s.cat.Error(tickets.LangEnglish, err), ": conflict")}
		if errors.As(err, &ce) {
			res.Code, res.Params = ce.Code, ce.Params
		}
		status := http.StatusConflict
		if errors.As(err, new(preconditionFailed)) {
			status = http.StatusPreconditionFailed
		}
		writeJSON(w, status, res)
	default:
		s.log.Error("api request failed", slog.String("method", r.Method), slog.String("path", r.URL.Path),
			slog.String("agent", agent), slog.Any("error", err))
		writeError(w, http.StatusInternalServerError, "internal error; the details are in the server's log", "")
	}
}

// list answers GET /api/tickets?q=QUERY&limit=N&after=CURSOR with the JSON
// array of `tickets list --json`; the next page's address is in the Link
// header (rel="next") and its cursor in X-Next-Cursor.
func (s *Server) list(w http.ResponseWriter, r *http.Request, agent string) error {
	v := r.URL.Query()
	for k := range v {
		switch k {
		case "q", "limit", "after":
		default:
			return tickets.Invalidf(k, "unknown parameter (q, limit and after are)")
		}
	}
	limit := 0
	if l := v.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n <= 0 {
			return tickets.Invalidf("limit", "%q is not a page size (1 to %d)", l, tickets.MaxPageSize)
		}
		limit = n
	}
	res, err := s.svc.Records.Search(r.Context(), v.Get("q"), agent, limit, v.Get("after"))
	if err != nil {
		return err
	}
	if res.Next != "" {
		next := url.Values{"after": {res.Next}}
		if q := v.Get("q"); q != "" {
			next.Set("q", q)
		}
		if limit > 0 {
			next.Set("limit", strconv.Itoa(limit))
		}
		w.Header().Set("Link", fmt.Sprintf(`</api/tickets?%s>; rel="next"`, next.Encode()))
		w.Header().Set("X-Next-Cursor", res.Next)
	}
	s.writeTickets(w, res.Tickets)
	return nil
}

// show answers GET /api/tickets/{ref}: `tickets show --json`, its version
// also as the ETag an action's If-Match may give back.
func (s *Server) show(w http.ResponseWriter, r *http.Request, _ string) error {
	d, err := s.svc.Records.Detail(r.Context(), r.PathValue("ref"))
	if err != nil {
		return err
	}
	setETag(w, d.Version)
	s.writeTickets(w, d)
	return nil
}

// promotion answers GET /api/promotions/{order}: `promotions show --json`.
func (s *Server) promotion(w http.ResponseWriter, r *http.Request, _ string) error {
	d, err := s.svc.Records.PromotionDetail(r.Context(), r.PathValue("order"))
	if err != nil {
		return err
	}
	s.writeTickets(w, d)
	return nil
}

// outbox answers GET /api/outbox?status=S&channel=C&limit=N with the JSON
// array of `outbox list --json`, newest first.
func (s *Server) outbox(w http.ResponseWriter, r *http.Request, _ string) error {
	v := r.URL.Query()
	f := tickets.OutboxFilter{Status: v.Get("status"), Channel: tickets.Channel(v.Get("channel"))}
	for k := range v {
		switch k {
		case "status", "channel", "limit":
		default:
			return tickets.Invalidf(k, "unknown parameter (status, channel and limit are)")
		}
	}
	if f.Channel != "" && !slices.Contains(s.channels, f.Channel) {
		names := make([]string, len(s.channels))
		for i, ch := range s.channels {
			names[i] = string(ch)
		}
		return tickets.Invalidf("channel", "%q is not an outbox channel (%s)", f.Channel, strings.Join(names, ", "))
	}
	if l := v.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n <= 0 || n > tickets.MaxPageSize {
			return tickets.Invalidf("limit", "%q is not a page size (1 to %d)", l, tickets.MaxPageSize)
		}
		f.Limit = n
	}
	items, err := s.svc.Delivery.Outbox(r.Context(), f)
	if err != nil {
		return err
	}
	if items == nil {
		items = []tickets.OutboxItem{}
	}
	s.writeTickets(w, items)
	return nil
}

// retryOutbox answers POST /api/outbox/retry, body {"ids": [12, 15]} or
// {"failed": true} (with "channel": "email" or "discord" to take one):
// the failed messages are put back in the queue under the agent, and the
// answer is {"requeued": [...], "skipped": [...]} (`outbox retry --json`):
// those put back, and those "failed" left alone, each with its "why". An
// unknown id (404), a message that has not failed or already went another
// way (409), or an agents' item (400) changes nothing.
func (s *Server) retryOutbox(w http.ResponseWriter, r *http.Request, agent string) error {
	var b tickets.OutboxRetry
	if err := decode(r, &b); err != nil {
		return err
	}
	res, err := s.svc.Delivery.RetryOutbox(r.Context(), agent, b)
	if err != nil {
		return err
	}
	res = retriedJSON(res)
	s.writeTickets(w, &res)
	return nil
}

// retriedJSON gives empty lists rather than null.
func retriedJSON(res tickets.OutboxRetried) tickets.OutboxRetried {
	if res.Requeued == nil {
		res.Requeued = []tickets.OutboxItem{}
	}
	if res.Skipped == nil {
		res.Skipped = []tickets.OutboxSkipped{}
	}
	return res
}

// ActionBody is the body of POST /api/tickets/{ref}/{action}; which fields
// an action takes is as on the command line.
type ActionBody struct {
	// Text: the note, reply or question; a comment for approve, forward,
	// resolve, close, reopen.
	Text string `json:"text,omitempty"`
	// Reason for deny (Text is taken too).
	Reason string `json:"reason,omitempty"`
	// Amount to approve (default: the computed refund): in the order's
	// currency with its decimals, as a string or a JSON number (major units).
	Amount *Amount `json:"amount,omitempty"`
	// Assignee for assign: an agent's name, or "none".
	Assignee string `json:"assignee,omitempty"`
	// Edit: the fields to correct.
	Account  *string `json:"account,omitempty"`
	Order    *string `json:"order,omitempty"`
	Language *string `json:"language,omitempty"`
	// ReasonCategory for edit: the request's reason (under_delivery, …).
	ReasonCategory *string `json:"reason_category,omitempty"`
	// ExpectedVersion, when given, is the ticket's version as the caller
	// saw it (its "version", or the ETag of GET /api/tickets/{ref}): the
	// action is refused with 409 (ticket.changed) if the ticket changed
	// since. An If-Match header says the same, answered 412.
	ExpectedVersion int64 `json:"expected_version,omitempty"`
}

// act answers POST /api/tickets/{ref}/{action} with the ticket after the
// action (`tickets ACTION --json`). "edit" corrects fields.
func (s *Server) act(w http.ResponseWriter, r *http.Request, agent string) error {
	var b ActionBody
	if err := decode(r, &b); err != nil {
		return err
	}
	ref, name := r.PathValue("ref"), r.PathValue("action")
	version, byHeader, err := expectedVersion(r, b.ExpectedVersion)
	if err != nil {
		return err
	}
	if name == "edit" {
		t, err := s.svc.Desk.Edit(r.Context(), ref, agent, tickets.Fields{Account: b.Account, Order: b.Order,
			Reason: b.ReasonCategory, Language: b.Language, ExpectVersion: version})
		return s.acted(w, t, err, byHeader)
	}
	a, err := tickets.ParseAction(name)
	if err != nil {
		return err
	}
	req := tickets.ActionRequest{Ref: ref, Actor: agent, Action: a, Text: b.Text, Assignee: b.Assignee, ExpectVersion: version}
	if a == tickets.ActionDeny && b.Reason != "" {
		req.Text = b.Reason
	}
	if b.Amount != nil && a != tickets.ActionApprove {
		return tickets.Invalidf("amount", "only approve takes an amount")
	}
	if b.Amount != nil {
		n, err := b.Amount.minor(r.Context(), s.svc, ref)
		if err != nil {
			return err
		}
		req.Amount = &n
	}
	if b.Assignee != "" && a != tickets.ActionAssign {
		return tickets.Invalidf("assignee", "only assign takes an assignee")
	}
	t, err := s.svc.Desk.Act(r.Context(), req)
	return s.acted(w, t, err, byHeader)
}

// acted answers an action: the ticket after it, with its new version as
// the ETag; a ticket changed since the If-Match's version is 412.
func (s *Server) acted(w http.ResponseWriter, t *tickets.Ticket, err error, byHeader bool) error {
	var ce *tickets.ConflictError
	if byHeader && errors.As(err, &ce) && ce.Code == "ticket.changed" {
		return preconditionFailed{err}
	}
	if err != nil {
		return err
	}
	setETag(w, t.Version)
	s.writeTickets(w, t)
	return nil
}

// preconditionFailed is a ticket.changed conflict found through If-Match:
// answered 412 (RFC 9110) with the conflict's body.
type preconditionFailed struct{ error }

func (p preconditionFailed) Unwrap() error { return p.error }

// setETag gives a ticket's version as a strong entity tag: "7".
func setETag(w http.ResponseWriter, version int64) {
	w.Header().Set("ETag", strconv.Quote(strconv.FormatInt(version, 10)))
}

// expectedVersion is the version an action names: from If-Match (one
// entity tag as ETag gives it, "7"; * names none) or the body's
// expected_version; both, they must agree. byHeader: If-Match named it.
func expectedVersion(r *http.Request, body int64) (version int64, byHeader bool, err error) {
	if body < 0 {
		return 0, false, tickets.Invalidf("expected_version", "%d is not a ticket's version (a whole number from 1)", body)
	}
	h := strings.TrimSpace(r.Header.Get("If-Match"))
	if h == "" || h == "*" {
		return body, false, nil
	}
	unq, err := strconv.Unquote(h)
	n, perr := strconv.ParseInt(unq, 10, 64)
	if err != nil || perr != nil || n < 1 || !strings.HasPrefix(h, `"`) {
		return 0, false, tickets.Invalidf("If-Match", "%s is not a ticket's version as GET gives it in its ETag (\"7\")", h)
	}
	if body != 0 && body != n {
		return 0, false, tickets.Invalidf("If-Match", "If-Match %s and expected_version %d differ", h, body)
	}
	return n, true, nil
}

// decode reads a JSON body (an empty one is {}); unknown fields are refused.
func decode(r *http.Request, v any) error {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	var tooBig *http.MaxBytesError
	var field *tickets.ValidationError
	switch {
	case errors.Is(err, io.EOF):
		return nil
	case errors.As(err, &tooBig), errors.As(err, &field):
		return err
	case err != nil:
		return tickets.Invalidf("body", "not the JSON this endpoint takes: %s", strings.TrimPrefix(err.Error(), "json: "))
	}
	if dec.More() {
		return tickets.Invalidf("body", "more than one JSON value")
	}
	return nil
}
