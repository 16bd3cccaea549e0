package templates

import (
	"slices"
	"strconv"
	"strings"

	"refunddesk/tickets"
)

// Audit puts an audit entry in words in a language: its message
// audit.<code>, written from its params. An entry stored before the audit
// trail became codes (no code) is shown as it was stored.
func (c *Catalog) Audit(e tickets.AuditEntry, lang string) string {
	if e.Code == "" {
		return e.Detail
	}
	return c.auditText(lang, "audit."+e.Code, e.Params)
}

// Decision is a ticket's decision in words: the agent's own, or the one
// the desk took by itself (audit.decision.<code>).
func (c *Catalog) Decision(t *tickets.Ticket, lang string) string {
	if t.DecisionCode == "" {
		return t.Decision
	}
	return c.auditText(lang, "audit.decision."+t.DecisionCode, t.DecisionParams)
}

// FollowupResult says in words what a follow-up did (audit.<code>, as its
// audit entry says it) or why it was cancelled (audit.followup.<code>); one
// finished before codes keeps its words.
func (c *Catalog) FollowupResult(f tickets.Followup, lang string) string {
	switch {
	case f.Code == "":
		return f.Result
	case f.Status == tickets.FollowupCancelled:
		return c.auditText(lang, "audit.followup."+f.Code, f.Params)
	}
	return c.auditText(lang, "audit."+f.Code, f.Params)
}

// AuditAction names what an audit entry is (its Action: created, claim,
// reminded, …) in a language, audit.action.<action>; one with no name is
// shown as it is.
func (c *Catalog) AuditAction(action, lang string) string {
	return c.name(lang, "audit.action.", action)
}

// FollowupName says what a follow-up does (audit.followup_kind.<kind>) and
// FollowupStatusName where it stands (audit.followup_status.<status>).
func (c *Catalog) FollowupName(k tickets.FollowupKind, lang string) string {
	return c.name(lang, "audit.followup_kind.", string(k))
}

// FollowupStatusName: see FollowupName.
func (c *Catalog) FollowupStatusName(status, lang string) string {
	return c.name(lang, "audit.followup_status.", status)
}

func (c *Catalog) auditText(lang, id string, p tickets.AuditParams) string {
	lang = c.Language(lang)
	v := auditVars{c: c, lang: lang, p: p}
	return c.message(lang, id, values{named: v.get}, nil)
}

// explainAudit fills in the English of a ticket's coded audit entries and
// follow-ups, for agents.
func (c *Catalog) explainAudit(d *tickets.TicketDetail) {
	for i := range d.Audit {
		if d.Audit[i].Code != "" {
			d.Audit[i].Detail = c.Audit(d.Audit[i], FallbackLanguage)
		}
	}
	c.explainFollowups(d.Followups)
}

func (c *Catalog) explainFollowups(fs []tickets.Followup) {
	for i := range fs {
		if fs[i].Code != "" {
			fs[i].Result = c.FollowupResult(fs[i], FallbackLanguage)
		}
	}
}

// auditVars are the values an audit message may name, written in one
// language. Only those its message names are worked out.
type auditVars struct {
	c    *Catalog
	lang string
	p    tickets.AuditParams
}

func (v auditVars) get(name string) (string, bool) {
	f, ok := auditValues[name]
	if !ok {
		return "", false
	}
	return f(v), true
}

// auditValues are the names an audit message (audit.<code>,
// audit.decision.<code>, audit.followup.<code>) may use, and how each is
// written. A message naming another fails to load. The codes an entry
// speaks of (a kind, a channel, a verdict, a rule) are written by their
// names in the language, audit.name.<what>.<code>.
var auditValues = map[string]func(v auditVars) string{
	"Text":          func(v auditVars) string { return v.p.Text },
	"Error":         func(v auditVars) string { return v.p.Error },
	"Why":           func(v auditVars) string { return v.c.name(v.lang, "audit.why.", v.p.Why) },
	"From":          func(v auditVars) string { return v.orNone(v.p.From) },
	"To":            func(v auditVars) string { return v.orNone(v.p.To) },
	"Changes":       func(v auditVars) string { return v.changes() },
	"Fields":        func(v auditVars) string { return v.fields(v.p.Fields) },
	"VerdictBefore": func(v auditVars) string { return v.c.name(v.lang, "audit.name.verdict.", string(v.p.VerdictBefore)) },
	"Verdict":       func(v auditVars) string { return v.c.name(v.lang, "audit.name.verdict.", string(v.p.Verdict)) },
	"Rule":          func(v auditVars) string { return v.c.name(v.lang, "audit.name.rule.", v.p.Rule) },
	"Amount":        func(v auditVars) string { return v.money(v.p.Amount) },
	"Limit":         func(v auditVars) string { return v.money(v.p.Limit) },
	"Kind":          func(v auditVars) string { return v.c.name(v.lang, "audit.name.kind.", string(v.p.Kind)) },
	"Channel":       func(v auditVars) string { return v.c.name(v.lang, "audit.name.channel.", string(v.p.Channel)) },
	"Requester":     func(v auditVars) string { return v.p.Requester },
	"Name":          func(v auditVars) string { return v.p.Name },
	"ContentType":   func(v auditVars) string { return v.p.ContentType },
	"Size":          func(v auditVars) string { return v.c.Bytes(v.p.Size, v.lang) },
	"Template":      func(v auditVars) string { return v.c.name(v.lang, "audit.name.template.", v.p.Template) },
	"Recipient":     func(v auditVars) string { return v.p.Recipient },
	"Outbox":        func(v auditVars) string { return strconv.FormatInt(v.p.Outbox, 10) },
	"Via":           func(v auditVars) string { return v.c.name(v.lang, "audit.channel.", string(v.p.Via)) },
	"ViaRecipient":  func(v auditVars) string { return v.p.ViaRecipient },
	"Count":         func(v auditVars) string { return strconv.Itoa(v.p.Count) },
	"Max":           func(v auditVars) string { return strconv.Itoa(v.p.Max) },
	"Followup":      func(v auditVars) string { return v.c.FollowupName(v.p.Followup, v.lang) },
	"Alert": func(v auditVars) string {
		if v.p.Alert == nil {
			return ""
		}
		return v.c.Alert(v.lang, *v.p.Alert)
	},
	"Waited": func(v auditVars) string { return v.c.Span(v.p.Waited, v.lang) },
	"Window": func(v auditVars) string { return v.c.Span(v.p.Window, v.lang) },
	// an instant to the minute, in UTC, the same in every language
	"Since": func(v auditVars) string { return v.p.Since.UTC().Format("2006-01-02 15:04 UTC") },
}

// money writes an amount in Currency; nothing when neither is given (a
// verdict with no refund), so that a message's {{if}} leaves it out.
func (v auditVars) money(amount int64) string {
	if amount == 0 && v.p.Currency == "" {
		return ""
	}
	return v.c.Money(amount, v.p.Currency, v.lang)
}

func (v auditVars) orNone(s string) string {
	if s == "" {
		return v.c.Text(v.lang, "audit.none")
	}
	return s
}

// fields names fields (account, order, …) in the language, as a list.
func (v auditVars) fields(names []string) string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = v.c.name(v.lang, "audit.field.", n)
	}
	return strings.Join(out, v.c.Text(v.lang, "audit.separator.list"))
}

// changes writes the fields an agent corrected, each from what to what: a
// reason or a language by its name (audit.name.<field>.<code>).
func (v auditVars) changes() string {
	out := make([]string, len(v.p.Changes))
	for i, ch := range v.p.Changes {
		from, to := ch.From, ch.To
		if ch.Field == "reason" || ch.Field == "language" {
			from, to = v.c.name(v.lang, "audit.name."+ch.Field+".", from), v.c.name(v.lang, "audit.name."+ch.Field+".", to)
		}
		out[i] = v.c.Text(v.lang, "audit.change", "Field", v.c.name(v.lang, "audit.field.", ch.Field),
			"From", v.orNone(from), "To", v.orNone(to))
	}
	return strings.Join(out, v.c.Text(v.lang, "audit.separator.changes"))
}

// auditMessage says whether a message id is written from an audit entry's
// params (and so may only name auditValues).
func auditMessage(id string) bool {
	rest, ok := strings.CutPrefix(id, "audit.")
	return ok && (slices.Contains(tickets.AuditCodes, rest) || strings.HasPrefix(rest, "decision.") || strings.HasPrefix(rest, "followup."))
}
