package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"strings"

	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/internal/schema"
	"github.com/dsrkit/dsrkit/policies"
)

// maxCaseBytes bounds the input: a case is one person's history, kilobytes
// in practice.
const maxCaseBytes = 8 << 20

// runAssess is `dsr assess [--policy NAME|DIR] [--set NAME=VALUE]... FILE|-`.
func runAssess(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fset := flag.NewFlagSet("assess", flag.ContinueOnError)
	fset.SetOutput(stderr)
	fset.Usage = func() {} // printed below, to stdout for -h and stderr otherwise
	policy := fset.String("policy", policies.DefaultBundle, "embedded policy bundle `NAME`, a directory or a .tar.gz from dsr policy build")
	var params paramFlag
	fset.Var(&params, "set", "override the bundle parameter `NAME=VALUE` (repeatable)")
	files, code, ok := parseCommand(fset, args, assessUsage, stdout, stderr, 1, "assess: want one case file (or - for standard input)")
	if !ok {
		return code
	}

	raw, err := readInput(files[0], stdin)
	if err != nil {
		errorf(stderr, "assess: %v", err)
		return exitFailure
	}
	c, err := decodeCase(raw)
	if err != nil {
		return reportInvalid(stderr, err)
	}

	bundle, err := openBundle(*policy)
	if err != nil {
		errorf(stderr, "%v", err)
		return exitFailure
	}
	opts := make([]policies.Option, len(params))
	for i, p := range params {
		opts[i] = policies.WithParam(p.name, p.value)
	}
	engine, err := policies.Load(ctx, bundle, opts...)
	if err != nil {
		errorf(stderr, "loading policy %s: %v", *policy, err)
		return exitFailure
	}
	a, err := engine.Assess(ctx, c)
	if err != nil {
		if errors.Is(err, dsr.ErrInvalid) {
			return reportInvalid(stderr, err)
		}
		errorf(stderr, "assess: %v", err)
		return exitFailure
	}
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(a); err != nil {
		errorf(stderr, "assess: writing the assessment: %v", err)
		return exitFailure
	}
	if _, err := stdout.Write(out.Bytes()); err != nil {
		errorf(stderr, "assess: %v", err)
		return exitFailure
	}
	return exitOK
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

// parseCommand parses a subcommand's flags and positional arguments (in any
// order) and checks how many positional arguments came. On -h it prints
// usage to stdout and returns exitOK; on a bad flag or count, usage to
// stderr and exitUsage (with a message naming what was wanted). ok reports
// whether the command should go on.
func parseCommand(fset *flag.FlagSet, args []string, usage func(io.Writer), stdout, stderr io.Writer, want int, what string) (pos []string, code int, ok bool) {
	pos, err := parseInterleaved(fset, args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		usage(stdout)
		return nil, exitOK, false
	case err != nil:
		usage(stderr)
		return nil, exitUsage, false
	case len(pos) != want:
		errorf(stderr, "%s, got %d", what, len(pos))
		usage(stderr)
		return nil, exitUsage, false
	}
	return pos, exitOK, true
}

// readInput reads the case from the file name, or from stdin for "-".
func readInput(name string, stdin io.Reader) ([]byte, error) {
	var r io.Reader = stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r = f
	}
	raw, err := io.ReadAll(io.LimitReader(r, maxCaseBytes+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	return raw, nil
}

// decodeCase validates raw case JSON against the case schema, then decodes
// it with the domain checks of dsr.DecodeCase. Every problem is a
// *dsr.ValidationError naming its field; several come back joined.
func decodeCase(raw []byte) (dsr.Case, error) {
	if len(raw) > maxCaseBytes {
		return dsr.Case{}, &dsr.ValidationError{Field: "$", Problem: fmt.Sprintf("larger than %d bytes", maxCaseBytes)}
	}
	if err := schema.ValidateCase(raw); err != nil {
		return dsr.Case{}, err
	}
	return dsr.UnmarshalCase(raw)
}

// reportInvalid writes one "dsr: invalid case: FIELD: PROBLEM" line per
// problem in err and returns the exit status: 2 when every problem is
// invalid input, 1 otherwise.
func reportInvalid(stderr io.Writer, err error) int {
	code := exitUsage
	for _, e := range flatten(err) {
		if errors.Is(e, dsr.ErrInvalid) {
			errorf(stderr, "invalid case: %s", strings.TrimPrefix(e.Error(), dsr.ErrInvalid.Error()+": "))
			continue
		}
		errorf(stderr, "%v", e)
		code = exitFailure
	}
	return code
}

// flatten unpacks errors joined with errors.Join.
func flatten(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, flatten(e)...)
		}
		return out
	}
	return []error{err}
}

// openBundle returns the embedded bundle called name, the directory name,
// or the bundle archive name (a .tar.gz from dsr policy build).
func openBundle(name string) (fs.FS, error) {
	if isArchive(name) {
		return openArchive(name)
	}
	names := policies.BundleNames()
	if slices.Contains(names, name) {
		b, err := policies.Bundle(name)
		if err != nil {
			return nil, fmt.Errorf("policy %s: %w", name, err)
		}
		return b, nil
	}
	fi, err := os.Stat(name)
	switch {
	case err == nil && fi.IsDir():
		return os.DirFS(name), nil
	case err == nil:
		return nil, fmt.Errorf("policy %s: not a directory (want an embedded bundle: %s; a bundle directory; or a .tar.gz from dsr policy build)",
			name, strings.Join(names, ", "))
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("policy %s: no such embedded bundle (want one of %s) or directory",
			name, strings.Join(names, ", "))
	}
	return nil, fmt.Errorf("policy %s: %w", name, err)
}

// param is one --set NAME=VALUE.
type param struct {
	name  string
	value any
}

// paramFlag collects repeated --set flags in order.
type paramFlag []param

func (p *paramFlag) String() string {
	if p == nil {
		return ""
	}
	parts := make([]string, len(*p))
	for i, q := range *p {
		parts[i] = fmt.Sprintf("%s=%v", q.name, q.value)
	}
	return strings.Join(parts, " ")
}

func (p *paramFlag) Set(s string) error {
	name, value, ok := strings.Cut(s, "=")
	name = strings.TrimSpace(name)
	if !ok || name == "" {
		return fmt.Errorf("want NAME=VALUE, got %q", s)
	}
	*p = append(*p, param{name: name, value: parseValue(value)})
	return nil
}

// parseValue reads s as JSON if it is a JSON value, numbers as json.Number;
// otherwise s is a string ("2026-01-01", "days").
func parseValue(s string) any {
	if !json.Valid([]byte(s)) {
		return s
	}
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return s
	}
	return v
}
