package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/consent"
	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/internal/progress"
	"github.com/dsrkit/dsrkit/policies"
	"github.com/dsrkit/dsrkit/register"
	"github.com/dsrkit/dsrkit/register/memstore"
	"github.com/dsrkit/dsrkit/transfer"
)

const importUsageText = `Usage: dsr register import FILE.xlsx|FILE.csv --mapping NAME|MAP.json --db FILE
           [--dry-run] [--report report.html] [--by ID --role ROLE]

Import the people of an area's register sheet (XLSX, or CSV with commas or
semicolons) through a mapping of its columns to the register's fields:
the shipped wiltshire or nhse, or the area's own JSON (docs/transfer.md;
'dsr register import --fields' lists the fields). All or nothing: every
problem of every row is reported by sheet, row, column and heading (the
cell's value only where it identifies nobody) and, with any, nothing is
written (exit status 2); otherwise everyone is added in one transaction.
People with no consent for inclusion recorded, or none that holds, are
listed and not imported (R-CONS-1); people already on the register (by
local id or NHS number) are not added again. A new register file is
created by an import that writes, as by add.

Options:
  --mapping NAME|FILE  the mapping (required): wiltshire, nhse or a file
  --dry-run            check everything, write nothing (no register file
                       needed: without one, nobody is already on it)
  --report FILE        also write the report as an HTML page
  --json               print the report as JSON
  --fields             print the fields a mapping can name, and exit
  --db, --policy, --set, --key-file, --by, --role as for 'dsr register'
` + progressUsageText + timeoutUsageText + decisionLogUsageText

const exportUsageText = `Usage: dsr register export --mapping NAME|MAP.json [--format xlsx|csv] [-o FILE]
           [--for-sharing] [--as-of DATE] --db FILE [--by ID --role ROLE]

Write everyone on the register in the mapping's layout, which 'dsr register
import' reads back, with the suggested, agreed and of-record ratings and
the next due date added. Each person's read is audited. Without
--for-sharing it holds identifiable data: --role coordinator or admin, and
the file is created 0600. --for-sharing drops local ids, NHS numbers,
names, addresses, postcodes and free text, gives an age band for the date
of birth, and publishes its summary's counts under R-REPORT-1 (a summary
sheet in XLSX; FILE-summary.csv beside a CSV).

Options:
  --mapping NAME|FILE  the layout (required): wiltshire, nhse or a file
  --format xlsx|csv    default: from -o's extension, else csv
  -o FILE              write to FILE (default: standard output)
  --for-sharing        no identifiers; counts under R-REPORT-1
  --as-of DATE         the day of the ratings and next due (default today)
  --db, --policy, --set, --key-file, --by, --role as for 'dsr register'
` + progressUsageText + timeoutUsageText + decisionLogUsageText

const nationalUsageText = `Usage: dsr report national --month YYYY-MM --db FILE [-o FILE.csv] [--by ID --role ROLE]

Write the national return for the month as CSV, in the shape of NHS
England's Assuring Transformation collection as far as the register holds
its fields (docs/transfer.md lists each column's source and what it cannot
fill): a row ("P") for each person on the register at the month's end,
keyed by the register's pseudonym, with an age band and no identifier
(each read audited), then the month's counts ("A": measure, breakdown,
count), published under R-REPORT-1.

Options:
  --month YYYY-MM  the month (required)
  -o FILE          write to FILE (default: standard output)
  --db, --policy, --set, --key-file, --by, --role as for 'dsr register'
` + progressUsageText + timeoutUsageText + decisionLogUsageText

func importUsage(w io.Writer)   { io.WriteString(w, importUsageText) }
func exportUsage(w io.Writer)   { io.WriteString(w, exportUsageText) }
func nationalUsage(w io.Writer) { io.WriteString(w, nationalUsageText) }

// regFlags are the flags every command over a register takes.
type regFlags struct {
	db, policy, keyFile string
	params              paramFlag
	by                  register.Actor
}

func (f *regFlags) define(ctx context.Context, fset *flag.FlagSet) {
	dbFlag(fset, &f.db, "dsr.db")
	fset.StringVar(&f.policy, "policy", policies.DefaultBundle, "policy bundle")
	fset.Var(&f.params, "set", "override the bundle parameter `NAME=VALUE` (repeatable)")
	fset.StringVar(&f.keyFile, "key-file", "", "the register's key file")
	fset.StringVar(&f.by.ID, "by", "", "staff id")
	fset.StringVar(&f.by.Role, "role", "", "staff role")
	timeoutFlag(ctx, fset)
	decisionLogFlag(ctx, fset)
}

// actor fills and checks --by and --role.
func (f *regFlags) actor(stderr io.Writer, group string, usage func(io.Writer)) (int, bool) {
	if err := actorOf(&f.by); err != nil {
		if verr := checkActor(f.by); verr != nil {
			return reportInput(stderr, group, verr), false
		}
		errorf(stderr, "%s: %v", group, err)
		usage(stderr)
		return exitUsage, false
	}
	if err := f.by.Validate(); err != nil {
		return reportInput(stderr, group, err), false
	}
	if err := checkActor(f.by); err != nil {
		return reportInput(stderr, group, err), false
	}
	return 0, true
}

func runImport(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) int {
	const group = "register import"
	fset := newFlagSet(group)
	var f regFlags
	f.define(ctx, fset)
	mapName := fset.String("mapping", "", "mapping")
	dry := fset.Bool("dry-run", false, "check only")
	htmlOut := fset.String("report", "", "HTML report")
	asJSON := fset.Bool("json", false, "JSON report")
	fields := fset.Bool("fields", false, "list the fields")
	prog := addProgressFlags(fset)
	pos, err := parseInterleaved(fset, args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		importUsage(stdout)
		return exitOK
	case err != nil:
		errorf(stderr, "%s: %v", group, err)
		importUsage(stderr)
		return exitUsage
	case *fields && len(pos) == 0:
		return printFields(stdout)
	case len(pos) != 1:
		errorf(stderr, "%s: want FILE.xlsx|FILE.csv, got %d arguments", group, len(pos))
		importUsage(stderr)
		return exitUsage
	}
	if code, ok := f.actor(stderr, group, importUsage); !ok {
		return code
	}
	if *mapName == "" {
		errorf(stderr, "%s: --mapping is required (wiltshire, nhse or a file)", group)
		importUsage(stderr)
		return exitUsage
	}
	m, err := transfer.LoadMapping(*mapName)
	if err != nil {
		return reportInput(stderr, group, err)
	}
	file, err := os.Open(pos[0])
	if err != nil {
		errorf(stderr, "%s: %v", group, err)
		return exitFailure
	}
	tab, err := transfer.ReadFile(file, pos[0], m.Sheet)
	file.Close()
	if err != nil {
		errorf(stderr, "%s: %v", group, err)
		return exitUsage
	}
	created := false
	var reg *register.Register
	var store register.Store
	switch {
	case *dry && registerMissing(f.db):
		// Nothing to be already on: check against an empty register.
		_, engine, err := loadPolicy(ctx, f.policy, "", f.params)
		if err != nil {
			errorf(stderr, "%s: %v", group, err)
			return exitFailure
		}
		store = memstore.New()
		reg, err = register.Open(ctx, store, engine, register.WithKeys(register.MemoryKey()), register.WithConsentPolicy(consent.National2023), register.WithClock(cliNow))
		if err != nil {
			errorf(stderr, "%s: %v", group, err)
			return exitFailure
		}
	default:
		created = registerMissing(f.db)
		reg, store, _, err = openRegister(ctx, f.db, f.policy, f.params, f.keyFile, stderr, register.WithClock(cliNow))
		if err != nil {
			errorf(stderr, "%s: %v", group, err)
			if created {
				removeRegister(f.db)
			}
			return exitFailure
		}
	}
	bar := prog.start(stderr, group, "rows", len(tab.Rows))
	rep, err := transfer.Import(ctx, reg, tab, m, transfer.Options{By: f.by, DryRun: *dry, Progress: progressTo(bar)})
	bar.Finish()
	store.Close()
	if created && (err != nil || !rep.Written) {
		removeRegister(f.db)
		created = false
	}
	if rep != nil {
		if *asJSON {
			writeJSON(stdout, rep)
		} else {
			rep.WriteText(stdout)
		}
		if *htmlOut != "" {
			var b bytes.Buffer
			rep.WriteHTML(&b)
			if werr := os.WriteFile(*htmlOut, b.Bytes(), 0o600); werr != nil {
				errorf(stderr, "%s: %v", group, werr)
				return exitFailure
			}
		}
	}
	switch {
	case errors.Is(err, transfer.ErrRejected):
		errorf(stderr, "%s: %s: nothing imported", group, rep.ProblemCount())
		return exitUsage
	case err != nil:
		return reportInput(stderr, group, err)
	}
	if created {
		errorf(stderr, "%s: created the register %s", group, f.db)
	}
	return exitOK
}

func printFields(w io.Writer) int {
	for _, fd := range transfer.Fields() {
		shown := "withheld in reports"
		if fd.Shown {
			shown = "shown in reports"
		}
		fmt.Fprintf(w, "%-36s %-10s %s; %s", fd.Name, fd.Kind, fd.About, shown)
		if len(fd.Vocabulary) > 0 {
			fmt.Fprintf(w, " (%s)", strings.Join(fd.Vocabulary, ", "))
		}
		fmt.Fprintln(w)
	}
	return exitOK
}

// writeOut writes b to path (0600: it may hold identifiable data), or to
// stdout when path is "".
func writeOut(stdout io.Writer, path string, b []byte) error {
	if path == "" {
		_, err := stdout.Write(b)
		return err
	}
	return os.WriteFile(path, b, 0o600)
}

func runExport(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) int {
	const group = "register export"
	fset := newFlagSet(group)
	var f regFlags
	f.define(ctx, fset)
	mapName := fset.String("mapping", "", "mapping")
	format := fset.String("format", "", "xlsx or csv")
	out := fset.String("o", "", "output file")
	sharing := fset.Bool("for-sharing", false, "no identifiers")
	asOfFlag := fset.String("as-of", "", "date")
	prog := addProgressFlags(fset)
	_, code, ok := parseCommand(fset, args, exportUsage, stdout, stderr, 0, "")
	if !ok {
		return code
	}
	if code, ok := f.actor(stderr, group, exportUsage); !ok {
		return code
	}
	if *format == "" {
		*format = "csv"
		if strings.EqualFold(filepath.Ext(*out), ".xlsx") {
			*format = "xlsx"
		}
	}
	var asOf calendar.Date
	var err error
	switch {
	case *mapName == "":
		err = &dsr.ValidationError{Field: "--mapping", Problem: "required: wiltshire, nhse or a mapping file"}
	case *format != "xlsx" && *format != "csv":
		err = &dsr.ValidationError{Field: "--format", Problem: fmt.Sprintf("%q: want xlsx or csv", *format)}
	case !*sharing && !mayReadNames(f.by.Role):
		err = &dsr.ValidationError{Field: "--role", Problem: "an export with identifiers is for a coordinator or an admin; use --for-sharing"}
	case *asOfFlag != "":
		if asOf, err = calendar.ParseDate(*asOfFlag); err != nil {
			err = &dsr.ValidationError{Field: "--as-of", Problem: fmt.Sprintf("%q is not a date: want YYYY-MM-DD", *asOfFlag)}
		}
	}
	if err != nil {
		return reportInput(stderr, group, err)
	}
	m, err := transfer.LoadMapping(*mapName)
	if err != nil {
		return reportInput(stderr, group, err)
	}
	reg, store, code, ok := openExisting(ctx, group, f.db, f.policy, f.params, f.keyFile, stderr)
	if !ok {
		return code
	}
	defer store.Close()
	bar := prog.start(stderr, group, "people", 0)
	ex, err := transfer.Export(ctx, reg, m, transfer.ExportOptions{By: f.by, AsOf: asOf, ForSharing: *sharing, Progress: progressTo(bar)})
	bar.Finish()
	if err != nil {
		return reportInput(stderr, group, err)
	}
	var b bytes.Buffer
	if *format == "xlsx" {
		err = ex.WriteXLSX(&b)
	} else {
		err = ex.WriteCSV(&b)
	}
	if err == nil {
		err = writeOut(stdout, *out, b.Bytes())
	}
	if err == nil && *sharing && *format == "csv" {
		if *out == "" {
			errorf(stderr, "%s: the summary of counts is written beside the CSV: give -o FILE", group)
		} else {
			var s bytes.Buffer
			ex.WriteSummaryCSV(&s)
			err = writeOut(stdout, strings.TrimSuffix(*out, filepath.Ext(*out))+"-summary.csv", s.Bytes())
		}
	}
	if err != nil {
		errorf(stderr, "%s: %v", group, err)
		return exitFailure
	}
	if *out != "" {
		what := "with identifiers"
		if *sharing {
			what = "for sharing"
		}
		fmt.Fprintf(stdout, "exported %d people %s to %s\n", len(ex.Rows), what, *out)
	}
	return exitOK
}

func runNational(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) int {
	const group = "report national"
	fset := newFlagSet(group)
	var f regFlags
	f.define(ctx, fset)
	month := fset.String("month", "", "YYYY-MM")
	out := fset.String("o", "", "output file")
	prog := addProgressFlags(fset)
	_, code, ok := parseCommand(fset, args, nationalUsage, stdout, stderr, 0, "")
	if !ok {
		return code
	}
	if code, ok := f.actor(stderr, group, nationalUsage); !ok {
		return code
	}
	start, end, err := transfer.ParseMonth(*month)
	if err != nil {
		return reportInput(stderr, group, err)
	}
	reg, store, code, ok := openExisting(ctx, group, f.db, f.policy, f.params, f.keyFile, stderr)
	if !ok {
		return code
	}
	defer store.Close()
	bar := prog.start(stderr, group, "people", 0)
	n, err := transfer.NationalReturn(ctx, reg, start, end, f.by, progressTo(bar))
	bar.Finish()
	if err != nil {
		return reportInput(stderr, group, err)
	}
	var b bytes.Buffer
	if err := n.WriteCSV(&b); err != nil {
		errorf(stderr, "%s: %v", group, err)
		return exitFailure
	}
	if err := writeOut(stdout, *out, b.Bytes()); err != nil {
		errorf(stderr, "%s: %v", group, err)
		return exitFailure
	}
	if *out != "" {
		fmt.Fprintf(stdout, "national return for %s to %s: %d people, %d counts, to %s\n", start, end, len(n.People), len(n.Aggregates), *out)
	}
	return exitOK
}

// progressTo adapts a reporter to transfer's progress callbacks, which
// give the count done and the total.
func progressTo(bar *progress.Reporter) func(done, total int) {
	last := 0
	return func(done, total int) {
		bar.SetTotal(total)
		bar.Add(done - last)
		last = done
	}
}

// transferCommand is `dsr register import` or `export` (nil for another
// name): their own flags, not runRegister's.
func transferCommand(name string) *command {
	switch name {
	case "import":
		return &command{name: name, usage: importUsage, run: runImport}
	case "export":
		return &command{name: name, usage: exportUsage, run: runExport}
	}
	return nil
}
