package policies

import (
	"maps"
	"strconv"

	"cel.dev/cel-go/common/operators"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"

	celast "cel.dev/cel-go/common/ast"
)

// A CEL rule names its intermediate values with cel.bind, and the national
// rules nest a dozen of them: cel-go expands each bind into a comprehension
// with its own scope, so every reference to a variable (person, facts, an
// outer binding) walks every scope between it and the top, comparing names,
// and that walk is most of what a rule costs. celBlocks rewrites each
// outermost chain of directly nested binds
//
//	cel.bind(a, x, cel.bind(b, y, body))
//
// into one cel.@block([x, y'], body'), where the references to a and b in
// y and body become the block's slots @index0 and @index1. The block is
// cel-go's own construct (ext.Bindings, the form its common-subexpression
// optimizer emits) with the same meaning: each slot is evaluated at most
// once, and only when first referenced, as a bind's value is. References
// then cross one scope instead of a dozen.
//
// A chain stops where a name repeats (an inner bind shadowing an outer
// one); binds nested elsewhere (inside a slot's expression, or in a branch
// of the body) stay binds, so that no block is nested in another (a
// block's slots are named by position and an inner block would shadow the
// outer one's). Renaming respects scope: a comprehension that binds the
// same name hides the slot inside it.
//
// The rewrite runs on the checked AST at load; the type and reference maps
// are kept in step, so the planner sees a checked expression.
func celBlocks(a *celast.AST) *celast.AST {
	out := celast.Copy(a)
	w := &celBlockWriter{
		fac:    celast.NewExprFactory(),
		nextID: celast.MaxID(out),
		types:  out.TypeMap(),
		refs:   out.ReferenceMap(),
	}
	w.trueEntries(out.Expr())
	w.visit(out.Expr())
	return out
}

// A rule that collects the circumstances that hold,
//
//	circumstances.transformList(name, held, held && ..., name)
//
// visits every circumstance (twenty of them) to keep two or three: each
// visit is a round of cel-go's comprehension machinery. Where the loop
// skips an entry whose value is false whatever else is true (the step is
// "v && ... ? <add> : <accumulator>", so a false value leaves the
// accumulator as it was), visiting only the true entries gives the same
// result. trueEntries marks such loops over a map(_, bool) variable by
// wrapping the range in @true_entries (a name no rule can write), which
// hands the loop the circumstances' true-only view and leaves any other
// map as it is.

// celTrueEntriesFn is the function trueEntries wraps a range in.
const (
	celTrueEntriesFn       = "@true_entries"
	celTrueEntriesOverload = "dsr_true_entries_map"
)

// celTrueEntriesOf is @true_entries: the true-only view of the
// circumstances; any other value as it is.
func celTrueEntriesOf(v ref.Val) ref.Val {
	if m, ok := v.(*celCircumstances); ok && m.trueOnly != nil {
		return m.trueOnly
	}
	return v
}

func (w *celBlockWriter) trueEntries(e celast.Expr) {
	for _, child := range celChildren(e) {
		w.trueEntries(child)
	}
	if e.Kind() != celast.ComprehensionKind {
		return
	}
	c := e.AsComprehension()
	r := c.IterRange()
	if !c.HasIterVar2() || r.Kind() != celast.IdentKind {
		return
	}
	if rt := w.types[r.ID()]; rt == nil || rt.Kind() != types.MapKind || len(rt.Parameters()) != 2 || rt.Parameters()[1].Kind() != types.BoolKind {
		return
	}
	if cond := c.LoopCondition(); cond.Kind() != celast.LiteralKind || cond.AsLiteral() != types.True {
		return
	}
	step := c.LoopStep()
	if step.Kind() != celast.CallKind || step.AsCall().FunctionName() != operators.Conditional || len(step.AsCall().Args()) != 3 {
		return
	}
	args := step.AsCall().Args()
	if args[2].Kind() != celast.IdentKind || args[2].AsIdent() != c.AccuVar() || !celConjunct(args[0], c.IterVar2()) {
		return
	}
	arg := w.fac.NewIdent(w.id(), r.AsIdent())
	w.types[arg.ID()], w.refs[arg.ID()] = w.types[r.ID()], w.refs[r.ID()]
	r.SetKindCase(w.fac.NewCall(0, celTrueEntriesFn, arg))
	w.refs[r.ID()] = celast.NewFunctionReference(celTrueEntriesOverload)
}

// celConjunct reports whether e is the variable v, or a conjunction (&&)
// with v among its terms.
func celConjunct(e celast.Expr, v string) bool {
	switch e.Kind() {
	case celast.IdentKind:
		return e.AsIdent() == v
	case celast.CallKind:
		if call := e.AsCall(); call.FunctionName() == operators.LogicalAnd {
			for _, a := range call.Args() {
				if celConjunct(a, v) {
					return true
				}
			}
		}
	}
	return false
}

type celBlockWriter struct {
	fac    celast.ExprFactory
	nextID int64
	types  map[int64]*types.Type
	refs   map[int64]*celast.ReferenceInfo
}

func (w *celBlockWriter) id() int64 {
	w.nextID++
	return w.nextID
}

// celBindParts reports whether e is a cel.bind as the macro expands it
// (a comprehension over an empty list whose accumulator is the variable),
// and returns its variable, value and body.
func celBindParts(e celast.Expr) (name string, init, body celast.Expr, ok bool) {
	if e.Kind() != celast.ComprehensionKind {
		return "", nil, nil, false
	}
	c := e.AsComprehension()
	if c.IterVar() != "#unused" || c.HasIterVar2() {
		return "", nil, nil, false
	}
	r := c.IterRange()
	if r.Kind() != celast.ListKind || len(r.AsList().Elements()) != 0 {
		return "", nil, nil, false
	}
	cond := c.LoopCondition()
	if cond.Kind() != celast.LiteralKind || cond.AsLiteral() != types.False {
		return "", nil, nil, false
	}
	step := c.LoopStep()
	if step.Kind() != celast.IdentKind || step.AsIdent() != c.AccuVar() {
		return "", nil, nil, false
	}
	return c.AccuVar(), c.AccuInit(), c.Result(), true
}

// visit rewrites the outermost bind chains under e, in place.
func (w *celBlockWriter) visit(e celast.Expr) {
	if _, _, _, ok := celBindParts(e); ok {
		w.block(e)
		return
	}
	for _, child := range celChildren(e) {
		w.visit(child)
	}
}

// block turns the chain of binds rooted at e into a cel.@block.
func (w *celBlockWriter) block(e celast.Expr) {
	var (
		slots []celast.Expr
		names = map[string]string{}
		cur   = e
	)
	for {
		name, init, body, ok := celBindParts(cur)
		if !ok {
			break
		}
		if _, seen := names[name]; seen {
			break // shadows an earlier link: the rest stays a bind
		}
		w.rename(init, names) // sees the earlier links only
		names[name] = "@index" + strconv.Itoa(len(slots))
		slots = append(slots, init)
		cur = body
	}
	w.rename(cur, names)
	resultType := w.types[e.ID()]
	list := w.fac.NewList(w.id(), slots, nil)
	w.types[list.ID()] = types.NewListType(types.DynType)
	// e becomes the block call; cur (the body) keeps its own id.
	e.SetKindCase(w.fac.NewCall(0, "cel.@block", list, cur))
	w.types[e.ID()] = resultType
	w.refs[e.ID()] = celast.NewFunctionReference("cel_block_list")
}

// rename replaces references to the chain's variables (names: variable to
// slot) under e, except where a comprehension rebinds the name.
func (w *celBlockWriter) rename(e celast.Expr, names map[string]string) {
	if len(names) == 0 {
		return
	}
	switch e.Kind() {
	case celast.IdentKind:
		if slot, ok := names[e.AsIdent()]; ok {
			e.SetKindCase(w.fac.NewIdent(0, slot))
			w.refs[e.ID()] = celast.NewIdentReference(slot, nil)
		}
		return
	case celast.ComprehensionKind:
		c := e.AsComprehension()
		w.rename(c.IterRange(), names)
		w.rename(c.AccuInit(), names)
		inLoop := without(names, c.IterVar(), c.IterVar2(), c.AccuVar())
		w.rename(c.LoopCondition(), inLoop)
		w.rename(c.LoopStep(), inLoop)
		w.rename(c.Result(), without(names, c.AccuVar()))
		return
	}
	for _, child := range celChildren(e) {
		w.rename(child, names)
	}
}

// without is names less the given variables (a copy only when one is there).
func without(names map[string]string, vars ...string) map[string]string {
	out := names
	for _, v := range vars {
		if _, ok := out[v]; !ok {
			continue
		}
		if len(out) == len(names) {
			out = maps.Clone(names)
		}
		delete(out, v)
	}
	return out
}

// celChildren lists e's direct subexpressions.
func celChildren(e celast.Expr) []celast.Expr {
	switch e.Kind() {
	case celast.CallKind:
		c := e.AsCall()
		if c.IsMemberFunction() {
			return append([]celast.Expr{c.Target()}, c.Args()...)
		}
		return c.Args()
	case celast.ComprehensionKind:
		c := e.AsComprehension()
		return []celast.Expr{c.IterRange(), c.AccuInit(), c.LoopCondition(), c.LoopStep(), c.Result()}
	case celast.ListKind:
		return e.AsList().Elements()
	case celast.MapKind:
		var out []celast.Expr
		for _, en := range e.AsMap().Entries() {
			me := en.AsMapEntry()
			out = append(out, me.Key(), me.Value())
		}
		return out
	case celast.SelectKind:
		return []celast.Expr{e.AsSelect().Operand()}
	case celast.StructKind:
		var out []celast.Expr
		for _, f := range e.AsStruct().Fields() {
			out = append(out, f.AsStructField().Value())
		}
		return out
	}
	return nil
}
