package policies

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/internal/eval"
)

// ErrNoDecisionPoint is returned by Decide for a point the bundle does not
// define, or one that is not an optional point.
var ErrNoDecisionPoint = errors.New("policies: no such decision point")

// HasPoint reports whether the bundle defines the decision point: every
// bundle defines the assessment's Points; OptionalPoints only when written.
func (e *Engine) HasPoint(point string) bool {
	return slices.Contains(Points, point) || e.hasOptional(point)
}

func (e *Engine) hasOptional(point string) bool { return e.optional[point] != nil }

// Decide evaluates one optional decision point (OptionalPoints) on input,
// a JSON-like object with the fields the point reads (the national-2023
// README lists them; an unknown field or a value of the wrong type is a
// *dsr.ValidationError matching dsr.ErrInvalid). The decision comes back
// as JSON values (objects, arrays, strings, booleans, json.Number, nil),
// with sets as sorted arrays and each message already formatted with its
// args. A point the bundle does not define is ErrNoDecisionPoint: the
// caller decides what its absence means (BlueLightRules and CETRParams fall
// back to Go). A rule that fails is ErrEvaluation. Decide is safe for
// concurrent use.
func (e *Engine) Decide(ctx context.Context, point string, input map[string]any) (map[string]any, error) {
	if !slices.Contains(OptionalPoints, point) || !e.hasOptional(point) {
		if slices.Contains(Points, point) {
			return nil, fmt.Errorf("%w: %s is an assessment point (use Assess)", ErrNoDecisionPoint, point)
		}
		return nil, fmt.Errorf("%w: bundle %s does not define %q", ErrNoDecisionPoint, e.ref.Name, point)
	}
	var in any
	if newInput := eval.PointInputs[point]; newInput != nil {
		in = newInput()
		raw, err := json.Marshal(input)
		if err != nil {
			return nil, &dsr.ValidationError{Field: "input", Problem: err.Error()}
		}
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(in); err != nil {
			return nil, &dsr.ValidationError{Field: "input", Problem: fmt.Sprintf("decision point %s: %v", point, err)}
		}
	} else if len(input) > 0 {
		return nil, &dsr.ValidationError{Field: "input", Problem: fmt.Sprintf("decision point %s takes no input", point)}
	}
	return e.decide(ctx, point, in)
}

// decide evaluates an optional point the engine has on in (a pointer to
// the point's input struct, or nil).
func (e *Engine) decide(ctx context.Context, point string, in any) (map[string]any, error) {
	prog := e.optional[point]
	if prog == nil {
		return nil, fmt.Errorf("%w: bundle %s does not define %q", ErrNoDecisionPoint, e.ref.Name, point)
	}
	out, err := prog.Decide(ctx, point, in)
	if err != nil {
		return nil, err
	}
	m, ok := out.(map[string]any)
	if !ok {
		return nil, eval.PointError(point, "decision is %T, want an object", out)
	}
	if err := eval.FormatMessages(m); err != nil {
		return nil, eval.PointError(point, "%v", err)
	}
	return m, nil
}
