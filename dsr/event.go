package dsr

import (
	"time"

	"github.com/dsrkit/dsrkit/calendar"
)

// EventType names an event in a person's history (docs/rules.md#vocabulary).
type EventType string

// The event types of the case contract.
const (
	EventReferralReceived  EventType = "referral_received"
	EventConsentGiven      EventType = "consent_given"
	EventConsentWithdrawn  EventType = "consent_withdrawn"
	EventAdmitted          EventType = "admitted"
	EventTransferred       EventType = "transferred"
	EventDischarged        EventType = "discharged"
	EventReviewHeld        EventType = "review_held"
	EventReportSent        EventType = "report_sent"
	EventRatingAgreed      EventType = "rating_agreed"
	EventRegisterReviewed  EventType = "register_reviewed"
	EventBlueLightMeeting  EventType = "blue_light_meeting"
	EventOversightVisit    EventType = "oversight_visit"
	EventDiagnosisAdded    EventType = "diagnosis_added"
	EventDiagnosisRemoved  EventType = "diagnosis_removed"
	EventCrisisTeamEpisode EventType = "crisis_team_episode"
	// EventAdultReferralMade records that a person ageing out of a
	// children's register was referred to the adult register (R-REM-1).
	EventAdultReferralMade EventType = "adult_referral_made"
)

// EventTypes lists every event type.
var EventTypes = []EventType{
	EventReferralReceived, EventConsentGiven, EventConsentWithdrawn, EventAdmitted,
	EventTransferred, EventDischarged, EventReviewHeld, EventReportSent, EventRatingAgreed,
	EventRegisterReviewed, EventBlueLightMeeting, EventOversightVisit, EventDiagnosisAdded,
	EventDiagnosisRemoved, EventCrisisTeamEpisode, EventAdultReferralMade,
}

// Valid reports whether t is one of EventTypes.
func (t EventType) Valid() bool { return oneOf(t, EventTypes) }

// Who consents, or withdraws consent (R-CONS-2).
const (
	BySelf          = "self"
	ByParent        = "parent"
	ByDeputy        = "deputy"
	ByAttorney      = "attorney"
	ByBestInterests = "best_interests"
)

// ConsentGivers lists the valid given_by values.
var ConsentGivers = []string{BySelf, ByParent, ByDeputy, ByAttorney, ByBestInterests}

// Consent scopes: what consent covers.
const (
	ScopeDSR     = "dsr"     // inclusion on the register
	ScopeCETR    = "cetr"    // a Care (Education) and Treatment Review
	ScopeSharing = "sharing" // information sharing
)

// ConsentScopes lists the valid scope values.
var ConsentScopes = []string{ScopeDSR, ScopeCETR, ScopeSharing}

// Referral sources (R-REQ-1).
var ReferralSources = []string{"self", "family", "professional"}

// Ward security levels, least to most secure.
var SecurityLevels = []string{"general", "picu", "low", "medium", "high"}

// SecureSettings are the security levels that count as secure for adult
// inpatient review cadence (R-CETR-INP).
var SecureSettings = []string{"low", "medium", "high"}

// LegalStatuses lists the legal statuses an admission may carry: informal,
// or a section of the Mental Health Act 1983.
var LegalStatuses = []string{
	"informal", "s2", "s3", "s4", "s5_2", "s5_4", "s35", "s36", "s37", "s37_41",
	"s38", "s45a", "s47", "s47_49", "s48", "s48_49", "s135", "s136", "cto",
}

// Review kinds (R-CETR-*).
const (
	ReviewCommunity     = "community"
	ReviewPostAdmission = "post_admission"
	ReviewInpatient     = "inpatient"
	ReviewTrigger       = "trigger"
	ReviewStatutory     = "statutory"
)

// ReviewKinds lists the valid review_held kinds.
var ReviewKinds = []string{ReviewCommunity, ReviewPostAdmission, ReviewInpatient, ReviewTrigger, ReviewStatutory}

// Conditions a diagnosis event may name.
var Conditions = []string{"autism", "learning_disability"}

// Event is one dated entry in a person's history. Which fields apply depends
// on Type; the others stay empty. Date is required for every type except
// blue_light_meeting, which carries At (an instant) and may omit Date. A
// review_held may carry At as well as Date, the time it was held: a review
// on the day of a Blue Light meeting answers the meeting's follow-up only
// if it was held after the meeting (R-BL-FOLLOW-2).
type Event struct {
	Type EventType     `json:"type"`
	Date calendar.Date `json:"date,omitzero" jsonschema:"type=string,format=date"`
	// At is the instant of a blue_light_meeting, or the time a review_held
	// was held (RFC 3339); no other event carries one.
	At time.Time `json:"at,omitzero"`

	// By: referral_received (self, family, professional); consent_withdrawn
	// (who withdrew); rating_agreed (who agreed).
	By string `json:"by,omitempty"`
	// GivenBy: consent_given (self, parent, deputy, attorney, best_interests).
	GivenBy string `json:"given_by,omitempty"`
	// Scope: consent_given and consent_withdrawn (dsr, cetr, sharing). An
	// empty scope on consent_given means register inclusion only; on
	// consent_withdrawn it means everything.
	Scope []string `json:"scope,omitempty"`

	// Admission and transfer.
	Security    string `json:"security,omitempty"`
	LegalStatus string `json:"legal_status,omitempty"`
	OutOfArea   bool   `json:"out_of_area,omitempty"`
	Hospital    string `json:"hospital,omitempty"`

	// Kind: review_held (community, post_admission, inpatient, trigger, statutory).
	Kind string `json:"kind,omitempty"`

	// Rating agreed by the multi-agency meeting, and why (rating_agreed).
	Rating Rating `json:"rating,omitempty" jsonschema:"type=string,enum=red,enum=amber,enum=green,enum=blue"`
	Reason string `json:"reason,omitempty"`

	// Condition: diagnosis_added and diagnosis_removed (autism, learning_disability).
	Condition string `json:"condition,omitempty"`
}

// Day returns the civil date of the event: Date, or the London date of At.
func (e *Event) Day() calendar.Date {
	if e.Date.IsZero() && !e.At.IsZero() {
		return calendar.DateOf(e.At)
	}
	return e.Date
}

// Instant returns when the event happened: At if set, else the start of its
// day in London.
func (e *Event) Instant() time.Time {
	if !e.At.IsZero() {
		return e.At
	}
	return e.Date.Start()
}

// HasScope reports whether a consent event covers scope s. consent_given
// with no scope covers register inclusion only; consent_withdrawn with no
// scope withdraws everything.
func (e *Event) HasScope(s string) bool {
	if len(e.Scope) == 0 {
		return e.Type == EventConsentWithdrawn || s == ScopeDSR
	}
	return oneOf(s, e.Scope)
}

func oneOf[T comparable](v T, set []T) bool {
	for _, s := range set {
		if s == v {
			return true
		}
	}
	return false
}
