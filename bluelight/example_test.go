package bluelight_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/dsrkit/dsrkit/bluelight"
	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/dsr"
)

func ExamplePence_String() {
	fmt.Println(bluelight.Pence(432101))
	fmt.Println(bluelight.Pence(7))
	fmt.Println(bluelight.Pence(-350))
	// Output:
	// £4,321.01
	// £0.07
	// -£3.50
}

// The local authority's share is rounded down to the penny and health gets
// the rest, so the shares always add up to the total (R-BL-FUND).
func ExampleSplit_Shares() {
	half := bluelight.Split{LocalAuthorityBP: 5000, HealthBP: 5000}
	la, health := half.Shares(10001)
	fmt.Println(half, la, health)

	agreed := bluelight.Split{LocalAuthorityBP: 3333, HealthBP: 6667}
	la, health = agreed.Shares(100001)
	fmt.Println(agreed, la, health, la+health)
	// Output:
	// local authority 50% / health 50% £50.00 £50.01
	// local authority 33.33% / health 66.67% £333.30 £666.71 £1,000.01
}

// Person A is not known to CAMHS or children's social care, so in Wiltshire
// a Blue Light meeting may not be called (R-BL-CRIT).
func ExampleOpen_criteriaNotMet() {
	rules, err := bluelight.NewGoRules(bluelight.DefaultParams())
	if err != nil {
		panic(err)
	}
	call := time.Date(2026, time.June, 1, 10, 0, 0, 0, calendar.London)
	_, err = bluelight.Open(context.Background(), rules, bluelight.Opening{
		ID: "bl-0002", PersonID: "person-a", DateOfBirth: calendar.MustParseDate("2011-03-04"),
		Criteria:        bluelight.CriteriaInput{UnexpectedCrisis: true, NoTimeForCETR: true},
		InvitationsSent: call.Add(-time.Hour), CallAt: call,
	})
	var re *bluelight.RuleError
	fmt.Println(errors.As(err, &re), re.Rule, re.Missing)
	// Output:
	// true R-BL-CRIT [known_to_services]
}

// 72 hours are elapsed hours: from Friday 23 October 2026 at 20:00 they end
// on Monday 26 October at 19:00, because the clocks go back on Sunday.
func ExampleMeeting_Fund() {
	rules, _ := bluelight.NewGoRules(bluelight.DefaultParams())
	call := time.Date(2026, time.October, 23, 20, 0, 0, 0, calendar.London)
	m, err := bluelight.Open(context.Background(), rules, bluelight.Opening{
		ID: "bl-0003", PersonID: "person-a", DateOfBirth: calendar.MustParseDate("2011-03-04"),
		Criteria:        bluelight.CriteriaInput{CannotSupportAtHome: true, NoTimeForCETR: true, KnownToServices: true},
		InvitationsSent: call.Add(-time.Hour), CallAt: call,
	})
	if err != nil {
		panic(err)
	}
	req := bluelight.FundingRequest{
		Support: "waking night staff at home", Provider: "Provider Alpha", ProviderAccredited: true,
		Start: call, Stop: time.Date(2026, time.October, 26, 20, 0, 0, 0, calendar.London), Cost: 360000,
	}
	fmt.Println(m.Fund(context.Background(), req))

	req.Stop = call.Add(72 * time.Hour)
	fmt.Println(m.Fund(context.Background(), req))
	f := m.Record().Funding
	fmt.Println(f.Stop.In(calendar.London).Format(time.RFC3339), f.LocalAuthority, f.Health)

	req.Cost = -1
	err = m.Fund(context.Background(), req)
	fmt.Println(err, errors.Is(err, dsr.ErrInvalid))
	// Output:
	// bluelight: funding.stop: 73h of support is over the cap of 72 hours (R-BL-FUND)
	// <nil>
	// 2026-10-26T19:00:00Z £1,800.00 £1,800.00
	// funding.cost_pence: negative cost -£0.01 (R-BL-FUND) true
}

// A meeting cannot close until the decision and the record are complete
// (R-BL-STEPS); steps complete in order.
func ExampleMeeting_Close() {
	rules, _ := bluelight.NewGoRules(bluelight.DefaultParams())
	call := time.Date(2026, time.July, 3, 18, 0, 0, 0, calendar.London)
	m, _ := bluelight.Open(context.Background(), rules, bluelight.Opening{
		ID: "bl-0004", PersonID: "person-a", DateOfBirth: calendar.MustParseDate("2011-03-04"),
		Criteria:        bluelight.CriteriaInput{UnexpectedCrisis: true, NoTimeForCETR: true, KnownToServices: true},
		InvitationsSent: call.Add(-time.Hour), CallAt: call,
	})
	fmt.Println(m.Complete(bluelight.StepRisks, "risk of harm overnight"))
	fmt.Println(m.Close(call.Add(time.Hour), bluelight.Outcome{}))
	// Output:
	// bluelight: steps.risks: step "Current risks" cannot be completed before step "Chair introduced and situation shared"; missing steps.introduction, steps.understanding (R-BL-STEPS)
	// bluelight: close: the meeting cannot close before the decision and the record are complete; missing steps.decision, steps.record (R-BL-STEPS)
}

// A Friday-evening crisis before the August bank holiday, from the call to
// the minute and the follow-ups.
func ExampleMeeting_Minute() {
	ctx := context.Background()
	rules, _ := bluelight.NewGoRules(bluelight.DefaultParams())
	call := time.Date(2026, time.August, 28, 18, 0, 0, 0, calendar.London)
	m, err := bluelight.Open(ctx, rules, bluelight.Opening{
		ID: "bl-0001", PersonID: "person-a", DateOfBirth: calendar.MustParseDate("2011-03-04"),
		Criteria:        bluelight.CriteriaInput{UnexpectedCrisis: true, NoTimeForCETR: true, KnownToServices: true},
		InvitationsSent: call.Add(-20 * time.Minute), CallAt: call,
	})
	if err != nil {
		panic(err)
	}
	p := m.Params()
	for _, r := range p.MustAttend {
		if r != bluelight.RoleSchoolSENCO { // the school is closed for the summer
			_ = m.Attend(bluelight.Attendee{Role: r})
		}
	}
	notes := []string{
		"Commissioner E chaired; Person A's family are in crisis this evening.",
		"Person A wants to stay at home; parent agrees.",
		"Risk of harm to self overnight; parent exhausted.",
		"Home package, short breaks unit and a local bed considered.",
		"Two waking night staff available from 18:00 tonight for 72 hours.",
		"Support at home with waking night staff; social worker leads; C(E)TR by Monday 18:00.",
		"Decision, plan, costs and funding recorded.",
	}
	for i, s := range bluelight.Steps {
		if i == 4 {
			_ = m.Choose(bluelight.Choice{Option: bluelight.OptionHomePackage, Detail: "waking night staff"})
			_ = m.Fund(ctx, bluelight.FundingRequest{
				Support: "two waking night staff at home", Provider: "Provider Alpha", ProviderAccredited: true,
				Start: call, Stop: call.Add(72 * time.Hour), Cost: 432101,
			})
		}
		if err := m.Complete(s, notes[i]); err != nil {
			panic(err)
		}
	}
	if err := m.Close(call.Add(75*time.Minute), bluelight.Outcome{SustainablePlacement: true}); err != nil {
		panic(err)
	}
	fmt.Print(m.Minute())

	fu, _ := m.FollowUps(calendar.Default(), calendar.Date{})
	fmt.Println()
	fmt.Println(fu.Event.Type, fu.Event.At.Format(time.RFC3339))
	for _, it := range fu.Items {
		fmt.Println(it.Kind, it.DueAt.Format(time.RFC3339), it.Rule)
	}
	// Output:
	// # Blue Light meeting bl-0001
	//
	// - Person: person-a (aged 15)
	// - Call: 2026-08-28 18:00 BST (+01:00)
	// - Invitations sent: 2026-08-28 17:40 BST (+01:00) (20m before the call)
	// - **Late notice**: under the 30m required (R-BL-NOTICE)
	// - Closed: 2026-08-28 19:15 BST (+01:00)
	//
	// **A Blue Light meeting is not a community C(E)TR** (R-BL-CRIT).
	//
	// ## Criteria (R-BL-CRIT)
	//
	// - immediate risk of an inpatient placement: an unexpected crisis
	// - there is no time for a C(E)TR
	// - known to the CAMHS provider or children's social care
	// - A Blue Light meeting is not a community C(E)TR
	//
	// ## Attendance (R-BL-INVITE)
	//
	// | Role | Required | Attended |
	// |---|---|---|
	// | Family or circle of support | must attend | yes |
	// | Psychiatrist | must attend | yes |
	// | Named nurse | must attend | yes |
	// | Social worker | must attend | yes |
	// | SEND lead worker | must attend | yes |
	// | School SENCO | must attend | **no** |
	// | Education officer | must attend | yes |
	// | Commissioner (chair) | must attend | yes |
	// | NHS England gatekeeping | must attend | yes |
	// | Advocate | must attend | yes |
	// | Community CAMHS | must attend | yes |
	// | Minute taker | must attend | yes |
	//
	// Missing must-attend roles: School SENCO.
	//
	// ## Call record (R-BL-STEPS)
	//
	// 1. **Chair introduced and situation shared**: Commissioner E chaired; Person A's family are in crisis this evening.
	// 2. **Understanding the person (wishes, family, carers, clinicians)**: Person A wants to stay at home; parent agrees.
	// 3. **Current risks**: Risk of harm to self overnight; parent exhausted.
	// 4. **Options considered**: Home package, short breaks unit and a local bed considered.
	// 5. **Resources and timeframe**: Two waking night staff available from 18:00 tonight for 72 hours.
	// 6. **Decision, support plan and responsible people**: Support at home with waking night staff; social worker leads; C(E)TR by Monday 18:00.
	// 7. **Record of decision, plan, costs, funding split, start and stop time of funding**: Decision, plan, costs and funding recorded.
	//
	// ## Options (R-BL-PREF)
	//
	// - Chosen: Support at home with a package: waking night staff
	//
	// ## Decision and plan
	//
	// Support at home with waking night staff; social worker leads; C(E)TR by Monday 18:00.
	//
	// ## Funding (R-BL-FUND)
	//
	// - Support: two waking night staff at home
	// - Provider: Provider Alpha (accredited)
	// - Cost: £4,321.01
	// - Split: local authority 50% / health 50%
	//   - Local authority: £2,160.50
	//   - Health: £2,160.51
	// - Start: 2026-08-28 18:00 BST (+01:00)
	// - Stop: 2026-08-31 18:00 BST (+01:00)
	// - Funded: 72h elapsed (cap 72 hours)
	//
	// ## Outcome
	//
	// Sustainable placement with funding agreed.
	//
	// ## Warnings
	//
	// - late notice: invitations sent 20m before the call, under the 30 minutes required (R-BL-NOTICE)
	//
	// blue_light_meeting 2026-08-28T18:00:00+01:00
	// review_after_blue_light 2026-08-31T18:00:00+01:00 R-BL-FOLLOW
	// blue_light_funding_stop 2026-08-31T18:00:00+01:00 R-BL-FUND
}
