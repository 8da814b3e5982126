package policies_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/policies"
)

// celOverlay is a test bundle that extends national-2023 and replaces the
// rating point with a CEL rule.
func celOverlay(rule string) fstest.MapFS {
	return fstest.MapFS{
		".manifest": {Data: []byte(`{"metadata": {"name": "test-cel", "version": "0.0.1", "extends": "national-2023",
			"description": "test overlay", "sources": ["test"], "decision_points": {"rating": "rating.cel"}}}`)},
		"rating.cel": {Data: []byte(rule)},
	}
}

// runawayRule never finishes in any useful time: 20,000 × 20,000 iterations.
const runawayRule = `// A runaway rule.
cel.bind(big, lists.range(as_of).all(i, lists.range(as_of).all(j, i + j >= 0)),
{"rating": big ? "green" : "red", "reasons": []})
`

func someCase(t *testing.T) dsr.Case {
	t.Helper()
	c, err := dsr.UnmarshalCase([]byte(`{"as_of":"2026-04-01","person":{"id":"syn-c1","nhs_number":"9990000018","date_of_birth":"1990-05-12","learning_disability":true},
		"circumstances":{"in_crisis":true},"events":[{"type":"consent_given","date":"2025-11-03","given_by":"self"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// A CEL rule that runs away is stopped by the cost limit: the assessment
// fails with ErrEvaluation (there is no safe default rating) and promptly.
func TestCELRunawayRuleIsStoppedByTheCostLimit(t *testing.T) {
	e, err := policies.Load(context.Background(), celOverlay(runawayRule))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if got := e.Policy().Engine; got != "rego+cel" {
		t.Fatalf("engine %q, want rego+cel", got)
	}
	start := time.Now()
	_, err = e.Assess(context.Background(), someCase(t))
	if !errors.Is(err, policies.ErrEvaluation) {
		t.Fatalf("Assess: %v, want an error matching ErrEvaluation", err)
	}
	if !strings.Contains(err.Error(), "cost limit") || !strings.Contains(err.Error(), "rating.cel") {
		t.Errorf("error %q does not say the cost limit stopped rating.cel", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("the runaway rule ran for %s before it was stopped", d)
	}
}

// A cancelled context stops a CEL assessment before any rule runs, with
// the context's error, as on the Rego path.
func TestCELCancelledContextStopsEvaluation(t *testing.T) {
	fsys, err := policies.Bundle("national-2023-cel")
	if err != nil {
		t.Fatal(err)
	}
	e, err := policies.Load(context.Background(), fsys)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := e.Assess(ctx, someCase(t)); !errors.Is(err, context.Canceled) {
		t.Fatalf("Assess with a cancelled context: %v, want context.Canceled", err)
	}
	if _, err := e.Assess(context.Background(), someCase(t)); err != nil {
		t.Fatalf("Assess: %v", err)
	}
}

// A bad CEL rule fails Load with a *LoadError at file:line:col whose
// message shows the offending source line with a caret under the problem.
func TestCELCompileErrorShowsLineAndCaret(t *testing.T) {
	rule := `// R-RAG-*: a local rating rule with a typo.
{
  "rating": person.agee > 17 ? "green" : "red",
  "reasons": []
}
`
	_, err := policies.Load(context.Background(), celOverlay(rule))
	if !errors.Is(err, policies.ErrBadBundle) {
		t.Fatalf("Load: %v, want ErrBadBundle", err)
	}
	var le *policies.LoadError
	if !errors.As(err, &le) {
		t.Fatalf("Load: %T %v, want a *LoadError", err, err)
	}
	if le.File != "rating.cel" || le.Line != 3 || le.Col != 19 {
		t.Errorf("error at %s:%d:%d, want rating.cel:3:19", le.File, le.Line, le.Col)
	}
	msg := err.Error()
	for _, want := range []string{
		"rating.cel:3:19:",
		"undefined field 'agee'",
		` |   "rating": person.agee > 17 ? "green" : "red",`,
		" | ..................^",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("error does not contain %q:\n%s", want, msg)
		}
	}
}

// A decision point that is not a map is refused at load.
func TestCELRuleMustEvaluateToAMap(t *testing.T) {
	_, err := policies.Load(context.Background(), celOverlay(`"green"`))
	var le *policies.LoadError
	if !errors.As(err, &le) || !strings.Contains(err.Error(), "must evaluate to a map") {
		t.Fatalf("Load: %v, want a LoadError saying the rule must evaluate to a map", err)
	}
}
