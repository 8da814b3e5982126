package bluelight

import (
	"errors"
	"fmt"
	"slices"

	"github.com/dsrkit/dsrkit/calendar"
)

// Params are the numbers and lists a local area sets for Blue Light
// meetings (docs/rules.md#blue-light). National policy names the meeting but sets
// no numbers; DefaultParams gives Wiltshire's. JSON field names are those of
// a policy bundle's parameters.
type Params struct {
	// RequireKnownToServices: the meeting is only for people known to the
	// CAMHS provider or children's social care (R-BL-CRIT, Wiltshire
	// safeguard).
	RequireKnownToServices bool `json:"blue_light_require_known_to_services"`
	// MustAttend are the roles that must attend every meeting, in the order
	// the minute lists them (R-BL-INVITE).
	MustAttend []Role `json:"blue_light_must_attend"`
	// TransitionRoles must also attend when the person is aged
	// TransitionAge or over on the day of the call (R-BL-INVITE).
	TransitionRoles []Role `json:"blue_light_transition_roles"`
	TransitionAge   int    `json:"blue_light_transition_age"`
	// NoticeMinutes: participants are texted at least this many minutes
	// before the call (R-BL-NOTICE). Late notice is a warning, never a
	// refusal.
	NoticeMinutes int `json:"blue_light_notice_minutes"`
	// Options are the options the area offers, in the fixed preference
	// order of R-BL-PREF (the list may leave some out, never reorder them).
	Options []Option `json:"blue_light_options"`
	// MaxFundedHours caps additional support authorised by a meeting, in
	// elapsed hours (R-BL-FUND).
	MaxFundedHours int `json:"blue_light_max_funded_hours"`
	// DefaultSplit shares the cost when no other split is agreed by a
	// senior leader (R-BL-FUND).
	DefaultSplit Split `json:"blue_light_default_split"`
	// RequireAccredited: spot-purchased providers must be accredited
	// (R-BL-FUND).
	RequireAccredited bool `json:"blue_light_require_accredited"`
	// ReviewAfter is the deadline for the C(E)TR after the meeting, from the
	// call (R-BL-FOLLOW); the same name as in the national bundle.
	ReviewAfter calendar.Deadline `json:"review_after_blue_light"`
	// AdmissionReview is the deadline for the full CETR when the person is
	// admitted after the meeting, from the admission date (R-BL-FOLLOW).
	AdmissionReview calendar.Deadline `json:"blue_light_admission_review"`
}

// DefaultParams returns Wiltshire's Blue Light parameters (docs/rules.md#blue-light):
// known to services required; the twelve must-attend roles; transition
// roles from 17; 30 minutes' notice; the four options in order; at most 72
// hours of funded support split 50/50; accredited providers only; a C(E)TR
// within 72 hours of the meeting, or a full CETR within 14 days of an
// admission.
func DefaultParams() Params {
	return Params{
		RequireKnownToServices: true,
		MustAttend: []Role{
			RoleFamily, RolePsychiatrist, RoleNamedNurse, RoleSocialWorker, RoleSENDLeadWorker,
			RoleSchoolSENCO, RoleEducationOfficer, RoleCommissioner, RoleNHSEGatekeeping,
			RoleAdvocate, RoleCommunityCAMHS, RoleMinuteTaker,
		},
		TransitionRoles:   []Role{RoleAdultMentalHealth, RoleCTPLD},
		TransitionAge:     17,
		NoticeMinutes:     30,
		Options:           slices.Clone(Options),
		MaxFundedHours:    72,
		DefaultSplit:      Split{LocalAuthorityBP: 5000, HealthBP: 5000},
		RequireAccredited: true,
		ReviewAfter:       calendar.Deadline{N: 72, Unit: calendar.Hours},
		AdmissionReview:   calendar.Deadline{N: 14, Unit: calendar.Days},
	}
}

// Validate reports every problem with p at once (joined with errors.Join),
// each a *dsr.ValidationError naming the parameter: unknown or repeated
// roles, a commissioner who does not must-attend (the commissioner chairs),
// the person listed as must-attend (the person is invited where
// appropriate), a negative age or notice, options out of preference order
// or without the home package, a cap below one hour, an invalid default
// split or deadline.
func (p Params) Validate() error {
	var errs []error
	bad := func(field, rule, format string, args ...any) {
		errs = append(errs, invalid(field, rule, format, args...))
	}
	seen := map[Role]bool{}
	checkRoles := func(field string, rs []Role) {
		for i, r := range rs {
			f := fmt.Sprintf("%s[%d]", field, i)
			switch {
			case !r.Valid():
				bad(f, "R-BL-INVITE", "unknown role %d", uint8(r))
			case r == RolePerson:
				bad(f, "R-BL-INVITE", "the person is invited where appropriate, not required")
			case seen[r]:
				bad(f, "R-BL-INVITE", "role %s listed twice", r)
			}
			seen[r] = true
		}
	}
	checkRoles("blue_light_must_attend", p.MustAttend)
	checkRoles("blue_light_transition_roles", p.TransitionRoles)
	if !slices.Contains(p.MustAttend, RoleCommissioner) {
		bad("blue_light_must_attend", "R-BL-INVITE", "the commissioner chairs and must attend")
	}
	if p.TransitionAge < 0 {
		bad("blue_light_transition_age", "R-BL-INVITE", "negative age %d", p.TransitionAge)
	}
	if p.NoticeMinutes < 0 {
		bad("blue_light_notice_minutes", "R-BL-NOTICE", "negative notice %d", p.NoticeMinutes)
	}
	switch {
	case len(p.Options) == 0 || p.Options[0] != OptionHomePackage:
		bad("blue_light_options", "R-BL-PREF", "the list must start with %s, the most preferred option", OptionHomePackage)
	default:
		for i, o := range p.Options {
			if !o.Valid() {
				bad(fmt.Sprintf("blue_light_options[%d]", i), "R-BL-PREF", "unknown option %d", uint8(o))
			} else if i > 0 && o <= p.Options[i-1] {
				bad(fmt.Sprintf("blue_light_options[%d]", i), "R-BL-PREF", "%s is out of the fixed preference order", o)
			}
		}
	}
	if p.MaxFundedHours < 1 {
		bad("blue_light_max_funded_hours", "R-BL-FUND", "cap %d is below one hour", p.MaxFundedHours)
	}
	if err := p.DefaultSplit.Validate("blue_light_default_split"); err != nil {
		errs = append(errs, err)
	}
	for _, d := range []struct {
		field string
		dl    calendar.Deadline
	}{{"review_after_blue_light", p.ReviewAfter}, {"blue_light_admission_review", p.AdmissionReview}} {
		if err := d.dl.Validate(); err != nil {
			bad(d.field, "R-BL-FOLLOW", "%v", err)
		}
	}
	return errors.Join(errs...)
}

// clone returns a deep copy of p.
func (p Params) clone() Params {
	p.MustAttend = slices.Clone(p.MustAttend)
	p.TransitionRoles = slices.Clone(p.TransitionRoles)
	p.Options = slices.Clone(p.Options)
	return p
}
