package tickets_test

import (
	"slices"
	"testing"
	"time"

	"refunddesk/tickets"
)

// ExportView takes out of a requester's ticket what is someone else's: a
// note another person wrote and its audit entries and files, entries that
// name another contact, messages to anyone but them, the other_requester
// flag, the promotion record, the follow-ups and the rules' params. What
// is theirs or the agents' about them stays, and rec is not changed.
func TestExportView(t *testing.T) {
	at := time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)
	later := at.Add(time.Minute)
	who := tickets.Requester{Email: "sari@example.com"}
	d := tickets.TicketDetail{
		Ticket: tickets.Ticket{ID: 1, Ref: "RD-1", Requester: tickets.Requester{Email: "Sari@Example.com", Name: "Sari"},
			Flags: []string{tickets.FlagAccountMismatch, tickets.FlagOtherRequester},
			Eligibility: tickets.Eligibility{Rules: []tickets.RuleStep{{Rule: "account_matches", Outcome: "needs_review", Code: "account_mismatch",
				Params: tickets.RuleParams{OrderAccount: "@budi"}, Detail: "the order is @budi's"}}},
			Evidence: []tickets.Evidence{{Name: "mine.png", AddedAt: at}, {Name: "budi.png", AddedAt: later}, {Name: "mine.png", AddedAt: later}}},
		Promotion: &tickets.Promotion{OrderNumber: "7301", Account: "@budi"},
		Followups: []tickets.Followup{{Kind: tickets.FollowupRemind}},
		Messages: []tickets.Message{
			{ID: 1, Kind: tickets.MessageIn, Channel: tickets.ChannelEmail, Author: "Sari@Example.com", Body: "mine", CreatedAt: at},
			{ID: 2, Kind: tickets.MessageNote, Channel: tickets.ChannelEmail, Author: "budi@example.com", Body: "budi's", CreatedAt: later},
			{ID: 3, Kind: tickets.MessageNote, Channel: tickets.ChannelAgent, Author: "ayu", Body: "an agent's note", CreatedAt: later},
			{ID: 4, Kind: tickets.MessageNote, Channel: tickets.ChannelDiscord, Author: "Budi", Body: "unmatched, not an agent's", CreatedAt: later},
		},
		Audit: []tickets.AuditEntry{
			{At: at, Actor: "Sari@Example.com", Action: "created", Code: tickets.AuditCreated},
			{At: later, Actor: "budi@example.com", Action: "other_requester", Code: tickets.AuditOtherRequester,
				Params: tickets.AuditParams{Requester: "budi@example.com"}},
			{At: later, Actor: "budi@example.com", Action: "evidence", Code: tickets.AuditEvidence, Params: tickets.AuditParams{Name: "budi.png"}},
			{At: later, Actor: tickets.ActorSystem, Action: "held_back", Code: tickets.AuditHeldBack, Params: tickets.AuditParams{Recipient: "budi@example.com"}},
			{At: later, Actor: "sari@example.com", Action: "evidence", Code: tickets.AuditEvidence, Params: tickets.AuditParams{Name: "mine.png"}},
			{At: later, Actor: tickets.ActorSystem, Action: "undeliverable", Code: tickets.AuditNotDelivered,
				Params: tickets.AuditParams{Recipient: "SARI@example.com", ViaRecipient: "discord:99"}},
			{At: later, Actor: tickets.ActorSystem, Action: "undeliverable", Code: tickets.AuditBounced, Params: tickets.AuditParams{Recipient: "sari@example.com"}},
			{At: later, Actor: "ayu", Action: "joined", Code: tickets.AuditJoined, Params: tickets.AuditParams{Requester: "dewi@example.com"}},
		},
		Outbox: []tickets.OutboxItem{{ID: 1, Recipient: "sari@example.com"}, {ID: 2, Recipient: "123456", Template: tickets.TemplateCard}},
	}
	rec := &tickets.RequesterRecords{Tickets: []tickets.TicketDetail{d}}
	v := tickets.ExportView(rec, who).Tickets[0]

	var bodies []string
	for _, m := range v.Messages {
		bodies = append(bodies, m.Body)
	}
	if !slices.Equal(bodies, []string{"mine", "an agent's note"}) {
		t.Errorf("messages %q", bodies)
	}
	var codes []string
	for _, e := range v.Audit {
		codes = append(codes, e.Code)
	}
	if !slices.Equal(codes, []string{tickets.AuditCreated, tickets.AuditEvidence, tickets.AuditBounced}) {
		t.Errorf("audit %q", codes)
	}
	if len(v.Evidence) != 2 || v.Evidence[0].Name != "mine.png" || v.Evidence[1].Name != "mine.png" {
		t.Errorf("evidence %+v", v.Evidence)
	}
	if len(v.Outbox) != 1 || v.Outbox[0].ID != 1 {
		t.Errorf("outbox %+v", v.Outbox)
	}
	if !slices.Equal(v.Flags, []string{tickets.FlagAccountMismatch}) || v.Promotion != nil || v.Followups != nil {
		t.Errorf("flags %v, promotion %v, follow-ups %v", v.Flags, v.Promotion, v.Followups)
	}
	if r := v.Eligibility.Rules[0]; r.Params.OrderAccount != "" || r.Detail != "" || r.Rule != "account_matches" || r.Outcome != "needs_review" {
		t.Errorf("rule %+v", r)
	}
	// rec itself is as it was.
	if len(rec.Tickets[0].Messages) != 4 || len(rec.Tickets[0].Flags) != 2 || rec.Tickets[0].Eligibility.Rules[0].Params.OrderAccount != "@budi" {
		t.Error("ExportView changed what it was given")
	}
}
