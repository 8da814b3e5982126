// Package policydiff assesses many cases under two policy bundles and
// reports who changes: rating transitions, eligibility and register places
// gained and lost, actions added, removed or moved, each with a count, the
// first few people and the rule ids responsible. It is what `dsr policy
// diff` runs before an area rolls out a rule change.
//
// Counts and examples are the same for the same cases whatever the number
// of workers: examples are the lowest-numbered cases of each change.
package policydiff

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/policies"
	"github.com/dsrkit/dsrkit/policies/policycheck"
)

// Source gives the cases to assess, by index. Case is called from several
// goroutines at once.
type Source interface {
	Len() int
	// Case returns case i and a label naming where it came from (a file, a
	// register id; "" for a generated case).
	Case(i int) (c dsr.Case, label string, err error)
}

// Cases is a Source over cases in memory, with optional labels.
type Cases struct {
	List   []dsr.Case
	Labels []string
}

func (s Cases) Len() int { return len(s.List) }

func (s Cases) Case(i int) (dsr.Case, string, error) {
	label := ""
	if i < len(s.Labels) {
		label = s.Labels[i]
	}
	return s.List[i], label, nil
}

// Generated is a Source of n cases from a policycheck.Generator.
type Generated struct {
	Gen *policycheck.Generator
	N   int
}

func (s Generated) Len() int { return s.N }

func (s Generated) Case(i int) (dsr.Case, string, error) { return s.Gen.Case(i), "", nil }

// Options tunes Run.
type Options struct {
	// Workers assessing in parallel; 0 means GOMAXPROCS. Engines are safe
	// for concurrent use.
	Workers int
	// Examples is how many people to keep for each change (default 5).
	Examples int
	// Progress, when set, is told of the cases done as workers finish
	// them, from several goroutines at once (a *progress.Reporter of the
	// CLI; Add must be cheap and safe for concurrent use).
	Progress Counter
	// Now is the clock that times the run (default time.Now); a fixed
	// clock makes the report's elapsed time, and so its every byte, the
	// same from run to run.
	Now func() time.Time
}

// Counter counts work done; Add is called from several goroutines.
type Counter interface{ Add(n int) }

// Example is one person a change affects.
type Example struct {
	Index  int      `json:"index"`
	Person string   `json:"person"`
	Label  string   `json:"label,omitempty"`
	Old    string   `json:"old"`
	New    string   `json:"new"`
	Rules  []string `json:"rules"`
}

// RuleCount is how many of a change's people a rule id is responsible for.
type RuleCount struct {
	Rule  string `json:"rule"`
	Count int    `json:"count"`
}

// Change is one kind of change with its count, the rules responsible and
// the first people.
type Change struct {
	// Kind: "rating", "eligibility", "register", "consent" or "action".
	Kind string `json:"kind"`
	// What changed: for a rating "amber→red" ("none" for no rating); for
	// eligibility, register places and consent "gained"/"lost"; for an
	// action "<kind> added", "removed" or "moved".
	What     string      `json:"what"`
	Count    int         `json:"count"`
	Rules    []RuleCount `json:"rules"`
	Examples []Example   `json:"examples"`
}

// Transition counts people by their rating under each bundle (unchanged
// ones too).
type Transition struct {
	From  string `json:"from"`
	To    string `json:"to"`
	Count int    `json:"count"`
}

// CaseError is a case that could not be assessed.
type CaseError struct {
	Index int    `json:"index"`
	Label string `json:"label,omitempty"`
	Error string `json:"error"`
}

// Report is what changes between two bundles over a set of cases.
type Report struct {
	Old   dsr.PolicyRef `json:"old"`
	New   dsr.PolicyRef `json:"new"`
	Cases int           `json:"cases"`
	// Assessed counts the cases assessed under both bundles; Changed the
	// people with any change.
	Assessed int `json:"assessed"`
	Changed  int `json:"changed"`
	// Transitions is the rating matrix, every pair that occurs.
	Transitions []Transition `json:"transitions"`
	// Changes lists every change found, rating transitions first, then
	// eligibility, register places, consent and actions.
	Changes []Change `json:"changes"`
	// Errors counts the cases that failed (invalid, or an assessment
	// error), with the first few.
	ErrorCount int         `json:"error_count"`
	Errors     []CaseError `json:"errors"`
	Elapsed    string      `json:"elapsed"`
	Workers    int         `json:"workers"`
	elapsed    time.Duration
}

// ElapsedTime is how long Run took.
func (r *Report) ElapsedTime() time.Duration { return r.elapsed }

// ratingName is a rating as the report prints it.
func ratingName(r dsr.Rating) string {
	if r == dsr.Unrated {
		return "none"
	}
	return r.String()
}

var ratingOrder = []string{"none", "green", "amber", "red", "blue"}

type bucket struct {
	kind, what string
	count      int
	rules      map[string]int
	examples   []Example // sorted by index, at most k
}

// tally is one worker's counts.
type tally struct {
	k        int
	matrix   map[[2]string]int
	buckets  map[string]*bucket
	assessed int
	changed  int
	errCount int
	errs     []CaseError
}

func newTally(k int) *tally {
	return &tally{k: k, matrix: map[[2]string]int{}, buckets: map[string]*bucket{}}
}

func (t *tally) add(kind, what string, ex Example, rules []string) {
	key := kind + "\x00" + what
	b := t.buckets[key]
	if b == nil {
		b = &bucket{kind: kind, what: what, rules: map[string]int{}}
		t.buckets[key] = b
	}
	b.count++
	for _, r := range rules {
		b.rules[r]++
	}
	if len(b.examples) < t.k || ex.Index < b.examples[len(b.examples)-1].Index {
		ex.Rules = rules
		i, _ := slices.BinarySearchFunc(b.examples, ex.Index, func(e Example, idx int) int { return cmp.Compare(e.Index, idx) })
		b.examples = slices.Insert(b.examples, i, ex)
		if len(b.examples) > t.k {
			b.examples = b.examples[:t.k]
		}
	}
}

func (t *tally) addErr(e CaseError) {
	t.errCount++
	i, _ := slices.BinarySearchFunc(t.errs, e.Index, func(x CaseError, idx int) int { return cmp.Compare(x.Index, idx) })
	t.errs = slices.Insert(t.errs, i, e)
	if len(t.errs) > t.k {
		t.errs = t.errs[:t.k]
	}
}

func (t *tally) merge(o *tally) {
	t.assessed += o.assessed
	t.changed += o.changed
	for k, v := range o.matrix {
		t.matrix[k] += v
	}
	for key, ob := range o.buckets {
		b := t.buckets[key]
		if b == nil {
			t.buckets[key] = ob
			continue
		}
		b.count += ob.count
		for r, n := range ob.rules {
			b.rules[r] += n
		}
		b.examples = append(b.examples, ob.examples...)
		slices.SortFunc(b.examples, func(x, y Example) int { return cmp.Compare(x.Index, y.Index) })
		if len(b.examples) > t.k {
			b.examples = b.examples[:t.k]
		}
	}
	t.errCount += o.errCount
	t.errs = append(t.errs, o.errs...)
	slices.SortFunc(t.errs, func(x, y CaseError) int { return cmp.Compare(x.Index, y.Index) })
	if len(t.errs) > t.k {
		t.errs = t.errs[:t.k]
	}
}

// Run assesses every case of src under old and new, in parallel, and
// reports the differences. Each case is validated and its facts derived
// once, then assessed by both engines (policies.Prepare, AssessPrepared),
// each with only the declared inputs its bundle declares (DeclaredOnly).
// It stops early, with ctx's error, when ctx is done.
func Run(ctx context.Context, old, new *policies.Engine, src Source, opts Options) (*Report, error) {
	start := opts.now()
	workers, k := opts.workers(), opts.examples()
	n := src.Len()
	const chunk = 64
	var next atomic.Int64
	tallies := make([]*tally, workers)
	var wg sync.WaitGroup
	for w := range workers {
		t := newTally(k)
		tallies[w] = t
		wg.Go(func() {
			for ctx.Err() == nil {
				lo := int(next.Add(chunk) - chunk)
				if lo >= n {
					return
				}
				hi := min(lo+chunk, n)
				for i := lo; i < hi; i++ {
					diffOne(ctx, old, new, src, i, t)
				}
				if opts.Progress != nil {
					opts.Progress.Add(hi - lo)
				}
			}
		})
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return report(old, new, n, workers, k, tallies, opts.now().Sub(start)), nil
}

func (o Options) workers() int {
	if o.Workers <= 0 {
		return runtime.GOMAXPROCS(0)
	}
	return o.Workers
}

func (o Options) now() time.Time {
	if o.Now == nil {
		return time.Now()
	}
	return o.Now()
}

func (o Options) examples() int {
	if o.Examples <= 0 {
		return 5
	}
	return o.Examples
}

// report merges the workers' tallies into the report of n cases.
func report(old, new *policies.Engine, n, workers, k int, tallies []*tally, elapsed time.Duration) *Report {
	all := newTally(k)
	for _, t := range tallies {
		all.merge(t)
	}
	rep := &Report{
		Old: old.Policy(), New: new.Policy(),
		Cases: n, Assessed: all.assessed, Changed: all.changed,
		ErrorCount: all.errCount, Errors: all.errs, Workers: workers,
	}
	if rep.Errors == nil {
		rep.Errors = []CaseError{}
	}
	for _, from := range ratingOrder {
		for _, to := range ratingOrder {
			if c := all.matrix[[2]string{from, to}]; c > 0 {
				rep.Transitions = append(rep.Transitions, Transition{From: from, To: to, Count: c})
			}
		}
	}
	kindOrder := map[string]int{"rating": 0, "eligibility": 1, "register": 2, "consent": 3, "action": 4}
	buckets := slices.Collect(maps.Values(all.buckets))
	slices.SortFunc(buckets, func(a, b *bucket) int {
		return cmp.Or(cmp.Compare(kindOrder[a.kind], kindOrder[b.kind]), cmp.Compare(b.count, a.count), strings.Compare(a.what, b.what))
	})
	rep.Changes = []Change{}
	for _, b := range buckets {
		ch := Change{Kind: b.kind, What: b.what, Count: b.count, Examples: b.examples}
		for r, c := range b.rules {
			ch.Rules = append(ch.Rules, RuleCount{r, c})
		}
		slices.SortFunc(ch.Rules, func(x, y RuleCount) int {
			return cmp.Or(cmp.Compare(y.Count, x.Count), strings.Compare(x.Rule, y.Rule))
		})
		if ch.Rules == nil {
			ch.Rules = []RuleCount{}
		}
		rep.Changes = append(rep.Changes, ch)
	}
	rep.elapsed = elapsed
	rep.Elapsed = rep.elapsed.Round(time.Millisecond).String()
	return rep
}

// diffOne assesses case i under both engines and tallies the differences.
func diffOne(ctx context.Context, old, new *policies.Engine, src Source, i int, t *tally) {
	c, label, err := src.Case(i)
	if err != nil {
		t.addErr(CaseError{Index: i, Label: label, Error: err.Error()})
		return
	}
	p, err := policies.Prepare(c)
	if err != nil {
		t.addErr(CaseError{Index: i, Label: label, Error: err.Error()})
		return
	}
	// Each bundle sees the declared inputs it knows (R-INPUT-1).
	a, err := old.AssessPrepared(ctx, old.DeclaredOnly(p))
	if err != nil {
		t.addErr(CaseError{Index: i, Label: label, Error: "old bundle: " + err.Error()})
		return
	}
	diffAssessed(ctx, new, p, i, c.Person.ID, label, &a, t)
}

// diffAssessed assesses prepared case i under new and tallies how it
// differs from a, its assessment under the old bundle.
func diffAssessed(ctx context.Context, new *policies.Engine, p *policies.Prepared, i int, person, label string, a *dsr.Assessment, t *tally) {
	b, err := new.AssessPrepared(ctx, new.DeclaredOnly(p))
	if err != nil {
		t.addErr(CaseError{Index: i, Label: label, Error: "new bundle: " + err.Error()})
		return
	}
	t.assessed++
	t.diff(i, person, label, a, &b)
}

// diff tallies how assessment b of case i differs from a.
func (t *tally) diff(i int, person, label string, a, b *dsr.Assessment) {
	from, to := ratingName(a.Rating), ratingName(b.Rating)
	t.matrix[[2]string{from, to}]++
	ex := func(o, n string) Example {
		return Example{Index: i, Person: person, Label: label, Old: o, New: n}
	}
	changed := false
	if from != to {
		changed = true
		rules := changedRules(a, b, isRatingRule)
		if a.Eligible != b.Eligible {
			rules = append(rules, changedRules(a, b, isEligibilityRule)...)
		}
		t.add("rating", from+"→"+to, ex(from, to), orAll(rules, b, isRatingRule))
	}
	if a.Eligible != b.Eligible {
		changed = true
		t.add("eligibility", gainedLost(b.Eligible), ex(yesNo(a.Eligible), yesNo(b.Eligible)), orAll(changedRules(a, b, isEligibilityRule), b, isEligibilityRule))
	}
	if a.Consent.Valid != b.Consent.Valid {
		changed = true
		t.add("consent", gainedLost(b.Consent.Valid), ex(yesNo(a.Consent.Valid), yesNo(b.Consent.Valid)), orAll(changedRules(a, b, isConsentRule), b, isConsentRule))
	}
	if a.OnRegister != b.OnRegister {
		changed = true
		isReg := func(id string) bool { return isEligibilityRule(id) || isConsentRule(id) }
		t.add("register", gainedLost(b.OnRegister), ex(yesNo(a.OnRegister), yesNo(b.OnRegister)), orAll(changedRules(a, b, isReg), b, isReg))
	}
	if diffActions(a, b, func(kind dsr.ActionKind, what string, o, n *dsr.Action) {
		changed = true
		var rule string
		var os, ns string
		if o != nil {
			os, rule = dueString(o), o.Rule
		}
		if n != nil {
			ns, rule = dueString(n), n.Rule
		}
		t.add("action", string(kind)+" "+what, ex(os, ns), []string{rule})
	}) {
		changed = true
	}
	if changed {
		t.changed++
	}
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func gainedLost(now bool) string {
	if now {
		return "gained"
	}
	return "lost"
}

func dueString(a *dsr.Action) string {
	s := "due " + a.DueDate().String()
	if !a.DueAt.IsZero() {
		s = "due " + a.DueAt.UTC().Format(time.RFC3339)
	}
	return s + " (from " + a.From.String() + ")"
}

func isRatingRule(id string) bool {
	return strings.HasPrefix(id, "R-RAG-") && !strings.HasPrefix(id, "R-RAG-ACT-") && id != "R-RAG-AGREED"
}
func isEligibilityRule(id string) bool { return strings.HasPrefix(id, "R-ELIG-") }
func isConsentRule(id string) bool     { return strings.HasPrefix(id, "R-CONS-") }

// changedRules lists the rule ids (matching keep) of reasons that one
// assessment has and the other lacks, compared on rule and message: the
// rules whose finding changed.
func changedRules(a, b *dsr.Assessment, keep func(string) bool) []string {
	count := map[dsr.Reason]int{}
	for _, r := range slices.Concat(a.Reasons, a.Consent.Reasons) {
		if keep(r.Rule) {
			count[r]++
		}
	}
	for _, r := range slices.Concat(b.Reasons, b.Consent.Reasons) {
		if keep(r.Rule) {
			count[r]--
		}
	}
	var ids []string
	for r, n := range count {
		if n != 0 && !slices.Contains(ids, r.Rule) {
			ids = append(ids, r.Rule)
		}
	}
	slices.Sort(ids)
	return ids
}

// orAll falls back to every rule of b matching keep when no reason
// changed.
func orAll(ids []string, b *dsr.Assessment, keep func(string) bool) []string {
	if len(ids) > 0 {
		slices.Sort(ids)
		return slices.Compact(ids)
	}
	for _, r := range slices.Concat(b.Reasons, b.Consent.Reasons) {
		if keep(r.Rule) && !slices.Contains(ids, r.Rule) {
			ids = append(ids, r.Rule)
		}
	}
	slices.Sort(ids)
	return ids
}

// diffActions matches actions on kind and cause date and calls f for
// each one added, removed or moved (due date changed); it reports whether
// any was.
func diffActions(a, b *dsr.Assessment, f func(kind dsr.ActionKind, what string, o, n *dsr.Action)) bool {
	changed := false
	for i := range a.Actions {
		o := &a.Actions[i]
		var match *dsr.Action
		for j := range b.Actions {
			if n := &b.Actions[j]; n.Kind == o.Kind && n.From == o.From {
				match = n
				break
			}
		}
		switch {
		case match == nil:
			f(o.Kind, "removed", o, nil)
			changed = true
		case match.Due != o.Due || !match.DueAt.Equal(o.DueAt):
			f(o.Kind, "moved", o, match)
			changed = true
		}
	}
	for j := range b.Actions {
		n := &b.Actions[j]
		found := false
		for i := range a.Actions {
			if o := &a.Actions[i]; o.Kind == n.Kind && o.From == n.From {
				found = true
				break
			}
		}
		if !found {
			f(n.Kind, "added", nil, n)
			changed = true
		}
	}
	return changed
}

// Summary is a one-line account of the report.
func (r *Report) Summary() string {
	return fmt.Sprintf("%d cases, %d assessed under both, %d changed, %d errors, in %s on %d workers (%.0f cases/s)",
		r.Cases, r.Assessed, r.Changed, r.ErrorCount, r.Elapsed, r.Workers, float64(r.Cases)/max(r.elapsed.Seconds(), 1e-9))
}
