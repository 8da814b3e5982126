package policies

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"
	"cel.dev/cel-go/common/types/traits"
	"cel.dev/cel-go/ext"
	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/dsrkit/dsrkit/dsr"
)

// Optional decision points. A bundle may define any of them, in Rego or
// CEL, and an overlay may add or replace one; Assess never evaluates them.
// Each has its own input (documented in the national-2023 README) and is
// evaluated on its own by Decide, or through the typed adapters
// BlueLightRules and CETRParams. Where a bundle has none, the adapters
// decide in Go (bluelight.GoRules with the bundle's parameters,
// cetr.DefaultParams).
const (
	// PointBlueLightCriteria decides whether a Blue Light meeting may be
	// called (R-BL-CRIT).
	PointBlueLightCriteria = "bluelight_criteria"
	// PointBlueLightInvitees decides who must attend one (R-BL-INVITE).
	PointBlueLightInvitees = "bluelight_invitees"
	// PointBlueLightFunding decides whether support may be funded
	// (R-BL-FUND).
	PointBlueLightFunding = "bluelight_funding"
	// PointCETRRules gives what an area tunes about C(E)TR records: report
	// deadlines, papers lead time, escalation, the education member
	// (R-CETR-REPORT, R-CETR-STAT, R-CETR-DOCS, R-CETR-ACT, R-CETR-PANEL).
	PointCETRRules = "cetr_rules"
)

// OptionalPoints lists the decision points a bundle may define besides the
// assessment's Points.
var OptionalPoints = []string{PointBlueLightCriteria, PointBlueLightInvitees, PointBlueLightFunding, PointCETRRules}

// ErrNoDecisionPoint is returned by Decide for a point the bundle does not
// define, or one that is not an optional point.
var ErrNoDecisionPoint = errors.New("policies: no such decision point")

// The inputs of the optional points, as both engines see them: Rego as
// input.<field>, CEL as the typed variable input (input.<field>). JSON and
// CEL names are the same snake_case words.

// criteriaInput is bluelight_criteria's input.
type criteriaInput struct {
	UnexpectedCrisis    bool `json:"unexpected_crisis" cel:"unexpected_crisis"`
	CrisisPlanBreakdown bool `json:"crisis_plan_breakdown" cel:"crisis_plan_breakdown"`
	CannotSupportAtHome bool `json:"cannot_support_at_home" cel:"cannot_support_at_home"`
	NoTimeForCETR       bool `json:"no_time_for_cetr" cel:"no_time_for_cetr"`
	KnownToServices     bool `json:"known_to_services" cel:"known_to_services"`
}

// inviteesInput is bluelight_invitees' input.
type inviteesInput struct {
	Age           int  `json:"age" cel:"age"`
	PersonInvited bool `json:"person_invited" cel:"person_invited"`
}

// splitInput is a split in basis points; both 0 means none requested.
type splitInput struct {
	LocalAuthorityBP int `json:"local_authority_bp" cel:"local_authority_bp"`
	HealthBP         int `json:"health_bp" cel:"health_bp"`
}

// fundingInput is bluelight_funding's input.
type fundingInput struct {
	Minutes            int64      `json:"minutes" cel:"minutes"`
	CostPence          int64      `json:"cost_pence" cel:"cost_pence"`
	Provider           string     `json:"provider" cel:"provider"`
	ProviderAccredited bool       `json:"provider_accredited" cel:"provider_accredited"`
	Split              splitInput `json:"split" cel:"split"`
	SplitAgreedBy      string     `json:"split_agreed_by" cel:"split_agreed_by"`
}

// pointSpec is how an optional point's input is read and declared.
type pointSpec struct {
	newInput func() any      // a pointer to a zero input; nil: the point takes none
	celTypes []cel.EnvOption // native types for CEL
	celInput string          // the CEL type name of input, "" when none
}

var celTagged = cel.NativeTypeOption(types.ParseStructTags(true))

var pointSpecs = map[string]pointSpec{
	PointBlueLightCriteria: {
		newInput: func() any { return new(criteriaInput) },
		celTypes: []cel.EnvOption{cel.Types(cel.NativeTypeFor[criteriaInput](cel.NativeTypeAlias(celPkg+"BlueLightCriteriaInput"), celTagged))},
		celInput: celPkg + "BlueLightCriteriaInput",
	},
	PointBlueLightInvitees: {
		newInput: func() any { return new(inviteesInput) },
		celTypes: []cel.EnvOption{cel.Types(cel.NativeTypeFor[inviteesInput](cel.NativeTypeAlias(celPkg+"BlueLightInviteesInput"), celTagged))},
		celInput: celPkg + "BlueLightInviteesInput",
	},
	PointBlueLightFunding: {
		newInput: func() any { return new(fundingInput) },
		celTypes: []cel.EnvOption{cel.Types(
			cel.NativeTypeFor[splitInput](cel.NativeTypeAlias(celPkg+"BlueLightSplit"), celTagged),
			cel.NativeTypeFor[fundingInput](cel.NativeTypeAlias(celPkg+"BlueLightFundingInput"), celTagged),
		)},
		celInput: celPkg + "BlueLightFundingInput",
	},
	PointCETRRules: {},
}

// optionalPoints are an engine's compiled optional points.
type optionalPoints struct {
	rego    map[string]*regoStage
	cel     map[string]*celOptional
	celArgs ref.Val // params as CEL sees them
}

// celOptional is a compiled optional CEL point and the adapter of its
// environment (which knows the point's input type).
type celOptional struct {
	*celPoint
	adapter types.Adapter
}

func (o *optionalPoints) has(point string) bool {
	if o == nil {
		return false
	}
	_, r := o.rego[point]
	_, c := o.cel[point]
	return r || c
}

// optionalRegoPoints lists the optional points the bundle writes in Rego.
func optionalRegoPoints(b *bundle) []string {
	var out []string
	for _, p := range OptionalPoints {
		if src, ok := b.points[p]; ok && !src.isCEL() {
			out = append(out, p)
		}
	}
	return out
}

// loadOptional keeps the prepared Rego queries of the optional points (one
// each, prepared with the assessment's modules by Load) and compiles the
// CEL ones, each in its own environment: params as for the assessment
// points, and input typed for the point. CEL errors come back as a
// *LoadError with a caret, and the same cost limit holds.
func loadOptional(b *bundle, ruleParams map[string]any, regoPoints []string, regoStages []*regoStage) (*optionalPoints, error) {
	o := &optionalPoints{rego: map[string]*regoStage{}, cel: map[string]*celOptional{}}
	for i, p := range regoPoints {
		o.rego[p] = regoStages[i]
	}
	var celArgs map[string]any
	for _, p := range OptionalPoints {
		src, ok := b.points[p]
		if !ok || !src.isCEL() {
			continue
		}
		env, err := newPointEnv(pointSpecs[p])
		if err != nil {
			return nil, fmt.Errorf("policies: CEL environment for %s: %w", p, err)
		}
		if celArgs == nil {
			celArgs = celParams(ruleParams).(map[string]any)
		}
		prg, err := compileCEL(env, p, src, celArgs)
		if err != nil {
			return nil, err
		}
		o.cel[p] = &celOptional{celPoint: prg, adapter: env.CELTypeAdapter()}
		if o.celArgs == nil {
			o.celArgs = env.CELTypeAdapter().NativeToValue(celArgs)
		}
	}
	return o, nil
}

// newPointEnv declares what an optional CEL point sees: params (the
// bundle's parameters) and, for a point with input, input as its type.
func newPointEnv(spec pointSpec) (*cel.Env, error) {
	opts := slices.Clone(spec.celTypes)
	opts = append(opts,
		cel.Variable("params", cel.MapType(cel.StringType, cel.DynType)),
		ext.Bindings(),
		ext.TwoVarComprehensions(),
		ext.Strings(),
		ext.Lists(),
		ext.Sets(),
	)
	if spec.celInput != "" {
		opts = append(opts, cel.Variable("input", cel.ObjectType(spec.celInput)))
	}
	return cel.NewEnv(opts...)
}

// HasPoint reports whether the bundle defines the decision point: every
// bundle defines the assessment's Points; OptionalPoints only when written.
func (e *Engine) HasPoint(point string) bool {
	return slices.Contains(Points, point) || e.opt.has(point)
}

// Decide evaluates one optional decision point (OptionalPoints) on input,
// a JSON-like object with the fields the point reads (the national-2023
// README lists them; an unknown field or a value of the wrong type is a
// *dsr.ValidationError matching dsr.ErrInvalid). The decision comes back
// as JSON values (objects, arrays, strings, booleans, json.Number, nil),
// with sets as sorted arrays and each message already formatted with its
// args. A point the bundle does not define is ErrNoDecisionPoint: the
// caller decides what its absence means (BlueLightRules and CETRParams fall
// back to Go). A rule that fails is ErrEvaluation. Decide is safe for
// concurrent use.
func (e *Engine) Decide(ctx context.Context, point string, input map[string]any) (map[string]any, error) {
	spec, ok := pointSpecs[point]
	if !ok || !e.opt.has(point) {
		if slices.Contains(Points, point) {
			return nil, fmt.Errorf("%w: %s is an assessment point (use Assess)", ErrNoDecisionPoint, point)
		}
		return nil, fmt.Errorf("%w: bundle %s does not define %q", ErrNoDecisionPoint, e.ref.Name, point)
	}
	var in any
	if spec.newInput != nil {
		in = spec.newInput()
		raw, err := json.Marshal(input)
		if err != nil {
			return nil, &dsr.ValidationError{Field: "input", Problem: err.Error()}
		}
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(in); err != nil {
			return nil, &dsr.ValidationError{Field: "input", Problem: fmt.Sprintf("decision point %s: %v", point, err)}
		}
	} else if len(input) > 0 {
		return nil, &dsr.ValidationError{Field: "input", Problem: fmt.Sprintf("decision point %s takes no input", point)}
	}
	return e.decide(ctx, point, in)
}

// decide evaluates an optional point the engine has on in (a pointer to
// the point's input struct, or nil).
func (e *Engine) decide(ctx context.Context, point string, in any) (map[string]any, error) {
	var (
		out any
		err error
	)
	if st := e.opt.rego[point]; st != nil {
		out, err = decideRego(ctx, st, in)
	} else if p := e.opt.cel[point]; p != nil {
		out, err = e.opt.decideCEL(ctx, p, in)
	} else {
		return nil, fmt.Errorf("%w: bundle %s does not define %q", ErrNoDecisionPoint, e.ref.Name, point)
	}
	if err != nil {
		return nil, err
	}
	m, ok := out.(map[string]any)
	if !ok {
		return nil, pointError(point, "decision is %T, want an object", out)
	}
	if err := formatMessages(m); err != nil {
		return nil, pointError(point, "%v", err)
	}
	return m, nil
}

func decideRego(ctx context.Context, st *regoStage, in any) (any, error) {
	var input ast.Value = ast.NewObject()
	if in != nil {
		v, err := ast.InterfaceToValue(in)
		if err != nil {
			return nil, fmt.Errorf("%w: input: %v", ErrEvaluation, err)
		}
		input = v
	}
	arr, err := st.eval(ctx, input)
	if err != nil {
		return nil, err
	}
	out, err := ast.JSONWithOpt(arr.Elem(0).Value, ast.JSONOpt{SortSets: true})
	if err != nil {
		return nil, pointError(st.points[0], "%v", err)
	}
	return out, nil
}

func (o *optionalPoints) decideCEL(ctx context.Context, p *celOptional, in any) (any, error) {
	vars := map[string]any{"params": o.celArgs}
	if in != nil {
		vars["input"] = p.adapter.NativeToValue(in)
	}
	var (
		out ref.Val
		err error
	)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if ctx.Done() == nil {
		out, _, err = p.prg.Eval(vars)
	} else {
		out, _, err = p.prg.ContextEval(ctx, vars)
	}
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("%w: decision point %s (%s): %v", ErrEvaluation, p.name, p.file, err)
	}
	v, err := celToJSON(out)
	if err != nil {
		return nil, pointError(p.name, "%v", err)
	}
	return v, nil
}

// celToJSON converts a CEL value to the JSON values ast.JSON gives for
// Rego: numbers as json.Number, lists as []any, maps as map[string]any.
func celToJSON(v ref.Val) (any, error) {
	switch x := v.(type) {
	case types.Null:
		return nil, nil
	case types.Bool:
		return bool(x), nil
	case types.Int:
		return json.Number(strconv.FormatInt(int64(x), 10)), nil
	case types.Uint:
		return json.Number(strconv.FormatUint(uint64(x), 10)), nil
	case types.Double:
		return json.Number(strconv.FormatFloat(float64(x), 'g', -1, 64)), nil
	case types.String:
		return string(x), nil
	case traits.Mapper:
		out := map[string]any{}
		it := x.Iterator()
		for it.HasNext() == types.True {
			k := it.Next()
			ks, ok := k.(types.String)
			if !ok {
				return nil, fmt.Errorf("a map key is %s, want a string", k.Type().TypeName())
			}
			ev, err := celToJSON(x.Get(k))
			if err != nil {
				return nil, err
			}
			out[string(ks)] = ev
		}
		return out, nil
	case traits.Lister:
		n, _ := x.Size().(types.Int)
		out := make([]any, int(n))
		for i := range out {
			ev, err := celToJSON(x.Get(types.Int(i)))
			if err != nil {
				return nil, err
			}
			out[i] = ev
		}
		return out, nil
	}
	return nil, fmt.Errorf("value of type %s is not JSON", v.Type().TypeName())
}

// formatMessages fills every "message" that has "args" (anywhere in v), as
// formatMessage does for the assessment's reasons, and drops the args.
func formatMessages(v any) error {
	switch x := v.(type) {
	case map[string]any:
		if raw, ok := x["args"]; ok {
			msg, isStr := x["message"].(string)
			list, isList := raw.([]any)
			if !isStr || !isList {
				return errors.New(`"args" needs a "message" string and must be an array`)
			}
			args := make([]any, len(list))
			for i, a := range list {
				args[i] = jsonFmtArg(a)
			}
			x["message"] = formatMessage(msg, args)
			delete(x, "args")
		}
		for _, k := range slices.Sorted(maps.Keys(x)) {
			if err := formatMessages(x[k]); err != nil {
				return err
			}
		}
	case []any:
		for _, e := range x {
			if err := formatMessages(e); err != nil {
				return err
			}
		}
	}
	return nil
}

// jsonFmtArg is fmtArg for a JSON value.
func jsonFmtArg(v any) any {
	switch x := v.(type) {
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return i
		}
		return x.String()
	case string, bool:
		return x
	case []any:
		elems := make(listArg, len(x))
		for i, e := range x {
			if s, ok := e.(string); ok {
				elems[i] = s
			} else {
				elems[i] = fmt.Sprint(jsonFmtArg(e))
			}
		}
		return elems
	case nil:
		return "null"
	}
	b, _ := json.Marshal(v)
	return strings.TrimSpace(string(b))
}

// decodeDecision reads a decision (as decide returns it) into out,
// strictly: a field out does not have is a broken contract.
func decodeDecision(point string, m map[string]any, out any) error {
	raw, err := json.Marshal(m)
	if err != nil {
		return pointError(point, "%v", err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(out); err != nil {
		return pointError(point, "%v", err)
	}
	return nil
}
