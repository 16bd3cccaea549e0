package mail_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"refunddesk/internal/mailtest"
	"refunddesk/internal/storetest"
	rdmail "refunddesk/mail"
	"refunddesk/tickets"
)

// A server that closes the session on one particular mail's data every time
// (Gmail's "421 4.7.0 ... unsolicited mail") must not hold the queue: that
// mail is charged an attempt and goes behind the others, which are
// delivered; it is tried again later and fails only at MaxAttempts.
// The same for a 421 to its RCPT, and for a connection dropped after its
// data.
func TestSendPoisonMailDoesNotBlockQueue(t *testing.T) {
	for _, c := range []struct {
		name   string
		refuse func(p *mailtest.StrictSMTP, to string)
		stage  rdmail.Stage
		code   int
		says   string
	}{
		{"data 421", func(p *mailtest.StrictSMTP, to string) {
			p.RefuseData(to, "421 4.7.0 Try again later, closing connection", 1000)
		}, rdmail.StageData, 421, "421 4.7.0"},
		{"rcpt 421", func(p *mailtest.StrictSMTP, to string) {
			p.RefuseRcpt(to, "421 4.7.0 Too many errors, closing connection")
		}, rdmail.StageRcpt, 421, "421 4.7.0"},
		{"data dropped", func(p *mailtest.StrictSMTP, to string) {
			p.RefuseData(to, mailtest.StrictHangUp, 1000)
		}, rdmail.StageData, 0, "smtp data"},
	} {
		t.Run(c.name, func(t *testing.T) { testPoisonMail(t, c.refuse, c.stage, c.code, c.says) })
	}
}

func testPoisonMail(t *testing.T, refuse func(*mailtest.StrictSMTP, string), stage rdmail.Stage, code int, says string) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newSendFixture(t, dialect, mailtest.StrictOptions{}, rdmail.SMTPConfig{MaxAttempts: 3})
		to := f.requests(4)
		refuse(f.peer, to[0])

		// The first run is stopped by the lost session, after charging the
		// mail it was on; it gives the rest back uncharged.
		st, err := f.sender.SendOnce(f.ctx)
		var se *rdmail.SendError
		if !errors.Is(err, tickets.ErrChannelDown) || !errors.As(err, &se) || !se.Charged() || se.Stage != stage || se.Code != code {
			t.Fatalf("first run: %+v %v", st, err)
		}
		if st.Retried != 1 || st.Deferred != 3 || st.Sent != 0 {
			t.Fatalf("first run: %+v", st)
		}
		pending := f.outbox(tickets.OutboxPending)
		for _, p := range pending {
			if p.Recipient != to[0] && p.Attempts != 0 {
				t.Fatalf("%s was charged for another mail's failure: %+v", p.Recipient, p)
			}
		}
		// The next run delivers the others, on a new session.
		if st, err := f.sender.SendOnce(f.ctx); err != nil || st.Sent != 3 {
			t.Fatalf("second run: %+v %v", st, err)
		}
		if n := len(f.delivered()); n != 3 {
			t.Fatalf("one mail held back the others: %d of 3 delivered", n)
		}
		pending = f.outbox(tickets.OutboxPending)
		if len(pending) != 1 || pending[0].Recipient != to[0] || pending[0].Attempts != 1 ||
			!pending[0].NextAttemptAt.Equal(f.clock.Now().Add(time.Minute)) || !strings.Contains(pending[0].LastError, says) {
			t.Fatalf("the refused mail waits a minute with its attempt counted: %+v", pending)
		}
		// Tried again when due, and only failed at MaxAttempts.
		for attempt := 2; attempt <= 3; attempt++ {
			f.clock.Advance(6 * time.Hour)
			st, err := f.sender.SendOnce(f.ctx)
			if !errors.Is(err, tickets.ErrChannelDown) && attempt < 3 {
				t.Fatalf("attempt %d: %+v %v", attempt, st, err)
			}
			if attempt < 3 {
				if p := f.outbox(tickets.OutboxPending); len(p) != 1 || p[0].Attempts != attempt {
					t.Fatalf("attempt %d: %+v", attempt, p)
				}
			}
		}
		failed := f.outbox(tickets.OutboxFailed)
		if len(failed) != 1 || failed[0].Recipient != to[0] || !strings.Contains(failed[0].LastError, "gave up after 3 attempts") {
			t.Fatalf("failed after MaxAttempts: %+v", failed)
		}
		if len(f.delivered()) != 3 || f.peer.Sessions() < 4 {
			t.Fatalf("delivered %d in %d sessions", len(f.delivered()), f.peer.Sessions())
		}
	})
}
