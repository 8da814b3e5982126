package policies

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/internal/bundle"
	celeng "github.com/dsrkit/dsrkit/internal/cel"
	"github.com/dsrkit/dsrkit/internal/eval"
	regoeng "github.com/dsrkit/dsrkit/internal/rego"
)

var _ dsr.Rater = (*Engine)(nil)

// ratePoints are the points Rate evaluates, in the first stage's order:
// the consent point ("") is left out, as is the whole second stage.
var ratePoints = func() []string {
	out := slices.Clone(bundle.Stage1Points)
	for i, p := range out {
		if p != "eligibility" && p != "rating" {
			out[i] = ""
		}
	}
	return out
}()

// rater is what Rate evaluates with: the bundle's eligibility and rating
// points compiled on their own, at the first Rate (or in Load with
// WithEagerCompile), once.
type rater struct {
	once  sync.Once
	plan  eval.Plan // the points are set per engine
	progs []eval.Program
	err   error
}

func newRater(b *bundle.Bundle, params map[string]any, cfg *config) *rater {
	return &rater{plan: eval.Plan{
		Bundle: b, Params: params, Plain: cfg.plain, Coverage: cfg.coverage, Deadline: cfg.deadline, Lazy: !cfg.eager,
	}}
}

// programs compiles the rating points, each with the engine its file is
// written in, once (an error is kept: the same bundle fails the same way).
func (r *rater) programs(ctx context.Context) ([]eval.Program, error) {
	r.once.Do(func() {
		// Compiled once for every caller: not stopped by this caller's
		// context, but bounded as Load is.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), LoadDeadline)
		defer cancel()
		for _, isCEL := range []bool{false, true} {
			pl := r.plan
			pl.Stages = [2][]string{make([]string, len(ratePoints)), make([]string, len(bundle.Stage2Points))}
			own := false
			for i, p := range ratePoints {
				if p != "" && pl.Bundle.PointFiles[p].IsCEL() == isCEL {
					pl.Stages[0][i], own = p, true
				}
			}
			if !own {
				continue
			}
			var prog eval.Program
			var err error
			if isCEL {
				prog, err = celeng.Compile(ctx, pl)
			} else {
				prog, err = regoeng.Compile(ctx, pl)
			}
			if err != nil {
				r.err = fmt.Errorf("%w: compiling the rating points: %w", ErrEvaluation, err)
				return
			}
			r.progs = append(r.progs, prog)
		}
	})
	return r.progs, r.err
}

// Rate validates the case, as Assess does, and decides eligibility and the
// ratings only (the eligibility and rating points, and the rating of
// record): the same eligibility, ratings and reasons as Assess gives for
// the case, without evaluating consent, the review type or the actions,
// for a report that needs a rating on a date and nothing else (the board
// report's rating at the start of a quarter). The rating points are
// compiled apart at the first Rate, once (in Load with WithEagerCompile).
// A Rate is not an assessment: the decision logger does not receive it.
// A rule that fails returns ErrEvaluation, as Assess does; a rule of the
// points Rate does not evaluate cannot fail it.
func (e *Engine) Rate(ctx context.Context, c dsr.Case) (dsr.RatingDecision, error) {
	progs, err := e.rater.programs(ctx)
	if err != nil {
		return dsr.RatingDecision{}, err
	}
	if err := c.Validate(); err != nil {
		return dsr.RatingDecision{}, err
	}
	if err := e.validateInputs(&c); err != nil {
		return dsr.RatingDecision{}, err
	}
	sc := scratches.Get().(*scratch)
	defer func() {
		*sc = scratch{}
		scratches.Put(sc)
	}()
	sc.c = c
	dsr.DeriveInto(&sc.c, &sc.f)
	sessions := sc.sessions[:len(progs)]
	for i, p := range progs {
		sessions[i] = p.Start(&sc.c, &sc.f)
	}
	defer func() {
		for _, s := range sessions {
			s.Release()
		}
	}()
	d1 := sc.d1[:]
	for _, s := range sessions {
		if err := s.Eval(ctx, 0, d1); err != nil {
			return dsr.RatingDecision{}, err
		}
	}
	var a dsr.Assessment
	a.Eligible = d1[0].Eligible
	a.Reasons = append(a.Reasons, sortedReasons(d1[0].Reasons)...)
	if _, err := e.applyRating(&a, &sc.c, &sc.f, d1[2]); err != nil {
		return dsr.RatingDecision{}, err
	}
	return dsr.RatingDecision{
		AsOf: c.AsOf, Policy: e.ref, Eligible: a.Eligible,
		Rating: a.Rating, AgreedRating: a.AgreedRating, RatingOfRecord: a.RatingOfRecord, Reasons: a.Reasons,
	}, nil
}
