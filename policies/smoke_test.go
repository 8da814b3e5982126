package policies_test

import (
	"context"
	"encoding/json"
	"os"
	"testing"

	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/policies"
)

func TestSmoke(t *testing.T) {
	b, err := policies.Bundle("national-2023")
	if err != nil {
		t.Fatal(err)
	}
	e, err := policies.Load(context.Background(), b)
	if err != nil {
		t.Fatal(err)
	}
	c, err := dsr.UnmarshalCase([]byte(`{"as_of":"2026-04-01","person":{"id":"a","date_of_birth":"2010-06-01","autism":true},
	"circumstances":{"in_crisis":true,"community_cannot_manage":true},
	"events":[{"type":"consent_given","date":"2026-01-10","given_by":"parent"},{"type":"admitted","date":"2026-03-30"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	a, err := e.Assess(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	enc.Encode(a)
}
