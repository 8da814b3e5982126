package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"

	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/internal/pdf"
	"github.com/dsrkit/dsrkit/policies"
	"github.com/dsrkit/dsrkit/register"
	"github.com/dsrkit/dsrkit/report"
)

const reportUsageText = `Usage: dsr report board --quarter YYYYQN [options]
       dsr report meeting-pack --date DATE [--names] [options]
       dsr report national --month YYYY-MM [-o FILE.csv] (dsr report national -h)

Write a report of the register to a file, for people without the service:

  board         the quarterly report to the joint commissioning board
                (R-REPORT-2): people by rating of record at the quarter's
                end and their movement during it, admissions and
                discharges, length of stay, C(E)TRs held on time, Blue
                Light meetings and outcomes, consent refused and
                withdrawn, requests to join with the time to decision.
                Every count is published under R-REPORT-1: 1 to 4 is *,
                others are rounded to the nearest 5, totals are sums of the
                published figures. For the quarter in progress the figures
                are as of today.
  meeting-pack  the register group's pack for the meeting on DATE: everyone
                with something due by then, their rating of record and the
                suggestion, what changed since their last review, open and
                overdue items; a printed page a person. Exact figures (the
                team's own). Each history read is audited, with the meeting
                as the reason; --names shows names (coordinator or admin,
                each read audited).

Options:
  -o FILE            write to FILE (created 0600); the format follows its
                     extension: .html, .pdf or .json. Default: HTML on
                     standard output
  --format F         html, pdf or json, whatever the extension
  --quarter YYYYQN   the board report's quarter, such as 2026Q3
  --area NAME        the area named in the board report's title
  --date DATE        the meeting pack's meeting date (YYYY-MM-DD)
  --names            the meeting pack shows names
  --chromium PATH    the browser that prints a PDF (default: DSR_CHROMIUM,
                     else chromium, chromium-browser or google-chrome on
                     PATH; on Debian: apt-get install chromium)
  --db FILE|URL      the register: a SQLite file (default dsr.db), or a
                     PostgreSQL database postgres://… (or DSR_DATABASE_URL)
  --key-file FILE    the register's key file (or DSR_KEY_FILE, DSR_PASSPHRASE)
  --by ID --role ROLE
                     who runs the report (or DSR_BY and DSR_ROLE)
  --policy NAME|DIR  embedded policy bundle or bundle directory (default %s)
  --set NAME=VALUE   override a bundle parameter (repeatable)
` + progressUsageText + timeoutUsageText + decisionLogUsageText

// boardAssessStart is report.BoardOptions.AssessStart for the board
// command: false (rate the quarter's start, do not assess it) unless
// --decision-log is given; the benchmark sets it to measure both ways
// side by side.
var boardAssessStart = false

// boardGCPercent is the garbage collector's target (debug.SetGCPercent)
// while the board command builds the board, unless GOGC is set; 0 leaves
// the runtime's. The pass over the register allocates about 30 KB an
// assessment with the Rego bundle over a live heap of some 15 MB: at the
// default 100 the collector runs every few hundred people and marking
// takes a fifth of the command's CPU; at 400 it runs a quarter as often,
// for a heap up to about 5 times the live one (BenchmarkReportBoard10000),
// and a soft memory limit (boardMemoryLimit, unless GOMEMLIMIT is set)
// makes it collect harder before the heap grows past that. The board is
// the same either way.
var boardGCPercent = 400

// boardMemoryLimit is the soft memory limit (debug.SetMemoryLimit) that
// goes with boardGCPercent.
const boardMemoryLimit = 512 << 20

// tuneGC sets the collector for building a board (boardGCPercent) and
// returns what puts it back.
func tuneGC() (restore func()) {
	if boardGCPercent == 0 || os.Getenv("GOGC") != "" {
		return func() {}
	}
	gc := debug.SetGCPercent(boardGCPercent)
	limit := int64(-1)
	if os.Getenv("GOMEMLIMIT") == "" {
		limit = debug.SetMemoryLimit(boardMemoryLimit)
	}
	return func() {
		debug.SetGCPercent(gc)
		if limit >= 0 {
			debug.SetMemoryLimit(limit)
		}
	}
}

func reportUsage(w io.Writer) { fmt.Fprintf(w, reportUsageText, policies.DefaultBundle) }

func reportCommands() []*command {
	return []*command{
		{name: "board", usage: reportUsage, run: noStdin(func(ctx context.Context, args []string, stdout, stderr io.Writer) int {
			return runReport(ctx, "board", args, stdout, stderr)
		})},
		{name: "meeting-pack", usage: reportUsage, run: noStdin(func(ctx context.Context, args []string, stdout, stderr io.Writer) int {
			return runReport(ctx, "meeting-pack", args, stdout, stderr)
		})},
		{name: "national", usage: nationalUsage, run: runNational}, // transfer.go
	}
}

// reportFormat is the format of -o FILE: --format, else the extension.
func reportFormat(out, format string) (string, error) {
	if format == "" {
		switch strings.ToLower(filepath.Ext(out)) {
		case ".pdf":
			format = "pdf"
		case ".json":
			format = "json"
		default:
			format = "html"
		}
	}
	switch format {
	case "html", "pdf", "json":
		return format, nil
	}
	return "", &dsr.ValidationError{Field: "--format", Problem: fmt.Sprintf("%q is not html, pdf or json", format)}
}

// runReport is `dsr report board|meeting-pack`. It checks the flags, and
// for a PDF that a browser is there, before it opens the register.
func runReport(ctx context.Context, cmd string, args []string, stdout, stderr io.Writer) int {
	group := "report " + cmd
	fset := newFlagSet(group)
	var db, policy, keyFile, out, format, quarter, date, area, chromium string
	var params paramFlag
	var names bool
	var by register.Actor
	dbFlag(fset, &db, "dsr.db")
	fset.StringVar(&policy, "policy", policies.DefaultBundle, "policy bundle")
	fset.Var(&params, "set", "override the bundle parameter `NAME=VALUE` (repeatable)")
	fset.StringVar(&keyFile, "key-file", "", "the register's key file")
	timeoutFlag(ctx, fset)
	decisionLogFlag(ctx, fset)
	fset.StringVar(&by.ID, "by", "", "staff id")
	fset.StringVar(&by.Role, "role", "", "staff role")
	fset.StringVar(&out, "o", "-", "output file")
	fset.StringVar(&format, "format", "", "html, pdf or json")
	fset.StringVar(&chromium, "chromium", "", "the browser that prints a PDF")
	prog := addProgressFlags(fset)
	if cmd == "board" {
		fset.StringVar(&quarter, "quarter", "", "the quarter, such as 2026Q3")
		fset.StringVar(&area, "area", "", "the area named in the title")
	} else {
		fset.StringVar(&date, "date", "", "the meeting date")
		fset.BoolVar(&names, "names", false, "show names (coordinator or admin; audited)")
	}
	if _, code, ok := parseCommand(fset, args, reportUsage, stdout, stderr, 0, ""); !ok {
		return code
	}
	if err := actorOf(&by); err != nil {
		if verr := checkActor(by); verr != nil {
			return reportInput(stderr, group, verr)
		}
		errorf(stderr, "%s: %v", group, err)
		reportUsage(stderr)
		return exitUsage
	}
	var (
		q   report.Quarter
		day calendar.Date
	)
	format, err := reportFormat(out, format)
	if err == nil && cmd == "board" {
		if quarter == "" {
			err = &dsr.ValidationError{Field: "--quarter", Problem: "required: the quarter, such as 2026Q3"}
		} else if q, err = report.ParseQuarter(quarter); err != nil {
			err = &dsr.ValidationError{Field: "--quarter", Problem: fmt.Sprintf("%q is not a quarter such as 2026Q3", quarter)}
		}
	}
	if err == nil && cmd == "meeting-pack" {
		if day, err = calendar.ParseDate(date); err != nil {
			err = &dsr.ValidationError{Field: "--date", Problem: fmt.Sprintf("%q is not a date: want YYYY-MM-DD (the meeting's)", date)}
		} else if names && !mayReadNames(by.Role) {
			err = &dsr.ValidationError{Field: "--names", Problem: fmt.Sprintf("the role %s may not see names: coordinator or admin", by.Role)}
		}
	}
	if err == nil && format == "pdf" {
		if chromium, err = pdf.FindChromium(chromium); err != nil {
			errorf(stderr, "%s: %v", group, err)
			return exitFailure
		}
	}
	if err != nil {
		return reportInput(stderr, group, err)
	}
	reg, store, code, ok := openExisting(ctx, group, db, policy, params, keyFile, stderr)
	if !ok {
		return code
	}
	defer store.Close()

	var page bytes.Buffer
	var model any
	switch cmd {
	case "board":
		restore := tuneGC()
		// With --decision-log every decision the board reads is an
		// assessment, logged, as it was: a rating alone is not logged.
		assessStart := boardAssessStart || decisionLogOf(ctx) != nil
		total, _ := reg.CountPeople(ctx) // only the progress line's total
		bar := prog.start(stderr, "board report", "people", total)
		b, err := report.NewBoard(ctx, reg, q, report.BoardOptions{Today: calendar.DateOf(cliNow()), Area: area, AssessStart: assessStart, Progress: bar})
		bar.Finish()
		restore()
		if err != nil {
			return reportInput(stderr, group, err)
		}
		model = b
		if err := report.WriteBoardHTML(&page, b); err != nil {
			return reportInput(stderr, group, err)
		}
	default:
		bar := prog.start(stderr, "meeting pack", "people", 0)
		p, err := report.NewMeetingPack(ctx, reg, day, report.PackOptions{By: by, Names: names, Progress: bar})
		bar.Finish()
		if err != nil {
			return reportInput(stderr, group, err)
		}
		model = p
		if err := report.WriteMeetingPackHTML(&page, p, names); err != nil {
			return reportInput(stderr, group, err)
		}
	}
	var body []byte
	switch format {
	case "json":
		var b bytes.Buffer
		if err := writeJSON(&b, model); err != nil {
			return reportInput(stderr, group, err)
		}
		body = b.Bytes()
	case "pdf":
		if body, err = pdf.FromHTML(ctx, page.Bytes(), chromium); err != nil {
			errorf(stderr, "%s: %v", group, err)
			return exitFailure
		}
	default:
		body = page.Bytes()
	}
	if out == "-" {
		_, err = stdout.Write(body)
	} else {
		err = os.WriteFile(out, body, 0o600)
	}
	if err != nil {
		errorf(stderr, "%s: %v", group, err)
		return exitFailure
	}
	if out != "-" {
		fmt.Fprintf(stdout, "%s written to %s (%s)\n", cmd, out, format)
	}
	return exitOK
}
