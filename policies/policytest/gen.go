// Package policytest generates realistic synthetic cases for property tests
// of policy bundles, with pgregory.net/rapid. Every generated case is valid
// (it passes dsr.Case.Validate): events are in time order, admissions and
// discharges alternate, NHS numbers come from the 999 test range.
package policytest

import (
	"fmt"
	"time"

	"pgregory.net/rapid"

	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/dsr"
)

// Mix tunes the population a generator draws from. The zero value is not
// useful; start from DefaultMix.
type Mix struct {
	// From and To bound as_of.
	From, To calendar.Date
	// MaxAge is the oldest person generated.
	MaxAge int
	// MaxEvents bounds the history length.
	MaxEvents int
	// PCircumstance is the chance each circumstance holds.
	PCircumstance float64
}

// DefaultMix is every age band from 0 to 70, as_of in 2026–2027, histories of
// up to 14 events, each circumstance true one time in six.
var DefaultMix = Mix{
	From: calendar.NewDate(2026, 1, 1), To: calendar.NewDate(2027, 12, 31),
	MaxAge: 70, MaxEvents: 14, PCircumstance: 1.0 / 6,
}

// Case generates valid cases with DefaultMix.
func Case() *rapid.Generator[dsr.Case] { return CaseWith(DefaultMix) }

// CaseWith generates valid cases drawn from mix.
func CaseWith(mix Mix) *rapid.Generator[dsr.Case] {
	return rapid.Custom(func(t *rapid.T) dsr.Case {
		asOf := calendar.FromDays(rapid.IntRange(mix.From.Days(), mix.To.Days()).Draw(t, "as_of"))
		ageDays := rapid.IntRange(0, mix.MaxAge*366).Draw(t, "age_days")
		dob := asOf.AddDays(-ageDays)
		seq := rapid.IntRange(0, 999_999).Draw(t, "nhs_seq")
		p := dsr.Person{
			ID:                 fmt.Sprintf("syn-%06d", seq),
			NHSNumber:          dsr.TestNHSNumber(seq),
			DateOfBirth:        dob,
			LearningDisability: rapid.Float64Range(0, 1).Draw(t, "p_ld") < 0.6,
			Autism:             rapid.Float64Range(0, 1).Draw(t, "p_autism") < 0.6,
			AwaitingDiagnosis:  rapid.Float64Range(0, 1).Draw(t, "p_awaiting") < 0.1,
			EHCP:               rapid.Bool().Draw(t, "ehcp"),
			LacksCapacity:      rapid.Float64Range(0, 1).Draw(t, "p_capacity") < 0.2,
			GillickCompetent:   rapid.Bool().Draw(t, "gillick"),
			KnownToKeyworker:   rapid.Bool().Draw(t, "keyworker"),
			KnownToServices:    rapid.Bool().Draw(t, "known"),
			LocalAuthority:     "Synthetic Borough",
		}
		var circ dsr.Circumstances
		for i, f := range circ.Fields() {
			*f = rapid.Float64Range(0, 1).Draw(t, fmt.Sprintf("c%d", i)) < mix.PCircumstance
		}
		return dsr.Case{AsOf: asOf, Person: p, Circumstances: circ, Events: History(t, dob, asOf, mix.MaxEvents)}
	})
}

// History draws a valid, time-ordered history between birth and asOf.
func History(t *rapid.T, dob, asOf calendar.Date, maxEvents int) []dsr.Event {
	n := rapid.IntRange(0, maxEvents).Draw(t, "n_events")
	start := dob
	if lookback := asOf.AddDays(-3 * 365); lookback.After(start) {
		start = lookback
	}
	span := asOf.Sub(start)
	days := make([]int, n)
	for i := range days {
		days[i] = rapid.IntRange(0, span).Draw(t, "day")
	}
	sortInts(days)
	inpatient := false
	events := make([]dsr.Event, 0, n)
	for _, off := range days {
		d := start.AddDays(off)
		e := dsr.Event{Date: d}
		kinds := []dsr.EventType{
			dsr.EventConsentGiven, dsr.EventConsentGiven, dsr.EventConsentWithdrawn, dsr.EventReferralReceived,
			dsr.EventReviewHeld, dsr.EventReviewHeld, dsr.EventReportSent, dsr.EventRatingAgreed,
			dsr.EventRegisterReviewed, dsr.EventBlueLightMeeting, dsr.EventOversightVisit,
			dsr.EventDiagnosisAdded, dsr.EventDiagnosisRemoved, dsr.EventCrisisTeamEpisode,
		}
		if inpatient {
			kinds = append(kinds, dsr.EventDischarged, dsr.EventTransferred, dsr.EventTransferred)
		} else {
			kinds = append(kinds, dsr.EventAdmitted, dsr.EventAdmitted)
		}
		e.Type = rapid.SampledFrom(kinds).Draw(t, "type")
		switch e.Type {
		case dsr.EventConsentGiven:
			e.GivenBy = rapid.SampledFrom(dsr.ConsentGivers).Draw(t, "given_by")
			e.Scope = rapid.SampledFrom([][]string{nil, {dsr.ScopeDSR}, {dsr.ScopeDSR, dsr.ScopeSharing}, {dsr.ScopeCETR}}).Draw(t, "scope")
		case dsr.EventConsentWithdrawn:
			e.By = rapid.SampledFrom(dsr.ConsentGivers).Draw(t, "by")
			e.Scope = rapid.SampledFrom([][]string{nil, {dsr.ScopeDSR}, {dsr.ScopeCETR}}).Draw(t, "scope")
		case dsr.EventReferralReceived:
			e.By = rapid.SampledFrom(dsr.ReferralSources).Draw(t, "by")
		case dsr.EventReviewHeld:
			e.Kind = rapid.SampledFrom(dsr.ReviewKinds).Draw(t, "kind")
		case dsr.EventRatingAgreed:
			e.Rating = rapid.SampledFrom([]dsr.Rating{dsr.Red, dsr.Amber, dsr.Green, dsr.Blue}).Draw(t, "rating")
			e.By = "DSR panel"
		case dsr.EventBlueLightMeeting:
			e.Date = calendar.Date{}
			min := rapid.IntRange(0, 24*60-1).Draw(t, "minute")
			e.At = d.Start().Add(time.Duration(min) * time.Minute)
			if calendar.DateOf(e.At) != d { // the lost hour of a spring clock change
				e.At = d.Start()
			}
		case dsr.EventDiagnosisAdded, dsr.EventDiagnosisRemoved:
			e.Condition = rapid.SampledFrom(dsr.Conditions).Draw(t, "condition")
		case dsr.EventAdmitted:
			e.Security = rapid.SampledFrom(dsr.SecurityLevels).Draw(t, "security")
			e.LegalStatus = rapid.SampledFrom([]string{"informal", "s2", "s3", "s136", "s37"}).Draw(t, "legal_status")
			e.Hospital = rapid.SampledFrom([]string{"Synthetic Hospital A", "Synthetic Hospital B"}).Draw(t, "hospital")
			inpatient = true
		case dsr.EventTransferred:
			e.Security = rapid.SampledFrom(dsr.SecurityLevels).Draw(t, "security")
			e.Hospital = rapid.SampledFrom([]string{"Synthetic Hospital A", "Synthetic Hospital B", "Synthetic Hospital C"}).Draw(t, "hospital")
		case dsr.EventDischarged:
			inpatient = false
		}
		events = append(events, e)
	}
	return events
}

func sortInts(s []int) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}
