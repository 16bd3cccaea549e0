package api_test

import (
	"maps"
	"net/http"
	"testing"

	"refunddesk/internal/storetest"
)

// The ticket's JSON says where each field came from ("sources"): shown,
// listed, and after an agent's correction (issue 16).
func TestAPITicketSources(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newFixture(t, dialect)
		ref := f.submit("7301000000000000011", "") // no account: the record's is taken
		type ticket struct {
			Ref     string            `json:"ref"`
			Account string            `json:"account"`
			Sources map[string]string `json:"sources"`
		}
		var got ticket
		f.want(http.StatusOK, "GET", "/api/tickets/"+ref, ayuToken, "", &got)
		want := map[string]string{"kind": "text", "account": "record", "order": "text", "reason": "text"}
		if got.Account != "@ayu_shop" || !maps.Equal(got.Sources, want) {
			t.Fatalf("shown: %s, sources %v", got.Account, got.Sources)
		}
		var list []ticket
		f.want(http.StatusOK, "GET", "/api/tickets", ayuToken, "", &list)
		if len(list) != 1 || !maps.Equal(list[0].Sources, want) {
			t.Fatalf("listed: %+v", list)
		}
		f.want(http.StatusOK, "POST", "/api/tickets/"+ref+"/edit", ayuToken, `{"account":"@ayu_shop_two"}`, &got)
		want["account"] = "agent"
		if got.Account != "@ayu_shop_two" || !maps.Equal(got.Sources, want) {
			t.Fatalf("edited: %s, sources %v", got.Account, got.Sources)
		}
	})
}
