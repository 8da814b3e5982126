package policies_test

import (
	"context"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dsrkit/dsrkit/bluelight"
	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/policies"
	"github.com/dsrkit/dsrkit/policies/policycheck"
)

// lazyCases is how many generated cases TestLazyCompileChangesNothing
// decides per bundle, both ways: fewer under the race detector (it is
// there for the first uses racing) and with -short.
func lazyCases() int {
	switch {
	case raceEnabled, testing.Short():
		return 300
	}
	return 2_000
}

// blueLightInputs are the Blue Light points' inputs drawn from a generated
// case and its index: the criteria's flags from i's bits, the person's age
// and knownness to services from the case, a funding request over one of a
// few durations, costs and splits.
func blueLightInputs(c dsr.Case, i int) blueLightInput {
	crit := bluelight.CriteriaInput{
		UnexpectedCrisis: i&1 != 0, CrisisPlanBreakdown: i&2 != 0, CannotSupportAtHome: i&4 != 0,
		NoTimeForCETR: i&8 != 0, KnownToServices: c.Person.KnownToServices || i&16 != 0,
	}
	inv := bluelight.InviteesInput{Age: dsr.Derive(&c).Age, PersonInvited: i&32 != 0}
	minutes := []int64{30, 60, 47 * 60, 48 * 60, 48*60 + 1, 72 * 60, 72*60 + 1, 200 * 60}[i%8]
	splits := []bluelight.Split{{}, {LocalAuthorityBP: 5000, HealthBP: 5000}, {LocalAuthorityBP: 3333, HealthBP: 6667},
		{LocalAuthorityBP: 10000}, {LocalAuthorityBP: 9995, HealthBP: 5}}
	start := c.AsOf.Start().Add(20 * time.Hour)
	req := bluelight.FundingRequest{
		Support: "two support workers at home", Provider: "Provider A", ProviderAccredited: i&64 != 0,
		Start: start, Stop: start.Add(time.Duration(minutes) * time.Minute),
		Cost: bluelight.Pence(i * 7919 % 10_000_000), Split: splits[i%len(splits)],
		SplitAgreedBy: []string{"", "Director B"}[i/8%2],
	}
	return blueLightInput{crit, inv, bluelight.FundingInput{Request: req, Minutes: minutes}}
}

type blueLightInput struct {
	crit bluelight.CriteriaInput
	inv  bluelight.InviteesInput
	fund bluelight.FundingInput
}

// blueLightDecisions are the three Blue Light decisions of e on the
// inputs, with their errors, as one comparable value.
func blueLightDecisions(e *policies.Engine, in blueLightInput) [6]any {
	ctx := context.Background()
	r := policies.BlueLightRules(e)
	cd, cerr := r.Criteria(ctx, in.crit)
	id, ierr := r.Invitees(ctx, in.inv)
	fd, ferr := r.Funding(ctx, in.fund)
	return [6]any{cd, cerr, id, ierr, fd, ferr}
}

// Compiling the optional points at their first use (the default) or in
// Load (WithEagerCompile) changes no decision: for every shipped bundle
// and overlay with CEL rules (Rego is compiled in Load either way), the
// same generated cases are assessed alike, and the Blue Light points
// decide alike on inputs drawn from each case, the lazy engine's first
// uses made from several goroutines at once.
func TestLazyCompileChangesNothing(t *testing.T) {
	ctx := context.Background()
	n := 0
	for name, fsys := range shippedBundles(t) {
		eager, err := policies.Load(ctx, fsys, policies.WithEagerCompile(true))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !strings.Contains(eager.Policy().Engine, "cel") {
			continue
		}
		n++
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			lazy, err := policies.Load(ctx, fsys)
			if err != nil {
				t.Fatal(err)
			}
			g := policycheck.NewGenerator(policycheck.DefaultMix, 20261205)
			c0 := g.Case(0)
			want := blueLightDecisions(eager, blueLightInputs(c0, 0))
			var firsts [4][6]any
			var wg sync.WaitGroup
			for k := range firsts {
				wg.Go(func() { firsts[k] = blueLightDecisions(lazy, blueLightInputs(c0, 0)) })
			}
			wg.Wait()
			for k, got := range firsts {
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("first use %d: lazy %+v\neager %+v", k, got, want)
				}
			}
			for i := range lazyCases() {
				c := g.Case(i)
				a, errA := eager.Assess(ctx, c)
				b, errB := lazy.Assess(ctx, c)
				if (errA == nil) != (errB == nil) || !reflect.DeepEqual(a, b) {
					t.Fatalf("case %d: eager %+v (%v)\nlazy %+v (%v)", i, a, errA, b, errB)
				}
				if got, want := blueLightDecisions(lazy, blueLightInputs(c, i)), blueLightDecisions(eager, blueLightInputs(c, i)); !reflect.DeepEqual(got, want) {
					t.Fatalf("case %d: Blue Light, lazy %+v\neager %+v", i, got, want)
				}
			}
		})
	}
	if n < 2 {
		t.Fatalf("%d bundles with CEL rules, want national-2023-cel and the CEL overlays", n)
	}
}
