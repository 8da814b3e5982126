package transfer

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/register"
)

// ErrRejected is what Import returns when the sheet has a problem: the
// report lists every one, and nothing was written.
var ErrRejected = errors.New("transfer: the sheet has problems: nothing imported")

// Problem is one thing wrong with the sheet, where it is and what is
// wrong. Value is the cell as the sheet has it, only for a column that
// identifies nobody (Field.Shown); for the others it is withheld, so a
// report can be shared with whoever fixes the sheet without naming anyone.
type Problem struct {
	Sheet string `json:"sheet"`
	// Row is the row as the spreadsheet numbers it; 0 for the sheet as a
	// whole (a column missing, say).
	Row int `json:"row,omitempty"`
	// Column is the column's letter and Heading its heading.
	Column  string `json:"column,omitempty"`
	Heading string `json:"heading,omitempty"`
	Field   string `json:"field,omitempty"`
	Value   string `json:"value,omitempty"`
	// Withheld says the cell's value is not shown: it could identify the
	// person.
	Withheld bool   `json:"withheld,omitempty"`
	Problem  string `json:"problem"`
	Rule     string `json:"rule,omitempty"`
}

// String is the problem as the text report prints it: where, the value
// (or "value withheld") and what is wrong.
func (p Problem) String() string {
	var b strings.Builder
	b.WriteString(p.Sheet)
	if p.Row > 0 {
		fmt.Fprintf(&b, " row %d", p.Row)
	}
	if p.Column != "" {
		fmt.Fprintf(&b, " column %s", p.Column)
	}
	if p.Heading != "" {
		fmt.Fprintf(&b, " (%s)", p.Heading)
	}
	switch {
	case p.Withheld:
		b.WriteString(" value withheld")
	case p.Value != "":
		fmt.Fprintf(&b, " value %q", p.Value)
	}
	fmt.Fprintf(&b, ": %s", p.Problem)
	if p.Rule != "" {
		fmt.Fprintf(&b, " (%s)", p.Rule)
	}
	return b.String()
}

// RowRef names a row of the sheet.
type RowRef struct {
	Sheet string `json:"sheet"`
	Row   int    `json:"row"`
	Why   string `json:"why,omitempty"`
}

// Report is what Import found and did.
type Report struct {
	Sheet     string `json:"sheet"`
	Mapping   string `json:"mapping"`
	HeaderRow int    `json:"header_row"`
	// Columns are the mapped columns found: field to column letter.
	Columns map[string]string `json:"columns"`
	// Unmapped are headings of the sheet no column of the mapping names
	// (ignored); Missing the mapping's headings not found.
	Unmapped []string `json:"unmapped,omitempty"`
	Missing  []string `json:"missing,omitempty"`
	// Rows is how many rows of people were read, Blank how many blank
	// rows were skipped.
	Rows  int `json:"rows"`
	Blank int `json:"blank"`
	// Problems lists every problem; with any, nothing is written.
	Problems []Problem `json:"problems"`
	// NoConsent lists the people not imported because no consent for
	// inclusion is recorded or it does not hold (R-CONS-1).
	NoConsent []RowRef `json:"no_consent"`
	// Already lists the people already on the register (matched by local
	// id or NHS number through their pseudonyms), not added again.
	Already []RowRef `json:"already"`
	// Added is how many people were added (DryRun: would be).
	Added  int  `json:"added"`
	DryRun bool `json:"dry_run"`
	// Written says the register was written to.
	Written bool `json:"written"`
}

// Options refine an import.
type Options struct {
	// By is who imports (required): the people are added in their name.
	By register.Actor
	// DryRun checks everything and writes nothing.
	DryRun bool
	// Progress, if set, is called as rows are read and checked.
	Progress func(done, total int)
}

// Import reads the people of t as m maps them and adds them to reg, all
// or nothing (register.AddAll): every problem of every row is reported
// (Report.Problems) and, with any, nothing is written and the error is
// ErrRejected. People with no consent for inclusion recorded (or none that
// holds) are listed and not imported (R-CONS-1); people already on the
// register are listed and not added again. A dry run does all the checks
// and writes nothing.
func Import(ctx context.Context, reg *register.Register, t *Table, m *Mapping, opts Options) (*Report, error) {
	if err := opts.By.Validate(); err != nil {
		return nil, fmt.Errorf("transfer: import: %w", err)
	}
	rep := &Report{Sheet: t.Name, Mapping: m.Name, DryRun: opts.DryRun, Columns: map[string]string{}, Problems: []Problem{}, NoConsent: []RowRef{}, Already: []RowRef{}}
	today := reg.Today()
	cols, header := locate(t, m, rep)
	if header < 0 {
		return rep, ErrRejected
	}
	env := parseEnv{pivot: today}
	var (
		people []register.NewPerson
		rowOf  []int
		rows   = map[int]*scrub{}
		idRow  = map[string]int{}
		nhsRow = map[dsr.NHSNumber]int{}
	)
	data := t.Rows[header+1:]
	for k := range data {
		row := &data[k]
		if opts.Progress != nil && k%500 == 0 {
			opts.Progress(k, len(data))
		}
		if blankRow(row, cols) {
			rep.Blank++
			continue
		}
		rep.Rows++
		np, sc, ok, why := convert(row, cols, env, today, opts.By, rep, func(n dsr.NHSNumber) string { return reg.PersonStream(string(n)) })
		if why != "" {
			rep.NoConsent = append(rep.NoConsent, RowRef{Sheet: t.Name, Row: row.Number, Why: why})
			continue
		}
		if !ok {
			continue
		}
		// One person, one row: a second row for the same local id or
		// NHS number is a problem of the sheet, named by the first row.
		if first, dup := idRow[np.Person.ID]; dup {
			rep.Problems = append(rep.Problems, Problem{Sheet: t.Name, Row: row.Number, Column: rep.Columns["id"], Field: "id", Withheld: true,
				Problem: fmt.Sprintf("the same local id as row %d: one row a person", first)})
			continue
		}
		if first, dup := nhsRow[np.Person.NHSNumber]; dup && np.Person.NHSNumber != "" {
			rep.Problems = append(rep.Problems, Problem{Sheet: t.Name, Row: row.Number, Column: rep.Columns["nhs_number"], Field: "nhs_number", Withheld: true,
				Problem: fmt.Sprintf("the same NHS number as row %d: one row a person", first)})
			continue
		}
		idRow[np.Person.ID], nhsRow[np.Person.NHSNumber] = row.Number, row.Number
		rows[row.Number] = sc
		people = append(people, np)
		rowOf = append(rowOf, row.Number)
	}
	if opts.Progress != nil {
		opts.Progress(len(data), len(data))
	}
	// The register checks the rows that converted even when others did
	// not, so that one report holds every problem; it writes only when
	// every row converted and passes.
	add := reg.CheckAll
	if !opts.DryRun && len(rep.Problems) == 0 {
		add = reg.AddAll // checks as CheckAll does, and writes only if all pass
	}
	res, err := add(ctx, people, opts.By)
	var be *register.BatchError
	if errors.As(err, &be) {
		// People whose consent does not hold are listed, not refused;
		// the rest are checked again without them.
		var keep []register.NewPerson
		var keepRows []int
		refused := map[int]bool{}
		for _, f := range be.Failures {
			var ce *register.ConsentError
			if errors.As(f.Err, &ce) {
				rep.NoConsent = append(rep.NoConsent, RowRef{Sheet: t.Name, Row: rowOf[f.Index], Why: consentWhy(ce)})
				refused[f.Index] = true
				continue
			}
			registerProblems(rep, t.Name, rowOf[f.Index], f.Err, cols, rows[rowOf[f.Index]])
			refused[f.Index] = true
		}
		if len(rep.Problems) > 0 {
			slices.SortStableFunc(rep.Problems, func(a, b Problem) int { return a.Row - b.Row })
			return rep, ErrRejected
		}
		for i := range people {
			if !refused[i] {
				keep = append(keep, people[i])
				keepRows = append(keepRows, rowOf[i])
			}
		}
		people, rowOf = keep, keepRows
		res, err = add(ctx, people, opts.By)
	}
	if err == nil && len(rep.Problems) > 0 {
		slices.SortStableFunc(rep.Problems, func(a, b Problem) int { return a.Row - b.Row })
		return rep, ErrRejected
	}
	if err != nil {
		if errors.As(err, &be) {
			for _, f := range be.Failures {
				registerProblems(rep, t.Name, rowOf[f.Index], f.Err, cols, rows[rowOf[f.Index]])
			}
			slices.SortStableFunc(rep.Problems, func(a, b Problem) int { return a.Row - b.Row })
			return rep, ErrRejected
		}
		return rep, fmt.Errorf("transfer: import: %w", err)
	}
	slices.SortFunc(rep.NoConsent, func(a, b RowRef) int { return a.Row - b.Row })
	for _, i := range res.Already {
		rep.Already = append(rep.Already, RowRef{Sheet: t.Name, Row: rowOf[i]})
	}
	rep.Added = len(res.Added)
	rep.Written = !opts.DryRun && len(res.Added) > 0
	return rep, nil
}

func consentWhy(ce *register.ConsentError) string {
	var rules []string
	for _, r := range ce.Reasons {
		if !slices.Contains(rules, r.Rule) && r.Rule != "" {
			rules = append(rules, r.Rule)
		}
	}
	if len(rules) == 0 {
		rules = []string{"R-CONS-1"}
	}
	return "the consent recorded does not hold (" + strings.Join(rules, ", ") + ")"
}

// column is a mapped column found in the sheet (index -1: none, the
// column's Default for every row).
type column struct {
	spec  *fieldSpec
	c     *Column
	index int
	// words are the column's Values by folded word.
	words map[string]string
}

func wordsOf(c *Column) map[string]string {
	if len(c.Values) == 0 {
		return nil
	}
	m := make(map[string]string, len(c.Values))
	for k, v := range c.Values {
		m[Word(k)] = v
	}
	return m
}

// locate finds the header row and the mapped columns, reporting what is
// missing; it returns the header's position in t.Rows, or -1.
func locate(t *Table, m *Mapping, rep *Report) ([]column, int) {
	// keys are the names each column of row i may be found by: its
	// heading, and "GROUP / HEADING" under a group heading in the row
	// above (merged across its columns in a workbook; in a CSV written
	// once, in its first column, and read on to the right).
	keys := func(i int) [][]string {
		row := &t.Rows[i]
		out := make([][]string, len(row.Cells))
		group := ""
		for j, c := range row.Cells {
			out[j] = []string{Heading(c)}
			if i == 0 {
				continue
			}
			if above := t.Rows[i-1].Cell(j); Heading(above) != "" {
				group = above
			}
			if Heading(group) != "" && Heading(group) != Heading(c) {
				out[j] = append(out[j], Heading(group+" / "+c))
			}
		}
		return out
	}
	wanted := map[string]int{} // folded heading → mapping column
	for i, c := range m.Columns {
		for _, h := range append([]string{c.Heading}, c.Aliases...) {
			if Heading(h) != "" {
				wanted[Heading(h)] = i
			}
		}
	}
	score := func(i int) int {
		found := map[int]bool{}
		for _, ks := range keys(i) {
			for _, k := range ks {
				if c, ok := wanted[k]; ok {
					found[c] = true
				}
			}
		}
		return len(found)
	}
	header := -1
	if m.HeaderRow > 0 {
		if m.HeaderRow <= len(t.Rows) {
			header = m.HeaderRow - 1
		}
	} else {
		best := 0
		for i := 0; i < len(t.Rows) && i < 30; i++ {
			if s := score(i); s > best {
				best, header = s, i
			}
		}
	}
	if header < 0 {
		rep.Problems = append(rep.Problems, Problem{Sheet: t.Name, Problem: "no row of headings the mapping knows: is it the right mapping?"})
		return nil, -1
	}
	rep.HeaderRow = t.Rows[header].Number
	at := map[int]int{} // mapping column → sheet column
	ks := keys(header)
	for j := range ks {
		matched := false
		for _, k := range ks[j] {
			if c, ok := wanted[k]; ok {
				if _, dup := at[c]; dup {
					rep.Problems = append(rep.Problems, Problem{Sheet: t.Name, Row: rep.HeaderRow, Column: columnName(j), Heading: t.Rows[header].Cell(j),
						Field: m.Columns[c].Field, Problem: fmt.Sprintf("a second column for %s (the first is column %s)", m.Columns[c].Field, columnName(at[c]))})
				} else {
					at[c] = j
				}
				matched = true
				break
			}
		}
		if !matched && Heading(t.Rows[header].Cell(j)) != "" {
			rep.Unmapped = append(rep.Unmapped, Text(t.Rows[header].Cell(j)))
		}
	}
	var cols []column
	for i := range m.Columns {
		c := &m.Columns[i]
		j, ok := at[i]
		switch {
		case ok:
			cols = append(cols, column{spec: fieldByName[c.Field], c: c, index: j, words: wordsOf(c)})
			rep.Columns[c.Field] = columnName(j)
		case c.Default != "":
			cols = append(cols, column{spec: fieldByName[c.Field], c: c, index: -1, words: wordsOf(c)})
			if Heading(c.Heading) != "" {
				rep.Missing = append(rep.Missing, c.Heading)
			}
		default:
			rep.Missing = append(rep.Missing, c.Heading)
			if c.Required {
				rep.Problems = append(rep.Problems, Problem{Sheet: t.Name, Row: rep.HeaderRow, Heading: c.Heading, Field: c.Field,
					Problem: "a required column is missing"})
			}
		}
	}
	if _, ok := rep.Columns["date_of_birth"]; !ok && !slices.ContainsFunc(rep.Problems, func(p Problem) bool { return p.Field == "date_of_birth" }) {
		rep.Problems = append(rep.Problems, Problem{Sheet: t.Name, Row: rep.HeaderRow, Field: "date_of_birth", Problem: "no column of dates of birth: the register needs one"})
	}
	if len(rep.Problems) > 0 {
		return nil, -1
	}
	return cols, header
}

func blankRow(row *Row, cols []column) bool {
	for _, c := range cols {
		if c.index >= 0 && !Blank(row.Cell(c.index)) {
			return false
		}
	}
	return true
}

// scrub holds a row's identifying values, to keep them out of any
// problem's text.
type scrub struct{ values []string }

func (s *scrub) clean(text string) string {
	if s == nil {
		return text
	}
	for _, v := range s.values {
		if len(v) >= 3 {
			text = strings.ReplaceAll(text, v, "[withheld]")
		}
	}
	return text
}

// convert turns a row into a NewPerson, adding each problem to rep. why
// is set (and ok false) when the row records no consent.
func convert(row *Row, cols []column, env parseEnv, today calendar.Date, by register.Actor, rep *Report, pseudonym func(dsr.NHSNumber) string) (np register.NewPerson, sc *scrub, ok bool, why string) {
	var d draftRow
	sc = &scrub{}
	problems := len(rep.Problems)
	problem := func(c column, cell, text string) {
		p := Problem{Sheet: rep.Sheet, Row: row.Number, Heading: c.c.Heading, Field: c.spec.name, Problem: text}
		if c.index >= 0 {
			p.Column = columnName(c.index)
		}
		if c.spec.class == plain {
			p.Value = cell
		} else {
			p.Withheld = cell != ""
		}
		rep.Problems = append(rep.Problems, p)
	}
	var givenBy, dobCell string
	for _, c := range cols {
		cell := ""
		if c.index >= 0 {
			cell = row.Cell(c.index)
		}
		if Blank(cell) {
			cell = c.c.Default
		}
		if c.spec.name == "consent.given_by" && Word(cell) == "auto" {
			givenBy = "auto"
			continue
		}
		if c.spec.class != plain && cell != "" {
			sc.values = append(sc.values, strings.TrimSpace(cell))
		}
		if w, ok := c.words[Word(cell)]; ok {
			cell = w
		}
		v, set, err := c.spec.parse(cell, env)
		if err != nil {
			problem(c, cell, strings.TrimPrefix(err.Error(), ErrValue.Error()+": "))
			continue
		}
		if !set {
			continue
		}
		if c.spec.class == freeText || c.spec.kind == kText {
			if err := dsr.CheckText(c.spec.name, "R-DATA-1", v.s, 500); err != nil && c.spec.name != "entry.risk_reason" {
				var ve *dsr.ValidationError
				errors.As(err, &ve)
				problem(c, cell, ve.Problem)
				continue
			}
		}
		if c.spec.name == "date_of_birth" {
			dobCell = cell
		}
		c.spec.set(&d, v)
	}
	p := &d.np.Person
	sc.values = append(sc.values, string(p.NHSNumber), p.DateOfBirth.String(), dmy(p.DateOfBirth))
	colOf := func(field string) column {
		for _, c := range cols {
			if c.spec.name == field {
				return c
			}
		}
		return column{spec: fieldByName[field], c: &Column{Field: field}, index: -1}
	}
	switch {
	case p.DateOfBirth.IsZero() && !slices.ContainsFunc(rep.Problems[problems:], func(q Problem) bool { return q.Field == "date_of_birth" }):
		problem(colOf("date_of_birth"), dobCell, "required: the register needs a date of birth")
	case p.DateOfBirth.After(today):
		problem(colOf("date_of_birth"), dobCell, "a date of birth after the day of the import")
	}
	if p.ID == "" && p.NHSNumber != "" {
		p.ID = "nhs-" + strings.TrimPrefix(pseudonym(p.NHSNumber), "person/")[:24]
	}
	sc.values = append(sc.values, p.ID)
	if p.ID == "" {
		problem(colOf("id"), "", "required: a local id or an NHS number")
	} else if err := dsr.ValidID("id", p.ID); err != nil {
		problem(colOf("id"), p.ID, "not a local id: want 1 to 64 letters, digits or - _ . :")
	}
	if f := d.funding; f[0] != nil || f[1] != nil || f[2] != nil {
		d.np.Entry.Funding = &dsr.FundingSplit{}
		for i, to := range []*int{&d.np.Entry.Funding.Health, &d.np.Entry.Funding.SocialCare, &d.np.Entry.Funding.Education} {
			if f[i] != nil {
				*to = *f[i]
			}
		}
	}
	if err := d.np.Entry.Validate("entry", today); err != nil {
		for _, e := range unjoin(err) {
			var ve *dsr.ValidationError
			if !errors.As(e, &ve) {
				continue
			}
			c := colOf(strings.SplitN(trimIndex(ve.Field), "[", 2)[0])
			if ve.Field == "entry.funding" {
				c = colOf("entry.funding.health")
			}
			q := Problem{Sheet: rep.Sheet, Row: row.Number, Heading: c.c.Heading, Field: ve.Field, Problem: sc.clean(ve.Problem), Rule: ve.Rule}
			if c.index >= 0 {
				q.Column = columnName(c.index)
				if c.spec.class == plain {
					q.Value = row.Cell(c.index)
				} else {
					q.Withheld = true
				}
			}
			rep.Problems = append(rep.Problems, q)
		}
	}
	// Consent: a date, unless the sheet says it was not given.
	consentCol := colOf("consent.date")
	switch {
	case d.consentGiven != nil && !*d.consentGiven:
		why = "no consent for inclusion recorded (R-CONS-1)"
	case slices.ContainsFunc(rep.Problems[problems:], func(q Problem) bool { return q.Field == "consent.date" }):
	case d.consentDate.IsZero() && d.consentGiven != nil && *d.consentGiven:
		problem(consentCol, "", "consent is recorded as given but not when: a consent date is required (R-CONS-1)")
	case d.consentDate.IsZero():
		why = "no consent for inclusion recorded (R-CONS-1)"
	case d.consentDate.After(today):
		problem(consentCol, dmy(d.consentDate), "a consent date after the day of the import")
	}
	if why != "" {
		// Not imported, so not checked: the register holds nothing of
		// someone without consent (R-CONS-1).
		rep.Problems = rep.Problems[:problems]
		return np, sc, false, why
	}
	if len(rep.Problems) > problems {
		return np, sc, false, ""
	}
	if givenBy == "auto" || d.givenBy == "" {
		d.givenBy = autoGiver(p, d.consentDate)
	}
	d.np.Events = append(d.np.Events, dsr.Event{Type: dsr.EventConsentGiven, Date: d.consentDate, GivenBy: d.givenBy})
	if d.rating != dsr.Unrated {
		day := d.ratingDate
		if day.IsZero() {
			day = today
		}
		if day.Before(d.consentDate) {
			day = d.consentDate
		}
		d.np.Events = append(d.np.Events, dsr.Event{Type: dsr.EventRatingAgreed, Date: day, Rating: d.rating, By: by.ID,
			Reason: "the rating of record on the register imported"})
	}
	return d.np, sc, true, ""
}

// autoGiver is who gave consent when the sheet does not say: a
// best-interests decision for someone 16 or over who lacks capacity, the
// person from 16, someone with parental responsibility under 16.
func autoGiver(p *dsr.Person, on calendar.Date) string {
	switch {
	case p.AgeOn(on) < 16:
		return dsr.ByParent
	case p.LacksCapacity:
		return dsr.ByBestInterests
	}
	return dsr.BySelf
}

func trimIndex(field string) string {
	if i := strings.IndexByte(field, '['); i >= 0 {
		return field[:i]
	}
	return field
}

func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, unjoin(e)...)
		}
		return out
	}
	return []error{err}
}

// registerProblems reports the register's refusal of one row's person.
func registerProblems(rep *Report, sheet string, rowNum int, err error, cols []column, sc *scrub) {
	errs := unjoin(err)
	for _, e := range errs {
		q := Problem{Sheet: sheet, Row: rowNum}
		var ve *dsr.ValidationError
		if errors.As(e, &ve) {
			field := strings.TrimPrefix(ve.Field, "person.")
			switch {
			case strings.HasPrefix(field, "events[0]"):
				field = "consent.date"
			case strings.HasPrefix(field, "events[1]"):
				field = "rating"
			}
			q.Field, q.Rule = field, ve.Rule
			q.Problem = sc.clean(ve.Problem)
			for _, c := range cols {
				if c.spec.name == trimIndex(field) {
					q.Heading = c.c.Heading
					if c.index >= 0 {
						q.Column = columnName(c.index)
					}
					q.Withheld = c.spec.class != plain
					if c.spec.class != plain {
						q.Problem = "refused by the register's checks (" + c.spec.name + ")"
					}
				}
			}
		} else {
			q.Problem = sc.clean(strings.TrimPrefix(e.Error(), "dsr: "))
		}
		rep.Problems = append(rep.Problems, q)
	}
}
