package rego

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/storage/inmem"
	"github.com/open-policy-agent/opa/v1/topdown"
)

// Dropping rule definitions that a folded test rules out (dropDeadRules)
// changes no outcome: a set with every definition ruled out is still the
// empty set, a value rule with none left is still undefined (here, its
// default), a function keeps its definitions, and the live definitions
// still give their values.
func TestDropDeadRules(t *testing.T) {
	ctx := context.Background()
	params := map[string]any{"none": nil, "on": true}
	const src = `package dsr.t
import data.params

decision := {"live": live, "all_dead": all_dead, "value": value, "valued": valued, "fn": fn, "bare": bare}

live contains "a" if params.none != null
live contains "b" if input.x == 1
live contains "c" if {
	params.on
	params.none != null
}

all_dead contains "a" if params.none != null
all_dead contains "b" if {
	input.x == 1
	params.none != null
}

default value := "default"
value := "dead" if params.none != null

valued := "dead" if params.none != null
valued := "live" if input.x == 1

default f(_) := "default"
f(x) := "dead" if {
	params.none != null
	x == 1
}
fn := f(1)

default bare := "default"
bare := "dead" if {
	params.none != null
}
bare := "also dead" if {
	input.x == 2
	params.none != null
}
`
	mods := parseTestModules(t, src)
	stages, err := prepareRego(ctx, mods, params, []string{"t"})
	if err != nil {
		t.Fatal(err)
	}
	input := ast.MustParseTerm(`{"x": 1}`).Value
	arr, err := stages[0].eval(ctx, input)
	if err != nil {
		t.Fatal(err)
	}
	// The decision is projected (its fields are the rules): rebuild it.
	got := ast.NewObject()
	view := stages[0].slots[0].decision(arr2terms(arr))
	for _, k := range []string{"live", "all_dead", "value", "valued", "fn", "bare"} {
		if v := view.get(ast.StringTerm(k)); v != nil {
			got.Insert(ast.StringTerm(k), v)
		}
	}

	want := plainOPADecision(t, src, params, input)
	gotJSON, err := ast.JSON(got)
	if err != nil {
		t.Fatal(err)
	}
	gotValue, err := ast.InterfaceToValue(gotJSON) // sets as arrays, as OPA's result
	if err != nil {
		t.Fatal(err)
	}
	if gotValue.Compare(want) != 0 {
		t.Errorf("with dead rules dropped: %v\nOPA: %v", got, want)
	}

	// No evaluation enters a dead definition but the last of its rule
	// (all_dead's second) and the function's.
	buf := topdown.NewBufferTracer()
	q := *stages[0].tmpl
	if err := q.WithQueryTracer(buf).WithInput(ast.NewTerm(input)).Iter(ctx, func(topdown.QueryResult) error { return nil }); err != nil {
		t.Fatal(err)
	}
	entered := map[int]bool{}
	for _, ev := range *buf {
		if ev.Op == topdown.EnterOp && ev.Location != nil {
			entered[ev.Location.Row] = true
		}
	}
	lines := strings.Split(src, "\n")
	for row, line := range lines {
		dead := strings.Contains(line, `"dead"`) || strings.Contains(line, `"also dead"`) || strings.HasPrefix(line, `live contains "a"`) || strings.HasPrefix(line, `live contains "c"`) || strings.HasPrefix(line, `all_dead contains "a"`)
		if dead && entered[row+1] && !strings.HasPrefix(line, "f(x)") {
			t.Errorf("line %d entered: %s", row+1, line)
		}
	}
	if !entered[slices.Index(lines, `all_dead contains "b" if {`)+1] {
		t.Errorf("all_dead's last definition was dropped")
	}
}

func arr2terms(a *ast.Array) []*ast.Term {
	ts := make([]*ast.Term, a.Len())
	for i := range ts {
		ts[i] = a.Elem(i)
	}
	return ts
}

// plainOPADecision is data.dsr.t.decision of module src as OPA's rego
// package evaluates it, without this package's compiler stages: the
// reference the tests compare with.
func plainOPADecision(t *testing.T, src string, params map[string]any, input ast.Value) ast.Value {
	t.Helper()
	ctx := context.Background()
	pq, err := rego.New(
		rego.Query("data.dsr.t.decision"),
		rego.Module("t.rego", src),
		rego.Store(inmem.NewFromObject(map[string]any{"params": params})),
	).PrepareForEval(ctx)
	if err != nil {
		t.Fatal(err)
	}
	rs, err := pq.Eval(ctx, rego.EvalParsedInput(input))
	if err != nil || len(rs) != 1 {
		t.Fatalf("OPA: %v %v", rs, err)
	}
	want, err := ast.InterfaceToValue(rs[0].Expressions[0].Value)
	if err != nil {
		t.Fatal(err)
	}
	return want
}
