package policies

import (
	"context"
	"testing"

	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/dsr"
)

// Three representative cases (issue 2): a community GREEN adult, a RED child
// with consent, and a child inpatient with eight events.
var benchCases = map[string]string{
	"community_green": `{"as_of":"2026-04-01","person":{"id":"syn-b1","nhs_number":"9990000018","date_of_birth":"1990-05-12","learning_disability":true},
		"circumstances":{"unstable_environment":true},
		"events":[{"type":"consent_given","date":"2025-11-03","given_by":"self"},{"type":"register_reviewed","date":"2026-02-02"}]}`,
	"red_with_consent": `{"as_of":"2026-04-01","person":{"id":"syn-b2","nhs_number":"9990000026","date_of_birth":"2011-02-20","autism":true},
		"circumstances":{"in_crisis":true,"community_cannot_manage":true,"escalating_behaviour":true},
		"events":[{"type":"referral_received","date":"2026-03-01","by":"family"},{"type":"consent_given","date":"2026-03-02","given_by":"parent"},{"type":"rating_agreed","date":"2026-03-10","rating":"amber","by":"DSR panel"}]}`,
	"child_inpatient_8_events": `{"as_of":"2026-04-20","person":{"id":"syn-b3","nhs_number":"9990000034","date_of_birth":"2010-09-15","autism":true,"learning_disability":true},
		"circumstances":{"in_crisis":true},
		"events":[
			{"type":"referral_received","date":"2025-10-01","by":"professional"},
			{"type":"consent_given","date":"2025-10-02","given_by":"parent"},
			{"type":"review_held","date":"2025-12-01","kind":"community"},
			{"type":"report_sent","date":"2025-12-10"},
			{"type":"blue_light_meeting","at":"2026-03-27T18:30:00Z"},
			{"type":"admitted","date":"2026-03-30","security":"general","legal_status":"s2"},
			{"type":"transferred","date":"2026-04-10","security":"picu"},
			{"type":"oversight_visit","date":"2026-04-15"}]}`,
}

func benchEngine(b *testing.B) *Engine { return benchEngineOf(b, DefaultBundle) }

func benchEngineOf(b *testing.B, bundle string) *Engine {
	b.Helper()
	fsys, err := Bundle(bundle)
	if err != nil {
		b.Fatal(err)
	}
	e, err := Load(context.Background(), fsys)
	if err != nil {
		b.Fatal(err)
	}
	return e
}

func benchCase(b *testing.B, name string) dsr.Case {
	c, err := dsr.UnmarshalCase([]byte(benchCases[name]))
	if err != nil {
		b.Fatal(err)
	}
	return c
}

// BenchmarkAssess is the full assessment, on the Rego path (national-2023:
// validation, facts, input, two prepared queries, dates) and on the CEL
// path (national-2023-cel: the same with five CEL programs).
func BenchmarkAssess(b *testing.B) {
	ctx := context.Background()
	for _, engine := range []struct{ name, bundle string }{{"rego", DefaultBundle}, {"cel", "national-2023-cel"}} {
		e := benchEngineOf(b, engine.bundle)
		for _, name := range []string{"community_green", "red_with_consent", "child_inpatient_8_events"} {
			c := benchCase(b, name)
			b.Run(engine.name+"/"+name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, err := e.Assess(ctx, c); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkAssessGoFloor is the Go-only part of an assessment: validating,
// deriving facts from the history, building the policy input and dating
// the deadlines. No policy is evaluated: the floor under BenchmarkAssess.
func BenchmarkAssessGoFloor(b *testing.B) {
	cal := calendar.Default()
	for _, name := range []string{"community_green", "red_with_consent", "child_inpatient_8_events"} {
		c := benchCase(b, name)
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			var f dsr.Facts
			for b.Loop() {
				if err := c.Validate(); err != nil {
					b.Fatal(err)
				}
				dsr.DeriveInto(&c, &f)
				_ = buildInput(&c, &f)
				for _, dl := range []calendar.Deadline{{N: 14, Unit: calendar.Days}, {N: 5, Unit: calendar.WorkingDays}, {N: 3, Unit: calendar.Months}, {N: 6, Unit: calendar.Weeks}} {
					if _, err := cal.Due(c.AsOf, dl); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}

// BenchmarkLoad is reading, checking and compiling a bundle: the national
// one in Rego, and in CEL.
func BenchmarkLoad(b *testing.B) {
	for _, bundle := range []string{DefaultBundle, "national-2023-cel"} {
		fsys, err := Bundle(bundle)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(bundle, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Load(context.Background(), fsys); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
