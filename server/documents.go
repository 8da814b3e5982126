package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/dsrkit/dsrkit/bluelight"
	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/cetr"
	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/policies"
	"github.com/dsrkit/dsrkit/register"
)

// The reviews and Blue Light meetings of the service are those of `dsr
// review` and `dsr bluelight`: the same inputs, and the same functions
// (PlanReview, HoldReview, Recommend, OpenMeeting, CompleteSteps) turn
// them into records, which the register saves with SaveReview and
// SaveMeeting.

// ReviewPlan plans a review, or changes one not yet held: the JSON of `dsr
// review plan` and POST /v1/reviews.
type ReviewPlan struct {
	ID           string        `json:"id"`
	PersonID     string        `json:"person_id"`
	Kind         string        `json:"kind"`
	Planned      calendar.Date `json:"planned"`
	StartsAt     time.Time     `json:"starts_at"`
	Commissioner string        `json:"commissioner"`
	Consent      *cetr.Consent `json:"consent"`
	Papers       []cetr.Paper  `json:"papers"`
	PapersSent   time.Time     `json:"papers_sent"`
	Panel        []cetr.Member `json:"panel"`
}

// ReviewHold holds a review: `dsr review hold`, POST /v1/reviews/{id}/hold.
type ReviewHold struct {
	Held       calendar.Date         `json:"held"`
	Outcome    string                `json:"outcome"`
	Note       string                `json:"note"`
	Findings   map[string]string     `json:"findings"`
	Panel      []cetr.Member         `json:"panel"`
	PapersSent time.Time             `json:"papers_sent"`
	Rating     *cetr.RatingAgreement `json:"rating"`
}

// ReviewReport sends a review's report: `dsr review report`, POST
// /v1/reviews/{id}/report.
type ReviewReport struct {
	Sent       calendar.Date         `json:"sent"`
	Recipients []cetr.Recipient      `json:"recipients"`
	Rating     *cetr.RatingAgreement `json:"rating"`
}

// Recommendations are new recommendations, or changes to those named by
// id: POST /v1/reviews/{id}/recommendations.
type Recommendations struct {
	Recommendations []cetr.Recommendation `json:"recommendations"`
}

// PlanReview plans a new review with the parameters prm, or changes one
// not yet held (which keeps the parameters it was planned with). The
// person's details are read (audited) to fill in the plan.
func PlanReview(ctx context.Context, reg *register.Register, prm cetr.Params, in *ReviewPlan, by register.Actor) (*cetr.Review, error) {
	r, err := reg.FindReview(ctx, in.ID)
	switch {
	case errors.Is(err, register.ErrNotFound) || in.ID == "":
		var p dsr.Person
		if in.PersonID != "" {
			d, err := reg.Details(ctx, in.PersonID, by, register.Because("planning a review"))
			if err != nil {
				return nil, err
			}
			p = d.Person
		}
		r, err = cetr.New(cetr.Plan{ID: in.ID, Person: p, Kind: cetr.Kind(in.Kind), Planned: in.Planned, StartsAt: in.StartsAt, Commissioner: in.Commissioner}, prm)
		if err != nil {
			return nil, err
		}
	case err != nil:
		return nil, err
	default:
		if in.PersonID != "" && in.PersonID != r.Person.ID {
			return nil, &dsr.ValidationError{Field: "person_id", Problem: fmt.Sprintf("review %q is for %q, not %q", r.ID, r.Person.ID, in.PersonID)}
		}
		if in.Kind != "" && cetr.Kind(in.Kind) != r.Kind {
			return nil, &dsr.ValidationError{Field: "kind", Problem: fmt.Sprintf("review %q is a %s review; plan another for a %q one", r.ID, r.Kind, in.Kind)}
		}
		if !in.Planned.IsZero() && in.Planned != r.Planned {
			if err := r.Reschedule(in.Planned); err != nil {
				return nil, err
			}
		}
	}
	if in.Consent != nil {
		if err := r.SetConsent(*in.Consent); err != nil {
			return nil, err
		}
	}
	for _, p := range in.Papers {
		if err := r.AddPaper(p); err != nil {
			return nil, err
		}
	}
	if in.Panel != nil {
		if err := r.SetPanel(in.Panel...); err != nil {
			return nil, err
		}
	}
	if !in.PapersSent.IsZero() {
		if err := r.SendPapers(in.PapersSent); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// HoldReview records a review held.
func HoldReview(r *cetr.Review, in *ReviewHold) error {
	if in.Panel != nil {
		if err := r.SetPanel(in.Panel...); err != nil {
			return err
		}
	}
	if !in.PapersSent.IsZero() {
		if err := r.SendPapers(in.PapersSent); err != nil {
			return err
		}
	}
	for k, v := range in.Findings {
		line, err := cetr.ParseKLOE(k)
		if err != nil {
			return &dsr.ValidationError{Field: "findings." + k, Rule: "R-CETR-KLOE", Problem: err.Error()}
		}
		if err := r.Record(line, v); err != nil {
			return err
		}
	}
	if err := r.Hold(in.Held, cetr.Outcome(in.Outcome), in.Note); err != nil {
		return err
	}
	if in.Rating != nil {
		return r.AgreeRating(*in.Rating)
	}
	return nil
}

// SendReport sends a review's report, re-agreeing the rating if given.
func SendReport(r *cetr.Review, in *ReviewReport) error {
	if err := r.SendReport(in.Sent, in.Recipients); err != nil {
		return err
	}
	if in.Rating != nil {
		return r.AgreeRating(*in.Rating)
	}
	return nil
}

// Recommend adds new recommendations (id 0) and closes or escalates those
// named by id.
func Recommend(r *cetr.Review, recs []cetr.Recommendation) error {
	for i, rec := range recs {
		var err error
		switch {
		case rec.ID == 0:
			_, err = r.Recommend(rec)
		case rec.Status == cetr.Done:
			err = r.Complete(rec.ID, rec.Closed)
		case rec.Status == cetr.Dropped:
			err = r.Drop(rec.ID, rec.Closed, rec.Reason)
		case !rec.Escalated.IsZero():
			err = r.MarkEscalated(rec.ID, rec.Escalated)
		default:
			err = &dsr.ValidationError{Field: fmt.Sprintf("[%d]", i), Rule: "R-CETR-ACT", Problem: "with an id, give status done or dropped with closed, or escalated"}
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// MeetingOpening calls a Blue Light meeting: `dsr bluelight open`, POST
// /v1/meetings. Person, when given, adds someone not yet on the register
// with the meeting.
type MeetingOpening struct {
	bluelight.Opening
	Person *register.NewPerson `json:"person"`
}

// MeetingAttendance is who joined: POST /v1/meetings/{id}/attendance.
type MeetingAttendance struct {
	Attendees []bluelight.Attendee `json:"attendees"`
}

// MeetingSteps completes steps of the call in order: POST
// /v1/meetings/{id}/steps.
type MeetingSteps struct {
	Steps []bluelight.StepNote `json:"steps"`
}

// MeetingOptions are options rejected and the one chosen: `dsr bluelight
// option`, POST /v1/meetings/{id}/options.
type MeetingOptions struct {
	Rejections []bluelight.Rejection `json:"rejections"`
	Choice     *bluelight.Choice     `json:"choice"`
}

// MeetingClose closes a meeting: `dsr bluelight close`, POST
// /v1/meetings/{id}/close.
type MeetingClose struct {
	Steps    []bluelight.StepNote `json:"steps"`
	ClosedAt time.Time            `json:"closed_at"`
	Outcome  bluelight.Outcome    `json:"outcome"`
}

// OpenMeeting calls a meeting, with the date of birth from the register
// (an audited read) when the input leaves it out. A meeting id already
// recorded is ErrConflict.
func OpenMeeting(ctx context.Context, reg *register.Register, rules bluelight.Rules, in *MeetingOpening, by register.Actor) (*bluelight.Meeting, error) {
	if in.Person != nil && in.PersonID == "" {
		in.PersonID = in.Person.Person.ID
	}
	if in.DateOfBirth.IsZero() {
		switch {
		case in.Person != nil:
			in.DateOfBirth = in.Person.Person.DateOfBirth
		case in.PersonID != "":
			d, err := reg.Details(ctx, in.PersonID, by, register.Because("opening a Blue Light meeting"))
			if err != nil && !errors.Is(err, register.ErrNotFound) {
				return nil, err
			}
			in.DateOfBirth = d.Person.DateOfBirth
		}
	}
	if in.ID != "" {
		if _, _, err := reg.FindDocument(ctx, register.MeetingKind, in.ID); err == nil {
			return nil, fmt.Errorf("Blue Light meeting %q is already recorded: %w", in.ID, register.ErrConflict)
		}
	}
	return bluelight.Open(ctx, rules, in.Opening)
}

// CompleteSteps completes steps of the call in the order given.
func CompleteSteps(m *bluelight.Meeting, steps []bluelight.StepNote) error {
	for _, s := range steps {
		if err := m.Complete(s.Step, s.Notes); err != nil {
			return err
		}
	}
	return nil
}

// The routes of reviews and meetings.

// validDocIDs checks a new review's or meeting's id and, when given, its
// person's.
func validDocIDs(id, personID string) error {
	if err := dsr.ValidID("id", id); err != nil {
		return err
	}
	if personID != "" {
		return dsr.ValidID("person_id", personID)
	}
	return nil
}

func (s *Server) planReview(w http.ResponseWriter, r *http.Request, by register.Actor) (int, any, error) {
	var in ReviewPlan
	if err := decode(w, r, &in); err != nil {
		return 0, nil, err
	}
	if err := validDocIDs(in.ID, in.PersonID); err != nil {
		return 0, nil, err
	}
	prm, err := policies.CETRParams(r.Context(), s.cfg.Engine)
	if err != nil {
		return 0, nil, err
	}
	rev, err := PlanReview(r.Context(), s.cfg.Register, prm, &in, by)
	if err == nil {
		err = s.cfg.Register.SaveReview(r.Context(), rev, by)
	}
	if err != nil {
		return 0, nil, err
	}
	return 201, rev, nil
}

// review reads the review {id} for a change, or for reading: the read of
// the person's record is audited (their details, "reading a review").
func (s *Server) review(r *http.Request, by register.Actor, audit bool) (*cetr.Review, error) {
	id := r.PathValue("id")
	if err := dsr.ValidID("id", id); err != nil {
		return nil, err
	}
	rev, err := s.cfg.Register.FindReview(r.Context(), id)
	if err != nil {
		return nil, err
	}
	if audit {
		if _, err := s.cfg.Register.Details(r.Context(), rev.Person.ID, by, register.Because("reading review "+id)); err != nil {
			return nil, err
		}
	}
	return rev, nil
}

func (s *Server) showReview(_ http.ResponseWriter, r *http.Request, by register.Actor) (int, any, error) {
	rev, err := s.review(r, by, true)
	if err != nil {
		return 0, nil, err
	}
	return 200, rev, nil
}

// reviewWrite is a change to a review: read it, apply the body, save.
func reviewWrite[T any](s *Server, w http.ResponseWriter, r *http.Request, by register.Actor, change func(rev *cetr.Review, body *T) error) (int, any, error) {
	var body T
	if err := decode(w, r, &body); err != nil {
		return 0, nil, err
	}
	rev, err := s.review(r, by, false)
	if err != nil {
		return 0, nil, err
	}
	if err := change(rev, &body); err != nil {
		return 0, nil, err
	}
	if err := s.cfg.Register.SaveReview(r.Context(), rev, by); err != nil {
		return 0, nil, &personError{rev.Person.ID, err}
	}
	return 200, rev, nil
}

func (s *Server) holdReview(w http.ResponseWriter, r *http.Request, by register.Actor) (int, any, error) {
	return reviewWrite(s, w, r, by, func(rev *cetr.Review, in *ReviewHold) error { return HoldReview(rev, in) })
}

func (s *Server) recommend(w http.ResponseWriter, r *http.Request, by register.Actor) (int, any, error) {
	return reviewWrite(s, w, r, by, func(rev *cetr.Review, in *Recommendations) error { return Recommend(rev, in.Recommendations) })
}

func (s *Server) reportReview(w http.ResponseWriter, r *http.Request, by register.Actor) (int, any, error) {
	return reviewWrite(s, w, r, by, func(rev *cetr.Review, in *ReviewReport) error { return SendReport(rev, in) })
}

func (s *Server) openMeeting(w http.ResponseWriter, r *http.Request, by register.Actor) (int, any, error) {
	var in MeetingOpening
	if err := decode(w, r, &in); err != nil {
		return 0, nil, err
	}
	if err := validDocIDs(in.ID, in.PersonID); err != nil {
		return 0, nil, err
	}
	rules := policies.BlueLightRules(s.cfg.Engine)
	m, err := OpenMeeting(r.Context(), s.cfg.Register, rules, &in, by)
	if err == nil {
		err = s.cfg.Register.SaveMeeting(r.Context(), m, by, in.Person)
	}
	if err != nil {
		return 0, nil, err
	}
	return 201, m.Record(), nil
}

func (s *Server) meeting(r *http.Request) (*bluelight.Meeting, error) {
	id := r.PathValue("id")
	if err := dsr.ValidID("id", id); err != nil {
		return nil, err
	}
	return s.cfg.Register.FindMeeting(r.Context(), id, policies.BlueLightRules(s.cfg.Engine))
}

func (s *Server) showMeeting(_ http.ResponseWriter, r *http.Request, by register.Actor) (int, any, error) {
	m, err := s.meeting(r)
	if err != nil {
		return 0, nil, err
	}
	rec := m.Record()
	if _, err := s.cfg.Register.Details(r.Context(), rec.PersonID, by, register.Because("reading Blue Light meeting "+rec.ID)); err != nil {
		return 0, nil, err
	}
	return 200, rec, nil
}

// meetingWrite is a change to a meeting: read it, apply the body, save.
func meetingWrite[T any](s *Server, w http.ResponseWriter, r *http.Request, by register.Actor, change func(m *bluelight.Meeting, body *T) error) (int, any, error) {
	var body T
	if err := decode(w, r, &body); err != nil {
		return 0, nil, err
	}
	m, err := s.meeting(r)
	if err != nil {
		return 0, nil, err
	}
	if err := change(m, &body); err != nil {
		return 0, nil, err
	}
	if err := s.cfg.Register.SaveMeeting(r.Context(), m, by, nil); err != nil {
		return 0, nil, &personError{m.Record().PersonID, err}
	}
	return 200, m.Record(), nil
}

func (s *Server) attend(w http.ResponseWriter, r *http.Request, by register.Actor) (int, any, error) {
	return meetingWrite(s, w, r, by, func(m *bluelight.Meeting, in *MeetingAttendance) error { return m.Attend(in.Attendees...) })
}

func (s *Server) steps(w http.ResponseWriter, r *http.Request, by register.Actor) (int, any, error) {
	return meetingWrite(s, w, r, by, func(m *bluelight.Meeting, in *MeetingSteps) error { return CompleteSteps(m, in.Steps) })
}

func (s *Server) options(w http.ResponseWriter, r *http.Request, by register.Actor) (int, any, error) {
	return meetingWrite(s, w, r, by, func(m *bluelight.Meeting, in *MeetingOptions) error {
		for _, rj := range in.Rejections {
			if err := m.Reject(rj.Option, rj.Reason); err != nil {
				return err
			}
		}
		if in.Choice != nil {
			return m.Choose(*in.Choice)
		}
		return nil
	})
}

func (s *Server) fund(w http.ResponseWriter, r *http.Request, by register.Actor) (int, any, error) {
	return meetingWrite(s, w, r, by, func(m *bluelight.Meeting, in *bluelight.FundingRequest) error { return m.Fund(r.Context(), *in) })
}

func (s *Server) closeMeeting(w http.ResponseWriter, r *http.Request, by register.Actor) (int, any, error) {
	return meetingWrite(s, w, r, by, func(m *bluelight.Meeting, in *MeetingClose) error {
		if err := CompleteSteps(m, in.Steps); err != nil {
			return err
		}
		return m.Close(in.ClosedAt, in.Outcome)
	})
}
