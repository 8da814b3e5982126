package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/register"
	"github.com/dsrkit/dsrkit/register/sqlitestore"
)

// logCount opens the register file and counts its log's records other
// than the audits of reads: a refused write writes nothing, but the read
// of the person's details it made on the way (to fill in the plan) is
// audited, as every read of identifiable data is.
func logCount(t *testing.T, db string) int {
	t.Helper()
	s, err := sqlitestore.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	n := 0
	if err := s.Log(context.Background(), func(r register.Record) error {
		if r.Type != register.AuditRead {
			n++
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return n
}

// cliPerson adds Person A, aged 14, autistic, in crisis, with their
// parent's consent given 20 days ago, to the register file db.
func cliPerson(t *testing.T, db string, staff []string) calendar.Date {
	t.Helper()
	today := calendar.DateOf(time.Now())
	person := fmt.Sprintf(`{"person": {"id": "a", "nhs_number": "9990000018", "date_of_birth": %q, "autism": true, "local_authority": "Borough A"},
	  "name": "Person A Synthetic", "circumstances": {"in_crisis": true, "community_cannot_manage": true},
	  "events": [{"type": "consent_given", "date": %q, "given_by": "parent"}]}`, today.AddDays(-14*365), today.AddDays(-20))
	if r := runCLI(t, person, append([]string{"register", "add", "-"}, staff...)...); r.code != exitOK {
		t.Fatalf("add: exit %d: %s", r.code, r.stderr)
	}
	return today
}

func TestReviewCommandsPlanHoldRecommendReportAndSummarise(t *testing.T) {
	db := filepath.Join(t.TempDir(), "r.db")
	staff := []string{"--db", db, "--by", "staff-1", "--role", "coordinator"}
	today := cliPerson(t, db, staff)
	review := func(stdin string, args ...string) result {
		return runCLI(t, stdin, append(append([]string{"review"}, args...), staff...)...)
	}
	panel := `[{"name": "Commissioner A", "role": "chair"},
	  {"name": "Clinical Expert B", "role": "clinical_expert", "training_expires": "2099-12-31"},
	  {"name": "Expert C", "role": "expert_by_experience", "training_expires": "2099-12-31"},
	  {"name": "Teacher D", "role": "education"}]`
	plan := fmt.Sprintf(`{"id": "rev-1", "person_id": "a", "kind": %%q, "planned": %q, "commissioner": "Commissioner A",
	  "consent": {"given": %q, "given_by": "parent"}, "papers": [{"title": "Planner", "planner": true}], "panel": %s}`,
		today, today.AddDays(-5), panel)

	n := logCount(t, db)
	r := review(fmt.Sprintf(plan, "emergency"), "plan", "-")
	if r.code != exitUsage || !strings.Contains(r.stderr, "invalid: kind") {
		t.Fatalf("unknown kind: exit %d: %s", r.code, r.stderr)
	}
	noChair := strings.Replace(fmt.Sprintf(plan, "community"), `"role": "chair"`, `"role": "care_coordinator"`, 1)
	r = review(noChair, "plan", "-")
	if r.code != exitUsage || !strings.Contains(r.stderr, "chair") || !strings.Contains(r.stderr, "R-CETR-PANEL") {
		t.Fatalf("missing chair: exit %d: %s", r.code, r.stderr)
	}
	if logCount(t, db) != n {
		t.Fatal("a refused plan wrote to the register")
	}

	if r := review(fmt.Sprintf(plan, "community"), "plan", "-"); r.code != exitOK || !strings.Contains(r.stdout, "CETR") {
		t.Fatalf("plan: exit %d: %s%s", r.code, r.stdout, r.stderr)
	}
	hold := fmt.Sprintf(`{"held": %q, "outcome": "stay_in_community", "note": "package at home",
	  "findings": {"am_i_safe": "safe with support", "good_care_and_treatment": "yes", "plans_for_future": "college",
	    "care_in_community": "yes, with a package", "physical_health": "well", "meaningful_activity": "swimming",
	    "quality_of_life": "good"}}`, today)
	if r := review(hold, "hold", "rev-1", "-"); r.code != exitOK {
		t.Fatalf("hold: exit %d: %s", r.code, r.stderr)
	}

	n = logCount(t, db)
	r = review(fmt.Sprintf(`{"who": "E", "what": "x", "due": %q}`, today.AddDays(-1)), "recommend", "rev-1", "-")
	if r.code != exitUsage || !strings.Contains(r.stderr, "recommendations[0].due") {
		t.Fatalf("due before the review: exit %d: %s", r.code, r.stderr)
	}
	if logCount(t, db) != n {
		t.Fatal("a refused recommendation wrote to the register")
	}
	recs := fmt.Sprintf(`[{"who": "Care coordinator E", "what": "home support package", "due": %q},
	  {"who": "School", "what": "reduced timetable", "due": %q}]`, today.AddDays(7), today.AddDays(14))
	if r := review(recs, "recommend", "rev-1", "-"); r.code != exitOK {
		t.Fatalf("recommend: exit %d: %s", r.code, r.stderr)
	}
	if r := review(fmt.Sprintf(`{"id": 2, "status": "dropped", "closed": %q, "reason": "school agreed already"}`, today), "recommend", "rev-1", "-"); r.code != exitOK {
		t.Fatalf("drop: exit %d: %s", r.code, r.stderr)
	}

	r = runCLI(t, "", "register", "due", "--db", db, "--json")
	for _, want := range []string{`"kind": "rating_agreement"`, `"kind": "review_recommendation"`, `"who": "Care coordinator E"`, `"kind": "review_report"`, `"id": "rev-1"`} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("due lacks %s:\n%s%s", want, r.stdout, r.stderr)
		}
	}
	if strings.Contains(r.stdout, "reduced timetable") {
		t.Error("a dropped recommendation is still due")
	}

	report := fmt.Sprintf(`{"sent": %q, "recipients": [{"role": "participant", "name": "Panel"}],
	  "rating": {"date": %q, "rating": "red", "by": "DSR meeting"}}`, today, today)
	if r := review(report, "report", "rev-1", "-"); r.code != exitOK {
		t.Fatalf("report: exit %d: %s", r.code, r.stderr)
	}
	r = runCLI(t, "", "register", "due", "--db", db, "--json")
	if strings.Contains(r.stdout, "rating_agreement") || strings.Contains(r.stdout, `"kind": "review_report"`) {
		t.Errorf("the rating and the report are done:\n%s", r.stdout)
	}
	r = runCLI(t, "", "register", "history", "a", "--db", db)
	for _, want := range []string{"review_held", "rating_agreed", "report_sent", "cetr_review rev-1 saved"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("history lacks %q:\n%s", want, r.stdout)
		}
	}

	r = runCLI(t, "", "review", "summary", "rev-1", "--db", db)
	if r.code != exitOK {
		t.Fatalf("summary: exit %d: %s", r.code, r.stderr)
	}
	for _, want := range []string{"# CETR rev-1", "Am I safe", "Quality of life", "safe with support", "home support package", "R-REV-2"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("summary lacks %q:\n%s", want, r.stdout)
		}
	}
	if r := runCLI(t, "", "review", "summary", "rev-1", "--db", db, "--json"); r.code != exitOK || !strings.Contains(r.stdout, `"held"`) {
		t.Fatalf("summary --json: exit %d: %s", r.code, r.stderr)
	}
	r = runCLI(t, "", "review", "summary", "rev-1", "--db", db, "--html")
	if r.code != exitOK || !strings.HasPrefix(r.stdout, "<!DOCTYPE html>") {
		t.Fatalf("summary --html: exit %d: %s", r.code, r.stderr)
	}
	for _, want := range []string{"<h1>CETR rev-1", "Am I safe", "Quality of life", "safe with support", "home support package", "R-REV-2"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("summary --html lacks %q:\n%s", want, r.stdout)
		}
	}
	if r := runCLI(t, "", "review", "summary", "rev-1", "--db", db, "--html", "--json"); r.code != exitUsage || !strings.Contains(r.stderr, "--html") {
		t.Fatalf("summary --html --json: exit %d: %s", r.code, r.stderr)
	}
	if r := runCLI(t, "", "review", "summary", "nope", "--db", db); r.code != exitFailure || !strings.Contains(r.stderr, "not found") {
		t.Fatalf("unknown review: exit %d: %s", r.code, r.stderr)
	}
	if r := runCLI(t, "", "review", "frobnicate", "--db", db); r.code != exitUsage {
		t.Fatalf("unknown command: exit %d", r.code)
	}
	if r := runCLI(t, "", "review", "help"); r.code != exitOK || !strings.Contains(r.stdout, "recommend ID") {
		t.Fatalf("help: exit %d", r.code)
	}
	if r := runCLI(t, "", "register", "verify", "--db", db); r.code != exitOK {
		t.Fatalf("verify: exit %d: %s", r.code, r.stderr)
	}
}

// The panel's advice (R-CETR-PANEL: no education or children's social care
// member on a CETR panel) is printed when the review is planned.
func TestReviewPlanPrintsThePanelsAdvice(t *testing.T) {
	db := filepath.Join(t.TempDir(), "r.db")
	staff := []string{"--db", db, "--by", "staff-1", "--role", "coordinator"}
	today := cliPerson(t, db, staff)
	plan := fmt.Sprintf(`{"id": "rev-1", "person_id": "a", "kind": "community", "planned": %q, "commissioner": "Commissioner A",
	  "consent": {"given": %q, "given_by": "parent"}, "papers": [{"title": "Planner", "planner": true}], "panel": [
	  {"name": "Commissioner A", "role": "chair"},
	  {"name": "Clinical Expert B", "role": "clinical_expert", "training_expires": "2099-12-31"},
	  {"name": "Expert C", "role": "expert_by_experience", "training_expires": "2099-12-31"}]}`, today, today.AddDays(-5))
	r := runCLI(t, plan, append([]string{"review", "plan", "-"}, staff...)...)
	if r.code != exitOK {
		t.Fatalf("plan: exit %d: %s%s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stdout, "warning: ") || !strings.Contains(r.stdout, "R-CETR-PANEL") {
		t.Errorf("plan printed no R-CETR-PANEL warning for a CETR panel without education or social care:\n%s", r.stdout)
	}
}

// An empty worklist is [] in JSON, not null.
func TestEmptyWorklistIsAnEmptyJSONList(t *testing.T) {
	db := filepath.Join(t.TempDir(), "r.db")
	staff := []string{"--db", db, "--by", "staff-1", "--role", "coordinator"}
	cliPerson(t, db, staff)
	r := runCLI(t, "", "register", "due", "--db", db, "--json", "--as-of", "1990-01-01")
	if r.code != exitOK || strings.TrimSpace(r.stdout) != "[]" {
		t.Fatalf("due before anyone was added: exit %d, stdout %q, want []; %s", r.code, r.stdout, r.stderr)
	}
}
