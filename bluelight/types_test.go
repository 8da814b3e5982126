package bluelight_test

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsrkit/dsrkit/bluelight"
	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/dsr"
)

func TestPenceString(t *testing.T) {
	for p, want := range map[bluelight.Pence]string{
		0: "£0.00", 7: "£0.07", 100: "£1.00", 123456: "£1,234.56", 100000000: "£1,000,000.00",
		-350: "-£3.50", 99999: "£999.99", math.MaxInt64: "£92,233,720,368,547,758.07",
		math.MinInt64: "-£92,233,720,368,547,758.08",
	} {
		assert.Equal(t, want, p.String(), int64(p))
	}
}

func TestPercent(t *testing.T) {
	for bp, want := range map[int]string{0: "0%", 5000: "50%", 6250: "62.5%", 3333: "33.33%", 10000: "100%", 1: "0.01%", 10: "0.1%"} {
		assert.Equal(t, want, bluelight.Percent(bp))
	}
}

// R-BL-FUND: the odd penny goes to health.
func TestSharesOddPenny(t *testing.T) {
	half := bluelight.Split{LocalAuthorityBP: 5000, HealthBP: 5000}
	la, h := half.Shares(10001)
	assert.Equal(t, [2]bluelight.Pence{5000, 5001}, [2]bluelight.Pence{la, h})
	la, h = bluelight.Split{LocalAuthorityBP: 10000}.Shares(12345)
	assert.Equal(t, [2]bluelight.Pence{12345, 0}, [2]bluelight.Pence{la, h})
	la, h = bluelight.Split{HealthBP: 10000}.Shares(12345)
	assert.Equal(t, [2]bluelight.Pence{0, 12345}, [2]bluelight.Pence{la, h})
}

func TestSplitValidate(t *testing.T) {
	assert.NoError(t, bluelight.Split{LocalAuthorityBP: 7000, HealthBP: 3000}.Validate("split"))
	ve := asInvalid(t, bluelight.Split{LocalAuthorityBP: -1, HealthBP: 10001}.Validate("funding.split"))
	assert.Equal(t, "funding.split", ve.Field)
	asInvalid(t, bluelight.Split{LocalAuthorityBP: 5000, HealthBP: 4999}.Validate("split"))
}

func TestEnumsText(t *testing.T) {
	for _, r := range bluelight.Roles {
		b, err := r.MarshalText()
		require.NoError(t, err)
		got, err := bluelight.ParseRole(string(b))
		require.NoError(t, err)
		assert.Equal(t, r, got)
		assert.NotEmpty(t, r.Title())
	}
	for _, s := range bluelight.Steps {
		got, err := bluelight.ParseStep(s.String())
		require.NoError(t, err)
		assert.Equal(t, s, got)
	}
	for _, o := range bluelight.Options {
		got, err := bluelight.ParseOption(o.String())
		require.NoError(t, err)
		assert.Equal(t, o, got)
	}
	r, err := bluelight.ParseRole("NAMED_NURSE")
	require.NoError(t, err)
	assert.Equal(t, bluelight.RoleNamedNurse, r)

	var a bluelight.Attendee
	err = json.Unmarshal([]byte(`{"role":"school_senco","name":"Teacher D"}`), &a)
	require.NoError(t, err)
	assert.Equal(t, bluelight.RoleSchoolSENCO, a.Role)
	err = json.Unmarshal([]byte(`{"role":"dentist"}`), &a)
	assert.ErrorIs(t, err, dsr.ErrInvalid)
	assert.ErrorContains(t, err, `unknown role "dentist"`)

	_, err = bluelight.Role(0).MarshalText()
	asInvalid(t, err)
	_, err = json.Marshal(bluelight.Attendee{Role: 99})
	assert.Error(t, err)
	assert.Equal(t, "role(99)", bluelight.Role(99).String())
	_, err = bluelight.ParseStep("lunch")
	assert.Equal(t, "step", asInvalid(t, err).Field)
	_, err = bluelight.ParseOption("")
	assert.Equal(t, "option", asInvalid(t, err).Field)
}

func TestParams(t *testing.T) {
	p := bluelight.DefaultParams()
	require.NoError(t, p.Validate())
	assert.Equal(t, 72, p.MaxFundedHours)
	assert.Equal(t, 30, p.NoticeMinutes)
	assert.Equal(t, 17, p.TransitionAge)
	assert.Len(t, p.MustAttend, 12)
	assert.Equal(t, calendar.Deadline{N: 72, Unit: calendar.Hours}, p.ReviewAfter)

	bad := bluelight.Params{
		MustAttend:      []bluelight.Role{bluelight.RoleFamily, bluelight.RoleFamily, bluelight.RolePerson, 77},
		TransitionAge:   -1,
		NoticeMinutes:   -5,
		Options:         []bluelight.Option{bluelight.OptionHomePackage, bluelight.OptionOutOfArea, bluelight.OptionLocalInpatient},
		DefaultSplit:    bluelight.Split{LocalAuthorityBP: 5000},
		ReviewAfter:     calendar.Deadline{N: 72},
		AdmissionReview: calendar.Deadline{N: 14, Unit: calendar.Days},
	}
	err := bad.Validate()
	var fields []string
	for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
		var ve *dsr.ValidationError
		require.True(t, errors.As(e, &ve))
		fields = append(fields, ve.Field)
	}
	assert.Equal(t, []string{
		"blue_light_must_attend[1]", "blue_light_must_attend[2]", "blue_light_must_attend[3]",
		"blue_light_must_attend", "blue_light_transition_age", "blue_light_notice_minutes",
		"blue_light_options[2]", "blue_light_max_funded_hours", "blue_light_default_split",
		"review_after_blue_light",
	}, fields)
	_, err = bluelight.NewGoRules(bad)
	assert.ErrorIs(t, err, dsr.ErrInvalid)

	// Params round-trip through JSON with the names a bundle uses.
	b, err := json.Marshal(bluelight.DefaultParams())
	require.NoError(t, err)
	assert.Contains(t, string(b), `"blue_light_must_attend":["family","psychiatrist",`)
	assert.Contains(t, string(b), `"review_after_blue_light":{"n":72,"unit":"hours"}`)
	var back bluelight.Params
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, bluelight.DefaultParams(), back)

	// GoRules keeps its own copy.
	r, err := bluelight.NewGoRules(p)
	require.NoError(t, err)
	p.MustAttend[0] = bluelight.RoleAdvocate
	assert.Equal(t, bluelight.RoleFamily, r.Params().MustAttend[0])
}

// A policy engine that returns a decision the meeting cannot use is an
// error, not a record.
type brokenRules struct{ *bluelight.GoRules }

func (b brokenRules) Invitees(ctx2 context.Context, in bluelight.InviteesInput) (bluelight.InviteesDecision, error) {
	return bluelight.InviteesDecision{Required: []bluelight.Role{bluelight.RoleCommissioner, 0}}, nil
}

func (b brokenRules) Funding(ctx2 context.Context, in bluelight.FundingInput) (bluelight.FundingDecision, error) {
	// Authorises anything, even past the cap.
	return bluelight.FundingDecision{Authorised: true, Split: bluelight.Split{LocalAuthorityBP: 5000, HealthBP: 5000}}, nil
}

type laxFunding struct{ *bluelight.GoRules }

func (l laxFunding) Funding(ctx2 context.Context, in bluelight.FundingInput) (bluelight.FundingDecision, error) {
	return bluelight.FundingDecision{Authorised: true, Split: bluelight.Split{LocalAuthorityBP: 5000, HealthBP: 5000}}, nil
}

func TestRulesDecisionsChecked(t *testing.T) {
	_, err := bluelight.Open(ctx, brokenRules{wiltshire(t)}, opening(london("2026-06-01 10:00")))
	assert.ErrorIs(t, err, bluelight.ErrBadDecision)

	m, err := bluelight.Open(ctx, laxFunding{wiltshire(t)}, opening(london("2026-06-01 10:00")))
	require.NoError(t, err)
	re := asRule(t, m.Fund(ctx, homePackage(london("2026-06-01 10:00"), 73)))
	assert.Equal(t, "R-BL-FUND", re.Rule, "Go enforces the cap whatever the rules say")

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	_, err = bluelight.Open(cancelled, wiltshire(t), opening(london("2026-06-01 10:00")))
	assert.ErrorIs(t, err, context.Canceled)
}
