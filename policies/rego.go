package policies

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/metrics"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/storage/inmem"
	"github.com/open-policy-agent/opa/v1/topdown"
)

// regoStage is one prepared Rego query that evaluates several decision
// points at once and returns [decision, ...] in the order of points.
type regoStage struct {
	pq     rego.PreparedEvalQuery
	points []string
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
		q.WriteString("x := [")
		for i, p := range points {
			if i > 0 {
				q.WriteString(", ")
			}
			fmt.Fprintf(&q, "data.dsr.%s.decision", p)
		}
		q.WriteString("]")
		pq, err := rego.New(
			rego.Query(q.String()),
			rego.Compiler(compiler),
			rego.Store(store),
			rego.StoreReadAST(true),
			rego.Capabilities(capabilities),
			rego.Strict(true),
		).PrepareForEval(ctx)
		if err != nil {
			return nil, astLoadError("", err)
		}
		out = append(out, &regoStage{pq: pq, points: points})
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

var keepAST = rego.EvalGenerateJSON(func(t *ast.Term, _ *rego.EvalContext) (any, error) { return t, nil })

var noMetrics = rego.EvalMetrics(metrics.NoOp())

// eval runs the stage on input and returns the decision of each point, in
// the order of s.points.
func (s *regoStage) eval(ctx context.Context, input ast.Value) (*ast.Array, error) {
	cancel := topdown.NewCancel()
	if ctx.Done() != nil {
		stop := context.AfterFunc(ctx, cancel.Cancel)
		defer stop()
	}
	rs, err := s.pq.Eval(ctx,
		rego.EvalParsedInput(input),
		noMetrics,
		rego.EvalExternalCancel(cancel),
		keepAST,
	)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("%w: %v", ErrEvaluation, err)
	}
	if len(rs) != 1 {
		return nil, fmt.Errorf("%w: decision points %s are undefined (a rule has no value for this case)", ErrEvaluation, strings.Join(s.points, ", "))
	}
	t, _ := rs[0].Bindings["x"].(*ast.Term)
	if t == nil {
		return nil, fmt.Errorf("%w: no result", ErrEvaluation)
	}
	arr, ok := t.Value.(*ast.Array)
	if !ok || arr.Len() != len(s.points) {
		return nil, fmt.Errorf("%w: result is %v, want an array of %d decisions", ErrEvaluation, t, len(s.points))
	}
	return arr, nil
}
