package tickets_test

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"refunddesk/internal/storetest"
	"refunddesk/tickets"
	"refunddesk/tickets/sqlstore"
)

// svcStart is when the service tests' clocks start.
var svcStart = time.Date(2026, 11, 21, 8, 0, 0, 0, time.UTC)

// Orders and accounts the service tests use.
const (
	svcOrderA   = "7301000000000000011"
	svcOrderB   = "7301000000000000022"
	svcOrderC   = "7301000000000000033"
	svcAccountA = "@ayu_shop"
	svcAccountB = "@budi_store"
)

// The agents' channels the tests register, named as the bot names its own:
// a watcher of every ticket (cards) and a channel for alerts.
const (
	cardChannel  tickets.Channel = "discord_card"
	alertChannel tickets.Channel = "discord_alert"
)

// svcFixture is a service over a real store of one dialect, with a clock the
// test moves.
type svcFixture struct {
	t       *testing.T
	ctx     context.Context
	dialect string
	clock   *storetest.Clock
	db      *sqlstore.DB
	svc     *tickets.Service
}

// with returns the fixture for a subtest: its failures are the subtest's.
func (f *svcFixture) with(t *testing.T) *svcFixture {
	g := *f
	g.t = t
	return &g
}

func newSvcFixture(t *testing.T, dialect string, opt tickets.Options) *svcFixture {
	t.Helper()
	clock := storetest.NewClock(svcStart)
	db := storetest.Open(t, dialect, clock)
	opt.Clock = clock
	if opt.AutoRepliesPerHour == 0 {
		// The fixtures file many requests from one address; the hourly
		// limit on automatic mail has tests of its own.
		opt.AutoRepliesPerHour = 1000
	}
	return &svcFixture{t: t, ctx: context.Background(), dialect: dialect, clock: clock, db: db, svc: tickets.NewService(db, opt)}
}

// svcPromotion is a completed IDR promotion that ended 13 days before the
// tests' start: promised 10,000, delivered as given, 100,000 paid.
func svcPromotion(order, account string, delivered int64) tickets.Promotion {
	created := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	start := created.Add(time.Hour)
	end := start.Add(7 * 24 * time.Hour)
	return tickets.Promotion{OrderNumber: order, Account: account, VideoID: "7300000000000000001", Objective: "views",
		Amount: 100000, Currency: "IDR", PaymentMethod: "wallet", CreatedAt: created, StartAt: &start, EndAt: &end,
		Status: tickets.PromoCompleted, PromisedReach: 10000, DeliveredReach: delivered, Spend: 100000}
}

func svcTime(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func svcPromoRecord(p tickets.Promotion) []string {
	return []string{p.OrderNumber, p.Account, p.VideoID, p.Objective, strconv.FormatInt(p.Amount, 10), p.Currency,
		p.PaymentMethod, svcTime(&p.CreatedAt), svcTime(p.StartAt), svcTime(p.EndAt), svcTime(p.ClosedAt), string(p.Status),
		strconv.FormatInt(p.PromisedReach, 10), strconv.FormatInt(p.DeliveredReach, 10), strconv.FormatInt(p.Spend, 10),
		strconv.FormatBool(p.Incident), strconv.FormatInt(p.Refunded, 10)}
}

// svcPromoCSV writes promotions as a CSV export.
func svcPromoCSV(ps ...tickets.Promotion) string {
	var b strings.Builder
	w := csv.NewWriter(&b)
	_ = w.Write(tickets.PromotionColumns)
	for _, p := range ps {
		_ = w.Write(svcPromoRecord(p))
	}
	w.Flush()
	return b.String()
}

// importPromos imports promotions as p.csv and fails the test on an error.
func (f *svcFixture) importPromos(ps ...tickets.Promotion) *tickets.ImportSummary {
	f.t.Helper()
	sum, err := f.svc.Records.ImportPromotions(f.ctx, strings.NewReader(svcPromoCSV(ps...)), tickets.ImportOptions{File: "p.csv"})
	if err != nil {
		f.t.Fatalf("import promotions: %v", err)
	}
	return sum
}

// importAuths imports an authorization CSV (rows without the header).
func (f *svcFixture) importAuths(rows ...string) *tickets.ImportSummary {
	f.t.Helper()
	text := strings.Join(tickets.AuthorizationColumns, ",") + "\n" + strings.Join(rows, "\n") + "\n"
	sum, err := f.svc.Records.ImportAuthorizations(f.ctx, strings.NewReader(text), tickets.ImportOptions{File: "a.csv"})
	if err != nil {
		f.t.Fatalf("import authorizations: %v", err)
	}
	return sum
}

// svcPNG returns a small PNG-looking file whose bytes depend on seed.
func svcPNG(name, seed string) tickets.File {
	return tickets.File{Name: name, Data: append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), []byte(seed)...)}
}

// svcRefund is a complete email refund request for order by account.
func svcRefund(order, account string) tickets.SubmitRequest {
	return tickets.SubmitRequest{Kind: tickets.KindRefund, Channel: tickets.ChannelEmail,
		Requester: tickets.Requester{Email: "ayu@example.com", Name: "Ayu"}, Account: account, Order: order,
		Reason: tickets.ReasonUnderDelivery, Details: "The reach was far too low for what I paid",
		Evidence: []tickets.File{svcPNG("results.png", order)}}
}

func (f *svcFixture) submit(req tickets.SubmitRequest) *tickets.SubmitResult {
	f.t.Helper()
	res, err := f.svc.Intake.Submit(f.ctx, req)
	if err != nil {
		f.t.Fatalf("submit: %v", err)
	}
	return res
}

func (f *svcFixture) detail(ref string) *tickets.TicketDetail {
	f.t.Helper()
	d, err := f.svc.Records.Detail(f.ctx, ref)
	if err != nil {
		f.t.Fatalf("detail %s: %v", ref, err)
	}
	return d
}

func (f *svcFixture) act(a tickets.ActionRequest) *tickets.Ticket {
	f.t.Helper()
	tk, err := f.svc.Desk.Act(f.ctx, a)
	if err != nil {
		f.t.Fatalf("%s %s by %s: %v", a.Action, a.Ref, a.Actor, err)
	}
	return tk
}

// count counts the rows of a table straight from the database.
func (f *svcFixture) count(table string) int {
	f.t.Helper()
	var n int
	if err := f.db.SQL().GetContext(f.ctx, &n, `SELECT COUNT(*) FROM `+table); err != nil {
		f.t.Fatalf("count %s: %v", table, err)
	}
	return n
}

// svcTables are the tables intake and actions write to.
var svcTables = []string{"tickets", "ticket_messages", "ticket_audit", "outbox", "intake_keys", "ticket_evidence",
	"evidence_blobs", "ticket_flags", "followups"}

// rowCounts counts the rows of every table intake writes to.
func (f *svcFixture) rowCounts() map[string]int {
	f.t.Helper()
	out := map[string]int{}
	for _, tb := range svcTables {
		out[tb] = f.count(tb)
	}
	return out
}

// searchAll runs a query through every page and returns the references in
// the order they came.
func (f *svcFixture) searchAll(query, agent string, limit int) []string {
	f.t.Helper()
	var refs []string
	after := ""
	for page := 0; ; page++ {
		if page > 1000 {
			f.t.Fatalf("search %q: paging does not end", query)
		}
		res, err := f.svc.Records.Search(f.ctx, query, agent, limit, after)
		if err != nil {
			f.t.Fatalf("search %q: %v", query, err)
		}
		if limit > 0 && len(res.Tickets) > limit {
			f.t.Fatalf("search %q: page of %d tickets, limit %d", query, len(res.Tickets), limit)
		}
		for _, tk := range res.Tickets {
			refs = append(refs, tk.Ref)
		}
		if res.Next == "" {
			return refs
		}
		after = res.Next
	}
}

// svcFields lists the fields a validation error names.
func svcFields(err error) []string {
	var ves tickets.ValidationErrors
	if errors.As(err, &ves) {
		out := make([]string, len(ves))
		for i, v := range ves {
			out[i] = v.Field
		}
		return out
	}
	var ve *tickets.ValidationError
	if errors.As(err, &ve) {
		return []string{ve.Field}
	}
	return nil
}

// svcWantFields checks err is a validation error naming exactly fields.
func svcWantFields(t *testing.T, err error, fields ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error; want a validation error on %v", fields)
	}
	got := svcFields(err)
	if !slices.Equal(got, fields) {
		t.Fatalf("error %q names fields %q; want %q", err, got, fields)
	}
}

func svcTemplates(d *tickets.TicketDetail) []string {
	out := make([]string, len(d.Outbox))
	for i, o := range d.Outbox {
		out[i] = o.Template
	}
	return out
}

func svcAuditActions(d *tickets.TicketDetail) []string {
	out := make([]string, len(d.Audit))
	for i, a := range d.Audit {
		out[i] = a.Action
	}
	return out
}

func svcLastAudit(t *testing.T, d *tickets.TicketDetail) tickets.AuditEntry {
	t.Helper()
	if len(d.Audit) == 0 {
		t.Fatalf("%s has no audit entries", d.Ref)
	}
	return d.Audit[len(d.Audit)-1]
}

// svcSameDetail fails when a ticket's whole story changed.
func svcSameDetail(t *testing.T, before, after *tickets.TicketDetail) {
	t.Helper()
	if !reflect.DeepEqual(before, after) {
		t.Fatalf("the ticket changed:\nbefore %s\nafter  %s", svcSummary(before), svcSummary(after))
	}
}

func svcSummary(d *tickets.TicketDetail) string {
	return fmt.Sprintf("%s status=%s verdict=%s assignee=%q approved=%v flags=%v info=%v msgs=%d audit=%v outbox=%v updated=%s",
		d.Ref, d.Status, d.Eligibility.Verdict, d.Assignee, d.ApprovedAmount, d.Flags, d.InfoRequested, len(d.Messages),
		svcAuditActions(d), svcTemplates(d), d.UpdatedAt.Format(time.RFC3339Nano))
}

func svcPtr[T any](v T) *T { return &v }

// svcSameSet reports whether two lists hold the same items, in any order.
func svcSameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

func svcLastOutbox(t *testing.T, d *tickets.TicketDetail) tickets.OutboxItem {
	t.Helper()
	if len(d.Outbox) == 0 {
		t.Fatalf("%s: empty outbox", d.Ref)
	}
	return d.Outbox[len(d.Outbox)-1]
}
