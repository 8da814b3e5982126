package bundle

import (
	"errors"
	"fmt"
)

// Sentinel errors; the policies package re-exports them.
var (
	// ErrBadBundle marks every load failure; errors.As gives the *LoadError.
	ErrBadBundle = errors.New("policies: bad bundle")
	// ErrBadParam marks an unknown parameter, a wrong type or a deadline
	// without a unit.
	ErrBadParam = errors.New("policies: bad parameter")
)

// LoadError is a bundle that failed to load, with the file and, for rule
// errors, the position (file:line:col).
type LoadError struct {
	File      string
	Line, Col int
	Err       error
}

func (e *LoadError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d:%d: %v", e.File, e.Line, e.Col, e.Err)
	}
	return fmt.Sprintf("%s: %v", e.File, e.Err)
}

func (e *LoadError) Unwrap() error { return e.Err }

// Is makes every LoadError match ErrBadBundle.
func (e *LoadError) Is(target error) bool { return target == ErrBadBundle }
