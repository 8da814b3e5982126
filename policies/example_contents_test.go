package policies_test

import (
	"context"
	"fmt"
	"os"

	"github.com/dsrkit/dsrkit/policies"
)

// An overlay's parameters in force and its rule files, the inherited ones
// named as in the bundle they come from: what `dsr policy diff` compares
// between two bundles.
func ExampleEngine_RuleFiles() {
	ctx := context.Background()
	national, _ := policies.Bundle("national-2023")
	old, err := policies.Load(ctx, national)
	if err != nil {
		panic(err)
	}
	blmk, err := policies.Load(ctx, os.DirFS("../examples/policies/blmk"))
	if err != nil {
		panic(err)
	}
	for _, e := range []*policies.Engine{old, blmk} {
		for _, f := range e.RuleFiles() {
			if f.Point == "eligibility" {
				fmt.Printf("%s: %s from %s\n", e.Policy().Name, f.Name, f.From)
			}
		}
	}
	fmt.Println("review every", old.Params()["review_cadence"].(map[string]any)["red"].(map[string]any)["n"], "days when RED")
	// Output:
	// national-2023: eligibility.rego from national-2023
	// blmk: eligibility.cel from blmk
	// review every 14 days when RED
}
