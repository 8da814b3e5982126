package register_test

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/register"
)

func yes() *bool { b := true; return &b }

// R-DATA-1: a change of details records only what changed, and the details
// are rebuilt from the changes; a refused change writes nothing.
func TestChangeDetailsRecordsOnlyWhatChanged(t *testing.T) {
	reg, store, _ := newReg(t)
	np := regPerson("a", 1)
	np.Entry = dsr.Entry{Accommodation: "family_home", Placement: "in_area", Team: "North", KeyworkerReferral: regDay("2026-03-01")}
	mustAdd(t, reg, np)

	d, changed, err := reg.ChangeDetails(regCtx, "a", []byte(`{"entry": {"placement": "out_of_area", "section_117": true, "keyworker_referral": null}, "address": "2 Test Road"}`), regStaff)
	require.NoError(t, err)
	assert.Equal(t, []string{"address", "entry.keyworker_referral", "entry.placement", "entry.section_117"}, changed)
	assert.True(t, d.Entry.OutOfArea())
	assert.True(t, d.Entry.KeyworkerReferral.IsZero(), "null clears a member")
	assert.Equal(t, "family_home", d.Entry.Accommodation, "what the patch leaves out stays")

	got, err := reg.Details(regCtx, "a", regStaff)
	require.NoError(t, err)
	assert.Equal(t, d, got, "the details as rebuilt from the log")

	h, err := reg.History(regCtx, "a", regStaff)
	require.NoError(t, err)
	last := h[len(h)-1]
	assert.Equal(t, "details updated: address, entry.keyworker_referral, entry.placement, entry.section_117", last.Summary)
	assert.NotContains(t, last.Summary, "2 Test Road", "the summary names what changed, not the values")

	// Refusals name the field and the rule, and write nothing.
	before := logLength(t, store)
	for _, c := range []struct{ patch, field string }{
		{`{"entry": {"gender": "purple"}}`, "entry.gender"},
		{`{"entry": {"funding": {"health": 60, "social_care": 30, "education": 20}}}`, "entry.funding"},
		{`{"entry": {"crisis_plan_reviewed": "2026-05-01"}}`, "entry.crisis_plan_reviewed"},
		{`{"entry": {"previous_admissions": ["2025-01-01", "2024-01-01"]}}`, "entry.previous_admissions[1]"},
		{`{"entry": {"mitigations": ["ok", "\u001b[2J"]}}`, "entry.mitigations[1]"},
		{`{"entry": {"placement": "moon"}}`, "entry.placement"},
		{`{"person": {"id": "b"}}`, "person.id"},
		{`{"entry": {"shoe_size": 9}}`, "entry.shoe_size"},
	} {
		_, _, err := reg.ChangeDetails(regCtx, "a", []byte(c.patch), regStaff)
		var ve *dsr.ValidationError
		if assert.ErrorAs(t, err, &ve, c.patch) {
			assert.Contains(t, err.Error(), c.field, c.patch)
		}
		assert.True(t, errors.Is(err, dsr.ErrInvalid), c.patch)
	}
	assert.Equal(t, before, logLength(t, store), "refused changes wrote nothing")

	// A change to nothing new writes nothing.
	_, changed, err = reg.ChangeDetails(regCtx, "a", []byte(`{"entry": {"placement": "out_of_area"}}`), regStaff)
	require.NoError(t, err)
	assert.Empty(t, changed)
	assert.Equal(t, before, logLength(t, store))
}

// Property: whatever sequence of details a person is given, the register
// returns the last one, and each change's record names exactly the
// members that differ.
func TestDetailsReplayProperty(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		reg, _, _ := newReg(t)
		np := regPerson("a", 1)
		mustAdd(t, reg, np)
		cur := np.Details
		for i := range rapid.IntRange(1, 6).Draw(rt, "changes") {
			next := cur
			next.Entry.PreviousAdmissions = slices.Clone(cur.Entry.PreviousAdmissions)
			next.Entry.Mitigations = slices.Clone(cur.Entry.Mitigations)
			if rapid.Bool().Draw(rt, "gender") {
				next.Entry.Gender = rapid.SampledFrom(append([]string{""}, dsr.Genders...)).Draw(rt, "g")
			}
			if rapid.Bool().Draw(rt, "placement") {
				next.Entry.Placement = rapid.SampledFrom([]string{"", "in_area", "out_of_area"}).Draw(rt, "p")
			}
			if rapid.Bool().Draw(rt, "s117") {
				next.Entry.Section117 = rapid.SampledFrom([]*bool{nil, yes(), new(bool)}).Draw(rt, "s")
			}
			if rapid.Bool().Draw(rt, "funding") {
				h := rapid.IntRange(0, 100).Draw(rt, "h")
				next.Entry.Funding = &dsr.FundingSplit{Health: h, SocialCare: 100 - h}
			}
			if rapid.Bool().Draw(rt, "mitigation") {
				next.Entry.Mitigations = append(next.Entry.Mitigations, rapid.StringMatching(`[A-Za-z ]{1,20}`).Draw(rt, "m"))
			}
			if rapid.Bool().Draw(rt, "name") {
				next.Name = rapid.StringMatching(`[A-Z][a-z]{1,8} [A-Z][a-z]{1,8}`).Draw(rt, "n")
			}
			if err := reg.UpdateDetails(regCtx, "a", next, regStaff); err != nil {
				if m := next.Entry.Mitigations; len(m) > 0 && strings.TrimSpace(m[len(m)-1]) == "" {
					continue // an empty mitigation is refused
				}
				rt.Fatalf("change %d: %v", i, err)
			}
			cur = next
			got, err := reg.Details(regCtx, "a", regStaff)
			if err != nil {
				rt.Fatal(err)
			}
			if !reflect.DeepEqual(normalise(got), normalise(cur)) {
				rt.Fatalf("change %d: got %+v, want %+v", i, got.Entry, cur.Entry)
			}
		}
		if err := reg.Verify(regCtx); err != nil {
			rt.Fatal(err)
		}
	})
}

// normalise makes empty and nil lists alike, as JSON does.
func normalise(d register.Details) register.Details {
	if len(d.Entry.Mitigations) == 0 {
		d.Entry.Mitigations = nil
	}
	if len(d.Entry.PreviousAdmissions) == 0 {
		d.Entry.PreviousAdmissions = nil
	}
	return d
}

// At: an entry made after the fact is dated then, refused in the future
// or before the person's previous record, and the audit keeps both times.
func TestAtEntersAfterTheFact(t *testing.T) {
	reg, store, clk := newReg(t)
	mustAdd(t, reg, regPerson("a", 1)) // added 1 April
	clk.Set(regDay("2026-04-03"))
	before := logLength(t, store)
	for _, at := range []time.Time{regDay("2026-04-04").Start(), regDay("2026-03-31").Start()} {
		err := reg.Agree(regCtx, "a", dsr.Amber, "meeting", regStaff, register.At(at))
		var ve *dsr.ValidationError
		require.ErrorAs(t, err, &ve)
		assert.Equal(t, "at", ve.Field)
	}
	assert.Equal(t, before, logLength(t, store))
	met := time.Date(2026, 4, 2, 19, 30, 0, 0, calendar.London)
	require.NoError(t, reg.Agree(regCtx, "a", dsr.Amber, "meeting", regStaff, register.At(met)))
	c, err := reg.Case(regCtx, "a", regDay("2026-04-03"), regStaff)
	require.NoError(t, err)
	last := c.Events[len(c.Events)-1]
	assert.Equal(t, dsr.EventRatingAgreed, last.Type)
	assert.Equal(t, regDay("2026-04-02"), last.Date, "dated when it happened")

	audit, err := reg.Audit(regCtx, "a", register.Actor{ID: "admin-1", Role: register.RoleAdmin})
	require.NoError(t, err)
	i := slices.IndexFunc(audit, func(e register.AuditEntry) bool { return e.Type == string(dsr.EventRatingAgreed) })
	require.GreaterOrEqual(t, i, 0)
	assert.True(t, audit[i].Occurred.Equal(met), "when it happened")
	assert.Equal(t, regDay("2026-04-03"), calendar.DateOf(audit[i].At), "when it was entered")
}

// The name index: exact, case folded, shared names, renames.
func TestFindName(t *testing.T) {
	reg, _, _ := newReg(t)
	a, b, c := regPerson("a", 1), regPerson("b", 2), regPerson("c", 3)
	a.Name, b.Name, c.Name = "Sam Sample", "sam  SAMPLE", "Alex Example"
	for _, np := range []register.NewPerson{a, b, c} {
		mustAdd(t, reg, np)
	}
	ids, err := reg.FindName(regCtx, " SAM sample ", regStaff)
	require.NoError(t, err)
	assert.Equal(t, []string{"a", "b"}, ids)
	ids, err = reg.FindName(regCtx, "Sam", regStaff)
	require.NoError(t, err)
	assert.Equal(t, []string{}, ids, "exact, not a search")

	_, _, err = reg.ChangeDetails(regCtx, "b", []byte(`{"name": "Robin Sample"}`), regStaff)
	require.NoError(t, err)
	ids, err = reg.FindName(regCtx, "Sam Sample", regStaff)
	require.NoError(t, err)
	assert.Equal(t, []string{"a"}, ids, "renamed: no longer found by the old name")
	ids, err = reg.FindName(regCtx, "robin sample", regStaff)
	require.NoError(t, err)
	assert.Equal(t, []string{"b"}, ids)
}

// List: everyone held, with ratings of record and the entry's team, and
// the filters.
func TestList(t *testing.T) {
	reg, _, _ := newReg(t)
	a, b := regPerson("a", 1), regPerson("b", 2)
	a.Entry.Team, a.Entry.CareCoordinator = "North", "Coordinator One"
	b.Entry.Team = "South"
	b.Circumstances = dsr.Circumstances{MentalHealthDeteriorating: true}
	mustAdd(t, reg, a)
	mustAdd(t, reg, b)
	all, err := reg.List(regCtx, regDay("2026-04-01"), register.ListFilter{})
	require.NoError(t, err)
	require.Len(t, all, 2)
	byID := map[string]register.ListEntry{}
	for _, e := range all {
		byID[e.PersonID] = e
		assert.NotZero(t, e.Items, e.PersonID)
	}
	assert.Equal(t, "North", byID["a"].Team)
	assert.Equal(t, "Coordinator One", byID["a"].CareCoordinator)
	assert.Equal(t, dsr.Red, byID["a"].Rating)

	north, err := reg.List(regCtx, regDay("2026-04-01"), register.ListFilter{Team: "north"})
	require.NoError(t, err)
	require.Len(t, north, 1)
	assert.Equal(t, "a", north[0].PersonID)
	late, err := reg.List(regCtx, regDay("2026-05-30"), register.ListFilter{Overdue: true})
	require.NoError(t, err)
	assert.Len(t, late, 2, "both register reviews are overdue by the end of May")
	none, err := reg.List(regCtx, regDay("2020-01-01"), register.ListFilter{})
	require.NoError(t, err)
	assert.Equal(t, []register.ListEntry{}, none, "nobody held before they were added: an empty list, not nil")
}
