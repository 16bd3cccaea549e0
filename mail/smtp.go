package mail

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/jhillyerd/enmime/v2"

	"refunddesk/templates"
	"refunddesk/tickets"
)

// SMTPConfig is where and how the desk sends mail.
type SMTPConfig struct {
	Address string `toml:"address"` // host:port
	// TLS: implicit (port 465), starttls (587), or none (loopback only).
	TLS string `toml:"tls"`
	// HeloName is the name the desk greets the server with (EHLO), once a
	// session: a fully qualified domain name or an address literal. Empty:
	// the domain of the desk's address, else this host's fully qualified
	// name, else the address literal of the connection; never localhost.
	HeloName     string `toml:"helo_name"`
	Username     string `toml:"username"` // empty: no AUTH
	Password     string `toml:"password"`
	PasswordFile string `toml:"password_file"`
	// Auth: plain, login, xoauth2 or oauthbearer; the OAuth ones run
	// TokenCommand for a fresh access token at each login, as IMAP does.
	Auth         string           `toml:"auth"`
	TokenCommand string           `toml:"token_command"`
	Timeout      tickets.Duration `toml:"timeout"`
	// MaxAttempts: after this many temporary failures a mail is marked failed.
	MaxAttempts int `toml:"max_attempts"`
	// Sessions: how many SMTP sessions a running sender (Pool: serve, and
	// outbox send without --once) delivers over at once, 1 to MaxSessions;
	// 0 takes the default, 4. One is the sender of before: one session,
	// the outbox in batches of 50.
	Sessions int `toml:"sessions"`
}

// MaxSessions bounds SMTPConfig.Sessions: more parallel sessions than this
// gain nothing on one server and look like abuse to a provider's limits.
const MaxSessions = 32

// DefaultSessions is SMTPConfig.Sessions when it is not set.
const DefaultSessions = 4

// Defaults fills the zero values.
func (c *SMTPConfig) Defaults() {
	if c.TLS == "" {
		c.TLS = "starttls"
	}
	if c.Auth == "" {
		c.Auth = "plain"
	}
	if c.Timeout.Duration <= 0 {
		c.Timeout.Duration = 30 * time.Second
	}
	if c.MaxAttempts <= 0 {
		c.MaxAttempts = 12
	}
	if c.Sessions == 0 {
		c.Sessions = DefaultSessions
	}
}

// OutboxLease is how long the sender holds the mail it claims from the
// outbox (each mail's lease; a batch claims its mails together).
const OutboxLease = 5 * time.Minute

// timeoutsPerMail bounds the timeouts one mail can wait through: a lost
// idle session found at MAIL (1), a new session (connect with greeting and
// EHLO, STARTTLS, AUTH: 3), MAIL with RCPT and DATA (1), the data and its
// reply (2), an RSET after a refusal (1).
const timeoutsPerMail = 8

// Validate checks the settings; messages name the key under prefix.
func (c *SMTPConfig) Validate(prefix string) []string {
	var errs []string
	if t := c.Timeout.Duration; t > 0 && timeoutsPerMail*t >= OutboxLease {
		// A mail slower than its lease may be claimed and sent by another
		// sender meanwhile (fencing keeps the outbox right, not the inbox).
		errs = append(errs, fmt.Sprintf("%s.timeout: %s is too long: one mail may wait up to %d times it (%s), not less than the %s an outbox lease lasts; at most %s",
			prefix, t, timeoutsPerMail, timeoutsPerMail*t, OutboxLease, (OutboxLease-time.Second)/timeoutsPerMail))
	}
	if c.Sessions < 0 || c.Sessions > MaxSessions {
		errs = append(errs, fmt.Sprintf("%s.sessions: %d is not between 1 and %d (the SMTP sessions the sender delivers over at once)",
			prefix, c.Sessions, MaxSessions))
	}
	if c.HeloName != "" && !validHeloName(c.HeloName) {
		errs = append(errs, fmt.Sprintf("%s.helo_name: %q is not a fully qualified domain name (like mail.example.com) or an address literal (like [192.0.2.1])",
			prefix, c.HeloName))
	}
	if c.Address == "" {
		return errs
	}
	errs = append(errs, validateServer(prefix, c.Address, c.TLS)...)
	switch c.Auth {
	case "plain", "login":
	case "xoauth2", "oauthbearer":
		if c.TokenCommand == "" {
			errs = append(errs, prefix+".token_command: "+c.Auth+" needs a command that prints an access token")
		}
		if c.Username == "" {
			errs = append(errs, prefix+".username: "+c.Auth+" needs the account's name")
		}
	default:
		errs = append(errs, fmt.Sprintf("%s.auth: %q is not plain, login, xoauth2 or oauthbearer", prefix, c.Auth))
	}
	return errs
}

// Identity is who the desk is in the mail it sends.
type Identity struct {
	Address string // From, and the envelope sender bounces come back to
	Name    string // the display name
	ReplyTo string // default: Address
	// MessageIDDomain: default the Address's domain.
	MessageIDDomain string
	RefundDays      int
	ReopenDays      int
}

func (id Identity) domain() string {
	return messageIDDomain(id.MessageIDDomain, id.Address, "refunddesk.invalid")
}

// MessageID is the Message-ID of an outbox item: the same on every try, so a
// mail sent twice (the one case a crash cannot avoid) is recognisably one.
func (id Identity) MessageID(it *tickets.OutboxItem) string {
	return fmt.Sprintf("rd.%d.%d@%s", it.TicketID, it.ID, id.domain())
}

// SendStats counts what a sending run did.
type SendStats = tickets.DeliveryStats

// Sender delivers the email outbox over SMTP: one session a run, one
// greeting a session, RSET between mails when a transaction was left open.
// A failure of the session before the server accepted MAIL FROM
// (connecting, greeting, TLS, login, MAIL FROM, RSET) says nothing about the
// mail: the run stops, the mail is given back to the queue uncounted, and
// Run tries again after a growing pause. The server's reply to RCPT or to
// the data is a verdict on the mail: 5xx fails it, 4xx tries it again
// later. A session lost at RCPT or the data (421, 503, 530, a dropped
// connection, a timeout) is charged to that mail as a temporary failure,
// so one mail a server will not take cannot hold the queue; the run stops
// there and the rest of its batch is given back uncounted.
// A Sender is used by one goroutine at a time; a Pool runs several, one a
// session.
type Sender struct {
	cfg  SMTPConfig
	id   Identity
	svc  *tickets.Service
	tpl  *templates.Engine
	log  *slog.Logger
	now  func() time.Time
	helo string // "" : the connection's address literal
	sess *smtpSession
	// state is how the session has fared lately.
	state SessionState
	// Dial, when set, replaces the network dial (tests).
	Dial func(ctx context.Context) (net.Conn, error)
	// OnSession, when set, hears of every failure of the session and of
	// its recovery (and of the first session that works), for health
	// checks and metrics. It is called on the sender's goroutine; not for
	// a Pool's worker (the Pool's OnSession hears of all its sessions).
	OnSession func(SessionState)
	// ReconnectMin and ReconnectMax bound Run's pause after a failed
	// session: ReconnectMin, doubling with each failure in a row, at most
	// ReconnectMax (1 s and 4 min).
	ReconnectMin, ReconnectMax time.Duration
	// The session is reported stuck (SessionState.Alert) once it has failed
	// AlertFailures times in a row or for AlertAfter (3 and 2 min).
	AlertFailures int
	AlertAfter    time.Duration
	// batch: the mails a run claims at a time (sendBatch; a Pool's workers
	// take fewer, so that a burst is shared among them).
	batch int
	// pool, when set, hears of this worker's sessions (Pool); handedBack
	// says that another of its workers gave mail back to the queue.
	pool       *Pool
	handedBack chan struct{}
}

// sendBatch is how many mails a lone sender claims at a time.
const sendBatch = 50

// SessionState is how the SMTP session has fared lately.
type SessionState struct {
	// OK: the last session carried mail, or the server judged a mail.
	OK bool
	// Failures counts the session failures in a row, since Since; Stage
	// and Err are the last one's.
	Failures int
	Since    time.Time
	Stage    Stage
	Err      error
	// Alert: failing for AlertFailures in a row or for AlertAfter: mail
	// waits in the outbox until the session works again.
	Alert bool
	// Retry is Run's pause before it tries again.
	Retry time.Duration
}

// NewSender returns a sender; cfg's zero values take the defaults.
func NewSender(cfg SMTPConfig, id Identity, svc *tickets.Service, tpl *templates.Engine, log *slog.Logger) *Sender {
	cfg.Defaults()
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if id.ReplyTo == "" {
		id.ReplyTo = id.Address
	}
	return &Sender{cfg: cfg, id: id, svc: svc, tpl: tpl, log: log, now: svc.Now, helo: defaultHeloName(cfg.HeloName, id.Address),
		ReconnectMin: time.Second, ReconnectMax: 4 * time.Minute, AlertFailures: 3, AlertAfter: 2 * time.Minute, batch: sendBatch}
}

// Compose renders an outbox item into a complete mail.
func (s *Sender) Compose(ctx context.Context, it *tickets.OutboxItem) ([]byte, error) {
	var name string
	if t, err := s.svc.Records.Ticket(ctx, it.TicketRef); err == nil {
		name = t.Requester.Name
	}
	msg, err := s.tpl.Render(templates.FlavourEmail, it.Template, templates.Data{MessageData: it.Data, Language: it.Language,
		DeskName: s.id.Name, RequesterName: name, RefundDays: s.id.RefundDays, ReopenDays: s.id.ReopenDays})
	if err != nil {
		return nil, err
	}
	subject := msg.Subject
	if it.TicketRef != "" && !strings.Contains(subject, "["+it.TicketRef+"]") {
		subject = "[" + it.TicketRef + "] " + subject
	}
	deskName := s.id.Name
	if deskName == "" {
		deskName = templates.DefaultDeskName
	}
	b := enmime.Builder().From(deskName, s.id.Address).To(name, it.Recipient).ReplyTo("", s.id.ReplyTo).
		Subject(subject).Date(s.now()).Text([]byte(msg.Text)).HTML([]byte(msg.HTML)).
		Header("Message-ID", "<"+s.id.MessageID(it)+">")
	if it.TicketID != 0 {
		ids, err := s.svc.Delivery.ThreadIDs(ctx, it.TicketID, tickets.ChannelEmail)
		if err != nil {
			return nil, err
		}
		if len(ids) > 0 {
			if len(ids) > 10 {
				ids = append(ids[:1], ids[len(ids)-9:]...)
			}
			refs := make([]string, len(ids))
			for i, id := range ids {
				refs[i] = "<" + id + ">"
			}
			b = b.Header("In-Reply-To", refs[len(refs)-1]).Header("References", strings.Join(refs, " "))
		}
	}
	if it.Automatic {
		// RFC 3834: never answer this; and ask Exchange not to answer it.
		b = b.Header("Auto-Submitted", "auto-replied").Header("X-Auto-Response-Suppress", "All")
	}
	part, err := b.Build()
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := part.Encode(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// SendOnce delivers what is due now and returns. When the session fails,
// it stops with an error that wraps tickets.ErrChannelDown and the
// *SendError; the rest of its batch waits in the outbox, not charged an
// attempt, and so does the mail it was on, unless the server had accepted
// its MAIL FROM (SendError.Charged): that one is charged an attempt.
func (s *Sender) SendOnce(ctx context.Context) (SendStats, error) {
	defer s.hangUp()
	return s.svc.Delivery.DeliverOutbox(ctx, tickets.ChannelEmail, s.batch, OutboxLease, s.deliver)
}

// Run delivers the outbox until ctx ends: at once when this process commits
// a mail to the outbox, and every interval anyway (for mail other
// instances queued). After a failed session it waits ReconnectMin,
// doubling, at most ReconnectMax, before it tries again.
func (s *Sender) Run(ctx context.Context, interval time.Duration, onRun func(SendStats, error)) {
	queued, stop := s.svc.Delivery.OutboxQueued(tickets.ChannelEmail)
	defer stop()
	for {
		// A batch that has begun is sent and recorded even when ctx ends
		// (DeliverOutbox); the next one is not begun.
		st, err := s.SendOnce(ctx)
		if onRun != nil {
			onRun(st, err)
		}
		wait, wake, handed := interval, queued, s.handedBack
		switch {
		case errors.Is(err, tickets.ErrChannelDown):
			// New mail waits for the pause too: the server is not ready.
			// The mail this run gave back is the other workers' to send
			// meanwhile (a Pool's).
			wait, wake, handed = s.state.Retry, nil, nil
			if s.pool != nil {
				s.pool.handBack(s)
			}
		case err != nil && ctx.Err() == nil:
			s.log.Warn("outbox sender", slog.Any("error", err))
		}
		if !pauseOr(ctx, wait, wake, handed) {
			return
		}
	}
}

// pause waits d, or until wake says there is new mail (a nil wake: d
// alone); false when ctx ended.
func pause(ctx context.Context, d time.Duration, wake <-chan struct{}) bool {
	return pauseOr(ctx, d, wake, nil)
}

// pauseOr is pause that also ends when handed says another worker gave
// mail back (a nil handed: never).
func pauseOr(ctx context.Context, d time.Duration, wake, handed <-chan struct{}) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
	case <-wake:
	case <-handed:
	}
	return true
}

// deliver sends one item and says what became of it: sent, refused by the
// server (5xx failed, 4xx tried again later), or deferred when the session
// failed before the server could judge the mail.
func (s *Sender) deliver(ctx context.Context, it tickets.OutboxItem) tickets.OutboxResult {
	raw, err := s.Compose(ctx, &it)
	if err != nil {
		s.log.Error("cannot write an outbox mail", slog.Int64("outbox", it.ID), slog.Any("error", err))
		return tickets.OutboxResult{Err: "cannot write the mail: " + err.Error(), Permanent: true}
	}
	err = s.send(ctx, it.Recipient, raw)
	var se *SendError
	if errors.As(err, &se) && se.Session() && !se.Charged() {
		s.sessionFailed(se)
		return tickets.OutboxResult{Deferred: true, Err: err.Error(), Cause: err}
	}
	res := tickets.OutboxResult{Sent: err == nil, ExternalID: "<" + s.id.MessageID(&it) + ">"}
	if se != nil && se.Charged() {
		// The session was lost on this mail, after the server had taken it
		// up: the mail is charged an attempt and waits behind the others;
		// the rest of the batch is given back uncharged, and the next run
		// opens a new session for them.
		res.Stop, res.Cause = true, err
	}
	if err != nil {
		res.Err = err.Error()
		res.Permanent = se != nil && se.Permanent()
		if !res.Permanent && it.Attempts >= s.cfg.MaxAttempts {
			res.Permanent = true
			res.Err = fmt.Sprintf("gave up after %d attempts: %s", it.Attempts, err)
		}
		res.RetryAt = s.now().Add(backoff(it.Attempts))
		s.log.Warn("mail not delivered", slog.Int64("outbox", it.ID), slog.String("ticket", it.TicketRef),
			slog.String("to", it.Recipient), slog.Bool("permanent", res.Permanent), slog.Any("error", err))
	} else {
		s.log.Info("mail sent", slog.Int64("outbox", it.ID), slog.String("ticket", it.TicketRef), slog.String("template", it.Template))
	}
	if err == nil || (se != nil && !se.local) {
		s.sessionWorks()
	}
	return res
}

// backoff is the pause before a mail's next try: 1, 2, 4 … minutes, at
// most 6 hours.
func backoff(attempts int) time.Duration {
	d := time.Minute
	for i := 1; i < attempts && d < 6*time.Hour; i++ {
		d *= 2
	}
	return min(d, 6*time.Hour)
}

// sessionFailed counts a failed session, says how long Run pauses, and
// raises the alert once it has gone on too long.
func (s *Sender) sessionFailed(se *SendError) {
	now := time.Now()
	st := &s.state
	if st.Failures == 0 {
		st.Since = now
	}
	st.OK, st.Stage, st.Err = false, se.Stage, se
	st.Failures++
	st.Retry = s.ReconnectMin
	for i := 1; i < st.Failures && st.Retry < s.ReconnectMax; i++ {
		st.Retry *= 2
	}
	st.Retry = min(st.Retry, s.ReconnectMax)
	alert := st.Failures >= s.AlertFailures || now.Sub(st.Since) >= s.AlertAfter
	log := s.log.With(slog.String("stage", string(se.Stage)), slog.Int("failures", st.Failures),
		slog.Duration("retry_in", st.Retry), slog.Any("error", se))
	if s.pool != nil {
		// One of several sessions: whether sending is stuck is the pool's
		// to say, from all of them.
		st.Alert = alert
		log.Warn("SMTP session failed; its mail goes back to the outbox, not charged an attempt")
		s.pool.failed(se, st.Retry)
		return
	}
	switch {
	case alert && !st.Alert:
		log.Error("SMTP sending is stuck: the session keeps failing; mail waits in the outbox", slog.Time("since", st.Since))
	default:
		log.Warn("SMTP session failed; the mail waits in the outbox, not charged an attempt")
	}
	st.Alert = alert
	if s.OnSession != nil {
		s.OnSession(*st)
	}
}

// sessionWorks notes that the session carried a mail (or the server judged
// one): the alert, if any, is over.
func (s *Sender) sessionWorks() {
	if s.pool != nil {
		s.pool.works()
	}
	if s.state.OK {
		return
	}
	if s.state.Failures > 0 {
		s.log.Info("SMTP session works again", slog.Int("failures", s.state.Failures), slog.Time("since", s.state.Since))
	}
	s.state = SessionState{OK: true}
	if s.OnSession != nil && s.pool == nil {
		s.OnSession(s.state)
	}
}

// poolBatch is how many mails a worker of a Pool of several sessions
// claims at a time: few enough that a burst the intake commits at once (up
// to its batch of 100) is shared among the sessions rather than taken by
// the first to wake, enough that claiming (one write) costs little beside
// sending them (10 mails: about 140 ms through Postfix).
const poolBatch = 10

// Pool delivers the email outbox over up to SMTPConfig.Sessions SMTP
// sessions at once: one worker a session, each a Sender of its own that
// opens its session when it has mail and hangs up when it has none. The
// workers share the outbox through its leases (each claims poolBatch mails
// at a time; a mail is claimed by one worker, recorded under its lease, so
// none is sent twice and none is lost when a worker stops), and all wake
// when mail is committed, so a lone mail goes at once and a burst is
// spread. Mails of one ticket still go in order: the outbox gives out a
// ticket's next mail only once the one before it is finished.
//
// A worker's session that fails gives its batch back to the queue
// uncharged, as a lone Sender does, wakes the other workers to send it,
// and waits its own growing pause (ReconnectMin doubling to ReconnectMax)
// while they go on.
// How sending fares is told from all the sessions as one stream: it is
// failing from a failed session until any session carries a mail (or the
// server judges one); it is stuck (SessionState.Alert) once AlertFailures
// sessions in a row have failed, whichever worker's, with none carrying a
// mail in between, or AlertAfter has passed so. A server that refuses one
// session of four (a limit on connections) while the others deliver is
// not stuck: mail flows, and the failures are logged and counted.
type Pool struct {
	workers []*Sender
	log     *slog.Logger
	// OnSession, when set, hears of every failure of a session and of the
	// first mail carried after failures (and of the first session that
	// works), with the pool's state: Failures, Since and Alert count every
	// worker's sessions; Stage, Err and Retry are the failure's. Calls
	// come one at a time, never beside Run's onRun.
	OnSession func(SessionState)
	// AlertFailures and AlertAfter: see Pool (3 and 2 min).
	AlertFailures int
	AlertAfter    time.Duration

	mu    sync.Mutex
	state SessionState
}

// NewPool returns the sender of cfg.Sessions workers (see Pool); cfg's zero
// values take the defaults.
func NewPool(cfg SMTPConfig, id Identity, svc *tickets.Service, tpl *templates.Engine, log *slog.Logger) *Pool {
	cfg.Defaults()
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	n := min(max(cfg.Sessions, 1), MaxSessions)
	p := &Pool{log: log, AlertFailures: 3, AlertAfter: 2 * time.Minute}
	for i := range n {
		wlog := log
		if n > 1 {
			wlog = log.With(slog.Int("smtp_session", i+1))
		}
		w := NewSender(cfg, id, svc, tpl, wlog)
		w.pool, w.handedBack = p, make(chan struct{}, 1)
		if n > 1 {
			w.batch = poolBatch
		}
		p.workers = append(p.workers, w)
	}
	return p
}

// Senders are the pool's workers, one a session, for tests to set their
// pauses (ReconnectMin, ReconnectMax) or Dial before Run. Their OnSession
// is not called: the pool's is.
func (p *Pool) Senders() []*Sender { return p.workers }

// Check connects to the server (and logs in) once, to tell at start-up
// that mail can be sent.
func (p *Pool) Check(ctx context.Context) error { return p.workers[0].Check(ctx) }

// Run delivers the outbox on every worker until ctx ends (each as
// Sender.Run: at once when this process commits a mail, every interval
// anyway, after a failed session its own pause), and returns once each has
// finished the batch in hand. onRun hears of each worker's runs, one call
// at a time.
func (p *Pool) Run(ctx context.Context, interval time.Duration, onRun func(SendStats, error)) {
	report := func(st SendStats, err error) {
		if onRun == nil {
			return
		}
		p.mu.Lock()
		defer p.mu.Unlock()
		onRun(st, err)
	}
	var wg sync.WaitGroup
	for _, w := range p.workers {
		wg.Go(func() { w.Run(ctx, interval, report) })
	}
	wg.Wait()
}

// handBack wakes the workers other than from, which gave mail back to the
// queue when its session failed: one whose session works sends it now, not
// at its next look (those pausing after a failure of their own are not
// woken).
func (p *Pool) handBack(from *Sender) {
	for _, w := range p.workers {
		if w == from {
			continue
		}
		select {
		case w.handedBack <- struct{}{}:
		default:
		}
	}
}

// failed counts a worker's failed session in the pool's stream, raises the
// alert once it has gone on too long, and tells OnSession.
func (p *Pool) failed(se *SendError, retry time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	st := &p.state
	if st.Failures == 0 {
		st.Since = now
	}
	st.OK, st.Stage, st.Err, st.Retry = false, se.Stage, se, retry
	st.Failures++
	alert := st.Failures >= p.AlertFailures || now.Sub(st.Since) >= p.AlertAfter
	if alert && !st.Alert {
		p.log.Error("SMTP sending is stuck: the sessions keep failing and none carries mail; mail waits in the outbox",
			slog.Int("failures", st.Failures), slog.Time("since", st.Since), slog.String("stage", string(se.Stage)), slog.Any("error", se))
	}
	st.Alert = alert
	if p.OnSession != nil {
		p.OnSession(*st)
	}
}

// works notes that a worker's session carried a mail (or the server judged
// one): the pool's failures, and the alert if any, are over.
func (p *Pool) works() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.state.OK {
		return
	}
	if p.state.Failures > 0 {
		p.log.Info("SMTP sending works again", slog.Int("failures", p.state.Failures), slog.Time("since", p.state.Since))
	}
	p.state = SessionState{OK: true}
	if p.OnSession != nil {
		p.OnSession(p.state)
	}
}
