package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/spf13/cobra"

	"refunddesk/bot"
	"refunddesk/templates"
	"refunddesk/tickets"
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
			b, err := m.newBot(cmd.Context(), svc, nil)
			if err != nil {
				return err
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

// newBot builds the Discord bot, with discordgo's log sent to ours.
func (m *Main) newBot(ctx context.Context, svc *tickets.Service, onInteraction func(time.Duration)) (*bot.Bot, error) {
	tpl, err := templates.New()
	if err != nil {
		return nil, err
	}
	// discordgo logs through a variable of its own; send it to ours
	// (this process runs one bot, so setting it here is safe).
	discordgo.Logger = func(level, _ int, format string, a ...any) {
		lv := slog.LevelError
		switch level {
		case discordgo.LogWarning:
			lv = slog.LevelWarn
		case discordgo.LogInformational:
			lv = slog.LevelInfo
		case discordgo.LogDebug:
			lv = slog.LevelDebug
		}
		m.log.Log(ctx, lv, fmt.Sprintf(format, a...), slog.String("component", "discordgo"))
	}
	b, err := bot.New(m.config.Discord, bot.Options{Service: svc, Cards: m.db, Templates: tpl, Logger: m.log, OnInteraction: onInteraction})
	if err != nil {
		return nil, usageError{err}
	}
	return b, nil
}
