package templates

import (
	"strconv"

	"refunddesk/tickets"
)

// Rule puts a step of a verdict in words in a language: its message
// rule.<code>, written from its parameters. A step stored before
// explanations became codes (no code) is shown as it was stored: the
// requester's sentence when a language other than English is asked and it
// has one, else the English one.
func (c *Catalog) Rule(s tickets.RuleStep, lang string) string {
	lang = c.Language(lang)
	if s.Code == "" {
		switch {
		case lang != FallbackLanguage && s.DetailRequester != "":
			return s.DetailRequester
		case s.Detail != "":
			return s.Detail
		case s.DetailRequester != "":
			return s.DetailRequester
		}
		return s.Rule + ": " + s.Outcome
	}
	v := ruleVars{c: c, lang: lang, p: s.Params}
	return c.message(lang, "rule."+s.Code, values{rule: &v, ruleFn: ruleValues}, nil)
}

// Explain fills in the words of every rule step found in v, for showing it
// as JSON or text: Detail in English for agents, DetailRequester in the
// ticket's (or the message's) language; and, in English for agents, a
// ticket's decision taken by the desk itself (Decision), a
// *tickets.TicketDetail's audit entries (Detail) and follow-ups (Result).
// v is a *tickets.Ticket, a slice of tickets, a *tickets.TicketDetail, a
// *tickets.SubmitResult, a *tickets.PromotionDetail, an outbox item or a
// slice of them, a *tickets.OutboxRetried (what a retry put back and what
// it skipped, and why: Why in English), skipped items, follow-ups, or a
// *tickets.ImportSummary or bad rows (Reason in English); anything else is left as it
// is. Steps, entries and follow-ups stored before codes keep their words.
func (c *Catalog) Explain(v any) {
	switch v := v.(type) {
	case *tickets.Ticket:
		if v != nil {
			c.explainSteps(v.Eligibility.Rules, v.Language)
			v.Decision = c.Decision(v, FallbackLanguage)
		}
	case []tickets.Ticket:
		for i := range v {
			c.Explain(&v[i])
		}
	case []*tickets.Ticket:
		for _, t := range v {
			c.Explain(t)
		}
	case *tickets.TicketDetail:
		if v != nil {
			c.Explain(&v.Ticket)
			c.Explain(v.Outbox)
			c.explainAudit(v)
			for i := range v.Messages {
				v.Messages[i].Body = c.MessageBody(v.Messages[i], FallbackLanguage)
			}
		}
	case []tickets.Followup:
		c.explainFollowups(v)
	case *tickets.SubmitResult:
		if v != nil {
			c.Explain(v.Ticket)
		}
	case *tickets.PromotionDetail:
		if v != nil {
			c.Explain(v.Tickets)
		}
	case *tickets.OutboxItem:
		if v != nil {
			c.explainSteps(v.Data.Explanation, v.Language)
		}
	case []tickets.OutboxItem:
		for i := range v {
			c.Explain(&v[i])
		}
	case *tickets.OutboxRetried:
		if v != nil {
			c.Explain(v.Requeued)
			c.Explain(v.Skipped)
		}
	case []tickets.OutboxSkipped:
		for i := range v {
			c.Explain(&v[i].OutboxItem)
			if v[i].Code != "" {
				v[i].Why = c.Problem(FallbackLanguage, v[i].Code, v[i].Params)
			}
		}
	case *tickets.ImportSummary:
		if v != nil {
			c.Explain(v.SkippedRow)
		}
	case []tickets.LineError:
		for i := range v {
			v[i].Reason = c.RowReason(FallbackLanguage, v[i])
		}
	}
}

func (c *Catalog) explainSteps(steps []tickets.RuleStep, lang string) {
	for i := range steps {
		if steps[i].Code == "" {
			continue
		}
		steps[i].Detail = c.Rule(steps[i], FallbackLanguage)
		steps[i].DetailRequester = c.Rule(steps[i], lang)
	}
}

// ruleVars are the values a rule's message may name, written in one
// language. Only those its message names are worked out.
type ruleVars struct {
	c    *Catalog
	lang string
	p    tickets.RuleParams
}

// ruleValues are the names a rule's message may use, and how each is
// written. A message naming another fails to load.
var ruleValues = map[string]func(v ruleVars) string{
	"Order":        func(v ruleVars) string { return v.p.Order },
	"Account":      func(v ruleVars) string { return v.p.Account },
	"OrderAccount": func(v ruleVars) string { return v.p.OrderAccount },
	"Twin":         func(v ruleVars) string { return v.p.Twin },
	"Scope":        func(v ruleVars) string { return v.p.Scope },
	"Status":       func(v ruleVars) string { return v.c.PromotionStatusName(v.p.PromoStatus, v.lang) },
	"Paid":         func(v ruleVars) string { return v.money(v.p.Paid) },
	"Spent":        func(v ruleVars) string { return v.money(v.p.Spent) },
	"Unspent":      func(v ruleVars) string { return v.money(v.p.Unspent) },
	"Refunded":     func(v ruleVars) string { return v.money(v.p.Refunded) },
	"Remaining":    func(v ruleVars) string { return v.money(v.p.Remaining) },
	"Shortfall":    func(v ruleVars) string { return v.money(v.p.Shortfall) },
	"Refund":       func(v ruleVars) string { return v.money(v.p.Refund) },
	"Delivered":    func(v ruleVars) string { return v.c.Count(v.p.Delivered, v.lang) },
	"Promised":     func(v ruleVars) string { return v.c.Count(v.p.Promised, v.lang) },
	"Evidence":     func(v ruleVars) string { return strconv.Itoa(v.p.Evidence) },
	"WindowDays":   func(v ruleVars) string { return strconv.Itoa(v.p.WindowDays) },
	"Ended":        func(v ruleVars) string { return v.c.Date(v.p.Ended, v.lang) },
	"WindowEnd":    func(v ruleVars) string { return v.c.Date(v.p.WindowEnd, v.lang) },
	"Granted":      func(v ruleVars) string { return v.c.Date(v.p.Granted, v.lang) },
	"Revoked":      func(v ruleVars) string { return v.c.Date(v.p.Revoked, v.lang) },
	"Gap":          func(v ruleVars) string { return v.c.Duration(v.p.Gap, v.lang) },
	"Window":       func(v ruleVars) string { return v.c.Duration(v.p.Window, v.lang) },
	"HowTo":        func(v ruleVars) string { return v.c.ClosePromotionHowTo(v.lang) },
	// the share of the promised reach that was delivered, and that was not
	"DeliveredShare": func(v ruleVars) string { return v.c.Percent(v.p.Delivered, v.p.Promised, v.lang) },
	"MissingShare": func(v ruleVars) string {
		return v.c.Percent(max(v.p.Promised-v.p.Delivered, 0), v.p.Promised, v.lang)
	},
	// the policy's minimum share of the promised reach
	"Threshold": func(v ruleVars) string {
		return v.c.Text(v.lang, "format.percent", "Number", strconv.FormatInt(v.p.ThresholdPercent, 10))
	},
	"EvidenceWhat": func(v ruleVars) string { return v.c.name(v.lang, "evidence.", v.p.EvidenceWhat) },
}

func (v ruleVars) money(amount int64) string { return v.c.Money(amount, v.p.Currency, v.lang) }
