package web_test

import (
	"html"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"refunddesk/internal/storetest"
	"refunddesk/tickets"
	"refunddesk/web"
)

// A promotion on record in dollars (146.70 paid, half its reach delivered)
// and one in rupiah: approvals have amounts to check.
const records = "7301000000000000033,@citra,7300000000000000003,views,14670,USD,card,2026-11-01T09:00:00Z,2026-11-01T10:00:00Z,2026-11-08T10:00:00Z,,completed,10000,5000,14670,false,0\n" +
	"7301000000000000044,@dewi,7300000000000000004,views,150000,IDR,wallet,2026-11-01T09:00:00Z,2026-11-01T10:00:00Z,2026-11-08T10:00:00Z,,completed,10000,5000,150000,false,0\n"

const ayuPW = "correct horse battery"

// actFixture is the console with the promotions on record and ayu signed in.
func actFixture(t *testing.T, dialect string) (*fixture, *browser) {
	t.Helper()
	f := newFixture(t, dialect, web.Options{})
	csv := strings.Join(tickets.PromotionColumns, ",") + "\n" + records
	if _, err := f.svc.Records.ImportPromotions(f.ctx, strings.NewReader(csv), tickets.ImportOptions{File: "p.csv"}); err != nil {
		t.Fatal(err)
	}
	f.addAgent("ayu", ayuPW, "en")
	b := f.browser()
	b.mustSignIn("ayu", ayuPW)
	return f, b
}

// request files an under-delivery refund by mail for an order on record,
// with a screenshot: its verdict computes a refund.
func (f *fixture) request(order, account, name, lang string) string {
	f.t.Helper()
	res, err := f.svc.Intake.Submit(f.ctx, tickets.SubmitRequest{Kind: tickets.KindRefund, Channel: tickets.ChannelEmail,
		Requester: tickets.Requester{Email: "req@example.com", Name: name}, Account: account, Order: order,
		Reason: tickets.ReasonUnderDelivery, Details: "Only half the views came.", Language: lang,
		Evidence: []tickets.File{{Name: "shot.png", Data: screenshot(f.t)}}})
	if err != nil {
		f.t.Fatal(err)
	}
	f.clock.Advance(time.Minute)
	return res.Ticket.Ref
}

func (f *fixture) detail(ref string) *tickets.TicketDetail {
	f.t.Helper()
	d, err := f.svc.Records.Detail(f.ctx, ref)
	if err != nil {
		f.t.Fatal(err)
	}
	return d
}

// act as the service (as another agent would, elsewhere).
func (f *fixture) act(ref, actor string, a tickets.Action, text string) {
	f.t.Helper()
	if _, err := f.svc.Desk.Act(f.ctx, tickets.ActionRequest{Ref: ref, Actor: actor, Action: a, Text: text}); err != nil {
		f.t.Fatal(err)
	}
	f.clock.Advance(time.Minute)
}

var versionField = regexp.MustCompile(`name="version" value="([^"]*)"`)

// form is what a form on the ticket's page sends: the session's token, the
// version the page shows, and the fields given.
func (b *browser) form(ref string, kv ...string) url.Values {
	b.f.t.Helper()
	p := b.get("/tickets/" + ref)
	p.want(b.f.t, http.StatusOK)
	m := versionField.FindStringSubmatch(p.body)
	if m == nil {
		b.f.t.Fatalf("no version on the page of %s:\n%s", ref, p.body)
	}
	v := url.Values{"csrf": {p.csrf(b.f.t)}, "version": {html.UnescapeString(m[1])}}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Add(kv[i], kv[i+1])
	}
	return v
}

// Every action, from its form on the ticket's page: the ticket changes as
// the command line would change it, the audit trail names the signed-in
// agent, the requester's message is queued where the action sends one,
// and the answer is a redirect back to the ticket that says what was done.
func TestActionsFromTheTicketPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f, b := actFixture(t, dialect)
		type step struct {
			action   string // the path after /tickets/REF/
			form     []string
			status   tickets.Status
			template string // the requester's message queued, if any
			check    func(t *testing.T, d *tickets.TicketDetail)
		}
		run := func(ref string, steps ...step) {
			t.Helper()
			for _, s := range steps {
				was := f.detail(ref)
				before, audited := len(was.Outbox), len(was.Audit)
				p := b.post("/tickets/"+ref+"/"+s.action, b.form(ref, s.form...))
				name := s.action[strings.LastIndex(s.action, "/")+1:]
				if p.StatusCode != http.StatusSeeOther || p.Header.Get("Location") != "/tickets/"+ref+"?done="+name {
					t.Fatalf("%s %s: %d to %q\n%s", ref, s.action, p.StatusCode, p.Header.Get("Location"), p.body)
				}
				f.clock.Advance(time.Minute)
				d := f.detail(ref)
				if d.Status != s.status {
					t.Errorf("%s after %s: %s, want %s", ref, name, d.Status, s.status)
				}
				if !slices.ContainsFunc(d.Audit[audited:], func(e tickets.AuditEntry) bool { return e.Actor == "ayu" && e.Action == name }) {
					t.Errorf("%s after %s: no audit entry of ayu's: %+v", ref, name, d.Audit[audited:])
				}
				queued := d.Outbox[before:]
				if s.template != "" && (len(queued) != 1 || queued[0].Template != s.template || queued[0].Status != tickets.OutboxPending) {
					t.Errorf("%s after %s: queued %+v, want one %s", ref, name, queued, s.template)
				}
				if s.template == "" && len(queued) != 0 {
					t.Errorf("%s after %s: queued %+v, want nothing", ref, name, queued)
				}
				if s.check != nil {
					s.check(t, d)
				}
				b.get(p.Header.Get("Location")).want(t, http.StatusOK, `class="flash"`)
			}
		}
		f.addAgent("budi", "budi's long password", "en")
		dollars := f.request("7301000000000000033", "@citra", "Citra", "en")
		run(dollars,
			step{action: "act/claim", status: tickets.StatusInReview, check: func(t *testing.T, d *tickets.TicketDetail) {
				if d.Assignee != "ayu" {
					t.Errorf("claimed by %q", d.Assignee)
				}
			}},
			step{action: "act/assign", form: []string{"assignee", "budi"}, status: tickets.StatusInReview, check: func(t *testing.T, d *tickets.TicketDetail) {
				if d.Assignee != "budi" {
					t.Errorf("assigned to %q", d.Assignee)
				}
			}},
			step{action: "act/note", form: []string{"text", "called the platform"}, status: tickets.StatusInReview},
			step{action: "act/reply", form: []string{"text", "We are on it."}, status: tickets.StatusInReview, template: tickets.TemplateReply},
			step{action: "edit", form: []string{"account", "@citra", "order", "7301000000000000033", "reason_category", "technical_error", "language", "id"},
				status: tickets.StatusInReview, check: func(t *testing.T, d *tickets.TicketDetail) {
					if d.Reason != tickets.ReasonTechnicalError || d.Language != "id" {
						t.Errorf("edited: reason %s, language %s", d.Reason, d.Language)
					}
				}},
			step{action: "act/ask", form: []string{"missing", "evidence", "missing", "account", "question", "Which video?"},
				status: tickets.StatusNeedsInfo, template: tickets.TemplateRequestInfo, check: func(t *testing.T, d *tickets.TicketDetail) {
					// The fields in the requester's language (Indonesian, since the edit), then the agent's words.
					body := d.Messages[len(d.Messages)-1].Body
					for _, want := range []string{"Mohon kirimkan kepada kami:", "- nama akun Anda (@username)", "- bukti berupa tangkapan layar", "Which video?"} {
						if !strings.Contains(body, want) {
							t.Errorf("the question has no %q:\n%s", want, body)
						}
					}
				}},
			step{action: "act/approve", form: []string{"amount", "100.50", "text", "half the reach"}, status: tickets.StatusApproved,
				template: tickets.TemplateApproved, check: func(t *testing.T, d *tickets.TicketDetail) {
					if d.ApprovedAmount == nil || *d.ApprovedAmount != 10050 {
						t.Errorf("approved %v, want 10050 cents", d.ApprovedAmount)
					}
				}},
			step{action: "act/resolve", form: []string{"text", "paid"}, status: tickets.StatusResolved},
			step{action: "act/reopen", status: tickets.StatusInReview},
			step{action: "act/close", form: []string{"text", "done"}, status: tickets.StatusClosed},
		)
		rupiah := f.request("7301000000000000044", "@dewi", "Dewi", "id")
		run(rupiah,
			step{action: "act/forward", status: tickets.StatusWaitingPlatform},
			step{action: "act/deny", form: []string{"reason", "The platform delivered every view."}, status: tickets.StatusDenied,
				template: tickets.TemplateDenied},
		)
	})
}

// A failed message of a ticket is sent again from its page: back in the
// queue, and the retry is in the audit trail under the signed-in agent.
func TestRetryFromTheTicketPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f, b := actFixture(t, dialect)
		ref := f.request("7301000000000000033", "@citra", "Citra", "en")
		id := f.failOutbox()
		page := b.get("/tickets/" + ref)
		page.want(t, http.StatusOK, `action="/tickets/`+ref+`/outbox/`+itoa(id)+`/retry"`, "550 no such user")
		p := b.post("/tickets/"+ref+"/outbox/"+itoa(id)+"/retry", b.form(ref))
		if p.StatusCode != http.StatusSeeOther || p.Header.Get("Location") != "/tickets/"+ref+"?done=retry" {
			t.Fatalf("retry: %d %q\n%s", p.StatusCode, p.Header.Get("Location"), p.body)
		}
		d := f.detail(ref)
		if d.Outbox[0].Status != tickets.OutboxPending {
			t.Errorf("after the retry: %+v", d.Outbox[0])
		}
		if last := d.Audit[len(d.Audit)-1]; last.Actor != "ayu" {
			t.Errorf("the retry's audit entry: %+v", last)
		}
		b.get(p.Header.Get("Location")).want(t, http.StatusOK, "The message is back in the queue.")
		// Again: it has not failed now; refused with words, nothing done.
		b.post("/tickets/"+ref+"/outbox/"+itoa(id)+"/retry", b.form(ref)).want(t, http.StatusConflict, `id="refused"`)
		// Another ticket's message is not found through this one.
		other := f.request("7301000000000000044", "@dewi", "Dewi", "id")
		b.post("/tickets/"+other+"/outbox/"+itoa(id)+"/retry", b.form(other)).want(t, http.StatusNotFound)
	})
}

// failOutbox fails every message queued (the first one's id returned).
func (f *fixture) failOutbox() int64 {
	f.t.Helper()
	items, err := f.svc.Delivery.ClaimOutbox(f.ctx, tickets.ChannelEmail, 100, time.Minute)
	if err != nil || len(items) == 0 {
		f.t.Fatalf("claim: %d %v", len(items), err)
	}
	for _, it := range items {
		if err := f.svc.Delivery.FinishOutbox(f.ctx, it, tickets.OutboxResult{Err: "550 no such user", Permanent: true}); err != nil {
			f.t.Fatal(err)
		}
	}
	f.clock.Advance(time.Minute)
	return items[0].ID
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// postRoutes are the console's form targets, read from its source: every
// "POST /…" pattern, so that a route added later is in the test below
// without anyone remembering to add it.
func postRoutes(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	re := regexp.MustCompile(`"POST (/[^"]*)"`)
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range re.FindAllStringSubmatch(string(src), -1) {
			out = append(out, m[1])
		}
	}
	for _, want := range []string{"/sign-in", "/sign-out", "/tickets/{ref}/act/{action}", "/tickets/{ref}/edit",
		"/tickets/{ref}/outbox/{id}/retry", "/failures/retry"} {
		if !slices.Contains(out, want) {
			t.Fatalf("the scan of the routes missed POST %s (found %v)", want, out)
		}
	}
	return out
}

// Every form's target refuses a request without the session's CSRF token,
// or with a wrong one: 403, and nothing changed (the ticket, its audit
// trail, the outbox).
func TestEveryPostRouteRefusesWithoutCSRF(t *testing.T) {
	f, b := actFixture(t, "sqlite")
	ref := f.request("7301000000000000033", "@citra", "Citra", "en")
	id := f.failOutbox()
	before := f.detail(ref)
	for _, route := range postRoutes(t) {
		paths := []string{route}
		if strings.Contains(route, "{action}") {
			paths = nil
			for _, a := range tickets.Actions {
				paths = append(paths, strings.ReplaceAll(route, "{action}", string(a)))
			}
		}
		for _, path := range paths {
			path = strings.NewReplacer("{ref}", ref, "{id}", itoa(id)).Replace(path)
			form := b.form(ref, "text", "x", "reason", "x", "assignee", "ayu", "amount", "1.00", "question", "x",
				"account", "@other", "id", itoa(id), "all", "1", "name", "ayu", "password", ayuPW)
			for _, csrf := range []string{"", "forged"} {
				form.Set("csrf", csrf)
				if csrf == "" {
					form.Del("csrf")
				}
				p := b.post(path, form)
				if path == "/sign-in" {
					// Its token is the sign-in page's own (double-submit).
					p.want(t, http.StatusForbidden)
					continue
				}
				p.want(t, http.StatusForbidden, "out of date")
			}
		}
	}
	after := f.detail(ref)
	if ticketVersionOf(after) != ticketVersionOf(before) || after.Outbox[0].Status != tickets.OutboxFailed || after.Assignee != "" {
		t.Fatalf("a refused form changed the ticket: %+v", after.Ticket)
	}
	b.get("/").want(t, http.StatusOK) // still signed in
}

func ticketVersionOf(d *tickets.TicketDetail) string {
	return d.UpdatedAt.String() + "/" + itoa(int64(len(d.Audit))) + "/" + itoa(int64(len(d.Messages))) + "/" + string(d.Status)
}

// A form sent from a page the ticket has changed since (another agent
// acted meanwhile) is refused: the answer says so and shows the ticket as
// it is now; nothing is overwritten.
func TestConflictShownNotOverwritten(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f, b := actFixture(t, dialect)
		ref := f.request("7301000000000000033", "@citra", "Citra", "en")
		for _, tt := range []struct {
			path string
			kv   []string
		}{
			{"act/approve", []string{"amount", "50.00"}},
			{"act/deny", []string{"reason", "no"}},
			{"act/claim", nil},
			{"edit", []string{"account", "@someone_else"}},
		} {
			stale := b.form(ref, tt.kv...)
			f.act(ref, "configured", tickets.ActionNote, "the platform called back at "+tt.path)
			before := f.detail(ref)
			p := b.post("/tickets/"+ref+"/"+tt.path, stale)
			p.want(t, http.StatusConflict, `id="changed-meanwhile"`, "Someone else changed this ticket",
				"the platform called back at "+tt.path)
			after := f.detail(ref)
			if ticketVersionOf(after) != ticketVersionOf(before) || after.Account != "@citra" || after.Assignee != "" {
				t.Fatalf("%s on a stale page changed the ticket: %+v", tt.path, after.Ticket)
			}
			// The page shows the current version: sent from it, it works.
			if m := versionField.FindStringSubmatch(p.body); m == nil || html.UnescapeString(m[1]) == stale.Get("version") {
				t.Fatalf("%s: the conflict's page carries the old version", tt.path)
			}
		}
		// Without a version (a form not from the page): refused the same way.
		form := b.form(ref)
		form.Del("version")
		b.post("/tickets/"+ref+"/act/claim", form).want(t, http.StatusConflict, `id="changed-meanwhile"`)
	})
}

// A problem with what the agent typed shows the form again: the catalog's
// words next to the field, what they typed kept, nothing done.
func TestValidationErrorShownAgain(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f, b := actFixture(t, dialect)
		ref := f.request("7301000000000000033", "@citra", "Citra", "en")
		before := f.detail(ref)
		p := b.post("/tickets/"+ref+"/act/approve", b.form(ref, "amount", "12.505", "text", "keep <this>"))
		p.want(t, http.StatusBadRequest, `id="amount-problem"`, `&#34;12.505&#34; has 3 decimals: USD amounts have at most 2 decimals`,
			`value="12.505"`, `aria-invalid="true"`, `value="keep &lt;this&gt;"`, `<details class="form" open>`)
		b.post("/tickets/"+ref+"/act/approve", b.form(ref, "amount", "1,000")).want(t, http.StatusBadRequest,
			`id="amount-problem"`, "is not an amount", `value="1,000"`)
		b.post("/tickets/"+ref+"/act/deny", b.form(ref, "reason", "  ")).want(t, http.StatusBadRequest, `id="deny-problem"`)
		b.post("/tickets/"+ref+"/act/reply", b.form(ref, "text", "")).want(t, http.StatusBadRequest, `id="reply-problem"`)
		b.post("/tickets/"+ref+"/act/ask", b.form(ref)).want(t, http.StatusBadRequest, `id="question-problem"`)
		b.post("/tickets/"+ref+"/act/assign", b.form(ref, "assignee", "nobody-we-know")).want(t, http.StatusBadRequest,
			`id="assignee-problem"`, `value="nobody-we-know"`)
		b.post("/tickets/"+ref+"/edit", b.form(ref, "order", "12ab")).want(t, http.StatusBadRequest, `value="12ab"`, `class="field-problem"`)
		b.post("/tickets/"+ref+"/edit", b.form(ref)).want(t, http.StatusBadRequest, `class="field-problem"`)
		b.post("/tickets/"+ref+"/edit", b.form(ref, "reason_category", "boredom", "order", "12ab")).want(t, http.StatusBadRequest,
			`<option value="under_delivery">`, `id="edit-reason-problem"`, `value="12ab"`)
		// More than the order has left: the domain's check, in words.
		b.post("/tickets/"+ref+"/act/approve", b.form(ref, "amount", "500.00")).want(t, http.StatusBadRequest, `id="amount-problem"`, "500.00")
		// The state machine's refusal: about the whole form.
		b.post("/tickets/"+ref+"/act/reopen", b.form(ref)).want(t, http.StatusConflict, `id="refused"`)
		if after := f.detail(ref); ticketVersionOf(after) != ticketVersionOf(before) {
			t.Fatalf("a refused form changed the ticket: %+v", after.Ticket)
		}
		b.post("/tickets/"+ref+"/act/nonsense", b.form(ref)).want(t, http.StatusBadRequest, "nonsense")
	})
}

var actionForms = regexp.MustCompile(`action="/tickets/RD-\d+/(act/[a-z]+|edit)"`)

// formsOn lists the actions a ticket's page offers.
func formsOn(p *page) []string {
	var out []string
	for _, m := range actionForms.FindAllStringSubmatch(p.body, -1) {
		out = append(out, strings.TrimPrefix(m[1], "act/"))
	}
	slices.Sort(out)
	return out
}

// The page offers the actions the ticket's status allows, and only those.
func TestButtonsFollowTheStatus(t *testing.T) {
	f, b := actFixture(t, "sqlite")
	ref := f.request("7301000000000000033", "@citra", "Citra", "en")
	want := func(want ...string) {
		t.Helper()
		slices.Sort(want)
		if got := formsOn(b.get("/tickets/" + ref)); !slices.Equal(got, want) {
			t.Errorf("%s is %s: forms %v, want %v", ref, f.detail(ref).Status, got, want)
		}
	}
	want("approve", "ask", "assign", "claim", "close", "deny", "edit", "forward", "note", "reply")
	f.act(ref, "ayu", tickets.ActionClaim, "")
	want("approve", "ask", "assign", "close", "deny", "edit", "forward", "note", "reply") // claimed: no claim
	f.act(ref, "ayu", tickets.ActionApprove, "")
	want("assign", "close", "edit", "note", "reply", "resolve")
	f.act(ref, "ayu", tickets.ActionResolve, "")
	want("close", "edit", "note", "reopen", "reply")
	f.act(ref, "ayu", tickets.ActionClose, "")
	want("note", "reopen")
}

// The approval's form is filled with the verdict's refund in the order's
// major units, ask's with the fields the verdict misses, and a canned
// answer fills the reply in the requester's language.
func TestFormsPrefilled(t *testing.T) {
	f, b := actFixture(t, "sqlite")
	ref := f.request("7301000000000000033", "@citra", "Citra", "en")
	d := f.detail(ref)
	if d.Eligibility.RefundAmount <= 0 {
		t.Fatalf("the verdict computes no refund: %+v", d.Eligibility)
	}
	p := b.get("/tickets/" + ref)
	p.want(t, http.StatusOK, `name="amount" inputmode="decimal" value="`+tickets.FormatAmount(d.Eligibility.RefundAmount, "USD")+`"`, "(USD)")
	// A request without its account or reason: those are checked.
	res, err := f.svc.Intake.Submit(f.ctx, tickets.SubmitRequest{Kind: tickets.KindRefund, Channel: tickets.ChannelEmail,
		Requester: tickets.Requester{Email: "rani@example.com", Name: "Rani"}, Order: "7301000000000000044",
		Details: "Tolong kembalikan uang saya.", Language: "id"})
	if err != nil {
		t.Fatal(err)
	}
	rani := res.Ticket.Ref
	p = b.get("/tickets/" + rani)
	for _, code := range []string{"account", "reason"} {
		p.want(t, http.StatusOK, `name="missing" value="`+code+`" checked`)
	}
	if strings.Contains(p.body, `value="order" checked`) {
		t.Error("the order is given, yet checked")
	}
	// The canned answers, in Indonesian for an Indonesian requester.
	c := b.get("/tickets/" + rani + "?reply=screenshot")
	c.want(t, http.StatusOK, "kami memerlukan tangkapan layar (screenshot)", `<details class="form" id="reply" open>`)
	b.get("/tickets/"+ref+"?reply=acknowledgement").want(t, http.StatusOK, "Thank you for your message. We have your request ("+ref+")")
	// Sent as edited.
	b.post("/tickets/"+rani+"/act/reply", b.form(rani, "text", "Terima kasih, Rani.")).want(t, http.StatusSeeOther)
	if d := f.detail(rani); d.Messages[len(d.Messages)-1].Body != "Terima kasih, Rani." {
		t.Errorf("the reply sent: %q", d.Messages[len(d.Messages)-1].Body)
	}
}

// An order's record and its tickets, looked up by its number.
func TestRecordsPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f, b := actFixture(t, dialect)
		ref := f.request("7301000000000000033", "@citra", "Citra", "en")
		b.get("/records").want(t, http.StatusOK, `<input id="order" name="order" value=""`, `aria-current="page"`)
		p := b.get("/records?order=7301000000000000033")
		p.want(t, http.StatusOK, "@citra", "7300000000000000003", "USD 146.70", `href="/tickets/`+ref+`"`, "Citra")
		b.get("/records?order=7301000000000000099").want(t, http.StatusNotFound, "There is no record of order 7301000000000000099.")
		b.get("/records?order=12ab").want(t, http.StatusBadRequest, `class="problem"`, `value="12ab"`)
	})
}

// The failure lists: mail set aside and failed messages; each message sent
// again on its own or all at once, audited under the signed-in agent.
func TestFailuresPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f, b := actFixture(t, dialect)
		one := f.request("7301000000000000033", "@citra", "Citra", "en")
		two := f.request("7301000000000000044", "@dewi", "Dewi", "id")
		f.failOutbox()
		if err := f.svc.Intake.RecordFailure(f.ctx, tickets.InboundFailure{Channel: tickets.ChannelEmail, Key: "k1",
			Source: "imap INBOX", Sender: "odd@example.com", Subject: "refund???", Size: 2048, Reason: "no text part",
			SetAside: "refunddesk-failed"}); err != nil {
			t.Fatal(err)
		}
		p := b.get("/failures")
		p.want(t, http.StatusOK, "odd@example.com", "refund???", "no text part", "refunddesk-failed", "550 no such user",
			`href="/tickets/`+one+`"`, `href="/tickets/`+two+`"`, `action="/failures/retry"`)
		first := f.detail(one).Outbox[0].ID
		token := p.csrf(t)
		r := b.post("/failures/retry", url.Values{"csrf": {token}, "id": {itoa(first)}})
		if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/failures?requeued=1" {
			t.Fatalf("retry one: %d %q\n%s", r.StatusCode, r.Header.Get("Location"), r.body)
		}
		b.get(r.Header.Get("Location")).want(t, http.StatusOK, "Messages put back in the queue: 1.")
		if d := f.detail(one); d.Outbox[0].Status != tickets.OutboxPending || d.Audit[len(d.Audit)-1].Actor != "ayu" {
			t.Errorf("after retrying one: %+v, %+v", d.Outbox[0], d.Audit[len(d.Audit)-1])
		}
		if d := f.detail(two); d.Outbox[0].Status != tickets.OutboxFailed {
			t.Errorf("the other one moved: %+v", d.Outbox[0])
		}
		r = b.post("/failures/retry", url.Values{"csrf": {token}, "all": {"1"}})
		if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/failures?requeued=1" {
			t.Fatalf("retry all: %d %q\n%s", r.StatusCode, r.Header.Get("Location"), r.body)
		}
		if d := f.detail(two); d.Outbox[0].Status != tickets.OutboxPending || d.Audit[len(d.Audit)-1].Actor != "ayu" {
			t.Errorf("after retrying all: %+v", d.Outbox[0])
		}
		b.get("/failures").want(t, http.StatusOK, "No outgoing message failed.")
		// One that has not failed: refused in words, on the page.
		b.post("/failures/retry", url.Values{"csrf": {token}, "id": {itoa(first)}}).want(t, http.StatusConflict, `class="problem"`)
		b.post("/failures/retry", url.Values{"csrf": {token}, "id": {"999999"}}).want(t, http.StatusNotFound)
	})
}

// What requesters and mail senders wrote is shown escaped on the pages of
// this part of the console: the actions (a canned answer quoting nothing
// of theirs, a refused form keeping the agent's input), the records, the
// failure lists.
func TestHostileTextEscapedOnActionPages(t *testing.T) {
	f, b := actFixture(t, "sqlite")
	res, err := f.svc.Intake.Submit(f.ctx, tickets.SubmitRequest{Kind: tickets.KindRefund, Channel: tickets.ChannelEmail,
		Requester: tickets.Requester{Email: "req@example.com", Name: hostile}, Account: "@citra", Order: "7301000000000000033",
		Reason: tickets.ReasonUnderDelivery, Details: hostile, Language: "en"})
	if err != nil {
		t.Fatal(err)
	}
	ref := res.Ticket.Ref
	f.failOutbox()
	if err := f.svc.Intake.RecordFailure(f.ctx, tickets.InboundFailure{Channel: tickets.ChannelEmail, Key: "k1",
		Source: hostile, Sender: hostile, Subject: hostile, Reason: hostile, SetAside: hostile}); err != nil {
		t.Fatal(err)
	}
	pages := []*page{
		b.get("/tickets/" + ref + "?reply=denied"),
		b.post("/tickets/"+ref+"/act/note", b.form(ref, "text", "")),
		b.post("/tickets/"+ref+"/act/approve", b.form(ref, "amount", hostile)),
		b.get("/records?order=7301000000000000033"),
		b.get("/records?order=" + url.QueryEscape(hostile)),
		b.get("/failures"),
	}
	for _, p := range pages {
		if !strings.Contains(p.body, "&lt;script&gt;") {
			t.Errorf("%s %s does not show the hostile text:\n%s", p.Request.Method, p.Request.URL, p.body)
		}
		for _, raw := range []string{"<script>", "<img src=x"} {
			if strings.Contains(p.body, raw) {
				t.Errorf("%s %s shows %q unescaped", p.Request.Method, p.Request.URL, raw)
			}
		}
	}
}

var messageID = regexp.MustCompile(`\b(?:console|web)\.[a-z_]+(?:\.[a-z_]+)*`)

// The words of these pages come from the catalog in the agent's language:
// an Indonesian agent sees no message id and no English of ours.
func TestActionPagesInIndonesian(t *testing.T) {
	f, _ := actFixture(t, "sqlite")
	f.addAgent("sari", "kata sandi yang panjang", "id")
	b := f.browser()
	b.mustSignIn("sari", "kata sandi yang panjang")
	ref := f.request("7301000000000000033", "@citra", "Citra", "en")
	f.failOutbox()
	done := b.post("/tickets/"+ref+"/act/claim", b.form(ref))
	for _, p := range []*page{b.get(done.Header.Get("Location")), b.get("/records?order=7301000000000000033"), b.get("/failures"),
		b.post("/tickets/"+ref+"/act/approve", b.form(ref, "amount", "x"))} {
		for _, id := range messageID.FindAllString(p.body, -1) {
			if id != "console.css" && id != "console.js" {
				t.Errorf("%s %s has the message id %q", p.Request.Method, p.Request.URL, id)
			}
		}
		for _, english := range []string{">Approve<", ">Records<", ">Failures<", ">Send again<", "Nothing was done"} {
			if strings.Contains(p.body, english) {
				t.Errorf("%s %s has %q", p.Request.Method, p.Request.URL, english)
			}
		}
	}
	b.get(done.Header.Get("Location")).want(t, http.StatusOK, "Tiket ini sekarang milik Anda.", "Setujui", "Kirim lagi")
}
