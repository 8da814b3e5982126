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
//	dsr help
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

// run is the whole command: it dispatches args[0] to a subcommand.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return exitUsage
	}
	switch args[0] {
	case "assess":
		return runAssess(ctx, args[1:], stdin, stdout, stderr)
	case "schema":
		return runSchema(args[1:], stdout, stderr)
	case "demo":
		return runDemo(ctx, args[1:], stdout, stderr)
	case "register":
		return runRegister(ctx, args[1:], stdin, stdout, stderr)
	case "policy":
		return runPolicy(ctx, args[1:], stdout, stderr)
	case "review":
		return runReview(ctx, args[1:], stdin, stdout, stderr)
	case "bluelight":
		return runBlueLight(ctx, args[1:], stdin, stdout, stderr)
	case "help", "-h", "-help", "--help":
		usage(stdout)
		return exitOK
	}
	errorf(stderr, "unknown command %q", args[0])
	usage(stderr)
	return exitUsage
}
