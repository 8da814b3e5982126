// Package sqlitestore is the embedded default register.Store: one SQLite file,
// through modernc.org/sqlite (pure Go, no cgo).
//
// The schema is created and upgraded by migrations embedded in the binary
// (migrations/NNNN_name.sql, applied in order, each in its own transaction
// and recorded in schema_migrations). A file written by a newer version of
// the schema is refused with ErrSchemaTooNew rather than misread.
//
// Each Append is one IMMEDIATE transaction: the stream's version check, the
// records, the hash chain and the stream's row (wrapped key, head, MAC)
// commit together or not at all, so a crash between them leaves the log as
// it was. The file runs in WAL mode with secure_delete on: when a stream's
// key is destroyed (R-CONS-4) its bytes are overwritten in the database and
// the write-ahead log is checkpointed and truncated, so the wrapped key
// cannot be recovered from the file, the -wal or the freelist. Rekey is one
// transaction too.
//
// The store is a register.SideStore: beside each stream it keeps the
// register's sealed snapshot (written in the append's transaction) and due
// cache row (tables snapshots and due_cache, migration 3); a destroyed key
// deletes both in its transaction. Streams and Sides read one stream at a
// time from one read transaction.
//
// The store holds no secret: data keys arrive wrapped, and the hashes it
// writes come from each request's register.Chain.
//
// Open creates a new file itself, mode 0600, before SQLite opens it, rather
// than changing the umask (which is process-wide and would race with other
// goroutines creating files). SQLite gives the -wal and -shm files the mode
// of the database file, so they are 0600 too; an existing file keeps its
// mode.
//
// Several processes may open the same file; writers wait for each other
// (busy timeout 10 s) and a stale version is register.ErrConflict. A Store is
// safe for concurrent use.
package sqlitestore

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"sync"
	"time"

	"github.com/dsrkit/dsrkit/register"
	_ "modernc.org/sqlite" // the pure-Go SQLite driver, as "sqlite"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// ErrSchemaTooNew is returned by Open for a file whose schema is newer than
// this build knows.
var ErrSchemaTooNew = errors.New("sqlitestore: database schema is newer than this program")

// Store is a register.Store in one SQLite file.
type Store struct {
	db *sql.DB
	mu sync.Mutex // serialises this process's appends
	// failpoint, when set, is called at named points of an append; tests
	// use it to crash or fail between the writes and the commit.
	failpoint func(stage string) error
}

var _ register.SideStore = (*Store)(nil)

// Open opens (creating if need be) the SQLite register at file and brings
// its schema up to date.
func Open(ctx context.Context, file string) (*Store, error) {
	f, err := os.OpenFile(file, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	switch {
	case err == nil:
		f.Close()
	case !errors.Is(err, fs.ErrExist):
		return nil, fmt.Errorf("sqlitestore: creating %s: %w", file, err)
	}
	q := url.Values{}
	for _, p := range []string{"busy_timeout(10000)", "journal_mode(WAL)", "synchronous(NORMAL)", "secure_delete(ON)", "foreign_keys(ON)"} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite", "file:"+file+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: opening %s: %w", file, err)
	}
	s := &Store{db: db}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlitestore: %s: %w", file, err)
	}
	return s, nil
}

// Migration is one embedded schema change.
type Migration = register.Migration

// Migrations returns the embedded migrations in version order.
func Migrations() ([]Migration, error) { return register.ReadMigrations(migrationFS, "migrations") }

// SchemaVersion returns the version of the newest migration applied.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	var v sql.NullInt64
	err := s.db.QueryRowContext(ctx, `SELECT max(version) FROM schema_migrations`).Scan(&v)
	return int(v.Int64), err
}

func (s *Store) migrate(ctx context.Context) error {
	ms, err := Migrations()
	if err != nil {
		return err
	}
	if _, err := s.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`); err != nil {
		return fmt.Errorf("creating schema_migrations: %w", err)
	}
	cur, err := s.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	if cur > len(ms) {
		return fmt.Errorf("%w: the file is at version %d, this program knows up to %d", ErrSchemaTooNew, cur, len(ms))
	}
	for _, m := range ms[cur:] {
		tx, err := s.db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		// Another process may have migrated while we waited for the lock.
		var done int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE version = ?`, m.Version).Scan(&done); err != nil {
			tx.Rollback()
			return err
		}
		if done == 0 {
			if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
				tx.Rollback()
				return fmt.Errorf("migration %04d_%s: %w", m.Version, m.Name, err)
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
				m.Version, m.Name, time.Now().UTC().Format(time.RFC3339)); err != nil {
				tx.Rollback()
				return err
			}
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("migration %04d_%s: %w", m.Version, m.Name, err)
		}
	}
	return nil
}

func (s *Store) fail(stage string) error {
	if s.failpoint == nil {
		return nil
	}
	return s.failpoint(stage)
}

// Append implements register.Store.
func (s *Store) Append(ctx context.Context, req register.AppendRequest) (out []register.Record, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: %w", err)
	}
	defer func() {
		if err != nil {
			tx.Rollback()
		}
	}()
	var version int64
	var destroyed bool
	var key []byte
	switch err := tx.QueryRowContext(ctx, `SELECT version, key_destroyed, key FROM streams WHERE name = ?`, req.Stream).Scan(&version, &destroyed, &key); {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return nil, fmt.Errorf("sqlitestore: reading stream %s: %w", req.Stream, err)
	}
	if version != req.Expected {
		return nil, fmt.Errorf("sqlitestore: stream %s is at version %d, not %d: %w", req.Stream, version, req.Expected, register.ErrConflict)
	}
	if err := register.CheckAppend(req, destroyed); err != nil {
		return nil, err
	}
	var seq int64
	var prev []byte
	switch err := tx.QueryRowContext(ctx, `SELECT seq, hash FROM records ORDER BY seq DESC LIMIT 1`).Scan(&seq, &prev); {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return nil, fmt.Errorf("sqlitestore: reading the log's head: %w", err)
	}
	ins, err := tx.PrepareContext(ctx, `INSERT INTO records (seq, stream, version, type, at, actor_id, actor_role, payload, prev, hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: %w", err)
	}
	defer ins.Close()
	out = make([]register.Record, len(req.Records))
	for i, r := range req.Records {
		r.Stream, r.Seq, r.Version = req.Stream, seq+int64(i)+1, version+int64(i)+1
		r.At = r.At.UTC()
		r.Prev = append([]byte{}, prev...)
		r.Hash = req.Chain.RecordHash(&r)
		prev = r.Hash
		if _, err := ins.ExecContext(ctx, r.Seq, r.Stream, r.Version, r.Type, r.At.Format(time.RFC3339Nano),
			r.ActorID, r.ActorRole, r.Payload, r.Prev, r.Hash); err != nil {
			return nil, fmt.Errorf("sqlitestore: appending to %s: %w", req.Stream, err)
		}
		out[i] = r
		if err := s.fail("record"); err != nil {
			return nil, err
		}
	}
	row := register.Stream{Name: req.Stream, Version: version + int64(len(req.Records)), Key: key, Head: prev}
	if req.Expected == 0 {
		row.Key = req.NewKey
	}
	if req.DestroyKey {
		row.Key, row.KeyDestroyed = nil, true
	}
	mac := req.Chain.StreamMAC(&row)
	if req.Expected == 0 {
		_, err = tx.ExecContext(ctx, `INSERT INTO streams (name, version, key, key_destroyed, head, mac) VALUES (?, ?, ?, 0, ?, ?)`,
			req.Stream, row.Version, row.Key, row.Head, mac)
	} else {
		_, err = tx.ExecContext(ctx, `UPDATE streams SET version = ?, head = ?, mac = ? WHERE name = ?`, row.Version, row.Head, mac, req.Stream)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: stream %s: %w", req.Stream, err)
	}
	if req.DestroyKey {
		if _, err := tx.ExecContext(ctx, `UPDATE streams SET key = NULL, key_destroyed = 1 WHERE name = ?`, req.Stream); err != nil {
			return nil, fmt.Errorf("sqlitestore: destroying the key of %s: %w", req.Stream, err)
		}
	}
	if err := putSnapshot(ctx, tx, req, row); err != nil {
		return nil, err
	}
	if err := s.fail("commit"); err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("sqlitestore: committing to %s: %w", req.Stream, err)
	}
	if req.DestroyKey {
		// Move the overwritten pages into the database file and empty the
		// write-ahead log, which still held the key.
		if _, err := s.db.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
			return out, fmt.Errorf("sqlitestore: key of %s destroyed, but checkpointing failed: %w", req.Stream, err)
		}
	}
	return out, nil
}

const recordCols = `seq, stream, version, type, at, actor_id, actor_role, payload, prev, hash`

func scanRecord(rows *sql.Rows) (register.Record, error) {
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

// Stream implements register.Store.
func (s *Store) Stream(ctx context.Context, name string) (register.Stream, error) {
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return register.Stream{}, fmt.Errorf("sqlitestore: %w", err)
	}
	defer tx.Rollback()
	st := register.Stream{Name: name}
	switch err := tx.QueryRowContext(ctx, `SELECT version, key, key_destroyed, head, mac FROM streams WHERE name = ?`, name).Scan(&st.Version, &st.Key, &st.KeyDestroyed, &st.Head, &st.MAC); {
	case errors.Is(err, sql.ErrNoRows):
		return register.Stream{}, fmt.Errorf("sqlitestore: stream %s: %w", name, register.ErrNotFound)
	case err != nil:
		return register.Stream{}, fmt.Errorf("sqlitestore: stream %s: %w", name, err)
	}
	rows, err := tx.QueryContext(ctx, `SELECT `+recordCols+` FROM records WHERE stream = ? ORDER BY version`, name)
	if err != nil {
		return register.Stream{}, fmt.Errorf("sqlitestore: stream %s: %w", name, err)
	}
	defer rows.Close()
	for rows.Next() {
		r, err := scanRecord(rows)
		if err != nil {
			return register.Stream{}, fmt.Errorf("sqlitestore: stream %s: %w", name, err)
		}
		st.Records = append(st.Records, r)
	}
	if err := rows.Err(); err != nil {
		return register.Stream{}, fmt.Errorf("sqlitestore: stream %s: %w", name, err)
	}
	return st, nil
}

// upper returns the least string greater than every string with prefix p,
// or "" when there is none.
func upper(p string) string {
	b := []byte(p)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] < 0xff {
			b[i]++
			return string(b[:i+1])
		}
	}
	return ""
}

// Streams implements register.Store. It reads the streams and their
// records in one query in one read transaction, calling fn as each stream
// is complete, so it holds one stream at a time.
func (s *Store) Streams(ctx context.Context, prefix string, fn func(register.Stream) error) error {
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("sqlitestore: %w", err)
	}
	defer tx.Rollback()
	where, args := prefixWhere("s.name", prefix)
	rows, err := tx.QueryContext(ctx, `SELECT s.name, s.version, s.key, s.key_destroyed, s.head, s.mac,
		r.seq, r.stream, r.version, r.type, r.at, r.actor_id, r.actor_role, r.payload, r.prev, r.hash
		FROM streams s LEFT JOIN records r ON r.stream = s.name WHERE `+where+` ORDER BY s.name, r.version`, args...)
	if err != nil {
		return fmt.Errorf("sqlitestore: %w", err)
	}
	defer rows.Close()
	var cur *register.Stream
	for rows.Next() {
		var st register.Stream
		var seq, version sql.NullInt64
		var stream, typ, at, actorID, actorRole sql.NullString
		var payload, prev, hash []byte
		if err := rows.Scan(&st.Name, &st.Version, &st.Key, &st.KeyDestroyed, &st.Head, &st.MAC,
			&seq, &stream, &version, &typ, &at, &actorID, &actorRole, &payload, &prev, &hash); err != nil {
			return fmt.Errorf("sqlitestore: %w", err)
		}
		if cur == nil || cur.Name != st.Name {
			if cur != nil {
				if err := fn(*cur); err != nil {
					return err
				}
			}
			if err := ctx.Err(); err != nil {
				return err
			}
			cur = &st
		}
		if !seq.Valid {
			continue
		}
		r := register.Record{Seq: seq.Int64, Stream: stream.String, Version: version.Int64, Type: typ.String,
			ActorID: actorID.String, ActorRole: actorRole.String, Payload: payload, Prev: prev, Hash: hash}
		t, err := time.Parse(time.RFC3339Nano, at.String)
		if err != nil {
			return fmt.Errorf("sqlitestore: record %d: time %q: %w", r.Seq, at.String, err)
		}
		r.At = t.UTC()
		cur.Records = append(cur.Records, r)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("sqlitestore: %w", err)
	}
	if cur != nil {
		return fn(*cur)
	}
	return nil
}

// prefixWhere is the condition that col starts with prefix.
func prefixWhere(col, prefix string) (string, []any) {
	where, args := col+` >= ?`, []any{prefix}
	if hi := upper(prefix); hi != "" {
		where, args = where+` AND `+col+` < ?`, append(args, hi)
	}
	return where, args
}

// Log implements register.Store.
func (s *Store) Log(ctx context.Context, fn func(register.Record) error) error {
	return s.LogAfter(ctx, 0, fn)
}

// LastSeq implements register.Store.
func (s *Store) LastSeq(ctx context.Context) (int64, error) {
	var seq int64
	if err := s.db.QueryRowContext(ctx, `SELECT coalesce(max(seq), 0) FROM records`).Scan(&seq); err != nil {
		return 0, fmt.Errorf("sqlitestore: %w", err)
	}
	return seq, nil
}

// LogAfter implements register.Store.
func (s *Store) LogAfter(ctx context.Context, after int64, fn func(register.Record) error) error {
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("sqlitestore: %w", err)
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `SELECT `+recordCols+` FROM records WHERE seq > ? ORDER BY seq`, after)
	if err != nil {
		return fmt.Errorf("sqlitestore: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		r, err := scanRecord(rows)
		if err != nil {
			return fmt.Errorf("sqlitestore: %w", err)
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	return rows.Err()
}

// Meta implements register.Store.
func (s *Store) Meta(ctx context.Context) ([]byte, error) {
	var b []byte
	switch err := s.db.QueryRowContext(ctx, `SELECT data FROM meta WHERE id = 1`).Scan(&b); {
	case errors.Is(err, sql.ErrNoRows):
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("sqlitestore: reading metadata: %w", err)
	}
	return b, nil
}

// InitMeta implements register.Store.
func (s *Store) InitMeta(ctx context.Context, meta []byte) error {
	res, err := s.db.ExecContext(ctx, `INSERT INTO meta (id, data) VALUES (1, ?) ON CONFLICT (id) DO NOTHING`, meta)
	if err != nil {
		return fmt.Errorf("sqlitestore: writing metadata: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("sqlitestore: metadata already set: %w", register.ErrConflict)
	}
	return nil
}

// Rekey implements register.Store, in one IMMEDIATE transaction. The old
// wrapped keys are overwritten (secure_delete) and the write-ahead log
// checkpointed once it commits.
func (s *Store) Rekey(ctx context.Context, meta []byte, fn func(register.Stream) ([]byte, []byte, error)) (err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlitestore: %w", err)
	}
	defer func() {
		if err != nil {
			tx.Rollback()
		}
	}()
	rows, err := tx.QueryContext(ctx, `SELECT name, version, key, key_destroyed, head, mac FROM streams ORDER BY name`)
	if err != nil {
		return fmt.Errorf("sqlitestore: %w", err)
	}
	var streams []register.Stream
	for rows.Next() {
		var st register.Stream
		if err := rows.Scan(&st.Name, &st.Version, &st.Key, &st.KeyDestroyed, &st.Head, &st.MAC); err != nil {
			rows.Close()
			return fmt.Errorf("sqlitestore: %w", err)
		}
		streams = append(streams, st)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("sqlitestore: %w", err)
	}
	upd, err := tx.PrepareContext(ctx, `UPDATE streams SET key = ?, mac = ? WHERE name = ?`)
	if err != nil {
		return fmt.Errorf("sqlitestore: %w", err)
	}
	defer upd.Close()
	for i, st := range streams {
		key, mac, err := fn(st)
		if err != nil {
			return err
		}
		if _, err := upd.ExecContext(ctx, key, mac, st.Name); err != nil {
			return fmt.Errorf("sqlitestore: rekeying %s: %w", st.Name, err)
		}
		if err := s.fail(fmt.Sprintf("rekey %d", i)); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE meta SET data = ? WHERE id = 1`, meta); err != nil {
		return fmt.Errorf("sqlitestore: rekeying the metadata: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlitestore: committing the rekey: %w", err)
	}
	if _, err := s.db.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		return fmt.Errorf("sqlitestore: rekeyed, but checkpointing failed: %w", err)
	}
	return nil
}

// DB returns the underlying database, for inspection and for tests that
// change rows behind the register's back. Writing through it bypasses the
// register's guarantees.
func (s *Store) DB() *sql.DB { return s.db }

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }
