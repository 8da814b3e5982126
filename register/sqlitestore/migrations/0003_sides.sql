-- Beside each stream, the rows the register writes so that its common work
-- does not grow with the history (register.SideStore): the stream's
-- snapshot, rewritten with every append, and its due-cache row (a person's
-- worklist items for one date and policy), written by Due. Both are sealed
-- under the stream's data key and MACed under the register's chain key by
-- the register; the store keeps them as opaque bytes. A destroyed key
-- deletes both in the same transaction (secure_delete overwrites them).
CREATE TABLE snapshots (
	stream TEXT PRIMARY KEY,
	data   BLOB NOT NULL
);

CREATE TABLE due_cache (
	stream  TEXT PRIMARY KEY,
	version INTEGER NOT NULL,
	data    BLOB NOT NULL
);
