package policydiff

import (
	"bufio"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/policies"
)

// Replay is a Source over a decision log's inputs (policies.DecisionRecord),
// each labelled with its person's pseudonymous key: `dsr policy diff
// --replay` re-decides real past assessments under another bundle.
type Replay struct {
	Records []policies.DecisionRecord
}

func (s Replay) Len() int { return len(s.Records) }

func (s Replay) Case(i int) (dsr.Case, string, error) {
	r := &s.Records[i]
	return r.Input, r.Person, nil
}

// Mismatch is a logged decision that the bundle it is checked against does
// not reproduce: Line is its index in the log, Why what differs.
type Mismatch struct {
	Line int    `json:"line"`
	Why  string `json:"why"`
}

// Reproduce re-decides every logged input under e and lists the records
// whose decision e does not give again: the log was made with another
// bundle (a digest other than e's), or the same bundle decided otherwise.
// The decision compared is what a person's care follows (eligibility,
// consent, on the register, the three ratings, the review type, and each
// action's kind, rule and due date), not the wording of the reasons.
// Records are re-decided in parallel (GOMAXPROCS workers); the list is in
// log order. A record that cannot be assessed is an error naming the first
// such line.
func Reproduce(ctx context.Context, e *policies.Engine, recs []policies.DecisionRecord) ([]Mismatch, error) {
	var (
		mu    sync.Mutex
		out   = []Mismatch{}
		first = -1
		ferr  error
		next  atomic.Int64
		wg    sync.WaitGroup
	)
	const chunk = 64
	for range (Options{}).workers() {
		wg.Go(func() {
			var mine []Mismatch
			for ctx.Err() == nil {
				lo := int(next.Add(chunk) - chunk)
				if lo >= len(recs) {
					break
				}
				for i := lo; i < min(lo+chunk, len(recs)); i++ {
					r := &recs[i]
					if why, skip := otherBundle(r, e); skip {
						mine = append(mine, Mismatch{i, why})
						continue
					}
					a, err := e.Assess(ctx, r.Input)
					if err != nil {
						mu.Lock()
						if first < 0 || i < first {
							first, ferr = i, fmt.Errorf("policydiff: replaying line %d: %w", i+1, err)
						}
						mu.Unlock()
						break
					}
					if why := decisionDiff(&r.Decision, policies.DecisionOf(&a)); why != "" {
						mine = append(mine, Mismatch{i, why})
					}
				}
			}
			mu.Lock()
			out = append(out, mine...)
			mu.Unlock()
		})
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if ferr != nil {
		return nil, ferr
	}
	slices.SortFunc(out, func(x, y Mismatch) int { return cmp.Compare(x.Line, y.Line) })
	return out, nil
}

// otherBundle reports whether r was logged by a bundle other than e's, and
// says so.
func otherBundle(r *policies.DecisionRecord, e *policies.Engine) (string, bool) {
	ref := e.Policy()
	if r.Policy.Digest == ref.Digest {
		return "", false
	}
	return fmt.Sprintf("logged by %s %s (%s), not %s", r.Policy.Name, r.Policy.Version, r.Policy.Digest, ref.Digest), true
}

// ReplayCheck is how many logged decisions the old bundle reproduces, with
// the first mismatches in log order.
type ReplayCheck struct {
	Records    int        `json:"records"`
	Reproduced int        `json:"reproduced"`
	Mismatches int        `json:"mismatches"`
	First      []Mismatch `json:"first"`
}

// replayKeep is how many mismatches a ReplayCheck lists.
const replayKeep = 100

// RunReplay is Run over the inputs of a decision log read from log (JSON
// Lines of policies.DecisionRecord, as policies.ReadDecisionLog reads
// them), combined with Reproduce under old, in one streamed pass: each
// record is decoded, validated and its facts derived once, decided under
// old (its decision compared with the logged one) and under new. The log is
// read as it goes, a few batches of lines at a time, so a log of millions
// of decisions is never held in memory. The report and the check are those
// of ReadDecisionLog, Reproduce and Run over the same records, whatever the
// number of workers; the check lists the first 100 mismatches, and the
// report holds it too (Report.Replay).
//
// A line that is not a decision record, or whose input is invalid, is an
// error naming the first such line (as ReadDecisionLog's); so is a record
// logged by old that old cannot assess now (as Reproduce's).
func RunReplay(ctx context.Context, old, new *policies.Engine, log io.Reader, opts Options) (*Report, *ReplayCheck, error) {
	start := opts.now()
	workers, k := opts.workers(), opts.examples()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	batches := make(chan *lineBatch, 2*workers)
	var n int // records read, set when the reader is done
	var readErr error
	var fail firstError
	go func() {
		defer close(batches)
		n, readErr = readBatches(ctx, log, batches, &fail)
	}()

	tallies := make([]*tally, workers)
	checks := make([]*mismatches, workers)
	var wg sync.WaitGroup
	for w := range workers {
		t, m := newTally(k), &mismatches{}
		tallies[w], checks[w] = t, m
		wg.Go(func() {
			var rec policies.DecisionRecord
			for b := range batches {
				if ctx.Err() != nil {
					continue // drain
				}
				for j := range b.ends {
					i := b.first + j
					if fail.before(i) {
						break // an earlier line failed: nothing later counts
					}
					rec = policies.DecisionRecord{}
					if err := json.Unmarshal(b.line(j), &rec); err != nil {
						fail.set(i, &dsr.ValidationError{Field: fmt.Sprintf("line %d", b.lineNo[j]), Problem: "not a decision record: " + err.Error()})
						break
					}
					replayOne(ctx, old, new, b.lineNo[j], i, &rec, t, m, &fail)
				}
				if opts.Progress != nil {
					opts.Progress.Add(len(b.ends))
				}
			}
		})
	}
	wg.Wait()
	if err := fail.get(); err != nil {
		return nil, nil, err
	}
	if readErr != nil {
		return nil, nil, readErr
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	check := &ReplayCheck{Records: n, First: []Mismatch{}}
	for _, m := range checks {
		check.Mismatches += m.count
		check.First = append(check.First, m.first...)
	}
	slices.SortFunc(check.First, func(x, y Mismatch) int { return cmp.Compare(x.Line, y.Line) })
	check.First = check.First[:min(len(check.First), replayKeep)]
	check.Reproduced = n - check.Mismatches
	rep := report(old, new, n, workers, k, tallies, opts.now().Sub(start))
	rep.Replay = check
	return rep, check, nil
}

// replayOne takes one logged record (record i, on line lineNo of the
// log), checks it reproduces under old and tallies its diff under new.
func replayOne(ctx context.Context, old, new *policies.Engine, lineNo, i int, rec *policies.DecisionRecord, t *tally, m *mismatches, fail *firstError) {
	p, err := policies.Prepare(rec.Input)
	if err != nil {
		fail.set(i, fmt.Errorf("line %d: input: %w", lineNo, err))
		return
	}
	label := rec.Person
	var a dsr.Assessment
	if why, other := otherBundle(rec, old); other {
		m.add(Mismatch{i, why})
		// Each bundle sees the declared inputs it knows (R-INPUT-1).
		if a, err = old.AssessPrepared(ctx, old.DeclaredOnly(p)); err != nil {
			t.addErr(CaseError{Index: i, Label: label, Error: "old bundle: " + err.Error()})
			return
		}
	} else {
		// Logged by old itself: decided exactly as Reproduce decides it.
		if a, err = old.AssessPrepared(ctx, p); err != nil {
			fail.set(i, fmt.Errorf("policydiff: replaying line %d: %w", i+1, err))
			return
		}
		if why := decisionDiff(&rec.Decision, policies.DecisionOf(&a)); why != "" {
			m.add(Mismatch{i, why})
		}
	}
	diffAssessed(ctx, new, p, i, label, &a, t)
}

// lineBatch is consecutive non-blank lines of a log, record first onward:
// line j is buf[ends[j-1]:ends[j]], on line lineNo[j] of the file.
type lineBatch struct {
	first  int
	buf    []byte
	ends   []int
	lineNo []int
}

func (b *lineBatch) line(j int) []byte {
	start := 0
	if j > 0 {
		start = b.ends[j-1]
	}
	return b.buf[start:b.ends[j]]
}

// batchLines is how many records a batch carries.
const batchLines = 128

// readBatches reads log line by line into batches of batchLines records,
// skipping blank lines, and returns how many records it read.
func readBatches(ctx context.Context, log io.Reader, out chan<- *lineBatch, fail *firstError) (int, error) {
	sc := bufio.NewScanner(log)
	sc.Buffer(make([]byte, 0, 64<<10), dsr.MaxInputBytes)
	n, lineNo := 0, 0
	b := &lineBatch{}
	send := func() bool {
		select {
		case out <- b:
		case <-ctx.Done():
			return false
		}
		// The next batch is about the size of this one: allocate once.
		b = &lineBatch{first: n, buf: make([]byte, 0, len(b.buf)+len(b.buf)/8), ends: make([]int, 0, batchLines), lineNo: make([]int, 0, batchLines)}
		return true
	}
	for sc.Scan() {
		lineNo++
		line := sc.Bytes()
		if len(line) == 0 {
			continue
		}
		if fail.before(n) {
			break
		}
		b.buf = append(b.buf, line...)
		b.ends = append(b.ends, len(b.buf))
		b.lineNo = append(b.lineNo, lineNo)
		n++
		if len(b.ends) == batchLines && !send() {
			return n, ctx.Err()
		}
	}
	if len(b.ends) > 0 && !send() {
		return n, ctx.Err()
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return n, &dsr.ValidationError{Field: fmt.Sprintf("line %d", lineNo+1), Problem: fmt.Sprintf("longer than %d bytes", dsr.MaxInputBytes)}
		}
		return n, err
	}
	return n, nil
}

// firstError keeps the error of the lowest-numbered record that failed,
// so that the error reported is the same whatever the workers' order.
type firstError struct {
	at  atomic.Int64 // 1 + index of the first failure; 0 for none
	mu  sync.Mutex
	err error
}

func (f *firstError) set(i int, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if at := f.at.Load(); at == 0 || int64(i)+1 < at {
		f.at.Store(int64(i) + 1)
		f.err = err
	}
}

// before reports whether a record before i failed.
func (f *firstError) before(i int) bool {
	at := f.at.Load()
	return at != 0 && int(at-1) < i
}

func (f *firstError) get() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.err
}

// mismatches is one worker's count of mismatches and its first few.
type mismatches struct {
	count int
	first []Mismatch // sorted by line, at most replayKeep
}

func (m *mismatches) add(x Mismatch) {
	m.count++
	if len(m.first) == replayKeep && x.Line > m.first[len(m.first)-1].Line {
		return
	}
	i, _ := slices.BinarySearchFunc(m.first, x.Line, func(e Mismatch, line int) int { return cmp.Compare(e.Line, line) })
	m.first = slices.Insert(m.first, i, x)
	if len(m.first) > replayKeep {
		m.first = m.first[:replayKeep]
	}
}

// decisionDiff says how two decisions differ ("" when alike).
func decisionDiff(logged *policies.Decision, now policies.Decision) string {
	switch {
	case logged.Eligible != now.Eligible:
		return fmt.Sprintf("eligible %v, now %v", logged.Eligible, now.Eligible)
	case logged.ConsentValid != now.ConsentValid:
		return fmt.Sprintf("consent valid %v, now %v", logged.ConsentValid, now.ConsentValid)
	case logged.OnRegister != now.OnRegister:
		return fmt.Sprintf("on the register %v, now %v", logged.OnRegister, now.OnRegister)
	case logged.Rating != now.Rating, logged.AgreedRating != now.AgreedRating, logged.RatingOfRecord != now.RatingOfRecord:
		return fmt.Sprintf("ratings %s/%s/%s, now %s/%s/%s", logged.Rating, logged.AgreedRating, logged.RatingOfRecord, now.Rating, now.AgreedRating, now.RatingOfRecord)
	case logged.ReviewType != now.ReviewType:
		return fmt.Sprintf("review type %s, now %s", logged.ReviewType, now.ReviewType)
	case !slices.Equal(logged.Actions, now.Actions):
		return fmt.Sprintf("actions %v, now %v", logged.Actions, now.Actions)
	case !slices.Equal(logged.Rules, now.Rules):
		return fmt.Sprintf("rules %v, now %v", logged.Rules, now.Rules)
	}
	return ""
}
