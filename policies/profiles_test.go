package policies_test

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"testing"

	"github.com/dsrkit/dsrkit/policies"
	"github.com/dsrkit/dsrkit/policies/policycheck"
	"github.com/dsrkit/dsrkit/policies/policytest"
)

// profiles are the embedded profiles that extend national-2023 and where
// their scenarios live.
var profiles = []string{"national-2017", "cyp-2021", "mha-2025"}

// TestProfileScenarios runs each profile's own scenario folders
// (bundles/NAME/testdata/scenarios): where the profile differs from
// national-2023.
func TestProfileScenarios(t *testing.T) {
	for _, name := range profiles {
		t.Run(name, func(t *testing.T) {
			fsys, err := policies.Bundle(name)
			if err != nil {
				t.Fatal(err)
			}
			policytest.RunScenarios(t, filepath.Join("bundles", name, "testdata", "scenarios"), policycheck.Loader(fsys))
		})
	}
}

// TestProfilesStateSourcesAndUnconfirmed: national-2023 and every profile
// over it loads, names what it extends, its sources and the values it
// carries over unconfirmed (issue 3).
func TestProfilesStateSourcesAndUnconfirmed(t *testing.T) {
	ctx := context.Background()
	for _, name := range append([]string{"national-2023"}, profiles...) {
		t.Run(name, func(t *testing.T) {
			fsys, err := policies.Bundle(name)
			if err != nil {
				t.Fatal(err)
			}
			e, err := policies.Load(ctx, fsys)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if got := e.Policy().Name; got != name {
				t.Errorf("Policy().Name = %q, want the folder name %q", got, name)
			}
			if e.Policy().Version == "" || e.Description() == "" {
				t.Errorf("profile %s has no version or description: %+v", name, e.Policy())
			}
			sources, unconfirmed := e.Sources()
			if len(sources) == 0 || len(unconfirmed) == 0 {
				t.Errorf("profile %s: sources %q, unconfirmed %q; want both stated", name, sources, unconfirmed)
			}
			if slices.Contains(profiles, name) {
				if got := e.Extends(); !slices.Equal(got, []string{"national-2023"}) {
					t.Errorf("Extends() = %q, want [national-2023]", got)
				}
			}
		})
	}
}

// TestProfileNamesAreEmbedded: the profiles issue 3 asks for are all
// selectable by name.
func TestProfileNamesAreEmbedded(t *testing.T) {
	names := policies.BundleNames()
	for _, want := range append([]string{"national-2023"}, profiles...) {
		if !slices.Contains(names, want) {
			t.Errorf("BundleNames() = %q, missing %s", names, want)
		}
	}
}

// TestMHA2025Commencement: the commencement parameter is a date or null;
// anything else fails at load and names the parameter (R-CETR-STAT).
func TestMHA2025Commencement(t *testing.T) {
	ctx := context.Background()
	fsys, err := policies.Bundle("mha-2025")
	if err != nil {
		t.Fatal(err)
	}
	for _, ok := range []any{nil, "2026-01-01"} {
		if _, err := policies.Load(ctx, fsys, policies.WithParam("commencement", ok)); err != nil {
			t.Errorf("commencement %v: %v", ok, err)
		}
	}
	for _, bad := range []any{"1 January 2026", 20454, true} {
		_, err := policies.Load(ctx, fsys, policies.WithParam("commencement", bad))
		var pe *policies.ParamError
		if !errors.As(err, &pe) || pe.Param != "commencement" || !errors.Is(err, policies.ErrBadParam) {
			t.Errorf("commencement %v: err = %v, want a *ParamError for commencement", bad, err)
		}
	}
}
