package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/dsrkit/dsrkit/policies"
)

const usageText = `dsr assesses Dynamic Support Register cases with dsrkit policy bundles.

Usage:

  dsr assess [--policy NAME|DIR] [--set NAME=VALUE]... FILE|-
      Validate a case (JSON, from FILE or - for standard input) and print its
      assessment as JSON. Default policy: %s.
  dsr schema [--policy NAME|DIR] case|assessment
      Print the JSON Schema of a case (with the inputs the policy declares) or
      of an assessment.
  dsr demo [--db FILE]
      Create (or reopen) a SQLite register of synthetic people and print its
      worklist. Run 'dsr demo -h' for the options.
  dsr register add|record|report|agree|remove|due|verify|history --db FILE ...
      Keep a register in a SQLite file. Run 'dsr register help'.
  dsr register fhir ID|--all [-o FILE] --db FILE
      Export a person, or everyone held, with consent to share (scope
      sharing, R-CONS-1) as a FHIR R4 Bundle for a shared care record.
  dsr policy list [--json]
      List the embedded policy profiles with version, engines, what each
      extends and its digest.
  dsr policy test [--cases N] [--seed S] DIR|NAME
      Run a bundle's Rego unit tests, scenario folders and the invariants
      every bundle must keep; exit status 1 on any failure.
  dsr policy diff OLD NEW --cases DIR | --register FILE | --generate N [--seed S]
      Assess every case under two bundles and report who changes (table,
      --json, --html FILE): what changed in the rules, who loses
      protection, by age band and rating of record; progress on standard
      error (--quiet for none).
  dsr policy build DIR|NAME -o FILE.tar.gz
      Write a bundle, merged with what it extends, as an OPA bundle that
      opa test and --policy accept.
  dsr review plan|hold|recommend|report|summary --db FILE ...
      Plan, hold and follow up C(E)TRs on the register. Run 'dsr review help'.
  dsr bluelight open|attend|step|option|fund|close|minute --db FILE ...
      Record a Blue Light meeting on the register. Run 'dsr bluelight help'.
  dsr report board --quarter YYYYQN | meeting-pack --date DATE --db FILE -o FILE
      Write the quarterly board report (small numbers suppressed) or the
      register group's meeting pack as HTML, PDF (headless Chromium) or
      JSON. Run 'dsr report help'.
  dsr serve [--addr HOST:PORT] [--db FILE|URL] [--webhook URL] ...
      Serve the register and a policy bundle as an authenticated HTTP/JSON
      service (OpenAPI at /v1/openapi.json) and as pages for the team (the
      worklist, people, forms; sign in at /). Run 'dsr serve -h'.
  dsr serve token create --role ROLE --name NAME
      Create an API token for the service, shown once.
  dsr help
      Print this text.

Run 'dsr assess -h' for the assess options. Every command that evaluates
rules (all but schema and policy list) takes --timeout D, the time limit
of one evaluation of the rules (default 1s; 0 for none).

Exit status: 0 success; 1 the policy, the input or the assessment failed;
2 a usage error or an invalid case.
`

func usage(w io.Writer) {
	fmt.Fprintf(w, usageText, policies.DefaultBundle)
}

const assessUsageText = `Usage: dsr assess [--policy NAME|DIR] [--set NAME=VALUE]... [--timeout D] FILE|-

Validate a case against the case schema and the domain checks, assess it
with a policy bundle, and print the assessment as indented JSON.

Options:
  --policy NAME|DIR
      An embedded policy bundle (%s), a directory
      holding a bundle, or a .tar.gz from 'dsr policy build'. A name that matches an embedded bundle wins; write
      ./NAME for a directory of that name. Default: %s.
  --set NAME=VALUE
      Override the bundle parameter NAME (see the bundle's params/data.json).
      VALUE is read as JSON if it parses (true, 14, {"n": 7, "unit": "days"}),
      otherwise as a string (2026-01-01). An object is merged into the
      bundle's object of that name, so
        --set 'review_cadence={"red":{"n":7,"unit":"days"}}'
      changes RED's cadence only. Repeatable, applied in order.
` + timeoutUsageText + decisionLogUsageText

// timeoutUsageText is --timeout in the usage of every command that
// evaluates rules (each defines it with timeoutFlag).
// decisionLogUsageText is --decision-log in the usage of every command
// that assesses people.
const decisionLogUsageText = `  --decision-log FILE
      Append every assessment to FILE (created 0600) as JSON Lines: when,
      the bundle's name, version and digest, a pseudonymous key of the
      person (the register's pseudonym), the rule input without NHS number,
      postcode or free text, and the decisions. 'dsr policy diff OLD NEW
      --replay FILE' re-decides them under another bundle.
`

const timeoutUsageText = `  --timeout D
      Stop a rule evaluation (a stage of an assessment, a Blue Light or
      C(E)TR decision) that runs longer than D, with an error naming the
      rule file (a Go duration: 1s, 250ms; 0 for no limit). Default: 1s,
      against a normal cost of well under a millisecond: only a runaway
      rule meets it.
`

func assessUsage(w io.Writer) {
	fmt.Fprintf(w, assessUsageText, strings.Join(policies.BundleNames(), ", "), policies.DefaultBundle)
}
