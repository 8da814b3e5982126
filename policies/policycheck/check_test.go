package policycheck_test

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/dsrkit/dsrkit/policies"
	"github.com/dsrkit/dsrkit/policies/policycheck"
)

func load(t testing.TB, name string) *policies.Engine {
	t.Helper()
	var fsys = os.DirFS(filepath.Join("testdata", name))
	if b, err := policies.Bundle(name); err == nil {
		fsys = b
	}
	e, err := policies.Load(context.Background(), fsys)
	if err != nil {
		t.Fatalf("loading %s: %v", name, err)
	}
	return e
}

// Run (dsr policy test's runner) catches the same overlays, shrinks the
// counterexample, and reports the same on every run.
func TestRunCatchesAWrongOverlay(t *testing.T) {
	for bundle, invariant := range map[string]string{
		"wrong-inpatient-amber": "blue-iff-inpatient",
		"wrong-consent-assumed": "consent-gate",
	} {
		e := load(t, bundle)
		rep := policycheck.Run(e, 200, 7)
		if rep.OK() || rep.Failed[invariant] == 0 {
			t.Fatalf("%s: Run found no %s failure: %+v", bundle, invariant, rep.Failed)
		}
		f := rep.Failures[0]
		c, err := policycheck.CaseFromReport(f.String())
		if err != nil {
			t.Fatalf("%s: %v", bundle, err)
		}
		if len(c.Events) > 3 {
			t.Errorf("%s: shrunk counterexample has %d events", bundle, len(c.Events))
		}
		again := policycheck.Run(e, 200, 7)
		if !reflect.DeepEqual(rep.Failed, again.Failed) || again.Failures[0].Index != f.Index {
			t.Errorf("%s: two runs with one seed differ: %v / %v", bundle, rep.Failed, again.Failed)
		}
	}
}

func TestRunNationalIsClean(t *testing.T) {
	rep := policycheck.Run(load(t, policies.DefaultBundle), 200, 1)
	for _, f := range rep.Failures {
		t.Errorf("%s", f)
	}
}
