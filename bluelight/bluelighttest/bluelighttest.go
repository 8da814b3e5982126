// Package bluelighttest holds synthetic fixtures for tests of Blue Light
// meeting records: wall-clock times, the national (Wiltshire) Go rules, a
// meeting called for a synthetic person, attendance, the seven steps and a
// home support package. Used by the tests of bluelight and of the
// register's meeting plug-in; it imports testify, so only tests use it.
package bluelighttest

import (
	"context"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dsrkit/dsrkit/bluelight"
	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/dsr"
)

// TB is what the fixtures need from *testing.T and *rapid.T.
type TB interface {
	Helper()
	Errorf(format string, args ...any)
	FailNow()
}

// London parses "2006-01-02 15:04" as a Europe/London wall-clock time.
func London(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, calendar.London)
	if err != nil {
		panic(err)
	}
	return t
}

// Wiltshire is the Go rules with the default (Wiltshire) parameters.
func Wiltshire(t TB) *bluelight.GoRules {
	t.Helper()
	r, err := bluelight.NewGoRules(bluelight.DefaultParams())
	require.NoError(t, err)
	return r
}

// Opening calls a meeting for Person A, aged 15, who meets every criterion,
// with 45 minutes' notice.
func Opening(call time.Time) bluelight.Opening {
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

// Open opens the meeting Opening calls, under Wiltshire's rules.
func Open(t TB, call time.Time) *bluelight.Meeting {
	t.Helper()
	m, err := bluelight.Open(context.Background(), Wiltshire(t), Opening(call))
	require.NoError(t, err)
	return m
}

// AttendAll records one attendee for every required role except skip.
func AttendAll(t TB, m *bluelight.Meeting, skip ...bluelight.Role) {
	t.Helper()
	rec := m.Record()
	for _, r := range rec.Invitees.Required {
		if !Contains(skip, r) {
			require.NoError(t, m.Attend(bluelight.Attendee{Role: r}))
		}
	}
}

// Contains reports whether xs holds x.
func Contains[T comparable](xs []T, x T) bool {
	for _, y := range xs {
		if x == y {
			return true
		}
	}
	return false
}

// StepNotes are a minute's notes for each of the seven steps.
var StepNotes = map[bluelight.Step]string{
	bluelight.StepIntroduction:  "Chair introduced the call; family in crisis this evening.",
	bluelight.StepUnderstanding: "Person A wants to stay at home; parent agrees; clinicians support.",
	bluelight.StepRisks:         "Risk of harm to self overnight; carer exhausted.",
	bluelight.StepOptions:       "Home package, short breaks unit and local bed considered.",
	bluelight.StepResources:     "Two waking night staff available from 18:00 tonight.",
	bluelight.StepDecision:      "Support at home with a 72-hour package; social worker leads.",
	bluelight.StepRecord:        "Decision, plan, costs and funding recorded.",
}

// CompleteTo completes the steps up to and including last.
func CompleteTo(t TB, m *bluelight.Meeting, last bluelight.Step) {
	t.Helper()
	for _, s := range bluelight.Steps {
		if s > last {
			return
		}
		require.NoError(t, m.Complete(s, StepNotes[s]))
	}
}

// CompleteAfter completes the steps after done, up to and including last.
func CompleteAfter(t TB, m *bluelight.Meeting, done, last bluelight.Step) {
	t.Helper()
	for s := done + 1; s <= last; s++ {
		require.NoError(t, m.Complete(s, StepNotes[s]))
	}
}

// HomePackage is hours of support from start, costing £4,321.01.
func HomePackage(start time.Time, hours int) bluelight.FundingRequest {
	return bluelight.FundingRequest{
		Support:            "two waking night staff at home",
		Provider:           "Provider Alpha (synthetic)",
		ProviderAccredited: true,
		Start:              start,
		Stop:               start.Add(time.Duration(hours) * time.Hour),
		Cost:               432101,
	}
}

// AsInvalid requires err to be a *dsr.ValidationError matching
// dsr.ErrInvalid, and returns it.
func AsInvalid(t TB, err error) *dsr.ValidationError {
	t.Helper()
	require.Error(t, err)
	require.ErrorIs(t, err, dsr.ErrInvalid)
	var ve *dsr.ValidationError
	require.ErrorAs(t, err, &ve)
	return ve
}

// AsRule requires err to be a *bluelight.RuleError matching
// bluelight.ErrRefused, and returns it.
func AsRule(t TB, err error) *bluelight.RuleError {
	t.Helper()
	require.Error(t, err)
	require.ErrorIs(t, err, bluelight.ErrRefused)
	var re *bluelight.RuleError
	require.ErrorAs(t, err, &re)
	return re
}
