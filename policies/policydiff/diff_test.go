package policydiff_test

import (
	"context"
	"os"
	"reflect"
	"testing"

	"github.com/dsrkit/dsrkit/policies"
	"github.com/dsrkit/dsrkit/policies/policycheck"
	"github.com/dsrkit/dsrkit/policies/policydiff"
)

func engines(t testing.TB, base string) (old, new *policies.Engine) {
	t.Helper()
	ctx := context.Background()
	oldFS, err := policies.Bundle(policies.DefaultBundle)
	if err != nil {
		t.Fatal(err)
	}
	var newFS = os.DirFS("../../examples/policies/wiltshire")
	if base != "" {
		if oldFS, err = policies.Rebase(oldFS, base); err != nil {
			t.Fatal(err)
		}
		if newFS, err = policies.Rebase(newFS, base); err != nil {
			t.Fatal(err)
		}
	}
	if old, err = policies.Load(ctx, oldFS); err != nil {
		t.Fatal(err)
	}
	if new, err = policies.Load(ctx, newFS); err != nil {
		t.Fatal(err)
	}
	return old, new
}

// Counts and examples do not depend on the number of workers.
func TestRunIsTheSameOnAnyNumberOfWorkers(t *testing.T) {
	old, new := engines(t, "national-2023-cel")
	src := policydiff.Generated{Gen: policycheck.NewGenerator(policycheck.DefaultMix, 42), N: 3000}
	var reports []*policydiff.Report
	for _, w := range []int{1, 2, 5} {
		rep, err := policydiff.Run(context.Background(), old, new, src, policydiff.Options{Workers: w})
		if err != nil {
			t.Fatal(err)
		}
		rep.Elapsed, rep.Workers = "", 0
		reports = append(reports, rep)
	}
	for _, r := range reports[1:] {
		if !reflect.DeepEqual(reports[0].Changes, r.Changes) || !reflect.DeepEqual(reports[0].Transitions, r.Transitions) || r.Changed != reports[0].Changed {
			t.Fatal("reports differ with the number of workers")
		}
	}
}

// A bundle against itself changes nobody.
func TestRunSameBundleChangesNobody(t *testing.T) {
	old, _ := engines(t, "")
	rep, err := policydiff.Run(context.Background(), old, old, policydiff.Generated{Gen: policycheck.NewGenerator(policycheck.DefaultMix, 1), N: 300}, policydiff.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Changed != 0 || len(rep.Changes) != 0 || rep.Assessed != 300 {
		t.Fatalf("%+v", rep)
	}
}

// BenchmarkDiff is `dsr policy diff national-2023 wiltshire` throughput on
// generated cases: Rego, and both rebased onto national-2023-cel. It
// reports cases/s (each case assessed under both bundles).
func BenchmarkDiff(b *testing.B) {
	for _, tc := range []struct{ name, base string }{{"rego", ""}, {"cel", "national-2023-cel"}} {
		old, new := engines(b, tc.base)
		b.Run(tc.name, func(b *testing.B) {
			src := policydiff.Generated{Gen: policycheck.NewGenerator(policycheck.DefaultMix, 1), N: b.N}
			b.ResetTimer()
			rep, err := policydiff.Run(context.Background(), old, new, src, policydiff.Options{})
			if err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(rep.Cases)/b.Elapsed().Seconds(), "cases/s")
		})
	}
}

// BenchmarkGenerate is the fast generator alone, one goroutine.
func BenchmarkGenerate(b *testing.B) {
	g := policycheck.NewGenerator(policycheck.DefaultMix, 1)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		_ = g.Case(i)
		i++
	}
}
