package tickets

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"text/template"

	"github.com/BurntSushi/toml"
)

// The English the domain's codes stand for, read from the English catalog
// (templates/locales/en.toml), so that the tests of tickets/ still assert
// the words an agent reads: package templates writes them for the edges,
// but it imports tickets, so a test here cannot call it. Only what these
// tests need is written: a message's text and values, as the catalog's
// templates do (printf "%q" included).

var englishMessages = sync.OnceValues(func() (map[string]string, error) {
	b, err := os.ReadFile("../templates/locales/en.toml")
	if err != nil {
		return nil, err
	}
	var raw map[string]any
	if err := toml.Unmarshal(b, &raw); err != nil {
		return nil, err
	}
	out := map[string]string{}
	for id, v := range raw {
		if s, ok := v.(string); ok {
			out[id] = s
		}
	}
	return out, nil
})

// englishText writes message id with params as the English catalog does.
func englishText(t testing.TB, id string, p Params) string {
	t.Helper()
	msgs, err := englishMessages()
	if err != nil {
		t.Fatal(err)
	}
	text, ok := msgs[id]
	if !ok {
		t.Fatalf("no message %s in the English catalog", id)
	}
	tpl, err := template.New(id).Option("missingkey=error").Parse(text)
	if err != nil {
		t.Fatalf("%s: %v", id, err)
	}
	var b strings.Builder
	if err := tpl.Execute(&b, map[string]any(p)); err != nil {
		t.Fatalf("%s: %v", id, err)
	}
	return b.String()
}

// englishProblem is error.<code> in English.
func englishProblem(t testing.TB, code string, p Params) string {
	t.Helper()
	return englishText(t, "error."+code, p)
}

// englishValidation is a validation error as the edges write it in
// English: "field: why", or the why alone.
func englishValidation(t testing.TB, err error) string {
	t.Helper()
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("%v (%T) is not a *ValidationError", err, err)
	}
	why := ve.Message
	if ve.Code != "" {
		why = englishProblem(t, ve.Code, ve.Params)
	}
	if ve.Field == "" {
		return why
	}
	return ve.Field + ": " + why
}

// englishRow is a bad row's reason in English: "column: why; …".
func englishRow(t testing.TB, le LineError) string {
	t.Helper()
	parts := make([]string, len(le.Problems))
	for i, p := range le.Problems {
		parts[i] = englishProblem(t, p.Code, p.Params)
		if p.Column != "" {
			parts[i] = p.Column + ": " + parts[i]
		}
	}
	return strings.Join(parts, "; ")
}

// worded is bad rows as an agent reads them: File, Line and Reason in
// English (the problems themselves left out, for comparing with a want).
func worded(t testing.TB, les []LineError) []LineError {
	t.Helper()
	out := make([]LineError, len(les))
	for i, le := range les {
		out[i] = LineError{File: le.File, Line: le.Line, Reason: englishRow(t, le)}
	}
	return out
}

// englishImport is an import refused for its bad rows, in English.
func englishImport(t testing.TB, ie *ImportErrors) string {
	t.Helper()
	var b strings.Builder
	b.WriteString(englishText(t, "import.refused", Params{"Count": ie.Total}))
	for _, le := range ie.Errors {
		fmt.Fprintf(&b, "\n  %s:%d: %s", le.File, le.Line, englishRow(t, le))
	}
	if more := ie.Total - len(ie.Errors); more > 0 {
		b.WriteString("\n  " + englishText(t, "import.more", Params{"Count": more}))
	}
	return b.String()
}
