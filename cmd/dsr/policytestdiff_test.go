package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/dsrkit/dsrkit/policies/policycheck"
	"github.com/dsrkit/dsrkit/policies/policydiff"
)

const (
	wiltshireDir = "../../examples/policies/wiltshire"
	wrongConsent = "../../policies/policycheck/testdata/wrong-consent-assumed"
	wrongBlue    = "../../policies/policycheck/testdata/wrong-inpatient-amber"
)

// `dsr policy test` passes a good overlay: its scenarios and the
// invariants, exit 0.
func TestPolicyTestPassesWiltshire(t *testing.T) {
	r := runCLI(t, "", "policy", "test", "--cases", "100", wiltshireDir)
	if r.code != exitOK {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{"scenarios:   4 passed, 0 failed", "invariants:  100 cases (seed 1)", "PASS"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, r.stdout)
		}
	}
}

// The national profile's Rego unit tests run through OPA's tester.
func TestPolicyTestRunsRegoUnitTests(t *testing.T) {
	r := runCLI(t, "", "policy", "test", "--cases", "0", "national-2023")
	if r.code != exitOK || !strings.Contains(r.stdout, "rego tests:  ") || strings.Contains(r.stdout, "rego tests:  none") {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
}

// A wrong overlay fails with exit status 1, naming the invariant and
// printing a shrunk case that `dsr assess` accepts (schema and domain).
func TestPolicyTestFailsAWrongOverlay(t *testing.T) {
	for dir, invariant := range map[string]string{wrongConsent: "consent-gate", wrongBlue: "blue-iff-inpatient"} {
		r := runCLI(t, "", "policy", "test", "--cases", "300", dir)
		if r.code != exitFailure {
			t.Fatalf("%s: exit %d, want 1\n%s", dir, r.code, r.stdout)
		}
		if !strings.Contains(r.stdout, "FAIL "+invariant) || !strings.HasSuffix(r.stdout, "FAIL\n") {
			t.Errorf("%s: stdout:\n%s", dir, r.stdout)
		}
		c, err := policycheck.CaseFromReport(r.stdout)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := json.Marshal(c)
		a := runCLI(t, string(raw), "assess", "--policy", dir, "-")
		if a.code != exitOK {
			t.Errorf("%s: dsr assess refuses the counterexample: %s", dir, a.stderr)
		}
	}
}

// A failing scenario prints its diff and fails the run.
func TestPolicyTestReportsAFailingScenario(t *testing.T) {
	dir := t.TempDir()
	copyDir(t, wiltshireDir, dir)
	want := filepath.Join(dir, "testdata", "scenarios", "03-amber-child-reviewed-every-21-days", "want.json")
	b, err := os.ReadFile(want)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(want, []byte(strings.Replace(string(b), `"amber"`, `"red"`, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	r := runCLI(t, "", "policy", "test", "--cases", "0", dir)
	if r.code != exitFailure || !strings.Contains(r.stdout, "FAIL 03-amber-child-reviewed-every-21-days") || !strings.Contains(r.stdout, `rating: want "red", got "amber"`) {
		t.Fatalf("exit %d\n%s", r.code, r.stdout)
	}
}

func copyDir(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.Walk(from, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		if fi.IsDir() {
			return os.MkdirAll(filepath.Join(to, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(to, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func diffJSON(t *testing.T, args ...string) policydiff.Report {
	t.Helper()
	r := runCLI(t, "", append([]string{"policy", "diff", "--json"}, args...)...)
	if r.code != exitOK {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	var rep policydiff.Report
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatal(err)
	}
	return rep
}

// `dsr policy diff --generate` gives the same counts and examples on every
// run, whatever the number of workers.
func TestPolicyDiffIsReproducible(t *testing.T) {
	args := []string{"national-2023", wiltshireDir, "--generate", "1500", "--seed", "1"}
	one := diffJSON(t, append(args, "--workers", "1")...)
	three := diffJSON(t, append(args, "--workers", "3")...)
	one.Elapsed, three.Elapsed, one.Workers, three.Workers = "", "", 0, 0
	if !reflect.DeepEqual(one, three) {
		t.Fatalf("reports differ between 1 and 3 workers")
	}
	if one.Assessed != 1500 || one.Changed == 0 || len(one.Changes) == 0 {
		t.Fatalf("report: %+v", one)
	}
	// Wiltshire reviews every 21 days: RED entries' register review moves.
	found := false
	for _, c := range one.Changes {
		if c.Kind == "action" && c.What == "dsr_review moved" && len(c.Examples) > 0 && c.Rules[0].Rule == "R-REV-1" {
			found = true
		}
	}
	if !found {
		t.Errorf("no dsr_review moved by R-REV-1 in %+v", one.Changes)
	}
}

// --cases DIR reads case files; --html writes a self-contained report with
// an inline SVG chart and no scripts.
func TestPolicyDiffCasesDirAndHTML(t *testing.T) {
	html := filepath.Join(t.TempDir(), "diff.html")
	r := runCLI(t, "", "policy", "diff", "national-2023", wiltshireDir, "--cases", "../../examples/cases", "--html", html)
	if r.code != exitOK {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	if !strings.Contains(r.stdout, "5 cases, 5 assessed under both") {
		t.Errorf("stdout:\n%s", r.stdout)
	}
	b, err := os.ReadFile(html)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	if !strings.Contains(s, "<svg") || strings.Contains(s, "<script") || strings.Contains(s, "http://") && !strings.Contains(s, `xmlns="http://www.w3.org/2000/svg"`) {
		t.Errorf("HTML is not a self-contained report with an SVG chart")
	}
}

// The CEL pair: --base rebases both bundles onto national-2023-cel.
func TestPolicyDiffRebasedOntoCEL(t *testing.T) {
	rep := diffJSON(t, "national-2023", wiltshireDir, "--base", "national-2023-cel", "--generate", "300")
	if rep.Old.Name != "national-2023-cel" || rep.Old.Engine != "cel" || rep.New.Name != "wiltshire" || rep.New.Engine != "cel" {
		t.Fatalf("old %+v new %+v", rep.Old, rep.New)
	}
}

func TestPolicyDiffUsage(t *testing.T) {
	for _, args := range [][]string{
		{"policy", "diff", "national-2023"},
		{"policy", "diff", "national-2023", "national-2017"},
		{"policy", "diff", "national-2023", "national-2017", "--generate", "5", "--cases", "x"},
	} {
		if r := runCLI(t, "", args...); r.code != exitUsage {
			t.Errorf("%v: exit %d, want 2", args, r.code)
		}
	}
}

// --register reads every person held in a SQLite register.
func TestPolicyDiffRegister(t *testing.T) {
	db := filepath.Join(t.TempDir(), "dsr.db")
	if r := runCLI(t, "", "demo", "--db", db, "--people", "12", "--as-of", "2026-04-01"); r.code != exitOK {
		t.Fatalf("demo: exit %d\n%s", r.code, r.stderr)
	}
	rep := diffJSON(t, "national-2023", wiltshireDir, "--register", db, "--as-of", "2026-04-01")
	if rep.Cases == 0 || rep.Assessed != rep.Cases {
		t.Fatalf("report: %+v", rep)
	}
	if r := runCLI(t, "", "policy", "diff", "national-2023", wiltshireDir, "--register", filepath.Join(t.TempDir(), "none.db")); r.code != exitFailure {
		t.Errorf("a missing register: exit %d, want 1", r.code)
	}
}

// --coverage adds the Rego line coverage of the unit tests and scenarios,
// per file: an overlay's scenarios cover its parent's rating rules whole
// and leave Blue Light's rules (no scenario calls them) uncovered.
func TestPolicyTestReportsCoverage(t *testing.T) {
	r := runCLI(t, "", "policy", "test", "--cases", "0", "--coverage", wiltshireDir)
	if r.code != exitOK {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{
		"coverage:    ", "% of ", "Rego lines (unit tests and scenarios)",
		"national-2023/rating.rego             100.0%",
		"national-2023/bluelight_criteria.rego   0.0%  0/22  not covered: 16-18, 20",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, r.stdout)
		}
	}
	plain := runCLI(t, "", "policy", "test", "--cases", "0", wiltshireDir)
	if strings.Contains(plain.stdout, "coverage:") {
		t.Errorf("coverage without --coverage:\n%s", plain.stdout)
	}
}
