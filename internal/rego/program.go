package rego

import (
	"context"
	"fmt"
	"sync"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/cover"

	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/internal/eval"
)

// Program is the Rego share of a bundle: one prepared query per stage for
// the stage's Rego points, and one per optional Rego point. It implements
// eval.Program and is safe for concurrent use.
type Program struct {
	points   [2][]string // as in the plan: "" where another engine decides
	stages   [2]*regoStage
	optional map[string]*regoStage
	inputs   []declaredInput // the bundle's declared inputs (R-INPUT-1)
}

var _ eval.Program = (*Program)(nil)

// Compile parses the bundle's Rego files and prepares the plan's points.
// Errors are *bundle.LoadError at file:line:col.
func Compile(ctx context.Context, plan eval.Plan) (*Program, error) {
	mods, err := parseRego(plan.Bundle)
	if err != nil {
		return nil, err
	}
	p := &Program{points: plan.Stages, optional: map[string]*regoStage{}, inputs: declaredInputs(plan.Bundle.Manifest.Inputs)}
	var queries [][]string
	for _, points := range plan.Stages {
		var own []string
		for _, pt := range points {
			if pt != "" {
				own = append(own, pt)
			}
		}
		queries = append(queries, own)
	}
	for _, pt := range plan.Optional {
		queries = append(queries, []string{pt}) // each optional point its own query
	}
	var tracer *cover.Cover
	if plan.Coverage != nil {
		// Reported against the modules as parsed: compiling rewrites them.
		fresh, err := parseRego(plan.Bundle)
		if err != nil {
			return nil, err
		}
		tracer = newCover(plan.Coverage, fresh)
	}
	// With coverage, plain: the optimiser folds and drops rules, and the
	// report is of the rules as written.
	stages, err := prepare(ctx, mods, plan.Params, plan.Plain || tracer != nil, queries...)
	if err != nil {
		return nil, err
	}
	for _, st := range stages {
		if st != nil {
			st.tracer = tracer
			st.deadline = plan.Deadline
			for _, pt := range st.points {
				st.files = append(st.files, plan.Bundle.PointFiles[pt].Name)
			}
		}
	}
	p.stages[0], p.stages[1] = stages[0], stages[1]
	for i, pt := range plan.Optional {
		p.optional[pt] = stages[2+i]
	}
	return p, nil
}

// Start builds the Rego input of one case.
func (p *Program) Start(c *dsr.Case, f *dsr.Facts) eval.Session {
	obj := buildInput(c, f)
	if len(p.inputs) > 0 {
		obj.Insert(kInputs, ast.NewTerm(inputsObject(p.inputs, c.Inputs)))
	}
	s := sessions.Get().(*session)
	*s = session{p: p, obj: obj, term: ast.NewTerm(obj)}
	return s
}

// Decide evaluates an optional Rego point.
func (p *Program) Decide(ctx context.Context, point string, in any) (any, error) {
	st := p.optional[point]
	if st == nil {
		return nil, fmt.Errorf("rego: no optional point %s", point)
	}
	return decideRego(ctx, st, in)
}

type session struct {
	p    *Program
	obj  ast.Object
	term *ast.Term // of obj, for both stages
}

func (s *session) Eval(ctx context.Context, stage int, out []eval.Decision) error {
	st := s.p.stages[stage]
	if st == nil {
		return nil
	}
	var buf [maxResults]*ast.Term
	results := buf[:len(st.vars)]
	if err := st.evalTerm(ctx, s.term, results); err != nil {
		return err
	}
	k := 0
	for j, pt := range s.p.points[stage] {
		if pt == "" {
			continue
		}
		var err error
		if out[j], err = decodeRego(pt, st.slots[k].decision(results)); err != nil {
			return err
		}
		k++
	}
	return nil
}

func (s *session) SetStage1(d eval.Stage1) {
	s.obj.Insert(kDecisions, ast.ObjectTerm(
		[2]*ast.Term{kEligible, boolTerm(d.Eligible)},
		[2]*ast.Term{kConsentValid, boolTerm(d.ConsentValid)},
		[2]*ast.Term{kOnRegister, boolTerm(d.OnRegister)},
		[2]*ast.Term{kRating, strTerm(d.Rating)},
		[2]*ast.Term{kRatingSince, dayNumTerm(d.RatingSince)},
		[2]*ast.Term{kConsentDate, dayNumTerm(d.ConsentDate)},
	))
}

func (s *session) Release() {
	*s = session{}
	sessions.Put(s)
}

// sessions recycles sessions: each assessment starts one.
var sessions = sync.Pool{New: func() any { return new(session) }}

func decideRego(ctx context.Context, st *regoStage, in any) (any, error) {
	var input ast.Value = ast.NewObject()
	if in != nil {
		v, err := ast.InterfaceToValue(in)
		if err != nil {
			return nil, fmt.Errorf("%w: input: %v", eval.ErrEvaluation, err)
		}
		input = v
	}
	arr, err := st.eval(ctx, input)
	if err != nil {
		return nil, err
	}
	out, err := ast.JSONWithOpt(arr.Elem(0).Value, ast.JSONOpt{SortSets: true})
	if err != nil {
		return nil, eval.PointError(st.points[0], "%v", err)
	}
	return out, nil
}

// BuildInput builds the Rego input of one case, as Start does: for the
// Go-only floor benchmark, which measures everything but the rules.
func BuildInput(c *dsr.Case, f *dsr.Facts) ast.Object { return buildInput(c, f) }
