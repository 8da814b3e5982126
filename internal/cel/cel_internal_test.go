package cel

import (
	"context"
	"errors"
	"testing"
	"testing/fstest"
	"time"

	"github.com/dsrkit/dsrkit/internal/eval"

	"github.com/dsrkit/dsrkit/internal/bundle"

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
	prg := compileBundle(t, fsys)
	c := mustCase(t, `{"as_of":"2026-04-01","person":{"id":"syn-c1","date_of_birth":"1990-05-12","learning_disability":true},
		"circumstances":{"in_crisis":true},"events":[]}`)
	f := dsr.Derive(&c)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	s := prg.Start(&c, &f)
	defer s.Release()
	var out [3]eval.Decision
	err := s.Eval(ctx, 0, out[:])
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Eval: %v, want context.DeadlineExceeded", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("evaluation ran %s after the deadline", d)
	}
}

// The national CEL rules are bounded: each is proven below the cost limit
// at load (so runs without per-call cost tracking) and has its parameters
// folded in; the runaway rule is not, and is tracked.
func TestCELNationalRulesAreStaticallyBounded(t *testing.T) {
	prg := compileBundle(t, profile(t, "national-2023-cel"))
	n := 0
	for _, st := range prg.stages {
		for _, p := range st {
			if p == nil {
				continue
			}
			n++
			if p.tracked {
				t.Errorf("%s: cost not bounded at load; it would be tracked at run time", p.name)
			}
		}
	}
	if n != len(bundle.Points) {
		t.Fatalf("%d CEL points, want %d", n, len(bundle.Points))
	}
}
