package report_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dsrkit/dsrkit/bluelight"
	"github.com/dsrkit/dsrkit/bluelight/bluelighttest"
	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/consent"
	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/register"
	"github.com/dsrkit/dsrkit/register/memstore"
)

// testRules is a small stand-in for a policy bundle, enough for the
// reports: eligible with a learning disability or autism; consent by
// consent.National2023; BLUE as an inpatient, RED in crisis, AMBER when
// deteriorating, else GREEN; the agreed rating of record when there is
// one. On the register: a dsr_review 14 days after the last register
// review (or the consent); as an inpatient with no review since the
// admission a post_admission_review 14 days after it, else an
// inpatient_review 42 days after the last review; when RED in the
// community with no community review since the circumstances, a
// community_review 14 days after them.
type testRules struct{}

func (testRules) Assess(_ context.Context, c dsr.Case) (dsr.Assessment, error) {
	if err := c.Validate(); err != nil {
		return dsr.Assessment{}, err
	}
	f := dsr.Derive(&c)
	a := dsr.Assessment{AsOf: c.AsOf, Eligible: f.LearningDisability || f.Autism, Consent: consent.National2023.Consent(&c), ReviewType: dsr.ReviewTypeCTR}
	a.OnRegister = a.Eligible && a.Consent.Valid
	if f.Agreed != nil {
		a.AgreedRating = f.Agreed.Rating
	}
	if !a.Eligible {
		return a, nil
	}
	switch {
	case f.Inpatient:
		a.Rating = dsr.Blue
	case c.Circumstances.InCrisis:
		a.Rating = dsr.Red
	case c.Circumstances.MentalHealthDeteriorating:
		a.Rating = dsr.Amber
	default:
		a.Rating = dsr.Green
	}
	a.Reasons = append(a.Reasons, dsr.Reason{Rule: "R-RAG-" + a.Rating.String(), Message: a.Rating.String()})
	a.RatingOfRecord = a.Rating
	if a.AgreedRating != dsr.Unrated {
		a.RatingOfRecord = a.AgreedRating
	}
	if !a.OnRegister {
		return a, nil
	}
	add := func(k dsr.ActionKind, from calendar.Date, days int, rule string) {
		due := from.AddDays(days)
		a.Actions = append(a.Actions, dsr.Action{Kind: k, From: from, Due: due, Rule: rule, Reason: string(k), Overdue: due.Before(c.AsOf)})
	}
	from := f.LastRegisterReview
	if from.IsZero() && len(f.Consent) > 0 {
		from = f.Consent[len(f.Consent)-1].Date
	}
	add(dsr.ActionDSRReview, from, 14, "R-REV-1")
	switch {
	case f.Inpatient:
		adm := f.Spells[len(f.Spells)-1].Admitted
		if f.LastAnyReview.Before(adm) {
			add(dsr.ActionPostAdmissionReview, adm, 14, "R-CETR-PA-2")
		} else {
			add(dsr.ActionInpatientReview, f.LastAnyReview, 42, "R-CETR-INP")
		}
	case a.Rating == dsr.Red && f.LastReview[dsr.ReviewKindIndex(dsr.ReviewCommunity)].Before(c.CircumstancesSince):
		add(dsr.ActionCommunityReview, c.CircumstancesSince, 14, "R-RAG-ACT-1")
	}
	return a, nil
}

// ratingRules are testRules that rate (dsr.Rater) with the assessment's
// ratings, counting the rates and the assessments.
type ratingRules struct {
	testRules
	rates, assessments *atomic.Int64
}

func (r ratingRules) Assess(ctx context.Context, c dsr.Case) (dsr.Assessment, error) {
	r.assessments.Add(1)
	return r.testRules.Assess(ctx, c)
}

func (r ratingRules) Rate(ctx context.Context, c dsr.Case) (dsr.RatingDecision, error) {
	r.rates.Add(1)
	a, err := r.testRules.Assess(ctx, c)
	return dsr.RatingDecision{AsOf: a.AsOf, Eligible: a.Eligible, Rating: a.Rating, AgreedRating: a.AgreedRating, RatingOfRecord: a.RatingOfRecord}, err
}

// fixture is a register over a memory store with a settable clock: each
// write is made on the day it says.
type fixture struct {
	t   testing.TB
	reg *register.Register
	mu  sync.Mutex
	now time.Time
	seq int
}

var (
	ctx   = context.Background()
	staff = register.Actor{ID: "staff-17", Role: register.RoleCoordinator}
	day   = calendar.MustParseDate
)

func newFixture(t testing.TB) *fixture { t.Helper(); return newFixtureWith(t, testRules{}) }

// newFixtureWith is newFixture with other rules.
func newFixtureWith(t testing.TB, rules dsr.Rules) *fixture {
	t.Helper()
	f := &fixture{t: t, now: day("2026-01-01").Start()}
	reg, err := register.Open(ctx, memstore.New(), rules, register.WithKeys(register.MemoryKey()),
		register.WithClock(f.clock), register.WithConsentPolicy(consent.National2023),
		register.WithDocumentKinds(register.ReviewDocuments{}, register.MeetingDocuments{}))
	require.NoError(t, err)
	f.reg = reg
	return f
}

func (f *fixture) clock() time.Time { f.mu.Lock(); defer f.mu.Unlock(); return f.now }

// on sets the clock to noon on d.
func (f *fixture) on(d calendar.Date) {
	f.mu.Lock()
	f.now = d.Start().Add(12 * time.Hour)
	f.mu.Unlock()
}

// add puts a synthetic adult on the register on d, consenting that day.
func (f *fixture) add(id string, d calendar.Date, circ dsr.Circumstances) {
	f.t.Helper()
	f.on(d)
	f.seq++
	np := register.NewPerson{
		Details: register.Details{
			Person: dsr.Person{ID: id, NHSNumber: dsr.TestNHSNumber(f.seq), DateOfBirth: day("1996-05-01"), Autism: true, Postcode: "ZZ99 3VZ"},
			Name:   fmt.Sprintf("Synthetic Person %s", id),
		},
		Circumstances: circ,
		Events:        []dsr.Event{{Type: dsr.EventConsentGiven, Date: d, GivenBy: dsr.BySelf}},
	}
	require.NoError(f.t, f.reg.Add(ctx, np, staff), "adding %s", id)
}

func (f *fixture) record(id string, ev dsr.Event) {
	f.t.Helper()
	f.on(ev.Day())
	require.NoError(f.t, f.reg.Record(ctx, id, ev, staff), "recording %s for %s", ev.Type, id)
}

func (f *fixture) admit(id string, d calendar.Date) {
	f.record(id, dsr.Event{Type: dsr.EventAdmitted, Date: d, Security: "general", LegalStatus: "s2"})
}

func (f *fixture) discharge(id string, d calendar.Date) {
	f.record(id, dsr.Event{Type: dsr.EventDischarged, Date: d})
}

func (f *fixture) review(id string, d calendar.Date, kind string) {
	f.record(id, dsr.Event{Type: dsr.EventReviewHeld, Date: d, Kind: kind})
}

func (f *fixture) remove(id string, d calendar.Date, why register.RemovalReason) {
	f.t.Helper()
	f.on(d)
	require.NoError(f.t, f.reg.Remove(ctx, id, why, staff, "ref-001"))
}

func (f *fixture) refer(id string, received calendar.Date, decided calendar.Date, out register.Outcome) {
	f.t.Helper()
	f.on(received)
	require.NoError(f.t, f.reg.Refer(ctx, register.Referral{ID: id, Source: "professional", Received: received}, staff))
	if decided.IsZero() {
		return
	}
	f.on(decided)
	require.NoError(f.t, f.reg.Decide(ctx, id, out, "reasons given", "next steps given", staff))
}

// meeting holds a Blue Light meeting for id at call (London time), closed
// 90 minutes later with a home package; sustainable or not.
func (f *fixture) meeting(id, meetingID string, call time.Time, sustainable bool) {
	f.t.Helper()
	f.mu.Lock()
	f.now = call.Add(-time.Hour)
	f.mu.Unlock()
	op := bluelighttest.Opening(call)
	op.ID, op.PersonID, op.DateOfBirth = meetingID, id, day("2011-03-04")
	m, err := bluelight.Open(ctx, bluelighttest.Wiltshire(f.t), op)
	require.NoError(f.t, err)
	bluelighttest.AttendAll(f.t, m)
	bluelighttest.CompleteTo(f.t, m, bluelight.StepOptions)
	require.NoError(f.t, m.Choose(bluelight.Choice{Option: bluelight.OptionHomePackage}))
	require.NoError(f.t, m.Fund(ctx, bluelighttest.HomePackage(call, 72)))
	bluelighttest.CompleteAfter(f.t, m, bluelight.StepOptions, bluelight.StepRecord)
	require.NoError(f.t, m.Close(call.Add(90*time.Minute), bluelight.Outcome{SustainablePlacement: sustainable}))
	f.mu.Lock()
	f.now = call.Add(2 * time.Hour)
	f.mu.Unlock()
	require.NoError(f.t, f.reg.SaveMeeting(ctx, m, staff, nil))
}

var (
	green  = dsr.Circumstances{}
	crisis = dsr.Circumstances{InCrisis: true, CommunityCannotManage: true}
)
