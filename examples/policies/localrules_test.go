package policies_test

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"pgregory.net/rapid"

	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/policies"
	"github.com/dsrkit/dsrkit/policies/policycheck"
	"github.com/dsrkit/dsrkit/policies/policytest"
)

// The README's "Writing local rules" shows one local RED rule twice, in
// Rego and in CEL. The two bundles live in testdata/local-red-rego and
// testdata/local-red-cel; these tests keep the README honest.

func loadLocalRed(t testing.TB, lang string) *policies.Engine {
	t.Helper()
	e, err := policies.Load(context.Background(), os.DirFS(filepath.Join("testdata", "local-red-"+lang)))
	if err != nil {
		t.Fatalf("loading the %s example: %v", lang, err)
	}
	return e
}

// TestLocalRedRuleInTheREADME: the README shows each example file as it is.
func TestLocalRedRuleInTheREADME(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"local-red-rego/rating.rego", "local-red-cel/rating.cel"} {
		text, err := os.ReadFile(filepath.Join("testdata", f))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(readme), string(text)) {
			t.Errorf("README.md does not show testdata/%s as it is; copy the file into the README", f)
		}
	}
}

// TestLocalRedRule: R-RAG-LOCAL makes RED what national-2023 rates AMBER,
// in both languages; without a crisis episode in the last 30 days it does
// not apply.
func TestLocalRedRule(t *testing.T) {
	ctx := context.Background()
	c := dsr.Case{
		AsOf: calendar.NewDate(2026, 4, 1),
		Person: dsr.Person{
			ID: "syn-local-red", NHSNumber: dsr.TestNHSNumber(4242), DateOfBirth: calendar.NewDate(2010, 5, 5),
			Autism: true, KnownToKeyworker: true,
		},
		Circumstances: dsr.Circumstances{UnstableUntreatedMentalIllness: true, EscalatingBehaviour: true, UnstableEnvironment: true},
		Events: []dsr.Event{
			{Type: dsr.EventConsentGiven, Date: calendar.NewDate(2026, 1, 5), GivenBy: "parent"},
			{Type: dsr.EventCrisisTeamEpisode, Date: calendar.NewDate(2026, 3, 2)},
		},
	}
	for _, lang := range []string{"rego", "cel"} {
		e := loadLocalRed(t, lang)
		a, err := e.Assess(ctx, c)
		if err != nil {
			t.Fatal(err)
		}
		if a.Rating != dsr.Red || !hasRule(a.Reasons, "R-RAG-LOCAL") {
			t.Errorf("%s: crisis episode 30 days ago: rating %s, reasons %v; want RED by R-RAG-LOCAL", lang, a.Rating, a.Reasons)
		}
		old := c
		old.Events = []dsr.Event{c.Events[0], {Type: dsr.EventCrisisTeamEpisode, Date: calendar.NewDate(2026, 3, 1)}}
		if a, err = e.Assess(ctx, old); err != nil {
			t.Fatal(err)
		}
		if a.Rating != dsr.Amber || hasRule(a.Reasons, "R-RAG-LOCAL") {
			t.Errorf("%s: crisis episode 31 days ago: rating %s, reasons %v; want AMBER (escalating behaviour), no R-RAG-LOCAL", lang, a.Rating, a.Reasons)
		}
	}
}

// TestLocalRedRuleSameInRegoAndCEL: the two versions of the rule assess
// every case alike, apart from the policy reference.
func TestLocalRedRuleSameInRegoAndCEL(t *testing.T) {
	ctx := context.Background()
	regoEngine, celEngine := loadLocalRed(t, "rego"), loadLocalRed(t, "cel")
	mix := policycheck.DefaultMix
	mix.PCircumstance = 0.5
	rapid.Check(t, func(rt *rapid.T) {
		c := policytest.CaseWith(mix).Draw(rt, "case")
		a, errA := regoEngine.Assess(ctx, c)
		b, errB := celEngine.Assess(ctx, c)
		if (errA != nil) != (errB != nil) {
			rt.Fatalf("rego error %v, cel error %v", errA, errB)
		}
		a.Policy, b.Policy = dsr.PolicyRef{}, dsr.PolicyRef{}
		if !reflect.DeepEqual(a, b) {
			rt.Fatalf("rego and CEL differ:\nrego %+v\ncel  %+v", a, b)
		}
	})
}

func hasRule(rs []dsr.Reason, rule string) bool {
	for _, r := range rs {
		if r.Rule == rule {
			return true
		}
	}
	return false
}
