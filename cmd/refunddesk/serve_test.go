package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"refunddesk/internal/devmail"
	"refunddesk/internal/storetest"
	"refunddesk/tickets"
	"refunddesk/tickets/sqlstore"
)

// syncBuffer is a bytes.Buffer a running command writes while the test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// background is a long-running command (serve, demo) in this process.
type background struct {
	out, errs *syncBuffer
	cancel    context.CancelFunc
	done      chan struct{} // closed when the command has returned
	code      int
}

// start runs a command until stop; it uses the system clock (the work is
// real: mail, HTTP, leases).
func (c *cli) start(args ...string) *background {
	c.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	b := &background{out: &syncBuffer{}, errs: &syncBuffer{}, cancel: cancel, done: make(chan struct{})}
	env := map[string]string{}
	for k, v := range c.env {
		env[k] = v
	}
	m := &Main{Stdin: strings.NewReader(""), Stdout: b.out, Stderr: b.errs, Getenv: func(k string) string { return env[k] }}
	go func() {
		b.code = m.Run(ctx, args)
		_ = m.Close()
		close(b.done)
	}()
	c.t.Cleanup(func() {
		cancel()
		select {
		case <-b.done:
		case <-time.After(30 * time.Second):
		}
	})
	return b
}

// waitOut waits until the command printed something matching re and
// returns the match's groups.
func (b *background) waitOut(t *testing.T, re string) []string {
	t.Helper()
	rx := regexp.MustCompile(re)
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if m := rx.FindStringSubmatch(b.out.String()); m != nil {
			return m
		}
		select {
		case <-b.done:
			t.Fatalf("the command ended (exit %d) before printing %q\nstdout: %s\nstderr: %s", b.code, re, b.out, b.errs)
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Fatalf("no %q within 20s\nstdout: %s\nstderr: %s", re, b.out, b.errs)
	return nil
}

// stop interrupts the command and returns its exit code.
func (b *background) stop(t *testing.T) int {
	t.Helper()
	b.cancel()
	select {
	case <-b.done:
		return b.code
	case <-time.After(30 * time.Second):
		t.Fatalf("the command did not stop within 30s\nstderr: %s", b.errs)
	}
	return -1
}

// eventually polls cond until it holds (or fails the test after 20 s).
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 20s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func apiGet(t *testing.T, url, token string, v any) int {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if v != nil {
		if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
			t.Fatal(err)
		}
	}
	return resp.StatusCode
}

// The demo as a newcomer runs it: started, a sample request mailed with
// `demo send`, taken in, acknowledged into the requester's mailbox, seen
// through the API; then interrupted, exiting 0. It starts with an empty
// queue (--sample-tickets 0), so the mailed request is the only ticket;
// TestDemoQueue is the sample tickets' test.
func TestDemoEndToEnd(t *testing.T) {
	c := newCLI(t, sqlstore.SQLite)
	demo := c.start("demo", "--records", "600", "--sample-tickets", "0", "--imap", "127.0.0.1:0", "--smtp", "127.0.0.1:0", "--http", "127.0.0.1:0")
	m := demo.waitOut(t, `IMAP (127\.0\.0\.1:\d+), SMTP (127\.0\.0\.1:\d+)`)
	imapAddr, smtpAddr := m[1], m[2]
	m = demo.waitOut(t, `Bearer (demo-[0-9a-f]+)' http://(127\.0\.0\.1:\d+)/api/tickets`)
	token, httpAddr := m[1], m[2]
	for _, want := range []string{"intake", "sender", "followups", "http", "promotions: 600 read"} {
		if !strings.Contains(demo.out.String(), want) {
			t.Fatalf("the demo does not say %q:\n%s", want, demo.out)
		}
	}

	if out := c.ok("demo", "send", "--list", "--records", "600"); strings.Count(out, "\n") < 5 {
		t.Fatalf("samples: %s", out)
	}
	c.fails(exitUsage, "demo", "send", "99", "--smtp", smtpAddr)
	out := c.ok("demo", "send", "1", "--smtp", smtpAddr, "--records", "600")
	if !strings.Contains(out, "sent sample 1 from rani.putri@example.id") {
		t.Fatalf("send: %s", out)
	}
	var list []tickets.Ticket
	eventually(t, "the sample request becomes a ticket", func() bool {
		apiGet(t, "http://"+httpAddr+"/api/tickets", token, &list)
		return len(list) == 1
	})
	if tk := list[0]; tk.Channel != tickets.ChannelEmail || tk.Language != "id" || tk.Reason != tickets.ReasonUnderDelivery || tk.Order == "" {
		t.Fatalf("ticket: %+v", tk)
	}
	// The acknowledgement reached the requester's mailbox on the demo's IMAP server.
	eventually(t, "the acknowledgement is delivered", func() bool {
		var d tickets.TicketDetail
		apiGet(t, "http://"+httpAddr+"/api/tickets/RD-1", token, &d)
		return len(d.Outbox) > 0 && d.Outbox[0].Status == tickets.OutboxSent
	})
	if n := imapCount(t, imapAddr, "rani.putri@example.id", "demo"); n != 1 {
		t.Fatalf("rani's inbox holds %d mails", n)
	}
	var h struct {
		Status string `json:"status"`
	}
	if code := apiGet(t, "http://"+httpAddr+"/healthz", "", &h); code != 200 || h.Status != "ok" {
		t.Fatalf("healthz: %d %+v", code, h)
	}
	resp, err := http.Get("http://" + httpAddr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	var mb bytes.Buffer
	_, _ = mb.ReadFrom(resp.Body)
	resp.Body.Close()
	for _, want := range []string{`refunddesk_tickets{status="in_review"} 1`, `refunddesk_mail_taken_total{outcome="created"} 1`,
		`refunddesk_outbox{channel="email",status="pending"} 0`, `refunddesk_followups_due{kind="escalate"} 0`, "refunddesk_mail_intake_lag_seconds"} {
		if !strings.Contains(mb.String(), want) {
			t.Fatalf("metrics lack %q:\n%s", want, mb.String())
		}
	}
	if code := demo.stop(t); code != 0 {
		t.Fatalf("demo exit %d: %s", code, demo.errs)
	}
	if !strings.Contains(demo.errs.String(), "finishing the work in flight") {
		t.Fatalf("stop: %s", demo.errs)
	}
}

func imapCount(t *testing.T, addr, user, pass string) int {
	t.Helper()
	n, err := devmail.CountInbox(addr, user, pass)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// A component that cannot start stops serve with its name and reason, and
// those already started are stopped again.
func TestServeStartFailure(t *testing.T) {
	c := newCLI(t, sqlstore.SQLite)
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	c.env["REFUNDDESK_HTTP_ADDRESS"] = busy.Addr().String()
	code, out, errs := c.run("serve")
	if code != exitFailure || !strings.Contains(errs, "start http:") || !strings.Contains(errs, "address already in use") {
		t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, out, errs)
	}
	if !strings.Contains(errs, `"component":"followups"`) || !strings.Contains(errs, `"msg":"stopped"`) {
		t.Fatalf("the follow-ups were not stopped again:\n%s", errs)
	}

	// A mailbox that cannot be reached: the first component fails.
	closed, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := closed.Addr().String()
	closed.Close()
	c.env["REFUNDDESK_HTTP_ADDRESS"] = ""
	for k, v := range map[string]string{"REFUNDDESK_MAIL_ADDRESS": "support@desk.example", "REFUNDDESK_MAIL_IMAP_ADDRESS": addr,
		"REFUNDDESK_MAIL_IMAP_TLS": "none", "REFUNDDESK_MAIL_IMAP_USERNAME": "support", "REFUNDDESK_MAIL_IMAP_PASSWORD": "pw"} {
		c.env[k] = v
	}
	code, _, errs = c.run("serve")
	if code != exitFailure || !strings.Contains(errs, "start intake:") {
		t.Fatalf("unreachable mailbox: exit %d: %s", code, errs)
	}
}

// A stop while a mail is being sent waits for it: the mail is sent and
// recorded once, nothing is left half-way.
func TestServeGracefulShutdownFinishesInFlight(t *testing.T) {
	c := newCLI(t, sqlstore.SQLite)
	imapSrv, smtpSrv := startMail(t)
	c.mailEnv(imapSrv, smtpSrv)
	sending := make(chan struct{}, 1)
	release := make(chan struct{})
	smtpSrv.SetRefuse(func(string, []string) error {
		sending <- struct{}{}
		<-release
		return nil
	})
	c.ok("tickets", "submit", "--kind", "revocation", "--account", "@rani", "--email", "rani@example.id", "--as", "ayu")
	srv := c.start("serve")
	<-sending // the acknowledgement is in the SMTP server's hands
	srv.cancel()
	time.Sleep(300 * time.Millisecond)
	select {
	case <-srv.done:
		t.Fatalf("serve ended (exit %d) with a mail in flight", srv.code)
	default:
	}
	close(release)
	if code := srv.stop(t); code != 0 {
		t.Fatalf("exit %d: %s", code, srv.errs)
	}
	out := c.ok("outbox", "list")
	if !strings.Contains(out, "sent") || strings.Contains(out, "pending") || strings.Contains(out, "sending") || len(smtpSrv.Received()) != 1 {
		t.Fatalf("after the stop (%d mails received):\n%s", len(smtpSrv.Received()), out)
	}
}

// Two instances on one PostgreSQL database: one takes in the mailbox at a
// time, mail is taken in and answered once; when that instance stops, the
// other takes the mailbox over.
func TestServeTwoInstances(t *testing.T) {
	if !strings.Contains(strings.Join(storetest.Dialects(), ","), sqlstore.Postgres) {
		t.Skip("no PostgreSQL configured (REFUNDDESK_TEST_POSTGRES)")
	}
	c := newCLI(t, sqlstore.Postgres)
	imapSrv, smtpSrv := startMail(t)
	c.mailEnv(imapSrv, smtpSrv)
	c.env["REFUNDDESK_SERVE_INTAKE_LEASE"] = "1s"
	c.env["REFUNDDESK_MAIL_IMAP_POLL_INTERVAL"] = "200ms"
	c.ok("migrate")
	c.env["REFUNDDESK_SERVE_INSTANCE"] = "one"
	one := c.start("serve")
	one.waitOut(t, "refunddesk serve \\(one\\)")
	c.env["REFUNDDESK_SERVE_INSTANCE"] = "two"
	two := c.start("serve")
	two.waitOut(t, "refunddesk serve \\(two\\)")

	deliver := func(i int) {
		raw := fmt.Sprintf("From: Creator %d <c%d@example.id>\r\nTo: support@desk.example\r\nSubject: cabut izin\r\nMessage-ID: <req%d@example.id>\r\n"+
			"Content-Type: text/plain; charset=UTF-8\r\n\r\nSaya ingin mencabut izin penggunaan konten saya. Nama akun: @kreator_%d\r\n", i, i, i, i)
		if err := imapSrv.Append("support@desk.example", "INBOX", []byte(raw)); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 10 {
		deliver(i)
	}
	eventually(t, "ten acknowledgements", func() bool { return len(smtpSrv.Received()) >= 10 })
	time.Sleep(500 * time.Millisecond)
	if n := len(smtpSrv.Received()); n != 10 {
		t.Fatalf("%d acknowledgements for 10 mails", n)
	}
	if code := one.stop(t); code != 0 {
		t.Fatalf("one: exit %d: %s", code, one.errs)
	}
	for i := 10; i < 15; i++ {
		deliver(i)
	}
	eventually(t, "the other instance takes the mailbox over", func() bool { return len(smtpSrv.Received()) >= 15 })
	var list []tickets.Ticket
	if err := json.Unmarshal([]byte(c.ok("tickets", "list", "--json", "--limit", "100")), &list); err != nil {
		t.Fatal(err)
	}
	if len(list) != 15 || len(smtpSrv.Received()) != 15 {
		t.Fatalf("%d tickets and %d acknowledgements for 15 mails", len(list), len(smtpSrv.Received()))
	}
	if code := two.stop(t); code != 0 {
		t.Fatalf("two: exit %d: %s", code, two.errs)
	}
}

// startMail starts a loopback IMAP and SMTP pair with the desk's mailbox
// and a requester's.
func startMail(t *testing.T) (*devmail.IMAP, *devmail.SMTP) {
	t.Helper()
	imapSrv, err := devmail.StartIMAP(devmail.IMAPOptions{Move: true, UIDPlus: true, Idle: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { imapSrv.Close() })
	smtpSrv, err := devmail.StartSMTP(devmail.SMTPOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { smtpSrv.Close() })
	if err := imapSrv.AddUser("support@desk.example", "pw"); err != nil {
		t.Fatal(err)
	}
	return imapSrv, smtpSrv
}

func (c *cli) mailEnv(imapSrv *devmail.IMAP, smtpSrv *devmail.SMTP) {
	for k, v := range map[string]string{
		"REFUNDDESK_MAIL_ADDRESS": "support@desk.example", "REFUNDDESK_MAIL_IMAP_ADDRESS": imapSrv.Addr,
		"REFUNDDESK_MAIL_IMAP_TLS": "none", "REFUNDDESK_MAIL_IMAP_USERNAME": "support@desk.example", "REFUNDDESK_MAIL_IMAP_PASSWORD": "pw",
		"REFUNDDESK_MAIL_SMTP_ADDRESS": smtpSrv.Addr, "REFUNDDESK_MAIL_SMTP_TLS": "none",
	} {
		c.env[k] = v
	}
}
