package register_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsrkit/dsrkit/cetr"
	"github.com/dsrkit/dsrkit/consent"
	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/policies"
	"github.com/dsrkit/dsrkit/register"
	"github.com/dsrkit/dsrkit/register/memstore"
)

// Reviews kept in a register over the national-2023 bundle: every person
// is synthetic.

var (
	ctx   = context.Background()
	staff = register.Actor{ID: "staff-1", Role: "coordinator"}
)

type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) On(s string)    { c.mu.Lock(); c.now = d(s).Start().Add(10 * time.Hour); c.mu.Unlock() }

var (
	engineOnce sync.Once
	engine     *policies.Engine
	engineErr  error
)

func national(t testing.TB) *policies.Engine {
	t.Helper()
	engineOnce.Do(func() {
		b, err := policies.Bundle("national-2023")
		if err != nil {
			engineErr = err
			return
		}
		engine, engineErr = policies.Load(ctx, b)
	})
	require.NoError(t, engineErr)
	return engine
}

// reviewRegister opens a register on a memory store that keeps review records,
// with its clock on the day given.
func reviewRegister(t testing.TB, on string) (*register.Register, *memstore.Store, *clock) {
	t.Helper()
	clk := &clock{}
	clk.On(on)
	store := memstore.New()
	reg, err := register.Open(ctx, store, national(t), register.WithKeys(register.MemoryKey()), register.WithClock(clk.Now), register.WithConsentPolicy(consent.National2023),
		register.WithDocumentKinds(register.ReviewDocuments{}))
	require.NoError(t, err)
	return reg, store, clk
}

func addPerson(t testing.TB, reg *register.Register, p dsr.Person, circ dsr.Circumstances, events ...dsr.Event) {
	t.Helper()
	givenBy := dsr.ByParent
	if p.AgeOn(d("2026-03-01")) >= 16 {
		givenBy = dsr.BySelf
	}
	evs := append([]dsr.Event{{Type: dsr.EventConsentGiven, Date: d("2026-03-01"), GivenBy: givenBy}}, events...)
	require.NoError(t, reg.Add(ctx, register.NewPerson{Details: register.Details{Person: p, Name: "Synthetic"}, Circumstances: circ, Events: evs}, staff))
}

func kinds(items []register.WorkItem) map[dsr.ActionKind]register.WorkItem {
	m := map[dsr.ActionKind]register.WorkItem{}
	for _, it := range items {
		m[it.Kind] = it
	}
	return m
}

func actionKinds(a dsr.Assessment) map[dsr.ActionKind]dsr.Action {
	m := map[dsr.ActionKind]dsr.Action{}
	for _, x := range a.Actions {
		m[x.Kind] = x
	}
	return m
}

func logLen(t testing.TB, s register.Store) int {
	t.Helper()
	n := 0
	require.NoError(t, s.Log(ctx, func(register.Record) error { n++; return nil }))
	return n
}

func TestRegisterCommunityCETRThatAvoidsAnAdmission(t *testing.T) {
	reg, store, clk := reviewRegister(t, "2026-03-20")
	addPerson(t, reg, child(), dsr.Circumstances{InCrisis: true, CommunityCannotManage: true})

	a, err := reg.Assess(ctx, "person-a", d("2026-03-20"))
	require.NoError(t, err)
	require.Contains(t, actionKinds(a), dsr.ActionCommunityReview, "RED: a C(E)TR must take place (R-RAG-ACT-1)")

	r := mustNew(t, plan(child(), cetr.Community, "2026-03-27"))
	must(t, r.SetConsent(cetr.Consent{Asked: d("2026-03-10"), Given: d("2026-03-12"), GivenBy: dsr.ByParent}))
	must(t, r.SetPanel(panelOf(teacher)...))
	must(t, r.SendPapers(at("2026-03-25 09:00")))
	require.NoError(t, reg.SaveReview(ctx, r, staff))

	clk.On("2026-03-27")
	recordAll(t, r)
	must(t, r.Hold(d("2026-03-27"), cetr.StayInCommunity, "intensive support at home"))
	_, err = r.Recommend(cetr.Recommendation{Who: "Care coordinator E", What: "arrange a home support package", Due: d("2026-04-10")})
	must(t, err)
	require.NoError(t, reg.SaveReview(ctx, r, staff))

	a, err = reg.Assess(ctx, "person-a", d("2026-03-27"))
	require.NoError(t, err)
	assert.NotContains(t, actionKinds(a), dsr.ActionCommunityReview, "review_held satisfies R-RAG-ACT-1")

	due, err := reg.Due(ctx, d("2026-03-30"))
	require.NoError(t, err)
	k := kinds(due)
	require.Contains(t, k, dsr.ActionRatingAgreement, "R-REV-2: the rating is re-agreed after the review")
	assert.True(t, k[dsr.ActionRatingAgreement].Overdue)
	assert.Equal(t, "R-REV-2", k[dsr.ActionRatingAgreement].Rule)
	require.Contains(t, k, dsr.ActionReviewReport, "R-CETR-REPORT")
	assert.Equal(t, d("2026-04-10"), k[dsr.ActionReviewReport].Due)
	require.Contains(t, k, dsr.ActionReviewRecommendation, "R-CETR-ACT")
	rec := k[dsr.ActionReviewRecommendation]
	assert.Equal(t, "Care coordinator E", rec.Who)
	assert.Equal(t, &register.DocumentRef{Kind: register.ReviewKind, ID: "review-1"}, rec.Document)
	reports := 0
	for _, it := range due {
		if it.Kind == dsr.ActionReviewReport {
			reports++
		}
	}
	assert.Equal(t, 1, reports, "the rules' report and the review's are the same item")

	// The rating is agreed, the report goes, the recommendation is done.
	clk.On("2026-04-02")
	require.NoError(t, reg.Report(ctx, "person-a", d("2026-04-02"), dsr.Circumstances{MentalHealthDeteriorating: true}, staff))
	must(t, r.AgreeRating(cetr.RatingAgreement{Date: d("2026-04-02"), Rating: dsr.Amber, By: "DSR meeting"}))
	must(t, r.SendReport(d("2026-04-02"), []cetr.Recipient{{Role: cetr.Participant, Name: "Panel"}}))
	must(t, r.Complete(1, d("2026-04-02")))
	require.NoError(t, reg.SaveReview(ctx, r, staff))
	due, err = reg.Due(ctx, d("2026-04-02"))
	require.NoError(t, err)
	k = kinds(due)
	for _, gone := range []dsr.ActionKind{dsr.ActionRatingAgreement, dsr.ActionReviewReport, dsr.ActionReviewRecommendation, dsr.ActionCommunityReview} {
		assert.NotContains(t, k, gone, "the crisis has passed at home: AMBER, no admission")
	}

	c, err := reg.Case(ctx, "person-a", d("2026-04-02"), regStaff)
	require.NoError(t, err)
	var types []dsr.EventType
	for _, e := range c.Events {
		types = append(types, e.Type)
	}
	assert.Equal(t, []dsr.EventType{dsr.EventConsentGiven, dsr.EventReviewHeld, dsr.EventRatingAgreed, dsr.EventReportSent}, types,
		"each event is appended once, however often the review is saved")

	back, err := reg.FindReview(ctx, "review-1")
	require.NoError(t, err)
	assert.Equal(t, r.Summary(), back.Summary())
	require.NoError(t, reg.Verify(ctx))

	// Withdrawing consent erases the review with the rest (R-CONS-4).
	n := logLen(t, store)
	require.NoError(t, reg.Record(ctx, "person-a", dsr.Event{Type: dsr.EventConsentWithdrawn, Date: d("2026-04-02"), By: dsr.ByParent}, staff))
	_, err = reg.Review(ctx, "person-a", "review-1")
	assert.ErrorIs(t, err, register.ErrErased)
	_, err = reg.FindReview(ctx, "review-1")
	assert.ErrorIs(t, err, register.ErrNotFound)
	assert.Greater(t, logLen(t, store), n)
	require.NoError(t, reg.Verify(ctx))
}

func TestRegisterPostAdmissionCTR(t *testing.T) {
	reg, _, clk := reviewRegister(t, "2026-03-20")
	addPerson(t, reg, adult(), dsr.Circumstances{}, dsr.Event{Type: dsr.EventAdmitted, Date: d("2026-03-10"), Security: "general", LegalStatus: "s2"})
	a, err := reg.Assess(ctx, "person-b", d("2026-03-20"))
	require.NoError(t, err)
	pa, ok := actionKinds(a)[dsr.ActionPostAdmissionReview]
	require.True(t, ok, "admitted with no community review: a post-admission CTR (R-CETR-PA-2)")
	assert.Equal(t, d("2026-04-07"), pa.Due, "28 days for an adult")

	clk.On("2026-03-30")
	r := mustNew(t, cetr.Plan{ID: "ctr-1", Person: adult(), Kind: cetr.PostAdmission, Planned: d("2026-03-30"), Commissioner: commissioner})
	assert.Equal(t, cetr.CTR, r.Type())
	must(t, r.SetConsent(cetr.Consent{Given: d("2026-03-25"), GivenBy: dsr.BySelf}))
	must(t, r.SetPanel(panelOf()...))
	recordAll(t, r)
	must(t, r.Hold(d("2026-03-30"), cetr.ContinueInHospital, ""))
	require.NoError(t, reg.SaveReview(ctx, r, staff))

	a, err = reg.Assess(ctx, "person-b", d("2026-03-30"))
	require.NoError(t, err)
	k := actionKinds(a)
	assert.NotContains(t, k, dsr.ActionPostAdmissionReview, "the post-admission review was held")
	require.Contains(t, k, dsr.ActionInpatientReview, "the next inpatient CTR runs from it (R-CETR-INP)")
	assert.Equal(t, d("2026-09-30"), k[dsr.ActionInpatientReview].Due)

	due, err := reg.Due(ctx, d("2026-03-30"))
	require.NoError(t, err)
	assert.Contains(t, kinds(due), dsr.ActionRatingAgreement)
}

func TestRegisterStatutoryCETRWithItsFourReportRecipients(t *testing.T) {
	reg, store, clk := reviewRegister(t, "2026-03-02")
	addPerson(t, reg, child(), dsr.Circumstances{}, dsr.Event{Type: dsr.EventAdmitted, Date: d("2026-02-20"), Security: "general", LegalStatus: "s3"})
	r := mustNew(t, plan(child(), cetr.Statutory, "2026-03-02"))
	must(t, r.SetConsent(cetr.Consent{Given: d("2026-02-25"), GivenBy: dsr.ByParent}))
	must(t, r.SetPanel(panelOf(teacher)...))
	recordAll(t, r)
	must(t, r.Hold(d("2026-03-02"), cetr.ContinueInHospital, ""))
	require.NoError(t, reg.SaveReview(ctx, r, staff))

	due, err := reg.Due(ctx, d("2026-03-02"))
	require.NoError(t, err)
	rep := kinds(due)[dsr.ActionReviewReport]
	assert.Equal(t, d("2026-03-15"), rep.Due, "14 days beginning with the meeting day (R-CETR-STAT) beats the rules' 14 days")
	assert.Equal(t, "R-CETR-STAT", rep.Rule)

	clk.On("2026-03-10")
	three := []cetr.Recipient{
		{Role: cetr.ResponsibleCommissioner, Name: commissioner},
		{Role: cetr.ResponsibleClinician, Name: "Clinician F"},
		{Role: cetr.Section117ICB, Name: "ICB G"},
	}
	n := logLen(t, store)
	err = r.SendReport(d("2026-03-10"), three)
	var re *cetr.RecipientError
	require.ErrorAs(t, err, &re)
	assert.Equal(t, cetr.LocalAuthority, re.Role)
	assert.Equal(t, "report.recipients", re.Field)
	assert.Equal(t, n, logLen(t, store), "nothing is written")

	must(t, r.SendReport(d("2026-03-10"), append(three, cetr.Recipient{Role: cetr.LocalAuthority, Name: "Borough A"})))
	require.NoError(t, reg.SaveReview(ctx, r, staff))
	back, err := reg.Review(ctx, "person-a", "review-1")
	require.NoError(t, err)
	assert.Len(t, back.Report.Recipients, 4)
	due, err = reg.Due(ctx, d("2026-03-10"))
	require.NoError(t, err)
	assert.NotContains(t, kinds(due), dsr.ActionReviewReport)
}

func TestRegisterBadReviewInputNamesTheFieldAndWritesNothing(t *testing.T) {
	reg, store, _ := reviewRegister(t, "2026-03-20")
	addPerson(t, reg, child(), dsr.Circumstances{InCrisis: true, CommunityCannotManage: true})
	v0, err := reg.Version(ctx, "person-a")
	require.NoError(t, err)
	n0 := logLen(t, store)
	unchanged := func(t *testing.T) {
		t.Helper()
		v, err := reg.Version(ctx, "person-a")
		require.NoError(t, err)
		assert.Equal(t, v0, v, "the person's version is unchanged")
		assert.Equal(t, n0, logLen(t, store), "the log is unchanged")
	}

	t.Run("unknown kind (R-CETR-*)", func(t *testing.T) {
		p := plan(child(), "emergency", "2026-03-20")
		_, err := cetr.New(p, cetr.DefaultParams())
		require.ErrorIs(t, err, dsr.ErrInvalid)
		assert.Equal(t, []string{"kind"}, fields(err))
		unchanged(t)
	})
	t.Run("missing chair (R-CETR-PANEL)", func(t *testing.T) {
		r := mustNew(t, plan(child(), cetr.Community, "2026-03-20"))
		err := r.SetPanel(panelOf()[1:]...)
		require.ErrorIs(t, err, cetr.ErrInvalidPanel)
		assert.Contains(t, fields(err), "panel")
		unchanged(t)
		// A record that skipped the checks is refused by the register.
		recordAll(t, r)
		must(t, r.SetPanel(panelOf()...))
		must(t, r.Hold(d("2026-03-20"), cetr.StayInCommunity, ""))
		r.Members = panelOf()[1:]
		err = reg.SaveReview(ctx, r, staff)
		require.ErrorIs(t, err, cetr.ErrInvalidPanel)
		var pe *cetr.PanelError
		require.ErrorAs(t, err, &pe)
		assert.Equal(t, cetr.Chair, pe.Role)
		unchanged(t)
	})
	t.Run("due date before the review (R-CETR-ACT)", func(t *testing.T) {
		r := heldReview(t)
		_, err := r.Recommend(cetr.Recommendation{Who: "E", What: "x", Due: d("2026-03-01")})
		var ve *dsr.ValidationError
		require.ErrorAs(t, err, &ve)
		assert.Equal(t, "recommendations[0].due", ve.Field)
		assert.Equal(t, "R-CETR-ACT", ve.Rule)
		unchanged(t)
	})
	t.Run("a document of a kind the register does not know", func(t *testing.T) {
		err := reg.File(ctx, "person-a", register.Document{Kind: "minutes", ID: "m-1", Data: []byte(`{}`)}, nil, staff)
		var ve *dsr.ValidationError
		require.ErrorAs(t, err, &ve)
		assert.Equal(t, "document.kind", ve.Field)
		unchanged(t)
	})
	t.Run("a review for someone else", func(t *testing.T) {
		r := mustNew(t, cetr.Plan{ID: "review-9", Person: adult(), Kind: cetr.Community, Planned: d("2026-03-20"), Commissioner: commissioner})
		doc, err := register.ReviewDocument(r)
		require.NoError(t, err)
		err = reg.File(ctx, "person-a", doc, nil, staff)
		var ve *dsr.ValidationError
		require.ErrorAs(t, err, &ve)
		assert.Equal(t, "person.id", ve.Field)
		unchanged(t)
	})
	t.Run("a held review without its review_held", func(t *testing.T) {
		r := heldReview(t)
		doc, err := register.ReviewDocument(r)
		require.NoError(t, err)
		err = reg.File(ctx, "person-a", doc, nil, staff)
		assert.Equal(t, []string{"held"}, fields(errors.Unwrap(err)))
		unchanged(t)
	})
}
