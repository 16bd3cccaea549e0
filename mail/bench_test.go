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
	"runtime"
	"runtime/pprof"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"refunddesk/internal/devmail"
	"refunddesk/internal/mailtest"
	"refunddesk/internal/sample"
	"refunddesk/internal/storetest"
	"refunddesk/mail"
	"refunddesk/tickets"
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
	return benchMailFrom(i, fmt.Sprintf("creator%d@example.id", i), desk, shot, p)
}

// benchMailFrom is benchMail from and to the given addresses.
func benchMailFrom(i int, from, to string, shot []byte, p *tickets.Promotion) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "From: Creator %d <%s>\r\nTo: %s\r\nSubject: Refund promosi %s\r\n", i, from, to, p.OrderNumber)
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
// server; or, when REFUNDDESK_BENCH_IMAP is "dovecot", a private Dovecot
// (stock Maildir++) that internal/mailtest starts; or, when it is
// USER:PASSWORD@HOST:PORT, a real server on loopback, whose account the
// benchmark empties first.
type benchServer struct {
	addr, user, pass string
	c                *imapclient.Client // to append with (real server)
	mem              *devmail.IMAP
	dovecot          *mailtest.Dovecot // when the benchmark started it
}

func startBenchServer(b *testing.B) *benchServer {
	b.Helper()
	spec := os.Getenv("REFUNDDESK_BENCH_IMAP")
	var dc *mailtest.Dovecot
	if spec == "dovecot" {
		dc = mailtest.StartDovecot(b, mailtest.DovecotOptions{Users: map[string]string{desk: deskPass}})
		spec = desk + ":" + deskPass + "@" + dc.Addr
	}
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
	s := &benchServer{addr: spec[at+1:], user: user, pass: pass, dovecot: dc}
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

// serverCPU is the CPU time the benchmark's own Dovecot has used so far,
// once the sessions beyond the appender's have ended (0 for other servers).
func (s *benchServer) serverCPU(b *testing.B) time.Duration {
	if s.dovecot == nil {
		return 0
	}
	return dovecotCPU(b, s.dovecot.Dir, 1)
}

func (s *benchServer) close() {
	if s.mem != nil {
		s.mem.Close()
		return
	}
	s.c.Close()
}

// benchBare times a bare go-imap client that selects INBOX, then FETCHes
// the UID and BODY.PEEK[] of its n mails in batches of 100, and returns its
// wall and CPU time.
func benchBare(b *testing.B, srv *benchServer, n int) (time.Duration, time.Duration) {
	runtime.GC()
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
	took, tookCPU := time.Since(start), cpuTime(b)-cpu
	if fetched != n {
		b.Fatalf("bare fetch got %d of %d", fetched, n)
	}
	return took, tookCPU
}

// benchService is a ticket service on a SQLite store of its own, with the
// benchmark's promotion records.
func benchService(b *testing.B, csv []byte) *tickets.Service {
	clock := storetest.NewClock(time.Date(2026, 11, 16, 4, 0, 0, 0, time.UTC))
	db := storetest.Open(b, "sqlite", clock)
	svc := tickets.NewService(db, tickets.Options{Clock: clock, AutoRepliesPerHour: 10})
	if _, err := svc.Records.ImportPromotions(context.Background(), bytes.NewReader(csv), tickets.ImportOptions{File: "p.csv"}); err != nil {
		b.Fatal(err)
	}
	return svc
}

// benchDirect submits the benchmark's requests straight to the service, as
// the mail intake would understand them, in groups of 100, and returns how
// long it took, and the CPU time.
func benchDirect(b *testing.B, svc *tickets.Service, promos []tickets.Promotion, shots [][]byte) (time.Duration, time.Duration) {
	ctx := context.Background()
	reqs := make([]tickets.SubmitRequest, len(promos))
	for i, p := range promos {
		reqs[i] = tickets.SubmitRequest{Kind: tickets.KindRefund, Channel: tickets.ChannelEmail,
			Requester: tickets.Requester{Email: fmt.Sprintf("creator%d@example.id", i), Name: fmt.Sprintf("Creator %d", i)},
			Account:   p.Account, Order: p.OrderNumber, Reason: tickets.ReasonUnderDelivery, Language: "id",
			Details:        fmt.Sprintf("Halo kak, promosi saya no. pesanan %s untuk akun %s jangkauannya jauh di bawah estimasi.\nMohon pengembalian dana.\n\nTerima kasih", p.OrderNumber, p.Account),
			IdempotencyKey: fmt.Sprintf("<bench%d@example.id>", i), ExternalID: fmt.Sprintf("<bench%d@example.id>", i)}
		if i%3 == 0 {
			reqs[i].Evidence = []tickets.File{{Name: "shot.png", Data: shots[i]}}
		}
	}
	runtime.GC()
	cpu := cpuTime(b)
	start := time.Now()
	for lo := 0; lo < len(reqs); lo += 100 {
		// Two submitters, as the intake has two takers on two cores.
		batch := reqs[lo:min(lo+100, len(reqs))]
		err := svc.Group(ctx, func(g *tickets.Service) error {
			errs := make([]error, 2) // this run's (the group may run twice)
			var wg sync.WaitGroup
			for w := range errs {
				wg.Go(func() {
					for i := w; i < len(batch); i += len(errs) {
						res, err := g.Intake.Submit(ctx, batch[i])
						if err == nil && res.Outcome != tickets.OutcomeCreated {
							err = fmt.Errorf("%s: %s", batch[i].IdempotencyKey, res.Outcome)
						}
						if err != nil {
							errs[w] = err
							return
						}
					}
				})
			}
			wg.Wait()
			return errors.Join(errs...)
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	return time.Since(start), cpuTime(b) - cpu
}

// profileIntake starts a CPU profile of the intake alone when
// REFUNDDESK_BENCH_CPUPROFILE names a file (go test's -cpuprofile covers
// the setup too: appending the mails, the bare fetch, the direct
// submissions); it returns what stops it.
func profileIntake(b *testing.B) func() {
	name := os.Getenv("REFUNDDESK_BENCH_CPUPROFILE")
	if name == "" {
		return func() {}
	}
	out, err := os.Create(name)
	if err != nil {
		b.Fatal(err)
	}
	if err := pprof.StartCPUProfile(out); err != nil {
		b.Fatal(err)
	}
	return func() {
		pprof.StopCPUProfile()
		if err := out.Close(); err != nil {
			b.Fatal(err)
		}
	}
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
// client that only FETCHes the same mails. It reports the CPU time of both
// too (cpu-s and bare-cpu-s: this process's, so with the in-memory server
// they include the server's work). It also times the same requests
// submitted straight to the ticket service, in the same groups of 100 and
// into a store of their own, without mail (direct-s, x-direct): what the
// ticket core costs, apart from what the mail channel adds. Targets (issue
// 12): at least 1,000 mails/s from a real Dovecot, and within 1.5x of the
// direct submissions. Each timed part starts after a collection, so no part
// pays for the garbage of the one before.
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
		shots := make([][]byte, n)
		for j := 0; j < n; j++ {
			shots[j] = fakeScreenshot(r, 200<<10)
			raw := benchMail(j, shots[j], &promos[j])
			bytesTotal += len(raw)
			srv.add(b, raw)
		}
		svc := benchService(b, csv.Bytes())

		// The bare client, at its best of three runs.
		var bare, bareCPU, bareServerCPU time.Duration
		for range 3 {
			server := srv.serverCPU(b)
			took, cpu := benchBare(b, srv, n)
			server = srv.serverCPU(b) - server
			b.Logf("bare %v cpu %v server cpu %v", took, cpu, server)
			if bare == 0 || took < bare {
				bare, bareCPU, bareServerCPU = took, cpu, server
			}
		}

		direct, directCPU := benchDirect(b, benchService(b, csv.Bytes()), promos, shots)
		shots = nil

		f := mail.NewFetcher(mail.IMAPConfig{Address: srv.addr, TLS: "none", Username: srv.user, Password: srv.pass, BatchSize: 100},
			mail.NewIntake(svc, mail.IntakeConfig{Address: desk}, nil), svc, nil)
		server := srv.serverCPU(b)
		stopProfile := profileIntake(b)
		runtime.GC()
		b.StartTimer()
		cpu := cpuTime(b)
		start := time.Now()
		st, err := f.RunOnce(ctx)
		took, tookCPU := time.Since(start), cpuTime(b)-cpu
		b.StopTimer()
		stopProfile()
		server = srv.serverCPU(b) - server
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
		b.ReportMetric(direct.Seconds(), "direct-s")
		b.ReportMetric(directCPU.Seconds(), "direct-cpu-s")
		b.ReportMetric(took.Seconds()/direct.Seconds(), "x-direct")
		b.ReportMetric(float64(bytesTotal)/(1<<20), "MiB")
		if srv.dovecot != nil {
			b.ReportMetric(server.Seconds(), "dovecot-cpu-s")
			b.ReportMetric(bareServerCPU.Seconds(), "bare-dovecot-cpu-s")
		}
		b.ReportMetric(loadAverage(), "load1")
		b.StartTimer()
	}
}

// dovecotProcs reads, from /proc, the CPU time a Dovecot instance has used
// so far: its master's (the process started with dir's dovecot.conf) and
// every descendant's, those still running and those reaped (cutime,
// cstime); and how many of its IMAP session processes are alive.
func dovecotProcs(dir string) (cpu time.Duration, sessions int, err error) {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return 0, 0, err
	}
	type proc struct {
		ppid  int
		ticks int64 // utime + stime + cutime + cstime
		comm  string
		state string
	}
	procs := map[int]proc{}
	master := 0
	conf := []byte(dir + "/dovecot.conf")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		raw, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue // gone meanwhile
		}
		// pid (comm) state ppid … utime stime cutime cstime (fields 14-17)
		open, end := bytes.IndexByte(raw, '('), bytes.LastIndexByte(raw, ')')
		if open < 0 || end < open {
			continue
		}
		f := strings.Fields(string(raw[end+1:]))
		if len(f) < 15 {
			continue
		}
		p := proc{comm: string(raw[open+1 : end]), state: f[0]}
		p.ppid, _ = strconv.Atoi(f[1])
		for _, v := range f[11:15] {
			n, _ := strconv.ParseInt(v, 10, 64)
			p.ticks += n
		}
		procs[pid] = p
		if p.comm == "dovecot" {
			if cmd, err := os.ReadFile("/proc/" + e.Name() + "/cmdline"); err == nil && bytes.Contains(cmd, conf) {
				master = pid
			}
		}
	}
	if master == 0 {
		return 0, 0, fmt.Errorf("no dovecot master process for %s", dir)
	}
	in := func(pid int) bool {
		for ; pid > 1; pid = procs[pid].ppid {
			if pid == master {
				return true
			}
		}
		return false
	}
	var ticks int64
	for pid, p := range procs {
		if in(pid) {
			ticks += p.ticks
			if p.comm == "imap" {
				sessions++
			}
		}
	}
	// Linux gives these times in USER_HZ, 100 a second.
	return time.Duration(ticks) * 10 * time.Millisecond, sessions, nil
}

// dovecotCPU is dovecotProcs's CPU time once the instance has no more IMAP
// sessions than sessions (the ones a run opened have ended and been reaped).
func dovecotCPU(b *testing.B, dir string, sessions int) time.Duration {
	for range 200 {
		cpu, n, err := dovecotProcs(dir)
		if err != nil {
			b.Fatal(err)
		}
		if n <= sessions {
			return cpu
		}
		time.Sleep(10 * time.Millisecond)
	}
	b.Fatalf("dovecot's IMAP sessions did not end")
	return 0
}

// BenchmarkIntakeParse is what the intake does to one of BenchmarkMailIntake's
// mails before its transaction (Intake.Parse: the MIME tree, the keys, the
// sender's authentication and the reading of the words), for a mail of
// text alone and for one with a 200 KB screenshot; the CPU the intake adds
// to the ticket core's, one mail at a time.
func BenchmarkIntakeParse(b *testing.B) {
	var p tickets.Promotion
	_ = sample.Promotions(1, sample.Options{Seed: 3, Now: time.Date(2026, 11, 16, 0, 0, 0, 0, time.UTC), Days: 20}, func(_ int, q *tickets.Promotion) error {
		p = *q
		return nil
	})
	in := mail.NewIntake(nil, mail.IntakeConfig{Address: desk}, nil)
	shot := fakeScreenshot(rand.New(rand.NewPCG(1, 2)), 200<<10)
	for _, c := range []struct {
		name string
		i    int
	}{{"text", 1}, {"screenshot", 0}} {
		raw := benchMail(c.i, shot, &p)
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(raw)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := in.Parse(context.Background(), raw); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
