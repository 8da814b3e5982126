-- The register's metadata (its id, the KEK's id and parameters, its
-- wrapped secrets): one row.
CREATE TABLE meta (
	id   integer PRIMARY KEY CHECK (id = 1),
	data bytea   NOT NULL
);
