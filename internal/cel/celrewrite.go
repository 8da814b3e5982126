package cel

import (
	"maps"
	"strconv"
	"strings"

	"cel.dev/cel-go/common/operators"
	"cel.dev/cel-go/common/overloads"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"

	celast "cel.dev/cel-go/common/ast"
)

// celRewrite rewrites a checked, parameter-inlined CEL rule at load into a
// form cel-go evaluates faster, with the same meaning (the tests in
// celrewrite_test.go compare each rewrite with cel-go's own plan of the
// original). In order:
//
//   - unroll: all(), exists(), map(), filter() and transformList() over a
//     constant list (a parameter) are written out element by element;
//   - fold: what constants decide is decided (false && x, a conditional on
//     a constant, == and in between constants, a field of a constant map,
//     a lookup in a constant map as tests of the key);
//   - trueEntries: a loop over a map(_, bool) that skips false entries
//     visits only the true ones (the circumstances' true-only view);
//   - visit: chains of cel.bind become one cel.@block, and binds that read
//     no loop variable join it as slots;
//   - fold again, for what the blocks made constant.
//
// The type and reference maps are kept in step, so the planner sees a
// checked expression. The cost estimate (compileCEL) is made on the rule
// before the rewrite, which never adds work.
func celRewrite(a *celast.AST) *celast.AST {
	out := celast.Copy(a)
	w := &celRewriter{
		fac:       celast.NewExprFactory(),
		nextID:    celast.MaxID(out),
		types:     out.TypeMap(),
		refs:      out.ReferenceMap(),
		fallbacks: map[int64]bool{},
		budget:    celUnrollBudget,
	}
	on := func(p passSet) bool { return celPasses&p != 0 }
	if on(passUnroll) {
		w.unroll(out.Expr())
	}
	if on(passFold) {
		w.fold(out.Expr())
	}
	if on(passTrueEntries) {
		w.trueEntries(out.Expr())
	}
	if on(passBlocks) {
		w.visit(out.Expr())
	}
	if on(passFold) {
		w.fold(out.Expr()) // what blocks made constant (a bind of a constant)
	}
	return out
}

// The parameters are constants in a compiled rule (paramsInliner), so a
// quantifier over a parameter list, as rating's
//
//	params.red_when.exists(set, set.all(name, name in held))
//
// loops over a list known at load. Each round of cel-go's loop machinery
// costs more than the test it runs; unroll writes such an all() or
// exists() out as the conjunction or disjunction of its body for each
// element, which CEL defines to mean the same (&& and || absorb errors as
// the quantifiers do, and stop at the first false or true). Nested
// quantifiers over the element unroll in turn. Lists longer than
// celUnrollMax are left as loops, and so is any loop whose unrolling
// would take the nodes unroll adds over celUnrollBudget: nested
// quantifiers multiply (five nested over 16 elements would be 16^5
// copies), and the budget keeps the rewritten rule within a few times the
// size of the shipped ones, however it nests.
//
// It buys 1.35×, 1.05×, 1.04× and 0, 8, 0 allocations per assessment
// (BenchmarkPasses). cel-go has no such pass: its constant folder evaluates
// a loop only when nothing in it reads a variable, and these bodies read
// the case.
const (
	celUnrollMax    = 16
	celUnrollBudget = 20_000
)

// celSize counts the nodes of e, no further than limit.
func celSize(e celast.Expr, limit int) int {
	n := 1
	for _, c := range celChildren(e) {
		if n > limit {
			break
		}
		n += celSize(c, limit-n)
	}
	return n
}

func celSizeOrZero(e celast.Expr, limit int) int {
	if e == nil {
		return 0
	}
	return celSize(e, limit)
}

// spend takes n nodes from the unroll budget, if it has them.
func (w *celRewriter) spend(n int) bool {
	if n > w.budget {
		return false
	}
	w.budget -= n
	return true
}

func (w *celRewriter) unroll(e celast.Expr) {
	if elems, isAll, body, v, ok := celQuantifierOverConstants(e); ok && len(elems) <= celUnrollMax &&
		w.spend(len(elems)*(celSize(body, w.budget)+1)) {
		op, overload, empty := operators.LogicalOr, overloads.LogicalOr, types.False
		if isAll {
			op, overload, empty = operators.LogicalAnd, overloads.LogicalAnd, types.True
		}
		if len(elems) == 0 {
			e.SetKindCase(w.fac.NewLiteral(0, empty))
			delete(w.refs, e.ID())
			return
		}
		terms := make([]celast.Expr, len(elems))
		for i, el := range elems {
			terms[i] = w.copyExpr(body, map[string]celast.Expr{v: el})
		}
		acc := terms[0]
		for _, t := range terms[1:] {
			call := w.fac.NewCall(w.id(), op, acc, t)
			w.types[call.ID()] = types.BoolType
			w.refs[call.ID()] = celast.NewFunctionReference(overload)
			acc = call
		}
		e.SetKindCase(acc) // e keeps its id and type (bool)
		if acc.Kind() == celast.CallKind {
			w.refs[e.ID()] = celast.NewFunctionReference(overload)
		} else {
			w.types[e.ID()] = w.types[acc.ID()]
			if r, ok := w.refs[acc.ID()]; ok {
				w.refs[e.ID()] = r
			}
		}
	}
	if elems, b, ok := celListBuilderOverConstants(e); ok && len(elems) <= celUnrollMax &&
		w.spend(len(elems)*(celSize(b.transform, w.budget)+celSizeOrZero(b.filter, w.budget)+4)) {
		listType := w.types[e.ID()]
		newList := func(elems ...celast.Expr) celast.Expr {
			l := w.fac.NewList(w.id(), elems, nil)
			w.types[l.ID()] = listType
			return l
		}
		var acc celast.Expr
		for j, el := range elems {
			subst := map[string]celast.Expr{b.elemVar: el}
			if b.indexVar != "" {
				idx := w.fac.NewLiteral(w.id(), types.Int(j))
				w.types[idx.ID()] = types.IntType
				subst[b.indexVar] = idx
			}
			piece := newList(w.copyExpr(b.transform, subst))
			if b.filter != nil {
				cond := w.fac.NewCall(w.id(), operators.Conditional, w.copyExpr(b.filter, subst), piece, newList())
				w.types[cond.ID()] = listType
				w.refs[cond.ID()] = celast.NewFunctionReference(overloads.Conditional)
				piece = cond
			}
			if acc == nil {
				acc = piece
				continue
			}
			sum := w.fac.NewCall(w.id(), operators.Add, acc, piece)
			w.types[sum.ID()] = listType
			w.refs[sum.ID()] = celast.NewFunctionReference(overloads.AddList)
			acc = sum
		}
		if acc == nil {
			acc = newList()
		}
		e.SetKindCase(acc) // e keeps its id and type
		delete(w.refs, e.ID())
		if r, ok := w.refs[acc.ID()]; ok {
			w.refs[e.ID()] = r
		}
	}
	for _, child := range celChildren(e) {
		w.unroll(child)
	}
}

// celListBuilder is a loop that builds a list, element by element: map(),
// filter() and transformList() as cel-go's macros expand them.
type celListBuilder struct {
	indexVar, elemVar string      // indexVar: transformList's first variable, or ""
	filter            celast.Expr // nil: every element
	transform         celast.Expr
}

// celListBuilderOverConstants recognises a list-building loop over a list
// of constants (possibly wrapped in dyn()), which unrolls into the sum of
// one short list per element: [t(x)], or f(x) ? [t(x)] : [], which CEL
// defines to mean the same.
func celListBuilderOverConstants(e celast.Expr) (elems []celast.Expr, b celListBuilder, ok bool) {
	if e.Kind() != celast.ComprehensionKind {
		return
	}
	c := e.AsComprehension()
	r := celConstantList(c.IterRange())
	if r == nil {
		return
	}
	accu := c.AccuVar()
	isAccu := func(x celast.Expr) bool { return x.Kind() == celast.IdentKind && x.AsIdent() == accu }
	init, cond, step := c.AccuInit(), c.LoopCondition(), c.LoopStep()
	if init.Kind() != celast.ListKind || len(init.AsList().Elements()) != 0 || cond.Kind() != celast.LiteralKind ||
		cond.AsLiteral() != types.True || !isAccu(c.Result()) {
		return
	}
	// add is accu + [t]: t, or nil.
	add := func(x celast.Expr) celast.Expr {
		if x.Kind() != celast.CallKind || x.AsCall().FunctionName() != operators.Add || len(x.AsCall().Args()) != 2 {
			return nil
		}
		args := x.AsCall().Args()
		if !isAccu(args[0]) || args[1].Kind() != celast.ListKind || len(args[1].AsList().Elements()) != 1 ||
			len(args[1].AsList().OptionalIndices()) != 0 {
			return nil
		}
		return args[1].AsList().Elements()[0]
	}
	if t := add(step); t != nil {
		b.transform = t
	} else if step.Kind() == celast.CallKind && step.AsCall().FunctionName() == operators.Conditional && len(step.AsCall().Args()) == 3 {
		args := step.AsCall().Args()
		if t := add(args[1]); t != nil && isAccu(args[2]) {
			b.filter, b.transform = args[0], t
		}
	}
	if b.transform == nil || celMentions(b.transform, accu) || (b.filter != nil && celMentions(b.filter, accu)) {
		return nil, celListBuilder{}, false
	}
	b.elemVar = c.IterVar()
	if c.HasIterVar2() {
		b.indexVar, b.elemVar = c.IterVar(), c.IterVar2()
	}
	return r.AsList().Elements(), b, true
}

// celConstantList is e as a list literal of constants (unwrapping dyn()),
// or nil.
func celConstantList(e celast.Expr) celast.Expr {
	e = celUndyn(e)
	if e.Kind() != celast.ListKind || len(e.AsList().OptionalIndices()) != 0 || !celConstant(e) {
		return nil
	}
	return e
}

// With the parameters inlined, some tests are decided at load: the national
// rules ask "params.rca_enabled && ...", "params.age_max != null && ...".
// fold prunes what such constants decide, as CEL defines it: false && x
// is false and true || x true whatever x is (even an error); true && x
// and false || x are x where x is a bool; a conditional on a constant is
// its branch; == and != between two constants are their answer.
//
// It buys 0.94×, 1.12×, 1.20× and 2, 7, 6 allocations per assessment
// (BenchmarkPasses). cel-go's NewConstantFoldingOptimizer in its place
// (after paramsInliner) is 1.16×, 1.09×, 1.05× slower and saves none of
// those allocations (it leaves a constant map's lookup by a variable as a
// lookup, which foldIndex writes as tests, and it runs before the blocks
// are made, so cannot fold what they make constant). It also loads 2.5×
// slower (BenchmarkPassesLoad: 225 ms and 363k allocations against 91 ms
// and 184k for the bundle), planning and running a sub-program per
// candidate and cloning the environment's function table (Env.Functions)
// for each call it inspects, every round; and it evaluates at load, with no
// cost limit or context, every comprehension that reads no variable: a rule
// holding lists.range(1500).all(i, lists.range(1500).all(j, i + j >= 0))
// took 1.8 s to load with it, 6 ms without (and is then cost-tracked at run
// time).
func (w *celRewriter) fold(e celast.Expr) {
	for _, child := range celChildren(e) {
		w.fold(child)
	}
	if e.Kind() == celast.SelectKind {
		w.foldSelect(e)
		return
	}
	if e.Kind() != celast.CallKind {
		return
	}
	call := e.AsCall()
	args := call.Args()
	replace := func(with celast.Expr) {
		withID := with.ID()
		e.SetKindCase(with)
		w.types[e.ID()] = w.types[withID]
		delete(w.refs, e.ID())
		if r, ok := w.refs[withID]; ok {
			w.refs[e.ID()] = r
		}
	}
	isBool := func(x celast.Expr) bool { t := w.types[x.ID()]; return t != nil && t.Kind() == types.BoolKind }
	switch call.FunctionName() {
	case operators.LogicalAnd, operators.LogicalOr:
		if len(args) != 2 {
			return
		}
		decides := types.False // false && x, false || x
		if call.FunctionName() == operators.LogicalOr {
			decides = types.True
		}
		for i, a := range args {
			v, ok := celLiteralValue(a)
			if !ok {
				continue
			}
			other := args[1-i]
			switch {
			case v == decides:
				replace(w.fac.NewLiteral(w.id(), v))
				w.types[e.ID()] = types.BoolType
				return
			case (v == types.True || v == types.False) && isBool(other):
				replace(other)
				return
			}
		}
	case operators.LogicalNot:
		if v, ok := celLiteralValue(args[0]); ok && len(args) == 1 && (v == types.True || v == types.False) {
			replace(w.fac.NewLiteral(w.id(), !v.(types.Bool)))
			w.types[e.ID()] = types.BoolType
		}
	case operators.Add:
		// x + [] and [] + x are x, for lists.
		if len(args) != 2 {
			return
		}
		for i, a := range args {
			other := args[1-i]
			if t := w.types[other.ID()]; t == nil || t.Kind() != types.ListKind {
				continue
			}
			if a.Kind() == celast.ListKind && len(a.AsList().Elements()) == 0 {
				replace(other)
				return
			}
		}
	case operators.Conditional:
		if len(args) != 3 {
			return
		}
		switch v, _ := celLiteralValue(args[0]); v {
		case types.True:
			replace(args[1])
		case types.False:
			replace(args[2])
		}
	case operators.In:
		// x in [constants], x in {constants}: membership as CEL decides it
		// (heterogeneous equality for a list, a key for a map).
		if len(args) != 2 {
			return
		}
		x, ok := celLiteralValue(args[0])
		coll := args[1]
		coll = celUndyn(coll)
		if !ok || !celConstant(coll) {
			return
		}
		found, decided := false, true
		switch coll.Kind() {
		case celast.ListKind:
			for _, el := range coll.AsList().Elements() {
				v, isLit := celLiteralValue(el)
				if !isLit {
					decided = false // a nested list: leave it to cel-go
					break
				}
				if x.Equal(v) == types.True {
					found = true
				}
			}
		case celast.MapKind:
			for _, en := range coll.AsMap().Entries() {
				k, isLit := celLiteralValue(en.AsMapEntry().Key())
				if !isLit || en.AsMapEntry().IsOptional() {
					decided = false
					break
				}
				if x.Equal(k) == types.True {
					found = true
				}
			}
		default:
			decided = false
		}
		if !decided {
			return
		}
		replace(w.fac.NewLiteral(w.id(), types.Bool(found)))
		w.types[e.ID()] = types.BoolType
	case operators.Index:
		w.foldIndex(e, args, replace)
	case "join":
		// [constant strings].join(constant separator): the joined string,
		// as ext.Strings joins it.
		if !call.IsMemberFunction() || len(args) > 1 {
			return
		}
		l := call.Target()
		l = celUndyn(l)
		if l.Kind() != celast.ListKind || len(l.AsList().OptionalIndices()) != 0 {
			return
		}
		sep := ""
		if len(args) == 1 {
			v, ok := celLiteralValue(args[0])
			str, isStr := v.(types.String)
			if !ok || !isStr {
				return
			}
			sep = string(str)
		}
		parts := make([]string, 0, len(l.AsList().Elements()))
		for _, el := range l.AsList().Elements() {
			v, ok := celLiteralValue(el)
			str, isStr := v.(types.String)
			if !ok || !isStr {
				return
			}
			parts = append(parts, string(str))
		}
		replace(w.fac.NewLiteral(w.id(), types.String(strings.Join(parts, sep))))
		w.types[e.ID()] = types.StringType
	case operators.Equals, operators.NotEquals:
		if len(args) != 2 {
			return
		}
		x, ok1 := celLiteralValue(args[0])
		y, ok2 := celLiteralValue(args[1])
		if !ok1 || !ok2 {
			return
		}
		eq, ok := x.Equal(y).(types.Bool)
		if !ok {
			return
		}
		if call.FunctionName() == operators.NotEquals {
			eq = !eq
		}
		replace(w.fac.NewLiteral(w.id(), eq))
		w.types[e.ID()] = types.BoolType
	}
}

// foldSelect replaces a field of a constant map that has it (an inlined
// parameter: params.red_review.n is {"n": 14, "unit": "days"}.n) by the
// field's value. A field the map lacks is left to fail as it would.
func (w *celRewriter) foldSelect(e celast.Expr) {
	sel := e.AsSelect()
	if sel.IsTestOnly() {
		return
	}
	m := sel.Operand()
	m = celUndyn(m)
	if m.Kind() != celast.MapKind || !celConstant(m) {
		return
	}
	for _, en := range m.AsMap().Entries() {
		me := en.AsMapEntry()
		if me.IsOptional() || me.Key().Kind() != celast.LiteralKind || me.Key().AsLiteral() != types.String(sel.FieldName()) {
			continue
		}
		v := w.copyExpr(me.Value(), nil)
		vID := v.ID()
		e.SetKindCase(v)
		// The select was typed by the checker (dyn, for a parameter); the
		// value is a constant of its own type.
		if t, ok := w.types[vID]; ok {
			w.types[e.ID()] = t
		}
		delete(w.refs, e.ID())
		return
	}
}

// foldIndex writes a lookup in a constant map by a variable's value,
// m[k] (params.review_cadence[rating]), as the tests cel-go would make:
// k == "red" ? <red's value> : k == "amber" ? ... : m[k]. cel-go builds a
// qualifier for every lookup by a variable key (two allocations), a
// comparison none. Only string keys, and a key that is a variable or a
// field of one, read again cheaply; the lookup itself stays as the last
// branch, failing as it would for a key the map lacks.
func (w *celRewriter) foldIndex(e celast.Expr, args []celast.Expr, replace func(celast.Expr)) {
	if len(args) != 2 || w.fallbacks[e.ID()] {
		return
	}
	m, k := args[0], args[1]
	m = celUndyn(m)
	if m.Kind() != celast.MapKind || !celConstant(m) || len(m.AsMap().Entries()) > celUnrollMax || !celCheapRead(k) {
		return
	}
	entries := m.AsMap().Entries()
	for _, en := range entries {
		if me := en.AsMapEntry(); me.IsOptional() || me.Key().Kind() != celast.LiteralKind {
			return
		}
		if _, isString := en.AsMapEntry().Key().AsLiteral().(types.String); !isString {
			return
		}
	}
	resultType := w.types[e.ID()]
	acc := w.copyExpr(e, nil)
	w.fallbacks[acc.ID()] = true
	for i := len(entries) - 1; i >= 0; i-- {
		me := entries[i].AsMapEntry()
		eq := w.fac.NewCall(w.id(), operators.Equals, w.copyExpr(k, nil), w.copyExpr(me.Key(), nil))
		w.types[eq.ID()] = types.BoolType
		w.refs[eq.ID()] = celast.NewFunctionReference(overloads.Equals)
		cond := w.fac.NewCall(w.id(), operators.Conditional, eq, w.copyExpr(me.Value(), nil), acc)
		w.types[cond.ID()] = resultType
		w.refs[cond.ID()] = celast.NewFunctionReference(overloads.Conditional)
		acc = cond
	}
	replace(acc)
	w.types[e.ID()] = resultType
}

// celCheapRead reports whether e is a variable or a field of one: cheap to
// read again.
func celCheapRead(e celast.Expr) bool {
	switch e.Kind() {
	case celast.IdentKind:
		return true
	case celast.SelectKind:
		return !e.AsSelect().IsTestOnly() && celCheapRead(e.AsSelect().Operand())
	}
	return false
}

// celUndyn is e without a dyn() around it (the inliner wraps each
// parameter in one, for the checker).
func celUndyn(e celast.Expr) celast.Expr {
	if e.Kind() == celast.CallKind && e.AsCall().FunctionName() == "dyn" && len(e.AsCall().Args()) == 1 && !e.AsCall().IsMemberFunction() {
		return e.AsCall().Args()[0]
	}
	return e
}

// celLiteralValue is e's value if e is a literal, or dyn() of one.
func celLiteralValue(e celast.Expr) (ref.Val, bool) {
	e = celUndyn(e)
	if e.Kind() != celast.LiteralKind {
		return nil, false
	}
	return e.AsLiteral(), true
}

// celQuantifierOverConstants recognises all() and exists() (as cel-go's
// macros expand them) over a list of constants, possibly wrapped in dyn():
// the elements, whether it is all(), the body and its variable.
func celQuantifierOverConstants(e celast.Expr) (elems []celast.Expr, isAll bool, body celast.Expr, v string, ok bool) {
	if e.Kind() != celast.ComprehensionKind {
		return
	}
	c := e.AsComprehension()
	if c.HasIterVar2() || c.Result().Kind() != celast.IdentKind || c.Result().AsIdent() != c.AccuVar() {
		return
	}
	r := celConstantList(c.IterRange())
	if r == nil {
		return
	}
	init, cond, step := c.AccuInit(), c.LoopCondition(), c.LoopStep()
	if init.Kind() != celast.LiteralKind || cond.Kind() != celast.CallKind || cond.AsCall().FunctionName() != operators.NotStrictlyFalse ||
		step.Kind() != celast.CallKind || len(step.AsCall().Args()) != 2 {
		return
	}
	accu := c.AccuVar()
	isAccu := func(x celast.Expr) bool { return x.Kind() == celast.IdentKind && x.AsIdent() == accu }
	condArg := cond.AsCall().Args()[0]
	args := step.AsCall().Args()
	switch {
	case init.AsLiteral() == types.True && isAccu(condArg) && step.AsCall().FunctionName() == operators.LogicalAnd && isAccu(args[0]):
		isAll = true
	case init.AsLiteral() == types.False && condArg.Kind() == celast.CallKind && condArg.AsCall().FunctionName() == operators.LogicalNot &&
		isAccu(condArg.AsCall().Args()[0]) && step.AsCall().FunctionName() == operators.LogicalOr && isAccu(args[0]):
	default:
		return
	}
	if celMentions(args[1], accu) {
		return
	}
	return r.AsList().Elements(), isAll, args[1], c.IterVar(), true
}

// celConstant reports whether e is a literal, or a list or map of them.
func celConstant(e celast.Expr) bool {
	switch e.Kind() {
	case celast.LiteralKind:
		return true
	case celast.ListKind, celast.MapKind:
		for _, c := range celChildren(e) {
			if !celConstant(c) {
				return false
			}
		}
		return true
	}
	return false
}

// celMentions reports whether the variable name occurs free under e (a
// nested loop that binds the same name hides it).
func celMentions(e celast.Expr, name string) bool {
	switch e.Kind() {
	case celast.IdentKind:
		return e.AsIdent() == name
	case celast.ComprehensionKind:
		c := e.AsComprehension()
		if celMentions(c.IterRange(), name) || celMentions(c.AccuInit(), name) {
			return true
		}
		if name == c.AccuVar() {
			return false
		}
		if celMentions(c.Result(), name) {
			return true
		}
		if name == c.IterVar() || name == c.IterVar2() {
			return false
		}
		return celMentions(c.LoopCondition(), name) || celMentions(c.LoopStep(), name)
	}
	for _, c := range celChildren(e) {
		if celMentions(c, name) {
			return true
		}
	}
	return false
}

// copyExpr copies e with fresh ids (and their types and references), with
// each reference in scope to a variable of subst replaced by a copy of its
// expression.
func (w *celRewriter) copyExpr(e celast.Expr, subst map[string]celast.Expr) celast.Expr {
	id := w.id()
	if t, ok := w.types[e.ID()]; ok {
		w.types[id] = t
	}
	if r, ok := w.refs[e.ID()]; ok {
		w.refs[id] = r
	}
	cp := func(x celast.Expr) celast.Expr { return w.copyExpr(x, subst) }
	switch e.Kind() {
	case celast.IdentKind:
		if with, ok := subst[e.AsIdent()]; ok {
			delete(w.types, id)
			delete(w.refs, id)
			return w.copyExpr(with, nil)
		}
		return w.fac.NewIdent(id, e.AsIdent())
	case celast.LiteralKind:
		return w.fac.NewLiteral(id, e.AsLiteral())
	case celast.SelectKind:
		sel := e.AsSelect()
		if sel.IsTestOnly() {
			return w.fac.NewPresenceTest(id, cp(sel.Operand()), sel.FieldName())
		}
		return w.fac.NewSelect(id, cp(sel.Operand()), sel.FieldName())
	case celast.CallKind:
		call := e.AsCall()
		args := make([]celast.Expr, len(call.Args()))
		for i, a := range call.Args() {
			args[i] = cp(a)
		}
		if call.IsMemberFunction() {
			return w.fac.NewMemberCall(id, call.FunctionName(), cp(call.Target()), args...)
		}
		return w.fac.NewCall(id, call.FunctionName(), args...)
	case celast.ListKind:
		l := e.AsList()
		elems := make([]celast.Expr, len(l.Elements()))
		for i, el := range l.Elements() {
			elems[i] = cp(el)
		}
		return w.fac.NewList(id, elems, l.OptionalIndices())
	case celast.MapKind:
		entries := make([]celast.EntryExpr, len(e.AsMap().Entries()))
		for i, en := range e.AsMap().Entries() {
			me := en.AsMapEntry()
			entries[i] = w.fac.NewMapEntry(w.id(), cp(me.Key()), cp(me.Value()), me.IsOptional())
		}
		return w.fac.NewMap(id, entries)
	case celast.StructKind:
		st := e.AsStruct()
		fields := make([]celast.EntryExpr, len(st.Fields()))
		for i, f := range st.Fields() {
			sf := f.AsStructField()
			fields[i] = w.fac.NewStructField(w.id(), sf.Name(), cp(sf.Value()), sf.IsOptional())
		}
		return w.fac.NewStruct(id, st.TypeName(), fields)
	case celast.ComprehensionKind:
		c := e.AsComprehension()
		loop := without(subst, c.IterVar(), c.IterVar2(), c.AccuVar())
		result := without(subst, c.AccuVar())
		return w.fac.NewComprehensionTwoVar(id, cp(c.IterRange()), c.IterVar(), c.IterVar2(), c.AccuVar(),
			cp(c.AccuInit()), w.copyExpr(c.LoopCondition(), loop), w.copyExpr(c.LoopStep(), loop), w.copyExpr(c.Result(), result))
	}
	return w.fac.NewUnspecifiedExpr(id)
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
//
// It buys 1.23×, 1.03×, 1.08× per assessment and no allocations
// (BenchmarkPasses): time only, what the skipped rounds cost. cel-go has no
// such pass.

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

func (w *celRewriter) trueEntries(e celast.Expr) {
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

type celRewriter struct {
	fac    celast.ExprFactory
	nextID int64
	types  map[int64]*types.Type
	refs   map[int64]*celast.ReferenceInfo
	// fallbacks are the lookups fold left in place as the last branch of
	// the chain it wrote for them: not to be expanded again.
	fallbacks map[int64]bool
	budget    int // nodes unroll may still add (celUnrollBudget)
}

func (w *celRewriter) id() int64 {
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

// A CEL rule names its intermediate values with cel.bind, and the national
// rules nest a dozen of them: cel-go expands each bind into a comprehension
// with its own scope, so every reference to a variable (person, facts, an
// outer binding) walks every scope between it and the top, comparing names.
// visit rewrites each outermost chain of directly nested binds
//
//	cel.bind(a, x, cel.bind(b, y, body))
//
// into one cel.@block([x, y'], body'), where the references to a and b in
// y and body become the block's slots @index0 and @index1. The block is
// cel-go's own construct (ext.Bindings, the form its common-subexpression
// optimizer emits) with the same meaning: each slot is evaluated at most
// once, and only when first referenced, as a bind's value is. References
// then cross one scope instead of a dozen. Binds inside the chain's values
// and body join the block too where they read no loop variable (rename);
// no block is nested in another (a block's slots are named by position,
// and an inner block would shadow the outer one's). Renaming respects
// scope: a comprehension that binds the same name hides the slot inside it.
//
// It buys 1.48×, 1.27×, 1.60× and 0, 0, 2 allocations per assessment
// (BenchmarkPasses). cel-go's own optimisers do not write blocks from
// binds.

// visit rewrites the outermost bind chains under e, in place.
func (w *celRewriter) visit(e celast.Expr) {
	if _, _, _, ok := celBindParts(e); ok {
		w.block(e)
		return
	}
	for _, child := range celChildren(e) {
		w.visit(child)
	}
}

// block turns the chain of binds rooted at e into a cel.@block.
func (w *celRewriter) block(e celast.Expr) {
	var (
		b     celBlockSlots
		names = map[string]string{}
		cur   = e
	)
	for {
		name, init, body, ok := celBindParts(cur)
		if !ok {
			break
		}
		if _, seen := names[name]; seen {
			break // shadows an earlier link: the rest is renamed below
		}
		w.rename(init, names, nil, &b) // sees the earlier links only
		names[name] = b.add(init)
		cur = body
	}
	w.rename(cur, names, nil, &b)
	resultType := w.types[e.ID()]
	list := w.fac.NewList(w.id(), b.slots, nil)
	w.types[list.ID()] = types.NewListType(types.DynType)
	// e becomes the block call; cur (the body) keeps its own id.
	e.SetKindCase(w.fac.NewCall(0, "cel.@block", list, cur))
	w.types[e.ID()] = resultType
	w.refs[e.ID()] = celast.NewFunctionReference("cel_block_list")
}

// celBlockSlots are a block's slots as they are found; constants are the
// slots whose value is a literal, a list or a map of them: a reference to
// one becomes the constant itself (the slot is then never read).
type celBlockSlots struct {
	slots     []celast.Expr
	constants map[string]celast.Expr
}

// add appends a slot and returns its name.
func (b *celBlockSlots) add(init celast.Expr) string {
	name := "@index" + strconv.Itoa(len(b.slots))
	b.slots = append(b.slots, init)
	if celConstant(init) {
		if b.constants == nil {
			b.constants = map[string]celast.Expr{}
		}
		b.constants[name] = init
	}
	return name
}

// rename replaces references to the block's variables (names: variable to
// slot) under e, except where a comprehension rebinds the name. locals
// are the variables that loops between the block and e bind.
//
// A bind under e whose value reads none of those locals would compute the
// same value wherever it stands: it becomes a slot of the block too
// (evaluated when first read, at most once, as the bind was), so that
// reading through it crosses no scope of its own.
func (w *celRewriter) rename(e celast.Expr, names map[string]string, locals map[string]bool, b *celBlockSlots) {
	if name, init, body, ok := celBindParts(e); ok && !celReadsAny(init, locals) {
		w.rename(init, names, locals, b)
		slot := b.add(init)
		bodyID := body.ID()
		e.SetKindCase(body) // e keeps its id; it takes the body's type and reference
		w.types[e.ID()] = w.types[bodyID]
		if r, ok := w.refs[bodyID]; ok {
			w.refs[e.ID()] = r
		}
		inner := maps.Clone(names)
		inner[name] = slot
		w.rename(e, inner, without(locals, name), b)
		return
	}
	switch e.Kind() {
	case celast.IdentKind:
		slot, ok := names[e.AsIdent()]
		if !ok {
			return
		}
		if c, isConst := b.constants[slot]; isConst {
			cp := w.copyExpr(c, nil)
			cpID := cp.ID()
			e.SetKindCase(cp)
			delete(w.refs, e.ID())
			if t, ok := w.types[cpID]; ok {
				w.types[e.ID()] = t
			}
			return
		}
		e.SetKindCase(w.fac.NewIdent(0, slot))
		w.refs[e.ID()] = celast.NewIdentReference(slot, nil)
		return
	case celast.ComprehensionKind:
		c := e.AsComprehension()
		w.rename(c.IterRange(), names, locals, b)
		w.rename(c.AccuInit(), names, locals, b)
		loopVars := []string{c.IterVar(), c.IterVar2(), c.AccuVar()}
		inLoop, loopLocals := without(names, loopVars...), with(locals, loopVars...)
		w.rename(c.LoopCondition(), inLoop, loopLocals, b)
		w.rename(c.LoopStep(), inLoop, loopLocals, b)
		w.rename(c.Result(), without(names, c.AccuVar()), with(locals, c.AccuVar()), b)
		return
	}
	for _, child := range celChildren(e) {
		w.rename(child, names, locals, b)
	}
}

// with is locals and the given variables (a copy).
func with(locals map[string]bool, vars ...string) map[string]bool {
	out := make(map[string]bool, len(locals)+len(vars))
	for k := range locals {
		out[k] = true
	}
	for _, v := range vars {
		if v != "" {
			out[v] = true
		}
	}
	return out
}

// celReadsAny reports whether e reads any of the variables.
func celReadsAny(e celast.Expr, vars map[string]bool) bool {
	for v := range vars {
		if celMentions(e, v) {
			return true
		}
	}
	return false
}

// without is names less the given variables (a copy only when one is there).
func without[V any](names map[string]V, vars ...string) map[string]V {
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
