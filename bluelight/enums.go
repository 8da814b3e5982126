package bluelight

import (
	"fmt"
	"strings"
)

// enum holds the words and titles of a small enumeration whose zero value
// is "none".
type enum struct {
	kind   string   // "role", "step", "option"
	rule   string   // the rule the words come from
	words  []string // index 0 is ""
	titles []string
}

func (e *enum) word(i uint8) string {
	if int(i) < len(e.words) {
		return e.words[i]
	}
	return fmt.Sprintf("%s(%d)", e.kind, i)
}

func (e *enum) title(i uint8) string {
	if int(i) < len(e.titles) {
		return e.titles[i]
	}
	return e.word(i)
}

func (e *enum) valid(i uint8) bool { return i > 0 && int(i) < len(e.words) }

func (e *enum) parse(s string) (uint8, error) {
	for i, w := range e.words {
		if i > 0 && strings.EqualFold(s, w) {
			return uint8(i), nil
		}
	}
	return 0, invalid(e.kind, e.rule, "unknown %s %q (want one of %s)", e.kind, s, strings.Join(e.words[1:], ", "))
}

func (e *enum) marshal(i uint8) ([]byte, error) {
	if !e.valid(i) {
		return nil, invalid(e.kind, e.rule, "%s %d out of range", e.kind, i)
	}
	return []byte(e.words[i]), nil
}

// Role is a part someone plays in a Blue Light meeting (R-BL-INVITE). The
// zero value is no role and is invalid; Role's text form is its snake_case
// word, and unknown words are rejected.
type Role uint8

// The roles of a Blue Light meeting (R-BL-INVITE).
const (
	RoleFamily            Role = iota + 1 // family or circle of support
	RolePsychiatrist                      // psychiatrist
	RoleNamedNurse                        // named nurse
	RoleSocialWorker                      // social worker
	RoleSENDLeadWorker                    // SEND lead worker
	RoleSchoolSENCO                       // school SENCO
	RoleEducationOfficer                  // education officer
	RoleCommissioner                      // commissioner; chairs the meeting
	RoleNHSEGatekeeping                   // NHS England gatekeeping
	RoleAdvocate                          // advocate
	RoleCommunityCAMHS                    // community CAMHS
	RoleMinuteTaker                       // minute taker
	RoleAdultMentalHealth                 // adult mental health services (transition)
	RoleCTPLD                             // community team for people with learning disabilities (transition)
	RolePerson                            // the person, invited where appropriate
)

var roles = enum{
	kind: "role", rule: "R-BL-INVITE",
	words: []string{"", "family", "psychiatrist", "named_nurse", "social_worker", "send_lead_worker",
		"school_senco", "education_officer", "commissioner", "nhse_gatekeeping", "advocate",
		"community_camhs", "minute_taker", "adult_mental_health", "community_ld_team", "person"},
	titles: []string{"", "Family or circle of support", "Psychiatrist", "Named nurse", "Social worker",
		"SEND lead worker", "School SENCO", "Education officer", "Commissioner (chair)",
		"NHS England gatekeeping", "Advocate", "Community CAMHS", "Minute taker",
		"Adult mental health services", "Community team for people with learning disabilities",
		"The person"},
}

// Roles lists every role in the order of R-BL-INVITE.
var Roles = []Role{
	RoleFamily, RolePsychiatrist, RoleNamedNurse, RoleSocialWorker, RoleSENDLeadWorker,
	RoleSchoolSENCO, RoleEducationOfficer, RoleCommissioner, RoleNHSEGatekeeping, RoleAdvocate,
	RoleCommunityCAMHS, RoleMinuteTaker, RoleAdultMentalHealth, RoleCTPLD, RolePerson,
}

// ParseRole parses a role word such as "named_nurse", ignoring case. An
// unknown word is a *dsr.ValidationError on the field "role" (R-BL-INVITE).
func ParseRole(s string) (Role, error) {
	i, err := roles.parse(s)
	return Role(i), err
}

// String returns the role's word, such as "named_nurse".
func (r Role) String() string { return roles.word(uint8(r)) }

// Title returns the role as the minute names it, such as "Named nurse".
func (r Role) Title() string { return roles.title(uint8(r)) }

// Valid reports whether r is one of Roles.
func (r Role) Valid() bool { return roles.valid(uint8(r)) }

// MarshalText implements encoding.TextMarshaler.
func (r Role) MarshalText() ([]byte, error) { return roles.marshal(uint8(r)) }

// UnmarshalText implements encoding.TextUnmarshaler; unknown words are
// rejected.
func (r *Role) UnmarshalText(b []byte) error {
	v, err := ParseRole(string(b))
	if err != nil {
		return err
	}
	*r = v
	return nil
}

// Step is one of the seven steps of the call record, in the order the call
// follows (R-BL-STEPS). The zero value is no step and is invalid.
type Step uint8

// The steps of the call, in order (R-BL-STEPS).
const (
	StepIntroduction  Step = iota + 1 // chair introduced and situation shared
	StepUnderstanding                 // understanding the person: wishes, family, carers, clinicians
	StepRisks                         // current risks
	StepOptions                       // options considered
	StepResources                     // resources and timeframe
	StepDecision                      // decision, support plan and responsible people
	StepRecord                        // record of decision, plan, costs, funding split, start and stop of funding
)

var steps = enum{
	kind: "step", rule: "R-BL-STEPS",
	words: []string{"", "introduction", "understanding", "risks", "options", "resources", "decision", "record"},
	titles: []string{"", "Chair introduced and situation shared",
		"Understanding the person (wishes, family, carers, clinicians)", "Current risks",
		"Options considered", "Resources and timeframe", "Decision, support plan and responsible people",
		"Record of decision, plan, costs, funding split, start and stop time of funding"},
}

// Steps lists the steps in the order of the call.
var Steps = []Step{StepIntroduction, StepUnderstanding, StepRisks, StepOptions, StepResources, StepDecision, StepRecord}

// ParseStep parses a step word such as "decision", ignoring case. An unknown
// word is a *dsr.ValidationError on the field "step".
func ParseStep(s string) (Step, error) {
	i, err := steps.parse(s)
	return Step(i), err
}

// String returns the step's word, such as "decision".
func (s Step) String() string { return steps.word(uint8(s)) }

// Title returns the step as the minute names it.
func (s Step) Title() string { return steps.title(uint8(s)) }

// Valid reports whether s is one of Steps.
func (s Step) Valid() bool { return steps.valid(uint8(s)) }

// MarshalText implements encoding.TextMarshaler.
func (s Step) MarshalText() ([]byte, error) { return steps.marshal(uint8(s)) }

// UnmarshalText implements encoding.TextUnmarshaler; unknown words are
// rejected.
func (s *Step) UnmarshalText(b []byte) error {
	v, err := ParseStep(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// Option is a kind of support a meeting may choose. Options are ordered by
// preference, most preferred first (R-BL-PREF); a lower value is preferred.
// The zero value is no option and is invalid.
type Option uint8

// The options, most preferred first (R-BL-PREF).
const (
	OptionHomePackage       Option = iota + 1 // support at home with a package
	OptionLocalNonInpatient                   // local non-inpatient: residential, nursing, short breaks
	OptionLocalInpatient                      // a local inpatient bed
	OptionOutOfArea                           // an out-of-area placement
)

var options = enum{
	kind: "option", rule: "R-BL-PREF",
	words: []string{"", "home_package", "local_non_inpatient", "local_inpatient", "out_of_area"},
	titles: []string{"", "Support at home with a package",
		"Local non-inpatient (residential, nursing, short breaks)", "Local inpatient bed",
		"Out-of-area placement"},
}

// Options lists every option, most preferred first.
var Options = []Option{OptionHomePackage, OptionLocalNonInpatient, OptionLocalInpatient, OptionOutOfArea}

// ParseOption parses an option word such as "home_package", ignoring case.
// An unknown word is a *dsr.ValidationError on the field "option".
func ParseOption(s string) (Option, error) {
	i, err := options.parse(s)
	return Option(i), err
}

// String returns the option's word, such as "home_package".
func (o Option) String() string { return options.word(uint8(o)) }

// Title returns the option as the minute names it.
func (o Option) Title() string { return options.title(uint8(o)) }

// Valid reports whether o is one of Options.
func (o Option) Valid() bool { return options.valid(uint8(o)) }

// MarshalText implements encoding.TextMarshaler.
func (o Option) MarshalText() ([]byte, error) { return options.marshal(uint8(o)) }

// UnmarshalText implements encoding.TextUnmarshaler; unknown words are
// rejected.
func (o *Option) UnmarshalText(b []byte) error {
	v, err := ParseOption(string(b))
	if err != nil {
		return err
	}
	*o = v
	return nil
}
