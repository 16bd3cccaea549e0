package api_test

import (
	"net/http"
	"strings"
	"testing"

	"refunddesk/internal/storetest"
	"refunddesk/tickets"
)

// GET /api/stats answers the figures of a period as JSON or CSV, behind
// the token; a bad date, zone, period or parameter is a 400 naming it.
func TestStats(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newFixture(t, dialect)
		f.submit("7301000000000000011", "@ayu_shop")
		f.submit("7301000000000000022", "@budi_store")
		var st tickets.PeriodStats
		f.want(http.StatusOK, "GET", "/api/stats?from=2026-11-15&to=2026-11-21&tz=Asia/Jakarta", ayuToken, "", &st)
		if st.Tickets != 2 || len(st.Days) != 7 || st.Days[6].Date != "2026-11-21" || st.Days[6].ByChannel[tickets.ChannelEmail] != 2 ||
			st.Zone != "Asia/Jakarta" {
			t.Errorf("figures: %d tickets, %d days, %+v, zone %s", st.Tickets, len(st.Days), st.Days[len(st.Days)-1], st.Zone)
		}
		code, h, body := f.do("GET", "/api/stats?format=csv", ayuToken, "")
		if code != http.StatusOK || !strings.HasPrefix(h.Get("Content-Type"), "text/csv") ||
			!strings.Contains(h.Get("Content-Disposition"), "attachment") ||
			!strings.Contains(string(body), "day_channel,2026-11-21,email,2,,\n") {
			t.Errorf("csv: %d %v\n%s", code, h, body)
		}
		if code, _, _ := f.do("GET", "/api/stats", "", ""); code != http.StatusUnauthorized {
			t.Errorf("without a token: %d", code)
		}
		f.wantError(http.StatusBadRequest, "GET", "/api/stats?from=yesterday", ayuToken, "", "not a date", "from")
		f.wantError(http.StatusBadRequest, "GET", "/api/stats?tz=Mars/Olympus", ayuToken, "", "not a time zone", "tz")
		f.wantError(http.StatusBadRequest, "GET", "/api/stats?from=2026-11-21&to=2026-11-01", ayuToken, "", "must end after", "period")
		f.wantError(http.StatusBadRequest, "GET", "/api/stats?from=2020-01-01&to=2026-11-01", ayuToken, "", "at most 400 days", "period")
		f.wantError(http.StatusBadRequest, "GET", "/api/stats?format=xml", ayuToken, "", "not json or csv", "format")
		f.wantError(http.StatusBadRequest, "GET", "/api/stats?q=x", ayuToken, "", "unknown parameter", "q")
	})
}
