package register

import (
	"bytes"
	"context"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"hash/maphash"
	"os"
	"path/filepath"
	"strconv"
	"sync"
)

// meta is the register's metadata, kept by the Store (Store.Meta). It holds
// no secret in the clear: the pseudonym and chain keys are wrapped by the
// KEK.
type meta struct {
	// ID is the register's own random id: it names the default key file
	// and checkpoint (DefaultKeyFile).
	ID string `json:"id"`
	// KeyID is the KEK's KeyID; Params its parameters (ParamKeyWrapper).
	KeyID  string          `json:"kek_id"`
	Params json.RawMessage `json:"kek_params,omitempty"`
	// Secrets is the pseudonym key and the chain key, 32 bytes each,
	// wrapped by the KEK with secretsAAD(ID).
	Secrets []byte `json:"secrets"`
}

func secretsAAD(id string) []byte { return []byte("dsrkit register secrets\x00" + id) }

// NewRegisterID returns a fresh random register id (16 hex digits), for
// WithRegisterID.
func NewRegisterID() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// StoreID returns the id of the register kept in store, or "" for a store
// no register has opened yet. A host uses it to find the register's key
// file (DefaultKeyFile) before opening it.
func StoreID(ctx context.Context, store Store) (string, error) {
	m, err := readMeta(ctx, store)
	if err != nil || m == nil {
		return "", err
	}
	return m.ID, nil
}

// StoreKeyID returns the KeyID of the KEK the register in store is wrapped
// by, or "" for a store no register has opened yet.
func StoreKeyID(ctx context.Context, store Store) (string, error) {
	m, err := readMeta(ctx, store)
	if err != nil || m == nil {
		return "", err
	}
	return m.KeyID, nil
}

func readMeta(ctx context.Context, store Store) (*meta, error) {
	b, err := store.Meta(ctx)
	if err != nil || b == nil {
		return nil, err
	}
	var m meta
	if err := json.Unmarshal(b, &m); err != nil || m.ID == "" || len(m.Secrets) == 0 {
		return nil, fmt.Errorf("%w: the register's metadata is damaged", ErrTampered)
	}
	return &m, nil
}

// keys are the register's secrets, unwrapped, and its cache of data keys.
type keys struct {
	wrapper   KeyWrapper
	pseudonym []byte
	chain     []byte
	// aeads caches each stream's data key by its wrapped bytes, so the KEK
	// unwraps each key once per process. It keeps the 32 key bytes, not the
	// cipher (a few hundred bytes more each, which a register of 100,000
	// people would hold too), and makes the cipher at each use.
	aeads sync.Map // string(wrapped) -> []byte
	// verified holds each stream's row as last checked in full, so a read
	// of a stream that has not changed since checks its row's MAC and the
	// shape of its records, not every record's hash again.
	verified sync.Map  // name -> verifiedRow
	macs     sync.Pool // of HMAC-SHA256 under the chain key
}

type verifiedRow struct {
	version   int64
	head, mac string
	// digest is a fast keyed digest (maphash, a per-process seed) of every
	// byte of the records as checked.
	digest uint64
}

// digestSeed keys the records' digests; it never leaves the process.
var digestSeed = maphash.MakeSeed()

func digestRecords(recs []Record) uint64 {
	var h maphash.Hash
	h.SetSeed(digestSeed)
	var n [8]byte
	for i := range recs {
		r := &recs[i]
		for _, v := range []int64{r.Seq, r.Version, r.At.UnixNano(), int64(len(r.Stream)), int64(len(r.Type)), int64(len(r.ActorID)), int64(len(r.ActorRole)), int64(len(r.Payload)), int64(len(r.Prev)), int64(len(r.Hash))} {
			binary.LittleEndian.PutUint64(n[:], uint64(v))
			h.Write(n[:])
		}
		h.WriteString(r.Stream)
		h.WriteString(r.Type)
		h.WriteString(r.ActorID)
		h.WriteString(r.ActorRole)
		h.Write(r.Payload)
		h.Write(r.Prev)
		h.Write(r.Hash)
	}
	return h.Sum64()
}

// openKeys reads (or, for a new store, creates) the register's metadata and
// unwraps its secrets with w.
func openKeys(ctx context.Context, store Store, w KeyWrapper, newID string) (*keys, *meta, error) {
	m, err := readMeta(ctx, store)
	if err != nil {
		return nil, nil, err
	}
	if m == nil {
		m = &meta{ID: newID}
		if m.ID == "" {
			m.ID = NewRegisterID()
		}
		if pw, ok := w.(ParamKeyWrapper); ok {
			if m.Params, err = pw.NewParams(); err != nil {
				return nil, nil, err
			}
			if err := pw.UseParams(m.Params); err != nil {
				return nil, nil, err
			}
		}
		secrets := append(newKey(), newKey()...)
		m.KeyID = w.KeyID()
		if m.Secrets, err = w.Wrap(ctx, secrets, secretsAAD(m.ID)); err != nil {
			return nil, nil, fmt.Errorf("dsr: wrapping the register's secrets: %w", err)
		}
		b, _ := json.Marshal(m)
		switch err := store.InitMeta(ctx, b); {
		case errors.Is(err, ErrConflict): // another process made it first
			return openKeys(ctx, store, w, newID)
		case err != nil:
			return nil, nil, err
		}
		return &keys{wrapper: w, pseudonym: secrets[:keySize], chain: secrets[keySize:]}, m, nil
	}
	if pw, ok := w.(ParamKeyWrapper); ok {
		if err := pw.UseParams(m.Params); err != nil {
			return nil, nil, err
		}
	}
	if got := w.KeyID(); got != m.KeyID {
		what := "the key given"
		if s, ok := w.(fmt.Stringer); ok {
			what = s.String()
		}
		return nil, nil, fmt.Errorf("%w: register %s needs the key with id %s, and %s has id %s", ErrNoKey, m.ID, m.KeyID, what, got)
	}
	secrets, err := w.Unwrap(ctx, m.Secrets, secretsAAD(m.ID))
	if err != nil {
		return nil, nil, fmt.Errorf("register %s: %w", m.ID, err)
	}
	if len(secrets) != 2*keySize {
		return nil, nil, fmt.Errorf("%w: the register's secrets are damaged", ErrTampered)
	}
	return &keys{wrapper: w, pseudonym: secrets[:keySize], chain: secrets[keySize:]}, m, nil
}

// pseudonym is the HMAC-SHA256, in hex, of a local id or NHS number under
// the pseudonym key, domain-separated by kind.
func (k *keys) pseudonymOf(kind, id string) string {
	m := hmac.New(sha256.New, k.pseudonym)
	m.Write([]byte(kind))
	m.Write([]byte{0})
	m.Write([]byte(id))
	return hex.EncodeToString(m.Sum(nil))
}

// aead returns the cipher of a stream's wrapped data key.
func (k *keys) aead(ctx context.Context, s *Stream) (cipher.AEAD, error) {
	if v, ok := k.aeads.Load(string(s.Key)); ok {
		return gcm(v.([]byte))
	}
	dk, err := k.wrapper.Unwrap(ctx, s.Key, []byte(s.Name))
	if err != nil {
		return nil, &ChainError{Stream: s.Name, Problem: "its data key does not unwrap: " + err.Error()}
	}
	g, err := gcm(dk)
	if err != nil {
		clear(dk)
		return nil, err
	}
	k.aeads.Store(string(s.Key), dk)
	return g, nil
}

// mac returns an HMAC-SHA256 under the chain key from the pool, reset.
func (k *keys) mac() hash.Hash {
	if m, ok := k.macs.Get().(hash.Hash); ok {
		m.Reset()
		return m
	}
	return hmac.New(sha256.New, k.chain)
}

// RecordHash implements Chain: HMAC-SHA256 under the chain key.
func (k *keys) RecordHash(r *Record) []byte {
	m := k.mac()
	defer k.macs.Put(m)
	m.Write([]byte("record\x00"))
	m.Write(r.CanonicalJSON())
	return m.Sum(nil)
}

// StreamMAC implements Chain.
func (k *keys) StreamMAC(s *Stream) []byte {
	m := k.mac()
	defer k.macs.Put(m)
	m.Write([]byte("stream\x00"))
	lp := func(b []byte) {
		var n [8]byte
		binary.BigEndian.PutUint64(n[:], uint64(len(b)))
		m.Write(n[:])
		m.Write(b)
	}
	lp([]byte(s.Name))
	lp([]byte(strconv.FormatInt(s.Version, 10)))
	lp(s.Key)
	lp([]byte(strconv.FormatBool(s.KeyDestroyed)))
	lp(s.Head)
	return m.Sum(nil)
}

func (k *keys) checkpointMAC(c Checkpoint) []byte {
	m := hmac.New(sha256.New, k.chain)
	m.Write([]byte("checkpoint\x00" + strconv.FormatInt(c.Seq, 10) + "\x00"))
	m.Write(c.Hash)
	return m.Sum(nil)
}

// checkStream checks a stream as read against its row: the row's MAC,
// versions 1..Version with no gap, every record's keyed hash, and the last
// hash equal to the row's head. It reads no payload. It is incremental: a
// stream whose row and records are byte for byte those this process last
// checked in full (a fast keyed digest over every byte of the records, and
// the row) has its MAC, versions and head checked, not every record's
// HMAC over its canonical JSON again.
func (k *keys) checkStream(s *Stream) error {
	bad := func(seq int64, format string, args ...any) error {
		return &ChainError{Seq: seq, Stream: s.Name, Problem: fmt.Sprintf(format, args...)}
	}
	if !hmac.Equal(k.StreamMAC(s), s.MAC) {
		return bad(0, "the stream's row (version, key, head) does not match its MAC")
	}
	if int64(len(s.Records)) != s.Version {
		return bad(0, "the stream has %d records, its row says %d", len(s.Records), s.Version)
	}
	row := verifiedRow{s.Version, string(s.Head), string(s.MAC), digestRecords(s.Records)}
	v, seen := k.verified.Load(s.Name)
	full := !seen || v.(verifiedRow) != row
	for i := range s.Records {
		rec := &s.Records[i]
		if rec.Version != int64(i)+1 {
			return bad(rec.Seq, "version %d where version %d belongs", rec.Version, i+1)
		}
		if full && !hmac.Equal(k.RecordHash(rec), rec.Hash) {
			return bad(rec.Seq, "content does not match its hash")
		}
	}
	if len(s.Records) > 0 && !bytes.Equal(s.Records[len(s.Records)-1].Hash, s.Head) {
		return bad(s.Records[len(s.Records)-1].Seq, "the last record is not the stream's head")
	}
	if full {
		k.verified.Store(s.Name, row)
	}
	return nil
}

// Checkpoint is the log's head as the register last committed it: the
// sequence number and hash of the last record, with a MAC under the chain
// key. It holds no key material.
type Checkpoint struct {
	Seq  int64  `json:"seq"`
	Hash []byte `json:"hash"`
	MAC  []byte `json:"mac"`
}

// CheckpointStore keeps the register's checkpoint outside its Store, so
// that cutting records off the end of the log, which leaves a consistent
// shorter chain, still shows (Verify). FileCheckpoints keeps it in a file;
// a host may keep it anywhere else it trusts (another database, a
// write-once service).
type CheckpointStore interface {
	// LoadCheckpoint returns the last checkpoint saved; ok is false when
	// none has been.
	LoadCheckpoint(ctx context.Context) (c Checkpoint, ok bool, err error)
	// SaveCheckpoint saves c if its Seq is beyond the one saved (writers
	// in several processes may finish out of order).
	SaveCheckpoint(ctx context.Context, c Checkpoint) error
}

// FileCheckpoints keeps the checkpoint in the JSON file at path (mode
// 0600), replaced atomically on every commit. DefaultCheckpointFile names
// the usual place, beside the key file.
func FileCheckpoints(path string) CheckpointStore { return &fileCheckpoints{path: path} }

// DefaultCheckpointFile is the checkpoint file of the register with id in
// DefaultKeyDir: ID.checkpoint.
func DefaultCheckpointFile(id string) (string, error) {
	d, err := DefaultKeyDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(d, id+".checkpoint"), nil
}

type fileCheckpoints struct {
	mu   sync.Mutex
	path string
}

func (f *fileCheckpoints) LoadCheckpoint(context.Context) (Checkpoint, bool, error) {
	b, err := os.ReadFile(f.path)
	if errors.Is(err, os.ErrNotExist) {
		return Checkpoint{}, false, nil
	}
	if err != nil {
		return Checkpoint{}, false, fmt.Errorf("dsr: checkpoint %s: %w", f.path, err)
	}
	var c Checkpoint
	if err := json.Unmarshal(b, &c); err != nil {
		return Checkpoint{}, false, fmt.Errorf("dsr: checkpoint %s: %w: %v", f.path, ErrTampered, err)
	}
	return c, true, nil
}

func (f *fileCheckpoints) SaveCheckpoint(ctx context.Context, c Checkpoint) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if old, ok, err := f.LoadCheckpoint(ctx); err == nil && ok && old.Seq >= c.Seq {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(f.path), 0o700); err != nil {
		return fmt.Errorf("dsr: checkpoint %s: %w", f.path, err)
	}
	b, _ := json.Marshal(c)
	tmp, err := os.CreateTemp(filepath.Dir(f.path), filepath.Base(f.path)+".*")
	if err != nil {
		return fmt.Errorf("dsr: checkpoint %s: %w", f.path, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return fmt.Errorf("dsr: checkpoint %s: %w", f.path, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("dsr: checkpoint %s: %w", f.path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("dsr: checkpoint %s: %w", f.path, err)
	}
	if err := os.Rename(tmp.Name(), f.path); err != nil {
		return fmt.Errorf("dsr: checkpoint %s: %w", f.path, err)
	}
	return nil
}

// memCheckpoints is the default CheckpointStore: the process's memory.
type memCheckpoints struct {
	mu sync.Mutex
	c  Checkpoint
	ok bool
}

func (m *memCheckpoints) LoadCheckpoint(context.Context) (Checkpoint, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.c, m.ok, nil
}

func (m *memCheckpoints) SaveCheckpoint(_ context.Context, c Checkpoint) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.ok || c.Seq > m.c.Seq {
		m.c, m.ok = c, true
	}
	return nil
}

// Rekey re-wraps every stream's data key and the register's secrets under
// next, a new KEK, in one transaction of the store (Store.Rekey): records
// are never rewritten, pseudonyms and the chain stay valid, and an
// interrupted rekey leaves the register as it was, readable with the old
// KEK. Keep the old KEK until Rekey returns; afterwards only next opens
// the register. A stream whose row does not match its MAC is refused
// (*ChainError) and nothing changes. Call it with no other call on this
// Register in flight; other processes may keep reading and writing (the
// store serialises the transaction) but must reopen with next afterwards.
func (r *Register) Rekey(ctx context.Context, next KeyWrapper) error {
	if next == nil {
		return fmt.Errorf("%w: Rekey: nil key wrapper", ErrNoKey)
	}
	m := *r.meta
	m.Params = nil
	if pw, ok := next.(ParamKeyWrapper); ok {
		var err error
		if m.Params, err = pw.NewParams(); err != nil {
			return err
		}
		if err := pw.UseParams(m.Params); err != nil {
			return err
		}
	}
	m.KeyID = next.KeyID()
	secrets := append(bytes.Clone(r.keys.pseudonym), r.keys.chain...)
	var err error
	if m.Secrets, err = next.Wrap(ctx, secrets, secretsAAD(m.ID)); err != nil {
		return fmt.Errorf("dsr: rekey: wrapping the register's secrets: %w", err)
	}
	clear(secrets)
	b, _ := json.Marshal(&m)
	err = r.store.Rekey(ctx, b, func(s Stream) ([]byte, []byte, error) {
		if !hmac.Equal(r.keys.StreamMAC(&s), s.MAC) {
			return nil, nil, &ChainError{Stream: s.Name, Problem: "the stream's row does not match its MAC: not rekeyed"}
		}
		if s.KeyDestroyed {
			return nil, s.MAC, nil
		}
		dk, err := r.wrapper.Unwrap(ctx, s.Key, []byte(s.Name))
		if err != nil {
			return nil, nil, fmt.Errorf("dsr: rekey: %s: %w", s.Name, err)
		}
		defer clear(dk)
		w, err := next.Wrap(ctx, dk, []byte(s.Name))
		if err != nil {
			return nil, nil, fmt.Errorf("dsr: rekey: %s: %w", s.Name, err)
		}
		s.Key = w
		return w, r.keys.StreamMAC(&s), nil
	})
	if err != nil {
		return fmt.Errorf("dsr: rekey: %w", err)
	}
	r.wrapper, r.keys.wrapper, r.meta = next, next, &m
	r.keys.aeads.Clear()
	return nil
}
