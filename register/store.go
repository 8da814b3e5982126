package register

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"time"

	"github.com/dsrkit/dsrkit/dsr"
)

// Record is one entry of the register's append-only log, as a Store keeps
// it. What stays readable for audit is in the clear: the stream, the record
// type, when it was recorded and by whom (a member of staff's id and role).
// What the record says about the person is in Payload, sealed with the
// stream's key (AES-GCM); once the key is destroyed (R-CONS-4) the payload
// cannot be read, while the hash chain over it still verifies.
type Record struct {
	// Seq is the record's position in the whole log, from 1, with no gaps.
	Seq int64 `json:"seq"`
	// Stream names whose record it is: "person/ID" or "referral/ID".
	Stream string `json:"stream"`
	// Version is the record's position in its stream, from 1, with no gaps.
	Version int64 `json:"version"`
	// Type is the record type: an EventType, or one of the register's own
	// (RecordPersonAdded, RecordDetailsUpdated, ...).
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
	// Hash is ChainHash of this record.
	Hash []byte `json:"hash"`
}

// canonicalRecord is the JSON that ChainHash hashes: keys in lexical order,
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
	b, err := json.Marshal(canonicalRecord{
		ActorID: r.ActorID, ActorRole: r.ActorRole,
		At:      r.At.UTC().Format(time.RFC3339Nano),
		Payload: base64.StdEncoding.EncodeToString(r.Payload),
		Prev:    base64.StdEncoding.EncodeToString(r.Prev),
		Seq:     r.Seq, Stream: r.Stream, Type: r.Type, Version: r.Version,
	})
	if err != nil { // strings and integers always marshal
		panic(err)
	}
	return b
}

// ChainHash returns the SHA-256 of r's canonical JSON, which includes Prev:
// the link from r to the record before it. Stores call it to fill Hash as
// they append; Register.Verify recomputes it.
func ChainHash(r *Record) []byte {
	h := sha256.Sum256(r.CanonicalJSON())
	return h[:]
}

// Stream is one stream as a Store returns it: its records in version order
// and its key.
type Stream struct {
	Name    string
	Version int64 // the version of the last record; 0 for a new stream
	// Key is the stream's data key; nil once destroyed (KeyDestroyed) or
	// before the stream exists.
	Key          []byte
	KeyDestroyed bool
	Records      []Record
}

// AppendRequest is one atomic append to a stream.
type AppendRequest struct {
	Stream string
	// Expected is the stream's version the writer read (0: the stream must
	// not exist yet). A store that finds another version returns an error
	// matching ErrConflict and writes nothing.
	Expected int64
	// Records to append, with Stream, Type, At, actors and Payload set; the
	// store fills Seq, Version, Prev and Hash.
	Records []Record
	// NewKey is the stream's data key, stored with its first records; it
	// must be set when Expected is 0 and is ignored otherwise.
	NewKey []byte
	// DestroyKey destroys the stream's key in the same transaction, after
	// the records are appended (R-CONS-4). It cannot be undone.
	DestroyKey bool
}

// Store keeps the register's log. Implementations (register/memstore,
// register/sqlitestore) must make each Append atomic and serialised with every
// other (so the hash chain has one order), and every read a consistent
// snapshot. register/storetest holds the test suite every Store must pass.
type Store interface {
	// Append appends req.Records to req.Stream if its version is
	// req.Expected, filling Seq (the next in the log), Version, Prev (the
	// Hash of the log's last record) and Hash (ChainHash), and returns the
	// records as stored. A stale Expected returns an error matching
	// ErrConflict; records for a stream whose key is destroyed ErrErased;
	// a request CheckAppend rejects ErrInvalid. On any error nothing is
	// written.
	Append(ctx context.Context, req AppendRequest) ([]Record, error)
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
	// Close releases the store.
	Close() error
}

// CheckAppend checks an append request the same way for every Store, once
// the store has found the stream at req.Expected: it names a stream and at
// least one record, each with a type, an instant and a payload; a new
// stream comes with a 32-byte key; and the stream's key is not destroyed
// (ErrErased). Errors match ErrInvalid unless said otherwise.
func CheckAppend(req AppendRequest, keyDestroyed bool) error {
	switch {
	case req.Stream == "":
		return fmt.Errorf("%w: append names no stream", dsr.ErrInvalid)
	case len(req.Records) == 0:
		return fmt.Errorf("%w: append to %s has no records", dsr.ErrInvalid, req.Stream)
	case keyDestroyed:
		return fmt.Errorf("append to %s: %w: its key was destroyed", req.Stream, ErrErased)
	case req.Expected == 0 && len(req.NewKey) != keySize:
		return fmt.Errorf("%w: a new stream %s needs a %d-byte key, got %d bytes", dsr.ErrInvalid, req.Stream, keySize, len(req.NewKey))
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
