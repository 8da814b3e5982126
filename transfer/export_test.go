package transfer_test

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"

	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/register"
	"github.com/dsrkit/dsrkit/transfer"
)

func importMessy(t *testing.T, reg *register.Register) {
	t.Helper()
	tab, err := transfer.ReadXLSX(bytes.NewReader(wiltsXLSX(t, messyRows())), "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := transfer.Import(ctx, reg, tab, mapping(t, "wiltshire"), transfer.Options{By: staff}); err != nil {
		t.Fatal(err)
	}
}

func TestExportIsAuditedOncePerPerson(t *testing.T) {
	reg, _ := newReg(t)
	importMessy(t, reg)
	ex, err := transfer.Export(ctx, reg, mapping(t, "wiltshire"), transfer.ExportOptions{By: staff})
	if err != nil {
		t.Fatal(err)
	}
	if len(ex.Rows) != 3 {
		t.Fatalf("%d rows", len(ex.Rows))
	}
	admin := register.Actor{ID: "admin-1", Role: "admin"}
	for _, id := range []string{"W-001", "W-002", "W-004"} {
		entries, err := reg.Audit(ctx, id, admin)
		if err != nil {
			t.Fatal(err)
		}
		reads := 0
		for _, e := range entries {
			if e.Read {
				reads++
				if e.By != staff || e.What != "details and case" || e.Why != "export" {
					t.Fatalf("%s: read %+v", id, e)
				}
			}
		}
		if reads != 1 {
			t.Fatalf("%s: %d reads audited, want 1", id, reads)
		}
	}
	// The added columns: suggested, agreed and of record, next due.
	var b bytes.Buffer
	ex.WriteCSV(&b)
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(b.String(), "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	head := recs[0]
	n := len(head)
	if head[n-4] != transfer.HeadSuggested || head[n-1] != transfer.HeadNextDue {
		t.Fatalf("headings %v", head)
	}
	if got := recs[1][n-4:]; got[0] != "Red" || got[1] != "Red" || got[2] != "Red" || got[3] != "15/09/2026" {
		t.Fatalf("W-001's ratings and next due: %v", got)
	}
}

func TestExportForSharingDropsIdentifiers(t *testing.T) {
	reg, _ := newReg(t)
	importMessy(t, reg)
	ex, err := transfer.Export(ctx, reg, mapping(t, "wiltshire"), transfer.ExportOptions{By: staff, ForSharing: true})
	if err != nil {
		t.Fatal(err)
	}
	var b, x bytes.Buffer
	if err := ex.WriteCSV(&b); err != nil {
		t.Fatal(err)
	}
	if err := ex.WriteSummaryCSV(&b); err != nil {
		t.Fatal(err)
	}
	if err := ex.WriteXLSX(&x); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, secret := range []string{"W-00", "9990000018", "999 000 0018", "Person A", "Person B", "ZZ99", "14/05/2011", "2011-05-14",
		"Coordinator One", "Escalating distress", "Keyworker allocated", "Local ID", "NHS Number", "Name", "Date of Birth"} {
		if strings.Contains(out, secret) {
			t.Fatalf("the export for sharing holds %q:\n%s", secret, out)
		}
	}
	for _, want := range []string{transfer.HeadAgeBand, "14-17", "Autism", "OOA", "Rating of record: Red,*", "On the register,*"} {
		if !strings.Contains(out, want) {
			t.Fatalf("the export for sharing lacks %q:\n%s", want, out)
		}
	}
	tab, err := transfer.ReadXLSX(bytes.NewReader(x.Bytes()), "Summary")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range tab.Rows[1:] {
		if v := r.Cell(1); v == "1" || v == "2" || v == "3" || v == "4" {
			t.Fatalf("summary row %v publishes a small count", r.Cells)
		}
	}
}

func TestNationalReturn(t *testing.T) {
	reg, _ := newReg(t)
	importMessy(t, reg)
	if err := reg.Record(ctx, "W-002", dsr.Event{Type: dsr.EventAdmitted, Date: day("2026-11-03"), Security: "low", LegalStatus: "s3", OutOfArea: true, Hospital: "Hospital X"}, staff); err != nil {
		t.Fatal(err)
	}
	start, end, err := transfer.ParseMonth("2026-11")
	if err != nil || start != day("2026-11-01") || end != day("2026-11-30") {
		t.Fatalf("%v %v %v", start, end, err)
	}
	n, err := transfer.NationalReturn(ctx, reg, start, end, staff, nil)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := n.WriteCSV(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, secret := range []string{"W-00", "99900000", "Person ", "ZZ99", "2011-05-14", "Hospital X"} {
		if strings.Contains(out, secret) {
			t.Fatalf("the return holds %q:\n%s", secret, out)
		}
	}
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	people, inpatient := 0, 0
	for _, r := range recs[1:] {
		if len(r) != len(transfer.NationalColumns) {
			t.Fatalf("row of %d cells", len(r))
		}
		if r[0] == "P" {
			people++
			if len(r[3]) != 64 {
				t.Fatalf("pseudonym %q", r[3])
			}
			if r[13] == "Y" {
				inpatient++
				if r[14] != "2026-11-03" || r[15] != "low" || r[16] != "s3" || r[17] != "Y" {
					t.Fatalf("inpatient row %v", r)
				}
			}
		}
		if r[0] == "A" {
			if v := r[len(r)-1]; v == "1" || v == "2" || v == "3" || v == "4" {
				t.Fatalf("aggregate %v publishes a small count", r)
			}
		}
	}
	if people != 3 || inpatient != 1 {
		t.Fatalf("%d people, %d inpatients:\n%s", people, inpatient, out)
	}
	if !strings.Contains(out, "A,2026-11-01,2026-11-30,") || !strings.Contains(out, "inpatients_at_period_end,all,*") {
		t.Fatalf("aggregates:\n%s", out)
	}
}
