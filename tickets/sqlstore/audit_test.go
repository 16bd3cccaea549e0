package sqlstore_test

import (
	"context"
	"reflect"
	"slices"
	"testing"
	"time"

	"refunddesk/internal/storetest"
	"refunddesk/tickets"
	"refunddesk/tickets/sqlstore"
)

// before0006 takes a store back to schema version 5: the columns 0006
// added are dropped and its row removed, so that opening it again applies
// 0006 (and what comes after it) to rows written before.
var before0006 = append(slices.Clone(before0008), []string{
	// 0007's tables (the web console's agents, sessions and sign-in throttle).
	`DROP TABLE signin_failures`, `DROP TABLE agent_sessions`, `DROP TABLE agents`,
	`ALTER TABLE ticket_audit DROP COLUMN code`, `ALTER TABLE ticket_audit DROP COLUMN params`,
	`ALTER TABLE followups DROP COLUMN result_code`, `ALTER TABLE followups DROP COLUMN result_params`,
	`ALTER TABLE tickets DROP COLUMN decision_code`, `ALTER TABLE tickets DROP COLUMN decision_params`,
	`DELETE FROM schema_migrations WHERE version >= 6`,
}...)

func exec(t *testing.T, db *sqlstore.DB, qs ...string) {
	t.Helper()
	for _, q := range qs {
		if _, err := db.SQL().Exec(q); err != nil {
			t.Fatal(q, err)
		}
	}
}

// An audit entry's code and params, a follow-up's and a decision's, are
// stored and read back as they were given, on both stores.
func TestAuditCodesStored(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		ctx := context.Background()
		clock := storetest.NewClock(time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC))
		db := storetest.Open(t, dialect, clock)
		svc := tickets.NewService(db, tickets.Options{Clock: clock})
		res, err := svc.Intake.Submit(ctx, tickets.SubmitRequest{Kind: tickets.KindRefund, Channel: tickets.ChannelEmail,
			Requester: tickets.Requester{Email: "sari@example.com"}, Order: "7301"})
		if err != nil {
			t.Fatal(err)
		}
		id := res.Ticket.ID
		at := clock.Now()
		entries := []tickets.AuditEntry{
			{At: at, Actor: "budi", Action: "edit", Code: tickets.AuditEdited, Params: tickets.AuditParams{Changes: []tickets.FieldChange{
				{Field: "order", From: "", To: "7301"}, {Field: "reason", From: "under_delivery", To: "changed_mind"}}}},
			{At: at, Actor: tickets.ActorSystem, Action: "approve", FromStatus: tickets.StatusInReview, ToStatus: tickets.StatusApproved,
				Code: tickets.AuditAutoApproved, Params: tickets.AuditParams{Amount: 50000, Limit: 50000, Currency: "IDR"}},
			{At: at, Actor: tickets.ActorSystem, Action: "escalated", Code: tickets.AuditEscalated, Params: tickets.AuditParams{
				Alert: &tickets.Alert{Code: tickets.AlertWaitingAgent, Ref: "RD-1", Waited: 47 * time.Hour, Target: 24 * time.Hour}}},
			{At: at, Actor: tickets.ActorSystem, Action: "reminded", Code: tickets.AuditReminded, Params: tickets.AuditParams{Since: at.Add(-48 * time.Hour)}},
			{At: at, Actor: "ayu", Action: "claim"}, // nothing more to say
		}
		var followup int64
		err = db.Update(ctx, func(tx tickets.Tx) error {
			for _, e := range entries {
				if err := tx.AddAudit(id, e); err != nil {
					return err
				}
			}
			tk, err := tx.Ticket(id)
			if err != nil {
				return err
			}
			tk.DecisionCode, tk.DecisionParams = tickets.DecisionAutoApproved, tickets.AuditParams{Limit: 50000, Currency: "IDR"}
			if err := tx.SaveTicket(tk); err != nil {
				return err
			}
			if err := tx.ScheduleFollowups(id, []tickets.Followup{{Kind: tickets.FollowupRemind, DueAt: at}}, at); err != nil {
				return err
			}
			d, err := tx.Detail(id)
			if err != nil {
				return err
			}
			followup = d.Followups[0].ID
			return tx.FinishFollowup(followup, tickets.FollowupCancelled, tickets.FollowupSuperseded,
				tickets.AuditParams{Followup: tickets.FollowupAutoClose}, at)
		})
		if err != nil {
			t.Fatal(err)
		}
		d, err := svc.Records.Detail(ctx, res.Ticket.Ref)
		if err != nil {
			t.Fatal(err)
		}
		got := d.Audit[len(d.Audit)-len(entries):]
		if !reflect.DeepEqual(got, entries) {
			t.Errorf("audit read back\n%+v\nwant\n%+v", got, entries)
		}
		for _, e := range d.Audit {
			if e.Code == "" && e.Action != "claim" || e.Detail != "" {
				t.Errorf("the intake wrote %+v: no code, or words", e)
			}
		}
		if d.DecisionCode != tickets.DecisionAutoApproved || d.DecisionParams.Limit != 50000 || d.DecisionParams.Currency != "IDR" || d.Decision != "" {
			t.Errorf("decision %q %q %+v", d.Decision, d.DecisionCode, d.DecisionParams)
		}
		if f := d.Followups[0]; f.ID != followup || f.Status != tickets.FollowupCancelled || f.Code != tickets.FollowupSuperseded ||
			f.Params.Followup != tickets.FollowupAutoClose || f.Result != "" {
			t.Errorf("follow-up %+v", f)
		}
		// Rescheduled away, a follow-up is cancelled with a code too.
		if err := db.Update(ctx, func(tx tickets.Tx) error {
			return tx.ScheduleFollowups(id, []tickets.Followup{{Kind: tickets.FollowupRemind, DueAt: at.Add(time.Hour)}}, at)
		}); err != nil {
			t.Fatal(err)
		}
		if err := db.Update(ctx, func(tx tickets.Tx) error {
			return tx.ScheduleFollowups(id, nil, at)
		}); err != nil {
			t.Fatal(err)
		}
		d, err = svc.Records.Detail(ctx, res.Ticket.Ref)
		if err != nil {
			t.Fatal(err)
		}
		if f := d.Followups[1]; f.Status != tickets.FollowupCancelled || f.Code != tickets.FollowupTicketMoved || f.Result != "" {
			t.Errorf("moved follow-up %+v", f)
		}
	})
}

// A store at schema version 5 (before 0006) holds audit entries, a
// follow-up's result and a decision in words; opened by this version, it is
// upgraded and they read back with their words and no code.
func TestAuditFromVersion5(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		ctx := context.Background()
		clock := storetest.NewClock(time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC))
		dsn := storetest.DSN(t, dialect)
		db, err := sqlstore.Open(ctx, dsn, sqlstore.Options{Clock: clock})
		if err != nil {
			t.Fatal(err)
		}
		svc := tickets.NewService(db, tickets.Options{Clock: clock})
		res, err := svc.Intake.Submit(ctx, tickets.SubmitRequest{Kind: tickets.KindRefund, Channel: tickets.ChannelEmail,
			Requester: tickets.Requester{Email: "sari@example.com"}, Order: "7301"})
		if err != nil {
			t.Fatal(err)
		}
		exec(t, db, before0006...)
		if cur, _, err := db.Version(ctx); err != nil || cur != 5 {
			t.Fatalf("back to version %d, %v", cur, err)
		}
		const words = "refund request by email"
		if _, err := db.SQL().Exec(db.SQL().Rebind(`INSERT INTO ticket_audit (ticket_id, at, actor, action, detail) VALUES (?, ?, ?, ?, ?)`),
			res.Ticket.ID, clock.Now(), "sari@example.com", "created", words); err != nil {
			t.Fatal(err)
		}
		if _, err := db.SQL().Exec(db.SQL().Rebind(`UPDATE tickets SET decision = ? WHERE id = ?`),
			"approved automatically: at or below IDR 50,000", res.Ticket.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := db.SQL().Exec(db.SQL().Rebind(`UPDATE followups SET status = 'cancelled', result = ? WHERE ticket_id = ?`),
			"the ticket moved", res.Ticket.ID); err != nil {
			t.Fatal(err)
		}
		db.Close()

		db, err = sqlstore.Open(ctx, dsn, sqlstore.Options{Clock: clock})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if cur, latest, err := db.Version(ctx); err != nil || cur != latest || cur < 6 {
			t.Fatalf("after opening: version %d of %d, %v", cur, latest, err)
		}
		d, err := tickets.NewService(db, tickets.Options{Clock: clock}).Records.Detail(ctx, res.Ticket.Ref)
		if err != nil {
			t.Fatal(err)
		}
		last := d.Audit[len(d.Audit)-1]
		if last.Detail != words || last.Code != "" || !reflect.ValueOf(last.Params).IsZero() {
			t.Errorf("the old entry reads back as %+v", last)
		}
		if d.Decision != "approved automatically: at or below IDR 50,000" || d.DecisionCode != "" {
			t.Errorf("the old decision: %q %q", d.Decision, d.DecisionCode)
		}
		if len(d.Followups) == 0 || d.Followups[0].Result != "the ticket moved" || d.Followups[0].Code != "" {
			t.Errorf("the old follow-up: %+v", d.Followups)
		}
	})
}
