package rego

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/dsrkit/dsrkit/internal/bundle"

	"github.com/open-policy-agent/opa/v1/ast"
)

func parseTestModules(t *testing.T, srcs ...string) []*ast.Module {
	t.Helper()
	var mods []*ast.Module
	for i, src := range srcs {
		m, err := ast.ParseModuleWithOpts(string(rune('a'+i))+".rego", src, ast.ParserOptions{RegoVersion: ast.RegoV1})
		if err != nil {
			t.Fatal(err)
		}
		mods = append(mods, m)
	}
	return mods
}

// Every national decision point is read field by field (projectDecision):
// a change to a national rule that stops that costs each assessment a
// dozen allocations per point, and should be deliberate.
func TestNationalDecisionsAreProjected(t *testing.T) {
	b := readProfile(t, "national-2023")
	mods, err := parseRego(b)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range bundle.Points {
		if projectDecision(mods, p) == nil {
			t.Errorf("national-2023's %s decision is not projected", p)
		}
	}
}

func TestProjectDecision(t *testing.T) {
	const head = "package dsr.rating\nimport data.params\n"
	const rules = "rating := \"green\"\nreasons contains \"r\"\nlimit := params.x\n"
	for _, tc := range []struct {
		name, src string
		want      []string // keys: rule, or =constant
	}{
		{"rules", "decision := {\"rating\": rating, \"reasons\": reasons}", []string{"rating:rating", "reasons:reasons"}},
		{"constant", "decision := {\"rating\": rating, \"reasons\": set()}", []string{"rating:rating", "reasons:=set()"}},
		{"sorted keys", "decision := {\"z\": limit, \"a\": rating}", []string{"a:rating", "z:limit"}},
		{"body", "decision := {\"rating\": rating} if input.x", nil},
		{"default", "default decision := {\"rating\": \"green\"}", nil},
		{"else", "decision := {\"rating\": rating} if input.x\nelse := {\"rating\": \"red\"}", nil},
		{"computed", "decision := {\"rating\": upper(rating)}", nil},
		{"import", "decision := {\"rating\": params}", nil},
		{"input", "decision := {\"rating\": input}", nil},
		{"not an object", "decision := rating", nil},
		{"two rules", "decision := {\"rating\": rating}\ndecision := {\"rating\": rating}", nil},
		{"nested", "decision.rating := rating", nil},
		{"function", "decision := {\"rating\": f}\nf(x) := x", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fields := projectDecision(parseTestModules(t, head+rules+tc.src), "rating")
			var got []string
			for _, f := range fields {
				k := string(f.key.Value.(ast.String)) + ":"
				if f.rule != "" {
					k += f.rule
				} else {
					k += "=" + f.value.String()
				}
				got = append(got, k)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

// A decision read field by field is the decision: the same values, and
// undefined (an error) when one of its rules is.
func TestProjectedDecisionIsTheDecision(t *testing.T) {
	ctx := context.Background()
	src := `package dsr.rating
rating := "red" if input.x == 1
reasons contains {"rule": "R-A", "message": "a"} if input.x == 1
reasons contains {"rule": "R-B", "message": "b"}
decision := {"rating": rating, "reasons": reasons, "version": 2}
`
	stages, err := prepareRego(ctx, parseTestModules(t, src), map[string]any{}, []string{"rating"})
	if err != nil {
		t.Fatal(err)
	}
	st := stages[0]
	if len(st.vars) != 2 || st.slots[0].fields == nil {
		t.Fatalf("decision not projected: %d values", len(st.vars))
	}
	in := ast.NewTerm(ast.MustParseTerm(`{"x": 1}`).Value)
	results := make([]*ast.Term, len(st.vars))
	if err := st.evalTerm(ctx, in, results); err != nil {
		t.Fatal(err)
	}
	d, err := decodeRego("rating", st.slots[0].decision(results))
	if err != nil {
		t.Fatal(err)
	}
	if d.Rating != "red" || len(d.Reasons) != 2 {
		t.Errorf("decoded %+v", d)
	}
	v := st.slots[0].decision(results)
	for k, want := range map[string]string{"rating": `"red"`, "reasons": `{{"message": "a", "rule": "R-A"}, {"message": "b", "rule": "R-B"}}`, "version": "2"} {
		if got := v.get(ast.StringTerm(k)); got == nil || got.String() != want {
			t.Errorf("%s = %v, want %s", k, got, want)
		}
	}
	if got := v.get(ast.StringTerm("other")); got != nil {
		t.Errorf("other = %v, want none", got)
	}
	in = ast.NewTerm(ast.MustParseTerm(`{"x": 2}`).Value)
	if err := st.evalTerm(ctx, in, results); err == nil {
		t.Error("rating undefined: want an error, as for an undefined decision")
	}
}

// Folding constant tests changes no outcome: each rule decides as OPA
// decides it without the stage (and without inlined parameters).
func TestFoldConstantTests(t *testing.T) {
	ctx := context.Background()
	params := map[string]any{"on": true, "off": false, "none": nil, "n": 3, "s": "x", "list": []any{"a", "b"}, "obj": map[string]any{"k": "v"}}
	tests := map[string]string{
		"bare_true":       "true",
		"bare_false":      "false",
		"bare_param_on":   "params.on",
		"bare_param_off":  "params.off",
		"bare_null":       "params.none",
		"bare_number":     "params.n",
		"bare_string":     "params.s",
		"neq_null":        "params.none != null",
		"eq_null":         "params.none == null",
		"lt_null_number":  "params.none < 18",
		"gt_number":       "params.n > 2",
		"lte_number":      "params.n <= 2",
		"gte_string":      `params.s >= "x"`,
		"eq_number_float": "params.n == 3.0",
		"neq_array":       "[params.n] != [3]",
		"not_bare_off":    "not params.off",
		"two_tests":       "params.on; params.n < 4",
		"reads_input":     "input.x == 1",
		"comprehension":   "count([1 | params.on]) == 1",
		"in_array":        `"b" in params.list`,
		"not_in_array":    `"z" in params.list`,
		"in_set":          `3 in {1, 3}`,
		"in_object":       `"v" in params.obj`,
		"key_in_object":   `"k" in params.obj`,
		"in_string":       `"x" in params.s`,
		"in_null":         `null in [params.none]`,
	}
	var src strings.Builder
	src.WriteString("package dsr.t\nimport data.params\ndecision := {\n")
	names := slices.Sorted(maps.Keys(tests))
	for _, name := range names {
		fmt.Fprintf(&src, "\t%q: %s,\n", name, name)
	}
	src.WriteString("}\n")
	for _, name := range names {
		fmt.Fprintf(&src, "default %s := false\n%s if {\n\t%s\n}\n", name, name, strings.ReplaceAll(tests[name], "; ", "\n\t"))
	}
	stages, err := prepareRego(ctx, parseTestModules(t, src.String()), params, []string{"t"})
	if err != nil {
		t.Fatal(err)
	}
	input := ast.MustParseTerm(`{"x": 1}`).Value
	arr, err := stages[0].eval(ctx, input)
	if err != nil {
		t.Fatal(err)
	}
	got := arr.Elem(0).Value

	want := plainOPADecision(t, src.String(), params, input)
	for _, name := range names {
		k := ast.StringTerm(name)
		g, w := got.(ast.Object).Get(k), want.(ast.Object).Get(k)
		if g == nil || w == nil || !g.Equal(w) {
			t.Errorf("%s (%s): folded %v, OPA %v", name, tests[name], g, w)
		}
	}
}
