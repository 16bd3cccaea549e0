package mail_test

import (
	"context"
	"fmt"
	"regexp"
	"sync"
	"testing"
	"time"

	"refunddesk/internal/mailtest"
	"refunddesk/internal/storetest"
	"refunddesk/mail"
	"refunddesk/templates"
	"refunddesk/tickets"
)

// poolPostfix is a Pool of sessions SMTP sessions sending through a
// private Postfix into Dovecot, with n acknowledgements queued, one for
// each of r0 … r(n-1)@example.test.
type poolPostfix struct {
	svc  *tickets.Service
	pf   *mailtest.Postfix
	dc   *mailtest.Dovecot
	pool *mail.Pool
}

func startPoolPostfix(tb testing.TB, n, sessions int) *poolPostfix {
	tb.Helper()
	users := map[string]string{}
	for i := range n {
		users[fmt.Sprintf("r%d@example.test", i)] = "pw"
	}
	dc := mailtest.StartDovecot(tb, mailtest.DovecotOptions{Users: users})
	pf := mailtest.StartPostfix(tb, mailtest.PostfixOptions{Dovecot: dc})
	svc := tickets.NewService(storetest.Open(tb, "sqlite", tickets.SystemClock{}), tickets.Options{})
	tpl, err := templates.New()
	if err != nil {
		tb.Fatal(err)
	}
	err = svc.Group(context.Background(), func(g *tickets.Service) error {
		for i := range n {
			if _, err := g.Intake.Submit(context.Background(), tickets.SubmitRequest{Kind: tickets.KindRevocation, Channel: tickets.ChannelEmail,
				Requester: tickets.Requester{Email: fmt.Sprintf("r%d@example.test", i)}, Account: fmt.Sprintf("@creator%d", i), Details: "cabut izin"}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	pool := mail.NewPool(mail.SMTPConfig{Address: pf.Addr, TLS: "none", Sessions: sessions},
		mail.Identity{Address: "support@desk.example.test"}, svc, tpl, nil)
	return &poolPostfix{svc: svc, pf: pf, dc: dc, pool: pool}
}

// drain runs the pool until every queued mail is sent, and returns how
// long that took.
func (p *poolPostfix) drain(tb testing.TB, n int) time.Duration {
	tb.Helper()
	took := drainPool(tb, p.pool, n)
	if tb.Failed() {
		tb.Log(p.pf.Log())
	}
	return took
}

// drainPool runs pool until n mails are sent, and returns how long that
// took.
func drainPool(tb testing.TB, pool *mail.Pool, n int) time.Duration {
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var mu sync.Mutex
	sent := 0
	all := make(chan struct{})
	start := time.Now()
	done := make(chan struct{})
	go func() {
		defer close(done)
		pool.Run(ctx, time.Minute, func(st mail.SendStats, err error) {
			if err != nil && ctx.Err() == nil {
				tb.Errorf("run: %v", err)
			}
			mu.Lock()
			defer mu.Unlock()
			if sent += st.Sent; sent == n {
				close(all)
			}
		})
	}()
	select {
	case <-all:
	case <-time.After(2 * time.Minute):
		mu.Lock()
		tb.Errorf("%d of %d sent", sent, n)
		mu.Unlock()
	}
	took := time.Since(start)
	cancel()
	<-done
	return took
}

// The pool against a server we did not write: 40 acknowledgements through
// Postfix over 4 sessions, each session greeting once; every requester
// gets hers once.
func TestPoolThroughPostfix(t *testing.T) {
	const n = 40
	p := startPoolPostfix(t, n, 4)
	p.drain(t, n)
	// Postfix sums up each session when it ends.
	re := regexp.MustCompile(`disconnect from .* ehlo=1 mail=(\d+) rcpt=\d+ data=\d+ quit=1`)
	deadline := time.Now().Add(30 * time.Second)
	for {
		sessions, mails := 0, 0
		for _, m := range re.FindAllStringSubmatch(p.pf.Log(), -1) {
			var k int
			fmt.Sscan(m[1], &k)
			sessions, mails = sessions+1, mails+k
		}
		if mails == n {
			if sessions < 2 {
				t.Fatalf("%d mails over %d session(s)\n%s", mails, sessions, p.pf.Log())
			}
			t.Logf("%d mails over %d sessions", mails, sessions)
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("postfix's log sums up %d mails\n%s", mails, p.pf.Log())
		}
		time.Sleep(50 * time.Millisecond)
	}
	for i := 0; i < n; {
		msgs, err := p.dc.Messages(fmt.Sprintf("r%d@example.test", i), "INBOX")
		if err == nil && len(msgs) == 1 {
			i++
			continue
		}
		if err == nil && len(msgs) > 1 {
			t.Fatalf("r%d has %d mails", i, len(msgs))
		}
		if time.Now().After(deadline) {
			t.Fatalf("r%d has %d mails (%v)", i, len(msgs), err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// BenchmarkPoolBurstThroughPostfix times the sender alone on a burst: 200
// acknowledgements committed at once (one transaction), from the pool's
// start to Postfix's 250 for the last, over 1 and 4 sessions. Reported:
// ms for the lot and ms a mail, with the load average.
//
//	go test ./mail -run '^$' -bench PoolBurstThroughPostfix -benchtime 1x
func BenchmarkPoolBurstThroughPostfix(b *testing.B) {
	const n = 200
	for _, sessions := range []int{1, 4} {
		b.Run(fmt.Sprintf("sessions=%d", sessions), func(b *testing.B) {
			load := loadAverage()
			var total time.Duration
			for range b.N {
				b.StopTimer()
				p := startPoolPostfix(b, n, sessions)
				b.StartTimer()
				total += p.drain(b, n)
			}
			b.ReportMetric(float64(total.Milliseconds())/float64(b.N), "ms")
			b.ReportMetric(float64(total.Microseconds())/1000/float64(b.N*n), "ms/mail")
			b.ReportMetric(load, "load1")
		})
	}
}
