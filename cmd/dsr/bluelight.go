package main

import (
	"context"
	"fmt"
	"io"

	"github.com/dsrkit/dsrkit/bluelight"
	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/policies"
	"github.com/dsrkit/dsrkit/register"
	"github.com/dsrkit/dsrkit/report"
	"github.com/dsrkit/dsrkit/server"
)

const bluelightUsageText = `Usage: dsr bluelight COMMAND --db FILE [--by ID --role ROLE] [options] ARGS

Record a Blue Light (Local Area Emergency Protocol) meeting on a register kept
in a SQLite file. The policy bundle decides whether the meeting may be called,
who must attend and what may be funded (its bluelight_criteria,
bluelight_invitees and bluelight_funding decision points and blue_light_*
parameters; national-2023 carries Wiltshire's numbers, docs/rules.md#blue-light).
Each write saves the meeting record in the person's record (encrypted,
hash-chained). Closing it appends blue_light_meeting to their history, so the
review within 72 hours, the funding stop and, for an unsatisfactory outcome,
the escalation join 'dsr register due'.

Commands:
  open FILE|-        call a meeting: JSON {"id", "person_id", "date_of_birth",
                     "person_invited", "criteria": {...}, "invitations_sent",
                     "call_at", "person": {...}}; "person" (as for 'dsr register
                     add', with consent given on or before the day of the call)
                     adds someone not yet on the register; date_of_birth
                     defaults to the register's
  attend ID FILE|-   who joined: {"role", "name"} (one or an array)
  step ID FILE|-     complete steps of the call in order: {"step", "notes"}
                     (one or an array)
  option ID FILE|-   options: {"rejections": [{"option", "reason"}],
                     "choice": {"option", "detail", "approved_by",
                     "clinical_justification"}}
  fund ID FILE|-     authorise support: {"support", "provider",
                     "provider_accredited", "start", "stop", "cost_pence",
                     "split": {...}, "split_agreed_by"}
  close ID FILE|-    close it: {"steps": [...], "closed_at", "outcome":
                     {"sustainable_placement", "notes"}}
  escalated ID FILE|-
                     the unsatisfactory outcome was escalated to the directors
                     of commissioning (R-BL-ESC): {"at", "to"}; the escalation
                     leaves the worklist
  minute ID          print the minute as Markdown (--json: the record;
                     --html: a standalone, printable HTML page)

A valid input for each write, in examples/register/: bluelight-open.json,
bluelight-attend.json, bluelight-step.json, bluelight-option.json,
bluelight-fund.json, bluelight-close.json, bluelight-escalated.json; 'dsr
schema meeting' gives their shape. A meeting held last night is entered the
next morning as it was: its call_at and closed_at say when.

Options:
  --db FILE|URL      the register: a SQLite file (default dsr.db), or a
                     PostgreSQL database postgres://… (or DSR_DATABASE_URL)
  --policy NAME|DIR  embedded policy bundle or bundle directory (default %s)
  --set NAME=VALUE   override a bundle parameter, as 'dsr assess --set'
                     (repeatable), e.g. --set blue_light_max_funded_hours=48
  --json             print minute as JSON
  --html             print minute as a standalone HTML page
` + timeoutUsageText + decisionLogUsageText

func bluelightUsage(w io.Writer) { fmt.Fprintf(w, bluelightUsageText, policies.DefaultBundle) }

// The inputs of `dsr bluelight open`, `option` and `close`, and the
// functions that apply them, are the service's (package server), so the
// command and POST /v1/meetings take the same JSON by the same rules.
type (
	bluelightOpenInput   = server.MeetingOpening
	bluelightOptionInput = server.MeetingOptions
	bluelightCloseInput  = server.MeetingClose
)

// bluelightSubcommands are the subcommands of `dsr bluelight`.
var bluelightSubcommands = []subcommand{
	{"open", "FILE|-", false},
	{"attend", "ID FILE|-", false},
	{"step", "ID FILE|-", false},
	{"option", "ID FILE|-", false},
	{"fund", "ID FILE|-", false},
	{"close", "ID FILE|-", false},
	{"minute", "ID", true},
	{"escalated", "ID FILE|-", false},
}

// runBlueLight is `dsr bluelight COMMAND ...`. It checks the input
// before it opens the register, so a refusal leaves the register file
// untouched.
func runBlueLight(ctx context.Context, c *docCommand, stdin io.Reader, stdout, stderr io.Writer) int {
	group := "bluelight " + c.cmd
	var (
		open   bluelightOpenInput
		as     []bluelight.Attendee
		steps  []bluelight.StepNote
		option bluelightOptionInput
		req    bluelight.FundingRequest
		closed bluelightCloseInput
		esc    bluelightEscalatedInput
	)
	err := checkActor(c.by)
	if err == nil && c.cmd != "open" {
		err = checkArgIDs("ID", c.pos[0])
	}
	if err == nil {
		switch c.cmd {
		case "open":
			if err = decodeInput(c.pos[0], stdin, &open); err == nil {
				err = checkArgIDs("id", open.ID)
			}
			if err == nil && open.PersonID != "" {
				err = checkArgIDs("person_id", open.PersonID)
			}
		case "attend":
			err = decodeOneOrMany(c.pos[1], stdin, &as)
		case "step":
			err = decodeOneOrMany(c.pos[1], stdin, &steps)
		case "option":
			err = decodeInput(c.pos[1], stdin, &option)
		case "fund":
			err = decodeInput(c.pos[1], stdin, &req)
		case "close":
			err = decodeInput(c.pos[1], stdin, &closed)
		case "escalated":
			err = decodeInput(c.pos[1], stdin, &esc)
		}
	}
	if err != nil {
		return reportInput(stderr, group, err)
	}
	// Opening a meeting for someone not yet on the register adds them
	// ("person"), so it may create the register, as register add does.
	created := c.cmd == "open" && open.Person != nil && registerMissing(c.db)
	if !created {
		if err := registerMustExist(c.db); err != nil {
			errorf(stderr, "%s: %v", group, err)
			return exitUsage
		}
	}
	reg, store, engine, err := openRegister(ctx, c.db, c.policy, c.params, c.keyFile, stderr, register.WithClock(cliNow))
	if err != nil {
		errorf(stderr, "bluelight: %v", err)
		if created {
			removeRegister(c.db)
		}
		return exitFailure
	}
	defer store.Close()
	rules := policies.BlueLightRules(engine) // Go defaults for points the bundle lacks

	if c.cmd == "open" {
		m, err := openMeeting(ctx, reg, rules, &open, c.by)
		if err == nil {
			err = reg.SaveMeeting(ctx, m, c.by, open.Person, c.writeOptions()...)
		}
		if err != nil {
			if created {
				store.Close()
				removeRegister(c.db)
			}
			return reportInput(stderr, group, err)
		}
		if created {
			errorf(stderr, "%s: created the register %s", group, c.db)
		}
		rec := m.Record()
		fmt.Fprintf(stdout, "Blue Light meeting %s opened for %s\n", rec.ID, rec.PersonID)
		for _, w := range rec.Warnings {
			fmt.Fprintf(stdout, "warning: %s (%s)\n", w.Message, w.Rule)
		}
		return exitOK
	}

	m, err := reg.FindMeeting(ctx, c.pos[0], rules)
	if err != nil {
		return reportInput(stderr, group, err)
	}
	switch c.cmd {
	case "minute":
		switch {
		case c.json:
			err = writeJSON(stdout, m.Record())
		case c.html:
			err = report.MinuteHTML(stdout, m)
		default:
			_, err = io.WriteString(stdout, m.Minute())
		}
		if err != nil {
			return reportInput(stderr, group, err)
		}
		return exitOK
	case "attend":
		err = m.Attend(as...)
	case "step":
		err = completeSteps(m, steps)
	case "option":
		for _, r := range option.Rejections {
			if err = m.Reject(r.Option, r.Reason); err != nil {
				break
			}
		}
		if err == nil && option.Choice != nil {
			err = m.Choose(*option.Choice)
		}
	case "fund":
		err = m.Fund(ctx, req)
	case "close":
		if err = completeSteps(m, closed.Steps); err == nil {
			err = m.Close(closed.ClosedAt, closed.Outcome)
		}
	case "escalated":
		if err = m.MarkEscalated(esc.At, esc.To, c.by.ID); err == nil && esc.At.After(cliNow()) {
			err = &dsr.ValidationError{Field: "at", Rule: "R-BL-ESC", Problem: "is in the future: record an escalation once it is made"}
		}
	}
	if err == nil {
		err = reg.SaveMeeting(ctx, m, c.by, nil, c.writeOptions()...)
	}
	rec := m.Record()
	if err != nil {
		return reportInput(stderr, group, fmt.Errorf("meeting %q: %w", rec.ID, err))
	}
	fmt.Fprintf(stdout, "Blue Light meeting %s of %s saved\n", rec.ID, rec.PersonID)
	if e := rec.Escalation; c.cmd == "escalated" && e != nil {
		fmt.Fprintf(stdout, "escalation to %s recorded at %s: it leaves the worklist (R-BL-ESC)\n", e.To, e.At.In(calendar.London).Format("2006-01-02 15:04"))
	}
	if c.cmd == "close" {
		if missing := m.MissingRoles(); len(missing) > 0 {
			fmt.Fprintf(stdout, "warning: %d required roles did not attend (R-BL-INVITE)\n", len(missing))
		}
		if bad, why := m.Unsatisfactory(); bad {
			fmt.Fprintf(stdout, "escalate to the directors of commissioning (R-BL-ESC): %v\n", why)
		}
	}
	return exitOK
}

// openMeeting calls a meeting from the JSON of `dsr bluelight open`
// (server.OpenMeeting).
func openMeeting(ctx context.Context, reg *register.Register, rules bluelight.Rules, in *bluelightOpenInput, by register.Actor) (*bluelight.Meeting, error) {
	return server.OpenMeeting(ctx, reg, rules, in, by)
}

// completeSteps completes steps of the call in the order given.
func completeSteps(m *bluelight.Meeting, steps []bluelight.StepNote) error {
	return server.CompleteSteps(m, steps)
}
