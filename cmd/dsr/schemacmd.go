package main

import (
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

func schemaUsage(w io.Writer) { fmt.Fprint(w, schemaUsageText) }

// runSchema is `dsr schema case|assessment`.
func runSchema(args []string, stdout, stderr io.Writer) int {
	pos, code, ok := parseCommand(newFlagSet("schema"), args, schemaUsage, stdout, stderr, 1, "want one of "+strings.Join(schema.Names, ", "))
	if !ok {
		return code
	}
	s, err := schema.Generate(pos[0])
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
