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
