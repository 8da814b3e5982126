package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// runFunc runs one command on its arguments (those after its name).
type runFunc func(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int

// command is one command of dsr: a leaf that runs, or a group of
// subcommands (register, review, bluelight, policy). run dispatches through
// the table commands, and the tests walk the same table, so a command added
// here is tested for -h and for refusing unknown flags.
//
// Every leaf parses its flags with newFlagSet and parseCommand: the
// standard flag package, flags and arguments in any order, -h and --help
// printing usage to standard output (exit 0), an unknown flag or a wrong
// number of arguments an error (exit 2).
type command struct {
	name  string
	usage func(io.Writer)
	run   runFunc    // a leaf
	subs  []*command // a group
}

// commands is the command table of dsr.
var commands = []*command{
	{name: "assess", usage: assessUsage, run: runAssess},
	{name: "schema", usage: schemaUsage, run: func(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) int {
		return runSchema(ctx, args, stdout, stderr)
	}},
	{name: "demo", usage: demoUsage, run: func(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) int {
		return runDemo(ctx, args, stdout, stderr)
	}},
	{name: "register", usage: registerUsage, subs: registerCommands()},
	{name: "review", usage: reviewUsage, subs: docCommands("review", reviewUsage, reviewSubcommands, runReview)},
	{name: "bluelight", usage: bluelightUsage, subs: docCommands("bluelight", bluelightUsage, bluelightSubcommands, runBlueLight)},
	{name: "report", usage: reportUsage, subs: reportCommands()},
	{name: "serve", usage: serveUsage, run: runServe},
	{name: "policy", usage: policyUsage, subs: []*command{
		{name: "list", usage: policyUsage, run: noStdin(runPolicyList)},
		{name: "test", usage: policyTestUsage, run: noStdin(runPolicyTest)},
		{name: "diff", usage: policyDiffUsage, run: noStdin(runPolicyDiff)},
		{name: "build", usage: policyBuildUsage, run: noStdin(runPolicyBuild)},
	}},
}

func noStdin(f func(ctx context.Context, args []string, stdout, stderr io.Writer) int) runFunc {
	return func(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) int {
		return f(ctx, args, stdout, stderr)
	}
}

// isHelp reports whether arg asks for help.
func isHelp(arg string) bool {
	switch arg {
	case "help", "-h", "-help", "--help":
		return true
	}
	return false
}

// dispatch runs the subcommand of the group (path, e.g. "policy") that
// args name. `dsr GROUP` alone is a usage error; `dsr GROUP help`, -h and
// --help print the group's usage.
func dispatch(ctx context.Context, path string, usage func(io.Writer), subs []*command, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		names := make([]string, len(subs))
		for i, c := range subs {
			names[i] = c.name
		}
		errorf(stderr, "%s: want a subcommand: %s", path, strings.Join(names, ", "))
		usage(stderr)
		return exitUsage
	}
	if isHelp(args[0]) {
		usage(stdout)
		return exitOK
	}
	for _, c := range subs {
		if c.name != args[0] {
			continue
		}
		if c.subs != nil {
			return dispatch(ctx, path+" "+c.name, c.usage, c.subs, args[1:], stdin, stdout, stderr)
		}
		return c.run(ctx, args[1:], stdin, stdout, stderr)
	}
	errorf(stderr, "%s: unknown subcommand %q", path, args[0])
	usage(stderr)
	return exitUsage
}

// newFlagSet returns the flag set of the command name ("register add").
// The flag package prints nothing itself: parseCommand reports errors and
// usage.
func newFlagSet(name string) *flag.FlagSet {
	fset := flag.NewFlagSet(name, flag.ContinueOnError)
	fset.SetOutput(io.Discard)
	fset.Usage = func() {}
	return fset
}

// parseInterleaved parses flags and positional arguments in any order
// ("case.json --policy x" as well as "--policy x case.json"); after "--"
// everything is positional.
func parseInterleaved(fset *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fset.Parse(args); err != nil {
			return nil, err
		}
		rest := fset.Args()
		if consumed := len(args) - len(rest); consumed > 0 && args[consumed-1] == "--" {
			return append(positional, rest...), nil
		}
		if len(rest) == 0 {
			return positional, nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

// parseCommand parses a command's flags and positional arguments (in any
// order) and checks how many positional arguments came. On -h or --help it
// prints usage to stdout and returns exitOK; on a bad flag or count, what
// is wrong and usage to stderr and exitUsage. what says which arguments
// are wanted ("want one case file"); with want 0, any argument is
// unexpected. ok reports whether the command should go on.
func parseCommand(fset *flag.FlagSet, args []string, usage func(io.Writer), stdout, stderr io.Writer, want int, what string) (pos []string, code int, ok bool) {
	pos, err := parseInterleaved(fset, args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		usage(stdout)
		return nil, exitOK, false
	case err != nil:
		errorf(stderr, "%s: %v", fset.Name(), err)
	case want == 0 && len(pos) > 0:
		errorf(stderr, "%s: unexpected argument %q", fset.Name(), pos[0])
	case len(pos) != want:
		errorf(stderr, "%s: %s, got %d", fset.Name(), what, len(pos))
	default:
		return pos, exitOK, true
	}
	usage(stderr)
	return nil, exitUsage, false
}

// subcommand is one subcommand of a group that works on a register
// (register, review, bluelight): the positional arguments it wants ("ID
// FILE|-") and whether it prints something --json prints as JSON. Every
// subcommand of a group takes the group's flags (--db, --policy, --by,
// --role, and --set for review and bluelight), so a script can pass the
// same ones to each; the rest are refused where they do not apply.
type subcommand struct {
	name, args string
	json       bool
}

// wantArgs says what a command wants, for parseCommand: "want ID RATING".
func wantArgs(args string) (int, string) {
	n := len(strings.Fields(args))
	if n == 0 {
		return 0, "want no arguments"
	}
	return n, "want " + args
}

// errorf writes one "dsr: ..." line to w.
func errorf(w io.Writer, format string, args ...any) {
	fmt.Fprintf(w, "dsr: "+format+"\n", args...)
}
