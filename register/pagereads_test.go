package register_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/register"
)

// TestDetailsOfIsOneAuditedRead: the names of a page read at once are one
// record of the day's read log, in the audit of each person read and of
// nobody else, written before the details are returned.
func TestDetailsOfIsOneAuditedRead(t *testing.T) {
	reg, store, _ := newReg(t)
	for i, id := range []string{"a", "b", "c"} {
		mustAdd(t, reg, regPerson(id, i+1))
	}
	n := logLength(t, store)
	got, err := reg.DetailsOf(regCtx, []string{"a", "c", "a"}, "worklist page", "rating red", regDay("2026-04-01"), regStaff)
	require.NoError(t, err)
	require.Len(t, got, 2)
	assert.Equal(t, "Person A1 Synthetic", got["a"].Name)
	assert.Equal(t, "Person A3 Synthetic", got["c"].Name)
	assert.Equal(t, n+1, logLength(t, store), "one record for the page")
	admin := register.Actor{ID: "staff-1", Role: register.RoleAdmin}
	for id, want := range map[string]int{"a": 1, "b": 0, "c": 1} {
		entries, err := reg.Audit(regCtx, id, admin)
		require.NoError(t, err)
		reads := 0
		for _, e := range entries {
			if e.Read {
				reads++
			}
		}
		assert.Equal(t, want, reads, id)
	}
	_, err = reg.DetailsOf(regCtx, []string{"a", "nobody"}, "worklist page", "", regDay("2026-04-01"), regStaff)
	require.ErrorIs(t, err, register.ErrNotFound)
	assert.Equal(t, n+1, logLength(t, store), "nothing returned, nothing recorded")
	var ve *dsr.ValidationError
	_, err = reg.DetailsOf(regCtx, []string{"a"}, "worklist page", "", regDay("2026-04-01"), register.Actor{})
	require.ErrorAs(t, err, &ve)
}

// TestWritesAfterIgnoresReads: reads' audits do not count as writes; a
// write does.
func TestWritesAfterIgnoresReads(t *testing.T) {
	reg, _, _ := newReg(t)
	mustAdd(t, reg, regPerson("a", 1))
	seq, err := reg.LastSeq(regCtx)
	require.NoError(t, err)
	last, wrote, err := reg.WritesAfter(regCtx, seq)
	require.NoError(t, err)
	assert.Empty(t, wrote)
	assert.Equal(t, seq, last)
	_, err = reg.Details(regCtx, "a", regStaff)
	require.NoError(t, err)
	_, err = reg.History(regCtx, "a", regStaff)
	require.NoError(t, err)
	last, wrote, err = reg.WritesAfter(regCtx, seq)
	require.NoError(t, err)
	assert.Empty(t, wrote, "reads are not writes")
	assert.Equal(t, seq+2, last)
	require.NoError(t, reg.Agree(regCtx, "a", dsr.Amber, "agreed", regStaff))
	require.NoError(t, reg.Agree(regCtx, "a", dsr.Green, "agreed again", regStaff))
	last2, wrote, err := reg.WritesAfter(regCtx, last)
	require.NoError(t, err)
	assert.Equal(t, []string{register.AuditEvent}, wrote, "once each")
	assert.Greater(t, last2, last)
}
