package policies_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"pgregory.net/rapid"

	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/policies"
	"github.com/dsrkit/dsrkit/policies/policytest"
)

// cadenceEngines are national-2023 under each cadence_rating setting
// (R-RAG-AGREED-2).
var cadenceEngines = sync.OnceValues(func() (map[string]*policies.Engine, error) {
	out := map[string]*policies.Engine{}
	for _, mode := range []string{policies.CadenceAgreed, policies.CadenceSuggested, policies.CadenceHigher} {
		fsys, err := policies.Bundle(policies.DefaultBundle)
		if err != nil {
			return nil, err
		}
		if out[mode], err = policies.Load(context.Background(), fsys, policies.WithParam("cadence_rating", mode)); err != nil {
			return nil, err
		}
	}
	return out, nil
})

// withCircumstancesSince draws, half the time, a day for the latest change
// of circumstances between the date of birth and as_of.
func withCircumstancesSince(t *rapid.T, c dsr.Case) dsr.Case {
	if span := c.AsOf.Sub(c.Person.DateOfBirth); span > 0 && rapid.Bool().Draw(t, "give_circumstances_since") {
		back := rapid.IntRange(0, min(span, 400)).Draw(t, "circumstances_since_days_back")
		c.CircumstancesSince = c.AsOf.AddDays(-back)
	}
	return c
}

// R-RAG-AGREED-2 and R-RAG-BLUE: while an inpatient the rating of record is
// BLUE whatever was agreed and whichever setting; it is never BLUE for
// someone not in hospital, and is Unrated exactly when not eligible.
func TestPropertyRatingOfRecordIsBlueWheneverAnInpatient(t *testing.T) {
	engines := mustEngines(t)
	rapid.Check(t, func(t *rapid.T) {
		c := withCircumstancesSince(t, policytest.Case().Draw(t, "case"))
		mode := rapid.SampledFrom([]string{policies.CadenceAgreed, policies.CadenceSuggested, policies.CadenceHigher}).Draw(t, "cadence_rating")
		a := assessOK(t, engines[mode], c)
		f := dsr.Derive(&c)
		switch {
		case !a.Eligible && a.RatingOfRecord != dsr.Unrated:
			t.Fatalf("not eligible, but the rating of record is %s", a.RatingOfRecord)
		case a.Eligible && f.Inpatient && a.RatingOfRecord != dsr.Blue:
			t.Fatalf("an eligible inpatient's rating of record is %s (agreed %s), want blue", a.RatingOfRecord, a.AgreedRating)
		case a.Eligible && !f.Inpatient && (a.RatingOfRecord == dsr.Blue || a.RatingOfRecord == dsr.Unrated):
			t.Fatalf("not an inpatient, but the rating of record is %q", a.RatingOfRecord)
		}
		if a.Eligible && !hasReason(a, "R-RAG-AGREED-2") {
			t.Fatalf("no R-RAG-AGREED-2 reason says which rating is of record")
		}
	})
}

// R-RAG-AGREED-2 and R-REV-1: with cadence_rating=higher the register
// review is never due later than under the agreed or the suggested rating
// alone.
func TestPropertyHigherCadenceIsNeverLongerThanEither(t *testing.T) {
	engines := mustEngines(t)
	rapid.Check(t, func(t *rapid.T) {
		c := withCircumstancesSince(t, policytest.Case().Draw(t, "case"))
		higher, ok := reviewDue(assessOK(t, engines[policies.CadenceHigher], c))
		if !ok {
			return // not on the register: no cadence
		}
		for _, mode := range []string{policies.CadenceAgreed, policies.CadenceSuggested} {
			other, _ := reviewDue(assessOK(t, engines[mode], c))
			if higher.After(other) {
				t.Fatalf("register review due %s under higher, after %s under %s", higher, other, mode)
			}
		}
	})
}

func TestCadenceRatingMustBeAKnownSetting(t *testing.T) {
	fsys, err := policies.Bundle(policies.DefaultBundle)
	if err != nil {
		t.Fatal(err)
	}
	_, err = policies.Load(context.Background(), fsys, policies.WithParam("cadence_rating", "lowest"))
	var pe *policies.ParamError
	if !errors.As(err, &pe) || pe.Param != "cadence_rating" || !errors.Is(err, policies.ErrBadBundle) {
		t.Fatalf("cadence_rating=lowest: got %v, want a ParamError naming cadence_rating", err)
	}
}

func mustEngines(t *testing.T) map[string]*policies.Engine {
	t.Helper()
	m, err := cadenceEngines()
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// reviewDue is the due date of the register review (R-REV-1), if one is due.
func reviewDue(a dsr.Assessment) (calendar.Date, bool) {
	for _, act := range a.Actions {
		if act.Kind == dsr.ActionDSRReview {
			return act.Due, true
		}
	}
	return calendar.Date{}, false
}

func hasReason(a dsr.Assessment, rule string) bool {
	for _, r := range a.Reasons {
		if r.Rule == rule {
			return true
		}
	}
	return false
}
