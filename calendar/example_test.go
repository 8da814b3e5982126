package calendar_test

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/dsrkit/dsrkit/calendar"
)

func ExampleParseDate() {
	d, err := calendar.ParseDate("2026-03-02")
	if err != nil {
		panic(err)
	}
	fmt.Println(d, d.Weekday())

	_, err = calendar.ParseDate("2026-02-30")
	fmt.Println(errors.Is(err, calendar.ErrBadDate))
	fmt.Println(err)
	// Output:
	// 2026-03-02 Monday
	// true
	// calendar: "2026-02-30" is not a date (day out of range): calendar: bad date
}

// Five working days from Monday 30 March 2026 skip Good Friday (3 April),
// the weekend and Easter Monday (6 April): R-TIME-2.
func ExampleCalendar_Due() {
	cal := calendar.Default()
	from := calendar.MustParseDate("2026-03-30")

	due, err := cal.Due(from, calendar.Deadline{N: 5, Unit: calendar.WorkingDays})
	if err != nil {
		panic(err)
	}
	fmt.Println(due, due.Weekday())

	ew := calendar.EnglandAndWales().(calendar.Named)
	for d := from; !d.After(due); d = d.AddDays(1) {
		if name, ok := ew.HolidayName(d); ok {
			fmt.Println(d, name)
		}
	}
	// Output:
	// 2026-04-08 Wednesday
	// 2026-04-03 Good Friday
	// 2026-04-06 Easter Monday
}

// A deadline of 72 hours is 72 elapsed hours: the clocks go back an hour on
// Sunday 25 October 2026, so 72 hours from 18:00 on Friday 23 October is
// 17:00 on Monday 26 October, London time.
func ExampleCalendar_DueAt() {
	from := time.Date(2026, time.October, 23, 18, 0, 0, 0, calendar.London)
	at, err := calendar.Default().DueAt(from, calendar.Deadline{N: 72, Unit: calendar.Hours})
	if err != nil {
		panic(err)
	}
	fmt.Println(from.Format("Mon 2 Jan 2006 15:04 MST"))
	fmt.Println(at.Format("Mon 2 Jan 2006 15:04 MST"))
	// Output:
	// Fri 23 Oct 2026 18:00 BST
	// Mon 26 Oct 2026 17:00 GMT
}

// A host that keeps its own list of closures supplies it in the shape of
// GOV.UK's bank-holidays.json and builds its own Calendar.
func ExampleLoadList() {
	list, err := calendar.LoadList(strings.NewReader(`{
		"division": "example-trust",
		"events": [
			{"title": "Christmas Day", "date": "2026-12-25", "notes": ""},
			{"title": "Boxing Day", "date": "2026-12-28", "notes": "Substitute day"},
			{"title": "Trust closure", "date": "2026-12-29", "notes": ""}
		]}`))
	if err != nil {
		panic(err)
	}
	cal := calendar.New(calendar.WithHolidays(list))

	due, err := cal.Due(calendar.MustParseDate("2026-12-24"), calendar.Deadline{N: 1, Unit: calendar.WorkingDays})
	if err != nil {
		panic(err)
	}
	fmt.Println(due)
	for _, h := range list.InYear(2026) {
		fmt.Println(h)
	}
	// Output:
	// 2026-12-30
	// 2026-12-25 Christmas Day
	// 2026-12-28 Boxing Day (substitute day)
	// 2026-12-29 Trust closure
}

// A host list can also be built from dates alone.
func ExampleNewList() {
	cal := calendar.New(calendar.WithHolidays(calendar.NewList(calendar.MustParseDate("2026-07-13"))))
	fmt.Println(cal.AddWorkingDays(calendar.MustParseDate("2026-07-10"), 1))
	// Output:
	// 2026-07-14
}

func ExampleNamed_InYear() {
	ew := calendar.EnglandAndWales().(calendar.Named)
	for _, h := range ew.InYear(2022) {
		fmt.Println(h)
	}
	// Output:
	// 2022-01-03 New Year's Day (substitute day)
	// 2022-04-15 Good Friday
	// 2022-04-18 Easter Monday
	// 2022-05-02 Early May bank holiday
	// 2022-06-02 Spring bank holiday
	// 2022-06-03 Platinum Jubilee bank holiday
	// 2022-08-29 Summer bank holiday
	// 2022-09-19 Bank Holiday for the State Funeral of Queen Elizabeth II
	// 2022-12-26 Boxing Day
	// 2022-12-27 Christmas Day (substitute day)
}

// R-TIME-4: months are calendar months, clipped to the end of the month.
func ExampleDate_AddMonths() {
	fmt.Println(calendar.MustParseDate("2026-11-30").AddMonths(3))
	fmt.Println(calendar.MustParseDate("2027-11-30").AddMonths(3))
	// Output:
	// 2027-02-28
	// 2028-02-29
}

// R-TIME-3: the period of 14 days beginning with Monday 2 March 2026 ends on
// Sunday 15 March, with no working-day adjustment.
func ExampleCalendar_Due_daysBeginningWith() {
	due, err := calendar.Default().Due(calendar.MustParseDate("2026-03-02"),
		calendar.Deadline{N: 14, Unit: calendar.DaysBeginningWith})
	if err != nil {
		panic(err)
	}
	fmt.Println(due, due.Weekday())
	// Output:
	// 2026-03-15 Sunday
}

func ExampleEnglandAndWalesSource() {
	src := calendar.EnglandAndWalesSource()
	fmt.Println(src.URL, src.FirstYear, src.LastYear)
	// Output:
	// https://www.gov.uk/bank-holidays.json 2018 2028
}
