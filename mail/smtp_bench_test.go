package mail_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"refunddesk/internal/devmail"
	"refunddesk/internal/mailtest"
	"refunddesk/internal/storetest"
	"refunddesk/mail"
	"refunddesk/templates"
	"refunddesk/tickets"
)

// BenchmarkDeskTurnaround times the desk's own part of a requester's wait,
// without a real server's delays: from a mail landing in the desk's mailbox
// (devmail's in-memory IMAP server, with IDLE) to the desk's
// acknowledgement accepted by the SMTP server (the strict peer), with the
// intake and the sender running as serve runs them, their polling set to a
// minute so that only IDLE and the sender's wake-up count. One mail at a
// time; reports the median, the 90th percentile and the slowest, of the
// whole turnaround and of its sending part (send-: from the commit of the
// acknowledgement to its acceptance). What a requester feels, on Dovecot
// and Postfix, is BenchmarkAcknowledgementLatency.
//
//	go test ./mail -run '^$' -bench DeskTurnaround -benchtime 200x
func BenchmarkDeskTurnaround(b *testing.B) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	db := storetest.Open(b, "sqlite", tickets.SystemClock{})
	svc := tickets.NewService(db, tickets.Options{})
	imapSrv, err := devmail.StartIMAP(devmail.IMAPOptions{Move: true, UIDPlus: true, Idle: true})
	if err != nil {
		b.Fatal(err)
	}
	defer imapSrv.Close()
	if err := imapSrv.AddUser(desk, deskPass); err != nil {
		b.Fatal(err)
	}
	arrived := make(chan mailtest.StrictMessage, 16)
	peer := mailtest.StartStrictSMTP(b, mailtest.StrictOptions{OnMessage: func(m mailtest.StrictMessage) { arrived <- m }})
	tpl, err := templates.New()
	if err != nil {
		b.Fatal(err)
	}
	fetcher := mail.NewFetcher(mail.IMAPConfig{Address: imapSrv.Addr, TLS: "none", Username: desk, Password: deskPass,
		PollInterval: tickets.Duration{Duration: time.Minute}}, mail.NewIntake(svc, mail.IntakeConfig{Address: desk}, nil), svc, nil)
	sender := mail.NewSender(mail.SMTPConfig{Address: peer.Addr, TLS: "none"}, mail.Identity{Address: desk}, svc, tpl, nil)
	started := make(chan struct{}, 2)
	done := make(chan struct{}, 2)
	go func() {
		defer func() { done <- struct{}{} }()
		first := true
		_ = fetcher.Run(ctx, func(mail.IntakeStats, error) {
			if first {
				first = false
				started <- struct{}{}
			}
		})
	}()
	go func() {
		defer func() { done <- struct{}{} }()
		first := true
		sender.Run(ctx, time.Minute, func(mail.SendStats, error) {
			if first {
				first = false
				started <- struct{}{}
			}
		})
	}()
	<-started
	<-started

	// committed: the intake's commit of the acknowledgement, so the
	// sender's part (commit to accepted) is timed apart from the intake's.
	committed, stopQ := svc.Delivery.OutboxQueued(tickets.ChannelEmail)
	defer stopQ()
	waits := make([]time.Duration, 0, b.N)
	sends := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := range b.N {
		raw := fmt.Sprintf("From: Creator %d <creator%d@example.id>\r\nTo: %s\r\nSubject: Refund promosi\r\nMessage-ID: <lat%d@example.id>\r\n"+
			"Content-Type: text/plain; charset=UTF-8\r\n\r\nHalo kak, promosi saya no. pesanan 73019%014d jangkauannya kurang. Mohon refund.\r\n", i, i, desk, i, i)
		t0 := time.Now()
		if err := imapSrv.Append(desk, "INBOX", []byte(raw)); err != nil {
			b.Fatal(err)
		}
		var t1 time.Time
		select {
		case <-committed:
			t1 = time.Now()
		case <-time.After(2 * time.Minute):
			b.Fatalf("mail %d: not taken in", i)
		}
		select {
		case m := <-arrived:
			waits = append(waits, time.Since(t0))
			sends = append(sends, time.Since(t1))
			if m.To[0] != fmt.Sprintf("creator%d@example.id", i) {
				b.Fatalf("acknowledgement to %s, want creator%d", m.To[0], i)
			}
		case <-time.After(2 * time.Minute):
			b.Fatalf("mail %d: no acknowledgement", i)
		}
	}
	b.StopTimer()
	cancel()
	<-done
	<-done
	report := func(ds []time.Duration, prefix string) {
		slices.Sort(ds)
		b.ReportMetric(float64(ds[len(ds)/2].Microseconds())/1000, prefix+"p50-ms")
		b.ReportMetric(float64(ds[len(ds)*9/10].Microseconds())/1000, prefix+"p90-ms")
		b.ReportMetric(float64(ds[len(ds)-1].Microseconds())/1000, prefix+"max-ms")
	}
	report(waits, "")
	report(sends, "send-")
}
