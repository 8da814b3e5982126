package rego

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/dsrkit/dsrkit/internal/bundle"
	"github.com/dsrkit/dsrkit/internal/eval"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/cover"
	"github.com/open-policy-agent/opa/v1/metrics"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/storage/inmem"
	"github.com/open-policy-agent/opa/v1/topdown"
)

// regoStage is one prepared Rego query that evaluates several decision
// points at once and returns their decisions as results, in the order of
// points: each point's decision object, or, where the point's decision is
// a plain object of its rules (see projectDecision), those rules' values.
type regoStage struct {
	tmpl   *topdown.Query          // compiled: x0 = data.dsr.<point>.decision; ..., all but the input set
	plain  *rego.PreparedEvalQuery // instead of tmpl, with the optimiser off
	tracer *cover.Cover            // with plain, for line coverage; nil: none
	vars   []ast.Var               // x0, x1, ...: one per result
	points []string
	slots  []pointSlot // indexed like points
	// deadline bounds one evaluation (0: none); files are the points'
	// rule files, which errors name.
	deadline time.Duration
	files    []string
}

// evalError reports a failed evaluation, naming the stage's rule files
// and, if a limit stopped it, the limit.
func (s *regoStage) evalError(err error, l *evalLimit) error {
	if lerr := l.err(s.deadline); lerr != nil {
		return fmt.Errorf("%w: %s: %v", eval.ErrEvaluation, strings.Join(s.files, ", "), lerr)
	}
	return fmt.Errorf("%w: %v", eval.ErrEvaluation, err)
}

// maxResults bounds a stage's results (vars), so that an assessment keeps
// them on the stack.
const maxResults = 16

// pointSlot is where one point's decision is in a stage's results: the
// result at, or, if the decision is projected, its fields.
type pointSlot struct {
	at     int
	fields []slotField
}

// slotField is one field of a projected decision: a constant value, or
// the value of the point's rule, result at.
type slotField struct {
	key   *ast.Term
	value *ast.Term
	at    int
}

// decision returns the view of the point's decision in a stage's results.
func (sl *pointSlot) decision(results []*ast.Term) decisionView {
	if sl.fields == nil {
		return decisionView{term: results[sl.at]}
	}
	return decisionView{results: results, slot: sl}
}

// decisionView is one point's decision as a stage returned it: the decision
// object (term), or its projected fields (in results, as slot says).
type decisionView struct {
	term    *ast.Term
	results []*ast.Term
	slot    *pointSlot
}

// get returns the decision's value for key k, or nil.
func (v decisionView) get(k *ast.Term) *ast.Term {
	if v.slot == nil {
		return v.term.Value.(ast.Object).Get(k)
	}
	ks := k.Value.(ast.String)
	for i := range v.slot.fields {
		f := &v.slot.fields[i]
		if f.key.Value.(ast.String) == ks {
			if f.value != nil {
				return f.value
			}
			return v.results[f.at]
		}
	}
	return nil
}

// parseRego parses every Rego file of a bundle, checking that each decision
// point's file declares the package data.dsr.<point>.
func parseRego(b *bundle.Bundle) ([]*ast.Module, error) {
	var mods []*ast.Module
	parse := func(src bundle.Source) (*ast.Module, error) {
		m, err := ast.ParseModuleWithOpts(src.Name, string(src.Text), ast.ParserOptions{RegoVersion: ast.RegoV1, ProcessAnnotation: true})
		if err != nil {
			return nil, astLoadError(src.Name, err)
		}
		return m, nil
	}
	for _, point := range slices.Concat(bundle.Points, bundle.OptionalPoints) {
		src, ok := b.PointFiles[point]
		if !ok || src.IsCEL() { // an optional point may be absent
			continue
		}
		m, err := parse(src)
		if err != nil {
			return nil, err
		}
		want := "data.dsr." + point
		if got := m.Package.Path.String(); got != want {
			loc := m.Package.Location
			return nil, &bundle.LoadError{File: src.Name, Line: loc.Row, Col: loc.Col, Err: fmt.Errorf("decision point %s must be package %s, not %s", point, strings.TrimPrefix(want, "data."), strings.TrimPrefix(got, "data."))}
		}
		mods = append(mods, m)
	}
	for _, src := range b.Library {
		m, err := parse(src)
		if err != nil {
			return nil, err
		}
		mods = append(mods, m)
	}
	return mods, nil
}

// astLoadError turns OPA's parse and compile errors into a LoadError at the
// first error's position, keeping all of them in the message.
func astLoadError(file string, err error) error {
	var errs ast.Errors
	if !errors.As(err, &errs) || len(errs) == 0 {
		return &bundle.LoadError{File: file, Err: err}
	}
	first := errs[0]
	le := &bundle.LoadError{File: file, Err: err}
	if first.Location != nil {
		le.File, le.Line, le.Col = first.Location.File, first.Location.Row, first.Location.Col
		msgs := make([]string, len(errs))
		for i, e := range errs {
			msgs[i] = refusedBuiltin(e.Message)
			if e.Location != nil && i > 0 {
				msgs[i] = fmt.Sprintf("%s:%d:%d: %s", e.Location.File, e.Location.Row, e.Location.Col, e.Message)
			}
		}
		le.Err = fmt.Errorf("%s (%s)", strings.Join(msgs, "; "), first.Code)
	}
	return le
}

// prepareRego compiles the modules once and prepares one query per stage.
func prepareRego(ctx context.Context, mods []*ast.Module, params map[string]any, stages ...[]string) ([]*regoStage, error) {
	return prepare(ctx, mods, params, false, stages...)
}

// prepare is prepareRego with the optimiser switch: plain, the modules
// are compiled by OPA's own compiler stages only and each stage is a
// rego.PreparedEvalQuery reading the parameters from the store, with every
// point's decision read whole.
func prepare(ctx context.Context, mods []*ast.Module, params map[string]any, plain bool, stages ...[]string) ([]*regoStage, error) {
	store := inmem.NewFromObjectWithOpts(map[string]any{"params": params}, inmem.OptReturnASTValuesOnRead(true))
	// One read transaction for every evaluation, never closed: nothing
	// writes to this store, and a transaction per query costs an
	// allocation. (It holds the store's read lock, which only a writer
	// would wait for.)
	txn, err := store.NewTransaction(ctx)
	if err != nil {
		return nil, err
	}
	compiler := ast.NewCompiler().
		WithCapabilities(capabilities).
		WithStrict(true).
		WithEnablePrintStatements(false)
	if !plain {
		compiler = compiler.WithStageAfterID(ast.StageCheckUnusedImports, ast.CompilerStageDefinition{
			Name: "InlineParams", MetricName: "compile_stage_inline_params", Stage: inlineParams(params),
		}).
			WithStageAfterID(ast.StageCheckDeprecatedBuiltins, ast.CompilerStageDefinition{
				Name: "FoldConstantTests", MetricName: "compile_stage_fold_constant_tests", Stage: foldConstantTests,
			})
	}
	// Read before compiling, which rewrites the modules.
	projections := make([][][]decisionField, len(stages))
	for i, points := range stages {
		projections[i] = make([][]decisionField, len(points))
		for j, p := range points {
			if !plain && slices.Contains(bundle.Points, p) {
				projections[i][j] = projectDecision(mods, p)
			}
		}
	}
	modMap := make(map[string]*ast.Module, len(mods))
	for _, m := range mods {
		modMap[m.Package.Location.File] = m
	}
	if compiler.Compile(modMap); compiler.Failed() {
		return nil, astLoadError("", compiler.Errors)
	}
	out := make([]*regoStage, 0, len(stages))
	for i, points := range stages {
		if len(points) == 0 {
			out = append(out, nil)
			continue
		}
		// One variable per value, x0 = data.dsr.<point>.decision; ...: a
		// conjunction, undefined if any value is, and cheaper to read
		// than an array or an object of the values, which topdown would
		// build for every evaluation.
		var q strings.Builder
		slots := make([]pointSlot, len(points))
		var vars []ast.Var
		elem := func(ref string) {
			if len(vars) > 0 {
				q.WriteString("; ")
			}
			v := ast.Var(fmt.Sprintf("x%d", len(vars)))
			fmt.Fprintf(&q, "%s = %s", v, ref)
			vars = append(vars, v)
		}
		for j, p := range points {
			slots[j].at = len(vars)
			fields := projections[i][j]
			if fields == nil {
				elem("data.dsr." + p + ".decision")
				continue
			}
			slots[j].fields = make([]slotField, len(fields))
			for k, f := range fields {
				slots[j].fields[k] = slotField{key: f.key, value: f.value, at: len(vars)}
				if f.rule != "" {
					elem("data.dsr." + p + "." + f.rule)
				}
			}
		}
		if len(vars) > maxResults {
			return nil, fmt.Errorf("policies: %d values to read from decision points %s, more than %d", len(vars), strings.Join(points, ", "), maxResults)
		}
		if plain {
			pq, err := rego.New(
				rego.Compiler(compiler),
				rego.Store(store),
				rego.Query(q.String()),
				rego.Capabilities(capabilities),
				rego.Strict(true),
			).PrepareForEval(ctx)
			if err != nil {
				return nil, astLoadError("", err)
			}
			out = append(out, &regoStage{plain: &pq, vars: vars, points: points, slots: slots})
			continue
		}
		// Evaluated with topdown directly (see eval): the query is compiled
		// here once, as rego.PrepareForEval would.
		body, err := ast.ParseBodyWithOpts(q.String(), ast.ParserOptions{RegoVersion: ast.RegoV1})
		if err != nil {
			return nil, astLoadError("", err)
		}
		qc := compiler.QueryCompiler().WithEnablePrintStatements(false)
		compiled, err := qc.Compile(body)
		if err != nil {
			return nil, astLoadError("", err)
		}
		tmpl := topdown.NewQuery(compiled).
			WithQueryCompiler(qc).
			WithCompiler(compiler).
			WithStore(store).
			WithTransaction(txn).
			WithMetrics(metrics.NoOp()).
			WithBaseCache(noBaseCache{}).
			WithRequestMetadata(noRequestMetadata)
		out = append(out, &regoStage{tmpl: tmpl, vars: vars, points: points, slots: slots})
	}
	return out, nil
}

// decisionField is one field of a projected decision (projectDecision):
// the value of the point's rule named rule, or a constant value.
type decisionField struct {
	key   *ast.Term
	rule  string
	value *ast.Term
}

// projectDecision returns the fields of a point's decision when it is
// nothing but an object of the point's own rules (or constants), as in
//
//	decision := {"eligible": eligible, "reasons": reasons}
//
// The stage's query then reads those rules instead of decision, in the
// order compiling the decision would (its sorted keys): the same values,
// defined when all of them are, as the decision is, without building the
// decision object (about ten allocations and a rule evaluation a point).
// Any other decision (a body, else, default, a value computed in place, an
// import's name, several decision rules) is read whole: nil. mods are the
// parsed, not yet compiled, modules.
func projectDecision(mods []*ast.Module, point string) []decisionField {
	pkg := ast.MustParseRef("data.dsr." + point)
	var dec *ast.Rule
	var decMod *ast.Module
	ruleNames := map[ast.Var]bool{} // the package's rules: true if plain (no arguments)
	for _, m := range mods {
		if !m.Package.Path.Equal(pkg) {
			continue
		}
		for _, r := range m.Rules {
			ref := r.Head.Ref()
			name, ok := ref[0].Value.(ast.Var)
			if !ok {
				return nil
			}
			plain, seen := ruleNames[name]
			ruleNames[name] = (plain || !seen) && len(r.Head.Args) == 0
			if name != "decision" {
				continue
			}
			if dec != nil || len(ref) != 1 {
				return nil
			}
			dec, decMod = r, m
		}
	}
	if dec == nil || dec.Default || dec.Else != nil || len(dec.Head.Args) > 0 || dec.Head.Key != nil || !isTrueBody(dec.Body) {
		return nil
	}
	obj, ok := dec.Head.Value.Value.(ast.Object)
	if !ok {
		return nil
	}
	imported := map[ast.Var]bool{}
	for _, imp := range decMod.Imports {
		imported[imp.Name()] = true
	}
	var fields []decisionField
	for _, k := range obj.Keys() {
		if _, ok := k.Value.(ast.String); !ok {
			return nil
		}
		v := obj.Get(k)
		switch x := v.Value.(type) {
		case ast.Var:
			if !ruleNames[x] || imported[x] || x.IsGenerated() || x.IsWildcard() {
				return nil
			}
			fields = append(fields, decisionField{key: k, rule: string(x)})
		default:
			if !ast.IsConstant(v.Value) {
				return nil
			}
			fields = append(fields, decisionField{key: k, value: v})
		}
	}
	return fields
}

// isTrueBody reports whether body is the implicit "true" of a rule with no
// body.
func isTrueBody(body ast.Body) bool {
	if len(body) != 1 {
		return false
	}
	e := body[0]
	t, ok := e.Terms.(*ast.Term)
	return ok && !e.Negated && len(e.With) == 0 && t.Value.Compare(ast.Boolean(true)) == 0
}

var paramsRef = ast.MustParseRef("data.params")

// foldConstantTests is a compiler stage that decides, once, the tests of
// rule bodies whose outcome is fixed: a constant standing alone (the
// "true" body of a rule written without one, or a boolean parameter that
// inlineParams inlined: params.rca_enabled is now true), and a comparison
// of two constants or a membership test (params.age_max != null is now
// null != null, "inpatient" in params.criteria a test of a list). Each
// becomes the unification true = true, or true = false, which OPA
// evaluates without allocating; a constant standing alone costs it a
// generated variable (three allocations), and a comparison a builtin call.
// A constant test passes unless it is false; a comparison or membership
// is decided as OPA's builtin decides it. Tests under not or with are left alone. It
// runs after every rewrite and check, before rule indexing.
//
// A rule definition a folded test rules out for good (params.age_max !=
// null with no maximum age: R-REM-1) is then dropped, so that no
// evaluation enters it only to fail; see dropDeadRules.
func foldConstantTests(c *ast.Compiler) *ast.Error {
	for _, m := range c.Modules {
		for _, r := range m.Rules {
			for rule := r; rule != nil; rule = rule.Else {
				ast.WalkBodies(rule.Body, func(b ast.Body) bool {
					for _, e := range b {
						if pass, ok := constantTest(e); ok {
							e.Terms = ast.Equality.Expr(ast.InternedTerm(true), ast.InternedTerm(pass)).Terms
						}
					}
					return false
				})
			}
		}
	}
	dropDeadRules(c)
	return nil
}

// dropDeadRules removes, from the modules and the rule tree, every rule
// definition whose body has a top-level test folded to false (true =
// false) but the last of its rule: it can never give a value, so the rule
// is the same without it. Only plain
// definitions are dropped: no function (a call to a function with no
// definitions is an error, not undefined), no default, no else chain, no
// rule whose head is a longer reference. Nothing is dropped from a bundle
// that replaces a data document with `with`, which could bring a dropped
// rule's path back into play.
func dropDeadRules(c *ast.Compiler) {
	for _, m := range c.Modules {
		withData := false
		ast.WalkExprs(m, func(e *ast.Expr) bool {
			for _, w := range e.With {
				if ref, ok := w.Target.Value.(ast.Ref); ok && ref.HasPrefix(ast.DefaultRootRef) {
					withData = true
				}
			}
			return withData
		})
		if withData {
			return
		}
	}
	for _, m := range c.Modules {
		kept := m.Rules[:0]
		for _, r := range m.Rules {
			if !isDeadRule(r) {
				kept = append(kept, r)
				continue
			}
			node := c.RuleTree.Find(m.Package.Path.Append(ast.StringTerm(string(r.Head.Ref()[0].Value.(ast.Var)))))
			i := -1
			if node != nil {
				i = slices.Index(node.Values, r)
			}
			if i < 0 || len(node.Values) == 1 {
				// Not where expected, or the last definition: left alone.
				// A path with no definition left would no longer be a
				// rule's: an empty object, not an empty set or undefined.
				kept = append(kept, r)
				continue
			}
			node.Values = slices.Delete(node.Values, i, i+1)
		}
		clear(m.Rules[len(kept):])
		m.Rules = kept
	}
}

// isDeadRule reports whether r is a plain rule definition that can never
// hold: a test of its body was folded to true = false.
func isDeadRule(r *ast.Rule) bool {
	if r.Default || r.Else != nil || len(r.Head.Args) > 0 || len(r.Head.Ref()) != 1 {
		return false
	}
	if _, ok := r.Head.Ref()[0].Value.(ast.Var); !ok {
		return false
	}
	for _, e := range r.Body {
		if e.Negated || len(e.With) > 0 {
			continue
		}
		ts, ok := e.Terms.([]*ast.Term)
		if !ok || len(ts) != 3 || !e.IsEquality() {
			continue
		}
		a, aok := ts[1].Value.(ast.Boolean)
		b, bok := ts[2].Value.(ast.Boolean)
		if aok && bok && a != b {
			return true
		}
	}
	return false
}

// constantTest reports whether expression e is a test with a fixed
// outcome, and the outcome.
func constantTest(e *ast.Expr) (pass, ok bool) {
	if e.Negated || len(e.With) > 0 || e.Generated {
		return false, false
	}
	switch t := e.Terms.(type) {
	case *ast.Term:
		if !ast.IsConstant(t.Value) {
			return false, false
		}
		b, isBool := t.Value.(ast.Boolean)
		return !isBool || bool(b), true
	case []*ast.Term:
		if len(t) != 3 || !ast.IsConstant(t[1].Value) || !ast.IsConstant(t[2].Value) {
			return false, false
		}
		x, y := t[1], t[2]
		switch e.Operator().String() {
		case ast.Equal.Name:
			return x.Equal(y), true
		case ast.NotEqual.Name:
			return !x.Equal(y), true
		case ast.LessThan.Name:
			return x.Value.Compare(y.Value) < 0, true
		case ast.LessThanEq.Name:
			return x.Value.Compare(y.Value) <= 0, true
		case ast.GreaterThan.Name:
			return x.Value.Compare(y.Value) > 0, true
		case ast.GreaterThanEq.Name:
			return x.Value.Compare(y.Value) >= 0, true
		case ast.Member.Name: // x in y, as topdown's builtinMember decides it
			switch c := y.Value.(type) {
			case ast.Set:
				return c.Contains(x), true
			case *ast.Array:
				return c.Until(x.Equal), true
			case ast.Object:
				return c.Until(func(_, v *ast.Term) bool { return x.Equal(v) }), true
			}
			return false, true
		}
	}
	return false, false
}

// inlineParams is a compiler stage that replaces every reference to a
// parameter by its value: the parameters are fixed for the life of an
// Engine, so data.params.keyworker_max_age becomes the constant 25 and no
// evaluation reads the store for it. It runs after references are resolved
// (so imports and local names are settled) and before type checking and rule
// indexing (which then see the constants). A reference with a variable part
// (data.params.post_admission[t]) is replaced up to its last constant
// segment; one that names no parameter is left to read the store, where it is
// undefined as before.
func inlineParams(params map[string]any) ast.CompilerStage {
	return func(c *ast.Compiler) *ast.Error {
		var err error
		for _, m := range c.Modules {
			for _, r := range m.Rules {
				_, terr := ast.TransformRefs(r, func(ref ast.Ref) (ast.Value, error) {
					return inlineParamRef(ref, params)
				})
				if terr != nil && err == nil {
					err = terr
				}
			}
		}
		if err != nil {
			return ast.NewError(ast.CompileErr, nil, "inlining parameters: %v", err)
		}
		return nil
	}
}

// inlineParamRef returns ref with its data.params prefix replaced by the
// parameter's value, or ref unchanged.
func inlineParamRef(ref ast.Ref, params map[string]any) (ast.Value, error) {
	if len(ref) < 3 || !ref.HasPrefix(paramsRef) {
		return ref, nil
	}
	var v any = params
	n := len(paramsRef)
	for ; n < len(ref); n++ {
		k, ok := ref[n].Value.(ast.String)
		m, isMap := v.(map[string]any)
		if !ok || !isMap {
			break
		}
		if v, ok = m[string(k)]; !ok {
			return ref, nil // no such parameter: left undefined
		}
	}
	val, err := ast.InterfaceToValue(v)
	if err != nil || n == len(ref) {
		return val, err
	}
	if _, ok := val.(ast.Object); !ok {
		return ref, nil // e.g. null.n: left to the store, undefined as before
	}
	// A constant object indexed by a variable: {"cetr": …, "ctr": …}[t].
	return append(ast.Ref{ast.NewTerm(val)}, ref[n:]...), nil
}

// eval runs the stage on input and returns an array of its results (see
// regoStage), for a stage of one point.
func (s *regoStage) eval(ctx context.Context, input ast.Value) (*ast.Array, error) {
	var results [maxResults]*ast.Term
	if err := s.evalTerm(ctx, ast.NewTerm(input), results[:len(s.vars)]); err != nil {
		return nil, err
	}
	return ast.NewArray(results[:len(s.vars)]...), nil
}

// evalTerm runs the stage on input, a term an assessment builds once for
// both stages, and sets results (of length len(s.vars)). It calls topdown
// directly rather than through rego.PreparedEvalQuery.Eval, which costs a
// result set, bindings conversion and option processing per call for
// nothing used here, and keeps what it can from one evaluation to the next
// (evalState).
func (s *regoStage) evalTerm(ctx context.Context, input *ast.Term, results []*ast.Term) error {
	if s.plain != nil {
		return s.evalPlain(ctx, input, results)
	}
	st := evalStates.Get().(*evalState)
	defer st.release()
	// The limit is the query's Cancel: the deadline, the allocation
	// budget and ctx, checked between expressions (see evalLimit).
	st.limit.start(ctx, s.deadline)
	st.q = *s.tmpl
	st.vars, st.results = s.vars, results
	err := st.q.WithCancel(&st.limit).
		WithInput(input).
		WithVirtualCache(&st.cache).
		Iter(ctx, st.iter)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return s.evalError(err, &st.limit)
	}
	if st.n != 1 {
		return fmt.Errorf("%w: decision points %s are undefined (a rule has no value for this case)", eval.ErrEvaluation, strings.Join(s.points, ", "))
	}
	for _, r := range results {
		if r == nil {
			return fmt.Errorf("%w: no result", eval.ErrEvaluation)
		}
	}
	return nil
}

// evalState is what an evaluation needs besides its stage, reused from one
// evaluation to the next (evalStates): the rule cache, the query (a copy of
// the stage's template), and the result. A fresh one costs a dozen
// allocations per query.
type evalState struct {
	limit   evalLimit
	cache   ruleCache
	q       topdown.Query
	vars    []ast.Var   // the stage's
	results []*ast.Term // the caller's
	n       int
	iter    func(topdown.QueryResult) error // st.collect, bound once
}

var evalStates = sync.Pool{New: func() any {
	st := &evalState{cache: ruleCache{index: make(map[int]int32, 64), entries: make([]ruleCacheEntry, 0, 64), terms: make([]*ast.Term, 0, 256)}}
	st.iter = st.collect
	return st
}}

func (st *evalState) collect(qr topdown.QueryResult) error {
	st.n++
	for i, v := range st.vars {
		st.results[i] = qr[v]
	}
	return nil
}

// release empties st, dropping its references to the evaluation's terms,
// and returns it to the pool.
func (st *evalState) release() {
	st.cache.reset()
	st.limit = evalLimit{}
	st.q = topdown.Query{}
	st.vars, st.results, st.n = nil, nil, 0
	evalStates.Put(st)
}

// noBaseCache is topdown's cache of documents read from the store, kept
// empty: the rules read the store only for a parameter the bundle does not
// have (inlineParams inlines the others), and a fresh cache would cost two
// allocations per query. Reading the store again gives the same value.
type noBaseCache struct{}

func (noBaseCache) Get(ast.Ref) ast.Value  { return nil }
func (noBaseCache) Put(ast.Ref, ast.Value) {}

// noRequestMetadata is the request metadata every query shares: none, and
// no builtin the rules may call writes any. topdown would otherwise make
// an empty map per query.
var noRequestMetadata = map[string]any{}

// ruleCache is topdown's cache of evaluated rules (topdown.VirtualCache)
// for one evaluation, flat rather than topdown's default trie: that one
// allocates a node and a hash map per reference segment, which made up a
// tenth of an assessment's allocations. Entries live in slices reused from
// evaluation to evaluation (evalStates), so a warm cache allocates nothing.
// Semantics are the default's: frames (Push, Pop) for `with`, a lookup
// sees only the top frame, and a reference matches only exactly.
type ruleCache struct {
	frames  []int         // start of each pushed frame in entries
	index   map[int]int32 // ref hash → newest entry with that hash
	entries []ruleCacheEntry
	terms   []*ast.Term // backing store of the entries' refs
}

type ruleCacheEntry struct {
	ref       ast.Ref
	value     *ast.Term
	undefined bool
	hash      int
	prev      int32 // older entry with the same hash, or -1
}

func (c *ruleCache) top() int {
	if n := len(c.frames); n > 0 {
		return c.frames[n-1]
	}
	return 0
}

// reset empties the cache for reuse, dropping its references to terms.
func (c *ruleCache) reset() {
	c.frames = c.frames[:0]
	clear(c.index)
	clear(c.entries)
	c.entries = c.entries[:0]
	clear(c.terms)
	c.terms = c.terms[:0]
}

func (c *ruleCache) Push() { c.frames = append(c.frames, len(c.entries)) }

func (c *ruleCache) Pop() {
	n := len(c.frames)
	if n == 0 {
		return
	}
	start := c.frames[n-1]
	c.frames = c.frames[:n-1]
	for i := len(c.entries) - 1; i >= start; i-- {
		e := &c.entries[i]
		if e.prev < 0 {
			delete(c.index, e.hash)
		} else {
			c.index[e.hash] = e.prev
		}
		*e = ruleCacheEntry{}
	}
	c.entries = c.entries[:start]
}

// find returns the top frame's entry for ref, or nil.
func (c *ruleCache) find(ref ast.Ref, hash int) *ruleCacheEntry {
	i, ok := c.index[hash]
	if !ok {
		return nil
	}
	for top := int32(c.top()); i >= top; i = c.entries[i].prev {
		if e := &c.entries[i]; e.ref.Equal(ref) {
			return e
		}
	}
	return nil
}

func (c *ruleCache) Get(ref ast.Ref) (*ast.Term, bool) {
	e := c.find(ref, refHash(ref))
	if e == nil {
		return nil, false
	}
	if e.undefined {
		return nil, true
	}
	return e.value, false
}

func (c *ruleCache) Put(ref ast.Ref, value *ast.Term) {
	h := refHash(ref)
	e := c.find(ref, h)
	if e == nil {
		// The evaluator goes on to reuse ref's backing array: keep a copy.
		start := len(c.terms)
		c.terms = append(c.terms, ref...)
		prev, ok := c.index[h]
		if !ok {
			prev = -1
		}
		c.entries = append(c.entries, ruleCacheEntry{ref: ast.Ref(c.terms[start:len(c.terms):len(c.terms)]), hash: h, prev: prev})
		c.index[h] = int32(len(c.entries) - 1)
		e = &c.entries[len(c.entries)-1]
	}
	if value != nil {
		e.value = value
	} else {
		e.undefined = true
	}
}

// refHash is a cheap hash of a cached reference, in place of ref.Hash(),
// which runs xxhash over every segment's string (data, dsr, the package,
// the rule) on each lookup: a few percent of an assessment. A reference
// the evaluator caches is nearly always data.dsr.<package>.<rule>, all
// strings, so each string segment is hashed from its length and its first
// and last bytes; entries are compared whole (find), so a collision costs
// only a comparison.
func refHash(ref ast.Ref) int {
	h := uint64(len(ref))
	for _, t := range ref {
		var x uint64
		switch v := t.Value.(type) {
		case ast.String:
			x = strHash(string(v))
		case ast.Var:
			x = strHash(string(v))
		default:
			x = uint64(t.Hash())
		}
		h = (h ^ x) * 0x100000001b3
		h ^= h >> 29
	}
	return int(h)
}

// strHash mixes a string's length with up to its first and last eight
// bytes.
func strHash(s string) uint64 {
	n := len(s)
	x := uint64(n) * 0x9e3779b97f4a7c15
	if n >= 8 {
		x ^= le64(s[:8])*0xff51afd7ed558ccd ^ le64(s[n-8:])
		return x
	}
	for i := 0; i < n; i++ {
		x = (x ^ uint64(s[i])) * 0x100000001b3
	}
	return x
}

func le64(s string) uint64 {
	_ = s[7]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

func (c *ruleCache) Keys() []ast.Ref {
	var keys []ast.Ref
	for _, e := range c.entries[c.top():] {
		if e.value != nil {
			keys = append(keys, e.ref)
		}
	}
	return keys
}

// evalPlain is evalTerm through OPA's own prepared query, as a host that
// embeds OPA plainly would run it: the reference the optimiser is tested
// against.
func (s *regoStage) evalPlain(ctx context.Context, input *ast.Term, results []*ast.Term) error {
	opts := []rego.EvalOption{rego.EvalParsedInput(input.Value)}
	if s.tracer != nil {
		opts = append(opts, rego.EvalQueryTracer(s.tracer))
	}
	var limit evalLimit
	limit.start(ctx, s.deadline)
	opts = append(opts, rego.EvalExternalCancel(&limit))
	rs, err := s.plain.Eval(ctx, opts...)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return s.evalError(err, &limit)
	}
	if len(rs) != 1 {
		return fmt.Errorf("%w: decision points %s are undefined (a rule has no value for this case)", eval.ErrEvaluation, strings.Join(s.points, ", "))
	}
	for i, v := range s.vars {
		val, ok := rs[0].Bindings[string(v)]
		if !ok {
			return fmt.Errorf("%w: no result", eval.ErrEvaluation)
		}
		av, err := ast.InterfaceToValue(val)
		if err != nil {
			return fmt.Errorf("%w: %v", eval.ErrEvaluation, err)
		}
		results[i] = ast.NewTerm(av)
	}
	return nil
}
