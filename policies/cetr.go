package policies

import (
	"context"
	"errors"
	"strings"

	"github.com/dsrkit/dsrkit/internal/bundle"
	"github.com/dsrkit/dsrkit/internal/eval"

	"github.com/dsrkit/dsrkit/cetr"
	"github.com/dsrkit/dsrkit/dsr"
)

// cetrParams is what the bundle's cetr_rules decided at load, or
// cetr.DefaultParams when the bundle has no such point.
type cetrParams struct {
	p cetr.Params
}

// loadDomainParams decodes and checks what the domain packages take from
// the bundle: the Blue Light parameters, and the C(E)TR parameters that
// cetr_rules gives (it takes no input, so it is decided once, here). A
// bad value fails Load.
func (e *Engine) loadDomainParams(ctx context.Context, b *bundle.Bundle) error {
	bl, err := decodeBlueLightParams(e.params)
	if err != nil {
		return err
	}
	e.blueLight = bl
	e.cetr = cetrParams{p: cetr.DefaultParams()}
	if !e.hasOptional(PointCETRRules) {
		return nil
	}
	file := b.PointFiles[PointCETRRules].Name
	p, err := e.decideCETR(ctx)
	if err != nil {
		return &LoadError{File: file, Err: err}
	}
	if err := p.Validate(); err != nil {
		var msgs []string
		for _, e := range unjoin(err) {
			msgs = append(msgs, e.Error())
		}
		return &LoadError{File: file, Err: errors.New("cetr_rules decided bad parameters: " + strings.Join(msgs, "; "))}
	}
	e.cetr = cetrParams{p: p}
	return nil
}

// decideCETR evaluates cetr_rules. Fields the decision leaves out keep
// cetr.DefaultParams' values.
func (e *Engine) decideCETR(ctx context.Context) (cetr.Params, error) {
	m, err := e.decide(ctx, PointCETRRules, nil)
	if err != nil {
		return cetr.Params{}, err
	}
	if v, ok := m["education_member"]; ok {
		if s, _ := v.(string); cetr.Requirement(s) != cetr.Advised && cetr.Requirement(s) != cetr.Required {
			return cetr.Params{}, eval.PointError(PointCETRRules, "education_member is %v, want %q or %q", v, cetr.Advised, cetr.Required)
		}
	}
	raw := struct {
		cetr.Params
		Reasons []dsr.Reason `json:"reasons"`
	}{Params: cetr.DefaultParams()}
	if err := eval.DecodeDecision(PointCETRRules, m, &raw); err != nil {
		return cetr.Params{}, err
	}
	if _, err := checkedReasons(PointCETRRules, raw.Reasons); err != nil {
		return cetr.Params{}, err
	}
	return raw.Params, nil
}

// CETRParams returns what the engine's bundle tunes about C(E)TR records
// (its cetr_rules decision point, in Rego or CEL): the report deadline and
// the statutory one, how long before a community review the papers go,
// after how long overdue a recommendation is escalated, whether a CETR
// panel must or should have an education or children's social care member,
// and the rest of cetr.Params. A bundle without the point gives
// cetr.DefaultParams. The point takes no input, so it is decided once, at
// Load, where a decision that cetr.Params.Validate rejects fails; the error
// is then only ctx's.
func CETRParams(ctx context.Context, e *Engine) (cetr.Params, error) {
	if err := ctx.Err(); err != nil {
		return cetr.Params{}, err
	}
	return e.cetr.p, nil
}
