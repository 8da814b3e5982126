package register_test

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsrkit/dsrkit/bluelight"
	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/consent"
	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/policies"
	"github.com/dsrkit/dsrkit/register"
	"github.com/dsrkit/dsrkit/register/memstore"
)

// Blue Light meetings kept in a register over the national-2023 bundle.
// Every person is synthetic.

var meetingStaff = register.Actor{ID: "staff-2", Role: "coordinator"}

type meetingClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *meetingClock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *meetingClock) Set(t time.Time) { c.mu.Lock(); c.now = t; c.mu.Unlock() }

var (
	nationalOnce sync.Once
	nationalEng  *policies.Engine
	nationalErr  error
)

func meetingRegister(t *testing.T, now time.Time) (*register.Register, *memstore.Store, *meetingClock) {
	t.Helper()
	nationalOnce.Do(func() {
		b, err := policies.Bundle("national-2023")
		if err != nil {
			nationalErr = err
			return
		}
		nationalEng, nationalErr = policies.Load(ctx, b)
	})
	require.NoError(t, nationalErr)
	clk := &meetingClock{now: now}
	store := memstore.New()
	reg, err := register.Open(ctx, store, nationalEng, register.WithKeys(register.MemoryKey()), register.WithClock(clk.Now), register.WithConsentPolicy(consent.National2023),
		register.WithDocumentKinds(register.MeetingDocuments{}))
	require.NoError(t, err)
	return reg, store, clk
}

// personA is Person A, aged 15, not yet on the register, whose parent
// consented on the given day.
func personA(consented string) *register.NewPerson {
	return &register.NewPerson{
		Details:       register.Details{Person: dsr.Person{ID: "person-a", NHSNumber: dsr.TestNHSNumber(1), DateOfBirth: calendar.MustParseDate("2011-03-04"), Autism: true}, Name: "Person A Synthetic"},
		Circumstances: dsr.Circumstances{InCrisis: true, CommunityCannotManage: true},
		Events:        []dsr.Event{{Type: dsr.EventConsentGiven, Date: calendar.MustParseDate(consented), GivenBy: dsr.ByParent}},
	}
}

func storeLen(t *testing.T, s register.Store) int {
	t.Helper()
	n := 0
	require.NoError(t, s.Log(ctx, func(register.Record) error { n++; return nil }))
	return n
}

func byKind(items []register.WorkItem) map[dsr.ActionKind][]register.WorkItem {
	m := map[dsr.ActionKind][]register.WorkItem{}
	for _, it := range items {
		m[it.Kind] = append(m[it.Kind], it)
	}
	return m
}

// closedMeeting runs the Friday-evening meeting to its close, funded for
// 72 hours from the call, with the outcome given.
func closedMeeting(t *testing.T, call time.Time, sustainable bool) *bluelight.Meeting {
	t.Helper()
	m := open(t, call)
	attendAll(t, m)
	completeTo(t, m, bluelight.StepOptions)
	require.NoError(t, m.Choose(bluelight.Choice{Option: bluelight.OptionHomePackage}))
	require.NoError(t, m.Fund(ctx, homePackage(call, 72)))
	completeTo2(t, m, bluelight.StepOptions, bluelight.StepRecord)
	require.NoError(t, m.Close(call.Add(90*time.Minute), bluelight.Outcome{SustainablePlacement: sustainable}))
	return m
}

func TestRegisterBlueLightMeetingAddsThePersonAndItsFollowUpsJoinDue(t *testing.T) {
	call := london("2026-08-28 18:00")
	reg, store, clk := meetingRegister(t, call.Add(-30*time.Minute))

	m := open(t, call)
	require.NoError(t, reg.SaveMeeting(ctx, m, meetingStaff, personA("2026-08-28")), "the person is added with the meeting, consent allowing")
	clk.Set(call.Add(2 * time.Hour))
	attendAll(t, m)
	completeTo(t, m, bluelight.StepOptions)
	require.NoError(t, m.Choose(bluelight.Choice{Option: bluelight.OptionHomePackage}))
	require.NoError(t, m.Fund(ctx, homePackage(call, 72)))
	completeTo2(t, m, bluelight.StepOptions, bluelight.StepRecord)
	require.NoError(t, reg.SaveMeeting(ctx, m, meetingStaff, nil))
	due, err := reg.Due(ctx, calendar.DateOf(call))
	require.NoError(t, err)
	assert.Empty(t, byKind(due)[dsr.ActionReviewAfterBlueLight], "an open meeting leaves nothing due yet")

	require.NoError(t, m.Close(call.Add(90*time.Minute), bluelight.Outcome{SustainablePlacement: true}))
	require.NoError(t, reg.SaveMeeting(ctx, m, meetingStaff, nil))
	require.NoError(t, reg.SaveMeeting(ctx, m, meetingStaff, nil), "saving again appends no second event")

	c, err := reg.Case(ctx, "person-a", calendar.DateOf(call), regStaff)
	require.NoError(t, err)
	var meetings int
	for _, e := range c.Events {
		if e.Type == dsr.EventBlueLightMeeting {
			meetings++
			assert.True(t, e.At.Equal(call))
		}
	}
	assert.Equal(t, 1, meetings)

	due, err = reg.Due(ctx, calendar.DateOf(call))
	require.NoError(t, err)
	k := byKind(due)
	require.Len(t, k[dsr.ActionReviewAfterBlueLight], 1, "the rules' review and the meeting's are one item")
	rv := k[dsr.ActionReviewAfterBlueLight][0]
	assert.Equal(t, "2026-08-31T18:00:00+01:00", rv.DueAt.In(calendar.London).Format(time.RFC3339), "72 elapsed hours, bank holiday or not (R-BL-FOLLOW)")
	require.Len(t, k[dsr.ActionBlueLightFundingStop], 1)
	fs := k[dsr.ActionBlueLightFundingStop][0]
	assert.Equal(t, "R-BL-FUND", fs.Rule)
	assert.True(t, fs.DueAt.Equal(call.Add(72*time.Hour)))
	assert.Equal(t, &register.DocumentRef{Kind: register.MeetingKind, ID: "bl-0001"}, fs.Document)
	assert.Empty(t, k[dsr.ActionBlueLightEscalation], "a sustainable, funded outcome is not escalated")

	// A C(E)TR held after the meeting satisfies both.
	clk.Set(london("2026-08-31 12:00"))
	require.NoError(t, reg.Record(ctx, "person-a", dsr.Event{Type: dsr.EventReviewHeld, Date: calendar.MustParseDate("2026-08-31"), Kind: dsr.ReviewCommunity}, meetingStaff))
	due, err = reg.Due(ctx, calendar.MustParseDate("2026-08-31"))
	require.NoError(t, err)
	k = byKind(due)
	assert.Empty(t, k[dsr.ActionReviewAfterBlueLight])
	assert.Empty(t, k[dsr.ActionBlueLightFundingStop])

	back, err := reg.FindMeeting(ctx, "bl-0001", nil)
	require.NoError(t, err)
	assert.Equal(t, m.Minute(), back.Minute())
	require.NoError(t, reg.Verify(ctx))
	assert.Positive(t, storeLen(t, store))
}

func TestRegisterBlueLightThenAdmissionBringsTheFourteenDayCETROnce(t *testing.T) {
	call := london("2026-08-28 18:00")
	reg, _, clk := meetingRegister(t, call.Add(3*time.Hour))
	m := closedMeeting(t, call, false)
	require.NoError(t, reg.SaveMeeting(ctx, m, meetingStaff, personA("2026-08-01")))

	due, err := reg.Due(ctx, calendar.DateOf(call))
	require.NoError(t, err)
	esc := byKind(due)[dsr.ActionBlueLightEscalation]
	require.Len(t, esc, 1, "no sustainable placement: escalate (R-BL-ESC)")
	assert.Equal(t, "R-BL-ESC", esc[0].Rule)

	clk.Set(london("2026-08-29 09:00"))
	require.NoError(t, reg.Record(ctx, "person-a", dsr.Event{Type: dsr.EventAdmitted, Date: calendar.MustParseDate("2026-08-29"), Security: "general", LegalStatus: "s2"}, meetingStaff))
	a, err := reg.Assess(ctx, "person-a", calendar.MustParseDate("2026-08-29"))
	require.NoError(t, err)
	var fromRules []dsr.Action
	for _, x := range a.Actions {
		if x.Kind == dsr.ActionPostAdmissionReview {
			fromRules = append(fromRules, x)
		}
	}
	require.NotEmpty(t, fromRules, "national-2023 asks for the full CETR after a Blue Light admission")
	assert.Equal(t, calendar.MustParseDate("2026-09-12"), fromRules[0].Due, "14 days from the admission (R-BL-FOLLOW)")

	due, err = reg.Due(ctx, calendar.MustParseDate("2026-08-29"))
	require.NoError(t, err)
	k := byKind(due)
	require.Len(t, k[dsr.ActionPostAdmissionReview], 1, "listed once, not once from the rules and once from the meeting")
	assert.Equal(t, calendar.MustParseDate("2026-09-12"), k[dsr.ActionPostAdmissionReview][0].DueDate())
	assert.Empty(t, k[dsr.ActionReviewAfterBlueLight], "admitted: the 72-hour review gives way to the 14-day CETR")
}

func TestRegisterBlueLightBadInputNamesTheFieldAndWritesNothing(t *testing.T) {
	call := london("2026-08-28 18:00")
	reg, store, _ := meetingRegister(t, call.Add(3*time.Hour))
	m := open(t, call)
	require.NoError(t, reg.SaveMeeting(ctx, m, meetingStaff, personA("2026-08-01")))
	v0, err := reg.Version(ctx, "person-a")
	require.NoError(t, err)
	n0 := storeLen(t, store)
	unchanged := func(t *testing.T) {
		t.Helper()
		v, err := reg.Version(ctx, "person-a")
		require.NoError(t, err)
		assert.Equal(t, v0, v)
		assert.Equal(t, n0, storeLen(t, store))
	}
	// Each bad change is refused by the meeting; saving what is left writes
	// nothing new about the change.
	t.Run("stop before start", func(t *testing.T) {
		req := homePackage(call, 72)
		req.Stop = call.Add(-time.Hour)
		assert.Equal(t, "funding.stop", asInvalid(t, m.Fund(ctx, req)).Field)
		unchanged(t)
	})
	t.Run("negative cost", func(t *testing.T) {
		req := homePackage(call, 72)
		req.Cost = -1
		assert.Equal(t, "funding.cost_pence", asInvalid(t, m.Fund(ctx, req)).Field)
		unchanged(t)
	})
	t.Run("unknown role", func(t *testing.T) {
		assert.Equal(t, "attendees[0].role", asInvalid(t, m.Attend(bluelight.Attendee{Role: 99})).Field)
		_, err := bluelight.ParseRole("juggler")
		assert.Equal(t, "role", asInvalid(t, err).Field)
		unchanged(t)
	})
	t.Run("a stored record with an unknown role is refused by the register", func(t *testing.T) {
		doc, err := register.MeetingDocument(m)
		require.NoError(t, err)
		doc.Data = []byte(`{"record":{"id":"bl-0001","person_id":"person-a","attendees":[{"role":"juggler"}]},"params":{}}`)
		err = reg.File(ctx, "person-a", doc, nil, meetingStaff)
		require.ErrorIs(t, err, dsr.ErrInvalid)
		assert.Contains(t, err.Error(), "document.data")
		unchanged(t)
	})
	t.Run("consent recorded after the meeting (R-BL-FOLLOW)", func(t *testing.T) {
		reg2, store2, _ := meetingRegister(t, call.Add(30*time.Hour))
		m2 := closedMeeting(t, call, true)
		err := reg2.SaveMeeting(ctx, m2, meetingStaff, personA("2026-08-29"))
		assert.Equal(t, "person.events", asInvalid(t, err).Field)
		assert.Zero(t, storeLen(t, store2))
		_, err = reg2.Version(ctx, "person-a")
		assert.ErrorIs(t, err, register.ErrNotFound)
	})
	t.Run("consent withdrawn before the meeting (R-CONS-1, R-CONS-4)", func(t *testing.T) {
		reg2, store2, _ := meetingRegister(t, call.Add(30*time.Hour))
		np := personA("2026-08-01")
		np.Events = append(np.Events, dsr.Event{Type: dsr.EventConsentWithdrawn, Date: calendar.MustParseDate("2026-08-10"), By: dsr.ByParent})
		err := reg2.SaveMeeting(ctx, closedMeeting(t, call, true), meetingStaff, np)
		require.ErrorIs(t, err, register.ErrConsentRequired)
		assert.Zero(t, storeLen(t, store2))
	})
}

// R-BL-FOLLOW-2: a review dated the meeting's day without a time does not
// answer the meeting's follow-ups; one at a later time that day does.
func TestRegisterBlueLightSameDayReviewNeedsALaterTime(t *testing.T) {
	call := london("2026-08-28 18:00")
	reg, _, clk := meetingRegister(t, call.Add(-30*time.Minute))
	m := open(t, call)
	require.NoError(t, reg.SaveMeeting(ctx, m, meetingStaff, personA("2026-08-28")))
	clk.Set(call.Add(2 * time.Hour))
	attendAll(t, m)
	completeTo(t, m, bluelight.StepOptions)
	require.NoError(t, m.Choose(bluelight.Choice{Option: bluelight.OptionHomePackage}))
	require.NoError(t, m.Fund(ctx, homePackage(call, 72)))
	completeTo2(t, m, bluelight.StepOptions, bluelight.StepRecord)
	require.NoError(t, m.Close(call.Add(90*time.Minute), bluelight.Outcome{SustainablePlacement: true}))
	require.NoError(t, reg.SaveMeeting(ctx, m, meetingStaff, nil))

	day := calendar.DateOf(call)
	clk.Set(call.Add(4 * time.Hour))
	require.NoError(t, reg.Record(ctx, "person-a", dsr.Event{Type: dsr.EventReviewHeld, Date: day, Kind: dsr.ReviewCommunity}, meetingStaff))
	due, err := reg.Due(ctx, day)
	require.NoError(t, err)
	assert.Len(t, byKind(due)[dsr.ActionBlueLightFundingStop], 1, "a date-only review on the meeting's day does not count")

	require.NoError(t, reg.Record(ctx, "person-a", dsr.Event{Type: dsr.EventReviewHeld, Date: day, At: call.Add(3 * time.Hour), Kind: dsr.ReviewCommunity}, meetingStaff))
	due, err = reg.Due(ctx, day)
	require.NoError(t, err)
	assert.Empty(t, byKind(due)[dsr.ActionBlueLightFundingStop], "a review at 21:00 after the 18:00 meeting counts")
}
