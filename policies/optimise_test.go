package policies_test

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/dsrkit/dsrkit/internal/bundle"
	"github.com/dsrkit/dsrkit/policies"
	"github.com/dsrkit/dsrkit/policies/policycheck"
)

// optimiserCases is how many generated cases TestOptimiserChangesNothing
// assesses per bundle, both ways. Under the race detector, which slows
// the unoptimised engines tenfold, 300 (it is there for data races, and
// each bundle's engines run in parallel): the full count runs in the
// ordinary `go test` of the same CI run. -short, for a quick local run,
// assesses a tenth.
func optimiserCases() int {
	switch {
	case raceEnabled:
		return 300
	case testing.Short():
		return 1_000
	}
	return 10_000
}

// shippedBundles are the embedded profiles and every overlay in
// examples/policies (the test overlays under its testdata included), by
// name, as Load reads them.
func shippedBundles(t *testing.T) map[string]fs.FS {
	t.Helper()
	out := map[string]fs.FS{}
	for _, name := range policies.BundleNames() {
		fsys, err := policies.Bundle(name)
		if err != nil {
			t.Fatal(err)
		}
		out[name] = fsys
	}
	root := filepath.Join("..", "examples", "policies")
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || d.Name() != bundle.ManifestFile {
			return err
		}
		dir := filepath.Dir(p)
		rel, _ := filepath.Rel(root, dir)
		out["examples/"+filepath.ToSlash(rel)] = os.DirFS(dir)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) < 10 {
		t.Fatalf("found %d bundles, want every profile and overlay", len(out))
	}
	return out
}

// The load-time optimiser (WithOptimize) changes no assessment: every
// shipped bundle and overlay assesses the same generated cases to the same
// assessments, reasons and dates included, with the optimiser on and off.
func TestOptimiserChangesNothing(t *testing.T) {
	ctx := context.Background()
	for name, fsys := range shippedBundles(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			opt, err := policies.Load(ctx, fsys)
			if err != nil {
				t.Fatal(err)
			}
			plain, err := policies.Load(ctx, fsys, policies.WithOptimize(false))
			if err != nil {
				t.Fatal(err)
			}
			mix := policycheck.DefaultMix
			mix.Inputs = opt.Inputs() // an overlay's declared inputs drawn too (R-INPUT-1)
			g := policycheck.NewGenerator(mix, 20261204)
			for i := range optimiserCases() {
				c := g.Case(i)
				a, errA := opt.Assess(ctx, c)
				b, errB := plain.Assess(ctx, c)
				if (errA == nil) != (errB == nil) {
					t.Fatalf("case %d: optimised error %v, plain error %v", i, errA, errB)
				}
				if !reflect.DeepEqual(a, b) {
					t.Fatalf("case %d: the optimiser changes the assessment\noptimised: %+v\nplain:     %+v", i, a, b)
				}
			}
		})
	}
}

// The optimiser is on by default, and WithOptimize(true) is the default.
func TestOptimiserIsOnByDefault(t *testing.T) {
	ctx := context.Background()
	fsys, err := policies.Bundle("national-2023-cel")
	if err != nil {
		t.Fatal(err)
	}
	for _, opts := range [][]policies.Option{nil, {policies.WithOptimize(true)}, {policies.WithOptimize(false)}} {
		if _, err := policies.Load(ctx, fsys, opts...); err != nil {
			t.Fatal(err)
		}
	}
}
