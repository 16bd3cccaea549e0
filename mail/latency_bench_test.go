package mail_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-smtp"

	"refunddesk/internal/mailtest"
	"refunddesk/internal/sample"
	"refunddesk/internal/storetest"
	"refunddesk/mail"
	"refunddesk/templates"
	"refunddesk/tickets"
)

const (
	latDesk      = "support@desk.example.test"
	latRequester = "requester@example.test" // requester+N@example.test is request N
	latPass      = "bench-pw"
	// latPoll is how often the requester's mailbox is looked at (an IMAP
	// NOOP): the resolution of the figures.
	latPoll = 20 * time.Millisecond
)

// BenchmarkAcknowledgementLatency times what a requester waits for: from
// her mail landing in the desk's mailbox to the desk's acknowledgement
// landing in hers, on real servers. The desk runs serve's mail parts: the
// fetcher's Run (IDLE, polling at the default minute) and the sender's Run
// (woken by each commit), on SQLite, against a private Dovecot (stock
// Maildir++, the default desk folders) and Postfix from internal/mailtest.
// Each request (a third with a 200 KB screenshot, each from its own
// address, requester+N@example.test, for its own order) is delivered into
// the desk's INBOX over Dovecot's LMTP, and the clock starts at LMTP's 250
// (Dovecot answers once the mail is saved). The acknowledgement goes through
// Postfix, which delivers it over LMTP into the requester's Dovecot INBOX;
// the clock stops when an IMAP NOOP there, sent every 20 ms, shows it
// (the resolution: 20 ms and a NOOP's round trip).
//
//   - paced: REFUNDDESK_BENCH_REQUESTS (300) requests, one every 150 ms;
//   - burst: 200 requests at once, over one LMTP session.
//
// The sender is serve's mail.Pool with REFUNDDESK_BENCH_SMTP_SESSIONS
// sessions (default mail.smtp.sessions' 4; 1 is the lone session of
// before), reported as smtp-sessions.
//
// Reported in ms: p50, p90, p99 and max of the wait, and the median and
// 99th percentile of its parts: intake- (from the mailbox to the commit of
// the ticket and its acknowledgement), sender- (from there to Postfix's
// 250, as the outbox recorded it) and relay- (from there to the
// requester's mailbox: Postfix and Dovecot). load1 is the load average at
// the start. Skipped, with the reason, without Dovecot (and dovecot-lmtpd) and
// Postfix, or without root.
//
//	go test ./mail -run '^$' -bench AcknowledgementLatency -benchtime 1x
func BenchmarkAcknowledgementLatency(b *testing.B) {
	b.Run("paced", func(b *testing.B) {
		benchLatency(b, storetest.BenchEnv(b, "REFUNDDESK_BENCH_REQUESTS", 300), 150*time.Millisecond)
	})
	b.Run("burst", func(b *testing.B) { benchLatency(b, 200, 0) })
}

func benchLatency(b *testing.B, n int, every time.Duration) {
	var all latencies
	load := loadAverage()
	sessions := storetest.BenchEnv(b, "REFUNDDESK_BENCH_SMTP_SESSIONS", mail.DefaultSessions)
	for range b.N {
		all.add(latencyRun(b, n, every, sessions))
	}
	b.ReportMetric(float64(sessions), "smtp-sessions")
	percentiles(b, all.wait, "", 0.5, 0.9, 0.99, 1)
	percentiles(b, all.intake, "intake-", 0.5, 0.99)
	percentiles(b, all.sender, "sender-", 0.5, 0.99)
	percentiles(b, all.relay, "relay-", 0.5, 0.99)
	b.ReportMetric(load, "load1")
}

// latencies are requests' waits and their parts.
type latencies struct{ wait, intake, sender, relay []time.Duration }

func (l *latencies) add(o latencies) {
	l.wait, l.intake = append(l.wait, o.wait...), append(l.intake, o.intake...)
	l.sender, l.relay = append(l.sender, o.sender...), append(l.relay, o.relay...)
}

// percentiles reports quantiles of ds in ms (1: the slowest).
func percentiles(b *testing.B, ds []time.Duration, prefix string, qs ...float64) {
	slices.Sort(ds)
	for _, q := range qs {
		name := fmt.Sprintf("p%g-ms", q*100)
		if q == 1 {
			name = "max-ms"
		}
		b.ReportMetric(float64(ds[min(len(ds)-1, int(q*float64(len(ds))))].Microseconds())/1000, prefix+name)
	}
}

// loadAverage is the machine's load average over the last minute (0 when
// unknown).
func loadAverage() float64 {
	raw, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0
	}
	f, _ := strconv.ParseFloat(strings.Fields(string(raw))[0], 64)
	return f
}

// takenLog records when the fetcher logs each mail taken in (after its
// batch's commit), by ticket.
type takenLog struct {
	mu sync.Mutex
	at map[string]time.Time
}

func (h *takenLog) Enabled(context.Context, slog.Level) bool { return true }
func (h *takenLog) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h *takenLog) WithGroup(string) slog.Handler            { return h }
func (h *takenLog) Handle(_ context.Context, r slog.Record) error {
	if r.Message != "mail taken in" {
		return nil
	}
	now := time.Now()
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "ticket" {
			h.mu.Lock()
			if _, ok := h.at[a.Value.String()]; !ok {
				h.at[a.Value.String()] = now
			}
			h.mu.Unlock()
		}
		return true
	})
	return nil
}

// latencyRun starts the servers and the desk (its sender over sessions
// SMTP sessions), sends n requests (one every every, or all at once) and
// returns each one's wait, and its parts.
func latencyRun(b *testing.B, n int, every time.Duration, sessions int) latencies {
	b.Helper()
	dc := mailtest.StartDovecot(b, mailtest.DovecotOptions{Layout: mailtest.Maildir,
		Users: map[string]string{latDesk: latPass, latRequester: latPass}})
	pf := mailtest.StartPostfix(b, mailtest.PostfixOptions{Dovecot: dc, Domains: []string{"example.test"}})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	now := time.Now()
	var promos []tickets.Promotion
	_ = sample.Promotions(n, sample.Options{Seed: 5, Now: now, Days: 20}, func(_ int, p *tickets.Promotion) error {
		promos = append(promos, *p)
		return nil
	})
	var csv bytes.Buffer
	_ = sample.WritePromotionsCSV(&csv, n, sample.Options{Seed: 5, Now: now, Days: 20})
	db := storetest.Open(b, "sqlite", tickets.SystemClock{})
	svc := tickets.NewService(db, tickets.Options{})
	if _, err := svc.Records.ImportPromotions(ctx, &csv, tickets.ImportOptions{File: "p.csv"}); err != nil {
		b.Fatal(err)
	}
	r := rand.New(rand.NewPCG(5, 6))
	raws := make([][]byte, n)
	for i := range raws {
		raws[i] = benchMailFrom(i, fmt.Sprintf("requester+%d@example.test", i), latDesk, fakeScreenshot(r, 200<<10), &promos[i])
	}

	// The desk, as serve runs its mail parts.
	tpl, err := templates.New()
	if err != nil {
		b.Fatal(err)
	}
	tl := &takenLog{at: map[string]time.Time{}}
	fetcher := mail.NewFetcher(mail.IMAPConfig{Address: dc.Addr, TLS: "none", Username: latDesk, Password: latPass},
		mail.NewIntake(svc, mail.IntakeConfig{Address: latDesk}, nil), svc, slog.New(tl))
	sender := mail.NewPool(mail.SMTPConfig{Address: pf.Addr, TLS: "none", Sessions: sessions}, mail.Identity{Address: latDesk, Name: "Refund Desk"}, svc, tpl, nil)
	var wg sync.WaitGroup
	started := make(chan string, 2)
	var partErr error
	var errMu sync.Mutex
	report := func(part string, first *bool, err error) {
		if *first {
			*first = false
			started <- part
		}
		if err != nil && ctx.Err() == nil {
			errMu.Lock()
			partErr = fmt.Errorf("%s: %w", part, err)
			errMu.Unlock()
		}
	}
	wg.Go(func() {
		first := true
		_ = fetcher.Run(ctx, func(_ mail.IntakeStats, err error) { report("intake", &first, err) })
	})
	wg.Go(func() {
		first := true
		sender.Run(ctx, 2*time.Second, func(_ mail.SendStats, err error) { report("sender", &first, err) })
	})
	defer wg.Wait()
	defer cancel()
	<-started
	<-started

	// The requester's mailbox, looked at every latPoll.
	arrived := make([]time.Time, n)
	got := make(chan int, n)
	watchErr := make(chan error, 1)
	rc, err := imapclient.DialInsecure(dc.Addr, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer rc.Close()
	if err := rc.Login(latRequester, latPass).Wait(); err != nil {
		b.Fatal(err)
	}
	if _, err := rc.Select("INBOX", nil).Wait(); err != nil {
		b.Fatal(err)
	}
	wg.Go(func() { watchErr <- watchMailbox(ctx, rc, arrived, got) })

	// The requests, into the desk's INBOX over LMTP.
	lc, err := dialLMTP(dc.LMTPAddr)
	if err != nil {
		b.Fatal(err)
	}
	defer lc.Close()
	delivered := make([]time.Time, n)
	tick := time.NewTicker(max(every, time.Millisecond))
	defer tick.Stop()
	for i, raw := range raws {
		if every > 0 && i > 0 {
			<-tick.C
		}
		if err := lc.SendMail(fmt.Sprintf("requester+%d@example.test", i), []string{latDesk}, bytes.NewReader(raw)); err != nil {
			b.Fatalf("lmtp: request %d: %v", i, err)
		}
		delivered[i] = time.Now()
	}
	_ = lc.Quit()

	safety := time.After(3 * time.Minute) // a net, not a measure
	for left := n; left > 0; left-- {
		select {
		case <-got:
		case err := <-watchErr:
			b.Fatalf("requester's mailbox: %v", err)
		case <-safety:
			errMu.Lock()
			defer errMu.Unlock()
			q, _ := pf.Queue()
			b.Fatalf("%d of %d acknowledgements arrived (last error: %v)\npostfix queue:\n%s", n-left, n, partErr, q)
		}
	}
	cancel()
	wg.Wait()

	// Each request's ticket: when it was committed, and when its
	// acknowledgement was handed to Postfix.
	committed, handed := make([]time.Time, n), make([]time.Time, n)
	for ref, at := range tl.at {
		t, err := svc.Records.Ticket(context.Background(), ref)
		if err != nil {
			b.Fatal(err)
		}
		i, err := requestNumber(t.Requester.Email)
		if err != nil || i >= n {
			b.Fatalf("ticket %s from %q", ref, t.Requester.Email)
		}
		committed[i] = at
	}
	for before := int64(0); ; {
		items, err := svc.Delivery.Outbox(context.Background(), tickets.OutboxFilter{Status: tickets.OutboxSent, Limit: tickets.MaxPageSize, Before: before})
		if err != nil {
			b.Fatal(err)
		}
		if len(items) == 0 {
			break
		}
		for _, it := range items {
			if i, err := requestNumber(it.Recipient); err == nil && i < n && it.SentAt != nil {
				handed[i] = *it.SentAt
			}
			before = it.ID
		}
	}
	var l latencies
	for i := range n {
		if committed[i].IsZero() || handed[i].IsZero() {
			b.Fatalf("request %d: taken in at %v, handed to Postfix at %v", i, committed[i], handed[i])
		}
		l.wait = append(l.wait, arrived[i].Sub(delivered[i]))
		l.intake = append(l.intake, committed[i].Sub(delivered[i]))
		l.sender = append(l.sender, handed[i].Sub(committed[i]))
		l.relay = append(l.relay, arrived[i].Sub(handed[i]))
	}
	return l
}

func dialLMTP(addr string) (*smtp.Client, error) {
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return nil, err
	}
	c := smtp.NewClientLMTP(conn)
	if err := c.Hello("bench.example.test"); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// requestNumber is N of requester+N@example.test.
func requestNumber(addr string) (int, error) {
	s, ok := strings.CutPrefix(strings.ToLower(addr), "requester+")
	s, ok2 := strings.CutSuffix(s, "@example.test")
	if !ok || !ok2 {
		return 0, fmt.Errorf("not a requester's address: %q", addr)
	}
	return strconv.Atoi(s)
}

// watchMailbox sends a NOOP every latPoll on the requester's selected
// INBOX; each new mail is an acknowledgement, whose request is told by its
// recipient: its arrival is the moment the NOOP that showed it returned.
// Every request's acknowledgement arrives once: a second one is an error.
func watchMailbox(ctx context.Context, c *imapclient.Client, arrived []time.Time, got chan<- int) error {
	tick := time.NewTicker(latPoll)
	defer tick.Stop()
	var seen uint32
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
		if err := c.Noop().Wait(); err != nil {
			return err
		}
		at := time.Now()
		count := c.Mailbox().NumMessages
		if count <= seen {
			continue
		}
		msgs, err := c.Fetch(imap.SeqSet{imap.SeqRange{Start: seen + 1, Stop: count}}, &imap.FetchOptions{Envelope: true}).Collect()
		if err != nil {
			return err
		}
		for _, m := range msgs {
			if m.Envelope == nil || len(m.Envelope.To) != 1 {
				return fmt.Errorf("mail %d: not an acknowledgement to one requester", m.SeqNum)
			}
			i, err := requestNumber(m.Envelope.To[0].Addr())
			if err != nil || i >= len(arrived) {
				return fmt.Errorf("mail %d: %v", m.SeqNum, err)
			}
			if !arrived[i].IsZero() {
				return fmt.Errorf("request %d acknowledged twice", i)
			}
			arrived[i] = at
			got <- i
		}
		seen = count
	}
}
