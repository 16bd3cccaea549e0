-- The audit trail in codes (tickets.AuditEntry.Code and Params): what
-- happened is a code and the values it speaks of are JSON, put in words by
-- the edges in any language. Rows written before keep their words in
-- detail (code ''), and are shown as they are. The same for what a
-- follow-up did or why it was cancelled (followups.result), and for the
-- decision the desk takes by itself (tickets.decision_code: an automatic
-- approval, its limit in decision_params); decision keeps an agent's words.
ALTER TABLE ticket_audit ADD COLUMN code TEXT NOT NULL DEFAULT '';
ALTER TABLE ticket_audit ADD COLUMN params TEXT NOT NULL DEFAULT '';
ALTER TABLE followups ADD COLUMN result_code TEXT NOT NULL DEFAULT '';
ALTER TABLE followups ADD COLUMN result_params TEXT NOT NULL DEFAULT '';
ALTER TABLE tickets ADD COLUMN decision_code TEXT NOT NULL DEFAULT '';
ALTER TABLE tickets ADD COLUMN decision_params TEXT NOT NULL DEFAULT '';
