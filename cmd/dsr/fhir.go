package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/fhir"
	"github.com/dsrkit/dsrkit/policies"
	"github.com/dsrkit/dsrkit/register"
)

const fhirUsageText = `Usage: dsr register fhir ID|--all [-o FILE] [--as-of DATE] [--why TEXT] --db FILE --by ID --role ROLE

Export a person (ID), or everyone the register holds (--all), with consent
to share, as a FHIR R4 Bundle of type collection for a shared care record
(package fhir): the Patient with the NHS number (system
https://fhir.nhs.uk/Id/nhs-number) and the local id, the register Flag with
the rating of record (removed: inactive, with the day of removal), the
rating's RiskAssessment with its reasons, a Consent for each scope of each
consent given, an EpisodeOfCare for each inpatient spell and a Procedure for
each C(E)TR held, coded with R-CODE-1's SNOMED CT codes. Ids are urn:uuid names of the register's pseudonyms: an
export made again for the same date is the same.

A shared care record is information sharing: a person is exported only when,
on the export's date, they hold a consent_given covering scope sharing, or a
best-interests decision for it, given by someone who could give it (R-CONS-1,
R-CONS-2), not lapsed at 16 (R-CONS-3) and not withdrawn (R-CONS-4). ID
without it is refused (exit 1, naming the rule); --all leaves them out and
prints on standard error how many, by rule, never who. People whose consent
was withdrawn are never exported. Only coordinators and admins export (the
bundle identifies people); every read is audited, with --why (default
"FHIR R4 export").

Options:
  ID              the person's local id
  --all           everyone the register holds, on the register or removed
  -o FILE         write the bundle to FILE (created 0600: it identifies
                  people) instead of standard output
  --as-of DATE    the date of the export (default today)
  --why TEXT      why the records are read (kept with each read's audit)
  --db FILE|URL   the register (default dsr.db, or DSR_DATABASE_URL)
  --policy NAME   embedded policy bundle (default %s)
  --set NAME=VALUE
                  override a bundle parameter (repeatable)
  --key-file FILE the register's key file (or DSR_KEY_FILE)
  --by ID --role ROLE
                  who exports (or DSR_BY and DSR_ROLE)
` + timeoutUsageText

func fhirUsage(w io.Writer) { fmt.Fprintf(w, fhirUsageText, policies.DefaultBundle) }

// runFHIR is `dsr register fhir`.
func runFHIR(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) int {
	const group = "register fhir"
	fset := newFlagSet(group)
	db := new(string)
	dbFlag(fset, db, "dsr.db")
	policy := fset.String("policy", policies.DefaultBundle, "policy bundle")
	var params paramFlag
	fset.Var(&params, "set", "override the bundle parameter `NAME=VALUE` (repeatable)")
	keyFile := fset.String("key-file", "", "the register's key file")
	timeoutFlag(ctx, fset)
	var by register.Actor
	fset.StringVar(&by.ID, "by", "", "staff id")
	fset.StringVar(&by.Role, "role", "", "staff role")
	all := fset.Bool("all", false, "everyone the register holds")
	out := fset.String("o", "", "output file")
	asOfFlag := fset.String("as-of", "", "date")
	why := fset.String("why", "", "why the records are read")
	pos, err := parseInterleaved(fset, args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		fhirUsage(stdout)
		return exitOK
	case err != nil:
		errorf(stderr, "%s: %v", group, err)
	case *all && len(pos) > 0:
		errorf(stderr, "%s: give ID or --all, not both", group)
	case !*all && len(pos) != 1:
		errorf(stderr, "%s: want ID or --all, got %d arguments", group, len(pos))
	}
	if err != nil || (*all && len(pos) > 0) || (!*all && len(pos) != 1) {
		fhirUsage(stderr)
		return exitUsage
	}
	if err := actorOf(&by); err != nil {
		if verr := checkActor(by); verr != nil {
			return reportInput(stderr, group, verr)
		}
		errorf(stderr, "%s: %v", group, err)
		fhirUsage(stderr)
		return exitUsage
	}
	err = checkActor(by)
	if err == nil && !mayReadNames(by.Role) {
		err = &dsr.ValidationError{Field: "--role", Problem: fmt.Sprintf("the role %s may not export identifiable records: coordinator or admin", by.Role)}
	}
	if err == nil && !*all {
		err = checkArgIDs("ID", pos[0])
	}
	asOf := calendar.DateOf(cliNow())
	if err == nil && *asOfFlag != "" {
		if asOf, err = calendar.ParseDate(*asOfFlag); err != nil {
			err = &dsr.ValidationError{Field: "--as-of", Problem: fmt.Sprintf("%q is not a date: want YYYY-MM-DD", *asOfFlag)}
		}
	}
	if err != nil {
		return reportInput(stderr, group, err)
	}
	reg, store, code, ok := openExisting(ctx, group, *db, *policy, params, *keyFile, stderr)
	if !ok {
		return code
	}
	defer store.Close()
	var opts []fhir.Option
	if *why != "" {
		opts = append(opts, fhir.Because(*why))
	}
	var b []byte
	people := 1
	if *all {
		bundle, sum, err := fhir.BundleAll(ctx, reg, asOf, by, opts...)
		if err == nil {
			people = sum.People
			b, err = fhir.Marshal(bundle)
		}
		if err != nil {
			return reportInput(stderr, group, err)
		}
		if sum.Omitted() > 0 {
			// Counts and rule ids only: the operator learns how many were
			// left out and why, never who.
			fmt.Fprintf(stderr, "%s: as of %s, %s\n", group, asOf, sum)
		}
	} else {
		bundle, err := fhir.Bundle(ctx, reg, pos[0], asOf, by, opts...)
		if err == nil {
			b, err = fhir.Marshal(bundle)
		}
		if err != nil {
			return reportInput(stderr, group, err)
		}
	}
	if *out == "" {
		if _, err := stdout.Write(b); err != nil {
			errorf(stderr, "%s: %v", group, err)
			return exitFailure
		}
		return exitOK
	}
	if err := os.WriteFile(*out, b, 0o600); err != nil {
		errorf(stderr, "%s: %v", group, err)
		return exitFailure
	}
	fmt.Fprintf(stdout, "wrote %s: a FHIR R4 bundle of %d people as of %s\n", *out, people, asOf)
	return exitOK
}
