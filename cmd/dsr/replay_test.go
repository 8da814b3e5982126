package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/dsrkit/dsrkit/policies/policydiff"
)

// The replay acceptance: a register of 10,000 synthetic people (1,000
// with -short or -race) logs an assessment of everyone it holds
// (`register due` on a day the worklist is not cached); the log replays
// under the same bundle with 0 mismatches, and under the Wiltshire
// overlay gives the counts `policy diff --register` gives over the same
// register on the same day: cases, changes, rating transitions, the
// breakdowns and every change's count and rules.
func TestReplayOfARegistersLogGivesTheRegistersCounts(t *testing.T) {
	n := 10_000
	if testing.Short() || raceOn {
		n = 1_000
	}
	dir := memoryTempDir(t)
	db, log := filepath.Join(dir, "r.db"), filepath.Join(dir, "decisions.jsonl")
	if r := runCLI(t, "", "demo", "--db", db, "--people", strconv.Itoa(n), "--quiet"); r.code != exitOK {
		t.Fatalf("demo: exit %d: %s", r.code, r.stderr)
	}
	const day = "2026-05-01"
	if r := runCLI(t, "", "register", "due", "--db", db, "--as-of", day, "--decision-log", log); r.code != exitOK {
		t.Fatalf("due: exit %d: %s", r.code, r.stderr)
	}
	fromRegister := diffJSON(t, "national-2023", wiltshireDir, "--register", db, "--as-of", day, "--quiet")
	held := fromRegister.Cases
	if held < n*9/10 {
		t.Fatalf("%d people held of %d loaded", held, n)
	}

	r := runCLI(t, "", "policy", "diff", "national-2023", "national-2023", "--replay", log, "--quiet")
	want := "Replay: " + strconv.Itoa(held) + " logged decisions; national-2023 reproduces " + strconv.Itoa(held) + ", 0 mismatches"
	if r.code != exitOK || !strings.HasPrefix(r.stdout, want+"\n") || !strings.Contains(r.stdout, " 0 changed, 0 lose protection") {
		t.Fatalf("replay under the same bundle: exit %d, want %q and nobody changed:\n%.600s\n%s", r.code, want, r.stdout, r.stderr)
	}

	r = runCLI(t, "", "policy", "diff", "--json", "national-2023", wiltshireDir, "--replay", log, "--quiet")
	if r.code != exitOK || !strings.Contains(r.stderr, want) {
		t.Fatalf("replay under Wiltshire: exit %d: %s", r.code, r.stderr)
	}
	var fromLog policydiff.Report
	if err := json.Unmarshal([]byte(r.stdout), &fromLog); err != nil {
		t.Fatal(err)
	}
	if fromLog.Changed == 0 || fromLog.LoseProtection.People == 0 {
		t.Fatalf("Wiltshire changes nobody: %+v", fromLog.Summary())
	}
	type counts struct {
		Cases, Assessed, Changed, Lose, Errors int
		AsOf                                   string
		Transitions                            []policydiff.Transition
		ByAge, ByRating                        []policydiff.Group
		Changes                                []string
	}
	of := func(rep policydiff.Report) counts {
		c := counts{rep.Cases, rep.Assessed, rep.Changed, rep.LoseProtection.People, rep.ErrorCount, rep.AsOf, rep.Transitions, rep.ByAgeBand, rep.ByRating, nil}
		for _, ch := range rep.Changes {
			var rules []string
			for _, rc := range ch.Rules {
				rules = append(rules, rc.Rule+"="+strconv.Itoa(rc.Count))
			}
			c.Changes = append(c.Changes, ch.Kind+" "+ch.What+" "+strconv.Itoa(ch.Count)+" "+strings.Join(rules, ","))
		}
		return c
	}
	if a, b := of(fromLog), of(fromRegister); !reflect.DeepEqual(a, b) {
		t.Errorf("the replayed log and the register give other counts:\nlog:      %+v\nregister: %+v", a, b)
	}
	if fromLog.AsOf != day {
		t.Errorf("the replay's as_of %q, want %s", fromLog.AsOf, day)
	}
}

// memoryTempDir is a temporary directory in memory (/dev/shm) where the
// system has one, else t.TempDir(): a register of 10,000 people builds in
// a third of the time there.
func memoryTempDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("/dev/shm", "dsr-replay-")
	if err != nil {
		return t.TempDir()
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}
