package policies

import (
	"context"
	"errors"
	"testing"
	"testing/fstest"
	"time"

	"github.com/dsrkit/dsrkit/dsr"
)

// A context that ends while a CEL rule is running stops it inside its
// comprehension (every celInterruptEvery iterations), even when the cost
// limit would let it run for much longer.
func TestCELContextInterruptsAComprehension(t *testing.T) {
	saved := celCostLimit
	celCostLimit = 1 << 62
	t.Cleanup(func() { celCostLimit = saved })
	fsys := fstest.MapFS{
		".manifest": {Data: []byte(`{"metadata": {"name": "test-cel", "version": "0.0.1", "extends": "national-2023",
			"description": "test overlay", "sources": ["test"], "decision_points": {"rating": "rating.cel"}}}`)},
		"rating.cel": {Data: []byte(`cel.bind(big, lists.range(as_of).all(i, lists.range(as_of).all(j, i + j >= 0)),
			{"rating": big ? "green" : "red", "reasons": []})`)},
	}
	e, err := Load(context.Background(), fsys)
	if err != nil {
		t.Fatal(err)
	}
	c, err := dsr.UnmarshalCase([]byte(`{"as_of":"2026-04-01","person":{"id":"syn-c1","date_of_birth":"1990-05-12","learning_disability":true},
		"circumstances":{"in_crisis":true},"events":[]}`))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = e.Assess(ctx, c)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Assess: %v, want context.DeadlineExceeded", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("evaluation ran %s after the deadline", d)
	}
}

// The national CEL rules are bounded: each is proven below the cost limit
// at load (so runs without per-call cost tracking) and has its parameters
// folded in; the runaway rule is not, and is tracked.
func TestCELNationalRulesAreStaticallyBounded(t *testing.T) {
	fsys, err := Bundle("national-2023-cel")
	if err != nil {
		t.Fatal(err)
	}
	e, err := Load(context.Background(), fsys)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, st := range e.stages {
		for _, p := range st.cel {
			if p == nil {
				continue
			}
			n++
			if p.tracked {
				t.Errorf("%s: cost not bounded at load; it would be tracked at run time", p.name)
			}
		}
	}
	if n != len(Points) {
		t.Fatalf("%d CEL points, want %d", n, len(Points))
	}
}
