package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/policies"
	"github.com/dsrkit/dsrkit/register"
)

const registerUsageText = `Usage: dsr register COMMAND --db FILE [--by ID --role ROLE] [options] ARGS

Keep a Dynamic Support Register in a SQLite file. Only add and refer create
the file (and say so); every other command refuses a file that does not exist.
Every command names who runs it with --by and --role (a member of staff),
or DSR_BY and DSR_ROLE; roles: viewer, coordinator, analyst, admin. Reads of
a person's records are audited.
Input is strict: JSON as 'dsr assess' takes it (no trailing data, no key
given twice, exact-case names, valid UTF-8, at most 8 MiB) and ids of 1 to
64 letters, digits or - _ . : (invalid input exits 2 and writes nothing).

Commands:
  add FILE|-                 add a person: JSON {"person": {...}, "name", "address",
                             "circumstances": {...}, "events": [...]}; consent for
                             inclusion must hold today (R-CONS-1)
  record ID FILE|-           add one event (JSON, as in a case's events)
  report ID FILE|-           report circumstances (JSON, as in a case) from today,
                             with the bundle's declared inputs under "inputs"
                             (R-INPUT-1; dsr schema case --policy NAME)
  agree ID RATING [--reason TEXT]
                             record the rating the multi-agency meeting agreed
  remove ID REASON [--evidence REF]
                             no_longer_at_risk (needs --evidence), consent_withdrawn,
                             aged_out, moved_area or died (R-REM-1)
  update-details ID FILE|-   change a person's details: JSON of only the members
                             to change, null to clear one (a merge patch over
                             {"person", "name", "address", "entry": {...}}; the
                             entry's fields: dsr schema details); only what
                             changes is recorded (R-DATA-1)
  refer FILE|-               record a request to join: JSON {"id", "person_id",
                             "source": self|family|professional, "received",
                             "summary"} (dsr schema referral); its decision is
                             due on the worklist (R-REQ-1)
  decide ID accept|decline --reasons TEXT --next-steps TEXT
                             decide request ID (R-REQ-1)
  referral-made ID           the referral to the adult register is made (R-REM-1):
                             it leaves the worklist, and removal as aged_out is
                             then allowed
  due [--as-of DATE] [--person ID] [--rating R] [--overdue]
                             print the worklist: who is responsible and why;
                             names for --role coordinator or admin (audited)
  list [--as-of DATE] [--rating R] [--differ] [--overdue] [--due-before DATE]
       [--team T] [--coordinator C] [--names]
                             everyone on the register: rating of record, suggested
                             and agreed, team, care coordinator, items, overdue,
                             next due; overdue first, then by next due
  show ID [--as-of DATE] [--why TEXT]
                             a person's details, consent, ratings with the reasons
                             in plain words, open actions, last reviews and
                             meetings (the read is audited)
  find --nhs NUMBER | --id ID | --name NAME [--why TEXT]
                             the local ids of the people found (exact; a name is
                             matched case folded, through its pseudonym; audited)
  fhir ID|--all [-o FILE] [--as-of DATE] [--why TEXT]
                             export a person, or everyone held, with consent to
                             share (scope sharing), as a FHIR R4 Bundle
                             (R-CONS-1; 'dsr register fhir -h')
  verify                     check the log's hash chain
  history ID [--why TEXT]    print a person's timeline with the rules that fired
                             (the read is audited: who, role, when, why)
  audit ID                   list who wrote and who read a person's records
                             (--role admin)
  rekey [--new-key-file FILE]
                             re-wrap every person's key and the register's secrets
                             under a new key-encryption key, in one transaction:
                             FILE (created if missing), or DSR_NEW_PASSPHRASE; with
                             the default key file, a new one replaces it

Every write takes --at DATE|INSTANT for an entry made after the fact (a
meeting's outcomes entered the next morning): the record is dated then,
refused in the future or before the person's previous record, and the audit
keeps both when it happened and when it was entered. Every write prints what
it saved. A valid input for each write, in examples/register/: add.json and
add-ageing-out.json (add), record.json, report.json, update-details.json,
refer.json; 'dsr schema details' and 'dsr schema referral' give their shape.

Options:
  --db FILE|URL   the register: a SQLite file (default dsr.db), or a PostgreSQL
                  database postgres://… (or DSR_DATABASE_URL)
  --policy NAME   embedded policy bundle (default %s)
  --set NAME=VALUE
                  override a bundle parameter, as 'dsr assess --set'
                  (repeatable), e.g. --set age_max=17 for a children's register
  --json          print due, list, show, find, history and audit as JSON
  --key-file FILE the register's key file (or DSR_KEY_FILE; see Keys)
` + timeoutUsageText + decisionLogUsageText + `
` + keyUsageText

func registerUsage(w io.Writer) { fmt.Fprintf(w, registerUsageText, policies.DefaultBundle) }

// registerSubcommands are the subcommands of `dsr register`; runRegister
// adds the flags particular to each.
var registerSubcommands = []subcommand{
	{"add", "FILE|-", false},
	{"record", "ID FILE|-", false},
	{"report", "ID FILE|-", false},
	{"agree", "ID RATING", false},
	{"remove", "ID REASON", false},
	{"due", "", true},
	{"verify", "", false},
	{"history", "ID", true},
	{"rekey", "", false},
	{"audit", "ID", true},
	{"list", "", true},
	{"show", "ID", true},
	{"find", "", true},
	{"refer", "FILE|-", false},
	{"decide", "ID OUTCOME", false},
	{"update-details", "ID FILE|-", false},
	{"referral-made", "ID", false},
	{"fhir", "ID", false}, // or --all: its own command (fhir.go)
}

// registerWrites are the subcommands of `dsr register` that write, and so
// take --at for an entry made after the fact.
var registerWrites = []string{"add", "record", "report", "agree", "remove", "refer", "decide", "update-details", "referral-made"}

// registerCommands are the leaves of `dsr register` in the command table.
func registerCommands() []*command {
	var out []*command
	for _, sub := range registerSubcommands {
		if sub.name == "fhir" {
			out = append(out, &command{name: "fhir", usage: fhirUsage, run: runFHIR})
			continue
		}
		out = append(out, &command{name: sub.name, usage: registerUsage, run: func(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
			return runRegister(ctx, sub, args, stdin, stdout, stderr)
		}})
	}
	return out
}

// runRegister is `dsr register CMD ...` for the subcommand sub (CMD); args
// are those after CMD.
func runRegister(ctx context.Context, sub subcommand, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	cmd := sub.name
	fset := newFlagSet("register " + cmd)
	db := new(string)
	dbFlag(fset, db, "dsr.db")
	policy := fset.String("policy", policies.DefaultBundle, "policy bundle")
	var params paramFlag
	fset.Var(&params, "set", "override the bundle parameter `NAME=VALUE` (repeatable)")
	keyFile := fset.String("key-file", "", "the register's key file")
	timeoutFlag(ctx, fset)
	decisionLogFlag(ctx, fset)
	var by register.Actor
	fset.StringVar(&by.ID, "by", "", "staff id")
	fset.StringVar(&by.Role, "role", "", "staff role")
	var asJSON bool
	if sub.json {
		fset.BoolVar(&asJSON, "json", false, "JSON output")
	}
	var reason, evidence, asOfFlag, atFlag string
	var f coordFlags
	switch cmd {
	case "agree":
		fset.StringVar(&reason, "reason", "", "reason")
	case "remove":
		fset.StringVar(&evidence, "evidence", "", "evidence reference")
	case "due", "list", "show":
		fset.StringVar(&asOfFlag, "as-of", "", "date")
	case "decide":
		fset.StringVar(&f.reasons, "reasons", "", "the decision's reasons")
		fset.StringVar(&f.nextSteps, "next-steps", "", "the next steps")
	case "find":
		fset.StringVar(&f.nhs, "nhs", "", "NHS number")
		fset.StringVar(&f.id, "id", "", "local id")
		fset.StringVar(&f.name, "name", "", "name (exact, case folded)")
	}
	switch cmd {
	case "due", "list":
		fset.StringVar(&f.rating, "rating", "", "only this rating of record")
		fset.BoolVar(&f.overdue, "overdue", false, "only overdue")
	}
	switch cmd {
	case "list":
		fset.BoolVar(&f.differ, "differ", false, "only where the agreed rating differs from the suggestion")
		fset.StringVar(&f.dueBefore, "due-before", "", "only with an item due before DATE")
		fset.StringVar(&f.team, "team", "", "only this team")
		fset.StringVar(&f.coordinator, "coordinator", "", "only this care coordinator")
		fset.BoolVar(&f.names, "names", false, "show names (coordinator or admin; audited)")
	case "due":
		fset.StringVar(&f.person, "person", "", "only this person")
	}
	if slices.Contains(registerWrites, cmd) {
		fset.StringVar(&atFlag, "at", "", "entered after the fact: when it happened (DATE or RFC 3339 instant)")
	}
	var why string
	switch cmd {
	case "history", "show", "find":
		fset.StringVar(&why, "why", "", "why the record is read (kept with the read's audit)")
	}
	var newKeyFile string
	if cmd == "rekey" {
		fset.StringVar(&newKeyFile, "new-key-file", "", "the new key file")
	}
	n, what := wantArgs(sub.args)
	pos, code, ok := parseCommand(fset, args, registerUsage, stdout, stderr, n, what)
	if !ok {
		return code
	}
	group := "register " + cmd

	// The input first: a refusal must not open, let alone create, the
	// register.
	var (
		np      register.NewPerson
		ev      dsr.Event
		circ    reportJSON
		rating  dsr.Rating
		asOf    = calendar.DateOf(cliNow())
		at      time.Time
		ref     register.Referral
		patch   []byte
		outcome register.Outcome
		filter  register.ListFilter
	)
	if err := actorOf(&by); err != nil {
		if verr := checkActor(by); verr != nil {
			return reportInput(stderr, group, verr)
		}
		errorf(stderr, "%s: %v", group, err)
		registerUsage(stderr)
		return exitUsage
	}
	err := checkActor(by)
	if err == nil && strings.HasPrefix(sub.args, "ID") {
		err = checkArgIDs("ID", pos[0])
	}
	if err == nil {
		switch cmd {
		case "add":
			err = decodeInput(pos[0], stdin, &np)
		case "record":
			err = decodeInput(pos[1], stdin, &ev)
		case "report":
			err = decodeInput(pos[1], stdin, &circ)
		case "agree":
			if rating, err = dsr.ParseRating(pos[1]); err != nil || rating == dsr.Unrated {
				err = &dsr.ValidationError{Field: "RATING", Rule: "R-RAG-AGREED", Problem: fmt.Sprintf("%q is not a rating: want red, amber, green or blue", pos[1])}
			}
		case "remove":
			if !slices.Contains(register.RemovalReasons, register.RemovalReason(pos[1])) {
				err = &dsr.ValidationError{Field: "REASON", Rule: "R-REM-1", Problem: fmt.Sprintf("%q is not a reason for removal: want one of no_longer_at_risk, consent_withdrawn, aged_out, moved_area or died", pos[1])}
			}
		case "refer":
			if err = decodeInput(pos[0], stdin, &ref); err == nil {
				err = checkArgIDs("id", ref.ID)
			}
		case "decide":
			outcome = register.Outcome(pos[1])
			if outcome != register.Accept && outcome != register.Decline {
				err = &dsr.ValidationError{Field: "OUTCOME", Rule: "R-REQ-1", Problem: fmt.Sprintf("%q is not accept or decline", pos[1])}
			}
		case "update-details":
			patch, err = readRawInput(pos[1], stdin)
		case "find":
			_, err = findBy(f.nhs, f.id, f.name)
		}
	}
	if err == nil && asOfFlag != "" {
		if asOf, err = calendar.ParseDate(asOfFlag); err != nil {
			err = &dsr.ValidationError{Field: "--as-of", Problem: fmt.Sprintf("%q is not a date: want YYYY-MM-DD", asOfFlag)}
		}
	}
	if err == nil && atFlag != "" {
		at, err = parseAt(atFlag)
	}
	if err == nil && (cmd == "list" || cmd == "due") {
		filter, err = f.filter()
	}
	if err == nil && f.person != "" {
		err = checkArgIDs("--person", f.person)
	}
	if err != nil {
		return reportInput(stderr, group, err)
	}

	// Only add and refer (the first request to a new register) create a
	// register; they say so, and remove it again if
	// the first write is refused.
	created := (cmd == "add" || cmd == "refer") && registerMissing(*db)
	if !created {
		if err := registerMustExist(*db); err != nil {
			errorf(stderr, "%s: %v", group, err)
			return exitUsage
		}
	}
	reg, store, _, err := openRegister(ctx, *db, *policy, params, *keyFile, stderr, register.WithClock(cliNow))
	if err != nil {
		errorf(stderr, "register: %v", err)
		if created {
			removeRegister(*db)
		}
		return exitFailure
	}
	today := calendar.DateOf(cliNow())
	var wopts []register.WriteOption
	if !at.IsZero() {
		wopts = append(wopts, register.At(at))
	}
	day := atDay(at, today)

	switch cmd {
	case "add":
		if err = reg.Add(ctx, np, by, wopts...); err == nil {
			saved(ctx, stdout, reg, np.Person.ID, "added to the register on %s", day)
		}
	case "record":
		if ev.Date.IsZero() && ev.At.IsZero() && !at.IsZero() {
			ev.Date = day
		}
		if err = reg.Record(ctx, pos[0], ev, by, wopts...); err == nil {
			saved(ctx, stdout, reg, pos[0], "%s recorded", describe(&ev))
		}
	case "report":
		if err = reg.ReportInputs(ctx, pos[0], day, circ.Circumstances, circ.Inputs, by, wopts...); err == nil {
			saved(ctx, stdout, reg, pos[0], "circumstances reported from %s: %s", day, circumstancesWords(circ.Circumstances, circ.Inputs))
		}
	case "agree":
		if err = reg.Agree(ctx, pos[0], rating, reason, by, wopts...); err == nil {
			saved(ctx, stdout, reg, pos[0], "rating %s agreed on %s", ratingWord(rating), day)
		}
	case "remove":
		if err = reg.Remove(ctx, pos[0], register.RemovalReason(pos[1]), by, evidence, wopts...); err == nil {
			fmt.Fprintf(stdout, "saved: %s removed from the register on %s (%s)\n", pos[0], day, pos[1])
		}
	case "refer":
		if err = reg.Refer(ctx, ref, by, wopts...); err == nil {
			fmt.Fprintf(stdout, "saved: request %s from %s, received %s; a decision is due on the worklist (R-REQ-1)\n", ref.ID, ref.Source, ref.Received)
		}
	case "decide":
		if err = reg.Decide(ctx, pos[0], outcome, f.reasons, f.nextSteps, by, wopts...); err == nil {
			fmt.Fprintf(stdout, "saved: request %s %sed on %s (R-REQ-1)\n", pos[0], outcome, day)
		}
	case "update-details":
		var changed []string
		if _, changed, err = reg.ChangeDetails(ctx, pos[0], patch, by, wopts...); err == nil {
			if len(changed) == 0 {
				fmt.Fprintf(stdout, "nothing saved: the details of %s are already as given\n", pos[0])
			} else {
				saved(ctx, stdout, reg, pos[0], "details changed: %s", strings.Join(changed, ", "))
			}
		}
	case "referral-made":
		e := dsr.Event{Type: dsr.EventAdultReferralMade, Date: day}
		if err = reg.Record(ctx, pos[0], e, by, wopts...); err == nil {
			saved(ctx, stdout, reg, pos[0], "referral to the adult register recorded as made on %s (R-REM-1)", day)
		}
	case "list":
		err = runList(ctx, reg, by, asOf, filter, f.names, asJSON, stdout)
	case "show":
		var v *personView
		if v, err = showPerson(ctx, reg, pos[0], asOf, by, why); err == nil {
			if asJSON {
				err = writeJSON(stdout, v)
			} else {
				printPerson(stdout, v)
			}
		}
	case "find":
		var ids []string
		if ids, err = find(ctx, reg, by, f.nhs, f.id, f.name, why); err == nil {
			if asJSON {
				err = writeJSON(stdout, ids)
			} else {
				fmt.Fprintf(stdout, "%d found\n", len(ids))
				for _, id := range ids {
					fmt.Fprintln(stdout, id)
				}
			}
		}
	case "due":
		var items []register.WorkItem
		if items, err = reg.Due(ctx, asOf); err == nil {
			items = filterWorklist(items, f.person, filter)
			if err = reg.AuditBulk(ctx, "register due", filter.String(), asOf, register.PeopleIn(items), by); err != nil {
				break
			}
			var names map[string]string
			if mayReadNames(by.Role) {
				names, err = workNames(ctx, reg, items, by)
			}
			if err != nil {
				break
			}
			if asJSON {
				err = writeJSON(stdout, namedItems(items, names))
			} else {
				printWorklist(stdout, items, names, asOf)
			}
		}
	case "verify":
		if err = reg.Verify(ctx); err == nil {
			fmt.Fprintln(stdout, "log verified: every record links to the one before")
		}
	case "rekey":
		err = rekey(ctx, reg, *keyFile, newKeyFile, stdout)
	case "audit":
		var entries []register.AuditEntry
		if entries, err = reg.Audit(ctx, pos[0], by); err == nil {
			if asJSON {
				err = writeJSON(stdout, entries)
			} else {
				printAudit(stdout, pos[0], entries)
			}
		}
	case "history":
		var h []register.HistoryEntry
		if h, err = reg.History(ctx, pos[0], by, register.Because(why)); err == nil {
			if asJSON {
				err = writeJSON(stdout, h)
			} else {
				printHistory(stdout, pos[0], h)
			}
		}
	}
	store.Close()
	if err != nil {
		if created {
			removeRegister(*db)
		}
		return reportInput(stderr, group, err)
	}
	if created {
		errorf(stderr, "%s: created the register %s", group, *db)
	}
	return exitOK
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func ratingWord(r dsr.Rating) string {
	if r == dsr.Unrated {
		return "-"
	}
	return strings.ToUpper(r.String())
}

// printWorklist prints the worklist as a table, with people's names where
// names holds them.
func printWorklist(w io.Writer, items []register.WorkItem, names map[string]string, asOf calendar.Date) {
	overdue := 0
	for _, it := range items {
		if it.Overdue {
			overdue++
		}
	}
	fmt.Fprintf(w, "Worklist on %s: %d items, %d overdue\n\n", asOf, len(items), overdue)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "PERSON\tOF RECORD\tSUGGESTED\tAGREED\tACTION\tRULE\tDUE\tOVERDUE\tWHO\tWHY")
	for _, it := range items {
		person := it.PersonID
		if n := names[it.PersonID]; n != "" {
			person += " (" + n + ")"
		}
		if it.ReferralID != "" {
			person = "request " + it.ReferralID
		}
		agreed := ratingWord(it.AgreedRating)
		if it.AgreedRating != dsr.Unrated && it.AgreedRating != it.Rating {
			agreed += " (differs)"
		}
		due := it.DueDate().String()
		if !it.DueAt.IsZero() {
			due = it.DueAt.In(calendar.London).Format("2006-01-02 15:04")
		}
		od := ""
		if it.Overdue {
			od = fmt.Sprintf("yes, %d days", asOf.Sub(it.DueDate()))
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", person, ratingWord(it.RatingOfRecord), ratingWord(it.Rating), agreed, it.Kind, it.Rule, due, orDash(od), orDash(it.Who), it.Reason)
	}
	tw.Flush()
}

// printHistory prints a person's timeline.
func printHistory(w io.Writer, id string, h []register.HistoryEntry) {
	fmt.Fprintf(w, "History of %s: %d records\n\n", id, len(h))
	for _, e := range h {
		fmt.Fprintf(w, "#%d  %s  %s  by %s (%s)\n", e.Version, e.At.In(calendar.London).Format("2006-01-02 15:04"), e.Type, e.By.ID, e.By.Role)
		switch {
		case e.Erased:
			fmt.Fprintln(w, "    erased after consent was withdrawn (R-CONS-4): only the audit trail remains")
			continue
		case e.Summary != "":
			fmt.Fprintf(w, "    %s\n", e.Summary)
		}
		if e.Rules != nil {
			fmt.Fprintf(w, "    on register: %v  suggested: %s  agreed: %s\n", e.OnRegister, ratingWord(e.Rating), ratingWord(e.AgreedRating))
			fmt.Fprintf(w, "    rules: %s\n", strings.Join(e.Rules, " "))
		}
	}
}
