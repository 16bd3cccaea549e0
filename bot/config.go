// Package bot is the Discord channel: slash commands for requesters, the
// agents' console (a card per ticket with buttons, and commands), evidence
// downloaded when it arrives, and direct messages from the outbox. It
// imports tickets; tickets never imports it.
package bot

import (
	"fmt"
	"net/url"
	"strings"
)

// Config is the [discord] section.
type Config struct {
	// Token of the bot (env REFUNDDESK_DISCORD_TOKEN); empty: no Discord.
	Token         string `toml:"token"`
	ApplicationID string `toml:"application_id"`
	// GuildID: commands are registered to this guild; empty: globally.
	GuildID string `toml:"guild_id"`
	// AgentRoleIDs: members with one of these roles are agents. Checked on
	// every command and button, whatever Discord's permission settings say.
	AgentRoleIDs []string `toml:"agent_role_ids"`
	// AgentChannelID: where every ticket is shown as a card.
	AgentChannelID string `toml:"agent_channel_id"`
	// APIURL: every REST call goes here (Discord's own by default; a REST
	// proxy shared by instances for rate limits, or a test fake). The
	// gateway address is read from its /gateway/bot.
	APIURL     string `toml:"api_url"`
	ShardID    int    `toml:"shard_id"`
	ShardCount int    `toml:"shard_count"`
	// RequestsPerHour: new requests one user may file in an hour.
	RequestsPerHour int `toml:"requests_per_hour"`
}

// DefaultAPIURL is Discord's own REST address.
const DefaultAPIURL = "https://discord.com"

// Defaults fills the zero values.
func (c *Config) Defaults() {
	if c.APIURL == "" {
		c.APIURL = DefaultAPIURL
	}
	if c.ShardCount <= 0 {
		c.ShardCount = 1
	}
	if c.RequestsPerHour <= 0 {
		c.RequestsPerHour = 5
	}
}

// Enabled reports whether Discord is configured.
func (c *Config) Enabled() bool { return c.Token != "" }

// Validate checks the settings; messages name the key under prefix.
func (c *Config) Validate(prefix string) []string {
	if !c.Enabled() {
		return nil
	}
	var errs []string
	if c.ApplicationID == "" {
		errs = append(errs, prefix+".application_id: needed to register the commands")
	}
	if u, err := url.Parse(c.APIURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		errs = append(errs, fmt.Sprintf("%s.api_url: %q is not an http(s) URL", prefix, c.APIURL))
	}
	if c.ShardID < 0 || c.ShardID >= c.ShardCount {
		errs = append(errs, fmt.Sprintf("%s.shard_id: %d is not below shard_count %d", prefix, c.ShardID, c.ShardCount))
	}
	for _, r := range c.AgentRoleIDs {
		if strings.TrimSpace(r) == "" {
			errs = append(errs, prefix+".agent_role_ids: an empty role id")
		}
	}
	return errs
}
