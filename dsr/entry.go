package dsr

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/dsrkit/dsrkit/calendar"
)

// Entry is what an area's register keeps about a person besides identity,
// consent and circumstances: the columns of the register template areas
// share (R-DATA-1). Every field is optional; free text is identifiable data
// and is stored sealed like the rest of the person's records.
//
// Booleans are pointers so that "not recorded" (nil) differs from "no".
type Entry struct {
	// Gender as stated by the person: female, male, non_binary, other or
	// not_stated.
	Gender string `json:"gender,omitempty" jsonschema:"enum=female,enum=male,enum=non_binary,enum=other,enum=not_stated"`
	// Ethnicity is the NHS ethnic category code (A to S, Z not stated, 99
	// not known).
	Ethnicity string `json:"ethnicity,omitempty" jsonschema:"enum=A,enum=B,enum=C,enum=D,enum=E,enum=F,enum=G,enum=H,enum=J,enum=K,enum=L,enum=M,enum=N,enum=P,enum=R,enum=S,enum=Z,enum=99"`
	// PrimaryDiagnosis and SecondaryDiagnosis, as the clinical record
	// words them.
	PrimaryDiagnosis   string `json:"primary_diagnosis,omitempty" jsonschema:"maxLength=500"`
	SecondaryDiagnosis string `json:"secondary_diagnosis,omitempty" jsonschema:"maxLength=500"`
	// Accommodation is the type of accommodation (AccommodationTypes).
	Accommodation string `json:"accommodation,omitempty" jsonschema:"enum=family_home,enum=independent_tenancy,enum=supported_living,enum=shared_lives,enum=residential_care,enum=nursing_care,enum=foster_care,enum=childrens_home,enum=residential_school,enum=secure_setting,enum=hospital,enum=no_fixed_abode,enum=other"`
	// Placement says whether the placement is in or out of the area:
	// in_area or out_of_area.
	Placement string `json:"placement,omitempty" jsonschema:"enum=in_area,enum=out_of_area"`
	// ResponsibleAuthority is the commissioner responsible (an ICB or a
	// local authority). The local authority of residence is
	// Person.LocalAuthority.
	ResponsibleAuthority string `json:"responsible_authority,omitempty" jsonschema:"maxLength=500"`
	// Section117 is eligibility for section 117 aftercare; Funding the
	// split of the care package's funding.
	Section117 *bool         `json:"section_117,omitempty"`
	Funding    *FundingSplit `json:"funding,omitempty"`
	// CareProvider is the commissioned care provider.
	CareProvider string `json:"care_provider,omitempty" jsonschema:"maxLength=500"`
	// OnCPA: on the Care Programme Approach or its equivalent.
	OnCPA *bool `json:"on_cpa,omitempty"`
	// CarePlan, RiskAssessment and CrisisPlan say whether each is in
	// place; CrisisPlanReviewed is when the crisis or contingency plan was
	// last reviewed.
	CarePlan           *bool         `json:"care_plan,omitempty"`
	RiskAssessment     *bool         `json:"risk_assessment,omitempty"`
	CrisisPlan         *bool         `json:"crisis_plan,omitempty"`
	CrisisPlanReviewed calendar.Date `json:"crisis_plan_reviewed,omitzero" jsonschema:"type=string,format=date"`
	// CareCoordinator, SocialWorker and Advocate name who holds each role.
	CareCoordinator string `json:"care_coordinator,omitempty" jsonschema:"maxLength=500"`
	SocialWorker    string `json:"social_worker,omitempty" jsonschema:"maxLength=500"`
	Advocate        string `json:"advocate,omitempty" jsonschema:"maxLength=500"`
	// Team is the DSR team or locality that holds the entry.
	Team string `json:"team,omitempty" jsonschema:"maxLength=500"`
	// PersonalHealthBudgetOffered: a personal health budget was offered.
	PersonalHealthBudgetOffered *bool `json:"personal_health_budget_offered,omitempty"`
	// RiskOfAdmission and RiskOfPlacementBreakdown, with the reason.
	RiskOfAdmission          *bool  `json:"risk_of_admission,omitempty"`
	RiskOfPlacementBreakdown *bool  `json:"risk_of_placement_breakdown,omitempty"`
	RiskReason               string `json:"risk_reason,omitempty" jsonschema:"maxLength=2000"`
	// PreviousAdmissions are the dates of earlier admissions, oldest
	// first.
	PreviousAdmissions []calendar.Date `json:"previous_admissions,omitempty" jsonschema:"maxItems=100"`
	// KeyworkerReferral is the date of the referral to the keyworker
	// service.
	KeyworkerReferral calendar.Date `json:"keyworker_referral,omitzero" jsonschema:"type=string,format=date"`
	// Mitigations are the actions taken to reduce the risk.
	Mitigations []string `json:"mitigations,omitempty" jsonschema:"maxItems=100"`
}

// FundingSplit is how a care package's cost is shared, in whole percent
// summing to 100.
type FundingSplit struct {
	Health     int `json:"health" jsonschema:"minimum=0,maximum=100"`
	SocialCare int `json:"social_care" jsonschema:"minimum=0,maximum=100"`
	Education  int `json:"education" jsonschema:"minimum=0,maximum=100"`
}

// The vocabularies of Entry's enumerated fields.
var (
	Genders            = []string{"female", "male", "non_binary", "other", "not_stated"}
	EthnicCategories   = []string{"A", "B", "C", "D", "E", "F", "G", "H", "J", "K", "L", "M", "N", "P", "R", "S", "Z", "99"}
	AccommodationTypes = []string{"family_home", "independent_tenancy", "supported_living", "shared_lives", "residential_care",
		"nursing_care", "foster_care", "childrens_home", "residential_school", "secure_setting", "hospital", "no_fixed_abode", "other"}
	Placements = []string{"in_area", "out_of_area"}
)

// Limits of Entry's free text.
const (
	maxEntryText      = 500
	maxEntryLongText  = 2000
	maxEntryListItems = 100
)

// IsZero reports whether nothing is recorded.
func (e Entry) IsZero() bool {
	return (e.Gender == "" && e.Ethnicity == "" && e.PrimaryDiagnosis == "" && e.SecondaryDiagnosis == "" &&
		e.Accommodation == "" && e.Placement == "" && e.ResponsibleAuthority == "" && e.Section117 == nil && e.Funding == nil &&
		e.CareProvider == "" && e.OnCPA == nil && e.CarePlan == nil && e.RiskAssessment == nil && e.CrisisPlan == nil &&
		e.CrisisPlanReviewed.IsZero() && e.CareCoordinator == "" && e.SocialWorker == "" && e.Advocate == "" && e.Team == "" &&
		e.PersonalHealthBudgetOffered == nil && e.RiskOfAdmission == nil && e.RiskOfPlacementBreakdown == nil &&
		e.RiskReason == "" && len(e.PreviousAdmissions) == 0 && e.KeyworkerReferral.IsZero() && len(e.Mitigations) == 0)
}

// OutOfArea reports whether the placement is recorded as out of area.
func (e Entry) OutOfArea() bool { return e.Placement == "out_of_area" }

// Validate checks the entry as of asOf: enumerations from their
// vocabularies, text within its limits and free of control characters,
// dates not after asOf, the funding split summing to 100. Every fault is
// reported, each a *ValidationError naming the field under prefix (e.g.
// "entry") and R-DATA-1.
func (e *Entry) Validate(prefix string, asOf calendar.Date) error {
	if e == nil {
		return nil
	}
	var errs []error
	field := func(name string) string {
		if prefix == "" {
			return name
		}
		return prefix + "." + name
	}
	enum := func(name, v string, vocab []string) {
		if v != "" && !slices.Contains(vocab, v) {
			errs = append(errs, invalid(field(name), "R-DATA-1", "%q is not one of %s", v, strings.Join(vocab, ", ")))
		}
	}
	enum("gender", e.Gender, Genders)
	enum("ethnicity", e.Ethnicity, EthnicCategories)
	enum("accommodation", e.Accommodation, AccommodationTypes)
	enum("placement", e.Placement, Placements)
	text := func(name, v string, max int) {
		if problem := freeTextProblem(v, max); problem != "" {
			errs = append(errs, invalid(field(name), "R-DATA-1", "%s", problem))
		}
	}
	text("primary_diagnosis", e.PrimaryDiagnosis, maxEntryText)
	text("secondary_diagnosis", e.SecondaryDiagnosis, maxEntryText)
	text("responsible_authority", e.ResponsibleAuthority, maxEntryText)
	text("care_provider", e.CareProvider, maxEntryText)
	text("care_coordinator", e.CareCoordinator, maxEntryText)
	text("social_worker", e.SocialWorker, maxEntryText)
	text("advocate", e.Advocate, maxEntryText)
	text("team", e.Team, maxEntryText)
	text("risk_reason", e.RiskReason, maxEntryLongText)
	if len(e.Mitigations) > maxEntryListItems {
		errs = append(errs, invalid(field("mitigations"), "R-DATA-1", "%d items: at most %d", len(e.Mitigations), maxEntryListItems))
	}
	for i, m := range e.Mitigations {
		if strings.TrimSpace(m) == "" {
			errs = append(errs, invalid(field(fmt.Sprintf("mitigations[%d]", i)), "R-DATA-1", "empty"))
		} else {
			text(fmt.Sprintf("mitigations[%d]", i), m, maxEntryLongText)
		}
	}
	date := func(name string, d calendar.Date) {
		if !d.IsZero() && !asOf.IsZero() && d.After(asOf) {
			errs = append(errs, invalid(field(name), "R-DATA-1", "%s is after %s", d, asOf))
		}
	}
	date("crisis_plan_reviewed", e.CrisisPlanReviewed)
	date("keyworker_referral", e.KeyworkerReferral)
	if len(e.PreviousAdmissions) > maxEntryListItems {
		errs = append(errs, invalid(field("previous_admissions"), "R-DATA-1", "%d dates: at most %d", len(e.PreviousAdmissions), maxEntryListItems))
	}
	for i, d := range e.PreviousAdmissions {
		name := fmt.Sprintf("previous_admissions[%d]", i)
		switch {
		case d.IsZero():
			errs = append(errs, invalid(field(name), "R-DATA-1", "required: a date"))
		case i > 0 && d.Before(e.PreviousAdmissions[i-1]):
			errs = append(errs, invalid(field(name), "R-DATA-1", "%s is before %s: oldest first", d, e.PreviousAdmissions[i-1]))
		default:
			date(name, d)
		}
	}
	if f := e.Funding; f != nil {
		for _, p := range []struct {
			name string
			v    int
		}{{"health", f.Health}, {"social_care", f.SocialCare}, {"education", f.Education}} {
			if p.v < 0 || p.v > 100 {
				errs = append(errs, invalid(field("funding."+p.name), "R-DATA-1", "%d%% is outside 0 to 100", p.v))
			}
		}
		if sum := f.Health + f.SocialCare + f.Education; sum != 100 {
			errs = append(errs, invalid(field("funding"), "R-DATA-1", "the shares sum to %d%%, not 100%%", sum))
		}
	}
	return errors.Join(errs...)
}

// CheckText checks free text: valid UTF-8, at most max characters, no
// control characters but newline and tab. A fault is a *ValidationError
// naming field and rule; nil when the text is fine.
func CheckText(field, rule, v string, max int) error {
	if p := freeTextProblem(v, max); p != "" {
		return invalid(field, rule, "%s", p)
	}
	return nil
}

// freeTextProblem says what is wrong with free text, or "".
func freeTextProblem(v string, max int) string {
	if !utf8.ValidString(v) {
		return "not valid UTF-8"
	}
	if n := utf8.RuneCountInString(v); n > max {
		return fmt.Sprintf("%d characters: at most %d", n, max)
	}
	for _, r := range v {
		if unicode.IsControl(r) && r != '\n' && r != '\t' {
			return fmt.Sprintf("holds the control character %U", r)
		}
	}
	return ""
}
