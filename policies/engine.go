package policies

import (
	"cmp"
	"context"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/dsrkit/dsrkit/internal/bundle"
	celeng "github.com/dsrkit/dsrkit/internal/cel"
	"github.com/dsrkit/dsrkit/internal/eval"
	regoeng "github.com/dsrkit/dsrkit/internal/rego"

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
	manifest  bundle.Manifest
	parents   []string
	progs     []eval.Program          // the back ends the assessment's points use
	optional  map[string]eval.Program // the back end of each optional point
	blueLight blueLightParams         // the bundle's Blue Light parameters: see bluelight.go
	cetr      cetrParams              // cetr_rules' decision, made at load: see cetr.go
	// logger receives every assessment (WithDecisionLogger); nil: none.
	logger DecisionLogger
	// cadenceRating is the cadence_rating parameter: which rating the
	// second stage acts on (R-RAG-AGREED-2, record.go).
	cadenceRating string
	// files are the rule files in force (RuleFiles).
	files []RuleFile
	// rater holds the rating points compiled apart, for Rate (rate.go).
	rater *rater
}

var _ dsr.Rules = (*Engine)(nil)

// Load reads a bundle (a folder with .manifest, params/data.json and rule
// files, as an fs.FS: use Bundle for an embedded profile, os.DirFS for a
// folder or ReadArchive for a built archive), merges the bundle it extends, applies the options, and compiles
// every decision point once, in Rego or CEL (an optional CEL point at its
// first use, unless WithEagerCompile). A bad bundle fails here with a
// *LoadError (file:line:col) or a *ParamError, both matching ErrBadBundle.
func Load(ctx context.Context, bundleFS fs.FS, opts ...Option) (*Engine, error) {
	cfg := config{calendar: calendar.Default(), deadline: DefaultDeadline}
	for _, o := range opts {
		if err := o(&cfg); err != nil {
			return nil, err
		}
	}
	ctx, cancel := context.WithTimeout(ctx, LoadDeadline)
	defer cancel()
	b, err := readBundle(bundleFS)
	if err != nil {
		return nil, err
	}
	if err := bundle.CheckDeadlines(bundle.ParamsFile, b.Params); err != nil {
		return nil, err
	}
	params, err := bundle.ApplyOverrides(bundle.ParamsFile, b.Params, cfg.overrides)
	if err != nil {
		return nil, err
	}
	if err := bundle.CheckDeadlines("option", params); err != nil {
		return nil, err
	}
	ruleParams, err := bundle.TypedParams(b.Manifest.ParamTypes, params)
	if err != nil {
		return nil, err
	}
	cadence, err := cadenceRatingOf(params)
	if err != nil {
		return nil, err
	}
	e := &Engine{
		cal: cfg.calendar, params: params, manifest: b.Manifest, parents: b.Parents,
		optional: map[string]eval.Program{}, cadenceRating: cadence, logger: cfg.logger,
		files: ruleFiles(b),
		rater: newRater(b, ruleParams, &cfg),
	}
	// One plan per engine: each point goes to the engine its file is
	// written for.
	plans := map[bool]*eval.Plan{} // by "is CEL"
	plan := func(isCEL bool) *eval.Plan {
		if plans[isCEL] == nil {
			plans[isCEL] = &eval.Plan{
				Bundle: b, Params: ruleParams, Plain: cfg.plain, Coverage: cfg.coverage, Deadline: cfg.deadline, Lazy: !cfg.eager,
				Stages: [2][]string{make([]string, len(bundle.Stage1Points)), make([]string, len(bundle.Stage2Points))},
			}
		}
		return plans[isCEL]
	}
	for i, points := range [2][]string{bundle.Stage1Points, bundle.Stage2Points} {
		for j, p := range points {
			plan(b.PointFiles[p].IsCEL()).Stages[i][j] = p
		}
	}
	for _, p := range bundle.OptionalPoints {
		if src, ok := b.PointFiles[p]; ok {
			pl := plan(src.IsCEL())
			pl.Optional = append(pl.Optional, p)
		}
	}
	var engines []string
	for _, isCEL := range []bool{false, true} { // Rego first, as before
		pl := plans[isCEL]
		if pl == nil {
			continue
		}
		var prog eval.Program
		if isCEL {
			prog, err = celeng.Compile(ctx, *pl)
			engines = append(engines, "cel")
		} else {
			prog, err = regoeng.Compile(ctx, *pl)
			engines = append(engines, "rego")
		}
		if err == nil && ctx.Err() != nil {
			err = &LoadError{File: b.Manifest.Name, Err: fmt.Errorf("compiling the bundle's %s rules took over the load limit of %v", engines[len(engines)-1], LoadDeadline)}
		}
		if err != nil {
			return nil, err
		}
		if slices.ContainsFunc(slices.Concat(pl.Stages[0], pl.Stages[1]), func(p string) bool { return p != "" }) {
			e.progs = append(e.progs, prog)
		}
		for _, p := range pl.Optional {
			e.optional[p] = prog
		}
	}
	e.ref = dsr.PolicyRef{
		Name: b.Manifest.Name, Version: b.Manifest.Version,
		Digest: b.Digest(params), Engine: strings.Join(engines, "+"),
	}
	if err := e.loadDomainParams(ctx, b); err != nil {
		return nil, err
	}
	if cfg.eager {
		if _, err := e.rater.programs(ctx); err != nil {
			return nil, err
		}
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
	if err := e.validateInputs(&c); err != nil {
		return dsr.Assessment{}, err
	}
	// The case and its facts live in the pooled scratch: handed to the
	// back ends through interfaces, they would otherwise escape to the
	// heap, two allocations per assessment.
	sc := scratches.Get().(*scratch)
	sc.c = c
	dsr.DeriveInto(&sc.c, &sc.f)
	return e.assess(ctx, &sc.c, &sc.f, sc)
}

// Inputs lists the inputs the bundle declares besides the national
// vocabulary (R-INPUT-1), an overlay's parents' first. A case gives them
// under Case.Inputs; Assess refuses any other.
func (e *Engine) Inputs() []dsr.InputDecl {
	out := slices.Clone(e.manifest.Inputs)
	for i := range out { // a copy the caller may change
		d := &out[i]
		if d.Min != nil {
			lo := *d.Min
			d.Min = &lo
		}
		if d.Max != nil {
			hi := *d.Max
			d.Max = &hi
		}
		d.Values = slices.Clone(d.Values)
	}
	return out
}

// validateInputs checks the case's inputs against the bundle's
// declarations (dsr.ValidateInputs).
func (e *Engine) validateInputs(c *dsr.Case) error {
	if len(c.Inputs) == 0 {
		return nil
	}
	return dsr.ValidateInputs(e.manifest.Inputs, c.Inputs)
}

// maxEngines is how many back ends one bundle can use (Rego and CEL).
const maxEngines = 2

// scratch is what one assessment needs besides the assessment itself,
// pooled: the back ends' sessions and the decisions they write, which
// would otherwise escape to the heap through the interface calls.
type scratch struct {
	c        dsr.Case
	f        dsr.Facts
	sessions [maxEngines]eval.Session
	d1       [3]eval.Decision // eligibility, consent, rating
	d2       [2]eval.Decision // actions, review_cadence
}

var scratches = sync.Pool{New: func() any { return new(scratch) }}

// assess assesses a validated case with its facts, using sc (from
// scratches), which it returns to the pool.
func (e *Engine) assess(ctx context.Context, c *dsr.Case, f *dsr.Facts, sc *scratch) (dsr.Assessment, error) {
	sessions := sc.sessions[:len(e.progs)]
	for i, p := range e.progs {
		sessions[i] = p.Start(c, f)
	}
	a, err := e.decideWith(ctx, c, f, sc)
	if err == nil && e.logger != nil {
		e.logger.LogDecision(ctx, c, &a)
	}
	for _, s := range sessions {
		s.Release() // the assessment holds nothing of it
	}
	*sc = scratch{}
	scratches.Put(sc)
	return a, err
}

func (e *Engine) decideWith(ctx context.Context, c *dsr.Case, f *dsr.Facts, sc *scratch) (dsr.Assessment, error) {
	sessions := sc.sessions[:len(e.progs)]
	d1, d2 := sc.d1[:], sc.d2[:]
	for _, s := range sessions {
		if err := s.Eval(ctx, 0, d1); err != nil {
			return dsr.Assessment{}, err
		}
	}
	a := dsr.Assessment{AsOf: c.AsOf, Policy: e.ref}
	since, err := e.applyStage1(&a, c, f, d1[0], d1[1], d1[2])
	if err != nil {
		return dsr.Assessment{}, err
	}
	consentDate := 0
	if a.Consent.Valid && len(f.Consent) > 0 {
		consentDate = f.Consent[len(f.Consent)-1].Date.Days()
	}
	st1 := eval.Stage1{
		Eligible: a.Eligible, ConsentValid: a.Consent.Valid, OnRegister: a.OnRegister,
		Rating: a.RatingOfRecord.String(), RatingSince: since.Days(), ConsentDate: consentDate,
	}
	for _, s := range sessions {
		s.SetStage1(st1)
		if err := s.Eval(ctx, 1, d2); err != nil {
			return dsr.Assessment{}, err
		}
	}
	if err := e.applyStage2(&a, c, d1[1], d2[0], d2[1]); err != nil {
		return dsr.Assessment{}, err
	}
	return a, nil
}

// applyStage1 fills eligibility, consent and the ratings, enforcing what
// must never break whatever the rules say: nobody is on the register
// without valid consent (R-CONS-1), and no rating without eligibility. It
// returns the day the rating of record took effect (zero when not
// eligible), for the second stage.
func (e *Engine) applyStage1(a *dsr.Assessment, c *dsr.Case, f *dsr.Facts, elig, cons, rat eval.Decision) (calendar.Date, error) {
	a.Eligible = elig.Eligible
	a.Consent = dsr.ConsentDecision{Valid: cons.Valid, Reasons: sortedReasons(cons.Reasons)}
	if cons.Valid {
		a.Consent.GivenBy = cons.GivenBy
	}
	a.OnRegister = a.Eligible && a.Consent.Valid
	a.Reasons = slices.Grow(a.Reasons, len(elig.Reasons)+len(cons.Reasons)+len(rat.Reasons)+2)
	a.Reasons = append(a.Reasons, sortedReasons(elig.Reasons)...)
	a.Reasons = append(a.Reasons, a.Consent.Reasons...)
	return e.applyRating(a, c, f, rat)
}

// applyRating fills the ratings from the rating point's decision rat, for
// an assessment whose eligibility is decided (applyStage1; Rate), and
// returns the day the rating of record took effect.
func (e *Engine) applyRating(a *dsr.Assessment, c *dsr.Case, f *dsr.Facts, rat eval.Decision) (calendar.Date, error) {
	if a.Eligible {
		r, err := dsr.ParseRating(rat.Rating)
		if err != nil || r == dsr.Unrated {
			return calendar.Date{}, eval.PointError("rating", "rating %q is not red, amber, green or blue", rat.Rating)
		}
		a.Rating = r
		a.Reasons = append(a.Reasons, sortedReasons(rat.Reasons)...)
	}
	var since calendar.Date
	if a.Eligible {
		var why dsr.Reason
		a.RatingOfRecord, since, why = ratingOfRecord(e.cadenceRating, c, f, a.Rating)
		a.Reasons = append(a.Reasons, why)
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
			msg.WriteString(": both are kept and the difference is reported")
			a.Reasons = append(a.Reasons, dsr.Reason{Rule: "R-RAG-AGREED", Message: msg.String()})
		}
	}
	return since, nil
}

// applyStage2 turns the deadlines into dated actions.
func (e *Engine) applyStage2(a *dsr.Assessment, c *dsr.Case, cons, acts, cad eval.Decision) error {
	switch acts.ReviewType {
	case dsr.ReviewTypeCETR, dsr.ReviewTypeCTR:
		a.ReviewType = acts.ReviewType
	default:
		return eval.PointError("actions", "review_type %q is not cetr or ctr", acts.ReviewType)
	}
	// The deadlines, in order: consent's if eligible, then the register's.
	var dls [3][]eval.Deadline
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

// toAction dates a deadline with the calendar (docs/rules.md#time).
func (e *Engine) toAction(dl eval.Deadline, asOf calendar.Date) (dsr.Action, error) {
	kind := dsr.ActionKind(dl.Kind)
	if !kind.Valid() {
		return dsr.Action{}, eval.PointError("actions", "unknown action kind %q", dl.Kind)
	}
	if dl.Rule == "" {
		return dsr.Action{}, eval.PointError("actions", "action %s cites no rule", dl.Kind)
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
			return dsr.Action{}, eval.PointError("actions", "action %s (%s): %v", dl.Kind, dl.Rule, err)
		}
		act.DueAt = at.UTC()
		act.Overdue = calendar.DateOf(at).Before(asOf)
		return act, nil
	}
	due, err := e.cal.Due(act.From, d)
	if err != nil {
		return dsr.Action{}, eval.PointError("actions", "action %s (%s): %v", dl.Kind, dl.Rule, err)
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
