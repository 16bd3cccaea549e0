package tickets

// reopenVerdict computes a reopened ticket's verdict again, on the records
// as they are now: a decided ticket's verdict is not computed again when an
// import corrects its record, so the one it was decided on may be out of
// date. The audit trail shows the verdict before and after, changed or
// not, just before the reopen itself. It approves nothing by itself: the
// agent reopened the ticket to decide again.
func (c *core) reopenVerdict(tx Tx, t *Ticket, actor string) error {
	before := t.Eligibility
	if err := c.evaluate(tx, t, actor, CauseReopening, false); err != nil {
		return err
	}
	el := t.Eligibility
	if before.Verdict != el.Verdict || before.RefundAmount != el.RefundAmount {
		return nil // evaluate wrote "verdict old → new"
	}
	return tx.AddAudit(t.ID, AuditEntry{At: c.clock.Now(), Actor: actor, Action: "evaluated", Code: AuditVerdictUnchanged,
		Params: verdictAudit(AuditVerdictUnchanged, "", el, CauseReopening)})
}
