package policies

import (
	"cmp"
	"context"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/dsr"
)

// Engine assesses cases with one loaded bundle. It is built once by Load
// (all rules compiled, every failure reported there) and is then safe for
// concurrent use by any number of goroutines.
type Engine struct {
	ref      dsr.PolicyRef
	cal      *calendar.Calendar
	params   map[string]any
	stage1   *regoStage
	stage2   *regoStage
	manifest manifest
}

var _ dsr.Rules = (*Engine)(nil)

// Load reads a bundle (a folder with manifest.json, params.json and Rego
// modules, as an fs.FS: use Bundle for an embedded profile or os.DirFS for
// a folder), applies the options, and compiles every decision point once.
// A bad bundle fails here with a *LoadError (file:line:col) or a
// *ParamError, both matching ErrBadBundle.
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
	mods, err := parseRego(b)
	if err != nil {
		return nil, err
	}
	stages, err := prepareRego(ctx, mods, params, stage1Points, stage2Points)
	if err != nil {
		return nil, err
	}
	return &Engine{
		ref: dsr.PolicyRef{
			Name: b.manifest.Name, Version: b.manifest.Version,
			Digest: digest(b.files, params), Engine: "rego",
		},
		cal:      cfg.calendar,
		params:   params,
		stage1:   stages[0],
		stage2:   stages[1],
		manifest: b.manifest,
	}, nil
}

// Policy names the bundle, its version and content digest.
func (e *Engine) Policy() dsr.PolicyRef { return e.ref }

// Sources lists the sources the bundle's manifest names, and the values it
// carries over unconfirmed.
func (e *Engine) Sources() (sources, unconfirmed []string) {
	return slices.Clone(e.manifest.Sources), slices.Clone(e.manifest.Unconfirmed)
}

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

func (e *Engine) assess(ctx context.Context, c *dsr.Case, f *dsr.Facts) (dsr.Assessment, error) {
	in := buildInput(c, f)
	out1, err := e.stage1.eval(ctx, in)
	if err != nil {
		return dsr.Assessment{}, err
	}
	elig, err := decodeRego("eligibility", out1.Elem(0))
	if err != nil {
		return dsr.Assessment{}, err
	}
	cons, err := decodeRego("consent", out1.Elem(1))
	if err != nil {
		return dsr.Assessment{}, err
	}
	rat, err := decodeRego("rating", out1.Elem(2))
	if err != nil {
		return dsr.Assessment{}, err
	}
	a := dsr.Assessment{AsOf: c.AsOf, Policy: e.ref}
	if err := e.applyStage1(&a, f, elig, cons, rat); err != nil {
		return dsr.Assessment{}, err
	}

	consentDate := 0
	if a.Consent.Valid && len(f.Consent) > 0 {
		consentDate = f.Consent[len(f.Consent)-1].Date.Days()
	}
	in.Insert(kDecisions, ast.ObjectTerm(
		[2]*ast.Term{kEligible, boolTerm(a.Eligible)},
		[2]*ast.Term{kConsentValid, boolTerm(a.Consent.Valid)},
		[2]*ast.Term{kOnRegister, boolTerm(a.OnRegister)},
		[2]*ast.Term{kRating, strTerm(a.Rating.String())},
		[2]*ast.Term{kConsentDate, ast.IntNumberTerm(consentDate)},
	))
	out2, err := e.stage2.eval(ctx, in)
	if err != nil {
		return dsr.Assessment{}, err
	}
	acts, err := decodeRego("actions", out2.Elem(0))
	if err != nil {
		return dsr.Assessment{}, err
	}
	cad, err := decodeRego("review_cadence", out2.Elem(1))
	if err != nil {
		return dsr.Assessment{}, err
	}
	if err := e.applyStage2(&a, c, cons, acts, cad); err != nil {
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
			msg := fmt.Sprintf("agreed %s on %s", strings.ToUpper(a.AgreedRating.String()), f.Agreed.Day())
			if f.Agreed.By != "" {
				msg += " by " + f.Agreed.By
			}
			if f.Agreed.Reason != "" {
				msg += " (" + f.Agreed.Reason + ")"
			}
			msg += fmt.Sprintf(", while the rules suggest %s: the agreed rating stands and the difference is reported", strings.ToUpper(a.Rating.String()))
			a.Reasons = append(a.Reasons, dsr.Reason{Rule: "R-RAG-AGREED", Message: msg})
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
	a.Reasons = append(a.Reasons, sortedReasons(acts.Reasons)...)
	a.Reasons = append(a.Reasons, sortedReasons(cad.Reasons)...)
	var dls []deadline
	if a.Eligible {
		dls = append(dls, cons.Actions...)
	}
	if a.OnRegister {
		dls = append(dls, acts.Actions...)
		dls = append(dls, cad.Actions...)
	}
	a.Actions = make([]dsr.Action, 0, len(dls))
	for _, dl := range dls {
		act, err := e.toAction(dl, c.AsOf)
		if err != nil {
			return err
		}
		a.Actions = append(a.Actions, act)
	}
	slices.SortFunc(a.Actions, func(x, y dsr.Action) int {
		return cmp.Or(
			x.DueDate().Compare(y.DueDate()),
			x.DueAt.Compare(y.DueAt),
			strings.Compare(string(x.Kind), string(y.Kind)),
			strings.Compare(x.Rule, y.Rule),
			x.From.Compare(y.From),
		)
	})
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

func sortedReasons(rs []dsr.Reason) []dsr.Reason {
	slices.SortFunc(rs, func(a, b dsr.Reason) int {
		return cmp.Or(strings.Compare(a.Rule, b.Rule), strings.Compare(a.Message, b.Message))
	})
	return rs
}
