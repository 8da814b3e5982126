package sqlitestore

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/dsrkit/dsrkit/register"
	"github.com/dsrkit/dsrkit/register/storetest"
)

// crashEnv names the database a child test process writes to and then
// dies in the middle of an append, as a power cut would.
const crashEnv = "DSRKIT_SQLITESTORE_CRASH_DB"

func TestMain(m *testing.M) {
	if dir := os.Getenv(rekeyEnv); dir != "" {
		rekeyChild(dir)
	}
	if file := os.Getenv(crashEnv); file != "" {
		crashDuringAppend(file)
		os.Exit(1) // not reached: crashDuringAppend exits with 3
	}
	os.Exit(m.Run())
}

func crashDuringAppend(file string) {
	s, err := Open(context.Background(), file)
	if err != nil {
		os.Exit(2)
	}
	s.failpoint = func(stage string) error {
		if stage == "commit" {
			os.Exit(3) // the records are written, the transaction is not committed
		}
		return nil
	}
	s.Append(context.Background(), register.AppendRequest{Chain: storetest.TestChain, Stream: "person/a", Expected: 2,
		Records: []register.Record{storetest.Rec("admitted", storetest.At, "lost"), storetest.Rec("discharged", storetest.At, "lost too")}})
	os.Exit(4)
}

func seed(t *testing.T, file string) {
	t.Helper()
	s, err := Open(context.Background(), file)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Append(context.Background(), register.AppendRequest{Chain: storetest.TestChain, Stream: "person/a", NewKey: storetest.Key(1),
		Records: []register.Record{storetest.Rec("person_added", storetest.At, "a1"), storetest.Rec("consent_given", storetest.At, "a2")}}); err != nil {
		t.Fatal(err)
	}
}

func checkAfterCrash(t *testing.T, file string) {
	t.Helper()
	s, err := Open(context.Background(), file)
	if err != nil {
		t.Fatalf("reopening after the crash: %v", err)
	}
	defer s.Close()
	if n := storetest.CheckChain(t, s); n != 2 {
		t.Fatalf("log has %d records after the crash, want the 2 committed before it", n)
	}
	st, err := s.Stream(context.Background(), "person/a")
	if err != nil || st.Version != 2 {
		t.Fatalf("stream after the crash: version %d, %v", st.Version, err)
	}
	// The register carries on from where the last commit left it.
	if _, err := s.Append(context.Background(), register.AppendRequest{Chain: storetest.TestChain, Stream: "person/a", Expected: 2,
		Records: []register.Record{storetest.Rec("admitted", storetest.At, "a3")}}); err != nil {
		t.Fatalf("append after the crash: %v", err)
	}
	if n := storetest.CheckChain(t, s); n != 3 {
		t.Fatalf("log has %d records, want 3", n)
	}
}

func TestAProcessKilledBetweenAppendAndCommitLeavesTheLogConsistent(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: this test re-runs the test binary as a child process and kills it mid-commit; CI runs it")
	}
	file := filepath.Join(t.TempDir(), "register.db")
	seed(t, file)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), crashEnv+"="+file)
	err := cmd.Run()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 3 {
		t.Fatalf("child did not die mid-append: %v", err)
	}
	checkAfterCrash(t, file)
}

func TestAnAppendThatFailsMidTransactionWritesNothing(t *testing.T) {
	for _, stage := range []string{"record", "commit"} {
		t.Run("fails at "+stage, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "register.db")
			seed(t, file)
			s, err := Open(context.Background(), file)
			if err != nil {
				t.Fatal(err)
			}
			boom := errors.New("disk pulled")
			s.failpoint = func(st string) error {
				if st == stage {
					return boom
				}
				return nil
			}
			_, err = s.Append(context.Background(), register.AppendRequest{Chain: storetest.TestChain, Stream: "person/a", Expected: 2, DestroyKey: true,
				Records: []register.Record{storetest.Rec("admitted", storetest.At, "x"), storetest.Rec("discharged", storetest.At, "y")}})
			if !errors.Is(err, boom) {
				t.Fatalf("err %v, want the failure", err)
			}
			st, _ := s.Stream(context.Background(), "person/a")
			if st.KeyDestroyed || len(st.Key) != 32 {
				t.Fatal("a failed append destroyed the key")
			}
			s.Close()
			checkAfterCrash(t, file)
		})
	}
}
