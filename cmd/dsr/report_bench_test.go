package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/dsrkit/dsrkit/calendar"
)

// BenchmarkReportBoard10000 is `dsr report board --quarter 2026Q3` on a
// SQLite register of 10,000 demo people on the register since 30 June
// 2026, so everyone is rated or assessed twice (on the day before the
// quarter and on its last day): the whole command, loading the policy,
// opening the register, one parallel scan of every history, one of the
// requests, and the page. Each run is on a fresh copy of the register
// file. cpu-s/op is the process's user and system time per run, which the
// other work on a shared machine does not inflate as it does ns/op. The
// register is built once (dsr demo, 30 s to a minute and a half);
// DSR_BENCH_REPORT_DB names one built before, with DSR_BENCH_REPORT_KEY
// its key file.
//
// Each bundle is run three ways, side by side: assess-start/gc100, the
// board as it was (everyone assessed whole on the day before the quarter,
// the runtime's collector); rate-start/gc100, rated that day instead
// (report.BoardOptions.AssessStart off); rate-start/gc400, rated and the
// command's collector target (boardGCPercent), the default. heap-sys-MB
// is the process's, the largest so far: run one variant per process
// (-bench 'BenchmarkReportBoard10000/^national-2023$/^rate-start$/^gc400$')
// to read it, or the peak resident memory, of one.
//
// Measured on the 2-core machine shared with other work, -count 3 in one
// run (load average 1.7): national-2023 2.11 to 2.50 s and 4.09 to 4.79
// CPU-s as it was, 1.58 to 1.91 s and 3.03 to 3.67 CPU-s rated, 1.30 to
// 1.40 s and 2.49 to 2.69 CPU-s rated with gc400; national-2023-cel 0.56
// to 0.61 s (1.04 to 1.12 CPU-s), 0.51 to 0.52 s (0.96 to 0.98), 0.42 to
// 0.49 s (0.79 to 0.83). Under a load of 3 to 9 the wall times are up to
// twice that or more; the CPU times hardly move. Peak resident memory of
// the whole process, one variant each (national-2023): 72 MB as it was,
// 78 MB rated, 119 to 126 MB with gc400.
func BenchmarkReportBoard10000(b *testing.B) {
	db := os.Getenv("DSR_BENCH_REPORT_DB")
	if db != "" {
		b.Setenv("DSR_KEY_FILE", os.Getenv("DSR_BENCH_REPORT_KEY"))
	} else {
		dir := b.TempDir()
		db = filepath.Join(dir, "demo.db")
		b.Setenv("DSR_KEY_FILE", filepath.Join(dir, "demo.key"))
		start := time.Now()
		var t testing.T
		if r := runCLI(&t, "", "demo", "--db", db, "--people", strconv.Itoa(10_000), "--as-of", "2026-06-30"); r.code != exitOK {
			b.Fatalf("demo: exit %d: %s", r.code, r.stderr)
		}
		b.Logf("built the register of 10,000 in %s", time.Since(start).Round(time.Second))
	}
	b.Setenv("DSR_BY", "analyst-1")
	b.Setenv("DSR_ROLE", "analyst")
	old := cliNow
	cliNow = func() time.Time { return calendar.MustParseDate("2026-10-15").Start().Add(9 * time.Hour) }
	b.Cleanup(func() { cliNow = old })
	type variant struct {
		assessStart bool
		gcPercent   int
	}
	variants := []variant{{true, 0}, {false, 0}, {false, boardGCPercent}}
	for _, policy := range []string{"national-2023", "national-2023-cel"} {
		for _, run := range variants {
			name := fmt.Sprintf("%s/%s/gc%d", policy, map[bool]string{true: "assess-start", false: "rate-start"}[run.assessStart], max(100, run.gcPercent))
			b.Run(name, func(b *testing.B) { benchBoard(b, db, policy, run.assessStart, run.gcPercent) })
		}
	}
}

// benchBoard is one variant of BenchmarkReportBoard10000: the board
// assessing the quarter's start or rating it, with the collector's
// target gc (0: the runtime's).
func benchBoard(b *testing.B, db, policy string, assessStart bool, gc int) {
	oldAssess, oldGC := boardAssessStart, boardGCPercent
	boardAssessStart, boardGCPercent = assessStart, gc
	b.Cleanup(func() { boardAssessStart, boardGCPercent = oldAssess, oldGC })
	out := filepath.Join(b.TempDir(), "board.html")
	var cpu time.Duration
	for b.Loop() {
		b.StopTimer()
		cold := filepath.Join(b.TempDir(), "cold.db")
		copyDB(b, db, cold)
		before := cpuTime()
		b.StartTimer()
		var t testing.T
		if r := runCLI(&t, "", "report", "board", "--quarter", "2026Q3", "--db", cold, "--policy", policy, "-o", out); r.code != exitOK {
			b.Fatalf("report board: exit %d: %s", r.code, r.stderr)
		}
		b.StopTimer()
		cpu += cpuTime() - before
		b.StartTimer()
	}
	b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/op")
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	b.ReportMetric(float64(m.HeapSys)/(1<<20), "heap-sys-MB")
}

// cpuTime is the process's user and system time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func copyDB(b *testing.B, from, to string) {
	b.Helper()
	in, err := os.Open(from)
	if err != nil {
		b.Fatal(err)
	}
	defer in.Close()
	o, err := os.Create(to)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := io.Copy(o, in); err != nil {
		b.Fatal(err)
	}
	if err := o.Close(); err != nil {
		b.Fatal(err)
	}
}
