package bot_test

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"refunddesk/bot"
	"refunddesk/internal/discordtest"
	"refunddesk/internal/storetest"
	"refunddesk/templates"
	"refunddesk/tickets"
	"refunddesk/tickets/sqlstore"
)

const (
	guild        = "900000000000000001"
	agentRole    = "900000000000000002"
	agentChannel = "900000000000000003"
	requestChan  = "900000000000000004"
	records      = "order_number,account,video_id,objective,amount,currency,payment_method,created_at,start_at,end_at,closed_at,status,promised_reach,delivered_reach,spend,incident,refunded\n" +
		"7301234567890000021,@rani.putri,v1,views,150000,IDR,wallet,2026-11-01T08:00:00Z,2026-11-01T09:00:00Z,2026-11-08T09:00:00Z,,completed,20000,2000,150000,false,0\n" +
		"7301234567890000035,@budi_kreasi,v2,views,80000,IDR,coins,2026-11-05T08:00:00Z,2026-11-05T09:00:00Z,2026-11-09T09:00:00Z,,completed,10000,1000,80000,false,0\n"
)

// botFixture is the bot against a loopback fake of Discord and a real store.
type botFixture struct {
	t     *testing.T
	ctx   context.Context
	clock *storetest.Clock
	svc   *tickets.Service
	db    *sqlstore.DB
	fake  *discordtest.Server
	bot   *bot.Bot
	cfg   bot.Config
	tpl   *templates.Engine
}

func newBotFixture(t *testing.T, dialect string) *botFixture {
	t.Helper()
	f := &botFixture{t: t, ctx: context.Background(), clock: storetest.NewClock(time.Date(2026, 11, 16, 4, 0, 0, 0, time.UTC))}
	db := storetest.Open(t, dialect, f.clock)
	f.db = db
	f.svc = tickets.NewService(db, tickets.Options{Clock: f.clock, Watchers: []tickets.Channel{bot.ChannelCard}, Alerts: []tickets.Channel{bot.ChannelAlert}})
	if _, err := f.svc.Records.ImportPromotions(f.ctx, strings.NewReader(records), tickets.ImportOptions{File: "r.csv"}); err != nil {
		t.Fatal(err)
	}
	var err error
	if f.fake, err = discordtest.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.fake.Close() })
	if f.tpl, err = templates.New(); err != nil {
		t.Fatal(err)
	}
	f.cfg = bot.Config{Token: "test-token", ApplicationID: f.fake.AppID(), GuildID: guild, AgentRoleIDs: []string{agentRole},
		AgentChannelID: agentChannel, APIURL: f.fake.URL(), RequestsPerHour: 5}
	f.bot = f.start()
	return f
}

func (f *botFixture) start() *bot.Bot {
	f.t.Helper()
	b, err := bot.New(f.cfg, bot.Options{Service: f.svc, Cards: f.db, Templates: f.tpl})
	if err != nil {
		f.t.Fatal(err)
	}
	if err := b.Start(f.ctx); err != nil {
		f.t.Fatal(err)
	}
	f.t.Cleanup(func() { b.Close() })
	ctx, cancel := context.WithTimeout(f.ctx, 10*time.Second)
	defer cancel()
	if err := f.fake.WaitReady(ctx); err != nil {
		f.t.Fatal(err)
	}
	return b
}

// send delivers an interaction and waits for its answer.
func (f *botFixture) send(i *discordgo.Interaction) discordtest.Callback {
	f.t.Helper()
	if err := f.fake.SendInteraction(i); err != nil {
		f.t.Fatal(err)
	}
	return f.wait(i)
}

func (f *botFixture) wait(i *discordgo.Interaction) discordtest.Callback {
	f.t.Helper()
	ctx, cancel := context.WithTimeout(f.ctx, 15*time.Second)
	defer cancel()
	cb, err := f.fake.WaitCallback(ctx, i.ID)
	if err != nil {
		f.t.Fatalf("no answer to %s: %v", i.ID, err)
	}
	return cb
}

// text is what an answer says (its content and embeds).
func text(cb discordtest.Callback) string {
	d := cb.Response.Data
	if d == nil {
		return ""
	}
	s := d.Content
	for _, e := range d.Embeds {
		s += "\n" + e.Title + "\n" + e.Description
		for _, fl := range e.Fields {
			s += "\n" + fl.Name + ": " + fl.Value
		}
		if e.Footer != nil {
			s += "\n" + e.Footer.Text
		}
	}
	return s
}

func requester(id, name string) []discordtest.InteractionOption {
	return []discordtest.InteractionOption{discordtest.WithUser(id, name), discordtest.InGuild(guild, requestChan)}
}

func agent(id, name string) []discordtest.InteractionOption {
	return []discordtest.InteractionOption{discordtest.WithUser(id, name), discordtest.InGuild(guild, agentChannel), discordtest.WithRoles(agentRole)}
}

func pngBytes() []byte {
	var b bytes.Buffer
	_ = png.Encode(&b, image.NewRGBA(image.Rect(0, 0, 4, 4)))
	return b.Bytes()
}

func (f *botFixture) refund(user, name, locale, account, order, reason string, extra ...discordtest.InteractionOption) discordtest.Callback {
	opts := append(requester(user, name), discordtest.WithLocale(locale), discordtest.StringOpt("account", account),
		discordtest.StringOpt("order", order), discordtest.StringOpt("reason", reason))
	return f.send(f.fake.Command("refund", append(opts, extra...)...))
}

func (f *botFixture) ticket(ref string) *tickets.TicketDetail {
	f.t.Helper()
	d, err := f.svc.Records.Detail(f.ctx, ref)
	if err != nil {
		f.t.Fatal(err)
	}
	return d
}

func TestBotRegistersCommandsOnce(t *testing.T) {
	t.Parallel()
	f := newBotFixture(t, "sqlite")
	cmds := f.fake.Commands(guild)
	var names []string
	for _, c := range cmds {
		names = append(names, c.Name)
	}
	want := "refund revoke status evidence reply queue ticket promo"
	if strings.Join(names, " ") != want {
		t.Fatalf("commands %v, want %s", names, want)
	}
	var reason *discordgo.ApplicationCommandOption
	for _, o := range cmds[0].Options {
		if o.Name == "reason" {
			reason = o
		}
	}
	if reason == nil || len(reason.Choices) != len(tickets.Reasons) || reason.Choices[0].NameLocalizations[discordgo.Locale("id")] == "" {
		t.Fatalf("reason choices %+v", reason)
	}
	// A restart overwrites with the same set: nothing changes.
	f.start()
	if f.fake.BulkOverwrites() != 2 || len(f.fake.Commands(guild)) != len(cmds) {
		t.Fatalf("after a restart: %d overwrites, %d commands", f.fake.BulkOverwrites(), len(f.fake.Commands(guild)))
	}
}

func TestBotRefundWithEvidence(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newBotFixture(t, dialect)
		att := f.fake.Attachment("hasil.png", pngBytes())
		cb := f.refund("111", "rani", "id", "@rani.putri", "7301234567890000021", "under_delivery",
			discordtest.StringOpt("details", "jangkauannya cuma 2rb"), discordtest.AttachmentOpt("evidence", att))
		got := text(cb)
		if cb.Response.Data.Flags&discordgo.MessageFlagsEphemeral == 0 || !strings.Contains(got, "RD-1") ||
			!strings.Contains(got, "Permintaan Anda tercatat") || !strings.Contains(got, "Jangkauan yang tercapai") {
			t.Fatalf("answer: %q (flags %d)", got, cb.Response.Data.Flags)
		}
		d := f.ticket("RD-1")
		if d.Channel != tickets.ChannelDiscord || d.Requester.DiscordID != "111" || len(d.Evidence) != 1 ||
			d.Evidence[0].ContentType != "image/png" || d.Language != tickets.LangIndonesian || d.Eligibility.Verdict != tickets.VerdictEligible {
			t.Fatalf("ticket %+v", d.Ticket)
		}
		// The acknowledgement by DM, and the agents' card.
		if n, err := f.bot.SendDMsOnce(f.ctx); err != nil || n != 1 {
			t.Fatalf("DMs: %d %v", n, err)
		}
		dms := f.fake.DMs("111")
		if len(dms) != 1 || !strings.Contains(dms[0].Content, "RD-1") {
			t.Fatalf("DMs %+v", dms)
		}
		if n, err := f.bot.SendCardsOnce(f.ctx); err != nil || n != 1 {
			t.Fatalf("cards: %d %v", n, err)
		}
		cards := f.fake.Messages(agentChannel)
		if len(cards) != 1 || len(cards[0].Embeds) != 1 || !strings.HasPrefix(cards[0].Embeds[0].Title, "RD-1") || len(cards[0].Components) != 1 {
			t.Fatalf("cards %+v", cards)
		}

		// A file that is not evidence is refused with a clear message; the
		// request goes through without it.
		zip := f.fake.Attachment("notes.zip", []byte("PK\x03\x04 not an image"))
		cb = f.refund("222", "budi", "en-US", "@budi_kreasi", "7301234567890000035", "under_delivery", discordtest.AttachmentOpt("evidence", zip))
		if got := text(cb); !strings.Contains(got, "RD-2") || !strings.Contains(got, "notes.zip was not kept") {
			t.Fatalf("refused file: %q", got)
		}
	})
}

func TestBotSameInteractionTwice(t *testing.T) {
	t.Parallel()
	f := newBotFixture(t, "sqlite")
	i := f.fake.Command("refund", append(requester("111", "rani"), discordtest.StringOpt("account", "@rani.putri"),
		discordtest.StringOpt("order", "7301234567890000021"), discordtest.StringOpt("reason", "rejected"))...)
	if err := f.fake.SendInteractionTwice(i); err != nil {
		t.Fatal(err)
	}
	f.wait(i)
	time.Sleep(300 * time.Millisecond) // the second delivery has had its chance
	if n := len(f.fake.Callbacks()); n != 1 {
		t.Fatalf("%d answers", n)
	}
	res, _ := f.svc.Records.Search(f.ctx, "", "", 10, "")
	if len(res.Tickets) != 1 || len(f.ticket("RD-1").Messages) != 0 && len(f.ticket("RD-1").Audit) > 6 {
		t.Fatalf("%d tickets", len(res.Tickets))
	}
}

func TestBotStatusShowsOwnTicketsOnly(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newBotFixture(t, dialect)
		f.refund("111", "rani", "en-US", "@rani.putri", "7301234567890000021", "rejected")
		f.refund("222", "budi", "en-US", "@budi_kreasi", "7301234567890000035", "rejected")
		cb := f.send(f.fake.Command("status", requester("111", "rani")...))
		if got := text(cb); !strings.Contains(got, "RD-1") || strings.Contains(got, "RD-2") {
			t.Fatalf("rani's status: %q", got)
		}
		cb = f.send(f.fake.Command("status", append(requester("111", "rani"), discordtest.StringOpt("ref", "RD-2"))...))
		if got := text(cb); !strings.Contains(got, "You have no request RD-2") {
			t.Fatalf("someone else's ticket: %q", got)
		}
		cb = f.send(f.fake.Command("status", append(requester("333", "nobody"), discordtest.WithLocale("id"))...))
		if got := text(cb); !strings.Contains(got, "Anda belum memiliki permintaan") {
			t.Fatalf("no tickets: %q", got)
		}
	})
}

func TestBotApproveNeedsTheAgentRole(t *testing.T) {
	t.Parallel()
	f := newBotFixture(t, "sqlite")
	f.refund("111", "rani", "en-US", "@rani.putri", "7301234567890000021", "rejected")
	before := f.ticket("RD-1")
	for _, i := range []*discordgo.Interaction{
		f.fake.Button("approve:RD-1", requester("111", "rani")...),
		f.fake.ModalSubmit("approve:RD-1", map[string]string{"amount": "150000", "text": ""}, requester("111", "rani")...),
		f.fake.Command("ticket", append(requester("111", "rani"), discordtest.Subcommand("claim", discordtest.StringOpt("ref", "RD-1")))...),
		f.fake.Command("queue", requester("111", "rani")...),
		f.fake.Button("claim:RD-1", discordtest.WithUser("111", "rani"), discordtest.InDM()),
	} {
		if got := text(f.send(i)); !strings.Contains(got, "Only agents can do this") {
			t.Fatalf("%s: %q", i.ID, got)
		}
	}
	after := f.ticket("RD-1")
	if after.Status != before.Status || after.Assignee != "" || len(after.Audit) != len(before.Audit) {
		t.Fatalf("a refused action changed the ticket: %s %q %d", after.Status, after.Assignee, len(after.Audit))
	}
}

func TestBotAgentApprovesThroughTheModal(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newBotFixture(t, dialect)
		f.refund("111", "rani", "id", "@rani.putri", "7301234567890000021", "under_delivery",
			discordtest.AttachmentOpt("evidence", f.fake.Attachment("hasil.png", pngBytes())))
		f.bot.SendCardsOnce(f.ctx)
		f.bot.SendDMsOnce(f.ctx)
		card := f.fake.Messages(agentChannel)[0]

		// Approve opens a form with the computed amount.
		cb := f.send(f.fake.Button("approve:RD-1", append(agent("900", "ayu"), discordtest.OnMessage(agentChannel, card.ID))...))
		if cb.Response.Type != discordgo.InteractionResponseModal || !strings.Contains(string(cb.RawComponents), `"value":"135000"`) {
			t.Fatalf("approve button: type %d, %s", cb.Response.Type, cb.RawComponents)
		}
		cb = f.send(f.fake.ModalSubmit("approve:RD-1", map[string]string{"amount": "120000", "text": "partial, agreed"}, agent("900", "ayu")...))
		if got := text(cb); !strings.Contains(got, "**RD-1** approve: approved") || !strings.Contains(got, "IDR 120,000") {
			t.Fatalf("approval: %q", got)
		}
		d := f.ticket("RD-1")
		if d.Status != tickets.StatusApproved || *d.ApprovedAmount != 120000 || d.Audit[len(d.Audit)-1].Actor != "ayu" {
			t.Fatalf("ticket %s %v", d.Status, d.ApprovedAmount)
		}
		// The card is edited in place, and the requester's DM is queued and sent.
		if n, _ := f.bot.SendCardsOnce(f.ctx); n != 1 {
			t.Fatalf("card updates: %d", n)
		}
		card, _ = f.fake.Message(agentChannel, card.ID)
		if len(f.fake.Messages(agentChannel)) != 1 || card.Edited.IsZero() || !strings.Contains(card.Embeds[0].Fields[0].Value, "approved") {
			t.Fatalf("card %+v", card)
		}
		if n, _ := f.bot.SendDMsOnce(f.ctx); n != 1 {
			t.Fatalf("DMs: %d", n)
		}
		dms := f.fake.DMs("111")
		if len(dms) != 2 || !strings.Contains(dms[1].Content, "Rp120.000") {
			t.Fatalf("approval DM: %+v", dms)
		}
		// Deny and Ask open forms; a deny needs a reason.
		f.refund("222", "budi", "en-US", "@budi_kreasi", "7301234567890000035", "under_delivery")
		cb = f.send(f.fake.Button("ask:RD-2", agent("900", "ayu")...))
		if cb.Response.Type != discordgo.InteractionResponseModal {
			t.Fatalf("ask button: %d", cb.Response.Type)
		}
		cb = f.send(f.fake.ModalSubmit("ask:RD-2", map[string]string{"text": "Please send the results screenshot"}, agent("900", "ayu")...))
		if got := text(cb); !strings.Contains(got, "needs_info") {
			t.Fatalf("ask: %q", got)
		}
		cb = f.send(f.fake.ModalSubmit("deny:RD-2", map[string]string{"text": ""}, agent("900", "ayu")...))
		if got := text(cb); !strings.Contains(got, "reason") {
			t.Fatalf("deny without a reason: %q", got)
		}
	})
}

func TestBotClosedDMs(t *testing.T) {
	t.Parallel()
	f := newBotFixture(t, "sqlite")
	// A Discord requester who also gave a mail address, and one who did not.
	for _, r := range []tickets.SubmitRequest{
		{Kind: tickets.KindRefund, Channel: tickets.ChannelDiscord, Requester: tickets.Requester{DiscordID: "111", Email: "rani@example.id"}, Order: "7301234567890000021", Details: "a"},
		{Kind: tickets.KindRefund, Channel: tickets.ChannelDiscord, Requester: tickets.Requester{DiscordID: "222"}, Order: "7301234567890000035", Details: "b"},
	} {
		if _, err := f.svc.Intake.Submit(f.ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	f.fake.CloseDMs("111")
	f.fake.CloseDMs("222")
	if n, err := f.bot.SendDMsOnce(f.ctx); err != nil || n != 0 {
		t.Fatalf("DMs: %d %v", n, err)
	}
	// messages are the ticket's outbox without the agents' cards.
	messages := func(ref string) []tickets.OutboxItem {
		var out []tickets.OutboxItem
		for _, o := range f.ticket(ref).Outbox {
			if o.Channel != bot.ChannelCard {
				out = append(out, o)
			}
		}
		return out
	}
	for _, ref := range []string{"RD-1", "RD-2"} {
		d := f.ticket(ref)
		if !d.HasFlag(tickets.FlagUnreachable) {
			t.Fatalf("%s not flagged: %v", ref, d.Flags)
		}
		if o := messages(ref)[0]; o.Status != tickets.OutboxFailed || !strings.Contains(o.LastError, "50007") {
			t.Fatalf("%s outbox %+v", ref, o)
		}
	}
	// Rani's message goes by mail instead; Budi has no address.
	if o := messages("RD-1"); len(o) != 2 || o[1].Channel != tickets.ChannelEmail || o[1].Recipient != "rani@example.id" {
		t.Fatalf("rerouted: %+v", o)
	}
	if o := messages("RD-2"); len(o) != 1 {
		t.Fatalf("budi: %+v", o)
	}
	// Later messages to Rani go by mail from the start.
	if _, err := f.svc.Desk.Act(f.ctx, tickets.ActionRequest{Ref: "RD-1", Actor: "ayu", Action: tickets.ActionReply, Text: "hi"}); err != nil {
		t.Fatal(err)
	}
	if o := messages("RD-1"); o[len(o)-1].Channel != tickets.ChannelEmail {
		t.Fatalf("after the flag: %+v", o[len(o)-1])
	}
}

func TestBotRateLimitsAndServerErrorsAreRetried(t *testing.T) {
	t.Parallel()
	f := newBotFixture(t, "sqlite")
	f.fake.RateLimit("POST", "/interactions/", 1, 200*time.Millisecond)
	cb := f.refund("111", "rani", "en-US", "@rani.putri", "7301234567890000021", "rejected")
	if !strings.Contains(text(cb), "RD-1") {
		t.Fatalf("after a 429: %q", text(cb))
	}
	f.fake.Fail("POST", "/channels/", 1, 503)
	if n, err := f.bot.SendCardsOnce(f.ctx); err != nil || n != 1 {
		t.Fatalf("card after a 503: %d %v", n, err)
	}
	var limited, failed int
	for _, r := range f.fake.Requests() {
		if r.Injected && r.Status == 429 {
			limited++
		}
		if r.Injected && r.Status == 503 {
			failed++
		}
	}
	if limited != 1 || failed != 1 || len(f.fake.Messages(agentChannel)) != 1 {
		t.Fatalf("429s %d, 503s %d, cards %d", limited, failed, len(f.fake.Messages(agentChannel)))
	}
}

func TestBotResumesAfterADisconnect(t *testing.T) {
	t.Parallel()
	f := newBotFixture(t, "sqlite")
	if err := f.fake.DropConnection(); err != nil {
		t.Fatal(err)
	}
	// Sent while the bot is away: delivered when it resumes.
	i := f.fake.Command("status", requester("111", "rani")...)
	if err := f.fake.SendInteraction(i); err != nil {
		t.Fatal(err)
	}
	cb := f.wait(i)
	if !strings.Contains(text(cb), "You have no requests") {
		t.Fatalf("answer after the resume: %q", text(cb))
	}
	if f.fake.Resumes() != 1 || f.fake.Identifies() != 1 {
		t.Fatalf("resumes %d identifies %d", f.fake.Resumes(), f.fake.Identifies())
	}
}

func TestBotAgentCommands(t *testing.T) {
	t.Parallel()
	f := newBotFixture(t, "sqlite")
	f.refund("111", "rani", "en-US", "@rani.putri", "7301234567890000021", "rejected")
	f.refund("222", "budi", "en-US", "@budi_kreasi", "7301234567890000035", "under_delivery")
	cb := f.send(f.fake.Command("queue", append(agent("900", "ayu"), discordtest.StringOpt("query", "status:in_review,needs_info"))...))
	if got := text(cb); !strings.Contains(got, "RD-1") || !strings.Contains(got, "RD-2") {
		t.Fatalf("queue: %q", got)
	}
	cb = f.send(f.fake.Command("queue", append(agent("900", "ayu"), discordtest.StringOpt("query", "stauts:new"))...))
	if got := text(cb); !strings.Contains(got, "did you mean status") {
		t.Fatalf("query error: %q", got)
	}
	cb = f.send(f.fake.Command("ticket", append(agent("900", "ayu"), discordtest.Subcommand("claim", discordtest.StringOpt("ref", "RD-2")))...))
	if got := text(cb); !strings.Contains(got, "assigned to ayu") {
		t.Fatalf("claim: %q", got)
	}
	cb = f.send(f.fake.Command("queue", append(agent("900", "ayu"), discordtest.StringOpt("query", "assignee:me"))...))
	if got := text(cb); !strings.Contains(got, "RD-2") || strings.Contains(got, "RD-1") {
		t.Fatalf("assignee:me: %q", got)
	}
	cb = f.send(f.fake.Command("ticket", append(agent("900", "ayu"), discordtest.Subcommand("show", discordtest.StringOpt("ref", "RD-2")))...))
	if got := text(cb); !strings.Contains(got, "RD-2") || !strings.Contains(got, "@budi\\_kreasi") {
		t.Fatalf("show: %q", got)
	}
	cb = f.send(f.fake.Command("ticket", append(agent("900", "ayu"), discordtest.Subcommand("note", discordtest.StringOpt("ref", "RD-2"), discordtest.StringOpt("text", "checked")))...))
	if got := text(cb); !strings.Contains(got, "**RD-2** note") {
		t.Fatalf("note: %q", got)
	}
	cb = f.send(f.fake.Command("ticket", append(agent("900", "ayu"), discordtest.Subcommand("resolve", discordtest.StringOpt("ref", "RD-2")))...))
	if got := text(cb); !strings.Contains(got, "cannot resolve") {
		t.Fatalf("refused transition: %q", got)
	}
	cb = f.send(f.fake.Command("promo", append(agent("900", "ayu"), discordtest.StringOpt("order", "7301234567890000035"))...))
	if got := text(cb); !strings.Contains(got, "Order 7301234567890000035") || !strings.Contains(got, "RD-2") {
		t.Fatalf("promo: %q", got)
	}
	// Paging: one ticket a page is too few to show, so make more.
	for i := 0; i < 12; i++ {
		if _, err := f.svc.Intake.Submit(f.ctx, tickets.SubmitRequest{Kind: tickets.KindRevocation, Channel: tickets.ChannelAgent, Actor: "ayu",
			Account: "@acc" + string(rune('a'+i)), Details: "x"}); err != nil {
			t.Fatal(err)
		}
	}
	cb = f.send(f.fake.Command("queue", append(agent("900", "ayu"), discordtest.StringOpt("query", "kind:revocation"))...))
	next := ""
	for _, row := range cb.Response.Data.Components {
		for _, c := range row.(*discordgo.ActionsRow).Components {
			if b := c.(*discordgo.Button); b.Label == "Next" && !b.Disabled {
				next = b.CustomID
			}
		}
	}
	if next == "" {
		t.Fatal("no Next button")
	}
	cb = f.send(f.fake.Button(next, agent("900", "ayu")...))
	if got := text(cb); !strings.Contains(got, "page 2") || strings.Count(got, "RD-") != 2 {
		t.Fatalf("page 2: %q", got)
	}
	// Every ticket gets a card, whichever channel it came by.
	if _, err := f.svc.Intake.Submit(f.ctx, tickets.SubmitRequest{Kind: tickets.KindRevocation, Channel: tickets.ChannelEmail,
		Requester: tickets.Requester{Email: "sari@example.id"}, Account: "@sari", Details: "cabut izin"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.bot.SendCardsOnce(f.ctx); err != nil {
		t.Fatal(err)
	}
	cards := f.fake.Messages(agentChannel)
	byChannel := map[string]int{}
	for _, m := range cards {
		for _, ch := range []string{"via discord", "via agent", "via email"} {
			for _, fl := range m.Embeds[0].Fields {
				if strings.Contains(fl.Value, ch) {
					byChannel[ch]++
				}
			}
		}
	}
	if len(cards) != 15 || byChannel["via discord"] != 2 || byChannel["via agent"] != 12 || byChannel["via email"] != 1 {
		t.Fatalf("%d cards: %v", len(cards), byChannel)
	}
}

func TestBotRequesterLimitAndReplies(t *testing.T) {
	t.Parallel()
	f := newBotFixture(t, "sqlite")
	f.cfg.RequestsPerHour = 2
	f.bot.Close()
	f.bot = f.start()
	cb := f.send(f.fake.Command("revoke", append(requester("111", "rani"), discordtest.StringOpt("account", "@a1"))...))
	if !strings.Contains(text(cb), "RD-1") {
		t.Fatalf("first: %q", text(cb))
	}
	f.send(f.fake.Command("revoke", append(requester("111", "rani"), discordtest.StringOpt("account", "@a2"))...))
	cb = f.send(f.fake.Command("revoke", append(requester("111", "rani"), discordtest.StringOpt("account", "@a3"))...))
	if got := text(cb); !strings.Contains(got, "You have filed 2 requests in the last hour") {
		t.Fatalf("over the limit: %q", got)
	}
	f.clock.Advance(61 * time.Minute)
	// A refund without evidence waits on the requester; /evidence and /reply answer.
	cb = f.refund("111", "rani", "en-US", "@rani.putri", "7301234567890000021", "under_delivery")
	if got := text(cb); !strings.Contains(got, "Still needed") || f.ticket("RD-3").Status != tickets.StatusNeedsInfo {
		t.Fatalf("needs info: %q", got)
	}
	att := f.fake.Attachment("shot.png", pngBytes())
	cb = f.send(f.fake.Command("evidence", append(requester("111", "rani"), discordtest.StringOpt("ref", "RD-3"), discordtest.AttachmentOpt("file", att))...))
	if got := text(cb); !strings.Contains(got, "The file was added to **RD-3**") || f.ticket("RD-3").Status != tickets.StatusInReview {
		t.Fatalf("evidence: %q %s", got, f.ticket("RD-3").Status)
	}
	cb = f.send(f.fake.Command("reply", append(requester("222", "budi"), discordtest.StringOpt("ref", "RD-3"), discordtest.StringOpt("text", "mine now"))...))
	if got := text(cb); !strings.Contains(got, "You have no request RD-3") {
		t.Fatalf("someone else's reply: %q", got)
	}
	cb = f.send(f.fake.Command("reply", append(requester("111", "rani"), discordtest.StringOpt("ref", "RD-3"), discordtest.StringOpt("text", "it ended on the 8th"))...))
	if got := text(cb); !strings.Contains(got, "Your answer was added to **RD-3**") {
		t.Fatalf("reply: %q", got)
	}
}

// Work that takes longer than Discord's 3 seconds is acknowledged at once
// and answered when done (here: a slow download of the evidence).
func TestBotDefersSlowWork(t *testing.T) {
	t.Parallel()
	f := newBotFixture(t, "sqlite")
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		time.Sleep(2500 * time.Millisecond)
		w.Write(pngBytes())
	}))
	defer slow.Close()
	att := &discordgo.MessageAttachment{ID: "555", URL: slow.URL + "/shot.png", Filename: "shot.png", Size: len(pngBytes()), ContentType: "image/png"}
	i := f.fake.Command("refund", append(requester("111", "rani"), discordtest.StringOpt("account", "@rani.putri"),
		discordtest.StringOpt("order", "7301234567890000021"), discordtest.StringOpt("reason", "under_delivery"),
		discordtest.AttachmentOpt("evidence", att))...)
	cb := f.send(i)
	if cb.Response.Type != discordgo.InteractionResponseDeferredChannelMessageWithSource || cb.Latency() > 2900*time.Millisecond {
		t.Fatalf("first answer: type %d after %s", cb.Response.Type, cb.Latency())
	}
	ctx, cancel := context.WithTimeout(f.ctx, 15*time.Second)
	defer cancel()
	m, err := f.fake.WaitOriginal(ctx, i.Token, nil)
	if err != nil || !strings.Contains(m.Content, "RD-1") {
		t.Fatalf("the deferred answer: %+v %v", m, err)
	}
	if d := f.ticket("RD-1"); len(d.Evidence) != 1 {
		t.Fatalf("evidence: %d", len(d.Evidence))
	}
}

// A card whose post took effect but whose answer was lost is not posted
// twice: the next try finds it in the agent channel and edits it.
func TestBotCardIsPostedOnceWhenTheAnswerIsLost(t *testing.T) {
	t.Parallel()
	f := newBotFixture(t, "sqlite")
	f.fake.LoseAnswer("POST", "/channels/"+agentChannel+"/messages", 1, http.StatusInternalServerError)
	f.refund("111", "rani", "id", "@rani.putri", "7301234567890000021", "under_delivery")
	if n, err := f.bot.SendCardsOnce(f.ctx); err != nil || n != 0 {
		t.Fatalf("first try: %d %v", n, err)
	}
	if got := len(f.fake.Messages(agentChannel)); got != 1 {
		t.Fatalf("the first try posted %d cards", got)
	}
	f.clock.Advance(time.Minute) // the retry is due
	if n, err := f.bot.SendCardsOnce(f.ctx); err != nil || n != 1 {
		t.Fatalf("second try: %d %v", n, err)
	}
	msgs := f.fake.Messages(agentChannel)
	if len(msgs) != 1 || msgs[0].Edited.IsZero() {
		t.Fatalf("cards after the retry: %d (the first edited: %v)", len(msgs), !msgs[0].Edited.IsZero())
	}
	// Later changes edit that card too.
	f.send(f.fake.Button("claim:RD-1", agent("900", "ayu")...))
	if n, _ := f.bot.SendCardsOnce(f.ctx); n != 1 || len(f.fake.Messages(agentChannel)) != 1 {
		t.Fatalf("after a claim: %d cards", len(f.fake.Messages(agentChannel)))
	}
	if m, _ := f.fake.Message(agentChannel, msgs[0].ID); !strings.Contains(m.Embeds[0].Fields[2].Value, "ayu") {
		t.Fatalf("card not edited: %+v", m.Embeds[0].Fields)
	}
}

// Likewise a direct message delivered with its answer lost is not sent again.
func TestBotDMIsSentOnceWhenTheAnswerIsLost(t *testing.T) {
	t.Parallel()
	f := newBotFixture(t, "sqlite")
	f.refund("111", "rani", "id", "@rani.putri", "7301234567890000021", "under_delivery")
	f.fake.LoseAnswer("POST", "/channels/", 1, http.StatusInternalServerError)
	if n, err := f.bot.SendDMsOnce(f.ctx); err != nil || n != 0 {
		t.Fatalf("first try: %d %v", n, err)
	}
	if got := len(f.fake.DMs("111")); got != 1 {
		t.Fatalf("the first try sent %d DMs", got)
	}
	f.clock.Advance(time.Minute)
	if n, err := f.bot.SendDMsOnce(f.ctx); err != nil || n != 1 {
		t.Fatalf("second try: %d %v", n, err)
	}
	if got := len(f.fake.DMs("111")); got != 1 {
		t.Fatalf("after the retry: %d DMs", got)
	}
	for _, o := range f.ticket("RD-1").Outbox {
		if o.Channel == tickets.ChannelDiscord && o.Status != tickets.OutboxSent {
			t.Fatalf("outbox %+v", o)
		}
	}
}

// A follow-up's alert to the agents is posted once in their channel, even
// when the answer to the post is lost.
func TestBotAlertsAgents(t *testing.T) {
	t.Parallel()
	f := newBotFixture(t, "sqlite")
	f.refund("111", "rani", "id", "@rani.putri", "7301234567890000021", "other")
	if n, err := f.bot.SendCardsOnce(f.ctx); err != nil || n != 1 {
		t.Fatalf("card: %d %v", n, err)
	}
	f.clock.Advance(25 * time.Hour) // past the first-response target
	if st, err := f.svc.Followups.Run(f.ctx, 10); err != nil || st.Done != 1 {
		t.Fatalf("follow-ups: %+v %v", st, err)
	}
	f.fake.LoseAnswer("POST", "/channels/"+agentChannel+"/messages", 1, http.StatusInternalServerError)
	if n, _ := f.bot.SendAlertsOnce(f.ctx); n != 0 {
		t.Fatalf("first try: %d", n)
	}
	f.clock.Advance(time.Minute)
	if n, err := f.bot.SendAlertsOnce(f.ctx); err != nil || n != 1 {
		t.Fatalf("second try: %d %v", n, err)
	}
	var alerts []string
	for _, m := range f.fake.Messages(agentChannel) {
		if strings.HasPrefix(m.Content, "⏰") {
			alerts = append(alerts, m.Content)
		}
	}
	if len(alerts) != 1 || !strings.Contains(alerts[0], "RD-1 has waited 25 h for an agent") {
		t.Fatalf("alerts: %q", alerts)
	}
	if n, _ := f.bot.SendAlertsOnce(f.ctx); n != 0 {
		t.Fatalf("sent again: %d", n)
	}
}

// A request the desk cannot take is refused in the requester's language:
// the domain's codes written by the catalog.
func TestBadInputInTheRequestersLanguage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newBotFixture(t, dialect)
		cb := f.refund("111", "rani", "id", "@rani.putri", "73a01", "under_delivery")
		if got, want := text(cb), `"73a01" bukan nomor pesanan (hanya angka)`; !strings.Contains(got, want) || !strings.HasPrefix(got, "Tidak dapat diproses: ") {
			t.Errorf("in Indonesian: %q, want %q", got, want)
		}
		cb = f.refund("222", "ayu", "en-US", "@ayu", "73a01", "under_delivery")
		if got := text(cb); !strings.Contains(got, `"73a01" is not an order number (digits only)`) || !strings.HasPrefix(got, "That did not work: ") {
			t.Errorf("in English: %q", got)
		}
	})
}
