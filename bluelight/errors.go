package bluelight

import (
	"errors"
	"fmt"
	"strings"

	"github.com/dsrkit/dsrkit/dsr"
)

// Sentinel errors callers can match with errors.Is. Bad input (a missing or
// malformed field) is a *dsr.ValidationError, which matches dsr.ErrInvalid.
var (
	// ErrRefused marks an operation a Blue Light rule does not allow: a step
	// out of order, closing without the decision and record steps, a less
	// preferred option without reasons, funding past the cap. Every
	// *RuleError matches it.
	ErrRefused = errors.New("bluelight: refused")
	// ErrClosed is returned by every change to a closed meeting.
	ErrClosed = errors.New("bluelight: meeting is closed")
	// ErrBadDecision is returned when a Rules implementation (a policy
	// engine) returns a decision the meeting cannot use, such as an unknown
	// role or a cap of zero hours.
	ErrBadDecision = errors.New("bluelight: bad decision from rules")
)

// RuleError says which rule refused an operation, on which field, and what
// is missing. It matches ErrRefused with errors.Is. A refused operation
// leaves the meeting unchanged.
type RuleError struct {
	Rule    string   // rule id, e.g. "R-BL-STEPS"
	Field   string   // what was refused, e.g. "close", "funding.stop", "choice"
	Problem string   // what is wrong, in plain words
	Missing []string // what must be recorded first, e.g. ["steps.decision", "steps.record"]
}

func (e *RuleError) Error() string {
	var b strings.Builder
	b.WriteString("bluelight: ")
	b.WriteString(e.Field)
	b.WriteString(": ")
	b.WriteString(e.Problem)
	if len(e.Missing) > 0 {
		fmt.Fprintf(&b, "; missing %s", strings.Join(e.Missing, ", "))
	}
	if e.Rule != "" {
		fmt.Fprintf(&b, " (%s)", e.Rule)
	}
	return b.String()
}

// Is makes a RuleError match ErrRefused.
func (e *RuleError) Is(target error) bool { return target == ErrRefused }

func invalid(field, rule, format string, args ...any) *dsr.ValidationError {
	return &dsr.ValidationError{Field: field, Rule: rule, Problem: fmt.Sprintf(format, args...)}
}

func refused(rule, field string, missing []string, format string, args ...any) *RuleError {
	return &RuleError{Rule: rule, Field: field, Missing: missing, Problem: fmt.Sprintf(format, args...)}
}
