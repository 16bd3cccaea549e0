package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"refunddesk/templates"
	"refunddesk/tickets"
)

// words loads the message catalog, which puts the rules of the verdicts a
// command shows in words.
func (m *Main) words() (*templates.Catalog, error) { return templates.NewCatalog(m.log) }

// explain fills in the words of the rules in v (tickets, or what holds
// them): Detail in English, DetailRequester in the ticket's language.
func (m *Main) explain(v any) error {
	cat, err := m.words()
	if err != nil {
		return err
	}
	cat.Explain(v)
	return nil
}

// writeTicketsJSON writes v (tickets, or what holds them) as JSON, with the
// rules of their verdicts in words (detail, detail_requester).
func (m *Main) writeTicketsJSON(v any) error {
	if err := m.explain(v); err != nil {
		return err
	}
	return writeJSON(m.Stdout, v)
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02 15:04")
}

func optStamp(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return stamp(*t)
}

// age writes a duration the way a queue shows it: 45m, 5h, 3d.
func age(d time.Duration) string {
	switch {
	case d < time.Minute:
		return "now"
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d/time.Minute))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh", int(d/time.Hour))
	}
	return fmt.Sprintf("%dd", int(d/(24*time.Hour)))
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func overdue(t *tickets.Ticket, now time.Time, first time.Duration) bool {
	return t.Status.WaitingOnAgents() && t.WaitingSince != nil && now.Sub(*t.WaitingSince) > first
}

func refundText(t *tickets.Ticket) string {
	if t.ApprovedAmount != nil {
		return tickets.PlainMoney(*t.ApprovedAmount, t.Eligibility.Currency)
	}
	if t.Eligibility.RefundAmount > 0 {
		return tickets.PlainMoney(t.Eligibility.RefundAmount, t.Eligibility.Currency)
	}
	return "-"
}

// printTicketTable prints the queue.
func printTicketTable(w io.Writer, list []tickets.Ticket, now time.Time, first time.Duration) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "REF\tSTATUS\tKIND\tREASON\tVERDICT\tREFUND\tACCOUNT\tORDER\tASSIGNEE\tAGE\tNOTES")
	for i := range list {
		t := &list[i]
		var notes []string
		if overdue(t, now, first) {
			notes = append(notes, "overdue")
		}
		notes = append(notes, t.Flags...)
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", t.Ref, t.Status, t.Kind, dash(string(t.Reason)),
			dash(string(t.Eligibility.Verdict)), refundText(t), dash(t.Account), dash(t.Order), dash(t.Assignee),
			age(now.Sub(t.CreatedAt)), strings.Join(notes, ","))
	}
	tw.Flush()
}

func printPromotion(w io.Writer, p *tickets.Promotion) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "Order\t%s\n", p.OrderNumber)
	fmt.Fprintf(tw, "Account\t%s\n", p.Account)
	fmt.Fprintf(tw, "Video\t%s\n", dash(p.VideoID))
	fmt.Fprintf(tw, "Status\t%s\n", p.Status)
	fmt.Fprintf(tw, "Objective\t%s\n", dash(p.Objective))
	fmt.Fprintf(tw, "Paid\t%s by %s\n", tickets.PlainMoney(p.Amount, p.Currency), dash(p.PaymentMethod))
	fmt.Fprintf(tw, "Spent\t%s\n", tickets.PlainMoney(p.Spend, p.Currency))
	fmt.Fprintf(tw, "Refunded\t%s\n", tickets.PlainMoney(p.Refunded, p.Currency))
	fmt.Fprintf(tw, "Reach\t%s delivered of %s promised\n", tickets.PlainCount(p.DeliveredReach),
		tickets.PlainCount(p.PromisedReach))
	fmt.Fprintf(tw, "Incident\t%v\n", p.Incident)
	fmt.Fprintf(tw, "Created\t%s\n", stamp(p.CreatedAt))
	fmt.Fprintf(tw, "Start\t%s\n", optStamp(p.StartAt))
	fmt.Fprintf(tw, "End\t%s\n", optStamp(p.EndAt))
	fmt.Fprintf(tw, "Closed\t%s\n", optStamp(p.ClosedAt))
	fmt.Fprintf(tw, "Imported\t%s (updated %s)\n", stamp(p.ImportedAt), stamp(p.UpdatedAt))
	tw.Flush()
}

// printDetail prints the whole story of a ticket on one screen; notes say
// where a field came from when it was not the requester's own words, by
// field (templates.Catalog.SourceNotes).
func printDetail(w io.Writer, d *tickets.TicketDetail, notes map[string]string, now time.Time, first time.Duration) {
	t := &d.Ticket
	from := func(field string) string {
		if n := notes[field]; n != "" {
			return "  (" + n + ")"
		}
		return ""
	}
	head := fmt.Sprintf("%s  %s%s  %s", t.Ref, t.Kind, from(tickets.FieldSourceKind), t.Status)
	if t.Assignee != "" {
		head += "  (assigned to " + t.Assignee + ")"
	} else {
		head += "  (unassigned)"
	}
	if overdue(t, now, first) {
		head += "  OVERDUE"
	}
	fmt.Fprintln(w, head)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	var who []string
	if t.Requester.Name != "" {
		who = append(who, t.Requester.Name)
	}
	if t.Requester.Email != "" {
		who = append(who, "<"+t.Requester.Email+">")
	}
	if t.Requester.DiscordID != "" {
		who = append(who, "discord:"+t.Requester.DiscordID)
	}
	fmt.Fprintf(tw, "Requester\t%s via %s, language %s\n", dash(strings.Join(who, " ")), t.Channel, t.Language)
	fmt.Fprintf(tw, "Account\t%s%s\n", dash(t.Account), from(tickets.FieldSourceAccount))
	order := dash(t.Order) + from(tickets.FieldSourceOrder)
	if p := d.Promotion; p != nil {
		order += fmt.Sprintf("  (%s, %s; %s of %s reach; account %s)", tickets.PlainMoney(p.Amount, p.Currency),
			p.Status, tickets.PlainCount(p.DeliveredReach), tickets.PlainCount(p.PromisedReach), p.Account)
	} else if t.Order != "" {
		order += "  (not in the promotion records)"
	}
	fmt.Fprintf(tw, "Order\t%s\n", order)
	fmt.Fprintf(tw, "Reason\t%s%s\n", dash(string(t.Reason)), from(tickets.FieldSourceReason))
	if t.Details != "" {
		fmt.Fprintf(tw, "Details\t%s\n", oneLine(t.Details, 200))
	}
	fmt.Fprintf(tw, "Created\t%s, updated %s, in %s since %s\n", stamp(t.CreatedAt), stamp(t.UpdatedAt), t.Status, stamp(t.StatusChangedAt))
	if t.WaitingSince != nil {
		fmt.Fprintf(tw, "Waiting\ton agents for %s\n", age(now.Sub(*t.WaitingSince)))
	}
	if len(t.Flags) > 0 {
		fmt.Fprintf(tw, "Flags\t%s\n", strings.Join(t.Flags, ", "))
	}
	if t.InfoRequested {
		fmt.Fprintf(tw, "Question\twaiting for the requester's answer\n")
	}
	if t.ApprovedAmount != nil {
		fmt.Fprintf(tw, "Approved\t%s\n", tickets.PlainMoney(*t.ApprovedAmount, t.Eligibility.Currency))
	}
	if t.Decision != "" {
		fmt.Fprintf(tw, "Decision\t%s\n", t.Decision)
	}
	if t.ParentRef != "" {
		fmt.Fprintf(tw, "Follows\t%s\n", t.ParentRef)
	}
	tw.Flush()

	el := t.Eligibility
	fmt.Fprintf(w, "\nVerdict: %s", dash(string(el.Verdict)))
	if el.RefundAmount > 0 {
		fmt.Fprintf(w, ", refund %s", tickets.PlainMoney(el.RefundAmount, el.Currency))
	}
	if !el.EvaluatedAt.IsZero() {
		fmt.Fprintf(w, "  (evaluated %s)", stamp(el.EvaluatedAt))
	}
	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, r := range el.Rules {
		mark := "ok"
		if r.Outcome != tickets.OutcomePass {
			mark = "=> " + r.Outcome
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", r.Rule, mark, r.Detail)
	}
	tw.Flush()

	fmt.Fprintf(w, "\nEvidence (%d)\n", len(t.Evidence))
	for _, e := range t.Evidence {
		fmt.Fprintf(w, "  %s  %s  %s  sha256:%s  added %s\n", e.Name, e.ContentType, humanSize(e.Size), e.SHA256[:12], stamp(e.AddedAt))
	}
	fmt.Fprintf(w, "\nConversation (%d)\n", len(d.Messages))
	for _, msg := range d.Messages {
		dir := map[tickets.MessageKind]string{tickets.MessageIn: "from", tickets.MessageOut: "to requester, by", tickets.MessageNote: "note by"}[msg.Kind]
		fmt.Fprintf(w, "  %s  %s %s (%s)\n", stamp(msg.CreatedAt), dir, msg.Author, msg.Channel)
		for _, line := range strings.Split(msg.Body, "\n") {
			fmt.Fprintf(w, "      %s\n", line)
		}
	}
	var next []string
	for _, f := range d.Followups {
		if f.Status == tickets.FollowupPending {
			next = append(next, fmt.Sprintf("%s %s", f.Kind, stamp(f.DueAt)))
		}
	}
	if len(next) > 0 {
		fmt.Fprintf(w, "\nFollow-ups: %s\n", strings.Join(next, ", "))
	}
	fmt.Fprintf(w, "\nAudit trail (%d)\n", len(d.Audit))
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, a := range d.Audit {
		move := ""
		if a.FromStatus != "" || a.ToStatus != "" {
			move = fmt.Sprintf("%s → %s", dash(string(a.FromStatus)), a.ToStatus)
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", stamp(a.At), a.Actor, a.Action, move, a.Detail)
	}
	tw.Flush()
	if len(d.Outbox) > 0 {
		fmt.Fprintf(w, "\nOutbox (%d)\n", len(d.Outbox))
		for _, o := range d.Outbox {
			line := fmt.Sprintf("  #%d  %s  %s → %s %s  %s", o.ID, stamp(o.CreatedAt), o.Template, o.Channel, o.Recipient, o.Status)
			if o.LastError != "" {
				line += "  (" + o.LastError + ")"
			}
			fmt.Fprintln(w, line)
		}
	}
}

func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

func humanSize(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
