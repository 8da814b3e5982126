package policies

import (
	"slices"
	"sync/atomic"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/dsrkit/dsrkit/dsr"
)

// Keys of the policy input, interned once. The input shape is documented in
// the national-2023 bundle's README; dates are day numbers (days since
// 1970-01-01) and an absent key means "never".
var (
	kAsOf, kPerson, kCircumstances, kFacts, kDecisions = ast.StringTerm("as_of"), ast.StringTerm("person"), ast.StringTerm("circumstances"), ast.StringTerm("facts"), ast.StringTerm("decisions")

	kAge, kLD, kAutism, kAwaiting, kEHCP, kLacksCapacity, kGillick, kKeyworker, kKnown, kSixteenth, kEighteenth = ast.StringTerm("age"), ast.StringTerm("learning_disability"), ast.StringTerm("autism"), ast.StringTerm("awaiting_diagnosis"), ast.StringTerm("ehcp"), ast.StringTerm("lacks_capacity"), ast.StringTerm("gillick_competent"), ast.StringTerm("known_to_keyworker"), ast.StringTerm("known_to_services"), ast.StringTerm("sixteenth"), ast.StringTerm("eighteenth")

	kInpatient, kPrevious, kAdmission, kLastReview, kLastAnyReview, kLastReport, kLastRegister, kLastVisit, kLastCrisis, kLastReferral, kLastDischarge, kLastAdmission, kBlueLight, kAgreed, kDiagnosis, kConsent = ast.StringTerm("inpatient"), ast.StringTerm("previous_admissions"), ast.StringTerm("admission"), ast.StringTerm("last_review"), ast.StringTerm("last_any_review"), ast.StringTerm("last_report"), ast.StringTerm("last_register_review"), ast.StringTerm("last_oversight_visit"), ast.StringTerm("last_crisis_episode"), ast.StringTerm("last_referral"), ast.StringTerm("last_discharge"), ast.StringTerm("last_admission"), ast.StringTerm("blue_light"), ast.StringTerm("agreed"), ast.StringTerm("diagnosis_change"), ast.StringTerm("consent")

	kDate, kSecurity, kLegalStatus, kOutOfArea, kLastCommunity, kLastMove, kLastMoveChange, kAt, kRating, kRemoved, kInOrAfter, kBy, kWithdrawn = ast.StringTerm("date"), ast.StringTerm("security"), ast.StringTerm("legal_status"), ast.StringTerm("out_of_area"), ast.StringTerm("last_community_review"), ast.StringTerm("last_move"), ast.StringTerm("last_move_change"), ast.StringTerm("at"), ast.StringTerm("rating"), ast.StringTerm("removed"), ast.StringTerm("in_or_after_spell"), ast.StringTerm("by"), ast.StringTerm("withdrawn")

	kEligible, kOnRegister, kConsentValid, kConsentDate = ast.StringTerm("eligible"), ast.StringTerm("on_register"), ast.StringTerm("consent_valid"), ast.StringTerm("consent_date")

	reviewKindKeys = func() []*ast.Term {
		ks := make([]*ast.Term, len(dsr.ReviewKinds))
		for i, k := range dsr.ReviewKinds {
			ks[i] = ast.StringTerm(k)
		}
		return ks
	}()
	circumstanceKeys = func() []*ast.Term {
		ks := make([]*ast.Term, len(dsr.CircumstanceNames))
		for i, k := range dsr.CircumstanceNames {
			ks[i] = ast.StringTerm(k)
		}
		return ks
	}()
)

func boolTerm(b bool) *ast.Term { return ast.InternedTerm(b) }
func intTerm(i int) *ast.Term   { return ast.InternedTerm(i) }
func strTerm(s string) *ast.Term {
	if t, ok := vocabTerms[s]; ok {
		return t
	}
	return ast.InternedTerm(s)
}

// vocabTerms are the terms of the words an input carries from closed
// vocabularies (consent givers, ward security levels, legal statuses,
// kinds of move, ratings), built once and shared like dayTerms: a string
// term costs two allocations, and each input carries several of these.
var vocabTerms = func() map[string]*ast.Term {
	words := slices.Concat(dsr.ConsentGivers, dsr.SecurityLevels, dsr.LegalStatuses,
		[]string{"hospital", "security_up", "security_down"},
		[]string{dsr.Red.String(), dsr.Amber.String(), dsr.Green.String(), dsr.Blue.String()})
	m := make(map[string]*ast.Term, len(words))
	for _, w := range words {
		m[w] = ast.StringTerm(w)
	}
	return m
}()

// dayTerm is a date as a day number.
func dayTerm(d interface{ Days() int }) *ast.Term { return dayNumTerm(d.Days()) }

// dayTerms interns the terms of day numbers, as OPA interns small integers
// (ast.InternedTerm): a day number's term costs three allocations (the
// term, its digits, the boxed value) and an input holds a dozen dates, most
// of them recurring from case to case (as_of, this year's events). The
// table is direct-mapped: any 4,096 consecutive days (11 years) each have
// a slot of their own; a miss builds the term and takes the slot. Terms are
// never modified once built, so evaluations and goroutines share them as
// they share OPA's interned terms.
var dayTerms [4096]atomic.Pointer[dayTermEntry]

type dayTermEntry struct {
	day  int
	term *ast.Term
}

// dayNumTerm is the term of day number n.
func dayNumTerm(n int) *ast.Term {
	slot := &dayTerms[uint(n)%uint(len(dayTerms))]
	if e := slot.Load(); e != nil && e.day == n {
		return e.term
	}
	t := ast.IntNumberTerm(n)
	slot.Store(&dayTermEntry{day: n, term: t})
	return t
}

// buildInput turns a case and its facts into the policy input.
func buildInput(c *dsr.Case, f *dsr.Facts) ast.Object {
	p := &c.Person
	person := ast.NewObject(
		[2]*ast.Term{kAge, intTerm(f.Age)},
		[2]*ast.Term{kLD, boolTerm(f.LearningDisability)},
		[2]*ast.Term{kAutism, boolTerm(f.Autism)},
		[2]*ast.Term{kAwaiting, boolTerm(p.AwaitingDiagnosis)},
		[2]*ast.Term{kEHCP, boolTerm(p.EHCP)},
		[2]*ast.Term{kLacksCapacity, boolTerm(p.LacksCapacity)},
		[2]*ast.Term{kGillick, boolTerm(p.GillickCompetent)},
		[2]*ast.Term{kKeyworker, boolTerm(p.KnownToKeyworker)},
		[2]*ast.Term{kKnown, boolTerm(p.KnownToServices)},
		[2]*ast.Term{kSixteenth, dayTerm(f.Sixteenth)},
		[2]*ast.Term{kEighteenth, dayTerm(f.Eighteenth)},
	)
	// Only the circumstances that hold: rules test input.circumstances[name]
	// == true, for which absent and false are alike, and iterating the
	// object then visits only the true ones.
	circ := ast.NewObjectWithCapacity(4)
	cs := c.Circumstances
	for i, ptr := range cs.Fields() {
		if *ptr {
			circ.Insert(circumstanceKeys[i], boolTerm(true))
		}
	}

	facts := ast.NewObjectWithCapacity(16)
	facts.Insert(kInpatient, boolTerm(f.Inpatient))
	facts.Insert(kPrevious, intTerm(f.PreviousAdmissions))
	if n := len(f.Spells); n > 0 {
		facts.Insert(kLastAdmission, dayTerm(f.Spells[n-1].Admitted))
	}
	if s := f.Current(); s != nil {
		adm := ast.NewObjectWithCapacity(8)
		adm.Insert(kDate, dayTerm(s.Admitted))
		adm.Insert(kAge, intTerm(s.AgeAtAdmission))
		adm.Insert(kSecurity, strTerm(s.Security))
		adm.Insert(kLegalStatus, strTerm(s.LegalStatus))
		adm.Insert(kOutOfArea, boolTerm(s.OutOfArea))
		if !s.LastCommunityReview.IsZero() {
			adm.Insert(kLastCommunity, dayTerm(s.LastCommunityReview))
		}
		if !s.LastMove.IsZero() {
			adm.Insert(kLastMove, dayTerm(s.LastMove))
			adm.Insert(kLastMoveChange, strTerm(s.LastMoveChange))
		}
		facts.Insert(kAdmission, ast.NewTerm(adm))
	}
	var reviews ast.Object
	for i, d := range f.LastReview {
		if !d.IsZero() {
			if reviews == nil {
				reviews = ast.NewObjectWithCapacity(len(f.LastReview))
			}
			reviews.Insert(reviewKindKeys[i], dayTerm(d))
		}
	}
	if reviews != nil {
		facts.Insert(kLastReview, ast.NewTerm(reviews))
	}
	optDay := func(k *ast.Term, d interface {
		IsZero() bool
		Days() int
	}) {
		if !d.IsZero() {
			facts.Insert(k, dayTerm(d))
		}
	}
	optDay(kLastAnyReview, f.LastAnyReview)
	optDay(kLastReport, f.LastReport)
	optDay(kLastRegister, f.LastRegisterReview)
	optDay(kLastVisit, f.LastOversightVisit)
	optDay(kLastCrisis, f.LastCrisisEpisode)
	optDay(kLastReferral, f.LastReferral)
	optDay(kLastDischarge, f.LastDischarge)
	if !f.LastBlueLight.IsZero() {
		facts.Insert(kBlueLight, ast.ObjectTerm(
			[2]*ast.Term{kDate, dayNumTerm(dayOf(f.LastBlueLight))},
			[2]*ast.Term{kAt, ast.IntNumberTerm(int(f.LastBlueLight.Unix()))},
		))
	}
	if f.Agreed != nil {
		facts.Insert(kAgreed, ast.ObjectTerm(
			[2]*ast.Term{kRating, strTerm(f.Agreed.Rating.String())},
			[2]*ast.Term{kDate, dayTerm(f.Agreed.Day())},
		))
	}
	if !f.LastDiagnosisChange.IsZero() {
		facts.Insert(kDiagnosis, ast.ObjectTerm(
			[2]*ast.Term{kDate, dayTerm(f.LastDiagnosisChange)},
			[2]*ast.Term{kRemoved, boolTerm(f.DiagnosisChangeRemoved)},
			[2]*ast.Term{kInOrAfter, boolTerm(f.DiagnosisChangeInOrAfterSpell)},
		))
	}
	consent := make([]*ast.Term, len(f.Consent))
	for i, r := range f.Consent {
		consent[i] = ast.ObjectTerm(
			[2]*ast.Term{kDate, dayTerm(r.Date)},
			[2]*ast.Term{kBy, strTerm(r.By)},
			[2]*ast.Term{kWithdrawn, boolTerm(r.Withdrawn)},
			[2]*ast.Term{kAge, intTerm(r.Age)},
		)
	}
	facts.Insert(kConsent, ast.ArrayTerm(consent...))

	return ast.NewObject(
		[2]*ast.Term{kAsOf, dayTerm(c.AsOf)},
		[2]*ast.Term{kPerson, ast.NewTerm(person)},
		[2]*ast.Term{kCircumstances, ast.NewTerm(circ)},
		[2]*ast.Term{kFacts, ast.NewTerm(facts)},
	)
}
