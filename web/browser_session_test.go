package web_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"refunddesk/web"
)

// In a real browser, the queue whose session has ended says so in the
// page's words, with a link to sign in again, and stops asking
// /queue/state (one notice, however long it stays open).
func TestBrowserQueueSignedOut(t *testing.T) {
	ctx := newBrowser(t)
	f := newFixture(t, "sqlite", web.Options{Refresh: time.Second, SessionIdle: time.Hour})
	f.addAgent("ayu", "correct horse battery", "en")
	f.submit("7301000000000000011", "Ani", "please refund")
	do := browserSteps(t, ctx)
	do(chromedp.Navigate(f.ts.URL+"/?q=status%3Aneeds_info"), chromedp.WaitVisible(chromedp.CSS(`#password`)),
		chromedp.SendKeys(chromedp.CSS(`#name`), "ayu"),
		chromedp.SendKeys(chromedp.CSS(`#password`), "correct horse battery"),
		chromedp.Submit(chromedp.CSS(`#password`)),
		chromedp.WaitVisible(chromedp.CSS(`table.tickets`)))
	f.clock.Advance(2 * time.Hour) // the session's idle end has passed
	do(chromedp.WaitVisible(chromedp.CSS(`#signed-out`)))
	if got := text(t, ctx, `#signed-out`); !strings.Contains(got, "Your session has ended") || !strings.Contains(got, "Sign in again") {
		t.Fatalf("the notice: %q", got)
	}
	if href := eval[string](t, ctx, `document.querySelector("#signed-out a").getAttribute("href")`); href != "/sign-in?next=%2F%3Fq%3Dstatus%253Aneeds_info" {
		t.Fatalf("the notice's link: %q", href)
	}
	shoot(t, ctx, artifacts(t), "queue-signed-out")
	time.Sleep(3500 * time.Millisecond) // three more rounds, were it still asking
	if n := eval[int](t, ctx, `document.querySelectorAll("#signed-out").length`); n != 1 {
		t.Fatalf("%d notices: the script kept asking", n)
	}
}
