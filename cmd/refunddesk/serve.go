package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/spf13/cobra"

	"refunddesk/api"
	"refunddesk/bot"
	"refunddesk/mail"
	"refunddesk/templates"
	"refunddesk/tickets"
	"refunddesk/web"
)

// component is one part of serve: started in order, stopped in reverse.
type component struct {
	name string
	// start prepares the component and checks what it needs (a mailbox it
	// can log in to, a port it can listen on); an error stops serve.
	start func(ctx context.Context) error
	// run works until ctx ends, then finishes what it had begun and returns.
	run func(ctx context.Context)
	// stop, when set, closes what start opened, after run has returned.
	stop func(ctx context.Context) error
}

// health keeps each component's state for /healthz.
type health struct {
	mu    sync.Mutex
	order []string
	parts map[string]*partState
}

type partState struct {
	State  string    `json:"state"` // starting, running, standby, degraded, stopping, stopped, failed
	Since  time.Time `json:"since"`
	Detail string    `json:"detail,omitempty"`
	// LastError is kept for the log, not shown: /healthz answers anyone.
	LastError string `json:"-"`
}

func newHealth() *health { return &health{parts: map[string]*partState{}} }

func (h *health) set(name, state, detail string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	p := h.parts[name]
	if p == nil {
		p = &partState{}
		h.parts[name] = p
		h.order = append(h.order, name)
	}
	if p.State != state {
		p.Since = time.Now().UTC()
	}
	p.State, p.Detail = state, detail
}

// report records how a component's last round went: an error makes it
// degraded until a round succeeds.
func (h *health) report(name string, err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	p := h.parts[name]
	if p == nil || (p.State != "running" && p.State != "degraded") {
		return
	}
	state := "running"
	if err != nil {
		state, p.LastError = "degraded", err.Error()
		p.Detail = "its last round failed; the log says why"
	} else if p.State == "degraded" {
		p.Detail = ""
	}
	if p.State != state {
		p.Since = time.Now().UTC()
	}
	p.State = state
}

// degrade marks a running component degraded with a short detail for
// /healthz (which answers anyone: no error text), until a report without
// an error.
func (h *health) degrade(name, detail string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	p := h.parts[name]
	if p == nil || (p.State != "running" && p.State != "degraded") {
		return
	}
	if p.State != "degraded" {
		p.Since = time.Now().UTC()
	}
	p.State, p.Detail = "degraded", detail
}

// ServeHTTP answers /healthz: 200 when every component is running (or
// standing by for another instance), 503 otherwise.
func (h *health) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	h.mu.Lock()
	out := struct {
		Status     string                `json:"status"`
		Components map[string]*partState `json:"components"`
	}{Status: "ok", Components: map[string]*partState{}}
	for _, name := range h.order {
		p := *h.parts[name]
		out.Components[name] = &p
		if p.State != "running" && p.State != "standby" {
			out.Status = "unhealthy"
		}
	}
	h.mu.Unlock()
	code := http.StatusOK
	if out.Status != "ok" {
		code = http.StatusServiceUnavailable
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(out)
}

// server is what serve runs.
type server struct {
	m        *Main
	svc      *tickets.Service
	parts    []component
	health   *health
	metrics  *metrics
	instance string
	// Addr is where the HTTP server listens, once started.
	addr string
	// ready is closed when every component has started.
	ready chan struct{}
}

func (m *Main) serveCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "serve",
		Short: "Run every channel the config enables, the follow-ups and the HTTP API, until stopped",
		Long: `Starts, in order: the IMAP intake ([mail.imap] address set), the mail
sender ([mail.smtp] address set), the Discord bot (discord.token set), the
follow-up scheduler, retention (a time set in [retention]), and the HTTP API
with /healthz and /metrics ([http] address set). If one cannot start, those
already started are stopped and the error says which and why.

SIGTERM or SIGINT stops taking new work, finishes what is in flight and
exits 0; a second signal ends the process at once. With several instances
on one PostgreSQL database, one at a time takes in the mailbox (a lease
another takes over when its holder dies), and retention too; the outbox
and follow-ups are shared out without doubles.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			svc, err := m.service(cmd.Context())
			if err != nil {
				return err
			}
			s, err := m.newServer(svc)
			if err != nil {
				return err
			}
			return s.run(cmd.Context())
		},
	}
}

func (m *Main) newServer(svc *tickets.Service) (*server, error) {
	c := m.config
	warnOpenDoors(m.log, c)
	s := &server{m: m, svc: svc, health: newHealth(), instance: c.Serve.Instance, ready: make(chan struct{})}
	if s.instance == "" {
		host, _ := os.Hostname()
		b := make([]byte, 4)
		_, _ = rand.Read(b)
		s.instance = fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(b))
	}
	s.metrics = newMetrics(svc, m.log)
	if c.Mail.IMAP.Address != "" {
		s.parts = append(s.parts, s.intakePart())
	}
	if c.Mail.SMTP.Address != "" {
		p, err := s.senderPart()
		if err != nil {
			return nil, err
		}
		s.parts = append(s.parts, p)
	}
	if c.Discord.Enabled() {
		s.parts = append(s.parts, s.discordPart())
	}
	s.parts = append(s.parts, s.followupsPart())
	if c.Retention.rules().Enabled() {
		s.parts = append(s.parts, s.retentionPart())
	}
	if c.HTTP.Address != "" {
		p, err := s.httpPart()
		if err != nil {
			return nil, err
		}
		s.parts = append(s.parts, p)
	}
	return s, nil
}

// run starts the components in order, waits for ctx to end, and stops them
// in reverse, each finishing what it had begun.
func (s *server) run(ctx context.Context) error {
	log := s.m.log.With(slog.String("instance", s.instance))
	type running struct {
		c      component
		cancel context.CancelFunc
		done   chan struct{}
	}
	var started []running
	// stopAll tells every component to stop taking work at once (so a slow
	// one does not hold up the others' wind-down), then waits for them in
	// reverse order and closes what they opened, within one deadline.
	stopAll := func() error {
		timeout := s.m.config.Serve.ShutdownTimeout.Duration
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), timeout)
		defer cancel()
		for i := len(started) - 1; i >= 0; i-- {
			s.health.set(started[i].c.name, "stopping", "")
			started[i].cancel()
		}
		var errs []error
		for i := len(started) - 1; i >= 0; i-- {
			r := started[i]
			select {
			case <-r.done:
			case <-sctx.Done():
				errs = append(errs, fmt.Errorf("%s did not finish its work within %s", r.c.name, timeout))
			}
			if r.c.stop != nil {
				stopped := make(chan error, 1)
				go func() { stopped <- r.c.stop(sctx) }()
				select {
				case err := <-stopped:
					if err != nil {
						errs = append(errs, fmt.Errorf("stop %s: %w", r.c.name, err))
					}
				case <-sctx.Done():
					errs = append(errs, fmt.Errorf("stop %s: not done within %s", r.c.name, timeout))
				}
			}
			s.health.set(r.c.name, "stopped", "")
			log.Info("stopped", slog.String("component", r.c.name))
		}
		return errors.Join(errs...)
	}
	// A component whose work ends by itself (its server died) stops serve,
	// with an error, so that whatever supervises it starts it again.
	ended := make(chan string, len(s.parts))
	for _, c := range s.parts {
		s.health.set(c.name, "starting", "")
		if err := c.start(ctx); err != nil {
			s.health.set(c.name, "failed", err.Error())
			stopErr := stopAll()
			return errors.Join(fmt.Errorf("start %s: %w", c.name, err), stopErr)
		}
		cctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		r := running{c: c, cancel: cancel, done: make(chan struct{})}
		s.health.set(c.name, "running", "")
		go func() {
			defer close(r.done)
			c.run(cctx)
			if cctx.Err() == nil {
				ended <- c.name
			}
		}()
		started = append(started, r)
		log.Info("started", slog.String("component", c.name))
	}
	s.printRunning()
	close(s.ready)
	select {
	case <-ctx.Done():
		log.Info("stopping: finishing the work in flight (a second signal ends at once)")
		return stopAll()
	case name := <-ended:
		log.Error("a component stopped by itself; stopping the others", slog.String("component", name))
		return errors.Join(fmt.Errorf("%s stopped working", name), stopAll())
	}
}

func (s *server) printRunning() {
	out := s.m.Stdout
	fmt.Fprintf(out, "refunddesk serve (%s), store %s\n", s.instance, s.m.config.Store.DSN)
	for _, c := range s.parts {
		fmt.Fprintf(out, "  %-10s %s\n", c.name, s.describe(c.name))
	}
}

func (s *server) describe(name string) string {
	c := s.m.config
	switch name {
	case "intake":
		return fmt.Sprintf("IMAP %s, folder %s (one instance at a time)", c.Mail.IMAP.Address, c.Mail.IMAP.Mailbox)
	case "sender":
		return fmt.Sprintf("SMTP %s, up to %d sessions at once", c.Mail.SMTP.Address, c.Mail.SMTP.Sessions)
	case "discord":
		return "the Discord bot"
	case "followups":
		return fmt.Sprintf("reminders, escalations and auto-close, every %s", c.Followups.Interval.Duration)
	case "retention":
		return c.Retention.describe()
	case "http":
		if !c.Web.Disabled {
			return fmt.Sprintf("http://%s/api/tickets, /healthz, /metrics, and the web console at /", s.addr)
		}
		return fmt.Sprintf("http://%s/api/tickets, /healthz, /metrics", s.addr)
	}
	return ""
}

// intakePart takes in the mailbox while this instance holds its lease.
func (s *server) intakePart() component {
	c := s.m.config
	f := mail.NewFetcher(c.Mail.IMAP, s.m.intake(s.svc), s.svc, s.m.log)
	lease := "imap:" + c.Mail.IMAP.Address + "/" + c.Mail.IMAP.Mailbox
	ttl := c.Serve.IntakeLease.Duration
	return component{
		name:  "intake",
		start: f.Check,
		run: func(ctx context.Context) {
			for ctx.Err() == nil {
				ok, err := s.svc.AcquireLease(ctx, lease, s.instance, ttl)
				if err != nil || !ok {
					if err != nil && ctx.Err() == nil {
						s.health.report("intake", err)
					} else {
						s.health.set("intake", "standby", "another instance is taking in this mailbox")
					}
					sleepCtx(ctx, ttl/3)
					continue
				}
				s.health.set("intake", "running", "")
				s.withLease(ctx, lease, ttl, func(lctx context.Context) {
					_ = f.Run(lctx, func(st mail.IntakeStats, err error) {
						s.metrics.intake(st, err)
						s.health.report("intake", err)
					})
				})
			}
		},
	}
}

// withLease runs fn while the lease is renewed (every third of its time);
// fn's context ends when the lease is lost or ctx ends, and the lease is
// given up after.
func (s *server) withLease(ctx context.Context, name string, ttl time.Duration, fn func(context.Context)) {
	lctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for sleepCtx(lctx, ttl/3) {
			ok, err := s.svc.AcquireLease(lctx, name, s.instance, ttl)
			if lctx.Err() != nil {
				return
			}
			if err != nil || !ok {
				s.m.log.Warn("lost the lease; stopping this work", slog.String("lease", name), slog.Any("error", err))
				cancel()
				return
			}
		}
	}()
	fn(lctx)
	cancel()
	<-done
	if err := s.svc.ReleaseLease(context.WithoutCancel(ctx), name, s.instance); err != nil {
		s.m.log.Warn("release lease", slog.String("lease", name), slog.Any("error", err))
	}
}

func (s *server) senderPart() (component, error) {
	snd, err := s.m.senders(s.svc)
	if err != nil {
		return component{}, err
	}
	// How the SMTP sessions fare, all of them as one (mail.Pool): the
	// sender is degraded once sessions have kept failing with none carrying
	// mail (mail waits in the outbox), and running again when a mail goes
	// through. The pool calls OnSession and the runs' callback one at a
	// time; alerting is atomic all the same.
	var alerting atomic.Bool
	snd.OnSession = func(st mail.SessionState) {
		s.metrics.smtpSession(st)
		switch {
		case st.Alert:
			alerting.Store(true)
			s.health.degrade("sender", fmt.Sprintf("the SMTP sessions failed %d times in a row since %s (last at %s); mail waits in the outbox (no session carried any since)",
				st.Failures, st.Since.UTC().Format(time.RFC3339), st.Stage))
		case st.OK && alerting.Load():
			alerting.Store(false)
			s.health.report("sender", nil)
		}
	}
	return component{
		name: "sender",
		start: func(ctx context.Context) error {
			if err := snd.Check(ctx); err != nil {
				return err
			}
			s.metrics.smtpSession(mail.SessionState{OK: true})
			return nil
		},
		run: func(ctx context.Context) {
			// A committed mail wakes the workers at once; the interval is
			// for mail other instances queued.
			snd.Run(ctx, 2*time.Second, func(st mail.SendStats, err error) {
				s.metrics.sent(tickets.ChannelEmail, st)
				if errors.Is(err, tickets.ErrChannelDown) || alerting.Load() {
					return // the sessions' failures are OnSession's to report
				}
				s.health.report("sender", err)
			})
		},
	}, nil
}

func (s *server) discordPart() component {
	var b *bot.Bot
	return component{
		name: "discord",
		start: func(ctx context.Context) (err error) {
			if b, err = s.m.newBot(ctx, s.svc, s.metrics.interaction); err != nil {
				return err
			}
			return b.Start(ctx)
		},
		run:  func(ctx context.Context) { b.Run(ctx, 2*time.Second) },
		stop: func(context.Context) error { return b.Close() },
	}
}

func (s *server) followupsPart() component {
	interval := s.m.config.Followups.Interval.Duration
	return component{
		name:  "followups",
		start: func(context.Context) error { return nil },
		run: func(ctx context.Context) {
			// Every ticket's schedule as the rules say now: tickets from
			// before follow-ups existed get theirs, changed durations move
			// what is pending.
			if n, err := s.svc.Followups.Reconcile(ctx); err != nil && ctx.Err() == nil {
				s.m.log.Warn("follow-ups: scheduling the open tickets", slog.Any("error", err))
			} else {
				s.m.log.Info("follow-ups scheduled for the open tickets", slog.Int("tickets", n))
			}
			// The follow-up in hand is finished when ctx ends (each is one
			// transaction); the rest wait for the next run.
			s.svc.Followups.RunEvery(ctx, interval, func(st tickets.FollowupStats, err error) {
				s.metrics.followups(st)
				s.health.report("followups", err)
				if err != nil {
					s.m.log.Warn("follow-ups", slog.Any("error", err))
				}
			})
		},
	}
}

func (s *server) httpPart() (component, error) {
	tokens, err := s.m.config.HTTP.tokens()
	if err != nil {
		return component{}, usageError{err}
	}
	cat, err := templates.NewCatalog(s.m.log)
	if err != nil {
		return component{}, err
	}
	a, err := api.New(s.svc, tokens, outboxChannels(), cat, s.m.log)
	if err != nil {
		return component{}, err
	}
	mux := http.NewServeMux()
	mux.Handle("/api/", a)
	mux.Handle("GET /healthz", s.health)
	mux.Handle("GET /metrics", s.metrics.handler())
	var con *web.Server
	if !s.m.config.Web.Disabled {
		if con, err = s.console(cat); err != nil {
			return component{}, err
		}
		mux.Handle("/", con)
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: time.Minute, WriteTimeout: time.Minute,
		ErrorLog: slog.NewLogLogger(s.m.log.Handler(), slog.LevelWarn)}
	var ln net.Listener
	return component{
		name: "http",
		start: func(ctx context.Context) error {
			var err error
			ln, err = (&net.ListenConfig{}).Listen(ctx, "tcp", s.m.config.HTTP.Address)
			if err != nil {
				return err
			}
			s.addr = ln.Addr().String()
			return nil
		},
		run: func(ctx context.Context) {
			if con != nil {
				con.WarmCounts(ctx) // the first queue page need not wait for them
				go con.Sweep(ctx, time.Hour)
			}
			errc := make(chan error, 1)
			go func() { errc <- srv.Serve(ln) }()
			select {
			case <-ctx.Done():
			case err := <-errc:
				s.m.log.Error("the HTTP server stopped", slog.Any("error", err))
			}
		},
		// Requests in flight are answered; new ones are refused.
		stop: srv.Shutdown,
	}, nil
}

// sleepCtx waits d, or less when ctx ends first (then it says false).
func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
