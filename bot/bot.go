package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bwmarrin/discordgo"

	"refunddesk/templates"
	"refunddesk/tickets"
)

// Bot is the Discord channel.
type Bot struct {
	cfg   Config
	svc   *tickets.Service
	cards CardStore
	tpl   *templates.Engine
	log   *slog.Logger
	s     *discordgo.Session
	cdn   *http.Client // evidence downloads (Discord's CDN, not the REST address)
	ctx   context.Context
	stop  context.CancelFunc

	self   atomic.Value // string: the bot's own user id, from READY
	seen   *seenSet     // interactions already handled (Discord may deliver one twice)
	pages  *pageStore   // /queue result pages behind the paging buttons
	wg     sync.WaitGroup
	metric func(time.Duration)
}

// Options are what a Bot needs besides its config.
type Options struct {
	Service *tickets.Service
	// Cards keeps where the agent channel's ticket cards are; needed with
	// an agent channel.
	Cards     CardStore
	Templates *templates.Engine
	Logger    *slog.Logger
	// OnInteraction, when set, is told how long each interaction took from
	// its arrival to the first answer sent (for metrics).
	OnInteraction func(time.Duration)
}

// New prepares a bot; Start connects it.
func New(cfg Config, opt Options) (*Bot, error) {
	cfg.Defaults()
	if errs := cfg.Validate("discord"); len(errs) > 0 {
		return nil, fmt.Errorf("%s", errs[0])
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	if opt.Templates == nil {
		return nil, errors.New("the bot needs its templates and words (Options.Templates)")
	}
	if cfg.AgentChannelID != "" && opt.Cards == nil {
		return nil, errors.New("discord.agent_channel_id: the bot needs a store for its cards (Options.Cards)")
	}
	client, err := httpClient(cfg.APIURL)
	if err != nil {
		return nil, err
	}
	s, err := discordgo.New("Bot " + cfg.Token)
	if err != nil {
		return nil, err
	}
	s.Client = client
	s.ShardID, s.ShardCount = cfg.ShardID, cfg.ShardCount
	s.Identify.Intents = discordgo.IntentsGuilds
	s.ShouldReconnectOnError = true
	s.ShouldRetryOnRateLimit = true
	s.MaxRestRetries = restRetries
	s.StateEnabled = false
	s.SyncEvents = false
	b := &Bot{cfg: cfg, svc: opt.Service, cards: opt.Cards, tpl: opt.Templates, log: opt.Logger, s: s,
		cdn: &http.Client{Timeout: 30 * time.Second}, seen: newSeenSet(50000), pages: newPageStore(), metric: opt.OnInteraction}
	s.AddHandler(b.onInteraction)
	s.AddHandler(func(_ *discordgo.Session, r *discordgo.Ready) {
		if r.User != nil {
			b.self.Store(r.User.ID)
		}
		b.log.Info("discord gateway ready", slog.String("user", r.User.Username), slog.Int("shard", cfg.ShardID))
	})
	s.AddHandler(func(_ *discordgo.Session, _ *discordgo.Resumed) { b.log.Info("discord gateway resumed") })
	return b, nil
}

// Session is the discordgo session (for tests).
func (b *Bot) Session() *discordgo.Session { return b.s }

// Start registers the commands (a bulk overwrite: restarts change nothing)
// and connects to the gateway.
func (b *Bot) Start(ctx context.Context) error {
	b.ctx, b.stop = context.WithCancel(context.WithoutCancel(ctx))
	if _, err := b.s.ApplicationCommandBulkOverwrite(b.cfg.ApplicationID, b.cfg.GuildID, commands(b.tpl.Catalog())); err != nil {
		return fmt.Errorf("register discord commands: %w", err)
	}
	if err := b.s.Open(); err != nil {
		return fmt.Errorf("connect to the discord gateway: %w", err)
	}
	return nil
}

// Close disconnects and waits for the interactions in flight.
func (b *Bot) Close() error {
	err := b.s.Close()
	b.wg.Wait()
	if b.stop != nil {
		b.stop()
	}
	return err
}

// reply is what an interaction is answered with.
type reply struct {
	content    string
	embeds     []*discordgo.MessageEmbed
	components []discordgo.MessageComponent
	modal      *discordgo.InteractionResponseData // answer with a modal instead
	public     bool                               // not ephemeral
}

// answerBudget is how long the work of an interaction may take before the
// bot defers the answer: Discord wants one within 3 seconds of the event.
const answerBudget = 2 * time.Second

func (b *Bot) onInteraction(s *discordgo.Session, ic *discordgo.InteractionCreate) {
	arrived := time.Now()
	if !b.seen.add(ic.ID) {
		b.log.Debug("interaction seen before", slog.String("id", ic.ID))
		return
	}
	b.wg.Add(1)
	defer b.wg.Done()
	i := ic.Interaction
	language := b.lang(i.Locale)
	done := make(chan *reply, 1)
	go func() { done <- b.work(i) }()
	timer := time.NewTimer(answerBudget)
	defer timer.Stop()
	select {
	case r := <-done:
		b.respond(i, r, arrived)
	case <-timer.C:
		// Too slow for the deadline: acknowledge now, answer when done.
		if err := s.InteractionRespond(i, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredChannelMessageWithSource,
			Data: &discordgo.InteractionResponseData{Flags: discordgo.MessageFlagsEphemeral}}); err != nil {
			b.log.Warn("defer an interaction", slog.Any("error", err))
		}
		b.observe(arrived)
		r := <-done
		if r.modal != nil {
			r = &reply{content: b.say(language, "error")} // a modal cannot follow a deferral
		}
		// The deferred ("thinking…") answer is edited into the real one.
		if _, err := s.InteractionResponseEdit(i, &discordgo.WebhookEdit{Content: &r.content, Embeds: &r.embeds,
			Components: &r.components, AllowedMentions: &discordgo.MessageAllowedMentions{}}); err != nil {
			b.log.Warn("answer a deferred interaction", slog.Any("error", err))
		}
	}
}

// work does an interaction's work; a panic in it is recovered and the user
// told that something went wrong.
func (b *Bot) work(i *discordgo.Interaction) (r *reply) {
	defer func() {
		if p := recover(); p != nil {
			b.log.Error("panic in an interaction", slog.Any("panic", p), slog.String("stack", string(debug.Stack())))
			r = &reply{content: b.say(b.lang(i.Locale), "error")}
		}
	}()
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Minute)
	defer cancel()
	return b.handle(ctx, i)
}

func ephemeral(r *reply) discordgo.MessageFlags {
	if r.public {
		return 0
	}
	return discordgo.MessageFlagsEphemeral
}

func (b *Bot) respond(i *discordgo.Interaction, r *reply, arrived time.Time) {
	resp := &discordgo.InteractionResponse{Type: discordgo.InteractionResponseChannelMessageWithSource,
		Data: &discordgo.InteractionResponseData{Content: r.content, Embeds: r.embeds, Components: r.components,
			Flags: ephemeral(r), AllowedMentions: &discordgo.MessageAllowedMentions{}}}
	if r.modal != nil {
		resp = &discordgo.InteractionResponse{Type: discordgo.InteractionResponseModal, Data: r.modal}
	}
	if err := b.s.InteractionRespond(i, resp); err != nil {
		b.log.Warn("answer an interaction", slog.String("id", i.ID), slog.Any("error", err))
	}
	b.observe(arrived)
}

func (b *Bot) observe(arrived time.Time) {
	if b.metric != nil {
		b.metric(time.Since(arrived))
	}
}

// handle does the work of an interaction and says what to answer.
func (b *Bot) handle(ctx context.Context, i *discordgo.Interaction) *reply {
	switch i.Type {
	case discordgo.InteractionApplicationCommand:
		d := i.ApplicationCommandData()
		switch d.Name {
		case "refund":
			return b.cmdRefund(ctx, i, d)
		case "revoke":
			return b.cmdRevoke(ctx, i, d)
		case "status":
			return b.cmdStatus(ctx, i, d)
		case "evidence":
			return b.cmdEvidence(ctx, i, d)
		case "reply":
			return b.cmdReply(ctx, i, d)
		case "queue", "ticket", "promo":
			if !b.isAgent(i) {
				return &reply{content: b.say(b.lang(i.Locale), "not_agent")}
			}
			switch d.Name {
			case "queue":
				return b.cmdQueue(ctx, i, d)
			case "ticket":
				return b.cmdTicket(ctx, i, d)
			default:
				return b.cmdPromo(ctx, i, d)
			}
		}
	case discordgo.InteractionMessageComponent:
		return b.onButton(ctx, i)
	case discordgo.InteractionModalSubmit:
		return b.onModal(ctx, i)
	}
	return &reply{content: b.say(b.lang(i.Locale), "error")}
}

// isAgent checks the agent role, on every command and button.
func (b *Bot) isAgent(i *discordgo.Interaction) bool {
	if i.Member == nil {
		return false // a DM: no guild, no roles
	}
	for _, r := range i.Member.Roles {
		if slices.Contains(b.cfg.AgentRoleIDs, r) {
			return true
		}
	}
	return false
}

// user is who sent an interaction.
func user(i *discordgo.Interaction) *discordgo.User {
	if i.Member != nil && i.Member.User != nil {
		return i.Member.User
	}
	if i.User != nil {
		return i.User
	}
	return &discordgo.User{}
}

// agentName is the agent's name in the audit trail: their Discord username.
func agentName(i *discordgo.Interaction) string { return user(i).Username }

// requester is the Discord user as a requester.
func requester(i *discordgo.Interaction) tickets.Requester {
	u := user(i)
	name := u.GlobalName
	if name == "" {
		name = u.Username
	}
	return tickets.Requester{DiscordID: u.ID, Name: name}
}

// errorReply turns a domain error into words for the user.
func (b *Bot) errorReply(language string, err error) *reply {
	words := b.tpl.Catalog().Error(language, err) // the domain's codes in the user's language
	switch {
	case tickets.IsValidation(err):
		return &reply{content: b.say(language, "bad_input", "Error", words)}
	case errors.Is(err, tickets.ErrConflict):
		return &reply{content: b.say(language, "conflict", "Error", words)}
	case errors.Is(err, tickets.ErrForbidden):
		return &reply{content: b.say(language, "not_agent")}
	case errors.Is(err, tickets.ErrNotFound):
		return &reply{content: b.say(language, "bad_input", "Error", words)}
	}
	b.log.Error("discord interaction failed", slog.Any("error", err))
	return &reply{content: b.say(language, "error")}
}

// seenSet remembers the last n interaction ids.
type seenSet struct {
	mu    sync.Mutex
	n     int
	ids   map[string]struct{}
	order []string
}

func newSeenSet(n int) *seenSet { return &seenSet{n: n, ids: map[string]struct{}{}} }

// add reports whether id is new.
func (s *seenSet) add(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.ids[id]; ok {
		return false
	}
	s.ids[id] = struct{}{}
	s.order = append(s.order, id)
	if len(s.order) > s.n {
		delete(s.ids, s.order[0])
		s.order = s.order[1:]
	}
	return true
}

func isNotFound(err error) bool { return errors.Is(err, tickets.ErrNotFound) }
