package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/dsrkit/dsrkit/bluelight"
	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/cetr"
	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/policies"
	"github.com/dsrkit/dsrkit/register"
)

// fieldError is a message shown next to a field (Field "" for the form
// as a whole).
type fieldError struct {
	Field, Message string
}

// formErrors are a form's messages, in the order of the error summary.
type formErrors []fieldError

// For returns the message of field, if any.
func (fe formErrors) For(field string) string {
	for _, e := range fe {
		if e.Field == field {
			return e.Message
		}
	}
	return ""
}

// validationErrors walks err's tree for the *dsr.ValidationErrors in it.
func validationErrors(err error) []*dsr.ValidationError {
	var out []*dsr.ValidationError
	var walk func(error)
	walk = func(e error) {
		if e == nil {
			return
		}
		if ve, ok := e.(*dsr.ValidationError); ok {
			out = append(out, ve)
			return
		}
		switch u := e.(type) {
		case interface{ Unwrap() []error }:
			for _, x := range u.Unwrap() {
				walk(x)
			}
		case interface{ Unwrap() error }:
			walk(u.Unwrap())
		}
	}
	walk(err)
	return out
}

func isInvalid(err error) bool {
	return errors.Is(err, dsr.ErrInvalid) || len(validationErrors(err)) > 0
}

var indexSuffix = regexp.MustCompile(`\[\d+\]$`)

// errorsFor places err's messages on the form's fields: a field path of
// the register ("events[0].date", "criteria.no_time_for_cetr") goes to the
// field its last part names; one that names no field is shown for the
// form.
func errorsFor(spec *formSpec, err error) formErrors {
	var out formErrors
	for _, ve := range validationErrors(err) {
		msg := ve.Problem
		if ve.Rule != "" {
			msg += " (" + ve.Rule + ")"
		}
		name := ve.Field
		if i := strings.LastIndexAny(name, "."); i >= 0 {
			name = name[i+1:]
		}
		name = indexSuffix.ReplaceAllString(name, "")
		if f := spec.field(name); f != nil {
			if out.For(name) == "" {
				out = append(out, fieldError{Field: name, Message: f.Label + ": " + msg})
			}
			continue
		}
		out = append(out, fieldError{Message: ve.Error()})
	}
	if len(out) == 0 {
		// Refused, but not for a field: a rule of the record (R-BL-STEPS
		// say), or a conflict.
		msg := "The register refused this: " + err.Error()
		if errors.Is(err, register.ErrConflict) {
			msg = "The record changed, or the id is taken: " + err.Error()
		}
		out = append(out, fieldError{Message: msg})
	}
	return out
}

// field is one question of a form.
type field struct {
	Name, Label, Hint string
	// Type is text, date, datetime, textarea, select, radios or checkbox.
	Type    string
	Options []option
}

type option struct{ Value, Label string }

func options(words ...string) []option {
	out := make([]option, len(words))
	for i, w := range words {
		out[i] = option{w, strings.ReplaceAll(w, "_", " ")}
	}
	return out
}

// formSpec is a form: its questions and what it is for.
type formSpec struct {
	Name, Title, Submit string
	Fields              []field
}

func (f *formSpec) field(name string) *field {
	for i := range f.Fields {
		if f.Fields[i].Name == name {
			return &f.Fields[i]
		}
	}
	return nil
}

// formView is a form shown: its questions, the values given, the messages
// and the facts it is about.
type formView struct {
	Spec    *formSpec
	Action  string
	Values  url.Values
	Errors  formErrors
	CSRF    string
	Facts   []fact
	Back    string
	Caption string
}

// ID is the HTML id of a field.
func (v *formView) ID(name string) string { return v.Spec.Name + "-" + name }

// Link is where the error summary's message for field leads: the field,
// or the form's first.
func (v *formView) Link(name string) string {
	if name == "" && len(v.Spec.Fields) > 0 {
		name = v.Spec.Fields[0].Name
	}
	return "#" + v.ID(name)
}

// Value is the value given for a field.
func (v *formView) Value(name string) string { return v.Values.Get(name) }

// Checked reports whether a checkbox or radio had value.
func (v *formView) Checked(name, value string) bool { return v.Values.Get(name) == value }

type fact struct{ Label, Value string }

// formHandler is one form: GET shows it (facts names what it is about);
// POST submits it, and on success redirects to where submit says
// (POST-redirect-GET); a refused write shows the form again, 400, with
// each message beside its field and nothing written.
type formHandler struct {
	spec   *formSpec
	facts  func(r *http.Request, by register.Actor) ([]fact, string, error)
	submit func(r *http.Request, by register.Actor, v url.Values) (string, error)
	// defaults fills the values of a new form.
	defaults func(r *http.Request) url.Values
}

func (s *Site) form(h formHandler) func(http.ResponseWriter, *http.Request, register.Actor) {
	return func(w http.ResponseWriter, r *http.Request, by register.Actor) {
		facts, back, err := h.facts(r, by)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		sess, _ := sessionOf(r.Context())
		v := &formView{Spec: h.spec, Action: r.URL.Path, CSRF: sess.csrf, Facts: facts, Back: back}
		status := http.StatusOK
		switch r.Method {
		case http.MethodPost:
			v.Values = r.PostForm
			to, err := h.submit(r, by, r.PostForm)
			if err == nil {
				http.Redirect(w, r, to, http.StatusSeeOther)
				return
			}
			if !refused(err) {
				s.fail(w, r, err)
				return
			}
			v.Errors = errorsFor(h.spec, err)
			status = http.StatusBadRequest
		default:
			v.Values = url.Values{}
			if h.defaults != nil {
				v.Values = h.defaults(r)
			}
		}
		title := h.spec.Title
		if len(v.Errors) > 0 {
			title = "Error: " + title
		}
		s.show(w, r, status, title, "form", v)
	}
}

// Parsing the answers: each failure is a *dsr.ValidationError naming the
// field, so that it shows beside it.

func formDate(v url.Values, name string, required bool) (calendar.Date, error) {
	s := strings.TrimSpace(v.Get(name))
	if s == "" {
		if required {
			return calendar.Date{}, &dsr.ValidationError{Field: name, Problem: "enter a date"}
		}
		return calendar.Date{}, nil
	}
	d, err := calendar.ParseDate(s)
	if err != nil {
		return calendar.Date{}, &dsr.ValidationError{Field: name, Problem: fmt.Sprintf("%q is not a real date: enter it as year-month-day, for example 2026-03-27", s)}
	}
	return d, nil
}

// formTime reads a London date and time, "2026-03-27 14:30".
func formTime(v url.Values, name string, required bool) (time.Time, error) {
	s := strings.TrimSpace(v.Get(name))
	if s == "" {
		if required {
			return time.Time{}, &dsr.ValidationError{Field: name, Problem: "enter a date and time"}
		}
		return time.Time{}, nil
	}
	for _, layout := range []string{"2006-01-02 15:04", "2006-01-02T15:04"} {
		if t, err := time.ParseInLocation(layout, s, calendar.London); err == nil {
			return t, nil
		}
	}
	return time.Time{}, &dsr.ValidationError{Field: name, Problem: fmt.Sprintf("%q is not a date and time: enter it as year-month-day hour:minute, for example 2026-03-27 14:30", s)}
}

// refused reports whether err is a write refused for what the form said
// (shown on the form) rather than a failure of the service.
func refused(err error) bool {
	for _, target := range []error{register.ErrConflict, register.ErrNotFound, register.ErrConsentRequired, bluelight.ErrRefused,
		bluelight.ErrClosed, cetr.ErrInvalidPanel, cetr.ErrMissingRecipient} {
		if errors.Is(err, target) {
			return true
		}
	}
	return isInvalid(err)
}

func checked(v url.Values, name string) bool { return v.Get(name) == "yes" }

// join joins the parse errors of a form (nil when none).
func join(errs ...error) error { return errors.Join(errs...) }

// The forms.

var eventTypes = []dsr.EventType{dsr.EventAdmitted, dsr.EventTransferred, dsr.EventDischarged, dsr.EventReviewHeld, dsr.EventReportSent,
	dsr.EventRegisterReviewed, dsr.EventOversightVisit, dsr.EventCrisisTeamEpisode, dsr.EventDiagnosisAdded, dsr.EventDiagnosisRemoved,
	dsr.EventConsentGiven}

func eventOptions() []option {
	out := []option{}
	for _, t := range eventTypes {
		out = append(out, option{string(t), strings.ReplaceAll(string(t), "_", " ")})
	}
	return out
}

func withBlank(o []option) []option { return append([]option{{"", "(none)"}}, o...) }

var (
	eventForm = &formSpec{Name: "event", Title: "Record an event", Submit: "Record the event", Fields: []field{
		{Name: "type", Label: "What happened", Type: "select", Options: eventOptions()},
		{Name: "date", Label: "Date", Hint: "Year-month-day, for example 2026-03-27", Type: "date"},
		{Name: "hospital", Label: "Hospital", Hint: "For an admission or a transfer", Type: "text"},
		{Name: "security", Label: "Ward security", Hint: "For an admission or a transfer", Type: "select", Options: withBlank(options(dsr.SecurityLevels...))},
		{Name: "legal_status", Label: "Legal status", Hint: "For an admission: informal, or a section such as s2 or s3", Type: "text"},
		{Name: "out_of_area", Label: "Out of area", Type: "checkbox"},
		{Name: "kind", Label: "Kind of review", Hint: "For a review held", Type: "select", Options: withBlank(options(dsr.ReviewKinds...))},
		{Name: "condition", Label: "Condition", Hint: "For a diagnosis added or removed", Type: "select", Options: withBlank(options(dsr.Conditions...))},
		{Name: "given_by", Label: "Consent given by", Hint: "For consent given", Type: "select", Options: withBlank(options(dsr.ConsentGivers...))},
	}}
	ratingForm = &formSpec{Name: "rating", Title: "Agree a rating", Submit: "Record the rating agreed", Fields: []field{
		{Name: "rating", Label: "Rating agreed", Hint: "The rating the multi-agency meeting agreed (R-RAG-AGREED)", Type: "radios",
			Options: []option{{"red", "Red"}, {"amber", "Amber"}, {"green", "Green"}, {"blue", "Blue"}}},
		{Name: "reason", Label: "Why", Hint: "Say why the meeting agreed it, in plain words", Type: "textarea"},
	}}
	referralForm = &formSpec{Name: "referral", Title: "Record a request to join", Submit: "Record the request", Fields: []field{
		{Name: "id", Label: "Request id", Hint: "Your reference for the request", Type: "text"},
		{Name: "source", Label: "Who asked", Type: "radios", Options: options(dsr.ReferralSources...)},
		{Name: "received", Label: "Date received", Hint: "Year-month-day, for example 2026-03-27", Type: "date"},
		{Name: "summary", Label: "What is asked", Hint: "Without names or other identifiable details", Type: "textarea"},
	}}
	decisionForm = &formSpec{Name: "decision", Title: "Decide a request to join", Submit: "Record the decision", Fields: []field{
		{Name: "outcome", Label: "Decision", Type: "radios", Options: []option{{"accept", "Accept"}, {"decline", "Decline"}}},
		{Name: "reasons", Label: "Reasons", Type: "textarea"},
		{Name: "next_steps", Label: "Next steps", Type: "textarea"},
	}}
	reviewForm = &formSpec{Name: "review", Title: "Plan a review", Submit: "Plan the review", Fields: []field{
		{Name: "id", Label: "Review id", Hint: "Your reference for the review", Type: "text"},
		{Name: "kind", Label: "Kind of review", Type: "select", Options: options(dsr.ReviewKinds...)},
		{Name: "planned", Label: "Planned date", Hint: "Year-month-day, for example 2026-04-20", Type: "date"},
		{Name: "commissioner", Label: "Commissioner", Hint: "Who commissions the review", Type: "text"},
	}}
	meetingForm = &formSpec{Name: "meeting", Title: "Call a Blue Light meeting", Submit: "Record the meeting called", Fields: []field{
		{Name: "id", Label: "Meeting id", Hint: "Your reference for the meeting", Type: "text"},
		{Name: "invitations_sent", Label: "Invitations sent", Hint: "Year-month-day hour:minute, London time, for example 2026-03-27 09:00", Type: "datetime"},
		{Name: "call_at", Label: "Call starts", Hint: "Year-month-day hour:minute, London time", Type: "datetime"},
		{Name: "person_invited", Label: "It is appropriate to invite the person", Type: "checkbox"},
		{Name: "unexpected_crisis", Label: "An unexpected crisis", Type: "checkbox"},
		{Name: "crisis_plan_breakdown", Label: "The crisis or contingency plan has broken down", Type: "checkbox"},
		{Name: "cannot_support_at_home", Label: "Cannot be supported safely at home, even with intensive support", Type: "checkbox"},
		{Name: "no_time_for_cetr", Label: "There is no time for a C(E)TR", Type: "checkbox"},
		{Name: "known_to_services", Label: "Known to the CAMHS provider or children's social care", Type: "checkbox"},
	}}
)

// holdForm is the form of a review held: the panel (R-CETR-PANEL), a
// finding under each key line of enquiry (R-CETR-KLOE), then the day and
// the outcome.
var holdForm = func() *formSpec {
	f := &formSpec{Name: "hold", Title: "Record a review held", Submit: "Record the review held", Fields: []field{
		{Name: "chair", Label: "Chair", Hint: "The responsible commissioner, or their delegate", Type: "text"},
		{Name: "chair_delegate", Label: "The chair is the commissioner's delegate, with authority to decide", Type: "checkbox"},
		{Name: "clinical_expert", Label: "Independent clinical expert", Type: "text"},
		{Name: "clinical_expert_training", Label: "Clinical expert's training current until", Hint: "Year-month-day", Type: "date"},
		{Name: "expert_by_experience", Label: "Independent expert by experience", Type: "text"},
		{Name: "expert_by_experience_training", Label: "Expert by experience's training current until", Hint: "Year-month-day", Type: "date"},
		{Name: "education", Label: "Education or children's social care professional", Hint: "For a CETR, where the area requires one", Type: "text"},
	}}
	for _, l := range cetr.KLOEs {
		f.Fields = append(f.Fields, field{Name: string(l), Label: "Finding: " + l.Title(), Type: "textarea"})
	}
	f.Fields = append(f.Fields,
		field{Name: "held", Label: "Date held", Hint: "Year-month-day, for example 2026-04-20", Type: "date"},
		field{Name: "outcome", Label: "Outcome", Type: "radios", Options: options(string(cetr.StayInCommunity), string(cetr.AdmissionNeeded),
			string(cetr.ContinueInHospital), string(cetr.DischargePlanned))},
		field{Name: "note", Label: "Note", Type: "textarea"})
	return f
}()

// panelSeats are the hold form's panel fields in the order of the members
// it makes, each with its training field ("" for none).
var panelSeats = []struct {
	name, training string
	role           cetr.Role
}{
	{"chair", "", cetr.Chair},
	{"clinical_expert", "clinical_expert_training", cetr.ClinicalExpert},
	{"expert_by_experience", "expert_by_experience_training", cetr.ExpertByExperience},
	{"education", "", cetr.Education},
}

// panelFields names the hold form's fields in a panel's errors: a
// member's (members[1].training_expires) by the seat they fill, a seat
// nobody fills by its role.
func panelFields(err error, seats []int) error {
	var out []error
	var walk func(error)
	walk = func(e error) {
		switch u := e.(type) {
		case *cetr.PanelError:
			name := ""
			if u.Index >= 0 && u.Index < len(seats) {
				seat := panelSeats[seats[u.Index]]
				name = seat.name
				if strings.HasSuffix(u.Field, "training_expires") && seat.training != "" {
					name = seat.training
				}
			} else {
				for _, seat := range panelSeats {
					if seat.role == u.Role || (u.Role == cetr.ChildrensSocialCare && seat.role == cetr.Education) {
						name = seat.name
					}
				}
			}
			if name == "" {
				name = "chair"
			}
			out = append(out, &dsr.ValidationError{Field: name, Rule: u.Rule, Problem: u.Problem})
		case interface{ Unwrap() []error }:
			for _, x := range u.Unwrap() {
				walk(x)
			}
		default:
			out = append(out, e)
		}
	}
	walk(err)
	return errors.Join(out...)
}

// closeForm is the form closing a meeting: a note for each step of the
// call, then the close.
var closeForm = func() *formSpec {
	f := &formSpec{Name: "close", Title: "Close a Blue Light meeting", Submit: "Close the meeting"}
	for _, st := range bluelight.Steps {
		f.Fields = append(f.Fields, field{Name: "step_" + st.String(), Label: st.Title(), Hint: "Notes of this step (left blank if already recorded)", Type: "textarea"})
	}
	f.Fields = append(f.Fields,
		field{Name: "closed_at", Label: "Closed at", Hint: "Year-month-day hour:minute, London time", Type: "datetime"},
		field{Name: "sustainable_placement", Label: "A sustainable placement or package was found", Type: "checkbox"},
		field{Name: "notes", Label: "Outcome notes", Type: "textarea"})
	return f
}()

// personFacts names the person a form is about, without an identifiable
// read: their local id (already in the address) and pseudonym.
func (s *Site) personFacts(r *http.Request, _ register.Actor) ([]fact, string, error) {
	id := r.PathValue("id")
	if err := dsr.ValidID("id", id); err != nil {
		return nil, "", err
	}
	if _, err := s.cfg.Register.Version(r.Context(), id); err != nil {
		return nil, "", err
	}
	return []fact{{"Local id", id}, {"Pseudonym", s.pseudonym(id)}}, "/people/" + url.PathEscape(id), nil
}

func personPage(id string) string { return "/people/" + url.PathEscape(id) }

func (s *Site) recordEvent(r *http.Request, by register.Actor, v url.Values) (string, error) {
	id := r.PathValue("id")
	date, err := formDate(v, "date", true)
	typ := dsr.EventType(v.Get("type"))
	if !slices.Contains(eventTypes, typ) {
		err = join(err, &dsr.ValidationError{Field: "type", Problem: "choose what happened"})
	}
	if err != nil {
		return "", err
	}
	ev := dsr.Event{Type: typ, Date: date, Hospital: strings.TrimSpace(v.Get("hospital")), Security: v.Get("security"),
		LegalStatus: strings.TrimSpace(v.Get("legal_status")), OutOfArea: checked(v, "out_of_area"), Kind: v.Get("kind"),
		Condition: v.Get("condition"), GivenBy: v.Get("given_by")}
	if typ == dsr.EventConsentGiven {
		ev.Scope = []string{dsr.ScopeDSR}
	}
	if err := s.cfg.Register.Record(r.Context(), id, ev, by); err != nil {
		return "", err
	}
	return personPage(id), nil
}

func (s *Site) agreeRating(r *http.Request, by register.Actor, v url.Values) (string, error) {
	id := r.PathValue("id")
	rating, err := dsr.ParseRating(v.Get("rating"))
	if err != nil || rating == dsr.Unrated {
		return "", &dsr.ValidationError{Field: "rating", Rule: "R-RAG-AGREED", Problem: "choose red, amber, green or blue"}
	}
	if err := s.cfg.Register.Agree(r.Context(), id, rating, strings.TrimSpace(v.Get("reason")), by); err != nil {
		return "", err
	}
	return personPage(id), nil
}

func (s *Site) refer(r *http.Request, by register.Actor, v url.Values) (string, error) {
	received, err := formDate(v, "received", true)
	if err != nil {
		return "", err
	}
	req := register.Referral{ID: strings.TrimSpace(v.Get("id")), Source: v.Get("source"), Received: received, Summary: strings.TrimSpace(v.Get("summary"))}
	if err := s.cfg.Register.Refer(r.Context(), req, by); err != nil {
		return "", err
	}
	return "/worklist", nil
}

func (s *Site) decide(r *http.Request, by register.Actor, v url.Values) (string, error) {
	out := register.Outcome(v.Get("outcome"))
	if out != register.Accept && out != register.Decline {
		return "", &dsr.ValidationError{Field: "outcome", Rule: "R-REQ-1", Problem: "choose accept or decline"}
	}
	if err := s.cfg.Register.Decide(r.Context(), r.PathValue("id"), out, strings.TrimSpace(v.Get("reasons")), strings.TrimSpace(v.Get("next_steps")), by); err != nil {
		return "", err
	}
	return "/worklist", nil
}

func (s *Site) planReview(r *http.Request, by register.Actor, v url.Values) (string, error) {
	id := r.PathValue("id")
	planned, err := formDate(v, "planned", true)
	if err != nil {
		return "", err
	}
	in := ReviewPlan{ID: strings.TrimSpace(v.Get("id")), PersonID: id, Kind: cetr.Kind(v.Get("kind")), Planned: planned,
		Commissioner: strings.TrimSpace(v.Get("commissioner"))}
	if err := dsr.ValidID("id", in.ID); err != nil {
		return "", err
	}
	if err := s.cfg.Documents.PlanReview(r.Context(), in, by); err != nil {
		return "", err
	}
	return personPage(id), nil
}

func (s *Site) holdReview(r *http.Request, by register.Actor, v url.Values) (string, error) {
	held, err := formDate(v, "held", true)
	in := ReviewHold{Held: held, Outcome: cetr.Outcome(v.Get("outcome")), Note: strings.TrimSpace(v.Get("note")), Findings: map[string]string{}}
	var seats []int // the seat of each member
	for i, seat := range panelSeats {
		name := strings.TrimSpace(v.Get(seat.name))
		if name == "" {
			continue
		}
		m := cetr.Member{Name: name, Role: seat.role}
		if seat.role == cetr.Chair && checked(v, "chair_delegate") {
			m.Delegate, m.DecisionAuthority = true, true
		}
		if seat.training != "" {
			d, derr := formDate(v, seat.training, false)
			err = join(err, derr)
			m.TrainingExpires = d
		}
		in.Panel = append(in.Panel, m)
		seats = append(seats, i)
	}
	if err != nil {
		return "", err
	}
	for _, l := range cetr.KLOEs {
		if f := strings.TrimSpace(v.Get(string(l))); f != "" {
			in.Findings[string(l)] = f
		}
	}
	rev, err := s.cfg.Register.FindReview(r.Context(), r.PathValue("id"))
	if err != nil {
		return "", err
	}
	if err := s.cfg.Documents.HoldReview(r.Context(), rev.ID, in, by); err != nil {
		return "", panelFields(err, seats)
	}
	return personPage(rev.Person.ID), nil
}

func (s *Site) openMeeting(r *http.Request, by register.Actor, v url.Values) (string, error) {
	id := r.PathValue("id")
	sent, err1 := formTime(v, "invitations_sent", true)
	call, err2 := formTime(v, "call_at", true)
	if err := join(err1, err2); err != nil {
		return "", err
	}
	in := MeetingOpening{ID: strings.TrimSpace(v.Get("id")), PersonID: id, InvitationsSent: sent, CallAt: call,
		PersonInvited: checked(v, "person_invited"), UnexpectedCrisis: checked(v, "unexpected_crisis"),
		CrisisPlanBreakdown: checked(v, "crisis_plan_breakdown"), CannotSupportAtHome: checked(v, "cannot_support_at_home"),
		NoTimeForCETR: checked(v, "no_time_for_cetr"), KnownToServices: checked(v, "known_to_services")}
	if err := dsr.ValidID("id", in.ID); err != nil {
		return "", err
	}
	if err := s.cfg.Documents.OpenMeeting(r.Context(), in, by); err != nil {
		return "", err
	}
	return personPage(id), nil
}

func (s *Site) closeMeeting(r *http.Request, by register.Actor, v url.Values) (string, error) {
	at, err := formTime(v, "closed_at", true)
	if err != nil {
		return "", err
	}
	m, err := s.cfg.Register.FindMeeting(r.Context(), r.PathValue("id"), policies.BlueLightRules(s.cfg.Engine))
	if err != nil {
		return "", err
	}
	rec := m.Record()
	in := MeetingClose{Steps: map[string]string{}, ClosedAt: at, SustainablePlacement: checked(v, "sustainable_placement"), Notes: strings.TrimSpace(v.Get("notes"))}
	for _, st := range bluelight.Steps {
		if n := strings.TrimSpace(v.Get("step_" + st.String())); n != "" {
			in.Steps[st.String()] = n
		}
	}
	if err := s.cfg.Documents.CloseMeeting(r.Context(), rec.ID, in, by); err != nil {
		return "", err
	}
	return personPage(rec.PersonID), nil
}

func noFacts(*http.Request, register.Actor) ([]fact, string, error) { return nil, "/worklist", nil }

// todayFor fills a new form's date field with today.
func (s *Site) todayFor(name string) func(*http.Request) url.Values {
	return func(*http.Request) url.Values { return url.Values{name: {s.today().String()}} }
}

func (s *Site) referralFacts(r *http.Request, _ register.Actor) ([]fact, string, error) {
	id := r.PathValue("id")
	if err := dsr.ValidID("id", id); err != nil {
		return nil, "", err
	}
	return []fact{{"Request", id}}, "/worklist", nil
}

func (s *Site) reviewFacts(r *http.Request, _ register.Actor) ([]fact, string, error) {
	id := r.PathValue("id")
	if err := dsr.ValidID("id", id); err != nil {
		return nil, "", err
	}
	rev, err := s.cfg.Register.FindReview(r.Context(), id)
	if err != nil {
		return nil, "", err
	}
	return []fact{{"Review", rev.ID}, {"Kind", rev.Kind.Title()}, {"Planned", longDate(rev.Planned)}},
		personPage(rev.Person.ID), nil
}

func (s *Site) meetingFacts(r *http.Request, _ register.Actor) ([]fact, string, error) {
	id := r.PathValue("id")
	if err := dsr.ValidID("id", id); err != nil {
		return nil, "", err
	}
	m, err := s.cfg.Register.FindMeeting(r.Context(), id, policies.BlueLightRules(s.cfg.Engine))
	if err != nil {
		return nil, "", err
	}
	rec := m.Record()
	done := make([]string, 0, len(rec.Steps))
	for _, st := range rec.Steps {
		done = append(done, st.Step.String())
	}
	steps := "none yet"
	if len(done) > 0 {
		steps = strings.Join(done, ", ")
	}
	return []fact{{"Meeting", rec.ID}, {"Call at", londonTime(rec.Notice.CallAt)}, {"Steps recorded", steps}},
		personPage(rec.PersonID), nil
}

func londonTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(calendar.London).Format("2006-01-02 15:04")
}
