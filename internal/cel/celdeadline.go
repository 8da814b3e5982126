package cel

import (
	"context"
	"errors"
	"fmt"
	"time"

	celast "cel.dev/cel-go/common/ast"

	"github.com/dsrkit/dsrkit/internal/eval"
)

// The time limit of one evaluation (eval.Plan.Deadline) holds through
// cel-go's interrupt: a program planned with InterruptCheckFrequency and
// run with ContextEval checks its context's Done channel every
// celInterruptEvery loop iterations and stops there. A stage (or an
// optional point) that has a point which can run long is evaluated under a
// context with the limit's deadline; the cause of that context's end says
// whether the limit stopped it or the caller's context did.
//
// Only a loop reaches an interrupt check, so a program without one (after
// the rewrite has written out the loops over constant lists) runs without
// the context and its cost: it cannot run long. Nor can a program whose
// worst case cel-go's estimate bounds below celQuickCost at load: it
// finishes within microseconds, about one check's worth of iterations. Any
// other program (a loop over an input list of unknown length, say) is
// stopped at the limit, or at the cost limit, whichever comes first.

// celQuickCost is the worst-case cost (cel-go's units, about one per
// operation) under which a program is not put under the time limit: far
// above what the national rules' loops cost (a few hundred), far below the
// cost limit.
const celQuickCost = 20_000

// celTimeLimit is the time limit of one evaluation, and the cause a
// context ended by it carries.
type celTimeLimit struct{ d time.Duration }

func (l *celTimeLimit) Error() string {
	return fmt.Sprintf("stopped at the deadline, the time limit of %v per evaluation", l.d)
}

// newTimeLimit is the limit of d; nil (no limit) when d is not positive.
func newTimeLimit(d time.Duration) *celTimeLimit {
	if d <= 0 {
		return nil
	}
	return &celTimeLimit{d: d}
}

// start returns ctx bounded by the limit from now, and its cancel; ctx
// itself when there is no limit.
func (l *celTimeLimit) start(ctx context.Context) (context.Context, context.CancelFunc) {
	if l == nil {
		return ctx, func() {}
	}
	return context.WithTimeoutCause(ctx, l.d, l)
}

// evalError is the error of a failed evaluation of p under ctx: the time
// limit's, naming the rule file, when it stopped p; ctx's own error when
// the caller cancelled it (as the Rego path: cancelled, not a failed rule);
// else the rule's failure.
func (p *celPoint) evalError(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		var limit *celTimeLimit
		if errors.As(context.Cause(ctx), &limit) {
			return fmt.Errorf("%w: decision point %s (%s): %w", eval.ErrEvaluation, p.name, p.file, limit)
		}
		return ctx.Err()
	}
	return fmt.Errorf("%w: decision point %s (%s): %v", eval.ErrEvaluation, p.name, p.file, err)
}

// celLoops says whether e has a comprehension that iterates: one whose
// range is not the empty list (cel.bind is a comprehension over []).
func celLoops(e celast.Expr) bool {
	if e.Kind() == celast.ComprehensionKind {
		r := e.AsComprehension().IterRange()
		if r.Kind() != celast.ListKind || len(r.AsList().Elements()) > 0 {
			return true
		}
	}
	for _, c := range celChildren(e) {
		if celLoops(c) {
			return true
		}
	}
	return false
}
