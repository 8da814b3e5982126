package register

import (
	"context"
	"fmt"
	"time"

	"github.com/dsrkit/dsrkit/dsr"
)

// Record is one entry of the register's append-only log, as a Store keeps
// it. What stays readable for audit is in the clear: the stream's
// pseudonymous name, the record's audit type (AuditTypes: never a clinical
// fact), when it was recorded and by whom (a member of staff's id and
// role). What the record says about the person, its real type included, is
// in Payload, sealed with the stream's data key (AES-GCM); once the key is
// destroyed (R-CONS-4) the payload cannot be read, while the keyed hash
// chain over it still verifies.
type Record struct {
	// Seq is the record's position in the whole log, from 1, with no gaps.
	Seq int64 `json:"seq"`
	// Stream names whose record it is: "person/P", "referral/P" or
	// "nhs/P", P the pseudonym of the local id or NHS number (an HMAC
	// under the register's pseudonym key, in hex).
	Stream string `json:"stream"`
	// Version is the record's position in its stream, from 1, with no gaps.
	Version int64 `json:"version"`
	// Type is the record's audit type, one of AuditTypes; the real type
	// (an EventType, RecordDocument, ...) is sealed in the payload.
	Type string `json:"type"`
	// At is when the record was written, in UTC.
	At time.Time `json:"at"`
	// ActorID and ActorRole say who wrote it (a member of staff, never the
	// person the record is about).
	ActorID   string `json:"actor_id"`
	ActorRole string `json:"actor_role"`
	// Payload is the sealed content: a 12-byte nonce followed by the
	// AES-GCM ciphertext.
	Payload []byte `json:"payload"`
	// Prev is the Hash of the record before this one in the log (Seq-1);
	// empty for the first record.
	Prev []byte `json:"prev"`
	// Hash is the Chain's RecordHash of this record: an HMAC-SHA256 of its
	// canonical JSON under the register's chain key.
	Hash []byte `json:"hash"`
}

// canonicalRecord is the JSON that a Chain hashes: keys in lexical order,
// bytes in base64, the instant in RFC 3339 with nanoseconds in UTC.
type canonicalRecord struct {
	ActorID   string `json:"actor_id"`
	ActorRole string `json:"actor_role"`
	At        string `json:"at"`
	Payload   string `json:"payload"`
	Prev      string `json:"prev"`
	Seq       int64  `json:"seq"`
	Stream    string `json:"stream"`
	Type      string `json:"type"`
	Version   int64  `json:"version"`
}

// CanonicalJSON returns the canonical JSON of every field of r except Hash:
// an object with its keys in lexical order, no spaces, byte fields in
// standard base64 and At in RFC 3339 with nanoseconds in UTC.
func (r *Record) CanonicalJSON() []byte {
	return appendCanonical(make([]byte, 0, 160+len(r.Stream)+4*(len(r.Payload)+len(r.Prev))/3), r)
}

// Chain computes the keyed hashes a Store writes, under a key the store
// never sees: each record's Hash and each stream's MAC. The Register hands
// its own with every append (AppendRequest.Chain), keyed by the register's
// chain key; register/storetest hands one keyed by a test key. Nobody
// without the key can compute either, so a record or a stream row forged,
// edited or replaced behind the register's back no longer matches.
type Chain interface {
	// RecordHash is the HMAC of r.CanonicalJSON(), which includes Prev: the
	// link from r to the record before it.
	RecordHash(r *Record) []byte
	// StreamMAC is the MAC of a stream's row: its Name, Version, Key,
	// KeyDestroyed and Head (its Records and MAC are not read).
	StreamMAC(s *Stream) []byte
}

// Stream is one stream as a Store returns it: its row (name, version, the
// wrapped data key, head and MAC) and its records in version order.
type Stream struct {
	Name    string
	Version int64 // the version of the last record; 0 for a new stream
	// Key is the stream's data key as the register gave it: wrapped by the
	// register's KeyWrapper, never in the clear. It is nil once destroyed
	// (KeyDestroyed) or before the stream exists.
	Key          []byte
	KeyDestroyed bool
	// Head is the Hash of the stream's last record.
	Head []byte
	// MAC is the Chain's StreamMAC of the row, written with every append.
	MAC     []byte
	Records []Record
}

// AppendRequest is one atomic append to a stream.
type AppendRequest struct {
	Stream string
	// Expected is the stream's version the writer read (0: the stream must
	// not exist yet). A store that finds another version returns an error
	// matching ErrConflict and writes nothing.
	Expected int64
	// Records to append, with Stream, Type, At, actors and Payload set; the
	// store fills Seq, Version, Prev and Hash (Chain.RecordHash).
	Records []Record
	// NewKey is the stream's wrapped data key, stored with its first
	// records; it must be set when Expected is 0 and is ignored otherwise.
	NewKey []byte
	// Chain computes the records' hashes and the stream's MAC (required).
	Chain Chain
	// DestroyKey destroys the stream's key in the same transaction, after
	// the records are appended (R-CONS-4). It cannot be undone. A SideStore
	// deletes the stream's snapshot and due-cache row with it.
	DestroyKey bool
	// Snapshot, for a SideStore, is called with the stream's row as it
	// will be after the append (Version, Key, KeyDestroyed and Head set)
	// and what it returns is stored as the stream's snapshot in the same
	// transaction; a nil Snapshot, or a nil result, deletes the snapshot.
	// Other stores ignore it.
	Snapshot func(row *Stream) []byte
}

// Store keeps the register's log. Implementations (register/memstore,
// register/sqlitestore) must make each Append atomic and serialised with every
// other (so the hash chain has one order), and every read a consistent
// snapshot. register/storetest holds the test suite every Store must pass.
//
// A Store holds no secret: data keys come to it wrapped, and the hashes it
// writes are computed by the Chain of each request, keyed by a key the
// register keeps outside the store.
type Store interface {
	// Append appends req.Records to req.Stream if its version is
	// req.Expected, filling Seq (the next in the log), Version, Prev (the
	// Hash of the log's last record) and Hash (req.Chain.RecordHash), then
	// sets the stream's Version, Head (the last Hash) and MAC
	// (req.Chain.StreamMAC of the row with Key nil and KeyDestroyed set
	// when req.DestroyKey), and returns the records as stored. A stale
	// Expected returns an error matching ErrConflict; records for a stream
	// whose key is destroyed ErrErased; a request CheckAppend rejects
	// ErrInvalid. On any error nothing is written.
	Append(ctx context.Context, req AppendRequest) ([]Record, error)
	// Meta returns the register's metadata as last set (nil when none).
	Meta(ctx context.Context) ([]byte, error)
	// InitMeta sets the metadata of a store that has none; a store that
	// has some returns an error matching ErrConflict and keeps its own.
	InitMeta(ctx context.Context, meta []byte) error
	// Rekey replaces the metadata with meta and, for every stream, its Key
	// and MAC with what fn returns for the stream's row (Records empty), all
	// in one transaction: on any error nothing changes. Records are never
	// rewritten.
	Rekey(ctx context.Context, meta []byte, fn func(Stream) (key, mac []byte, err error)) error
	// Stream returns one stream. A stream that does not exist returns an
	// error matching ErrNotFound.
	Stream(ctx context.Context, name string) (Stream, error)
	// Streams calls fn for every stream whose name starts with prefix, in
	// name order, from one snapshot. It stops at fn's first error and
	// returns it.
	Streams(ctx context.Context, prefix string, fn func(Stream) error) error
	// Log calls fn for every record in Seq order, from one snapshot, with
	// records exactly as stored (nothing recomputed). It stops at fn's first
	// error and returns it.
	Log(ctx context.Context, fn func(Record) error) error
	// LogAfter is Log from the record after Seq after: fn sees every record
	// whose Seq is greater, in Seq order, from one snapshot. A reader that
	// follows the log (the service's outbox) keeps the last Seq it saw and
	// asks for what came after it; appends are serialised on the log's
	// head, so a record never becomes visible after one with a greater Seq.
	LogAfter(ctx context.Context, after int64, fn func(Record) error) error
	// LastSeq returns the Seq of the log's last record (0 for an empty log).
	LastSeq(ctx context.Context) (int64, error)
	// Close releases the store.
	Close() error
}

// CheckAppend checks an append request the same way for every Store, once
// the store has found the stream at req.Expected: it names a stream and at
// least one record, each with a type, an instant and a payload; a new
// stream comes with a (wrapped) key; the request has a Chain; and the
// stream's key is not destroyed (ErrErased). Errors match ErrInvalid unless
// said otherwise.
func CheckAppend(req AppendRequest, keyDestroyed bool) error {
	switch {
	case req.Stream == "":
		return fmt.Errorf("%w: append names no stream", dsr.ErrInvalid)
	case len(req.Records) == 0:
		return fmt.Errorf("%w: append to %s has no records", dsr.ErrInvalid, req.Stream)
	case keyDestroyed:
		return fmt.Errorf("append to %s: %w: its key was destroyed", req.Stream, ErrErased)
	case req.Chain == nil:
		return fmt.Errorf("%w: append to %s has no Chain to hash with", dsr.ErrInvalid, req.Stream)
	case req.Expected == 0 && len(req.NewKey) < keySize:
		return fmt.Errorf("%w: a new stream %s needs a wrapped key of at least %d bytes, got %d bytes", dsr.ErrInvalid, req.Stream, keySize, len(req.NewKey))
	}
	for i, r := range req.Records {
		switch {
		case r.Type == "":
			return fmt.Errorf("%w: append to %s: record %d has no type", dsr.ErrInvalid, req.Stream, i)
		case r.At.IsZero():
			return fmt.Errorf("%w: append to %s: record %d has no time", dsr.ErrInvalid, req.Stream, i)
		case len(r.Payload) == 0:
			return fmt.Errorf("%w: append to %s: record %d has no payload", dsr.ErrInvalid, req.Stream, i)
		}
	}
	return nil
}
