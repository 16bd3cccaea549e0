package sqlstore_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"refunddesk/internal/storetest"
	"refunddesk/tickets"
)

// The dashboard's figures on known tickets, on both databases: days cut in
// the query's zone (Jakarta, UTC+7), counts by channel, kind and verdict,
// refunds approved and paid by reason and currency, first responses kept,
// missed and pending, the median time to a decision, reopens.
func TestPeriodStats(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		ctx := context.Background()
		clock := storetest.NewClock(time.Date(2026, 11, 9, 12, 0, 0, 0, time.UTC))
		db := storetest.Open(t, dialect, clock)
		svc := tickets.NewService(db, tickets.Options{Clock: clock})
		const head = "order_number,account,amount,currency,created_at,start_at,status,video_id\n"
		csv := head + "7301001,@ayu,500000,IDR,2026-11-01T00:00:00Z,2026-11-01T01:00:00Z,completed,v1\n" +
			"7301002,@budi,5000,USD,2026-11-01T00:00:00Z,2026-11-01T01:00:00Z,completed,v2\n" +
			"7301003,@citra,5000,USD,2026-11-01T00:00:00Z,2026-11-01T01:00:00Z,completed,v3\n" +
			"7301004,@dewi,5000,USD,2026-11-01T00:00:00Z,2026-11-01T01:00:00Z,completed,v4\n" +
			"7301005,@dewi,5000,USD,2026-11-01T00:00:00Z,2026-11-01T01:00:00Z,completed,v5\n"
		if _, err := svc.Records.ImportPromotions(ctx, strings.NewReader(csv), tickets.ImportOptions{File: "p.csv"}); err != nil {
			t.Fatal(err)
		}
		submit := func(at time.Time, r tickets.SubmitRequest) string {
			t.Helper()
			clock.Set(at)
			if r.Requester.Email == "" && r.Requester.DiscordID == "" {
				r.Requester.Email = "someone@example.com"
			}
			if r.Kind == "" {
				r.Kind = tickets.KindRefund
			}
			r.Details = "the promotion did not reach what was promised"
			res, err := svc.Intake.Submit(ctx, r)
			if err != nil {
				t.Fatal(err)
			}
			return res.Ticket.Ref
		}
		act := func(at time.Time, ref string, a tickets.Action, amount int64) {
			t.Helper()
			clock.Set(at)
			req := tickets.ActionRequest{Ref: ref, Actor: "ayu", Action: a, Text: "done"}
			if amount > 0 {
				req.Amount = &amount
			}
			if _, err := svc.Desk.Act(ctx, req); err != nil {
				t.Fatalf("%s %s: %v", a, ref, err)
			}
		}
		h := func(day, hour, min int) time.Time { return time.Date(2026, 11, day, hour, min, 0, 0, time.UTC) }

		// Before the period (19:00 in Jakarta on the 9th): not counted.
		submit(h(9, 12, 0), tickets.SubmitRequest{Channel: tickets.ChannelEmail, Account: "@dewi", Order: "7301004", Reason: tickets.ReasonOther})
		// 23:30 on the 10th in Jakarta: answered in 2 h, approved at 5 h, paid.
		t1 := submit(h(10, 16, 30), tickets.SubmitRequest{Channel: tickets.ChannelEmail, Account: "@ayu", Order: "7301001", Reason: tickets.ReasonUnderDelivery})
		// 00:30 on the 11th in Jakarta: asked at 30 h (missed), denied at 40 h, reopened.
		t2 := submit(h(10, 17, 30), tickets.SubmitRequest{Channel: tickets.ChannelDiscord, Requester: tickets.Requester{DiscordID: "42"},
			Account: "@budi", Order: "7301002", Reason: tickets.ReasonTechnicalError})
		// The 11th: a revocation nobody answers (missed).
		submit(h(11, 3, 0), tickets.SubmitRequest{Kind: tickets.KindRevocation, Channel: tickets.ChannelAgent, Actor: "ayu", Account: "@eko"})
		// The 12th: claimed at 1 h (no answer), approved at 3 h (the answer), closed unpaid.
		t4 := submit(h(12, 10, 0), tickets.SubmitRequest{Channel: tickets.ChannelEmail, Account: "@citra", Order: "7301003", Reason: tickets.ReasonUnderDelivery})
		// The 14th in Jakarta, two hours before now: pending.
		submit(h(13, 22, 0), tickets.SubmitRequest{Channel: tickets.ChannelEmail, Account: "@dewi", Order: "7301005", Reason: tickets.ReasonOther,
			Requester: tickets.Requester{Email: "dewi@example.com"}})

		act(h(10, 18, 30), t1, tickets.ActionReply, 0)
		act(h(10, 21, 30), t1, tickets.ActionApprove, 150000)
		act(h(10, 22, 30), t1, tickets.ActionResolve, 0)
		act(h(11, 23, 30), t2, tickets.ActionAsk, 0)
		act(h(12, 9, 30), t2, tickets.ActionDeny, 0)
		act(h(12, 10, 30), t2, tickets.ActionReopen, 0)
		act(h(12, 11, 0), t4, tickets.ActionClaim, 0)
		act(h(12, 13, 0), t4, tickets.ActionApprove, 1250)
		act(h(12, 14, 0), t4, tickets.ActionClose, 0)
		clock.Set(h(14, 0, 0))

		jakarta := time.FixedZone("WIB", 7*3600)
		st, err := svc.Records.PeriodStats(ctx, tickets.StatsQuery{From: time.Date(2026, 11, 10, 0, 0, 0, 0, jakarta),
			To: time.Date(2026, 11, 15, 0, 0, 0, 0, jakarta), Location: jakarta})
		if err != nil {
			t.Fatal(err)
		}
		var days []string
		for _, d := range st.Days {
			days = append(days, d.Date+":"+strconv.Itoa(d.Total))
		}
		if got, want := strings.Join(days, " "), "2026-11-10:1 2026-11-11:2 2026-11-12:1 2026-11-13:0 2026-11-14:1"; got != want {
			t.Errorf("days: %s, want %s", got, want)
		}
		if st.Tickets != 5 || st.ByChannel[tickets.ChannelEmail] != 3 || st.ByChannel[tickets.ChannelDiscord] != 1 ||
			st.ByChannel[tickets.ChannelAgent] != 1 || st.ByKind[tickets.KindRefund] != 4 || st.ByKind[tickets.KindRevocation] != 1 {
			t.Errorf("totals: %d tickets, by channel %v, by kind %v", st.Tickets, st.ByChannel, st.ByKind)
		}
		if d := st.Days[1]; d.ByChannel[tickets.ChannelDiscord] != 1 || d.ByKind[tickets.KindRevocation] != 1 {
			t.Errorf("the 11th: %+v", d)
		}
		verdicts := 0
		for _, n := range st.Verdicts {
			verdicts += n
		}
		if verdicts != 5 {
			t.Errorf("verdicts add up to %d: %v", verdicts, st.Verdicts)
		}
		want := []tickets.RefundTotal{
			{Reason: tickets.ReasonUnderDelivery, Approved: 1, Amount: tickets.Money{Amount: 150000, Currency: "IDR"}, Paid: 1,
				PaidOut: tickets.Money{Amount: 150000, Currency: "IDR"}},
			{Reason: tickets.ReasonUnderDelivery, Approved: 1, Amount: tickets.Money{Amount: 1250, Currency: "USD"},
				PaidOut: tickets.Money{Currency: "USD"}},
		}
		if len(st.Refunds) != len(want) || st.Refunds[0] != want[0] || st.Refunds[1] != want[1] {
			t.Errorf("refunds: %+v\nwant %+v", st.Refunds, want)
		}
		if fr := st.FirstResponse; fr.Kept != 2 || fr.Missed != 2 || fr.Pending != 1 || fr.Target != 24*time.Hour {
			t.Errorf("first responses: %+v", fr)
		}
		// Decisions at 5 h, 40 h and 3 h: the median is 5 h.
		if d := st.Decisions; d.Decided != 3 || d.Median != 5*time.Hour {
			t.Errorf("decisions: %+v", d)
		}
		if r := st.Reopens; r.Reopened != 1 || r.Finished != 3 {
			t.Errorf("reopens: %+v", r)
		}
	})
}
