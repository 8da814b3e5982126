package policies

import (
	"context"

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
