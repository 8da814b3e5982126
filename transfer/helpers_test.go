package transfer_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/consent"
	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/register"
	"github.com/dsrkit/dsrkit/register/memstore"
	"github.com/dsrkit/dsrkit/transfer"
)

var (
	ctx   = context.Background()
	staff = register.Actor{ID: "staff-17", Role: "coordinator"}
	day   = calendar.MustParseDate
	today = day("2026-11-16")
)

// rules stands in for a policy bundle: eligible with a learning
// disability or autism, consent by consent.National2023, RED in crisis,
// AMBER when mental health is deteriorating, else GREEN, and a register
// review 14 days after consent.
type rules struct{}

func (rules) Assess(_ context.Context, c dsr.Case) (dsr.Assessment, error) {
	if err := c.Validate(); err != nil {
		return dsr.Assessment{}, err
	}
	f := dsr.Derive(&c)
	a := dsr.Assessment{AsOf: c.AsOf, Eligible: f.LearningDisability || f.Autism, Consent: consent.National2023.Consent(&c), ReviewType: dsr.ReviewTypeCTR}
	a.OnRegister = a.Eligible && a.Consent.Valid
	if f.Agreed != nil {
		a.AgreedRating = f.Agreed.Rating
	}
	switch {
	case !a.Eligible:
	case c.Circumstances.InCrisis:
		a.Rating = dsr.Red
	case c.Circumstances.MentalHealthDeteriorating:
		a.Rating = dsr.Amber
	default:
		a.Rating = dsr.Green
	}
	a.RatingOfRecord = a.Rating
	if a.AgreedRating != dsr.Unrated {
		a.RatingOfRecord = a.AgreedRating
	}
	if a.OnRegister && len(f.Consent) > 0 {
		from := f.Consent[len(f.Consent)-1].Date
		a.Actions = append(a.Actions, dsr.Action{Kind: dsr.ActionDSRReview, From: from, Due: from.AddDays(14), Rule: "R-REV-1", Reason: "register review"})
	}
	return a, nil
}

// tb is what the helpers need of a test: a *testing.T or a *rapid.T.
type tb interface {
	Helper()
	Fatal(args ...any)
}

func openReg(t tb, store register.Store) *register.Register {
	t.Helper()
	reg, err := register.Open(ctx, store, rules{}, register.WithKeys(register.MemoryKey()), register.WithConsentPolicy(consent.National2023),
		register.WithClock(func() time.Time { return today.Start().Add(10 * time.Hour) }))
	if err != nil {
		t.Fatal(err)
	}
	return reg
}

func newReg(t tb) (*register.Register, *memstore.Store) {
	t.Helper()
	s := memstore.New()
	return openReg(t, s), s
}

// dump is everything a memstore holds, in a fixed order.
func dump(s *memstore.Store) []byte {
	var b bytes.Buffer
	s.Log(ctx, func(r register.Record) error {
		fmt.Fprintf(&b, "%d %s %d %s %s %s %x %x\n", r.Seq, r.Stream, r.Version, r.Type, r.At, r.ActorID, r.Payload, r.Hash)
		return nil
	})
	s.Sides(ctx, "", true, func(row register.Stream, snap, due []byte) error {
		fmt.Fprintf(&b, "%s %d %x %v %x %x %x %x\n", row.Name, row.Version, row.Key, row.KeyDestroyed, row.Head, row.MAC, snap, due)
		return nil
	})
	meta, _ := s.Meta(ctx)
	b.Write(meta)
	return b.Bytes()
}

func mapping(t testing.TB, name string) *transfer.Mapping {
	t.Helper()
	m, err := transfer.LoadMapping(name)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// wiltsHeadings are the headings of the test's Wiltshire sheet (row 3),
// under group headings in row 2 merged across their columns, and a title
// merged across row 1. Some are as an area types them: a line break, odd
// case, spaces.
var wiltsGroups = []struct {
	title string
	heads []string
}{
	{"Person", []string{"Local ID", "NHS Number", "Name", "Date of Birth", "Postcode", "Gender", "Ethnicity", "Learning\nDisability", "AUTISM", "Lacks capacity"}},
	{"Diagnosis and placement", []string{"Primary Diagnosis", "Accommodation Type", "In/Out of Area Placement", "Responsible Authority", "Local Authority of Residence", "Section 117 Eligible"}},
	{"Funding split", []string{"Health", "Social care", "Education"}},
	{"Care plan", []string{"In place", "Risk assessment", "Crisis or contingency plan", "Last reviewed"}},
	{"People", []string{"Care Coordinator", "Named Social Worker", "Advocate", "Team"}},
	{"Risk", []string{"Risk of Admission", "Risk of Placement Breakdown", "Reason for Risk", "Dates of Previous Admissions", "Keyworker Referral Date", "Mitigations (actions taken to reduce risk)", "In Crisis", "Mental Health Deteriorating"}},
	{"Consent and rating", []string{"Consent to be on DSR", "Date Consent Given", "Consent Given By", "RAG Rating", "Notes"}},
}

// wiltsRow is one person as the sheet holds them, by heading.
type wiltsRow map[string]any

// wiltsXLSX builds a workbook in the Wiltshire layout: a title row, merged
// group headings, the headings (the NHS number's merged over rows 2 and
// 3), then rows (nil for a blank row). A time.Time cell is written as an
// Excel date (a serial number with a date format).
func wiltsXLSX(t testing.TB, rows []wiltsRow) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	sheet := "DSR"
	f.SetSheetName("Sheet1", sheet)
	dateStyle, err := f.NewStyle(&excelize.Style{NumFmt: 14})
	if err != nil {
		t.Fatal(err)
	}
	var heads []string
	col := 1
	cell := func(c, r int) string { s, _ := excelize.CoordinatesToCellName(c, r); return s }
	for _, g := range wiltsGroups {
		f.SetCellValue(sheet, cell(col, 2), g.title)
		if len(g.heads) > 1 {
			f.MergeCell(sheet, cell(col, 2), cell(col+len(g.heads)-1, 2))
		}
		for _, h := range g.heads {
			f.SetCellValue(sheet, cell(col, 3), h)
			heads = append(heads, h)
			col++
		}
	}
	f.SetCellValue(sheet, "A1", "Wiltshire Dynamic Support Register")
	f.MergeCell(sheet, "A1", cell(len(heads), 1))
	// NHS Number's heading sits in row 2, merged down over row 3, as a
	// template has it; its group heading is dropped.
	f.UnmergeCell(sheet, cell(1, 2), cell(10, 2))
	f.SetCellValue(sheet, cell(1, 2), "")
	f.SetCellValue(sheet, cell(2, 2), "NHS Number")
	f.SetCellValue(sheet, cell(2, 3), "")
	f.MergeCell(sheet, cell(2, 2), cell(2, 3))
	for i, r := range rows {
		for j, h := range heads {
			v, ok := r[h]
			if !ok {
				continue
			}
			at := cell(j+1, 4+i)
			switch v := v.(type) {
			case time.Time:
				f.SetCellValue(sheet, at, v)
				f.SetCellStyle(sheet, at, at, dateStyle)
			default:
				f.SetCellValue(sheet, at, v)
			}
		}
	}
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func excelDate(s string) time.Time {
	d := day(s)
	y, m, dd := d.Parts()
	return time.Date(y, m, dd, 0, 0, 0, 0, time.UTC)
}

// messyRows are a typical area's rows: dates as Excel dates, d/m/yy and
// ISO, Yes/N/TRUE, spaced NHS numbers, RAG words and letters, a blank row,
// a person without consent.
func messyRows() []wiltsRow {
	return []wiltsRow{
		{"Local ID": "W-001", "NHS Number": "999 000 0018", "Name": "Person A Synthetic", "Date of Birth": excelDate("2011-05-14"), "Postcode": "ZZ99 3VZ",
			"Gender": "F", "Ethnicity": "White British", "Learning\nDisability": "N", "AUTISM": "Yes", "Primary Diagnosis": "Autism spectrum condition",
			"Accommodation Type": "Family home", "In/Out of Area Placement": "In area", "Responsible Authority": "BSW ICB", "Local Authority of Residence": "Wiltshire",
			"Section 117 Eligible": "N", "Health": "50%", "Social care": "50", "Education": "0", "In place": "Y", "Risk assessment": "y", "Crisis or contingency plan": "TRUE",
			"Last reviewed": "01/10/2026", "Care Coordinator": "Coordinator One", "Team": "North", "Risk of Admission": "Yes", "Risk of Placement Breakdown": "No",
			"Reason for Risk": "Escalating distress at home", "Dates of Previous Admissions": "02/03/2024; 2025-01-20", "Keyworker Referral Date": excelDate("2026-06-01"),
			"Mitigations (actions taken to reduce risk)": "Keyworker allocated\nRespite offered", "In Crisis": "Y", "Mental Health Deteriorating": "N",
			"Consent to be on DSR": "Y", "Date Consent Given": excelDate("2026-09-01"), "Consent Given By": "Parent / carer", "RAG Rating": "Red", "Notes": "anything"},
		{"Local ID": "W-002", "NHS Number": "9990000026", "Name": "Person B Synthetic", "Date of Birth": "3/4/98", "Gender": "Male", "AUTISM": "N", "Learning\nDisability": "Y",
			"Accommodation Type": "Supported living", "In/Out of Area Placement": "OOA", "Mental Health Deteriorating": "yes", "Consent to be on DSR": "Verbal",
			"Date Consent Given": "15/08/26", "RAG Rating": "a"},
		nil,
		{"Local ID": "W-003", "NHS Number": "999-000-0034", "Date of Birth": "2001-12-25", "AUTISM": "Y", "Consent to be on DSR": "N", "RAG Rating": "G"},
		{"Local ID": "W-004", "NHS Number": "", "Name": "Person D Synthetic", "Date of Birth": excelDate("1995-07-07"), "Learning\nDisability": "TRUE",
			"Consent to be on DSR": "Y", "Date Consent Given": "2026-10-01", "Consent Given By": "Best interests", "Lacks capacity": "Y", "RAG Rating": "B"},
		{},
	}
}

// wiltsCSV is wiltsXLSX's sheet as a CSV with semicolons: the title in
// the first cell, each group heading once, over its first column, and an
// Excel date as its serial number (as a sheet saved with raw values holds
// it).
func wiltsCSV(rows []wiltsRow) []byte {
	var b bytes.Buffer
	var heads []string
	groups := []string{}
	for _, g := range wiltsGroups {
		for k, h := range g.heads {
			heads = append(heads, h)
			if k == 0 {
				groups = append(groups, g.title)
			} else {
				groups = append(groups, "")
			}
		}
	}
	cell := func(v string) string {
		if strings.ContainsAny(v, ";\"\n") {
			return `"` + strings.ReplaceAll(v, `"`, `""`) + `"`
		}
		return v
	}
	line := func(cells []string) {
		for i, c := range cells {
			if i > 0 {
				b.WriteByte(';')
			}
			b.WriteString(cell(c))
		}
		b.WriteString("\r\n")
	}
	b.WriteString("\ufeff")
	line([]string{"Wiltshire Dynamic Support Register"})
	line(groups)
	line(heads)
	for _, r := range rows {
		out := make([]string, len(heads))
		for j, h := range heads {
			switch v := r[h].(type) {
			case nil:
			case time.Time:
				y, m, d := v.Date()
				out[j] = fmt.Sprint(transfer.ToExcelSerial(calendar.NewDate(y, m, d)))
			default:
				out[j] = fmt.Sprint(v)
			}
		}
		line(out)
	}
	return b.Bytes()
}
