package dsr_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"slices"
	"testing"

	"github.com/dsrkit/dsrkit/bluelight"
	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/cetr"
	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/register"
)

// The fuzz targets of the write decoders, over the record types the
// register and the CLI decode with dsr.UnmarshalStrict: whatever the
// bytes, decoding never panics; a refusal is a *dsr.ValidationError naming
// a field; an accepted input round-trips (decode, encode, decode gives the
// same value, seen through its encoding). They live here, beside the
// decoder, because this package's tests build without a policy engine or
// SQLite, so instrumenting them for fuzzing is quick; cmd/dsr has the same
// targets over the CLI's own input types (scripts/fuzz-input.sh runs both).

// fuzzWrite fuzzes the strict decoding of T. valid, when set, is the
// check the writer applies before anything else: an input is accepted
// when it decodes and passes valid.
func fuzzWrite[T any](f *testing.F, valid func(*T) bool, seeds ...string) {
	for _, s := range seeds {
		f.Add([]byte(s))
		f.Add([]byte(s + " {}"))
	}
	for _, s := range []string{`{}`, `null`, `[]`, "{\"id\": \"a\xff\"}", `{"id": "a", "id": "b"}`, `{"ID": "a"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var v T
		if err := dsr.UnmarshalStrict(data, &v); err != nil {
			var ve *dsr.ValidationError
			if !errors.Is(err, dsr.ErrInvalid) || !errors.As(err, &ve) || ve.Field == "" {
				t.Fatalf("error %v (%T) is not a ValidationError naming a field", err, err)
			}
			return
		}
		if valid != nil && !valid(&v) {
			return
		}
		b1, err := json.Marshal(v)
		if err != nil {
			t.Fatalf("an accepted input does not encode: %v", err)
		}
		var w T
		if err := dsr.UnmarshalStrict(b1, &w); err != nil {
			t.Fatalf("an accepted input, encoded as %s, is refused: %v", b1, err)
		}
		b2, err := json.Marshal(w)
		if err != nil || !bytes.Equal(b1, b2) {
			t.Fatalf("decode, encode, decode changed the value:\n%s\n%s (%v)", b1, b2, err)
		}
	})
}

func FuzzStrictEvent(f *testing.F) {
	fuzzWrite[dsr.Event](f, nil,
		`{"type": "review_held", "kind": "community", "date": "2026-03-31"}`,
		`{"type": "admitted", "date": "2026-02-01", "security": "low", "hospital": "Hospital B"}`,
		`{"type": "blue_light_meeting", "at": "2026-03-20T14:00:00+01:00"}`,
		`{"type": "rating_agreed", "date": "2026-02-15", "rating": "blue", "reason": "admitted", "by": "dsr-meeting"}`,
		`{"type": "consent_withdrawn", "date": "2026-03-21", "scope": ["dsr"]}`)
}

func FuzzStrictCircumstances(f *testing.F) {
	fuzzWrite[dsr.Circumstances](f, nil, `{"in_crisis": true, "community_cannot_manage": false, "mental_health_deteriorating": true}`)
}

func FuzzStrictNewPerson(f *testing.F) {
	fuzzWrite[register.NewPerson](f, nil,
		`{"person": {"id": "b", "nhs_number": "9990000026", "date_of_birth": "1990-05-05", "learning_disability": true, "postcode": "ZZ99 3VZ"},
		  "name": "Person B Synthetic", "address": "1 Test Street", "circumstances": {"in_crisis": true, "community_cannot_manage": true},
		  "events": [{"type": "consent_given", "date": "2026-03-29", "given_by": "self"}]}`,
		`{"person": {"id": "c", "date_of_birth": "2011-01-01", "autism": true}, "documents": [{"kind": "cetr_review", "id": "r1", "data": {"a": [1, {"b": null}]}}]}`)
}

func FuzzStrictDetails(f *testing.F) {
	fuzzWrite[register.Details](f, nil,
		`{"person": {"id": "b", "nhs_number": "9990000026", "date_of_birth": "1990-05-05", "autism": true}, "name": "Person B", "address": "1 Test Street"}`)
}

func FuzzStrictReferral(f *testing.F) {
	fuzzWrite[register.Referral](f, nil, `{"id": "req-1", "person_id": "a", "source": "family", "received": "2026-03-30", "summary": "asks to join"}`)
}

func FuzzStrictDecision(f *testing.F) {
	fuzzWrite[register.Decision](f, nil, `{"outcome": "accept", "date": "2026-04-01", "reasons": "meets the criteria", "next_steps": "add with consent"}`)
}

func FuzzStrictReviewParts(f *testing.F) {
	// The parts of review plan, hold, recommend and report bodies. A panel
	// member or a report recipient with no role is refused by the review
	// (Panel.Validate, R-CETR-PANEL; the report's recipients), so only
	// inputs whose roles are known count as accepted: the fuzzer's
	// {"panel": [{}]} is kept under testdata/fuzz.
	type parts struct {
		Consent         *cetr.Consent         `json:"consent"`
		Papers          []cetr.Paper          `json:"papers"`
		Panel           []cetr.Member         `json:"panel"`
		Recommendations []cetr.Recommendation `json:"recommendations"`
		Recipients      []cetr.Recipient      `json:"recipients"`
		Rating          *cetr.RatingAgreement `json:"rating"`
		Findings        map[string]string     `json:"findings"`
	}
	fuzzWrite(f, func(p *parts) bool { return rolesKnown(p.Panel, p.Recipients) },
		`{"consent": {"given": "2026-03-27", "given_by": "parent"}, "papers": [{"title": "Planner", "planner": true}],
		  "panel": [{"name": "Commissioner A", "role": "chair"}, {"name": "Expert C", "role": "expert_by_experience", "training_expires": "2099-12-31"}],
		  "recommendations": [{"who": "E", "what": "home support", "due": "2026-04-08"}, {"id": 2, "status": "dropped", "closed": "2026-04-02", "reason": "agreed"}],
		  "recipients": [{"role": "participant", "name": "Panel"}], "rating": {"date": "2026-04-01", "rating": "red", "by": "DSR meeting"},
		  "findings": {"am_i_safe": "safe with support"}}`)
}

func FuzzStrictReviewDocument(f *testing.F) {
	// A review as the register stores it: register.ReviewFromDocument
	// decodes it and then checks it (cetr.Review.Validate).
	rev, err := cetr.New(cetr.Plan{ID: "rev-1", Person: dsr.Person{ID: "a", DateOfBirth: calendar.MustParseDate("2012-01-01"), Autism: true},
		Kind: cetr.Community, Planned: calendar.MustParseDate("2026-04-01"), Commissioner: "Commissioner A"}, cetr.DefaultParams())
	if err != nil {
		f.Fatal(err)
	}
	trained := calendar.MustParseDate("2099-12-31")
	if err := rev.SetPanel(cetr.Member{Name: "Commissioner A", Role: cetr.Chair},
		cetr.Member{Name: "Clinical Expert B", Role: cetr.ClinicalExpert, TrainingExpires: trained},
		cetr.Member{Name: "Expert C", Role: cetr.ExpertByExperience, TrainingExpires: trained},
		cetr.Member{Name: "Teacher D", Role: cetr.Education}); err != nil {
		f.Fatal(err)
	}
	if err := rev.Validate(); err != nil {
		f.Fatal(err) // the seed must be a review the register would read
	}
	stored, err := json.Marshal(rev)
	if err != nil {
		f.Fatal(err)
	}
	fuzzWrite(f, func(r *cetr.Review) bool { return r.Validate() == nil }, string(stored))
}

func FuzzStrictMeetingOpening(f *testing.F) {
	fuzzWrite[bluelight.Opening](f, nil,
		`{"id": "bl-1", "person_id": "a", "date_of_birth": "2011-01-01", "person_invited": true,
		  "criteria": {"unexpected_crisis": true, "no_time_for_cetr": true, "known_to_services": true},
		  "invitations_sent": "2026-04-01T08:15:00Z", "call_at": "2026-04-01T09:00:00Z"}`)
}

func FuzzStrictAttendee(f *testing.F) {
	// Meeting.Attend refuses an attendee with no role (R-BL-INVITE).
	fuzzWrite(f, func(a *bluelight.Attendee) bool { return a.Role.Valid() }, `{"role": "psychiatrist", "name": "Dr Synthetic"}`)
}

func FuzzStrictStepNote(f *testing.F) {
	// Meeting.Complete refuses a note with no step (R-BL-STEPS).
	fuzzWrite(f, func(s *bluelight.StepNote) bool { return s.Step.Valid() }, `{"step": "introduction", "notes": "crisis tonight"}`)
}

func FuzzStrictMeetingOption(f *testing.F) {
	type option struct {
		Rejections []bluelight.Rejection `json:"rejections"`
		Choice     *bluelight.Choice     `json:"choice"`
	}
	// Meeting.Reject and Choose refuse an option that is none.
	fuzzWrite(f, func(o *option) bool {
		return !slices.ContainsFunc(o.Rejections, func(r bluelight.Rejection) bool { return !r.Option.Valid() }) &&
			(o.Choice == nil || o.Choice.Option.Valid())
	}, `{"rejections": [{"option": "home_package", "reason": "no staff tonight"}], "choice": {"option": "crisis_bed", "detail": "d", "approved_by": "Dr A", "clinical_justification": "x"}}`)
}

func FuzzStrictFunding(f *testing.F) {
	fuzzWrite[bluelight.FundingRequest](f, nil,
		`{"support": "two waking night staff", "provider": "Provider Alpha", "provider_accredited": true,
		  "start": "2026-04-01T09:00:00Z", "stop": "2026-04-04T09:00:00Z", "cost_pence": 432101, "split_agreed_by": "directors"}`)
}

func FuzzStrictMeetingClose(f *testing.F) {
	type closing struct {
		Steps   []bluelight.StepNote `json:"steps"`
		Outcome bluelight.Outcome    `json:"outcome"`
	}
	fuzzWrite(f, func(c *closing) bool {
		return !slices.ContainsFunc(c.Steps, func(s bluelight.StepNote) bool { return !s.Step.Valid() })
	}, `{"steps": [{"step": "decision", "notes": "home package"}, {"step": "record", "notes": "recorded"}], "outcome": {"sustainable_placement": true, "notes": "n"}}`)
}

// rolesKnown says whether every panel member and report recipient has a
// known role, as a review takes them.
func rolesKnown(panel []cetr.Member, recipients []cetr.Recipient) bool {
	return !slices.ContainsFunc(panel, func(m cetr.Member) bool { return !m.Role.Valid() }) &&
		!slices.ContainsFunc(recipients, func(r cetr.Recipient) bool { return !r.Role.Valid() })
}
