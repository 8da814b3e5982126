package cel

import (
	"context"
	"io/fs"
	"testing"

	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/internal/bundle"
	"github.com/dsrkit/dsrkit/internal/eval"
)

// profiles are the embedded profiles, read from their folder.
var profiles = bundle.DirResolver("../../policies/bundles")

// profile reads an embedded profile by name.
func profile(t testing.TB, name string) fs.FS {
	t.Helper()
	fsys, err := profiles(name)
	if err != nil {
		t.Fatal(err)
	}
	return fsys
}

// compileBundle compiles the CEL points of a bundle (others are left to
// Rego, which this package does not run).
func compileBundle(t testing.TB, fsys fs.FS) *Program {
	t.Helper()
	prg, err := Compile(context.Background(), bundlePlan(t, fsys))
	if err != nil {
		t.Fatal(err)
	}
	return prg
}

// bundlePlan is the plan of a bundle's CEL points, compiled eagerly.
func bundlePlan(t testing.TB, fsys fs.FS) eval.Plan {
	t.Helper()
	b, err := bundle.Read(fsys, profiles)
	if err != nil {
		t.Fatal(err)
	}
	params, err := bundle.TypedParams(b.Manifest.ParamTypes, b.Params)
	if err != nil {
		t.Fatal(err)
	}
	plan := eval.Plan{Bundle: b, Params: params}
	for i, points := range [2][]string{bundle.Stage1Points, bundle.Stage2Points} {
		plan.Stages[i] = make([]string, len(points))
		for j, p := range points {
			if b.PointFiles[p].IsCEL() {
				plan.Stages[i][j] = p
			}
		}
	}
	for _, p := range bundle.OptionalPoints {
		if src, ok := b.PointFiles[p]; ok && src.IsCEL() {
			plan.Optional = append(plan.Optional, p)
		}
	}
	return plan
}

func mustCase(t testing.TB, js string) dsr.Case {
	t.Helper()
	c, err := dsr.UnmarshalCase([]byte(js))
	if err != nil {
		t.Fatal(err)
	}
	return c
}
