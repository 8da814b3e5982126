package cel

import (
	"reflect"
	"testing"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common"
	celast "cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/operators"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"
	"github.com/stretchr/testify/require"

	"github.com/dsrkit/dsrkit/dsr"
)

// celBlockEnv is the decision points' environment with one int variable x.
func celBlockEnv(t *testing.T) *cel.Env {
	t.Helper()
	env, err := newCELEnv()
	require.NoError(t, err)
	env, err = env.Extend(cel.Variable("x", cel.IntType))
	require.NoError(t, err)
	return env
}

// evalBoth evaluates src as cel-go plans it and after celRewrite, for x.
func evalBoth(t *testing.T, env *cel.Env, src string, x int64) (plain, blocked ref.Val, root *celast.AST) {
	t.Helper()
	checked, iss := env.CompileSource(common.NewStringSource(src, "t.cel"))
	require.NoError(t, iss.Err(), src)
	vars := map[string]any{"x": x}
	p1, err := env.Program(checked, cel.EvalOptions(cel.OptOptimize))
	require.NoError(t, err)
	plain, _, _ = p1.Eval(vars)
	root = celRewrite(checked.NativeRep())
	p2, err := env.PlanProgram(root, cel.EvalOptions(cel.OptOptimize))
	require.NoError(t, err)
	blocked, _, _ = p2.Eval(vars)
	return plain, blocked, root
}

// A chain of binds becomes one block, and evaluates as the binds did,
// including where a name is shadowed: by a later link of the chain, by a
// comprehension variable, or by a bind inside a slot's expression.
func TestCELBlocksKeepTheMeaningOfBinds(t *testing.T) {
	env := celBlockEnv(t)
	cases := []struct {
		src   string
		slots int // slots of the root block; 0: the root is not a block
	}{
		{`cel.bind(a, x + 1, cel.bind(b, a * 2, cel.bind(c, b - a, [a, b, c])))`, 3},
		// b's value refers to a; the body to both.
		{`cel.bind(a, x, cel.bind(b, [1, 2, 3].map(a, a * 10), b.map(e, e + a)))`, 2},
		// a comprehension variable named like a slot hides it inside the loop only.
		{`cel.bind(i, x, [1, 2].exists(i, i == 2) && i == x)`, 1},
		// a later link named like an earlier one shadows it from there on.
		{`cel.bind(a, x, cel.bind(b, a + 1, cel.bind(a, b * 100, a + b)))`, 3},
		// a bind inside a slot's value becomes a slot of its own.
		{`cel.bind(a, cel.bind(a, x * 3, a + 1), cel.bind(b, a, a + b))`, 3},
		// a bind in a loop that reads no loop variable joins the block ...
		{`cel.bind(y, x, [x, x + 1].map(i, cel.bind(k, y * 2, k + i)))`, 2},
		// ... one that does stays in the loop.
		{`cel.bind(y, x, [x, x + 1].map(i, cel.bind(k, i * y, k + 1)))`, 1},
		{`cel.bind(y, x, [x, x + 1].map(i, cel.bind(i, y, i + 1)))`, 2},
		{`cel.bind(y, x, [x, x + 1].map(i, cel.bind(k, i, cel.bind(m, k + y, m))))`, 1},
		{`cel.bind(y, x, x > 0 ? cel.bind(k, 1 / y, k) : 0)`, 2},
		// a bind under another expression is rewritten where it stands.
		{`x > 0 ? cel.bind(p, x, cel.bind(q, p + p, q)) : -1`, 0},
		// the accumulator of a comprehension (@result in cel-go's macros).
		{`cel.bind(v, x, [v, v + 1].filter(e, e > v))`, 1},
	}
	for _, tc := range cases {
		for _, x := range []int64{-2, 0, 5} {
			plain, blocked, root := evalBoth(t, env, tc.src, x)
			if types.IsError(plain) {
				require.True(t, types.IsError(blocked), "%s with x=%d: %v, want an error", tc.src, x, blocked)
			} else {
				require.Equal(t, types.True, plain.Equal(blocked), "%s with x=%d: %v, want %v", tc.src, x, blocked, plain)
			}
			if tc.slots > 0 {
				e := root.Expr()
				require.Equal(t, celast.CallKind, e.Kind(), tc.src)
				require.Equal(t, "cel.@block", e.AsCall().FunctionName(), tc.src)
				require.Len(t, e.AsCall().Args()[0].AsList().Elements(), tc.slots, tc.src)
			}
		}
	}
}

// A slot is evaluated only when referenced, as a bind's value: a value that
// would fail is harmless when nothing reads it, and fails where it is read.
func TestCELBlocksAreLazy(t *testing.T) {
	env := celBlockEnv(t)
	plain, blocked, _ := evalBoth(t, env, `cel.bind(bad, 1 / (x - x), cel.bind(ok, x + 1, x > 100 ? bad : ok))`, 4)
	require.Equal(t, types.Int(5), plain)
	require.Equal(t, plain, blocked)
	_, blocked, _ = evalBoth(t, env, `cel.bind(bad, 1 / (x - x), cel.bind(ok, x + 1, x > 0 ? bad : ok))`, 4)
	require.True(t, types.IsError(blocked), "got %v, want the division error", blocked)
}

// The input objects answer as the native structs they stand for: field by
// field, nested, in lists, and in presence tests.
func TestCELObjectsReadTheCase(t *testing.T) {
	env := celBlockEnv(t)
	c, err := dsr.UnmarshalCase([]byte(`{"as_of":"2026-04-20","person":{"id":"syn-o1","date_of_birth":"2010-09-15","autism":true},
		"circumstances":{"in_crisis":true},
		"events":[{"type":"consent_given","date":"2025-10-02","given_by":"parent"},
			{"type":"admitted","date":"2026-03-30","security":"general","legal_status":"s2"},
			{"type":"transferred","date":"2026-04-10","security":"picu"}]}`))
	require.NoError(t, err)
	f := dsr.Derive(&c)
	in := buildCELInput(&c, &f, types.NewStringInterfaceMap(types.DefaultTypeAdapter, map[string]any{}))
	in.setDecisions(celDecisions{Eligible: true, Rating: "blue", ConsentDate: 123})
	for src, want := range map[string]any{
		`facts.admission.date`:                                    int64(f.Current().Admitted.Days()),
		`facts.admission.security`:                                "picu",
		`facts.admission.last_move_change`:                        "security_up",
		`facts.inpatient && person.autism`:                        true,
		`person.age`:                                              int64(15),
		`facts.consent[0].by + "/" + string(size(facts.consent))`: "parent/1",
		`facts.consent.map(k, k.date)[0]`:                         int64(f.Consent[0].Date.Days()),
		`has(facts.admission.date)`:                               true,
		`has(facts.blue_light.date)`:                              false,
		`decisions.rating + string(decisions.consent_date)`:       "blue123",
		`facts.admission == facts.admission`:                      true,
		`as_of`:                                                   int64(c.AsOf.Days()),
		// a struct a rule builds itself is read as cel-go reads native structs
		`dsr.Admission{date: 7, security: "low"}.date`: int64(7),
		`has(dsr.Admission{security: "low"}.date)`:     false,
	} {
		checked, iss := env.Compile(src)
		require.NoError(t, iss.Err(), src)
		prg, err := env.Program(checked, cel.EvalOptions(cel.OptOptimize))
		require.NoError(t, err)
		for range 2 { // the second read comes from the object's cache
			out, _, err := prg.Eval(&in.act)
			require.NoError(t, err, src)
			require.Equal(t, want, out.Value(), src)
		}
	}
	got, err := in.act.person.ConvertToNative(reflect.TypeFor[celPerson]())
	require.NoError(t, err)
	require.Equal(t, in.person, got)
}

// A loop that keeps only the circumstances that hold visits only those,
// with the same result; a loop that reads the false ones too is left
// alone. The true-only view is a map of the circumstances that hold.
func TestCELTrueEntries(t *testing.T) {
	env := celBlockEnv(t)
	var circ, view celCircumstances
	newCELCircumstances(&circ, &view, 0b1011)
	act := &celActivation{asOf: types.Int(1), circ: &circ}
	for src, rewritten := range map[string]bool{
		`circumstances.transformList(k, v, v, k)`:                               true,
		`circumstances.transformList(k, v, v && k.size() > 10, k + "!")`:        true,
		`circumstances.transformList(k, v, k.size() > 10 && (v && k != ""), k)`: true,
		`circumstances.transformMap(k, v, v && k != "in_crisis", v)`:            true,
		`circumstances.transformList(k, v, !v, k)`:                              false,
		`circumstances.transformList(k, v, v || k == "in_crisis", k)`:           false,
		`circumstances.transformList(k, v, k == "x", v)`:                        false,
		`circumstances.exists(k, v, v && k == "in_crisis")`:                     false,
		`cel.bind(m, circumstances, m.transformList(k, v, v, k))`:               true,
	} {
		checked, iss := env.Compile(src)
		require.NoError(t, iss.Err(), src)
		p1, err := env.Program(checked, cel.EvalOptions(cel.OptOptimize))
		require.NoError(t, err)
		want, _, err := p1.Eval(act)
		require.NoError(t, err, src)
		blocked := celRewrite(checked.NativeRep())
		p2, err := env.PlanProgram(blocked, cel.EvalOptions(cel.OptOptimize))
		require.NoError(t, err)
		got, _, err := p2.Eval(act)
		require.NoError(t, err, src)
		require.Equal(t, types.True, want.Equal(got), "%s: %v, want %v", src, got, want)
		found := false
		celast.PostOrderVisit(blocked.Expr(), celast.NewExprVisitor(func(e celast.Expr) {
			found = found || (e.Kind() == celast.CallKind && e.AsCall().FunctionName() == celTrueEntriesFn)
		}))
		require.Equal(t, rewritten, found, src)
	}
	v := celTrueEntriesOf(&circ).(*celCircumstances)
	require.Equal(t, types.Int(3), v.Size())
	require.Equal(t, types.True, v.Contains(celCircKeys[3]))
	require.Equal(t, types.False, v.Contains(celCircKeys[2]))
	require.Equal(t, types.True, circ.Contains(celCircKeys[2]))
	require.Equal(t, map[string]bool{dsr.CircumstanceNames[0]: true, dsr.CircumstanceNames[1]: true, dsr.CircumstanceNames[3]: true}, v.native())
	var keys []ref.Val
	for it := v.Iterator(); it.HasNext() == types.True; {
		keys = append(keys, it.Next())
	}
	require.Equal(t, []ref.Val{celCircKeys[0], celCircKeys[1], celCircKeys[3]}, keys)
	require.Equal(t, types.Int(7), celTrueEntriesOf(types.Int(7)), "any other value passes through")
}

// The decode arena hands out slices that cannot grow into each other, and
// the heap once it is full; without an arena, the heap.
func TestCELDecodeArena(t *testing.T) {
	var a celDecodeArena
	r1 := a.reasonsFor(3)
	r2 := a.reasonsFor(2)
	require.Equal(t, 3, cap(r1))
	r1 = append(r1, dsr.Reason{Rule: "A"}, dsr.Reason{Rule: "B"}, dsr.Reason{Rule: "C"})
	r2 = append(r2, dsr.Reason{Rule: "X"})
	r1 = append(r1, dsr.Reason{Rule: "D"}) // outgrows its room: moves to the heap
	require.Equal(t, "C", r1[2].Rule)
	require.Equal(t, "D", r1[3].Rule)
	require.Equal(t, "X", r2[0].Rule)
	require.Equal(t, "A", a.reasons[0].Rule)
	require.Equal(t, "X", a.reasons[3].Rule, "the second slice starts after the first one's room")
	big := a.reasonsFor(len(a.reasons))
	require.Equal(t, len(a.reasons), cap(big))
	require.Equal(t, 5, a.nr, "a request the arena cannot hold comes from the heap")
	d := a.deadlinesFor(2)
	require.Equal(t, 2, cap(d))
	var none *celDecodeArena
	require.Equal(t, 4, cap(none.reasonsFor(4)))
	require.Equal(t, 1, cap(none.deadlinesFor(1)))
}

// Quantifiers and list-building loops over constant lists unroll, with
// the same result as the loops (errors included: && and || absorb them as
// all() and exists() do); loops over anything else stay loops.
func TestCELUnrollConstantLoops(t *testing.T) {
	env := celBlockEnv(t)
	for src, unrolled := range map[string]bool{
		`[1, 2, 3].all(i, i < x)`:                                             true,
		`[1, 2, 3].exists(i, i == x)`:                                         true,
		`dyn([1, 2, 3]).exists(i, i == x)`:                                    true,
		`[].all(i, i > x)`:                                                    true,
		`[].exists(i, i > x)`:                                                 true,
		`[1, 2].exists(i, 10 / (i - x) > 1)`:                                  true,
		`[1, 2].all(i, 10 / (i - x) > 1)`:                                     true,
		`dyn([["a", "b"], ["c"]]).exists(s, s.all(n, n.size() + x > 1))`:      true,
		`[1, 2].exists(x, x == 2)`:                                            true,
		`[1, 2].all(i, [3, 4].exists(i, i > 3 + x))`:                          true,
		`[1, 2, 3].map(i, i * x)`:                                             true,
		`[1, 2, 3].filter(i, i > x)`:                                          true,
		`[1, 2, 3].map(i, i > x, i + 1)`:                                      true,
		`[[1], [2, 3]].transformList(j, l, size(l) > j, l.map(y, y + j + x))`: true,
		`[[1], [2, 3]].transformList(j, l, l.map(y, y * j))`:                  true,
		`[1, 2].map(i, 10 / (i - x))`:                                         true,
		`[1, 2].exists_one(i, i > x)`:                                         false,
		`[x, 2].all(i, i > 0)`:                                                false,
		`[1, 2, 3].filter(i, i > x).all(j, j > 0)`:                            false,
	} {
		for _, x := range []int64{-1, 1, 2, 5} {
			plain, blocked, root := evalBoth(t, env, src, x)
			if types.IsError(plain) {
				require.True(t, types.IsError(blocked), "%s with x=%d: %v, want an error", src, x, blocked)
			} else {
				require.Equal(t, types.True, plain.Equal(blocked), "%s with x=%d: %v, want %v", src, x, blocked, plain)
			}
			loops := 0
			celast.PostOrderVisit(root.Expr(), celast.NewExprVisitor(func(e celast.Expr) {
				if e.Kind() == celast.ComprehensionKind {
					loops++
				}
			}))
			require.Equal(t, unrolled, loops == 0, "%s: %d loops left", src, loops)
		}
	}
}

// Tests that constants decide are decided at load, with the meaning CEL
// gives them (a false && absorbs an error on the other side); what
// constants do not decide stays.
func TestCELFoldConstants(t *testing.T) {
	env := celBlockEnv(t)
	for src, calls := range map[string]int{
		`false && 1 / x > 0`:                    0,
		`1 / x > 0 && false`:                    0,
		`true && x > 1`:                         1, // x > 1
		`x > 1 && true`:                         1,
		`true || 1 / x > 0`:                     0,
		`false || x > 1`:                        1,
		`true ? x : 1 / 0`:                      0,
		`dyn(false) ? 1 / 0 : x`:                0,
		`null != null || x > 1`:                 1,
		`dyn(null) == null ? x : 2`:             0,
		`dyn(3) == 3 && dyn("a") != 1`:          0,
		`dyn(true) && dyn(x > 0)`:               4, // && on a dyn operand stays: two dyn(), >, &&
		`x > 1 && x < 4`:                        3,
		`[1, 2].exists(i, i == 2) || x > 0`:     0,
		`dyn({"n": 14, "unit": "days"}).n + x`:  1,
		`dyn({"a": {"b": 2}}).a.b == x`:         1,
		`dyn({"n": 1}).m == x`:                  2, // no such key: left to fail at run time
		`{"n": x}.n`:                            0, // not constant: a map literal, no call
		`has(dyn({"n": 1}).n)`:                  1,
		`"b" in dyn(["a", "b"]) && x > 1`:       1,
		`"c" in ["a", "b"] || x > 1`:            1,
		`2 in [1, 2.0] ? x : 0`:                 0, // heterogeneous equality: 2 == 2.0
		`"k" in {"k": 1} && !("j" in {"k": x})`: 2, // the second map has a variable value: left alone
		`x in [1, 2]`:                           1,
		`[1] in [[1], [2]]`:                     1, // nested lists are left to cel-go
		`!dyn(false) && x > 1`:                  1,
		`!true || x > 1`:                        1,
		`[x] + [] + [x + 1]`:                    2, // the empty list drops out: +, and x + 1
		`[] + [x]`:                              0,
		`["a", "b"].join(" and ") + string(x)`:  2, // +, string()
		`dyn(["a"]).join() == "a" ? x : 0`:      0,
		`[string(x), "b"].join("-")`:            2, // not constant: join, string()
		`[["x", "y"], ["z"]].transformList(i, set, x > i, set.join(" and "))`: 5, // unrolled, joined at load: two ?:, two >, +
	} {
		for _, x := range []int64{0, 2, 5} {
			plain, folded, root := evalBoth(t, env, src, x)
			if types.IsError(plain) {
				require.True(t, types.IsError(folded), "%s with x=%d: %v, want an error", src, x, folded)
			} else {
				require.Equal(t, types.True, plain.Equal(folded), "%s with x=%d: %v, want %v", src, x, folded, plain)
			}
			n := 0
			celast.PostOrderVisit(root.Expr(), celast.NewExprVisitor(func(e celast.Expr) {
				if e.Kind() == celast.CallKind {
					n++
				}
			}))
			require.Equal(t, calls, n, "%s: calls left", src)
		}
	}
}

// A lookup in a constant map by a variable's value is written as tests of
// the value, with the lookup itself as the last branch: the same answers,
// the same error for a key the map lacks. A bind of a constant is read as
// the constant.
func TestCELFoldConstantMapLookup(t *testing.T) {
	env, err := newCELEnv()
	require.NoError(t, err)
	env, err = env.Extend(cel.Variable("s", cel.StringType), cel.Variable("d", cel.DynType))
	require.NoError(t, err)
	for src, want := range map[string]struct {
		conds, lookups int
	}{
		`dyn({"a": 1, "b": 2})[s]`:                       {2, 1},
		`cel.bind(m, {"a": "x", "b": "y"}, m[s] + m[s])`: {4, 2},
		`{"a": 1}[s + "b"]`:                              {0, 1}, // the key is not a plain read
		`dyn({"a": 1, "b": 2})[d]`:                       {2, 1},
		`{1: "one"}[d]`:                                  {0, 1}, // not string keys
	} {
		checked, iss := env.Compile(src)
		require.NoError(t, iss.Err(), src)
		p1, err := env.Program(checked, cel.EvalOptions(cel.OptOptimize))
		require.NoError(t, err)
		out := celRewrite(checked.NativeRep())
		p2, err := env.PlanProgram(out, cel.EvalOptions(cel.OptOptimize))
		require.NoError(t, err)
		for _, in := range []map[string]any{{"s": "a", "d": "b"}, {"s": "b", "d": 1}, {"s": "z", "d": "z"}, {"s": "", "d": true}} {
			plain, _, err1 := p1.Eval(in)
			folded, _, err2 := p2.Eval(in)
			require.Equal(t, err1 != nil, err2 != nil, "%s %v: %v / %v", src, in, err1, err2)
			if err1 == nil {
				require.Equal(t, types.True, plain.Equal(folded), "%s %v: %v, want %v", src, in, folded, plain)
			}
		}
		conds, lookups := 0, 0
		celast.PostOrderVisit(out.Expr(), celast.NewExprVisitor(func(e celast.Expr) {
			if e.Kind() == celast.CallKind {
				switch e.AsCall().FunctionName() {
				case operators.Conditional:
					conds++
				case operators.Index:
					lookups++
				}
			}
		}))
		require.Equal(t, want.conds, conds, "%s: conditionals", src)
		require.Equal(t, want.lookups, lookups, "%s: lookups", src)
	}
}
