// Package policycheck checks policy bundles without a test framework: a
// seeded generator of realistic synthetic cases (Generator, for impact runs
// over a million people and for `dsr policy diff --generate`), a library of
// invariants every bundle must keep (Invariants; Run checks them over
// generated cases), the scenario folders of a bundle (ScenarioResults), and
// the bundle's own Rego unit tests (RegoUnitTests). It is what the dsr
// command uses, and it imports neither testing nor rapid, so a binary built
// on it links neither.
//
// In a Go test, use policytest instead: it runs the same invariants and
// scenarios as subtests (policytest.Check, policytest.RunScenarios) and
// draws the same population for rapid (policytest.CaseWith), with
// shrinking.
//
// Every generated case is valid (it passes dsr.Case.Validate): events are
// in time order between the date of birth and as_of, admissions and
// discharges alternate, transfers happen during a spell, NHS numbers come
// from the 999 test range. The people are synthetic; never put real patient
// data in a test.
package policycheck

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/dsr"
)

// Mix tunes the population a generator draws from. Probabilities are in
// [0, 1]; weights are relative (they need not sum to 1). A zero field takes
// DefaultMix's value, except probabilities and weights in a field group the
// caller set (a non-zero DiagnosisMix is used as given). Start from
// DefaultMix and change what the study needs.
type Mix struct {
	// From and To bound as_of.
	From, To calendar.Date
	// AgeBands is the age mix (completed years on as_of); when empty, ages
	// are uniform in 0..MaxAge.
	AgeBands []AgeBand
	// MaxAge is the oldest person generated when AgeBands is empty.
	MaxAge int
	// MaxEvents bounds the history length (0: DefaultMix's; negative: no
	// bound); events beyond it are dropped, never admissions or discharges,
	// so the history stays valid.
	MaxEvents int
	// PCircumstance is the chance each circumstance holds.
	PCircumstance float64
	// Diagnosis is the diagnosis mix.
	Diagnosis DiagnosisMix
	// Consent is the consent-history mix.
	Consent ConsentMix
	// Person facts: the chance each holds.
	PLacksCapacity, PEHCP, PGillick, PKeyworker, PKnownToServices float64
	// PAdmitted is the chance of at least one admission in the three years
	// before as_of; PSecondSpell the chance of a second one; PInpatient
	// the chance the latest spell is still open on as_of (inpatient now).
	PAdmitted, PSecondSpell, PInpatient float64
	// PTransfer is the chance of a transfer (hospital or ward security)
	// during each spell.
	PTransfer float64
	// PReview is the chance of each review: a community review before an
	// admission or in the community, a post-admission or inpatient review
	// during a spell; a report follows a review with PReport.
	PReview, PReport float64
	// PBlueLight is the chance of a Blue Light meeting (just before an
	// admission when there is one).
	PBlueLight float64
	// Chances of other events: a register review, an agreed rating, a
	// crisis team episode, an oversight visit (per spell), a diagnosis
	// added or removed, a referral.
	PRegisterReview, PRatingAgreed, PCrisisEpisode, POversightVisit, PDiagnosisChange, PReferral float64
	// Inputs are the bundle's declared inputs (R-INPUT-1,
	// policies.Engine.Inputs) to draw: each is given with chance PInput, a
	// bool true with chance one half, an int uniform from its min to its
	// max, an enum one of its values. None when empty; NewChecker and Run
	// fill them from the engine under test when the mix has none.
	Inputs []dsr.InputDecl
	// PInput is the chance each declared input is given (otherwise the
	// rules see its default).
	PInput float64
	// Chances of what a register adds to a case: a review_held with the
	// time it was held (R-BL-FOLLOW-2), the day the circumstances were
	// first reported (circumstances_since, R-RAG-AGREED-2, R-REV-2), the
	// referral to the adult register recorded as made for a 17- or
	// 18-year-old (R-REM-1), and a register entry with a placement,
	// section 117 and an earlier admission (R-DATA-1).
	PTimedReview, PCircumstancesSince, PAdultReferral, PEntry float64
}

// AgeBand is a range of ages, inclusive, with its weight in the mix.
type AgeBand struct {
	Min, Max int
	Weight   float64
}

// DiagnosisMix weighs the diagnoses people have; PAwaiting is the chance a
// person is awaiting a diagnosis (R-ELIG-1 counts it only where the area
// allows it).
type DiagnosisMix struct {
	LearningDisability, Autism, Both, Neither float64
	PAwaiting                                 float64
}

// ConsentMix weighs consent histories (R-CONS-*): none recorded, given,
// given then withdrawn, given again after a withdrawal. PImproper is the
// chance the consent was given by someone who may not give it then (a
// parent for an adult, a 12-year-old without Gillick competence; R-CONS-2);
// POtherScope the chance a consent covers only a C(E)TR, not the register.
type ConsentMix struct {
	None, Given, Withdrawn, Regiven float64
	PImproper, POtherScope          float64
}

// DefaultMix: as_of in 2026–2027; children, young people and adults (0–70,
// weighted towards the under-25s the registers mostly hold); most people
// autistic or with a learning disability; most with consent; one in three
// admitted in the last three years; each circumstance true one time in six.
var DefaultMix = Mix{
	From: calendar.NewDate(2026, 1, 1), To: calendar.NewDate(2027, 12, 31),
	AgeBands: []AgeBand{
		{0, 9, 1}, {10, 13, 2}, {14, 15, 2}, {16, 17, 2}, {18, 25, 2}, {26, 70, 3},
	},
	MaxAge: 70, MaxEvents: 14, PCircumstance: 1.0 / 6,
	Diagnosis:      DiagnosisMix{LearningDisability: 3, Autism: 3, Both: 3, Neither: 1, PAwaiting: 0.1},
	Consent:        ConsentMix{None: 1, Given: 6, Withdrawn: 1, Regiven: 1, PImproper: 0.15, POtherScope: 0.1},
	PLacksCapacity: 0.2, PEHCP: 0.4, PGillick: 0.5, PKeyworker: 0.5, PKnownToServices: 0.5,
	PAdmitted: 0.35, PSecondSpell: 0.2, PInpatient: 0.5, PTransfer: 0.3,
	PReview: 0.5, PReport: 0.6, PBlueLight: 0.15,
	PRegisterReview: 0.5, PRatingAgreed: 0.3, PCrisisEpisode: 0.25, POversightVisit: 0.5,
	PDiagnosisChange: 0.1, PReferral: 0.5, PInput: 0.8,
	PTimedReview: 0.3, PCircumstancesSince: 0.5, PAdultReferral: 0.3, PEntry: 0.3,
}

// withDefaults fills the fields a caller left zero from DefaultMix.
func (m Mix) withDefaults() Mix {
	d := DefaultMix
	if m.From.IsZero() {
		m.From = d.From
	}
	if m.To.IsZero() {
		m.To = calendar.FromDays(max(d.To.Days(), m.From.Days()))
	}
	if m.To.Before(m.From) {
		m.To = m.From
	}
	if m.MaxEvents == 0 {
		m.MaxEvents = d.MaxEvents
	}
	if len(m.AgeBands) == 0 && m.MaxAge <= 0 {
		m.AgeBands = d.AgeBands
	}
	if m.Diagnosis == (DiagnosisMix{}) {
		m.Diagnosis = d.Diagnosis
	}
	if m.Consent == (ConsentMix{}) {
		m.Consent = d.Consent
	}
	for _, p := range []struct {
		dst *float64
		def float64
	}{
		{&m.PLacksCapacity, d.PLacksCapacity}, {&m.PEHCP, d.PEHCP}, {&m.PGillick, d.PGillick},
		{&m.PKeyworker, d.PKeyworker}, {&m.PKnownToServices, d.PKnownToServices},
		{&m.PAdmitted, d.PAdmitted}, {&m.PSecondSpell, d.PSecondSpell}, {&m.PInpatient, d.PInpatient},
		{&m.PTransfer, d.PTransfer}, {&m.PReview, d.PReview}, {&m.PReport, d.PReport},
		{&m.PBlueLight, d.PBlueLight}, {&m.PRegisterReview, d.PRegisterReview},
		{&m.PRatingAgreed, d.PRatingAgreed}, {&m.PCrisisEpisode, d.PCrisisEpisode},
		{&m.POversightVisit, d.POversightVisit}, {&m.PDiagnosisChange, d.PDiagnosisChange},
		{&m.PReferral, d.PReferral}, {&m.PInput, d.PInput},
		{&m.PTimedReview, d.PTimedReview}, {&m.PCircumstancesSince, d.PCircumstancesSince},
		{&m.PAdultReferral, d.PAdultReferral}, {&m.PEntry, d.PEntry},
	} {
		if *p.dst == 0 {
			*p.dst = p.def
		}
	}
	return m
}

// Source is where a generator's choices come from: a seeded PCG here (fast,
// for impact runs), or rapid in policytest (which records the choices, to
// shrink a failing case). IntN returns a value in [0, n) for the choice
// named label; smaller values are "simpler" (rapid shrinks towards 0), so
// every choice puts its simplest outcome at 0. Scale is the resolution of
// chances and weighted picks (1/Scale): a source that records each choice
// bit by bit wants it smaller than one that draws whole numbers.
type Source interface {
	IntN(label string, n int) int
	Scale() int
}

type pcgSource struct{ r *rand.Rand }

func (pcgSource) Scale() int { return 1 << 20 }

func (s pcgSource) IntN(_ string, n int) int {
	if n <= 1 {
		return 0
	}
	return s.r.IntN(n)
}

// chance is true with probability p; the simplest outcome is false.
func chance(s Source, label string, p float64) bool {
	switch {
	case p <= 0:
		return false
	case p >= 1:
		return true
	}
	scale := s.Scale()
	return s.IntN(label, scale) >= int((1-p)*float64(scale))
}

// pick chooses an index with the given weights; the simplest is 0.
func pick(s Source, label string, weights ...float64) int {
	total := 0.0
	for _, w := range weights {
		total += max(w, 0)
	}
	if total <= 0 {
		return 0
	}
	scale := s.Scale()
	x := float64(s.IntN(label, scale)) / float64(scale) * total
	for i, w := range weights {
		if x < max(w, 0) {
			return i
		}
		x -= max(w, 0)
	}
	return len(weights) - 1
}

func oneOf[T any](s Source, label string, xs []T) T { return xs[s.IntN(label, len(xs))] }

// between draws a day in [lo, hi] (lo when hi < lo).
func between(s Source, label string, lo, hi calendar.Date) calendar.Date {
	if !hi.After(lo) {
		return lo
	}
	return lo.AddDays(s.IntN(label, hi.Sub(lo)+1))
}

// DrawCase draws one valid case from mix (DefaultMix's values where mix
// leaves a field zero) with the choices of src; seq numbers the person (its
// ID and NHS number). Generator and policytest.CaseWith are built on it.
func DrawCase(src Source, mix Mix, seq int) dsr.Case {
	m := mix.withDefaults()
	return genCase(src, &m, seq)
}

// Generator draws cases from a mix with a seeded PCG: case i is a function
// of (Seed, i) only, so a million cases can be generated in parallel, in
// any order, and are the same on every run and machine (with the same
// version of this package). It shares Mix's distribution with
// policytest.CaseWith.
type Generator struct {
	Mix  Mix
	Seed uint64
	m    *Mix
}

// NewGenerator returns a generator over mix with the seed.
func NewGenerator(mix Mix, seed uint64) *Generator {
	m := mix.withDefaults()
	return &Generator{Mix: mix, Seed: seed, m: &m}
}

// Case returns case i (i ≥ 0). Safe for concurrent use.
func (g *Generator) Case(i int) dsr.Case {
	m := g.m
	if m == nil {
		mm := g.Mix.withDefaults()
		m = &mm
	}
	pcg := rand.NewPCG(splitmix(g.Seed), splitmix(g.Seed^(uint64(i)+1)*0x9e3779b97f4a7c15))
	return genCase(pcgSource{rand.New(pcg)}, m, i)
}

func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

var hospitals = []string{"Synthetic Hospital A", "Synthetic Hospital B", "Synthetic Hospital C"}
var legalStatuses = []string{"informal", "s2", "s3", "s136", "s37", "s5_2"}

// genCase draws one case from m; seq numbers the person.
func genCase(s Source, m *Mix, seq int) dsr.Case {
	asOf := between(s, "as_of", m.From, m.To)
	var age int
	if len(m.AgeBands) > 0 {
		ws := make([]float64, len(m.AgeBands))
		for i, b := range m.AgeBands {
			ws[i] = b.Weight
		}
		b := m.AgeBands[pick(s, "age_band", ws...)]
		age = b.Min + s.IntN("age", max(b.Max-b.Min+1, 1))
	} else {
		age = s.IntN("age", m.MaxAge+1)
	}
	// Born between age and age+1 years before as_of.
	latest := asOf.AddMonths(-12 * age)
	earliest := asOf.AddMonths(-12 * (age + 1)).AddDays(1)
	dob := between(s, "date_of_birth", earliest, latest)
	p := dsr.Person{
		ID:             fmt.Sprintf("syn-%06d", seq%1_000_000),
		NHSNumber:      dsr.TestNHSNumber(seq),
		DateOfBirth:    dob,
		LocalAuthority: "Synthetic Borough",
	}
	d := m.Diagnosis
	switch pick(s, "diagnosis", d.Both, d.LearningDisability, d.Autism, d.Neither) {
	case 0:
		p.LearningDisability, p.Autism = true, true
	case 1:
		p.LearningDisability = true
	case 2:
		p.Autism = true
	}
	p.AwaitingDiagnosis = chance(s, "awaiting", d.PAwaiting)
	p.EHCP = chance(s, "ehcp", m.PEHCP)
	p.LacksCapacity = chance(s, "lacks_capacity", m.PLacksCapacity)
	p.GillickCompetent = chance(s, "gillick", m.PGillick)
	p.KnownToKeyworker = chance(s, "keyworker", m.PKeyworker)
	p.KnownToServices = chance(s, "known_to_services", m.PKnownToServices)
	var circ dsr.Circumstances
	for i, f := range circ.Fields() {
		*f = chance(s, dsr.CircumstanceNames[i], m.PCircumstance)
	}
	c := dsr.Case{AsOf: asOf, Person: p, Circumstances: circ}
	c.Events = genHistory(s, m, &c.Person, asOf)
	// Drawn last, so a mix without inputs draws the cases it always drew.
	c.Inputs = genInputs(s, m)
	genRegisterFacts(s, m, &c)
	return c
}

// genRegisterFacts draws what a register adds to a case (Mix.PTimedReview
// and the rest), after everything else, so the earlier draws of each case
// are the same with or without them.
func genRegisterFacts(s Source, m *Mix, c *dsr.Case) {
	if chance(s, "timed_review", m.PTimedReview) {
		for i := range c.Events {
			e := &c.Events[i]
			if e.Type != dsr.EventReviewHeld || !e.At.IsZero() {
				continue
			}
			at := e.Date.Start().Add(time.Duration(s.IntN("review_minute", 24*60)) * time.Minute)
			if calendar.DateOf(at) == e.Date { // not in the lost hour of a spring clock change
				e.At = at
			}
			break
		}
	}
	born := c.Person.DateOfBirth
	if chance(s, "circumstances_since", m.PCircumstancesSince) {
		c.CircumstancesSince = between(s, "circumstances_since_date", maxDate(born, c.AsOf.AddDays(-365)), c.AsOf)
	}
	if age := c.Person.AgeOn(c.AsOf); (age == 17 || age == 18) && chance(s, "adult_referral", m.PAdultReferral) {
		d := between(s, "adult_referral_date", maxDate(born, c.AsOf.AddDays(-180)), c.AsOf)
		c.Events = append(c.Events, dsr.Event{Type: dsr.EventAdultReferralMade, Date: d})
		slices.SortStableFunc(c.Events, func(a, b dsr.Event) int { return a.Day().Compare(b.Day()) })
	}
	if chance(s, "entry", m.PEntry) {
		e := &dsr.Entry{Placement: oneOf(s, "placement", dsr.Placements)}
		if chance(s, "section_117_recorded", 0.5) {
			v := chance(s, "section_117", 0.5)
			e.Section117 = &v
		}
		if chance(s, "entry_admission", 0.3) && born.Before(c.AsOf) {
			e.PreviousAdmissions = []calendar.Date{between(s, "entry_admission_date", maxDate(born.AddDays(1), c.AsOf.AddDays(-3650)), c.AsOf)}
		}
		c.Entry = e
	}
}

// genInputs draws values of m's declared inputs (nil when it has none).
func genInputs(s Source, m *Mix) map[string]dsr.InputValue {
	if len(m.Inputs) == 0 {
		return nil
	}
	in := make(map[string]dsr.InputValue, len(m.Inputs))
	for _, d := range m.Inputs {
		if !chance(s, "input_given", m.PInput) {
			continue
		}
		switch d.Kind {
		case dsr.InputBool:
			in[d.Name] = dsr.BoolInput(chance(s, d.Name, 0.5))
		case dsr.InputInt:
			lo, hi := *d.Min, *d.Max
			// A span too wide to draw whole (beyond int) is drawn near lo.
			span := min(uint64(hi-lo), 1<<30)
			in[d.Name] = dsr.IntInput(lo + int64(s.IntN(d.Name, int(span)+1)))
		case dsr.InputEnum:
			in[d.Name] = dsr.WordInput(oneOf(s, d.Name, d.Values))
		}
	}
	return in
}

// DrawHistory draws a valid, time-ordered history between birth on dob and
// asOf with DefaultMix's rates and at most maxEvents events (no bound when
// maxEvents ≤ 0), with the choices of src, for properties that build their
// own person (policytest.History).
func DrawHistory(src Source, dob, asOf calendar.Date, maxEvents int) []dsr.Event {
	m := DefaultMix.withDefaults()
	m.MaxEvents = maxEvents
	p := dsr.Person{DateOfBirth: dob}
	return genHistory(src, &m, &p, asOf)
}

// genHistory draws the events of the three years before asOf (or since
// birth): stories (consent, spells, reviews, a Blue Light meeting, …) each
// in its own order, merged by date.
func genHistory(s Source, m *Mix, p *dsr.Person, asOf calendar.Date) []dsr.Event {
	start := p.DateOfBirth
	if lookback := asOf.AddDays(-3 * 365); lookback.After(start) {
		start = lookback
	}
	var events []dsr.Event
	add := func(e dsr.Event) { events = append(events, e) }

	if chance(s, "referral", m.PReferral) {
		add(dsr.Event{Type: dsr.EventReferralReceived, Date: between(s, "referral_date", start, asOf), By: oneOf(s, "referral_by", dsr.ReferralSources)})
	}

	// Consent (R-CONS-*).
	cm := m.Consent
	if kind := pick(s, "consent", cm.None, cm.Given, cm.Withdrawn, cm.Regiven); kind > 0 {
		given := between(s, "consent_date", start, asOf)
		add(consentGiven(s, m, p, given))
		if kind >= 2 && given.Before(asOf) {
			withdrawn := between(s, "withdrawn_date", given.AddDays(1), asOf)
			scope := [][]string{nil, {dsr.ScopeDSR}, {dsr.ScopeCETR}}[pick(s, "withdrawn_scope", 6, 2, 1)]
			add(dsr.Event{Type: dsr.EventConsentWithdrawn, Date: withdrawn, By: giverFor(s, m, p, withdrawn), Scope: scope})
			if kind == 3 && withdrawn.Before(asOf) {
				add(consentGiven(s, m, p, between(s, "regiven_date", withdrawn.AddDays(1), asOf)))
			}
		}
	}

	// Spells: admissions, transfers, discharges, and what happens around
	// them (a community review in the run-up, a Blue Light meeting, the
	// post-admission and inpatient reviews, oversight visits).
	if chance(s, "admitted", m.PAdmitted) {
		spells := 1
		if chance(s, "second_spell", m.PSecondSpell) {
			spells = 2
		}
		adm := make([]calendar.Date, spells)
		for i := range adm {
			adm[i] = between(s, "admission_date", start, asOf)
		}
		slices.SortFunc(adm, func(a, b calendar.Date) int { return a.Compare(b) })
		adm = slices.Compact(adm)
		for i, a := range adm {
			var end calendar.Date // discharge; zero while still an inpatient
			last := i == len(adm)-1
			switch {
			case !last:
				if adm[i+1].Sub(a) < 2 {
					continue // no room for a discharge before the next admission
				}
				end = between(s, "discharge_date", a.AddDays(1), adm[i+1].AddDays(-1))
			case !chance(s, "inpatient_now", m.PInpatient) && a.Before(asOf):
				end = between(s, "discharge_date", a.AddDays(1), asOf)
			}
			spellEnd := asOf
			if !end.IsZero() {
				spellEnd = end
			}
			if chance(s, "community_review_before", m.PReview) {
				rd := between(s, "community_review_date", maxDate(start, a.AddDays(-200)), a)
				add(dsr.Event{Type: dsr.EventReviewHeld, Date: rd, Kind: dsr.ReviewCommunity})
			}
			if chance(s, "blue_light_before", m.PBlueLight) {
				add(blueLight(s, between(s, "blue_light_date", maxDate(start, a.AddDays(-3)), a)))
			}
			add(dsr.Event{
				Type: dsr.EventAdmitted, Date: a,
				Security:    oneOf(s, "security", dsr.SecurityLevels),
				LegalStatus: oneOf(s, "legal_status", legalStatuses),
				Hospital:    oneOf(s, "hospital", hospitals[:2]),
				OutOfArea:   chance(s, "out_of_area", 0.2),
			})
			if chance(s, "transfer", m.PTransfer) && spellEnd.After(a) {
				t := dsr.Event{Type: dsr.EventTransferred, Date: between(s, "transfer_date", a.AddDays(1), spellEnd)}
				if end.IsZero() || t.Date.Before(end) {
					if chance(s, "transfer_hospital", 0.5) {
						t.Hospital = oneOf(s, "transfer_to", hospitals)
					} else {
						t.Security = oneOf(s, "transfer_security", dsr.SecurityLevels)
					}
					add(t)
				}
			}
			if chance(s, "inpatient_review", m.PReview) {
				kind := oneOf(s, "inpatient_review_kind", []string{dsr.ReviewPostAdmission, dsr.ReviewInpatient, dsr.ReviewTrigger})
				rd := between(s, "inpatient_review_date", a, spellEnd)
				add(dsr.Event{Type: dsr.EventReviewHeld, Date: rd, Kind: kind})
				if chance(s, "inpatient_report", m.PReport) {
					add(dsr.Event{Type: dsr.EventReportSent, Date: between(s, "report_date", rd, minDate(asOf, rd.AddDays(30)))})
				}
			}
			if chance(s, "oversight_visit", m.POversightVisit) {
				add(dsr.Event{Type: dsr.EventOversightVisit, Date: between(s, "oversight_date", a, spellEnd)})
			}
			if !end.IsZero() {
				add(dsr.Event{Type: dsr.EventDischarged, Date: end})
			}
		}
	} else if chance(s, "blue_light", m.PBlueLight) {
		add(blueLight(s, between(s, "blue_light_date", start, asOf)))
	}

	if chance(s, "community_review", m.PReview) {
		rd := between(s, "review_date", start, asOf)
		add(dsr.Event{Type: dsr.EventReviewHeld, Date: rd, Kind: oneOf(s, "review_kind", []string{dsr.ReviewCommunity, dsr.ReviewCommunity, dsr.ReviewStatutory})})
		if chance(s, "report", m.PReport) {
			add(dsr.Event{Type: dsr.EventReportSent, Date: between(s, "report_date", rd, minDate(asOf, rd.AddDays(30)))})
		}
	}
	for range 2 {
		if chance(s, "register_review", m.PRegisterReview) {
			add(dsr.Event{Type: dsr.EventRegisterReviewed, Date: between(s, "register_review_date", maxDate(start, asOf.AddDays(-120)), asOf)})
		}
	}
	if chance(s, "rating_agreed", m.PRatingAgreed) {
		add(dsr.Event{Type: dsr.EventRatingAgreed, Date: between(s, "agreed_date", maxDate(start, asOf.AddDays(-90)), asOf),
			Rating: oneOf(s, "agreed_rating", []dsr.Rating{dsr.Green, dsr.Amber, dsr.Red, dsr.Blue}), By: "DSR panel"})
	}
	if chance(s, "crisis_episode", m.PCrisisEpisode) {
		add(dsr.Event{Type: dsr.EventCrisisTeamEpisode, Date: between(s, "crisis_date", start, asOf)})
	}
	if chance(s, "diagnosis_change", m.PDiagnosisChange) {
		t := dsr.EventDiagnosisAdded
		if chance(s, "diagnosis_removed", 0.3) {
			t = dsr.EventDiagnosisRemoved
		}
		add(dsr.Event{Type: t, Date: between(s, "diagnosis_date", start, asOf), Condition: oneOf(s, "condition", dsr.Conditions)})
	}

	// Bound the length, dropping the latest-added events that are not part
	// of a spell (so admissions and discharges still alternate).
	if m.MaxEvents > 0 {
		for i := len(events) - 1; i >= 0 && len(events) > m.MaxEvents; i-- {
			switch events[i].Type {
			case dsr.EventAdmitted, dsr.EventDischarged:
				continue
			}
			events = slices.Delete(events, i, i+1)
		}
	}
	slices.SortStableFunc(events, func(a, b dsr.Event) int { return a.Day().Compare(b.Day()) })
	return events
}

func consentGiven(s Source, m *Mix, p *dsr.Person, d calendar.Date) dsr.Event {
	scope := []string(nil)
	switch {
	case chance(s, "consent_other_scope", m.Consent.POtherScope):
		scope = []string{dsr.ScopeCETR}
	case chance(s, "consent_sharing", 0.3):
		scope = []string{dsr.ScopeDSR, dsr.ScopeSharing}
	}
	return dsr.Event{Type: dsr.EventConsentGiven, Date: d, GivenBy: giverFor(s, m, p, d), Scope: scope}
}

// giverFor is who may consent for p on d (R-CONS-2), or, with
// m.Consent.PImproper, anyone.
func giverFor(s Source, m *Mix, p *dsr.Person, d calendar.Date) string {
	if chance(s, "improper_giver", m.Consent.PImproper) {
		return oneOf(s, "any_giver", dsr.ConsentGivers)
	}
	switch {
	case p.AgeOn(d) < 16 && p.GillickCompetent && chance(s, "gillick_self", 0.5):
		return dsr.BySelf
	case p.AgeOn(d) < 16:
		return dsr.ByParent
	case p.LacksCapacity:
		return oneOf(s, "for_the_person", []string{dsr.ByBestInterests, dsr.ByDeputy, dsr.ByAttorney})
	}
	return dsr.BySelf
}

func blueLight(s Source, d calendar.Date) dsr.Event {
	at := d.Start().Add(time.Duration(s.IntN("blue_light_minute", 24*60)) * time.Minute)
	if calendar.DateOf(at) != d { // the lost hour of a spring clock change
		at = d.Start()
	}
	return dsr.Event{Type: dsr.EventBlueLightMeeting, At: at}
}

func maxDate(a, b calendar.Date) calendar.Date {
	if a.After(b) {
		return a
	}
	return b
}

func minDate(a, b calendar.Date) calendar.Date {
	if a.Before(b) {
		return a
	}
	return b
}
