-- refunddesk schema, version 1 (SQLite).
-- Times are UTC, written by the driver in SQLite's own format (_time_format=sqlite).

CREATE TABLE promotions (
	id              INTEGER PRIMARY KEY,
	order_number    TEXT NOT NULL UNIQUE,
	account         TEXT NOT NULL,
	account_key     TEXT NOT NULL,
	video_id        TEXT NOT NULL DEFAULT '',
	objective       TEXT NOT NULL DEFAULT '',
	amount          INTEGER NOT NULL,
	currency        TEXT NOT NULL,
	payment_method  TEXT NOT NULL DEFAULT '',
	created_at      TIMESTAMP NOT NULL,
	start_at        TIMESTAMP,
	end_at          TIMESTAMP,
	closed_at       TIMESTAMP,
	status          TEXT NOT NULL,
	promised_reach  INTEGER NOT NULL DEFAULT 0,
	delivered_reach INTEGER NOT NULL DEFAULT 0,
	spend           INTEGER NOT NULL DEFAULT 0,
	incident        BOOLEAN NOT NULL DEFAULT FALSE,
	refunded        INTEGER NOT NULL DEFAULT 0,
	row_hash        TEXT NOT NULL,
	-- the import that last inserted or changed the record
	import_id       INTEGER NOT NULL DEFAULT 0,
	imported_at     TIMESTAMP NOT NULL,
	updated_at      TIMESTAMP NOT NULL
);
CREATE INDEX promotions_twins ON promotions (account_key, video_id, amount, created_at);

CREATE TABLE authorizations (
	id          INTEGER PRIMARY KEY,
	account     TEXT NOT NULL,
	account_key TEXT NOT NULL,
	scope       TEXT NOT NULL,
	granted_at  TIMESTAMP NOT NULL,
	revoked_at  TIMESTAMP,
	row_hash    TEXT NOT NULL,
	imported_at TIMESTAMP NOT NULL,
	updated_at  TIMESTAMP NOT NULL,
	UNIQUE (account_key, scope, granted_at)
);

-- AUTOINCREMENT: a ticket number is never handed out twice, even after the
-- newest ticket is gone. The reference is RD-<id>.
CREATE TABLE tickets (
	id                   INTEGER PRIMARY KEY AUTOINCREMENT,
	kind                 TEXT NOT NULL,
	status               TEXT NOT NULL,
	channel              TEXT NOT NULL,
	requester_email      TEXT NOT NULL DEFAULT '',
	requester_email_key  TEXT NOT NULL DEFAULT '',
	requester_discord_id TEXT NOT NULL DEFAULT '',
	requester_name       TEXT NOT NULL DEFAULT '',
	account              TEXT NOT NULL DEFAULT '',
	account_key          TEXT NOT NULL DEFAULT '',
	order_number         TEXT NOT NULL DEFAULT '',
	reason               TEXT NOT NULL DEFAULT '',
	details              TEXT NOT NULL DEFAULT '',
	language             TEXT NOT NULL DEFAULT 'en',
	verdict              TEXT NOT NULL DEFAULT '',
	refund_amount        INTEGER NOT NULL DEFAULT 0,
	currency             TEXT NOT NULL DEFAULT '',
	rules                TEXT NOT NULL DEFAULT '[]',
	evaluated_at         TIMESTAMP,
	approved_amount      INTEGER,
	decision             TEXT NOT NULL DEFAULT '',
	assignee             TEXT NOT NULL DEFAULT '',
	flags                TEXT NOT NULL DEFAULT '',
	parent_id            INTEGER REFERENCES tickets (id),
	info_requested       BOOLEAN NOT NULL DEFAULT FALSE,
	stale                BOOLEAN NOT NULL DEFAULT FALSE,
	created_at           TIMESTAMP NOT NULL,
	updated_at           TIMESTAMP NOT NULL,
	status_changed_at    TIMESTAMP NOT NULL,
	waiting_since        TIMESTAMP
);
-- One open refund ticket per order, one open revocation per account: a second
-- request joins the first, and two racing inserts cannot both win.
CREATE UNIQUE INDEX tickets_open_refund ON tickets (order_number)
	WHERE kind = 'refund' AND order_number <> '' AND status NOT IN ('resolved', 'closed');
CREATE UNIQUE INDEX tickets_open_revocation ON tickets (account_key)
	WHERE kind = 'revocation' AND account_key <> '' AND status NOT IN ('resolved', 'closed');
-- Query indexes: SQLite appends the rowid (the ticket id) to every index, so
-- "WHERE col = ? ORDER BY id DESC LIMIT n" walks one index in order.
CREATE INDEX tickets_status ON tickets (status);
CREATE INDEX tickets_reason ON tickets (reason);
CREATE INDEX tickets_verdict ON tickets (verdict);
CREATE INDEX tickets_channel ON tickets (channel);
CREATE INDEX tickets_kind ON tickets (kind);
CREATE INDEX tickets_language ON tickets (language);
CREATE INDEX tickets_assignee ON tickets (assignee);
CREATE INDEX tickets_account ON tickets (account_key);
CREATE INDEX tickets_order ON tickets (order_number);
CREATE INDEX tickets_requester_email ON tickets (requester_email_key) WHERE requester_email_key <> '';
CREATE INDEX tickets_requester_discord ON tickets (requester_discord_id) WHERE requester_discord_id <> '';
CREATE INDEX tickets_updated ON tickets (updated_at);
CREATE INDEX tickets_created ON tickets (created_at);
-- Sorted by updated within the two fields most queues filter on.
CREATE INDEX tickets_status_updated ON tickets (status, updated_at);
CREATE INDEX tickets_assignee_updated ON tickets (assignee, updated_at);
-- Ticket order with the creation time beside it: "older:2d" walks this
-- small index from the newest ticket instead of the table.
CREATE INDEX tickets_id_created ON tickets (id, created_at);
CREATE INDEX tickets_waiting ON tickets (waiting_since) WHERE waiting_since IS NOT NULL;
CREATE INDEX tickets_stale ON tickets (stale) WHERE stale;

CREATE TABLE ticket_flags (
	flag      TEXT NOT NULL,
	ticket_id INTEGER NOT NULL REFERENCES tickets (id),
	PRIMARY KEY (flag, ticket_id)
);
CREATE INDEX ticket_flags_ticket ON ticket_flags (ticket_id);

-- Evidence bytes are kept once per content hash.
CREATE TABLE evidence_blobs (
	sha256       TEXT PRIMARY KEY,
	content_type TEXT NOT NULL,
	size         INTEGER NOT NULL,
	data         BLOB NOT NULL,
	created_at   TIMESTAMP NOT NULL
);

CREATE TABLE ticket_evidence (
	id           INTEGER PRIMARY KEY,
	ticket_id    INTEGER NOT NULL REFERENCES tickets (id),
	sha256       TEXT NOT NULL REFERENCES evidence_blobs (sha256),
	name         TEXT NOT NULL,
	content_type TEXT NOT NULL,
	size         INTEGER NOT NULL,
	added_at     TIMESTAMP NOT NULL,
	UNIQUE (ticket_id, sha256)
);

CREATE TABLE ticket_messages (
	id          INTEGER PRIMARY KEY,
	ticket_id   INTEGER NOT NULL REFERENCES tickets (id),
	kind        TEXT NOT NULL,
	channel     TEXT NOT NULL,
	author      TEXT NOT NULL,
	body        TEXT NOT NULL,
	external_id TEXT NOT NULL DEFAULT '',
	created_at  TIMESTAMP NOT NULL
);
CREATE INDEX ticket_messages_ticket ON ticket_messages (ticket_id, id);
CREATE INDEX ticket_messages_external ON ticket_messages (external_id) WHERE external_id <> '';

CREATE TABLE ticket_audit (
	id          INTEGER PRIMARY KEY,
	ticket_id   INTEGER NOT NULL REFERENCES tickets (id),
	at          TIMESTAMP NOT NULL,
	actor       TEXT NOT NULL,
	action      TEXT NOT NULL,
	from_status TEXT NOT NULL DEFAULT '',
	to_status   TEXT NOT NULL DEFAULT '',
	detail      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX ticket_audit_ticket ON ticket_audit (ticket_id, id);

-- Idempotency keys of inbound requests (Message-ID, interaction id, --key).
CREATE TABLE intake_keys (
	key        TEXT PRIMARY KEY,
	ticket_id  INTEGER NOT NULL REFERENCES tickets (id),
	created_at TIMESTAMP NOT NULL
);

-- The transactional outbox: messages to requesters, written with the change
-- that caused them and delivered by the channels' senders.
CREATE TABLE outbox (
	id              INTEGER PRIMARY KEY,
	ticket_id       INTEGER REFERENCES tickets (id),
	channel         TEXT NOT NULL,
	recipient       TEXT NOT NULL,
	template        TEXT NOT NULL,
	language        TEXT NOT NULL,
	data            TEXT NOT NULL,
	dedupe_key      TEXT UNIQUE,
	status          TEXT NOT NULL,
	attempts        INTEGER NOT NULL DEFAULT 0,
	last_error      TEXT NOT NULL DEFAULT '',
	-- automatic: sent by the desk itself (acknowledgements, reminders), not
	-- by an agent; such mail says Auto-Submitted and is rate-limited.
	automatic       BOOLEAN NOT NULL DEFAULT FALSE,
	-- the id the channel gave the message (a Message-ID, a Discord message id)
	external_id     TEXT NOT NULL DEFAULT '',
	created_at      TIMESTAMP NOT NULL,
	next_attempt_at TIMESTAMP NOT NULL,
	-- a sender holds the item until then; a crashed sender's item is taken again after
	lease_until     TIMESTAMP,
	sent_at         TIMESTAMP
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
CREATE INDEX outbox_ticket ON outbox (ticket_id, id);
CREATE INDEX outbox_recipient ON outbox (recipient, created_at);
-- One pending update of a ticket's agent card at a time: the card shows the
-- ticket as it is when it is sent, so more would say the same thing.
CREATE UNIQUE INDEX outbox_one_pending_card ON outbox (ticket_id) WHERE channel = 'discord_card' AND status = 'pending';

-- The message that shows a ticket to the agents in their Discord channel.
CREATE TABLE agent_cards (
	ticket_id  INTEGER PRIMARY KEY REFERENCES tickets (id),
	channel_id TEXT NOT NULL,
	message_id TEXT NOT NULL,
	updated_at TIMESTAMP NOT NULL
);

-- Where each intake stopped: an IMAP folder's UIDVALIDITY and the last UID
-- whose mail is committed.
CREATE TABLE intake_cursors (
	name        TEXT PRIMARY KEY,
	uidvalidity INTEGER NOT NULL,
	last_uid    INTEGER NOT NULL,
	updated_at  TIMESTAMP NOT NULL
);

-- Inbound items that could not be taken in (unparseable, too big), kept
-- where agents see them; the item itself is set aside, never deleted.
CREATE TABLE inbound_failures (
	id          INTEGER PRIMARY KEY,
	channel     TEXT NOT NULL,
	item_key    TEXT NOT NULL UNIQUE,
	source      TEXT NOT NULL,
	sender      TEXT NOT NULL DEFAULT '',
	subject     TEXT NOT NULL DEFAULT '',
	size        INTEGER NOT NULL DEFAULT 0,
	reason      TEXT NOT NULL,
	set_aside   TEXT NOT NULL DEFAULT '',
	created_at  TIMESTAMP NOT NULL
);

-- Free-text search over a ticket's words: account, order, details, messages.
-- Contentless: the store writes one row per ticket, rowid = ticket id.
CREATE VIRTUAL TABLE ticket_search USING fts5 (
	body,
	content = '',
	contentless_delete = 1,
	tokenize = 'unicode61 remove_diacritics 2'
);
