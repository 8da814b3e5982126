package cel

import (
	"testing"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"
)

// FuzzRewrite: on any expression that compiles, the rewritten program
// (celRewrite, unroll budget and all) gives what cel-go's own plan of the
// expression gives, for a few values of x; and the rewrite never panics.
func FuzzRewrite(f *testing.F) {
	for _, s := range []string{
		`x + 1`,
		`[1, 2, 3].exists(i, i == x)`,
		`[1, 2, 3].all(i, [4, 5].exists(j, i + j == x))`,
		`[0, 1, 2, 3].map(i, i * x).filter(v, v > 2)`,
		`cel.bind(a, x + 1, cel.bind(b, a * 2, [a, b]))`,
		`x > 2 ? "big" : "small"`,
		`{"a": 1, "b": 2}[x == 1 ? "a" : "b"]`,
		`[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16].exists(a, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16].exists(b, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16].exists(c, a + b + c == x)))`,
		`[1, 2].transformList(i, v, i + v + x)`,
		`false && x / 0 == 1`,
		`1 / (x - 1) == 1 || true`,
	} {
		f.Add(s)
	}
	env, err := newCELEnv()
	if err != nil {
		f.Fatal(err)
	}
	if env, err = env.Extend(cel.Variable("x", cel.IntType)); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, src string) {
		if len(src) > 2000 {
			return // small expressions: the cost of a case, not its size, is what is fuzzed
		}
		checked, iss := env.CompileSource(common.NewStringSource(src, "t.cel"))
		if iss.Err() != nil {
			return
		}
		p1, err := env.Program(checked, cel.EvalOptions(cel.OptOptimize), cel.CostLimit(celCostLimit))
		if err != nil {
			return
		}
		p2, err := env.PlanProgram(celRewrite(checked.NativeRep()), cel.EvalOptions(cel.OptOptimize), cel.CostLimit(celCostLimit))
		if err != nil {
			t.Fatalf("%s: the rewrite does not plan: %v", src, err)
		}
		for _, x := range []int64{0, 1, 2, 7} {
			vars := map[string]any{"x": x}
			want, _, err1 := p1.Eval(vars)
			got, _, err2 := p2.Eval(vars)
			if err1 != nil || err2 != nil {
				// An error either way (the cost limit: the rewrite costs
				// less, so it may finish where the plan stops).
				if err1 == nil {
					t.Fatalf("%s, x=%d: plain %v, rewritten error %v", src, x, want, err2)
				}
				continue
			}
			if !sameVal(want, got) {
				t.Fatalf("%s, x=%d: plain %v, rewritten %v", src, x, want, got)
			}
		}
	})
}

func sameVal(a, b ref.Val) bool {
	if types.IsError(a) || types.IsError(b) {
		return types.IsError(a) == types.IsError(b)
	}
	return a.Type() == b.Type() && a.Equal(b) == types.True
}
