package web

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"refunddesk/tickets"
)

// Cookies: the session's token, and before signing in the token the
// sign-in form must send back (a double-submit CSRF token). Secure cookies
// are named with the __Host- prefix (hostPrefix), which the browser keeps
// for Secure cookies of this very host with Path=/: a sibling subdomain
// cannot plant one.
const (
	sessionCookie = "rd_session"
	signInCookie  = "rd_signin"
	hostPrefix    = "__Host-"
	// maxForm bounds a form's body.
	maxForm = 1 << 20
	// MaxNameLen is the longest agent name, in characters (`agents add`
	// takes no longer one): a longer name at sign-in is refused before
	// anything is counted or hashed.
	MaxNameLen = 64
)

// touchEvery is how often a session's end moves on at most: every 5
// minutes, or half the idle time when that is shorter (else a short idle
// time would end sessions in use).
func (s *Server) touchEvery() time.Duration {
	return min(5*time.Minute, s.opt.SessionIdle/2)
}

// Agent is the signed-in agent of a request.
type Agent struct {
	Name string
	// Language is the catalog's language the console speaks to them.
	Language string
	// CSRF is the session's token every form carries (the csrf field).
	CSRF      string
	tokenHash string
}

type agentKey struct{}

// AgentFrom returns the signed-in agent of a request's context (nil when
// none: only pages and posts have one).
func AgentFrom(ctx context.Context) *Agent {
	a, _ := ctx.Value(agentKey{}).(*Agent)
	return a
}

// handler is a page or a form's target: it acts for the signed-in agent,
// and its error becomes the answer (fail).
type handler func(w http.ResponseWriter, r *http.Request, a *Agent) error

var (
	errNoSession = errors.New("no session")
	errCSRF      = fmt.Errorf("the form's CSRF token is missing or wrong: %w", tickets.ErrForbidden)
)

// page serves h to a signed-in agent; without a session, a GET goes to the
// sign-in page (and comes back here after it), anything else is refused.
func (s *Server) page(h handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		a, err := s.session(r, true)
		if errors.Is(err, errNoSession) {
			if r.Method == http.MethodGet || r.Method == http.MethodHead {
				http.Redirect(w, r, "/sign-in?"+url.Values{"next": {r.URL.RequestURI()}}.Encode(), http.StatusSeeOther)
				return
			}
			http.Redirect(w, r, "/sign-in", http.StatusSeeOther)
			return
		}
		if err != nil {
			s.fail(w, r, nil, err)
			return
		}
		s.serveAs(w, r, a, h)
	}
}

// state serves h, a script's question, to a signed-in agent like page, but
// it does not move the session's end (a tab left open asks every 15 s and
// would keep its session alive for ever), and without a session it answers
// 401 with {"error": "signed_out"} rather than the sign-in page, which the
// script could not read.
func (s *Server) state(h handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		a, err := s.session(r, false)
		if errors.Is(err, errNoSession) {
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			w.Header().Set("Cache-Control", "no-store")
			w.WriteHeader(http.StatusUnauthorized)
			_ = json.NewEncoder(w).Encode(map[string]string{"error": "signed_out"})
			return
		}
		if err != nil {
			s.fail(w, r, nil, err)
			return
		}
		s.serveAs(w, r, a, h)
	}
}

// serveAs runs h for the signed-in agent a, who is also in the request's
// context (AgentFrom); an error h returns becomes the error page.
func (s *Server) serveAs(w http.ResponseWriter, r *http.Request, a *Agent, h handler) {
	r = r.WithContext(context.WithValue(r.Context(), agentKey{}, a))
	if err := h(w, r, a); err != nil {
		s.fail(w, r, a, err)
	}
}

// post serves a form's target: a signed-in agent, and the session's CSRF
// token in the form's csrf field, or 403 and nothing done.
func (s *Server) post(h handler) http.HandlerFunc {
	return s.page(func(w http.ResponseWriter, r *http.Request, a *Agent) error {
		r.Body = http.MaxBytesReader(w, r.Body, maxForm)
		if err := r.ParseForm(); err != nil {
			return tickets.Invalidf("form", "the form could not be read: %v", err)
		}
		if !sameToken(a.CSRF, r.PostForm.Get("csrf")) {
			return errCSRF
		}
		return h(w, r, a)
	})
}

func sameToken(want, got string) bool {
	return want != "" && subtle.ConstantTimeCompare([]byte(want), []byte(got)) == 1
}

// session finds the request's live session and, with touch, moves its end
// on: SessionIdle from now, never past SessionMax from its start.
func (s *Server) session(r *http.Request, touch bool) (*Agent, error) {
	c, err := r.Cookie(s.cookieName(r, sessionCookie))
	if err != nil || c.Value == "" {
		return nil, errNoSession
	}
	th := tokenHash(c.Value)
	name, lang, csrf, created, expires, err := s.store.Session(r.Context(), th)
	if errors.Is(err, tickets.ErrNotFound) {
		return nil, errNoSession
	}
	if err != nil {
		return nil, err
	}
	now, end := s.clock.Now(), created.Add(s.opt.SessionMax)
	if !now.Before(end) {
		return nil, errNoSession
	}
	next := now.Add(s.opt.SessionIdle)
	if next.After(end) {
		next = end
	}
	if touch && next.Sub(expires) >= s.touchEvery() {
		if err := s.store.TouchSession(r.Context(), th, next); err != nil {
			s.log.Warn("web: move a session's end", slog.Any("error", err))
		}
	}
	return &Agent{Name: name, Language: s.cat.Language(lang), CSRF: csrf, tokenHash: th}, nil
}

func tokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return base64.RawURLEncoding.EncodeToString(b)
}

// secure says whether the cookies are Secure: over TLS, behind a proxy
// that says so (TrustProxy), or when configured.
func (s *Server) secure(r *http.Request) bool {
	return r.TLS != nil || s.opt.SecureCookies ||
		(s.opt.TrustProxy && strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https"))
}

// cookieName is a cookie's name: with the __Host- prefix when the cookies
// are Secure.
func (s *Server) cookieName(r *http.Request, name string) string {
	if s.secure(r) {
		return hostPrefix + name
	}
	return name
}

func (s *Server) setCookie(w http.ResponseWriter, r *http.Request, name, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: s.cookieName(r, name), Value: value, Path: "/", MaxAge: maxAge, HttpOnly: true,
		Secure: s.secure(r), SameSite: http.SameSiteStrictMode})
}

// clientAddr is the client's address: the connection's, or behind a
// trusted proxy the last one it added to X-Forwarded-For (when that is an
// address).
func (s *Server) clientAddr(r *http.Request) string {
	if s.opt.TrustProxy {
		if xff := r.Header.Values("X-Forwarded-For"); len(xff) > 0 {
			hops := strings.Split(xff[len(xff)-1], ",")
			if a, err := netip.ParseAddr(strings.TrimSpace(hops[len(hops)-1])); err == nil {
				return a.String()
			}
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// addrKey is the throttle's key of the client's address: an IPv4 address
// whole, an IPv6 address by its /64 (a host is usually given a whole /64,
// so counting each address would give it 2^64 tries).
func (s *Server) addrKey(r *http.Request) string {
	addr := s.clientAddr(r)
	a, err := netip.ParseAddr(addr)
	if err != nil {
		if len(addr) > 64 {
			addr = addr[:64]
		}
		return "addr:" + addr
	}
	a = a.Unmap().WithZone("")
	if a.Is6() {
		p, _ := a.Prefix(64) // never fails: a is IPv6 without a zone
		return "addr:" + p.String()
	}
	return "addr:" + a.String()
}

// localPath is next when it is a path on this site, else "/": a sign-in
// never sends anyone elsewhere.
func localPath(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") ||
		strings.ContainsAny(next, "\r\n\t\\") {
		return "/"
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || strings.HasPrefix(u.Path, "/sign-") {
		return "/"
	}
	return u.RequestURI()
}

// signInForm is what the sign-in page shows.
type signInForm struct {
	Name, Next, Token string
	Problem           string // words, when the last try failed
}

// signInPage shows the sign-in form; one signed in already goes on.
func (s *Server) signInPage(w http.ResponseWriter, r *http.Request) {
	next := localPath(r.URL.Query().Get("next"))
	if _, err := s.session(r, false); err == nil {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return
	}
	s.showSignIn(w, r, http.StatusOK, signInForm{Next: next}, s.requestLanguage(r))
}

// showSignIn renders the sign-in form with the browser's double-submit
// token, or a new one: kept while the browser has one, so that a second
// sign-in page (another tab; a request the browser makes by itself, sent
// here for want of a session) does not put the first one out of date.
func (s *Server) showSignIn(w http.ResponseWriter, r *http.Request, status int, f signInForm, lang string) {
	if c, err := r.Cookie(s.cookieName(r, signInCookie)); err == nil && len(c.Value) == len(randomToken()) {
		f.Token = c.Value
	} else {
		f.Token = randomToken()
	}
	s.setCookie(w, r, signInCookie, f.Token, 3600)
	s.render(w, r, status, "signin", &Page{Lang: lang, Title: s.cat.Text(lang, "web.signin.title"), Data: f})
}

// requestLanguage is the language of a page shown before signing in: the
// browser's first one the catalog speaks, else English.
func (s *Server) requestLanguage(r *http.Request) string {
	for _, part := range strings.Split(r.Header.Get("Accept-Language"), ",") {
		tag, _, _ := strings.Cut(strings.TrimSpace(part), ";")
		if l, ok := s.cat.Match(tag); ok {
			return l
		}
	}
	return s.cat.Language("")
}

// signIn checks a name and password: the form's token first, then the
// name's length, then the throttle (per name and per address, shared
// through the store: the attempt is counted before the password is
// checked, so attempts made at once cannot all pass the limit, and when it
// cannot be counted nothing is checked), then the password, with at most
// Options.PasswordChecks checked at once; a session and its cookie on
// success.
func (s *Server) signIn(w http.ResponseWriter, r *http.Request) {
	lang := s.requestLanguage(r)
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	c, cerr := r.Cookie(s.cookieName(r, signInCookie))
	if err := r.ParseForm(); err != nil || cerr != nil || !sameToken(c.Value, r.PostForm.Get("csrf")) {
		s.fail(w, r, nil, errCSRF)
		return
	}
	f := signInForm{Name: strings.TrimSpace(r.PostForm.Get("name")), Next: localPath(r.PostForm.Get("next"))}
	if utf8.RuneCountInString(f.Name) > MaxNameLen {
		f.Name = "" // no agent has it, and it is not shown again
		s.refuseSignIn(w, r, f, http.StatusUnauthorized, lang, "web.signin.wrong")
		return
	}
	nameKey, addrKey := "name:"+f.Name, s.addrKey(r)
	if over, err := s.countAttempt(r.Context(), nameKey, addrKey); err != nil || over {
		if err != nil {
			s.fail(w, r, nil, err) // fail closed: no count, no check
			return
		}
		s.refuseSignIn(w, r, f, http.StatusTooManyRequests, lang, "web.signin.throttled",
			"Minutes", int(s.opt.Throttle.Window.Minutes()))
		return
	}
	agentLang, disabled, ok, err := s.checkCredentials(r.Context(), f.Name, r.PostForm.Get("password"))
	switch {
	case errors.Is(err, errBusy):
		s.log.Warn("web: sign-in refused, too many passwords being checked", slog.String("address", s.clientAddr(r)))
		s.refuseSignIn(w, r, f, http.StatusServiceUnavailable, lang, "session.signin.busy")
	case err != nil:
		s.fail(w, r, nil, err)
	case !ok:
		s.log.Info("web: sign-in refused", slog.String("name", f.Name), slog.String("address", s.clientAddr(r)))
		s.refuseSignIn(w, r, f, http.StatusUnauthorized, lang, "web.signin.wrong")
	case disabled:
		s.refuseSignIn(w, r, f, http.StatusForbidden, s.cat.Language(agentLang), "web.signin.disabled")
	default:
		if err := s.startSession(w, r, f.Name, nameKey, addrKey); err != nil {
			s.fail(w, r, nil, err)
			return
		}
		http.Redirect(w, r, f.Next, http.StatusSeeOther)
	}
}

// refuseSignIn shows the sign-in form again with the catalog's words id.
func (s *Server) refuseSignIn(w http.ResponseWriter, r *http.Request, f signInForm, status int, lang, id string, args ...any) {
	f.Problem = s.cat.Text(lang, id, args...)
	s.showSignIn(w, r, status, f, lang)
}

// countAttempt counts a sign-in attempt under the name and the address
// (AddSignInFailure, one statement each in one transaction, so attempts
// made at the same moment each see their own count) and says whether
// either is over its limit. A success gives the attempt back
// (startSession).
func (s *Server) countAttempt(ctx context.Context, nameKey, addrKey string) (over bool, err error) {
	t := s.opt.Throttle
	n, err := s.store.AddSignInFailure(ctx, t.Window, nameKey, addrKey)
	if err != nil {
		return false, fmt.Errorf("count a sign-in attempt: %w", err)
	}
	if len(n) != 2 {
		return false, fmt.Errorf("count a sign-in attempt: %d counts for 2 keys", len(n))
	}
	return n[0] > t.PerName || n[1] > t.PerAddress, nil
}

// errBusy: every place to check a password is taken (Options.PasswordChecks).
var errBusy = errors.New("too many passwords being checked at once")

// checkCredentials checks a password against the agent's hash; an unknown
// name is checked against a hash of no one's, so that it takes as long. At
// most Options.PasswordChecks are checked at once (each takes argon2id's
// memory); a check waits a second for its place, then is errBusy. A right
// password whose hash has other parameters than the current ones is hashed
// again with them.
func (s *Server) checkCredentials(ctx context.Context, name, password string) (lang string, disabled, ok bool, err error) {
	if len(password) > MaxPasswordLen {
		password = password[:MaxPasswordLen]
	}
	hash, lang, disabled, err := s.store.AgentCredentials(ctx, name)
	known := err == nil
	if errors.Is(err, tickets.ErrNotFound) || name == "" {
		hash, known = s.dummyPW, false
	} else if err != nil {
		return "", false, false, err
	}
	release, err := s.placeToCheck(ctx)
	if err != nil {
		return "", false, false, err
	}
	defer release()
	ok, err = CheckPassword(hash, password)
	if err != nil {
		return "", false, false, fmt.Errorf("the password hash of %q: %w", name, err)
	}
	if ok && known && !disabled {
		s.upgradeHash(ctx, name, hash, password)
	}
	return lang, disabled, ok && known, nil
}

// placeToCheck waits for a place to check a password (at most checkWait).
func (s *Server) placeToCheck(ctx context.Context) (release func(), err error) {
	t := time.NewTimer(s.checkWait)
	defer t.Stop()
	select {
	case s.checking <- struct{}{}:
	case <-t.C:
		return nil, errBusy
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if s.checkHook != nil {
		s.checkHook()
	}
	return func() { <-s.checking }, nil
}

// upgradeHash hashes a right password again when its hash was made with
// other parameters than Options.HashParams: afterwards its check costs what
// an unknown name's does. A failure is only logged: the agent is signed in.
func (s *Server) upgradeHash(ctx context.Context, name, hash, password string) {
	if p, err := HashParamsOf(hash); err != nil || p == s.opt.HashParams {
		return
	}
	h, err := HashPassword(password, s.opt.HashParams)
	if err == nil {
		err = s.store.UpgradeAgentHash(ctx, name, hash, h)
	}
	if err != nil {
		s.log.Warn("web: hash a password again with the current parameters", slog.String("agent", name), slog.Any("error", err))
		return
	}
	s.log.Info("web: password hashed again with the current parameters", slog.String("agent", name))
}

// startSession records a session and gives its token to the browser: the
// name's failed attempts are forgotten and the address's attempt given
// back, and a session the browser came with (another agent's, or its own
// from before) ends, so that signing in again leaves one session.
func (s *Server) startSession(w http.ResponseWriter, r *http.Request, name, nameKey, addrKey string) error {
	if err := s.store.ClearSignInFailures(r.Context(), nameKey, addrKey); err != nil {
		s.log.Warn("web: clear failed sign-ins", slog.Any("error", err))
	}
	if c, err := r.Cookie(s.cookieName(r, sessionCookie)); err == nil && c.Value != "" {
		if err := s.store.EndSession(r.Context(), tokenHash(c.Value)); err != nil {
			return fmt.Errorf("end the session signed in before: %w", err)
		}
	}
	token := randomToken()
	expires := s.clock.Now().Add(min(s.opt.SessionIdle, s.opt.SessionMax))
	if err := s.store.CreateSession(r.Context(), tokenHash(token), name, randomToken(), expires); err != nil {
		return err
	}
	s.setCookie(w, r, sessionCookie, token, 0)
	s.setCookie(w, r, signInCookie, "", -1)
	s.log.Info("web: signed in", slog.String("agent", name), slog.String("address", s.clientAddr(r)))
	return nil
}

// signOut ends the session (POST, with the CSRF token).
func (s *Server) signOut(w http.ResponseWriter, r *http.Request, a *Agent) error {
	if err := s.store.EndSession(r.Context(), a.tokenHash); err != nil {
		return err
	}
	s.setCookie(w, r, sessionCookie, "", -1)
	http.Redirect(w, r, "/sign-in", http.StatusSeeOther)
	return nil
}
