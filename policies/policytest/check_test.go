package policytest_test

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/policies"
	"github.com/dsrkit/dsrkit/policies/policycheck"
	"github.com/dsrkit/dsrkit/policies/policytest"
)

func load(t testing.TB, name string) *policies.Engine {
	t.Helper()
	var fsys = os.DirFS(filepath.Join("..", "policycheck", "testdata", name))
	if b, err := policies.Bundle(name); err == nil {
		fsys = b
	}
	e, err := policies.Load(context.Background(), fsys)
	if err != nil {
		t.Fatalf("loading %s: %v", name, err)
	}
	return e
}

// The national bundle keeps every invariant of the library.
func TestNationalKeepsEveryInvariant(t *testing.T) {
	policytest.Check(t, load(t, policies.DefaultBundle))
}

// recorder is a rapid.TB that records what a failing Check reports
// instead of failing the test that runs it.
type recorder struct {
	mu     sync.Mutex
	log    strings.Builder
	failed bool
}

func (r *recorder) Helper()      {}
func (r *recorder) Name() string { return "TestWrongOverlay" }
func (r *recorder) Logf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	fmt.Fprintf(&r.log, format+"\n", args...)
}
func (r *recorder) Log(args ...any)                   { r.Logf("%s", fmt.Sprint(args...)) }
func (r *recorder) Skipf(format string, args ...any)  { r.Logf(format, args...); runtime.Goexit() }
func (r *recorder) Skip(args ...any)                  { r.Log(args...); runtime.Goexit() }
func (r *recorder) SkipNow()                          { runtime.Goexit() }
func (r *recorder) Errorf(format string, args ...any) { r.Logf(format, args...); r.Fail() }
func (r *recorder) Error(args ...any)                 { r.Log(args...); r.Fail() }
func (r *recorder) Fatalf(format string, args ...any) { r.Errorf(format, args...); r.FailNow() }
func (r *recorder) Fatal(args ...any)                 { r.Error(args...); r.FailNow() }
func (r *recorder) FailNow()                          { r.Fail(); runtime.Goexit() }
func (r *recorder) Fail() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.failed = true
}
func (r *recorder) Failed() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.failed
}

// checkRecorded runs Check on its own goroutine (FailNow ends it) and
// returns what it reported.
func checkRecorded(t *testing.T, e *policies.Engine) (failed bool, log string) {
	t.Helper()
	// A deliberate failure must not leave a rapid fail file behind, and
	// may shrink for longer than rapid's default on a loaded machine.
	for name, value := range map[string]string{"rapid.nofailfile": "true", "rapid.shrinktime": "60s"} {
		if f := flag.Lookup(name); f != nil {
			old := f.Value.String()
			flag.Set(name, value)
			defer flag.Set(name, old)
		}
	}
	r := &recorder{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		policytest.Check(r, e)
	}()
	<-done
	return r.Failed(), r.log.String()
}

// A deliberately wrong rule change is caught with a shrunk counterexample
// that `dsr assess` accepts, and the counterexample really breaks the
// invariant named.
func TestCheckCatchesAWrongOverlay(t *testing.T) {
	for _, tc := range []struct {
		bundle, invariant string
		breaks            func(c dsr.Case, a dsr.Assessment) bool
	}{
		// R-RAG-BLUE: an eligible inpatient rated AMBER.
		{"wrong-inpatient-amber", "blue-iff-inpatient", func(c dsr.Case, a dsr.Assessment) bool {
			return a.Eligible && dsr.Derive(&c).Inpatient && a.Rating == dsr.Amber
		}},
		// R-CONS-1: valid consent, and so a place on the register, with no
		// consent on record.
		{"wrong-consent-assumed", "consent-gate", func(c dsr.Case, a dsr.Assessment) bool {
			f := dsr.Derive(&c)
			return a.Consent.Valid && (len(f.Consent) == 0 || f.Consent[len(f.Consent)-1].Withdrawn)
		}},
	} {
		t.Run(tc.bundle, func(t *testing.T) {
			e := load(t, tc.bundle)
			failed, log := checkRecorded(t, e)
			if !failed {
				t.Fatalf("Check passed a wrong overlay; log:\n%s", log)
			}
			if !strings.Contains(log, "invariant "+tc.invariant+" failed") {
				t.Fatalf("Check did not name invariant %s; log:\n%s", tc.invariant, log)
			}
			c, err := policycheck.CaseFromReport(log)
			if err != nil {
				t.Fatalf("the counterexample does not decode with dsr.UnmarshalCase: %v\nlog:\n%s", err, log)
			}
			a, err := e.Assess(context.Background(), c)
			if err != nil {
				t.Fatal(err)
			}
			if !tc.breaks(c, a) {
				t.Errorf("the counterexample does not break %s: %+v", tc.invariant, a)
			}
			// Shrunk: rapid simplifies towards the fewest events and facts.
			if len(c.Events) > 3 {
				t.Errorf("counterexample has %d events; want a shrunk case", len(c.Events))
			}
			t.Logf("counterexample:\n%s", log[strings.Index(log, "invariant "):])
		})
	}
}
