package pgstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/dsrkit/dsrkit/register"
	"github.com/jackc/pgx/v5"
)

// putSnapshot keeps the stream's snapshot in an append's transaction:
// replaced by what req.Snapshot returns for the new row, or deleted; a
// destroyed key deletes the due-cache row too.
func putSnapshot(ctx context.Context, tx pgx.Tx, req register.AppendRequest, row register.Stream) error {
	var snap []byte
	if req.Snapshot != nil && !req.DestroyKey {
		snap = req.Snapshot(&row)
	}
	var err error
	if snap != nil {
		_, err = tx.Exec(ctx, `INSERT INTO snapshots (stream, data) VALUES ($1, $2)
			ON CONFLICT (stream) DO UPDATE SET data = excluded.data`, req.Stream, snap)
	} else if req.Expected > 0 {
		_, err = tx.Exec(ctx, `DELETE FROM snapshots WHERE stream = $1`, req.Stream)
	}
	if err == nil && req.DestroyKey {
		_, err = tx.Exec(ctx, `DELETE FROM due_cache WHERE stream = $1`, req.Stream)
	}
	if err != nil {
		return fmt.Errorf("pgstore: the snapshot of %s: %w", req.Stream, err)
	}
	return nil
}

// StreamRow implements register.SideStore.
func (s *Store) StreamRow(ctx context.Context, name string) (register.Stream, []byte, error) {
	st := register.Stream{Name: name}
	var snap []byte
	err := s.pool.QueryRow(ctx, `SELECT s.version, s.key, s.key_destroyed, s.head, s.mac, sn.data
		FROM streams s LEFT JOIN snapshots sn ON sn.stream = s.name WHERE s.name = $1`, name).Scan(&st.Version, &st.Key, &st.KeyDestroyed, &st.Head, &st.MAC, &snap)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return register.Stream{}, nil, fmt.Errorf("pgstore: stream %s: %w", name, register.ErrNotFound)
	case err != nil:
		return register.Stream{}, nil, fmt.Errorf("pgstore: stream %s: %w", name, err)
	}
	return st, snap, nil
}

// Sides implements register.SideStore, in one snapshot, one stream at a
// time; fn may call the store (on another of the pool's connections).
func (s *Store) Sides(ctx context.Context, prefix string, snapshots bool, fn func(register.Stream, []byte, []byte) error) error {
	snapCol, snapJoin := sidesSnapshot(snapshots)
	var stop error
	err := s.snapshot(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT s.name, s.version, s.key, s.key_destroyed, s.head, s.mac, `+snapCol+`, d.data
			FROM streams s `+snapJoin+` LEFT JOIN due_cache d ON d.stream = s.name
			WHERE s.name LIKE $1 ORDER BY s.name COLLATE "C"`, likePrefix(prefix))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var st register.Stream
			var snap, due []byte
			if err := rows.Scan(&st.Name, &st.Version, &st.Key, &st.KeyDestroyed, &st.Head, &st.MAC, &snap, &due); err != nil {
				return err
			}
			if err := ctx.Err(); err != nil {
				stop = err
				return err
			}
			if stop = fn(st, snap, due); stop != nil {
				return stop
			}
		}
		return rows.Err()
	})
	if stop != nil {
		return stop
	}
	if err != nil {
		return fmt.Errorf("pgstore: %w", err)
	}
	return nil
}

// PutDue implements register.SideStore, in one transaction. Each row takes
// a share lock on its stream's row, so a withdrawal destroying the key
// waits for it and then deletes what it wrote (or it sees the key gone and
// writes nothing).
func (s *Store) PutDue(ctx context.Context, rows []register.DueRow) error {
	if len(rows) == 0 {
		return nil
	}
	err := pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.ReadCommitted}, func(tx pgx.Tx) error {
		var b pgx.Batch
		for _, r := range rows {
			b.Queue(`INSERT INTO due_cache (stream, version, data)
				SELECT name, version, $3 FROM streams WHERE name = $1 AND version = $2 AND NOT key_destroyed FOR SHARE
				ON CONFLICT (stream) DO UPDATE SET version = excluded.version, data = excluded.data`, r.Stream, r.Version, r.Data)
		}
		return tx.SendBatch(ctx, &b).Close()
	})
	if err != nil {
		return fmt.Errorf("pgstore: writing the due cache: %w", err)
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
