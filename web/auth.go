package web

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"refunddesk/tickets"
)

// Cookies: the session's token, and before signing in the token the
// sign-in form must send back (a double-submit CSRF token).
const (
	sessionCookie = "rd_session"
	signInCookie  = "rd_signin"
	// maxForm bounds a form's body.
	maxForm = 1 << 20
	// touchEvery: a session's end moves on at most this often.
	touchEvery = 5 * time.Minute
)

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
		a, err := s.session(r)
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
		r = r.WithContext(context.WithValue(r.Context(), agentKey{}, a))
		if err := h(w, r, a); err != nil {
			s.fail(w, r, a, err)
		}
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

// session finds the request's live session, and moves its end on.
func (s *Server) session(r *http.Request) (*Agent, error) {
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" {
		return nil, errNoSession
	}
	th := tokenHash(c.Value)
	name, lang, csrf, expires, err := s.store.Session(r.Context(), th)
	if errors.Is(err, tickets.ErrNotFound) {
		return nil, errNoSession
	}
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	if next := now.Add(s.opt.SessionIdle); next.Sub(expires) >= touchEvery {
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

func (s *Server) setCookie(w http.ResponseWriter, r *http.Request, name, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: maxAge, HttpOnly: true,
		Secure: s.secure(r), SameSite: http.SameSiteStrictMode})
}

// clientAddr is the client's address: the connection's, or behind a
// trusted proxy the last one it added to X-Forwarded-For.
func (s *Server) clientAddr(r *http.Request) string {
	if s.opt.TrustProxy {
		if xff := r.Header.Values("X-Forwarded-For"); len(xff) > 0 {
			hops := strings.Split(xff[len(xff)-1], ",")
			if a := strings.TrimSpace(hops[len(hops)-1]); a != "" {
				return a
			}
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
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
	if _, err := s.session(r); err == nil {
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
	if c, err := r.Cookie(signInCookie); err == nil && len(c.Value) == len(randomToken()) {
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
// throttle (per name and per address, shared through the store), then the
// password; a session and its cookie on success.
func (s *Server) signIn(w http.ResponseWriter, r *http.Request) {
	lang := s.requestLanguage(r)
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	c, cerr := r.Cookie(signInCookie)
	if err := r.ParseForm(); err != nil || cerr != nil || !sameToken(c.Value, r.PostForm.Get("csrf")) {
		s.fail(w, r, nil, errCSRF)
		return
	}
	f := signInForm{Name: strings.TrimSpace(r.PostForm.Get("name")), Next: localPath(r.PostForm.Get("next"))}
	password := r.PostForm.Get("password")
	nameKey, addrKey := "name:"+strings.ToLower(f.Name), "addr:"+s.clientAddr(r)
	if wait, err := s.throttled(r.Context(), nameKey, addrKey); err != nil || wait {
		if err != nil {
			s.fail(w, r, nil, err)
			return
		}
		f.Problem = s.cat.Text(lang, "web.signin.throttled", "Minutes", int(s.opt.Throttle.Window.Minutes()))
		s.showSignIn(w, r, http.StatusTooManyRequests, f, lang)
		return
	}
	agentLang, disabled, ok, err := s.checkCredentials(r.Context(), f.Name, password)
	if err != nil {
		s.fail(w, r, nil, err)
		return
	}
	if !ok {
		if _, err := s.store.AddSignInFailure(r.Context(), s.opt.Throttle.Window, nameKey, addrKey); err != nil {
			s.log.Warn("web: count a failed sign-in", slog.Any("error", err))
		}
		s.log.Info("web: sign-in refused", slog.String("name", f.Name), slog.String("address", s.clientAddr(r)))
		f.Problem = s.cat.Text(lang, "web.signin.wrong")
		s.showSignIn(w, r, http.StatusUnauthorized, f, lang)
		return
	}
	if disabled {
		f.Problem = s.cat.Text(s.cat.Language(agentLang), "web.signin.disabled")
		s.showSignIn(w, r, http.StatusForbidden, f, s.cat.Language(agentLang))
		return
	}
	if err := s.startSession(w, r, f.Name, nameKey); err != nil {
		s.fail(w, r, nil, err)
		return
	}
	http.Redirect(w, r, f.Next, http.StatusSeeOther)
}

// throttled says whether the name or the address has failed too often.
func (s *Server) throttled(ctx context.Context, nameKey, addrKey string) (bool, error) {
	t := s.opt.Throttle
	n, err := s.store.SignInFailures(ctx, nameKey, t.Window)
	if err != nil || n >= t.PerName {
		return err == nil, err
	}
	n, err = s.store.SignInFailures(ctx, addrKey, t.Window)
	return err == nil && n >= t.PerAddress, err
}

// checkCredentials checks a password against the agent's hash; an unknown
// name is checked against a hash of no one's, so that it takes as long.
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
	ok, err = CheckPassword(hash, password)
	if err != nil {
		return "", false, false, fmt.Errorf("the password hash of %q: %w", name, err)
	}
	return lang, disabled, ok && known, nil
}

// startSession records a session and gives its token to the browser.
func (s *Server) startSession(w http.ResponseWriter, r *http.Request, name, nameKey string) error {
	if err := s.store.ClearSignInFailures(r.Context(), nameKey); err != nil {
		s.log.Warn("web: clear failed sign-ins", slog.Any("error", err))
	}
	token := randomToken()
	if err := s.store.CreateSession(r.Context(), tokenHash(token), name, randomToken(), s.clock.Now().Add(s.opt.SessionIdle)); err != nil {
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
