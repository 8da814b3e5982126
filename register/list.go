package register

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/dsr"
)

// ListEntry is one person on the register as the coordinator's list shows
// them: ratings, who holds the entry, and what is due. It holds the
// person's local id and the staff who hold the entry, never the person's
// name or NHS number (Details has those, and reading them is audited).
type ListEntry struct {
	PersonID string `json:"person_id"`
	// Rating is the rules' suggestion, AgreedRating the meeting's, and
	// RatingOfRecord the one the register acts on (R-RAG-AGREED-2).
	Rating         dsr.Rating `json:"rating"`
	AgreedRating   dsr.Rating `json:"agreed_rating"`
	RatingOfRecord dsr.Rating `json:"rating_of_record"`
	// Team and CareCoordinator are the entry's (R-DATA-1).
	Team            string `json:"team,omitempty"`
	CareCoordinator string `json:"care_coordinator,omitempty"`
	// Items is how many things are due, Overdue how many of them are
	// overdue, and NextDue the earliest due date among them.
	Items   int           `json:"items"`
	Overdue int           `json:"overdue"`
	NextDue calendar.Date `json:"next_due,omitzero"`
}

// Differs reports whether the agreed rating differs from the suggestion.
func (e *ListEntry) Differs() bool {
	return e.AgreedRating != dsr.Unrated && e.AgreedRating != e.Rating
}

// ListFilter selects entries for List; the zero filter selects everyone
// on the register.
type ListFilter struct {
	// Rating keeps entries whose rating of record is Rating.
	Rating dsr.Rating
	// Differs keeps entries whose agreed rating differs from the
	// suggestion.
	Differs bool
	// Overdue keeps entries with an overdue item.
	Overdue bool
	// DueBefore keeps entries with an item due before it.
	DueBefore calendar.Date
	// Team and CareCoordinator keep entries held by them (exact, case
	// folded).
	Team, CareCoordinator string
}

// String says what the filter keeps, in words ("everyone" for the zero
// filter): what an audit of the list (AuditBulk) records.
func (f ListFilter) String() string {
	var w []string
	if f.Rating != dsr.Unrated {
		w = append(w, "rating of record "+f.Rating.String())
	}
	if f.Differs {
		w = append(w, "agreed rating differs")
	}
	if f.Overdue {
		w = append(w, "overdue")
	}
	if !f.DueBefore.IsZero() {
		w = append(w, "due before "+f.DueBefore.String())
	}
	if f.Team != "" {
		w = append(w, "team "+f.Team)
	}
	if f.CareCoordinator != "" {
		w = append(w, "coordinator "+f.CareCoordinator)
	}
	if len(w) == 0 {
		return "everyone"
	}
	return strings.Join(w, ", ")
}

// IDs returns the people of a list, in its order.
func IDs(entries []ListEntry) []string {
	ids := make([]string, len(entries))
	for i := range entries {
		ids[i] = entries[i].PersonID
	}
	return ids
}

// PeopleIn returns the people a worklist names, each once, in its order
// (requests to join name nobody).
func PeopleIn(items []WorkItem) []string {
	seen := map[string]bool{}
	var ids []string
	for i := range items {
		if id := items[i].PersonID; id != "" && !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	return ids
}

func (f *ListFilter) keeps(e *ListEntry) bool {
	switch {
	case f.Rating != dsr.Unrated && e.RatingOfRecord != f.Rating,
		f.Differs && !e.Differs(),
		f.Overdue && e.Overdue == 0,
		!f.DueBefore.IsZero() && (e.NextDue.IsZero() || !e.NextDue.Before(f.DueBefore)),
		f.Team != "" && nameKey(e.Team) != nameKey(f.Team),
		f.CareCoordinator != "" && nameKey(e.CareCoordinator) != nameKey(f.CareCoordinator):
		return false
	}
	return true
}

// List returns everyone held on the register on asOf that filter keeps:
// those with overdue items first, then by next due date, then by id. The
// items are the worklist's (Due), assessed once per version of each
// person's stream and date. Nobody is an empty slice.
func (r *Register) List(ctx context.Context, asOf calendar.Date, filter ListFilter) ([]ListEntry, error) {
	if out, ok, err := r.listCached(ctx, asOf); ok {
		return sortedList(out, filter), err
	}
	var mu sync.Mutex
	var results []*ListEntry
	err := inParallel(ctx, r.workers, func(emit func(Stream, []byte) error) error {
		if err := r.store.Streams(ctx, personStreamPrefix, func(s Stream) error { return emit(s, nil) }); err != nil && ctx.Err() == nil {
			return fmt.Errorf("dsr: reading the register: %w", err)
		} else {
			return err
		}
	}, func(s *Stream, _ []byte) error {
		e, err := r.entryOf(ctx, s, asOf)
		if err != nil || e == nil {
			return err
		}
		mu.Lock()
		results = append(results, e)
		mu.Unlock()
		return nil
	})
	if err != nil {
		return nil, err
	}
	return sortedList(results, filter), nil
}

// sortedList keeps the entries filter keeps, overdue first, then by next
// due date, then by id.
func sortedList(entries []*ListEntry, filter ListFilter) []ListEntry {
	out := []ListEntry{}
	for _, e := range entries {
		if e != nil && filter.keeps(e) {
			out = append(out, *e)
		}
	}
	slices.SortFunc(out, func(a, b ListEntry) int {
		if (a.Overdue > 0) != (b.Overdue > 0) {
			if a.Overdue > 0 {
				return -1
			}
			return 1
		}
		if a.NextDue.IsZero() != b.NextDue.IsZero() {
			if a.NextDue.IsZero() {
				return 1
			}
			return -1
		}
		return cmp.Or(a.NextDue.Compare(b.NextDue), strings.Compare(a.PersonID, b.PersonID))
	})
	return out
}

// listCached is List through the persisted due cache (duePeople, which
// assesses only the people whose stream, or the rules, changed): each
// person's row holds their items with who is held, their ratings, team and
// care coordinator, so the list is one pass over the rows with no records
// read. ok is false when the cache does not apply.
func (r *Register) listCached(ctx context.Context, asOf calendar.Date) (out []*ListEntry, ok bool, err error) {
	people, ok, err := r.duePeople(ctx, asOf)
	if !ok || err != nil {
		return nil, ok, err
	}
	for i := range people {
		p := &people[i]
		if !p.ratings.held {
			continue
		}
		e := entrySummary(p.ratings.id, p.ratings.team, p.ratings.coordinator, p.items)
		e.Rating, e.AgreedRating, e.RatingOfRecord = p.ratings.rating, p.ratings.agreed, p.ratings.record
		out = append(out, e)
	}
	return out, true, nil
}

// entrySummary is a list entry from a person's items.
func entrySummary(id, team, coordinator string, items []WorkItem) *ListEntry {
	e := &ListEntry{PersonID: id, Team: team, CareCoordinator: coordinator, Items: len(items)}
	for i := range items {
		it := &items[i]
		if it.Overdue {
			e.Overdue++
		}
		if d := it.DueDate(); !d.IsZero() && (e.NextDue.IsZero() || d.Before(e.NextDue)) {
			e.NextDue = d
		}
	}
	if len(items) > 0 {
		e.Rating, e.AgreedRating, e.RatingOfRecord = items[0].Rating, items[0].AgreedRating, items[0].RatingOfRecord
	}
	return e
}

// entryOf is the list entry of the person whose stream s is, or nil when
// they are not held on the register on asOf.
func (r *Register) entryOf(ctx context.Context, s *Stream, asOf calendar.Date) (*ListEntry, error) {
	items, err := r.dueFor(ctx, s, asOf) // checks the stream
	if err != nil {
		return nil, err
	}
	st, err := r.openPerson(ctx, s)
	if err != nil {
		return nil, err
	}
	if !st.held(asOf) {
		return nil, nil
	}
	e := entrySummary(st.id, st.details.Entry.Team, st.details.Entry.CareCoordinator, items)
	if len(items) > 0 {
		return e, nil
	}
	a, err := r.rules.Assess(ctx, st.caseOn(asOf, false))
	if err != nil {
		return nil, fmt.Errorf("dsr: assessing a person: %w", err)
	}
	e.Rating, e.AgreedRating, e.RatingOfRecord = a.Rating, a.AgreedRating, a.RatingOfRecord
	return e, nil
}
