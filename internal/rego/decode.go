package rego

import (
	"github.com/dsrkit/dsrkit/internal/eval"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/dsrkit/dsrkit/dsr"
)

var (
	kValid, kGivenBy, kReviewType, kActions, kReasons          = ast.StringTerm("valid"), ast.StringTerm("given_by"), ast.StringTerm("review_type"), ast.StringTerm("actions"), ast.StringTerm("reasons")
	kKind, kFrom, kFromAt, kN, kUnit, kRule, kReason, kMessage = ast.StringTerm("kind"), ast.StringTerm("from"), ast.StringTerm("from_at"), ast.StringTerm("n"), ast.StringTerm("unit"), ast.StringTerm("rule"), ast.StringTerm("reason"), ast.StringTerm("message")
	kArgs                                                      = ast.StringTerm("args")
)

// decodeRego reads one decision point's result object. Fields a point does
// not produce are left zero; the fields each point must produce are checked
// by the caller.
func decodeRego(point string, obj decisionView) (eval.Decision, error) {
	var d eval.Decision
	if obj.term != nil {
		if _, ok := obj.term.Value.(ast.Object); !ok {
			return d, eval.PointError(point, "decision is %s, want an object", ast.ValueName(obj.term.Value))
		}
	}
	for _, f := range [...]struct {
		k   *ast.Term
		dst *bool
	}{{kEligible, &d.Eligible}, {kValid, &d.Valid}} {
		if t := obj.get(f.k); t != nil {
			b, ok := t.Value.(ast.Boolean)
			if !ok {
				return d, eval.PointError(point, "%s is %s, want a boolean", f.k.Value, ast.ValueName(t.Value))
			}
			*f.dst = bool(b)
		}
	}
	for _, f := range [...]struct {
		k   *ast.Term
		dst *string
	}{{kGivenBy, &d.GivenBy}, {kRating, &d.Rating}, {kReviewType, &d.ReviewType}} {
		if t := obj.get(f.k); t != nil {
			s, ok := t.Value.(ast.String)
			if !ok {
				return d, eval.PointError(point, "%s is %s, want a string", f.k.Value, ast.ValueName(t.Value))
			}
			*f.dst = string(s)
		}
	}
	if t := obj.get(kReasons); t != nil {
		elems, err := elemsOf(point, "reasons", t)
		if err != nil {
			return d, err
		}
		if len(elems) > 0 {
			d.Reasons = make([]dsr.Reason, 0, len(elems))
		}
		for _, e := range elems {
			o, ok := e.Value.(ast.Object)
			if !ok {
				return d, eval.PointError(point, "a reason is %s, want {rule, message}", ast.ValueName(e.Value))
			}
			r := dsr.Reason{Rule: str(o.Get(kRule)), Message: message(o, kMessage)}
			if r.Rule == "" {
				return d, eval.PointError(point, "a reason has no rule id: %v", e)
			}
			d.Reasons = append(d.Reasons, r)
		}
	}
	if t := obj.get(kActions); t != nil {
		elems, err := elemsOf(point, "actions", t)
		if err != nil {
			return d, err
		}
		if len(elems) > 0 {
			d.Actions = make([]eval.Deadline, 0, len(elems))
		}
		for _, e := range elems {
			o, ok := e.Value.(ast.Object)
			if !ok {
				return d, eval.PointError(point, "an action is %s, want {kind, from, n, unit, rule, reason}", ast.ValueName(e.Value))
			}
			dl := eval.Deadline{
				Kind: str(o.Get(kKind)), Unit: str(o.Get(kUnit)), Rule: str(o.Get(kRule)), Reason: message(o, kReason),
			}
			var ok1, ok2 bool
			dl.From, ok1 = num(o.Get(kFrom))
			dl.N, ok2 = num(o.Get(kN))
			if at := o.Get(kFromAt); at != nil {
				n, ok := num(at)
				if !ok {
					return d, eval.PointError(point, "action %s: from_at is not a number", dl.Kind)
				}
				dl.FromAt = int64(n)
			}
			if !ok1 || !ok2 {
				return d, eval.PointError(point, "action %s: from and n must be whole numbers: %v", dl.Kind, e)
			}
			d.Actions = append(d.Actions, dl)
		}
	}
	return d, nil
}

// elemsOf returns the elements of a set (in its sorted order) or an array.
func elemsOf(point, field string, t *ast.Term) ([]*ast.Term, error) {
	switch c := t.Value.(type) {
	case ast.Set:
		return c.Slice(), nil
	case *ast.Array:
		elems := make([]*ast.Term, c.Len())
		for i := range elems {
			elems[i] = c.Elem(i)
		}
		return elems, nil
	}
	return nil, eval.PointError(point, "%s is %s, want a set or an array", field, ast.ValueName(t.Value))
}

// message reads a reason's or an action's text. With "args" (an array) the
// text is a fmt format and the engine fills it in, so rules need not build
// strings with sprintf while they are evaluated: a number is a %d, a string
// a %s, and a set or array renders as its elements sorted and joined with
// ", ". Without args the text is taken as it is. formatMessage does the
// formatting for both engines, so messages are byte-identical.
func message(o ast.Object, key *ast.Term) string {
	msg := str(o.Get(key))
	at := o.Get(kArgs)
	if at == nil {
		return msg
	}
	arr, ok := at.Value.(*ast.Array)
	if !ok {
		return msg
	}
	args := make([]any, arr.Len())
	for i := range args {
		args[i] = fmtArg(arr.Elem(i).Value)
	}
	return eval.FormatMessage(msg, args)
}

// fmtArg turns a Rego value into a formatMessage argument.
func fmtArg(v ast.Value) any {
	switch x := v.(type) {
	case ast.String:
		return string(x)
	case ast.Number:
		if i, ok := x.Int64(); ok {
			return i
		}
		return x.String()
	case ast.Boolean:
		return bool(x)
	case ast.Set, *ast.Array:
		var elems eval.ListArg
		add := func(t *ast.Term) {
			if s, ok := t.Value.(ast.String); ok {
				elems = append(elems, string(s))
			} else {
				elems = append(elems, t.String())
			}
		}
		if s, ok := x.(ast.Set); ok {
			s.Foreach(add)
		} else {
			x.(*ast.Array).Foreach(add)
		}
		return elems
	}
	return v.String()
}

func str(t *ast.Term) string {
	if t == nil {
		return ""
	}
	s, _ := t.Value.(ast.String)
	return string(s)
}

func num(t *ast.Term) (int, bool) {
	if t == nil {
		return 0, false
	}
	n, ok := t.Value.(ast.Number)
	if !ok {
		return 0, false
	}
	i, ok := n.Int()
	return i, ok
}
