package policies_test

import (
	"context"
	"testing"

	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/dsr"
)

// BenchmarkWeightedItems is one assessment under the weighted-items
// overlay, whose rating reads 21 declared inputs, in Rego and in CEL.
func BenchmarkWeightedItems(b *testing.B) {
	ctx := context.Background()
	c := dsr.Case{
		AsOf: calendar.NewDate(2026, 4, 1),
		Person: dsr.Person{
			ID: "syn-wi-bench", NHSNumber: dsr.TestNHSNumber(4545), DateOfBirth: calendar.NewDate(2010, 5, 5), Autism: true,
		},
		Circumstances: dsr.Circumstances{EscalatingBehaviour: true},
		Events:        []dsr.Event{{Type: dsr.EventConsentGiven, Date: calendar.NewDate(2026, 1, 5), GivenBy: "parent"}},
		Inputs: map[string]dsr.InputValue{
			"self_harm": dsr.IntInput(3), "harm_to_others": dsr.IntInput(2), "mental_health": dsr.IntInput(3),
			"placement_stability": dsr.IntInput(2), "sleep": dsr.IntInput(1), "housing": dsr.IntInput(1),
			"safeguarding_concern": dsr.BoolInput(true), "completed_by": dsr.WordInput("nurse"),
		},
	}
	for _, dir := range []string{"weighted-items", "weighted-items-cel"} {
		e := loadDir(b, dir)
		b.Run(dir, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := e.Assess(ctx, c); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
