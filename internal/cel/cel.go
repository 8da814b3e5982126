package cel

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math/bits"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/dsrkit/dsrkit/internal/bundle"
	"github.com/dsrkit/dsrkit/internal/eval"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common"
	celast "cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/cost"
	"cel.dev/cel-go/common/decls"
	"cel.dev/cel-go/common/overloads"
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
	LastAnyReviewAt    int64              `cel:"last_any_review_at"` // unix seconds; 0 if none
	LastReport         int                `cel:"last_report"`
	LastRegisterReview int                `cel:"last_register_review"`
	LastOversightVisit int                `cel:"last_oversight_visit"`
	LastCrisisEpisode  int                `cel:"last_crisis_episode"`
	LastReferral       int                `cel:"last_referral"`
	LastDischarge      int                `cel:"last_discharge"`
	AdultReferralMade  int                `cel:"adult_referral_made"`
	OutOfAreaPlacement bool               `cel:"out_of_area_placement"`
	Section117         bool               `cel:"section_117"`
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
	RatingSince  int    `cel:"rating_since"`
	ConsentDate  int    `cel:"consent_date"`
}

const celPkg = "dsr."

// celTypes are the input structs as CEL types, nested ones first.
var celTypes = []struct {
	name string
	t    reflect.Type
	desc *types.NativeTypeDesc
}{
	{"Admission", reflect.TypeFor[celAdmission](), celNative[celAdmission]("Admission")},
	{"Reviews", reflect.TypeFor[celReviews](), celNative[celReviews]("Reviews")},
	{"BlueLight", reflect.TypeFor[celBlueLight](), celNative[celBlueLight]("BlueLight")},
	{"Agreed", reflect.TypeFor[celAgreed](), celNative[celAgreed]("Agreed")},
	{"DiagnosisChange", reflect.TypeFor[celDiagnosisChange](), celNative[celDiagnosisChange]("DiagnosisChange")},
	{"Consent", reflect.TypeFor[celConsent](), celNative[celConsent]("Consent")},
	{"Facts", reflect.TypeFor[celFacts](), celNative[celFacts]("Facts")},
	{"Person", reflect.TypeFor[celPerson](), celNative[celPerson]("Person")},
	{"Decisions", reflect.TypeFor[celDecisions](), celNative[celDecisions]("Decisions")},
}

func celNative[T any](name string) *types.NativeTypeDesc {
	return cel.NativeTypeFor[T](cel.NativeTypeAlias(celPkg+name), cel.NativeTypeOption(types.ParseStructTags(true)))
}

// celObjectTypes are the views of the input structs (celinput.go), by CEL
// type name.
var celObjectTypes = func() map[string]*celObjectType {
	byName := map[string]*celObjectType{}
	byGo := map[reflect.Type]*celObjectType{}
	for _, ct := range celTypes {
		ot, err := newCELObjectType(celPkg+ct.name, ct.t, byGo)
		if err != nil {
			panic(err) // the structs above are wrong: a programming error
		}
		byName[ot.name], byGo[ct.t] = ot, ot
		// cel-go names a struct reached through a list field by its Go
		// name (facts.consent is a list(policies.celConsent)).
		byName[ct.t.String()] = ot
	}
	return byName
}()

var (
	celPersonType    = celObjectTypes[celPkg+"Person"]
	celFactsType     = celObjectTypes[celPkg+"Facts"]
	celDecisionsType = celObjectTypes[celPkg+"Decisions"]
)

// newCELEnv declares the variables every CEL decision point sees.
func newCELEnv() (*cel.Env, error) { return newCELEnvWith(nil) }

// newCELEnvWith is newCELEnv with the bundle's declared inputs (nil:
// none), declared as the variable inputs of their own object type.
func newCELEnvWith(declared *celDeclared) (*cel.Env, error) {
	reg, err := types.NewRegistry()
	if err != nil {
		return nil, err
	}
	for _, ct := range celTypes {
		if err := reg.RegisterNativeTypeDesc(ct.desc); err != nil {
			return nil, err
		}
	}
	objects := celObjectTypes
	var extra []cel.EnvOption
	if declared != nil {
		if objects, extra, err = declared.declare(reg); err != nil {
			return nil, err
		}
	}
	return cel.NewEnv(append(extra,
		cel.CustomTypeProvider(&celProvider{Registry: reg, objects: objects}),
		// No run-time type guard: it would walk the whole map to check
		// its type, on every call; the rewrite puts the call only where
		// the checker has typed the range map(_, bool).
		cel.Function(celTrueEntriesFn, decls.DisableTypeGuards(true), cel.Overload(celTrueEntriesOverload,
			[]*cel.Type{cel.MapType(cel.TypeParamType("K"), cel.BoolType)}, cel.MapType(cel.TypeParamType("K"), cel.BoolType),
			cel.UnaryBinding(celTrueEntriesOf))),
		cel.Variable("as_of", cel.IntType),
		cel.Variable("person", cel.ObjectType(celPkg+"Person")),
		cel.Variable("circumstances", cel.MapType(cel.StringType, cel.BoolType)),
		cel.Variable("facts", cel.ObjectType(celPkg+"Facts")),
		cel.Variable("params", cel.MapType(cel.StringType, cel.DynType)),
		cel.Variable("decisions", cel.ObjectType(celPkg+"Decisions")),
		ext.Bindings(),
		ext.TwoVarComprehensions(),
		ext.Strings(),
		ext.Lists(),
		ext.Sets(),
	)...)
}

// celCostLimit bounds one decision point's evaluation: far above what the
// national rules need (a few thousand), low enough to stop a runaway rule.
// A variable only so that a test can lift it.
var celCostLimit uint64 = 1_000_000

// celInterruptEvery is how many comprehension iterations pass between checks
// that ctx is still live.
const celInterruptEvery = 100

// celPoint is one compiled CEL decision point.
type celPoint struct {
	name string
	file string
	prg  cel.Program
	// tracked is true when the program counts its cost as it runs: the
	// rule's worst case could not be bounded below celCostLimit at load.
	tracked bool
	// kept is true when the assessment keeps the decision's reasons as
	// they are (consent's become Assessment.Consent.Reasons): they are not
	// decoded into the assessment's arena, which would keep it alive.
	kept bool
	// long is true when the time limit can stop the program: it loops,
	// and its worst case is not bounded below celQuickCost
	// (celdeadline.go).
	long bool
}

// compileCEL type-checks a CEL rule file and plans it once, with the
// bundle's parameters inlined as constants (the rules see the same values
// on every call, so params.red_review.n is a constant, not a map lookup per
// assessment). Errors come back as a *LoadError at file:line:col,
// with the source line and a caret.
//
// The cost limit holds for every program: where the worst-case cost of the
// folded rule is bounded below celCostLimit (cel-go's static estimate, with
// the input's sizes from celSizes) it can never be exceeded and the program
// runs without per-call cost tracking, which would triple its allocations;
// any other program (a comprehension over a list of unknown length, say)
// counts its cost as it runs and is stopped at the limit.
func compileCEL(env *cel.Env, point string, src bundle.Source, params map[string]any) (*celPoint, error) {
	return compile(env, point, src, params, false)
}

// compile is compileCEL with the optimiser switch. Plain, the checked rule
// is planned by cel-go as it is, reading the parameters from the params
// variable at run time, with cel-go's own evaluation options and the cost
// limit tracked on every call: no inlining, no rewrite, no decorators.
func compile(env *cel.Env, point string, src bundle.Source, params map[string]any, plain bool) (*celPoint, error) {
	source := common.NewStringSource(string(src.Text), src.Name)
	inline := !plain && params != nil && celPasses&passParams != 0
	var (
		checked *cel.Ast
		iss     *cel.Issues
	)
	if inline {
		// The inliner works on the parsed rule, and cel-go's optimiser
		// type-checks what it returns: one check, not one before and one
		// after (the check is a third of a rule's load). The parameters
		// are dyn to the checker either way (params.x or dyn(literal)),
		// so it accepts and refuses the same rules.
		checked, iss = inlineParams(env, source, params)
	} else {
		checked, iss = env.CompileSource(source)
	}
	if iss.Err() != nil {
		return nil, celLoadError(src.Name, iss)
	}
	if out := checked.OutputType(); out != cel.DynType && !cel.MapType(cel.StringType, cel.DynType).IsAssignableType(out) {
		return nil, &bundle.LoadError{File: src.Name, Line: 1, Col: 1, Err: fmt.Errorf("decision point %s must evaluate to a map, not %s", point, out)}
	}
	if plain {
		prg, err := env.Program(checked,
			cel.EvalOptions(cel.OptOptimize),
			cel.InterruptCheckFrequency(celInterruptEvery),
			cel.CostLimit(celCostLimit))
		if err != nil {
			return nil, &bundle.LoadError{File: src.Name, Err: err}
		}
		return &celPoint{name: point, file: src.Name, prg: prg, tracked: true, kept: point == "consent", long: celLoops(checked.NativeRep().Expr())}, nil
	}
	folded := checked
	sizes := celSizes{params: paramsSize(params)}
	opts := []cel.ProgramOption{
		cel.EvalOptions(cel.OptOptimize),
		cel.InterruptCheckFrequency(celInterruptEvery),
	}
	tracked := celEstimateWork(folded.NativeRep().Expr(), celEstimateMax) > celEstimateMax
	worst := uint64(celCostLimit)
	if !tracked {
		est, err := env.EstimateCost(folded, sizes)
		tracked = err != nil || est.Max > celCostLimit
		if err == nil {
			worst = est.Max
		}
	}
	if tracked {
		opts = append(opts, cel.CostLimit(celCostLimit))
	} else {
		if celPasses&passRecords != 0 {
			opts = append(opts, cel.CustomDecoratorV2(celRecords(env.CELTypeAdapter())))
		}
		if celPasses&passTuples != 0 {
			opts = append(opts, cel.CustomDecoratorV2(celTuples(env.CELTypeAdapter())))
		}
		if celPasses&passAppends != 0 {
			opts = append(opts, cel.CustomDecoratorV2(celAppends()))
		}
	}
	rewritten := celRewrite(folded.NativeRep())
	prg, err := env.PlanProgram(rewritten, opts...)
	if err != nil {
		return nil, &bundle.LoadError{File: src.Name, Err: err}
	}
	long := (tracked || worst > celQuickCost) && celLoops(rewritten.Expr())
	return &celPoint{name: point, file: src.Name, prg: prg, tracked: tracked, kept: point == "consent", long: long}, nil
}

// passSet is a set of the optimiser's passes: the rewrites of celRewrite,
// the parameter inliner and the decorators of celplan.go. Each pass's
// comment says what it buys, from BenchmarkPasses (the CEL share of an
// assessment of national-2023-cel with all passes, against all but that
// one): the CPU time ratio and the allocations saved per assessment, for
// community_green, red_with_consent and child_inpatient_8_events, medians
// of ten interleaved runs on a shared machine (cel-go v0.33.2).
type passSet uint

const (
	passParams      passSet = 1 << iota // paramsInliner
	passUnroll                          // celRewriter.unroll
	passFold                            // celRewriter.fold
	passTrueEntries                     // celRewriter.trueEntries
	passBlocks                          // celRewriter.visit
	passRecords                         // celRecords
	passTuples                          // celTuples
	passAppends                         // celAppends (needs celTuples)

	allPasses = passAppends<<1 - 1
)

// celPasses are the passes the optimised path runs: all of them. A
// variable only so that a test or benchmark can turn one off (see
// BenchmarkPasses); compile reads it when it compiles a rule.
var celPasses = allPasses

// celLoadError is a compile error at its first position; the message keeps
// cel-go's report of every problem, each with its source line and a caret.
func celLoadError(file string, iss *cel.Issues) error {
	errs := iss.Errors()
	le := &bundle.LoadError{File: file, Err: errors.New(strings.TrimSpace(iss.String()))}
	if len(errs) > 0 {
		le.Line, le.Col = errs[0].Location.Line(), errs[0].Location.Column()+1
		le.Err = errors.New(strings.TrimPrefix(strings.TrimSpace(iss.String()), fmt.Sprintf("ERROR: %s:%d:%d: ", file, le.Line, le.Col)))
	}
	return le
}

// inlineParams parses source, inlines the parameters (paramsInliner) and
// type-checks the result.
func inlineParams(env *cel.Env, source common.Source, params map[string]any) (*cel.Ast, *cel.Issues) {
	parsed, iss := env.ParseSource(source)
	if iss.Err() != nil {
		return nil, iss
	}
	opt, err := cel.NewStaticOptimizer(paramsInliner{params})
	if err != nil { // only for no optimiser
		panic(err)
	}
	return opt.Optimize(env, parsed)
}

// paramsInliner replaces each params.<name> in a rule with the value of
// that parameter, as dyn(<literal>): dyn keeps the checker's view of a
// parameter (a rule may compare person.age with params.age_max, which may
// be null), and cel-go's planner turns the constant literal and conversion
// into one value. Nothing is evaluated at load, so no rule can run away
// here.
//
// It buys 1.54×, 1.53×, 1.78× and 34, 45, 39 allocations per assessment
// (BenchmarkPasses). cel-go's NewInliningOptimizer in its place is 1.51×,
// 1.31×, 1.20× slower, makes 2, 10, 4 allocations more and loads 3× slower
// (BenchmarkPassesLoad, with each parameter's definition compiled per rule
// file): a parameter read twice becomes a cel.bind at the
// reads' common ancestor, not a literal at each, so unroll and fold, which
// run before blocks, do not see the constant; it rewrites has(params.x)
// into a test of the value (!= null, size != 0), which is false where the
// parameter is null or empty and the map's has() true; and followed by
// cel-go's constant folder it cannot load eligibility.cel (the folder
// turns the bound dyn(null) into null, and person.age > null does not
// type-check).
type paramsInliner struct{ params map[string]any }

func (p paramsInliner) Optimize(ctx *cel.OptimizerContext, a *celast.AST) *celast.AST {
	root := celast.NavigateAST(a)
	sels := celast.MatchDescendants(root, func(e celast.NavigableExpr) bool {
		if e.Kind() != celast.SelectKind {
			return false
		}
		sel := e.AsSelect()
		if sel.IsTestOnly() || sel.Operand().Kind() != celast.IdentKind || sel.Operand().AsIdent() != "params" {
			return false
		}
		_, ok := p.params[sel.FieldName()]
		return ok
	})
	for _, e := range sels {
		lit, ok := celLiteral(ctx, p.params[e.AsSelect().FieldName()])
		if !ok {
			continue
		}
		ctx.UpdateExpr(e, ctx.NewCall("dyn", lit))
	}
	return a
}

// celLiteral is a parameter value (as celParams makes it) as a CEL literal.
func celLiteral(ctx *cel.OptimizerContext, v any) (celast.Expr, bool) {
	switch x := v.(type) {
	case nil:
		return ctx.NewLiteral(types.NullValue), true
	case bool:
		return ctx.NewLiteral(types.Bool(x)), true
	case int64:
		return ctx.NewLiteral(types.Int(x)), true
	case float64:
		return ctx.NewLiteral(types.Double(x)), true
	case string:
		return ctx.NewLiteral(types.String(x)), true
	case []any:
		elems := make([]celast.Expr, len(x))
		for i, e := range x {
			lit, ok := celLiteral(ctx, e)
			if !ok {
				return nil, false
			}
			elems[i] = lit
		}
		return ctx.NewList(elems, nil), true
	case map[string]any:
		entries := make([]celast.EntryExpr, 0, len(x))
		for _, k := range slices.Sorted(maps.Keys(x)) {
			lit, ok := celLiteral(ctx, x[k])
			if !ok {
				return nil, false
			}
			entries = append(entries, ctx.NewMapEntry(ctx.NewLiteral(types.String(k)), lit, false))
		}
		return ctx.NewMap(entries), true
	}
	return nil, false
}

// celMaxWord is the longest string the CEL input holds: every string in it
// is a word from a closed list that case validation enforces (who gave
// consent, ward security, legal status, a rating, what a move changed).
var celMaxWord = func() uint64 {
	n := 0
	for _, list := range [][]string{dsr.ConsentGivers, dsr.SecurityLevels, dsr.LegalStatuses, dsr.CircumstanceNames,
		{"red", "amber", "green", "blue", "hospital", "security_up", "security_down", "general", "informal"}} {
		for _, w := range list {
			n = max(n, len(w))
		}
	}
	return uint64(n)
}()

// celSizes tells cel-go's cost estimator how big the input can be: the
// circumstances map has one key per circumstance, and every string is at
// most celMaxWord long. Lists of unknown length (facts.consent) get no
// bound, so a rule that iterates one is tracked at run time.
type celSizes struct {
	params uint64 // the longest list, map or string in the parameters
}

// paramsSize is the size of the largest list, map or string in v.
func paramsSize(v any) uint64 {
	var n uint64
	switch x := v.(type) {
	case map[string]any:
		n = uint64(len(x))
		for k, e := range x {
			n = max(n, uint64(len(k)), paramsSize(e))
		}
	case []any:
		n = uint64(len(x))
		for _, e := range x {
			n = max(n, paramsSize(e))
		}
	case string:
		n = uint64(len(x))
	}
	return n
}

func (z celSizes) EstimateSize(n cost.AstNode) *cost.SizeEstimate {
	path := n.Path()
	if len(path) == 0 {
		return nil
	}
	switch path[0] {
	case "as_of", "person", "circumstances", "facts", "decisions", "inputs":
	case "params":
		if z.params == 0 {
			return nil
		}
		return &cost.SizeEstimate{Min: 0, Max: z.params}
	default:
		return nil
	}
	if len(path) == 1 && path[0] == "circumstances" {
		k := uint64(len(dsr.CircumstanceNames))
		return &cost.SizeEstimate{Min: k, Max: k}
	}
	if n.Type() == cel.StringType {
		if path[0] == "inputs" { // an enum input's words: dsr.InputDecl.Check bounds them
			return &cost.SizeEstimate{Min: 0, Max: dsr.MaxInputNameLength}
		}
		return &cost.SizeEstimate{Min: 0, Max: celMaxWord}
	}
	return nil
}

func (z celSizes) EstimateCallCost(function, overloadID string, target *cost.AstNode, args []cost.AstNode) *cost.CallEstimate {
	if overloadID == overloads.IntToString {
		// string(int): at most 20 bytes ("-9223372036854775808"), which
		// cel-go does not know, so that a rule formatting a number (a
		// weighted score over declared inputs, R-INPUT-1) is bounded.
		return cost.NewCallEstimate(cost.FixedCostEstimate(1), &cost.SizeEstimate{Min: 1, Max: 20})
	}
	return nil
}

// celActivation resolves the declared variables without building a map.
// The values are adapted to CEL once per assessment, not once per
// reference.
type celActivation struct {
	asOf      ref.Val
	person    ref.Val
	circ      ref.Val
	facts     ref.Val
	params    ref.Val
	decisions ref.Val
	inputs    ref.Val         // the declared inputs (R-INPUT-1); nil: none
	decoded   *celDecodeArena // where decisions decode to; nil: the heap
}

func (a *celActivation) ResolveName(name string) (any, bool) {
	var v ref.Val
	switch name {
	case "as_of":
		v = a.asOf
	case "person":
		v = a.person
	case "circumstances":
		v = a.circ
	case "facts":
		v = a.facts
	case "params":
		v = a.params
	case "decisions":
		v = a.decisions
	case "inputs":
		v = a.inputs
	}
	return v, v != nil
}

func (a *celActivation) Parent() interpreter.Activation { return nil }

// eval runs the point and decodes its decision map. A context that can be
// cancelled is checked first and then inside every comprehension.
func (p *celPoint) eval(ctx context.Context, act *celActivation) (eval.Decision, error) {
	var (
		out ref.Val
		err error
	)
	if ctx.Done() == nil {
		out, _, err = p.prg.Eval(act)
	} else {
		if err := ctx.Err(); err != nil {
			return eval.Decision{}, p.evalError(ctx, err)
		}
		out, _, err = p.prg.ContextEval(ctx, act)
	}
	if err != nil {
		return eval.Decision{}, p.evalError(ctx, err)
	}
	var arena *celDecodeArena
	if !p.kept {
		arena = act.decoded
	}
	return decodeCEL(p.name, out, arena)
}

// celDecodeArena holds the reasons and deadlines an assessment's decisions
// decode to: the engine copies them into the assessment, so they need not
// be allocated point by point. It overflows to the heap.
type celDecodeArena struct {
	reasons   [16]dsr.Reason
	nr        int
	deadlines [12]eval.Deadline
	nd        int
}

// reasonsFor is room for n reasons: from the arena a, if any and it has room.
func (a *celDecodeArena) reasonsFor(n int) []dsr.Reason {
	if a == nil || a.nr+n > len(a.reasons) {
		return make([]dsr.Reason, 0, n)
	}
	r := a.reasons[a.nr : a.nr : a.nr+n]
	a.nr += n
	return r
}

func (a *celDecodeArena) deadlinesFor(n int) []eval.Deadline {
	if a == nil || a.nd+n > len(a.deadlines) {
		return make([]eval.Deadline, 0, n)
	}
	d := a.deadlines[a.nd : a.nd : a.nd+n]
	a.nd += n
	return d
}

// celKey is a key of the decision maps: boxed once (looking it up does not
// allocate), and numbered, so that a record (celplan.go) answers it by
// position.
type celKey struct {
	val ref.Val
	id  int
}

// celKeyIDs numbers the keys the decoder reads.
var celKeyIDs = map[string]int{}

func newCELKey(name string) celKey {
	id := len(celKeyIDs)
	celKeyIDs[name] = id
	return celKey{val: types.String(name), id: id}
}

var (
	celEligible   = newCELKey("eligible")
	celValid      = newCELKey("valid")
	celGivenBy    = newCELKey("given_by")
	celRating     = newCELKey("rating")
	celReviewType = newCELKey("review_type")
	celActions    = newCELKey("actions")
	celReasons    = newCELKey("reasons")
	celKind       = newCELKey("kind")
	celFrom       = newCELKey("from")
	celFromAt     = newCELKey("from_at")
	celN          = newCELKey("n")
	celUnit       = newCELKey("unit")
	celRule       = newCELKey("rule")
	celReason     = newCELKey("reason")
	celMessage    = newCELKey("message")
	celArgs       = newCELKey("args")
)

// celFind is m's value for k: by position in a record, else by lookup.
func celFind(m traits.Mapper, k celKey) (ref.Val, bool) {
	if r, ok := m.(*celRecord); ok {
		j := r.shape.known[k.id]
		if j < 0 {
			return nil, false
		}
		return r.vals[j], true
	}
	return m.Find(k.val)
}

// decodeCEL reads a CEL decision map into the engine-neutral decision.
// Reasons and deadlines come from arena, when not nil.
func decodeCEL(point string, out ref.Val, arena *celDecodeArena) (eval.Decision, error) {
	var d eval.Decision
	m, ok := out.(traits.Mapper)
	if !ok {
		return d, eval.PointError(point, "decision is %s, want a map", out.Type().TypeName())
	}
	var err error
	if v, found := celFind(m, celEligible); found {
		d.Eligible, err = celBool(point, "eligible", v)
	}
	if v, found := celFind(m, celValid); found && err == nil {
		d.Valid, err = celBool(point, "valid", v)
	}
	if v, found := celFind(m, celGivenBy); found && err == nil {
		d.GivenBy, err = celString(point, "given_by", v)
	}
	if v, found := celFind(m, celRating); found && err == nil {
		d.Rating, err = celString(point, "rating", v)
	}
	if v, found := celFind(m, celReviewType); found && err == nil {
		d.ReviewType, err = celString(point, "review_type", v)
	}
	if err != nil {
		return d, err
	}
	if d.Reasons, err = celDecodeList(point, m, celReasons, "a reason", "{rule, message}", arena.reasonsFor, func(rm traits.Mapper) (dsr.Reason, error) {
		r := celReasonOf(rm)
		if r.Rule == "" {
			return r, eval.PointError(point, "a reason has no rule id")
		}
		return r, nil
	}); err != nil {
		return d, err
	}
	if d.Actions, err = celDecodeList(point, m, celActions, "an action", "{kind, from, n, unit, rule, reason}", arena.deadlinesFor, func(am traits.Mapper) (eval.Deadline, error) {
		return celDeadline(point, am)
	}); err != nil {
		return d, err
	}
	return d, nil
}

// celDecodeList decodes the decision's list under key (absent: none), each
// element a map that dec reads, into room from alloc. elem names an
// element and want what it should be, for the error when it is not a map.
func celDecodeList[T any](point string, m traits.Mapper, key celKey, elem, want string, alloc func(int) []T, dec func(traits.Mapper) (T, error)) ([]T, error) {
	v, found := celFind(m, key)
	if !found {
		return nil, nil
	}
	l, n, err := celList(point, string(key.val.(types.String)), v)
	if err != nil || n == 0 {
		return nil, err
	}
	out := alloc(n)
	for i := range n {
		e := l.Get(types.Int(i))
		em, ok := e.(traits.Mapper)
		if !ok {
			return nil, eval.PointError(point, "%s is %s, want %s", elem, e.Type().TypeName(), want)
		}
		x, err := dec(em)
		if err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, nil
}

// celList is a decision's list of reasons or actions, and its length.
func celList(point, field string, v ref.Val) (traits.Lister, int, error) {
	l, ok := v.(traits.Lister)
	if !ok {
		return nil, 0, eval.PointError(point, "%s is %s, want a list", field, v.Type().TypeName())
	}
	n, ok := l.Size().(types.Int)
	if !ok {
		return nil, 0, eval.PointError(point, "%s has no size", field)
	}
	return l, int(n), nil
}

func celBool(point, field string, v ref.Val) (bool, error) {
	b, ok := v.(types.Bool)
	if !ok {
		return false, eval.PointError(point, "%s is %s, want a bool", field, v.Type().TypeName())
	}
	return bool(b), nil
}

func celString(point, field string, v ref.Val) (string, error) {
	s, ok := v.(types.String)
	if !ok {
		return "", eval.PointError(point, "%s is %s, want a string", field, v.Type().TypeName())
	}
	return string(s), nil
}

func celStr(m traits.Mapper, k celKey) string {
	if v, ok := celFind(m, k); ok {
		if s, ok := v.(types.String); ok {
			return string(s)
		}
	}
	return ""
}

func celInt(m traits.Mapper, k celKey) (int64, bool) {
	v, ok := celFind(m, k)
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
	return dsr.Reason{Rule: celStr(m, celRule), Message: celMessageOf(m, celMessage)}
}

// celMessageOf reads a reason's or an action's text, formatted with its
// "args" exactly as message does for Rego.
func celMessageOf(m traits.Mapper, key celKey) string {
	msg := celStr(m, key)
	v, found := celFind(m, celArgs)
	if !found {
		return msg
	}
	l, ok := v.(traits.Lister)
	if !ok {
		return msg
	}
	if s, ok := celFormatPlain(msg, l); ok {
		return s
	}
	n := int(l.Size().(types.Int))
	args := make([]any, n)
	for i := range n {
		args[i] = celFmtArg(l.Get(types.Int(i)))
	}
	return eval.FormatMessage(msg, args)
}

// celFormatPlain formats the common message, whose verbs are only %s with
// a string, %d with a whole number and %%, each arg used once, in one
// allocation; it renders exactly what formatMessage would. Any other
// message (another verb, flags, a list, a missing or extra arg) is not
// plain: ok is false and the caller formats it with formatMessage.
func celFormatPlain(msg string, args traits.Lister) (string, bool) {
	size, ok := args.Size().(types.Int)
	if !ok {
		return "", false
	}
	var buf [256]byte
	b := buf[:0]
	used := 0
	for i := 0; i < len(msg); i++ {
		c := msg[i]
		if c != '%' {
			b = append(b, c)
			continue
		}
		if i+1 >= len(msg) {
			return "", false
		}
		i++
		switch msg[i] {
		case '%':
			b = append(b, '%')
			continue
		case 's', 'd':
		default:
			return "", false
		}
		if types.Int(used) >= size {
			return "", false
		}
		a := args.Get(types.Int(used))
		used++
		switch x := a.(type) {
		case types.String:
			if msg[i] != 's' {
				return "", false
			}
			b = append(b, x...)
		case types.Int:
			if msg[i] != 'd' {
				return "", false
			}
			b = strconv.AppendInt(b, int64(x), 10)
		case traits.Lister:
			// A list of strings renders as formatMessage renders a
			// eval.ListArg: sorted, joined with ", ".
			if msg[i] != 's' {
				return "", false
			}
			var ok bool
			if b, ok = celAppendSorted(b, x); !ok {
				return "", false
			}
		default:
			return "", false
		}
	}
	if types.Int(used) != size {
		return "", false
	}
	return string(b), true
}

// celAppendSorted appends the strings of l, sorted and joined with ", ";
// ok is false if l is long or holds anything but strings.
func celAppendSorted(b []byte, l traits.Lister) ([]byte, bool) {
	n, ok := l.Size().(types.Int)
	var elems [24]string
	if !ok || n > types.Int(len(elems)) {
		return b, false
	}
	for i := range int(n) {
		s, ok := l.Get(types.Int(i)).(types.String)
		if !ok {
			return b, false
		}
		elems[i] = string(s)
	}
	sorted := elems[:n]
	slices.Sort(sorted)
	for i, s := range sorted {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = append(b, s...)
	}
	return b, true
}

// celFmtArg turns a CEL value into a formatMessage argument, as fmtArg does
// a Rego value.
func celFmtArg(v ref.Val) any {
	switch x := v.(type) {
	case types.String:
		return string(x)
	case types.Int:
		return int64(x)
	case types.Uint:
		return int64(x)
	case types.Double:
		if float64(int64(x)) == float64(x) {
			return int64(x)
		}
		return strconv.FormatFloat(float64(x), 'g', -1, 64)
	case types.Bool:
		return bool(x)
	case traits.Lister:
		n := int(x.Size().(types.Int))
		elems := make(eval.ListArg, n)
		for i := range n {
			e := x.Get(types.Int(i))
			if s, ok := e.(types.String); ok {
				elems[i] = string(s)
			} else {
				elems[i] = fmt.Sprint(celFmtArg(e))
			}
		}
		return elems
	case types.Null:
		return "null"
	}
	return fmt.Sprint(v.Value())
}

func celDeadline(point string, m traits.Mapper) (eval.Deadline, error) {
	dl := eval.Deadline{Kind: celStr(m, celKind), Unit: celStr(m, celUnit), Rule: celStr(m, celRule), Reason: celMessageOf(m, celReason)}
	from, ok1 := celInt(m, celFrom)
	n, ok2 := celInt(m, celN)
	if !ok1 || !ok2 {
		return dl, eval.PointError(point, "action %s: from and n must be whole numbers", dl.Kind)
	}
	dl.From, dl.N = int(from), int(n)
	if _, found := celFind(m, celFromAt); found {
		at, ok := celInt(m, celFromAt)
		if !ok {
			return dl, eval.PointError(point, "action %s: from_at is not a whole number", dl.Kind)
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

// celInput is everything one assessment's CEL activation refers to, in one
// allocation.
type celInput struct {
	prog      *Program
	act       celActivation
	person    celPerson
	facts     celFacts
	circ      celCircumstances
	circTrue  celCircumstances
	decisions celDecisions
	arena     celArena
	decoded   celDecodeArena
}

// buildCELInput turns a case and its facts into the CEL activation; it
// mirrors buildInput, with 0 for dates that never happened and every
// circumstance present. params is the bundle's parameters as CEL values.
func buildCELInput(c *dsr.Case, f *dsr.Facts, params ref.Val) *celInput {
	p := &c.Person
	in := celInputs.Get().(*celInput)
	*in = celInput{
		person: celPerson{
			Age: f.Age, LearningDisability: f.LearningDisability, Autism: f.Autism,
			AwaitingDiagnosis: p.AwaitingDiagnosis, EHCP: p.EHCP, LacksCapacity: p.LacksCapacity,
			GillickCompetent: p.GillickCompetent, KnownToKeyworker: p.KnownToKeyworker,
			KnownToServices: p.KnownToServices, Sixteenth: f.Sixteenth.Days(), Eighteenth: f.Eighteenth.Days(),
		},
	}
	cs := c.Circumstances
	var held uint64
	for i, ptr := range cs.Fields() {
		if *ptr {
			held |= 1 << i
		}
	}
	newCELCircumstances(&in.circ, &in.circTrue, held)
	day := func(d interface {
		IsZero() bool
		Days() int
	}) int {
		if d.IsZero() {
			return 0
		}
		return d.Days()
	}
	facts := &in.facts
	*facts = celFacts{
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
		AdultReferralMade:  day(f.AdultReferralMade),
		OutOfAreaPlacement: f.OutOfAreaPlacement,
		Section117:         f.Section117,
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
	if !f.LastAnyReviewAt.IsZero() {
		facts.LastAnyReviewAt = f.LastAnyReviewAt.Unix()
	}
	if !f.LastBlueLight.IsZero() {
		facts.BlueLight = celBlueLight{Date: eval.DayOf(f.LastBlueLight), At: f.LastBlueLight.Unix()}
	}
	if f.Agreed != nil {
		facts.Agreed = celAgreed{Rating: f.Agreed.Rating.String(), Date: f.Agreed.Day().Days()}
	}
	if !f.LastDiagnosisChange.IsZero() {
		facts.DiagnosisChange = celDiagnosisChange{Date: f.LastDiagnosisChange.Days(), Removed: f.DiagnosisChangeRemoved, InOrAfterSpell: f.DiagnosisChangeInOrAfterSpell}
	}
	if len(f.Consent) > 0 {
		facts.Consent = make([]celConsent, len(f.Consent))
		for i, r := range f.Consent {
			facts.Consent[i] = celConsent{Date: r.Date.Days(), By: r.By, Withdrawn: r.Withdrawn, Age: r.Age}
		}
	}
	in.act = celActivation{
		asOf:    celBoxInt(int64(c.AsOf.Days())),
		person:  in.arena.object(celPersonType, reflect.ValueOf(&in.person).Elem()),
		circ:    &in.circ,
		facts:   in.arena.object(celFactsType, reflect.ValueOf(facts).Elem()),
		params:  params,
		decoded: &in.decoded,
	}
	return in
}

// celInputs recycles inputs (a few kilobytes each, with their arenas):
// an assessment releases its input when it has copied out what it needs.
var celInputs = sync.Pool{New: func() any { return new(celInput) }}

// release returns in to the pool. Nothing may use in, or anything its
// arenas handed out, afterwards: the decisions' reasons and deadlines are
// copied into the assessment by then, and consent's reasons, which the
// assessment keeps, never come from the arena (celPoint.kept).
func (in *celInput) release() {
	*in = celInput{}
	celInputs.Put(in)
}

// setDecisions gives the second stage the first stage's decisions.
func (in *celInput) setDecisions(d celDecisions) {
	in.decisions = d
	in.act.decisions = in.arena.object(celDecisionsType, reflect.ValueOf(&in.decisions).Elem())
}

// celCircumstances is the circumstances as a CEL map(string, bool) with
// every circumstance present: a bit set over dsr.CircumstanceNames, read
// without building a Go or CEL map per assessment. trueOnly (see
// celTrueEntries) is the same map less its false entries, for a rule that
// iterates only over what holds.
type celCircumstances struct {
	held     uint64
	keys     uint64 // the circumstances present: all, or (trueOnly's) those held
	trueOnly *celCircumstances
}

// newCELCircumstances fills m, and its true-only view, from held.
func newCELCircumstances(m, trueOnly *celCircumstances, held uint64) {
	*trueOnly = celCircumstances{held: held, keys: held}
	*m = celCircumstances{held: held, keys: 1<<len(celCircKeys) - 1, trueOnly: trueOnly}
}

var (
	celCircKeys = func() []ref.Val {
		ks := make([]ref.Val, len(dsr.CircumstanceNames))
		for i, n := range dsr.CircumstanceNames {
			ks[i] = types.String(n)
		}
		return ks
	}()
	celCircIndex = func() map[string]int {
		m := make(map[string]int, len(dsr.CircumstanceNames))
		for i, n := range dsr.CircumstanceNames {
			m[n] = i
		}
		return m
	}()
)

var (
	_ traits.Mapper   = (*celCircumstances)(nil)
	_ traits.Foldable = (*celCircumstances)(nil)
)

// index is k's position among the map's keys, -1 if it is not one.
func (m *celCircumstances) index(k ref.Val) (int, ref.Val) {
	s, ok := k.(types.String)
	if !ok {
		return -1, types.MaybeNoSuchOverloadErr(k)
	}
	i, ok := celCircIndex[string(s)]
	if !ok || m.keys&(1<<i) == 0 {
		return -1, nil
	}
	return i, nil
}

func (m *celCircumstances) Find(k ref.Val) (ref.Val, bool) {
	i, err := m.index(k)
	if err != nil {
		return err, false
	}
	if i < 0 {
		return nil, false
	}
	return types.Bool(m.held&(1<<i) != 0), true
}

func (m *celCircumstances) Get(k ref.Val) ref.Val {
	v, found := m.Find(k)
	if !found {
		if v != nil {
			return v
		}
		return types.ValOrErr(k, "no such key: %v", k)
	}
	return v
}

func (m *celCircumstances) Contains(k ref.Val) ref.Val {
	i, err := m.index(k)
	if err != nil {
		return err
	}
	return types.Bool(i >= 0)
}

func (m *celCircumstances) Size() ref.Val { return types.Int(bits.OnesCount64(m.keys)) }

func (m *celCircumstances) Fold(f traits.Folder) {
	for i, k := range celCircKeys {
		if m.keys&(1<<i) == 0 {
			continue
		}
		if !f.FoldEntry(k, types.Bool(m.held&(1<<i) != 0)) {
			return
		}
	}
}

func (m *celCircumstances) Iterator() traits.Iterator { return &celCircIterator{keys: m.keys} }

func (m *celCircumstances) native() map[string]bool {
	out := make(map[string]bool, len(celCircKeys))
	for i, n := range dsr.CircumstanceNames {
		if m.keys&(1<<i) != 0 {
			out[n] = m.held&(1<<i) != 0
		}
	}
	return out
}

func (m *celCircumstances) ConvertToNative(t reflect.Type) (any, error) {
	return types.DefaultTypeAdapter.NativeToValue(m.native()).ConvertToNative(t)
}

func (m *celCircumstances) ConvertToType(t ref.Type) ref.Val {
	switch t {
	case types.MapType:
		return m
	case types.TypeType:
		return types.MapType
	}
	return types.NewErr("type conversion error from map to '%s'", t)
}

func (m *celCircumstances) Equal(other ref.Val) ref.Val {
	return types.DefaultTypeAdapter.NativeToValue(m.native()).Equal(other)
}

func (m *celCircumstances) Type() ref.Type { return types.MapType }
func (m *celCircumstances) Value() any     { return m.native() }

// celCircIterator walks the circumstance names among keys.
type celCircIterator struct {
	keys uint64
	i    int
}

func (it *celCircIterator) skip() {
	for it.i < len(celCircKeys) && it.keys&(1<<it.i) == 0 {
		it.i++
	}
}

func (it *celCircIterator) HasNext() ref.Val {
	it.skip()
	return types.Bool(it.i < len(celCircKeys))
}

func (it *celCircIterator) Next() ref.Val {
	it.skip()
	if it.i >= len(celCircKeys) {
		return nil
	}
	k := celCircKeys[it.i]
	it.i++
	return k
}
func (it *celCircIterator) ConvertToNative(reflect.Type) (any, error) {
	return nil, errors.New("type conversion on iterators not supported")
}
func (it *celCircIterator) ConvertToType(ref.Type) ref.Val { return types.NewErr("no such overload") }
func (it *celCircIterator) Equal(ref.Val) ref.Val          { return types.NewErr("no such overload") }
func (it *celCircIterator) Type() ref.Type                 { return types.IteratorType }
func (it *celCircIterator) Value() any                     { return nil }
