package register

import (
	"context"
	"errors"
	"fmt"
	"slices"
)

const (
	nameStreamPrefix = "name/"
	// RecordNameIndexed is the record of the name index: a person whose
	// stream the record names (sealed) has, or had, the name.
	RecordNameIndexed = "name_indexed"
	// maxNameRetries bounds the retries of an index write that raced.
	maxNameRetries = 8
)

// nameStream names the index stream of a name: "name/" and the pseudonym
// of its nameKey. Many people may share a name, so each record adds one
// person's stream; a lookup reads them all and keeps those whose details
// have the name now. The name is never in the clear.
func (r *Register) nameStream(name string) string {
	return nameStreamPrefix + r.keys.pseudonymOf("name", nameKey(name))
}

// indexName adds stream to the index of name (an empty name is not
// indexed).
func (r *Register) indexName(ctx context.Context, name, stream string, by Actor) error {
	if nameKey(name) == "" {
		return nil
	}
	idx := r.nameStream(name)
	for range maxNameRetries {
		streams, s, err := r.nameIndex(ctx, idx)
		if err != nil {
			return err
		}
		if slices.Contains(streams, stream) {
			return nil
		}
		d := draft{RecordNameIndexed, payload{Claim: stream}}
		if s == nil {
			key, err := r.newStreamKey(ctx, idx)
			if err != nil {
				return err
			}
			err = r.append(ctx, idx, 0, key, by, false, d)
			if !errors.Is(err, ErrConflict) {
				return err
			}
			continue
		}
		g, err := r.keys.aead(ctx, s)
		if err != nil {
			return err
		}
		err = r.append(ctx, idx, s.Version, streamKey{aead: g}, by, false, d)
		if !errors.Is(err, ErrConflict) {
			return err
		}
	}
	return fmt.Errorf("dsr: indexing a name: %d writers raced: %w", maxNameRetries, ErrConflict)
}

// nameIndex returns the person streams an index stream names, and the
// stream as read (nil when there is none), checked.
func (r *Register) nameIndex(ctx context.Context, idx string) ([]string, *Stream, error) {
	s, err := r.store.Stream(ctx, idx)
	if errors.Is(err, ErrNotFound) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	if err := r.keys.checkStream(&s); err != nil {
		return nil, nil, err
	}
	g, err := r.keys.aead(ctx, &s)
	if err != nil {
		return nil, nil, err
	}
	out := make([]string, 0, len(s.Records))
	for i := range s.Records {
		p, err := openPayload(g, &s.Records[i])
		if err != nil {
			return nil, nil, err
		}
		if !slices.Contains(out, p.Claim) {
			out = append(out, p.Claim)
		}
	}
	return out, &s, nil
}

// FindName returns the local ids of the people whose name is name now,
// compared with case folded and runs of white space as one (an exact
// match, not a search), sorted; nobody is an empty slice. The lookup goes
// through the name index, never a scan of everyone's details, and is
// audited as a read of each person found.
func (r *Register) FindName(ctx context.Context, name string, by Actor, opts ...ReadOption) ([]string, error) {
	if err := by.validate(); err != nil {
		return nil, fmt.Errorf("dsr: finding a name: %w", err)
	}
	out := []string{}
	key := nameKey(name)
	if key == "" {
		return out, nil
	}
	streams, _, err := r.nameIndex(ctx, r.nameStream(name))
	if err != nil {
		return nil, err
	}
	for _, stream := range streams {
		s, err := r.store.Stream(ctx, stream)
		if errors.Is(err, ErrNotFound) {
			continue // indexed, then the person's write failed
		}
		if err != nil {
			return nil, err
		}
		st, err := r.decodePerson(ctx, &s)
		if err != nil {
			return nil, err
		}
		if st.erased || nameKey(st.details.Name) != key {
			continue
		}
		out = append(out, st.id)
	}
	slices.Sort(out)
	for _, id := range out {
		if err := r.audit(ctx, id, "name lookup", by, opts); err != nil {
			return nil, err
		}
	}
	return out, nil
}
