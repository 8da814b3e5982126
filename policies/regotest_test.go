package policies_test

import (
	"context"
	"io/fs"
	"strings"
	"testing"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/tester"

	"github.com/dsrkit/dsrkit/policies"
)

// TestRegoUnitTests runs every bundle's *_test.rego files with OPA's tester.
func TestRegoUnitTests(t *testing.T) {
	for _, name := range policies.BundleNames() {
		t.Run(name, func(t *testing.T) {
			fsys, err := policies.Bundle(name)
			if err != nil {
				t.Fatal(err)
			}
			mods := map[string]*ast.Module{}
			tests := 0
			err = fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
				if err != nil || d.IsDir() || !strings.HasSuffix(p, ".rego") {
					return err
				}
				src, err := fs.ReadFile(fsys, p)
				if err != nil {
					return err
				}
				m, err := ast.ParseModuleWithOpts(p, string(src), ast.ParserOptions{RegoVersion: ast.RegoV1})
				if err != nil {
					return err
				}
				mods[p] = m
				if strings.HasSuffix(p, "_test.rego") {
					tests++
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if tests == 0 {
				t.Skipf("bundle %s has no Rego unit tests", name)
			}
			ch, err := tester.NewRunner().SetModules(mods).SetTimeout(30*time.Second).RunTests(context.Background(), nil)
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for r := range ch {
				n++
				if !r.Pass() {
					t.Errorf("%s.%s: fail=%v err=%v", r.Package, r.Name, r.Fail, r.Error)
				}
			}
			if n == 0 {
				t.Fatal("no Rego tests ran")
			}
		})
	}
}
