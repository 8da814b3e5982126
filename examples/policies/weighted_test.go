package policies_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"pgregory.net/rapid"

	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/policies"
	"github.com/dsrkit/dsrkit/policies/policycheck"
	"github.com/dsrkit/dsrkit/policies/policytest"
)

// The weighted-items overlay (an area rating tool over declared inputs,
// R-INPUT-1) is written twice, in Rego (weighted-items) and in CEL
// (weighted-items-cel); these tests prove the twins alike and the rule
// monotone.

func loadDir(t testing.TB, dir string) *policies.Engine {
	t.Helper()
	e, err := policies.Load(context.Background(), os.DirFS(dir))
	if err != nil {
		t.Fatalf("loading %s: %v", dir, err)
	}
	return e
}

// weightedMix draws the overlay's declared inputs, and circumstances often
// enough that many people are eligible and rated.
func weightedMix(e *policies.Engine) policycheck.Mix {
	mix := policycheck.DefaultMix
	mix.Inputs = e.Inputs()
	mix.PCircumstance = 0.3
	return mix
}

// TestWeightedItemsTwinsDeclareTheSame: the twins declare the same inputs
// and parameters, and carry the same scenario folders.
func TestWeightedItemsTwinsDeclareTheSame(t *testing.T) {
	r, c := loadDir(t, "weighted-items"), loadDir(t, "weighted-items-cel")
	if !reflect.DeepEqual(r.Inputs(), c.Inputs()) {
		t.Errorf("the twins declare different inputs:\nrego %+v\ncel  %+v", r.Inputs(), c.Inputs())
	}
	if n := len(r.Inputs()); n != 21 {
		t.Errorf("weighted-items declares %d inputs, want 19 items, a bool and an enum", n)
	}
	for _, f := range []string{"params/data.json"} {
		a, errA := os.ReadFile(filepath.Join("weighted-items", f))
		b, errB := os.ReadFile(filepath.Join("weighted-items-cel", f))
		if errA != nil || errB != nil || !bytes.Equal(a, b) {
			t.Errorf("%s differs between the twins (%v, %v)", f, errA, errB)
		}
	}
	files := func(dir string) map[string]string {
		m := map[string]string{}
		root := filepath.Join(dir, "testdata", "scenarios")
		err := fs.WalkDir(os.DirFS(root), ".", func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := os.ReadFile(filepath.Join(root, p))
			m[p] = string(b)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	if a, b := files("weighted-items"), files("weighted-items-cel"); len(a) == 0 || !reflect.DeepEqual(a, b) {
		t.Errorf("the twins' scenario folders differ (or are empty): %d and %d files", len(a), len(b))
	}
}

// TestWeightedItemsSameInRegoAndCEL: the two versions of the weighted
// rating assess every case alike, the declared inputs drawn, apart from the
// policy reference.
func TestWeightedItemsSameInRegoAndCEL(t *testing.T) {
	ctx := context.Background()
	regoEngine, celEngine := loadDir(t, "weighted-items"), loadDir(t, "weighted-items-cel")
	rated := map[dsr.Rating]int{}
	// Each check draws a batch, so that the default 100 checks compare
	// 2,000 cases; a failure still shrinks to one case.
	rapid.Check(t, func(rt *rapid.T) {
		for i := range 20 {
			c := policytest.CaseWith(weightedMix(regoEngine)).Draw(rt, fmt.Sprintf("case %d", i))
			a, errA := regoEngine.Assess(ctx, c)
			b, errB := celEngine.Assess(ctx, c)
			if errA != nil || errB != nil {
				rt.Fatalf("rego error %v, cel error %v", errA, errB)
			}
			if a.Eligible {
				rated[a.Rating]++
			}
			a.Policy, b.Policy = dsr.PolicyRef{}, dsr.PolicyRef{}
			if !reflect.DeepEqual(a, b) {
				rt.Fatalf("rego and CEL differ:\nrego %+v\ncel  %+v", a, b)
			}
		}
	})
	for _, r := range []dsr.Rating{dsr.Green, dsr.Amber, dsr.Red, dsr.Blue} {
		if rated[r] == 0 {
			t.Errorf("no generated case was rated %s: the property did not compare that branch (%v)", r, rated)
		}
	}
}

// ratingOrder ranks GREEN < AMBER < RED.
var ratingOrder = map[dsr.Rating]int{dsr.Green: 0, dsr.Amber: 1, dsr.Red: 2}

// TestWeightedItemsMonotone: raising one item's score never lowers the
// rating (BLUE aside: an inpatient is BLUE whatever the score), in both
// engines.
func TestWeightedItemsMonotone(t *testing.T) {
	ctx := context.Background()
	for _, dir := range []string{"weighted-items", "weighted-items-cel"} {
		t.Run(dir, func(t *testing.T) {
			e := loadDir(t, dir)
			var items []dsr.InputDecl
			for _, d := range e.Inputs() {
				if d.Kind == dsr.InputInt {
					items = append(items, d)
				}
			}
			if len(items) != 19 {
				t.Fatalf("%d scored items, want 19", len(items))
			}
			raised := 0
			rapid.Check(t, func(rt *rapid.T) {
				c := policytest.CaseWith(weightedMix(e)).Draw(rt, "case")
				item := rapid.SampledFrom(items).Draw(rt, "item")
				a, err := e.Assess(ctx, c)
				if err != nil {
					rt.Fatal(err)
				}
				from := item.Default()
				if v, ok := c.Inputs[item.Name]; ok {
					from = v
				}
				n, _ := from.Int()
				if n >= *item.Max || !a.Eligible || a.Rating == dsr.Blue {
					return
				}
				to := rapid.Int64Range(n+1, *item.Max).Draw(rt, "to")
				up := c
				up.Inputs = map[string]dsr.InputValue{}
				for k, v := range c.Inputs {
					up.Inputs[k] = v
				}
				up.Inputs[item.Name] = dsr.IntInput(to)
				b, err := e.Assess(ctx, up)
				if err != nil {
					rt.Fatal(err)
				}
				raised++
				if ratingOrder[b.Rating] < ratingOrder[a.Rating] {
					rt.Fatalf("raising %s from %d to %d lowered the rating from %s to %s", item.Name, n, to, a.Rating, b.Rating)
				}
			})
			if raised == 0 {
				t.Error("no case raised an item's score: the property checked nothing")
			}
		})
	}
}

// TestUndeclaredInputAlwaysRefused: a case with an input the bundle does
// not declare is refused as invalid, naming inputs.NAME and R-INPUT-1,
// whatever else the case holds and whatever the value, under a bundle that
// declares none (national-2023, in Rego and CEL) and one that declares
// some.
func TestUndeclaredInputAlwaysRefused(t *testing.T) {
	ctx := context.Background()
	national, err := policies.Bundle("national-2023")
	if err != nil {
		t.Fatal(err)
	}
	nationalCEL, err := policies.Bundle("national-2023-cel")
	if err != nil {
		t.Fatal(err)
	}
	engines := map[string]*policies.Engine{"weighted-items": loadDir(t, "weighted-items"), "weighted-items-cel": loadDir(t, "weighted-items-cel")}
	for name, fsys := range map[string]fs.FS{"national-2023": national, "national-2023-cel": nationalCEL} {
		if engines[name], err = policies.Load(ctx, fsys); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range slices.Sorted(func(yield func(string) bool) {
		for k := range engines {
			if !yield(k) {
				return
			}
		}
	}) {
		e := engines[name]
		t.Run(name, func(t *testing.T) {
			declared := dsr.InputNames(e.Inputs())
			rapid.Check(t, func(rt *rapid.T) {
				c := policytest.CaseWith(weightedMix(e)).Draw(rt, "case")
				bad := rapid.StringMatching(`[a-z][a-z0-9_]{0,20}`).Filter(func(s string) bool { return !slices.Contains(declared, s) }).Draw(rt, "name")
				v := rapid.SampledFrom([]dsr.InputValue{dsr.BoolInput(true), dsr.BoolInput(false), dsr.IntInput(0), dsr.IntInput(2), dsr.WordInput("nurse")}).Draw(rt, "value")
				in := map[string]dsr.InputValue{bad: v}
				for k, x := range c.Inputs {
					in[k] = x
				}
				c.Inputs = in
				_, err := e.Assess(ctx, c)
				var ve *dsr.ValidationError
				if !errors.Is(err, dsr.ErrInvalid) || !errors.As(err, &ve) {
					rt.Fatalf("undeclared input %s=%s: want a validation error, got %v", bad, v, err)
				}
				if ve.Field != "inputs."+bad || ve.Rule != "R-INPUT-1" {
					rt.Fatalf("undeclared input %s: the error names %s (%s), want inputs.%s (R-INPUT-1): %v", bad, ve.Field, ve.Rule, bad, err)
				}
			})
		})
	}
}

// TestDeclaredInputsRefusedNamingTheField: a value of the wrong kind, out of
// range or not among an enum's values is refused naming the field, in both
// engines' bundles; a value in range is assessed.
func TestDeclaredInputsRefusedNamingTheField(t *testing.T) {
	ctx := context.Background()
	c := dsr.Case{
		AsOf: calendar.NewDate(2026, 4, 1),
		Person: dsr.Person{
			ID: "syn-wi-refuse", NHSNumber: dsr.TestNHSNumber(4343), DateOfBirth: calendar.NewDate(2010, 5, 5), Autism: true,
		},
		Circumstances: dsr.Circumstances{EscalatingBehaviour: true},
		Events:        []dsr.Event{{Type: dsr.EventConsentGiven, Date: calendar.NewDate(2026, 1, 5), GivenBy: "parent"}},
	}
	for _, dir := range []string{"weighted-items", "weighted-items-cel"} {
		e := loadDir(t, dir)
		for _, tc := range []struct {
			name string
			v    dsr.InputValue
			want string // the error; "" assessed
		}{
			{"self_harm", dsr.IntInput(3), ""},
			{"self_harm", dsr.IntInput(0), ""},
			{"self_harm", dsr.IntInput(7), "inputs.self_harm: 7 is above the maximum 3 (R-INPUT-1)"},
			{"self_harm", dsr.IntInput(-1), "inputs.self_harm: -1 is below the minimum 0 (R-INPUT-1)"},
			{"self_harm", dsr.BoolInput(true), "inputs.self_harm: want a whole number from 0 to 3, got true (a boolean) (R-INPUT-1)"},
			{"safeguarding_concern", dsr.IntInput(1), "inputs.safeguarding_concern: want true or false, got the number 1 (R-INPUT-1)"},
			{"safeguarding_concern", dsr.BoolInput(true), ""},
			{"completed_by", dsr.WordInput("nurse"), ""},
			{"completed_by", dsr.WordInput("Nurse"), `inputs.completed_by: unknown value "Nurse" (want one of keyworker, social_worker, nurse, multi_agency_meeting) (R-INPUT-1)`},
			{"completed_by", dsr.InputValue{}, "inputs.completed_by: want one of keyworker, social_worker, nurse, multi_agency_meeting, got null (R-INPUT-1)"},
		} {
			cc := c
			cc.Inputs = map[string]dsr.InputValue{tc.name: tc.v}
			_, err := e.Assess(ctx, cc)
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("%s: %s=%s: %v, want assessed", dir, tc.name, tc.v, err)
			case tc.want != "" && (err == nil || err.Error() != tc.want || !errors.Is(err, dsr.ErrInvalid)):
				t.Errorf("%s: %s=%s: error %v, want %q matching dsr.ErrInvalid", dir, tc.name, tc.v, err, tc.want)
			}
		}
	}
}
