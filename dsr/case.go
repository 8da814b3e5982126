package dsr

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/dsrkit/dsrkit/calendar"
)

// Case is what a host system knows about one person on one date: the input
// to an assessment (docs/architecture.md#the-case-and-the-assessment).
type Case struct {
	AsOf          calendar.Date `json:"as_of" jsonschema:"type=string,format=date,description=The date of the assessment; rules never read a clock."`
	Person        Person        `json:"person"`
	Circumstances Circumstances `json:"circumstances"`
	// CircumstancesSince is the day the circumstances as given were first
	// reported: the latest change of circumstances (R-RAG-AGREED-2). An
	// agreed rating from before it is not the rating of record, and a
	// C(E)TR held on or after it answers R-RAG-ACT-1/2 (R-REV-2). Zero:
	// not known (the register always gives it).
	CircumstancesSince calendar.Date `json:"circumstances_since,omitzero" jsonschema:"type=string,format=date,description=The day the circumstances as given were first reported (the latest change of circumstances); optional."`
	Events             []Event       `json:"events"`
	// Inputs are the values of the inputs the assessing bundle declares
	// (R-INPUT-1), by name: an area's own circumstances (true or false),
	// scored items (whole numbers) and enumerations (words). The engine
	// checks them against the loaded bundle (ValidateInputs); an input the
	// case leaves out takes its declaration's Default.
	Inputs map[string]InputValue `json:"inputs,omitempty" jsonschema:"description=Values of the inputs the policy bundle declares (R-INPUT-1)\\, by name; see dsr schema case --policy NAME."`
	// Entry is what the area's register keeps about the person besides
	// (R-DATA-1), where the host has it; the register gives its own. The
	// rules see what matters to them (Facts): earlier admissions, a
	// placement out of area, section 117 aftercare.
	Entry *Entry `json:"entry,omitempty"`
}

// DecodeCase reads one case from JSON, then validates it (see Case.Validate).
// It rejects malformed JSON, values of the wrong JSON type, unknown fields,
// field names in the wrong case ("AS_OF"), a field given twice in one object,
// text that is not a date, NHS number, rating or RFC 3339 instant, and
// trailing data after the case, invalid UTF-8, a null document and more
// than MaxInputBytes (see DecodeStrict). Every problem is a *ValidationError naming
// its field by JSON path ("person.autism", "events[2].rating"; "$" for the
// document as a whole) and matching ErrInvalid; several come back joined.
// An error reading r is returned wrapped, and is not ErrInvalid.
func DecodeCase(r io.Reader) (Case, error) {
	var c Case
	if err := DecodeStrict(r, MaxInputBytes, &c); err != nil {
		return Case{}, err
	}
	if err := c.Validate(); err != nil {
		return Case{}, err
	}
	return c, nil
}

// UnmarshalCase is DecodeCase over a byte slice.
func UnmarshalCase(b []byte) (Case, error) { return DecodeCase(bytes.NewReader(b)) }

// decodeError turns encoding/json's errors into ValidationErrors that name
// the field.
func decodeError(err error) error {
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &te):
		field := te.Field
		if field == "" {
			field = "$"
		}
		return &ValidationError{Field: field, Problem: fmt.Sprintf("want %s, got JSON %s", te.Type, te.Value)}
	case errors.As(err, &se):
		return &ValidationError{Field: "$", Problem: fmt.Sprintf("malformed JSON at byte %d: %v", se.Offset, se)}
	case errors.Is(err, io.EOF):
		return &ValidationError{Field: "$", Problem: "empty input, want a case object"}
	case errors.Is(err, io.ErrUnexpectedEOF):
		return &ValidationError{Field: "$", Problem: "truncated JSON"}
	}
	msg := err.Error()
	if rest, ok := strings.CutPrefix(msg, "json: unknown field "); ok {
		return &ValidationError{Field: strings.Trim(rest, `"`), Problem: "unknown field"}
	}
	var ve *ValidationError
	if errors.As(err, &ve) {
		return ve
	}
	// Errors from UnmarshalText methods (dates, ratings, NHS numbers) carry
	// no field; checkJSON names it before this is reached.
	field := "$"
	if i := strings.Index(msg, "Go struct field "); i >= 0 {
		f := msg[i+len("Go struct field "):]
		if j := strings.Index(f, " of type"); j >= 0 {
			f = f[:j]
		}
		if k := strings.Index(f, "."); k >= 0 { // drop the Go type name
			f = f[k+1:]
		}
		field = f
	}
	return &ValidationError{Field: field, Problem: strings.TrimPrefix(textProblem(err), "json: ")}
}

// Validate checks the case against the contract and the domain: required
// fields, known words, a date of birth on or before as_of, events on or
// before as_of, and a history that does not contradict itself (a discharge
// or transfer with no admission before it; two admissions with no discharge
// between). Every problem found is returned, joined; each is a
// *ValidationError naming its field and matching ErrInvalid.
func (c *Case) Validate() error {
	var errs []error
	add := func(e *ValidationError) { errs = append(errs, e) }
	if c.AsOf.IsZero() {
		add(invalid("as_of", "", "required"))
	}
	p := &c.Person
	if e := checkID("person.id", p.ID); e != nil {
		add(e)
	}
	if p.NHSNumber != "" {
		if _, err := ParseNHSNumber(string(p.NHSNumber)); err != nil {
			add(invalid("person.nhs_number", "", "%s", strings.TrimPrefix(err.Error(), ErrInvalid.Error()+": ")))
		}
	}
	switch {
	case p.DateOfBirth.IsZero():
		add(invalid("person.date_of_birth", "", "required"))
	case !c.AsOf.IsZero() && p.DateOfBirth.After(c.AsOf):
		add(invalid("person.date_of_birth", "", "%s is after as_of %s", p.DateOfBirth, c.AsOf))
	}
	if !c.AsOf.IsZero() && c.CircumstancesSince.After(c.AsOf) {
		add(invalid("circumstances_since", "", "%s is after as_of %s", c.CircumstancesSince, c.AsOf))
	}
	for i := range c.Events {
		for _, e := range validateEvent(&c.Events[i], i, c.AsOf, p.DateOfBirth) {
			add(e)
		}
	}
	for _, e := range validateHistory(c.Events) {
		add(e)
	}
	if c.Entry != nil {
		errs = append(errs, c.Entry.Validate("entry", c.AsOf))
	}
	return errors.Join(errs...)
}

func validateEvent(e *Event, i int, asOf, dob calendar.Date) []*ValidationError {
	var errs []*ValidationError
	f := func(name string) string { return fmt.Sprintf("events[%d].%s", i, name) }
	bad := func(field, format string, args ...any) {
		errs = append(errs, invalid(f(field), "", format, args...))
	}
	if !e.Type.Valid() {
		if e.Type == "" {
			bad("type", "required")
		} else {
			bad("type", "unknown event type %q", e.Type)
		}
		return errs
	}
	timed := e.Type == EventBlueLightMeeting || e.Type == EventReviewHeld
	switch {
	case e.Type == EventBlueLightMeeting && e.At.IsZero() && e.Date.IsZero():
		bad("at", "required (an RFC 3339 instant) for blue_light_meeting")
	case e.Type != EventBlueLightMeeting && e.Date.IsZero():
		bad("date", "required")
	case !timed && !e.At.IsZero():
		bad("at", "only a blue_light_meeting or a review_held carries an instant")
	case timed && !e.At.IsZero() && !e.Date.IsZero() && calendar.DateOf(e.At) != e.Date:
		bad("date", "%s is not the London date of at (%s)", e.Date, calendar.DateOf(e.At))
	}
	if d := e.Day(); !d.IsZero() {
		if !asOf.IsZero() && d.After(asOf) {
			bad("date", "%s is after as_of %s", d, asOf)
		}
		if !dob.IsZero() && d.Before(dob) {
			bad("date", "%s is before the date of birth %s", d, dob)
		}
	}
	word := func(field, v string, set []string, required bool) {
		switch {
		case v == "" && required:
			bad(field, "required for %s (one of %s)", e.Type, strings.Join(set, ", "))
		case v != "" && !oneOf(v, set):
			bad(field, "unknown value %q (want one of %s)", v, strings.Join(set, ", "))
		}
	}
	switch e.Type {
	case EventReferralReceived:
		word("by", e.By, ReferralSources, false)
	case EventConsentGiven:
		word("given_by", e.GivenBy, ConsentGivers, true)
	case EventConsentWithdrawn:
		word("by", e.By, ConsentGivers, false)
	case EventAdmitted:
		word("security", e.Security, SecurityLevels, false)
		word("legal_status", e.LegalStatus, LegalStatuses, false)
	case EventTransferred:
		word("security", e.Security, SecurityLevels, false)
		if e.Security == "" && e.Hospital == "" {
			bad("security", "a transfer names the new security or the new hospital")
		}
	case EventReviewHeld:
		word("kind", e.Kind, ReviewKinds, true)
	case EventRatingAgreed:
		if e.Rating == Unrated {
			bad("rating", "required for rating_agreed (red, amber, green or blue)")
		}
	case EventDiagnosisAdded, EventDiagnosisRemoved:
		word("condition", e.Condition, Conditions, true)
	}
	if e.Type == EventConsentGiven || e.Type == EventConsentWithdrawn {
		for j, s := range e.Scope {
			if !oneOf(s, ConsentScopes) {
				bad(fmt.Sprintf("scope[%d]", j), "unknown scope %q (want one of %s)", s, strings.Join(ConsentScopes, ", "))
			}
		}
	}
	return errs
}

// validateHistory checks the admission/discharge sequence in date order.
func validateHistory(events []Event) []*ValidationError {
	var errs []*ValidationError
	in := false
	admittedAt := -1
	// Events are usually in date order: only sort (and allocate) when not.
	var order []int
	for i := 1; i < len(events); i++ {
		if events[i].Day().Before(events[i-1].Day()) {
			order = Chronological(events)
			break
		}
	}
	for n := range events {
		i := n
		if order != nil {
			i = order[n]
		}
		e := &events[i]
		switch e.Type {
		case EventAdmitted:
			if in {
				errs = append(errs, invalid(fmt.Sprintf("events[%d]", i), "",
					"admitted on %s while still an inpatient from events[%d] (no discharge between)", e.Day(), admittedAt))
			}
			in, admittedAt = true, i
		case EventDischarged:
			if !in {
				errs = append(errs, invalid(fmt.Sprintf("events[%d]", i), "",
					"discharged on %s with no admission before it", e.Day()))
			}
			in = false
		case EventTransferred:
			if !in {
				errs = append(errs, invalid(fmt.Sprintf("events[%d]", i), "",
					"transferred on %s while not an inpatient", e.Day()))
			}
		}
	}
	return errs
}

// Chronological returns the indexes of events in date order, keeping the
// given order for events on the same day.
func Chronological(events []Event) []int {
	idx := make([]int, len(events))
	sorted := true
	for i := range events {
		idx[i] = i
		if i > 0 && events[i].Day().Before(events[i-1].Day()) {
			sorted = false
		}
	}
	if !sorted {
		slices.SortStableFunc(idx, func(a, b int) int { return events[a].Day().Compare(events[b].Day()) })
	}
	return idx
}
