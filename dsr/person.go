package dsr

import (
	"time"

	"github.com/dsrkit/dsrkit/calendar"
)

// Person is what the register holds about who someone is
// (docs/rules.md#vocabulary). Booleans default to false; from 16, capacity is presumed, so
// LacksCapacity must be stated.
type Person struct {
	ID                 string        `json:"id" jsonschema:"minLength=1,maxLength=64,pattern=^[A-Za-z0-9._:-]+$,description=Local identifier (required): 1 to 64 letters or digits or - _ . : (dsr.ValidID)."`
	NHSNumber          NHSNumber     `json:"nhs_number,omitempty" jsonschema:"pattern=^[0-9]{3}[ -]?[0-9]{3}[ -]?[0-9]{4}$,description=Ten digits passing the Modulus 11 check; optionally grouped 3-3-4 with a space or hyphen (read as the ten digits); test numbers start 999."`
	DateOfBirth        calendar.Date `json:"date_of_birth" jsonschema:"type=string,format=date,description=Date of birth (required)."`
	LearningDisability bool          `json:"learning_disability,omitempty"`
	Autism             bool          `json:"autism,omitempty"`
	AwaitingDiagnosis  bool          `json:"awaiting_diagnosis,omitempty"`
	EHCP               bool          `json:"ehcp,omitempty" jsonschema:"description=An Education\\, Health and Care Plan is maintained."`
	LacksCapacity      bool          `json:"lacks_capacity,omitempty" jsonschema:"description=Lacks capacity to consent to inclusion (from 16 capacity is presumed)."`
	GillickCompetent   bool          `json:"gillick_competent,omitempty"`
	LocalAuthority     string        `json:"local_authority,omitempty" jsonschema:"description=Local authority of ordinary residence."`
	KnownToKeyworker   bool          `json:"known_to_keyworker,omitempty" jsonschema:"description=Known to the keyworker service."`
	KnownToServices    bool          `json:"known_to_services,omitempty" jsonschema:"description=Known to the CAMHS provider or children's social care."`
	Postcode           string        `json:"postcode,omitempty" jsonschema:"description=Postcode; NHS pseudo-postcodes such as ZZ99 3VZ are valid."`
}

// AgeOn returns the person's age in completed years on d.
func (p *Person) AgeOn(d calendar.Date) int { return calendar.YearsBetween(p.DateOfBirth, d) }

// Circumstances are the facts the multi-agency team reports now
// (docs/rules.md#vocabulary). All default to false.
type Circumstances struct {
	// Crisis facts (R-RAG-RED).
	InCrisis                 bool `json:"in_crisis,omitempty"`
	CommunityCannotManage    bool `json:"community_cannot_manage,omitempty"`
	AdmissionBeingConsidered bool `json:"admission_being_considered,omitempty"`
	SeriousHarmRisk          bool `json:"serious_harm_risk,omitempty"`
	// Escalation facts (R-RAG-AMBER).
	MentalHealthDeteriorating bool `json:"mental_health_deteriorating,omitempty"`
	PlacementBreakdownRisk    bool `json:"placement_breakdown_risk,omitempty"`
	EscalatingBehaviour       bool `json:"escalating_behaviour,omitempty"`
	// Risk factors (Kingston & Richmond).
	UnstableUntreatedMentalIllness bool `json:"unstable_untreated_mental_illness,omitempty"`
	NoFixedAddress                 bool `json:"no_fixed_address,omitempty"`
	NoPlannedTransition            bool `json:"no_planned_transition,omitempty"`
	YouthJusticeInvolvement        bool `json:"youth_justice_involvement,omitempty"`
	UnstableEnvironment            bool `json:"unstable_environment,omitempty"`
	LookedAfterOrCareLeaver        bool `json:"looked_after_or_care_leaver,omitempty"`
	// Inclusion facts (BLMK).
	Residential52WeekPlacement  bool `json:"residential_52_week_placement,omitempty"`
	SpecialistBehaviourServices bool `json:"specialist_behaviour_services,omitempty"`
	MHAOrDoLS                   bool `json:"mha_or_dols,omitempty"`
}

// CircumstanceNames lists the JSON names of every circumstance, in the order
// of docs/rules.md#vocabulary.
var CircumstanceNames = []string{
	"in_crisis", "community_cannot_manage", "admission_being_considered", "serious_harm_risk",
	"mental_health_deteriorating", "placement_breakdown_risk", "escalating_behaviour",
	"unstable_untreated_mental_illness", "no_fixed_address", "no_planned_transition",
	"youth_justice_involvement", "unstable_environment", "looked_after_or_care_leaver",
	"residential_52_week_placement", "specialist_behaviour_services", "mha_or_dols",
}

// Fields returns pointers to every circumstance in CircumstanceNames order,
// so generic code (policy input, generators) can walk them without reflection.
func (c *Circumstances) Fields() [16]*bool {
	return [16]*bool{
		&c.InCrisis, &c.CommunityCannotManage, &c.AdmissionBeingConsidered, &c.SeriousHarmRisk,
		&c.MentalHealthDeteriorating, &c.PlacementBreakdownRisk, &c.EscalatingBehaviour,
		&c.UnstableUntreatedMentalIllness, &c.NoFixedAddress, &c.NoPlannedTransition,
		&c.YouthJusticeInvolvement, &c.UnstableEnvironment, &c.LookedAfterOrCareLeaver,
		&c.Residential52WeekPlacement, &c.SpecialistBehaviourServices, &c.MHAOrDoLS,
	}
}

// Birthday returns the day the person turns years old: a leap-day
// birthday is reached on 1 March in common years (as Facts.Eighteenth).
func (p *Person) Birthday(years int) calendar.Date {
	if p.DateOfBirth.Month() == time.February && p.DateOfBirth.Day() == 29 {
		return leapBirthday(p.DateOfBirth, years)
	}
	return p.DateOfBirth.AddMonths(years * 12)
}
