package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"refunddesk/api"
	"refunddesk/internal/storetest"
	"refunddesk/templates"
	"refunddesk/tickets"
	"refunddesk/tickets/sqlstore"
)

// wordsOf checks that every step of a list of rule steps (a verdict's
// rules, an outbox item's explanation), as JSON, has both detail and
// detail_requester, and neither empty; it returns the steps.
func wordsOf(t *testing.T, where string, v any) []map[string]any {
	t.Helper()
	list, ok := v.([]any)
	if !ok || len(list) == 0 {
		t.Fatalf("%s: no steps in %v", where, v)
	}
	var out []map[string]any
	for i, s := range list {
		step := s.(map[string]any)
		for _, k := range []string{"detail", "detail_requester"} {
			if w, ok := step[k].(string); !ok || w == "" {
				t.Errorf("%s, step %d (%v): %s is %#v", where, i, step["code"], k, step[k])
			}
		}
		out = append(out, step)
	}
	return out
}

// decodeAny reads a JSON answer as maps and lists.
func decodeAny(t *testing.T, b []byte) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("%v in %s", err, b)
	}
	return v
}

// Every answer that shows a verdict's rules or a message's explanation has
// them in words: detail in English, detail_requester in the ticket's
// language (here Indonesian, so the two differ). The list, a ticket, its
// outbox, the outbox list, and a retry's requeued and skipped items.
func TestAPIRulesInWords(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newFixture(t, dialect)
		ctx := context.Background()
		ref := f.submit("7301000000000000011", "@ayu_shop")
		f.want(http.StatusOK, "POST", "/api/tickets/"+ref+"/edit", ayuToken, `{"language":"id"}`, nil)

		get := func(path string) any {
			t.Helper()
			code, _, b := f.do("GET", path, ayuToken, "")
			if code != http.StatusOK {
				t.Fatalf("GET %s: %d %s", path, code, b)
			}
			return decodeAny(t, b)
		}
		list := get("/api/tickets").([]any)
		steps := wordsOf(t, "GET /api/tickets", list[0].(map[string]any)["eligibility"].(map[string]any)["rules"])
		last := steps[len(steps)-1]
		if last["detail"] == last["detail_requester"] {
			t.Errorf("the deciding step is in English twice: %v", last)
		}
		show := get("/api/tickets/" + ref).(map[string]any)
		wordsOf(t, "GET /api/tickets/{ref}", show["eligibility"].(map[string]any)["rules"])
		for i, o := range show["outbox"].([]any) {
			wordsOf(t, fmt.Sprintf("GET /api/tickets/{ref}: outbox %d", i), o.(map[string]any)["data"].(map[string]any)["explanation"])
		}
		for i, o := range get("/api/outbox").([]any) {
			wordsOf(t, fmt.Sprintf("GET /api/outbox: item %d", i), o.(map[string]any)["data"].(map[string]any)["explanation"])
		}

		// A failed message put back: its explanation in words.
		items, err := f.svc.Delivery.ClaimOutbox(ctx, tickets.ChannelEmail, 1, time.Minute)
		if err != nil || len(items) != 1 {
			t.Fatalf("claim: %v %v", items, err)
		}
		if err := f.svc.Delivery.FinishOutbox(ctx, items[0], tickets.OutboxResult{Err: "550 no such user", Permanent: true}); err != nil {
			t.Fatal(err)
		}
		code, _, b := f.do("POST", "/api/outbox/retry", ayuToken, fmt.Sprintf(`{"ids": [%d]}`, items[0].ID))
		if code != http.StatusOK {
			t.Fatalf("retry: %d %s", code, b)
		}
		requeued := decodeAny(t, b).(map[string]any)["requeued"].([]any)
		wordsOf(t, "POST /api/outbox/retry: requeued", requeued[0].(map[string]any)["data"].(map[string]any)["explanation"])

		// A DM that went by mail instead: skipped by a retry of every
		// failed one, and its explanation in words too.
		f.dmSentByMail(ctx, tickets.SubmitRequest{Kind: tickets.KindRefund, Channel: tickets.ChannelDiscord,
			Requester: tickets.Requester{DiscordID: "77", Email: "dm@example.com"}, Order: "7301000000000000022", Account: "@budi_store",
			Reason: tickets.ReasonUnderDelivery, Details: "d"}, "closed (50007)")
		code, _, b = f.do("POST", "/api/outbox/retry", ayuToken, `{"failed": true}`)
		if code != http.StatusOK {
			t.Fatalf("retry of every failed one: %d %s", code, b)
		}
		skipped := decodeAny(t, b).(map[string]any)["skipped"].([]any)
		if len(skipped) != 1 {
			t.Fatalf("skipped: %s", b)
		}
		wordsOf(t, "POST /api/outbox/retry: skipped", skipped[0].(map[string]any)["data"].(map[string]any)["explanation"])
	})
}

// An item queued before explanations became codes holds its explanation
// as the requester's sentences: each shows as a step with no code and that
// sentence as both detail and detail_requester.
func TestAPIOutboxItemQueuedBeforeCodes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newFixture(t, dialect)
		f.submit("7301000000000000011", "@ayu_shop")
		const old = `{"ref":"RD-1","kind":"refund","status":"denied","verdict":"ineligible","explanation":["Kebijakan lama: tidak ada pengembalian."]}`
		if _, err := f.db.SQL().Exec(f.db.SQL().Rebind(`UPDATE outbox SET data = ?, language = ?`), old, "id"); err != nil {
			t.Fatal(err)
		}
		code, _, b := f.do("GET", "/api/outbox", ayuToken, "")
		if code != http.StatusOK {
			t.Fatalf("GET /api/outbox: %d %s", code, b)
		}
		item := decodeAny(t, b).([]any)[0].(map[string]any)
		steps := wordsOf(t, "an old item", item["data"].(map[string]any)["explanation"])
		want := map[string]any{"rule": "", "outcome": "", "detail": "Kebijakan lama: tidak ada pengembalian.",
			"detail_requester": "Kebijakan lama: tidak ada pengembalian."}
		if len(steps) != 1 || fmt.Sprint(steps[0]) != fmt.Sprint(want) {
			t.Fatalf("an old item's explanation: %v, want %v", steps, want)
		}
	})
}

// New refuses to build a server that would fail its first request.
func TestAPINewRefusesNil(t *testing.T) {
	cat, err := templates.NewCatalog(nil)
	if err != nil {
		t.Fatal(err)
	}
	svc := tickets.NewService(storetest.Open(t, sqlstore.SQLite, nil), tickets.Options{})
	if s, err := api.New(svc, nil, nil, nil, nil); err == nil || s != nil {
		t.Errorf("New without a catalog: %v, %v", s, err)
	}
	if s, err := api.New(nil, nil, nil, cat, nil); err == nil || s != nil {
		t.Errorf("New without a service: %v, %v", s, err)
	}
	if s, err := api.New(svc, nil, nil, cat, nil); err != nil || s == nil {
		t.Errorf("New: %v, %v", s, err)
	}
}
