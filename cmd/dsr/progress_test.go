package main

import (
	"strings"
	"testing"
)

// Standard error is not a terminal here: `policy diff` (generated cases,
// a replayed log) and `demo` end with one plain progress line counting
// every item; --quiet writes none.
func TestProgressLines(t *testing.T) {
	r := runCLI(t, "", "policy", "diff", "national-2023", "national-2017", "--generate", "300")
	if r.code != exitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, "policy diff: 300 cases in ") || strings.Contains(r.stderr, "\r") {
		t.Errorf("policy diff: stderr %q, want one plain final line of 300 cases", r.stderr)
	}
	r = runCLI(t, "", "policy", "diff", "national-2023", "national-2017", "--generate", "300", "--quiet")
	if r.code != exitOK || r.stderr != "" {
		t.Errorf("policy diff --quiet: exit %d, stderr %q", r.code, r.stderr)
	}
	log := t.TempDir() + "/decisions.jsonl"
	for range 3 {
		if r := runCLI(t, "", "assess", "--decision-log", log, "../../examples/cases/red-child.json"); r.code != exitOK {
			t.Fatalf("assess: exit %d: %s", r.code, r.stderr)
		}
	}
	r = runCLI(t, "", "policy", "diff", "national-2023", "national-2017", "--replay", log)
	if r.code != exitOK || !strings.Contains(r.stderr, "policy diff: 3 logged decisions in ") {
		t.Errorf("policy diff --replay: exit %d, stderr %q", r.code, r.stderr)
	}
	db := t.TempDir() + "/demo.db"
	r = runCLI(t, "", "demo", "--db", db, "--people", "30")
	if r.code != exitOK || !strings.Contains(r.stderr, "demo: 30 people in ") {
		t.Errorf("demo: exit %d, stderr %q", r.code, r.stderr)
	}
	r = runCLI(t, "", "demo", "--db", db, "--people", "30", "--quiet")
	if r.code != exitOK || strings.Contains(r.stderr, "people in") {
		t.Errorf("demo --quiet: exit %d, stderr %q", r.code, r.stderr)
	}
}
