package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"refunddesk/archive"
	"refunddesk/tickets"
)

// requestersExportCommand writes everything the desk keeps about one
// person as one zip (archive/, docs/personal-data.md#export).
func (m *Main) requestersExportCommand() *cobra.Command {
	var email, discordID, out, as, agent string
	cmd := &cobra.Command{
		Use:   "export (--email ADDRESS | --discord-id ID) [-o FILE]",
		Short: "Write everything kept about one person as one zip they can read",
		Long: `Write everything the desk keeps about one person, found by their mail address
(in any case) or their Discord id, as one zip: README.txt in their language,
data.json (their tickets with messages, files, audit trail and the messages sent
to them; what they wrote on other people's tickets; their mails set aside), and
their files under tickets/RD-n/evidence/. Nothing of anyone else is in it.

The zip goes to -o FILE (written whole, then put in place), or to standard
output when that is not a terminal. Each exported ticket's audit trail records
who exported it, once the zip is complete. Exit 3 when nothing is kept about
the person. See docs/personal-data.md.`,
		Example: `  refunddesk requesters export --email sari@example.com -o sari.zip
  refunddesk requesters export --discord-id 412345678901234567 > budi.zip`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			who, err := requesterFlags(email, discordID)
			if err != nil {
				return err
			}
			if out == "" || out == "-" {
				if f, ok := m.Stdout.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
					return usageError{errors.New("the archive is a zip, not for a terminal: give -o FILE, or send standard output to a file")}
				}
			}
			if agent != "" { // as requesters erase takes it
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
			cat, err := m.words()
			if err != nil {
				return err
			}
			if out == "" || out == "-" {
				_, err := svc.Records.ExportRequester(cmd.Context(), who, actor, func(ex *tickets.RequesterExport, open tickets.OpenEvidence) error {
					return archive.Write(m.Stdout, cat, ex, open)
				})
				return err
			}
			return m.exportToFile(cmd, svc, who, actor, out, func(w io.Writer, ex *tickets.RequesterExport, open tickets.OpenEvidence) error {
				return archive.Write(w, cat, ex, open)
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&email, "email", "", "the person's mail address (any case)")
	f.StringVar(&discordID, "discord-id", "", "the person's Discord id (17 to 20 digits)")
	f.StringVarP(&out, "output", "o", "", "the zip to write (default: standard output, when it is not a terminal)")
	f.StringVar(&as, "as", "", "the agent exporting (default $REFUNDDESK_AGENT, then $USER)")
	f.StringVar(&agent, "agent", "", "the same as --as")
	_ = f.MarkHidden("agent")
	return cmd
}

// requesterFlags is the person --email or --discord-id names: one of them.
func requesterFlags(email, discordID string) (tickets.Requester, error) {
	email, discordID = strings.TrimSpace(email), strings.TrimSpace(discordID)
	switch {
	case email == "" && discordID == "":
		return tickets.Requester{}, usageError{errors.New("say who: give --email ADDRESS or --discord-id ID")}
	case email != "" && discordID != "":
		return tickets.Requester{}, usageError{errors.New("give --email or --discord-id, not both: one archive is about one way of finding a person")}
	}
	// The id itself is checked by the domain, as erasure checks it
	// (tickets.CheckDiscordID): a validation error, exit 2.
	return tickets.Requester{Email: email, DiscordID: discordID}, nil
}

// exportToFile writes the archive to a file beside out, readable by its
// owner only, and puts it in place once the export (and its audit) went
// through; on failure nothing is left behind.
func (m *Main) exportToFile(cmd *cobra.Command, svc *tickets.Service, who tickets.Requester, actor, out string,
	write func(io.Writer, *tickets.RequesterExport, tickets.OpenEvidence) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(out), "."+filepath.Base(out)+".*.part")
	if err != nil {
		return fmt.Errorf("write %s: %w", out, err)
	}
	done := false
	defer func() {
		if !done {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err := tmp.Chmod(0o600); err != nil {
		return fmt.Errorf("write %s: %w", out, err)
	}
	var files int
	ex, err := svc.Records.ExportRequester(cmd.Context(), who, actor, func(ex *tickets.RequesterExport, open tickets.OpenEvidence) error {
		if err := write(tmp, ex, open); err != nil {
			return err
		}
		if err := tmp.Sync(); err != nil {
			return fmt.Errorf("write %s: %w", out, err)
		}
		for _, d := range ex.Tickets {
			files += len(d.Evidence)
		}
		for _, n := range ex.Elsewhere {
			files += len(n.Evidence)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", out, err)
	}
	if err := os.Rename(tmp.Name(), out); err != nil {
		return fmt.Errorf("write %s: %w", out, err)
	}
	done = true
	fmt.Fprintf(m.Stdout, "wrote %s: %d ticket(s), %d note(s) on other tickets, %d mail(s) set aside, %d file(s)\n",
		out, len(ex.Tickets), len(ex.Elsewhere), len(ex.SetAside), files)
	return nil
}
