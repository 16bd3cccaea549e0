package bot_test

import (
	"fmt"
	"strings"
	"testing"

	"refunddesk/tickets"
)

// The agents' card says where a field came from when the requester did not
// write it: an account the desk took from the order's record is marked so.
func TestBotCardShowsSources(t *testing.T) {
	t.Parallel()
	f := newBotFixture(t, "sqlite")
	if _, err := f.svc.Intake.Submit(f.ctx, tickets.SubmitRequest{Kind: tickets.KindRefund, Channel: tickets.ChannelEmail,
		Requester: tickets.Requester{Email: "rani@example.id"}, Order: "7301234567890000021", Reason: tickets.ReasonUnderDelivery,
		Details: "views cuma 2rb", Sources: tickets.Sources{"reason": tickets.SourceForwarded}}); err != nil {
		t.Fatal(err)
	}
	if n, err := f.bot.SendCardsOnce(f.ctx); err != nil || n != 1 {
		t.Fatalf("cards: %d %v", n, err)
	}
	cards := f.fake.Messages(agentChannel)
	if len(cards) != 1 {
		t.Fatalf("cards %+v", cards)
	}
	got := map[string]string{}
	for _, fl := range cards[0].Embeds[0].Fields {
		got[fl.Name] = fl.Value
	}
	if got["Account"] != "@rani.putri (taken from the order's record)" || got["Reason"] != "under_delivery (from the forwarded mail)" ||
		got["Order"] != "7301234567890000021" {
		t.Fatalf("card fields %q", got)
	}
	if strings.Contains(got["Order"], "(") {
		t.Fatalf("the order the requester wrote is marked: %q", got["Order"])
	}
}

// Someone naming an order that is on record for another account is told
// the accounts differ, never the owner's account.
func TestBotOwnersAccountNotShownToAStranger(t *testing.T) {
	t.Parallel()
	f := newBotFixture(t, "sqlite")
	cb := f.refund("333", "mallory", "en-US", "@mallory_shop", "7301234567890000021", "under_delivery")
	got := text(cb)
	if !strings.Contains(got, "differs from the order's account") || strings.Contains(got, "rani") {
		t.Fatalf("answer: %q", got)
	}
	if d := f.ticket("RD-1"); !strings.Contains(fmt.Sprint(d.Eligibility.Rules), "@rani.putri") {
		t.Fatalf("the agents' verdict lost the owner's account: %+v", d.Eligibility.Rules)
	}
}
