package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"refunddesk/tickets"
	"refunddesk/tickets/sqlstore"
)

// Exit codes.
const (
	exitOK        = 0
	exitFailure   = 1 // something broke: the store, the disk, a bug
	exitUsage     = 2 // bad input: a flag, a field, a query, a file's rows
	exitNotFound  = 3
	exitConflict  = 4 // not allowed in the ticket's current state
	exitForbidden = 5
)

// Main is the program: its config, its I/O and the components it opens.
// Tests build one, call Run with arguments, and read what it printed.
type Main struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Getenv         func(string) string
	// CurrentUser, when set, names the account the process runs as: who
	// acts when neither --as, $REFUNDDESK_AGENT nor $USER says.
	CurrentUser func() (string, error)
	// Clock, when set, replaces the system clock (tests).
	Clock tickets.Clock

	configPath string
	config     *Config
	log        *slog.Logger
	db         *sqlstore.DB
	svc        *tickets.Service
}

// NewMain returns a Main on the process's standard streams and environment.
func NewMain() *Main {
	return &Main{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv, CurrentUser: osUserName}
}

// Run runs one command line and returns the exit code.
func (m *Main) Run(ctx context.Context, args []string) int {
	root := m.rootCommand()
	root.SetArgs(queryArgs(root, args))
	root.SetIn(m.Stdin)
	root.SetOut(m.Stdout)
	root.SetErr(m.Stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	code, msg := describe(err, m.errorWords)
	fmt.Fprintln(m.Stderr, "refunddesk: "+msg)
	return code
}

// usageError marks a mistake in the command line itself.
type usageError struct{ error }

// errorWords writes an error in English from the message catalog: the
// domain's problems are codes (tickets.ValidationError, ConflictError). A
// catalog that does not load leaves the error as it says itself.
func (m *Main) errorWords(err error) string {
	cat, cerr := m.words()
	if cerr != nil {
		return err.Error()
	}
	return cat.Error(tickets.LangEnglish, err)
}

// describe turns an error into an exit code and words for the user; words
// writes an error (the catalog's Error in English).
func describe(err error, words func(error) string) (int, string) {
	var ie *tickets.ImportErrors
	var ue usageError
	switch {
	case errors.As(err, &ie):
		return exitUsage, words(err)
	case errors.As(err, &ue):
		return exitUsage, ue.Error()
	case errors.Is(err, tickets.ErrForbidden):
		return exitForbidden, words(err)
	case errors.Is(err, tickets.ErrNotFound):
		return exitNotFound, strings.TrimSuffix(words(err), ": not found") + ": not found"
	case errors.Is(err, tickets.ErrConflict):
		return exitConflict, strings.TrimSuffix(words(err), ": conflict")
	case tickets.IsValidation(err):
		return exitUsage, words(err)
	case errors.Is(err, context.Canceled):
		return exitFailure, "interrupted"
	}
	return exitFailure, words(err)
}

// Close closes what Run opened.
func (m *Main) Close() error {
	if m.db != nil {
		err := m.db.Close()
		m.db = nil
		return err
	}
	return nil
}

func (m *Main) getenv(k string) string {
	if m.Getenv == nil {
		return ""
	}
	return m.Getenv(k)
}

// loadConfig reads the config once.
func (m *Main) loadConfig() (*Config, error) {
	if m.config != nil {
		return m.config, nil
	}
	path := m.configPath
	if path == "" {
		path = m.getenv(EnvPrefix + "CONFIG")
	}
	c, err := LoadConfig(path, m.getenv)
	if err != nil {
		return nil, usageError{err}
	}
	m.config = c
	m.log = newLogger(m.Stderr, c.Log.Level, c.Log.Format)
	return c, nil
}

// newLogger sets up slog once: text on a terminal, JSON otherwise.
func newLogger(w io.Writer, level, format string) *slog.Logger {
	var lv slog.Level
	_ = lv.UnmarshalText([]byte(level))
	opts := &slog.HandlerOptions{Level: lv}
	if format == "auto" {
		format = "json"
		if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
			format = "text"
		}
	}
	if format == "text" {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}

// service opens the store (migrating it) and builds the domain service.
func (m *Main) service(ctx context.Context) (*tickets.Service, error) {
	if m.svc != nil {
		return m.svc, nil
	}
	c, err := m.loadConfig()
	if err != nil {
		return nil, err
	}
	policy, err := tickets.LoadPolicy(c.Policy.File)
	if err != nil {
		return nil, usageError{err}
	}
	clock := m.Clock
	if clock == nil {
		clock = tickets.SystemClock{}
	}
	db, err := sqlstore.Open(ctx, c.Store.DSN, sqlstore.Options{Clock: clock, Logger: m.log})
	if err != nil {
		return nil, err
	}
	m.db = db
	opt := c.serviceOptions(policy, clock)
	opt.Logger = m.log
	opt.Directory = storeDirectory{db}
	m.svc = tickets.NewService(db, opt)
	return m.svc, nil
}

// readOnlyService opens an existing store as it is — no migration, no new
// database file — for commands that promise to write nothing.
func (m *Main) readOnlyService(ctx context.Context) (*tickets.Service, error) {
	c, err := m.loadConfig()
	if err != nil {
		return nil, err
	}
	if !sqlstore.IsPostgres(c.Store.DSN) {
		if _, err := os.Stat(c.Store.DSN); err != nil {
			return nil, fmt.Errorf("no database at %s", c.Store.DSN)
		}
	}
	db, err := sqlstore.Open(ctx, c.Store.DSN, sqlstore.Options{Logger: m.log, NoMigrate: true})
	if err != nil {
		return nil, err
	}
	m.db = db
	if cur, latest, err := db.Version(ctx); err != nil || cur != latest {
		return nil, fmt.Errorf("the database schema is at version %d of %d (run refunddesk migrate)", cur, latest)
	}
	policy, err := tickets.LoadPolicy(c.Policy.File)
	if err != nil {
		return nil, usageError{err}
	}
	opt := c.serviceOptions(policy, m.Clock)
	opt.Logger = m.log
	m.svc = tickets.NewService(db, opt)
	return m.svc, nil
}

func (m *Main) rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "refunddesk",
		Short: "A support desk for refund and revocation requests on paid video promotions",
		Long: `refunddesk takes refund and authorization-revocation requests, checks them
against the imported promotion records, says what the refund policy decides
and why, and gives agents a queue to query and act on.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       Version,
	}
	root.PersistentFlags().StringVar(&m.configPath, "config", "", "config file (default refunddesk.toml when it exists; env REFUNDDESK_CONFIG)")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	root.AddCommand(m.migrateCommand(), m.serveCommand(), m.followupsCommand(), m.policyCommand(), m.promotionsCommand(), m.authorizationsCommand(),
		m.ticketsCommand(), m.mailCommand(), m.outboxCommand(), m.discordCommand(), m.demoCommand(), m.sampleCommand(),
		m.statsCommand(), m.agentsCommand(), m.requestersCommand(), m.retentionCommand())
	for _, c := range root.Commands() {
		wrapArgs(c)
	}
	return root
}

// wrapArgs makes argument-count mistakes usage errors, all the way down.
func wrapArgs(c *cobra.Command) {
	if c.Args != nil {
		check := c.Args
		c.Args = func(cmd *cobra.Command, args []string) error {
			if err := check(cmd, args); err != nil {
				return usageError{fmt.Errorf("%s: %w", cmd.CommandPath(), err)}
			}
			return nil
		}
	}
	for _, sub := range c.Commands() {
		wrapArgs(sub)
	}
}

func (m *Main) migrateCommand() *cobra.Command {
	var status bool
	cmd := &cobra.Command{
		Use:   "migrate",
		Short: "Bring the database schema up to date (also done at every start)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := m.loadConfig()
			if err != nil {
				return err
			}
			db, err := sqlstore.Open(cmd.Context(), c.Store.DSN, sqlstore.Options{Logger: m.log, NoMigrate: true})
			if err != nil {
				return err
			}
			m.db = db
			cur, latest, err := db.Version(cmd.Context())
			if err != nil {
				return err
			}
			if status {
				fmt.Fprintf(m.Stdout, "%s schema version %d of %d\n", db.Dialect(), cur, latest)
				return nil
			}
			applied, err := db.Migrate(cmd.Context())
			if err != nil {
				return err
			}
			for _, a := range applied {
				fmt.Fprintf(m.Stdout, "applied %s\n", a)
			}
			fmt.Fprintf(m.Stdout, "%s schema at version %d (%d applied now)\n", db.Dialect(), latest, len(applied))
			return nil
		},
	}
	cmd.Flags().BoolVar(&status, "status", false, "only print the schema version")
	return cmd
}

func (m *Main) policyCommand() *cobra.Command {
	var asJSON bool
	show := &cobra.Command{
		Use:   "show",
		Short: "Print the refund policy in force",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := m.loadConfig()
			if err != nil {
				return err
			}
			p, err := tickets.LoadPolicy(c.Policy.File)
			if err != nil {
				return usageError{err}
			}
			if asJSON {
				return writeJSON(m.Stdout, p)
			}
			src := "the embedded default"
			if c.Policy.File != "" {
				src = c.Policy.File + " over the default"
			}
			s, err := p.TOML()
			if err != nil {
				return err
			}
			fmt.Fprintf(m.Stdout, "# from %s\n%s", src, s)
			return nil
		},
	}
	show.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd := &cobra.Command{Use: "policy", Short: "The refund policy"}
	cmd.AddCommand(show)
	return cmd
}
