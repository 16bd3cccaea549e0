package mail_test

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"testing"
	"time"

	"refunddesk/internal/mailtest"
	"refunddesk/internal/storetest"
	rdmail "refunddesk/mail"
	"refunddesk/templates"
	"refunddesk/tickets"
)

// sendFixture is the mail sender against the strict SMTP peer, over a real
// store.
type sendFixture struct {
	t      *testing.T
	ctx    context.Context
	clock  *storetest.Clock
	svc    *tickets.Service
	peer   *mailtest.StrictSMTP
	sender *rdmail.Sender
	tpl    *templates.Engine
}

func newSendFixture(t *testing.T, dialect string, opt mailtest.StrictOptions, cfg rdmail.SMTPConfig) *sendFixture {
	t.Helper()
	f := &sendFixture{t: t, ctx: context.Background(), clock: storetest.NewClock(time.Date(2026, 11, 16, 4, 0, 0, 0, time.UTC))}
	db := openStore(t, dialect, f.clock)
	f.svc = tickets.NewService(db, tickets.Options{Clock: f.clock})
	f.peer = mailtest.StartStrictSMTP(t, opt)
	f.tpl = testTemplates(t)
	cfg.Address, cfg.TLS = f.peer.Addr, "none"
	f.sender = f.newSender(cfg)
	return f
}

func (f *sendFixture) newSender(cfg rdmail.SMTPConfig) *rdmail.Sender {
	return rdmail.NewSender(cfg, rdmail.Identity{Address: desk, Name: "Refund Desk"}, f.svc, f.tpl, nil)
}

// requests files n requests by mail, each from an address of its own, so
// each queues one acknowledgement; it returns the addresses.
func (f *sendFixture) requests(n int) []string {
	f.t.Helper()
	var to []string
	for i := range n {
		addr := fmt.Sprintf("requester%03d@example.id", i)
		if _, err := f.svc.Intake.Submit(f.ctx, tickets.SubmitRequest{Kind: tickets.KindRefund, Channel: tickets.ChannelEmail,
			Requester: tickets.Requester{Email: addr}, Order: fmt.Sprintf("73012345678%08d", i), Details: "promosi saya kurang jangkauan"}); err != nil {
			f.t.Fatal(err)
		}
		to = append(to, addr)
	}
	return to
}

func (f *sendFixture) outbox(status string) []tickets.OutboxItem {
	f.t.Helper()
	items, err := f.svc.Delivery.Outbox(f.ctx, tickets.OutboxFilter{Status: status, Limit: 1000})
	if err != nil {
		f.t.Fatal(err)
	}
	return items
}

// delivered counts the mails the peer accepted by Message-ID, failing the
// test on a mail delivered twice.
func (f *sendFixture) delivered() map[string]string {
	f.t.Helper()
	ids := map[string]string{}
	for _, m := range f.peer.Messages() {
		msg, err := mail.ReadMessage(strings.NewReader(string(m.Data)))
		if err != nil {
			f.t.Fatal(err)
		}
		id := msg.Header.Get("Message-ID")
		if ids[id] != "" {
			f.t.Fatalf("%s delivered twice", id)
		}
		ids[id] = m.To[0]
	}
	return ids
}

func (f *sendFixture) noViolations() {
	f.t.Helper()
	if v := f.peer.Violations(); len(v) > 0 {
		f.t.Fatalf("the sender broke the rules:\n%s", strings.Join(v, "\n"))
	}
}

// A hundred acknowledgements in one batch go over one session with one
// greeting (RSET-free: each DATA ends its transaction), as a strict server
// wants: a second EHLO in the session would be refused.
func TestSenderOneSessionOneGreeting(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newSendFixture(t, dialect, mailtest.StrictOptions{Users: map[string]string{"desk": "secret"}},
			rdmail.SMTPConfig{Username: "desk", Password: "secret"})
		f.requests(100)
		st, err := f.sender.SendOnce(f.ctx)
		if err != nil || st.Sent != 100 || st.Failed+st.Retried+st.Deferred != 0 {
			t.Fatalf("%+v %v", st, err)
		}
		f.noViolations()
		if got := len(f.delivered()); got != 100 {
			t.Fatalf("%d delivered", got)
		}
		if n, h := f.peer.Sessions(), f.peer.Hellos(); n != 1 || len(h) != 1 || h[0] != "refunddesk.example" {
			t.Fatalf("%d sessions, greetings %q", n, h)
		}
		if failed := f.outbox(tickets.OutboxFailed); len(failed) != 0 {
			t.Fatalf("failed: %+v", failed[0])
		}
	})
}

// The EHLO name: the configured one, else the domain of the desk's
// address; never localhost, which strict servers refuse.
func TestSenderHeloName(t *testing.T) {
	f := newSendFixture(t, "sqlite", mailtest.StrictOptions{}, rdmail.SMTPConfig{HeloName: "mx1.refunddesk.example"})
	if err := f.sender.Check(f.ctx); err != nil {
		t.Fatal(err)
	}
	local := rdmail.NewSender(rdmail.SMTPConfig{Address: f.peer.Addr, TLS: "none"}, rdmail.Identity{Address: "desk@localhost"}, f.svc, f.tpl, nil)
	if err := local.Check(f.ctx); err != nil {
		t.Fatalf("a desk at localhost: %v", err)
	}
	f.noViolations()
	h := f.peer.Hellos()
	if len(h) != 2 || h[0] != "mx1.refunddesk.example" || strings.Contains(h[1], "localhost") {
		t.Fatalf("greetings %q", h)
	}
	for _, c := range []struct {
		name string
		ok   bool
	}{{"mail.example.com", true}, {"[192.0.2.1]", true}, {"localhost", false}, {"desk", false}, {"localhost.localdomain", false}, {"-bad.example", false}} {
		cfg := rdmail.SMTPConfig{Address: "127.0.0.1:25", TLS: "none", Auth: "plain", HeloName: c.name}
		errs := cfg.Validate("mail.smtp")
		if ok := len(errs) == 0; ok != c.ok || (!ok && !strings.Contains(errs[0], "mail.smtp.helo_name")) {
			t.Errorf("%q: %v", c.name, errs)
		}
	}
}

// The server refuses the session for a while — at the greeting, at AUTH, at
// MAIL FROM — then takes it: every mail arrives exactly once, none is
// marked failed, no attempt is charged for the refusals.
func TestSenderSessionRefusedForAWhile(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newSendFixture(t, dialect, mailtest.StrictOptions{Users: map[string]string{"desk": "secret"}},
			rdmail.SMTPConfig{Username: "desk", Password: "secret"})
		var events []rdmail.SessionState
		f.sender.OnSession = func(s rdmail.SessionState) { events = append(events, s) }
		f.requests(5)
		f.peer.RefuseSessions(mailtest.StrictGreeting, "421 4.3.2 Service not available", 2)
		f.peer.RefuseSessions(mailtest.StrictAuth, "454 4.7.0 Temporary authentication failure", 1)
		f.peer.RefuseSessions(mailtest.StrictMail, "553 5.7.1 Sender address rejected: not owned by user", 1)
		stages := []rdmail.Stage{rdmail.StageGreeting, rdmail.StageGreeting, rdmail.StageAuth, rdmail.StageMail}
		for i, stage := range stages {
			st, err := f.sender.SendOnce(f.ctx)
			var se *rdmail.SendError
			if !errors.Is(err, tickets.ErrChannelDown) || !errors.As(err, &se) || se.Stage != stage {
				t.Fatalf("refusal %d: %v, want the session down at %s", i+1, err, stage)
			}
			if st.Sent+st.Failed+st.Retried != 0 || st.Deferred != 5 {
				t.Fatalf("refusal %d: %+v", i+1, st)
			}
			for _, it := range f.outbox("") {
				if it.Status != tickets.OutboxPending || it.Attempts != 0 {
					t.Fatalf("refusal %d: %+v", i+1, it)
				}
			}
		}
		if len(events) != 4 || events[1].Alert || !events[2].Alert || events[3].Failures != 4 || events[3].Stage != rdmail.StageMail {
			t.Fatalf("session events %+v", events)
		}
		st, err := f.sender.SendOnce(f.ctx)
		if err != nil || st.Sent != 5 {
			t.Fatalf("after the refusals: %+v %v", st, err)
		}
		if last := events[len(events)-1]; !last.OK || last.Alert || last.Failures != 0 {
			t.Fatalf("not recovered: %+v", last)
		}
		got := f.delivered()
		if len(got) != 5 {
			t.Fatalf("%d delivered", len(got))
		}
		for _, it := range f.outbox("") {
			if it.Status != tickets.OutboxSent || it.Attempts != 1 || got[it.ExternalID] != it.Recipient {
				t.Fatalf("after delivery: %+v", it)
			}
		}
		f.noViolations()
	})
}

// RCPT refused with 5xx: that mail fails for good; the others go on in the
// same session after RSET, without greeting again.
func TestSenderRecipientRefused(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newSendFixture(t, dialect, mailtest.StrictOptions{}, rdmail.SMTPConfig{})
		to := f.requests(5)
		f.peer.RefuseRcpt(to[1], "550 5.1.1 <"+to[1]+">: Recipient address rejected: User unknown")
		st, err := f.sender.SendOnce(f.ctx)
		if err != nil || st.Sent != 4 || st.Failed != 1 {
			t.Fatalf("%+v %v", st, err)
		}
		failed := f.outbox(tickets.OutboxFailed)
		if len(failed) != 1 || failed[0].Recipient != to[1] || !strings.Contains(failed[0].LastError, "550 5.1.1") || !strings.Contains(failed[0].LastError, "rcpt") {
			t.Fatalf("failed %+v", failed)
		}
		if len(f.delivered()) != 4 || f.peer.Sessions() != 1 || len(f.peer.Hellos()) != 1 {
			t.Fatalf("%d delivered in %d sessions, greetings %q", len(f.delivered()), f.peer.Sessions(), f.peer.Hellos())
		}
		f.noViolations()
		f.clock.Advance(24 * time.Hour)
		if st, err := f.sender.SendOnce(f.ctx); err != nil || st.Sent+st.Failed+st.Retried != 0 {
			t.Fatalf("a failed mail was tried again: %+v %v", st, err)
		}
	})
}

// The data refused with 4xx: that mail is tried again later (an attempt
// counted), the others go through; at its time it goes too.
func TestSenderDataDeferred(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newSendFixture(t, dialect, mailtest.StrictOptions{}, rdmail.SMTPConfig{})
		to := f.requests(4)
		f.peer.RefuseData(to[0], "451 4.3.0 Error: queue file write error", 1)
		st, err := f.sender.SendOnce(f.ctx)
		if err != nil || st.Sent != 3 || st.Retried != 1 || st.Failed != 0 {
			t.Fatalf("%+v %v", st, err)
		}
		pending := f.outbox(tickets.OutboxPending)
		if len(pending) != 1 || pending[0].Recipient != to[0] || pending[0].Attempts != 1 || !pending[0].NextAttemptAt.After(f.clock.Now()) ||
			!strings.Contains(pending[0].LastError, "451") {
			t.Fatalf("pending %+v", pending)
		}
		if st, _ := f.sender.SendOnce(f.ctx); st.Sent != 0 {
			t.Fatalf("tried before its time: %+v", st)
		}
		f.clock.Advance(time.Minute)
		if st, err := f.sender.SendOnce(f.ctx); err != nil || st.Sent != 1 {
			t.Fatalf("later: %+v %v", st, err)
		}
		if got := f.delivered(); len(got) != 4 {
			t.Fatalf("%d delivered", len(got))
		}
		f.noViolations()
	})
}

// Run sends a mail as soon as it is committed, not at its next look: with
// an hour between looks, the acknowledgement still goes at once.
func TestSenderWakesWhenMailIsQueued(t *testing.T) {
	f := newSendFixture(t, "sqlite", mailtest.StrictOptions{}, rdmail.SMTPConfig{})
	ctx, cancel := context.WithCancel(f.ctx)
	defer cancel()
	runs := make(chan rdmail.SendStats, 100)
	done := make(chan struct{})
	go func() {
		defer close(done)
		f.sender.Run(ctx, time.Hour, func(st rdmail.SendStats, err error) {
			if err != nil {
				t.Errorf("run: %v", err)
			}
			runs <- st
		})
	}()
	<-runs // the first look, at an empty outbox
	f.requests(1)
	select {
	case st := <-runs:
		if st.Sent != 1 {
			t.Fatalf("woken run: %+v", st)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the committed mail was not sent until the next look")
	}
	cancel()
	<-done
	if len(f.delivered()) != 1 {
		t.Fatal("not delivered")
	}
}

// After a failed session Run waits before it tries again (here a
// millisecond, doubling), and new mail does not cut the pause short; once
// the server takes the session, everything goes.
func TestSenderRunReconnects(t *testing.T) {
	f := newSendFixture(t, "sqlite", mailtest.StrictOptions{}, rdmail.SMTPConfig{})
	f.sender.ReconnectMin, f.sender.ReconnectMax = time.Millisecond, 4*time.Millisecond
	var events []rdmail.SessionState
	f.sender.OnSession = func(s rdmail.SessionState) { events = append(events, s) }
	f.requests(3)
	f.peer.RefuseSessions(mailtest.StrictGreeting, "421 4.3.2 Service not available", 5)
	ctx, cancel := context.WithCancel(f.ctx)
	defer cancel()
	sent := make(chan struct{})
	done := make(chan struct{})
	total := 0
	go func() {
		defer close(done)
		f.sender.Run(ctx, time.Hour, func(st rdmail.SendStats, _ error) {
			if total += st.Sent; total == 3 {
				close(sent)
			}
		})
	}()
	select {
	case <-sent:
	case <-time.After(30 * time.Second):
		t.Fatal("not sent after the server came back")
	}
	cancel()
	<-done
	if len(events) != 6 || events[4].Failures != 5 || events[4].Retry != 4*time.Millisecond || events[1].Retry != 2*time.Millisecond || !events[5].OK {
		t.Fatalf("events %+v", events)
	}
	if len(f.delivered()) != 3 || len(f.outbox(tickets.OutboxSent)) != 3 {
		t.Fatal("not all delivered")
	}
}

// A server that closes the session between two mails (it was idle too
// long, or it limits mails per session) is not a failure: the next mail
// opens a new session at once, and nothing waits.
func TestSenderNewSessionWhenTheServerHangsUp(t *testing.T) {
	f := newSendFixture(t, "sqlite", mailtest.StrictOptions{}, rdmail.SMTPConfig{})
	f.peer.HangUpAfter(2)
	f.requests(5)
	st, err := f.sender.SendOnce(f.ctx)
	if err != nil || st.Sent != 5 || st.Deferred != 0 {
		t.Fatalf("%+v %v", st, err)
	}
	if n, h := f.peer.Sessions(), f.peer.Hellos(); n != 3 || len(h) != 3 || len(f.delivered()) != 5 {
		t.Fatalf("%d sessions, greetings %q", n, h)
	}
	f.noViolations()
}
