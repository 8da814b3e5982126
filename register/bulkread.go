package register

import (
	"context"
	"crypto/hmac"
	"errors"
	"fmt"

	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/dsr"
)

// DetailsAndCases is DetailsAndCase for many people at once, for an export
// or a return that reads everyone: the details of each person of ids and
// their case as of asOf, each read audited in the person's own audit
// (Audit lists it, as "details and case", with Because's reason), as
// DetailsAndCase audits it; but every audit record is written in one
// transaction of the store (a BatchStore), and the data are returned only
// once it commits. An unknown person is ErrNotFound and an erased one
// ErrErased, and then nothing is read or audited. On a store that makes no
// batch appends, or when another reader's audit races one of these, each
// read is audited in turn as DetailsAndCase does.
func (r *Register) DetailsAndCases(ctx context.Context, ids []string, asOf calendar.Date, by Actor, opts ...ReadOption) ([]Details, []dsr.Case, error) {
	if err := by.validate(); err != nil {
		return nil, nil, fmt.Errorf("dsr: reading %d people: %w", len(ids), err)
	}
	var o readOpts
	for _, f := range opts {
		f(&o)
	}
	const what = "details and case"
	details := make([]Details, len(ids))
	cases := make([]dsr.Case, len(ids))
	reqs := make([]AppendRequest, 0, len(ids))
	for i, id := range ids {
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		st, err := r.person(ctx, id)
		if err != nil {
			return nil, nil, err
		}
		if st.erased {
			return nil, nil, fmt.Errorf("dsr: the person's record: %w", ErrErased)
		}
		details[i], cases[i] = st.details, st.caseOn(asOf, false)
		name := r.auditStream(id)
		s, err := r.streamRow(ctx, name)
		var key streamKey
		switch {
		case errors.Is(err, ErrNotFound):
			if key, err = r.newStreamKey(ctx, name); err != nil {
				return nil, nil, err
			}
		case err != nil:
			return nil, nil, fmt.Errorf("dsr: auditing a read of a person: %w", err)
		default:
			// The row alone: a person's earlier reads are not read back to
			// add one (Verify checks the whole stream).
			if !hmac.Equal(r.keys.StreamMAC(&s), s.MAC) {
				return nil, nil, &ChainError{Stream: s.Name, Problem: "the stream's row (version, key, head) does not match its MAC"}
			}
			g, err := r.keys.aead(ctx, &s)
			if err != nil {
				return nil, nil, err
			}
			key = streamKey{aead: g}
		}
		req, err := r.request(name, s.Version, key, by, false, draft{AuditRead, payload{Read: &ReadAudit{What: what, Why: o.why}}})
		if err != nil {
			return nil, nil, err
		}
		reqs = append(reqs, req)
	}
	if len(reqs) == 0 {
		return details, cases, nil
	}
	bs, ok := r.store.(BatchStore)
	if ok {
		out, err := bs.AppendBatch(ctx, reqs)
		switch {
		case err == nil:
			last := out[len(out)-1]
			if err := r.checkpoint(ctx, last[len(last)-1], last[len(last)-1].Stream); err != nil {
				return nil, nil, err
			}
			return details, cases, nil
		case !errors.Is(err, ErrConflict):
			return nil, nil, fmt.Errorf("dsr: auditing a read of %d people: %w", len(ids), err)
		}
	}
	for _, id := range ids {
		if err := r.audit(ctx, id, what, by, opts); err != nil {
			return nil, nil, err
		}
	}
	return details, cases, nil
}
