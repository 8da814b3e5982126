package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/internal/schema"
	"github.com/dsrkit/dsrkit/register"
)

// exampleDir holds a valid input for every write command.
const exampleDir = "../../examples/register"

func example(t *testing.T, name string) string {
	t.Helper()
	p := filepath.Join(exampleDir, name)
	if _, err := os.Stat(p); err != nil {
		t.Fatal(err)
	}
	return p
}

// setClock makes the commands' clock read at (a London wall time,
// "2006-01-02 15:04"), until the test ends.
func setClock(t *testing.T, at string) {
	t.Helper()
	tm, err := time.ParseInLocation("2006-01-02 15:04", at, calendar.London)
	if err != nil {
		t.Fatal(err)
	}
	old := cliNow
	cliNow = func() time.Time { return tm }
	t.Cleanup(func() { cliNow = old })
}

// week runs dsr with the week's register and staff, and fails the test
// unless it exits want and stdout (or, for a failure, stderr) holds every
// one of wants.
type week struct {
	t  *testing.T
	db string
}

func (w *week) run(want int, wants []string, args ...string) result {
	w.t.Helper()
	argv := append(slices.Clone(args), "--db", w.db, "--set", "age_max=17")
	if !slices.Contains(args, "--role") {
		argv = append(argv, "--by", "coord-1", "--role", "coordinator")
	}
	r := runCLI(w.t, "", argv...)
	out := r.stdout
	if want != exitOK {
		out = r.stderr
	}
	if r.code != want {
		w.t.Fatalf("dsr %s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), r.code, want, r.stdout, r.stderr)
	}
	for _, s := range wants {
		if !strings.Contains(out, s) {
			w.t.Errorf("dsr %s: output lacks %q:\n%s", strings.Join(args, " "), s, out)
		}
	}
	return r
}

// A coordinator's week on a fresh children's register (age_max 17), with
// only the commands and the example files: a request comes in and is
// accepted, two people are added, details change, an event is recorded,
// the meeting agrees a rating other than the suggestion, the coordinator
// lists, shows and finds, a C(E)TR is held, a Blue Light meeting held one
// evening is entered the next morning and its escalation marked done, and
// someone who turned 18 ages out once the adult register referral is made.
func TestCoordinatorsWeek(t *testing.T) {
	w := &week{t: t, db: filepath.Join(t.TempDir(), "week.db")}
	ok := func(wants []string, args ...string) result { t.Helper(); return w.run(exitOK, wants, args...) }

	// Monday: a request to join comes in, and is decided.
	setClock(t, "2026-06-08 09:00")
	ok([]string{"saved: request req-2026-001 from family, received 2026-06-08"}, "register", "refer", example(t, "refer.json"))
	ok([]string{"request req-2026-001", "referral_decision", "R-REQ-1"}, "register", "due")
	setClock(t, "2026-06-08 11:00")
	ok([]string{"saved: request req-2026-001 accepted on 2026-06-08"},
		"register", "decide", "req-2026-001", "accept", "--reasons", "Autistic, at risk of admission", "--next-steps", "Add with the parent's consent")
	r := ok(nil, "register", "due", "--json")
	if strings.TrimSpace(r.stdout) != "[]" {
		t.Errorf("the decided request is still due: %s", r.stdout)
	}
	ok([]string{"saved: p-a: added to the register on 2026-06-08"}, "register", "add", example(t, "add.json"))
	ok([]string{"saved: p-b: added to the register on 2026-06-08"}, "register", "add", example(t, "add-ageing-out.json"))

	// Tuesday: the placement changes; a crisis team episode; the meeting
	// agrees AMBER where the rules suggest RED.
	setClock(t, "2026-06-09 10:00")
	ok([]string{"saved: p-a: details changed: address, entry.accommodation, entry.crisis_plan, entry.crisis_plan_reviewed, entry.funding.education, entry.funding.health, entry.funding.social_care, entry.keyworker_referral, entry.mitigations, entry.placement, entry.section_117"},
		"register", "update-details", "p-a", example(t, "update-details.json"))
	ok([]string{"nothing saved"}, "register", "update-details", "p-a", example(t, "update-details.json"))
	ok([]string{"saved: p-a: crisis_team_episode on 2026-06-09 recorded"}, "register", "record", "p-a", example(t, "record.json"))
	ok([]string{"saved: p-a: circumstances reported from 2026-06-09: in_crisis, community_cannot_manage, placement_breakdown_risk"},
		"register", "report", "p-a", example(t, "report.json"))
	w.run(exitUsage, []string{"reason", "R-RAG-AGREED"}, "register", "agree", "p-a", "amber")
	ok([]string{"saved: p-a: rating AMBER agreed on 2026-06-09"}, "register", "agree", "p-a", "amber", "--reason", "Crisis plan in place; family supported nightly")

	// The list: p-a acts on AMBER (the rating of record), suggested RED.
	r = ok([]string{"Register on 2026-06-09: 2 people", "p-a", "AMBER (differs)", "North", "Coordinator One", "p-b", "South"}, "register", "list")
	if !regexpLine(r.stdout, `p-a\s+AMBER\s+RED\s+AMBER \(differs\)\s+North`) {
		t.Errorf("p-a's line does not read AMBER of record, RED suggested:\n%s", r.stdout)
	}
	r = ok([]string{"1 people"}, "register", "list", "--differ")
	if strings.Contains(r.stdout, "p-b") {
		t.Errorf("--differ lists p-b:\n%s", r.stdout)
	}
	ok([]string{"p-b"}, "register", "list", "--team", "south")
	r = ok([]string{"Alex Example"}, "register", "list", "--names")
	w.run(exitUsage, []string{"--names", "coordinator or admin"}, "register", "list", "--names", "--by", "v-1", "--role", "viewer")
	var entries []register.ListEntry
	r = ok(nil, "register", "list", "--json", "--rating", "amber")
	if err := json.Unmarshal([]byte(r.stdout), &entries); err != nil || len(entries) != 1 || entries[0].PersonID != "p-a" {
		t.Errorf("list --json --rating amber: %v %+v", err, entries)
	}

	// Show and find.
	ok([]string{"p-a: Alex Example", "NHS number 9991000038", "placement: out of area", "section 117 aftercare: yes",
		"funding: health 50%, social care 30%, education 20%", "mitigation: Crisis plan agreed with the family",
		"rating of record AMBER (suggested RED, agreed AMBER)", "consent for inclusion holds, given by parent",
		"R-RAG-AGREED", "Open actions:"}, "register", "show", "p-a", "--why", "weekly review")
	ok([]string{"1 found", "p-a"}, "register", "find", "--name", "  alex   EXAMPLE ")
	ok([]string{"1 found", "p-b"}, "register", "find", "--nhs", "999 100 0046")
	ok([]string{"0 found"}, "register", "find", "--name", "Nobody Here")
	ok([]string{"1 found", "p-a"}, "register", "find", "--id", "p-a")
	w.run(exitUsage, []string{"--nhs"}, "register", "find", "--nhs", "1234567890")

	// Wednesday: a community C(E)TR is held.
	setClock(t, "2026-06-10 14:00")
	ok([]string{"CETR"}, "review", "plan", example(t, "review-plan.json"))
	ok([]string{"saved: held on 2026-06-10 (stay_in_community)"}, "review", "hold", "rev-2026-001", example(t, "review-hold.json"))
	ok([]string{"saved: 2 recommendations, 2 open"}, "review", "recommend", "rev-2026-001", example(t, "review-recommend.json"))
	ok([]string{"saved: report sent"}, "review", "report", "rev-2026-001", example(t, "review-report.json"))
	ok([]string{"review_recommendation", "Coordinator One", "Commission an intensive support package at home"}, "register", "due", "--person", "p-a")

	// Friday morning: last night's Blue Light meeting is entered.
	setClock(t, "2026-06-12 08:30")
	ok([]string{"Blue Light meeting bl-2026-001 opened for p-a"}, "bluelight", "open", example(t, "bluelight-open.json"))
	ok([]string{"bl-2026-001 of p-a saved"}, "bluelight", "attend", "bl-2026-001", example(t, "bluelight-attend.json"))
	ok([]string{"bl-2026-001 of p-a saved"}, "bluelight", "step", "bl-2026-001", example(t, "bluelight-step.json"))
	ok([]string{"bl-2026-001 of p-a saved"}, "bluelight", "option", "bl-2026-001", example(t, "bluelight-option.json"))
	ok([]string{"escalate to the directors of commissioning (R-BL-ESC)"}, "bluelight", "close", "bl-2026-001", example(t, "bluelight-close.json"))
	ok([]string{"blue_light_escalation", "review_after_blue_light"}, "register", "due", "--person", "p-a")
	ok([]string{"escalation to Directors of commissioning, Example ICB and Borough North recorded at 2026-06-12 08:30"},
		"bluelight", "escalated", "bl-2026-001", example(t, "bluelight-escalated.json"))
	r = ok([]string{"review_after_blue_light"}, "register", "due", "--person", "p-a")
	if strings.Contains(r.stdout, "blue_light_escalation") {
		t.Errorf("the escalation is done but still due:\n%s", r.stdout)
	}
	// The rating the meeting agreed last night, entered now.
	w.run(exitUsage, []string{"at:", "in the future"}, "register", "agree", "p-a", "red", "--reason", "Blue Light meeting", "--at", "2026-06-13")
	w.run(exitUsage, []string{"at:", "before the person's previous record"}, "register", "agree", "p-a", "red", "--reason", "Blue Light meeting", "--at", "2026-06-01")
	ok([]string{"saved: p-a: rating RED agreed on 2026-06-11"}, "register", "agree", "p-a", "red", "--reason", "Blue Light meeting: no provider tonight", "--at", "2026-06-11T20:30:00+01:00")

	// p-b turned 18 on Wednesday: the adult register referral is overdue,
	// and ageing out is refused until it is recorded as made.
	ok([]string{"adult_register_referral", "R-REM-1", "yes, 2 days"}, "register", "due", "--person", "p-b", "--overdue")
	w.run(exitUsage, []string{"R-REM-1", "not recorded as made"}, "register", "remove", "p-b", "aged_out")
	ok([]string{"saved: p-b: referral to the adult register recorded as made on 2026-06-11 (R-REM-1)"}, "register", "referral-made", "p-b", "--at", "2026-06-11")
	r = ok(nil, "register", "due", "--person", "p-b")
	if strings.Contains(r.stdout, "adult_register_referral") {
		t.Errorf("the referral is made but still due:\n%s", r.stdout)
	}
	ok([]string{"saved: p-b removed from the register on 2026-06-12 (aged_out)"}, "register", "remove", "p-b", "aged_out")
	r = ok([]string{"1 people"}, "register", "list")
	if strings.Contains(r.stdout, "p-b") {
		t.Errorf("p-b is removed but listed:\n%s", r.stdout)
	}

	// The log holds together; the audit keeps when things happened and
	// when they were entered.
	ok([]string{"log verified"}, "register", "verify")
	r = ok([]string{"details updated: address, entry.accommodation"}, "register", "history", "p-a")
	if strings.Contains(r.stdout, "The Residential School") {
		t.Errorf("history's summary of a change of details carries the values:\n%s", r.stdout)
	}
	var audit []register.AuditEntry
	r = ok(nil, "register", "audit", "p-a", "--json", "--by", "admin-1", "--role", "admin")
	if err := json.Unmarshal([]byte(r.stdout), &audit); err != nil {
		t.Fatal(err)
	}
	backdated := slices.IndexFunc(audit, func(e register.AuditEntry) bool { return !e.Occurred.IsZero() })
	if backdated < 0 {
		t.Fatalf("the audit lacks the entry made after the fact:\n%s", r.stdout)
	}
	if e := audit[backdated]; !e.Occurred.Before(e.At) || calendar.DateOf(e.Occurred).String() != "2026-06-11" {
		t.Errorf("the entry made after the fact: occurred %s, entered %s", e.Occurred, e.At)
	}
}

// regexpLine reports whether a line of s matches the pattern.
func regexpLine(s, pattern string) bool {
	re := regexp.MustCompile(pattern)
	for _, line := range strings.Split(s, "\n") {
		if re.MatchString(line) {
			return true
		}
	}
	return false
}

// exampleCommand is the command an example file is the input of:
// review-plan.json is `review plan`, add-ageing-out.json `register add`.
func exampleCommand(file string) (group, cmd string) {
	base := strings.TrimSuffix(file, ".json")
	for _, g := range []string{"review", "bluelight"} {
		if c, ok := strings.CutPrefix(base, g+"-"); ok {
			return g, c
		}
	}
	if strings.HasPrefix(base, "add-") {
		return "register", "add"
	}
	return "register", base
}

// Every write command that takes JSON has a valid example in
// examples/register, named in its group's usage; every example is the
// input of a command, matches the schema 'dsr schema' prints for it, and
// is accepted (here and in TestCoordinatorsWeek).
func TestEveryWriteCommandHasAValidExample(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(exampleDir, "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no examples: %v", err)
	}
	usages := map[string]string{}
	for _, c := range commands {
		var b strings.Builder
		if c.usage != nil {
			c.usage(&b)
		}
		usages[c.name] = b.String()
	}
	have := map[string]bool{}
	schemas := map[string]string{"register refer": "referral", "register add": "details", "review": "review", "bluelight": "meeting"}
	for _, f := range files {
		name := filepath.Base(f)
		group, cmd := exampleCommand(name)
		have[group+" "+cmd] = true
		if !strings.Contains(usages[group], name) {
			t.Errorf("dsr %s -h does not name %s", group, name)
		}
		s := schemas[group+" "+cmd]
		if s == "" {
			s = schemas[group]
		}
		if s == "" {
			continue // an event or circumstances: their shape is the case schema's; the commands check them
		}
		sch, err := inputSchema(s)
		if err != nil {
			t.Fatal(err)
		}
		v, err := schema.NewValidator(sch)
		if err != nil {
			t.Fatal(err)
		}
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := v.Validate(raw); err != nil {
			t.Errorf("%s does not match dsr schema %s: %v", name, s, err)
		}
	}
	jsonWrites := map[string][]string{
		"register":  {"add", "record", "report", "update-details", "refer"},
		"review":    {"plan", "hold", "recommend", "report"},
		"bluelight": {"open", "attend", "step", "option", "fund", "close", "escalated"},
	}
	for group, cmds := range jsonWrites {
		for _, c := range cmds {
			if !have[group+" "+c] {
				t.Errorf("dsr %s %s has no example in %s", group, c, exampleDir)
			}
		}
	}
	for _, sub := range bluelightSubcommands {
		if strings.Contains(sub.args, "FILE") && !slices.Contains(jsonWrites["bluelight"], sub.name) {
			t.Errorf("bluelight %s takes JSON but is not in this test's table", sub.name)
		}
	}
	for _, sub := range reviewSubcommands {
		if strings.Contains(sub.args, "FILE") && !slices.Contains(jsonWrites["review"], sub.name) {
			t.Errorf("review %s takes JSON but is not in this test's table", sub.name)
		}
	}
	for _, sub := range registerSubcommands {
		if strings.Contains(sub.args, "FILE") && !slices.Contains(jsonWrites["register"], sub.name) {
			t.Errorf("register %s takes JSON but is not in this test's table", sub.name)
		}
	}

	// The funding example, which the week leaves out (its meeting ends
	// unsatisfactory for want of funding): funded, the meeting's funding
	// stop joins the worklist.
	w := &week{t: t, db: filepath.Join(t.TempDir(), "fund.db")}
	setClock(t, "2026-06-11 20:45")
	w.run(exitOK, nil, "register", "add", example(t, "add.json"))
	for _, step := range []string{"open", "attend", "step", "option", "fund", "close"} {
		args := []string{"bluelight", step}
		if step != "open" {
			args = append(args, "bl-2026-001")
		}
		w.run(exitOK, nil, append(args, example(t, "bluelight-"+step+".json"))...)
	}
	w.run(exitOK, []string{"blue_light_funding_stop"}, "register", "due", "--person", "p-a")
}

// R-INPUT-1 in the register: with an area's bundle that declares inputs,
// add and report take their values, the rules rate from them, and a value
// the bundle does not declare, or out of range, is refused naming the
// field, writing nothing.
func TestRegisterKeepsTheBundlesDeclaredInputs(t *testing.T) {
	db := filepath.Join(t.TempDir(), "inputs.db")
	policy := filepath.Join("..", "..", "examples", "policies", "weighted-items")
	staff := []string{"--db", db, "--policy", policy, "--by", "coord-1", "--role", "coordinator"}
	setClock(t, "2026-04-01 10:00")
	add := `{"person": {"id": "w-1", "nhs_number": "9991000062", "date_of_birth": "2010-05-05", "autism": true},
	  "circumstances": {"escalating_behaviour": true}, "inputs": {"self_harm": 1, "completed_by": "nurse"},
	  "events": [{"type": "consent_given", "date": "2026-01-05", "given_by": "parent"}]}`
	if r := runCLI(t, add, append([]string{"register", "add", "-"}, staff...)...); r.code != exitOK {
		t.Fatalf("add: exit %d: %s", r.code, r.stderr)
	}
	list := func() register.ListEntry {
		t.Helper()
		r := runCLI(t, "", append([]string{"register", "list", "--json"}, staff...)...)
		var out []register.ListEntry
		if err := json.Unmarshal([]byte(r.stdout), &out); err != nil || len(out) != 1 {
			t.Fatalf("list: %v %s %s", err, r.stdout, r.stderr)
		}
		return out[0]
	}
	if e := list(); e.Rating != dsr.Green {
		t.Errorf("a low score: %s, want GREEN", e.Rating)
	}
	before := logCount(t, db)
	for body, field := range map[string]string{
		`{"escalating_behaviour": true, "inputs": {"self_harm": 7}}`:    "inputs.self_harm",
		`{"escalating_behaviour": true, "inputs": {"shoe_size": 2}}`:    "inputs.shoe_size",
		`{"escalating_behaviour": true, "inputs": {"self_harm": true}}`: "inputs.self_harm",
	} {
		r := runCLI(t, body, append([]string{"register", "report", "w-1", "-"}, staff...)...)
		if r.code != exitUsage || !strings.Contains(r.stderr, field) || !strings.Contains(r.stderr, "R-INPUT-1") {
			t.Errorf("report %s: exit %d, want 2 naming %s (R-INPUT-1): %s", body, r.code, field, r.stderr)
		}
	}
	if logCount(t, db) != before {
		t.Fatal("a refused report wrote to the register")
	}
	high := `{"escalating_behaviour": true, "inputs": {"self_harm": 3, "harm_to_others": 3, "mental_health": 3,
	  "restrictive_practice": 2, "placement_stability": 2, "housing": 1, "completed_by": "multi_agency_meeting"}}`
	r := runCLI(t, high, append([]string{"register", "report", "w-1", "-"}, staff...)...)
	if r.code != exitOK || !strings.Contains(r.stdout, "self_harm=3") {
		t.Fatalf("report: exit %d: %s%s", r.code, r.stdout, r.stderr)
	}
	if e := list(); e.Rating != dsr.Red {
		t.Errorf("a high score reported: %s, want RED", e.Rating)
	}
}

// --decision-log on assess and on the register, then policy diff
// --replay: the log holds no NHS number, id or name, the bundle that made
// it reproduces every decision, and another reports each as not its own.
func TestDecisionLogAndReplay(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "decisions.jsonl")
	db := filepath.Join(dir, "r.db")
	setClock(t, "2026-06-09 10:00")
	if r := runCLI(t, "", "assess", "--decision-log", log, "../../examples/cases/red-child.json"); r.code != exitOK {
		t.Fatalf("assess: exit %d: %s", r.code, r.stderr)
	}
	staff := []string{"--db", db, "--by", "coord-1", "--role", "coordinator", "--decision-log", log}
	if r := runCLI(t, "", append([]string{"register", "add", example(t, "add.json")}, staff...)...); r.code != exitOK {
		t.Fatalf("add: exit %d: %s", r.code, r.stderr)
	}
	if r := runCLI(t, "", append([]string{"register", "due"}, staff...)...); r.code != exitOK {
		t.Fatalf("due: exit %d: %s", r.code, r.stderr)
	}
	raw, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(log); fi.Mode().Perm() != 0o600 {
		t.Errorf("the log is %v, want 0600", fi.Mode().Perm())
	}
	lines := strings.Count(string(raw), "\n")
	if lines < 2 {
		t.Fatalf("%d decisions logged:\n%s", lines, raw)
	}
	for _, needle := range []string{"9991000011", "9991000038", `"person-a"`, `"p-a"`, "Alex Example", "ZZ99 3VZ", "Coordinator One"} {
		if strings.Contains(string(raw), needle) {
			t.Errorf("the decision log holds %q", needle)
		}
	}
	r := runCLI(t, "", "policy", "diff", "national-2023", "examples-wiltshire-unused", "--replay", log)
	if r.code == exitOK {
		t.Fatalf("a missing NEW bundle: exit 0")
	}
	r = runCLI(t, "", "policy", "diff", "national-2023", "../../examples/policies/wiltshire", "--replay", log)
	want := "Replay: " + strconv.Itoa(lines) + " logged decisions; national-2023 reproduces " + strconv.Itoa(lines) + ", 0 mismatches"
	if r.code != exitOK || !strings.Contains(r.stdout, want) {
		t.Fatalf("replay under national-2023: exit %d, want %q:\n%s%s", r.code, want, r.stdout, r.stderr)
	}
	r = runCLI(t, "", "policy", "diff", "national-2017", "national-2023", "--replay", log)
	if r.code != exitOK || !strings.Contains(r.stdout, ", "+strconv.Itoa(lines)+" mismatches") || !strings.Contains(r.stdout, "logged by national-2023") {
		t.Fatalf("replay under national-2017: exit %d:\n%s%s", r.code, r.stdout, r.stderr)
	}
}
