package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// weightedItems is the example overlay that declares inputs (R-INPUT-1).
var weightedItems = filepath.Join("..", "..", "examples", "policies", "weighted-items")

const weightedCase = `{"as_of": "2026-04-01",
 "person": {"id": "syn-wi-cli", "date_of_birth": "2010-05-05", "autism": true},
 "circumstances": {"escalating_behaviour": true},
 "inputs": %s,
 "events": [{"type": "consent_given", "date": "2026-01-05", "given_by": "parent"}]}`

// TestSchemaCaseForAPolicy: `dsr schema case --policy DIR` gives inputs the
// bundle's declarations: the printed schema accepts a declared input in
// range and refuses one out of range or undeclared; without --policy, or
// for a bundle declaring none, no declared input is in the schema.
func TestSchemaCaseForAPolicy(t *testing.T) {
	r := runCLI(t, "", "schema", "--policy", weightedItems, "case")
	if r.code != exitOK {
		t.Fatalf("exit %d; stderr:\n%s", r.code, r.stderr)
	}
	v := compilePrinted(t, r.stdout)
	ok := strings.Replace(weightedCase, "%s", `{"self_harm": 3, "safeguarding_concern": true, "completed_by": "nurse"}`, 1)
	if err := v.Validate([]byte(ok)); err != nil {
		t.Errorf("declared inputs in range: %v", err)
	}
	for _, bad := range []struct{ inputs, field string }{
		{`{"self_harm": 7}`, "inputs.self_harm"},
		{`{"completed_by": "doctor"}`, "inputs.completed_by"},
		{`{"alcohol_use": true}`, "inputs"},
	} {
		err := v.Validate([]byte(strings.Replace(weightedCase, "%s", bad.inputs, 1)))
		if err == nil || !strings.Contains(err.Error(), bad.field) {
			t.Errorf("inputs %s: %v, want a problem at %s", bad.inputs, err, bad.field)
		}
	}
	national := runCLI(t, "", "schema", "--policy", "national-2023", "case")
	if national.code != exitOK || strings.Contains(national.stdout, "self_harm") {
		t.Errorf("national-2023's case schema: exit %d, mentions self_harm: %v", national.code, strings.Contains(national.stdout, "self_harm"))
	}
	nv := compilePrinted(t, national.stdout)
	if err := nv.Validate([]byte(strings.Replace(weightedCase, "%s", `{"self_harm": 1}`, 1))); err == nil {
		t.Error("national-2023's case schema accepts an input national-2023 does not declare")
	}
}

// TestAssessRefusesUndeclaredInputs: dsr assess checks the inputs against
// the loaded bundle, naming the field and R-INPUT-1.
func TestAssessRefusesUndeclaredInputs(t *testing.T) {
	r := runCLI(t, strings.Replace(weightedCase, "%s", `{"self_harm": 7}`, 1), "assess", "--policy", weightedItems, "-")
	if r.code == exitOK || !strings.Contains(r.stderr, "inputs.self_harm: 7 is above the maximum 3 (R-INPUT-1)") {
		t.Errorf("exit %d; stderr:\n%s", r.code, r.stderr)
	}
	r = runCLI(t, strings.Replace(weightedCase, "%s", `{"self_harm": 2}`, 1), "assess", "-")
	if r.code == exitOK || !strings.Contains(r.stderr, "inputs.self_harm: unknown input: the bundle declares none (R-INPUT-1)") {
		t.Errorf("national-2023: exit %d; stderr:\n%s", r.code, r.stderr)
	}
	r = runCLI(t, strings.Replace(weightedCase, "%s", `{"self_harm": 3, "mental_health": 3, "harm_to_others": 3, "restrictive_practice": 3, "placement_stability": 3}`, 1), "assess", "--policy", weightedItems, "-")
	if r.code != exitOK || !strings.Contains(r.stdout, `"rating": "red"`) {
		t.Errorf("weighted score 45: exit %d, want RED; stdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
}
