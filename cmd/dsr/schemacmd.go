package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/dsrkit/dsrkit/internal/schema"
)

const schemaUsageText = `Usage: dsr schema case|assessment

Print the JSON Schema (draft 2020-12) of a case, the input to 'dsr assess',
or of an assessment, its output. Both are generated from the Go types in
package dsr.
`

// runSchema is `dsr schema case|assessment`.
func runSchema(args []string, stdout, stderr io.Writer) int {
	fset := flag.NewFlagSet("schema", flag.ContinueOnError)
	fset.SetOutput(stderr)
	fset.Usage = func() {}
	switch err := fset.Parse(args); {
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprint(stdout, schemaUsageText)
		return exitOK
	case err != nil:
		fmt.Fprint(stderr, schemaUsageText)
		return exitUsage
	}
	if fset.NArg() != 1 {
		errorf(stderr, "schema: want one of %s", strings.Join(schema.Names, ", "))
		fmt.Fprint(stderr, schemaUsageText)
		return exitUsage
	}
	s, err := schema.Generate(fset.Arg(0))
	if err != nil {
		errorf(stderr, "%v", strings.TrimPrefix(err.Error(), "schema: "))
		fmt.Fprint(stderr, schemaUsageText)
		return exitUsage
	}
	b, err := schema.Marshal(s)
	if err != nil {
		errorf(stderr, "%v", err)
		return exitFailure
	}
	if _, err := stdout.Write(b); err != nil {
		errorf(stderr, "schema: %v", err)
		return exitFailure
	}
	return exitOK
}
