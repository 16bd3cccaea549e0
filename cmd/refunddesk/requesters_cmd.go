package main

import "github.com/spf13/cobra"

// requestersCommand gives a requester their data (export) and erases it
// (erase), as the personal data laws they live under require.
func (m *Main) requestersCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "requesters",
		Short: "A requester's personal data: export, erase",
		Long: `Everything the desk keeps about one person, found by their mail address or
Discord id: export gives it to them as one archive, erase removes it and keeps
only the anonymised facts the accounts need. See docs/personal-data.md.`,
	}
	cmd.AddCommand(m.requestersExportCommand(), m.requestersEraseCommand())
	return cmd
}
