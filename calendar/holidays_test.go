package calendar_test

import (
	"errors"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dsrkit/dsrkit/calendar"
)

// h is a Holiday from an ISO date and a name.
func h(date, name string) calendar.Holiday {
	return calendar.Holiday{Date: calendar.MustParseDate(date), Name: name}
}

// publishedEnglandAndWales is GOV.UK's list of England and Wales bank
// holidays for 2018 to 2028, written out year by year (R-TIME-2: working days
// exclude these, one-offs and substitute days included).
var publishedEnglandAndWales = map[int][]calendar.Holiday{
	2018: {
		h("2018-01-01", "New Year's Day"),
		h("2018-03-30", "Good Friday"),
		h("2018-04-02", "Easter Monday"),
		h("2018-05-07", "Early May bank holiday"),
		h("2018-05-28", "Spring bank holiday"),
		h("2018-08-27", "Summer bank holiday"),
		h("2018-12-25", "Christmas Day"),
		h("2018-12-26", "Boxing Day"),
	},
	2019: {
		h("2019-01-01", "New Year's Day"),
		h("2019-04-19", "Good Friday"),
		h("2019-04-22", "Easter Monday"),
		h("2019-05-06", "Early May bank holiday"),
		h("2019-05-27", "Spring bank holiday"),
		h("2019-08-26", "Summer bank holiday"),
		h("2019-12-25", "Christmas Day"),
		h("2019-12-26", "Boxing Day"),
	},
	2020: {
		h("2020-01-01", "New Year's Day"),
		h("2020-04-10", "Good Friday"),
		h("2020-04-13", "Easter Monday"),
		h("2020-05-08", "Early May bank holiday (VE day)"),
		h("2020-05-25", "Spring bank holiday"),
		h("2020-08-31", "Summer bank holiday"),
		h("2020-12-25", "Christmas Day"),
		h("2020-12-28", "Boxing Day (substitute day)"),
	},
	2021: {
		h("2021-01-01", "New Year's Day"),
		h("2021-04-02", "Good Friday"),
		h("2021-04-05", "Easter Monday"),
		h("2021-05-03", "Early May bank holiday"),
		h("2021-05-31", "Spring bank holiday"),
		h("2021-08-30", "Summer bank holiday"),
		h("2021-12-27", "Christmas Day (substitute day)"),
		h("2021-12-28", "Boxing Day (substitute day)"),
	},
	2022: {
		h("2022-01-03", "New Year's Day (substitute day)"),
		h("2022-04-15", "Good Friday"),
		h("2022-04-18", "Easter Monday"),
		h("2022-05-02", "Early May bank holiday"),
		h("2022-06-02", "Spring bank holiday"),
		h("2022-06-03", "Platinum Jubilee bank holiday"),
		h("2022-08-29", "Summer bank holiday"),
		h("2022-09-19", "Bank Holiday for the State Funeral of Queen Elizabeth II"),
		h("2022-12-26", "Boxing Day"),
		h("2022-12-27", "Christmas Day (substitute day)"),
	},
	2023: {
		h("2023-01-02", "New Year's Day (substitute day)"),
		h("2023-04-07", "Good Friday"),
		h("2023-04-10", "Easter Monday"),
		h("2023-05-01", "Early May bank holiday"),
		h("2023-05-08", "Bank holiday for the coronation of King Charles III"),
		h("2023-05-29", "Spring bank holiday"),
		h("2023-08-28", "Summer bank holiday"),
		h("2023-12-25", "Christmas Day"),
		h("2023-12-26", "Boxing Day"),
	},
	2024: {
		h("2024-01-01", "New Year's Day"),
		h("2024-03-29", "Good Friday"),
		h("2024-04-01", "Easter Monday"),
		h("2024-05-06", "Early May bank holiday"),
		h("2024-05-27", "Spring bank holiday"),
		h("2024-08-26", "Summer bank holiday"),
		h("2024-12-25", "Christmas Day"),
		h("2024-12-26", "Boxing Day"),
	},
	2025: {
		h("2025-01-01", "New Year's Day"),
		h("2025-04-18", "Good Friday"),
		h("2025-04-21", "Easter Monday"),
		h("2025-05-05", "Early May bank holiday"),
		h("2025-05-26", "Spring bank holiday"),
		h("2025-08-25", "Summer bank holiday"),
		h("2025-12-25", "Christmas Day"),
		h("2025-12-26", "Boxing Day"),
	},
	2026: {
		h("2026-01-01", "New Year's Day"),
		h("2026-04-03", "Good Friday"),
		h("2026-04-06", "Easter Monday"),
		h("2026-05-04", "Early May bank holiday"),
		h("2026-05-25", "Spring bank holiday"),
		h("2026-08-31", "Summer bank holiday"),
		h("2026-12-25", "Christmas Day"),
		h("2026-12-28", "Boxing Day (substitute day)"),
	},
	2027: {
		h("2027-01-01", "New Year's Day"),
		h("2027-03-26", "Good Friday"),
		h("2027-03-29", "Easter Monday"),
		h("2027-05-03", "Early May bank holiday"),
		h("2027-05-31", "Spring bank holiday"),
		h("2027-08-30", "Summer bank holiday"),
		h("2027-12-27", "Christmas Day (substitute day)"),
		h("2027-12-28", "Boxing Day (substitute day)"),
	},
	2028: {
		h("2028-01-03", "New Year's Day (substitute day)"),
		h("2028-04-14", "Good Friday"),
		h("2028-04-17", "Easter Monday"),
		h("2028-05-01", "Early May bank holiday"),
		h("2028-05-29", "Spring bank holiday"),
		h("2028-08-28", "Summer bank holiday"),
		h("2028-12-25", "Christmas Day"),
		h("2028-12-26", "Boxing Day"),
	},
}

func englandAndWales(t testing.TB) calendar.Named {
	t.Helper()
	n, ok := calendar.EnglandAndWales().(calendar.Named)
	require.True(t, ok, "EnglandAndWales implements Named")
	return n
}

func TestEnglandAndWalesMatchesThePublishedListYearByYear(t *testing.T) {
	ew := englandAndWales(t)
	for y := 2018; y <= 2028; y++ {
		want, ok := publishedEnglandAndWales[y]
		require.True(t, ok, "the test lists %d", y)
		t.Run(time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC).Format("2006"), func(t *testing.T) {
			require.Equal(t, want, ew.InYear(y), "R-TIME-2: the %d bank holidays as published", y)

			listed := make(map[calendar.Date]string, len(want))
			for _, hol := range want {
				listed[hol.Date] = hol.Name
				require.NotEqual(t, time.Saturday, hol.Date.Weekday(), "%s: a bank holiday is never a Saturday", hol)
				require.NotEqual(t, time.Sunday, hol.Date.Weekday(), "%s: a bank holiday is never a Sunday", hol)
			}
			// Every day of the year: a holiday exactly when it is listed, with its name.
			for d := calendar.NewDate(y, time.January, 1); d.Year() == y; d = d.AddDays(1) {
				name, isListed := listed[d]
				require.Equal(t, isListed, ew.IsHoliday(d), "IsHoliday(%s)", d)
				got, ok := ew.HolidayName(d)
				require.Equal(t, isListed, ok, "HolidayName(%s)", d)
				require.Equal(t, name, got, "HolidayName(%s)", d)
			}
		})
	}
}

func TestOneOffHolidaysArePresentAndMovedDatesAbsent(t *testing.T) {
	ew := englandAndWales(t)
	cal := calendar.Default()
	for _, tc := range []struct {
		date    string
		holiday bool
		why     string
	}{
		{"2020-05-08", true, "VE Day 2020: the early May bank holiday moved to Friday 8 May"},
		{"2020-05-04", false, "VE Day 2020: Monday 4 May was a working day"},
		{"2022-06-02", true, "Platinum Jubilee: the spring bank holiday moved to Thursday 2 June"},
		{"2022-06-03", true, "Platinum Jubilee bank holiday, Friday 3 June 2022"},
		{"2022-05-30", false, "Platinum Jubilee: Monday 30 May 2022 was a working day"},
		{"2022-09-19", true, "State Funeral of Queen Elizabeth II, Monday 19 September 2022"},
		{"2023-05-08", true, "Coronation of King Charles III, Monday 8 May 2023"},
	} {
		d := calendar.MustParseDate(tc.date)
		require.Equal(t, tc.holiday, ew.IsHoliday(d), "R-TIME-2: %s", tc.why)
		require.Equal(t, !tc.holiday, cal.IsWorkingDay(d), "R-TIME-2: %s", tc.why)
	}
}

func TestSubstituteDaysAreNotWorkingDays(t *testing.T) {
	cal := calendar.Default()
	for _, s := range []string{
		"2020-12-28", "2021-12-27", "2021-12-28", "2022-01-03", "2022-12-27",
		"2023-01-02", "2026-12-28", "2027-12-27", "2027-12-28", "2028-01-03",
	} {
		require.False(t, cal.IsWorkingDay(calendar.MustParseDate(s)), "R-TIME-2: substitute day %s is not a working day", s)
	}
}

// The standing rules, used for years outside the data, reproduce GOV.UK's
// published lists for 2013 to 2017, years with no one-off holiday.
func TestRulesBeforeTheDataMatchThePublishedLists(t *testing.T) {
	ew := englandAndWales(t)
	want := map[int][]calendar.Holiday{
		2013: {
			h("2013-01-01", "New Year's Day"), h("2013-03-29", "Good Friday"), h("2013-04-01", "Easter Monday"),
			h("2013-05-06", "Early May bank holiday"), h("2013-05-27", "Spring bank holiday"),
			h("2013-08-26", "Summer bank holiday"), h("2013-12-25", "Christmas Day"), h("2013-12-26", "Boxing Day"),
		},
		2014: {
			h("2014-01-01", "New Year's Day"), h("2014-04-18", "Good Friday"), h("2014-04-21", "Easter Monday"),
			h("2014-05-05", "Early May bank holiday"), h("2014-05-26", "Spring bank holiday"),
			h("2014-08-25", "Summer bank holiday"), h("2014-12-25", "Christmas Day"), h("2014-12-26", "Boxing Day"),
		},
		2015: {
			h("2015-01-01", "New Year's Day"), h("2015-04-03", "Good Friday"), h("2015-04-06", "Easter Monday"),
			h("2015-05-04", "Early May bank holiday"), h("2015-05-25", "Spring bank holiday"),
			h("2015-08-31", "Summer bank holiday"), h("2015-12-25", "Christmas Day"),
			h("2015-12-28", "Boxing Day (substitute day)"),
		},
		2016: {
			h("2016-01-01", "New Year's Day"), h("2016-03-25", "Good Friday"), h("2016-03-28", "Easter Monday"),
			h("2016-05-02", "Early May bank holiday"), h("2016-05-30", "Spring bank holiday"),
			h("2016-08-29", "Summer bank holiday"), h("2016-12-26", "Boxing Day"),
			h("2016-12-27", "Christmas Day (substitute day)"),
		},
		2017: {
			h("2017-01-02", "New Year's Day (substitute day)"), h("2017-04-14", "Good Friday"),
			h("2017-04-17", "Easter Monday"), h("2017-05-01", "Early May bank holiday"),
			h("2017-05-29", "Spring bank holiday"), h("2017-08-28", "Summer bank holiday"),
			h("2017-12-25", "Christmas Day"), h("2017-12-26", "Boxing Day"),
		},
	}
	for y, hs := range want {
		require.Equal(t, hs, ew.InYear(y), "standing rules for %d", y)
	}
}

func TestRulesAfterTheData(t *testing.T) {
	ew := englandAndWales(t)
	// 2032: Christmas Day on a Saturday, so 27 and 28 December are substitutes.
	require.Equal(t, []calendar.Holiday{
		h("2032-01-01", "New Year's Day"), h("2032-03-26", "Good Friday"), h("2032-03-29", "Easter Monday"),
		h("2032-05-03", "Early May bank holiday"), h("2032-05-31", "Spring bank holiday"),
		h("2032-08-30", "Summer bank holiday"), h("2032-12-27", "Christmas Day (substitute day)"),
		h("2032-12-28", "Boxing Day (substitute day)"),
	}, ew.InYear(2032))
	// 2033: New Year's Day on a Saturday; Christmas Day on a Sunday.
	require.Equal(t, []calendar.Holiday{
		h("2033-01-03", "New Year's Day (substitute day)"), h("2033-04-15", "Good Friday"),
		h("2033-04-18", "Easter Monday"), h("2033-05-02", "Early May bank holiday"),
		h("2033-05-30", "Spring bank holiday"), h("2033-08-29", "Summer bank holiday"),
		h("2033-12-26", "Boxing Day"), h("2033-12-27", "Christmas Day (substitute day)"),
	}, ew.InYear(2033))
	// Beyond the precomputed table the rules are worked out on each call.
	require.Equal(t, []calendar.Holiday{
		h("2300-01-01", "New Year's Day"), h("2300-04-06", "Good Friday"), h("2300-04-09", "Easter Monday"),
		h("2300-05-07", "Early May bank holiday"), h("2300-05-28", "Spring bank holiday"),
		h("2300-08-27", "Summer bank holiday"), h("2300-12-25", "Christmas Day"), h("2300-12-26", "Boxing Day"),
	}, ew.InYear(2300))
	require.True(t, ew.IsHoliday(calendar.MustParseDate("2300-04-09")))
	name, ok := ew.HolidayName(calendar.MustParseDate("2300-12-26"))
	require.True(t, ok)
	require.Equal(t, "Boxing Day", name)
	require.False(t, ew.IsHoliday(calendar.MustParseDate("2300-04-10")))

	require.Nil(t, ew.InYear(0), "no holidays outside years 1-9999")
	require.Nil(t, ew.InYear(10000), "no holidays outside years 1-9999")
	require.False(t, ew.IsHoliday(calendar.Date{}), "the zero Date is not a holiday")
	_, ok = ew.HolidayName(calendar.Date{})
	require.False(t, ok)
}

func TestInYearReturnsACopy(t *testing.T) {
	ew := englandAndWales(t)
	hs := ew.InYear(2026)
	hs[0].Name = "changed"
	require.Equal(t, "New Year's Day", ew.InYear(2026)[0].Name)
}

func TestEasterSunday(t *testing.T) {
	for y, want := range map[int]string{
		1818: "1818-03-22", 1943: "1943-04-25", 2008: "2008-03-23", 2011: "2011-04-24",
		2018: "2018-04-01", 2019: "2019-04-21", 2020: "2020-04-12", 2021: "2021-04-04",
		2022: "2022-04-17", 2023: "2023-04-09", 2024: "2024-03-31", 2025: "2025-04-20",
		2026: "2026-04-05", 2027: "2027-03-28", 2028: "2028-04-16", 2038: "2038-04-25",
		2285: "2285-03-22",
	} {
		require.Equal(t, want, calendar.EasterSunday(y).String(), "Easter %d", y)
	}
	// Cross-check against a second, independent computus (Knuth, The Art of
	// Computer Programming, vol. 1, 1.3.2 exercise 14) over the Gregorian era.
	for y := 1583; y <= 4099; y++ {
		g := y%19 + 1
		c := y/100 + 1
		x := 3*c/4 - 12
		z := (8*c+5)/25 - 5
		d := 5*y/4 - x - 10
		e := (11*g + 20 + z - x) % 30
		if (e == 25 && g > 11) || e == 24 {
			e++
		}
		n := 44 - e
		if n < 21 {
			n += 30
		}
		n += 7 - (d+n)%7
		require.Equal(t, calendar.NewDate(y, time.March, n), calendar.EasterSunday(y), "Easter %d", y)
		require.Equal(t, time.Sunday, calendar.EasterSunday(y).Weekday())
	}
	require.True(t, calendar.EasterSunday(0).IsZero())
	require.True(t, calendar.EasterSunday(10000).IsZero())
}

func TestEnglandAndWalesSource(t *testing.T) {
	src := calendar.EnglandAndWalesSource()
	require.Contains(t, src.Publication, "GOV.UK")
	require.Equal(t, "https://www.gov.uk/bank-holidays.json", src.URL)
	require.Contains(t, src.Rules, "Banking and Financial Dealings Act 1971")
	require.False(t, src.Transcribed.IsZero(), "the data records when it was transcribed")
	require.Equal(t, 2018, src.FirstYear)
	require.Equal(t, 2028, src.LastYear)
}

func TestEnglandAndWalesIsSafeForConcurrentUse(t *testing.T) {
	ew := englandAndWales(t)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			d := calendar.MustParseDate("2026-01-01").AddDays(i)
			for range 1000 {
				_ = ew.IsHoliday(d)
				_, _ = ew.HolidayName(d)
				d = d.AddDays(1)
			}
			_ = ew.InYear(2026 + i)
		})
	}
	wg.Wait()
}

func TestList(t *testing.T) {
	d := calendar.MustParseDate
	l := calendar.NewList(d("2026-07-13"), calendar.Date{}, d("2026-01-02"))
	require.Len(t, l, 2, "the zero Date is ignored")
	require.True(t, l.IsHoliday(d("2026-07-13")))
	require.False(t, l.IsHoliday(d("2026-12-25")), "a host list replaces the bank holidays")
	name, ok := l.HolidayName(d("2026-01-02"))
	require.True(t, ok)
	require.Equal(t, "Holiday", name)
	require.Equal(t, []calendar.Holiday{h("2026-01-02", "Holiday"), h("2026-07-13", "Holiday")}, l.InYear(2026))
	require.Empty(t, l.InYear(2025))

	var none calendar.List
	require.False(t, none.IsHoliday(d("2026-12-25")), "a nil List has no holidays")
}

func TestLoadList(t *testing.T) {
	l, err := calendar.LoadList(strings.NewReader(`{
		"division": "england-and-wales",
		"events": [
			{"title": "Boxing Day", "date": "2026-12-28", "notes": "Substitute day", "bunting": true},
			{"title": "Christmas Day", "date": "2026-12-25", "notes": ""},
			{"date": "2026-07-13"}
		]}`))
	require.NoError(t, err)
	require.Equal(t, []calendar.Holiday{
		h("2026-07-13", "Holiday"),
		h("2026-12-25", "Christmas Day"),
		h("2026-12-28", "Boxing Day (substitute day)"),
	}, l.InYear(2026))

	empty, err := calendar.LoadList(strings.NewReader(`{"events": []}`))
	require.NoError(t, err, "an empty list is a list")
	require.Empty(t, empty)

	for name, in := range map[string]string{
		"not JSON":           `bank holidays`,
		"no events":          `{"division": "england-and-wales"}`,
		"whole GOV.UK file":  `{"england-and-wales": {"division": "england-and-wales", "events": []}}`,
		"date that is not":   `{"events": [{"title": "X", "date": "2026-02-30"}]}`,
		"no date":            `{"events": [{"title": "X"}]}`,
		"date listed twice":  `{"events": [{"date": "2026-12-25"}, {"date": "2026-12-25"}]}`,
		"two values":         `{"events": []} {"events": []}`,
		"events not a list":  `{"events": {}}`,
		"date in wrong form": `{"events": [{"date": "25/12/2026"}]}`,
	} {
		_, err := calendar.LoadList(strings.NewReader(in))
		require.Error(t, err, name)
		require.True(t, errors.Is(err, calendar.ErrBadHolidays), "%s: %v", name, err)
	}
	_, err = calendar.LoadList(strings.NewReader(`{"events": [{"date": "2026-02-30"}]}`))
	require.ErrorIs(t, err, calendar.ErrBadDate, "a bad date is also ErrBadDate")
	require.ErrorContains(t, err, "event 0")
}

func TestLoadListReadsTheEmbeddedFormat(t *testing.T) {
	f, err := os.Open("data/bank-holidays-england-and-wales.json")
	require.NoError(t, err)
	defer f.Close()
	l, err := calendar.LoadList(f)
	require.NoError(t, err)
	ew := englandAndWales(t)
	for y := 2018; y <= 2028; y++ {
		require.Equal(t, ew.InYear(y), l.InYear(y), "LoadList of the embedded file, %d", y)
	}
}

func TestCalendarWithHostHolidays(t *testing.T) {
	d := calendar.MustParseDate
	host := calendar.New(calendar.WithHolidays(calendar.NewList(d("2026-04-07"))))
	// Easter Monday is a working day for this host; its own closure is not.
	require.True(t, host.IsWorkingDay(d("2026-04-06")))
	require.False(t, host.IsWorkingDay(d("2026-04-07")))
	require.Equal(t, d("2026-04-09"), host.AddWorkingDays(d("2026-04-02"), 4), "R-TIME-2 over a host's list")

	weekendsOnly := calendar.New(calendar.WithHolidays(nil))
	require.True(t, weekendsOnly.IsWorkingDay(d("2026-12-25")), "WithHolidays(nil) means no holidays")
	require.False(t, weekendsOnly.IsWorkingDay(d("2026-12-26")), "Saturdays are never working days")

	var zero calendar.Calendar
	require.False(t, zero.IsWorkingDay(d("2026-12-25")), "the zero Calendar uses the England and Wales bank holidays")
	var nilCal *calendar.Calendar
	require.Equal(t, d("2026-04-08"), nilCal.AddWorkingDays(d("2026-03-30"), 5), "a nil *Calendar is the default")
	_, named := calendar.Default().Holidays().(calendar.Named)
	require.True(t, named)
}
