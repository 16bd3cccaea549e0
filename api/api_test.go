package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"refunddesk/api"
	"refunddesk/internal/storetest"
	"refunddesk/templates"
	"refunddesk/tickets"
	"refunddesk/tickets/sqlstore"
)

const (
	ayuToken  = "ayu-token-0123456789abcdef"
	budiToken = "budi-token-0123456789abcdef"
	eveToken  = "eve-token-0123456789abcdef" // a token whose agent is not one of the desk's
)

type fixture struct {
	t   *testing.T
	srv *httptest.Server
	svc *tickets.Service
	db  *sqlstore.DB
}

// newFixture serves the API over a real store with two promotions on record.
func newFixture(t *testing.T, dialect string) *fixture {
	t.Helper()
	clock := storetest.NewClock(time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC))
	db := storetest.Open(t, dialect, clock)
	svc := tickets.NewService(db, tickets.Options{Clock: clock, Agents: []string{"ayu", "budi"}})
	csv := strings.Join(tickets.PromotionColumns, ",") + "\n" +
		"7301000000000000011,@ayu_shop,7300000000000000001,views,100000,IDR,wallet,2026-11-01T09:00:00Z,2026-11-01T10:00:00Z,2026-11-08T10:00:00Z,,completed,10000,5000,100000,false,0\n" +
		"7301000000000000022,@budi_store,7300000000000000002,views,100000,IDR,wallet,2026-11-01T09:00:00Z,2026-11-01T10:00:00Z,2026-11-08T10:00:00Z,,completed,10000,5000,100000,false,0\n"
	if _, err := svc.Records.ImportPromotions(context.Background(), strings.NewReader(csv), tickets.ImportOptions{File: "p.csv"}); err != nil {
		t.Fatal(err)
	}
	cat, err := templates.NewCatalog(nil)
	if err != nil {
		t.Fatal(err)
	}
	a, err := api.New(svc, map[string]string{ayuToken: "ayu", budiToken: "budi", eveToken: "eve"}, nil, cat, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a)
	t.Cleanup(srv.Close)
	return &fixture{t: t, srv: srv, svc: svc, db: db}
}

func (f *fixture) submit(order, account string) string {
	f.t.Helper()
	res, err := f.svc.Intake.Submit(context.Background(), tickets.SubmitRequest{Kind: tickets.KindRefund, Channel: tickets.ChannelEmail,
		Requester: tickets.Requester{Email: "rani@example.com"}, Account: account, Order: order, Reason: tickets.ReasonUnderDelivery,
		Details: "only half the views", Evidence: []tickets.File{{Name: "a.png", Data: []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + order)}}})
	if err != nil {
		f.t.Fatal(err)
	}
	return res.Ticket.Ref
}

// do sends a request and returns the status, the headers and the body.
func (f *fixture) do(method, path, token, body string) (int, http.Header, []byte) {
	f.t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, f.srv.URL+path, r)
	if err != nil {
		f.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := f.srv.Client().Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b
}

// want sends a request that must answer code, and decodes the body into v.
func (f *fixture) want(code int, method, path, token, body string, v any) http.Header {
	f.t.Helper()
	got, h, b := f.do(method, path, token, body)
	if got != code {
		f.t.Fatalf("%s %s: %d, want %d: %s", method, path, got, code, b)
	}
	if ct := h.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		f.t.Fatalf("%s %s: content type %q", method, path, ct)
	}
	if v != nil {
		if err := json.Unmarshal(b, v); err != nil {
			f.t.Fatalf("%s %s: %v in %s", method, path, err, b)
		}
	}
	return h
}

func (f *fixture) wantError(code int, method, path, token, body, contains, field string) {
	f.t.Helper()
	var e api.Error
	f.want(code, method, path, token, body, &e)
	if !strings.Contains(e.Error, contains) || e.Field != field {
		f.t.Fatalf("%s %s: error %+v, want it to say %q (field %q)", method, path, e, contains, field)
	}
}

// Without a valid token nothing is answered but 401, whatever the path.
func TestAPIAuth(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newFixture(t, dialect)
		ref := f.submit("7301000000000000011", "@ayu_shop")
		for _, tc := range []struct{ method, path, token string }{
			{"GET", "/api/tickets", ""},
			{"GET", "/api/tickets/" + ref, ""},
			{"GET", "/api/tickets/" + ref, "wrong-token-0123456789"},
			{"GET", "/api/tickets/" + ref, ayuToken + "x"},
			{"POST", "/api/tickets/" + ref + "/claim", ""},
			{"GET", "/api/promotions/7301000000000000011", "Basic " + ayuToken},
			{"GET", "/api/nothing-here", ""},
		} {
			code, h, b := f.do(tc.method, tc.path, tc.token, "")
			if code != http.StatusUnauthorized || !strings.HasPrefix(h.Get("WWW-Authenticate"), "Bearer") ||
				strings.Contains(string(b), ref) || strings.Contains(string(b), "ayu") {
				t.Fatalf("%s %s with %q: %d %s", tc.method, tc.path, tc.token, code, b)
			}
		}
		// A token whose agent is not one of the desk's does nothing, not even read.
		f.wantError(http.StatusForbidden, "POST", "/api/tickets/"+ref+"/claim", eveToken, "", "not one of the desk's agents", "")
		f.wantError(http.StatusForbidden, "GET", "/api/tickets/"+ref, eveToken, "", "not one of the desk's agents", "")
		f.wantError(http.StatusForbidden, "GET", "/api/tickets", eveToken, "", "not one of the desk's agents", "")
		var d tickets.TicketDetail
		f.want(http.StatusOK, "GET", "/api/tickets/"+ref, ayuToken, "", &d)
		if d.Assignee != "" || len(d.Audit) != 3 {
			t.Fatalf("the refused claim changed the ticket: %+v", d.Audit)
		}
		f.wantError(http.StatusNotFound, "GET", "/api/nothing-here", ayuToken, "", "no endpoint GET /api/nothing-here", "")
	})
}

// Every action the CLI has, through the API, with the answers' statuses.
func TestAPIActions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newFixture(t, dialect)
		ref := f.submit("7301000000000000011", "@ayu_shop")
		path := func(a string) string { return "/api/tickets/" + ref + "/" + a }
		var tk tickets.Ticket
		f.want(http.StatusOK, "POST", path("claim"), ayuToken, "", &tk)
		if tk.Assignee != "ayu" || tk.Status != tickets.StatusInReview {
			t.Fatalf("claim: %+v", tk)
		}
		f.want(http.StatusOK, "POST", path("assign"), ayuToken, `{"assignee":"budi"}`, &tk)
		if tk.Assignee != "budi" {
			t.Fatalf("assign: %s", tk.Assignee)
		}
		f.want(http.StatusOK, "POST", path("note"), budiToken, `{"text":"checked the numbers"}`, &tk)
		f.want(http.StatusOK, "POST", path("reply"), budiToken, `{"text":"We are on it."}`, &tk)
		f.want(http.StatusOK, "POST", path("ask"), budiToken, `{"text":"Which payment method?"}`, &tk)
		if tk.Status != tickets.StatusNeedsInfo {
			t.Fatalf("ask: %s", tk.Status)
		}
		f.want(http.StatusOK, "POST", path("edit"), budiToken, `{"language":"id"}`, &tk)
		if tk.Language != "id" {
			t.Fatalf("edit: %s", tk.Language)
		}
		f.wantError(http.StatusConflict, "POST", path("resolve"), budiToken, "", "cannot resolve a ticket that is needs_info", "")
		f.wantError(http.StatusBadRequest, "POST", path("approve"), budiToken, `{"amount":-5}`, "amount", "amount")
		f.want(http.StatusOK, "POST", path("approve"), budiToken, `{"amount":40000,"text":"half"}`, &tk)
		if tk.Status != tickets.StatusApproved || tk.ApprovedAmount == nil || *tk.ApprovedAmount != 40000 {
			t.Fatalf("approve: %+v", tk)
		}
		f.want(http.StatusOK, "POST", path("resolve"), budiToken, "", &tk)
		f.want(http.StatusOK, "POST", path("reopen"), budiToken, `{"text":"paid to the wrong wallet"}`, &tk)
		f.wantError(http.StatusBadRequest, "POST", path("deny"), budiToken, "", "deny needs a reason", "reason")
		f.want(http.StatusOK, "POST", path("deny"), budiToken, `{"reason":"paid already"}`, &tk)
		f.want(http.StatusOK, "POST", path("close"), budiToken, "", &tk)
		if tk.Status != tickets.StatusClosed {
			t.Fatalf("close: %s", tk.Status)
		}
		other := f.submit("7301000000000000022", "@budi_store")
		f.want(http.StatusOK, "POST", "/api/tickets/"+other+"/forward", ayuToken, "", &tk)
		if tk.Status != tickets.StatusWaitingPlatform {
			t.Fatalf("forward: %s", tk.Status)
		}

		var d tickets.TicketDetail
		f.want(http.StatusOK, "GET", "/api/tickets/"+ref, ayuToken, "", &d)
		var actors []string
		for _, a := range d.Audit {
			actors = append(actors, a.Actor+":"+a.Action)
		}
		want := "ayu:claim ayu:assign budi:note budi:reply budi:ask budi:edit budi:approve budi:resolve budi:evaluated budi:reopen budi:deny budi:close"
		if got := strings.Join(actors[3:], " "); got != want {
			t.Fatalf("audit trail:\n got %s\nwant %s", got, want)
		}

		// Bad input: said clearly, and nothing changes.
		before := len(d.Audit)
		f.wantError(http.StatusBadRequest, "POST", path("dance"), ayuToken, "", `"dance" is not an action`, "action")
		f.wantError(http.StatusBadRequest, "POST", path("note"), ayuToken, `{"txt":"typo"}`, `unknown field "txt"`, "body")
		f.wantError(http.StatusBadRequest, "POST", path("note"), ayuToken, `{"text":`, "not the JSON", "body")
		f.wantError(http.StatusBadRequest, "POST", path("note"), ayuToken, `{"text":"a","amount":5}`, "only approve takes an amount", "amount")
		f.wantError(http.StatusRequestEntityTooLarge, "POST", path("note"), ayuToken, `{"text":"`+strings.Repeat("x", api.MaxBody)+`"}`, "larger than", "")
		f.wantError(http.StatusNotFound, "POST", "/api/tickets/RD-999/claim", ayuToken, "", "RD-999", "")
		f.wantError(http.StatusBadRequest, "POST", "/api/tickets/RD-x/claim", ayuToken, "", "", "ref")
		f.want(http.StatusOK, "GET", "/api/tickets/"+ref, ayuToken, "", &d)
		if len(d.Audit) != before {
			t.Fatalf("refused requests changed the ticket: %d audit entries, was %d", len(d.Audit), before)
		}
	})
}

// The queue: the query language, paging by Link header, bad queries as 400.
func TestAPIQueueAndPromotions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newFixture(t, dialect)
		a := f.submit("7301000000000000011", "@ayu_shop")
		b := f.submit("7301000000000000022", "@budi_store")
		var list []tickets.Ticket
		h := f.want(http.StatusOK, "GET", "/api/tickets?q=kind:refund&limit=1", ayuToken, "", &list)
		if len(list) != 1 || list[0].Ref != b || !strings.Contains(h.Get("Link"), `rel="next"`) || h.Get("X-Next-Cursor") == "" {
			t.Fatalf("first page: %v, Link %q", list, h.Get("Link"))
		}
		next := strings.TrimSuffix(strings.TrimPrefix(strings.Split(h.Get("Link"), ";")[0], "<"), ">")
		h = f.want(http.StatusOK, "GET", next, ayuToken, "", &list)
		if len(list) != 1 || list[0].Ref != a || h.Get("Link") != "" {
			t.Fatalf("second page: %v, Link %q", list, h.Get("Link"))
		}
		f.want(http.StatusOK, "POST", "/api/tickets/"+a+"/claim", ayuToken, "", nil)
		f.want(http.StatusOK, "GET", "/api/tickets?q="+urlq("assignee:me"), ayuToken, "", &list)
		if len(list) != 1 || list[0].Ref != a {
			t.Fatalf("assignee:me for ayu: %v", list)
		}
		f.want(http.StatusOK, "GET", "/api/tickets?q="+urlq("assignee:me"), budiToken, "", &list)
		if len(list) != 0 {
			t.Fatalf("assignee:me for budi: %v", list)
		}
		f.wantError(http.StatusBadRequest, "GET", "/api/tickets?q="+urlq("colour:red"), ayuToken, "", "colour", "query")
		f.wantError(http.StatusBadRequest, "GET", "/api/tickets?query=x", ayuToken, "", "unknown parameter", "query")
		f.wantError(http.StatusBadRequest, "GET", "/api/tickets?limit=0", ayuToken, "", "page size", "limit")
		f.want(http.StatusOK, "GET", "/api/tickets?q="+urlq(`"'; DROP TABLE tickets; --"`), ayuToken, "", &list)
		f.want(http.StatusOK, "GET", "/api/tickets", ayuToken, "", &list)
		if len(list) != 2 {
			t.Fatalf("after an injection attempt: %d tickets", len(list))
		}

		var p tickets.PromotionDetail
		f.want(http.StatusOK, "GET", "/api/promotions/7301000000000000011", ayuToken, "", &p)
		if p.OrderNumber != "7301000000000000011" || len(p.Tickets) != 1 || p.Tickets[0].Ref != a {
			t.Fatalf("promotion: %+v", p)
		}
		f.wantError(http.StatusNotFound, "GET", "/api/promotions/7301000000000000099", ayuToken, "", "not found", "")
		f.wantError(http.StatusBadRequest, "GET", "/api/promotions/abc", ayuToken, "", "", "order")
	})
}

func urlq(s string) string {
	var b bytes.Buffer
	for _, c := range []byte(s) {
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}

// An error the domain names has its code beside its English words; the
// API's own checks of a request have words only.
func TestAPIErrorCodes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newFixture(t, dialect)
		ref := f.submit("7301000000000000012", "@ayu_shop")
		cases := []struct {
			status             int
			path, body         string
			code, words, field string
		}{
			{http.StatusBadRequest, "/api/tickets/" + ref + "/dance", "", "action.unknown", `"dance" is not an action (one of `, "action"},
			{http.StatusBadRequest, "/api/tickets/RD-x/claim", "", "ref.invalid", `"RD-x" is not a ticket reference (expected RD-<number>)`, "ref"},
			{http.StatusConflict, "/api/tickets/" + ref + "/resolve", "", "action.not_allowed", "cannot resolve a ticket that is needs_info (resolve is allowed from: approved, waiting_platform)", ""},
			{http.StatusBadRequest, "/api/tickets/" + ref + "/note", `{"text":`, "", "not the JSON", "body"},
		}
		for _, c := range cases {
			var e api.Error
			f.want(c.status, "POST", c.path, ayuToken, c.body, &e)
			if e.Code != c.code || !strings.Contains(e.Error, c.words) || e.Field != c.field {
				t.Errorf("POST %s: %+v, want code %q, words %q, field %q", c.path, e, c.code, c.words, c.field)
			}
		}
	})
}
