package register_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/register"
)

func TestStandingGivesTheDayAddedAndTheRemoval(t *testing.T) {
	reg, _, clk := newReg(t)
	mustAdd(t, reg, regPerson("a", 1))
	s, err := reg.Standing(regCtx, "a", regStaff)
	require.NoError(t, err)
	assert.Equal(t, register.Standing{Added: regDay("2026-04-01")}, s, "on the register, not removed")

	clk.Set(regDay("2026-04-20"))
	require.NoError(t, reg.Remove(regCtx, "a", register.RemovedMovedArea, regStaff, "transfer letter"))
	s, err = reg.Standing(regCtx, "a", regStaff)
	require.NoError(t, err)
	assert.Equal(t, regDay("2026-04-01"), s.Added)
	require.NotNil(t, s.Removal)
	assert.Equal(t, register.Removal{Reason: register.RemovedMovedArea, Date: regDay("2026-04-20"), Evidence: "transfer letter"}, *s.Removal)

	audit, err := reg.Audit(regCtx, "a", register.Actor{ID: "admin-1", Role: register.RoleAdmin})
	require.NoError(t, err)
	reads := 0
	for _, e := range audit {
		if e.Read && e.What == "standing" {
			reads++
		}
	}
	assert.Equal(t, 2, reads, "each read is audited")

	_, err = reg.Standing(regCtx, "a", register.Actor{})
	var ve *dsr.ValidationError
	assert.ErrorAs(t, err, &ve, "who reads is required")
	_, err = reg.Standing(regCtx, "nobody", regStaff)
	assert.ErrorIs(t, err, register.ErrNotFound)

	mustAdd(t, reg, regPerson("b", 2))
	require.NoError(t, reg.Record(regCtx, "b", dsr.Event{Type: dsr.EventConsentWithdrawn, Date: regDay("2026-04-20"), By: dsr.ByParent}, regStaff))
	_, err = reg.Standing(regCtx, "b", regStaff)
	assert.ErrorIs(t, err, register.ErrErased, "withdrawal erases (R-CONS-4)")
}
