-- One pending card per ticket on each watcher channel, whatever the
-- channel (tickets.Options.Watchers): the index 0001 made named Discord's
-- (discord_card), so a card on any other watcher was queued again at every
-- change of its ticket. Enqueue's ON CONFLICT DO NOTHING drops a card
-- while one is pending for the same ticket and channel; the channel reads
-- the ticket as it is when it sends one.
DROP INDEX outbox_one_pending_card;
-- Cards queued twice before this on another watcher channel: the oldest
-- of each stays, and says what the others would have.
DELETE FROM outbox WHERE template = 'card' AND status = 'pending' AND id NOT IN (
	SELECT min(id) FROM outbox WHERE template = 'card' AND status = 'pending' GROUP BY ticket_id, channel);
CREATE UNIQUE INDEX outbox_one_pending_card ON outbox (ticket_id, channel) WHERE template = 'card' AND status = 'pending';
