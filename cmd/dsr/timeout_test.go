package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// slowBundle writes an overlay of national-2023-cel whose rating rule
// first loops 20,000 times (a few milliseconds, under the cost limit and
// the default time limit) and then decides as national's.
func slowBundle(t *testing.T) string {
	t.Helper()
	rating, err := os.ReadFile("../../policies/bundles/national-2023-cel/rating.cel")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for name, text := range map[string]string{
		".manifest": `{"metadata": {"name": "slow", "version": "0.0.1", "extends": "national-2023-cel",
			"description": "a slow rating rule", "sources": ["test"], "decision_points": {"rating": "rating.cel"}}}`,
		"rating.cel": "cel.bind(slow, lists.range(20000 + as_of % 2).all(i, i >= 0),\nslow ? " + string(rating) + `
  : {"rating": "green", "reasons": [{"rule": "R-RAG-GREEN", "message": "never"}]})
`,
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// A register command run with a tiny --timeout on a slow bundle fails with
// an error naming the rule file and the time limit, and leaves the
// register as it was (the history's read is not audited); with the
// default limit the same commands succeed.
func TestRegisterTimeoutStopsASlowRule(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	policy := slowBundle(t)
	db := filepath.Join(t.TempDir(), "r.db")
	staff := []string{"--db", db, "--by", "staff-1", "--role", "coordinator", "--policy", policy}
	person := `{"person": {"id": "a", "nhs_number": "9990000018", "date_of_birth": "1990-05-05", "learning_disability": true},
	  "name": "Person A Synthetic", "circumstances": {"in_crisis": true, "community_cannot_manage": true},
	  "events": [{"type": "consent_given", "date": "2026-01-05", "given_by": "self"}]}`
	if r := runCLI(t, person, append([]string{"register", "add", "-"}, staff...)...); r.code != exitOK {
		t.Fatalf("add: exit %d: %s", r.code, r.stderr)
	}
	for _, args := range [][]string{{"register", "due"}, {"register", "history", "a"}} {
		name := strings.Join(args, " ")
		// Taken per command: the successful due below writes the due
		// cache's rows.
		before := snapshot(t, db)
		r := runCLI(t, "", append(append(args, "--timeout", "1ns"), staff...)...)
		if r.code != exitFailure {
			t.Fatalf("%s --timeout 1ns: exit %d, want %d: %s", name, r.code, exitFailure, r.stderr)
		}
		for _, w := range []string{"rating.cel", "stopped at the deadline", "time limit of 1ns per evaluation"} {
			if !strings.Contains(r.stderr, w) {
				t.Errorf("%s --timeout 1ns: stderr does not say %q:\n%s", name, w, r.stderr)
			}
		}
		if strings.Contains(r.stderr, "Person A") || strings.Contains(r.stderr, "9990000018") {
			t.Errorf("%s: the error names the person:\n%s", name, r.stderr)
		}
		if !bytes.Equal(snapshot(t, db), before) {
			t.Errorf("%s --timeout 1ns changed the register", name)
		}
		if r := runCLI(t, "", append(args, staff...)...); r.code != exitOK || !strings.Contains(r.stdout, "RED") {
			t.Errorf("%s with the default limit: exit %d:\n%s%s", name, r.code, r.stdout, r.stderr)
		}
	}
}

// dsr policy test and dsr policy build compile every decision point, so a
// broken optional CEL point (compiled at its first use elsewhere: dsr
// assess never uses it) is refused before rollout, naming its file, and
// no archive is written.
func TestPolicyTestAndBuildRefuseABrokenOptionalPoint(t *testing.T) {
	dir := t.TempDir()
	for name, text := range map[string]string{
		".manifest": `{"metadata": {"name": "broken", "version": "0.0.1", "extends": "national-2023-cel",
			"description": "a broken Blue Light point", "sources": ["test"], "decision_points": {"bluelight_criteria": "c.cel"}}}`,
		"c.cel": `{"met": input.unexpected_crisys, "reasons": []}`,
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if r := runCLI(t, "", "assess", "--policy", dir, casesDir+"/red-child.json"); r.code != exitOK {
		t.Fatalf("assess: exit %d: %s", r.code, r.stderr)
	}
	out := filepath.Join(t.TempDir(), "broken.tar.gz")
	for _, args := range [][]string{{"policy", "build", dir, "-o", out}, {"policy", "test", dir, "--cases", "0"}} {
		r := runCLI(t, "", args...)
		if r.code != exitFailure || !strings.Contains(r.stderr, "c.cel:1:") || !strings.Contains(r.stderr, "unexpected_crisys") {
			t.Errorf("%s: exit %d, want %d and the error at c.cel:1:\n%s", strings.Join(args[:2], " "), r.code, exitFailure, r.stderr)
		}
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("policy build wrote the archive of a broken bundle")
	}
}
