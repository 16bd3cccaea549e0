package web_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"refunddesk/internal/storetest"
	"refunddesk/tickets"
	"refunddesk/web"
)

const hostile = `<script>alert("x")</script><img src=x onerror=alert(1)>`

// What requesters write (their name, their words, a file's name) is shown
// escaped on the queue and the ticket page, never as markup.
func TestRequesterTextEscaped(t *testing.T) {
	f := newFixture(t, "sqlite", web.Options{})
	f.addAgent("ayu", "correct horse battery", "en")
	ref := f.submit("7301000000000000011", hostile, "Refund please "+hostile,
		tickets.File{Name: `"><script>alert(2)</script>.png`, Data: screenshot(t)})
	b := f.browser()
	b.mustSignIn("ayu", "correct horse battery")
	for _, p := range []*page{b.get("/"), b.get("/tickets/" + ref)} {
		p.want(t, http.StatusOK, ref, "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;")
		for _, raw := range []string{"<script>", "<img src=x"} {
			if strings.Contains(p.body, raw) {
				t.Errorf("%s shows %q unescaped", p.Request.URL.Path, raw)
			}
		}
	}
}

// The ticket page shows its fields, the verdict's rules in words, the
// evidence (an image as a thumbnail linking to the full size, another file
// as a download), the conversation and the audit trail.
func TestTicketPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newFixture(t, dialect, web.Options{})
		f.addAgent("ayu", "correct horse battery", "en")
		ref := f.submit("7301000000000000011", "Ani", "The promotion never ran.",
			tickets.File{Name: "shot.png", Data: screenshot(t)}, tickets.File{Name: "receipt.pdf", Data: []byte("%PDF-1.4\n%…\n")})
		if _, err := f.svc.Desk.Act(f.ctx, tickets.ActionRequest{Ref: ref, Actor: "ayu", Action: tickets.ActionNote, Text: "checking the record"}); err != nil {
			t.Fatal(err)
		}
		b := f.browser()
		b.mustSignIn("ayu", "correct horse battery")
		p := b.get("/tickets/" + ref)
		d, err := f.svc.Records.Detail(f.ctx, ref)
		if err != nil {
			t.Fatal(err)
		}
		var png, pdf tickets.Evidence
		for _, e := range d.Evidence {
			if e.Name == "shot.png" {
				png = e
			} else {
				pdf = e
			}
		}
		img := "/tickets/" + ref + "/evidence/" + png.SHA256
		p.want(t, http.StatusOK, "The promotion never ran.", "checking the record", "7301000000000000011",
			`<a href="`+img+`"><img class="thumb" src="`+img+`" alt="shot.png"></a>`,
			`href="/tickets/`+ref+`/evidence/`+pdf.SHA256+`?download=1" download>receipt.pdf</a>`)
		if strings.Contains(p.body, `src="/tickets/`+ref+`/evidence/`+pdf.SHA256) {
			t.Error("the PDF is shown as an image")
		}
		// Each rule of the verdict in words, from the catalog, its code
		// after them as a small label.
		rules := regexp.MustCompile(`<li class="outcome-[a-z_]+">([^<]+) <code class="rule">[a-z_]+</code></li>`).FindAllStringSubmatch(p.body, -1)
		if len(rules) == 0 || len(rules) != len(d.Eligibility.Rules) {
			t.Fatalf("%d rules shown, the verdict has %d:\n%s", len(rules), len(d.Eligibility.Rules), p.body)
		}
		for _, r := range rules {
			if strings.TrimSpace(r[1]) == "" || strings.Contains(r[1], "rule.") {
				t.Errorf("a rule without words: %q", r[1])
			}
		}
		b.get("/tickets/RD-999").want(t, http.StatusNotFound, "no such page or ticket")
		b.get("/tickets/nonsense").want(t, http.StatusBadRequest)
	})
}

// Evidence is served with the type its bytes have: an image inline, any
// other file as an attachment, always with nosniff and a CSP that runs
// nothing; a file of another ticket is not found.
func TestEvidenceHeaders(t *testing.T) {
	f := newFixture(t, "sqlite", web.Options{})
	f.addAgent("ayu", "correct horse battery", "en")
	shot := screenshot(t)
	ref := f.submit("7301000000000000011", "Ani", "see files", tickets.File{Name: "shot.png", Data: shot},
		tickets.File{Name: "receipt.pdf", Data: []byte("%PDF-1.4\n%…\n")}, tickets.File{Name: "notes.txt", Data: []byte("plain words")})
	other := f.submit("7301000000000000022", "Budi", "nothing attached")
	d, _ := f.svc.Records.Detail(f.ctx, ref)
	b := f.browser()
	b.mustSignIn("ayu", "correct horse battery")
	for _, e := range d.Evidence {
		p := b.get("/tickets/" + ref + "/evidence/" + e.SHA256)
		h := p.Header
		if p.StatusCode != http.StatusOK || h.Get("X-Content-Type-Options") != "nosniff" ||
			!strings.Contains(h.Get("Content-Security-Policy"), "sandbox") || !strings.Contains(h.Get("Content-Security-Policy"), "default-src 'none'") {
			t.Fatalf("%s: %d %v", e.Name, p.StatusCode, h)
		}
		switch e.Name {
		case "shot.png":
			if h.Get("Content-Type") != "image/png" || !strings.HasPrefix(h.Get("Content-Disposition"), "inline") || p.body != string(shot) {
				t.Errorf("the image: %q %q", h.Get("Content-Type"), h.Get("Content-Disposition"))
			}
			dl := b.get("/tickets/" + ref + "/evidence/" + e.SHA256 + "?download=1")
			if !strings.HasPrefix(dl.Header.Get("Content-Disposition"), "attachment") {
				t.Errorf("the image to download: %q", dl.Header.Get("Content-Disposition"))
			}
		case "receipt.pdf":
			if h.Get("Content-Type") != "application/pdf" || h.Get("Content-Disposition") != `attachment; filename=receipt.pdf` {
				t.Errorf("the PDF: %q %q", h.Get("Content-Type"), h.Get("Content-Disposition"))
			}
		case "notes.txt":
			if h.Get("Content-Type") != "application/octet-stream" || !strings.HasPrefix(h.Get("Content-Disposition"), "attachment") {
				t.Errorf("the text: %q %q", h.Get("Content-Type"), h.Get("Content-Disposition"))
			}
		}
		// Not through another ticket's address, nor by a prefix or name.
		b.get("/tickets/"+other+"/evidence/"+e.SHA256).want(t, http.StatusNotFound)
		b.get("/tickets/"+ref+"/evidence/"+e.SHA256[:10]).want(t, http.StatusNotFound)
		b.get("/tickets/"+ref+"/evidence/"+url.PathEscape(e.Name)).want(t, http.StatusNotFound)
	}
}

// The queue finds tickets by the query language, offers the saved views
// (each a query the parser takes), pages with a cursor, and shows a bad
// query's error in words with the term at fault marked.
func TestQueue(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newFixture(t, dialect, web.Options{})
		f.addAgent("ayu", "correct horse battery", "en")
		var refs []string
		for i, order := range []string{"7301000000000000011", "7301000000000000022", "7301000000000000033"} {
			refs = append(refs, f.submit(order, []string{"Ani", "Budi", "Citra"}[i], "refund"))
		}
		if _, err := f.svc.Desk.Act(f.ctx, tickets.ActionRequest{Ref: refs[1], Actor: "ayu", Action: tickets.ActionClaim}); err != nil {
			t.Fatal(err)
		}
		b := f.browser()
		b.mustSignIn("ayu", "correct horse battery")
		all := b.get("/")
		all.want(t, http.StatusOK, refs[0], refs[1], refs[2], "3 on this page")
		// The desk's counts: the statuses it has, each linked to its query.
		counts := regexp.MustCompile(`<li><a href="/\?q=status%3A([a-z_]+)">[^<]+<b>(\d+)</b>`).FindAllStringSubmatch(all.body, -1)
		if len(counts) != 1 || counts[0][1] != "needs_info" || counts[0][2] != "3" {
			t.Errorf("counts: %q", counts)
		}
		mine := b.get("/?" + url.Values{"q": {"assignee:me -status:resolved,closed"}}.Encode())
		mine.want(t, http.StatusOK, refs[1], `aria-current="page"`)
		if strings.Contains(mine.body, ">"+refs[0]+"<") {
			t.Errorf("mine shows %s", refs[0])
		}
		for _, view := range regexp.MustCompile(`<a href="(/\?q=[^"]*)"[^>]*title=`).FindAllStringSubmatch(all.body, -1) {
			link := strings.ReplaceAll(view[1], "&amp;", "&")
			b.get(link).want(t, http.StatusOK)
			if p := b.get(link); strings.Contains(p.body, `class="problem"`) {
				t.Errorf("saved view %s: %s", link, p.body)
			}
		}
		// Two a page, oldest first: the next page has the third.
		first := b.get("/?sort=created&limit=2")
		first.want(t, http.StatusOK, refs[0], refs[1], `rel="next"`)
		next := regexp.MustCompile(`href="([^"]+)" rel="next"`).FindStringSubmatch(first.body)[1]
		second := b.get(strings.ReplaceAll(next, "&amp;", "&"))
		second.want(t, http.StatusOK, refs[2], "First page")
		if strings.Contains(second.body, ">"+refs[0]+"<") {
			t.Error("the second page repeats the first")
		}
		// A bad query: its words, the query kept, nothing listed.
		bad := b.get("/?" + url.Values{"q": {"status:new colour:blue"}}.Encode())
		bad.want(t, http.StatusOK, `class="problem"`, `value="status:new colour:blue"`, `<code>status:new <mark>colour:blue</mark></code>`)
		if strings.Contains(bad.body, `<table class="tickets">`) {
			t.Error("a bad query lists tickets")
		}
		b.get("/?sort=sideways").want(t, http.StatusOK, `class="problem"`)
	})
}

// The queue's script asks /queue/state whether its tickets changed: the
// version stays while nothing changes and moves when a ticket does.
func TestQueueState(t *testing.T) {
	f := newFixture(t, "sqlite", web.Options{})
	f.addAgent("ayu", "correct horse battery", "en")
	ref := f.submit("7301000000000000011", "Ani", "refund")
	b := f.browser()
	b.mustSignIn("ayu", "correct horse battery")
	page := b.get("/?q=ref%3A" + ref)
	m := regexp.MustCompile(`data-state="([^"]+)" data-version="([^"]+)"`).FindStringSubmatch(page.body)
	if m == nil {
		t.Fatalf("no state on the page:\n%s", page.body)
	}
	state := strings.ReplaceAll(m[1], "&amp;", "&")
	version := func() string {
		p := b.get(state)
		var v struct{ Version string }
		if err := json.Unmarshal([]byte(p.body), &v); err != nil || p.Header.Get("Content-Type") != "application/json; charset=utf-8" {
			t.Fatalf("state: %v %q", err, p.body)
		}
		return v.Version
	}
	if !strings.Contains(page.body, ">"+ref+"<") {
		t.Fatalf("the page does not list %s", ref)
	}
	if v := version(); v != m[2] {
		t.Fatalf("version %q, the page has %q", v, m[2])
	}
	f.clock.Advance(1e9)
	if _, err := f.svc.Desk.Act(f.ctx, tickets.ActionRequest{Ref: ref, Actor: "ayu", Action: tickets.ActionClaim}); err != nil {
		t.Fatal(err)
	}
	if v := version(); v == m[2] {
		t.Fatal("the version did not move when the ticket changed")
	}
}
