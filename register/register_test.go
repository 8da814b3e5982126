package register_test

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/register"
	"github.com/dsrkit/dsrkit/register/memstore"
)

func TestRegisterAddsAConsentedPersonAndRebuildsTheCaseFromTheLog(t *testing.T) {
	reg, _, _ := newReg(t)
	np := regPerson("a", 1)
	mustAdd(t, reg, np)

	c, err := reg.Case(regCtx, "a", regDay("2026-04-01"), regStaff)
	require.NoError(t, err)
	// The circumstances were reported when the person was added (R-RAG-AGREED-2).
	assert.Equal(t, dsr.Case{AsOf: regDay("2026-04-01"), Person: np.Person, Circumstances: np.Circumstances, CircumstancesSince: regDay("2026-04-01"), Events: np.Events}, c)

	d, err := reg.Details(regCtx, "a", regStaff)
	require.NoError(t, err)
	assert.Equal(t, np.Details, d)

	before, err := reg.Case(regCtx, "a", regDay("2026-03-01"), regStaff)
	require.NoError(t, err)
	assert.Empty(t, before.Events, "a case as of a day before the consent holds no later events")
}

func TestNoConsentNothingIdentifiableIsHeld(t *testing.T) {
	cases := []struct {
		name   string
		events []dsr.Event
		dob    string
		person func(*dsr.Person)
		rule   string
	}{
		{"no consent recorded (R-CONS-1)", nil, "2010-09-15", nil, "R-CONS-1"},
		{"a 15-year-old not Gillick competent cannot consent for themselves (R-CONS-2, worked example 6)",
			[]dsr.Event{{Type: dsr.EventConsentGiven, Date: regDay("2026-03-02"), GivenBy: dsr.BySelf}}, "2010-09-15", nil, "R-CONS-2"},
		{"a parent cannot consent for an adult (R-CONS-2)",
			[]dsr.Event{{Type: dsr.EventConsentGiven, Date: regDay("2026-03-02"), GivenBy: dsr.ByParent}}, "1990-01-01", nil, "R-CONS-2"},
		{"a parent's consent lapsed at 16 (R-CONS-3)",
			[]dsr.Event{{Type: dsr.EventConsentGiven, Date: regDay("2024-03-02"), GivenBy: dsr.ByParent}}, "2009-09-15", nil, "R-CONS-3"},
		{"consent withdrawn (R-CONS-4)",
			[]dsr.Event{{Type: dsr.EventConsentGiven, Date: regDay("2026-03-02"), GivenBy: dsr.ByParent}, {Type: dsr.EventConsentWithdrawn, Date: regDay("2026-03-20")}}, "2010-09-15", nil, "R-CONS-4"},
		{"an adult who lacks capacity cannot consent for themselves (R-CONS-2)",
			[]dsr.Event{{Type: dsr.EventConsentGiven, Date: regDay("2026-03-02"), GivenBy: dsr.BySelf}}, "1990-01-01", func(p *dsr.Person) { p.LacksCapacity = true }, "R-CONS-2"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			reg, store, _ := newReg(t)
			np := regPerson("a", 1)
			np.Events = tc.events
			np.Person.DateOfBirth = regDay(tc.dob)
			if tc.person != nil {
				tc.person(&np.Person)
			}
			err := reg.Add(regCtx, np, regStaff)
			require.ErrorIs(t, err, register.ErrConsentRequired)
			var ce *register.ConsentError
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, "a", ce.PersonID)
			require.NotEmpty(t, ce.Reasons)
			assert.Equal(t, tc.rule, ce.Reasons[0].Rule)
			assert.Contains(t, err.Error(), tc.rule)
			assert.Zero(t, logLength(t, store), "nothing of the refused write is stored")
			_, err = reg.Details(regCtx, "a", regStaff)
			assert.ErrorIs(t, err, register.ErrNotFound)
		})
	}
}

func TestBestInterestsDecisionAllowsAnAdultWhoLacksCapacityToBeHeld(t *testing.T) {
	reg, _, _ := newReg(t)
	np := regPerson("b", 2)
	np.Person.DateOfBirth, np.Person.LacksCapacity = regDay("1990-01-01"), true
	np.Events = []dsr.Event{{Type: dsr.EventConsentGiven, Date: regDay("2026-03-02"), GivenBy: dsr.ByBestInterests}}
	mustAdd(t, reg, np)
}

func TestAConsentThatDoesNotHoldIsRefusedForSomeoneOnTheRegister(t *testing.T) {
	reg, store, _ := newReg(t)
	mustAdd(t, reg, regPerson("a", 1))
	n := logLength(t, store)
	err := reg.Record(regCtx, "a", dsr.Event{Type: dsr.EventConsentGiven, Date: regDay("2026-03-30"), GivenBy: dsr.ByDeputy}, regStaff)
	require.ErrorIs(t, err, register.ErrConsentRequired)
	assert.Contains(t, err.Error(), "R-CONS-2")
	assert.Equal(t, n, logLength(t, store))
}

func TestBadInputChangesNothingAndSaysWhy(t *testing.T) {
	reg, store, _ := newReg(t)
	mustAdd(t, reg, regPerson("a", 1))
	n := logLength(t, store)

	err := reg.Record(regCtx, "nobody", dsr.Event{Type: dsr.EventAdmitted, Date: regDay("2026-03-30")}, regStaff)
	assert.ErrorIs(t, err, register.ErrNotFound, "an unknown person")

	err = reg.Record(regCtx, "a", dsr.Event{Type: dsr.EventDischarged, Date: regDay("2026-03-30")}, regStaff)
	require.ErrorIs(t, err, dsr.ErrInvalid, "a discharge with no admission")
	var ve *dsr.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "event", ve.Field)

	err = reg.Record(regCtx, "a", dsr.Event{Type: dsr.EventAdmitted, Date: regDay("2026-04-02")}, regStaff)
	require.ErrorAs(t, err, &ve, "an admission tomorrow")
	assert.Equal(t, "event.date", ve.Field)

	err = reg.Record(regCtx, "a", dsr.Event{Type: "sectioned", Date: regDay("2026-03-30")}, regStaff)
	require.ErrorAs(t, err, &ve, "an unknown event type")
	assert.Equal(t, "event.type", ve.Field)

	err = reg.Record(regCtx, "a", dsr.Event{Type: dsr.EventAdmitted, Date: regDay("2026-03-30")}, register.Actor{})
	require.ErrorAs(t, err, &ve, "nobody named as making the change")
	assert.Equal(t, "by.id", ve.Field)

	err = reg.Record(regCtx, "a", dsr.Event{Type: dsr.EventAdmitted, Date: regDay("2026-03-30")}, regStaff, register.IfVersion(1))
	assert.ErrorIs(t, err, register.ErrConflict, "a stale version")

	assert.Equal(t, n, logLength(t, store), "no refused write changed the log")
	require.NoError(t, reg.Verify(regCtx))
}

func TestWithdrawingConsentErasesTheRecordAndKeepsTheAuditTrail(t *testing.T) {
	reg, store, _ := newReg(t)
	np := regPerson("a", 42)
	mustAdd(t, reg, np)
	require.NoError(t, reg.Record(regCtx, "a", dsr.Event{Type: dsr.EventAdmitted, Date: regDay("2026-03-30"), Security: "general"}, regStaff))

	identifiers := [][]byte{[]byte(np.Person.NHSNumber), []byte(np.Name), []byte("Test Street"), []byte("2010-09-15")}
	for _, raw := range store.Raw() {
		for _, id := range identifiers {
			require.False(t, bytes.Contains(raw, id), "%q is held in plain text", id)
		}
	}
	key := streamKey(t, store, reg.PersonStream("a"))

	withdrawer := register.Actor{ID: "staff-3", Role: "admin"}
	require.NoError(t, reg.Record(regCtx, "a", dsr.Event{Type: dsr.EventConsentWithdrawn, Date: regDay("2026-04-01"), By: dsr.ByParent}, withdrawer))

	_, err := reg.Details(regCtx, "a", regStaff)
	assert.ErrorIs(t, err, register.ErrErased)
	_, err = reg.Case(regCtx, "a", regDay("2026-04-01"), regStaff)
	assert.ErrorIs(t, err, register.ErrErased)
	for _, raw := range store.Raw() {
		require.False(t, bytes.Contains(raw, key), "the destroyed key is still held")
	}
	err = reg.Record(regCtx, "a", dsr.Event{Type: dsr.EventDischarged, Date: regDay("2026-04-01")}, regStaff)
	assert.ErrorIs(t, err, register.ErrErased, "an erased record takes no more writes")

	h, err := reg.History(regCtx, "a", regStaff)
	require.NoError(t, err)
	var types []string
	for _, e := range h {
		assert.True(t, e.Erased)
		assert.Empty(t, e.Summary)
		assert.NotEmpty(t, e.By.Role)
		assert.False(t, e.At.IsZero())
		types = append(types, e.Type)
	}
	assert.Equal(t, []string{"person_added", "event", "circumstances_reported", "event", "consent_withdrawn", "person_removed"}, types, "after erasure only the audit types remain: no clinical fact")
	assert.Equal(t, "admin", h[4].By.Role)
	require.NoError(t, reg.Verify(regCtx), "the chain verifies after erasure")

	items, err := reg.Due(regCtx, regDay("2026-04-01"))
	require.NoError(t, err)
	assert.Empty(t, items, "an erased person leaves the worklist")
}

// streamKey reads a stream's key straight from the store.
func streamKey(t testing.TB, s register.Store, name string) []byte {
	t.Helper()
	st, err := s.Stream(regCtx, name)
	require.NoError(t, err)
	require.Greater(t, len(st.Key), 32, "a wrapped key: nonce, key and tag")
	return st.Key
}

func TestVerifyFindsTheFirstRecordChangedBehindTheRegistersBack(t *testing.T) {
	cases := []struct {
		name    string
		seq     int64
		tamper  func(*register.Record)
		problem string
	}{
		{"a payload byte flipped", 3, func(r *register.Record) { r.Payload[20] ^= 1 }, "content does not match its hash"},
		{"an actor changed", 2, func(r *register.Record) { r.ActorRole = "admin" }, "content does not match its hash"},
		{"a record re-hashed, without the chain key, to hide an edit", 2, func(r *register.Record) {
			r.Type = "person_removed"
			h := sha256.Sum256(r.CanonicalJSON())
			r.Hash = h[:]
		}, "content does not match its hash"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			reg, store, _ := newReg(t)
			mustAdd(t, reg, regPerson("a", 1))
			mustAdd(t, reg, regPerson("b", 2))
			require.NoError(t, reg.Verify(regCtx))
			store.Tamper(tc.seq, tc.tamper)
			err := reg.Verify(regCtx)
			require.ErrorIs(t, err, register.ErrTampered)
			var ce *register.ChainError
			require.ErrorAs(t, err, &ce)
			if tc.problem != "" {
				assert.Equal(t, tc.seq, ce.Seq)
				assert.Equal(t, tc.problem, ce.Problem)
			} else {
				assert.Equal(t, tc.seq+1, ce.Seq, "the re-hashed record breaks the next link")
				assert.Contains(t, ce.Problem, "does not link")
			}
		})
	}
}

func TestConcurrentWritersLoseNoEventAndDuplicateNone(t *testing.T) {
	reg, store, _ := newReg(t)
	mustAdd(t, reg, regPerson("a", 1))
	const writers, each = 12, 8
	var wg sync.WaitGroup
	var conflicts sync.Map
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				// Each writer records its own community reviews, one a day.
				ev := dsr.Event{Type: dsr.EventReviewHeld, Kind: dsr.ReviewCommunity, Date: regDay("2025-01-01").AddDays(w*each + i)}
				for {
					err := reg.Record(regCtx, "a", ev, regStaff)
					if errors.Is(err, register.ErrConflict) {
						conflicts.Store(w, true)
						continue
					}
					if err != nil {
						t.Error(err)
					}
					break
				}
			}
		}()
	}
	wg.Wait()
	c, err := reg.Case(regCtx, "a", regDay("2026-04-01"), regStaff)
	require.NoError(t, err)
	var days []int
	for _, e := range c.Events {
		if e.Type == dsr.EventReviewHeld {
			days = append(days, e.Date.Sub(regDay("2025-01-01")))
		}
	}
	slices.Sort(days)
	want := make([]int, writers*each)
	for i := range want {
		want[i] = i
	}
	assert.Equal(t, want, days, "every review recorded exactly once")
	require.NoError(t, reg.Verify(regCtx))
	assert.Equal(t, 3+1+1+writers*each+1, logLength(t, store), "the person's records, their NHS number's and name's index records, the events and the audit of the one read of the case")
}

func TestTheAgreedRatingIsKeptWithItsReasonAndWhoAgreedIt(t *testing.T) {
	reg, _, _ := newReg(t)
	mustAdd(t, reg, regPerson("a", 1)) // the rules suggest RED

	err := reg.Agree(regCtx, "a", dsr.Amber, "", regStaff)
	var ve *dsr.ValidationError
	require.ErrorAs(t, err, &ve, "a different rating needs a reason (R-RAG-AGREED)")
	assert.Equal(t, "reason", ve.Field)
	assert.Equal(t, "R-RAG-AGREED", ve.Rule)

	require.NoError(t, reg.Agree(regCtx, "a", dsr.Amber, "crisis plan in place since Friday", regStaff))
	a, err := reg.Assess(regCtx, "a", regDay("2026-04-01"))
	require.NoError(t, err)
	assert.Equal(t, dsr.Red, a.Rating, "the suggestion is still reported")
	assert.Equal(t, dsr.Amber, a.AgreedRating, "the agreed rating is never overwritten")

	c, _ := reg.Case(regCtx, "a", regDay("2026-04-01"), regStaff)
	last := c.Events[len(c.Events)-1]
	assert.Equal(t, dsr.Event{Type: dsr.EventRatingAgreed, Date: regDay("2026-04-01"), Rating: dsr.Amber, Reason: "crisis plan in place since Friday", By: "staff-17"}, last)

	require.NoError(t, reg.Agree(regCtx, "a", dsr.Red, "", regStaff), "agreeing with the suggestion needs no reason")
}

func TestRemovalFollowsTheReasonsOfRREM1(t *testing.T) {
	reg, _, _ := newReg(t)
	mustAdd(t, reg, regPerson("a", 1))

	var ve *dsr.ValidationError
	err := reg.Remove(regCtx, "a", register.RemovedNoLongerAtRisk, regStaff, "")
	require.ErrorAs(t, err, &ve, "no longer at risk needs the written recommendation")
	assert.Equal(t, "evidence", ve.Field)
	assert.Equal(t, "R-REM-1", ve.Rule)

	err = reg.Remove(regCtx, "a", register.RemovedAgedOut, regStaff, "")
	require.ErrorAs(t, err, &ve, "a 15-year-old has not aged out")
	assert.Equal(t, "R-REM-1", ve.Rule)

	err = reg.Remove(regCtx, "a", "bored", regStaff, "")
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "reason", ve.Field)

	require.NoError(t, reg.Remove(regCtx, "a", register.RemovedNoLongerAtRisk, regStaff, "letter CC-2026-117"))
	items, err := reg.Due(regCtx, regDay("2026-04-01"))
	require.NoError(t, err)
	assert.Empty(t, items, "a removed person leaves the worklist")
	err = reg.Record(regCtx, "a", dsr.Event{Type: dsr.EventAdmitted, Date: regDay("2026-04-01")}, regStaff)
	assert.ErrorIs(t, err, register.ErrRemoved)
	_, err = reg.Case(regCtx, "a", regDay("2026-04-01"), regStaff)
	assert.NoError(t, err, "a removed person's history stays readable")
}

func TestHistoryShowsARemovedPersonOffTheRegister(t *testing.T) {
	reg, _, _ := newReg(t)
	mustAdd(t, reg, regPerson("a", 1))
	require.NoError(t, reg.Remove(regCtx, "a", register.RemovedMovedArea, regStaff, "transfer letter"))
	h, err := reg.History(regCtx, "a", regStaff)
	require.NoError(t, err)
	require.NotEmpty(t, h)
	require.Greater(t, len(h), 1)
	assert.True(t, h[len(h)-2].OnRegister, "on the register once added")
	last := h[len(h)-1]
	assert.Equal(t, register.RecordPersonRemoved, last.Type)
	assert.False(t, last.OnRegister, "person_removed: off the register whatever the rules say")
}

func TestRemovalForWithdrawnConsentErases(t *testing.T) {
	reg, _, _ := newReg(t)
	mustAdd(t, reg, regPerson("a", 1))
	require.NoError(t, reg.Remove(regCtx, "a", register.RemovedConsentWithdrawn, regStaff, ""))
	_, err := reg.Details(regCtx, "a", regStaff)
	assert.ErrorIs(t, err, register.ErrErased)
}

func TestEveryRequestToJoinGetsADecisionWithinTheAreasDeadline(t *testing.T) {
	reg, _, clk := newReg(t, register.WithReferralDeadline(calendar.Deadline{N: 28, Unit: calendar.Days}))
	req := register.Referral{ID: "r1", Source: "family", Received: regDay("2026-03-02"), Summary: "family asks for inclusion"}
	require.NoError(t, reg.Refer(regCtx, req, regStaff))
	assert.ErrorIs(t, reg.Refer(regCtx, req, regStaff), register.ErrConflict, "the same request twice")

	items, err := reg.Due(regCtx, regDay("2026-03-20"))
	require.NoError(t, err)
	require.Len(t, items, 1)
	assert.Equal(t, "r1", items[0].ReferralID)
	assert.Equal(t, dsr.ActionReferralDecision, items[0].Kind)
	assert.Equal(t, regDay("2026-03-30"), items[0].Due, "Norfolk: 28 days from receipt (R-REQ-1)")
	assert.Equal(t, "R-REQ-1", items[0].Rule)
	assert.False(t, items[0].Overdue)

	items, _ = reg.Due(regCtx, regDay("2026-04-01"))
	assert.True(t, items[0].Overdue, "undecided after 28 days")

	var ve *dsr.ValidationError
	err = reg.Decide(regCtx, "r1", register.Decline, "", "", regStaff)
	require.ErrorAs(t, err, &ve, "a decision needs reasons and next steps")
	assert.Equal(t, "R-REQ-1", ve.Rule)
	assert.ErrorIs(t, reg.Decide(regCtx, "nope", register.Accept, "x", "y", regStaff), register.ErrNotFound)

	clk.Set(regDay("2026-04-02"))
	require.NoError(t, reg.Decide(regCtx, "r1", register.Decline, "not at risk of admission", "signpost to the community team; re-refer if things change", regStaff))
	items, _ = reg.Due(regCtx, regDay("2026-04-02"))
	assert.Empty(t, items, "a decided request leaves the worklist")
	items, _ = reg.Due(regCtx, regDay("2026-04-01"))
	assert.Len(t, items, 1, "as of the day before the decision it was still due")
	assert.ErrorIs(t, reg.Decide(regCtx, "r1", register.Accept, "x", "y", regStaff), register.ErrConflict, "decided already")
}

func TestTheWorklistPutsOverdueFirstThenByDueDate(t *testing.T) {
	reg, _, clk := newReg(t)
	clk.Set(regDay("2026-03-10"))
	early := regPerson("early", 1)
	early.Events[0].Date = regDay("2026-03-01") // dsr_review due 15 March
	early.Circumstances = dsr.Circumstances{}
	mustAdd(t, reg, early)
	clk.Set(regDay("2026-04-01"))
	mustAdd(t, reg, regPerson("red", 2)) // community_review due today; dsr_review due 16 March (overdue)
	late := regPerson("late", 3)
	late.Events[0].Date = regDay("2026-03-31") // dsr_review due 14 April
	late.Circumstances = dsr.Circumstances{}
	mustAdd(t, reg, late)

	items, err := reg.Due(regCtx, regDay("2026-04-01"))
	require.NoError(t, err)
	var got []string
	for _, it := range items {
		got = append(got, fmt.Sprintf("%s %s %s overdue=%v", it.PersonID, it.Kind, it.DueDate(), it.Overdue))
	}
	assert.Equal(t, []string{
		"early dsr_review 2026-03-15 overdue=true",
		"red dsr_review 2026-03-16 overdue=true",
		"red community_review 2026-04-01 overdue=false",
		"late dsr_review 2026-04-14 overdue=false",
	}, got)
	assert.Equal(t, dsr.Red, items[1].Rating)

	items, _ = reg.Due(regCtx, regDay("2026-03-09"))
	assert.Empty(t, items, "nobody is on the register before they are added")
}

func TestHistoryShowsTheRulesThatFiredAtEachStep(t *testing.T) {
	reg, _, clk := newReg(t)
	mustAdd(t, reg, regPerson("a", 1))
	clk.Set(regDay("2026-04-03"))
	require.NoError(t, reg.Record(regCtx, "a", dsr.Event{Type: dsr.EventAdmitted, Date: regDay("2026-04-02"), Security: "general"}, regStaff))

	h, err := reg.History(regCtx, "a", regStaff)
	require.NoError(t, err)
	require.Len(t, h, 4)
	assert.Nil(t, h[0].Rules, "within one write, the rules run once the write is whole")
	assert.Equal(t, []string{"R-CONS-1", "R-RAG-RED"}, h[2].Rules)
	assert.Equal(t, dsr.Red, h[2].Rating)
	assert.Equal(t, []string{"R-CONS-1", "R-RAG-BLUE"}, h[3].Rules)
	assert.Equal(t, dsr.Blue, h[3].Rating)
	assert.Equal(t, "admitted on 2026-04-02, security general", h[3].Summary)
	assert.Equal(t, regStaff, h[3].By)
}

func TestOpenRefusesWhatItCannotUse(t *testing.T) {
	_, err := register.Open(regCtx, nil, regRules{})
	assert.ErrorIs(t, err, dsr.ErrInvalid)
	_, err = register.Open(regCtx, memstore.New(), nil)
	assert.ErrorIs(t, err, dsr.ErrInvalid)
	_, err = register.Open(regCtx, memstore.New(), regRules{}, register.WithReferralDeadline(calendar.Deadline{N: 2, Unit: "fortnights"}))
	assert.ErrorIs(t, err, dsr.ErrInvalid)
	_, err = register.Open(regCtx, memstore.New(), regRules{}, register.WithWorkers(0))
	assert.ErrorIs(t, err, dsr.ErrInvalid)
}
