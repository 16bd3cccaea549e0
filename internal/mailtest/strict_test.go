package mailtest

import (
	"encoding/base64"
	"net/textproto"
	"slices"
	"strings"
	"testing"
)

// converse dials the peer, reads the greeting and sends each command,
// returning the reply codes (the greeting's first).
func converse(t *testing.T, addr string, cmds ...string) []int {
	t.Helper()
	c, err := textproto.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	code, _, err := c.ReadResponse(0)
	if err != nil {
		t.Fatal(err)
	}
	codes := []int{code}
	for _, cmd := range cmds {
		if err := c.PrintfLine("%s", cmd); err != nil {
			t.Fatal(err)
		}
		if cmd == "DATA" {
			if code, _, err = c.ReadResponse(0); err != nil {
				t.Fatal(err)
			}
			codes = append(codes, code)
			if code != 354 {
				continue
			}
			w := c.DotWriter()
			_, _ = w.Write([]byte("Subject: hi\r\n\r\nhello\r\n"))
			_ = w.Close()
		}
		code, _, err := c.ReadResponse(0)
		if err != nil {
			break // the peer ended the session
		}
		codes = append(codes, code)
	}
	return codes
}

func TestStrictSMTPHoldsClientsToTheRules(t *testing.T) {
	s := StartStrictSMTP(t, StrictOptions{Users: map[string]string{"desk": "pw"}})
	plain := "AUTH PLAIN " + base64.StdEncoding.EncodeToString([]byte("\x00desk\x00pw"))
	cases := []struct {
		name string
		cmds []string
		want []int
	}{
		{"one greeting, RSET between transactions, none after DATA", []string{"EHLO mail.desk.example", plain,
			"MAIL FROM:<a@desk.example>", "RCPT TO:<b@example.id>", "DATA",
			"MAIL FROM:<a@desk.example>", "RSET", "MAIL FROM:<a@desk.example>", "RCPT TO:<c@example.id>", "DATA", "QUIT"},
			[]int{220, 250, 235, 250, 250, 354, 250, 250, 250, 250, 250, 354, 250, 221}},
		{"a second EHLO", []string{"EHLO mail.desk.example", "RSET", "EHLO mail.desk.example"}, []int{220, 250, 250, 503}},
		{"localhost", []string{"EHLO localhost", "HELO desk"}, []int{220, 504, 504}},
		{"an address literal", []string{"EHLO [127.0.0.1]"}, []int{220, 250}},
		{"MAIL before EHLO, without AUTH, twice", []string{"MAIL FROM:<a@desk.example>", "EHLO mail.desk.example",
			"MAIL FROM:<a@desk.example>", plain, "MAIL FROM:<a@desk.example>", "MAIL FROM:<a@desk.example>", "RCPT TO:<x@y.z>", "RSET", "RCPT TO:<x@y.z>"},
			[]int{220, 503, 250, 530, 235, 250, 503, 250, 250, 503}},
	}
	for _, c := range cases {
		if got := converse(t, s.Addr, c.cmds...); !slices.Equal(got, c.want) {
			t.Errorf("%s: replies %v, want %v", c.name, got, c.want)
		}
	}
	if n := len(s.Messages()); n != 2 {
		t.Fatalf("%d messages", n)
	}
	v := strings.Join(s.Violations(), "\n")
	for _, want := range []string{"duplicate EHLO", "not fully qualified: \"localhost\"", "MAIL before HELO", "MAIL without AUTH", "MAIL inside a transaction", "RCPT without MAIL"} {
		if !strings.Contains(v, want) {
			t.Errorf("violations lack %q:\n%s", want, v)
		}
	}

	// Refusing sessions for a while, then not.
	s.RefuseSessions(StrictGreeting, "421 4.3.2 Service not available", 1)
	s.RefuseSessions(StrictAuth, "454 4.7.0 Temporary authentication failure", 1)
	s.RefuseSessions(StrictMail, "451 4.3.0 Try again later", 1)
	if got := converse(t, s.Addr, "EHLO mail.desk.example"); !slices.Equal(got, []int{421}) {
		t.Errorf("greeting refused: %v", got)
	}
	if got := converse(t, s.Addr, "EHLO mail.desk.example", plain); !slices.Equal(got, []int{220, 250, 454}) {
		t.Errorf("auth refused: %v", got)
	}
	if got := converse(t, s.Addr, "EHLO mail.desk.example", plain, "MAIL FROM:<a@desk.example>"); !slices.Equal(got, []int{220, 250, 235, 451}) {
		t.Errorf("mail refused: %v", got)
	}
	if got := converse(t, s.Addr, "EHLO mail.desk.example", plain, "MAIL FROM:<a@desk.example>"); !slices.Equal(got, []int{220, 250, 235, 250}) {
		t.Errorf("accepted again: %v", got)
	}
	s.RefuseSessions(StrictGreeting, "421 4.3.2 Service not available", -1)
	for range 3 {
		if got := converse(t, s.Addr); !slices.Equal(got, []int{421}) {
			t.Errorf("refused until accepted: %v", got)
		}
	}
	s.AcceptSessions()
	if got := converse(t, s.Addr); !slices.Equal(got, []int{220}) {
		t.Errorf("after AcceptSessions: %v", got)
	}
}
