package api_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"refunddesk/internal/storetest"
	"refunddesk/tickets"
)

// approve's amount is typed as every screen shows it: in the order's
// currency, with its decimals, as a string or a JSON number alike.
func TestAPIApproveAmountInMajorUnits(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newFixture(t, dialect)
		usd := strings.Join(tickets.PromotionColumns, ",") + "\n" +
			"7301000000000000033,@citra,7300000000000000003,views,14670,USD,card,2026-11-01T09:00:00Z,2026-11-01T10:00:00Z,2026-11-08T10:00:00Z,,completed,10000,5000,14670,false,0\n"
		if _, err := f.svc.Records.ImportPromotions(context.Background(), strings.NewReader(usd), tickets.ImportOptions{File: "usd.csv"}); err != nil {
			t.Fatal(err)
		}
		dollars := f.submit("7301000000000000033", "@citra")
		rupiah := f.submit("7301000000000000011", "@ayu_shop")
		path := func(ref string) string { return "/api/tickets/" + ref + "/approve" }

		f.wantError(http.StatusBadRequest, "POST", path(dollars), ayuToken, `{"amount":"12.505"}`,
			`"12.505" has 3 decimals: USD amounts have at most 2 decimals, after a point, and no thousands separators`, "amount")
		f.wantError(http.StatusBadRequest, "POST", path(dollars), ayuToken, `{"amount":"1,000"}`, "is not an amount: USD amounts", "amount")
		// A JSON number is in major units too, read from its text: the
		// currency's rule, not a float's rounding.
		f.wantError(http.StatusBadRequest, "POST", path(dollars), ayuToken, `{"amount":12.505}`,
			`"12.505" has 3 decimals: USD amounts have at most 2 decimals`, "amount")
		f.wantError(http.StatusBadRequest, "POST", path(dollars), ayuToken, `{"amount":146.71}`, "USD 146.71 is more than what is left of order", "amount")
		f.wantError(http.StatusBadRequest, "POST", path(dollars), ayuToken, `{"amount":1.2e2}`, "is not an amount: USD amounts", "amount")
		f.wantError(http.StatusBadRequest, "POST", path(dollars), ayuToken, `{"amount":-5}`, "is negative", "amount")
		f.wantError(http.StatusBadRequest, "POST", path(dollars), ayuToken, `{"amount":true}`, "is not an amount", "amount")
		f.wantError(http.StatusBadRequest, "POST", path(rupiah), ayuToken, `{"amount":40000.5}`, "IDR amounts are whole numbers", "amount")
		f.wantError(http.StatusBadRequest, "POST", path(dollars), ayuToken, `{"amount":"146.71"}`, "USD 146.71 is more than what is left of order", "amount")
		f.wantError(http.StatusBadRequest, "POST", path(rupiah), ayuToken, `{"amount":"40.000"}`, "IDR amounts are whole numbers", "amount")
		var d tickets.TicketDetail
		f.want(http.StatusOK, "GET", "/api/tickets/"+dollars, ayuToken, "", &d)
		if d.Status == tickets.StatusApproved || len(d.Outbox) != 1 {
			t.Fatalf("a refused approval changed the ticket: %s, %d messages", d.Status, len(d.Outbox))
		}

		var tk tickets.Ticket
		// 146, 146.7, 146.70 and "146.70" are all dollars, read exactly.
		for i, c := range []struct {
			body string
			want int64
		}{{`{"amount":146}`, 14600}, {`{"amount":146.7}`, 14670}, {`{"amount":146.70}`, 14670}, {`{"amount":"146.70"}`, 14670}, {`{"amount":0.29}`, 29}} {
			order := fmt.Sprintf("73010000000000001%02d", i)
			row := fmt.Sprintf("%s,@dewi%d,73000000000000001%02d,views,14670,USD,card,2026-11-01T09:00:00Z,2026-11-01T10:00:00Z,2026-11-08T10:00:00Z,,completed,10000,5000,14670,false,0\n", order, i, i)
			if _, err := f.svc.Records.ImportPromotions(context.Background(), strings.NewReader(strings.Join(tickets.PromotionColumns, ",")+"\n"+row),
				tickets.ImportOptions{File: fmt.Sprintf("usd%d.csv", i)}); err != nil {
				t.Fatal(err)
			}
			ref := f.submit(order, fmt.Sprintf("@dewi%d", i))
			f.want(http.StatusOK, "POST", path(ref), ayuToken, c.body, &tk)
			if tk.ApprovedAmount == nil || *tk.ApprovedAmount != c.want {
				t.Fatalf("approve %s: %v, want %d cents", c.body, tk.ApprovedAmount, c.want)
			}
		}
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
