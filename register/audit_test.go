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
		assert.Empty(t, e.Why, "the reasons for reading went with the person's key")
	}
	s, err := store.Stream(regCtx, "audit/"+reg.PersonStream("a")[len("person/"):])
	require.NoError(t, err)
	assert.True(t, s.KeyDestroyed, "the audit stream's key is destroyed with the person's")
	require.NoError(t, reg.Verify(regCtx))
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

func TestOneNHSNumberBelongsToOnePersonAndIsFoundThroughItsPseudonym(t *testing.T) {
	reg, store, _ := newReg(t)
	a := regPerson("a", 1)
	mustAdd(t, reg, a)
	b := regPerson("b", 1) // the same NHS number
	n := logLength(t, store)
	err := reg.Add(regCtx, b, regStaff)
	var ve *dsr.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "person.nhs_number", ve.Field)
	assert.Equal(t, n, logLength(t, store), "the refused person wrote nothing")

	id, err := reg.FindNHSNumber(regCtx, a.Person.NHSNumber, regStaff)
	require.NoError(t, err)
	assert.Equal(t, "a", id)
	_, err = reg.FindNHSNumber(regCtx, dsr.TestNHSNumber(77), regStaff)
	assert.ErrorIs(t, err, register.ErrNotFound)

	// b takes another number, then may not change to a's.
	b.Person.NHSNumber = dsr.TestNHSNumber(2)
	mustAdd(t, reg, b)
	d := b.Details
	d.Person.NHSNumber = a.Person.NHSNumber
	require.ErrorAs(t, reg.UpdateDetails(regCtx, "b", d, regStaff), &ve)
	assert.Equal(t, "person.nhs_number", ve.Field)

	// Once a withdraws, the number is free again, and no index names it in clear.
	require.NoError(t, reg.Record(regCtx, "a", dsr.Event{Type: dsr.EventConsentWithdrawn, Date: regDay("2026-04-01")}, regStaff))
	require.NoError(t, reg.UpdateDetails(regCtx, "b", d, regStaff))
	id, err = reg.FindNHSNumber(regCtx, a.Person.NHSNumber, regStaff)
	require.NoError(t, err)
	assert.Equal(t, "b", id)
	for _, raw := range store.Raw() {
		assert.NotContains(t, string(raw), string(a.Person.NHSNumber))
	}
	require.NoError(t, reg.Verify(regCtx))
}

// TestABulkReadIsInTheAuditOfEachPersonItNamed: a list shown to someone
// (AuditBulk) is one record in the day's read log, in the keyed chain, and
// appears in the audit of each person it named and of nobody else; a read
// of nobody is not recorded; the record holds no identifier in the clear.
func TestABulkReadIsInTheAuditOfEachPersonItNamed(t *testing.T) {
	reg, store, _ := newReg(t)
	mustAdd(t, reg, regPerson("a", 1))
	mustAdd(t, reg, regPerson("b", 2))
	mustAdd(t, reg, regPerson("c", 3))
	n := logLength(t, store)
	f := register.ListFilter{Rating: dsr.Red, Overdue: true}
	require.NoError(t, reg.AuditBulk(regCtx, "worklist page", f.String(), regDay("2026-04-01"), []string{"a", "c"}, regStaff, register.Because("weekly meeting")))
	require.NoError(t, reg.AuditBulk(regCtx, "worklist page", "", regDay("2026-04-01"), nil, regStaff))
	assert.Equal(t, n+1, logLength(t, store), "one record for the read of two, none for the read of nobody")
	require.NoError(t, reg.Verify(regCtx))
	require.NoError(t, store.Log(regCtx, func(rec register.Record) error {
		if rec.Seq > int64(n) {
			assert.Equal(t, register.AuditRead, rec.Type)
			assert.NotContains(t, string(rec.Payload), "weekly meeting", "sealed")
		}
		return nil
	}))

	admin := register.Actor{ID: "staff-1", Role: register.RoleAdmin}
	bulkReads := func(id string) []register.AuditEntry {
		entries, err := reg.Audit(regCtx, id, admin)
		require.NoError(t, err)
		var out []register.AuditEntry
		for _, e := range entries {
			if e.Read {
				out = append(out, e)
			}
		}
		return out
	}
	for _, id := range []string{"a", "c"} {
		reads := bulkReads(id)
		require.Len(t, reads, 1, id)
		assert.Equal(t, "worklist page (rating of record red, overdue): 2 people", reads[0].What)
		assert.Equal(t, "weekly meeting", reads[0].Why)
		assert.Equal(t, regStaff, reads[0].By)
	}
	assert.Empty(t, bulkReads("b"), "b was not in the list")

	var ve *dsr.ValidationError
	require.ErrorAs(t, reg.AuditBulk(regCtx, "list", "", regDay("2026-04-01"), []string{"a"}, register.Actor{}), &ve, "who read is required")
}
