package discordtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"
)

// File is a file uploaded with a message or an interaction response
// (multipart/form-data, part files[n]).
type File struct {
	Name        string
	ContentType string
	Data        []byte
}

// MessageVersion is a message's content at one point of its edit history.
type MessageVersion struct {
	Content    string
	Embeds     []*discordgo.MessageEmbed
	Components []discordgo.MessageComponent // those discordgo can decode
	// RawComponents is the components JSON as sent, including any type
	// discordgo v0.29.0 cannot decode.
	RawComponents json.RawMessage
	Flags         discordgo.MessageFlags
	Attachments   []*discordgo.MessageAttachment // served by the fake's CDN
	Files         []File                         // uploaded with this version
	At            time.Time
}

// StoredMessage is a message the bot posted or edited through the fake: a
// channel message, an interaction's original response or a follow-up.
type StoredMessage struct {
	ID        string
	ChannelID string
	MessageVersion
	Created time.Time
	Edited  time.Time // zero if never edited
	Deleted bool
	// History holds the earlier versions, oldest first; the current one is
	// the embedded MessageVersion.
	History []MessageVersion
}

// Loading reports whether this is a deferred response not yet edited.
func (m StoredMessage) Loading() bool { return m.Flags&discordgo.MessageFlagsLoading != 0 }

// Ephemeral reports whether the message is ephemeral.
func (m StoredMessage) Ephemeral() bool { return m.Flags&discordgo.MessageFlagsEphemeral != 0 }

type storedMsg struct {
	id, channelID, guildID string
	webhookID              string
	msgType                discordgo.MessageType
	author                 *discordgo.User
	cur                    MessageVersion
	history                []MessageVersion
	created, edited        time.Time
	deleted                bool
}

func (m *storedMsg) snapshot() StoredMessage {
	return StoredMessage{
		ID: m.id, ChannelID: m.channelID, MessageVersion: m.cur,
		Created: m.created, Edited: m.edited, Deleted: m.deleted,
		History: append([]MessageVersion(nil), m.history...),
	}
}

// msgInput is a message body as the bot sent it (create, edit, or the data
// of an interaction response).
type msgInput struct {
	present       map[string]bool
	content       string
	embeds        []*discordgo.MessageEmbed
	components    []discordgo.MessageComponent
	rawComponents json.RawMessage
	flags         discordgo.MessageFlags
	tts           bool
	keep          []string // attachment IDs listed in "attachments"
	files         []File
	// interaction response data only
	choices  []*discordgo.ApplicationCommandOptionChoice
	customID string
	title    string
}

func (in *msgInput) empty() bool {
	return in.content == "" && len(in.embeds) == 0 && !hasComponents(in.rawComponents) && len(in.files) == 0
}

func hasComponents(raw json.RawMessage) bool {
	t := bytes.TrimSpace(raw)
	return len(t) > 0 && !bytes.Equal(t, []byte("null")) && !bytes.Equal(t, []byte("[]"))
}

// readBody splits a request body into its JSON payload and uploaded files:
// multipart/form-data with a payload_json part (and files[n] parts), or
// plain JSON.
func readBody(r *http.Request, body []byte) (json.RawMessage, []File, *apiError) {
	ct, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct != "multipart/form-data" {
		return body, nil, nil
	}
	mr := multipart.NewReader(bytes.NewReader(body), params["boundary"])
	var payload json.RawMessage
	var files []File
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, nil, newAPIError(http.StatusBadRequest, 50109, "The request body contains invalid JSON.")
		}
		data, err := io.ReadAll(p)
		if err != nil {
			return nil, nil, newAPIError(http.StatusBadRequest, 50109, "The request body contains invalid JSON.")
		}
		switch name := p.FormName(); {
		case name == "payload_json":
			payload = data
		case strings.HasPrefix(name, "file"): // files[n], or file in old clients
			files = append(files, File{Name: p.FileName(), ContentType: p.Header.Get("Content-Type"), Data: data})
		}
	}
	return payload, files, nil
}

func parseMsgInput(raw json.RawMessage, files []File) (*msgInput, *apiError) {
	in := &msgInput{present: make(map[string]bool), files: files}
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return in, nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, newAPIError(http.StatusBadRequest, 50109, "The request body contains invalid JSON.")
	}
	var fe formErrors
	field := func(key string, v any) {
		if err := json.Unmarshal(m[key], v); err != nil {
			fe.add(key, "BASE_TYPE_INVALID", "Invalid value: "+err.Error())
		}
	}
	for key := range m {
		in.present[key] = true
	}
	if in.present["content"] {
		var c *string
		field("content", &c)
		if c != nil {
			in.content = *c
		}
	}
	if in.present["embeds"] {
		field("embeds", &in.embeds)
	}
	if in.present["components"] {
		in.rawComponents = m["components"]
		var raws []json.RawMessage
		field("components", &raws)
		for _, rc := range raws {
			// Types discordgo cannot decode are kept in rawComponents only.
			if c, err := discordgo.MessageComponentFromJSON(rc); err == nil {
				in.components = append(in.components, c)
			}
		}
	}
	if in.present["flags"] {
		var f *discordgo.MessageFlags
		field("flags", &f)
		if f != nil {
			in.flags = *f
		}
	}
	if in.present["tts"] {
		field("tts", &in.tts)
	}
	if in.present["attachments"] {
		var atts []struct {
			ID json.RawMessage `json:"id"`
		}
		field("attachments", &atts)
		for _, a := range atts {
			in.keep = append(in.keep, strings.Trim(string(a.ID), `"`))
		}
	}
	if in.present["choices"] {
		field("choices", &in.choices)
	}
	if in.present["custom_id"] {
		field("custom_id", &in.customID)
	}
	if in.present["title"] {
		field("title", &in.title)
	}
	return in, fe.err()
}

// validateMessage checks Discord's message limits.
func validateMessage(in *msgInput, prefix string, fe *formErrors) {
	p := func(k string) string { return prefix + k }
	if n := utf8.RuneCountInString(in.content); n > 2000 {
		fe.add(p("content"), "BASE_TYPE_MAX_LENGTH", "Must be 2000 or fewer in length.")
	}
	if len(in.embeds) > 10 {
		fe.add(p("embeds"), "BASE_TYPE_MAX_LENGTH", "Must be 10 or fewer in length.")
	}
	total := 0
	for i, e := range in.embeds {
		if e == nil {
			continue
		}
		ep := p("embeds." + strconv.Itoa(i) + ".")
		check := func(key, v string, limit int) {
			n := utf8.RuneCountInString(v)
			total += n
			if n > limit {
				fe.add(ep+key, "BASE_TYPE_MAX_LENGTH", fmt.Sprintf("Must be %d or fewer in length.", limit))
			}
		}
		check("title", e.Title, 256)
		check("description", e.Description, 4096)
		if e.Footer != nil {
			check("footer.text", e.Footer.Text, 2048)
		}
		if e.Author != nil {
			check("author.name", e.Author.Name, 256)
		}
		if len(e.Fields) > 25 {
			fe.add(ep+"fields", "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
		}
		for j, f := range e.Fields {
			if f == nil {
				continue
			}
			fp := "fields." + strconv.Itoa(j) + "."
			if f.Name == "" {
				fe.add(ep+fp+"name", "BASE_TYPE_REQUIRED", "This field is required")
			}
			if f.Value == "" {
				fe.add(ep+fp+"value", "BASE_TYPE_REQUIRED", "This field is required")
			}
			check(fp+"name", f.Name, 256)
			check(fp+"value", f.Value, 1024)
		}
	}
	if total > 6000 {
		fe.add(p("embeds"), "MAX_EMBED_SIZE_EXCEEDED", "Embed size exceeds maximum size of 6000")
	}
	limit := 5
	if in.flags&discordgo.MessageFlagsIsComponentsV2 != 0 {
		limit = 40
	}
	if len(in.components) > limit {
		fe.add(p("components"), "BASE_TYPE_MAX_LENGTH", fmt.Sprintf("Must be %d or fewer in length.", limit))
	}
	seen := make(map[string]bool)
	for i, c := range in.components {
		validateComponent(c, p("components."+strconv.Itoa(i)), seen, fe)
	}
}

func validateComponent(c discordgo.MessageComponent, path string, seen map[string]bool, fe *formErrors) {
	customID := func(id string, required bool) {
		switch {
		case id == "" && required:
			fe.add(path+".custom_id", "BASE_TYPE_REQUIRED", "This field is required")
		case utf8.RuneCountInString(id) > 100:
			fe.add(path+".custom_id", "BASE_TYPE_MAX_LENGTH", "Must be 100 or fewer in length.")
		case id != "" && seen[id]:
			fe.add(path+".custom_id", "COMPONENT_CUSTOM_ID_DUPLICATED", "Component custom id cannot be duplicated")
		}
		if id != "" {
			seen[id] = true
		}
	}
	switch c := c.(type) {
	case *discordgo.ActionsRow:
		if len(c.Components) == 0 || len(c.Components) > 5 {
			fe.add(path+".components", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 5 in length.")
		}
		for j, cc := range c.Components {
			validateComponent(cc, path+".components."+strconv.Itoa(j), seen, fe)
		}
	case *discordgo.Button:
		if c.Style == discordgo.LinkButton {
			if c.URL == "" {
				fe.add(path+".url", "BASE_TYPE_REQUIRED", "This field is required")
			}
			if c.CustomID != "" {
				fe.add(path+".custom_id", "BUTTON_COMPONENT_CUSTOM_ID_LINK_BUTTON", "A link button cannot have a custom id")
			}
		} else if c.Style != discordgo.PremiumButton {
			customID(c.CustomID, true)
		}
		if utf8.RuneCountInString(c.Label) > 80 {
			fe.add(path+".label", "BASE_TYPE_MAX_LENGTH", "Must be 80 or fewer in length.")
		}
	case *discordgo.SelectMenu:
		customID(c.CustomID, true)
		if len(c.Options) > 25 {
			fe.add(path+".options", "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
		}
	case *discordgo.TextInput:
		customID(c.CustomID, true)
		if c.Label == "" || utf8.RuneCountInString(c.Label) > 45 {
			fe.add(path+".label", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 45 in length.")
		}
	}
}

// newVersion makes the first version of a message from a create body.
func (s *Server) newVersion(in *msgInput, channelID string, now time.Time) MessageVersion {
	return MessageVersion{
		Content:       in.content,
		Embeds:        in.embeds,
		Components:    in.components,
		RawComponents: normRaw(in.rawComponents),
		Flags:         in.flags,
		Attachments:   s.storeUploads(channelID, in.files),
		Files:         in.files,
		At:            now,
	}
}

// applyEdit makes a new version from a (partial) edit body.
func (s *Server) applyEdit(m *storedMsg, in *msgInput, now time.Time) {
	next := m.cur
	next.Files = in.files
	next.At = now
	if in.present["content"] {
		next.Content = in.content
	}
	if in.present["embeds"] {
		next.Embeds = in.embeds
	}
	if in.present["components"] {
		next.Components = in.components
		next.RawComponents = normRaw(in.rawComponents)
	}
	// Ephemeral state cannot change; loading ends with the first edit.
	next.Flags = m.cur.Flags &^ discordgo.MessageFlagsLoading
	if in.present["flags"] {
		next.Flags = (m.cur.Flags & discordgo.MessageFlagsEphemeral) |
			(in.flags &^ (discordgo.MessageFlagsEphemeral | discordgo.MessageFlagsLoading))
	}
	if in.present["attachments"] {
		keep := make(map[string]bool, len(in.keep))
		for _, id := range in.keep {
			keep[id] = true
		}
		next.Attachments = nil
		for _, a := range m.cur.Attachments {
			if keep[a.ID] {
				next.Attachments = append(next.Attachments, a)
			}
		}
	} else {
		next.Attachments = append([]*discordgo.MessageAttachment(nil), m.cur.Attachments...)
	}
	next.Attachments = append(next.Attachments, s.storeUploads(m.channelID, in.files)...)
	m.history = append(m.history, m.cur)
	m.cur = next
	m.edited = now
}

func normRaw(raw json.RawMessage) json.RawMessage {
	t := bytes.TrimSpace(raw)
	if len(t) == 0 || bytes.Equal(t, []byte("null")) {
		return json.RawMessage("[]")
	}
	return append(json.RawMessage(nil), t...)
}

// wireMessage is the message object Discord returns.
func (s *Server) wireMessage(m *storedMsg) []byte {
	var edited *time.Time
	if !m.edited.IsZero() {
		t := m.edited.UTC()
		edited = &t
	}
	atts := m.cur.Attachments
	if atts == nil {
		atts = []*discordgo.MessageAttachment{}
	}
	embeds := m.cur.Embeds
	if embeds == nil {
		embeds = []*discordgo.MessageEmbed{}
	}
	b, _ := json.Marshal(struct {
		ID              string                         `json:"id"`
		Type            discordgo.MessageType          `json:"type"`
		ChannelID       string                         `json:"channel_id"`
		GuildID         string                         `json:"guild_id,omitempty"`
		Author          *discordgo.User                `json:"author"`
		Content         string                         `json:"content"`
		Timestamp       time.Time                      `json:"timestamp"`
		EditedTimestamp *time.Time                     `json:"edited_timestamp"`
		TTS             bool                           `json:"tts"`
		MentionEveryone bool                           `json:"mention_everyone"`
		Mentions        []*discordgo.User              `json:"mentions"`
		MentionRoles    []string                       `json:"mention_roles"`
		Attachments     []*discordgo.MessageAttachment `json:"attachments"`
		Embeds          []*discordgo.MessageEmbed      `json:"embeds"`
		Components      json.RawMessage                `json:"components"`
		Pinned          bool                           `json:"pinned"`
		Flags           discordgo.MessageFlags         `json:"flags"`
		WebhookID       string                         `json:"webhook_id,omitempty"`
		ApplicationID   string                         `json:"application_id,omitempty"`
	}{
		ID: m.id, Type: m.msgType, ChannelID: m.channelID, GuildID: m.guildID, Author: m.author,
		Content: m.cur.Content, Timestamp: m.created.UTC(), EditedTimestamp: edited,
		Mentions: []*discordgo.User{}, MentionRoles: []string{},
		Attachments: atts, Embeds: embeds, Components: normRaw(m.cur.RawComponents),
		Flags: m.cur.Flags, WebhookID: m.webhookID, ApplicationID: m.webhookID,
	})
	return b
}

// marshalInteraction encodes an interaction as Discord sends it. discordgo's
// own structs drop message components and modal submit components when
// marshalled (json:"-"), so those are written here.
func marshalInteraction(i *discordgo.Interaction) ([]byte, error) {
	var data json.RawMessage
	var err error
	switch d := i.Data.(type) {
	case nil:
	case discordgo.ModalSubmitInteractionData:
		data, err = marshalModalData(d)
	case *discordgo.ModalSubmitInteractionData:
		data, err = marshalModalData(*d)
	default:
		data, err = json.Marshal(d)
	}
	if err != nil {
		return nil, err
	}
	var msg json.RawMessage
	if i.Message != nil {
		if msg, err = marshalMessageObject(i.Message); err != nil {
			return nil, err
		}
	}
	return json.Marshal(struct {
		*discordgo.Interaction
		Data    json.RawMessage `json:"data,omitempty"`
		Message json.RawMessage `json:"message,omitempty"`
	}{i, data, msg})
}

func marshalModalData(d discordgo.ModalSubmitInteractionData) ([]byte, error) {
	comps := d.Components
	if comps == nil {
		comps = []discordgo.MessageComponent{}
	}
	return json.Marshal(struct {
		CustomID   string                       `json:"custom_id"`
		Components []discordgo.MessageComponent `json:"components"`
	}{d.CustomID, comps})
}

// marshalMessageObject encodes a discordgo.Message with its components.
func marshalMessageObject(m *discordgo.Message) ([]byte, error) {
	comps := m.Components
	if comps == nil {
		comps = []discordgo.MessageComponent{}
	}
	return json.Marshal(struct {
		*discordgo.Message
		Components []discordgo.MessageComponent `json:"components"`
	}{m, comps})
}

// toDiscordMessage converts a stored message for use in an interaction.
func (s *Server) toDiscordMessage(m *storedMsg) *discordgo.Message {
	var out discordgo.Message
	if err := json.Unmarshal(s.wireMessage(m), &out); err != nil {
		return &discordgo.Message{ID: m.id, ChannelID: m.channelID}
	}
	return &out
}
