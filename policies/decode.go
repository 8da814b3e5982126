package policies

import (
	"fmt"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/dsr"
)

// deadline is an action as a rule returns it: what, from which day, how
// long, and why. The engine turns it into a dsr.Action with the calendar.
type deadline struct {
	Kind   string
	From   int   // day number
	FromAt int64 // unix seconds, for hours deadlines; 0 if none
	N      int
	Unit   string
	Rule   string
	Reason string
}

// decision is what one decision point returned, engine-neutral.
type decision struct {
	Eligible   bool
	Valid      bool
	GivenBy    string
	Rating     string
	ReviewType string
	Actions    []deadline
	Reasons    []dsr.Reason
}

var (
	kValid, kGivenBy, kReviewType, kActions, kReasons          = ast.StringTerm("valid"), ast.StringTerm("given_by"), ast.StringTerm("review_type"), ast.StringTerm("actions"), ast.StringTerm("reasons")
	kKind, kFrom, kFromAt, kN, kUnit, kRule, kReason, kMessage = ast.StringTerm("kind"), ast.StringTerm("from"), ast.StringTerm("from_at"), ast.StringTerm("n"), ast.StringTerm("unit"), ast.StringTerm("rule"), ast.StringTerm("reason"), ast.StringTerm("message")
)

// pointError reports a decision that breaks the output contract.
func pointError(point, format string, args ...any) error {
	return fmt.Errorf("%w: decision point %s: %s", ErrEvaluation, point, fmt.Sprintf(format, args...))
}

// decodeRego reads one decision point's result object. Fields a point does
// not produce are left zero; the fields each point must produce are checked
// by the caller.
func decodeRego(point string, v *ast.Term) (decision, error) {
	var d decision
	obj, ok := v.Value.(ast.Object)
	if !ok {
		return d, pointError(point, "decision is %s, want an object", ast.ValueName(v.Value))
	}
	var err error
	boolField := func(k *ast.Term, dst *bool) {
		if t := obj.Get(k); t != nil && err == nil {
			b, ok := t.Value.(ast.Boolean)
			if !ok {
				err = pointError(point, "%s is %s, want a boolean", k.Value, ast.ValueName(t.Value))
			}
			*dst = bool(b)
		}
	}
	strField := func(k *ast.Term, dst *string) {
		if t := obj.Get(k); t != nil && err == nil {
			s, ok := t.Value.(ast.String)
			if !ok {
				err = pointError(point, "%s is %s, want a string", k.Value, ast.ValueName(t.Value))
			}
			*dst = string(s)
		}
	}
	boolField(kEligible, &d.Eligible)
	boolField(kValid, &d.Valid)
	strField(kGivenBy, &d.GivenBy)
	strField(kRating, &d.Rating)
	strField(kReviewType, &d.ReviewType)
	if err != nil {
		return d, err
	}
	if t := obj.Get(kReasons); t != nil {
		if err := eachElem(point, "reasons", t, func(e *ast.Term) error {
			o, ok := e.Value.(ast.Object)
			if !ok {
				return pointError(point, "a reason is %s, want {rule, message}", ast.ValueName(e.Value))
			}
			r := dsr.Reason{Rule: str(o.Get(kRule)), Message: str(o.Get(kMessage))}
			if r.Rule == "" {
				return pointError(point, "a reason has no rule id: %v", e)
			}
			d.Reasons = append(d.Reasons, r)
			return nil
		}); err != nil {
			return d, err
		}
	}
	if t := obj.Get(kActions); t != nil {
		if err := eachElem(point, "actions", t, func(e *ast.Term) error {
			o, ok := e.Value.(ast.Object)
			if !ok {
				return pointError(point, "an action is %s, want {kind, from, n, unit, rule, reason}", ast.ValueName(e.Value))
			}
			dl := deadline{
				Kind: str(o.Get(kKind)), Unit: str(o.Get(kUnit)), Rule: str(o.Get(kRule)), Reason: str(o.Get(kReason)),
			}
			var ok1, ok2 bool
			dl.From, ok1 = num(o.Get(kFrom))
			dl.N, ok2 = num(o.Get(kN))
			if at := o.Get(kFromAt); at != nil {
				n, ok := num(at)
				if !ok {
					return pointError(point, "action %s: from_at is not a number", dl.Kind)
				}
				dl.FromAt = int64(n)
			}
			if !ok1 || !ok2 {
				return pointError(point, "action %s: from and n must be whole numbers: %v", dl.Kind, e)
			}
			d.Actions = append(d.Actions, dl)
			return nil
		}); err != nil {
			return d, err
		}
	}
	return d, nil
}

func eachElem(point, field string, t *ast.Term, f func(*ast.Term) error) error {
	var err error
	visit := func(e *ast.Term) {
		if err == nil {
			err = f(e)
		}
	}
	switch c := t.Value.(type) {
	case ast.Set:
		c.Foreach(visit)
	case *ast.Array:
		c.Foreach(visit)
	default:
		return pointError(point, "%s is %s, want a set or an array", field, ast.ValueName(t.Value))
	}
	return err
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

func dayOf(t time.Time) int { return calendar.DateOf(t).Days() }
