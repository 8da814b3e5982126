package policies_test

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"sync"
	"testing"

	"pgregory.net/rapid"

	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/policies"
	"github.com/dsrkit/dsrkit/policies/policytest"
)

var (
	nationalOnce sync.Once
	national     *policies.Engine
	nationalErr  error
)

func nationalEngine(t testing.TB) *policies.Engine {
	t.Helper()
	nationalOnce.Do(func() {
		fsys, err := policies.Bundle(policies.DefaultBundle)
		if err != nil {
			nationalErr = err
			return
		}
		national, nationalErr = policies.Load(context.Background(), fsys)
	})
	if nationalErr != nil {
		t.Fatal(nationalErr)
	}
	return national
}

var nationalCELEngine = sync.OnceValues(func() (*policies.Engine, error) {
	fsys, err := policies.Bundle("national-2023-cel")
	if err != nil {
		return nil, err
	}
	return policies.Load(context.Background(), fsys)
})

// mustEngine fails t if loading failed.
func mustEngine(t testing.TB) func(*policies.Engine, error) *policies.Engine {
	return func(e *policies.Engine, err error) *policies.Engine {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
}

func assessOK(t *rapid.T, e *policies.Engine, c dsr.Case) dsr.Assessment {
	a, err := e.Assess(context.Background(), c)
	if err != nil {
		b, _ := json.Marshal(c)
		t.Fatalf("assess failed on a valid case: %v\ncase: %s", err, b)
	}
	return a
}

var ruleID = regexp.MustCompile(`^R-[A-Z0-9]+(-[A-Z0-9]+)*$`)

// R-RAG-BLUE: an eligible inpatient is BLUE whatever else holds, and only
// an inpatient is BLUE.
func TestPropertyInpatientIsBlueWhateverElseHolds(t *testing.T) {
	e := nationalEngine(t)
	rapid.Check(t, func(t *rapid.T) {
		c := policytest.Case().Draw(t, "case")
		a := assessOK(t, e, c)
		f := dsr.Derive(&c)
		if a.Eligible && f.Inpatient && a.Rating != dsr.Blue {
			t.Fatalf("eligible inpatient rated %q, want blue", a.Rating)
		}
		if a.Rating == dsr.Blue && !f.Inpatient {
			t.Fatalf("rated blue but not an inpatient")
		}
		if !a.Eligible && a.Rating != dsr.Unrated {
			t.Fatalf("not eligible but rated %q", a.Rating)
		}
	})
}

// R-CONS-1: nobody is on the register without valid consent.
func TestPropertyNobodyOnRegisterWithoutValidConsent(t *testing.T) {
	e := nationalEngine(t)
	rapid.Check(t, func(t *rapid.T) {
		c := policytest.Case().Draw(t, "case")
		a := assessOK(t, e, c)
		if a.OnRegister != (a.Eligible && a.Consent.Valid) {
			t.Fatalf("on_register=%v but eligible=%v consent.valid=%v", a.OnRegister, a.Eligible, a.Consent.Valid)
		}
		if a.Consent.Valid && len(dsr.Derive(&c).Consent) == 0 {
			t.Fatalf("consent valid with no consent recorded")
		}
		if !a.OnRegister {
			for _, act := range a.Actions {
				if act.Kind != dsr.ActionConsentReconfirm {
					t.Fatalf("not on the register but action %s (%s) is due", act.Kind, act.Rule)
				}
			}
		}
	})
}

// R-RAG-RED/AMBER: adding a crisis or escalation fact never lowers the
// suggested rating, and never loses eligibility.
func TestPropertyAddingACrisisFactNeverLowersTheRating(t *testing.T) {
	e := nationalEngine(t)
	rapid.Check(t, func(t *rapid.T) {
		c := policytest.Case().Draw(t, "case")
		before := assessOK(t, e, c)
		i := rapid.IntRange(0, len(dsr.CircumstanceNames)-1).Draw(t, "fact")
		*c.Circumstances.Fields()[i] = true
		after := assessOK(t, e, c)
		if before.Eligible && !after.Eligible {
			t.Fatalf("adding %s made the person ineligible", dsr.CircumstanceNames[i])
		}
		if after.Rating.Severity() < before.Rating.Severity() {
			t.Fatalf("adding %s lowered the rating from %q to %q", dsr.CircumstanceNames[i], before.Rating, after.Rating)
		}
	})
}

// No action is due before the event that caused it, and every reason cites
// a rule id.
func TestPropertyNoActionDueBeforeItsCause(t *testing.T) {
	e := nationalEngine(t)
	rapid.Check(t, func(t *rapid.T) {
		c := policytest.Case().Draw(t, "case")
		a := assessOK(t, e, c)
		for _, act := range a.Actions {
			if act.From.IsZero() {
				t.Fatalf("action %s has no cause date", act.Kind)
			}
			if act.DueDate().Before(act.From) {
				t.Fatalf("action %s due %s before its cause %s", act.Kind, act.DueDate(), act.From)
			}
			if act.Overdue != act.DueDate().Before(c.AsOf) {
				t.Fatalf("action %s due %s: overdue=%v on %s", act.Kind, act.DueDate(), act.Overdue, c.AsOf)
			}
			if !ruleID.MatchString(act.Rule) {
				t.Fatalf("action %s cites %q, not a rule id", act.Kind, act.Rule)
			}
		}
		for _, r := range append(a.Reasons, a.Consent.Reasons...) {
			if !ruleID.MatchString(r.Rule) {
				t.Fatalf("reason %q cites %q, not a rule id", r.Message, r.Rule)
			}
		}
	})
}

// The same case always gets the same assessment, also when assessed from
// many goroutines at once, in either engine (the CEL path recycles its
// per-assessment input, the Rego path its evaluation state).
func TestPropertyAssessIsDeterministic(t *testing.T) {
	engines := map[string]*policies.Engine{"rego": nationalEngine(t), "cel": mustEngine(t)(nationalCELEngine())}
	for name, e := range engines {
		t.Run(name, func(t *testing.T) {
			rapid.Check(t, func(t *rapid.T) {
				c := policytest.Case().Draw(t, "case")
				first := assessOK(t, e, c)
				var wg sync.WaitGroup
				results := make([]dsr.Assessment, 4)
				errs := make([]error, 4)
				for i := range results {
					wg.Go(func() { results[i], errs[i] = e.Assess(context.Background(), c) })
				}
				wg.Wait()
				for i, r := range results {
					if errs[i] != nil {
						t.Fatal(errs[i])
					}
					if !reflect.DeepEqual(first, r) {
						a, _ := json.Marshal(first)
						b, _ := json.Marshal(r)
						t.Fatalf("assessments differ:\n%s\n%s", a, b)
					}
				}
			})
		})
	}
}

// An assessment owns what it holds: assessing other cases afterwards (which
// reuses the engines' per-assessment storage) leaves it as it was.
func TestPropertyAssessmentsOutliveTheEvaluation(t *testing.T) {
	engines := map[string]*policies.Engine{"rego": nationalEngine(t), "cel": mustEngine(t)(nationalCELEngine())}
	for name, e := range engines {
		t.Run(name, func(t *testing.T) {
			rapid.Check(t, func(t *rapid.T) {
				c := policytest.Case().Draw(t, "case")
				kept := assessOK(t, e, c)
				for _, r := range append(slices.Clone(kept.Reasons), kept.Consent.Reasons...) {
					if !ruleID.MatchString(r.Rule) || r.Message == "" {
						t.Fatalf("a reason the assessment holds is %+v: no rule id or no message", r)
					}
				}
				before, _ := json.Marshal(kept)
				for i := range 3 {
					assessOK(t, e, policytest.Case().Draw(t, fmt.Sprintf("other %d", i)))
				}
				if after, _ := json.Marshal(kept); string(after) != string(before) {
					t.Fatalf("the assessment changed after others were made:\n%s\n%s", before, after)
				}
			})
		})
	}
}
