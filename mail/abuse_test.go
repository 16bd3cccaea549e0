package mail_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/jhillyerd/enmime/v2"

	"refunddesk/internal/devmail"
	"refunddesk/internal/storetest"
	"refunddesk/mail"
)

// plain is a text mail from a sender, with no order number: each is a new
// request.
func plain(from, id, subject, text string) string {
	return "From: " + from + "\r\nTo: " + desk + "\r\nSubject: " + subject + "\r\nMessage-ID: <" + id + "@example.id>\r\n" +
		"Date: Mon, 16 Nov 2026 10:00:00 +0700\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n" + text + "\r\n"
}

// received reads the mails the SMTP server took, as envelopes.
func (f *mailFixture) received() []*enmime.Envelope {
	f.t.Helper()
	var out []*enmime.Envelope
	for _, m := range f.smtp.Received() {
		env, err := enmime.ReadEnvelope(bytes.NewReader(m.Data))
		if err != nil {
			f.t.Fatal(err)
		}
		out = append(out, env)
	}
	return out
}

// A sender past mail.new_tickets_per_hour opens no more tickets: each mail
// past it is kept, set aside with the reason's code, and the sender gets one
// answer, in their language, however many they send; an answer on their
// ticket is not a new ticket and goes through.
func TestMailNewTicketsPerHour(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newMailFixture(t, dialect, devmail.IMAPOptions{Move: true, UIDPlus: true})
		f.intake = mail.NewIntake(f.svc, mail.IntakeConfig{Address: desk, NewTicketsPerHour: 2, Catalog: testCatalog(t)}, nil)
		f.fetcher = mail.NewFetcher(mail.IMAPConfig{Address: f.imap.Addr, TLS: "none", Username: desk, Password: deskPass}, f.intake, f.svc, nil)
		for _, id := range []string{"n1", "n2", "n3", "n4", "n5"} {
			f.deliver(plain("Rani <rani@example.id>", id, "Mohon bantuan "+id, "Halo kak, promosi saya bermasalah, mohon pengembalian dana. Terima kasih."))
		}
		st := f.fetch()
		if st.Created != 2 || st.Failed != 3 {
			t.Fatalf("stats %+v", st)
		}
		if n := len(f.tickets()); n != 2 {
			t.Fatalf("%d tickets", n)
		}
		if inbox, processed, failed := f.folders(); inbox != 0 || processed != 2 || failed != 3 {
			t.Fatalf("folders: inbox %d processed %d failed %d", inbox, processed, failed)
		}
		fails, err := f.svc.Intake.Failures(f.ctx, 10)
		if err != nil || len(fails) != 3 {
			t.Fatalf("failures %+v %v", fails, err)
		}
		for _, fl := range fails {
			if !strings.HasPrefix(fl.Reason, mail.ReasonRateLimited+":") || fl.Sender != "rani@example.id" || fl.SetAside != "refunddesk/unprocessed" {
				t.Fatalf("failure %+v", fl)
			}
		}
		f.send()
		got := f.received()
		if len(got) != 3 {
			t.Fatalf("%d mails sent, want two acknowledgements and one answer about the limit", len(got))
		}
		limit := got[2]
		if subj := limit.GetHeader("Subject"); strings.Contains(subj, "[RD-") || !strings.Contains(subj, "tidak ada tiket baru") {
			t.Fatalf("subject %q", subj)
		}
		if !strings.Contains(limit.Text, "2 permintaan baru") || limit.GetHeader("Auto-Submitted") != "auto-replied" {
			t.Fatalf("answer %q (Auto-Submitted %q)", limit.Text, limit.GetHeader("Auto-Submitted"))
		}
		// More of the same: set aside, no second answer.
		f.deliver(plain("Rani <rani@example.id>", "n6", "Lagi", "Halo kak, mohon pengembalian dana."))
		if st := f.fetch(); st.Failed != 1 {
			t.Fatalf("stats %+v", st)
		}
		f.send()
		if n := len(f.received()); n != 3 {
			t.Fatalf("%d mails sent, want no second answer", n)
		}
		// An answer on a ticket is not a new ticket.
		ref := f.tickets()[0].Ref
		f.deliver(plain("Rani <rani@example.id>", "a1", "Re: ["+ref+"] Mohon bantuan", "Ini nomor pesanannya: 7301234567890000021"))
		if st := f.fetch(); st.Replies != 1 || st.Failed != 0 {
			t.Fatalf("answer stats %+v", st)
		}
	})
}

// Someone writing about an order whose open ticket is someone else's is
// told only that the message was received: no reference in the subject,
// the Message-ID or the text, no threading under the ticket's mail, not
// the requester's name; the requester gets nothing.
func TestMailOtherRequesterLearnsNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newMailFixture(t, dialect, devmail.IMAPOptions{Move: true, UIDPlus: true})
		f.deliver(request("r1"))
		f.fetch()
		f.send()
		ref := f.tickets()[0].Ref
		f.deliver(plain("Budi <budi@example.com>", "b1", "Refund 7301234567890000021",
			"Hello, I want the refund for order 7301234567890000021 and its status please."))
		if st := f.fetch(); st.Received != 1 || st.Joined != 0 || st.Created != 0 {
			t.Fatalf("stats %+v, want one kept on another's ticket", st)
		}
		f.send()
		got := f.received()
		if len(got) != 2 {
			t.Fatalf("%d mails", len(got))
		}
		ack := got[1]
		if to := ack.GetHeader("To"); !strings.Contains(to, "budi@example.com") {
			t.Fatalf("to %q", to)
		}
		id := strings.TrimPrefix(ref, "RD-")
		all := ack.GetHeader("Subject") + ack.GetHeader("Message-Id") + ack.GetHeader("In-Reply-To") + ack.GetHeader("References") + ack.Text + ack.HTML
		for _, leak := range []string{ref, "Rani", "r1@mail.example.id", "rd." + id + ".", "in review", "7301234567890000021"} {
			if strings.Contains(all, leak) {
				t.Errorf("the stranger's acknowledgement shows %q:\n%s", leak, all)
			}
		}
		d := f.detail(ref)
		if !d.HasFlag("other_requester") || len(d.Outbox) != 1 {
			t.Fatalf("flags %v, outbox of the ticket %d", d.Flags, len(d.Outbox))
		}
	})
}
