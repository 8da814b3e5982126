package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/dsrkit/dsrkit/bluelight"
	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/cetr"
	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/register"
)

// The fuzz targets of the write decoders: whatever the bytes, decoding
// never panics; a refusal is a *dsr.ValidationError naming a field; and
// an accepted input round-trips (decode, encode, decode gives the same
// value, seen through its encoding). Seeds are the valid inputs of the
// bad-input suite, and a few broken ones. scripts/fuzz-input.sh runs
// each for a while.

// seedBodies returns the valid JSON bodies of the bad-input suite for the
// commands named, with a few broken variants of each.
func seedBodies(names ...string) []string {
	var out []string
	for _, wc := range badInputCases(calendar.MustParseDate("2026-04-01")) {
		for _, n := range names {
			if wc.name == n && wc.body != "" {
				out = append(out, wc.body, wc.body+" {}", `null`, `[`+wc.body+`]`)
			}
		}
	}
	return out
}

// fuzzStrict fuzzes the strict decoding of T, as decode does it.
func fuzzStrict[T any](f *testing.F, decode func([]byte, *T) error, seeds ...string) {
	fuzzStrictChecked(f, decode, nil, seeds...)
}

// fuzzStrictChecked is fuzzStrict where the command also refuses, before
// anything else, what check refuses: an input is accepted when it decodes
// and passes check.
func fuzzStrictChecked[T any](f *testing.F, decode func([]byte, *T) error, check func(*T) bool, seeds ...string) {
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Add([]byte(`{}`))
	f.Add([]byte("{\"id\": \"a\xff\"}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		var v T
		if err := decode(data, &v); err != nil {
			for _, e := range problems(err) {
				var ve *dsr.ValidationError
				if !errors.Is(e, dsr.ErrInvalid) || !errors.As(e, &ve) || ve.Field == "" {
					t.Fatalf("error %v (%T) is not a ValidationError naming a field", e, e)
				}
			}
			return
		}
		if check != nil && !check(&v) {
			return
		}
		b1, err := json.Marshal(v)
		if err != nil {
			t.Fatalf("an accepted input does not encode: %v", err)
		}
		var w T
		if err := decode(b1, &w); err != nil {
			t.Fatalf("an accepted input, encoded as %s, is refused: %v", b1, err)
		}
		b2, err := json.Marshal(w)
		if err != nil || !bytes.Equal(b1, b2) {
			t.Fatalf("decode, encode, decode changed the value:\n%s\n%s (%v)", b1, b2, err)
		}
	})
}

func strict[T any](data []byte, v *T) error { return dsr.UnmarshalStrict(data, v) }

func oneOrMany[T any](data []byte, v *[]T) error { return unmarshalOneOrMany(data, v) }

func FuzzDecodeNewPerson(f *testing.F) {
	fuzzStrict(f, strict[register.NewPerson], seedBodies("register add")...)
}

func FuzzDecodeEvent(f *testing.F) {
	fuzzStrict(f, strict[dsr.Event], append(seedBodies("register record"),
		`{"type": "blue_light_meeting", "at": "2026-03-20T14:00:00+01:00"}`,
		`{"type": "rating_agreed", "date": "2026-02-15", "rating": "blue", "reason": "admitted", "by": "dsr-meeting"}`,
		`{"type": "consent_withdrawn", "date": "2026-03-21", "scope": ["dsr"]}`)...)
}

func FuzzDecodeCircumstances(f *testing.F) {
	fuzzStrict(f, strict[dsr.Circumstances], seedBodies("register report")...)
}

func FuzzDecodeDetails(f *testing.F) {
	fuzzStrict(f, strict[register.Details],
		`{"person": {"id": "b", "nhs_number": "9990000026", "date_of_birth": "1990-05-05", "autism": true}, "name": "Person B", "address": "1 Test Street"}`)
}

func FuzzDecodeReferral(f *testing.F) {
	fuzzStrict(f, strict[register.Referral],
		`{"id": "req-1", "person_id": "a", "source": "family", "received": "2026-03-30", "summary": "asks to join"}`)
}

func FuzzDecodeDecision(f *testing.F) {
	fuzzStrict(f, strict[register.Decision],
		`{"outcome": "accept", "date": "2026-04-01", "reasons": "meets the criteria", "next_steps": "add with consent"}`)
}

// The review refuses a panel member or a report recipient with no role
// (Panel.Validate, R-CETR-PANEL; the report's recipients): only inputs whose
// roles are known count as accepted, as in dsr's FuzzStrictReviewParts.
func panelKnown(panel []cetr.Member) bool {
	return !slices.ContainsFunc(panel, func(m cetr.Member) bool { return !m.Role.Valid() })
}

func FuzzDecodeReviewPlan(f *testing.F) {
	fuzzStrictChecked(f, strict[reviewPlanInput], func(p *reviewPlanInput) bool { return panelKnown(p.Panel) }, seedBodies("review plan")...)
}

func FuzzDecodeReviewHold(f *testing.F) {
	fuzzStrictChecked(f, strict[reviewHoldInput], func(h *reviewHoldInput) bool { return panelKnown(h.Panel) }, append(seedBodies("review hold"),
		`{"held": "2026-04-01", "rating": {"date": "2026-04-01", "rating": "red", "by": "DSR meeting"}, "papers_sent": "2026-03-25T09:00:00Z"}`)...)
}

func FuzzDecodeRecommendations(f *testing.F) {
	fuzzStrict(f, oneOrMany[cetr.Recommendation], append(seedBodies("review recommend"),
		`{"id": 2, "status": "dropped", "closed": "2026-04-02", "reason": "agreed already"}`,
		`{"id": 1, "escalated": "2026-04-20"}`)...)
}

func FuzzDecodeReviewReport(f *testing.F) {
	fuzzStrictChecked(f, strict[reviewReportInput], func(r *reviewReportInput) bool {
		return !slices.ContainsFunc(r.Recipients, func(rc cetr.Recipient) bool { return !rc.Role.Valid() })
	}, seedBodies("review report")...)
}

func FuzzDecodeMeetingOpen(f *testing.F) {
	fuzzStrict(f, strict[bluelightOpenInput], append(seedBodies("bluelight open"),
		fmt.Sprintf(`{"id": "bl-1", "person_id": "a", "person_invited": true, "call_at": %q,
		  "person": {"person": {"id": "a", "date_of_birth": "2011-01-01", "autism": true},
		    "events": [{"type": "consent_given", "date": "2026-03-30", "given_by": "parent"}]}}`, time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC).Format(time.RFC3339)))...)
}

func FuzzDecodeAttendees(f *testing.F) {
	// Meeting.Attend refuses an attendee with no role (R-BL-INVITE).
	fuzzStrictChecked(f, oneOrMany[bluelight.Attendee], func(as *[]bluelight.Attendee) bool {
		return !slices.ContainsFunc(*as, func(a bluelight.Attendee) bool { return !a.Role.Valid() })
	}, seedBodies("bluelight attend")...)
}

func FuzzDecodeSteps(f *testing.F) {
	// Meeting.Complete refuses a step note with no step (R-BL-STEPS).
	fuzzStrictChecked(f, oneOrMany[bluelight.StepNote], func(ss *[]bluelight.StepNote) bool {
		return !slices.ContainsFunc(*ss, func(s bluelight.StepNote) bool { return !s.Step.Valid() })
	}, seedBodies("bluelight step")...)
}

func FuzzDecodeMeetingOption(f *testing.F) {
	// Meeting.Reject and Choose refuse an option that is none (R-BL-PREF).
	fuzzStrictChecked(f, strict[bluelightOptionInput], func(o *bluelightOptionInput) bool {
		return !slices.ContainsFunc(o.Rejections, func(r bluelight.Rejection) bool { return !r.Option.Valid() }) &&
			(o.Choice == nil || o.Choice.Option.Valid())
	}, append(seedBodies("bluelight option"),
		`{"rejections": [{"option": "home_package", "reason": "no staff tonight"}], "choice": {"option": "crisis_bed", "approved_by": "Dr A", "clinical_justification": "x"}}`)...)
}

func FuzzDecodeFunding(f *testing.F) {
	fuzzStrict(f, strict[bluelight.FundingRequest], append(seedBodies("bluelight fund"),
		`{"support": "s", "start": "2026-04-01T09:00:00Z", "stop": "2026-04-04T09:00:00Z", "cost_pence": 100, "split": {"local_authority": 50, "nhs": 50}, "split_agreed_by": "directors"}`)...)
}

func FuzzDecodeMeetingClose(f *testing.F) {
	// Meeting.Complete refuses a step note with no step (R-BL-STEPS), as
	// close completes them first: the fuzzer's {"steps": [{}]} is kept
	// under testdata/fuzz.
	fuzzStrictChecked(f, strict[bluelightCloseInput], func(c *bluelightCloseInput) bool {
		return !slices.ContainsFunc(c.Steps, func(s bluelight.StepNote) bool { return !s.Step.Valid() })
	}, seedBodies("bluelight close")...)
}
