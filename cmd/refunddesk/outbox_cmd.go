package main

import (
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"refunddesk/tickets"
)

// outboxRetryCommand puts failed messages back in the outbox.
func (m *Main) outboxRetryCommand() *cobra.Command {
	var failed, asJSON bool
	var channel, as string
	cmd := &cobra.Command{
		Use:   "retry ID... | --failed [--channel email|discord]",
		Short: "Put failed messages back in the queue (by id, or every failed one)",
		Long: `Puts messages that failed (outbox list --failed) back in the queue, due now
and with their tries counted from zero, once what made them fail is fixed (a
mailbox restored, a DM opened). Each is recorded in its ticket's audit trail
under the agent. With --failed, every failed email and Discord message (or
only --channel's), except those whose message already went another way (a
Discord message sent by mail when the requester's DMs were closed): those
are listed as skipped, with why. Only messages to requesters are put back,
not the agents' cards and alerts (exit 2). An id that does not exist
(exit 3), or a message that has not failed or already went another way
(exit 4), changes nothing.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			r := tickets.OutboxRetry{Failed: failed, Channel: tickets.Channel(channel)}
			for _, a := range args {
				id, err := strconv.ParseInt(strings.TrimPrefix(a, "#"), 10, 64)
				if err != nil || id <= 0 {
					return usageError{fmt.Errorf("outbox retry: %q is not an outbox id (outbox list shows them)", a)}
				}
				r.IDs = append(r.IDs, id)
			}
			svc, err := m.service(cmd.Context())
			if err != nil {
				return err
			}
			res, err := svc.Delivery.RetryOutbox(cmd.Context(), m.agent(as), r)
			if err != nil {
				return err
			}
			if err := m.explain(&res); err != nil { // why an item was skipped, in words
				return err
			}
			if asJSON {
				if res.Requeued == nil {
					res.Requeued = []tickets.OutboxItem{}
				}
				if res.Skipped == nil {
					res.Skipped = []tickets.OutboxSkipped{}
				}
				return m.writeTicketsJSON(&res)
			}
			items := res.Requeued
			if len(items) == 0 {
				fmt.Fprintln(m.Stdout, "no failed messages to put back")
			} else {
				fmt.Fprintf(m.Stdout, "%d message(s) put back in the queue:\n", len(items))
				tw := tabwriter.NewWriter(m.Stdout, 0, 0, 2, ' ', 0)
				fmt.Fprintln(tw, "ID\tTICKET\tTEMPLATE\tTO\tLAST ERROR")
				for _, o := range items {
					fmt.Fprintf(tw, "%d\t%s\t%s\t%s %s\t%s\n", o.ID, dash(o.TicketRef), o.Template, o.Channel, o.Recipient, oneLine(dash(o.LastError), 60))
				}
				if err := tw.Flush(); err != nil {
					return err
				}
			}
			if len(res.Skipped) > 0 {
				fmt.Fprintf(m.Stdout, "%d failed message(s) skipped:\n", len(res.Skipped))
				for _, o := range res.Skipped {
					fmt.Fprintf(m.Stdout, "  %d  %s  %s to %s %s: %s\n", o.ID, dash(o.TicketRef), o.Template, o.Channel, o.Recipient, o.Why)
				}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&failed, "failed", false, "every failed message (email and Discord)")
	cmd.Flags().StringVar(&channel, "channel", "", "with --failed: only email or only discord")
	cmd.Flags().StringVar(&as, "as", "", "the agent acting")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

// printSent says what a sending run did.
func printSent(m *Main, st tickets.DeliveryStats) {
	fmt.Fprintf(m.Stdout, "%d sent, %d to try again later, %d failed", st.Sent, st.Retried, st.Failed)
	if st.Deferred > 0 {
		fmt.Fprintf(m.Stdout, ", %d waiting for the SMTP session (not counted as tries)", st.Deferred)
	}
	fmt.Fprintln(m.Stdout)
}
