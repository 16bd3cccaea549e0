-- Retention ([retention], tickets.Retention): closed tickets lose their
-- evidence, their conversation and at last themselves once their time is
-- up, a batch of tickets per transaction.
--
-- The closed tickets in the order their time runs out: a status and when
-- the ticket entered it.
CREATE INDEX tickets_status_changed ON tickets (status, status_changed_at);
-- What a removal looks up: whether another ticket still links a file (the
-- file stays for it), the intake keys and the follow-on tickets of a
-- ticket that goes. Without them SQLite reads the whole table for each
-- (the foreign keys' own checks included).
CREATE INDEX ticket_evidence_sha256 ON ticket_evidence (sha256);
CREATE INDEX intake_keys_ticket ON intake_keys (ticket_id);
CREATE INDEX tickets_parent ON tickets (parent_id) WHERE parent_id IS NOT NULL;

-- The desk-wide record of what retention removed: one row per batch, in
-- counts only. A ticket that goes takes its own audit trail with it; this
-- says that it went, and nothing about who asked for what.
CREATE TABLE retention_log (
	id            INTEGER PRIMARY KEY,
	at            TIMESTAMP NOT NULL,
	part          TEXT NOT NULL, -- tickets, messages, outbox, evidence or set_aside
	closed_before TIMESTAMP NOT NULL,
	tickets       INTEGER NOT NULL,
	evidence      INTEGER NOT NULL,
	blobs         INTEGER NOT NULL,
	bytes         INTEGER NOT NULL,
	messages      INTEGER NOT NULL,
	outbox        INTEGER NOT NULL,
	set_aside     INTEGER NOT NULL DEFAULT 0 -- records of mails set aside
);
CREATE INDEX retention_log_at ON retention_log (at);
