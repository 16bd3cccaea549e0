package web_test

import (
	"strings"
	"testing"

	"refunddesk/internal/storetest"
	"refunddesk/tickets"
)

// The ticket's page says where a field came from beside it, in the agent's
// language: an account taken from the order's record, one from the
// signature, a reason from the forwarded mail; the requester's own words are
// not marked (issue 16).
func TestTicketPageSources(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f, b := actFixture(t, dialect)
		f.addAgent("sari", ayuPW, "id")
		sari := f.browser()
		sari.mustSignIn("sari", ayuPW)

		fromRecord := f.request("7301000000000000044", "", "Dewi", "id")
		res, err := f.svc.Intake.Submit(f.ctx, tickets.SubmitRequest{Kind: tickets.KindRefund, Channel: tickets.ChannelEmail,
			Requester: tickets.Requester{Email: "citra@example.com"}, Account: "@citra", Order: "7301000000000000033",
			Reason: tickets.ReasonStoppedByPlatform, Details: "see below", Language: "en",
			Sources: tickets.Sources{"account": tickets.SourceSignature, "reason": tickets.SourceForwarded}})
		if err != nil {
			t.Fatal(err)
		}
		signed := res.Ticket.Ref

		p := b.get("/tickets/" + fromRecord)
		p.want(t, 200, `<dd>@dewi <span class="source">(taken from the order&#39;s record)</span></dd>`,
			"The request names no account.")
		if strings.Contains(p.body, "written by the requester") {
			t.Fatalf("the requester's own words are marked:\n%s", p.body)
		}
		sari.get("/tickets/"+fromRecord).want(t, 200, `<dd>@dewi <span class="source">(diambil dari catatan pesanan)</span></dd>`)

		b.get("/tickets/"+signed).want(t, 200, `<dd>@citra <span class="source">(from the signature)</span></dd>`,
			`<span class="source">(from the forwarded mail)</span></dd>`)
		sari.get("/tickets/"+signed).want(t, 200, `<span class="source">(dari tanda tangan)</span>`,
			`<span class="source">(dari email yang diteruskan)</span>`)
	})
}
