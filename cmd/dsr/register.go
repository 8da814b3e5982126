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

Keep a Dynamic Support Register in a SQLite file. Only add creates the
file (and says so); every other command refuses a file that does not exist.
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
  report ID FILE|-           report circumstances (JSON, as in a case) from today
  agree ID RATING [--reason TEXT]
                             record the rating the multi-agency meeting agreed
  remove ID REASON [--evidence REF]
                             no_longer_at_risk (needs --evidence), consent_withdrawn,
                             aged_out, moved_area or died (R-REM-1)
  due [--as-of DATE]         print the worklist
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

Options:
  --db FILE|URL   the register: a SQLite file (default dsr.db), or a PostgreSQL
                  database postgres://… (or DSR_DATABASE_URL)
  --policy NAME   embedded policy bundle (default %s)
  --json          print due and history as JSON
  --key-file FILE the register's key file (or DSR_KEY_FILE; see Keys)
` + timeoutUsageText + `
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
}

// registerCommands are the leaves of `dsr register` in the command table.
func registerCommands() []*command {
	var out []*command
	for _, sub := range registerSubcommands {
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
	keyFile := fset.String("key-file", "", "the register's key file")
	timeoutFlag(ctx, fset)
	var by register.Actor
	fset.StringVar(&by.ID, "by", "", "staff id")
	fset.StringVar(&by.Role, "role", "", "staff role")
	var asJSON bool
	if sub.json {
		fset.BoolVar(&asJSON, "json", false, "JSON output")
	}
	var reason, evidence, asOfFlag string
	switch cmd {
	case "agree":
		fset.StringVar(&reason, "reason", "", "reason")
	case "remove":
		fset.StringVar(&evidence, "evidence", "", "evidence reference")
	case "due":
		fset.StringVar(&asOfFlag, "as-of", "", "date")
	}
	var why string
	if cmd == "history" {
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
		np     register.NewPerson
		ev     dsr.Event
		circ   dsr.Circumstances
		rating dsr.Rating
		asOf   = calendar.DateOf(time.Now())
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
		case "due":
			if asOfFlag != "" {
				if asOf, err = calendar.ParseDate(asOfFlag); err != nil {
					err = &dsr.ValidationError{Field: "--as-of", Problem: fmt.Sprintf("%q is not a date: want YYYY-MM-DD", asOfFlag)}
				}
			}
		}
	}
	if err != nil {
		return reportInput(stderr, group, err)
	}

	// Only add creates a register; it says so, and removes it again if
	// the first person is refused.
	created := cmd == "add" && registerMissing(*db)
	if !created {
		if err := registerMustExist(*db); err != nil {
			errorf(stderr, "%s: %v", group, err)
			return exitUsage
		}
	}
	reg, store, _, err := openRegister(ctx, *db, *policy, nil, *keyFile, stderr)
	if err != nil {
		errorf(stderr, "register: %v", err)
		if created {
			removeRegister(*db)
		}
		return exitFailure
	}
	today := calendar.DateOf(time.Now())

	switch cmd {
	case "add":
		err = reg.Add(ctx, np, by)
	case "record":
		err = reg.Record(ctx, pos[0], ev, by)
	case "report":
		err = reg.Report(ctx, pos[0], today, circ, by)
	case "agree":
		err = reg.Agree(ctx, pos[0], rating, reason, by)
	case "remove":
		err = reg.Remove(ctx, pos[0], register.RemovalReason(pos[1]), by, evidence)
	case "due":
		var items []register.WorkItem
		if items, err = reg.Due(ctx, asOf); err == nil {
			if asJSON {
				err = writeJSON(stdout, items)
			} else {
				printWorklist(stdout, items, asOf)
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

// printWorklist prints the worklist as a table.
func printWorklist(w io.Writer, items []register.WorkItem, asOf calendar.Date) {
	overdue := 0
	for _, it := range items {
		if it.Overdue {
			overdue++
		}
	}
	fmt.Fprintf(w, "Worklist on %s: %d items, %d overdue\n\n", asOf, len(items), overdue)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "PERSON\tSUGGESTED\tAGREED\tACTION\tRULE\tDUE\tOVERDUE")
	for _, it := range items {
		who := it.PersonID
		if it.ReferralID != "" {
			who = "request " + it.ReferralID
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
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", who, ratingWord(it.Rating), agreed, it.Kind, it.Rule, due, od)
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
