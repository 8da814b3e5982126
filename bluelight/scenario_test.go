package bluelight_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsrkit/dsrkit/bluelight"
	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/dsr"
)

// R-BL-FUND, R-BL-FOLLOW: a crisis on Friday 28 August 2026 at 18:00,
// before the bank holiday on Monday 31 August. Funding runs 72 elapsed
// hours, to Monday 18:00; the C(E)TR is due then too, bank holiday or not.
func TestScenarioFridayEveningBeforeBankHoliday(t *testing.T) {
	call := london("2026-08-28 18:00")
	require.True(t, calendar.Default().Holidays().IsHoliday(calendar.MustParseDate("2026-08-31")))
	m := open(t, call)
	attendAll(t, m)
	completeTo(t, m, bluelight.StepOptions)
	require.NoError(t, m.Choose(bluelight.Choice{Option: bluelight.OptionHomePackage, Detail: "waking nights at home"}))

	over := homePackage(call, 72)
	over.Stop = over.Stop.Add(time.Minute)
	re := asRule(t, m.Fund(ctx, over))
	assert.Equal(t, "R-BL-FUND", re.Rule)
	assert.Equal(t, "funding.stop", re.Field)
	assert.Contains(t, re.Error(), "72h1m of support is over the cap of 72 hours")
	assert.Nil(t, m.Record().Funding, "a refused authorisation writes nothing")

	require.NoError(t, m.Fund(ctx, homePackage(call, 72)))
	completeTo2(t, m, bluelight.StepOptions, bluelight.StepRecord)
	require.NoError(t, m.Close(call.Add(75*time.Minute), bluelight.Outcome{SustainablePlacement: true}))

	f := m.Record().Funding
	assert.Equal(t, london("2026-08-31 18:00"), f.Stop.In(calendar.London))
	assert.Equal(t, bluelight.Pence(216050), f.LocalAuthority)
	assert.Equal(t, bluelight.Pence(216051), f.Health, "the odd penny goes to health")

	fu, err := m.FollowUps(nil, calendar.Date{})
	require.NoError(t, err)
	assert.Equal(t, dsr.Event{Type: dsr.EventBlueLightMeeting, At: call}, fu.Event)
	require.Len(t, fu.Items, 2)
	assert.Equal(t, bluelight.ItemReviewAfterBlueLight, fu.Items[0].Kind)
	assert.Equal(t, "2026-08-31T18:00:00+01:00", fu.Items[0].DueAt.Format(time.RFC3339))
	assert.Equal(t, bluelight.ItemFundingStop, fu.Items[1].Kind)
	assert.Equal(t, "2026-08-31T18:00:00+01:00", fu.Items[1].DueAt.Format(time.RFC3339))
	a, ok := fu.Items[0].Action()
	require.True(t, ok)
	assert.Equal(t, dsr.ActionReviewAfterBlueLight, a.Kind)
	a, ok = fu.Items[1].Action()
	require.True(t, ok, "the funding stop is a dsr action kind")
	assert.Equal(t, dsr.ActionBlueLightFundingStop, a.Kind)

	min := m.Minute()
	for _, want := range []string{
		"- Start: 2026-08-28 18:00 BST (+01:00)",
		"- Stop: 2026-08-31 18:00 BST (+01:00)",
		"- Cost: £4,321.01",
		"  - Local authority: £2,160.50",
		"  - Health: £2,160.51",
		"- Split: local authority 50% / health 50%",
		"**A Blue Light meeting is not a community C(E)TR** (R-BL-CRIT).",
		"Every must-attend role attended.",
		"Sustainable placement with funding agreed.",
	} {
		assert.Contains(t, min, want)
	}
}

// R-BL-FUND: hours are elapsed hours. The clocks go back at 02:00 on Sunday
// 25 October 2026, so 72 hours from Friday 20:00 BST end at Monday 19:00 GMT.
func TestScenarioAutumnClockChange(t *testing.T) {
	call := london("2026-10-23 20:00")
	m := open(t, call)
	req := homePackage(call, 72)
	assert.Equal(t, london("2026-10-26 19:00"), req.Stop)

	wall := req
	wall.Stop = london("2026-10-26 20:00") // same wall-clock time: 73 elapsed hours
	re := asRule(t, m.Fund(ctx, wall))
	assert.Contains(t, re.Problem, "73h of support")

	require.NoError(t, m.Fund(ctx, req))
	completeTo(t, m, bluelight.StepRecord)
	require.NoError(t, m.Close(call.Add(time.Hour), bluelight.Outcome{SustainablePlacement: true}))
	fu, err := m.FollowUps(nil, calendar.Date{})
	require.NoError(t, err)
	assert.Equal(t, "2026-10-26T19:00:00Z", fu.Items[0].DueAt.UTC().Format(time.RFC3339))
	assert.Equal(t, "2026-10-26 19:00 GMT", fu.Items[1].DueAt.Format("2006-01-02 15:04 MST"))
	assert.Contains(t, m.Minute(), "- Stop: 2026-10-26 19:00 GMT (+00:00)")
	assert.Contains(t, m.Minute(), "- Start: 2026-10-23 20:00 BST (+01:00)")
}

// R-BL-FUND: the clocks go forward at 01:00 on Sunday 29 March 2026, so 72
// hours from Friday 18:00 GMT end at Monday 19:00 BST, and Monday 18:00 BST
// is only 71 hours.
func TestScenarioSpringClockChange(t *testing.T) {
	call := london("2026-03-27 18:00")
	m := open(t, call)
	req := homePackage(call, 72)
	assert.Equal(t, london("2026-03-30 19:00"), req.Stop)

	late := req
	late.Stop = london("2026-03-30 19:01")
	asRule(t, m.Fund(ctx, late))

	wall := req
	wall.Stop = london("2026-03-30 18:00")
	require.NoError(t, m.Fund(ctx, wall))
	assert.Equal(t, 71*time.Hour, m.Record().Funding.Duration())

	require.NoError(t, m.Fund(ctx, req), "funding again replaces the authorisation")
	assert.Equal(t, 72*time.Hour, m.Record().Funding.Duration())
	completeTo(t, m, bluelight.StepRecord)
	require.NoError(t, m.Close(call.Add(time.Hour), bluelight.Outcome{SustainablePlacement: true}))
	fu, err := m.FollowUps(nil, calendar.Date{})
	require.NoError(t, err)
	assert.Equal(t, "2026-03-30T19:00:00+01:00", fu.Items[0].DueAt.Format(time.RFC3339))
	assert.Contains(t, m.Minute(), "- Stop: 2026-03-30 19:00 BST (+01:00)")
	assert.Contains(t, m.Minute(), "- Start: 2026-03-27 18:00 GMT (+00:00)")
}

// R-BL-FUND: a split other than 50/50 needs the senior leader who agreed it.
func TestScenarioSplitAgreedBySeniorLeader(t *testing.T) {
	call := london("2026-05-14 16:30")
	m := open(t, call)
	req := homePackage(call, 48)
	req.Cost = 100001
	req.Split = bluelight.Split{LocalAuthorityBP: 3333, HealthBP: 6667}

	re := asRule(t, m.Fund(ctx, req))
	assert.Equal(t, "funding.split_agreed_by", re.Field)
	assert.Equal(t, "R-BL-FUND", re.Rule)
	assert.Nil(t, m.Record().Funding)

	req.SplitAgreedBy = "Senior Leader B, director of children's services (synthetic)"
	require.NoError(t, m.Fund(ctx, req))
	f := m.Record().Funding
	assert.Equal(t, req.Split, f.Split)
	assert.Equal(t, bluelight.Pence(33330), f.LocalAuthority) // 100001 × 0.3333 = 33330.33
	assert.Equal(t, bluelight.Pence(66671), f.Health)
	assert.Equal(t, f.Cost, f.LocalAuthority+f.Health)
	min := m.Minute()
	assert.Contains(t, min, "- Split: local authority 33.33% / health 66.67%")
	assert.Contains(t, min, "- Split agreed by: Senior Leader B")

	// The default split needs nobody's agreement, stated or not.
	req.Split, req.SplitAgreedBy = bluelight.Split{LocalAuthorityBP: 5000, HealthBP: 5000}, ""
	require.NoError(t, m.Fund(ctx, req))
	assert.NotContains(t, m.Minute(), "Split agreed by")
}

// R-BL-FUND: spot-purchased providers must be accredited.
func TestScenarioProviderNotAccredited(t *testing.T) {
	call := london("2026-05-14 16:30")
	m := open(t, call)
	req := homePackage(call, 24)
	req.ProviderAccredited = false
	re := asRule(t, m.Fund(ctx, req))
	assert.Equal(t, "funding.provider_accredited", re.Field)
	assert.Nil(t, m.Record().Funding)
}

// R-BL-PREF: an out-of-area placement is refused without commissioner
// approval, a clinical justification and every preferred option rejected.
func TestScenarioOutOfAreaRefusedWithoutApproval(t *testing.T) {
	m := open(t, london("2026-11-06 19:15"))
	before := m.Record()

	re := asRule(t, m.Choose(bluelight.Choice{Option: bluelight.OptionOutOfArea}))
	assert.Equal(t, "R-BL-PREF", re.Rule)
	assert.Equal(t, []string{
		"rejections.home_package", "rejections.local_non_inpatient", "rejections.local_inpatient",
		"choice.approved_by", "choice.clinical_justification",
	}, re.Missing)
	assert.True(t, reflect.DeepEqual(before, m.Record()))

	require.NoError(t, m.Reject(bluelight.OptionLocalInpatient, "no local bed tonight"))
	require.NoError(t, m.Reject(bluelight.OptionHomePackage, "no staff can be found for tonight"))
	require.NoError(t, m.Reject(bluelight.OptionLocalNonInpatient, "short breaks unit cannot meet the risk"))
	re = asRule(t, m.Choose(bluelight.Choice{Option: bluelight.OptionOutOfArea, ClinicalJustification: "needs a specialist setting"}))
	assert.Equal(t, []string{"choice.approved_by"}, re.Missing)
	assert.Nil(t, m.Record().Choice)

	require.NoError(t, m.Choose(bluelight.Choice{
		Option: bluelight.OptionOutOfArea, ApprovedBy: "Commissioner C (synthetic)",
		ClinicalJustification: "needs a specialist setting not available locally",
	}))
	rec := m.Record()
	assert.Equal(t, bluelight.OptionOutOfArea, rec.Choice.Option)
	assert.Equal(t, []bluelight.Option{bluelight.OptionHomePackage, bluelight.OptionLocalNonInpatient, bluelight.OptionLocalInpatient},
		[]bluelight.Option{rec.Rejections[0].Option, rec.Rejections[1].Option, rec.Rejections[2].Option}, "rejections in preference order")
	asRule(t, m.Reject(bluelight.OptionOutOfArea, "changed our minds"))
	min := m.Minute()
	assert.Contains(t, min, "- Rejected: Support at home with a package. Reason: no staff can be found for tonight")
	assert.Contains(t, min, "- Approved by commissioner: Commissioner C (synthetic)")
}

// R-BL-PREF: the most preferred option needs no rejections; a middle one
// needs those above it only.
func TestChooseLessPreferred(t *testing.T) {
	m := open(t, london("2026-11-06 19:15"))
	require.NoError(t, m.Choose(bluelight.Choice{Option: bluelight.OptionHomePackage}))
	re := asRule(t, m.Choose(bluelight.Choice{Option: bluelight.OptionLocalInpatient}))
	assert.Equal(t, []string{"rejections.home_package", "rejections.local_non_inpatient"}, re.Missing)
	assert.Equal(t, bluelight.OptionHomePackage, m.Record().Choice.Option, "a refused choice leaves the earlier one")
	ve := asInvalid(t, m.Reject(bluelight.OptionHomePackage, "  "))
	assert.Equal(t, "rejections.home_package.reason", ve.Field)
	ve = asInvalid(t, m.Choose(bluelight.Choice{Option: 9}))
	assert.Equal(t, "choice.option", ve.Field)

	// An area that does not offer out-of-area placements.
	p := bluelight.DefaultParams()
	p.Options = p.Options[:3]
	r, err := bluelight.NewGoRules(p)
	require.NoError(t, err)
	m2, err := bluelight.Open(ctx, r, opening(london("2026-11-06 19:15")))
	require.NoError(t, err)
	ve = asInvalid(t, m2.Choose(bluelight.Choice{Option: bluelight.OptionOutOfArea}))
	assert.Contains(t, ve.Problem, "not an option the area offers")
}

// R-BL-INVITE: the advocate did not join; the record and the minute say so.
func TestScenarioMissingMustAttendRole(t *testing.T) {
	m := open(t, london("2026-02-13 17:45"))
	attendAll(t, m, bluelight.RoleAdvocate)
	require.NoError(t, m.Attend(bluelight.Attendee{Role: bluelight.RolePerson, Name: "Person A"}))
	assert.Equal(t, []bluelight.Role{bluelight.RoleAdvocate}, m.MissingRoles())
	assert.False(t, m.Attended(bluelight.RoleAdvocate))
	min := m.Minute()
	assert.Contains(t, min, "| Advocate | must attend | **no** |")
	assert.Contains(t, min, "| The person | no | Person A |")
	assert.Contains(t, min, "Missing must-attend roles: Advocate.")

	// A missing role does not stop the meeting closing.
	completeTo(t, m, bluelight.StepRecord)
	require.NoError(t, m.Close(london("2026-02-13 19:00"), bluelight.Outcome{}))
}

// R-BL-INVITE: transition services must attend from the area's transition
// age (17 by default), on the day of the call.
func TestInviteesTransition(t *testing.T) {
	tests := []struct {
		name string
		dob  string
		want bool
	}{
		{"aged 16 the day before the 17th birthday", "2009-06-02", false},
		{"aged 17 on the birthday", "2009-06-01", true},
		{"aged 15", "2011-01-01", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := opening(london("2026-06-01 10:00"))
			o.DateOfBirth = calendar.MustParseDate(tt.dob)
			m, err := bluelight.Open(ctx, wiltshire(t), o)
			require.NoError(t, err)
			req := m.Record().Invitees.Required
			assert.Equal(t, tt.want, contains(req, bluelight.RoleAdultMentalHealth))
			assert.Equal(t, tt.want, contains(req, bluelight.RoleCTPLD))
			assert.Len(t, req, map[bool]int{false: 12, true: 14}[tt.want])
		})
	}
	o := opening(london("2026-06-01 10:00"))
	o.PersonInvited = true
	m, err := bluelight.Open(ctx, wiltshire(t), o)
	require.NoError(t, err)
	rec := m.Record()
	assert.Equal(t, []bluelight.Role{bluelight.RolePerson}, rec.Invitees.Invited)
	assert.NotContains(t, m.MissingRoles(), bluelight.RolePerson, "the person is invited, not required")
	assert.Contains(t, m.Minute(), "| The person | invited | **no** |")
}

// R-BL-CRIT: the criteria, each row a clinical statement.
func TestCriteria(t *testing.T) {
	p := bluelight.DefaultParams()
	p.RequireKnownToServices = false
	anyone, err := bluelight.NewGoRules(p)
	require.NoError(t, err)
	tests := []struct {
		name  string
		rules bluelight.Rules
		in    bluelight.CriteriaInput
		unmet []string
	}{
		{"unexpected crisis, no time, known to CAMHS: met", wiltshire(t),
			bluelight.CriteriaInput{UnexpectedCrisis: true, NoTimeForCETR: true, KnownToServices: true}, nil},
		{"crisis plan broken down: met", wiltshire(t),
			bluelight.CriteriaInput{CrisisPlanBreakdown: true, NoTimeForCETR: true, KnownToServices: true}, nil},
		{"cannot be supported at home even with intensive support: met", wiltshire(t),
			bluelight.CriteriaInput{CannotSupportAtHome: true, NoTimeForCETR: true, KnownToServices: true}, nil},
		{"time for a C(E)TR: hold one instead", wiltshire(t),
			bluelight.CriteriaInput{UnexpectedCrisis: true, KnownToServices: true}, []string{bluelight.CondNoTimeForCETR}},
		{"no crisis: not met", wiltshire(t),
			bluelight.CriteriaInput{NoTimeForCETR: true, KnownToServices: true}, []string{bluelight.CondCrisis}},
		{"not known to services in Wiltshire: not met", wiltshire(t),
			bluelight.CriteriaInput{UnexpectedCrisis: true, NoTimeForCETR: true}, []string{bluelight.CondKnownToServices}},
		{"not known to services where the area does not require it: met", anyone,
			bluelight.CriteriaInput{UnexpectedCrisis: true, NoTimeForCETR: true}, nil},
		{"nothing holds: every condition unmet", wiltshire(t), bluelight.CriteriaInput{},
			[]string{bluelight.CondCrisis, bluelight.CondNoTimeForCETR, bluelight.CondKnownToServices}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := tt.rules.Criteria(ctx, tt.in)
			require.NoError(t, err)
			assert.Equal(t, tt.unmet == nil, d.Met)
			assert.Equal(t, tt.unmet, d.Unmet)
			last := d.Reasons[len(d.Reasons)-1]
			assert.Equal(t, dsr.Reason{Rule: "R-BL-CRIT", Message: "A Blue Light meeting is not a community C(E)TR"}, last)

			o := opening(london("2026-06-01 10:00"))
			o.Criteria = tt.in
			m, err := bluelight.Open(ctx, tt.rules, o)
			if tt.unmet == nil {
				require.NoError(t, err)
				assert.Equal(t, bluelight.NotCommunityCETR, m.Record().Statement)
				return
			}
			assert.Nil(t, m)
			re := asRule(t, err)
			assert.Equal(t, "R-BL-CRIT", re.Rule)
			assert.Equal(t, tt.unmet, re.Missing)
		})
	}
}

// R-BL-NOTICE: late notice is recorded and reported, never a refusal.
func TestNotice(t *testing.T) {
	call := london("2026-12-24 21:00")
	for _, tt := range []struct {
		name string
		sent time.Time
		late bool
		warn string
	}{
		{"30 minutes is enough", call.Add(-30 * time.Minute), false, ""},
		{"29 minutes is late", call.Add(-29 * time.Minute), true, "late notice: invitations sent 29m before the call, under the 30 minutes required"},
		{"sent after the call started is late", call.Add(5 * time.Minute), true, "late notice: invitations sent 5m after the call started, under the 30 minutes required"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			o := opening(call)
			o.InvitationsSent = tt.sent
			m, err := bluelight.Open(ctx, wiltshire(t), o)
			require.NoError(t, err)
			rec := m.Record()
			assert.Equal(t, tt.late, rec.Notice.Late)
			if !tt.late {
				assert.Empty(t, rec.Warnings)
				assert.NotContains(t, m.Minute(), "Late notice")
				return
			}
			require.Len(t, rec.Warnings, 1)
			assert.Equal(t, "R-BL-NOTICE", rec.Warnings[0].Rule)
			assert.Contains(t, rec.Warnings[0].Message, tt.warn)
			assert.Contains(t, m.Minute(), "- **Late notice**: under the 30m required (R-BL-NOTICE)")
		})
	}
}

// R-BL-STEPS: the seven steps complete in order; the meeting cannot close
// before the decision and the record.
func TestStepsInOrder(t *testing.T) {
	call := london("2026-07-03 18:00")
	m := open(t, call)
	assert.Equal(t, bluelight.StepIntroduction, m.NextStep())

	re := asRule(t, m.Complete(bluelight.StepRisks, "risks"))
	assert.Equal(t, "R-BL-STEPS", re.Rule)
	assert.Equal(t, "steps.risks", re.Field)
	assert.Equal(t, []string{"steps.introduction", "steps.understanding"}, re.Missing)

	re = asRule(t, m.Close(call.Add(time.Hour), bluelight.Outcome{}))
	assert.Equal(t, "close", re.Field)
	assert.Equal(t, []string{"steps.decision", "steps.record"}, re.Missing)

	completeTo(t, m, bluelight.StepDecision)
	re = asRule(t, m.Close(call.Add(time.Hour), bluelight.Outcome{}))
	assert.Equal(t, []string{"steps.record"}, re.Missing)
	assert.Contains(t, re.Error(), "missing steps.record (R-BL-STEPS)")

	re = asRule(t, m.Complete(bluelight.StepDecision, "again"))
	assert.Contains(t, re.Problem, "already complete")
	ve := asInvalid(t, m.Complete(bluelight.StepRecord, " \n"))
	assert.Equal(t, "steps.record.notes", ve.Field)
	asInvalid(t, m.Complete(0, "x"))

	require.NoError(t, m.Complete(bluelight.StepRecord, stepNotes[bluelight.StepRecord]))
	assert.Equal(t, bluelight.Step(0), m.NextStep())
	ve = asInvalid(t, m.Close(call.Add(-time.Minute), bluelight.Outcome{}))
	assert.Equal(t, "closed_at", ve.Field)
	_, err := m.FollowUps(nil, calendar.Date{})
	asRule(t, err)

	require.NoError(t, m.Close(call.Add(time.Hour), bluelight.Outcome{}))
	assert.True(t, m.Closed())
	for _, err := range []error{
		m.Close(call.Add(2*time.Hour), bluelight.Outcome{}),
		m.Attend(bluelight.Attendee{Role: bluelight.RoleAdvocate}),
		m.Reject(bluelight.OptionHomePackage, "x"),
		m.Choose(bluelight.Choice{Option: bluelight.OptionHomePackage}),
		m.Fund(ctx, homePackage(call, 1)),
	} {
		assert.ErrorIs(t, err, bluelight.ErrClosed)
	}
}

// R-BL-FOLLOW, R-BL-ESC: admission after the meeting brings the 14-day
// CETR; an unsatisfactory outcome escalates.
func TestFollowUps(t *testing.T) {
	call := london("2026-08-28 18:00")
	m := open(t, call)
	completeTo(t, m, bluelight.StepRecord)
	closed := call.Add(90 * time.Minute)
	require.NoError(t, m.Close(closed, bluelight.Outcome{}))

	fu, err := m.FollowUps(nil, calendar.MustParseDate("2026-08-29"))
	require.NoError(t, err)
	require.Len(t, fu.Items, 2)
	cetr := fu.Items[0]
	assert.Equal(t, bluelight.ItemAdmissionCETR, cetr.Kind)
	assert.Equal(t, calendar.MustParseDate("2026-08-29"), cetr.From)
	assert.Equal(t, calendar.MustParseDate("2026-09-12"), cetr.Due)
	a, ok := cetr.Action()
	require.True(t, ok)
	assert.Equal(t, dsr.ActionPostAdmissionReview, a.Kind)
	assert.Equal(t, "R-BL-FOLLOW", a.Rule)

	esc := fu.Items[1]
	assert.Equal(t, bluelight.ItemEscalation, esc.Kind)
	assert.Equal(t, "R-BL-ESC", esc.Rule)
	assert.True(t, esc.DueAt.Equal(closed))
	assert.Equal(t, "escalate to the directors of commissioning: no sustainable placement, funding not agreed", esc.Reason)
	assert.Contains(t, m.Minute(), "Unsatisfactory (no sustainable placement, funding not agreed): escalated to the directors of commissioning (R-BL-ESC).")
	assert.Contains(t, m.Minute(), "No funding agreed.")

	_, err = m.FollowUps(nil, calendar.MustParseDate("2026-08-27"))
	ve := asInvalid(t, err)
	assert.Equal(t, "admitted", ve.Field)

	// A sustainable placement without agreed funding still escalates.
	m2 := open(t, call)
	completeTo(t, m2, bluelight.StepRecord)
	require.NoError(t, m2.Close(closed, bluelight.Outcome{SustainablePlacement: true}))
	bad, why := m2.Unsatisfactory()
	assert.True(t, bad)
	assert.Equal(t, []string{"funding not agreed"}, why)
}

// Bad input names the field and writes nothing.
func TestBadInputWritesNothing(t *testing.T) {
	call := london("2026-04-10 18:00")
	m := open(t, call)
	require.NoError(t, m.Fund(ctx, homePackage(call, 24)))
	before := m.Record()

	stopBeforeStart := homePackage(call, 24)
	stopBeforeStart.Stop = call.Add(-time.Hour)
	negative := homePackage(call, 24)
	negative.Cost = -1
	badSplit := homePackage(call, 24)
	badSplit.Split = bluelight.Split{LocalAuthorityBP: 6000, HealthBP: 5000}
	equal := homePackage(call, 24)
	equal.Stop = equal.Start

	for _, tt := range []struct {
		name  string
		err   error
		field string
	}{
		{"stop before start", m.Fund(ctx, stopBeforeStart), "funding.stop"},
		{"stop equal to start", m.Fund(ctx, equal), "funding.stop"},
		{"negative cost", m.Fund(ctx, negative), "funding.cost_pence"},
		{"split over 100%", m.Fund(ctx, badSplit), "funding.split"},
		{"missing provider", m.Fund(ctx, bluelight.FundingRequest{Support: "x", Start: call, Stop: call.Add(time.Hour)}), "funding.provider"},
		{"unknown role among good ones", m.Attend(bluelight.Attendee{Role: bluelight.RoleAdvocate}, bluelight.Attendee{Role: 42}), "attendees[1].role"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ve := asInvalid(t, tt.err)
			assert.Equal(t, tt.field, ve.Field)
			assert.True(t, reflect.DeepEqual(before, m.Record()), "the record is unchanged")
		})
	}

	_, err := bluelight.ParseRole("dentist")
	ve := asInvalid(t, err)
	assert.Equal(t, "role", ve.Field)
	assert.Equal(t, "R-BL-INVITE", ve.Rule)
	var a bluelight.Attendee
	err = a.Role.UnmarshalText([]byte("dentist"))
	asInvalid(t, err)

	o := opening(call)
	o.ID, o.CallAt = "", time.Time{}
	_, err = bluelight.Open(ctx, wiltshire(t), o)
	var fields []string
	for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
		fields = append(fields, e.(*dsr.ValidationError).Field)
	}
	assert.Equal(t, []string{"id", "call_at"}, fields)
	assert.True(t, errors.Is(err, dsr.ErrInvalid))
	assert.True(t, strings.HasPrefix(err.Error(), "id: required"))
}

// A record stored as JSON resumes where it left off; a tampered record does
// not.
func TestResume(t *testing.T) {
	call := london("2026-10-23 20:00")
	m := open(t, call)
	attendAll(t, m)
	completeTo(t, m, bluelight.StepOptions)
	require.NoError(t, m.Fund(ctx, homePackage(call, 72)))
	b, err := json.Marshal(m.Record())
	require.NoError(t, err)

	var rec bluelight.Record
	require.NoError(t, json.Unmarshal(b, &rec))
	m2, err := bluelight.Resume(wiltshire(t), rec)
	require.NoError(t, err)
	assert.Equal(t, m.Minute(), m2.Minute())
	completeTo2(t, m2, bluelight.StepOptions, bluelight.StepRecord)
	require.NoError(t, m2.Close(call.Add(time.Hour), bluelight.Outcome{SustainablePlacement: true}))

	tampered := rec
	tampered.Closed, tampered.ClosedAt = true, call.Add(time.Hour)
	f := *rec.Funding
	f.Health++
	tampered.Funding = &f
	tampered.Steps = append(slices.Clone(rec.Steps[:1]), rec.Steps[2:]...)
	_, err = bluelight.Resume(wiltshire(t), tampered)
	var fields []string
	for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
		fields = append(fields, asInvalid(t, e).Field)
	}
	assert.Equal(t, []string{"steps[1]", "steps[2]", "closed", "funding"}, fields)
}

// R-BL-ESC: once the escalation is recorded it leaves the follow-ups; it
// is refused on a satisfactory or open meeting, twice, before the close,
// or without saying to whom, and a refusal changes nothing.
func TestMarkEscalated(t *testing.T) {
	call := london("2026-08-28 18:00")
	m := open(t, call)
	completeTo(t, m, bluelight.StepRecord)
	var re *bluelight.RuleError
	require.ErrorAs(t, m.MarkEscalated(call.Add(2*time.Hour), "directors of commissioning", "dm1"), &re, "an open meeting")
	closed := call.Add(90 * time.Minute)
	require.NoError(t, m.Close(closed, bluelight.Outcome{}))

	before := m.Record()
	assert.Equal(t, "escalation.at", asInvalid(t, m.MarkEscalated(closed.Add(-time.Minute), "directors", "dm1")).Field)
	assert.Equal(t, "escalation.to", asInvalid(t, m.MarkEscalated(closed.Add(time.Hour), " ", "dm1")).Field)
	assert.Equal(t, before, m.Record(), "a refusal changes nothing")

	at := closed.Add(12 * time.Hour)
	require.NoError(t, m.MarkEscalated(at, "directors of commissioning", "dm1"))
	fu, err := m.FollowUps(nil, calendar.Date{})
	require.NoError(t, err)
	for _, it := range fu.Items {
		assert.NotEqual(t, bluelight.ItemEscalation, it.Kind, "escalated: no longer a follow-up")
	}
	rec := m.Record()
	require.NotNil(t, rec.Escalation)
	assert.True(t, rec.Escalation.At.Equal(at))
	assert.Equal(t, "directors of commissioning", rec.Escalation.To)
	require.ErrorAs(t, m.MarkEscalated(at.Add(time.Hour), "directors", "dm1"), &re, "twice")
	assert.Equal(t, "R-BL-ESC", re.Rule)

	ok := open(t, call)
	completeTo(t, ok, bluelight.StepRecord)
	require.NoError(t, ok.Fund(ctx, homePackage(call, 24)))
	require.NoError(t, ok.Close(closed, bluelight.Outcome{SustainablePlacement: true}))
	require.ErrorAs(t, ok.MarkEscalated(at, "directors", "dm1"), &re, "a satisfactory outcome")
}
