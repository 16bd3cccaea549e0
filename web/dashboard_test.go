package web_test

import (
	"net/http"
	"strings"
	"testing"

	"refunddesk/internal/storetest"
	"refunddesk/web"
)

// The dashboard shows a period's figures to a signed-in agent, in the
// agent's language: the period's form, charts drawn as SVG with their
// figures in tables, the summary, a CSV download of the same; a bad date is
// said on the page and nothing else changes; without a session, the
// sign-in page.
func TestDashboard(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newFixture(t, dialect, web.Options{})
		f.addAgent("ayu", "correct horse battery", "en")
		f.addAgent("budi", "correct horse battery", "id")
		f.submit("7301000000000000011", "Rani", "only half the views")
		f.submit("7301000000000000022", `<script>alert(1)</script>`, "views")
		if p := f.browser().get("/dashboard"); p.StatusCode != http.StatusSeeOther || !strings.HasPrefix(p.Header.Get("Location"), "/sign-in") {
			t.Fatalf("without a session: %d %s", p.StatusCode, p.Header.Get("Location"))
		}
		b := f.browser()
		b.mustSignIn("ayu", "correct horse battery")
		p := b.get("/dashboard?from=2026-11-15&to=2026-11-21&tz=Asia/Jakarta")
		p.want(t, http.StatusOK, "<h1>Dashboard</h1>", `value="2026-11-15"`, `<svg xmlns="http://www.w3.org/2000/svg"`,
			`role="img"`, "New tickets per day", "<caption>Verdicts</caption>", "2 tickets created",
			"Tickets created from 2026-11-15 to 2026-11-21 (Asia/Jakarta)", `<th scope="row">2026-11-21</th><td>2</td>`,
			`href="/dashboard?format=csv&amp;from=2026-11-15&amp;to=2026-11-21&amp;tz=Asia%2FJakarta"`, `aria-current="page">Dashboard</a>`)
		if strings.Contains(p.body, "<script>alert") {
			t.Fatal("a requester's words unescaped")
		}
		csv := b.get("/dashboard?format=csv&from=2026-11-15&to=2026-11-21")
		if csv.StatusCode != http.StatusOK || !strings.HasPrefix(csv.Header.Get("Content-Type"), "text/csv") ||
			!strings.Contains(csv.Header.Get("Content-Disposition"), "attachment") || !strings.Contains(csv.body, "day_channel,2026-11-21,email,2,,\n") {
			t.Fatalf("csv: %d %v\n%s", csv.StatusCode, csv.Header, csv.body)
		}
		b.get("/dashboard?from=yesterday").want(t, http.StatusBadRequest, "is not a date like 2026-11-21", `value="yesterday"`)
		id := f.browser()
		id.mustSignIn("budi", "correct horse battery")
		id.get("/dashboard").want(t, http.StatusOK, "<h1>Dasbor</h1>", "Tiket baru per hari", "Unduh sebagai CSV")
	})
}

// A period longer than two months is shown week by week (Monday to
// Sunday, the first and last weeks cut by the period), so that a year's
// page stays light: under 100 KB, about 53 rows and bars instead of 365.
// A month is still shown day by day.
func TestDashboardLongPeriodByWeek(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newFixture(t, dialect, web.Options{})
		f.addAgent("ayu", "correct horse battery", "en")
		f.addAgent("budi", "correct horse battery", "id")
		f.submit("7301000000000000011", "Rani", "only half the views")
		b := f.browser()
		b.mustSignIn("ayu", "correct horse battery")
		p := b.get("/dashboard?from=2025-11-22&to=2026-11-21")
		p.want(t, http.StatusOK, "New tickets per week", "<caption>New tickets per week</caption>", `<th scope="col">Week</th>`,
			"Tickets created from 2025-11-22 to 2026-11-21 (UTC)", `<th scope="row">2025-11-22 – 2025-11-23</th>`,
			`<th scope="row">2026-11-16 – 2026-11-21</th><td>1</td>`)
		if rows := strings.Count(p.body, `<th scope="row">20`); rows != 53 {
			t.Errorf("%d rows of weeks, want 53", rows)
		}
		if len(p.body) >= 100_000 {
			t.Errorf("a year's page is %d bytes", len(p.body))
		}
		b.get("/dashboard?from=2026-10-23&to=2026-11-21").want(t, http.StatusOK, "New tickets per day",
			`<th scope="row">2026-11-21</th>`)
		id := f.browser()
		id.mustSignIn("budi", "correct horse battery")
		id.get("/dashboard?from=2025-11-22&to=2026-11-21").want(t, http.StatusOK, "Tiket baru per minggu")
	})
}
