package tickets

import "encoding/json"

// The JSON of a ticket carries each amount twice: the integer of minor units
// it always had (refund_amount, approved_amount), and beside it the same
// amount in major units as every screen writes it and as it is typed back
// (refund, approved: "146.70", "150000").

// MarshalJSON adds refund, the refund in major units.
func (e Eligibility) MarshalJSON() ([]byte, error) {
	type plain Eligibility
	return json.Marshal(struct {
		plain
		Refund string `json:"refund"`
	}{plain(e), FormatAmount(e.RefundAmount, e.Currency)})
}

// approvedText is the approved amount in major units, "" when none.
func (t *Ticket) approvedText() string {
	if t.ApprovedAmount == nil {
		return ""
	}
	return FormatAmount(*t.ApprovedAmount, t.Eligibility.Currency)
}

// MarshalJSON adds approved, the approved amount in major units.
func (t Ticket) MarshalJSON() ([]byte, error) {
	type plain Ticket
	return json.Marshal(struct {
		plain
		Approved string `json:"approved,omitempty"`
	}{plain(t), t.approvedText()})
}

// MarshalJSON writes the ticket's fields (as Ticket does) and the story's.
func (d TicketDetail) MarshalJSON() ([]byte, error) {
	type plain TicketDetail
	return json.Marshal(struct {
		plain
		// A field of this name hides the MarshalJSON the embedded Ticket
		// would lend plain, which would write the ticket alone; without it
		// the ticket's fields are written inline, as before.
		MarshalJSON struct{} `json:"-"`
		Approved    string   `json:"approved,omitempty"`
	}{plain: plain(d), Approved: d.Ticket.approvedText()})
}
