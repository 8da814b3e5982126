package calendar

import "time"

// The names the standing rules give, as GOV.UK publishes them.
const (
	nameNewYear    = "New Year's Day"
	nameGoodFriday = "Good Friday"
	nameEasterMon  = "Easter Monday"
	nameEarlyMay   = "Early May bank holiday"
	nameSpring     = "Spring bank holiday"
	nameSummer     = "Summer bank holiday"
	nameChristmas  = "Christmas Day"
	nameBoxing     = "Boxing Day"
	substituteDay  = " (substitute day)"
)

// Years the standing rules are applied to; outside them there are no
// holidays (the computus below assumes a positive year, and ParseDate reads
// only four-digit years).
const (
	minRuleYear = 1
	maxRuleYear = 9999
)

// EasterSunday returns the date of Easter Sunday in year y of the Gregorian
// calendar (the Western church's Easter), by the anonymous Gregorian
// computus (Meeus/Jones/Butcher). Good Friday is two days before, Easter
// Monday the day after. For a year outside 1 to 9999 it returns the zero
// Date.
func EasterSunday(y int) Date {
	if y < minRuleYear || y > maxRuleYear {
		return Date{}
	}
	a := y % 19
	b, c := y/100, y%100
	d, e := b/4, b%4
	f := (b + 8) / 25
	g := (b - f + 1) / 3
	h := (19*a + b - d - g + 15) % 30
	i, k := c/4, c%4
	l := (32 + 2*e + 2*i - h - k) % 7
	m := (a + 11*h + 22*l) / 451
	n := h + l - 7*m + 114
	return NewDate(y, time.Month(n/31), n%31+1)
}

// firstMonday returns the first Monday of month m in year y.
func firstMonday(y int, m time.Month) Date {
	d := NewDate(y, m, 1)
	return d.AddDays((int(time.Monday) - int(d.Weekday()) + 7) % 7)
}

// lastMonday returns the last Monday of month m in year y.
func lastMonday(y int, m time.Month) Date {
	d := NewDate(y, m, DaysIn(y, m))
	return d.AddDays(-((int(d.Weekday()) - int(time.Monday) + 7) % 7))
}

// standingHolidays returns the eight England and Wales bank holidays that the
// standing rules give for year y, in date order:
//
//   - New Year's Day, 1 January, or the Monday after if it falls at a weekend;
//   - Good Friday and Easter Monday;
//   - the early May bank holiday, the first Monday in May;
//   - the spring bank holiday, the last Monday in May;
//   - the summer bank holiday, the last Monday in August;
//   - Christmas Day and Boxing Day, 25 and 26 December, a day that falls at a
//     weekend moving to the next weekday that is not already a holiday
//     (Christmas on a Saturday gives 27 and 28 December; on a Sunday, 26 and
//     27; Boxing Day on a Saturday gives 28 December).
//
// They are the rules of the Banking and Financial Dealings Act 1971 and the
// yearly proclamations under it, without the one-off holidays and moves that
// a proclamation may make. It returns an array, not a slice, so that callers
// in the working-day loop do not allocate.
func standingHolidays(y int) [8]Holiday {
	var hs [8]Holiday

	ny := NewDate(y, time.January, 1)
	switch ny.Weekday() {
	case time.Saturday:
		hs[0] = Holiday{ny.AddDays(2), nameNewYear + substituteDay}
	case time.Sunday:
		hs[0] = Holiday{ny.AddDays(1), nameNewYear + substituteDay}
	default:
		hs[0] = Holiday{ny, nameNewYear}
	}

	easter := EasterSunday(y)
	hs[1] = Holiday{easter.AddDays(-2), nameGoodFriday}
	hs[2] = Holiday{easter.AddDays(1), nameEasterMon}
	hs[3] = Holiday{firstMonday(y, time.May), nameEarlyMay}
	hs[4] = Holiday{lastMonday(y, time.May), nameSpring}
	hs[5] = Holiday{lastMonday(y, time.August), nameSummer}

	xmas := NewDate(y, time.December, 25)
	boxing := xmas.AddDays(1)
	switch xmas.Weekday() {
	case time.Friday: // Boxing Day on Saturday moves to Monday 28th.
		hs[6] = Holiday{xmas, nameChristmas}
		hs[7] = Holiday{xmas.AddDays(3), nameBoxing + substituteDay}
	case time.Saturday: // Both at the weekend: Monday 27th and Tuesday 28th.
		hs[6] = Holiday{xmas.AddDays(2), nameChristmas + substituteDay}
		hs[7] = Holiday{xmas.AddDays(3), nameBoxing + substituteDay}
	case time.Sunday: // Boxing Day on Monday 26th, Christmas moves to Tuesday 27th.
		hs[6] = Holiday{boxing, nameBoxing}
		hs[7] = Holiday{xmas.AddDays(2), nameChristmas + substituteDay}
	default:
		hs[6] = Holiday{xmas, nameChristmas}
		hs[7] = Holiday{boxing, nameBoxing}
	}
	return hs
}
