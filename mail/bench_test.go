package mail_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"refunddesk/mail"
	"refunddesk/mail/devmail"
	"refunddesk/tickets"
	"refunddesk/tickets/sample"
	"refunddesk/tickets/sqlstore/storetest"
)

// benchMails is how many mails the intake benchmark takes in
// (REFUNDDESK_BENCH_MAILS changes it).
func benchMails(b *testing.B) int { return storetest.BenchEnv(b, "REFUNDDESK_BENCH_MAILS", 10_000) }

// fakeScreenshot is size bytes that sniff as a PNG.
func fakeScreenshot(r *rand.Rand, size int) []byte {
	b := make([]byte, size)
	for i := range b {
		b[i] = byte(r.IntN(256))
	}
	copy(b, "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
	return b
}

// benchMail is one realistic request: a third carry a 200 KB screenshot.
func benchMail(i int, shot []byte, p *tickets.Promotion) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "From: Creator %d <creator%d@example.id>\r\nTo: %s\r\nSubject: Refund promosi %s\r\n", i, i, desk, p.OrderNumber)
	fmt.Fprintf(&b, "Message-ID: <bench%d@example.id>\r\nDate: Mon, 16 Nov 2026 10:00:00 +0700\r\nMIME-Version: 1.0\r\n", i)
	text := fmt.Sprintf("Halo kak, promosi saya no. pesanan %s untuk akun %s jangkauannya jauh di bawah estimasi.\r\nMohon pengembalian dana.\r\n\r\nTerima kasih\r\n", p.OrderNumber, p.Account)
	if i%3 != 0 {
		b.WriteString("Content-Type: text/plain; charset=UTF-8\r\n\r\n" + text)
		return []byte(b.String())
	}
	b.WriteString("Content-Type: multipart/mixed; boundary=bb\r\n\r\n--bb\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n" + text)
	b.WriteString("--bb\r\nContent-Type: image/png; name=shot.png\r\nContent-Disposition: attachment; filename=shot.png\r\nContent-Transfer-Encoding: base64\r\n\r\n")
	enc := base64.StdEncoding.EncodeToString(shot)
	for len(enc) > 76 {
		b.WriteString(enc[:76] + "\r\n")
		enc = enc[76:]
	}
	b.WriteString(enc + "\r\n--bb--\r\n")
	return []byte(b.String())
}

// benchServer is where the benchmark's mails wait: go-imap's in-memory
// server, or, when REFUNDDESK_BENCH_IMAP is USER:PASSWORD@HOST:PORT, a real
// server on loopback (such as Dovecot on its disk), whose account the
// benchmark empties first.
type benchServer struct {
	addr, user, pass string
	c                *imapclient.Client // to append with (real server)
	mem              *devmail.IMAP
}

func startBenchServer(b *testing.B) *benchServer {
	b.Helper()
	spec := os.Getenv("REFUNDDESK_BENCH_IMAP")
	if spec == "" {
		srv, err := devmail.StartIMAP(devmail.IMAPOptions{Move: true, UIDPlus: true})
		if err != nil {
			b.Fatal(err)
		}
		if err := srv.AddUser(desk, deskPass); err != nil {
			b.Fatal(err)
		}
		return &benchServer{addr: srv.Addr, user: desk, pass: deskPass, mem: srv}
	}
	at := strings.LastIndex(spec, "@")
	user, pass, ok := strings.Cut(spec[:max(at, 0)], ":")
	if at < 0 || !ok {
		b.Fatalf("REFUNDDESK_BENCH_IMAP %q: want USER:PASSWORD@HOST:PORT", spec)
	}
	s := &benchServer{addr: spec[at+1:], user: user, pass: pass}
	// The password goes in clear, and the benchmark empties the account.
	if host, _, err := net.SplitHostPort(s.addr); err != nil || !(host == "localhost" || net.ParseIP(host).IsLoopback()) {
		b.Fatalf("REFUNDDESK_BENCH_IMAP %q: want a server on loopback", spec)
	}
	s.c = s.dial(b)
	// Empty the account: every folder but INBOX, then INBOX's mails.
	boxes, err := s.c.List("", "*", nil).Collect()
	if err != nil {
		b.Fatal(err)
	}
	sort.Slice(boxes, func(i, j int) bool { return len(boxes[i].Mailbox) > len(boxes[j].Mailbox) })
	for _, m := range boxes {
		if strings.EqualFold(m.Mailbox, "INBOX") {
			continue
		}
		// A parent that only held deleted folders may be gone with them.
		var ie *imap.Error
		if err := s.c.Delete(m.Mailbox).Wait(); err != nil && !(errors.As(err, &ie) && ie.Code == imap.ResponseCodeNonExistent) {
			b.Fatalf("empty the bench account: delete %s: %v", m.Mailbox, err)
		}
	}
	sel, err := s.c.Select("INBOX", nil).Wait()
	if err != nil {
		b.Fatal(err)
	}
	if sel.NumMessages > 0 {
		all := imap.SeqSet{imap.SeqRange{Start: 1, Stop: 0}}
		if err := s.c.Store(all, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagDeleted}}, nil).Close(); err != nil {
			b.Fatal(err)
		}
		if err := s.c.Expunge().Close(); err != nil {
			b.Fatal(err)
		}
	}
	return s
}

func (s *benchServer) dial(b *testing.B) *imapclient.Client {
	c, err := imapclient.DialInsecure(s.addr, nil)
	if err != nil {
		b.Fatal(err)
	}
	if err := c.Login(s.user, s.pass).Wait(); err != nil {
		b.Fatal(err)
	}
	return c
}

func (s *benchServer) add(b *testing.B, raw []byte) {
	if s.mem != nil {
		if err := s.mem.Append(s.user, "INBOX", raw); err != nil {
			b.Fatal(err)
		}
		return
	}
	w := s.c.Append("INBOX", int64(len(raw)), nil)
	if _, err := w.Write(raw); err != nil {
		b.Fatal(err)
	}
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
	if _, err := w.Wait(); err != nil {
		b.Fatal(err)
	}
}

func (s *benchServer) close() {
	if s.mem != nil {
		s.mem.Close()
		return
	}
	s.c.Close()
}

// cpuTime is the CPU time this process has used so far.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkMailIntake takes 10,000 mails (a third with a 200 KB screenshot)
// from an IMAP server on loopback into tickets, and times a bare go-imap
// client that only FETCHes the same mails. Targets: at least 300 mails/s,
// and within 2x of the bare FETCH. It reports the CPU time of both too
// (cpu-s and bare-cpu-s: this process's, so with the in-memory server they
// include the server's work).
func BenchmarkMailIntake(b *testing.B) {
	n := benchMails(b)
	ctx := context.Background()
	r := rand.New(rand.NewPCG(1, 2))
	var promos []tickets.Promotion
	_ = sample.Promotions(n, sample.Options{Seed: 3, Now: time.Date(2026, 11, 16, 0, 0, 0, 0, time.UTC), Days: 20}, func(_ int, p *tickets.Promotion) error {
		promos = append(promos, *p)
		return nil
	})
	var csv bytes.Buffer
	_ = sample.WritePromotionsCSV(&csv, n, sample.Options{Seed: 3, Now: time.Date(2026, 11, 16, 0, 0, 0, 0, time.UTC), Days: 20})
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		srv := startBenchServer(b)
		var bytesTotal int
		for j := 0; j < n; j++ {
			raw := benchMail(j, fakeScreenshot(r, 200<<10), &promos[j])
			bytesTotal += len(raw)
			srv.add(b, raw)
		}
		clock := storetest.NewClock(time.Date(2026, 11, 16, 4, 0, 0, 0, time.UTC))
		db := storetest.Open(b, "sqlite", clock)
		svc := tickets.NewService(db, tickets.Options{Clock: clock, AutoRepliesPerHour: 10})
		if _, err := svc.ImportPromotions(ctx, bytes.NewReader(csv.Bytes()), tickets.ImportOptions{File: "p.csv"}); err != nil {
			b.Fatal(err)
		}

		// The bare client: select, then FETCH the UID and BODY.PEEK[] in
		// batches of 100.
		cpu := cpuTime(b)
		start := time.Now()
		c := srv.dial(b)
		if _, err := c.Select("INBOX", nil).Wait(); err != nil {
			b.Fatal(err)
		}
		fetched := 0
		for lo := 1; lo <= n; lo += 100 {
			set := imap.SeqSet{imap.SeqRange{Start: uint32(lo), Stop: uint32(min(lo+99, n))}}
			msgs, err := c.Fetch(set, &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{{Peek: true}}}).Collect()
			if err != nil {
				b.Fatal(err)
			}
			fetched += len(msgs)
		}
		c.Close()
		bare, bareCPU := time.Since(start), cpuTime(b)-cpu
		if fetched != n {
			b.Fatalf("bare fetch got %d of %d", fetched, n)
		}

		f := mail.NewFetcher(mail.IMAPConfig{Address: srv.addr, TLS: "none", Username: srv.user, Password: srv.pass, BatchSize: 100},
			mail.NewIntake(svc, mail.IntakeConfig{Address: desk}, nil), svc, nil)
		b.StartTimer()
		cpu = cpuTime(b)
		start = time.Now()
		st, err := f.RunOnce(ctx)
		took, tookCPU := time.Since(start), cpuTime(b)-cpu
		b.StopTimer()
		if err != nil {
			b.Fatal(err)
		}
		if st.Created != n {
			b.Fatalf("created %d of %d: %+v", st.Created, n, st)
		}
		srv.close()
		b.ReportMetric(float64(n)/took.Seconds(), "mails/s")
		b.ReportMetric(float64(n)/bare.Seconds(), "bare-fetch-mails/s")
		b.ReportMetric(took.Seconds()/bare.Seconds(), "x-bare")
		b.ReportMetric(tookCPU.Seconds(), "cpu-s")
		b.ReportMetric(bareCPU.Seconds(), "bare-cpu-s")
		b.ReportMetric(float64(bytesTotal)/(1<<20), "MiB")
		b.StartTimer()
	}
}
