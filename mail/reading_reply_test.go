package mail_test

import (
	"context"
	"testing"

	"refunddesk/internal/storetest"
	"refunddesk/mail"
	"refunddesk/tickets"
)

// A reply that restates the problem in a few words gives its ticket the
// reason it lacked (issue 16); one that only thanks gives none, and a
// reason the ticket has is kept.
func TestReplyStatingTheProblemFillsTheReason(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		ctx := context.Background()
		svc := tickets.NewService(storetest.Open(t, dialect, nil), tickets.Options{})
		in := mail.NewIntake(svc, mail.IntakeConfig{Address: desk}, nil)
		take := func(raw string) mail.Taken {
			t.Helper()
			taken, err := in.Take(ctx, []byte(raw), "test")
			if err != nil {
				t.Fatal(err)
			}
			return taken
		}
		mailFrom := func(id, subject, body string) string {
			return "From: Fajar <fajar@example.com>\r\nTo: " + desk + "\r\nSubject: " + subject + "\r\nMessage-ID: <" + id +
				"@example.com>\r\nDate: Thu, 19 Nov 2026 03:00:00 +0000\r\n\r\n" + body + "\r\n"
		}
		first := take(mailFrom("f1", "Refund", "Tolong refund promosi saya, pesanan 7301234567890000021. Akun @natu_34."))
		if first.Outcome != mail.TookCreated {
			t.Fatalf("first: %+v", first)
		}
		reason := func() tickets.Reason {
			t.Helper()
			d, err := svc.Records.Detail(ctx, first.Ref)
			if err != nil {
				t.Fatal(err)
			}
			return d.Ticket.Reason
		}
		if r := reason(); r != "" {
			t.Fatalf("the first mail gives no reason, the ticket has %q", r)
		}
		if got := take(mailFrom("f2", "Re: ["+first.Ref+"] Permintaan Anda", "Terima kasih kak")); got.Outcome != mail.TookReply {
			t.Fatalf("thanks: %+v", got)
		}
		if r := reason(); r != "" {
			t.Fatalf("thanks gave the reason %q", r)
		}
		if got := take(mailFrom("f3", "Re: ["+first.Ref+"] Permintaan Anda", "iklannya distop tapi saldo belum balik kak")); got.Outcome != mail.TookReply {
			t.Fatalf("restated: %+v", got)
		}
		if r := reason(); r != tickets.ReasonStoppedByPlatform {
			t.Fatalf("reason %q, want %s", r, tickets.ReasonStoppedByPlatform)
		}
		take(mailFrom("f4", "Re: ["+first.Ref+"] Permintaan Anda", "oh iya, sebenarnya ditolak juga sih"))
		if r := reason(); r != tickets.ReasonStoppedByPlatform {
			t.Fatalf("a reason the ticket had was replaced: %q", r)
		}
	})
}
