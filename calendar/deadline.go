package calendar

import (
	"fmt"
	"time"
)

// Unit is the unit of a Deadline. A deadline's unit is part of the rule that
// sets it (docs/rules.md#time), so there is no default unit.
type Unit string

// The deadline units.
const (
	Days              Unit = "days"                // R-TIME-1: from + N days
	Weeks             Unit = "weeks"               // R-TIME-1: from + 7N days
	WorkingDays       Unit = "working_days"        // R-TIME-2: the Nth working day after from
	Months            Unit = "months"              // R-TIME-4: from + N months, clipped to month end
	DaysBeginningWith Unit = "days_beginning_with" // R-TIME-3: from + N - 1 days (statute)
	Hours             Unit = "hours"               // elapsed hours from an instant
)

// Units lists every valid Unit.
var Units = []Unit{Days, Weeks, WorkingDays, Months, DaysBeginningWith, Hours}

// Valid reports whether u is one of Units.
func (u Unit) Valid() bool {
	switch u {
	case Days, Weeks, WorkingDays, Months, DaysBeginningWith, Hours:
		return true
	}
	return false
}

// MaxCount is the largest count a Deadline may have. It is far beyond any
// real rule (a million days is over 2,700 years) and keeps arithmetic from
// overflowing and working-day counts from running for ever.
const MaxCount = 1_000_000

// Deadline is a period with its unit, such as {10, working_days}. The zero
// value has no unit and is invalid.
type Deadline struct {
	N    int  `json:"n"`
	Unit Unit `json:"unit"`
}

// String returns "10 working_days".
func (dl Deadline) String() string { return fmt.Sprintf("%d %s", dl.N, dl.Unit) }

// Validate reports a deadline with no unit, an unknown unit, a negative count,
// a count over MaxCount, or an empty period of 0 days beginning with a day,
// wrapping ErrBadDeadline. A count of 0 is otherwise valid: the deadline is
// the start itself.
func (dl Deadline) Validate() error {
	switch {
	case dl.Unit == "":
		return fmt.Errorf("%w: %d has no unit (R-TIME: a deadline says its unit)", ErrBadDeadline, dl.N)
	case !dl.Unit.Valid():
		return fmt.Errorf("%w: unknown unit %q", ErrBadDeadline, dl.Unit)
	case dl.N < 0:
		return fmt.Errorf("%w: negative count %d", ErrBadDeadline, dl.N)
	case dl.N > MaxCount:
		return fmt.Errorf("%w: count %d is over %d", ErrBadDeadline, dl.N, MaxCount)
	case dl.Unit == DaysBeginningWith && dl.N == 0:
		return fmt.Errorf("%w: a period of 0 days beginning with a day is empty (R-TIME-3)", ErrBadDeadline)
	}
	return nil
}

// Calendar does deadline arithmetic over a set of holidays. The zero value
// (and a nil *Calendar) uses the England and Wales bank holidays, like
// Default. A Calendar is safe for concurrent use.
type Calendar struct {
	holidays Holidays
}

// Holidays returns the holidays c counts as non-working days. Assert it to
// Named to name them.
func (c *Calendar) Holidays() Holidays {
	if c == nil || c.holidays == nil {
		return englandAndWales{}
	}
	return c.holidays
}

// Option configures a Calendar.
type Option func(*Calendar)

// WithHolidays replaces the England and Wales bank holidays with h, for a
// host that keeps its own list (see List, NewList and LoadList). A nil h
// means no holidays at all: only Saturdays and Sundays are not working days.
func WithHolidays(h Holidays) Option {
	return func(c *Calendar) {
		if h == nil {
			h = List(nil)
		}
		c.holidays = h
	}
}

// New returns a Calendar; by default it uses EnglandAndWales.
func New(opts ...Option) *Calendar {
	c := &Calendar{holidays: EnglandAndWales()}
	for _, o := range opts {
		o(c)
	}
	return c
}

var defaultCalendar = New()

// Default returns the shared Calendar with England and Wales bank holidays.
func Default() *Calendar { return defaultCalendar }

// IsWorkingDay reports whether d is neither a Saturday, a Sunday nor a holiday.
func (c *Calendar) IsWorkingDay(d Date) bool {
	switch d.Weekday() {
	case time.Saturday, time.Sunday:
		return false
	}
	return !c.Holidays().IsHoliday(d)
}

// AddWorkingDays returns the nth working day after d, d itself not counted
// (R-TIME-2), so the result is a working day even when d is not. For n == 0
// it returns d; for n < 0 it returns the |n|th working day before d.
// It does not allocate.
func (c *Calendar) AddWorkingDays(d Date, n int) Date {
	h := c.Holidays()
	step := 1
	if n < 0 {
		step, n = -1, -n
	}
	for n > 0 {
		d = d.AddDays(step)
		switch d.Weekday() {
		case time.Saturday, time.Sunday:
			continue
		}
		if !h.IsHoliday(d) {
			n--
		}
	}
	return d
}

// Due returns the date a deadline falls on, counted from the date from:
// days and weeks by R-TIME-1 (from + N days, or 7N), working days by R-TIME-2
// (the Nth working day after from), days beginning with by R-TIME-3
// (from + N - 1) and months by R-TIME-4 (clipped to the month's last day).
// An hours deadline counts elapsed hours from the start (London midnight) of
// from; use DueAt when the starting instant is known. An invalid deadline or
// a zero from is an error wrapping ErrBadDeadline.
func (c *Calendar) Due(from Date, dl Deadline) (Date, error) {
	if err := dl.Validate(); err != nil {
		return Date{}, err
	}
	if from.IsZero() {
		return Date{}, fmt.Errorf("%w: no start date", ErrBadDeadline)
	}
	switch dl.Unit {
	case Days:
		return from.AddDays(dl.N), nil
	case Weeks:
		return from.AddDays(7 * dl.N), nil
	case WorkingDays:
		return c.AddWorkingDays(from, dl.N), nil
	case Months:
		return from.AddMonths(dl.N), nil
	case DaysBeginningWith:
		return from.AddDays(dl.N - 1), nil
	default: // Hours
		return DateOf(from.Start().Add(time.Duration(dl.N) * time.Hour)), nil
	}
}

// DueAt returns the instant an hours deadline falls at: from plus N elapsed
// hours, so 72 hours across a clock change is still 72 hours. For a
// date-based unit it returns the start (London midnight) of the day after the
// due date, the first instant at which the deadline has passed. An invalid
// deadline or a zero from is an error wrapping ErrBadDeadline.
func (c *Calendar) DueAt(from time.Time, dl Deadline) (time.Time, error) {
	if err := dl.Validate(); err != nil {
		return time.Time{}, err
	}
	if from.IsZero() {
		return time.Time{}, fmt.Errorf("%w: no start instant", ErrBadDeadline)
	}
	if dl.Unit == Hours {
		return from.Add(time.Duration(dl.N) * time.Hour).In(London), nil
	}
	d, err := c.Due(DateOf(from), dl)
	if err != nil {
		return time.Time{}, err
	}
	return d.AddDays(1).Start(), nil
}
