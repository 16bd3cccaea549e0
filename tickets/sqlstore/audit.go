package sqlstore

import (
	"encoding/json"
	"fmt"
	"time"

	"refunddesk/tickets"
)

// The audit trail, what follow-ups did and the desk's own decisions are
// stored in codes: a code column and the values it speaks of as JSON
// (tickets.AuditParams) beside it. A row from before codes has an empty
// code and its words in the old column, which is read back as it is.

type auditRow struct {
	At         time.Time `db:"at"`
	Actor      string    `db:"actor"`
	Action     string    `db:"action"`
	FromStatus string    `db:"from_status"`
	ToStatus   string    `db:"to_status"`
	Code       string    `db:"code"`
	Params     string    `db:"params"`
	Detail     string    `db:"detail"`
}

// AddAudit appends to the audit trail.
func (t *Tx) AddAudit(ticketID int64, e tickets.AuditEntry) error {
	params, err := writeParams(e.Code, e.Params)
	if err != nil {
		return fmt.Errorf("add audit entry: %w", err)
	}
	_, err = t.exec(`INSERT INTO ticket_audit (ticket_id, at, actor, action, from_status, to_status, code, params, detail)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, ticketID, e.At.UTC(), e.Actor, e.Action, string(e.FromStatus), string(e.ToStatus),
		e.Code, params, e.Detail)
	if err != nil {
		return fmt.Errorf("add audit entry: %w", err)
	}
	return t.noteFacts(ticketID, e)
}

// auditTrail loads a ticket's audit entries, oldest first.
func (t *Tx) auditTrail(ticketID int64) ([]tickets.AuditEntry, error) {
	var rows []auditRow
	if err := t.sel(&rows, `SELECT at, actor, action, from_status, to_status, code, params, detail FROM ticket_audit
		WHERE ticket_id = ? ORDER BY id`, ticketID); err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	out := make([]tickets.AuditEntry, 0, len(rows))
	for _, a := range rows {
		e := tickets.AuditEntry{At: a.At.UTC(), Actor: a.Actor, Action: a.Action, FromStatus: tickets.Status(a.FromStatus),
			ToStatus: tickets.Status(a.ToStatus), Code: a.Code, Detail: a.Detail}
		if err := readParams(a.Params, &e.Params); err != nil {
			return nil, fmt.Errorf("audit of ticket %d: %w", ticketID, err)
		}
		out = append(out, e)
	}
	return out, nil
}

// writeParams is the JSON of a code's params; "" when there is no code.
func writeParams(code string, p tickets.AuditParams) (string, error) {
	if code == "" {
		return "", nil
	}
	b, err := json.Marshal(p)
	if err != nil {
		return "", fmt.Errorf("params of %s: %w", code, err)
	}
	return string(b), nil
}

// readParams reads what writeParams wrote; "" is none.
func readParams(s string, p *tickets.AuditParams) error {
	if s == "" {
		return nil
	}
	if err := json.Unmarshal([]byte(s), p); err != nil {
		return fmt.Errorf("params: %w", err)
	}
	return nil
}
