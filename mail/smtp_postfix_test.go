package mail_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"refunddesk/internal/mailtest"
	"refunddesk/internal/storetest"
	"refunddesk/mail"
	"refunddesk/tickets"
)

// The sender against a server we did not write: Postfix (from Debian's
// packages, with reject_non_fqdn_helo_hostname) delivering into Dovecot.
// A batch goes over one session, greeting with the desk's domain; a desk
// whose address has no usable domain greets with its address literal,
// which Postfix takes too (it would refuse "localhost").
func TestSenderThroughPostfix(t *testing.T) {
	users := map[string]string{}
	for i := range 10 {
		users[fmt.Sprintf("r%d@example.test", i)] = "pw"
	}
	dc := mailtest.StartDovecot(t, mailtest.DovecotOptions{Users: users})
	pf := mailtest.StartPostfix(t, mailtest.PostfixOptions{Dovecot: dc})
	ctx := context.Background()
	clock := storetest.NewClock(time.Now())
	svc := tickets.NewService(openStore(t, "sqlite", clock), tickets.Options{Clock: clock})
	tpl := testTemplates(t)
	for i := range 10 {
		if _, err := svc.Intake.Submit(ctx, tickets.SubmitRequest{Kind: tickets.KindRevocation, Channel: tickets.ChannelEmail,
			Requester: tickets.Requester{Email: fmt.Sprintf("r%d@example.test", i)}, Account: fmt.Sprintf("@creator%d", i), Details: "cabut izin"}); err != nil {
			t.Fatal(err)
		}
	}
	cfg := mail.SMTPConfig{Address: pf.Addr, TLS: "none"}
	s := mail.NewSender(cfg, mail.Identity{Address: "support@desk.example.test"}, svc, tpl, nil)
	if st, err := s.SendOnce(ctx); err != nil || st.Sent != 10 {
		t.Fatalf("%+v %v\n%s", st, err, pf.Log())
	}
	// Postfix sums up each session when it ends: one greeting, ten mails.
	waitLog(t, pf, "ehlo=1 mail=10 rcpt=10 data=10 quit=1 commands=32")

	// The address literal, from a desk at localhost.
	if _, err := svc.Desk.Act(ctx, tickets.ActionRequest{Ref: "RD-1", Actor: "ayu", Action: tickets.ActionReply, Text: "on it"}); err != nil {
		t.Fatal(err)
	}
	local := mail.NewSender(cfg, mail.Identity{Address: "desk@localhost"}, svc, tpl, nil)
	if st, err := local.SendOnce(ctx); err != nil || st.Sent != 1 {
		t.Fatalf("from localhost: %+v %v\n%s", st, err, pf.Log())
	}
	waitLog(t, pf, "ehlo=1 mail=1 rcpt=1 data=1 quit=1 commands=5")

	deadline := time.Now().Add(30 * time.Second)
	for i := 0; i < 10; {
		name := fmt.Sprintf("r%d@example.test", i)
		msgs, err := dc.Messages(name, "INBOX")
		want := 1
		if i == 0 {
			want = 2
		}
		if err == nil && len(msgs) >= want {
			i++
			continue
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s has %d mails (%v)\npostfix:\n%s\ndovecot:\n%s", name, len(msgs), err, pf.Log(), dc.Log())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// waitLog waits until Postfix's log says want.
func waitLog(t *testing.T, pf *mailtest.Postfix, want string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(pf.Log(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("postfix's log never says %q:\n%s", want, pf.Log())
		}
		time.Sleep(50 * time.Millisecond)
	}
}
