// Package policies_test runs the example local overlays (wiltshire,
// kingston-richmond, blmk, weighted-items and its CEL twin) against their own scenario folders, loading each
// from its directory as a host application would.
package policies_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/dsrkit/dsrkit/policies"
	"github.com/dsrkit/dsrkit/policies/policycheck"
	"github.com/dsrkit/dsrkit/policies/policytest"
)

// overlays are the example overlays and the engines each should run on.
var overlays = []struct {
	name    string
	engines string // Policy().Engine
}{
	{"wiltshire", "rego"},
	{"kingston-richmond", "rego"},
	{"blmk", "rego+cel"}, // eligibility in CEL over national-2023's Rego
	{"weighted-items", "rego"},
	{"weighted-items-cel", "rego+cel"}, // rating in CEL over national-2023's Rego
}

// TestOverlayScenarios runs each overlay's testdata/scenarios folders: where
// the area differs from national-2023.
func TestOverlayScenarios(t *testing.T) {
	for _, o := range overlays {
		t.Run(o.name, func(t *testing.T) {
			policytest.RunScenarios(t, filepath.Join(o.name, "testdata", "scenarios"), policycheck.Loader(os.DirFS(o.name)))
		})
	}
}

// TestOverlaysLoad: each overlay loads from its folder, extends
// national-2023, names itself and its sources, and runs on the engines it
// is written for: BLMK mixes a CEL decision point with Rego ones.
func TestOverlaysLoad(t *testing.T) {
	ctx := context.Background()
	base, err := policies.Bundle("national-2023")
	if err != nil {
		t.Fatal(err)
	}
	parent, err := policies.Load(ctx, base)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range overlays {
		t.Run(o.name, func(t *testing.T) {
			e, err := policies.Load(ctx, os.DirFS(o.name))
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			ref := e.Policy()
			if ref.Name != o.name || ref.Version == "" {
				t.Errorf("Policy() = %+v, want name %s and a version", ref, o.name)
			}
			if ref.Engine != o.engines {
				t.Errorf("Policy().Engine = %q, want %q", ref.Engine, o.engines)
			}
			if ref.Digest == parent.Policy().Digest {
				t.Errorf("digest %s is national-2023's: the overlay's files and parameters must change it", ref.Digest)
			}
			if got := e.Extends(); !slices.Equal(got, []string{"national-2023"}) {
				t.Errorf("Extends() = %q, want [national-2023]", got)
			}
			sources, unconfirmed := e.Sources()
			if len(sources) < 2 || len(unconfirmed) == 0 {
				t.Errorf("Sources() = %q, %q: want the overlay's source before national-2023's, and what is unconfirmed", sources, unconfirmed)
			}
			if _, err := os.Stat(filepath.Join(o.name, "README.md")); err != nil {
				t.Errorf("overlay %s has no README.md: %v", o.name, err)
			}
		})
	}
}
