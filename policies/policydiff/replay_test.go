package policydiff_test

import (
	"bytes"
	"context"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/policies"
	"github.com/dsrkit/dsrkit/policies/policycheck"
	"github.com/dsrkit/dsrkit/policies/policydiff"
)

// A decision log of generated assessments replays under the bundle that
// made it with no mismatch, and a diff over its inputs gives the report a
// diff over the same cases gives; under another bundle every record is
// reported as not its own. The log holds no NHS number, postcode, local id
// or free text.
func TestDecisionLogReplays(t *testing.T) {
	ctx := context.Background()
	n := 10_000
	if testing.Short() || raceOn {
		n = 500
	}
	var buf bytes.Buffer
	log := policies.NewJSONLinesLog(&buf)
	fsys, err := policies.Bundle("national-2023-cel")
	if err != nil {
		t.Fatal(err)
	}
	logged, err := policies.Load(ctx, fsys, policies.WithDecisionLogger(log))
	if err != nil {
		t.Fatal(err)
	}
	g := policycheck.NewGenerator(policycheck.DefaultMix, 3)
	cases := make([]dsr.Case, n)
	for i := range cases {
		cases[i] = g.Case(i)
		cases[i].Person.Postcode = "ZZ99 3VZ"
		if len(cases[i].Events) > 0 {
			cases[i].Events[0].Reason = "free text about Person Synthetic"
		}
		if _, err := logged.Assess(ctx, cases[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := log.Err(); err != nil {
		t.Fatal(err)
	}
	raw := buf.String()
	for _, c := range cases[:50] {
		for _, needle := range []string{string(c.Person.NHSNumber), `"` + c.Person.ID + `"`, "ZZ99 3VZ", "Person Synthetic"} {
			if strings.Contains(raw, needle) {
				t.Fatalf("the log holds %q", needle)
			}
		}
	}
	recs, err := policies.ReadDecisionLog(strings.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != n {
		t.Fatalf("%d records, want %d", len(recs), n)
	}

	// The same bundle (a new engine, no log) reproduces every decision.
	same, err := policies.Load(ctx, fsys)
	if err != nil {
		t.Fatal(err)
	}
	mism, err := policydiff.Reproduce(ctx, same, recs)
	if err != nil {
		t.Fatal(err)
	}
	if len(mism) != 0 {
		t.Fatalf("%d mismatches under the bundle that made the log, the first: %+v", len(mism), mism[0])
	}

	// A diff over the log's inputs is the diff over the cases themselves.
	wiltshire, err := policies.Load(ctx, os.DirFS("../../examples/policies/wiltshire"))
	if err != nil {
		t.Fatal(err)
	}
	fromLog, err := policydiff.Run(ctx, same, wiltshire, policydiff.Replay{Records: recs}, policydiff.Options{})
	if err != nil {
		t.Fatal(err)
	}
	fromCases, err := policydiff.Run(ctx, same, wiltshire, policydiff.Cases{List: cases}, policydiff.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if fromLog.Changed == 0 || fromLog.Changed != fromCases.Changed || !reflect.DeepEqual(fromLog.Transitions, fromCases.Transitions) {
		t.Errorf("from the log: %d changed %v; from the cases: %d changed %v", fromLog.Changed, fromLog.Transitions, fromCases.Changed, fromCases.Transitions)
	}

	// Another bundle did not make the log: every record says so.
	if mism, err = policydiff.Reproduce(ctx, wiltshire, recs); err != nil {
		t.Fatal(err)
	}
	if len(mism) != n || !strings.Contains(mism[0].Why, "logged by national-2023-cel") {
		t.Errorf("%d mismatches under wiltshire, want %d naming the bundle that logged: %+v", len(mism), n, mism[:min(len(mism), 1)])
	}
}
