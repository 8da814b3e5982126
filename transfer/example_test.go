package transfer_test

import (
	"bytes"
	"fmt"
	"os"
	"strings"

	"github.com/dsrkit/dsrkit/register/memstore"
	"github.com/dsrkit/dsrkit/transfer"
)

// An NHSE-style sheet imported: one row refused, so nothing is written;
// the report names the row, the column and the value, never the person.
// Fixed, the sheet imports, the person without consent is left out, and a
// second import adds nobody.
func ExampleImport() {
	reg := openReg(panics{}, memstore.New())
	m, err := transfer.LoadMapping("nhse")
	if err != nil {
		panic(err)
	}
	sheet := "NHS Number,Date of Birth,Autism (Y/N),Consent Obtained (Y/N),Consent Date,RAG\n" +
		"999 000 0018,14/05/1990,Y,Y,01/09/2026,Red\n" +
		"999 000 0026,01/01/1980,Y,N,,Green\n" +
		"999 000 0034,02/02/1980,Y,Y,15/10/2026,Purple\n"
	fixed := strings.Replace(sheet, "Purple", "Amber", 1)
	for _, s := range []string{sheet, fixed, fixed} {
		tab, err := transfer.ReadCSV(strings.NewReader(s), "register.csv")
		if err != nil {
			panic(err)
		}
		rep, err := transfer.Import(ctx, reg, tab, m, transfer.Options{By: staff})
		for _, p := range rep.Problems {
			fmt.Println(p)
		}
		fmt.Printf("err: %v; added %d, already %d, no consent %d\n", err, rep.Added, len(rep.Already), len(rep.NoConsent))
	}
	// Output:
	// register row 4 column F (RAG) value "Purple": want a RAG rating: Red, Amber, Green or Blue (or R, A, G, B)
	// err: transfer: the sheet has problems: nothing imported; added 0, already 0, no consent 1
	// err: <nil>; added 2, already 0, no consent 1
	// err: <nil>; added 0, already 2, no consent 1
}

// Export writes the register in the mapping's layout; for sharing, with
// no identifiers and its counts under R-REPORT-1.
func ExampleExport() {
	reg := openReg(panics{}, memstore.New())
	m, _ := transfer.LoadMapping("nhse")
	tab, _ := transfer.ReadCSV(strings.NewReader("NHS Number,Patient Name,Date of Birth,Autism (Y/N),Consent Date,RAG\n"+
		"999 000 0018,Person A Synthetic,14/05/1990,Y,01/09/2026,Red\n"), "register.csv")
	if _, err := transfer.Import(ctx, reg, tab, m, transfer.Options{By: staff}); err != nil {
		panic(err)
	}
	ex, err := transfer.Export(ctx, reg, m, transfer.ExportOptions{By: staff, ForSharing: true})
	if err != nil {
		panic(err)
	}
	var b bytes.Buffer
	ex.WriteCSV(&b)
	recs := strings.Split(strings.TrimPrefix(b.String(), "\ufeff"), "\n")
	fmt.Println(strings.Join(strings.Split(recs[0], ",")[:4], ","))
	fmt.Println(strings.Join(strings.Split(recs[1], ",")[:4], ","))
	ex.WriteSummaryCSV(os.Stdout)
	// Output:
	// Age band,Local Authority,Learning Disability (Y/N),Autism (Y/N)
	// 35-44,,N,Y
	// Summary,Count
	// As of,2026-11-16
	// Rating of record: Red,*
	// Rating of record: Amber,0
	// Rating of record: Green,0
	// Rating of record: Blue,0
	// Rating of record: not rated,0
	// Age band 0-13,0
	// Age band 14-17,0
	// Age band 18-24,0
	// Age band 25-34,0
	// Age band 35-44,*
	// Age band 45-54,0
	// Age band 55-64,0
	// Age band 65+,0
	// Placed out of area,0
	// On the register,*
	// Counts,"R-REPORT-1: 1 to 4 shown as *, others rounded to the nearest 5; the total is the sum of the published cells"
}

// Excel keeps a date as a serial number in its 1900 date system, which
// counts a 29 February 1900 that never was.
func ExampleParseDate() {
	for _, cell := range []string{"14/05/2009", "3/4/98", "2026-11-16", "46342", "59", "61", "60"} {
		d, _, err := transfer.ParseDate(cell, day("2026-11-16"))
		if err != nil {
			fmt.Printf("%s: %v\n", cell, err)
			continue
		}
		fmt.Printf("%s: %s\n", cell, d)
	}
	// Output:
	// 14/05/2009: 2009-05-14
	// 3/4/98: 1998-04-03
	// 2026-11-16: 2026-11-16
	// 46342: 2026-11-16
	// 59: 1900-02-28
	// 61: 1900-03-01
	// 60: transfer: value does not convert: Excel's serial 60 is 29 February 1900, a day that did not exist
}

// panics is the tb of an example: a failure panics.
type panics struct{}

func (panics) Helper()           {}
func (panics) Fatal(args ...any) { panic(fmt.Sprint(args...)) }

// The national return: a pseudonymised row a person, then the month's
// counts under R-REPORT-1.
func ExampleNationalReturn() {
	reg := openReg(panics{}, memstore.New())
	m, _ := transfer.LoadMapping("nhse")
	tab, _ := transfer.ReadCSV(strings.NewReader("NHS Number,Date of Birth,Autism (Y/N),Consent Date,RAG\n"+
		"999 000 0018,14/05/1990,Y,01/09/2026,Red\n"), "register.csv")
	if _, err := transfer.Import(ctx, reg, tab, m, transfer.Options{By: staff}); err != nil {
		panic(err)
	}
	start, end, _ := transfer.ParseMonth("2026-11")
	n, err := transfer.NationalReturn(ctx, reg, start, end, staff, nil)
	if err != nil {
		panic(err)
	}
	p := n.People[0]
	fmt.Println("pseudonym of", len(p[3]), "hex digits; age band", p[4], "; rating", p[11])
	fmt.Println(n.Aggregates[0])
	// Output:
	// pseudonym of 64 hex digits; age band 35-44 ; rating Red
	// [on_register_at_period_end all *]
}

// A mapping is strict JSON: a field it does not know is refused, naming
// the column.
func ExampleDecodeMapping() {
	_, err := transfer.DecodeMapping(strings.NewReader(`{"name": "ours", "columns": [
		{"heading": "DOB", "field": "date_of_birth"},
		{"heading": "ID", "field": "id"},
		{"heading": "Consented on", "field": "consent.date"},
		{"heading": "Star sign", "field": "star_sign"}]}`))
	fmt.Println(strings.SplitN(err.Error(), ": want one of", 2)[0])
	// Output:
	// dsr: invalid input: mapping ours: columns[3].field: unknown field "star_sign"
}
