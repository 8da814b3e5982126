package consent

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/dsr"
)

// Giver is who gives (or withdraws) consent (R-CONS-2). The zero value names
// nobody.
type Giver string

// The givers of consent.
const (
	Self          Giver = dsr.BySelf          // the person
	Parent        Giver = dsr.ByParent        // a person with parental responsibility
	Deputy        Giver = dsr.ByDeputy        // a Court of Protection deputy
	Attorney      Giver = dsr.ByAttorney      // a health and welfare attorney
	BestInterests Giver = dsr.ByBestInterests // a recorded best-interests decision
)

// Givers lists every giver.
var Givers = []Giver{Self, Parent, Deputy, Attorney, BestInterests}

// Valid reports whether g is one of Givers.
func (g Giver) Valid() bool { return slices.Contains(Givers, g) }

// Scope is what consent covers.
type Scope string

// The consent scopes.
const (
	Inclusion Scope = dsr.ScopeDSR     // inclusion on the register
	CETR      Scope = dsr.ScopeCETR    // a Care (Education) and Treatment Review
	Sharing   Scope = dsr.ScopeSharing // information sharing
)

// Scopes lists every scope.
var Scopes = []Scope{Inclusion, CETR, Sharing}

// Valid reports whether s is one of Scopes.
func (s Scope) Valid() bool { return slices.Contains(Scopes, s) }

// Record is one consent given or withdrawn. The zero Record names no giver
// and is never a valid consent.
type Record struct {
	// Date the consent was given or withdrawn.
	Date calendar.Date `json:"date"`
	// By is who gave or withdrew it.
	By Giver `json:"by"`
	// Scopes it covers. Empty: register inclusion when given; everything
	// when withdrawn.
	Scopes []Scope `json:"scopes,omitempty"`
	// Withdrawn marks a withdrawal (R-CONS-4).
	Withdrawn bool `json:"withdrawn,omitempty"`
	// Evidence is a reference to where the signed form, the recorded
	// conversation or the best-interests decision is kept. It is a
	// reference, never the document itself.
	Evidence string `json:"evidence,omitempty"`
}

// Covers reports whether the record covers scope s.
func (r Record) Covers(s Scope) bool {
	if len(r.Scopes) == 0 {
		return r.Withdrawn || s == Inclusion
	}
	return slices.Contains(r.Scopes, s)
}

// Give returns a consent given by by on date for scopes (none: register
// inclusion only).
func Give(by Giver, on calendar.Date, evidence string, scopes ...Scope) Record {
	return Record{Date: on, By: by, Scopes: scopes, Evidence: evidence}
}

// Withdraw returns a withdrawal by by on date of scopes (none: everything).
// Withdrawing consent for inclusion removes the person's identifiable data
// from the register (R-CONS-4).
func Withdraw(by Giver, on calendar.Date, scopes ...Scope) Record {
	return Record{Date: on, By: by, Scopes: scopes, Withdrawn: true}
}

// Event returns the record as a consent_given or consent_withdrawn event.
func (r Record) Event() dsr.Event {
	e := dsr.Event{Type: dsr.EventConsentGiven, Date: r.Date}
	if r.Withdrawn {
		e.Type, e.By = dsr.EventConsentWithdrawn, string(r.By)
	} else {
		e.GivenBy = string(r.By)
	}
	for _, s := range r.Scopes {
		e.Scope = append(e.Scope, string(s))
	}
	return e
}

// FromEvent reads a consent_given or consent_withdrawn event as a Record;
// ok is false for any other event.
func FromEvent(e dsr.Event) (r Record, ok bool) {
	switch e.Type {
	case dsr.EventConsentGiven:
		r.By = Giver(e.GivenBy)
	case dsr.EventConsentWithdrawn:
		r.By, r.Withdrawn = Giver(e.By), true
	default:
		return Record{}, false
	}
	r.Date = e.Day()
	for _, s := range e.Scope {
		r.Scopes = append(r.Scopes, Scope(s))
	}
	return r, true
}

// FromEvents returns the consent records among events, in the order given.
func FromEvents(events []dsr.Event) []Record {
	var rs []Record
	for _, e := range events {
		if r, ok := FromEvent(e); ok {
			rs = append(rs, r)
		}
	}
	return rs
}

// Subject is what the rules need to know about the person consent is for.
type Subject struct {
	DateOfBirth      calendar.Date
	LacksCapacity    bool // lacks capacity to consent (from 16 capacity is presumed)
	GillickCompetent bool // a child under 16 competent to consent
}

// SubjectOf returns the consent subject of a register person.
func SubjectOf(p dsr.Person) Subject {
	return Subject{DateOfBirth: p.DateOfBirth, LacksCapacity: p.LacksCapacity, GillickCompetent: p.GillickCompetent}
}

// Sixteenth returns the 16th birthday (1 March for a 29 February birthday in
// a common year), as dsr.Derive does.
func (s Subject) Sixteenth() calendar.Date {
	f := dsr.Derive(&dsr.Case{AsOf: s.DateOfBirth, Person: dsr.Person{DateOfBirth: s.DateOfBirth}})
	return f.Sixteenth
}

// Params are an area's consent parameters (R-CONS-2, R-CONS-3, R-CONS-5).
// The zero value allows no Gillick-competent child to consent and never
// lapses a parent's consent; start from National2023.
type Params struct {
	// GillickAllowed lets a Gillick-competent child under 16 consent for
	// themselves (R-CONS-2).
	GillickAllowed bool
	// ParentConsentLapses makes a parent's consent lapse at the child's 16th
	// birthday unless the young person confirms it (R-CONS-3).
	ParentConsentLapses bool
	// ReconfirmNoticeDays is how many days before the 16th birthday the
	// young person is asked to confirm a parent's consent (R-CONS-3).
	ReconfirmNoticeDays int
	// ReconfirmEvery, when set, asks for consent to be re-confirmed
	// periodically from the latest consent (R-CONS-5; Greenwich: 365 days).
	ReconfirmEvery *calendar.Deadline
	// Calendar dates ReconfirmEvery; nil means calendar.Default().
	Calendar *calendar.Calendar
}

// National2023 are the parameters of the national-2023 bundle: Gillick
// competence allowed, a parent's consent lapses at 16 with 90 days' notice,
// no periodic re-confirmation.
var National2023 = Params{GillickAllowed: true, ParentConsentLapses: true, ReconfirmNoticeDays: 90}

// MayConsent reports whether by may consent for s on date on (R-CONS-2),
// judged with the person's age on that date and the capacity and competence
// stated now. When not, reason says why in plain words.
func (p Params) MayConsent(s Subject, by Giver, on calendar.Date) (ok bool, reason string) {
	age := calendar.YearsBetween(s.DateOfBirth, on)
	switch {
	case by == Self && age >= 16 && !s.LacksCapacity:
		return true, ""
	case by == Self && age < 16 && p.GillickAllowed && s.GillickCompetent:
		return true, ""
	case by == Parent && age < 16:
		return true, ""
	case (by == Deputy || by == Attorney || by == BestInterests) && age >= 16 && s.LacksCapacity:
		return true, ""
	case by == Self && age < 16:
		return false, "a child under 16 who is not Gillick competent cannot consent for themselves"
	case by == Self:
		return false, "the person lacks capacity, so cannot consent for themselves"
	case by == Parent:
		return false, "a parent may consent only for a child under 16"
	}
	return false, fmt.Sprintf("consent by %s needs a person aged 16 or over who lacks capacity", by)
}

// MayWithdraw reports whether by may consent on date on, and so may
// withdraw consent then (R-CONS-4: whoever may consent now). Evaluate ends
// consent on any withdrawal whoever made it, erring towards holding
// nothing; MayWithdraw is for hosts that want to ask who should confirm.
func (p Params) MayWithdraw(s Subject, by Giver, on calendar.Date) bool {
	ok, _ := p.MayConsent(s, by, on)
	return ok
}

// Lapsed reports whether a parent's consent r has lapsed on asOf: the child
// has reached 16 and has not confirmed it (R-CONS-3).
func (p Params) Lapsed(s Subject, r Record, asOf calendar.Date) bool {
	return p.ParentConsentLapses && !r.Withdrawn && r.By == Parent && !asOf.Before(s.Sixteenth())
}

// Reconfirmation is a consent re-confirmation that falls due (R-CONS-3 or
// R-CONS-5), shaped like the bundle's consent_reconfirm action.
type Reconfirmation struct {
	From   calendar.Date // the date the deadline runs from
	Due    calendar.Date
	Rule   string
	Reason string
}

// Status says whether consent for a scope holds on a date. The zero value is
// "not given".
type Status struct {
	Valid bool
	// GivenBy is the giver of the consent that holds; empty when not valid.
	GivenBy Giver
	// Since is the date of that consent; Evidence its reference.
	Since    calendar.Date
	Evidence string
	// Reasons cite the rules that decided, sorted by rule id then message.
	Reasons []dsr.Reason
	// Reconfirm lists re-confirmations that fall due (R-CONS-3, R-CONS-5).
	Reconfirm []Reconfirmation
}

// Decision returns the status as the assessment's consent decision.
func (st Status) Decision() dsr.ConsentDecision {
	d := dsr.ConsentDecision{Valid: st.Valid, Reasons: slices.Clone(st.Reasons)}
	if st.Valid {
		d.GivenBy = string(st.GivenBy)
	}
	if d.Reasons == nil {
		d.Reasons = []dsr.Reason{}
	}
	return d
}

// Evaluate decides whether consent for scope holds on asOf from records
// (R-CONS-1..5). Records dated after asOf are ignored; the others are taken
// in date order, those on the same day in the order given, and the latest
// record covering scope decides:
//
//   - none: not valid (R-CONS-1);
//   - a withdrawal: not valid (R-CONS-4), whoever withdrew;
//   - consent given by someone who could not consent on its date: not valid
//     (R-CONS-2, saying why);
//   - a parent's consent on or after the 16th birthday: lapsed, not valid
//     (R-CONS-3), with a re-confirmation due on the birthday, which also
//     appears from ReconfirmNoticeDays before it;
//   - otherwise valid (R-CONS-1), with a re-confirmation every
//     ReconfirmEvery when set (R-CONS-5).
func (p Params) Evaluate(s Subject, records []Record, scope Scope, asOf calendar.Date) Status {
	var latest *Record
	idx := make([]int, 0, len(records))
	for i := range records {
		if !records[i].Date.After(asOf) && records[i].Covers(scope) {
			idx = append(idx, i)
		}
	}
	slices.SortStableFunc(idx, func(a, b int) int { return records[a].Date.Compare(records[b].Date) })
	if len(idx) > 0 {
		latest = &records[idx[len(idx)-1]]
	}
	var st Status
	if latest == nil {
		st.Reasons = []dsr.Reason{{Rule: "R-CONS-1", Message: "no consent for inclusion recorded; nothing identifiable is held"}}
		return st
	}
	if latest.Withdrawn {
		st.Reasons = []dsr.Reason{{Rule: "R-CONS-4", Message: fmt.Sprintf("consent withdrawn by %s; identifiable data is removed", latest.By)}}
		return st
	}
	ok, why := p.MayConsent(s, latest.By, latest.Date)
	if !ok {
		st.Reasons = []dsr.Reason{{Rule: "R-CONS-2", Message: why}}
		return st
	}
	// Given by someone who could consent.
	if p.ParentConsentLapses && latest.By == Parent {
		sixteenth := s.Sixteenth()
		if !asOf.Before(sixteenth.AddDays(-p.ReconfirmNoticeDays)) {
			st.Reconfirm = append(st.Reconfirm, Reconfirmation{
				From: sixteenth, Due: sixteenth, Rule: "R-CONS-3",
				Reason: "parent's consent lapses at 16: the young person confirms it, or a best-interests decision is recorded",
			})
		}
		if p.Lapsed(s, *latest, asOf) {
			st.Reasons = []dsr.Reason{{Rule: "R-CONS-3", Message: "consent given by a parent lapsed at the 16th birthday; the young person has not confirmed it"}}
			return st
		}
	}
	st.Valid, st.GivenBy, st.Since, st.Evidence = true, latest.By, latest.Date, latest.Evidence
	st.Reasons = []dsr.Reason{{Rule: "R-CONS-1", Message: fmt.Sprintf("consent for inclusion given by %s", latest.By)}}
	if p.ReconfirmEvery != nil {
		cal := p.Calendar
		if cal == nil {
			cal = calendar.Default()
		}
		if due, err := cal.Due(latest.Date, *p.ReconfirmEvery); err == nil {
			st.Reconfirm = append(st.Reconfirm, Reconfirmation{
				From: latest.Date, Due: due, Rule: "R-CONS-5", Reason: "consent is re-confirmed periodically",
			})
		}
	}
	slices.SortFunc(st.Reconfirm, func(a, b Reconfirmation) int {
		return cmp.Or(a.Due.Compare(b.Due), strings.Compare(a.Rule, b.Rule))
	})
	return st
}

// Consent decides consent for register inclusion on the case's as_of date
// from its consent events. It implements register.ConsentPolicy, so a register
// can enforce R-CONS-1 with these parameters.
func (p Params) Consent(c *dsr.Case) dsr.ConsentDecision {
	return p.Evaluate(SubjectOf(c.Person), FromEvents(c.Events), Inclusion, c.AsOf).Decision()
}
