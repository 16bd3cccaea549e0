package web_test

import (
	"context"
	"go/ast"
	"go/parser"
	"go/token"
	"html"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"refunddesk/internal/storetest"
	"refunddesk/mail"
	"refunddesk/templates"
	"refunddesk/tickets"
)

// codePrefixes are the names of the tickets package's constants whose
// values the console shows by their names: channels, languages, statuses,
// messages of the outbox and their statuses, follow-ups (kinds, states and
// why cancelled), promotion statuses, reasons, kinds, verdicts, flags,
// rules, the desk as an actor.
var codePrefixes = []string{"Channel", "Lang", "Status", "Template", "Outbox", "Followup", "Promo", "Reason", "Kind",
	"Verdict", "Flag", "Rule", "Actor"}

// shownCodes are the codes no page may show raw: every string constant of
// the tickets package named with one of codePrefixes, read from its
// source (so that a code added later is checked without anyone adding
// it here), its lists of objectives and payment methods, and the reason
// code of a mail set aside by the mail channel.
func shownCodes(t *testing.T) []string {
	t.Helper()
	fset := token.NewFileSet()
	pkgs, err := parser.ParseDir(fset, "../tickets", func(fi os.FileInfo) bool { return !strings.HasSuffix(fi.Name(), "_test.go") }, 0)
	if err != nil || pkgs["tickets"] == nil {
		t.Fatalf("read the tickets package: %v", err)
	}
	codes := map[string]bool{}
	for _, f := range pkgs["tickets"].Files {
		for _, d := range f.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok != token.CONST {
				continue
			}
			for _, spec := range g.Specs {
				vs := spec.(*ast.ValueSpec)
				for i, n := range vs.Names {
					lit, ok := valueAt(vs, i).(*ast.BasicLit)
					if !ok || lit.Kind != token.STRING || !slices.ContainsFunc(codePrefixes, func(p string) bool { return strings.HasPrefix(n.Name, p) }) {
						continue
					}
					v, err := strconv.Unquote(lit.Value)
					if err != nil {
						t.Fatal(err)
					}
					codes[v] = true
				}
			}
		}
	}
	for _, v := range append(append(slices.Clone(tickets.Objectives), tickets.PaymentMethods...), mail.ReasonRateLimited) {
		codes[v] = true
	}
	for _, must := range []string{"email", "acknowledgement", "pending", "completed", "remind_again", "order_given", "en"} {
		if !codes[must] {
			t.Fatalf("the codes read from the tickets package lack %q: %v", must, codes)
		}
	}
	out := make([]string, 0, len(codes))
	for c := range codes {
		out = append(out, c)
	}
	slices.Sort(out)
	return out
}

func valueAt(vs *ast.ValueSpec, i int) ast.Expr {
	if i < len(vs.Values) {
		return vs.Values[i]
	}
	return nil
}

var (
	// What agents and requesters wrote (<pre class="text">) is theirs, and
	// a rule's code is shown on purpose, small, after its words.
	theirWords = regexp.MustCompile(`(?s)<pre class="text">.*?</pre>|<code class="rule">[a-z_]+</code>`)
	tag        = regexp.MustCompile(`(?s)<[^>]*>`)
)

// visibleText is what a page shows: no tags, no attributes, entities
// decoded, without the words others wrote.
func visibleText(body string) string {
	return html.UnescapeString(tag.ReplaceAllString(theirWords.ReplaceAllString(body, " "), " "))
}

// rawCodes are the codes text shows as whole words (letters, digits, _ and
// the - @ / of names, addresses and types around them are part of a word:
// a folder refunddesk-failed is not the status failed), except those the
// language names by the code itself (allowed).
func rawCodes(text string, codes []string, allowed map[string]bool) []string {
	var raw []string
	word := func(b byte) bool {
		return strings.IndexByte("_-@/", b) >= 0 || b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z'
	}
	for _, c := range codes {
		if allowed[c] {
			continue
		}
		for i := 0; ; {
			j := strings.Index(text[i:], c)
			if j < 0 {
				break
			}
			at := i + j
			end := at + len(c)
			if (at == 0 || !word(text[at-1])) && (end == len(text) || !word(text[end])) {
				lo, hi := max(0, at-40), min(len(text), end+40)
				raw = append(raw, c+" in …"+strings.Join(strings.Fields(text[lo:hi]), " ")+"…")
				break
			}
			i = end
		}
	}
	return raw
}

// nameMessages are the prefixes of the names the pages write codes with.
var nameMessages = []string{"web.", "audit.name.", "audit.channel.", "audit.action.", "audit.followup_kind.", "audit.followup_status."}

// namedBySelf are the codes a language's catalog names by the code itself
// (a name ….<code> whose words hold the code as a word): Indonesian says
// "email"; English audit sentences say verdicts and rules as agents type
// them in queries (audit.name.*).
func namedBySelf(t *testing.T, cat *templates.Catalog, lang string, codes []string) map[string]bool {
	t.Helper()
	self := map[string]bool{}
	for _, id := range cat.IDs(lang) {
		dot := strings.LastIndexByte(id, '.')
		c := id[dot+1:]
		if !slices.Contains(codes, c) || !slices.ContainsFunc(nameMessages, func(p string) bool { return strings.HasPrefix(id, p) }) {
			continue
		}
		if len(rawCodes(" "+cat.Text(lang, id)+" ", []string{c}, nil)) > 0 {
			self[c] = true
		}
	}
	return self
}

// codesFixture is a ticket with everything the pages name: evidence, a
// promotion record, messages of several templates in every outbox status
// (sent, sending, pending; another ticket's failed), follow-ups, and an
// audit trail of varied entries (a message that failed and was sent again,
// claimed, a note, asked, fields corrected); mail set aside for a code and
// for words.
func codesFixture(t *testing.T, f *fixture) (one, two string) {
	t.Helper()
	ctx := context.Background()
	one = f.request("7301000000000000033", "@citra", "Citra", "en")
	first := f.failOutbox()
	if _, err := f.svc.Delivery.RetryOutbox(ctx, "configured", tickets.OutboxRetry{IDs: []int64{first}}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Delivery.DeliverOutbox(ctx, tickets.ChannelEmail, 10, time.Minute,
		func(context.Context, tickets.OutboxItem) tickets.OutboxResult {
			return tickets.OutboxResult{Sent: true}
		}); err != nil {
		t.Fatal(err)
	}
	two = f.request("7301000000000000044", "@dewi", "Dewi", "id")
	f.failOutbox()
	f.act(one, "configured", tickets.ActionClaim, "")
	f.act(one, "configured", tickets.ActionNote, "Dicek di catatan.")
	f.act(one, "configured", tickets.ActionAsk, "Mohon kirim tangkapan layar.")
	if items, err := f.svc.Delivery.ClaimOutbox(ctx, tickets.ChannelEmail, 10, time.Hour); err != nil || len(items) == 0 {
		t.Fatalf("claim: %d %v", len(items), err)
	}
	f.act(one, "configured", tickets.ActionReply, "Kami sedang memeriksanya.")
	lang, reason := "id", string(tickets.ReasonTechnicalError)
	if _, err := f.svc.Desk.Edit(ctx, one, "configured", tickets.Fields{Language: &lang, Reason: &reason}); err != nil {
		t.Fatal(err)
	}
	for _, why := range []string{mail.ReasonRateLimited + ": the sender opened 5 new tickets in the last hour (mail.new_tickets_per_hour); no ticket was opened, and the sender was told once",
		"550 mailbox full"} {
		if err := f.svc.Intake.RecordFailure(ctx, tickets.InboundFailure{Channel: tickets.ChannelEmail, Key: why, Source: "imap INBOX",
			Sender: "x@example.com", Subject: "Halo", Size: 100, Reason: why, SetAside: "refunddesk-failed"}); err != nil {
			t.Fatal(err)
		}
	}
	d := f.detail(one)
	statuses := map[string]bool{}
	for _, it := range d.Outbox {
		statuses[it.Status] = true
	}
	if !statuses[tickets.OutboxSent] || !statuses[tickets.OutboxSending] || !statuses[tickets.OutboxPending] ||
		len(d.Followups) == 0 || d.Promotion == nil || len(d.Evidence) == 0 {
		t.Fatalf("the fixture lacks something: outbox %v, %d follow-ups, record %v, %d files", statuses, len(d.Followups),
			d.Promotion != nil, len(d.Evidence))
	}
	return one, two
}

// No page of the console shows a code raw: the ticket page (its fields,
// verdict, record, evidence, conversation, outbox, follow-ups and audit
// trail), the queue, the records, the failures and the dashboard name
// every channel, language, status, message, outbox status, follow-up,
// promotion status, reason, kind, verdict and flag in the agent's words.
// In Indonesian no code is left but those Indonesian names by the code
// itself ("email"); in English no compound code (needs_info,
// auto_closed), outside the audit sentences, which name verdicts and rules
// by their codes on purpose; and the English names are there.
func TestNoRawCodesOnPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f, en := actFixture(t, dialect)
		f.addAgent("sari", ayuPW, "id")
		id := f.browser()
		id.mustSignIn("sari", ayuPW)
		one, two := codesFixture(t, f)
		cat := f.cat(t)
		codes := shownCodes(t)
		paths := []string{"/tickets/" + one, "/tickets/" + two, "/", "/?q=status%3Aneeds_info", "/records?order=7301000000000000033",
			"/failures", "/dashboard?from=2026-11-15&to=2026-11-30"}
		idSelf := namedBySelf(t, cat, "id", codes)
		var compound []string
		for _, c := range codes {
			if strings.Contains(c, "_") || len(c) == 2 {
				compound = append(compound, c)
			}
		}
		enSelf := namedBySelf(t, cat, "en", compound)
		for _, path := range paths {
			p := id.get(path)
			p.want(t, http.StatusOK)
			for _, raw := range rawCodes(visibleText(p.body), codes, idSelf) {
				t.Errorf("id %s shows the code %s", path, raw)
			}
			p = en.get(path)
			p.want(t, http.StatusOK)
			outside := auditSection.ReplaceAllString(p.body, "")
			for _, raw := range rawCodes(visibleText(outside), compound, nil) {
				t.Errorf("en %s shows the code %s", path, raw)
			}
			for _, raw := range rawCodes(visibleText(auditSection.FindString(p.body)), compound, enSelf) {
				t.Errorf("en %s shows the code %s in its audit trail", path, raw)
			}
		}
		// The names are there, in each language.
		for lang, b := range map[string]*browser{"id": id, "en": en} {
			name := func(what, code string) string { return html.EscapeString(cat.Text(lang, "web."+what+"."+code)) }
			b.get("/tickets/"+one).want(t, http.StatusOK, name("channel", "email"), name("language", "id"),
				name("promotion_status", "completed"), name("template", tickets.TemplateAcknowledgement),
				name("template", tickets.TemplateRequestInfo), name("template", tickets.TemplateReply),
				name("outbox_status", tickets.OutboxSent), name("outbox_status", tickets.OutboxSending),
				name("outbox_status", tickets.OutboxPending), name("actor", tickets.ActorSystem),
				`<code class="rule">`+tickets.RuleOrderGiven+`</code>`)
			b.get("/records?order=7301000000000000033").want(t, http.StatusOK, name("objective", "views"),
				name("payment", "card"), name("promotion_status", "completed"))
			b.get("/failures").want(t, http.StatusOK, name("template", tickets.TemplateAcknowledgement),
				name("set_aside", mail.ReasonRateLimited), "550 mailbox full")
		}
	})
}
