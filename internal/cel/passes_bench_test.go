package cel

import (
	"context"
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
	// cel-go's optimisers in place of ours.
	{"celfold-fold", allPasses&^passFold | passCELFold},
	{"celinline-params", allPasses&^passParams | passCELInline},
}

// compileWith compiles a bundle with the given passes.
func compileWith(b *testing.B, passes passSet, name string) *Program {
	b.Helper()
	saved := celPasses
	celPasses = passes
	defer func() { celPasses = saved }()
	return compileBundle(b, profile(b, name))
}

// BenchmarkPasses is the CEL share of an assessment of national-2023-cel
// (both stages, decoding included; deriving the facts is done once,
// outside the loop) for each variant of passVariants, side by side: what
// each pass buys is its variant's ns/op and allocs/op over all's.
func BenchmarkPasses(b *testing.B) {
	ctx := context.Background()
	for _, v := range passVariants {
		b.Run(v.name, func(b *testing.B) { benchPasses(ctx, b, compileWith(b, v.passes, "national-2023-cel")) })
	}
}

func benchPasses(ctx context.Context, b *testing.B, prg *Program) {
	{
		for _, name := range benchcases.Names {
			c := mustCase(b, benchcases.JSON[name])
			f := dsr.Derive(&c)
			b.Run(name, func(b *testing.B) {
				b.ReportAllocs()
				var d1 [3]eval.Decision
				var d2 [2]eval.Decision
				for b.Loop() {
					s := prg.Start(&c, &f)
					if err := s.Eval(ctx, 0, d1[:]); err != nil {
						b.Fatal(err)
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
						b.Fatal(err)
					}
					s.Release()
				}
			})
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
