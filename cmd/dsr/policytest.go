package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"strings"
	"time"

	"github.com/dsrkit/dsrkit/policies"

	"github.com/dsrkit/dsrkit/policies/policycheck"
)

const policyTestUsageText = `Usage: dsr policy test [--cases N] [--seed S] [--base NAME] [--set NAME=VALUE]... [--coverage] [--timeout D] DIR|NAME

Test a policy bundle (a directory, or an embedded profile by name) before
rollout, and print a summary:

  1. Rego unit tests: every *_test.rego file of the bundle (not those of
     the bundles it extends), run with OPA's tester over the Rego the
     engine compiles, with the parameters in force as data.params.
  2. Scenarios: every folder under testdata/scenarios (description.md,
     case.json, want.json, optional params.json), compared as 'go test'
     does; a failing scenario prints what differs.
  3. Invariants: N generated cases (seeded, reproducible) checked against
     the invariants every bundle must keep (policycheck: consent gate
     R-CONS-1, BLUE iff inpatient R-RAG-BLUE, monotonicity, no action due
     before its cause, known rule ids, determinism, no error on a valid
     case). A failure prints the shrunk case as JSON for 'dsr assess'.

CEL decision points have no unit-test format of their own: they are tested
through the scenarios and the invariants.

With --coverage, a fourth section gives the Rego line coverage of the
unit tests and the scenarios together, per file: the share of rule and
expression lines some test reached, and the lines none did (the rules run
unoptimised for it; the generated cases of the invariants do not count,
so the figure says how much of the bundle its own tests exercise).

Options:
  --cases N      generated cases for the invariants (default 1000; 0 skips)
  --coverage     report Rego line coverage of the unit tests and scenarios
  --seed S       seed of the generated cases (default 1)
  --base NAME    rebase the overlay onto embedded profile NAME (see 'dsr
                 policy diff -h'), e.g. national-2023-cel
  --set NAME=VALUE
                 override a bundle parameter (as 'dsr assess --set')
` + timeoutUsageText + `
Exit status: 0 when everything passes; 1 on any failure or when the
bundle does not load; 2 for a usage error.
`

func policyTestUsage(w io.Writer) { fmt.Fprint(w, policyTestUsageText) }

// runPolicyTest is `dsr policy test DIR`.
func runPolicyTest(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fset := newFlagSet("policy test")
	cases := fset.Int("cases", 1000, "generated cases for the invariants")
	seed := fset.Uint64("seed", 1, "seed of the generated cases")
	base := fset.String("base", "", "rebase onto this embedded profile")
	coverage := fset.Bool("coverage", false, "report Rego line coverage of the unit tests and scenarios")
	var params paramFlag
	fset.Var(&params, "set", "override the bundle parameter `NAME=VALUE` (repeatable)")
	timeoutFlag(ctx, fset)
	pos, code, ok := parseCommand(fset, args, policyTestUsage, stdout, stderr, 1, "want one bundle directory or profile name")
	if !ok {
		return code
	}
	switch {
	case *cases < 0:
		errorf(stderr, "policy test: --cases must not be negative")
		return exitUsage
	}
	// Every point compiled in Load, the optional ones too: a broken one is
	// refused here, before rollout, not at its first use.
	eager := policies.WithEagerCompile(true)
	fsys, engine, err := loadPolicy(ctx, pos[0], *base, params, eager)
	if err != nil {
		errorf(stderr, "%v", err)
		return exitFailure
	}
	opts := slices.Concat(params.options(), ruleOptions(ctx), []policies.Option{eager})
	var cov *policies.Coverage
	testOpts := opts // for the unit tests and scenarios
	if *coverage {
		cov = new(policies.Coverage)
		testOpts = append(slices.Clone(opts), policies.WithCoverage(cov))
	}
	ref := engine.Policy()
	var out bytes.Buffer
	fmt.Fprintf(&out, "dsr policy test %s: %s %s (%s), %s\n\n", pos[0], ref.Name, ref.Version, ref.Engine, ref.Digest)
	failed := false

	// 1. Rego unit tests.
	rt, err := policycheck.RegoUnitTestsCovered(ctx, fsys, cov, opts...)
	switch {
	case err != nil:
		failed = true
		fmt.Fprintf(&out, "rego tests:  FAIL: %v\n", err)
	case rt.Total == 0:
		fmt.Fprintf(&out, "rego tests:  none (no *_test.rego files)\n")
	default:
		fmt.Fprintf(&out, "rego tests:  %d passed, %d failed\n", rt.Total-len(rt.Failures), len(rt.Failures))
		for _, f := range rt.Failures {
			failed = true
			fmt.Fprintf(&out, "  FAIL %s\n", f)
		}
	}

	// 2. Scenarios.
	results, err := policycheck.ScenarioResults(fsys, "testdata/scenarios", policycheck.Loader(fsys, testOpts...))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		fmt.Fprintf(&out, "scenarios:   none (no testdata/scenarios)\n")
	case err != nil:
		failed = true
		fmt.Fprintf(&out, "scenarios:   FAIL: %v\n", err)
	default:
		nFail := 0
		for _, r := range results {
			if !r.Passed() {
				nFail++
			}
		}
		fmt.Fprintf(&out, "scenarios:   %d passed, %d failed\n", len(results)-nFail, nFail)
		for _, r := range results {
			if r.Passed() {
				continue
			}
			failed = true
			fmt.Fprintf(&out, "  FAIL %s\n", r.Name)
			for _, p := range r.Problems {
				fmt.Fprintf(&out, "    %s\n", strings.ReplaceAll(p, "\n", "\n    "))
			}
		}
	}

	// 3. Invariants.
	if *cases > 0 {
		start := time.Now()
		rep := policycheck.Run(engine, *cases, *seed, policycheck.WithContext(ctx))
		if ctx.Err() != nil {
			errorf(stderr, "policy test: %v", ctx.Err())
			return exitFailure
		}
		names := len(policycheck.Invariants())
		if rep.OK() {
			fmt.Fprintf(&out, "invariants:  %d cases (seed %d), %d invariants kept (%s)\n", rep.Cases, rep.Seed, names, time.Since(start).Round(time.Millisecond))
		} else {
			failed = true
			total := 0
			for _, n := range rep.Failed {
				total += n
			}
			fmt.Fprintf(&out, "invariants:  %d cases (seed %d), %d failed\n", rep.Cases, rep.Seed, total)
			for _, f := range rep.Failures {
				fmt.Fprintf(&out, "  FAIL %s (%d cases; first: generated case #%d, shrunk)\n    %s\n", f.Invariant, rep.Failed[f.Invariant], f.Index,
					strings.ReplaceAll(f.String(), "\n", "\n    "))
			}
		}
	} else {
		fmt.Fprintf(&out, "invariants:  skipped (--cases 0)\n")
	}

	if cov != nil {
		writeCoverage(&out, cov.Report())
	}

	if failed {
		fmt.Fprintf(&out, "\nFAIL\n")
	} else {
		fmt.Fprintf(&out, "\nPASS\n")
	}
	if _, err := stdout.Write(out.Bytes()); err != nil {
		errorf(stderr, "policy test: %v", err)
		return exitFailure
	}
	if failed {
		return exitFailure
	}
	return exitOK
}

// writeCoverage prints the coverage section of `dsr policy test`: one line
// per Rego file with its share covered and the lines not covered, as
// ranges.
func writeCoverage(w io.Writer, files []policies.FileCoverage) {
	covered, total := 0, 0
	for _, f := range files {
		covered += len(f.Covered)
		total += len(f.Covered) + len(f.NotCovered)
	}
	if total == 0 {
		fmt.Fprintf(w, "coverage:    no Rego lines (a CEL bundle)\n")
		return
	}
	fmt.Fprintf(w, "coverage:    %.1f%% of %d Rego lines (unit tests and scenarios)\n", 100*float64(covered)/float64(total), total)
	width := 0
	for _, f := range files {
		width = max(width, len(f.File))
	}
	for _, f := range files {
		fmt.Fprintf(w, "  %-*s %5.1f%%  %d/%d", width, f.File, f.Percent(), len(f.Covered), len(f.Covered)+len(f.NotCovered))
		if len(f.NotCovered) > 0 {
			fmt.Fprintf(w, "  not covered: %s", lineRanges(f.NotCovered))
		}
		fmt.Fprintln(w)
	}
}

// lineRanges writes sorted line numbers as "3, 7-9, 12".
func lineRanges(lines []int) string {
	var b strings.Builder
	for i := 0; i < len(lines); {
		j := i
		for j+1 < len(lines) && lines[j+1] == lines[j]+1 {
			j++
		}
		if b.Len() > 0 {
			b.WriteString(", ")
		}
		if j > i {
			fmt.Fprintf(&b, "%d-%d", lines[i], lines[j])
		} else {
			fmt.Fprintf(&b, "%d", lines[i])
		}
		i = j + 1
	}
	return b.String()
}
