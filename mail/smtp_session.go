package mail

import (
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/mail"
	"net/smtp"
	"net/textproto"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/emersion/go-sasl"
)

// The SMTP session is driven by the standard library's net/smtp client:
// go-smtp's client (v0.25.1, and v0.26.0 alike) forgets the greeting at
// every Reset, so the next MAIL greets again (a second EHLO, which strict
// servers refuse with 503), and its STARTTLS always greets as "localhost"
// first. net/smtp greets once with the name given, sends RSET without a new
// EHLO, and exposes StartTLS; go-sasl's mechanisms plug into it.

// Stage is the step of an SMTP session where something failed.
type Stage string

// The stages, in the order a session goes through them.
const (
	StageConnect  Stage = "connect"
	StageGreeting Stage = "greeting"
	StageHello    Stage = "ehlo"
	StageTLS      Stage = "starttls"
	StageAuth     Stage = "auth"
	StageMail     Stage = "mail"
	StageRcpt     Stage = "rcpt"
	StageData     Stage = "data"
	StageReset    Stage = "rset"
)

// Stages lists every stage (for metrics).
var Stages = []Stage{StageConnect, StageGreeting, StageHello, StageTLS, StageAuth, StageMail, StageRcpt, StageData, StageReset}

// SendError is a failed delivery and the stage it failed at.
type SendError struct {
	Stage Stage
	// Code is the server's reply code; 0 when there was none (the
	// connection failed or was lost, a timeout).
	Code int
	// Reply is the server's reply text, without the code.
	Reply string
	Err   error
	// Taken: the server had accepted MAIL FROM for this mail before the
	// failure (it came at RCPT or the data), so the mail itself may be
	// what the server will not take; see Charged.
	Taken bool
	// local: refused before any server was asked (a malformed address).
	local bool
}

func (e *SendError) Error() string {
	if e.Code != 0 && e.Reply != "" {
		return fmt.Sprintf("smtp %s: %d %s", e.Stage, e.Code, strings.ReplaceAll(e.Reply, "\n", " "))
	}
	return "smtp " + string(e.Stage) + ": " + e.Err.Error()
}
func (e *SendError) Unwrap() error { return e.Err }

// Session reports whether the failure is the session's, not the mail's:
// anything before RCPT, RSET, a lost connection or a timeout, and the
// replies that speak of the session at any stage (421 closing, 503 bad
// sequence, 530 authentication required). Only the server's own reply to
// RCPT or to the data judges the mail.
func (e *SendError) Session() bool {
	if e.Stage != StageRcpt && e.Stage != StageData {
		return true
	}
	switch {
	case e.Code < 400 || e.Code >= 600:
		return true
	case e.Code == 421 || e.Code == 503 || e.Code == 530:
		return true
	}
	return false
}

// Charged reports whether the failure is charged to the mail as a
// temporary one (an attempt counted, tried again later, behind the others):
// a session failure (421, 503, 530, a lost connection or a timeout) that
// came once the server had accepted MAIL FROM for this mail, at its RCPT
// or its data. A server that closes the session on one particular mail
// every time (Gmail's "421 4.7.0 ... unsolicited mail") would otherwise
// hold the whole queue behind it for ever. A failure before MAIL FROM was
// accepted is charged to no mail.
func (e *SendError) Charged() bool { return e.Session() && e.Taken && !e.local }

// Permanent reports whether the server refused the mail for good (5xx to
// RCPT or to the data): trying again cannot help.
func (e *SendError) Permanent() bool { return !e.Session() && e.Code >= 500 }

func stageErr(stage Stage, err error) *SendError {
	var se *SendError
	if errors.As(err, &se) {
		return se
	}
	e := &SendError{Stage: stage, Err: err}
	var te *textproto.Error
	if errors.As(err, &te) {
		e.Code, e.Reply = te.Code, te.Msg
	}
	return e
}

// smtpSession is one SMTP connection, greeted and logged in.
type smtpSession struct {
	c       *smtp.Client
	raw     net.Conn // under TLS, for deadlines
	timeout time.Duration
	used    bool // a transaction was begun on it
}

func (ss *smtpSession) deadline(d time.Duration) { _ = ss.raw.SetDeadline(time.Now().Add(d)) }

// transfer sends one mail. open says whether the transaction is left open
// (MAIL accepted, not ended by the reply to the data), so RSET is due.
func (ss *smtpSession) transfer(from, to string, raw []byte) (open bool, err error) {
	ss.used = true
	ss.deadline(ss.timeout)
	if err := ss.c.Mail(from); err != nil {
		return false, stageErr(StageMail, err)
	}
	// From here on the server has taken the mail up.
	taken := func(stage Stage, err error) *SendError {
		se := stageErr(stage, err)
		se.Taken = true
		return se
	}
	if err := ss.c.Rcpt(to); err != nil {
		return true, taken(StageRcpt, err)
	}
	w, err := ss.c.Data()
	if err != nil {
		return true, taken(StageData, err)
	}
	// The data and the final reply: a server may take its time to queue.
	ss.deadline(2 * ss.timeout)
	if _, err := w.Write(raw); err != nil {
		_ = w.Close()
		return false, taken(StageData, err)
	}
	if err := w.Close(); err != nil {
		return false, taken(StageData, err)
	}
	return false, nil
}

// send delivers one mail over the run's session, made when the first mail
// needs it. A session the server closed while it was idle is made again
// once, at MAIL, before anything of the mail was sent.
func (s *Sender) send(ctx context.Context, to string, raw []byte) error {
	if _, err := mail.ParseAddress(to); err != nil {
		return &SendError{Stage: StageRcpt, Code: 553, Err: fmt.Errorf("not a mail address: %q", to), local: true}
	}
	for try := 0; ; try++ {
		reused := s.sess != nil && s.sess.used
		if s.sess == nil {
			ss, err := s.dial(ctx)
			if err != nil {
				return err
			}
			s.sess = ss
		}
		open, err := s.sess.transfer(s.id.Address, to, raw)
		if err == nil {
			return nil
		}
		se := stageErr(StageData, err)
		switch {
		case se.Session():
			s.drop()
			if reused && se.Stage == StageMail && se.Code == 0 && try == 0 {
				s.log.Debug("the SMTP session was closed while idle; opening another", slog.Any("error", err))
				continue
			}
		case open:
			s.sess.deadline(s.sess.timeout)
			if rerr := s.sess.c.Reset(); rerr != nil {
				s.log.Warn("RSET after a refused mail failed; the next mail opens a new session", slog.Any("error", stageErr(StageReset, rerr)))
				s.drop()
			}
		}
		return se
	}
}

// drop closes the session without a word: its state is unknown.
func (s *Sender) drop() {
	if s.sess != nil {
		_ = s.sess.c.Close()
		s.sess = nil
	}
}

// hangUp ends the run's session politely.
func (s *Sender) hangUp() {
	if s.sess != nil {
		s.sess.deadline(s.sess.timeout)
		_ = s.sess.c.Quit()
		s.drop()
	}
}

// Check connects to the server (and logs in) once, to tell at start-up
// that mail can be sent.
func (s *Sender) Check(ctx context.Context) error {
	ss, err := s.dial(ctx)
	if err != nil {
		return err
	}
	ss.deadline(ss.timeout)
	_ = ss.c.Quit()
	_ = ss.c.Close()
	return nil
}

// dial opens a session: connect, TLS, greeting, one EHLO, STARTTLS, AUTH.
// Its errors are *SendError with the stage that failed.
func (s *Sender) dial(ctx context.Context) (*smtpSession, error) {
	host, _, _ := net.SplitHostPort(s.cfg.Address)
	timeout := s.cfg.Timeout.Duration
	var conn net.Conn
	var err error
	if s.Dial != nil {
		conn, err = s.Dial(ctx)
	} else {
		d := net.Dialer{Timeout: timeout}
		conn, err = d.DialContext(ctx, "tcp", s.cfg.Address)
	}
	if err != nil {
		return nil, stageErr(StageConnect, fmt.Errorf("connect to %s: %w", s.cfg.Address, err))
	}
	raw := conn
	fail := func(stage Stage, err error) (*smtpSession, error) {
		_ = raw.Close()
		return nil, stageErr(stage, err)
	}
	_ = raw.SetDeadline(time.Now().Add(timeout))
	tlsConfig := &tls.Config{ServerName: host}
	if s.cfg.TLS == "implicit" {
		tc := tls.Client(conn, tlsConfig)
		if err := tc.HandshakeContext(ctx); err != nil {
			return fail(StageTLS, err)
		}
		conn = tc
	}
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		return fail(StageGreeting, err)
	}
	ss := &smtpSession{c: c, raw: raw, timeout: timeout}
	name := s.helo
	if name == "" {
		name = addressLiteral(raw.LocalAddr())
	}
	if err := c.Hello(name); err != nil {
		return fail(StageHello, err)
	}
	if s.cfg.TLS == "starttls" {
		if ok, _ := c.Extension("STARTTLS"); !ok {
			return fail(StageTLS, errors.New("the server does not offer STARTTLS"))
		}
		ss.deadline(timeout)
		if err := c.StartTLS(tlsConfig); err != nil {
			return fail(StageTLS, err)
		}
	}
	a, err := s.saslClient(ctx)
	if err != nil {
		return fail(StageAuth, err)
	}
	if a != nil {
		ss.deadline(timeout)
		if err := authenticate(c.Text, a); err != nil {
			return fail(StageAuth, fmt.Errorf("as %s: %w", s.cfg.Username, err))
		}
	}
	_ = raw.SetDeadline(time.Time{})
	return ss, nil
}

// saslClient is the login the config asks for; nil for none.
func (s *Sender) saslClient(ctx context.Context) (sasl.Client, error) {
	switch s.cfg.Auth {
	case "xoauth2", "oauthbearer":
		tok, err := token(ctx, s.cfg.TokenCommand)
		if err != nil {
			return nil, err
		}
		if s.cfg.Auth == "xoauth2" {
			return &xoauth2{user: s.cfg.Username, token: tok}, nil
		}
		return sasl.NewOAuthBearerClient(&sasl.OAuthBearerOptions{Username: s.cfg.Username, Token: tok}), nil
	}
	if s.cfg.Username == "" {
		return nil, nil
	}
	pass, err := secret(s.cfg.Password, s.cfg.PasswordFile)
	if err != nil {
		return nil, err
	}
	if s.cfg.Auth == "login" {
		return sasl.NewLoginClient(s.cfg.Username, pass), nil
	}
	return sasl.NewPlainClient("", s.cfg.Username, pass), nil
}

// authenticate runs an AUTH exchange (RFC 4954) with a go-sasl mechanism
// over the client's connection (net/smtp exports it for extensions).
// net/smtp's own Auth answers a refusal with "*" after the server has
// already ended the exchange, which servers count as a bad command; here
// "*" only cancels an exchange still in progress.
func authenticate(t *textproto.Conn, a sasl.Client) error {
	mech, ir, err := a.Start()
	if err != nil {
		return err
	}
	line := "AUTH " + mech
	if ir != nil {
		line += " " + encodeSASL(ir)
	}
	code, msg, err := command(t, line)
	for err == nil {
		switch code {
		case 235:
			return nil
		case 334:
			var resp []byte
			challenge, derr := base64.StdEncoding.DecodeString(msg)
			if derr == nil {
				resp, derr = a.Next(challenge)
			}
			if derr != nil {
				// Cancel the exchange; the server answers 501.
				if _, _, err := command(t, "*"); err != nil {
					return errors.Join(derr, err)
				}
				return derr
			}
			code, msg, err = command(t, encodeSASL(resp))
		default:
			return &textproto.Error{Code: code, Msg: msg}
		}
	}
	return err
}

// encodeSASL is a response in base64; "=" for an empty one (RFC 4954).
func encodeSASL(b []byte) string {
	if len(b) == 0 {
		return "="
	}
	return base64.StdEncoding.EncodeToString(b)
}

// command sends one line and reads the reply, whatever its code.
func command(t *textproto.Conn, line string) (int, string, error) {
	id, err := t.Cmd("%s", line)
	if err != nil {
		return 0, "", err
	}
	t.StartResponse(id)
	defer t.EndResponse(id)
	return t.ReadResponse(0)
}

// heloNameRE: a domain name of at least two labels, or an address literal.
var heloNameRE = regexp.MustCompile(`^(?i)(([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z]([a-z0-9-]*[a-z0-9])?|\[[0-9.]+\]|\[IPv6:[0-9a-f:.]+\])$`)

// validHeloName reports whether name may be the desk's EHLO: fully
// qualified (or an address literal), and not localhost.
func validHeloName(name string) bool {
	lower := strings.ToLower(name)
	return heloNameRE.MatchString(name) && lower != "localhost" && !strings.HasPrefix(lower, "localhost.")
}

// defaultHeloName: the configured name, the domain of the desk's address,
// or this host's name when fully qualified; "" leaves it to the
// connection's address literal.
func defaultHeloName(configured, address string) string {
	if configured != "" {
		return configured
	}
	if _, d, ok := strings.Cut(address, "@"); ok && validHeloName(d) {
		return d
	}
	if h, err := os.Hostname(); err == nil && validHeloName(h) {
		return h
	}
	return ""
}

// addressLiteral is a connection's local address as EHLO takes it.
func addressLiteral(a net.Addr) string {
	ta, ok := a.(*net.TCPAddr)
	if !ok {
		return "[127.0.0.1]"
	}
	if ip4 := ta.IP.To4(); ip4 != nil {
		return "[" + ip4.String() + "]"
	}
	return "[IPv6:" + ta.IP.String() + "]"
}
