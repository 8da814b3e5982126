package calendar_test

import (
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/dsrkit/dsrkit/calendar"
)

// date draws a date from 1990 to 2100, across the data and the rules.
func date() *rapid.Generator[calendar.Date] {
	lo := calendar.NewDate(1990, time.January, 1).Days()
	hi := calendar.NewDate(2100, time.December, 31).Days()
	return rapid.Custom(func(t *rapid.T) calendar.Date {
		return calendar.FromDays(rapid.IntRange(lo, hi).Draw(t, "days"))
	})
}

func TestPropertyAddWorkingDaysIsALaterWorkingDay(t *testing.T) {
	cal := calendar.Default()
	rapid.Check(t, func(t *rapid.T) {
		d := date().Draw(t, "d")
		n := rapid.IntRange(1, 400).Draw(t, "n")
		got := cal.AddWorkingDays(d, n)
		if !cal.IsWorkingDay(got) {
			t.Fatalf("R-TIME-2: %s + %d working days = %s, which is not a working day", d, n, got)
		}
		if !got.After(d) {
			t.Fatalf("R-TIME-2: %s + %d working days = %s, not after the start", d, n, got)
		}
		// Exactly n working days lie in (d, got].
		count := 0
		for x := d.AddDays(1); !x.After(got); x = x.AddDays(1) {
			if cal.IsWorkingDay(x) {
				count++
			}
		}
		if count != n {
			t.Fatalf("R-TIME-2: %d working days between %s and %s, want %d", count, d, got, n)
		}
	})
}

func TestPropertyWorkingDaysAddUpAndUndo(t *testing.T) {
	cal := calendar.Default()
	rapid.Check(t, func(t *rapid.T) {
		d := date().Draw(t, "d")
		a := rapid.IntRange(0, 100).Draw(t, "a")
		b := rapid.IntRange(0, 100).Draw(t, "b")
		if a+b > 0 {
			whole := cal.AddWorkingDays(d, a+b)
			parts := cal.AddWorkingDays(cal.AddWorkingDays(d, a), b)
			if whole != parts {
				t.Fatalf("%s: +%d working days = %s, but +%d then +%d = %s", d, a+b, whole, a, b, parts)
			}
		}
		if cal.IsWorkingDay(d) {
			if back := cal.AddWorkingDays(cal.AddWorkingDays(d, a), -a); back != d {
				t.Fatalf("%s +%d -%d working days = %s", d, a, a, back)
			}
		}
	})
}

func TestPropertyDueIsMonotoneInN(t *testing.T) {
	cal := calendar.Default()
	rapid.Check(t, func(t *rapid.T) {
		d := date().Draw(t, "d")
		u := rapid.SampledFrom([]calendar.Unit{
			calendar.Days, calendar.Weeks, calendar.WorkingDays, calendar.Months, calendar.DaysBeginningWith, calendar.Hours,
		}).Draw(t, "unit")
		n := rapid.IntRange(1, 500).Draw(t, "n")
		m := n + rapid.IntRange(0, 500).Draw(t, "more")
		dn, err := cal.Due(d, calendar.Deadline{N: n, Unit: u})
		if err != nil {
			t.Fatal(err)
		}
		dm, err := cal.Due(d, calendar.Deadline{N: m, Unit: u})
		if err != nil {
			t.Fatal(err)
		}
		if dm.Before(dn) {
			t.Fatalf("%s from %s is %s, but %d %s is earlier, %s", calendar.Deadline{N: n, Unit: u}, d, dn, m, u, dm)
		}
		if dn.Before(d) {
			t.Fatalf("%s from %s is %s, before the start", calendar.Deadline{N: n, Unit: u}, d, dn)
		}
		if u == calendar.Days || u == calendar.WorkingDays || u == calendar.Weeks {
			if !dn.After(d) {
				t.Fatalf("%s from %s is %s, not after the start", calendar.Deadline{N: n, Unit: u}, d, dn)
			}
		}
	})
}

func TestPropertyAddMonthsNeverOverflowsTheMonth(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		d := date().Draw(t, "d")
		n := rapid.IntRange(-1200, 1200).Draw(t, "n")
		got := d.AddMonths(n)
		y, m, day := d.Parts()
		gy, gm, gday := got.Parts()
		// R-TIME-4: the target month is exactly n months on ...
		if months := (gy*12 + int(gm)) - (y*12 + int(m)); months != n {
			t.Fatalf("R-TIME-4: %s %+d months = %s, which is %d months on", d, n, got, months)
		}
		// ... and the day is kept, or clipped to the month's last day.
		if want := min(day, calendar.DaysIn(gy, gm)); gday != want {
			t.Fatalf("R-TIME-4: %s %+d months = %s, want day %d", d, n, got, want)
		}
	})
}

func TestPropertyDateTextRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		d := date().Draw(t, "d")
		b, err := d.MarshalText()
		if err != nil {
			t.Fatal(err)
		}
		var back calendar.Date
		if err := back.UnmarshalText(b); err != nil {
			t.Fatal(err)
		}
		if back != d {
			t.Fatalf("%s round-trips to %s", d, back)
		}
		if w := d.Start().Weekday(); d.Weekday() != w {
			t.Fatalf("%s: Weekday %s, package time says %s", d, d.Weekday(), w)
		}
	})
}
