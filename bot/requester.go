package bot

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"refunddesk/tickets"
)

// option returns a string option's value ("" when not given). A value
// that is not a string is none (discordgo's StringValue would panic).
func option(opts []*discordgo.ApplicationCommandInteractionDataOption, name string) string {
	for _, o := range opts {
		if o != nil && o.Name == name && o.Type == discordgo.ApplicationCommandOptionString {
			v, _ := o.Value.(string)
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// attachments returns the files given in attachment options, in order.
func attachments(d discordgo.ApplicationCommandInteractionData, names ...string) []*discordgo.MessageAttachment {
	var out []*discordgo.MessageAttachment
	for _, n := range names {
		for _, o := range d.Options {
			if o == nil || o.Name != n || o.Type != discordgo.ApplicationCommandOptionAttachment {
				continue
			}
			id, _ := o.Value.(string)
			if d.Resolved != nil && d.Resolved.Attachments[id] != nil {
				out = append(out, d.Resolved.Attachments[id])
			}
		}
	}
	return out
}

// download fetches evidence at once: attachment URLs on Discord's CDN are
// signed and expire. A file refused here (too big, not readable) comes back
// as a sentence for the requester.
func (b *Bot) download(ctx context.Context, language string, atts []*discordgo.MessageAttachment) ([]tickets.File, []string) {
	var files []tickets.File
	var refused []string
	limit := b.svc.Limits().MaxEvidenceBytes
	cat := b.tpl.Catalog()
	for _, a := range atts {
		if int64(a.Size) > limit {
			refused = append(refused, b.say(language, "refused_file", "File", a.Filename, "Why",
				cat.Problem(language, "evidence.too_large", tickets.Params{"Size": tickets.Bytes(a.Size), "Max": tickets.Bytes(limit)})))
			continue
		}
		data, err := b.fetch(ctx, a.URL, limit)
		if err != nil {
			b.log.Warn("download discord attachment", "file", a.Filename, "error", err)
			refused = append(refused, b.say(language, "refused_file", "File", a.Filename, "Why", b.say(language, "download")))
			continue
		}
		f := tickets.File{Name: a.Filename, Data: data}
		if _, err := b.svc.Limits().CheckEvidence(f); err != nil {
			refused = append(refused, b.say(language, "refused_file", "File", a.Filename, "Why", cat.Error(language, err)))
			continue
		}
		files = append(files, f)
	}
	return files, refused
}

func (b *Bot) fetch(ctx context.Context, url string, limit int64) ([]byte, error) {
	var last error
	for attempt := 0; attempt < 3; attempt++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return nil, err
		}
		resp, err := b.cdn.Do(req)
		if err != nil {
			last = err
		} else {
			data, rerr := io.ReadAll(io.LimitReader(resp.Body, limit+1))
			resp.Body.Close()
			switch {
			case rerr != nil:
				last = rerr
			case resp.StatusCode != http.StatusOK:
				last = fmt.Errorf("HTTP %d", resp.StatusCode)
				if resp.StatusCode < 500 {
					return nil, last
				}
			case int64(len(data)) > limit:
				return nil, fmt.Errorf("larger than %d bytes", limit)
			default:
				return data, nil
			}
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(time.Duration(attempt+1) * 300 * time.Millisecond):
		}
	}
	return nil, last
}

// overLimit answers a user who filed requests_per_hour requests in the last
// hour already (nil: they may file another).
func (b *Bot) overLimit(ctx context.Context, language string, r tickets.Requester) *reply {
	n, err := b.svc.Intake.RecentRequests(ctx, r, b.svc.Now().Add(-time.Hour))
	switch {
	case err != nil:
		return b.errorReply(language, err)
	case n >= b.cfg.RequestsPerHour:
		return &reply{content: b.say(language, "rate_limited", "Count", n)}
	}
	return nil
}

func (b *Bot) cmdRefund(ctx context.Context, i *discordgo.Interaction, d discordgo.ApplicationCommandInteractionData) *reply {
	language := b.lang(i.Locale)
	who := requester(i)
	if r := b.overLimit(ctx, language, who); r != nil {
		return r
	}
	files, refused := b.download(ctx, language, attachments(d, "evidence", "evidence2", "evidence3"))
	res, err := b.svc.Intake.Submit(ctx, tickets.SubmitRequest{Kind: tickets.KindRefund, Channel: tickets.ChannelDiscord, Requester: who,
		Account: option(d.Options, "account"), Order: option(d.Options, "order"), Reason: tickets.Reason(option(d.Options, "reason")),
		Details: option(d.Options, "details"), Language: language, Evidence: files,
		IdempotencyKey: "discord:" + i.ID, ExternalID: "interaction:" + i.ID})
	if err != nil {
		return b.errorReply(language, err)
	}
	return b.submitted(language, res, refused)
}

func (b *Bot) cmdRevoke(ctx context.Context, i *discordgo.Interaction, d discordgo.ApplicationCommandInteractionData) *reply {
	language := b.lang(i.Locale)
	who := requester(i)
	if r := b.overLimit(ctx, language, who); r != nil {
		return r
	}
	details := strings.TrimSpace(option(d.Options, "reason") + "\n" + option(d.Options, "details"))
	res, err := b.svc.Intake.Submit(ctx, tickets.SubmitRequest{Kind: tickets.KindRevocation, Channel: tickets.ChannelDiscord, Requester: who,
		Account: option(d.Options, "account"), Details: details, Language: language,
		IdempotencyKey: "discord:" + i.ID, ExternalID: "interaction:" + i.ID})
	if err != nil {
		return b.errorReply(language, err)
	}
	return b.submitted(language, res, nil)
}

// submitted says what became of a request: the reference, the verdict in
// plain words, what is still missing, and any file that was refused.
func (b *Bot) submitted(language string, res *tickets.SubmitResult, refused []string) *reply {
	t := res.Ticket
	var lines []string
	switch res.Outcome {
	case tickets.OutcomeReceived:
		// Someone else's ticket is open for the order: nothing of it is said.
		return &reply{content: strings.Join(append([]string{b.say(language, "received")}, refused...), "\n")}
	case tickets.OutcomeJoined:
		lines = append(lines, b.say(language, "joined", "Ref", "**"+t.Ref+"**"))
	case tickets.OutcomeDuplicate:
		lines = append(lines, b.say(language, "duplicate", "Ref", "**"+t.Ref+"**"))
	default:
		lines = append(lines, b.say(language, "created", "Ref", "**"+t.Ref+"**"))
	}
	if t.Kind != "" && t.Eligibility.Verdict != "" {
		lines = append(lines, b.ticketLines(language, t)...)
	}
	lines = append(lines, refused...)
	return &reply{content: strings.Join(lines, "\n")}
}

// ticketLines describe a ticket to its requester, in the language of the
// Discord client (language); the verdict's explanation is in the ticket's
// language, as every other message to the requester about it.
func (b *Bot) ticketLines(language string, t *tickets.Ticket) []string {
	cat := b.tpl.Catalog()
	lines := []string{b.say(language, "status", "Status", cat.StatusName(t.Status, language))}
	if step, ok := t.Eligibility.Deciding(); ok {
		// The caller may not be the order's owner (an account that differs
		// from the record's): the owner's account is not theirs to learn.
		step.Params.OrderAccount = ""
		lines = append(lines, b.say(language, "verdict", "Verdict", cat.Rule(step, t.Language)))
	}
	if missing := b.svc.Intake.Missing(t); len(missing) > 0 && t.Status == tickets.StatusNeedsInfo {
		var names []string
		for _, m := range missing {
			names = append(names, cat.MissingName(m, language))
		}
		lines = append(lines, b.say(language, "missing", "Missing", strings.Join(names, "; ")))
	} else if t.Status == tickets.StatusInReview {
		lines = append(lines, b.say(language, "review"))
	}
	return lines
}

func (b *Bot) cmdStatus(ctx context.Context, i *discordgo.Interaction, d discordgo.ApplicationCommandInteractionData) *reply {
	language := b.lang(i.Locale)
	who := requester(i)
	if ref := option(d.Options, "ref"); ref != "" {
		t, err := b.svc.Records.RequesterTicket(ctx, who, ref)
		if err != nil {
			if tickets.IsValidation(err) || isNotFound(err) {
				return &reply{content: b.say(language, "not_found", "Ref", strings.ToUpper(ref))}
			}
			return b.errorReply(language, err)
		}
		return &reply{content: strings.Join(append([]string{"**" + t.Ref + "**"}, b.ticketLines(language, t)...), "\n")}
	}
	list, err := b.svc.Records.RequesterTickets(ctx, who, 10)
	if err != nil {
		return b.errorReply(language, err)
	}
	if len(list) == 0 {
		return &reply{content: b.say(language, "no_tickets")}
	}
	lines := []string{b.say(language, "your_tickets")}
	for _, t := range list {
		line := fmt.Sprintf("**%s** · %s · %s", t.Ref, b.tpl.Catalog().KindName(t.Kind, language), b.tpl.Catalog().StatusName(t.Status, language))
		if t.Order != "" {
			line += " · " + t.Order
		}
		lines = append(lines, line)
	}
	return &reply{content: strings.Join(lines, "\n")}
}

func (b *Bot) cmdEvidence(ctx context.Context, i *discordgo.Interaction, d discordgo.ApplicationCommandInteractionData) *reply {
	language := b.lang(i.Locale)
	ref := option(d.Options, "ref")
	files, refused := b.download(ctx, language, attachments(d, "file"))
	if len(files) == 0 {
		return &reply{content: strings.Join(refused, "\n")}
	}
	before, err := b.svc.Records.RequesterTicket(ctx, requester(i), ref)
	if err != nil {
		if tickets.IsValidation(err) || isNotFound(err) {
			return &reply{content: b.say(language, "not_found", "Ref", strings.ToUpper(ref))}
		}
		return b.errorReply(language, err)
	}
	res, err := b.svc.Intake.RequesterReply(ctx, tickets.RequesterUpdate{Ref: ref, Requester: requester(i), Channel: tickets.ChannelDiscord,
		Evidence: files, IdempotencyKey: "discord:" + i.ID, ExternalID: "interaction:" + i.ID})
	if err != nil {
		return b.answerError(language, ref, err)
	}
	if len(res.Ticket.Evidence) == len(before.Evidence) {
		return &reply{content: b.say(language, "evidence_dup", "Ref", res.Ticket.Ref)}
	}
	lines := append([]string{b.say(language, "evidence_ok", "Ref", "**"+res.Ticket.Ref+"**")}, b.ticketLines(language, res.Ticket)...)
	return &reply{content: strings.Join(lines, "\n")}
}

func (b *Bot) cmdReply(ctx context.Context, i *discordgo.Interaction, d discordgo.ApplicationCommandInteractionData) *reply {
	language := b.lang(i.Locale)
	ref := option(d.Options, "ref")
	res, err := b.svc.Intake.RequesterReply(ctx, tickets.RequesterUpdate{Ref: ref, Requester: requester(i), Channel: tickets.ChannelDiscord,
		Text: option(d.Options, "text"), IdempotencyKey: "discord:" + i.ID, ExternalID: "interaction:" + i.ID})
	if err != nil {
		return b.answerError(language, ref, err)
	}
	lines := append([]string{b.say(language, "reply_ok", "Ref", "**"+res.Ticket.Ref+"**")}, b.ticketLines(language, res.Ticket)...)
	return &reply{content: strings.Join(lines, "\n")}
}

func (b *Bot) answerError(language, ref string, err error) *reply {
	if isNotFound(err) {
		return &reply{content: b.say(language, "not_found", "Ref", strings.ToUpper(ref))}
	}
	return b.errorReply(language, err)
}
