package discordtest_test

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/png"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"refunddesk/internal/discordtest"
)

func start(t testing.TB, cfg discordtest.Config) *discordtest.Server {
	t.Helper()
	srv, err := discordtest.StartWith(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := srv.Close(); err != nil {
			t.Error(err)
		}
	})
	return srv
}

func timeout(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// session returns a discordgo session on the fake, not connected.
func session(t testing.TB, srv *discordtest.Server) *discordgo.Session {
	t.Helper()
	dg, err := srv.NewSession("")
	if err != nil {
		t.Fatal(err)
	}
	return dg
}

// connect opens a gateway session; setup adds handlers before Open. The
// session is closed before the server (discordgo's Close takes a second).
func connect(t testing.TB, srv *discordtest.Server, setup func(*discordgo.Session)) *discordgo.Session {
	t.Helper()
	dg := session(t, srv)
	if setup != nil {
		setup(dg)
	}
	if err := dg.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { dg.Close() })
	if err := srv.WaitReady(timeout(t)); err != nil {
		t.Fatal(err)
	}
	return dg
}

func restError(t testing.TB, err error, status, code int) {
	t.Helper()
	var re *discordgo.RESTError
	if !errors.As(err, &re) {
		t.Fatalf("error %v (%T), want *discordgo.RESTError", err, err)
	}
	if re.Response.StatusCode != status {
		t.Errorf("HTTP status %d, want %d (%s)", re.Response.StatusCode, status, re.ResponseBody)
	}
	if re.Message == nil || re.Message.Code != code {
		t.Errorf("error body %s, want code %d", re.ResponseBody, code)
	}
}

func get(t testing.TB, url string) (int, []byte) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b
}

func pngBytes(t testing.TB) []byte {
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewRGBA(image.Rect(0, 0, 3, 2))); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func ptr[T any](v T) *T { return &v }

func TestGatewayReadyInteractionAndDuplicate(t *testing.T) {
	t.Parallel()
	srv := start(t, discordtest.Config{})
	ctx := timeout(t)

	ready := make(chan *discordgo.Ready, 1)
	got := make(chan *discordgo.InteractionCreate, 10)
	respondErrs := make(chan error, 10)
	dms := make(chan *discordgo.MessageCreate, 1)
	dg := connect(t, srv, func(dg *discordgo.Session) {
		dg.AddHandler(func(_ *discordgo.Session, r *discordgo.Ready) { ready <- r })
		dg.AddHandler(func(_ *discordgo.Session, m *discordgo.MessageCreate) { dms <- m })
		dg.AddHandler(func(s *discordgo.Session, ic *discordgo.InteractionCreate) {
			got <- ic
			if ic.Type != discordgo.InteractionApplicationCommand {
				return
			}
			respondErrs <- s.InteractionRespond(ic.Interaction, &discordgo.InteractionResponse{
				Type: discordgo.InteractionResponseChannelMessageWithSource,
				Data: &discordgo.InteractionResponseData{Content: "ok " + ic.ApplicationCommandData().Name},
			})
		})
	})

	r := <-ready
	if r.Version != 9 || r.User == nil || r.User.ID != srv.AppID() || !r.User.Bot || r.SessionID != srv.SessionID() ||
		r.Application == nil || r.Application.ID != srv.AppID() {
		t.Errorf("READY %+v", r)
	}
	if srv.Identifies() != 1 || srv.Resumes() != 0 {
		t.Errorf("identifies %d resumes %d", srv.Identifies(), srv.Resumes())
	}
	if rec, ok := srv.LastIdentify(); !ok || rec.Token != "Bot test" || rec.Intents != dg.Identify.Intents || rec.Shard != [2]int{0, 1} {
		t.Errorf("identify %+v", rec)
	}

	// A slash command with a subcommand, options and an attachment.
	img := pngBytes(t)
	att := srv.Attachment("receipt.png", img)
	i := srv.Command("refund",
		discordtest.Subcommand("open",
			discordtest.StringOpt("order", "A-1001"),
			discordtest.IntOpt("amount", 2500),
			discordtest.AttachmentOpt("receipt", att)),
		discordtest.WithUser("4242", "budi"), discordtest.WithLocale("id"), discordtest.WithRoles("777"))
	if err := srv.SendInteraction(i); err != nil {
		t.Fatal(err)
	}
	ic := <-got
	if err := <-respondErrs; err != nil {
		t.Fatal(err)
	}
	data := ic.ApplicationCommandData()
	sub := data.GetOption("open")
	if ic.ID != i.ID || ic.Token != i.Token || ic.AppID != srv.AppID() || data.Name != "refund" || sub == nil ||
		sub.GetOption("order").StringValue() != "A-1001" || sub.GetOption("amount").IntValue() != 2500 {
		t.Fatalf("interaction %+v data %+v", ic.Interaction, data)
	}
	a := data.Resolved.Attachments[sub.GetOption("receipt").Value.(string)]
	if a == nil || a.URL != att.URL || a.Filename != "receipt.png" || a.ContentType != "image/png" || a.Size != len(img) || a.Width != 3 {
		t.Errorf("resolved attachment %+v", a)
	}
	if ic.Locale != "id" || ic.Member == nil || ic.Member.User.ID != "4242" || len(ic.Member.Roles) != 1 || ic.Member.Roles[0] != "777" || ic.GuildID != discordtest.DefaultGuildID {
		t.Errorf("context: locale %q member %+v guild %q", ic.Locale, ic.Member, ic.GuildID)
	}
	if status, body := get(t, a.URL); status != http.StatusOK || !bytes.Equal(body, img) {
		t.Errorf("CDN download: %d, %d bytes", status, len(body))
	}

	cb, err := srv.WaitCallback(ctx, i.ID)
	if err != nil {
		t.Fatal(err)
	}
	if cb.Response.Type != discordgo.InteractionResponseChannelMessageWithSource || cb.Response.Data.Content != "ok refund" ||
		cb.Latency() <= 0 || cb.Latency() > 5*time.Second {
		t.Errorf("callback %+v latency %v", cb.Response, cb.Latency())
	}
	if o, ok := srv.Original(i.Token); !ok || o.Content != "ok refund" || o.Loading() {
		t.Errorf("original %+v", o)
	}

	// A second answer to the same interaction is refused.
	err = dg.InteractionRespond(ic.Interaction, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredChannelMessageWithSource})
	restError(t, err, http.StatusBadRequest, 40060)

	// Redelivery: the bot sees the interaction twice; only one answer counts.
	j := srv.Command("status", discordtest.InDM())
	if err := srv.SendInteractionTwice(j); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if ic := <-got; ic.ID != j.ID || ic.User == nil || ic.Member != nil || ic.GuildID != "" {
			t.Errorf("DM interaction %+v", ic.Interaction)
		}
	}
	errs := []error{<-respondErrs, <-respondErrs}
	if (errs[0] == nil) == (errs[1] == nil) {
		t.Fatalf("want exactly one refused answer, got %v", errs)
	}
	for _, err := range errs {
		if err != nil {
			restError(t, err, http.StatusBadRequest, 40060)
		}
	}
	if ch, _ := srv.DMChannel(discordtest.DefaultUserID); j.ChannelID != ch || srv.Deliveries(j.ID) != 2 {
		t.Errorf("DM channel %q vs %q, deliveries %d", j.ChannelID, ch, srv.Deliveries(j.ID))
	}

	// A modal submit keeps its components on the wire.
	m := srv.ModalSubmit("evidence", map[string]string{"note": "it arrived broken", "order": "A-1"})
	if err := srv.SendInteraction(m); err != nil {
		t.Fatal(err)
	}
	ic = <-got
	md := ic.ModalSubmitData()
	if md.CustomID != "evidence" || len(md.Components) != 2 {
		t.Fatalf("modal data %+v", md)
	}
	if in := md.Components[0].(*discordgo.ActionsRow).Components[0].(*discordgo.TextInput); in.CustomID != "note" || in.Value != "it arrived broken" {
		t.Errorf("text input %+v", in)
	}

	// A user's DM with an attachment.
	if err := srv.SendMessageCreate(srv.UserDM("4242", "here is the photo", srv.Attachment("photo.jpg", []byte("jpeg")))); err != nil {
		t.Fatal(err)
	}
	if dm := <-dms; dm.Author.ID != "4242" || dm.Content != "here is the photo" || len(dm.Attachments) != 1 || dm.GuildID != "" {
		t.Errorf("MESSAGE_CREATE %+v", dm.Message)
	}
}

func TestBurstOfInteractions(t *testing.T) {
	t.Parallel()
	srv := start(t, discordtest.Config{})
	ctx := timeout(t)
	connect(t, srv, func(dg *discordgo.Session) {
		dg.AddHandler(func(s *discordgo.Session, ic *discordgo.InteractionCreate) {
			s.InteractionRespond(ic.Interaction, &discordgo.InteractionResponse{ //nolint:errcheck // checked through WaitCallback
				Type: discordgo.InteractionResponseDeferredChannelMessageWithSource,
			})
		})
	})
	const n = 200
	var wg sync.WaitGroup
	for range n {
		i := srv.Command("status")
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := srv.SendInteraction(i); err != nil {
				t.Error(err)
				return
			}
			cb, err := srv.WaitCallback(ctx, i.ID)
			if err != nil || cb.Latency() <= 0 {
				t.Errorf("callback %+v: %v", cb, err)
			}
		}()
	}
	wg.Wait()
	if got := len(srv.Callbacks()); got != n {
		t.Errorf("%d callbacks, want %d", got, n)
	}
}

func TestResumeReplaysMissedDispatch(t *testing.T) {
	t.Parallel()
	srv := start(t, discordtest.Config{})
	ctx := timeout(t)
	got := make(chan string, 10)
	connect(t, srv, func(dg *discordgo.Session) {
		dg.AddHandler(func(s *discordgo.Session, ic *discordgo.InteractionCreate) {
			got <- ic.ID
			s.InteractionRespond(ic.Interaction, &discordgo.InteractionResponse{ //nolint:errcheck // checked through WaitCallback
				Type: discordgo.InteractionResponseDeferredChannelMessageWithSource,
			})
		})
	})

	before := srv.Command("status")
	if err := srv.SendInteraction(before); err != nil {
		t.Fatal(err)
	}
	if id := <-got; id != before.ID {
		t.Fatalf("got %s, want %s", id, before.ID)
	}

	if err := srv.DropConnection(); err != nil {
		t.Fatal(err)
	}
	if srv.Connected() {
		t.Fatal("still connected after DropConnection")
	}
	missed := srv.Command("status")
	if err := srv.SendInteraction(missed); err != nil { // while disconnected
		t.Fatal(err)
	}
	select {
	case id := <-got:
		if id != missed.ID {
			t.Fatalf("got %s, want %s", id, missed.ID)
		}
	case <-ctx.Done():
		t.Fatal("missed dispatch never arrived")
	}
	if _, err := srv.WaitCallback(ctx, missed.ID); err != nil {
		t.Fatal(err)
	}
	if err := srv.WaitReady(ctx); err != nil {
		t.Fatal(err)
	}
	if srv.Resumes() != 1 || srv.Identifies() != 1 || srv.Deliveries(missed.ID) != 1 {
		t.Errorf("resumes %d identifies %d deliveries %d", srv.Resumes(), srv.Identifies(), srv.Deliveries(missed.ID))
	}
	select {
	case id := <-got:
		t.Errorf("unexpected extra dispatch %s", id)
	default:
	}
}

func TestCallbackDeadline(t *testing.T) {
	t.Parallel()
	srv := start(t, discordtest.Config{CallbackDeadline: 50 * time.Millisecond})
	errs := make(chan error, 1)
	connect(t, srv, func(dg *discordgo.Session) {
		dg.AddHandler(func(s *discordgo.Session, ic *discordgo.InteractionCreate) {
			time.Sleep(100 * time.Millisecond)
			errs <- s.InteractionRespond(ic.Interaction, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredChannelMessageWithSource})
		})
	})
	if err := srv.SendInteraction(srv.Command("status")); err != nil {
		t.Fatal(err)
	}
	restError(t, <-errs, http.StatusNotFound, 10062)
}

func TestBulkOverwriteCommands(t *testing.T) {
	t.Parallel()
	srv := start(t, discordtest.Config{})
	dg := session(t, srv)
	app, guild := srv.AppID(), discordtest.DefaultGuildID
	cmds := []*discordgo.ApplicationCommand{
		{Name: "refund", Description: "Ask for a refund", Options: []*discordgo.ApplicationCommandOption{
			{Type: discordgo.ApplicationCommandOptionString, Name: "order", Description: "Order number", Required: true},
			{Type: discordgo.ApplicationCommandOptionAttachment, Name: "receipt", Description: "Receipt"},
		}},
		{Name: "status", Description: "Your tickets"},
	}
	first, err := dg.ApplicationCommandBulkOverwrite(app, guild, cmds)
	if err != nil {
		t.Fatal(err)
	}
	if len(first) != 2 || first[0].ID == "" || first[0].ApplicationID != app || first[0].GuildID != guild || first[0].ID == first[1].ID {
		t.Fatalf("created %+v", first)
	}
	again, err := dg.ApplicationCommandBulkOverwrite(app, guild, cmds)
	if err != nil {
		t.Fatal(err)
	}
	if again[0].ID != first[0].ID || again[1].ID != first[1].ID {
		t.Error("command IDs changed on overwrite")
	}
	if srv.BulkOverwrites() != 2 || len(srv.Commands(guild)) != 2 || len(srv.Commands("")) != 0 {
		t.Errorf("overwrites %d, guild commands %d, global %d", srv.BulkOverwrites(), len(srv.Commands(guild)), len(srv.Commands("")))
	}
	if _, err := dg.ApplicationCommandBulkOverwrite(app, "", cmds[1:]); err != nil || len(srv.Commands("")) != 1 {
		t.Errorf("global overwrite: %v, %d commands", err, len(srv.Commands("")))
	}
	if id := srv.Command("refund").ApplicationCommandData().ID; id != first[0].ID {
		t.Errorf("built interaction has command ID %s, want %s", id, first[0].ID)
	}

	bad := []*discordgo.ApplicationCommand{{Name: "Refund Now", Description: ""}}
	_, err = dg.ApplicationCommandBulkOverwrite(app, guild, bad)
	restError(t, err, http.StatusBadRequest, 50035)
	misordered := []*discordgo.ApplicationCommand{{Name: "x", Description: "x", Options: []*discordgo.ApplicationCommandOption{
		{Type: discordgo.ApplicationCommandOptionString, Name: "a", Description: "a"},
		{Type: discordgo.ApplicationCommandOptionString, Name: "b", Description: "b", Required: true},
	}}}
	_, err = dg.ApplicationCommandBulkOverwrite(app, guild, misordered)
	restError(t, err, http.StatusBadRequest, 50035)
	_, err = dg.ApplicationCommandBulkOverwrite("999", guild, cmds)
	restError(t, err, http.StatusForbidden, 50001)
	if srv.BulkOverwrites() != 3 || len(srv.Commands(guild)) != 2 {
		t.Errorf("a refused overwrite changed state: %d overwrites", srv.BulkOverwrites())
	}
}

func TestDirectMessages(t *testing.T) {
	t.Parallel()
	srv := start(t, discordtest.Config{})
	ctx := timeout(t)
	dg := session(t, srv)

	ch, err := dg.UserChannelCreate("42")
	if err != nil {
		t.Fatal(err)
	}
	if ch.Type != discordgo.ChannelTypeDM || len(ch.Recipients) != 1 || ch.Recipients[0].ID != "42" {
		t.Fatalf("channel %+v", ch)
	}
	if again, err := dg.UserChannelCreate("42"); err != nil || again.ID != ch.ID {
		t.Errorf("second DM channel %v, %v", again, err)
	}

	sent, err := dg.ChannelMessageSendComplex(ch.ID, &discordgo.MessageSend{
		Content: "Your ticket #12 is open",
		Embeds:  []*discordgo.MessageEmbed{{Title: "Ticket #12", Description: "Order A-1001"}},
		Components: []discordgo.MessageComponent{discordgo.ActionsRow{Components: []discordgo.MessageComponent{
			discordgo.Button{Label: "Close", CustomID: "close:12"},
		}}},
		Files: []*discordgo.File{{Name: "summary.txt", ContentType: "text/plain", Reader: strings.NewReader("summary")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if sent.ID == "" || sent.ChannelID != ch.ID || len(sent.Components) != 1 || len(sent.Embeds) != 1 || len(sent.Attachments) != 1 || sent.Author == nil || !sent.Author.Bot {
		t.Fatalf("returned message %+v", sent)
	}
	if status, body := get(t, sent.Attachments[0].URL); status != http.StatusOK || string(body) != "summary" {
		t.Errorf("uploaded file: %d %q", status, body)
	}
	stored := srv.DMs("42")
	if len(stored) != 1 || stored[0].Content != "Your ticket #12 is open" || len(stored[0].Files) != 1 ||
		stored[0].Components[0].(*discordgo.ActionsRow).Components[0].(*discordgo.Button).CustomID != "close:12" {
		t.Fatalf("stored %+v", stored)
	}

	if _, err := dg.ChannelMessageEdit(ch.ID, sent.ID, "Your ticket #12 is closed"); err != nil {
		t.Fatal(err)
	}
	edited, err := srv.WaitDM(ctx, "42", func(m discordtest.StoredMessage) bool { return m.Content == "Your ticket #12 is closed" })
	if err != nil {
		t.Fatal(err)
	}
	if len(edited.History) != 1 || edited.History[0].Content != "Your ticket #12 is open" || len(edited.Embeds) != 1 || edited.Edited.IsZero() {
		t.Errorf("edited %+v", edited)
	}

	_, err = dg.ChannelMessageSend(ch.ID, "")
	restError(t, err, http.StatusBadRequest, 50006)
	_, err = dg.ChannelMessageEdit(ch.ID, "1", "x")
	restError(t, err, http.StatusNotFound, 10008)

	srv.CloseDMs("43")
	closed, err := dg.UserChannelCreate("43")
	if err != nil {
		t.Fatal(err)
	}
	_, err = dg.ChannelMessageSend(closed.ID, "hello")
	restError(t, err, http.StatusForbidden, 50007)
	if len(srv.DMs("43")) != 0 {
		t.Error("a refused DM was stored")
	}
}

func TestRateLimitsFailuresAndUnknownRoutes(t *testing.T) {
	t.Parallel()
	srv := start(t, discordtest.Config{})
	dg := session(t, srv)
	statuses := func(path string) []int {
		var out []int
		for _, r := range srv.Requests() {
			if r.Path == path {
				out = append(out, r.Status)
			}
		}
		return out
	}

	srv.RateLimit("POST", "/channels/", 1, 100*time.Millisecond)
	began := time.Now()
	if _, err := dg.ChannelMessageSend("501", "hi"); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(began); d < 100*time.Millisecond {
		t.Errorf("discordgo retried after %v, before retry_after", d)
	}
	if got := statuses("/api/v9/channels/501/messages"); len(got) != 2 || got[0] != 429 || got[1] != 200 {
		t.Errorf("statuses %v, want [429 200]", got)
	}

	srv.Fail("POST", "/api/v9/channels/502", 1, http.StatusBadGateway)
	if _, err := dg.ChannelMessageSend("502", "hi"); err != nil {
		t.Fatal(err)
	}
	if got := statuses("/api/v9/channels/502/messages"); len(got) != 2 || got[0] != 502 || got[1] != 200 {
		t.Errorf("statuses %v, want [502 200]", got)
	}

	srv.Fail("", "/channels/", 1, http.StatusServiceUnavailable)
	_, err := dg.ChannelMessageSend("503", "hi")
	restError(t, err, http.StatusServiceUnavailable, 0)
	if len(srv.Messages("501")) != 1 || len(srv.Messages("502")) != 1 || len(srv.Messages("503")) != 0 {
		t.Error("stored messages do not match the faults")
	}

	_, err = dg.RequestWithBucketID("GET", discordgo.EndpointAPI+"no/such/route", nil, "x")
	restError(t, err, http.StatusNotFound, 0)
	reqs := srv.Requests()
	if last := reqs[len(reqs)-1]; last.Path != "/api/v9/no/such/route" || last.Status != 404 {
		t.Errorf("last request %+v", last)
	}
}

func TestInteractionResponsesOverREST(t *testing.T) {
	t.Parallel()
	srv := start(t, discordtest.Config{})
	ctx := timeout(t)
	dg := session(t, srv)

	// Deferred, then the (deprecated) first follow-up edits the loading message.
	i := srv.Command("refund")
	if err := dg.InteractionRespond(i, &discordgo.InteractionResponse{
		Type: discordgo.InteractionResponseDeferredChannelMessageWithSource,
		Data: &discordgo.InteractionResponseData{Flags: discordgo.MessageFlagsEphemeral},
	}); err != nil {
		t.Fatal(err)
	}
	if o, ok := srv.Original(i.Token); !ok || !o.Loading() || !o.Ephemeral() {
		t.Fatalf("deferred original %+v", o)
	}
	cb, _ := srv.Callback(i.ID)
	if cb.Latency() != 0 || cb.Response.Type != discordgo.InteractionResponseDeferredChannelMessageWithSource {
		t.Errorf("callback of an undispatched interaction %+v", cb)
	}
	f0, err := dg.FollowupMessageCreate(i, true, &discordgo.WebhookParams{Content: "working on it"})
	if err != nil {
		t.Fatal(err)
	}
	o, _ := srv.Original(i.Token)
	if f0.ID != o.ID || o.Content != "working on it" || o.Loading() || !o.Ephemeral() || len(srv.Followups(i.Token)) != 0 {
		t.Errorf("first follow-up after defer: %+v, original %+v", f0, o)
	}
	f1, err := dg.FollowupMessageCreate(i, true, &discordgo.WebhookParams{Content: "done"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := dg.FollowupMessageEdit(i, f1.ID, &discordgo.WebhookEdit{Content: ptr("done!")}); err != nil {
		t.Fatal(err)
	}
	if fs := srv.Followups(i.Token); len(fs) != 1 || fs[0].Content != "done!" || len(fs[0].History) != 1 {
		t.Errorf("follow-ups %+v", fs)
	}
	if _, err := dg.InteractionResponseEdit(i, &discordgo.WebhookEdit{Content: ptr("final")}); err != nil {
		t.Fatal(err)
	}
	if _, err := srv.WaitOriginal(ctx, i.Token, func(m discordtest.StoredMessage) bool { return m.Content == "final" }); err != nil {
		t.Fatal(err)
	}

	// Webhooks before any response.
	j := srv.Command("status")
	_, err = dg.FollowupMessageCreate(j, true, &discordgo.WebhookParams{Content: "early"})
	restError(t, err, http.StatusNotFound, 10015)
	_, err = dg.InteractionResponseEdit(j, &discordgo.WebhookEdit{Content: ptr("early")})
	restError(t, err, http.StatusNotFound, 10008)
	err = dg.InteractionRespond(&discordgo.Interaction{ID: "1", Token: "nope"}, &discordgo.InteractionResponse{Type: 5})
	restError(t, err, http.StatusNotFound, 10062)

	// A button on a card the bot posted: type 7 updates the card.
	card, err := dg.ChannelMessageSendComplex("900", &discordgo.MessageSend{
		Content: "Ticket #1",
		Components: []discordgo.MessageComponent{discordgo.ActionsRow{Components: []discordgo.MessageComponent{
			discordgo.Button{Label: "Claim", CustomID: "claim:1"},
		}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	b := srv.Button("claim:1", discordtest.OnMessage("900", card.ID), discordtest.WithRoles("agent"))
	if b.ChannelID != "900" || b.Message == nil || b.Message.ID != card.ID || len(b.Message.Components) != 1 {
		t.Fatalf("button interaction %+v message %+v", b, b.Message)
	}
	if err := dg.InteractionRespond(b, &discordgo.InteractionResponse{
		Type: discordgo.InteractionResponseUpdateMessage,
		Data: &discordgo.InteractionResponseData{Content: "Ticket #1 (claimed)", Components: []discordgo.MessageComponent{}},
	}); err != nil {
		t.Fatal(err)
	}
	if m, _ := srv.Message("900", card.ID); m.Content != "Ticket #1 (claimed)" || len(m.Components) != 0 || len(m.History) != 1 {
		t.Errorf("card after update %+v", m)
	}

	// Modals: a valid one is accepted, one without a title is not.
	modal := &discordgo.InteractionResponseData{CustomID: "evidence", Title: "Evidence", Components: []discordgo.MessageComponent{
		discordgo.ActionsRow{Components: []discordgo.MessageComponent{
			discordgo.TextInput{CustomID: "note", Label: "What happened?", Style: discordgo.TextInputParagraph},
		}},
	}}
	if err := dg.InteractionRespond(srv.Command("evidence"), &discordgo.InteractionResponse{Type: discordgo.InteractionResponseModal, Data: modal}); err != nil {
		t.Fatal(err)
	}
	modal.Title = ""
	err = dg.InteractionRespond(srv.Command("evidence"), &discordgo.InteractionResponse{Type: discordgo.InteractionResponseModal, Data: modal})
	restError(t, err, http.StatusBadRequest, 50035)
	// A type 7 answer to a slash command is refused.
	err = dg.InteractionRespond(srv.Command("status"), &discordgo.InteractionResponse{Type: discordgo.InteractionResponseUpdateMessage, Data: &discordgo.InteractionResponseData{Content: "x"}})
	restError(t, err, http.StatusBadRequest, 50035)

	// Files in an interaction response arrive as multipart.
	k := srv.Command("export")
	if err := dg.InteractionRespond(k, &discordgo.InteractionResponse{
		Type: discordgo.InteractionResponseChannelMessageWithSource,
		Data: &discordgo.InteractionResponseData{Content: "export", Files: []*discordgo.File{{Name: "t.csv", Reader: strings.NewReader("a,b")}}},
	}); err != nil {
		t.Fatal(err)
	}
	if cb, _ := srv.Callback(k.ID); len(cb.Files) != 1 || string(cb.Files[0].Data) != "a,b" || cb.Response.Data.Content != "export" {
		t.Errorf("multipart callback %+v", cb)
	}
}

func TestCDN(t *testing.T) {
	t.Parallel()
	srv := start(t, discordtest.Config{})
	u := srv.AddFile("note.txt", []byte("hello"))
	if status, body := get(t, u); status != http.StatusOK || string(body) != "hello" {
		t.Errorf("GET %s: %d %q", u, status, body)
	}
	if status, _ := get(t, strings.SplitN(u, "?", 2)[0]); status != http.StatusNotFound {
		t.Errorf("unsigned URL: %d, want 404", status)
	}
	srv.ExpireFile(u)
	if status, _ := get(t, u); status != http.StatusNotFound {
		t.Errorf("expired URL: %d, want 404", status)
	}
}

// BenchmarkInteractionRoundTrip measures dispatch → callback through a real
// discordgo session.
func BenchmarkInteractionRoundTrip(b *testing.B) {
	srv := start(b, discordtest.Config{})
	ctx := timeout(b)
	connect(b, srv, func(dg *discordgo.Session) {
		dg.AddHandler(func(s *discordgo.Session, ic *discordgo.InteractionCreate) {
			s.InteractionRespond(ic.Interaction, &discordgo.InteractionResponse{ //nolint:errcheck // checked through WaitCallback
				Type: discordgo.InteractionResponseDeferredChannelMessageWithSource,
			})
		})
	})
	var total time.Duration
	b.ResetTimer()
	for range b.N {
		i := srv.Command("status")
		if err := srv.SendInteraction(i); err != nil {
			b.Fatal(err)
		}
		cb, err := srv.WaitCallback(ctx, i.ID)
		if err != nil {
			b.Fatal(err)
		}
		total += cb.Latency()
	}
	b.ReportMetric(float64(total.Microseconds())/float64(b.N), "µs/latency")
}

func TestTokenIsChecked(t *testing.T) {
	t.Parallel()
	srv := start(t, discordtest.Config{Token: "secret"})
	wrong := session(t, srv)
	wrong.Token, wrong.Identify.Token = "Bot wrong", "Bot wrong"
	_, err := wrong.ChannelMessageSend("1", "hi")
	restError(t, err, http.StatusUnauthorized, 0)
	wrong.ShouldReconnectOnError = false
	if err := wrong.Open(); err == nil {
		wrong.Close()
		t.Fatal("Open with a wrong token succeeded")
	}
	if srv.Identifies() != 0 {
		t.Errorf("identifies %d", srv.Identifies())
	}
	right := session(t, srv)
	if right.Token != "Bot secret" {
		t.Fatalf("NewSession token %q", right.Token)
	}
	if _, err := right.ChannelMessageSend("1", "hi"); err != nil {
		t.Fatal(err)
	}
}
