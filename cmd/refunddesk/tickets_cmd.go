package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"refunddesk/templates"
	"refunddesk/tickets"
)

func (m *Main) ticketsCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "tickets",
		Short: "The queue: list, show, submit, and act on tickets",
	}
	cmd.AddCommand(m.listCommand(), m.showCommand(), m.submitCommand(), m.editCommand(), m.attachCommand(), m.downloadCommand())
	for _, a := range tickets.Actions {
		cmd.AddCommand(m.actionCommand(a))
	}
	return cmd
}

const queryHelp = `A query is terms ANDed together:
  status:in_review kind:refund reason:under_delivery verdict:eligible
  account:@name order:7301234567890123456 (order:7301* for a prefix)
  channel:email|discord|agent assignee:me|none|NAME flag:account_mismatch
  language:id|en ref:RD-12 older:2d (created more than 2 days ago)
  updated:>2026-11-01 created:2026-11-01..2026-11-05 overdue "free text" word
  sort:created|-created|updated|-updated (default -created, newest first)
-term negates a term; status:new,in_review is an OR within a field;
status:open is every status before resolved and closed.`

func (m *Main) listCommand() *cobra.Command {
	var asJSON, all bool
	var limit int
	var after, as string
	cmd := &cobra.Command{
		Use:   "list [QUERY...]",
		Short: "List the tickets a query matches",
		// Terms may start with "-" (-status:closed): see queryArgs.
		Annotations: map[string]string{annotationQueryArgs: "true"},
		Long:        "List the tickets a query matches (all tickets without one), a page at a time.\n\n" + queryHelp,
		Example: `  refunddesk tickets list status:in_review kind:refund older:1d
  refunddesk tickets list 'assignee:me -status:closed sort:updated'
  refunddesk tickets list overdue --json
  refunddesk tickets list status:open --all | jq -r .ref`,
		RunE: func(cmd *cobra.Command, args []string) error {
			svc, err := m.service(cmd.Context())
			if err != nil {
				return err
			}
			query := strings.Join(args, " ")
			if all {
				if !cmd.Flags().Changed("limit") {
					limit = tickets.MaxPageSize
				}
				return m.streamTickets(cmd.Context(), svc, query, m.agent(as), limit, after)
			}
			res, err := svc.Records.Search(cmd.Context(), query, m.agent(as), limit, after)
			if err != nil {
				return err
			}
			if asJSON {
				m.printMore(res.Next)
				return m.writeTicketsJSON(res.Tickets)
			}
			if len(res.Tickets) == 0 {
				fmt.Fprintln(m.Stdout, "no tickets match")
				return nil
			}
			printTicketTable(m.Stdout, res.Tickets, svc.Now(), svc.SLA().FirstResponse)
			if res.Next != "" {
				fmt.Fprintf(m.Stderr, "more: add --after %s\n", res.Next)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print a JSON array of tickets (the next page's --after on standard error)")
	cmd.Flags().BoolVar(&all, "all", false, "every match, through all pages, one JSON object a line (JSON Lines)")
	cmd.Flags().IntVar(&limit, "limit", tickets.DefaultPageSize, fmt.Sprintf("tickets per page (at most %d)", tickets.MaxPageSize))
	cmd.Flags().StringVar(&after, "after", "", "continue after the page that printed this cursor")
	cmd.Flags().StringVar(&as, "as", "", "who you are, for assignee:me (default $REFUNDDESK_AGENT, then $USER, then the login name)")
	return cmd
}

func (m *Main) showCommand() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "show REF",
		Short: "Show a ticket: fields, verdict and its rules, evidence, conversation, audit trail",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			svc, err := m.service(cmd.Context())
			if err != nil {
				return err
			}
			d, err := svc.Records.Detail(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			if err := m.explain(d); err != nil {
				return err
			}
			if asJSON {
				return writeJSON(m.Stdout, d)
			}
			cat, err := m.words()
			if err != nil {
				return err
			}
			// Where the fields came from, beside them: "(taken from the order's record)".
			notes := cat.SourceNotes(&d.Ticket, templates.FallbackLanguage)
			printDetail(m.Stdout, d, notes, svc.Now(), svc.SLA().FirstResponse)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func (m *Main) submitCommand() *cobra.Command {
	var kind, account, order, reason, details, email, discordID, name, language, key, as string
	var evidence []string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "submit",
		Short: "File a request on someone's behalf",
		Long: `File a request as an agent (channel "agent"). It goes through the same intake
as mail and Discord: fields are checked, the verdict is computed, a request for
an order that already has an open ticket joins it, and --key makes a retry safe.
With --email or --discord-id the requester is told (through the outbox).

Reasons: under_delivery, technical_error, rejected, stopped_by_platform,
duplicate_charge, closed_early, wrong_video, changed_mind, other.`,
		Example: `  refunddesk tickets submit --kind refund --account @rani --order 7301234567890000021 \
      --reason under_delivery --details "Only 2k views of 50k promised" --evidence shot.png --email rani@example.com`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			svc, err := m.service(cmd.Context())
			if err != nil {
				return err
			}
			files, err := readEvidence(cmd.Context(), evidence, svc.Limits().MaxEvidenceBytes)
			if err != nil {
				return err
			}
			agent, err := m.actor(as)
			if err != nil {
				return err
			}
			if err := svc.Desk.CheckAgent(agent); err != nil {
				return err
			}
			res, err := svc.Intake.Submit(cmd.Context(), tickets.SubmitRequest{
				Kind: tickets.Kind(kind), Channel: tickets.ChannelAgent, Actor: agent,
				Requester: tickets.Requester{Email: email, DiscordID: discordID, Name: name},
				Account:   account, Order: order, Reason: tickets.Reason(reason), Details: details, Language: language,
				Evidence: files, IdempotencyKey: key,
			})
			if err != nil {
				return err
			}
			if err := m.explain(res); err != nil {
				return err
			}
			if asJSON {
				return writeJSON(m.Stdout, res)
			}
			t := res.Ticket
			switch res.Outcome {
			case tickets.OutcomeCreated:
				fmt.Fprintf(m.Stdout, "%s created: %s, verdict %s", t.Ref, t.Status, t.Eligibility.Verdict)
			case tickets.OutcomeJoined:
				fmt.Fprintf(m.Stdout, "joined %s (already open for this request): %s, verdict %s", t.Ref, t.Status, t.Eligibility.Verdict)
			default:
				fmt.Fprintf(m.Stdout, "%s already filed with this key: %s, verdict %s", t.Ref, t.Status, t.Eligibility.Verdict)
			}
			if t.Eligibility.RefundAmount > 0 {
				fmt.Fprintf(m.Stdout, ", refund %s", tickets.PlainMoney(t.Eligibility.RefundAmount, t.Eligibility.Currency))
			}
			fmt.Fprintln(m.Stdout)
			if step, ok := t.Eligibility.Deciding(); ok {
				fmt.Fprintf(m.Stdout, "  %s: %s\n", step.Rule, step.Detail)
			}
			if missing := svc.Intake.Missing(t); len(missing) > 0 {
				fmt.Fprintf(m.Stdout, "  still missing: %s\n", strings.Join(missing, ", "))
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&kind, "kind", "refund", "refund or revocation")
	f.StringVar(&account, "account", "", "the creator's account, @handle")
	f.StringVar(&order, "order", "", "the order number (refunds)")
	f.StringVar(&reason, "reason", "", "why a refund is asked for")
	f.StringVar(&details, "details", "", "the requester's own words")
	f.StringArrayVar(&evidence, "evidence", nil, "a file of evidence (screenshot, receipt, PDF); repeat for more")
	f.StringVar(&email, "email", "", "the requester's mail address (answers go there)")
	f.StringVar(&discordID, "discord-id", "", "the requester's Discord user id")
	f.StringVar(&name, "name", "", "the requester's name")
	f.StringVar(&language, "language", "", "en or id (default: worked out from --details)")
	f.StringVar(&key, "key", "", "idempotency key: the same key again returns the same ticket")
	f.StringVar(&as, "as", "", "the agent filing it (default $REFUNDDESK_AGENT, then $USER, then the login name)")
	f.BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

// actionText is the text an action takes: from --text, the arguments after
// REF, or standard input for "-".
func (m *Main) actionText(flag string, rest []string) (string, error) {
	text := flag
	if len(rest) > 0 {
		if text != "" {
			return "", usageError{fmt.Errorf("give the text either as arguments or with a flag, not both")}
		}
		text = strings.Join(rest, " ")
	}
	if text == "-" {
		b, err := io.ReadAll(io.LimitReader(m.Stdin, 1<<20))
		if err != nil {
			return "", err
		}
		text = string(b)
	}
	return text, nil
}

var actionHelp = map[tickets.Action]struct{ use, short string }{
	tickets.ActionClaim:   {"claim REF", "Take a ticket: assign it to yourself"},
	tickets.ActionAssign:  {"assign REF AGENT|none|me", "Assign a ticket to an agent, or to nobody"},
	tickets.ActionNote:    {"note REF TEXT...", "Add an internal note (never shown to the requester)"},
	tickets.ActionReply:   {"reply REF TEXT...", "Write to the requester (queued to their channel)"},
	tickets.ActionAsk:     {"ask REF QUESTION...", "Ask the requester for information: the ticket waits on them (needs_info)"},
	tickets.ActionApprove: {"approve REF [--amount 146.70]", "Approve a refund (default: the computed amount), or forward a revocation to the platform"},
	tickets.ActionDeny:    {"deny REF --reason TEXT", "Deny a request; the requester is told why and what they can still do"},
	tickets.ActionForward: {"forward REF", "Forward a request to the platform (waiting_platform)"},
	tickets.ActionResolve: {"resolve REF", "Mark done: the refund is paid, or the platform revoked the authorization"},
	tickets.ActionClose:   {"close REF", "Close a ticket"},
	tickets.ActionReopen:  {"reopen REF", "Reopen a denied, resolved or closed ticket (back to in_review)"},
}

// expectVersionHelp says what --expect-version does.
const expectVersionHelp = "refuse (ticket.changed) unless the ticket is still at this version (its \"version\" in show --json)"

func (m *Main) actionCommand(a tickets.Action) *cobra.Command {
	var as, text, reason, amount string
	var asJSON bool
	var version int64
	h := actionHelp[a]
	cmd := &cobra.Command{
		Use:   h.use,
		Short: h.short,
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			svc, err := m.service(cmd.Context())
			if err != nil {
				return err
			}
			actor, err := m.actor(as)
			if err != nil {
				return err
			}
			req := tickets.ActionRequest{Ref: args[0], Actor: actor, Action: a, ExpectVersion: version}
			rest := args[1:]
			switch a {
			case tickets.ActionAssign:
				if len(rest) != 1 {
					return usageError{fmt.Errorf("assign takes REF and one agent name (or none)")}
				}
				req.Assignee = rest[0]
			case tickets.ActionDeny:
				if req.Text, err = m.actionText(reason, rest); err != nil {
					return err
				}
			case tickets.ActionClaim:
				if len(rest) > 0 {
					return usageError{fmt.Errorf("claim takes only REF")}
				}
			default:
				if req.Text, err = m.actionText(text, rest); err != nil {
					return err
				}
			}
			if cmd.Flags().Changed("amount") {
				// Typed in the order's currency, with its decimals.
				n, err := svc.Desk.AmountFor(cmd.Context(), args[0], amount)
				if err != nil {
					return err
				}
				req.Amount = &n
			}
			t, err := svc.Desk.Act(cmd.Context(), req)
			if err != nil {
				return err
			}
			if asJSON {
				return m.writeTicketsJSON(t)
			}
			line := fmt.Sprintf("%s %s: %s", t.Ref, a, t.Status)
			if t.Assignee != "" {
				line += ", assigned to " + t.Assignee
			}
			if a == tickets.ActionApprove && t.ApprovedAmount != nil {
				line += ", " + tickets.PlainMoney(*t.ApprovedAmount, t.Eligibility.Currency)
			}
			fmt.Fprintln(m.Stdout, line)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&as, "as", "", "the agent acting (default $REFUNDDESK_AGENT, then $USER, then the login name)")
	f.BoolVar(&asJSON, "json", false, "print the ticket as JSON")
	f.Int64Var(&version, "expect-version", 0, expectVersionHelp)
	switch a {
	case tickets.ActionApprove:
		f.StringVar(&amount, "amount", "", "amount to approve in the order's currency, with its decimals: 146.70 (USD), 150000 (IDR); default: the computed refund")
		f.StringVar(&text, "note", "", "a comment recorded with the approval")
		cmd.Args = cobra.ExactArgs(1)
	case tickets.ActionDeny:
		f.StringVar(&reason, "reason", "", "why (required; the requester is told)")
	case tickets.ActionNote, tickets.ActionReply, tickets.ActionAsk:
		f.StringVar(&text, "text", "", "the text (or give it after REF; - reads standard input)")
	case tickets.ActionForward, tickets.ActionResolve, tickets.ActionClose, tickets.ActionReopen:
		f.StringVar(&text, "note", "", "a comment recorded in the audit trail")
		cmd.Args = cobra.ExactArgs(1)
	}
	return cmd
}

func (m *Main) editCommand() *cobra.Command {
	var account, order, reason, language, as string
	var asJSON bool
	var version int64
	cmd := &cobra.Command{
		Use:   "edit REF [--account A] [--order N] [--reason R] [--language L]",
		Short: "Correct a ticket's fields; the verdict is computed again",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			svc, err := m.service(cmd.Context())
			if err != nil {
				return err
			}
			f := tickets.Fields{ExpectVersion: version}
			fl := cmd.Flags()
			if fl.Changed("account") {
				f.Account = &account
			}
			if fl.Changed("order") {
				f.Order = &order
			}
			if fl.Changed("reason") {
				f.Reason = &reason
			}
			if fl.Changed("language") {
				f.Language = &language
			}
			actor, err := m.actor(as)
			if err != nil {
				return err
			}
			t, err := svc.Desk.Edit(cmd.Context(), args[0], actor, f)
			if err != nil {
				return err
			}
			if asJSON {
				return m.writeTicketsJSON(t)
			}
			fmt.Fprintf(m.Stdout, "%s: %s, verdict %s\n", t.Ref, t.Status, t.Eligibility.Verdict)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&account, "account", "", "the account, @handle")
	f.StringVar(&order, "order", "", "the order number")
	f.StringVar(&reason, "reason", "", "the reason")
	f.StringVar(&language, "language", "", "en or id")
	f.StringVar(&as, "as", "", "the agent acting")
	f.BoolVar(&asJSON, "json", false, "print JSON")
	f.Int64Var(&version, "expect-version", 0, expectVersionHelp)
	return cmd
}

func (m *Main) attachCommand() *cobra.Command {
	var as string
	cmd := &cobra.Command{
		Use:   "attach REF FILE...",
		Short: "Add evidence files to a ticket; the verdict is computed again",
		Args:  cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			svc, err := m.service(cmd.Context())
			if err != nil {
				return err
			}
			files, err := readEvidence(cmd.Context(), args[1:], svc.Limits().MaxEvidenceBytes)
			if err != nil {
				return err
			}
			actor, err := m.actor(as)
			if err != nil {
				return err
			}
			t, err := svc.Desk.AddEvidence(cmd.Context(), args[0], actor, files)
			if err != nil {
				return err
			}
			fmt.Fprintf(m.Stdout, "%s: %d evidence file(s), %s, verdict %s\n", t.Ref, len(t.Evidence), t.Status, t.Eligibility.Verdict)
			return nil
		},
	}
	cmd.Flags().StringVar(&as, "as", "", "the agent acting")
	return cmd
}

func (m *Main) downloadCommand() *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "download REF NAME|SHA256 [-o FILE]",
		Short: "Write one of a ticket's evidence files (to standard output, or -o FILE)",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			svc, err := m.service(cmd.Context())
			if err != nil {
				return err
			}
			_, data, err := svc.Records.EvidenceFile(cmd.Context(), args[0], args[1])
			if err != nil {
				return err
			}
			if out == "" || out == "-" {
				_, err = m.Stdout.Write(data)
				return err
			}
			return os.WriteFile(out, data, 0o640)
		},
	}
	cmd.Flags().StringVarP(&out, "output", "o", "", "file to write")
	return cmd
}
