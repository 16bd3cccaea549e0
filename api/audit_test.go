package api_test

import (
	"net/http"
	"strings"
	"testing"

	"refunddesk/internal/storetest"
)

// A ticket's audit trail, as the API gives it: each entry's code and params
// with its words in English beside them (detail).
func TestAPIAuditInWords(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newFixture(t, dialect)
		ref := f.submit("7301000000000000011", "@ayu_shop")
		f.want(http.StatusOK, "POST", "/api/tickets/"+ref+"/assign", ayuToken, `{"assignee":"ayu"}`, nil)
		_, _, b := f.do("GET", "/api/tickets/"+ref, ayuToken, "")
		audit := decodeAny(t, b).(map[string]any)["audit"].([]any)
		first, last := audit[0].(map[string]any), audit[len(audit)-1].(map[string]any)
		if first["code"] != "created" || first["detail"] != "refund request by email" ||
			first["params"].(map[string]any)["kind"] != "refund" {
			t.Errorf("the first entry: %v", first)
		}
		if last["action"] != "assign" || last["code"] != "assigned" || last["detail"] != "none → ayu" {
			t.Errorf("the assignment: %v", last)
		}
		for i, e := range audit {
			if e := e.(map[string]any); e["code"] != nil && strings.TrimSpace(e["detail"].(string)) == "" {
				t.Errorf("entry %d without words: %v", i, e)
			}
		}
	})
}
