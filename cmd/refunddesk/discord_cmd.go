package main

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"refunddesk/bot"
	"refunddesk/templates"
)

func (m *Main) discordCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "discord", Short: "The Discord channel: run the bot"}
	run := &cobra.Command{
		Use:   "run",
		Short: "Connect the bot and serve Discord until interrupted",
		Long: `Registers the slash commands (a bulk overwrite: running again changes
nothing), connects to the gateway, answers interactions, and delivers the
outbox's direct messages and agent cards, until interrupted.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			svc, err := m.service(cmd.Context())
			if err != nil {
				return err
			}
			c := m.config.Discord
			if !c.Enabled() {
				return usageError{fmt.Errorf("discord.token is not set (or REFUNDDESK_DISCORD_TOKEN)")}
			}
			tpl, err := templates.New()
			if err != nil {
				return err
			}
			b, err := bot.New(c, bot.Options{Service: svc, Templates: tpl, Logger: m.log})
			if err != nil {
				return usageError{err}
			}
			if err := b.Start(cmd.Context()); err != nil {
				return err
			}
			fmt.Fprintln(m.Stdout, "the Discord bot is connected; interrupt to stop")
			b.Run(cmd.Context(), 2*time.Second)
			return b.Close()
		},
	}
	cmd.AddCommand(run)
	return cmd
}
