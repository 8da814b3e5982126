package fhir_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/cetr"
	"github.com/dsrkit/dsrkit/cetr/cetrtest"
	"github.com/dsrkit/dsrkit/consent"
	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/policies"
	"github.com/dsrkit/dsrkit/register"
	"github.com/dsrkit/dsrkit/register/memstore"
)

var (
	ctx   = context.Background()
	staff = register.Actor{ID: "staff-9", Role: register.RoleCoordinator}
	day   = calendar.MustParseDate
)

// rules is the national bundle, loaded once for the test binary.
var rules = sync.OnceValues(func() (*policies.Engine, error) {
	b, err := policies.Bundle(policies.DefaultBundle)
	if err != nil {
		return nil, err
	}
	return policies.Load(context.Background(), b)
})

type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

func (c *clock) set(d calendar.Date) {
	c.mu.Lock()
	c.now = d.Start().Add(10 * time.Hour)
	c.mu.Unlock()
}

// newRegister is a register in memory under the national rules, its clock
// on 1 April 2026.
func newRegister(t testing.TB) (*register.Register, *clock) {
	t.Helper()
	eng, err := rules()
	if err != nil {
		t.Fatal(err)
	}
	clk := &clock{}
	clk.set(day("2026-04-01"))
	reg, err := register.Open(ctx, memstore.New(), eng, register.WithKeys(register.MemoryKey()),
		register.WithClock(clk.Now), register.WithConsentPolicy(consent.National2023), register.WithDocumentKinds(register.ReviewDocuments{}))
	if err != nil {
		t.Fatal(err)
	}
	return reg, clk
}

// synthetic people, one of each kind the export must handle. All but the
// withdrawn and the unshared hold consent to share on 15 April 2026.
const (
	adultID     = "syn-adult"     // in the community, RED, a community C(E)TR held
	inpatientID = "syn-inpatient" // in hospital now (BLUE), an earlier spell, post-admission and inpatient C(E)TRs
	removedID   = "syn-removed"   // removed from the register (moved area); a best-interests decision for inclusion and sharing
	withdrawnID = "syn-withdrawn" // consent withdrawn: erased, never exported
	childID     = "syn-child"     // 14, a parent's consent, consent to a C(E)TR withdrawn since
	confirmedID = "syn-confirmed" // a parent's consent to share, confirmed by the young person at 16 (R-CONS-3)
	gillickID   = "syn-gillick"   // 14, Gillick competent: a parent's consent for inclusion, their own to share (R-CONS-2)

	adultReview = "rev-adult-1" // the adult's community C(E)TR record
)

// The unshared: held on the register, exported by nobody, each for one
// reason (the rule that decides).
const (
	noSharingID  = "syn-no-sharing" // consent for inclusion only: none to share (R-CONS-1)
	badGiverID   = "syn-bad-giver"  // an adult with capacity; a parent "consented" to sharing (R-CONS-2)
	lapsedID     = "syn-lapsed"     // a parent's consent to share, lapsed at 16 on 12 April 2026 (R-CONS-3)
	unsharedID   = "syn-unshared"   // consent to share withdrawn (R-CONS-4)
	unsharedName = "Lee Unshared"   // every unshared person's name
	sharingScope = dsr.ScopeSharing // shorthand
)

// unshared are the people without consent to share, by the rule that
// decides.
var unshared = map[string]string{noSharingID: "R-CONS-1", badGiverID: "R-CONS-2", lapsedID: "R-CONS-3", unsharedID: "R-CONS-4"}

// shared are the people exported on 15 April 2026.
var shared = []string{adultID, childID, confirmedID, gillickID, inpatientID, removedID}

var nhs = map[string]dsr.NHSNumber{
	adultID: dsr.TestNHSNumber(501), inpatientID: dsr.TestNHSNumber(502), removedID: dsr.TestNHSNumber(503),
	withdrawnID: dsr.TestNHSNumber(504), childID: dsr.TestNHSNumber(505), confirmedID: dsr.TestNHSNumber(506),
	gillickID: dsr.TestNHSNumber(507), noSharingID: dsr.TestNHSNumber(508), badGiverID: dsr.TestNHSNumber(509),
	lapsedID: dsr.TestNHSNumber(510), unsharedID: dsr.TestNHSNumber(511),
}

func yes() *bool { b := true; return &b }

func person(id string, dob calendar.Date, name string) register.NewPerson {
	return register.NewPerson{Details: register.Details{
		Person: dsr.Person{ID: id, NHSNumber: nhs[id], DateOfBirth: dob, Autism: true, LearningDisability: true, Postcode: "ZZ99 3VZ"},
		Name:   name, Address: "1 Example Street, Testtown",
	}}
}

// populate adds the synthetic people, removes one and erases another, and
// leaves the clock on 15 April 2026.
func populate(t testing.TB, reg *register.Register, clk *clock) {
	t.Helper()
	add := func(np register.NewPerson) {
		t.Helper()
		if err := reg.Add(ctx, np, staff); err != nil {
			t.Fatalf("adding %s: %v", np.Person.ID, err)
		}
	}
	a := person(adultID, day("1990-05-17"), "Alex Synthetic")
	a.Entry = dsr.Entry{Gender: "female", Team: "North", RiskOfAdmission: yes()}
	a.Circumstances = dsr.Circumstances{InCrisis: true, CommunityCannotManage: true}
	a.Events = []dsr.Event{
		{Type: dsr.EventReferralReceived, Date: day("2026-01-05"), By: "professional"},
		{Type: dsr.EventConsentGiven, Date: day("2026-01-10"), GivenBy: dsr.BySelf, Scope: []string{dsr.ScopeDSR, dsr.ScopeSharing}},
	}
	add(a)
	// The community C(E)TR, kept as a review record (its review_held
	// event comes with it).
	rv := cetrtest.MustNew(t, cetr.Plan{ID: adultReview, Person: a.Person, Kind: cetr.Community, Planned: day("2026-02-20"), Commissioner: cetrtest.Commissioner})
	must(t, rv.SetConsent(cetr.Consent{Asked: day("2026-02-01"), Given: day("2026-02-03"), GivenBy: dsr.BySelf}))
	must(t, rv.SetPanel(cetrtest.Panel()...))
	must(t, rv.SendPapers(cetrtest.At("2026-02-16 09:00")))
	cetrtest.RecordAll(t, rv)
	must(t, rv.Hold(day("2026-02-20"), cetr.StayInCommunity, ""))
	must(t, reg.SaveReview(ctx, rv, staff))

	in := person(inpatientID, day("1985-11-02"), "Sam Synthetic")
	in.Entry = dsr.Entry{Gender: "non_binary"}
	in.Events = []dsr.Event{
		{Type: dsr.EventConsentGiven, Date: day("2025-06-01"), GivenBy: dsr.BySelf, Scope: []string{dsr.ScopeDSR, sharingScope}},
		{Type: dsr.EventAdmitted, Date: day("2025-07-01"), Security: "general", LegalStatus: "s2"},
		{Type: dsr.EventDischarged, Date: day("2025-08-01")},
		{Type: dsr.EventAdmitted, Date: day("2026-03-01"), Security: "picu", LegalStatus: "s3", OutOfArea: true},
		{Type: dsr.EventReviewHeld, Date: day("2026-03-10"), Kind: dsr.ReviewPostAdmission},
		{Type: dsr.EventReviewHeld, Date: day("2026-03-27"), Kind: dsr.ReviewInpatient},
	}
	add(in)

	rm := person(removedID, day("1999-02-28"), "Jo Synthetic")
	rm.Circumstances = dsr.Circumstances{MentalHealthDeteriorating: true}
	rm.Events = []dsr.Event{{Type: dsr.EventConsentGiven, Date: day("2026-02-01"), GivenBy: dsr.ByBestInterests, Scope: []string{dsr.ScopeDSR, sharingScope}}}
	rm.Person.LacksCapacity = true
	add(rm)

	wd := person(withdrawnID, day("2001-07-07"), "Kim Synthetic")
	wd.Events = []dsr.Event{{Type: dsr.EventConsentGiven, Date: day("2026-03-01"), GivenBy: dsr.BySelf}}
	add(wd)

	ch := person(childID, day("2011-09-15"), "Ray Synthetic")
	ch.Events = []dsr.Event{
		{Type: dsr.EventConsentGiven, Date: day("2026-03-02"), GivenBy: dsr.ByParent, Scope: []string{dsr.ScopeDSR, dsr.ScopeCETR, dsr.ScopeSharing}},
	}
	add(ch)

	cf := person(confirmedID, day("2010-04-05"), "Max Synthetic")
	cf.Events = []dsr.Event{{Type: dsr.EventConsentGiven, Date: day("2026-03-20"), GivenBy: dsr.ByParent, Scope: []string{dsr.ScopeDSR, sharingScope}}}
	add(cf)

	gk := person(gillickID, day("2012-01-20"), "Ash Synthetic")
	gk.Person.GillickCompetent = true
	gk.Events = []dsr.Event{
		{Type: dsr.EventConsentGiven, Date: day("2026-03-01"), GivenBy: dsr.ByParent},
		{Type: dsr.EventConsentGiven, Date: day("2026-03-05"), GivenBy: dsr.BySelf, Scope: []string{sharingScope}},
	}
	add(gk)

	// The unshared.
	ns := person(noSharingID, day("1992-03-03"), unsharedName)
	ns.Events = []dsr.Event{{Type: dsr.EventConsentGiven, Date: day("2026-03-03"), GivenBy: dsr.BySelf}}
	add(ns)
	bg := person(badGiverID, day("1993-04-04"), unsharedName)
	bg.Events = []dsr.Event{
		{Type: dsr.EventConsentGiven, Date: day("2026-03-03"), GivenBy: dsr.BySelf},
		{Type: dsr.EventConsentGiven, Date: day("2026-03-04"), GivenBy: dsr.ByParent, Scope: []string{sharingScope}},
	}
	add(bg)
	lp := person(lapsedID, day("2010-04-12"), unsharedName)
	lp.Events = []dsr.Event{{Type: dsr.EventConsentGiven, Date: day("2026-03-20"), GivenBy: dsr.ByParent, Scope: []string{dsr.ScopeDSR, sharingScope}}}
	add(lp)
	us := person(unsharedID, day("1994-05-05"), unsharedName)
	us.Events = []dsr.Event{{Type: dsr.EventConsentGiven, Date: day("2026-03-03"), GivenBy: dsr.BySelf, Scope: []string{dsr.ScopeDSR, sharingScope}}}
	add(us)

	clk.set(day("2026-04-10"))
	must(t, reg.Remove(ctx, removedID, register.RemovedMovedArea, staff, "transfer letter TL-1"))
	must(t, reg.Record(ctx, withdrawnID, dsr.Event{Type: dsr.EventConsentWithdrawn, Date: day("2026-04-10"), By: dsr.BySelf}, staff))
	must(t, reg.Record(ctx, childID, dsr.Event{Type: dsr.EventConsentWithdrawn, Date: day("2026-04-10"), By: dsr.ByParent, Scope: []string{dsr.ScopeCETR}}, staff))
	must(t, reg.Record(ctx, unsharedID, dsr.Event{Type: dsr.EventConsentWithdrawn, Date: day("2026-04-10"), By: dsr.BySelf, Scope: []string{sharingScope}}, staff))
	// At 16 the young person confirms what their parent consented to.
	must(t, reg.Record(ctx, confirmedID, dsr.Event{Type: dsr.EventConsentGiven, Date: day("2026-04-10"), GivenBy: dsr.BySelf, Scope: []string{dsr.ScopeDSR, sharingScope}}, staff))
	clk.set(day("2026-04-15"))
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
