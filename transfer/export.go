package transfer

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/disclosure"
	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/register"
)

// ExportOptions refine an export.
type ExportOptions struct {
	// By is who exports (required): each person's read is audited in
	// their name.
	By register.Actor
	// AsOf is the day of the ratings, circumstances and next due date
	// (default: the register's today).
	AsOf calendar.Date
	// ForSharing drops what identifies people: local id, NHS number, name,
	// address, postcode and free text go; the date of birth becomes an age
	// band. Its summary's counts are published under R-REPORT-1.
	ForSharing bool
	// Progress, if set, is called as people are read.
	Progress func(done, total int)
}

// Cell is one cell of an exported sheet: text, or a date (an Excel date
// in a workbook, dd/mm/yyyy in a CSV).
type Cell struct {
	Text string
	Date calendar.Date
}

// String is the cell as a CSV holds it: a date as dd/mm/yyyy.
func (c Cell) String() string {
	if !c.Date.IsZero() {
		return dmy(c.Date)
	}
	return c.Text
}

// Exported is the register as an export writes it: the people, in the
// mapping's layout with the ratings and next due date added, and a
// summary of counts (published under R-REPORT-1 when for sharing).
type Exported struct {
	Sheet    string
	Headings []string
	Rows     [][]Cell
	// Summary is the summary sheet: its rows, a label and a count each.
	Summary    [][2]string
	ForSharing bool
}

// The columns export adds after the mapping's.
const (
	HeadSuggested = "Suggested rating"
	HeadAgreed    = "Agreed rating"
	HeadOfRecord  = "Rating of record"
	HeadNextDue   = "Next due"
	HeadAgeBand   = "Age band"
)

// AgeBand is the band of an age in an export for sharing.
func AgeBand(age int) string {
	switch {
	case age < 14:
		return "0-13"
	case age < 18:
		return "14-17"
	case age < 25:
		return "18-24"
	case age < 35:
		return "25-34"
	case age < 45:
		return "35-44"
	case age < 55:
		return "45-54"
	case age < 65:
		return "55-64"
	}
	return "65+"
}

// AgeBands lists AgeBand's bands, youngest first.
var AgeBands = []string{"0-13", "14-17", "18-24", "25-34", "35-44", "45-54", "55-64", "65+"}

// Export reads everyone on the register on the day (register.List: the
// suggested, agreed and of-record ratings and the next due date) and their
// details and case (register.DetailsAndCases: each person's read audited
// in their own audit, by opts.By, the audits of 500 people in one write),
// into the mapping's layout, which Import reads back.
func Export(ctx context.Context, reg *register.Register, m *Mapping, opts ExportOptions) (*Exported, error) {
	if err := opts.By.Validate(); err != nil {
		return nil, fmt.Errorf("transfer: export: %w", err)
	}
	asOf := opts.AsOf
	if asOf.IsZero() {
		asOf = reg.Today()
	}
	entries, err := reg.List(ctx, asOf, register.ListFilter{})
	if err != nil {
		return nil, fmt.Errorf("transfer: export: %w", err)
	}
	slices.SortFunc(entries, func(a, b register.ListEntry) int { return strings.Compare(a.PersonID, b.PersonID) })
	out := &Exported{Sheet: m.Sheet, ForSharing: opts.ForSharing}
	if out.Sheet == "" {
		out.Sheet = "Register"
	}
	var cols []*Column
	for i := range m.Columns {
		c := &m.Columns[i]
		spec := fieldByName[c.Field]
		if Heading(c.Heading) == "" {
			continue
		}
		if opts.ForSharing && spec.class != plain {
			if c.Field == "date_of_birth" {
				out.Headings = append(out.Headings, HeadAgeBand)
				cols = append(cols, c)
			}
			continue
		}
		out.Headings = append(out.Headings, c.Heading)
		cols = append(cols, c)
	}
	out.Headings = append(out.Headings, HeadSuggested, HeadAgreed, HeadOfRecord, HeadNextDue)
	byRating := map[dsr.Rating]int{}
	byBand := map[string]int{}
	outOfArea := 0
	err = readChunks(ctx, reg, entries, asOf, opts.By, "export", opts.Progress, func(e register.ListEntry, d register.Details, c dsr.Case) {
		v := viewOf(d, &c)
		row := make([]Cell, 0, len(out.Headings))
		for _, col := range cols {
			spec := fieldByName[col.Field]
			if opts.ForSharing && col.Field == "date_of_birth" {
				row = append(row, Cell{Text: AgeBand(d.Person.AgeOn(asOf))})
				continue
			}
			row = append(row, cellOf(spec, col, v))
		}
		row = append(row, Cell{Text: ratingWord(e.Rating)}, Cell{Text: ratingWord(e.AgreedRating)}, Cell{Text: ratingWord(e.RatingOfRecord)}, Cell{Date: e.NextDue})
		out.Rows = append(out.Rows, row)
		byRating[e.RatingOfRecord]++
		byBand[AgeBand(d.Person.AgeOn(asOf))]++
		if d.Entry.OutOfArea() {
			outOfArea++
		}
	})
	if err != nil {
		return nil, fmt.Errorf("transfer: export: %w", err)
	}
	if opts.ForSharing {
		// Rows in an order that says nothing of anyone's id.
		slices.SortFunc(out.Rows, func(a, b []Cell) int {
			return slices.CompareFunc(a, b, func(x, y Cell) int { return strings.Compare(x.String(), y.String()) })
		})
	}
	count := func(n int) string {
		if opts.ForSharing {
			return disclosure.Of(n).String()
		}
		return fmt.Sprint(n)
	}
	var cells []disclosure.Count
	out.Summary = append(out.Summary, [2]string{"As of", asOf.String()})
	for _, r := range []dsr.Rating{dsr.Red, dsr.Amber, dsr.Green, dsr.Blue, dsr.Unrated} {
		label := ratingWord(r)
		if label == "" {
			label = "not rated"
		}
		out.Summary = append(out.Summary, [2]string{"Rating of record: " + label, count(byRating[r])})
		cells = append(cells, disclosure.Of(byRating[r]))
	}
	for _, b := range AgeBands {
		out.Summary = append(out.Summary, [2]string{"Age band " + b, count(byBand[b])})
	}
	out.Summary = append(out.Summary, [2]string{"Placed out of area", count(outOfArea)})
	total := fmt.Sprint(len(entries))
	if opts.ForSharing {
		total = disclosure.Sum(cells...).String()
	}
	out.Summary = append(out.Summary, [2]string{"On the register", total})
	if opts.ForSharing {
		out.Summary = append(out.Summary, [2]string{"Counts", "R-REPORT-1: 1 to 4 shown as *, others rounded to the nearest 5; the total is the sum of the published cells"})
	}
	return out, nil
}

// chunk is how many people an export reads, and audits in one write, at
// a time.
const chunk = 500

// readChunks reads the people of entries (register.DetailsAndCases: each
// read audited, a chunk's audits in one write) and calls fn for each, in
// order.
func readChunks(ctx context.Context, reg *register.Register, entries []register.ListEntry, asOf calendar.Date, by register.Actor, why string,
	progress func(done, total int), fn func(register.ListEntry, register.Details, dsr.Case)) error {
	for from := 0; from < len(entries); from += chunk {
		if progress != nil {
			progress(from, len(entries))
		}
		part := entries[from:min(from+chunk, len(entries))]
		ids := make([]string, len(part))
		for i, e := range part {
			ids[i] = e.PersonID
		}
		ds, cs, err := reg.DetailsAndCases(ctx, ids, asOf, by, register.Because(why))
		if err != nil {
			return err
		}
		for i, e := range part {
			fn(e, ds[i], cs[i])
		}
	}
	if progress != nil {
		progress(len(entries), len(entries))
	}
	return nil
}

// viewOf is what export reads of a person.
func viewOf(d register.Details, c *dsr.Case) *view {
	v := &view{d: d, circ: c.Circumstances}
	for i := range c.Events {
		e := &c.Events[i]
		switch {
		case e.Type == dsr.EventConsentGiven && e.HasScope(dsr.ScopeDSR):
			v.consent = e
		case e.Type == dsr.EventRatingAgreed:
			v.agreed = e
		}
	}
	return v
}

func cellOf(spec *fieldSpec, col *Column, v *view) Cell {
	val, ok := spec.get(v)
	if !ok {
		return Cell{}
	}
	switch spec.kind {
	case kDate:
		return Cell{Date: val.d}
	case kEnum:
		return Cell{Text: col.exportWord(val.s)}
	}
	return Cell{Text: spec.format(val)}
}

// WriteCSV writes the people as CSV, UTF-8 with a byte order mark (so a
// spreadsheet reads it as UTF-8), dates as dd/mm/yyyy, and a cell that a
// spreadsheet would take for a formula (starting =, +, - or @) behind an
// apostrophe.
func (e *Exported) WriteCSV(w io.Writer) error {
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.Write(e.Headings)
	for _, row := range e.Rows {
		rec := make([]string, len(row))
		for i, c := range row {
			rec[i] = defuse(c.String())
		}
		cw.Write(rec)
	}
	cw.Flush()
	return cw.Error()
}

// defuse keeps a spreadsheet from reading a CSV cell as a formula: a cell
// that starts with =, +, - or @ gets a leading apostrophe, which Text
// drops again on import.
func defuse(s string) string {
	if s != "" && strings.ContainsRune("=+-@", rune(s[0])) {
		return "'" + s
	}
	return s
}

// WriteSummaryCSV writes the summary as CSV.
func (e *Exported) WriteSummaryCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"Summary", "Count"})
	for _, r := range e.Summary {
		cw.Write(r[:])
	}
	cw.Flush()
	return cw.Error()
}

// WriteXLSX writes a workbook: the people on the mapping's sheet (dates as
// Excel dates), streamed, and the summary on a sheet "Summary".
func (e *Exported) WriteXLSX(w io.Writer) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", e.Sheet); err != nil {
		return err
	}
	dateStyle, err := f.NewStyle(&excelize.Style{NumFmt: 14})
	if err != nil {
		return err
	}
	head, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(e.Sheet)
	if err != nil {
		return err
	}
	hs := make([]any, len(e.Headings))
	for i, h := range e.Headings {
		hs[i] = excelize.Cell{StyleID: head, Value: h}
	}
	if err := sw.SetRow("A1", hs); err != nil {
		return err
	}
	for r, row := range e.Rows {
		vals := make([]any, len(row))
		for i, c := range row {
			if !c.Date.IsZero() {
				y, m, d := c.Date.Parts()
				vals[i] = excelize.Cell{StyleID: dateStyle, Value: time.Date(y, m, d, 0, 0, 0, 0, time.UTC)}
			} else {
				vals[i] = c.Text
			}
		}
		at, _ := excelize.CoordinatesToCellName(1, r+2)
		if err := sw.SetRow(at, vals); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	if _, err := f.NewSheet("Summary"); err != nil {
		return err
	}
	f.SetSheetRow("Summary", "A1", &[]any{"Summary", "Count"})
	for i, r := range e.Summary {
		at, _ := excelize.CoordinatesToCellName(1, i+2)
		f.SetSheetRow("Summary", at, &[]any{r[0], r[1]})
	}
	return f.Write(w)
}
