package policies

import (
	"fmt"
	"time"

	"github.com/dsrkit/dsrkit/internal/eval"

	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/internal/bundle"
)

// Option configures Load. Options are applied in order and may fail.
type Option func(*config) error

type config struct {
	deadline  time.Duration
	overrides []bundle.Override
	calendar  *calendar.Calendar
	plain     bool
	eager     bool
	coverage  *eval.Coverage
	logger    DecisionLogger
}

// WithParam overrides one of the bundle's parameters. value is any value that
// marshals to JSON; an object is merged into the bundle's object of the same
// name, so WithParam("review_cadence", map[string]any{"red": ...}) changes
// RED's cadence only. Unknown names, wrong types and deadlines without a unit
// fail Load with ErrBadParam.
func WithParam(name string, value any) Option {
	return func(c *config) error {
		c.overrides = append(c.overrides, bundle.Override{Name: name, Value: value})
		return nil
	}
}

// WithCalendar sets the calendar used to turn deadlines into dates (default:
// calendar.Default, England and Wales bank holidays).
func WithCalendar(cal *calendar.Calendar) Option {
	return func(c *config) error {
		if cal == nil {
			return fmt.Errorf("%w: nil calendar", ErrBadParam)
		}
		c.calendar = cal
		return nil
	}
}

// WithOptimize switches the load-time optimiser (on by default). Off, the
// rules run as the engines' own libraries run them: Rego through OPA's
// prepared queries over the parameters as data, CEL through cel-go's
// planner with the parameters as a variable, none of dsrkit's rewrites.
// The answers are the same either way (a test proves it over every shipped
// bundle and overlay); off is slower, and is there to check that claim and
// to rule the optimiser out when a rule behaves unexpectedly.
func WithOptimize(on bool) Option {
	return func(c *config) error {
		c.plain = !on
		return nil
	}
}

// WithEagerCompile(true) compiles every decision point in Load. By
// default (false) an optional CEL point (bluelight_criteria,
// bluelight_invitees, bluelight_funding) is compiled at its first use,
// once, safely for concurrent use: Load is faster (most hosts never decide
// Blue Light), and a broken optional point fails its first use with
// ErrEvaluation and the *LoadError that Load would have returned. Checking
// a bundle before rollout (dsr policy test, dsr policy build) compiles
// eagerly, so that a broken optional point is refused there. The
// decisions are the same either way. Rego points, and cetr_rules (decided
// at Load), are always compiled in Load.
func WithEagerCompile(on bool) Option {
	return func(c *config) error {
		c.eager = on
		return nil
	}
}

// Coverage gathers Rego line coverage across engines and runs: load an
// engine WithCoverage(cov), assess (scenarios, generated cases), run the
// bundle's unit tests with policycheck, then read cov.Report(). A line is
// covered if any run reached it.
type Coverage = eval.Coverage

// FileCoverage is one rule file's lines covered and not covered.
type FileCoverage = eval.FileCoverage

// WithCoverage makes every Rego evaluation of the engine report its line
// coverage to cov. The Rego rules then run unoptimised (WithOptimize
// false), so that the report is of the rules as written; the answers are
// the same. For `dsr policy test --coverage`; not for production.
func WithCoverage(cov *Coverage) Option {
	return func(c *config) error {
		if cov == nil {
			return fmt.Errorf("%w: nil coverage", ErrBadParam)
		}
		c.coverage = cov
		return nil
	}
}

// DefaultDeadline bounds each evaluation of an assessment's rules (each
// stage, each optional point) unless WithDeadline changes it: far above
// the normal cost (well under a millisecond), so only a runaway rule meets
// it. CEL rules are bounded by their cost limit as well.
const DefaultDeadline = time.Second

// LoadDeadline bounds Load's reading and compiling of a bundle (a context
// with an earlier deadline stops it earlier).
const LoadDeadline = 2 * time.Second

// WithDeadline sets the deadline of each evaluation of the rules (default
// DefaultDeadline); a rule still running then fails the assessment with
// ErrEvaluation naming its file and the limit. Zero or less turns the
// deadline off, for a host that bounds the work itself; the context passed
// to Assess still cancels it.
func WithDeadline(d time.Duration) Option {
	return func(c *config) error {
		c.deadline = max(d, 0)
		return nil
	}
}
