package bot_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"refunddesk/bot"
	"refunddesk/internal/discordtest"
	"refunddesk/internal/sample"
	"refunddesk/internal/storetest"
	"refunddesk/templates"
	"refunddesk/tickets"
)

// BenchmarkInteractions drives the bot through the loopback fake of Discord
// at a steady rate (200 interactions/s by default) against a store of
// 1,000,000 tickets and 1,000,000 promotion records, and measures the time
// from INTERACTION_CREATE leaving the gateway to the interaction callback
// arriving. The mix: /status 35%, /queue 20%, /ticket show 20%, /refund
// 15%, the Claim button 10%. Target: p99 under 50 ms at 200/s.
func BenchmarkInteractions(b *testing.B) {
	n := storetest.BenchRows(b)
	rate := storetest.BenchEnv(b, "REFUNDDESK_BENCH_RATE", 200)
	count := storetest.BenchEnv(b, "REFUNDDESK_BENCH_INTERACTIONS", 3000)
	for it := 0; it < b.N; it++ {
		b.StopTimer()
		db, svc := storetest.Seeded(b, n, true)
		fake, err := discordtest.Start()
		if err != nil {
			b.Fatal(err)
		}
		tpl, _ := templates.New()
		cfg := bot.Config{Token: "t", ApplicationID: fake.AppID(), GuildID: guild, AgentRoleIDs: []string{agentRole},
			AgentChannelID: agentChannel, APIURL: fake.URL(), RequestsPerHour: 1000}
		bt, err := bot.New(cfg, bot.Options{Service: svc, Cards: db, Templates: tpl})
		if err != nil {
			b.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		if err := bt.Start(ctx); err != nil {
			b.Fatal(err)
		}
		if err := fake.WaitReady(ctx); err != nil {
			b.Fatal(err)
		}
		go bt.Run(ctx, 500*time.Millisecond) // DMs and agent cards, as in production

		r := rand.New(rand.NewPCG(5, 6))
		type sent struct {
			id, kind string
			took     time.Duration
		}
		all := make([]sent, 0, count)
		b.StartTimer()
		start := time.Now()
		tick := time.NewTicker(time.Second / time.Duration(rate))
		for k := 0; k < count; k++ {
			<-tick.C
			i, kind := benchInteraction(fake, r, n, k)
			all = append(all, sent{id: i.ID, kind: kind})
			if err := fake.SendInteraction(i); err != nil {
				b.Fatal(err)
			}
		}
		tick.Stop()
		elapsed := time.Since(start)
		wctx, wcancel := context.WithTimeout(ctx, 60*time.Second)
		for j := range all {
			cb, err := fake.WaitCallback(wctx, all[j].id)
			if err != nil {
				b.Fatalf("no answer to %s: %v", all[j].id, err)
			}
			all[j].took = cb.Latency()
		}
		wcancel()
		b.StopTimer()
		cancel()
		bt.Close()
		fake.Close()
		// Slowest first: the head says where to look next.
		slices.SortFunc(all, func(a, b sent) int { return int(b.took - a.took) })
		for _, s := range all[:min(8, len(all))] {
			b.Logf("slow: %-8s %v", s.kind, s.took.Round(time.Millisecond))
		}
		ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
		slower := func(p float64) float64 { return ms(all[min(len(all)-1, int(p*float64(len(all))))].took) }
		b.ReportMetric(float64(count)/elapsed.Seconds(), "interactions/s")
		b.ReportMetric(slower(0.50), "p50-ms")
		b.ReportMetric(slower(0.01), "p99-ms")
		b.ReportMetric(ms(all[0].took), "max-ms")
		b.StartTimer()
	}
}

// benchInteraction is the k-th interaction of the mix, and its kind.
func benchInteraction(fake *discordtest.Server, r *rand.Rand, n, k int) (*discordgo.Interaction, string) {
	// Requesters of the seeded tickets have Discord ids 400000000000000000+[0, n/3).
	userID := strconv.FormatInt(400000000000000000+int64(r.IntN(max(n/3, 1))), 10)
	ref := tickets.FormatRef(int64(1 + r.IntN(n)))
	agentOpts := []discordtest.InteractionOption{discordtest.WithUser("900", "ayu"), discordtest.InGuild(guild, agentChannel), discordtest.WithRoles(agentRole)}
	userOpts := []discordtest.InteractionOption{discordtest.WithUser(userID, "creator"), discordtest.InGuild(guild, requestChan)}
	switch x := r.IntN(100); {
	case x < 35:
		return fake.Command("status", userOpts...), "status"
	case x < 55:
		q := []string{"status:in_review", "assignee:me status:open", "kind:refund verdict:eligible", "overdue"}[r.IntN(4)]
		return fake.Command("queue", append(agentOpts, discordtest.StringOpt("query", q))...), "queue"
	case x < 75:
		return fake.Command("ticket", append(agentOpts, discordtest.Subcommand("show", discordtest.StringOpt("ref", ref)))...), "show"
	case x < 90:
		order := sample.OrderNumber(r.IntN(n))
		return fake.Command("refund", append(userOpts, discordtest.StringOpt("account", sample.Account(r.IntN(n/4+1))),
			discordtest.StringOpt("order", order), discordtest.StringOpt("reason", "under_delivery"),
			discordtest.StringOpt("details", fmt.Sprintf("request %d", k)))...), "refund"
	default:
		return fake.Button("claim:"+ref, agentOpts...), "claim"
	}
}
