package calendar_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dsrkit/dsrkit/calendar"
)

var d = calendar.MustParseDate

func TestParseDate(t *testing.T) {
	got, err := calendar.ParseDate("2026-03-02")
	require.NoError(t, err)
	require.Equal(t, calendar.NewDate(2026, time.March, 2), got)
	y, m, day := got.Parts()
	require.Equal(t, []any{2026, time.March, 2}, []any{y, m, day})
	require.Equal(t, 2026, got.Year())
	require.Equal(t, time.March, got.Month())
	require.Equal(t, 2, got.Day())

	for _, bad := range []string{
		"2026-02-30", // no such day
		"2027-02-29", // not a leap year
		"2026-13-01", // no such month
		"2026-00-10",
		"2026-04-31",
		"", "2026-3-2", "2026/03/02", "02-03-2026", "2026-03-02T00:00:00Z", " 2026-03-02", "2026-03-02 ",
	} {
		_, err := calendar.ParseDate(bad)
		require.ErrorIs(t, err, calendar.ErrBadDate, "ParseDate(%q)", bad)
	}
	_, err = calendar.ParseDate("2026-02-30")
	require.ErrorContains(t, err, "day out of range", "the error says why 2026-02-30 is not a date")

	_, err = calendar.ParseDate("2028-02-29")
	require.NoError(t, err, "2028 is a leap year")
	require.Panics(t, func() { calendar.MustParseDate("2026-02-30") })
}

func TestNewDateNormalises(t *testing.T) {
	require.Equal(t, d("2026-03-02"), calendar.NewDate(2026, time.February, 30))
	require.Equal(t, d("2025-12-31"), calendar.NewDate(2026, time.January, 0))
}

func TestWeekday(t *testing.T) {
	for s, want := range map[string]time.Weekday{
		"1970-01-01": time.Thursday,
		"1969-12-31": time.Wednesday, // before the epoch
		"1900-01-01": time.Monday,
		"2000-02-29": time.Tuesday,
		"2026-03-30": time.Monday,
		"2026-04-03": time.Friday, // Good Friday
		"2026-12-25": time.Friday,
		"2026-12-26": time.Saturday,
		"2026-12-27": time.Sunday,
		"2028-01-01": time.Saturday,
	} {
		require.Equal(t, want, d(s).Weekday(), s)
		require.Equal(t, d(s).Start().Weekday(), d(s).Weekday(), "%s agrees with package time", s)
	}
}

func TestAddMonths(t *testing.T) {
	for _, tc := range []struct {
		from string
		n    int
		want string
	}{
		{"2026-11-30", 3, "2027-02-28"}, // R-TIME-4: clipped to the end of February
		{"2027-11-30", 3, "2028-02-29"}, // R-TIME-4: 29 February in a leap year
		{"2026-01-31", 1, "2026-02-28"}, // R-TIME-4
		{"2026-01-31", 2, "2026-03-31"}, // R-TIME-4: not clipped twice
		{"2026-03-31", 1, "2026-04-30"}, // R-TIME-4
		{"2024-02-29", 12, "2025-02-28"},
		{"2024-02-29", 48, "2028-02-29"},
		{"2026-05-15", 0, "2026-05-15"},
		{"2026-12-15", 1, "2027-01-15"},
		{"2026-03-31", -1, "2026-02-28"}, // negative: back a month, clipped
		{"2026-01-31", -1, "2025-12-31"}, // negative: across the year
		{"2026-01-15", -13, "2024-12-15"},
		{"2028-03-31", -1, "2028-02-29"},
		{"2026-05-15", -24, "2024-05-15"},
	} {
		require.Equal(t, d(tc.want), d(tc.from).AddMonths(tc.n), "%s %+d months", tc.from, tc.n)
	}
}

func TestDaysIn(t *testing.T) {
	require.Equal(t, 28, calendar.DaysIn(2026, time.February))
	require.Equal(t, 29, calendar.DaysIn(2028, time.February))
	require.Equal(t, 28, calendar.DaysIn(2100, time.February), "2100 is not a leap year")
	require.Equal(t, 29, calendar.DaysIn(2000, time.February), "2000 is a leap year")
	require.Equal(t, 31, calendar.DaysIn(2026, time.December))
	require.Equal(t, 30, calendar.DaysIn(2026, time.April))
}

func TestYearsBetween(t *testing.T) {
	for _, tc := range []struct {
		birth, on string
		want      int
	}{
		{"2010-06-15", "2026-06-14", 15},
		{"2010-06-15", "2026-06-15", 16}, // the birthday itself
		{"2010-06-15", "2010-06-15", 0},
		{"2008-02-29", "2026-02-28", 17}, // a 29 February birthday is not reached on 28 February
		{"2008-02-29", "2026-03-01", 18}, // but on 1 March in other years
		{"2008-02-29", "2028-02-28", 19},
		{"2008-02-29", "2028-02-29", 20}, // and on 29 February in a leap year
		{"2008-03-01", "2028-02-29", 19},
		{"2007-12-31", "2025-12-31", 18},
		{"2007-12-31", "2025-12-30", 17},
	} {
		require.Equal(t, tc.want, calendar.YearsBetween(d(tc.birth), d(tc.on)), "born %s, on %s", tc.birth, tc.on)
	}
}

func TestDateArithmeticAndOrder(t *testing.T) {
	a, b := d("2026-03-02"), d("2026-03-15")
	require.Equal(t, 13, b.Sub(a))
	require.Equal(t, -13, a.Sub(b))
	require.Equal(t, b, a.AddDays(13))
	require.Equal(t, a, b.AddDays(-13))
	require.True(t, a.Before(b))
	require.True(t, b.After(a))
	require.False(t, a.After(a))
	require.Equal(t, -1, a.Compare(b))
	require.Equal(t, 1, b.Compare(a))
	require.Equal(t, 0, a.Compare(d("2026-03-02")))
	require.True(t, a == d("2026-03-02"), "dates compare with ==")

	require.Equal(t, 0, d("1970-01-01").Days())
	require.Equal(t, -1, d("1969-12-31").Days())
	require.Equal(t, d("2026-03-02"), calendar.FromDays(d("2026-03-02").Days()))
	require.Equal(t, d("1969-12-31"), calendar.FromDays(-1))
}

func TestStartAndDateOf(t *testing.T) {
	// Midnight in London is 00:00 GMT in winter and 23:00 UTC the day before in summer.
	require.Equal(t, time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC), d("2026-01-15").Start().UTC())
	require.Equal(t, time.Date(2026, 7, 14, 23, 0, 0, 0, time.UTC), d("2026-07-15").Start().UTC())
	require.Equal(t, d("2026-07-15"), calendar.DateOf(time.Date(2026, 7, 14, 23, 30, 0, 0, time.UTC)),
		"23:30 UTC on 14 July is 00:30 on 15 July in London")
	require.Equal(t, d("2026-01-14"), calendar.DateOf(time.Date(2026, 1, 14, 23, 30, 0, 0, time.UTC)))
	// The days the clocks change still start at midnight.
	require.Equal(t, 0, d("2026-03-29").Start().Hour())
	require.Equal(t, 0, d("2026-10-25").Start().Hour())
}

func TestZeroDate(t *testing.T) {
	var z calendar.Date
	require.True(t, z.IsZero())
	require.Equal(t, "", z.String())
	b, err := json.Marshal(z)
	require.NoError(t, err)
	require.Equal(t, `""`, string(b), "the zero Date marshals as an empty string")

	var back calendar.Date
	require.NoError(t, json.Unmarshal([]byte(`""`), &back))
	require.True(t, back.IsZero(), `"" unmarshals to the zero Date`)

	type record struct {
		Due calendar.Date `json:"due,omitzero"`
	}
	b, err = json.Marshal(record{})
	require.NoError(t, err)
	require.Equal(t, `{}`, string(b), "omitzero leaves out the zero Date")
	require.False(t, d("1970-01-01").IsZero(), "the epoch is a real date")
}

func TestDateJSONRoundTrip(t *testing.T) {
	type record struct {
		From calendar.Date `json:"from"`
		Due  calendar.Date `json:"due"`
	}
	in := record{From: d("2026-03-30"), Due: d("2026-04-08")}
	b, err := json.Marshal(in)
	require.NoError(t, err)
	require.JSONEq(t, `{"from": "2026-03-30", "due": "2026-04-08"}`, string(b))
	var out record
	require.NoError(t, json.Unmarshal(b, &out))
	require.Equal(t, in, out)

	err = json.Unmarshal([]byte(`{"from": "2026-02-30"}`), &out)
	require.ErrorIs(t, err, calendar.ErrBadDate, "JSON with a date that does not exist is rejected")
	require.Error(t, json.Unmarshal([]byte(`{"from": 20260330}`), &out), "a date is a string")

	m, err := json.Marshal(map[calendar.Date]int{d("2026-12-25"): 1})
	require.NoError(t, err)
	require.Equal(t, `{"2026-12-25":1}`, string(m), "a Date is a text map key")
}
