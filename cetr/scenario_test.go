package cetr_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsrkit/dsrkit/cetr"
	"github.com/dsrkit/dsrkit/dsr"
)

// A community CETR for a 14-year-old whose family is in crisis finds that
// care can be given at home with more support: the admission is avoided, the
// rating comes down from RED to AMBER, and the report goes within 14 days.
func TestScenarioCommunityCETRAvoidsAdmission(t *testing.T) {
	p := plan(child(), cetr.Community, "2026-03-02")
	p.StartsAt = at("2026-03-02 10:00")
	r := mustNew(t, p)
	assert.Equal(t, cetr.CETR, r.Type(), "R-CETR-TYPE: aged 14")

	must(t, r.SetConsent(cetr.Consent{Asked: d("2026-02-10"), Given: d("2026-02-12"), GivenBy: dsr.ByParent}))
	must(t, r.AddPaper(cetr.Paper{Title: "CETR planner", Planner: true}))
	must(t, r.AddPaper(cetr.Paper{Title: "Positive behaviour support plan"}))
	must(t, r.AddPaper(cetr.Paper{Title: "School report"}))
	assert.Len(t, r.PanelPapers(), 3, "R-CETR-CONSENT: with consent the panel reads every paper")
	must(t, r.SendPapers(at("2026-02-27 16:30")))
	assert.False(t, r.PapersLate(), "R-CETR-DOCS: sent on Friday for Monday")
	must(t, r.SetPanel(panelOf(teacher, cetr.Member{Name: "Social Worker I", Role: cetr.ChildrensSocialCare, DayToDayCare: true})...))

	findings := map[cetr.KLOE]string{
		cetr.Safe:               "Safe at home with two-to-one support in the evenings.",
		cetr.GoodCare:           "Community CAMHS and the intensive support team are involved; the family needs respite.",
		cetr.PlansForFuture:     "Return to school part-time after Easter.",
		cetr.CareInCommunity:    "Yes, with a short-breaks package and the intensive support team for eight weeks.",
		cetr.PhysicalHealth:     "Sleep is poor; a sleep clinic referral is agreed.",
		cetr.MeaningfulActivity: "Swimming twice a week with a support worker.",
		cetr.QualityOfLife:      "Wants to stay at home with a younger sibling and the family dog.",
	}
	for _, l := range cetr.KLOEs {
		must(t, r.Record(l, findings[l]))
	}
	must(t, r.Hold(d("2026-03-02"), cetr.StayInCommunity, "Admission avoided with intensive support at home."))
	assert.Empty(t, r.Warnings())

	_, err := r.Recommend(cetr.Recommendation{Who: "Social Worker I", What: "Agree a short-breaks package", Due: d("2026-03-16")})
	require.NoError(t, err)
	_, err = r.Recommend(cetr.Recommendation{Who: "CAMHS Nurse K", What: "Refer to the sleep clinic", Due: d("2026-03-09")})
	require.NoError(t, err)
	must(t, r.AgreeRating(cetr.RatingAgreement{Date: d("2026-03-02"), Rating: dsr.Amber, By: "CETR panel and DSR leads", Reason: "crisis eased; support agreed"}))
	must(t, r.SendReport(d("2026-03-12"), []cetr.Recipient{
		{Role: cetr.ResponsibleCommissioner, Name: commissioner},
		{Role: cetr.PersonReviewed, Name: "Person A"},
		{Role: cetr.FamilyOrCarer, Name: "Parent of Person A"},
		{Role: cetr.Participant, Name: "Teacher D"},
	}))
	assert.False(t, r.ReportLate(d("2026-03-20")))
	must(t, r.Complete(2, d("2026-03-06")))
	require.NoError(t, r.Validate())

	// What remains is the short-breaks package, overdue from 17 March.
	w := r.Worklist(d("2026-03-17"))
	require.Len(t, w, 1)
	assert.Equal(t, cetr.ActionRecommendation, w[0].Kind)
	assert.True(t, w[0].Overdue)
	assert.Equal(t, "Social Worker I", w[0].Who)

	// The person's history now shows a community review before any admission.
	c := dsr.Case{AsOf: d("2026-03-17"), Person: r.Person, Events: append([]dsr.Event{
		{Type: dsr.EventConsentGiven, Date: d("2026-01-05"), GivenBy: dsr.ByParent},
	}, r.Events()...)}
	require.NoError(t, c.Validate())
	f := dsr.Derive(&c)
	assert.False(t, f.Inpatient)
	assert.Equal(t, d("2026-03-02"), f.LastReview[0], "last community review")
	assert.Equal(t, dsr.Amber, f.Agreed.Rating)
}

// An adult with a learning disability admitted on 30 March 2026 without a
// community review has a post-admission CTR on 20 April, within the 28 days
// of R-CETR-PA-2 (national-2017). He lacks capacity; a best-interests
// decision lets the panel read the papers.
func TestScenarioPostAdmissionCTR(t *testing.T) {
	person := adult()
	person.LacksCapacity = true
	r := mustNew(t, plan(person, cetr.PostAdmission, "2026-04-20"))
	assert.Equal(t, cetr.CTR, r.Type(), "R-CETR-TYPE: aged 30, no EHCP")
	must(t, r.SetConsent(cetr.Consent{Asked: d("2026-04-01"), Given: d("2026-04-08"), GivenBy: dsr.ByBestInterests}))
	assert.True(t, r.PapersAllowed())
	must(t, r.SetPanel(panelOf(cetr.Member{Name: "Responsible Clinician M", Role: cetr.Provider, DayToDayCare: true})...))
	assert.Empty(t, r.Panel().Warnings(), "no education member is needed for a CTR")
	recordAll(t, r)
	must(t, r.Hold(d("2026-04-20"), cetr.ContinueInHospital, "Assessment continues; discharge planning starts now."))
	assert.Empty(t, r.Warnings(), "the papers rule is for community reviews only")

	due, ok := r.ReportDue()
	require.True(t, ok)
	assert.Equal(t, "2026-05-04", due.String(), "R-CETR-REPORT: 14 days")
	_, err := r.Recommend(cetr.Recommendation{Who: "Care Coordinator J", What: "Draft a discharge plan with housing", Due: d("2026-05-18")})
	require.NoError(t, err)

	// On 20 June: the report is late, the rating was never re-agreed, the
	// discharge plan is 33 days overdue and goes to the oversight panel.
	w := r.Worklist(d("2026-06-20"))
	kinds := map[dsr.ActionKind]bool{}
	for _, it := range w {
		kinds[it.Kind] = it.Overdue
	}
	assert.Equal(t, map[dsr.ActionKind]bool{
		dsr.ActionDSRReview:       true,
		dsr.ActionReviewReport:    true,
		cetr.ActionRecommendation: true,
		cetr.ActionEscalation:     true,
	}, kinds)
	assert.True(t, r.ReportLate(d("2026-06-20")))
	require.Len(t, r.Escalations(d("2026-06-20")), 1)

	c := dsr.Case{AsOf: d("2026-06-20"), Person: person, Events: append([]dsr.Event{
		{Type: dsr.EventConsentGiven, Date: d("2026-03-01"), GivenBy: dsr.ByBestInterests},
		{Type: dsr.EventAdmitted, Date: d("2026-03-30"), Security: "general", LegalStatus: "s3"},
	}, r.Events()...)}
	require.NoError(t, c.Validate())
	f := dsr.Derive(&c)
	assert.True(t, f.Inpatient)
	assert.Equal(t, d("2026-04-20"), f.LastReview[1], "last post-admission review")
}

// A 16-year-old detained under section 3 has a statutory CETR (MHA-2025 Part
// 8A) on 2 March 2026. The report is due within 14 days beginning with the
// meeting day, 15 March, and goes to all four statutory recipients.
func TestScenarioStatutoryCETRFourRecipients(t *testing.T) {
	person := dsr.Person{ID: "person-d", NHSNumber: dsr.TestNHSNumber(4), DateOfBirth: d("2009-09-01"), Autism: true, LocalAuthority: "Borough D"}
	r := mustNew(t, plan(person, cetr.Statutory, "2026-03-02"))
	assert.Equal(t, cetr.CETR, r.Type())
	must(t, r.SetConsent(cetr.Consent{Given: d("2026-02-20"), GivenBy: dsr.BySelf}))
	must(t, r.SetPanel(panelOf(teacher)...))
	recordAll(t, r)
	must(t, r.Hold(d("2026-03-02"), cetr.ContinueInHospital, ""))
	due, _ := r.ReportDue()
	assert.Equal(t, "2026-03-15", due.String(), "R-CETR-STAT: 14 days beginning with 2 March")

	four := []cetr.Recipient{
		{Role: cetr.ResponsibleCommissioner, Name: commissioner},
		{Role: cetr.ResponsibleClinician, Name: "Responsible Clinician M"},
		{Role: cetr.Section117ICB, Name: "ICB N"},
		{Role: cetr.LocalAuthority, Name: "Borough D"},
	}
	before := r.Clone()
	err := r.SendReport(d("2026-03-13"), four[:2])
	require.Error(t, err)
	assert.ErrorIs(t, err, cetr.ErrMissingRecipient)
	assert.Equal(t, []string{"report.recipients:section_117_icb", "report.recipients:local_authority"}, fields(err))
	var re *cetr.RecipientError
	require.True(t, errors.As(err, &re))
	assert.Equal(t, "R-CETR-STAT", re.Rule)
	assert.Equal(t, "report.recipients: the report of a statutory review goes to the section 117 ICB, and none is named (R-CETR-STAT)", re.Error())
	assert.Equal(t, before, r, "nothing changes")

	wrongLA := append(four[:3:3], cetr.Recipient{Role: cetr.LocalAuthority, Name: "Borough Z"})
	assert.Equal(t, []string{"report.recipients[3].name"}, fields(r.SendReport(d("2026-03-13"), wrongLA)),
		"the local authority is the one of ordinary residence")

	must(t, r.SendReport(d("2026-03-13"), four))
	assert.False(t, r.ReportLate(d("2026-03-20")))
	ev := r.Events()
	assert.Equal(t, dsr.EventReportSent, ev[len(ev)-1].Type)
	assert.Equal(t, dsr.ReviewStatutory, ev[0].Kind)
	require.NoError(t, r.Validate())
}
