package policies_test

import (
	"context"
	"path/filepath"
	"sort"
	"testing"

	"github.com/dsrkit/dsrkit/policies"
)

// TestScenariosCEL runs every scenario folder against national-2023-cel,
// the national rules written a second time in CEL: the conformance suite of
// issue 3. The scenarios are the same ones the Rego bundle passes.
func TestScenariosCEL(t *testing.T) {
	ctx := context.Background()
	bundleFS, err := policies.Bundle("national-2023-cel")
	if err != nil {
		t.Fatalf("policies.Bundle(national-2023-cel): %v", err)
	}
	runScenarios(t, filepath.Join("testdata", "scenarios"), func(params map[string]any) (*policies.Engine, error) {
		names := make([]string, 0, len(params))
		for name := range params {
			names = append(names, name)
		}
		sort.Strings(names)
		opts := make([]policies.Option, 0, len(names))
		for _, name := range names {
			opts = append(opts, policies.WithParam(name, params[name]))
		}
		e, err := policies.Load(ctx, bundleFS, opts...)
		if err == nil && e.Policy().Engine != "cel" {
			t.Fatalf("national-2023-cel evaluates with %q, want cel only", e.Policy().Engine)
		}
		return e, err
	})
}
