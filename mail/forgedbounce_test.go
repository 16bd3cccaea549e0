package mail_test

import (
	"context"
	"strings"
	"testing"

	"refunddesk/internal/devmail"
	"refunddesk/mail"
	"refunddesk/tickets"
)

// textBounce is a plain-text bounce, as any mail server (or anyone) can
// write one, threaded under a desk Message-ID (they are guessable).
func textBounce(id, failed string) string {
	return "Return-Path: <>\r\nFrom: Mail Delivery System <mailer-daemon@attacker.example>\r\nTo: " + desk + "\r\n" +
		"Subject: Mail delivery failed: returning message to sender\r\nMessage-ID: <" + id + "@attacker.example>\r\n" +
		"References: <rd.1.1@refunddesk.example>\r\nAuto-Submitted: auto-replied\r\nX-Failed-Recipients: " + failed + "\r\n\r\n" +
		"This message was created automatically by mail delivery software.\r\n\r\n" +
		"A message that you sent could not be delivered to one or more of its\r\nrecipients. This is a permanent error. The following address(es) failed:\r\n\r\n" +
		"  " + failed + "\r\n    Diagnostic: 550 5.1.1 User unknown\r\n"
}

// A forged bounce naming a desk mail of RD-1 but an address that is not
// RD-1's requester changes no ticket: the desk keeps mailing her. It is
// recorded for agents as automatic mail. A bounce naming her address
// flags RD-1 (the test can tell).
func TestForgedBounceChangesNoTicket(t *testing.T) {
	f := newMailFixture(t, "sqlite", devmail.IMAPOptions{Move: true, UIDPlus: true})
	f.deliver(request("r1"))
	f.fetch()
	if tk := f.tickets(); len(tk) != 1 || tk[0].Ref != "RD-1" || tk[0].Requester.Email != "rani@example.id" {
		t.Fatalf("tickets %+v", tk)
	}
	f.deliver(textBounce("forged1", "nobody@attacker.example"))
	if st := f.fetch(); st.Bounces != 1 || st.Failed != 0 {
		t.Fatalf("stats %+v", st)
	}
	if d := f.detail("RD-1"); d.HasFlag(tickets.FlagUndeliverable) {
		t.Fatalf("a forged bounce flagged RD-1: %v", d.Flags)
	}
	fails, err := f.svc.Intake.Failures(context.Background(), 10)
	if err != nil || len(fails) != 1 || !strings.Contains(fails[0].Reason, "nobody@attacker.example, not RD-1's requester") ||
		!strings.HasPrefix(fails[0].Why().Words, "taken for automatic mail (") {
		t.Fatalf("records %+v %v", fails, err)
	}

	// The same bounce naming the requester's address is believed.
	in := mail.NewIntake(f.svc, mail.IntakeConfig{Address: desk, Catalog: testCatalog(t)}, nil)
	taken, err := in.Take(context.Background(), []byte(textBounce("real1", "rani@example.id")), "test")
	if err != nil || taken.Outcome != mail.TookBounce || taken.Ref != "RD-1" || taken.Automatic != "" {
		t.Fatalf("%+v %v", taken, err)
	}
	if d := f.detail("RD-1"); !d.HasFlag(tickets.FlagUndeliverable) {
		t.Fatalf("the requester's bounce did not flag RD-1: %v", d.Flags)
	}
}
