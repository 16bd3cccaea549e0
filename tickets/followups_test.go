package tickets_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"refunddesk/internal/storetest"
	"refunddesk/tickets"
	"refunddesk/tickets/sqlstore"
)

// runFollowups runs the due follow-ups and checks how many were done.
func (f *svcFixture) runFollowups(wantDone int) tickets.FollowupStats {
	f.t.Helper()
	st, err := f.svc.Followups.Run(f.ctx, 100)
	if err != nil {
		f.t.Fatalf("run follow-ups at %s: %v", f.clock.Now().Format(time.RFC3339), err)
	}
	if st.Done != wantDone {
		f.t.Fatalf("run follow-ups at %s: %+v, want %d done", f.clock.Now().Format(time.RFC3339), st, wantDone)
	}
	return st
}

// schedule lists a ticket's follow-ups as "kind@hours-after-start status".
func (f *svcFixture) schedule(ref string) []string {
	f.t.Helper()
	var out []string
	for _, fu := range f.detail(ref).Followups {
		out = append(out, fmt.Sprintf("%s@%gh %s", fu.Kind, fu.DueAt.Sub(svcStart).Hours(), fu.Status))
	}
	return out
}

func (f *svcFixture) wantSchedule(ref string, want ...string) {
	f.t.Helper()
	if got := f.schedule(ref); !slices.Equal(got, want) {
		f.t.Fatalf("%s follow-ups:\n got %q\nwant %q", ref, got, want)
	}
}

func (f *svcFixture) at(hours float64) {
	f.clock.Set(svcStart.Add(time.Duration(hours * float64(time.Hour))))
}

// A request that lacks something: reminded at 48 h and 5 days, closed at 7
// days with a word on how to reopen; each once, however often the worker runs.
func TestFollowupsNeedsInfo(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newSvcFixture(t, dialect, tickets.Options{})
		ref := f.submit(svcRefund(svcOrderC, "@citra")).Ticket.Ref // order not on record: needs_info
		f.wantSchedule(ref, "remind@48h pending", "remind_again@120h pending", "auto_close@168h pending")

		f.at(47.9)
		f.runFollowups(0)
		f.at(48)
		f.runFollowups(1)
		f.runFollowups(0)
		d := f.detail(ref)
		if got := svcTemplates(d); !slices.Equal(got, []string{tickets.TemplateAcknowledgement, tickets.TemplateReminder}) {
			t.Fatalf("outbox after 48h: %v", got)
		}
		if o := svcLastOutbox(t, d); !o.Automatic || !slices.Contains(o.Data.Missing, "order_unknown") || o.Recipient != "ayu@example.com" {
			t.Fatalf("reminder: %+v", o)
		}
		if a := svcLastAudit(t, d); a.Action != "reminded" || a.Actor != tickets.ActorSystem {
			t.Fatalf("audit: %+v", a)
		}
		f.at(130) // both the second reminder is due (120h), and a run was missed
		f.runFollowups(1)
		f.at(200) // the auto-close was due at 168h
		f.runFollowups(1)
		d = f.detail(ref)
		if d.Status != tickets.StatusClosed {
			t.Fatalf("status after 7 days: %s", d.Status)
		}
		if got := svcTemplates(d); !slices.Equal(got, []string{tickets.TemplateAcknowledgement, tickets.TemplateReminder,
			tickets.TemplateReminder, tickets.TemplateAutoClosed}) {
			t.Fatalf("outbox: %v", got)
		}
		if a := svcLastAudit(t, d); a.Action != "auto_close" || a.FromStatus != tickets.StatusNeedsInfo || a.ToStatus != tickets.StatusClosed {
			t.Fatalf("audit: %+v", a)
		}
		f.wantSchedule(ref, "remind@48h done", "remind_again@120h done", "auto_close@168h done")
		f.at(2000)
		f.runFollowups(0)

		// The requester writes back within 14 days: the ticket reopens and
		// waits on agents again.
		f.at(210)
		if _, err := f.svc.Intake.RequesterReply(f.ctx, tickets.RequesterUpdate{Ref: ref, Requester: tickets.Requester{Email: "ayu@example.com"},
			Channel: tickets.ChannelEmail, Text: "Sorry, I was away. The order is 7301000000000000011"}); err != nil {
			t.Fatal(err)
		}
		if got := f.schedule(ref); !slices.Contains(got, "escalate@234h pending") {
			t.Fatalf("after reopening: %q", got)
		}
	})
}

// An answer cancels the reminders; then the ticket waits on agents, and past
// the first-response target they are alerted, once per silence.
func TestFollowupsCancelledWhenTheTicketMoves(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newSvcFixture(t, dialect, tickets.Options{Watchers: []tickets.Channel{cardChannel}, Alerts: []tickets.Channel{alertChannel}})
		f.importPromos(svcPromotion(svcOrderA, svcAccountA, 5000))
		req := svcRefund(svcOrderC, svcAccountA)
		ref := f.submit(req).Ticket.Ref
		f.at(30)
		if _, err := f.svc.Intake.RequesterReply(f.ctx, tickets.RequesterUpdate{Ref: ref, Requester: req.Requester, Channel: tickets.ChannelEmail,
			Text: "Wrong number, sorry", Order: svcOrderA}); err != nil {
			t.Fatal(err)
		}
		f.wantSchedule(ref, "remind@48h cancelled", "escalate@54h pending", "remind_again@120h cancelled", "auto_close@168h cancelled")
		f.at(53)
		f.runFollowups(0)
		// An agent's note restarts the first-response clock.
		f.act(tickets.ActionRequest{Ref: ref, Actor: "ayu", Action: tickets.ActionNote, Text: "checking the delivery numbers"})
		f.wantSchedule(ref, "remind@48h cancelled", "escalate@54h cancelled", "escalate@77h pending", "remind_again@120h cancelled",
			"auto_close@168h cancelled")
		f.at(100)
		st, err := f.svc.Records.Stats(f.ctx)
		if err != nil || st.Overdue != 1 || st.FollowupsDue[tickets.FollowupEscalate] != 1 || !st.OldestDue.Equal(svcStart.Add(77*time.Hour)) ||
			st.TicketsByStatus[tickets.StatusInReview] != 1 || st.Outbox[tickets.ChannelEmail][tickets.OutboxPending] != 1 {
			t.Fatalf("stats before the run: %+v %v", st, err)
		}
		f.runFollowups(1)
		if st, err := f.svc.Records.Stats(f.ctx); err != nil || len(st.FollowupsDue) != 0 || st.Overdue != 1 || st.Outbox[alertChannel][tickets.OutboxPending] != 1 {
			t.Fatalf("stats after the run: %+v %v", st, err)
		}
		d := f.detail(ref)
		if a := svcLastAudit(t, d); a.Action != "escalated" || auditText(t, a) != ref+" has waited 47 h for an agent (the first-response target is 24 h)" {
			t.Fatalf("audit: %+v", a)
		}
		var alerts []tickets.OutboxItem
		for _, o := range d.Outbox {
			if o.Channel == alertChannel {
				alerts = append(alerts, o)
			}
		}
		if len(alerts) != 1 || alerts[0].Data.Alert == nil ||
			words(t).Alert(tickets.LangEnglish, *alerts[0].Data.Alert) != auditText(t, svcLastAudit(t, d)) {
			t.Fatalf("alerts to agents: %+v", alerts)
		}
		if a := alerts[0].Data.Alert; a == nil || a.Code != tickets.AlertWaitingAgent || a.Ref != ref || a.Target != 24*time.Hour ||
			a.Waited < 47*time.Hour || a.Waited >= 48*time.Hour {
			t.Fatalf("the alert's code and params: %+v", a)
		}
		f.runFollowups(0)
		if got := f.searchAll("overdue", "", 0); !slices.Equal(got, []string{ref}) {
			t.Fatalf("overdue: %v", got)
		}
	})
}

// Asking again while the ticket already waits on the requester restarts
// the reminders.
func TestFollowupsAskAgainRestarts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newSvcFixture(t, dialect, tickets.Options{})
		ref := f.submit(svcRefund(svcOrderC, "@citra")).Ticket.Ref
		f.at(10)
		f.act(tickets.ActionRequest{Ref: ref, Actor: "ayu", Action: tickets.ActionAsk, Text: "Which order number is it?"})
		f.wantSchedule(ref, "remind@48h cancelled", "remind@58h pending", "remind_again@120h cancelled", "remind_again@130h pending",
			"auto_close@168h cancelled", "auto_close@178h pending")
		f.at(58)
		f.runFollowups(1)
		if o := svcLastOutbox(t, f.detail(ref)); o.Template != tickets.TemplateReminder || o.Data.Text != "Which order number is it?" {
			t.Fatalf("the reminder does not repeat the question: %+v", o)
		}
	})
}

// A revocation waiting on the platform: the requester hears at 3 days that
// it is in progress, the agents at 7 days; resolving cancels what is left.
// An approved refund not marked paid reminds the agents at 5 days.
func TestFollowupsPlatformAndApproved(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newSvcFixture(t, dialect, tickets.Options{})
		f.importPromos(svcPromotion(svcOrderA, svcAccountA, 5000))
		rev := f.submit(tickets.SubmitRequest{Kind: tickets.KindRevocation, Channel: tickets.ChannelEmail,
			Requester: tickets.Requester{Email: "budi@example.com"}, Account: svcAccountB, Details: "please withdraw my authorization"}).Ticket.Ref
		refund := f.submit(svcRefund(svcOrderA, svcAccountA)).Ticket.Ref
		f.act(tickets.ActionRequest{Ref: rev, Actor: "ayu", Action: tickets.ActionForward})
		f.act(tickets.ActionRequest{Ref: refund, Actor: "ayu", Action: tickets.ActionApprove})
		f.wantSchedule(rev, "escalate@24h cancelled", "platform_update@72h pending", "platform_escalate@168h pending")
		f.wantSchedule(refund, "escalate@24h cancelled", "mark_paid@120h pending")

		f.at(72)
		f.runFollowups(1)
		if o := svcLastOutbox(t, f.detail(rev)); o.Template != tickets.TemplateStillInProgress || o.Recipient != "budi@example.com" {
			t.Fatalf("progress update: %+v", o)
		}
		f.at(120)
		f.runFollowups(1)
		if a := svcLastAudit(t, f.detail(refund)); a.Action != "escalated" || auditText(t, a) != refund+" was approved 5 days ago and is not resolved: resolve it once the refund is paid" {
			t.Fatalf("mark paid: %+v", a)
		}
		f.act(tickets.ActionRequest{Ref: rev, Actor: "ayu", Action: tickets.ActionResolve})
		f.wantSchedule(rev, "escalate@24h cancelled", "platform_update@72h done", "platform_escalate@168h cancelled")
		f.at(500)
		f.runFollowups(0)
		f.wantSchedule(refund, "escalate@24h cancelled", "mark_paid@120h done")
	})
}

// Workers side by side (two stores on one database, as two instances) do
// every follow-up once: a claim leases it to one, and "done" is written with
// its effect, only while it is still pending.
func TestFollowupsTwoWorkersNoDoubles(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		dsn := storetest.DSN(t, dialect)
		clock := storetest.NewClock(svcStart)
		open := func() *tickets.Service {
			db, err := sqlstore.Open(context.Background(), dsn, sqlstore.Options{Clock: clock})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			return tickets.NewService(db, tickets.Options{Clock: clock, AutoRepliesPerHour: 1000})
		}
		f := &svcFixture{t: t, ctx: context.Background(), dialect: dialect, clock: clock, svc: open()}
		// Two instances on PostgreSQL; on SQLite one process writes at a time.
		workers := []*tickets.Service{f.svc, f.svc}
		if dialect == sqlstore.Postgres {
			workers[1] = open()
		}
		const n = 24
		var refs []string
		for i := range n {
			req := svcRefund(fmt.Sprintf("73019999999999%05d", i), "@citra")
			req.Requester.Email = fmt.Sprintf("c%d@example.com", i)
			refs = append(refs, f.submit(req).Ticket.Ref)
		}
		f.at(49)
		var wg sync.WaitGroup
		stats := make([]tickets.FollowupStats, 4)
		errs := make([]error, 4)
		for i := range stats {
			wg.Go(func() {
				for {
					st, err := workers[i%2].Followups.Run(f.ctx, 3)
					stats[i].Done += st.Done
					stats[i].Skipped += st.Skipped
					if err != nil || st.Done+st.Skipped+st.Cancelled == 0 {
						errs[i] = err
						return
					}
				}
			})
		}
		wg.Wait()
		done := 0
		for i := range stats {
			if errs[i] != nil {
				t.Fatalf("worker %d: %v", i, errs[i])
			}
			done += stats[i].Done
		}
		if done != n {
			t.Fatalf("done %d follow-ups in all (%+v), want %d", done, stats, n)
		}
		for _, ref := range refs {
			if got := svcTemplates(f.detail(ref)); !slices.Equal(got, []string{tickets.TemplateAcknowledgement, tickets.TemplateReminder}) {
				t.Fatalf("%s outbox: %v", ref, got)
			}
		}
	})
}

// A worker that stops after its claim holds the follow-up only until the
// lease runs out; if it comes back later, its "done" is refused.
func TestFollowupsLeaseRunsOut(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newSvcFixture(t, dialect, tickets.Options{})
		ref := f.submit(svcRefund(svcOrderC, "@citra")).Ticket.Ref
		f.at(48)
		now := f.clock.Now()
		claimed, err := f.db.ClaimFollowups(f.ctx, 10, now, now.Add(5*time.Minute))
		if err != nil || len(claimed) != 1 || claimed[0].TicketRef != ref || claimed[0].Kind != tickets.FollowupRemind {
			t.Fatalf("claim: %+v %v", claimed, err)
		}
		f.runFollowups(0) // leased to the first worker
		f.clock.Advance(6 * time.Minute)
		f.runFollowups(1)
		err = f.db.Update(f.ctx, func(tx tickets.Tx) error {
			return tx.FinishFollowup(claimed[0].ID, tickets.FollowupDone, tickets.AuditReminded, tickets.AuditParams{}, f.clock.Now())
		})
		if !errors.Is(err, tickets.ErrFollowupTaken) {
			t.Fatalf("a late finish: %v", err)
		}
		if got := svcTemplates(f.detail(ref)); !slices.Equal(got, []string{tickets.TemplateAcknowledgement, tickets.TemplateReminder}) {
			t.Fatalf("outbox: %v", got)
		}
	})
}

// Every duration is configurable.
func TestFollowupRulesConfigurable(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newSvcFixture(t, dialect, tickets.Options{Followups: tickets.FollowupRules{Remind: time.Hour, AutoClose: 3 * time.Hour},
			SLA: tickets.SLA{FirstResponse: 2 * time.Hour}})
		ref := f.submit(svcRefund(svcOrderC, "@citra")).Ticket.Ref
		f.wantSchedule(ref, "remind@1h pending", "auto_close@3h pending", "remind_again@120h pending")
		f.at(3)
		// The missed reminder is not sent when the close is due too.
		if st := f.runFollowups(1); st.Cancelled != 1 {
			t.Fatalf("%+v", st)
		}
		f.wantSchedule(ref, "remind@1h cancelled", "auto_close@3h done", "remind_again@120h cancelled")
	})
}

// A change of the rules moves what is pending: a follow-up found no longer
// due is cancelled and the ticket's schedule written as the rules say now;
// Followups.Reconcile does it for every ticket at once, and gives tickets
// without follow-ups (from before they existed) theirs.
func TestFollowupsRulesChangeAndReconcile(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newSvcFixture(t, dialect, tickets.Options{})
		ref := f.submit(svcRefund(svcOrderC, "@citra")).Ticket.Ref
		other := svcRefund("7301000000000000044", "@dewi")
		other.Requester.Email = "dewi@example.com"
		old := f.submit(other).Ticket.Ref
		if _, err := f.db.SQL().Exec(f.db.SQL().Rebind(`DELETE FROM followups WHERE ticket_id = ?`), 2); err != nil {
			t.Fatal(err)
		}
		f.wantSchedule(old)
		f.svc = tickets.NewService(f.db, tickets.Options{Clock: f.clock, AutoRepliesPerHour: 1000,
			Followups: tickets.FollowupRules{Remind: 24 * time.Hour, AutoClose: 240 * time.Hour}})
		f.at(50)
		if st := f.runFollowups(0); st.Cancelled != 1 {
			t.Fatalf("%+v", st)
		}
		f.runFollowups(1) // the reminder at 24h, as the rules say now; the close moved too
		f.wantSchedule(ref, "remind@24h done", "remind@48h cancelled", "remind_again@120h pending", "auto_close@168h cancelled",
			"auto_close@240h pending")
		n, err := f.svc.Followups.Reconcile(f.ctx)
		if err != nil || n != 2 {
			t.Fatalf("reconcile: %d %v", n, err)
		}
		f.wantSchedule(ref, "remind@24h done", "remind@48h cancelled", "remind_again@120h pending", "auto_close@168h cancelled",
			"auto_close@240h pending")
		f.wantSchedule(old, "remind@24h pending", "remind_again@120h pending", "auto_close@240h pending")
		if n, err := f.svc.Followups.Reconcile(f.ctx); err != nil || n != 2 {
			t.Fatalf("again: %d %v", n, err)
		}
		f.wantSchedule(old, "remind@24h pending", "remind_again@120h pending", "auto_close@240h pending")
	})
}
