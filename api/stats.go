package api

import (
	"bytes"
	"net/http"

	"refunddesk/tickets"
)

// stats answers GET /api/stats?from=YYYY-MM-DD&to=YYYY-MM-DD&tz=ZONE with
// the dashboard's figures (`refunddesk stats --json`), or as CSV with
// format=csv: the tickets created from the first day to the last, both
// included, days counted in the zone (default: the last 30 days, UTC).
func (s *Server) stats(w http.ResponseWriter, r *http.Request, _ string) error {
	v := r.URL.Query()
	for k := range v {
		switch k {
		case "from", "to", "tz", "format":
		default:
			return tickets.Invalidf(k, "unknown parameter (from, to, tz and format are)")
		}
	}
	format := v.Get("format")
	if format != "" && format != "json" && format != "csv" {
		return tickets.Invalidf("format", "%q is not json or csv", format)
	}
	q, err := tickets.ParseStatsQuery(v.Get("from"), v.Get("to"), v.Get("tz"))
	if err != nil {
		return err
	}
	st, err := s.svc.Records.PeriodStats(r.Context(), q)
	if err != nil {
		return err
	}
	if format != "csv" {
		writeJSON(w, http.StatusOK, st)
		return nil
	}
	var b bytes.Buffer
	if err := st.WriteCSV(&b); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="refunddesk-stats.csv"`)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_, err = w.Write(b.Bytes())
	return err
}
