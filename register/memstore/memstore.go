// Package memstore is an in-memory register.Store, for tests and examples. It
// keeps nothing once the process ends. It is safe for concurrent use.
//
// Destroying a stream's key drops the store's only copy of it, so the
// stream's payloads cannot be opened again (R-CONS-4). Go's garbage
// collector decides when the memory is reused; the key's bytes are zeroed
// at once.
package memstore

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/dsrkit/dsrkit/register"
)

// Store is an in-memory register.Store. The zero value is not usable; call New.
type Store struct {
	mu      sync.RWMutex
	log     []register.Record
	streams map[string]*stream
	meta    []byte
	closed  bool
}

type stream struct {
	key       []byte
	destroyed bool
	head, mac []byte
	seqs      []int // indexes into log
	// side and due are the stream's snapshot and due-cache row
	// (register.SideStore).
	side, due []byte
}

var _ register.SideStore = (*Store)(nil)

// New returns an empty store.
func New() *Store { return &Store{streams: map[string]*stream{}} }

func clone(r register.Record) register.Record {
	r.Payload = slices.Clone(r.Payload)
	r.Prev = slices.Clone(r.Prev)
	r.Hash = slices.Clone(r.Hash)
	return r
}

// Append implements register.Store.
func (s *Store) Append(ctx context.Context, req register.AppendRequest) ([]register.Record, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, fmt.Errorf("memstore: closed")
	}
	st := s.streams[req.Stream]
	var version int64
	if st != nil {
		version = int64(len(st.seqs))
	}
	if version != req.Expected {
		return nil, fmt.Errorf("memstore: stream %s is at version %d, not %d: %w", req.Stream, version, req.Expected, register.ErrConflict)
	}
	if err := register.CheckAppend(req, st != nil && st.destroyed); err != nil {
		return nil, err
	}
	out := make([]register.Record, len(req.Records))
	var prev []byte
	if n := len(s.log); n > 0 {
		prev = s.log[n-1].Hash
	}
	for i, r := range req.Records {
		r = clone(r)
		r.Stream = req.Stream
		r.At = r.At.UTC()
		r.Seq = int64(len(s.log) + i + 1)
		r.Version = version + int64(i) + 1
		r.Prev = slices.Clone(prev)
		r.Hash = req.Chain.RecordHash(&r)
		prev = r.Hash
		out[i] = r
	}
	// Nothing has changed yet; now apply everything at once.
	if st == nil {
		st = &stream{key: slices.Clone(req.NewKey)}
		s.streams[req.Stream] = st
	}
	for i := range out {
		st.seqs = append(st.seqs, len(s.log))
		s.log = append(s.log, clone(out[i]))
	}
	if req.DestroyKey {
		clear(st.key)
		st.key, st.destroyed = nil, true
	}
	st.head = slices.Clone(out[len(out)-1].Hash)
	row := s.snapshot(req.Stream, st)
	st.mac = req.Chain.StreamMAC(&row)
	st.side = nil
	if req.Snapshot != nil && !req.DestroyKey {
		row.Records = nil
		st.side = slices.Clone(req.Snapshot(&row))
	}
	if req.DestroyKey {
		st.due = nil
	}
	return out, nil
}

// Meta implements register.Store.
func (s *Store) Meta(ctx context.Context) ([]byte, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return slices.Clone(s.meta), ctx.Err()
}

// InitMeta implements register.Store.
func (s *Store) InitMeta(ctx context.Context, meta []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.meta != nil {
		return fmt.Errorf("memstore: metadata already set: %w", register.ErrConflict)
	}
	s.meta = slices.Clone(meta)
	return ctx.Err()
}

// Rekey implements register.Store.
func (s *Store) Rekey(ctx context.Context, meta []byte, fn func(register.Stream) ([]byte, []byte, error)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	type change struct{ key, mac []byte }
	changes := map[string]change{}
	for name, st := range s.streams {
		row := s.snapshot(name, st)
		row.Records = nil
		k, m, err := fn(row)
		if err != nil {
			return err
		}
		changes[name] = change{k, m}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	for name, c := range changes {
		s.streams[name].key, s.streams[name].mac = c.key, c.mac
	}
	s.meta = slices.Clone(meta)
	return nil
}

func (s *Store) snapshot(name string, st *stream) register.Stream {
	out := register.Stream{Name: name, Version: int64(len(st.seqs)), Key: slices.Clone(st.key), KeyDestroyed: st.destroyed,
		Head: slices.Clone(st.head), MAC: slices.Clone(st.mac)}
	out.Records = make([]register.Record, len(st.seqs))
	for i, j := range st.seqs {
		out.Records[i] = clone(s.log[j])
	}
	return out
}

// Stream implements register.Store.
func (s *Store) Stream(ctx context.Context, name string) (register.Stream, error) {
	if err := ctx.Err(); err != nil {
		return register.Stream{}, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	st := s.streams[name]
	if st == nil {
		return register.Stream{}, fmt.Errorf("memstore: stream %s: %w", name, register.ErrNotFound)
	}
	return s.snapshot(name, st), nil
}

// Streams implements register.Store.
func (s *Store) Streams(ctx context.Context, prefix string, fn func(register.Stream) error) error {
	s.mu.RLock()
	var names []string
	for n := range s.streams {
		if strings.HasPrefix(n, prefix) {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	snaps := make([]register.Stream, len(names))
	for i, n := range names {
		snaps[i] = s.snapshot(n, s.streams[n])
	}
	s.mu.RUnlock()
	for _, sn := range snaps {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := fn(sn); err != nil {
			return err
		}
	}
	return nil
}

// Log implements register.Store.
func (s *Store) Log(ctx context.Context, fn func(register.Record) error) error {
	return s.LogAfter(ctx, 0, fn)
}

// LastSeq implements register.Store.
func (s *Store) LastSeq(context.Context) (int64, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return int64(len(s.log)), nil
}

// LogAfter implements register.Store (a record's Seq is its place in the
// log, from 1).
func (s *Store) LogAfter(ctx context.Context, after int64, fn func(register.Record) error) error {
	s.mu.RLock()
	from := min(max(after, 0), int64(len(s.log)))
	recs := make([]register.Record, 0, int64(len(s.log))-from)
	for i := from; i < int64(len(s.log)); i++ {
		recs = append(recs, clone(s.log[i]))
	}
	s.mu.RUnlock()
	for _, r := range recs {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	return nil
}

// Close implements register.Store; later calls to Append fail.
func (s *Store) Close() error {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	return nil
}

// Tamper runs fn on the stored record at seq (from 1) behind the register's
// back, as an attacker with access to the memory would. It is for tests of
// register.Register.Verify.
func (s *Store) Tamper(seq int64, fn func(*register.Record)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fn(&s.log[seq-1])
}

// TamperStream runs fn on a stream's row behind the register's back (its
// key, version, head or MAC), as an attacker with access to the memory
// would; fn returning false deletes the stream and its records from the
// streams (its records stay in the log).
func (s *Store) TamperStream(name string, fn func(key *[]byte, destroyed *bool, mac *[]byte) bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.streams[name]
	if !fn(&st.key, &st.destroyed, &st.mac) {
		delete(s.streams, name)
	}
}

// Raw returns every byte the store holds for a stream: its payloads and
// its key, if any. Tests use it to show that nothing identifiable can be
// recovered after erasure.
func (s *Store) Raw() [][]byte {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out [][]byte
	for _, r := range s.log {
		out = append(out, slices.Clone(r.Payload), []byte(r.Stream+r.Type+r.ActorID+r.ActorRole))
	}
	for n, st := range s.streams {
		out = append(out, []byte(n), slices.Clone(st.key), slices.Clone(st.side), slices.Clone(st.due))
	}
	out = append(out, slices.Clone(s.meta))
	return out
}
