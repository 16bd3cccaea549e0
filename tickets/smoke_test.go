package tickets_test

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"
	"time"

	"refunddesk/tickets"
	"refunddesk/tickets/sample"
	"refunddesk/tickets/sqlstore/storetest"
)

func TestSmoke(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		ctx := context.Background()
		clock := storetest.NewClock(time.Date(2026, 11, 21, 8, 0, 0, 0, time.UTC))
		db := storetest.Open(t, dialect, clock)
		svc := tickets.NewService(db, tickets.Options{Clock: clock})
		var buf bytes.Buffer
		if err := sample.WritePromotionsCSV(&buf, 200, sample.Options{Seed: 1, Now: clock.Now()}); err != nil {
			t.Fatal(err)
		}
		sum, err := svc.ImportPromotions(ctx, bytes.NewReader(buf.Bytes()), tickets.ImportOptions{File: "p.csv"})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%+v", sum)
		sum, err = svc.ImportPromotions(ctx, bytes.NewReader(buf.Bytes()), tickets.ImportOptions{File: "p.csv"})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%+v", sum)
		d, err := svc.PromotionDetail(ctx, sample.OrderNumber(3))
		if err != nil {
			t.Fatal(err)
		}
		res, err := svc.Submit(ctx, tickets.SubmitRequest{Kind: tickets.KindRefund, Channel: tickets.ChannelEmail,
			Requester: tickets.Requester{Email: "a@example.com"}, Account: d.Account, Order: d.OrderNumber,
			Reason: tickets.ReasonUnderDelivery, Details: "saya tidak puas, jangkauan sangat rendah", IdempotencyKey: "k1",
			Evidence: []tickets.File{{Name: "s.txt", Data: []byte("screenshot text")}}})
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.MarshalIndent(res, "", " ")
		t.Logf("%s", b)
		res2, err := svc.Submit(ctx, tickets.SubmitRequest{Kind: tickets.KindRefund, Channel: tickets.ChannelEmail,
			Requester: tickets.Requester{Email: "a@example.com"}, Account: d.Account, Order: d.OrderNumber,
			Reason: tickets.ReasonUnderDelivery, Details: "again", IdempotencyKey: "k2"})
		if err != nil {
			t.Fatal(err)
		}
		if res2.Outcome != tickets.OutcomeJoined || res2.Ticket.Ref != res.Ticket.Ref {
			t.Fatalf("want joined, got %s %s", res2.Outcome, res2.Ticket.Ref)
		}
		tk, err := svc.Act(ctx, tickets.ActionRequest{Ref: res.Ticket.Ref, Actor: "ayu", Action: tickets.ActionClaim})
		if err != nil {
			t.Fatal(err)
		}
		if tk.Assignee != "ayu" {
			t.Fatal(tk.Assignee)
		}
		out, err := svc.Search(ctx, "assignee:me status:in_review,needs_info jangkauan", "ayu", 10, "")
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Tickets) != 1 {
			t.Fatalf("search: %d", len(out.Tickets))
		}
		det, err := svc.Detail(ctx, res.Ticket.Ref)
		if err != nil {
			t.Fatal(err)
		}
		b, _ = json.MarshalIndent(det, "", " ")
		t.Logf("%s", b)
	})
}
