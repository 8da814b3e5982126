package policies_test

import (
	"context"
	"errors"
	"os"
	"reflect"
	"testing"

	"pgregory.net/rapid"

	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/policies"
	"github.com/dsrkit/dsrkit/policies/policycheck"
	"github.com/dsrkit/dsrkit/policies/policytest"
)

// Rebase lays Wiltshire's overlay over national-2023-cel: the same
// parameters, decided in CEL, the same assessments as over national-2023.
func TestRebaseWiltshireOntoCEL(t *testing.T) {
	ctx := context.Background()
	wilts := os.DirFS("../examples/policies/wiltshire")
	rebased, err := policies.Rebase(wilts, "national-2023-cel")
	if err != nil {
		t.Fatal(err)
	}
	cel, err := policies.Load(ctx, rebased)
	if err != nil {
		t.Fatal(err)
	}
	rego, err := policies.Load(ctx, wilts)
	if err != nil {
		t.Fatal(err)
	}
	if got := cel.Policy(); got.Name != "wiltshire" || got.Engine != "cel" || got.Digest == rego.Policy().Digest {
		t.Fatalf("rebased policy %+v", got)
	}
	if got := cel.Extends(); !reflect.DeepEqual(got, []string{"national-2023-cel", "national-2023"}) {
		t.Fatalf("extends %v", got)
	}
	rapid.Check(t, func(rt *rapid.T) {
		c := policytest.Case().Draw(rt, "case")
		a, errA := rego.Assess(ctx, c)
		b, errB := cel.Assess(ctx, c)
		if errA != nil || errB != nil {
			rt.Fatalf("rego %v, cel %v", errA, errB)
		}
		a.Policy, b.Policy = dsr.PolicyRef{}, dsr.PolicyRef{}
		if a.Eligible != b.Eligible || a.Rating != b.Rating || a.OnRegister != b.OnRegister {
			rt.Fatalf("rego and rebased CEL differ:\n%+v\n%+v", a, b)
		}
	})
}

// A profile that base extends is base itself; a bundle named base is
// unchanged; a base that does not extend the overlay's parent is refused.
func TestRebaseRules(t *testing.T) {
	nat, _ := policies.Bundle("national-2023")
	got, err := policies.Rebase(nat, "national-2023-cel")
	if err != nil {
		t.Fatal(err)
	}
	e, err := policies.Load(context.Background(), got)
	if err != nil || e.Policy().Name != "national-2023-cel" {
		t.Fatalf("national-2023 on national-2023-cel: %v %v", e, err)
	}
	cel, _ := policies.Bundle("national-2023-cel")
	if got, err := policies.Rebase(cel, "national-2023-cel"); err != nil || got != cel {
		t.Fatalf("a bundle rebased onto itself: %v", err)
	}
	// national-2017 extends national-2023 but changes its parameters.
	if _, err := policies.Rebase(os.DirFS("../examples/policies/wiltshire"), "national-2017"); !errors.Is(err, policies.ErrBadBundle) {
		t.Fatalf("rebasing onto a profile with other parameters: %v", err)
	}
	if _, err := policies.Rebase(nat, "no-such-profile"); err == nil {
		t.Fatal("rebasing onto an unknown profile succeeded")
	}
}

// AssessPrepared gives what Assess gives, and refuses nothing Assess
// accepts.
func TestAssessPreparedIsAssess(t *testing.T) {
	ctx := context.Background()
	e := nationalEngine(t)
	g := policycheck.NewGenerator(policycheck.DefaultMix, 3)
	for i := range 200 {
		c := g.Case(i)
		a, err := e.Assess(ctx, c)
		if err != nil {
			t.Fatal(err)
		}
		p, err := policies.Prepare(c)
		if err != nil {
			t.Fatal(err)
		}
		b, err := e.AssessPrepared(ctx, p)
		if err != nil || !reflect.DeepEqual(a, b) {
			t.Fatalf("case %d: Assess and AssessPrepared differ (%v)", i, err)
		}
	}
	if _, err := policies.Prepare(dsr.Case{}); !errors.Is(err, dsr.ErrInvalid) {
		t.Fatalf("Prepare of an empty case: %v", err)
	}
}
