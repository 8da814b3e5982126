package register

import (
	"context"
	"fmt"

	"github.com/dsrkit/dsrkit/calendar"
)

// Standing is a person's place on the register: the day they were added
// and, once they have left it, their removal (R-REM-1).
type Standing struct {
	Added   calendar.Date `json:"added"`
	Removal *Removal      `json:"removal,omitempty"`
}

// Standing returns when a person was added to the register and their
// removal, if they have been removed. An unknown person is ErrNotFound; an
// erased one (consent withdrawn, R-CONS-4) ErrErased. The read is audited,
// as Case's is.
func (r *Register) Standing(ctx context.Context, id string, by Actor, opts ...ReadOption) (Standing, error) {
	if err := by.validate(); err != nil {
		return Standing{}, fmt.Errorf("dsr: reading a person: %w", err)
	}
	st, err := r.person(ctx, id)
	if err != nil {
		return Standing{}, err
	}
	if st.erased {
		return Standing{}, fmt.Errorf("dsr: the person's record: %w", ErrErased)
	}
	if err := r.audit(ctx, id, "standing", by, opts); err != nil {
		return Standing{}, err
	}
	s := Standing{Added: st.added}
	if st.removal != nil {
		rm := *st.removal
		s.Removal = &rm
	}
	return s, nil
}
