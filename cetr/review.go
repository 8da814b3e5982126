package cetr

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/dsr"
)

// Plan is what is known when a review is planned: the input to New.
type Plan struct {
	// ID is the host's identifier for the review (required).
	ID string `json:"id"`
	// Person is who the review is for: the id and date of birth are
	// required; EHCP decides the type after 18 (R-CETR-TYPE), and a
	// statutory review needs the local authority of ordinary residence
	// (R-CETR-STAT).
	Person dsr.Person `json:"person"`
	Kind   Kind       `json:"kind"`
	// Planned is the date the review is planned for (required).
	Planned calendar.Date `json:"planned"`
	// StartsAt is when the meeting starts, if known; the papers deadline
	// counts back from it (R-CETR-DOCS). Zero, or on another day than the
	// review, means the start of the review day (the strictest reading).
	StartsAt time.Time `json:"starts_at,omitzero"`
	// Commissioner is the responsible commissioner (required).
	Commissioner string `json:"commissioner"`
}

// Consent is the consent for one review, or a best-interests decision
// (R-CETR-CONSENT). Every review needs its own; consent for the register
// does not count. The zero value is "no consent recorded".
type Consent struct {
	// Asked is when consent was sought; ideally ConsentNoticeDays before the
	// review (advisory).
	Asked calendar.Date `json:"asked,omitzero"`
	// Given is when consent, or a best-interests decision, was recorded.
	Given calendar.Date `json:"given,omitzero"`
	// GivenBy is who consented (dsr.BySelf, dsr.ByParent, dsr.ByDeputy,
	// dsr.ByAttorney) or dsr.ByBestInterests for a best-interests decision.
	// Who may consent for whom (R-CONS-2) is the consent rules' decision,
	// not this package's.
	GivenBy string `json:"given_by,omitempty"`
	// Withdrawn is when consent was withdrawn; zero if it was not.
	Withdrawn calendar.Date `json:"withdrawn,omitzero"`
}

// Holds reports whether consent or a best-interests decision is recorded and
// not withdrawn.
func (c Consent) Holds() bool {
	return !c.Given.IsZero() && slices.Contains(dsr.ConsentGivers, c.GivenBy) && c.Withdrawn.IsZero()
}

// Paper is one document for the panel. The planner is the one document the
// panel may read without consent.
type Paper struct {
	Title   string `json:"title"`
	Planner bool   `json:"planner,omitempty"`
}

// RatingAgreement is the register rating agreed after the review (R-REV-2).
type RatingAgreement struct {
	Date   calendar.Date `json:"date"`
	Rating dsr.Rating    `json:"rating"`
	By     string        `json:"by"`
	Reason string        `json:"reason,omitempty"`
}

// Review is one Care (Education) and Treatment Review: planned, held and
// followed up. Build one with New, change it only through its methods, which
// check first and leave the record untouched when they return an error;
// Validate checks a record read back from storage. A Review is not safe for
// concurrent mutation.
type Review struct {
	ID           string        `json:"id"`
	Person       dsr.Person    `json:"person"`
	Kind         Kind          `json:"kind"`
	Planned      calendar.Date `json:"planned"`
	StartsAt     time.Time     `json:"starts_at,omitzero"`
	Commissioner string        `json:"commissioner"`
	// Held is the day the review was held; zero until then.
	Held    calendar.Date `json:"held,omitzero"`
	Consent Consent       `json:"consent"`
	Papers  []Paper       `json:"papers,omitempty"`
	// PapersSent is when the papers went to the panel; zero until then.
	PapersSent time.Time `json:"papers_sent,omitzero"`
	Members    []Member  `json:"panel"`
	// Findings holds the finding under each key line of enquiry.
	Findings        map[KLOE]string  `json:"findings,omitempty"`
	Outcome         Outcome          `json:"outcome,omitempty"`
	OutcomeNote     string           `json:"outcome_note,omitempty"`
	Recommendations []Recommendation `json:"recommendations,omitempty"`
	Rating          *RatingAgreement `json:"rating,omitempty"`
	Report          Report           `json:"report"`
	// Params are the area's parameters in force when the review was planned.
	Params Params `json:"params"`
}

// New plans a review. It checks the plan and the parameters and returns
// every problem at once, joined, each a *dsr.ValidationError naming the field
// (an unknown kind is "kind").
func New(p Plan, prm Params) (*Review, error) {
	r := &Review{
		ID: p.ID, Person: p.Person, Kind: p.Kind, Planned: p.Planned, StartsAt: p.StartsAt,
		Commissioner: p.Commissioner, Params: prm,
	}
	if err := errors.Join(prm.Validate(), r.validatePlan()); err != nil {
		return nil, err
	}
	return r, nil
}

func (r *Review) validatePlan() error {
	var errs []error
	add := func(field, rule, format string, args ...any) { errs = append(errs, bad(field, rule, format, args...)) }
	if strings.TrimSpace(r.ID) == "" {
		add("id", "", "required")
	}
	if strings.TrimSpace(r.Person.ID) == "" {
		add("person.id", "", "required")
	}
	if r.Person.DateOfBirth.IsZero() {
		add("person.date_of_birth", "R-CETR-TYPE", "required: the review type depends on age")
	}
	switch {
	case r.Kind == "":
		add("kind", "", "required (one of %s)", kindWords())
	case !r.Kind.Valid():
		add("kind", "", "unknown review kind %q (want one of %s)", r.Kind, kindWords())
	case r.Kind == Statutory && strings.TrimSpace(r.Person.LocalAuthority) == "":
		add("person.local_authority", "R-CETR-STAT", "required for a statutory review: the report goes to the local authority of ordinary residence")
	}
	switch {
	case r.Planned.IsZero():
		add("planned", "", "required")
	case !r.Person.DateOfBirth.IsZero() && r.Planned.Before(r.Person.DateOfBirth):
		add("planned", "", "%s is before the date of birth %s", r.Planned, r.Person.DateOfBirth)
	}
	if strings.TrimSpace(r.Commissioner) == "" {
		add("commissioner", "R-CETR-PANEL", "required: the responsible commissioner")
	}
	return errors.Join(errs...)
}

func kindWords() string {
	s := make([]string, len(Kinds))
	for i, k := range Kinds {
		s[i] = string(k)
	}
	return strings.Join(s, ", ")
}

// Clone returns a deep copy of r.
func (r *Review) Clone() *Review {
	c := *r
	c.Papers = slices.Clone(r.Papers)
	c.Members = slices.Clone(r.Members)
	c.Findings = maps.Clone(r.Findings)
	c.Recommendations = slices.Clone(r.Recommendations)
	if r.Rating != nil {
		a := *r.Rating
		c.Rating = &a
	}
	c.Report.Recipients = slices.Clone(r.Report.Recipients)
	return &c
}

// Date returns the review date: the day it was held, or the planned day
// until then.
func (r *Review) Date() calendar.Date {
	if !r.Held.IsZero() {
		return r.Held
	}
	return r.Planned
}

// IsHeld reports whether the review has been held.
func (r *Review) IsHeld() bool { return !r.Held.IsZero() }

// Type returns the review type on the review date (R-CETR-TYPE).
func (r *Review) Type() Type { return TypeFor(&r.Person, r.Date(), r.Params.EHCPExtendsCETR) }

// Panel returns the review's panel with the rules that apply to it: the
// review type on the review date, the area's education requirement and the
// responsible commissioner.
func (r *Review) Panel() Panel {
	return Panel{Type: r.Type(), Education: r.Params.EducationMember, Commissioner: r.Commissioner, Members: r.Members}
}

// inReview moves a panel's field paths under the review's "panel" field.
func inReview(err error) error {
	if err == nil {
		return nil
	}
	var out []error
	for _, e := range unjoin(err) {
		if pe, ok := e.(*PanelError); ok {
			c := *pe
			c.Field = "panel" + strings.TrimPrefix(c.Field, "members")
			e = &c
		}
		out = append(out, e)
	}
	return errors.Join(out...)
}

func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// Access says what the panel may read (R-CETR-CONSENT): AllPapers with
// consent or a best-interests decision for this review, PlannerOnly
// without.
func (r *Review) Access() Access {
	if r.Consent.Holds() {
		return AllPapers
	}
	return PlannerOnly
}

// PapersAllowed reports whether the panel may read papers beyond the planner.
func (r *Review) PapersAllowed() bool { return r.Access() == AllPapers }

// PanelPapers returns the papers the panel may read: all of them with
// consent, otherwise only the planner (R-CETR-CONSENT). The slice is a copy.
func (r *Review) PanelPapers() []Paper {
	if r.PapersAllowed() {
		return slices.Clone(r.Papers)
	}
	var out []Paper
	for _, p := range r.Papers {
		if p.Planner {
			out = append(out, p)
		}
	}
	return out
}

// start is when the meeting starts: StartsAt if it is on the review day,
// else the start of the review day.
func (r *Review) start() time.Time {
	if !r.StartsAt.IsZero() && calendar.DateOf(r.StartsAt) == r.Date() {
		return r.StartsAt
	}
	return r.Date().Start()
}

// PapersDue returns the last instant the papers may reach the panel:
// PapersLeadHours before the meeting (R-CETR-DOCS). It applies to community
// reviews; for other kinds it returns the zero time.
func (r *Review) PapersDue() time.Time {
	if r.Kind != Community {
		return time.Time{}
	}
	return r.start().Add(-time.Duration(r.Params.PapersLeadHours) * time.Hour).In(calendar.London)
}

// PapersLate reports whether the papers of a community review were sent
// after PapersDue (R-CETR-DOCS).
func (r *Review) PapersLate() bool {
	due := r.PapersDue()
	return !due.IsZero() && !r.PapersSent.IsZero() && r.PapersSent.After(due)
}

// SetConsent records the consent, or best-interests decision, for this
// review (R-CETR-CONSENT). GivenBy must be one of dsr.ConsentGivers and
// Given a date on or before the review date; Asked, if set, comes on or
// before Given; Withdrawn, if set, on or after Given. A held review's consent
// cannot be replaced.
func (r *Review) SetConsent(c Consent) error {
	if err := r.checkConsent(c, true); err != nil {
		return err
	}
	r.Consent = c
	return nil
}

func (r *Review) checkConsent(c Consent, fresh bool) error {
	var errs []error
	add := func(field, format string, args ...any) {
		errs = append(errs, bad("consent."+field, "R-CETR-CONSENT", format, args...))
	}
	if fresh && r.IsHeld() {
		return bad("held", "R-CETR-CONSENT", "the review was held on %s; its consent cannot be replaced", r.Held)
	}
	switch {
	case c.GivenBy == "":
		add("given_by", "required (one of %s)", strings.Join(dsr.ConsentGivers, ", "))
	case !slices.Contains(dsr.ConsentGivers, c.GivenBy):
		add("given_by", "unknown value %q (want one of %s)", c.GivenBy, strings.Join(dsr.ConsentGivers, ", "))
	}
	switch {
	case c.Given.IsZero():
		add("given", "required")
	case c.Given.After(r.Date()):
		add("given", "%s is after the review date %s; consent comes before the review", c.Given, r.Date())
	case !c.Asked.IsZero() && c.Asked.After(c.Given):
		add("asked", "%s is after consent was given on %s", c.Asked, c.Given)
	}
	if !c.Withdrawn.IsZero() && !c.Given.IsZero() && c.Withdrawn.Before(c.Given) {
		add("withdrawn", "%s is before consent was given on %s", c.Withdrawn, c.Given)
	}
	return errors.Join(errs...)
}

// WithdrawConsent records that consent for this review was withdrawn on the
// date on: from then the panel reads the planner only.
func (r *Review) WithdrawConsent(on calendar.Date) error {
	switch {
	case !r.Consent.Holds():
		return bad("consent.withdrawn", "R-CETR-CONSENT", "no consent to withdraw")
	case on.IsZero():
		return bad("consent.withdrawn", "R-CETR-CONSENT", "required")
	case on.Before(r.Consent.Given):
		return bad("consent.withdrawn", "R-CETR-CONSENT", "%s is before consent was given on %s", on, r.Consent.Given)
	}
	r.Consent.Withdrawn = on
	return nil
}

// Reschedule moves a review that has not been held to the date on. Consent
// must still come before it and the panel must still be valid on it.
func (r *Review) Reschedule(on calendar.Date) error {
	if r.IsHeld() {
		return bad("planned", "", "the review was held on %s", r.Held)
	}
	if on.IsZero() {
		return bad("planned", "", "required")
	}
	c := r.Clone()
	c.Planned = on
	if err := c.validatePlan(); err != nil {
		return err
	}
	if c.Consent != (Consent{}) {
		if err := c.checkConsent(c.Consent, false); err != nil {
			return err
		}
	}
	if len(c.Members) > 0 {
		if err := inReview(c.Panel().Validate(on)); err != nil {
			return err
		}
	}
	r.Planned = on
	return nil
}

// AddPaper adds a document for the panel. Only the planner may be read
// without consent (see PanelPapers).
func (r *Review) AddPaper(p Paper) error {
	if strings.TrimSpace(p.Title) == "" {
		return bad(fmt.Sprintf("papers[%d].title", len(r.Papers)), "", "required")
	}
	r.Papers = append(r.Papers, p)
	return nil
}

// SendPapers records when the papers went to the panel. Without consent
// only the planner may go (R-CETR-CONSENT); for a community review papers
// later than PapersDue are a Warning (R-CETR-DOCS).
func (r *Review) SendPapers(at time.Time) error {
	if at.IsZero() {
		return bad("papers_sent", "R-CETR-DOCS", "required")
	}
	if r.IsHeld() && calendar.DateOf(at).After(r.Held) {
		return bad("papers_sent", "R-CETR-DOCS", "%s is after the review was held on %s", at.Format(time.RFC3339), r.Held)
	}
	r.PapersSent = at
	return nil
}

// SetPanel replaces the panel of a review not yet held. The panel must be
// valid on the review date (Panel.Validate): on error nothing changes and
// every problem comes back, joined, with paths under "panel".
func (r *Review) SetPanel(members ...Member) error {
	if r.IsHeld() {
		return bad("panel", "R-CETR-PANEL", "the review was held on %s; its panel is the record of who sat", r.Held)
	}
	c := r.Clone()
	c.Members = slices.Clone(members)
	if err := inReview(c.Panel().Validate(c.Date())); err != nil {
		return err
	}
	r.Members = c.Members
	return nil
}

// Record sets the finding under one key line of enquiry (R-CETR-KLOE).
func (r *Review) Record(line KLOE, finding string) error {
	switch {
	case !line.Valid():
		return bad("findings", "R-CETR-KLOE", "unknown key line of enquiry %q", line)
	case strings.TrimSpace(finding) == "":
		return bad("findings."+string(line), "R-CETR-KLOE", "empty finding")
	case r.Report.IsSent():
		return bad("findings."+string(line), "R-CETR-KLOE", "the report was sent on %s; findings are final", r.Report.Sent)
	}
	if r.Findings == nil {
		r.Findings = make(map[KLOE]string, len(KLOEs))
	}
	r.Findings[line] = finding
	return nil
}

// Hold marks the review held on the date on with its outcome. Every key line
// of enquiry needs a finding (R-CETR-KLOE), the panel must be valid on that
// date (R-CETR-PANEL), and consent, if recorded, must come before it. Every
// problem comes back at once; on error nothing changes. The type of review is
// decided on this date (R-CETR-TYPE). After Hold, Events gives review_held
// and the register rating must be re-agreed (R-REV-2, AgreeRating).
func (r *Review) Hold(on calendar.Date, outcome Outcome, note string) error {
	if r.IsHeld() {
		return bad("held", "", "already held on %s", r.Held)
	}
	if on.IsZero() {
		return bad("held", "", "required")
	}
	c := r.Clone()
	c.Held, c.Outcome, c.OutcomeNote = on, outcome, note
	errs := []error{c.validatePlan()}
	if !slices.Contains(Outcomes, outcome) {
		if outcome == "" {
			errs = append(errs, bad("outcome", "", "required"))
		} else {
			errs = append(errs, bad("outcome", "", "unknown outcome %q", outcome))
		}
	}
	if c.Consent != (Consent{}) {
		errs = append(errs, c.checkConsent(c.Consent, false))
	}
	errs = append(errs, c.checkFindings())
	errs = append(errs, inReview(c.Panel().Validate(on)))
	if !c.PapersSent.IsZero() && calendar.DateOf(c.PapersSent).After(on) {
		errs = append(errs, bad("papers_sent", "R-CETR-DOCS", "%s is after the review was held on %s", c.PapersSent.Format(time.RFC3339), on))
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	*r = *c
	return nil
}

func (r *Review) checkFindings() error {
	var errs []error
	for _, l := range KLOEs {
		if strings.TrimSpace(r.Findings[l]) == "" {
			errs = append(errs, bad("findings."+string(l), "R-CETR-KLOE", "no finding under %q", l.Title()))
		}
	}
	for l := range r.Findings {
		if !l.Valid() {
			errs = append(errs, bad("findings", "R-CETR-KLOE", "unknown key line of enquiry %q", l))
		}
	}
	return errors.Join(errs...)
}

// AgreeRating records the register rating agreed after the review (R-REV-2).
// The review must be held, the date on or after it, the rating one of red,
// amber, green or blue, and who agreed it named. It is agreed once.
func (r *Review) AgreeRating(a RatingAgreement) error {
	if err := r.checkRating(a, true); err != nil {
		return err
	}
	r.Rating = &a
	return nil
}

func (r *Review) checkRating(a RatingAgreement, fresh bool) error {
	if !r.IsHeld() {
		return bad("held", "R-REV-2", "the rating is re-agreed after the review is held")
	}
	if fresh && r.Rating != nil {
		return bad("rating", "R-REV-2", "already agreed on %s", r.Rating.Date)
	}
	var errs []error
	switch {
	case a.Date.IsZero():
		errs = append(errs, bad("rating.date", "R-REV-2", "required"))
	case a.Date.Before(r.Held):
		errs = append(errs, bad("rating.date", "R-REV-2", "%s is before the review on %s", a.Date, r.Held))
	}
	if a.Rating == dsr.Unrated || a.Rating > dsr.Blue {
		errs = append(errs, bad("rating.rating", "R-REV-2", "required (red, amber, green or blue)"))
	}
	if strings.TrimSpace(a.By) == "" {
		errs = append(errs, bad("rating.by", "R-RAG-AGREED", "required: who agreed the rating"))
	}
	return errors.Join(errs...)
}

// Events returns the events the review adds to the person's history, in date
// order: review_held once held, rating_agreed once the rating is re-agreed
// (R-REV-2), and report_sent once the report has gone. The register appends
// those it does not hold yet.
func (r *Review) Events() []dsr.Event {
	var ev []dsr.Event
	if r.IsHeld() {
		ev = append(ev, dsr.Event{Type: dsr.EventReviewHeld, Date: r.Held, Kind: string(r.Kind)})
	}
	if r.Rating != nil {
		ev = append(ev, dsr.Event{Type: dsr.EventRatingAgreed, Date: r.Rating.Date, Rating: r.Rating.Rating, By: r.Rating.By, Reason: r.Rating.Reason})
	}
	if r.Report.IsSent() {
		ev = append(ev, dsr.Event{Type: dsr.EventReportSent, Date: r.Report.Sent})
	}
	slices.SortStableFunc(ev, func(a, b dsr.Event) int { return a.Date.Compare(b.Date) })
	return ev
}

// Warnings returns what a person should look at that does not make the
// record invalid: no consent (the panel reads the planner only), consent
// asked less than ConsentNoticeDays before the review, the panel's warnings,
// papers late or not sent for a held community review, and a report sent
// late.
func (r *Review) Warnings() []Warning {
	var ws []Warning
	switch {
	case !r.Consent.Holds() && !r.Consent.Withdrawn.IsZero():
		ws = append(ws, Warning{Rule: "R-CETR-CONSENT", Field: "consent", Problem: fmt.Sprintf("consent withdrawn on %s: the panel may read the planner only", r.Consent.Withdrawn)})
	case !r.Consent.Holds():
		ws = append(ws, Warning{Rule: "R-CETR-CONSENT", Field: "consent", Problem: "no consent or best-interests decision for this review: the panel may read the planner only"})
	case !r.Consent.Asked.IsZero() && r.Params.ConsentNoticeDays > 0 && r.Date().Sub(r.Consent.Asked) < r.Params.ConsentNoticeDays:
		ws = append(ws, Warning{Rule: "R-CETR-CONSENT", Field: "consent.asked", Problem: fmt.Sprintf("consent asked %d days before the review; ideally %d", r.Date().Sub(r.Consent.Asked), r.Params.ConsentNoticeDays)})
	}
	for _, w := range r.Panel().Warnings() {
		w.Field = "panel" + strings.TrimPrefix(w.Field, "members")
		ws = append(ws, w)
	}
	switch {
	case r.PapersLate():
		ws = append(ws, Warning{Rule: "R-CETR-DOCS", Field: "papers_sent", Problem: fmt.Sprintf("papers sent %s, after %s (%d hours before the review)",
			r.PapersSent.In(calendar.London).Format("2006-01-02 15:04"), r.PapersDue().Format("2006-01-02 15:04"), r.Params.PapersLeadHours)})
	case r.Kind == Community && r.IsHeld() && r.PapersSent.IsZero():
		ws = append(ws, Warning{Rule: "R-CETR-DOCS", Field: "papers_sent", Problem: "the review was held with no record of papers sent to the panel"})
	}
	if due, ok := r.ReportDue(); ok && r.Report.IsSent() && r.Report.Sent.After(due) {
		ws = append(ws, Warning{Rule: r.reportRule(), Field: "report.sent", Problem: fmt.Sprintf("report sent %s, %d days after it was due on %s", r.Report.Sent, r.Report.Sent.Sub(due), due)})
	}
	return ws
}

// Validate checks a whole record, as read back from storage: the plan, the
// parameters, the consent, the panel on the review date (when there is one,
// and always once held), the findings of a held review, the recommendations,
// the rating and the report. Every problem comes back at once, joined.
func (r *Review) Validate() error {
	errs := []error{r.Params.Validate(), r.validatePlan()}
	if r.Consent != (Consent{}) {
		errs = append(errs, r.checkConsent(r.Consent, false))
	}
	if len(r.Members) > 0 || r.IsHeld() {
		errs = append(errs, inReview(r.Panel().Validate(r.Date())))
	}
	for i, p := range r.Papers {
		if strings.TrimSpace(p.Title) == "" {
			errs = append(errs, bad(fmt.Sprintf("papers[%d].title", i), "", "required"))
		}
	}
	if r.IsHeld() {
		errs = append(errs, r.checkFindings())
		if !slices.Contains(Outcomes, r.Outcome) {
			errs = append(errs, bad("outcome", "", "unknown or missing outcome %q", r.Outcome))
		}
	} else {
		if r.Outcome != "" {
			errs = append(errs, bad("outcome", "", "the review has not been held"))
		}
		if len(r.Recommendations) > 0 {
			errs = append(errs, bad("recommendations", "R-CETR-ACT", "the review has not been held"))
		}
		if r.Rating != nil {
			errs = append(errs, bad("rating", "R-REV-2", "the review has not been held"))
		}
		if r.Report.IsSent() {
			errs = append(errs, bad("report.sent", "R-CETR-REPORT", "the review has not been held"))
		}
	}
	for i := range r.Recommendations {
		errs = append(errs, r.checkRecommendation(i, r.Recommendations[i]))
	}
	if r.IsHeld() && r.Rating != nil {
		errs = append(errs, r.checkRating(*r.Rating, false))
	}
	if r.IsHeld() && r.Report.IsSent() {
		errs = append(errs, r.checkReport(r.Report.Sent, r.Report.Recipients))
	}
	return errors.Join(errs...)
}
