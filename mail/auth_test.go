package mail_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-msgauth/dkim"

	"refunddesk/internal/devmail"
	"refunddesk/mail"
	"refunddesk/tickets"
)

// authMail is a person's mail with the given Authentication-Results
// fields, topmost first.
func authMail(fields ...string) string {
	var b strings.Builder
	b.WriteString("Return-Path: <sari@example.com>\r\n")
	for _, f := range fields {
		b.WriteString("Authentication-Results: " + f + "\r\n")
	}
	b.WriteString("From: Sari <sari@example.com>\r\nTo: " + desk + "\r\nSubject: refund\r\nMessage-ID: <a1@example.com>\r\n" +
		"Date: Mon, 16 Nov 2026 10:00:00 +0700\r\nContent-Type: text/plain\r\n\r\nMohon refund promosi saya.\r\n")
	return b.String()
}

// Only the topmost field of a configured server is believed; fields of
// other servers, and fields below it (which anyone could have written
// before the mail reached the server), never count.
func TestAuthenticationResultsOfTheReceivingServerOnly(t *testing.T) {
	ours := []string{"mx.refunddesk.example"}
	cases := []struct {
		name    string
		ids     []string
		fields  []string
		present bool
		failed  bool
		header  int
		dkim    string
	}{
		{"no authserv_id configured: nothing believed", nil,
			[]string{"mx.refunddesk.example; dmarc=fail spf=fail"}, false, false, 0, ""},
		{"the server's own fail", ours,
			[]string{"mx.refunddesk.example; dkim=none; spf=fail smtp.mailfrom=sari@example.com; dmarc=fail header.from=example.com"}, true, true, 1, "none"},
		{"a pass written below the server's fail", ours,
			[]string{"mx.refunddesk.example; dmarc=fail header.from=example.com", "mx.refunddesk.example; dmarc=pass spf=pass dkim=pass"}, true, true, 1, ""},
		{"a fail written below the server's pass", ours,
			[]string{"mx.refunddesk.example; dmarc=pass header.from=example.com", "mx.refunddesk.example; dmarc=fail spf=fail"}, true, false, 1, ""},
		{"only another server's field", ours,
			[]string{"mx.attacker.example; dmarc=pass spf=pass dkim=pass"}, false, false, 0, ""},
		{"an inner relay's field above the server's", ours,
			[]string{"relay.internal.example; spf=pass", "mx.refunddesk.example; spf=softfail"}, true, true, 2, ""},
		{"OpenDKIM's comment with a semicolon", ours,
			[]string{"mx.refunddesk.example;\r\n\tdkim=pass (2048-bit key; unprotected) header.d=example.com header.i=@example.com;\r\n\tspf=fail (mx: domain of x does not designate 203.0.113.7) smtp.mailfrom=example.com"}, true, true, 1, "pass"},
		{"a version number and another case", []string{"MX.RefundDesk.Example"},
			[]string{"mx.refunddesk.example 1; dkim=pass header.d=example.com"}, true, false, 1, "pass"},
		{"a wildcard over the server's hosts", []string{"*.prod.outlook.com"},
			[]string{"SG2PR04MB5411.apcprd04.prod.outlook.com; spf=fail"}, true, true, 1, ""},
		{"a wildcard is not its own domain", []string{"*.prod.outlook.com"},
			[]string{"prod.outlook.com; spf=fail"}, false, false, 0, ""},
		{"a wildcard is not a longer label", []string{"*.prod.outlook.com"},
			[]string{"evilprod.outlook.com; spf=fail"}, false, false, 0, ""},
		{"Microsoft's field without an authserv-id", []string{"*.prod.outlook.com"},
			[]string{"spf=fail (sender IP is 203.0.113.7) smtp.mailfrom=example.com; dkim=none (message not signed) header.d=none;dmarc=fail action=none header.from=example.com"}, false, false, 0, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			raw := []byte(authMail(c.fields...))
			m, err := mail.Parse(raw)
			if err != nil {
				t.Fatal(err)
			}
			mail.NewAuthenticator(mail.AuthConfig{AuthServIDs: c.ids}, nil).Check(context.Background(), m, raw)
			a := m.Auth
			if a.Present != c.present || a.Failed() != c.failed || a.Header != c.header || (c.dkim != "" && a.DKIM != c.dkim) {
				t.Fatalf("got %+v, want present %v failed %v header %d dkim %q", a, c.present, c.failed, c.header, c.dkim)
			}
			if a.Present && (a.Source != mail.AuthFromHeader || a.AuthServID == "") {
				t.Fatalf("which field was believed is not said: %+v", a)
			}
			if !a.Present && a.Note == "" {
				t.Fatalf("no note on why nothing was believed: %+v", a)
			}
		})
	}
}

func TestAuthServIDValidation(t *testing.T) {
	good := mail.AuthConfig{AuthServIDs: []string{"mx.google.com", "*.prod.outlook.com", "mx.refunddesk.example"}}
	if errs := good.Validate("mail"); len(errs) != 0 {
		t.Fatalf("good ids refused: %q", errs)
	}
	for _, id := range []string{"", "mx.google.com; spf=pass", "*.com", "mx.*.example", "a b", "*", "user@example.com"} {
		errs := mail.AuthConfig{AuthServIDs: []string{id}}.Validate("mail")
		if len(errs) != 1 || !strings.HasPrefix(errs[0], "mail.authserv_id: ") {
			t.Errorf("%q: %q", id, errs)
		}
	}
}

// The intake flags what the receiving server says failed, and nothing a
// sender wrote: a spoof that carries its own passing field below the
// server's fail is flagged; a sender's own fail field, with no field of the
// server, is not believed (and with require_auth, flagged as unverified).
func TestIntakeFlagsOnlyWhatTheServerSaid(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name        string
		requireAuth bool
		fields      []string
		flagged     bool
	}{
		{"the server's fail above a forged pass", false,
			[]string{"mx.refunddesk.example; dmarc=fail spf=fail", "mx.refunddesk.example; dmarc=pass spf=pass"}, true},
		{"a forged fail of the server's name below its pass", false,
			[]string{"mx.refunddesk.example; dmarc=pass spf=pass dkim=pass", "mx.refunddesk.example; dmarc=fail"}, false},
		{"another server's pass, require_auth", true, []string{"mx.elsewhere.example; dmarc=pass spf=pass dkim=pass"}, true},
		{"another server's fail, no require_auth", false, []string{"mx.elsewhere.example; dmarc=fail spf=fail"}, false},
		{"the server's pass, require_auth", true, []string{"mx.refunddesk.example; dmarc=pass spf=pass dkim=pass"}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel() // each case has its own store
			svc := tickets.NewService(openSQLiteCopy(t), tickets.Options{})
			in := mail.NewIntake(svc, mail.IntakeConfig{Address: desk, RequireAuth: c.requireAuth,
				Auth: mail.AuthConfig{AuthServIDs: []string{"mx.refunddesk.example"}}, Catalog: testCatalog(t)}, nil)
			taken, err := in.Take(ctx, []byte(authMail(c.fields...)), "test")
			if err != nil || taken.Outcome != mail.TookCreated {
				t.Fatalf("%+v %v", taken, err)
			}
			// A mail read by Parse alone and given to TakeParsed has its
			// believed field weighed all the same.
			m, err := mail.Parse([]byte(strings.ReplaceAll(authMail(c.fields...), "<a1@example.com>", "<a2@example.com>")))
			if err != nil {
				t.Fatal(err)
			}
			parsed, err := in.TakeParsed(ctx, m, "test")
			if err != nil || parsed.Outcome != mail.TookCreated {
				t.Fatalf("%+v %v", parsed, err)
			}
			for _, ref := range []string{taken.Ref, parsed.Ref} {
				tk, err := svc.Records.Ticket(ctx, ref)
				if err != nil {
					t.Fatal(err)
				}
				if got := tk.HasFlag(tickets.FlagUnverifiedSender); got != c.flagged {
					t.Fatalf("%s: unverified_sender %v, want %v", ref, got, c.flagged)
				}
			}
		})
	}
}

// With require_auth on and no authserv_id, the intake warns at start: every
// mail would be flagged.
func TestIntakeWarnsWhenNothingCanBeBelieved(t *testing.T) {
	for _, c := range []struct {
		cfg  mail.IntakeConfig
		warn bool
	}{
		{mail.IntakeConfig{RequireAuth: true}, true},
		{mail.IntakeConfig{RequireAuth: true, Auth: mail.AuthConfig{VerifyDKIM: true}}, true},
		{mail.IntakeConfig{RequireAuth: true, Auth: mail.AuthConfig{AuthServIDs: []string{"mx.google.com"}}}, false},
		{mail.IntakeConfig{}, false},
	} {
		var logs bytes.Buffer
		mail.NewIntake(nil, c.cfg, slog.New(slog.NewTextHandler(&logs, nil)))
		if got := strings.Contains(logs.String(), "level=WARN") && strings.Contains(logs.String(), "mail.authserv_id"); got != c.warn {
			t.Errorf("%+v: warned %v, want %v: %s", c.cfg, got, c.warn, logs.String())
		}
	}
}

// dkimKey is a test signing key and the DNS that publishes it.
type dkimKey struct {
	priv    ed25519.PrivateKey
	records map[string]string
	lookups atomic.Int32
}

func newDKIMKey(t *testing.T, domain, selector string) *dkimKey {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return &dkimKey{priv: priv, records: map[string]string{
		selector + "._domainkey." + domain: "v=DKIM1; k=ed25519; p=" + base64.StdEncoding.EncodeToString(pub)}}
}

// lookup answers TXT queries for the published keys, with no network.
func (k *dkimKey) lookup(_ context.Context, name string) ([]string, error) {
	k.lookups.Add(1)
	if r, ok := k.records[name]; ok {
		return []string{r}, nil
	}
	return nil, errors.New("no such host")
}

func (k *dkimKey) sign(t *testing.T, raw, domain, selector string) string {
	var out bytes.Buffer
	err := dkim.Sign(&out, strings.NewReader(raw), &dkim.SignOptions{Domain: domain, Selector: selector, Signer: k.priv,
		HeaderKeys: []string{"From", "To", "Subject", "Date", "Message-ID"}})
	if err != nil {
		t.Fatal(err)
	}
	return out.String()
}

// With verify_dkim and no believed field, the desk checks the signature
// itself, with keys from an injected lookup: a valid signature of the From
// domain passes; a broken one, another domain's, or none is no result, as
// an untrusted field is.
func TestDKIMCheckedByTheDesk(t *testing.T) {
	key := newDKIMKey(t, "example.com", "s1")
	// The same key published for another domain: its signatures verify,
	// but they are not the From domain's.
	key.records["s1._domainkey.mailer.example"] = key.records["s1._domainkey.example.com"]
	plain := authMail()
	signed := key.sign(t, plain, "example.com", "s1")
	cases := []struct {
		name    string
		raw     string
		present bool
	}{
		{"a valid signature of the From domain", signed, true},
		{"a signature of a parent of the From domain", key.sign(t, strings.ReplaceAll(plain, "sari@example.com", "sari@mail.example.com"), "example.com", "s1"), true},
		{"the body changed after signing", strings.Replace(signed, "Mohon refund", "Mohon transfer", 1), false},
		{"a signature of another domain", key.sign(t, plain, "mailer.example", "s1"), false},
		{"a key that is not published", key.sign(t, plain, "example.com", "gone"), false},
		{"no signature", plain, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, err := mail.Parse([]byte(c.raw))
			if err != nil {
				t.Fatal(err)
			}
			a := mail.NewAuthenticator(mail.AuthConfig{VerifyDKIM: true, LookupTXT: key.lookup}, nil)
			a.Check(context.Background(), m, []byte(c.raw))
			if m.Auth.Present != c.present || m.Auth.Failed() {
				t.Fatalf("got %+v, want present %v and never failed", m.Auth, c.present)
			}
			if c.present && (m.Auth.Source != mail.AuthFromDKIM || m.Auth.DKIM != "pass" || m.Auth.Signer != "example.com") {
				t.Fatalf("got %+v", m.Auth)
			}
			if !c.present && m.Auth.Note == "" {
				t.Fatalf("no note: %+v", m.Auth)
			}
		})
	}

	// A believed field is enough: no DNS.
	raw := key.sign(t, authMail("mx.refunddesk.example; dmarc=pass"), "example.com", "s1")
	m, _ := mail.Parse([]byte(raw))
	before := key.lookups.Load()
	mail.NewAuthenticator(mail.AuthConfig{AuthServIDs: []string{"mx.refunddesk.example"}, VerifyDKIM: true, LookupTXT: key.lookup}, nil).
		Check(context.Background(), m, []byte(raw))
	if m.Auth.Source != mail.AuthFromHeader || key.lookups.Load() != before {
		t.Fatalf("%+v after %d lookups", m.Auth, key.lookups.Load()-before)
	}
}

// A lookup that does not answer is cut off by the timeout, the mail counts
// as not verified, and the next mails are not held up at all: the checks
// pause.
func TestDKIMLookupsThatHangDoNotHoldTheIntake(t *testing.T) {
	key := newDKIMKey(t, "example.com", "s1")
	raw := []byte(key.sign(t, authMail(), "example.com", "s1"))
	var calls atomic.Int32
	hang := func(ctx context.Context, name string) ([]string, error) {
		calls.Add(1)
		<-ctx.Done()
		return nil, ctx.Err()
	}
	a := mail.NewAuthenticator(mail.AuthConfig{VerifyDKIM: true, DKIMTimeout: 20 * time.Millisecond, LookupTXT: hang}, nil)
	for i := range 3 {
		m, _ := mail.Parse(raw)
		a.Check(context.Background(), m, raw)
		if m.Auth.Present || m.Auth.Note == "" {
			t.Fatalf("mail %d: %+v", i, m.Auth)
		}
	}
	if n := calls.Load(); n != 1 {
		t.Fatalf("%d lookups: the checks did not pause after the first timed out", n)
	}
}

// The fetcher checks DKIM where it parses a batch (outside the batch's
// transaction): a signed request taken from the mailbox is verified, an
// unsigned one is flagged under require_auth.
func TestFetcherChecksDKIM(t *testing.T) {
	key := newDKIMKey(t, "example.id", "s1")
	f := newMailFixture(t, "sqlite", devmail.IMAPOptions{Move: true, UIDPlus: true})
	f.intake = mail.NewIntake(f.svc, mail.IntakeConfig{Address: desk, RequireAuth: true,
		Auth: mail.AuthConfig{VerifyDKIM: true, LookupTXT: key.lookup}, Catalog: testCatalog(t)}, nil)
	f.fetcher = mail.NewFetcher(mail.IMAPConfig{Address: f.imap.Addr, TLS: "none", Username: desk, Password: deskPass},
		f.intake, f.svc, nil)
	f.deliver(key.sign(t, request("d1"), "example.id", "s1"))
	f.deliver(budiRequest("d2"))
	if st := f.fetch(); st.Created != 2 {
		t.Fatalf("stats %+v", st)
	}
	for _, tk := range f.tickets() {
		signed := tk.Requester.Email == "rani@example.id"
		if tk.HasFlag(tickets.FlagUnverifiedSender) == signed {
			t.Errorf("%s (%s): flags %v", tk.Ref, tk.Requester.Email, tk.Flags)
		}
	}
}
