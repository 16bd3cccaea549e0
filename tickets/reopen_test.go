package tickets_test

import (
	"testing"
	"time"

	"refunddesk/internal/storetest"
	"refunddesk/tickets"
)

// A ticket denied on a record that a later import corrects, then reopened,
// gets its verdict computed again on the record as it is now; the audit
// trail shows the verdict it was decided on and the new one.
func TestServiceReopenComputesTheVerdictAgain(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newSvcFixture(t, dialect, tickets.Options{Agents: []string{"ayu", "budi"}})
		f.importPromos(svcPromotion(svcOrderA, svcAccountA, 9000)) // 90 % delivered: not under-delivered
		ref := f.submit(svcRefund(svcOrderA, svcAccountA)).Ticket.Ref
		if d := f.detail(ref); d.Eligibility.Verdict != tickets.VerdictIneligible {
			t.Fatalf("before: %s", svcSummary(d))
		}
		f.clock.Advance(time.Hour)
		f.act(tickets.ActionRequest{Ref: ref, Actor: "ayu", Action: tickets.ActionDeny, Text: "The promotion delivered what it promised."})

		// The platform's export is corrected: only half was delivered. A
		// decided ticket keeps the verdict it was decided on.
		f.clock.Advance(time.Hour)
		if sum := f.importPromos(svcPromotion(svcOrderA, svcAccountA, 5000)); sum.Updated != 1 {
			t.Fatalf("import: %+v", sum)
		}
		if d := f.detail(ref); d.Status != tickets.StatusDenied || d.Eligibility.Verdict != tickets.VerdictIneligible {
			t.Fatalf("after the import: %s", svcSummary(d))
		}

		f.clock.Advance(time.Hour)
		f.act(tickets.ActionRequest{Ref: ref, Actor: "budi", Action: tickets.ActionReopen, Text: "the export was corrected"})
		d := f.detail(ref)
		if d.Status != tickets.StatusInReview || d.Eligibility.Verdict != tickets.VerdictEligible || d.Eligibility.RefundAmount != 50000 ||
			!d.Eligibility.EvaluatedAt.Equal(f.clock.Now()) {
			t.Fatalf("reopened: %s, refund %d", svcSummary(d), d.Eligibility.RefundAmount)
		}
		n := len(d.Audit)
		ev, re := d.Audit[n-2], d.Audit[n-1]
		wantEv := "verdict ineligible → eligible (under_delivery), refund IDR 50,000; on reopening, computed again on the records as they are now"
		if ev.Action != "evaluated" || ev.Actor != "budi" || auditText(t, ev) != wantEv || !ev.At.Equal(f.clock.Now()) {
			t.Fatalf("audit %+v, want the verdict %q", ev, wantEv)
		}
		if re.Action != string(tickets.ActionReopen) || re.FromStatus != tickets.StatusDenied || re.ToStatus != tickets.StatusInReview {
			t.Fatalf("audit %+v, want the reopen", re)
		}
		// Reopened, it approves nothing by itself: an agent decides.
		if d.ApprovedAmount != nil || svcLastOutbox(t, d).Template != tickets.TemplateDenied {
			t.Fatalf("reopened: approved %v, last message %s", d.ApprovedAmount, svcLastOutbox(t, d).Template)
		}

		// Denied and reopened again with nothing changed: the trail says the
		// verdict was looked at again and stayed.
		f.clock.Advance(time.Hour)
		f.act(tickets.ActionRequest{Ref: ref, Actor: "ayu", Action: tickets.ActionDeny, Text: "still no"})
		f.clock.Advance(time.Hour)
		f.act(tickets.ActionRequest{Ref: ref, Actor: "ayu", Action: tickets.ActionReopen})
		d = f.detail(ref)
		ev = d.Audit[len(d.Audit)-2]
		if want := "verdict eligible, unchanged (under_delivery), refund IDR 50,000; on reopening, computed again on the records as they are now"; ev.Action != "evaluated" || auditText(t, ev) != want {
			t.Fatalf("audit %+v, want %q", ev, want)
		}
	})
}
