package server

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/dsrkit/dsrkit/bluelight"
	"github.com/dsrkit/dsrkit/policies"
	"github.com/dsrkit/dsrkit/register"
)

var testPanel = []map[string]any{
	{"name": "Commissioner A", "role": "chair"},
	{"name": "Clinical Expert B", "role": "clinical_expert", "training_expires": "2099-12-31"},
	{"name": "Expert C", "role": "expert_by_experience", "training_expires": "2099-12-31"},
	{"name": "Teacher D", "role": "education"},
}

func reviewPlanBody(id, personID string) map[string]any {
	return map[string]any{"id": id, "person_id": personID, "kind": "community", "planned": "2026-04-01", "commissioner": "Commissioner A",
		"consent": map[string]any{"given": "2026-03-27", "given_by": "parent"}, "papers": []any{map[string]any{"title": "Planner", "planner": true}},
		"panel": testPanel}
}

var reviewHoldBody = map[string]any{"held": "2026-04-01", "outcome": "stay_in_community", "note": "package at home",
	"findings": map[string]any{"am_i_safe": "safe with support", "good_care_and_treatment": "yes", "plans_for_future": "college",
		"care_in_community": "yes, with a package", "physical_health": "well", "meaningful_activity": "swimming", "quality_of_life": "good"}}

// decodeInto turns a JSON-able map into T, strictly, as the service does.
func decodeInto[T any](t testing.TB, v any) *T {
	t.Helper()
	var out T
	if err := decodeJSONValue(v, &out); err != nil {
		t.Fatal(err)
	}
	return &out
}

// review plans (and with held, holds) a review of a new person, straight
// on the register, and returns its id.
func (f *fixture) review(held bool) string {
	f.t.Helper()
	np := f.added()
	id := fmt.Sprintf("rev-%d", f.seq.Add(1))
	prm, err := policies.CETRParams(context.Background(), f.srv.cfg.Engine)
	if err != nil {
		f.t.Fatal(err)
	}
	rev, err := PlanReview(t0, f.reg, prm, decodeInto[ReviewPlan](f.t, reviewPlanBody(id, np.Person.ID)), fixtureActor)
	if err != nil {
		f.t.Fatal(err)
	}
	if held {
		if err := HoldReview(rev, decodeInto[ReviewHold](f.t, reviewHoldBody)); err != nil {
			f.t.Fatal(err)
		}
	}
	if err := f.reg.SaveReview(t0, rev, fixtureActor); err != nil {
		f.t.Fatal(err)
	}
	return id
}

var callAt = testNow.Add(-3 * time.Hour).UTC()

func meetingOpenBody(id string, np register.NewPerson) map[string]any {
	return map[string]any{"id": id, "person_id": np.Person.ID,
		"criteria":         map[string]any{"unexpected_crisis": true, "no_time_for_cetr": true, "known_to_services": true},
		"invitations_sent": callAt.Add(-45 * time.Minute).Format(time.RFC3339), "call_at": callAt.Format(time.RFC3339),
		"person": np}
}

var meetingAttendees = func() []any {
	var as []any
	for _, r := range []string{"family", "psychiatrist", "named_nurse", "social_worker", "send_lead_worker", "school_senco",
		"education_officer", "commissioner", "nhse_gatekeeping", "advocate", "community_camhs", "minute_taker"} {
		as = append(as, map[string]any{"role": r})
	}
	return as
}()

var meetingFirstSteps = []any{map[string]any{"step": "introduction", "notes": "crisis tonight"}, map[string]any{"step": "understanding", "notes": "wants to stay home"},
	map[string]any{"step": "risks", "notes": "harm to self"}, map[string]any{"step": "options", "notes": "home package first"}, map[string]any{"step": "resources", "notes": "night staff"}}

var meetingFunding = map[string]any{"support": "two waking night staff", "provider": "Provider Alpha", "provider_accredited": true,
	"start": callAt.Format(time.RFC3339), "stop": callAt.Add(72 * time.Hour).Format(time.RFC3339), "cost_pence": 432101}

var meetingCloseBody = map[string]any{"steps": []any{map[string]any{"step": "decision", "notes": "home package"}, map[string]any{"step": "record", "notes": "recorded"}},
	"closed_at": callAt.Add(90 * time.Minute).Format(time.RFC3339), "outcome": map[string]any{"sustainable_placement": true}}

// meeting opens a Blue Light meeting for a new person straight on the
// register; with ready, it is ready to close (attended, the first five
// steps, an option chosen).
func (f *fixture) meeting(ready bool) string {
	f.t.Helper()
	np := f.person()
	id := fmt.Sprintf("bl-%d", f.seq.Add(1))
	rules := policies.BlueLightRules(f.srv.cfg.Engine)
	in := decodeInto[MeetingOpening](f.t, meetingOpenBody(id, np))
	m, err := OpenMeeting(t0, f.reg, rules, in, fixtureActor)
	if err != nil {
		f.t.Fatal(err)
	}
	if ready {
		as := decodeInto[MeetingAttendance](f.t, map[string]any{"attendees": meetingAttendees})
		steps := decodeInto[MeetingSteps](f.t, map[string]any{"steps": meetingFirstSteps})
		err = m.Attend(as.Attendees...)
		if err == nil {
			err = CompleteSteps(m, steps.Steps)
		}
		if err == nil {
			err = m.Choose(bluelight.Choice{Option: bluelight.OptionHomePackage, Detail: "waking nights"})
		}
		if err != nil {
			f.t.Fatal(err)
		}
	}
	if err := f.reg.SaveMeeting(t0, m, fixtureActor, in.Person); err != nil {
		f.t.Fatal(err)
	}
	return id
}

func init() {
	samples["planReview"] = func(f *fixture) (string, any, []string) {
		return "/v1/reviews", reviewPlanBody(fmt.Sprintf("rev-%d", f.seq.Add(1)), f.added().Person.ID), nil
	}
	samples["showReview"] = func(f *fixture) (string, any, []string) { return "/v1/reviews/" + f.review(false), nil, nil }
	samples["holdReview"] = func(f *fixture) (string, any, []string) {
		return "/v1/reviews/" + f.review(false) + "/hold", reviewHoldBody, nil
	}
	samples["recommend"] = func(f *fixture) (string, any, []string) {
		return "/v1/reviews/" + f.review(true) + "/recommendations", map[string]any{"recommendations": []any{
			map[string]any{"who": "Care coordinator E", "what": "home support package", "due": "2026-04-08"}}}, nil
	}
	samples["reportReview"] = func(f *fixture) (string, any, []string) {
		return "/v1/reviews/" + f.review(true) + "/report", map[string]any{"sent": "2026-04-01", "recipients": []any{map[string]any{"role": "participant", "name": "Panel"}}}, nil
	}
	samples["openMeeting"] = func(f *fixture) (string, any, []string) {
		return "/v1/meetings", meetingOpenBody(fmt.Sprintf("bl-%d", f.seq.Add(1)), f.person()), nil
	}
	samples["showMeeting"] = func(f *fixture) (string, any, []string) { return "/v1/meetings/" + f.meeting(false), nil, nil }
	samples["attendMeeting"] = func(f *fixture) (string, any, []string) {
		return "/v1/meetings/" + f.meeting(false) + "/attendance", map[string]any{"attendees": meetingAttendees}, nil
	}
	samples["meetingSteps"] = func(f *fixture) (string, any, []string) {
		return "/v1/meetings/" + f.meeting(false) + "/steps", map[string]any{"steps": meetingFirstSteps}, nil
	}
	samples["meetingOptions"] = func(f *fixture) (string, any, []string) {
		return "/v1/meetings/" + f.meeting(false) + "/options", map[string]any{"choice": map[string]any{"option": "home_package", "detail": "waking nights"}}, nil
	}
	samples["fundMeeting"] = func(f *fixture) (string, any, []string) {
		return "/v1/meetings/" + f.meeting(false) + "/funding", meetingFunding, nil
	}
	samples["closeMeeting"] = func(f *fixture) (string, any, []string) {
		return "/v1/meetings/" + f.meeting(true) + "/close", meetingCloseBody, nil
	}
}
