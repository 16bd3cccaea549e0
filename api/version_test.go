package api_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"refunddesk/api"
	"refunddesk/internal/storetest"
	"refunddesk/tickets"
)

// An action names the ticket's version it saw, by If-Match (the ETag of
// GET) or expected_version: on that version it goes through (the answer's
// ETag is the new one); once the ticket changed, it is refused with
// ticket.changed (412 for If-Match, 409 for the field) and nothing changes.
func TestAPIExpectedVersion(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newFixture(t, dialect)
		ref := f.submit("7301000000000000011", "@ayu_shop")
		var d tickets.TicketDetail
		h := f.want(http.StatusOK, "GET", "/api/tickets/"+ref, ayuToken, "", &d)
		seen := h.Get("ETag")
		if seen != strconv.Quote(strconv.FormatInt(d.Version, 10)) || d.Version != 1 {
			t.Fatalf("ETag %s, version %d", seen, d.Version)
		}
		// budi's note lands after ayu read the ticket.
		var tk tickets.Ticket
		h = f.want(http.StatusOK, "POST", "/api/tickets/"+ref+"/note", budiToken, `{"text":"mine","expected_version":1}`, &tk)
		if tk.Version != 2 || h.Get("ETag") != `"2"` {
			t.Fatalf("note on version 1: version %d, ETag %s", tk.Version, h.Get("ETag"))
		}
		for _, tt := range []struct {
			status        int
			ifMatch, body string
		}{
			{http.StatusPreconditionFailed, seen, `{"reason":"no"}`},
			{http.StatusConflict, "", `{"reason":"no","expected_version":1}`},
			{http.StatusPreconditionFailed, seen, `{"reason":"no","expected_version":1}`},
		} {
			code, _, body := f.doWith("POST", "/api/tickets/"+ref+"/deny", budiToken, tt.body, tt.ifMatch)
			e := f.decodeError(body)
			if code != tt.status || e.Code != "ticket.changed" || e.Params["Version"] != float64(2) || e.Params["Expected"] != float64(1) {
				t.Fatalf("deny on version 1 (If-Match %q, %s): %d %s", tt.ifMatch, tt.body, code, body)
			}
		}
		code, _, body := f.doWith("POST", "/api/tickets/"+ref+"/edit", ayuToken, `{"language":"id"}`, seen)
		if code != http.StatusPreconditionFailed || f.decodeError(body).Code != "ticket.changed" {
			t.Fatalf("edit on version 1: %d %s", code, body)
		}
		for _, tt := range []struct{ ifMatch, body, field string }{
			{"7", "", "If-Match"},                         // not quoted, as an ETag is
			{`W/"2"`, "", "If-Match"},                     // weak: not a version
			{`"0"`, "", "If-Match"},                       // versions start at 1
			{`"2"`, `{"expected_version":3}`, "If-Match"}, // two versions
			{"", `{"expected_version":-1}`, "expected_version"},
		} {
			code, _, body := f.doWith("POST", "/api/tickets/"+ref+"/claim", ayuToken, tt.body, tt.ifMatch)
			if e := f.decodeError(body); code != http.StatusBadRequest || e.Field != tt.field {
				t.Fatalf("If-Match %q, %s: %d %s", tt.ifMatch, tt.body, code, body)
			}
		}
		f.want(http.StatusOK, "GET", "/api/tickets/"+ref, ayuToken, "", &d)
		if d.Version != 2 || d.Status != tickets.StatusInReview || d.Assignee != "" || d.Language != "en" {
			t.Fatalf("refused actions changed the ticket: %+v", d.Ticket)
		}
		// On the version as it is now, If-Match goes through; * checks nothing.
		code, h, body = f.doWith("POST", "/api/tickets/"+ref+"/claim", ayuToken, "", `"2"`)
		if code != http.StatusOK || h.Get("ETag") != `"3"` {
			t.Fatalf("claim on version 2: %d %s %s", code, h.Get("ETag"), body)
		}
		if code, _, body = f.doWith("POST", "/api/tickets/"+ref+"/note", ayuToken, `{"text":"x"}`, "*"); code != http.StatusOK {
			t.Fatalf("If-Match *: %d %s", code, body)
		}
	})
}

// doWith sends a request with an If-Match header (none when empty).
func (f *fixture) doWith(method, path, token, body, ifMatch string) (int, http.Header, []byte) {
	f.t.Helper()
	req, err := http.NewRequest(method, f.srv.URL+path, strings.NewReader(body))
	if err != nil {
		f.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if ifMatch != "" {
		req.Header.Set("If-Match", ifMatch)
	}
	resp, err := f.srv.Client().Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b
}

func (f *fixture) decodeError(b []byte) api.Error {
	f.t.Helper()
	var e api.Error
	if err := json.Unmarshal(b, &e); err != nil {
		f.t.Fatalf("%v in %s", err, b)
	}
	return e
}
