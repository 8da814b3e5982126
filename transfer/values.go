package transfer

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/dsr"
)

// ErrValue is what a cell that does not convert matches (errors.Is); the
// message says what was wanted, never the cell's value (the report adds
// the value for a column that identifies nobody).
var ErrValue = errors.New("transfer: value does not convert")

func bad(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrValue}, args...)...)
}

// Blank reports whether a cell says nothing: empty, white space, or one of
// "-", "n/a", "na", "not known", "unknown" (any case).
func Blank(s string) bool {
	switch strings.ToLower(strings.Join(strings.Fields(s), " ")) {
	case "", "-", "n/a", "na", "not known", "unknown":
		return true
	}
	return false
}

// ParseBool reads a yes/no cell: Y, Yes, True, 1 and N, No, False, 0 (any
// case, trimmed). A blank cell (Blank) is not recorded: ok is false.
func ParseBool(s string) (v, ok bool, err error) {
	if Blank(s) {
		return false, false, nil
	}
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "y", "yes", "true", "1", "t":
		return true, true, nil
	case "n", "no", "false", "0", "f":
		return false, true, nil
	}
	return false, false, bad("want Y/N, Yes/No or True/False")
}

// Excel's serial dates, 1900 system: serial 1 is 1 January 1900, and
// Excel counts a 29 February 1900 that never was (serial 60), so serials
// from 61 are one day ahead of a plain count.
const (
	maxSerial = 2958465 // 31 December 9999
)

var (
	excelDay0  = calendar.NewDate(1899, time.December, 31) // serial 0, for serials 1 to 59
	excelDay0b = calendar.NewDate(1899, time.December, 30) // for serials from 61
)

// ExcelSerial converts an Excel serial date (1900 system) to a date. A
// fraction (a time of day) is dropped. Serial 60, Excel's 29 February 1900,
// did not exist and is refused, as are serials below 1 and after 9999.
func ExcelSerial(serial float64) (calendar.Date, error) {
	if math.IsNaN(serial) || serial < 1 || serial >= maxSerial+1 {
		return calendar.Date{}, bad("an Excel serial date from 1 (1900-01-01) to %d (9999-12-31)", maxSerial)
	}
	n := int(math.Floor(serial))
	switch {
	case n < 60:
		return excelDay0.AddDays(n), nil
	case n == 60:
		return calendar.Date{}, bad("Excel's serial 60 is 29 February 1900, a day that did not exist")
	}
	return excelDay0b.AddDays(n), nil
}

// ToExcelSerial is ExcelSerial's inverse, for dates from 1 March 1900.
func ToExcelSerial(d calendar.Date) int { return d.Sub(excelDay0b) }

// ParseDate reads a date cell: ISO 2006-01-02; day first d/m/yyyy or
// d/m/yy with /, - or . between, or with the month in words (14 May 2009,
// 14-May-09) (a two-digit year is in this century
// unless that would be after pivot's year, then in the last); or an Excel
// serial number (a plain number from 1 to 2958465, as a spreadsheet holds
// a date cell). A blank cell (Blank) is ok false.
func ParseDate(s string, pivot calendar.Date) (d calendar.Date, ok bool, err error) {
	s = strings.TrimSpace(s)
	if Blank(s) {
		return d, false, nil
	}
	if isNumber(s) {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return d, false, bad("want a date (dd/mm/yyyy, yyyy-mm-dd or an Excel date)")
		}
		d, err = ExcelSerial(f)
		return d, err == nil, err
	}
	if len(s) >= 10 && s[4] == '-' {
		if len(s) > 10 && (s[10] == 'T' || s[10] == ' ') { // a date and time: the date
			s = s[:10]
		}
		d, err := calendar.ParseDate(s)
		if err != nil {
			return d, false, bad("want a date (dd/mm/yyyy, yyyy-mm-dd or an Excel date): no such day")
		}
		return d, true, nil
	}
	if strings.IndexFunc(s, unicode.IsLetter) >= 0 {
		return wordDate(s, pivot)
	}
	sep := strings.IndexAny(s, "/-.")
	if sep < 0 {
		return d, false, bad("want a date (dd/mm/yyyy, yyyy-mm-dd or an Excel date)")
	}
	parts := strings.Split(s, s[sep:sep+1])
	if len(parts) != 3 {
		return d, false, bad("want a date (dd/mm/yyyy, yyyy-mm-dd or an Excel date)")
	}
	var n [3]int
	for i, p := range parts {
		v, err := strconv.Atoi(p)
		if err != nil || v < 0 || p == "" || p[0] == '+' || (i < 2 && len(p) > 2) || (i == 2 && len(p) != 2 && len(p) != 4) {
			return d, false, bad("want a date (dd/mm/yyyy, yyyy-mm-dd or an Excel date)")
		}
		n[i] = v
	}
	day, month, year := n[0], n[1], n[2]
	if len(parts[2]) == 2 {
		century := pivot.Year() / 100 * 100
		if pivot.IsZero() {
			century = 2000
		}
		year += century
		if !pivot.IsZero() && year > pivot.Year() {
			year -= 100
		}
	}
	if month < 1 || month > 12 || day < 1 || day > calendar.DaysIn(year, time.Month(month)) || year < 1 {
		return d, false, bad("want a date (dd/mm/yyyy, yyyy-mm-dd or an Excel date): no such day")
	}
	return calendar.NewDate(year, time.Month(month), day), true, nil
}

// wordDate reads a date with the month in words: 14 May 2009, 14-May-09,
// 14 may 2009, 3 September 2026.
func wordDate(s string, pivot calendar.Date) (calendar.Date, bool, error) {
	fields := strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == '-' || r == '/' || r == ',' || r == '.' })
	if len(fields) != 3 {
		return calendar.Date{}, false, bad("want a date (dd/mm/yyyy, yyyy-mm-dd or an Excel date)")
	}
	m := strings.ToLower(fields[1])
	month := 0
	for i := time.January; i <= time.December; i++ {
		name := strings.ToLower(i.String())
		if m == name || (len(m) >= 3 && strings.HasPrefix(name, m)) || (m == "sept" && i == time.September) {
			month = int(i)
		}
	}
	if month == 0 {
		return calendar.Date{}, false, bad("want a date (dd/mm/yyyy, yyyy-mm-dd or an Excel date)")
	}
	return ParseDate(fields[0]+"/"+strconv.Itoa(month)+"/"+fields[2], pivot)
}

func isNumber(s string) bool {
	dot := false
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
		case r == '.' && !dot && i > 0:
			dot = true
		default:
			return false
		}
	}
	return s != ""
}

// ParseRating reads a RAG cell: Red, Amber, Green, Blue or R, A, G, B (any
// case). A blank cell is ok false.
func ParseRating(s string) (r dsr.Rating, ok bool, err error) {
	if Blank(s) {
		return dsr.Unrated, false, nil
	}
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "red", "r":
		return dsr.Red, true, nil
	case "amber", "a":
		return dsr.Amber, true, nil
	case "green", "g":
		return dsr.Green, true, nil
	case "blue", "b":
		return dsr.Blue, true, nil
	}
	return dsr.Unrated, false, bad("want a RAG rating: Red, Amber, Green or Blue (or R, A, G, B)")
}

// ParseNHSNumber reads an NHS number cell: ten digits, with any spaces or
// hyphens, passing the Modulus 11 check. Its error never holds the
// number. A blank cell is ok false.
func ParseNHSNumber(s string) (n dsr.NHSNumber, ok bool, err error) {
	if Blank(s) {
		return "", false, nil
	}
	digits := strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' || r == '\u00a0' {
			return -1
		}
		return r
	}, s)
	n, err = dsr.ParseNHSNumber(digits)
	if err != nil {
		return "", false, bad("not an NHS number: want ten digits passing the Modulus 11 check")
	}
	return n, true, nil
}

// ParsePercent reads a whole percentage, 0 to 100, with or without "%";
// a fraction below 1 (as a workbook keeps a cell formatted as a
// percentage: 0.5 for 50%) is read as that share of 100. 1 is 1%.
func ParsePercent(s string) (v int, ok bool, err error) {
	if Blank(s) {
		return 0, false, nil
	}
	t := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "%"))
	f, err := strconv.ParseFloat(t, 64)
	if err == nil && f > 0 && f < 1 && t == strings.TrimSpace(s) {
		// A workbook keeps a cell formatted as a percentage as a fraction
		// (0.5 for 50%).
		f = math.Round(f*1e6) / 1e4
	}
	if err != nil || f != math.Trunc(f) || f < 0 || f > 100 {
		return 0, false, bad("want a whole percentage from 0 to 100")
	}
	return int(f), true, nil
}

// Text trims a text cell: white space at either end goes, line breaks
// become "\n" and other control characters go, and the apostrophe that
// keeps a spreadsheet from reading a cell starting =, +, - or @ as a
// formula is dropped.
func Text(s string) string {
	if len(s) > 1 && s[0] == '\'' && strings.ContainsRune("=+-@", rune(s[1])) {
		s = s[1:]
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '\r':
			return '\n'
		case r == '\n' || r == '\t':
			return r
		case unicode.IsControl(r):
			return -1
		}
		return r
	}, s)
	return strings.TrimSpace(s)
}

// List splits a cell holding several items, one a line or separated by
// ";", trimmed, empty items dropped.
func List(s string) []string {
	var out []string
	for _, p := range strings.FieldsFunc(s, func(r rune) bool { return r == ';' || r == '\n' || r == '\r' }) {
		if t := Text(p); t != "" {
			out = append(out, t)
		}
	}
	return out
}

// Word folds a word of the area's vocabulary for matching: lower case,
// every run of characters that are not letters or digits as one "_".
func Word(s string) string {
	var b strings.Builder
	gap := false
	for _, r := range strings.ToLower(strings.TrimSpace(s)) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if gap && b.Len() > 0 {
				b.WriteByte('_')
			}
			gap = false
			b.WriteRune(r)
		} else {
			gap = true
		}
	}
	return b.String()
}

// Heading folds a column heading for matching: case folded, every run of
// white space (line breaks included) as one space, trimmed, and a
// trailing "*" or ":" dropped.
func Heading(s string) string {
	s = strings.ToLower(strings.Join(strings.Fields(s), " "))
	s = strings.TrimRight(s, "*: ")
	return strings.TrimSpace(s)
}
