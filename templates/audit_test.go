package templates

import (
	"context"
	"encoding/json"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"refunddesk/internal/storetest"
	"refunddesk/tickets"
)

// Every code of the audit trail (tickets.AuditCodes), every cause, every
// cancelled follow-up's code, the desk's own decision and every field an
// agent corrects has its message in every shipped language.
func TestAuditCodesInEveryLanguage(t *testing.T) {
	c := newCatalogT(t)
	var ids []string
	for _, code := range tickets.AuditCodes {
		ids = append(ids, "audit."+code)
	}
	for _, code := range tickets.Causes {
		ids = append(ids, "audit.why."+code)
	}
	for _, code := range tickets.FollowupCancelCodes {
		ids = append(ids, "audit.followup."+code)
	}
	ids = append(ids, "audit.decision."+tickets.DecisionAutoApproved)
	for _, f := range []string{"account", "order", "reason", "language"} {
		ids = append(ids, "audit.field."+f)
	}
	for _, lang := range c.Languages() {
		have := c.IDs(lang)
		for _, id := range ids {
			if !slices.Contains(have, id) {
				t.Errorf("%s: no message %s", lang, id)
			}
		}
	}
}

// auditSamples are an entry of every code, with the words each said in
// English before the audit trail became codes, and in Indonesian.
func auditSamples() []struct {
	e      tickets.AuditEntry
	en, id string
} {
	h := time.Hour
	p := func(code string, params tickets.AuditParams) tickets.AuditEntry {
		return tickets.AuditEntry{Code: code, Params: params}
	}
	since := time.Date(2026, 11, 19, 8, 0, 0, 0, time.UTC)
	return []struct {
		e      tickets.AuditEntry
		en, id string
	}{
		{p(tickets.AuditApproved, tickets.AuditParams{Amount: 30000, Currency: "IDR", Text: "partial, as agreed"}),
			"IDR 30,000: partial, as agreed", "Rp30.000: partial, as agreed"},
		{p(tickets.AuditApproved, tickets.AuditParams{Amount: 14670, Currency: "USD"}), "USD 146.70", "USD 146,70"},
		{p(tickets.AuditAssigned, tickets.AuditParams{From: "citra"}), "citra → none", "citra → tidak ada"},
		{p(tickets.AuditAutoApproved, tickets.AuditParams{Amount: 50000, Limit: 50000, Currency: "IDR"}),
			"IDR 50,000 (auto_approve_below IDR 50,000)", "Rp50.000 (batas persetujuan otomatis Rp50.000)"},
		{p(tickets.AuditAutoClosed, tickets.AuditParams{Waited: 7 * 24 * h, Window: 14 * 24 * h}),
			"closed after 7 days without an answer; the requester can reopen it by writing within 14 days",
			"ditutup setelah 7 hari tanpa jawaban; pemohon dapat membukanya kembali dengan menulis dalam 14 hari"},
		{p(tickets.AuditBounced, tickets.AuditParams{Recipient: "ayu@example.com", Error: "550 5.1.1 no such user"}),
			"mail to ayu@example.com bounced: 550 5.1.1 no such user", "email ke ayu@example.com ditolak: 550 5.1.1 no such user"},
		{p(tickets.AuditCause, tickets.AuditParams{Why: tickets.CauseRequesterAnswered}), "the requester answered", "pemohon menjawab"},
		{p(tickets.AuditComment, tickets.AuditParams{Text: "asking the ads team"}), "asking the ads team", "asking the ads team"},
		{p(tickets.AuditCreated, tickets.AuditParams{Kind: tickets.KindRefund, Channel: tickets.ChannelEmail}),
			"refund request by email", "permintaan pengembalian dana lewat email"},
		{p(tickets.AuditEdited, tickets.AuditParams{Changes: []tickets.FieldChange{{Field: "order", To: "7301"},
			{Field: "reason", From: "under_delivery", To: "changed_mind"}}}),
			"order none → 7301; reason under_delivery → changed_mind", "pesanan tidak ada → 7301; alasan jangkauan kurang → berubah pikiran"},
		{p(tickets.AuditErased, tickets.AuditParams{Fields: []string{tickets.ErasedContact, tickets.ErasedMessages, tickets.ErasedEvidence}}),
			"personal data erased: the requester's contact details and account, the conversation's words, the files",
			"data pribadi dihapus: kontak dan akun pemohon, isi percakapan, berkas-berkasnya"},
		{p(tickets.AuditErased, tickets.AuditParams{Fields: []string{tickets.ErasedNotes}}),
			"personal data erased: what someone else wrote here, and their files", "data pribadi dihapus: tulisan dan berkas orang lain di tiket ini"},
		{p(tickets.AuditEscalated, tickets.AuditParams{Alert: &tickets.Alert{Code: tickets.AlertWaitingAgent, Ref: "RD-1", Waited: 47 * h, Target: 24 * h}}),
			"RD-1 has waited 47 h for an agent (the first-response target is 24 h)",
			"RD-1 sudah menunggu agen selama 47 jam (target respons pertama 24 jam)"},
		{p(tickets.AuditExported, tickets.AuditParams{}),
			"the requester's personal data exported: this ticket and everything else kept about them, as one archive",
			"data pribadi pemohon diekspor: tiket ini dan semua yang disimpan tentang mereka, dalam satu arsip"},
		{p(tickets.AuditEvidence, tickets.AuditParams{Name: "from-chat.png", ContentType: "image/png", Size: 3 << 19}),
			"from-chat.png (image/png, 1.5 MiB)", "from-chat.png (image/png, 1,5 MiB)"},
		{p(tickets.AuditGave, tickets.AuditParams{Fields: []string{"account", "reason"}}), "gave account, reason", "memberikan akun, alasan"},
		{p(tickets.AuditHeldBack, tickets.AuditParams{Template: "reminder", Recipient: "bot@example.com", Count: 5, Max: 5}),
			"reminder to bot@example.com not sent: 5 automatic mails to that address in the last hour (the limit is 5)",
			"pengingat ke bot@example.com tidak dikirim: 5 email otomatis ke alamat itu dalam satu jam terakhir (batasnya 5)"},
		{p(tickets.AuditJoined, tickets.AuditParams{Kind: tickets.KindRefund, Channel: tickets.ChannelDiscord}),
			"another refund request by discord joined this ticket", "permintaan pengembalian dana lain lewat Discord bergabung ke tiket ini"},
		{p(tickets.AuditOtherRequester, tickets.AuditParams{Kind: tickets.KindRefund, Channel: tickets.ChannelEmail, Requester: "budi@example.com"}),
			"a refund request by email from budi@example.com, who is not this ticket's requester: kept as a note, not joined; they were told only that it was received",
			"permintaan pengembalian dana lewat email dari budi@example.com, yang bukan pemohon tiket ini: disimpan sebagai catatan, tidak digabungkan; pengirimnya hanya diberi tahu bahwa pesannya diterima"},
		{p(tickets.AuditJoined, tickets.AuditParams{Kind: tickets.KindRefund, Channel: tickets.ChannelDiscord, Requester: "discord:4242",
			Fields: []string{"account"}}),
			"another refund request by discord joined this ticket from a different requester (discord:4242); filled account",
			"permintaan pengembalian dana lain lewat Discord bergabung ke tiket ini dari pemohon lain (discord:4242); mengisi akun"},
		{p(tickets.AuditNotDelivered, tickets.AuditParams{Template: "approved", Channel: tickets.ChannelDiscord, Recipient: "4242",
			Error: "cannot send messages to this user", Via: tickets.ChannelEmail, ViaRecipient: "ayu@example.com"}),
			"approval to discord:4242 not delivered: cannot send messages to this user; sent by mail to ayu@example.com instead",
			"persetujuan ke Discord:4242 tidak terkirim: cannot send messages to this user; dikirim lewat email ke ayu@example.com sebagai gantinya"},
		{p(tickets.AuditNotReminded, tickets.AuditParams{}),
			"no reminder: there is no way to reach the requester (mail undeliverable, Discord DMs closed)",
			"tidak diingatkan: pemohon tidak dapat dihubungi (email tidak terkirim, DM Discord ditutup)"},
		{p(tickets.AuditOutboxRetry, tickets.AuditParams{Template: "approved", Channel: tickets.ChannelEmail, Recipient: "ayu@example.com",
			Outbox: 12, Error: "550 5.2.1 mailbox full"}),
			"approval to email ayu@example.com (outbox 12) put back in the queue; it had failed: 550 5.2.1 mailbox full",
			"persetujuan ke email ayu@example.com (outbox 12) dimasukkan kembali ke antrean; sebelumnya gagal: 550 5.2.1 mailbox full"},
		{p(tickets.AuditProgressUpdate, tickets.AuditParams{}), "told the requester the platform is still working on it",
			"memberi tahu pemohon bahwa platform masih memprosesnya"},
		{p(tickets.AuditReminded, tickets.AuditParams{Since: since}), "reminded the requester: no answer since 2026-11-19 08:00 UTC",
			"mengingatkan pemohon: belum ada jawaban sejak 2026-11-19 08:00 UTC"},
		{p(tickets.AuditRequesterWrote, tickets.AuditParams{}), "the requester wrote again", "pemohon menulis lagi"},
		{p(tickets.AuditRetention, tickets.AuditParams{Count: 2, Size: 2048}),
			"removed by retention (its time after closing was up): the evidence files (files: 2, 2 KiB)",
			"dihapus oleh retensi (masa simpannya setelah tiket ditutup telah habis): file bukti (jumlah file: 2, 2 KiB)"},
		{p(tickets.AuditRetentionMessages, tickets.AuditParams{Count: 5}),
			"removed by retention (its time after closing was up): the conversation and the copies of what was sent to the requester (messages: 5)",
			"dihapus oleh retensi (masa simpannya setelah tiket ditutup telah habis): percakapan dan salinan pesan yang dikirim ke pemohon (jumlah pesan: 5)"},
		{p(tickets.AuditVerdict, tickets.AuditParams{Verdict: tickets.VerdictNeedsInfo}), "verdict needs_info", "putusan perlu info"},
		{p(tickets.AuditVerdict, tickets.AuditParams{VerdictBefore: tickets.VerdictEligible, Verdict: tickets.VerdictIneligible,
			Rule: "under_delivery", Why: tickets.CauseRecordsChanged}),
			"verdict eligible → ineligible (under_delivery); the records changed",
			"putusan memenuhi syarat → tidak memenuhi syarat (jangkauan kurang); catatan berubah"},
		{p(tickets.AuditVerdictUnchanged, tickets.AuditParams{Verdict: tickets.VerdictEligible, Rule: "under_delivery", Amount: 50000,
			Currency: "IDR", Why: tickets.CauseReopening}),
			"verdict eligible, unchanged (under_delivery), refund IDR 50,000; on reopening, computed again on the records as they are now",
			"putusan memenuhi syarat, tidak berubah (jangkauan kurang), pengembalian Rp50.000; saat dibuka kembali, dihitung ulang dengan catatan terkini"},
	}
}

// The audit trail in words: English as the domain wrote it before codes,
// Indonesian; every code has a sample; nothing is missing or logged.
func TestAuditWords(t *testing.T) {
	rec := &logRecorder{}
	c, err := NewCatalog(slog.New(rec))
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, s := range auditSamples() {
		seen[s.e.Code] = true
		if got := c.Audit(s.e, tickets.LangEnglish); got != s.en {
			t.Errorf("en %s:\n got %q\nwant %q", s.e.Code, got, s.en)
		}
		if got := c.Audit(s.e, tickets.LangIndonesian); got != s.id {
			t.Errorf("id %s:\n got %q\nwant %q", s.e.Code, got, s.id)
		}
	}
	for _, code := range tickets.AuditCodes {
		if !seen[code] {
			t.Errorf("no sample of %s", code)
		}
	}
	// Stored before codes: the words as they were, in any language.
	old := tickets.AuditEntry{Action: "created", Detail: "refund request by email"}
	if got := c.Audit(old, tickets.LangIndonesian); got != old.Detail {
		t.Errorf("an entry from before codes: %q", got)
	}
	// The desk's own decision, and an agent's.
	auto := &tickets.Ticket{DecisionCode: tickets.DecisionAutoApproved, DecisionParams: tickets.AuditParams{Limit: 50000, Currency: "IDR"}}
	if got := c.Decision(auto, tickets.LangEnglish); got != "approved automatically: at or below IDR 50,000" {
		t.Errorf("decision: %q", got)
	}
	if got := c.Decision(auto, tickets.LangIndonesian); got != "disetujui otomatis: paling banyak Rp50.000" {
		t.Errorf("keputusan: %q", got)
	}
	if got := c.Decision(&tickets.Ticket{Decision: "goodwill"}, tickets.LangEnglish); got != "goodwill" {
		t.Errorf("an agent's decision: %q", got)
	}
	// What follow-ups did, or why not.
	for _, tt := range []struct {
		f  tickets.Followup
		en string
	}{
		{tickets.Followup{Status: tickets.FollowupDone, Code: tickets.AuditProgressUpdate}, "told the requester the platform is still working on it"},
		{tickets.Followup{Status: tickets.FollowupCancelled, Code: tickets.FollowupSuperseded, Params: tickets.AuditParams{Followup: tickets.FollowupAutoClose}},
			"superseded: “close without an answer” is due too"},
		{tickets.Followup{Status: tickets.FollowupCancelled, Code: tickets.FollowupNoLongerDue}, "no longer due: the ticket moved, or the rules changed"},
		{tickets.Followup{Status: tickets.FollowupCancelled, Code: tickets.FollowupTicketMoved}, "the ticket moved"},
		{tickets.Followup{Status: tickets.FollowupCancelled, Result: "the ticket moved"}, "the ticket moved"},
	} {
		if got := c.FollowupResult(tt.f, tickets.LangEnglish); got != tt.en {
			t.Errorf("follow-up %s: %q, want %q", tt.f.Code, got, tt.en)
		}
	}
	for _, r := range rec.all() {
		t.Errorf("logged: %s", r)
	}
}

// In a language no one speaks, every audit entry, decision and follow-up
// result comes whole from its catalog: an area's file is a language's too.
func TestAuditPseudoLanguage(t *testing.T) {
	rec := &logRecorder{}
	e, err := newEngine(pseudoFS(t), slog.New(rec))
	if err != nil {
		t.Fatal(err)
	}
	c := e.Catalog()
	for _, s := range auditSamples() {
		if got := c.Audit(s.e, pseudoLang); !wrapped(got) || strings.Contains(got, "audit.") {
			t.Errorf("%s: %q", s.e.Code, got)
		}
	}
	auto := &tickets.Ticket{DecisionCode: tickets.DecisionAutoApproved, DecisionParams: tickets.AuditParams{Limit: 50000, Currency: "IDR"}}
	if got := c.Decision(auto, pseudoLang); got != "⟦approved automatically: at or below ⟦IDR 50,000⟧⟧" {
		t.Errorf("decision: %q", got)
	}
	for _, code := range tickets.FollowupCancelCodes {
		if got := c.FollowupResult(tickets.Followup{Status: tickets.FollowupCancelled, Code: code}, pseudoLang); !wrapped(got) {
			t.Errorf("follow-up %s: %q", code, got)
		}
	}
	for _, r := range rec.all() {
		t.Errorf("a message missing in %s: %s", pseudoLang, r)
	}
}

// Through the store: a ticket's coded entries are shown in English in its
// JSON (detail beside code and params), an entry stored before codes with
// its words, and the desk's own decision in words.
func TestAuditInTheStore(t *testing.T) {
	c := newCatalogT(t)
	storetest.Each(t, func(t *testing.T, dialect string) {
		ctx := context.Background()
		clock := storetest.NewClock(time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC))
		db := storetest.Open(t, dialect, clock)
		svc := tickets.NewService(db, tickets.Options{Clock: clock})
		res, err := svc.Intake.Submit(ctx, tickets.SubmitRequest{Kind: tickets.KindRefund, Channel: tickets.ChannelEmail,
			Requester: tickets.Requester{Email: "sari@example.com"}, Order: "7301", Language: "id"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.SQL().Exec(db.SQL().Rebind(`INSERT INTO ticket_audit (ticket_id, at, actor, action, detail) VALUES (?, ?, ?, ?, ?)`),
			res.Ticket.ID, clock.Now(), "budi", "claim", "Old words: claimed it."); err != nil {
			t.Fatal(err)
		}
		d, err := svc.Records.Detail(ctx, res.Ticket.Ref)
		if err != nil {
			t.Fatal(err)
		}
		c.Explain(d)
		b, err := json.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		var got struct {
			Audit []map[string]any `json:"audit"`
		}
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatal(err)
		}
		first, last := got.Audit[0], got.Audit[len(got.Audit)-1]
		if first["code"] != "created" || first["detail"] != "refund request by email" ||
			first["params"].(map[string]any)["channel"] != "email" {
			t.Errorf("the first entry as JSON: %v", first)
		}
		if _, ok := last["code"]; ok || last["detail"] != "Old words: claimed it." {
			t.Errorf("an entry from before codes as JSON: %v", last)
		}
	})
}
