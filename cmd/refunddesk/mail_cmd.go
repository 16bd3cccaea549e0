package main

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"refunddesk/mail"
	"refunddesk/templates"
	"refunddesk/tickets"
)

func (m *Main) intake(svc *tickets.Service) *mail.Intake {
	c := m.config.Mail
	return mail.NewIntake(svc, mail.IntakeConfig{Address: c.Address, MessageIDDomain: c.MessageIDDomain, MaxSize: c.MaxSize,
		RequireAuth: c.RequireAuth, Auth: c.auth(), OwnListIDs: c.OwnListIDs, NewTicketsPerHour: c.NewTicketsPerHour}, m.log)
}

func (m *Main) sender(svc *tickets.Service) (*mail.Sender, error) {
	tpl, err := m.senderTemplates()
	if err != nil {
		return nil, err
	}
	return mail.NewSender(m.config.Mail.SMTP, m.identity(), svc, tpl, m.log), nil
}

// senders is the running sender: [mail.smtp] sessions workers (mail.Pool).
func (m *Main) senders(svc *tickets.Service) (*mail.Pool, error) {
	tpl, err := m.senderTemplates()
	if err != nil {
		return nil, err
	}
	return mail.NewPool(m.config.Mail.SMTP, m.identity(), svc, tpl, m.log), nil
}

// senderTemplates are the templates a sender renders mail with; a usage
// error when there is no SMTP server to send to.
func (m *Main) senderTemplates() (*templates.Engine, error) {
	if m.config.Mail.SMTP.Address == "" {
		return nil, usageError{fmt.Errorf("mail.smtp.address is not set: there is nowhere to send mail")}
	}
	return templates.New()
}

func (m *Main) identity() mail.Identity {
	c := m.config.Mail
	return mail.Identity{Address: c.Address, Name: c.Name, ReplyTo: c.ReplyTo,
		MessageIDDomain: c.MessageIDDomain, RefundDays: c.RefundDays, ReopenDays: int(m.config.SLA.ReopenWindow.Hours() / 24)}
}

func (m *Main) mailCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "mail", Short: "The email channel: take in mail, read a mail as the desk would, list what was set aside"}

	var once bool
	fetch := &cobra.Command{
		Use:   "fetch [--once]",
		Short: "Take in the mailbox's new mail (with --once: one pass, then exit)",
		Long: `Reads the mailbox named by [mail.imap] and turns each new mail into a ticket, or
adds it to the ticket it answers. A mail is moved to the processed folder only
after its ticket is committed; one that cannot be read, or is too big, goes to
the set-aside folder and is listed by "refunddesk mail failed". Without --once
it keeps going (IDLE where the server has it, and polling) until interrupted.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			svc, err := m.service(cmd.Context())
			if err != nil {
				return err
			}
			c := m.config.Mail
			if c.IMAP.Address == "" {
				return usageError{fmt.Errorf("mail.imap.address is not set: there is no mailbox to read")}
			}
			f := mail.NewFetcher(c.IMAP, m.intake(svc), svc, m.log)
			if once {
				st, err := f.RunOnce(cmd.Context())
				printIntake(m, st)
				return err
			}
			f.Run(cmd.Context(), func(st mail.IntakeStats, err error) {
				if st.Fetched > 0 {
					printIntake(m, st)
				}
			})
			return nil
		},
	}
	fetch.Flags().BoolVar(&once, "once", false, "one pass, then exit (for cron and tests)")

	var asJSON bool
	parse := &cobra.Command{
		Use:   "parse FILE.eml",
		Short: "Show what the desk understands of a mail; writes nothing",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := m.loadConfig()
			if err != nil {
				return err
			}
			// As the intake: a mail over mail.max_size is not read whole.
			raw, err := readRegular(args[0], cfg.Mail.MaxSize)
			if big := (*tooLargeError)(nil); errors.As(err, &big) {
				return usageError{fmt.Errorf("%s: %s by mail.max_size; the intake sets such a mail aside", args[0], big.words())}
			} else if err != nil {
				return usageError{err}
			}
			msg, err := mail.Parse(raw)
			if err != nil {
				return usageError{fmt.Errorf("%s: %w", args[0], err)}
			}
			// What the intake would believe of the sender (mail.authserv_id,
			// mail.verify_dkim).
			mail.NewAuthenticator(cfg.Mail.auth(), m.log).Check(cmd.Context(), msg, raw)
			var book mail.OrderBook
			if svc, err := m.readOnlyService(cmd.Context()); err == nil {
				book = svc.Records
			} else {
				fmt.Fprintf(m.Stderr, "refunddesk: the promotion records are not available (%v); orders are not checked\n", err)
			}
			c := m.config.Mail
			domain := c.MessageIDDomain
			if domain == "" {
				if _, d, ok := strings.Cut(c.Address, "@"); ok {
					domain = d
				}
			}
			req := mail.Understand(cmd.Context(), msg, book, domain)
			cat, err := m.words()
			if err != nil {
				return err
			}
			out := parseView(msg, req, c.RequireAuth, cfg.serviceOptions(nil, nil).Limits, cat)
			if asJSON {
				return writeJSON(m.Stdout, out)
			}
			printParse(m, out)
			return nil
		},
	}
	parse.Flags().BoolVar(&asJSON, "json", false, "print JSON")

	var failedJSON bool
	var limit int
	failed := &cobra.Command{
		Use:   "failed",
		Short: "List the mails that could not be taken in (set aside, with the reason)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			svc, err := m.service(cmd.Context())
			if err != nil {
				return err
			}
			list, err := svc.Intake.Failures(cmd.Context(), limit)
			if err != nil {
				return err
			}
			cat, err := m.words()
			if err != nil {
				return err
			}
			views := make([]failedView, len(list))
			for i, f := range list {
				views[i] = setAsideView(cat, f)
				list[i].Reason = views[i].Reason
			}
			if failedJSON {
				return writeJSON(m.Stdout, views)
			}
			if len(list) == 0 {
				fmt.Fprintln(m.Stdout, "no mail was set aside")
				return nil
			}
			tw := tabwriter.NewWriter(m.Stdout, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "WHEN\tFROM\tSUBJECT\tSIZE\tREASON\tSET ASIDE IN\tSOURCE")
			for _, f := range list {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", stamp(f.CreatedAt), dash(f.Sender), oneLine(dash(f.Subject), 50),
					humanSize(f.Size), f.Reason, f.SetAside, f.Source)
			}
			return tw.Flush()
		},
	}
	failed.Flags().BoolVar(&failedJSON, "json", false, "print JSON")
	failed.Flags().IntVar(&limit, "limit", 50, "how many")
	cmd.AddCommand(fetch, parse, failed, m.mailCheckCommand())
	return cmd
}

func printIntake(m *Main, st mail.IntakeStats) {
	fmt.Fprintf(m.Stdout, "%d mail(s): %d new ticket(s), %d joined, %d kept on another's ticket, %d answer(s), %d seen before, %d ignored (automatic), %d bounce(s), %d set aside\n",
		st.Fetched, st.Created, st.Joined, st.Received, st.Replies, st.Duplicates, st.Ignored, st.Bounces, st.Failed)
}

// parsed is the JSON of "mail parse".
type parsed struct {
	Kind             string           `json:"kind"`
	Account          string           `json:"account"`
	Order            string           `json:"order"`
	Reason           string           `json:"reason"`
	Language         string           `json:"language"`
	Details          string           `json:"details"`
	Attachments      []parsedFile     `json:"attachments"`
	AutoReply        bool             `json:"auto_reply"`
	AutoReason       string           `json:"auto_reason,omitempty"`
	Bounce           *mail.Bounce     `json:"bounce,omitempty"`
	ThreadRef        string           `json:"thread_ref"`
	UnverifiedSender bool             `json:"unverified_sender"`
	From             string           `json:"from"`
	Subject          string           `json:"subject"`
	MessageID        string           `json:"message_id"`
	Orders           []string         `json:"order_candidates"`
	Auth             mail.AuthResults `json:"authentication"`
	Warnings         []string         `json:"warnings,omitempty"`

	// Sources says where each field was found: text, signature or
	// forwarded (the domain adds record for an account it takes from the
	// order's record when the ticket is made).
	Sources map[string]string `json:"sources"`
	// Guessed names the fields (kind, reason) the reading model gave where
	// the rules read none or another: the ticket is flagged guessed.
	Guessed []string `json:"guessed"`
}

type parsedFile struct {
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	Size        int    `json:"size"`
	Evidence    bool   `json:"evidence"`
	// Why it is not evidence, as the ticket's message would say.
	Why string `json:"why,omitempty"`
}

// failedView is a mail set aside as "mail failed --json" writes it: its
// reason in English words, beside the reason's code and values (code ""
// for a reason recorded before codes, shown as it was recorded).
type failedView struct {
	tickets.InboundFailure
	Code     string         `json:"code"`
	Params   tickets.Params `json:"params,omitempty"`
	Problems []problemView  `json:"problems,omitempty"`
}

// problemView is one of the domain's refusals of a mail (not_taken).
type problemView struct {
	Field  string         `json:"field,omitempty"`
	Code   string         `json:"code,omitempty"`
	Params tickets.Params `json:"params,omitempty"`
	Words  string         `json:"words"`
}

// setAsideView reads f's reason back and writes it in English.
func setAsideView(cat *templates.Catalog, f tickets.InboundFailure) failedView {
	why := f.Why()
	v := failedView{InboundFailure: f, Code: why.Code, Params: why.Params}
	v.Reason = cat.SetAside(templates.FallbackLanguage, why)
	for _, e := range why.Problems {
		v.Problems = append(v.Problems, problemView{Field: e.Field, Code: e.Code, Params: e.Params,
			Words: cat.ValidationText(templates.FallbackLanguage, e)})
	}
	return v
}

func parseView(msg *mail.Message, req mail.Request, requireAuth bool, lim tickets.Limits, cat *templates.Catalog) parsed {
	p := parsed{Account: req.Account, Order: req.Order, Reason: string(req.Reason), Language: req.Language,
		Details: req.Details, AutoReply: msg.Auto != "", AutoReason: msg.Auto, Bounce: msg.Bounce, ThreadRef: req.ThreadRef,
		UnverifiedSender: msg.Unverified(requireAuth), Subject: msg.Subject,
		MessageID: msg.MessageID, Orders: req.Orders, Auth: msg.Auth, Warnings: msg.Warnings, Attachments: []parsedFile{},
		Sources: map[string]string{}, Guessed: append([]string{}, req.Guessed...)}
	for field, src := range req.Sources {
		p.Sources[field] = string(src)
	}
	if req.KindStated {
		p.Kind = string(req.Kind)
	}
	if msg.Auto != "" {
		p.Kind, p.Reason, p.Account, p.Order = "", "", "", ""
		p.Sources, p.Guessed = map[string]string{}, []string{}
	}
	if msg.From != nil {
		p.From = msg.From.String()
	}
	// The attachments as the intake sorts them, under the same limits.
	for _, f := range msg.SortFiles(lim, cat).Files {
		p.Attachments = append(p.Attachments, parsedFile{Name: f.Name, ContentType: f.ContentType, Size: len(f.Data),
			Evidence: f.Evidence, Why: f.Why})
	}
	return p
}

// from says where a field was found when not in the sender's own words:
// "  (from the signature)", "  (from the forwarded message)".
func (p parsed) from(field string) string {
	if slices.Contains(p.Guessed, field) {
		return "  (guessed by the reading model: check it)"
	}
	switch p.Sources[field] {
	case string(tickets.SourceSignature):
		return "  (from the signature)"
	case string(tickets.SourceForwarded):
		return "  (from the forwarded message)"
	case string(tickets.SourceRecord):
		return "  (from the order's record)"
	}
	return ""
}

func printParse(m *Main, p parsed) {
	tw := tabwriter.NewWriter(m.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "From\t%s\n", p.From)
	fmt.Fprintf(tw, "Subject\t%s\n", p.Subject)
	if p.AutoReply {
		fmt.Fprintf(tw, "Automatic\tyes: %s (never a ticket, never answered)\n", p.AutoReason)
	}
	if p.Bounce != nil {
		fmt.Fprintf(tw, "Bounce\t%s of %s (%s)\n", strings.Join(p.Bounce.Recipients, ", "), p.Bounce.OriginalMessageID, p.Bounce.Reason)
	}
	fmt.Fprintf(tw, "Answers\t%s\n", dash(p.ThreadRef))
	fmt.Fprintf(tw, "Kind\t%s%s\n", dash(p.Kind), p.from("kind"))
	fmt.Fprintf(tw, "Account\t%s%s\n", dash(p.Account), p.from("account"))
	fmt.Fprintf(tw, "Order\t%s%s", dash(p.Order), p.from("order"))
	if len(p.Orders) > 1 {
		fmt.Fprintf(tw, "  (candidates: %s)", strings.Join(p.Orders, ", "))
	}
	fmt.Fprintln(tw)
	fmt.Fprintf(tw, "Reason\t%s%s\n", dash(p.Reason), p.from("reason"))
	fmt.Fprintf(tw, "Language\t%s\n", p.Language)
	switch p.Auth.Source {
	case mail.AuthFromHeader:
		fmt.Fprintf(tw, "Authentication\t%s's Authentication-Results (field %d from the top)\n", p.Auth.AuthServID, p.Auth.Header)
	case mail.AuthFromDKIM:
		fmt.Fprintf(tw, "Authentication\ta DKIM signature of %s, checked here\n", p.Auth.Signer)
	default:
		fmt.Fprintf(tw, "Authentication\tnone believed: %s\n", p.Auth.Note)
	}
	if p.UnverifiedSender {
		fmt.Fprintf(tw, "Sender\tunverified (dmarc=%s dkim=%s spf=%s)\n", dash(p.Auth.DMARC), dash(p.Auth.DKIM), dash(p.Auth.SPF))
	}
	for _, a := range p.Attachments {
		ev := "not evidence"
		if a.Evidence {
			ev = "evidence"
		}
		if a.Why != "" {
			ev += ": " + strings.Trim(a.Why, "[]")
		}
		fmt.Fprintf(tw, "Attachment\t%s  %s  %s  %s\n", a.Name, a.ContentType, humanSize(int64(a.Size)), ev)
	}
	tw.Flush()
	fmt.Fprintf(m.Stdout, "\nDetails (the new text):\n%s\n", p.Details)
	for _, w := range p.Warnings {
		fmt.Fprintf(m.Stdout, "warning: %s\n", w)
	}
}

func (m *Main) outboxCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "outbox", Short: "Messages to requesters: send them, list them, put failed ones back"}
	var once bool
	send := &cobra.Command{
		Use:   "send [--once]",
		Short: "Deliver the email outbox over SMTP (with --once: what is due now, then exit)",
		Long: `Delivers the email outbox over [mail.smtp] until interrupted, over up to
mail.smtp.sessions SMTP sessions at once, as serve does. With --once it sends
what is due now over one session, in order, and exits (1 when the session
failed; the mail waits).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			svc, err := m.service(cmd.Context())
			if err != nil {
				return err
			}
			if once {
				// One pass over one session: what is due now, in order.
				s, err := m.sender(svc)
				if err != nil {
					return err
				}
				st, err := s.SendOnce(cmd.Context())
				printSent(m, st)
				return err
			}
			p, err := m.senders(svc)
			if err != nil {
				return err
			}
			p.Run(cmd.Context(), 5*time.Second, func(st mail.SendStats, err error) {
				if st.Sent+st.Retried+st.Failed+st.Deferred > 0 {
					printSent(m, st)
				}
			})
			return nil
		},
	}
	send.Flags().BoolVar(&once, "once", false, "deliver what is due now, then exit")

	var failedOnly, asJSON, all bool
	var status, channel, after string
	var limit int
	list := &cobra.Command{
		Use:   "list [--failed] [--status S] [--channel C]",
		Short: "List queued, sent and failed messages, newest first",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			svc, err := m.service(cmd.Context())
			if err != nil {
				return err
			}
			if failedOnly {
				status = tickets.OutboxFailed
			}
			before, err := outboxCursor(after)
			if err != nil {
				return err
			}
			f := tickets.OutboxFilter{Status: status, Channel: tickets.Channel(channel), Limit: limit, Before: before}
			if all {
				return m.streamOutbox(cmd.Context(), svc, f)
			}
			items, err := svc.Delivery.Outbox(cmd.Context(), f)
			if err != nil {
				return err
			}
			if n := len(items); n > 0 && n == limit {
				m.printMore(strconv.FormatInt(items[n-1].ID, 10))
			}
			if asJSON {
				return m.writeTicketsJSON(items)
			}
			if len(items) == 0 {
				fmt.Fprintln(m.Stdout, "no messages")
				return nil
			}
			tw := tabwriter.NewWriter(m.Stdout, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tTICKET\tTEMPLATE\tTO\tSTATUS\tTRIES\tCREATED\tSENT\tERROR")
			for _, o := range items {
				sent := "-"
				if o.SentAt != nil {
					sent = stamp(*o.SentAt)
				}
				fmt.Fprintf(tw, "%d\t%s\t%s\t%s %s\t%s\t%d\t%s\t%s\t%s\n", o.ID, dash(o.TicketRef), o.Template, o.Channel, o.Recipient,
					o.Status, o.Attempts, stamp(o.CreatedAt), sent, oneLine(dash(o.LastError), 60))
			}
			return tw.Flush()
		},
	}
	list.Flags().BoolVar(&failedOnly, "failed", false, "only the messages that could not be delivered")
	list.Flags().StringVar(&status, "status", "", "pending, sending, sent or failed")
	list.Flags().StringVar(&channel, "channel", "", "email or discord")
	list.Flags().IntVar(&limit, "limit", tickets.DefaultPageSize, fmt.Sprintf("how many, a page (at most %d)", tickets.MaxPageSize))
	list.Flags().StringVar(&after, "after", "", "continue after the page that printed this cursor")
	list.Flags().BoolVar(&all, "all", false, "every message, through all pages, one JSON object a line (JSON Lines)")
	list.Flags().BoolVar(&asJSON, "json", false, "print JSON (the next page's --after on standard error)")
	cmd.AddCommand(send, list, m.outboxRetryCommand())
	return cmd
}
