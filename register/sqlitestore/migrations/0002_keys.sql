-- Envelope encryption and the keyed chain: streams.key now holds the data
-- key wrapped by the register's key-encryption key, and each stream row
-- carries the hash of its last record (head) and a MAC over the row under
-- the register's chain key. meta holds the register's metadata (its id, the
-- KEK's id and parameters, its wrapped secrets): one row.
ALTER TABLE streams ADD COLUMN head BLOB;
ALTER TABLE streams ADD COLUMN mac BLOB;

CREATE TABLE meta (
	id   INTEGER PRIMARY KEY CHECK (id = 1),
	data BLOB NOT NULL
);
