package register

import (
	"bytes"
	"context"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"errors"
	"strings"

	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/dsr"
)

// A SideStore is a Store that also keeps, beside each stream's row, two
// rows the register writes so that its common work does not grow with the
// history: the stream's snapshot (what Record needs to check a new event
// against the history) and the stream's due-cache row (a person's worklist
// items, for Due). The store treats both as opaque bytes: the register seals
// them under the stream's data key and binds them, with a MAC under its
// chain key, to the stream's version and head, so a forged, swapped or
// stale row is detected and the register falls back to reading the stream
// in full (Verify reports it).
//
// The stores of register/memstore, register/sqlitestore and register/pgstore
// are SideStores; register/storetest checks the contract. A Store that is not
// one still works, reading every stream in full.
type SideStore interface {
	Store
	// StreamRow returns a stream's row with no records (Records nil) and
	// its snapshot as last stored (nil when none), from one snapshot of the
	// store. A stream that does not exist returns an error matching
	// ErrNotFound.
	StreamRow(ctx context.Context, name string) (Stream, []byte, error)
	// Sides calls fn for every stream whose name starts with prefix, in
	// name order, from one snapshot, with its row (Records nil), its
	// snapshot if snapshots is set and its due-cache row (each nil when
	// none). It stops at fn's first error and returns it. It holds no more
	// than a few streams in memory at a time.
	Sides(ctx context.Context, prefix string, snapshots bool, fn func(row Stream, snapshot, due []byte) error) error
	// PutDue replaces the due-cache row of each stream named in rows whose
	// row is still at the DueRow's Version and whose key is not destroyed,
	// in one transaction; a row for a stream that moved on or was erased is
	// skipped, not an error.
	PutDue(ctx context.Context, rows []DueRow) error
}

// DueRow is a stream's due-cache row as the register writes it (Data is
// sealed; see SideStore).
type DueRow struct {
	Stream  string
	Version int64
	Data    []byte
}

// Appends to a SideStore keep the stream's snapshot in the same transaction
// as the records (AppendRequest.Snapshot): the store calls it with the
// stream's row as it will be after the append and stores what it returns,
// or deletes the snapshot when Snapshot is nil or returns nil. DestroyKey
// deletes the snapshot and the due-cache row in the same transaction.

// WithSnapshots turns the per-stream snapshots on (the default) or off. On,
// Record reads a person's snapshot and writes one record and one snapshot
// row, whatever the length of their history; off, it reads and checks the
// whole stream, as every other write does. Both give the same results
// (register tests prove it); off is for comparison and for distrust.
func WithSnapshots(on bool) Option {
	return func(r *Register) error {
		r.noSnapshots = !on
		return nil
	}
}

// WithDueCache turns Due's caches on (the default) or off: in memory, and,
// on a SideStore with rules that name their policy (Policy), the persisted
// per-person due cache. Both give the same worklist (register tests prove
// it).
func WithDueCache(on bool) Option {
	return func(r *Register) error {
		r.noDueCache = !on
		return nil
	}
}

// Kinds of side row.
const (
	sideSnapshot = 's'
	sideDue      = 'd'
)

// sideFormat opens every side row; a row of another format is ignored (and
// rebuilt), never misread.
const sideFormat = "dsrside1"

// sideHeader is what a side row is bound to: the stream's version and head
// when it was written, and for a due row the date and rules it was
// assessed with.
type sideHeader struct {
	kind    byte
	version int64
	head    []byte
	extra   []byte
}

func (h *sideHeader) encode(stream string) []byte {
	b := make([]byte, 0, len(sideFormat)+1+8+2+len(stream)+2+len(h.head)+2+len(h.extra))
	b = append(b, sideFormat...)
	b = append(b, h.kind)
	b = binary.BigEndian.AppendUint64(b, uint64(h.version))
	for _, f := range [][]byte{[]byte(stream), h.head, h.extra} {
		b = binary.BigEndian.AppendUint16(b, uint16(len(f)))
		b = append(b, f...)
	}
	return b
}

// sealSide seals plaintext under the stream's data key g, bound to the
// header, and MACs the whole under the chain key: header, MAC, nonce and
// ciphertext, in that order.
func (k *keys) sealSide(g cipher.AEAD, stream string, h sideHeader, plaintext []byte) []byte {
	hdr := h.encode(stream)
	nonce := make([]byte, g.NonceSize())
	rand.Read(nonce)
	ct := g.Seal(nonce, nonce, plaintext, hdr)
	out := make([]byte, 0, len(hdr)+32+len(ct))
	out = append(out, hdr...)
	out = append(out, k.sideMAC(hdr, ct)...)
	return append(out, ct...)
}

func (k *keys) sideMAC(hdr, ct []byte) []byte {
	m := k.mac()
	defer k.macs.Put(m)
	m.Write([]byte("side\x00"))
	m.Write(hdr)
	m.Write(ct)
	return m.Sum(nil)
}

var errSide = errors.New("side row does not match its MAC or its stream")

// checkSide parses a side row of stream and checks its MAC, returning its
// header and its sealed part. It needs no data key, so Verify can call it.
func (k *keys) checkSide(stream string, blob []byte) (sideHeader, []byte, []byte, error) {
	var h sideHeader
	if len(blob) < len(sideFormat)+1+8 || string(blob[:len(sideFormat)]) != sideFormat {
		return h, nil, nil, errSide
	}
	p := blob[len(sideFormat):]
	h.kind = p[0]
	h.version = int64(binary.BigEndian.Uint64(p[1:9]))
	p = p[9:]
	var fields [3][]byte
	for i := range fields {
		if len(p) < 2 {
			return h, nil, nil, errSide
		}
		n := int(binary.BigEndian.Uint16(p))
		if len(p) < 2+n {
			return h, nil, nil, errSide
		}
		fields[i], p = p[2:2+n], p[2+n:]
	}
	if string(fields[0]) != stream || len(p) < 32 {
		return h, nil, nil, errSide
	}
	h.head, h.extra = fields[1], fields[2]
	hdr := blob[:len(blob)-len(p)]
	mac, ct := p[:32], p[32:]
	if !hmac.Equal(mac, k.sideMAC(hdr, ct)) {
		return h, nil, nil, errSide
	}
	return h, hdr, ct, nil
}

// openSide opens a side row of the stream's row: it must be of kind, MAC
// and open, and be bound to the row's version and head and to extra.
func (k *keys) openSide(g cipher.AEAD, row *Stream, kind byte, extra, blob []byte) ([]byte, error) {
	h, hdr, ct, err := k.checkSide(row.Name, blob)
	switch {
	case err != nil:
		return nil, err
	case h.kind != kind || h.version != row.Version || !bytes.Equal(h.head, row.Head) || !bytes.Equal(h.extra, extra):
		return nil, errSide
	case len(ct) < g.NonceSize():
		return nil, errSide
	}
	n := g.NonceSize()
	pt, err := g.Open(nil, ct[:n], ct[n:], hdr)
	if err != nil {
		return nil, errSide
	}
	return pt, nil
}

// checkSideOf is Verify's check of a stream's side rows against its row: a
// snapshot must be of the row's version and head, a due row of an earlier
// version or of the row's version and head, each matching its MAC.
func (k *keys) checkSideOf(row *Stream, snapshot, due []byte) error {
	bad := func(what string) error {
		return &ChainError{Stream: row.Name, Problem: "the stream's " + what + " does not match its MAC or its stream's row"}
	}
	if snapshot != nil {
		h, _, _, err := k.checkSide(row.Name, snapshot)
		if err != nil || h.kind != sideSnapshot || h.version != row.Version || !bytes.Equal(h.head, row.Head) || row.KeyDestroyed {
			return bad("snapshot")
		}
	}
	if due != nil {
		h, _, _, err := k.checkSide(row.Name, due)
		if err != nil || h.kind != sideDue || h.version > row.Version || (h.version == row.Version && !bytes.Equal(h.head, row.Head)) || row.KeyDestroyed {
			return bad("due-cache row")
		}
	}
	return nil
}

// snapshot is the state of a person's stream that Record needs to check a
// new event against the history, sealed in the stream's snapshot row.
type snapshot struct {
	Person  dsr.Person    `json:"person"`
	Added   calendar.Date `json:"added,omitzero"`
	Removal *Removal      `json:"removal,omitempty"`
	// Events counts the events of the history; First and Last are the
	// earliest and latest of their dates.
	Events int           `json:"events"`
	First  calendar.Date `json:"first,omitzero"`
	Last   calendar.Date `json:"last,omitzero"`
	// Stays are the history's admissions, transfers and discharges in
	// record order: the events whose sequence a new one must keep
	// consistent.
	Stays []dsr.Event `json:"stays,omitempty"`
	// Valid is set while every event of the history is valid in itself
	// (dates against today and the date of birth aside, which Record
	// checks with First and Last) and Stays is a consistent sequence.
	Valid bool `json:"valid"`
}

func isStay(t dsr.EventType) bool {
	return t == dsr.EventAdmitted || t == dsr.EventDischarged || t == dsr.EventTransferred
}

var (
	farPast   = calendar.MustParseDate("0001-01-01")
	farFuture = calendar.MustParseDate("9999-12-31")
)

// addEvent folds one event of the history into the snapshot, checking the
// stays' sequence again if seq is set.
func (s *snapshot) addEvent(e dsr.Event, seq bool) {
	d := e.Day()
	if s.Events == 0 || d.Before(s.First) {
		s.First = d
	}
	if s.Events == 0 || d.After(s.Last) {
		s.Last = d
	}
	s.Events++
	if s.Valid {
		one := dsr.Case{AsOf: farFuture, Person: dsr.Person{ID: "snapshot", DateOfBirth: farPast}, Events: []dsr.Event{e}}
		s.Valid = one.Validate() == nil
	}
	if isStay(e.Type) {
		s.Stays = append(s.Stays, e)
		if seq {
			s.checkStays()
		}
	}
}

func (s *snapshot) checkStays() {
	if s.Valid {
		c := dsr.Case{AsOf: farFuture, Person: dsr.Person{ID: "snapshot", DateOfBirth: farPast}, Events: s.Stays}
		s.Valid = c.Validate() == nil
	}
}

// apply folds one record's payload into the snapshot, as personState.apply
// folds it into the state.
func (s *snapshot) apply(typ string, p *payload) {
	switch typ {
	case RecordPersonAdded:
		s.Person, s.Added = p.Details.Person, p.Date
	case RecordDetailsUpdated:
		if p.Details != nil {
			s.Person = p.Details.Person
		} else { // a change of details: only what changed (details.go)
			d := Details{Person: s.Person}
			applyChanges(&d, p.Changes)
			s.Person = d.Person
		}
	case RecordCircumstances, RecordDocument:
	case RecordPersonRemoved:
		s.Removal = p.Removal
	default:
		if p.Event != nil {
			s.addEvent(*p.Event, true)
		}
	}
}

// snapshotOf builds the snapshot of a person's state as read in full.
func snapshotOf(st *personState) *snapshot {
	s := &snapshot{Person: st.details.Person, Added: st.added, Removal: st.removal, Valid: true}
	for _, e := range st.events {
		s.addEvent(e, false)
	}
	s.checkStays()
	return s
}

// key returns the key a write to the person's stream appends with,
// carrying the person's state so the append writes the next snapshot.
func (st *personState) key() streamKey {
	return streamKey{aead: st.aead, from: st}
}

// snapshotFor returns the function an append calls to seal the snapshot
// that follows prev and the drafts, or nil (the store then deletes it).
func (r *Register) snapshotFor(stream string, key streamKey, destroy bool, drafts []draft) func(*Stream) []byte {
	if _, ok := r.store.(SideStore); !ok || destroy || r.noSnapshots {
		return nil
	}
	switch {
	case !strings.HasPrefix(stream, personStreamPrefix):
		return nil
	case key.snap == nil && key.from != nil && !key.from.erased:
		key.snap = snapshotOf(key.from)
	case key.snap == nil && key.wrapped != nil: // a new person
		key.snap = &snapshot{Valid: true}
	}
	if key.snap == nil {
		return nil
	}
	next := *key.snap
	next.Stays = append([]dsr.Event(nil), next.Stays...)
	for i := range drafts {
		next.apply(drafts[i].typ, &drafts[i].p)
	}
	b, err := json.Marshal(&next)
	if err != nil {
		return nil
	}
	return func(row *Stream) []byte {
		return r.keys.sealSide(key.aead, row.Name, sideHeader{kind: sideSnapshot, version: row.Version, head: row.Head}, b)
	}
}

// recordFast is Record through the person's snapshot: done reports whether
// it wrote (or failed writing); when it is false Record reads the stream in
// full. Only what the full read would accept is written here: an event
// the consent policy need not see, to a person on the register whose
// snapshot is current and opens, valid with the history's stays and
// dates. Anything else, errors included, goes the full way, so its
// outcome and its error are the full read's.
func (r *Register) recordFast(ctx context.Context, id string, ev dsr.Event, by Actor, opts []WriteOption) (done bool, err error) {
	ss, ok := r.store.(SideStore)
	if !ok || r.noSnapshots || ev.Type == dsr.EventConsentGiven || ev.Type == dsr.EventConsentWithdrawn {
		return false, nil
	}
	o := writeOptions(opts)
	if !o.at.IsZero() {
		return false, nil // an entry after the fact is checked against the whole history (At)
	}
	row, blob, err := ss.StreamRow(ctx, r.PersonStream(id))
	if err != nil || blob == nil || row.KeyDestroyed || !hmac.Equal(r.keys.StreamMAC(&row), row.MAC) {
		return false, nil
	}
	if o.hasExpect && o.expect != row.Version {
		return false, nil
	}
	g, err := r.keys.aead(ctx, &row)
	if err != nil {
		return false, nil
	}
	pt, err := r.keys.openSide(g, &row, sideSnapshot, nil, blob)
	if err != nil {
		return false, nil
	}
	var snap snapshot
	if err := json.Unmarshal(pt, &snap); err != nil || !snap.Valid || snap.Removal != nil || snap.Person.ID != id {
		return false, nil
	}
	today := r.today()
	if snap.Events > 0 && (snap.Last.After(today) || snap.First.Before(snap.Person.DateOfBirth)) {
		return false, nil
	}
	c := dsr.Case{AsOf: today, Person: snap.Person, Events: append(snap.Stays[:len(snap.Stays):len(snap.Stays)], ev)}
	if c.Validate() != nil {
		return false, nil
	}
	if err := r.append(ctx, row.Name, row.Version, streamKey{aead: g, snap: &snap}, by, false, draft{string(ev.Type), payload{Event: &ev}}); err != nil {
		return true, err
	}
	return true, nil
}

// verifySides checks every side row of a SideStore (checkSideOf).
func (r *Register) verifySides(ctx context.Context) error {
	ss, ok := r.store.(SideStore)
	if !ok {
		return nil
	}
	return ss.Sides(ctx, "", true, func(row Stream, snapshot, due []byte) error {
		return r.keys.checkSideOf(&row, snapshot, due)
	})
}
