package main

import (
	"context"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strings"
	"time"

	invopop "github.com/invopop/jsonschema"

	"github.com/dsrkit/dsrkit/bluelight"
	"github.com/dsrkit/dsrkit/cetr"
	"github.com/dsrkit/dsrkit/register"

	"github.com/dsrkit/dsrkit/internal/schema"
)

const schemaUsageText = `Usage: dsr schema [--policy NAME|DIR] case|assessment|details|referral|review|meeting

Print the JSON Schema (draft 2020-12) of a case, the input to 'dsr assess',
or of an assessment, its output; or of the JSON the register's write
commands take: details (register add, and update-details as a patch of
it), referral (register refer), review (each 'dsr review' command's, under
$defs by command) and meeting (each 'dsr bluelight' command's). All are
generated from the Go types the commands decode into. With --policy, the
case schema is that bundle's: its "inputs" are exactly the inputs the
bundle declares (R-INPUT-1), each with its kind and range or values. One
valid input for every write command: examples/register/.
`

func schemaUsage(w io.Writer) { fmt.Fprint(w, schemaUsageText) }

// runSchema is `dsr schema [--policy NAME|DIR] NAME`.
func runSchema(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fset := newFlagSet("schema")
	policy := fset.String("policy", "", "give the case schema the inputs the policy bundle `NAME` (embedded, a directory or a .tar.gz) declares")
	pos, code, ok := parseCommand(fset, args, schemaUsage, stdout, stderr, 1, "want one of "+strings.Join(append(slices.Clone(schema.Names), inputSchemaNames...), ", "))
	if !ok {
		return code
	}
	s, err := inputSchema(pos[0])
	if s == nil && err == nil {
		s, err = schema.Generate(pos[0])
	}
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

// inputSchemaNames are the schemas of write commands' inputs.
var inputSchemaNames = []string{"details", "referral", "review", "meeting"}

// inputSchema returns the schema of a write command's input named name,
// nil when name is not one.
func inputSchema(name string) (*invopop.Schema, error) {
	in := func(name string, t reflect.Type) schema.Input { return schema.Input{Name: name, Type: t} }
	switch name {
	case "details":
		return schema.Inputs("dsrkit details", "A person's details as 'dsr register add' takes them (with circumstances and events), and as 'dsr register update-details' patches them (only the members to change; null clears one).",
			[]schema.Input{in("details", reflect.TypeFor[register.NewPerson]())}), nil
	case "referral":
		return schema.Inputs("dsrkit referral", "A request to join the register, as 'dsr register refer' takes it (R-REQ-1).",
			[]schema.Input{in("referral", reflect.TypeFor[register.Referral]())}), nil
	case "review":
		return schema.Inputs("dsrkit review inputs", "The JSON each 'dsr review' command takes, under $defs by command.", []schema.Input{
			in("plan", reflect.TypeFor[reviewPlanInput]()),
			in("hold", reflect.TypeFor[reviewHoldInput]()),
			{Name: "recommend", Type: reflect.TypeFor[cetr.Recommendation](), Many: true},
			in("report", reflect.TypeFor[reviewReportInput]()),
		}), nil
	case "meeting":
		return schema.Inputs("dsrkit Blue Light meeting inputs", "The JSON each 'dsr bluelight' command takes, under $defs by command.", []schema.Input{
			in("open", reflect.TypeFor[bluelightOpenInput]()),
			{Name: "attend", Type: reflect.TypeFor[bluelight.Attendee](), Many: true},
			{Name: "step", Type: reflect.TypeFor[bluelight.StepNote](), Many: true},
			in("option", reflect.TypeFor[bluelightOptionInput]()),
			in("fund", reflect.TypeFor[bluelight.FundingRequest]()),
			in("close", reflect.TypeFor[bluelightCloseInput]()),
			in("escalated", reflect.TypeFor[bluelightEscalatedInput]()),
		}), nil
	}
	return nil, nil
}

// bluelightEscalatedInput is the JSON of `dsr bluelight escalated`.
type bluelightEscalatedInput struct {
	At time.Time `json:"at"`
	To string    `json:"to"`
}
