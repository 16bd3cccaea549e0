package web_test

import (
	"html"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"refunddesk/internal/storetest"
	"refunddesk/templates"
	"refunddesk/tickets"
)

var (
	auditSection    = regexp.MustCompile(`(?s)<section class="audit">.*?</section>`)
	followupSection = regexp.MustCompile(`(?s)<section class="followups">.*?</section>`)
)

// An Indonesian agent reads the ticket's audit trail, follow-ups and
// decision in Indonesian: each entry written from its code in their
// language, no English sentence and no message id left; an English agent
// reads the same in English.
func TestAuditTrailInAgentsLanguage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f, en := actFixture(t, dialect)
		f.addAgent("sari", ayuPW, "id")
		id := f.browser()
		id.mustSignIn("sari", ayuPW)
		ref := f.request("7301000000000000033", "@citra", "Citra", "en")
		f.act(ref, "configured", tickets.ActionClaim, "")
		f.act(ref, "configured", tickets.ActionNote, "checked the record")
		f.act(ref, "configured", tickets.ActionAsk, "Which wallet?")
		d := f.detail(ref)
		if len(d.Followups) == 0 || len(d.Audit) < 5 {
			t.Fatalf("want follow-ups and several entries: %d, %d", len(d.Followups), len(d.Audit))
		}
		cat, err := templates.NewCatalog(nil)
		if err != nil {
			t.Fatal(err)
		}
		idPage := id.get("/tickets/" + ref)
		idPage.want(t, http.StatusOK)
		enPage := en.get("/tickets/" + ref)
		enPage.want(t, http.StatusOK)
		sections := func(body string) string {
			return html.UnescapeString(auditSection.FindString(body) + followupSection.FindString(body))
		}
		idText, enText := sections(idPage.body), sections(enPage.body)
		if strings.Contains(idText, "audit.") || strings.Contains(enText, "audit.") {
			t.Fatalf("a message id on the page:\n%s\n%s", idText, enText)
		}
		for _, e := range d.Audit {
			inID, inEN := cat.Audit(e, "id"), cat.Audit(e, "en")
			actID, actEN := cat.AuditAction(e.Action, "id"), cat.AuditAction(e.Action, "en")
			if !strings.Contains(idText, "</b> "+actID) || !strings.Contains(idText, inID) {
				t.Errorf("Indonesian page lacks %s %q", actID, inID)
			}
			if inEN != inID && strings.Contains(idText, inEN) {
				t.Errorf("English on the Indonesian page: %q", inEN)
			}
			if actEN == actID || strings.Contains(idText, "</b> "+actEN+" ") || strings.Contains(idText, "</b> "+actEN+":") {
				t.Errorf("action %s in English on the Indonesian page (%q)", e.Action, actEN)
			}
			if !strings.Contains(enText, inEN) {
				t.Errorf("English page lacks %q", inEN)
			}
		}
		for _, fu := range d.Followups {
			kind := cat.FollowupName(fu.Kind, "id")
			if kind == string(fu.Kind) || !strings.Contains(idText, kind) || strings.Contains(idText, cat.FollowupName(fu.Kind, "en")) {
				t.Errorf("follow-up %s on the Indonesian page:\n%s", fu.Kind, idText)
			}
		}
		for _, s := range []tickets.Status{tickets.StatusInReview, tickets.StatusNeedsInfo} {
			if strings.Contains(idText, string(s)) {
				t.Errorf("status %s raw on the Indonesian page", s)
			}
		}
		for _, w := range []string{"Perlu info", "permintaan pengembalian dana lewat email", "putusan memenuhi syarat"} {
			if !strings.Contains(idText, w) {
				t.Errorf("the Indonesian page lacks %q:\n%s", w, idText)
			}
		}
	})
}
