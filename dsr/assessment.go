package dsr

import (
	"context"
	"time"

	"github.com/dsrkit/dsrkit/calendar"
)

// ActionKind names something that must be done for a person (docs/architecture.md).
type ActionKind string

// The action kinds.
const (
	ActionCommunityReview       ActionKind = "community_review"
	ActionMDTMeetingOrReview    ActionKind = "mdt_meeting_or_review"
	ActionKeyworkerReferral     ActionKind = "keyworker_referral"
	ActionRecordReviewPartners  ActionKind = "record_review_partners"
	ActionPostAdmissionReview   ActionKind = "post_admission_review"
	ActionSixWeekReview         ActionKind = "six_week_review"
	ActionInpatientReview       ActionKind = "inpatient_review"
	ActionTriggerReview         ActionKind = "trigger_review"
	ActionStatutoryReview       ActionKind = "statutory_review"
	ActionRootCauseAnalysis     ActionKind = "root_cause_analysis"
	ActionReviewReport          ActionKind = "review_report"
	ActionOversightVisit        ActionKind = "oversight_visit"
	ActionDSRReview             ActionKind = "dsr_review"
	ActionConsentReconfirm      ActionKind = "consent_reconfirm"
	ActionReviewAfterBlueLight  ActionKind = "review_after_blue_light"
	ActionAdultRegisterReferral ActionKind = "adult_register_referral"
)

// The action kinds the register adds to its worklist besides those the
// rules produce: from requests to join, and from the documents it keeps
// (the records of reviews and Blue Light meetings, see
// register.DocumentKind).
const (
	// ActionReferralDecision: decide a request to join (R-REQ-1).
	ActionReferralDecision ActionKind = "referral_decision"
	// ActionRatingAgreement: re-agree the register rating after a review
	// (R-REV-2).
	ActionRatingAgreement ActionKind = "rating_agreement"
	// ActionReviewRecommendation: an open recommendation of a review
	// (R-CETR-ACT).
	ActionReviewRecommendation ActionKind = "review_recommendation"
	// ActionRecommendationEscalation: an overdue recommendation to take to
	// the ICB oversight panel (R-CETR-ACT).
	ActionRecommendationEscalation ActionKind = "recommendation_escalation"
	// ActionBlueLightFundingStop: the support a Blue Light meeting funded
	// stops (R-BL-FUND, R-BL-FOLLOW).
	ActionBlueLightFundingStop ActionKind = "blue_light_funding_stop"
	// ActionBlueLightEscalation: escalate an unsatisfactory Blue Light
	// outcome to the directors of commissioning (R-BL-ESC).
	ActionBlueLightEscalation ActionKind = "blue_light_escalation"
)

// ActionKinds lists every action kind.
var ActionKinds = []ActionKind{
	ActionCommunityReview, ActionMDTMeetingOrReview, ActionKeyworkerReferral,
	ActionRecordReviewPartners, ActionPostAdmissionReview, ActionSixWeekReview,
	ActionInpatientReview, ActionTriggerReview, ActionStatutoryReview, ActionRootCauseAnalysis,
	ActionReviewReport, ActionOversightVisit, ActionDSRReview, ActionConsentReconfirm,
	ActionReviewAfterBlueLight, ActionAdultRegisterReferral,
	ActionReferralDecision, ActionRatingAgreement, ActionReviewRecommendation,
	ActionRecommendationEscalation, ActionBlueLightFundingStop, ActionBlueLightEscalation,
}

// Valid reports whether k is one of ActionKinds.
func (k ActionKind) Valid() bool { return oneOf(k, ActionKinds) }

// Reason is one rule that fired, with what it found.
type Reason struct {
	Rule    string `json:"rule"`
	Message string `json:"message"`
}

// Action is something due for a person, with the rule that asks for it.
// Due is a date for day-based rules; DueAt an instant for hour-based ones.
type Action struct {
	Kind ActionKind `json:"kind"`
	// From is the date of the event that caused the action (the admission,
	// the review, the meeting); nothing is due before it.
	From    calendar.Date `json:"from,omitzero" jsonschema:"type=string,format=date"`
	Due     calendar.Date `json:"due,omitzero" jsonschema:"type=string,format=date"`
	DueAt   time.Time     `json:"due_at,omitzero"`
	Rule    string        `json:"rule"`
	Reason  string        `json:"reason"`
	Overdue bool          `json:"overdue"`
}

// DueDate returns Due, or the London date of DueAt.
func (a *Action) DueDate() calendar.Date {
	if a.Due.IsZero() && !a.DueAt.IsZero() {
		return calendar.DateOf(a.DueAt)
	}
	return a.Due
}

// ConsentDecision says whether consent for inclusion holds on as_of
// (R-CONS-1..5), who gave it, and why.
type ConsentDecision struct {
	Valid   bool     `json:"valid"`
	GivenBy string   `json:"given_by,omitempty"`
	Reasons []Reason `json:"reasons"`
}

// PolicyRef names the bundle that decided.
type PolicyRef struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	Digest  string `json:"digest" jsonschema:"description=sha256 of the bundle's files and parameters in force."`
	Engine  string `json:"engine,omitempty" jsonschema:"description=Engines that evaluated the decision points (rego\\, cel or both)."`
}

// Review types (R-CETR-TYPE).
const (
	ReviewTypeCETR = "cetr"
	ReviewTypeCTR  = "ctr"
)

// Assessment is what the rules decide about one case.
type Assessment struct {
	AsOf     calendar.Date   `json:"as_of" jsonschema:"type=string,format=date"`
	Policy   PolicyRef       `json:"policy"`
	Eligible bool            `json:"eligible"`
	Consent  ConsentDecision `json:"consent"`
	// OnRegister is Eligible and Consent.Valid (R-CONS-1).
	OnRegister bool `json:"on_register"`
	// Rating is the rating the rules suggest; Unrated ("") when not eligible.
	Rating Rating `json:"rating" jsonschema:"type=string,enum=,enum=red,enum=amber,enum=green,enum=blue"`
	// AgreedRating is the latest rating_agreed event's rating, reported beside
	// the suggestion and never overwritten by it (R-RAG-AGREED).
	AgreedRating Rating `json:"agreed_rating" jsonschema:"type=string,enum=,enum=red,enum=amber,enum=green,enum=blue"`
	// RatingOfRecord is the rating the register acts on (R-RAG-AGREED-2):
	// the register review cadence and the rating's actions follow it. It is
	// chosen by the bundle's cadence_rating parameter from the suggestion
	// and a current agreed rating, is BLUE whenever the person is an
	// inpatient, and is Unrated when not eligible. A reason citing
	// R-RAG-AGREED-2 says which rating it is and why.
	RatingOfRecord Rating   `json:"rating_of_record" jsonschema:"type=string,enum=,enum=red,enum=amber,enum=green,enum=blue"`
	ReviewType     string   `json:"review_type" jsonschema:"enum=cetr,enum=ctr"`
	Actions        []Action `json:"actions"`
	Reasons        []Reason `json:"reasons"`
}

// Rules decides about cases. policies.Engine implements it; the Register
// (package register) consumes it without knowing which engine is behind it.
type Rules interface {
	Assess(ctx context.Context, c Case) (Assessment, error)
}

// RatingDecision is the part of an assessment that rates the person: the
// same eligibility, ratings and reasons as the Assessment of the same case,
// without consent, review type or actions. Reasons are the assessment's
// reasons of eligibility (R-ELIG-*), of the rating (R-RAG-*) and of the
// rating of record (R-RAG-AGREED-2, R-RAG-AGREED), in the assessment's
// order.
type RatingDecision struct {
	AsOf     calendar.Date `json:"as_of"`
	Policy   PolicyRef     `json:"policy"`
	Eligible bool          `json:"eligible"`
	// Rating, AgreedRating and RatingOfRecord are the Assessment's.
	Rating         Rating   `json:"rating"`
	AgreedRating   Rating   `json:"agreed_rating"`
	RatingOfRecord Rating   `json:"rating_of_record"`
	Reasons        []Reason `json:"reasons"`
}

// Rater is implemented by Rules that can rate a case without assessing it
// whole (policies.Engine does): what a report needs of a date for which it
// lists no actions, for less than an assessment costs. Rate's answer is
// the Assessment's for the same case (see RatingDecision); a case Assess
// refuses as invalid, Rate refuses too. A caller holding only Rules falls
// back to Assess.
type Rater interface {
	Rate(ctx context.Context, c Case) (RatingDecision, error)
}
