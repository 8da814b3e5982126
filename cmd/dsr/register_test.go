package main

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestDemoLoadsASyntheticRegisterAndPrintsTheWorklist(t *testing.T) {
	db := filepath.Join(t.TempDir(), "demo.db")
	r := runCLI(t, "", "demo", "--db", db, "--people", "200")
	if r.code != exitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	for _, want := range []string{"Worklist on 2026-04-01", "PERSON", "SUGGESTED", "AGREED", "OVERDUE", "request req-001", "R-REQ-1", "Summary on 2026-04-01", "refused at the consent gate (R-CONS-1)", "verified"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("demo output lacks %q", want)
		}
	}
	again := runCLI(t, "", "demo", "--db", db, "--people", "200")
	if again.code != exitOK {
		t.Fatalf("reopening: exit %d: %s", again.code, again.stderr)
	}
	cut := func(s string) string { return s[:strings.Index(s, "done in")] }
	if cut(again.stdout) != cut(r.stdout) {
		t.Error("reopening the demo register printed a different worklist")
	}
}

func TestRegisterCommandsAddRecordAndExplain(t *testing.T) {
	db := filepath.Join(t.TempDir(), "r.db")
	staff := []string{"--db", db, "--by", "staff-1", "--role", "coordinator"}
	person := `{"person": {"id": "a", "nhs_number": "9990000018", "date_of_birth": "1990-05-05", "learning_disability": true},
	  "name": "Person A Synthetic", "circumstances": {"in_crisis": true, "community_cannot_manage": true},
	  "events": [{"type": "consent_given", "date": "2026-01-05", "given_by": "self"}]}`
	if r := runCLI(t, person, append([]string{"register", "add", "-"}, staff...)...); r.code != exitOK {
		t.Fatalf("add: exit %d: %s", r.code, r.stderr)
	}
	noConsent := `{"person": {"id": "b", "date_of_birth": "1990-05-05", "autism": true}, "name": "Person B Synthetic"}`
	r := runCLI(t, noConsent, append([]string{"register", "add", "-"}, staff...)...)
	if r.code != exitFailure || !strings.Contains(r.stderr, "consent required") {
		t.Fatalf("add without consent: exit %d: %s", r.code, r.stderr)
	}
	r = runCLI(t, `{"type": "discharged", "date": "2026-01-10"}`, append([]string{"register", "record", "a", "-"}, staff...)...)
	if r.code != exitUsage || !strings.Contains(r.stderr, "event") {
		t.Fatalf("a discharge with no admission: exit %d: %s", r.code, r.stderr)
	}
	if r := runCLI(t, `{"type": "review_held", "kind": "community", "date": "2026-01-20"}`, append([]string{"register", "record", "a", "-"}, staff...)...); r.code != exitOK {
		t.Fatalf("record: exit %d: %s", r.code, r.stderr)
	}
	if r := runCLI(t, "", append([]string{"register", "agree", "a", "amber", "--reason", "crisis plan working"}, staff...)...); r.code != exitOK {
		t.Fatalf("agree: exit %d: %s", r.code, r.stderr)
	}
	r = runCLI(t, "", "register", "due", "--db", db, "--json")
	if r.code != exitOK || !strings.Contains(r.stdout, `"person_id": "a"`) || !strings.Contains(r.stdout, `"rating": "red"`) {
		t.Fatalf("due: exit %d:\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = runCLI(t, "", "register", "history", "a", "--db", db)
	if r.code != exitOK || !strings.Contains(r.stdout, "R-RAG-RED") || !strings.Contains(r.stdout, "rating_agreed") {
		t.Fatalf("history: exit %d:\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := runCLI(t, "", append([]string{"register", "remove", "a", "no_longer_at_risk"}, staff...)...); r.code != exitUsage || !strings.Contains(r.stderr, "R-REM-1") {
		t.Fatalf("remove without evidence: exit %d: %s", r.code, r.stderr)
	}
	if r := runCLI(t, "", append([]string{"register", "remove", "a", "consent_withdrawn"}, staff...)...); r.code != exitOK {
		t.Fatalf("remove: exit %d: %s", r.code, r.stderr)
	}
	r = runCLI(t, "", "register", "history", "a", "--db", db)
	if !strings.Contains(r.stdout, "erased after consent was withdrawn") || strings.Contains(r.stdout, "R-RAG-RED") {
		t.Fatalf("history after withdrawal:\n%s", r.stdout)
	}
	if r := runCLI(t, "", "register", "verify", "--db", db); r.code != exitOK || !strings.Contains(r.stdout, "verified") {
		t.Fatalf("verify: exit %d: %s", r.code, r.stderr)
	}
	if r := runCLI(t, "", "register", "frobnicate", "--db", db); r.code != exitUsage {
		t.Fatalf("unknown command: exit %d", r.code)
	}
}
