package register_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/consent"
	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/register"
	"github.com/dsrkit/dsrkit/register/memstore"
)

// regRules is a small stand-in for a policy bundle, enough to exercise the
// register: eligible with a learning disability or autism; consent by
// consent.National2023; BLUE when an inpatient, RED in crisis, AMBER when
// mental health is deteriorating, else GREEN; a dsr_review 14 days after
// the last register review (or the consent) for everyone on the register,
// and a community_review due at once when RED.
type regRules struct{}

func (regRules) Assess(_ context.Context, c dsr.Case) (dsr.Assessment, error) {
	if err := c.Validate(); err != nil {
		return dsr.Assessment{}, err
	}
	f := dsr.Derive(&c)
	a := dsr.Assessment{AsOf: c.AsOf, Eligible: f.LearningDisability || f.Autism, Consent: consent.National2023.Consent(&c), ReviewType: dsr.ReviewTypeCTR}
	a.OnRegister = a.Eligible && a.Consent.Valid
	a.Reasons = append(a.Reasons, a.Consent.Reasons...)
	if f.Agreed != nil {
		a.AgreedRating = f.Agreed.Rating
	}
	if !a.Eligible {
		return a, nil
	}
	switch {
	case f.Inpatient:
		a.Rating = dsr.Blue
		a.Reasons = append(a.Reasons, dsr.Reason{Rule: "R-RAG-BLUE", Message: "inpatient"})
	case c.Circumstances.InCrisis:
		a.Rating = dsr.Red
		a.Reasons = append(a.Reasons, dsr.Reason{Rule: "R-RAG-RED", Message: "in crisis"})
	case c.Circumstances.MentalHealthDeteriorating:
		a.Rating = dsr.Amber
		a.Reasons = append(a.Reasons, dsr.Reason{Rule: "R-RAG-AMBER", Message: "deteriorating"})
	default:
		a.Rating = dsr.Green
		a.Reasons = append(a.Reasons, dsr.Reason{Rule: "R-RAG-GREEN", Message: "managed in the community"})
	}
	if !a.OnRegister {
		return a, nil
	}
	from := f.LastRegisterReview
	if from.IsZero() && len(f.Consent) > 0 {
		from = f.Consent[len(f.Consent)-1].Date
	}
	due := from.AddDays(14)
	a.Actions = append(a.Actions, dsr.Action{Kind: dsr.ActionDSRReview, From: from, Due: due, Rule: "R-REV-1", Reason: "register review", Overdue: due.Before(c.AsOf)})
	if a.Rating == dsr.Red && f.LastReview[dsr.ReviewKindIndex(dsr.ReviewCommunity)].IsZero() {
		a.Actions = append(a.Actions, dsr.Action{Kind: dsr.ActionCommunityReview, From: c.AsOf, Due: c.AsOf, Rule: "R-RAG-ACT-1", Reason: "RED: a C(E)TR"})
	}
	return a, nil
}

// regClock is a settable clock for a register under test.
type regClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *regClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

func (c *regClock) Set(d calendar.Date) {
	c.mu.Lock()
	c.now = d.Start().Add(10 * time.Hour)
	c.mu.Unlock()
}

var (
	regCtx   = context.Background()
	regStaff = register.Actor{ID: "staff-17", Role: "coordinator"}
	regDay   = calendar.MustParseDate
)

// newReg opens a register over a fresh memory store on 1 April 2026.
func newReg(t testing.TB, opts ...register.Option) (*register.Register, *memstore.Store, *regClock) {
	t.Helper()
	store := memstore.New()
	clk := &regClock{}
	clk.Set(regDay("2026-04-01"))
	opts = append([]register.Option{register.WithClock(clk.Now), register.WithConsentPolicy(consent.National2023)}, opts...)
	reg, err := register.Open(regCtx, store, regRules{}, append([]register.Option{register.WithKeys(register.MemoryKey())}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return reg, store, clk
}

// regPerson is a synthetic 15-year-old autistic child, Person A, with their
// parent's consent given on 2 March 2026.
func regPerson(id string, seq int) register.NewPerson {
	return register.NewPerson{
		Details: register.Details{
			Person: dsr.Person{ID: id, NHSNumber: dsr.TestNHSNumber(seq), DateOfBirth: regDay("2010-09-15"), Autism: true, Postcode: "ZZ99 3VZ"},
			Name:   fmt.Sprintf("Person A%d Synthetic", seq), Address: "1 Test Street, Testtown",
		},
		Circumstances: dsr.Circumstances{InCrisis: true, CommunityCannotManage: true},
		Events:        []dsr.Event{{Type: dsr.EventConsentGiven, Date: regDay("2026-03-02"), GivenBy: dsr.ByParent}},
	}
}

func mustAdd(t testing.TB, reg *register.Register, np register.NewPerson) {
	t.Helper()
	if err := reg.Add(regCtx, np, regStaff); err != nil {
		t.Fatalf("adding %s: %v", np.Person.ID, err)
	}
}

func logLength(t testing.TB, s register.Store) int {
	t.Helper()
	n := 0
	if err := s.Log(regCtx, func(register.Record) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	return n
}
