// Command dsr assesses Dynamic Support Register cases against a policy
// bundle, keeps a register in a SQLite file, records reviews and Blue Light
// meetings on it, and inspects policy bundles.
//
// Usage:
//
//	dsr demo [--db FILE]
//	dsr assess [--policy NAME|DIR] [--set NAME=VALUE]... FILE|-
//	dsr schema case|assessment
//	dsr register add|record|report|agree|remove|due|verify|history --db FILE ...
//	dsr review plan|hold|recommend|report|summary --db FILE ...
//	dsr bluelight open|attend|step|option|fund|close|minute --db FILE ...
//	dsr policy list|test|diff ...
//	dsr serve [--addr HOST:PORT] [--db FILE|URL] ...
//	dsr help
//
// Every command and subcommand prints its usage to standard output with -h
// or --help. Flags and arguments come in any order; a flag the command does
// not take is a usage error.
//
// Exit status: 0 on success; 1 when the policy cannot be loaded, the input
// cannot be read, a check fails or the assessment fails; 2 for a usage
// error or invalid input.
package main

import (
	"context"
	"io"
	"os"
	"os/signal"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// Exit statuses.
const (
	exitOK      = 0
	exitFailure = 1 // the policy, the input file or the assessment failed
	exitUsage   = 2 // bad arguments or an invalid case
)

// run is the whole command: it runs the command args[0] names in the
// command table (commands).
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	ctx = withRuleLimits(ctx)
	defer closeRuleLimits(ctx, stderr)
	if len(args) == 0 {
		usage(stderr)
		return exitUsage
	}
	if isHelp(args[0]) {
		usage(stdout)
		return exitOK
	}
	for _, c := range commands {
		switch {
		case c.name != args[0]:
		case c.subs != nil:
			return dispatch(ctx, c.name, c.usage, c.subs, args[1:], stdin, stdout, stderr)
		default:
			return c.run(ctx, args[1:], stdin, stdout, stderr)
		}
	}
	errorf(stderr, "unknown command %q", args[0])
	usage(stderr)
	return exitUsage
}
