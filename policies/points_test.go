package policies_test

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"reflect"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"pgregory.net/rapid"

	"github.com/dsrkit/dsrkit/bluelight"
	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/cetr"
	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/policies"
)

// pointParams are parameter sets under which the Rego and CEL Blue Light
// points must decide alike, and as bluelight.GoRules does with the same
// parameters: Wiltshire's defaults, and overrides that take every branch
// the defaults leave off.
var pointParams = []struct {
	name   string
	params map[string]any
}{
	{"national (Wiltshire's defaults)", nil},
	{"cap 48 hours, transition at 16", map[string]any{"blue_light_max_funded_hours": 48, "blue_light_transition_age": 16}},
	{"no safeguards, split 60/40", map[string]any{
		"blue_light_require_known_to_services": false, "blue_light_require_accredited": false,
		"blue_light_default_split": map[string]any{"local_authority_bp": 6000, "health_bp": 4000},
	}},
	{"no transition roles, odd split", map[string]any{
		"blue_light_transition_roles": []string{}, "blue_light_must_attend": []string{"commissioner", "family", "minute_taker"},
		"blue_light_default_split":    map[string]any{"local_authority_bp": 3333, "health_bp": 6667},
		"blue_light_max_funded_hours": 1,
	}},
}

func loadNamed(t testing.TB, name string, params map[string]any) *policies.Engine {
	t.Helper()
	var opts []policies.Option
	for k, v := range params {
		opts = append(opts, policies.WithParam(k, v))
	}
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

// normalised puts a decision in the adapters' documented order: reasons by
// rule and message, refusals by field.
func normalised[D any](d D) D {
	switch x := any(&d).(type) {
	case *bluelight.CriteriaDecision:
		x.Reasons = sortReasons(x.Reasons)
	case *bluelight.InviteesDecision:
		x.Reasons = sortReasons(x.Reasons)
	case *bluelight.FundingDecision:
		x.Reasons = sortReasons(x.Reasons)
		x.Refusals = slices.Clone(x.Refusals)
		slices.SortFunc(x.Refusals, func(a, b bluelight.Refusal) int {
			return cmp.Or(strings.Compare(a.Field, b.Field), strings.Compare(a.Rule, b.Rule), strings.Compare(a.Message, b.Message))
		})
	}
	return d
}

func sortReasons(rs []dsr.Reason) []dsr.Reason {
	rs = slices.Clone(rs)
	slices.SortFunc(rs, func(a, b dsr.Reason) int {
		return cmp.Or(strings.Compare(a.Rule, b.Rule), strings.Compare(a.Message, b.Message))
	})
	return rs
}

func drawCriteria(t *rapid.T) bluelight.CriteriaInput {
	return bluelight.CriteriaInput{
		UnexpectedCrisis:    rapid.Bool().Draw(t, "unexpected_crisis"),
		CrisisPlanBreakdown: rapid.Bool().Draw(t, "crisis_plan_breakdown"),
		CannotSupportAtHome: rapid.Bool().Draw(t, "cannot_support_at_home"),
		NoTimeForCETR:       rapid.Bool().Draw(t, "no_time_for_cetr"),
		KnownToServices:     rapid.Bool().Draw(t, "known_to_services"),
	}
}

func drawFunding(t *rapid.T) bluelight.FundingInput {
	start := time.Date(2026, 10, 23, 20, 0, 0, 0, calendar.London)
	minutes := rapid.OneOf(rapid.Int64Range(1, 200*60), rapid.SampledFrom([]int64{60, 47 * 60, 48 * 60, 48*60 + 1, 72 * 60, 72*60 + 1, 30})).Draw(t, "minutes")
	splits := []bluelight.Split{{}, {LocalAuthorityBP: 5000, HealthBP: 5000}, {LocalAuthorityBP: 6000, HealthBP: 4000},
		{LocalAuthorityBP: 3333, HealthBP: 6667}, {LocalAuthorityBP: 10000}, {HealthBP: 10000}, {LocalAuthorityBP: 6250, HealthBP: 3750}, {LocalAuthorityBP: 9995, HealthBP: 5}}
	req := bluelight.FundingRequest{
		Support:            "two support workers at home",
		Provider:           rapid.SampledFrom([]string{"Provider A", "Provider 100% B"}).Draw(t, "provider"),
		ProviderAccredited: rapid.Bool().Draw(t, "accredited"),
		Start:              start,
		Stop:               start.Add(time.Duration(minutes) * time.Minute),
		Cost:               bluelight.Pence(rapid.Int64Range(0, 10_000_000).Draw(t, "cost")),
		Split:              rapid.SampledFrom(splits).Draw(t, "split"),
		SplitAgreedBy:      rapid.SampledFrom([]string{"", "Director B"}).Draw(t, "agreed_by"),
	}
	return bluelight.FundingInput{Request: req, Minutes: minutes}
}

// The Blue Light points decide alike in Rego and CEL, and as
// bluelight.GoRules does with the same parameters, over generated inputs;
// on the national defaults the parameters are Wiltshire's.
func TestBlueLightPointsRegoCELAndGoAgree(t *testing.T) {
	for _, ps := range pointParams {
		t.Run(ps.name, func(t *testing.T) {
			rego := policies.BlueLightRules(loadNamed(t, "national-2023", ps.params))
			cel := policies.BlueLightRules(loadNamed(t, "national-2023-cel", ps.params))
			if !reflect.DeepEqual(rego.Params(), cel.Params()) {
				t.Fatalf("params differ:\nrego %+v\ncel  %+v", rego.Params(), cel.Params())
			}
			if ps.params == nil && !reflect.DeepEqual(rego.Params(), bluelight.DefaultParams()) {
				t.Fatalf("national params %+v, want bluelight.DefaultParams %+v", rego.Params(), bluelight.DefaultParams())
			}
			goRules, err := bluelight.NewGoRules(rego.Params())
			if err != nil {
				t.Fatal(err)
			}
			// Each check draws a batch (a failure still shrinks to one
			// input): 100 checks give 3,000 inputs per parameter set.
			rapid.Check(t, func(t *rapid.T) {
				for range 10 {
					agree(t, "criteria", drawCriteria(t), rego.Criteria, cel.Criteria, goRules.Criteria)
					in := bluelight.InviteesInput{Age: rapid.IntRange(0, 30).Draw(t, "age"), PersonInvited: rapid.Bool().Draw(t, "person_invited")}
					agree(t, "invitees", in, rego.Invitees, cel.Invitees, goRules.Invitees)
					agree(t, "funding", drawFunding(t), rego.Funding, cel.Funding, goRules.Funding)
				}
			})
		})
	}
}

func agree[I, D any](t *rapid.T, what string, in I, rego, cel, golang func(context.Context, I) (D, error)) {
	ctx := context.Background()
	r, err := rego(ctx, in)
	if err != nil {
		t.Fatalf("%s rego: %v", what, err)
	}
	c, err := cel(ctx, in)
	if err != nil {
		t.Fatalf("%s cel: %v", what, err)
	}
	g, err := golang(ctx, in)
	if err != nil {
		t.Fatalf("%s go: %v", what, err)
	}
	if !reflect.DeepEqual(r, c) {
		t.Fatalf("%s on %+v:\nrego %+v\ncel  %+v", what, in, r, c)
	}
	if g = normalised(g); !reflect.DeepEqual(r, g) {
		t.Fatalf("%s on %+v:\nrego %+v\ngo   %+v", what, in, r, g)
	}
}

// cetr_rules gives cetr.DefaultParams on the national defaults, in both
// engines, and follows the area's parameters alike in both.
func TestCETRRulesRegoCELAndDefaultsAgree(t *testing.T) {
	ctx := context.Background()
	for _, ps := range []map[string]any{
		nil,
		{"cetr_education_member": "required", "cetr_escalation": map[string]any{"n": 10, "unit": "working_days"},
			"review_report": map[string]any{"n": 5, "unit": "working_days"}, "cetr_papers_lead_hours": 48,
			"ehcp_extends_cetr": false, "cetr_consent_notice_days": 0, "cetr_rating_agreement": map[string]any{"n": 7, "unit": "days"}},
	} {
		rp, err := policies.CETRParams(ctx, loadNamed(t, "national-2023", ps))
		if err != nil {
			t.Fatal(err)
		}
		cp, err := policies.CETRParams(ctx, loadNamed(t, "national-2023-cel", ps))
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(rp, cp) {
			t.Fatalf("rego %+v\ncel  %+v", rp, cp)
		}
		if ps == nil {
			if !reflect.DeepEqual(rp, cetr.DefaultParams()) {
				t.Errorf("national %+v, want cetr.DefaultParams %+v", rp, cetr.DefaultParams())
			}
			continue
		}
		want := cetr.Params{
			ReportDeadline:          calendar.Deadline{N: 5, Unit: calendar.WorkingDays},
			StatutoryReportDeadline: calendar.Deadline{N: 14, Unit: calendar.DaysBeginningWith},
			PapersLeadHours:         48,
			Escalation:              calendar.Deadline{N: 10, Unit: calendar.WorkingDays},
			EducationMember:         cetr.Required,
			EHCPExtendsCETR:         false,
			ConsentNoticeDays:       0,
			RatingAgreement:         calendar.Deadline{N: 7, Unit: calendar.Days},
		}
		if !reflect.DeepEqual(rp, want) {
			t.Errorf("tuned %+v, want %+v", rp, want)
		}
	}
}

// The statutory report deadline is mha-2025's statutory_report, the same
// parameter its statutory actions use.
func TestCETRStatutoryReportFollowsMHA2025(t *testing.T) {
	p, err := policies.CETRParams(context.Background(), loadNamed(t, "mha-2025", map[string]any{"statutory_report": map[string]any{"n": 10, "unit": "days_beginning_with"}}))
	if err != nil {
		t.Fatal(err)
	}
	if want := (calendar.Deadline{N: 10, Unit: calendar.DaysBeginningWith}); p.StatutoryReportDeadline != want {
		t.Errorf("statutory report %v, want %v", p.StatutoryReportDeadline, want)
	}
}

// overlay is a local bundle extending parent with params.
func overlay(parent, params string, extra map[string]string, manifestExtra string) fs.FS {
	m := fstest.MapFS{
		".manifest":        {Data: []byte(fmt.Sprintf(`{"metadata": {"name": "local", "version": "0.1.0", "extends": %q, "sources": ["a test"], "decision_points": {%s}}}`, parent, manifestExtra))},
		"params/data.json": {Data: []byte(params)},
	}
	for k, v := range extra {
		m[k] = &fstest.MapFile{Data: []byte(v)}
	}
	return m
}

// R-BL-FUND: an overlay that caps funding at 48 hours refuses 60 hours, in
// either engine, through the rules and through a meeting.
func TestOverlayFundingCapRefusesSixtyHours(t *testing.T) {
	ctx := context.Background()
	for _, parent := range []string{"national-2023", "national-2023-cel"} {
		t.Run(parent, func(t *testing.T) {
			e, err := policies.Load(ctx, overlay(parent, `{"blue_light_max_funded_hours": 48}`, nil, ""))
			if err != nil {
				t.Fatal(err)
			}
			rules := policies.BlueLightRules(e)
			if got := rules.Params().MaxFundedHours; got != 48 {
				t.Fatalf("cap %d, want 48", got)
			}
			start := time.Date(2026, 10, 23, 20, 0, 0, 0, calendar.London) // a Friday evening
			req := bluelight.FundingRequest{
				Support: "support at home", Provider: "Provider A", ProviderAccredited: true,
				Start: start, Stop: start.Add(60 * time.Hour), Cost: 360000,
			}
			d, err := rules.Funding(ctx, bluelight.FundingInput{Request: req, Minutes: 60 * 60})
			if err != nil {
				t.Fatal(err)
			}
			if d.Authorised || len(d.Refusals) != 1 || d.Refusals[0].Rule != "R-BL-FUND" || d.Refusals[0].Field != "funding.stop" {
				t.Fatalf("60 hours under a 48-hour cap: %+v, want refused with R-BL-FUND on funding.stop", d)
			}
			if want := "60h of support is over the cap of 48 hours"; d.Refusals[0].Message != want {
				t.Errorf("message %q, want %q", d.Refusals[0].Message, want)
			}

			m, err := bluelight.Open(ctx, rules, bluelight.Opening{
				ID: "bl-1", PersonID: "person-a", DateOfBirth: calendar.MustParseDate("2011-03-01"),
				Criteria:        bluelight.CriteriaInput{UnexpectedCrisis: true, NoTimeForCETR: true, KnownToServices: true},
				InvitationsSent: start.Add(-time.Hour), CallAt: start,
			})
			if err != nil {
				t.Fatal(err)
			}
			err = m.Fund(ctx, req)
			var re *bluelight.RuleError
			if !errors.As(err, &re) || re.Rule != "R-BL-FUND" || !errors.Is(err, bluelight.ErrRefused) {
				t.Fatalf("Fund 60 hours: %v, want a R-BL-FUND refusal", err)
			}
			req.Stop = start.Add(48 * time.Hour)
			if err := m.Fund(ctx, req); err != nil {
				t.Fatalf("Fund 48 hours: %v", err)
			}
		})
	}
}

// An overlay may replace a Blue Light point in the other language: here a
// CEL funding point over national-2023's Rego that refuses everything over
// 24 hours whatever the cap.
func TestOverlayReplacesAPointInCEL(t *testing.T) {
	ctx := context.Background()
	rule := `{"authorised": input.minutes <= 24 * 60, "split": params.blue_light_default_split,
	  "refusals": input.minutes <= 24 * 60 ? [] : [{"field": "funding.stop", "rule": "R-LOCAL-FUND", "message": "over %d minutes", "args": [24 * 60]}],
	  "reasons": []}`
	e, err := policies.Load(ctx, overlay("national-2023", `{}`, map[string]string{"funding.cel": rule}, `"bluelight_funding": "funding.cel"`))
	if err != nil {
		t.Fatal(err)
	}
	if got := e.Policy().Engine; got != "rego+cel" {
		t.Errorf("engine %q, want rego+cel", got)
	}
	d, err := policies.BlueLightRules(e).Funding(ctx, bluelight.FundingInput{Minutes: 25 * 60})
	if err != nil {
		t.Fatal(err)
	}
	if d.Authorised || d.Refusals[0].Rule != "R-LOCAL-FUND" || d.Refusals[0].Message != "over 1440 minutes" {
		t.Errorf("decision %+v, want refused by R-LOCAL-FUND", d)
	}
}

// A bundle without the optional points decides in Go: Blue Light with the
// bundle's parameters, C(E)TR with cetr.DefaultParams.
func TestBundleWithoutOptionalPointsFallsBackToGo(t *testing.T) {
	ctx := context.Background()
	base, err := policies.Bundle("national-2023")
	if err != nil {
		t.Fatal(err)
	}
	m := fstest.MapFS{}
	err = fs.WalkDir(base, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasPrefix(p, "bluelight_") || strings.HasPrefix(p, "cetr_rules") {
			return err
		}
		b, err := fs.ReadFile(base, p)
		m[p] = &fstest.MapFile{Data: b}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	mf := string(m[".manifest"].Data)
	for _, p := range policies.OptionalPoints {
		mf = strings.Replace(mf, fmt.Sprintf(",\n      %q: %q", p, p+".rego"), "", 1)
	}
	m[".manifest"] = &fstest.MapFile{Data: []byte(mf)}
	m["params/data.json"] = &fstest.MapFile{Data: []byte(strings.Replace(string(m["params/data.json"].Data), `"blue_light_max_funded_hours": 72`, `"blue_light_max_funded_hours": 36`, 1))}
	e, err := policies.Load(ctx, m)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range policies.OptionalPoints {
		if e.HasPoint(p) {
			t.Fatalf("%s still defined", p)
		}
		if _, err := e.Decide(ctx, p, nil); !errors.Is(err, policies.ErrNoDecisionPoint) {
			t.Errorf("Decide(%s): %v, want ErrNoDecisionPoint", p, err)
		}
	}
	rules := policies.BlueLightRules(e)
	d, err := rules.Funding(ctx, bluelight.FundingInput{Minutes: 37 * 60, Request: bluelight.FundingRequest{Provider: "Provider A", ProviderAccredited: true}})
	if err != nil {
		t.Fatal(err)
	}
	if d.Authorised {
		t.Errorf("37 hours under the bundle's 36-hour cap authorised in Go: %+v", d)
	}
	p, err := policies.CETRParams(ctx, e)
	if err != nil || !reflect.DeepEqual(p, cetr.DefaultParams()) {
		t.Errorf("CETRParams = %+v, %v; want cetr.DefaultParams", p, err)
	}
}

// Decide evaluates one optional point on JSON input, with messages
// formatted; bad input and assessment points are refused.
func TestDecide(t *testing.T) {
	ctx := context.Background()
	for _, name := range []string{"national-2023", "national-2023-cel"} {
		t.Run(name, func(t *testing.T) {
			e := loadNamed(t, name, nil)
			d, err := e.Decide(ctx, policies.PointBlueLightInvitees, map[string]any{"age": 17, "person_invited": true})
			if err != nil {
				t.Fatal(err)
			}
			if got := fmt.Sprint(d["invited"]); got != "[person]" {
				t.Errorf("invited %s, want [person]", got)
			}
			reasons := fmt.Sprint(d["reasons"])
			if !strings.Contains(reasons, "aged 17, at or past the transition age of 17") || strings.Contains(reasons, "args") {
				t.Errorf("reasons not formatted: %s", reasons)
			}
			if _, err := e.Decide(ctx, policies.PointBlueLightInvitees, map[string]any{"age": "seventeen"}); !errors.Is(err, dsr.ErrInvalid) {
				t.Errorf("age as a word: %v, want dsr.ErrInvalid", err)
			}
			if _, err := e.Decide(ctx, policies.PointBlueLightCriteria, map[string]any{"unexpected_crisys": true}); !errors.Is(err, dsr.ErrInvalid) {
				t.Errorf("unknown field: %v, want dsr.ErrInvalid", err)
			}
			if _, err := e.Decide(ctx, "rating", nil); !errors.Is(err, policies.ErrNoDecisionPoint) {
				t.Errorf("rating: %v, want ErrNoDecisionPoint (an assessment point)", err)
			}
			d, err = e.Decide(ctx, policies.PointCETRRules, nil)
			if err != nil || d["education_member"] != "advised" {
				t.Errorf("cetr_rules: %v, %v", d, err)
			}
		})
	}
}

// Bad optional points fail Load compiling eagerly (WithEagerCompile, as
// dsr policy test and build load): a CEL typo at its line and column with
// a caret, a Rego file in the wrong package, a cetr_rules decision cetr
// rejects, a Blue Light parameter bluelight rejects. By default a CEL
// optional point is compiled at its first use, which fails instead, with
// the same error, every time.
func TestBadOptionalPointsFailLoad(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name   string
		bundle fs.FS
		want   []string
		lazy   bool // a CEL optional point: by default, its first use fails
	}{
		{"CEL typo", overlay("national-2023-cel", `{}`, map[string]string{"c.cel": "{\"met\": input.unexpected_crisys,\n \"reasons\": []}"}, `"bluelight_criteria": "c.cel"`),
			[]string{"c.cel:1:", "undefined field 'unexpected_crisys'", "^"}, true},
		{"Rego package", overlay("national-2023", `{}`, map[string]string{"c.rego": "package dsr.criteria\n\ndecision := {}\n"}, `"bluelight_criteria": "c.rego"`),
			[]string{"c.rego:1:1", "package dsr.bluelight_criteria"}, false},
		{"cetr_rules decides nonsense", overlay("national-2023", `{"cetr_education_member": "sometimes"}`, nil, ""),
			[]string{"cetr_rules.rego", "education_member", "sometimes"}, false},
		{"unknown role", overlay("national-2023-cel", `{"blue_light_must_attend": ["commissioner", "bishop"]}`, nil, ""),
			[]string{"bishop"}, false},
		{"cap of zero", overlay("national-2023", `{"blue_light_max_funded_hours": 0}`, nil, ""),
			[]string{"blue_light_max_funded_hours", "below one hour"}, false},
		{"unknown point", overlay("national-2023", `{}`, map[string]string{"x.cel": "{}"}, `"bluelight_minutes": "x.cel"`),
			[]string{"unknown decision point", "cetr_rules"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := policies.Load(ctx, tc.bundle, policies.WithEagerCompile(true))
			if !errors.Is(err, policies.ErrBadBundle) {
				t.Fatalf("Load: %v, want ErrBadBundle", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
			e, err := policies.Load(ctx, tc.bundle)
			if !tc.lazy {
				if !errors.Is(err, policies.ErrBadBundle) {
					t.Fatalf("Load, lazily: %v, want ErrBadBundle", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Load, lazily: %v", err)
			}
			for range 2 {
				_, err = policies.BlueLightRules(e).Criteria(ctx, bluelight.CriteriaInput{UnexpectedCrisis: true})
				if !errors.Is(err, policies.ErrBadBundle) || !errors.Is(err, policies.ErrEvaluation) {
					t.Fatalf("first use: %v, want ErrBadBundle and ErrEvaluation", err)
				}
				for _, w := range tc.want {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("first use: error %q does not mention %q", err, w)
					}
				}
			}
		})
	}
}
