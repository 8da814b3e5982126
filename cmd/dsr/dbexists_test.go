package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dsrkit/dsrkit/calendar"
)

// A mistyped --db is caught: every register, review and bluelight command
// (walked from the command table) refuses a register file that does not
// exist, naming it, exit 2, and creates nothing.
func TestCommandsRefuseARegisterFileThatDoesNotExist(t *testing.T) {
	dir := t.TempDir()
	tables := map[string][]subcommand{"register": registerSubcommands, "review": reviewSubcommands, "bluelight": bluelightSubcommands}
	positional := map[string]string{"ID": "a", "FILE|-": "-", "RATING": "red", "REASON": "died", "OUTCOME": "accept"}
	flags := map[string][]string{"register find": {"--id", "a"}, "register decide": {"--reasons", "r", "--next-steps", "n"}, "register export": {"--mapping", "nhse"}}
	bodies := map[string]string{
		"register record":         `{"type": "review_held", "kind": "community", "date": "2026-03-01"}`,
		"register report":         `{"in_crisis": true}`,
		"register refer":          `{"id": "req-1", "source": "family", "received": "2026-03-01"}`,
		"register update-details": `{"name": "A Person"}`,
		"review plan":             `{"id": "rev-1", "person_id": "a", "kind": "community", "planned": "2026-04-01"}`,
		"review hold":             `{"held": "2026-04-01", "outcome": "stay_in_community"}`,
		"review recommend":        `{"who": "E", "what": "x", "due": "2026-04-09"}`,
		"review report":           `{"sent": "2026-04-01"}`,
		"bluelight open":          `{"id": "bl-1", "person_id": "a", "call_at": "2026-04-01T10:00:00Z"}`,
		"bluelight attend":        `{"role": "family"}`, "bluelight step": `{"step": "introduction"}`,
		"bluelight option": `{}`, "bluelight fund": `{"support": "s"}`, "bluelight close": `{"closed_at": "2026-04-01T11:00:00Z"}`,
		"bluelight escalated": `{"at": "2026-04-01T12:00:00Z", "to": "directors of commissioning"}`,
	}
	tested := 0
	for _, group := range commands {
		if group.name != "register" && group.name != "review" && group.name != "bluelight" {
			continue
		}
		for _, sub := range group.subs {
			name := group.name + " " + sub.name
			if name == "register add" || name == "register refer" || name == "register import" {
				continue // they create the register: below (import: transfer_test.go)
			}
			db := filepath.Join(dir, strings.ReplaceAll(name, " ", "-")+".db")
			argv := []string{group.name, sub.name}
			i := slices.IndexFunc(tables[group.name], func(c subcommand) bool { return c.name == sub.name })
			if i < 0 {
				t.Fatalf("%s is not in its group's subcommand table", name)
			}
			for _, a := range strings.Fields(tables[group.name][i].args) {
				argv = append(argv, positional[a])
			}
			argv = append(argv, flags[name]...)
			r := runCLI(t, bodies[name], append(argv, "--db", db, "--by", "staff-1", "--role", "coordinator")...)
			if r.code != exitUsage || !strings.Contains(r.stderr, db) || !strings.Contains(r.stderr, "no such register file") {
				t.Errorf("%s with a missing --db: exit %d, want %d naming %s: %s", name, r.code, exitUsage, db, r.stderr)
			}
			if _, err := os.Stat(db); err == nil {
				t.Errorf("%s created %s", name, db)
			}
			tested++
		}
	}
	if tested < 24 {
		t.Fatalf("tested %d commands, want every register, review and bluelight command but add", tested)
	}
}

// register add creates a missing register and says so; a refused first
// person leaves no file behind.
func TestRegisterAddCreatesTheRegisterAndSaysSo(t *testing.T) {
	dir := t.TempDir()
	today := calendar.DateOf(time.Now())
	person := fmt.Sprintf(`{"person": {"id": "a", "nhs_number": "9990000018", "date_of_birth": "1990-05-05", "learning_disability": true},
	  "events": [{"type": "consent_given", "date": %q, "given_by": "self"}]}`, today.AddDays(-1))
	staff := []string{"--by", "staff-1", "--role", "coordinator"}

	refused := filepath.Join(dir, "refused.db")
	noConsent := `{"person": {"id": "a", "date_of_birth": "1990-05-05", "learning_disability": true}}`
	if r := runCLI(t, noConsent, append([]string{"register", "add", "-", "--db", refused}, staff...)...); r.code != exitFailure {
		t.Fatalf("add without consent: exit %d: %s", r.code, r.stderr)
	}
	for _, f := range []string{refused, refused + "-wal", refused + "-shm"} {
		if _, err := os.Stat(f); err == nil {
			t.Errorf("a refused first add left %s", f)
		}
	}

	db := filepath.Join(dir, "new.db")
	r := runCLI(t, person, append([]string{"register", "add", "-", "--db", db}, staff...)...)
	if r.code != exitOK || !strings.Contains(r.stderr, "created the register "+db) {
		t.Fatalf("add to a new register: exit %d: %s", r.code, r.stderr)
	}
	if _, err := os.Stat(db); err != nil {
		t.Fatal(err)
	}
	other := strings.Replace(strings.Replace(person, `"a"`, `"b"`, 1), "9990000018", "9990000026", 1)
	r = runCLI(t, other, append([]string{"register", "add", "-", "--db", db}, staff...)...)
	if r.code != exitOK || strings.Contains(r.stderr, "created") {
		t.Fatalf("add to the existing register: exit %d: %s", r.code, r.stderr)
	}
}
