package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/internal/schema"
)

const casesDir = "../../examples/cases"

// result is one in-process run of the command.
type result struct {
	code           int
	stdout, stderr string
}

func runCLI(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(stdin), &out, &errb)
	return result{code, out.String(), errb.String()}
}

// assess runs `dsr assess` and decodes the assessment, failing the test
// unless it exits 0 with an assessment that the published schema accepts.
func assess(t *testing.T, stdin string, args ...string) dsr.Assessment {
	t.Helper()
	r := runCLI(t, stdin, append([]string{"assess"}, args...)...)
	if r.code != exitOK {
		t.Fatalf("dsr assess %s: exit %d, stderr:\n%s", strings.Join(args, " "), r.code, r.stderr)
	}
	if !json.Valid([]byte(r.stdout)) {
		t.Fatalf("stdout is not JSON:\n%s", r.stdout)
	}
	v, err := schema.NewValidator(schema.Assessment())
	if err != nil {
		t.Fatal(err)
	}
	if err := v.Validate([]byte(r.stdout)); err != nil {
		t.Errorf("the assessment does not match `dsr schema assessment`:\n%v\n%s", err, r.stdout)
	}
	var a dsr.Assessment
	dec := json.NewDecoder(strings.NewReader(r.stdout))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&a); err != nil {
		t.Fatalf("decoding the assessment: %v\n%s", err, r.stdout)
	}
	return a
}

func kinds(a dsr.Assessment) []dsr.ActionKind {
	var ks []dsr.ActionKind
	for _, act := range a.Actions {
		ks = append(ks, act.Kind)
	}
	return ks
}

func action(a dsr.Assessment, k dsr.ActionKind) (dsr.Action, bool) {
	for _, act := range a.Actions {
		if act.Kind == k {
			return act, true
		}
	}
	return dsr.Action{}, false
}

func TestAssessExampleCases(t *testing.T) {
	tests := []struct {
		file        string
		rating      dsr.Rating
		onRegister  bool
		reviewType  string
		wantActions []dsr.ActionKind
	}{
		// docs/rules.md#worked-example-1 (R-RAG-RED, R-RAG-ACT-1, R-RAG-ACT-3).
		{"red-child.json", dsr.Red, true, dsr.ReviewTypeCETR,
			[]dsr.ActionKind{dsr.ActionCommunityReview, dsr.ActionKeyworkerReferral}},
		// Worked example 2 (R-RAG-GREEN): no C(E)TR is due.
		{"green-adult.json", dsr.Green, true, dsr.ReviewTypeCTR, nil},
		// Worked example 4 (R-RAG-BLUE, R-CETR-PA-1, R-CETR-RCA).
		{"inpatient-child.json", dsr.Blue, true, dsr.ReviewTypeCETR,
			[]dsr.ActionKind{dsr.ActionPostAdmissionReview, dsr.ActionRootCauseAnalysis, dsr.ActionOversightVisit}},
		// Worked example 6 (R-CONS-1): not held, so nothing is due.
		{"no-consent.json", dsr.Amber, false, dsr.ReviewTypeCETR, nil},
		// Worked example 3 (R-CETR-TYPE: an EHCP extends CETRs past 18; R-RAG-ACT-2).
		{"amber-young-adult.json", dsr.Amber, true, dsr.ReviewTypeCETR,
			[]dsr.ActionKind{dsr.ActionMDTMeetingOrReview, dsr.ActionKeyworkerReferral}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			a := assess(t, "", filepath.Join(casesDir, tt.file))
			if !a.Eligible {
				t.Errorf("eligible = false, want true; reasons %v", a.Reasons)
			}
			if a.Rating != tt.rating {
				t.Errorf("rating = %q, want %q; reasons %v", a.Rating, tt.rating, a.Reasons)
			}
			if a.OnRegister != tt.onRegister {
				t.Errorf("on_register = %v, want %v; consent %+v", a.OnRegister, tt.onRegister, a.Consent)
			}
			if a.ReviewType != tt.reviewType {
				t.Errorf("review_type = %q, want %q", a.ReviewType, tt.reviewType)
			}
			for _, k := range tt.wantActions {
				if !slices.Contains(kinds(a), k) {
					t.Errorf("actions %v lack %s", kinds(a), k)
				}
			}
			if a.Policy.Name != "national-2023" || a.Policy.Digest == "" {
				t.Errorf("policy = %+v, want national-2023 with a digest", a.Policy)
			}
			if want := calendar.MustParseDate("2026-04-01"); a.AsOf != want {
				t.Errorf("as_of = %s, want %s", a.AsOf, want)
			}
		})
	}
}

func TestAssessExampleDetails(t *testing.T) {
	t.Run("a C(E)TR is not due for a GREEN adult", func(t *testing.T) {
		a := assess(t, "", filepath.Join(casesDir, "green-adult.json"))
		for _, k := range []dsr.ActionKind{dsr.ActionCommunityReview, dsr.ActionMDTMeetingOrReview, dsr.ActionPostAdmissionReview} {
			if slices.Contains(kinds(a), k) {
				t.Errorf("actions %v include %s", kinds(a), k)
			}
		}
	})
	t.Run("admitted 30 March 2026 aged 16: post-admission CETR due 13 April (R-CETR-PA-2)", func(t *testing.T) {
		a := assess(t, "", filepath.Join(casesDir, "inpatient-child.json"))
		pa, ok := action(a, dsr.ActionPostAdmissionReview)
		if !ok {
			t.Fatalf("no post_admission_review in %v", kinds(a))
		}
		if want := calendar.MustParseDate("2026-04-13"); pa.Due != want {
			t.Errorf("post_admission_review due %s, want %s", pa.Due, want)
		}
	})
	t.Run("an agreed AMBER is reported beside the suggested BLUE (R-RAG-AGREED)", func(t *testing.T) {
		a := assess(t, "", filepath.Join(casesDir, "inpatient-child.json"))
		if a.AgreedRating != dsr.Amber {
			t.Errorf("agreed_rating = %q, want amber", a.AgreedRating)
		}
	})
	t.Run("no consent: not held, the decision says why, nothing due (R-CONS-1)", func(t *testing.T) {
		a := assess(t, "", filepath.Join(casesDir, "no-consent.json"))
		if a.Consent.Valid || len(a.Consent.Reasons) == 0 {
			t.Errorf("consent = %+v, want invalid with reasons", a.Consent)
		}
		if len(a.Actions) != 0 {
			t.Errorf("actions = %v, want none", kinds(a))
		}
	})
}

func TestAssessReadsStandardInput(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(casesDir, "red-child.json"))
	if err != nil {
		t.Fatal(err)
	}
	if a := assess(t, string(raw), "-"); a.Rating != dsr.Red {
		t.Errorf("rating = %q, want red", a.Rating)
	}
}

func TestAssessFlagsAfterTheFile(t *testing.T) {
	a := assess(t, "", filepath.Join(casesDir, "red-child.json"), "--policy", "national-2023")
	if a.Rating != dsr.Red {
		t.Errorf("rating = %q, want red", a.Rating)
	}
}

func TestAssessPolicyDirectory(t *testing.T) {
	dir := "../../policies/bundles/national-2023"
	embedded := assess(t, "", filepath.Join(casesDir, "inpatient-child.json"))
	fromDir := assess(t, "", "--policy", dir, filepath.Join(casesDir, "inpatient-child.json"))
	if fromDir.Rating != dsr.Blue {
		t.Errorf("rating = %q, want blue", fromDir.Rating)
	}
	if fromDir.Policy.Digest != embedded.Policy.Digest {
		t.Errorf("digest from the directory %s, embedded %s: want the same bundle", fromDir.Policy.Digest, embedded.Policy.Digest)
	}
}

func TestAssessSetOverridesAParameter(t *testing.T) {
	file := filepath.Join(casesDir, "red-child.json")
	base := assess(t, "", file)
	set := assess(t, "", "--set", `review_cadence={"red":{"n":7,"unit":"days"}}`, file)
	b, ok1 := action(base, dsr.ActionDSRReview)
	s, ok2 := action(set, dsr.ActionDSRReview)
	if !ok1 || !ok2 {
		t.Fatalf("dsr_review missing: default %v, with --set %v", kinds(base), kinds(set))
	}
	if got := b.Due.Sub(s.Due); got != 7 {
		t.Errorf("dsr_review due %s by default, %s with a 7-day RED cadence: want 7 days sooner (R-REV-1)", b.Due, s.Due)
	}
	if base.Policy.Digest == set.Policy.Digest {
		t.Errorf("digest unchanged by --set; the digest covers the parameters in force")
	}
}

func TestAssessPolicyErrors(t *testing.T) {
	file := filepath.Join(casesDir, "red-child.json")
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no such bundle or directory", []string{"--policy", "nowhere-2099"}, "nowhere-2099"},
		{"a file, not a directory", []string{"--policy", file}, "not a directory"},
		{"an empty directory is not a bundle", []string{"--policy", t.TempDir()}, "loading policy"},
		{"unknown parameter", []string{"--set", "no_such_param=1"}, "no_such_param"},
		{"parameter of the wrong type", []string{"--set", "rca_enabled=sometimes"}, "rca_enabled"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, "", append(append([]string{"assess"}, tt.args...), file)...)
			if r.code != exitFailure {
				t.Errorf("exit %d, want %d; stderr:\n%s", r.code, exitFailure, r.stderr)
			}
			if !strings.HasPrefix(r.stderr, "dsr: ") || !strings.Contains(r.stderr, tt.want) {
				t.Errorf("stderr = %q, want a dsr: message mentioning %q", r.stderr, tt.want)
			}
			if r.stdout != "" {
				t.Errorf("stdout = %q, want nothing", r.stdout)
			}
		})
	}
}

// validCase is a case that passes every check; the bad inputs below each
// break one thing.
const validCase = `{
  "as_of": "2026-04-01",
  "person": {"id": "person-z", "nhs_number": "9991000070", "date_of_birth": "2012-05-01", "autism": true},
  "circumstances": {"escalating_behaviour": true},
  "events": [{"type": "consent_given", "date": "2026-03-01", "given_by": "parent"}]
}`

func TestAssessRejectsBadInput(t *testing.T) {
	tests := []struct {
		name  string
		input string
		want  []string // each must appear in one "dsr: invalid case:" line
	}{
		{"NHS number failing the Modulus 11 check",
			strings.Replace(validCase, "9991000070", "9991000071", 1), []string{"person.nhs_number", "Modulus 11"}},
		{"NHS number with nine digits",
			strings.Replace(validCase, "9991000070", "999100007", 1), []string{"person.nhs_number"}},
		{"date of birth after as_of",
			strings.Replace(validCase, "2012-05-01", "2026-05-01", 1), []string{"person.date_of_birth", "after as_of"}},
		{"a date that does not exist",
			strings.Replace(validCase, `"as_of": "2026-04-01"`, `"as_of": "2026-02-30"`, 1), []string{"as_of"}},
		{"unknown event type",
			strings.Replace(validCase, "consent_given", "moved_house", 1), []string{"events[0].type", "moved_house"}},
		{"discharge with no admission",
			strings.Replace(validCase, `"events": [`, `"events": [{"type": "discharged", "date": "2026-02-01"}, `, 1),
			[]string{"events[0]", "no admission"}},
		{"autism given as a string",
			strings.Replace(validCase, `"autism": true`, `"autism": "yes"`, 1), []string{"person.autism", "boolean"}},
		{"unknown top-level field",
			strings.Replace(validCase, `"as_of"`, `"favourite_colour": "blue", "as_of"`, 1), []string{"favourite_colour", "unknown field"}},
		{"unknown person field",
			strings.Replace(validCase, `"autism": true`, `"autism": true, "shoe_size": 5`, 1), []string{"person.shoe_size", "unknown field"}},
		{"person without an id",
			strings.Replace(validCase, `"id": "person-z", `, "", 1), []string{"person.id", "required"}},
		{"event without a type",
			strings.Replace(validCase, `"type": "consent_given", `, "", 1), []string{"events[0].type", "required"}},
		{"no as_of",
			strings.Replace(validCase, `"as_of": "2026-04-01",`, "", 1), []string{"as_of", "required"}},
		{"malformed JSON", `{"as_of": "2026-04-01",`, []string{"$"}},
		{"trailing data", validCase + `{}`, []string{"$"}},
		{"empty input", "", []string{"$"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, tt.input, "assess", "-")
			if r.code != exitUsage {
				t.Fatalf("exit %d, want %d; stderr:\n%s", r.code, exitUsage, r.stderr)
			}
			if r.stdout != "" {
				t.Errorf("stdout = %q, want nothing", r.stdout)
			}
			var lines []string
			for _, l := range strings.Split(strings.TrimSpace(r.stderr), "\n") {
				if !strings.HasPrefix(l, "dsr: invalid case: ") {
					t.Errorf("stderr line %q does not start with %q", l, "dsr: invalid case: ")
				}
				lines = append(lines, l)
			}
			if !slices.ContainsFunc(lines, func(l string) bool {
				for _, w := range tt.want {
					if !strings.Contains(l, w) {
						return false
					}
				}
				return true
			}) {
				t.Errorf("no stderr line mentions all of %q:\n%s", tt.want, r.stderr)
			}
		})
	}
}

func TestAssessValidCaseBaseline(t *testing.T) {
	// The bad inputs above differ from this case by one change each.
	if a := assess(t, validCase, "-"); a.Rating != dsr.Amber {
		t.Errorf("rating = %q, want amber", a.Rating)
	}
}

func TestAssessUsageErrors(t *testing.T) {
	file := filepath.Join(casesDir, "red-child.json")
	tests := []struct {
		name string
		args []string
		code int
	}{
		{"no file", []string{"assess"}, exitUsage},
		{"two files", []string{"assess", file, file}, exitUsage},
		{"unknown flag", []string{"assess", "--frobnicate", file}, exitUsage},
		{"--set without =", []string{"assess", "--set", "commencement", file}, exitUsage},
		{"--set with an empty name", []string{"assess", "--set", "=1", file}, exitUsage},
		{"missing file", []string{"assess", filepath.Join(t.TempDir(), "absent.json")}, exitFailure},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, "", tt.args...)
			if r.code != tt.code {
				t.Errorf("exit %d, want %d; stderr:\n%s", r.code, tt.code, r.stderr)
			}
			if r.stderr == "" || r.stdout != "" {
				t.Errorf("stdout %q, stderr %q: want the message on stderr only", r.stdout, r.stderr)
			}
		})
	}
	t.Run("-h prints the options on stdout", func(t *testing.T) {
		r := runCLI(t, "", "assess", "-h")
		if r.code != exitOK || !strings.Contains(r.stdout, "--policy") || !strings.Contains(r.stdout, "--set") {
			t.Errorf("exit %d, stdout:\n%s", r.code, r.stdout)
		}
	})
}

func TestParseValue(t *testing.T) {
	tests := []struct {
		in   string
		want any
	}{
		{"2026-01-01", "2026-01-01"},
		{"days", "days"},
		{"", ""},
		{"1 2", "1 2"},
		{"true", true},
		{"false", false},
		{"null", nil},
		{"14", json.Number("14")},
		{"0.5", json.Number("0.5")},
		{`"2026-01-01"`, "2026-01-01"},
		{`["a","b"]`, []any{"a", "b"}},
		{`{"red":{"n":7,"unit":"days"}}`, map[string]any{"red": map[string]any{"n": json.Number("7"), "unit": "days"}}},
		{`{"red":`, `{"red":`},
	}
	for _, tt := range tests {
		if got := parseValue(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("parseValue(%q) = %#v, want %#v", tt.in, got, tt.want)
		}
	}
}

func TestSetFlagKeepsOrderAndSplitsOnFirstEquals(t *testing.T) {
	var p paramFlag
	for _, s := range []string{"commencement=2026-01-01", "label=a=b", `review_cadence={"red":{"n":7,"unit":"days"}}`, "commencement=2027-01-01"} {
		if err := p.Set(s); err != nil {
			t.Fatalf("Set(%q): %v", s, err)
		}
	}
	want := []param{
		{"commencement", "2026-01-01"},
		{"label", "a=b"},
		{"review_cadence", map[string]any{"red": map[string]any{"n": json.Number("7"), "unit": "days"}}},
		{"commencement", "2027-01-01"},
	}
	if !reflect.DeepEqual([]param(p), want) {
		t.Errorf("params = %#v, want %#v", p, want)
	}
	for _, bad := range []string{"commencement", "=x", " =x"} {
		if err := p.Set(bad); err == nil {
			t.Errorf("Set(%q) = nil, want an error", bad)
		}
	}
}

func TestSchemaCommand(t *testing.T) {
	for _, name := range []string{"case", "assessment"} {
		t.Run(name, func(t *testing.T) {
			r := runCLI(t, "", "schema", name)
			if r.code != exitOK {
				t.Fatalf("exit %d; stderr:\n%s", r.code, r.stderr)
			}
			var doc map[string]any
			if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
				t.Fatalf("not JSON: %v", err)
			}
			if doc["$schema"] != "https://json-schema.org/draft/2020-12/schema" || doc["type"] != "object" {
				t.Errorf("$schema %v, type %v", doc["$schema"], doc["type"])
			}
		})
	}
	t.Run("the printed case schema accepts the examples and rejects an unknown field", func(t *testing.T) {
		r := runCLI(t, "", "schema", "case")
		v := compilePrinted(t, r.stdout)
		entries, err := os.ReadDir(casesDir)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, e := range entries {
			if filepath.Ext(e.Name()) != ".json" {
				continue
			}
			raw, err := os.ReadFile(filepath.Join(casesDir, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			if err := v.Validate(raw); err != nil {
				t.Errorf("%s: %v", e.Name(), err)
			}
			n++
		}
		if n < 4 {
			t.Errorf("%d example cases, want at least 4", n)
		}
		bad := strings.Replace(validCase, `"as_of"`, `"nickname": "A", "as_of"`, 1)
		err = v.Validate([]byte(bad))
		var ve *dsr.ValidationError
		if !errors.As(err, &ve) || ve.Field != "nickname" {
			t.Errorf("unknown field: got %v, want a ValidationError for nickname", err)
		}
	})
	for _, tt := range []struct {
		name string
		args []string
	}{
		{"no name", []string{"schema"}},
		{"unknown name", []string{"schema", "person"}},
		{"two names", []string{"schema", "case", "assessment"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, "", tt.args...)
			if r.code != exitUsage || r.stdout != "" || !strings.Contains(r.stderr, "case|assessment") {
				t.Errorf("exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
			}
		})
	}
}

// compilePrinted compiles schema JSON as printed by `dsr schema`.
func compilePrinted(t *testing.T, printed string) *schema.Validator {
	t.Helper()
	v, err := schema.Compile([]byte(printed))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestRun(t *testing.T) {
	for _, args := range [][]string{{"help"}, {"-h"}, {"--help"}} {
		r := runCLI(t, "", args...)
		if r.code != exitOK {
			t.Errorf("%v: exit %d", args, r.code)
		}
		for _, sub := range []string{"assess", "schema", "help"} {
			if !strings.Contains(r.stdout, "dsr "+sub) {
				t.Errorf("%v: usage does not list %q:\n%s", args, sub, r.stdout)
			}
		}
	}
	r := runCLI(t, "")
	if r.code != exitUsage || !strings.Contains(r.stderr, "Usage") {
		t.Errorf("no arguments: exit %d, stderr %q", r.code, r.stderr)
	}
	r = runCLI(t, "", "frobnicate")
	if r.code != exitUsage || !strings.Contains(r.stderr, `unknown command "frobnicate"`) {
		t.Errorf("unknown command: exit %d, stderr %q", r.code, r.stderr)
	}
}

// FuzzDecodeCase checks that any input either decodes or is rejected as
// invalid input naming a field, and never panics.
func FuzzDecodeCase(f *testing.F) {
	entries, _ := os.ReadDir(casesDir)
	for _, e := range entries {
		if raw, err := os.ReadFile(filepath.Join(casesDir, e.Name())); err == nil && filepath.Ext(e.Name()) == ".json" {
			f.Add(raw)
		}
	}
	f.Add([]byte(validCase))
	f.Add([]byte(`{"as_of": "2026-04-01", "person": {"id": "x", "date_of_birth": "2026-05-01"}}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		_, err := decodeCase(raw)
		if err == nil {
			return
		}
		for _, e := range flatten(err) {
			var ve *dsr.ValidationError
			if !errors.As(e, &ve) || ve.Field == "" {
				t.Fatalf("error %v (%T) is not a ValidationError naming a field", e, e)
			}
		}
	})
}

// A case with faults the schema finds and faults only the domain checks
// find lists all of them in one run.
func TestAssessListsSchemaAndDomainFaultsAtOnce(t *testing.T) {
	input := strings.NewReplacer(
		`"autism": true`, `"autism": true, "shoe_size": 5`, // schema: unknown field
		"9991000070", "9991000071", // domain: Modulus 11
		"2012-05-01", "2026-05-01", // domain: born after as_of
	).Replace(validCase)
	r := runCLI(t, input, "assess", "-")
	if r.code != exitUsage {
		t.Fatalf("exit %d, want %d; stderr:\n%s", r.code, exitUsage, r.stderr)
	}
	for _, want := range []string{"person.shoe_size: unknown field", "person.nhs_number: NHS number \"9991000071\" fails the Modulus 11 check", "person.date_of_birth: 2026-05-01 is after as_of"} {
		if !strings.Contains(r.stderr, "dsr: invalid case: "+want) {
			t.Errorf("stderr does not say %q:\n%s", want, r.stderr)
		}
	}
}

// dsr assess and dsr.UnmarshalCase read NHS numbers alike: grouped 3-3-4
// with spaces or hyphens, or not, and keep the ten digits.
func TestAssessAndUnmarshalCaseAgreeOnNHSNumbers(t *testing.T) {
	for _, n := range []string{"9991000070", "999 100 0070", "999-100-0070"} {
		input := strings.Replace(validCase, "9991000070", n, 1)
		c, err := dsr.UnmarshalCase([]byte(input))
		if err != nil {
			t.Fatalf("UnmarshalCase(%q): %v", n, err)
		}
		if c.Person.NHSNumber != "9991000070" {
			t.Errorf("UnmarshalCase(%q) read %q, want the ten digits", n, c.Person.NHSNumber)
		}
		r := runCLI(t, input, "assess", "-")
		if r.code != exitOK {
			t.Errorf("dsr assess with %q: exit %d, stderr:\n%s", n, r.code, r.stderr)
		}
	}
	for _, n := range []string{"999  100 0070", "99910 00070", "999 100 007"} {
		input := strings.Replace(validCase, "9991000070", n, 1)
		_, err := dsr.UnmarshalCase([]byte(input))
		r := runCLI(t, input, "assess", "-")
		if err == nil || r.code != exitUsage {
			t.Errorf("%q: UnmarshalCase error %v, dsr assess exit %d: both should refuse it", n, err, r.code)
		}
	}
}
