package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"refunddesk/tickets"
)

// The bot's outbox channels for the agents. The desk queues an item on
// ChannelCard whenever a ticket changes (the bot registers it as a watcher,
// tickets.Options.Watchers) and its alerts to the agents on ChannelAlert
// (tickets.Options.Alerts). The names are stored in outbox rows.
const (
	ChannelCard  tickets.Channel = "discord_card"
	ChannelAlert tickets.Channel = "discord_alert"
)

// CardStore keeps where each ticket's card is in the agent channel.
// tickets/sqlstore implements it.
type CardStore interface {
	// Card returns where a ticket's card is (tickets.ErrNotFound before it
	// is first posted).
	Card(ctx context.Context, ticketID int64) (channelID, messageID string, err error)
	// SetCard records where a ticket's card is.
	SetCard(ctx context.Context, ticketID int64, channelID, messageID string) error
}

var statusColor = map[tickets.Status]int{
	tickets.StatusNew: 0x3b82f6, tickets.StatusNeedsInfo: 0xf59e0b, tickets.StatusInReview: 0x3b82f6,
	tickets.StatusWaitingPlatform: 0x8b5cf6, tickets.StatusApproved: 0x10b981, tickets.StatusDenied: 0xef4444,
	tickets.StatusResolved: 0x6b7280, tickets.StatusClosed: 0x6b7280,
}

// cardEmbed shows a ticket to the agents.
func (b *Bot) cardEmbed(t *tickets.Ticket) *discordgo.MessageEmbed {
	f := func(name, value string, inline bool) *discordgo.MessageEmbedField {
		return &discordgo.MessageEmbedField{Name: name, Value: orDash(value), Inline: inline}
	}
	who := t.Requester.Name
	switch {
	case t.Requester.DiscordID != "":
		who = strings.TrimSpace(who + " <@" + t.Requester.DiscordID + ">")
	case t.Requester.Email != "":
		who = strings.TrimSpace(who + " " + t.Requester.Email)
	}
	fields := []*discordgo.MessageEmbedField{
		f("Status", string(t.Status), true), f("Verdict", verdictShort(t), true), f("Assignee", escape(t.Assignee), true),
		f("Account", b.sourced(t, "account", escape(t.Account)), true), f("Order", b.sourced(t, "order", t.Order), true),
		f("Reason", b.sourced(t, "reason", string(t.Reason)), true),
		f("Requester", fmt.Sprintf("%s via %s (%s)", escape(who), t.Channel, t.Language), false),
	}
	if step, ok := t.Eligibility.Deciding(); ok {
		fields = append(fields, f("Why ("+step.Rule+")", truncate(b.tpl.Catalog().Rule(step, tickets.LangEnglish), 1000), false))
	}
	if len(t.Flags) > 0 {
		fields = append(fields, f("Flags", strings.Join(t.Flags, ", "), false))
	}
	if t.Details != "" {
		fields = append(fields, f("Details", truncate(escape(t.Details), 800), false))
	}
	if len(t.Evidence) > 0 {
		var names []string
		for _, e := range t.Evidence {
			names = append(names, escape(e.Name))
		}
		fields = append(fields, f("Evidence", strings.Join(names, ", "), false))
	}
	return &discordgo.MessageEmbed{
		Title:       fmt.Sprintf("%s · %s", t.Ref, b.tpl.Catalog().KindName(t.Kind, tickets.LangEnglish)),
		Color:       statusColor[t.Status],
		Fields:      fields,
		Footer:      &discordgo.MessageEmbedFooter{Text: "updated " + t.UpdatedAt.UTC().Format("2006-01-02 15:04 UTC")},
		Timestamp:   t.CreatedAt.UTC().Format(time.RFC3339),
		Description: "",
	}
}

// sourced is a field's value with where it came from when the requester
// did not write it ("@toko.dewi.id (taken from the order's record)").
func (b *Bot) sourced(t *tickets.Ticket, field, value string) string {
	if value == "" {
		return ""
	}
	if note := b.tpl.Catalog().SourceNote(t, field, tickets.LangEnglish); note != "" {
		return value + " (" + note + ")"
	}
	return value
}

// detailEmbed is the card with the conversation's last messages.
func (b *Bot) detailEmbed(d *tickets.TicketDetail) *discordgo.MessageEmbed {
	e := b.cardEmbed(&d.Ticket)
	var lines []string
	msgs := d.Messages
	if len(msgs) > 5 {
		msgs = msgs[len(msgs)-5:]
	}
	for _, m := range msgs {
		lines = append(lines, fmt.Sprintf("`%s` %s %s: %s", m.CreatedAt.UTC().Format("01-02 15:04"), m.Kind, escape(m.Author),
			truncate(escape(b.tpl.Catalog().MessageBody(m, tickets.LangEnglish)), 200)))
	}
	if len(lines) > 0 {
		e.Description = truncate(strings.Join(lines, "\n"), 3500)
	}
	return e
}

// cardButtons are the actions the state machine allows now.
func (b *Bot) cardButtons(t *tickets.Ticket) []discordgo.MessageComponent {
	can := func(a tickets.Action) bool {
		_, err := tickets.Transition(t.Kind, t.Status, a)
		return err == nil
	}
	approve := "Approve"
	if t.Kind == tickets.KindRevocation {
		approve = "Forward"
	}
	buttons := []discordgo.MessageComponent{
		discordgo.Button{Label: "Claim", Style: discordgo.SecondaryButton, CustomID: "claim:" + t.Ref, Disabled: !can(tickets.ActionClaim)},
		discordgo.Button{Label: approve, Style: discordgo.SuccessButton, CustomID: "approve:" + t.Ref, Disabled: !can(tickets.ActionApprove)},
		discordgo.Button{Label: "Deny", Style: discordgo.DangerButton, CustomID: "deny:" + t.Ref, Disabled: !can(tickets.ActionDeny)},
		discordgo.Button{Label: "Ask for info", Style: discordgo.PrimaryButton, CustomID: "ask:" + t.Ref, Disabled: !can(tickets.ActionAsk)},
	}
	return []discordgo.MessageComponent{discordgo.ActionsRow{Components: buttons}}
}

// SendCardsOnce posts or edits the agent cards the outbox has queued.
func (b *Bot) SendCardsOnce(ctx context.Context) (int, error) {
	if b.cfg.AgentChannelID == "" {
		return 0, nil
	}
	st, err := b.svc.Delivery.DeliverOutbox(ctx, ChannelCard, 20, cardLease, b.sendCard)
	return st.Sent, err
}

func (b *Bot) sendCard(ctx context.Context, it tickets.OutboxItem) tickets.OutboxResult {
	t, err := b.svc.Records.Ticket(ctx, it.TicketRef)
	if err != nil {
		return tickets.OutboxResult{Err: err.Error(), Permanent: isNotFound(err)}
	}
	embed, buttons := b.cardEmbed(t), b.cardButtons(t)
	channel, msgID, err := b.cards.Card(ctx, t.ID)
	if isNotFound(err) && it.Attempts > 1 {
		// Tried before: an earlier try may have posted the card and stopped
		// before recording where. Take that card over rather than post a
		// second one.
		if m := b.findCard(ctx, t.Ref); m != nil {
			if err := b.cards.SetCard(ctx, t.ID, m.ChannelID, m.ID); err != nil {
				return tickets.OutboxResult{Err: err.Error()}
			}
			channel, msgID, err = m.ChannelID, m.ID, nil
		}
	}
	switch {
	case err == nil:
		_, err = b.s.ChannelMessageEditComplex(&discordgo.MessageEdit{Channel: channel, ID: msgID,
			Embeds: &[]*discordgo.MessageEmbed{embed}, Components: &buttons}, discordgo.WithContext(ctx))
		if err == nil {
			return tickets.OutboxResult{Sent: true, ExternalID: msgID}
		}
		if restCode(err) != http.StatusNotFound {
			return b.restResult(err)
		}
		// Deleted by someone: post it again.
	case !isNotFound(err):
		return tickets.OutboxResult{Err: err.Error()}
	}
	m, err := b.s.ChannelMessageSendComplex(b.cfg.AgentChannelID, &discordgo.MessageSend{Embeds: []*discordgo.MessageEmbed{embed},
		Components: buttons, AllowedMentions: &discordgo.MessageAllowedMentions{}}, discordgo.WithContext(ctx))
	if err != nil {
		return b.restResult(err)
	}
	if err := b.cards.SetCard(ctx, t.ID, m.ChannelID, m.ID); err != nil {
		// Tried again later, this card is found and taken over.
		b.log.Error("a card was posted but where could not be kept", slog.String("ticket", t.Ref), slog.Any("error", err))
		return tickets.OutboxResult{Err: "posted, but where could not be kept: " + err.Error(), RetryAt: b.svc.Now()}
	}
	return tickets.OutboxResult{Sent: true, ExternalID: m.ID}
}

// own reports whether the bot wrote a message (any bot's, before READY has
// said who this one is).
func (b *Bot) own(m *discordgo.Message) bool {
	self, _ := b.self.Load().(string)
	return m.Author != nil && (m.Author.ID == self || (self == "" && m.Author.Bot))
}

// findCard looks among the agent channel's last 100 messages for the bot's
// card of a ticket (nil when there is none, or the channel cannot be read).
func (b *Bot) findCard(ctx context.Context, ref string) *discordgo.Message {
	msgs, err := b.s.ChannelMessages(b.cfg.AgentChannelID, 100, "", "", "", discordgo.WithContext(ctx))
	if err != nil {
		b.log.Warn("look for an earlier card", slog.String("ticket", ref), slog.Any("error", err))
		return nil
	}
	for _, m := range msgs {
		if !b.own(m) {
			continue
		}
		for _, e := range m.Embeds {
			if strings.HasPrefix(e.Title, ref+" ·") {
				if m.ChannelID == "" {
					m.ChannelID = b.cfg.AgentChannelID
				}
				return m
			}
		}
	}
	return nil
}

// restCode is the HTTP status of a REST error (0 when not one).
func restCode(err error) int {
	var re *discordgo.RESTError
	if errors.As(err, &re) && re.Response != nil {
		return re.Response.StatusCode
	}
	return 0
}

// restResult classifies a REST failure: 4xx (but 429) will fail again the
// same way; 5xx, 429 and network trouble may clear up.
func (b *Bot) restResult(err error) tickets.OutboxResult {
	code := restCode(err)
	res := tickets.OutboxResult{Err: err.Error(), RetryAt: b.svc.Now().Add(30 * time.Second)}
	if code >= 400 && code < 500 && code != http.StatusTooManyRequests {
		res.Permanent = true
	}
	return res
}

// SendAlertsOnce posts the alerts the follow-ups queued for the agents (a
// ticket past its first-response target, a platform that has not answered,
// a refund approved and not marked paid) in the agent channel.
func (b *Bot) SendAlertsOnce(ctx context.Context) (int, error) {
	if b.cfg.AgentChannelID == "" {
		return 0, nil
	}
	st, err := b.svc.Delivery.DeliverOutbox(ctx, ChannelAlert, 20, cardLease, b.sendAlert)
	return st.Sent, err
}

func (b *Bot) sendAlert(ctx context.Context, it tickets.OutboxItem) tickets.OutboxResult {
	words := it.Data.Text // an alert queued before codes: its words
	if it.Data.Alert != nil {
		words = b.tpl.Catalog().Alert(tickets.LangEnglish, *it.Data.Alert)
	}
	text := "⏰ " + escape(words)
	if it.Attempts > 1 {
		// An earlier try may have posted it and lost the answer.
		if m := b.findMessage(ctx, text); m != nil {
			return tickets.OutboxResult{Sent: true, ExternalID: m.ID}
		}
	}
	send := &discordgo.MessageSend{Content: text, AllowedMentions: &discordgo.MessageAllowedMentions{}}
	if channel, msgID, err := b.cards.Card(ctx, it.TicketID); err == nil && channel == b.cfg.AgentChannelID {
		// Under the ticket's card, so agents can act on it from there.
		send.Reference = &discordgo.MessageReference{MessageID: msgID, ChannelID: channel, FailIfNotExists: new(false)}
	}
	m, err := b.s.ChannelMessageSendComplex(b.cfg.AgentChannelID, send, discordgo.WithContext(ctx))
	if err != nil {
		return b.restResult(err)
	}
	return tickets.OutboxResult{Sent: true, ExternalID: m.ID}
}

// findMessage looks among the agent channel's last 100 messages for one of
// the bot's with this text.
func (b *Bot) findMessage(ctx context.Context, text string) *discordgo.Message {
	msgs, err := b.s.ChannelMessages(b.cfg.AgentChannelID, 100, "", "", "", discordgo.WithContext(ctx))
	if err != nil {
		b.log.Warn("look for an earlier alert", slog.Any("error", err))
		return nil
	}
	for _, m := range msgs {
		if b.own(m) && m.Content == text {
			return m
		}
	}
	return nil
}
