package dsr

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors callers can match with errors.Is.
var (
	// ErrInvalid marks input that breaks the case contract.
	ErrInvalid = errors.New("dsr: invalid input")
)

// ValidationError says which field of the input is wrong, how, and which rule
// it breaks. It matches ErrInvalid with errors.Is.
type ValidationError struct {
	Field   string // JSON path, e.g. "events[3].security"
	Problem string // what is wrong, in plain words
	Rule    string // rule id, when a domain rule is broken (e.g. "R-CONS-2")
}

func (e *ValidationError) Error() string {
	var b strings.Builder
	b.WriteString(e.Field)
	b.WriteString(": ")
	b.WriteString(e.Problem)
	if e.Rule != "" {
		fmt.Fprintf(&b, " (%s)", e.Rule)
	}
	return b.String()
}

// Is makes a ValidationError match ErrInvalid.
func (e *ValidationError) Is(target error) bool { return target == ErrInvalid }

func invalid(field, rule, format string, args ...any) *ValidationError {
	return &ValidationError{Field: field, Rule: rule, Problem: fmt.Sprintf(format, args...)}
}
