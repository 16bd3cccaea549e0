package discordtest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/bwmarrin/discordgo"
)

// Callback is an interaction response the bot sent to
// POST /interactions/{id}/{token}/callback and the fake accepted.
type Callback struct {
	InteractionID string
	Token         string
	Response      *discordgo.InteractionResponse // Data.Components holds what discordgo can decode
	RawComponents json.RawMessage                // data.components as sent
	Files         []File
	Dispatched    time.Time // first INTERACTION_CREATE written to the gateway; zero if never dispatched
	Arrived       time.Time
}

// Latency is the time from dispatch to callback (0 if never dispatched).
func (c Callback) Latency() time.Duration {
	if c.Dispatched.IsZero() {
		return 0
	}
	return c.Arrived.Sub(c.Dispatched)
}

type interactionState struct {
	i          *discordgo.Interaction
	dispatched time.Time
	deliveries int
	callback   *Callback
	acked      chan struct{} // closed when callback is set
	original   *storedMsg
	followups  []*storedMsg
}

type channelState struct {
	msgs []*storedMsg
	byID map[string]*storedMsg
}

func (s *Server) routes() {
	m := http.NewServeMux()
	a := APIPrefix
	m.HandleFunc("GET "+a+"/gateway", s.handleGateway)
	m.HandleFunc("GET "+a+"/gateway/bot", s.handleGatewayBot)
	m.HandleFunc("GET "+a+"/users/{user}", s.handleGetUser)
	m.HandleFunc("POST "+a+"/users/{user}/channels", s.handleCreateDM)
	for _, p := range []string{a + "/applications/{app}/commands", a + "/applications/{app}/guilds/{guild}/commands"} {
		m.HandleFunc("GET "+p, s.handleListCommands)
		m.HandleFunc("PUT "+p, s.handleBulkOverwrite)
		m.HandleFunc("POST "+p, s.handleCreateCommand)
	}
	m.HandleFunc("POST "+a+"/interactions/{id}/{token}/callback", s.handleCallback)
	m.HandleFunc("POST "+a+"/webhooks/{app}/{token}", s.handleFollowup)
	for _, method := range []string{"GET", "PATCH", "DELETE"} {
		m.HandleFunc(method+" "+a+"/webhooks/{app}/{token}/messages/{mid}", s.handleWebhookMessage)
		m.HandleFunc(method+" "+a+"/channels/{ch}/messages/{mid}", s.handleChannelMessage)
	}
	m.HandleFunc("GET "+a+"/channels/{ch}", s.handleGetChannel)
	m.HandleFunc("POST "+a+"/channels/{ch}/messages", s.handleCreateMessage)
	m.HandleFunc("GET "+a+"/channels/{ch}/messages", s.handleListMessages)
	m.HandleFunc("GET /attachments/", s.handleCDN)
	s.mux = m
}

// ---- gateway discovery

func (s *Server) handleGateway(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"url": s.GatewayURL()})
}

func (s *Server) handleGatewayBot(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"url":    s.GatewayURL(),
		"shards": 1,
		"session_start_limit": map[string]int{
			"total": 1000, "remaining": max(0, 1000-s.Identifies()),
			"reset_after": 86400000, "max_concurrency": 1,
		},
	})
}

// ---- users and DM channels

func (s *Server) userLocked(id string) *discordgo.User {
	name, ok := s.users[id]
	if !ok {
		name = "user" + id
	}
	return &discordgo.User{ID: id, Username: name, GlobalName: name, Discriminator: "0"}
}

func (s *Server) handleGetUser(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("user")
	if id == "@me" || id == s.cfg.BotUserID {
		writeJSON(w, http.StatusOK, s.BotUser())
		return
	}
	s.mu.Lock()
	_, known := s.users[id]
	u := s.userLocked(id)
	s.mu.Unlock()
	if !known {
		writeError(w, http.StatusNotFound, 10013, "Unknown User")
		return
	}
	writeJSON(w, http.StatusOK, u)
}

// dmChannelLocked returns the user's DM channel, creating it on first use.
func (s *Server) dmChannelLocked(userID string) string {
	if ch, ok := s.dmByUser[userID]; ok {
		return ch
	}
	ch := s.ids.next()
	s.dmByUser[userID] = ch
	s.dmUser[ch] = userID
	return ch
}

func (s *Server) dmChannelJSON(ch, userID string) map[string]any {
	return map[string]any{
		"id": ch, "type": discordgo.ChannelTypeDM, "last_message_id": nil, "flags": 0,
		"recipients": []*discordgo.User{s.userLocked(userID)},
	}
}

func (s *Server) handleCreateDM(w http.ResponseWriter, r *http.Request) {
	if r.PathValue("user") != "@me" {
		writeError(w, http.StatusNotFound, 0, "404: Not Found")
		return
	}
	var body struct {
		RecipientID string `json:"recipient_id"`
	}
	b, _ := io.ReadAll(r.Body)
	if err := json.Unmarshal(b, &body); err != nil {
		writeError(w, http.StatusBadRequest, 50109, "The request body contains invalid JSON.")
		return
	}
	if body.RecipientID == "" {
		var fe formErrors
		fe.add("recipient_id", "BASE_TYPE_REQUIRED", "This field is required")
		fe.err().write(w)
		return
	}
	s.mu.Lock()
	ch := s.dmChannelLocked(body.RecipientID)
	out := s.dmChannelJSON(ch, body.RecipientID)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) handleGetChannel(w http.ResponseWriter, r *http.Request) {
	ch := r.PathValue("ch")
	s.mu.Lock()
	defer s.mu.Unlock()
	if u, ok := s.dmUser[ch]; ok {
		writeJSON(w, http.StatusOK, s.dmChannelJSON(ch, u))
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"id": ch, "type": discordgo.ChannelTypeGuildText, "guild_id": s.cfg.GuildID,
		"name": "channel-" + ch, "position": 0, "flags": 0, "last_message_id": nil,
	})
}

// CloseDMs makes messages to the user's DM channel fail with 403 "Cannot
// send messages to this user" (50007), as when a user disabled DMs from
// server members or blocked the bot. Opening the DM channel still works.
func (s *Server) CloseDMs(userID string) {
	s.mu.Lock()
	s.closedDMs[userID] = true
	s.mu.Unlock()
}

// OpenDMs undoes CloseDMs.
func (s *Server) OpenDMs(userID string) {
	s.mu.Lock()
	delete(s.closedDMs, userID)
	s.mu.Unlock()
}

// DMChannel returns the ID of the user's DM channel, if one was opened
// (POST /users/@me/channels, or a builder with InDM).
func (s *Server) DMChannel(userID string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, ok := s.dmByUser[userID]
	return ch, ok
}

// ---- channel messages

func (s *Server) channelLocked(id string) *channelState {
	cs := s.channels[id]
	if cs == nil {
		cs = &channelState{byID: make(map[string]*storedMsg)}
		s.channels[id] = cs
	}
	return cs
}

func (s *Server) handleCreateMessage(w http.ResponseWriter, r *http.Request) {
	ch := r.PathValue("ch")
	in, aerr := parseRequestMessage(r)
	if aerr != nil {
		aerr.write(w)
		return
	}
	now := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if u, ok := s.dmUser[ch]; ok && s.closedDMs[u] {
		writeError(w, http.StatusForbidden, 50007, "Cannot send messages to this user")
		return
	}
	if aerr := checkCreate(in, ""); aerr != nil {
		aerr.write(w)
		return
	}
	m := &storedMsg{id: s.ids.next(), channelID: ch, author: s.BotUser(), created: now}
	if _, dm := s.dmUser[ch]; !dm {
		m.guildID = s.cfg.GuildID
	}
	m.cur = s.newVersion(in, ch, now)
	cs := s.channelLocked(ch)
	cs.msgs = append(cs.msgs, m)
	cs.byID[m.id] = m
	s.notifyLocked()
	writeJSON(w, http.StatusOK, s.wireMessage(m))
}

// handleListMessages answers GET /channels/{ch}/messages: the newest
// messages first, at most limit (default 50, at most 100), before a message
// id when given, as Discord does.
func (s *Server) handleListMessages(w http.ResponseWriter, r *http.Request) {
	ch := r.PathValue("ch")
	limit := 50
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			writeError(w, http.StatusBadRequest, 50035, "Invalid Form Body: limit must be 1 to 100")
			return
		}
		limit = n
	}
	before := r.URL.Query().Get("before")
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []json.RawMessage{}
	if cs := s.channels[ch]; cs != nil {
		skipping := before != ""
		for i := len(cs.msgs) - 1; i >= 0 && len(out) < limit; i-- {
			m := cs.msgs[i]
			if skipping {
				skipping = m.id != before
				continue
			}
			if !m.deleted {
				out = append(out, s.wireMessage(m))
			}
		}
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) handleChannelMessage(w http.ResponseWriter, r *http.Request) {
	ch, mid := r.PathValue("ch"), r.PathValue("mid")
	var in *msgInput
	if r.Method == http.MethodPatch {
		var aerr *apiError
		if in, aerr = parseRequestMessage(r); aerr != nil {
			aerr.write(w)
			return
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var m *storedMsg
	if cs := s.channels[ch]; cs != nil {
		m = cs.byID[mid]
	}
	if m == nil || m.deleted {
		writeError(w, http.StatusNotFound, 10008, "Unknown Message")
		return
	}
	s.messageMethodLocked(w, r, m, in)
}

// messageMethodLocked answers GET, PATCH or DELETE on a stored message.
func (s *Server) messageMethodLocked(w http.ResponseWriter, r *http.Request, m *storedMsg, in *msgInput) {
	switch r.Method {
	case http.MethodGet:
		writeJSON(w, http.StatusOK, s.wireMessage(m))
	case http.MethodDelete:
		m.deleted = true
		s.notifyLocked()
		w.WriteHeader(http.StatusNoContent)
	case http.MethodPatch:
		var fe formErrors
		validateMessage(in, "", &fe)
		if aerr := fe.err(); aerr != nil {
			aerr.write(w)
			return
		}
		s.applyEdit(m, in, time.Now())
		s.notifyLocked()
		writeJSON(w, http.StatusOK, s.wireMessage(m))
	}
}

func parseRequestMessage(r *http.Request) (*msgInput, *apiError) {
	body, _ := io.ReadAll(r.Body)
	raw, files, aerr := readBody(r, body)
	if aerr != nil {
		return nil, aerr
	}
	return parseMsgInput(raw, files)
}

// checkCreate validates a new message.
func checkCreate(in *msgInput, prefix string) *apiError {
	var fe formErrors
	validateMessage(in, prefix, &fe)
	if aerr := fe.err(); aerr != nil {
		return aerr
	}
	if in.empty() {
		return newAPIError(http.StatusBadRequest, 50006, "Cannot send an empty message")
	}
	return nil
}

// Messages returns the messages the bot posted to a channel (not deleted),
// oldest first. Interaction responses are under Original and Followups.
func (s *Server) Messages(channelID string) []StoredMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.messagesLocked(channelID)
}

func (s *Server) messagesLocked(channelID string) []StoredMessage {
	if cs := s.channels[channelID]; cs != nil {
		return live(cs.msgs)
	}
	return nil
}

// live is snapshots of the messages not deleted, in order.
func live(msgs []*storedMsg) []StoredMessage {
	out := make([]StoredMessage, 0, len(msgs))
	for _, m := range msgs {
		if !m.deleted {
			out = append(out, m.snapshot())
		}
	}
	return out
}

// Message returns one stored channel message (also when deleted).
func (s *Server) Message(channelID, id string) (StoredMessage, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if cs := s.channels[channelID]; cs != nil {
		if m := cs.byID[id]; m != nil {
			return m.snapshot(), true
		}
	}
	return StoredMessage{}, false
}

// WaitMessage waits for a message in the channel for which match returns
// true (nil matches any) and returns it. Edits count: match sees the
// current version.
func (s *Server) WaitMessage(ctx context.Context, channelID string, match func(StoredMessage) bool) (StoredMessage, error) {
	var found StoredMessage
	err := s.waitLocked(ctx, func() bool {
		for _, m := range s.messagesLocked(channelID) {
			if match == nil || match(m) {
				found = m
				return true
			}
		}
		return false
	})
	return found, err
}

// DMs returns the messages the bot sent to the user's DM channel.
func (s *Server) DMs(userID string) []StoredMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, ok := s.dmByUser[userID]
	if !ok {
		return nil
	}
	return s.messagesLocked(ch)
}

// WaitDM is WaitMessage on the user's DM channel (which may not exist yet).
func (s *Server) WaitDM(ctx context.Context, userID string, match func(StoredMessage) bool) (StoredMessage, error) {
	var found StoredMessage
	err := s.waitLocked(ctx, func() bool {
		ch, ok := s.dmByUser[userID]
		if !ok {
			return false
		}
		for _, m := range s.messagesLocked(ch) {
			if match == nil || match(m) {
				found = m
				return true
			}
		}
		return false
	})
	return found, err
}

// ---- interactions

// register records an interaction so its callback and webhooks are known.
func (s *Server) register(i *discordgo.Interaction) *interactionState {
	s.mu.Lock()
	defer s.mu.Unlock()
	if i.ID == "" {
		i.ID = s.ids.next()
	}
	if i.Token == "" {
		i.Token = newToken()
	}
	if i.AppID == "" {
		i.AppID = s.cfg.AppID
	}
	cp := *i
	if ist := s.interactions[i.ID]; ist != nil {
		// Sent after being built: take the caller's latest edits.
		if ist.i.Token != cp.Token {
			delete(s.tokens, ist.i.Token)
			s.tokens[cp.Token] = ist
		}
		ist.i = &cp
		return ist
	}
	ist := &interactionState{i: &cp, acked: make(chan struct{})}
	s.interactions[i.ID] = ist
	s.tokens[i.Token] = ist
	return ist
}

func (s *Server) markDispatched(interactionID string, at time.Time) {
	if interactionID == "" {
		return
	}
	s.mu.Lock()
	if ist := s.interactions[interactionID]; ist != nil {
		if ist.dispatched.IsZero() {
			ist.dispatched = at
		}
		ist.deliveries++
	}
	s.mu.Unlock()
}

// unmarkDispatched undoes markDispatched after a failed write.
func (s *Server) unmarkDispatched(interactionID string, at time.Time) {
	if interactionID == "" {
		return
	}
	s.mu.Lock()
	if ist := s.interactions[interactionID]; ist != nil {
		if ist.dispatched.Equal(at) {
			ist.dispatched = time.Time{}
		}
		ist.deliveries--
	}
	s.mu.Unlock()
}

// Deliveries counts how often the interaction was written to the gateway
// (replays and SendInteractionTwice included).
func (s *Server) Deliveries(interactionID string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ist := s.interactions[interactionID]; ist != nil {
		return ist.deliveries
	}
	return 0
}

var allowedResponses = map[discordgo.InteractionType][]discordgo.InteractionResponseType{
	discordgo.InteractionPing:                           {discordgo.InteractionResponsePong},
	discordgo.InteractionApplicationCommand:             {4, 5, 9},
	discordgo.InteractionMessageComponent:               {4, 5, 6, 7, 9},
	discordgo.InteractionApplicationCommandAutocomplete: {8},
	discordgo.InteractionModalSubmit:                    {4, 5, 6, 7},
}

func (s *Server) handleCallback(w http.ResponseWriter, r *http.Request) {
	now := time.Now()
	id, token := r.PathValue("id"), r.PathValue("token")
	body, _ := io.ReadAll(r.Body)
	raw, files, aerr := readBody(r, body)
	if aerr != nil {
		aerr.write(w)
		return
	}
	var resp struct {
		Type *discordgo.InteractionResponseType `json:"type"`
		Data json.RawMessage                    `json:"data"`
	}
	if err := json.Unmarshal(raw, &resp); err != nil {
		writeError(w, http.StatusBadRequest, 50109, "The request body contains invalid JSON.")
		return
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	ist := s.interactions[id]
	switch {
	case ist == nil:
		writeError(w, http.StatusNotFound, 10062, "Unknown interaction")
		return
	case ist.i.Token != token:
		writeError(w, http.StatusUnauthorized, 50027, "Invalid Webhook Token")
		return
	case ist.callback != nil:
		writeError(w, http.StatusBadRequest, 40060, "Interaction has already been acknowledged")
		return
	case s.cfg.CallbackDeadline > 0 && !ist.dispatched.IsZero() && now.Sub(ist.dispatched) > s.cfg.CallbackDeadline:
		writeError(w, http.StatusNotFound, 10062, "Unknown interaction")
		return
	}
	var fe formErrors
	if resp.Type == nil {
		fe.add("type", "BASE_TYPE_REQUIRED", "This field is required")
		fe.err().write(w)
		return
	}
	t := *resp.Type
	in, aerr := parseMsgInput(resp.Data, files)
	if aerr != nil {
		aerr.write(w)
		return
	}
	allowed := allowedResponses[ist.i.Type]
	if ist.i.Type == discordgo.InteractionModalSubmit && ist.i.Message == nil {
		allowed = allowed[:2] // 6 and 7 need the message the modal came from
	}
	ok := false
	for _, a := range allowed {
		ok = ok || a == t
	}
	if !ok {
		fe.add("type", "BASE_TYPE_CHOICES", fmt.Sprintf("Value must be one of %v for interaction type %d.", allowed, ist.i.Type))
		fe.err().write(w)
		return
	}
	switch t {
	case discordgo.InteractionResponseChannelMessageWithSource:
		if aerr := checkCreate(in, "data."); aerr != nil {
			aerr.write(w)
			return
		}
	case discordgo.InteractionResponseUpdateMessage:
		validateMessage(in, "data.", &fe)
	case discordgo.InteractionApplicationCommandAutocompleteResult:
		if len(in.choices) > 25 {
			fe.add("data.choices", "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
		}
	case discordgo.InteractionResponseModal:
		validateModal(in, &fe)
	}
	if aerr := fe.err(); aerr != nil {
		aerr.write(w)
		return
	}

	cb := &Callback{
		InteractionID: id, Token: token, Response: &discordgo.InteractionResponse{Type: t},
		Files: files, Dispatched: ist.dispatched, Arrived: now,
	}
	if len(in.present) > 0 {
		cb.RawComponents = in.rawComponents
		cb.Response.Data = &discordgo.InteractionResponseData{
			TTS: in.tts, Content: in.content, Components: in.components, Embeds: in.embeds,
			Flags: in.flags, Choices: in.choices, CustomID: in.customID, Title: in.title,
		}
	}
	switch t {
	case discordgo.InteractionResponseChannelMessageWithSource:
		ist.original = s.newWebhookMsg(ist, in, now)
	case discordgo.InteractionResponseDeferredChannelMessageWithSource:
		m := s.newWebhookMsg(ist, &msgInput{}, now)
		m.cur.Flags = (in.flags & discordgo.MessageFlagsEphemeral) | discordgo.MessageFlagsLoading
		ist.original = m
	case discordgo.InteractionResponseDeferredMessageUpdate:
		ist.original = s.componentMessageLocked(ist, now)
	case discordgo.InteractionResponseUpdateMessage:
		if m := s.componentMessageLocked(ist, now); m != nil {
			s.applyEdit(m, in, now)
			ist.original = m
		}
	}
	ist.callback = cb
	s.callbacks = append(s.callbacks, cb)
	close(ist.acked)
	s.notifyLocked()
	w.WriteHeader(http.StatusNoContent)
}

func validateModal(in *msgInput, fe *formErrors) {
	if in.customID == "" || len([]rune(in.customID)) > 100 {
		fe.add("data.custom_id", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")
	}
	if in.title == "" || len([]rune(in.title)) > 45 {
		fe.add("data.title", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 45 in length.")
	}
	var raws []json.RawMessage
	_ = json.Unmarshal(in.rawComponents, &raws)
	if len(raws) < 1 || len(raws) > 5 {
		fe.add("data.components", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 5 in length.")
	}
	seen := make(map[string]bool)
	for i, c := range in.components {
		validateComponent(c, fmt.Sprintf("data.components.%d", i), seen, fe)
	}
}

// newWebhookMsg makes an interaction response message (original or
// follow-up) in the interaction's channel.
func (s *Server) newWebhookMsg(ist *interactionState, in *msgInput, now time.Time) *storedMsg {
	m := &storedMsg{
		id: s.ids.next(), channelID: ist.i.ChannelID, guildID: ist.i.GuildID,
		webhookID: ist.i.AppID, author: s.BotUser(), created: now,
	}
	if ist.i.Type == discordgo.InteractionApplicationCommand {
		m.msgType = discordgo.MessageTypeChatInputCommand
	}
	m.cur = s.newVersion(in, m.channelID, now)
	return m
}

// componentMessageLocked is the message a component interaction came from:
// the stored channel message if the bot posted it through the fake (so
// updates show in Messages), else one made from interaction.Message.
func (s *Server) componentMessageLocked(ist *interactionState, now time.Time) *storedMsg {
	msg := ist.i.Message
	if msg == nil {
		return nil
	}
	if cs := s.channels[msg.ChannelID]; cs != nil {
		if m := cs.byID[msg.ID]; m != nil {
			return m
		}
	}
	raw, _ := json.Marshal(msg.Components)
	created := msg.Timestamp
	if created.IsZero() {
		created = now
	}
	return &storedMsg{
		id: msg.ID, channelID: msg.ChannelID, guildID: msg.GuildID, author: msg.Author,
		webhookID: msg.WebhookID, msgType: msg.Type, created: created,
		cur: MessageVersion{
			Content: msg.Content, Embeds: msg.Embeds, Components: msg.Components,
			RawComponents: normRaw(raw), Flags: msg.Flags, Attachments: msg.Attachments, At: created,
		},
	}
}

// Callback returns the accepted callback of an interaction.
func (s *Server) Callback(interactionID string) (Callback, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ist := s.interactions[interactionID]; ist != nil && ist.callback != nil {
		return *ist.callback, true
	}
	return Callback{}, false
}

// Callbacks returns every accepted callback in arrival order.
func (s *Server) Callbacks() []Callback {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Callback, len(s.callbacks))
	for i, cb := range s.callbacks {
		out[i] = *cb
	}
	return out
}

// WaitCallback waits for the interaction's callback. The interaction must be
// known (built by a builder or sent with SendInteraction).
func (s *Server) WaitCallback(ctx context.Context, interactionID string) (Callback, error) {
	s.mu.Lock()
	ist := s.interactions[interactionID]
	closed := s.closed
	s.mu.Unlock()
	if ist == nil {
		return Callback{}, fmt.Errorf("%w: %s", ErrUnknownInteraction, interactionID)
	}
	if closed {
		return Callback{}, ErrClosed
	}
	select {
	case <-ist.acked:
		s.mu.Lock()
		defer s.mu.Unlock()
		return *ist.callback, nil
	case <-ctx.Done():
		return Callback{}, ctx.Err()
	case <-s.done:
		return Callback{}, ErrClosed
	}
}

// ---- webhooks: original response and follow-ups

// webhookLocked finds the interaction of a webhook route or answers 404
// "Unknown Webhook" (10015).
func (s *Server) webhookLocked(w http.ResponseWriter, r *http.Request) *interactionState {
	ist := s.tokens[r.PathValue("token")]
	if ist == nil || ist.i.AppID != r.PathValue("app") {
		writeError(w, http.StatusNotFound, 10015, "Unknown Webhook")
		return nil
	}
	return ist
}

// handleFollowup creates a follow-up message. As on Discord, the response
// always carries the message (wait is implied for interaction webhooks), a
// follow-up before the interaction was answered is 404 Unknown Webhook, and
// the first follow-up after a deferred response (type 5) edits the loading
// message instead of creating one (deprecated Discord behaviour).
func (s *Server) handleFollowup(w http.ResponseWriter, r *http.Request) {
	in, aerr := parseRequestMessage(r)
	if aerr != nil {
		aerr.write(w)
		return
	}
	now := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	ist := s.webhookLocked(w, r)
	if ist == nil {
		return
	}
	if ist.callback == nil {
		writeError(w, http.StatusNotFound, 10015, "Unknown Webhook")
		return
	}
	if aerr := checkCreate(in, ""); aerr != nil {
		aerr.write(w)
		return
	}
	if o := ist.original; o != nil && ist.callback.Response.Type == discordgo.InteractionResponseDeferredChannelMessageWithSource &&
		o.cur.Flags&discordgo.MessageFlagsLoading != 0 {
		delete(in.present, "flags")
		s.applyEdit(o, in, now)
		s.notifyLocked()
		writeJSON(w, http.StatusOK, s.wireMessage(o))
		return
	}
	m := s.newWebhookMsg(ist, in, now)
	m.msgType = discordgo.MessageTypeDefault
	ist.followups = append(ist.followups, m)
	s.notifyLocked()
	writeJSON(w, http.StatusOK, s.wireMessage(m))
}

func (s *Server) handleWebhookMessage(w http.ResponseWriter, r *http.Request) {
	var in *msgInput
	if r.Method == http.MethodPatch {
		var aerr *apiError
		if in, aerr = parseRequestMessage(r); aerr != nil {
			aerr.write(w)
			return
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ist := s.webhookLocked(w, r)
	if ist == nil {
		return
	}
	mid := r.PathValue("mid")
	var m *storedMsg
	if o := ist.original; o != nil && (mid == "@original" || mid == o.id) {
		m = o
	}
	for _, f := range ist.followups {
		if f.id == mid {
			m = f
		}
	}
	if m == nil || m.deleted {
		writeError(w, http.StatusNotFound, 10008, "Unknown Message")
		return
	}
	s.messageMethodLocked(w, r, m, in)
}

// Original returns the interaction's original response message: created by
// a type 4 or 5 callback (a type 5 one is Loading until edited), or, for a
// type 6 or 7 callback, the message the component was on.
func (s *Server) Original(token string) (StoredMessage, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ist := s.tokens[token]; ist != nil && ist.original != nil {
		return ist.original.snapshot(), true
	}
	return StoredMessage{}, false
}

// Followups returns the interaction's follow-up messages, oldest first.
func (s *Server) Followups(token string) []StoredMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.followupsLocked(token)
}

func (s *Server) followupsLocked(token string) []StoredMessage {
	if ist := s.tokens[token]; ist != nil {
		return live(ist.followups)
	}
	return nil
}

// WaitOriginal waits until the interaction's original response satisfies
// match; a nil match waits for one that is not Loading (a type 4 response,
// or a deferred one after its first edit).
func (s *Server) WaitOriginal(ctx context.Context, token string, match func(StoredMessage) bool) (StoredMessage, error) {
	if match == nil {
		match = func(m StoredMessage) bool { return !m.Loading() }
	}
	var found StoredMessage
	err := s.waitLocked(ctx, func() bool {
		ist := s.tokens[token]
		if ist == nil || ist.original == nil {
			return false
		}
		found = ist.original.snapshot()
		return match(found)
	})
	return found, err
}

// WaitFollowup waits for a follow-up of the interaction for which match
// returns true (nil matches any).
func (s *Server) WaitFollowup(ctx context.Context, token string, match func(StoredMessage) bool) (StoredMessage, error) {
	var found StoredMessage
	err := s.waitLocked(ctx, func() bool {
		for _, m := range s.followupsLocked(token) {
			if match == nil || match(m) {
				found = m
				return true
			}
		}
		return false
	})
	return found, err
}
