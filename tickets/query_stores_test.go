package tickets_test

import (
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"refunddesk/internal/storetest"
	"refunddesk/tickets"
)

// The words the generated tickets are written in, and queries look for:
// both languages, capitals, diacritics, digits, and words joined by
// punctuation that each store must split the same way.
var queryWords = strings.Fields(`views reach promotion refund promised never ran error charged twice wallet
	coins video boost followers rendah jangkauan promosi dana kembali dijanjikan tidak berjalan ditagih
	saldo koin kartu pengikut hasil dihentikan ditolak mohon bantu pesanan akun Views REACH Promosi
	café naïve Jakarta München 2k 10k 50000 rp50.000 e-mail don't re-run ayu@example.com tiktok.com/@ayu_shop
	٣٤ हिंदी 中文 ไทย x² ½kg café Ελλάδα straße Øre ĳssel ﬁle`)

// queryOnlyWords are looked for but never written: other spellings of the
// data set's words (without their accents, in capitals).
var queryOnlyWords = strings.Fields(`cafe naive munchen MÜNCHEN CAFÉ NAÏVE Café JAKARTA dont rerun
	x 2 kg café ελλαδα Ελλαδα STRASSE strasse ore ore ijssel file fi ٣ ३ 中 हि`)

var queryAccounts = []string{"@ayu_shop", "@budi_store", "@citra.id", "@dewi", "@Eko_Official", "@fajar99"}

var queryAgents = []string{"ayu", "budi", "citra"}

// queryData files the same tickets, with the same actions at the same
// times, into a store: the data set random queries run over.
func queryData(f *svcFixture, seed uint64) {
	f.t.Helper()
	r := rand.New(rand.NewPCG(seed, 1))
	var promos []tickets.Promotion
	var orders []string
	for i := 0; i < 90; i++ {
		order := fmt.Sprintf("73010000000000%05d", i*37)
		orders = append(orders, order)
		if i%3 != 0 {
			promos = append(promos, svcPromotion(order, queryAccounts[r.IntN(len(queryAccounts))], int64(r.IntN(10000))))
		}
	}
	f.importPromos(promos...)
	text := func(n int) string {
		w := make([]string, n)
		for i := range w {
			w[i] = queryWords[r.IntN(len(queryWords))]
		}
		return strings.Join(w, " ")
	}
	for i := 0; i < 150; i++ {
		f.clock.Advance(time.Duration(r.IntN(72*60)) * time.Minute)
		req := tickets.SubmitRequest{Kind: tickets.KindRefund, Channel: tickets.Channels[r.IntN(len(tickets.Channels))],
			Account: queryAccounts[r.IntN(len(queryAccounts))], Details: text(3 + r.IntN(12))}
		switch req.Channel {
		case tickets.ChannelEmail:
			req.Requester = tickets.Requester{Email: fmt.Sprintf("req%d@example.com", r.IntN(20)), Name: "Requester " + text(1)}
		case tickets.ChannelDiscord:
			req.Requester = tickets.Requester{DiscordID: strconv.Itoa(100000 + r.IntN(20))}
		default:
			req.Actor = queryAgents[r.IntN(len(queryAgents))]
		}
		if r.IntN(5) == 0 {
			req.Kind = tickets.KindRevocation
		} else {
			if r.IntN(6) > 0 {
				req.Order = orders[r.IntN(len(orders))]
			}
			if r.IntN(6) > 0 {
				req.Reason = tickets.Reasons[r.IntN(len(tickets.Reasons))]
			}
			if r.IntN(2) == 0 {
				req.Evidence = []tickets.File{svcPNG("shot.png", strconv.Itoa(i))}
			}
		}
		if r.IntN(3) == 0 {
			req.Language = []string{tickets.LangEnglish, tickets.LangIndonesian}[r.IntN(2)]
		}
		if r.IntN(8) == 0 {
			req.Flags = []string{tickets.FlagUnverifiedSender}
		}
		res, err := f.svc.Intake.Submit(f.ctx, req)
		if err != nil {
			continue // refused the same way on every store
		}
		ref := res.Ticket.Ref
		for n := r.IntN(4); n > 0; n-- {
			f.clock.Advance(time.Duration(r.IntN(30*60)) * time.Minute)
			a := tickets.ActionRequest{Ref: ref, Actor: queryAgents[r.IntN(len(queryAgents))], Action: tickets.Actions[r.IntN(len(tickets.Actions))]}
			switch a.Action {
			case tickets.ActionNote, tickets.ActionReply, tickets.ActionAsk, tickets.ActionDeny:
				a.Text = text(2 + r.IntN(5))
			case tickets.ActionAssign:
				a.Assignee = append([]string{"none"}, queryAgents...)[r.IntN(len(queryAgents)+1)]
			case tickets.ActionApprove:
				amount := int64(1 + r.IntN(1000))
				a.Amount = &amount
			}
			_, _ = f.svc.Desk.Act(f.ctx, a) // a refusal is the same on every store
		}
	}
}

// queryGen writes random queries from the grammar of the query language.
type queryGen struct {
	r      *rand.Rand
	orders []string
	start  time.Time // the data set's first and last days
	end    time.Time
}

func (g *queryGen) pick(vs ...string) string { return vs[g.r.IntN(len(vs))] }

func (g *queryGen) some(all []string) string {
	n := 1 + g.r.IntN(min(3, len(all)))
	var out []string
	for _, i := range g.r.Perm(len(all))[:n] {
		out = append(out, all[i])
	}
	return strings.Join(out, ",")
}

func strs[T ~string](vs []T) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}

// day is a date or time around the data set, or far from it.
func (g *queryGen) day() string {
	span := g.end.Sub(g.start) + 20*24*time.Hour
	at := g.start.Add(-10*24*time.Hour + time.Duration(g.r.Int64N(int64(span))))
	switch g.r.IntN(10) {
	case 0:
		return g.pick("0001-01-01", "1000-01-01", "9999-12-31", "9999-12-30", "0001-01-02", "2026-01-01")
	case 1:
		return g.pick("9999-12-31T23:59:59Z", "9999-12-31T20:00:00-05:00", "0001-01-01T00:00:00Z", "0001-01-01T03:00:00+07:00",
			"9999-12-31T23:59:59.999999999Z")
	case 2, 3:
		// An instant, sometimes to the nanosecond, sometimes in another zone.
		t := at.Truncate(time.Second)
		if g.r.IntN(2) == 0 {
			t = at
		}
		return t.In(time.FixedZone("", (g.r.IntN(27)-12)*3600)).Format(time.RFC3339Nano)
	}
	return at.Format("2006-01-02")
}

func (g *queryGen) term() string {
	neg := ""
	if g.r.IntN(4) == 0 {
		neg = "-"
	}
	switch g.r.IntN(18) {
	case 0:
		return neg + "status:" + g.some(append(strs(tickets.Statuses), "open"))
	case 1:
		return neg + "kind:" + g.some(strs(tickets.Kinds))
	case 2:
		return neg + "reason:" + g.some(strs(tickets.Reasons))
	case 3:
		return neg + "verdict:" + g.some(strs(tickets.Verdicts))
	case 4:
		a := queryAccounts[g.r.IntN(len(queryAccounts))]
		switch g.r.IntN(3) {
		case 0:
			a = strings.TrimPrefix(a, "@")
		case 1:
			a = strings.ToUpper(a)
		}
		return neg + "account:" + a
	case 5:
		o := g.orders[g.r.IntN(len(g.orders))]
		if g.r.IntN(2) == 0 {
			o = o[:1+g.r.IntN(len(o)-1)] + "*"
		}
		return neg + "order:" + o
	case 6:
		return neg + "channel:" + g.some(strs(tickets.Channels))
	case 7:
		return neg + "assignee:" + g.some(append([]string{"me", "none"}, queryAgents...))
	case 8:
		return neg + "flag:" + g.some(tickets.Flags)
	case 9:
		return neg + "language:" + g.pick("en", "id", "en,id")
	case 10:
		return neg + fmt.Sprintf("ref:RD-%d", 1+g.r.IntN(160))
	case 11:
		return neg + "older:" + g.pick(strconv.Itoa(g.r.IntN(200))+"d", strconv.Itoa(g.r.IntN(5000))+"h", "1w", "30m")
	case 12, 13:
		field := g.pick("created", "updated")
		switch g.r.IntN(4) {
		case 0:
			return neg + field + ":" + g.day() + ".." + g.day()
		case 1:
			return neg + field + ":" + g.pick("", g.day()) + ".." + g.day()
		case 2:
			return neg + field + ":" + g.day() + ".."
		}
		return neg + field + ":" + g.pick(">", ">=", "<", "<=", "") + g.day()
	case 14:
		return neg + "overdue"
	case 15:
		// A phrase of two words.
		return neg + `"` + queryWords[g.r.IntN(len(queryWords))] + " " + queryWords[g.r.IntN(len(queryWords))] + `"`
	case 16:
		// A prefix.
		w := []rune(queryWords[g.r.IntN(len(queryWords))])
		return neg + string(w[:1+g.r.IntN(len(w))]) + "*"
	}
	if g.r.IntN(3) == 0 {
		return neg + queryOnlyWords[g.r.IntN(len(queryOnlyWords))]
	}
	return neg + queryWords[g.r.IntN(len(queryWords))]
}

func (g *queryGen) query() string {
	var terms []string
	for n := 1 + g.r.IntN(3); n > 0; n-- {
		terms = append(terms, g.term())
	}
	if g.r.IntN(4) == 0 {
		terms = append(terms, "sort:"+g.pick("created", "-created", "updated", "-updated"))
	}
	return strings.Join(terms, " ")
}

// oracle says which tickets a query matches, worked out in Go from the
// tickets themselves; ok is false for free text, which it leaves to the
// stores.
func oracle(q *tickets.Query, all []tickets.Ticket, now time.Time, sla tickets.SLA) (refs []string, ok bool) {
	if q.HasField(tickets.FieldText) {
		return nil, false
	}
	var out []tickets.Ticket
	for _, tk := range all {
		match := true
		for _, term := range q.Terms {
			var m bool
			switch term.Field {
			case tickets.FieldStatus:
				m = slices.Contains(term.Values, string(tk.Status))
			case tickets.FieldKind:
				m = slices.Contains(term.Values, string(tk.Kind))
			case tickets.FieldReason:
				m = slices.Contains(term.Values, string(tk.Reason))
			case tickets.FieldVerdict:
				m = slices.Contains(term.Values, string(tk.Eligibility.Verdict))
			case tickets.FieldChannel:
				m = slices.Contains(term.Values, string(tk.Channel))
			case tickets.FieldLanguage:
				m = slices.Contains(term.Values, tk.Language)
			case tickets.FieldAccount:
				m = slices.Contains(term.Values, tickets.AccountKey(tk.Account))
			case tickets.FieldAssignee:
				m = slices.Contains(term.Values, tk.Assignee)
			case tickets.FieldRef:
				m = slices.Contains(term.Values, strconv.FormatInt(tk.ID, 10))
			case tickets.FieldFlag:
				m = slices.ContainsFunc(tk.Flags, func(f string) bool { return slices.Contains(term.Values, f) })
			case tickets.FieldOrder:
				m = slices.ContainsFunc(term.Values, func(v string) bool {
					if p, ok := strings.CutSuffix(v, "*"); ok {
						return strings.HasPrefix(tk.Order, p)
					}
					return tk.Order == v
				})
			case tickets.FieldOlder:
				m = tk.CreatedAt.Before(*term.To)
			case tickets.FieldCreated, tickets.FieldUpdated:
				at := tk.CreatedAt
				if term.Field == tickets.FieldUpdated {
					at = tk.UpdatedAt
				}
				m = (term.From == nil || !at.Before(*term.From)) && (term.To == nil || at.Before(*term.To))
			case tickets.FieldOverdue:
				m = tk.Status.WaitingOnAgents() && tk.WaitingSince != nil && tk.WaitingSince.Before(now.Add(-sla.FirstResponse))
			default:
				panic("oracle: no field " + term.Field)
			}
			if m == term.Negate {
				match = false
				break
			}
		}
		if match {
			out = append(out, tk)
		}
	}
	slices.SortFunc(out, func(a, b tickets.Ticket) int {
		c := int(a.ID - b.ID)
		if q.Sort.Field == "updated" {
			if d := a.UpdatedAt.Compare(b.UpdatedAt); d != 0 {
				c = d
			}
		}
		if q.Sort.Desc {
			return -c
		}
		return c
	})
	for _, tk := range out {
		refs = append(refs, tk.Ref)
	}
	return refs, true
}

// searchRefs runs a query through every page, or returns its error.
func (f *svcFixture) searchRefs(query, agent string, limit int) ([]string, error) {
	var refs []string
	after := ""
	for page := 0; page < 1000; page++ {
		res, err := f.svc.Records.Search(f.ctx, query, agent, limit, after)
		if err != nil {
			return nil, err
		}
		for _, tk := range res.Tickets {
			refs = append(refs, tk.Ref)
		}
		if res.Next == "" {
			return refs, nil
		}
		after = res.Next
	}
	return nil, fmt.Errorf("search %q: paging does not end", query)
}

// TestQueryStoresAgree runs random queries of the language over one data
// set on SQLite and (when REFUNDDESK_TEST_POSTGRES is set) PostgreSQL, and
// checks both give the same tickets in the same order — and, where no free
// text is involved, the ones a plain Go reading of the query picks.
// The seed is fixed, so a run is repeatable; REFUNDDESK_QUERY_SEED tries
// another, REFUNDDESK_QUERY_COUNT runs more queries.
func TestQueryStoresAgree(t *testing.T) {
	seed := uint64(13)
	if s := os.Getenv("REFUNDDESK_QUERY_SEED"); s != "" {
		var err error
		if seed, err = strconv.ParseUint(s, 10, 64); err != nil {
			t.Fatal(err)
		}
	}
	count := 300
	if s := os.Getenv("REFUNDDESK_QUERY_COUNT"); s != "" {
		count, _ = strconv.Atoi(s)
	}
	var stores []*svcFixture
	for _, d := range storetest.Dialects() {
		f := newSvcFixture(t, d, tickets.Options{})
		queryData(f, 7) // the data set is fixed; the queries vary
		stores = append(stores, f)
	}
	if len(stores) == 1 {
		t.Logf("%s is not set: SQLite against the Go reading only", storetest.EnvPostgres)
	}
	base := stores[0]
	all := base.searchAll("", "", tickets.MaxPageSize)
	if len(all) < 80 {
		t.Fatalf("the data set has %d tickets", len(all))
	}
	for _, f := range stores[1:] {
		if got := f.searchAll("", "", tickets.MaxPageSize); !slices.Equal(got, all) {
			t.Fatalf("the stores hold different tickets:\n%s %v\n%s %v", base.dialect, all, f.dialect, got)
		}
	}
	var tks []tickets.Ticket
	for _, ref := range all {
		tks = append(tks, base.detail(ref).Ticket)
	}
	var orders []string
	for _, tk := range tks {
		if tk.Order != "" {
			orders = append(orders, tk.Order)
		}
	}
	g := &queryGen{r: rand.New(rand.NewPCG(seed, 2)), orders: orders, start: tks[len(tks)-1].CreatedAt, end: tks[0].UpdatedAt}
	agent := queryAgents[0]
	now := base.clock.Now()
	// Queries that once went wrong come first, then random ones.
	fixed := []string{"created:2026-01-01..9999-12-31", "created:>=9999-12-31", "created:>9999-12-31T20:00:00-05:00",
		"-updated:0001-01-01..9999-12-31", "created:<0001-01-01T03:00:00+07:00", "updated:<=9999-12-31T23:59:59.999999999Z"}
	failures := 0
	for i := 0; i < len(fixed)+count && failures < 10; i++ {
		var query string
		if i < len(fixed) {
			query = fixed[i]
		} else {
			query = g.query()
		}
		limit := []int{7, 50, tickets.MaxPageSize}[g.r.IntN(3)]
		q, err := tickets.ParseQuery(query, now, agent)
		if err != nil {
			t.Fatalf("seed %d: the generator wrote a query the language refuses: %q: %v", seed, query, err)
		}
		var first []string
		var firstErr error
		for j, f := range stores {
			got, err := f.searchRefs(query, agent, limit)
			if err != nil && !tickets.IsValidation(err) {
				t.Fatalf("seed %d: %q on %s: %v", seed, query, f.dialect, err)
			}
			if j == 0 {
				first, firstErr = got, err
				if want, ok := oracle(q, tks, now, tickets.DefaultSLA()); ok && (err != nil || !slices.Equal(got, want)) {
					t.Errorf("seed %d: %q on %s:\n got %v (%v)\nwant %v", seed, query, f.dialect, got, err, want)
					failures++
				}
			} else if !slices.Equal(got, first) || fmt.Sprint(err) != fmt.Sprint(firstErr) {
				t.Errorf("seed %d: %q:\n%s %v (%v)\n%s %v (%v)", seed, query, stores[0].dialect, first, firstErr, f.dialect, got, err)
				failures++
			}
		}
	}
	if t.Failed() {
		t.Logf("replay with REFUNDDESK_QUERY_SEED=%d", seed)
	}
}
