package register

import (
	"context"
	"errors"
	"fmt"

	"github.com/dsrkit/dsrkit/dsr"
)

const (
	nhsStreamPrefix = "nhs/"
	// RecordNHSClaimed is the record of the NHS number index: the number
	// belongs to the person whose stream the record names (sealed).
	RecordNHSClaimed = "nhs_claimed"
)

// nhsStream names the index stream of an NHS number: "nhs/" and the
// number's pseudonym. Its records (sealed) name the stream of the person
// who holds the number, so that a lookup by NHS number, and the check that
// one number belongs to one person, never need the number in the clear.
func (r *Register) nhsStream(n dsr.NHSNumber) string {
	return nhsStreamPrefix + r.keys.pseudonymOf("nhs", string(n))
}

// nhsHolder returns the person stream the index names for n, and the index
// stream as read ("" and a zero Stream when none), checked.
func (r *Register) nhsHolder(ctx context.Context, n dsr.NHSNumber) (string, *Stream, error) {
	s, err := r.store.Stream(ctx, r.nhsStream(n))
	if errors.Is(err, ErrNotFound) {
		return "", nil, nil
	}
	if err != nil {
		return "", nil, err
	}
	if err := r.keys.checkStream(&s); err != nil {
		return "", nil, err
	}
	g, err := r.keys.aead(ctx, &s)
	if err != nil {
		return "", nil, err
	}
	p, err := openPayload(g, &s.Records[len(s.Records)-1])
	if err != nil {
		return "", nil, err
	}
	return p.Claim, &s, nil
}

// holds reports whether the person stream holds n now: it exists, is not
// erased, and its details have n.
func (r *Register) holds(ctx context.Context, stream string, n dsr.NHSNumber) (bool, error) {
	s, err := r.store.Stream(ctx, stream)
	if errors.Is(err, ErrNotFound) {
		return false, nil // a claim whose person was never written (a crash between the two)
	}
	if err != nil {
		return false, err
	}
	st, err := r.decodePerson(ctx, &s)
	if err != nil {
		return false, err
	}
	return !st.erased && st.details.Person.NHSNumber == n, nil
}

// claimNHS records that n belongs to the person whose stream is stream,
// unless another person holds it: then the write is refused naming
// person.nhs_number. A claim left by a person never written, erased, or
// whose number changed, is taken over.
func (r *Register) claimNHS(ctx context.Context, n dsr.NHSNumber, stream string, by Actor) error {
	if n == "" {
		return nil
	}
	holder, s, err := r.nhsHolder(ctx, n)
	if err != nil {
		return err
	}
	d := draft{RecordNHSClaimed, payload{Claim: stream}}
	if s == nil {
		key, err := r.newStreamKey(ctx, r.nhsStream(n))
		if err != nil {
			return err
		}
		return r.append(ctx, r.nhsStream(n), 0, key, by, false, d)
	}
	if holder == stream {
		return nil
	}
	held, err := r.holds(ctx, holder, n)
	if err != nil {
		return err
	}
	if held {
		return invalid("person.nhs_number", "", "this NHS number belongs to another person on the register: one NHS number, one person")
	}
	g, err := r.keys.aead(ctx, s)
	if err != nil {
		return err
	}
	return r.append(ctx, s.Name, s.Version, streamKey{aead: g}, by, false, d)
}

// FindNHSNumber returns the local id of the person on the register who
// holds NHS number n, through the index (never a scan of anyone's
// details). Nobody is ErrNotFound. The lookup is audited as a read of the
// person's details.
func (r *Register) FindNHSNumber(ctx context.Context, n dsr.NHSNumber, by Actor, opts ...ReadOption) (string, error) {
	if err := by.validate(); err != nil {
		return "", fmt.Errorf("dsr: finding an NHS number: %w", err)
	}
	holder, _, err := r.nhsHolder(ctx, n)
	if err != nil {
		return "", err
	}
	if holder == "" {
		return "", fmt.Errorf("dsr: NHS number: %w", ErrNotFound)
	}
	s, err := r.store.Stream(ctx, holder)
	if err != nil {
		return "", fmt.Errorf("dsr: NHS number: %w", ErrNotFound)
	}
	st, err := r.decodePerson(ctx, &s)
	if err != nil {
		return "", err
	}
	if st.erased || st.details.Person.NHSNumber != n {
		return "", fmt.Errorf("dsr: NHS number: %w", ErrNotFound)
	}
	if err := r.audit(ctx, st.id, "nhs_number lookup", by, opts); err != nil {
		return "", err
	}
	return st.id, nil
}
