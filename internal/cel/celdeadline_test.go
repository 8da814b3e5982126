package cel

import (
	"context"
	"errors"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/internal/bundle"
	"github.com/dsrkit/dsrkit/internal/eval"
)

// runawayOverlay extends national-2023 with a rating rule and a Blue
// Light criteria rule that loop 20,000 × 20,000 and 100,000 × 100,000
// times: loadable, and far too long to wait for.
var runawayOverlay = fstest.MapFS{
	".manifest": {Data: []byte(`{"metadata": {"name": "test-cel", "version": "0.0.1", "extends": "national-2023",
		"description": "test overlay", "sources": ["test"],
		"decision_points": {"rating": "rating.cel", "bluelight_criteria": "criteria.cel"}}}`)},
	"rating.cel": {Data: []byte(`cel.bind(big, lists.range(as_of).all(i, lists.range(as_of).all(j, i + j >= 0)),
		{"rating": big ? "green" : "red", "reasons": []})`)},
	"criteria.cel": {Data: []byte(`cel.bind(big, lists.range(100000).all(i, lists.range(100000).all(j, i + j >= 0)),
		{"met": big, "unmet": [], "reasons": []})`)},
}

// Plan.Deadline stops a CEL evaluation that runs past it, inside its loop,
// with an error that matches ErrEvaluation and names the decision point,
// its rule file and the limit: for a stage's point, and for an optional
// point compiled at its first use. The cost limit is lifted, so that only
// the deadline can stop the rules (were it not honoured, the test would
// run for hours).
func TestCELDeadlineStopsARunawayRule(t *testing.T) {
	saved := celCostLimit
	celCostLimit = 1 << 62
	t.Cleanup(func() { celCostLimit = saved })
	plan := bundlePlan(t, runawayOverlay)
	plan.Deadline = time.Millisecond
	plan.Lazy = true
	prg, err := Compile(context.Background(), plan)
	if err != nil {
		t.Fatal(err)
	}
	if !prg.long[0] || !prg.optional[bundle.PointBlueLightCriteria].compiledLong(t) {
		t.Fatal("the runaway rules are not put under the time limit")
	}
	c := mustCase(t, `{"as_of":"2026-04-01","person":{"id":"syn-c1","date_of_birth":"1990-05-12","learning_disability":true},
		"circumstances":{"in_crisis":true},"events":[]}`)
	f := dsr.Derive(&c)
	s := prg.Start(&c, &f)
	defer s.Release()
	var out [3]eval.Decision
	err = s.Eval(context.Background(), 0, out[:])
	wantDeadline(t, err, "rating", "rating.cel")

	_, err = prg.Decide(context.Background(), bundle.PointBlueLightCriteria, &eval.CriteriaInput{})
	wantDeadline(t, err, bundle.PointBlueLightCriteria, "criteria.cel")
}

func wantDeadline(t *testing.T, err error, point, file string) {
	t.Helper()
	if !errors.Is(err, eval.ErrEvaluation) {
		t.Fatalf("%s: %v, want an error matching ErrEvaluation", point, err)
	}
	for _, w := range []string{point, file, "deadline", "time limit of 1ms"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("%s: error %q does not name %q", point, err, w)
		}
	}
	if errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("%s: error %q is the caller's context's, not the rule's limit", point, err)
	}
}

// compiledLong compiles o and says whether the time limit can stop it.
func (o *celOptional) compiledLong(t *testing.T) bool {
	t.Helper()
	if err := o.compiled(); err != nil {
		t.Fatal(err)
	}
	return o.long
}

// The national CEL stage rules run without the time limit's context (it
// costs three allocations a point): each is loop-free after the rewrite or
// bounded below celQuickCost at load, optimised; plain, those with a loop
// are under it.
func TestCELNationalRulesNeedNoTimeLimit(t *testing.T) {
	plan := bundlePlan(t, profile(t, "national-2023-cel"))
	plan.Deadline = time.Second
	prg, err := Compile(context.Background(), plan)
	if err != nil {
		t.Fatal(err)
	}
	if prg.long != [2]bool{} {
		t.Errorf("stages under the time limit: %v, want none", prg.long)
	}
	for pt, op := range prg.optional {
		// bluelight_funding's one loop runs over a two-element list and
		// formats numbers with string(int), which the estimator bounds at
		// 20 bytes: bounded at load, like the rest.
		if op.compiledLong(t) {
			t.Errorf("%s is under the time limit, want it bounded at load", pt)
		}
	}
	plan.Plain = true
	if prg, err = Compile(context.Background(), plan); err != nil {
		t.Fatal(err)
	}
	if !prg.long[0] {
		t.Error("plain, the first stage (eligibility's loop over the circumstances) is not under the time limit")
	}
}
