package storetest

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"refunddesk/internal/sample"
	"refunddesk/tickets"
	"refunddesk/tickets/sqlstore"
)

// The benchmarks work on 1,000,000 rows by default (REFUNDDESK_BENCH_ROWS
// changes it). Generated inputs and the seeded database are cached under
// $TMPDIR/refunddesk-bench, so only the first run pays for building them.

// BenchAnchor is the "now" of the generated data.
var BenchAnchor = time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)

// BenchRows is how many records and tickets the benchmarks use
// (REFUNDDESK_BENCH_ROWS, default 1,000,000).
func BenchRows(b testing.TB) int { return BenchEnv(b, "REFUNDDESK_BENCH_ROWS", 1_000_000) }

// BenchEnv reads a benchmark's size from a positive integer environment
// variable, with a default.
func BenchEnv(b testing.TB, name string, def int) int {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		b.Fatalf("%s=%q: a positive number, please", name, v)
	}
	return n
}

func BenchDir(b testing.TB) string {
	dir := filepath.Join(os.TempDir(), "refunddesk-bench")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.Fatal(err)
	}
	return dir
}

// PromotionsCSV returns the path of a generated export of n rows.
func PromotionsCSV(b testing.TB, n int) string {
	path := filepath.Join(BenchDir(b), fmt.Sprintf("promotions-%d.csv", n))
	if _, err := os.Stat(path); err == nil {
		return path
	}
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		b.Fatal(err)
	}
	if err := sample.WritePromotionsCSV(f, n, sample.Options{Seed: 7, Now: BenchAnchor, Days: 365}); err != nil {
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

func ImportFile(b testing.TB, svc *tickets.Service, path string) *tickets.ImportSummary {
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	sum, err := svc.Records.ImportPromotions(context.Background(), f, tickets.ImportOptions{File: filepath.Base(path)})
	if err != nil {
		b.Fatal(err)
	}
	return sum
}

// seedVersion changes when the seeded data's shape changes.
const seedVersion = 6

var benchAgents = []string{"ayu", "budi", "citra", "dewi", "eko", "fajar", "gita", "hadi"}

var wordsEN = strings.Fields(`views reach promotion money back refund promised estimate never ran error charged twice
	wallet coins card video boost followers results low stopped rejected policy please help order account`)
var wordsID = strings.Fields(`jangkauan promosi dana kembali pengembalian dijanjikan perkiraan tidak berjalan error ditagih dua
	kali saldo koin kartu video pengikut hasil rendah dihentikan ditolak kebijakan mohon bantu pesanan akun`)

// seedTickets writes n tickets, one per generated order, with messages,
// audit entries, flags, evidence links and search text, as the service
// would have left them.
func seedTickets(b testing.TB, db *sqlstore.DB, n int) {
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
		refund_amount, currency, rules, evaluated_at, assignee, flags, created_at, updated_at, status_changed_at, waiting_since,
		approved_amount, first_response_at, response_us, first_decision_at, decision_us, paid_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '[]', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
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
			fmt.Sprintf("%064x", i), make([]byte, 1024), BenchAnchor); err != nil {
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
		created := BenchAnchor.Add(-span + time.Duration(int64(span)/int64(n)*int64(i)))
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
		}{{tickets.FlagAccountMismatch, 30}, {tickets.FlagUnverifiedSender, 5}, {tickets.FlagUndeliverable, 5}, {tickets.FlagUnreachable, 3}, {tickets.FlagReopened, 10}} {
			if r.IntN(1000) < f.per {
				flags = append(flags, f.name)
			}
		}
		slices.Sort(flags)
		updated := created.Add(time.Duration(r.Int64N(int64(30 * 24 * time.Hour))))
		if updated.After(BenchAnchor) {
			updated = BenchAnchor
		}
		var waiting any
		if status.WaitingOnAgents() {
			waiting = updated
		}
		work := seedWork(r, status, kind, created, amount)
		if _, err := insTicket.ExecContext(ctx, i, string(kind), string(status), string(channel), email, email, discord, "",
			account, tickets.AccountKey(account), order, reason, details, lang, string(verdict), amount, cur, created,
			assignee, strings.Join(flags, ","), created, updated, updated, waiting, work.approved, work.facts[0], work.facts[1],
			work.facts[2], work.facts[3], work.facts[4]); err != nil {
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
		for _, a := range work.acts {
			if _, err := insAudit.ExecContext(ctx, i, a.at, assignee, string(a.action), "", "", ""); err != nil {
				b.Fatal(err)
			}
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
	if err := db.RecountStats(ctx); err != nil {
		b.Fatal(err)
	}
	if err := db.Analyze(ctx); err != nil {
		b.Fatal(err)
	}
}

// seedAct is an agent's action on a seeded ticket.
type seedAct struct {
	at     time.Time
	action tickets.Action
}

// seededWork is what agents did to a seeded ticket, by its status: most
// answered within minutes to two days, those decided approved or denied
// some hours later, the paid ones resolved a day after (closed tickets:
// seven in ten paid, two denied, one never answered). Nothing after
// BenchAnchor is done.
type seededWork struct {
	acts     []seedAct
	approved any // the refund approved, or nil
	// facts are the ticket's first answer and its delay, first decision
	// and its delay, and payment, as the store keeps them (nil: none).
	facts [5]any
}

// fill sets the facts from the actions.
func (w *seededWork) fill(created time.Time) {
	for _, a := range w.acts {
		answers, decides, pays := tickets.AuditFacts(tickets.AuditEntry{At: a.at, Actor: "agent", Action: string(a.action)})
		if answers && w.facts[0] == nil {
			w.facts[0], w.facts[1] = a.at, a.at.Sub(created).Microseconds()
		}
		if decides && w.facts[2] == nil {
			w.facts[2], w.facts[3] = a.at, a.at.Sub(created).Microseconds()
		}
		if pays && w.facts[4] == nil {
			w.facts[4] = a.at
		}
	}
}

func seedWork(r *rand.Rand, status tickets.Status, kind tickets.Kind, created time.Time, amount int64) seededWork {
	var w seededWork
	k := r.IntN(10)
	var decide tickets.Action
	switch {
	case status == tickets.StatusDenied || status == tickets.StatusClosed && k >= 7 && k < 9:
		decide = tickets.ActionDeny
	case status == tickets.StatusApproved || status == tickets.StatusResolved || status == tickets.StatusClosed && k < 7:
		decide = tickets.ActionApprove
	case status == tickets.StatusClosed || status == tickets.StatusNew || k < 2:
		return w // never answered
	}
	at := created.Add(time.Duration(5+r.IntN(48*60)) * time.Minute)
	add := func(a tickets.Action) {
		if !at.After(BenchAnchor) {
			w.acts = append(w.acts, seedAct{at, a})
		}
	}
	if decide == "" || r.IntN(3) > 0 {
		add(tickets.ActionReply)
		at = at.Add(time.Duration(r.IntN(72*60)) * time.Minute)
	}
	if decide == "" {
		return w
	}
	add(decide)
	if decide == tickets.ActionApprove && kind == tickets.KindRefund && !at.After(BenchAnchor) {
		w.approved = max(amount, int64(10+r.IntN(400))*1000)
	}
	if decide == tickets.ActionApprove && status != tickets.StatusApproved {
		at = at.Add(time.Duration(r.IntN(48*60)) * time.Minute)
		add(tickets.ActionResolve)
	}
	w.fill(created)
	return w
}

// seededPath returns a store with n promotions and n tickets, built once and
// kept for later runs.
func seededPath(b testing.TB, n int) string {
	clock := NewClock(BenchAnchor)
	path := filepath.Join(BenchDir(b), fmt.Sprintf("seeded-%d-v%d.db", n, seedVersion))
	if _, err := os.Stat(path); err != nil {
		// Built under a name of this process's own, then renamed into
		// place: test binaries running side by side never share a half-built file.
		tmp := fmt.Sprintf("%s.build-%d", path, os.Getpid())
		defer func() {
			for _, suffix := range []string{"", "-wal", "-shm"} {
				os.Remove(tmp + suffix)
			}
		}()
		start := time.Now()
		db, err := sqlstore.Open(context.Background(), tmp, sqlstore.Options{Clock: clock})
		if err != nil {
			b.Fatal(err)
		}
		svc := tickets.NewService(db, tickets.Options{Clock: clock})
		ImportFile(b, svc, PromotionsCSV(b, n))
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
	return path
}

// Seeded opens the seeded benchmark store of n tickets and n promotion
// records (built once and cached). With writable, the test gets a copy of
// its own to write to; otherwise the cached file, to read.
func Seeded(b testing.TB, n int, writable bool) (*sqlstore.DB, *tickets.Service) {
	clock := NewClock(BenchAnchor)
	path := seededPath(b, n)
	if writable {
		dst := filepath.Join(b.TempDir(), "seeded.db")
		if err := copyFile(path, dst); err != nil {
			b.Fatal(err)
		}
		path = dst
	}
	db, err := sqlstore.Open(context.Background(), path, sqlstore.Options{Clock: clock})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	return db, tickets.NewService(db, tickets.Options{Clock: clock, AutoRepliesPerHour: 1 << 30})
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// SeededWith opens a copy of the seeded store of n tickets to which prepare
// added a benchmark's own fixtures (agents, sessions, a ticket with a long
// history), built once and cached beside the seeded store under name and
// version: change version when prepare writes something else. The copy is
// the benchmark's to read; what it writes stays in the cached copy.
func SeededWith(b testing.TB, n int, name string, version int, prepare func(db *sqlstore.DB, svc *tickets.Service)) (*sqlstore.DB, *tickets.Service) {
	clock := NewClock(BenchAnchor)
	path := filepath.Join(BenchDir(b), fmt.Sprintf("seeded-%d-v%d-%s-v%d.db", n, seedVersion, name, version))
	if _, err := os.Stat(path); err != nil {
		tmp := fmt.Sprintf("%s.build-%d", path, os.Getpid())
		defer func() {
			for _, suffix := range []string{"", "-wal", "-shm"} {
				os.Remove(tmp + suffix)
			}
		}()
		start := time.Now()
		if err := copyFile(seededPath(b, n), tmp); err != nil {
			b.Fatal(err)
		}
		db, err := sqlstore.Open(context.Background(), tmp, sqlstore.Options{Clock: clock})
		if err != nil {
			b.Fatal(err)
		}
		prepare(db, tickets.NewService(db, tickets.Options{Clock: clock, AutoRepliesPerHour: 1 << 30}))
		if _, err := db.SQL().Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
			b.Fatal(err)
		}
		db.Close()
		if err := os.Rename(tmp, path); err != nil {
			b.Fatal(err)
		}
		b.Logf("prepared %s in %s", path, time.Since(start).Round(time.Second))
	}
	db, err := sqlstore.Open(context.Background(), path, sqlstore.Options{Clock: clock})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	return db, tickets.NewService(db, tickets.Options{Clock: clock, AutoRepliesPerHour: 1 << 30})
}
