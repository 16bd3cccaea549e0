package bot

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"refunddesk/internal/storetest"
	"refunddesk/templates"
	"refunddesk/tickets"
	"refunddesk/tickets/sqlstore"
)

// notFound answers every download with 404, at once.
type notFound struct{}

func (notFound) RoundTrip(r *http.Request) (*http.Response, error) {
	return &http.Response{StatusCode: http.StatusNotFound, Body: io.NopCloser(strings.NewReader("")), Request: r}, nil
}

// FuzzInteractionOptions: whatever a slash command's data holds (names,
// option types and values, subcommands, resolved attachments), the bot
// answers — with no panic — and says what is wrong in words rather than
// "something went wrong", which is kept for a failure of the desk itself.
// The data is JSON as the gateway delivers it, for a requester's command
// and for an agent's.
func FuzzInteractionOptions(f *testing.F) {
	for _, s := range []string{
		`{"name":"refund","options":[{"name":"account","type":3,"value":"@rani"},{"name":"order","type":3,"value":"7301234567890000021"},` +
			`{"name":"reason","type":3,"value":"under_delivery"},{"name":"details","type":3,"value":"only 2k views"}]}`,
		`{"name":"refund","options":[{"name":"order","type":3,"value":"73-01"},{"name":"evidence","type":11,"value":"9"}],` +
			`"resolved":{"attachments":{"9":{"id":"9","filename":"a.png","url":"http://cdn.invalid/a.png","size":10}}}}`,
		`{"name":"revoke","options":[{"name":"account","type":3,"value":"@rani"},{"name":"reason","type":3,"value":"stop"}]}`,
		`{"name":"status","options":[{"name":"ref","type":3,"value":"RD-1"}]}`,
		`{"name":"evidence","options":[{"name":"ref","type":3,"value":"RD-1"},{"name":"file","type":11,"value":"1"}]}`,
		`{"name":"reply","options":[{"name":"ref","type":3,"value":"RD-1"},{"name":"text","type":3,"value":"here"}]}`,
		`{"name":"queue","options":[{"name":"query","type":3,"value":"status:open -overdue"}]}`,
		`{"name":"queue","options":[{"name":"query","type":3,"value":"x\u0000"}]}`,
		`{"name":"ticket","options":[{"name":"assign","type":1,"options":[{"name":"ref","type":3,"value":"RD-1"},{"name":"agent","type":3,"value":"me"}]}]}`,
		`{"name":"ticket","options":[{"name":"show","type":1,"options":[{"name":"ref","type":3,"value":"1"}]}]}`,
		`{"name":"ticket","options":[{"name":"escalate","type":1}]}`,
		`{"name":"promo","options":[{"name":"order","type":3,"value":"7301234567890000021"}]}`,
		`{"name":"refund","options":[{"name":"account","type":3,"value":5}]}`,
		`{"name":"ticket","options":[]}`, `{}`, `{"name":"ticket","options":[null]}`,
		`{"name":"refund","options":[null,{"name":"evidence","type":11,"value":7}],"resolved":{"attachments":{"7":null}}}`,
	} {
		f.Add([]byte(s), false)
		f.Add([]byte(s), true)
	}
	clock := storetest.NewClock(time.Date(2026, 11, 16, 4, 0, 0, 0, time.UTC))
	db := storetest.Open(f, sqlstore.SQLite, clock)
	svc := tickets.NewService(db, tickets.Options{Clock: clock})
	records := strings.Join(tickets.PromotionColumns, ",") + "\n" +
		"7301234567890000021,@rani,7300000000000000001,views,100000,IDR,wallet,2026-11-01T09:00:00Z,2026-11-01T10:00:00Z,2026-11-08T10:00:00Z,,completed,10000,2000,100000,false,0\n"
	if _, err := svc.Records.ImportPromotions(context.Background(), strings.NewReader(records), tickets.ImportOptions{File: "r.csv"}); err != nil {
		f.Fatal(err)
	}
	tpl, err := templates.New()
	if err != nil {
		f.Fatal(err)
	}
	b := &Bot{cfg: Config{AgentRoleIDs: []string{"agents"}, RequestsPerHour: 1 << 30}, svc: svc, log: slog.New(slog.DiscardHandler),
		cdn: &http.Client{Transport: notFound{}}, seen: newSeenSet(10), pages: newPageStore(), ctx: context.Background(), tpl: tpl}
	n := 0
	f.Fuzz(func(t *testing.T, data []byte, asAgent bool) {
		var d discordgo.ApplicationCommandInteractionData
		if json.Unmarshal(data, &d) != nil {
			return // the gateway would not have delivered it
		}
		n++
		i := &discordgo.Interaction{ID: "f" + strings.Repeat("1", n%7+1), Type: discordgo.InteractionApplicationCommand, Locale: "en-US",
			Data: d, GuildID: "g", Member: &discordgo.Member{User: &discordgo.User{ID: "42", Username: "ayu"}}}
		if asAgent {
			i.Member.Roles = []string{"agents"}
		}
		r := b.handle(context.Background(), i)
		if r == nil {
			t.Fatalf("no answer to %s", data)
		}
		known := map[string]bool{"refund": true, "revoke": true, "status": true, "evidence": true, "reply": true,
			"queue": true, "ticket": true, "promo": true}
		if known[d.Name] && r.content == b.say(tickets.LangEnglish, "error") {
			t.Fatalf("%s: answered %q, as for a failure of the desk", data, r.content)
		}
	})
}
