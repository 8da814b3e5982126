package policies_test

import (
	"path/filepath"
	"testing"

	"github.com/dsrkit/dsrkit/policies"
	"github.com/dsrkit/dsrkit/policies/policycheck"
	"github.com/dsrkit/dsrkit/policies/policytest"
)

// TestScenarios runs every folder under testdata/scenarios against the
// national-2023 bundle. Each folder holds a plain-English description.md, a
// case.json (the dsr.Case contract), a partial want.json and, optionally, a
// params.json of parameter overrides passed as policies.WithParam (see
// policytest.RunScenarios for the format).
func TestScenarios(t *testing.T) {
	bundleFS, err := policies.Bundle("national-2023")
	if err != nil {
		t.Fatalf("policies.Bundle(national-2023): %v", err)
	}
	runScenarios(t, filepath.Join("testdata", "scenarios"), policycheck.Loader(bundleFS))
}

// runScenarios is policytest.RunScenarios, shared by every engine and bundle
// that the national scenarios describe.
func runScenarios(t *testing.T, dir string, load policycheck.LoadFunc) {
	t.Helper()
	policytest.RunScenarios(t, dir, load)
}
