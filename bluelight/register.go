package bluelight

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/dsr"
)

// DocumentKind is the dsr.Document kind of a Blue Light meeting record
// kept in the register.
const DocumentKind = "bluelight_meeting"

// Documents teaches a dsr.Register to keep Blue Light meeting records:
//
//	reg, err := dsr.Open(ctx, store, rules, dsr.WithDocumentKinds(bluelight.Documents{}))
//
// The register then checks each meeting before it is written (Check) and
// adds what a closed meeting leaves due to Register.Due (Worklist). Save,
// Load and Find write and read meetings through the register. Documents is
// stateless and safe for concurrent use.
type Documents struct{}

var _ dsr.DocumentKind = Documents{}

// Kind returns DocumentKind.
func (Documents) Kind() string { return DocumentKind }

// stored is a meeting as the register keeps it: the record and the
// parameters it was opened with, so it reads back the same whatever the
// area's parameters are later.
type stored struct {
	Record Record `json:"record"`
	Params Params `json:"params"`
}

// Document returns the meeting as a register document.
func (m *Meeting) Document() (dsr.Document, error) {
	b, err := json.Marshal(stored{Record: m.rec, Params: m.params})
	if err != nil {
		return dsr.Document{}, fmt.Errorf("bluelight: encoding meeting %q: %w", m.rec.ID, err)
	}
	return dsr.Document{Kind: DocumentKind, ID: m.rec.ID, Data: b}, nil
}

// FromDocument reads a meeting from a register document, checks it as
// Resume does against the parameters it was opened with, and carries on
// deciding with rules (nil: GoRules with those parameters).
func FromDocument(d dsr.Document, rules Rules) (*Meeting, error) {
	if d.Kind != DocumentKind {
		return nil, invalid("document.kind", "", "%q is not a Blue Light meeting (%s)", d.Kind, DocumentKind)
	}
	dec := json.NewDecoder(bytes.NewReader(d.Data))
	dec.DisallowUnknownFields()
	var s stored
	if err := dec.Decode(&s); err != nil {
		return nil, invalid("document.data", "", "not a Blue Light meeting record: %v", err)
	}
	own, err := NewGoRules(s.Params)
	if err != nil {
		return nil, err
	}
	m, err := Resume(own, s.Record)
	if err != nil {
		return nil, err
	}
	if rules != nil {
		m.rules = rules
	}
	return m, nil
}

// Check implements dsr.DocumentKind: the document is a valid meeting
// record (see Resume) with the document's id, for the person whose case c
// is; a closed meeting needs its blue_light_meeting event, at the instant
// of the call, in the person's history (Save appends it in the same
// write).
func (Documents) Check(d dsr.Document, c *dsr.Case) error {
	m, err := FromDocument(d, nil)
	if err != nil {
		return err
	}
	var errs []error
	if m.rec.ID != d.ID {
		errs = append(errs, invalid("id", "", "%q is not the document id %q", m.rec.ID, d.ID))
	}
	if m.rec.PersonID != c.Person.ID {
		errs = append(errs, invalid("person_id", "", "%q is not the person %q the meeting is filed for", m.rec.PersonID, c.Person.ID))
	}
	if m.rec.Closed && !hasMeeting(c, m.rec.Notice.CallAt) {
		errs = append(errs, invalid("closed", "R-BL-FOLLOW", "the person's history has no blue_light_meeting at %s", londonTime(m.rec.Notice.CallAt)))
	}
	return errors.Join(errs...)
}

// hasMeeting reports whether the case holds a blue_light_meeting at the
// instant at.
func hasMeeting(c *dsr.Case, at time.Time) bool {
	return slices.ContainsFunc(c.Events, func(e dsr.Event) bool {
		return e.Type == dsr.EventBlueLightMeeting && e.Instant().Equal(at)
	})
}

// Worklist implements dsr.DocumentKind: what a closed meeting leaves due on
// c.AsOf (FollowUps), as the register lists it, from the person's history:
//
//   - review_after_blue_light, due 72 hours after the call, until a review
//     is held on or after the day of the meeting; or, once the person is
//     admitted on or after that day, post_admission_review, due 14 days
//     after the admission, until a review is held in that spell or they are
//     discharged. The national bundle asks for the same from the
//     blue_light_meeting event; the register lists each once (Register.Due).
//   - blue_light_funding_stop at the instant the funded support stops,
//     until a review is held on or after the day of the meeting (funding
//     then passes to the responsible body, R-BL-FOLLOW).
//   - blue_light_escalation when the outcome is unsatisfactory (R-BL-ESC),
//     due when the meeting closed. Nothing records the escalation yet, so
//     it stays on the worklist while the person is on the register.
//
// An open meeting leaves nothing due yet.
func (Documents) Worklist(d dsr.Document, c *dsr.Case) ([]dsr.DocumentItem, error) {
	m, err := FromDocument(d, nil)
	if err != nil {
		return nil, err
	}
	if !m.rec.Closed {
		return nil, nil
	}
	day := calendar.DateOf(m.rec.Notice.CallAt)
	var admitted, discharged calendar.Date
	var reviews []dsr.Event
	for _, e := range c.Events {
		switch {
		case e.Day().After(c.AsOf) || e.Day().Before(day):
		case e.Type == dsr.EventAdmitted && admitted.IsZero():
			admitted = e.Day()
		case e.Type == dsr.EventDischarged && !admitted.IsZero() && discharged.IsZero():
			discharged = e.Day()
		case e.Type == dsr.EventReviewHeld:
			reviews = append(reviews, e)
		}
	}
	reviewed := len(reviews) > 0
	reviewedInSpell := slices.ContainsFunc(reviews, func(e dsr.Event) bool {
		return e.Date.After(admitted) || (e.Date == admitted && e.Kind != dsr.ReviewCommunity)
	})
	fu, err := m.FollowUps(nil, admitted)
	if err != nil {
		return nil, err
	}
	var out []dsr.DocumentItem
	for _, it := range fu.Items {
		switch it.Kind {
		case ItemReviewAfterBlueLight, ItemFundingStop:
			if reviewed {
				continue
			}
		case ItemAdmissionCETR:
			if reviewedInSpell || !discharged.IsZero() {
				continue
			}
		}
		a, ok := it.Action()
		if !ok {
			return nil, fmt.Errorf("bluelight: follow-up %s has no dsr action kind", it.Kind)
		}
		out = append(out, dsr.DocumentItem{Action: a})
	}
	return out, nil
}

// Save writes the meeting to the register: its record and, once it is
// closed, the blue_light_meeting event at the instant of the call (unless
// the person's history already has it), in one write, so the review after
// the meeting and the funding stop join Register.Due (R-BL-FOLLOW).
//
// A person not on the register is added with the meeting when np is given
// (R-BL-FOLLOW): np names the same person, and its events must record
// consent for inclusion given on or before the day of the call; the
// register's consent gate (R-CONS-1) then decides. Without np, a person
// not on the register is dsr.ErrNotFound. The write is conditional on the
// person's record not changing since Save read it (dsr.ErrConflict
// otherwise). On any error nothing is written.
func Save(ctx context.Context, reg *dsr.Register, m *Meeting, by dsr.Actor, np *dsr.NewPerson) error {
	pid := m.rec.PersonID
	doc, err := m.Document()
	if err != nil {
		return err
	}
	var events []dsr.Event
	if m.rec.Closed {
		events = append(events, dsr.Event{Type: dsr.EventBlueLightMeeting, At: m.rec.Notice.CallAt})
	}
	v, err := reg.Version(ctx, pid)
	switch {
	case errors.Is(err, dsr.ErrNotFound) && np != nil:
		if err := m.checkNewPerson(np); err != nil {
			return err
		}
		add := *np
		add.Events = slices.Concat(np.Events, events)
		add.Documents = append(slices.Clone(np.Documents), doc)
		return reg.Add(ctx, add, by)
	case err != nil:
		return err
	}
	if len(events) > 0 {
		c, err := reg.Case(ctx, pid, calendar.DateOf(m.rec.Notice.CallAt))
		if err != nil {
			return err
		}
		if hasMeeting(&c, m.rec.Notice.CallAt) {
			events = nil
		}
	}
	return reg.File(ctx, pid, doc, events, by, dsr.IfVersion(v))
}

// checkNewPerson checks a person to add with the meeting: the same id, and
// consent for inclusion recorded on or before the day of the call.
func (m *Meeting) checkNewPerson(np *dsr.NewPerson) error {
	if np.Person.ID != m.rec.PersonID {
		return invalid("person.person.id", "", "%q is not the meeting's person %q", np.Person.ID, m.rec.PersonID)
	}
	day := calendar.DateOf(m.rec.Notice.CallAt)
	if !slices.ContainsFunc(np.Events, func(e dsr.Event) bool {
		return e.Type == dsr.EventConsentGiven && e.HasScope(dsr.ScopeDSR) && !e.Day().After(day)
	}) {
		return invalid("person.events", "R-BL-FOLLOW", "consent for inclusion on the register must be recorded on or before the day of the meeting (%s)", day)
	}
	return nil
}

// Load reads a person's meeting from the register, deciding further
// changes with rules (nil: GoRules with the parameters it was opened
// with). An unknown meeting is dsr.ErrNotFound.
func Load(ctx context.Context, reg *dsr.Register, personID, meetingID string, rules Rules) (*Meeting, error) {
	d, err := reg.Document(ctx, personID, DocumentKind, meetingID)
	if err != nil {
		return nil, err
	}
	return FromDocument(d, rules)
}

// Find reads a meeting from the register by its id alone, whoever it is
// for (see Register.FindDocument).
func Find(ctx context.Context, reg *dsr.Register, meetingID string, rules Rules) (*Meeting, error) {
	_, d, err := reg.FindDocument(ctx, DocumentKind, meetingID)
	if err != nil {
		return nil, err
	}
	return FromDocument(d, rules)
}
