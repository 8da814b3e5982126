package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/dsrkit/dsrkit/register"
)

// putSnapshot keeps the stream's snapshot in an append's transaction:
// replaced by what req.Snapshot returns for the new row, or deleted; a
// destroyed key deletes the due-cache row too.
func putSnapshot(ctx context.Context, tx interface {
	ExecContext(context.Context, string, ...any) (sql.Result, error)
}, req register.AppendRequest, row register.Stream) error {
	var snap []byte
	if req.Snapshot != nil && !req.DestroyKey {
		snap = req.Snapshot(&row)
	}
	var err error
	if snap != nil {
		_, err = tx.ExecContext(ctx, `INSERT INTO snapshots (stream, data) VALUES (?, ?)
			ON CONFLICT (stream) DO UPDATE SET data = excluded.data`, req.Stream, snap)
	} else if req.Expected > 0 {
		_, err = tx.ExecContext(ctx, `DELETE FROM snapshots WHERE stream = ?`, req.Stream)
	}
	if err == nil && req.DestroyKey {
		_, err = tx.ExecContext(ctx, `DELETE FROM due_cache WHERE stream = ?`, req.Stream)
	}
	if err != nil {
		return fmt.Errorf("sqlitestore: the snapshot of %s: %w", req.Stream, err)
	}
	return nil
}

// StreamRow implements register.SideStore.
func (s *Store) StreamRow(ctx context.Context, name string) (register.Stream, []byte, error) {
	st := register.Stream{Name: name}
	var snap []byte
	err := s.db.QueryRowContext(ctx, `SELECT s.version, s.key, s.key_destroyed, s.head, s.mac, sn.data
		FROM streams s LEFT JOIN snapshots sn ON sn.stream = s.name WHERE s.name = ?`, name).Scan(&st.Version, &st.Key, &st.KeyDestroyed, &st.Head, &st.MAC, &snap)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return register.Stream{}, nil, fmt.Errorf("sqlitestore: stream %s: %w", name, register.ErrNotFound)
	case err != nil:
		return register.Stream{}, nil, fmt.Errorf("sqlitestore: stream %s: %w", name, err)
	}
	return st, snap, nil
}

// Sides implements register.SideStore, in one read transaction, one
// stream at a time.
func (s *Store) Sides(ctx context.Context, prefix string, snapshots bool, fn func(register.Stream, []byte, []byte) error) error {
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("sqlitestore: %w", err)
	}
	defer tx.Rollback()
	where, args := prefixWhere("s.name", prefix)
	snapCol, snapJoin := sidesSnapshot(snapshots)
	rows, err := tx.QueryContext(ctx, `SELECT s.name, s.version, s.key, s.key_destroyed, s.head, s.mac, `+snapCol+`, d.data
		FROM streams s `+snapJoin+` LEFT JOIN due_cache d ON d.stream = s.name
		WHERE `+where+` ORDER BY s.name`, args...)
	if err != nil {
		return fmt.Errorf("sqlitestore: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var st register.Stream
		var snap, due []byte
		if err := rows.Scan(&st.Name, &st.Version, &st.Key, &st.KeyDestroyed, &st.Head, &st.MAC, &snap, &due); err != nil {
			return fmt.Errorf("sqlitestore: %w", err)
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := fn(st, snap, due); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("sqlitestore: %w", err)
	}
	return nil
}

// PutDue implements register.SideStore, in one IMMEDIATE transaction.
func (s *Store) PutDue(ctx context.Context, rows []register.DueRow) (err error) {
	if len(rows) == 0 {
		return nil
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlitestore: %w", err)
	}
	defer func() {
		if err != nil {
			tx.Rollback()
		}
	}()
	put, err := tx.PrepareContext(ctx, `INSERT INTO due_cache (stream, version, data)
		SELECT name, version, ? FROM streams WHERE name = ? AND version = ? AND key_destroyed = 0
		ON CONFLICT (stream) DO UPDATE SET version = excluded.version, data = excluded.data`)
	if err != nil {
		return fmt.Errorf("sqlitestore: %w", err)
	}
	defer put.Close()
	for _, r := range rows {
		if _, err := put.ExecContext(ctx, r.Data, r.Stream, r.Version); err != nil {
			return fmt.Errorf("sqlitestore: the due cache of %s: %w", r.Stream, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlitestore: committing the due cache: %w", err)
	}
	return nil
}

// sidesSnapshot is the column and join of Sides' query for the snapshots,
// or NULL and no join when they are not asked for.
func sidesSnapshot(snapshots bool) (col, join string) {
	if snapshots {
		return "sn.data", "LEFT JOIN snapshots sn ON sn.stream = s.name"
	}
	return "NULL", ""
}
