package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf8"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"refunddesk/templates"
	"refunddesk/tickets/sqlstore"
	"refunddesk/web"
)

// agentName is what an agent's name may be: it is written in queries
// (assignee:NAME), the audit trail and --as, so letters, digits, . _ and -.
var agentName = regexp.MustCompile(`^[\p{L}\p{N}][\p{L}\p{N}._-]{0,63}$`)

// reservedAgentNames are words of the query language and the assign
// action (assignee:me, assignee:none, assign none), never an agent's name,
// in any case.
var reservedAgentNames = []string{"me", "none"}

func checkAgentName(name string) error {
	if !agentName.MatchString(name) || utf8.RuneCountInString(name) > web.MaxNameLen {
		return usageError{fmt.Errorf("agent name %q: 1 to %d letters, digits, '.', '_' or '-', starting with a letter or digit",
			name, web.MaxNameLen)}
	}
	for _, r := range reservedAgentNames {
		if strings.EqualFold(name, r) {
			return usageError{fmt.Errorf("agent name %q is reserved: assignee:%s and assign %s mean something else", name, r, r)}
		}
	}
	return nil
}

// agentsCommand manages the agents who sign in to the web console.
func (m *Main) agentsCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "agents",
		Short: "Manage the agents who sign in to the web console: add, passwd, language, disable, enable, list",
		Long: `Agents with a sign-in of their own, kept in the store: a name, a password
(stored as an argon2id hash) and the language the console speaks to them.
The desk takes them as agents beside tickets.agents; a disabled agent cannot
sign in, their sessions end, and the desk no longer takes the name (unless
tickets.agents lists it). Passwords are read from the terminal without
echo, or from the first line of standard input when it is not a terminal
(or with --password-stdin).`,
	}
	cmd.AddCommand(m.agentsAddCommand(), m.agentsPasswdCommand(), m.agentsLanguageCommand(), m.agentsEnableCommand("disable", true),
		m.agentsEnableCommand("enable", false), m.agentsListCommand())
	return cmd
}

func (m *Main) agentsAddCommand() *cobra.Command {
	var lang string
	var fromStdin bool
	cmd := &cobra.Command{
		Use:   "add NAME",
		Short: "Add an agent, asking for their password",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			name := args[0]
			if err := checkAgentName(name); err != nil {
				return err
			}
			language, err := m.consoleLanguage("--language", lang)
			if err != nil {
				return err
			}
			db, err := m.agentStore(cmd.Context())
			if err != nil {
				return err
			}
			hash, err := m.newPassword(fromStdin, name)
			if err != nil {
				return err
			}
			if err := db.AddAgent(cmd.Context(), name, hash, language); err != nil {
				return err
			}
			fmt.Fprintf(m.Stdout, "added agent %s (language %s): they sign in to the web console with this password\n", name, language)
			return nil
		},
	}
	cmd.Flags().StringVar(&lang, "language", "en", "the language the console speaks to them (one the catalogs have: "+
		strings.Join(templates.Languages(), ", ")+")")
	cmd.Flags().BoolVar(&fromStdin, "password-stdin", false, "read the password from the first line of standard input")
	return cmd
}

func (m *Main) agentsPasswdCommand() *cobra.Command {
	var fromStdin bool
	cmd := &cobra.Command{
		Use:   "passwd NAME",
		Short: "Set an agent's password; their sessions end",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			db, err := m.agentStore(cmd.Context())
			if err != nil {
				return err
			}
			if _, _, _, err := db.AgentCredentials(cmd.Context(), args[0]); err != nil {
				return err
			}
			hash, err := m.newPassword(fromStdin, args[0])
			if err != nil {
				return err
			}
			if err := db.SetAgentPassword(cmd.Context(), args[0], hash); err != nil {
				return err
			}
			fmt.Fprintf(m.Stdout, "new password for %s; their sessions have ended\n", args[0])
			return nil
		},
	}
	cmd.Flags().BoolVar(&fromStdin, "password-stdin", false, "read the password from the first line of standard input")
	return cmd
}

func (m *Main) agentsLanguageCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "language NAME LANG",
		Short: "Change the language the console speaks to an agent (" + strings.Join(templates.Languages(), ", ") + ")",
		Long: `Change the language the console speaks to an agent: one the catalogs have
(` + strings.Join(templates.Languages(), ", ") + `). Their next page is in it; their sessions go on.`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			language, err := m.consoleLanguage("language", args[1])
			if err != nil {
				return err
			}
			db, err := m.agentStore(cmd.Context())
			if err != nil {
				return err
			}
			if err := db.SetAgentLanguage(cmd.Context(), args[0], language); err != nil {
				return err
			}
			fmt.Fprintf(m.Stdout, "agent %s: the console now speaks %s\n", args[0], language)
			return nil
		},
	}
}

func (m *Main) agentsEnableCommand(verb string, disable bool) *cobra.Command {
	short := "Enable an agent again"
	if disable {
		short = "Disable an agent: they cannot sign in, their sessions end, the desk no longer takes the name"
	}
	return &cobra.Command{
		Use:   verb + " NAME",
		Short: short,
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			db, err := m.agentStore(cmd.Context())
			if err != nil {
				return err
			}
			if err := db.SetAgentDisabled(cmd.Context(), args[0], disable); err != nil {
				return err
			}
			fmt.Fprintf(m.Stdout, "%sd agent %s\n", verb, args[0])
			return nil
		},
	}
}

func (m *Main) agentsListCommand() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the agents, their language, whether they are disabled and their live sessions",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			db, err := m.agentStore(cmd.Context())
			if err != nil {
				return err
			}
			list, err := db.Agents(cmd.Context())
			if err != nil {
				return err
			}
			if asJSON {
				if list == nil {
					list = []sqlstore.Agent{}
				}
				return writeJSON(m.Stdout, list)
			}
			tw := tabwriter.NewWriter(m.Stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "NAME\tLANGUAGE\tSTATE\tSESSIONS\tADDED")
			for _, a := range list {
				state := "enabled"
				if a.Disabled {
					state = "disabled"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\n", a.Name, a.Language, state, a.Sessions, a.CreatedAt.Format(time.DateOnly))
			}
			return tw.Flush()
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

// agentStore opens the store (migrating it) for the agents commands.
func (m *Main) agentStore(ctx context.Context) (*sqlstore.DB, error) {
	if _, err := m.service(ctx); err != nil {
		return nil, err
	}
	return m.db, nil
}

// consoleLanguage is the catalog's language for lang (given as what: a
// flag, an argument), which must be one the catalogs speak.
func (m *Main) consoleLanguage(what, lang string) (string, error) {
	cat, err := m.words()
	if err != nil {
		return "", err
	}
	l, ok := cat.Match(lang)
	if !ok {
		return "", usageError{fmt.Errorf("%s %q: the console speaks %s", what, lang, strings.Join(cat.Languages(), ", "))}
	}
	return l, nil
}

// newPassword reads a new password (from the terminal, twice and without
// echo; else the first line of standard input), checks its length and
// hashes it.
func (m *Main) newPassword(fromStdin bool, name string) (string, error) {
	var pw string
	f, isFile := m.Stdin.(*os.File)
	if !fromStdin && isFile && term.IsTerminal(int(f.Fd())) {
		fmt.Fprintf(m.Stderr, "password for %s: ", name)
		a, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(m.Stderr)
		if err != nil {
			return "", fmt.Errorf("read the password: %w", err)
		}
		fmt.Fprintf(m.Stderr, "again: ")
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(m.Stderr)
		if err != nil {
			return "", fmt.Errorf("read the password: %w", err)
		}
		if string(a) != string(b) {
			return "", usageError{errors.New("the two passwords differ; nothing changed")}
		}
		pw = string(a)
	} else {
		line, err := bufio.NewReader(io.LimitReader(m.Stdin, web.MaxPasswordLen+2)).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return "", fmt.Errorf("read the password: %w", err)
		}
		pw = strings.TrimRight(line, "\r\n")
	}
	if n := len([]rune(pw)); n < web.MinPasswordLen || len(pw) > web.MaxPasswordLen {
		return "", usageError{fmt.Errorf("a password has %d to %d characters; this one has %d", web.MinPasswordLen, web.MaxPasswordLen, n)}
	}
	return web.HashPassword(pw, web.DefaultHashParams)
}
