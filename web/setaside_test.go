package web_test

import (
	"html"
	"net/http"
	"strings"
	"testing"

	"refunddesk/internal/storetest"
	"refunddesk/mail"
	"refunddesk/tickets"
)

// The failures page writes why each mail was set aside in the agent's
// language, from its code and values (too big, unreadable, no sender,
// refused, automatic, rate limited); a reason recorded before codes is
// shown as it was stored (issue 14).
func TestFailuresPageSetAsideInAgentsLanguage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f, en := actFixture(t, dialect)
		f.addAgent("sari", ayuPW, "id")
		id := f.browser()
		id.mustSignIn("sari", ayuPW)
		cat := f.cat(t)
		old := "the mail is 40 MiB, more than the 25 MiB taken in"
		reasons := []tickets.SetAsideReason{
			{Code: tickets.SetAsideTooBig, Params: tickets.Params{"Size": tickets.Bytes(40 << 20), "Max": tickets.Bytes(25 << 20)}, Words: old},
			{Code: tickets.SetAsideUnreadable, Params: tickets.Params{"Problem": mail.UnreadableNoHeader}, Words: "cannot read the mail: no header"},
			{Code: tickets.SetAsideNoSender, Words: "the mail has no sender address to answer"},
			{Code: tickets.SetAsideNotTaken, Words: "email: email.invalid",
				Problems: []*tickets.ValidationError{{Field: "email", Code: "email.invalid", Params: tickets.Params{"Value": "rani@@example.id"}}}},
			{Code: tickets.SetAsideAutomatic, Params: tickets.Params{"Why": mail.AutoWordedAway},
				Words: "taken for automatic mail (worded as an automatic reply (its text says the writer is away)); not answered"},
			{Code: tickets.SetAsideRateLimited, Words: "the sender opened 5 new tickets in the last hour"},
			{Words: "an old reason, in English"},
		}
		for i, r := range reasons {
			if err := f.svc.Intake.RecordFailure(f.ctx, tickets.InboundFailure{Channel: tickets.ChannelEmail, Key: "k" + string(rune('a'+i)),
				Source: "imap INBOX", Sender: "x@example.com", Subject: "Halo", Size: 100, Reason: r.Format(), SetAside: "refunddesk-failed"}); err != nil {
				t.Fatal(err)
			}
		}
		want := map[string][]string{
			"id": {"Email berukuran 40 MiB, melebihi batas 25 MiB yang diterima", "Email tidak dapat dibaca (tidak ada header).",
				"Email tidak memiliki alamat pengirim untuk dibalas.", "Permintaan tidak dapat diterima: email: " + cat.Problem("id", "email.invalid", tickets.Params{"Value": "rani@@example.id"}),
				"Dianggap email otomatis (kata-katanya seperti balasan otomatis (isinya mengatakan penulisnya sedang tidak di tempat)); tidak dibalas.",
				cat.Text("id", "web.set_aside.rate_limited"), "an old reason, in English"},
			"en": {"The mail is 40 MiB, more than the 25 MiB taken in", "The mail cannot be read (it has no header).",
				"Taken for automatic mail (worded as an automatic reply (its text says the writer is away)); not answered.",
				cat.Text("en", "web.set_aside.rate_limited"), "an old reason, in English"},
		}
		for lang, b := range map[string]*browser{"id": id, "en": en} {
			p := b.get("/failures")
			p.want(t, http.StatusOK)
			for _, w := range want[lang] {
				if !strings.Contains(p.body, html.EscapeString(w)) {
					t.Errorf("%s: no %q on the failures page", lang, w)
				}
			}
			if lang == "id" {
				for _, r := range reasons[:len(reasons)-1] {
					if strings.Contains(p.body, html.EscapeString(r.Words)) || strings.Contains(p.body, r.Code+" ") {
						t.Errorf("id: the English or the code of %s is shown", r.Code)
					}
				}
			}
		}
	})
}
