package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"sort"
	"time"

	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/internal/progress"
	"github.com/dsrkit/dsrkit/policies"
	"github.com/dsrkit/dsrkit/policies/policycheck"
	"github.com/dsrkit/dsrkit/policies/policydiff"
	"github.com/dsrkit/dsrkit/register"
)

const policyDiffUsageText = `Usage: dsr policy diff OLD NEW [--cases DIR | --register FILE | --generate N --seed S | --replay LOG]
                       [--json] [--html FILE] [--workers N] [--base NAME] [--examples K]
                       [--quiet] [--progress-every D] [--timeout D]

Assess every case under two policy bundles (each an embedded profile name
or a bundle directory) and report who changes: people by rating transition
(AMBER→RED: 12), eligibility, consent and register places gained and lost,
actions added, removed or moved (due date changed), each with the first
people it affects and the rule ids responsible. Nothing is written to a
register.

Cases (one of):
  --cases DIR        every *.json case under DIR (scenario folders' case.json
                     included; want.json, params.json and data.json skipped)
  --register FILE    every person held in a SQLite register (as 'dsr register'
                     keeps it), as of --as-of (default today); read as DSR_BY
                     with DSR_ROLE, each read audited
  --generate N       N synthetic cases (policycheck's generator, the default
                     population mix), reproducible from --seed S (default 1)
  --replay LOG       the inputs of a decision log (--decision-log of 'dsr
                     assess', 'dsr register', 'dsr serve'): real past decisions
                     re-decided under NEW; each is first re-decided under OLD,
                     and every one OLD does not reproduce (another bundle made
                     it, or it decides otherwise now) is reported

Options:
  --json             print the report as JSON instead of tables
  --html FILE        also write a self-contained HTML report (inline SVG chart)
  --workers N        parallel workers (default: all cores, %d here)
  --base NAME        rebase both bundles onto embedded profile NAME: an overlay
                     that extends a profile NAME extends (or NAME's parent
                     itself) is evaluated over NAME instead, with the same
                     parameters. With --base national-2023-cel, OLD
                     national-2023 and NEW examples/policies/wiltshire are
                     both decided in CEL.
  --examples K       people listed for each change (default 5)
  --as-of DATE       the date register cases are assessed on (default today)
  --case I           print case I of the cases (as numbered in the report, "#I")
                     as JSON for 'dsr assess', instead of diffing
` + progressUsageText + timeoutUsageText + `
Progress goes to standard error (see --quiet). Counts are the same whatever
--workers is.

Exit status: 0 when the report was produced (whether or not anything
changed); 1 when a bundle does not load or the cases cannot be read; 2 for
a usage error.
`

func policyDiffUsage(w io.Writer) { fmt.Fprintf(w, policyDiffUsageText, runtime.GOMAXPROCS(0)) }

// runPolicyDiff is `dsr policy diff OLD NEW ...`.
func runPolicyDiff(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fset := newFlagSet("policy diff")
	casesDir := fset.String("cases", "", "case directory")
	register := fset.String("register", "", "SQLite register file")
	generate := fset.Int("generate", 0, "generated cases")
	seed := fset.Uint64("seed", 1, "seed of the generated cases")
	asJSON := fset.Bool("json", false, "print JSON")
	htmlFile := fset.String("html", "", "write an HTML report")
	workers := fset.Int("workers", 0, "parallel workers")
	base := fset.String("base", "", "rebase onto this embedded profile")
	examples := fset.Int("examples", 5, "people per change")
	asOfFlag := fset.String("as-of", "", "assessment date for register cases")
	show := fset.Int("case", -1, "print case I and exit")
	replay := fset.String("replay", "", "decision log")
	prog := addProgressFlags(fset)
	timeoutFlag(ctx, fset)
	pos, code, ok := parseCommand(fset, args, policyDiffUsage, stdout, stderr, 2, "want OLD and NEW bundles")
	if !ok {
		return code
	}
	sources := 0
	for _, set := range []bool{*casesDir != "", *register != "", *generate > 0, *replay != ""} {
		if set {
			sources++
		}
	}
	if sources != 1 || *generate < 0 || *workers < 0 {
		errorf(stderr, "policy diff: want exactly one of --cases DIR, --register FILE, --generate N (N > 0) or --replay LOG")
		policyDiffUsage(stderr)
		return exitUsage
	}

	engines := make([]*policies.Engine, 2)
	for i, name := range pos {
		var err error
		if _, engines[i], err = loadPolicy(ctx, name, *base, nil); err != nil {
			errorf(stderr, "%v", err)
			return exitFailure
		}
	}

	var src policydiff.Source
	switch {
	case *replay != "" && *show < 0:
		return replayDiff(ctx, *replay, pos[0], engines, policydiff.Options{Workers: *workers, Examples: *examples}, *asJSON, *htmlFile, prog, stdout, stderr)
	case *replay != "":
		f, err := os.Open(*replay)
		if err != nil {
			return reportInput(stderr, "policy diff", err)
		}
		recs, err := policies.ReadDecisionLog(f)
		f.Close()
		if err != nil {
			return reportInput(stderr, "policy diff", fmt.Errorf("--replay %s: %w", *replay, err))
		}
		src = policydiff.Replay{Records: recs}
	case *generate > 0:
		// The declared inputs of both bundles are drawn; each bundle
		// sees those it declares.
		mix := policycheck.DefaultMix
		mix.Inputs = slices.Clone(engines[0].Inputs())
		for _, d := range engines[1].Inputs() {
			if !slices.ContainsFunc(mix.Inputs, func(o dsr.InputDecl) bool { return o.Name == d.Name }) {
				mix.Inputs = append(mix.Inputs, d)
			}
		}
		src = policydiff.Generated{Gen: policycheck.NewGenerator(mix, *seed), N: *generate}
	case *casesDir != "":
		s, err := readCaseDir(*casesDir)
		if err != nil {
			errorf(stderr, "policy diff: %v", err)
			return exitFailure
		}
		src = s
	default:
		asOf := calendar.DateOf(time.Now())
		if *asOfFlag != "" {
			var err error
			if asOf, err = calendar.ParseDate(*asOfFlag); err != nil {
				errorf(stderr, "policy diff: --as-of: %v", err)
				return exitUsage
			}
		}
		s, err := readRegisterCases(ctx, *register, pos[0], asOf, func(n int) *progress.Reporter {
			return prog.start(stderr, "reading the register", "people", n)
		})
		if err != nil {
			errorf(stderr, "policy diff: %v", err)
			return exitFailure
		}
		src = s
	}

	defer lessGC()()
	if *show >= 0 {
		if *show >= src.Len() {
			errorf(stderr, "policy diff: --case %d: there are %d cases", *show, src.Len())
			return exitUsage
		}
		c, _, err := src.Case(*show)
		if err == nil {
			var b []byte
			if b, err = json.MarshalIndent(c, "", "  "); err == nil {
				_, err = fmt.Fprintf(stdout, "%s\n", b)
			}
		}
		if err != nil {
			errorf(stderr, "policy diff: %v", err)
			return exitFailure
		}
		return exitOK
	}
	bar := prog.start(stderr, "policy diff", "cases", src.Len())
	opts := policydiff.Options{Workers: *workers, Examples: *examples, Progress: bar}
	rep, err := policydiff.Run(ctx, engines[0], engines[1], src, opts)
	bar.Finish()
	if err != nil {
		errorf(stderr, "policy diff: %v", err)
		return exitFailure
	}
	return writeDiff(rep, nil, pos[0], *asJSON, *htmlFile, stdout, stderr)
}

// lessGC makes the collector run less often, unless GOGC says otherwise,
// and returns the undo. The live heap of a diff is small (two engines,
// per-worker counts, a few batches of a log) and the run allocates fast:
// collecting less often is ≈15-20% faster on 1,000,000 cases, for a few
// hundred MB of heap at most.
func lessGC() func() {
	if os.Getenv("GOGC") != "" {
		return func() {}
	}
	old := debug.SetGCPercent(1000)
	return func() { debug.SetGCPercent(old) }
}

// replayDiff is `policy diff OLD NEW --replay LOG`: the log streamed once,
// each record checked under OLD and re-decided under NEW.
func replayDiff(ctx context.Context, file, oldName string, engines []*policies.Engine, opts policydiff.Options, asJSON bool, htmlFile string, prog *progressFlags, stdout, stderr io.Writer) int {
	defer lessGC()()
	f, err := os.Open(file)
	if err != nil {
		return reportInput(stderr, "policy diff", err)
	}
	defer f.Close()
	total, err := countLines(f)
	if err != nil {
		return reportInput(stderr, "policy diff", fmt.Errorf("--replay %s: %w", file, err))
	}
	bar := prog.start(stderr, "policy diff", "logged decisions", total)
	opts.Progress = bar
	rep, check, err := policydiff.RunReplay(ctx, engines[0], engines[1], bufio.NewReaderSize(f, 1<<20), opts)
	bar.Finish()
	if err != nil {
		return reportInput(stderr, "policy diff", fmt.Errorf("--replay %s: %w", file, err))
	}
	return writeDiff(rep, check, oldName, asJSON, htmlFile, stdout, stderr)
}

// countLines counts the non-blank lines of f, for the progress total, and
// rewinds it.
func countLines(f *os.File) (int, error) {
	buf := make([]byte, 1<<20)
	n := 0
	prev := byte('\n')
	for {
		k, err := f.Read(buf)
		for _, c := range buf[:k] {
			if c == '\n' && prev != '\n' {
				n++
			}
			prev = c
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return 0, err
		}
	}
	if prev != '\n' {
		n++
	}
	_, err := f.Seek(0, io.SeekStart)
	return n, err
}

// writeDiff prints the report (and the check of a replayed log against
// OLD) as tables or JSON, and writes the HTML report when asked.
func writeDiff(rep *policydiff.Report, check *policydiff.ReplayCheck, oldName string, asJSON bool, htmlFile string, stdout, stderr io.Writer) int {
	var out bytes.Buffer
	if check != nil {
		// The check of the log against OLD: on standard output before the
		// tables, on standard error beside JSON.
		w := io.Writer(&out)
		if asJSON {
			w = stderr
		}
		printReplayCheck(w, oldName, check)
	}
	var err error
	if asJSON {
		err = rep.WriteJSON(&out)
	} else {
		err = rep.WriteText(&out)
	}
	if err == nil {
		_, err = stdout.Write(out.Bytes())
	}
	if err != nil {
		errorf(stderr, "policy diff: %v", err)
		return exitFailure
	}
	if htmlFile != "" {
		var h bytes.Buffer
		if err := rep.WriteHTML(&h); err != nil {
			errorf(stderr, "policy diff: %v", err)
			return exitFailure
		}
		if err := os.WriteFile(htmlFile, h.Bytes(), 0o644); err != nil {
			errorf(stderr, "policy diff: %v", err)
			return exitFailure
		}
	}
	return exitOK
}

// readCaseDir reads every case JSON under dir, in path order.
func readCaseDir(dir string) (policydiff.Cases, error) {
	var s policydiff.Cases
	var paths []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(p) != ".json" {
			return err
		}
		switch filepath.Base(p) {
		case "want.json", "params.json", "data.json":
			return nil
		}
		paths = append(paths, p)
		return nil
	})
	if err != nil {
		return s, err
	}
	sort.Strings(paths)
	for _, p := range paths {
		raw, err := os.ReadFile(p)
		if err != nil {
			return s, err
		}
		c, err := decodeCase(raw)
		if err != nil {
			return s, fmt.Errorf("%s: %w", p, err)
		}
		s.List = append(s.List, c)
		s.Labels = append(s.Labels, p)
	}
	if len(s.List) == 0 {
		return s, fmt.Errorf("no case files (*.json) under %s", dir)
	}
	return s, nil
}

// readRegisterCases rebuilds the case of every person held in the register
// (a SQLite file, or a PostgreSQL URL) as of asOf (erased people have no case and are skipped),
// with progress through startBar(people).
func readRegisterCases(ctx context.Context, file, policy string, asOf calendar.Date, startBar func(n int) *progress.Reporter) (policydiff.Cases, error) {
	var s policydiff.Cases
	if _, err := os.Stat(file); err != nil && !isDatabaseURL(file) {
		return s, err // do not create an empty register
	}
	var by register.Actor
	if err := actorOf(&by); err != nil {
		return s, fmt.Errorf("--register reads people's records: %w", err)
	}
	reg, store, _, err := openRegister(ctx, file, policy, nil, "", io.Discard)
	if err != nil {
		return s, err
	}
	defer store.Close()
	ids, err := reg.People(ctx)
	if err != nil {
		return s, err
	}
	bar := startBar(len(ids))
	defer bar.Finish()
	for _, id := range ids {
		bar.Add(1)
		c, err := reg.Case(ctx, id, asOf, by, register.Because("policy diff"))
		if errors.Is(err, register.ErrErased) {
			continue
		}
		if err != nil {
			return s, fmt.Errorf("person %s: %w", id, err)
		}
		s.List = append(s.List, c)
		s.Labels = append(s.Labels, "register:"+id)
	}
	if len(s.List) == 0 {
		return s, fmt.Errorf("%s: nobody held on the register", file)
	}
	return s, nil
}

// printReplayCheck says how many logged decisions OLD reproduces, and
// names the first that it does not.
func printReplayCheck(w io.Writer, old string, c *policydiff.ReplayCheck) {
	fmt.Fprintf(w, "Replay: %d logged decisions; %s reproduces %d, %d mismatches\n", c.Records, old, c.Reproduced, c.Mismatches)
	for i, m := range c.First {
		if i == 10 {
			fmt.Fprintf(w, "  … and %d more\n", c.Mismatches-i)
			break
		}
		fmt.Fprintf(w, "  line %d: %s\n", m.Line+1, m.Why)
	}
	fmt.Fprintln(w)
}
