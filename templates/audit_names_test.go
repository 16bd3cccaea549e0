package templates_test

import (
	"slices"
	"strings"
	"testing"

	"refunddesk/templates"
	"refunddesk/tickets"
)

// The kinds, channels, verdicts and rules inside an audit sentence are
// written by their names in the language: in English the codes, as agents
// type them in queries; in Indonesian in its words, no code left raw.
func TestAuditNamesInEachLanguage(t *testing.T) {
	cat, err := templates.NewCatalog(nil)
	if err != nil {
		t.Fatal(err)
	}
	e := func(code string, p tickets.AuditParams) tickets.AuditEntry {
		return tickets.AuditEntry{Code: code, Params: p}
	}
	for _, tt := range []struct {
		entry  tickets.AuditEntry
		en, id string
	}{
		{e(tickets.AuditCreated, tickets.AuditParams{Kind: tickets.KindRefund, Channel: tickets.ChannelEmail}),
			"refund request by email", "permintaan pengembalian dana lewat email"},
		{e(tickets.AuditCreated, tickets.AuditParams{Kind: tickets.KindRevocation, Channel: tickets.ChannelAgent}),
			"revocation request by agent", "permintaan pencabutan izin lewat agen"},
		{e(tickets.AuditJoined, tickets.AuditParams{Kind: tickets.KindRefund, Channel: tickets.ChannelDiscord}),
			"another refund request by discord joined this ticket", "permintaan pengembalian dana lain lewat Discord bergabung ke tiket ini"},
		{e(tickets.AuditVerdict, tickets.AuditParams{VerdictBefore: tickets.VerdictEligible, Verdict: tickets.VerdictNeedsReview,
			Rule: tickets.RuleTechnicalError}),
			"verdict eligible → needs_review (technical_error)", "putusan memenuhi syarat → perlu ditinjau (gangguan teknis)"},
		{e(tickets.AuditVerdictUnchanged, tickets.AuditParams{Verdict: tickets.VerdictNeedsInfo, Rule: tickets.RuleOrderOnRecord}),
			"verdict needs_info, unchanged (order_on_record)", "putusan perlu info, tidak berubah (pesanan tercatat)"},
		// A message of the outbox by its name, in English too; a channel of
		// the agents' own by its code in English, its name in Indonesian.
		{e(tickets.AuditOutboxRetry, tickets.AuditParams{Template: "card", Channel: "discord_card", Recipient: "#board", Outbox: 7}),
			"ticket card to discord_card #board (outbox 7) put back in the queue",
			"kartu tiket ke Discord (kartu tiket) #board (outbox 7) dimasukkan kembali ke antrean"},
		// A corrected language by its name in every language.
		{e(tickets.AuditEdited, tickets.AuditParams{Changes: []tickets.FieldChange{{Field: "language", From: "en", To: "id"}}}),
			"language English → Indonesian", "bahasa Inggris → Indonesia"},
		// An unknown template is shown as it is.
		{e(tickets.AuditHeldBack, tickets.AuditParams{Template: "newsletter", Recipient: "a@example.com", Count: 5, Max: 5}),
			"newsletter to a@example.com not sent: 5 automatic mails to that address in the last hour (the limit is 5)",
			"newsletter ke a@example.com tidak dikirim: 5 email otomatis ke alamat itu dalam satu jam terakhir (batasnya 5)"},
	} {
		if got := cat.Audit(tt.entry, "en"); got != tt.en {
			t.Errorf("en: %q, want %q", got, tt.en)
		}
		if got := cat.Audit(tt.entry, "id"); got != tt.id {
			t.Errorf("id: %q, want %q", got, tt.id)
		}
	}
	// Every kind, channel, verdict and rule has its name in every language,
	// and the Indonesian is not the code.
	rules := []string{tickets.RuleOrderGiven, tickets.RuleOrderOnRecord, tickets.RuleAccountGiven, tickets.RuleAccountMatches,
		tickets.RuleNotRefunded, tickets.RuleRefundWindow, tickets.RuleReasonGiven, tickets.RulePromotionFinished,
		tickets.RuleEvidence, tickets.RuleUnderDelivery, tickets.RuleTechnicalError, tickets.RuleRejected,
		tickets.RuleStoppedByPlatform, tickets.RuleDuplicateCharge, tickets.RuleNonRefundable, tickets.RuleOther,
		tickets.RuleSenderVerified, tickets.RuleAuthorizationActive}
	for _, r := range rules {
		v := cat.Audit(e(tickets.AuditVerdictUnchanged, tickets.AuditParams{Verdict: tickets.VerdictEligible, Rule: r}), "id")
		if strings.Contains(v, "("+r+")") {
			t.Errorf("rule %s raw in Indonesian: %s", r, v)
		}
	}
	for _, v := range tickets.Verdicts {
		if s := cat.Audit(e(tickets.AuditVerdict, tickets.AuditParams{Verdict: v}), "id"); strings.Contains(s, string(v)) {
			t.Errorf("verdict %s raw in Indonesian: %s", v, s)
		}
	}
	for _, k := range tickets.Kinds {
		for _, ch := range tickets.Channels {
			s := cat.Audit(e(tickets.AuditCreated, tickets.AuditParams{Kind: k, Channel: ch}), "id")
			if strings.Contains(s, string(k)) || (ch != tickets.ChannelEmail && strings.Contains(s, string(ch))) {
				t.Errorf("%s by %s raw in Indonesian: %s", k, ch, s)
			}
		}
	}
	// Every message of the outbox is named in every language, by words
	// that are not its code in Indonesian; so are corrected reasons and a
	// later follow-up.
	for _, tpl := range append(templates.Names(), tickets.TemplateCard, tickets.TemplateAlert) {
		for _, lang := range cat.Languages() {
			if !slices.Contains(cat.IDs(lang), "audit.name.template."+tpl) {
				t.Errorf("%s: no name for the message %s", lang, tpl)
			}
		}
		s := cat.Audit(e(tickets.AuditHeldBack, tickets.AuditParams{Template: tpl, Recipient: "a@example.com"}), "id")
		if strings.Contains(s, tpl+" ke") {
			t.Errorf("message %s raw in Indonesian: %s", tpl, s)
		}
	}
	for _, r := range tickets.Reasons {
		s := cat.Audit(e(tickets.AuditEdited, tickets.AuditParams{Changes: []tickets.FieldChange{{Field: "reason", To: string(r)}}}), "id")
		if strings.Contains(s, string(r)) {
			t.Errorf("reason %s raw in Indonesian: %s", r, s)
		}
	}
	for _, k := range tickets.FollowupKinds {
		f := tickets.Followup{Status: tickets.FollowupCancelled, Code: tickets.FollowupSuperseded, Params: tickets.AuditParams{Followup: k}}
		for _, lang := range cat.Languages() {
			if s := cat.FollowupResult(f, lang); strings.Contains(s, "“"+string(k)+"”") || strings.Contains(s, " "+string(k)+" is") {
				t.Errorf("%s: follow-up %s raw: %s", lang, k, s)
			}
		}
	}
}
