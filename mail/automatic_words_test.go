package mail_test

import (
	"strings"
	"testing"

	"refunddesk/internal/devmail"
	"refunddesk/internal/storetest"
)

// An out-of-office known only by its words (no header says so) to a
// ticket's acknowledgement is never answered nor added to the ticket, and is
// listed for agents in case it was a person's; a requester writing that she
// was on leave is answered (issue 16).
func TestMailWordedAutoReplyIsNotAnswered(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newMailFixture(t, dialect, devmail.IMAPOptions{Move: true, UIDPlus: true})
		f.deliver(request("w1"))
		if st := f.fetch(); st.Created != 1 {
			t.Fatalf("stats %+v", st)
		}
		ref := f.tickets()[0].Ref
		sent := f.send().Sent // the acknowledgement
		messages := len(f.detail(ref).Messages)

		away := "From: Rani Putri <rani@example.id>\r\nTo: " + desk + "\r\nSubject: Re: [" + ref + "] Permintaan Anda kami terima\r\n" +
			"Message-ID: <w2@example.com>\r\nDate: Mon, 16 Nov 2026 05:00:00 +0000\r\n\r\n" +
			"Halo, saya sedang cuti melahirkan hingga 5 Januari 2027. Email akan saya balas setelah saya kembali bekerja.\r\n"
		f.deliver(away)
		if st := f.fetch(); st.Ignored != 1 || st.Replies != 0 {
			t.Fatalf("stats %+v", st)
		}
		if got := len(f.detail(ref).Messages); got != messages {
			t.Fatalf("the auto-reply was added to %s: %d messages, had %d", ref, got, messages)
		}
		if st := f.send(); st.Sent != 0 {
			t.Fatalf("answered an auto-reply: %+v (the acknowledgement was %d)", st, sent)
		}
		fails, err := f.svc.Intake.Failures(f.ctx, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(fails) != 1 || !strings.HasPrefix(fails[0].Why().Words, "taken for automatic mail (worded as an automatic reply") {
			t.Fatalf("records %+v", fails)
		}

		back := strings.NewReplacer("<w2@", "<w3@", "Halo, saya sedang cuti melahirkan hingga 5 Januari 2027. Email akan saya balas setelah saya kembali bekerja.",
			"Maaf baru balas, kemarin saya cuti. Promosinya ternyata ditolak, tolong refund ya.").Replace(away)
		f.deliver(back)
		if st := f.fetch(); st.Replies != 1 || st.Ignored != 0 {
			t.Fatalf("a person back from leave: stats %+v", st)
		}
	})
}
