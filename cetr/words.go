package cetr

import (
	"fmt"
	"slices"
	"strings"

	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/dsr"
)

// word is a string enum: Kind, Type, KLOE, Outcome, Status, Role,
// RecipientRole, Requirement, Access.
type word interface {
	~string
}

func parseWord[T word](what, s string, set []T) (T, error) {
	if slices.Contains(set, T(s)) {
		return T(s), nil
	}
	names := make([]string, len(set))
	for i, v := range set {
		names[i] = string(v)
	}
	return "", fmt.Errorf("%w: unknown %s %q (want one of %s)", ErrInvalid, what, s, strings.Join(names, ", "))
}

func unmarshalWord[T word](dst *T, what string, b []byte, set []T) error {
	v, err := parseWord(what, string(b), set)
	if err != nil {
		return err
	}
	*dst = v
	return nil
}

// Kind is the kind of review (R-CETR-*). The words are dsr's review_held
// kinds, so a held review becomes a review_held event unchanged.
type Kind string

// The review kinds.
const (
	Community     Kind = dsr.ReviewCommunity     // in the community, before any admission
	PostAdmission Kind = dsr.ReviewPostAdmission // after an admission with no community review before it (R-CETR-PA-1)
	Inpatient     Kind = dsr.ReviewInpatient     // while an inpatient, at the cadence of R-CETR-INP (and R-CETR-6W)
	Trigger       Kind = dsr.ReviewTrigger       // after a move or a diagnosis change (R-CETR-TRIG)
	Statutory     Kind = dsr.ReviewStatutory     // under MHA-2025 Part 8A (R-CETR-STAT)
)

// Kinds lists every Kind, in dsr.ReviewKinds order.
var Kinds = []Kind{Community, PostAdmission, Inpatient, Trigger, Statutory}

// Valid reports whether k is one of Kinds.
func (k Kind) Valid() bool { return slices.Contains(Kinds, k) }

// ParseKind parses a review kind; an unknown word is an error matching
// ErrInvalid.
func ParseKind(s string) (Kind, error) { return parseWord("review kind", s, Kinds) }

// UnmarshalText implements encoding.TextUnmarshaler; unknown words are rejected.
func (k *Kind) UnmarshalText(b []byte) error { return unmarshalWord(k, "review kind", b, Kinds) }

// Title returns the kind in words: "community", "post-admission", ...
func (k Kind) Title() string { return strings.ReplaceAll(string(k), "_", "-") }

// Type is the type of review: a Care, Education and Treatment Review or a
// Care and Treatment Review (R-CETR-TYPE). The words are dsr's review types.
type Type string

// The review types.
const (
	CETR Type = dsr.ReviewTypeCETR
	CTR  Type = dsr.ReviewTypeCTR
)

// Types lists every Type.
var Types = []Type{CETR, CTR}

// UnmarshalText implements encoding.TextUnmarshaler; unknown words are rejected.
func (t *Type) UnmarshalText(b []byte) error { return unmarshalWord(t, "review type", b, Types) }

// Title returns "CETR" or "CTR".
func (t Type) Title() string { return strings.ToUpper(string(t)) }

// TypeFor returns the review type for a person on the review date
// (R-CETR-TYPE): a CETR when aged under 18, or 18 or over with an EHCP where
// the area extends CETRs to them (ehcpExtends); otherwise a CTR.
func TypeFor(p *dsr.Person, on calendar.Date, ehcpExtends bool) Type {
	if p.AgeOn(on) < 18 || (ehcpExtends && p.EHCP) {
		return CETR
	}
	return CTR
}

// KLOE is a key line of enquiry: the review records findings under each one
// (R-CETR-KLOE, NHSE-2023).
type KLOE string

// The key lines of enquiry, in the order the review covers them.
const (
	Safe               KLOE = "am_i_safe"
	GoodCare           KLOE = "good_care_and_treatment"
	PlansForFuture     KLOE = "plans_for_future"
	CareInCommunity    KLOE = "care_in_community"
	PhysicalHealth     KLOE = "physical_health"
	MeaningfulActivity KLOE = "meaningful_activity"
	QualityOfLife      KLOE = "quality_of_life"
)

// KLOEs lists all seven key lines of enquiry in order. Every one needs a
// finding before a review can be marked held.
var KLOEs = []KLOE{Safe, GoodCare, PlansForFuture, CareInCommunity, PhysicalHealth, MeaningfulActivity, QualityOfLife}

var kloeTitles = map[KLOE]string{
	Safe:               "Am I safe?",
	GoodCare:           "Am I getting good care and treatment?",
	PlansForFuture:     "What are my plans for the future?",
	CareInCommunity:    "Can my care be given in the community?",
	PhysicalHealth:     "Physical health",
	MeaningfulActivity: "Meaningful activity",
	QualityOfLife:      "Quality of life",
}

// Valid reports whether l is one of KLOEs.
func (l KLOE) Valid() bool { return slices.Contains(KLOEs, l) }

// Title returns the line of enquiry as the review asks it: "Am I safe?".
func (l KLOE) Title() string {
	if t, ok := kloeTitles[l]; ok {
		return t
	}
	return string(l)
}

// ParseKLOE parses a key line of enquiry; an unknown word is an error
// matching ErrInvalid.
func ParseKLOE(s string) (KLOE, error) { return parseWord("key line of enquiry", s, KLOEs) }

// UnmarshalText implements encoding.TextUnmarshaler; unknown words are
// rejected. It makes KLOE usable as a JSON object key.
func (l *KLOE) UnmarshalText(b []byte) error {
	return unmarshalWord(l, "key line of enquiry", b, KLOEs)
}

// Outcome is what the review concluded.
type Outcome string

// The outcomes.
const (
	// StayInCommunity: care can be given in the community; no admission.
	StayInCommunity Outcome = "stay_in_community"
	// AdmissionNeeded: the review found that an admission is needed.
	AdmissionNeeded Outcome = "admission_needed"
	// ContinueInHospital: the person stays in hospital for now.
	ContinueInHospital Outcome = "continue_in_hospital"
	// DischargePlanned: the person is ready for discharge and a plan is agreed.
	DischargePlanned Outcome = "discharge_planned"
)

// Outcomes lists every Outcome.
var Outcomes = []Outcome{StayInCommunity, AdmissionNeeded, ContinueInHospital, DischargePlanned}

var outcomeTitles = map[Outcome]string{
	StayInCommunity:    "care can be given in the community",
	AdmissionNeeded:    "an admission is needed",
	ContinueInHospital: "continue in hospital",
	DischargePlanned:   "ready for discharge; a discharge plan is agreed",
}

// Title returns the outcome in words.
func (o Outcome) Title() string {
	if t, ok := outcomeTitles[o]; ok {
		return t
	}
	return string(o)
}

// UnmarshalText implements encoding.TextUnmarshaler; unknown words are rejected.
func (o *Outcome) UnmarshalText(b []byte) error { return unmarshalWord(o, "outcome", b, Outcomes) }

// Status is where a recommendation stands (R-CETR-ACT).
type Status string

// The statuses. The zero value is Open.
const (
	Open    Status = "open"
	Done    Status = "done"
	Dropped Status = "dropped" // with a reason
)

// Statuses lists every Status.
var Statuses = []Status{Open, Done, Dropped}

// UnmarshalText implements encoding.TextUnmarshaler; unknown words are
// rejected, and "" is Open.
func (s *Status) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*s = Open
		return nil
	}
	return unmarshalWord(s, "status", b, Statuses)
}

// Role is the seat a panel member holds (R-CETR-PANEL).
type Role string

// The panel roles. Only ClinicalExpert and ExpertByExperience are
// independent seats; the chair is never independent.
const (
	Chair               Role = "chair"                 // the responsible commissioner or a delegate with authority to decide
	ClinicalExpert      Role = "clinical_expert"       // independent clinical expert
	ExpertByExperience  Role = "expert_by_experience"  // independent expert by experience
	Education           Role = "education"             // education professional
	ChildrensSocialCare Role = "childrens_social_care" // children's social care professional
	SocialCare          Role = "social_care"           // adult social care
	CareCoordinator     Role = "care_coordinator"
	Provider            Role = "provider" // a clinician or manager of the service that cares for the person
	Advocate            Role = "advocate"
	Family              Role = "family" // family member or carer
	Other               Role = "other"
)

// Roles lists every Role.
var Roles = []Role{
	Chair, ClinicalExpert, ExpertByExperience, Education, ChildrensSocialCare,
	SocialCare, CareCoordinator, Provider, Advocate, Family, Other,
}

var roleTitles = map[Role]string{
	Chair:               "Chair",
	ClinicalExpert:      "Independent clinical expert",
	ExpertByExperience:  "Independent expert by experience",
	Education:           "Education professional",
	ChildrensSocialCare: "Children's social care professional",
	SocialCare:          "Social care",
	CareCoordinator:     "Care coordinator",
	Provider:            "Provider",
	Advocate:            "Advocate",
	Family:              "Family or carer",
	Other:               "Other",
}

// Valid reports whether r is one of Roles.
func (r Role) Valid() bool { return slices.Contains(Roles, r) }

// Independent reports whether r is an independent seat: the clinical expert
// or the expert by experience.
func (r Role) Independent() bool { return r == ClinicalExpert || r == ExpertByExperience }

// Title returns the seat in words: "Independent clinical expert".
func (r Role) Title() string {
	if t, ok := roleTitles[r]; ok {
		return t
	}
	return string(r)
}

// UnmarshalText implements encoding.TextUnmarshaler; unknown words are rejected.
func (r *Role) UnmarshalText(b []byte) error { return unmarshalWord(r, "panel role", b, Roles) }

// RecipientRole is who a review report goes to.
type RecipientRole string

// The recipient roles. The first four are those R-CETR-STAT names for a
// statutory review (see StatutoryRecipients).
const (
	ResponsibleCommissioner RecipientRole = "responsible_commissioner"
	ResponsibleClinician    RecipientRole = "responsible_clinician"
	Section117ICB           RecipientRole = "section_117_icb"
	LocalAuthority          RecipientRole = "local_authority" // of ordinary residence
	PersonReviewed          RecipientRole = "person"
	FamilyOrCarer           RecipientRole = "family"
	Participant             RecipientRole = "participant" // any other participant (R-CETR-REPORT)
)

// RecipientRoles lists every RecipientRole.
var RecipientRoles = []RecipientRole{
	ResponsibleCommissioner, ResponsibleClinician, Section117ICB, LocalAuthority,
	PersonReviewed, FamilyOrCarer, Participant,
}

// StatutoryRecipients are the recipients every statutory review report must
// name (R-CETR-STAT, MHA-2025 Part 8A).
var StatutoryRecipients = []RecipientRole{ResponsibleCommissioner, ResponsibleClinician, Section117ICB, LocalAuthority}

var recipientTitles = map[RecipientRole]string{
	ResponsibleCommissioner: "responsible commissioner",
	ResponsibleClinician:    "responsible clinician",
	Section117ICB:           "section 117 ICB",
	LocalAuthority:          "local authority of ordinary residence",
	PersonReviewed:          "person",
	FamilyOrCarer:           "family or carer",
	Participant:             "participant",
}

// Valid reports whether r is one of RecipientRoles.
func (r RecipientRole) Valid() bool { return slices.Contains(RecipientRoles, r) }

// Title returns the recipient in words: "section 117 ICB".
func (r RecipientRole) Title() string {
	if t, ok := recipientTitles[r]; ok {
		return t
	}
	return string(r)
}

// UnmarshalText implements encoding.TextUnmarshaler; unknown words are rejected.
func (r *RecipientRole) UnmarshalText(b []byte) error {
	return unmarshalWord(r, "recipient role", b, RecipientRoles)
}

// Requirement says whether a CETR panel must include an education or
// children's social care professional (R-CETR-PANEL).
type Requirement string

// The requirements. In a Panel the zero value ("") reads as Advised.
const (
	// Advised: the national rule, "should be considered"; absence is a Warning.
	Advised Requirement = "advised"
	// Required: an area's stricter rule; absence is a PanelError.
	Required Requirement = "required"
)

// Requirements lists every Requirement.
var Requirements = []Requirement{Advised, Required}

// UnmarshalText implements encoding.TextUnmarshaler; unknown words are rejected.
func (q *Requirement) UnmarshalText(b []byte) error {
	return unmarshalWord(q, "requirement", b, Requirements)
}

// Access is what the panel may read (R-CETR-CONSENT).
type Access string

// The access levels.
const (
	// PlannerOnly: no consent or best-interests decision for this review;
	// the panel reads nothing beyond the planner.
	PlannerOnly Access = "planner_only"
	// AllPapers: consent or a best-interests decision is recorded.
	AllPapers Access = "all_papers"
)
