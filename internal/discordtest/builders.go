package discordtest

import (
	"sort"
	"time"

	"github.com/bwmarrin/discordgo"
)

// InteractionOption adjusts an interaction made by Command, Button or
// ModalSubmit. Options apply in order.
type InteractionOption func(*builder)

// builder collects options; unexported so that the options are the API.
type builder struct {
	s                  *Server
	id, token          string
	userID, username   string
	userSet            bool
	locale             discordgo.Locale
	guildID, channelID string
	dm                 bool
	roles              []string
	perms              int64
	opts               []*discordgo.ApplicationCommandInteractionDataOption
	target             *[]*discordgo.ApplicationCommandInteractionDataOption
	resolved           *discordgo.ApplicationCommandInteractionDataResolved
	autocomplete       bool
	message            *discordgo.Message
	msgChannel, msgID  string
	componentType      discordgo.ComponentType
	values             []string
	after              []func(*discordgo.Interaction)
}

const defaultPermissions = discordgo.PermissionViewChannel | discordgo.PermissionSendMessages |
	discordgo.PermissionEmbedLinks | discordgo.PermissionAttachFiles |
	discordgo.PermissionReadMessageHistory | discordgo.PermissionUseApplicationCommands

// WithUser sets the user who invoked the interaction (default
// DefaultUserID, "requester").
func WithUser(id, username string) InteractionOption {
	return func(b *builder) { b.userID, b.username, b.userSet = id, username, true }
}

// WithLocale sets the user's client locale, e.g. "id" or "en-US" (default).
func WithLocale(locale string) InteractionOption {
	return func(b *builder) { b.locale = discordgo.Locale(locale) }
}

// WithRoles gives the guild member these role IDs (default none).
func WithRoles(roleIDs ...string) InteractionOption {
	return func(b *builder) { b.roles = append(b.roles, roleIDs...) }
}

// WithPermissions sets the member's permissions in the channel.
func WithPermissions(p int64) InteractionOption {
	return func(b *builder) { b.perms = p }
}

// InGuild sets the guild and channel (default Config.GuildID and ChannelID).
func InGuild(guildID, channelID string) InteractionOption {
	return func(b *builder) { b.guildID, b.channelID, b.dm = guildID, channelID, false }
}

// InChannel sets the guild channel.
func InChannel(channelID string) InteractionOption {
	return func(b *builder) { b.channelID = channelID }
}

// InDM makes the interaction come from the user's DM with the bot: no guild,
// no member (interaction.User is set instead), the DM channel as channel.
func InDM() InteractionOption {
	return func(b *builder) { b.dm = true }
}

// WithID sets the interaction ID (default: a fresh snowflake).
func WithID(id string) InteractionOption { return func(b *builder) { b.id = id } }

// WithToken sets the interaction token (default: a fresh random token).
func WithToken(token string) InteractionOption { return func(b *builder) { b.token = token } }

func (b *builder) addOption(o *discordgo.ApplicationCommandInteractionDataOption) {
	*b.target = append(*b.target, o)
}

// StringOpt adds a string option (to the enclosing Subcommand, if any).
func StringOpt(name, value string) InteractionOption {
	return func(b *builder) {
		b.addOption(&discordgo.ApplicationCommandInteractionDataOption{Name: name, Type: discordgo.ApplicationCommandOptionString, Value: value})
	}
}

// IntOpt adds an integer option.
func IntOpt(name string, value int64) InteractionOption {
	return func(b *builder) {
		b.addOption(&discordgo.ApplicationCommandInteractionDataOption{Name: name, Type: discordgo.ApplicationCommandOptionInteger, Value: value})
	}
}

// NumberOpt adds a number (float) option.
func NumberOpt(name string, value float64) InteractionOption {
	return func(b *builder) {
		b.addOption(&discordgo.ApplicationCommandInteractionDataOption{Name: name, Type: discordgo.ApplicationCommandOptionNumber, Value: value})
	}
}

// BoolOpt adds a boolean option.
func BoolOpt(name string, value bool) InteractionOption {
	return func(b *builder) {
		b.addOption(&discordgo.ApplicationCommandInteractionDataOption{Name: name, Type: discordgo.ApplicationCommandOptionBoolean, Value: value})
	}
}

// UserOpt adds a user option; the user goes in data.resolved.users.
func UserOpt(name, userID string) InteractionOption {
	return func(b *builder) {
		b.addOption(&discordgo.ApplicationCommandInteractionDataOption{Name: name, Type: discordgo.ApplicationCommandOptionUser, Value: userID})
		r := b.resolvedData()
		if r.Users == nil {
			r.Users = make(map[string]*discordgo.User)
		}
		b.s.mu.Lock()
		r.Users[userID] = b.s.userLocked(userID)
		b.s.mu.Unlock()
	}
}

// AttachmentOpt adds an attachment option (its value is the attachment ID)
// and puts the attachment in data.resolved.attachments, as Discord does.
// Make the attachment with Server.Attachment so its URL works.
func AttachmentOpt(name string, a *discordgo.MessageAttachment) InteractionOption {
	return func(b *builder) {
		b.addOption(&discordgo.ApplicationCommandInteractionDataOption{Name: name, Type: discordgo.ApplicationCommandOptionAttachment, Value: a.ID})
		r := b.resolvedData()
		if r.Attachments == nil {
			r.Attachments = make(map[string]*discordgo.MessageAttachment)
		}
		r.Attachments[a.ID] = a
	}
}

// FocusedOpt adds the string option being typed and makes the interaction
// an autocomplete (type 4) one.
func FocusedOpt(name, partial string) InteractionOption {
	return func(b *builder) {
		b.autocomplete = true
		b.addOption(&discordgo.ApplicationCommandInteractionDataOption{Name: name, Type: discordgo.ApplicationCommandOptionString, Value: partial, Focused: true})
	}
}

// Subcommand adds a subcommand; the options given to it go inside it.
func Subcommand(name string, opts ...InteractionOption) InteractionOption {
	return nested(discordgo.ApplicationCommandOptionSubCommand, name, opts)
}

// SubcommandGroup adds a subcommand group; put Subcommands inside it.
func SubcommandGroup(name string, opts ...InteractionOption) InteractionOption {
	return nested(discordgo.ApplicationCommandOptionSubCommandGroup, name, opts)
}

func nested(t discordgo.ApplicationCommandOptionType, name string, opts []InteractionOption) InteractionOption {
	return func(b *builder) {
		o := &discordgo.ApplicationCommandInteractionDataOption{Name: name, Type: t}
		b.addOption(o)
		saved := b.target
		b.target = &o.Options
		for _, opt := range opts {
			opt(b)
		}
		b.target = saved
	}
}

func (b *builder) resolvedData() *discordgo.ApplicationCommandInteractionDataResolved {
	if b.resolved == nil {
		b.resolved = &discordgo.ApplicationCommandInteractionDataResolved{}
	}
	return b.resolved
}

// OnMessage says which message the component (or the modal's button) is
// on. If the bot posted that message through the fake, the interaction
// carries it as stored (content, components), and a type 7 response updates
// it; if the channel is a DM channel the interaction comes from that DM.
func OnMessage(channelID, messageID string) InteractionOption {
	return func(b *builder) { b.msgChannel, b.msgID = channelID, messageID }
}

// WithMessage sets interaction.message as given.
func WithMessage(m *discordgo.Message) InteractionOption {
	return func(b *builder) { b.message = m }
}

// WithValues sets the selected values of a select menu (and makes the
// component a string select unless WithComponentType says otherwise).
func WithValues(values ...string) InteractionOption {
	return func(b *builder) { b.values = append(b.values, values...) }
}

// WithComponentType sets data.component_type (default button).
func WithComponentType(t discordgo.ComponentType) InteractionOption {
	return func(b *builder) { b.componentType = t }
}

// WithFunc edits the finished interaction (before it is registered).
func WithFunc(f func(*discordgo.Interaction)) InteractionOption {
	return func(b *builder) { b.after = append(b.after, f) }
}

func (s *Server) newBuilder(opts []InteractionOption) *builder {
	b := &builder{
		s: s, userID: DefaultUserID, username: DefaultUsername, locale: discordgo.EnglishUS,
		guildID: s.cfg.GuildID, channelID: s.cfg.ChannelID, perms: defaultPermissions,
	}
	b.target = &b.opts
	for _, o := range opts {
		o(b)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if b.msgChannel != "" {
		if u, ok := s.dmUser[b.msgChannel]; ok {
			b.dm = true
			if !b.userSet {
				b.userID, b.username = u, s.userLocked(u).Username
			}
		} else {
			b.channelID = b.msgChannel
		}
	}
	if b.userSet {
		s.users[b.userID] = b.username
	}
	return b
}

func (b *builder) base(t discordgo.InteractionType) *discordgo.Interaction {
	s := b.s
	i := &discordgo.Interaction{
		ID: b.id, AppID: s.cfg.AppID, Type: t, Token: b.token, Version: 1, Locale: b.locale,
		AppPermissions: defaultPermissions, Entitlements: []*discordgo.Entitlement{},
	}
	if i.ID == "" {
		i.ID = s.ids.next()
	}
	if i.Token == "" {
		i.Token = newToken()
	}
	user := &discordgo.User{ID: b.userID, Username: b.username, GlobalName: b.username, Discriminator: "0"}
	if b.dm {
		s.mu.Lock()
		i.ChannelID = s.dmChannelLocked(b.userID)
		s.mu.Unlock()
		i.User = user
		i.Context = discordgo.InteractionContextBotDM
		return i
	}
	roles := append([]string{}, b.roles...)
	gl := discordgo.EnglishUS
	i.GuildID, i.ChannelID, i.GuildLocale = b.guildID, b.channelID, &gl
	i.Member = &discordgo.Member{
		User: user, Roles: roles, Permissions: b.perms,
		JoinedAt: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC),
	}
	i.Context = discordgo.InteractionContextGuild
	i.AuthorizingIntegrationOwners = map[discordgo.ApplicationIntegrationType]string{
		discordgo.ApplicationIntegrationGuildInstall: b.guildID,
	}
	return i
}

// message is the message a component interaction is attached to.
func (b *builder) componentMessage(channelID string) *discordgo.Message {
	if b.message != nil {
		return b.message
	}
	s := b.s
	if b.msgID != "" {
		s.mu.Lock()
		defer s.mu.Unlock()
		ch := b.msgChannel
		if cs := s.channels[ch]; cs != nil {
			if m := cs.byID[b.msgID]; m != nil {
				return s.toDiscordMessage(m)
			}
		}
		return &discordgo.Message{ID: b.msgID, ChannelID: ch, Author: s.BotUser(), Timestamp: time.Now().UTC()}
	}
	return &discordgo.Message{ID: s.ids.next(), ChannelID: channelID, Author: s.BotUser(), Timestamp: time.Now().UTC()}
}

func (b *builder) finish(i *discordgo.Interaction) *discordgo.Interaction {
	for _, f := range b.after {
		f(i)
	}
	b.s.register(i)
	return i
}

// Command builds an APPLICATION_COMMAND interaction for the chat command
// name (the command ID is the registered one if the bot bulk-overwrote it).
// Default: a guild interaction in Config.GuildID/ChannelID from
// DefaultUserID, locale en-US, member without roles. The interaction is
// registered (its callback is accepted) but not sent: use SendInteraction.
func (s *Server) Command(name string, opts ...InteractionOption) *discordgo.Interaction {
	b := s.newBuilder(opts)
	t := discordgo.InteractionApplicationCommand
	if b.autocomplete {
		t = discordgo.InteractionApplicationCommandAutocomplete
	}
	i := b.base(t)
	s.mu.Lock()
	cmdID := s.commandIDLocked(i.GuildID, name)
	s.mu.Unlock()
	if cmdID == "" {
		cmdID = s.ids.next()
	}
	i.Data = discordgo.ApplicationCommandInteractionData{
		ID: cmdID, Name: name, CommandType: discordgo.ChatApplicationCommand,
		Options: b.opts, Resolved: b.resolved,
	}
	return b.finish(i)
}

// Button builds a MESSAGE_COMPONENT interaction for a button (or, with
// WithValues/WithComponentType, a select menu) with customID, on the message
// given by OnMessage or WithMessage (default: a new message by the bot in
// the interaction's channel).
func (s *Server) Button(customID string, opts ...InteractionOption) *discordgo.Interaction {
	b := s.newBuilder(opts)
	i := b.base(discordgo.InteractionMessageComponent)
	ct := b.componentType
	if ct == 0 {
		ct = discordgo.ButtonComponent
		if len(b.values) > 0 {
			ct = discordgo.SelectMenuComponent
		}
	}
	i.Data = discordgo.MessageComponentInteractionData{CustomID: customID, ComponentType: ct, Values: b.values}
	i.Message = b.componentMessage(i.ChannelID)
	return b.finish(i)
}

// ModalSubmit builds a MODAL_SUBMIT interaction with one text input per
// field (custom ID → value), each in its own action row, sorted by custom
// ID. With OnMessage/WithMessage it carries the message whose button opened
// the modal.
func (s *Server) ModalSubmit(customID string, fields map[string]string, opts ...InteractionOption) *discordgo.Interaction {
	b := s.newBuilder(opts)
	i := b.base(discordgo.InteractionModalSubmit)
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	comps := make([]discordgo.MessageComponent, 0, len(keys))
	for _, k := range keys {
		comps = append(comps, discordgo.ActionsRow{Components: []discordgo.MessageComponent{
			discordgo.TextInput{CustomID: k, Value: fields[k]},
		}})
	}
	i.Data = discordgo.ModalSubmitInteractionData{CustomID: customID, Components: comps}
	if b.message != nil || b.msgID != "" {
		i.Message = b.componentMessage(i.ChannelID)
	}
	return b.finish(i)
}

// UserDM builds a message from the user in their DM channel with the bot
// (for SendMessageCreate), e.g. evidence sent after a command.
func (s *Server) UserDM(userID, content string, attachments ...*discordgo.MessageAttachment) *discordgo.Message {
	s.mu.Lock()
	ch := s.dmChannelLocked(userID)
	author := s.userLocked(userID)
	s.mu.Unlock()
	if attachments == nil {
		attachments = []*discordgo.MessageAttachment{}
	}
	return &discordgo.Message{
		ID: s.ids.next(), ChannelID: ch, Author: author, Content: content,
		Attachments: attachments, Embeds: []*discordgo.MessageEmbed{},
		Mentions: []*discordgo.User{}, MentionRoles: []string{},
		Timestamp: time.Now().UTC(), Type: discordgo.MessageTypeDefault,
	}
}
