package mail_test

import (
	"bytes"
	"context"
	"net"
	"sync"
	"testing"
	"time"

	"refunddesk/internal/devmail"
	"refunddesk/internal/mailtest"
	"refunddesk/mail"
	"refunddesk/tickets"
)

// idleTrap is a connection to the IMAP server that, the first time the
// client sends IDLE, first runs arrive: the mail it delivers lands after
// the fetcher's last search and before the server hears IDLE.
type idleTrap struct {
	net.Conn
	once   sync.Once
	arrive func()
}

func (c *idleTrap) Write(p []byte) (int, error) {
	if bytes.HasSuffix(p, []byte(" IDLE\r\n")) {
		c.once.Do(c.arrive)
	}
	return c.Conn.Write(p)
}

// A mail that lands between the fetcher's last search and its IDLE is
// taken in at once, not at the next poll (an hour here): on go-imap's
// in-memory server (devmail), whose IDLE used to report only what changed
// after it began listening, and on Dovecot, which checks the mailbox when
// IDLE begins. The deadline is a safety net, not a measure.
func TestMailArrivingJustBeforeIdleIsTakenIn(t *testing.T) {
	cases := []struct {
		name  string
		start func(t *testing.T) (addr, user, pass string, deliver func(raw string) error)
	}{
		{"devmail", func(t *testing.T) (string, string, string, func(string) error) {
			srv, err := devmail.StartIMAP(devmail.IMAPOptions{Move: true, UIDPlus: true, Idle: true})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { srv.Close() })
			if err := srv.AddUser(desk, deskPass); err != nil {
				t.Fatal(err)
			}
			return srv.Addr, desk, deskPass, func(raw string) error { return srv.Append(desk, "INBOX", []byte(raw)) }
		}},
		{"dovecot", func(t *testing.T) (string, string, string, func(string) error) {
			dc := mailtest.StartDovecot(t, mailtest.DovecotOptions{Users: map[string]string{desk: deskPass}})
			return dc.Addr, desk, deskPass, func(raw string) error { return dc.Deliver(desk, []byte(raw)) }
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel() // each case has its own servers and store, and waits on them
			addr, user, pass, deliver := c.start(t)
			f := newMailFixture(t, "sqlite", devmail.IMAPOptions{})
			var arriveErr error
			fetcher := mail.NewFetcher(mail.IMAPConfig{Address: addr, TLS: "none", Username: user, Password: pass,
				PollInterval: tickets.Duration{Duration: time.Hour}}, f.intake, f.svc, nil)
			fetcher.Dial = func(ctx context.Context) (net.Conn, error) {
				conn, err := (&net.Dialer{}).DialContext(ctx, "tcp", addr)
				if err != nil {
					return nil, err
				}
				return &idleTrap{Conn: conn, arrive: func() { arriveErr = deliver(request("justbeforeidle")) }}, nil
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			passes := make(chan mail.IntakeStats, 100)
			done := make(chan struct{})
			go func() {
				defer close(done)
				_ = fetcher.Run(ctx, func(st mail.IntakeStats, err error) {
					if err != nil {
						t.Errorf("pass: %v", err)
					}
					passes <- st
				})
			}()
			deadline := time.After(30 * time.Second)
			for created := 0; created == 0; {
				select {
				case st := <-passes:
					created += st.Created
				case <-deadline:
					t.Fatal("the mail that arrived just before IDLE was not taken in")
				}
			}
			cancel()
			<-done
			if arriveErr != nil {
				t.Fatal(arriveErr)
			}
			if n := len(f.tickets()); n != 1 {
				t.Fatalf("%d tickets, want 1", n)
			}
		})
	}
}
