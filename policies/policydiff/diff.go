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

	"github.com/dsrkit/dsrkit/calendar"
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
	Index  int    `json:"index"`
	Person string `json:"person"`
	Label  string `json:"label,omitempty"`
	// AsOf is the date the case was assessed on, the run's: `dsr policy
	// diff --case I` prints the case with it, for `dsr assess`.
	AsOf string `json:"as_of"`
	Old  string `json:"old"`
	New  string `json:"new"`
	// Rules are the ids of the rules responsible; Reasons the same rules'
	// findings in their own words.
	Rules   []string     `json:"rules"`
	Reasons []dsr.Reason `json:"reasons"`
	// Losses, in the list of people who lose protection, says what each
	// loses ("rating RED → AMBER", "register place lost", "dsr_review
	// removed").
	Losses []string `json:"losses,omitempty"`
}

// RuleCount is how many of a change's people a rule id is responsible for,
// with the rule's finding in its own words (the lowest-numbered person's).
type RuleCount struct {
	Rule   string `json:"rule"`
	Count  int    `json:"count"`
	Reason string `json:"reason,omitempty"`
}

// Change is one kind of change with its count, the rules responsible and
// the first people.
type Change struct {
	// Kind: "rating", "eligibility", "register", "consent" or "action".
	Kind string `json:"kind"`
	// What changed: for a rating "amber→red" ("not eligible" for no
	// rating: only a person who is not eligible has none); for
	// eligibility, register places and consent "gained"/"lost"; for an
	// action "<kind> added", "removed" or "moved".
	What  string `json:"what"`
	Count int    `json:"count"`
	// LosesProtection marks a change that takes protection away from at
	// least one of its people (see Report.LoseProtection).
	LosesProtection bool        `json:"loses_protection"`
	Rules           []RuleCount `json:"rules"`
	Examples        []Example   `json:"examples"`
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

// Group is one row of a breakdown: the people assessed under both bundles
// in the group, those with any change, and those who lose protection.
type Group struct {
	Group          string `json:"group"`
	People         int    `json:"people"`
	Changed        int    `json:"changed"`
	LoseProtection int    `json:"lose_protection"`
	GainProtection int    `json:"gain_protection"`
}

// AgeBands are the age bands of Report.ByAgeBand, in completed years on
// the date of the assessment. They follow where the rules change with age:
// 14, the youngest some areas' registers take (Kingston & Richmond) and
// the age transition planning starts from; 16, from which a young person
// with capacity consents for themselves (R-CONS); 18, from which a CTR
// replaces a CETR and a children's register ends; and 25, the keyworker
// service's upper age (keyworker_max_age).
var AgeBands = []string{"under 14", "14–15", "16–17", "18–25", "26 and over"}

func ageBand(age int) int {
	switch {
	case age < 14:
		return 0
	case age < 16:
		return 1
	case age < 18:
		return 2
	case age <= 25:
		return 3
	}
	return 4
}

// Losses are the people who lose protection under the new bundle, with
// the first of them.
type Losses struct {
	People   int       `json:"people"`
	Examples []Example `json:"examples"`
}

// Report is what changes between two bundles over a set of cases.
type Report struct {
	Old   dsr.PolicyRef `json:"old"`
	New   dsr.PolicyRef `json:"new"`
	Cases int           `json:"cases"`
	// AsOf is the date every case was assessed on, when they share one
	// (register cases: --as-of); "" when they differ (generated cases).
	AsOf string `json:"as_of,omitempty"`
	// Bundles is what differs between the two bundles themselves.
	Bundles BundleChanges `json:"bundles"`
	// Assessed counts the cases assessed under both bundles; Changed the
	// people with any change.
	Assessed int `json:"assessed"`
	Changed  int `json:"changed"`
	// LoseProtection counts the people who lose protection: their
	// suggested rating falls (RED to AMBER, GREEN or not eligible; AMBER to
	// GREEN or not eligible; GREEN or BLUE to not eligible), they lose
	// eligibility, consent or their register place, or an action due for
	// them (a review, a visit, a referral) is no longer due while their
	// rating does not rise (a higher rating's actions replace the lower's).
	// An action moved to another date is not counted here.
	LoseProtection Losses `json:"lose_protection"`
	// Transitions is the rating matrix, every pair that occurs.
	Transitions []Transition `json:"transitions"`
	// ByAgeBand and ByRating break the people down by age band (AgeBands)
	// and by their rating of record under the old bundle ("not eligible"
	// for none).
	ByAgeBand []Group `json:"by_age_band"`
	ByRating  []Group `json:"by_rating_of_record"`
	// Changes lists every change found: those that take protection away
	// first, then the rest; within each, rating transitions, then
	// eligibility, register places, consent and actions.
	Changes []Change `json:"changes"`
	// Replay, for a replayed decision log (RunReplay), is how many of its
	// decisions the old bundle reproduces.
	Replay *ReplayCheck `json:"replay,omitempty"`
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

// notEligible is how the report names the rating of someone without one:
// only a person who is not eligible has no rating.
const notEligible = "not eligible"

// ratingName is a rating as the report prints it.
func ratingName(r dsr.Rating) string {
	if r == dsr.Unrated {
		return notEligible
	}
	return r.String()
}

var ratingOrder = []string{notEligible, "green", "amber", "red", "blue"}

// ratingIndex is r's place in ratingOrder.
func ratingIndex(r dsr.Rating) int {
	switch r {
	case dsr.Green:
		return 1
	case dsr.Amber:
		return 2
	case dsr.Red:
		return 3
	case dsr.Blue:
		return 4
	}
	return 0
}

// ratingFalls reports whether a suggested rating going from a to b takes
// protection away: a lower community rating, or none at all.
func ratingFalls(a, b dsr.Rating) bool {
	if a == b || a == dsr.Unrated {
		return false
	}
	if b == dsr.Unrated {
		return true
	}
	return a != dsr.Blue && b != dsr.Blue && b.Severity() < a.Severity()
}

type ruleAgg struct {
	count int
	at    int // the index of the case reason is from
	// reason is the rule's finding in words, the lowest-numbered case's.
	reason string
}

type bucket struct {
	kind, what string
	loses      bool
	count      int
	rules      map[string]*ruleAgg
	examples   []Example // sorted by index, at most k
}

// groupCount is a Group's counts.
type groupCount struct{ people, changed, lose, gain int }

// tally is one worker's counts.
type tally struct {
	k        int
	matrix   [5][5]int
	buckets  map[[2]string]*bucket // by kind and what
	assessed int
	changed  int
	errCount int
	errs     []CaseError
	byAge    [5]groupCount
	byRating [5]groupCount
	lose     int
	losses   []Example // sorted by index, at most k
	// asOf is the cases' shared date; mixed when they differ.
	asOf  calendar.Date
	mixed bool
}

func newTally(k int) *tally {
	return &tally{k: k, buckets: map[[2]string]*bucket{}}
}

// exampleOrder orders examples by case, then (one person can show a
// change twice: two actions of a kind moved) by what changed, a total
// order, so that the lists kept do not depend on which worker saw whom.
func exampleOrder(x, y Example) int {
	return cmp.Or(cmp.Compare(x.Index, y.Index), strings.Compare(x.Old, y.Old), strings.Compare(x.New, y.New))
}

// insertExample puts ex into the sorted list xs, keeping the k first.
func insertExample(xs []Example, ex Example, k int) []Example {
	if len(xs) >= k && exampleOrder(ex, xs[len(xs)-1]) > 0 {
		return xs
	}
	i, _ := slices.BinarySearchFunc(xs, ex, exampleOrder)
	xs = slices.Insert(xs, i, ex)
	if len(xs) > k {
		xs = xs[:k]
	}
	return xs
}

func (t *tally) add(kind, what string, loses bool, ex Example, reasons []dsr.Reason) {
	key := [2]string{kind, what}
	b := t.buckets[key]
	if b == nil {
		b = &bucket{kind: kind, what: what, rules: map[string]*ruleAgg{}}
		t.buckets[key] = b
	}
	b.count++
	b.loses = b.loses || loses
	for _, r := range reasons {
		ra := b.rules[r.Rule]
		if ra == nil {
			ra = &ruleAgg{at: ex.Index, reason: r.Message}
			b.rules[r.Rule] = ra
		} else if ex.Index < ra.at {
			ra.at, ra.reason = ex.Index, r.Message
		}
		ra.count++
	}
	if len(b.examples) < t.k || exampleOrder(ex, b.examples[len(b.examples)-1]) < 0 {
		ex.Rules = ruleIDs(reasons)
		ex.Reasons = reasons
		b.examples = insertExample(b.examples, ex, t.k)
	}
}

func ruleIDs(rs []dsr.Reason) []string {
	ids := make([]string, len(rs))
	for i, r := range rs {
		ids[i] = r.Rule
	}
	return ids
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
	for i := range t.matrix {
		for j := range t.matrix[i] {
			t.matrix[i][j] += o.matrix[i][j]
		}
	}
	for i := range t.byAge {
		t.byAge[i].add(o.byAge[i])
		t.byRating[i].add(o.byRating[i])
	}
	t.lose += o.lose
	for _, ex := range o.losses {
		t.losses = insertExample(t.losses, ex, t.k)
	}
	t.seeDate(o.asOf)
	t.mixed = t.mixed || o.mixed
	for key, ob := range o.buckets {
		b := t.buckets[key]
		if b == nil {
			t.buckets[key] = ob
			continue
		}
		b.count += ob.count
		b.loses = b.loses || ob.loses
		for r, oa := range ob.rules {
			ra := b.rules[r]
			if ra == nil {
				b.rules[r] = oa
				continue
			}
			ra.count += oa.count
			if oa.at < ra.at {
				ra.at, ra.reason = oa.at, oa.reason
			}
		}
		for _, ex := range ob.examples {
			b.examples = insertExample(b.examples, ex, t.k)
		}
	}
	t.errCount += o.errCount
	t.errs = append(t.errs, o.errs...)
	slices.SortFunc(t.errs, func(x, y CaseError) int { return cmp.Compare(x.Index, y.Index) })
	if len(t.errs) > t.k {
		t.errs = t.errs[:t.k]
	}
}

func (g *groupCount) add(o groupCount) {
	g.people += o.people
	g.changed += o.changed
	g.lose += o.lose
	g.gain += o.gain
}

// seeDate notes a case's as_of (zero: none seen).
func (t *tally) seeDate(d calendar.Date) {
	switch {
	case d.IsZero():
	case t.asOf.IsZero():
		t.asOf = d
	case t.asOf != d:
		t.mixed = true
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
		Old: old.Policy(), New: new.Policy(), Bundles: compareBundles(old, new),
		Cases: n, Assessed: all.assessed, Changed: all.changed,
		LoseProtection: Losses{People: all.lose, Examples: all.losses},
		ErrorCount:     all.errCount, Errors: all.errs, Workers: workers,
	}
	if !all.mixed && !all.asOf.IsZero() {
		rep.AsOf = all.asOf.String()
	}
	if rep.Errors == nil {
		rep.Errors = []CaseError{}
	}
	if rep.LoseProtection.Examples == nil {
		rep.LoseProtection.Examples = []Example{}
	}
	for i, from := range ratingOrder {
		for j, to := range ratingOrder {
			if c := all.matrix[i][j]; c > 0 {
				rep.Transitions = append(rep.Transitions, Transition{From: from, To: to, Count: c})
			}
		}
	}
	for i, name := range AgeBands {
		g := all.byAge[i]
		rep.ByAgeBand = append(rep.ByAgeBand, Group{name, g.people, g.changed, g.lose, g.gain})
	}
	for i, name := range ratingOrder {
		g := all.byRating[i]
		rep.ByRating = append(rep.ByRating, Group{name, g.people, g.changed, g.lose, g.gain})
	}
	kindOrder := map[string]int{"rating": 0, "eligibility": 1, "register": 2, "consent": 3, "action": 4}
	lossFirst := func(b *bucket) int {
		if b.loses {
			return 0
		}
		return 1
	}
	buckets := slices.Collect(maps.Values(all.buckets))
	slices.SortFunc(buckets, func(a, b *bucket) int {
		return cmp.Or(cmp.Compare(lossFirst(a), lossFirst(b)), cmp.Compare(kindOrder[a.kind], kindOrder[b.kind]), cmp.Compare(b.count, a.count), strings.Compare(a.what, b.what))
	})
	rep.Changes = []Change{}
	for _, b := range buckets {
		ch := Change{Kind: b.kind, What: b.what, Count: b.count, LosesProtection: b.loses, Examples: b.examples}
		for r, ra := range b.rules {
			ch.Rules = append(ch.Rules, RuleCount{r, ra.count, ra.reason})
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
	diffAssessed(ctx, new, p, i, label, &a, t)
}

// diffAssessed assesses prepared case i under new and tallies how it
// differs from a, its assessment under the old bundle.
func diffAssessed(ctx context.Context, new *policies.Engine, p *policies.Prepared, i int, label string, a *dsr.Assessment, t *tally) {
	b, err := new.AssessPrepared(ctx, new.DeclaredOnly(p))
	if err != nil {
		t.addErr(CaseError{Index: i, Label: label, Error: "new bundle: " + err.Error()})
		return
	}
	t.assessed++
	c := p.Case()
	t.diff(i, label, &c, a, &b)
}

// diff tallies how assessment b of case i (c) differs from a.
func (t *tally) diff(i int, label string, c *dsr.Case, a, b *dsr.Assessment) {
	t.seeDate(c.AsOf)
	from, to := ratingName(a.Rating), ratingName(b.Rating)
	t.matrix[ratingIndex(a.Rating)][ratingIndex(b.Rating)]++
	ex := func(o, n string) Example {
		return Example{Index: i, Person: c.Person.ID, Label: label, AsOf: c.AsOf.String(), Old: o, New: n}
	}
	changed := false
	var losses, gains []string
	var lossReasons, actionReasons []dsr.Reason // the causes of the losses
	note := func(loses, gains_ bool, what string, reasons []dsr.Reason) {
		if loses {
			losses = append(losses, what)
			if strings.HasSuffix(what, " removed") {
				actionReasons = append(actionReasons, reasons...)
			} else {
				lossReasons = append(lossReasons, reasons...)
			}
		}
		if gains_ {
			gains = append(gains, what)
		}
	}
	if from != to {
		changed = true
		// A rating that comes or goes with eligibility has the
		// eligibility finding for its cause.
		var reasons []dsr.Reason
		if a.Eligible != b.Eligible {
			reasons = orAll(changedReasons(a, b, isEligibilityRule), b, isEligibilityRule)
		} else {
			reasons = orAll(changedReasons(a, b, isRatingRule), b, isRatingRule)
		}
		falls := ratingFalls(a.Rating, b.Rating)
		t.add("rating", from+"→"+to, falls, ex(from, to), reasons)
		note(falls, ratingFalls(b.Rating, a.Rating), "rating "+shout(from)+" → "+shout(to), reasons)
	}
	if a.Eligible != b.Eligible {
		changed = true
		reasons := orAll(changedReasons(a, b, isEligibilityRule), b, isEligibilityRule)
		t.add("eligibility", gainedLost(b.Eligible), !b.Eligible, ex(yesNo(a.Eligible), yesNo(b.Eligible)), reasons)
		note(!b.Eligible, b.Eligible, "eligibility "+gainedLost(b.Eligible), reasons)
	}
	if a.Consent.Valid != b.Consent.Valid {
		changed = true
		reasons := orAll(changedReasons(a, b, isConsentRule), b, isConsentRule)
		t.add("consent", gainedLost(b.Consent.Valid), !b.Consent.Valid, ex(yesNo(a.Consent.Valid), yesNo(b.Consent.Valid)), reasons)
		note(!b.Consent.Valid, b.Consent.Valid, "consent "+gainedLost(b.Consent.Valid), reasons)
	}
	if a.OnRegister != b.OnRegister {
		changed = true
		isReg := func(id string) bool { return isEligibilityRule(id) || isConsentRule(id) }
		reasons := orAll(changedReasons(a, b, isReg), b, isReg)
		t.add("register", gainedLost(b.OnRegister), !b.OnRegister, ex(yesNo(a.OnRegister), yesNo(b.OnRegister)), reasons)
		note(!b.OnRegister, b.OnRegister, "register place "+gainedLost(b.OnRegister), reasons)
	}
	rose := ratingFalls(b.Rating, a.Rating)
	if diffActions(a, b, func(kind dsr.ActionKind, what string, o, n *dsr.Action) {
		changed = true
		var r dsr.Reason
		var os, ns string
		if o != nil {
			os, r = dueString(o), dsr.Reason{Rule: o.Rule, Message: o.Reason}
		}
		if n != nil {
			ns, r = dueString(n), dsr.Reason{Rule: n.Rule, Message: n.Reason}
		}
		reasons := []dsr.Reason{r}
		// An action no longer due takes protection away, unless the
		// rating rose: the new rating's actions replace the old's.
		loses := what == "removed" && !rose
		t.add("action", string(kind)+" "+what, loses, ex(os, ns), reasons)
		note(loses, what == "added", string(kind)+" "+what, reasons)
	}) {
		changed = true
	}
	ag, rg := &t.byAge[ageBand(c.Person.AgeOn(c.AsOf))], &t.byRating[ratingIndex(a.RatingOfRecord)]
	ag.people++
	rg.people++
	if changed {
		t.changed++
		ag.changed++
		rg.changed++
	}
	if len(losses) > 0 {
		t.lose++
		ag.lose++
		rg.lose++
		if len(t.losses) < t.k || i < t.losses[len(t.losses)-1].Index { // one entry a person
			e := ex(from, to)
			// The cause of a lost rating or place; the actions' own only
			// when actions alone are lost (they follow from the rest).
			if len(lossReasons) == 0 {
				lossReasons = actionReasons
			}
			e.Losses, e.Reasons = losses, dedupReasons(lossReasons)
			e.Rules = ruleIDs(e.Reasons)
			t.losses = insertExample(t.losses, e, t.k)
		}
	} else if len(gains) > 0 {
		ag.gain++
		rg.gain++
	}
}

// shout is a rating in capitals, as the register writes them; "not
// eligible" stays as it is.
func shout(r string) string {
	if r == notEligible {
		return r
	}
	return strings.ToUpper(r)
}

// dedupReasons keeps the first reason of each rule, sorted by rule.
func dedupReasons(rs []dsr.Reason) []dsr.Reason {
	slices.SortStableFunc(rs, func(x, y dsr.Reason) int { return strings.Compare(x.Rule, y.Rule) })
	return slices.CompactFunc(rs, func(x, y dsr.Reason) bool { return x.Rule == y.Rule })
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

// changedReasons lists the reasons (of rules matching keep) that one
// assessment has and the other lacks, compared on rule and message: the
// findings that changed, one a rule (the new bundle's words where it has
// them), sorted by rule.
func changedReasons(a, b *dsr.Assessment, keep func(string) bool) []dsr.Reason {
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
	var out []dsr.Reason
	for r, n := range count {
		if n != 0 {
			out = append(out, r)
		}
	}
	// Per rule: the new bundle's finding (count < 0) before the old's,
	// then by message, so the choice does not depend on map order.
	slices.SortFunc(out, func(x, y dsr.Reason) int {
		return cmp.Or(strings.Compare(x.Rule, y.Rule), cmp.Compare(count[x], count[y]), strings.Compare(x.Message, y.Message))
	})
	return slices.CompactFunc(out, func(x, y dsr.Reason) bool { return x.Rule == y.Rule })
}

// orAll falls back to every reason of b matching keep (one a rule) when no
// reason changed.
func orAll(rs []dsr.Reason, b *dsr.Assessment, keep func(string) bool) []dsr.Reason {
	if len(rs) > 0 {
		return dedupReasons(rs)
	}
	for _, r := range slices.Concat(b.Reasons, b.Consent.Reasons) {
		if keep(r.Rule) {
			rs = append(rs, r)
		}
	}
	return dedupReasons(rs)
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
	s := fmt.Sprintf("%d cases, %d assessed under both, %d changed, %d lose protection, %d errors, in %s on %d workers",
		r.Cases, r.Assessed, r.Changed, r.LoseProtection.People, r.ErrorCount, r.Elapsed, r.Workers)
	if r.elapsed > 0 {
		s += fmt.Sprintf(" (%.0f cases/s)", float64(r.Cases)/r.elapsed.Seconds())
	}
	return s
}
