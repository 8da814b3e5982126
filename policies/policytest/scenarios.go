package policytest

import (
	"os"
	"testing"

	"github.com/dsrkit/dsrkit/policies/policycheck"
)

// RunScenarios runs every scenario folder under dir as a subtest named after
// the folder, loading one engine per distinct params.json with load (see
// policycheck.ScenarioResults for the folder layout; policycheck.Loader
// makes a load function for a bundle). It fails the test when dir holds no
// scenario folders.
func RunScenarios(t *testing.T, dir string, load policycheck.LoadFunc) {
	t.Helper()
	results, err := policycheck.ScenarioResults(os.DirFS(dir), ".", load)
	if err != nil {
		t.Fatalf("reading scenarios: %v", err)
	}
	if len(results) == 0 {
		t.Fatalf("no scenarios under %s", dir)
	}
	for _, r := range results {
		t.Run(r.Name, func(t *testing.T) {
			for _, problem := range r.Problems {
				t.Error(problem)
			}
			if r.Assessment != nil {
				t.Logf("assessment:\n%s", r.Assessment)
			}
		})
	}
}
