package policies

import (
	"errors"

	"github.com/dsrkit/dsrkit/internal/bundle"
	"github.com/dsrkit/dsrkit/internal/eval"
)

// Sentinel errors.
var (
	// ErrUnknownBundle is returned by Bundle for a name with no embedded profile.
	ErrUnknownBundle = errors.New("policies: unknown bundle")
	// ErrBadBundle marks every load failure; errors.As gives the *LoadError.
	ErrBadBundle = bundle.ErrBadBundle
	// ErrBadParam marks an unknown parameter, a wrong type or a deadline
	// without a unit.
	ErrBadParam = bundle.ErrBadParam
	// ErrEvaluation marks a rule that failed at evaluation time. The
	// assessment is not returned: there is no safe default rating.
	ErrEvaluation = eval.ErrEvaluation
)

// LoadError is a bundle that failed to load, with the file and, for rule
// errors, the position (file:line:col). It matches ErrBadBundle.
type LoadError = bundle.LoadError

// ParamError is an unknown parameter, a value of the wrong type, or a
// deadline without a valid unit, in the bundle's parameters file or a
// WithParam option ("option"). It matches ErrBadParam and ErrBadBundle.
type ParamError = bundle.ParamError
