package transfer_test

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/register/sqlitestore"
	"github.com/dsrkit/dsrkit/transfer"
)

var benchHeadings = []string{"Local ID", "NHS Number", "Name", "Date of Birth", "Gender", "Ethnicity", "Learning Disability", "Autism",
	"Accommodation Type", "In/Out of Area Placement", "Section 117 Eligible", "Care Coordinator", "Team", "Risk of Admission",
	"Reason for Risk", "Dates of Previous Admissions", "In Crisis", "Consent to be on DSR", "Date Consent Given", "RAG Rating"}

// benchRow is synthetic person i in the Wiltshire layout.
func benchRow(i int) []any {
	rag := []string{"Red", "Amber", "Green", "Blue"}[i%4]
	return []any{fmt.Sprintf("W-%05d", i), string(dsr.TestNHSNumber(i)), fmt.Sprintf("Person %d Synthetic", i),
		fmt.Sprintf("%02d/%02d/%d", 1+i%28, 1+i%12, 1960+i%40), []string{"F", "M", "Non-binary"}[i%3], "A", "Y", []string{"Y", "N"}[i%2],
		"Supported living", []string{"In area", "OOA"}[i%2], "N", "Coordinator " + strconv.Itoa(i%50), "North", "Yes",
		"Escalating distress", "02/03/2024; 20/01/2025", []string{"Y", "N"}[i%3/2], "Y", "01/09/2026", rag}
}

func benchXLSX(b *testing.B, n int) []byte {
	f := excelize.NewFile()
	defer f.Close()
	f.SetSheetName("Sheet1", "DSR")
	sw, err := f.NewStreamWriter("DSR")
	if err != nil {
		b.Fatal(err)
	}
	hs := make([]any, len(benchHeadings))
	for i, h := range benchHeadings {
		hs[i] = h
	}
	sw.SetRow("A1", hs)
	for i := range n {
		at, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := sw.SetRow(at, benchRow(i)); err != nil {
			b.Fatal(err)
		}
	}
	sw.Flush()
	var buf bytes.Buffer
	f.Write(&buf)
	return buf.Bytes()
}

func benchCSV(n int) []byte {
	var buf bytes.Buffer
	buf.WriteString(strings.Join(benchHeadings, ",") + "\n")
	for i := range n {
		row := benchRow(i)
		s := make([]string, len(row))
		for j, v := range row {
			s[j] = fmt.Sprint(v)
		}
		buf.WriteString(`"` + strings.Join(s, `","`) + "\"\n")
	}
	return buf.Bytes()
}

// peakRSS is the process's peak resident set (VmHWM), in MiB.
func peakRSS() float64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(rest), " kB"))
			return float64(kb) / 1024
		}
	}
	return 0
}

// BenchmarkImport10000SQLite imports a sheet of 10,000 people into a new
// SQLite register, all in one transaction: read, convert, check (consent
// included) and write. The figure to meet is 10 s an import on 2 cores;
// peak-RSS-MiB is the process's peak resident set (VmHWM) at the end.
func BenchmarkImport10000SQLite(b *testing.B) {
	const n = 10_000
	m := mapping(b, "wiltshire")
	for _, format := range []string{"xlsx", "csv"} {
		var file []byte
		if format == "xlsx" {
			file = benchXLSX(b, n)
		} else {
			file = benchCSV(n)
		}
		b.Run(format, func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				store, err := sqlitestore.Open(ctx, filepath.Join(b.TempDir(), "r.db"))
				if err != nil {
					b.Fatal(err)
				}
				reg := openReg(b, store)
				b.StartTimer()
				tab, err := transfer.ReadFile(bytes.NewReader(file), "register."+format, m.Sheet)
				if err != nil {
					b.Fatal(err)
				}
				rep, err := transfer.Import(ctx, reg, tab, m, transfer.Options{By: staff})
				if err != nil || rep.Added != n {
					var s strings.Builder
					rep.WriteText(&s)
					b.Fatalf("%v: added %d\n%.2000s", err, rep.Added, s.String())
				}
				b.StopTimer()
				store.Close()
				b.StartTimer()
			}
			b.ReportMetric(peakRSS(), "peak-RSS-MiB")
		})
	}
}

// BenchmarkExport10000SQLite exports a register of 10,000 people from
// SQLite as CSV: the list, each person's audited read, the rows.
func BenchmarkExport10000SQLite(b *testing.B) {
	const n = 10_000
	m := mapping(b, "wiltshire")
	store, err := sqlitestore.Open(ctx, filepath.Join(b.TempDir(), "r.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	reg := openReg(b, store)
	tab, err := transfer.ReadCSV(bytes.NewReader(benchCSV(n)), "register.csv")
	if err != nil {
		b.Fatal(err)
	}
	if _, err := transfer.Import(ctx, reg, tab, m, transfer.Options{By: staff}); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		ex, err := transfer.Export(ctx, reg, m, transfer.ExportOptions{By: staff})
		if err != nil || len(ex.Rows) != n {
			b.Fatalf("%v: %d rows", err, len(ex.Rows))
		}
		var out bytes.Buffer
		if err := ex.WriteCSV(&out); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(peakRSS(), "peak-RSS-MiB")
}
