package api_test

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"refunddesk/archive"
	"refunddesk/internal/storetest"
	"refunddesk/tickets"
)

// GET /api/requesters/export answers an agent with the person's archive
// (application/zip, named), found by address in any case; 401 without a
// token, 403 for a token whose agent is not the desk's, 400 for missing,
// doubled, unknown or bad parameters, 404 for a person of whom nothing is
// kept. The export is in the ticket's audit trail under the agent.
func TestAPIRequestersExport(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newFixture(t, dialect)
		ref := f.submit("7301000000000000011", "@ayu_shop") // rani@example.com, one PNG
		path := "/api/requesters/export?email=" + urlq("RANI@example.com")

		if code, _, body := f.do("GET", path, "", ""); code != http.StatusUnauthorized || bytes.HasPrefix(body, []byte("PK")) {
			t.Fatalf("no token: %d %q", code, body)
		}
		f.wantError(http.StatusUnauthorized, "GET", path, "wrong-token", "", "bearer token", "")
		f.want(http.StatusForbidden, "GET", path, eveToken, "", nil)
		for q, field := range map[string]string{
			"":                                  "email",
			"?email=a@example.com&discord_id=1": "discord_id",
			"?discord_id=ayu%231234":            "discord_id",
			"?discord_id=4123":                  "discord_id",
			"?email=a@example.com&email=b@example.com": "email",
			"?who=a@example.com":                       "who",
			"?email=not+an+address":                    "email",
		} {
			var e struct{ Field string }
			f.want(http.StatusBadRequest, "GET", "/api/requesters/export"+q, ayuToken, "", &e)
			if e.Field != field {
				t.Errorf("%q: field %q, want %q", q, e.Field, field)
			}
		}
		var nf struct{ Code, Error string }
		f.want(http.StatusNotFound, "GET", "/api/requesters/export?discord_id=400000000000000123", ayuToken, "", &nf)
		if nf.Code != "requester.not_found" || !strings.Contains(nf.Error, "discord:400000000000000123") {
			t.Errorf("nobody: %+v", nf)
		}

		code, h, body := f.do("GET", path, ayuToken, "")
		if code != http.StatusOK || h.Get("Content-Type") != "application/zip" ||
			h.Get("Content-Disposition") != `attachment; filename="requester-RANI@example.com.zip"` || h.Get("Cache-Control") != "no-store" {
			t.Fatalf("export: %d %v", code, h)
		}
		zr, err := zip.NewReader(bytes.NewReader(body), int64(len(body)))
		if err != nil {
			t.Fatal(err)
		}
		entries := map[string][]byte{}
		for _, zf := range zr.File {
			r, _ := zf.Open()
			entries[zf.Name], _ = io.ReadAll(r)
		}
		var doc archive.Document
		if err := json.Unmarshal(entries["data.json"], &doc); err != nil {
			t.Fatal(err)
		}
		if len(doc.Tickets) != 1 || doc.Tickets[0].Ref != ref || len(doc.Tickets[0].Evidence) != 1 {
			t.Fatalf("data.json: %s", entries["data.json"])
		}
		png := entries[doc.Tickets[0].Evidence[0].File]
		if !bytes.Equal(png, []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR7301000000000000011")) {
			t.Errorf("evidence bytes: %q", png)
		}
		var d tickets.TicketDetail
		f.want(http.StatusOK, "GET", "/api/tickets/"+ref, ayuToken, "", &d)
		last := d.Audit[len(d.Audit)-1]
		if last.Code != tickets.AuditExported || last.Actor != "ayu" {
			t.Errorf("audit: %+v", last)
		}
	})
}
