package mail_test

import (
	"strings"
	"testing"

	"refunddesk/internal/devmail"
	"refunddesk/internal/storetest"
	"refunddesk/mail"
	"refunddesk/templates"
	"refunddesk/tickets"
)

// Every reason the intake sets a mail aside for (or keeps it for agents as
// taken for automatic mail) is recorded as a code with its values, which
// read back from the store and are written in words in each language: too
// big, unreadable, no sender, refused by the domain, automatic, past the
// sender's new tickets an hour (issue 14).
func TestMailSetAsideReasonsAreCodes(t *testing.T) {
	cat, err := templates.NewCatalog(nil)
	if err != nil {
		t.Fatal(err)
	}
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newMailFixture(t, dialect, devmail.IMAPOptions{Move: true, UIDPlus: true})
		f.intake = mail.NewIntake(f.svc, mail.IntakeConfig{Address: desk, MaxSize: 4000, NewTicketsPerHour: 1}, nil)
		f.fetcher = mail.NewFetcher(mail.IMAPConfig{Address: f.imap.Addr, TLS: "none", Username: desk, Password: deskPass}, f.intake, f.svc, nil)
		big := plain("Rani <rani@example.id>", "big", "Besar", strings.Repeat("Mohon refund promosi saya. ", 200))
		f.deliver(big)
		f.deliver("this is not a mail at all, no header, no body separator")
		f.deliver(plain(`"Rani" <rani @example.id>`, "nosender", "Refund", "Mohon refund promosi saya."))
		f.deliver(plain("Rani <rani@@example.id>", "badaddr", "Refund", "Mohon refund promosi saya."))
		f.deliver(strings.Replace(plain("Budi <budi@example.com>", "ooo", "Out of office", "I am away until Monday."),
			"Subject:", "Auto-Submitted: auto-replied\r\nSubject:", 1))
		f.deliver(plain("Sari <sari@example.com>", "r1", "Refund satu", "Halo kak, promosi saya bermasalah, mohon pengembalian dana."))
		f.deliver(plain("Sari <sari@example.com>", "r2", "Refund dua", "Halo kak, promosi kedua juga bermasalah, mohon pengembalian dana."))
		if st := f.fetch(); st.Created != 1 || st.Failed != 5 || st.Ignored != 1 {
			t.Fatalf("stats %+v", st)
		}
		fails, err := f.svc.Intake.Failures(f.ctx, 10)
		if err != nil {
			t.Fatal(err)
		}
		bySender := map[string]tickets.SetAsideReason{}
		for _, fl := range fails {
			bySender[fl.Sender+"|"+fl.Subject] = fl.Why()
		}
		want := []struct {
			key, code string
			params    tickets.Params
			en, id    string
		}{
			{"|", tickets.SetAsideTooBig, tickets.Params{"Size": tickets.Bytes(len(big)), "Max": tickets.Bytes(4000)},
				"The mail is 5.5 KiB, more than the 3.9 KiB taken in", "Email berukuran 5,5 KiB, melebihi batas 3,9 KiB"},
			{"|", tickets.SetAsideUnreadable, tickets.Params{"Problem": mail.UnreadableNoHeader},
				"The mail cannot be read (it has no header).", "Email tidak dapat dibaca (tidak ada header)."},
			{"|Refund", tickets.SetAsideNoSender, nil,
				"The mail has no sender address to answer.", "Email tidak memiliki alamat pengirim untuk dibalas."},
			{"rani@@example.id|Refund", tickets.SetAsideNotTaken, nil,
				"The request could not be taken in: email: ", "Permintaan tidak dapat diterima: email: "},
			{"budi@example.com|Out of office", tickets.SetAsideAutomatic,
				tickets.Params{"Why": mail.AutoHeader, "Header": "Auto-Submitted", "Value": "auto-replied"},
				"Taken for automatic mail (Auto-Submitted: auto-replied); not answered.", "Dianggap email otomatis (Auto-Submitted: auto-replied); tidak dibalas."},
			{"sari@example.com|Refund dua", tickets.SetAsideRateLimited, nil,
				"The sender went past their limit of new tickets an hour", "Pengirim melewati batas tiket baru per jam"},
		}
		seen := map[string]bool{}
		for _, fl := range fails {
			seen[fl.Why().Code] = true
		}
		for _, w := range want {
			if !seen[w.code] {
				t.Errorf("no mail recorded with %s: %+v", w.code, fails)
				continue
			}
			var r tickets.SetAsideReason
			for _, fl := range fails {
				if why := fl.Why(); why.Code == w.code {
					r = why
					if k := fl.Sender + "|" + fl.Subject; w.key != "|" && k != w.key {
						t.Errorf("%s recorded for %s, want %s", w.code, k, w.key)
					}
				}
			}
			for k, v := range w.params {
				if r.Params[k] != v {
					t.Errorf("%s: %s = %#v, want %#v (%+v)", w.code, k, r.Params[k], v, r.Params)
				}
			}
			if r.Words == "" {
				t.Errorf("%s: no English recorded beside the code", w.code)
			}
			if en := cat.SetAside("en", r); !strings.Contains(en, w.en) {
				t.Errorf("%s in English: %q, want %q", w.code, en, w.en)
			}
			if id := cat.SetAside("id", r); !strings.Contains(id, w.id) {
				t.Errorf("%s in Indonesian: %q, want %q", w.code, id, w.id)
			}
		}
		// The domain's refusal is kept as its code and values.
		var refused tickets.SetAsideReason
		for _, fl := range fails {
			if why := fl.Why(); why.Code == tickets.SetAsideNotTaken {
				refused = why
			}
		}
		if len(refused.Problems) != 1 || refused.Problems[0].Field != "email" || refused.Problems[0].Code != "email.invalid" ||
			refused.Problems[0].Params["Value"] != "rani@@example.id" {
			t.Errorf("not_taken: %+v", refused.Problems)
		} else if id := cat.SetAside("id", refused); !strings.Contains(id, cat.Problem("id", "email.invalid", refused.Problems[0].Params)) {
			t.Errorf("not_taken in Indonesian: %q", id)
		}
	})
}

// A reason recorded before codes (English alone, or a code the reader
// does not know) reads back as its words and is shown as stored; a coded
// one reads back exactly.
func TestSetAsideReasonStoredForm(t *testing.T) {
	cat, err := templates.NewCatalog(nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, old := range []string{"the mail is 40 MiB, more than the 25 MiB taken in", "cannot read the mail: no header",
		"taken for automatic mail (Precedence: list); not answered", "email: invalid address", "unknown_code: words", "too_big {broken: x"} {
		r := tickets.ParseSetAsideReason(old)
		if r.Code != "" || r.Words != old || cat.SetAside("id", r) != old {
			t.Errorf("%q read back as %+v, shown %q", old, r, cat.SetAside("id", r))
		}
	}
	in := tickets.SetAsideReason{Code: tickets.SetAsideNotTaken, Words: `email: odd "}: here`,
		Problems: []*tickets.ValidationError{{Field: "email", Code: "email.invalid", Params: tickets.Params{"Value": `a"}: b`}}}}
	out := tickets.ParseSetAsideReason(in.Format())
	if out.Code != in.Code || out.Words != in.Words || len(out.Problems) != 1 || out.Problems[0].Params["Value"] != `a"}: b` {
		t.Fatalf("%q read back as %+v", in.Format(), out)
	}
	// Rows written before the other codes: rate_limited alone.
	old := tickets.ParseSetAsideReason("rate_limited: the sender opened 5 new tickets in the last hour")
	if old.Code != tickets.SetAsideRateLimited || cat.SetAside("id", old) != cat.Text("id", "web.set_aside.rate_limited") {
		t.Fatalf("rate_limited: %+v", old)
	}
}
