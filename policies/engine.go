package policies

import (
	"cmp"
	"context"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"time"

	"cel.dev/cel-go/common/types/ref"
	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/dsr"
)

// Engine assesses cases with one loaded bundle. It is built once by Load
// (all rules compiled, every failure reported there) and is then safe for
// concurrent use by any number of goroutines.
type Engine struct {
	ref       dsr.PolicyRef
	cal       *calendar.Calendar
	params    map[string]any
	manifest  manifest
	parents   []string
	stages    [2]stagePlan
	useRego   bool
	useCEL    bool
	celArgs   ref.Val         // params as CEL sees them
	opt       *optionalPoints // bluelight_*, cetr_rules: see points.go
	blueLight blueLightParams // the bundle's Blue Light parameters: see bluelight.go
	cetr      cetrParams      // cetr_rules' decision, made at load: see cetr.go
}

// stagePlan is how one stage's decision points are evaluated: the Rego ones
// in one prepared query, each CEL one as its own program.
type stagePlan struct {
	points     []string // the stage's points, in order
	rego       *regoStage
	regoPoints []string
	cel        []*celPoint // indexed like points; nil where the point is Rego
}

var _ dsr.Rules = (*Engine)(nil)

// Load reads a bundle (a folder with .manifest, params/data.json and rule
// files, as an fs.FS: use Bundle for an embedded profile, os.DirFS for a
// folder or ReadArchive for a built archive), merges the bundle it extends, applies the options, and compiles
// every decision point once, in Rego or CEL. A bad bundle fails here with a
// *LoadError (file:line:col) or a *ParamError, both matching ErrBadBundle.
func Load(ctx context.Context, bundleFS fs.FS, opts ...Option) (*Engine, error) {
	cfg := config{calendar: calendar.Default()}
	for _, o := range opts {
		if err := o(&cfg); err != nil {
			return nil, err
		}
	}
	b, err := readBundle(bundleFS)
	if err != nil {
		return nil, err
	}
	if err := checkDeadlines(paramsFile, b.params); err != nil {
		return nil, err
	}
	params, err := applyOverrides(paramsFile, b.params, cfg.overrides)
	if err != nil {
		return nil, err
	}
	if err := checkDeadlines("option", params); err != nil {
		return nil, err
	}
	ruleParams, err := typedParams(b.manifest.ParamTypes, params)
	if err != nil {
		return nil, err
	}
	e := &Engine{
		cal: cfg.calendar, params: params, manifest: b.manifest, parents: b.parents,
	}
	var regoPoints [2][]string
	for i, points := range [2][]string{stage1Points, stage2Points} {
		e.stages[i] = stagePlan{points: points, cel: make([]*celPoint, len(points))}
		for _, p := range points {
			if b.points[p].isCEL() {
				e.useCEL = true
			} else {
				e.useRego = true
				regoPoints[i] = append(regoPoints[i], p)
			}
		}
		e.stages[i].regoPoints = regoPoints[i]
	}
	optRego := optionalRegoPoints(b)
	var optStages []*regoStage
	if e.useRego || len(optRego) > 0 {
		mods, err := parseRego(b)
		if err != nil {
			return nil, err
		}
		queries := [][]string{regoPoints[0], regoPoints[1]}
		for _, p := range optRego {
			queries = append(queries, []string{p}) // each optional point its own query
		}
		stages, err := prepareRego(ctx, mods, ruleParams, queries...)
		if err != nil {
			return nil, err
		}
		e.stages[0].rego, e.stages[1].rego = stages[0], stages[1]
		optStages = stages[2:]
	}
	if e.useCEL {
		env, err := newCELEnv()
		if err != nil {
			return nil, fmt.Errorf("policies: CEL environment: %w", err)
		}
		celArgs := celParams(ruleParams).(map[string]any)
		for i := range e.stages {
			st := &e.stages[i]
			for j, p := range st.points {
				if src := b.points[p]; src.isCEL() {
					if st.cel[j], err = compileCEL(env, p, src, celArgs); err != nil {
						return nil, err
					}
				}
			}
		}
		e.celArgs = env.CELTypeAdapter().NativeToValue(celArgs)
	}
	if e.opt, err = loadOptional(b, ruleParams, optRego, optStages); err != nil {
		return nil, err
	}
	useRego, useCEL := e.useRego || len(e.opt.rego) > 0, e.useCEL || len(e.opt.cel) > 0
	engines := map[bool]string{true: "rego", false: "cel"}[useRego]
	if useRego && useCEL {
		engines = "rego+cel"
	}
	e.ref = dsr.PolicyRef{
		Name: b.manifest.Name, Version: b.manifest.Version,
		Digest: digest(b.files, params), Engine: engines,
	}
	if err := e.loadDomainParams(ctx, b); err != nil {
		return nil, err
	}
	return e, nil
}

// Policy names the bundle, its version and content digest, and the engines
// that evaluate it.
func (e *Engine) Policy() dsr.PolicyRef { return e.ref }

// Extends lists the bundles this one extends, nearest first.
func (e *Engine) Extends() []string { return slices.Clone(e.parents) }

// Sources lists the sources the bundle's manifest names, and the values it
// carries over unconfirmed (an overlay's first, then its parents').
func (e *Engine) Sources() (sources, unconfirmed []string) {
	return slices.Clone(e.manifest.Sources), slices.Clone(e.manifest.Unconfirmed)
}

// Description is the bundle's one-line description.
func (e *Engine) Description() string { return e.manifest.Description }

// Assess validates the case and decides eligibility, consent, rating, review
// type and the actions due, with the reasons for each. An invalid case
// returns an error matching dsr.ErrInvalid; a rule that fails at evaluation
// returns ErrEvaluation and no assessment (there is no safe default).
func (e *Engine) Assess(ctx context.Context, c dsr.Case) (dsr.Assessment, error) {
	if err := c.Validate(); err != nil {
		return dsr.Assessment{}, err
	}
	f := dsr.Derive(&c)
	return e.assess(ctx, &c, &f)
}

// inputs holds the case as each engine sees it, built only for the engines
// the bundle uses.
type inputs struct {
	rego     ast.Object
	regoTerm *ast.Term // of rego, for both stages
	cel      *celInput
}

// evalStage evaluates one stage's points into out (indexed like the
// stage's points).
func (e *Engine) evalStage(ctx context.Context, st *stagePlan, in *inputs, out []decision) error {
	if st.rego != nil {
		var buf [maxResults]*ast.Term
		results := buf[:len(st.rego.vars)]
		if err := st.rego.evalTerm(ctx, in.regoTerm, results); err != nil {
			return err
		}
		k := 0
		for j, p := range st.points {
			if st.cel[j] != nil {
				continue
			}
			var err error
			if out[j], err = decodeRego(p, st.rego.slots[k].decision(results)); err != nil {
				return err
			}
			k++
		}
	}
	for j, cp := range st.cel {
		if cp == nil {
			continue
		}
		var err error
		if out[j], err = cp.eval(ctx, &in.cel.act); err != nil {
			return err
		}
	}
	return nil
}

func (e *Engine) assess(ctx context.Context, c *dsr.Case, f *dsr.Facts) (dsr.Assessment, error) {
	var in inputs
	if e.useRego {
		in.rego = buildInput(c, f)
		in.regoTerm = ast.NewTerm(in.rego)
	}
	if e.useCEL {
		in.cel = buildCELInput(c, f, e.celArgs)
		defer in.cel.release() // the assessment holds nothing of it
	}
	var d1 [3]decision // eligibility, consent, rating
	if err := e.evalStage(ctx, &e.stages[0], &in, d1[:]); err != nil {
		return dsr.Assessment{}, err
	}
	a := dsr.Assessment{AsOf: c.AsOf, Policy: e.ref}
	if err := e.applyStage1(&a, f, d1[0], d1[1], d1[2]); err != nil {
		return dsr.Assessment{}, err
	}
	consentDate := 0
	if a.Consent.Valid && len(f.Consent) > 0 {
		consentDate = f.Consent[len(f.Consent)-1].Date.Days()
	}
	if in.rego != nil {
		in.rego.Insert(kDecisions, ast.ObjectTerm(
			[2]*ast.Term{kEligible, boolTerm(a.Eligible)},
			[2]*ast.Term{kConsentValid, boolTerm(a.Consent.Valid)},
			[2]*ast.Term{kOnRegister, boolTerm(a.OnRegister)},
			[2]*ast.Term{kRating, strTerm(a.Rating.String())},
			[2]*ast.Term{kConsentDate, dayNumTerm(consentDate)},
		))
	}
	if in.cel != nil {
		in.cel.setDecisions(celDecisions{
			Eligible: a.Eligible, ConsentValid: a.Consent.Valid, OnRegister: a.OnRegister,
			Rating: a.Rating.String(), ConsentDate: consentDate,
		})
	}
	var d2 [2]decision // actions, review_cadence
	if err := e.evalStage(ctx, &e.stages[1], &in, d2[:]); err != nil {
		return dsr.Assessment{}, err
	}
	if err := e.applyStage2(&a, c, d1[1], d2[0], d2[1]); err != nil {
		return dsr.Assessment{}, err
	}
	return a, nil
}

// applyStage1 fills eligibility, consent and rating, enforcing what must
// never break whatever the rules say: nobody is on the register without
// valid consent (R-CONS-1), and no rating without eligibility.
func (e *Engine) applyStage1(a *dsr.Assessment, f *dsr.Facts, elig, cons, rat decision) error {
	a.Eligible = elig.Eligible
	a.Consent = dsr.ConsentDecision{Valid: cons.Valid, Reasons: sortedReasons(cons.Reasons)}
	if cons.Valid {
		a.Consent.GivenBy = cons.GivenBy
	}
	a.OnRegister = a.Eligible && a.Consent.Valid
	a.Reasons = slices.Grow(a.Reasons, len(elig.Reasons)+len(cons.Reasons)+len(rat.Reasons)+1)
	a.Reasons = append(a.Reasons, sortedReasons(elig.Reasons)...)
	a.Reasons = append(a.Reasons, a.Consent.Reasons...)
	if a.Eligible {
		r, err := dsr.ParseRating(rat.Rating)
		if err != nil || r == dsr.Unrated {
			return pointError("rating", "rating %q is not red, amber, green or blue", rat.Rating)
		}
		a.Rating = r
		a.Reasons = append(a.Reasons, sortedReasons(rat.Reasons)...)
	}
	if f.Agreed != nil {
		a.AgreedRating = f.Agreed.Rating
		if a.Eligible && a.AgreedRating != a.Rating {
			var msg strings.Builder
			msg.Grow(160 + len(f.Agreed.By) + len(f.Agreed.Reason))
			msg.WriteString("agreed ")
			msg.WriteString(strings.ToUpper(a.AgreedRating.String()))
			msg.WriteString(" on ")
			msg.WriteString(f.Agreed.Day().String())
			if f.Agreed.By != "" {
				msg.WriteString(" by ")
				msg.WriteString(f.Agreed.By)
			}
			if f.Agreed.Reason != "" {
				msg.WriteString(" (")
				msg.WriteString(f.Agreed.Reason)
				msg.WriteString(")")
			}
			msg.WriteString(", while the rules suggest ")
			msg.WriteString(strings.ToUpper(a.Rating.String()))
			msg.WriteString(": the agreed rating stands and the difference is reported")
			a.Reasons = append(a.Reasons, dsr.Reason{Rule: "R-RAG-AGREED", Message: msg.String()})
		}
	}
	return nil
}

// applyStage2 turns the deadlines into dated actions.
func (e *Engine) applyStage2(a *dsr.Assessment, c *dsr.Case, cons, acts, cad decision) error {
	switch acts.ReviewType {
	case dsr.ReviewTypeCETR, dsr.ReviewTypeCTR:
		a.ReviewType = acts.ReviewType
	default:
		return pointError("actions", "review_type %q is not cetr or ctr", acts.ReviewType)
	}
	// The deadlines, in order: consent's if eligible, then the register's.
	var dls [3][]deadline
	if a.Eligible {
		dls[0] = cons.Actions
	}
	if a.OnRegister {
		dls[1], dls[2] = acts.Actions, cad.Actions
	}
	n := len(dls[0]) + len(dls[1]) + len(dls[2])
	// One reason per action follows these; superseded ones are rare.
	a.Reasons = slices.Grow(a.Reasons, len(acts.Reasons)+len(cad.Reasons)+n)
	a.Reasons = append(a.Reasons, sortedReasons(acts.Reasons)...)
	a.Reasons = append(a.Reasons, sortedReasons(cad.Reasons)...)
	a.Actions = make([]dsr.Action, 0, n)
	for _, part := range dls {
		for _, dl := range part {
			act, err := e.toAction(dl, c.AsOf)
			if err != nil {
				return err
			}
			a.Actions = append(a.Actions, act)
		}
	}
	slices.SortFunc(a.Actions, compareActions)
	// Where two rules ask for the same kind of action from the same cause
	// (R-CETR-PA-2 and R-BL-FOLLOW both ask for the post-admission review),
	// the earlier due date stands; the later rule is still reported.
	kept := a.Actions[:0]
	var superseded []dsr.Reason
	for _, act := range a.Actions {
		dup := false
		for _, k := range kept {
			if k.Kind == act.Kind && k.From == act.From {
				dup = true
				if act.Rule != k.Rule {
					superseded = append(superseded, dsr.Reason{Rule: act.Rule, Message: fmt.Sprintf("%s: %s; due %s, after the %s deadline, which stands", act.Kind, act.Reason, act.DueDate(), k.Rule)})
				}
				break
			}
		}
		if !dup {
			kept = append(kept, act)
		}
	}
	a.Actions = kept
	for i := range a.Actions {
		act := &a.Actions[i]
		a.Reasons = append(a.Reasons, dsr.Reason{Rule: act.Rule, Message: string(act.Kind) + ": " + act.Reason})
	}
	a.Reasons = append(a.Reasons, superseded...)
	return nil
}

// toAction dates a deadline with the calendar (DOMAIN.md section 2).
func (e *Engine) toAction(dl deadline, asOf calendar.Date) (dsr.Action, error) {
	kind := dsr.ActionKind(dl.Kind)
	if !kind.Valid() {
		return dsr.Action{}, pointError("actions", "unknown action kind %q", dl.Kind)
	}
	if dl.Rule == "" {
		return dsr.Action{}, pointError("actions", "action %s cites no rule", dl.Kind)
	}
	d := calendar.Deadline{N: dl.N, Unit: calendar.Unit(dl.Unit)}
	act := dsr.Action{Kind: kind, From: calendar.FromDays(dl.From), Rule: dl.Rule, Reason: dl.Reason}
	if d.Unit == calendar.Hours {
		start := act.From.Start()
		if dl.FromAt != 0 {
			start = time.Unix(dl.FromAt, 0)
		}
		at, err := e.cal.DueAt(start, d)
		if err != nil {
			return dsr.Action{}, pointError("actions", "action %s (%s): %v", dl.Kind, dl.Rule, err)
		}
		act.DueAt = at.UTC()
		act.Overdue = calendar.DateOf(at).Before(asOf)
		return act, nil
	}
	due, err := e.cal.Due(act.From, d)
	if err != nil {
		return dsr.Action{}, pointError("actions", "action %s (%s): %v", dl.Kind, dl.Rule, err)
	}
	act.Due = due
	act.Overdue = due.Before(asOf)
	return act, nil
}

// compareActions orders actions by due date (then time), kind, rule, cause
// date and reason. The rules' order is no order (a Rego set, a CEL list):
// the reason breaks the last ties, so that which of two same-day actions of
// one kind stands does not depend on the engine. Each comparison is made
// only when the earlier ones tie.
func compareActions(x, y dsr.Action) int {
	if c := x.DueDate().Compare(y.DueDate()); c != 0 {
		return c
	}
	if c := x.DueAt.Compare(y.DueAt); c != 0 {
		return c
	}
	if c := strings.Compare(string(x.Kind), string(y.Kind)); c != 0 {
		return c
	}
	if c := strings.Compare(x.Rule, y.Rule); c != 0 {
		return c
	}
	if c := x.From.Compare(y.From); c != 0 {
		return c
	}
	return strings.Compare(x.Reason, y.Reason)
}

func sortedReasons(rs []dsr.Reason) []dsr.Reason {
	slices.SortFunc(rs, func(a, b dsr.Reason) int {
		return cmp.Or(strings.Compare(a.Rule, b.Rule), strings.Compare(a.Message, b.Message))
	})
	return rs
}
