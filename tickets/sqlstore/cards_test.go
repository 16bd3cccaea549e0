package sqlstore_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"refunddesk/internal/storetest"
	"refunddesk/tickets"
	"refunddesk/tickets/sqlstore"
)

// Two watchers: the bot's board (its stored name) and another channel's.
const (
	boardChannel = tickets.Channel("discord_card")
	webChannel   = tickets.Channel("web_board")
)

// pendingCards counts the pending card items of each ticket on a channel.
func pendingCards(t *testing.T, svc *tickets.Service, ch tickets.Channel) map[string]int {
	t.Helper()
	items, err := svc.Delivery.Outbox(context.Background(), tickets.OutboxFilter{Status: tickets.OutboxPending, Channel: ch, Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, it := range items {
		if it.Template == tickets.TemplateCard {
			out[it.TicketRef]++
		}
	}
	return out
}

// cardsTestChanges files two tickets and changes the first three times.
func cardsTestChanges(t *testing.T, svc *tickets.Service) (string, string) {
	t.Helper()
	ctx := context.Background()
	var refs []string
	for _, order := range []string{"7301000000000000101", "7301000000000000102"} {
		res, err := svc.Intake.Submit(ctx, tickets.SubmitRequest{Kind: tickets.KindRefund, Channel: tickets.ChannelEmail,
			Requester: tickets.Requester{Email: "a@example.com"}, Account: "@a", Order: order, Reason: tickets.ReasonOther, Details: "d"})
		if err != nil {
			t.Fatal(err)
		}
		refs = append(refs, res.Ticket.Ref)
	}
	for _, a := range []tickets.ActionRequest{
		{Ref: refs[0], Actor: "ayu", Action: tickets.ActionNote, Text: "one"},
		{Ref: refs[0], Actor: "ayu", Action: tickets.ActionClaim},
		{Ref: refs[0], Actor: "ayu", Action: tickets.ActionNote, Text: "two"},
	} {
		if _, err := svc.Desk.Act(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	return refs[0], refs[1]
}

// Every watcher channel has at most one pending card for a ticket, not only
// Discord's: the card shows the ticket as it is when sent, so more would
// say the same thing. Once sent, the next change queues a new one.
func TestOnePendingCardOnEveryWatcher(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		ctx := context.Background()
		clock := storetest.NewClock(time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC))
		db := storetest.Open(t, dialect, clock)
		svc := tickets.NewService(db, tickets.Options{Clock: clock, Watchers: []tickets.Channel{boardChannel, webChannel}})
		a, b := cardsTestChanges(t, svc)
		for _, ch := range []tickets.Channel{boardChannel, webChannel} {
			if got := pendingCards(t, svc, ch); got[a] != 1 || got[b] != 1 || len(got) != 2 {
				t.Errorf("%s: pending cards %v, want one for %s and one for %s", ch, got, a, b)
			}
		}
		// The web board sends its card for a; the next change of a queues another there.
		items, err := svc.Delivery.ClaimOutbox(ctx, webChannel, 10, time.Minute)
		if err != nil || len(items) != 2 {
			t.Fatalf("claim: %v %v", items, err)
		}
		for _, it := range items {
			if err := svc.Delivery.FinishOutbox(ctx, it, tickets.OutboxResult{Sent: true}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := svc.Desk.Act(ctx, tickets.ActionRequest{Ref: a, Actor: "ayu", Action: tickets.ActionNote, Text: "three"}); err != nil {
			t.Fatal(err)
		}
		if got := pendingCards(t, svc, webChannel); fmt.Sprint(got) != fmt.Sprint(map[string]int{a: 1}) {
			t.Errorf("web board after sending: %v", got)
		}
		if got := pendingCards(t, svc, boardChannel); got[a] != 1 || got[b] != 1 {
			t.Errorf("board: %v", got)
		}
	})
}

// A store from before 0005 may hold several pending cards of a ticket on a
// channel other than Discord's; the migration keeps one of each.
func TestMigrationKeepsOnePendingCard(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		ctx := context.Background()
		dsn := storetest.DSN(t, dialect)
		clock := storetest.NewClock(time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC))
		db, err := sqlstore.Open(ctx, dsn, sqlstore.Options{Clock: clock})
		if err != nil {
			t.Fatal(err)
		}
		// Back to version 4: the index that named Discord's channel.
		for _, q := range []string{`DROP INDEX outbox_one_pending_card`,
			`CREATE UNIQUE INDEX outbox_one_pending_card ON outbox (ticket_id) WHERE channel = 'discord_card' AND status = 'pending'`,
			`DELETE FROM schema_migrations WHERE version = 5`} {
			if _, err := db.SQL().Exec(q); err != nil {
				t.Fatal(q, err)
			}
		}
		svc := tickets.NewService(db, tickets.Options{Clock: clock, Watchers: []tickets.Channel{boardChannel, webChannel}})
		a, b := cardsTestChanges(t, svc)
		if got := pendingCards(t, svc, webChannel); got[a] < 2 {
			t.Fatalf("before 0005, the web board's pending cards: %v (want several for %s)", got, a)
		}
		exec(t, db, before0006...) // and what came after 0005
		db.Close()

		db, err = sqlstore.Open(ctx, dsn, sqlstore.Options{Clock: clock})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		svc = tickets.NewService(db, tickets.Options{Clock: clock, Watchers: []tickets.Channel{boardChannel, webChannel}})
		for _, ch := range []tickets.Channel{boardChannel, webChannel} {
			if got := pendingCards(t, svc, ch); got[a] != 1 || got[b] != 1 || len(got) != 2 {
				t.Errorf("%s after 0005: pending cards %v", ch, got)
			}
		}
	})
}
