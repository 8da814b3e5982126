package cel

import (
	"fmt"
	"sync"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"

	"github.com/dsrkit/dsrkit/internal/bundle"
)

// celOptional is an optional CEL point: its source, and once compiled
// (compiled: in Compile, or at its first use with eval.Plan.Lazy) its
// program, the adapter of its environment (which knows the point's input
// type) and the parameters as that environment sees them.
type celOptional struct {
	point  string
	src    bundle.Source
	params map[string]any
	plain  bool

	once sync.Once
	err  error
	*celPoint
	adapter types.Adapter
	args    ref.Val
}

// compiled compiles the point the first time it is called, by one caller
// while any others wait, and returns the compile's error (a
// *bundle.LoadError) on every call: a broken point stays broken. The
// fields it sets are read only after it returns nil. A compile is bounded
// as at load: by the bundle's size limits and the optimiser's budgets
// (celUnrollBudget, celEstimateMax), not by a caller's context, whose end
// must not be remembered as the point's error.
func (o *celOptional) compiled() error {
	o.once.Do(func() {
		env, err := pointEnv(o.point)
		if err != nil {
			o.err = fmt.Errorf("policies: CEL environment for %s: %w", o.point, err)
			return
		}
		prg, err := compile(env, o.point, o.src, o.params, o.plain)
		if err != nil {
			o.err = err
			return
		}
		o.celPoint, o.adapter = prg, env.CELTypeAdapter()
		o.args = o.adapter.NativeToValue(o.params)
	})
	return o.err
}

// The CEL environments depend on nothing of a bundle: each is made once
// per process, the first time a bundle needs it (about half a millisecond
// for the stages', a tenth for an optional point's), and shared by every
// engine. A cel.Env is safe for concurrent use.
var (
	sharedEnv = sync.OnceValues(newCELEnv)
	pointEnvs = func() map[string]func() (*cel.Env, error) {
		m := make(map[string]func() (*cel.Env, error), len(pointSpecs))
		for pt, spec := range pointSpecs {
			m[pt] = sync.OnceValues(func() (*cel.Env, error) { return newPointEnv(spec) })
		}
		return m
	}()
)

// pointEnv is the shared environment of optional point pt.
func pointEnv(pt string) (*cel.Env, error) {
	f, ok := pointEnvs[pt]
	if !ok {
		return nil, fmt.Errorf("no environment for optional point %s", pt)
	}
	return f()
}
