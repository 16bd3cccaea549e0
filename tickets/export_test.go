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

// ExportView's person is everyone the store found (rec.Identity): on a
// ticket with both contacts, what went to their Discord id is theirs. An
// account taken from the order's record goes, with its source and an
// agent's change away from it; a file someone else sent with their note
// in an entry from before codes (no code, its name in detail) goes too.
func TestExportViewRecordAccountAndOldEntries(t *testing.T) {
	at := time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)
	later := at.Add(time.Minute)
	d := tickets.TicketDetail{
		Ticket: tickets.Ticket{ID: 1, Ref: "RD-1", Kind: tickets.KindRefund, Account: "@shop", Order: "7301",
			Requester: tickets.Requester{Email: "sari@example.com", DiscordID: "512345678901234567"},
			Sources:   tickets.Sources{tickets.FieldSourceAccount: tickets.SourceRecord, tickets.FieldSourceOrder: tickets.SourceForwarded},
			Evidence:  []tickets.Evidence{{Name: "mine.png", AddedAt: at}, {Name: "budi (1).png", AddedAt: later}}},
		Promotion: &tickets.Promotion{OrderNumber: "7301", Account: "@shop"},
		Audit: []tickets.AuditEntry{
			{At: at, Actor: "sari@example.com", Action: "evidence", Detail: "mine.png (image/png, 30 B)"},
			{At: at, Actor: "ayu", Action: "edited", Code: tickets.AuditEdited,
				Params: tickets.AuditParams{Changes: []tickets.FieldChange{{Field: "account", From: "@SHOP", To: "@sari"}}}},
			{At: later, Actor: "budi@example.com", Action: "other_requester", Code: tickets.AuditOtherRequester,
				Params: tickets.AuditParams{Requester: "budi@example.com"}},
			{At: later, Actor: "budi@example.com", Action: "evidence", Detail: "budi (1).png (image/png, 40 B)"},
			{At: later, Actor: tickets.ActorSystem, Action: "undeliverable", Code: tickets.AuditNotDelivered,
				Params: tickets.AuditParams{Recipient: "512345678901234567"}},
		},
		Outbox: []tickets.OutboxItem{{ID: 1, Recipient: "sari@example.com"}, {ID: 2, Recipient: "512345678901234567"}},
	}
	rec := &tickets.RequesterRecords{Tickets: []tickets.TicketDetail{d},
		Identity: tickets.Identity{Emails: []string{"sari@example.com"}, DiscordIDs: []string{"512345678901234567"}}}
	v := tickets.ExportView(rec, tickets.Requester{Email: "Sari@Example.com"}).Tickets[0]
	if v.Account != "" || v.Sources.Of(tickets.FieldSourceAccount) != tickets.SourceText || v.Sources[tickets.FieldSourceOrder] != tickets.SourceForwarded {
		t.Errorf("account %q, sources %v", v.Account, v.Sources)
	}
	var codes []string
	for _, e := range v.Audit {
		codes = append(codes, e.Action)
	}
	if !slices.Equal(codes, []string{"evidence", "edited", "undeliverable"}) {
		t.Errorf("audit %q", codes)
	} else if c := v.Audit[1].Params.Changes[0]; c.From != "" || c.To != "@sari" {
		t.Errorf("change %+v", c)
	}
	if len(v.Evidence) != 1 || v.Evidence[0].Name != "mine.png" {
		t.Errorf("evidence %+v", v.Evidence)
	}
	if len(v.Outbox) != 2 {
		t.Errorf("outbox %+v", v.Outbox)
	}
	if d.Account != "@shop" || d.Audit[1].Params.Changes[0].From != "@SHOP" || len(d.Sources) != 2 {
		t.Error("ExportView changed what it was given")
	}
}

// Requests written on the person's ticket by someone who was not its
// requester then: someone else's (a note, or a request that joined it
// before notes existed, with codes or in words) go with their files; one
// under another contact of the person's own is theirs and stays.
func TestExportViewRequestsOnTheTicket(t *testing.T) {
	at := time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)
	t1, t2, t3 := at.Add(time.Minute), at.Add(2*time.Minute), at.Add(3*time.Minute)
	const discord = "512345678901234567"
	d := tickets.TicketDetail{
		Ticket: tickets.Ticket{ID: 1, Ref: "RD-1", Requester: tickets.Requester{Email: "sari@example.com"},
			Evidence: []tickets.Evidence{{Name: "old.png", AddedAt: t1}, {Name: "dewi.png", AddedAt: t2}, {Name: "mine.png", AddedAt: t3}}},
		Messages: []tickets.Message{
			{ID: 1, Kind: tickets.MessageIn, Channel: tickets.ChannelEmail, Author: "sari@example.com", Body: "mine", CreatedAt: at},
			{ID: 2, Kind: tickets.MessageIn, Channel: tickets.ChannelEmail, Author: "budi@example.com", Body: "budi joined", CreatedAt: t1},
			{ID: 3, Kind: tickets.MessageIn, Channel: tickets.ChannelEmail, Author: "dewi@example.com", Body: "dewi joined", CreatedAt: t2},
			{ID: 4, Kind: tickets.MessageNote, Channel: tickets.ChannelDiscord, Author: "sari_w", Body: "me, by Discord", CreatedAt: t3},
		},
		Audit: []tickets.AuditEntry{
			{At: t1, Actor: "budi@example.com", Action: "joined",
				Detail: "another refund request by email joined this ticket from a different requester (budi@example.com)"},
			{At: t1, Actor: "budi@example.com", Action: "evidence", Detail: "old.png (image/png, 30 B)"},
			{At: t2, Actor: "dewi@example.com", Action: "joined", Code: tickets.AuditJoined,
				Params: tickets.AuditParams{Kind: tickets.KindRefund, Requester: "dewi@example.com"}},
			{At: t2, Actor: "dewi@example.com", Action: "evidence", Code: tickets.AuditEvidence, Params: tickets.AuditParams{Name: "dewi.png"}},
			{At: t3, Actor: "sari_w", Action: "other_requester", Code: tickets.AuditOtherRequester,
				Params: tickets.AuditParams{Requester: "discord:" + discord}},
			{At: t3, Actor: "sari_w", Action: "evidence", Code: tickets.AuditEvidence, Params: tickets.AuditParams{Name: "mine.png"}},
		},
	}
	rec := &tickets.RequesterRecords{Tickets: []tickets.TicketDetail{d},
		Identity: tickets.Identity{Emails: []string{"sari@example.com"}, DiscordIDs: []string{discord}}}
	v := tickets.ExportView(rec, tickets.Requester{Email: "sari@example.com"}).Tickets[0]
	var bodies, files []string
	for _, m := range v.Messages {
		bodies = append(bodies, m.Body)
	}
	for _, e := range v.Evidence {
		files = append(files, e.Name)
	}
	if !slices.Equal(bodies, []string{"mine", "me, by Discord"}) || !slices.Equal(files, []string{"mine.png"}) || len(v.Audit) != 2 {
		t.Errorf("messages %q, files %q, audit %+v", bodies, files, v.Audit)
	}
}
