-- Follow-ups: what the desk does by itself when a ticket has waited long
-- enough in its status (remind, escalate, auto-close, check on the platform).
-- The domain writes a ticket's schedule in the transaction that changes the
-- ticket; a worker leases due rows, and marks each done in the transaction
-- of its effect, only while it is still pending.
CREATE TABLE followups (
	id          INTEGER PRIMARY KEY,
	ticket_id   INTEGER NOT NULL REFERENCES tickets (id),
	kind        TEXT NOT NULL,
	due_at      TIMESTAMP NOT NULL,
	status      TEXT NOT NULL,
	result      TEXT NOT NULL DEFAULT '',
	lease_until TIMESTAMP,
	created_at  TIMESTAMP NOT NULL,
	done_at     TIMESTAMP,
	-- the same follow-up (kind and due time) of a ticket is done once
	UNIQUE (ticket_id, kind, due_at)
);
CREATE INDEX followups_due ON followups (due_at, id) WHERE status = 'pending';
CREATE INDEX followups_ticket ON followups (ticket_id, id);
CREATE INDEX followups_status ON followups (status, id);

-- Leases: work that one instance at a time may do (the IMAP intake of a
-- mailbox). The holder renews its lease; when it dies, the lease runs out
-- and another instance takes the work over.
CREATE TABLE leases (
	name        TEXT PRIMARY KEY,
	holder      TEXT NOT NULL,
	until       TIMESTAMP NOT NULL,
	acquired_at TIMESTAMP NOT NULL
);
