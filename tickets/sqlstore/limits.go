package sqlstore

import (
	"fmt"
	"strings"
	"time"

	"refunddesk/tickets"
)

// CountCreated counts the tickets a requester opened since a time, by
// either identity (the mail address's key, or the Discord id), through the
// requester indexes.
func (t *Tx) CountCreated(r tickets.Requester, since time.Time) (int, error) {
	var ors []string
	var args []any
	if r.Email != "" {
		ors, args = append(ors, "(requester_email_key = ? AND requester_email_key <> '')"), append(args, strings.ToLower(r.Email))
	}
	if r.DiscordID != "" {
		ors, args = append(ors, "(requester_discord_id = ? AND requester_discord_id <> '')"), append(args, r.DiscordID)
	}
	if len(ors) == 0 {
		return 0, nil
	}
	var n int
	err := t.get(&n, `SELECT count(*) FROM tickets WHERE (`+strings.Join(ors, " OR ")+`) AND created_at >= ?`,
		append(args, since.UTC())...)
	if err != nil {
		return 0, fmt.Errorf("count tickets created: %w", err)
	}
	return n, nil
}
