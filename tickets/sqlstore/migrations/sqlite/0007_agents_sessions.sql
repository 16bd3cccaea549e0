-- The agents' own sign-in, for the web console (web/): an agent is a name
-- with an argon2id password hash (its salt and parameters encoded in it,
-- $argon2id$v=19$m=…,t=…,p=…$salt$hash) and the language the console
-- speaks to them. A disabled agent cannot sign in, and its sessions end.
CREATE TABLE agents (
	name          TEXT PRIMARY KEY,
	password_hash TEXT NOT NULL,
	language      TEXT NOT NULL,
	disabled      BOOLEAN NOT NULL DEFAULT FALSE,
	created_at    TIMESTAMP NOT NULL,
	updated_at    TIMESTAMP NOT NULL
);

-- Signed-in sessions, shared by every instance on the store: the cookie
-- holds a random token, the store only its SHA-256 (hex), so a copy of the
-- database signs no one in. Each holds the secret its forms' CSRF tokens
-- are made from; last_seen moves the idle expiry on.
CREATE TABLE agent_sessions (
	token_hash TEXT PRIMARY KEY,
	agent      TEXT NOT NULL REFERENCES agents (name) ON DELETE CASCADE,
	csrf       TEXT NOT NULL,
	created_at TIMESTAMP NOT NULL,
	last_seen  TIMESTAMP NOT NULL,
	expires_at TIMESTAMP NOT NULL
);
CREATE INDEX agent_sessions_agent ON agent_sessions (agent);
CREATE INDEX agent_sessions_expiry ON agent_sessions (expires_at);

-- Failed sign-ins, counted per key ("name:NAME", "addr:ADDRESS") in a fixed
-- window, shared by every instance: past the limit, sign-in is refused
-- until the window ends.
CREATE TABLE signin_failures (
	key          TEXT PRIMARY KEY,
	window_start TIMESTAMP NOT NULL,
	failures     INTEGER NOT NULL
);
CREATE INDEX signin_failures_window ON signin_failures (window_start);
