package rego

import (
	"context"
	"testing"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
)

// FuzzCompile: any module either fails to parse or compile with an error,
// or compiles both ways (optimised and plain) and evaluates under the
// limits to the same decision when both evaluate; never a panic, never a
// builtin off the allowlist.
func FuzzCompile(f *testing.F) {
	for _, s := range []string{
		"package dsr.t\n\ndecision := {\"n\": count(input.xs)}\n",
		"package dsr.t\n\nimport data.params\n\ndecision := params.k + 1\n",
		"package dsr.t\n\nxs contains x if { some x in numbers.range(1, 10); x % 2 == 0 }\n\ndecision := xs\n",
		"package dsr.t\n\ndecision := time.now_ns()\n",
		"package dsr.t\n\nf(n) := f(n)\n\ndecision := f(1)\n",
		"package dsr.t\n\ndefault decision := \"none\"\n\ndecision := \"a\" if input.a == true\n",
		"package dsr.t\n\ndecision := concat(\"\", [\"a\", \"b\"]) if { true; 1 == 1 } else := 2\n",
		"package dsr.t\n\ndecision := count({x | some x in numbers.range(1, 100000)})\n",
	} {
		f.Add(s)
	}
	params := map[string]any{"k": 1, "list": []any{"a", "b"}}
	f.Fuzz(func(t *testing.T, src string) {
		if len(src) > 4000 {
			return
		}
		m, err := ast.ParseModuleWithOpts("t.rego", src, ast.ParserOptions{RegoVersion: ast.RegoV1})
		if err != nil {
			return
		}
		ctx := context.Background()
		var results [2]*ast.Array
		for i, plain := range []bool{false, true} {
			m := m.Copy()
			stages, err := prepare(ctx, []*ast.Module{m}, params, plain, []string{"t"})
			if err != nil {
				return
			}
			st := stages[0]
			st.deadline, st.files = 200*time.Millisecond, []string{"t.rego"}
			start := time.Now()
			res, err := st.eval(ctx, ast.NewObject(ast.Item(ast.StringTerm("a"), ast.BooleanTerm(true))))
			if took := time.Since(start); took > 2*time.Second {
				t.Fatalf("plain=%v: evaluation ran %v despite the deadline", plain, took)
			}
			if err != nil {
				return
			}
			results[i] = res
		}
		// The plain path reads its results through JSON (sets as arrays).
		if a, b := asJSON(t, results[0]), asJSON(t, results[1]); a.Compare(b) != 0 {
			t.Fatalf("optimised %v, plain %v", a, b)
		}
	})
}

func asJSON(t *testing.T, v ast.Value) ast.Value {
	j, err := ast.JSON(v)
	if err != nil {
		t.Fatal(err)
	}
	out, err := ast.InterfaceToValue(j)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
