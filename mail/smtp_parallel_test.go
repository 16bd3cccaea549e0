package mail_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"refunddesk/internal/storetest"
	rdmail "refunddesk/mail"
	"refunddesk/templates"
	"refunddesk/tickets"
)

// parallelPeer is an SMTP server on loopback (go-smtp's) that takes its
// time over each mail's data and counts how many sessions are in a
// transaction at once; it can drop the connection at one recipient's RCPT
// (once) and refuse sessions at EHLO.
type parallelPeer struct {
	addr  string
	delay time.Duration

	mu        sync.Mutex
	sessions  int
	active    int // sessions between MAIL and the reply to the data
	maxActive int
	msgs      []parallelMsg
	dropAt    map[string]bool // recipient → drop the connection at its RCPT, once
	refuse    int             // refuse this many more sessions at EHLO (-1: all)
}

type parallelMsg struct {
	to, messageID string
	session       int
}

func startParallelPeer(t testing.TB, delay time.Duration) *parallelPeer {
	t.Helper()
	p := &parallelPeer{delay: delay, dropAt: map[string]bool{}}
	srv := smtp.NewServer(p)
	srv.Domain = "peer.example.test"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p.addr = ln.Addr().String()
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return p
}

func (p *parallelPeer) NewSession(c *smtp.Conn) (smtp.Session, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.refuse != 0 {
		if p.refuse > 0 {
			p.refuse--
		}
		return nil, &smtp.SMTPError{Code: 421, EnhancedCode: smtp.EnhancedCode{4, 3, 2}, Message: "Service not available"}
	}
	p.sessions++
	return &parallelSession{p: p, c: c, id: p.sessions}, nil
}

func (p *parallelPeer) refuseSessions(n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.refuse = n
}

func (p *parallelPeer) dropConnectionAt(rcpt string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.dropAt[rcpt] = true
}

func (p *parallelPeer) stats() (sessions, maxActive int, msgs []parallelMsg) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.sessions, p.maxActive, append([]parallelMsg(nil), p.msgs...)
}

type parallelSession struct {
	p    *parallelPeer
	c    *smtp.Conn
	id   int
	to   string
	open bool
}

func (s *parallelSession) Mail(string, *smtp.MailOptions) error {
	s.p.mu.Lock()
	defer s.p.mu.Unlock()
	s.open = true
	s.p.active++
	s.p.maxActive = max(s.p.maxActive, s.p.active)
	return nil
}

func (s *parallelSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.p.mu.Lock()
	drop := s.p.dropAt[to]
	delete(s.p.dropAt, to)
	s.p.mu.Unlock()
	if drop {
		// The connection is lost once the server has taken the mail up.
		_ = s.c.Conn().Close()
		return errors.New("dropped")
	}
	s.to = to
	return nil
}

func (s *parallelSession) Data(r io.Reader) error {
	msg, err := mail.ReadMessage(r)
	if err != nil {
		return err
	}
	if _, err := io.Copy(io.Discard, msg.Body); err != nil {
		return err
	}
	time.Sleep(s.p.delay)
	s.p.mu.Lock()
	defer s.p.mu.Unlock()
	s.p.msgs = append(s.p.msgs, parallelMsg{to: s.to, messageID: msg.Header.Get("Message-ID"), session: s.id})
	return nil
}

func (s *parallelSession) Reset() {
	s.p.mu.Lock()
	defer s.p.mu.Unlock()
	if s.open {
		s.open = false
		s.p.active--
	}
	s.to = ""
}

func (s *parallelSession) Logout() error {
	s.Reset()
	return nil
}

// poolFixture is a Pool against a parallelPeer over a real store.
type poolFixture struct {
	*sendFixture
	peer   *parallelPeer
	pool   *rdmail.Pool
	mu     sync.Mutex
	events []rdmail.SessionState
	runs   rdmail.SendStats
}

func newPoolFixture(t *testing.T, dialect string, sessions int, delay time.Duration) *poolFixture {
	t.Helper()
	f := &poolFixture{sendFixture: &sendFixture{t: t, ctx: context.Background(),
		clock: storetest.NewClock(time.Date(2026, 11, 16, 4, 0, 0, 0, time.UTC))}}
	db := storetest.Open(t, dialect, f.clock)
	f.svc = tickets.NewService(db, tickets.Options{Clock: f.clock})
	var err error
	if f.tpl, err = templates.New(); err != nil {
		t.Fatal(err)
	}
	f.peer = startParallelPeer(t, delay)
	f.pool = rdmail.NewPool(rdmail.SMTPConfig{Address: f.peer.addr, TLS: "none", Sessions: sessions},
		rdmail.Identity{Address: desk, Name: "Refund Desk"}, f.svc, f.tpl, nil)
	for _, w := range f.pool.Senders() {
		w.ReconnectMin, w.ReconnectMax = time.Millisecond, 4*time.Millisecond
	}
	f.pool.OnSession = func(st rdmail.SessionState) {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.events = append(f.events, st)
	}
	return f
}

// run runs the pool (looking every 20 ms) until stop is called.
func (f *poolFixture) run() (stop func()) {
	ctx, cancel := context.WithCancel(f.ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		f.pool.Run(ctx, 20*time.Millisecond, func(st rdmail.SendStats, err error) {
			if err != nil && !errors.Is(err, tickets.ErrChannelDown) && ctx.Err() == nil {
				f.t.Errorf("run: %v", err)
			}
			f.mu.Lock()
			defer f.mu.Unlock()
			f.runs.Sent += st.Sent
			f.runs.Retried += st.Retried
			f.runs.Failed += st.Failed
			f.runs.Deferred += st.Deferred
			f.runs.LeaseLost += st.LeaseLost
		})
	}()
	return func() { cancel(); <-done }
}

// waitSent waits until n mails of the outbox are sent.
func (f *poolFixture) waitSent(n int) {
	f.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for len(f.outbox(tickets.OutboxSent)) < n {
		if time.Now().After(deadline) {
			_, _, msgs := f.peer.stats()
			f.t.Fatalf("%d of %d sent; the peer has %d; pending %d", len(f.outbox(tickets.OutboxSent)), n, len(msgs),
				len(f.outbox(tickets.OutboxPending)))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// exactlyOnce checks that each of to got exactly one mail, the one its
// outbox item records as sent, and that nothing failed; it returns the
// outbox items by recipient.
func (f *poolFixture) exactlyOnce(to []string) map[string]tickets.OutboxItem {
	f.t.Helper()
	_, _, msgs := f.peer.stats()
	byID := map[string]string{}
	for _, m := range msgs {
		if byID[m.messageID] != "" {
			f.t.Fatalf("%s (to %s) delivered twice", m.messageID, m.to)
		}
		byID[m.messageID] = m.to
	}
	items := map[string]tickets.OutboxItem{}
	for _, it := range f.outbox("") {
		if it.Status != tickets.OutboxSent || byID[it.ExternalID] != it.Recipient {
			f.t.Fatalf("outbox item %d to %s: %s, delivered as %q", it.ID, it.Recipient, it.Status, byID[it.ExternalID])
		}
		items[it.Recipient] = it
	}
	if len(msgs) != len(to) || len(items) != len(to) {
		f.t.Fatalf("%d delivered, %d outbox items, for %d requests", len(msgs), len(items), len(to))
	}
	return items
}

// A burst of 80 acknowledgements goes over the four sessions at once,
// never more, each mail exactly once; with sessions = 1, over one session
// as before.
func TestPoolSendsOverSessionsInParallel(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		for _, n := range []int{4, 1} {
			t.Run(fmt.Sprintf("sessions=%d", n), func(t *testing.T) {
				f := newPoolFixture(t, dialect, n, 30*time.Millisecond)
				to := f.requests(80)
				stop := f.run()
				f.waitSent(len(to))
				stop()
				for _, it := range f.exactlyOnce(to) {
					if it.Attempts != 1 {
						t.Fatalf("%+v", it)
					}
				}
				sessions, most, msgs := f.peer.stats()
				if most != n || sessions < n {
					t.Fatalf("%d sessions, at most %d at once; want %d at once", sessions, most, n)
				}
				used := map[int]int{}
				for _, m := range msgs {
					used[m.session]++
				}
				t.Logf("sessions=%d: mails a session %v", n, used)
				if f.runs.Sent != len(to) || f.runs.Failed+f.runs.Retried+f.runs.LeaseLost != 0 {
					t.Fatalf("runs %+v", f.runs)
				}
			})
		}
	})
}

// A lone mail still goes at once, on the commit's wake-up, with an hour
// between looks.
func TestPoolLoneMailGoesAtOnce(t *testing.T) {
	f := newPoolFixture(t, "sqlite", 4, 0)
	ctx, cancel := context.WithCancel(f.ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		f.pool.Run(ctx, time.Hour, nil)
	}()
	defer func() { cancel(); <-done }()
	time.Sleep(50 * time.Millisecond) // the workers' first looks, at an empty outbox
	to := f.requests(1)
	f.waitSent(1)
	f.exactlyOnce(to)
	if s, _, _ := f.peer.stats(); s != 1 {
		t.Fatalf("%d sessions for one mail", s)
	}
}

// Sessions fail on the way: one worker's session is lost at a recipient's
// RCPT in the middle of its batch (that mail is charged a try and goes
// again later; the rest of the batch goes back to the queue uncharged),
// and two sessions are refused at EHLO (no mail charged). The other
// workers carry on: every mail arrives exactly once, none is failed, and
// sending was never reported stuck.
func TestPoolWorkerSessionDiesMidBatch(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newPoolFixture(t, dialect, 4, 5*time.Millisecond)
		to := f.requests(60)
		f.peer.dropConnectionAt(to[13]) // in the second batch of ten
		f.peer.refuseSessions(2)
		stop := f.run()
		f.waitSent(len(to) - 1)
		// The lost mail waits its minute; then it goes.
		f.clock.Advance(time.Minute)
		f.waitSent(len(to))
		stop()
		items := f.exactlyOnce(to)
		for _, addr := range to {
			want := 1
			if addr == to[13] {
				want = 2
			}
			if it := items[addr]; it.Attempts != want {
				t.Fatalf("%s: %d attempts, want %d (%s)", addr, it.Attempts, want, it.LastError)
			}
		}
		if f.runs.Sent != len(to) || f.runs.Retried != 1 || f.runs.Failed != 0 {
			t.Fatalf("runs %+v", f.runs)
		}
		f.mu.Lock()
		defer f.mu.Unlock()
		for _, ev := range f.events {
			if ev.Alert {
				t.Fatalf("reported stuck while other sessions carried mail: %+v", f.events)
			}
		}
	})
}

// One worker that can never open its session (its dial always fails)
// holds nothing up: its batches go back to the queue uncharged and the
// other sessions carry them; sending is not reported stuck, though that
// session failed again and again.
func TestPoolOneSessionAlwaysFails(t *testing.T) {
	f := newPoolFixture(t, "sqlite", 4, 2*time.Millisecond)
	bad := f.pool.Senders()[0]
	bad.Dial = func(context.Context) (net.Conn, error) {
		return nil, errors.New("connection refused")
	}
	// Its pause is long beside a mail, as 1 s is beside a provider's
	// 10 ms, so the others carry mail between two of its failures.
	bad.ReconnectMin, bad.ReconnectMax = 50*time.Millisecond, 100*time.Millisecond
	to := f.requests(60)
	stop := f.run()
	f.waitSent(len(to))
	stop()
	for _, it := range f.exactlyOnce(to) {
		if it.Attempts != 1 {
			t.Fatalf("%+v", it)
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	failures := 0
	for _, ev := range f.events {
		if ev.Alert {
			t.Fatalf("reported stuck while three sessions carried mail: %+v", ev)
		}
		if !ev.OK {
			failures++
		}
	}
	if failures == 0 || f.runs.Deferred == 0 {
		t.Fatalf("the failing worker never took a batch: events %+v, runs %+v", f.events, f.runs)
	}
}

// Mail a failing worker gives back is sent by the others at once, not at
// their next look (an hour here): each mail, committed while the pool
// waits, goes within seconds although the worker that cannot open its
// session keeps claiming it.
func TestPoolOthersSendWhatAFailingWorkerGivesBack(t *testing.T) {
	f := newPoolFixture(t, "sqlite", 2, 0)
	f.pool.Senders()[0].Dial = func(context.Context) (net.Conn, error) {
		time.Sleep(50 * time.Millisecond) // while it holds the mail, the other looks and finds none
		return nil, errors.New("connection timed out")
	}
	ctx, cancel := context.WithCancel(f.ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		f.pool.Run(ctx, time.Hour, nil)
	}()
	defer func() { cancel(); <-done }()
	time.Sleep(50 * time.Millisecond) // the workers' first looks, at an empty outbox
	var to []string
	for i := range 5 {
		addr := fmt.Sprintf("late%d@example.id", i)
		if _, err := f.svc.Intake.Submit(f.ctx, tickets.SubmitRequest{Kind: tickets.KindRefund, Channel: tickets.ChannelEmail,
			Requester: tickets.Requester{Email: addr}, Order: fmt.Sprintf("73012345679%08d", i), Details: "promosi saya kurang jangkauan"}); err != nil {
			t.Fatal(err)
		}
		to = append(to, addr)
		f.waitSent(len(to))
	}
	for _, it := range f.exactlyOnce(to) {
		if it.Attempts != 1 {
			t.Fatalf("%+v", it)
		}
	}
}

// When every session fails, sending is reported stuck once three have
// failed in a row, whichever workers they were; the mail waits uncharged,
// and once the server takes sessions again it goes, exactly once, and the
// alert is over.
func TestPoolAlertsWhenEverySessionFails(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newPoolFixture(t, dialect, 4, 0)
		f.peer.refuseSessions(-1)
		to := f.requests(5)
		stop := f.run()
		deadline := time.Now().Add(30 * time.Second)
		for {
			f.mu.Lock()
			var last rdmail.SessionState
			if len(f.events) > 0 {
				last = f.events[len(f.events)-1]
			}
			f.mu.Unlock()
			if last.Alert {
				if last.Failures < 3 || last.Stage != rdmail.StageHello || !strings.Contains(last.Err.Error(), "421") {
					t.Fatalf("alert %+v", last)
				}
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("never reported stuck")
			}
			time.Sleep(5 * time.Millisecond)
		}
		for _, it := range f.outbox("") {
			if it.Status == tickets.OutboxFailed || it.Attempts != 0 && it.Status == tickets.OutboxPending {
				t.Fatalf("charged while the sessions failed: %+v", it)
			}
		}
		f.peer.refuseSessions(0)
		f.waitSent(len(to))
		stop()
		for _, it := range f.exactlyOnce(to) {
			if it.Attempts != 1 {
				t.Fatalf("%+v", it)
			}
		}
		f.mu.Lock()
		defer f.mu.Unlock()
		if last := f.events[len(f.events)-1]; !last.OK || last.Alert || last.Failures != 0 {
			t.Fatalf("not recovered: %+v", last)
		}
	})
}

// BenchmarkPoolBurst times the sender alone on a burst of 200
// acknowledgements committed at once, against a server some way off: the
// in-process peer answers each mail's data after REFUNDDESK_BENCH_SMTP_DELAY_MS
// (10 ms: a provider's round trips and queueing), over 1, 4 and 8
// sessions. Reported: ms for the lot and ms a mail, with the load average.
//
//	go test ./mail -run '^$' -bench 'PoolBurst$' -benchtime 1x
func BenchmarkPoolBurst(b *testing.B) {
	const n = 200
	delay := time.Duration(storetest.BenchEnv(b, "REFUNDDESK_BENCH_SMTP_DELAY_MS", 10)) * time.Millisecond
	tpl, err := templates.New()
	if err != nil {
		b.Fatal(err)
	}
	for _, sessions := range []int{1, 4, 8} {
		b.Run(fmt.Sprintf("sessions=%d", sessions), func(b *testing.B) {
			load := loadAverage()
			var total time.Duration
			for range b.N {
				b.StopTimer()
				peer := startParallelPeer(b, delay)
				svc := tickets.NewService(storetest.Open(b, "sqlite", tickets.SystemClock{}), tickets.Options{})
				err := svc.Group(context.Background(), func(g *tickets.Service) error {
					for i := range n {
						if _, err := g.Intake.Submit(context.Background(), tickets.SubmitRequest{Kind: tickets.KindRevocation, Channel: tickets.ChannelEmail,
							Requester: tickets.Requester{Email: fmt.Sprintf("r%d@example.test", i)}, Account: fmt.Sprintf("@creator%d", i), Details: "cabut izin"}); err != nil {
							return err
						}
					}
					return nil
				})
				if err != nil {
					b.Fatal(err)
				}
				pool := rdmail.NewPool(rdmail.SMTPConfig{Address: peer.addr, TLS: "none", Sessions: sessions},
					rdmail.Identity{Address: desk}, svc, tpl, nil)
				b.StartTimer()
				total += drainPool(b, pool, n)
			}
			b.ReportMetric(float64(total.Milliseconds())/float64(b.N), "ms")
			b.ReportMetric(float64(total.Microseconds())/1000/float64(b.N*n), "ms/mail")
			b.ReportMetric(load, "load1")
		})
	}
}
