package web

import (
	"bytes"
	"html/template"
	"net/http"
	"net/url"
	"time"

	"refunddesk/tickets"
	"refunddesk/web/chart"
)

// dashboardData is the dashboard page's: the period's form, the figures,
// the charts (SVG drawn here, every label escaped by web/chart) and the
// tables that give the same figures to screen readers.
type dashboardData struct {
	From, To, Zone string
	Problem        string
	CSV            string
	Stats          *tickets.PeriodStats
	Charts         []dashboardChart
	// Days are the period's days, or its weeks when it is longer than
	// dailyUpTo days (Weekly): a year's 365 rows and bars would make the
	// page heavy and the chart unreadable.
	Days        []dayRow
	Weekly      bool
	First, Last string // the period's first and last day
	Refunds     []tickets.RefundTotal
	Verdicts    []mixRow
	// Summary are the period's figures in sentences: tickets, first
	// responses, the time to a decision, reopens.
	Summary []string
}

type dashboardChart struct {
	SVG template.HTML
}

type dayRow struct {
	Date     string
	Until    string // a week's last day in the period; "" for a day
	Total    int
	Channels []int // in tickets.Channels' order
	Kinds    []int // in tickets.Kinds' order
}

type mixRow struct {
	Name string
	N    int
}

// dashboard shows the figures of a period: GET /dashboard?from=D&to=D&tz=Z,
// and the same as CSV with format=csv.
func (s *Server) dashboard(w http.ResponseWriter, r *http.Request, a *Agent) error {
	v := r.URL.Query()
	d := dashboardData{From: v.Get("from"), To: v.Get("to"), Zone: v.Get("tz")}
	title := s.cat.Text(a.Language, "dashboard.title")
	q, err := tickets.ParseStatsQuery(d.From, d.To, d.Zone)
	var st *tickets.PeriodStats
	if err == nil {
		st, err = s.svc.Records.PeriodStats(r.Context(), q)
	}
	if tickets.IsValidation(err) {
		d.Problem = s.cat.Error(a.Language, err)
		s.render(w, r, http.StatusBadRequest, "dashboard", &Page{Title: title, Nav: "dashboard", Data: d})
		return nil
	}
	if err != nil {
		return err
	}
	if v.Get("format") == "csv" {
		return writeStatsCSV(w, st)
	}
	csv := url.Values{"from": {d.From}, "to": {d.To}, "tz": {d.Zone}, "format": {"csv"}}
	d.CSV, d.Stats = "/dashboard?"+csv.Encode(), st
	if err := s.fillDashboard(&d, st, a.Language); err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "dashboard", &Page{Title: title, Nav: "dashboard", Data: d})
	return nil
}

// writeStatsCSV sends the figures as a CSV download.
func writeStatsCSV(w http.ResponseWriter, st *tickets.PeriodStats) error {
	var b bytes.Buffer
	if err := st.WriteCSV(&b); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="refunddesk-stats.csv"`)
	w.Header().Set("Cache-Control", "no-store")
	_, err := w.Write(b.Bytes())
	return err
}

// dailyUpTo is the longest period shown day by day; a longer one is shown
// week by week.
const dailyUpTo = 62

// fillDashboard lays the figures out as tables and draws the charts.
func (s *Server) fillDashboard(d *dashboardData, st *tickets.PeriodStats, lang string) error {
	t := func(id string) string { return s.cat.Text(lang, id) }
	d.Days, d.Weekly = dayRows(st.Days), len(st.Days) > dailyUpTo
	if n := len(st.Days); n > 0 {
		d.First, d.Last = st.Days[0].Date, st.Days[n-1].Date
	}
	unit := "dashboard.days."
	if d.Weekly {
		d.Days, unit = weekRows(d.Days), "dashboard.weeks."
	}
	days := chart.Stacked{ID: "chart-days", Title: t(unit + "title"), Desc: t(unit + "desc"),
		XLabel: t(unit + "x"), YLabel: t("dashboard.days.y"), Empty: t("dashboard.empty"),
		Format: func(n int64) string { return s.cat.Count(n, lang) }}
	for i, c := range tickets.Channels {
		days.Series = append(days.Series, chart.Series{Name: t("dashboard.channel." + string(c))})
		for _, row := range d.Days {
			days.Series[i].Values = append(days.Series[i].Values, int64(row.Channels[i]))
		}
	}
	for _, row := range d.Days {
		days.Labels = append(days.Labels, shortDay(row.Date))
	}
	verdicts := chart.Horizontal{ID: "chart-verdicts", Title: t("dashboard.verdicts.title"), Desc: t("dashboard.verdicts.desc"),
		Empty: t("dashboard.empty"), Format: func(n int64) string { return s.cat.Count(n, lang) }}
	for _, v := range append(append([]tickets.Verdict{}, tickets.Verdicts...), "") {
		n, ok := st.Verdicts[v]
		if !ok && v == "" {
			continue
		}
		name := t("dashboard.verdict.none")
		if v != "" {
			name = t("web.verdict." + string(v))
		}
		d.Verdicts = append(d.Verdicts, mixRow{Name: name, N: n})
		verdicts.Bars = append(verdicts.Bars, chart.Bar{Label: name, Value: int64(n)})
	}
	d.Refunds = st.Refunds
	d.Summary = s.dashboardSummary(st, lang)
	for _, c := range []interface{ SVG() ([]byte, error) }{days, verdicts} {
		svg, err := c.SVG()
		if err != nil {
			return err
		}
		d.Charts = append(d.Charts, dashboardChart{SVG: template.HTML(svg)}) // escaped by web/chart's XML encoder
	}
	return nil
}

// dayRows are the days' figures, channels and kinds in their lists' order.
func dayRows(days []tickets.DayStats) []dayRow {
	rows := make([]dayRow, 0, len(days))
	for _, day := range days {
		row := dayRow{Date: day.Date, Total: day.Total}
		for _, c := range tickets.Channels {
			row.Channels = append(row.Channels, day.ByChannel[c])
		}
		for _, k := range tickets.Kinds {
			row.Kinds = append(row.Kinds, day.ByKind[k])
		}
		rows = append(rows, row)
	}
	return rows
}

// weekRows adds the days up by week, Monday to Sunday; the period's first
// and last weeks may have fewer days. A week is its first day in the
// period, and Until its last.
func weekRows(days []dayRow) []dayRow {
	var weeks []dayRow
	for _, day := range days {
		t, err := time.Parse(time.DateOnly, day.Date)
		if n := len(weeks); n == 0 || err != nil || t.Weekday() == time.Monday {
			weeks = append(weeks, dayRow{Date: day.Date, Channels: make([]int, len(day.Channels)), Kinds: make([]int, len(day.Kinds))})
		}
		w := &weeks[len(weeks)-1]
		w.Until = day.Date
		w.Total += day.Total
		for i, n := range day.Channels {
			w.Channels[i] += n
		}
		for i, n := range day.Kinds {
			w.Kinds[i] += n
		}
	}
	return weeks
}

// shortDay is a day's label under a bar: 11-21.
func shortDay(date string) string {
	t, err := time.Parse(time.DateOnly, date)
	if err != nil {
		return date
	}
	return t.Format("01-02")
}

// dashboardSummary writes the period's figures in sentences.
func (s *Server) dashboardSummary(st *tickets.PeriodStats, lang string) []string {
	count := func(n int) string { return s.cat.Count(int64(n), lang) }
	share := func(n, of int) string {
		if of == 0 {
			return "–"
		}
		return s.cat.Percent(int64(n), int64(of), lang)
	}
	fr := st.FirstResponse
	kept, of := fr.KeptShare()
	return []string{
		s.cat.Text(lang, "dashboard.summary.tickets", "N", count(st.Tickets)),
		s.cat.Text(lang, "dashboard.summary.first_response", "Target", s.cat.Duration(fr.Target, lang), "Kept", count(kept),
			"Of", count(of), "Share", share(kept, of), "Pending", count(fr.Pending)),
		s.cat.Text(lang, "dashboard.summary.decision", "Median", s.cat.Duration(st.Decisions.Median.Round(time.Minute), lang),
			"N", count(st.Decisions.Decided)),
		s.cat.Text(lang, "dashboard.summary.reopen", "Reopened", count(st.Reopens.Reopened), "Finished", count(st.Reopens.Finished),
			"Share", share(st.Reopens.Reopened, st.Reopens.Finished)),
	}
}
