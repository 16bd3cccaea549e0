package web_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"refunddesk/tickets"
	"refunddesk/web"
)

// The browser tests drive Debian's Chromium, headless, through chromedp.
// Without Chromium they are skipped, saying why; with
// REFUNDDESK_REQUIRE_BROWSER=1 (CI) a skip is a failure. Screenshots of
// the pages go to $REFUNDDESK_TEST_ARTIFACTS, or to testdata/artifacts
// (ignored by git).
const (
	envRequireBrowser = "REFUNDDESK_REQUIRE_BROWSER"
	envArtifacts      = "REFUNDDESK_TEST_ARTIFACTS"
	envChromium       = "REFUNDDESK_CHROMIUM"
)

// chromium finds the browser: $REFUNDDESK_CHROMIUM, else chromium (Debian's
// package), chromium-browser or google-chrome on the PATH.
func chromium(t *testing.T) string {
	t.Helper()
	if p := os.Getenv(envChromium); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	why := "no Chromium found (chromium, chromium-browser, google-chrome on the PATH, or $" + envChromium +
		"): install Debian's chromium package to run the browser tests"
	if os.Getenv(envRequireBrowser) == "1" {
		t.Fatal(why + " (" + envRequireBrowser + "=1: the browser tests must run)")
	}
	t.Skip(why)
	return ""
}

// newBrowser starts a headless Chromium with a fresh profile, stopped when
// the test ends (or after two minutes, whatever happens).
// browserSteps returns a function that runs steps in the browser, each call
// within 20 s, and fails the test saying where the browser is and what it
// shows when one does not go through.
func browserSteps(t *testing.T, ctx context.Context) func(steps ...chromedp.Action[chromedp.Void]) {
	return func(steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		sctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		if err := chromedp.Do(sctx, steps...); err != nil {
			where, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`location.href + "\n" + document.body.innerText`))
			t.Fatalf("%v; the browser is at %s", err, where)
		}
	}
}

func newBrowser(t *testing.T) context.Context {
	t.Helper()
	path := chromium(t)
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	}
	// The browser lives as long as the context of its first run.
	limit, cancelLimit := context.WithTimeout(context.Background(), 2*time.Minute)
	actx, cancelAlloc := chromedp.NewExecAllocator(limit, opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	t.Cleanup(func() {
		cancelCtx()
		cancelAlloc()
		cancelLimit()
	})
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start %s: %v", path, err)
	}
	return ctx
}

// artifacts is the folder the screenshots go to, made if need be.
func artifacts(t *testing.T) string {
	t.Helper()
	dir := os.Getenv(envArtifacts)
	if dir == "" {
		dir = filepath.Join("testdata", "artifacts")
	}
	dir = filepath.Join(dir, "web")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

func shoot(t *testing.T, ctx context.Context, dir, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// eval runs a script in the page and returns its value.
func eval[T any](t *testing.T, ctx context.Context, script string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](script))
	if err != nil {
		t.Fatalf("%s: %v", script, err)
	}
	return v
}

func text(t *testing.T, ctx context.Context, css string) string {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(css)))
	if err != nil {
		t.Fatalf("the text of %s: %v", css, err)
	}
	return v
}

// An agent in a real browser: no session lands on the sign-in page; signs
// in; finds a ticket by a query; opens it and sees its screenshot (the
// image loaded); a form without its CSRF token is refused; the queue
// reloads by itself when its tickets change. Each page is photographed.
func TestBrowser(t *testing.T) {
	ctx := newBrowser(t)
	dir := artifacts(t)
	f := newFixture(t, "sqlite", web.Options{Refresh: time.Second})
	f.addAgent("ayu", "correct horse battery", "en")
	f.submit("7301000000000000022", "Budi", "Charged twice for one promotion.")
	ref := f.submit("7301000000000000011", "Rani Putri", "Jangkauannya jauh di bawah yang dijanjikan.",
		tickets.File{Name: "hasil-promosi.png", Data: screenshot(t)})
	base := f.ts.URL
	do := browserSteps(t, ctx)

	// No session: the sign-in page, which comes back to the queue after.
	do(chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.CSS(`#password`)))
	if path := eval[string](t, ctx, `location.pathname`); path != "/sign-in" {
		t.Fatalf("without a session the browser is at %s", path)
	}
	shoot(t, ctx, dir, "sign-in")
	do(chromedp.SendKeys(chromedp.CSS(`#name`), "ayu"),
		chromedp.SendKeys(chromedp.CSS(`#password`), "correct horse battery"),
		chromedp.Submit(chromedp.CSS(`#password`)),
		chromedp.WaitVisible(chromedp.CSS(`table.tickets`)))
	if path := eval[string](t, ctx, `location.pathname`); path != "/" {
		t.Fatalf("after signing in the browser is at %s", path)
	}
	shoot(t, ctx, dir, "queue")

	// Find the ticket by its order, and open it.
	link := chromedp.CSS(`a[href="/tickets/` + ref + `"]`)
	do(chromedp.SetValue(chromedp.CSS(`#q`), "order:7301000000000000011"),
		chromedp.Submit(chromedp.CSS(`#q`)),
		chromedp.WaitVisible(link))
	if got := text(t, ctx, `table.tickets tbody`); !strings.Contains(got, ref) || strings.Contains(got, "Budi") {
		t.Fatalf("the query found: %q", got)
	}
	shoot(t, ctx, dir, "queue-query")
	do(chromedp.Click(link), chromedp.WaitVisible(chromedp.CSS(`img.thumb`)))
	width, err := chromedp.Run(ctx, chromedp.Poll[int](`(() => { const i = document.querySelector("img.thumb"); `+
		`return i.complete && i.naturalWidth > 0 ? i.naturalWidth : 0; })()`, chromedp.WithPollingTimeout(20*time.Second)))
	if err != nil || width != 40 {
		t.Fatalf("the screenshot on the ticket's page: %d pixels wide, want 40 (%v)", width, err)
	}
	shoot(t, ctx, dir, "ticket")

	// A form without its token: refused, and still signed in.
	eval[chromedp.Void](t, ctx, `document.querySelector("form.signout input[name=csrf]").remove()`)
	do(chromedp.Submit(chromedp.CSS(`form.signout button`)), chromedp.WaitVisible(chromedp.CSS(`section.error`)))
	if got := text(t, ctx, `section.error`); !strings.Contains(got, "403") || !strings.Contains(got, "out of date") {
		t.Fatalf("the form without its token: %q", got)
	}
	shoot(t, ctx, dir, "csrf-refused")

	// The queue reloads by itself when one of its tickets changes.
	do(chromedp.Navigate(base+"/?q=ref%3A"+ref), chromedp.WaitVisible(chromedp.CSS(`table.tickets`)))
	f.clock.Advance(time.Minute)
	if _, err := f.svc.Desk.Act(f.ctx, tickets.ActionRequest{Ref: ref, Actor: "ayu", Action: tickets.ActionClaim}); err != nil {
		t.Fatal(err)
	}
	assignee := `(() => { const c = document.querySelector("table.tickets tbody td:nth-child(8)"); return c ? c.textContent.trim() : ""; })()`
	deadline := time.Now().Add(30 * time.Second)
	for {
		// The page may be reloading: an answer that fails is asked again.
		if v, err := chromedp.Run(ctx, chromedp.Evaluate[string](assignee)); err == nil && v == "ayu" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the queue did not reload after its ticket changed")
		}
		time.Sleep(100 * time.Millisecond)
	}
	shoot(t, ctx, dir, "queue-reloaded")
	t.Logf("screenshots in %s", dir)
}
