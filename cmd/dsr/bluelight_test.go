package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dsrkit/dsrkit/calendar"
)

func TestBlueLightCommandsOpenAttendOptionFundCloseAndMinute(t *testing.T) {
	db := filepath.Join(t.TempDir(), "bl.db")
	staff := []string{"--db", db, "--by", "staff-2", "--role", "coordinator"}
	bl := func(stdin string, args ...string) result {
		return runCLI(t, stdin, append(append([]string{"bluelight"}, args...), staff...)...)
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
	if r := bl(open, "open", "-"); r.code != exitOK || !strings.Contains(r.stdout, "opened for a") {
		t.Fatalf("open: exit %d: %s%s", r.code, r.stdout, r.stderr)
	}
	if r := bl(open, "open", "-"); r.code != exitFailure || !strings.Contains(r.stderr, "already recorded") {
		t.Fatalf("open twice: exit %d: %s", r.code, r.stderr)
	}

	n := logCount(t, db)
	if r := bl(`{"role": "juggler"}`, "attend", "bl-1", "-"); r.code != exitUsage || !strings.Contains(r.stderr, "juggler") {
		t.Fatalf("unknown role: exit %d: %s", r.code, r.stderr)
	}
	fund := func(start, stop time.Time, cost int) string {
		return fmt.Sprintf(`{"support": "two waking night staff", "provider": "Provider Alpha", "provider_accredited": true,
		  "start": %q, "stop": %q, "cost_pence": %d}`, ts(start), ts(stop), cost)
	}
	if r := bl(fund(call, call.Add(-time.Hour), 1000), "fund", "bl-1", "-"); r.code != exitUsage || !strings.Contains(r.stderr, "funding.stop") {
		t.Fatalf("stop before start: exit %d: %s", r.code, r.stderr)
	}
	if r := bl(fund(call, call.Add(72*time.Hour), -5), "fund", "bl-1", "-"); r.code != exitUsage || !strings.Contains(r.stderr, "funding.cost_pence") {
		t.Fatalf("negative cost: exit %d: %s", r.code, r.stderr)
	}
	if r := bl(`{"steps": [], "closed_at": "`+ts(call.Add(time.Hour))+`", "outcome": {"sustainable_placement": true}}`, "close", "bl-1", "-"); r.code != exitFailure || !strings.Contains(r.stderr, "R-BL-STEPS") {
		t.Fatalf("close without the decision and record: exit %d: %s", r.code, r.stderr)
	}
	if logCount(t, db) != n {
		t.Fatal("refused changes wrote to the register")
	}

	roles := []string{"family", "psychiatrist", "named_nurse", "social_worker", "send_lead_worker", "school_senco",
		"education_officer", "commissioner", "nhse_gatekeeping", "advocate", "community_camhs"} // no minute taker
	var as []string
	for _, r := range roles {
		as = append(as, fmt.Sprintf(`{"role": %q}`, r))
	}
	if r := bl("["+strings.Join(as, ",")+"]", "attend", "bl-1", "-"); r.code != exitOK {
		t.Fatalf("attend: exit %d: %s", r.code, r.stderr)
	}
	steps := `[{"step": "introduction", "notes": "crisis tonight"}, {"step": "understanding", "notes": "wants to stay home"},
	  {"step": "risks", "notes": "harm to self"}, {"step": "options", "notes": "home package first"}, {"step": "resources", "notes": "night staff"}]`
	if r := bl(steps, "step", "bl-1", "-"); r.code != exitOK {
		t.Fatalf("step: exit %d: %s", r.code, r.stderr)
	}
	if r := bl(`{"choice": {"option": "home_package", "detail": "waking nights"}}`, "option", "bl-1", "-"); r.code != exitOK {
		t.Fatalf("option: exit %d: %s", r.code, r.stderr)
	}
	if r := bl(fund(call, call.Add(72*time.Hour), 432101), "fund", "bl-1", "-"); r.code != exitOK {
		t.Fatalf("fund: exit %d: %s", r.code, r.stderr)
	}
	closing := fmt.Sprintf(`{"steps": [{"step": "decision", "notes": "home package, social worker leads"},
	  {"step": "record", "notes": "recorded"}], "closed_at": %q, "outcome": {"sustainable_placement": true}}`, ts(call.Add(90*time.Minute)))
	r := bl(closing, "close", "bl-1", "-")
	if r.code != exitOK || !strings.Contains(r.stdout, "required roles did not attend") {
		t.Fatalf("close: exit %d: %s%s", r.code, r.stdout, r.stderr)
	}

	r = runCLI(t, "", "register", "due", "--db", db, "--json")
	for _, want := range []string{`"kind": "review_after_blue_light"`, `"kind": "blue_light_funding_stop"`, `"id": "bl-1"`} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("due lacks %s:\n%s%s", want, r.stdout, r.stderr)
		}
	}
	if strings.Count(r.stdout, `"kind": "review_after_blue_light"`) != 1 {
		t.Errorf("the review after the meeting is listed more than once:\n%s", r.stdout)
	}
	r = runCLI(t, "", "register", "history", "a", "--db", db)
	if !strings.Contains(r.stdout, "blue_light_meeting") {
		t.Errorf("history lacks the meeting:\n%s", r.stdout)
	}

	r = runCLI(t, "", "bluelight", "minute", "bl-1", "--db", db)
	if r.code != exitOK {
		t.Fatalf("minute: exit %d: %s", r.code, r.stderr)
	}
	for _, want := range []string{"# Blue Light meeting bl-1", "not a community C(E)TR", "- Start:", "- Stop:", "£4,321.01", "Local authority: £2,160.50", "home package, social worker leads", "Minute taker"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("minute lacks %q:\n%s", want, r.stdout)
		}
	}
	if r := runCLI(t, "", "bluelight", "minute", "bl-1", "--db", db, "--json"); r.code != exitOK || !strings.Contains(r.stdout, `"closed": true`) {
		t.Fatalf("minute --json: exit %d: %s", r.code, r.stderr)
	}
	r = runCLI(t, "", "bluelight", "minute", "bl-1", "--db", db, "--html")
	if r.code != exitOK || !strings.HasPrefix(r.stdout, "<!DOCTYPE html>") {
		t.Fatalf("minute --html: exit %d: %s", r.code, r.stderr)
	}
	for _, want := range []string{"<h1>Blue Light meeting bl-1</h1>", "not a community C(E)TR", "<dt>Start</dt>", "<dt>Stop</dt>", "£4,321.01", "<dt>Local authority</dt><dd>£2,160.50</dd>", "home package, social worker leads", "Minute taker"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("minute --html lacks %q:\n%s", want, r.stdout)
		}
	}
	if r := bl(`{"role": "advocate"}`, "attend", "bl-1", "-"); r.code != exitFailure || !strings.Contains(r.stderr, "closed") {
		t.Fatalf("attend after close: exit %d: %s", r.code, r.stderr)
	}
	if r := runCLI(t, "", "bluelight", "help"); r.code != exitOK || !strings.Contains(r.stdout, "minute ID") {
		t.Fatalf("help: exit %d", r.code)
	}
	if r := runCLI(t, "", "register", "verify", "--db", db); r.code != exitOK {
		t.Fatalf("verify: exit %d: %s", r.code, r.stderr)
	}
}
