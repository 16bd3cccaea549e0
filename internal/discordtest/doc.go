// Package discordtest is a fake Discord for the bot's tests and benchmarks.
//
// It speaks the real protocol on loopback: the gateway websocket (Hello,
// Identify, READY, heartbeats, Resume with replay of missed dispatches) and
// the REST routes the bot uses (command registration, interaction callbacks,
// webhook edits and follow-ups, DM channels, channel messages), plus a CDN for
// attachments. It records what arrived so tests can assert on it, and it can
// inject faults (rate limits, 5xx errors, closed DMs, dropped connections).
//
// Point a discordgo session at it by giving the session an http.Client whose
// transport rewrites https://discord.com to [Server.URL] (see
// [Server.HTTPClient]); discordgo then reads the gateway address from the fake.
//
// Nothing in production uses this package.
package discordtest
