package policies_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/policies"
)

// A decision log keeps every assessment an engine makes, without clear
// identifiers, for `dsr policy diff --replay`.
func ExampleWithDecisionLogger() {
	ctx := context.Background()
	var buf bytes.Buffer
	log := policies.NewJSONLinesLog(&buf)
	bundle, _ := policies.Bundle(policies.DefaultBundle)
	engine, err := policies.Load(ctx, bundle, policies.WithDecisionLogger(log))
	if err != nil {
		panic(err)
	}
	c := dsr.Case{
		AsOf:          calendar.MustParseDate("2026-04-01"),
		Person:        dsr.Person{ID: "person-a", NHSNumber: "9991000011", DateOfBirth: calendar.MustParseDate("2010-09-14"), Autism: true},
		Circumstances: dsr.Circumstances{InCrisis: true, CommunityCannotManage: true},
		Events:        []dsr.Event{{Type: dsr.EventConsentGiven, Date: calendar.MustParseDate("2026-03-24"), GivenBy: dsr.ByParent}},
	}
	if _, err := engine.Assess(ctx, c); err != nil {
		panic(err)
	}
	recs, err := policies.ReadDecisionLog(&buf)
	if err != nil {
		panic(err)
	}
	d := recs[0].Decision
	fmt.Println(len(recs), recs[0].Policy.Name, d.Rating, d.OnRegister)
	fmt.Println("NHS number kept:", strings.Contains(fmt.Sprint(recs[0].Input), "9991000011"), "id kept:", recs[0].Input.Person.ID == "person-a")
	// Output:
	// 1 national-2023 red true
	// NHS number kept: false id kept: false
}
