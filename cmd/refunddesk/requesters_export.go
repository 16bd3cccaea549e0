package main

import "github.com/spf13/cobra"

// requestersExportCommand is being written (issue 17).
func (m *Main) requestersExportCommand() *cobra.Command {
	return &cobra.Command{Use: "export", Hidden: true}
}
