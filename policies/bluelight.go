package policies

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"github.com/dsrkit/dsrkit/internal/bundle"
	"slices"
	"strings"

	"github.com/dsrkit/dsrkit/internal/eval"

	"github.com/dsrkit/dsrkit/bluelight"
	"github.com/dsrkit/dsrkit/dsr"
)

// blueLightParams are the bundle's Blue Light parameters, decoded and
// checked at load, and the Go rules that decide with them where the bundle
// has no Blue Light decision point.
type blueLightParams struct {
	rules *bluelight.GoRules
}

// decodeBlueLightParams reads the bundle's parameters named as
// bluelight.Params' JSON fields (blue_light_max_funded_hours, ...) over
// bluelight.DefaultParams: a bundle that sets none decides with Wiltshire's
// defaults. A value of the wrong shape, an unknown role or option, or
// parameters that bluelight.Params.Validate rejects fail Load with a
// *ParamError per parameter.
func decodeBlueLightParams(params map[string]any) (blueLightParams, error) {
	p := bluelight.DefaultParams()
	raw, err := json.Marshal(params)
	if err != nil {
		return blueLightParams{}, &ParamError{File: bundle.ParamsFile, Param: "blue_light_*", Problem: err.Error()}
	}
	if err := json.Unmarshal(raw, &p); err != nil {
		param := "blue_light_*"
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			param = te.Field
		}
		return blueLightParams{}, &ParamError{File: bundle.ParamsFile, Param: param, Problem: strings.TrimPrefix(err.Error(), "json: ")}
	}
	rules, err := bluelight.NewGoRules(p)
	if err != nil {
		var errs []error
		for _, e := range unjoin(err) {
			var ve *dsr.ValidationError
			if errors.As(e, &ve) {
				errs = append(errs, &ParamError{File: bundle.ParamsFile, Param: ve.Field, Problem: ve.Problem + ruleSuffix(ve.Rule)})
			} else {
				errs = append(errs, &ParamError{File: bundle.ParamsFile, Param: "blue_light_*", Problem: e.Error()})
			}
		}
		return blueLightParams{}, errors.Join(errs...)
	}
	return blueLightParams{rules: rules}, nil
}

func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

func ruleSuffix(rule string) string {
	if rule == "" {
		return ""
	}
	return " (" + rule + ")"
}

// BlueLightRules returns the engine's bundle as bluelight.Rules: Params
// are the bundle's Blue Light parameters (bluelight.DefaultParams where the
// bundle sets none), and Criteria, Invitees and Funding evaluate the
// bundle's bluelight_criteria, bluelight_invitees and bluelight_funding
// points, in Rego or CEL. A point the bundle does not define is decided by
// bluelight.GoRules with the same parameters. Reasons come back sorted by
// rule and message, refusals by field, and unmet conditions in the order
// of R-BL-CRIT. A decision that breaks the contract (a missing "met", an
// unknown role, a refusal without a rule id) is an error matching
// ErrEvaluation, never a silent yes. Safe for concurrent use.
func BlueLightRules(e *Engine) bluelight.Rules { return blueLightRules{e} }

type blueLightRules struct{ e *Engine }

func (r blueLightRules) Params() bluelight.Params { return r.e.blueLight.rules.Params() }

// unmetOrder is the order of R-BL-CRIT's conditions.
var unmetOrder = []string{bluelight.CondCrisis, bluelight.CondNoTimeForCETR, bluelight.CondKnownToServices}

func (r blueLightRules) Criteria(ctx context.Context, in bluelight.CriteriaInput) (bluelight.CriteriaDecision, error) {
	if !r.e.hasOptional(PointBlueLightCriteria) {
		return r.e.blueLight.rules.Criteria(ctx, in)
	}
	m, err := r.e.decide(ctx, PointBlueLightCriteria, &eval.CriteriaInput{
		UnexpectedCrisis: in.UnexpectedCrisis, CrisisPlanBreakdown: in.CrisisPlanBreakdown,
		CannotSupportAtHome: in.CannotSupportAtHome, NoTimeForCETR: in.NoTimeForCETR, KnownToServices: in.KnownToServices,
	})
	if err != nil {
		return bluelight.CriteriaDecision{}, err
	}
	var raw struct {
		Met     *bool        `json:"met"`
		Unmet   []string     `json:"unmet"`
		Reasons []dsr.Reason `json:"reasons"`
	}
	if err := eval.DecodeDecision(PointBlueLightCriteria, m, &raw); err != nil {
		return bluelight.CriteriaDecision{}, err
	}
	if raw.Met == nil {
		return bluelight.CriteriaDecision{}, eval.PointError(PointBlueLightCriteria, `no "met"`)
	}
	if !*raw.Met && len(raw.Unmet) == 0 {
		return bluelight.CriteriaDecision{}, eval.PointError(PointBlueLightCriteria, "not met, but no condition is unmet")
	}
	reasons, err := checkedReasons(PointBlueLightCriteria, raw.Reasons)
	if err != nil {
		return bluelight.CriteriaDecision{}, err
	}
	slices.SortStableFunc(raw.Unmet, func(a, b string) int {
		ia, ib := slices.Index(unmetOrder, a), slices.Index(unmetOrder, b)
		if ia < 0 {
			ia = len(unmetOrder)
		}
		if ib < 0 {
			ib = len(unmetOrder)
		}
		return cmp.Or(cmp.Compare(ia, ib), strings.Compare(a, b))
	})
	d := bluelight.CriteriaDecision{Met: *raw.Met, Reasons: reasons}
	if len(raw.Unmet) > 0 {
		d.Unmet = raw.Unmet
	}
	return d, nil
}

func (r blueLightRules) Invitees(ctx context.Context, in bluelight.InviteesInput) (bluelight.InviteesDecision, error) {
	if !r.e.hasOptional(PointBlueLightInvitees) {
		return r.e.blueLight.rules.Invitees(ctx, in)
	}
	m, err := r.e.decide(ctx, PointBlueLightInvitees, &eval.InviteesInput{Age: in.Age, PersonInvited: in.PersonInvited})
	if err != nil {
		return bluelight.InviteesDecision{}, err
	}
	var raw struct {
		Required []bluelight.Role `json:"required"`
		Invited  []bluelight.Role `json:"invited"`
		Reasons  []dsr.Reason     `json:"reasons"`
	}
	if err := eval.DecodeDecision(PointBlueLightInvitees, m, &raw); err != nil {
		return bluelight.InviteesDecision{}, err
	}
	if len(raw.Required) == 0 {
		return bluelight.InviteesDecision{}, eval.PointError(PointBlueLightInvitees, "no required roles")
	}
	reasons, err := checkedReasons(PointBlueLightInvitees, raw.Reasons)
	if err != nil {
		return bluelight.InviteesDecision{}, err
	}
	d := bluelight.InviteesDecision{Required: raw.Required, Reasons: reasons}
	if len(raw.Invited) > 0 {
		d.Invited = raw.Invited
	}
	return d, nil
}

func (r blueLightRules) Funding(ctx context.Context, in bluelight.FundingInput) (bluelight.FundingDecision, error) {
	if !r.e.hasOptional(PointBlueLightFunding) {
		return r.e.blueLight.rules.Funding(ctx, in)
	}
	req := in.Request
	m, err := r.e.decide(ctx, PointBlueLightFunding, &eval.FundingInput{
		Minutes: in.Minutes, CostPence: int64(req.Cost), Provider: req.Provider, ProviderAccredited: req.ProviderAccredited,
		Split:         eval.SplitInput{LocalAuthorityBP: req.Split.LocalAuthorityBP, HealthBP: req.Split.HealthBP},
		SplitAgreedBy: req.SplitAgreedBy,
	})
	if err != nil {
		return bluelight.FundingDecision{}, err
	}
	var raw struct {
		Authorised *bool               `json:"authorised"`
		Split      *bluelight.Split    `json:"split"`
		Refusals   []bluelight.Refusal `json:"refusals"`
		Reasons    []dsr.Reason        `json:"reasons"`
	}
	if err := eval.DecodeDecision(PointBlueLightFunding, m, &raw); err != nil {
		return bluelight.FundingDecision{}, err
	}
	switch {
	case raw.Authorised == nil:
		return bluelight.FundingDecision{}, eval.PointError(PointBlueLightFunding, `no "authorised"`)
	case raw.Split == nil:
		return bluelight.FundingDecision{}, eval.PointError(PointBlueLightFunding, `no "split"`)
	case *raw.Authorised && len(raw.Refusals) > 0:
		return bluelight.FundingDecision{}, eval.PointError(PointBlueLightFunding, "authorised, with refusals")
	case !*raw.Authorised && len(raw.Refusals) == 0:
		return bluelight.FundingDecision{}, eval.PointError(PointBlueLightFunding, "refused, with no refusal saying why")
	}
	if err := raw.Split.Validate("split"); err != nil {
		return bluelight.FundingDecision{}, eval.PointError(PointBlueLightFunding, "%v", err)
	}
	for _, f := range raw.Refusals {
		if f.Rule == "" || f.Field == "" {
			return bluelight.FundingDecision{}, eval.PointError(PointBlueLightFunding, "a refusal must name its field and rule: %+v", f)
		}
	}
	slices.SortFunc(raw.Refusals, func(a, b bluelight.Refusal) int {
		return cmp.Or(strings.Compare(a.Field, b.Field), strings.Compare(a.Rule, b.Rule), strings.Compare(a.Message, b.Message))
	})
	reasons, err := checkedReasons(PointBlueLightFunding, raw.Reasons)
	if err != nil {
		return bluelight.FundingDecision{}, err
	}
	d := bluelight.FundingDecision{Authorised: *raw.Authorised, Split: *raw.Split, Reasons: reasons}
	if len(raw.Refusals) > 0 {
		d.Refusals = raw.Refusals
	}
	return d, nil
}

// checkedReasons checks that every reason cites a rule and sorts them; no
// reasons is nil, as in bluelight.GoRules.
func checkedReasons(point string, rs []dsr.Reason) ([]dsr.Reason, error) {
	if len(rs) == 0 {
		return nil, nil
	}
	for _, r := range rs {
		if r.Rule == "" {
			return nil, eval.PointError(point, "a reason has no rule id: %q", r.Message)
		}
	}
	return sortedReasons(rs), nil
}
