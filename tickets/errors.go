package tickets

import (
	"errors"
	"fmt"
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

// ValidationError says which field of the input is wrong and why.
type ValidationError struct {
	Field   string // the field as the user named it: "order", "amount", "line 12"
	Message string
}

func (e *ValidationError) Error() string {
	if e.Field == "" {
		return e.Message
	}
	return e.Field + ": " + e.Message
}

// Invalid returns a *ValidationError for field.
func Invalid(field, format string, args ...any) error {
	return &ValidationError{Field: field, Message: fmt.Sprintf(format, args...)}
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
func (es *ValidationErrors) add(field, format string, args ...any) {
	*es = append(*es, &ValidationError{Field: field, Message: fmt.Sprintf(format, args...)})
}

// collect appends the problem err reports (a *ValidationError, as the
// parsers return) to the list; nil adds nothing.
func (es *ValidationErrors) collect(err error) {
	if err == nil {
		return
	}
	var ve *ValidationError
	if !errors.As(err, &ve) {
		ve = &ValidationError{Message: err.Error()}
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

// conflictf returns an error wrapping ErrConflict with an explanation.
func conflictf(format string, args ...any) error {
	return fmt.Errorf("%s: %w", fmt.Sprintf(format, args...), ErrConflict)
}

// notFoundf returns an error wrapping ErrNotFound with an explanation.
func notFoundf(format string, args ...any) error {
	return fmt.Errorf("%s: %w", fmt.Sprintf(format, args...), ErrNotFound)
}

// IsValidation reports whether err is (or wraps) a validation problem.
func IsValidation(err error) bool {
	var v *ValidationError
	return errors.As(err, &v)
}
