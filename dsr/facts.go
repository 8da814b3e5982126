package dsr

import (
	"time"

	"github.com/dsrkit/dsrkit/calendar"
)

// Spell is one hospital admission, from admitted to discharged.
type Spell struct {
	Admitted       calendar.Date // day of the admitted event
	Discharged     calendar.Date // zero while the person is still in
	AgeAtAdmission int
	Security       string // ward security now (after transfers)
	LegalStatus    string
	Hospital       string // hospital now (after transfers)
	OutOfArea      bool
	// LastCommunityReview is the latest community review held on or before
	// the admission day (zero if none): R-CETR-PA-1 looks back from here.
	LastCommunityReview calendar.Date
	// LastMove is the latest transfer in this spell that changed the hospital
	// or the ward security (R-CETR-TRIG); zero if none.
	LastMove calendar.Date
	// LastMoveChange says what the last move changed: "hospital",
	// "security_up" or "security_down".
	LastMoveChange string
}

// ConsentRecord is one consent_given or consent_withdrawn event that covers a
// scope, with the person's age on its date.
type ConsentRecord struct {
	Date      calendar.Date
	By        string // who gave or withdrew it
	Withdrawn bool
	Age       int
}

// Facts are what a person's history and details say on the case's as_of date.
// Facts derived from events beat facts stated by hand (docs/rules.md#vocabulary).
// Every zero date means "never".
type Facts struct {
	AsOf calendar.Date
	Age  int
	// Sixteenth and Eighteenth are the 16th and 18th birthdays.
	Sixteenth, Eighteenth calendar.Date
	// LearningDisability and Autism after diagnosis_added/removed events.
	LearningDisability, Autism bool

	Inpatient bool
	// Spells lists every admission in date order; the last one is current
	// when Inpatient.
	Spells []Spell
	// PreviousAdmissions counts completed spells (admitted and discharged),
	// and the earlier admissions the register entry records that the
	// history does not (R-DATA-1).
	PreviousAdmissions int
	// OutOfAreaPlacement and Section117 are the register entry's placement
	// out of area and section 117 aftercare eligibility (R-DATA-1).
	OutOfAreaPlacement, Section117 bool
	LastDischarge                  calendar.Date

	// LastReview is the latest review_held of each kind, indexed as
	// ReviewKinds; LastAnyReview the latest of any kind.
	LastReview    [5]calendar.Date
	LastAnyReview calendar.Date
	// LastAnyReviewAt is the latest instant of any review_held: its At, or
	// the start of its day when it carries no time (R-BL-FOLLOW-2).
	LastAnyReviewAt time.Time
	// LastReport is the latest report_sent.
	LastReport         calendar.Date
	LastRegisterReview calendar.Date
	LastOversightVisit calendar.Date
	LastCrisisEpisode  calendar.Date
	LastReferral       calendar.Date
	// AdultReferralMade is the latest adult_referral_made (R-REM-1).
	AdultReferralMade calendar.Date
	// LastBlueLight is the instant of the latest blue_light_meeting.
	LastBlueLight time.Time

	// Agreed is the latest rating_agreed event (R-RAG-AGREED), if any.
	Agreed *Event

	// LastDiagnosisChange is the latest diagnosis_added or
	// diagnosis_removed, and whether it came while an inpatient or after a
	// discharge (R-CETR-TRIG).
	LastDiagnosisChange           calendar.Date
	DiagnosisChangeRemoved        bool
	DiagnosisChangeInOrAfterSpell bool

	// Consent lists consent_given and consent_withdrawn events for register
	// inclusion (scope dsr), oldest first.
	Consent []ConsentRecord
}

// Current returns the current spell, or nil when not an inpatient.
func (f *Facts) Current() *Spell {
	if !f.Inpatient || len(f.Spells) == 0 {
		return nil
	}
	return &f.Spells[len(f.Spells)-1]
}

// AdmissionsWithoutCommunityReview counts admissions with no community
// review in the lookback days up to and including the admission day.
func (f *Facts) AdmissionsWithoutCommunityReview(lookback int) int {
	n := 0
	for i := range f.Spells {
		s := &f.Spells[i]
		if s.LastCommunityReview.IsZero() || s.Admitted.Sub(s.LastCommunityReview) > lookback {
			n++
		}
	}
	return n
}

// ReviewKindIndex returns the index of kind in ReviewKinds, or -1.
func ReviewKindIndex(kind string) int {
	for i, k := range ReviewKinds {
		if k == kind {
			return i
		}
	}
	return -1
}

var securityRank = map[string]int{"": 0, "general": 0, "picu": 1, "low": 2, "medium": 3, "high": 4}

// Derive works out the facts of a valid case. Events dated after as_of are
// ignored. It does not validate; call Case.Validate first for untrusted
// input.
func Derive(c *Case) Facts {
	var f Facts
	DeriveInto(c, &f)
	return f
}

// DeriveInto is Derive reusing f's storage (its Spells and Consent slices),
// for callers that assess many cases in a loop.
func DeriveInto(c *Case, f *Facts) {
	spells, consent := f.Spells[:0], f.Consent[:0]
	*f = Facts{AsOf: c.AsOf, Spells: spells, Consent: consent}
	p := &c.Person
	f.Age = p.AgeOn(c.AsOf)
	f.Sixteenth = p.DateOfBirth.AddMonths(16 * 12)
	f.Eighteenth = p.DateOfBirth.AddMonths(18 * 12)
	if p.DateOfBirth.Month() == time.February && p.DateOfBirth.Day() == 29 {
		// A leap-day birthday is reached on 1 March in common years.
		f.Sixteenth = leapBirthday(p.DateOfBirth, 16)
		f.Eighteenth = leapBirthday(p.DateOfBirth, 18)
	}
	f.LearningDisability, f.Autism = p.LearningDisability, p.Autism

	// Events are usually given in date order; only sort when they are not,
	// so that DeriveInto does not allocate in the common case.
	var order []int
	for i := 1; i < len(c.Events); i++ {
		if c.Events[i].Day().Before(c.Events[i-1].Day()) {
			order = Chronological(c.Events)
			break
		}
	}
	var cur *Spell
	for n := range c.Events {
		i := n
		if order != nil {
			i = order[n]
		}
		e := &c.Events[i]
		d := e.Day()
		if d.After(c.AsOf) {
			continue
		}
		switch e.Type {
		case EventAdmitted:
			f.Spells = append(f.Spells, Spell{
				Admitted: d, AgeAtAdmission: p.AgeOn(d), Security: orDefault(e.Security, "general"),
				LegalStatus: orDefault(e.LegalStatus, "informal"), Hospital: e.Hospital, OutOfArea: e.OutOfArea,
				LastCommunityReview: f.LastReview[0],
			})
			cur = &f.Spells[len(f.Spells)-1]
			f.Inpatient = true
		case EventTransferred:
			if cur == nil {
				continue
			}
			change := ""
			if e.Security != "" && e.Security != cur.Security {
				change = "security_down"
				if securityRank[e.Security] > securityRank[cur.Security] {
					change = "security_up"
				}
				cur.Security = e.Security
			}
			if e.Hospital != "" && e.Hospital != cur.Hospital {
				if change == "" {
					change = "hospital"
				}
				cur.Hospital = e.Hospital
			}
			if change != "" {
				cur.LastMove, cur.LastMoveChange = d, change
			}
		case EventDischarged:
			if cur == nil {
				continue
			}
			cur.Discharged = d
			cur = nil
			f.Inpatient = false
			f.PreviousAdmissions++
			f.LastDischarge = d
		case EventReviewHeld:
			if k := ReviewKindIndex(e.Kind); k >= 0 {
				f.LastReview[k] = d
			}
			// A community review on the admission day counts for that
			// admission whichever of the two events is listed first.
			if e.Kind == ReviewCommunity && cur != nil && cur.Admitted == d {
				cur.LastCommunityReview = d
			}
			f.LastAnyReview = d
			if at := e.Instant(); at.After(f.LastAnyReviewAt) {
				f.LastAnyReviewAt = at
			}
		case EventReportSent:
			f.LastReport = d
		case EventRegisterReviewed:
			f.LastRegisterReview = d
		case EventOversightVisit:
			f.LastOversightVisit = d
		case EventCrisisTeamEpisode:
			f.LastCrisisEpisode = d
		case EventReferralReceived:
			f.LastReferral = d
		case EventAdultReferralMade:
			f.AdultReferralMade = d
		case EventBlueLightMeeting:
			f.LastBlueLight = e.Instant()
		case EventRatingAgreed:
			f.Agreed = e
		case EventDiagnosisAdded, EventDiagnosisRemoved:
			add := e.Type == EventDiagnosisAdded
			switch e.Condition {
			case "autism":
				f.Autism = add
			case "learning_disability":
				f.LearningDisability = add
			}
			f.LastDiagnosisChange = d
			f.DiagnosisChangeRemoved = !add
			f.DiagnosisChangeInOrAfterSpell = len(f.Spells) > 0
		case EventConsentGiven, EventConsentWithdrawn:
			if !e.HasScope(ScopeDSR) {
				continue
			}
			by := e.GivenBy
			if e.Type == EventConsentWithdrawn {
				by = e.By
			}
			f.Consent = append(f.Consent, ConsentRecord{
				Date: d, By: by, Withdrawn: e.Type == EventConsentWithdrawn, Age: p.AgeOn(d),
			})
		}
	}
	entryFacts(c.Entry, f)
}

// entryFacts adds what the register entry records to f (R-DATA-1): an
// earlier admission it lists that no admitted event of the history has
// that day counts as a previous admission.
func entryFacts(e *Entry, f *Facts) {
	if e == nil {
		return
	}
	f.OutOfAreaPlacement = e.OutOfArea()
	f.Section117 = e.Section117 != nil && *e.Section117
	for _, d := range e.PreviousAdmissions {
		if d.IsZero() || d.After(f.AsOf) {
			continue
		}
		known := false
		for i := range f.Spells {
			if f.Spells[i].Admitted == d {
				known = true
				break
			}
		}
		if !known {
			f.PreviousAdmissions++
		}
	}
}

func leapBirthday(dob calendar.Date, years int) calendar.Date {
	y := dob.Year() + years
	if calendar.DaysIn(y, time.February) == 29 {
		return calendar.NewDate(y, time.February, 29)
	}
	return calendar.NewDate(y, time.March, 1)
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
