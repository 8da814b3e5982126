package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/internal/testtools"
)

// demoForReports is a demo register of synthetic people whose histories
// run to 30 September 2026, with the command's clock on 15 October.
func demoForReports(t *testing.T, people int) string {
	t.Helper()
	t.Setenv("DSR_BY", "staff-1")
	t.Setenv("DSR_ROLE", "coordinator")
	db := filepath.Join(t.TempDir(), "demo.db")
	t.Setenv("DSR_KEY_FILE", filepath.Join(t.TempDir(), "demo.key"))
	if r := runCLI(t, "", "demo", "--db", db, "--people", strconv.Itoa(people), "--as-of", "2026-09-30"); r.code != exitOK {
		t.Fatalf("demo: exit %d: %s", r.code, r.stderr)
	}
	old := cliNow
	cliNow = func() time.Time { return calendar.MustParseDate("2026-10-15").Start().Add(9 * time.Hour) }
	t.Cleanup(func() { cliNow = old })
	return db
}

// artifacts is the folder of the files CI keeps.
func artifacts(t *testing.T) string { return testtools.Artifacts(t, "") }

var numCell = regexp.MustCompile(`<td class="dsr-num">([^<]*)</td>`)

func TestReportBoardAndMeetingPackOfTheDemoRegister(t *testing.T) {
	db := demoForReports(t, 240)
	dir := t.TempDir()

	board := filepath.Join(dir, "board.html")
	r := runCLI(t, "", "report", "board", "--quarter", "2026Q3", "--db", db, "-o", board, "--area", "Synthetic Borough")
	if r.code != exitOK {
		t.Fatalf("report board: exit %d: %s", r.code, r.stderr)
	}
	// Standard error is not a terminal: the progress ends with a plain
	// line counting everyone read (228 of the 240 drawn are held).
	if !regexp.MustCompile(`board report: 228 people in `).MatchString(r.stderr) {
		t.Errorf("report board's progress: %q", r.stderr)
	}
	if q := runCLI(t, "", "report", "board", "--quarter", "2026Q3", "--db", db, "-o", filepath.Join(dir, "quiet.html"), "--quiet"); q.code != exitOK || strings.Contains(q.stderr, "people") {
		t.Errorf("report board --quiet: exit %d, %q", q.code, q.stderr)
	}
	page, err := os.ReadFile(board)
	if err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(board); fi.Mode().Perm() != 0o600 {
		t.Errorf("the report is %v, want 0600", fi.Mode().Perm())
	}
	cells := numCell.FindAllSubmatch(page, -1)
	if len(cells) < 50 {
		t.Fatalf("the board report shows %d figures", len(cells))
	}
	nonzero := 0
	for _, c := range cells {
		s := string(c[1])
		n, err := strconv.Atoi(s)
		if s != "*" && (err != nil || n%5 != 0) {
			t.Errorf("the board report publishes %q: not * or a multiple of 5 (R-REPORT-1)", s)
		}
		if n > 0 {
			nonzero++
		}
	}
	if nonzero == 0 {
		t.Error("every figure of the demo's board report is 0 or *")
	}
	for _, want := range []string{"July to September 2026 (Synthetic Borough)", "C(E)TRs held on time", "<svg"} {
		if !bytes.Contains(page, []byte(want)) {
			t.Errorf("the board report lacks %q", want)
		}
	}
	if err := os.WriteFile(filepath.Join(artifacts(t), "board-report-demo.html"), page, 0o644); err != nil {
		t.Fatal(err)
	}

	r = runCLI(t, "", "report", "board", "--quarter", "2026Q3", "--db", db, "--format", "json")
	var model struct {
		Quarter string `json:"quarter"`
		Ratings struct {
			Total json.RawMessage `json:"total"`
		} `json:"ratings"`
	}
	if r.code != exitOK || json.Unmarshal([]byte(r.stdout), &model) != nil || model.Quarter != "2026Q3" {
		t.Fatalf("report board --format json: exit %d: %s\n%.300s", r.code, r.stderr, r.stdout)
	}

	pack := filepath.Join(dir, "pack.html")
	r = runCLI(t, "", "report", "meeting-pack", "--date", "2026-10-07", "--db", db, "-o", pack)
	if r.code != exitOK {
		t.Fatalf("report meeting-pack: exit %d: %s", r.code, r.stderr)
	}
	pp, err := os.ReadFile(pack)
	if err != nil {
		t.Fatal(err)
	}
	if n := bytes.Count(pp, []byte(`<section class="dsr-person"`)); n == 0 {
		t.Fatal("the meeting pack lists nobody")
	}
	if bytes.Contains(pp, []byte("Synthetic Person")) {
		t.Error("the meeting pack shows names without --names")
	}
	if err := os.WriteFile(filepath.Join(artifacts(t), "meeting-pack-demo.html"), pp, 0o644); err != nil {
		t.Fatal(err)
	}
	r = runCLI(t, "", "report", "meeting-pack", "--date", "2026-10-07", "--db", db, "--names")
	if r.code != exitOK || !strings.Contains(r.stdout, "Synthetic Person") {
		t.Fatalf("meeting-pack --names: exit %d: %s", r.code, r.stderr)
	}
	r = runCLI(t, "", "report", "meeting-pack", "--date", "2026-10-07", "--db", db, "--names", "--role", "analyst")
	if r.code != exitUsage || !strings.Contains(r.stderr, "--names") {
		t.Fatalf("meeting-pack --names as an analyst: exit %d: %s", r.code, r.stderr)
	}
}

func TestReportRefusesBadFlagsBeforeOpeningTheRegister(t *testing.T) {
	t.Setenv("DSR_BY", "staff-1")
	t.Setenv("DSR_ROLE", "analyst")
	db := filepath.Join(t.TempDir(), "none.db")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"board", "--db", db}, "--quarter"},
		{[]string{"board", "--quarter", "2026Q5", "--db", db}, "--quarter"},
		{[]string{"board", "--quarter", "2026Q3", "--format", "docx", "--db", db}, "--format"},
		{[]string{"meeting-pack", "--date", "7 October", "--db", db}, "--date"},
		{[]string{"board", "--quarter", "2026Q3", "-o", "x.pdf", "--chromium", filepath.Join(t.TempDir(), "no-browser"), "--db", db}, "apt-get install chromium"},
	} {
		r := runCLI(t, "", append([]string{"report"}, c.args...)...)
		if r.code == exitOK || !strings.Contains(r.stderr, c.want) {
			t.Errorf("report %v: exit %d, stderr %q, want it to name %s", c.args, r.code, r.stderr, c.want)
		}
		if _, err := os.Stat(db); err == nil {
			t.Fatalf("report %v created the register", c.args)
		}
	}
}

// TestReportBoardWritesAPDF prints through Debian's Chromium: skipped
// here without one, failed under CI (CI=true).
func TestReportBoardWritesAPDF(t *testing.T) {
	browser := testtools.Chromium(t)
	db := demoForReports(t, 40)
	out := filepath.Join(t.TempDir(), "board.pdf")
	r := runCLI(t, "", "report", "board", "--quarter", "2026Q3", "--db", db, "-o", out, "--chromium", browser)
	if r.code != exitOK {
		t.Fatalf("report board -o board.pdf: exit %d: %s", r.code, r.stderr)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b, []byte("%PDF-")) {
		t.Fatalf("not a PDF: %q", b[:min(16, len(b))])
	}
	if n := len(regexp.MustCompile(`/Type\s*/Page[^s]`).FindAll(b, -1)); n < 2 {
		t.Errorf("the board report's PDF has %d pages, want several", n)
	}
	if err := os.WriteFile(filepath.Join(artifacts(t), "board-report-demo.pdf"), b, 0o644); err != nil {
		t.Fatal(err)
	}
}
