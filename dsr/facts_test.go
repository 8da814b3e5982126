package dsr_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/dsr"
)

var d = calendar.MustParseDate

// history is Person A (born 1 May 2010) on 30 March 2026 with the events
// given; it fails the test if the case is not valid.
func history(t *testing.T, events ...dsr.Event) *dsr.Case {
	t.Helper()
	c := &dsr.Case{
		AsOf:   d("2026-03-30"),
		Person: dsr.Person{ID: "person-a", DateOfBirth: d("2010-05-01"), Autism: true},
		Events: events,
	}
	require.NoError(t, c.Validate())
	return c
}

func admit(date string) dsr.Event { return dsr.Event{Type: dsr.EventAdmitted, Date: d(date)} }
func discharge(date string) dsr.Event {
	return dsr.Event{Type: dsr.EventDischarged, Date: d(date)}
}
func review(date, kind string) dsr.Event {
	return dsr.Event{Type: dsr.EventReviewHeld, Date: d(date), Kind: kind}
}
func transfer(date, security, hospital string) dsr.Event {
	return dsr.Event{Type: dsr.EventTransferred, Date: d(date), Security: security, Hospital: hospital}
}

func TestDeriveInpatient(t *testing.T) {
	tests := []struct {
		name      string
		events    []dsr.Event
		inpatient bool
		since     string // the current spell's admission, if inpatient
		previous  int
	}{
		{"nobody is an inpatient without an admission", nil, false, "", 0},
		{"admitted with no later discharge is an inpatient now (R-RAG-BLUE)",
			[]dsr.Event{admit("2026-03-02")}, true, "2026-03-02", 0},
		{"admitted then discharged is not an inpatient; one previous admission",
			[]dsr.Event{admit("2026-01-02"), discharge("2026-02-01")}, false, "", 1},
		{"readmitted after a discharge is an inpatient since the readmission",
			[]dsr.Event{admit("2025-06-01"), discharge("2025-07-01"), admit("2026-03-02")}, true, "2026-03-02", 1},
		{"admitted and discharged on the same day is not an inpatient",
			[]dsr.Event{admit("2026-03-02"), discharge("2026-03-02")}, false, "", 1},
		{"two completed spells are two previous admissions (R-ELIG-1)",
			[]dsr.Event{admit("2025-01-02"), discharge("2025-02-01"), admit("2025-06-01"), discharge("2025-07-01")}, false, "", 2},
		{"a discharge given before its admission in the list still ends the spell",
			[]dsr.Event{discharge("2026-03-10"), admit("2026-03-02")}, false, "", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := dsr.Derive(history(t, tt.events...))
			assert.Equal(t, tt.inpatient, f.Inpatient)
			assert.Equal(t, tt.previous, f.PreviousAdmissions)
			if !tt.inpatient {
				assert.Nil(t, f.Current())
				return
			}
			require.NotNil(t, f.Current())
			assert.Equal(t, d(tt.since), f.Current().Admitted)
			assert.True(t, f.Current().Discharged.IsZero())
		})
	}
}

func TestDeriveSpellDetails(t *testing.T) {
	c := history(t,
		dsr.Event{Type: dsr.EventAdmitted, Date: d("2025-04-20")},
		discharge("2025-05-20"),
		dsr.Event{Type: dsr.EventAdmitted, Date: d("2026-03-02"), Security: "medium", LegalStatus: "s3",
			Hospital: "Hospital B", OutOfArea: true},
	)
	f := dsr.Derive(c)
	require.Len(t, f.Spells, 2)
	first := f.Spells[0]
	assert.Equal(t, "general", first.Security, "an admission with no security is to a general ward")
	assert.Equal(t, "informal", first.LegalStatus, "an admission with no legal status is informal")
	assert.Equal(t, 14, first.AgeAtAdmission)
	assert.Equal(t, d("2025-05-20"), first.Discharged)
	assert.Equal(t, d("2025-05-20"), f.LastDischarge)

	cur := f.Current()
	assert.Equal(t, 15, cur.AgeAtAdmission)
	assert.Equal(t, "medium", cur.Security)
	assert.Equal(t, "s3", cur.LegalStatus)
	assert.Equal(t, "Hospital B", cur.Hospital)
	assert.True(t, cur.OutOfArea)
	assert.True(t, cur.LastMove.IsZero(), "no transfer, no move")
}

func TestDeriveTransfers(t *testing.T) {
	tests := []struct {
		name     string
		moves    []dsr.Event
		security string
		hospital string
		lastMove string
		change   string
	}{
		{"a move to a more secure ward is security_up (R-CETR-TRIG)",
			[]dsr.Event{transfer("2026-02-10", "low", "")}, "low", "Hospital A", "2026-02-10", "security_up"},
		{"a move from low security to PICU is security_down (R-CETR-TRIG)",
			[]dsr.Event{transfer("2026-02-10", "low", ""), transfer("2026-03-01", "picu", "")}, "picu", "Hospital A", "2026-03-01", "security_down"},
		{"a move to another hospital on the same security is a hospital move (R-CETR-TRIG)",
			[]dsr.Event{transfer("2026-02-10", "general", "Hospital B")}, "general", "Hospital B", "2026-02-10", "hospital"},
		{"a move to another hospital and a higher security counts as security_up",
			[]dsr.Event{transfer("2026-02-10", "high", "Hospital C")}, "high", "Hospital C", "2026-02-10", "security_up"},
		{"a transfer that changes nothing is not a move",
			[]dsr.Event{transfer("2026-02-10", "general", "Hospital A")}, "general", "Hospital A", "", ""},
		{"the last move is the latest change, not the latest transfer event",
			[]dsr.Event{transfer("2026-02-10", "medium", ""), transfer("2026-03-01", "medium", "")}, "medium", "Hospital A", "2026-02-10", "security_up"},
		{"moves are taken in date order whatever the order given",
			[]dsr.Event{transfer("2026-03-01", "low", ""), transfer("2026-02-10", "high", "")}, "low", "Hospital A", "2026-03-01", "security_down"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			events := append([]dsr.Event{{Type: dsr.EventAdmitted, Date: d("2026-02-02"), Hospital: "Hospital A"}}, tt.moves...)
			f := dsr.Derive(history(t, events...))
			cur := f.Current()
			require.NotNil(t, cur)
			assert.Equal(t, tt.security, cur.Security)
			assert.Equal(t, tt.hospital, cur.Hospital)
			if tt.lastMove == "" {
				assert.True(t, cur.LastMove.IsZero())
			} else {
				assert.Equal(t, d(tt.lastMove), cur.LastMove)
			}
			assert.Equal(t, tt.change, cur.LastMoveChange)
		})
	}
}

func TestDeriveTransferAfterDischargeIsIgnored(t *testing.T) {
	// Not a valid case (Validate rejects it); Derive must still not touch
	// the finished spell.
	c := &dsr.Case{AsOf: d("2026-03-30"), Person: dsr.Person{ID: "a", DateOfBirth: d("2010-05-01")},
		Events: []dsr.Event{admit("2026-01-02"), discharge("2026-02-01"), transfer("2026-02-10", "high", "")}}
	f := dsr.Derive(c)
	assert.Equal(t, "general", f.Spells[0].Security)
	assert.False(t, f.Inpatient)
}

func TestDeriveLastReviews(t *testing.T) {
	c := history(t,
		review("2025-09-01", dsr.ReviewCommunity),
		review("2025-12-01", dsr.ReviewCommunity),
		admit("2026-01-05"),
		review("2026-01-15", dsr.ReviewPostAdmission),
		review("2026-02-15", dsr.ReviewInpatient),
		review("2026-03-01", dsr.ReviewTrigger),
		dsr.Event{Type: dsr.EventReportSent, Date: d("2026-03-05")},
		dsr.Event{Type: dsr.EventRegisterReviewed, Date: d("2026-03-06")},
		dsr.Event{Type: dsr.EventOversightVisit, Date: d("2026-03-07")},
		dsr.Event{Type: dsr.EventCrisisTeamEpisode, Date: d("2025-11-20")},
		dsr.Event{Type: dsr.EventReferralReceived, Date: d("2025-08-01"), By: "family"},
	)
	f := dsr.Derive(c)
	want := [5]calendar.Date{d("2025-12-01"), d("2026-01-15"), d("2026-02-15"), d("2026-03-01"), {}}
	assert.Equal(t, want, f.LastReview, "the latest review of each kind, indexed as ReviewKinds; no statutory review yet")
	assert.Equal(t, 0, dsr.ReviewKindIndex(dsr.ReviewCommunity))
	assert.Equal(t, 4, dsr.ReviewKindIndex(dsr.ReviewStatutory))
	assert.Equal(t, -1, dsr.ReviewKindIndex("annual"))
	assert.Equal(t, d("2026-03-01"), f.LastAnyReview)
	assert.Equal(t, d("2026-03-05"), f.LastReport)
	assert.Equal(t, d("2026-03-06"), f.LastRegisterReview)
	assert.Equal(t, d("2026-03-07"), f.LastOversightVisit)
	assert.Equal(t, d("2025-11-20"), f.LastCrisisEpisode)
	assert.Equal(t, d("2025-08-01"), f.LastReferral)
	assert.Equal(t, d("2025-12-01"), f.Current().LastCommunityReview,
		"the admission looks back to the community review before it (R-CETR-PA-1)")
}

func TestDeriveCommunityReviewBeforeEachAdmission(t *testing.T) {
	tests := []struct {
		name   string
		events []dsr.Event
		want   []string // LastCommunityReview of each spell
	}{
		{"an admission with no community review before it has none (R-CETR-PA-1)",
			[]dsr.Event{admit("2026-02-02")}, []string{""}},
		{"a community review before the admission is remembered (R-CETR-6W)",
			[]dsr.Event{review("2026-01-29", dsr.ReviewCommunity), admit("2026-02-02")}, []string{"2026-01-29"}},
		{"a community review after the admission does not count for it",
			[]dsr.Event{admit("2026-02-02"), review("2026-02-20", dsr.ReviewCommunity)}, []string{""}},
		{"a community review on the admission day counts, listed before the admission",
			[]dsr.Event{review("2026-02-02", dsr.ReviewCommunity), admit("2026-02-02")}, []string{"2026-02-02"}},
		{"a community review on the admission day counts, listed after the admission",
			[]dsr.Event{admit("2026-02-02"), review("2026-02-02", dsr.ReviewCommunity)}, []string{"2026-02-02"}},
		{"a Blue Light meeting is not a community review (R-BL-CRIT)",
			[]dsr.Event{{Type: dsr.EventBlueLightMeeting, At: time.Date(2026, 2, 1, 15, 0, 0, 0, calendar.London)}, admit("2026-02-02")}, []string{""}},
		{"an inpatient review is not a community review",
			[]dsr.Event{admit("2025-06-01"), review("2025-06-20", dsr.ReviewInpatient), discharge("2025-07-01"), admit("2026-02-02")}, []string{"", ""}},
		{"each admission looks back from its own day",
			[]dsr.Event{review("2025-05-01", dsr.ReviewCommunity), admit("2025-06-01"), discharge("2025-07-01"),
				review("2025-12-01", dsr.ReviewCommunity), admit("2026-02-02")}, []string{"2025-05-01", "2025-12-01"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := dsr.Derive(history(t, tt.events...))
			require.Len(t, f.Spells, len(tt.want))
			for i, w := range tt.want {
				if w == "" {
					assert.True(t, f.Spells[i].LastCommunityReview.IsZero(), "spell %d", i)
				} else {
					assert.Equal(t, d(w), f.Spells[i].LastCommunityReview, "spell %d", i)
				}
			}
		})
	}
}

func TestAdmissionsWithoutCommunityReview(t *testing.T) {
	// Three admissions: one with a community review 182 days before, one
	// with a review 183 days before, one with none.
	f := dsr.Derive(history(t,
		review("2024-07-01", dsr.ReviewCommunity), // 182 days before 2024-12-30
		admit("2024-12-30"), discharge("2025-01-10"),
		review("2025-01-20", dsr.ReviewCommunity), // 183 days before 2025-07-22
		admit("2025-07-22"), discharge("2025-08-01"),
		admit("2026-03-02"),
	))
	require.Len(t, f.Spells, 3)
	require.Equal(t, 182, f.Spells[0].Admitted.Sub(f.Spells[0].LastCommunityReview))
	require.Equal(t, 183, f.Spells[1].Admitted.Sub(f.Spells[1].LastCommunityReview))
	tests := []struct {
		name     string
		lookback int
		want     int
	}{
		{"a 182-day look-back reaches a review 182 days before but not one 183 days before (R-CETR-PA-1)", 182, 2},
		{"a 183-day look-back reaches both reviews", 183, 1},
		{"a 28-day look-back reaches neither", 28, 3},
		{"a look-back of 0 days counts only a review on the admission day", 0, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, f.AdmissionsWithoutCommunityReview(tt.lookback))
		})
	}
}

func TestDeriveDiagnosisChanges(t *testing.T) {
	added := func(date, cond string) dsr.Event {
		return dsr.Event{Type: dsr.EventDiagnosisAdded, Date: d(date), Condition: cond}
	}
	removed := func(date, cond string) dsr.Event {
		return dsr.Event{Type: dsr.EventDiagnosisRemoved, Date: d(date), Condition: cond}
	}
	tests := []struct {
		name               string
		autism             bool // stated on the person
		events             []dsr.Event
		wantAutism, wantLD bool
		removedLast        bool
		inOrAfterSpell     bool
		last               string
	}{
		{"no diagnosis events leave the stated diagnoses", true, nil, true, false, false, false, ""},
		{"a learning disability diagnosed in the community is added", true,
			[]dsr.Event{added("2025-06-01", "learning_disability")}, true, true, false, false, "2025-06-01"},
		{"an autism diagnosis made in hospital is a trigger (R-CETR-TRIG)", false,
			[]dsr.Event{admit("2026-02-02"), added("2026-03-01", "autism")}, true, false, false, true, "2026-03-01"},
		{"an autism diagnosis removed after discharge is a trigger (R-CETR-TRIG)", true,
			[]dsr.Event{admit("2025-06-01"), discharge("2025-07-01"), removed("2026-03-01", "autism")}, false, false, true, true, "2026-03-01"},
		{"derived diagnoses beat the stated ones: removed then added again", true,
			[]dsr.Event{removed("2025-06-01", "autism"), added("2025-09-01", "autism")}, true, false, false, false, "2025-09-01"},
		{"a diagnosis change before any admission is not in or after a spell", false,
			[]dsr.Event{added("2025-06-01", "autism"), admit("2026-02-02")}, true, false, false, false, "2025-06-01"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := history(t, tt.events...)
			c.Person.Autism = tt.autism
			f := dsr.Derive(c)
			assert.Equal(t, tt.wantAutism, f.Autism, "autism")
			assert.Equal(t, tt.wantLD, f.LearningDisability, "learning disability")
			assert.Equal(t, tt.removedLast, f.DiagnosisChangeRemoved, "removed")
			assert.Equal(t, tt.inOrAfterSpell, f.DiagnosisChangeInOrAfterSpell, "in or after a spell")
			if tt.last == "" {
				assert.True(t, f.LastDiagnosisChange.IsZero())
			} else {
				assert.Equal(t, d(tt.last), f.LastDiagnosisChange)
			}
		})
	}
}

func TestDeriveConsentRecords(t *testing.T) {
	given := func(date, by string, scope ...string) dsr.Event {
		return dsr.Event{Type: dsr.EventConsentGiven, Date: d(date), GivenBy: by, Scope: scope}
	}
	withdrawn := func(date, by string, scope ...string) dsr.Event {
		return dsr.Event{Type: dsr.EventConsentWithdrawn, Date: d(date), By: by, Scope: scope}
	}
	tests := []struct {
		name   string
		events []dsr.Event
		want   []dsr.ConsentRecord
	}{
		{"no consent events, no records (R-CONS-1)", nil, nil},
		{"consent with no scope is consent to inclusion on the register", []dsr.Event{given("2025-01-05", dsr.ByParent)},
			[]dsr.ConsentRecord{{Date: d("2025-01-05"), By: dsr.ByParent, Age: 14}}},
		{"consent to a review only is not consent to the register (R-CETR-CONSENT)", []dsr.Event{given("2025-01-05", dsr.ByParent, dsr.ScopeCETR)}, nil},
		{"consent to the register among other scopes is recorded", []dsr.Event{given("2025-01-05", dsr.ByParent, dsr.ScopeSharing, dsr.ScopeDSR)},
			[]dsr.ConsentRecord{{Date: d("2025-01-05"), By: dsr.ByParent, Age: 14}}},
		{"a withdrawal with no scope withdraws everything (R-CONS-4)",
			[]dsr.Event{given("2025-01-05", dsr.ByParent), withdrawn("2026-03-01", dsr.ByParent)},
			[]dsr.ConsentRecord{{Date: d("2025-01-05"), By: dsr.ByParent, Age: 14}, {Date: d("2026-03-01"), By: dsr.ByParent, Withdrawn: true, Age: 15}}},
		{"withdrawing consent to sharing leaves register consent alone",
			[]dsr.Event{given("2025-01-05", dsr.ByParent), withdrawn("2026-03-01", dsr.ByParent, dsr.ScopeSharing)},
			[]dsr.ConsentRecord{{Date: d("2025-01-05"), By: dsr.ByParent, Age: 14}}},
		{"a young person's own consent after 16 records their age (R-CONS-3)",
			[]dsr.Event{given("2025-01-05", dsr.ByParent), given("2026-03-29", dsr.BySelf)},
			[]dsr.ConsentRecord{{Date: d("2025-01-05"), By: dsr.ByParent, Age: 14}, {Date: d("2026-03-29"), By: dsr.BySelf, Age: 15}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := dsr.Derive(history(t, tt.events...))
			if tt.want == nil {
				assert.Empty(t, f.Consent)
				return
			}
			assert.Equal(t, tt.want, f.Consent)
		})
	}
}

func TestDeriveBirthdays(t *testing.T) {
	tests := []struct {
		name                  string
		born, asOf            string
		sixteenth, eighteenth string
		age                   int
	}{
		{"an ordinary birthday", "2010-05-01", "2026-03-30", "2026-05-01", "2028-05-01", 15},
		{"the day before the 16th birthday is still 15 (R-CONS-3)", "2010-05-01", "2026-04-30", "2026-05-01", "2028-05-01", 15},
		{"on the 16th birthday a person is 16 (R-CONS-2)", "2010-05-01", "2026-05-01", "2026-05-01", "2028-05-01", 16},
		{"born on 29 February: the 16th birthday in a leap year is 29 February", "2008-02-29", "2024-02-29", "2024-02-29", "2026-03-01", 16},
		{"born on 29 February: the 18th birthday in a common year is 1 March (R-REM-1)", "2008-02-29", "2026-03-01", "2024-02-29", "2026-03-01", 18},
		{"born on 29 February: still 17 on 28 February of a common year", "2008-02-29", "2026-02-28", "2024-02-29", "2026-03-01", 17},
		{"born on 29 February 2012: both birthdays fall in common years", "2012-02-29", "2026-03-30", "2028-02-29", "2030-03-01", 14},
		{"born on 28 February: birthdays stay on 28 February", "2010-02-28", "2026-03-30", "2026-02-28", "2028-02-28", 16},
		{"born on 31 December", "2009-12-31", "2026-03-30", "2025-12-31", "2027-12-31", 16},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &dsr.Case{AsOf: d(tt.asOf), Person: dsr.Person{ID: "person-a", DateOfBirth: d(tt.born)}}
			require.NoError(t, c.Validate())
			f := dsr.Derive(c)
			assert.Equal(t, d(tt.sixteenth), f.Sixteenth, "16th birthday")
			assert.Equal(t, d(tt.eighteenth), f.Eighteenth, "18th birthday")
			assert.Equal(t, tt.age, f.Age)
			assert.Equal(t, 16, c.Person.AgeOn(f.Sixteenth), "16 on the 16th birthday")
			assert.Equal(t, 15, c.Person.AgeOn(f.Sixteenth.AddDays(-1)), "15 the day before")
			assert.Equal(t, 18, c.Person.AgeOn(f.Eighteenth), "18 on the 18th birthday")
			assert.Equal(t, 17, c.Person.AgeOn(f.Eighteenth.AddDays(-1)), "17 the day before")
		})
	}
}

func TestDeriveIgnoresEventsAfterAsOf(t *testing.T) {
	// Derive does not validate: a host may pass a history that runs past
	// as_of, and the future must not leak into today's facts.
	c := &dsr.Case{
		AsOf:   d("2026-03-30"),
		Person: dsr.Person{ID: "person-a", DateOfBirth: d("2010-05-01")},
		Events: []dsr.Event{
			admit("2026-03-02"),
			discharge("2026-04-10"),
			review("2026-04-01", dsr.ReviewInpatient),
			{Type: dsr.EventRatingAgreed, Date: d("2026-03-31"), Rating: dsr.Red},
			{Type: dsr.EventConsentGiven, Date: d("2026-03-31"), GivenBy: dsr.ByParent},
			{Type: dsr.EventDiagnosisAdded, Date: d("2026-04-02"), Condition: "autism"},
		},
	}
	f := dsr.Derive(c)
	assert.True(t, f.Inpatient, "a discharge planned for after as_of has not happened (R-RAG-BLUE)")
	assert.Equal(t, 0, f.PreviousAdmissions)
	assert.True(t, f.LastAnyReview.IsZero())
	assert.Nil(t, f.Agreed)
	assert.Empty(t, f.Consent)
	assert.False(t, f.Autism)
}

func TestDeriveTakesEventsInDateOrder(t *testing.T) {
	t.Run("a discharge given first but dated later ends the spell", func(t *testing.T) {
		f := dsr.Derive(history(t, discharge("2026-03-10"), admit("2026-02-02"), admit("2026-03-20")))
		assert.True(t, f.Inpatient)
		assert.Equal(t, d("2026-03-20"), f.Current().Admitted)
		assert.Equal(t, 1, f.PreviousAdmissions)
	})
	t.Run("the agreed rating is the latest by date, then the last given that day (R-RAG-AGREED)", func(t *testing.T) {
		agreed := func(date string, r dsr.Rating, why string) dsr.Event {
			return dsr.Event{Type: dsr.EventRatingAgreed, Date: d(date), Rating: r, Reason: why}
		}
		f := dsr.Derive(history(t,
			agreed("2026-03-10", dsr.Red, "crisis"),
			agreed("2026-03-20", dsr.Amber, "first"),
			agreed("2026-01-10", dsr.Green, "settled"),
			agreed("2026-03-20", dsr.Red, "second"),
		))
		require.NotNil(t, f.Agreed)
		assert.Equal(t, dsr.Red, f.Agreed.Rating)
		assert.Equal(t, "second", f.Agreed.Reason)
	})
	t.Run("same-day admission and discharge given in that order are a completed spell", func(t *testing.T) {
		f := dsr.Derive(history(t, review("2026-03-25", dsr.ReviewCommunity), admit("2026-03-02"), discharge("2026-03-02")))
		assert.False(t, f.Inpatient)
		assert.Equal(t, 1, f.PreviousAdmissions)
	})
	t.Run("the latest Blue Light meeting is an instant", func(t *testing.T) {
		at := time.Date(2026, 3, 20, 14, 0, 0, 0, calendar.London)
		f := dsr.Derive(history(t,
			dsr.Event{Type: dsr.EventBlueLightMeeting, At: at},
			dsr.Event{Type: dsr.EventBlueLightMeeting, At: at.AddDate(0, 0, -10)},
		))
		assert.True(t, at.Equal(f.LastBlueLight))
	})
}

func TestDeriveIntoReusesStorage(t *testing.T) {
	busy := history(t,
		dsr.Event{Type: dsr.EventConsentGiven, Date: d("2025-01-05"), GivenBy: dsr.ByParent},
		admit("2025-02-01"), discharge("2025-03-01"),
		admit("2025-06-01"), transfer("2025-06-10", "low", ""), discharge("2025-07-01"),
		admit("2026-03-02"),
	)
	quiet := history(t)

	var f dsr.Facts
	dsr.DeriveInto(busy, &f)
	assert.Equal(t, dsr.Derive(busy), f)
	spells := &f.Spells[:1][0]

	dsr.DeriveInto(quiet, &f)
	assert.False(t, f.Inpatient, "nothing is left over from the previous case")
	assert.Empty(t, f.Spells)
	assert.Empty(t, f.Consent)
	assert.Equal(t, 0, f.PreviousAdmissions)

	dsr.DeriveInto(busy, &f)
	assert.Same(t, spells, &f.Spells[0], "the spells are written into the same storage")
	assert.Equal(t, dsr.Derive(busy), f)

	allocs := testing.AllocsPerRun(100, func() { dsr.DeriveInto(busy, &f) })
	assert.Zero(t, allocs, "DeriveInto allocates nothing once its storage has grown")
}

// R-BL-FOLLOW-2: the latest review's instant is its at, or the start of its
// day when it carries no time; the later of several counts.
func TestDeriveLastReviewInstant(t *testing.T) {
	at := time.Date(2026, 3, 20, 15, 30, 0, 0, time.UTC)
	timed := review("2026-03-20", dsr.ReviewCommunity)
	timed.At = at
	f := dsr.Derive(history(t, review("2026-03-19", dsr.ReviewCommunity), timed, review("2026-03-20", dsr.ReviewTrigger)))
	assert.Equal(t, at, f.LastAnyReviewAt, "the timed review is later than the start of its day")
	f = dsr.Derive(history(t, review("2026-03-20", dsr.ReviewCommunity)))
	assert.Equal(t, d("2026-03-20").Start(), f.LastAnyReviewAt)
	f = dsr.Derive(history(t))
	assert.True(t, f.LastAnyReviewAt.IsZero(), "never reviewed")
}
