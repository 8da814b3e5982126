package policies

import (
	"context"
	"slices"

	"github.com/dsrkit/dsrkit/dsr"
)

// Prepared is a case validated once and its facts derived once (dsr.Derive),
// ready to be assessed by any number of engines: an impact run assesses
// every case under two bundles, and need not validate and derive it twice.
// A Prepared is read-only after Prepare and safe to share between
// goroutines and engines.
type Prepared struct {
	c dsr.Case
	f dsr.Facts
}

// Prepare validates c (as Assess does; an invalid case returns an error
// matching dsr.ErrInvalid) and derives its facts.
func Prepare(c dsr.Case) (*Prepared, error) {
	p := &Prepared{c: c}
	if err := p.c.Validate(); err != nil {
		return nil, err
	}
	dsr.DeriveInto(&p.c, &p.f)
	return p, nil
}

// Case returns the prepared case.
func (p *Prepared) Case() dsr.Case { return p.c }

// AssessPrepared is Assess for a prepared case: the same assessment,
// without validating the case or deriving its facts again. The case's
// declared inputs are checked against this engine's bundle, as Assess
// checks them (R-INPUT-1).
func (e *Engine) AssessPrepared(ctx context.Context, p *Prepared) (dsr.Assessment, error) {
	if err := e.validateInputs(&p.c); err != nil {
		return dsr.Assessment{}, err
	}
	return e.assess(ctx, &p.c, &p.f, scratches.Get().(*scratch))
}

// DeclaredOnly returns p, or when p's case gives inputs that e's bundle
// does not declare (R-INPUT-1), a copy with only those it declares: for
// comparing bundles that declare different inputs (policydiff), each sees
// the inputs it knows, as a register using it would have recorded them.
// Assess and AssessPrepared refuse an undeclared input; this drops it on
// purpose.
func (e *Engine) DeclaredOnly(p *Prepared) *Prepared {
	undeclared := false
	for name := range p.c.Inputs {
		if !slices.ContainsFunc(e.manifest.Inputs, func(d dsr.InputDecl) bool { return d.Name == name }) {
			undeclared = true
			break
		}
	}
	if !undeclared {
		return p
	}
	q := &Prepared{c: p.c, f: p.f}
	q.c.Inputs = map[string]dsr.InputValue{}
	for _, d := range e.manifest.Inputs {
		if v, ok := p.c.Inputs[d.Name]; ok {
			q.c.Inputs[d.Name] = v
		}
	}
	return q
}
