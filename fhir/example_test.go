package fhir_test

import (
	"context"
	"encoding/json"
	"errors"
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

// exampleRegister is a register in memory under the national rules and
// consent parameters, its clock on today.
func exampleRegister(ctx context.Context, today calendar.Date) *register.Register {
	b, _ := policies.Bundle(policies.DefaultBundle)
	rules, err := policies.Load(ctx, b)
	if err != nil {
		panic(err)
	}
	reg, err := register.Open(ctx, memstore.New(), rules, register.WithKeys(register.MemoryKey()),
		register.WithConsentPolicy(consent.National2023), register.WithClock(func() time.Time { return today.Start().Add(9 * time.Hour) }))
	if err != nil {
		panic(err)
	}
	return reg
}

// A person on the register exported as a FHIR R4 Bundle for a shared care
// record: their Patient with the NHS number, the register Flag with the
// rating of record, their consents (to inclusion, and to sharing, without
// which nothing is exported), the C(E)TR held and the rating's
// RiskAssessment.
func ExampleBundle() {
	ctx := context.Background()
	today := calendar.MustParseDate("2026-04-01")
	reg := exampleRegister(ctx, today)
	by := register.Actor{ID: "staff-1", Role: register.RoleCoordinator}
	err := reg.Add(ctx, register.NewPerson{
		Details: register.Details{
			Person: dsr.Person{ID: "syn-1", NHSNumber: dsr.TestNHSNumber(1), DateOfBirth: calendar.MustParseDate("1994-06-30"), Autism: true},
			Name:   "Synthetic Person",
		},
		Circumstances: dsr.Circumstances{InCrisis: true, CommunityCannotManage: true},
		Events: []dsr.Event{
			{Type: dsr.EventConsentGiven, Date: calendar.MustParseDate("2026-02-01"), GivenBy: dsr.BySelf, Scope: []string{dsr.ScopeDSR, dsr.ScopeSharing}},
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
			fmt.Printf("Consent: %s %s, given by %s\n", *c.Category[1].Coding[0].Code, c.Status.Code(), *c.Extension[0].ValueCoding.Code)
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
	// Consent: dsr active, given by self
	// Consent: sharing active, given by self
	// RiskAssessment: RED
	// true
}

// Everyone the register holds, for a shared care record: only those who
// hold consent to share on the day are in the bundle; the summary counts
// the others by the rule that left them out, naming nobody.
func ExampleBundleAll() {
	ctx := context.Background()
	today := calendar.MustParseDate("2026-04-01")
	reg := exampleRegister(ctx, today)
	by := register.Actor{ID: "staff-1", Role: register.RoleCoordinator}
	for i, scopes := range [][]string{{dsr.ScopeDSR, dsr.ScopeSharing}, {dsr.ScopeDSR}, nil} {
		err := reg.Add(ctx, register.NewPerson{
			Details: register.Details{
				Person: dsr.Person{ID: fmt.Sprintf("syn-%d", i+1), NHSNumber: dsr.TestNHSNumber(i + 1), DateOfBirth: calendar.MustParseDate("1994-06-30"), Autism: true},
				Name:   "Synthetic Person",
			},
			Circumstances: dsr.Circumstances{InCrisis: true},
			Events:        []dsr.Event{{Type: dsr.EventConsentGiven, Date: calendar.MustParseDate("2026-02-01"), GivenBy: dsr.BySelf, Scope: scopes}},
		}, by)
		if err != nil {
			panic(err)
		}
	}

	bundle, sum, err := fhir.BundleAll(ctx, reg, today, by)
	if err != nil {
		panic(err)
	}
	fmt.Println(len(bundle.Entry) > 0, sum.People, sum.Omitted())
	fmt.Println(sum)
	// Output:
	// true 1 2
	// 1 people exported, 2 left out without consent to share: 2 no consent to share is recorded (R-CONS-1)
}

// The export judges consent to share by the area's consent parameters,
// the same its register uses: where Gillick competence is not accepted, a
// child's own consent to share does not hold (R-CONS-2).
func ExampleWithConsentParams() {
	ctx := context.Background()
	today := calendar.MustParseDate("2026-04-01")
	reg := exampleRegister(ctx, today)
	by := register.Actor{ID: "staff-1", Role: register.RoleCoordinator}
	err := reg.Add(ctx, register.NewPerson{
		Details: register.Details{
			Person: dsr.Person{ID: "syn-1", NHSNumber: dsr.TestNHSNumber(1), DateOfBirth: calendar.MustParseDate("2012-01-20"), Autism: true, GillickCompetent: true},
			Name:   "Synthetic Child",
		},
		Circumstances: dsr.Circumstances{InCrisis: true},
		Events: []dsr.Event{
			{Type: dsr.EventConsentGiven, Date: calendar.MustParseDate("2026-03-01"), GivenBy: dsr.ByParent},
			{Type: dsr.EventConsentGiven, Date: calendar.MustParseDate("2026-03-05"), GivenBy: dsr.BySelf, Scope: []string{dsr.ScopeSharing}},
		},
	}, by)
	if err != nil {
		panic(err)
	}

	_, err = fhir.Bundle(ctx, reg, "syn-1", today, by) // national-2023: Gillick allowed
	fmt.Println(err == nil)
	area := consent.National2023
	area.GillickAllowed = false
	_, err = fhir.Bundle(ctx, reg, "syn-1", today, by, fhir.WithConsentParams(area))
	fmt.Println(errors.Is(err, fhir.ErrNoSharingConsent))
	fmt.Println(err)
	// Output:
	// true
	// true
	// fhir: no consent to share information holds on the export's date (R-CONS-1): the export needs a consent_given covering scope sharing, or a best-interests decision for it; R-CONS-2: the latest consent to share was given by someone who could not give it: a child under 16 who is not Gillick competent cannot consent for themselves
}
