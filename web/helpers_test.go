package web_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"refunddesk/internal/storetest"
	"refunddesk/templates"
	"refunddesk/tickets"
	"refunddesk/tickets/sqlstore"
	"refunddesk/web"
)

var webStart = time.Date(2026, 11, 21, 8, 0, 0, 0, time.UTC)

// cheap are argon2id costs for tests: the parameters travel with the hash,
// so a test's agents sign in quickly and the code path is the same.
var cheap = web.HashParams{Memory: 64, Time: 1, Threads: 1}

// fixture is the console over a real store, on a loopback HTTP server.
type fixture struct {
	t     *testing.T
	ctx   context.Context
	clock *storetest.Clock
	db    *sqlstore.DB
	svc   *tickets.Service
	srv   *web.Server
	ts    *httptest.Server
}

func newFixture(t *testing.T, dialect string, opt web.Options) *fixture {
	t.Helper()
	clock := storetest.NewClock(webStart)
	db := storetest.Open(t, dialect, clock)
	svc := tickets.NewService(db, tickets.Options{Clock: clock, Agents: []string{"configured"}, Directory: directory{db},
		Languages: templates.Languages()})
	cat, err := templates.NewCatalog(nil)
	if err != nil {
		t.Fatal(err)
	}
	opt.Service, opt.Store, opt.Catalog, opt.Clock = svc, db, cat, clock
	if opt.HashParams == (web.HashParams{}) {
		opt.HashParams = cheap // the agents' (addAgent): no hash made again at sign-in
	}
	srv, err := web.New(opt)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return &fixture{t: t, ctx: context.Background(), clock: clock, db: db, svc: svc, srv: srv, ts: ts}
}

// directory is the store's agents as the domain asks for them.
type directory struct{ db *sqlstore.DB }

func (d directory) IsAgent(name string) (bool, error) {
	return d.db.IsAgent(context.Background(), name)
}

func (f *fixture) addAgent(name, password, lang string) {
	f.t.Helper()
	h, err := web.HashPassword(password, cheap)
	if err != nil {
		f.t.Fatal(err)
	}
	if err := f.db.AddAgent(f.ctx, name, h, lang); err != nil {
		f.t.Fatal(err)
	}
}

// browser is a client with its own cookies that does not follow redirects.
type browser struct {
	f *fixture
	c *http.Client
}

func (f *fixture) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{f: f, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

// page is an answer, its body read.
type page struct {
	*http.Response
	body string
}

func (b *browser) do(req *http.Request) *page {
	b.f.t.Helper()
	res, err := b.c.Do(req)
	if err != nil {
		b.f.t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		b.f.t.Fatal(err)
	}
	return &page{Response: res, body: string(body)}
}

func (b *browser) get(path string) *page {
	b.f.t.Helper()
	req, err := http.NewRequest(http.MethodGet, b.f.ts.URL+path, nil)
	if err != nil {
		b.f.t.Fatal(err)
	}
	return b.do(req)
}

func (b *browser) post(path string, form url.Values, header ...string) *page {
	b.f.t.Helper()
	req, err := http.NewRequest(http.MethodPost, b.f.ts.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		b.f.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return b.do(req)
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]*)"`)

// csrf is the token of the first form of a page.
func (p *page) csrf(t *testing.T) string {
	t.Helper()
	m := csrfField.FindStringSubmatch(p.body)
	if m == nil {
		t.Fatalf("no csrf field in:\n%s", p.body)
	}
	return m[1]
}

// signIn signs in through the form and returns the answer to the POST.
func (b *browser) signIn(name, password, next string) *page {
	b.f.t.Helper()
	form := b.get("/sign-in?" + url.Values{"next": {next}}.Encode())
	return b.post("/sign-in", url.Values{"csrf": {form.csrf(b.f.t)}, "name": {name}, "password": {password}, "next": {next}})
}

// mustSignIn signs in and checks it worked.
func (b *browser) mustSignIn(name, password string) {
	b.f.t.Helper()
	if p := b.signIn(name, password, "/"); p.StatusCode != http.StatusSeeOther || p.Header.Get("Location") != "/" {
		b.f.t.Fatalf("sign in as %s: %d %s\n%s", name, p.StatusCode, p.Header.Get("Location"), p.body)
	}
}

func (p *page) want(t *testing.T, status int, contains ...string) {
	t.Helper()
	if p.StatusCode != status {
		t.Fatalf("%s %s: status %d, want %d\n%s", p.Request.Method, p.Request.URL, p.StatusCode, status, p.body)
	}
	for _, s := range contains {
		if !strings.Contains(p.body, s) {
			t.Fatalf("%s %s: no %q in\n%s", p.Request.Method, p.Request.URL, s, p.body)
		}
	}
}

// screenshot is a small PNG.
func screenshot(t testing.TB) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 40, 30))
	for y := 0; y < 30; y++ {
		for x := 0; x < 40; x++ {
			img.Set(x, y, color.RGBA{R: uint8(x * 6), G: 120, B: uint8(y * 8), A: 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// submit files a refund request for an order by mail with the given words
// and files.
func (f *fixture) submit(order, name, details string, files ...tickets.File) string {
	f.t.Helper()
	res, err := f.svc.Intake.Submit(f.ctx, tickets.SubmitRequest{Kind: tickets.KindRefund, Channel: tickets.ChannelEmail,
		Requester: tickets.Requester{Email: "req@example.com", Name: name}, Account: "@shop", Order: order,
		Reason: tickets.ReasonOther, Details: details, Language: "en", Evidence: files})
	if err != nil {
		f.t.Fatal(err)
	}
	return res.Ticket.Ref
}
