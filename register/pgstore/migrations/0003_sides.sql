-- Beside each stream, the rows the register writes so that its common work
-- does not grow with the history (register.SideStore), as
-- register/sqlitestore keeps them (schema version 3 there): the stream's
-- snapshot, rewritten with every append, and its due-cache row, written by
-- Due. Both are sealed and MACed by the register; a destroyed key deletes
-- both in the same transaction.
CREATE TABLE snapshots (
	stream text  PRIMARY KEY,
	data   bytea NOT NULL
);

CREATE TABLE due_cache (
	stream  text   PRIMARY KEY,
	version bigint NOT NULL,
	data    bytea  NOT NULL
);
