package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dsrkit/dsrkit/calendar"
)

// dsr bluelight decides funding with the bundle's bluelight_funding point:
// an area that caps funding at 48 hours (by --set, or by an overlay
// directory given to --policy) refuses 60 hours with R-BL-FUND.
func TestBlueLightFundingCapComesFromThePolicy(t *testing.T) {
	dir := t.TempDir()
	overlay := filepath.Join(dir, "local")
	if err := os.MkdirAll(overlay, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, text := range map[string]string{
		".manifest":        `{"metadata": {"name": "local", "version": "0.1.0", "extends": "national-2023-cel", "sources": ["a test"], "decision_points": {}}}`,
		"params/data.json": `{"blue_light_max_funded_hours": 48}`,
	} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(overlay, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(overlay, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for i, policy := range [][]string{
		{"--set", "blue_light_max_funded_hours=48"},
		{"--policy", overlay},
	} {
		t.Run(strings.Join(policy, " "), func(t *testing.T) {
			db := filepath.Join(dir, fmt.Sprintf("bl%d.db", i))
			args := append([]string{"--db", db, "--by", "staff-2", "--role", "coordinator"}, policy...)
			bl := func(stdin string, cmd ...string) result {
				return runCLI(t, stdin, append(append([]string{"bluelight"}, cmd...), args...)...)
			}
			call := time.Now().Add(-3 * time.Hour).Truncate(time.Minute).UTC()
			ts := func(t time.Time) string { return t.Format(time.RFC3339) }
			day := calendar.DateOf(call)
			open := fmt.Sprintf(`{"id": "bl-1", "person_id": "a", "criteria": {"unexpected_crisis": true, "no_time_for_cetr": true, "known_to_services": true},
			  "invitations_sent": %q, "call_at": %q,
			  "person": {"person": {"id": "a", "nhs_number": "9990000018", "date_of_birth": %q, "autism": true},
			    "name": "Person A Synthetic", "circumstances": {"in_crisis": true, "community_cannot_manage": true},
			    "events": [{"type": "consent_given", "date": %q, "given_by": "parent"}]}}`,
				ts(call.Add(-45*time.Minute)), ts(call), day.AddDays(-15*365), day.AddDays(-2))
			if r := bl(open, "open", "-"); r.code != exitOK {
				t.Fatalf("open: exit %d: %s%s", r.code, r.stdout, r.stderr)
			}
			fund := func(hours int) string {
				return fmt.Sprintf(`{"support": "waking nights", "provider": "Provider Alpha", "provider_accredited": true,
				  "start": %q, "stop": %q, "cost_pence": 100000}`, ts(call), ts(call.Add(time.Duration(hours)*time.Hour)))
			}
			n := logCount(t, db)
			if r := bl(fund(60), "fund", "bl-1", "-"); r.code != exitFailure || !strings.Contains(r.stderr, "R-BL-FUND") || !strings.Contains(r.stderr, "cap of 48 hours") {
				t.Fatalf("60 hours under a 48-hour cap: exit %d: %s", r.code, r.stderr)
			}
			if logCount(t, db) != n {
				t.Fatal("a refused authorisation wrote to the register")
			}
			if r := bl(fund(48), "fund", "bl-1", "-"); r.code != exitOK {
				t.Fatalf("48 hours: exit %d: %s", r.code, r.stderr)
			}
		})
	}
}

// dsr review plans with the bundle's cetr_rules: an area that requires an
// education or children's social care member refuses a CETR panel without
// one, where national-2023 only advises it.
func TestReviewPlanUsesTheBundlesCETRRules(t *testing.T) {
	db := filepath.Join(t.TempDir(), "r.db")
	staff := []string{"--db", db, "--by", "staff-1", "--role", "coordinator"}
	today := cliPerson(t, db, staff)
	panel := `[{"name": "Commissioner A", "role": "chair"},
	  {"name": "Clinical Expert B", "role": "clinical_expert", "training_expires": "2099-12-31"},
	  {"name": "Expert C", "role": "expert_by_experience", "training_expires": "2099-12-31"}]`
	plan := fmt.Sprintf(`{"id": "rev-%%d", "person_id": "a", "kind": "community", "planned": %q, "commissioner": "Commissioner A",
	  "consent": {"given": %q, "given_by": "parent"}, "papers": [{"title": "Planner", "planner": true}], "panel": %s}`,
		today, today.AddDays(-5), panel)
	review := func(stdin string, args ...string) result {
		return runCLI(t, stdin, append(append([]string{"review"}, args...), staff...)...)
	}
	r := review(fmt.Sprintf(plan, 1), "plan", "-", "--set", "cetr_education_member=required")
	if r.code == exitOK || !strings.Contains(r.stderr, "R-CETR-PANEL") {
		t.Fatalf("required education member missing: exit %d: %s%s", r.code, r.stdout, r.stderr)
	}
	if r := review(fmt.Sprintf(plan, 2), "plan", "-", "--set", `cetr_escalation={"n": 10, "unit": "working_days"}`); r.code != exitOK {
		t.Fatalf("plan: exit %d: %s%s", r.code, r.stdout, r.stderr)
	}
	r = review("", "summary", "rev-2", "--json")
	if r.code != exitOK || !strings.Contains(r.stdout, `"escalation": {`) || !strings.Contains(r.stdout, `"working_days"`) {
		t.Fatalf("summary: exit %d: %s%s", r.code, r.stdout, r.stderr)
	}
}
