package tickets

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// The error kinds of the domain. Channels turn them into words (an ephemeral
// Discord reply, a CLI message and exit code, an HTTP status) at the edge;
// inside, they are wrapped with %w and tested with errors.Is / errors.As.
var (
	// ErrNotFound: the ticket, promotion or record asked for does not exist
	// (or is not visible to the caller).
	ErrNotFound = errors.New("not found")
	// ErrConflict: the request is well formed but cannot be done in the
	// current state (an action the state machine refuses, a ticket claimed by
	// someone else, a concurrent change).
	ErrConflict = errors.New("conflict")
	// ErrForbidden: the caller may not do this (not an agent, not the
	// requester of the ticket).
	ErrForbidden = errors.New("forbidden")
	// ErrConcurrent: another writer changed the same thing at the same time
	// (a uniqueness race). The store returns it; the service runs the
	// transaction again.
	ErrConcurrent = errors.New("concurrent change")
)

// Params are the values a problem's code names, by the name its message
// uses ("Value", "Max", "Ref"): strings, whole numbers (int, int64), Bytes
// for sizes, or Money. The catalog writes them in a language at the edge.
type Params map[string]any

// Bytes is a size in bytes, written for people by the catalog (12 KiB, 5 MiB).
type Bytes int64

// String writes p as "k=v" pairs, keys sorted, for logs.
func (p Params) String() string {
	keys := make([]string, 0, len(p))
	for k := range p {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		v := p[k]
		if s, ok := v.(string); ok {
			parts[i] = fmt.Sprintf("%s=%q", k, s)
			continue
		}
		parts[i] = fmt.Sprintf("%s=%v", k, v)
	}
	return strings.Join(parts, " ")
}

// describeCode is "code (k=v …)", or the code alone without params; the
// code "invalid" is the words of the error it carries.
func describeCode(code string, p Params) string {
	if s, ok := p["Error"].(string); ok && code == "invalid" && len(p) == 1 {
		return s // an error from outside the domain, in its own words
	}
	if len(p) == 0 {
		return code
	}
	return code + " (" + p.String() + ")"
}

// ValidationError says which field of the input is wrong and why: Code is
// the why (error.<Code> in the message catalog), Params its values.
type ValidationError struct {
	Field  string // the field as the user named it: "order", "amount", "line 12"
	Code   string // "order.not_digits", "evidence.too_large"
	Params Params
	// Message is words from outside the domain (a configuration parser's
	// own error), shown as they are; empty for the domain's problems.
	Message string
}

// Error is "field: code (k=v …)": something useful in a log without the
// catalog; the edges write it in words (templates.Catalog.Error).
func (e *ValidationError) Error() string {
	why := e.Message
	if e.Code != "" {
		why = describeCode(e.Code, e.Params)
	}
	if e.Field == "" {
		return why
	}
	return e.Field + ": " + why
}

// Invalid returns a *ValidationError for field: code names the problem
// (one of ErrorCodes), kv are its params as name, value pairs.
func Invalid(field, code string, kv ...any) error {
	return &ValidationError{Field: field, Code: code, Params: params(kv)}
}

// Invalidf returns a *ValidationError for field with a sentence instead of
// a code: for an edge's own checks of what it was given (a page size, a
// request body, a file on disk), which it writes in its own words.
func Invalidf(field, format string, args ...any) error {
	return &ValidationError{Field: field, Message: fmt.Sprintf(format, args...)}
}

// refield is err's problem for another field: the agent named by assign is
// checked as the acting agent is, and reported as the assignee.
func refield(field string, err error) error {
	var ve *ValidationError
	if errors.As(err, &ve) {
		return &ValidationError{Field: field, Code: ve.Code, Params: ve.Params, Message: ve.Message}
	}
	return Invalid(field, "invalid", "Error", err.Error())
}

// params builds Params from name, value pairs; nil when there are none.
func params(kv []any) Params {
	if len(kv) == 0 {
		return nil
	}
	p := make(Params, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		p[fmt.Sprint(kv[i])] = kv[i+1]
	}
	return p
}

// ValidationErrors collects several problems with one input, for example a
// request with a bad order number and an oversized attachment.
type ValidationErrors []*ValidationError

func (es ValidationErrors) Error() string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = e.Error()
	}
	return strings.Join(parts, "; ")
}

// Unwrap lets errors.As find the first *ValidationError.
func (es ValidationErrors) Unwrap() []error {
	out := make([]error, len(es))
	for i, e := range es {
		out[i] = e
	}
	return out
}

// add appends a problem to the list.
func (es *ValidationErrors) add(field, code string, kv ...any) {
	*es = append(*es, &ValidationError{Field: field, Code: code, Params: params(kv)})
}

// collect appends the problem err reports (a *ValidationError, as the
// parsers return) to the list; nil adds nothing.
func (es *ValidationErrors) collect(err error) {
	if err == nil {
		return
	}
	var ve *ValidationError
	if !errors.As(err, &ve) {
		ve = &ValidationError{Code: "invalid", Params: Params{"Error": err.Error()}}
	}
	*es = append(*es, ve)
}

// err returns nil when there are no problems.
func (es ValidationErrors) err() error {
	if len(es) == 0 {
		return nil
	}
	return es
}

// ConflictError is a request that cannot be done in the ticket's current
// state, with its reason as a code (error.<Code> in the catalog) and params;
// it is an ErrConflict (errors.Is).
type ConflictError struct {
	Code   string
	Params Params
}

// Error is "code (k=v …): conflict", for logs; the edges write it in words.
func (e *ConflictError) Error() string {
	return describeCode(e.Code, e.Params) + ": " + ErrConflict.Error()
}

// Unwrap makes a *ConflictError an ErrConflict.
func (e *ConflictError) Unwrap() error { return ErrConflict }

// conflict returns a *ConflictError: code and its params as name, value pairs.
func conflict(code string, kv ...any) *ConflictError {
	return &ConflictError{Code: code, Params: params(kv)}
}

// NotFoundError is a thing asked for that does not exist (or that the
// caller may not see), with what was asked for as a code (error.<Code> in
// the catalog: "ticket.not_found") and params (its Ref, Name, ID); it is an
// ErrNotFound (errors.Is).
type NotFoundError struct {
	Code   string
	Params Params
}

// Error is "code (k=v …): not found", for logs; the edges write it in words.
func (e *NotFoundError) Error() string {
	return describeCode(e.Code, e.Params) + ": " + ErrNotFound.Error()
}

// Unwrap makes a *NotFoundError an ErrNotFound.
func (e *NotFoundError) Unwrap() error { return ErrNotFound }

// NotFound returns a *NotFoundError: code names what was not found (one of
// ErrorCodes), kv are its params as name, value pairs.
func NotFound(code string, kv ...any) error {
	return &NotFoundError{Code: code, Params: params(kv)}
}

// IsValidation reports whether err is (or wraps) a validation problem.
func IsValidation(err error) bool {
	var v *ValidationError
	return errors.As(err, &v)
}

// ErrorCodes are the codes of the domain's problems (*ValidationError and
// *ConflictError): every language's catalog has error.<code> for each, and
// a test checks that every code the domain gives is listed here.
var ErrorCodes = []string{
	"account.invalid", "account.open_revocation", "account.too_long",
	"action.needs_text", "action.not_allowed", "action.unknown",
	"agent.missing_as", "agent.unknown_actor",
	"amount.every_currency_whole", "amount.missing", "amount.negative", "amount.no_computed", "amount.not_amount",
	"amount.not_positive", "amount.only_approve",
	"amount.over_remaining", "amount.too_large", "amount.too_many_decimals",
	"assignee.missing",
	"channel.not_retryable", "channel.only_with_all", "channel.unknown",
	"concurrent.gave_up",
	"currency.invalid",
	"date.invalid",
	"discord_id.invalid", "discord_id.missing",
	"duration.negative", "duration.not_positive", "duration.too_long", "duration.unreadable",
	"email.invalid", "email.missing",
	"erase.both_targets", "erase.no_target", "erase.unpaid",
	"evidence.empty", "evidence.none", "evidence.not_found", "evidence.ticket_full", "evidence.too_large",
	"evidence.too_many", "evidence.type",
	"fields.nothing",
	"flags.unknown",
	"format.unknown", "format.unknown_extension",
	"header.duplicate", "header.empty", "header.missing", "header.unreadable",
	"ids.agents_item", "ids.both", "ids.none", "ids.not_id", "ids.too_many",
	"invalid",
	"key.too_long",
	"kind.missing", "kind.unknown",
	"language.unknown",
	"limit.out_of_range", "limit.too_big",
	"number.negative",
	"order.missing", "order.no_record", "order.not_digits", "order.not_found", "order.open_ticket",
	"order.open_work_there", "order.too_long",
	"outbox.no_ticket", "outbox.not_failed", "outbox.not_found", "outbox.rerouted",
	"percent.out_of_range",
	"period.reversed", "period.too_long",
	"policy.unknown_key",
	"query.bad_cursor", "query.colon_first", "query.control", "query.duration_negative", "query.duration_too_long",
	"query.empty_value", "query.field_misspelt", "query.me_unknown", "query.needs_value", "query.no_letters",
	"query.no_such_field", "query.not_account", "query.not_date", "query.not_duration", "query.not_one_of",
	"query.not_order", "query.not_ref", "query.not_utf8", "query.nothing_to_search", "query.nul", "query.overdue_value",
	"query.quote_open", "query.quotes_empty", "query.range_no_end", "query.sort_negated", "query.sort_twice",
	"query.sort_unknown", "query.too_long", "query.too_many_terms", "query.too_many_values", "query.unknown_field",
	"question.missing",
	"reason.deny_missing", "reason.unknown",
	"ref.invalid",
	"refund.waiting_platform",
	"requester.no_identity", "requester.no_identity_store", "requester.not_found",
	"retention.busy",
	"revocation.already_forwarded",
	"row.control", "row.empty", "row.end_before_start", "row.field_count", "row.json_missing", "row.json_type",
	"row.json_values", "row.negative", "row.not_account", "row.not_bool", "row.not_currency", "row.not_json",
	"row.not_one_of", "row.not_order", "row.not_scope", "row.not_time", "row.not_utf8", "row.not_video_id",
	"row.not_whole", "row.nul", "row.repeats", "row.time_range", "row.too_long", "row.unreadable", "row.video_id_long",
	"sources.unknown", "sources.unknown_field",
	"status.not_followup", "status.not_outbox", "status.unknown",
	"text.empty_reply", "text.not_utf8", "text.too_long",
	"ticket.assigned", "ticket.changed", "ticket.closed_change", "ticket.closed_evidence", "ticket.newer_open", "ticket.no_address",
	"ticket.not_found",
	"verdict.unknown",
	"version.invalid",
	"zone.unknown",
}
