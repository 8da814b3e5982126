package policies

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"
	"cel.dev/cel-go/common/types/traits"
	"cel.dev/cel-go/ext"
	"cel.dev/cel-go/interpreter"

	"github.com/dsrkit/dsrkit/dsr"
)

// CEL decision points see the same facts as Rego ones, as typed variables:
//
//	as_of         int                 the assessment date as a day number
//	person        dsr.Person          age, flags, sixteenth, eighteenth
//	circumstances map(string, bool)   every circumstance by its JSON name
//	facts         dsr.Facts           history facts; a date of 0 means never
//	params        map(string, dyn)    the bundle's parameters
//	decisions     dsr.Decisions       (actions, review_cadence) the first decisions
//
// A CEL rule file holds one expression (comments with //) whose value is the
// decision map, with the same keys as the Rego decision.

// celPerson is the person as CEL sees it.
type celPerson struct {
	Age                int  `cel:"age"`
	LearningDisability bool `cel:"learning_disability"`
	Autism             bool `cel:"autism"`
	AwaitingDiagnosis  bool `cel:"awaiting_diagnosis"`
	EHCP               bool `cel:"ehcp"`
	LacksCapacity      bool `cel:"lacks_capacity"`
	GillickCompetent   bool `cel:"gillick_competent"`
	KnownToKeyworker   bool `cel:"known_to_keyworker"`
	KnownToServices    bool `cel:"known_to_services"`
	Sixteenth          int  `cel:"sixteenth"`
	Eighteenth         int  `cel:"eighteenth"`
}

// celAdmission is the current spell; zero when not an inpatient.
type celAdmission struct {
	Date                int    `cel:"date"`
	Age                 int    `cel:"age"`
	Security            string `cel:"security"`
	LegalStatus         string `cel:"legal_status"`
	OutOfArea           bool   `cel:"out_of_area"`
	LastCommunityReview int    `cel:"last_community_review"`
	LastMove            int    `cel:"last_move"`
	LastMoveChange      string `cel:"last_move_change"`
}

// celReviews is the latest review of each kind (0 = never).
type celReviews struct {
	Community     int `cel:"community"`
	PostAdmission int `cel:"post_admission"`
	Inpatient     int `cel:"inpatient"`
	Trigger       int `cel:"trigger"`
	Statutory     int `cel:"statutory"`
}

type celBlueLight struct {
	Date int   `cel:"date"`
	At   int64 `cel:"at"`
}

type celAgreed struct {
	Rating string `cel:"rating"`
	Date   int    `cel:"date"`
}

type celDiagnosisChange struct {
	Date           int  `cel:"date"`
	Removed        bool `cel:"removed"`
	InOrAfterSpell bool `cel:"in_or_after_spell"`
}

type celConsent struct {
	Date      int    `cel:"date"`
	By        string `cel:"by"`
	Withdrawn bool   `cel:"withdrawn"`
	Age       int    `cel:"age"`
}

// celFacts mirrors the Rego input's facts; absent dates are 0.
type celFacts struct {
	Inpatient          bool               `cel:"inpatient"`
	PreviousAdmissions int                `cel:"previous_admissions"`
	Admission          celAdmission       `cel:"admission"`
	LastReview         celReviews         `cel:"last_review"`
	LastAnyReview      int                `cel:"last_any_review"`
	LastReport         int                `cel:"last_report"`
	LastRegisterReview int                `cel:"last_register_review"`
	LastOversightVisit int                `cel:"last_oversight_visit"`
	LastCrisisEpisode  int                `cel:"last_crisis_episode"`
	LastReferral       int                `cel:"last_referral"`
	LastDischarge      int                `cel:"last_discharge"`
	LastAdmission      int                `cel:"last_admission"`
	BlueLight          celBlueLight       `cel:"blue_light"`
	Agreed             celAgreed          `cel:"agreed"`
	DiagnosisChange    celDiagnosisChange `cel:"diagnosis_change"`
	Consent            []celConsent       `cel:"consent"`
}

// celDecisions are the first stage's decisions, for the second stage.
type celDecisions struct {
	Eligible     bool   `cel:"eligible"`
	ConsentValid bool   `cel:"consent_valid"`
	OnRegister   bool   `cel:"on_register"`
	Rating       string `cel:"rating"`
	ConsentDate  int    `cel:"consent_date"`
}

const celPkg = "dsr."

// newCELEnv declares the variables every CEL decision point sees.
func newCELEnv() (*cel.Env, error) {
	tagged := cel.NativeTypeOption(types.ParseStructTags(true))
	return cel.NewEnv(
		cel.Types(
			cel.NativeTypeFor[celPerson](cel.NativeTypeAlias(celPkg+"Person"), tagged),
			cel.NativeTypeFor[celAdmission](cel.NativeTypeAlias(celPkg+"Admission"), tagged),
			cel.NativeTypeFor[celReviews](cel.NativeTypeAlias(celPkg+"Reviews"), tagged),
			cel.NativeTypeFor[celBlueLight](cel.NativeTypeAlias(celPkg+"BlueLight"), tagged),
			cel.NativeTypeFor[celAgreed](cel.NativeTypeAlias(celPkg+"Agreed"), tagged),
			cel.NativeTypeFor[celDiagnosisChange](cel.NativeTypeAlias(celPkg+"DiagnosisChange"), tagged),
			cel.NativeTypeFor[celConsent](cel.NativeTypeAlias(celPkg+"Consent"), tagged),
			cel.NativeTypeFor[celFacts](cel.NativeTypeAlias(celPkg+"Facts"), tagged),
			cel.NativeTypeFor[celDecisions](cel.NativeTypeAlias(celPkg+"Decisions"), tagged),
		),
		cel.Variable("as_of", cel.IntType),
		cel.Variable("person", cel.ObjectType(celPkg+"Person")),
		cel.Variable("circumstances", cel.MapType(cel.StringType, cel.BoolType)),
		cel.Variable("facts", cel.ObjectType(celPkg+"Facts")),
		cel.Variable("params", cel.MapType(cel.StringType, cel.DynType)),
		cel.Variable("decisions", cel.ObjectType(celPkg+"Decisions")),
		ext.Bindings(),
		ext.Strings(),
		ext.Lists(),
		ext.Sets(),
	)
}

// celCostLimit bounds one decision point's evaluation: far above what the
// national rules need (a few thousand), low enough to stop a runaway rule.
const celCostLimit = 1_000_000

// celPoint is one compiled CEL decision point.
type celPoint struct {
	name string
	file string
	prg  cel.Program
}

// compileCEL type-checks a CEL rule file and plans it once. Errors come back
// as a *LoadError at file:line:col, with the source line and a caret.
func compileCEL(env *cel.Env, point string, src source) (*celPoint, error) {
	ast, iss := env.CompileSource(common.NewStringSource(string(src.text), src.name))
	if iss.Err() != nil {
		errs := iss.Errors()
		le := &LoadError{File: src.name, Err: errors.New(strings.TrimSpace(iss.String()))}
		if len(errs) > 0 {
			le.Line, le.Col = errs[0].Location.Line(), errs[0].Location.Column()+1
			le.Err = errors.New(strings.TrimPrefix(strings.TrimSpace(iss.String()), fmt.Sprintf("ERROR: %s:%d:%d: ", src.name, le.Line, le.Col)))
		}
		return nil, le
	}
	if !ast.OutputType().IsAssignableType(cel.MapType(cel.StringType, cel.DynType)) {
		return nil, &LoadError{File: src.name, Line: 1, Col: 1, Err: fmt.Errorf("decision point %s must evaluate to a map, not %s", point, ast.OutputType())}
	}
	prg, err := env.Program(ast,
		cel.EvalOptions(cel.OptOptimize),
		cel.CostLimit(celCostLimit),
		cel.InterruptCheckFrequency(100),
	)
	if err != nil {
		return nil, &LoadError{File: src.name, Err: err}
	}
	return &celPoint{name: point, file: src.name, prg: prg}, nil
}

// celActivation resolves the declared variables without building a map.
type celActivation struct {
	asOf      int
	person    *celPerson
	circ      map[string]bool
	facts     *celFacts
	params    map[string]any
	decisions *celDecisions
}

func (a *celActivation) ResolveName(name string) (any, bool) {
	switch name {
	case "as_of":
		return types.Int(a.asOf), true
	case "person":
		return a.person, true
	case "circumstances":
		return a.circ, true
	case "facts":
		return a.facts, true
	case "params":
		return a.params, true
	case "decisions":
		if a.decisions == nil {
			return nil, false
		}
		return a.decisions, true
	}
	return nil, false
}

func (a *celActivation) Parent() interpreter.Activation { return nil }

// eval runs the point and decodes its decision map.
func (p *celPoint) eval(ctx context.Context, act *celActivation) (decision, error) {
	out, _, err := p.prg.ContextEval(ctx, act)
	if err != nil {
		if ctx.Err() != nil {
			return decision{}, ctx.Err()
		}
		return decision{}, fmt.Errorf("%w: decision point %s (%s): %v", ErrEvaluation, p.name, p.file, err)
	}
	return decodeCEL(p.name, out)
}

var (
	celEligible   = types.String("eligible")
	celValid      = types.String("valid")
	celGivenBy    = types.String("given_by")
	celRating     = types.String("rating")
	celReviewType = types.String("review_type")
	celActions    = types.String("actions")
	celReasons    = types.String("reasons")
	celKind       = types.String("kind")
	celFrom       = types.String("from")
	celFromAt     = types.String("from_at")
	celN          = types.String("n")
	celUnit       = types.String("unit")
	celRule       = types.String("rule")
	celReason     = types.String("reason")
	celMessage    = types.String("message")
)

// decodeCEL reads a CEL decision map into the engine-neutral decision.
func decodeCEL(point string, out ref.Val) (decision, error) {
	var d decision
	m, ok := out.(traits.Mapper)
	if !ok {
		return d, pointError(point, "decision is %s, want a map", out.Type().TypeName())
	}
	var err error
	get := func(k types.String) ref.Val {
		v, found := m.Find(k)
		if !found {
			return nil
		}
		return v
	}
	if v := get(celEligible); v != nil {
		d.Eligible, err = celBool(point, "eligible", v)
	}
	if v := get(celValid); v != nil && err == nil {
		d.Valid, err = celBool(point, "valid", v)
	}
	if v := get(celGivenBy); v != nil && err == nil {
		d.GivenBy, err = celString(point, "given_by", v)
	}
	if v := get(celRating); v != nil && err == nil {
		d.Rating, err = celString(point, "rating", v)
	}
	if v := get(celReviewType); v != nil && err == nil {
		d.ReviewType, err = celString(point, "review_type", v)
	}
	if err != nil {
		return d, err
	}
	if v := get(celReasons); v != nil {
		if err := celEach(point, "reasons", v, func(e ref.Val) error {
			rm, ok := e.(traits.Mapper)
			if !ok {
				return pointError(point, "a reason is %s, want {rule, message}", e.Type().TypeName())
			}
			r := celReasonOf(rm)
			if r.Rule == "" {
				return pointError(point, "a reason has no rule id")
			}
			d.Reasons = append(d.Reasons, r)
			return nil
		}); err != nil {
			return d, err
		}
	}
	if v := get(celActions); v != nil {
		if err := celEach(point, "actions", v, func(e ref.Val) error {
			am, ok := e.(traits.Mapper)
			if !ok {
				return pointError(point, "an action is %s, want {kind, from, n, unit, rule, reason}", e.Type().TypeName())
			}
			dl, err := celDeadline(point, am)
			if err != nil {
				return err
			}
			d.Actions = append(d.Actions, dl)
			return nil
		}); err != nil {
			return d, err
		}
	}
	return d, nil
}

func celBool(point, field string, v ref.Val) (bool, error) {
	b, ok := v.(types.Bool)
	if !ok {
		return false, pointError(point, "%s is %s, want a bool", field, v.Type().TypeName())
	}
	return bool(b), nil
}

func celString(point, field string, v ref.Val) (string, error) {
	s, ok := v.(types.String)
	if !ok {
		return "", pointError(point, "%s is %s, want a string", field, v.Type().TypeName())
	}
	return string(s), nil
}

func celEach(point, field string, v ref.Val, f func(ref.Val) error) error {
	l, ok := v.(traits.Lister)
	if !ok {
		return pointError(point, "%s is %s, want a list", field, v.Type().TypeName())
	}
	it := l.Iterator()
	for it.HasNext() == types.True {
		if err := f(it.Next()); err != nil {
			return err
		}
	}
	return nil
}

func celStr(m traits.Mapper, k types.String) string {
	if v, ok := m.Find(k); ok {
		if s, ok := v.(types.String); ok {
			return string(s)
		}
	}
	return ""
}

func celInt(m traits.Mapper, k types.String) (int64, bool) {
	v, ok := m.Find(k)
	if !ok {
		return 0, false
	}
	switch n := v.(type) {
	case types.Int:
		return int64(n), true
	case types.Uint:
		return int64(n), true
	case types.Double:
		if float64(int64(n)) == float64(n) {
			return int64(n), true
		}
	}
	return 0, false
}

func celReasonOf(m traits.Mapper) dsr.Reason {
	return dsr.Reason{Rule: celStr(m, celRule), Message: celStr(m, celMessage)}
}

func celDeadline(point string, m traits.Mapper) (deadline, error) {
	dl := deadline{Kind: celStr(m, celKind), Unit: celStr(m, celUnit), Rule: celStr(m, celRule), Reason: celStr(m, celReason)}
	from, ok1 := celInt(m, celFrom)
	n, ok2 := celInt(m, celN)
	if !ok1 || !ok2 {
		return dl, pointError(point, "action %s: from and n must be whole numbers", dl.Kind)
	}
	dl.From, dl.N = int(from), int(n)
	if _, found := m.Find(celFromAt); found {
		at, ok := celInt(m, celFromAt)
		if !ok {
			return dl, pointError(point, "action %s: from_at is not a whole number", dl.Kind)
		}
		dl.FromAt = at
	}
	return dl, nil
}

// celParams converts the bundle's parameters for CEL: whole JSON numbers
// become int, others double.
func celParams(v any) any {
	switch x := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = celParams(e)
		}
		return m
	case []any:
		s := make([]any, len(x))
		for i, e := range x {
			s[i] = celParams(e)
		}
		return s
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return i
		}
		f, _ := x.Float64()
		return f
	}
	return v
}

// buildCELInput turns a case and its facts into the CEL activation; it
// mirrors buildInput, with 0 for dates that never happened.
func buildCELInput(c *dsr.Case, f *dsr.Facts, params map[string]any) *celActivation {
	p := &c.Person
	in := &celActivation{
		asOf: c.AsOf.Days(),
		person: &celPerson{
			Age: f.Age, LearningDisability: f.LearningDisability, Autism: f.Autism,
			AwaitingDiagnosis: p.AwaitingDiagnosis, EHCP: p.EHCP, LacksCapacity: p.LacksCapacity,
			GillickCompetent: p.GillickCompetent, KnownToKeyworker: p.KnownToKeyworker,
			KnownToServices: p.KnownToServices, Sixteenth: f.Sixteenth.Days(), Eighteenth: f.Eighteenth.Days(),
		},
		circ:   make(map[string]bool, len(dsr.CircumstanceNames)),
		params: params,
	}
	cs := c.Circumstances
	for i, ptr := range cs.Fields() {
		in.circ[dsr.CircumstanceNames[i]] = *ptr
	}
	day := func(d interface {
		IsZero() bool
		Days() int
	}) int {
		if d.IsZero() {
			return 0
		}
		return d.Days()
	}
	facts := &celFacts{
		Inpatient:          f.Inpatient,
		PreviousAdmissions: f.PreviousAdmissions,
		LastReview: celReviews{
			Community: day(f.LastReview[0]), PostAdmission: day(f.LastReview[1]), Inpatient: day(f.LastReview[2]),
			Trigger: day(f.LastReview[3]), Statutory: day(f.LastReview[4]),
		},
		LastAnyReview:      day(f.LastAnyReview),
		LastReport:         day(f.LastReport),
		LastRegisterReview: day(f.LastRegisterReview),
		LastOversightVisit: day(f.LastOversightVisit),
		LastCrisisEpisode:  day(f.LastCrisisEpisode),
		LastReferral:       day(f.LastReferral),
		LastDischarge:      day(f.LastDischarge),
	}
	if n := len(f.Spells); n > 0 {
		facts.LastAdmission = f.Spells[n-1].Admitted.Days()
	}
	if s := f.Current(); s != nil {
		facts.Admission = celAdmission{
			Date: s.Admitted.Days(), Age: s.AgeAtAdmission, Security: s.Security, LegalStatus: s.LegalStatus,
			OutOfArea: s.OutOfArea, LastCommunityReview: day(s.LastCommunityReview), LastMove: day(s.LastMove),
			LastMoveChange: s.LastMoveChange,
		}
	}
	if !f.LastBlueLight.IsZero() {
		facts.BlueLight = celBlueLight{Date: dayOf(f.LastBlueLight), At: f.LastBlueLight.Unix()}
	}
	if f.Agreed != nil {
		facts.Agreed = celAgreed{Rating: f.Agreed.Rating.String(), Date: f.Agreed.Day().Days()}
	}
	if !f.LastDiagnosisChange.IsZero() {
		facts.DiagnosisChange = celDiagnosisChange{Date: f.LastDiagnosisChange.Days(), Removed: f.DiagnosisChangeRemoved, InOrAfterSpell: f.DiagnosisChangeInOrAfterSpell}
	}
	facts.Consent = make([]celConsent, len(f.Consent))
	for i, r := range f.Consent {
		facts.Consent[i] = celConsent{Date: r.Date.Days(), By: r.By, Withdrawn: r.Withdrawn, Age: r.Age}
	}
	in.facts = facts
	return in
}
