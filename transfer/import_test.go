package transfer_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/register/sqlitestore"
	"github.com/dsrkit/dsrkit/transfer"
)

func TestImportWiltshireXLSX(t *testing.T) {
	reg, _ := newReg(t)
	tab, err := transfer.ReadXLSX(bytes.NewReader(wiltsXLSX(t, messyRows())), "DSR")
	if err != nil {
		t.Fatal(err)
	}
	rep, err := transfer.Import(ctx, reg, tab, mapping(t, "wiltshire"), transfer.Options{By: staff})
	var text strings.Builder
	rep.WriteText(&text)
	if err != nil {
		t.Fatalf("%v\n%s", err, text.String())
	}
	if rep.HeaderRow != 3 || rep.Rows != 4 || rep.Blank != 1 || rep.Added != 3 || !rep.Written {
		t.Fatalf("report:\n%s", text.String())
	}
	if len(rep.NoConsent) != 1 || rep.NoConsent[0].Row != 7 {
		t.Fatalf("no consent: %+v", rep.NoConsent)
	}
	if !slices.Contains(rep.Unmapped, "Notes") {
		t.Fatalf("unmapped: %v", rep.Unmapped)
	}
	d, err := reg.Details(ctx, "W-001", staff)
	if err != nil {
		t.Fatal(err)
	}
	p, e := d.Person, d.Entry
	if p.NHSNumber != "9990000018" || p.DateOfBirth != day("2011-05-14") || !p.Autism || p.LearningDisability || d.Name != "Person A Synthetic" {
		t.Fatalf("person: %+v", d)
	}
	if e.Gender != "female" || e.Ethnicity != "A" || e.Accommodation != "family_home" || e.Placement != "in_area" || e.Funding == nil || e.Funding.Health != 50 ||
		e.CrisisPlan == nil || !*e.CrisisPlan || e.CrisisPlanReviewed != day("2026-10-01") || e.KeyworkerReferral != day("2026-06-01") ||
		!slices.Equal(e.PreviousAdmissions, []dsrDate{day("2024-03-02"), day("2025-01-20")}) || !slices.Equal(e.Mitigations, []string{"Keyworker allocated", "Respite offered"}) {
		t.Fatalf("entry: %+v", e)
	}
	c, err := reg.Case(ctx, "W-001", today, staff)
	if err != nil {
		t.Fatal(err)
	}
	if !c.Circumstances.InCrisis || len(c.Events) != 2 || c.Events[0].GivenBy != dsr.ByParent || c.Events[0].Date != day("2026-09-01") || c.Events[1].Rating != dsr.Red {
		t.Fatalf("case: %+v", c)
	}
	b, err := reg.Details(ctx, "W-002", staff)
	if err != nil || b.Person.DateOfBirth != day("1998-04-03") || b.Entry.Placement != "out_of_area" {
		t.Fatalf("W-002: %+v %v", b, err)
	}
	ids, err := reg.People(ctx)
	if err != nil || len(ids) != 3 {
		t.Fatalf("people: %v %v", ids, err)
	}
}

type dsrDate = calendar.Date

func TestReimportAddsNobody(t *testing.T) {
	reg, store := newReg(t)
	file := wiltsXLSX(t, messyRows())
	for i := range 2 {
		tab, err := transfer.ReadXLSX(bytes.NewReader(file), "")
		if err != nil {
			t.Fatal(err)
		}
		before := dump(store)
		rep, err := transfer.Import(ctx, reg, tab, mapping(t, "wiltshire"), transfer.Options{By: staff})
		if err != nil {
			t.Fatal(err)
		}
		if i == 1 {
			if rep.Added != 0 || len(rep.Already) != 3 || rep.Written {
				t.Fatalf("the second import: added %d, already %d", rep.Added, len(rep.Already))
			}
			if !bytes.Equal(before, dump(store)) {
				t.Fatal("the second import wrote to the store")
			}
			var text strings.Builder
			rep.WriteText(&text)
			if !strings.Contains(text.String(), "already on the register: 3") {
				t.Fatalf("report:\n%s", text.String())
			}
		}
	}
}

func TestOneBadRowImportsNothing(t *testing.T) {
	reg, store := newReg(t)
	rows := messyRows()
	rows[1]["Accommodation Type"] = "Caravan"     // not a word of the vocabulary
	rows[1]["Date Consent Given"] = "31/02/2026"  // no such day
	rows[4]["Date of Birth"] = "sometime in 1995" // identifying: withheld
	rows[0]["NHS Number"] = "999 000 0019"        // fails Modulus 11
	tab, err := transfer.ReadXLSX(bytes.NewReader(wiltsXLSX(t, rows)), "")
	if err != nil {
		t.Fatal(err)
	}
	before := dump(store)
	for _, dry := range []bool{true, false} {
		rep, err := transfer.Import(ctx, reg, tab, mapping(t, "wiltshire"), transfer.Options{By: staff, DryRun: dry})
		if !errors.Is(err, transfer.ErrRejected) {
			t.Fatalf("dry run %v: err %v", dry, err)
		}
		if !bytes.Equal(before, dump(store)) {
			t.Fatal("a sheet with bad rows wrote to the store")
		}
		want := []transfer.Problem{
			{Sheet: "DSR", Row: 4, Column: "B", Heading: "NHS Number", Field: "nhs_number", Withheld: true},
			{Sheet: "DSR", Row: 5, Column: "L", Heading: "Accommodation Type", Field: "entry.accommodation", Value: "Caravan"},
			{Sheet: "DSR", Row: 5, Column: "AK", Heading: "Date Consent Given", Field: "consent.date", Value: "31/02/2026"},
			{Sheet: "DSR", Row: 8, Column: "D", Heading: "Date of Birth", Field: "date_of_birth", Withheld: true},
		}
		if len(rep.Problems) != len(want) {
			t.Fatalf("problems: %+v", rep.Problems)
		}
		for i, w := range want {
			g := rep.Problems[i]
			g.Problem = ""
			if g != w {
				t.Fatalf("problem %d: %+v, want %+v", i, rep.Problems[i], w)
			}
		}
		var text, page bytes.Buffer
		rep.WriteText(&text)
		rep.WriteHTML(&page)
		for _, out := range []string{text.String(), page.String()} {
			for _, secret := range []string{"999 000 0019", "9990000019", "sometime in 1995", "Person A", "W-001"} {
				if strings.Contains(out, secret) {
					t.Fatalf("the report shows %q:\n%s", secret, out)
				}
			}
			if !strings.Contains(out, "Caravan") || !strings.Contains(out, "31/02/2026") {
				t.Fatalf("the report does not show the values that identify nobody:\n%s", out)
			}
		}
	}
}

// The same register as a CSV: semicolons, a byte order mark, the group
// headings once each, Excel serial dates.
func TestImportWiltshireCSV(t *testing.T) {
	reg, _ := newReg(t)
	tab, err := transfer.ReadCSV(bytes.NewReader(wiltsCSV(messyRows())), "wiltshire.csv")
	if err != nil {
		t.Fatal(err)
	}
	rep, err := transfer.Import(ctx, reg, tab, mapping(t, "wiltshire"), transfer.Options{By: staff})
	if err != nil {
		var s strings.Builder
		rep.WriteText(&s)
		t.Fatalf("%v\n%s", err, s.String())
	}
	if rep.HeaderRow != 3 || rep.Added != 3 || len(rep.NoConsent) != 1 || rep.Columns["entry.funding.social_care"] != "R" {
		t.Fatalf("%+v", rep)
	}
	d, err := reg.Details(ctx, "W-001", staff)
	if err != nil || d.Person.DateOfBirth != day("2011-05-14") || d.Entry.Funding == nil || d.Entry.Funding.SocialCare != 50 || d.Entry.KeyworkerReferral != day("2026-06-01") {
		t.Fatalf("%+v %v", d, err)
	}
}

// On SQLite, a sheet with one bad row leaves the register's files byte
// for byte as they were.
func TestOneBadRowLeavesTheSQLiteFileUnchanged(t *testing.T) {
	dir := t.TempDir()
	store, err := sqlitestore.Open(ctx, filepath.Join(dir, "r.db"))
	if err != nil {
		t.Fatal(err)
	}
	reg := openReg(t, store)
	if _, err := reg.AddAll(ctx, nil, staff); err != nil {
		t.Fatal(err)
	}
	importMessy(t, reg) // three people already on it
	files := func() map[string][]byte {
		out := map[string][]byte{}
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if strings.HasSuffix(e.Name(), "-shm") {
				continue // SQLite's shared-memory index of the WAL, which every reader writes to
			}
			b, err := os.ReadFile(filepath.Join(dir, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			out[e.Name()] = b
		}
		return out
	}
	rows := messyRows()
	rows = append(rows, wiltsRow{"Local ID": "W-010", "NHS Number": "9990000042", "Date of Birth": "01/01/1990", "AUTISM": "Y",
		"Consent to be on DSR": "Y", "Date Consent Given": "01/10/2026", "RAG Rating": "Red"})
	rows = append(rows, wiltsRow{"Local ID": "W-011", "Date of Birth": "01/01/1990", "AUTISM": "Y", "Section 117 Eligible": "perhaps",
		"Consent to be on DSR": "Y", "Date Consent Given": "01/10/2026"})
	tab, err := transfer.ReadCSV(bytes.NewReader(wiltsCSV(rows)), "wiltshire.csv")
	if err != nil {
		t.Fatal(err)
	}
	before := files()
	rep, err := transfer.Import(ctx, reg, tab, mapping(t, "wiltshire"), transfer.Options{By: staff})
	if !errors.Is(err, transfer.ErrRejected) || len(rep.Problems) != 1 {
		t.Fatalf("%v %+v", err, rep.Problems)
	}
	p := rep.Problems[0]
	if p.Sheet != "wiltshire" || p.Row != 11 || p.Column != "P" || p.Heading != "Section 117 Eligible" || p.Value != "perhaps" {
		t.Fatalf("problem %+v", p)
	}
	// Two rows of one person: the converters pass both.
	rows[len(rows)-1]["Section 117 Eligible"] = "N"
	rows[len(rows)-1]["NHS Number"] = "999 000 0042"
	tab, err = transfer.ReadCSV(bytes.NewReader(wiltsCSV(rows)), "wiltshire.csv")
	if err != nil {
		t.Fatal(err)
	}
	rep, err = transfer.Import(ctx, reg, tab, mapping(t, "wiltshire"), transfer.Options{By: staff})
	if !errors.Is(err, transfer.ErrRejected) || len(rep.Problems) != 1 {
		t.Fatalf("%v %+v", err, rep.Problems)
	}
	if p := rep.Problems[0]; p.Row != 11 || p.Field != "nhs_number" || p.Column != "B" || !p.Withheld || p.Value != "" ||
		p.Problem != "the same NHS number as row 10: one row a person" {
		t.Fatalf("problem %+v", p)
	}
	// A problem only the register finds: a consent date before the date
	// of birth (each date converts).
	rows[len(rows)-1]["NHS Number"] = ""
	rows[len(rows)-1]["Date Consent Given"] = "01/10/1989"
	tab, err = transfer.ReadCSV(bytes.NewReader(wiltsCSV(rows)), "wiltshire.csv")
	if err != nil {
		t.Fatal(err)
	}
	rep, err = transfer.Import(ctx, reg, tab, mapping(t, "wiltshire"), transfer.Options{By: staff})
	if !errors.Is(err, transfer.ErrRejected) || len(rep.Problems) != 1 {
		t.Fatalf("%v %+v", err, rep.Problems)
	}
	if p := rep.Problems[0]; p.Row != 11 || p.Field != "consent.date" || p.Column != "AK" || p.Withheld || strings.Contains(p.Problem, "1990") {
		t.Fatalf("problem %+v", p)
	}
	after := files()
	if len(before) != len(after) {
		t.Fatalf("files %d before, %d after", len(before), len(after))
	}
	for name, b := range before {
		if !bytes.Equal(b, after[name]) {
			t.Fatalf("%s changed", name)
		}
	}
	store.Close()
}

// One report holds every problem: those of the converters and those only
// the register finds, in row order.
func TestEveryProblemInOneReport(t *testing.T) {
	reg, store := newReg(t)
	rows := messyRows()
	rows[0]["Date Consent Given"] = "01/05/2011" // before W-001's birth: only the register sees it
	rows[4]["RAG Rating"] = "Purple"             // the converter sees it
	tab, err := transfer.ReadXLSX(bytes.NewReader(wiltsXLSX(t, rows)), "")
	if err != nil {
		t.Fatal(err)
	}
	before := dump(store)
	for _, dry := range []bool{true, false} {
		rep, err := transfer.Import(ctx, reg, tab, mapping(t, "wiltshire"), transfer.Options{By: staff, DryRun: dry})
		if !errors.Is(err, transfer.ErrRejected) || len(rep.Problems) != 2 {
			t.Fatalf("%v %+v", err, rep.Problems)
		}
		if p := rep.Problems[0]; p.Row != 4 || p.Field != "consent.date" || p.Column != "AK" {
			t.Fatalf("first problem %+v", p)
		}
		if p := rep.Problems[1]; p.Row != 8 || p.Field != "rating" || p.Value != "Purple" {
			t.Fatalf("second problem %+v", p)
		}
		if !bytes.Equal(before, dump(store)) {
			t.Fatal("a refused import wrote")
		}
	}
}
