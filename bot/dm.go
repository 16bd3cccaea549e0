package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/bwmarrin/discordgo"

	"refunddesk/templates"
	"refunddesk/tickets"
)

// SendDMsOnce delivers the Discord messages the outbox has queued for
// requesters, as direct messages. Closed DMs (error 50007) are recorded on
// the ticket, and the message goes by mail when the ticket has an address.
func (b *Bot) SendDMsOnce(ctx context.Context) (int, error) {
	st, err := b.svc.Delivery.DeliverOutbox(ctx, tickets.ChannelDiscord, 20, dmLease, b.sendDM)
	return st.Sent, err
}

func (b *Bot) sendDM(ctx context.Context, it tickets.OutboxItem) tickets.OutboxResult {
	var name string
	if t, err := b.svc.Records.Ticket(ctx, it.TicketRef); err == nil {
		name = t.Requester.Name
	}
	msg, err := b.tpl.Render(templates.FlavourDiscord, it.Template, templates.Data{MessageData: it.Data, Language: it.Language, RequesterName: name})
	if err != nil {
		return tickets.OutboxResult{Err: "cannot write the message: " + err.Error(), Permanent: true}
	}
	ch, err := b.s.UserChannelCreate(it.Recipient, discordgo.WithContext(ctx))
	if err == nil && it.Attempts > 1 {
		// Tried before: an earlier try may have been delivered with its
		// answer lost. The same words among the bot's last messages there
		// are that delivery.
		if m := b.findDM(ctx, ch.ID, msg.Text); m != nil {
			return tickets.OutboxResult{Sent: true, ExternalID: m.ID}
		}
	}
	if err == nil {
		var m *discordgo.Message
		m, err = b.s.ChannelMessageSendComplex(ch.ID, &discordgo.MessageSend{Content: msg.Text,
			AllowedMentions: &discordgo.MessageAllowedMentions{}}, discordgo.WithContext(ctx))
		if err == nil {
			return tickets.OutboxResult{Sent: true, ExternalID: m.ID}
		}
	}
	var re *discordgo.RESTError
	if errors.As(err, &re) && re.Message != nil && re.Message.Code == discordgo.ErrCodeCannotSendMessagesToThisUser {
		rerouted, derr := b.svc.Delivery.Unreachable(ctx, it, "the user's direct messages are closed (Discord error 50007)")
		if derr != nil {
			return tickets.OutboxResult{Err: derr.Error()}
		}
		b.log.Info("discord DMs closed", slog.String("ticket", it.TicketRef), slog.Bool("sent_by_mail", rerouted))
		return tickets.OutboxResult{Err: fmt.Sprintf("direct messages closed (50007); sent by mail instead: %v", rerouted), Permanent: true}
	}
	return b.restResult(err)
}

// findDM looks among the last messages of a DM channel for one the bot sent
// with exactly this text (nil when none, or the channel cannot be read).
func (b *Bot) findDM(ctx context.Context, channelID, text string) *discordgo.Message {
	msgs, err := b.s.ChannelMessages(channelID, 20, "", "", "", discordgo.WithContext(ctx))
	if err != nil {
		b.log.Warn("look for an earlier direct message", slog.Any("error", err))
		return nil
	}
	for _, m := range msgs {
		if b.own(m) && m.Content == text {
			return m
		}
	}
	return nil
}

// Run delivers the outbox's Discord messages and agent cards until ctx ends.
func (b *Bot) Run(ctx context.Context, interval time.Duration) {
	// A batch that has begun is finished even when ctx ends (DeliverOutbox).
	for {
		if _, err := b.SendDMsOnce(ctx); err != nil && ctx.Err() == nil {
			b.log.Warn("discord DMs", slog.Any("error", err))
		}
		if _, err := b.SendCardsOnce(ctx); err != nil && ctx.Err() == nil {
			b.log.Warn("discord agent cards", slog.Any("error", err))
		}
		if _, err := b.SendAlertsOnce(ctx); err != nil && ctx.Err() == nil {
			b.log.Warn("discord agent alerts", slog.Any("error", err))
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(interval):
		}
	}
}
