package tickets_test

import (
	"testing"

	"refunddesk/tickets"
)

// auditText is an audit entry in English, as the edges show it to agents
// (the domain writes codes; the catalog, words).
func auditText(t *testing.T, e tickets.AuditEntry) string {
	t.Helper()
	return words(t).Audit(e, tickets.LangEnglish)
}
