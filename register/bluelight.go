package register

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/dsrkit/dsrkit/bluelight"
	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/dsr"
)

// MeetingKind is the Document kind of a Blue Light meeting record (a
// bluelight.Meeting) kept in the register.
const MeetingKind = "bluelight_meeting"

// MeetingDocuments teaches a Register to keep Blue Light meeting records:
//
//	reg, err := register.Open(ctx, store, rules, register.WithDocumentKinds(register.MeetingDocuments{}))
//
// The register then checks each meeting before it is written (Check) and
// adds what a closed meeting leaves due to Register.Due (Worklist).
// Register.SaveMeeting, Register.Meeting and Register.FindMeeting write and
// read meetings through the register. MeetingDocuments is stateless and
// safe for concurrent use.
type MeetingDocuments struct{}

var _ DocumentKind = MeetingDocuments{}

// Kind returns MeetingKind.
func (MeetingDocuments) Kind() string { return MeetingKind }

// storedMeeting is a meeting as the register keeps it: the record and the
// parameters it was opened with, so it reads back the same whatever the
// area's parameters are later.
type storedMeeting struct {
	Record bluelight.Record `json:"record"`
	Params bluelight.Params `json:"params"`
}

// MeetingDocument returns the meeting as a register document.
func MeetingDocument(m *bluelight.Meeting) (Document, error) {
	rec := m.Record()
	b, err := json.Marshal(storedMeeting{Record: rec, Params: m.Params()})
	if err != nil {
		return Document{}, fmt.Errorf("bluelight: encoding meeting %q: %w", rec.ID, err)
	}
	return Document{Kind: MeetingKind, ID: rec.ID, Data: b}, nil
}

// MeetingFromDocument reads a meeting from a register document, checks it
// as bluelight.Resume does against the parameters it was opened with, and
// carries on deciding with rules (nil: bluelight.GoRules with those
// parameters).
func MeetingFromDocument(d Document, rules bluelight.Rules) (*bluelight.Meeting, error) {
	if d.Kind != MeetingKind {
		return nil, invalid("document.kind", "", "%q is not a Blue Light meeting (%s)", d.Kind, MeetingKind)
	}
	var s storedMeeting
	if err := dsr.UnmarshalStrict(d.Data, &s); err != nil {
		return nil, invalid("document.data", "", "not a Blue Light meeting record: %v", err)
	}
	return bluelight.ResumeWithParams(rules, s.Params, s.Record)
}

// Check implements DocumentKind: the document is a valid meeting record
// (see bluelight.Resume) with the document's id, for the person whose case
// c is; a closed meeting needs its blue_light_meeting event, at the instant
// of the call, in the person's history (SaveMeeting appends it in the same
// write).
func (MeetingDocuments) Check(d Document, c *dsr.Case) error {
	m, err := MeetingFromDocument(d, nil)
	if err != nil {
		return err
	}
	rec := m.Record()
	var errs []error
	if rec.ID != d.ID {
		errs = append(errs, invalid("id", "", "%q is not the document id %q", rec.ID, d.ID))
	}
	if rec.PersonID != c.Person.ID {
		errs = append(errs, invalid("person_id", "", "not the person the meeting is filed for"))
	}
	if rec.Closed && !hasMeeting(c, rec.Notice.CallAt) {
		errs = append(errs, invalid("closed", "R-BL-FOLLOW", "the person's history has no blue_light_meeting at %s", londonTime(rec.Notice.CallAt)))
	}
	return errors.Join(errs...)
}

// londonTime formats t in Europe/London with its offset, as package
// bluelight does: "2026-10-23 20:00 BST (+01:00)".
func londonTime(t time.Time) string {
	return t.In(calendar.London).Format("2006-01-02 15:04 MST (-07:00)")
}

// hasMeeting reports whether the case holds a blue_light_meeting at the
// instant at.
func hasMeeting(c *dsr.Case, at time.Time) bool {
	return slices.ContainsFunc(c.Events, func(e dsr.Event) bool {
		return e.Type == dsr.EventBlueLightMeeting && e.Instant().Equal(at)
	})
}

// Worklist implements DocumentKind: what a closed meeting leaves due on
// c.AsOf (bluelight.Meeting.FollowUps), as the register lists it, from the
// person's history:
//
//   - review_after_blue_light, due 72 hours after the call, until a review
//     is held after the meeting's instant (a review dated the meeting's
//     day counts only if it carries a later time, R-BL-FOLLOW-2); or, once the person is
//     admitted on or after that day, post_admission_review, due 14 days
//     after the admission, until a review is held in that spell or they are
//     discharged. The national bundle asks for the same from the
//     blue_light_meeting event; the register lists each once (Register.Due).
//   - blue_light_funding_stop at the instant the funded support stops,
//     until a review is held after the meeting (funding
//     then passes to the responsible body, R-BL-FOLLOW).
//   - blue_light_escalation when the outcome is unsatisfactory (R-BL-ESC),
//     due when the meeting closed, until the escalation is recorded on the
//     meeting (bluelight.Meeting.MarkEscalated).
//
// An open meeting leaves nothing due yet.
func (MeetingDocuments) Worklist(d Document, c *dsr.Case) ([]DocumentItem, error) {
	m, err := MeetingFromDocument(d, nil)
	if err != nil {
		return nil, err
	}
	rec := m.Record()
	if !rec.Closed {
		return nil, nil
	}
	day := calendar.DateOf(rec.Notice.CallAt)
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
	reviewed := slices.ContainsFunc(reviews, func(e dsr.Event) bool { return e.Instant().After(rec.Notice.CallAt) })
	reviewedInSpell := slices.ContainsFunc(reviews, func(e dsr.Event) bool {
		return e.Date.After(admitted) || (e.Date == admitted && e.Kind != dsr.ReviewCommunity)
	})
	fu, err := m.FollowUps(nil, admitted)
	if err != nil {
		return nil, err
	}
	var out []DocumentItem
	for _, it := range fu.Items {
		switch it.Kind {
		case bluelight.ItemReviewAfterBlueLight, bluelight.ItemFundingStop:
			if reviewed {
				continue
			}
		case bluelight.ItemAdmissionCETR:
			if reviewedInSpell || !discharged.IsZero() {
				continue
			}
		}
		a, ok := it.Action()
		if !ok {
			return nil, fmt.Errorf("bluelight: follow-up %s has no dsr action kind", it.Kind)
		}
		out = append(out, DocumentItem{Action: a})
	}
	return out, nil
}

// SaveMeeting writes the meeting to the register: its record and, once it is
// closed, the blue_light_meeting event at the instant of the call (unless
// the person's history already has it), in one write, so the review after
// the meeting and the funding stop join Register.Due (R-BL-FOLLOW).
//
// A person not on the register is added with the meeting when np is given
// (R-BL-FOLLOW): np names the same person, and its events must record
// consent for inclusion given on or before the day of the call; the
// register's consent gate (R-CONS-1) then decides. Without np, a person
// not on the register is ErrNotFound. The write is conditional on the
// person's record not changing since SaveMeeting read it (ErrConflict
// otherwise). On any error nothing is written.
func (r *Register) SaveMeeting(ctx context.Context, m *bluelight.Meeting, by Actor, np *NewPerson, opts ...WriteOption) error {
	rec := m.Record()
	if err := checkIDs(by, "id", rec.ID, "person_id", rec.PersonID); err != nil {
		return err
	}
	pid := rec.PersonID
	doc, err := MeetingDocument(m)
	if err != nil {
		return err
	}
	var events []dsr.Event
	if rec.Closed {
		events = append(events, dsr.Event{Type: dsr.EventBlueLightMeeting, At: rec.Notice.CallAt})
	}
	v, err := r.Version(ctx, pid)
	switch {
	case errors.Is(err, ErrNotFound) && np != nil:
		if err := checkMeetingPerson(&rec, np); err != nil {
			return err
		}
		add := *np
		add.Events = slices.Concat(np.Events, events)
		add.Documents = append(slices.Clone(np.Documents), doc)
		return r.Add(ctx, add, by, opts...)
	case err != nil:
		return err
	}
	if len(events) > 0 {
		c, err := r.caseOf(ctx, pid, calendar.DateOf(rec.Notice.CallAt))
		if err != nil {
			return err
		}
		if hasMeeting(&c, rec.Notice.CallAt) {
			events = nil
		}
	}
	return r.File(ctx, pid, doc, events, by, append([]WriteOption{IfVersion(v)}, opts...)...)
}

// checkMeetingPerson checks a person to add with the meeting rec: the same
// id, and consent for inclusion recorded on or before the day of the call.
func checkMeetingPerson(rec *bluelight.Record, np *NewPerson) error {
	if np.Person.ID != rec.PersonID {
		return invalid("person.person.id", "", "not the meeting's person")
	}
	day := calendar.DateOf(rec.Notice.CallAt)
	if !slices.ContainsFunc(np.Events, func(e dsr.Event) bool {
		return e.Type == dsr.EventConsentGiven && e.HasScope(dsr.ScopeDSR) && !e.Day().After(day)
	}) {
		return invalid("person.events", "R-BL-FOLLOW", "consent for inclusion on the register must be recorded on or before the day of the meeting (%s)", day)
	}
	return nil
}

// Meeting reads a person's meeting from the register, deciding further
// changes with rules (nil: bluelight.GoRules with the parameters it was
// opened with). An unknown meeting is ErrNotFound.
func (r *Register) Meeting(ctx context.Context, personID, meetingID string, rules bluelight.Rules) (*bluelight.Meeting, error) {
	d, err := r.Document(ctx, personID, MeetingKind, meetingID)
	if err != nil {
		return nil, err
	}
	return MeetingFromDocument(d, rules)
}

// FindMeeting reads a meeting from the register by its id alone, whoever
// it is for (see Register.FindDocument).
func (r *Register) FindMeeting(ctx context.Context, meetingID string, rules bluelight.Rules) (*bluelight.Meeting, error) {
	_, d, err := r.FindDocument(ctx, MeetingKind, meetingID)
	if err != nil {
		return nil, err
	}
	return MeetingFromDocument(d, rules)
}
