// Package pgstore is a register.Store in PostgreSQL, for a register that
// several staff and servers share, through github.com/jackc/pgx/v5 and its
// connection pool.
//
// Open takes a DSN (postgres://user@host/db?sslmode=verify-full, or
// PostgreSQL's key=value form) and brings the schema up to date: migrations
// embedded in the binary (migrations/NNNN_name.sql), applied in order, each
// in its own transaction and recorded in schema_migrations, under an
// advisory lock so that servers starting together migrate once. A database
// written by a newer schema is refused with ErrSchemaTooNew. The tables go
// in the DSN's search_path (its first schema), so one database can hold
// several registers.
//
// The pool keeps at most 10 connections unless the DSN says otherwise
// (pool_max_conns=N); a connection attempt gives up after 10 s
// (connect_timeout=S in the DSN to change it); connections are recycled
// after an hour and closed after 30 idle minutes (pool_max_conn_lifetime,
// pool_max_conn_idle_time).
//
// Each Append is one READ COMMITTED transaction. It first updates the
// single row of log_head (the log's last seq and hash), which serialises
// appends across every process, so the hash chain has one order and Seq no
// gaps; reads never wait for it. The stream's row is not locked: its
// version is checked after log_head is held, and the UNIQUE (stream,
// version) constraint and the stream's primary key refuse any write that
// slips past (a unique violation, SQLSTATE 23505, is register.ErrConflict).
// A stale version is register.ErrConflict and writes nothing; the records,
// the chain and the stream's row (wrapped key, head, MAC) commit together
// or not at all. Rekey holds log_head too, and is one transaction.
// Stream, Streams and Log read from one REPEATABLE READ snapshot.
//
// The store is a register.SideStore, as register/sqlitestore is: tables
// snapshots (written in the append's transaction) and due_cache (migration
// 3), both deleted with a destroyed key in its transaction. Streams and
// Sides stream one stream at a time.
//
// The store holds no secret: data keys arrive wrapped, and the hashes it
// writes come from each request's register.Chain. When a stream's key is
// destroyed (R-CONS-4) its column is set to NULL in the same statement as
// the append's row update; PostgreSQL keeps old row versions until VACUUM
// reclaims them, and its write-ahead log and backups keep them longer, so
// what remains there is the wrapped key: it opens nothing without the
// register's key-encryption key, and a rekey (dsr register rekey) leaves it
// wrapped by a key that no longer exists.
//
// A Store is safe for concurrent use.
package pgstore

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/dsrkit/dsrkit/register"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// ErrSchemaTooNew is returned by Open for a database whose schema is newer
// than this build knows.
var ErrSchemaTooNew = errors.New("pgstore: database schema is newer than this program")

// Pool limits Open sets when the DSN does not.
const (
	DefaultMaxConns       = 10
	DefaultConnectTimeout = 10 * time.Second
)

// Store is a register.Store in a PostgreSQL database.
type Store struct {
	pool *pgxpool.Pool
	// failpoint, when set, is called at named points of an append; tests
	// use it to fail or kill the connection before the commit.
	failpoint func(ctx context.Context, tx pgx.Tx, stage string) error
}

var _ register.SideStore = (*Store)(nil)

// Open connects to the database dsn names, with the pool limits above, and
// brings its schema up to date. Errors never repeat the DSN (it may hold a
// password).
func Open(ctx context.Context, dsn string) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("pgstore: %w", err) // pgx masks the password
	}
	if !strings.Contains(dsn, "pool_max_conns") {
		cfg.MaxConns = DefaultMaxConns
	}
	if cfg.ConnConfig.ConnectTimeout == 0 {
		cfg.ConnConfig.ConnectTimeout = DefaultConnectTimeout
	}
	where := fmt.Sprintf("%s:%d/%s", cfg.ConnConfig.Host, cfg.ConnConfig.Port, cfg.ConnConfig.Database)
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("pgstore: %s: %w", where, err)
	}
	s := &Store{pool: pool}
	if err := s.migrate(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("pgstore: %s: %w", where, err)
	}
	return s, nil
}

// Migration is one embedded schema change.
type Migration = register.Migration

// Migrations returns the embedded migrations in version order.
func Migrations() ([]Migration, error) { return register.ReadMigrations(migrationFS, "migrations") }

// SchemaVersion returns the version of the newest migration applied.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	var v *int
	err := s.pool.QueryRow(ctx, `SELECT max(version) FROM schema_migrations`).Scan(&v)
	if err != nil || v == nil {
		return 0, err
	}
	return *v, nil
}

// migrateLock takes a transaction-scoped advisory lock named for the
// schema the tables go in, so processes migrating the same schema take
// turns and registers in other schemas do not wait.
const migrateLock = `SELECT pg_advisory_xact_lock(hashtextextended('dsrkit/pgstore migrate ' || current_schema(), 0))`

func (s *Store) migrate(ctx context.Context) error {
	ms, err := Migrations()
	if err != nil {
		return err
	}
	var cur int
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, migrateLock); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL)`); err != nil {
			return fmt.Errorf("creating schema_migrations: %w", err)
		}
		var v *int
		if err := tx.QueryRow(ctx, `SELECT max(version) FROM schema_migrations`).Scan(&v); err != nil {
			return err
		}
		if v != nil {
			cur = *v
		}
		return nil
	})
	if err != nil {
		return err
	}
	if cur > len(ms) {
		return fmt.Errorf("%w: the database is at version %d, this program knows up to %d", ErrSchemaTooNew, cur, len(ms))
	}
	for _, m := range ms[cur:] {
		err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, migrateLock); err != nil {
				return err
			}
			// Another process may have migrated while we waited for the lock.
			var done bool
			if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM schema_migrations WHERE version = $1)`, m.Version).Scan(&done); err != nil || done {
				return err
			}
			if _, err := tx.Exec(ctx, m.SQL); err != nil { // no arguments: the simple protocol, several statements
				return err
			}
			_, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, now())`, m.Version, m.Name)
			return err
		})
		if err != nil {
			return fmt.Errorf("migration %04d_%s: %w", m.Version, m.Name, err)
		}
	}
	return nil
}

// conflict turns a unique violation into register.ErrConflict.
func conflict(err error, what string) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "23505" {
		return fmt.Errorf("pgstore: %s: another writer got there first (%s): %w", what, pe.ConstraintName, register.ErrConflict)
	}
	return fmt.Errorf("pgstore: %s: %w", what, err)
}

func (s *Store) fail(ctx context.Context, tx pgx.Tx, stage string) error {
	if s.failpoint == nil {
		return nil
	}
	return s.failpoint(ctx, tx, stage)
}

// Append implements register.Store.
func (s *Store) Append(ctx context.Context, req register.AppendRequest) (out []register.Record, err error) {
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.ReadCommitted})
	if err != nil {
		return nil, fmt.Errorf("pgstore: %w", err)
	}
	defer func() {
		if err != nil {
			tx.Rollback(context.WithoutCancel(ctx))
		}
	}()
	// Take log_head's row lock first: every append waits here for the one
	// before to commit, and then reads the log's head as it left it.
	var seq int64
	var prev []byte
	if err := tx.QueryRow(ctx, `UPDATE log_head SET seq = seq WHERE id = 1 RETURNING seq, hash`).Scan(&seq, &prev); err != nil {
		return nil, fmt.Errorf("pgstore: reading the log's head: %w", err)
	}
	var version int64
	var destroyed bool
	var key []byte
	switch err := tx.QueryRow(ctx, `SELECT version, key_destroyed, key FROM streams WHERE name = $1`, req.Stream).Scan(&version, &destroyed, &key); {
	case errors.Is(err, pgx.ErrNoRows):
	case err != nil:
		return nil, fmt.Errorf("pgstore: reading stream %s: %w", req.Stream, err)
	}
	if version != req.Expected {
		return nil, fmt.Errorf("pgstore: stream %s is at version %d, not %d: %w", req.Stream, version, req.Expected, register.ErrConflict)
	}
	if err := register.CheckAppend(req, destroyed); err != nil {
		return nil, err
	}
	out = make([]register.Record, len(req.Records))
	rows := make([][]any, len(req.Records))
	for i, r := range req.Records {
		r.Stream, r.Seq, r.Version = req.Stream, seq+int64(i)+1, version+int64(i)+1
		r.At = r.At.UTC()
		r.Prev = append([]byte{}, prev...)
		r.Hash = req.Chain.RecordHash(&r)
		prev = r.Hash
		out[i] = r
		rows[i] = []any{r.Seq, r.Stream, r.Version, r.Type, r.At.Format(time.RFC3339Nano), r.ActorID, r.ActorRole, r.Payload, r.Prev, r.Hash}
	}
	if len(rows) == 1 {
		_, err = tx.Exec(ctx, `INSERT INTO records (`+recordCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`, rows[0]...)
	} else {
		_, err = tx.CopyFrom(ctx, pgx.Identifier{"records"}, strings.Split(recordCols, ", "), pgx.CopyFromRows(rows))
	}
	if err != nil {
		return nil, conflict(err, "appending to "+req.Stream)
	}
	if err := s.fail(ctx, tx, "records"); err != nil {
		return nil, err
	}
	row := register.Stream{Name: req.Stream, Version: version + int64(len(req.Records)), Key: key, Head: prev}
	if req.Expected == 0 {
		row.Key = req.NewKey
	}
	if req.DestroyKey {
		row.Key, row.KeyDestroyed = nil, true
	}
	mac := req.Chain.StreamMAC(&row)
	var tag pgconn.CommandTag
	if req.Expected == 0 {
		tag, err = tx.Exec(ctx, `INSERT INTO streams (name, version, key, key_destroyed, head, mac) VALUES ($1, $2, $3, $4, $5, $6)`,
			row.Name, row.Version, row.Key, row.KeyDestroyed, row.Head, mac)
	} else {
		// Key is rewritten only to destroy it: one statement, so no row
		// version between holds the key with the new head.
		tag, err = tx.Exec(ctx, `UPDATE streams SET version = $2, head = $3, mac = $4,
			key = CASE WHEN $5::boolean THEN NULL ELSE key END, key_destroyed = key_destroyed OR $5::boolean
			WHERE name = $1 AND version = $6`, row.Name, row.Version, row.Head, mac, row.KeyDestroyed, req.Expected)
	}
	switch {
	case err != nil:
		return nil, conflict(err, "stream "+req.Stream)
	case tag.RowsAffected() != 1:
		return nil, fmt.Errorf("pgstore: stream %s moved past version %d: %w", req.Stream, req.Expected, register.ErrConflict)
	}
	if err := putSnapshot(ctx, tx, req, row); err != nil {
		return nil, err
	}
	if _, err := tx.Exec(ctx, `UPDATE log_head SET seq = $1, hash = $2 WHERE id = 1`, out[len(out)-1].Seq, prev); err != nil {
		return nil, fmt.Errorf("pgstore: moving the log's head: %w", err)
	}
	if err := s.fail(ctx, tx, "commit"); err != nil {
		return nil, err
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, conflict(err, "committing to "+req.Stream)
	}
	return out, nil
}

const recordCols = `seq, stream, version, type, at, actor_id, actor_role, payload, prev, hash`

func scanRecord(rows pgx.Rows) (register.Record, error) {
	var r register.Record
	var at string
	if err := rows.Scan(&r.Seq, &r.Stream, &r.Version, &r.Type, &at, &r.ActorID, &r.ActorRole, &r.Payload, &r.Prev, &r.Hash); err != nil {
		return r, err
	}
	t, err := time.Parse(time.RFC3339Nano, at)
	if err != nil {
		return r, fmt.Errorf("record %d: time %q: %w", r.Seq, at, err)
	}
	r.At = t.UTC()
	return r, nil
}

// snapshot runs fn in a read-only REPEATABLE READ transaction: every query
// in it sees the same committed state.
func (s *Store) snapshot(ctx context.Context, fn func(pgx.Tx) error) error {
	return pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, fn)
}

// Stream implements register.Store.
func (s *Store) Stream(ctx context.Context, name string) (register.Stream, error) {
	st := register.Stream{Name: name}
	err := s.snapshot(ctx, func(tx pgx.Tx) error {
		switch err := tx.QueryRow(ctx, `SELECT version, key, key_destroyed, head, mac FROM streams WHERE name = $1`, name).Scan(&st.Version, &st.Key, &st.KeyDestroyed, &st.Head, &st.MAC); {
		case errors.Is(err, pgx.ErrNoRows):
			return register.ErrNotFound
		case err != nil:
			return err
		}
		rows, err := tx.Query(ctx, `SELECT `+recordCols+` FROM records WHERE stream = $1 ORDER BY version`, name)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			r, err := scanRecord(rows)
			if err != nil {
				return err
			}
			st.Records = append(st.Records, r)
		}
		return rows.Err()
	})
	if err != nil {
		return register.Stream{}, fmt.Errorf("pgstore: stream %s: %w", name, err)
	}
	return st, nil
}

// likePrefix is a LIKE pattern matching the strings that start with p.
func likePrefix(p string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(p) + "%"
}

// Streams implements register.Store. Names are compared byte by byte
// (COLLATE "C"), whatever the database's collation, so the order is the
// other stores'. The streams and their records come in one query, fn
// called as each stream is complete, so one stream is held at a time; fn
// may call the store (on another of the pool's connections).
func (s *Store) Streams(ctx context.Context, prefix string, fn func(register.Stream) error) error {
	var stop error
	err := s.snapshot(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT s.name, s.version, s.key, s.key_destroyed, s.head, s.mac,
			r.seq, r.stream, r.version, r.type, r.at, r.actor_id, r.actor_role, r.payload, r.prev, r.hash
			FROM streams s LEFT JOIN records r ON r.stream = s.name
			WHERE s.name LIKE $1 ORDER BY s.name COLLATE "C", r.version`, likePrefix(prefix))
		if err != nil {
			return err
		}
		defer rows.Close()
		var cur *register.Stream
		for rows.Next() {
			var st register.Stream
			var seq, version *int64
			var stream, typ, at, actorID, actorRole *string
			var payload, prev, hash []byte
			if err := rows.Scan(&st.Name, &st.Version, &st.Key, &st.KeyDestroyed, &st.Head, &st.MAC,
				&seq, &stream, &version, &typ, &at, &actorID, &actorRole, &payload, &prev, &hash); err != nil {
				return err
			}
			if cur == nil || cur.Name != st.Name {
				if cur != nil {
					if stop = fn(*cur); stop != nil {
						return stop
					}
				}
				if err := ctx.Err(); err != nil {
					stop = err
					return err
				}
				cur = &st
			}
			if seq == nil {
				continue
			}
			r := register.Record{Seq: *seq, Stream: *stream, Version: *version, Type: *typ,
				ActorID: *actorID, ActorRole: *actorRole, Payload: payload, Prev: prev, Hash: hash}
			t, err := time.Parse(time.RFC3339Nano, *at)
			if err != nil {
				return fmt.Errorf("record %d: time %q: %w", r.Seq, *at, err)
			}
			r.At = t.UTC()
			cur.Records = append(cur.Records, r)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		if cur != nil {
			if stop = fn(*cur); stop != nil {
				return stop
			}
		}
		return nil
	})
	if stop != nil {
		return stop
	}
	if err != nil {
		return fmt.Errorf("pgstore: %w", err)
	}
	return nil
}

// Log implements register.Store. The records stream from the server as fn
// takes them, in one snapshot; fn may call the store (on another of the
// pool's connections).
func (s *Store) Log(ctx context.Context, fn func(register.Record) error) error {
	return s.LogAfter(ctx, 0, fn)
}

// LastSeq implements register.Store: the log head's seq.
func (s *Store) LastSeq(ctx context.Context) (int64, error) {
	var seq int64
	if err := s.pool.QueryRow(ctx, `SELECT seq FROM log_head WHERE id = 1`).Scan(&seq); err != nil {
		return 0, fmt.Errorf("pgstore: %w", err)
	}
	return seq, nil
}

// LogAfter implements register.Store.
func (s *Store) LogAfter(ctx context.Context, after int64, fn func(register.Record) error) error {
	var stop error
	err := s.snapshot(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT `+recordCols+` FROM records WHERE seq > $1 ORDER BY seq`, after)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			r, err := scanRecord(rows)
			if err != nil {
				return err
			}
			if err := fn(r); err != nil {
				stop = err
				return err
			}
		}
		return rows.Err()
	})
	switch {
	case stop != nil:
		return stop
	case err != nil:
		return fmt.Errorf("pgstore: %w", err)
	}
	return nil
}

// Meta implements register.Store.
func (s *Store) Meta(ctx context.Context) ([]byte, error) {
	var b []byte
	switch err := s.pool.QueryRow(ctx, `SELECT data FROM meta WHERE id = 1`).Scan(&b); {
	case errors.Is(err, pgx.ErrNoRows):
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("pgstore: reading metadata: %w", err)
	}
	return b, nil
}

// InitMeta implements register.Store.
func (s *Store) InitMeta(ctx context.Context, meta []byte) error {
	tag, err := s.pool.Exec(ctx, `INSERT INTO meta (id, data) VALUES (1, $1) ON CONFLICT (id) DO NOTHING`, meta)
	if err != nil {
		return fmt.Errorf("pgstore: writing metadata: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("pgstore: metadata already set: %w", register.ErrConflict)
	}
	return nil
}

// Rekey implements register.Store, in one transaction holding log_head, so
// no append runs while the keys change. Every stream's new key and MAC go
// to the server in one statement.
func (s *Store) Rekey(ctx context.Context, meta []byte, fn func(register.Stream) ([]byte, []byte, error)) error {
	err := pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.ReadCommitted}, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE log_head SET seq = seq WHERE id = 1`); err != nil {
			return fmt.Errorf("pgstore: %w", err)
		}
		rows, err := tx.Query(ctx, `SELECT name, version, key, key_destroyed, head, mac FROM streams ORDER BY name COLLATE "C"`)
		if err != nil {
			return fmt.Errorf("pgstore: %w", err)
		}
		var streams []register.Stream
		for rows.Next() {
			var st register.Stream
			if err := rows.Scan(&st.Name, &st.Version, &st.Key, &st.KeyDestroyed, &st.Head, &st.MAC); err != nil {
				rows.Close()
				return fmt.Errorf("pgstore: %w", err)
			}
			streams = append(streams, st)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("pgstore: %w", err)
		}
		names := make([]string, len(streams))
		keys := make([][]byte, len(streams))
		macs := make([][]byte, len(streams))
		for i, st := range streams {
			key, mac, err := fn(st)
			if err != nil {
				return err
			}
			names[i], keys[i], macs[i] = st.Name, key, mac
		}
		if _, err := tx.Exec(ctx, `UPDATE streams AS s SET key = u.key, mac = u.mac
			FROM unnest($1::text[], $2::bytea[], $3::bytea[]) AS u(name, key, mac) WHERE s.name = u.name`, names, keys, macs); err != nil {
			return fmt.Errorf("pgstore: rekeying the streams: %w", err)
		}
		if err := s.fail(ctx, tx, "rekey"); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE meta SET data = $1 WHERE id = 1`, meta); err != nil {
			return fmt.Errorf("pgstore: rekeying the metadata: %w", err)
		}
		return nil
	})
	return err
}

// Pool returns the connection pool, for inspection and for tests that
// change rows behind the register's back. Writing through it bypasses the
// register's guarantees.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// Close closes the pool.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}
