package transfer

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/disclosure"
	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/register"
)

// NationalColumns are the columns of the national return, in the shape of
// NHS England's Assuring Transformation collection as far as the register
// holds its fields (docs/transfer.md lists each one's source and what the
// register cannot fill). A person row ("P") fills the person's columns; an
// aggregate row ("A") fills measure, breakdown and count.
var NationalColumns = []string{
	"record_type", "period_start", "period_end",
	"pseudonym", "age_band", "gender", "ethnic_category", "learning_disability", "autism",
	"local_authority", "responsible_commissioner", "rating_of_record", "on_register_from",
	"inpatient_at_period_end", "admission_date", "ward_security", "legal_status", "out_of_area",
	"discharge_date", "section_117", "last_ctr_date", "last_ctr_kind", "last_ctr_snomed", "ctr_due_date",
	"measure", "breakdown", "count",
}

// ctrCodes are R-CODE-1's SNOMED CT codes of the kinds of C(E)TR.
var ctrCodes = map[string]string{
	dsr.ReviewCommunity:     "1060751000000101",
	dsr.ReviewPostAdmission: "1060741000000104",
	dsr.ReviewInpatient:     "1060761000000103",
}

// ctrActions are the actions that are a C(E)TR falling due.
var ctrActions = []dsr.ActionKind{dsr.ActionCommunityReview, dsr.ActionPostAdmissionReview, dsr.ActionInpatientReview,
	dsr.ActionSixWeekReview, dsr.ActionTriggerReview, dsr.ActionStatutoryReview}

// National is the national return for one month.
type National struct {
	Start, End calendar.Date
	People     [][]string
	Aggregates [][3]string // measure, breakdown, published count
}

// ParseMonth reads a month as YYYY-MM and returns its first and last day.
func ParseMonth(s string) (calendar.Date, calendar.Date, error) {
	t, err := time.Parse("2006-01", s)
	if err != nil {
		return calendar.Date{}, calendar.Date{}, &dsr.ValidationError{Field: "--month", Problem: fmt.Sprintf("%q is not a month: want YYYY-MM", s)}
	}
	start := calendar.NewDate(t.Year(), t.Month(), 1)
	return start, start.AddMonths(1).AddDays(-1), nil
}

// NationalReturn builds the return for the month from start to end: a row
// for each person on the register at the month's end (register.List),
// keyed by the register's pseudonym of their local id and carrying no
// identifier (an age band, never the date of birth), each read audited
// (register.DetailsAndCases, by by); the C(E)TR due from the worklist
// (register.Due); and the month's counts, published
// under R-REPORT-1 (package disclosure). progress, if not nil, is called
// as people are read.
func NationalReturn(ctx context.Context, reg *register.Register, start, end calendar.Date, by register.Actor, progress func(done, total int)) (*National, error) {
	if err := by.Validate(); err != nil {
		return nil, fmt.Errorf("transfer: national return: %w", err)
	}
	entries, err := reg.List(ctx, end, register.ListFilter{})
	if err != nil {
		return nil, fmt.Errorf("transfer: national return: %w", err)
	}
	// The earliest C(E)TR due for each person, from the worklist.
	items, err := reg.Due(ctx, end)
	if err != nil {
		return nil, fmt.Errorf("transfer: national return: %w", err)
	}
	ctrDue := map[string]calendar.Date{}
	for _, it := range items {
		if it.PersonID != "" && slices.Contains(ctrActions, it.Kind) {
			if d, ok := ctrDue[it.PersonID]; !ok || it.Due.Before(d) {
				ctrDue[it.PersonID] = it.Due
			}
		}
	}
	n := &National{Start: start, End: end}
	counts := map[[2]string]int{}
	count := func(measure, breakdown string) { counts[[2]string{measure, breakdown}]++ }
	yn := func(b bool) string {
		if b {
			return "Y"
		}
		return "N"
	}
	maybe := func(b *bool) string {
		if b == nil {
			return ""
		}
		return yn(*b)
	}
	day := func(d calendar.Date) string {
		if d.IsZero() {
			return ""
		}
		return d.String()
	}
	err = readChunks(ctx, reg, entries, end, by, "national return", progress, func(e register.ListEntry, d register.Details, c dsr.Case) {
		f := dsr.Derive(&c)
		var from calendar.Date
		for _, cr := range f.Consent {
			if !cr.Withdrawn && from.IsZero() {
				from = cr.Date
			}
		}
		row := map[string]string{
			"record_type": "P", "period_start": start.String(), "period_end": end.String(),
			"pseudonym": strings.TrimPrefix(reg.PersonStream(e.PersonID), "person/"), "age_band": AgeBand(f.Age),
			"gender": d.Entry.Gender, "ethnic_category": d.Entry.Ethnicity, "learning_disability": yn(f.LearningDisability), "autism": yn(f.Autism),
			"local_authority": d.Person.LocalAuthority, "responsible_commissioner": d.Entry.ResponsibleAuthority,
			"rating_of_record": ratingWord(e.RatingOfRecord), "on_register_from": day(from),
			"inpatient_at_period_end": yn(f.Inpatient), "section_117": maybe(d.Entry.Section117), "ctr_due_date": "",
		}
		count("on_register_at_period_end", "all")
		count("on_register_at_period_end", "rating "+strings.ToLower(orNot(ratingWord(e.RatingOfRecord))))
		count("on_register_at_period_end", "age "+AgeBand(f.Age))
		var spell *dsr.Spell
		for i := range f.Spells {
			s := &f.Spells[i]
			if !s.Admitted.After(end) && (s.Discharged.IsZero() || !s.Discharged.Before(start)) {
				spell = s // the latest spell that overlaps the month
			}
			if !s.Admitted.Before(start) && !s.Admitted.After(end) {
				count("admissions_in_period", "all")
			}
			if !s.Discharged.IsZero() && !s.Discharged.Before(start) && !s.Discharged.After(end) {
				count("discharges_in_period", "all")
			}
		}
		if spell != nil {
			row["admission_date"] = spell.Admitted.String()
			row["ward_security"] = spell.Security
			row["legal_status"] = spell.LegalStatus
			row["out_of_area"] = yn(spell.OutOfArea)
			row["discharge_date"] = day(spell.Discharged)
		} else if d.Entry.Placement != "" {
			row["out_of_area"] = yn(d.Entry.OutOfArea())
		}
		if f.Inpatient {
			count("inpatients_at_period_end", "all")
			if spell != nil && spell.OutOfArea {
				count("inpatients_at_period_end", "out of area")
			}
			if spell != nil && slices.Contains(dsr.SecureSettings, spell.Security) {
				count("inpatients_at_period_end", "secure setting")
			}
		}
		last, kind := calendar.Date{}, ""
		for i, k := range dsr.ReviewKinds {
			if ctrCodes[k] != "" && f.LastReview[i].After(last) {
				last, kind = f.LastReview[i], k
			}
		}
		row["last_ctr_date"], row["last_ctr_kind"], row["last_ctr_snomed"] = day(last), kind, ctrCodes[kind]
		row["ctr_due_date"] = day(ctrDue[e.PersonID])
		rec := make([]string, len(NationalColumns))
		for i, col := range NationalColumns {
			rec[i] = row[col]
		}
		n.People = append(n.People, rec)
	})
	if err != nil {
		return nil, fmt.Errorf("transfer: national return: %w", err)
	}
	slices.SortFunc(n.People, func(a, b []string) int { return strings.Compare(a[3], b[3]) })
	measures := []struct{ measure, breakdown string }{{"on_register_at_period_end", "all"}}
	for _, r := range []string{"red", "amber", "green", "blue", "not rated"} {
		measures = append(measures, struct{ measure, breakdown string }{"on_register_at_period_end", "rating " + r})
	}
	for _, b := range AgeBands {
		measures = append(measures, struct{ measure, breakdown string }{"on_register_at_period_end", "age " + b})
	}
	measures = append(measures, []struct{ measure, breakdown string }{
		{"inpatients_at_period_end", "all"}, {"inpatients_at_period_end", "out of area"}, {"inpatients_at_period_end", "secure setting"},
		{"admissions_in_period", "all"}, {"discharges_in_period", "all"}}...)
	var ratingCells []disclosure.Count
	for _, m := range measures {
		c := disclosure.Of(counts[[2]string{m.measure, m.breakdown}])
		if m.measure == "on_register_at_period_end" && strings.HasPrefix(m.breakdown, "rating ") {
			ratingCells = append(ratingCells, c)
		}
		n.Aggregates = append(n.Aggregates, [3]string{m.measure, m.breakdown, c.String()})
	}
	// The total is the sum of the published cells (R-REPORT-1), so no cell
	// can be recovered by subtraction.
	n.Aggregates[0][2] = disclosure.Sum(ratingCells...).String()
	return n, nil
}

func orNot(s string) string {
	if s == "" {
		return "not rated"
	}
	return s
}

// WriteCSV writes the return: a header, the person rows, then the
// aggregate rows.
func (n *National) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	cw.Write(NationalColumns)
	for _, p := range n.People {
		cw.Write(p)
	}
	for _, a := range n.Aggregates {
		rec := make([]string, len(NationalColumns))
		rec[0], rec[1], rec[2] = "A", n.Start.String(), n.End.String()
		copy(rec[len(rec)-3:], a[:])
		cw.Write(rec)
	}
	cw.Flush()
	return cw.Error()
}
