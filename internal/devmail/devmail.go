// Package devmail is a small mail system on loopback: an in-memory IMAP
// server (go-imap's) and an SMTP server (go-smtp's) that delivers into it.
// Tests use it as the real protocol peers of the email channel, and the demo
// runs on it so that refunddesk can be tried without a mail provider.
package devmail

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// IMAP is an in-memory IMAP server on a loopback port.
type IMAP struct {
	Addr  string
	mem   *imapmemserver.Server
	srv   *imapserver.Server
	ln    net.Listener
	mu    sync.Mutex
	users map[string]*imapmemserver.User
}

// IMAPOptions shape the server.
type IMAPOptions struct {
	// Move and UIDPlus advertise those extensions (real servers mostly do;
	// tests run both ways, since without them a careless client's MOVE
	// fallback expunges other people's deleted mail).
	Move, UIDPlus bool
	// Idle advertises IDLE.
	Idle bool
	// Addr to listen on; default 127.0.0.1:0.
	Addr string
	// UIDValidity is the UIDVALIDITY of a user's first folder (INBOX); the
	// folders created after it count up from there. Zero: the start's time
	// in seconds, so that a server started again gives its folders new
	// values, as a server that lost its mail must (RFC 3501, 2.3.1.1): the
	// mail system is in memory, and a restart empties it. (go-imap's
	// in-memory server alone counts from 1 at every start.)
	UIDValidity uint32
}

// StartIMAP starts an IMAP server.
func StartIMAP(opt IMAPOptions) (*IMAP, error) {
	caps := imap.CapSet{imap.CapIMAP4rev1: {}}
	if opt.Move {
		caps[imap.CapMove] = struct{}{}
	}
	if opt.UIDPlus {
		caps[imap.CapUIDPlus] = struct{}{}
	}
	if opt.Idle {
		caps[imap.CapIdle] = struct{}{}
	}
	mem := imapmemserver.New()
	s := &IMAP{mem: mem, users: map[string]*imapmemserver.User{}}
	first := opt.UIDValidity
	if first == 0 {
		first = uint32(time.Now().Unix())
	}
	s.srv = imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return &shifted{Session: mem.NewSession(), by: first - 1}, nil, nil
		},
		Caps:         caps,
		InsecureAuth: true,
		Logger:       log.New(io.Discard, "", 0),
	})
	ln, err := listen(opt.Addr)
	if err != nil {
		return nil, err
	}
	s.ln, s.Addr = ln, ln.Addr().String()
	go s.srv.Serve(ln) //nolint:errcheck // ends with Close
	return s, nil
}

// Close stops the server.
func (s *IMAP) Close() error { return s.srv.Close() }

// AddUser adds a user with an INBOX.
func (s *IMAP) AddUser(name, password string) error {
	u := imapmemserver.NewUser(name, password)
	if err := u.Create("INBOX", nil); err != nil {
		return err
	}
	s.mem.AddUser(u)
	s.mu.Lock()
	s.users[strings.ToLower(name)] = u
	s.mu.Unlock()
	return nil
}

func (s *IMAP) user(name string) (*imapmemserver.User, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.users[strings.ToLower(name)]
	if u == nil {
		return nil, fmt.Errorf("no user %s", name)
	}
	return u, nil
}

type literal struct {
	*bytes.Reader
	n int64
}

func (l literal) Size() int64 { return l.n }

// Append puts a mail in a user's folder (creating the folder).
func (s *IMAP) Append(userName, mailbox string, raw []byte, flags ...imap.Flag) error {
	u, err := s.user(userName)
	if err != nil {
		return err
	}
	if _, err := u.Append(mailbox, literal{bytes.NewReader(raw), int64(len(raw))}, &imap.AppendOptions{Flags: flags, Time: time.Now()}); err != nil {
		if cerr := u.Create(mailbox, nil); cerr != nil {
			return err
		}
		_, err = u.Append(mailbox, literal{bytes.NewReader(raw), int64(len(raw))}, &imap.AppendOptions{Flags: flags, Time: time.Now()})
		return err
	}
	return nil
}

// Count returns how many messages a user's folder holds (0 when it does not exist).
func (s *IMAP) Count(userName, mailbox string) int {
	u, err := s.user(userName)
	if err != nil {
		return 0
	}
	st, err := u.Status(mailbox, &imap.StatusOptions{NumMessages: true})
	if err != nil || st.NumMessages == nil {
		return 0
	}
	return int(*st.NumMessages)
}

// CountLive returns how many messages of a folder are not flagged \Deleted:
// what a mail client shows.
func (s *IMAP) CountLive(userName, mailbox string) int {
	u, err := s.user(userName)
	if err != nil {
		return 0
	}
	st, err := u.Status(mailbox, &imap.StatusOptions{NumMessages: true, NumDeleted: true})
	if err != nil || st.NumMessages == nil {
		return 0
	}
	n := int(*st.NumMessages)
	if st.NumDeleted != nil {
		n -= int(*st.NumDeleted)
	}
	return n
}

// Recreate deletes a folder and creates it again: its UIDVALIDITY changes,
// as a server does after a rebuild. The mails are put back, with new UIDs.
func (s *IMAP) Recreate(userName, mailbox string, raws [][]byte) error {
	u, err := s.user(userName)
	if err != nil {
		return err
	}
	if err := u.Delete(mailbox); err != nil {
		return err
	}
	if err := u.Create(mailbox, nil); err != nil {
		return err
	}
	for _, r := range raws {
		if err := s.Append(userName, mailbox, r); err != nil {
			return err
		}
	}
	return nil
}

// Received is one mail the SMTP server accepted.
type Received struct {
	From string
	To   []string
	Data []byte
}

// SMTP is an SMTP server on a loopback port that records what it accepts
// and, when given an IMAP server, delivers each mail to the INBOX of the
// recipient's user (the part of the address before @, or the whole address).
type SMTP struct {
	Addr string
	srv  *smtp.Server
	imap *IMAP
	mu   sync.Mutex
	got  []Received
	// Refuse, when set, decides the answer to each mail: nil accepts it,
	// an *smtp.SMTPError refuses it with that code.
	refuse   func(from string, to []string) error
	users    map[string]string // AUTH users; empty: no AUTH needed
	listener net.Listener
}

// SMTPOptions shape the server.
type SMTPOptions struct {
	Addr string // default 127.0.0.1:0
	// Deliver into this IMAP server's mailboxes.
	Deliver *IMAP
	// Users for AUTH PLAIN / LOGIN; empty: no authentication.
	Users map[string]string
}

// StartSMTP starts an SMTP server.
func StartSMTP(opt SMTPOptions) (*SMTP, error) {
	s := &SMTP{imap: opt.Deliver, users: opt.Users}
	s.srv = smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &session{s: s}, nil }))
	s.srv.Domain = "localhost"
	s.srv.AllowInsecureAuth = true
	s.srv.MaxMessageBytes = 50 << 20
	s.srv.ReadTimeout = time.Minute
	s.srv.WriteTimeout = time.Minute
	s.srv.ErrorLog = log.New(io.Discard, "", 0)
	ln, err := listen(opt.Addr)
	if err != nil {
		return nil, err
	}
	s.listener, s.Addr = ln, ln.Addr().String()
	go s.srv.Serve(ln) //nolint:errcheck // ends with Close
	return s, nil
}

// Close stops the server.
func (s *SMTP) Close() error { return s.srv.Close() }

// SetRefuse sets how the server answers each mail (nil: accept all).
func (s *SMTP) SetRefuse(f func(from string, to []string) error) {
	s.mu.Lock()
	s.refuse = f
	s.mu.Unlock()
}

// Received returns what the server accepted so far.
func (s *SMTP) Received() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Received(nil), s.got...)
}

// TemporaryFailure and PermanentFailure are answers for SetRefuse.
var (
	TemporaryFailure = &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Try again later"}
	PermanentFailure = &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such user"}
)

type session struct {
	s      *SMTP
	from   string
	to     []string
	authed bool
}

func (x *session) AuthMechanisms() []string {
	if len(x.s.users) == 0 {
		return nil
	}
	return []string{sasl.Plain, sasl.Login}
}

func (x *session) Auth(mech string) (sasl.Server, error) {
	check := func(user, pass string) error {
		if want, ok := x.s.users[user]; !ok || want != pass {
			return smtp.ErrAuthFailed
		}
		x.authed = true
		return nil
	}
	switch mech {
	case sasl.Plain:
		return sasl.NewPlainServer(func(_, user, pass string) error { return check(user, pass) }), nil
	case sasl.Login:
		return &loginServer{check: check}, nil
	}
	return nil, smtp.ErrAuthUnknownMechanism
}

func (x *session) Mail(from string, _ *smtp.MailOptions) error {
	if len(x.s.users) > 0 && !x.authed {
		return smtp.ErrAuthRequired
	}
	x.from = from
	return nil
}

func (x *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	x.to = append(x.to, to)
	return nil
}

func (x *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	x.s.mu.Lock()
	refuse := x.s.refuse
	x.s.mu.Unlock()
	if refuse != nil {
		if err := refuse(x.from, x.to); err != nil {
			return err
		}
	}
	x.s.mu.Lock()
	x.s.got = append(x.s.got, Received{From: x.from, To: append([]string(nil), x.to...), Data: b})
	x.s.mu.Unlock()
	if x.s.imap != nil {
		var errs []error
		for _, rcpt := range x.to {
			if err := x.s.imap.Append(mailboxUser(x.s.imap, rcpt), "INBOX", b); err != nil {
				errs = append(errs, err)
			}
		}
		if len(errs) > 0 {
			return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: errors.Join(errs...).Error()}
		}
	}
	return nil
}

// mailboxUser finds the IMAP user of an address: the whole address, or the
// part before @.
func mailboxUser(s *IMAP, addr string) string {
	if _, err := s.user(addr); err == nil {
		return addr
	}
	local, _, _ := strings.Cut(addr, "@")
	return local
}

func (x *session) Reset()        { x.from, x.to = "", nil }
func (x *session) Logout() error { return nil }

// loginServer is the server side of SASL LOGIN (go-sasl has only the client).
type loginServer struct {
	check    func(user, pass string) error
	step     int
	username string
}

func (l *loginServer) Next(response []byte) ([]byte, bool, error) {
	switch l.step {
	case 0:
		l.step = 1
		if response == nil {
			return []byte("Username:"), false, nil
		}
		fallthrough
	case 1:
		l.username = string(response)
		l.step = 2
		return []byte("Password:"), false, nil
	default:
		return nil, true, l.check(l.username, string(response))
	}
}

// listen listens on addr, or on a free loopback port when it is empty.
func listen(addr string) (net.Listener, error) {
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	return net.Listen("tcp", addr)
}

// CountInbox logs in to an IMAP server as a mail client would and counts
// the messages in the user's INBOX (the demo's tests read requesters'
// mailboxes this way).
func CountInbox(addr, user, password string) (int, error) {
	c, err := imapclient.DialInsecure(addr, nil)
	if err != nil {
		return 0, err
	}
	defer c.Close()
	if err := c.Login(user, password).Wait(); err != nil {
		return 0, err
	}
	data, err := c.Select("INBOX", &imap.SelectOptions{ReadOnly: true}).Wait()
	if err != nil {
		return 0, err
	}
	_ = c.Logout().Wait()
	return int(data.NumMessages), nil
}
