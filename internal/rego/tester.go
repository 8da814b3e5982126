package rego

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/dsrkit/dsrkit/internal/eval"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/storage/inmem"
	"github.com/open-policy-agent/opa/v1/tester"
)

// UnitTestResults is the outcome of RunUnitTests.
type UnitTestResults struct {
	Total int // tests run
	// Failures has one line per failing test, "file:row: package.rule:
	// failed" or "...: error: why", sorted.
	Failures []string
}

// unitTestTimeout bounds one run of a bundle's tests.
const unitTestTimeout = 30 * time.Second

// RunUnitTests runs the test_ rules of the Rego files (Rego v1, by file
// name) with OPA's tester, with params as data.params. The error is for a
// file that does not parse or a run that cannot start; a failing test is a
// line in Failures.
//
// With cov, the run's line coverage of every file (tests included) goes
// to cov.
func RunUnitTests(ctx context.Context, files map[string][]byte, params map[string]any, cov *eval.Coverage) (UnitTestResults, error) {
	var res UnitTestResults
	mods := map[string]*ast.Module{}
	for name, text := range files {
		m, err := ast.ParseModuleWithOpts(name, string(text), ast.ParserOptions{RegoVersion: ast.RegoV1})
		if err != nil {
			return res, err
		}
		mods[name] = m
	}
	store := inmem.NewFromObject(map[string]any{"params": params})
	runner := tester.NewRunner().SetModules(mods).SetStore(store).SetTimeout(unitTestTimeout)
	if cov != nil {
		fresh := make([]*ast.Module, 0, len(mods))
		for _, m := range mods {
			fresh = append(fresh, m.Copy())
		}
		runner = runner.SetCoverageQueryTracer(newCover(cov, fresh))
	}
	ch, err := runner.RunTests(ctx, nil)
	if err != nil {
		return res, err
	}
	for r := range ch {
		res.Total++
		if !r.Pass() {
			msg := fmt.Sprintf("%s.%s", r.Package, r.Name)
			if r.Location != nil {
				msg = fmt.Sprintf("%s:%d: %s", r.Location.File, r.Location.Row, msg)
			}
			switch {
			case r.Error != nil:
				msg += ": error: " + r.Error.Error()
			case r.Fail:
				msg += ": failed"
			}
			res.Failures = append(res.Failures, msg)
		}
	}
	sort.Strings(res.Failures)
	return res, nil
}
