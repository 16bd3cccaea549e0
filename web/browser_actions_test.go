package web_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// An agent in a real browser approves a ticket from its page: the approval
// form comes filled with the verdict's refund, the answer comes back to the
// ticket saying so, and the page shows the audit entry under the agent and
// the requester's message queued.
func TestBrowserApprove(t *testing.T) {
	ctx := newBrowser(t)
	dir := artifacts(t)
	f, _ := actFixture(t, "sqlite")
	ref := f.request("7301000000000000033", "@citra", "Citra", "en")
	do := browserSteps(t, ctx)
	do(chromedp.Navigate(f.ts.URL+"/tickets/"+ref), chromedp.WaitVisible(chromedp.CSS(`#password`)),
		chromedp.SendKeys(chromedp.CSS(`#name`), "ayu"),
		chromedp.SendKeys(chromedp.CSS(`#password`), ayuPW),
		chromedp.Submit(chromedp.CSS(`#password`)),
		chromedp.WaitVisible(chromedp.CSS(`form.act-approve button`)))
	if got := eval[string](t, ctx, `document.querySelector("#amount").value`); got != "73.35" {
		t.Fatalf("the approval's amount is filled with %q, want the verdict's 73.35", got)
	}
	shoot(t, ctx, dir, "ticket-actions")
	do(chromedp.Click(chromedp.CSS(`form.act-approve button`)), chromedp.WaitVisible(chromedp.CSS(`p.flash`)))
	if path := eval[string](t, ctx, `location.pathname + location.search`); path != "/tickets/"+ref+"?done=approve" {
		t.Fatalf("after approving the browser is at %s", path)
	}
	if got := text(t, ctx, `p.flash`); !strings.Contains(got, "Approved") {
		t.Errorf("the flash: %q", got)
	}
	if got := text(t, ctx, `section.audit`); !strings.Contains(got, "ayu") || !strings.Contains(got, "approve") {
		t.Errorf("the audit trail shows no approval by ayu: %q", got)
	}
	if got := text(t, ctx, `section.outbox`); !strings.Contains(got, "Refund approved") || !strings.Contains(got, "Waiting to be sent") {
		t.Errorf("the outbox shows no approval queued: %q", got)
	}
	shoot(t, ctx, dir, "ticket-approved")
	if d := f.detail(ref); d.ApprovedAmount == nil || *d.ApprovedAmount != 7335 {
		t.Fatalf("approved %v", d.ApprovedAmount)
	}
}
