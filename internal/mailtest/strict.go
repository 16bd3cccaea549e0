package mailtest

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"net/textproto"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// StrictSMTP is a small SMTP server on loopback that holds a client to the
// rules strict MTAs enforce, written here on net/textproto (not go-smtp's
// server, whose author wrote the client we test):
//
//   - a second EHLO/HELO in one session is refused with
//     "503 5.5.1 Duplicate HELO/EHLO";
//   - a HELO/EHLO name that is not fully qualified (or is localhost) is
//     refused with 504 (an address literal such as [127.0.0.1] is fine);
//   - MAIL before the greeting, MAIL inside a transaction, RCPT before
//     MAIL, DATA without a recipient: 503;
//   - RSET ends a transaction and the next MAIL needs no new greeting; a
//     transaction completed by DATA needs no RSET either.
//
// It can refuse whole sessions for a while (RefuseSessions), refuse a
// recipient at RCPT (RefuseRcpt) or a mail after its data (RefuseData), and
// offers AUTH PLAIN when it has users. Everything a client did wrong is
// kept in Violations; what it delivered in Messages.
type StrictSMTP struct {
	// Addr is host:port on loopback.
	Addr string

	ln        net.Listener
	name      string
	users     map[string]string
	onMessage func(StrictMessage)
	wg        sync.WaitGroup

	mu         sync.Mutex
	conns      map[net.Conn]bool
	closed     bool
	sessions   int
	hellos     []string
	msgs       []StrictMessage
	violations []string
	refusals   []*sessionRefusal
	rcpt       map[string]string
	data       map[string]*dataRefusal
	hangUp     int // close a session after this many mails (0: never)
}

// StrictOptions configure a StrictSMTP.
type StrictOptions struct {
	// Users, when set, are the AUTH PLAIN accounts (user → password), and
	// MAIL needs a login first.
	Users map[string]string
	// Hostname is the server's own name in its replies (mx.strict.test).
	Hostname string
	// OnMessage, when set, is called with each mail accepted, before the
	// client hears so (benchmarks time delivery by it).
	OnMessage func(StrictMessage)
}

// StrictMessage is a mail the server accepted.
type StrictMessage struct {
	Session int // 1 for the first session
	Helo    string
	From    string
	To      []string
	Data    []byte
}

// Refusal stages for RefuseSessions.
const (
	StrictGreeting = "greeting" // the reply replaces the 220 greeting and the connection is closed
	StrictAuth     = "auth"     // every AUTH of the session gets the reply
	StrictMail     = "mail"     // every MAIL of the session gets the reply
)

type sessionRefusal struct {
	stage, reply string
	left         int // sessions still to refuse; < 0: until AcceptSessions
}

type dataRefusal struct {
	reply string
	left  int
}

// StartStrictSMTP starts a StrictSMTP on 127.0.0.1 and stops it when the
// test ends.
func StartStrictSMTP(t testing.TB, opt StrictOptions) *StrictSMTP {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("strict smtp: %v", err)
	}
	s := &StrictSMTP{Addr: ln.Addr().String(), ln: ln, name: opt.Hostname, users: opt.Users, onMessage: opt.OnMessage, conns: map[net.Conn]bool{},
		rcpt: map[string]string{}, data: map[string]*dataRefusal{}}
	if s.name == "" {
		s.name = "mx.strict.test"
	}
	s.wg.Add(1)
	go s.serve()
	t.Cleanup(s.Close)
	return s
}

// Close stops the server and ends its sessions.
func (s *StrictSMTP) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.ln.Close()
	s.wg.Wait()
}

// RefuseSessions makes the next n sessions fail at stage (StrictGreeting,
// StrictAuth or StrictMail) with reply, such as "421 4.3.2 Service not
// available" or "454 4.7.0 Temporary authentication failure"; n < 0 refuses
// every session until AcceptSessions. Refusals queue one after another.
func (s *StrictSMTP) RefuseSessions(stage, reply string, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refusals = append(s.refusals, &sessionRefusal{stage: stage, reply: reply, left: n})
}

// AcceptSessions drops every session refusal not yet used up.
func (s *StrictSMTP) AcceptSessions() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refusals = nil
}

// RefuseRcpt answers every RCPT TO the address with reply ("550 5.1.1 No
// such user"); an empty reply accepts it again.
func (s *StrictSMTP) RefuseRcpt(addr, reply string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if reply == "" {
		delete(s.rcpt, strings.ToLower(addr))
		return
	}
	s.rcpt[strings.ToLower(addr)] = reply
}

// StrictHangUp as RefuseData's reply closes the connection without a word
// once the mail's data has arrived, as a server that crashes or drops the
// mail's session does.
const StrictHangUp = "(hang up)"

// RefuseData answers the next n mails to the address with reply after
// their data ("451 4.3.0 Try again later"; StrictHangUp: no answer, the
// connection closed), then accepts them.
func (s *StrictSMTP) RefuseData(addr, reply string, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.data[strings.ToLower(addr)] = &dataRefusal{reply: reply, left: n}
}

// HangUpAfter makes the server close each session, without a word, once it
// has accepted n mails in it (as servers do with idle or long sessions);
// 0 never does.
func (s *StrictSMTP) HangUpAfter(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hangUp = n
}

// Messages returns the mail accepted so far, in order.
func (s *StrictSMTP) Messages() []StrictMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]StrictMessage(nil), s.msgs...)
}

// Sessions counts the connections taken.
func (s *StrictSMTP) Sessions() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sessions
}

// Hellos returns every HELO/EHLO name the clients gave, in order (refused
// ones included).
func (s *StrictSMTP) Hellos() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.hellos...)
}

// Violations lists what clients did against the rules, one line each
// ("session 2: duplicate EHLO mail.example.com").
func (s *StrictSMTP) Violations() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.violations...)
}

func (s *StrictSMTP) serve() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			c.Close()
			return
		}
		s.sessions++
		id := s.sessions
		s.conns[c] = true
		refusal := s.takeRefusal()
		s.mu.Unlock()
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer func() {
				s.mu.Lock()
				delete(s.conns, c)
				s.mu.Unlock()
				c.Close()
			}()
			ss := &strictSession{srv: s, id: id, refusal: refusal, text: textproto.NewConn(c), conn: c}
			ss.run()
		}()
	}
}

// takeRefusal uses up one session of the first refusal still in force.
func (s *StrictSMTP) takeRefusal() *sessionRefusal {
	for len(s.refusals) > 0 {
		r := s.refusals[0]
		if r.left == 0 {
			s.refusals = s.refusals[1:]
			continue
		}
		if r.left > 0 {
			r.left--
		}
		return &sessionRefusal{stage: r.stage, reply: r.reply}
	}
	return nil
}

type strictSession struct {
	srv     *StrictSMTP
	id      int
	refusal *sessionRefusal
	conn    net.Conn
	text    *textproto.Conn

	helo     string
	authed   bool
	inTx     bool
	from     string
	to       []string
	accepted int
}

func (ss *strictSession) violation(format string, args ...any) {
	ss.srv.mu.Lock()
	defer ss.srv.mu.Unlock()
	ss.srv.violations = append(ss.srv.violations, fmt.Sprintf("session %d: ", ss.id)+fmt.Sprintf(format, args...))
}

func (ss *strictSession) reply(lines ...string) bool {
	for _, l := range lines {
		if err := ss.text.PrintfLine("%s", l); err != nil {
			return false
		}
	}
	return true
}

func (ss *strictSession) refused(stage string) (string, bool) {
	if ss.refusal != nil && ss.refusal.stage == stage {
		return ss.refusal.reply, true
	}
	return "", false
}

func (ss *strictSession) run() {
	if r, ok := ss.refused(StrictGreeting); ok {
		ss.reply(r)
		return
	}
	if !ss.reply("220 " + ss.srv.name + " ESMTP strict") {
		return
	}
	for {
		_ = ss.conn.SetReadDeadline(time.Now().Add(time.Minute))
		line, err := ss.text.ReadLine()
		if err != nil {
			return
		}
		verb, arg, _ := strings.Cut(line, " ")
		if !ss.command(strings.ToUpper(verb), strings.TrimSpace(arg)) {
			return
		}
	}
}

// command answers one command; false ends the session.
func (ss *strictSession) command(verb, arg string) bool {
	switch verb {
	case "EHLO", "HELO":
		return ss.hello(verb, arg)
	case "AUTH":
		return ss.auth(arg)
	case "MAIL":
		return ss.mail(arg)
	case "RCPT":
		return ss.rcptTo(arg)
	case "DATA":
		return ss.dataCmd()
	case "RSET":
		ss.reset()
		return ss.reply("250 2.0.0 Ok")
	case "NOOP":
		return ss.reply("250 2.0.0 Ok")
	case "VRFY":
		return ss.reply("252 2.0.0 Cannot VRFY user")
	case "QUIT":
		ss.reply("221 2.0.0 Bye")
		return false
	}
	ss.violation("unknown command %s", verb)
	return ss.reply("502 5.5.2 Error: command not recognized")
}

// fqdn: a name with a dot, made of letters, digits and hyphens, not
// localhost; or an address literal.
var fqdn = regexp.MustCompile(`^(?i)(([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z]([a-z0-9-]*[a-z0-9])?\.?|\[[0-9.]+\]|\[IPv6:[0-9a-f:.]+\])$`)

func (ss *strictSession) hello(verb, name string) bool {
	ss.srv.mu.Lock()
	ss.srv.hellos = append(ss.srv.hellos, name)
	ss.srv.mu.Unlock()
	if ss.helo != "" {
		ss.violation("duplicate %s %s (greeted as %s)", verb, name, ss.helo)
		return ss.reply("503 5.5.1 Duplicate HELO/EHLO")
	}
	lower := strings.ToLower(strings.TrimSuffix(name, "."))
	if !fqdn.MatchString(name) || lower == "localhost" || strings.HasPrefix(lower, "localhost.") {
		ss.violation("%s with a name that is not fully qualified: %q", verb, name)
		return ss.reply(fmt.Sprintf("504 5.5.2 <%s>: Helo command rejected: need fully-qualified hostname", name))
	}
	ss.helo = name
	if verb == "HELO" {
		return ss.reply("250 " + ss.srv.name)
	}
	lines := []string{"250-" + ss.srv.name, "250-8BITMIME", "250-ENHANCEDSTATUSCODES", "250-SIZE 52428800"}
	if len(ss.srv.users) > 0 {
		lines = append(lines, "250-AUTH PLAIN")
	}
	lines = append(lines, "250 SMTPUTF8")
	return ss.reply(lines...)
}

func (ss *strictSession) auth(arg string) bool {
	switch {
	case ss.helo == "":
		ss.violation("AUTH before HELO/EHLO")
		return ss.reply("503 5.5.1 Error: send HELO/EHLO first")
	case len(ss.srv.users) == 0:
		ss.violation("AUTH where none is offered")
		return ss.reply("502 5.5.1 Error: authentication not enabled")
	case ss.authed:
		ss.violation("AUTH twice")
		return ss.reply("503 5.5.1 Error: already authenticated")
	case ss.inTx:
		ss.violation("AUTH inside a transaction")
		return ss.reply("503 5.5.1 Error: MAIL transaction in progress")
	}
	if r, ok := ss.refused(StrictAuth); ok {
		return ss.reply(r)
	}
	mech, initial, _ := strings.Cut(arg, " ")
	if !strings.EqualFold(mech, "PLAIN") {
		return ss.reply("504 5.5.4 Unrecognized authentication type")
	}
	if initial == "" {
		if !ss.reply("334 ") {
			return false
		}
		l, err := ss.text.ReadLine()
		if err != nil {
			return false
		}
		initial = l
	}
	if initial == "*" {
		return ss.reply("501 5.7.0 Authentication aborted")
	}
	b, err := base64.StdEncoding.DecodeString(initial)
	if err != nil {
		return ss.reply("501 5.5.2 Cannot decode response")
	}
	parts := bytes.Split(b, []byte{0})
	if len(parts) != 3 {
		return ss.reply("501 5.5.2 Malformed PLAIN response")
	}
	if want, ok := ss.srv.users[string(parts[1])]; !ok || want != string(parts[2]) {
		return ss.reply("535 5.7.8 Error: authentication failed")
	}
	ss.authed = true
	return ss.reply("235 2.7.0 Authentication successful")
}

func (ss *strictSession) mail(arg string) bool {
	switch {
	case ss.helo == "":
		ss.violation("MAIL before HELO/EHLO")
		return ss.reply("503 5.5.1 Error: send HELO/EHLO first")
	case ss.inTx:
		ss.violation("MAIL inside a transaction (no RSET)")
		return ss.reply("503 5.5.1 Error: nested MAIL command")
	case len(ss.srv.users) > 0 && !ss.authed:
		ss.violation("MAIL without AUTH")
		return ss.reply("530 5.7.0 Authentication required")
	}
	if r, ok := ss.refused(StrictMail); ok {
		return ss.reply(r)
	}
	from, ok := path(arg, "FROM:")
	if !ok {
		return ss.reply("501 5.5.4 Syntax: MAIL FROM:<address>")
	}
	ss.inTx, ss.from, ss.to = true, from, nil
	return ss.reply("250 2.1.0 Ok")
}

func (ss *strictSession) rcptTo(arg string) bool {
	if !ss.inTx {
		ss.violation("RCPT without MAIL")
		return ss.reply("503 5.5.1 Error: need MAIL command")
	}
	to, ok := path(arg, "TO:")
	if !ok || to == "" {
		return ss.reply("501 5.5.4 Syntax: RCPT TO:<address>")
	}
	ss.srv.mu.Lock()
	r, refused := ss.srv.rcpt[strings.ToLower(to)]
	ss.srv.mu.Unlock()
	if refused {
		return ss.reply(r)
	}
	ss.to = append(ss.to, to)
	return ss.reply("250 2.1.5 Ok")
}

func (ss *strictSession) dataCmd() bool {
	if !ss.inTx || len(ss.to) == 0 {
		ss.violation("DATA without MAIL and RCPT")
		return ss.reply("503 5.5.1 Error: need RCPT command")
	}
	if !ss.reply("354 End data with <CR><LF>.<CR><LF>") {
		return false
	}
	_ = ss.conn.SetReadDeadline(time.Now().Add(time.Minute))
	body, err := io.ReadAll(ss.text.DotReader())
	if err != nil {
		return false
	}
	msg := StrictMessage{Session: ss.id, Helo: ss.helo, From: ss.from, To: ss.to, Data: body}
	ss.reset()
	ss.srv.mu.Lock()
	var refusal string
	for _, to := range msg.To {
		if d := ss.srv.data[strings.ToLower(to)]; d != nil && d.left != 0 {
			d.left--
			refusal = d.reply
		}
	}
	if refusal == "" {
		ss.srv.msgs = append(ss.srv.msgs, msg)
	}
	n := len(ss.srv.msgs)
	ss.srv.mu.Unlock()
	if refusal == StrictHangUp {
		return false
	}
	if refusal != "" {
		return ss.reply(refusal)
	}
	if ss.srv.onMessage != nil {
		ss.srv.onMessage(msg)
	}
	ss.accepted++
	ss.srv.mu.Lock()
	hangUp := ss.srv.hangUp > 0 && ss.accepted >= ss.srv.hangUp
	ss.srv.mu.Unlock()
	return ss.reply(fmt.Sprintf("250 2.0.0 Ok: queued as S%d", n)) && !hangUp
}

func (ss *strictSession) reset() {
	ss.inTx, ss.from, ss.to = false, "", nil
}

// path reads "FROM:<a@b> PARAMS" (or TO:) and returns a@b.
func path(arg, prefix string) (string, bool) {
	if len(arg) < len(prefix) || !strings.EqualFold(arg[:len(prefix)], prefix) {
		return "", false
	}
	rest := strings.TrimSpace(arg[len(prefix):])
	if !strings.HasPrefix(rest, "<") {
		return "", false
	}
	end := strings.IndexByte(rest, '>')
	if end < 0 {
		return "", false
	}
	return rest[1:end], true
}
