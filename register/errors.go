package register

import (
	"errors"
	"fmt"
	"strings"

	"github.com/dsrkit/dsrkit/dsr"
)

// Sentinel errors of the register, matched with errors.Is. Bad input is a
// *dsr.ValidationError, which matches dsr.ErrInvalid.
var (
	// ErrConsentRequired is returned when identifiable data would be held
	// without valid consent for inclusion (R-CONS-1).
	ErrConsentRequired = errors.New("dsr: consent required")
	// ErrConflict is returned when an append names a stale version.
	ErrConflict = errors.New("dsr: version conflict")
	// ErrNotFound is returned for an unknown person or record.
	ErrNotFound = errors.New("dsr: not found")
	// ErrErased is returned when a person's record was erased after consent
	// was withdrawn (R-CONS-4): the audit trail remains, the content cannot
	// be read.
	ErrErased = errors.New("dsr: record erased")
	// ErrRemoved is returned for a write to a person who has been removed
	// from the register (R-REM-1).
	ErrRemoved = errors.New("dsr: removed from the register")
	// ErrTampered is returned when the log is not as the register wrote it.
	ErrTampered = errors.New("dsr: log tampered")
)

// ConsentError says why the register refused to hold a person's identifiable
// data: consent for inclusion does not hold (R-CONS-1). It matches
// ErrConsentRequired with errors.Is. Nothing of the refused write is stored.
type ConsentError struct {
	PersonID string
	// Reasons are the consent decision's reasons, each citing its rule.
	Reasons []dsr.Reason
}

func (e *ConsentError) Error() string {
	var b strings.Builder
	// The person's id stays in PersonID, out of the message (errors are
	// printed and logged; they carry no identifier).
	b.WriteString("dsr: consent required (R-CONS-1): no valid consent for inclusion")
	for _, r := range e.Reasons {
		fmt.Fprintf(&b, "; %s: %s", r.Rule, r.Message)
	}
	return b.String()
}

// Is makes a ConsentError match ErrConsentRequired.
func (e *ConsentError) Is(target error) bool { return target == ErrConsentRequired }

// ChainError is the first broken link Verify found, or a payload that does
// not open. It matches ErrTampered with errors.Is.
type ChainError struct {
	Seq     int64  // the record's position in the log
	Stream  string // its stream, as stored
	Problem string // what is wrong
}

func (e *ChainError) Error() string {
	return fmt.Sprintf("dsr: log tampered at record %d (%s): %s", e.Seq, e.Stream, e.Problem)
}

// Is makes a ChainError match ErrTampered.
func (e *ChainError) Is(target error) bool { return target == ErrTampered }

// invalid is a field error on the register's input, as package dsr reports
// one on a case.
func invalid(field, rule, format string, args ...any) *dsr.ValidationError {
	return &dsr.ValidationError{Field: field, Rule: rule, Problem: fmt.Sprintf(format, args...)}
}
