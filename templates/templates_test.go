package templates

import (
	"errors"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"unicode/utf8"

	"refunddesk/tickets"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

func newEngineT(t *testing.T) *Engine {
	t.Helper()
	e, err := New()
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return e
}

// goldenCase is one representative message; every template has at least one.
type goldenCase struct {
	name    string // template
	variant string // "" or what sets this case apart
	data    Data
}

func (c goldenCase) file(flavour, lang string) string {
	n := c.name
	if c.variant != "" {
		n += "." + c.variant
	}
	return filepath.Join("testdata", "golden", flavour, n+"."+lang+".golden")
}

// sample is a refund ticket for a creator, in lang.
func sample(lang string) Data {
	return Data{
		MessageData: tickets.MessageData{
			Ref: "RD-1042", Kind: tickets.KindRefund, Status: tickets.StatusInReview,
			Account: "@kopi_senja", Order: "7301234567890123456", Reason: tickets.ReasonUnderDelivery,
			Verdict: tickets.VerdictNeedsReview, Amount: 150000, Currency: "IDR",
		},
		Language: lang, RequesterName: "Sari",
	}
}

func goldenCases(lang string) []goldenCase {
	id := lang == tickets.LangIndonesian
	pick := func(en, idn string) string {
		if id {
			return idn
		}
		return en
	}
	var cs []goldenCase
	add := func(name, variant string, f func(d *Data)) {
		d := sample(lang)
		f(&d)
		cs = append(cs, goldenCase{name, variant, d})
	}
	add(tickets.TemplateAcknowledgement, "needs_info", func(d *Data) {
		d.Status, d.Verdict = tickets.StatusNeedsInfo, tickets.VerdictNeedsInfo
		d.Missing = []string{MissingOrderUnknown, MissingEvidence}
		d.Order = "7301234567890000000"
	})
	add(tickets.TemplateAcknowledgement, "review", func(d *Data) {
		d.RequesterName = ""
		d.Reason = tickets.ReasonTechnicalError
	})
	add(tickets.TemplateAcknowledgement, "joined", func(d *Data) {
		// A request from someone else joining an open ticket: only the reference.
		d.MessageData = tickets.MessageData{Ref: "RD-1042", Kind: tickets.KindRefund, Status: tickets.StatusInReview,
			Order: "7301234567890123456", Joined: true}
	})
	add(tickets.TemplateReceived, "", func(d *Data) {
		// Someone who is not the order's requester: nothing of the ticket.
		d.MessageData = tickets.MessageData{Kind: tickets.KindRefund}
		d.RequesterName = ""
	})
	add(tickets.TemplateReceived, "limit", func(d *Data) {
		d.MessageData = tickets.MessageData{Kind: tickets.KindRefund, Limit: 5}
		d.RequesterName = ""
	})
	add(tickets.TemplateAcknowledgement, "revocation", func(d *Data) {
		d.Kind, d.Order, d.Reason, d.Amount, d.Currency = tickets.KindRevocation, "", "", 0, ""
		d.Account, d.Verdict, d.Missing = "", tickets.VerdictNeedsInfo, []string{MissingAccount}
	})
	add(tickets.TemplateRequestInfo, "", func(d *Data) {
		d.Status = tickets.StatusNeedsInfo
		d.Text = pick("Could you send a screenshot of the promotion's results page?\nThe one that shows the views delivered.",
			"Boleh kirimkan tangkapan layar halaman hasil promosi?\nYang menunjukkan jumlah penayangan yang tercapai.")
	})
	add(tickets.TemplateApproved, "", func(d *Data) {
		d.Status, d.Verdict = tickets.StatusApproved, tickets.VerdictEligible
	})
	add(tickets.TemplateApproved, "revocation", func(d *Data) {
		d.Kind, d.Order, d.Reason, d.Amount, d.Currency = tickets.KindRevocation, "", "", 0, ""
		d.Status, d.Verdict = tickets.StatusApproved, tickets.VerdictEligible
	})
	add(tickets.TemplateDenied, "", func(d *Data) {
		d.Status, d.Verdict, d.Reason = tickets.StatusDenied, tickets.VerdictIneligible, tickets.ReasonClosedEarly
		d.Text = pick("The promotion was closed from your account on 3 March, so the policy does not allow a refund.",
			"Promosi ditutup dari akun Anda pada 3 Maret, sehingga kebijakan kami tidak memungkinkan pengembalian dana.")
		d.Explanation = []tickets.RuleStep{{Rule: tickets.RuleNonRefundable, Outcome: string(tickets.VerdictIneligible), Code: tickets.CodeClosedEarly}}
		d.PaymentMethod = "card"
	})
	for _, method := range []string{"wallet", "coins", ""} {
		variant := method
		if method == "" {
			variant = "no_record"
		}
		add(tickets.TemplateDenied, variant, func(d *Data) {
			d.Status, d.Verdict, d.Reason = tickets.StatusDenied, tickets.VerdictIneligible, tickets.ReasonClosedEarly
			d.Text = pick("The promotion was closed from your account on 3 March.", "Promosi ditutup dari akun Anda pada 3 Maret.")
			d.PaymentMethod = method
		})
	}
	add(tickets.TemplateRevocationForwarded, "", func(d *Data) {
		d.Kind, d.Order, d.Reason, d.Amount, d.Currency = tickets.KindRevocation, "", "", 0, ""
		d.Status, d.Verdict = tickets.StatusWaitingPlatform, tickets.VerdictEligible
	})
	add(tickets.TemplateRevocationDone, "", func(d *Data) {
		d.Kind, d.Order, d.Reason, d.Amount, d.Currency = tickets.KindRevocation, "", "", 0, ""
		d.Status, d.Verdict = tickets.StatusResolved, tickets.VerdictEligible
	})
	add(tickets.TemplateReply, "", func(d *Data) {
		d.Text = pick("Thanks for the screenshots. We have asked the platform's billing team to confirm the delivered views; we expect their answer within two days.\n\nWe will write again as soon as we have it.",
			"Terima kasih atas tangkapan layarnya. Kami sudah meminta tim penagihan platform untuk memastikan jumlah penayangan yang tercapai; jawabannya kami harapkan dalam dua hari.\n\nKami akan segera mengabari Anda begitu menerimanya.")
	})
	add(tickets.TemplateReminder, "", func(d *Data) {
		d.Status, d.Verdict = tickets.StatusNeedsInfo, tickets.VerdictNeedsInfo
		d.Missing = []string{MissingEvidence}
	})
	add(tickets.TemplateReminder, "question", func(d *Data) {
		d.Status = tickets.StatusNeedsInfo
		d.Text = pick("Which payment method did you use: wallet, coins or card?", "Metode pembayaran apa yang Anda gunakan: dompet, koin, atau kartu?")
	})
	add(tickets.TemplateAutoClosed, "", func(d *Data) {
		d.Status, d.Missing = tickets.StatusClosed, []string{MissingOrder}
		d.Order = ""
	})
	add(tickets.TemplateClosePromotion, "", func(d *Data) {
		d.Reason = tickets.ReasonWrongVideo
	})
	add(tickets.TemplateStillInProgress, "", func(d *Data) {
		d.Kind, d.Order, d.Reason, d.Amount, d.Currency = tickets.KindRevocation, "", "", 0, ""
		d.Status, d.Verdict = tickets.StatusWaitingPlatform, tickets.VerdictEligible
	})
	return cs
}

func TestNew(t *testing.T) {
	e := newEngineT(t)
	for _, flavour := range Flavours() {
		for _, name := range Names() {
			for _, lang := range Languages() {
				for _, part := range flavourParts[flavour] {
					k := key{flavour, name, lang, part.part}
					if e.text[k] == nil && e.html[k] == nil {
						t.Errorf("no template for %v", k)
					}
				}
			}
		}
	}
}

func TestNamesAreTheOutboxTemplates(t *testing.T) {
	want := []string{"acknowledgement", "request_info", "approved", "denied", "revocation_forwarded",
		"revocation_done", "reply", "reminder", "auto_closed", "close_promotion", "still_in_progress", "received"}
	if !slices.Equal(Names(), want) {
		t.Fatalf("Names() = %v, want %v", Names(), want)
	}
}

// A missing file, one that does not parse, one that names a field that does
// not exist, and one for no template each fail New, naming the piece.
func TestNewFailsOnBadFiles(t *testing.T) {
	base := fstest.MapFS{}
	err := fs.WalkDir(files, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(files, p)
		base[p] = &fstest.MapFile{Data: b}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := newEngine(base, nil); err != nil {
		t.Fatalf("the embedded files, copied: %v", err)
	}
	tests := []struct {
		name  string
		edit  func(m fstest.MapFS)
		wants []string
	}{
		{"missing html", func(m fstest.MapFS) { delete(m, "email/approved.id.html") },
			[]string{"email approved (id, html)", "missing file email/approved.id.html"}},
		{"missing subject", func(m fstest.MapFS) { delete(m, "email/denied.en.subject.txt") },
			[]string{"email denied (en, subject)", "email/denied.en.subject.txt"}},
		{"missing discord", func(m fstest.MapFS) { delete(m, "discord/reminder.id.md") },
			[]string{"discord reminder (id, text)", "discord/reminder.id.md"}},
		{"missing layout", func(m fstest.MapFS) { delete(m, "email/layout.en.txt") },
			[]string{"email layout (en, text)", "email/layout.en.txt"}},
		{"parse error", func(m fstest.MapFS) { m["email/reply.en.txt"] = &fstest.MapFile{Data: []byte("{{if .Text}")} },
			[]string{"email reply (en, text)"}},
		{"unknown function", func(m fstest.MapFS) { m["discord/reply.en.md"] = &fstest.MapFile{Data: []byte("{{nope .Text}}")} },
			[]string{"discord reply (en, text)", "nope"}},
		{"unknown field", func(m fstest.MapFS) {
			m["email/reply.id.html"] = &fstest.MapFile{Data: []byte(`{{template "header" .}}{{.Nope}}{{template "footer" .}}`)}
		}, []string{"email reply (id, html)", "Nope"}},
		{"stray file", func(m fstest.MapFS) { m["email/aproved.en.txt"] = &fstest.MapFile{Data: []byte("x")} },
			[]string{"email/aproved.en.txt belongs to no template"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := fstest.MapFS{}
			for k, v := range base {
				m[k] = v
			}
			tt.edit(m)
			e, err := newEngine(m, nil)
			if err == nil || e != nil {
				t.Fatalf("newEngine = %v, %v; want an error", e, err)
			}
			for _, w := range tt.wants {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
}

func TestGolden(t *testing.T) {
	e := newEngineT(t)
	seen := map[string]bool{}
	for _, lang := range Languages() {
		for _, c := range goldenCases(lang) {
			seen[c.name] = true
			for _, flavour := range Flavours() {
				t.Run(flavour+"/"+c.name+"."+c.variant+"."+lang, func(t *testing.T) {
					m, err := e.Render(flavour, c.name, c.data)
					if err != nil {
						t.Fatal(err)
					}
					got := m.Text
					if flavour == FlavourEmail {
						got = "Subject: " + m.Subject + "\n\n" + m.Text + "\n-------- html --------\n\n" + m.HTML
					} else {
						got += "\n"
					}
					path := c.file(flavour, lang)
					if *update {
						if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
							t.Fatal(err)
						}
						if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
							t.Fatal(err)
						}
						return
					}
					want, err := os.ReadFile(path)
					if err != nil {
						t.Fatalf("%v (run go test ./templates -update)", err)
					}
					if got != string(want) {
						t.Errorf("%s differs from the rendered message (run go test ./templates -update and review the diff):\n%s", path, got)
					}
				})
			}
		}
	}
	for _, name := range Names() {
		if !seen[name] {
			t.Errorf("no golden case for %s", name)
		}
	}
}

// Every template renders something in every language and flavour, from a
// full ticket and from an empty one, and emails thread on [RD-n].
func TestRenderAll(t *testing.T) {
	e := newEngineT(t)
	for _, flavour := range Flavours() {
		for _, name := range Names() {
			for _, lang := range Languages() {
				for _, d := range []Data{sample(lang), {MessageData: tickets.MessageData{Ref: "RD-7"}, Language: lang}} {
					d.Text = "Question?"
					m, err := e.Render(flavour, name, d)
					if err != nil {
						t.Fatalf("%s %s %s: %v", flavour, name, lang, err)
					}
					if strings.TrimSpace(m.Text) == "" {
						t.Errorf("%s %s %s: empty text", flavour, name, lang)
					}
					if name == tickets.TemplateReceived {
						// Said to someone who must learn nothing of a ticket:
						// even given one, it names none.
						if strings.Contains(m.Subject+m.Text+m.HTML, d.Ref) {
							t.Errorf("%s %s %s: names %s:\n%s%s", flavour, name, lang, d.Ref, m.Subject, m.Text)
						}
						continue
					}
					if !strings.Contains(m.Text, d.Ref) {
						t.Errorf("%s %s %s: text does not name %s:\n%s", flavour, name, lang, d.Ref, m.Text)
					}
					if strings.Contains(m.Text, "<no value>") || strings.Contains(m.HTML, "<no value>") {
						t.Errorf("%s %s %s: <no value> in output", flavour, name, lang)
					}
					switch flavour {
					case FlavourEmail:
						if !strings.Contains(m.Subject, "["+d.Ref+"]") {
							t.Errorf("%s %s: subject %q lacks [%s]", name, lang, m.Subject, d.Ref)
						}
						if strings.ContainsAny(m.Subject, "\r\n") {
							t.Errorf("%s %s: subject %q is not one line", name, lang, m.Subject)
						}
						if !strings.HasPrefix(m.HTML, "<!DOCTYPE html>") || !strings.Contains(m.HTML, "</html>") {
							t.Errorf("%s %s: HTML is not a document:\n%s", name, lang, m.HTML)
						}
						// The shared footer: threading and the password warning.
						for _, part := range []string{m.Text, m.HTML} {
							if !strings.Contains(part, "["+d.Ref+"]") {
								t.Errorf("%s %s: footer lacks [%s]", name, lang, d.Ref)
							}
						}
						pw := map[string]string{"en": "never ask for your password", "id": "tidak akan pernah meminta kata sandi"}[lang]
						if !strings.Contains(m.Text, pw) || !strings.Contains(m.HTML, pw) {
							t.Errorf("%s %s: no password warning", name, lang)
						}
					case FlavourDiscord:
						if m.Subject != "" || m.HTML != "" {
							t.Errorf("%s %s: Discord message with a subject or HTML", name, lang)
						}
						if !strings.Contains(m.Text, "**"+d.Ref+"**") {
							t.Errorf("%s %s: reference not in bold:\n%s", name, lang, m.Text)
						}
						if strings.Contains(m.Text, "<p") || strings.Contains(m.Text, "<br") {
							t.Errorf("%s %s: HTML in a Discord message", name, lang)
						}
					}
				}
			}
		}
	}
}

func TestGreeting(t *testing.T) {
	e := newEngineT(t)
	for _, tt := range []struct{ lang, name, want string }{
		{"en", "Sari", "Hello Sari,"}, {"en", "", "Hello,"}, {"id", "Sari", "Halo Sari,"}, {"id", "", "Halo,"},
	} {
		d := sample(tt.lang)
		d.RequesterName, d.Text = tt.name, "x"
		for _, flavour := range Flavours() {
			for _, name := range Names() {
				m, err := e.Render(flavour, name, d)
				if err != nil {
					t.Fatal(err)
				}
				if !strings.HasPrefix(m.Text, tt.want+"\n") {
					t.Errorf("%s %s %s: text starts %q, want %q", flavour, name, tt.lang, firstLine(m.Text), tt.want)
				}
				if flavour == FlavourEmail && !strings.Contains(m.HTML, ">"+tt.want+"</p>") {
					t.Errorf("%s %s: HTML has no greeting %q", name, tt.lang, tt.want)
				}
			}
		}
	}
}

func firstLine(s string) string { l, _, _ := strings.Cut(s, "\n"); return l }

func TestMissingInWords(t *testing.T) {
	e := newEngineT(t)
	c := e.Catalog()
	for _, lang := range Languages() {
		for _, code := range MissingCodes() {
			words := c.MissingName(code, lang)
			if words == code || words == "" {
				t.Errorf("%s: %s has no words", lang, code)
			}
			for _, other := range Languages() {
				if other != lang && c.MissingName(code, other) == words {
					t.Errorf("%s: %s reads the same in %s", lang, code, other)
				}
			}
		}
		d := sample(lang)
		d.Verdict = tickets.VerdictNeedsInfo
		d.Missing = MissingCodes()
		for _, name := range []string{tickets.TemplateAcknowledgement, tickets.TemplateReminder} {
			for _, flavour := range Flavours() {
				m, err := e.Render(flavour, name, d)
				if err != nil {
					t.Fatal(err)
				}
				for _, code := range MissingCodes() {
					words := c.MissingName(code, lang)
					if !strings.Contains(m.Text, words) {
						t.Errorf("%s %s %s: %s not in words (%q):\n%s", flavour, name, lang, code, words, m.Text)
					}
					if flavour == FlavourEmail && !strings.Contains(m.HTML, htmlEscaped(words)) {
						t.Errorf("%s %s: %s not in the HTML", name, lang, code)
					}
				}
			}
		}
	}
	// How to send it, per channel.
	d := sample("en")
	d.Verdict, d.Missing = tickets.VerdictNeedsInfo, []string{MissingEvidence}
	m, _ := e.Render(FlavourDiscord, tickets.TemplateAcknowledgement, d)
	if !strings.Contains(m.Text, "`/reply`") || !strings.Contains(m.Text, "`/evidence`") {
		t.Errorf("Discord acknowledgement does not say how to send it:\n%s", m.Text)
	}
	m, _ = e.Render(FlavourEmail, tickets.TemplateAcknowledgement, d)
	if !strings.Contains(m.Text, "reply to this email and keep [RD-1042] in the subject") {
		t.Errorf("email acknowledgement does not say how to send it:\n%s", m.Text)
	}
	// needs_info leads with what is missing, before the summary.
	if i, j := strings.Index(m.Text, c.MissingName(MissingEvidence, "en")), strings.Index(m.Text, "@kopi_senja"); i < 0 || j < 0 || i > j {
		t.Errorf("needs_info acknowledgement does not lead with what is missing:\n%s", m.Text)
	}
}

func htmlEscaped(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;").Replace(s)
}

func TestNamesInWords(t *testing.T) {
	c := newEngineT(t).Catalog()
	for _, lang := range Languages() {
		for _, r := range tickets.Reasons {
			if c.ReasonName(r, lang) == string(r) {
				t.Errorf("%s: reason %s has no words", lang, r)
			}
		}
		for _, s := range tickets.Statuses {
			if w := c.StatusName(s, lang); w == "" || strings.Contains(w, "_") || (lang == "id" && w == string(s)) {
				t.Errorf("%s: status %s has no words", lang, s)
			}
		}
		for _, k := range tickets.Kinds {
			if c.KindName(k, lang) == string(k) && k != tickets.KindRefund {
				t.Errorf("%s: kind %s has no words", lang, k)
			}
		}
	}
	if c.ReasonName(tickets.ReasonDuplicateCharge, "id") == c.ReasonName(tickets.ReasonDuplicateCharge, "en") {
		t.Error("reasons are not translated")
	}
}

func TestMoney(t *testing.T) {
	e := newEngineT(t)
	for _, tt := range []struct{ lang, want string }{{"id", "Rp150.000"}, {"en", "IDR 150,000"}} {
		d := sample(tt.lang)
		for _, flavour := range Flavours() {
			m, err := e.Render(flavour, tickets.TemplateApproved, d)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(m.Text, tt.want) {
				t.Errorf("%s %s: %q not in\n%s", flavour, tt.lang, tt.want, m.Text)
			}
			if flavour == FlavourEmail && !strings.Contains(m.HTML, tt.want) {
				t.Errorf("%s: %q not in the HTML", tt.lang, tt.want)
			}
		}
	}
	// A revocation has no amount.
	d := sample("en")
	d.Kind = tickets.KindRevocation
	m, err := e.Render(FlavourEmail, tickets.TemplateApproved, d)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(m.Text, "150,000") || strings.Contains(m.Text, "business days") {
		t.Errorf("a revocation's approval speaks of money:\n%s", m.Text)
	}
	// Days: the defaults and the configured ones.
	if !strings.Contains(mustText(t, e, FlavourEmail, tickets.TemplateApproved, sample("en")), "within 7 business days") {
		t.Error("default refund days not 7")
	}
	d = sample("id")
	d.RefundDays, d.ReopenDays = 10, 30
	if !strings.Contains(mustText(t, e, FlavourEmail, tickets.TemplateApproved, d), "dalam 10 hari kerja") {
		t.Error("RefundDays not used")
	}
	d.Text = "x"
	if !strings.Contains(mustText(t, e, FlavourDiscord, tickets.TemplateDenied, d), "dalam 30 hari") {
		t.Error("ReopenDays not used")
	}
	if !strings.Contains(mustText(t, e, FlavourEmail, tickets.TemplateAutoClosed, sample("en")), "within 14 days") {
		t.Error("default reopen days not 14")
	}
}

func mustText(t *testing.T, e *Engine, flavour, name string, d Data) string {
	t.Helper()
	m, err := e.Render(flavour, name, d)
	if err != nil {
		t.Fatal(err)
	}
	return m.Text
}

func TestLanguageFallback(t *testing.T) {
	e := newEngineT(t)
	for _, lang := range []string{"", "fr", "EN", "english"} {
		d := sample(lang)
		if got, want := mustText(t, e, FlavourEmail, tickets.TemplateApproved, d), mustText(t, e, FlavourEmail, tickets.TemplateApproved, sample("en")); got != want {
			t.Errorf("language %q does not render English", lang)
		}
	}
	if !strings.Contains(mustText(t, e, FlavourEmail, tickets.TemplateApproved, sample("ID")), "Rp150.000") {
		t.Error(`"ID" does not render Indonesian`)
	}
}

func TestEscaping(t *testing.T) {
	e := newEngineT(t)
	const evil = `<script>alert("x")</script>`
	d := sample("en")
	d.Text = "Hello " + evil
	d.Account = "@x" + evil
	d.RequesterName = "<b>Sari</b>"
	d.DeskName = "Desk & Co"
	for _, tt := range []struct {
		name          string
		text, account bool // the message shows the agent's text, the account
	}{
		{tickets.TemplateReply, true, false},
		{tickets.TemplateRequestInfo, true, false},
		{tickets.TemplateDenied, true, false},
		{tickets.TemplateAcknowledgement, false, true},
		{tickets.TemplateRevocationForwarded, true, true},
	} {
		name := tt.name
		m, err := e.Render(FlavourEmail, name, d)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(m.HTML, "<script") || strings.Contains(m.HTML, "<b>Sari") {
			t.Errorf("%s: markup not escaped in HTML:\n%s", name, m.HTML)
		}
		if !strings.Contains(m.HTML, "&lt;script&gt;") {
			t.Errorf("%s: no escaped script in HTML:\n%s", name, m.HTML)
		}
		if !strings.Contains(m.HTML, "Desk &amp; Co") || !strings.Contains(m.HTML, "Hello &lt;b&gt;Sari&lt;/b&gt;,") {
			t.Errorf("%s: desk or requester name not escaped", name)
		}
		// Plain text keeps what was written.
		if tt.text && !strings.Contains(m.Text, "Hello "+evil) {
			t.Errorf("%s: text does not keep the agent's text verbatim:\n%s", name, m.Text)
		}
		if tt.account && !strings.Contains(m.Text, "@x"+evil) {
			t.Errorf("%s: text does not keep the account verbatim:\n%s", name, m.Text)
		}
		if !strings.Contains(m.Text, "Hello <b>Sari</b>,") || !strings.Contains(m.Text, "Desk & Co") {
			t.Errorf("%s: text does not keep the names verbatim", name)
		}
	}
	// Line breaks in the agent's text survive in HTML as <br> and paragraphs.
	d.Text = "one\ntwo\n\nthree"
	m, err := e.Render(FlavourEmail, tickets.TemplateReply, d)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(m.HTML, "one<br>two</p>") || !strings.Contains(m.HTML, ">three</p>") {
		t.Errorf("line breaks lost:\n%s", m.HTML)
	}
	// Discord: a requester's name or account cannot format or link.
	d = sample("en")
	d.RequesterName = "[click](https://evil.example) @everyone"
	d.Account = "@kopi_senja**"
	m, err = e.Render(FlavourDiscord, tickets.TemplateAcknowledgement, d)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(m.Text, "[click](") || strings.Contains(m.Text, "@everyone") || !strings.Contains(m.Text, `@kopi\_senja\*\*`) {
		t.Errorf("requester values not escaped for Discord:\n%s", m.Text)
	}
}

func TestDiscordLimit(t *testing.T) {
	e := newEngineT(t)
	long := strings.Repeat("Lorem ipsum dolor sit amet, 😀 consectetur adipiscing elit. ", 100)[:5000]
	for !utf8.ValidString(long) {
		long = long[:len(long)-1]
	}
	for _, lang := range Languages() {
		for _, name := range Names() {
			d := sample(lang)
			d.Text = long
			d.Verdict = tickets.VerdictIneligible
			d.Missing = MissingCodes()
			d.Explanation = []tickets.RuleStep{{Detail: strings.Repeat("Because. ", 30)}, {Detail: strings.Repeat("Sebab. ", 30)}}
			m, err := e.Render(FlavourDiscord, name, d)
			if err != nil {
				t.Fatal(err)
			}
			if n := discordLen(m.Text); n > DiscordLimit {
				t.Errorf("%s %s: %d characters, more than %d", name, lang, n, DiscordLimit)
			}
			if !utf8.ValidString(m.Text) {
				t.Errorf("%s %s: cut inside a character", name, lang)
			}
			if !strings.Contains(m.Text, "**"+d.Ref+"**") && name != tickets.TemplateReceived {
				t.Errorf("%s %s: reference lost", name, lang)
			}
			if name == tickets.TemplateReply {
				if !strings.Contains(m.Text, e.Catalog().Text(lang, "discord.shortened")) || !strings.Contains(m.Text, "Lorem ipsum") {
					t.Errorf("%s %s: text not shortened with a note:\n%s", name, lang, m.Text)
				}
				if n := discordLen(m.Text); n < DiscordLimit-100 {
					t.Errorf("%s %s: shortened to %d, far below the limit", name, lang, n)
				}
				// The footer survives: only the agent's text was shortened.
				if !strings.Contains(m.Text, "-# Refund Desk") {
					t.Errorf("%s %s: footer lost", name, lang)
				}
			}
			// Email keeps it all.
			em, err := e.Render(FlavourEmail, name, d)
			if err != nil {
				t.Fatal(err)
			}
			if (name == tickets.TemplateReply || name == tickets.TemplateRequestInfo) && !strings.Contains(em.Text, long) {
				t.Errorf("%s %s: email shortened the text", name, lang)
			}
		}
	}
	// A short message is left alone.
	d := sample("en")
	d.Text = "Short."
	if m := mustText(t, e, FlavourDiscord, tickets.TemplateReply, d); strings.Contains(m, e.Catalog().Text("en", "discord.shortened")) {
		t.Errorf("short text shortened:\n%s", m)
	}
	// An open code block is closed when cut.
	if s := shorten([]rune("```\n"+strings.Repeat("x ", 100)), 50, "(n)"); strings.Count(s, "```") != 2 {
		t.Errorf("code block left open: %q", s)
	}
	// The last resort: a message that cannot fit otherwise is cut.
	if s := cutDiscord(strings.Repeat("😀", 3000), "(n)"); discordLen(s) > DiscordLimit || !utf8.ValidString(s) {
		t.Errorf("cutDiscord: %d characters", discordLen(s))
	}
}

func TestUnknown(t *testing.T) {
	e := newEngineT(t)
	for _, tt := range []struct{ flavour, name string }{
		{"sms", tickets.TemplateApproved}, {"", tickets.TemplateApproved},
		{FlavourEmail, "nope"}, {FlavourDiscord, ""}, {FlavourEmail, "layout"},
	} {
		m, err := e.Render(tt.flavour, tt.name, sample("en"))
		if err == nil || m != nil {
			t.Errorf("Render(%q, %q) = %v, %v; want an error", tt.flavour, tt.name, m, err)
			continue
		}
		if !errors.Is(err, ErrUnknown) {
			t.Errorf("Render(%q, %q): %v does not wrap ErrUnknown", tt.flavour, tt.name, err)
		}
	}
}

func TestEngineConcurrent(t *testing.T) {
	e := newEngineT(t)
	done := make(chan error)
	for i := 0; i < 8; i++ {
		go func() {
			for _, name := range Names() {
				for _, flavour := range Flavours() {
					if _, err := e.Render(flavour, name, sample(Languages()[i%2])); err != nil {
						done <- err
						return
					}
				}
			}
			done <- nil
		}()
	}
	for i := 0; i < 8; i++ {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}

func TestTidy(t *testing.T) {
	if got := tidy("\n\nHello,  \n\n\n\nbody\n\n"); got != "Hello,\n\nbody" {
		t.Errorf("tidy = %q", got)
	}
}
