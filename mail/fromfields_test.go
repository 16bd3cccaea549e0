package mail_test

import (
	"context"
	"strings"
	"testing"

	"refunddesk/mail"
	"refunddesk/tickets"
)

// Mallory signs a mail as herself (DKIM of her domain, which is the
// victim's too) and puts the victim's From on top: the signature covers
// the bottom From, the desk would answer the top one. A mail with two From
// fields, or one naming several addresses, is never verified, whatever
// the signature or the receiving server's DMARC says, and its ticket is
// flagged unverified_sender with the reason.
func TestAmbiguousFromIsNeverVerified(t *testing.T) {
	ctx := context.Background()
	key := newDKIMKey(t, "example.com", "s1")
	plain := "From: Mallory <mallory@example.com>\r\nTo: " + desk + "\r\nSubject: Refund ORD-1\r\nDate: Mon, 1 Jun 2026 10:00:00 +0000\r\nMessage-ID: <x1@example.com>\r\n\r\nMohon refund ORD-1\r\n"
	signed := key.sign(t, plain, "example.com", "s1")
	trustedPass := "Authentication-Results: mx.refunddesk.example; dmarc=pass header.from=example.com; dkim=pass header.d=example.com; spf=pass\r\n"
	cases := []struct {
		name, raw, problem string
	}{
		{"a second From on top of a signed mail", "From: Sari <sari@example.com>\r\n" + signed, "2 From fields"},
		{"a second From, the server's DMARC pass", trustedPass + "From: Sari <sari@example.com>\r\n" + signed, "2 From fields"},
		{"a From with two addresses, the server's DMARC pass", trustedPass + strings.Replace(plain, "From: Mallory <mallory@example.com>",
			"From: Sari <sari@example.com>, Mallory <mallory@example.com>", 1), "names 2 addresses"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel() // each case has its own store
			m, err := mail.Parse([]byte(c.raw))
			if err != nil {
				t.Fatal(err)
			}
			a := mail.NewAuthenticator(mail.AuthConfig{VerifyDKIM: true, LookupTXT: key.lookup,
				AuthServIDs: []string{"mx.refunddesk.example"}}, nil)
			a.Check(ctx, m, []byte(c.raw))
			if m.Auth.Present || !strings.Contains(m.FromProblem, c.problem) || !strings.Contains(m.Auth.Note, c.problem) {
				t.Fatalf("From %s: believed or no reason: problem %q, auth %+v", m.From.Address, m.FromProblem, m.Auth)
			}
			svc := tickets.NewService(openSQLiteCopy(t), tickets.Options{})
			in := mail.NewIntake(svc, mail.IntakeConfig{Address: desk, Auth: mail.AuthConfig{VerifyDKIM: true,
				LookupTXT: key.lookup, AuthServIDs: []string{"mx.refunddesk.example"}}, Catalog: testCatalog(t)}, nil)
			taken, err := in.Take(ctx, []byte(c.raw), "test")
			if err != nil || taken.Outcome != mail.TookCreated {
				t.Fatalf("%+v %v", taken, err)
			}
			tk, err := svc.Records.Ticket(ctx, taken.Ref)
			if err != nil {
				t.Fatal(err)
			}
			if !tk.HasFlag(tickets.FlagUnverifiedSender) || !strings.Contains(tk.Details, c.problem) {
				t.Fatalf("flags %v, details %q: not flagged with the reason", tk.Flags, tk.Details)
			}
		})
	}
	// The same mail with its one From is believed (the test can tell).
	m, _ := mail.Parse([]byte(trustedPass + signed))
	mail.NewAuthenticator(mail.AuthConfig{AuthServIDs: []string{"mx.refunddesk.example"}}, nil).Check(ctx, m, []byte(trustedPass+signed))
	if !m.Auth.Present || m.Auth.DMARC != "pass" || m.FromProblem != "" {
		t.Fatalf("one From: %q %+v", m.FromProblem, m.Auth)
	}
}
