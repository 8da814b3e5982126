package cetr_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/cetr"
	"github.com/dsrkit/dsrkit/dsr"
)

// Worked example 7: a panel of a commissioner and a clinical expert only is
// invalid, because there is no expert by experience (R-CETR-PANEL).
func ExamplePanel_Validate() {
	p := cetr.Panel{Type: cetr.CETR, Members: []cetr.Member{
		{Name: "Commissioner A", Role: cetr.Chair},
		{Name: "Clinical Expert B", Role: cetr.ClinicalExpert, TrainingExpires: calendar.MustParseDate("2026-12-31")},
	}}
	err := p.Validate(calendar.MustParseDate("2026-03-02"))
	fmt.Println(err)
	fmt.Println(errors.Is(err, cetr.ErrInvalidPanel))

	var pe *cetr.PanelError
	if errors.As(err, &pe) {
		fmt.Println("seat:", pe.Role, "rule:", pe.Rule)
	}
	for _, w := range p.Warnings() {
		fmt.Println("warning:", w)
	}
	// Output:
	// panel: members (expert_by_experience): no independent expert by experience (R-CETR-PANEL)
	// true
	// seat: expert_by_experience rule: R-CETR-PANEL
	// warning: members: no education or children's social care professional on a CETR panel; one should be considered (R-CETR-PANEL)
}

func ExampleTypeFor() {
	on := calendar.MustParseDate("2026-03-02")
	a := dsr.Person{ID: "person-a", DateOfBirth: calendar.MustParseDate("2011-06-10")}
	b := dsr.Person{ID: "person-b", DateOfBirth: calendar.MustParseDate("2001-06-01"), EHCP: true}
	fmt.Println(cetr.TypeFor(&a, on, true), cetr.TypeFor(&b, on, true), cetr.TypeFor(&b, on, false))
	// Output:
	// cetr cetr ctr
}

func day(s string) calendar.Date { return calendar.MustParseDate(s) }

// exampleReview is a community CETR for Person A, aged 14, held on Monday 2
// March 2026.
func exampleReview() *cetr.Review {
	r, err := cetr.New(cetr.Plan{
		ID:           "review-1",
		Person:       dsr.Person{ID: "person-a", DateOfBirth: day("2011-06-10"), Autism: true},
		Kind:         cetr.Community,
		Planned:      day("2026-03-02"),
		StartsAt:     time.Date(2026, 3, 2, 10, 0, 0, 0, calendar.London),
		Commissioner: "Commissioner A",
	}, cetr.DefaultParams())
	check(err)
	check(r.SetConsent(cetr.Consent{Asked: day("2026-02-10"), Given: day("2026-02-12"), GivenBy: dsr.ByParent}))
	check(r.AddPaper(cetr.Paper{Title: "CETR planner", Planner: true}))
	check(r.AddPaper(cetr.Paper{Title: "Positive behaviour support plan"}))
	check(r.SendPapers(time.Date(2026, 2, 27, 16, 30, 0, 0, calendar.London)))
	check(r.SetPanel(
		cetr.Member{Name: "Commissioner A", Role: cetr.Chair},
		cetr.Member{Name: "Clinical Expert B", Role: cetr.ClinicalExpert, TrainingExpires: day("2026-12-31")},
		cetr.Member{Name: "Expert C", Role: cetr.ExpertByExperience, TrainingExpires: day("2026-12-31")},
		cetr.Member{Name: "Teacher D", Role: cetr.Education},
	))
	check(r.Record(cetr.Safe, "Safe at home with two-to-one support in the evenings."))
	check(r.Record(cetr.GoodCare, "Community CAMHS and the intensive support team are involved."))
	check(r.Record(cetr.PlansForFuture, "Return to school part-time after Easter."))
	check(r.Record(cetr.CareInCommunity, "Yes, with a short-breaks package."))
	check(r.Record(cetr.PhysicalHealth, "Sleep is poor; sleep clinic referral agreed."))
	check(r.Record(cetr.MeaningfulActivity, "Swimming twice a week."))
	check(r.Record(cetr.QualityOfLife, "Wants to stay at home with the family."))
	check(r.Hold(day("2026-03-02"), cetr.StayInCommunity, "Admission avoided."))
	_, err = r.Recommend(cetr.Recommendation{Who: "Social Worker I", What: "Agree a short-breaks package", Due: day("2026-03-16")})
	check(err)
	return r
}

func check(err error) {
	if err != nil {
		panic(err)
	}
}

func ExampleReview_Summary() {
	r := exampleReview()
	check(r.AgreeRating(cetr.RatingAgreement{Date: day("2026-03-02"), Rating: dsr.Amber, By: "DSR meeting", Reason: "crisis eased"}))
	check(r.SendReport(day("2026-03-12"), []cetr.Recipient{
		{Role: cetr.ResponsibleCommissioner, Name: "Commissioner A"},
		{Role: cetr.FamilyOrCarer, Name: "Parent of Person A"},
	}))
	fmt.Print(r.Summary())
	// Output:
	// # CETR review-1: community review
	//
	// - Person: person-a
	// - Type: CETR (R-CETR-TYPE)
	// - Planned: 2026-03-02
	// - Held: 2026-03-02
	// - Responsible commissioner: Commissioner A
	// - Outcome: care can be given in the community. Admission avoided.
	// - Rating agreed: AMBER on 2026-03-02 by DSR meeting (crisis eased) (R-REV-2)
	//
	// ## Consent (R-CETR-CONSENT)
	//
	// Consent given by parent on 2026-02-12. The panel may read all papers.
	//
	// Papers the panel may read:
	//
	// - CETR planner
	// - Positive behaviour support plan
	//
	// Papers sent 2026-02-27 16:30, due by 2026-03-01 10:00 (R-CETR-DOCS).
	//
	// ## Panel (R-CETR-PANEL)
	//
	// - Chair: Commissioner A
	// - Independent clinical expert: Clinical Expert B
	// - Independent expert by experience: Expert C
	// - Education professional: Teacher D
	//
	// ## Key lines of enquiry (R-CETR-KLOE)
	//
	// ### Am I safe?
	//
	// Safe at home with two-to-one support in the evenings.
	//
	// ### Am I getting good care and treatment?
	//
	// Community CAMHS and the intensive support team are involved.
	//
	// ### What are my plans for the future?
	//
	// Return to school part-time after Easter.
	//
	// ### Can my care be given in the community?
	//
	// Yes, with a short-breaks package.
	//
	// ### Physical health
	//
	// Sleep is poor; sleep clinic referral agreed.
	//
	// ### Meaningful activity
	//
	// Swimming twice a week.
	//
	// ### Quality of life
	//
	// Wants to stay at home with the family.
	//
	// ## Recommendations (R-CETR-ACT)
	//
	// 1. Social Worker I: Agree a short-breaks package, by 2026-03-16. Open.
	//
	// ## Report (R-CETR-REPORT)
	//
	// - Due: 2026-03-16 (14 days)
	// - Sent: 2026-03-12
	//   - Commissioner A (responsible commissioner)
	//   - Parent of Person A (family or carer)
}

// The worklist after a review, as of 14 April 2026: the rating was never
// re-agreed, the report never sent, and the recommendation is four weeks
// overdue, so it goes to the ICB oversight panel.
func ExampleReview_Worklist() {
	r := exampleReview()
	for _, w := range r.Worklist(day("2026-04-14")) {
		fmt.Printf("%s due %s overdue=%v %s: %s\n", w.Kind, w.Due, w.Overdue, w.Rule, w.Reason)
	}
	for _, e := range r.Events() {
		fmt.Println("event:", e.Type, e.Date, e.Kind)
	}
	// Output:
	// dsr_review due 2026-03-02 overdue=true R-REV-2: re-agree the register rating after the CETR held on 2026-03-02
	// review_recommendation due 2026-03-16 overdue=true R-CETR-ACT: recommendation 1: Agree a short-breaks package
	// review_report due 2026-03-16 overdue=true R-CETR-REPORT: send the report of the community CETR held on 2026-03-02 (14 days)
	// recommendation_escalation due 2026-04-13 overdue=true R-CETR-ACT: recommendation 1 overdue since 2026-03-16: escalate to the ICB oversight panel (after 28 days)
	// event: review_held 2026-03-02 community
}

// A statutory review's report goes to four recipients (R-CETR-STAT); each one
// left out is a typed error, and nothing is recorded.
func ExampleReview_SendReport() {
	r, err := cetr.New(cetr.Plan{
		ID:           "review-2",
		Person:       dsr.Person{ID: "person-d", DateOfBirth: day("2009-09-01"), Autism: true, LocalAuthority: "Borough D"},
		Kind:         cetr.Statutory,
		Planned:      day("2026-03-02"),
		Commissioner: "Commissioner A",
	}, cetr.DefaultParams())
	check(err)
	check(r.SetPanel(
		cetr.Member{Name: "Commissioner A", Role: cetr.Chair},
		cetr.Member{Name: "Clinical Expert B", Role: cetr.ClinicalExpert, TrainingExpires: day("2026-12-31")},
		cetr.Member{Name: "Expert C", Role: cetr.ExpertByExperience, TrainingExpires: day("2026-12-31")},
		cetr.Member{Name: "Teacher D", Role: cetr.Education},
	))
	for _, l := range cetr.KLOEs {
		check(r.Record(l, "Recorded at the meeting."))
	}
	check(r.Hold(day("2026-03-02"), cetr.ContinueInHospital, ""))
	due, _ := r.ReportDue()
	fmt.Println("report due:", due)

	err = r.SendReport(day("2026-03-10"), []cetr.Recipient{
		{Role: cetr.ResponsibleCommissioner, Name: "Commissioner A"},
		{Role: cetr.ResponsibleClinician, Name: "Responsible Clinician M"},
	})
	fmt.Println(err)
	fmt.Println(errors.Is(err, cetr.ErrMissingRecipient), r.Report.IsSent())
	// Output:
	// report due: 2026-03-15
	// report.recipients: the report of a statutory review goes to the section 117 ICB, and none is named (R-CETR-STAT)
	// report.recipients: the report of a statutory review goes to the local authority of ordinary residence, and none is named (R-CETR-STAT)
	// true false
}

// Bad input names the field, and the review is left as it was.
func ExampleReview_Recommend() {
	r := exampleReview()
	_, err := r.Recommend(cetr.Recommendation{Who: "Social Worker I", What: "Home visit", Due: day("2026-03-01")})
	fmt.Println(err)
	var ve *dsr.ValidationError
	if errors.As(err, &ve) {
		fmt.Println("field:", ve.Field)
	}
	fmt.Println("recommendations:", len(r.Recommendations))
	// Output:
	// recommendations[1].due: 2026-03-01 is before the review date 2026-03-02 (R-CETR-ACT)
	// field: recommendations[1].due
	// recommendations: 1
}
