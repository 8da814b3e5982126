package cel

import celast "cel.dev/cel-go/common/ast"

// cel-go's static cost estimate reads a bound variable by estimating its
// expression again, at every reference: a chain of cel.bind in which each
// variable is used twice (a string doubled forty times) costs it 2^40
// steps, and the load would never end. celEstimateWork is the work the
// estimate would do, counted with each variable's work memoised, capped
// at limit; above celEstimateMax the estimate is skipped and the rule
// counts its cost as it runs (the safe side: the cost limit holds).
const celEstimateMax = 1_000_000

func celEstimateWork(e celast.Expr, limit int) int {
	return estimateWork(e, map[string]int{}, limit)
}

func estimateWork(e celast.Expr, scope map[string]int, limit int) int {
	switch e.Kind() {
	case celast.IdentKind:
		if n, ok := scope[e.AsIdent()]; ok {
			return n
		}
		return 1
	case celast.ComprehensionKind:
		c := e.AsComprehension()
		rng := estimateWork(c.IterRange(), scope, limit)
		init := estimateWork(c.AccuInit(), scope, limit)
		inner := make(map[string]int, len(scope)+2)
		for k, v := range scope {
			inner[k] = v
		}
		inner[c.AccuVar()] = init
		inner[c.IterVar()] = rng
		if c.HasIterVar2() {
			inner[c.IterVar2()] = rng
		}
		n := 1 + rng + init
		for _, x := range []celast.Expr{c.LoopCondition(), c.LoopStep(), c.Result()} {
			if n = min(n+estimateWork(x, inner, limit), limit+1); n > limit {
				return n
			}
		}
		return n
	}
	n := 1
	for _, c := range celChildren(e) {
		if n = min(n+estimateWork(c, scope, limit), limit+1); n > limit {
			return n
		}
	}
	return n
}
