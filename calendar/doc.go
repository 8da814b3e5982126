// Package calendar is dsrkit's civil calendar: dates in Europe/London,
// deadlines that carry their unit, and the England and Wales bank holidays
// that working-day deadlines skip.
//
// # What it does
//
//   - Date is a civil date (year, month, day) in Europe/London with no time
//     of day. It parses and formats as ISO 8601 (2006-01-02), rejects dates
//     that do not exist (2026-02-30), and its zero value means "no date"
//     (formatted as "", so a struct field tagged omitzero is left out).
//   - Deadline is a count with its unit, such as {10, working_days}; there
//     is no default unit. Calendar.Due turns a deadline and a start date into
//     a due date, Calendar.DueAt a deadline and a start instant into the
//     instant it falls due. The rules are those of docs/rules.md#time:
//     R-TIME-1 days and weeks (X + N days, or 7N); R-TIME-2 working days (the
//     Nth working day after X, X not counted); R-TIME-3 "the period of N days
//     beginning with X" (X + N - 1, with no working-day adjustment); R-TIME-4
//     months (X + N calendar months, clipped to the last day of the month, so
//     30 November + 3 months is 28 February, or 29 in a leap year).
//   - EnglandAndWales says which dates are England and Wales bank holidays,
//     including substitute days and one-off holidays, and names them.
//
// # What it does not do
//
//   - No business hours or time of day: a working day is a whole date. An
//     hours deadline is plain elapsed time (DueAt), whatever the day.
//   - No Scotland or Northern Ireland holidays, no local or organisational
//     closures (supply your own with WithHolidays, NewList or LoadList), and
//     no reading of the clock: every date is an input.
//   - No time zone other than Europe/London.
//
// # Conventions
//
// Days are civil dates in Europe/London. Hours are elapsed hours: 72 hours
// from 18:00 on Friday 23 October 2026 is 17:00 on Monday 26 October, because
// the clocks go back an hour on Sunday 25 October. The package embeds the
// time zone database (time/tzdata), so Europe/London resolves on any host.
//
// # Bank holiday data
//
// The England and Wales bank holidays from 2018 to 2028 are embedded data
// (data/bank-holidays-england-and-wales.json), transcribed from GOV.UK's "UK
// bank holidays" (https://www.gov.uk/bank-holidays.json, division
// england-and-wales); the file records the date of transcription, and
// EnglandAndWalesSource returns it. They include the one-off holidays and
// moves: 8 May 2020 (VE Day, the early May bank holiday moved from 4 May),
// 2 and 3 June 2022 (the spring bank holiday moved from 30 May, and the
// Platinum Jubilee), 19 September 2022 (the State Funeral of Queen
// Elizabeth II) and 8 May 2023 (the Coronation of King Charles III).
//
// For other years the holidays are computed from the standing rules of the
// Banking and Financial Dealings Act 1971 and the yearly proclamations under
// it: New Year's Day, Good Friday, Easter Monday, the first Monday in May, the
// last Mondays in May and August, Christmas Day and Boxing Day, with a
// holiday at a weekend moved to the next weekday that is not already a
// holiday. The rules cannot know a one-off holiday before it is proclaimed,
// and they are not history: before 2018 they miss, for example, 29 April 2011
// and 5 June 2012 and put the 2012 spring bank holiday on 28 May rather than
// 4 June, and before 1978 (the first early May bank holiday) they are further
// out. A host that needs exact dates for those years supplies its own list.
package calendar
