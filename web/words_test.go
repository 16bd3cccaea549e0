package web_test

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"testing"

	"refunddesk/templates"
	"refunddesk/tickets"
)

// Every message the pages name is in every language of the catalog: the
// literal ids of the templates ({{.T "web.x"}}) and the names written from
// the domain's lists ({{$.Name "status" .Status}}).
func TestPagesWordsExist(t *testing.T) {
	cat, err := templates.NewCatalog(nil)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{} // id → where
	files, err := filepath.Glob(filepath.Join("ui", "*.html"))
	if err != nil || len(files) < 4 {
		t.Fatalf("pages: %v %v", files, err)
	}
	literal := regexp.MustCompile(`\.T "([a-z0-9_.-]+)"`)
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range literal.FindAllStringSubmatch(string(b), -1) {
			want[m[1]] = f
		}
	}
	for _, s := range tickets.Statuses {
		want["web.status."+string(s)] = "tickets.Statuses"
	}
	for _, k := range tickets.Kinds {
		want["web.kind."+string(k)] = "tickets.Kinds"
	}
	for _, r := range tickets.Reasons {
		want["web.reason."+string(r)] = "tickets.Reasons"
	}
	for _, v := range tickets.Verdicts {
		want["web.verdict."+string(v)] = "tickets.Verdicts"
	}
	for _, fl := range tickets.Flags {
		want["web.flag."+fl] = "tickets.Flags"
	}
	for _, k := range []tickets.MessageKind{tickets.MessageIn, tickets.MessageOut, tickets.MessageNote} {
		want["web.message."+string(k)] = "message kinds"
	}
	for _, c := range tickets.Channels {
		want["web.channel."+string(c)] = "tickets.Channels"
	}
	for _, l := range templates.Languages() {
		want["web.language."+l] = "templates.Languages"
	}
	for _, tpl := range append(templates.Names(), tickets.TemplateCard, tickets.TemplateAlert) {
		want["web.template."+tpl] = "templates.Names"
	}
	for _, st := range []string{tickets.OutboxPending, tickets.OutboxSending, tickets.OutboxSent, tickets.OutboxFailed} {
		want["web.outbox_status."+st] = "outbox statuses"
	}
	for _, st := range tickets.PromotionStatuses {
		want["web.promotion_status."+string(st)] = "tickets.PromotionStatuses"
	}
	for _, o := range tickets.Objectives {
		want["web.objective."+o] = "tickets.Objectives"
	}
	for _, pm := range tickets.PaymentMethods {
		want["web.payment."+pm] = "tickets.PaymentMethods"
	}
	for _, k := range []string{"newest", "oldest", "recently_updated", "least_recently_updated"} {
		want["web.sort."+k] = "sortKeys"
	}
	for _, k := range []string{"mine", "unassigned", "overdue", "review", "platform", "all"} {
		want["web.view."+k] = "savedViews"
	}
	for _, lang := range cat.Languages() {
		have := cat.IDs(lang)
		for id, where := range want {
			if !slices.Contains(have, id) {
				t.Errorf("%s: no message %q (named by %s)", lang, id, where)
			}
		}
	}
}
