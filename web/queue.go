package web

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"refunddesk/tickets"
)

// savedView is a query with a name of its own, linked from the queue.
type savedView struct{ Key, Query string }

// savedViews are the queue's saved views, as queries in the language every
// surface shares (docs/cli.md), so an agent can read and change them.
func savedViews() []savedView {
	return []savedView{
		{"mine", "assignee:me -status:resolved,closed"},
		{"unassigned", "assignee:none -status:resolved,closed"},
		{"overdue", "overdue"},
		{"review", "status:new,in_review"},
		{"platform", "status:waiting_platform"},
		{"all", ""},
	}
}

// sortKeys are the orders the queue offers, as the query's sort: values,
// each with the name of its words (web.sort.<name>).
func sortKeys() map[string]string {
	return map[string]string{"-created": "newest", "created": "oldest", "-updated": "recently_updated", "updated": "least_recently_updated"}
}

// sortOrder is the sort menu's order.
func sortOrder() []string { return []string{"-created", "created", "-updated", "updated"} }

// viewLink is a saved view on the page.
type viewLink struct {
	Key, Query, URL string
	Active          bool
}

// sortOption is an order in the sort menu.
type sortOption struct {
	Value, Key string
	Selected   bool
}

// queueData is the queue page's data.
type queueData struct {
	Query, Sort string
	Views       []viewLink
	Sorts       []sortOption
	Tickets     []tickets.Ticket
	// Next and First are the addresses of the next and first pages.
	Next, First string
	// Problem is the query's error in words; Before, Bad and After are the
	// query cut around the term at fault, when the error names it.
	Problem            string
	Before, Bad, After string
	// Counts are the desk's tickets by status (in the order of a ticket's
	// life, those it has), and Overdue those past the first-response
	// target; Counted says whether the counts are known.
	Counts  []statusCount
	Overdue int
	Counted bool
	// Version changes when the page's tickets do; State is where the
	// page's script asks for it, every Refresh seconds.
	Version, State string
	Refresh        int
}

// statusCount is how many tickets have a status.
type statusCount struct {
	Status tickets.Status
	N      int
}

// queue shows the tickets a query finds: GET /?q=QUERY&sort=KEY&after=CURSOR.
func (s *Server) queue(w http.ResponseWriter, r *http.Request, a *Agent) error {
	v := r.URL.Query()
	d := queueData{Query: v.Get("q"), Sort: v.Get("sort"), Refresh: int(s.opt.Refresh / time.Second)}
	for _, sv := range savedViews() {
		d.Views = append(d.Views, viewLink{Key: sv.Key, Query: sv.Query, URL: "/?" + url.Values{"q": {sv.Query}}.Encode(),
			Active: strings.TrimSpace(d.Query) == sv.Query})
	}
	for _, k := range sortOrder() {
		d.Sorts = append(d.Sorts, sortOption{Value: k, Key: sortKeys()[k], Selected: k == d.Sort})
	}
	res, err := s.search(r.Context(), a, v)
	var ve *tickets.ValidationError
	switch {
	case errors.As(err, &ve):
		d.Problem = s.cat.Error(a.Language, err)
		d.Before, d.Bad, d.After = cutAtTerm(d.Query, ve)
	case err != nil:
		return err
	default:
		d.Tickets = res.Tickets
		d.Version = pageVersion(res)
		d.State = "/queue/state?" + r.URL.RawQuery
		if res.Next != "" {
			d.Next = pageURL(v, res.Next)
		}
		if v.Get("after") != "" {
			d.First = pageURL(v, "")
		}
	}
	if st := s.counts.get(r.Context(), s.svc, s.log); st != nil {
		d.Counted, d.Overdue = true, st.Overdue
		for _, status := range tickets.Statuses {
			if n := st.TicketsByStatus[status]; n > 0 {
				d.Counts = append(d.Counts, statusCount{Status: status, N: n})
			}
		}
	}
	s.render(w, r, http.StatusOK, "queue", &Page{Title: s.cat.Text(a.Language, "web.queue.title"), Nav: "queue", Data: d})
	return nil
}

// queueState answers the queue page's script: {"version": "…"}, which
// changes when the page's tickets do.
func (s *Server) queueState(w http.ResponseWriter, r *http.Request, a *Agent) error {
	res, err := s.search(r.Context(), a, r.URL.Query())
	version := ""
	if err == nil {
		version = pageVersion(res)
	} else if !tickets.IsValidation(err) {
		return err
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	return json.NewEncoder(w).Encode(map[string]string{"version": version})
}

// search runs the page's query: q with the chosen sort unless q has one.
func (s *Server) search(ctx context.Context, a *Agent, v url.Values) (*tickets.SearchResult, error) {
	q := v.Get("q")
	if srt := v.Get("sort"); srt != "" && !hasSort(q) {
		if _, ok := sortKeys()[srt]; !ok {
			return nil, tickets.Invalidf("sort", "%q is not an order of the queue", srt)
		}
		q = strings.TrimSpace(q + " sort:" + srt)
	}
	limit := 0
	if l := v.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n <= 0 || n > tickets.MaxPageSize {
			return nil, tickets.Invalidf("limit", "%q is not a page size (1 to %d)", l, tickets.MaxPageSize)
		}
		limit = n
	}
	return s.svc.Records.Search(ctx, q, a.Name, limit, v.Get("after"))
}

func hasSort(q string) bool {
	for _, f := range strings.Fields(q) {
		if strings.HasPrefix(strings.TrimPrefix(f, "-"), tickets.FieldSort+":") {
			return true
		}
	}
	return false
}

// pageURL is the queue's address with another cursor (none: the first page).
func pageURL(v url.Values, after string) string {
	next := url.Values{}
	for _, k := range []string{"q", "sort", "limit"} {
		if x := v.Get(k); x != "" {
			next.Set(k, x)
		}
	}
	if after != "" {
		next.Set("after", after)
	}
	return "/?" + next.Encode()
}

// pageVersion sums up what a page shows of its tickets.
func pageVersion(res *tickets.SearchResult) string {
	h := sha256.New()
	for _, t := range res.Tickets {
		fmt.Fprintf(h, "%s %d %s %q %q|", t.Ref, t.UpdatedAt.UnixNano(), t.Status, t.Assignee, t.Flags)
	}
	fmt.Fprintf(h, "next %s", res.Next)
	return hex.EncodeToString(h.Sum(nil)[:12])
}

// cutAtTerm cuts a query around the term an error names (its Term and Pos
// params, or the position and term its words give), for the page to mark;
// all of it is in before when the error names none.
func cutAtTerm(q string, ve *tickets.ValidationError) (before, bad, after string) {
	term, _ := ve.Params["Term"].(string)
	if term == "" {
		term, _ = ve.Params["Raw"].(string)
	}
	pos := -1
	switch p := ve.Params["Pos"].(type) {
	case int:
		pos = p
	case int64:
		pos = int(p)
	}
	if term == "" {
		return q, "", ""
	}
	for _, at := range []int{pos, pos - 1} {
		if at >= 0 && at+len(term) <= len(q) && q[at:at+len(term)] == term {
			return q[:at], term, q[at+len(term):]
		}
	}
	if i := strings.Index(q, term); i >= 0 {
		return q[:i], term, q[i+len(term):]
	}
	return q, "", ""
}

// statsCache keeps the desk's counts for the queue for a while: counting a
// large store takes longer than a page may. A stale value is shown while
// one request counts again in the background; before the first count
// ends, pages wait for it (serve starts it when the console starts: warm).
type statsCache struct {
	mu       sync.Mutex
	stats    *tickets.Stats
	at       time.Time
	counting bool
	done     chan struct{} // closed when the count under way ends
	ttl      time.Duration
	clock    tickets.Clock // the server's: tests move it
}

type warner interface {
	Warn(string, ...any)
}

func (c *statsCache) get(ctx context.Context, svc *tickets.Service, log warner) *tickets.Stats {
	c.mu.Lock()
	stats, fresh := c.stats, c.clock.Now().Sub(c.at) < c.ttl
	switch {
	case fresh || c.counting && stats != nil:
		c.mu.Unlock()
		return stats
	case c.counting:
		// The first count is under way (warm, or another page's): wait
		// for it rather than count twice or show no counts.
		done := c.done
		c.mu.Unlock()
		select {
		case <-done:
		case <-ctx.Done():
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		return c.stats
	}
	c.counting, c.done = true, make(chan struct{})
	c.mu.Unlock()
	if stats == nil {
		return c.count(ctx, svc, log)
	}
	go c.count(context.WithoutCancel(ctx), svc, log)
	return stats
}

// warm starts the first count in the background, unless one was made or
// is under way.
func (c *statsCache) warm(ctx context.Context, svc *tickets.Service, log warner) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.counting || c.stats != nil {
		return
	}
	c.counting, c.done = true, make(chan struct{})
	go c.count(ctx, svc, log)
}

// count counts and keeps the counts; with an error, the ones kept before.
func (c *statsCache) count(ctx context.Context, svc *tickets.Service, log warner) *tickets.Stats {
	st, err := svc.Records.Stats(ctx)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.counting = false
	close(c.done)
	if err != nil {
		log.Warn("web: count the tickets", "error", err)
		return c.stats
	}
	c.stats, c.at = st, c.clock.Now()
	return st
}
