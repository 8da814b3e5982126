package register_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/register"
)

func TestEveryReadOfIdentifiableDataIsAuditedInTheChain(t *testing.T) {
	reg, store, _ := newReg(t)
	mustAdd(t, reg, regPerson("a", 1))
	viewer := register.Actor{ID: "staff-9", Role: register.RoleViewer}
	n := logLength(t, store)

	_, err := reg.History(regCtx, "a", viewer, register.Because("register meeting"))
	require.NoError(t, err)
	_, err = reg.Case(regCtx, "a", regDay("2026-04-01"), viewer)
	require.NoError(t, err)
	_, err = reg.Details(regCtx, "a", regStaff, register.Because("letter"))
	require.NoError(t, err)
	assert.Equal(t, n+3, logLength(t, store), "one audit record a read")
	require.NoError(t, reg.Verify(regCtx), "the reads are in the keyed chain")

	admin := register.Actor{ID: "staff-1", Role: register.RoleAdmin}
	entries, err := reg.Audit(regCtx, "a", admin)
	require.NoError(t, err)
	var reads []register.AuditEntry
	for _, e := range entries {
		if e.Read {
			reads = append(reads, e)
		} else {
			assert.Equal(t, regStaff, e.By, "who wrote")
		}
	}
	require.Len(t, reads, 3)
	assert.Equal(t, []string{"history", "case", "details"}, []string{reads[0].What, reads[1].What, reads[2].What})
	assert.Equal(t, viewer, reads[0].By)
	assert.Equal(t, "register meeting", reads[0].Why)
	assert.Equal(t, regStaff, reads[2].By)
	assert.Equal(t, "letter", reads[2].Why)
	assert.Equal(t, int64(n+1), reads[0].Seq)

	_, err = reg.Audit(regCtx, "a", viewer)
	var ve *dsr.ValidationError
	require.ErrorAs(t, err, &ve, "only an admin reads the audit")
	assert.Equal(t, "by.role", ve.Field)

	// After withdrawal the audit is pseudonymous: who and when remain.
	require.NoError(t, reg.Record(regCtx, "a", dsr.Event{Type: dsr.EventConsentWithdrawn, Date: regDay("2026-04-01")}, regStaff))
	entries, err = reg.Audit(regCtx, "a", admin)
	require.NoError(t, err)
	for _, e := range entries {
		assert.Contains(t, register.AuditTypes, e.Type)
		assert.NotEmpty(t, e.By.ID)
	}
}

func TestReadsAndWritesNeedAnActorWithAKnownRole(t *testing.T) {
	reg, store, _ := newReg(t)
	mustAdd(t, reg, regPerson("a", 1))
	n := logLength(t, store)
	for _, by := range []register.Actor{{}, {ID: "x"}, {ID: "x", Role: "care coordinator"}, {ID: "x", Role: "Admin"}} {
		var ve *dsr.ValidationError
		_, err := reg.History(regCtx, "a", by)
		require.ErrorAs(t, err, &ve, "history by %+v", by)
		_, err = reg.Case(regCtx, "a", regDay("2026-04-01"), by)
		require.ErrorAs(t, err, &ve)
		_, err = reg.Details(regCtx, "a", by)
		require.ErrorAs(t, err, &ve)
		err = reg.Record(regCtx, "a", dsr.Event{Type: dsr.EventAdmitted, Date: regDay("2026-03-30")}, by)
		require.ErrorAs(t, err, &ve)
		if by.ID != "" {
			assert.Equal(t, "by.role", ve.Field)
		}
	}
	assert.Equal(t, n, logLength(t, store), "a refused read or write writes nothing")
}
