package eval

import "github.com/dsrkit/dsrkit/internal/bundle"

// The inputs of the optional points, as both engines see them: Rego as
// input.<field>, CEL as the typed variable input (input.<field>). JSON and
// CEL names are the same snake_case words.

// CriteriaInput is bluelight_criteria's input.
type CriteriaInput struct {
	UnexpectedCrisis    bool `json:"unexpected_crisis" cel:"unexpected_crisis"`
	CrisisPlanBreakdown bool `json:"crisis_plan_breakdown" cel:"crisis_plan_breakdown"`
	CannotSupportAtHome bool `json:"cannot_support_at_home" cel:"cannot_support_at_home"`
	NoTimeForCETR       bool `json:"no_time_for_cetr" cel:"no_time_for_cetr"`
	KnownToServices     bool `json:"known_to_services" cel:"known_to_services"`
}

// InviteesInput is bluelight_invitees' input.
type InviteesInput struct {
	Age           int  `json:"age" cel:"age"`
	PersonInvited bool `json:"person_invited" cel:"person_invited"`
}

// SplitInput is a split in basis points; both 0 means none requested.
type SplitInput struct {
	LocalAuthorityBP int `json:"local_authority_bp" cel:"local_authority_bp"`
	HealthBP         int `json:"health_bp" cel:"health_bp"`
}

// FundingInput is bluelight_funding's input.
type FundingInput struct {
	Minutes            int64      `json:"minutes" cel:"minutes"`
	CostPence          int64      `json:"cost_pence" cel:"cost_pence"`
	Provider           string     `json:"provider" cel:"provider"`
	ProviderAccredited bool       `json:"provider_accredited" cel:"provider_accredited"`
	Split              SplitInput `json:"split" cel:"split"`
	SplitAgreedBy      string     `json:"split_agreed_by" cel:"split_agreed_by"`
}

// PointInputs makes a pointer to a zero input for each optional point that
// takes one (cetr_rules takes none).
var PointInputs = map[string]func() any{
	bundle.PointBlueLightCriteria: func() any { return new(CriteriaInput) },
	bundle.PointBlueLightInvitees: func() any { return new(InviteesInput) },
	bundle.PointBlueLightFunding:  func() any { return new(FundingInput) },
}
