-- The register's append-only log and its streams, as
-- register/sqlitestore keeps them (schema version 2 there).
--
-- records.at is text, RFC 3339 with nanoseconds in UTC, not timestamptz:
-- PostgreSQL keeps microseconds and the chain hashes nanoseconds.
-- records.seq is given by the store from log_head, never by a sequence
-- (a sequence leaves gaps on rollback; the log has none).
CREATE TABLE streams (
	name          text    PRIMARY KEY,
	version       bigint  NOT NULL CHECK (version >= 0),
	key           bytea,
	key_destroyed boolean NOT NULL DEFAULT false,
	head          bytea,
	mac           bytea,
	CHECK (NOT (key_destroyed AND key IS NOT NULL))
);

CREATE TABLE records (
	seq        bigint PRIMARY KEY CHECK (seq > 0),
	stream     text   NOT NULL,
	version    bigint NOT NULL CHECK (version > 0),
	type       text   NOT NULL,
	at         text   NOT NULL,
	actor_id   text   NOT NULL,
	actor_role text   NOT NULL,
	payload    bytea  NOT NULL,
	prev       bytea  NOT NULL,
	hash       bytea  NOT NULL,
	UNIQUE (stream, version)
);

-- One row: the log's last seq and hash. Every append updates it in its
-- transaction, so appends are serialised on this row (the hash chain has
-- one order) while reads never wait.
CREATE TABLE log_head (
	id   integer PRIMARY KEY CHECK (id = 1),
	seq  bigint  NOT NULL,
	hash bytea   NOT NULL
);
INSERT INTO log_head (id, seq, hash) VALUES (1, 0, '');
