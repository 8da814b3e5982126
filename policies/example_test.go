package policies_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/dsrkit/dsrkit/bluelight"
	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/policies"
)

// A 15-year-old autistic child whose family is in crisis, with a parent's
// consent (docs/rules.md#worked-example-1).
func Example() {
	ctx := context.Background()
	bundle, err := policies.Bundle(policies.DefaultBundle)
	if err != nil {
		panic(err)
	}
	engine, err := policies.Load(ctx, bundle)
	if err != nil {
		panic(err)
	}
	c, err := dsr.UnmarshalCase([]byte(`{
	  "as_of": "2026-04-01",
	  "person": {"id": "person-a", "nhs_number": "9990000018", "date_of_birth": "2010-09-15", "autism": true},
	  "circumstances": {"in_crisis": true, "community_cannot_manage": true},
	  "events": [{"type": "consent_given", "date": "2026-03-02", "given_by": "parent"}]
	}`))
	if err != nil {
		panic(err)
	}
	a, err := engine.Assess(ctx, c)
	if err != nil {
		panic(err)
	}
	fmt.Println("on register:", a.OnRegister, "rating:", a.Rating, "review type:", a.ReviewType)
	for _, act := range a.Actions {
		fmt.Println(act.Kind, act.DueDate(), act.Rule)
	}
	// Output:
	// on register: true rating: red review type: cetr
	// dsr_review 2026-03-16 R-REV-1
	// community_review 2026-04-01 R-RAG-ACT-1
	// keyworker_referral 2026-04-01 R-RAG-ACT-3
}

// Rate decides the rating alone, for a report that needs nothing else of
// a date: the assessment's eligibility, ratings and their reasons, without
// consent or actions.
func ExampleEngine_Rate() {
	ctx := context.Background()
	bundle, err := policies.Bundle(policies.DefaultBundle)
	if err != nil {
		panic(err)
	}
	engine, err := policies.Load(ctx, bundle)
	if err != nil {
		panic(err)
	}
	c, err := dsr.UnmarshalCase([]byte(`{
	  "as_of": "2026-04-01",
	  "person": {"id": "person-a", "nhs_number": "9990000018", "date_of_birth": "2010-09-15", "autism": true},
	  "circumstances": {"in_crisis": true, "community_cannot_manage": true},
	  "events": [{"type": "consent_given", "date": "2026-03-02", "given_by": "parent"}]
	}`))
	if err != nil {
		panic(err)
	}
	r, err := engine.Rate(ctx, c)
	if err != nil {
		panic(err)
	}
	fmt.Println("eligible:", r.Eligible, "rating:", r.Rating, "of record:", r.RatingOfRecord)
	for _, why := range r.Reasons {
		fmt.Println(why.Rule)
	}
	// Output:
	// eligible: true rating: red of record: red
	// R-ELIG-1
	// R-RAG-RED
	// R-RAG-AGREED-2
}

// Parameters are tuned at load: here RED entries are reviewed every 7 days.
func ExampleWithParam() {
	ctx := context.Background()
	bundle, _ := policies.Bundle(policies.DefaultBundle)
	engine, err := policies.Load(ctx, bundle,
		policies.WithParam("review_cadence", map[string]any{"red": map[string]any{"n": 7, "unit": "days"}}))
	if err != nil {
		panic(err)
	}
	fmt.Println(engine.Policy().Name)

	_, err = policies.Load(ctx, bundle, policies.WithParam("review_cadence", map[string]any{"red": map[string]any{"n": 7, "unit": "fortnights"}}))
	fmt.Println(err)
	// Output:
	// national-2023
	// option: parameter review_cadence.red: calendar: bad deadline: unknown unit "fortnights"
}

// A rule that does not compile fails at load with its position.
func ExampleLoad_badRule() {
	bundle, _ := policies.Bundle(policies.DefaultBundle)
	_, err := policies.Load(context.Background(), withFile(bundle, "rating.rego", "package dsr.rating\n\nrating := \"red\" if {\n\tinput.circumstances.in_crisis ==\n}\n"))
	fmt.Println(strings.SplitN(err.Error(), " (", 2)[0])
	// Output:
	// rating.rego:5:1: unexpected } token
}

// Optional CEL points (Blue Light) are compiled at their first use by
// default, so a broken one loads and fails that use; WithEagerCompile
// compiles every point in Load, which refuses it, as dsr policy test and
// build do before rollout.
func ExampleWithEagerCompile() {
	ctx := context.Background()
	bundle, _ := policies.Bundle("national-2023-cel")
	broken := withFile(bundle, "bluelight_criteria.cel", `{"met": input.unexpected_crisys, "reasons": []}`)
	engine, err := policies.Load(ctx, broken)
	fmt.Println("lazy load:", err)
	_, err = policies.BlueLightRules(engine).Criteria(ctx, bluelight.CriteriaInput{UnexpectedCrisis: true})
	fmt.Println("first use:", errors.Is(err, policies.ErrBadBundle))
	_, err = policies.Load(ctx, broken, policies.WithEagerCompile(true))
	fmt.Println("eager load:", strings.SplitN(err.Error(), ":", 3)[:2])
	// Output:
	// lazy load: <nil>
	// first use: true
	// eager load: [bluelight_criteria.cel 1]
}

// A rule that would build a billion numbers is stopped at the call; a
// builtin that reads the clock does not compile. WithDeadline bounds each
// evaluation (1 s by default).
func ExampleWithDeadline() {
	ctx := context.Background()
	bundle, _ := policies.Bundle(policies.DefaultBundle)
	hostile := withFile(bundle, "rating.rego", "package dsr.rating\n\nn := count(numbers.range(1, 1000000000))\n\ndecision := {\"rating\": \"red\", \"reasons\": [], \"n\": n}\n")
	engine, err := policies.Load(ctx, hostile, policies.WithDeadline(250*time.Millisecond))
	if err != nil {
		panic(err)
	}
	c, _ := dsr.UnmarshalCase([]byte(`{"as_of": "2026-04-01",
	  "person": {"id": "person-a", "nhs_number": "9990000018", "date_of_birth": "2010-09-15", "autism": true},
	  "circumstances": {"in_crisis": true, "community_cannot_manage": true},
	  "events": [{"type": "consent_given", "date": "2026-03-02", "given_by": "parent"}]}`))
	_, err = engine.Assess(ctx, c)
	fmt.Println(err)

	_, err = policies.Load(ctx, withFile(bundle, "rating.rego", "package dsr.rating\n\ndecision := {\"rating\": \"red\", \"reasons\": [], \"t\": time.now_ns()}\n"))
	fmt.Println(strings.SplitN(err.Error(), ":", 4)[:3])
	// Output:
	// policies: evaluation failed: rating.rego:3: eval_builtin_error: numbers.range: a range of 999999999 numbers, over the limit of 262144 a builtin may build
	// [rating.rego 3 51]
}
