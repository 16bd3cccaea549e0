package mail_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"refunddesk/mail"
	"refunddesk/tickets"
)

// noBook has no order on record.
type noBook struct{}

func (noBook) Promotion(context.Context, string) (*tickets.Promotion, error) {
	return nil, tickets.ErrNotFound
}

// FuzzParse: whatever bytes arrive as a mail, Parse reads them or says it
// cannot (ErrUnparseable) — never a panic — and every text it gives can be
// stored as it is (valid UTF-8, no NUL); what Understand makes of it is a
// request whose fields the desk takes (digits for an order, an @handle,
// one of the reasons, en or id).
func FuzzParse(f *testing.F) {
	for _, dir := range []string{"corpus", "heldout"} {
		paths, _ := filepath.Glob(filepath.Join("testdata", dir, "*.eml"))
		for i, p := range paths {
			if i%4 != 0 {
				continue // a sample keeps the baseline quick
			}
			if b, err := os.ReadFile(p); err == nil {
				f.Add(b)
			}
		}
	}
	for _, s := range []string{
		"From: a@example.com\r\nSubject: refund\r\n\r\norder 7301234567890123456 @ayu views too low",
		"Subject: =?utf-8?b?/w==?=\r\nMessage-ID: <a\x00b@x>\r\n\r\n\xff\xfe",
		"Content-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\nContent-Type: text/plain; charset=iso-8859-1\r\n\r\ncaf\xe9\r\n--x--",
		"Content-Transfer-Encoding: base64\r\n\r\n!!!!", "\r\n\r\n", "",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		m, err := mail.Parse(raw)
		if err != nil {
			if !errors.Is(err, mail.ErrUnparseable) || m != nil {
				t.Fatalf("Parse: %v (%T), message %v", err, err, m != nil)
			}
			return
		}
		clean := func(what, s string) {
			if !utf8.ValidString(s) || strings.ContainsRune(s, 0) {
				t.Fatalf("%s %q is not storable text", what, s)
			}
		}
		clean("Message-ID", m.MessageID)
		clean("Key", m.Key)
		clean("Subject", m.Subject)
		clean("Text", m.Text)
		clean("NewText", m.NewText)
		clean("Forwarded", m.Forwarded)
		clean("Quoted", m.Quoted)
		clean("Auto", m.Auto)
		for _, id := range append(append([]string(nil), m.InReplyTo...), m.References...) {
			clean("a referenced Message-ID", id)
		}
		if m.From != nil {
			clean("From name", m.From.Name)
			clean("From address", m.From.Address)
		}
		for _, a := range m.Attachments {
			clean("attachment name", a.Name)
			clean("attachment type", a.ContentType)
		}
		if m.Bounce != nil {
			clean("bounced Message-ID", m.Bounce.OriginalMessageID)
			clean("bounce reason", m.Bounce.Reason)
			for _, r := range m.Bounce.Recipients {
				clean("bounced address", r)
			}
		}
		if m.Key == "" {
			t.Fatal("no key")
		}

		req := mail.Understand(context.Background(), m, noBook{}, "desk.example.com")
		clean("Details", req.Details)
		if req.Order != "" {
			if o, err := tickets.NormalizeOrder(req.Order); err != nil || o != req.Order {
				t.Fatalf("order %q is not one the desk takes: %v", req.Order, err)
			}
		}
		if req.Account != "" {
			if _, err := tickets.NormalizeAccount(req.Account); err != nil {
				t.Fatalf("account %q is not one the desk takes: %v", req.Account, err)
			}
		}
		if req.Reason != "" {
			if _, err := tickets.ParseReason(string(req.Reason)); err != nil {
				t.Fatalf("reason %q: %v", req.Reason, err)
			}
		}
		if req.Language != "" && req.Language != tickets.LangEnglish && req.Language != tickets.LangIndonesian {
			t.Fatalf("language %q", req.Language)
		}
		if req.Kind != tickets.KindRefund && req.Kind != tickets.KindRevocation {
			t.Fatalf("kind %q", req.Kind)
		}
	})
}
