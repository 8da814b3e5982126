package calendar

import (
	"bytes"
	_ "embed" // the England and Wales bank holidays are embedded data
	"fmt"
	"slices"
	"sync"
	"time"
)

// englandAndWalesJSON is GOV.UK's list of England and Wales bank holidays,
// with its source recorded in the file.
//
//go:embed data/bank-holidays-england-and-wales.json
var englandAndWalesJSON []byte

// EnglandAndWales returns the England and Wales bank holidays: the published
// list (embedded; see EnglandAndWalesSource) for the years it covers, and the
// standing rules for other years (see the package documentation). The value
// implements Named, is shared, and is safe for concurrent use; IsHoliday does
// not allocate.
func EnglandAndWales() Holidays { return englandAndWales{} }

// EnglandAndWalesSource returns where the embedded England and Wales bank
// holidays came from, and the years they cover (FirstYear to LastYear).
func EnglandAndWalesSource() Source { return ewTable().source }

// englandAndWales is the Holidays returned by EnglandAndWales. It has no
// state of its own: the table is built once, on first use.
type englandAndWales struct{}

// The years whose holidays are precomputed into the bit set: the published
// list where it covers a year, the standing rules otherwise. Dates outside
// these years are worked out from the rules on each call, without allocating.
const (
	tableFirstYear = 1900
	tableLastYear  = 2199
)

// ewTables holds every England and Wales bank holiday from tableFirstYear to
// tableLastYear. It is read-only once built.
type ewTables struct {
	source Source
	start  int      // Days() of 1 January tableFirstYear
	n      int      // days from start to 1 January tableLastYear+1
	bits   []uint64 // bit i is set if FromDays(start+i) is a holiday
	list   []Holiday
}

var ewTable = sync.OnceValue(func() *ewTables {
	t, err := buildEW(englandAndWalesJSON)
	if err != nil {
		// The data is embedded and checked by the tests; this cannot happen
		// in a released build.
		panic(err)
	}
	return t
})

func buildEW(data []byte) (*ewTables, error) {
	f, err := readHolidayFile(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("calendar: embedded England and Wales bank holidays: %w", err)
	}
	if f.Source == nil {
		return nil, fmt.Errorf("calendar: embedded England and Wales bank holidays: no source")
	}
	src := *f.Source
	first, last := src.FirstYear, src.LastYear
	if first < tableFirstYear || last > tableLastYear || first > last {
		return nil, fmt.Errorf("calendar: embedded England and Wales bank holidays: years %d-%d are not within %d-%d",
			first, last, tableFirstYear, tableLastYear)
	}
	byYear := make(map[int][]Holiday, last-first+1)
	for _, h := range f.holidays {
		y := h.Date.Year()
		if y < first || y > last {
			return nil, fmt.Errorf("calendar: embedded England and Wales bank holidays: %s is outside %d-%d", h, first, last)
		}
		byYear[y] = append(byYear[y], h)
	}

	t := &ewTables{source: src}
	t.start = NewDate(tableFirstYear, time.January, 1).Days()
	t.n = NewDate(tableLastYear+1, time.January, 1).Days() - t.start
	t.bits = make([]uint64, (t.n+63)/64)
	t.list = make([]Holiday, 0, 8*(tableLastYear-tableFirstYear+2))
	for y := tableFirstYear; y <= tableLastYear; y++ {
		if y >= first && y <= last {
			if len(byYear[y]) == 0 {
				return nil, fmt.Errorf("calendar: embedded England and Wales bank holidays: none in %d", y)
			}
			t.list = append(t.list, byYear[y]...)
			continue
		}
		hs := standingHolidays(y)
		t.list = append(t.list, hs[:]...)
	}
	for _, h := range t.list {
		i := h.Date.Days() - t.start
		t.bits[i>>6] |= 1 << (i & 63)
	}
	return t, nil
}

// index returns d's bit in the table, or false if d is outside it.
func (t *ewTables) index(d Date) (int, bool) {
	i := d.Days() - t.start
	return i, i >= 0 && i < t.n
}

// IsHoliday reports whether d is an England and Wales bank holiday.
func (englandAndWales) IsHoliday(d Date) bool {
	t := ewTable()
	if i, ok := t.index(d); ok {
		return t.bits[i>>6]&(1<<(i&63)) != 0
	}
	_, ok := ruleName(d)
	return ok
}

// HolidayName returns the published name of the bank holiday on d, such as
// "Christmas Day (substitute day)"; ok is false if d is not a bank holiday.
func (englandAndWales) HolidayName(d Date) (string, bool) {
	t := ewTable()
	if i, ok := t.index(d); ok {
		if t.bits[i>>6]&(1<<(i&63)) == 0 {
			return "", false
		}
		j, found := slices.BinarySearchFunc(t.list, d, func(h Holiday, d Date) int { return h.Date.Compare(d) })
		if !found {
			return "", false // unreachable: the bit is set only for listed dates
		}
		return t.list[j].Name, true
	}
	return ruleName(d)
}

// InYear returns the England and Wales bank holidays in year y, in date
// order: the published list for the years it covers, the standing rules for
// other years from 1 to 9999, and nil for any other year.
func (englandAndWales) InYear(y int) []Holiday {
	if y < minRuleYear || y > maxRuleYear {
		return nil
	}
	if y < tableFirstYear || y > tableLastYear {
		hs := standingHolidays(y)
		return slices.Clone(hs[:])
	}
	t := ewTable()
	byDate := func(h Holiday, d Date) int { return h.Date.Compare(d) }
	lo, _ := slices.BinarySearchFunc(t.list, NewDate(y, time.January, 1), byDate)
	hi, _ := slices.BinarySearchFunc(t.list, NewDate(y+1, time.January, 1), byDate)
	return slices.Clone(t.list[lo:hi])
}

// ruleName names d by the standing rules; ok is false if they give no
// holiday on d.
func ruleName(d Date) (string, bool) {
	y, m, day := d.Parts()
	if y < minRuleYear || y > maxRuleYear {
		return "", false
	}
	// Most days can be ruled out without working out the year's holidays.
	switch m {
	case time.January:
		if day > 3 {
			return "", false
		}
	case time.August:
		if day < 25 {
			return "", false
		}
	case time.December:
		if day < 25 {
			return "", false
		}
	case time.March, time.April, time.May:
	default:
		return "", false
	}
	for _, h := range standingHolidays(y) {
		if h.Date == d {
			return h.Name, true
		}
	}
	return "", false
}
