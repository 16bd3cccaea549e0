package sqlstore_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"refunddesk/internal/sample"
	"refunddesk/internal/storetest"
	"refunddesk/tickets"
)

// BenchmarkImportCSV imports a generated CSV export into a new SQLite
// database (the target: 1,000,000 rows in under 20 s), then imports the same
// file again (nothing changes).
func BenchmarkImportCSV(b *testing.B) {
	n := storetest.BenchRows(b)
	path := storetest.PromotionsCSV(b, n)
	for _, dialect := range storetest.Dialects() {
		b.Run(dialect+"/new", func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				db := storetest.Open(b, dialect, tickets.SystemClock{})
				svc := tickets.NewService(db, tickets.Options{})
				b.StartTimer()
				start := time.Now()
				sum := storetest.ImportFile(b, svc, path)
				el := time.Since(start)
				if sum.Inserted != n {
					b.Fatalf("inserted %d of %d", sum.Inserted, n)
				}
				b.ReportMetric(float64(n)/el.Seconds(), "rows/s")
				b.ReportMetric(el.Seconds(), "s/import")
			}
		})
		b.Run(dialect+"/again", func(b *testing.B) {
			b.StopTimer()
			db := storetest.Open(b, dialect, tickets.SystemClock{})
			svc := tickets.NewService(db, tickets.Options{})
			storetest.ImportFile(b, svc, path)
			b.StartTimer()
			for i := 0; i < b.N; i++ {
				start := time.Now()
				sum := storetest.ImportFile(b, svc, path)
				el := time.Since(start)
				if sum.Unchanged != n {
					b.Fatalf("unchanged %d of %d", sum.Unchanged, n)
				}
				b.ReportMetric(float64(n)/el.Seconds(), "rows/s")
				b.ReportMetric(el.Seconds(), "s/import")
			}
		})
	}
}

// benchQueries are the single-field queries and the common combinations.
var benchQueries = []struct{ name, q string }{
	{"all", ""},
	{"status", "status:in_review"},
	{"status_rare", "status:waiting_platform"},
	{"status_empty", "status:new"},
	{"kind", "kind:revocation"},
	{"reason", "reason:duplicate_charge"},
	{"verdict", "verdict:needs_review"},
	{"channel", "channel:discord"},
	{"language", "language:id"},
	{"assignee_none", "assignee:none"},
	{"assignee_me", "assignee:me"},
	{"account", "account:" + sample.Account(1234)},
	{"order", "order:" + sample.OrderNumber(500_000)},
	{"order_prefix", "order:73012345678935*"},
	{"ref", "ref:RD-500000"},
	{"flag", "flag:account_mismatch"},
	{"flag_rare", "flag:dm_closed"},
	{"older_2d", "older:2d"},
	{"older_7d", "older:7d"},
	{"older", "older:30d"},
	{"updated", "updated:>2026-11-14"},
	{"created_range", "created:2026-06-01..2026-06-03"},
	{"overdue", "overdue"},
	{"text", "jangkauan"},
	{"text_rare", "kangaroo"},
	{"text_phrase", `"money back"`},
	{"negated", "-status:closed"},
	{"sort_updated", "sort:updated"},
	{"combo_queue", "status:in_review kind:refund"},
	{"combo_reason", "status:in_review kind:refund reason:under_delivery"},
	{"combo_waiting_day", "status:in_review older:1d"},
	{"combo_eligible", "status:in_review verdict:eligible"},
	{"combo_mine", "assignee:me status:in_review,needs_info"},
	{"combo_unassigned_updated", "status:in_review assignee:none sort:-updated"},
	{"combo_eligible_clean", "kind:refund verdict:eligible -flag:account_mismatch"},
	{"combo_overdue_unassigned", "overdue assignee:none"},
	{"combo_email_id_info", "channel:email language:id status:needs_info"},
	{"combo_text_status", "status:in_review jangkauan"},
	{"combo_open_updated", "-status:closed,resolved sort:updated"},
	{"combo_account_open", "account:" + sample.Account(1234) + " status:open"},
}

func reportLatency(b *testing.B, d []time.Duration) {
	if len(d) == 0 {
		return
	}
	slices.Sort(d)
	q := func(p float64) float64 {
		return float64(d[min(len(d)-1, int(p*float64(len(d))))].Microseconds()) / 1000
	}
	b.ReportMetric(q(0.50), "p50-ms")
	b.ReportMetric(q(0.99), "p99-ms")
	b.ReportMetric(float64(d[len(d)-1].Microseconds())/1000, "max-ms")
}

// BenchmarkQuery: the first page (50 tickets) of each query on 1,000,000
// tickets and 1,000,000 promotion records in SQLite. Target: p99 < 20 ms.
func BenchmarkQuery(b *testing.B) {
	n := storetest.BenchRows(b)
	_, svc := storetest.Seeded(b, n, false)
	ctx := context.Background()
	for _, bq := range benchQueries {
		b.Run(bq.name, func(b *testing.B) {
			lat := make([]time.Duration, 0, b.N)
			for i := 0; i < b.N; i++ {
				start := time.Now()
				res, err := svc.Records.Search(ctx, bq.q, "ayu", tickets.DefaultPageSize, "")
				lat = append(lat, time.Since(start))
				if err != nil {
					b.Fatal(err)
				}
				if i == 0 {
					b.ReportMetric(float64(len(res.Tickets)), "results")
				}
			}
			reportLatency(b, lat)
		})
	}
}

// BenchmarkShow: the whole story of one ticket. Target: p99 < 5 ms.
func BenchmarkShow(b *testing.B) {
	n := storetest.BenchRows(b)
	_, svc := storetest.Seeded(b, n, false)
	ctx := context.Background()
	r := rand.New(rand.NewPCG(3, 4))
	lat := make([]time.Duration, 0, b.N)
	for i := 0; i < b.N; i++ {
		ref := tickets.FormatRef(int64(1 + r.IntN(n)))
		start := time.Now()
		d, err := svc.Records.Detail(ctx, ref)
		lat = append(lat, time.Since(start))
		if err != nil {
			b.Fatal(err)
		}
		if len(d.Messages) == 0 {
			b.Fatalf("%s has no messages", ref)
		}
	}
	reportLatency(b, lat)
}

// BenchmarkStats is one scrape of /metrics' store counts (tickets by status,
// overdue, the outbox, follow-ups due) on the seeded store.
func BenchmarkStats(b *testing.B) {
	n := storetest.BenchRows(b)
	_, svc := storetest.Seeded(b, n, false)
	ctx := context.Background()
	lat := make([]time.Duration, 0, b.N)
	for i := 0; i < b.N; i++ {
		start := time.Now()
		st, err := svc.Records.Stats(ctx)
		lat = append(lat, time.Since(start))
		if err != nil {
			b.Fatal(err)
		}
		total := 0
		for _, c := range st.TicketsByStatus {
			total += c
		}
		if total != n {
			b.Fatalf("%d tickets counted, %d seeded", total, n)
		}
	}
	reportLatency(b, lat)
}

// BenchmarkEvidenceWrites writes what BenchmarkMailIntake's screenshots
// weigh, and nothing else: 3,333 blobs of 200 KB in transactions of 33 (a
// batch of 100 mails, a third with a screenshot), into a SQLite store with
// its own settings and checkpointer. It is the floor under the intake's
// time that the store's disk writes set.
func BenchmarkEvidenceWrites(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	blob := make([]byte, 200<<10)
	for i := range blob {
		blob[i] = byte(r.IntN(256))
	}
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		db := storetest.Open(b, "sqlite", tickets.SystemClock{})
		b.StartTimer()
		start := time.Now()
		for batch := 0; batch < 101; batch++ {
			tx := db.SQL().MustBegin()
			for j := 0; j < 33; j++ {
				copy(blob, fmt.Sprint(i, batch, j))
				if _, err := tx.Exec(`INSERT INTO evidence_blobs (sha256, content_type, size, data, created_at) VALUES (?, ?, ?, ?, ?)`,
					fmt.Sprint(i, "-", batch, "-", j), "image/png", len(blob), blob, time.Now().UTC()); err != nil {
					b.Fatal(err)
				}
			}
			if err := tx.Commit(); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(time.Since(start).Seconds(), "s/3333-screenshots")
	}
}

// BenchmarkIntakeGroups submits what BenchmarkMailIntake's mails ask for
// straight to the ticket service, as the mail intake does: 10,000 refund
// requests (REFUNDDESK_BENCH_MAILS), a third with a 200 KB screenshot, in
// groups of 100 (one transaction each, a savepoint a request) from two
// submitters, into a new SQLite store. It reports tickets/s and the
// process's CPU time (cpu-s, the checkpointer's included): the ticket
// core's share of the intake, without the mail server beside it.
func BenchmarkIntakeGroups(b *testing.B) {
	n := storetest.BenchEnv(b, "REFUNDDESK_BENCH_MAILS", 10_000)
	ctx := context.Background()
	opt := sample.Options{Seed: 3, Now: time.Date(2026, 11, 16, 0, 0, 0, 0, time.UTC), Days: 20}
	var csv bytes.Buffer
	if err := sample.WritePromotionsCSV(&csv, n, opt); err != nil {
		b.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	reqs := make([]tickets.SubmitRequest, 0, n)
	_ = sample.Promotions(n, opt, func(i int, p *tickets.Promotion) error {
		req := tickets.SubmitRequest{Kind: tickets.KindRefund, Channel: tickets.ChannelEmail,
			Requester: tickets.Requester{Email: fmt.Sprintf("creator%d@example.id", i), Name: fmt.Sprintf("Creator %d", i)},
			Account:   p.Account, Order: p.OrderNumber, Reason: tickets.ReasonUnderDelivery, Language: "id",
			Details:        fmt.Sprintf("Halo kak, promosi saya no. pesanan %s untuk akun %s jangkauannya jauh di bawah estimasi.\nMohon pengembalian dana.\n\nTerima kasih", p.OrderNumber, p.Account),
			IdempotencyKey: fmt.Sprintf("<bench%d@example.id>", i), ExternalID: fmt.Sprintf("<bench%d@example.id>", i)}
		if i%3 == 0 {
			shot := make([]byte, 200<<10)
			for j := range shot {
				shot[j] = byte(r.IntN(256))
			}
			copy(shot, "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
			req.Evidence = []tickets.File{{Name: "shot.png", Data: shot}}
		}
		reqs = append(reqs, req)
		return nil
	})
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		clock := storetest.NewClock(time.Date(2026, 11, 16, 4, 0, 0, 0, time.UTC))
		svc := tickets.NewService(storetest.Open(b, "sqlite", clock), tickets.Options{Clock: clock, AutoRepliesPerHour: 10})
		if _, err := svc.Records.ImportPromotions(ctx, bytes.NewReader(csv.Bytes()), tickets.ImportOptions{File: "p.csv"}); err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		b.StartTimer()
		cpu := cpuTime(b)
		start := time.Now()
		for lo := 0; lo < len(reqs); lo += 100 {
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
		took, tookCPU := time.Since(start), cpuTime(b)-cpu
		b.StopTimer()
		b.ReportMetric(float64(len(reqs))/took.Seconds(), "tickets/s")
		b.ReportMetric(tookCPU.Seconds(), "cpu-s")
		b.ReportMetric(loadAverage(), "load1")
		b.StartTimer()
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

// loadAverage is the machine's load average over the last minute (0 when
// it cannot be read).
func loadAverage() float64 {
	raw, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(raw))
	if len(f) == 0 {
		return 0
	}
	v, _ := strconv.ParseFloat(f[0], 64)
	return v
}
