package mail_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"image"
	"image/png"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"refunddesk/internal/devmail"
	"refunddesk/internal/storetest"
	"refunddesk/mail"
	"refunddesk/tickets"
)

// With mark_seen_only the mail stays in the INBOX, flagged \Seen, and is
// not taken in twice.
func TestMailMarkSeenOnly(t *testing.T) {
	f := newMailFixture(t, "sqlite", devmail.IMAPOptions{Move: true, UIDPlus: true})
	f.fetcher = mail.NewFetcher(mail.IMAPConfig{Address: f.imap.Addr, TLS: "none", Username: desk, Password: deskPass, MarkSeenOnly: true},
		f.intake, f.svc, nil)
	f.deliver(request("seen1"))
	if st := f.fetch(); st.Created != 1 {
		t.Fatalf("stats %+v", st)
	}
	if inbox, processed, _ := f.folders(); inbox != 1 || processed != 0 {
		t.Fatalf("folders: inbox %d processed %d", inbox, processed)
	}
	if st := f.fetch(); st.Fetched != 0 {
		t.Fatalf("taken twice: %+v", st)
	}
}

// SMTP with AUTH, by PLAIN and by LOGIN; a wrong password is a failure that
// may clear up (it is tried again), not a lost mail.
func TestMailSMTPAuth(t *testing.T) {
	for _, mech := range []string{"plain", "login"} {
		t.Run(mech, func(t *testing.T) {
			f := newMailFixture(t, "sqlite", devmail.IMAPOptions{Move: true, UIDPlus: true})
			srv, err := devmail.StartSMTP(devmail.SMTPOptions{Deliver: f.imap, Users: map[string]string{"desk": "secret"}})
			if err != nil {
				t.Fatal(err)
			}
			defer srv.Close()
			tpl := testTemplates(t)
			bad := mail.NewSender(mail.SMTPConfig{Address: srv.Addr, TLS: "none", Username: "desk", Password: "wrong", Auth: mech},
				mail.Identity{Address: desk}, f.svc, tpl, nil)
			f.deliver(request("auth1"))
			f.fetch()
			// The session's failure, not the mail's: the run stops and says so.
			if st, err := bad.SendOnce(f.ctx); !errors.Is(err, tickets.ErrChannelDown) || st.Sent != 0 || st.Deferred != 1 {
				t.Fatalf("wrong password: %+v %v", st, err)
			}
			pending, _ := f.svc.Delivery.Outbox(f.ctx, tickets.OutboxFilter{Status: tickets.OutboxPending})
			if len(pending) != 1 || !strings.Contains(pending[0].LastError, "auth") || pending[0].Attempts != 0 {
				t.Fatalf("after a failed AUTH: %+v", pending)
			}
			f.clock.Advance(time.Hour)
			good := mail.NewSender(mail.SMTPConfig{Address: srv.Addr, TLS: "none", Username: "desk", Password: "secret", Auth: mech},
				mail.Identity{Address: desk}, f.svc, tpl, nil)
			if st, err := good.SendOnce(f.ctx); err != nil || st.Sent != 1 {
				t.Fatalf("good password: %+v %v", st, err)
			}
			if len(srv.Received()) != 1 {
				t.Fatal("not delivered")
			}
		})
	}
}

// The fetcher comes back after the server goes away and returns.
func TestMailReconnects(t *testing.T) {
	f := newMailFixture(t, "sqlite", devmail.IMAPOptions{Move: true, UIDPlus: true})
	ctx, cancel := context.WithCancel(f.ctx)
	defer cancel()
	passes := make(chan error, 100)
	done := make(chan struct{})
	go func() {
		defer close(done)
		f.fetcher.Run(ctx, func(_ mail.IntakeStats, err error) { passes <- err })
	}()
	if err := <-passes; err != nil {
		t.Fatalf("first pass: %v", err)
	}
	addr := f.imap.Addr
	f.imap.Close()
	// Errors come back while the server is away.
	deadline := time.After(20 * time.Second)
	for gotErr := false; !gotErr; {
		select {
		case err := <-passes:
			gotErr = err != nil
		case <-deadline:
			t.Fatal("no error while the server was away")
		}
	}
	srv, err := devmail.StartIMAP(devmail.IMAPOptions{Addr: addr, Move: true, UIDPlus: true})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	if err := srv.AddUser(desk, deskPass); err != nil {
		t.Fatal(err)
	}
	if err := srv.Append(desk, "INBOX", []byte(request("after"))); err != nil {
		t.Fatal(err)
	}
	for {
		select {
		case err := <-passes:
			if err == nil && len(f.tickets()) == 1 {
				cancel()
				<-done
				return
			}
		case <-deadline:
			t.Fatal("the fetcher did not come back")
		}
	}
}

// A reply carrying the reference but sent from another address is a
// request of its own; a failed DMARC check flags the sender and keeps an
// eligible verdict for review; a mail to a closed ticket reopens it.
func TestMailWhoMayAnswer(t *testing.T) {
	f := newMailFixture(t, "sqlite", devmail.IMAPOptions{Move: true, UIDPlus: true})
	f.deliver(request("w1"))
	f.fetch()
	ref := f.tickets()[0].Ref
	stranger := "From: Someone <someone@else.example>\r\nTo: " + desk + "\r\nSubject: Re: [" + ref + "] refund\r\nMessage-ID: <w2@else.example>\r\n" +
		"Content-Type: text/plain\r\n\r\nPlease send the money to me instead.\r\n"
	f.deliver(stranger)
	if st := f.fetch(); st.Replies != 0 || st.Created != 1 {
		t.Fatalf("a stranger's reply: %+v", st)
	}
	if d := f.detail(ref); len(d.Messages) != 1 {
		t.Fatalf("the stranger's words joined %s", ref)
	}

	sari := strings.ReplaceAll(strings.ReplaceAll(budiRequest("w3"), "7301234567890000035", "7301234567890000049"), "@budi_kreasi", "@sari.kue")
	spoof := strings.Replace(sari, "MIME-Version", "Authentication-Results: mx.refunddesk.example; dmarc=fail header.from=example.com; spf=fail\r\nMIME-Version", 1)
	f.deliver(spoof)
	f.fetch()
	res, _ := f.svc.Records.Search(f.ctx, "flag:unverified_sender", "", 10, "")
	if len(res.Tickets) != 1 || res.Tickets[0].Eligibility.Verdict != tickets.VerdictNeedsReview {
		t.Fatalf("unverified: %+v", res.Tickets)
	}

	if _, err := f.svc.Desk.Act(f.ctx, tickets.ActionRequest{Ref: ref, Actor: "ayu", Action: tickets.ActionClose}); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(3 * 24 * time.Hour)
	back := "From: Rani Putri <rani@example.id>\r\nTo: " + desk + "\r\nSubject: Re: [" + ref + "] Mohon refund promosi\r\nMessage-ID: <w4@mail.example.id>\r\n" +
		"Content-Type: text/plain\r\n\r\nKak kok ditutup? Saya belum dapat refund.\r\n"
	f.deliver(back)
	if st := f.fetch(); st.Replies != 1 {
		t.Fatalf("answer to a closed ticket: %+v", st)
	}
	if d := f.detail(ref); d.Status != tickets.StatusInReview || !d.HasFlag(tickets.FlagReopened) {
		t.Fatalf("not reopened: %s %v", d.Status, d.Flags)
	}
}

// A pass takes the mailbox in batches, each one transaction: with two mails
// a batch, a request and its requester's answer in the same batch thread
// (the answer sees the uncommitted ticket), a broken mail beside good ones
// is set aside alone, and every mail is taken in once.
func TestMailBatchesThreadWithinAGroup(t *testing.T) {
	eachVariant(t, func(t *testing.T, f *mailFixture) {
		f.fetcher = mail.NewFetcher(mail.IMAPConfig{Address: f.imap.Addr, TLS: "none", Username: desk, Password: deskPass,
			BatchSize: 2}, f.intake, f.svc, nil)
		f.deliver(request("g1"))
		f.deliver("From: Rani Putri <rani@example.id>\r\nTo: " + desk + "\r\nSubject: Re: Mohon refund promosi\r\n" +
			"Message-ID: <g2@mail.example.id>\r\nIn-Reply-To: <g1@mail.example.id>\r\nDate: Mon, 16 Nov 2026 10:05:00 +0700\r\n\r\n" +
			"Satu lagi kak, ini bukti tambahan dari saya.\r\n")
		f.deliver(budiRequest("g3"))
		f.deliver("this is not a mail at all, no header, no body separator")
		f.deliver(budiRequest("g3")) // the same mail again: a duplicate
		st := f.fetch()
		if st.Fetched != 5 || st.Created != 2 || st.Replies != 1 || st.Failed != 1 || st.Duplicates != 1 {
			t.Fatalf("stats %+v", st)
		}
		ts := f.tickets()
		if len(ts) != 2 {
			t.Fatalf("%d tickets, want 2", len(ts))
		}
		rani := f.detail("RD-1")
		if rani.Requester.Email != "rani@example.id" || len(rani.Messages) != 2 {
			t.Fatalf("Rani's ticket: %s with %d messages, want her request and her answer", rani.Requester.Email, len(rani.Messages))
		}
		inbox, processed, failed := f.folders()
		if inbox != 0 || processed != 4 || failed != 1 {
			t.Fatalf("folders: inbox %d processed %d failed %d", inbox, processed, failed)
		}
		if again := f.fetch(); again.Fetched != 0 {
			t.Fatalf("a second pass took in %+v", again)
		}
	})
}

// A mail with bytes that are not UTF-8 in its ids, subject and sender's
// name, and a NUL in its text, is taken in on every store (PostgreSQL's
// text refuses both) and answers to nothing by accident.
func TestMailWithBrokenBytesIsTakenIn(t *testing.T) {
	eachVariant(t, func(t *testing.T, f *mailFixture) {
		f.deliver("From: Ren\xe9 <rene@example.com>\r\nTo: " + desk + "\r\nSubject: Caf\xe9 refund\r\n" +
			"Message-ID: <caf\xe9@example.com>\r\nIn-Reply-To: <old\xe9@example.com>\r\nDate: Mon, 16 Nov 2026 10:00:00 +0700\r\n\r\n" +
			"Refund please for order 7301234567890000049,\x00 the views were far below the estimate.\r\n")
		if st := f.fetch(); st.Created != 1 || st.Failed != 0 {
			t.Fatalf("stats %+v", st)
		}
		d := f.detail("RD-1")
		if d.Requester.Email != "rene@example.com" || !utf8.ValidString(d.Details) || strings.Contains(d.Details, "\x00") {
			t.Fatalf("ticket: %+v", d.Ticket)
		}
	})
}

// The intake sorts a mail's files before it submits them: the same file
// twice is kept once; a file that is no evidence, an empty one and files
// beyond the per-ticket limit are named in the message; and the ticket is
// made.
func TestMailSortsItsAttachments(t *testing.T) {
	clock := storetest.NewClock(time.Date(2026, 11, 16, 4, 0, 0, 0, time.UTC))
	ctx := context.Background()
	part := func(name, ct string, data []byte) string {
		return "--b1\r\nContent-Type: " + ct + "; name=" + name + "\r\nContent-Disposition: attachment; filename=" + name +
			"\r\nContent-Transfer-Encoding: base64\r\n\r\n" + base64.StdEncoding.EncodeToString(data) + "\r\n"
	}
	shot := screenshotPNG()
	raw := "From: Rani Putri <rani@example.id>\r\nTo: " + desk + "\r\nSubject: Mohon refund promosi\r\n" +
		"Message-ID: <files1@mail.example.id>\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/mixed; boundary=b1\r\n\r\n--b1\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n" +
		"Promosi no. pesanan 7301234567890000021 jangkauannya cuma 2rb. Nama akun: @rani.putri\r\n" +
		part("a.png", "image/png", shot) + part("again.png", "image/png", shot) + part("fake.png", "image/png", []byte("MZ\x90\x00binary")) + part("empty.png", "image/png", nil) +
		part("big.png", "image/png", append(screenshotPNG(), make([]byte, 5000)...))
	for i := range 5 {
		var b bytes.Buffer
		_ = png.Encode(&b, image.NewRGBA(image.Rect(0, 0, 9+i, 9)))
		raw += part(fmt.Sprintf("receipt%d.png", i), "image/png", b.Bytes())
		if i == 4 {
			raw += part("receipt4-again.png", "image/png", b.Bytes())
		}
	}
	raw += "--b1--\r\n"
	lim := tickets.DefaultLimits()
	lim.MaxEvidenceBytes = 4096
	svc := tickets.NewService(openStore(t, "sqlite", clock), tickets.Options{Clock: clock, Limits: lim})
	if _, err := svc.Records.ImportPromotions(ctx, strings.NewReader(records), tickets.ImportOptions{File: "records.csv"}); err != nil {
		t.Fatal(err)
	}
	taken, err := mail.NewIntake(svc, mail.IntakeConfig{Address: desk, Catalog: testCatalog(t)}, nil).Take(ctx, []byte(raw), "test")
	if err != nil || taken.Outcome != mail.TookCreated {
		t.Fatalf("taken %+v, %v", taken, err)
	}
	d, err := svc.Records.Detail(ctx, taken.Ref)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range d.Ticket.Evidence {
		names = append(names, e.Name)
	}
	if want := "a.png receipt0.png receipt1.png receipt2.png receipt3.png"; strings.Join(names, " ") != want {
		t.Errorf("evidence %v, want %s", names, want)
	}
	for _, note := range []string{"fake.png (image/png, 10 bytes)", "empty.png (image/png, 0 bytes)", "big.png: the file is 5 KiB, more than the 4 KiB allowed", "receipt4.png (more than 5 files)"} {
		if !strings.Contains(d.Ticket.Details, note) {
			t.Errorf("details do not name %q:\n%s", note, d.Ticket.Details)
		}
	}
	if strings.Contains(d.Ticket.Details, "again.png") {
		t.Errorf("details name the repeated file:\n%s", d.Ticket.Details)
	}
}
