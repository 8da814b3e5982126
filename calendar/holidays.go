package calendar

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Holidays says which dates are public holidays. Implementations must be safe
// for concurrent use.
type Holidays interface {
	IsHoliday(Date) bool
}

// Named is a Holidays that can name its holidays and list them by year.
// EnglandAndWales and List implement it. Implementations must be safe for
// concurrent use.
type Named interface {
	Holidays
	// HolidayName returns the name of the holiday on d, such as
	// "Boxing Day (substitute day)"; ok is false if d is not a holiday.
	HolidayName(d Date) (name string, ok bool)
	// InYear returns the holidays in year y in date order. The slice is the
	// caller's to keep or change.
	InYear(y int) []Holiday
}

// Holiday is one holiday: its date and its name as published. The zero value
// is no holiday.
type Holiday struct {
	Date Date   `json:"date"`
	Name string `json:"name"`
}

// String returns "2026-12-28 Boxing Day (substitute day)".
func (h Holiday) String() string { return h.Date.String() + " " + h.Name }

// Source records where a list of holidays came from: the publication it was
// transcribed from, when, the years it covers in full and the law behind it.
type Source struct {
	// Publication names the published list, such as GOV.UK's "UK bank
	// holidays" for England and Wales.
	Publication string `json:"publication"`
	// URL is where the publication can be read.
	URL string `json:"url,omitempty"`
	// Transcribed is the date the list was copied from the publication.
	Transcribed Date `json:"transcribed,omitzero"`
	// FirstYear is the first year the list covers in full.
	FirstYear int `json:"first_year,omitempty"`
	// LastYear is the last year the list covers in full.
	LastYear int `json:"last_year,omitempty"`
	// Rules names the law the dates follow.
	Rules string `json:"rules,omitempty"`
	// Notes says anything else a reader of the list should know.
	Notes string `json:"notes,omitempty"`
}

// List is a fixed set of holidays, date to name, for a host that supplies its
// own (see NewList and LoadList, and WithHolidays). A nil List has no
// holidays. A List is safe for concurrent use as long as nobody changes it.
type List map[Date]string

var (
	_ Named = List(nil)
	_ Named = englandAndWales{}
)

// unnamed is the name NewList and LoadList give a holiday that has none.
const unnamed = "Holiday"

// NewList returns a List of the given dates, each named "Holiday". Zero
// Dates are ignored.
func NewList(dates ...Date) List {
	l := make(List, len(dates))
	for _, d := range dates {
		if !d.IsZero() {
			l[d] = unnamed
		}
	}
	return l
}

// IsHoliday reports whether d is in the list.
func (l List) IsHoliday(d Date) bool { _, ok := l[d]; return ok }

// HolidayName returns the name of the holiday on d; ok is false if d is not
// in the list.
func (l List) HolidayName(d Date) (string, bool) { name, ok := l[d]; return name, ok }

// InYear returns the listed holidays in year y, in date order.
func (l List) InYear(y int) []Holiday {
	var hs []Holiday
	for d, name := range l {
		if d.Year() == y {
			hs = append(hs, Holiday{Date: d, Name: name})
		}
	}
	sortHolidays(hs)
	return hs
}

func sortHolidays(hs []Holiday) {
	slices.SortFunc(hs, func(a, b Holiday) int { return a.Date.Compare(b.Date) })
}

// LoadList reads a host's own list of holidays as JSON in the shape of one
// division of GOV.UK's https://www.gov.uk/bank-holidays.json, which is also
// the shape of the embedded England and Wales data:
//
//	{"division": "england-and-wales",
//	 "events": [{"title": "Boxing Day", "date": "2026-12-28", "notes": "Substitute day"}, ...]}
//
// Only "events" is required; "division", "source" and any other fields
// (such as GOV.UK's "bunting") are ignored. Each event needs a date
// (YYYY-MM-DD); its name is the title, with the notes in brackets if there
// are any ("Boxing Day (substitute day)"), or "Holiday" if it has no title.
// A missing "events" field, a bad date or a date listed twice is an error
// wrapping ErrBadHolidays (and ErrBadDate for a bad date). Pass the whole
// GOV.UK file and you get an error, not an empty list: pick a division first.
func LoadList(r io.Reader) (List, error) {
	f, err := readHolidayFile(r)
	if err != nil {
		return nil, err
	}
	l := make(List, len(f.holidays))
	for _, h := range f.holidays {
		l[h.Date] = h.Name
	}
	return l, nil
}

// holidayFile is the JSON read by LoadList and embedded as the England and
// Wales data.
type holidayFile struct {
	Division string         `json:"division"`
	Source   *Source        `json:"source"`
	Events   []holidayEvent `json:"events"`

	holidays []Holiday // Events, parsed and in date order
}

// holidayEvent is one event as GOV.UK publishes it.
type holidayEvent struct {
	Title string `json:"title"`
	Date  string `json:"date"`
	Notes string `json:"notes"`
}

func readHolidayFile(r io.Reader) (*holidayFile, error) {
	dec := json.NewDecoder(r)
	var f holidayFile
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadHolidays, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%w: more than one JSON value", ErrBadHolidays)
	}
	if f.Events == nil {
		return nil, fmt.Errorf(`%w: no "events" (want one division, such as {"division": "england-and-wales", "events": [...]})`, ErrBadHolidays)
	}
	f.holidays = make([]Holiday, 0, len(f.Events))
	seen := make(map[Date]int, len(f.Events))
	for i, e := range f.Events {
		d, err := ParseDate(e.Date)
		if err != nil {
			return nil, fmt.Errorf("%w: event %d: %w", ErrBadHolidays, i, err)
		}
		if j, dup := seen[d]; dup {
			return nil, fmt.Errorf("%w: event %d: %s is also event %d", ErrBadHolidays, i, d, j)
		}
		seen[d] = i
		f.holidays = append(f.holidays, Holiday{Date: d, Name: eventName(e.Title, e.Notes)})
	}
	sortHolidays(f.holidays)
	return &f, nil
}

// eventName is the title with the notes in brackets, their first letter
// lower-cased: "Boxing Day" + "Substitute day" = "Boxing Day (substitute day)".
func eventName(title, notes string) string {
	title, notes = strings.TrimSpace(title), strings.TrimSpace(notes)
	if title == "" {
		title = unnamed
	}
	if notes == "" {
		return title
	}
	r, n := utf8.DecodeRuneInString(notes)
	return title + " (" + string(unicode.ToLower(r)) + notes[n:] + ")"
}
