package policies_test

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"pgregory.net/rapid"

	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/policies"
	"github.com/dsrkit/dsrkit/policies/policytest"
)

// equivalenceCases is how many generated cases each parameter set of
// TestEquivalenceRegoCEL assesses with both engines in one `go test` run
// (issue 3: at least 10,000 for the national parameters). Each rapid check
// draws a batch of cases (so a failure still shrinks, to one case), sized
// so that the default -rapid.checks (100) gives these counts; more checks
// give more cases.
var equivalenceCases = map[string]int{
	"national": 10_000,
}

// equivalenceOverrideCases is the count for each parameter override.
const equivalenceOverrideCases = 2_000

// rapidChecks is the -rapid.checks flag (rapid's default is 100).
func rapidChecks() int {
	if f := flag.Lookup("rapid.checks"); f != nil {
		if n, err := strconv.Atoi(f.Value.String()); err == nil && n > 0 {
			return n
		}
	}
	return 100
}

// equivalenceParams are parameter sets under which the two bundles must
// also agree: the national defaults, and overrides that switch on the
// branches national leaves off.
var equivalenceParams = []struct {
	name   string
	params map[string]any
}{
	{"national", nil},
	{"min_criteria_2", map[string]any{"min_criteria": 2}},
	{"age_max_17", map[string]any{"age_max": 17}},
	{"consent_reconfirm_every_365_days", map[string]any{"consent_reconfirm_every": map[string]any{"n": 365, "unit": "days"}}},
	{"trigger_review_10_working_days", map[string]any{"trigger_review": map[string]any{"n": 10, "unit": "working_days"}}},
	{"children_awaiting_diagnosis_no_rca", map[string]any{
		"age_min": 4, "age_max": 17, "awaiting_diagnosis_counts": true, "rca_enabled": false, "gillick_allowed": false,
		"parent_consent_lapses": false, "ehcp_extends_cetr": false, "keyworker_max_age": 15,
		"red_when": [][]string{{"in_crisis"}, {"serious_harm_risk", "escalating_behaviour"}}, "amber_when": [][]string{{"in_crisis", "no_fixed_address"}, {"unstable_environment"}},
		"criteria": []string{"in_crisis", "escalating_behaviour", "inpatient"},
	}},
}

func loadPair(t *testing.T, params map[string]any) (rego, cel *policies.Engine) {
	t.Helper()
	var opts []policies.Option
	for k, v := range params {
		opts = append(opts, policies.WithParam(k, v))
	}
	load := func(name string) *policies.Engine {
		fsys, err := policies.Bundle(name)
		if err != nil {
			t.Fatal(err)
		}
		e, err := policies.Load(context.Background(), fsys, opts...)
		if err != nil {
			t.Fatalf("loading %s: %v", name, err)
		}
		return e
	}
	return load("national-2023"), load("national-2023-cel")
}

// TestEquivalenceRegoCEL: the national rules in Rego and in CEL give the
// same assessment (eligibility, consent, rating, review type, actions with
// their dates, every reason and message) for every generated case, apart
// from the provenance that names the bundle and engine. Where they differ,
// one of them is wrong; no case is excluded.
func TestEquivalenceRegoCEL(t *testing.T) {
	for _, ps := range equivalenceParams {
		t.Run(ps.name, func(t *testing.T) {
			rego, cel := loadPair(t, ps.params)
			if got := cel.Policy().Engine; got != "cel" {
				t.Fatalf("national-2023-cel evaluates with %q, want cel", got)
			}
			n := equivalenceOverrideCases
			if want, ok := equivalenceCases[ps.name]; ok {
				n = want
			}
			if testing.Short() {
				n /= 10
			}
			batch := max(1, (n+rapidChecks()-1)/rapidChecks())
			total := 0
			seen := map[string]int{}
			rapid.Check(t, func(t *rapid.T) {
				for i := range batch {
					c := equivalenceCase().Draw(t, fmt.Sprintf("case %d", i))
					total++
					a := compareEngines(t, rego, cel, c)
					for _, r := range a.Reasons {
						seen[r.Rule]++
					}
				}
			})
			t.Logf("%d cases assessed by both engines; rules seen: %v", total, seen)
			if ps.name == "national" && !t.Failed() {
				// The property is not vacuous: the generated cases reach
				// every national rule, in both engines.
				for _, rule := range []string{
					"R-ELIG-1", "R-CONS-1", "R-CONS-2", "R-CONS-3", "R-CONS-4", "R-RAG-BLUE", "R-RAG-RED",
					"R-RAG-AMBER", "R-RAG-GREEN", "R-RAG-AGREED", "R-RAG-ACT-1", "R-RAG-ACT-2", "R-RAG-ACT-3",
					"R-RAG-ACT-4", "R-CETR-TYPE", "R-CETR-PA-1", "R-CETR-PA-2", "R-CETR-6W", "R-CETR-RCA",
					"R-CETR-INP", "R-CETR-TRIG", "R-CETR-REPORT", "R-OV-1", "R-BL-FOLLOW", "R-REV-1",
				} {
					if seen[rule] == 0 && !testing.Short() {
						t.Errorf("no generated case reached %s", rule)
					}
				}
			}
		})
	}
}

// equivalenceCase is policytest.Case, but half the time with only a few
// circumstances reported (policytest reports most of them, so that GREEN and
// the GREEN actions would hardly ever be reached).
func equivalenceCase() *rapid.Generator[dsr.Case] {
	return rapid.Custom(func(t *rapid.T) dsr.Case {
		c := policytest.Case().Draw(t, "case")
		if rapid.Bool().Draw(t, "few_circumstances") {
			fields := c.Circumstances.Fields()
			for _, f := range fields {
				*f = false
			}
			for range rapid.IntRange(0, 2).Draw(t, "n_circumstances") {
				*fields[rapid.IntRange(0, len(fields)-1).Draw(t, "circumstance")] = true
			}
		}
		return c
	})
}

func compareEngines(t *rapid.T, rego, cel *policies.Engine, c dsr.Case) dsr.Assessment {
	ctx := context.Background()
	a, errA := rego.Assess(ctx, c)
	b, errB := cel.Assess(ctx, c)
	if errA != nil || errB != nil {
		raw, _ := json.Marshal(c)
		t.Fatalf("assess failed: rego %v, cel %v\ncase: %s", errA, errB, raw)
	}
	b.Policy = a.Policy
	if reflect.DeepEqual(a, b) {
		return a
	}
	raw, _ := json.Marshal(c)
	ja, _ := json.MarshalIndent(a, "", "  ")
	jb, _ := json.MarshalIndent(b, "", "  ")
	t.Fatalf("Rego and CEL differ\ncase: %s\n%s", raw, lineDiff(string(ja), string(jb)))
	return a
}

// lineDiff shows the lines of two JSON documents that differ.
func lineDiff(a, b string) string {
	la, lb := strings.Split(a, "\n"), strings.Split(b, "\n")
	var out strings.Builder
	inB := map[string]int{}
	for _, l := range lb {
		inB[l]++
	}
	inA := map[string]int{}
	for _, l := range la {
		inA[l]++
	}
	for _, l := range la {
		if inB[l] == 0 {
			fmt.Fprintf(&out, "- rego %s\n", strings.TrimSpace(l))
		}
	}
	for _, l := range lb {
		if inA[l] == 0 {
			fmt.Fprintf(&out, "+ cel  %s\n", strings.TrimSpace(l))
		}
	}
	return out.String()
}
