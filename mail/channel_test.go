package mail_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"

	"image"
	"image/png"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/jhillyerd/enmime/v2"

	"refunddesk/internal/devmail"
	"refunddesk/internal/storetest"
	"refunddesk/mail"
	"refunddesk/templates"
	"refunddesk/tickets"
)

const (
	desk     = "support@refunddesk.example"
	deskPass = "desk-password"
	records  = "order_number,account,video_id,objective,amount,currency,payment_method,created_at,start_at,end_at,closed_at,status,promised_reach,delivered_reach,spend,incident,refunded\n" +
		"7301234567890000021,@rani.putri,7300000000000000001,views,150000,IDR,wallet,2026-11-01T08:00:00Z,2026-11-01T09:00:00Z,2026-11-08T09:00:00Z,,completed,20000,2000,150000,false,0\n" +
		"7301234567890000035,@budi_kreasi,7300000000000000002,followers,80000,IDR,coins,2026-11-05T08:00:00Z,2026-11-05T09:00:00Z,2026-11-09T09:00:00Z,,completed,10000,9500,80000,false,0\n" +
		"7301234567890000049,@sari.kue,7300000000000000003,views,120000,IDR,wallet,2026-11-04T08:00:00Z,2026-11-04T09:00:00Z,2026-11-10T09:00:00Z,,completed,30000,3000,120000,false,0\n"
)

// The templates and the message catalog are parsed once per test binary
// and shared by every fixture and intake (they are read-only once parsed):
// parsing them again for each took about 1.3-1.9 s (templates) and
// 0.5-0.9 s (catalog) under -race on the loaded 2-core machine. The
// catalog is the one NewIntake loads when none is given (its logger
// discards); TestMailTooBig, TestMailSetAsideReasonsAreCodes and
// TestIntakeWarnsWhenNothingCanBeBelieved still let NewIntake load its own.
var (
	sharedTemplates = sync.OnceValues(func() (*templates.Engine, error) { return templates.New() })
	sharedCatalog   = sync.OnceValues(func() (*templates.Catalog, error) {
		return templates.NewCatalog(slog.New(slog.DiscardHandler))
	})
)

func testTemplates(t testing.TB) *templates.Engine {
	t.Helper()
	tpl, err := sharedTemplates()
	if err != nil {
		t.Fatal(err)
	}
	return tpl
}

func testCatalog(t testing.TB) *templates.Catalog {
	t.Helper()
	cat, err := sharedCatalog()
	if err != nil {
		t.Fatal(err)
	}
	return cat
}

// mailFixture is the email channel against real peers on loopback: go-imap's
// in-memory server and go-smtp's server, and a real store.
type mailFixture struct {
	t       *testing.T
	ctx     context.Context
	clock   *storetest.Clock
	svc     *tickets.Service
	imap    *devmail.IMAP
	smtp    *devmail.SMTP
	intake  *mail.Intake
	fetcher *mail.Fetcher
	sender  *mail.Sender
	smtpCfg mail.SMTPConfig
}

func newMailFixture(t *testing.T, dialect string, caps devmail.IMAPOptions) *mailFixture {
	t.Helper()
	f := &mailFixture{t: t, ctx: context.Background(), clock: storetest.NewClock(time.Date(2026, 11, 16, 4, 0, 0, 0, time.UTC))}
	db := openStore(t, dialect, f.clock)
	f.svc = tickets.NewService(db, tickets.Options{Clock: f.clock})
	if _, err := f.svc.Records.ImportPromotions(f.ctx, strings.NewReader(records), tickets.ImportOptions{File: "records.csv"}); err != nil {
		t.Fatal(err)
	}
	var err error
	if f.imap, err = devmail.StartIMAP(caps); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.imap.Close() })
	for _, u := range []string{desk, "rani@example.id", "budi@example.com"} {
		if err := f.imap.AddUser(u, deskPass); err != nil {
			t.Fatal(err)
		}
	}
	if f.smtp, err = devmail.StartSMTP(devmail.SMTPOptions{Deliver: f.imap}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.smtp.Close() })
	f.intake = mail.NewIntake(f.svc, mail.IntakeConfig{Address: desk, Auth: mail.AuthConfig{AuthServIDs: []string{"mx.refunddesk.example"}},
		Catalog: testCatalog(t)}, nil)
	f.fetcher = mail.NewFetcher(mail.IMAPConfig{Address: f.imap.Addr, TLS: "none", Username: desk, Password: deskPass,
		PollInterval: tickets.Duration{Duration: 50 * time.Millisecond}}, f.intake, f.svc, nil)
	tpl := testTemplates(t)
	f.smtpCfg = mail.SMTPConfig{Address: f.smtp.Addr, TLS: "none"}
	f.sender = mail.NewSender(f.smtpCfg, mail.Identity{Address: desk, Name: "Refund Desk"}, f.svc, tpl, nil)
	return f
}

// deliver puts a mail in the desk's INBOX, as the mail server would.
func (f *mailFixture) deliver(raw string) {
	f.t.Helper()
	if err := f.imap.Append(desk, "INBOX", []byte(raw)); err != nil {
		f.t.Fatal(err)
	}
}

func (f *mailFixture) fetch() mail.IntakeStats {
	f.t.Helper()
	st, err := f.fetcher.RunOnce(f.ctx)
	if err != nil {
		f.t.Fatalf("fetch: %v", err)
	}
	return st
}

func (f *mailFixture) send() mail.SendStats {
	f.t.Helper()
	st, err := f.sender.SendOnce(f.ctx)
	if err != nil {
		f.t.Fatalf("send: %v", err)
	}
	return st
}

func (f *mailFixture) tickets() []tickets.Ticket {
	f.t.Helper()
	res, err := f.svc.Records.Search(f.ctx, "", "", 100, "")
	if err != nil {
		f.t.Fatal(err)
	}
	return res.Tickets
}

func (f *mailFixture) detail(ref string) *tickets.TicketDetail {
	f.t.Helper()
	d, err := f.svc.Records.Detail(f.ctx, ref)
	if err != nil {
		f.t.Fatal(err)
	}
	return d
}

// folders counts the mail a client would see in the desk's folders (the
// INBOX without the mail flagged deleted after a COPY).
func (f *mailFixture) folders() (inbox, processed, failed int) {
	return f.imap.CountLive(desk, "INBOX"), f.imap.Count(desk, "refunddesk/processed"), f.imap.Count(desk, "refunddesk/unprocessed")
}

// budiRequest is the same request from Budi, for his own order.
func budiRequest(id string) string {
	r := strings.ReplaceAll(request(id), "7301234567890000021", "7301234567890000035")
	r = strings.ReplaceAll(r, "Rani Putri <rani@example.id>", "Budi <budi@example.com>")
	return strings.ReplaceAll(r, "@rani.putri", "@budi_kreasi")
}

func screenshotPNG() []byte {
	img := image.NewRGBA(image.Rect(0, 0, 8, 8))
	var b bytes.Buffer
	_ = png.Encode(&b, img)
	return b.Bytes()
}

// request is a new request from Rani: under-delivery, in Indonesian, with a
// screenshot.
func request(id string) string {
	return "From: Rani Putri <rani@example.id>\r\nTo: " + desk + "\r\nSubject: Mohon refund promosi\r\n" +
		"Message-ID: <" + id + "@mail.example.id>\r\nDate: Mon, 16 Nov 2026 10:00:00 +0700\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/mixed; boundary=b1\r\n\r\n--b1\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n" +
		"Halo kak, promosi saya dengan no. pesanan 7301234567890000021 jangkauannya cuma 2rb padahal estimasi 20rb.\r\n" +
		"Nama akun: @rani.putri\r\nMohon pengembalian dana. Terima kasih.\r\n\r\n" +
		"--b1\r\nContent-Type: image/png; name=hasil.png\r\nContent-Disposition: attachment; filename=hasil.png\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
		base64.StdEncoding.EncodeToString(screenshotPNG()) + "\r\n--b1--\r\n"
}

// capsVariants: with MOVE and UIDPLUS, and without them (COPY, then flag).
var capsVariants = []struct {
	name string
	opt  devmail.IMAPOptions
}{
	{"move", devmail.IMAPOptions{Move: true, UIDPlus: true, Idle: true}},
	{"copy", devmail.IMAPOptions{}},
}

// eachVariant runs fn on each store and each set of capabilities; the
// variants of a store run in parallel (each has its own servers and store,
// and mostly waits on them).
func eachVariant(t *testing.T, fn func(t *testing.T, f *mailFixture)) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		for _, v := range capsVariants {
			t.Run(v.name, func(t *testing.T) {
				t.Parallel()
				fn(t, newMailFixture(t, dialect, v.opt))
			})
		}
	})
}

func TestMailNewRequestAndAnswer(t *testing.T) {
	eachVariant(t, func(t *testing.T, f *mailFixture) {
		// Someone else's deleted mail sits in the INBOX: it must survive.
		if err := f.imap.Append(desk, "INBOX", []byte("From: x@example.com\r\nSubject: old\r\n\r\nold\r\n"), imap.FlagDeleted); err != nil {
			t.Fatal(err)
		}
		others := func() int { return f.imap.Count(desk, "INBOX") - f.imap.CountLive(desk, "INBOX") }
		f.deliver(request("req1"))
		st := f.fetch()
		if st.Created != 1 || st.Fetched != 1 {
			t.Fatalf("stats %+v", st)
		}
		list := f.tickets()
		if len(list) != 1 {
			t.Fatalf("%d tickets", len(list))
		}
		tk := list[0]
		if tk.Channel != tickets.ChannelEmail || tk.Account != "@rani.putri" || tk.Order != "7301234567890000021" ||
			tk.Reason != tickets.ReasonUnderDelivery || tk.Language != tickets.LangIndonesian || len(tk.Evidence) != 1 ||
			tk.Eligibility.Verdict != tickets.VerdictEligible || tk.Requester.Email != "rani@example.id" {
			t.Fatalf("ticket %+v", tk)
		}
		inbox, processed, failed := f.folders()
		if inbox != 0 || processed != 1 || failed != 0 || others() < 1 {
			t.Fatalf("folders: inbox %d processed %d failed %d, deleted %d", inbox, processed, failed, others())
		}
		// Nothing new: a second pass does nothing.
		if st := f.fetch(); st.Fetched != 0 {
			t.Fatalf("second pass %+v", st)
		}

		// The acknowledgement goes out, threaded under the request.
		if st := f.send(); st.Sent != 1 {
			t.Fatalf("send %+v", st)
		}
		got := f.smtp.Received()
		if len(got) != 1 || got[0].To[0] != "rani@example.id" || got[0].From != desk {
			t.Fatalf("smtp %+v", got)
		}
		env, err := enmime.ReadEnvelope(bytes.NewReader(got[0].Data))
		if err != nil {
			t.Fatal(err)
		}
		ref := tk.Ref
		for h, want := range map[string]string{"In-Reply-To": "<req1@mail.example.id>", "References": "<req1@mail.example.id>",
			"Auto-Submitted": "auto-replied", "Message-Id": "<rd.1."} {
			if !strings.Contains(env.GetHeader(h), want) {
				t.Errorf("%s: %q, want %q", h, env.GetHeader(h), want)
			}
		}
		if !strings.Contains(env.GetHeader("Subject"), "["+ref+"]") || env.Text == "" || env.HTML == "" {
			t.Fatalf("acknowledgement: subject %q, text %d, html %d", env.GetHeader("Subject"), len(env.Text), len(env.HTML))
		}
		if f.imap.Count("rani@example.id", "INBOX") != 1 {
			t.Fatal("the acknowledgement did not land in the requester's mailbox")
		}

		// An agent asks; the requester answers by replying: it joins the
		// ticket, and the ticket goes back to the agents.
		if _, err := f.svc.Desk.Act(f.ctx, tickets.ActionRequest{Ref: ref, Actor: "ayu", Action: tickets.ActionAsk, Text: "Kapan promosi berakhir?"}); err != nil {
			t.Fatal(err)
		}
		f.send()
		ours := f.smtp.Received()[1]
		ourEnv, _ := enmime.ReadEnvelope(bytes.NewReader(ours.Data))
		answer := "From: Rani Putri <rani@example.id>\r\nTo: " + desk + "\r\nSubject: Re: " + ourEnv.GetHeader("Subject") + "\r\n" +
			"Message-ID: <req2@mail.example.id>\r\nIn-Reply-To: " + ourEnv.GetHeader("Message-Id") + "\r\n" +
			"Date: Mon, 16 Nov 2026 12:00:00 +0700\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n" +
			"Berakhir tanggal 8 November kak.\r\n\r\nPada Sen, 16 Nov 2026 pukul 11.00, Refund Desk <" + desk + "> menulis:\r\n> Kapan promosi berakhir?\r\n"
		f.deliver(answer)
		if st := f.fetch(); st.Replies != 1 {
			t.Fatalf("answer stats %+v", st)
		}
		d := f.detail(ref)
		last := d.Messages[len(d.Messages)-1]
		if last.Kind != tickets.MessageIn || last.Body != "Berakhir tanggal 8 November kak." || last.ExternalID != "req2@mail.example.id" {
			t.Fatalf("answer message %+v", last)
		}
		if d.Status != tickets.StatusInReview || len(f.tickets()) != 1 {
			t.Fatalf("after the answer: %s, %d tickets", d.Status, len(f.tickets()))
		}
		// The next mail to Rani threads under both of hers.
		if _, err := f.svc.Desk.Act(f.ctx, tickets.ActionRequest{Ref: ref, Actor: "ayu", Action: tickets.ActionApprove}); err != nil {
			t.Fatal(err)
		}
		f.send()
		approved, _ := enmime.ReadEnvelope(bytes.NewReader(f.smtp.Received()[2].Data))
		if approved.GetHeader("In-Reply-To") != "<req2@mail.example.id>" || !strings.Contains(approved.GetHeader("References"), "<req1@mail.example.id>") {
			t.Fatalf("approval threading: %q / %q", approved.GetHeader("In-Reply-To"), approved.GetHeader("References"))
		}
		if approved.GetHeader("Auto-Submitted") != "" {
			t.Fatal("an agent's message says Auto-Submitted")
		}
		if f.imap.Count(desk, "INBOX") < 1 || others() < 1 {
			t.Fatalf("the deleted mail of someone else is gone")
		}
	})
}

func TestMailLoopsAndFailures(t *testing.T) {
	eachVariant(t, func(t *testing.T, f *mailFixture) {
		f.deliver("From: Budi <budi@example.com>\r\nTo: " + desk + "\r\nSubject: Out of office\r\nAuto-Submitted: auto-replied\r\n" +
			"Message-ID: <ooo1@example.com>\r\n\r\nI am away until Monday.\r\n")
		f.deliver("From: News <news@shop.example>\r\nTo: " + desk + "\r\nSubject: Promo!\r\nList-Unsubscribe: <mailto:u@shop.example>\r\n" +
			"Message-ID: <n1@shop.example>\r\n\r\nBig sale\r\n")
		f.deliver("From: " + desk + "\r\nTo: " + desk + "\r\nSubject: loop\r\nMessage-ID: <x@mail.example>\r\n\r\nours\r\n")
		f.deliver("this is not a mail at all, no header, no body separator")
		st := f.fetch()
		if st.Ignored != 3 || st.Failed != 1 || st.Created != 0 {
			t.Fatalf("stats %+v", st)
		}
		if n := len(f.tickets()); n != 0 {
			t.Fatalf("%d tickets from automatic mail", n)
		}
		inbox, processed, failed := f.folders()
		if inbox != 0 || processed != 3 || failed != 1 {
			t.Fatalf("folders: inbox %d processed %d failed %d", inbox, processed, failed)
		}
		// The unreadable mail is set aside; the two automatic ones (not our
		// own) are listed for agents too, in the processed folder.
		fails, err := f.svc.Intake.Failures(f.ctx, 10)
		if err != nil || len(fails) != 3 || fails[0].SetAside != "refunddesk/unprocessed" || fails[0].Reason == "" ||
			fails[1].SetAside != "refunddesk/processed" || fails[2].SetAside != "refunddesk/processed" ||
			!strings.HasPrefix(fails[1].Why().Words, "taken for automatic mail") || !strings.HasPrefix(fails[2].Why().Words, "taken for automatic mail") {
			t.Fatalf("failures %+v %v", fails, err)
		}

		// A bounce of one of our mails marks the address undeliverable.
		f.deliver(request("b1"))
		f.fetch()
		ref := f.tickets()[0].Ref
		f.send()
		ours, _ := enmime.ReadEnvelope(bytes.NewReader(f.smtp.Received()[0].Data))
		bounce := "From: Mail Delivery Subsystem <MAILER-DAEMON@mx.example.id>\r\nTo: " + desk + "\r\nSubject: Undelivered Mail Returned to Sender\r\n" +
			"Message-ID: <bounce1@mx.example.id>\r\nAuto-Submitted: auto-replied\r\nMIME-Version: 1.0\r\n" +
			"Content-Type: multipart/report; report-type=delivery-status; boundary=r1\r\n\r\n" +
			"--r1\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n" +
			"--r1\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.id\r\n\r\nFinal-Recipient: rfc822; rani@example.id\r\nAction: failed\r\nStatus: 5.1.1\r\nDiagnostic-Code: smtp; 550 5.1.1 user unknown\r\n\r\n" +
			"--r1\r\nContent-Type: message/rfc822\r\n\r\nMessage-ID: " + ours.GetHeader("Message-Id") + "\r\nFrom: " + desk + "\r\nTo: rani@example.id\r\nSubject: x\r\n\r\nbody\r\n--r1--\r\n"
		f.deliver(bounce)
		if st := f.fetch(); st.Bounces != 1 || st.Created != 0 {
			t.Fatalf("bounce stats %+v", st)
		}
		if d := f.detail(ref); !d.HasFlag(tickets.FlagUndeliverable) {
			t.Fatalf("not flagged undeliverable: %v", d.Flags)
		}
	})
}

// A mail over the size limit is set aside without being downloaded.
func TestMailTooBig(t *testing.T) {
	f := newMailFixture(t, "sqlite", devmail.IMAPOptions{Move: true, UIDPlus: true})
	f.fetcher = mail.NewFetcher(mail.IMAPConfig{Address: f.imap.Addr, TLS: "none", Username: desk, Password: deskPass},
		mail.NewIntake(f.svc, mail.IntakeConfig{Address: desk, MaxSize: 500}, nil), f.svc, nil)
	f.deliver(request("big")) // about 1 KB
	st := f.fetch()
	if st.Failed != 1 || len(f.tickets()) != 0 {
		t.Fatalf("stats %+v", st)
	}
	fails, _ := f.svc.Intake.Failures(f.ctx, 10)
	if len(fails) != 1 || !strings.Contains(fails[0].Reason, "more than the") {
		t.Fatalf("failures %+v", fails)
	}
	if _, _, failed := f.folders(); failed != 1 {
		t.Fatal("not set aside")
	}
}

// A crash after the ticket is committed and before the mail is moved: the
// next run sees the mail again and makes no second ticket. A UIDVALIDITY
// change (the server rebuilt the folder) likewise.
func TestMailSeenAgainMakesNoDuplicate(t *testing.T) {
	eachVariant(t, func(t *testing.T, f *mailFixture) {
		raw := request("crash1")
		// The first run took the mail in and stopped before moving it.
		if got, err := f.intake.Take(f.ctx, []byte(raw), "INBOX UID 1"); err != nil || got.Outcome != mail.TookCreated {
			t.Fatalf("take: %+v %v", got, err)
		}
		f.deliver(raw)
		st := f.fetch()
		if st.Duplicates != 1 || st.Created != 0 {
			t.Fatalf("stats %+v", st)
		}
		if n := len(f.tickets()); n != 1 {
			t.Fatalf("%d tickets", n)
		}
		if inbox, processed, _ := f.folders(); inbox != 0 || processed != 1 {
			t.Fatalf("the mail was not moved: inbox %d processed %d", inbox, processed)
		}
		d := f.detail(f.tickets()[0].Ref)
		if len(d.Messages) != 1 || len(d.Outbox) != 1 {
			t.Fatalf("doubled: %d messages, %d outbox", len(d.Messages), len(d.Outbox))
		}

		// The server rebuilds the INBOX (a new UIDVALIDITY) with the same
		// mail in it, and a new one.
		other := budiRequest("new2")
		if err := f.imap.Recreate(desk, "INBOX", [][]byte{[]byte(raw), []byte(other)}); err != nil {
			t.Fatal(err)
		}
		st = f.fetch()
		if st.Duplicates != 1 || st.Created != 1 {
			t.Fatalf("after the UIDVALIDITY change: %+v", st)
		}
		if n := len(f.tickets()); n != 2 {
			t.Fatalf("%d tickets", n)
		}
	})
}

// SMTP down, then up: nothing is lost, nothing is sent twice; 4xx is tried
// again later, 5xx marks the mail failed.
func TestMailSendingSurvivesOutages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newMailFixture(t, dialect, devmail.IMAPOptions{Move: true, UIDPlus: true})
		f.deliver(request("s1"))
		f.deliver(budiRequest("s2"))
		f.fetch()

		addr := f.smtp.Addr
		f.smtp.Close()
		// A server that cannot be reached says nothing about the mails: the
		// run stops with the channel down, and they wait uncounted.
		st, err := f.sender.SendOnce(f.ctx)
		if !errors.Is(err, tickets.ErrChannelDown) || st.Sent != 0 || st.Retried != 0 || st.Deferred != 2 {
			t.Fatalf("while down: %+v %v", st, err)
		}
		pending, _ := f.svc.Delivery.Outbox(f.ctx, tickets.OutboxFilter{Status: tickets.OutboxPending})
		if len(pending) != 2 || pending[0].LastError == "" || pending[0].Attempts != 0 {
			t.Fatalf("pending %+v", pending)
		}
		// Up again on the same address.
		var serr error
		if f.smtp, serr = devmail.StartSMTP(devmail.SMTPOptions{Addr: addr, Deliver: f.imap}); serr != nil {
			t.Fatal(serr)
		}
		t.Cleanup(func() { f.smtp.Close() })
		// The first gets a temporary refusal, the second goes through.
		calls := 0
		f.smtp.SetRefuse(func(string, []string) error {
			calls++
			if calls == 1 {
				return devmail.TemporaryFailure
			}
			return nil
		})
		if st := f.send(); st.Sent != 1 || st.Retried != 1 {
			t.Fatalf("mixed: %+v", st)
		}
		f.clock.Advance(10 * time.Minute)
		if st := f.send(); st.Sent != 1 {
			t.Fatalf("retry: %+v", st)
		}
		got := f.smtp.Received()
		if len(got) != 2 || got[0].To[0] == got[1].To[0] {
			t.Fatalf("delivered %+v", got)
		}
		if st := f.send(); st.Sent+st.Retried+st.Failed != 0 {
			t.Fatalf("sent twice: %+v", st)
		}

		// A permanent refusal: failed, listed, not tried again.
		if _, err := f.svc.Desk.Act(f.ctx, tickets.ActionRequest{Ref: f.tickets()[0].Ref, Actor: "ayu", Action: tickets.ActionReply, Text: "hello"}); err != nil {
			t.Fatal(err)
		}
		f.smtp.SetRefuse(func(string, []string) error { return devmail.PermanentFailure })
		if st := f.send(); st.Failed != 1 {
			t.Fatalf("permanent: %+v", st)
		}
		failed, _ := f.svc.Delivery.Outbox(f.ctx, tickets.OutboxFilter{Status: tickets.OutboxFailed})
		if len(failed) != 1 || !strings.Contains(failed[0].LastError, "550") {
			t.Fatalf("failed list %+v", failed)
		}
		f.clock.Advance(24 * time.Hour)
		if st := f.send(); st.Sent+st.Retried+st.Failed != 0 {
			t.Fatalf("a failed mail was tried again: %+v", st)
		}
	})
}

// IDLE wakes the fetcher when mail arrives; polling covers what IDLE misses.
func TestMailRunPicksUpNewMail(t *testing.T) {
	f := newMailFixture(t, "sqlite", devmail.IMAPOptions{Move: true, UIDPlus: true, Idle: true})
	ctx, cancel := context.WithCancel(f.ctx)
	defer cancel()
	passes := make(chan mail.IntakeStats, 100)
	done := make(chan struct{})
	go func() {
		defer close(done)
		f.fetcher.Run(ctx, func(st mail.IntakeStats, err error) {
			if err == nil {
				passes <- st
			}
		})
	}()
	<-passes // the first pass, on an empty INBOX
	f.deliver(request("idle1"))
	deadline := time.After(20 * time.Second)
	for created := 0; created == 0; {
		select {
		case st := <-passes:
			created += st.Created
		case <-deadline:
			t.Fatal("the new mail was not taken in")
		}
	}
	cancel()
	<-done
	if n := len(f.tickets()); n != 1 {
		t.Fatalf("%d tickets", n)
	}
}

// One mail that reaches the mailbox twice, by two routes (each server adds
// its own trace headers), is one request; a different mail that reuses the
// Message-ID (some mailers do) is not taken for it.
func TestMailSameMailByAnotherRouteIsADuplicate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newMailFixture(t, dialect, capsVariants[0].opt)
		raw := request("route1")
		if got, err := f.intake.Take(f.ctx, []byte(raw), "INBOX UID 1"); err != nil || got.Outcome != mail.TookCreated {
			t.Fatalf("take: %+v %v", got, err)
		}
		rerouted := "Return-Path: <rani@example.id>\r\nDelivered-To: " + desk + "\r\n" +
			"Received: from mx2.example.id (mx2.example.id [192.0.2.7]) by mail.example.com; Mon, 16 Nov 2026 10:00:05 +0700\r\n" +
			"Authentication-Results: mail.example.com; spf=pass smtp.mailfrom=example.id\r\n" + raw
		got, err := f.intake.Take(f.ctx, []byte(rerouted), "INBOX UID 2")
		if err != nil || got.Outcome != mail.TookDuplicate {
			t.Fatalf("the same mail by another route: %+v %v", got, err)
		}
		reused := strings.Replace(raw, "jangkauannya cuma 2rb", "jangkauannya cuma 3rb, dan ini mail lain", 1)
		got, err = f.intake.Take(f.ctx, []byte(reused), "INBOX UID 3")
		if err != nil || got.Outcome == mail.TookDuplicate {
			t.Fatalf("another mail under the same Message-ID was taken for the first: %+v %v", got, err)
		}
		d := f.detail(f.tickets()[0].Ref)
		if len(d.Messages) != 2 {
			t.Fatalf("%d messages on the ticket, want 2 (the request and the other mail)", len(d.Messages))
		}
	})
}
