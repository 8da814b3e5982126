package policydiff_test

import (
	"bytes"
	"context"
	"fmt"
	"os"

	"github.com/dsrkit/dsrkit/policies"
	"github.com/dsrkit/dsrkit/policies/policycheck"
	"github.com/dsrkit/dsrkit/policies/policydiff"
)

// A decision log made under national-2023 replayed in one streamed pass:
// every decision reproduced under the bundle that made it, and who
// changes under the Wiltshire overlay.
func ExampleRunReplay() {
	ctx := context.Background()
	var log bytes.Buffer
	fsys, _ := policies.Bundle("national-2023")
	logged, err := policies.Load(ctx, fsys, policies.WithDecisionLogger(policies.NewJSONLinesLog(&log)))
	if err != nil {
		panic(err)
	}
	g := policycheck.NewGenerator(policycheck.DefaultMix, 1)
	for i := range 200 {
		if _, err := logged.Assess(ctx, g.Case(i)); err != nil {
			panic(err)
		}
	}
	old, _ := policies.Load(ctx, fsys)
	wiltshire, err := policies.Load(ctx, os.DirFS("../../examples/policies/wiltshire"))
	if err != nil {
		panic(err)
	}
	rep, check, err := policydiff.RunReplay(ctx, old, wiltshire, &log, policydiff.Options{})
	if err != nil {
		panic(err)
	}
	fmt.Printf("%d logged, %d reproduced, %d mismatches\n", check.Records, check.Reproduced, check.Mismatches)
	fmt.Printf("%d assessed under Wiltshire, %d lose protection\n", rep.Assessed, rep.LoseProtection.People)
	fmt.Println("age_max:", rep.Bundles.Params[0].Old, "→", rep.Bundles.Params[0].New)
	// Output:
	// 200 logged, 200 reproduced, 0 mismatches
	// 200 assessed under Wiltshire, 74 lose protection
	// age_max: null → 17
}
