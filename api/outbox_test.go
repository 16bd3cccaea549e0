package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"refunddesk/api"
	"refunddesk/internal/storetest"
	"refunddesk/tickets"
)

// Agents list the outbox and put failed messages back over the API, as
// with outbox list and outbox retry; refusals change nothing.
func TestAPIOutboxRetry(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newFixture(t, dialect)
		ctx := context.Background()
		ref := f.submit("7301000000000000011", "@ayu_shop")
		f.submit("7301000000000000022", "@budi_store") // its acknowledgement waits behind nothing: a second ticket
		items, err := f.svc.Delivery.ClaimOutbox(ctx, tickets.ChannelEmail, 1, time.Minute)
		if err != nil || len(items) != 1 {
			t.Fatalf("claim: %v %v", items, err)
		}
		if err := f.svc.Delivery.FinishOutbox(ctx, items[0], tickets.OutboxResult{Err: "smtp rcpt: 550 5.1.1 no such user", Permanent: true}); err != nil {
			t.Fatal(err)
		}
		failedID := items[0].ID
		list := func(query string) []tickets.OutboxItem {
			t.Helper()
			code, _, body := f.do("GET", "/api/outbox"+query, ayuToken, "")
			var out []tickets.OutboxItem
			if code != http.StatusOK || json.Unmarshal(body, &out) != nil {
				t.Fatalf("GET /api/outbox%s: %d %s", query, code, body)
			}
			return out
		}
		if got := list("?status=failed"); len(got) != 1 || got[0].ID != failedID || got[0].TicketRef != ref {
			t.Fatalf("failed: %+v", got)
		}
		pending := list("?status=pending&channel=email&limit=10")
		if len(pending) != 1 {
			t.Fatalf("pending: %+v", pending)
		}
		all := list("")

		for _, c := range []struct {
			method, path, token, body string
			code                      int
			field                     string
		}{
			{"GET", "/api/outbox?status=lost", ayuToken, "", http.StatusBadRequest, "status"},
			{"GET", "/api/outbox?channel=fax", ayuToken, "", http.StatusBadRequest, "channel"},
			{"GET", "/api/outbox?limit=0", ayuToken, "", http.StatusBadRequest, "limit"},
			{"GET", "/api/outbox?sort=id", ayuToken, "", http.StatusBadRequest, "sort"},
			{"GET", "/api/outbox", "", "", http.StatusUnauthorized, ""},
			{"POST", "/api/outbox/retry", ayuToken, `{}`, http.StatusBadRequest, "ids"},
			{"POST", "/api/outbox/retry", ayuToken, `{"ids": ["seven"]}`, http.StatusBadRequest, "body"},
			{"POST", "/api/outbox/retry", ayuToken, fmt.Sprintf(`{"ids": [%d], "failed": true}`, failedID), http.StatusBadRequest, "ids"},
			{"POST", "/api/outbox/retry", ayuToken, `{"failed": true, "channel": "fax"}`, http.StatusBadRequest, "channel"},
			{"POST", "/api/outbox/retry", ayuToken, fmt.Sprintf(`{"ids": [%d, 999999]}`, failedID), http.StatusNotFound, ""},
			{"POST", "/api/outbox/retry", ayuToken, fmt.Sprintf(`{"ids": [%d, %d]}`, failedID, pending[0].ID), http.StatusConflict, ""},
			{"POST", "/api/outbox/retry", eveToken, fmt.Sprintf(`{"ids": [%d]}`, failedID), http.StatusForbidden, ""},
			{"POST", "/api/outbox/retry", "", fmt.Sprintf(`{"ids": [%d]}`, failedID), http.StatusUnauthorized, ""},
		} {
			code, _, body := f.do(c.method, c.path, c.token, c.body)
			var e api.Error
			_ = json.Unmarshal(body, &e)
			if code != c.code || e.Field != c.field {
				t.Errorf("%s %s %s: %d %s", c.method, c.path, c.body, code, body)
			}
		}
		if after := list(""); len(after) != len(all) || after[len(after)-1].Status != tickets.OutboxFailed {
			t.Fatalf("a refused request changed the outbox: %+v", after)
		}

		code, _, body := f.do("POST", "/api/outbox/retry", budiToken, fmt.Sprintf(`{"ids": [%d]}`, failedID))
		var back tickets.OutboxRetried
		if code != http.StatusOK || json.Unmarshal(body, &back) != nil || len(back.Requeued) != 1 || back.Requeued[0].Status != tickets.OutboxPending ||
			back.Requeued[0].Attempts != 0 || back.Skipped == nil {
			t.Fatalf("retry: %d %s", code, body)
		}
		d, err := f.svc.Records.Detail(ctx, ref)
		if err != nil {
			t.Fatal(err)
		}
		if a := d.Audit[len(d.Audit)-1]; a.Actor != "budi" || a.Action != "outbox_retry" {
			t.Fatalf("audit %+v", a)
		}
		if got := list("?status=failed"); len(got) != 0 {
			t.Fatalf("still failed: %+v", got)
		}
		code, _, body = f.do("POST", "/api/outbox/retry", ayuToken, `{"failed": true, "channel": "email"}`)
		if code != http.StatusOK || strings.Join(strings.Fields(string(body)), "") != `{"requeued":[],"skipped":[]}` {
			t.Fatalf("nothing failed: %d %q", code, body)
		}

		// A DM that went by mail because the requester's DMs were closed:
		// refused by id (409, nothing changes), skipped with why by "failed".
		dm := f.dmSentByMail(ctx, tickets.SubmitRequest{Kind: tickets.KindRefund, Channel: tickets.ChannelDiscord,
			Requester: tickets.Requester{DiscordID: "77", Email: "dm@example.com"}, Order: "7301000000000000033", Details: "d"},
			"direct messages closed (50007)")
		all = list("")
		code, _, body = f.do("POST", "/api/outbox/retry", ayuToken, fmt.Sprintf(`{"ids": [%d]}`, dm.ID))
		if code != http.StatusConflict || !strings.Contains(string(body), "would send it twice") {
			t.Fatalf("retry of a re-routed DM: %d %s", code, body)
		}
		code, _, body = f.do("POST", "/api/outbox/retry", ayuToken, `{"failed": true}`)
		back = tickets.OutboxRetried{}
		if code != http.StatusOK || json.Unmarshal(body, &back) != nil || len(back.Requeued) != 0 || len(back.Skipped) != 1 ||
			back.Skipped[0].ID != dm.ID || !strings.Contains(back.Skipped[0].Why, "by email to dm@example.com instead") {
			t.Fatalf("retry of every failed one: %d %s", code, body)
		}
		if after := list(""); fmt.Sprint(after) != fmt.Sprint(all) {
			t.Fatalf("a refused or skipped retry changed the outbox: %+v", after)
		}
	})
}

// dmSentByMail files a Discord request whose acknowledgement could not go
// by DM (the requester's DMs are closed): the DM is rerouted to mail and
// recorded as failed, for good. It returns the failed DM.
func (f *fixture) dmSentByMail(ctx context.Context, req tickets.SubmitRequest, why string) tickets.OutboxItem {
	f.t.Helper()
	if _, err := f.svc.Intake.Submit(ctx, req); err != nil {
		f.t.Fatal(err)
	}
	dms, err := f.svc.Delivery.ClaimOutbox(ctx, tickets.ChannelDiscord, 1, time.Minute)
	if err != nil || len(dms) != 1 {
		f.t.Fatalf("claim DM: %v %v", dms, err)
	}
	if _, err := f.svc.Delivery.Unreachable(ctx, dms[0], "closed (50007)"); err != nil {
		f.t.Fatal(err)
	}
	if err := f.svc.Delivery.FinishOutbox(ctx, dms[0], tickets.OutboxResult{Err: why, Permanent: true}); err != nil {
		f.t.Fatal(err)
	}
	return dms[0]
}
