// Package eval is the contract between the policies facade and a back end
// (internal/rego, internal/cel): what a decision point returns
// (Decision), what a compiled bundle offers (Program, Session), and the
// helpers both engines share so that their answers are byte-identical
// (FormatMessage, FormatMessages). It imports no engine.
package eval

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/dsrkit/dsrkit/calendar"

	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/internal/bundle"
)

// ErrEvaluation marks a rule that failed at evaluation time; the policies
// package re-exports it.
var ErrEvaluation = errors.New("policies: evaluation failed")

// Deadline is an action as a rule returns it: what, from which day, how
// long, and why. The facade turns it into a dsr.Action with the calendar.
type Deadline struct {
	Kind   string
	From   int   // day number
	FromAt int64 // unix seconds, for hours deadlines; 0 if none
	N      int
	Unit   string
	Rule   string
	Reason string
}

// Decision is what one decision point returned, engine-neutral.
type Decision struct {
	Eligible   bool
	Valid      bool
	GivenBy    string
	Rating     string
	ReviewType string
	Actions    []Deadline
	Reasons    []dsr.Reason
}

// Stage1 is what the second stage's points see of the first stage's
// decisions (input.decisions in Rego, decisions in CEL).
type Stage1 struct {
	Eligible     bool
	ConsentValid bool
	OnRegister   bool
	// Rating is the rating of record (R-RAG-AGREED-2), which the second
	// stage acts on; RatingSince the day number it took effect, from which
	// its actions run (R-REV-2).
	Rating      string
	RatingSince int
	ConsentDate int // day number of the consent in force; 0 if none
}

// PointError reports a decision that breaks the output contract.
func PointError(point, format string, args ...any) error {
	return fmt.Errorf("%w: decision point %s: %s", ErrEvaluation, point, fmt.Sprintf(format, args...))
}

// Plan is what a back end compiles: the bundle, the parameters as the rules
// see them, and which points are its own.
type Plan struct {
	Bundle *bundle.Bundle
	// Params are the parameters in force, typed as the rules see them
	// (dates as day numbers).
	Params map[string]any
	// Stages lists each stage's points (bundle.Stage1Points,
	// bundle.Stage2Points) with "" where another back end evaluates the
	// point. Session.Eval writes out[j] for each point the back end has.
	Stages [2][]string
	// Optional lists the optional points this back end evaluates.
	Optional []string
	// Deadline bounds one evaluation of a stage or an optional point (0:
	// none): an evaluation still running then fails with ErrEvaluation
	// naming the rule file and the limit. Each back end checks it at its
	// own points (Rego every few hundred expressions, CEL every hundred
	// loop iterations), so an evaluation that finishes between two checks
	// is never stopped.
	Deadline time.Duration
	// Lazy compiles each optional point at its first use (once, safe for
	// concurrent use) instead of in Compile: a faster load, and a broken
	// optional point is found when it is first decided rather than at
	// load. A back end may compile eagerly regardless (Rego does). Off
	// (eager) is for checking a bundle before rollout.
	Lazy bool
	// Plain turns the load-time optimiser off: the rules run as the
	// engine's own library runs them. It must never change an answer.
	Plain bool
	// Coverage, if set, receives the line coverage of every evaluation
	// (the Rego back end runs plain to report it against the rules as
	// written).
	Coverage *Coverage
}

// Program is one engine's compiled share of a bundle, safe for concurrent
// use.
type Program interface {
	// Start makes one case's input, for one assessment.
	Start(c *dsr.Case, f *dsr.Facts) Session
	// Decide evaluates an optional point on in (a pointer to the point's
	// input struct, as PointInputs makes it, or nil), returning JSON values.
	Decide(ctx context.Context, point string, in any) (any, error)
}

// Session is one assessment's input as an engine sees it. It is used by
// one goroutine and released once the assessment has copied out what it
// needs.
type Session interface {
	// Eval evaluates the back end's points of stage 0 or 1 into out,
	// indexed like Plan.Stages[stage].
	Eval(ctx context.Context, stage int, out []Decision) error
	// SetStage1 gives the second stage the first stage's decisions.
	SetStage1(Stage1)
	// Release returns what the session holds to its pools.
	Release()
}

// DayOf is an instant's civil date in Europe/London as a day number, as the
// rules see dates.
func DayOf(t time.Time) int { return calendar.DateOf(t).Days() }
