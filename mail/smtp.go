package mail

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/mail"

	"strings"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
	"github.com/jhillyerd/enmime/v2"

	"refunddesk/templates"
	"refunddesk/tickets"
)

// SMTPConfig is where and how the desk sends mail.
type SMTPConfig struct {
	Address string `toml:"address"` // host:port
	// TLS: implicit (port 465), starttls (587), or none (loopback only).
	TLS          string           `toml:"tls"`
	Username     string           `toml:"username"` // empty: no AUTH
	Password     string           `toml:"password"`
	PasswordFile string           `toml:"password_file"`
	Auth         string           `toml:"auth"` // plain or login
	Timeout      tickets.Duration `toml:"timeout"`
	// MaxAttempts: after this many temporary failures a mail is marked failed.
	MaxAttempts int `toml:"max_attempts"`
}

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
}

// Validate checks the settings; messages name the key under prefix.
func (c *SMTPConfig) Validate(prefix string) []string {
	if c.Address == "" {
		return nil
	}
	errs := validateServer(prefix, c.Address, c.TLS)
	if c.Auth != "plain" && c.Auth != "login" {
		errs = append(errs, fmt.Sprintf("%s.auth: %q is not plain or login", prefix, c.Auth))
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

// SendStats counts what a run of the sender did.
// SendStats counts what a sending run did.
type SendStats = tickets.DeliveryStats

// Sender delivers the email outbox over SMTP.
type Sender struct {
	cfg  SMTPConfig
	id   Identity
	svc  *tickets.Service
	tpl  *templates.Engine
	log  *slog.Logger
	now  func() time.Time
	conn *smtp.Client
	// Dial, when set, replaces the network dial (tests).
	Dial func(ctx context.Context) (net.Conn, error)
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
	return &Sender{cfg: cfg, id: id, svc: svc, tpl: tpl, log: log, now: svc.Now}
}

// Compose renders an outbox item into a complete mail.
func (s *Sender) Compose(ctx context.Context, it *tickets.OutboxItem) ([]byte, error) {
	var name string
	if t, err := s.svc.Ticket(ctx, it.TicketRef); err == nil {
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
		ids, err := s.svc.ThreadIDs(ctx, it.TicketID, tickets.ChannelEmail)
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

// SendOnce delivers what is due now and returns.
func (s *Sender) SendOnce(ctx context.Context) (SendStats, error) {
	defer s.hangUp()
	return s.svc.DeliverOutbox(ctx, tickets.ChannelEmail, 50, 5*time.Minute, s.deliver)
}

// Run delivers the outbox until ctx ends, looking again every interval.
func (s *Sender) Run(ctx context.Context, interval time.Duration, onRun func(SendStats, error)) {
	for {
		// A batch that has begun is sent and recorded even when ctx ends
		// (DeliverOutbox); the next one is not begun.
		st, err := s.SendOnce(ctx)
		if onRun != nil {
			onRun(st, err)
		}
		if err != nil && ctx.Err() == nil {
			s.log.Warn("outbox sender", slog.Any("error", err))
		}
		if !sleep(ctx, interval) {
			return
		}
	}
}

// deliver sends one item and records the outcome. Only a failure to record
// it is returned: delivery problems are the item's, not the run's.
func (s *Sender) deliver(ctx context.Context, it tickets.OutboxItem) tickets.OutboxResult {
	raw, err := s.Compose(ctx, &it)
	if err != nil {
		s.log.Error("cannot write an outbox mail", slog.Int64("outbox", it.ID), slog.Any("error", err))
		return tickets.OutboxResult{Err: "cannot write the mail: " + err.Error(), Permanent: true}
	}
	err = s.send(ctx, it.Recipient, raw)
	res := tickets.OutboxResult{Sent: err == nil, ExternalID: "<" + s.id.MessageID(&it) + ">"}
	if err != nil {
		res.Err = err.Error()
		res.Permanent = permanent(err)
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
	return res
}

// backoff is the pause before the next try: 1, 2, 4 … minutes, at most 6 hours.
func backoff(attempts int) time.Duration {
	d := time.Minute
	for i := 1; i < attempts && d < 6*time.Hour; i++ {
		d *= 2
	}
	return min(d, 6*time.Hour)
}

// permanent reports whether trying again cannot help: the server refused
// this mail with a 5xx. Network trouble, 4xx, and trouble connecting or
// logging in (the desk's problem, not the mail's) are temporary.
func permanent(err error) bool {
	var ce *connectError
	if errors.As(err, &ce) {
		return false
	}
	var se *smtp.SMTPError
	if errors.As(err, &se) {
		return se.Code >= 500
	}
	return false
}

// connectError is a failure to connect, greet or log in.
type connectError struct{ err error }

func (e *connectError) Error() string { return e.err.Error() }
func (e *connectError) Unwrap() error { return e.err }

func (s *Sender) hangUp() {
	if s.conn != nil {
		_ = s.conn.Quit()
		s.conn = nil
	}
}

// send delivers one mail, over the connection of this run (made when the
// first mail needs it, and again after an error).
func (s *Sender) send(ctx context.Context, to string, raw []byte) error {
	if _, err := mail.ParseAddress(to); err != nil {
		return &smtp.SMTPError{Code: 553, Message: "not a mail address: " + to}
	}
	if s.conn == nil {
		c, err := s.dial(ctx)
		if err != nil {
			return &connectError{err}
		}
		s.conn = c
	} else if err := s.conn.Reset(); err != nil {
		s.conn.Close()
		s.conn = nil
		return s.send(ctx, to, raw)
	}
	err := s.transfer(to, raw)
	if err != nil {
		var se *smtp.SMTPError
		if !errors.As(err, &se) {
			s.conn.Close() // the connection is in an unknown state
			s.conn = nil
		}
	}
	return err
}

func (s *Sender) transfer(to string, raw []byte) error {
	if err := s.conn.Mail(s.id.Address, nil); err != nil {
		return err
	}
	if err := s.conn.Rcpt(to, nil); err != nil {
		return err
	}
	w, err := s.conn.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write(raw); err != nil {
		w.Close()
		return err
	}
	return w.Close()
}

// Check connects to the server (and logs in) once, to tell at start-up
// that mail can be sent.
func (s *Sender) Check(ctx context.Context) error {
	c, err := s.dial(ctx)
	if err != nil {
		return err
	}
	_ = c.Quit()
	return nil
}

func (s *Sender) dial(ctx context.Context) (*smtp.Client, error) {
	host, _, _ := net.SplitHostPort(s.cfg.Address)
	tlsConfig := &tls.Config{ServerName: host}
	var c *smtp.Client
	var err error
	switch {
	case s.Dial != nil:
		var conn net.Conn
		if conn, err = s.Dial(ctx); err == nil {
			c = smtp.NewClient(conn)
		}
	case s.cfg.TLS == "implicit":
		c, err = smtp.DialTLS(s.cfg.Address, tlsConfig)
	case s.cfg.TLS == "starttls":
		c, err = smtp.DialStartTLS(s.cfg.Address, tlsConfig)
	default:
		c, err = smtp.Dial(s.cfg.Address)
	}
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", s.cfg.Address, err)
	}
	c.CommandTimeout = s.cfg.Timeout.Duration
	c.SubmissionTimeout = 2 * s.cfg.Timeout.Duration
	if err := c.Hello(heloName(s.id.Address)); err != nil {
		c.Close()
		return nil, err
	}
	if s.cfg.Username != "" {
		pass, err := secret(s.cfg.Password, s.cfg.PasswordFile)
		if err != nil {
			c.Close()
			return nil, err
		}
		var a sasl.Client = sasl.NewPlainClient("", s.cfg.Username, pass)
		if s.cfg.Auth == "login" {
			a = sasl.NewLoginClient(s.cfg.Username, pass)
		}
		if err := c.Auth(a); err != nil {
			c.Close()
			return nil, fmt.Errorf("smtp auth as %s: %w", s.cfg.Username, err)
		}
	}
	return c, nil
}

func heloName(address string) string {
	if _, d, ok := strings.Cut(address, "@"); ok && d != "" {
		return d
	}
	return "localhost"
}
