package policies_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/policies"
	"github.com/dsrkit/dsrkit/policies/policycheck"
)

func coverageOf(report []policies.FileCoverage, file string) (policies.FileCoverage, bool) {
	for _, f := range report {
		if f.File == file {
			return f, true
		}
	}
	return policies.FileCoverage{}, false
}

// Coverage reports the Rego lines assessments reach, per file, grows as
// more cases (and the unit tests) run, and changes no assessment.
func TestCoverageReportsTheLinesAssessmentsReach(t *testing.T) {
	ctx := context.Background()
	fsys, err := policies.Bundle(policies.DefaultBundle)
	if err != nil {
		t.Fatal(err)
	}
	cov := new(policies.Coverage)
	covered, err := policies.Load(ctx, fsys, policies.WithCoverage(cov))
	if err != nil {
		t.Fatal(err)
	}
	plain, err := policies.Load(ctx, fsys)
	if err != nil {
		t.Fatal(err)
	}
	// Load decides cetr_rules once; nothing of the assessment's points yet.
	if before, _ := coverageOf(cov.Report(), "rating.rego"); len(before.Covered) != 0 || len(before.NotCovered) == 0 {
		t.Fatalf("rating.rego before any assessment: %+v", before)
	}
	c, err := dsr.UnmarshalCase([]byte(`{"as_of":"2026-04-01","person":{"id":"syn-cov1","date_of_birth":"1990-05-12","learning_disability":true},
		"circumstances":{"unstable_environment":true},"events":[{"type":"consent_given","date":"2025-11-03","given_by":"self"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := covered.Assess(ctx, c); err != nil {
		t.Fatal(err)
	}
	first, ok := coverageOf(cov.Report(), "rating.rego")
	if !ok || len(first.Covered) == 0 || len(first.NotCovered) == 0 {
		t.Fatalf("one GREEN case covers part of rating.rego: %+v", first)
	}
	g := policycheck.NewGenerator(policycheck.DefaultMix, 7)
	for i := range 300 {
		c := g.Case(i)
		a, errA := covered.Assess(ctx, c)
		b, errB := plain.Assess(ctx, c)
		if (errA == nil) != (errB == nil) || !reflect.DeepEqual(a, b) {
			t.Fatalf("case %d: coverage changes the assessment: %+v (%v) vs %+v (%v)", i, a, errA, b, errB)
		}
	}
	more, _ := coverageOf(cov.Report(), "rating.rego")
	if len(more.Covered) <= len(first.Covered) || len(more.Covered)+len(more.NotCovered) != len(first.Covered)+len(first.NotCovered) {
		t.Fatalf("300 more cases cover more of the same lines: before %+v, after %+v", first, more)
	}
	if _, err := policycheck.RegoUnitTestsCovered(ctx, fsys, cov); err != nil {
		t.Fatal(err)
	}
	if _, ok := coverageOf(cov.Report(), "rating_test.rego"); !ok {
		t.Fatalf("the unit tests' coverage is merged in: %v", cov.Report())
	}
	if p, q := first.Percent(), more.Percent(); p <= 0 || p >= q {
		t.Fatalf("percent covered: %v after one case, %v after 300", p, q)
	}
}
