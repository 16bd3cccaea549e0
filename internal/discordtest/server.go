package discordtest

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"
)

// Defaults used when a Config field is left empty.
const (
	DefaultAppID             = "1200000000000000001"
	DefaultBotUsername       = "refunddesk"
	DefaultGuildID           = "1200000000000000100"
	DefaultChannelID         = "1200000000000000200"
	DefaultUserID            = "1200000000000001000"
	DefaultUsername          = "requester"
	DefaultHeartbeatInterval = 41250 * time.Millisecond
	DefaultCallbackDeadline  = discordgo.InteractionDeadline
	DefaultReplayBuffer      = 10000
)

// APIPrefix is the path prefix of every REST route, as discordgo sends it.
const APIPrefix = "/api/v9"

// maxBody bounds what the fake reads from one request (Discord's own upload
// limit is lower).
const maxBody = 64 << 20

// Errors returned by the Server's methods.
var (
	ErrClosed             = errors.New("discordtest: server closed")
	ErrNotConnected       = errors.New("discordtest: no gateway client connected")
	ErrUnknownInteraction = errors.New("discordtest: unknown interaction")
)

// Config adjusts a Server. The zero value is usable: see StartWith.
type Config struct {
	AppID       string // application ID; also the bot's user ID unless BotUserID is set
	BotUserID   string
	BotUsername string
	GuildID     string // guild of interactions built without InGuild
	ChannelID   string // channel of guild interactions built without InGuild/InChannel

	// Token, when set, is required: REST calls (other than interaction
	// callbacks and webhooks, which carry their own token) must send
	// "Authorization: Bot <Token>", and Identify must carry the token.
	Token string

	// HeartbeatInterval is sent in Hello (default 41.25 s, Discord's value).
	HeartbeatInterval time.Duration

	// CallbackDeadline is how long after dispatch an interaction may still be
	// answered; later callbacks get 404 "Unknown interaction" (10062), as on
	// Discord. Default 3 s; negative disables the check. Interactions that
	// were built but never dispatched have no deadline.
	CallbackDeadline time.Duration

	// DisallowedIntents are privileged intents not enabled for the
	// application: an Identify asking for any of them is closed with 4014.
	DisallowedIntents discordgo.Intent

	// ReplayBuffer is how many dispatches per gateway session are kept for
	// Resume (default 10000).
	ReplayBuffer int
}

func (c Config) withDefaults() Config {
	if c.AppID == "" {
		c.AppID = DefaultAppID
	}
	if c.BotUserID == "" {
		c.BotUserID = c.AppID
	}
	if c.BotUsername == "" {
		c.BotUsername = DefaultBotUsername
	}
	if c.GuildID == "" {
		c.GuildID = DefaultGuildID
	}
	if c.ChannelID == "" {
		c.ChannelID = DefaultChannelID
	}
	if c.HeartbeatInterval <= 0 {
		c.HeartbeatInterval = DefaultHeartbeatInterval
	}
	if c.CallbackDeadline == 0 {
		c.CallbackDeadline = DefaultCallbackDeadline
	}
	if c.ReplayBuffer <= 0 {
		c.ReplayBuffer = DefaultReplayBuffer
	}
	return c
}

// Request is one HTTP request the fake received.
type Request struct {
	Method   string
	Path     string // as received, e.g. /api/v9/channels/123/messages
	RawQuery string
	Status   int
	Injected bool // answered by RateLimit or Fail, not by the route
	At       time.Time
	Duration time.Duration
	Body     []byte
}

// Server is a running fake. All methods are safe for concurrent use.
type Server struct {
	cfg      Config
	ln       net.Listener
	hs       *http.Server
	base     string // http://127.0.0.1:PORT
	mux      *http.ServeMux
	upgrader websocket.Upgrader
	ids      snowflakes
	wg       sync.WaitGroup

	mu             sync.Mutex
	changed        chan struct{} // closed and replaced on every state change
	done           chan struct{} // closed by Close
	closed         bool
	requests       []Request
	faults         []*fault
	commands       map[string][]*discordgo.ApplicationCommand // by guild ID, "" for global
	commandIDs     map[string]string                          // guild, type and name → ID
	bulkOverwrites int
	interactions   map[string]*interactionState // by interaction ID
	tokens         map[string]*interactionState // by token
	callbacks      []*Callback
	users          map[string]string // user ID → username, from builders
	dmByUser       map[string]string // user ID → DM channel ID
	dmUser         map[string]string // DM channel ID → user ID
	closedDMs      map[string]bool
	channels       map[string]*channelState
	files          map[string]*cdnFile // by URL path

	gw gateway
}

// Start starts a fake on a random loopback port with the default Config.
func Start() (*Server, error) { return StartWith(Config{}) }

// StartWith starts a fake with cfg; empty fields take the defaults.
func StartWith(cfg Config) (*Server, error) {
	cfg = cfg.withDefaults()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &Server{
		cfg:          cfg,
		ln:           ln,
		base:         "http://" + ln.Addr().String(),
		changed:      make(chan struct{}),
		done:         make(chan struct{}),
		commands:     make(map[string][]*discordgo.ApplicationCommand),
		commandIDs:   make(map[string]string),
		interactions: make(map[string]*interactionState),
		tokens:       make(map[string]*interactionState),
		users:        make(map[string]string),
		dmByUser:     make(map[string]string),
		dmUser:       make(map[string]string),
		closedDMs:    make(map[string]bool),
		channels:     make(map[string]*channelState),
		files:        make(map[string]*cdnFile),
		upgrader: websocket.Upgrader{
			CheckOrigin: func(*http.Request) bool { return true },
		},
	}
	s.gw.sessions = make(map[string]*gwSession)
	s.gw.conns = make(map[*gwConn]struct{})
	s.users[DefaultUserID] = DefaultUsername
	s.routes()
	s.hs = &http.Server{
		Handler:           http.HandlerFunc(s.serveHTTP),
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          log.New(io.Discard, "", 0),
	}
	go s.hs.Serve(ln) //nolint:errcheck // returns ErrServerClosed on Close
	return s, nil
}

// Close stops the server and closes every gateway connection. Waiters
// return ErrClosed.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	close(s.done)
	s.notifyLocked()
	s.mu.Unlock()

	s.gw.mu.Lock()
	s.gw.closed = true
	conns := make([]*gwConn, 0, len(s.gw.conns))
	for c := range s.gw.conns {
		conns = append(conns, c)
	}
	s.gw.mu.Unlock()
	for _, c := range conns {
		c.ws.Close()
	}
	err := s.hs.Close()
	s.wg.Wait()
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

// URL is the fake's base URL, http://127.0.0.1:PORT (no trailing slash).
func (s *Server) URL() string { return s.base }

// GatewayURL is the websocket address GET /api/v9/gateway returns.
func (s *Server) GatewayURL() string { return "ws" + s.base[len("http"):] + "/gw/" }

// AppID is the application ID (also in interactions built by the fake).
func (s *Server) AppID() string { return s.cfg.AppID }

// BotUser is the bot's user as READY and message authors show it.
func (s *Server) BotUser() *discordgo.User {
	return &discordgo.User{ID: s.cfg.BotUserID, Username: s.cfg.BotUsername, Discriminator: "0", Bot: true}
}

// Config returns the effective configuration (defaults filled in).
func (s *Server) Config() Config { return s.cfg }

// Requests returns every request received so far, oldest first.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// notifyLocked wakes every waiter. The caller holds s.mu.
func (s *Server) notifyLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

func (s *Server) notify() {
	s.mu.Lock()
	s.notifyLocked()
	s.mu.Unlock()
}

// waitLocked blocks until cond, called with s.mu held, returns true.
func (s *Server) waitLocked(ctx context.Context, cond func() bool) error {
	return s.waitFor(ctx, func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		return cond()
	})
}

// waitFor blocks until cond, called with no lock held, returns true. The
// change channel is taken before cond runs, so no change is missed between.
func (s *Server) waitFor(ctx context.Context, cond func() bool) error {
	for {
		s.mu.Lock()
		ch, closed := s.changed, s.closed
		s.mu.Unlock()
		if cond() {
			return nil
		}
		if closed {
			return ErrClosed
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// serveHTTP records every request, applies injected faults, and routes.
func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	rec := &statusRecorder{ResponseWriter: w}
	var body []byte
	injected := false
	if r.URL.Path == "/gw/" || r.URL.Path == "/gw" {
		injected = s.serveGateway(rec, r)
	} else {
		var err error
		body, err = io.ReadAll(io.LimitReader(r.Body, maxBody))
		if err != nil {
			writeError(rec, http.StatusBadRequest, 0, "400: Bad Request")
		} else {
			r.Body = io.NopCloser(bytes.NewReader(body))
			injected = s.route(rec, r)
		}
	}
	status := rec.status
	if status == 0 {
		status = http.StatusOK
	}
	s.mu.Lock()
	s.requests = append(s.requests, Request{
		Method: r.Method, Path: r.URL.Path, RawQuery: r.URL.RawQuery,
		Status: status, Injected: injected, At: start, Duration: time.Since(start), Body: body,
	})
	s.mu.Unlock()
}

func (s *Server) route(w http.ResponseWriter, r *http.Request) (injected bool) {
	if f := s.takeFault(r.Method, r.URL.Path); f != nil {
		if f.after && s.authorized(r) {
			s.mux.ServeHTTP(httptest.NewRecorder(), r) // done, but the answer is lost
		}
		f.respond(w)
		return true
	}
	if !s.authorized(r) {
		writeError(w, http.StatusUnauthorized, 0, "401: Unauthorized")
		return false
	}
	if _, pattern := s.mux.Handler(r); pattern == "" {
		writeError(w, http.StatusNotFound, 0, "404: Not Found")
		return false
	}
	s.mux.ServeHTTP(w, r)
	return false
}

func (s *Server) authorized(r *http.Request) bool {
	if s.cfg.Token == "" {
		return true
	}
	p := r.URL.Path
	if !hasPathPrefix(p, APIPrefix) {
		return true // CDN
	}
	p = p[len(APIPrefix):]
	if hasPathPrefix(p, "/interactions") || hasPathPrefix(p, "/webhooks") || p == "/gateway" {
		return true
	}
	return r.Header.Get("Authorization") == "Bot "+s.cfg.Token
}

func hasPathPrefix(p, prefix string) bool {
	return len(p) >= len(prefix) && p[:len(prefix)] == prefix
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

// Hijack lets the websocket upgrader take the connection over.
func (r *statusRecorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	h, ok := r.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, errors.New("discordtest: response writer cannot hijack")
	}
	if r.status == 0 {
		r.status = http.StatusSwitchingProtocols
	}
	return h.Hijack()
}

// apiError is Discord's JSON error body.
type apiError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	Errors  any    `json:"errors,omitempty"`
	status  int
}

func newAPIError(status, code int, message string) *apiError {
	return &apiError{status: status, Code: code, Message: message}
}

func (e *apiError) write(w http.ResponseWriter) { writeJSON(w, e.status, e) }

func writeError(w http.ResponseWriter, status, code int, message string) {
	newAPIError(status, code, message).write(w)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, ok := v.([]byte)
	if !ok {
		var err error
		b, err = json.Marshal(v)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	w.Write(b) //nolint:errcheck // the client went away
}

// formErrors builds Discord's nested "Invalid Form Body" (50035) errors.
type formErrors struct{ root map[string]any }

func (f *formErrors) add(path, code, message string) {
	if f.root == nil {
		f.root = make(map[string]any)
	}
	m := f.root
	if path != "" {
		for _, p := range splitPath(path) {
			next, ok := m[p].(map[string]any)
			if !ok {
				next = make(map[string]any)
				m[p] = next
			}
			m = next
		}
	}
	errs, _ := m["_errors"].([]map[string]string)
	m["_errors"] = append(errs, map[string]string{"code": code, "message": message})
}

func (f *formErrors) err() *apiError {
	if f.root == nil {
		return nil
	}
	return &apiError{status: http.StatusBadRequest, Code: 50035, Message: "Invalid Form Body", Errors: f.root}
}

func splitPath(p string) []string {
	var out []string
	start := 0
	for i := 0; i < len(p); i++ {
		if p[i] == '.' {
			out = append(out, p[start:i])
			start = i + 1
		}
	}
	return append(out, p[start:])
}

// snowflakes makes unique, time-ordered IDs shaped like Discord's.
type snowflakes struct{ last atomic.Uint64 }

const discordEpochMS = 1420070400000

func (g *snowflakes) next() string {
	for {
		now := uint64(time.Now().UnixMilli()-discordEpochMS) << 22
		last := g.last.Load()
		n := now
		if n <= last {
			n = last + 1
		}
		if g.last.CompareAndSwap(last, n) {
			return strconv.FormatUint(n, 10)
		}
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b) //nolint:errcheck // never fails
	return hex.EncodeToString(b)
}

// newToken makes an interaction token shaped like Discord's.
func newToken() string {
	b := make([]byte, 48)
	rand.Read(b) //nolint:errcheck // never fails
	return "aW50ZXJhY3Rpb246" + base64.RawURLEncoding.EncodeToString(b)
}
