package cel

import (
	"context"
	"reflect"
	"runtime"
	"slices"
	"testing"

	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/internal/benchcases"
	"github.com/dsrkit/dsrkit/internal/eval"
)

// passVariants are the optimiser with all its passes, without each one
// in turn, and with none.
var passVariants = []struct {
	name   string
	passes passSet
}{
	{"all", allPasses},
	{"-params", allPasses &^ passParams},
	{"-unroll", allPasses &^ passUnroll},
	{"-fold", allPasses &^ passFold},
	{"-trueEntries", allPasses &^ passTrueEntries},
	{"-blocks", allPasses &^ passBlocks},
	{"-records", allPasses &^ passRecords},
	{"-tuples", allPasses &^ passTuples},
	{"-appends", allPasses &^ passAppends},
	{"none", 0},
}

// compileWith compiles a bundle with the given passes.
func compileWith(tb testing.TB, passes passSet, name string) *Program {
	tb.Helper()
	saved := celPasses
	celPasses = passes
	defer func() { celPasses = saved }()
	return compileBundle(tb, profile(tb, name))
}

// BenchmarkPasses is the CEL share of an assessment of national-2023-cel
// (both stages, decoding included; deriving the facts is done once,
// outside the loop) for each variant of passVariants, side by side: what
// each pass buys is its variant's ns/op (or cpu-ns/op, this thread's CPU
// time) and allocs/op over all's. Every
// variant is compiled, and the pools warmed, before the first is timed, so
// that none runs on a colder heap than another.
func BenchmarkPasses(b *testing.B) {
	ctx := context.Background()
	prgs := make([]*Program, len(passVariants))
	for i, v := range passVariants {
		prgs[i] = compileWith(b, v.passes, "national-2023-cel")
	}
	cases := make([]dsr.Case, len(benchcases.Names))
	facts := make([]dsr.Facts, len(benchcases.Names))
	for i, name := range benchcases.Names {
		cases[i] = mustCase(b, benchcases.JSON[name])
		facts[i] = dsr.Derive(&cases[i])
	}
	for range 1000 {
		for _, prg := range prgs {
			for i := range cases {
				assessCEL(ctx, b, prg, &cases[i], &facts[i], nil)
			}
		}
	}
	for j, v := range passVariants {
		for i, name := range benchcases.Names {
			b.Run(v.name+"/"+name, func(b *testing.B) {
				b.ReportAllocs()
				// The machine is shared: the CPU time of this thread is
				// less disturbed by other work than the wall clock.
				runtime.LockOSThread()
				defer runtime.UnlockOSThread()
				start := threadCPU()
				for b.Loop() {
					assessCEL(ctx, b, prgs[j], &cases[i], &facts[i], nil)
				}
				if start >= 0 {
					b.ReportMetric(float64(threadCPU()-start)/float64(b.N), "cpu-ns/op")
				}
			})
		}
	}
}

// assessCEL runs both stages of prg on a case, as the facade does, and
// hands the decisions to use (if not nil) before the session is released:
// its arenas hold their reasons and deadlines.
func assessCEL(ctx context.Context, tb testing.TB, prg *Program, c *dsr.Case, f *dsr.Facts, use func(d1 []eval.Decision, d2 []eval.Decision)) {
	var d1 [3]eval.Decision
	var d2 [2]eval.Decision
	s := prg.Start(c, f)
	defer s.Release()
	if err := s.Eval(ctx, 0, d1[:]); err != nil {
		tb.Fatal(err)
	}
	st1 := eval.Stage1{Eligible: d1[0].Eligible, ConsentValid: d1[1].Valid, OnRegister: d1[0].Eligible && d1[1].Valid}
	if st1.Eligible {
		st1.Rating = d1[2].Rating
	}
	if st1.ConsentValid && len(f.Consent) > 0 {
		st1.ConsentDate = f.Consent[len(f.Consent)-1].Date.Days()
	}
	s.SetStage1(st1)
	if err := s.Eval(ctx, 1, d2[:]); err != nil {
		tb.Fatal(err)
	}
	if use != nil {
		use(d1[:], d2[:])
	}
}

// Each pass keeps the meaning alone: turning any one off (or all) gives
// the decisions all passes give, on the benchmark cases.
func TestEachPassKeepsTheDecisions(t *testing.T) {
	ctx := context.Background()
	decide := func(prg *Program, c *dsr.Case, f *dsr.Facts) []eval.Decision {
		var out []eval.Decision
		assessCEL(ctx, t, prg, c, f, func(d1, d2 []eval.Decision) {
			for _, d := range append(slices.Clone(d1), d2...) {
				d.Actions, d.Reasons = slices.Clone(d.Actions), slices.Clone(d.Reasons)
				out = append(out, d)
			}
		})
		return out
	}
	all := compileWith(t, allPasses, "national-2023-cel")
	for _, v := range passVariants[1:] {
		prg := compileWith(t, v.passes, "national-2023-cel")
		for _, name := range benchcases.Names {
			c := mustCase(t, benchcases.JSON[name])
			f := dsr.Derive(&c)
			want, got := decide(all, &c, &f), decide(prg, &c, &f)
			if len(want) != 5 || !reflect.DeepEqual(got, want) {
				t.Errorf("%s, %s:\n got %+v\nwant %+v", v.name, name, got, want)
			}
		}
	}
}

// BenchmarkPassesLoad is compiling national-2023-cel's CEL points with
// each variant of passVariants: what each pass costs at load.
func BenchmarkPassesLoad(b *testing.B) {
	for _, v := range passVariants {
		b.Run(v.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				compileWith(b, v.passes, "national-2023-cel")
			}
		})
	}
}
