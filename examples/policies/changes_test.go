package policies_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/dsrkit/dsrkit/policies"
	"github.com/dsrkit/dsrkit/policies/policycheck"
	"github.com/dsrkit/dsrkit/policies/policytest"
)

// The worked changes of docs/changing-rules.md: each overlay passes its
// scenarios and keeps every invariant of policytest.
func TestWorkedChanges(t *testing.T) {
	for _, name := range []string{"wiltshire-red-14", "kingston-richmond-crisis-red"} {
		dir := filepath.Join("changes", name)
		t.Run(name, func(t *testing.T) {
			policytest.RunScenarios(t, filepath.Join(dir, "testdata", "scenarios"), policycheck.Loader(os.DirFS(dir)))
			e, err := policies.Load(context.Background(), os.DirFS(dir))
			if err != nil {
				t.Fatal(err)
			}
			policytest.Check(t, e)
		})
	}
}
