package mailtest_test

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-smtp"

	"refunddesk/internal/mailtest"
)

const (
	user = "rani@example.test"
	pass = "rani-pw"
)

func mailFrom(from, subject string) []byte {
	return []byte("From: " + from + "\r\nTo: " + user + "\r\nSubject: " + subject + "\r\nMessage-ID: <" +
		strings.ReplaceAll(subject, " ", ".") + "@desk.example.test>\r\n\r\nHello.\r\n")
}

// submit sends raw to Postfix as a client greeting with helo.
func submit(pf *mailtest.Postfix, helo, from string, raw []byte) error {
	c, err := smtp.Dial(pf.Addr)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.Hello(helo); err != nil {
		return err
	}
	if err := c.SendMail(from, []string{user}, bytes.NewReader(raw)); err != nil {
		return err
	}
	return c.Quit()
}

// waitMessages waits until an account's folder holds n mails.
func waitMessages(t *testing.T, dc *mailtest.Dovecot, folder string, n int) [][]byte {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		msgs, err := dc.Messages(user, folder)
		if err != nil {
			t.Fatal(err)
		}
		if len(msgs) >= n || time.Now().After(deadline) {
			if len(msgs) != n {
				t.Fatalf("%s holds %d mails, want %d", folder, len(msgs), n)
			}
			return msgs
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Mail submitted to Postfix by a client that greets with a fully-qualified
// name arrives in Dovecot's mailbox; one that greets as "localhost" is
// refused. On each of Dovecot's layouts, one instance pair after another.
func TestPostfixDeliversIntoDovecot(t *testing.T) {
	for _, tc := range []struct {
		name   string
		opts   mailtest.DovecotOptions
		folder string // refunddesk/processed as the server names it
	}{
		{"maildir", mailtest.DovecotOptions{Layout: mailtest.Maildir}, "refunddesk.processed"},
		{"fs", mailtest.DovecotOptions{Layout: mailtest.MaildirFS}, "refunddesk/processed"},
		{"inbox-prefix", mailtest.DovecotOptions{Layout: mailtest.Maildir, Prefix: "INBOX."}, "INBOX.refunddesk.processed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			tc.opts.Users = map[string]string{user: pass}
			dc := mailtest.StartDovecot(t, tc.opts)
			dcUp := time.Since(start)
			pf := mailtest.StartPostfix(t, mailtest.PostfixOptions{Dovecot: dc})
			t.Logf("dovecot up in %v, postfix in %v", dcUp.Round(time.Millisecond), (time.Since(start) - dcUp).Round(time.Millisecond))

			if err := submit(pf, "desk.example.test", "support@desk.example.test", mailFrom("support@desk.example.test", "first try")); err != nil {
				t.Fatalf("EHLO desk.example.test: %v", err)
			}
			msgs := waitMessages(t, dc, "INBOX", 1)
			for _, want := range []string{"Subject: first try", "Delivered-To: " + user, "by mail.example.test (Postfix)", "with LMTP"} {
				if !bytes.Contains(msgs[0], []byte(want)) {
					t.Errorf("the delivered mail lacks %q:\n%s", want, msgs[0])
				}
			}

			err := submit(pf, "localhost", "support@desk.example.test", mailFrom("support@desk.example.test", "from localhost"))
			var se *smtp.SMTPError
			if !errors.As(err, &se) || se.Code != 504 || !strings.Contains(se.Message, "Helo command rejected") {
				t.Fatalf("EHLO localhost: %v, want 504 Helo command rejected", err)
			}

			// The layout's separator and prefix, as clients see them.
			if got := dc.Folder("refunddesk/processed"); got != tc.folder {
				t.Fatalf("Folder: %q, want %q", got, tc.folder)
			}
			if err := dc.Append(user, tc.folder, msgs[0]); err != nil {
				t.Fatal(err)
			}
			folders, err := dc.Folders(user)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Contains(folders, tc.folder) {
				t.Fatalf("folders %q lack %q", folders, tc.folder)
			}
			waitMessages(t, dc, tc.folder, 1)
			// Nothing more arrived: the refused mail is not queued either.
			time.Sleep(200 * time.Millisecond)
			waitMessages(t, dc, "INBOX", 1)
		})
	}
}

// Delivering, appending, reading back, and changing UIDVALIDITY: by
// doveadm (UIDs go on) and by forgetting the UIDs (they start again at 1).
func TestDovecotHelpers(t *testing.T) {
	dc := mailtest.StartDovecot(t, mailtest.DovecotOptions{Users: map[string]string{user: pass}})
	if err := dc.AddUser("budi@example.test", "budi-pw"); err != nil {
		t.Fatal(err)
	}
	if dc.Password("budi@example.test") != "budi-pw" {
		t.Fatal("no password for budi")
	}
	var raws [][]byte
	for i := range 3 {
		raws = append(raws, mailFrom("budi@example.test", fmt.Sprintf("mail %d", i)))
	}
	if err := dc.Deliver(user, raws[:2]...); err != nil {
		t.Fatal(err)
	}
	if err := dc.Append(user, "INBOX", raws[2]); err != nil {
		t.Fatal(err)
	}
	msgs := waitMessages(t, dc, "INBOX", 3)
	for i, m := range msgs {
		if !bytes.Contains(m, []byte(fmt.Sprintf("Subject: mail %d", i))) {
			t.Fatalf("mail %d out of order:\n%s", i, m)
		}
	}
	if dc.LMTPAddr != "" && !bytes.Contains(msgs[0], []byte("Return-Path: <budi@example.test>")) {
		t.Errorf("an LMTP delivery's envelope sender is the From address:\n%s", msgs[0])
	}
	if !bytes.Equal(msgs[2], raws[2]) {
		t.Errorf("an appended mail is stored byte for byte:\n%q\n%q", msgs[2], raws[2])
	}
	counts, err := dc.Counts("INBOX")
	if err != nil || len(counts) != 2 || counts[user] != 3 || counts["budi@example.test"] != 0 {
		t.Fatalf("counts %v, %v", counts, err)
	}
	// An open session is seen, with its process.
	c, err := imapclient.DialInsecure(dc.Addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Login(user, pass).Wait(); err != nil {
		t.Fatal(err)
	}
	pids, err := dc.Sessions(user)
	if err != nil || len(pids) != 1 || syscall.Kill(pids[0], 0) != nil {
		t.Fatalf("sessions of %s: %v, %v", user, pids, err)
	}
	if other, err := dc.Sessions("budi@example.test"); err != nil || len(other) != 0 {
		t.Fatalf("sessions of budi: %v, %v", other, err)
	}
	c.Close()
	if _, err := dc.Messages(user, "no such folder"); err == nil {
		t.Error("reading a folder that does not exist is not an error")
	}

	v, err := dc.UIDValidity(user, "INBOX")
	if err != nil || v == 0 {
		t.Fatalf("uidvalidity %d, %v", v, err)
	}
	if err := dc.SetUIDValidity(user, "INBOX", v+100); err != nil {
		t.Fatal(err)
	}
	if got, _ := dc.UIDValidity(user, "INBOX"); got != v+100 {
		t.Fatalf("uidvalidity %d after setting %d", got, v+100)
	}
	status := func() string {
		out, err := dc.Doveadm("-f", "flow", "mailbox", "status", "-u", user, "uidnext messages", "INBOX")
		if err != nil {
			t.Fatal(err)
		}
		return strings.TrimSpace(out)
	}
	if err := dc.Deliver(user, mailFrom("budi@example.test", "mail 3")); err != nil {
		t.Fatal(err)
	}
	if _, err := dc.Doveadm("expunge", "-u", user, "mailbox", "INBOX", "uid", "1:2"); err != nil {
		t.Fatal(err)
	}
	if s := status(); !strings.Contains(s, "messages=2 uidnext=5") {
		t.Fatalf("before renumbering: %s", s)
	}
	if err := dc.RenumberUIDs(user, "INBOX"); err != nil {
		t.Fatal(err)
	}
	if got, _ := dc.UIDValidity(user, "INBOX"); got == v+100 {
		t.Fatalf("uidvalidity still %d after renumbering", got)
	}
	if s := status(); !strings.Contains(s, "messages=2 uidnext=3") {
		t.Fatalf("after renumbering: %s", s)
	}
	msgs = waitMessages(t, dc, "INBOX", 2)
	if !bytes.Contains(msgs[0], []byte("Subject: mail 2")) || !bytes.Contains(msgs[1], []byte("Subject: mail 3")) {
		t.Fatalf("after renumbering:\n%s\n%s", msgs[0], msgs[1])
	}
}
