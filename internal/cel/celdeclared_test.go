package cel

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/internal/bundle"
	"github.com/dsrkit/dsrkit/internal/eval"
)

// compileRating compiles rating, a CEL rating rule, for a bundle declaring
// decls, as the only CEL point.
func compileRating(decls []dsr.InputDecl, rating string) (*Program, error) {
	b := &bundle.Bundle{
		Manifest:   bundle.Manifest{Name: "t", Inputs: decls},
		PointFiles: map[string]bundle.Source{"rating": {Name: "rating.cel", Text: []byte(rating)}},
	}
	plan := eval.Plan{Bundle: b, Params: map[string]any{}, Stages: [2][]string{{"", "", "rating"}, {"", ""}}}
	return Compile(context.Background(), plan)
}

var testDecls = func() []dsr.InputDecl {
	lo, hi := int64(0), int64(3)
	return []dsr.InputDecl{
		{Name: "alcohol_use", Kind: dsr.InputBool},
		{Name: "self_harm", Kind: dsr.InputInt, Min: &lo, Max: &hi},
		{Name: "completed_by", Kind: dsr.InputEnum, Values: []string{"nurse"}},
	}
}()

// TestDeclaredInputsTypeChecked: the CEL checker types the declared inputs:
// a rule comparing an int input with a bool, reading an undeclared input,
// or reading inputs at all when none are declared fails at load.
func TestDeclaredInputsTypeChecked(t *testing.T) {
	for _, tc := range []struct {
		name  string
		decls []dsr.InputDecl
		rule  string
		want  string // "" compiles
	}{
		{"typed use", testDecls, `{"rating": inputs.alcohol_use && inputs.self_harm >= 2 && inputs.completed_by == "nurse" ? "red" : "green", "reasons": []}`, ""},
		{"int compared with bool", testDecls, `{"rating": inputs.self_harm == true ? "red" : "green", "reasons": []}`, "no matching overload"},
		{"undeclared input", testDecls, `{"rating": inputs.nope ? "red" : "green", "reasons": []}`, "undefined field 'nope'"},
		{"no inputs declared", nil, `{"rating": inputs.self_harm > 1 ? "red" : "green", "reasons": []}`, "undeclared reference to 'inputs'"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := compileRating(tc.decls, tc.rule)
			var le *bundle.LoadError
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("Compile: %v", err)
			case tc.want != "" && (!errors.As(err, &le) || le.File != "rating.cel" || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("Compile: %v, want a LoadError in rating.cel saying %q", err, tc.want)
			}
		})
	}
}

// TestDeclaredInputsSeenWithDefaults: the rule sees the case's values, and
// each declaration's default for an input the case leaves out.
func TestDeclaredInputsSeenWithDefaults(t *testing.T) {
	prg, err := compileRating(testDecls, `{"rating": "green", "reasons": [{"rule": "R-INPUT-1", "message": string(inputs.alcohol_use) + " " + string(inputs.self_harm) + " [" + inputs.completed_by + "]"}]}`)
	if err != nil {
		t.Fatal(err)
	}
	c := mustCase(t, `{"as_of": "2026-04-01", "person": {"id": "syn-1", "date_of_birth": "2010-05-05"}}`)
	for _, tc := range []struct {
		given map[string]dsr.InputValue
		want  string
	}{
		{nil, "false 0 []"},
		{map[string]dsr.InputValue{"self_harm": dsr.IntInput(3), "completed_by": dsr.WordInput("nurse")}, "false 3 [nurse]"},
		{map[string]dsr.InputValue{"alcohol_use": dsr.BoolInput(true)}, "true 0 []"},
	} {
		c.Inputs = tc.given
		f := dsr.Derive(&c)
		s := prg.Start(&c, &f)
		out := make([]eval.Decision, 3)
		if err := s.Eval(context.Background(), 0, out); err != nil {
			t.Fatal(err)
		}
		if got := out[2].Reasons[0].Message; got != tc.want {
			t.Errorf("inputs %v: the rule saw %q, want %q", tc.given, got, tc.want)
		}
		s.Release()
	}
}

// TestWeightedItemsRatingIsBounded: the example rating over 19 declared
// inputs (examples/policies/weighted-items-cel) has a worst-case cost
// bounded at load (its string(int) conversions are at most 20 bytes), so
// it runs without per-call cost tracking.
func TestWeightedItemsRatingIsBounded(t *testing.T) {
	p := compileBundle(t, os.DirFS("../../examples/policies/weighted-items-cel"))
	if rating := p.stages[0][2]; rating == nil || rating.tracked {
		t.Errorf("weighted-items-cel's rating: %+v, want compiled untracked", rating)
	}
}
