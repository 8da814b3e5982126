package dsr_test

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/dsr"
)

// validCase generates a valid case: a synthetic person with a 999 NHS number
// (or none), and a history that never contradicts itself. It also returns
// the events in the chronological order they were generated in.
func validCase(t *rapid.T) (dsr.Case, []dsr.Event) {
	asOf := calendar.NewDate(2020, time.January, 1).AddDays(rapid.IntRange(0, 10*365).Draw(t, "as_of"))
	dob := asOf.AddDays(-rapid.IntRange(0, 30*365).Draw(t, "age_days"))
	p := dsr.Person{
		ID:                 fmt.Sprintf("person-%d", rapid.IntRange(1, 999).Draw(t, "id")),
		DateOfBirth:        dob,
		LearningDisability: rapid.Bool().Draw(t, "ld"),
		Autism:             rapid.Bool().Draw(t, "autism"),
		EHCP:               rapid.Bool().Draw(t, "ehcp"),
	}
	if rapid.Bool().Draw(t, "has_nhs") {
		p.NHSNumber = dsr.TestNHSNumber(rapid.IntRange(0, 999_999).Draw(t, "nhs"))
	}
	var circ dsr.Circumstances
	for i, f := range circ.Fields() {
		*f = rapid.Bool().Draw(t, dsr.CircumstanceNames[i])
	}

	span := asOf.Sub(dob)
	days := rapid.SliceOfN(rapid.IntRange(0, span), 0, 20).Draw(t, "days")
	slices.Sort(days)
	pick := func(label string, set []string) string { return rapid.SampledFrom(set).Draw(t, label) }
	maybe := func(label string, set []string) string {
		if rapid.Bool().Draw(t, label+"_given") {
			return pick(label, set)
		}
		return ""
	}
	in := false
	var events []dsr.Event
	for _, n := range days {
		day := dob.AddDays(n)
		types := []dsr.EventType{
			dsr.EventReferralReceived, dsr.EventConsentGiven, dsr.EventConsentWithdrawn,
			dsr.EventReviewHeld, dsr.EventReportSent, dsr.EventRatingAgreed, dsr.EventRegisterReviewed,
			dsr.EventBlueLightMeeting, dsr.EventOversightVisit, dsr.EventDiagnosisAdded,
			dsr.EventDiagnosisRemoved, dsr.EventCrisisTeamEpisode,
		}
		if in {
			types = append(types, dsr.EventTransferred, dsr.EventDischarged, dsr.EventDischarged)
		} else {
			types = append(types, dsr.EventAdmitted, dsr.EventAdmitted)
		}
		e := dsr.Event{Type: rapid.SampledFrom(types).Draw(t, "type"), Date: day}
		switch e.Type {
		case dsr.EventReferralReceived:
			e.By = maybe("by", dsr.ReferralSources)
		case dsr.EventConsentGiven, dsr.EventConsentWithdrawn:
			if e.Type == dsr.EventConsentGiven {
				e.GivenBy = pick("given_by", dsr.ConsentGivers)
			} else {
				e.By = maybe("by", dsr.ConsentGivers)
			}
			for _, s := range dsr.ConsentScopes {
				if rapid.Bool().Draw(t, "scope_"+s) {
					e.Scope = append(e.Scope, s)
				}
			}
		case dsr.EventAdmitted:
			e.Security = maybe("security", dsr.SecurityLevels)
			e.LegalStatus = maybe("legal_status", dsr.LegalStatuses)
			e.Hospital = maybe("hospital", []string{"Hospital A", "Hospital B"})
			e.OutOfArea = rapid.Bool().Draw(t, "out_of_area")
			in = true
		case dsr.EventTransferred:
			e.Security = maybe("security", dsr.SecurityLevels)
			if e.Security == "" {
				e.Hospital = pick("hospital", []string{"Hospital A", "Hospital B", "Hospital C"})
			}
		case dsr.EventDischarged:
			in = false
		case dsr.EventReviewHeld:
			e.Kind = pick("kind", dsr.ReviewKinds)
		case dsr.EventRatingAgreed:
			e.Rating = rapid.SampledFrom([]dsr.Rating{dsr.Green, dsr.Amber, dsr.Red, dsr.Blue}).Draw(t, "rating")
			e.By = "dsr meeting"
		case dsr.EventBlueLightMeeting:
			// Any minute before 23:00 is on the same London day, even on
			// the 23-hour day the clocks go forward.
			e.At = day.Start().Add(time.Duration(rapid.IntRange(0, 22*60+59).Draw(t, "minute")) * time.Minute)
			if rapid.Bool().Draw(t, "bl_date_omitted") {
				e.Date = calendar.Date{}
			}
		case dsr.EventDiagnosisAdded, dsr.EventDiagnosisRemoved:
			e.Condition = pick("condition", dsr.Conditions)
		}
		events = append(events, e)
	}
	c := dsr.Case{AsOf: asOf, Person: p, Circumstances: circ, Events: shuffleDays(t, events)}
	return c, events
}

// shuffleDays reorders events by whole days: a host may list its history in
// any order, but events on the same day keep the order given.
func shuffleDays(t *rapid.T, events []dsr.Event) []dsr.Event {
	var groups [][]dsr.Event
	for i, e := range events {
		if i == 0 || e.Day() != events[i-1].Day() {
			groups = append(groups, nil)
		}
		groups[len(groups)-1] = append(groups[len(groups)-1], e)
	}
	groups = rapid.Permutation(groups).Draw(t, "order")
	var out []dsr.Event
	for _, g := range groups {
		out = append(out, g...)
	}
	return out
}

// A generated valid case is accepted by Validate and by DecodeCase, and
// Derive's Inpatient is "the last admitted has no later discharged"
// (docs/rules.md#vocabulary; R-RAG-BLUE rests on it).
func TestGeneratedCasesAreValidAndInpatientFollowsTheLastAdmission(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		c, chrono := validCase(t)
		if err := c.Validate(); err != nil {
			t.Fatalf("a generated valid case fails Validate: %v", err)
		}

		lastAdmitted, lastDischarged := -1, -1
		admissions := 0
		for i, e := range chrono {
			switch e.Type {
			case dsr.EventAdmitted:
				lastAdmitted = i
				admissions++
			case dsr.EventDischarged:
				lastDischarged = i
			}
		}
		want := lastAdmitted >= 0 && lastDischarged < lastAdmitted

		f := dsr.Derive(&c)
		if f.Inpatient != want {
			t.Fatalf("Inpatient = %v, want %v (last admitted at %d, last discharged at %d)", f.Inpatient, want, lastAdmitted, lastDischarged)
		}
		if len(f.Spells) != admissions {
			t.Fatalf("%d spells, want %d", len(f.Spells), admissions)
		}
		if wantPrev := admissions - btoi(want); f.PreviousAdmissions != wantPrev {
			t.Fatalf("PreviousAdmissions = %d, want %d", f.PreviousAdmissions, wantPrev)
		}
		if (f.Current() != nil) != want {
			t.Fatalf("Current() = %v with Inpatient %v", f.Current(), want)
		}

		// The case survives JSON unchanged.
		b, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		back, err := dsr.UnmarshalCase(b)
		if err != nil {
			t.Fatalf("DecodeCase rejects a generated valid case: %v\n%s", err, b)
		}
		if !reflect.DeepEqual(normalised(c), normalised(back)) {
			t.Fatalf("JSON round trip changed the case:\n%s", b)
		}

		// Derive is DeriveInto over fresh storage.
		var g dsr.Facts
		g.Spells = make([]dsr.Spell, 3)
		dsr.DeriveInto(&c, &g)
		if len(g.Spells) == 0 {
			g.Spells = nil // reused storage is empty, not nil
		}
		if !reflect.DeepEqual(f, g) {
			t.Fatalf("DeriveInto over used storage differs from Derive")
		}
	})
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
