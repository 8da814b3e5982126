package policycheck_test

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/policies"
	"github.com/dsrkit/dsrkit/policies/policycheck"
)

func weightedItems(t *testing.T) *policies.Engine {
	t.Helper()
	e, err := policies.Load(context.Background(), os.DirFS(filepath.Join("..", "..", "examples", "policies", "weighted-items")))
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// TestGeneratorDrawsDeclaredInputs: with a mix's declared inputs, every
// case gives valid values of them (some left out), each kind drawn over
// its range or values; without, a case gives none.
func TestGeneratorDrawsDeclaredInputs(t *testing.T) {
	decls := weightedItems(t).Inputs()
	mix := policycheck.DefaultMix
	mix.Inputs = decls
	gen := policycheck.NewGenerator(mix, 3)
	seen := map[string]map[string]bool{}
	left := 0
	for i := range 500 {
		c := gen.Case(i)
		if err := dsr.ValidateInputs(decls, c.Inputs); err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		left += len(decls) - len(c.Inputs)
		for k, v := range c.Inputs {
			if seen[k] == nil {
				seen[k] = map[string]bool{}
			}
			seen[k][v.String()] = true
		}
	}
	want := map[string]int{"self_harm": 4, "sleep": 4, "safeguarding_concern": 2, "completed_by": 4}
	for name, n := range want {
		if len(seen[name]) != n {
			t.Errorf("%s: values drawn %v, want %d distinct", name, seen[name], n)
		}
	}
	if left == 0 {
		t.Error("no input was ever left out (PInput 0.8)")
	}
	if !reflect.DeepEqual(gen.Case(17), policycheck.NewGenerator(mix, 3).Case(17)) {
		t.Error("the same seed and index drew two different cases")
	}
	if c := policycheck.NewGenerator(policycheck.DefaultMix, 3).Case(17); c.Inputs != nil {
		t.Errorf("a mix without inputs drew %v", c.Inputs)
	}
}

// TestRunWithDeclaredInputs: Run draws the bundle's declared inputs (the
// checker's mix has them) and the weighted-items overlay keeps every
// invariant, undeclared-input-refused among them.
func TestRunWithDeclaredInputs(t *testing.T) {
	e := weightedItems(t)
	if got := policycheck.NewChecker(e).Mix().Inputs; len(got) != 21 {
		t.Fatalf("the checker's mix has %d inputs, want the bundle's 21", len(got))
	}
	rep := policycheck.Run(e, 300, 1)
	for _, f := range rep.Failures {
		t.Errorf("%s", f)
	}
}

// TestUndeclaredInputRefusedCatchesAnEngineThatTakesIt: the invariant
// fails for an assessment that accepts an undeclared input, or refuses it
// without naming the field.
func TestUndeclaredInputRefusedCatchesAnEngineThatTakesIt(t *testing.T) {
	inv := policycheck.UndeclaredInputRefused()
	c := policycheck.NewGenerator(policycheck.DefaultMix, 1).Case(0)
	accepts := func(dsr.Case) (dsr.Assessment, error) { return dsr.Assessment{}, nil }
	if err := inv.Check(c, dsr.Assessment{}, accepts); err == nil {
		t.Error("an engine accepting an undeclared input passes")
	}
	vague := func(dsr.Case) (dsr.Assessment, error) {
		return dsr.Assessment{}, &dsr.ValidationError{Field: "$", Problem: "bad"}
	}
	if err := inv.Check(c, dsr.Assessment{}, vague); err == nil {
		t.Error("an engine refusing without naming the field passes")
	}
}

// TestScenarioRefused: a scenario whose want.json says "refused" passes
// only when the engine refuses the case with exactly those fields and
// rules.
func TestScenarioRefused(t *testing.T) {
	const caseJSON = `{"as_of": "2026-04-01", "person": {"id": "syn-r", "nhs_number": "9990042004", "date_of_birth": "2010-05-05", "autism": true},
 "circumstances": {"escalating_behaviour": true}, "inputs": %s,
 "events": [{"type": "consent_given", "date": "2026-01-05", "given_by": "parent"}]}`
	folder := func(inputs, want string) *fstest.MapFS {
		return &fstest.MapFS{
			"s/description.md": {Data: []byte("a scenario")},
			"s/case.json":      {Data: []byte(strings.Replace(caseJSON, "%s", inputs, 1))},
			"s/want.json":      {Data: []byte(want)},
		}
	}
	load := policycheck.Loader(os.DirFS(filepath.Join("..", "..", "examples", "policies", "weighted-items")))
	for _, tc := range []struct {
		name, inputs, want string
		pass               bool
	}{
		{"refused as wanted", `{"self_harm": 7}`, `{"refused": [{"field": "inputs.self_harm", "rule": "R-INPUT-1"}]}`, true},
		{"assessed, not refused", `{"self_harm": 2}`, `{"refused": [{"field": "inputs.self_harm", "rule": "R-INPUT-1"}]}`, false},
		{"another field refused", `{"sleep": 9}`, `{"refused": [{"field": "inputs.self_harm", "rule": "R-INPUT-1"}]}`, false},
		{"a problem more than wanted", `{"self_harm": 7, "sleep": 9}`, `{"refused": [{"field": "inputs.self_harm", "rule": "R-INPUT-1"}]}`, false},
		{"refused with another key", `{"self_harm": 7}`, `{"refused": [{"field": "inputs.self_harm", "rule": "R-INPUT-1"}], "rating": "red"}`, false},
		{"refused, assessment wanted", `{"self_harm": 7}`, `{"rating": "red"}`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := policycheck.ScenarioResults(folder(tc.inputs, tc.want), ".", load)
			if err != nil || len(res) != 1 {
				t.Fatalf("ScenarioResults: %v, %d results", err, len(res))
			}
			if res[0].Passed() != tc.pass {
				t.Errorf("passed %v, want %v: %v", res[0].Passed(), tc.pass, res[0].Problems)
			}
			for _, p := range res[0].Problems {
				if strings.HasPrefix(p, "case.json") {
					t.Errorf("the case itself is invalid: %s", p) // the scenario must fail for the reason under test
				}
			}
		})
	}
}
