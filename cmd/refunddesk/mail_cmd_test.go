package main

import (
	"encoding/json"
	"strings"
	"testing"

	"refunddesk/internal/devmail"
	"refunddesk/tickets/sqlstore"
)

func TestCLIMail(t *testing.T) {
	c := newCLI(t, sqlstore.SQLite)
	imapSrv, err := devmail.StartIMAP(devmail.IMAPOptions{Move: true, UIDPlus: true})
	if err != nil {
		t.Fatal(err)
	}
	defer imapSrv.Close()
	smtpSrv, err := devmail.StartSMTP(devmail.SMTPOptions{Deliver: imapSrv})
	if err != nil {
		t.Fatal(err)
	}
	defer smtpSrv.Close()
	for _, u := range []string{"support@desk.example", "rani@example.id"} {
		if err := imapSrv.AddUser(u, "pw"); err != nil {
			t.Fatal(err)
		}
	}
	c.mailEnv(imapSrv, smtpSrv)
	c.ok("promotions", "import", c.file("p.csv", header+
		"7301000000000000001,@rani,v1,views,100000,IDR,wallet,2026-11-01T08:00:00Z,2026-11-01T09:00:00Z,2026-11-08T09:00:00Z,,completed,10000,2000,100000,false,0\n"))
	request := "From: Rani <rani@example.id>\r\nTo: support@desk.example\r\nSubject: refund promosi\r\nMessage-ID: <r1@example.id>\r\n" +
		"Content-Type: text/plain; charset=UTF-8\r\n\r\nHalo, jangkauan promosi saya (no. pesanan 7301000000000000001, akun @rani) jauh di bawah estimasi. Mohon refund.\r\n"
	eml := c.file("r.eml", request)

	// parse: what would be understood, nothing written.
	var p map[string]any
	if err := json.Unmarshal([]byte(c.ok("mail", "parse", eml, "--json")), &p); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]any{"kind": "refund", "account": "@rani", "order": "7301000000000000001",
		"reason": "under_delivery", "language": "id", "auto_reply": false, "thread_ref": ""} {
		if p[k] != want {
			t.Errorf("parse %s: %v, want %v", k, p[k], want)
		}
	}
	if _, ok := p["attachments"].([]any); !ok || p["details"] == "" {
		t.Errorf("parse: attachments %v details %v", p["attachments"], p["details"])
	}
	if out := c.ok("tickets", "list"); !strings.Contains(out, "no tickets match") {
		t.Fatalf("parse wrote a ticket: %s", out)
	}
	c.fails(exitUsage, "mail", "parse", c.file("empty.eml", ""))

	// fetch --once takes the request in; the broken mail is set aside.
	if err := imapSrv.Append("support@desk.example", "INBOX", []byte(request)); err != nil {
		t.Fatal(err)
	}
	if err := imapSrv.Append("support@desk.example", "INBOX", []byte("garbage without any header")); err != nil {
		t.Fatal(err)
	}
	out := c.ok("mail", "fetch", "--once")
	if !strings.Contains(out, "2 mail(s): 1 new ticket(s)") || !strings.Contains(out, "1 set aside") {
		t.Fatalf("fetch: %s", out)
	}
	if out := c.ok("tickets", "list", "channel:email"); !strings.Contains(out, "RD-1") || !strings.Contains(out, "under_delivery") {
		t.Fatalf("list: %s", out)
	}
	if out := c.ok("mail", "failed"); !strings.Contains(out, "refunddesk/unprocessed") {
		t.Fatalf("failed: %s", out)
	}
	if out := c.ok("mail", "fetch", "--once"); !strings.Contains(out, "0 mail(s)") {
		t.Fatalf("second fetch: %s", out)
	}

	// The acknowledgement: queued, then sent.
	if out := c.ok("outbox", "list"); !strings.Contains(out, "acknowledgement") || !strings.Contains(out, "pending") {
		t.Fatalf("outbox: %s", out)
	}
	if out := c.ok("outbox", "send", "--once"); !strings.Contains(out, "1 sent") {
		t.Fatalf("send: %s", out)
	}
	if len(smtpSrv.Received()) != 1 || imapSrv.Count("rani@example.id", "INBOX") != 1 {
		t.Fatal("the acknowledgement did not arrive")
	}
	if out := c.ok("outbox", "list", "--failed"); !strings.Contains(out, "no messages") {
		t.Fatalf("failed outbox: %s", out)
	}
	var items []map[string]any
	if err := json.Unmarshal([]byte(c.ok("outbox", "list", "--json")), &items); err != nil || len(items) != 1 || items[0]["status"] != "sent" {
		t.Fatalf("outbox json: %v %v", items, err)
	}

	// Config mistakes name the key.
	c.env["REFUNDDESK_MAIL_IMAP_TLS"] = "none"
	c.env["REFUNDDESK_MAIL_IMAP_ADDRESS"] = "imap.example.com:143"
	if errs := c.fails(exitUsage, "mail", "fetch", "--once"); !strings.Contains(errs, "mail.imap.tls: none is only allowed on loopback") {
		t.Fatalf("tls none: %s", errs)
	}
	delete(c.env, "REFUNDDESK_MAIL_IMAP_ADDRESS")
	delete(c.env, "REFUNDDESK_MAIL_SMTP_ADDRESS")
	if errs := c.fails(exitUsage, "outbox", "send", "--once"); !strings.Contains(errs, "mail.smtp.address is not set") {
		t.Fatalf("no smtp: %s", errs)
	}
}
