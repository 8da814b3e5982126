package pgstore

import (
	"context"

	"github.com/jackc/pgx/v5"
)

// SetFailpoint sets the function an append (and a rekey) calls at its named
// stages ("records", "commit", "rekey"), with its transaction.
func (s *Store) SetFailpoint(fn func(ctx context.Context, tx pgx.Tx, stage string) error) {
	s.failpoint = fn
}
