package main

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"refunddesk/internal/sample"
	"refunddesk/tickets"
)

// screenshot draws a small PNG that stands in for a requester's screenshot.
func screenshot(seed int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 240, 160))
	for y := 0; y < 160; y++ {
		for x := 0; x < 240; x++ {
			c := color.RGBA{R: 250, G: 250, B: 250, A: 255}
			if y < 24 {
				c = color.RGBA{R: 254, G: 44, B: 85, A: 255}
			} else if x > 20 && x < 220 && y > 40 && (y-40)%24 < 12 && x < 40+((seed*37+y*13)%180) {
				c = color.RGBA{R: 37, G: 244, B: 238, A: 255}
			}
			img.Set(x, y, c)
		}
	}
	var buf bytes.Buffer
	_ = png.Encode(&buf, img)
	return buf.Bytes()
}

// demoPicks finds orders in the generated records that show each rule.
type demoPicks struct {
	underDelivered, nothingDelivered, rejected, stopped, twin, closedEarly, mismatch *tickets.Promotion
}

func pickDemoOrders(n int, opt sample.Options, window time.Duration) demoPicks {
	var p demoPicks
	var prev tickets.Promotion
	recent := func(q *tickets.Promotion) bool {
		end, ok := q.EndedAt()
		return ok && opt.Now.Sub(end) < window-48*time.Hour && q.Refunded == 0
	}
	_ = sample.Promotions(n, opt, func(_ int, q *tickets.Promotion) error {
		c := *q
		switch {
		case p.twin == nil && prev.OrderNumber != "" && c.Account == prev.Account && c.VideoID == prev.VideoID &&
			c.Amount == prev.Amount && c.CreatedAt.Sub(prev.CreatedAt) <= 10*time.Minute && recent(&c):
			p.twin = &c
		case c.Status == tickets.PromoCompleted && recent(&c) && c.PromisedReach > 0 && c.DeliveredReach > 0 &&
			c.DeliveredReach*100 < 60*c.PromisedReach && p.underDelivered == nil:
			p.underDelivered = &c
		case c.Status == tickets.PromoCompleted && recent(&c) && c.DeliveredReach == 0 && p.nothingDelivered == nil:
			p.nothingDelivered = &c
		case c.Status == tickets.PromoRejected && recent(&c) && p.rejected == nil:
			p.rejected = &c
		case c.Status == tickets.PromoStoppedByPlatform && recent(&c) && c.Spend < c.Amount && p.stopped == nil:
			p.stopped = &c
		case c.Status == tickets.PromoClosed && recent(&c) && p.closedEarly == nil:
			p.closedEarly = &c
		case c.Status == tickets.PromoCompleted && recent(&c) && p.mismatch == nil && c.DeliveredReach*100 >= 80*c.PromisedReach:
			p.mismatch = &c
		}
		prev = c
		return nil
	})
	return p
}

// demoRecords says which store the demo uses, imports its generated
// promotion records and authorizations (the same ones all day: imports are
// idempotent) and picks orders that show each rule.
func (m *Main) demoRecords(ctx context.Context, svc *tickets.Service, records int) (demoPicks, sample.Options, error) {
	out := m.Stdout
	fmt.Fprintf(out, "refunddesk demo, store %s\n\n", m.config.Store.DSN)
	opt := sample.Options{Seed: 42, Now: svc.Now().Truncate(24 * time.Hour), Days: 60}
	var buf bytes.Buffer
	if err := sample.WritePromotionsCSV(&buf, records, opt); err != nil {
		return demoPicks{}, opt, err
	}
	sum, err := svc.Records.ImportPromotions(ctx, &buf, tickets.ImportOptions{File: "sample-promotions.csv"})
	if err != nil {
		return demoPicks{}, opt, err
	}
	fmt.Fprintf(out, "promotions: %d read, %d inserted, %d updated, %d unchanged\n", sum.Read, sum.Inserted, sum.Updated, sum.Unchanged)
	buf.Reset()
	if err := sample.WriteAuthorizationsCSV(&buf, 200, opt); err != nil {
		return demoPicks{}, opt, err
	}
	asum, err := svc.Records.ImportAuthorizations(ctx, &buf, tickets.ImportOptions{File: "sample-authorizations.csv"})
	if err != nil {
		return demoPicks{}, opt, err
	}
	fmt.Fprintf(out, "authorizations: %d read, %d inserted, %d updated, %d unchanged\n\n", asum.Read, asum.Inserted, asum.Updated, asum.Unchanged)
	return pickDemoOrders(records, opt, time.Duration(svc.Policy().WindowDays)*24*time.Hour), opt, nil
}

func (m *Main) demoFillCommand() *cobra.Command {
	var records int
	cmd := &cobra.Command{
		Use:   "fill",
		Short: "Fill the store with sample records and requests, and print the queue",
		Long: `Set up a desk to try without running anything: imports generated promotion
records and authorizations, files a few sample requests in English and
Indonesian (by mail, Discord and an agent) that show the policy's rules, and
prints the queue. Running it again changes nothing on the same day: imports
are idempotent and the requests carry idempotency keys.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			svc, err := m.service(ctx)
			if err != nil {
				return err
			}
			out := m.Stdout
			picks, opt, err := m.demoRecords(ctx, svc, records)
			if err != nil {
				return err
			}
			shot := func(i int) []tickets.File {
				return []tickets.File{{Name: fmt.Sprintf("screenshot-%d.png", i), Data: screenshot(i)}}
			}
			var reqs []tickets.SubmitRequest
			add := func(p *tickets.Promotion, r tickets.SubmitRequest) {
				if p == nil && r.Kind == tickets.KindRefund && r.Order == "" {
					return
				}
				if p != nil {
					if r.Account == "" {
						r.Account = p.Account
					}
					r.Order = p.OrderNumber
				}
				reqs = append(reqs, r)
			}
			add(picks.underDelivered, tickets.SubmitRequest{Kind: tickets.KindRefund, Channel: tickets.ChannelEmail,
				Requester: tickets.Requester{Email: "rani.putri@example.id", Name: "Rani Putri"}, Reason: tickets.ReasonUnderDelivery,
				Details:  "Halo kak, promosi video saya sudah selesai tapi jangkauannya jauh di bawah perkiraan. Mohon dibantu pengembalian dananya. Terima kasih.",
				Evidence: shot(1)})
			add(picks.nothingDelivered, tickets.SubmitRequest{Kind: tickets.KindRefund, Channel: tickets.ChannelDiscord,
				Requester: tickets.Requester{DiscordID: "412345678901234567", Name: "danny.k"}, Reason: tickets.ReasonTechnicalError,
				Details: "My promotion never ran, the ad shows zero views after the whole period. I paid and got nothing."})
			add(picks.rejected, tickets.SubmitRequest{Kind: tickets.KindRefund, Channel: tickets.ChannelEmail,
				Requester: tickets.Requester{Email: "maya@example.com", Name: "Maya"}, Reason: tickets.ReasonRejected,
				Details: "The promotion was rejected in review but the money was taken from my wallet."})
			add(picks.stopped, tickets.SubmitRequest{Kind: tickets.KindRefund, Channel: tickets.ChannelAgent, Actor: "demo-agent",
				Requester: tickets.Requester{Email: "bagus@example.id"}, Reason: tickets.ReasonStoppedByPlatform,
				Details: "Promosi saya dihentikan oleh platform karena pelanggaran kebijakan, saya minta sisa saldo dikembalikan."})
			add(picks.twin, tickets.SubmitRequest{Kind: tickets.KindRefund, Channel: tickets.ChannelEmail,
				Requester: tickets.Requester{Email: "sinta@example.id"}, Reason: tickets.ReasonDuplicateCharge,
				Details: "Saya ditagih dua kali untuk promosi yang sama, struk terlampir.", Evidence: shot(2)})
			add(picks.closedEarly, tickets.SubmitRequest{Kind: tickets.KindRefund, Channel: tickets.ChannelDiscord,
				Requester: tickets.Requester{DiscordID: "498765432109876543", Name: "joshplays"}, Reason: tickets.ReasonClosedEarly,
				Details: "I stopped my promotion after one day because I changed the video. Can I get the rest back?"})
			add(nil, tickets.SubmitRequest{Kind: tickets.KindRefund, Channel: tickets.ChannelEmail,
				Requester: tickets.Requester{Email: "ahmad@example.id"}, Account: "@ahmad.creates", Order: "7309999999999999999",
				Reason: tickets.ReasonUnderDelivery, Details: "Views sangat sedikit, tolong cek pesanan saya.", Evidence: shot(3)})
			if picks.mismatch != nil {
				add(picks.mismatch, tickets.SubmitRequest{Kind: tickets.KindRefund, Channel: tickets.ChannelEmail,
					Requester: tickets.Requester{Email: "lina@example.com"}, Account: "@lina_official", Reason: tickets.ReasonOther,
					Details: "I want a refund for this order, the results were not what I expected."})
			}
			add(nil, tickets.SubmitRequest{Kind: tickets.KindRevocation, Channel: tickets.ChannelEmail,
				Requester: tickets.Requester{Email: "creator0@example.id"}, Account: sample.Account(0),
				Details: "Saya ingin mencabut izin penggunaan konten saya untuk promosi."})

			fmt.Fprintln(out, "Sample requests:")
			for i, r := range reqs {
				r.IdempotencyKey = fmt.Sprintf("demo-%s-%d", opt.Now.Format("20060102"), i+1)
				res, err := svc.Intake.Submit(ctx, r)
				if err != nil {
					return fmt.Errorf("sample request %d: %w", i+1, err)
				}
				t := res.Ticket
				fmt.Fprintf(out, "  %-6s %-10s %-8s %-20s %-12s %s\n", t.Ref, t.Channel, t.Language, dash(string(t.Reason)), t.Eligibility.Verdict, res.Outcome)
			}
			fmt.Fprintln(out, "\nThe queue (refunddesk tickets list):")
			res, err := svc.Records.Search(ctx, "", "", 20, "")
			if err != nil {
				return err
			}
			printTicketTable(out, res.Tickets, svc.Now(), svc.SLA().FirstResponse)
			first := "RD-1"
			if len(res.Tickets) > 0 {
				first = res.Tickets[len(res.Tickets)-1].Ref
			}
			bin := commandName()
			fmt.Fprintf(out, `
Try:
  %[1]s tickets show %[2]s
  %[1]s tickets list 'verdict:eligible status:in_review'
  %[1]s tickets list 'language:id -verdict:ineligible' --json
  %[1]s tickets approve %[2]s --as ayu
  %[1]s promotions show %[3]s
  %[1]s policy show
`, bin, first, firstOrder(picks))
			return nil
		},
	}
	cmd.Flags().IntVar(&records, "records", 2000, "how many promotion records to generate")
	return cmd
}

// commandName is how the user can run this binary again from here.
func commandName() string {
	exe, err := os.Executable()
	if err != nil {
		return "refunddesk"
	}
	if strings.Contains(exe, "go-build") {
		return "go run ./cmd/refunddesk"
	}
	if wd, err := os.Getwd(); err == nil {
		if rel, err := filepath.Rel(wd, exe); err == nil && !strings.HasPrefix(rel, "..") {
			return "./" + rel
		}
	}
	return "refunddesk"
}

func firstOrder(p demoPicks) string {
	if p.underDelivered != nil {
		return p.underDelivered.OrderNumber
	}
	return sample.OrderNumber(0)
}

func (m *Main) sampleCommand() *cobra.Command {
	var count int
	var format, outPath string
	var seed int64
	write := func(fn func(io.Writer, int, sample.Options) error) func(*cobra.Command, []string) error {
		return func(cmd *cobra.Command, _ []string) error {
			w := m.Stdout
			if outPath != "" && outPath != "-" {
				f, err := os.Create(outPath)
				if err != nil {
					return usageError{err}
				}
				defer f.Close()
				w = f
			}
			clock := m.Clock
			if clock == nil {
				clock = tickets.SystemClock{}
			}
			return fn(w, count, sample.Options{Seed: seed, Now: clock.Now().Truncate(24 * time.Hour)})
		}
	}
	promos := &cobra.Command{
		Use:   "promotions",
		Short: "Write generated promotion records (CSV or JSON Lines)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			switch format {
			case "csv":
				return write(sample.WritePromotionsCSV)(cmd, args)
			case "jsonl":
				return write(sample.WritePromotionsJSONL)(cmd, args)
			}
			return usageError{fmt.Errorf("--format: %q is not csv or jsonl", format)}
		},
	}
	auths := &cobra.Command{
		Use:   "authorizations",
		Short: "Write generated authorizations (CSV)",
		Args:  cobra.NoArgs,
		RunE:  write(sample.WriteAuthorizationsCSV),
	}
	for _, c := range []*cobra.Command{promos, auths} {
		c.Flags().IntVar(&count, "count", 1000, "how many records")
		c.Flags().Int64Var(&seed, "seed", 1, "the same seed gives the same records")
		c.Flags().StringVarP(&outPath, "output", "o", "", "file to write (default standard output)")
	}
	promos.Flags().StringVar(&format, "format", "csv", "csv or jsonl")
	cmd := &cobra.Command{Use: "sample", Short: "Generate sample data (for trying things out and for benchmarks)"}
	cmd.AddCommand(promos, auths)
	return cmd
}
