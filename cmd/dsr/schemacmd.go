package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/dsrkit/dsrkit/internal/schema"
)

const schemaUsageText = `Usage: dsr schema [--policy NAME|DIR] case|assessment

Print the JSON Schema (draft 2020-12) of a case, the input to 'dsr assess',
or of an assessment, its output. Both are generated from the Go types in
package dsr. With --policy, the case schema is that bundle's: its "inputs"
are exactly the inputs the bundle declares (R-INPUT-1), each with its kind
and range or values.
`

func schemaUsage(w io.Writer) { fmt.Fprint(w, schemaUsageText) }

// runSchema is `dsr schema [--policy NAME|DIR] case|assessment`.
func runSchema(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fset := newFlagSet("schema")
	policy := fset.String("policy", "", "give the case schema the inputs the policy bundle `NAME` (embedded, a directory or a .tar.gz) declares")
	pos, code, ok := parseCommand(fset, args, schemaUsage, stdout, stderr, 1, "want one of "+strings.Join(schema.Names, ", "))
	if !ok {
		return code
	}
	s, err := schema.Generate(pos[0])
	if err != nil {
		errorf(stderr, "%v", strings.TrimPrefix(err.Error(), "schema: "))
		fmt.Fprint(stderr, schemaUsageText)
		return exitUsage
	}
	if *policy != "" && pos[0] == "case" {
		_, engine, err := loadPolicy(ctx, *policy, "", nil)
		if err != nil {
			errorf(stderr, "%v", err)
			return exitFailure
		}
		s = schema.CaseFor(engine.Inputs())
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
