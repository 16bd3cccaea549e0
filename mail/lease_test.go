package mail_test

import (
	"strings"
	"testing"
	"time"

	"refunddesk/mail"
	"refunddesk/tickets"
)

// The outbox lease of a mail outlasts the longest one mail can take with
// the configured SMTP timeout: a timeout that would let a mail outlive its
// lease is refused, naming the key and what is allowed.
func TestSMTPTimeoutFitsTheLease(t *testing.T) {
	ok := mail.SMTPConfig{}
	ok.Defaults()
	if errs := ok.Validate("mail.smtp"); len(errs) != 0 {
		t.Fatalf("the default timeout: %v", errs)
	}
	long := mail.SMTPConfig{Timeout: tickets.Duration{Duration: 40 * time.Second}}
	long.Defaults()
	errs := long.Validate("mail.smtp")
	if len(errs) != 1 || !strings.HasPrefix(errs[0], "mail.smtp.timeout: 40s is too long") || !strings.Contains(errs[0], mail.OutboxLease.String()) {
		t.Fatalf("errors %q", errs)
	}
	atMost := mail.SMTPConfig{Timeout: tickets.Duration{Duration: 37 * time.Second}}
	if errs := atMost.Validate("mail.smtp"); len(errs) != 0 {
		t.Fatalf("37s: %v", errs)
	}
}
