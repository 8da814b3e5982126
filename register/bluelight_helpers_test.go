package register_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dsrkit/dsrkit/bluelight"
	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/dsr"
)

// The helpers of package bluelight's tests that the tests of the meeting
// plug-in use. Every person here is synthetic.

// tb is what the helpers need from *testing.T and *rapid.T.
type tb interface {
	Helper()
	Errorf(format string, args ...any)
	FailNow()
}

// london parses "2006-01-02 15:04" as a Europe/London wall-clock time.
func london(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, calendar.London)
	if err != nil {
		panic(err)
	}
	return t
}

func wiltshire(t tb) *bluelight.GoRules {
	t.Helper()
	r, err := bluelight.NewGoRules(bluelight.DefaultParams())
	require.NoError(t, err)
	return r
}

// opening calls a meeting for Person A, aged 15, who meets every criterion,
// with 45 minutes' notice.
func opening(call time.Time) bluelight.Opening {
	return bluelight.Opening{
		ID:          "bl-0001",
		PersonID:    "person-a",
		DateOfBirth: calendar.MustParseDate("2011-03-04"),
		Criteria: bluelight.CriteriaInput{
			UnexpectedCrisis: true, NoTimeForCETR: true, KnownToServices: true,
		},
		InvitationsSent: call.Add(-45 * time.Minute),
		CallAt:          call,
	}
}

func open(t tb, call time.Time) *bluelight.Meeting {
	t.Helper()
	m, err := bluelight.Open(ctx, wiltshire(t), opening(call))
	require.NoError(t, err)
	return m
}

// attendAll records one attendee for every required role except skip.
func attendAll(t tb, m *bluelight.Meeting, skip ...bluelight.Role) {
	t.Helper()
	rec := m.Record()
	for _, r := range rec.Invitees.Required {
		if !contains(skip, r) {
			require.NoError(t, m.Attend(bluelight.Attendee{Role: r}))
		}
	}
}

func contains[T comparable](xs []T, x T) bool {
	for _, y := range xs {
		if x == y {
			return true
		}
	}
	return false
}

var stepNotes = map[bluelight.Step]string{
	bluelight.StepIntroduction:  "Chair introduced the call; family in crisis this evening.",
	bluelight.StepUnderstanding: "Person A wants to stay at home; parent agrees; clinicians support.",
	bluelight.StepRisks:         "Risk of harm to self overnight; carer exhausted.",
	bluelight.StepOptions:       "Home package, short breaks unit and local bed considered.",
	bluelight.StepResources:     "Two waking night staff available from 18:00 tonight.",
	bluelight.StepDecision:      "Support at home with a 72-hour package; social worker leads.",
	bluelight.StepRecord:        "Decision, plan, costs and funding recorded.",
}

// completeTo completes the steps up to and including last.
func completeTo(t tb, m *bluelight.Meeting, last bluelight.Step) {
	t.Helper()
	for _, s := range bluelight.Steps {
		if s > last {
			return
		}
		require.NoError(t, m.Complete(s, stepNotes[s]))
	}
}

// homePackage is 72 hours of support from start, costing £4,321.01.
func homePackage(start time.Time, hours int) bluelight.FundingRequest {
	return bluelight.FundingRequest{
		Support:            "two waking night staff at home",
		Provider:           "Provider Alpha (synthetic)",
		ProviderAccredited: true,
		Start:              start,
		Stop:               start.Add(time.Duration(hours) * time.Hour),
		Cost:               432101,
	}
}

// completeTo2 completes the steps after done, up to and including last.
func completeTo2(t *testing.T, m *bluelight.Meeting, done, last bluelight.Step) {
	t.Helper()
	for s := done + 1; s <= last; s++ {
		require.NoError(t, m.Complete(s, stepNotes[s]))
	}
}

func asInvalid(t *testing.T, err error) *dsr.ValidationError {
	t.Helper()
	require.Error(t, err)
	require.ErrorIs(t, err, dsr.ErrInvalid)
	var ve *dsr.ValidationError
	require.ErrorAs(t, err, &ve)
	return ve
}
