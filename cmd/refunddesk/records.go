package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"refunddesk/tickets"
)

type importFlags struct {
	format      string
	skipInvalid bool
	asJSON      bool
}

func (f *importFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.format, "format", "", "csv or jsonl (default: from the file's extension)")
	cmd.Flags().BoolVar(&f.skipInvalid, "skip-invalid", false, "import the good rows and list the bad ones, instead of refusing the file")
	cmd.Flags().BoolVar(&f.asJSON, "json", false, "print the summary as JSON")
}

// runImport opens the file, shows progress on a terminal and prints the summary.
func (m *Main) runImport(ctx context.Context, path string, f importFlags,
	run func(*tickets.Service, io.Reader, tickets.ImportOptions) (*tickets.ImportSummary, error)) error {
	svc, err := m.service(ctx)
	if err != nil {
		return err
	}
	var r io.Reader
	var size int64
	name := path
	if path == "-" {
		r, name = m.Stdin, "stdin"
		if f.format == "" {
			return usageError{fmt.Errorf("reading standard input needs --format csv or --format jsonl")}
		}
	} else {
		file, err := os.Open(path)
		if err != nil {
			return usageError{err}
		}
		defer file.Close()
		if st, err := file.Stat(); err == nil {
			size = st.Size()
		}
		r = file
	}
	opt := tickets.ImportOptions{File: name, Format: f.format, SkipInvalid: f.skipInvalid}
	bar := m.progressBar(name, size)
	if bar != nil {
		opt.Progress = bar.update
	}
	sum, err := run(svc, r, opt)
	if bar != nil {
		bar.done()
	}
	if err != nil {
		return err
	}
	if err := m.explain(sum); err != nil { // the skipped rows' reasons in words
		return err
	}
	if f.asJSON {
		return writeJSON(m.Stdout, sum)
	}
	fmt.Fprintf(m.Stdout, "%s: %d rows read in %s: %d inserted, %d updated, %d unchanged, %d skipped",
		sum.File, sum.Read, sum.Duration.Round(time.Millisecond), sum.Inserted, sum.Updated, sum.Unchanged, sum.Skipped)
	if sum.Reevaluated > 0 {
		fmt.Fprintf(m.Stdout, "; %d ticket(s) re-evaluated", sum.Reevaluated)
	}
	fmt.Fprintln(m.Stdout)
	for _, le := range sum.SkippedRow {
		fmt.Fprintf(m.Stdout, "  skipped %s\n", le.String())
	}
	if more := sum.Skipped - len(sum.SkippedRow); more > 0 {
		fmt.Fprintf(m.Stdout, "  … and %d more skipped\n", more)
	}
	return nil
}

// progress draws a one-line bar on a terminal's stderr.
type progress struct {
	w     io.Writer
	name  string
	size  int64
	last  time.Time
	drawn bool
}

func (m *Main) progressBar(name string, size int64) *progress {
	f, ok := m.Stderr.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	return &progress{w: m.Stderr, name: name, size: size}
}

func (p *progress) update(rows int, bytes int64) {
	if time.Since(p.last) < 100*time.Millisecond {
		return
	}
	p.last = time.Now()
	p.drawn = true
	if p.size > 0 {
		pct := float64(bytes) / float64(p.size)
		width := 30
		fill := int(pct * float64(width))
		fill = min(max(fill, 0), width)
		fmt.Fprintf(p.w, "\r%s [%s%s] %3.0f%% %s rows", p.name, repeat("#", fill), repeat(".", width-fill), pct*100,
			tickets.PlainCount(int64(rows)))
		return
	}
	fmt.Fprintf(p.w, "\r%s: %s rows", p.name, tickets.PlainCount(int64(rows)))
}

func (p *progress) done() {
	if p.drawn {
		fmt.Fprint(p.w, "\r\033[K")
	}
}

func repeat(s string, n int) string {
	out := ""
	for i := 0; i < n; i++ {
		out += s
	}
	return out
}

func (m *Main) promotionsCommand() *cobra.Command {
	var f importFlags
	imp := &cobra.Command{
		Use:   "import FILE",
		Short: "Import promotion records from a CSV or JSON Lines export (FILE - reads stdin)",
		Long: `Import promotion records. Columns (CSV header or JSON keys):
  order_number, account, video_id, objective, amount, currency, payment_method,
  created_at, start_at, end_at, closed_at, status, promised_reach,
  delivered_reach, spend, incident, refunded
Required: order_number, account, amount, currency, created_at, status.
Unknown columns are ignored. Amounts and reach are whole numbers (minor units);
times are RFC 3339 (empty = none). The import is one transaction: a bad row
refuses the whole file (every bad row is listed as file:line: reason) unless
--skip-invalid. Importing the same file again changes nothing; a changed row
updates its record and the tickets linked to it are evaluated again.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return m.runImport(cmd.Context(), args[0], f, func(s *tickets.Service, r io.Reader, o tickets.ImportOptions) (*tickets.ImportSummary, error) {
				return s.Records.ImportPromotions(cmd.Context(), r, o)
			})
		},
	}
	f.register(imp)
	var asJSON bool
	show := &cobra.Command{
		Use:   "show ORDER",
		Short: "Show a promotion record and the tickets linked to it",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			svc, err := m.service(cmd.Context())
			if err != nil {
				return err
			}
			d, err := svc.Records.PromotionDetail(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			if asJSON {
				return m.writeTicketsJSON(d)
			}
			printPromotion(m.Stdout, &d.Promotion)
			fmt.Fprintf(m.Stdout, "\nTickets (%d)\n", len(d.Tickets))
			if len(d.Tickets) == 0 {
				fmt.Fprintln(m.Stdout, "  none")
				return nil
			}
			printTicketTable(m.Stdout, d.Tickets, svc.Now(), svc.SLA().FirstResponse)
			return nil
		},
	}
	show.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd := &cobra.Command{Use: "promotions", Short: "Promotion records: import and look up"}
	cmd.AddCommand(imp, show)
	return cmd
}

func (m *Main) authorizationsCommand() *cobra.Command {
	var f importFlags
	imp := &cobra.Command{
		Use:   "import FILE",
		Short: "Import content authorizations from a CSV or JSON Lines export",
		Long: `Import content authorizations. Columns: account, scope, granted_at, revoked_at
(scope: account, video, or video:<id>; times RFC 3339, revoked_at empty while
active). Keyed by account, scope and granted_at; same rules as promotions import.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return m.runImport(cmd.Context(), args[0], f, func(s *tickets.Service, r io.Reader, o tickets.ImportOptions) (*tickets.ImportSummary, error) {
				return s.Records.ImportAuthorizations(cmd.Context(), r, o)
			})
		},
	}
	f.register(imp)
	cmd := &cobra.Command{Use: "authorizations", Short: "Content authorizations: import"}
	cmd.AddCommand(imp)
	return cmd
}
