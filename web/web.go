// Package web is the agents' web console, a channel beside the bot, the mail
// and the JSON API: server-rendered pages (html/template, words from the
// catalog's web area in the agent's language), a sign-in of each agent's own
// with sessions kept in the store, a CSRF token on every form, and headers
// that keep the browser strict (no inline script, nothing framed).
//
// A page is a handler given the signed-in agent (page); a form's POST goes
// through post, which refuses a request without the session's CSRF token.
// See docs/web.md.
package web

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"runtime"
	"runtime/debug"
	"sync"
	"time"

	"refunddesk/templates"
	"refunddesk/tickets"
)

//go:embed ui/*.html ui/parts/*.html
var uiFS embed.FS

//go:embed static
var staticFS embed.FS

// Store is what the console keeps in the desk's store: agents' credentials,
// sessions and the sign-in throttle, shared by every instance on it.
// tickets/sqlstore implements it.
type Store interface {
	// AgentCredentials returns an agent's password hash (Hash's encoding),
	// language and whether they are disabled; tickets.ErrNotFound for no
	// such agent.
	AgentCredentials(ctx context.Context, name string) (passwordHash, language string, disabled bool, err error)
	// CreateSession records a session of an enabled agent (else
	// tickets.ErrForbidden); tokenHash is the SHA-256 (hex) of the
	// cookie's token, csrf the session's CSRF secret. It also deletes some
	// expired sessions.
	CreateSession(ctx context.Context, tokenHash, agent, csrf string, expires time.Time) error
	// Session returns a live session's agent, their language, its CSRF
	// secret, its start and its end; tickets.ErrNotFound for none, an
	// expired one, or one of a disabled agent.
	Session(ctx context.Context, tokenHash string) (agent, language, csrf string, created, expires time.Time, err error)
	// TouchSession moves a session's end.
	TouchSession(ctx context.Context, tokenHash string, expires time.Time) error
	// EndSession ends a session.
	EndSession(ctx context.Context, tokenHash string) error
	// AddSignInFailure counts a sign-in attempt under each key in the
	// window running and returns the counts, atomically: the console
	// counts each attempt before checking its password, so that attempts
	// made at once cannot all pass the limit. ClearSignInFailures forgets
	// key and gives back one attempt under each of giveBack.
	AddSignInFailure(ctx context.Context, window time.Duration, keys ...string) ([]int, error)
	ClearSignInFailures(ctx context.Context, key string, giveBack ...string) error
	// UpgradeAgentHash replaces an agent's hash by one of the same password
	// with the current parameters, unless the hash is no longer oldHash.
	UpgradeAgentHash(ctx context.Context, name, oldHash, newHash string) error
	// SweepSessions deletes every expired session, and the sign-in
	// failures whose window (window long) has ended; it says how many
	// sessions went.
	SweepSessions(ctx context.Context, window time.Duration) (int64, error)
}

// Options configure the console.
type Options struct {
	Service *tickets.Service
	Store   Store
	Catalog *templates.Catalog
	Logger  *slog.Logger
	Clock   tickets.Clock
	// SecureCookies marks the cookies Secure although the request came
	// without TLS (a proxy ends TLS and does not say so). Requests over
	// TLS, and with TrustProxy those a proxy says came over https
	// (X-Forwarded-Proto), get Secure cookies anyway.
	SecureCookies bool
	// TrustProxy takes the client's address from X-Forwarded-For and the
	// scheme from X-Forwarded-Proto: only behind a proxy that sets them.
	TrustProxy bool
	// SessionIdle is how long a session lives without a request (default
	// 12 hours).
	SessionIdle time.Duration
	// SessionMax is how long a session lives at most, however busy
	// (default 7 days).
	SessionMax time.Duration
	// HashParams are the argon2id costs of a password's hash (default
	// DefaultHashParams): a hash made with others is made again with these
	// at its agent's next sign-in.
	HashParams HashParams
	// PasswordChecks bounds the passwords checked at once (each takes
	// HashParams.Memory; default 2×GOMAXPROCS).
	PasswordChecks int
	// Throttle limits failed sign-ins (defaults: 5 a name and 20 an
	// address in 15 minutes).
	Throttle Throttle
	// Refresh is how often the queue page asks whether its tickets changed
	// (default 15 s).
	Refresh time.Duration
}

// Throttle limits failed sign-ins in a window, per agent name and per
// client address; past either limit, sign-in is refused until the window
// ends, whatever the password.
type Throttle struct {
	PerName, PerAddress int
	Window              time.Duration
}

// Server is the console: an http.Handler.
type Server struct {
	svc     *tickets.Service
	store   Store
	cat     *templates.Catalog
	log     *slog.Logger
	clock   tickets.Clock
	opt     Options
	pages   map[string]*template.Template
	static  fs.FS
	mux     *http.ServeMux
	dummyPW string // a hash verified for unknown names, so they take as long
	counts  statsCache
	// checking holds a place for each password being checked (at most
	// Options.PasswordChecks); a sign-in waits checkWait for one.
	checking  chan struct{}
	checkWait time.Duration
	checkHook func() // tests: called while a password is checked
	// buffers are the pages' buffers, used again: a page is written
	// whole before it is sent (render).
	buffers sync.Pool
}

// New returns the console; its pages are parsed here, so a broken one
// fails start-up rather than a request.
func New(opt Options) (*Server, error) {
	switch {
	case opt.Service == nil:
		return nil, errors.New("web: no service")
	case opt.Store == nil:
		return nil, errors.New("web: no store for agents and sessions")
	case opt.Catalog == nil:
		return nil, errors.New("web: no message catalog")
	}
	opt = opt.withDefaults()
	s := &Server{svc: opt.Service, store: opt.Store, cat: opt.Catalog, log: opt.Logger, clock: opt.Clock, opt: opt,
		mux: http.NewServeMux(), counts: statsCache{ttl: 30 * time.Second, clock: opt.Clock},
		checking: make(chan struct{}, opt.PasswordChecks), checkWait: time.Second,
		buffers: sync.Pool{New: func() any { return bytes.NewBuffer(make([]byte, 0, 64<<10)) }}}
	var err error
	if s.pages, err = parsePages(); err != nil {
		return nil, err
	}
	if s.static, err = fs.Sub(staticFS, "static"); err != nil {
		return nil, err
	}
	if s.dummyPW, err = HashPassword("not anyone's password", opt.HashParams); err != nil {
		return nil, err
	}
	s.routes()
	return s, nil
}

// WarmCounts starts counting the desk's tickets for the queue in the
// background, so that the first queue page after a start does not wait for
// the whole count (0.75-1.5 s on 1,000,000 tickets); ctx bounds the count.
func (s *Server) WarmCounts(ctx context.Context) { s.counts.warm(ctx, s.svc, s.log) }

// Sweep deletes the expired sessions and old sign-in failures every
// interval until ctx ends (serve runs it beside the console): a sign-in
// or a sign-out deletes some too, but a desk nobody signs in to would keep
// them.
func (s *Server) Sweep(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if n, err := s.store.SweepSessions(ctx, s.opt.Throttle.Window); err != nil && ctx.Err() == nil {
			s.log.Warn("web: sweep expired sessions", slog.Any("error", err))
		} else if n > 0 {
			s.log.Info("web: expired sessions deleted", slog.Int64("sessions", n))
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (o Options) withDefaults() Options {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Clock == nil {
		o.Clock = tickets.SystemClock{}
	}
	if o.SessionIdle <= 0 {
		o.SessionIdle = 12 * time.Hour
	}
	if o.SessionMax <= 0 {
		o.SessionMax = 7 * 24 * time.Hour
	}
	if o.HashParams == (HashParams{}) {
		o.HashParams = DefaultHashParams
	}
	if o.PasswordChecks <= 0 {
		o.PasswordChecks = 2 * runtime.GOMAXPROCS(0)
	}
	if o.Throttle.PerName <= 0 {
		o.Throttle.PerName = 5
	}
	if o.Throttle.PerAddress <= 0 {
		o.Throttle.PerAddress = 20
	}
	if o.Throttle.Window <= 0 {
		o.Throttle.Window = 15 * time.Minute
	}
	if o.Refresh <= 0 {
		o.Refresh = 15 * time.Second
	}
	return o
}

// routes lists every address of the console. A page is s.page(handler); a
// form's target is s.post(handler).
func (s *Server) routes() {
	s.mux.Handle("GET /static/", http.StripPrefix("/static/", s.staticFiles()))
	s.mux.Handle("GET /favicon.ico", http.NotFoundHandler()) // asked by browsers on their own

	s.mux.HandleFunc("GET /sign-in", s.signInPage)
	s.mux.HandleFunc("POST /sign-in", s.signIn)
	s.mux.HandleFunc("POST /sign-out", s.post(s.signOut))
	s.mux.HandleFunc("GET /{$}", s.page(s.queue))
	s.mux.HandleFunc("GET /queue/state", s.state(s.queueState))
	s.mux.HandleFunc("GET /tickets/{ref}", s.page(s.ticket))
	s.mux.HandleFunc("GET /tickets/{ref}/evidence/{sha}", s.page(s.evidence))
	s.actionRoutes() // the ticket's actions, records, failure lists (actions.go)
	s.mux.HandleFunc("GET /dashboard", s.page(s.dashboard))
	s.mux.HandleFunc("/", s.page(func(w http.ResponseWriter, r *http.Request, a *Agent) error {
		return fmt.Errorf("no page %s: %w", r.URL.Path, tickets.ErrNotFound)
	}))
}

// Headers every answer carries: a strict Content-Security-Policy (no inline
// script or style, nothing from elsewhere, never framed), no sniffing, no
// referrer sent elsewhere.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; " +
	"object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

// ServeHTTP answers with the console's headers on every response, and a
// panic in a handler becomes a 500 (logged), never a dead connection.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.log.Error("web: a handler panicked", slog.String("path", r.URL.Path), slog.Any("panic", v),
				slog.String("stack", string(debug.Stack())))
			http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		}
	}()
	s.mux.ServeHTTP(w, r)
}

// staticFiles serves the vendored CSS and script, cached for an hour.
func (s *Server) staticFiles() http.Handler {
	fsrv := http.FileServerFS(s.static)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		fsrv.ServeHTTP(w, r)
	})
}
