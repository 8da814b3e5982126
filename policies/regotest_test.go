package policies_test

import (
	"context"
	"testing"

	"github.com/dsrkit/dsrkit/policies"
	"github.com/dsrkit/dsrkit/policies/policycheck"
)

// TestRegoUnitTests runs every embedded bundle's *_test.rego files with
// OPA's tester (through policycheck, as `dsr policy test` does), over the
// rules and parameters the engine compiles. national-2023 must have some:
// a bundle that loses its unit tests fails here.
func TestRegoUnitTests(t *testing.T) {
	ran := map[string]int{}
	for _, name := range policies.BundleNames() {
		fsys, err := policies.Bundle(name)
		if err != nil {
			t.Fatal(err)
		}
		res, err := policycheck.RegoUnitTests(context.Background(), fsys)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, f := range res.Failures {
			t.Errorf("%s: %s", name, f)
		}
		ran[name] = res.Total
	}
	if ran[policies.DefaultBundle] < 28 {
		t.Fatalf("%s ran %d Rego unit tests, want its 28 or more (%v)", policies.DefaultBundle, ran[policies.DefaultBundle], ran)
	}
	t.Logf("Rego unit tests run: %v", ran)
}
