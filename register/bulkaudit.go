package register

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"

	"github.com/dsrkit/dsrkit/calendar"
)

// bulkReadPrefix names the streams of reads of many people at once, one a
// day (London): "reads/2026-12-04". A day's stream stays short, and its row
// is all a new read needs.
const bulkReadPrefix = "reads/"

// tagSize is the length of a person's tag in a bulk read's record: the
// first bytes of a hash of their stream's name. At 10,000 people the
// chance that two share a tag is about 1 in 10^11.
const tagSize = 8

// BulkRead is what a read of many people's data at once leaves in the
// register's read log, sealed: what was read (a list, the worklist, an
// export), why, how it was chosen (the filter, in words), the day it was
// as of, and who was in it, as tags that only the register can match to a
// person (Audit lists the read for each of them).
type BulkRead struct {
	What   string        `json:"what"`
	Why    string        `json:"why,omitempty"`
	Filter string        `json:"filter,omitempty"`
	AsOf   calendar.Date `json:"as_of,omitzero"`
	Count  int           `json:"count"`
	Tags   []byte        `json:"tags,omitempty"`
}

func (r *Register) personTag(id string) []byte {
	sum := sha256.Sum256([]byte(r.PersonStream(id)))
	return sum[:tagSize]
}

// AuditBulk records a read of the people ids at once (a list, the
// worklist, an export shown to or taken by someone) by by: one record in
// the day's read log, whoever many people it names, holding what was read,
// the filter (in words, no identifier: filter names a rating, a team, a
// date), asOf and each person's tag. Audit then lists the read among each
// person's entries. Show or hand over the data only once AuditBulk
// returns nil. A read of nobody is not recorded.
func (r *Register) AuditBulk(ctx context.Context, what, filter string, asOf calendar.Date, ids []string, by Actor, opts ...ReadOption) error {
	if err := by.validate(); err != nil {
		return fmt.Errorf("dsr: auditing a read of %d people: %w", len(ids), err)
	}
	if len(ids) == 0 {
		return nil
	}
	var o readOpts
	for _, f := range opts {
		f(&o)
	}
	tags := make([]byte, 0, len(ids)*tagSize)
	for _, id := range ids {
		tags = append(tags, r.personTag(id)...)
	}
	name := bulkReadPrefix + calendar.DateOf(r.clock()).String()
	d := draft{AuditRead, payload{Bulk: &BulkRead{What: what, Why: o.why, Filter: filter, AsOf: asOf, Count: len(ids), Tags: tags}}}
	for range maxAuditRetries {
		s, err := r.streamRow(ctx, name)
		var key streamKey
		switch {
		case errors.Is(err, ErrNotFound):
			if key, err = r.newStreamKey(ctx, name); err != nil {
				return err
			}
		case err != nil:
			return fmt.Errorf("dsr: auditing a read of %d people: %w", len(ids), err)
		default:
			// The row alone: a day's reads are not read back to add one.
			if !hmac.Equal(r.keys.StreamMAC(&s), s.MAC) {
				return &ChainError{Stream: s.Name, Problem: "the stream's row (version, key, head) does not match its MAC"}
			}
			g, err := r.keys.aead(ctx, &s)
			if err != nil {
				return err
			}
			key = streamKey{aead: g}
		}
		err = r.append(ctx, name, s.Version, key, by, false, d)
		if !errors.Is(err, ErrConflict) {
			return err
		}
	}
	return fmt.Errorf("dsr: auditing a read of %d people: %d writers raced: %w", len(ids), maxAuditRetries, ErrConflict)
}

// bulkReadsOf returns the audit entries of the bulk reads that named the
// person id.
func (r *Register) bulkReadsOf(ctx context.Context, id string) ([]AuditEntry, error) {
	tag := r.personTag(id)
	var out []AuditEntry
	err := r.store.Streams(ctx, bulkReadPrefix, func(s Stream) error {
		if !strings.HasPrefix(s.Name, bulkReadPrefix) {
			return nil
		}
		if err := r.keys.checkStream(&s); err != nil {
			return err
		}
		g, err := r.keys.aead(ctx, &s)
		if err != nil {
			return err
		}
		for i := range s.Records {
			rec := &s.Records[i]
			p, err := openPayload(g, rec)
			if err != nil {
				return err
			}
			if p.Bulk == nil || !hasTag(p.Bulk.Tags, tag) {
				continue
			}
			what := p.Bulk.What
			if p.Bulk.Filter != "" {
				what += " (" + p.Bulk.Filter + ")"
			}
			out = append(out, AuditEntry{Seq: rec.Seq, At: rec.At, By: Actor{rec.ActorID, rec.ActorRole}, Read: true,
				Type: AuditRead, What: fmt.Sprintf("%s: %d people", what, p.Bulk.Count), Why: p.Bulk.Why})
		}
		return nil
	})
	return out, err
}

func hasTag(tags, tag []byte) bool {
	for i := 0; i+tagSize <= len(tags); i += tagSize {
		if bytes.Equal(tags[i:i+tagSize], tag) {
			return true
		}
	}
	return false
}
