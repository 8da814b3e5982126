package consent_test

import (
	"context"
	"reflect"
	"testing"

	"pgregory.net/rapid"

	"github.com/dsrkit/dsrkit/consent"
	"github.com/dsrkit/dsrkit/policies"
	"github.com/dsrkit/dsrkit/policies/policytest"
)

// The consent package and the national-2023 bundle's consent decision point
// agree on every generated case: same validity, giver and reasons.
func TestConsentAgreesWithTheNational2023Bundle(t *testing.T) {
	ctx := context.Background()
	bundle, err := policies.Bundle("national-2023")
	if err != nil {
		t.Fatal(err)
	}
	engine, err := policies.Load(ctx, bundle)
	if err != nil {
		t.Fatal(err)
	}
	rapid.Check(t, func(t *rapid.T) {
		c := policytest.Case().Draw(t, "case")
		a, err := engine.Assess(ctx, c)
		if err != nil {
			t.Fatal(err)
		}
		got := consent.National2023.Consent(&c)
		if got.Valid != a.Consent.Valid || got.GivenBy != a.Consent.GivenBy || !reflect.DeepEqual(got.Reasons, a.Consent.Reasons) {
			t.Fatalf("consent package %+v\nbundle          %+v", got, a.Consent)
		}
	})
}
