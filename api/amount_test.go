package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"refunddesk/tickets"
	"refunddesk/tickets/sqlstore/storetest"
)

// approve's amount is typed as every screen shows it: in the order's
// currency, with its decimals; a number of minor units is still taken.
func TestAPIApproveAmountInMajorUnits(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newFixture(t, dialect)
		usd := strings.Join(tickets.PromotionColumns, ",") + "\n" +
			"7301000000000000033,@citra,7300000000000000003,views,14670,USD,card,2026-11-01T09:00:00Z,2026-11-01T10:00:00Z,2026-11-08T10:00:00Z,,completed,10000,5000,14670,false,0\n"
		if _, err := f.svc.ImportPromotions(context.Background(), strings.NewReader(usd), tickets.ImportOptions{File: "usd.csv"}); err != nil {
			t.Fatal(err)
		}
		dollars := f.submit("7301000000000000033", "@citra")
		rupiah := f.submit("7301000000000000011", "@ayu_shop")
		path := func(ref string) string { return "/api/tickets/" + ref + "/approve" }

		f.wantError(http.StatusBadRequest, "POST", path(dollars), ayuToken, `{"amount":"12.505"}`,
			`"12.505" has 3 decimals: USD amounts have at most 2 decimals, after a point, and no thousands separators`, "amount")
		f.wantError(http.StatusBadRequest, "POST", path(dollars), ayuToken, `{"amount":"1,000"}`, "is not an amount: USD amounts", "amount")
		f.wantError(http.StatusBadRequest, "POST", path(dollars), ayuToken, `{"amount":12.5}`, "give it as a string in the order's currency", "amount")
		f.wantError(http.StatusBadRequest, "POST", path(dollars), ayuToken, `{"amount":"146.71"}`, "USD 146.71 is more than what is left of order", "amount")
		f.wantError(http.StatusBadRequest, "POST", path(rupiah), ayuToken, `{"amount":"40.000"}`, "IDR amounts are whole numbers", "amount")
		var d tickets.TicketDetail
		f.want(http.StatusOK, "GET", "/api/tickets/"+dollars, ayuToken, "", &d)
		if d.Status == tickets.StatusApproved || len(d.Outbox) != 1 {
			t.Fatalf("a refused approval changed the ticket: %s, %d messages", d.Status, len(d.Outbox))
		}

		var tk tickets.Ticket
		f.want(http.StatusOK, "POST", path(dollars), ayuToken, `{"amount":"100","text":"agreed"}`, &tk)
		if tk.ApprovedAmount == nil || *tk.ApprovedAmount != 10000 {
			t.Fatalf("approve USD 100: %v", tk.ApprovedAmount)
		}
		f.want(http.StatusOK, "POST", path(rupiah), ayuToken, `{"amount":" 40000 "}`, &tk)
		if tk.ApprovedAmount == nil || *tk.ApprovedAmount != 40000 {
			t.Fatalf("approve IDR 40000: %v", tk.ApprovedAmount)
		}
	})
}
