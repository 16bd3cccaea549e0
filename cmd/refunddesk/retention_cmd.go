package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"text/tabwriter"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/spf13/cobra"

	"refunddesk/tickets"
)

// RetentionConfig is [retention]: how long a closed ticket keeps its
// evidence, its conversation and itself after it was closed, and the
// record of a mail set aside after it was set aside (0, the default: for
// ever), and how serve goes about removing them. What was sent on no
// ticket goes the conversation's time after it was sent.
type RetentionConfig struct {
	Evidence tickets.Duration `toml:"evidence"`
	Messages tickets.Duration `toml:"messages"`
	Tickets  tickets.Duration `toml:"tickets"`
	SetAside tickets.Duration `toml:"set_aside"`
	// Batch: tickets (or items on no ticket) per transaction.
	Batch int `toml:"batch"`
	// Interval: how often serve runs it.
	Interval tickets.Duration `toml:"interval"`
}

// retentionDefaults: nothing removed until the config says how long; a
// batch of 100 tickets; serve looks every hour.
func (r *RetentionConfig) defaults() {
	r.Batch = tickets.DefaultRetentionBatch
	r.Interval = tickets.Duration{Duration: time.Hour}
}

// rules are the domain's rules from the config.
func (r RetentionConfig) rules() tickets.RetentionRules {
	return tickets.RetentionRules{Evidence: r.Evidence.Duration, Messages: r.Messages.Duration, Tickets: r.Tickets.Duration,
		SetAside: r.SetAside.Duration, Batch: r.Batch}
}

// validate refuses what cannot be meant: a negative time, evidence or
// messages kept longer than the ticket they belong to, a time shorter than
// the reopen window (the requester could still reopen the ticket and find
// it emptied), a record of a mail set aside kept less than a day (the
// agents would not see it), a batch out of bounds.
func (r RetentionConfig) validate(reopen time.Duration) []string {
	var errs []string
	ages := []struct {
		key string
		d   time.Duration
	}{{"evidence", r.Evidence.Duration}, {"messages", r.Messages.Duration}, {"tickets", r.Tickets.Duration}}
	for _, a := range ages {
		switch {
		case a.d < 0:
			errs = append(errs, fmt.Sprintf("retention.%s: must not be negative (0 keeps it for ever)", a.key))
		case a.d > 0 && a.d < reopen:
			errs = append(errs, fmt.Sprintf("retention.%s: %s is shorter than sla.reopen_window (%s): a requester may still reopen the ticket by writing",
				a.key, tickets.FormatDuration(a.d), tickets.FormatDuration(reopen)))
		}
	}
	tk := r.Tickets.Duration
	for _, a := range ages[:2] {
		if tk > 0 && a.d > tk {
			errs = append(errs, fmt.Sprintf("retention.%s: %s is longer than retention.tickets (%s), when the ticket goes with all it holds",
				a.key, tickets.FormatDuration(a.d), tickets.FormatDuration(tk)))
		}
	}
	switch sa := r.SetAside.Duration; {
	case sa < 0:
		errs = append(errs, "retention.set_aside: must not be negative (0 keeps it for ever)")
	case sa > 0 && sa < 24*time.Hour:
		errs = append(errs, fmt.Sprintf("retention.set_aside: %s is shorter than a day: the agents would not see the mails set aside (refunddesk mail failed)",
			tickets.FormatDuration(sa)))
	}
	if r.Batch <= 0 || r.Batch > tickets.MaxRetentionBatch {
		errs = append(errs, fmt.Sprintf("retention.batch: must be from 1 to %d tickets", tickets.MaxRetentionBatch))
	}
	if r.Interval.Duration <= 0 {
		errs = append(errs, "retention.interval: must be longer than 0")
	}
	return errs
}

// describe says the rules in a line.
func (r RetentionConfig) describe() string {
	say := func(d tickets.Duration) string {
		if d.Duration <= 0 {
			return "kept"
		}
		return tickets.FormatDuration(d.Duration)
	}
	return fmt.Sprintf("closed tickets' evidence %s, messages %s, tickets %s; mails set aside %s; every %s (one instance at a time)",
		say(r.Evidence), say(r.Messages), say(r.Tickets), say(r.SetAside), tickets.FormatDuration(r.Interval.Duration))
}

// retention returns retention by the config over the store m opened.
func (m *Main) retention() *tickets.Retention {
	clock := m.Clock
	if clock == nil {
		clock = tickets.SystemClock{}
	}
	return tickets.NewRetention(m.db, clock, m.config.Retention.rules(), m.log)
}

// retentionPart runs retention every interval while this instance holds
// its lease; another instance's run puts it on standby until the next.
func (s *server) retentionPart() component {
	interval := s.m.config.Retention.Interval.Duration
	return component{
		name:  "retention",
		start: func(context.Context) error { return nil },
		run: func(ctx context.Context) {
			r := s.m.retention()
			r.RunEvery(ctx, s.instance, interval, s.metrics.retained, func(run *tickets.RetentionRun, err error) {
				switch {
				case errors.Is(err, tickets.ErrConflict):
					s.health.set("retention", "standby", "another instance is running retention")
					return
				case err != nil:
					s.m.log.Warn("retention", slog.Any("error", err))
				default:
					s.metrics.retentionRun.SetToCurrentTime()
				}
				s.health.set("retention", "running", "")
				s.health.report("retention", err)
			})
		},
	}
}

// retention metrics: what each batch removed, by part.
func newRetentionMetrics() (*prometheus.CounterVec, prometheus.Gauge) {
	removed := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "refunddesk_retention_removed_total",
		Help: "What retention removed, by part: from closed tickets evidence (evidence files), messages (messages), tickets (whole tickets); " +
			"outbox (what was sent on no ticket: outbox items), set_aside (records of mails set aside)."},
		[]string{"what"})
	for _, p := range tickets.RetentionParts {
		removed.WithLabelValues(string(p))
	}
	last := prometheus.NewGauge(prometheus.GaugeOpts{Name: "refunddesk_retention_last_run_timestamp_seconds",
		Help: "When this instance last finished a retention run without an error (Unix time; 0: not yet)."})
	return removed, last
}

// retained counts a batch's removal.
func (m *metrics) retained(got tickets.RetentionRemoved) {
	m.retentionRemoved.WithLabelValues(string(got.Part)).Add(float64(got.Count()))
}

func (m *Main) retentionCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "retention", Short: "Remove what closed tickets keep once [retention] says its time is up"}

	var dry, asJSON bool
	run := &cobra.Command{
		Use:   "run [--dry-run]",
		Short: "Remove what is due now, once (with --dry-run: only say what that would be)",
		Long: `Removes, as [retention] says, what closed tickets (resolved or closed) keep
once its time after closing is up: whole tickets first, then the conversation
of those that stay, then their evidence files, a batch of tickets per
transaction; then what was sent on no ticket (the messages' time after it was
sent) and the records of mails set aside (retention.set_aside after; the mails
stay in their mailbox folder). serve does the same every retention.interval;
one instance at a time does it (a lease): while another runs it, this exits 4
and removes nothing. --dry-run counts what a run would remove now and changes
nothing. See docs/personal-data.md.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := m.loadConfig()
			if err != nil {
				return err
			}
			if !c.Retention.rules().Enabled() {
				fmt.Fprintln(m.Stdout, "retention is off: [retention] evidence, messages, tickets and set_aside are 0 (kept for ever); nothing to do")
				return nil
			}
			if dry {
				if _, err := m.readOnlyService(cmd.Context()); err != nil {
					return err
				}
			} else if _, err := m.service(cmd.Context()); err != nil {
				return err
			}
			r := m.retention()
			var res *tickets.RetentionRun
			if dry {
				res, err = r.Due(cmd.Context())
			} else {
				host, _ := os.Hostname()
				res, err = r.Run(cmd.Context(), fmt.Sprintf("cli-%s-%d", host, os.Getpid()), nil)
			}
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(m.Stdout, res)
			}
			verb := "removed"
			if dry {
				verb = "would remove (dry run, nothing changed)"
			}
			fmt.Fprintf(m.Stdout, "retention %s:\n", verb)
			tw := tabwriter.NewWriter(m.Stdout, 0, 0, 2, ' ', 0)
			// AFTER: after closing, for the parts of tickets; after it
			// was sent (outbox) or set aside (set_aside) for the others.
			fmt.Fprintln(tw, "PART\tAFTER\tTICKETS\tEVIDENCE\tFILES\tBYTES\tMESSAGES\tOUTBOX\tSET ASIDE")
			for _, p := range res.Parts {
				fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\n", p.Part, tickets.FormatDuration(c.Retention.rules().Age(p.Part)),
					p.Tickets, p.Evidence, p.Blobs, p.Bytes, p.Messages, p.Outbox, p.SetAside)
			}
			return tw.Flush()
		},
	}
	run.Flags().BoolVar(&dry, "dry-run", false, "only count what would be removed; change nothing")
	run.Flags().BoolVar(&asJSON, "json", false, "print JSON")

	var limit int
	var logJSON bool
	logCmd := &cobra.Command{
		Use:   "log [--limit N]",
		Short: "What retention removed, batch by batch, newest first (counts only)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if _, err := m.service(cmd.Context()); err != nil {
				return err
			}
			list, err := m.retention().Log(cmd.Context(), limit)
			if err != nil {
				return err
			}
			if logJSON {
				return writeJSON(m.Stdout, list)
			}
			if len(list) == 0 {
				fmt.Fprintln(m.Stdout, "retention has removed nothing")
				return nil
			}
			tw := tabwriter.NewWriter(m.Stdout, 0, 0, 2, ' ', 0)
			// BEFORE: closed before, for the parts of tickets; sent or
			// set aside before for the others.
			fmt.Fprintln(tw, "AT\tPART\tBEFORE\tTICKETS\tEVIDENCE\tFILES\tBYTES\tMESSAGES\tOUTBOX\tSET ASIDE")
			for _, r := range list {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\n", stamp(r.At), r.Part, stamp(r.ClosedBefore),
					r.Tickets, r.Evidence, r.Blobs, r.Bytes, r.Messages, r.Outbox, r.SetAside)
			}
			return tw.Flush()
		},
	}
	logCmd.Flags().IntVar(&limit, "limit", 50, "how many batches")
	logCmd.Flags().BoolVar(&logJSON, "json", false, "print JSON")
	cmd.AddCommand(run, logCmd)
	return cmd
}
