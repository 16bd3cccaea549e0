package main

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"refunddesk/tickets"
)

// requestersEraseCommand erases one requester's personal data (issue 17):
// their tickets stay, anonymised, with their bare facts.
func (m *Main) requestersEraseCommand() *cobra.Command {
	var email, discordID, as, agent string
	var dryRun, yes, asJSON bool
	cmd := &cobra.Command{
		Use:   "erase (--email ADDRESS | --discord-id ID) [--dry-run | --yes] [--as AGENT]",
		Short: "Erase one requester's personal data, keeping their tickets' bare facts",
		Long: `Erase everything the desk keeps about one person, found by their mail address
(any case) or Discord id: their contact details, account handle, details and
messages, their files (a file another person's ticket also has stays for it),
what they wrote on other people's tickets (what others wrote on theirs stays),
the messages to them in the outbox, the records of their mail set aside, and
every mention of them (address, Discord id, account handle, name) in other
people's text. Their tickets stay, anonymised: reference, kind,
order, reason, verdict, amounts, statuses, dates and assignee, so the accounts
and the dashboard still add up; each gets an audit entry saying who erased it
and when. All of it in one transaction.

It refuses, changing nothing, while a refund of theirs is approved and not yet
paid. --dry-run counts what would go and changes nothing; without --dry-run,
--yes is needed. See docs/personal-data.md.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if dryRun && yes {
				return usageError{errors.New("--dry-run or --yes, not both")}
			}
			if agent != "" {
				if as != "" && as != agent {
					return usageError{errors.New("--as and --agent name two agents: give one")}
				}
				as = agent
			}
			actor, err := m.actor(as)
			if err != nil {
				return err
			}
			svc, err := m.service(cmd.Context())
			if err != nil {
				return err
			}
			res, err := svc.Desk.Erase(cmd.Context(), tickets.EraseRequest{Email: email, DiscordID: discordID, Actor: actor,
				DryRun: dryRun || !yes})
			if err != nil {
				return err
			}
			if asJSON {
				if err := writeJSON(m.Stdout, res); err != nil {
					return err
				}
			} else if err := printErasure(m.Stdout, res); err != nil {
				return err
			}
			if !dryRun && !yes && !res.Nothing {
				return usageError{errors.New("nothing was erased: add --yes to erase it (or --dry-run to only count)")}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&email, "email", "", "the requester's mail address (any case)")
	cmd.Flags().StringVar(&discordID, "discord-id", "", "the requester's Discord id")
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "count what would be erased; change nothing")
	cmd.Flags().BoolVar(&yes, "yes", false, "erase: the data cannot be brought back")
	cmd.Flags().StringVar(&as, "as", "", "the agent erasing (default $REFUNDDESK_AGENT, then $USER, then the login name)")
	cmd.Flags().StringVar(&agent, "agent", "", "the same as --as")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	_ = cmd.Flags().MarkHidden("agent")
	return cmd
}

// printErasure says what an erasure did, or would do.
func printErasure(w io.Writer, r *tickets.ErasureResult) error {
	if r.Nothing {
		_, err := fmt.Fprintf(w, "nothing is kept about %s: erased already, or never written to the desk; nothing to erase\n", r.Who)
		return err
	}
	f := r.Found
	verb := "erased"
	if r.DryRun {
		verb = "would erase"
	}
	fmt.Fprintf(w, "%s the personal data of %s (by %s, %s UTC):\n", verb, r.Who, r.Actor, stamp(r.At))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	c := f.Counts
	fmt.Fprintf(tw, "  their tickets\t%d\t%s\n", c.Tickets, erasedRefs(f.Tickets))
	fmt.Fprintf(tw, "  others' tickets they wrote on\t%d\t%s\n", c.OtherTickets, erasedRefs(f.Others))
	fmt.Fprintf(tw, "  others' tickets that named them\t%d\t%s (%d mentions replaced)\n", c.MentionTickets, erasedRefs(f.Mentioned), c.Mentions)
	fmt.Fprintf(tw, "  messages\t%d\t\n", c.Messages)
	fmt.Fprintf(tw, "  files unlinked\t%d\t%d deleted, %d kept for another person's ticket\n", c.EvidenceLinks, c.Blobs, c.BlobsKept)
	fmt.Fprintf(tw, "  audit entries\t%d\t\n", c.AuditEntries)
	fmt.Fprintf(tw, "  follow-ups\t%d\t\n", c.Followups)
	fmt.Fprintf(tw, "  outbox\t%d\tunsent, never to be sent; %d sent or failed, kept without recipient and words\n",
		c.OutboxDeleted, c.OutboxBlanked)
	fmt.Fprintf(tw, "  idempotency keys\t%d\t\n", c.IntakeKeys)
	fmt.Fprintf(tw, "  mail set aside\t%d\t%s\n", c.InboundFailures, strings.Join(f.SetAside, ", "))
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(f.SetAside) > 0 {
		fmt.Fprintln(w, "The mails set aside are still in the mailbox where the intake put them: delete them there.")
	}
	if r.DryRun {
		_, err := fmt.Fprintln(w, "Nothing was changed.")
		return err
	}
	return nil
}

func erasedRefs(list []tickets.ErasedTicket) string {
	parts := make([]string, len(list))
	for i, t := range list {
		parts[i] = fmt.Sprintf("%s (%s, %s)", t.Ref, t.Kind, t.Status)
	}
	return strings.Join(parts, ", ")
}
