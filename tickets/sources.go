package tickets

import (
	"maps"
	"slices"
)

// Source says where a field of a request came from, so that the verdict and
// the agent can tell what the requester wrote from what the desk worked out.
type Source string

const (
	SourceText      Source = "text"      // the requester's own words (or a form's field)
	SourceSignature Source = "signature" // their signature or sign-off
	SourceForwarded Source = "forwarded" // a message they forwarded (a platform's notification)
	SourceRecord    Source = "record"    // the order's record: the requester did not give it
	SourceAgent     Source = "agent"     // an agent corrected it
)

// SourceList lists every source, in display order.
var SourceList = []Source{SourceText, SourceSignature, SourceForwarded, SourceRecord, SourceAgent}

// channelSources are the sources a channel may name in a request: where in
// what the requester sent it found a field, or the order's record (a
// channel that looked the order up; the desk checks such an account against
// the record itself). An agent's correction is the desk's own.
var channelSources = []Source{SourceText, SourceSignature, SourceForwarded, SourceRecord}

// The fields a source is kept for.
const (
	FieldSourceAccount = "account"
	FieldSourceOrder   = "order"
	FieldSourceReason  = "reason"
	FieldSourceKind    = "kind"
)

// SourceFields lists the fields a source is kept for, in display order.
var SourceFields = []string{FieldSourceKind, FieldSourceAccount, FieldSourceOrder, FieldSourceReason}

// Sources maps a request's field (account, order, reason, kind) to where it
// came from; a field not in it came from the requester's own words.
//
// On a ticket it holds an entry for each of those fields that has a value
// (a ticket filed before sources were kept has none: its fields are the
// requester's words).
type Sources map[string]Source

// Of says where field came from: its entry, or text when it has none.
func (s Sources) Of(field string) Source {
	if v, ok := s[field]; ok && v != "" {
		return v
	}
	return SourceText
}

// clone returns a copy that may be changed; never nil.
func (s Sources) clone() Sources {
	out := Sources{}
	maps.Copy(out, s)
	return out
}

// set records where field came from: src when the field has a value (text
// when src is empty), nothing when it has none. A ticket's sources are set
// only through it, so that they name exactly its fields that have values.
func (t *Ticket) setSource(field, value string, src Source) {
	if t.Sources == nil {
		t.Sources = Sources{}
	}
	if value == "" {
		delete(t.Sources, field)
		return
	}
	if src == "" {
		src = SourceText
	}
	t.Sources[field] = src
}

// checkSources validates the sources a channel gives: known fields, and
// channelSources.
func checkSources(s Sources) ValidationErrors {
	var errs ValidationErrors
	for _, f := range SourceFields {
		if v, ok := s[f]; ok && !sourceIn(v, channelSources) {
			errs.add("sources", "sources.unknown", "Field", f, "Value", string(v), "Allowed", joinEnum(channelSources))
		}
	}
	for _, f := range slices.Sorted(maps.Keys(s)) {
		if !isSourceField(f) {
			errs.add("sources", "sources.unknown_field", "Field", f, "Allowed", joinEnum(SourceFields))
		}
	}
	return errs
}

func sourceIn(v Source, list []Source) bool { return slices.Contains(list, v) }

func isSourceField(f string) bool { return slices.Contains(SourceFields, f) }
