-- The register's append-only log (dsr.Record) and its streams with their
-- data keys. A destroyed key is set to NULL; secure_delete overwrites the
-- old bytes in the file.
CREATE TABLE streams (
	name          TEXT PRIMARY KEY,
	version       INTEGER NOT NULL CHECK (version >= 0),
	key           BLOB,
	key_destroyed INTEGER NOT NULL DEFAULT 0 CHECK (key_destroyed IN (0, 1))
);

CREATE TABLE records (
	seq        INTEGER PRIMARY KEY,
	stream     TEXT    NOT NULL,
	version    INTEGER NOT NULL,
	type       TEXT    NOT NULL,
	at         TEXT    NOT NULL,
	actor_id   TEXT    NOT NULL,
	actor_role TEXT    NOT NULL,
	payload    BLOB    NOT NULL,
	prev       BLOB    NOT NULL,
	hash       BLOB    NOT NULL,
	UNIQUE (stream, version)
);
