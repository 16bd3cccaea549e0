package main

import "github.com/spf13/cobra"

// requestersEraseCommand is being written (issue 17).
func (m *Main) requestersEraseCommand() *cobra.Command {
	return &cobra.Command{Use: "erase", Hidden: true}
}
