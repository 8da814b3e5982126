package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/dsrkit/dsrkit/cetr"
	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/policies"
	"github.com/dsrkit/dsrkit/register"
	"github.com/dsrkit/dsrkit/report"
	"github.com/dsrkit/dsrkit/server"
)

// cliNow is the clock of the review and bluelight commands (tests set it).
var cliNow = time.Now

const reviewUsageText = `Usage: dsr review COMMAND --db FILE [--by ID --role ROLE] [options] ARGS

Plan, hold and follow up Care (Education) and Treatment Reviews on a register
kept in a SQLite file. Each write saves the review record in the person's
record (encrypted, hash-chained) with the events it adds: review_held when
held, rating_agreed when the rating is re-agreed (R-REV-2), report_sent when
the report goes. Open recommendations, the report and the rating to re-agree
join 'dsr register due'.

Commands:
  plan FILE|-         plan a review, or change one not yet held: JSON
                      {"id", "person_id", "kind", "planned", "starts_at",
                       "commissioner", "consent": {...}, "papers": [...],
                       "papers_sent", "panel": [...]}
  hold ID FILE|-      hold it: JSON {"held", "outcome", "note",
                       "findings": {"safe": "...", ...}, "panel": [...],
                       "papers_sent", "rating": {"date", "rating", "by", "reason"}}
  recommend ID FILE|- add recommendations {"who", "what", "due"} (one or an
                      array); with "id" set, close one: {"id", "status":
                      "done"|"dropped", "closed", "reason"} or record its
                      escalation {"id", "escalated"}
  report ID FILE|-    send the report: JSON {"sent", "recipients": [{"role",
                      "name"}], "rating": {...}}
  summary ID          print the review as Markdown, grouped by the key lines
                      of enquiry (--json: the record as JSON; --html: a
                      standalone, printable HTML page)

A valid input for each write, in examples/register/: review-plan.json,
review-hold.json, review-recommend.json, review-report.json; 'dsr schema
review' gives their shape. Every write takes --at DATE|INSTANT for an entry
made after the fact (see 'dsr register -h').

Options:
  --db FILE|URL      the register: a SQLite file (default dsr.db), or a
                     PostgreSQL database postgres://… (or DSR_DATABASE_URL)
  --policy NAME|DIR  embedded policy bundle or bundle directory (default %s);
                     its cetr_rules decision point sets the report deadlines,
                     papers lead time, escalation and education member of
                     reviews planned (Go defaults when the bundle has none)
  --set NAME=VALUE   override a bundle parameter, as 'dsr assess --set'
                     (repeatable)
  --json             print summary as JSON
  --html             print summary as a standalone HTML page
` + timeoutUsageText + decisionLogUsageText

func reviewUsage(w io.Writer) { fmt.Fprintf(w, reviewUsageText, policies.DefaultBundle) }

// The inputs of `dsr review plan`, `hold` and `report`, and the functions
// that apply them, are the service's (package server), so the command and
// POST /v1/reviews take the same JSON by the same rules.
type (
	reviewPlanInput   = server.ReviewPlan
	reviewHoldInput   = server.ReviewHold
	reviewReportInput = server.ReviewReport
)

// docCommand is the parsed common part of `dsr review` and `dsr bluelight`.
type docCommand struct {
	cmd    string
	pos    []string
	db     string
	policy string
	params paramFlag // --set
	by     register.Actor
	// keyFile is --key-file: the register's key file.
	keyFile string
	json    bool
	// html is --html: summary and minute print a standalone HTML page.
	html bool
	// at is --at: the write is entered after the fact (zero: now).
	at time.Time
}

// writeOptions are the register write options the flags give.
func (c *docCommand) writeOptions() []register.WriteOption {
	if c.at.IsZero() {
		return nil
	}
	return []register.WriteOption{register.At(c.at)}
}

// reviewSubcommands are the subcommands of `dsr review`.
var reviewSubcommands = []subcommand{
	{"plan", "FILE|-", false},
	{"hold", "ID FILE|-", false},
	{"recommend", "ID FILE|-", false},
	{"report", "ID FILE|-", false},
	{"summary", "ID", true},
}

// docCommands are the leaves of `dsr GROUP` (review, bluelight) in the
// command table: each parses its flags with parseDocCommand, then run runs
// it.
func docCommands(group string, usage func(io.Writer), subs []subcommand, run func(ctx context.Context, c *docCommand, stdin io.Reader, stdout, stderr io.Writer) int) []*command {
	var out []*command
	for _, sub := range subs {
		out = append(out, &command{name: sub.name, usage: usage, run: func(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
			c, code, ok := parseDocCommand(ctx, group, sub, args, usage, stdout, stderr)
			if !ok {
				return code
			}
			return run(ctx, c, stdin, stdout, stderr)
		}})
	}
	return out
}

// parseDocCommand parses the flags and arguments of `dsr GROUP CMD` for
// the subcommand sub (CMD): --db, --policy, --set, --timeout, --by and
// --role for all, --json for the one that prints (summary, minute).
func parseDocCommand(ctx context.Context, group string, sub subcommand, args []string, usage func(io.Writer), stdout, stderr io.Writer) (*docCommand, int, bool) {
	fset := newFlagSet(group + " " + sub.name)
	c := &docCommand{cmd: sub.name}
	dbFlag(fset, &c.db, "dsr.db")
	fset.StringVar(&c.policy, "policy", policies.DefaultBundle, "policy bundle")
	fset.Var(&c.params, "set", "override the bundle parameter `NAME=VALUE` (repeatable)")
	fset.StringVar(&c.keyFile, "key-file", "", "the register's key file")
	timeoutFlag(ctx, fset)
	decisionLogFlag(ctx, fset)
	fset.StringVar(&c.by.ID, "by", "", "staff id")
	fset.StringVar(&c.by.Role, "role", "", "staff role")
	if sub.json {
		fset.BoolVar(&c.json, "json", false, "JSON output")
		fset.BoolVar(&c.html, "html", false, "HTML output (a standalone page)")
	}
	var at string
	if !sub.json { // the commands that print read; the others write
		fset.StringVar(&at, "at", "", "entered after the fact: when it happened (DATE or RFC 3339 instant)")
	}
	n, what := wantArgs(sub.args)
	pos, code, ok := parseCommand(fset, args, usage, stdout, stderr, n, what)
	if !ok {
		return nil, code, false
	}
	if at != "" {
		t, err := parseAt(at)
		if err != nil {
			return nil, reportInput(stderr, group+" "+sub.name, err), false
		}
		c.at = t
	}
	if err := actorOf(&c.by); err != nil {
		if verr := checkActor(c.by); verr != nil {
			return nil, reportInput(stderr, group+" "+sub.name, verr), false
		}
		errorf(stderr, "%s %s: %v", group, sub.name, err)
		usage(stderr)
		return nil, exitUsage, false
	}
	if c.json && c.html {
		return nil, reportInput(stderr, group+" "+sub.name, &dsr.ValidationError{Field: "--html", Problem: "give --json or --html, not both"}), false
	}
	c.pos = pos
	return c, exitOK, true
}

// runReview is `dsr review COMMAND ...`. It checks the input before it
// opens the register, so a refusal leaves the register file untouched.
func runReview(ctx context.Context, c *docCommand, stdin io.Reader, stdout, stderr io.Writer) int {
	group := "review " + c.cmd
	var (
		plan reviewPlanInput
		hold reviewHoldInput
		recs []cetr.Recommendation
		rep  reviewReportInput
	)
	err := checkActor(c.by)
	if err == nil && c.cmd != "plan" {
		err = checkArgIDs("ID", c.pos[0])
	}
	if err == nil {
		switch c.cmd {
		case "plan":
			if err = decodeInput(c.pos[0], stdin, &plan); err == nil {
				err = checkArgIDs("id", plan.ID)
			}
			if err == nil && plan.PersonID != "" {
				err = checkArgIDs("person_id", plan.PersonID)
			}
		case "hold":
			err = decodeInput(c.pos[1], stdin, &hold)
		case "recommend":
			err = decodeOneOrMany(c.pos[1], stdin, &recs)
		case "report":
			err = decodeInput(c.pos[1], stdin, &rep)
		}
	}
	if err != nil {
		return reportInput(stderr, group, err)
	}
	if err := registerMustExist(c.db); err != nil {
		errorf(stderr, "%s: %v", group, err)
		return exitUsage
	}
	reg, store, engine, err := openRegister(ctx, c.db, c.policy, c.params, c.keyFile, stderr, register.WithClock(cliNow))
	if err != nil {
		errorf(stderr, "review: %v", err)
		return exitFailure
	}
	defer store.Close()

	if c.cmd == "plan" {
		prm, err := policies.CETRParams(ctx, engine)
		if err != nil {
			errorf(stderr, "review: %v", err)
			return exitFailure
		}
		r, err := planReview(ctx, reg, prm, &plan, c.by)
		if err == nil {
			err = reg.SaveReview(ctx, r, c.by, c.writeOptions()...)
		}
		if err != nil {
			return reportInput(stderr, group, err)
		}
		fmt.Fprintf(stdout, "review %s planned for %s on %s (%s)\n", r.ID, r.Person.ID, r.Planned, r.Type().Title())
		// The panel's advice (R-CETR-PANEL) is wanted while it can still be
		// acted on, not only in the summary.
		for _, w := range r.Warnings() {
			fmt.Fprintf(stdout, "warning: %s\n", w)
		}
		return exitOK
	}

	r, err := reg.FindReview(ctx, c.pos[0])
	if err != nil {
		return reportInput(stderr, group, err)
	}
	switch c.cmd {
	case "summary":
		switch {
		case c.json:
			err = writeJSON(stdout, r)
		case c.html:
			err = report.ReviewSummaryHTML(stdout, r)
		default:
			_, err = io.WriteString(stdout, r.Summary())
		}
		if err != nil {
			return reportInput(stderr, group, err)
		}
		return exitOK
	case "hold":
		err = holdReview(r, &hold)
	case "recommend":
		err = recommend(r, recs)
	case "report":
		err = server.SendReport(r, &rep)
	}
	if err == nil {
		err = reg.SaveReview(ctx, r, c.by, c.writeOptions()...)
	}
	if err != nil {
		return reportInput(stderr, group, fmt.Errorf("review %q: %w", r.ID, err))
	}
	fmt.Fprintf(stdout, "review %s of %s saved: %s\n", r.ID, r.Person.ID, reviewSaved(c.cmd, r))
	for _, w := range r.Warnings() {
		fmt.Fprintf(stdout, "warning: %s\n", w)
	}
	return exitOK
}

// planReview plans a new review with the parameters prm, or changes one
// not yet held (server.PlanReview).
func planReview(ctx context.Context, reg *register.Register, prm cetr.Params, in *reviewPlanInput, by register.Actor) (*cetr.Review, error) {
	return server.PlanReview(ctx, reg, prm, in, by)
}

func holdReview(r *cetr.Review, in *reviewHoldInput) error { return server.HoldReview(r, in) }

// recommend adds new recommendations (id 0) and closes or escalates those
// named by id (server.Recommend).
func recommend(r *cetr.Review, recs []cetr.Recommendation) error { return server.Recommend(r, recs) }

// reviewSaved says what a review write saved, in a few words.
func reviewSaved(cmd string, r *cetr.Review) string {
	switch cmd {
	case "hold":
		return fmt.Sprintf("held on %s (%s), review_held recorded", r.Held, r.Outcome)
	case "recommend":
		open := 0
		for _, rec := range r.Recommendations {
			if rec.IsOpen() {
				open++
			}
		}
		return fmt.Sprintf("%d recommendations, %d open", len(r.Recommendations), open)
	case "report":
		return "report sent, report_sent recorded"
	}
	return cmd
}
