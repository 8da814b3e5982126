package policies_test

import (
	"context"
	"fmt"
	"os"

	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/policies"
)

// An overlay that declares inputs (R-INPUT-1): the example area rating
// tool, whose 19 scored items decide the rating. A case gives them under
// Inputs; Assess checks them against the bundle first.
func ExampleEngine_Inputs() {
	ctx := context.Background()
	e, err := policies.Load(ctx, os.DirFS("../examples/policies/weighted-items"))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(len(e.Inputs()), "inputs, the first", e.Inputs()[0].Name, e.Inputs()[0].Kind)
	c := dsr.Case{
		AsOf: calendar.NewDate(2026, 4, 1),
		Person: dsr.Person{
			ID: "syn-inputs", NHSNumber: dsr.TestNHSNumber(77), DateOfBirth: calendar.NewDate(2010, 5, 5), Autism: true,
		},
		Circumstances: dsr.Circumstances{EscalatingBehaviour: true},
		Events:        []dsr.Event{{Type: dsr.EventConsentGiven, Date: calendar.NewDate(2026, 1, 5), GivenBy: "parent"}},
		Inputs:        map[string]dsr.InputValue{"self_harm": dsr.IntInput(3), "mental_health": dsr.IntInput(3), "harm_to_others": dsr.IntInput(2)},
	}
	a, err := e.Assess(ctx, c)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range a.Reasons {
		if r.Rule == "R-RAG-GREEN" || r.Rule == "R-RAG-AMBER" || r.Rule == "R-RAG-RED" {
			fmt.Println(a.Rating, r.Message)
		}
	}
	c.Inputs["self_harm"] = dsr.IntInput(4)
	_, err = e.Assess(ctx, c)
	fmt.Println(err)
	// Output:
	// 21 inputs, the first self_harm int
	// amber weighted score 24 (AMBER from 20, RED from 40); most: mental_health 9, self_harm 9, harm_to_others 6
	// inputs.self_harm: 4 is above the maximum 3 (R-INPUT-1)
}
