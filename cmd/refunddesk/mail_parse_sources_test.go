package main

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"refunddesk/tickets/sqlstore"
)

// mail parse says where each field was found: the account in a forwarded
// notice's greeting, the order in the notice, the kind in the sender's own
// line; an automatic mail by its words has none.
func TestCLIMailParseSources(t *testing.T) {
	c := newCLI(t, sqlstore.SQLite)
	imapSrv, smtpSrv := startMail(t)
	c.mailEnv(imapSrv, smtpSrv)

	raw := "From: Yati <yati@example.com>\r\nTo: support@desk.example\r\nSubject: Fwd: Promosi Anda telah dihentikan\r\n" +
		"Message-ID: <fwd-sources@example.com>\r\n\r\ntolong dibantu min, uangnya mau saya minta kembali\r\n\r\n" +
		"---------- Forwarded message ---------\r\nDari: TikTok <no-reply@notify.example>\r\nSubject: Promosi Anda telah dihentikan\r\n\r\n" +
		"Halo warungmakyati,\r\n\r\nPromosi Anda telah dihentikan karena melanggar Pedoman Komunitas.\r\nNomor pesanan: 7304203948576610385\r\n"
	var p struct {
		Account string            `json:"account"`
		Order   string            `json:"order"`
		Sources map[string]string `json:"sources"`
	}
	if err := json.Unmarshal([]byte(c.ok("mail", "parse", c.file("fwd.eml", raw), "--json")), &p); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"account": "forwarded", "order": "forwarded", "reason": "forwarded", "kind": "text"}
	if p.Account != "@warungmakyati" || p.Order != "7304203948576610385" || len(p.Sources) != len(want) {
		t.Fatalf("parse: %+v", p)
	}
	for k, v := range want {
		if p.Sources[k] != v {
			t.Fatalf("sources: %v, want %v", p.Sources, want)
		}
	}
	if out := c.ok("mail", "parse", c.file("fwd.eml", raw)); !strings.Contains(out, "@warungmakyati  (from the forwarded message)") {
		t.Fatalf("parse:\n%s", out)
	}

	away := "From: Jo <jo@example.com>\r\nTo: support@desk.example\r\nSubject: Re: [RD-3] Your request\r\n" +
		"Message-ID: <away-sources@example.com>\r\n\r\nHi! I'm away from 18 Nov to 2 Dec and will reply when I'm back.\r\n"
	var a struct {
		AutoReply bool              `json:"auto_reply"`
		Sources   map[string]string `json:"sources"`
	}
	if err := json.Unmarshal([]byte(c.ok("mail", "parse", c.file("away.eml", away), "--json")), &a); err != nil {
		t.Fatal(err)
	}
	if !a.AutoReply || a.Sources == nil || len(a.Sources) != 0 {
		t.Fatalf("parse: %+v", a)
	}
}

// mail parse names what the reading model guessed: a reason no rule reads
// (a discount code shown as applied and the full price charged) is shown
// with "guessed", in the JSON and in words; a reason the rules read is not.
func TestCLIMailParseGuessed(t *testing.T) {
	c := newCLI(t, sqlstore.SQLite)
	imapSrv, smtpSrv := startMail(t)
	c.mailEnv(imapSrv, smtpSrv)
	for _, tc := range []struct {
		file, reason string
		guessed      []string
	}{
		{"../../mail/testdata/heldout12/040-en-us-gmail-nurse-night-shifts-discount-code-not-applied.eml", "other", []string{"reason"}},
		{"../../mail/testdata/heldout12/001-id-outlook-cp1252-bimbel-formal-terealisasi-va-mandiri.eml", "under_delivery", []string{}},
	} {
		var p struct {
			Reason  string   `json:"reason"`
			Guessed []string `json:"guessed"`
		}
		if err := json.Unmarshal([]byte(c.ok("mail", "parse", tc.file, "--json")), &p); err != nil {
			t.Fatal(err)
		}
		if p.Reason != tc.reason || p.Guessed == nil || !slices.Equal(p.Guessed, tc.guessed) {
			t.Fatalf("%s: %+v, want %s guessed %q", tc.file, p, tc.reason, tc.guessed)
		}
		out := c.ok("mail", "parse", tc.file)
		if shown := strings.Contains(out, tc.reason+"  (guessed by the reading model: check it)"); shown != (len(tc.guessed) > 0) {
			t.Fatalf("%s: the guess shown %v:\n%s", tc.file, shown, out)
		}
	}
}
