package bot

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"

	"refunddesk/tickets"
)

// queuePage is how many tickets a /queue page shows.
const queuePage = 10

// pageStore keeps the state behind /queue's paging buttons (a custom id
// holds at most 100 characters; a query does not fit).
type pageStore struct {
	mu    sync.Mutex
	pages map[string]*queueState
}

type queueState struct {
	query   string
	agent   string
	cursors []string // cursor of each page; [0] is ""
	at      time.Time
}

func newPageStore() *pageStore { return &pageStore{pages: map[string]*queueState{}} }

func (p *pageStore) put(s *queueState) string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	id := hex.EncodeToString(b[:])
	p.mu.Lock()
	defer p.mu.Unlock()
	for k, v := range p.pages {
		if time.Since(v.at) > time.Hour {
			delete(p.pages, k)
		}
	}
	s.at = time.Now()
	p.pages[id] = s
	return id
}

func (p *pageStore) get(id string) *queueState {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.pages[id]
}

func (b *Bot) cmdQueue(ctx context.Context, i *discordgo.Interaction, d discordgo.ApplicationCommandInteractionData) *reply {
	st := &queueState{query: option(d.Options, "query"), agent: agentName(i), cursors: []string{""}}
	return b.queuePage(ctx, st, b.pages.put(st), 0)
}

// queuePage renders one page of a query, with Previous/Next buttons.
func (b *Bot) queuePage(ctx context.Context, st *queueState, id string, page int) *reply {
	res, err := b.svc.Records.Search(ctx, st.query, st.agent, queuePage, st.cursors[page])
	if err != nil {
		return b.errorReply(tickets.LangEnglish, err)
	}
	if res.Next != "" && len(st.cursors) == page+1 {
		st.cursors = append(st.cursors, res.Next)
	}
	q := st.query
	if q == "" {
		q = "(all tickets)"
	}
	var lines []string
	now := b.svc.Now()
	for _, t := range res.Tickets {
		line := fmt.Sprintf("**%s** %s · %s · %s", t.Ref, t.Status, t.Kind, verdictShort(&t))
		if t.Reason != "" {
			line += " · " + string(t.Reason)
		}
		if t.Account != "" {
			line += " · " + escape(t.Account)
		}
		if t.Assignee != "" {
			line += " · @" + escape(t.Assignee)
		}
		if t.WaitingSince != nil && t.Status.WaitingOnAgents() && now.Sub(*t.WaitingSince) > b.svc.SLA().FirstResponse {
			line += " · **overdue**"
		}
		lines = append(lines, line)
	}
	if len(lines) == 0 {
		lines = append(lines, "no tickets match")
	}
	embed := &discordgo.MessageEmbed{Title: "Queue: " + truncate(q, 200), Description: strings.Join(lines, "\n"),
		Footer: &discordgo.MessageEmbedFooter{Text: fmt.Sprintf("page %d", page+1)}}
	var buttons []discordgo.MessageComponent
	buttons = append(buttons, discordgo.Button{Label: "Previous", Style: discordgo.SecondaryButton, CustomID: fmt.Sprintf("queue:%s:%d", id, page-1), Disabled: page == 0})
	buttons = append(buttons, discordgo.Button{Label: "Next", Style: discordgo.SecondaryButton, CustomID: fmt.Sprintf("queue:%s:%d", id, page+1), Disabled: res.Next == ""})
	return &reply{embeds: []*discordgo.MessageEmbed{embed}, components: []discordgo.MessageComponent{discordgo.ActionsRow{Components: buttons}}}
}

func verdictShort(t *tickets.Ticket) string {
	v := string(t.Eligibility.Verdict)
	if v == "" {
		v = "no verdict"
	}
	if t.ApprovedAmount != nil {
		return v + ", approved " + tickets.PlainMoney(*t.ApprovedAmount, t.Eligibility.Currency)
	}
	if t.Eligibility.RefundAmount > 0 {
		return v + " " + tickets.PlainMoney(t.Eligibility.RefundAmount, t.Eligibility.Currency)
	}
	return v
}

func (b *Bot) cmdTicket(ctx context.Context, i *discordgo.Interaction, d discordgo.ApplicationCommandInteractionData) *reply {
	if len(d.Options) == 0 || d.Options[0] == nil {
		return &reply{content: "Which one?"}
	}
	s := d.Options[0]
	ref := option(s.Options, "ref")
	if s.Name == "show" {
		det, err := b.svc.Records.Detail(ctx, ref)
		if err != nil {
			return b.errorReply(tickets.LangEnglish, err)
		}
		return &reply{embeds: []*discordgo.MessageEmbed{b.detailEmbed(det)}, components: b.cardButtons(&det.Ticket)}
	}
	a := tickets.ActionRequest{Ref: ref, Actor: agentName(i), Action: tickets.Action(s.Name), Text: option(s.Options, "text")}
	if s.Name == "assign" {
		a.Assignee = option(s.Options, "agent")
	}
	return b.act(ctx, a)
}

// act does an agent action and says how it went.
func (b *Bot) act(ctx context.Context, a tickets.ActionRequest) *reply {
	t, err := b.svc.Desk.Act(ctx, a)
	if err != nil {
		return b.errorReply(tickets.LangEnglish, err)
	}
	msg := fmt.Sprintf("**%s** %s: %s", t.Ref, a.Action, t.Status)
	if t.Assignee != "" {
		msg += ", assigned to " + escape(t.Assignee)
	}
	if a.Action == tickets.ActionApprove && t.ApprovedAmount != nil {
		msg += ", " + tickets.PlainMoney(*t.ApprovedAmount, t.Eligibility.Currency)
	}
	return &reply{content: msg}
}

func (b *Bot) cmdPromo(ctx context.Context, _ *discordgo.Interaction, d discordgo.ApplicationCommandInteractionData) *reply {
	p, err := b.svc.Records.PromotionDetail(ctx, option(d.Options, "order"))
	if err != nil {
		return b.errorReply(tickets.LangEnglish, err)
	}
	f := func(name, value string) *discordgo.MessageEmbedField {
		return &discordgo.MessageEmbedField{Name: name, Value: orDash(value), Inline: true}
	}
	fields := []*discordgo.MessageEmbedField{
		f("Account", escape(p.Account)), f("Status", string(p.Status)), f("Paid", tickets.PlainMoney(p.Amount, p.Currency)),
		f("Spent", tickets.PlainMoney(p.Spend, p.Currency)), f("Refunded", tickets.PlainMoney(p.Refunded, p.Currency)),
		f("Reach", fmt.Sprintf("%s of %s", tickets.PlainCount(p.DeliveredReach), tickets.PlainCount(p.PromisedReach))),
		f("Incident", strconv.FormatBool(p.Incident)), f("Created", p.CreatedAt.Format("2006-01-02 15:04")),
	}
	var refs []string
	for _, t := range p.Tickets {
		refs = append(refs, fmt.Sprintf("%s (%s)", t.Ref, t.Status))
	}
	fields = append(fields, &discordgo.MessageEmbedField{Name: "Tickets", Value: orDash(strings.Join(refs, ", "))})
	return &reply{embeds: []*discordgo.MessageEmbed{{Title: "Order " + p.OrderNumber, Fields: fields}}}
}

// onButton handles the card's buttons and the queue's paging.
func (b *Bot) onButton(ctx context.Context, i *discordgo.Interaction) *reply {
	id := i.MessageComponentData().CustomID
	action, rest, _ := strings.Cut(id, ":")
	if !b.isAgent(i) {
		return &reply{content: b.say(b.lang(i.Locale), "not_agent")}
	}
	switch action {
	case "queue":
		token, pg, _ := strings.Cut(rest, ":")
		st := b.pages.get(token)
		page, err := strconv.Atoi(pg)
		if st == nil || err != nil || page < 0 || page >= len(st.cursors) {
			return &reply{content: "This list has expired: run /queue again."}
		}
		return b.queuePage(ctx, st, token, page)
	case "claim":
		return b.act(ctx, tickets.ActionRequest{Ref: rest, Actor: agentName(i), Action: tickets.ActionClaim})
	case "approve":
		t, err := b.svc.Records.Ticket(ctx, rest)
		if err != nil {
			return b.errorReply(tickets.LangEnglish, err)
		}
		// The amount is typed as shown: in the order's currency, with its decimals.
		amount, cur := "", t.Eligibility.Currency
		if t.Eligibility.Verdict == tickets.VerdictEligible && t.Eligibility.RefundAmount > 0 {
			amount = tickets.FormatAmount(t.Eligibility.RefundAmount, cur)
		}
		label := "Amount"
		if cur != "" {
			label = "Amount in " + cur + ", like " + tickets.FormatAmount(123450, cur)
		}
		inputs := []discordgo.MessageComponent{}
		title := "Approve " + t.Ref
		if t.Kind == tickets.KindRefund {
			inputs = append(inputs, discordgo.ActionsRow{Components: []discordgo.MessageComponent{discordgo.TextInput{CustomID: "amount",
				Label: truncate(label, 45), Style: discordgo.TextInputShort, Value: amount, Required: true, MaxLength: 24}}})
		} else {
			title = "Forward " + t.Ref + " to the platform"
		}
		inputs = append(inputs, discordgo.ActionsRow{Components: []discordgo.MessageComponent{discordgo.TextInput{CustomID: "text",
			Label: "Note (optional)", Style: discordgo.TextInputParagraph, Required: false, MaxLength: 1000}}})
		return &reply{modal: &discordgo.InteractionResponseData{CustomID: "approve:" + t.Ref, Title: truncate(title, 45), Components: inputs}}
	case "deny", "ask":
		label, title := "Reason (the requester is told)", "Deny "+rest
		if action == "ask" {
			label, title = "Question for the requester", "Ask about "+rest
		}
		return &reply{modal: &discordgo.InteractionResponseData{CustomID: action + ":" + rest, Title: truncate(title, 45),
			Components: []discordgo.MessageComponent{discordgo.ActionsRow{Components: []discordgo.MessageComponent{discordgo.TextInput{
				CustomID: "text", Label: label, Style: discordgo.TextInputParagraph, Required: true, MaxLength: 2000}}}}}}
	}
	return &reply{content: "Unknown button."}
}

// onModal handles the Approve, Deny and Ask forms.
func (b *Bot) onModal(ctx context.Context, i *discordgo.Interaction) *reply {
	d := i.ModalSubmitData()
	if !b.isAgent(i) {
		return &reply{content: b.say(b.lang(i.Locale), "not_agent")}
	}
	action, ref, _ := strings.Cut(d.CustomID, ":")
	values := map[string]string{}
	for _, row := range d.Components {
		r, ok := row.(*discordgo.ActionsRow)
		if !ok {
			continue
		}
		for _, c := range r.Components {
			if in, ok := c.(*discordgo.TextInput); ok {
				values[in.CustomID] = strings.TrimSpace(in.Value)
			}
		}
	}
	a := tickets.ActionRequest{Ref: ref, Actor: agentName(i), Action: tickets.Action(action), Text: values["text"]}
	if action == "approve" && values["amount"] != "" {
		n, err := b.svc.Desk.AmountFor(ctx, ref, values["amount"])
		if err != nil {
			return b.errorReply(tickets.LangEnglish, err)
		}
		a.Amount = &n
	}
	switch a.Action {
	case tickets.ActionApprove, tickets.ActionDeny, tickets.ActionAsk:
		return b.act(ctx, a)
	}
	return &reply{content: "Unknown form."}
}

func orDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "-"
	}
	return s
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// escape keeps requester text from being read as Markdown or mentions.
func escape(s string) string {
	return strings.NewReplacer("*", "\\*", "_", "\\_", "`", "\\`", "~", "\\~", "|", "\\|", ">", "\\>", "@everyone", "@\u200beveryone", "@here", "@\u200bhere").Replace(s)
}
