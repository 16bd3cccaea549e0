package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"refunddesk/internal/storetest"
	"refunddesk/tickets"
	"refunddesk/web"
)

// Without a session every page, file and form sends the browser to the
// sign-in page (a GET comes back where it was going), and shows nothing.
func TestNoSessionGoesToSignIn(t *testing.T) {
	f := newFixture(t, "sqlite", web.Options{})
	ref := f.submit("7301000000000000011", "Ani", "please refund", tickets.File{Name: "shot.png", Data: screenshot(t)})
	b := f.browser()
	for _, path := range []string{"/", "/?q=status%3Anew", "/tickets/" + ref, "/tickets/" + ref + "/evidence/abc", "/nowhere"} {
		p := b.get(path)
		want := "/sign-in?" + url.Values{"next": {path}}.Encode()
		if p.StatusCode != http.StatusSeeOther || p.Header.Get("Location") != want {
			t.Errorf("GET %s: %d to %q, want 303 to %q", path, p.StatusCode, p.Header.Get("Location"), want)
		}
		if strings.Contains(p.body, "Ani") || strings.Contains(p.body, "please refund") {
			t.Errorf("GET %s without a session shows the ticket: %s", path, p.body)
		}
	}
	// The queue's script gets 401 JSON, which it can read (and nothing else).
	if p := b.get("/queue/state"); p.StatusCode != http.StatusUnauthorized || p.body != `{"error":"signed_out"}`+"\n" {
		t.Errorf("GET /queue/state without a session: %d %q", p.StatusCode, p.body)
	}
	if p := b.post("/sign-out", url.Values{}); p.StatusCode != http.StatusSeeOther || p.Header.Get("Location") != "/sign-in" {
		t.Errorf("POST /sign-out without a session: %d %q", p.StatusCode, p.Header.Get("Location"))
	}
	b.get("/sign-in").want(t, http.StatusOK, `name="password"`, `type="password"`)
}

// Every answer carries the strict headers: pages, errors, redirects, the
// static files.
func TestSecurityHeaders(t *testing.T) {
	f := newFixture(t, "sqlite", web.Options{})
	f.addAgent("ayu", "correct horse battery", "en")
	b := f.browser()
	check := func(p *page) {
		t.Helper()
		h := p.Header
		for k, want := range map[string]string{
			"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Referrer-Policy": "same-origin",
		} {
			if h.Get(k) != want {
				t.Errorf("%s %s: %s is %q, want %q", p.Request.Method, p.Request.URL.Path, k, h.Get(k), want)
			}
		}
		csp := h.Get("Content-Security-Policy")
		for _, d := range []string{"default-src 'self'", "script-src 'self'", "object-src 'none'", "frame-ancestors 'none'",
			"base-uri 'none'", "form-action 'self'"} {
			if !strings.Contains(csp, d) {
				t.Errorf("%s: the CSP %q has no %q", p.Request.URL.Path, csp, d)
			}
		}
		if strings.Contains(csp, "unsafe-inline") {
			t.Errorf("%s: the CSP allows inline: %q", p.Request.URL.Path, csp)
		}
	}
	check(b.get("/"))
	check(b.get("/sign-in"))
	check(b.get("/static/console.css"))
	check(b.get("/static/console.js"))
	b.mustSignIn("ayu", "correct horse battery")
	for _, path := range []string{"/", "/nowhere", "/tickets/RD-99"} {
		check(b.get(path))
	}
	// No inline script or style anywhere a strict CSP would block.
	for _, path := range []string{"/", "/sign-in"} {
		body := b.get(path).body
		for _, bad := range []string{"<script>", "style=", " onload=", " onclick=", "<style"} {
			if strings.Contains(body, bad) {
				t.Errorf("%s has %q", path, bad)
			}
		}
	}
}

// Signing in: a wrong password or an unknown name is refused in words, the
// right one opens a session in a strict cookie and goes back where it was
// going, but only to a path of the console.
func TestSignIn(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newFixture(t, dialect, web.Options{})
		f.addAgent("ayu", "correct horse battery", "id")
		b := f.browser()
		b.signIn("ayu", "wrong password", "/").want(t, http.StatusUnauthorized, "do not match")
		// Before signing in, the browser's language when the desk speaks it.
		req, _ := http.NewRequest(http.MethodGet, f.ts.URL+"/sign-in", nil)
		req.Header.Set("Accept-Language", "fr-FR, id;q=0.8, en;q=0.5")
		b.do(req).want(t, http.StatusOK, `lang="id"`, "Kata sandi")
		b.signIn("nobody", "correct horse battery", "/").want(t, http.StatusUnauthorized)
		p := b.signIn("ayu", "correct horse battery", "/tickets/RD-1?x=1")
		if p.StatusCode != http.StatusSeeOther || p.Header.Get("Location") != "/tickets/RD-1?x=1" {
			t.Fatalf("sign in: %d to %q", p.StatusCode, p.Header.Get("Location"))
		}
		var session *http.Cookie
		for _, c := range p.Cookies() {
			if c.Name == "rd_session" {
				session = c
			}
		}
		if session == nil || !session.HttpOnly || session.SameSite != http.SameSiteStrictMode || session.Secure || session.Path != "/" {
			t.Fatalf("the session cookie: %+v", session)
		}
		// Indonesian for ayu, who speaks it.
		b.get("/").want(t, http.StatusOK, "Antrean", `lang="id"`, "ayu")
		// Never elsewhere after signing in.
		for _, next := range []string{"https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)", "evil"} {
			c := f.browser()
			if p := c.signIn("ayu", "correct horse battery", next); p.Header.Get("Location") != "/" {
				t.Errorf("next %q: sent to %q", next, p.Header.Get("Location"))
			}
		}
		// Signed in already: the sign-in page goes on.
		if p := b.get("/sign-in?next=%2F%3Fq%3Dx"); p.StatusCode != http.StatusSeeOther || p.Header.Get("Location") != "/?q=x" {
			t.Fatalf("sign-in page when signed in: %d %q", p.StatusCode, p.Header.Get("Location"))
		}
	})
}

// Over TLS, or behind a trusted proxy that says the browser used https,
// the cookies are Secure; a proxy that is not trusted is not believed.
func TestSecureCookies(t *testing.T) {
	for _, tc := range []struct {
		trust bool
		want  bool
	}{{true, true}, {false, false}} {
		f := newFixture(t, "sqlite", web.Options{TrustProxy: tc.trust})
		p := f.browser().get("/sign-in")
		req, _ := http.NewRequest(http.MethodGet, f.ts.URL+"/sign-in", nil)
		req.Header.Set("X-Forwarded-Proto", "https")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		for _, c := range res.Cookies() {
			if c.Name == "rd_signin" && c.Secure != tc.want {
				t.Errorf("trust proxy %v: Secure %v, want %v", tc.trust, c.Secure, tc.want)
			}
		}
		for _, c := range p.Cookies() {
			if c.Secure {
				t.Errorf("plain http without a proxy: a Secure cookie %s", c.Name)
			}
		}
	}
}

// A form without its CSRF token is refused with 403 and does nothing: the
// sign-in form, and signing out (the session lives on).
func TestCSRF(t *testing.T) {
	f := newFixture(t, "sqlite", web.Options{})
	f.addAgent("ayu", "correct horse battery", "en")
	b := f.browser()
	b.get("/sign-in")
	b.post("/sign-in", url.Values{"name": {"ayu"}, "password": {"correct horse battery"}}).want(t, http.StatusForbidden, "out of date")
	b.post("/sign-in", url.Values{"name": {"ayu"}, "password": {"correct horse battery"}, "csrf": {"forged"}}).want(t, http.StatusForbidden)
	b.get("/").want(t, http.StatusSeeOther)
	b.mustSignIn("ayu", "correct horse battery")
	token := b.get("/").csrf(t)
	b.post("/sign-out", url.Values{}).want(t, http.StatusForbidden)
	b.post("/sign-out", url.Values{"csrf": {"x" + token}}).want(t, http.StatusForbidden)
	b.get("/").want(t, http.StatusOK)
	// Another agent's token is no good either.
	f.addAgent("budi", "budi's long password", "en")
	c := f.browser()
	c.mustSignIn("budi", "budi's long password")
	c.post("/sign-out", url.Values{"csrf": {token}}).want(t, http.StatusForbidden)
	if p := b.post("/sign-out", url.Values{"csrf": {token}}); p.StatusCode != http.StatusSeeOther || p.Header.Get("Location") != "/sign-in" {
		t.Fatalf("sign out: %d %q", p.StatusCode, p.Header.Get("Location"))
	}
	b.get("/").want(t, http.StatusSeeOther)
	c.get("/").want(t, http.StatusOK)
}

// Failed sign-ins are limited per name and per address, in the store: past
// the limit even the right password is refused, with words that say so,
// until the window ends; a success clears the name's count and is not
// counted under the address, a refused attempt is.
func TestSignInThrottle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newFixture(t, dialect, web.Options{Throttle: web.Throttle{PerName: 3, PerAddress: 5, Window: 10 * time.Minute}})
		f.addAgent("ayu", "correct horse battery", "en")
		f.addAgent("budi", "budi's long password", "en")
		b := f.browser()
		for i := 0; i < 3; i++ {
			b.signIn("ayu", "guess", "/").want(t, http.StatusUnauthorized)
		}
		b.signIn("ayu", "correct horse battery", "/").want(t, http.StatusTooManyRequests, "Too many failed sign-ins", "10 minutes")
		// Another name from the same address goes on, to the address's limit.
		b.mustSignIn("budi", "budi's long password")
		c := f.browser()
		c.signIn("budi", "guess", "/").want(t, http.StatusUnauthorized) // the address's fifth: 3 wrong, 1 refused, this
		c.signIn("budi", "budi's long password", "/").want(t, http.StatusTooManyRequests)
		f.clock.Advance(10 * time.Minute)
		c.mustSignIn("ayu", "correct horse battery")
	})
}

// A disabled agent's sessions end at once, and they cannot sign in again;
// enabled again, they can.
func TestDisabledAgent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newFixture(t, dialect, web.Options{})
		f.addAgent("ayu", "correct horse battery", "en")
		b := f.browser()
		b.mustSignIn("ayu", "correct horse battery")
		b.get("/").want(t, http.StatusOK)
		if err := f.db.SetAgentDisabled(f.ctx, "ayu", true); err != nil {
			t.Fatal(err)
		}
		b.get("/").want(t, http.StatusSeeOther)
		b.signIn("ayu", "correct horse battery", "/").want(t, http.StatusForbidden, "disabled")
		if err := f.svc.Desk.CheckAgent("ayu"); err == nil {
			t.Fatal("the desk still takes ayu as an agent")
		}
		if err := f.db.SetAgentDisabled(f.ctx, "ayu", false); err != nil {
			t.Fatal(err)
		}
		b.mustSignIn("ayu", "correct horse battery")
		if err := f.svc.Desk.CheckAgent("ayu"); err != nil {
			t.Fatal(err)
		}
	})
}

// A session ends after SessionIdle without a request, and each request
// moves its end on.
func TestSessionIdle(t *testing.T) {
	f := newFixture(t, "sqlite", web.Options{SessionIdle: time.Hour})
	f.addAgent("ayu", "correct horse battery", "en")
	b := f.browser()
	b.mustSignIn("ayu", "correct horse battery")
	for i := 0; i < 3; i++ {
		f.clock.Advance(50 * time.Minute)
		b.get("/").want(t, http.StatusOK)
	}
	f.clock.Advance(61 * time.Minute)
	b.get("/").want(t, http.StatusSeeOther)
}
