package sqlitestore

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/register"
)

// rekeyEnv names the directory of a register that a child test process
// rekeys, from whichever of its two key files opens it to the other, slowly
// enough (a pause per stream) to be killed in the middle.
const rekeyEnv = "DSRKIT_SQLITESTORE_REKEY_DIR"

// consentGate stands in for a policy bundle: consent always holds.
type consentGate struct{}

func (consentGate) Assess(_ context.Context, c dsr.Case) (dsr.Assessment, error) {
	return dsr.Assessment{AsOf: c.AsOf, Consent: dsr.ConsentDecision{Valid: true}, Eligible: true, OnRegister: true}, nil
}

func rekeyPerson(i int) register.NewPerson {
	return register.NewPerson{
		Details: register.Details{Person: dsr.Person{ID: fmt.Sprintf("k%03d", i), NHSNumber: dsr.TestNHSNumber(7000 + i),
			DateOfBirth: calendar.MustParseDate("1990-01-01"), Autism: true}},
		Events: []dsr.Event{{Type: dsr.EventConsentGiven, Date: calendar.MustParseDate("2026-03-02"), GivenBy: dsr.BySelf}},
	}
}

// openEither opens the register in dir with key file a or b, whichever is
// its key now, and says which.
func openEither(ctx context.Context, s *Store, dir string) (*register.Register, string, error) {
	var errs []error
	for _, name := range []string{"a.key", "b.key"} {
		w, err := register.OpenKeyFile(filepath.Join(dir, name))
		if err != nil {
			return nil, "", err
		}
		reg, err := register.Open(ctx, s, consentGate{}, register.WithKeys(w),
			register.WithCheckpoints(register.FileCheckpoints(filepath.Join(dir, "register.checkpoint"))))
		if err == nil {
			return reg, name, nil
		}
		if !errors.Is(err, register.ErrNoKey) {
			return nil, "", err
		}
		errs = append(errs, err)
	}
	return nil, "", errors.Join(errs...)
}

func rekeyChild(dir string) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(dir, "register.db"))
	if err != nil {
		os.Exit(2)
	}
	reg, name, err := openEither(ctx, s, dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	next := map[string]string{"a.key": "b.key", "b.key": "a.key"}[name]
	w, err := register.OpenKeyFile(filepath.Join(dir, next))
	if err != nil {
		os.Exit(2)
	}
	s.failpoint = func(stage string) error {
		time.Sleep(2 * time.Millisecond)
		return nil
	}
	fmt.Println("rekeying")
	if err := reg.Rekey(ctx, w); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	os.Exit(0)
}

// TestARekeyKilledAtRandomPointsLeavesEveryoneReadable kills a rekeying
// child process with SIGKILL at random points, 24 times, and checks after
// each that the register opens with one of the two keys, verifies clean,
// and every person's details read.
func TestARekeyKilledAtRandomPointsLeavesEveryoneReadable(t *testing.T) {
	const people, kills = 60, 24
	ctx := context.Background()
	dir := t.TempDir()
	for _, name := range []string{"a.key", "b.key"} {
		if _, err := register.CreateKeyFile(filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	s, err := Open(ctx, filepath.Join(dir, "register.db"))
	if err != nil {
		t.Fatal(err)
	}
	reg, _, err := openEither(ctx, s, dir)
	if err != nil {
		t.Fatal(err)
	}
	staff := register.Actor{ID: "staff-1", Role: "admin"}
	for i := range people {
		if err := reg.Add(ctx, rekeyPerson(i), staff); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 12))
	outcomes := map[string]int{}
	for k := range kills {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), rekeyEnv+"="+dir)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		line, _ := bufio.NewReader(out).ReadString('\n')
		if line != "rekeying\n" {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("kill %d: the child did not start rekeying (%q)", k, line)
		}
		// A rekey of 60 streams takes about 120 ms; kill anywhere in it,
		// or just after.
		time.Sleep(time.Duration(rng.IntN(160)) * time.Millisecond)
		cmd.Process.Signal(syscall.SIGKILL)
		err = cmd.Wait()
		var exit *exec.ExitError
		switch {
		case err == nil:
			outcomes["finished"]++
		case errors.As(err, &exit) && !exit.Exited():
			outcomes["killed"]++
		default:
			t.Fatalf("kill %d: the child failed: %v", k, err)
		}
		s, err := Open(ctx, filepath.Join(dir, "register.db"))
		if err != nil {
			t.Fatalf("kill %d: reopening: %v", k, err)
		}
		reg, name, err := openEither(ctx, s, dir)
		if err != nil {
			t.Fatalf("kill %d: the register opens with neither key: %v", k, err)
		}
		outcomes[name]++
		if err := reg.Verify(ctx); err != nil {
			t.Fatalf("kill %d: %v", k, err)
		}
		for i := range people {
			if _, err := reg.Details(ctx, rekeyPerson(i).Person.ID, register.Actor{ID: "staff-1", Role: "admin"}); err != nil {
				t.Fatalf("kill %d: person %d unreadable: %v", k, i, err)
			}
		}
		s.Close()
	}
	t.Logf("outcomes: %v", outcomes)
	if outcomes["killed"] < kills/4 {
		t.Fatalf("only %d of %d children were killed mid-way: the test is blind (%v)", outcomes["killed"], kills, outcomes)
	}
}
