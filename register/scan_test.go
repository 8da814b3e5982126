package register_test

import (
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/register"
)

// TestScanAgreesWithListAndDue: where Scan says each person stands on a
// date is what List and Due say, for everyone, read in parallel; an
// erased person is only their clear trail; requests come with decisions.
func TestScanAgreesWithListAndDue(t *testing.T) {
	reg, _, clk := newReg(t, register.WithWorkers(3))
	for i, id := range []string{"p-1", "p-2", "p-3", "p-4", "p-5"} {
		mustAdd(t, reg, regPerson(id, i+1))
	}
	clk.Set(regDay("2026-04-10"))
	require.NoError(t, reg.Record(regCtx, "p-2", dsr.Event{Type: dsr.EventAdmitted, Date: regDay("2026-04-10"), Security: "general"}, regStaff))
	require.NoError(t, reg.Remove(regCtx, "p-3", register.RemovedMovedArea, regStaff, ""))
	clk.Set(regDay("2026-04-20"))
	require.NoError(t, reg.Record(regCtx, "p-4", dsr.Event{Type: dsr.EventConsentWithdrawn, Date: regDay("2026-04-20"), By: dsr.ByParent}, regStaff))
	require.NoError(t, reg.Refer(regCtx, register.Referral{ID: "req-1", Source: "family", Received: regDay("2026-04-15")}, regStaff))
	require.NoError(t, reg.Decide(regCtx, "req-1", register.Decline, "not at risk", "signposted", regStaff))

	on := regDay("2026-04-25")
	list, err := reg.List(regCtx, on, register.ListFilter{})
	require.NoError(t, err)
	due, err := reg.Due(regCtx, on)
	require.NoError(t, err)

	var mu sync.Mutex
	standing := map[string]register.Position{}
	var erased []*register.Scanned
	require.NoError(t, reg.Scan(regCtx, func(s *register.Scanned) error {
		if s.Erased {
			mu.Lock()
			erased = append(erased, &register.Scanned{Added: s.Added, Left: s.Left, Erased: true})
			mu.Unlock()
			return nil
		}
		st, err := s.On(regCtx, on)
		mu.Lock()
		standing[s.PersonID] = st
		mu.Unlock()
		return err
	}))
	assert.Len(t, standing, 4, "everyone not erased, removed or not")
	assert.False(t, standing["p-3"].Held, "removed before the date")
	held := 0
	for _, e := range list {
		st := standing[e.PersonID]
		held++
		assert.True(t, st.Held, e.PersonID)
		assert.Equal(t, e.RatingOfRecord, st.RatingOfRecord, e.PersonID)
		assert.Equal(t, e.Items, len(st.Items), e.PersonID)
	}
	n := 0
	for _, st := range standing {
		if st.Held {
			n++
		}
		for _, it := range st.Items {
			assert.Contains(t, due, it, "an item Scan gives is on the worklist")
		}
	}
	assert.Equal(t, held, n)
	require.Len(t, erased, 1)
	assert.Equal(t, regDay("2026-04-01"), erased[0].Added)
	assert.Equal(t, regDay("2026-04-20"), erased[0].Left)
	assert.True(t, erased[0].Held(regDay("2026-04-19")))
	assert.False(t, erased[0].Held(regDay("2026-04-20")))

	var refs []register.ScannedReferral
	require.NoError(t, reg.ScanReferrals(regCtx, func(r register.ScannedReferral) error { refs = append(refs, r); return nil }))
	require.Len(t, refs, 1)
	assert.Equal(t, register.Decline, refs[0].Decision.Outcome)
	assert.Equal(t, regDay("2026-04-15"), refs[0].Referral.Received)
}
