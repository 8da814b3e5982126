package register

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/dsr"
)

// Scanned is one person's records as a report over the whole register
// reads them (Scan): when they joined and left, their history and their
// documents, with no identifiable details (no name, NHS number, date of
// birth or address). For a person whose records are erased (R-CONS-4) only
// the clear audit trail is left: Erased is set, and Added and Left are the
// days (Europe/London) the person_added and the withdrawal were written.
type Scanned struct {
	PersonID string
	// Added is the day the person was put on the register; Removal, when
	// set, is how and when they left (an erased person: nil, see Left).
	Added   calendar.Date
	Removal *Removal
	// Erased is set once the person's key is destroyed; Left is then the
	// day the withdrawal of consent was written.
	Erased bool
	Left   calendar.Date
	// Team and CareCoordinator hold the entry (R-DATA-1).
	Team, CareCoordinator string
	// Events is the person's history, in the order written; Documents the
	// latest save of each document, in first-saved order.
	Events    []dsr.Event
	Documents []Document

	r  *Register
	st *personState
}

// Held reports whether the person is on the register on asOf: added by
// then and not removed by then. An erased person is held from Added to
// the day before Left.
func (s *Scanned) Held(asOf calendar.Date) bool {
	if s.Erased {
		return !s.Added.IsZero() && !s.Added.After(asOf) && (s.Left.IsZero() || s.Left.After(asOf))
	}
	return s.st.held(asOf)
}

// Assess assesses the person's case as of asOf with the register's Rules,
// as Register.Assess does. An erased person is ErrErased.
func (s *Scanned) Assess(ctx context.Context, asOf calendar.Date) (dsr.Assessment, error) {
	return s.AssessWithout(ctx, asOf, nil)
}

// AssessWithout is Assess with the events drop reports true for left out
// of the case (nil: none), to see what was due before them: say the
// review a review_held answered.
func (s *Scanned) AssessWithout(ctx context.Context, asOf calendar.Date, drop func(*dsr.Event) bool) (dsr.Assessment, error) {
	if s.Erased {
		return dsr.Assessment{}, fmt.Errorf("dsr: scanned person: %w", ErrErased)
	}
	c := s.st.caseOn(asOf, false)
	if drop != nil {
		c.Events = slices.DeleteFunc(c.Events, func(e dsr.Event) bool { return drop(&e) })
	}
	a, err := s.r.rules.Assess(ctx, c)
	if err != nil {
		return a, fmt.Errorf("dsr: assessing a scanned person: %w", err)
	}
	return a, nil
}

// Position is where a scanned person stands on a date, their position (Scanned.On):
// whether they are on the register, their ratings, and what is due for
// them, as Register.List and Register.Due would say.
type Position struct {
	Held bool
	// Rating is the rules' suggestion, AgreedRating the meeting's and
	// RatingOfRecord the one the register acts on (R-RAG-AGREED-2).
	Rating, AgreedRating, RatingOfRecord dsr.Rating
	// Items are the person's worklist items on the date (their documents'
	// included), as Register.Due lists them.
	Items []WorkItem
}

// On is where the person stands on asOf: one assessment with the
// register's Rules, as Register.Due makes it (no cache). A person not on
// the register then (or erased) is the zero Position, with no
// assessment.
func (s *Scanned) On(ctx context.Context, asOf calendar.Date) (Position, error) {
	if s.Erased || !s.st.held(asOf) {
		return Position{}, nil
	}
	items, rt, err := s.r.assessState(ctx, s.st, asOf)
	if err != nil {
		return Position{}, err
	}
	return Position{Held: rt.held, Rating: rt.rating, AgreedRating: rt.agreed, RatingOfRecord: rt.record, Items: items}, nil
}

// RatingOn is On without the worklist: whether the person is on the
// register on asOf, and their ratings then (Position.Items is nil). Where
// the register's Rules can rate a case without assessing it whole
// (dsr.Rater: policies.Engine), it asks for the rating alone, which costs
// a report a fraction of an assessment; the ratings are those On gives
// either way. Otherwise it assesses, as On does.
func (s *Scanned) RatingOn(ctx context.Context, asOf calendar.Date) (Position, error) {
	rater, ok := s.r.rules.(dsr.Rater)
	if !ok {
		p, err := s.On(ctx, asOf)
		p.Items = nil
		return p, err
	}
	if s.Erased || !s.st.held(asOf) {
		return Position{}, nil
	}
	rd, err := rater.Rate(ctx, s.st.caseOn(asOf, false))
	if err != nil {
		return Position{}, fmt.Errorf("dsr: rating a scanned person: %w", err)
	}
	return Position{Held: true, Rating: rd.Rating, AgreedRating: rd.AgreedRating, RatingOfRecord: rd.RatingOfRecord}, nil
}

// Scan reads every person on the register, added or erased, and calls fn
// with their records, from as many goroutines at once as the register
// assesses people (WithWorkers): fn must be safe for concurrent use, and
// must not keep s past its return. It is the bulk read of reports over the
// register (a board report reads every history once, not person by
// person, and assesses people in parallel): like Due, it returns nothing
// identifiable and is not audited. Each stream is checked as Due checks
// it; a broken one stops the scan with its error, as does an error from fn.
func (r *Register) Scan(ctx context.Context, fn func(s *Scanned) error) error {
	err := inParallel(ctx, r.workers, func(emit func(Stream, []byte) error) error {
		return r.store.Streams(ctx, personStreamPrefix, func(s Stream) error { return emit(s, nil) })
	}, func(st *Stream, _ []byte) error {
		if err := r.keys.checkStream(st); err != nil {
			return err
		}
		if st.KeyDestroyed {
			return fn(erasedScan(st))
		}
		ps, err := r.openPerson(ctx, st)
		if err != nil {
			return err
		}
		return fn(&Scanned{
			PersonID: ps.id, Added: ps.added, Removal: ps.removal,
			Team: ps.details.Entry.Team, CareCoordinator: ps.details.Entry.CareCoordinator,
			Events: ps.events, Documents: ps.docs, r: r, st: ps,
		})
	})
	if err != nil {
		return fmt.Errorf("dsr: scanning the register: %w", err)
	}
	return nil
}

// erasedScan is what the clear audit trail of an erased stream says.
func erasedScan(st *Stream) *Scanned {
	s := &Scanned{Erased: true}
	for i := range st.Records {
		rec := &st.Records[i]
		switch rec.Type {
		case RecordPersonAdded:
			s.Added = calendar.DateOf(rec.At)
		case string(dsr.EventConsentWithdrawn):
			s.Left = calendar.DateOf(rec.At)
		}
	}
	return s
}

// ScannedReferral is a request to join as a report reads it
// (ScanReferrals): the request and its decision, if made (nil otherwise).
type ScannedReferral struct {
	Referral Referral
	Decision *Decision
	// At is when the request was entered.
	At time.Time
}

// ScanReferrals reads every request to join in stream order and calls fn
// with each. A request whose key is destroyed is skipped. It is not
// audited: a request holds no identifiable data.
func (r *Register) ScanReferrals(ctx context.Context, fn func(ScannedReferral) error) error {
	err := r.store.Streams(ctx, referralStreamPrefix, func(s Stream) error {
		if s.KeyDestroyed {
			return nil
		}
		ref, dec, _, err := r.readReferral(ctx, &s)
		if err != nil {
			return err
		}
		var at time.Time
		if len(s.Records) > 0 {
			at = s.Records[0].At
		}
		return fn(ScannedReferral{Referral: ref, Decision: dec, At: at})
	})
	if err != nil {
		return fmt.Errorf("dsr: scanning requests to join: %w", err)
	}
	return nil
}

// CountPeople returns how many people's streams the register holds,
// erased ones included, reading no records where the store can: the
// total of a progress line over Scan.
func (r *Register) CountPeople(ctx context.Context) (int, error) {
	n := 0
	if ss, ok := r.store.(SideStore); ok {
		err := ss.Sides(ctx, personStreamPrefix, false, func(Stream, []byte, []byte) error { n++; return nil })
		return n, err
	}
	err := r.store.Streams(ctx, personStreamPrefix, func(Stream) error { n++; return nil })
	return n, err
}
