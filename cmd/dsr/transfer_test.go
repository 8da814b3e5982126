package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const nhseSheet = "\ufeffNHS Number;Date of Birth;Autism (Y/N);Out of Area (Y/N);Consent Obtained (Y/N);Consent Date;RAG;In crisis;Gender;Patient Name\n" +
	"999 000 0018;14/05/1990;Y;Y;Yes;01/09/2026;Red;Y;F;Person A Synthetic\n" +
	"9990000026;1/1/80;N;N;No;;G;N;M;Person B Synthetic\n" +
	"9990000034;1980-02-02;Y;N;Y;15/10/2026;%s;n;Female;Person C Synthetic\n"

func TestImportExportAndNationalCommands(t *testing.T) {
	setClock(t, "2026-11-16 10:00")
	dir := t.TempDir()
	db := filepath.Join(dir, "r.db")
	sheet := filepath.Join(dir, "sheet.csv")
	staff := []string{"--db", db, "--by", "staff-1", "--role", "coordinator"}
	write := func(rag string) {
		if err := os.WriteFile(sheet, []byte(strings.Replace(nhseSheet, "%s", rag, 1)), 0o600); err != nil {
			t.Fatal(err)
		}
	}

	// A bad row: nothing written, no register file created; the report
	// names sheet, row, column, heading and value, and no person.
	write("purple")
	page := filepath.Join(dir, "report.html")
	for _, dry := range []bool{true, false} {
		args := append([]string{"register", "import", sheet, "--mapping", "nhse", "--report", page}, staff...)
		if dry {
			args = append(args, "--dry-run")
		}
		r := runCLI(t, "", args...)
		if r.code != exitUsage || !strings.Contains(r.stdout, `sheet row 4 column G (RAG) value "purple"`) || !strings.Contains(r.stdout, "nothing imported") {
			t.Fatalf("dry %v: exit %d:\n%s%s", dry, r.code, r.stdout, r.stderr)
		}
		if strings.Contains(r.stdout, "Person C") || strings.Contains(r.stdout, "9990000034") {
			t.Fatalf("the report names someone:\n%s", r.stdout)
		}
		if _, err := os.Stat(db); !os.IsNotExist(err) {
			t.Fatalf("a refused import left %s: %v", db, err)
		}
		b, err := os.ReadFile(page)
		if err != nil || !strings.Contains(string(b), "purple") || strings.Contains(string(b), "Person C") {
			t.Fatalf("the HTML report: %v\n%s", err, b)
		}
	}

	write("amber")
	r := runCLI(t, "", append([]string{"register", "import", sheet, "--mapping", "nhse"}, staff...)...)
	if r.code != exitOK || !strings.Contains(r.stdout, "added: 2, in one transaction") || !strings.Contains(r.stdout, "sheet row 3: no consent") || !strings.Contains(r.stderr, "created the register") {
		t.Fatalf("import: exit %d:\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = runCLI(t, "", append([]string{"register", "import", sheet, "--mapping", "nhse"}, staff...)...)
	if r.code != exitOK || !strings.Contains(r.stdout, "already on the register: 2") || !strings.Contains(r.stdout, "added: 0") {
		t.Fatalf("re-import: exit %d:\n%s%s", r.code, r.stdout, r.stderr)
	}

	out := filepath.Join(dir, "out.xlsx")
	r = runCLI(t, "", append([]string{"register", "export", "--mapping", "nhse", "-o", out}, staff...)...)
	if r.code != exitOK || !strings.Contains(r.stdout, "exported 2 people with identifiers") {
		t.Fatalf("export: exit %d:\n%s%s", r.code, r.stdout, r.stderr)
	}
	if st, err := os.Stat(out); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("export file: %v %v", st, err)
	}
	// The export reads back: everyone is already on the register.
	r = runCLI(t, "", append([]string{"register", "import", out, "--mapping", "nhse", "--dry-run"}, staff...)...)
	if r.code != exitOK || !strings.Contains(r.stdout, "already on the register: 2") {
		t.Fatalf("import of the export: exit %d:\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = runCLI(t, "", "register", "export", "--mapping", "nhse", "--db", db, "--by", "a-1", "--role", "analyst")
	if r.code != exitUsage || !strings.Contains(r.stderr, "--for-sharing") {
		t.Fatalf("an analyst's export with identifiers: exit %d: %s", r.code, r.stderr)
	}
	shared := filepath.Join(dir, "share.csv")
	r = runCLI(t, "", "register", "export", "--mapping", "wiltshire", "--for-sharing", "-o", shared, "--db", db, "--by", "a-1", "--role", "analyst")
	if r.code != exitOK {
		t.Fatalf("export for sharing: exit %d: %s", r.code, r.stderr)
	}
	for _, f := range []string{shared, filepath.Join(dir, "share-summary.csv")} {
		b, err := os.ReadFile(f)
		if err != nil || strings.Contains(string(b), "Person A") || strings.Contains(string(b), "Person C") || strings.Contains(string(b), "999") || strings.Contains(string(b), "nhs-") {
			t.Fatalf("%s: %v\n%s", f, err, b)
		}
	}

	setClock(t, "2026-12-02 10:00")
	r = runCLI(t, "", append([]string{"report", "national", "--month", "2026-11"}, staff...)...)
	if r.code != exitOK || strings.Count(r.stdout, "\nP,2026-11-01,2026-11-30,") != 2 || !strings.Contains(r.stdout, "on_register_at_period_end,all,*") || strings.Contains(r.stdout, "999") {
		t.Fatalf("national: exit %d:\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := runCLI(t, "", append([]string{"report", "national", "--month", "November"}, staff...)...); r.code != exitUsage || !strings.Contains(r.stderr, "--month") {
		t.Fatalf("bad month: exit %d: %s", r.code, r.stderr)
	}
}
