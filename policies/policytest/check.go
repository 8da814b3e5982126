// Package policytest tests policy bundles from go test: the invariants every
// bundle must keep, checked with rapid on generated cases and shrunk to a
// small counterexample (Check); the scenario folders of a bundle as
// subtests (RunScenarios); and rapid generators of realistic synthetic
// cases (Case, CaseWith, History) for an area's own properties.
//
// It is built on policycheck, which holds the generator's population mix,
// the invariants, the options, the scenario runner and the reports, and
// which needs no test framework: use policycheck in a program (the dsr
// command does), policytest in a _test.go file.
package policytest

import (
	"pgregory.net/rapid"

	"github.com/dsrkit/dsrkit/policies"
	"github.com/dsrkit/dsrkit/policies/policycheck"
)

// Check runs every invariant of the library (and those added with
// policycheck.WithInvariants) on cases rapid generates (-rapid.checks of
// them, 100 by default), with e. A failing case is shrunk by rapid, and the
// test fails with the invariant's name, the message and the shrunk case as
// JSON that `dsr assess` accepts, between policycheck.CaseBegin and
// policycheck.CaseEnd (policycheck.CaseFromReport reads it back). t is a
// *testing.T, or anything that implements rapid.TB.
func Check(t rapid.TB, e *policies.Engine, opts ...policycheck.Option) {
	t.Helper()
	ch := policycheck.NewChecker(e, opts...)
	gen := CaseWith(ch.Mix())
	rapid.Check(t, func(rt *rapid.T) {
		c := gen.Draw(rt, "case")
		if f := ch.Check(c); f != nil {
			rt.Fatalf("%s", f)
		}
	})
}
