package transfer_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/transfer"
)

func TestParseDate(t *testing.T) {
	pivot := day("2026-11-16")
	for in, want := range map[string]string{
		"14/05/2009": "2009-05-14", "1/2/2026": "2026-02-01", "3/4/98": "1998-04-03", "3/4/26": "2026-04-03", "3/4/27": "1927-04-03",
		"2026-02-28": "2026-02-28", "2026-02-28T10:00:00": "2026-02-28", "14-05-2009": "2009-05-14", "14.05.2009": "2009-05-14",
		" 07/07/1995 ": "1995-07-07", "29/02/2024": "2024-02-29", "14 May 2009": "2009-05-14", "14-may-09": "2009-05-14",
		"3 September 2026": "2026-09-03", "3 Sept 2026": "2026-09-03", "01-Dec-1999": "1999-12-01",
		// Excel's 1900 system: 1 is 1 January 1900; 59 is 28 February
		// 1900; 61, after the 29 February that never was, is 1 March.
		"1": "1900-01-01", "59": "1900-02-28", "61": "1900-03-01", "45658": "2025-01-01", "46342.75": "2026-11-16", "2958465": "9999-12-31",
	} {
		d, ok, err := transfer.ParseDate(in, pivot)
		if err != nil || !ok || d.String() != want {
			t.Errorf("%q: %v %v %v, want %s", in, d, ok, err, want)
		}
	}
	for _, in := range []string{"60", "0", "2958466", "31/02/2026", "2026-13-01", "13/13/2013", "1/2", "1/2/3/4", "12/2026", "Monday", "1/-2/2026", "1/2/202", "14 Mayday 2009", "31 Feb 2026", "May 2009", "14 Ju 2009"} {
		if _, _, err := transfer.ParseDate(in, pivot); !errors.Is(err, transfer.ErrValue) {
			t.Errorf("%q: err %v, want ErrValue", in, err)
		}
	}
	for _, in := range []string{"", "  ", "-", "N/A", "unknown"} {
		if _, ok, err := transfer.ParseDate(in, pivot); ok || err != nil {
			t.Errorf("%q is not blank", in)
		}
	}
	for _, d := range []string{"1900-03-01", "2026-11-16", "9999-12-31"} {
		if got, _ := transfer.ExcelSerial(float64(transfer.ToExcelSerial(day(d)))); got.String() != d {
			t.Errorf("ToExcelSerial(%s) does not come back: %s", d, got)
		}
	}
}

func TestParseWords(t *testing.T) {
	for in, want := range map[string]bool{"Y": true, "yes": true, " TRUE ": true, "1": true, "N": false, "No": false, "false": false, "0": false} {
		if v, ok, err := transfer.ParseBool(in); !ok || err != nil || v != want {
			t.Errorf("ParseBool(%q) = %v %v %v", in, v, ok, err)
		}
	}
	if _, _, err := transfer.ParseBool("maybe"); !errors.Is(err, transfer.ErrValue) {
		t.Error("ParseBool(maybe) converts")
	}
	for in, want := range map[string]dsr.Rating{"Red": dsr.Red, "r": dsr.Red, "AMBER": dsr.Amber, "a": dsr.Amber, "Green": dsr.Green, "G": dsr.Green, "blue": dsr.Blue, " B ": dsr.Blue} {
		if v, ok, err := transfer.ParseRating(in); !ok || err != nil || v != want {
			t.Errorf("ParseRating(%q) = %v %v %v", in, v, ok, err)
		}
	}
	if _, _, err := transfer.ParseRating("purple"); !errors.Is(err, transfer.ErrValue) {
		t.Error("ParseRating(purple) converts")
	}
	for _, in := range []string{"999 000 0018", "9990000018", "999-000-0018", " 999 0000 018 "} {
		if n, ok, err := transfer.ParseNHSNumber(in); !ok || err != nil || n != "9990000018" {
			t.Errorf("ParseNHSNumber(%q) = %v %v %v", in, n, ok, err)
		}
	}
	for _, in := range []string{"999 000 0019", "99900000", "99900000181", "999x000018"} {
		_, _, err := transfer.ParseNHSNumber(in)
		if !errors.Is(err, transfer.ErrValue) || strings.Contains(err.Error(), "999") {
			t.Errorf("ParseNHSNumber(%q): %v (must fail without the number)", in, err)
		}
	}
	for in, want := range map[string]int{"50": 50, "50%": 50, " 0 ": 0, "100": 100, "0.5": 50, "0.25": 25, "1": 1} {
		if v, ok, err := transfer.ParsePercent(in); !ok || err != nil || v != want {
			t.Errorf("ParsePercent(%q) = %v %v %v, want %d", in, v, ok, err, want)
		}
	}
	for _, in := range []string{"101", "-5", "12.5", "0.125", "half"} {
		if _, _, err := transfer.ParsePercent(in); !errors.Is(err, transfer.ErrValue) {
			t.Errorf("ParsePercent(%q) converts", in)
		}
	}
	if transfer.Heading("  Date of\nBirth* ") != "date of birth" || transfer.Word("Out of area") != "out_of_area" || transfer.Word("Non-binary") != "non_binary" {
		t.Error("folding")
	}
}

func TestReadCSV(t *testing.T) {
	for name, in := range map[string]string{
		"comma": "\ufeffA,B\r\n1,\"x, y\"\r\n",
		"semi":  "A;B\n1;\"x, y\"\n",
	} {
		tab, err := transfer.ReadCSV(strings.NewReader(in), "sheet.csv")
		if err != nil {
			t.Fatal(err)
		}
		if tab.Name != "sheet" || len(tab.Rows) != 2 || tab.Rows[0].Cells[0] != "A" || tab.Rows[1].Cells[1] != "x, y" || tab.Rows[1].Number != 2 {
			t.Errorf("%s: %+v", name, tab)
		}
	}
}

// An NHSE-style CSV, semicolons and a byte order mark, headings on row 2,
// no local ids: the ids come from the NHS numbers' pseudonyms.
func TestImportNHSECSV(t *testing.T) {
	reg, store := newReg(t)
	csv := "\ufeffDynamic Support Register;;;;;\n" +
		"NHS Number;Date of Birth;Autism (Y/N);Out of Area (Y/N);Consent Obtained (Y/N);Consent Date;RAG;In crisis;Gender\n" +
		"999 000 0018;14/05/1990;Y;Y;Yes;01/09/2026;Red;Y;F\n" +
		";;;;;;;;\n" +
		"9990000026;1/1/80;N;N;No;;G;N;M\n" +
		"\"9990000034\";1980-02-02;Y;N;Y;15/10/2026;amber;n;Female\n"
	tab, err := transfer.ReadCSV(strings.NewReader(csv), "return.csv")
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		rep, err := transfer.Import(ctx, reg, tab, mapping(t, "nhse"), transfer.Options{By: staff})
		if err != nil {
			var s strings.Builder
			rep.WriteText(&s)
			t.Fatalf("%v\n%s", err, s.String())
		}
		if rep.HeaderRow != 2 || rep.Blank != 1 || len(rep.NoConsent) != 1 || rep.NoConsent[0].Row != 5 || rep.Added+len(rep.Already) != 2 {
			t.Fatalf("%+v", rep)
		}
	}
	id, err := reg.FindNHSNumber(ctx, "9990000018", staff)
	if err != nil || !strings.HasPrefix(id, "nhs-") || strings.Contains(id, "9990000018") {
		t.Fatalf("id %q, %v", id, err)
	}
	d, err := reg.Details(ctx, id, staff)
	if err != nil || d.Entry.Placement != "out_of_area" || d.Entry.Gender != "female" {
		t.Fatalf("%+v %v", d, err)
	}
	_ = store
}

// A person whose recorded consent does not hold (a parent's for an adult)
// is listed with the consentless and not imported; the others are.
func TestConsentThatDoesNotHoldIsListed(t *testing.T) {
	reg, _ := newReg(t)
	rows := messyRows()
	rows[1]["Consent Given By"] = "Parent" // Person B is 28
	tab, err := transfer.ReadXLSX(bytes.NewReader(wiltsXLSX(t, rows)), "")
	if err != nil {
		t.Fatal(err)
	}
	rep, err := transfer.Import(ctx, reg, tab, mapping(t, "wiltshire"), transfer.Options{By: staff})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Added != 2 || len(rep.NoConsent) != 2 || rep.NoConsent[0].Row != 5 || !strings.Contains(rep.NoConsent[0].Why, "R-CONS-2") || rep.NoConsent[1].Row != 7 {
		t.Fatalf("%+v", rep)
	}
	if _, err := reg.Version(ctx, "W-002"); err == nil {
		t.Fatal("W-002 was imported")
	}
}

func TestMappingIsStrict(t *testing.T) {
	for name, in := range map[string]string{
		"unknown key":     `{"name":"x","columns":[{"heading":"DOB","field":"date_of_birth"}],"extra":1}`,
		"unknown field":   `{"name":"x","columns":[{"heading":"DOB","field":"birthday"}]}`,
		"twice":           `{"name":"x","columns":[{"heading":"DOB","field":"date_of_birth"},{"heading":"Born","field":"date_of_birth"}]}`,
		"no consent date": `{"name":"x","columns":[{"heading":"DOB","field":"date_of_birth"},{"heading":"ID","field":"id"}]}`,
		"trailing":        `{"name":"x","columns":[]} {}`,
		"bad default":     `{"name":"x","columns":[{"heading":"DOB","field":"date_of_birth"},{"heading":"ID","field":"id"},{"heading":"C","field":"consent.date","default":"soon"}]}`,
	} {
		if _, err := transfer.DecodeMapping(strings.NewReader(in)); !errors.Is(err, dsr.ErrInvalid) {
			t.Errorf("%s: err %v, want ErrInvalid", name, err)
		}
	}
	for _, name := range transfer.Shipped() {
		mapping(t, name)
	}
}

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"14/05/2009", "3/4/98", "2026-02-28", "45658", "60", "1/2/3", "..", "9999999999999", "1e5", "-1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, ok, err := transfer.ParseDate(s, day("2026-11-16"))
		if err != nil && (ok || !errors.Is(err, transfer.ErrValue)) {
			t.Fatalf("%q: ok %v with err %v", s, ok, err)
		}
		if ok {
			if d.IsZero() {
				t.Fatalf("%q: ok with no date", s)
			}
			if back, err := calendar.ParseDate(d.String()); err != nil || back != d {
				t.Fatalf("%q: %v does not print as a date", s, d)
			}
		}
	})
}

func FuzzReadCSV(f *testing.F) {
	f.Add([]byte("\ufeffNHS Number;Date of Birth;Consent Date\n999 000 0018;14/05/1990;01/09/2026\n"))
	f.Add([]byte("a,\"b\nc\",d\n\"\"\"\n"))
	reg, _ := newReg(f)
	m := mapping(f, "nhse")
	f.Fuzz(func(t *testing.T, b []byte) {
		tab, err := transfer.ReadCSV(bytes.NewReader(b), "f.csv")
		if err != nil {
			if !errors.Is(err, transfer.ErrFormat) {
				t.Fatalf("err %v, want ErrFormat", err)
			}
			return
		}
		rep, err := transfer.Import(ctx, reg, tab, m, transfer.Options{By: staff, DryRun: true})
		if err != nil && !errors.Is(err, transfer.ErrRejected) {
			t.Fatalf("import: %v", err)
		}
		if rep.Written {
			t.Fatal("a dry run wrote")
		}
		for _, p := range rep.Problems {
			if p.Withheld && p.Value != "" {
				t.Fatalf("a withheld value is shown: %+v", p)
			}
		}
	})
}

// A name that a spreadsheet would run as a formula leaves in a CSV behind
// an apostrophe and comes back as it was.
func TestCSVExportDefusesFormulas(t *testing.T) {
	reg, _ := newReg(t)
	m := mapping(t, "nhse")
	in := "NHS Number,Patient Name,Date of Birth,Autism (Y/N),Consent Date,Care Coordinator\n" +
		"999 000 0018,\"=HYPERLINK(\"\"x\"\")\",14/05/1990,Y,01/09/2026,@Coordinator\n"
	tab, _ := transfer.ReadCSV(strings.NewReader(in), "r.csv")
	if _, err := transfer.Import(ctx, reg, tab, m, transfer.Options{By: staff}); err != nil {
		t.Fatal(err)
	}
	ex, err := transfer.Export(ctx, reg, m, transfer.ExportOptions{By: staff})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	ex.WriteCSV(&b)
	if !strings.Contains(b.String(), `"'=HYPERLINK(""x"")"`) || !strings.Contains(b.String(), ",'@Coordinator") {
		t.Fatalf("export:\n%s", b.String())
	}
	two, _ := newReg(t)
	tab, _ = transfer.ReadCSV(&b, "r.csv")
	if _, err := transfer.Import(ctx, two, tab, m, transfer.Options{By: staff}); err != nil {
		t.Fatal(err)
	}
	id, _ := two.FindNHSNumber(ctx, "9990000018", staff)
	d, err := two.Details(ctx, id, staff)
	if err != nil || d.Name != `=HYPERLINK("x")` || d.Entry.CareCoordinator != "@Coordinator" {
		t.Fatalf("%+v %v", d, err)
	}
}
