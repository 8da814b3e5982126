package calendar_test

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dsrkit/dsrkit/calendar"
)

// london returns the instant y-m-d h:min in Europe/London.
func london(y int, m time.Month, day, h, min int) time.Time {
	return time.Date(y, m, day, h, min, 0, 0, calendar.London)
}

func TestDue(t *testing.T) {
	cal := calendar.Default()
	for _, tc := range []struct {
		rule string
		what string
		from string
		dl   calendar.Deadline
		want string
	}{
		{"R-TIME-1", "10 days", "2026-03-30", calendar.Deadline{N: 10, Unit: calendar.Days}, "2026-04-09"},
		{"R-TIME-1", "days ignore bank holidays", "2026-04-02", calendar.Deadline{N: 1, Unit: calendar.Days}, "2026-04-03"},
		{"R-TIME-1", "days run over the year end", "2026-12-20", calendar.Deadline{N: 14, Unit: calendar.Days}, "2027-01-03"},
		{"R-TIME-1", "0 days is the day itself", "2026-03-30", calendar.Deadline{N: 0, Unit: calendar.Days}, "2026-03-30"},
		{"R-TIME-1", "weeks are 7N days", "2026-03-30", calendar.Deadline{N: 6, Unit: calendar.Weeks}, "2026-05-11"},
		{"R-TIME-1", "weeks across a leap day", "2028-02-22", calendar.Deadline{N: 1, Unit: calendar.Weeks}, "2028-02-29"},

		{"R-TIME-2", "5 working days over Easter 2026 (Good Friday 3 April, Easter Monday 6 April)",
			"2026-03-30", calendar.Deadline{N: 5, Unit: calendar.WorkingDays}, "2026-04-08"},
		{"R-TIME-2", "the start is not counted", "2026-03-30", calendar.Deadline{N: 1, Unit: calendar.WorkingDays}, "2026-03-31"},
		{"R-TIME-2", "from a Friday, over the weekend", "2026-03-27", calendar.Deadline{N: 1, Unit: calendar.WorkingDays}, "2026-03-30"},
		{"R-TIME-2", "from a Saturday", "2026-03-28", calendar.Deadline{N: 1, Unit: calendar.WorkingDays}, "2026-03-30"},
		{"R-TIME-2", "from a bank holiday (Good Friday)", "2026-04-03", calendar.Deadline{N: 1, Unit: calendar.WorkingDays}, "2026-04-07"},
		{"R-TIME-2", "over Christmas 2026 (Fri 25, Boxing Day substitute Mon 28)",
			"2026-12-24", calendar.Deadline{N: 1, Unit: calendar.WorkingDays}, "2026-12-29"},
		{"R-TIME-2", "over Christmas 2026 and New Year's Day 2027",
			"2026-12-24", calendar.Deadline{N: 4, Unit: calendar.WorkingDays}, "2027-01-04"},
		{"R-TIME-2", "10 working days over Christmas 2026", "2026-12-18", calendar.Deadline{N: 10, Unit: calendar.WorkingDays}, "2027-01-06"},
		{"R-TIME-2", "over the Coronation bank holiday 2023", "2023-05-05", calendar.Deadline{N: 1, Unit: calendar.WorkingDays}, "2023-05-09"},
		{"R-TIME-2", "over the State Funeral 2022", "2022-09-16", calendar.Deadline{N: 1, Unit: calendar.WorkingDays}, "2022-09-20"},
		{"R-TIME-2", "30 May 2022 was a working day (spring bank holiday moved)", "2022-05-27", calendar.Deadline{N: 1, Unit: calendar.WorkingDays}, "2022-05-30"},
		{"R-TIME-2", "Platinum Jubilee: Thu 2 and Fri 3 June 2022", "2022-06-01", calendar.Deadline{N: 1, Unit: calendar.WorkingDays}, "2022-06-06"},
		{"R-TIME-2", "0 working days is the day itself", "2026-04-03", calendar.Deadline{N: 0, Unit: calendar.WorkingDays}, "2026-04-03"},
		{"R-TIME-2", "20 working days across the end of the data (rules for 2029)",
			"2028-12-20", calendar.Deadline{N: 20, Unit: calendar.WorkingDays}, "2029-01-22"},

		{"R-TIME-3", "14 days beginning with 2 March 2026", "2026-03-02", calendar.Deadline{N: 14, Unit: calendar.DaysBeginningWith}, "2026-03-15"},
		{"R-TIME-3", "1 day beginning with X is X", "2026-03-02", calendar.Deadline{N: 1, Unit: calendar.DaysBeginningWith}, "2026-03-02"},
		{"R-TIME-3", "no working-day adjustment: may end on Good Friday", "2026-03-21", calendar.Deadline{N: 14, Unit: calendar.DaysBeginningWith}, "2026-04-03"},
		{"R-TIME-3", "28 days beginning with 1 February 2028 (leap year)", "2028-02-01", calendar.Deadline{N: 28, Unit: calendar.DaysBeginningWith}, "2028-02-28"},

		{"R-TIME-4", "30 Nov 2026 + 3 months is clipped to 28 Feb", "2026-11-30", calendar.Deadline{N: 3, Unit: calendar.Months}, "2027-02-28"},
		{"R-TIME-4", "30 Nov 2027 + 3 months is 29 Feb in a leap year", "2027-11-30", calendar.Deadline{N: 3, Unit: calendar.Months}, "2028-02-29"},
		{"R-TIME-4", "31 Jan 2026 + 1 month is 28 Feb", "2026-01-31", calendar.Deadline{N: 1, Unit: calendar.Months}, "2026-02-28"},
		{"R-TIME-4", "12 months from 29 Feb is 28 Feb", "2028-02-29", calendar.Deadline{N: 12, Unit: calendar.Months}, "2029-02-28"},
		{"R-TIME-4", "months may end on a bank holiday", "2026-11-25", calendar.Deadline{N: 1, Unit: calendar.Months}, "2026-12-25"},

		{"hours", "24 hours from the start of a day", "2026-06-10", calendar.Deadline{N: 24, Unit: calendar.Hours}, "2026-06-11"},
		{"hours", "24 elapsed hours from the start of 25 Oct 2026, a 25-hour day, end on that day",
			"2026-10-25", calendar.Deadline{N: 24, Unit: calendar.Hours}, "2026-10-25"},
		{"hours", "24 elapsed hours from the start of 29 Mar 2026, a 23-hour day, end the next day",
			"2026-03-29", calendar.Deadline{N: 24, Unit: calendar.Hours}, "2026-03-30"},
		{"hours", "72 hours", "2026-10-23", calendar.Deadline{N: 72, Unit: calendar.Hours}, "2026-10-25"},
	} {
		got, err := cal.Due(d(tc.from), tc.dl)
		require.NoError(t, err, "%s: %s", tc.rule, tc.what)
		require.Equal(t, d(tc.want), got, "%s: %s: %s from %s", tc.rule, tc.what, tc.dl, tc.from)
	}
}

func TestDueAt(t *testing.T) {
	cal := calendar.Default()
	for _, tc := range []struct {
		what string
		from time.Time
		dl   calendar.Deadline
		want time.Time
	}{
		{"72 elapsed hours across the autumn clock change (clocks go back 25 Oct 2026)",
			london(2026, time.October, 23, 18, 0), calendar.Deadline{N: 72, Unit: calendar.Hours},
			london(2026, time.October, 26, 17, 0)},
		{"72 elapsed hours across the spring clock change (clocks go forward 29 Mar 2026)",
			london(2026, time.March, 27, 18, 0), calendar.Deadline{N: 72, Unit: calendar.Hours},
			london(2026, time.March, 30, 19, 0)},
		{"72 hours with no clock change",
			london(2026, time.June, 5, 18, 0), calendar.Deadline{N: 72, Unit: calendar.Hours},
			london(2026, time.June, 8, 18, 0)},
		{"0 hours is the instant itself",
			london(2026, time.June, 5, 18, 30), calendar.Deadline{N: 0, Unit: calendar.Hours},
			london(2026, time.June, 5, 18, 30)},
		{"R-TIME-2: a working-day deadline has passed at the start of the next day",
			london(2026, time.March, 30, 10, 0), calendar.Deadline{N: 5, Unit: calendar.WorkingDays},
			london(2026, time.April, 9, 0, 0)},
		{"R-TIME-1: the start instant's London date counts (23:30 UTC on 14 July is 15 July)",
			time.Date(2026, time.July, 14, 23, 30, 0, 0, time.UTC), calendar.Deadline{N: 1, Unit: calendar.Days},
			london(2026, time.July, 17, 0, 0)},
	} {
		got, err := cal.DueAt(tc.from, tc.dl)
		require.NoError(t, err, tc.what)
		require.True(t, tc.want.Equal(got), "%s: got %s, want %s", tc.what, got, tc.want)
		require.Equal(t, calendar.London, got.Location(), "%s: the result is in London time", tc.what)
		if tc.dl.Unit == calendar.Hours {
			require.Equal(t, time.Duration(tc.dl.N)*time.Hour, got.Sub(tc.from), "%s: hours are elapsed hours", tc.what)
		}
	}
}

func TestBadDeadlines(t *testing.T) {
	cal := calendar.Default()
	for what, dl := range map[string]calendar.Deadline{
		"the zero Deadline has no unit":        {},
		"a bare number has no unit":            {N: 10},
		"an unknown unit":                      {N: 10, Unit: "fortnights"},
		"a unit in the wrong case":             {N: 10, Unit: "Working_Days"},
		"a negative count":                     {N: -1, Unit: calendar.Days},
		"a negative count of working days":     {N: -5, Unit: calendar.WorkingDays},
		"R-TIME-3: 0 days beginning with X":    {N: 0, Unit: calendar.DaysBeginningWith},
		"a count past MaxCount":                {N: calendar.MaxCount + 1, Unit: calendar.WorkingDays},
		"a count that would overflow the date": {N: math.MaxInt, Unit: calendar.Days},
	} {
		require.ErrorIs(t, dl.Validate(), calendar.ErrBadDeadline, what)
		_, err := cal.Due(d("2026-03-30"), dl)
		require.ErrorIs(t, err, calendar.ErrBadDeadline, "Due: %s", what)
		_, err = cal.DueAt(london(2026, time.March, 30, 9, 0), dl)
		require.ErrorIs(t, err, calendar.ErrBadDeadline, "DueAt: %s", what)
	}

	ok := calendar.Deadline{N: 10, Unit: calendar.WorkingDays}
	_, err := cal.Due(calendar.Date{}, ok)
	require.ErrorIs(t, err, calendar.ErrBadDeadline, "Due from no date")
	_, err = cal.DueAt(time.Time{}, ok)
	require.ErrorIs(t, err, calendar.ErrBadDeadline, "DueAt from no instant")
	require.NoError(t, calendar.Deadline{N: calendar.MaxCount, Unit: calendar.Days}.Validate())
}

func TestUnits(t *testing.T) {
	require.Len(t, calendar.Units, 6)
	for _, u := range calendar.Units {
		require.True(t, u.Valid(), u)
		require.NoError(t, calendar.Deadline{N: 1, Unit: u}.Validate(), u)
	}
	require.False(t, calendar.Unit("").Valid())
	require.False(t, calendar.Unit("day").Valid())
	require.Equal(t, "10 working_days", calendar.Deadline{N: 10, Unit: calendar.WorkingDays}.String())
}

func TestAddWorkingDays(t *testing.T) {
	cal := calendar.Default()
	// R-TIME-2 counting forwards and, for a negative n, backwards.
	for _, tc := range []struct {
		from string
		n    int
		want string
	}{
		{"2026-03-30", 5, "2026-04-08"},
		{"2026-04-08", -5, "2026-03-30"},
		{"2026-04-07", -1, "2026-04-02"}, // back over Easter Monday, the weekend and Good Friday
		{"2026-12-29", -1, "2026-12-24"}, // back over the Boxing Day substitute and Christmas
		{"2026-04-04", 0, "2026-04-04"},  // n == 0 returns d even on a Saturday
		{"2026-04-04", -1, "2026-04-02"},
	} {
		require.Equal(t, d(tc.want), cal.AddWorkingDays(d(tc.from), tc.n), "R-TIME-2: %s %+d working days", tc.from, tc.n)
	}
	for _, s := range []string{"2026-04-02", "2026-04-07", "2026-12-24", "2026-12-29"} {
		require.True(t, cal.IsWorkingDay(d(s)), "%s is a working day", s)
	}
	for _, s := range []string{"2026-04-03", "2026-04-04", "2026-04-05", "2026-04-06", "2026-12-25", "2026-12-26", "2026-12-28"} {
		require.False(t, cal.IsWorkingDay(d(s)), "%s is not a working day", s)
	}
}
