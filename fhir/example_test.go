package fhir_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	r4 "github.com/samply/golang-fhir-models/fhir-models/fhir"

	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/consent"
	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/fhir"
	"github.com/dsrkit/dsrkit/policies"
	"github.com/dsrkit/dsrkit/register"
	"github.com/dsrkit/dsrkit/register/memstore"
)

// A person on the register exported as a FHIR R4 Bundle for a shared care
// record: their Patient with the NHS number, the register Flag with the
// rating of record, their consent, the C(E)TR held and the rating's
// RiskAssessment.
func ExampleBundle() {
	ctx := context.Background()
	b, _ := policies.Bundle(policies.DefaultBundle)
	rules, err := policies.Load(ctx, b)
	if err != nil {
		panic(err)
	}
	today := calendar.MustParseDate("2026-04-01")
	reg, err := register.Open(ctx, memstore.New(), rules, register.WithKeys(register.MemoryKey()),
		register.WithConsentPolicy(consent.National2023), register.WithClock(func() time.Time { return today.Start().Add(9 * time.Hour) }))
	if err != nil {
		panic(err)
	}
	by := register.Actor{ID: "staff-1", Role: register.RoleCoordinator}
	err = reg.Add(ctx, register.NewPerson{
		Details: register.Details{
			Person: dsr.Person{ID: "syn-1", NHSNumber: dsr.TestNHSNumber(1), DateOfBirth: calendar.MustParseDate("1994-06-30"), Autism: true},
			Name:   "Synthetic Person",
		},
		Circumstances: dsr.Circumstances{InCrisis: true, CommunityCannotManage: true},
		Events: []dsr.Event{
			{Type: dsr.EventConsentGiven, Date: calendar.MustParseDate("2026-02-01"), GivenBy: dsr.BySelf},
			{Type: dsr.EventReviewHeld, Date: calendar.MustParseDate("2026-03-12"), Kind: dsr.ReviewCommunity},
		},
	}, by)
	if err != nil {
		panic(err)
	}

	bundle, err := fhir.Bundle(ctx, reg, "syn-1", today, by, fhir.Because("shared care record"))
	if err != nil {
		panic(err)
	}
	for _, e := range bundle.Entry {
		var res struct {
			ResourceType string `json:"resourceType"`
		}
		_ = json.Unmarshal(e.Resource, &res)
		switch res.ResourceType {
		case "Patient":
			p, _ := r4.UnmarshalPatient(e.Resource)
			fmt.Printf("Patient: %s %s\n", *p.Identifier[0].System, *p.Identifier[0].Value)
		case "Flag":
			f, _ := r4.UnmarshalFlag(e.Resource)
			fmt.Printf("Flag: %s, %s from %s\n", f.Status.Code(), *f.Extension[0].ValueCoding.Code, *f.Period.Start)
		case "Procedure":
			p, _ := r4.UnmarshalProcedure(e.Resource)
			fmt.Printf("Procedure: %s %s on %s\n", *p.Code.Coding[0].System, *p.Code.Coding[0].Code, *p.PerformedDateTime)
		case "Consent":
			c, _ := r4.UnmarshalConsent(e.Resource)
			fmt.Printf("Consent: %s, given by %s\n", c.Status.Code(), *c.Extension[0].ValueCoding.Code)
		case "RiskAssessment":
			r, _ := r4.UnmarshalRiskAssessment(e.Resource)
			fmt.Printf("RiskAssessment: %s\n", *r.Prediction[0].QualitativeRisk.Coding[0].Code)
		}
	}
	fmt.Println(strings.HasPrefix(*bundle.Entry[0].FullUrl, "urn:uuid:"))
	// Output:
	// Patient: https://fhir.nhs.uk/Id/nhs-number 9990000026
	// Flag: active, RED from 2026-04-01
	// Procedure: http://snomed.info/sct 1060751000000101 on 2026-03-12
	// Consent: active, given by self
	// RiskAssessment: RED
	// true
}
