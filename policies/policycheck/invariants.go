package policycheck

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"regexp"
	"slices"

	"github.com/dsrkit/dsrkit/dsr"
)

// AssessFunc assesses a case with the engine under test. An invariant that
// compares two assessments (monotonicity, determinism) calls it with a
// variant of the case.
type AssessFunc func(dsr.Case) (dsr.Assessment, error)

// Invariant is a rule every assessment must keep, whatever the bundle. Check
// returns nil when the assessment a of the valid case c keeps it, and an
// error saying what is wrong otherwise. An area adds its own with Plain or
// as an Invariant literal, and passes them to Check or Run with
// WithInvariants.
type Invariant struct {
	Name  string
	Check func(c dsr.Case, a dsr.Assessment, assess AssessFunc) error
}

// Plain makes an invariant of a function that looks at one assessment.
func Plain(name string, check func(c dsr.Case, a dsr.Assessment) error) Invariant {
	return Invariant{Name: name, Check: func(c dsr.Case, a dsr.Assessment, _ AssessFunc) error { return check(c, a) }}
}

// DomainRuleIDs are the rule ids of docs/rules.md that a reason or an action may
// cite.
var DomainRuleIDs = []string{
	"R-TIME-1", "R-TIME-2", "R-TIME-3", "R-TIME-4",
	"R-ELIG-1", "R-CONS-1", "R-CONS-2", "R-CONS-3", "R-CONS-4", "R-CONS-5",
	"R-RAG-BLUE", "R-RAG-RED", "R-RAG-AMBER", "R-RAG-GREEN", "R-RAG-LOCAL", "R-RAG-AGREED", "R-RAG-AGREED-2",
	"R-RAG-ACT-1", "R-RAG-ACT-2", "R-RAG-ACT-3", "R-RAG-ACT-4", "R-RAG-ACT-5",
	"R-REV-1", "R-REV-2", "R-REQ-1", "R-REM-1", "R-ADM-1",
	"R-CETR-TYPE", "R-CETR-PA-1", "R-CETR-PA-2", "R-CETR-6W", "R-CETR-INP", "R-CETR-TRIG",
	"R-CETR-RCA", "R-CETR-STAT", "R-CETR-PANEL", "R-CETR-CONSENT", "R-CETR-DOCS", "R-CETR-KLOE",
	"R-CETR-ACT", "R-CETR-REPORT", "R-OV-1",
	"R-BL-CRIT", "R-BL-INVITE", "R-BL-NOTICE", "R-BL-STEPS", "R-BL-PREF", "R-BL-FUND",
	"R-BL-FOLLOW", "R-BL-FOLLOW-2", "R-BL-ESC",
	"R-INPUT-1", "R-DATA-1", "R-REPORT-1", "R-REPORT-2", "R-CODE-1",
}

// LocalRuleID matches the ids of local rules: a docs/rules.md family followed
// by LOCAL and optional parts, such as R-RAG-LOCAL-CRISIS or R-REV-LOCAL-1.
var LocalRuleID = regexp.MustCompile(`^R-[A-Z0-9]+(-[A-Z0-9]+)*-LOCAL(-[A-Z0-9]+)*$`)

// CrisisAndEscalation are the circumstances that monotonicity adds one at a
// time: crisis and escalation facts (docs/rules.md#vocabulary).
var CrisisAndEscalation = []string{
	"in_crisis", "community_cannot_manage", "admission_being_considered", "serious_harm_risk",
	"mental_health_deteriorating", "placement_breakdown_risk", "escalating_behaviour",
}

// ConsentGate is R-CONS-1: on the register exactly when eligible with valid
// consent; consent valid only when a consent_given covering the register
// is on record on or before as_of and not withdrawn since; and nobody off
// the register has register actions (only a consent_reconfirm may be due
// for an eligible person; nothing for one who is not eligible).
func ConsentGate() Invariant {
	return Plain("consent-gate", func(c dsr.Case, a dsr.Assessment) error {
		if a.OnRegister != (a.Eligible && a.Consent.Valid) {
			return fmt.Errorf("R-CONS-1: on_register=%v, but eligible=%v and consent.valid=%v", a.OnRegister, a.Eligible, a.Consent.Valid)
		}
		if a.Consent.Valid {
			f := dsr.Derive(&c)
			switch n := len(f.Consent); {
			case n == 0:
				return errors.New("R-CONS-1: consent.valid, but no consent_given covering the register is on record")
			case f.Consent[n-1].Withdrawn:
				return fmt.Errorf("R-CONS-4: consent.valid, but consent was withdrawn on %s and not given again", f.Consent[n-1].Date)
			}
		}
		for _, act := range a.Actions {
			switch {
			case !a.Eligible:
				return fmt.Errorf("R-CONS-1: not eligible, but action %s (%s) is due", act.Kind, act.Rule)
			case !a.OnRegister && act.Kind != dsr.ActionConsentReconfirm:
				return fmt.Errorf("R-CONS-1: not on the register, but action %s (%s) is due", act.Kind, act.Rule)
			}
		}
		return nil
	})
}

// BlueIffInpatient is R-RAG-BLUE: an eligible person is BLUE exactly when
// an inpatient now; a person who is not eligible is not rated, and an
// eligible one is.
func BlueIffInpatient() Invariant {
	return Plain("blue-iff-inpatient", func(c dsr.Case, a dsr.Assessment) error {
		if !a.Eligible {
			if a.Rating != dsr.Unrated {
				return fmt.Errorf("not eligible, but rated %s", a.Rating)
			}
			return nil
		}
		inpatient := dsr.Derive(&c).Inpatient
		switch {
		case a.Rating == dsr.Unrated:
			return errors.New("eligible, but not rated")
		case inpatient && a.Rating != dsr.Blue:
			return fmt.Errorf("R-RAG-BLUE: an eligible inpatient is rated %s, want blue", a.Rating)
		case !inpatient && a.Rating == dsr.Blue:
			return errors.New("R-RAG-BLUE: rated blue, but not an inpatient")
		}
		return nil
	})
}

// Monotonic is R-RAG-RED/AMBER: adding a crisis or escalation fact (each of
// facts in turn that does not hold yet; CrisisAndEscalation when none are
// named) never lowers the rating and never loses eligibility.
func Monotonic(facts ...string) Invariant {
	if len(facts) == 0 {
		facts = CrisisAndEscalation
	}
	return Invariant{Name: "monotonic", Check: func(c dsr.Case, a dsr.Assessment, assess AssessFunc) error {
		for _, name := range facts {
			i := slices.Index(dsr.CircumstanceNames, name)
			if i < 0 {
				return fmt.Errorf("unknown circumstance %q", name)
			}
			v := c
			f := v.Circumstances.Fields()[i]
			if *f {
				continue
			}
			*f = true
			b, err := assess(v)
			if err != nil {
				return fmt.Errorf("adding %s: %v", name, err)
			}
			if a.Eligible && !b.Eligible {
				return fmt.Errorf("adding %s made the person ineligible", name)
			}
			if b.Rating.Severity() < a.Rating.Severity() {
				return fmt.Errorf("adding %s lowered the rating from %s to %s", name, a.Rating, b.Rating)
			}
		}
		return nil
	}}
}

// ActionsAfterTheirCause: every action has a cause date, is not due before
// it, and is overdue exactly when due before as_of.
func ActionsAfterTheirCause() Invariant {
	return Plain("actions-after-their-cause", func(c dsr.Case, a dsr.Assessment) error {
		for _, act := range a.Actions {
			due := act.DueDate()
			switch {
			case act.From.IsZero():
				return fmt.Errorf("action %s (%s) has no cause date", act.Kind, act.Rule)
			case due.IsZero():
				return fmt.Errorf("action %s (%s) has no due date", act.Kind, act.Rule)
			case due.Before(act.From):
				return fmt.Errorf("action %s (%s) is due %s, before its cause on %s", act.Kind, act.Rule, due, act.From)
			case act.Overdue != due.Before(c.AsOf):
				return fmt.Errorf("action %s (%s) due %s: overdue=%v on %s", act.Kind, act.Rule, due, act.Overdue, c.AsOf)
			}
		}
		return nil
	})
}

// KnownRuleIDs: every reason (and consent reason) and every action cites a
// rule id among known, or a local id matching local (LocalRuleID when nil).
func KnownRuleIDs(known []string, local *regexp.Regexp) Invariant {
	if local == nil {
		local = LocalRuleID
	}
	ok := func(id string) bool { return slices.Contains(known, id) || local.MatchString(id) }
	return Plain("known-rule-ids", func(c dsr.Case, a dsr.Assessment) error {
		for _, r := range slices.Concat(a.Reasons, a.Consent.Reasons) {
			if !ok(r.Rule) {
				return fmt.Errorf("reason %q cites %q, not a known rule id", r.Message, r.Rule)
			}
		}
		for _, act := range a.Actions {
			if !ok(act.Rule) {
				return fmt.Errorf("action %s cites %q, not a known rule id", act.Kind, act.Rule)
			}
		}
		return nil
	})
}

// Deterministic: assessing the same case again gives the same assessment.
func Deterministic() Invariant {
	return Invariant{Name: "deterministic", Check: func(c dsr.Case, a dsr.Assessment, assess AssessFunc) error {
		b, err := assess(c)
		if err != nil {
			return fmt.Errorf("second assessment failed: %v", err)
		}
		if !reflect.DeepEqual(a, b) {
			x, _ := json.Marshal(a)
			y, _ := json.Marshal(b)
			return fmt.Errorf("two assessments of the same case differ:\n%s\n%s", x, y)
		}
		return nil
	}}
}

// UndeclaredInput is the name of an input no bundle may declare: names
// are lower-case (dsr.InputDecl.Check), and this one is not.
const UndeclaredInput = "dsrkit_Undeclared"

// UndeclaredInputRefused: the case with an input the bundle does not
// declare is refused as invalid, naming the field and R-INPUT-1, whatever
// else it holds.
func UndeclaredInputRefused() Invariant {
	return Invariant{Name: "undeclared-input-refused", Check: func(c dsr.Case, a dsr.Assessment, assess AssessFunc) error {
		v := c
		v.Inputs = maps.Clone(c.Inputs)
		if v.Inputs == nil {
			v.Inputs = map[string]dsr.InputValue{}
		}
		v.Inputs[UndeclaredInput] = dsr.BoolInput(true)
		_, err := assess(v)
		var ve *dsr.ValidationError
		switch {
		case err == nil:
			return fmt.Errorf("a case with the undeclared input %s was assessed", UndeclaredInput)
		case !errors.Is(err, dsr.ErrInvalid) || !errors.As(err, &ve):
			return fmt.Errorf("a case with the undeclared input %s: want a validation error, got %v", UndeclaredInput, err)
		case ve.Field != "inputs."+UndeclaredInput || ve.Rule != "R-INPUT-1":
			return fmt.Errorf("a case with the undeclared input %s: the error names %s (%s), want inputs.%s (R-INPUT-1)", UndeclaredInput, ve.Field, ve.Rule, UndeclaredInput)
		}
		return nil
	}}
}

// AssessesValidCases is the name under which an error or a panic assessing
// a valid case is reported: there is no safe default.
const AssessesValidCases = "assesses-valid-cases"

// Invariants returns the library: the invariants every bundle must keep,
// with the rule ids of docs/rules.md plus extraIDs as the known ids. (That the
// engine assesses every valid case without an error or a panic is checked
// by Check and Run themselves, as AssessesValidCases.)
func Invariants(extraIDs ...string) []Invariant {
	return []Invariant{
		ConsentGate(),
		BlueIffInpatient(),
		Monotonic(),
		ActionsAfterTheirCause(),
		KnownRuleIDs(slices.Concat(DomainRuleIDs, extraIDs), nil),
		Deterministic(),
		UndeclaredInputRefused(),
	}
}
