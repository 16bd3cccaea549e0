package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"refunddesk/internal/storetest"
	"refunddesk/tickets"
	"refunddesk/tickets/sqlstore"
)

// A Discord message that went by mail because the requester's DMs were
// closed is not put back twice: by id, exit 4 and nothing changes; with
// --failed it is listed as skipped, with why.
func TestCLIOutboxRetrySkipsRerouted(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		c := newCLI(t, dialect)
		c.env["REFUNDDESK_TICKETS_AGENTS"] = "ayu"
		c.ok("outbox", "list") // creates and migrates the store
		ctx := context.Background()
		db, err := sqlstore.Open(ctx, c.env["REFUNDDESK_STORE_DSN"], sqlstore.Options{Clock: c.clock})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		svc := tickets.NewService(db, tickets.Options{Clock: c.clock})
		if _, err := svc.Intake.Submit(ctx, tickets.SubmitRequest{Kind: tickets.KindRefund, Channel: tickets.ChannelDiscord,
			Requester: tickets.Requester{DiscordID: "77", Email: "dm@example.com"}, Order: "7301000000000000044", Details: "d"}); err != nil {
			t.Fatal(err)
		}
		dms, err := svc.Delivery.ClaimOutbox(ctx, tickets.ChannelDiscord, 1, time.Minute)
		if err != nil || len(dms) != 1 {
			t.Fatalf("claim: %v %v", dms, err)
		}
		if _, err := svc.Delivery.Unreachable(ctx, dms[0], "closed (50007)"); err != nil {
			t.Fatal(err)
		}
		if err := svc.Delivery.FinishOutbox(ctx, dms[0], tickets.OutboxResult{Err: "direct messages closed (50007)", Permanent: true}); err != nil {
			t.Fatal(err)
		}
		id := fmt.Sprint(dms[0].ID)
		before := c.ok("outbox", "list")
		if errs := c.fails(exitConflict, "outbox", "retry", id, "--as", "ayu"); !strings.Contains(errs, "would send it twice") {
			t.Fatalf("retry by id: %s", errs)
		}
		out := c.ok("outbox", "retry", "--failed", "--as", "ayu")
		if !strings.Contains(out, "no failed messages to put back") || !strings.Contains(out, "1 failed message(s) skipped") ||
			!strings.Contains(out, id) || !strings.Contains(out, "by email to dm@example.com instead") {
			t.Fatalf("retry --failed: %s", out)
		}
		if after := c.ok("outbox", "list"); after != before {
			t.Fatalf("a refused or skipped retry changed the outbox:\n%s\n%s", before, after)
		}
	})
}
