package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"runtime/debug"
	"sync"
	"testing"
	"time"

	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/register"
)

// The board rates everyone on the day before the quarter rather than
// assessing them (report.BoardOptions.AssessStart off, the default): over
// a demo register of people added on 30 June 2026 (so on the register at
// the start of the third quarter, as in BenchmarkReportBoard10000), with
// the Rego and the CEL bundle, for the third quarter and the fourth, in
// progress on the command's 15 October, the board is the same JSON either
// way; and each person's ratings on those days and others, exactly, are
// those of an assessment.
func TestReportBoardRatingTheQuarterStartChangesNothing(t *testing.T) {
	t.Setenv("DSR_BY", "staff-1")
	t.Setenv("DSR_ROLE", "coordinator")
	db := filepath.Join(t.TempDir(), "demo.db")
	t.Setenv("DSR_KEY_FILE", filepath.Join(t.TempDir(), "demo.key"))
	if r := runCLI(t, "", "demo", "--db", db, "--people", "300", "--as-of", "2026-06-30"); r.code != exitOK {
		t.Fatalf("demo: exit %d: %s", r.code, r.stderr)
	}
	old := cliNow
	cliNow = func() time.Time { return day("2026-10-15").Start().Add(9 * time.Hour) }
	t.Cleanup(func() { cliNow = old })
	ctx := context.Background()
	for _, policy := range []string{"national-2023", "national-2023-cel"} {
		t.Run(policy, func(t *testing.T) {
			for _, q := range []string{"2026Q3", "2026Q4"} {
				boards := map[bool]string{}
				for _, assess := range []bool{true, false} {
					// Assessing the start with the runtime's collector, as
					// before; rating it with the command's (tuneGC).
					boardAssessStart = assess
					if assess {
						boardGCPercent = 0
					}
					r := runCLI(t, "", "report", "board", "--quarter", q, "--db", db, "--policy", policy, "--format", "json")
					boardAssessStart, boardGCPercent = false, defaultBoardGC
					if r.code != exitOK {
						t.Fatalf("report board %s (assess the start %v): exit %d: %s", q, assess, r.code, r.stderr)
					}
					boards[assess] = r.stdout
				}
				if boards[true] != boards[false] {
					t.Errorf("%s: the board rating the quarter's start differs from the board assessing it\nassessed: %.2000s\nrated:    %.2000s", q, boards[true], boards[false])
				}
				var b struct {
					Movement struct {
						Rows []struct {
							Label string          `json:"label"`
							Total json.RawMessage `json:"total"`
						} `json:"rows"`
					} `json:"movement"`
				}
				if err := json.Unmarshal([]byte(boards[false]), &b); err != nil {
					t.Fatal(err)
				}
				rated := 0
				for _, row := range b.Movement.Rows[1:] { // after "Not on the register"
					if s := string(row.Total); s != "0" && s != `"*"` {
						rated++
					}
				}
				if rated < 3 {
					t.Errorf("%s: people at the start in %d ratings only: too few for the comparison to tell (%s)", q, rated, boards[false])
				}
			}

			// With --decision-log, the board logs an assessment of
			// everyone on the register on the day before the quarter and
			// on its last day, as it did (a rating alone is not logged).
			log := filepath.Join(t.TempDir(), "decisions.jsonl")
			if r := runCLI(t, "", "report", "board", "--quarter", "2026Q4", "--db", db, "--policy", policy, "--format", "json", "--decision-log", log); r.code != exitOK {
				t.Fatalf("report board --decision-log: exit %d: %s", r.code, r.stderr)
			}
			raw, err := os.ReadFile(log)
			if err != nil {
				t.Fatal(err)
			}
			if n := bytes.Count(raw, []byte("\n")); n < 2*250 {
				t.Errorf("the decision log of the board has %d assessments, want two for each of the people on the register", n)
			}

			reg, store, _, err := openRegister(ctx, db, policy, nil, "", io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			defer store.Close()
			days := []calendar.Date{day("2026-06-30"), day("2026-08-14"), day("2026-09-30"), day("2026-10-15"), day("2027-03-31")}
			var mu sync.Mutex // Scan calls in parallel
			ratings := map[dsr.Rating]int{}
			err = reg.Scan(ctx, func(s *register.Scanned) error {
				for _, d := range days {
					on, err := s.On(ctx, d)
					if err != nil {
						return err
					}
					rated, err := s.RatingOn(ctx, d)
					if err != nil {
						return err
					}
					on.Items = nil
					if !reflect.DeepEqual(on, rated) {
						t.Errorf("on %s: RatingOn %+v, On %+v", d, rated, on)
					}
					mu.Lock()
					ratings[rated.RatingOfRecord]++
					mu.Unlock()
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(ratings) < 4 {
				t.Errorf("the demo register's ratings of record %v: too few to compare", ratings)
			}
		})
	}
}

func day(s string) calendar.Date { return calendar.MustParseDate(s) }

var defaultBoardGC = boardGCPercent

// tuneGC sets the collector's target and soft memory limit for the board,
// and puts back what was there; with GOGC set it changes nothing.
func TestTuneGCPutsTheCollectorBack(t *testing.T) {
	gc := debug.SetGCPercent(150)
	limit := debug.SetMemoryLimit(1 << 40)
	t.Cleanup(func() { debug.SetGCPercent(gc); debug.SetMemoryLimit(limit) })
	t.Setenv("GOGC", "")
	t.Setenv("GOMEMLIMIT", "")
	restore := tuneGC()
	if got := gcPercent(); got != boardGCPercent {
		t.Errorf("while the board is built: GC percent %d, want %d", got, boardGCPercent)
	}
	if got := debug.SetMemoryLimit(-1); got != boardMemoryLimit { // -1 reads it
		t.Errorf("while the board is built: memory limit %d, want %d", got, boardMemoryLimit)
	}
	restore()
	if got := gcPercent(); got != 150 {
		t.Errorf("after: GC percent %d, want 150 back", got)
	}
	if got := debug.SetMemoryLimit(-1); got != 1<<40 {
		t.Errorf("after: memory limit %d, want %d back", got, int64(1<<40))
	}
	t.Setenv("GOGC", "100")
	tuneGC()()
	if got := gcPercent(); got != 150 {
		t.Errorf("with GOGC set: GC percent %d, want 150 untouched", got)
	}
}

// gcPercent reads the collector's target (SetGCPercent sets to read).
func gcPercent() int {
	p := debug.SetGCPercent(100)
	debug.SetGCPercent(p)
	return p
}
