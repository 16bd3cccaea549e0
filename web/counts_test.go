package web_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"refunddesk/internal/storetest"
	"refunddesk/templates"
	"refunddesk/tickets"
	"refunddesk/web"
)

// gatedStats is a store whose counts for the queue wait for the test.
type gatedStats struct {
	tickets.Store
	calls atomic.Int32
	gate  chan struct{}
}

func (s *gatedStats) Stats(ctx context.Context, now time.Time, firstResponse time.Duration) (*tickets.Stats, error) {
	s.calls.Add(1)
	select {
	case <-s.gate:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return s.Store.Stats(ctx, now, firstResponse)
}

// serve starts counting the desk's tickets when the console starts
// (WarmCounts): the first queue page waits for that count, if it has not
// ended yet, instead of counting again or showing no counts; later pages
// and a second WarmCounts count nothing more while the counts are fresh.
func TestWarmCountsAreTheFirstPagesCounts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newFixture(t, dialect, web.Options{})
		f.addAgent("ayu", "a long enough password", "en")
		f.submit("7301234567890000001", "Rani", "refund please")

		store := &gatedStats{Store: f.db, gate: make(chan struct{})}
		svc := tickets.NewService(store, tickets.Options{Clock: f.clock, Agents: []string{"configured"}, Directory: directory{f.db},
			Languages: templates.Languages()})
		cat, err := templates.NewCatalog(nil)
		if err != nil {
			t.Fatal(err)
		}
		srv, err := web.New(web.Options{Service: svc, Store: f.db, Catalog: cat, Clock: f.clock, HashParams: cheap})
		if err != nil {
			t.Fatal(err)
		}
		ts := httptest.NewServer(srv)
		t.Cleanup(ts.Close)
		warm := *f
		warm.srv, warm.ts, warm.svc = srv, ts, svc

		srv.WarmCounts(context.Background())
		b := warm.browser()
		b.mustSignIn("ayu", "a long enough password")
		go func() {
			time.Sleep(100 * time.Millisecond) // the page is waiting by then, or not yet asked: either way one count
			close(store.gate)
		}()
		b.get("/").want(t, http.StatusOK, `class="counts"`)
		b.get("/").want(t, http.StatusOK, `class="counts"`)
		srv.WarmCounts(context.Background())
		if n := store.calls.Load(); n != 1 {
			t.Fatalf("the counts were counted %d times, want once (the warm count)", n)
		}
	})
}

// The console's sweep deletes a session that expired with nobody signing
// in or out after it (serve runs it every hour).
func TestSweepDeletesExpiredSessions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newFixture(t, dialect, web.Options{SessionIdle: time.Hour})
		f.addAgent("ayu", "a long enough password", "en")
		f.browser().mustSignIn("ayu", "a long enough password")
		count := func() int {
			var n int
			if err := f.db.SQL().Get(&n, `SELECT count(*) FROM agent_sessions`); err != nil {
				t.Fatal(err)
			}
			return n
		}
		if n := count(); n != 1 {
			t.Fatalf("%d sessions after signing in", n)
		}
		f.clock.Advance(2 * time.Hour)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() {
			defer close(done)
			f.srv.Sweep(ctx, time.Hour)
		}()
		deadline := time.Now().Add(10 * time.Second)
		for count() != 0 {
			if time.Now().After(deadline) {
				t.Fatalf("the expired session is still there")
			}
			time.Sleep(10 * time.Millisecond)
		}
		cancel()
		<-done
	})
}
