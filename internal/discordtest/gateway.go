package discordtest

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"
)

const gwWriteTimeout = 5 * time.Second

// IdentifyRecord is what a client sent in one op 2 Identify.
type IdentifyRecord struct {
	Token      string
	Intents    discordgo.Intent
	Shard      [2]int
	Properties discordgo.IdentifyProperties
	SessionID  string // the session READY created
	At         time.Time
}

type gateway struct {
	mu          sync.Mutex
	closed      bool
	sessions    map[string]*gwSession
	current     *gwSession // the most recently identified session
	pending     []pendingDispatch
	conns       map[*gwConn]struct{}
	identifies  int
	resumes     int
	identifyLog []IdentifyRecord
}

type gwSession struct {
	id      string
	token   string
	intents discordgo.Intent
	shard   [2]int
	seq     int64
	buf     []bufferedEvent // dispatches kept for Resume, by seq
	trimmed int64           // highest seq dropped from buf
	conn    *gwConn         // nil while no client is attached
}

type bufferedEvent struct {
	seq           int64
	frame         []byte
	interactionID string
}

type pendingDispatch struct {
	t             string
	d             []byte
	interactionID string
}

type gwConn struct {
	ws   *websocket.Conn
	wmu  sync.Mutex
	sess *gwSession // guarded by gateway.mu
}

func (c *gwConn) write(b []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.ws.SetWriteDeadline(time.Now().Add(gwWriteTimeout)) //nolint:errcheck // a failed write reports it
	return c.ws.WriteMessage(websocket.TextMessage, b)
}

// closeWith sends a close frame with Discord's code, then closes.
func (c *gwConn) closeWith(code int, text string) {
	c.wmu.Lock()
	c.ws.SetWriteDeadline(time.Now().Add(time.Second))                                  //nolint:errcheck
	c.ws.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(code, text)) //nolint:errcheck
	c.wmu.Unlock()
	c.ws.Close()
}

// serveGateway upgrades /gw/ to the gateway websocket.
func (s *Server) serveGateway(w http.ResponseWriter, r *http.Request) (injected bool) {
	if f := s.takeFault(r.Method, r.URL.Path); f != nil {
		f.respond(w)
		return true
	}
	q := r.URL.Query()
	if enc := q.Get("encoding"); enc != "" && enc != "json" {
		writeError(w, http.StatusBadRequest, 0, "discordtest: only encoding=json is supported")
		return false
	}
	if v := q.Get("v"); v != "" && v != "9" && v != "10" {
		writeError(w, http.StatusBadRequest, 0, "Invalid API version")
		return false
	}
	ws, err := s.upgrader.Upgrade(w, r, nil)
	if err != nil {
		return false // the upgrader answered
	}
	c := &gwConn{ws: ws}
	s.gw.mu.Lock()
	if s.gw.closed {
		s.gw.mu.Unlock()
		ws.Close()
		return false
	}
	s.gw.conns[c] = struct{}{}
	s.wg.Add(1)
	s.gw.mu.Unlock()
	go s.readLoop(c)
	return false
}

func (s *Server) readLoop(c *gwConn) {
	defer s.wg.Done()
	defer s.hangUp(c)

	ms := s.cfg.HeartbeatInterval.Milliseconds()
	if ms < 1 {
		ms = 1
	}
	if c.write([]byte(`{"op":10,"d":{"heartbeat_interval":`+strconv.FormatInt(ms, 10)+`},"s":null,"t":null}`)) != nil {
		return
	}
	for {
		_, msg, err := c.ws.ReadMessage()
		if err != nil {
			return
		}
		var p struct {
			Op *int            `json:"op"`
			D  json.RawMessage `json:"d"`
		}
		if json.Unmarshal(msg, &p) != nil || p.Op == nil {
			c.closeWith(4002, "Error while decoding payload.")
			return
		}
		switch *p.Op {
		case 1: // Heartbeat
			if c.write([]byte(`{"op":11,"d":null,"s":null,"t":null}`)) != nil {
				return
			}
			s.acked(c, p.D)
		case 2: // Identify
			if !s.identify(c, p.D) {
				return
			}
		case 6: // Resume
			if !s.resume(c, p.D) {
				return
			}
		case 3, 4, 8, 31: // presence, voice state, request members, soundboard
			s.gw.mu.Lock()
			authed := c.sess != nil
			s.gw.mu.Unlock()
			if !authed {
				c.closeWith(4003, "Not authenticated.")
				return
			}
		default:
			c.closeWith(4001, "Unknown opcode.")
			return
		}
	}
}

// hangUp forgets a connection that ended.
func (s *Server) hangUp(c *gwConn) {
	s.gw.mu.Lock()
	delete(s.gw.conns, c)
	s.detachLocked(c)
	s.gw.mu.Unlock()
	c.ws.Close()
	s.notify()
}

func (s *Server) detachLocked(c *gwConn) {
	if c.sess != nil && c.sess.conn == c {
		c.sess.conn = nil
	}
	c.sess = nil
}

// acked trims what the client has confirmed seeing (the seq in its heartbeat).
func (s *Server) acked(c *gwConn, d json.RawMessage) {
	var seq int64
	if json.Unmarshal(d, &seq) != nil || seq <= 0 {
		return
	}
	s.gw.mu.Lock()
	defer s.gw.mu.Unlock()
	sess := c.sess
	if sess == nil {
		return
	}
	i := 0
	for i < len(sess.buf) && sess.buf[i].seq <= seq {
		i++
	}
	if i > 0 {
		sess.trimmed = max(sess.trimmed, sess.buf[i-1].seq)
		sess.buf = append(sess.buf[:0:0], sess.buf[i:]...)
	}
}

func (s *Server) tokenOK(token string) bool {
	if token == "" {
		return false
	}
	return s.cfg.Token == "" || token == s.cfg.Token || token == "Bot "+s.cfg.Token
}

func (s *Server) identify(c *gwConn, d json.RawMessage) bool {
	var id struct {
		Token      string                       `json:"token"`
		Intents    discordgo.Intent             `json:"intents"`
		Shard      *[2]int                      `json:"shard"`
		Properties discordgo.IdentifyProperties `json:"properties"`
	}
	if json.Unmarshal(d, &id) != nil {
		c.closeWith(4002, "Error while decoding payload.")
		return false
	}
	shard := [2]int{0, 1}
	if id.Shard != nil {
		shard = *id.Shard
	}
	switch {
	case !s.tokenOK(id.Token):
		c.closeWith(4004, "Authentication failed.")
		return false
	case shard[1] < 1 || shard[0] < 0 || shard[0] >= shard[1]:
		c.closeWith(4010, "Invalid shard.")
		return false
	case id.Intents&s.cfg.DisallowedIntents != 0:
		c.closeWith(4014, "Disallowed intent(s).")
		return false
	}

	s.gw.mu.Lock()
	if c.sess != nil {
		s.gw.mu.Unlock()
		c.closeWith(4005, "Already authenticated.")
		return false
	}
	sess := &gwSession{id: randomHex(16), token: id.Token, intents: id.Intents, shard: shard}
	ready, _ := json.Marshal(map[string]any{
		"v":                  9,
		"user":               s.BotUser(),
		"session_id":         sess.id,
		"session_type":       "normal",
		"resume_gateway_url": s.GatewayURL(),
		"application":        map[string]any{"id": s.cfg.AppID, "flags": 0},
		"guilds":             []any{},
		"private_channels":   []any{},
		"relationships":      []any{},
		"presences":          []any{},
		"shard":              shard,
		"_trace":             []string{"discordtest"},
	})
	sess.seq = 1
	if c.write(dispatchFrame(1, "READY", ready)) != nil {
		s.gw.mu.Unlock()
		return false
	}
	s.gw.sessions[sess.id] = sess
	s.gw.current = sess
	s.gw.identifies++
	s.gw.identifyLog = append(s.gw.identifyLog, IdentifyRecord{
		Token: id.Token, Intents: id.Intents, Shard: shard, Properties: id.Properties,
		SessionID: sess.id, At: time.Now(),
	})
	c.sess, sess.conn = sess, c
	pending := s.gw.pending
	s.gw.pending = nil
	for _, p := range pending {
		s.dispatchLocked(sess, p.t, p.d, p.interactionID)
	}
	s.gw.mu.Unlock()
	s.notify()
	return true
}

func (s *Server) resume(c *gwConn, d json.RawMessage) bool {
	var rp struct {
		Token     string `json:"token"`
		SessionID string `json:"session_id"`
		Seq       int64  `json:"seq"`
	}
	if json.Unmarshal(d, &rp) != nil {
		c.closeWith(4002, "Error while decoding payload.")
		return false
	}
	s.gw.mu.Lock()
	if c.sess != nil {
		s.gw.mu.Unlock()
		c.closeWith(4005, "Already authenticated.")
		return false
	}
	sess := s.gw.sessions[rp.SessionID]
	if sess == nil || rp.Token != sess.token || rp.Seq > sess.seq || rp.Seq < sess.trimmed {
		// Not resumable: Invalid Session, the client must identify again.
		s.gw.mu.Unlock()
		return c.write([]byte(`{"op":9,"d":false,"s":null,"t":null}`)) == nil
	}
	if old := sess.conn; old != nil && old != c {
		s.detachLocked(old)
		old.ws.Close()
	}
	for _, ev := range sess.buf {
		if ev.seq <= rp.Seq {
			continue
		}
		now := time.Now()
		s.markDispatched(ev.interactionID, now)
		if c.write(ev.frame) != nil {
			s.unmarkDispatched(ev.interactionID, now)
			s.gw.mu.Unlock()
			return false
		}
	}
	sess.seq++
	if c.write(dispatchFrame(sess.seq, "RESUMED", []byte(`{"_trace":["discordtest"]}`))) != nil {
		s.gw.mu.Unlock()
		return false
	}
	c.sess, sess.conn = sess, c
	s.gw.resumes++
	s.gw.mu.Unlock()
	s.notify()
	return true
}

func dispatchFrame(seq int64, t string, d []byte) []byte {
	b := make([]byte, 0, len(d)+64)
	b = append(b, `{"op":0,"s":`...)
	b = strconv.AppendInt(b, seq, 10)
	b = append(b, `,"t":"`...)
	b = append(b, t...)
	b = append(b, `","d":`...)
	b = append(b, d...)
	return append(b, '}')
}

// dispatch sends an op 0 event to the current session, or keeps it: while
// the session's client is disconnected the event waits in the replay buffer
// for Resume; before any client identified it waits for the first READY.
func (s *Server) dispatch(t string, d []byte, interactionID string) error {
	s.gw.mu.Lock()
	defer s.gw.mu.Unlock()
	if s.gw.closed {
		return ErrClosed
	}
	sess := s.gw.current
	if sess == nil {
		s.gw.pending = append(s.gw.pending, pendingDispatch{t: t, d: d, interactionID: interactionID})
		return nil
	}
	s.dispatchLocked(sess, t, d, interactionID)
	return nil
}

func (s *Server) dispatchLocked(sess *gwSession, t string, d []byte, interactionID string) {
	sess.seq++
	frame := dispatchFrame(sess.seq, t, d)
	sess.buf = append(sess.buf, bufferedEvent{seq: sess.seq, frame: frame, interactionID: interactionID})
	if limit := s.cfg.ReplayBuffer; len(sess.buf) > limit+limit/4 {
		drop := len(sess.buf) - limit
		sess.trimmed = max(sess.trimmed, sess.buf[drop-1].seq)
		sess.buf = append(sess.buf[:0:0], sess.buf[drop:]...)
	}
	c := sess.conn
	if c == nil {
		return
	}
	// Marked before writing: the client may answer before write returns.
	now := time.Now()
	s.markDispatched(interactionID, now)
	if err := c.write(frame); err != nil {
		s.unmarkDispatched(interactionID, now)
		s.detachLocked(c)
		c.ws.Close()
	}
}

// Dispatch sends any gateway event (op 0, type t, data marshalled to JSON)
// with the next sequence number, like SendInteraction does.
func (s *Server) Dispatch(t string, data any) error {
	b, ok := data.([]byte)
	if !ok {
		var err error
		if b, err = json.Marshal(data); err != nil {
			return err
		}
	}
	return s.dispatch(t, b, "")
}

// DropConnection closes the current gateway connection abruptly, without a
// close frame, as a network failure would. discordgo notices, reconnects
// (after about a second) and resumes; dispatches sent meanwhile are
// replayed on Resume.
func (s *Server) DropConnection() error {
	s.gw.mu.Lock()
	sess := s.gw.current
	if sess == nil || sess.conn == nil {
		s.gw.mu.Unlock()
		return ErrNotConnected
	}
	c := sess.conn
	s.detachLocked(c)
	s.gw.mu.Unlock()
	c.ws.Close()
	s.notify()
	return nil
}

// Connected reports whether a client is attached to the current session
// (it identified or resumed, and its connection is up).
func (s *Server) Connected() bool {
	s.gw.mu.Lock()
	defer s.gw.mu.Unlock()
	return s.gw.current != nil && s.gw.current.conn != nil
}

// WaitReady waits until a client has identified (READY sent) or resumed
// (RESUMED sent) and is still connected. After DropConnection it waits for
// the reconnection.
func (s *Server) WaitReady(ctx context.Context) error { return s.waitFor(ctx, s.Connected) }

// Identifies counts op 2 Identify payloads that got a READY.
func (s *Server) Identifies() int {
	s.gw.mu.Lock()
	defer s.gw.mu.Unlock()
	return s.gw.identifies
}

// Resumes counts op 6 Resume payloads that got a RESUMED.
func (s *Server) Resumes() int {
	s.gw.mu.Lock()
	defer s.gw.mu.Unlock()
	return s.gw.resumes
}

// LastIdentify returns the most recent successful Identify.
func (s *Server) LastIdentify() (IdentifyRecord, bool) {
	s.gw.mu.Lock()
	defer s.gw.mu.Unlock()
	if len(s.gw.identifyLog) == 0 {
		return IdentifyRecord{}, false
	}
	return s.gw.identifyLog[len(s.gw.identifyLog)-1], true
}

// Seq is the current session's last sequence number (0 without a session).
func (s *Server) Seq() int64 {
	s.gw.mu.Lock()
	defer s.gw.mu.Unlock()
	if s.gw.current == nil {
		return 0
	}
	return s.gw.current.seq
}

// SessionID is the current session's ID ("" before the first READY).
func (s *Server) SessionID() string {
	s.gw.mu.Lock()
	defer s.gw.mu.Unlock()
	if s.gw.current == nil {
		return ""
	}
	return s.gw.current.id
}

// SendInteraction dispatches INTERACTION_CREATE with the next sequence
// number to the connected client. Without a connected client the dispatch is
// kept and replayed on Resume (or delivered after the first READY if no
// client ever identified). An interaction without ID, token or application
// ID gets them filled in. Its dispatch time is recorded for Callback.
func (s *Server) SendInteraction(i *discordgo.Interaction) error {
	return s.sendInteraction(i, 1)
}

// SendInteractionTwice dispatches the same interaction twice in a row, as
// Discord sometimes redelivers: a bot must answer it once; the second
// callback gets 400 "Interaction has already been acknowledged" (40060).
func (s *Server) SendInteractionTwice(i *discordgo.Interaction) error {
	return s.sendInteraction(i, 2)
}

func (s *Server) sendInteraction(i *discordgo.Interaction, times int) error {
	if i == nil {
		return errors.New("discordtest: nil interaction")
	}
	s.register(i)
	d, err := marshalInteraction(i)
	if err != nil {
		return err
	}
	for range times {
		if err := s.dispatch("INTERACTION_CREATE", d, i.ID); err != nil {
			return err
		}
	}
	return nil
}

// SendMessageCreate dispatches MESSAGE_CREATE (for example a DM from a user,
// see UserDM). As on Discord, the client only gets it with the right intent:
// DirectMessages for DMs, GuildMessages for guild channels; without
// MessageContent, a guild message arrives with empty content, embeds,
// attachments and components. An error says when the identified intents
// would have filtered the event out.
func (s *Server) SendMessageCreate(m *discordgo.Message) error {
	if m == nil {
		return errors.New("discordtest: nil message")
	}
	if m.ID == "" {
		m.ID = s.ids.next()
	}
	if m.Timestamp.IsZero() {
		m.Timestamp = time.Now().UTC()
	}
	cp := *m
	if rec, ok := s.LastIdentify(); ok {
		if cp.GuildID == "" && rec.Intents&discordgo.IntentsDirectMessages == 0 {
			return errors.New("discordtest: MESSAGE_CREATE in a DM needs the DirectMessages intent")
		}
		if cp.GuildID != "" && rec.Intents&discordgo.IntentsGuildMessages == 0 {
			return errors.New("discordtest: MESSAGE_CREATE in a guild needs the GuildMessages intent")
		}
		if cp.GuildID != "" && rec.Intents&discordgo.IntentsMessageContent == 0 {
			cp.Content, cp.Embeds, cp.Attachments, cp.Components = "", nil, nil, nil
		}
	}
	d, err := marshalMessageObject(&cp)
	if err != nil {
		return err
	}
	return s.dispatch("MESSAGE_CREATE", d, "")
}
