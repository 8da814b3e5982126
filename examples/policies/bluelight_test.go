package policies_test

import (
	"context"
	"os"
	"reflect"
	"testing"

	"github.com/dsrkit/dsrkit/bluelight"
	"github.com/dsrkit/dsrkit/cetr"
	"github.com/dsrkit/dsrkit/policies"
)

// Wiltshire's Blue Light numbers (docs/rules.md#blue-light) come from the
// bundle: the overlay inherits national-2023's blue_light_* parameters and
// its Rego bluelight_* decision points, and they are Wiltshire's.
func TestWiltshireBlueLightComesFromTheBundle(t *testing.T) {
	ctx := context.Background()
	e, err := policies.Load(ctx, os.DirFS("wiltshire"))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range policies.OptionalPoints {
		if !e.HasPoint(p) {
			t.Errorf("wiltshire does not define %s", p)
		}
	}
	rules := policies.BlueLightRules(e)
	if got := rules.Params(); !reflect.DeepEqual(got, bluelight.DefaultParams()) {
		t.Errorf("Blue Light params %+v, want Wiltshire's %+v", got, bluelight.DefaultParams())
	}
	d, err := rules.Criteria(ctx, bluelight.CriteriaInput{UnexpectedCrisis: true, NoTimeForCETR: true})
	if err != nil {
		t.Fatal(err)
	}
	if d.Met || len(d.Unmet) != 1 || d.Unmet[0] != bluelight.CondKnownToServices {
		t.Errorf("not known to CAMHS or children's social care: %+v, want refused (Wiltshire safeguard)", d)
	}
	p, err := policies.CETRParams(ctx, e)
	if err != nil || !reflect.DeepEqual(p, cetr.DefaultParams()) {
		t.Errorf("CETRParams = %+v, %v; want the national defaults", p, err)
	}
}
