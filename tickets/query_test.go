package tickets

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// queryNow is the fixed "now" of every query test.
var queryNow = time.Date(2026, 11, 21, 8, 0, 0, 0, time.UTC)

// qt is a term as the tests write it: times as RFC 3339 strings, "" = unbounded.
type qt struct {
	pos    int
	raw    string
	field  string
	neg    bool
	values []string
	from   string
	to     string
	older  time.Duration
}

func fmtTimePtr(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

func toQT(t Term) qt {
	return qt{pos: t.Pos, raw: t.Raw, field: t.Field, neg: t.Negate, values: t.Values,
		from: fmtTimePtr(t.From), to: fmtTimePtr(t.To), older: t.Older}
}

func (w qt) equal(g qt) bool {
	return w.pos == g.pos && w.raw == g.raw && w.field == g.field && w.neg == g.neg &&
		slices.Equal(w.values, g.values) && w.from == g.from && w.to == g.to && w.older == g.older
}

func (w qt) String() string {
	return fmt.Sprintf("{pos:%d raw:%q field:%s neg:%v values:%q from:%q to:%q older:%v}",
		w.pos, w.raw, w.field, w.neg, w.values, w.from, w.to, w.older)
}

// term is a one-term query at position 0.
func qTerm(raw, field string, values ...string) []qt {
	return []qt{{pos: 0, raw: raw, field: field, values: values}}
}

func timeTerm(raw, field, from, to string) []qt {
	return []qt{{pos: 0, raw: raw, field: field, from: from, to: to}}
}

var openValues = []string{"new", "needs_info", "in_review", "waiting_platform", "approved", "denied"}

func TestQueryParse(t *testing.T) {
	defaultSort := SortKey{Field: "created", Desc: true}
	cases := []struct {
		q     string
		agent string
		terms []qt
		sort  *SortKey // nil: the default
	}{
		{q: ""},
		{q: "   \t  "},
		// status
		{q: "status:in_review", terms: qTerm("status:in_review", "status", "in_review")},
		{q: "status:new,in_review", terms: qTerm("status:new,in_review", "status", "new", "in_review")},
		{q: "Status:NEW", terms: qTerm("Status:NEW", "status", "new")},
		{q: "status:open", terms: qTerm("status:open", "status", openValues...)},
		{q: "status:OPEN,closed", terms: qTerm("status:OPEN,closed", "status", append(slices.Clone(openValues), "closed")...)},
		{q: "status:resolved,closed", terms: qTerm("status:resolved,closed", "status", "resolved", "closed")},
		{q: "-status:closed", terms: []qt{{pos: 0, raw: "-status:closed", field: "status", neg: true, values: []string{"closed"}}}},
		// kind, reason, verdict, channel, flag, language
		{q: "kind:refund", terms: qTerm("kind:refund", "kind", "refund")},
		{q: "kind:refund,revocation", terms: qTerm("kind:refund,revocation", "kind", "refund", "revocation")},
		{q: "reason:under_delivery,duplicate_charge", terms: qTerm("reason:under_delivery,duplicate_charge", "reason", "under_delivery", "duplicate_charge")},
		{q: "reason:other", terms: qTerm("reason:other", "reason", "other")},
		{q: "verdict:needs_review", terms: qTerm("verdict:needs_review", "verdict", "needs_review")},
		{q: "verdict:Eligible,ineligible,needs_info", terms: qTerm("verdict:Eligible,ineligible,needs_info", "verdict", "eligible", "ineligible", "needs_info")},
		{q: "channel:email,discord,agent", terms: qTerm("channel:email,discord,agent", "channel", "email", "discord", "agent")},
		{q: "flag:account_mismatch,unverified_sender", terms: qTerm("flag:account_mismatch,unverified_sender", "flag", "account_mismatch", "unverified_sender")},
		{q: "flag:undeliverable,dm_closed,reopened", terms: qTerm("flag:undeliverable,dm_closed,reopened", "flag", "undeliverable", "dm_closed", "reopened")},
		{q: "language:id", terms: qTerm("language:id", "language", "id")},
		{q: "language:EN,id", terms: qTerm("language:EN,id", "language", "en", "id")},
		// account: compared as keys
		{q: "account:@Ayu.Creator", terms: qTerm("account:@Ayu.Creator", "account", "ayu.creator")},
		{q: "account:ayu,@Budi_99", terms: qTerm("account:ayu,@Budi_99", "account", "ayu", "budi_99")},
		{q: `account:"@ayu"`, terms: qTerm(`account:"@ayu"`, "account", "ayu")},
		// order: digits, a prefix with * or …
		{q: "order:7301234567890123456", terms: qTerm("order:7301234567890123456", "order", "7301234567890123456")},
		{q: "order:7301-2345", terms: qTerm("order:7301-2345", "order", "73012345")},
		{q: "order:7301*", terms: qTerm("order:7301*", "order", "7301*")},
		{q: "order:7301…", terms: qTerm("order:7301…", "order", "7301*")},
		{q: "order:1,22*", terms: qTerm("order:1,22*", "order", "1", "22*")},
		// ref
		{q: "ref:RD-12", terms: qTerm("ref:RD-12", "ref", "12")},
		{q: "ref:rd-12,#13,14", terms: qTerm("ref:rd-12,#13,14", "ref", "12", "13", "14")},
		// assignee
		{q: "assignee:me", agent: "ayu", terms: qTerm("assignee:me", "assignee", "ayu")},
		{q: "assignee:ME", agent: "ayu", terms: qTerm("assignee:ME", "assignee", "ayu")},
		{q: "assignee:none", terms: qTerm("assignee:none", "assignee", "")},
		{q: "assignee:Budi", terms: qTerm("assignee:Budi", "assignee", "Budi")},
		{q: "assignee:me,none,budi", agent: "ayu", terms: qTerm("assignee:me,none,budi", "assignee", "ayu", "", "budi")},
		{q: "-assignee:none", terms: []qt{{pos: 0, raw: "-assignee:none", field: "assignee", neg: true, values: []string{""}}}},
		// older
		{q: "older:2d", terms: []qt{{pos: 0, raw: "older:2d", field: "older", older: 48 * time.Hour, to: "2026-11-19T08:00:00Z"}}},
		{q: "older:36h", terms: []qt{{pos: 0, raw: "older:36h", field: "older", older: 36 * time.Hour, to: "2026-11-19T20:00:00Z"}}},
		{q: "older:1w", terms: []qt{{pos: 0, raw: "older:1w", field: "older", older: 7 * 24 * time.Hour, to: "2026-11-14T08:00:00Z"}}},
		{q: "older:30m", terms: []qt{{pos: 0, raw: "older:30m", field: "older", older: 30 * time.Minute, to: "2026-11-21T07:30:00Z"}}},
		// updated / created with a day
		{q: "updated:>2026-11-01", terms: timeTerm("updated:>2026-11-01", "updated", "2026-11-02T00:00:00Z", "")},
		{q: "updated:>=2026-11-01", terms: timeTerm("updated:>=2026-11-01", "updated", "2026-11-01T00:00:00Z", "")},
		{q: "updated:<2026-11-01", terms: timeTerm("updated:<2026-11-01", "updated", "", "2026-11-01T00:00:00Z")},
		{q: "updated:<=2026-11-01", terms: timeTerm("updated:<=2026-11-01", "updated", "", "2026-11-02T00:00:00Z")},
		{q: "created:2026-11-01", terms: timeTerm("created:2026-11-01", "created", "2026-11-01T00:00:00Z", "2026-11-02T00:00:00Z")},
		{q: "created:=2026-11-01", terms: timeTerm("created:=2026-11-01", "created", "2026-11-01T00:00:00Z", "2026-11-02T00:00:00Z")},
		{q: "created:2026-12-31", terms: timeTerm("created:2026-12-31", "created", "2026-12-31T00:00:00Z", "2027-01-01T00:00:00Z")},
		// ranges
		{q: "created:2026-11-01..2026-11-05", terms: timeTerm("created:2026-11-01..2026-11-05", "created", "2026-11-01T00:00:00Z", "2026-11-06T00:00:00Z")},
		{q: "created:2026-11-01..", terms: timeTerm("created:2026-11-01..", "created", "2026-11-01T00:00:00Z", "")},
		{q: "created:..2026-11-05", terms: timeTerm("created:..2026-11-05", "created", "", "2026-11-06T00:00:00Z")},
		{q: "updated:2026-11-01T08:00:00Z..2026-11-02T12:00:00Z", terms: timeTerm("updated:2026-11-01T08:00:00Z..2026-11-02T12:00:00Z", "updated", "2026-11-01T08:00:00Z", "2026-11-02T12:00:00.000000001Z")},
		// RFC 3339 times, converted to UTC
		{q: "created:>2026-11-01T08:00:00+07:00", terms: timeTerm("created:>2026-11-01T08:00:00+07:00", "created", "2026-11-01T01:00:00.000000001Z", "")},
		{q: "created:>=2026-11-01T08:00:00Z", terms: timeTerm("created:>=2026-11-01T08:00:00Z", "created", "2026-11-01T08:00:00Z", "")},
		{q: "created:<2026-11-01T08:30:00Z", terms: timeTerm("created:<2026-11-01T08:30:00Z", "created", "", "2026-11-01T08:30:00Z")},
		{q: "created:<=2026-11-01T08:30:00Z", terms: timeTerm("created:<=2026-11-01T08:30:00Z", "created", "", "2026-11-01T08:30:00.000000001Z")},
		{q: "created:2026-11-01T08:00:00Z", terms: timeTerm("created:2026-11-01T08:00:00Z", "created", "2026-11-01T08:00:00Z", "2026-11-01T08:00:00.000000001Z")},
		{q: "updated:>=2026-11-01T08:00:00.5-03:00", terms: timeTerm("updated:>=2026-11-01T08:00:00.5-03:00", "updated", "2026-11-01T11:00:00.5Z", "")},
		// free text
		{q: "jangkauan", terms: qTerm("jangkauan", "text", "jangkauan")},
		{q: `"refund please"`, terms: qTerm(`"refund please"`, "text", "refund please")},
		{q: `"  padded phrase  "`, terms: qTerm(`"  padded phrase  "`, "text", "padded phrase")},
		{q: `"say \"hi\""`, terms: qTerm(`"say \"hi\""`, "text", `say "hi"`)},
		{q: `"status:new"`, terms: qTerm(`"status:new"`, "text", "status:new")},
		{q: "refund please", terms: []qt{
			{pos: 0, raw: "refund", field: "text", values: []string{"refund"}},
			{pos: 7, raw: "please", field: "text", values: []string{"please"}},
		}},
		{q: `-"refund please"`, terms: []qt{{pos: 0, raw: `-"refund please"`, field: "text", neg: true, values: []string{"refund please"}}}},
		{q: "-jangkauan", terms: []qt{{pos: 0, raw: "-jangkauan", field: "text", neg: true, values: []string{"jangkauan"}}}},
		{q: "jangkauan-rendah", terms: qTerm("jangkauan-rendah", "text", "jangkauan-rendah")},
		// overdue
		{q: "overdue", terms: []qt{{pos: 0, raw: "overdue", field: "overdue"}}},
		{q: "OVERDUE", terms: []qt{{pos: 0, raw: "OVERDUE", field: "overdue"}}},
		{q: "-overdue", terms: []qt{{pos: 0, raw: "-overdue", field: "overdue", neg: true}}},
		{q: `"overdue"`, terms: qTerm(`"overdue"`, "text", "overdue")},
		// sort
		{q: "sort:created", sort: &SortKey{Field: "created"}},
		{q: "sort:+created", sort: &SortKey{Field: "created"}},
		{q: "sort:-created", sort: &SortKey{Field: "created", Desc: true}},
		{q: "sort:updated", sort: &SortKey{Field: "updated"}},
		{q: "sort:-updated", sort: &SortKey{Field: "updated", Desc: true}},
		{q: "SORT:updated", sort: &SortKey{Field: "updated"}},
		// several terms, with positions
		{
			q:     `status:open kind:refund -assignee:none "order stuck" overdue sort:-updated`,
			agent: "ayu",
			terms: []qt{
				{pos: 0, raw: "status:open", field: "status", values: openValues},
				{pos: 12, raw: "kind:refund", field: "kind", values: []string{"refund"}},
				{pos: 24, raw: "-assignee:none", field: "assignee", neg: true, values: []string{""}},
				{pos: 39, raw: `"order stuck"`, field: "text", values: []string{"order stuck"}},
				{pos: 53, raw: "overdue", field: "overdue"},
			},
			sort: &SortKey{Field: "updated", Desc: true},
		},
		{
			q: "  status:new\tolder:1d  ",
			terms: []qt{
				{pos: 2, raw: "status:new", field: "status", values: []string{"new"}},
				{pos: 13, raw: "older:1d", field: "older", older: 24 * time.Hour, to: "2026-11-20T08:00:00Z"},
			},
		},
		{
			q: "status:new status:in_review",
			terms: []qt{
				{pos: 0, raw: "status:new", field: "status", values: []string{"new"}},
				{pos: 11, raw: "status:in_review", field: "status", values: []string{"in_review"}},
			},
		},
	}
	for _, c := range cases {
		t.Run(c.q, func(t *testing.T) {
			got, err := ParseQuery(c.q, queryNow, c.agent)
			if err != nil {
				t.Fatalf("ParseQuery(%q): %v", c.q, err)
			}
			if got.Text != c.q {
				t.Errorf("Text = %q, want %q", got.Text, c.q)
			}
			wantSort := defaultSort
			if c.sort != nil {
				wantSort = *c.sort
			}
			if got.Sort != wantSort {
				t.Errorf("Sort = %+v, want %+v", got.Sort, wantSort)
			}
			if len(got.Terms) != len(c.terms) {
				t.Fatalf("%d terms, want %d: %+v", len(got.Terms), len(c.terms), got.Terms)
			}
			for i, w := range c.terms {
				if g := toQT(got.Terms[i]); !w.equal(g) {
					t.Errorf("term %d =\n  %v\nwant\n  %v", i, g, w)
				}
			}
			for _, w := range c.terms {
				if !got.HasField(w.field) {
					t.Errorf("HasField(%s) = false", w.field)
				}
			}
			if got.HasField("nope") {
				t.Error("HasField(nope) = true")
			}
		})
	}
}

func TestQueryErrors(t *testing.T) {
	cases := []struct {
		q     string
		agent string
		pos   int    // 1-based position of the term
		raw   string // the term as written
		msg   string // the rest of the message, after "at N, "raw": "
		// prefix: msg is only the beginning of the rest.
		prefix bool
		bug    string
	}{
		// unknown fields, with a suggestion
		{q: "stauts:new", pos: 1, raw: "stauts:new", msg: `unknown field "stauts" (did you mean status?)`},
		{q: "kind:refund asignee:me", agent: "ayu", pos: 13, raw: "asignee:me", msg: `unknown field "asignee" (did you mean assignee?)`},
		{q: "verdikt:eligible", pos: 1, raw: "verdikt:eligible", msg: `unknown field "verdikt" (did you mean verdict?)`},
		{q: "srot:created", pos: 1, raw: "srot:created", msg: `unknown field "srot" (did you mean sort?)`},
		{q: "-Overdu:x", pos: 1, raw: "-Overdu:x", msg: `unknown field "overdu" (did you mean overdue?)`},
		{q: "stauts:", pos: 1, raw: "stauts:", msg: `unknown field "stauts" (did you mean status?)`},
		{q: "colour:red", pos: 1, raw: "colour:red", msg: `unknown field "colour" (fields: status, kind, reason, verdict, account, order, channel, assignee, flag, language, ref, older, updated, created, sort)`},
		{q: "http://example.com", pos: 1, raw: "http://example.com", msg: `unknown field "http" (fields: `, prefix: true},
		// empty values
		{q: "status:", pos: 1, raw: "status:", msg: "status needs a value"},
		{q: "kind:refund -assignee:", pos: 13, raw: "-assignee:", msg: "assignee needs a value"},
		{q: "status:new,,closed", pos: 1, raw: "status:new,,closed", msg: "empty value in status list"},
		{q: "kind:refund,", pos: 1, raw: "kind:refund,", msg: "empty value in kind list"},
		{q: "assignee:a,,b", pos: 1, raw: "assignee:a,,b", msg: "empty value in assignee list"},
		// bad values of each enumerated field
		{q: "status:nwe", pos: 1, raw: "status:nwe", msg: `"nwe" is not a status (one of new, needs_info, in_review, waiting_platform, approved, denied, resolved, closed)`},
		{q: "kind:refnd", pos: 1, raw: "kind:refnd", msg: `"refnd" is not a kind (one of refund, revocation)`},
		{q: "reason:because", pos: 1, raw: "reason:because", msg: `"because" is not a reason (one of under_delivery, technical_error, rejected, stopped_by_platform, duplicate_charge, closed_early, wrong_video, changed_mind, other)`},
		{q: "verdict:maybe", pos: 1, raw: "verdict:maybe", msg: `"maybe" is not a verdict (one of eligible, ineligible, needs_info, needs_review)`},
		{q: "channel:fax", pos: 1, raw: "channel:fax", msg: `"fax" is not a channel (one of discord, email, agent)`},
		{q: "flag:vip", pos: 1, raw: "flag:vip", msg: `"vip" is not a flag (one of account_mismatch, unverified_sender, undeliverable, dm_closed, reopened, other_requester, guessed)`},
		{q: "language:fr", pos: 1, raw: "language:fr", msg: `"fr" is not a language (one of en, id)`},
		{q: `account:"ayu creator"`, pos: 1, raw: `account:"ayu creator"`, msg: `"ayu creator" is not an account name`},
		{q: "account:@", pos: 1, raw: "account:@", msg: `"@" is not an account name`},
		{q: "account:@@ayu", pos: 1, raw: "account:@@ayu", msg: `"@@ayu" is not an account name`},
		{q: "order:abc", pos: 1, raw: "order:abc", msg: `"abc" is not an order number (digits, or digits* for a prefix)`},
		{q: "order:12,x3", pos: 1, raw: "order:12,x3", msg: `"x3" is not an order number (digits, or digits* for a prefix)`},
		{q: "order:*", pos: 1, raw: "order:*", msg: `"" is not an order number (digits, or digits* for a prefix)`},
		{q: "ref:RD-x", pos: 1, raw: "ref:RD-x", msg: `"RD-x" is not a ticket reference`},
		{q: "ref:0", pos: 1, raw: "ref:0", msg: `"0" is not a ticket reference`},
		// assignee:me without an agent
		{q: "assignee:me", pos: 1, raw: "assignee:me", msg: "assignee:me needs to know who you are (give --as AGENT)"},
		// durations and dates
		{q: "older:soon", pos: 1, raw: "older:soon", msg: `"soon" is not a duration (like 30m, 36h, 2d, 1w)`},
		{q: "older:-5m", pos: 1, raw: "older:-5m", msg: `duration "-5m" is negative`},
		{q: "older:-2d", pos: 1, raw: "older:-2d", msg: `"-2d" is not a duration (like 30m, 36h, 2d, 1w)`},
		{q: "updated:>yesterday", pos: 1, raw: "updated:>yesterday", msg: `"yesterday" is not a date (2006-01-02) or a time (RFC 3339)`},
		{q: "created:2026-13-01", pos: 1, raw: "created:2026-13-01", msg: `"2026-13-01" is not a date (2006-01-02) or a time (RFC 3339)`},
		{q: "created:2026-11-01T08:00", pos: 1, raw: "created:2026-11-01T08:00", msg: `"2026-11-01T08:00" is not a date (2006-01-02) or a time (RFC 3339)`},
		{q: "created:>", pos: 1, raw: "created:>", msg: `"" is not a date (2006-01-02) or a time (RFC 3339)`},
		{q: "created:2026-11-01..nope", pos: 1, raw: "created:2026-11-01..nope", msg: `"nope" is not a date (2006-01-02) or a time (RFC 3339)`},
		{q: "created:nope..2026-11-01", pos: 1, raw: "created:nope..2026-11-01", msg: `"nope" is not a date (2006-01-02) or a time (RFC 3339)`},
		{q: "created:..", pos: 1, raw: "created:..", msg: "a range needs at least one end (like 2026-11-01..2026-11-05)"},
		// quotes and colons
		{q: `"refund please`, pos: 1, raw: `"refund please`, msg: "the quote is not closed"},
		{q: `kind:refund "refund please`, pos: 13, raw: `"refund please`, msg: "the quote is not closed"},
		{q: `kind:refund account:"ayu`, pos: 13, raw: `account:"ayu`, msg: "the quote is not closed",
			bug: "query.go tokenize: an unclosed quote inside a term reports the position of the quote, not of the term"},
		{q: `""`, pos: 1, raw: `""`, msg: "empty quotes"},
		{q: `kind:refund "  "`, pos: 13, raw: `"  "`, msg: "empty quotes"},
		{q: ":new", pos: 1, raw: ":new", msg: "a term cannot start with ':'"},
		// sort
		{q: "sort:created sort:-updated", pos: 14, raw: "sort:-updated", msg: "sort is given twice"},
		{q: "-sort:created", pos: 1, raw: "-sort:created", msg: "sort cannot be negated; use sort:-created for descending"},
		{q: "sort:name", pos: 1, raw: "sort:name", msg: `cannot sort by "name" (sort:created, sort:-created, sort:updated or sort:-updated)`},
		{q: "sort:", pos: 1, raw: "sort:", msg: `cannot sort by "" (sort:created, sort:-created, sort:updated or sort:-updated)`},
		// too many values in one term
		{q: "account:" + strings.Repeat("a,", 50) + "a", pos: 1, raw: "account:" + strings.Repeat("a,", 50) + "a", msg: "has 51 values; at most 50"},
		{q: "status:" + strings.Repeat("open,", 8) + "open", pos: 1, raw: "status:" + strings.Repeat("open,", 8) + "open", msg: "has 54 values; at most 50"},
		// a NUL byte or another control character, in any kind of term
		{q: "refund\x00", pos: 1, raw: "refund\x00", msg: "contains a NUL byte, which no query can look for"},
		{q: "kind:refund \x00", pos: 13, raw: "\x00", msg: "contains a NUL byte, which no query can look for"},
		{q: "kind:refund \"stuck\x00 in review\"", pos: 13, raw: "\"stuck\x00 in review\"", msg: "contains a NUL byte, which no query can look for"},
		{q: "assignee:ayu\x00", agent: "ayu", pos: 1, raw: "assignee:ayu\x00", msg: "contains a NUL byte, which no query can look for"},
		{q: "status:new -x\x07y", pos: 12, raw: "-x\x07y", msg: "contains the control character U+0007, which no query can look for"},
		{q: "views\u0080", pos: 1, raw: "views\u0080", msg: "contains the control character U+0080, which no query can look for"},
		{q: "views\x7f", pos: 1, raw: "views\x7f", msg: "contains the control character U+007F, which no query can look for"},
		// the first bad term is reported
		{q: "kind:refund status:nope flag:nope", pos: 13, raw: "status:nope", msg: `"nope" is not a status`, prefix: true},
	}
	for _, c := range cases {
		t.Run(c.q, func(t *testing.T) {
			q, err := ParseQuery(c.q, queryNow, c.agent)
			if err == nil {
				t.Fatalf("ParseQuery(%q) accepted: %+v", c.q, q)
			}
			if q != nil {
				t.Errorf("ParseQuery returned a query with its error")
			}
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("err %T %v is not a *ValidationError", err, err)
			}
			if ve.Field != "query" || !strings.HasPrefix(ve.Code, "query.") || ve.Message != "" {
				t.Errorf("Field, Code, Message = %q, %q, %q; want query, a query.* code and no sentence", ve.Field, ve.Code, ve.Message)
			}
			// Where the term is, for an edge to point at it.
			if ve.Params["Pos"] != c.pos || ve.Params["Raw"] != c.raw {
				t.Errorf("Pos, Raw = %v, %q; want %d, %q", ve.Params["Pos"], ve.Params["Raw"], c.pos, c.raw)
			}
			if pos, _ := ve.Params["Pos"].(int); pos < 1 || pos-1+len(c.raw) > len(c.q) || c.q[pos-1:pos-1+len(c.raw)] != c.raw {
				t.Errorf("Pos %v does not point at %q in %q", ve.Params["Pos"], c.raw, c.q)
			}
			got := englishValidation(t, err)
			want := fmt.Sprintf("query: at %d, %q: %s", c.pos, c.raw, c.msg)
			ok := got == want
			if c.prefix {
				ok = strings.HasPrefix(got, want)
			}
			if ok {
				return
			}
			msg := fmt.Sprintf("message =\n  %s\nwant\n  %s", got, want)
			if c.bug != "" {
				t.Fatalf("%s\n%s", c.bug, msg)
			}
			t.Error(msg)
		})
	}
}

// TestQueryLimits covers the errors of the whole query: its length, its
// number of terms, its encoding.
func TestQueryLimits(t *testing.T) {
	terms := func(n int) string {
		parts := make([]string, n)
		for i := range parts {
			parts[i] = "w" + fmt.Sprint(i)
		}
		return strings.Join(parts, " ")
	}
	cases := []struct {
		name string
		q    string
		msg  string // "" = accepted
	}{
		{"40 terms", terms(40), ""},
		{"41 terms", terms(41), "has 41 terms; at most 40"},
		{"41 terms with sort", terms(40) + " sort:created", "has 41 terms; at most 40"},
		{"2000 characters", strings.Repeat("a", 2000), ""},
		{"2001 characters", strings.Repeat("a", 2001), "is 2001 characters long; at most 2000"},
		{"not UTF-8", "status:new \xff\xfe", "is not valid UTF-8"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			q, err := ParseQuery(c.q, queryNow, "")
			if c.msg == "" {
				if err != nil {
					t.Fatalf("ParseQuery: %v", err)
				}
				if q == nil || len(q.Terms) == 0 {
					t.Fatalf("no terms: %+v", q)
				}
				return
			}
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("err = %v, want a *ValidationError", err)
			}
			if ve.Field != "query" || !strings.HasPrefix(ve.Code, "query.") {
				t.Errorf("err = %q / %q, want query / a query.* code", ve.Field, ve.Code)
			}
			if got := englishValidation(t, err); got != "query: "+c.msg {
				t.Errorf("in words: %q, want %q", got, "query: "+c.msg)
			}
		})
	}
}

// TestQueryRelativeToNow checks that older: follows the given now and the
// time zone of dates is UTC whatever now's zone is.
func TestQueryRelativeToNow(t *testing.T) {
	jakarta := time.FixedZone("WIB", 7*3600)
	now := time.Date(2026, 11, 21, 15, 0, 0, 0, jakarta) // 08:00 UTC
	q, err := ParseQuery("older:1d created:2026-11-21", now, "")
	if err != nil {
		t.Fatal(err)
	}
	if got := fmtTimePtr(q.Terms[0].To); got != "2026-11-20T08:00:00Z" {
		t.Errorf("older:1d To = %s, want 2026-11-20T08:00:00Z", got)
	}
	if from, to := fmtTimePtr(q.Terms[1].From), fmtTimePtr(q.Terms[1].To); from != "2026-11-21T00:00:00Z" || to != "2026-11-22T00:00:00Z" {
		t.Errorf("created:2026-11-21 = %s..%s, want the UTC day", from, to)
	}
}

// language: takes the languages the desk answers in, as ParseLanguage
// reads them, and stores them as the desk writes them; without a desk's
// list, the two DetectLanguage tells apart.
func TestQueryLanguagesAreTheDesks(t *testing.T) {
	env := queryEnv{now: queryNow, languages: []string{"en", "id", "pt-BR"}}
	q, err := parseQuery("language:ID,pt_br,Indonesian,id-ID", env)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := q.Terms[0].Values, []string{"id", "pt-BR", "id", "id"}; !slices.Equal(got, want) {
		t.Errorf("values %v, want %v", got, want)
	}
	_, err = parseQuery("language:fr", env)
	var ve *ValidationError
	if !errors.As(err, &ve) || ve.Code != "query.not_one_of" || ve.Params["Allowed"] != "en, id, pt-BR" || ve.Params["Value"] != "fr" {
		t.Errorf("language:fr: %v, want query.not_one_of listing en, id, pt-BR", err)
	}
	if _, err := ParseQuery("language:pt-BR", queryNow, ""); err == nil {
		t.Error("ParseQuery without a desk took pt-BR")
	}
	if _, err := parseQuery("language:id,", env); !errors.As(err, &ve) || ve.Code != "query.empty_value" {
		t.Errorf("language:id,: %v, want query.empty_value", err)
	}
}
