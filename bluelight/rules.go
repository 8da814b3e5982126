package bluelight

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/dsrkit/dsrkit/dsr"
)

// NotCommunityCETR is what every meeting record and minute states
// (R-BL-CRIT): the meeting does not stand in for a community C(E)TR, so it
// never counts as one when a post-admission review is worked out.
const NotCommunityCETR = "A Blue Light meeting is not a community C(E)TR"

// Rules are the Blue Light decision points: may a meeting be called
// (bluelight_criteria), who must attend (bluelight_invitees), and may this
// support be funded (bluelight_funding), with the parameters they use. A
// policy engine implements Rules from a bundle; GoRules is the
// implementation in Go. Implementations must be safe for concurrent use.
// "No" is a decision, not an error: an error means the rules could not
// decide.
type Rules interface {
	Params() Params
	Criteria(ctx context.Context, in CriteriaInput) (CriteriaDecision, error)
	Invitees(ctx context.Context, in InviteesInput) (InviteesDecision, error)
	Funding(ctx context.Context, in FundingInput) (FundingDecision, error)
}

// CriteriaInput are the facts R-BL-CRIT decides on. All default to false.
type CriteriaInput struct {
	// The immediate risk of an inpatient placement comes from one of these.
	UnexpectedCrisis    bool `json:"unexpected_crisis"`
	CrisisPlanBreakdown bool `json:"crisis_plan_breakdown" jsonschema:"description=The crisis or contingency plan has broken down."`
	CannotSupportAtHome bool `json:"cannot_support_at_home" jsonschema:"description=Cannot be supported safely at home even with intensive support."`
	// NoTimeForCETR: there is no time for a C(E)TR.
	NoTimeForCETR bool `json:"no_time_for_cetr"`
	// KnownToServices: known to the CAMHS provider or children's social care.
	KnownToServices bool `json:"known_to_services"`
}

// Conditions of R-BL-CRIT, as CriteriaDecision.Unmet names them.
const (
	CondCrisis          = "crisis"            // an unexpected crisis, a plan breakdown or cannot be supported at home
	CondNoTimeForCETR   = "no_time_for_cetr"  // no time for a C(E)TR
	CondKnownToServices = "known_to_services" // known to the CAMHS provider or children's social care (where the area requires it)
)

// CriteriaDecision says whether a Blue Light meeting may be called, which
// conditions are unmet, and why (R-BL-CRIT).
type CriteriaDecision struct {
	Met     bool         `json:"met"`
	Unmet   []string     `json:"unmet,omitempty"`
	Reasons []dsr.Reason `json:"reasons"`
}

// InviteesInput are the facts R-BL-INVITE decides on.
type InviteesInput struct {
	// Age in completed years on the day of the call.
	Age int `json:"age"`
	// PersonInvited: it is appropriate to invite the person.
	PersonInvited bool `json:"person_invited"`
}

// InviteesDecision lists the roles that must attend, in the order the
// minute shows them, and those invited who need not attend (R-BL-INVITE).
type InviteesDecision struct {
	Required []Role       `json:"required"`
	Invited  []Role       `json:"invited,omitempty"`
	Reasons  []dsr.Reason `json:"reasons"`
}

// FundingInput is a valid funding request (FundingRequest.Validate has
// passed) with its elapsed length in whole minutes, for rules that cannot
// subtract instants.
type FundingInput struct {
	Request FundingRequest `json:"request"`
	Minutes int64          `json:"minutes"`
}

// Refusal is one reason funding is not authorised: the field refused, the
// rule, and why.
type Refusal struct {
	Field   string `json:"field"`
	Rule    string `json:"rule"`
	Message string `json:"message"`
}

// FundingDecision says whether a request may be authorised, with the split
// in force (the request's, or the area's default when the request has
// none), and why not when it may not (R-BL-FUND).
type FundingDecision struct {
	Authorised bool         `json:"authorised"`
	Split      Split        `json:"split"`
	Refusals   []Refusal    `json:"refusals,omitempty"`
	Reasons    []dsr.Reason `json:"reasons"`
}

// GoRules implements Rules in Go from Params. With DefaultParams it decides
// as Wiltshire's policy does; policy bundles reimplement the same decision
// points in Rego and CEL. A GoRules is immutable and safe for concurrent
// use.
type GoRules struct {
	p Params
}

// NewGoRules returns rules deciding with p, or p's validation errors.
func NewGoRules(p Params) (*GoRules, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	return &GoRules{p: p.clone()}, nil
}

// Params returns a copy of the parameters the rules decide with.
func (g *GoRules) Params() Params { return g.p.clone() }

// Criteria decides R-BL-CRIT: an unexpected crisis, a breakdown of the crisis
// or contingency plan, or the person can no longer be supported safely at
// home even with intensive support; and no time for a C(E)TR; and, where the
// area requires it, known to the CAMHS provider or children's social care.
// The reasons always say that the meeting is not a community C(E)TR.
func (g *GoRules) Criteria(ctx context.Context, in CriteriaInput) (CriteriaDecision, error) {
	if err := ctx.Err(); err != nil {
		return CriteriaDecision{}, err
	}
	d := CriteriaDecision{Met: true}
	say := func(format string, args ...any) {
		d.Reasons = append(d.Reasons, dsr.Reason{Rule: "R-BL-CRIT", Message: fmt.Sprintf(format, args...)})
	}
	unmet := func(cond, format string, args ...any) {
		d.Met = false
		d.Unmet = append(d.Unmet, cond)
		say(format, args...)
	}
	if in.UnexpectedCrisis {
		say("immediate risk of an inpatient placement: an unexpected crisis")
	}
	if in.CrisisPlanBreakdown {
		say("immediate risk of an inpatient placement: the crisis or contingency plan has broken down")
	}
	if in.CannotSupportAtHome {
		say("immediate risk of an inpatient placement: cannot be supported safely at home even with intensive support")
	}
	if !in.UnexpectedCrisis && !in.CrisisPlanBreakdown && !in.CannotSupportAtHome {
		unmet(CondCrisis, "no unexpected crisis, plan breakdown or loss of safe support at home")
	}
	if in.NoTimeForCETR {
		say("there is no time for a C(E)TR")
	} else {
		unmet(CondNoTimeForCETR, "there is time for a C(E)TR: hold one instead")
	}
	if g.p.RequireKnownToServices {
		if in.KnownToServices {
			say("known to the CAMHS provider or children's social care")
		} else {
			unmet(CondKnownToServices, "not known to the CAMHS provider or children's social care, as the area requires")
		}
	}
	say("%s", NotCommunityCETR)
	return d, nil
}

// Invitees decides R-BL-INVITE: the must-attend roles, the transition roles
// when the person is at or over the transition age, and the person when it
// is appropriate to invite them.
func (g *GoRules) Invitees(ctx context.Context, in InviteesInput) (InviteesDecision, error) {
	if err := ctx.Err(); err != nil {
		return InviteesDecision{}, err
	}
	d := InviteesDecision{Required: slices.Clone(g.p.MustAttend)}
	d.Reasons = append(d.Reasons, dsr.Reason{Rule: "R-BL-INVITE", Message: fmt.Sprintf("%d roles must attend every meeting", len(g.p.MustAttend))})
	if in.Age >= g.p.TransitionAge && len(g.p.TransitionRoles) > 0 {
		d.Required = append(d.Required, g.p.TransitionRoles...)
		d.Reasons = append(d.Reasons, dsr.Reason{Rule: "R-BL-INVITE", Message: fmt.Sprintf("aged %d, at or past the transition age of %d: transition services must attend", in.Age, g.p.TransitionAge)})
	}
	if in.PersonInvited {
		d.Invited = []Role{RolePerson}
		d.Reasons = append(d.Reasons, dsr.Reason{Rule: "R-BL-INVITE", Message: "the person is invited"})
	}
	return d, nil
}

// Funding decides R-BL-FUND: at most MaxFundedHours elapsed hours; the
// default split unless the request names another and the senior leader who
// agreed it; an accredited provider where the area requires it.
func (g *GoRules) Funding(ctx context.Context, in FundingInput) (FundingDecision, error) {
	if err := ctx.Err(); err != nil {
		return FundingDecision{}, err
	}
	r := in.Request
	d := FundingDecision{Authorised: true, Split: g.p.DefaultSplit}
	refuse := func(field, format string, args ...any) {
		d.Authorised = false
		d.Refusals = append(d.Refusals, Refusal{Field: field, Rule: "R-BL-FUND", Message: fmt.Sprintf(format, args...)})
	}
	say := func(format string, args ...any) {
		d.Reasons = append(d.Reasons, dsr.Reason{Rule: "R-BL-FUND", Message: fmt.Sprintf(format, args...)})
	}
	if limit := int64(g.p.MaxFundedHours) * 60; in.Minutes > limit {
		refuse("funding.stop", "%s of support is over the cap of %d hours", formatDuration(time.Duration(in.Minutes)*time.Minute), g.p.MaxFundedHours)
	} else {
		say("%s of support, within the cap of %d hours", formatDuration(time.Duration(in.Minutes)*time.Minute), g.p.MaxFundedHours)
	}
	if !r.Split.IsZero() && r.Split != g.p.DefaultSplit {
		if r.SplitAgreedBy == "" {
			refuse("funding.split_agreed_by", "a split other than %s needs the senior leader who agreed it", g.p.DefaultSplit)
		} else {
			d.Split = r.Split
			say("split %s agreed by %s", r.Split, r.SplitAgreedBy)
		}
	} else {
		say("default split %s", g.p.DefaultSplit)
	}
	if g.p.RequireAccredited {
		if r.ProviderAccredited {
			say("provider %s is accredited", r.Provider)
		} else {
			refuse("funding.provider_accredited", "provider %s is not marked accredited", r.Provider)
		}
	}
	return d, nil
}

// formatDuration formats d as "72h", "72h30m" or "45m".
func formatDuration(d time.Duration) string {
	h, m := int64(d/time.Hour), int64(d%time.Hour/time.Minute)
	switch {
	case h == 0:
		return fmt.Sprintf("%dm", m)
	case m == 0:
		return fmt.Sprintf("%dh", h)
	}
	return fmt.Sprintf("%dh%dm", h, m)
}
