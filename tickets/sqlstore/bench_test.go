package sqlstore_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"refunddesk/tickets"
	"refunddesk/tickets/sample"
	"refunddesk/tickets/sqlstore"
	"refunddesk/tickets/sqlstore/storetest"
)

// The benchmarks work on 1,000,000 rows by default (REFUNDDESK_BENCH_ROWS
// changes it). Generated inputs and the seeded database are cached under
// $TMPDIR/refunddesk-bench, so only the first run pays for building them.

// benchAnchor is the "now" of the generated data.
var benchAnchor = time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)

func benchRows(b *testing.B) int {
	if v := os.Getenv("REFUNDDESK_BENCH_ROWS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			b.Fatalf("REFUNDDESK_BENCH_ROWS=%q", v)
		}
		return n
	}
	return 1_000_000
}

func benchDir(b *testing.B) string {
	dir := filepath.Join(os.TempDir(), "refunddesk-bench")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.Fatal(err)
	}
	return dir
}

// promotionsCSV returns the path of a generated export of n rows.
func promotionsCSV(b *testing.B, n int) string {
	path := filepath.Join(benchDir(b), fmt.Sprintf("promotions-%d.csv", n))
	if _, err := os.Stat(path); err == nil {
		return path
	}
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		b.Fatal(err)
	}
	if err := sample.WritePromotionsCSV(f, n, sample.Options{Seed: 7, Now: benchAnchor, Days: 365}); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		b.Fatal(err)
	}
	return path
}

func importFile(b *testing.B, svc *tickets.Service, path string) *tickets.ImportSummary {
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	sum, err := svc.ImportPromotions(context.Background(), f, tickets.ImportOptions{File: filepath.Base(path)})
	if err != nil {
		b.Fatal(err)
	}
	return sum
}

// BenchmarkImportCSV imports a generated CSV export into a new SQLite
// database (the target: 1,000,000 rows in under 20 s), then imports the same
// file again (nothing changes).
func BenchmarkImportCSV(b *testing.B) {
	n := benchRows(b)
	path := promotionsCSV(b, n)
	for _, dialect := range storetest.Dialects() {
		b.Run(dialect+"/new", func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				db := storetest.Open(b, dialect, tickets.SystemClock{})
				svc := tickets.NewService(db, tickets.Options{})
				b.StartTimer()
				start := time.Now()
				sum := importFile(b, svc, path)
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
			importFile(b, svc, path)
			b.StartTimer()
			for i := 0; i < b.N; i++ {
				start := time.Now()
				sum := importFile(b, svc, path)
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

// seedVersion changes when the seeded data's shape changes.
const seedVersion = 2

var benchAgents = []string{"ayu", "budi", "citra", "dewi", "eko", "fajar", "gita", "hadi"}

var wordsEN = strings.Fields(`views reach promotion money back refund promised estimate never ran error charged twice
	wallet coins card video boost followers results low stopped rejected policy please help order account`)
var wordsID = strings.Fields(`jangkauan promosi dana kembali pengembalian dijanjikan perkiraan tidak berjalan error ditagih dua
	kali saldo koin kartu video pengikut hasil rendah dihentikan ditolak kebijakan mohon bantu pesanan akun`)

// seedTickets writes n tickets, one per generated order, with messages,
// audit entries, flags, evidence links and search text, as the service
// would have left them.
func seedTickets(b *testing.B, db *sqlstore.DB, n int) {
	ctx := context.Background()
	sq := db.SQL()
	tx, err := sq.BeginTxx(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer tx.Rollback()
	r := rand.New(rand.NewPCG(11, 12))
	insTicket, err := tx.PrepareContext(ctx, `INSERT INTO tickets (id, kind, status, channel, requester_email, requester_email_key,
		requester_discord_id, requester_name, account, account_key, order_number, reason, details, language, verdict,
		refund_amount, currency, rules, evaluated_at, assignee, flags, created_at, updated_at, status_changed_at, waiting_since)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '[]', ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		b.Fatal(err)
	}
	insFlag, _ := tx.PrepareContext(ctx, `INSERT INTO ticket_flags (flag, ticket_id) VALUES (?, ?)`)
	insMsg, _ := tx.PrepareContext(ctx, `INSERT INTO ticket_messages (ticket_id, kind, channel, author, body, created_at) VALUES (?, 'in', ?, ?, ?, ?)`)
	insAudit, _ := tx.PrepareContext(ctx, `INSERT INTO ticket_audit (ticket_id, at, actor, action, from_status, to_status, detail) VALUES (?, ?, ?, ?, ?, ?, ?)`)
	insEv, _ := tx.PrepareContext(ctx, `INSERT INTO ticket_evidence (ticket_id, sha256, name, content_type, size, added_at) VALUES (?, ?, 'screenshot.png', 'image/png', 1024, ?)`)
	insSearch, _ := tx.PrepareContext(ctx, `INSERT INTO ticket_search (rowid, body) VALUES (?, ?)`)
	const blobs = 100
	for i := 0; i < blobs; i++ {
		if _, err := tx.ExecContext(ctx, `INSERT INTO evidence_blobs (sha256, content_type, size, data, created_at) VALUES (?, 'image/png', 1024, ?, ?)`,
			fmt.Sprintf("%064x", i), make([]byte, 1024), benchAnchor); err != nil {
			b.Fatal(err)
		}
	}
	statuses := []struct {
		s tickets.Status
		w int
	}{{tickets.StatusClosed, 45}, {tickets.StatusResolved, 15}, {tickets.StatusDenied, 9}, {tickets.StatusApproved, 3},
		{tickets.StatusInReview, 13}, {tickets.StatusNeedsInfo, 12}, {tickets.StatusWaitingPlatform, 3}}
	pick := func() tickets.Status {
		k := r.IntN(100)
		for _, s := range statuses {
			if k < s.w {
				return s.s
			}
			k -= s.w
		}
		return tickets.StatusClosed
	}
	span := 365 * 24 * time.Hour
	revAccount := 0
	for i := 1; i <= n; i++ {
		created := benchAnchor.Add(-span + time.Duration(int64(span)/int64(n)*int64(i)))
		status := pick()
		kind := tickets.KindRefund
		order := sample.OrderNumber(i - 1)
		account := sample.Account(r.IntN(n / 4))
		reason := string(tickets.Reasons[r.IntN(len(tickets.Reasons))])
		if r.IntN(10) == 0 {
			kind, order, reason = tickets.KindRevocation, "", ""
			if status.Open() {
				revAccount++
				account = fmt.Sprintf("@rev_%d", revAccount)
			}
		}
		channel := []tickets.Channel{tickets.ChannelEmail, tickets.ChannelEmail, tickets.ChannelDiscord, tickets.ChannelDiscord, tickets.ChannelAgent}[r.IntN(5)]
		email, discord := "", ""
		if channel == tickets.ChannelDiscord {
			discord = strconv.FormatInt(400000000000000000+int64(r.IntN(n/3)), 10)
		} else {
			email = fmt.Sprintf("creator%d@example.com", r.IntN(n/3))
		}
		lang, words := tickets.LangEnglish, wordsEN
		if r.IntN(10) < 6 {
			lang, words = tickets.LangIndonesian, wordsID
		}
		var dw []string
		for j := 0; j < 8+r.IntN(12); j++ {
			dw = append(dw, words[r.IntN(len(words))])
		}
		if r.IntN(1000) == 0 {
			dw = append(dw, "kangaroo") // a rare word
		}
		details := strings.Join(dw, " ")
		verdict := tickets.Verdicts[r.IntN(len(tickets.Verdicts))]
		var amount int64
		cur := ""
		if kind == tickets.KindRefund {
			cur = "IDR"
			if verdict == tickets.VerdictEligible {
				amount = int64(10+r.IntN(400)) * 1000
			}
		}
		assignee := ""
		if !status.Undecided() || r.IntN(2) == 0 {
			assignee = benchAgents[r.IntN(len(benchAgents))]
		}
		var flags []string
		for _, f := range []struct {
			name string
			per  int
		}{{tickets.FlagAccountMismatch, 30}, {tickets.FlagUnverifiedSender, 5}, {tickets.FlagUndeliverable, 5}, {tickets.FlagDMClosed, 3}, {tickets.FlagReopened, 10}} {
			if r.IntN(1000) < f.per {
				flags = append(flags, f.name)
			}
		}
		slices.Sort(flags)
		updated := created.Add(time.Duration(r.Int64N(int64(30 * 24 * time.Hour))))
		if updated.After(benchAnchor) {
			updated = benchAnchor
		}
		var waiting any
		if status.WaitingOnAgents() {
			waiting = updated
		}
		if _, err := insTicket.ExecContext(ctx, i, string(kind), string(status), string(channel), email, email, discord, "",
			account, tickets.AccountKey(account), order, reason, details, lang, string(verdict), amount, cur, created,
			assignee, strings.Join(flags, ","), created, updated, updated, waiting); err != nil {
			b.Fatalf("ticket %d: %v", i, err)
		}
		for _, f := range flags {
			if _, err := insFlag.ExecContext(ctx, f, i); err != nil {
				b.Fatal(err)
			}
		}
		author := email
		if author == "" {
			author = "discord:" + discord
		}
		if _, err := insMsg.ExecContext(ctx, i, string(channel), author, details, created); err != nil {
			b.Fatal(err)
		}
		if _, err := insAudit.ExecContext(ctx, i, created, author, "created", "", "new", "request"); err != nil {
			b.Fatal(err)
		}
		if _, err := insAudit.ExecContext(ctx, i, updated, "system", "status", "new", string(status), "verdict "+string(verdict)); err != nil {
			b.Fatal(err)
		}
		if r.IntN(10) < 3 {
			if _, err := insEv.ExecContext(ctx, i, fmt.Sprintf("%064x", r.IntN(blobs)), created); err != nil {
				b.Fatal(err)
			}
		}
		body := strings.Join([]string{tickets.FormatRef(int64(i)), account, order, email, details, details}, "\n")
		if _, err := insSearch.ExecContext(ctx, i, body); err != nil {
			b.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	if err := db.Analyze(ctx); err != nil {
		b.Fatal(err)
	}
}

// seededDB returns a store with n promotions and n tickets, built once and
// kept for later runs.
func seededDB(b *testing.B, n int) (*sqlstore.DB, *tickets.Service) {
	clock := storetest.NewClock(benchAnchor)
	path := filepath.Join(benchDir(b), fmt.Sprintf("seeded-%d-v%d.db", n, seedVersion))
	if _, err := os.Stat(path); err != nil {
		tmp := path + ".build"
		for _, suffix := range []string{"", "-wal", "-shm"} {
			os.Remove(tmp + suffix)
		}
		start := time.Now()
		db, err := sqlstore.Open(context.Background(), tmp, sqlstore.Options{Clock: clock})
		if err != nil {
			b.Fatal(err)
		}
		svc := tickets.NewService(db, tickets.Options{Clock: clock})
		importFile(b, svc, promotionsCSV(b, n))
		seedTickets(b, db, n)
		if _, err := db.SQL().Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
			b.Fatal(err)
		}
		db.Close()
		if err := os.Rename(tmp, path); err != nil {
			b.Fatal(err)
		}
		b.Logf("seeded %s in %s", path, time.Since(start).Round(time.Second))
	}
	db, err := sqlstore.Open(context.Background(), path, sqlstore.Options{Clock: clock})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	return db, tickets.NewService(db, tickets.Options{Clock: clock})
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
	n := benchRows(b)
	_, svc := seededDB(b, n)
	ctx := context.Background()
	for _, bq := range benchQueries {
		b.Run(bq.name, func(b *testing.B) {
			lat := make([]time.Duration, 0, b.N)
			for i := 0; i < b.N; i++ {
				start := time.Now()
				res, err := svc.Search(ctx, bq.q, "ayu", tickets.DefaultPageSize, "")
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
	n := benchRows(b)
	_, svc := seededDB(b, n)
	ctx := context.Background()
	r := rand.New(rand.NewPCG(3, 4))
	lat := make([]time.Duration, 0, b.N)
	for i := 0; i < b.N; i++ {
		ref := tickets.FormatRef(int64(1 + r.IntN(n)))
		start := time.Now()
		d, err := svc.Detail(ctx, ref)
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
