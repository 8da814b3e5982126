package policydiff_test

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/policies"
	"github.com/dsrkit/dsrkit/policies/policycheck"
	"github.com/dsrkit/dsrkit/policies/policydiff"
)

// A decision log of generated assessments replays under the bundle that
// made it with no mismatch, and a diff over its inputs gives the report a
// diff over the same cases gives; under another bundle every record is
// reported as not its own. The log holds no NHS number, postcode, local id
// or free text.
func TestDecisionLogReplays(t *testing.T) {
	ctx := context.Background()
	n := 10_000
	if testing.Short() || raceOn {
		n = 500
	}
	var buf bytes.Buffer
	log := policies.NewJSONLinesLog(&buf)
	fsys, err := policies.Bundle("national-2023-cel")
	if err != nil {
		t.Fatal(err)
	}
	logged, err := policies.Load(ctx, fsys, policies.WithDecisionLogger(log))
	if err != nil {
		t.Fatal(err)
	}
	g := policycheck.NewGenerator(policycheck.DefaultMix, 3)
	cases := make([]dsr.Case, n)
	for i := range cases {
		cases[i] = g.Case(i)
		cases[i].Person.Postcode = "ZZ99 3VZ"
		if len(cases[i].Events) > 0 {
			cases[i].Events[0].Reason = "free text about Person Synthetic"
		}
		if _, err := logged.Assess(ctx, cases[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := log.Err(); err != nil {
		t.Fatal(err)
	}
	raw := buf.String()
	for _, c := range cases[:50] {
		for _, needle := range []string{string(c.Person.NHSNumber), `"` + c.Person.ID + `"`, "ZZ99 3VZ", "Person Synthetic"} {
			if strings.Contains(raw, needle) {
				t.Fatalf("the log holds %q", needle)
			}
		}
	}
	recs, err := policies.ReadDecisionLog(strings.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != n {
		t.Fatalf("%d records, want %d", len(recs), n)
	}

	// The same bundle (a new engine, no log) reproduces every decision.
	same, err := policies.Load(ctx, fsys)
	if err != nil {
		t.Fatal(err)
	}
	mism, err := policydiff.Reproduce(ctx, same, recs)
	if err != nil {
		t.Fatal(err)
	}
	if len(mism) != 0 {
		t.Fatalf("%d mismatches under the bundle that made the log, the first: %+v", len(mism), mism[0])
	}

	// A diff over the log's inputs is the diff over the cases themselves.
	wiltshire, err := policies.Load(ctx, os.DirFS("../../examples/policies/wiltshire"))
	if err != nil {
		t.Fatal(err)
	}
	fromLog, err := policydiff.Run(ctx, same, wiltshire, policydiff.Replay{Records: recs}, policydiff.Options{})
	if err != nil {
		t.Fatal(err)
	}
	fromCases, err := policydiff.Run(ctx, same, wiltshire, policydiff.Cases{List: cases}, policydiff.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if fromLog.Changed == 0 || fromLog.Changed != fromCases.Changed || !reflect.DeepEqual(fromLog.Transitions, fromCases.Transitions) {
		t.Errorf("from the log: %d changed %v; from the cases: %d changed %v", fromLog.Changed, fromLog.Transitions, fromCases.Changed, fromCases.Transitions)
	}

	// The streamed replay (one pass: decode, check under the logged
	// bundle, re-decide under Wiltshire) gives the same check and
	// byte for byte the same report.
	rep, check, err := policydiff.RunReplay(ctx, same, wiltshire, strings.NewReader(raw), fixedClock())
	if err != nil {
		t.Fatal(err)
	}
	if check.Records != n || check.Reproduced != n || check.Mismatches != 0 || len(check.First) != 0 {
		t.Fatalf("streamed replay under the logging bundle: %+v", check)
	}
	fromLog, err = policydiff.Run(ctx, same, wiltshire, policydiff.Replay{Records: recs}, fixedClock())
	if err != nil {
		t.Fatal(err)
	}
	if rep.Replay != check {
		t.Error("the report does not hold the check")
	}
	rep.Replay = nil // the one difference: Run has no log to check
	sameBytes(t, "streamed replay", "replay of the records in memory", rep, fromLog)

	// Another bundle did not make the log: every record says so.
	if mism, err = policydiff.Reproduce(ctx, wiltshire, recs); err != nil {
		t.Fatal(err)
	}
	if len(mism) != n || !strings.Contains(mism[0].Why, "logged by national-2023-cel") {
		t.Errorf("%d mismatches under wiltshire, want %d naming the bundle that logged: %+v", len(mism), n, mism[:min(len(mism), 1)])
	}
	_, check, err = policydiff.RunReplay(ctx, wiltshire, same, strings.NewReader(raw), policydiff.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if check.Mismatches != n || check.Reproduced != 0 || len(check.First) != 100 || !reflect.DeepEqual(check.First, mism[:100]) {
		t.Errorf("streamed check under wiltshire: %d mismatches, %d reproduced, %d listed; want %d, 0 and Reproduce's first 100", check.Mismatches, check.Reproduced, len(check.First), n)
	}
}

// fixedClock is Options with a clock that does not move: the elapsed time
// is 0 and the reports are the same byte for byte.
func fixedClock() policydiff.Options {
	t0 := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	return policydiff.Options{Now: func() time.Time { return t0 }}
}

// sameBytes fails unless a and b (their worker counts aside) write the
// same text, JSON and HTML.
func sameBytes(t *testing.T, aName, bName string, a, b *policydiff.Report) {
	t.Helper()
	a.Workers, b.Workers = 0, 0
	for _, f := range []struct {
		name  string
		write func(*policydiff.Report, *bytes.Buffer) error
	}{
		{"text", func(r *policydiff.Report, w *bytes.Buffer) error { return r.WriteText(w) }},
		{"JSON", func(r *policydiff.Report, w *bytes.Buffer) error { return r.WriteJSON(w) }},
		{"HTML", func(r *policydiff.Report, w *bytes.Buffer) error { return r.WriteHTML(w) }},
	} {
		var x, y bytes.Buffer
		if err := f.write(a, &x); err != nil {
			t.Fatal(err)
		}
		if err := f.write(b, &y); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(x.Bytes(), y.Bytes()) {
			t.Errorf("%s: the %s and the %s differ:\n%s\n----\n%s", f.name, aName, bName, x.String(), y.String())
		}
	}
}

// decisionLog is a decision log of n generated assessments (seed 7) made
// under national-2023-cel, with a blank line after the first record.
func decisionLog(t testing.TB, n int) []byte {
	t.Helper()
	ctx := context.Background()
	var buf bytes.Buffer
	log := policies.NewJSONLinesLog(&buf)
	fsys, err := policies.Bundle("national-2023-cel")
	if err != nil {
		t.Fatal(err)
	}
	e, err := policies.Load(ctx, fsys, policies.WithDecisionLogger(log))
	if err != nil {
		t.Fatal(err)
	}
	g := policycheck.NewGenerator(policycheck.DefaultMix, 7)
	for i := range n {
		if _, err := e.Assess(ctx, g.Case(i)); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			buf.WriteString("\n")
		}
	}
	if err := log.Err(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// Sequential and parallel replays give byte-identical reports and the same
// check, for Run over a log in memory and for the streamed RunReplay.
func TestReplaySequentialAndParallelAreIdentical(t *testing.T) {
	ctx := context.Background()
	raw := decisionLog(t, 1500)
	old, new := engines(t, "national-2023-cel")
	var first *policydiff.Report
	var firstCheck *policydiff.ReplayCheck
	for _, w := range []int{1, 2, 3, 8} {
		opts := fixedClock()
		opts.Workers = w
		rep, check, err := policydiff.RunReplay(ctx, old, new, bytes.NewReader(raw), opts)
		if err != nil {
			t.Fatal(err)
		}
		if check.Mismatches != 0 || check.Records != 1500 || rep.Changed == 0 {
			t.Fatalf("%d workers: check %+v, %d changed", w, check, rep.Changed)
		}
		if first == nil {
			first, firstCheck = rep, check
			continue
		}
		if !reflect.DeepEqual(check, firstCheck) {
			t.Errorf("%d workers: check %+v, 1 worker: %+v", w, check, firstCheck)
		}
		sameBytes(t, "1-worker replay", fmt.Sprintf("%d-worker replay", w), first, rep)
	}
	recs, err := policies.ReadDecisionLog(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	first.Replay = nil // Run has no log to check
	for _, w := range []int{1, 4} {
		opts := fixedClock()
		opts.Workers = w
		rep, err := policydiff.Run(ctx, old, new, policydiff.Replay{Records: recs}, opts)
		if err != nil {
			t.Fatal(err)
		}
		sameBytes(t, "streamed replay", fmt.Sprintf("%d-worker run over the records", w), first, rep)
	}
}

// A bad line stops the replay with an error naming the first bad line,
// whatever the number of workers; a record logged by the old bundle that
// it decides otherwise now is a mismatch, listed in log order.
func TestReplayBadLinesAndMismatches(t *testing.T) {
	ctx := context.Background()
	raw := decisionLog(t, 600)
	old, new := engines(t, "national-2023-cel")
	lines := strings.Split(strings.TrimSuffix(string(raw), "\n"), "\n") // line 2 is blank
	bad := slices.Clone(lines)
	bad[400] = `{"time": "not a time"}`
	bad[500] = `not JSON`
	for _, w := range []int{1, 2, 5} {
		_, _, err := policydiff.RunReplay(ctx, old, new, strings.NewReader(strings.Join(bad, "\n")), policydiff.Options{Workers: w})
		var ve *dsr.ValidationError
		if !errors.As(err, &ve) || ve.Field != "line 401" {
			t.Fatalf("%d workers: error %v, want a *dsr.ValidationError naming line 401", w, err)
		}
	}
	// Decisions tampered with: the check names them, in order.
	tampered := slices.Clone(lines)
	for _, i := range []int{550, 3, 300} {
		tampered[i] = strings.Replace(tampered[i], `"eligible":`, `"eligible":!`, 1)
		tampered[i] = strings.Replace(tampered[i], `"eligible":!true`, `"eligible":false`, 1)
		tampered[i] = strings.Replace(tampered[i], `"eligible":!false`, `"eligible":true`, 1)
	}
	_, check, err := policydiff.RunReplay(ctx, old, new, strings.NewReader(strings.Join(tampered, "\n")), policydiff.Options{Workers: 3})
	if err != nil {
		t.Fatal(err)
	}
	// Records are numbered without the blank line: lines 3, 300, 550 are
	// records 2, 299, 549.
	if check.Mismatches != 3 || len(check.First) != 3 || check.First[0].Line != 2 || check.First[1].Line != 299 || check.First[2].Line != 549 {
		t.Fatalf("check %+v, want records 2, 299 and 549", check)
	}
	if !strings.HasPrefix(check.First[0].Why, "eligible ") {
		t.Errorf("why %q", check.First[0].Why)
	}
}

// BenchmarkReplay is `dsr policy diff national-2023-cel wiltshire --base
// national-2023-cel --replay LOG`: a decision log streamed once, each
// record checked under the bundle that logged it and re-decided under the
// Wiltshire overlay, both in CEL. The log has DSR_BENCH_REPLAY_N records
// (default 10,000; 1000000 for the figure in the closing note), generated
// before the timer starts and kept in DSR_BENCH_REPLAY_LOG when that names
// a file (made if missing, reused if it holds N records). It reports
// seconds per replay of the whole log and records/s.
func BenchmarkReplay(b *testing.B) {
	n := 10_000
	if v := os.Getenv("DSR_BENCH_REPLAY_N"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 1 {
			b.Fatalf("DSR_BENCH_REPLAY_N=%q: want a positive count", v)
		}
	}
	file := os.Getenv("DSR_BENCH_REPLAY_LOG")
	if file == "" {
		file = filepath.Join(b.TempDir(), "decisions.jsonl")
	}
	if !logHolds(file, n) {
		writeDecisionLog(b, file, n)
	}
	old, new := engines(b, "national-2023-cel")
	ctx := context.Background()
	// As the CLI runs it (cmd/dsr's lessGC), unless GOGC says otherwise.
	if os.Getenv("GOGC") == "" {
		defer debug.SetGCPercent(debug.SetGCPercent(1000))
	}
	var check *policydiff.ReplayCheck
	for b.Loop() {
		f, err := os.Open(file)
		if err != nil {
			b.Fatal(err)
		}
		_, check, err = policydiff.RunReplay(ctx, old, new, bufio.NewReaderSize(f, 1<<20), policydiff.Options{})
		f.Close()
		if err != nil {
			b.Fatal(err)
		}
	}
	if check.Records != n || check.Mismatches != 0 {
		b.Fatalf("check %+v, want %d records and no mismatch", check, n)
	}
	perRun := b.Elapsed().Seconds() / float64(b.N)
	b.ReportMetric(perRun, "s/replay")
	b.ReportMetric(float64(n)/perRun, "records/s")
}

// logHolds reports whether file exists with n lines.
func logHolds(file string, n int) bool {
	f, err := os.Open(file)
	if err != nil {
		return false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 1<<20), dsr.MaxInputBytes)
	lines := 0
	for sc.Scan() {
		lines++
	}
	return sc.Err() == nil && lines == n
}

// writeDecisionLog writes a decision log of n generated assessments under
// national-2023-cel to file, on every core.
func writeDecisionLog(b *testing.B, file string, n int) {
	ctx := context.Background()
	f, err := os.Create(file)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	log := policies.NewJSONLinesLog(w)
	fsys, err := policies.Bundle("national-2023-cel")
	if err != nil {
		b.Fatal(err)
	}
	e, err := policies.Load(ctx, fsys, policies.WithDecisionLogger(log))
	if err != nil {
		b.Fatal(err)
	}
	src := policydiff.Generated{Gen: policycheck.NewGenerator(policycheck.DefaultMix, 11), N: n}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				c, _, _ := src.Case(i)
				if _, err := e.Assess(ctx, c); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	if err := cmp.Or(log.Err(), w.Flush(), f.Close()); err != nil {
		b.Fatal(err)
	}
}
