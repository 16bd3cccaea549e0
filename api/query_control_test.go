package api_test

import (
	"net/http"
	"testing"

	"refunddesk/internal/storetest"
)

// A NUL byte or another control character in a query is bad input that
// points at its term (400), on both stores — not a database error (500).
func TestAPIQueryControlCharacters(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newFixture(t, dialect)
		f.submit("7301000000000000011", "@ayu_shop")
		for _, q := range []string{"views\x00", "kind:refund \"stuck\x00\"", "assignee:ayu\x00", "-x\x07"} {
			f.wantError(http.StatusBadRequest, "GET", "/api/tickets?q="+urlq(q), ayuToken, "", "which no query can look for", "query")
		}
		f.wantError(http.StatusBadRequest, "GET", "/api/tickets?q="+urlq("kind:refund views\x00"), ayuToken, "", `at 13, "views\x00": contains a NUL byte`, "query")
	})
}
