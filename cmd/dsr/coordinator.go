package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/register"
)

// The coordinator's commands of `dsr register`: list, show, find, refer,
// decide, update-details, referral-made, and --at on every write.

// parseAt reads --at: a date (YYYY-MM-DD, the start of that day in
// Europe/London) or an instant (RFC 3339), for an entry made after the
// fact. A bad value names the flag.
func parseAt(s string) (time.Time, error) {
	if d, err := calendar.ParseDate(s); err == nil {
		return d.Start(), nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, &dsr.ValidationError{Field: "--at", Problem: fmt.Sprintf("%q is not a date (YYYY-MM-DD) or an instant (RFC 3339, e.g. 2026-04-01T09:30:00+01:00)", s)}
	}
	return t, nil
}

// atDay is --at's day, or today without it.
func atDay(at time.Time, today calendar.Date) calendar.Date {
	if at.IsZero() {
		return today
	}
	return calendar.DateOf(at)
}

// parseRatingFilter reads --rating for list and due ("" for any).
func parseRatingFilter(s string) (dsr.Rating, error) {
	if s == "" {
		return dsr.Unrated, nil
	}
	r, err := dsr.ParseRating(s)
	if err != nil || r == dsr.Unrated {
		return dsr.Unrated, &dsr.ValidationError{Field: "--rating", Problem: fmt.Sprintf("%q is not a rating: want red, amber, green or blue", s)}
	}
	return r, nil
}

// mayReadNames reports whether role may see people's names on a list: the
// coordinators who keep the records, and admins.
func mayReadNames(role string) bool {
	return role == register.RoleCoordinator || role == register.RoleAdmin
}

// printList prints the coordinator's list as a table.
func printList(w io.Writer, entries []register.ListEntry, names map[string]string, asOf calendar.Date) {
	overdue := 0
	for _, e := range entries {
		if e.Overdue > 0 {
			overdue++
		}
	}
	fmt.Fprintf(w, "Register on %s: %d people, %d with overdue items\n\n", asOf, len(entries), overdue)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	if names != nil {
		fmt.Fprintln(tw, "PERSON\tNAME\tOF RECORD\tSUGGESTED\tAGREED\tTEAM\tCOORDINATOR\tITEMS\tOVERDUE\tNEXT DUE")
	} else {
		fmt.Fprintln(tw, "PERSON\tOF RECORD\tSUGGESTED\tAGREED\tTEAM\tCOORDINATOR\tITEMS\tOVERDUE\tNEXT DUE")
	}
	for _, e := range entries {
		agreed := ratingWord(e.AgreedRating)
		if e.Differs() {
			agreed += " (differs)"
		}
		next := "-"
		if !e.NextDue.IsZero() {
			next = e.NextDue.String()
		}
		row := []string{e.PersonID}
		if names != nil {
			row = append(row, orDash(names[e.PersonID]))
		}
		row = append(row, ratingWord(e.RatingOfRecord), ratingWord(e.Rating), agreed, orDash(e.Team), orDash(e.CareCoordinator),
			fmt.Sprint(e.Items), fmt.Sprint(e.Overdue), next)
		fmt.Fprintln(tw, strings.Join(row, "\t"))
	}
	tw.Flush()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// personView is what `register show` prints, and its JSON.
type personView struct {
	Details    register.Details       `json:"details"`
	Assessment dsr.Assessment         `json:"assessment"`
	Reviews    []dsr.Event            `json:"last_reviews"`
	Meetings   []dsr.Event            `json:"last_meetings"`
	Documents  []register.DocumentRef `json:"documents"`
}

// lastShown is how many reviews and meetings show lists.
const lastShown = 3

// showPerson gathers a person's view: their details (an audited read),
// the assessment on asOf and their latest reviews and meetings.
func showPerson(ctx context.Context, reg *register.Register, id string, asOf calendar.Date, by register.Actor, why string) (*personView, error) {
	d, err := reg.Details(ctx, id, by, register.Because(why))
	if err != nil {
		return nil, err
	}
	a, err := reg.Assess(ctx, id, asOf)
	if err != nil {
		return nil, err
	}
	c, err := reg.Case(ctx, id, asOf, by, register.Because(why))
	if err != nil {
		return nil, err
	}
	v := &personView{Details: d, Assessment: a, Reviews: []dsr.Event{}, Meetings: []dsr.Event{}, Documents: []register.DocumentRef{}}
	for i := len(c.Events) - 1; i >= 0; i-- {
		e := c.Events[i]
		switch {
		case e.Type == dsr.EventReviewHeld && len(v.Reviews) < lastShown:
			v.Reviews = append(v.Reviews, e)
		case e.Type == dsr.EventBlueLightMeeting && len(v.Meetings) < lastShown:
			v.Meetings = append(v.Meetings, e)
		}
	}
	for _, kind := range []string{register.ReviewKind, register.MeetingKind} {
		docs, err := reg.Documents(ctx, id, kind)
		if err != nil {
			return nil, err
		}
		for _, doc := range docs {
			v.Documents = append(v.Documents, register.DocumentRef{Kind: doc.Kind, ID: doc.ID})
		}
	}
	return v, nil
}

// printPerson prints a person's view in plain words.
func printPerson(w io.Writer, v *personView) {
	d, a := &v.Details, &v.Assessment
	p := &d.Person
	fmt.Fprintf(w, "%s", p.ID)
	if d.Name != "" {
		fmt.Fprintf(w, ": %s", d.Name)
	}
	fmt.Fprintf(w, "\n  NHS number %s, born %s (aged %d)", orDash(string(p.NHSNumber)), p.DateOfBirth, p.AgeOn(a.AsOf))
	if p.Postcode != "" {
		fmt.Fprintf(w, ", postcode %s", p.Postcode)
	}
	fmt.Fprintln(w)
	if d.Address != "" {
		fmt.Fprintf(w, "  address: %s\n", d.Address)
	}
	printEntry(w, &d.Entry)

	fmt.Fprintf(w, "\nOn %s: on the register %v; rating of record %s (suggested %s, agreed %s); review type %s\n",
		a.AsOf, yesNo(a.OnRegister), ratingWord(a.RatingOfRecord), ratingWord(a.Rating), ratingWord(a.AgreedRating), orDash(strings.ToUpper(a.ReviewType)))
	consent := "does not hold"
	if a.Consent.Valid {
		consent = "holds, given by " + a.Consent.GivenBy
	}
	fmt.Fprintf(w, "  consent for inclusion %s\n", consent)
	fmt.Fprintln(w, "\nWhy:")
	for _, r := range a.Reasons {
		fmt.Fprintf(w, "  - %s (%s)\n", r.Message, r.Rule)
	}
	fmt.Fprintf(w, "\nOpen actions: %d\n", len(a.Actions))
	for _, act := range a.Actions {
		od := ""
		if act.Overdue {
			od = ", OVERDUE"
		}
		fmt.Fprintf(w, "  - %s due %s%s: %s (%s)\n", act.Kind, act.DueDate(), od, act.Reason, act.Rule)
	}
	fmt.Fprintf(w, "\nLast reviews: %d\n", len(v.Reviews))
	for _, e := range v.Reviews {
		fmt.Fprintf(w, "  - %s %s\n", e.Day(), orDash(string(e.Kind)))
	}
	fmt.Fprintf(w, "Last Blue Light meetings: %d\n", len(v.Meetings))
	for _, e := range v.Meetings {
		fmt.Fprintf(w, "  - %s\n", e.Instant().In(calendar.London).Format("2006-01-02 15:04"))
	}
	if len(v.Documents) > 0 {
		fmt.Fprintln(w, "Documents:")
		for _, doc := range v.Documents {
			fmt.Fprintf(w, "  - %s %s\n", doc.Kind, doc.ID)
		}
	}
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// printEntry prints the register entry's fields that are recorded
// (R-DATA-1).
func printEntry(w io.Writer, e *dsr.Entry) {
	line := func(label, v string) {
		if v != "" {
			fmt.Fprintf(w, "  %s: %s\n", label, v)
		}
	}
	flag := func(label string, v *bool) {
		if v != nil {
			line(label, yesNo(*v))
		}
	}
	date := func(label string, d calendar.Date) {
		if !d.IsZero() {
			line(label, d.String())
		}
	}
	line("gender", e.Gender)
	line("ethnicity", e.Ethnicity)
	line("primary diagnosis", e.PrimaryDiagnosis)
	line("secondary diagnosis", e.SecondaryDiagnosis)
	line("accommodation", e.Accommodation)
	line("placement", strings.ReplaceAll(e.Placement, "_", " "))
	line("responsible authority", e.ResponsibleAuthority)
	flag("section 117 aftercare", e.Section117)
	if f := e.Funding; f != nil {
		line("funding", fmt.Sprintf("health %d%%, social care %d%%, education %d%%", f.Health, f.SocialCare, f.Education))
	}
	line("care provider", e.CareProvider)
	flag("on CPA or equivalent", e.OnCPA)
	flag("care plan", e.CarePlan)
	flag("risk assessment", e.RiskAssessment)
	flag("crisis plan", e.CrisisPlan)
	date("crisis plan last reviewed", e.CrisisPlanReviewed)
	line("care coordinator", e.CareCoordinator)
	line("social worker", e.SocialWorker)
	line("advocate", e.Advocate)
	line("team", e.Team)
	flag("personal health budget offered", e.PersonalHealthBudgetOffered)
	flag("risk of admission", e.RiskOfAdmission)
	flag("risk of placement breakdown", e.RiskOfPlacementBreakdown)
	line("risk reason", e.RiskReason)
	if len(e.PreviousAdmissions) > 0 {
		ds := make([]string, len(e.PreviousAdmissions))
		for i, d := range e.PreviousAdmissions {
			ds[i] = d.String()
		}
		line("previous admissions", strings.Join(ds, ", "))
	}
	date("keyworker referral", e.KeyworkerReferral)
	for _, m := range e.Mitigations {
		line("mitigation", m)
	}
}

// findInput is what `register find` looks for: exactly one of the three.
func findBy(nhs, id, name string) (string, error) {
	n := 0
	for _, v := range []string{nhs, id, name} {
		if v != "" {
			n++
		}
	}
	if n != 1 {
		return "", &dsr.ValidationError{Field: "--nhs|--id|--name", Problem: "give exactly one of --nhs NUMBER, --id ID or --name NAME"}
	}
	switch {
	case nhs != "":
		if _, err := dsr.ParseNHSNumber(nhs); err != nil {
			return "", &dsr.ValidationError{Field: "--nhs", Problem: "not a valid NHS number: ten digits passing the Modulus 11 check"}
		}
		return "nhs", nil
	case id != "":
		return "id", checkArgIDs("--id", id)
	}
	return "name", dsr.CheckText("--name", "", name, 500)
}

// find returns the local ids of the people a find names.
func find(ctx context.Context, reg *register.Register, by register.Actor, nhs, id, name, why string) ([]string, error) {
	switch {
	case nhs != "":
		n, _ := dsr.ParseNHSNumber(nhs)
		pid, err := reg.FindNHSNumber(ctx, n, by, register.Because(why))
		if err != nil {
			if isNotFound(err) {
				return []string{}, nil
			}
			return nil, err
		}
		return []string{pid}, nil
	case id != "":
		if _, err := reg.Version(ctx, id); err != nil {
			if isNotFound(err) {
				return []string{}, nil
			}
			return nil, err
		}
		return []string{id}, nil
	}
	return reg.FindName(ctx, name, by, register.Because(why))
}

func isNotFound(err error) bool { return errors.Is(err, register.ErrNotFound) }

// coordFlags are the flags of the coordinator's commands.
type coordFlags struct {
	reasons, nextSteps string // decide
	nhs, id, name      string // find
	rating             string // due, list
	overdue            bool   // due, list
	differ, names      bool   // list
	dueBefore          string // list
	team, coordinator  string // list
	person             string // due
}

// filter is the list filter the flags give.
func (f *coordFlags) filter() (register.ListFilter, error) {
	r, err := parseRatingFilter(f.rating)
	if err != nil {
		return register.ListFilter{}, err
	}
	lf := register.ListFilter{Rating: r, Differs: f.differ, Overdue: f.overdue, Team: f.team, CareCoordinator: f.coordinator}
	if f.dueBefore != "" {
		if lf.DueBefore, err = calendar.ParseDate(f.dueBefore); err != nil {
			return register.ListFilter{}, &dsr.ValidationError{Field: "--due-before", Problem: fmt.Sprintf("%q is not a date: want YYYY-MM-DD", f.dueBefore)}
		}
	}
	for _, t := range []struct{ flag, v string }{{"--team", f.team}, {"--coordinator", f.coordinator}} {
		if err := dsr.CheckText(t.flag, "", t.v, 500); err != nil {
			return register.ListFilter{}, err
		}
	}
	return lf, nil
}

// saved prints what a write saved, with the person's version after it.
func saved(ctx context.Context, w io.Writer, reg *register.Register, id, format string, args ...any) {
	v, _ := reg.Version(ctx, id)
	fmt.Fprintf(w, "saved: %s: %s (version %d)\n", id, fmt.Sprintf(format, args...), v)
}

// describe says what an event is, in a few words.
func describe(e *dsr.Event) string {
	s := string(e.Type)
	if e.Kind != "" {
		s += " (" + string(e.Kind) + ")"
	}
	if !e.At.IsZero() {
		return s + " at " + e.At.In(calendar.London).Format("2006-01-02 15:04")
	}
	return s + " on " + e.Day().String()
}

// reportJSON is the JSON of `dsr register report`: the circumstances, as
// in a case, and the bundle's declared inputs (R-INPUT-1).
type reportJSON struct {
	dsr.Circumstances
	Inputs map[string]dsr.InputValue `json:"inputs,omitempty"`
}

// circumstancesWords lists the circumstances reported true, then the
// declared inputs given, by name.
func circumstancesWords(c dsr.Circumstances, inputs map[string]dsr.InputValue) string {
	var on []string
	for i, f := range c.Fields() {
		if *f {
			on = append(on, dsr.CircumstanceNames[i])
		}
	}
	for _, name := range slices.Sorted(maps.Keys(inputs)) {
		v, _ := json.Marshal(inputs[name])
		on = append(on, name+"="+string(v))
	}
	if len(on) == 0 {
		return "none"
	}
	return strings.Join(on, ", ")
}

// runList is `dsr register list`: with --names, the names of the people
// listed (coordinators and admins only; each read audited).
func runList(ctx context.Context, reg *register.Register, by register.Actor, asOf calendar.Date, filter register.ListFilter, withNames, asJSON bool, stdout io.Writer) error {
	if withNames && !mayReadNames(by.Role) {
		return &dsr.ValidationError{Field: "--names", Problem: fmt.Sprintf("the role %s may not see names: coordinator or admin", by.Role)}
	}
	entries, err := reg.List(ctx, asOf, filter)
	if err != nil {
		return err
	}
	if err := reg.AuditBulk(ctx, "register list", filter.String(), asOf, register.IDs(entries), by); err != nil {
		return err
	}
	var names map[string]string
	if withNames {
		names = map[string]string{}
		for _, e := range entries {
			d, err := reg.Details(ctx, e.PersonID, by, register.Because("register list --names"))
			if err != nil {
				return err
			}
			names[e.PersonID] = d.Name
		}
	}
	if asJSON {
		type named struct {
			register.ListEntry
			Name string `json:"name,omitempty"`
		}
		out := make([]named, len(entries))
		for i, e := range entries {
			out[i] = named{e, names[e.PersonID]}
		}
		return writeJSON(stdout, out)
	}
	printList(stdout, entries, names, asOf)
	return nil
}

// filterWorklist keeps the items of person (any when ""), of the rating of
// record and overdue as filter says.
func filterWorklist(items []register.WorkItem, person string, filter register.ListFilter) []register.WorkItem {
	out := items[:0:0]
	out = append(out, []register.WorkItem{}...)
	for _, it := range items {
		switch {
		case person != "" && it.PersonID != person,
			filter.Rating != dsr.Unrated && it.RatingOfRecord != filter.Rating,
			filter.Overdue && !it.Overdue:
			continue
		}
		out = append(out, it)
	}
	return out
}

// workNames reads the name of each person on the worklist (an audited
// read each).
func workNames(ctx context.Context, reg *register.Register, items []register.WorkItem, by register.Actor) (map[string]string, error) {
	names := map[string]string{}
	for _, it := range items {
		if it.PersonID == "" {
			continue
		}
		if _, ok := names[it.PersonID]; ok {
			continue
		}
		d, err := reg.Details(ctx, it.PersonID, by, register.Because("register due"))
		if err != nil {
			return nil, err
		}
		names[it.PersonID] = d.Name
	}
	return names, nil
}

// namedItem is a worklist item as `due --json` prints it.
type namedItem struct {
	register.WorkItem
	Name string `json:"name,omitempty"`
}

func namedItems(items []register.WorkItem, names map[string]string) []namedItem {
	out := make([]namedItem, len(items))
	for i, it := range items {
		out[i] = namedItem{it, names[it.PersonID]}
	}
	return out
}
