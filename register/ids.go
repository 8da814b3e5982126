package register

import (
	"errors"
	"fmt"

	"github.com/dsrkit/dsrkit/dsr"
)

// checkIDs checks the ids a write method is given, as field, id pairs, and
// the actor's id, against the one character set of ids (dsr.ValidID), so
// that nothing that could forge a worklist row or an audit line (a newline,
// a terminal escape) is ever stored. An empty actor id is left to
// Actor.validate, which says who is missing.
func checkIDs(by Actor, pairs ...string) error {
	var errs []error
	if by.ID != "" {
		errs = append(errs, dsr.ValidID("by.id", by.ID))
	}
	for i := 0; i+1 < len(pairs); i += 2 {
		errs = append(errs, dsr.ValidID(pairs[i], pairs[i+1]))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("dsr: %w", err)
	}
	return nil
}
