package calendar

import (
	"errors"
	"fmt"
	"strings"
	"time"
	_ "time/tzdata" // Europe/London must resolve on hosts without a zoneinfo database.
)

// London is the Europe/London location. Every civil date in dsrkit is a date
// in this zone.
var London = mustLoad("Europe/London")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic("calendar: cannot load " + name + ": " + err.Error())
	}
	return loc
}

// epochOffset makes the zero Date distinct from every real date: a Date holds
// the number of days since 1970-01-01 plus this offset, so 0 means "no date".
const epochOffset = 1 << 30

// Date is a civil date (year, month, day) in Europe/London, with no time of
// day. The zero value is "no date": IsZero reports true and String returns "".
// Dates are comparable with ==, and ordered with Before, After and Compare.
type Date struct {
	n int32 // days since 1970-01-01, plus epochOffset; 0 = no date
}

// NewDate returns the date y-m-d. Out-of-range values normalise as time.Date
// does (NewDate(2026, 2, 30) is 2026-03-02); use ParseDate to reject them.
func NewDate(y int, m time.Month, d int) Date {
	t := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	return Date{n: int32(t.Unix()/86400) + epochOffset}
}

// ParseDate parses an ISO 8601 calendar date (2006-01-02), rejecting dates
// that do not exist such as 2026-02-30.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		why := "want YYYY-MM-DD"
		var pe *time.ParseError
		if errors.As(err, &pe) && strings.HasSuffix(pe.Message, "out of range") {
			why = strings.TrimPrefix(pe.Message, ": ") // "day out of range", as in 2026-02-30
		}
		return Date{}, fmt.Errorf("calendar: %q is not a date (%s): %w", s, why, ErrBadDate)
	}
	return NewDate(t.Year(), t.Month(), t.Day()), nil
}

// MustParseDate is ParseDate for constants in tests and examples; it panics
// on a bad date.
func MustParseDate(s string) Date {
	d, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// DateOf returns the Europe/London civil date of the instant t.
func DateOf(t time.Time) Date {
	y, m, d := t.In(London).Date()
	return NewDate(y, m, d)
}

// FromDays returns the date that is n days after 1970-01-01 (n may be negative).
func FromDays(n int) Date { return Date{n: int32(n) + epochOffset} }

// Days returns the number of days from 1970-01-01 to d. It is the inverse of
// FromDays; for the zero Date it returns a large negative number.
func (d Date) Days() int { return int(d.n) - epochOffset }

// IsZero reports whether d is the zero Date ("no date").
func (d Date) IsZero() bool { return d.n == 0 }

func (d Date) utc() time.Time { return time.Unix(int64(d.Days())*86400, 0).UTC() }

// Year returns the year of d.
func (d Date) Year() int { return d.utc().Year() }

// Month returns the month of d.
func (d Date) Month() time.Month { return d.utc().Month() }

// Day returns the day of the month of d.
func (d Date) Day() int { return d.utc().Day() }

// Parts returns year, month and day at once.
func (d Date) Parts() (int, time.Month, int) { return d.utc().Date() }

// Weekday returns the day of the week of d.
func (d Date) Weekday() time.Weekday {
	// 1970-01-01 was a Thursday.
	w := (d.Days()%7 + 7 + int(time.Thursday)) % 7
	return time.Weekday(w)
}

// AddDays returns d plus n calendar days (n may be negative). The zero Date
// is "no date": adding to it gives a meaningless date, so check IsZero first.
func (d Date) AddDays(n int) Date { return Date{n: d.n + int32(n)} }

// AddMonths returns d plus n calendar months, clipping to the last day of the
// target month (R-TIME-4: 30 Nov + 3 months = 28 Feb, or 29 in a leap year).
func (d Date) AddMonths(n int) Date {
	y, m, day := d.Parts()
	total := int(m) - 1 + n
	ty := y + floorDiv(total, 12)
	tm := time.Month(total - floorDiv(total, 12)*12 + 1)
	if last := DaysIn(ty, tm); day > last {
		day = last
	}
	return NewDate(ty, tm, day)
}

func floorDiv(a, b int) int {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// DaysIn returns the number of days in month m of year y.
func DaysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// Sub returns the number of days from e to d (d - e).
func (d Date) Sub(e Date) int { return int(d.n) - int(e.n) }

// Before reports whether d is before e.
func (d Date) Before(e Date) bool { return d.n < e.n }

// After reports whether d is after e.
func (d Date) After(e Date) bool { return d.n > e.n }

// Compare returns -1, 0 or +1 as d is before, equal to or after e.
func (d Date) Compare(e Date) int {
	switch {
	case d.n < e.n:
		return -1
	case d.n > e.n:
		return 1
	}
	return 0
}

// Start returns the instant d begins in Europe/London (local midnight).
func (d Date) Start() time.Time {
	y, m, day := d.Parts()
	return time.Date(y, m, day, 0, 0, 0, 0, London)
}

// YearsBetween returns the completed years from birth to on: a person's age
// on a date. A birthday on 29 February is reached on 1 March in other years.
func YearsBetween(birth, on Date) int {
	by, bm, bd := birth.Parts()
	oy, om, od := on.Parts()
	age := oy - by
	if om < bm || (om == bm && od < bd) {
		age--
	}
	return age
}

// String returns d as YYYY-MM-DD, or "" for the zero Date.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return d.utc().Format(time.DateOnly)
}

// MarshalText implements encoding.TextMarshaler (YYYY-MM-DD; empty for zero).
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler. Empty text gives the
// zero Date.
func (d *Date) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*d = Date{}
		return nil
	}
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}
