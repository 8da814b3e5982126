package policycheck

import (
	"context"
	"io/fs"
	"maps"
	"strings"

	"github.com/dsrkit/dsrkit/internal/rego"
	"github.com/dsrkit/dsrkit/policies"
)

// RegoTestResults is the outcome of RegoUnitTests.
type RegoTestResults struct {
	Total int // tests run; 0 when the bundle has no *_test.rego files
	// Failures has one line per failing test, "file:row: package.rule:
	// failed" or "...: error: why", sorted.
	Failures []string
}

// RegoUnitTests runs the bundle's own *_test.rego files (not those of the
// bundles it extends, nor those under testdata/) with OPA's tester, over
// the Rego the engine compiles for bundleFS with opts (inherited files
// included), with the parameters in force as data.params. The error is for
// a bundle that cannot be read or a Rego file that does not parse; a
// failing test is a line in Failures.
func RegoUnitTests(ctx context.Context, bundleFS fs.FS, opts ...policies.Option) (RegoTestResults, error) {
	return RegoUnitTestsCovered(ctx, bundleFS, nil, opts...)
}

// RegoUnitTestsCovered is RegoUnitTests reporting the run's line coverage
// to cov (nil: none), to merge with the coverage of scenario runs
// (policies.WithCoverage).
func RegoUnitTestsCovered(ctx context.Context, bundleFS fs.FS, cov *policies.Coverage, opts ...policies.Option) (RegoTestResults, error) {
	var res RegoTestResults
	tests := map[string][]byte{}
	err := fs.WalkDir(bundleFS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, "_test.rego") || strings.HasPrefix(p, "testdata/") {
			return err
		}
		b, err := fs.ReadFile(bundleFS, p)
		tests[p] = b
		return err
	})
	if err != nil || len(tests) == 0 {
		return res, err
	}
	files, params, err := policies.RegoSources(bundleFS, opts...)
	if err != nil {
		return res, err
	}
	maps.Copy(files, tests) // RegoSources holds no test files
	r, err := rego.RunUnitTests(ctx, files, params, cov)
	if err != nil {
		return res, err
	}
	return RegoTestResults{Total: r.Total, Failures: r.Failures}, nil
}
