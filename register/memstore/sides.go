package memstore

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/dsrkit/dsrkit/register"
)

// row is a stream's row without its records.
func row(name string, st *stream) register.Stream {
	return register.Stream{Name: name, Version: int64(len(st.seqs)), Key: slices.Clone(st.key), KeyDestroyed: st.destroyed,
		Head: slices.Clone(st.head), MAC: slices.Clone(st.mac)}
}

// StreamRow implements register.SideStore.
func (s *Store) StreamRow(ctx context.Context, name string) (register.Stream, []byte, error) {
	if err := ctx.Err(); err != nil {
		return register.Stream{}, nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	st := s.streams[name]
	if st == nil {
		return register.Stream{}, nil, fmt.Errorf("memstore: stream %s: %w", name, register.ErrNotFound)
	}
	return row(name, st), slices.Clone(st.side), nil
}

// Sides implements register.SideStore.
func (s *Store) Sides(ctx context.Context, prefix string, snapshots bool, fn func(register.Stream, []byte, []byte) error) error {
	type side struct {
		row       register.Stream
		snap, due []byte
	}
	s.mu.RLock()
	var names []string
	for n := range s.streams {
		if strings.HasPrefix(n, prefix) {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	out := make([]side, len(names))
	for i, n := range names {
		st := s.streams[n]
		out[i] = side{row: row(n, st), due: slices.Clone(st.due)}
		if snapshots {
			out[i].snap = slices.Clone(st.side)
		}
	}
	s.mu.RUnlock()
	for _, sd := range out {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := fn(sd.row, sd.snap, sd.due); err != nil {
			return err
		}
	}
	return nil
}

// PutDue implements register.SideStore.
func (s *Store) PutDue(ctx context.Context, rows []register.DueRow) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return fmt.Errorf("memstore: closed")
	}
	for _, r := range rows {
		if st := s.streams[r.Stream]; st != nil && !st.destroyed && int64(len(st.seqs)) == r.Version {
			st.due = slices.Clone(r.Data)
		}
	}
	return nil
}

// TamperSide changes a stream's snapshot and due-cache row behind the
// register's back, for tests.
func (s *Store) TamperSide(name string, fn func(snapshot, due *[]byte)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.streams[name]
	fn(&st.side, &st.due)
}
