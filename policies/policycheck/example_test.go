package policycheck_test

import (
	"context"
	"fmt"
	"testing/fstest"

	"github.com/dsrkit/dsrkit/policies"
	"github.com/dsrkit/dsrkit/policies/policycheck"
)

// Run checks the library's invariants on generated cases outside go test,
// as `dsr policy test` does; the same engine, n and seed give the same
// report.
func ExampleRun() {
	bundle, err := policies.Bundle(policies.DefaultBundle)
	if err != nil {
		panic(err)
	}
	e, err := policies.Load(context.Background(), bundle)
	if err != nil {
		panic(err)
	}
	rep := policycheck.Run(e, 100, 1)
	fmt.Printf("%d cases (seed %d), %d invariants kept: %v\n", rep.Cases, rep.Seed, len(policycheck.Invariants()), rep.OK())
	for _, f := range rep.Failures {
		fmt.Println(f) // the invariant, the message and the shrunk case as JSON
	}
	// Output:
	// 100 cases (seed 1), 7 invariants kept: true
}

// A Generator draws the same synthetic people for the same seed, in any
// order, on every machine.
func ExampleGenerator() {
	g := policycheck.NewGenerator(policycheck.DefaultMix, 1)
	for i := range 3 {
		c := g.Case(i)
		fmt.Printf("%s %s aged %d on %s, %d events\n", c.Person.ID, c.Person.NHSNumber, c.Person.AgeOn(c.AsOf), c.AsOf, len(c.Events))
	}
	// Output:
	// syn-000000 999 000 0018 aged 21 on 2027-12-31, 6 events
	// syn-000001 999 000 0026 aged 17 on 2026-11-27, 7 events
	// syn-000002 999 000 0034 aged 33 on 2026-03-26, 7 events
}

// ScenarioResults runs a bundle's scenario folders outside go test; here one
// scenario, held in memory.
func ExampleScenarioResults() {
	bundle, err := policies.Bundle(policies.DefaultBundle)
	if err != nil {
		panic(err)
	}
	scenarios := fstest.MapFS{
		"no-consent/description.md": {Data: []byte("An autistic adult whose mental health is deteriorating is eligible;\nwith no consent on record, they are not held on the register (R-CONS-1).\n")},
		"no-consent/case.json": {Data: []byte(`{
  "as_of": "2026-03-02",
  "person": {"id": "syn-1", "nhs_number": "9990000018", "date_of_birth": "1990-05-01", "autism": true},
  "circumstances": {"mental_health_deteriorating": true},
  "events": []
}`)},
		"no-consent/want.json": {Data: []byte(`{"eligible": true, "on_register": false, "consent": {"valid": false}, "reason_rules": ["R-CONS-1"]}`)},
	}
	results, err := policycheck.ScenarioResults(scenarios, ".", policycheck.Loader(bundle))
	if err != nil {
		panic(err)
	}
	for _, r := range results {
		fmt.Println(r.Name, "passed:", r.Passed(), r.Problems)
	}
	// Output:
	// no-consent passed: true []
}

// RegoUnitTests runs a bundle's own *_test.rego files with OPA's tester, as
// `dsr policy test` does.
func ExampleRegoUnitTests() {
	bundle, err := policies.Bundle(policies.DefaultBundle)
	if err != nil {
		panic(err)
	}
	res, err := policycheck.RegoUnitTests(context.Background(), bundle)
	if err != nil {
		panic(err)
	}
	fmt.Println("some tests run:", res.Total > 0, "failures:", res.Failures)
	// Output:
	// some tests run: true failures: []
}
