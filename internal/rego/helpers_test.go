package rego

import (
	"testing"

	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/internal/benchcases"
	"github.com/dsrkit/dsrkit/internal/bundle"
)

// profiles are the embedded profiles, read from their folder.
var profiles = bundle.DirResolver("../../policies/bundles")

// readProfile reads an embedded profile by name.
func readProfile(t testing.TB, name string) *bundle.Bundle {
	t.Helper()
	fsys, err := profiles(name)
	if err != nil {
		t.Fatal(err)
	}
	b, err := bundle.Read(fsys, profiles)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func benchCase(b *testing.B, name string) dsr.Case {
	c, err := dsr.UnmarshalCase([]byte(benchcases.JSON[name]))
	if err != nil {
		b.Fatal(err)
	}
	return c
}
