package rego

import (
	"slices"
	"sync/atomic"

	"github.com/dsrkit/dsrkit/internal/eval"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/dsr"
)

// Keys of the policy input, interned once. The input shape is documented in
// the national-2023 bundle's README; dates are day numbers (days since
// 1970-01-01) and an absent key means "never".
var (
	kAsOf, kPerson, kCircumstances, kFacts, kDecisions = ast.StringTerm("as_of"), ast.StringTerm("person"), ast.StringTerm("circumstances"), ast.StringTerm("facts"), ast.StringTerm("decisions")

	kAge, kLD, kAutism, kAwaiting, kEHCP, kLacksCapacity, kGillick, kKeyworker, kKnown, kSixteenth, kEighteenth = ast.StringTerm("age"), ast.StringTerm("learning_disability"), ast.StringTerm("autism"), ast.StringTerm("awaiting_diagnosis"), ast.StringTerm("ehcp"), ast.StringTerm("lacks_capacity"), ast.StringTerm("gillick_competent"), ast.StringTerm("known_to_keyworker"), ast.StringTerm("known_to_services"), ast.StringTerm("sixteenth"), ast.StringTerm("eighteenth")

	kAdultReferral, kOutOfAreaPlacement, kSection117                                                                                                                                                              = ast.StringTerm("adult_referral_made"), ast.StringTerm("out_of_area_placement"), ast.StringTerm("section_117")
	kInpatient, kPrevious, kAdmission, kLastReview, kLastAnyReview, kLastReport, kLastRegister, kLastVisit, kLastCrisis, kLastReferral, kLastDischarge, kLastAdmission, kBlueLight, kAgreed, kDiagnosis, kConsent = ast.StringTerm("inpatient"), ast.StringTerm("previous_admissions"), ast.StringTerm("admission"), ast.StringTerm("last_review"), ast.StringTerm("last_any_review"), ast.StringTerm("last_report"), ast.StringTerm("last_register_review"), ast.StringTerm("last_oversight_visit"), ast.StringTerm("last_crisis_episode"), ast.StringTerm("last_referral"), ast.StringTerm("last_discharge"), ast.StringTerm("last_admission"), ast.StringTerm("blue_light"), ast.StringTerm("agreed"), ast.StringTerm("diagnosis_change"), ast.StringTerm("consent")

	kDate, kSecurity, kLegalStatus, kOutOfArea, kLastCommunity, kLastMove, kLastMoveChange, kAt, kRating, kRemoved, kInOrAfter, kBy, kWithdrawn = ast.StringTerm("date"), ast.StringTerm("security"), ast.StringTerm("legal_status"), ast.StringTerm("out_of_area"), ast.StringTerm("last_community_review"), ast.StringTerm("last_move"), ast.StringTerm("last_move_change"), ast.StringTerm("at"), ast.StringTerm("rating"), ast.StringTerm("removed"), ast.StringTerm("in_or_after_spell"), ast.StringTerm("by"), ast.StringTerm("withdrawn")

	kEligible, kOnRegister, kConsentValid, kConsentDate, kRatingSince = ast.StringTerm("eligible"), ast.StringTerm("on_register"), ast.StringTerm("consent_valid"), ast.StringTerm("consent_date"), ast.StringTerm("rating_since")

	kLastAnyReviewAt = ast.StringTerm("last_any_review_at")

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
	var cs [16][2]*ast.Term // one per circumstance: Circumstances.Fields
	circ := cs[:0]
	for i, ptr := range c.Circumstances.Fields() {
		if *ptr {
			circ = append(circ, [2]*ast.Term{circumstanceKeys[i], boolTerm(true)})
		}
	}

	// Objects are built whole (ast.NewObject, from pairs gathered on the
	// stack) rather than key by key: NewObject stores the pairs in one
	// block, where Insert allocates each pair on its own.
	var fs [21][2]*ast.Term
	facts := fs[:0]
	facts = append(facts,
		[2]*ast.Term{kInpatient, boolTerm(f.Inpatient)},
		[2]*ast.Term{kPrevious, intTerm(f.PreviousAdmissions)})
	// The register entry's (R-DATA-1), only when they hold, as the
	// circumstances.
	if f.OutOfAreaPlacement {
		facts = append(facts, [2]*ast.Term{kOutOfAreaPlacement, boolTerm(true)})
	}
	if f.Section117 {
		facts = append(facts, [2]*ast.Term{kSection117, boolTerm(true)})
	}
	if n := len(f.Spells); n > 0 {
		facts = append(facts, [2]*ast.Term{kLastAdmission, dayTerm(f.Spells[n-1].Admitted)})
	}
	if s := f.Current(); s != nil {
		var as [8][2]*ast.Term
		adm := append(as[:0],
			[2]*ast.Term{kDate, dayTerm(s.Admitted)},
			[2]*ast.Term{kAge, intTerm(s.AgeAtAdmission)},
			[2]*ast.Term{kSecurity, strTerm(s.Security)},
			[2]*ast.Term{kLegalStatus, strTerm(s.LegalStatus)},
			[2]*ast.Term{kOutOfArea, boolTerm(s.OutOfArea)})
		if !s.LastCommunityReview.IsZero() {
			adm = append(adm, [2]*ast.Term{kLastCommunity, dayTerm(s.LastCommunityReview)})
		}
		if !s.LastMove.IsZero() {
			adm = append(adm,
				[2]*ast.Term{kLastMove, dayTerm(s.LastMove)},
				[2]*ast.Term{kLastMoveChange, strTerm(s.LastMoveChange)})
		}
		facts = append(facts, [2]*ast.Term{kAdmission, ast.NewTerm(ast.NewObject(adm...))})
	}
	var rs [len(dsr.Facts{}.LastReview)][2]*ast.Term
	reviews := rs[:0]
	for i, d := range f.LastReview {
		if !d.IsZero() {
			reviews = append(reviews, [2]*ast.Term{reviewKindKeys[i], dayTerm(d)})
		}
	}
	if len(reviews) > 0 {
		facts = append(facts, [2]*ast.Term{kLastReview, ast.NewTerm(ast.NewObject(reviews...))})
	}
	for _, d := range [...]struct {
		k   *ast.Term
		day calendar.Date
	}{
		{kLastAnyReview, f.LastAnyReview},
		{kLastReport, f.LastReport},
		{kLastRegister, f.LastRegisterReview},
		{kLastVisit, f.LastOversightVisit},
		{kLastCrisis, f.LastCrisisEpisode},
		{kLastReferral, f.LastReferral},
		{kLastDischarge, f.LastDischarge},
		{kAdultReferral, f.AdultReferralMade},
	} {
		if !d.day.IsZero() {
			facts = append(facts, [2]*ast.Term{d.k, dayTerm(d.day)})
		}
	}
	if !f.LastAnyReviewAt.IsZero() {
		facts = append(facts, [2]*ast.Term{kLastAnyReviewAt, ast.IntNumberTerm(int(f.LastAnyReviewAt.Unix()))})
	}
	if !f.LastBlueLight.IsZero() {
		facts = append(facts, [2]*ast.Term{kBlueLight, ast.ObjectTerm(
			[2]*ast.Term{kDate, dayNumTerm(eval.DayOf(f.LastBlueLight))},
			[2]*ast.Term{kAt, ast.IntNumberTerm(int(f.LastBlueLight.Unix()))},
		)})
	}
	if f.Agreed != nil {
		facts = append(facts, [2]*ast.Term{kAgreed, ast.ObjectTerm(
			[2]*ast.Term{kRating, strTerm(f.Agreed.Rating.String())},
			[2]*ast.Term{kDate, dayTerm(f.Agreed.Day())},
		)})
	}
	if !f.LastDiagnosisChange.IsZero() {
		facts = append(facts, [2]*ast.Term{kDiagnosis, ast.ObjectTerm(
			[2]*ast.Term{kDate, dayTerm(f.LastDiagnosisChange)},
			[2]*ast.Term{kRemoved, boolTerm(f.DiagnosisChangeRemoved)},
			[2]*ast.Term{kInOrAfter, boolTerm(f.DiagnosisChangeInOrAfterSpell)},
		)})
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
	facts = append(facts, [2]*ast.Term{kConsent, ast.ArrayTerm(consent...)})

	return ast.NewObject(
		[2]*ast.Term{kAsOf, dayTerm(c.AsOf)},
		[2]*ast.Term{kPerson, ast.NewTerm(person)},
		[2]*ast.Term{kCircumstances, ast.NewTerm(ast.NewObject(circ...))},
		[2]*ast.Term{kFacts, ast.NewTerm(ast.NewObject(facts...))},
	)
}

// kInputs is the key of the declared inputs (R-INPUT-1): input.inputs.NAME.
var kInputs = ast.StringTerm("inputs")

// declaredInput is one declared input: its key, the term of its default
// and, for an enum, the terms of its words, built once (a string term
// costs two allocations).
type declaredInput struct {
	name  string
	key   *ast.Term
	def   *ast.Term
	words map[string]*ast.Term
}

func declaredInputs(decls []dsr.InputDecl) []declaredInput {
	out := make([]declaredInput, len(decls))
	for i, d := range decls {
		out[i] = declaredInput{name: d.Name, key: ast.StringTerm(d.Name), def: inputTerm(d.Default())}
		if d.Kind == dsr.InputEnum {
			out[i].words = make(map[string]*ast.Term, len(d.Values))
			for _, w := range d.Values {
				out[i].words[w] = ast.StringTerm(w)
			}
		}
	}
	return out
}

// inputsObject is input.inputs: every declared input, with the case's
// value (validated by the facade) or the declaration's default, so that a
// rule reads each as it reads a national fact, and as CEL sees it.
func inputsObject(decls []declaredInput, given map[string]dsr.InputValue) ast.Object {
	pairs := make([][2]*ast.Term, len(decls))
	for i, d := range decls {
		t := d.def
		if v, ok := given[d.name]; ok {
			if w, isWord := v.Word(); isWord && d.words[w] != nil {
				t = d.words[w]
			} else {
				t = inputTerm(v)
			}
		}
		pairs[i] = [2]*ast.Term{d.key, t}
	}
	return ast.NewObject(pairs...)
}

func inputTerm(v dsr.InputValue) *ast.Term {
	switch v.Kind() {
	case dsr.InputBool:
		b, _ := v.Bool()
		return boolTerm(b)
	case dsr.InputInt:
		n, _ := v.Int()
		return intTerm(int(n))
	case dsr.InputEnum:
		s, _ := v.Word()
		return strTerm(s)
	}
	return ast.NullTerm()
}
