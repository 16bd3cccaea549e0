package web_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"refunddesk/internal/storetest"
	"refunddesk/templates"
	"refunddesk/tickets"
	"refunddesk/web"
)

// The findings of the console's security review (issue 15), each with the
// test that shows it fixed.

// signInForm gets the sign-in form's token and cookie once, so that many
// sign-ins can be sent at once without a cookie jar.
func (f *fixture) signInForm() (cookie *http.Cookie, token string) {
	f.t.Helper()
	b := f.browser()
	p := b.get("/sign-in")
	for _, c := range p.Cookies() {
		if strings.HasSuffix(c.Name, "rd_signin") {
			cookie = c
		}
	}
	if cookie == nil {
		f.t.Fatalf("no sign-in cookie: %v", p.Header)
	}
	return cookie, p.csrf(f.t)
}

// postSignIn sends one sign-in and returns its status (safe in goroutines).
func postSignIn(ts *httptest.Server, cookie *http.Cookie, token, name, password string, more ...*http.Cookie) (int, []*http.Cookie, error) {
	form := url.Values{"csrf": {token}, "name": {name}, "password": {password}, "next": {"/"}}
	req, err := http.NewRequest(http.MethodPost, ts.URL+"/sign-in", strings.NewReader(form.Encode()))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for _, c := range append([]*http.Cookie{cookie}, more...) {
		req.AddCookie(c)
	}
	res, err := ts.Client().Transport.RoundTrip(req)
	if err != nil {
		return 0, nil, err
	}
	res.Body.Close()
	return res.StatusCode, res.Cookies(), nil
}

// Sixty wrong passwords for one name sent at once: the throttle counts each
// attempt before checking it, so only the name's limit (5) are checked
// (401) and the rest are refused without hashing (429). Before, all sixty
// were checked and answered 401.
func TestSignInThrottleConcurrent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newFixture(t, dialect, web.Options{PasswordChecks: 100,
			Throttle: web.Throttle{PerName: 5, PerAddress: 1000, Window: 15 * time.Minute}})
		f.addAgent("ayu", "correct horse battery", "en")
		var checked atomic.Int64
		web.SetCheckHook(f.srv, func() { checked.Add(1) }, time.Minute)
		cookie, token := f.signInForm()
		statuses := make([]int, 60)
		errs := make([]error, 60)
		var wg sync.WaitGroup
		for i := range statuses {
			wg.Add(1)
			go func() {
				defer wg.Done()
				statuses[i], _, errs[i] = postSignIn(f.ts, cookie, token, "ayu", "wrong guess")
			}()
		}
		wg.Wait()
		count := map[int]int{}
		for i, st := range statuses {
			if errs[i] != nil {
				t.Fatal(errs[i])
			}
			count[st]++
		}
		if count[http.StatusUnauthorized] != 5 || count[http.StatusTooManyRequests] != 55 || checked.Load() != 5 {
			t.Fatalf("answers %v, %d passwords checked; want 5×401, 55×429, 5 checked", count, checked.Load())
		}
		// The right password is refused too until the window ends, unchecked.
		if st, _, _ := postSignIn(f.ts, cookie, token, "ayu", "correct horse battery"); st != http.StatusTooManyRequests {
			t.Fatalf("the right password while throttled: %d", st)
		}
		if checked.Load() != 5 {
			t.Fatalf("%d passwords checked", checked.Load())
		}
	})
}

// failingCounts is the store with a throttle that cannot count.
type failingCounts struct{ web.Store }

func (failingCounts) AddSignInFailure(context.Context, time.Duration, ...string) ([]int, error) {
	return nil, errors.New("the store is down")
}

// When the attempt cannot be counted, nothing is checked: the sign-in is
// refused (500), even with the right password. Before, the password was
// checked anyway and the failure only logged.
func TestSignInFailsClosed(t *testing.T) {
	f := newFixture(t, "sqlite", web.Options{})
	f.addAgent("ayu", "correct horse battery", "en")
	srv := f.newServer(web.Options{Store: failingCounts{f.db}})
	var checked atomic.Int64
	web.SetCheckHook(srv, func() { checked.Add(1) }, time.Minute)
	ts := httptest.NewServer(srv)
	defer ts.Close()
	g := &fixture{t: t, ts: ts}
	cookie, token := g.signInForm()
	st, cookies, err := postSignIn(ts, cookie, token, "ayu", "correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cookies {
		if strings.HasSuffix(c.Name, "rd_session") && c.MaxAge >= 0 {
			t.Fatalf("a session given: %+v", c)
		}
	}
	if st != http.StatusInternalServerError || checked.Load() != 0 {
		t.Fatalf("status %d, %d passwords checked; want 500 and none", st, checked.Load())
	}
}

// newServer is another console over the fixture's service and store, with
// opt's store (a wrapper of the fixture's) when it has one.
func (f *fixture) newServer(opt web.Options) *web.Server {
	f.t.Helper()
	cat, err := templates.NewCatalog(nil)
	if err != nil {
		f.t.Fatal(err)
	}
	if opt.Store == nil {
		opt.Store = f.db
	}
	opt.Service, opt.Catalog, opt.Clock = f.svc, cat, f.clock
	if opt.HashParams == (web.HashParams{}) {
		opt.HashParams = cheap
	}
	srv, err := web.New(opt)
	if err != nil {
		f.t.Fatal(err)
	}
	return srv
}

// At most PasswordChecks passwords are checked at once (each takes
// argon2id's memory); one more waits for a place, then is refused with 503
// and the catalog's words.
func TestPasswordChecksBounded(t *testing.T) {
	f := newFixture(t, "sqlite", web.Options{PasswordChecks: 1})
	f.addAgent("ayu", "correct horse battery", "en")
	inside, release := make(chan struct{}), make(chan struct{})
	var calls atomic.Int64
	web.SetCheckHook(f.srv, func() {
		if calls.Add(1) == 1 {
			close(inside)
			<-release
		}
	}, 20*time.Millisecond)
	cookie, token := f.signInForm()
	first := make(chan int)
	go func() {
		st, _, _ := postSignIn(f.ts, cookie, token, "ayu", "wrong guess")
		first <- st
	}()
	<-inside
	b := f.browser()
	b.signIn("ayu", "correct horse battery", "/").want(t, http.StatusServiceUnavailable, "Too many sign-ins are being checked")
	close(release)
	if st := <-first; st != http.StatusUnauthorized {
		t.Fatalf("the first sign-in: %d", st)
	}
	b.mustSignIn("ayu", "correct horse battery")
}

// A name longer than any agent's (64 characters) is refused before it is
// counted or its password checked; on PostgreSQL a megabyte's name would
// not fit the throttle's index.
func TestSignInLongName(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newFixture(t, dialect, web.Options{})
		var checked atomic.Int64
		web.SetCheckHook(f.srv, func() { checked.Add(1) }, time.Minute)
		b := f.browser()
		for _, name := range []string{strings.Repeat("é", 65), strings.Repeat("x", 500_000)} {
			b.signIn(name, "a password", "/").want(t, http.StatusUnauthorized, "do not match")
		}
		if n, err := f.db.SignInFailures(f.ctx, "addr:127.0.0.1", time.Hour); n != 0 || err != nil || checked.Load() != 0 {
			t.Fatalf("long names: %d counted (%v), %d checked", n, err, checked.Load())
		}
		b.signIn(strings.Repeat("é", 64), "a password", "/").want(t, http.StatusUnauthorized)
		if checked.Load() != 1 {
			t.Fatalf("a name of 64 characters: %d checked", checked.Load())
		}
	})
}

// The throttle's name key is the name as the store compares it: exactly.
// Guesses at "AYU" (no such agent: the store's names are case-sensitive)
// do not lock ayu out; before, the key was lowercased and they did.
func TestSignInThrottleNameCase(t *testing.T) {
	f := newFixture(t, "sqlite", web.Options{Throttle: web.Throttle{PerName: 3, PerAddress: 100, Window: time.Hour}})
	f.addAgent("ayu", "correct horse battery", "en")
	b := f.browser()
	for i := 0; i < 4; i++ {
		b.signIn("AYU", "correct horse battery", "/")
	}
	b.signIn("AYU", "correct horse battery", "/").want(t, http.StatusTooManyRequests)
	b.mustSignIn("ayu", "correct horse battery")
}

// IPv6 clients are counted by their /64: a host that changes its address
// within its /64 stays under one limit; another /64 has its own.
func TestSignInThrottleIPv6(t *testing.T) {
	f := newFixture(t, "sqlite", web.Options{TrustProxy: true,
		Throttle: web.Throttle{PerName: 100, PerAddress: 3, Window: time.Hour}})
	f.addAgent("ayu", "correct horse battery", "en")
	b := f.browser()
	form := b.get("/sign-in")
	send := func(addr, password string) *page {
		return b.post("/sign-in", url.Values{"csrf": {form.csrf(t)}, "name": {"ayu"}, "password": {password}},
			"X-Forwarded-For", "192.0.2.9, "+addr)
	}
	for _, a := range []string{"2001:db8:0:7::1", "2001:db8:0:7::2", "2001:db8:0:7:a:b:c:d"} {
		send(a, "wrong guess").want(t, http.StatusUnauthorized)
	}
	send("2001:db8:0:7::ffff", "correct horse battery").want(t, http.StatusTooManyRequests)
	send("2001:db8:0:8::1", "wrong guess").want(t, http.StatusUnauthorized)
	// An IPv4 address is its own; one written as IPv6 (::ffff:a.b.c.d) is it.
	for i := 0; i < 3; i++ {
		send("198.51.100.7", "wrong guess").want(t, http.StatusUnauthorized)
	}
	send("::ffff:198.51.100.7", "wrong guess").want(t, http.StatusTooManyRequests)
	send("198.51.100.8", "correct horse battery").want(t, http.StatusSeeOther)
}

// Signing in gives back the address's attempt: an office behind one
// address signs in more often than the address's limit of failures.
func TestSignInSuccessNotCounted(t *testing.T) {
	f := newFixture(t, "sqlite", web.Options{Throttle: web.Throttle{PerName: 3, PerAddress: 3, Window: time.Hour}})
	f.addAgent("ayu", "correct horse battery", "en")
	for i := 0; i < 6; i++ {
		f.browser().mustSignIn("ayu", "correct horse battery")
	}
}

// The queue's script asking /queue/state does not keep a session alive,
// and with no session it gets 401 JSON (the script says so and stops),
// not the sign-in page.
func TestQueueStateDoesNotTouch(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newFixture(t, dialect, web.Options{SessionIdle: time.Hour})
		f.addAgent("ayu", "correct horse battery", "en")
		b := f.browser()
		b.mustSignIn("ayu", "correct horse battery")
		b.get("/").want(t, http.StatusOK, `data-signed-out="Your session has ended`, `data-sign-in="Sign in again"`)
		f.clock.Advance(50 * time.Minute)
		b.get("/queue/state").want(t, http.StatusOK, `"version"`)
		f.clock.Advance(50 * time.Minute) // an hour and more since the agent's last page
		p := b.get("/queue/state")
		var body map[string]string
		if p.StatusCode != http.StatusUnauthorized || !strings.HasPrefix(p.Header.Get("Content-Type"), "application/json") ||
			json.Unmarshal([]byte(p.body), &body) != nil || body["error"] != "signed_out" {
			t.Fatalf("/queue/state after the session's end: %d %q %s", p.StatusCode, p.Header.Get("Content-Type"), p.body)
		}
		b.get("/").want(t, http.StatusSeeOther)
	})
}

// A session ends SessionMax after it started, however busy; and a short
// SessionIdle (2 minutes) still keeps a session in use alive.
func TestSessionLifetime(t *testing.T) {
	f := newFixture(t, "sqlite", web.Options{SessionIdle: time.Hour, SessionMax: 2 * time.Hour})
	f.addAgent("ayu", "correct horse battery", "en")
	b := f.browser()
	b.mustSignIn("ayu", "correct horse battery")
	for i := 0; i < 2; i++ {
		f.clock.Advance(50 * time.Minute)
		b.get("/").want(t, http.StatusOK)
	}
	f.clock.Advance(20 * time.Minute) // 2 h since signing in, 20 minutes since the last page
	b.get("/").want(t, http.StatusSeeOther)

	g := newFixture(t, "sqlite", web.Options{SessionIdle: 2 * time.Minute})
	g.addAgent("ayu", "correct horse battery", "en")
	c := g.browser()
	c.mustSignIn("ayu", "correct horse battery")
	for i := 0; i < 5; i++ {
		g.clock.Advance(90 * time.Second)
		c.get("/").want(t, http.StatusOK)
	}
	g.clock.Advance(121 * time.Second)
	c.get("/").want(t, http.StatusSeeOther)
}

// Signing in again ends the session the browser came with: one session
// left, and the old token signs no one in.
func TestSignInAgainEndsOldSession(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newFixture(t, dialect, web.Options{})
		f.addAgent("ayu", "correct horse battery", "en")
		b := f.browser()
		b.mustSignIn("ayu", "correct horse battery")
		u, _ := url.Parse(f.ts.URL)
		var old *http.Cookie
		for _, c := range b.c.Jar.Cookies(u) {
			if c.Name == "rd_session" {
				old = c
			}
		}
		// The same browser sends the sign-in form again (from a tab opened
		// before), with its session.
		cookie, token := f.signInForm()
		st, cookies, err := postSignIn(f.ts, cookie, token, "ayu", "correct horse battery", old)
		if err != nil || st != http.StatusSeeOther || old == nil {
			t.Fatalf("signing in again: %d %v (session %v)", st, err, old)
		}
		list, err := f.db.Agents(f.ctx)
		if err != nil || len(list) != 1 || list[0].Sessions != 1 {
			t.Fatalf("agents after signing in twice: %+v %v", list, err)
		}
		b.get("/").want(t, http.StatusSeeOther) // the old session
		fresh := f.browser()
		fresh.c.Jar.SetCookies(u, cookies)
		fresh.get("/").want(t, http.StatusOK)
	})
}

// A right password whose hash has other parameters than the console's is
// hashed again with them at sign-in; the session goes on.
func TestSignInUpgradesHash(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		now := web.HashParams{Memory: 128, Time: 2, Threads: 1}
		f := newFixture(t, dialect, web.Options{HashParams: now})
		f.addAgent("ayu", "correct horse battery", "en") // with cheap
		b := f.browser()
		b.signIn("ayu", "wrong guess", "/").want(t, http.StatusUnauthorized)
		hash, _, _, _ := f.db.AgentCredentials(f.ctx, "ayu")
		if p, _ := web.HashParamsOf(hash); p != cheap {
			t.Fatalf("a wrong password changed the hash: %+v", p)
		}
		b.mustSignIn("ayu", "correct horse battery")
		hash, _, _, _ = f.db.AgentCredentials(f.ctx, "ayu")
		if p, err := web.HashParamsOf(hash); p != now || err != nil {
			t.Fatalf("after signing in: %+v %v, want %+v", p, err, now)
		}
		b.get("/").want(t, http.StatusOK)
		f.browser().mustSignIn("ayu", "correct horse battery")
	})
}

// Secure cookies carry the __Host- prefix, and only the prefixed cookie is
// read: a cookie without it (one a sibling subdomain could plant) is not
// a session.
func TestHostPrefixCookies(t *testing.T) {
	f := newFixture(t, "sqlite", web.Options{SecureCookies: true})
	f.addAgent("ayu", "correct horse battery", "en")
	cookie, token := f.signInForm()
	if cookie.Name != "__Host-rd_signin" || !cookie.Secure || cookie.Path != "/" || cookie.Domain != "" {
		t.Fatalf("the sign-in cookie: %+v", cookie)
	}
	st, cookies, err := postSignIn(f.ts, cookie, token, "ayu", "correct horse battery")
	if err != nil || st != http.StatusSeeOther {
		t.Fatalf("sign in: %d %v", st, err)
	}
	var session *http.Cookie
	for _, c := range cookies {
		if c.Name == "__Host-rd_session" {
			session = c
		}
	}
	if session == nil || !session.Secure || session.Path != "/" || session.Domain != "" || !session.HttpOnly {
		t.Fatalf("the session cookie: %+v in %v", session, cookies)
	}
	get := func(c *http.Cookie) int {
		req, _ := http.NewRequest(http.MethodGet, f.ts.URL+"/", nil)
		req.AddCookie(c)
		res, err := f.ts.Client().Transport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	if st := get(session); st != http.StatusOK {
		t.Fatalf("with the session: %d", st)
	}
	if st := get(&http.Cookie{Name: "rd_session", Value: session.Value}); st != http.StatusSeeOther {
		t.Fatalf("the token without the prefix: %d, want the sign-in page", st)
	}
}

// Evidence is never kept in a cache: an agent who signs out leaves no
// requester's file behind in the browser.
func TestEvidenceNotCached(t *testing.T) {
	f := newFixture(t, "sqlite", web.Options{})
	f.addAgent("ayu", "correct horse battery", "en")
	ref := f.submit("7301000000000000011", "Ani", "see files", tickets.File{Name: "shot.png", Data: screenshot(t)})
	d, err := f.svc.Records.Detail(f.ctx, ref)
	if err != nil {
		t.Fatal(err)
	}
	b := f.browser()
	b.mustSignIn("ayu", "correct horse battery")
	p := b.get("/tickets/" + ref + "/evidence/" + d.Evidence[0].SHA256)
	if p.StatusCode != http.StatusOK || p.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("evidence: %d, Cache-Control %q", p.StatusCode, p.Header.Get("Cache-Control"))
	}
}

// The queue's counts are kept 30 seconds by the server's clock (which tests
// move), not the wall clock's.
func TestQueueCountsByServerClock(t *testing.T) {
	f := newFixture(t, "sqlite", web.Options{})
	f.addAgent("ayu", "correct horse battery", "en")
	f.submit("7301000000000000011", "Ani", "please refund")
	b := f.browser()
	b.mustSignIn("ayu", "correct horse battery")
	counted := func(n string) bool {
		return strings.Contains(b.get("/").body, `status%3Aneeds_info">Needs info <b>`+n+`</b>`)
	}
	if !counted("1") {
		t.Fatalf("the first count:\n%s", b.get("/").body)
	}
	f.submit("7301000000000000022", "Budi", "please refund")
	if !counted("1") {
		t.Fatal("counted again within 30 seconds")
	}
	f.clock.Advance(31 * time.Second)
	// The first page after 30 s counts again in the background; a later
	// one shows it.
	for deadline := time.Now().Add(20 * time.Second); !counted("2"); {
		if time.Now().After(deadline) {
			t.Fatal("not counted again 31 s later by the server's clock")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Sending a failed message again is checked by the message's own status in
// the retry's transaction, not by the ticket's version: a page out of date
// (the ticket changed after it was shown) still sends it again, and a
// second retry of the same message is refused (409) because it has not
// failed any more.
func TestRetryChecksTheMessageNotTheVersion(t *testing.T) {
	f, b := actFixture(t, "sqlite")
	ref := f.request("7301000000000000033", "@citra", "Citra", "en")
	id := f.failOutbox()
	stale := b.form(ref)
	f.act(ref, "configured", tickets.ActionNote, "the ticket moves on")
	if p := b.post("/tickets/"+ref+"/outbox/"+itoa(id)+"/retry", stale); p.StatusCode != http.StatusSeeOther {
		t.Fatalf("a retry from a page out of date: %d\n%s", p.StatusCode, p.body)
	}
	b.post("/tickets/"+ref+"/outbox/"+itoa(id)+"/retry", stale).want(t, http.StatusConflict, `id="refused"`)
}
