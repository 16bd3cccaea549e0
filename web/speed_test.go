package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"refunddesk/templates"
	"refunddesk/tickets"
	"refunddesk/web"
)

// maxPageWeight is what a page may weigh with the style sheets and scripts
// it references, without its images (issue 15).
const maxPageWeight = 100 << 10

var pageAssets = regexp.MustCompile(`<(?:link rel="stylesheet" href|script src)="([^"]+)"`)

// weight is a page's bytes and those of the CSS and JS it references,
// fetched from the console as a browser would (images excluded).
func (b *browser) weight(t *testing.T, path string) (total int, p *page) {
	t.Helper()
	p = b.get(path)
	p.want(t, http.StatusOK)
	total = len(p.body)
	assets := pageAssets.FindAllStringSubmatch(p.body, -1)
	if len(assets) == 0 {
		t.Fatalf("%s references no style sheet or script", path)
	}
	for _, m := range assets {
		a := b.get(m[1])
		a.want(t, http.StatusOK)
		total += len(a.body)
	}
	return total, p
}

// A large queue page (50 tickets, each with long names and flags) and a
// ticket with a long history (a screenshot, 121 messages: the request, 40
// answers, 40 replies queued, 40 notes; over 80 audit entries) each weigh
// under 100 KB with their CSS and JS.
func TestPageWeight(t *testing.T) {
	f := newFixture(t, "sqlite", web.Options{})
	f.addAgent("ayu", "correct horse battery", "en")
	long := strings.Repeat("Nama Panjang Sekali ", 3)
	for i := range tickets.DefaultPageSize {
		res, err := f.svc.Intake.Submit(f.ctx, tickets.SubmitRequest{Kind: tickets.KindRefund, Channel: tickets.ChannelEmail,
			Requester: tickets.Requester{Email: fmt.Sprintf("requester.with.a.long.address.%d@example.com", i), Name: long},
			Account:   fmt.Sprintf("@an_account_name_that_is_long_%d", i), Order: fmt.Sprintf("73010000000000%05d", i),
			Reason: tickets.ReasonUnderDelivery, Details: "The promotion never reached anyone.", Language: "en",
			Flags: []string{tickets.FlagUnverifiedSender}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Desk.Act(f.ctx, tickets.ActionRequest{Ref: res.Ticket.Ref, Actor: "configured", Action: tickets.ActionAssign, Assignee: "configured"}); err != nil {
			t.Fatal(err)
		}
	}
	ref := f.submit("7301000000000099999", long, strings.Repeat("The promotion reached far fewer people than promised. ", 4),
		tickets.File{Name: "reach.png", Data: screenshot(t)})
	who := tickets.Requester{Email: "req@example.com", Name: long}
	for i := range 40 {
		if _, err := f.svc.Intake.RequesterReply(f.ctx, tickets.RequesterUpdate{Ref: ref, Requester: who, Channel: tickets.ChannelEmail,
			Text: fmt.Sprintf("Answer %d: still waiting for the refund of my promotion, here is what I saw.", i)}); err != nil {
			t.Fatal(err)
		}
		for _, act := range []tickets.ActionRequest{
			{Action: tickets.ActionReply, Text: fmt.Sprintf("Reply %d: we are checking the delivery figures with the platform.", i)},
			{Action: tickets.ActionNote, Text: fmt.Sprintf("Note %d: reach report asked again.", i)},
		} {
			act.Ref, act.Actor = ref, "configured"
			if _, err := f.svc.Desk.Act(f.ctx, act); err != nil {
				t.Fatal(err)
			}
		}
	}
	d, err := f.svc.Records.Detail(f.ctx, ref)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Messages) != 121 || len(d.Audit) < 80 || len(d.Evidence) != 1 {
		t.Fatalf("the long ticket has %d messages, %d audit entries, %d files", len(d.Messages), len(d.Audit), len(d.Evidence))
	}
	b := f.browser()
	b.mustSignIn("ayu", "correct horse battery")
	for _, path := range []string{"/", "/tickets/" + ref} {
		w, p := b.weight(t, path)
		t.Logf("%s: %d bytes with its CSS and JS (the page %d)", path, w, len(p.body))
		if w >= maxPageWeight {
			t.Errorf("%s weighs %d bytes with its CSS and JS, more than %d", path, w, maxPageWeight)
		}
		if path == "/" && strings.Count(p.body, `<a href="/tickets/RD-`) != tickets.DefaultPageSize {
			t.Errorf("the queue shows %d tickets, want %d", strings.Count(p.body, `<a href="/tickets/RD-`), tickets.DefaultPageSize)
		}
		if path != "/" && strings.Count(p.body, `class="message message-`) != len(d.Messages) {
			t.Errorf("the ticket shows %d messages, want %d", strings.Count(p.body, `class="message message-`), len(d.Messages))
		}
	}
}

// touchCounter counts the writes that move a session's end on.
type touchCounter struct {
	web.Store
	n *atomic.Int64
}

func (s touchCounter) TouchSession(ctx context.Context, tokenHash string, expires time.Time) error {
	s.n.Add(1)
	return s.Store.TouchSession(ctx, tokenHash, expires)
}

// A page's request reads the session and writes nothing to it: its end is
// moved on at most every 5 minutes, whatever the number of requests.
func TestSessionTouchedAtMostEveryFiveMinutes(t *testing.T) {
	touches := new(atomic.Int64)
	f := newFixture(t, "sqlite", web.Options{})
	f.addAgent("ayu", "correct horse battery", "en")
	srv, err := web.New(web.Options{Service: f.svc, Store: touchCounter{Store: f.db, n: touches}, Catalog: f.cat(t), Clock: f.clock})
	if err != nil {
		t.Fatal(err)
	}
	f.ts = httptest.NewServer(srv)
	t.Cleanup(f.ts.Close)
	b := f.browser()
	b.mustSignIn("ayu", "correct horse battery")
	for i := range 20 {
		b.get("/").want(t, http.StatusOK)
		if i%5 == 4 {
			f.clock.Advance(time.Minute)
		}
	}
	if n := touches.Load(); n != 0 {
		t.Fatalf("%d touches in 4 minutes of requests, want none", n)
	}
	f.clock.Advance(time.Minute)
	for range 5 {
		b.get("/").want(t, http.StatusOK)
	}
	if n := touches.Load(); n != 1 {
		t.Fatalf("%d touches after 5 minutes, want 1", n)
	}
}

func (f *fixture) cat(t *testing.T) *templates.Catalog {
	t.Helper()
	cat, err := templates.NewCatalog(nil)
	if err != nil {
		t.Fatal(err)
	}
	return cat
}
