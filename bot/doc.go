// Package bot is the Discord channel: slash commands for requesters, the
// agents' console (ticket cards and buttons), evidence downloaded when it
// arrives, and direct messages from the outbox. It imports tickets; tickets
// never imports it.
package bot
