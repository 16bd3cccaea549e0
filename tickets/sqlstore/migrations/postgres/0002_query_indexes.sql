-- Indexes that let the hot queries stop after a page instead of reading
-- every row. Each partial index's WHERE is repeated word for word in the
-- query that uses it: a planner does not see by itself that the query's
-- rows are inside it.

-- "overdue" in ticket order: the tickets waiting on agents, newest first.
CREATE INDEX tickets_overdue ON tickets (id, waiting_since) WHERE status IN ('new', 'in_review') AND waiting_since IS NOT NULL;

-- A sender's claim walks only the unsent items of its channel, however many
-- have been sent.
CREATE INDEX outbox_claim ON outbox (channel, id) WHERE status IN ('pending', 'sending');

-- outbox list --status S, newest first, without sorting every item of that status.
CREATE INDEX outbox_status ON outbox (status, id);
