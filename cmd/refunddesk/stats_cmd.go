package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"refunddesk/tickets"
)

func (m *Main) statsCommand() *cobra.Command {
	var from, to, zone string
	var asJSON, asCSV bool
	cmd := &cobra.Command{
		Use:   "stats [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--tz ZONE] [--json|--csv]",
		Short: "The dashboard's figures: tickets per day, verdicts, refunds, first responses, decisions, reopens",
		Long: `Figures about the tickets created in a period, from the first day to the last,
both included, days counted in a time zone (--tz, an IANA name such as
Asia/Jakarta; default UTC). Without --from and --to: the last 30 days, today
included. --csv writes the same figures as the web console's download, money
in major units with the currency's decimals.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if asJSON && asCSV {
				return usageError{fmt.Errorf("--json or --csv, not both")}
			}
			q, err := tickets.ParseStatsQuery(from, to, zone)
			if err != nil {
				return err
			}
			svc, err := m.service(cmd.Context())
			if err != nil {
				return err
			}
			st, err := svc.Records.PeriodStats(cmd.Context(), q)
			if err != nil {
				return err
			}
			switch {
			case asJSON:
				return writeJSON(m.Stdout, st)
			case asCSV:
				return st.WriteCSV(m.Stdout)
			}
			return printStats(m.Stdout, st, q.Location)
		},
	}
	cmd.Flags().StringVar(&from, "from", "", "the first day (default: 29 days before --to)")
	cmd.Flags().StringVar(&to, "to", "", "the last day, included (default: today)")
	cmd.Flags().StringVar(&zone, "tz", "", "the time zone days are counted in (default UTC)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd.Flags().BoolVar(&asCSV, "csv", false, "print CSV")
	return cmd
}

// printStats writes the figures for a terminal.
func printStats(w io.Writer, st *tickets.PeriodStats, loc *time.Location) error {
	last := st.To.In(loc).AddDate(0, 0, -1)
	fmt.Fprintf(w, "Tickets created %s to %s (%s): %d\n", st.From.In(loc).Format(time.DateOnly), last.Format(time.DateOnly), st.Zone, st.Tickets)
	fmt.Fprintf(w, "  by channel: %s\n", counts(tickets.Channels, st.ByChannel))
	fmt.Fprintf(w, "  by kind:    %s\n", counts(tickets.Kinds, st.ByKind))
	fmt.Fprintf(w, "Verdicts: %s\n", counts(tickets.Verdicts, st.Verdicts))
	fmt.Fprintln(w, "Refunds approved, and paid:")
	if len(st.Refunds) == 0 {
		fmt.Fprintln(w, "  none")
	}
	for _, r := range st.Refunds {
		fmt.Fprintf(w, "  %-20s %-4s %3d approved %14s   %3d paid %14s\n", dash(string(r.Reason)), r.Amount.Currency, r.Approved,
			tickets.FormatAmount(r.Amount.Amount, r.Amount.Currency), r.Paid, tickets.FormatAmount(r.PaidOut.Amount, r.PaidOut.Currency))
	}
	fr := st.FirstResponse
	kept, of := fr.KeptShare()
	fmt.Fprintf(w, "First response within %s: %d of %d%s, %d still inside the target\n", fr.Target, kept, of, share(kept, of), fr.Pending)
	fmt.Fprintf(w, "Median time to a decision: %s (%d decided)\n", st.Decisions.Median.Round(time.Second), st.Decisions.Decided)
	fmt.Fprintf(w, "Reopened: %d of %d finished%s\n\n", st.Reopens.Reopened, st.Reopens.Finished, share(st.Reopens.Reopened, st.Reopens.Finished))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "DATE\tTOTAL\tEMAIL\tDISCORD\tAGENT\tREFUND\tREVOCATION\t")
	for _, d := range st.Days {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%d\t\n", d.Date, d.Total, d.ByChannel[tickets.ChannelEmail], d.ByChannel[tickets.ChannelDiscord],
			d.ByChannel[tickets.ChannelAgent], d.ByKind[tickets.KindRefund], d.ByKind[tickets.KindRevocation])
	}
	return tw.Flush()
}

// counts writes "a 3, b 0" in the order of keys, then any other key seen.
func counts[K ~string](keys []K, n map[K]int) string {
	var parts []string
	seen := map[K]bool{}
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s %d", k, n[k]))
		seen[k] = true
	}
	for k, v := range n {
		if !seen[k] {
			parts = append(parts, fmt.Sprintf("%s %d", dash(string(k)), v))
		}
	}
	return strings.Join(parts, ", ")
}

// share is " (83.3%)", or nothing out of none.
func share(n, of int) string {
	if of == 0 {
		return ""
	}
	return fmt.Sprintf(" (%.1f%%)", float64(n)*100/float64(of))
}
