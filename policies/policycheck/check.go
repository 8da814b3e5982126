package policycheck

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/policies"
)

// Option configures Run, NewChecker and policytest.Check.
type Option func(*checkConfig)

type checkConfig struct {
	ctx        context.Context
	mix        Mix
	extraIDs   []string
	local      *regexp.Regexp
	added      []Invariant
	without    []string
	invariants []Invariant // built from the above
}

// WithMix draws cases from mix instead of DefaultMix.
func WithMix(mix Mix) Option { return func(c *checkConfig) { c.mix = mix } }

// WithInvariants adds an area's own invariants to the library's.
func WithInvariants(inv ...Invariant) Option {
	return func(c *checkConfig) { c.added = append(c.added, inv...) }
}

// Without leaves out library invariants by name (for a bundle that is
// meant to break one, say so in a comment where you use it).
func Without(names ...string) Option {
	return func(c *checkConfig) { c.without = append(c.without, names...) }
}

// WithRuleIDs adds rule ids a reason or an action may cite, beside
// DomainRuleIDs and local ids matching the local-id pattern.
func WithRuleIDs(ids ...string) Option {
	return func(c *checkConfig) { c.extraIDs = append(c.extraIDs, ids...) }
}

// WithLocalRuleIDs replaces LocalRuleID as the pattern local rule ids match.
func WithLocalRuleIDs(re *regexp.Regexp) Option { return func(c *checkConfig) { c.local = re } }

// WithContext sets the context assessments run under.
func WithContext(ctx context.Context) Option { return func(c *checkConfig) { c.ctx = ctx } }

func newConfig(opts []Option) *checkConfig {
	cfg := &checkConfig{ctx: context.Background(), mix: DefaultMix}
	for _, o := range opts {
		o(cfg)
	}
	var lib []Invariant
	for _, inv := range Invariants() {
		if inv.Name == "known-rule-ids" {
			inv = KnownRuleIDs(slices.Concat(DomainRuleIDs, cfg.extraIDs), cfg.local)
		}
		lib = append(lib, inv)
	}
	for _, inv := range append(lib, cfg.added...) {
		if !slices.Contains(cfg.without, inv.Name) {
			cfg.invariants = append(cfg.invariants, inv)
		}
	}
	return cfg
}

// Failure is a case that breaks an invariant.
type Failure struct {
	Invariant string   // the invariant's name, or AssessesValidCases
	Message   string   // what is wrong
	Case      dsr.Case // the (shrunk) counterexample
	Index     int      // Run: the generated case's index; -1 from Checker.Check and under rapid
}

// CaseJSON is the counterexample as indented JSON that dsr.UnmarshalCase
// and `dsr assess` accept.
func (f *Failure) CaseJSON() []byte {
	c := f.Case
	if c.Events == nil {
		c.Events = []dsr.Event{} // the case schema wants a list
	}
	b, _ := json.MarshalIndent(c, "", "  ")
	return b
}

// CaseBegin and CaseEnd mark the counterexample's JSON in Failure.String.
const (
	CaseBegin = "--- case.json (dsr assess accepts it) ---"
	CaseEnd   = "--- end case.json ---"
)

func (f *Failure) String() string {
	return fmt.Sprintf("invariant %s failed: %s\n%s\n%s\n%s", f.Invariant, f.Message, CaseBegin, f.CaseJSON(), CaseEnd)
}

// CaseFromReport finds the first counterexample printed by Run or
// policytest.Check in a test log or report, and decodes it.
func CaseFromReport(report string) (dsr.Case, error) {
	_, rest, ok := strings.Cut(report, CaseBegin)
	if !ok {
		return dsr.Case{}, fmt.Errorf("policycheck: no %q in the report", CaseBegin)
	}
	text, _, ok := strings.Cut(rest, CaseEnd)
	if !ok {
		return dsr.Case{}, fmt.Errorf("policycheck: no %q in the report", CaseEnd)
	}
	return dsr.UnmarshalCase([]byte(strings.TrimSpace(text)))
}

// assessFunc assesses with e, turning a panic into an error.
func assessFunc(ctx context.Context, e *policies.Engine) AssessFunc {
	return func(c dsr.Case) (a dsr.Assessment, err error) {
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("panic: %v", r)
			}
		}()
		return e.Assess(ctx, c)
	}
}

// checkCase runs every invariant on c and returns the first failure.
func checkCase(cfg *checkConfig, assess AssessFunc, c dsr.Case) *Failure {
	a, err := assess(c)
	if err != nil {
		return &Failure{Invariant: AssessesValidCases, Message: err.Error(), Case: c, Index: -1}
	}
	for _, inv := range cfg.invariants {
		if err := safeCheck(inv, c, a, assess); err != nil {
			return &Failure{Invariant: inv.Name, Message: err.Error(), Case: c, Index: -1}
		}
	}
	return nil
}

func safeCheck(inv Invariant, c dsr.Case, a dsr.Assessment, assess AssessFunc) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic in the invariant: %v", r)
		}
	}()
	return inv.Check(c, a, assess)
}

// Checker checks one case at a time against the invariants options choose
// (the library's, less those left out Without, plus those added
// WithInvariants), assessing with an engine. Run and policytest.Check are
// built on it. Safe for concurrent use.
type Checker struct {
	cfg    *checkConfig
	assess AssessFunc
}

// NewChecker returns a checker assessing with e.
func NewChecker(e *policies.Engine, opts ...Option) *Checker {
	cfg := newConfig(opts)
	if len(cfg.mix.Inputs) == 0 {
		cfg.mix.Inputs = e.Inputs() // the bundle's declared inputs, drawn too
	}
	return &Checker{cfg: cfg, assess: assessFunc(cfg.ctx, e)}
}

// Mix is the population cases are to be drawn from (DefaultMix unless
// WithMix says otherwise).
func (ch *Checker) Mix() Mix { return ch.cfg.mix }

// Check assesses c and returns the first invariant it breaks (an error or a
// panic assessing it is AssessesValidCases), or nil when it keeps them all.
// The failure's Index is -1.
func (ch *Checker) Check(c dsr.Case) *Failure { return checkCase(ch.cfg, ch.assess, c) }

// Report is the result of Run.
type Report struct {
	Cases int
	Seed  uint64
	// Failed counts the failing cases by invariant (each case counts once,
	// under the first invariant it breaks).
	Failed map[string]int
	// Failures holds one shrunk counterexample per failing invariant: the
	// failing case with the lowest index, shrunk.
	Failures []*Failure
}

// OK reports whether every case kept every invariant.
func (r *Report) OK() bool { return len(r.Failures) == 0 }

// Run checks every invariant of the library (and those added with
// WithInvariants) on n cases from a Generator with seed, with e, on all
// cores: policytest.Check outside go test (dsr policy test uses it). The
// report is the same for the same engine, n and seed, whatever the number
// of cores. Failing cases are shrunk by dropping events and facts while the
// same invariant still fails.
func Run(e *policies.Engine, n int, seed uint64, opts ...Option) *Report {
	ch := NewChecker(e, opts...)
	cfg, assess := ch.cfg, ch.assess
	gen := NewGenerator(cfg.mix, seed)
	rep := &Report{Cases: n, Seed: seed, Failed: map[string]int{}}
	var mu sync.Mutex
	first := map[string]*Failure{}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= n || cfg.ctx.Err() != nil {
					return
				}
				f := checkCase(cfg, assess, gen.Case(i))
				if f == nil {
					continue
				}
				f.Index = i
				mu.Lock()
				rep.Failed[f.Invariant]++
				if old, ok := first[f.Invariant]; !ok || i < old.Index {
					first[f.Invariant] = f
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	for _, name := range sortedKeys(first) {
		f := first[name]
		f.Case = shrink(cfg, assess, f.Case, f.Invariant)
		if g := checkCase(cfg, assess, f.Case); g != nil && g.Invariant == f.Invariant {
			f.Message = g.Message
		}
		rep.Failures = append(rep.Failures, f)
	}
	return rep
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// shrink simplifies c greedily while it stays valid and still fails inv:
// dropping events, clearing circumstances and person facts.
func shrink(cfg *checkConfig, assess AssessFunc, c dsr.Case, inv string) dsr.Case {
	fails := func(v dsr.Case) bool {
		if v.Validate() != nil {
			return false
		}
		f := checkCase(cfg, assess, v)
		return f != nil && f.Invariant == inv
	}
	for changed := true; changed; {
		changed = false
		for i := len(c.Events) - 1; i >= 0; i-- {
			v := c
			v.Events = slices.Delete(slices.Clone(c.Events), i, i+1)
			if fails(v) {
				c, changed = v, true
			}
		}
		for i := range dsr.CircumstanceNames {
			v := c
			if f := v.Circumstances.Fields()[i]; *f {
				*f = false
				if fails(v) {
					c, changed = v, true
				}
			}
		}
		for _, flag := range []func(*dsr.Person) *bool{
			func(p *dsr.Person) *bool { return &p.AwaitingDiagnosis },
			func(p *dsr.Person) *bool { return &p.EHCP },
			func(p *dsr.Person) *bool { return &p.LacksCapacity },
			func(p *dsr.Person) *bool { return &p.GillickCompetent },
			func(p *dsr.Person) *bool { return &p.KnownToKeyworker },
			func(p *dsr.Person) *bool { return &p.KnownToServices },
		} {
			v := c
			if f := flag(&v.Person); *f {
				*f = false
				if fails(v) {
					c, changed = v, true
				}
			}
		}
	}
	return c
}
