package cetr_test

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/cetr"
	"github.com/dsrkit/dsrkit/dsr"
)

func TestReviewType(t *testing.T) {
	tests := []struct {
		rule, name  string
		dob         string
		ehcp        bool
		ehcpExtends bool
		on          string
		want        cetr.Type
	}{
		{"R-CETR-TYPE", "aged 17 is a CETR", "2008-06-01", false, true, "2026-03-02", cetr.CETR},
		{"R-CETR-TYPE", "the day before the 18th birthday is a CETR", "2008-03-03", false, true, "2026-03-02", cetr.CETR},
		{"R-CETR-TYPE", "on the 18th birthday without an EHCP it is a CTR", "2008-03-02", false, true, "2026-03-02", cetr.CTR},
		{"R-CETR-TYPE", "aged 24 with an EHCP is a CETR where the area extends it (worked example 3)", "2001-06-01", true, true, "2026-03-02", cetr.CETR},
		{"R-CETR-TYPE", "aged 24 with an EHCP is a CTR where the area does not", "2001-06-01", true, false, "2026-03-02", cetr.CTR},
		{"R-CETR-TYPE", "aged 15 is a CETR whatever the EHCP setting (worked example 1)", "2010-06-01", false, false, "2026-03-02", cetr.CETR},
	}
	for _, tt := range tests {
		t.Run(tt.rule+"/"+tt.name, func(t *testing.T) {
			p := dsr.Person{ID: "person-x", DateOfBirth: d(tt.dob), EHCP: tt.ehcp}
			assert.Equal(t, tt.want, cetr.TypeFor(&p, d(tt.on), tt.ehcpExtends))
		})
	}
}

func TestTypeIsDecidedOnTheDayTheReviewIsHeld(t *testing.T) {
	// R-CETR-TYPE: Person C turns 18 on 10 March 2026; the review planned
	// for 2 March is held on 16 March.
	p := dsr.Person{ID: "person-c", DateOfBirth: d("2008-03-10")}
	r := mustNew(t, plan(p, cetr.Inpatient, "2026-03-02"))
	assert.Equal(t, cetr.CETR, r.Type())
	must(t, r.SetPanel(panelOf(teacher)...))
	recordAll(t, r)
	must(t, r.Hold(d("2026-03-16"), cetr.ContinueInHospital, ""))
	assert.Equal(t, cetr.CTR, r.Type())
	assert.Equal(t, cetr.CTR, r.Panel().Type)
}

func TestDeadlines(t *testing.T) {
	wd := cetr.DefaultParams()
	wd.ReportDeadline = calendar.Deadline{N: 10, Unit: calendar.WorkingDays}
	wd.Escalation = calendar.Deadline{N: 5, Unit: calendar.WorkingDays}
	tests := []struct {
		rule, name string
		kind       cetr.Kind
		params     cetr.Params
		held       string
		wantReport string
		recDue     string
		wantEscal  string
	}{
		{"R-CETR-REPORT", "report within 14 days of a community review", cetr.Community, cetr.DefaultParams(), "2026-03-02", "2026-03-16", "2026-03-30", "2026-04-27"},
		{"R-CETR-STAT", "statutory report within 14 days beginning with the meeting day", cetr.Statutory, cetr.DefaultParams(), "2026-03-02", "2026-03-15", "2026-03-02", "2026-03-30"},
		{"R-CETR-REPORT", "10 working days from 30 March skip Good Friday and Easter Monday", cetr.Inpatient, wd, "2026-03-30", "2026-04-15", "2026-03-30", "2026-04-08"},
		{"R-CETR-REPORT", "14 days across the end of February", cetr.Trigger, cetr.DefaultParams(), "2026-02-20", "2026-03-06", "2026-02-28", "2026-03-28"},
	}
	for _, tt := range tests {
		t.Run(tt.rule+"/"+tt.name, func(t *testing.T) {
			p := plan(adult(), tt.kind, tt.held)
			r, err := cetr.New(p, tt.params)
			require.NoError(t, err)
			_, ok := r.ReportDue()
			assert.False(t, ok, "no report is due before the review is held")
			must(t, r.SetPanel(panelOf()...))
			recordAll(t, r)
			must(t, r.Hold(d(tt.held), cetr.ContinueInHospital, ""))
			due, ok := r.ReportDue()
			require.True(t, ok)
			assert.Equal(t, tt.wantReport, due.String())
			w := r.Worklist(d(tt.held))
			require.NotEmpty(t, w)
			assert.Equal(t, dsr.ActionReviewReport, w[len(w)-1].Kind)
			assert.Equal(t, tt.rule, w[len(w)-1].Rule)

			id, err := r.Recommend(cetr.Recommendation{Who: "Care Coordinator J", What: "review the care plan", Due: d(tt.recDue)})
			require.NoError(t, err)
			esc, err := r.EscalationDate(r.Recommendations[id-1])
			require.NoError(t, err)
			assert.Equal(t, tt.wantEscal, esc.String(), "R-CETR-ACT escalation date")
			assert.Empty(t, r.Escalations(esc.AddDays(-1)))
			assert.Len(t, r.Escalations(esc), 1)
		})
	}
}

func TestPapersDeadline(t *testing.T) {
	tests := []struct {
		rule, name string
		kind       cetr.Kind
		planned    string
		startsAt   string
		sent       string
		wantDue    string
		wantLate   bool
	}{
		{"R-CETR-DOCS", "papers 25 hours before a 10:00 community review are on time", cetr.Community, "2026-03-02", "2026-03-02 10:00", "2026-03-01 09:00", "2026-03-01 10:00", false},
		{"R-CETR-DOCS", "papers exactly 24 hours before are on time", cetr.Community, "2026-03-02", "2026-03-02 10:00", "2026-03-01 10:00", "2026-03-01 10:00", false},
		{"R-CETR-DOCS", "papers 23 hours before are late", cetr.Community, "2026-03-02", "2026-03-02 10:00", "2026-03-01 11:00", "2026-03-01 10:00", true},
		{"R-CETR-DOCS", "with no start time, 24 hours before the start of the review day", cetr.Community, "2026-03-02", "", "2026-03-01 09:00", "2026-03-01 00:00", true},
		{"R-CETR-DOCS", "24 hours are elapsed hours: across the clocks going forward the deadline is 09:00", cetr.Community, "2026-03-29", "2026-03-29 10:00", "2026-03-28 09:30", "2026-03-28 09:00", true},
		{"R-CETR-DOCS", "the papers rule is for community reviews only", cetr.Inpatient, "2026-03-02", "2026-03-02 10:00", "2026-03-02 09:00", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.rule+"/"+tt.name, func(t *testing.T) {
			p := plan(child(), tt.kind, tt.planned)
			if tt.startsAt != "" {
				p.StartsAt = at(tt.startsAt)
			}
			r := mustNew(t, p)
			must(t, r.SendPapers(at(tt.sent)))
			due := r.PapersDue()
			if tt.wantDue == "" {
				assert.True(t, due.IsZero())
			} else {
				assert.Equal(t, tt.wantDue, due.Format("2006-01-02 15:04"))
			}
			assert.Equal(t, tt.wantLate, r.PapersLate())
			var late bool
			for _, w := range r.Warnings() {
				if w.Rule == "R-CETR-DOCS" {
					late = true
				}
			}
			assert.Equal(t, tt.wantLate, late, "late papers are reported")
		})
	}
}

func TestConsent(t *testing.T) {
	tests := []struct {
		rule, name string
		consent    cetr.Consent
		wantErr    []string
		wantAccess cetr.Access
	}{
		{"R-CETR-CONSENT", "no consent: the panel reads the planner only", cetr.Consent{}, nil, cetr.PlannerOnly},
		{"R-CETR-CONSENT", "consent from a parent opens the papers", cetr.Consent{Given: d("2026-02-12"), GivenBy: dsr.ByParent}, nil, cetr.AllPapers},
		{"R-CETR-CONSENT", "a best-interests decision opens the papers", cetr.Consent{Given: d("2026-02-12"), GivenBy: dsr.ByBestInterests}, nil, cetr.AllPapers},
		{"R-CETR-CONSENT", "consent after the review date is refused", cetr.Consent{Given: d("2026-03-03"), GivenBy: dsr.BySelf}, []string{"consent.given"}, cetr.PlannerOnly},
		{"R-CETR-CONSENT", "an unknown giver is refused", cetr.Consent{Given: d("2026-02-12"), GivenBy: "neighbour"}, []string{"consent.given_by"}, cetr.PlannerOnly},
		{"R-CETR-CONSENT", "consent needs a giver and a date", cetr.Consent{Asked: d("2026-02-01")}, []string{"consent.given_by", "consent.given"}, cetr.PlannerOnly},
		{"R-CETR-CONSENT", "asked after given is refused", cetr.Consent{Asked: d("2026-02-13"), Given: d("2026-02-12"), GivenBy: dsr.ByParent}, []string{"consent.asked"}, cetr.PlannerOnly},
		{"R-CETR-CONSENT", "withdrawn consent closes the papers", cetr.Consent{Given: d("2026-02-12"), GivenBy: dsr.ByParent, Withdrawn: d("2026-02-20")}, nil, cetr.PlannerOnly},
	}
	for _, tt := range tests {
		t.Run(tt.rule+"/"+tt.name, func(t *testing.T) {
			r := mustNew(t, plan(child(), cetr.Community, "2026-03-02"))
			must(t, r.AddPaper(cetr.Paper{Title: "Planner", Planner: true}))
			must(t, r.AddPaper(cetr.Paper{Title: "Care plan"}))
			before := r.Clone()
			var err error
			if tt.consent != (cetr.Consent{}) {
				err = r.SetConsent(tt.consent)
			}
			if tt.wantErr != nil {
				assert.Equal(t, tt.wantErr, fields(err))
				assert.ErrorIs(t, err, cetr.ErrInvalid)
				assert.Equal(t, before, r, "nothing changes on error")
			} else {
				require.NoError(t, err)
			}
			assert.Equal(t, tt.wantAccess, r.Access())
			if tt.wantAccess == cetr.PlannerOnly {
				assert.Equal(t, []cetr.Paper{{Title: "Planner", Planner: true}}, r.PanelPapers())
			} else {
				assert.Len(t, r.PanelPapers(), 2)
			}
		})
	}
}

func TestConsentAskedLateIsAdvisory(t *testing.T) {
	// R-CETR-CONSENT: ideally 14 days between asking and the review.
	r := mustNew(t, plan(child(), cetr.Community, "2026-03-02"))
	must(t, r.SetConsent(cetr.Consent{Asked: d("2026-02-20"), Given: d("2026-02-21"), GivenBy: dsr.ByParent}))
	ws := r.Warnings()
	require.NotEmpty(t, ws)
	assert.Equal(t, "consent.asked: consent asked 10 days before the review; ideally 14 (R-CETR-CONSENT)", ws[0].String())
}

func TestWithdrawConsent(t *testing.T) {
	r := mustNew(t, plan(child(), cetr.Community, "2026-03-02"))
	assert.Equal(t, []string{"consent.withdrawn"}, fields(r.WithdrawConsent(d("2026-02-20"))), "nothing to withdraw")
	must(t, r.SetConsent(cetr.Consent{Given: d("2026-02-12"), GivenBy: dsr.ByParent}))
	assert.Equal(t, []string{"consent.withdrawn"}, fields(r.WithdrawConsent(d("2026-02-11"))))
	assert.True(t, r.PapersAllowed())
	must(t, r.WithdrawConsent(d("2026-02-20")))
	assert.False(t, r.PapersAllowed())
	assert.Contains(t, r.Summary(), "Consent withdrawn on 2026-02-20. The panel may read the planner only.")
}

func TestNewRejectsBadPlans(t *testing.T) {
	tests := []struct {
		name string
		edit func(*cetr.Plan)
		want []string
	}{
		{"unknown kind", func(p *cetr.Plan) { p.Kind = "annual" }, []string{"kind"}},
		{"missing kind", func(p *cetr.Plan) { p.Kind = "" }, []string{"kind"}},
		{"missing everything", func(p *cetr.Plan) { *p = cetr.Plan{} },
			[]string{"id", "person.id", "person.date_of_birth", "kind", "planned", "commissioner"}},
		{"planned before birth", func(p *cetr.Plan) { p.Planned = d("2001-01-01") }, []string{"planned"}},
		{"statutory without a local authority (R-CETR-STAT)", func(p *cetr.Plan) {
			p.Kind, p.Person.LocalAuthority = cetr.Statutory, ""
		}, []string{"person.local_authority"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := plan(child(), cetr.Community, "2026-03-02")
			tt.edit(&p)
			r, err := cetr.New(p, cetr.DefaultParams())
			assert.Nil(t, r)
			assert.ErrorIs(t, err, cetr.ErrInvalid)
			assert.Equal(t, tt.want, fields(err))
		})
	}
}

func TestUnknownWordsAreRejectedInJSON(t *testing.T) {
	var p cetr.Plan
	err := json.Unmarshal([]byte(`{"id":"review-1","kind":"annual"}`), &p)
	assert.ErrorIs(t, err, cetr.ErrInvalid)
	assert.ErrorContains(t, err, `unknown review kind "annual"`)

	var f map[cetr.KLOE]string
	assert.ErrorIs(t, json.Unmarshal([]byte(`{"am_i_happy":"x"}`), &f), cetr.ErrInvalid)
	require.NoError(t, json.Unmarshal([]byte(`{"am_i_safe":"yes"}`), &f))
	assert.Equal(t, "yes", f[cetr.Safe])

	var m cetr.Member
	assert.ErrorIs(t, json.Unmarshal([]byte(`{"name":"X","role":"judge"}`), &m), cetr.ErrInvalid)
	var s cetr.Status
	require.NoError(t, json.Unmarshal([]byte(`""`), &s))
	assert.Equal(t, cetr.Open, s)

	_, err = cetr.ParseKind("statutory")
	assert.NoError(t, err)
	_, err = cetr.ParseKLOE("quality_of_life")
	assert.NoError(t, err)
}

func TestParams(t *testing.T) {
	require.NoError(t, cetr.DefaultParams().Validate())
	err := cetr.Params{}.Validate()
	assert.ErrorIs(t, err, cetr.ErrInvalid)
	assert.Equal(t, []string{"params.report_deadline", "params.statutory_report_deadline", "params.escalation", "params.rating_agreement", "params.education_member"}, fields(err))

	p := cetr.DefaultParams()
	p.Escalation = calendar.Deadline{N: 72, Unit: calendar.Hours}
	p.PapersLeadHours = -1
	p.ConsentNoticeDays = -1
	p.EducationMember = "sometimes"
	assert.Equal(t, []string{"params.escalation", "params.papers_lead_hours", "params.consent_notice_days", "params.education_member"}, fields(p.Validate()))

	_, err = cetr.New(plan(child(), cetr.Community, "2026-03-02"), p)
	assert.ErrorIs(t, err, cetr.ErrInvalid)
}

// Bad input returns typed errors naming the field, and nothing changes.
func TestBadInputChangesNothing(t *testing.T) {
	tests := []struct {
		rule, name string
		setup      func(testing.TB) *cetr.Review
		op         func(*cetr.Review) error
		want       []string
		target     error
	}{
		{"R-CETR-PANEL", "a panel with no chair", func(t testing.TB) *cetr.Review { return mustNew(t, plan(child(), cetr.Community, "2026-03-02")) },
			func(r *cetr.Review) error { return r.SetPanel(panelOf(teacher)[1:]...) }, []string{"panel"}, cetr.ErrInvalidPanel},
		{"R-CETR-PANEL", "a panel member whose training lapses before the review", func(t testing.TB) *cetr.Review { return mustNew(t, plan(child(), cetr.Community, "2027-03-02")) },
			func(r *cetr.Review) error { return r.SetPanel(panelOf(teacher)...) }, []string{"panel[1].training_expires", "panel[2].training_expires"}, cetr.ErrInvalidPanel},
		{"R-CETR-ACT", "a recommendation due before the review", heldReview,
			func(r *cetr.Review) error {
				_, err := r.Recommend(cetr.Recommendation{Who: "Social Worker I", What: "visit", Due: d("2026-03-01")})
				return err
			}, []string{"recommendations[0].due"}, cetr.ErrInvalid},
		{"R-CETR-ACT", "a recommendation with no who, what or due date", heldReview,
			func(r *cetr.Review) error { _, err := r.Recommend(cetr.Recommendation{}); return err },
			[]string{"recommendations[0].who", "recommendations[0].what", "recommendations[0].due"}, cetr.ErrInvalid},
		{"R-CETR-ACT", "a recommendation before the review is held", func(t testing.TB) *cetr.Review { return mustNew(t, plan(child(), cetr.Community, "2026-03-02")) },
			func(r *cetr.Review) error {
				_, err := r.Recommend(cetr.Recommendation{Who: "A", What: "B", Due: d("2026-03-20")})
				return err
			}, []string{"held"}, cetr.ErrInvalid},
		{"R-CETR-ACT", "a new recommendation already done", heldReview,
			func(r *cetr.Review) error {
				_, err := r.Recommend(cetr.Recommendation{Who: "A", What: "B", Due: d("2026-03-20"), Status: cetr.Done})
				return err
			}, []string{"recommendations[0].status"}, cetr.ErrInvalid},
		{"R-CETR-KLOE", "holding a review with findings missing", func(t testing.TB) *cetr.Review {
			r := mustNew(t, plan(child(), cetr.Community, "2026-03-02"))
			must(t, r.SetPanel(panelOf(teacher)...))
			must(t, r.Record(cetr.Safe, "Safe at home with a support package"))
			return r
		}, func(r *cetr.Review) error { return r.Hold(d("2026-03-02"), cetr.StayInCommunity, "") },
			[]string{"findings.good_care_and_treatment", "findings.plans_for_future", "findings.care_in_community", "findings.physical_health", "findings.meaningful_activity", "findings.quality_of_life"}, cetr.ErrInvalid},
		{"R-CETR-PANEL", "holding a review with no panel and no outcome", func(t testing.TB) *cetr.Review {
			r := mustNew(t, plan(child(), cetr.Community, "2026-03-02"))
			recordAll(t, r)
			return r
		}, func(r *cetr.Review) error { return r.Hold(d("2026-03-02"), "", "") }, []string{"outcome", "panel", "panel", "panel"}, cetr.ErrInvalid},
		{"R-CETR-CONSENT", "holding a review before the consent date", func(t testing.TB) *cetr.Review {
			r := mustNew(t, plan(child(), cetr.Community, "2026-03-02"))
			must(t, r.SetConsent(cetr.Consent{Given: d("2026-02-20"), GivenBy: dsr.ByParent}))
			must(t, r.SetPanel(panelOf(teacher)...))
			recordAll(t, r)
			return r
		}, func(r *cetr.Review) error { return r.Hold(d("2026-02-19"), cetr.StayInCommunity, "") }, []string{"consent.given"}, cetr.ErrInvalid},
		{"", "holding a review twice", heldReview, func(r *cetr.Review) error { return r.Hold(d("2026-03-03"), cetr.StayInCommunity, "") }, []string{"held"}, cetr.ErrInvalid},
		{"R-CETR-KLOE", "an unknown key line of enquiry", heldReview, func(r *cetr.Review) error { return r.Record("am_i_happy", "yes") }, []string{"findings"}, cetr.ErrInvalid},
		{"R-CETR-KLOE", "an empty finding", heldReview, func(r *cetr.Review) error { return r.Record(cetr.Safe, "  ") }, []string{"findings.am_i_safe"}, cetr.ErrInvalid},
		{"R-REV-2", "a rating agreed before the review, unrated and by nobody", heldReview,
			func(r *cetr.Review) error { return r.AgreeRating(cetr.RatingAgreement{Date: d("2026-03-01")}) },
			[]string{"rating.date", "rating.rating", "rating.by"}, cetr.ErrInvalid},
		{"R-REV-2", "a rating before the review is held", func(t testing.TB) *cetr.Review { return mustNew(t, plan(child(), cetr.Community, "2026-03-02")) },
			func(r *cetr.Review) error {
				return r.AgreeRating(cetr.RatingAgreement{Date: d("2026-03-02"), Rating: dsr.Amber, By: "DSR meeting"})
			}, []string{"held"}, cetr.ErrInvalid},
		{"R-CETR-REPORT", "a report before the review with no recipients", heldReview,
			func(r *cetr.Review) error { return r.SendReport(d("2026-03-01"), nil) }, []string{"report.sent", "report.recipients"}, cetr.ErrInvalid},
		{"R-CETR-REPORT", "a recipient with no name and an unknown role", heldReview,
			func(r *cetr.Review) error { return r.SendReport(d("2026-03-05"), []cetr.Recipient{{Role: "press"}}) },
			[]string{"report.recipients[0].role", "report.recipients[0].name"}, cetr.ErrInvalid},
		{"", "rescheduling past the panel's training", func(t testing.TB) *cetr.Review {
			r := mustNew(t, plan(child(), cetr.Community, "2026-03-02"))
			must(t, r.SetPanel(panelOf(teacher)...))
			return r
		}, func(r *cetr.Review) error { return r.Reschedule(d("2027-01-04")) }, []string{"panel[1].training_expires", "panel[2].training_expires"}, cetr.ErrInvalidPanel},
		{"R-CETR-CONSENT", "rescheduling before the consent", func(t testing.TB) *cetr.Review {
			r := mustNew(t, plan(child(), cetr.Community, "2026-03-02"))
			must(t, r.SetConsent(cetr.Consent{Given: d("2026-02-20"), GivenBy: dsr.ByParent}))
			return r
		}, func(r *cetr.Review) error { return r.Reschedule(d("2026-02-19")) }, []string{"consent.given"}, cetr.ErrInvalid},
		{"R-CETR-PANEL", "replacing the panel of a held review", heldReview, func(r *cetr.Review) error { return r.SetPanel(panelOf()...) }, []string{"panel"}, cetr.ErrInvalid},
		{"", "an untitled paper", heldReview, func(r *cetr.Review) error { return r.AddPaper(cetr.Paper{}) }, []string{"papers[0].title"}, cetr.ErrInvalid},
		{"R-CETR-DOCS", "papers sent after the review", heldReview, func(r *cetr.Review) error { return r.SendPapers(at("2026-03-03 09:00")) }, []string{"papers_sent"}, cetr.ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.rule+"/"+tt.name, func(t *testing.T) {
			r := tt.setup(t)
			before := r.Clone()
			err := tt.op(r)
			require.Error(t, err)
			assert.ErrorIs(t, err, tt.target)
			assert.ErrorIs(t, err, dsr.ErrInvalid)
			assert.Equal(t, tt.want, fields(err))
			assert.Equal(t, before, r, "nothing changes on error")
			if tt.rule != "" {
				var ve *dsr.ValidationError
				var pe *cetr.PanelError
				switch {
				case errors.As(err, &pe):
					assert.Equal(t, tt.rule, pe.Rule)
				case errors.As(err, &ve):
					assert.Equal(t, tt.rule, ve.Rule)
				}
			}
		})
	}
}

func TestRecommendations(t *testing.T) {
	r := heldReview(t)
	a, err := r.Recommend(cetr.Recommendation{Who: "Social Worker I", What: "Agree a short-breaks package", Due: d("2026-03-16")})
	require.NoError(t, err)
	b, err := r.Recommend(cetr.Recommendation{Who: "CAMHS Nurse K", What: "Sensory assessment", Due: d("2026-03-02")})
	require.NoError(t, err)
	c, err := r.Recommend(cetr.Recommendation{Who: "SENCO L", What: "Review the school timetable", Due: d("2026-03-30")})
	require.NoError(t, err)
	assert.Equal(t, []int{1, 2, 3}, []int{a, b, c})

	// R-CETR-ACT: overdue ones listed as of a date, by due date.
	ids := func(recs []cetr.Recommendation) (out []int) {
		for _, x := range recs {
			out = append(out, x.ID)
		}
		return out
	}
	assert.Empty(t, r.Overdue(d("2026-03-02")), "due on the day is not overdue")
	assert.Equal(t, []int{2}, ids(r.Overdue(d("2026-03-03"))))
	assert.Equal(t, []int{2, 1, 3}, ids(r.Overdue(d("2026-04-01"))))

	must(t, r.Complete(b, d("2026-03-10")))
	assert.Equal(t, []string{"recommendations[1].status"}, fields(r.Complete(b, d("2026-03-11"))), "done once")
	assert.Equal(t, []string{"recommendations[0].reason"}, fields(r.Drop(a, d("2026-03-20"), " ")), "a drop needs a reason")
	must(t, r.Drop(a, d("2026-03-20"), "family chose a different provider"))
	assert.Equal(t, []string{"recommendations"}, fields(r.Complete(9, d("2026-03-20"))))
	assert.Equal(t, []int{3}, ids(r.Overdue(d("2026-04-01"))))

	// Escalation after 28 days overdue (R-CETR-ACT, default).
	assert.Empty(t, r.Escalations(d("2026-04-26")))
	assert.Equal(t, []int{3}, ids(r.Escalations(d("2026-04-27"))))
	assert.Equal(t, []string{"recommendations[2].escalated"}, fields(r.MarkEscalated(c, d("2026-03-30"))), "not overdue yet")
	must(t, r.MarkEscalated(c, d("2026-04-28")))
	assert.Empty(t, r.Escalations(d("2026-05-01")))
	assert.Equal(t, []int{3}, ids(r.Overdue(d("2026-05-01"))), "escalated is still overdue until done")
	require.NoError(t, r.Validate())
}

func TestWorklist(t *testing.T) {
	r := heldReview(t)
	_, err := r.Recommend(cetr.Recommendation{Who: "Social Worker I", What: "Agree a short-breaks package", Due: d("2026-03-16")})
	require.NoError(t, err)

	type item struct {
		Kind    dsr.ActionKind
		Due     string
		Rule    string
		Overdue bool
		Rec     int
	}
	list := func(asOf string) (out []item) {
		for _, w := range r.Worklist(d(asOf)) {
			assert.Equal(t, "review-1", w.Review)
			out = append(out, item{w.Kind, w.Due.String(), w.Rule, w.Overdue, w.Recommendation})
		}
		return out
	}
	assert.Equal(t, []item{
		{dsr.ActionDSRReview, "2026-03-02", "R-REV-2", false, 0},
		{cetr.ActionRecommendation, "2026-03-16", "R-CETR-ACT", false, 1},
		{dsr.ActionReviewReport, "2026-03-16", "R-CETR-REPORT", false, 0},
	}, list("2026-03-02"))
	assert.Equal(t, []item{
		{dsr.ActionDSRReview, "2026-03-02", "R-REV-2", true, 0},
		{cetr.ActionRecommendation, "2026-03-16", "R-CETR-ACT", true, 1},
		{dsr.ActionReviewReport, "2026-03-16", "R-CETR-REPORT", true, 0},
		{cetr.ActionEscalation, "2026-04-13", "R-CETR-ACT", false, 1},
	}, list("2026-04-13"))

	must(t, r.AgreeRating(cetr.RatingAgreement{Date: d("2026-03-02"), Rating: dsr.Amber, By: "DSR meeting"}))
	must(t, r.SendReport(d("2026-03-20"), []cetr.Recipient{{Role: cetr.ResponsibleCommissioner, Name: commissioner}}))
	assert.True(t, r.ReportLate(d("2026-03-20")))
	assert.Equal(t, "report.sent: report sent 2026-03-20, 4 days after it was due on 2026-03-16 (R-CETR-REPORT)", r.Warnings()[0].String())
	must(t, r.Complete(1, d("2026-04-14")))
	assert.Empty(t, list("2026-04-20"))
	assert.Empty(t, mustNew(t, plan(child(), cetr.Community, "2026-03-02")).Worklist(d("2026-04-01")), "nothing before the review is held")
}

func TestEvents(t *testing.T) {
	r := heldReview(t)
	must(t, r.SendReport(d("2026-03-09"), []cetr.Recipient{{Role: cetr.ResponsibleCommissioner, Name: commissioner}}))
	must(t, r.AgreeRating(cetr.RatingAgreement{Date: d("2026-03-12"), Rating: dsr.Green, By: "DSR meeting", Reason: "support package in place"}))
	ev := r.Events()
	require.Len(t, ev, 3)
	assert.Equal(t, dsr.Event{Type: dsr.EventReviewHeld, Date: d("2026-03-02"), Kind: dsr.ReviewCommunity}, ev[0])
	assert.Equal(t, dsr.Event{Type: dsr.EventReportSent, Date: d("2026-03-09")}, ev[1])
	assert.Equal(t, dsr.Event{Type: dsr.EventRatingAgreed, Date: d("2026-03-12"), Rating: dsr.Green, By: "DSR meeting", Reason: "support package in place"}, ev[2])

	// The events make a valid case for the person.
	c := dsr.Case{AsOf: d("2026-03-12"), Person: r.Person, Events: ev}
	require.NoError(t, c.Validate())
	f := dsr.Derive(&c)
	assert.Equal(t, d("2026-03-02"), f.LastAnyReview)
	assert.Equal(t, d("2026-03-09"), f.LastReport)
	assert.Equal(t, dsr.Green, f.Agreed.Rating)
}

func TestJSONRoundTrip(t *testing.T) {
	r := heldReview(t)
	_, err := r.Recommend(cetr.Recommendation{Who: "Social Worker I", What: "Agree a short-breaks package", Due: d("2026-03-16")})
	require.NoError(t, err)
	must(t, r.AgreeRating(cetr.RatingAgreement{Date: d("2026-03-02"), Rating: dsr.Amber, By: "DSR meeting"}))
	b, err := json.Marshal(r)
	require.NoError(t, err)
	var back cetr.Review
	require.NoError(t, json.Unmarshal(b, &back))
	require.NoError(t, back.Validate())
	assert.Equal(t, r.Summary(), back.Summary())
	assert.True(t, r.PapersSent.Equal(back.PapersSent))
}

func TestValidateFindsTamperedRecords(t *testing.T) {
	r := heldReview(t)
	_, err := r.Recommend(cetr.Recommendation{Who: "Social Worker I", What: "visit", Due: d("2026-03-16")})
	require.NoError(t, err)
	r.Recommendations[0].Due = d("2026-02-01")
	delete(r.Findings, cetr.QualityOfLife)
	r.Members = r.Members[1:]
	assert.Equal(t, []string{"panel", "findings.quality_of_life", "recommendations[0].due"}, fields(r.Validate()))
}
