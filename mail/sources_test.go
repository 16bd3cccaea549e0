package mail_test

import (
	"encoding/base64"
	"strings"
	"testing"

	"refunddesk/internal/storetest"
	"refunddesk/tickets"
)

// A mail that names an order on record and no account: the ticket takes the
// record's account, marked as the record's; the verdict asks for the
// account and the acknowledgement never names the record's. The requester's
// answer naming the account makes it theirs (issue 16).
func TestMailAccountFromRecord(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newMailFixture(t, dialect, capsVariants[0].opt)
		f.deliver("From: Rani Putri <rani@example.id>\r\nTo: " + desk + "\r\nSubject: Mohon refund promosi\r\n" +
			"Message-ID: <src1@mail.example.id>\r\nDate: Mon, 16 Nov 2026 10:00:00 +0700\r\nMIME-Version: 1.0\r\n" +
			"Content-Type: multipart/mixed; boundary=b1\r\n\r\n--b1\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n" +
			"Halo kak, promosi dengan no. pesanan 7301234567890000021 jangkauannya cuma 2rb padahal estimasi 20rb.\r\n" +
			"Mohon pengembalian dana. Terima kasih.\r\n\r\n" +
			"--b1\r\nContent-Type: image/png; name=hasil.png\r\nContent-Disposition: attachment; filename=hasil.png\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
			base64.StdEncoding.EncodeToString(screenshotPNG()) + "\r\n--b1--\r\n")
		if st := f.fetch(); st.Created != 1 {
			t.Fatalf("stats %+v", st)
		}
		ref := f.tickets()[0].Ref
		d := f.detail(ref)
		if d.Account != "@rani.putri" || d.Sources.Of("account") != tickets.SourceRecord || d.Status != tickets.StatusNeedsInfo {
			t.Fatalf("%s from %q, %s", d.Account, d.Sources.Of("account"), d.Status)
		}
		if rule, _ := d.Eligibility.Deciding(); rule.Code != tickets.CodeAccountNotShown {
			t.Fatalf("decided by %s (%s)", rule.Rule, rule.Code)
		}
		if st := f.send(); st.Sent != 1 {
			t.Fatalf("send %+v", st)
		}
		ack := string(f.smtp.Received()[0].Data)
		if strings.Contains(strings.ToLower(ack), "rani.putri") || !strings.Contains(ack, "(@username)") {
			t.Fatalf("the acknowledgement names the record's account, or does not ask for one:\n%s", ack)
		}

		f.deliver("From: Rani Putri <rani@example.id>\r\nTo: " + desk + "\r\nSubject: Re: [" + ref + "] Mohon refund promosi\r\n" +
			"Message-ID: <src2@mail.example.id>\r\nDate: Mon, 16 Nov 2026 12:00:00 +0700\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n" +
			"Nama akun: @rani.putri\r\n\r\nTerima kasih.\r\n")
		if st := f.fetch(); st.Replies != 1 {
			t.Fatalf("answer stats %+v", st)
		}
		d = f.detail(ref)
		if d.Account != "@rani.putri" || d.Sources.Of("account") != tickets.SourceText || d.Eligibility.Verdict != tickets.VerdictEligible {
			t.Fatalf("after the answer: %s from %q, %s", d.Account, d.Sources.Of("account"), d.Eligibility.Verdict)
		}
	})
}
