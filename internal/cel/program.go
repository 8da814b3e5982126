package cel

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"
	"cel.dev/cel-go/common/types/traits"
	"cel.dev/cel-go/ext"

	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/internal/bundle"
	"github.com/dsrkit/dsrkit/internal/eval"
)

// Program is the CEL share of a bundle: each CEL point its own program.
// It implements eval.Program and is safe for concurrent use.
type Program struct {
	stages   [2][]*celPoint // indexed like the plan's stages; nil where not CEL
	args     ref.Val        // params as CEL sees them
	optional map[string]*celOptional
	declared *celDeclared // the bundle's declared inputs; nil: none
	// limit is the time limit of one evaluation (Plan.Deadline; nil:
	// none), and long says which stages have a point it can stop
	// (celPoint.long): see celdeadline.go.
	limit *celTimeLimit
	long  [2]bool
}

var _ eval.Program = (*Program)(nil)

// Compile type-checks and plans the plan's CEL points (the optional ones
// at their first use when plan.Lazy). Errors are *bundle.LoadError at
// file:line:col with the source line and a caret; with several broken
// points, the first in the plan's order.
func Compile(ctx context.Context, plan eval.Plan) (*Program, error) {
	p := &Program{optional: map[string]*celOptional{}, limit: newTimeLimit(plan.Deadline), declared: newCELDeclared(plan.Bundle.Manifest.Inputs)}
	celArgs := celParams(plan.Params).(map[string]any)
	var jobs []compileJob
	for i, points := range plan.Stages {
		p.stages[i] = make([]*celPoint, len(points))
		for j, pt := range points {
			if pt != "" {
				jobs = append(jobs, compileJob{point: pt, dst: &p.stages[i][j]})
			}
		}
	}
	for _, pt := range plan.Optional {
		op := &celOptional{point: pt, src: plan.Bundle.PointFiles[pt], params: celArgs, plain: plan.Plain}
		if !plan.Lazy {
			jobs = append(jobs, compileJob{point: pt, opt: op})
		}
		p.optional[pt] = op
	}
	if len(jobs) == 0 {
		return p, nil
	}
	// The stages' environment is shared by every bundle unless the bundle
	// declares inputs of its own, which its environment types (R-INPUT-1).
	env, err := sharedEnv()
	if p.declared != nil {
		env, err = newCELEnvWith(p.declared)
	}
	if err != nil {
		return nil, fmt.Errorf("policies: CEL environment: %w", err)
	}
	if err := compileAll(ctx, env, plan, celArgs, jobs); err != nil {
		return nil, err
	}
	for i := range p.stages {
		for _, cp := range p.stages[i] {
			p.long[i] = p.long[i] || (cp != nil && cp.long)
		}
	}
	p.args = env.CELTypeAdapter().NativeToValue(celArgs)
	return p, nil
}

// Start builds the CEL input of one case, from a pool.
func (p *Program) Start(c *dsr.Case, f *dsr.Facts) eval.Session {
	in := buildCELInput(c, f, p.args)
	in.prog = p
	if p.declared != nil {
		in.act.inputs = p.declared.value(&in.arena, c.Inputs)
	}
	return in
}

// Eval evaluates the stage's CEL points: those that can run long within
// the time limit, from the stage's start.
func (in *celInput) Eval(ctx context.Context, stage int, out []eval.Decision) error {
	limited := ctx
	if in.prog.long[stage] {
		var cancel context.CancelFunc
		limited, cancel = in.prog.limit.start(ctx)
		defer cancel()
	}
	for j, cp := range in.prog.stages[stage] {
		if cp == nil {
			continue
		}
		pctx := ctx
		if cp.long {
			pctx = limited
		}
		var err error
		if out[j], err = cp.eval(pctx, &in.act); err != nil {
			return err
		}
	}
	return nil
}

// SetStage1 gives the second stage the first stage's decisions.
func (in *celInput) SetStage1(d eval.Stage1) {
	in.setDecisions(celDecisions{
		Eligible: d.Eligible, ConsentValid: d.ConsentValid, OnRegister: d.OnRegister,
		Rating: d.Rating, RatingSince: d.RatingSince, ConsentDate: d.ConsentDate,
	})
}

// Release returns the input to its pool: the assessment holds nothing of it.
func (in *celInput) Release() { in.release() }

// pointSpec is how an optional point's input is declared to CEL.
type pointSpec struct {
	celTypes []cel.EnvOption // native types for CEL
	celInput string          // the CEL type name of input, "" when none
}

var celTagged = cel.NativeTypeOption(types.ParseStructTags(true))

var pointSpecs = map[string]pointSpec{
	bundle.PointBlueLightCriteria: {
		celTypes: []cel.EnvOption{cel.Types(cel.NativeTypeFor[eval.CriteriaInput](cel.NativeTypeAlias(celPkg+"BlueLightCriteriaInput"), celTagged))},
		celInput: celPkg + "BlueLightCriteriaInput",
	},
	bundle.PointBlueLightInvitees: {
		celTypes: []cel.EnvOption{cel.Types(cel.NativeTypeFor[eval.InviteesInput](cel.NativeTypeAlias(celPkg+"BlueLightInviteesInput"), celTagged))},
		celInput: celPkg + "BlueLightInviteesInput",
	},
	bundle.PointBlueLightFunding: {
		celTypes: []cel.EnvOption{cel.Types(
			cel.NativeTypeFor[eval.SplitInput](cel.NativeTypeAlias(celPkg+"BlueLightSplit"), celTagged),
			cel.NativeTypeFor[eval.FundingInput](cel.NativeTypeAlias(celPkg+"BlueLightFundingInput"), celTagged),
		)},
		celInput: celPkg + "BlueLightFundingInput",
	},
	bundle.PointCETRRules: {},
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

// Decide evaluates an optional CEL point.
func (p *Program) Decide(ctx context.Context, point string, in any) (any, error) {
	op := p.optional[point]
	if op == nil {
		return nil, fmt.Errorf("cel: no optional point %s", point)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := op.compiled(); err != nil {
		return nil, fmt.Errorf("%w: decision point %s: %w", eval.ErrEvaluation, point, err)
	}
	vars := map[string]any{"params": op.args}
	if in != nil {
		vars["input"] = op.adapter.NativeToValue(in)
	}
	if op.long {
		var cancel context.CancelFunc
		ctx, cancel = p.limit.start(ctx)
		defer cancel()
	}
	var (
		out ref.Val
		err error
	)
	if ctx.Done() == nil {
		out, _, err = op.prg.Eval(vars)
	} else {
		out, _, err = op.prg.ContextEval(ctx, vars)
	}
	if err != nil {
		return nil, op.evalError(ctx, err)
	}
	v, err := celToJSON(out)
	if err != nil {
		return nil, eval.PointError(op.name, "%v", err)
	}
	return v, nil
}

// celToJSON converts a CEL value to the JSON values the Rego back end gives:
// numbers as json.Number, lists as []any, maps as map[string]any.
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

// loadTimeLeft refuses to compile file once ctx (the load's deadline) is
// done.
func loadTimeLeft(ctx context.Context, file string) error {
	if err := ctx.Err(); err != nil {
		return &bundle.LoadError{File: file, Err: fmt.Errorf("not compiled: the load was stopped (%w)", err)}
	}
	return nil
}
