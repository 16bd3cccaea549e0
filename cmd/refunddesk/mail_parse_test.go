package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"refunddesk/tickets/sqlstore"
)

// mimeMail builds a multipart mail with the given files (name, content
// type, bytes), base64-encoded.
func mimeMail(from, subject, text string, files ...[3]string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "From: %s\r\nTo: support@desk.example\r\nSubject: %s\r\nMessage-ID: <%s@example.id>\r\nMIME-Version: 1.0\r\n", from, subject, strings.ReplaceAll(subject, " ", "-"))
	b.WriteString("Content-Type: multipart/mixed; boundary=\"b0\"\r\n\r\n--b0\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n" + text + "\r\n")
	for _, f := range files {
		fmt.Fprintf(&b, "--b0\r\nContent-Type: %s; name=\"%s\"\r\nContent-Disposition: attachment; filename=\"%s\"\r\nContent-Transfer-Encoding: base64\r\n\r\n", f[1], f[0], f[0])
		enc := base64.StdEncoding.EncodeToString([]byte(f[2]))
		for len(enc) > 76 {
			b.WriteString(enc[:76] + "\r\n")
			enc = enc[76:]
		}
		b.WriteString(enc + "\r\n")
	}
	b.WriteString("--b0--\r\n")
	return b.String()
}

// fakePNG returns a small PNG-looking file of n bytes, different for each tag.
func fakePNG(tag string, n int) string {
	s := tinyPNG + tag
	return s + strings.Repeat("\x00", max(0, n-len(s)))
}

// mail parse reads no more than mail.max_size and says of each attachment
// what the intake would do with it, under the same limits; the intake then
// does just that.
func TestCLIMailParseAsTheIntake(t *testing.T) {
	c := newCLI(t, sqlstore.SQLite)
	imapSrv, smtpSrv := startMail(t)
	c.mailEnv(imapSrv, smtpSrv)
	c.env["REFUNDDESK_TICKETS_MAX_EVIDENCE_BYTES"] = "1024"
	c.env["REFUNDDESK_TICKETS_MAX_EVIDENCE_FILES"] = "2"
	c.env["REFUNDDESK_MAIL_MAX_SIZE"] = "16384"

	raw := mimeMail("Rani <rani@example.id>", "refund promosi", "Order 7301000000000000001, akun @rani: jangkauan kurang. Mohon refund.",
		[3]string{"one.png", "image/png", fakePNG("1", 200)},
		[3]string{"big.png", "image/png", fakePNG("big", 4000)},
		[3]string{"again.png", "image/png", fakePNG("1", 200)},
		[3]string{"chart.svg", "image/svg+xml", `<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`},
		[3]string{"two.png", "image/png", fakePNG("2", 300)},
		[3]string{"three.png", "image/png", fakePNG("3", 300)},
	)
	var p struct {
		Attachments []struct {
			Name     string `json:"name"`
			Evidence bool   `json:"evidence"`
			Why      string `json:"why"`
		} `json:"attachments"`
	}
	if err := json.Unmarshal([]byte(c.ok("mail", "parse", c.file("r.eml", raw), "--json")), &p); err != nil {
		t.Fatal(err)
	}
	want := []struct {
		name     string
		evidence bool
		why      string
	}{
		{"one.png", true, ""},
		{"big.png", false, "more than the 1 KiB allowed per file"},
		{"again.png", false, "the same file as an earlier attachment"},
		{"chart.svg", false, "not counted as evidence: chart.svg"},
		{"two.png", true, ""},
		{"three.png", false, "three.png (more than 2 files)"},
	}
	if len(p.Attachments) != len(want) {
		t.Fatalf("parse: %+v", p.Attachments)
	}
	for i, w := range want {
		a := p.Attachments[i]
		if a.Name != w.name || a.Evidence != w.evidence || !strings.Contains(a.Why, w.why) || (w.why == "") != (a.Why == "") {
			t.Errorf("attachment %d: %+v, want %s evidence=%v why %q", i, a, w.name, w.evidence, w.why)
		}
	}
	text := c.ok("mail", "parse", c.file("r.eml", raw))
	if !strings.Contains(text, "big.png  image/png  3.9 KiB  not evidence: attachment not kept as evidence: evidence big.png: the file is 3.9 KiB") {
		t.Errorf("parse:\n%s", text)
	}

	// The intake keeps what parse called evidence, and nothing else.
	if err := imapSrv.Append("support@desk.example", "INBOX", []byte(raw)); err != nil {
		t.Fatal(err)
	}
	c.ok("mail", "fetch", "--once")
	var tk struct {
		Evidence []struct {
			Name string `json:"name"`
		} `json:"evidence"`
	}
	if err := json.Unmarshal([]byte(c.ok("tickets", "show", "RD-1", "--json")), &tk); err != nil {
		t.Fatal(err)
	}
	var kept []string
	for _, e := range tk.Evidence {
		kept = append(kept, e.Name)
	}
	if strings.Join(kept, ",") != "one.png,two.png" {
		t.Errorf("the intake kept %v, parse said one.png and two.png", kept)
	}

	// A mail over mail.max_size is refused, not read whole.
	huge := mimeMail("Rani <rani@example.id>", "lots", "see attached", [3]string{"shot.png", "image/png", fakePNG("h", 20000)})
	errs := c.fails(exitUsage, "mail", "parse", c.file("huge.eml", huge))
	if !strings.Contains(errs, "huge.eml: the file is 27.") || !strings.Contains(errs, "more than the 16.0 KiB allowed by mail.max_size; the intake sets such a mail aside") {
		t.Errorf("a mail over mail.max_size: %s", errs)
	}
	// And what is not a regular file is not read at all.
	if errs := c.fails(exitUsage, "mail", "parse", "/dev/zero"); !strings.Contains(errs, "/dev/zero is a device, not a regular file") {
		t.Errorf("/dev/zero: %s", errs)
	}
}
