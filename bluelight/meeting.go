package bluelight

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/dsr"
)

// Opening is what is known when a Blue Light meeting is called.
type Opening struct {
	// ID names the meeting; PersonID is the register's id for the person.
	ID       string `json:"id"`
	PersonID string `json:"person_id"`
	// DateOfBirth gives the person's age on the day of the call, for the
	// transition roles (R-BL-INVITE).
	DateOfBirth calendar.Date `json:"date_of_birth" jsonschema:"type=string,format=date"`
	// PersonInvited: it is appropriate to invite the person.
	PersonInvited bool `json:"person_invited"`
	// Criteria are the facts R-BL-CRIT decides on.
	Criteria CriteriaInput `json:"criteria"`
	// InvitationsSent is when participants were texted; CallAt when the
	// call starts (R-BL-NOTICE).
	InvitationsSent time.Time `json:"invitations_sent"`
	CallAt          time.Time `json:"call_at"`
}

// Validate reports every missing or impossible field of o, joined, each a
// *dsr.ValidationError.
func (o *Opening) Validate() error {
	var errs []error
	if strings.TrimSpace(o.ID) == "" {
		errs = append(errs, invalid("id", "", "required"))
	}
	if strings.TrimSpace(o.PersonID) == "" {
		errs = append(errs, invalid("person_id", "", "required"))
	}
	if o.DateOfBirth.IsZero() {
		errs = append(errs, invalid("date_of_birth", "", "required"))
	}
	if o.InvitationsSent.IsZero() {
		errs = append(errs, invalid("invitations_sent", "R-BL-NOTICE", "required"))
	}
	if o.CallAt.IsZero() {
		errs = append(errs, invalid("call_at", "", "required"))
	} else if !o.DateOfBirth.IsZero() && calendar.DateOf(o.CallAt).Before(o.DateOfBirth) {
		errs = append(errs, invalid("call_at", "", "before the date of birth"))
	}
	return errors.Join(errs...)
}

// Notice records how much notice participants had (R-BL-NOTICE). Late
// notice is recorded and reported, never a reason to refuse: a crisis does
// not wait.
type Notice struct {
	Sent     time.Time     `json:"sent"`
	CallAt   time.Time     `json:"call_at"`
	Given    time.Duration `json:"given_ns"`
	Required time.Duration `json:"required_ns"`
	Late     bool          `json:"late"`
}

// Attendee is someone who joined the call, by role. Name is optional; use
// synthetic names in tests and examples.
type Attendee struct {
	Role Role   `json:"role"`
	Name string `json:"name,omitempty"`
}

// StepNote is a completed step of the call with its notes (R-BL-STEPS).
type StepNote struct {
	Step  Step   `json:"step"`
	Notes string `json:"notes"`
}

// Rejection records an option considered and rejected, and why (R-BL-PREF).
type Rejection struct {
	Option Option `json:"option"`
	Reason string `json:"reason"`
}

// Choice is the option the meeting chose (R-BL-PREF). An out-of-area
// placement needs the commissioner who approved it and a clinical
// justification.
type Choice struct {
	Option                Option `json:"option"`
	Detail                string `json:"detail,omitempty"`
	ApprovedBy            string `json:"approved_by,omitempty" jsonschema:"description=The commissioner who approved an out-of-area placement."`
	ClinicalJustification string `json:"clinical_justification,omitempty"`
}

// FundingRequest asks to authorise additional support (R-BL-FUND).
type FundingRequest struct {
	// Support says what is bought, such as "two waking night staff".
	Support string `json:"support"`
	// Provider is spot-purchased; it must be marked accredited.
	Provider           string `json:"provider"`
	ProviderAccredited bool   `json:"provider_accredited"`
	// Start and Stop bound the support; Stop is after Start. Their elapsed
	// length is capped (72 hours by default, whatever the clocks do).
	Start time.Time `json:"start"`
	Stop  time.Time `json:"stop"`
	// Cost is the total in pence, never negative.
	Cost Pence `json:"cost_pence"`
	// Split shares the cost; the zero Split means the area's default. A
	// split other than the default needs the senior leader who agreed it.
	Split         Split  `json:"split,omitzero"`
	SplitAgreedBy string `json:"split_agreed_by,omitempty"`
}

// Validate reports every malformed field of r, joined, each a
// *dsr.ValidationError naming it ("funding.stop", "funding.cost_pence"):
// a missing support, provider, start or stop; a stop not after the start; a
// negative cost; a split that is not a valid split. Whether the request may
// be authorised (the cap, the default split, accreditation) is for Rules.
func (r *FundingRequest) Validate() error {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, invalid("funding."+field, "R-BL-FUND", format, args...))
	}
	if strings.TrimSpace(r.Support) == "" {
		bad("support", "required")
	}
	if strings.TrimSpace(r.Provider) == "" {
		bad("provider", "required")
	}
	switch {
	case r.Start.IsZero():
		bad("start", "required")
	case r.Stop.IsZero():
		bad("stop", "required")
	case !r.Stop.After(r.Start):
		bad("stop", "%s is not after the start %s", londonTime(r.Stop), londonTime(r.Start))
	}
	if r.Cost < 0 {
		bad("cost_pence", "negative cost %s", r.Cost)
	}
	if !r.Split.IsZero() {
		if err := r.Split.Validate("funding.split"); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Duration returns the elapsed length of the support.
func (r *FundingRequest) Duration() time.Duration { return r.Stop.Sub(r.Start) }

// Funding is authorised support: the request, with Split set to the split
// in force (never zero), and each side's share, which add up to the cost to
// the penny.
type Funding struct {
	FundingRequest
	LocalAuthority Pence `json:"local_authority_pence"`
	Health         Pence `json:"health_pence"`
}

// Outcome is what the meeting concluded when it closed.
type Outcome struct {
	// SustainablePlacement: the meeting found a sustainable placement or
	// package. Without one, or without agreed funding, the outcome is
	// unsatisfactory and escalates (R-BL-ESC).
	SustainablePlacement bool   `json:"sustainable_placement"`
	Notes                string `json:"notes,omitempty"`
}

// Record is the plain data of a meeting, for storing, printing and policy
// input. Get one with Meeting.Record; change a meeting only through its
// methods.
type Record struct {
	ID        string           `json:"id"`
	PersonID  string           `json:"person_id"`
	Age       int              `json:"age"`
	Statement string           `json:"statement"` // NotCommunityCETR
	Criteria  CriteriaDecision `json:"criteria"`
	Invitees  InviteesDecision `json:"invitees"`
	Notice    Notice           `json:"notice"`
	Attendees []Attendee       `json:"attendees"`
	// Steps are the completed steps, in the order of the call.
	Steps      []StepNote  `json:"steps"`
	Rejections []Rejection `json:"rejections"`
	Choice     *Choice     `json:"choice,omitempty"`
	Funding    *Funding    `json:"funding,omitempty"`
	Closed     bool        `json:"closed"`
	ClosedAt   time.Time   `json:"closed_at,omitzero"`
	Outcome    Outcome     `json:"outcome"`
	// Escalation records the escalation of an unsatisfactory outcome to the
	// directors of commissioning, once done (R-BL-ESC).
	Escalation *Escalation `json:"escalation,omitempty"`
	// Warnings are reported, never blocking: late notice (R-BL-NOTICE).
	Warnings []dsr.Reason `json:"warnings"`
}

func (r *Record) clone() Record {
	c := *r
	c.Criteria.Unmet = slices.Clone(r.Criteria.Unmet)
	c.Criteria.Reasons = slices.Clone(r.Criteria.Reasons)
	c.Invitees.Required = slices.Clone(r.Invitees.Required)
	c.Invitees.Invited = slices.Clone(r.Invitees.Invited)
	c.Invitees.Reasons = slices.Clone(r.Invitees.Reasons)
	c.Attendees = slices.Clone(r.Attendees)
	c.Steps = slices.Clone(r.Steps)
	c.Rejections = slices.Clone(r.Rejections)
	c.Warnings = slices.Clone(r.Warnings)
	if r.Choice != nil {
		ch := *r.Choice
		c.Choice = &ch
	}
	if r.Funding != nil {
		f := *r.Funding
		c.Funding = &f
	}
	if r.Escalation != nil {
		e := *r.Escalation
		c.Escalation = &e
	}
	return c
}

// Meeting is one Blue Light meeting, from the call to its close. Its
// methods enforce the rules that must never break: steps in order, no close
// without the decision and the record, options in preference order, funding
// within the cap with shares that add up. A method that returns an error
// leaves the meeting unchanged. A Meeting is not safe for concurrent use.
type Meeting struct {
	rules  Rules
	params Params
	rec    Record
}

// Open calls a meeting: it asks rules whether the criteria are met
// (R-BL-CRIT) and who must attend (R-BL-INVITE), and records the notice
// given (R-BL-NOTICE). Bad input is a *dsr.ValidationError; criteria not
// met is a *RuleError (R-BL-CRIT) whose Missing names the unmet conditions;
// late notice is a warning on the record.
func Open(ctx context.Context, rules Rules, o Opening) (*Meeting, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	p := rules.Params()
	if err := p.Validate(); err != nil {
		return nil, fmt.Errorf("%w: params: %w", ErrBadDecision, err)
	}
	crit, err := rules.Criteria(ctx, o.Criteria)
	if err != nil {
		return nil, fmt.Errorf("bluelight: criteria: %w", err)
	}
	if !crit.Met {
		var why []string
		for _, r := range crit.Reasons {
			why = append(why, r.Message)
		}
		return nil, refused("R-BL-CRIT", "criteria", slices.Clone(crit.Unmet), "a Blue Light meeting may not be called: %s", strings.Join(why, "; "))
	}
	age := calendar.YearsBetween(o.DateOfBirth, calendar.DateOf(o.CallAt))
	inv, err := rules.Invitees(ctx, InviteesInput{Age: age, PersonInvited: o.PersonInvited})
	if err != nil {
		return nil, fmt.Errorf("bluelight: invitees: %w", err)
	}
	for i, r := range slices.Concat(inv.Required, inv.Invited) {
		if !r.Valid() {
			return nil, fmt.Errorf("%w: invitees[%d]: unknown role %d", ErrBadDecision, i, uint8(r))
		}
	}
	if !slices.Contains(inv.Required, RoleCommissioner) {
		return nil, fmt.Errorf("%w: invitees: the commissioner chairs and must attend (R-BL-INVITE)", ErrBadDecision)
	}
	m := &Meeting{rules: rules, params: p, rec: Record{
		ID:        o.ID,
		PersonID:  o.PersonID,
		Age:       age,
		Statement: NotCommunityCETR,
		Criteria:  crit,
		Invitees:  inv,
		Notice: Notice{
			Sent:     o.InvitationsSent,
			CallAt:   o.CallAt,
			Given:    o.CallAt.Sub(o.InvitationsSent),
			Required: time.Duration(p.NoticeMinutes) * time.Minute,
		},
	}}
	if n := &m.rec.Notice; n.Given < n.Required {
		n.Late = true
		when := formatDuration(n.Given) + " before the call"
		if n.Given < 0 {
			when = formatDuration(-n.Given) + " after the call started"
		}
		m.rec.Warnings = append(m.rec.Warnings, dsr.Reason{Rule: "R-BL-NOTICE", Message: fmt.Sprintf(
			"late notice: invitations sent %s, under the %d minutes required", when, p.NoticeMinutes)})
	}
	return m, nil
}

// Record returns a copy of the meeting's record.
func (m *Meeting) Record() Record { return m.rec.clone() }

// Params returns the parameters the meeting was opened with.
func (m *Meeting) Params() Params { return m.params.clone() }

// Closed reports whether the meeting has closed.
func (m *Meeting) Closed() bool { return m.rec.Closed }

func (m *Meeting) open() error {
	if m.rec.Closed {
		return fmt.Errorf("%w: %s", ErrClosed, m.rec.ID)
	}
	return nil
}

// Attend records who joined the call. Every attendee is checked first: an
// unknown role is a *dsr.ValidationError on "attendees[i].role" and nothing
// is recorded. Someone may attend in a role nobody required.
func (m *Meeting) Attend(as ...Attendee) error {
	if err := m.open(); err != nil {
		return err
	}
	var errs []error
	for i, a := range as {
		if !a.Role.Valid() {
			errs = append(errs, invalid(fmt.Sprintf("attendees[%d].role", i), "R-BL-INVITE", "unknown role %d", uint8(a.Role)))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	m.rec.Attendees = append(m.rec.Attendees, as...)
	return nil
}

// Attended reports whether someone attended in role r.
func (m *Meeting) Attended(r Role) bool {
	return slices.ContainsFunc(m.rec.Attendees, func(a Attendee) bool { return a.Role == r })
}

// MissingRoles lists the required roles nobody attended in, in the order
// the rules gave them (R-BL-INVITE).
func (m *Meeting) MissingRoles() []Role {
	var out []Role
	for _, r := range m.rec.Invitees.Required {
		if !m.Attended(r) {
			out = append(out, r)
		}
	}
	return out
}

// Complete records step s of the call with its notes (R-BL-STEPS). Steps
// complete in order: completing a step before an earlier one, or a step
// twice, is a *RuleError naming the step that must come first. Empty notes
// or an unknown step are a *dsr.ValidationError.
func (m *Meeting) Complete(s Step, notes string) error {
	if err := m.open(); err != nil {
		return err
	}
	if !s.Valid() {
		return invalid("step", "R-BL-STEPS", "unknown step %d", uint8(s))
	}
	if strings.TrimSpace(notes) == "" {
		return invalid("steps."+s.String()+".notes", "R-BL-STEPS", "required: each step is recorded with its notes")
	}
	next := Step(len(m.rec.Steps) + 1)
	switch {
	case s < next:
		return refused("R-BL-STEPS", "steps."+s.String(), nil, "step %q is already complete", s.Title())
	case s > next:
		var missing []string
		for t := next; t < s; t++ {
			missing = append(missing, "steps."+t.String())
		}
		return refused("R-BL-STEPS", "steps."+s.String(), missing, "step %q cannot be completed before step %q", s.Title(), next.Title())
	}
	m.rec.Steps = append(m.rec.Steps, StepNote{Step: s, Notes: notes})
	return nil
}

// Completed reports whether step s is complete.
func (m *Meeting) Completed(s Step) bool { return s.Valid() && int(s) <= len(m.rec.Steps) }

// NextStep returns the next step to complete, or 0 when all are.
func (m *Meeting) NextStep() Step {
	if len(m.rec.Steps) >= len(Steps) {
		return 0
	}
	return Step(len(m.rec.Steps) + 1)
}

// Reject records that option o was considered and rejected, and why
// (R-BL-PREF). Rejecting an option again replaces its reason. An option the
// area does not offer, or an empty reason, is a *dsr.ValidationError;
// rejecting the chosen option is a *RuleError.
func (m *Meeting) Reject(o Option, reason string) error {
	if err := m.open(); err != nil {
		return err
	}
	if err := m.offered(o, "rejections.option"); err != nil {
		return err
	}
	if strings.TrimSpace(reason) == "" {
		return invalid("rejections."+o.String()+".reason", "R-BL-PREF", "required")
	}
	if m.rec.Choice != nil && m.rec.Choice.Option == o {
		return refused("R-BL-PREF", "rejections."+o.String(), nil, "%s is the chosen option", o)
	}
	if i := m.rejection(o); i >= 0 {
		m.rec.Rejections[i].Reason = reason
		return nil
	}
	m.rec.Rejections = append(m.rec.Rejections, Rejection{Option: o, Reason: reason})
	slices.SortStableFunc(m.rec.Rejections, func(a, b Rejection) int { return int(a.Option) - int(b.Option) })
	return nil
}

func (m *Meeting) rejection(o Option) int {
	return slices.IndexFunc(m.rec.Rejections, func(r Rejection) bool { return r.Option == o })
}

func (m *Meeting) offered(o Option, field string) error {
	if !o.Valid() {
		return invalid(field, "R-BL-PREF", "unknown option %d", uint8(o))
	}
	if !slices.Contains(m.params.Options, o) {
		return invalid(field, "R-BL-PREF", "%s is not an option the area offers", o)
	}
	return nil
}

// Choose records the option chosen (R-BL-PREF). Every more preferred option
// the area offers must have been rejected with a reason first; an
// out-of-area placement also needs the commissioner who approved it and a
// clinical justification. What is missing comes back in a *RuleError's
// Missing ("rejections.home_package", "choice.approved_by",
// "choice.clinical_justification"). Choosing again replaces the choice.
func (m *Meeting) Choose(c Choice) error {
	if err := m.open(); err != nil {
		return err
	}
	if err := m.offered(c.Option, "choice.option"); err != nil {
		return err
	}
	var missing []string
	for _, o := range m.params.Options {
		if o < c.Option && m.rejection(o) < 0 {
			missing = append(missing, "rejections."+o.String())
		}
	}
	if c.Option == OptionOutOfArea {
		if strings.TrimSpace(c.ApprovedBy) == "" {
			missing = append(missing, "choice.approved_by")
		}
		if strings.TrimSpace(c.ClinicalJustification) == "" {
			missing = append(missing, "choice.clinical_justification")
		}
	}
	if len(missing) > 0 {
		needs := "every more preferred option rejected with a reason"
		if c.Option == OptionOutOfArea {
			needs += ", commissioner approval and a clinical justification"
		}
		return refused("R-BL-PREF", "choice", missing, "%s needs %s", c.Option, needs)
	}
	m.rec.Choice = &c
	return nil
}

// Fund authorises additional support (R-BL-FUND). A malformed request is a
// *dsr.ValidationError naming the field (see FundingRequest.Validate); the
// rules then decide, and a refusal (past the cap, another split without the
// senior leader who agreed it, a provider not accredited) is a *RuleError
// per refusal, joined. Whatever the rules say, support past the meeting's
// cap of elapsed hours is refused. The shares are computed exactly (see
// Split.Shares). Funding again replaces the authorisation.
func (m *Meeting) Fund(ctx context.Context, req FundingRequest) error {
	if err := m.open(); err != nil {
		return err
	}
	if err := req.Validate(); err != nil {
		return err
	}
	d := req.Duration()
	minutes := int64((d + time.Minute - 1) / time.Minute) // round up: a part minute counts
	dec, err := m.rules.Funding(ctx, FundingInput{Request: req, Minutes: minutes})
	if err != nil {
		return fmt.Errorf("bluelight: funding: %w", err)
	}
	if !dec.Authorised {
		var errs []error
		for _, r := range dec.Refusals {
			errs = append(errs, refused(r.Rule, r.Field, nil, "%s", r.Message))
		}
		if len(errs) == 0 {
			errs = append(errs, refused("R-BL-FUND", "funding", nil, "not authorised"))
		}
		return errors.Join(errs...)
	}
	if limit := time.Duration(m.params.MaxFundedHours) * time.Hour; d > limit {
		return refused("R-BL-FUND", "funding.stop", nil, "%s of support is over the cap of %d hours", formatDuration(d), m.params.MaxFundedHours)
	}
	if err := dec.Split.Validate("split"); err != nil {
		return fmt.Errorf("%w: %w", ErrBadDecision, err)
	}
	f := Funding{FundingRequest: req}
	f.Split = dec.Split
	f.LocalAuthority, f.Health = dec.Split.Shares(req.Cost)
	m.rec.Funding = &f
	return nil
}

// Close closes the meeting at the instant at, with its outcome. It is
// refused with a *RuleError (R-BL-STEPS) naming the missing steps until the
// decision step and the record step are complete. A zero at, or one before
// the call, is a *dsr.ValidationError.
func (m *Meeting) Close(at time.Time, o Outcome) error {
	if err := m.open(); err != nil {
		return err
	}
	if at.IsZero() {
		return invalid("closed_at", "", "required")
	}
	if at.Before(m.rec.Notice.CallAt) {
		return invalid("closed_at", "", "%s is before the call at %s", londonTime(at), londonTime(m.rec.Notice.CallAt))
	}
	var missing []string
	for _, s := range []Step{StepDecision, StepRecord} {
		if !m.Completed(s) {
			missing = append(missing, "steps."+s.String())
		}
	}
	if len(missing) > 0 {
		return refused("R-BL-STEPS", "close", missing, "the meeting cannot close before the decision and the record are complete")
	}
	m.rec.Closed, m.rec.ClosedAt, m.rec.Outcome = true, at, o
	return nil
}

// Unsatisfactory reports whether the outcome of a closed meeting must be
// escalated to the directors of commissioning (R-BL-ESC), and why: no
// sustainable placement, or no funding agreed. Before the meeting closes
// the outcome is not known and it reports true.
func (m *Meeting) Unsatisfactory() (bool, []string) {
	var why []string
	if !m.rec.Outcome.SustainablePlacement {
		why = append(why, "no sustainable placement")
	}
	if m.rec.Funding == nil {
		why = append(why, "funding not agreed")
	}
	return len(why) > 0, why
}

// Escalation is the escalation of an unsatisfactory outcome (R-BL-ESC):
// when it was made, to whom, and by whom.
type Escalation struct {
	At time.Time `json:"at"`
	// To says who it went to (the directors of commissioning, by role or
	// name).
	To string `json:"to"`
	By string `json:"by,omitempty"`
}

// MarkEscalated records that the unsatisfactory outcome was escalated at
// at, to to, by by (R-BL-ESC); the escalation then leaves the follow-ups.
// The meeting must be closed with an unsatisfactory outcome and not yet
// escalated (a *RuleError otherwise); at may not be before the meeting
// closed, and to is required (*dsr.ValidationError).
func (m *Meeting) MarkEscalated(at time.Time, to, by string) error {
	if !m.rec.Closed {
		return refused("R-BL-ESC", "escalation", nil, "the meeting is not closed: nothing to escalate yet")
	}
	if bad, _ := m.Unsatisfactory(); !bad {
		return refused("R-BL-ESC", "escalation", nil, "the outcome is satisfactory: there is nothing to escalate")
	}
	if e := m.rec.Escalation; e != nil {
		return refused("R-BL-ESC", "escalation", nil, "already escalated at %s", londonTime(e.At))
	}
	switch {
	case at.IsZero():
		return invalid("escalation.at", "R-BL-ESC", "required")
	case at.Before(m.rec.ClosedAt):
		return invalid("escalation.at", "R-BL-ESC", "%s is before the meeting closed at %s", londonTime(at), londonTime(m.rec.ClosedAt))
	}
	if strings.TrimSpace(to) == "" {
		return invalid("escalation.to", "R-BL-ESC", "required: who the escalation went to")
	}
	if err := dsr.CheckText("escalation.to", "R-BL-ESC", to, 500); err != nil {
		return err
	}
	m.rec.Escalation = &Escalation{At: at, To: to, By: by}
	return nil
}

// londonTime formats t in Europe/London with its offset:
// "2026-10-23 20:00 BST (+01:00)".
func londonTime(t time.Time) string {
	return t.In(calendar.London).Format("2006-01-02 15:04 MST (-07:00)")
}

// ResumeWithParams returns the meeting rec records, opened with the
// parameters p: it checks rec as Resume does against p, whatever the area's
// parameters are now, and decides further changes with rules (nil: GoRules
// with p). It is how a store that kept a meeting's Record and Params brings
// it back (package register does).
func ResumeWithParams(rules Rules, p Params, rec Record) (*Meeting, error) {
	own, err := NewGoRules(p)
	if err != nil {
		return nil, err
	}
	m, err := Resume(own, rec)
	if err != nil {
		return nil, err
	}
	if rules != nil {
		m.rules = rules
	}
	return m, nil
}

// Resume returns the meeting rec records, for a host that stored a Record
// (as JSON, say) and carries on with it, deciding with rules. It checks what
// the methods would have enforced, reporting every problem at once as
// *dsr.ValidationError values naming the field: required fields; known
// roles, steps and options; steps in order with notes; a closed meeting
// with its decision and record steps and a close instant; a choice with
// every more preferred option rejected with a reason (and, out of area, the
// approval and justification); funding that is well formed, within the cap
// of rules' parameters, with a valid split and shares that add up.
func Resume(rules Rules, rec Record) (*Meeting, error) {
	p := rules.Params()
	if err := p.Validate(); err != nil {
		return nil, fmt.Errorf("%w: params: %w", ErrBadDecision, err)
	}
	var errs []error
	bad := func(field, rule, format string, args ...any) {
		errs = append(errs, invalid(field, rule, format, args...))
	}
	if strings.TrimSpace(rec.ID) == "" {
		bad("id", "", "required")
	}
	if strings.TrimSpace(rec.PersonID) == "" {
		bad("person_id", "", "required")
	}
	if rec.Notice.CallAt.IsZero() || rec.Notice.Sent.IsZero() {
		bad("notice", "R-BL-NOTICE", "sent and call_at are required")
	}
	if rec.Statement != NotCommunityCETR {
		bad("statement", "R-BL-CRIT", "want %q", NotCommunityCETR)
	}
	if !rec.Criteria.Met {
		bad("criteria.met", "R-BL-CRIT", "a meeting is only held when the criteria are met")
	}
	for i, r := range slices.Concat(rec.Invitees.Required, rec.Invitees.Invited) {
		if !r.Valid() {
			bad(fmt.Sprintf("invitees[%d]", i), "R-BL-INVITE", "unknown role %d", uint8(r))
		}
	}
	for i, a := range rec.Attendees {
		if !a.Role.Valid() {
			bad(fmt.Sprintf("attendees[%d].role", i), "R-BL-INVITE", "unknown role %d", uint8(a.Role))
		}
	}
	for i, s := range rec.Steps {
		switch {
		case i >= len(Steps) || s.Step != Steps[i]:
			bad(fmt.Sprintf("steps[%d]", i), "R-BL-STEPS", "step %s out of order", s.Step)
		case strings.TrimSpace(s.Notes) == "":
			bad(fmt.Sprintf("steps[%d].notes", i), "R-BL-STEPS", "required")
		}
	}
	if rec.Closed {
		if len(rec.Steps) < int(StepRecord) {
			bad("closed", "R-BL-STEPS", "closed without the decision and record steps")
		}
		if rec.ClosedAt.Before(rec.Notice.CallAt) || rec.ClosedAt.IsZero() {
			bad("closed_at", "", "missing or before the call")
		}
	}
	rejected := map[Option]bool{}
	for i, r := range rec.Rejections {
		if !slices.Contains(p.Options, r.Option) || strings.TrimSpace(r.Reason) == "" {
			bad(fmt.Sprintf("rejections[%d]", i), "R-BL-PREF", "unknown option or no reason")
		}
		rejected[r.Option] = true
	}
	if c := rec.Choice; c != nil {
		if !slices.Contains(p.Options, c.Option) {
			bad("choice.option", "R-BL-PREF", "%s is not an option the area offers", c.Option)
		}
		for _, o := range p.Options {
			if o < c.Option && !rejected[o] {
				bad("choice", "R-BL-PREF", "%s chosen without %s rejected", c.Option, o)
			}
		}
		if c.Option == OptionOutOfArea && (strings.TrimSpace(c.ApprovedBy) == "" || strings.TrimSpace(c.ClinicalJustification) == "") {
			bad("choice", "R-BL-PREF", "out of area without commissioner approval and a clinical justification")
		}
	}
	if f := rec.Funding; f != nil {
		if err := f.Validate(); err != nil {
			errs = append(errs, err)
		} else if f.Duration() > time.Duration(p.MaxFundedHours)*time.Hour {
			bad("funding.stop", "R-BL-FUND", "%s of support is over the cap of %d hours", formatDuration(f.Duration()), p.MaxFundedHours)
		}
		if f.Split.IsZero() {
			bad("funding.split", "R-BL-FUND", "the split in force is required")
		} else if f.Cost >= 0 {
			if la, h := f.Split.Shares(f.Cost); la != f.LocalAuthority || h != f.Health {
				bad("funding", "R-BL-FUND", "shares %s and %s do not match the split of %s", f.LocalAuthority, f.Health, f.Cost)
			}
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return &Meeting{rules: rules, params: p, rec: rec.clone()}, nil
}
