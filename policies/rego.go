package policies

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/metrics"
	"github.com/open-policy-agent/opa/v1/storage"
	"github.com/open-policy-agent/opa/v1/storage/inmem"
	"github.com/open-policy-agent/opa/v1/topdown"
)

// regoStage is one prepared Rego query that evaluates several decision
// points at once and returns [decision, ...] in the order of points.
type regoStage struct {
	query    ast.Body // compiled: x = [data.dsr.<point>.decision, ...]
	qc       ast.QueryCompiler
	compiler *ast.Compiler
	store    storage.Store
	points   []string
}

// capabilities are OPA's builtins minus every non-deterministic one: no
// network (http.send, net.lookup_ip_addr), no clock (time.now_ns), no
// randomness, no runtime introspection. Rules get as_of from input.
var capabilities = func() *ast.Capabilities {
	caps := ast.CapabilitiesForThisVersion()
	kept := caps.Builtins[:0]
	for _, b := range caps.Builtins {
		if b.Nondeterministic || strings.HasPrefix(b.Name, "opa.") || b.Name == "trace" || b.Name == "print" {
			continue
		}
		kept = append(kept, b)
	}
	caps.Builtins = kept
	return caps
}()

// parseRego parses every Rego file of a bundle, checking that each decision
// point's file declares the package data.dsr.<point>.
func parseRego(b *bundle) ([]*ast.Module, error) {
	var mods []*ast.Module
	parse := func(src source) (*ast.Module, error) {
		m, err := ast.ParseModuleWithOpts(src.name, string(src.text), ast.ParserOptions{RegoVersion: ast.RegoV1, ProcessAnnotation: true})
		if err != nil {
			return nil, astLoadError(src.name, err)
		}
		return m, nil
	}
	for _, point := range slices.Concat(Points, OptionalPoints) {
		src, ok := b.points[point]
		if !ok || src.isCEL() { // an optional point may be absent
			continue
		}
		m, err := parse(src)
		if err != nil {
			return nil, err
		}
		want := "data.dsr." + point
		if got := m.Package.Path.String(); got != want {
			loc := m.Package.Location
			return nil, &LoadError{File: src.name, Line: loc.Row, Col: loc.Col, Err: fmt.Errorf("decision point %s must be package %s, not %s", point, strings.TrimPrefix(want, "data."), strings.TrimPrefix(got, "data."))}
		}
		mods = append(mods, m)
	}
	for _, src := range b.library {
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
		return &LoadError{File: file, Err: err}
	}
	first := errs[0]
	le := &LoadError{File: file, Err: err}
	if first.Location != nil {
		le.File, le.Line, le.Col = first.Location.File, first.Location.Row, first.Location.Col
		msgs := make([]string, len(errs))
		for i, e := range errs {
			msgs[i] = e.Message
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
	store := inmem.NewFromObjectWithOpts(map[string]any{"params": params}, inmem.OptReturnASTValuesOnRead(true))
	compiler := ast.NewCompiler().
		WithCapabilities(capabilities).
		WithStrict(true).
		WithEnablePrintStatements(false).
		WithStageAfterID(ast.StageCheckUnusedImports, ast.CompilerStageDefinition{
			Name: "InlineParams", MetricName: "compile_stage_inline_params", Stage: inlineParams(params),
		})
	modMap := make(map[string]*ast.Module, len(mods))
	for _, m := range mods {
		modMap[m.Package.Location.File] = m
	}
	if compiler.Compile(modMap); compiler.Failed() {
		return nil, astLoadError("", compiler.Errors)
	}
	out := make([]*regoStage, 0, len(stages))
	for _, points := range stages {
		if len(points) == 0 {
			out = append(out, nil)
			continue
		}
		// x is an array of the points' decisions, in the order of points:
		// cheaper to build and read than an object keyed by point.
		var q strings.Builder
		q.WriteString("x = [")
		for i, p := range points {
			if i > 0 {
				q.WriteString(", ")
			}
			fmt.Fprintf(&q, "data.dsr.%s.decision", p)
		}
		q.WriteString("]")
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
		out = append(out, &regoStage{query: compiled, qc: qc, compiler: compiler, store: store, points: points})
	}
	return out, nil
}

var paramsRef = ast.MustParseRef("data.params")

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

var xVar = ast.Var("x")

// eval runs the stage on input and returns the decision of each point, in
// the order of s.points. It calls topdown directly rather than through
// rego.PreparedEvalQuery.Eval, which costs a result set, bindings
// conversion and option processing per call for nothing used here.
func (s *regoStage) eval(ctx context.Context, input ast.Value) (*ast.Array, error) {
	cancel := topdown.NewCancel()
	if ctx.Done() != nil {
		stop := context.AfterFunc(ctx, cancel.Cancel)
		defer stop()
	}
	txn, err := s.store.NewTransaction(ctx)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrEvaluation, err)
	}
	defer s.store.Abort(ctx, txn)
	cache := ruleCaches.Get().(*ruleCache)
	defer func() {
		cache.reset()
		ruleCaches.Put(cache)
	}()
	var x *ast.Term
	n := 0
	err = topdown.NewQuery(s.query).
		WithQueryCompiler(s.qc).
		WithCompiler(s.compiler).
		WithStore(s.store).
		WithTransaction(txn).
		WithMetrics(metrics.NoOp()).
		WithCancel(cancel).
		WithInput(ast.NewTerm(input)).
		WithVirtualCache(cache).
		Iter(ctx, func(qr topdown.QueryResult) error {
			n++
			x = qr[xVar]
			return nil
		})
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("%w: %v", ErrEvaluation, err)
	}
	if n != 1 {
		return nil, fmt.Errorf("%w: decision points %s are undefined (a rule has no value for this case)", ErrEvaluation, strings.Join(s.points, ", "))
	}
	if x == nil {
		return nil, fmt.Errorf("%w: no result", ErrEvaluation)
	}
	arr, ok := x.Value.(*ast.Array)
	if !ok || arr.Len() != len(s.points) {
		return nil, fmt.Errorf("%w: result is %v, want an array of %d decisions", ErrEvaluation, x, len(s.points))
	}
	return arr, nil
}

// ruleCache is topdown's cache of evaluated rules (topdown.VirtualCache)
// for one evaluation, flat rather than topdown's default trie: that one
// allocates a node and a hash map per reference segment, which made up a
// tenth of an assessment's allocations. Entries live in slices reused from
// evaluation to evaluation (ruleCaches), so a warm cache allocates nothing.
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

var ruleCaches = sync.Pool{New: func() any {
	return &ruleCache{index: make(map[int]int32, 64), entries: make([]ruleCacheEntry, 0, 64), terms: make([]*ast.Term, 0, 256)}
}}

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
	e := c.find(ref, ref.Hash())
	if e == nil {
		return nil, false
	}
	if e.undefined {
		return nil, true
	}
	return e.value, false
}

func (c *ruleCache) Put(ref ast.Ref, value *ast.Term) {
	h := ref.Hash()
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

func (c *ruleCache) Keys() []ast.Ref {
	var keys []ast.Ref
	for _, e := range c.entries[c.top():] {
		if e.value != nil {
			keys = append(keys, e.ref)
		}
	}
	return keys
}
