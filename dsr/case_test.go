package dsr_test

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/register"
)

// problems returns every *ValidationError in err, looking through
// errors.Join, and fails the test if err holds anything else.
func problems(t *testing.T, err error) []*dsr.ValidationError {
	t.Helper()
	var out []*dsr.ValidationError
	var walk func(error)
	walk = func(err error) {
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			for _, e := range j.Unwrap() {
				walk(e)
			}
			return
		}
		var ve *dsr.ValidationError
		require.True(t, errors.As(err, &ve), "%T %v is not a *ValidationError", err, err)
		require.ErrorIs(t, ve, dsr.ErrInvalid)
		out = append(out, ve)
	}
	walk(err)
	return out
}

// fields returns the fields the problems name, in order.
func fields(ps []*dsr.ValidationError) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Field)
	}
	return out
}

// person is caseJSON("") with one person field's text replaced.
func person(old, new string) string { return strings.Replace(caseJSON(""), old, new, 1) }

// caseJSON is the JSON of Person A, aged 15 on 30 March 2026, with extra
// person fields and the given events.
func caseJSON(personExtra string, events ...string) string {
	return fmt.Sprintf(`{
  "as_of": "2026-03-30",
  "person": {"id": "person-a", "nhs_number": "999 765 4323", "date_of_birth": "2010-05-01", "autism": true%s},
  "circumstances": {"in_crisis": true, "community_cannot_manage": true},
  "events": [%s]
}`, personExtra, strings.Join(events, ",\n    "))
}

const (
	consented  = `{"type": "consent_given", "date": "2026-01-05", "given_by": "parent"}`
	admitted   = `{"type": "admitted", "date": "2026-02-02", "security": "general", "legal_status": "s2"}`
	discharged = `{"type": "discharged", "date": "2026-03-01"}`
)

func TestDecodeCaseAcceptsAValidCase(t *testing.T) {
	c, err := dsr.UnmarshalCase([]byte(caseJSON("",
		consented, admitted,
		`{"type": "transferred", "date": "2026-02-10", "security": "picu"}`,
		discharged,
		`{"type": "review_held", "date": "2026-03-10", "kind": "community"}`,
		`{"type": "rating_agreed", "date": "2026-03-10", "rating": "AMBER", "by": "dsr meeting"}`,
		`{"type": "blue_light_meeting", "at": "2026-03-20T14:00:00Z"}`,
		`{"type": "diagnosis_added", "date": "2026-03-21", "condition": "learning_disability"}`,
		`{"type": "consent_withdrawn", "date": "2026-03-29", "scope": ["cetr"]}`,
	)))
	require.NoError(t, err)
	assert.Equal(t, calendar.MustParseDate("2026-03-30"), c.AsOf)
	assert.Equal(t, dsr.NHSNumber("9997654323"), c.Person.NHSNumber, "the spaced NHS number is held as ten digits")
	assert.True(t, c.Circumstances.InCrisis)
	require.Len(t, c.Events, 9)
	assert.Equal(t, dsr.Amber, c.Events[5].Rating, "a rating word in capitals is read")
	assert.Equal(t, calendar.MustParseDate("2026-03-20"), c.Events[6].Day())
}

func TestDecodeCaseAcceptsNullAsNotGiven(t *testing.T) {
	c, err := dsr.UnmarshalCase([]byte(`{"as_of": "2026-03-30", "person": {"id": "person-a",
		"date_of_birth": "2010-05-01", "nhs_number": null, "autism": null}, "circumstances": null, "events": null}`))
	require.NoError(t, err)
	assert.Empty(t, c.Person.NHSNumber)
	assert.False(t, c.Person.Autism)
	assert.Nil(t, c.Events)
}

func TestDecodeCaseNamesTheField(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		field   string
		problem string // part of the problem
	}{
		// The JSON itself.
		{"an empty body is not a case", ``, "$", "empty"},
		{"truncated JSON is not a case", `{"as_of": "2026-03-30", "person": {`, "$", "truncated"},
		{"malformed JSON is not a case", `{"as_of" "2026-03-30"}`, "$", "malformed JSON"},
		{"a list is not a case", `[]`, "$", "want an object, got an array"},
		{"a second object after the case is trailing data", caseJSON("") + ` {}`, "$", "trailing data"},
		{"a stray closing brace after the case is trailing data", caseJSON("") + `}`, "$", "trailing data"},
		{"a stray closing bracket after the case is trailing data", caseJSON("") + `]`, "$", "trailing data"},

		// Wrong JSON types.
		{`autism is true or false, not "yes"`, person(`"autism": true`, `"autism": "yes"`), "person.autism", `got the string "yes"`},
		{"in_crisis is true or false, not 1", strings.Replace(caseJSON(""), `"in_crisis": true`, `"in_crisis": 1`, 1),
			"circumstances.in_crisis", "want true or false, got the number 1"},
		{"the person is an object", `{"as_of": "2026-03-30", "person": "Person A"}`, "person", "want an object"},
		{"events are a list", strings.Replace(caseJSON(""), `"events": []`, `"events": {}`, 1), "events", "want an array, got an object"},
		{"an event type is a word, not a number", caseJSON("", consented, `{"type": 7, "date": "2026-01-06"}`),
			"events[1].type", "want a string, got the number 7"},
		{"a consent scope is a list", caseJSON("", `{"type": "consent_given", "date": "2026-01-05", "given_by": "parent", "scope": "dsr"}`),
			"events[0].scope", "want an array"},
		{"an NHS number is a string, not a number", person(`"nhs_number": "999 765 4323"`, `"nhs_number": 9997654323`), "person.nhs_number", "want an NHS number as a string"},
		{"a date is a string", `{"as_of": 20260330}`, "as_of", "want a date as a string"},

		// Words and text a field rejects.
		{"an NHS number failing the Modulus 11 check is named", person(`"nhs_number": "999 765 4323"`, `"nhs_number": "9997654324"`), "person.nhs_number", "Modulus 11"},
		{"a date that does not exist is named", caseJSON("", consented, `{"type": "review_held", "date": "2026-02-30", "kind": "community"}`),
			"events[1].date", `"2026-02-30" is not a date`},
		{"a date of birth in another format is named", person(`"date_of_birth": "2010-05-01"`, `"date_of_birth": "01/05/2010"`), "person.date_of_birth", "not a date"},
		{"an unknown rating word is named (R-RAG-AGREED)", caseJSON("", `{"type": "rating_agreed", "date": "2026-03-01", "rating": "purple"}`),
			"events[0].rating", `unknown rating "purple"`},
		{"a Blue Light meeting time that is not RFC 3339 is named", caseJSON("", `{"type": "blue_light_meeting", "at": "yesterday at 2pm"}`),
			"events[0].at", "RFC 3339"},

		// Fields the contract does not have.
		{"an unknown top-level field is named", strings.Replace(caseJSON(""), `"as_of"`, `"notes": "x", "as_of"`, 1), "notes", "unknown field"},
		{"an unknown person field is named with its path", caseJSON(`, "colour": "blue"`), "person.colour", "unknown field"},
		{"an unknown event field is named with its index", caseJSON("", consented, `{"type": "admitted", "date": "2026-02-02", "ward": "Elm"}`),
			"events[1].ward", "unknown field"},
		{"an empty field name is quoted", strings.Replace(caseJSON(""), `"as_of"`, `"": 1, "as_of"`, 1), `$[""]`, "unknown field"},
		{"a field name with spaces is quoted", caseJSON(`, "date of birth": "2010-05-01"`), `person["date of birth"]`, "unknown field"},
		{"field names are lower case", strings.Replace(caseJSON(""), `"as_of"`, `"AS_OF"`, 1), "AS_OF", `did you mean "as_of"`},
		{"a field given twice is ambiguous", caseJSON(`, "id": "person-b"`), "person.id", "given twice"},

		// Validate: the person.
		{"the local id is required", strings.Replace(caseJSON(""), `"id": "person-a", `, ``, 1), "person.id", "required"},
		{"as_of is required", strings.Replace(caseJSON(""), `"as_of": "2026-03-30",`, ``, 1), "as_of", "required"},
		{"the date of birth is required", strings.Replace(caseJSON(""), `"date_of_birth": "2010-05-01", `, ``, 1),
			"person.date_of_birth", "required"},
		{"a date of birth after as_of is impossible", person(`"date_of_birth": "2010-05-01"`, `"date_of_birth": "2026-03-31"`), "person.date_of_birth", "after as_of"},

		// Validate: events.
		{"an unknown event type is named", caseJSON("", `{"type": "sectioned", "date": "2026-02-02"}`), "events[0].type", `unknown event type "sectioned"`},
		{"an event needs a type", caseJSON("", `{"date": "2026-02-02"}`), "events[0].type", "required"},
		{"an event needs a date", caseJSON("", `{"type": "referral_received"}`), "events[0].date", "required"},
		{"consent names who gave it (R-CONS-2)", caseJSON("", `{"type": "consent_given", "date": "2026-01-05"}`), "events[0].given_by", "required"},
		{"consent is given by a known kind of person (R-CONS-2)", caseJSON("", `{"type": "consent_given", "date": "2026-01-05", "given_by": "neighbour"}`),
			"events[0].given_by", `unknown value "neighbour"`},
		{"consent covers known scopes", caseJSON("", `{"type": "consent_given", "date": "2026-01-05", "given_by": "self", "scope": ["dsr", "marketing"]}`),
			"events[0].scope[1]", `unknown scope "marketing"`},
		{"a withdrawal covers known scopes (R-CONS-4)", caseJSON("", `{"type": "consent_withdrawn", "date": "2026-01-05", "scope": ["all"]}`),
			"events[0].scope[0]", "unknown scope"},
		{"a review says its kind", caseJSON("", `{"type": "review_held", "date": "2026-01-05"}`), "events[0].kind", "required"},
		{"a review kind is known", caseJSON("", `{"type": "review_held", "date": "2026-01-05", "kind": "annual"}`), "events[0].kind", "unknown value"},
		{"a diagnosis names the condition (R-CETR-TRIG)", caseJSON("", `{"type": "diagnosis_added", "date": "2026-01-05"}`), "events[0].condition", "required"},
		{"a diagnosis condition is autism or learning disability", caseJSON("", `{"type": "diagnosis_removed", "date": "2026-01-05", "condition": "adhd"}`),
			"events[0].condition", "unknown value"},
		{"an agreed rating names the rating (R-RAG-AGREED)", caseJSON("", `{"type": "rating_agreed", "date": "2026-01-05", "by": "dsr meeting"}`),
			"events[0].rating", "required"},
		{"ward security is a known level", caseJSON("", `{"type": "admitted", "date": "2026-02-02", "security": "very high"}`), "events[0].security", "unknown value"},
		{"legal status is informal or a known section", caseJSON("", `{"type": "admitted", "date": "2026-02-02", "legal_status": "s99"}`),
			"events[0].legal_status", "unknown value"},
		{"a referral source is known (R-REQ-1)", caseJSON("", `{"type": "referral_received", "date": "2026-01-02", "by": "anonymous"}`), "events[0].by", "unknown value"},
		{"a transfer names the new security or hospital (R-CETR-TRIG)", caseJSON("", admitted, `{"type": "transferred", "date": "2026-02-10"}`),
			"events[1].security", "names the new security or the new hospital"},
		{"an event after as_of has not happened yet", caseJSON("", `{"type": "referral_received", "date": "2026-03-31"}`), "events[0].date", "after as_of"},
		{"an event before birth is impossible", caseJSON("", `{"type": "referral_received", "date": "2010-04-30"}`), "events[0].date", "before the date of birth"},
		{"a Blue Light meeting needs its time", caseJSON("", `{"type": "blue_light_meeting"}`), "events[0].at", "required"},
		{"a Blue Light meeting's date is the London date of its time", caseJSON("", `{"type": "blue_light_meeting", "date": "2026-03-20", "at": "2026-03-20T23:30:00-01:00"}`),
			"events[0].date", "not the London date"},

		// Validate: the history (docs/rules.md#vocabulary: inpatient is an admission with no later discharge).
		{"a discharge needs an admission before it", caseJSON("", discharged), "events[0]", "no admission before it"},
		{"a discharge dated before its admission has no admission before it", caseJSON("",
			`{"type": "discharged", "date": "2026-01-10"}`, admitted), "events[0]", "no admission before it"},
		{"two admissions need a discharge between them", caseJSON("", admitted, `{"type": "admitted", "date": "2026-02-20"}`), "events[1]", "still an inpatient"},
		{"a transfer needs the person to be an inpatient", caseJSON("", `{"type": "transferred", "date": "2026-02-10", "hospital": "Hospital B"}`),
			"events[0]", "while not an inpatient"},
		{"a transfer after discharge needs a new admission", caseJSON("", admitted, discharged, `{"type": "transferred", "date": "2026-03-10", "security": "low"}`),
			"events[2]", "while not an inpatient"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := dsr.DecodeCase(strings.NewReader(tt.in))
			require.Error(t, err)
			require.ErrorIs(t, err, dsr.ErrInvalid)
			var ve *dsr.ValidationError
			require.ErrorAs(t, err, &ve)
			ps := problems(t, err)
			require.Len(t, ps, 1, "problems: %v", err)
			assert.Equal(t, tt.field, ps[0].Field)
			assert.Contains(t, ps[0].Problem, tt.problem)
			assert.Contains(t, err.Error(), tt.field+": ", "the message starts with the field")
			assert.Equal(t, dsr.Case{}, zeroEvents(c), "a rejected case is the zero Case")
		})
	}
}

func zeroEvents(c dsr.Case) dsr.Case { c.Events = nil; return c }

func TestDecodeCaseReportsEveryDecodingProblemAtOnce(t *testing.T) {
	in := strings.Replace(caseJSON(`, "colour": "blue"`,
		`{"type": "rating_agreed", "date": "2026-03-01", "rating": "purple"}`,
		`{"type": "admitted", "date": "2026-02-30"}`), `"autism": true`, `"autism": "yes"`, 1)
	_, err := dsr.UnmarshalCase([]byte(in))
	require.ErrorIs(t, err, dsr.ErrInvalid)
	assert.Equal(t, []string{"person.autism", "person.colour", "events[0].rating", "events[1].date"}, fields(problems(t, err)))
}

func TestValidateReportsEveryProblemAtOnce(t *testing.T) {
	in := strings.Replace(caseJSON("",
		`{"type": "sectioned", "date": "2026-02-02"}`,
		`{"type": "referral_received", "date": "2026-04-01"}`,
		discharged,
	), `"date_of_birth": "2010-05-01", `, ``, 1)
	_, err := dsr.DecodeCase(strings.NewReader(in))
	require.ErrorIs(t, err, dsr.ErrInvalid)
	assert.Equal(t, []string{"person.date_of_birth", "events[0].type", "events[1].date", "events[2]"}, fields(problems(t, err)))
}

func TestDecodeCaseReadErrorIsNotInvalidInput(t *testing.T) {
	boom := errors.New("connection reset")
	_, err := dsr.DecodeCase(io.MultiReader(strings.NewReader(`{"as_of": `), iotest{boom}))
	require.ErrorIs(t, err, boom)
	assert.NotErrorIs(t, err, dsr.ErrInvalid, "a failing reader says nothing about the case")
}

type iotest struct{ err error }

func (r iotest) Read([]byte) (int, error) { return 0, r.err }

// personA is a valid case built in Go: Person A, aged 15 on 30 March 2026.
func personA() dsr.Case {
	return dsr.Case{
		AsOf: calendar.MustParseDate("2026-03-30"),
		Person: dsr.Person{
			ID: "person-a", NHSNumber: dsr.TestNHSNumber(1),
			DateOfBirth: calendar.MustParseDate("2010-05-01"), Autism: true,
		},
		Events: []dsr.Event{
			{Type: dsr.EventConsentGiven, Date: calendar.MustParseDate("2026-01-05"), GivenBy: dsr.ByParent},
		},
	}
}

func TestValidateCaseBuiltInGo(t *testing.T) {
	tests := []struct {
		name   string
		change func(c *dsr.Case)
		fields []string
	}{
		{"Person A as built is valid", func(*dsr.Case) {}, nil},
		{"an NHS number grouped 3-3-4 is valid", func(c *dsr.Case) { c.Person.NHSNumber = "999 765 4323" }, nil},
		{"an NHS number failing the check is named", func(c *dsr.Case) { c.Person.NHSNumber = "9997654324" }, []string{"person.nhs_number"}},
		{"a blank id is no id", func(c *dsr.Case) { c.Person.ID = "  " }, []string{"person.id"}},
		{"a Blue Light meeting needs At", func(c *dsr.Case) {
			c.Events = append(c.Events, dsr.Event{Type: dsr.EventBlueLightMeeting})
		}, []string{"events[1].at"}},
		{"a Blue Light meeting with At alone is valid", func(c *dsr.Case) {
			c.Events = append(c.Events, dsr.Event{Type: dsr.EventBlueLightMeeting,
				At: time.Date(2026, 3, 20, 14, 0, 0, 0, calendar.London)})
		}, nil},
		{"a rating out of range is not a rating", func(c *dsr.Case) {
			c.Events = append(c.Events, dsr.Event{Type: dsr.EventRatingAgreed, Date: c.AsOf})
		}, []string{"events[1].rating"}},
		{"events may be given out of date order", func(c *dsr.Case) {
			c.Events = []dsr.Event{
				{Type: dsr.EventDischarged, Date: calendar.MustParseDate("2026-03-01")},
				{Type: dsr.EventAdmitted, Date: calendar.MustParseDate("2026-02-02")},
			}
		}, nil},
		{"an admission and discharge on the same day in that order are valid", func(c *dsr.Case) {
			c.Events = []dsr.Event{
				{Type: dsr.EventAdmitted, Date: calendar.MustParseDate("2026-02-02")},
				{Type: dsr.EventDischarged, Date: calendar.MustParseDate("2026-02-02")},
			}
		}, nil},
		{"a discharge listed before an admission on the same day has no admission before it", func(c *dsr.Case) {
			c.Events = []dsr.Event{
				{Type: dsr.EventDischarged, Date: calendar.MustParseDate("2026-02-02")},
				{Type: dsr.EventAdmitted, Date: calendar.MustParseDate("2026-02-02")},
			}
		}, []string{"events[0]"}},
		{"the zero case lacks as_of, id and date of birth", func(c *dsr.Case) { *c = dsr.Case{} },
			[]string{"as_of", "person.id", "person.date_of_birth"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := personA()
			tt.change(&c)
			err := c.Validate()
			if tt.fields == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, dsr.ErrInvalid)
			assert.Equal(t, tt.fields, fields(problems(t, err)))
		})
	}
}

func TestValidationErrorMessage(t *testing.T) {
	e := &dsr.ValidationError{Field: "events[0].given_by", Problem: "required for consent_given", Rule: "R-CONS-2"}
	assert.Equal(t, "events[0].given_by: required for consent_given (R-CONS-2)", e.Error())
	assert.ErrorIs(t, e, dsr.ErrInvalid)
	assert.NotErrorIs(t, e, register.ErrConsentRequired)
	wrapped := fmt.Errorf("assessing person-a: %w", e)
	var ve *dsr.ValidationError
	require.ErrorAs(t, wrapped, &ve)
	assert.Equal(t, "events[0].given_by", ve.Field)
}

func TestChronologicalIsStable(t *testing.T) {
	d := calendar.MustParseDate
	tests := []struct {
		name   string
		events []dsr.Event
		want   []int
	}{
		{"no events", nil, []int{}},
		{"events in date order keep their order", []dsr.Event{
			{Date: d("2026-01-01")}, {Date: d("2026-01-02")}, {Date: d("2026-01-03")}}, []int{0, 1, 2}},
		{"events on one day keep the order given", []dsr.Event{
			{Type: dsr.EventAdmitted, Date: d("2026-01-01")}, {Type: dsr.EventDischarged, Date: d("2026-01-01")},
			{Type: dsr.EventAdmitted, Date: d("2026-01-01")}}, []int{0, 1, 2}},
		{"events out of order are sorted, same-day events keep the order given", []dsr.Event{
			{Date: d("2026-01-03")}, {Date: d("2026-01-01"), Kind: "first"}, {Date: d("2026-01-02")},
			{Date: d("2026-01-01"), Kind: "second"}, {Date: d("2026-01-03")}}, []int{1, 3, 2, 0, 4}},
		{"a Blue Light meeting sorts by the London date of its time", []dsr.Event{
			{Date: d("2026-06-02")},
			// 23:30 UTC on 1 June is 00:30 on 2 June in London (BST).
			{Type: dsr.EventBlueLightMeeting, At: time.Date(2026, 6, 1, 23, 30, 0, 0, time.UTC)},
			{Date: d("2026-06-01")}}, []int{2, 0, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, dsr.Chronological(tt.events))
		})
	}
}

func TestOnlyMeetingsAndReviewsCarryAnInstant(t *testing.T) {
	base := func(events ...dsr.Event) *dsr.Case {
		return &dsr.Case{AsOf: calendar.MustParseDate("2026-03-30"), Person: dsr.Person{ID: "a", DateOfBirth: calendar.MustParseDate("2010-05-01")}, Events: events}
	}
	at := time.Date(2026, 3, 20, 15, 30, 0, 0, time.UTC)
	day := calendar.MustParseDate("2026-03-20")
	require.NoError(t, base(dsr.Event{Type: dsr.EventReviewHeld, Date: day, At: at, Kind: dsr.ReviewCommunity}).Validate())

	var ve *dsr.ValidationError
	err := base(dsr.Event{Type: dsr.EventReviewHeld, Date: day.AddDays(1), At: at, Kind: dsr.ReviewCommunity}).Validate()
	require.ErrorAs(t, err, &ve, "the date must be at's London date")
	assert.Equal(t, "events[0].date", ve.Field)

	err = base(dsr.Event{Type: dsr.EventDischarged, Date: day, At: at}).Validate()
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "events[0].at", ve.Field)

	err = (&dsr.Case{AsOf: day, CircumstancesSince: day.AddDays(1), Person: dsr.Person{ID: "a", DateOfBirth: calendar.MustParseDate("2010-05-01")}}).Validate()
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "circumstances_since", ve.Field)
}
