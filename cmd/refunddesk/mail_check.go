package main

import (
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"refunddesk/mail"
)

func (m *Main) mailCheckCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "check",
		Short: "Log in to the mail servers and show the folders the desk will use; takes no mail in",
		Long: `Logs in over IMAP as [mail.imap] says and prints what the server told of its
folders (its hierarchy separator and personal namespace) and the server's names
of the mailbox read, the processed folder and the set-aside folder, creating
the last two when they are missing, as "mail fetch" would. Folder names in the
config are written with / between levels and translated to the server's; a
processed or set-aside folder may name a special use instead (\Archive, \Junk,
…). With [mail.smtp] set, it also logs in to the SMTP server.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := m.loadConfig()
			if err != nil {
				return err
			}
			if c.Mail.IMAP.Address == "" && c.Mail.SMTP.Address == "" {
				return usageError{fmt.Errorf("neither mail.imap.address nor mail.smtp.address is set: there is nothing to check")}
			}
			if c.Mail.IMAP.Address != "" {
				layout, err := mail.NewFetcher(c.Mail.IMAP, nil, nil, m.log).Inspect(cmd.Context())
				if err != nil {
					return err
				}
				printLayout(m, c.Mail.IMAP, layout)
			}
			if c.Mail.SMTP.Address != "" {
				svc, err := m.service(cmd.Context())
				if err != nil {
					return err
				}
				s, err := m.sender(svc)
				if err != nil {
					return err
				}
				if err := s.Check(cmd.Context()); err != nil {
					return err
				}
				fmt.Fprintf(m.Stdout, "SMTP %s: logged in\n", c.Mail.SMTP.Address)
			}
			return nil
		},
	}
}

func printLayout(m *Main, cfg mail.IMAPConfig, l mail.FolderLayout) {
	fmt.Fprintf(m.Stdout, "IMAP %s as %s: logged in\n", cfg.Address, cfg.Username)
	tw := tabwriter.NewWriter(m.Stdout, 0, 0, 2, ' ', 0)
	sep := fmt.Sprintf("%q", l.Delim)
	if l.Delim == "" {
		sep = "none (the server has no folder hierarchy)"
	}
	fmt.Fprintf(tw, "  hierarchy separator\t%s\n", sep)
	ns := fmt.Sprintf("%q", l.Namespace)
	if !l.NamespaceKnown {
		ns = `"" (the server does not answer NAMESPACE)`
	}
	fmt.Fprintf(tw, "  personal namespace\t%s\n", ns)
	for i, f := range l.Folders {
		note := f.Note
		if i == 0 {
			note = fmt.Sprintf("UIDVALIDITY %d, UIDNEXT %d", l.UIDValidity, l.UIDNext)
		}
		if note != "" {
			note = "  (" + note + ")"
		}
		fmt.Fprintf(tw, "  %s = %q\t%s%s\n", f.Key, f.Config, f.Name, note)
	}
	tw.Flush()
}
