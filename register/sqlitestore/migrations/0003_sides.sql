-- Beside each stream, the rows the register writes so that its common work
-- does not grow with the history (register.SideStore): the stream's
-- snapshot, rewritten with every append, and its due-cache row (a person's
-- worklist items for one date and policy), written by Due. Both are sealed
-- under the stream's data key and MACed under the register's chain key by
-- the register; the store keeps them as opaque bytes. A destroyed key
-- deletes both in the same transaction (secure_delete overwrites them).
--
-- The three tables are keyed by the stream's name and kept in its order
-- (WITHOUT ROWID), so a walk of the streams with their side rows reads
-- each table's pages in order rather than jumping about: streams is
-- rebuilt so, with the same columns and rows.
CREATE TABLE streams_by_name (
	name          TEXT PRIMARY KEY,
	version       INTEGER NOT NULL CHECK (version >= 0),
	key           BLOB,
	key_destroyed INTEGER NOT NULL DEFAULT 0 CHECK (key_destroyed IN (0, 1)),
	head          BLOB,
	mac           BLOB
) WITHOUT ROWID;
INSERT INTO streams_by_name (name, version, key, key_destroyed, head, mac)
	SELECT name, version, key, key_destroyed, head, mac FROM streams;
DROP TABLE streams;
ALTER TABLE streams_by_name RENAME TO streams;

CREATE TABLE snapshots (
	stream TEXT PRIMARY KEY,
	data   BLOB NOT NULL
) WITHOUT ROWID;

CREATE TABLE due_cache (
	stream  TEXT PRIMARY KEY,
	version INTEGER NOT NULL,
	data    BLOB NOT NULL
) WITHOUT ROWID;
