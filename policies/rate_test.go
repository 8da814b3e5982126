package policies_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"reflect"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"pgregory.net/rapid"

	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/policies"
)

// rateEngines are the engines Rate is checked with: every embedded
// profile (Rego, CEL and the overlays), one compiled eagerly, and an
// overlay whose eligibility is Rego and whose rating is CEL.
func rateEngines(t *testing.T) map[string]*policies.Engine {
	t.Helper()
	ctx := context.Background()
	out := map[string]*policies.Engine{}
	for _, name := range policies.BundleNames() {
		fsys, err := policies.Bundle(name)
		if err != nil {
			t.Fatal(err)
		}
		out[name] = mustEngine(t)(policies.Load(ctx, fsys))
	}
	fsys, err := policies.Bundle(policies.DefaultBundle)
	if err != nil {
		t.Fatal(err)
	}
	out[policies.DefaultBundle+"/eager"] = mustEngine(t)(policies.Load(ctx, fsys, policies.WithEagerCompile(true)))
	celFS, err := policies.Bundle("national-2023-cel")
	if err != nil {
		t.Fatal(err)
	}
	rating, err := fs.ReadFile(celFS, "rating.cel")
	if err != nil {
		t.Fatal(err)
	}
	mixed := mustEngine(t)(policies.Load(ctx, fstest.MapFS{
		".manifest": {Data: []byte(`{"metadata": {"name": "test-mixed", "version": "0.0.1", "extends": "national-2023",
			"description": "Rego eligibility, CEL rating", "sources": ["test"], "decision_points": {"rating": "rating.cel"}}}`)},
		"rating.cel": {Data: rating},
	}))
	if got := mixed.Policy().Engine; got != "rego+cel" {
		t.Fatalf("mixed overlay: engine %q, want rego+cel", got)
	}
	out["mixed"] = mixed
	return out
}

// Rate is the assessment's rating: for any valid case, with every
// profile, the same eligibility, ratings and policy as Assess, and the
// assessment's reasons with those of consent and of the second stage
// (review type, actions) left out.
func TestPropertyRateIsTheAssessmentsRating(t *testing.T) {
	ctx := context.Background()
	for name, e := range rateEngines(t) {
		t.Run(name, func(t *testing.T) {
			rated := map[dsr.Rating]int{}
			rapid.Check(t, func(t *rapid.T) {
				c := equivalenceCase().Draw(t, "case")
				a := assessOK(t, e, c)
				r, err := e.Rate(ctx, c)
				if err != nil {
					t.Fatalf("Rate: %v", err)
				}
				rated[r.RatingOfRecord]++
				want := dsr.RatingDecision{
					AsOf: a.AsOf, Policy: a.Policy, Eligible: a.Eligible,
					Rating: a.Rating, AgreedRating: a.AgreedRating, RatingOfRecord: a.RatingOfRecord,
					Reasons: rateReasons(a, len(r.Reasons)),
				}
				if !reflect.DeepEqual(r, want) {
					raw, _ := json.Marshal(c)
					jr, _ := json.MarshalIndent(r, "", "  ")
					jw, _ := json.MarshalIndent(want, "", "  ")
					t.Fatalf("Rate is not the assessment's rating\ncase: %s\n%s", raw, lineDiff(string(jr), string(jw)))
				}
				for _, why := range r.Reasons {
					if !strings.HasPrefix(why.Rule, "R-ELIG") && !strings.HasPrefix(why.Rule, "R-RAG") {
						t.Fatalf("Rate gives a reason of rule %s, not of eligibility or the rating", why.Rule)
					}
				}
			})
			if len(rated) < 3 {
				t.Errorf("the cases drew only the ratings of record %v: too few to compare", rated)
			}
		})
	}
}

// rateReasons is the assessment's reasons with the consent's left out,
// the first n of them: eligibility's come first, then consent's, then the
// rating's and the second stage's (see Engine.Assess).
func rateReasons(a dsr.Assessment, n int) []dsr.Reason {
	cons := a.Consent.Reasons
	for i := 0; i+len(cons) <= len(a.Reasons); i++ {
		if !reflect.DeepEqual(a.Reasons[i:i+len(cons)], cons) && len(cons) > 0 {
			continue
		}
		rest := append(append([]dsr.Reason{}, a.Reasons[:i]...), a.Reasons[i+len(cons):]...)
		if n <= len(rest) {
			got := rest[:n]
			if len(got) == 0 {
				return nil
			}
			return got
		}
	}
	return nil
}

// Rate refuses what Assess refuses: an invalid case, and an input the
// bundle does not declare.
func TestRateRefusesWhatAssessRefuses(t *testing.T) {
	ctx := context.Background()
	e := nationalEngine(t)
	bad := someCase(t)
	bad.Person.NHSNumber = "123"
	_, errA := e.Assess(ctx, bad)
	_, errR := e.Rate(ctx, bad)
	if !errors.Is(errA, dsr.ErrInvalid) || !errors.Is(errR, dsr.ErrInvalid) {
		t.Fatalf("an invalid NHS number: Assess %v, Rate %v; want both dsr.ErrInvalid", errA, errR)
	}
	undeclared := someCase(t)
	undeclared.Inputs = map[string]dsr.InputValue{"no_such_input": {}}
	_, errA = e.Assess(ctx, undeclared)
	_, errR = e.Rate(ctx, undeclared)
	if errA == nil || errR == nil || errA.Error() != errR.Error() {
		t.Fatalf("an undeclared input: Assess %v, Rate %v; want the same error", errA, errR)
	}
}

// The rating points are compiled at the first Rate, once, however many
// goroutines rate at once.
func TestRateFirstUseIsSafeForConcurrentUse(t *testing.T) {
	ctx := context.Background()
	fsys, err := policies.Bundle(policies.DefaultBundle)
	if err != nil {
		t.Fatal(err)
	}
	e := mustEngine(t)(policies.Load(ctx, fsys))
	c := someCase(t)
	want, err := e.Assess(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Go(func() {
			r, err := e.Rate(ctx, c)
			if err == nil && (r.RatingOfRecord != want.RatingOfRecord || r.RatingOfRecord == dsr.Unrated) {
				err = fmt.Errorf("rated %s, the assessment %s", r.RatingOfRecord, want.RatingOfRecord)
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}
