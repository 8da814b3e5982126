package calendar_test

import (
	"testing"

	"github.com/dsrkit/dsrkit/calendar"
)

var (
	sinkDate calendar.Date
	sinkBool bool
)

func BenchmarkAddWorkingDays10(b *testing.B) {
	cal := calendar.Default()
	start := calendar.MustParseDate("2026-03-30")
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		sinkDate = cal.AddWorkingDays(start.AddDays(i%730), 10)
		i++
	}
}

func BenchmarkAddWorkingDays10BeyondTable(b *testing.B) {
	cal := calendar.Default()
	start := calendar.MustParseDate("2300-03-30")
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		sinkDate = cal.AddWorkingDays(start.AddDays(i%730), 10)
		i++
	}
}

func BenchmarkIsWorkingDay(b *testing.B) {
	cal := calendar.Default()
	start := calendar.MustParseDate("2026-01-01")
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		sinkBool = cal.IsWorkingDay(start.AddDays(i % 730))
		i++
	}
}

// TestWorkingDayArithmeticDoesNotAllocate holds the benchmarks' promise in
// an ordinary test run: the working-day loop is called in tight loops.
func TestWorkingDayArithmeticDoesNotAllocate(t *testing.T) {
	cal := calendar.Default()
	for _, start := range []calendar.Date{calendar.MustParseDate("2026-03-30"), calendar.MustParseDate("2300-03-30")} {
		_ = cal.IsWorkingDay(start) // build the table first
		allocs := testing.AllocsPerRun(100, func() {
			sinkDate = cal.AddWorkingDays(start, 10)
			sinkBool = cal.IsWorkingDay(start)
			sinkBool = calendar.EnglandAndWales().IsHoliday(start)
		})
		if allocs != 0 {
			t.Fatalf("from %s: %v allocations per run, want 0", start, allocs)
		}
	}
}
