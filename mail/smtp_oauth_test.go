package mail_test

import (
	"bytes"
	"errors"
	"io"
	"net"
	"sync"
	"testing"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"refunddesk/internal/mailtest"
	rdmail "refunddesk/mail"
	"refunddesk/tickets"
)

// oauthServer is go-smtp's server with a SASL backend that takes only one
// bearer token, by XOAUTH2 or OAUTHBEARER, and records who sent what.
type oauthServer struct {
	addr  string
	user  string
	token string
	mu    sync.Mutex
	got   []string // the user each accepted mail was sent as
}

func startOAuthServer(t *testing.T, user, token string) *oauthServer {
	t.Helper()
	o := &oauthServer{user: user, token: token}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &oauthSession{o: o}, nil }))
	srv.Domain = "mx.oauth.test"
	srv.AllowInsecureAuth = true
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	o.addr = ln.Addr().String()
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return o
}

type oauthSession struct {
	o    *oauthServer
	user string
}

func (x *oauthSession) AuthMechanisms() []string { return []string{"XOAUTH2", sasl.OAuthBearer} }

func (x *oauthSession) Auth(mech string) (sasl.Server, error) {
	switch mech {
	case sasl.OAuthBearer:
		return sasl.NewOAuthBearerServer(func(opt sasl.OAuthBearerOptions) *sasl.OAuthBearerError {
			if opt.Username != x.o.user || opt.Token != x.o.token {
				return &sasl.OAuthBearerError{Status: "invalid_token", Schemes: "bearer"}
			}
			x.user = opt.Username
			return nil
		}), nil
	case "XOAUTH2":
		return &xoauth2Server{check: func(user, token string) bool {
			if user != x.o.user || token != x.o.token {
				return false
			}
			x.user = user
			return true
		}}, nil
	}
	return nil, smtp.ErrAuthUnknownMechanism
}

func (x *oauthSession) Mail(string, *smtp.MailOptions) error {
	if x.user == "" {
		return smtp.ErrAuthRequired
	}
	return nil
}
func (x *oauthSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (x *oauthSession) Data(r io.Reader) error {
	if _, err := io.Copy(io.Discard, r); err != nil {
		return err
	}
	x.o.mu.Lock()
	x.o.got = append(x.o.got, x.user)
	x.o.mu.Unlock()
	return nil
}
func (x *oauthSession) Reset()        {}
func (x *oauthSession) Logout() error { return nil }

func (o *oauthServer) received() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]string(nil), o.got...)
}

// xoauth2Server is the server side of XOAUTH2 (go-sasl has only the
// client's): "user=U\x01auth=Bearer T\x01\x01"; a refusal is a JSON
// challenge the client answers with an empty line.
type xoauth2Server struct {
	check  func(user, token string) bool
	failed bool
}

func (s *xoauth2Server) Next(resp []byte) ([]byte, bool, error) {
	if s.failed {
		return nil, true, errors.New("invalid token")
	}
	if resp == nil {
		return []byte{}, false, nil
	}
	var user, token string
	for _, f := range bytes.Split(resp, []byte{1}) {
		if u, ok := bytes.CutPrefix(f, []byte("user=")); ok {
			user = string(u)
		}
		if a, ok := bytes.CutPrefix(f, []byte("auth=Bearer ")); ok {
			token = string(a)
		}
	}
	if !s.check(user, token) {
		s.failed = true
		return []byte(`{"status":"401","schemes":"Bearer","scope":"https://mail.google.com/"}`), false, nil
	}
	return nil, true, nil
}

// SMTP logs in by XOAUTH2 or OAUTHBEARER with the token the token command
// prints, fresh at each session. A token the server refuses, or a command
// that fails, is the session's failure: the mail waits, uncounted.
func TestSenderOAuth(t *testing.T) {
	for _, mech := range []string{"xoauth2", "oauthbearer"} {
		t.Run(mech, func(t *testing.T) {
			f := newSendFixture(t, "sqlite", mailtest.StrictOptions{}, rdmail.SMTPConfig{})
			srv := startOAuthServer(t, desk, "ya29.good-token")
			f.requests(1)
			for _, bad := range []string{"echo ya29.stale-token", "exit 3"} {
				s := f.newSender(rdmail.SMTPConfig{Address: srv.addr, TLS: "none", Auth: mech, Username: desk, TokenCommand: bad})
				st, err := s.SendOnce(f.ctx)
				var se *rdmail.SendError
				if !errors.Is(err, tickets.ErrChannelDown) || !errors.As(err, &se) || se.Stage != rdmail.StageAuth || st.Deferred != 1 {
					t.Fatalf("%s: %+v %v", bad, st, err)
				}
			}
			if p := f.outbox(tickets.OutboxPending); len(p) != 1 || p[0].Attempts != 0 {
				t.Fatalf("pending %+v", p)
			}
			s := f.newSender(rdmail.SMTPConfig{Address: srv.addr, TLS: "none", Auth: mech, Username: desk, TokenCommand: "echo ya29.good-token"})
			if st, err := s.SendOnce(f.ctx); err != nil || st.Sent != 1 {
				t.Fatalf("good token: %+v %v", st, err)
			}
			if got := srv.received(); len(got) != 1 || got[0] != desk {
				t.Fatalf("received as %q", got)
			}
		})
	}
	// The config names what is missing.
	cfg := rdmail.SMTPConfig{Address: "127.0.0.1:587", TLS: "none", Auth: "xoauth2"}
	if errs := cfg.Validate("mail.smtp"); len(errs) != 2 || errs[0] != "mail.smtp.token_command: xoauth2 needs a command that prints an access token" ||
		errs[1] != "mail.smtp.username: xoauth2 needs the account's name" {
		t.Fatalf("validation: %q", errs)
	}
	cfg.Auth = "cram-md5"
	if errs := cfg.Validate("mail.smtp"); len(errs) != 1 || errs[0] != `mail.smtp.auth: "cram-md5" is not plain, login, xoauth2 or oauthbearer` {
		t.Fatalf("validation: %q", errs)
	}
}
