package web

import (
	"errors"
	"net/http"
	"strings"

	"refunddesk/tickets"
)

// recordsData is the records page's: the order looked up, its promotion
// record and its tickets, or why there is none.
type recordsData struct {
	Order   string
	Problem string
	Detail  *tickets.PromotionDetail
}

// records looks an order up: GET /records?order=N shows its promotion
// record and its tickets (`refunddesk promotions show N`).
func (s *Server) records(w http.ResponseWriter, r *http.Request, a *Agent) error {
	d := recordsData{Order: strings.TrimSpace(r.URL.Query().Get("order"))}
	status := http.StatusOK
	if d.Order != "" {
		var err error
		d.Detail, err = s.svc.Records.PromotionDetail(r.Context(), d.Order)
		switch {
		case tickets.IsValidation(err):
			status, d.Problem = http.StatusBadRequest, s.cat.Error(a.Language, err)
		case errors.Is(err, tickets.ErrNotFound):
			status, d.Problem = http.StatusNotFound, s.cat.Text(a.Language, "console.records.none", "Order", d.Order)
		case err != nil:
			return err
		}
		s.cat.Explain(d.Detail)
	}
	title := s.cat.Text(a.Language, "console.records.title")
	s.render(w, r, status, "records", &Page{Title: title, Nav: "records", Data: d})
	return nil
}
