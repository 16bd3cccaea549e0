package main

import (
	"encoding/json"
	"strings"
	"testing"

	"refunddesk/tickets/sqlstore"
)

// mail parse says what the intake does with a mail whose From is
// ambiguous (two From fields): an unverified sender, and why; mail failed
// lists a mail taken for automatic mail, with the reason and its folder.
func TestCLIMailAmbiguousFromAndAutomaticRecord(t *testing.T) {
	c := newCLI(t, sqlstore.SQLite)
	imapSrv, smtpSrv := startMail(t)
	c.mailEnv(imapSrv, smtpSrv)

	raw := "From: Sari <sari@example.com>\r\nFrom: Mallory <mallory@example.com>\r\nTo: support@desk.example\r\nSubject: refund\r\n" +
		"Message-ID: <two-from@example.com>\r\n\r\nMohon refund order 7301000000000000001.\r\n"
	var p struct {
		UnverifiedSender bool `json:"unverified_sender"`
		Authentication   struct {
			Note string `json:"note"`
		} `json:"authentication"`
	}
	if err := json.Unmarshal([]byte(c.ok("mail", "parse", c.file("two.eml", raw), "--json")), &p); err != nil {
		t.Fatal(err)
	}
	if !p.UnverifiedSender || !strings.Contains(p.Authentication.Note, "2 From fields") {
		t.Fatalf("parse: %+v", p)
	}

	auto := "From: News <news@shop.example>\r\nTo: support@desk.example\r\nSubject: Promo!\r\nList-Unsubscribe: <mailto:u@shop.example>\r\n" +
		"Message-ID: <n1@shop.example>\r\n\r\nBig sale\r\n"
	if err := imapSrv.Append("support@desk.example", "INBOX", []byte(auto)); err != nil {
		t.Fatal(err)
	}
	c.ok("mail", "fetch", "--once")
	out := c.ok("mail", "failed")
	if !strings.Contains(out, "Taken for automatic mail (a mailing list (List-Unsubscribe)); not answered.") || !strings.Contains(out, "news@shop.example") {
		t.Fatalf("mail failed:\n%s", out)
	}
	// --json: the sentence in English, beside its code and values.
	var list []struct {
		Reason string            `json:"reason"`
		Code   string            `json:"code"`
		Params map[string]string `json:"params"`
		Sender string            `json:"sender"`
	}
	js := c.ok("mail", "failed", "--json")
	if err := json.Unmarshal([]byte(js), &list); err != nil {
		t.Fatalf("%v: %s", err, js)
	}
	if len(list) != 1 || list[0].Code != "automatic" || list[0].Params["Why"] != "mailing_list" ||
		list[0].Params["Header"] != "List-Unsubscribe" || list[0].Sender != "news@shop.example" ||
		list[0].Reason != "Taken for automatic mail (a mailing list (List-Unsubscribe)); not answered." {
		t.Fatalf("mail failed --json:\n%s", js)
	}
}
