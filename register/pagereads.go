package register

import (
	"context"
	"fmt"
	"slices"

	"github.com/dsrkit/dsrkit/calendar"
)

// The reads of the service's pages: the names on a page of the worklist,
// read at once and audited once (DetailsOf), and whether anything was
// written since a worklist was built (WritesAfter).

// DetailsOf returns the details of each of the people ids, by id, for a
// page that shows several at once (a page of the worklist with names):
// one audited read for them all, as AuditBulk records it (what, filter and
// asOf say what was shown), made before anything is returned. An erased
// person is left out (nothing identifiable remains); an unknown one is
// ErrNotFound.
func (r *Register) DetailsOf(ctx context.Context, ids []string, what, filter string, asOf calendar.Date, by Actor, opts ...ReadOption) (map[string]Details, error) {
	if err := by.validate(); err != nil {
		return nil, fmt.Errorf("dsr: reading %d people: %w", len(ids), err)
	}
	out := make(map[string]Details, len(ids))
	read := make([]string, 0, len(ids))
	for _, id := range ids {
		if _, ok := out[id]; ok {
			continue
		}
		st, err := r.person(ctx, id)
		if err != nil {
			return nil, err
		}
		if st.erased {
			continue
		}
		out[id] = st.details
		read = append(read, id)
	}
	if err := r.AuditBulk(ctx, what, filter, asOf, read, by, opts...); err != nil {
		return nil, err
	}
	return out, nil
}

// WritesAfter returns the types of the records of the register's log
// after Seq after that are not a read's audit (AuditRead), once each, in
// the order first met: the writes since (to people, requests, indexes;
// the types are those kept in the clear, AuditTypes), and the Seq of the
// log's last record (after when there is none). What was built from the
// register at Seq after (a worklist for a date, with the same bundle)
// still holds while it returns no type; nothing is opened.
func (r *Register) WritesAfter(ctx context.Context, after int64) (last int64, types []string, err error) {
	last = after
	err = r.store.LogAfter(ctx, after, func(rec Record) error {
		last = rec.Seq
		if rec.Type != AuditRead && !slices.Contains(types, rec.Type) {
			types = append(types, rec.Type)
		}
		return nil
	})
	if err != nil {
		return after, nil, fmt.Errorf("dsr: reading the log: %w", err)
	}
	return last, types, nil
}
