package tickets

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// Why an inbound item was set aside, or kept for agents as taken for
// automatic mail: the code an InboundFailure's Reason begins with, and the
// values each has (web.set_aside.<code> in the catalogs).
const (
	// SetAsideTooBig: more than the channel takes in. Size, Max (Bytes).
	SetAsideTooBig = "too_big"
	// SetAsideUnreadable: it cannot be read. Problem: the channel's code
	// for why (web.set_aside.unreadable.<Problem>), else Error: its
	// parser's words, as data.
	SetAsideUnreadable = "unreadable"
	// SetAsideNoSender: no sender address to answer.
	SetAsideNoSender = "no_sender"
	// SetAsideNotTaken: the request it makes was refused by the domain
	// (SetAsideReason.Problems, written as every validation error is).
	SetAsideNotTaken = "not_taken"
	// SetAsideAutomatic: taken for automatic mail, not answered, kept in
	// case a person wrote it. Why: the channel's code for the sign
	// (web.set_aside.automatic.<Why>), with that sign's values beside it.
	SetAsideAutomatic = "automatic"
	// SetAsideRateLimited: its sender went past their new tickets an hour.
	SetAsideRateLimited = "rate_limited"
)

// SetAsideCodes are every code a set-aside reason may begin with.
var SetAsideCodes = []string{SetAsideTooBig, SetAsideUnreadable, SetAsideNoSender, SetAsideNotTaken,
	SetAsideAutomatic, SetAsideRateLimited}

// SetAsideReason is why an inbound item was set aside, as a code and its
// values, with the English sentence recorded beside them. It is stored in
// InboundFailure.Reason as "code {params}: English" (Format), which reads
// back (ParseSetAsideReason); a reason recorded before codes is English
// alone and reads back with no Code.
type SetAsideReason struct {
	Code string `json:"code,omitempty"`
	// Params are the code's values: strings, whole numbers and Bytes.
	Params Params `json:"params,omitempty"`
	// Problems are the domain's refusals of a SetAsideNotTaken.
	Problems []*ValidationError `json:"problems,omitempty"`
	// Words is the English sentence as recorded: what a reason from before
	// codes, or with a code the reader does not know, is shown as.
	Words string `json:"-"`
}

// storedReason is the JSON between a reason's code and its words.
type storedReason struct {
	Params   map[string]json.RawMessage `json:"p,omitempty"`
	Problems []storedProblem            `json:"v,omitempty"`
}

type storedProblem struct {
	Field  string                     `json:"field,omitempty"`
	Code   string                     `json:"code"`
	Params map[string]json.RawMessage `json:"params,omitempty"`
}

// Format is the reason as stored: "code: English" without values, "code
// {…}: English" with them; the English alone without a code.
func (r SetAsideReason) Format() string {
	if r.Code == "" {
		return r.Words
	}
	s := storedReason{Params: encodeParams(r.Params)}
	for _, e := range r.Problems {
		if e.Code == "" {
			// Words from outside the domain: the English says it all.
			s.Problems = nil
			break
		}
		s.Problems = append(s.Problems, storedProblem{Field: e.Field, Code: e.Code, Params: encodeParams(e.Params)})
	}
	if s.Params == nil && s.Problems == nil {
		return r.Code + ": " + r.Words
	}
	b, err := json.Marshal(s)
	if err != nil { // only strings, numbers and objects of them: cannot fail
		return r.Code + ": " + r.Words
	}
	return r.Code + " " + string(b) + ": " + r.Words
}

// ParseSetAsideReason reads a stored reason back (see Format). A reason
// that does not begin with one of SetAsideCodes, or whose values do not
// read, is words alone: Code is empty and Words the whole of it.
func ParseSetAsideReason(stored string) SetAsideReason {
	plain := SetAsideReason{Words: stored}
	i := strings.IndexAny(stored, " :")
	if i <= 0 || !slices.Contains(SetAsideCodes, stored[:i]) {
		return plain
	}
	r := SetAsideReason{Code: stored[:i]}
	rest := stored[i:]
	if strings.HasPrefix(rest, " {") {
		dec := json.NewDecoder(strings.NewReader(rest[1:]))
		dec.UseNumber()
		var s storedReason
		if err := dec.Decode(&s); err != nil {
			return plain
		}
		rest = rest[1+int(dec.InputOffset()):]
		var ok bool
		if r.Params, ok = decodeParams(s.Params); !ok {
			return plain
		}
		for _, p := range s.Problems {
			params, ok := decodeParams(p.Params)
			if !ok || p.Code == "" {
				return plain
			}
			r.Problems = append(r.Problems, &ValidationError{Field: p.Field, Code: p.Code, Params: params})
		}
	}
	words, ok := strings.CutPrefix(rest, ": ")
	if !ok {
		return plain
	}
	r.Words = words
	return r
}

// String is the reason's English.
func (r SetAsideReason) String() string { return r.Words }

// encodeParams writes params as JSON values: a string, a whole number, or
// {"bytes": n} for a size; anything else as its words.
func encodeParams(p Params) map[string]json.RawMessage {
	if len(p) == 0 {
		return nil
	}
	out := make(map[string]json.RawMessage, len(p))
	for k, v := range p {
		var x any
		switch v := v.(type) {
		case string:
			x = v
		case int:
			x = v
		case int64:
			x = v
		case Bytes:
			x = map[string]int64{"bytes": int64(v)}
		default:
			x = fmt.Sprint(v)
		}
		b, _ := json.Marshal(x)
		out[k] = b
	}
	return out
}

// decodeParams reads what encodeParams wrote; false when it cannot.
func decodeParams(m map[string]json.RawMessage) (Params, bool) {
	if len(m) == 0 {
		return nil, true
	}
	p := make(Params, len(m))
	for k, raw := range m {
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		var x any
		if err := dec.Decode(&x); err != nil {
			return nil, false
		}
		switch x := x.(type) {
		case string:
			p[k] = x
		case json.Number:
			n, err := x.Int64()
			if err != nil {
				return nil, false
			}
			p[k] = n
		case map[string]any:
			n, ok := x["bytes"].(json.Number)
			if !ok || len(x) != 1 {
				return nil, false
			}
			b, err := n.Int64()
			if err != nil {
				return nil, false
			}
			p[k] = Bytes(b)
		default:
			return nil, false
		}
	}
	return p, true
}

// Why reads the failure's reason back as a code and its values (see
// ParseSetAsideReason).
func (f InboundFailure) Why() SetAsideReason { return ParseSetAsideReason(f.Reason) }
