package main

import (
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"refunddesk/tickets"
)

// fixedClock is a clock that stays at one time (followups run --now).
type fixedClock time.Time

func (c fixedClock) Now() time.Time { return time.Time(c).UTC().Truncate(time.Microsecond) }

func (m *Main) followupsCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "followups", Short: "Reminders, escalations and auto-close: run what is due, list what is scheduled"}

	var once bool
	var now string
	run := &cobra.Command{
		Use:   "run [--once] [--now RFC3339]",
		Short: "Do the follow-ups that are due (with --once: one pass, then exit)",
		Long: `Does what is due: reminds requesters who were asked for information (48 h,
5 days), closes those tickets after 7 days of silence, tells agents about
tickets past the first-response target, tells requesters of revocations
waiting on the platform that it is in progress (3 days) and agents that it
is late (7 days), and reminds agents to resolve approved refunds (5 days).
Each follow-up is done once, however many of these run side by side.
--now runs as if it were that time, for tests and for catching up by hand:
what it does is real (messages are queued, tickets closed, at that time).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if now != "" {
				t, err := time.Parse(time.RFC3339, now)
				if err != nil {
					return usageError{fmt.Errorf("--now: %q is not an RFC 3339 time (2026-11-21T09:00:00Z)", now)}
				}
				m.Clock = fixedClock(t)
			}
			svc, err := m.service(cmd.Context())
			if err != nil {
				return err
			}
			report := func(st tickets.FollowupStats) {
				fmt.Fprintf(m.Stdout, "%d done, %d cancelled (the ticket had moved), %d done by another worker\n", st.Done, st.Cancelled, st.Skipped)
			}
			if once {
				var total tickets.FollowupStats
				for {
					st, err := svc.Followups.Run(cmd.Context(), 100)
					total.Done, total.Cancelled, total.Skipped = total.Done+st.Done, total.Cancelled+st.Cancelled, total.Skipped+st.Skipped
					if err != nil || st.Done+st.Cancelled+st.Skipped == 0 {
						report(total)
						return err
					}
				}
			}
			svc.Followups.RunEvery(cmd.Context(), m.config.Followups.Interval.Duration, func(st tickets.FollowupStats, err error) {
				if err != nil && cmd.Context().Err() == nil {
					m.log.Warn("follow-ups", "error", err)
				}
				if st.Done+st.Cancelled > 0 {
					report(st)
				}
			})
			return nil
		},
	}
	run.Flags().BoolVar(&once, "once", false, "do what is due now, then exit (for cron and tests)")
	run.Flags().StringVar(&now, "now", "", "run as if it were this time (RFC 3339)")

	var status, ref string
	var limit int
	var asJSON bool
	list := &cobra.Command{
		Use:   "list [--status pending|done|cancelled] [--ticket REF]",
		Short: "List follow-ups: pending ones soonest first, the others newest first",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			svc, err := m.service(cmd.Context())
			if err != nil {
				return err
			}
			f := tickets.FollowupFilter{Status: status, Limit: limit}
			if ref != "" {
				if f.TicketID, err = tickets.ParseRef(ref); err != nil {
					return err
				}
			}
			list, err := svc.Followups.List(cmd.Context(), f)
			if err != nil {
				return err
			}
			if err := m.explain(list); err != nil { // what each did, in words
				return err
			}
			if asJSON {
				return writeJSON(m.Stdout, list)
			}
			if len(list) == 0 {
				fmt.Fprintln(m.Stdout, "no follow-ups")
				return nil
			}
			now := svc.Now()
			tw := tabwriter.NewWriter(m.Stdout, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "TICKET\tKIND\tDUE\tSTATUS\tRESULT")
			for _, fu := range list {
				st := fu.Status
				if st == tickets.FollowupPending && !fu.DueAt.After(now) {
					st = "due"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", fu.TicketRef, fu.Kind, stamp(fu.DueAt), st, oneLine(dash(fu.Result), 70))
			}
			return tw.Flush()
		},
	}
	list.Flags().StringVar(&status, "status", tickets.FollowupPending, "pending, done or cancelled (empty: all)")
	list.Flags().StringVar(&ref, "ticket", "", "only this ticket's")
	list.Flags().IntVar(&limit, "limit", 50, "how many")
	list.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd.AddCommand(run, list)
	return cmd
}
