package register

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/dsr"
)

// Change is a record of a person's stream as a follower of the register's
// log sees it, opened: what a relay of domain events (the service's outbox)
// needs, and no identifier. The person is named by their pseudonym.
type Change struct {
	// Seq is the record's place in the register's log.
	Seq int64
	// Pseudonym is the person's pseudonymous id: their stream's name
	// less "person/" (see PersonStream).
	Pseudonym string
	// Type is the record's real type: RecordPersonAdded, an EventType, …
	Type string
	// At is when the record was written.
	At time.Time
	// Date is the day a person_added record puts them on the register.
	Date calendar.Date
	// Event is an event record's event.
	Event *dsr.Event
}

// errEnough stops a log walk at Changes' limit.
var errEnough = errors.New("register: enough records")

// Changes calls fn, in log order, for the records of people's streams that
// follow Seq after in the register's log, at most limit of the log's
// records (limit ≤ 0: all), and returns the Seq of the last record it
// read, or after when there was none. Records it does not pass to fn (read
// audits, referrals, index records, the records of a person whose key was
// destroyed: they are erased) still move the returned Seq on, so a
// follower that keeps it as its cursor never reads them again.
//
// A follower that keeps the returned Seq only once it has acted on every
// change (the outbox writes their events first) loses nothing to a crash:
// it reads the same records again, at least once.
func (r *Register) Changes(ctx context.Context, after int64, limit int, fn func(Change) error) (int64, error) {
	var recs []Record
	err := r.store.LogAfter(ctx, after, func(rec Record) error {
		recs = append(recs, rec)
		if limit > 0 && len(recs) >= limit {
			return errEnough
		}
		return nil
	})
	if err != nil && !errors.Is(err, errEnough) {
		return after, err
	}
	last := after
	keys := map[string]*Stream{} // each stream's row, read once a call
	for i := range recs {
		rec := &recs[i]
		if err := r.change(ctx, rec, keys, fn); err != nil {
			return last, err
		}
		last = rec.Seq
	}
	return last, nil
}

// LastSeq returns the Seq of the last record of the register's log: where
// a new follower of the log starts.
func (r *Register) LastSeq(ctx context.Context) (int64, error) { return r.store.LastSeq(ctx) }

func (r *Register) change(ctx context.Context, rec *Record, rows map[string]*Stream, fn func(Change) error) error {
	if !strings.HasPrefix(rec.Stream, personStreamPrefix) || rec.Type == AuditRead {
		return nil
	}
	s := rows[rec.Stream]
	if s == nil {
		row, err := r.streamRow(ctx, rec.Stream)
		if err != nil {
			return err
		}
		s = &row
		rows[rec.Stream] = s
	}
	if s.KeyDestroyed {
		return nil
	}
	g, err := r.keys.aead(ctx, s)
	if err != nil {
		return err
	}
	p, err := openPayload(g, rec)
	if err != nil {
		return err
	}
	c := Change{Seq: rec.Seq, Pseudonym: strings.TrimPrefix(rec.Stream, personStreamPrefix), Type: realType(rec, &p), At: rec.At, Event: p.Event}
	if c.Type == RecordPersonAdded {
		c.Date = p.Date
	}
	return fn(c)
}

// streamRow reads a stream's row (its key), without its records where the
// store can.
func (r *Register) streamRow(ctx context.Context, name string) (Stream, error) {
	if ss, ok := r.store.(SideStore); ok {
		row, _, err := ss.StreamRow(ctx, name)
		return row, err
	}
	s, err := r.store.Stream(ctx, name)
	s.Records = nil
	return s, err
}
