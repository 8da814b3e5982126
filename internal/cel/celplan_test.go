package cel

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/dsrkit/dsrkit/internal/eval"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/traits"
)

// The records, tuples and appends of celplan.go give the same values and
// errors as cel-go's own map and list literals.
func TestCELPlanSameAsCELGo(t *testing.T) {
	env, err := newCELEnv()
	if err != nil {
		t.Fatal(err)
	}
	a := env.CELTypeAdapter()
	plain := []cel.ProgramOption{cel.EvalOptions(cel.OptOptimize)}
	fast := append(plain[:1:1], cel.CustomDecoratorV2(celRecords(a)), cel.CustomDecoratorV2(celTuples(a)), cel.CustomDecoratorV2(celAppends()))
	var circ, circTrue celCircumstances
	newCELCircumstances(&circ, &circTrue, 0b101)
	act := &celActivation{asOf: types.Int(20000), circ: &circ}
	for _, src := range []string{
		`{"a": as_of, "b": 1}`,
		`{"a": as_of, "b": 1} == {"b": 1, "a": as_of}`,
		`{"a": as_of, "b": 1} == {"b": 1, "a": 2}`,
		`{"b": 1, "a": as_of} == {"a": as_of, "b": 1}`,
		`{"a": as_of}["a"] + 1`,
		`{"a": as_of}.a`,
		`"a" in {"a": as_of}`,
		`"c" in {"a": as_of}`,
		`{"a": as_of}["c"]`,
		`dyn({"a": as_of})[1]`,
		`1 in dyn({"a": as_of})`,
		`size({"a": as_of, "b": [as_of]})`,
		`{"a": as_of, "b": 2}.map(k, k).sort()`,
		`{"a": as_of, "b": 2}.all(k, k != "")`,
		`{"a": as_of, "b": 2}.transformList(k, v, v > 1, k).sort()`,
		`{"a": as_of / 0}`,
		`{"a": [as_of / 0, 1]}`,
		`"%s".format([{"a": as_of}])`,
		`"%s".format([[as_of, 1]])`,
		`[as_of, 1]`,
		`[as_of, 1] == [as_of, 1]`,
		`[as_of, 1] == [1, as_of]`,
		`[as_of, 1] + [2]`,
		`[as_of, 1] + []`,
		`[] + [as_of]`,
		`([as_of] + [as_of, 2])[2]`,
		`[as_of, 1] + [as_of, 2] == [as_of, 1, as_of, 2]`,
		`([as_of, 1, 2] + [as_of, 3])[3]`,
		`size([as_of] + [as_of]) + size([as_of, 1] + [2, as_of, 3])`,
		`([as_of] + [as_of])[0] + ([as_of, 2] + [3])[2]`,
		`[as_of][1]`,
		`[as_of][-1]`,
		`dyn([as_of])[0.0]`,
		`[as_of, 1][dyn(1u)]`,
		`as_of in [as_of, 1]`,
		`2 in [as_of, 1]`,
		`[as_of, 1].map(x, x + 1)`,
		`[as_of, 1, 3].filter(x, x > 1)`,
		`[as_of, 1].exists(x, x == 1)`,
		`lists.range(5).map(x, [x, as_of]).flatten()`,
		`lists.range(5).transformList(i, x, x % 2 == 0, x * as_of)`,
		`lists.range(3).map(x, x / (x - 1))`,
		`[as_of, 1].sort()`,
		`[as_of, 1].distinct()`,
		`["a", string(as_of)].join("-")`,
		`[as_of, 1].slice(0, 1)`,
		`[as_of, 1].reverse()`,
		`size([as_of, 1, 2, 3])`,
		`[[as_of], [1]] == [[as_of], [1]]`,
		`{"a": [as_of]} == {"a": [as_of]}`,
		`type([as_of]) == list && type({"a": as_of}) == map`,
		`circumstances.transformList(k, v, v, k)`,
	} {
		checked, iss := env.Compile(src)
		if iss.Err() != nil {
			t.Fatalf("%s: %v", src, iss.Err())
		}
		var got [2]string
		for i, opts := range [][]cel.ProgramOption{plain, fast} {
			prg, err := env.Program(checked, opts...)
			if err != nil {
				t.Fatal(err)
			}
			out, _, err := prg.Eval(act)
			if err != nil {
				got[i] = "error: " + err.Error()
				continue
			}
			native, err := out.ConvertToNative(reflect.TypeFor[any]())
			got[i] = fmt.Sprintf("%v %T %v", out.Type(), native, native)
			if err != nil {
				got[i] = fmt.Sprintf("%v conversion error %v", out.Type(), err)
			}
		}
		if got[0] != got[1] {
			t.Errorf("%s:\ncel-go   %s\ncelplan  %s", src, got[0], got[1])
		}
	}
}

// celFormatPlain renders what formatMessage does, or declines.
func TestCELFormatPlainSameAsFormatMessage(t *testing.T) {
	a := types.DefaultTypeAdapter
	for _, tc := range []struct {
		msg  string
		args []any
		ok   bool
	}{
		{"review type %s: aged %d%s", []any{"CETR", int64(15), ""}, true},
		{"%s entries are reviewed every %d %s", []any{"RED", int64(20000), "weeks"}, true},
		{"100%% of %d", []any{int64(-3)}, true},
		{"no verbs", []any{}, true},
		{"%d", []any{"x"}, false},
		{"%s", []any{int64(1)}, false},
		{"%s %s", []any{"a"}, false},
		{"%s", []any{"a", "b"}, false},
		{"%v", []any{"a"}, false},
		{"%5d", []any{int64(1)}, false},
		{"trailing %", []any{}, false},
		{"%s", []any{true}, false},
		{"%s", []any{[]string{"a"}}, true},
		{"held (%s): %d", []any{[]string{"z", "b", "in_crisis"}, int64(3)}, true},
		{"%s", []any{[]string{}}, true},
		{"%d", []any{[]string{"a"}}, false},
		{"%s", []any{[]any{"a", int64(1)}}, false},
	} {
		l := a.NativeToValue(tc.args).(traits.Lister)
		got, ok := celFormatPlain(tc.msg, l)
		if ok != tc.ok {
			t.Errorf("%q %v: ok %v, want %v", tc.msg, tc.args, ok, tc.ok)
			continue
		}
		if ok {
			// What the general path (celMessageOf's fallback) renders.
			args := make([]any, len(tc.args))
			for i := range args {
				args[i] = celFmtArg(l.Get(types.Int(i)))
			}
			if want := eval.FormatMessage(tc.msg, args); got != want {
				t.Errorf("%q %v: %q, want %q", tc.msg, tc.args, got, want)
			}
		}
	}
}
